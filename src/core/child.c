/* child: run one collector in a forked child with a deadline, its progress piped back */
#include "core/compat.h"

#include <fcntl.h>
#include <json-c/json.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "checks/check.h"
#include "core/child.h"
#include "core/error.h"
#include "core/monotonic.h"
#include "core/progress.h"
#include "core/text.h"

/* An observation larger than this is a collector bug, not data. */
#define OBSERVATION_MAX_BYTES (64u << 20)

struct child_channel {
	int fd;
	int64_t last_ns;
};

static void child_progress(void *opaque, uint64_t done, uint64_t total, const char *what)
{
	struct child_channel *channel = opaque;
	int64_t now = monotonic_ns();
	/* The parent redraws a few times a second; more is wasted syscalls. */
	if (done != total && now - channel->last_ns < 100000000)
		return;
	channel->last_ns = now;
	char line[PROGRESS_LINE_MAX];
	int n = snprintf(line, sizeof(line), "%" PRIu64 " %" PRIu64 " %s\n", done, total,
			 what ? what : "");
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(line)) {
		n = (int)sizeof(line) - 1;
		line[n - 1] = '\n';
	}
	ssize_t ignored = write(channel->fd, line, (size_t)n);
	(void)ignored;
}

static void write_file_or_ignore(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	if (!f)
		return;
	fputs(text, f);
	fclose(f);
}

static void run_child(const struct collector *collector, const struct check_context *base,
		      int progress_fd, const char *observation_path, const char *error_path)
{
	struct child_channel channel = {.fd = progress_fd};
	struct check_context ctx = *base;
	struct dl_error err = {0};
	struct json_object *observation = NULL;

	ctx.progress = child_progress;
	ctx.progress_opaque = &channel;
	int rc = collector->collect(&ctx, &observation, &err);
	if (rc) {
		write_file_or_ignore(error_path, err.message[0] ? err.message : dl_code_name(rc));
		_exit(1);
	}
	if (!observation ||
	    json_object_to_file_ext(observation_path, observation, JSON_C_TO_STRING_PLAIN) != 0) {
		write_file_or_ignore(error_path, "could not write the observation");
		_exit(1);
	}
	_exit(0);
}

static char *read_bounded_file(const char *path, size_t max, size_t *length)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	char *data = malloc(max + 1);
	size_t n = data ? fread(data, 1, max + 1, f) : 0;
	fclose(f);
	if (!data || n > max) {
		free(data);
		return NULL;
	}
	data[n] = '\0';
	if (length)
		*length = n;
	return data;
}

static void parse_progress_lines(struct progress *p, char *buffer, size_t *used)
{
	char *start = buffer;
	char *newline;
	while ((newline = memchr(start, '\n', *used - (size_t)(start - buffer)))) {
		*newline = '\0';
		char *space1 = strchr(start, ' ');
		char *space2 = space1 ? strchr(space1 + 1, ' ') : NULL;
		if (space1 && space2) {
			*space1 = *space2 = '\0';
			uint64_t done = 0, units = 0;
			if (text_parse_u64(start, UINT64_MAX, &done) == 0 &&
			    text_parse_u64(space1 + 1, UINT64_MAX, &units) == 0) {
				p->done = done;
				p->units = units;
				text_copy(p->what, sizeof(p->what), space2 + 1);
			}
		}
		start = newline + 1;
	}
	size_t rest = *used - (size_t)(start - buffer);
	memmove(buffer, start, rest);
	*used = rest;
}

/*
 * Fork, run the collector in the child, watch its progress pipe, its
 * deadline and the operator's Ctrl-C. *observation gets the JSON text on
 * CHILD_DONE; message says why otherwise.
 */
enum child_outcome child_run_collector(const struct collector *collector,
				       const struct check_context *base, struct progress *p,
				       int64_t deadline_ns, volatile sig_atomic_t *stop,
				       char **observation, char *message, size_t message_size)
{
	char observation_path[4200], error_path[4200];
	snprintf(observation_path, sizeof(observation_path), "%s/.%s.observation.json",
		 base->campaign_dir, collector->id);
	snprintf(error_path, sizeof(error_path), "%s/.%s.error", base->campaign_dir, collector->id);
	unlink(observation_path);
	unlink(error_path);
	*observation = NULL;

	int fds[2];
	if (pipe2(fds, O_CLOEXEC) != 0) {
		snprintf(message, message_size, "cannot create a pipe: %s", strerror(errno));
		return CHILD_ERROR;
	}
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0) {
		close(fds[0]);
		close(fds[1]);
		snprintf(message, message_size, "cannot fork: %s", strerror(errno));
		return CHILD_ERROR;
	}
	if (pid == 0) {
		close(fds[0]);
		/* Its own process group, so the deadline can kill everything it
		 * started; and it dies with us, so a SIGKILL of dutlab leaves no
		 * collector sending on its own. */
		setpgid(0, 0);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		signal(SIGINT, SIG_IGN);
		signal(SIGTERM, SIG_DFL);
		struct check_context ctx = *base;
		ctx.deadline_ns = deadline_ns;
		run_child(collector, &ctx, fds[1], observation_path, error_path);
	}
	setpgid(pid, pid);
	close(fds[1]);

	char buffer[4 * PROGRESS_LINE_MAX];
	size_t used = 0;
	bool pipe_open = true, exited = false, killed_for_deadline = false;
	int status = 0;
	enum child_outcome outcome = CHILD_ERROR;
	/* A grace period past the deadline for the child to notice and return. */
	int64_t hard_deadline = deadline_ns + 5 * (int64_t)1000000000;

	while (!exited) {
		if (*stop) {
			kill(-pid, SIGKILL);
			waitpid(pid, &status, 0);
			snprintf(message, message_size, "stopped by the operator");
			outcome = CHILD_INTERRUPTED;
			goto out;
		}
		if (monotonic_ns() > hard_deadline && !killed_for_deadline) {
			kill(-pid, SIGKILL);
			killed_for_deadline = true;
		}
		if (pipe_open) {
			struct pollfd pfd = {.fd = fds[0], .events = POLLIN};
			int ready = poll(&pfd, 1, 200);
			if (ready > 0) {
				ssize_t n = read(fds[0], buffer + used, sizeof(buffer) - used - 1);
				if (n > 0) {
					used += (size_t)n;
					parse_progress_lines(p, buffer, &used);
					if (used == sizeof(buffer) - 1)
						used = 0; /* an over-long line: drop it */
					progress_draw(p, false);
				} else if (n == 0) {
					pipe_open = false;
				}
			}
		} else {
			struct timespec nap = {0, 50000000};
			nanosleep(&nap, NULL);
		}
		pid_t w = waitpid(pid, &status, WNOHANG);
		if (w == pid)
			exited = true;
		if (!pipe_open && !exited)
			progress_draw(p, false);
	}

	if (killed_for_deadline) {
		snprintf(message, message_size,
			 "deadline of %u s passed; the collector was stopped (raise it with "
			 "--timeout-scale if the DUT is slow)",
			 (unsigned)((deadline_ns - p->started_ns) / 1000000000));
	} else if (WIFSIGNALED(status)) {
		snprintf(message, message_size, "the collector crashed with signal %d (%s)",
			 WTERMSIG(status), strsignal(WTERMSIG(status)));
	} else if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		size_t length = 0;
		*observation = read_bounded_file(observation_path, OBSERVATION_MAX_BYTES, &length);
		if (*observation)
			outcome = CHILD_DONE;
		else
			snprintf(message, message_size,
				 "the collector's observation is missing or over %u bytes",
				 OBSERVATION_MAX_BYTES);
	} else {
		char *text = read_bounded_file(error_path, 4096, NULL);
		snprintf(message, message_size, "%s", text ? text : "the collector failed");
		free(text);
	}
out:
	close(fds[0]);
	unlink(observation_path);
	unlink(error_path);
	return outcome;
}
