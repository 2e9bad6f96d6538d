/* test-sigpipe: a write to a closed socket between sigpipe_hold() and sigpipe_release() fails
 * with EPIPE and leaves no SIGPIPE behind; one pending before stays pending */
#include "core/compat.h"

#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "net/sigpipe.h"

/* A socket whose peer is gone: a write to it raises SIGPIPE (OpenSSL's socket BIO's way). */
static int closed_socket(void)
{
	int pair[2];
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, pair), 0);
	close(pair[1]);
	return pair[0];
}

static bool sigpipe_pending(void)
{
	sigset_t pending;
	sigemptyset(&pending);
	assert_int_equal(sigpending(&pending), 0);
	return sigismember(&pending, SIGPIPE) == 1;
}

static void held_write_fails_and_leaves_nothing(void **state)
{
	(void)state;
	int fd = closed_socket();
	struct sigpipe_hold hold;
	sigpipe_hold(&hold);
	errno = 0;
	assert_int_equal(write(fd, "x", 1), -1); /* without the hold: killed here */
	assert_int_equal(errno, EPIPE);
	assert_true(sigpipe_pending());
	sigpipe_release(&hold);
	assert_false(sigpipe_pending());
	sigset_t mask;
	assert_int_equal(pthread_sigmask(SIG_SETMASK, NULL, &mask), 0);
	assert_false(sigismember(&mask, SIGPIPE)); /* the mask as it was */
	close(fd);
}

static void a_signal_pending_before_stays(void **state)
{
	(void)state;
	sigset_t pipe_only, old;
	sigemptyset(&pipe_only);
	sigaddset(&pipe_only, SIGPIPE);
	assert_int_equal(pthread_sigmask(SIG_BLOCK, &pipe_only, &old), 0);
	assert_int_equal(pthread_kill(pthread_self(), SIGPIPE), 0);
	struct sigpipe_hold hold;
	sigpipe_hold(&hold);
	int fd = closed_socket();
	assert_int_equal(write(fd, "x", 1), -1);
	sigpipe_release(&hold);
	assert_true(sigpipe_pending()); /* not ours to take */
	const struct timespec now = {0, 0};
	assert_int_equal(sigtimedwait(&pipe_only, NULL, &now), SIGPIPE);
	assert_int_equal(pthread_sigmask(SIG_SETMASK, &old, NULL), 0);
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(held_write_fails_and_leaves_nothing),
		cmocka_unit_test(a_signal_pending_before_stays),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
