/* sigpipe: SIGPIPE held back from the calling thread while a library writes to a socket */
#include "core/compat.h"

#include <pthread.h>
#include <time.h>

#include "net/sigpipe.h"

static sigset_t pipe_only(void)
{
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGPIPE);
	return set;
}

void sigpipe_hold(struct sigpipe_hold *hold)
{
	sigset_t only = pipe_only(), pending;
	sigemptyset(&pending);
	(void)sigpending(&pending);
	hold->was_pending = sigismember(&pending, SIGPIPE) == 1;
	(void)pthread_sigmask(SIG_BLOCK, &only, &hold->old_mask);
}

void sigpipe_release(const struct sigpipe_hold *hold)
{
	if (!hold->was_pending) {
		sigset_t only = pipe_only();
		const struct timespec now = {0, 0};
		/* a write's SIGPIPE is pending on this thread: taken, at most once a write */
		for (unsigned taken = 0; taken < 64 && sigtimedwait(&only, NULL, &now) == SIGPIPE;
		     taken++)
			;
	}
	(void)pthread_sigmask(SIG_SETMASK, &hold->old_mask, NULL);
}
