/* exec: the exec adapter: run a profile operation's command template with its placeholders filled
 */
#include "core/compat.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "adapters/exec.h"
#include "core/error.h"
#include "core/monotonic.h"
#include "core/profile.h"
#include "core/text.h"

/* How often the parent looks whether the command has exited. */
#define EXEC_POLL_NS (10 * 1000000LL)
/* The longest placeholder name we look for: "{certificate}". */
#define EXEC_NAME_MAX 16

struct exec_buffer {
	char *data;
	size_t size;
	size_t length;
	bool overflow;
};

static void buffer_add(struct exec_buffer *b, const char *text, size_t length)
{
	if (b->overflow || b->length + length >= b->size) {
		b->overflow = true;
		return;
	}
	memcpy(b->data + b->length, text, length);
	b->length += length;
	b->data[b->length] = '\0';
}

/* 'value' with each ' written as '\'' : the shell sees one word, whatever the
 * value holds ($, `, ", spaces, newlines). */
static void buffer_add_quoted(struct exec_buffer *b, const char *value)
{
	buffer_add(b, "'", 1);
	for (const char *s = value; *s; s++) {
		if (*s == '\'')
			buffer_add(b, "'\\''", 4);
		else
			buffer_add(b, s, 1);
	}
	buffer_add(b, "'", 1);
}

/* The running binary, so an operation can call dutlab back ("{dutlab} lab reset"). */
static int self_path(char *out, size_t size, struct dl_error *err)
{
	ssize_t n = readlink("/proc/self/exe", out, size - 1);
	if (n < 0 || (size_t)n >= size - 1)
		return dl_error_set(err, DL_EIO, "exec adapter: cannot read /proc/self/exe: %s",
				    n < 0 ? strerror(errno) : "path too long");
	out[n] = '\0';
	/* Rebuilt or upgraded while a campaign runs: the kernel marks the old
	 * inode; the path names the new binary, which is the one to call. */
	static const char deleted[] = " (deleted)";
	size_t length = (size_t)n, tail = sizeof(deleted) - 1;
	if (length > tail && strcmp(out + length - tail, deleted) == 0)
		out[length - tail] = '\0';
	return 0;
}

/* The value of placeholder name; *known false when it is not one of ours
 * (then a name that is not lowercase is left as written: "${HOME}" stays
 * shell syntax). */
static const char *placeholder_value(const char *name, const struct adapter_exec_vars *vars,
				     const char *dutlab, bool *known)
{
	static const char *const names[] = {"address", "username", "password", "certificate",
					    "key",     "campaign", "dutlab"};
	const char *values[] = {vars->address, vars->username, vars->password, vars->certificate,
				vars->key,     vars->campaign, dutlab};
	for (size_t i = 0; i < DL_ARRAY_SIZE(names); i++) {
		if (strcmp(names[i], name) == 0) {
			*known = true;
			return values[i];
		}
	}
	*known = false;
	return NULL;
}

int adapter_exec_expand(const char *template, const struct adapter_exec_vars *vars,
			bool mask_password, char *out, size_t size, struct dl_error *err)
{
	static const struct adapter_exec_vars none = {0};
	if (!template || !out || size == 0)
		return dl_error_set(err, DL_EINVAL, "exec adapter: no command template");
	if (!vars)
		vars = &none;
	char dutlab[4096] = "";
	bool dutlab_read = false;
	struct exec_buffer b = {.data = out, .size = size};
	out[0] = '\0';
	const char *s = template;
	while (*s) {
		const char *open = strchr(s, '{');
		if (!open) {
			buffer_add(&b, s, strlen(s));
			break;
		}
		buffer_add(&b, s, (size_t)(open - s));
		const char *close = strchr(open + 1, '}');
		size_t name_length = close ? (size_t)(close - open - 1) : 0;
		char name[EXEC_NAME_MAX];
		if (!close || name_length == 0 || name_length >= sizeof(name)) {
			buffer_add(&b, open, 1);
			s = open + 1;
			continue;
		}
		memcpy(name, open + 1, name_length);
		name[name_length] = '\0';
		if (strcmp(name, "dutlab") == 0 && !dutlab_read) {
			int rc = self_path(dutlab, sizeof(dutlab), err);
			if (rc)
				return rc;
			dutlab_read = true;
		}
		bool known = false;
		const char *value = placeholder_value(name, vars, dutlab, &known);
		/* The profile loader refuses any other {lowercase_name} as a typo;
		 * a template from elsewhere gets the same rule. */
		if (!known && strspn(name, "abcdefghijklmnopqrstuvwxyz_") == name_length)
			return dl_error_set(
				err, DL_EINVAL,
				"exec adapter: unknown placeholder {%s}; expected {address}, "
				"{username}, {password}, {certificate}, {key}, {dutlab} or "
				"{campaign}",
				name);
		if (!known) {
			buffer_add(&b, open, 1);
			s = open + 1;
			continue;
		}
		if (!value)
			return dl_error_set(
				err, DL_EINVAL,
				"exec adapter: the command uses {%s} but no %s is "
				"available; declare it in the profile or remove it from "
				"the command",
				name, name);
		if (mask_password && strcmp(name, "password") == 0)
			buffer_add(&b, "***", 3);
		else
			buffer_add_quoted(&b, value);
		s = close + 1;
	}
	if (b.overflow)
		return dl_error_set(err, DL_ENOMEM,
				    "exec adapter: the command is longer than %zu bytes after "
				    "substitution; shorten the template or its values",
				    size - 1);
	return 0;
}

/* The last bytes of the transcript, for a summary that does not open files. */
static void read_tail(const char *path, char *out, size_t size)
{
	out[0] = '\0';
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	struct stat st;
	if (fstat(fd, &st) == 0 && st.st_size > 0) {
		off_t from = st.st_size > (off_t)(size - 1) ? st.st_size - (off_t)(size - 1) : 0;
		ssize_t n = pread(fd, out, size - 1, from);
		if (n > 0) {
			out[n] = '\0';
			/* NULs from a binary output would cut the string short, not overflow. */
			for (ssize_t i = 0; i < n; i++)
				if (out[i] == '\0')
					out[i] = '.';
		}
	}
	close(fd);
}

/* In the child: never returns. Only async-signal-safe calls until exec. */
static void exec_child(const char *command, int transcript_fd)
{
	setpgid(0, 0);
	/* A collector killed at its deadline must not leave a reset running. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGPIPE, SIG_DFL);
	int null_fd = open("/dev/null", O_RDONLY);
	if (null_fd < 0 || dup2(null_fd, 0) < 0 || dup2(transcript_fd, 1) < 0 ||
	    dup2(transcript_fd, 2) < 0)
		_exit(127);
	/* Nothing of ours (sockets, pipes, the store) is handed to the command. */
	if (close_range(3, ~0u, 0) != 0)
		for (int fd = 3; fd < 1024; fd++)
			close(fd);
	execl("/bin/sh", "sh", "-c", command, (char *)NULL);
	_exit(127);
}

static void sleep_ns(int64_t ns)
{
	struct timespec ts = {.tv_sec = (time_t)(ns / 1000000000LL),
			      .tv_nsec = (long)(ns % 1000000000LL)};
	nanosleep(&ts, NULL);
}

/* Wait until pid exits or kill_at passes; the group is killed before pid is
 * reaped, so its id cannot have been reused. */
static int wait_child(pid_t pid, int64_t kill_at, struct adapter_exec_result *out,
		      struct dl_error *err)
{
	for (;;) {
		siginfo_t info = {0};
		int rc = waitid(P_PID, (id_t)pid, &info, WEXITED | WNOHANG | WNOWAIT);
		if (rc < 0 && errno != EINTR) {
			int saved = errno;
			kill(-pid, SIGKILL);
			waitpid(pid, NULL, 0);
			return dl_error_set(err, DL_EIO, "exec adapter: cannot wait for pid %d: %s",
					    (int)pid, strerror(saved));
		}
		if (rc == 0 && info.si_pid == pid)
			break;
		if (monotonic_ns() >= kill_at) {
			kill(-pid, SIGKILL);
			out->timed_out = true;
			break;
		}
		sleep_ns(EXEC_POLL_NS);
	}
	/* Whatever the command left behind in its group goes with it. */
	kill(-pid, SIGKILL);
	int status = 0;
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR)
			return dl_error_set(err, DL_EIO, "exec adapter: cannot reap pid %d: %s",
					    (int)pid, strerror(errno));
	}
	out->exit_status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
	return 0;
}

int adapter_exec_run(const struct profile *p, const char *operation,
		     const struct adapter_exec_vars *vars, const char *transcript_path,
		     int64_t deadline_ns, struct adapter_exec_result *out, struct dl_error *err)
{
	if (!p || !operation || !transcript_path || !out)
		return dl_error_set(err, DL_EINVAL, "exec adapter: missing argument");
	memset(out, 0, sizeof(*out));
	const char *origin = p->path ? p->path : "(unnamed)";
	const struct profile_operation *op = profile_find_operation(p, operation);
	if (!op || !op->command)
		return dl_error_set(err, DL_ENOTFOUND,
				    "profile '%s': no adapter operation '%s'; declare it under "
				    "adapters (e.g. '%s: {command: \"...\", timeout: 60}')",
				    origin, operation, operation);

	int rc = 0;
	char *command = malloc(ADAPTER_EXEC_COMMAND_MAX);
	char *masked = malloc(ADAPTER_EXEC_COMMAND_MAX);
	if (!command || !masked) {
		rc = dl_error_set(err, DL_ENOMEM, "exec adapter: out of memory");
		goto out;
	}
	rc = adapter_exec_expand(op->command, vars, false, command, ADAPTER_EXEC_COMMAND_MAX, err);
	if (!rc)
		rc = adapter_exec_expand(op->command, vars, true, masked, ADAPTER_EXEC_COMMAND_MAX,
					 err);
	if (rc) {
		dl_error_prefix(err, "profile '%s': operation '%s'", origin, operation);
		goto out;
	}

	int64_t start = monotonic_ns();
	int64_t kill_at = start + (int64_t)op->timeout_seconds * 1000000000LL;
	if (deadline_ns > 0 && deadline_ns < kill_at)
		kill_at = deadline_ns;
	if (kill_at <= start) {
		rc = dl_error_set(err, DL_ETIMEDOUT,
				  "profile '%s': operation '%s': the deadline passed before it "
				  "could start",
				  origin, operation);
		goto out;
	}

	int fd = open(transcript_path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0644);
	if (fd < 0) {
		rc = dl_error_set(err, DL_EIO,
				  "profile '%s': operation '%s': cannot create the transcript "
				  "'%s': %s",
				  origin, operation, transcript_path, strerror(errno));
		goto out;
	}
	dprintf(fd, "# dutlab exec adapter: operation '%s' of profile '%s', timeout %u s\n$ %s\n",
		operation, origin, op->timeout_seconds, masked);

	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0) {
		rc = dl_error_set(err, DL_EIO, "profile '%s': operation '%s': cannot fork: %s",
				  origin, operation, strerror(errno));
		close(fd);
		goto out;
	}
	if (pid == 0)
		exec_child(command, fd);
	setpgid(pid, pid); /* also here: no window in which a kill of the group misses it */

	rc = wait_child(pid, kill_at, out, err);
	out->duration_ms = (monotonic_ns() - start) / 1000000;
	if (!rc) {
		if (out->timed_out)
			dprintf(fd, "\n# killed after %" PRId64 " ms: the %s passed\n",
				out->duration_ms,
				kill_at == deadline_ns ? "collector's deadline"
						       : "operation's timeout");
		else
			dprintf(fd, "\n# exit status %d after %" PRId64 " ms\n", out->exit_status,
				out->duration_ms);
	}
	close(fd);
	read_tail(transcript_path, out->output_tail, sizeof(out->output_tail));
out:
	free(command);
	free(masked);
	return rc;
}
