/* health-exec: the exec monitor: the profile's adapter operation "health" exits 0 */
#include "core/compat.h"

#include <pthread.h>
#include <stdatomic.h>

#include "adapters/exec.h"
#include "core/error.h"
#include "core/profile.h"
#include "fuzz/health.h"
#include "net/sock.h"

/* The operation runs in a thread of its own so that the set's poll never
 * waits for it; the thread touches only this state until done is set. */
struct exec_state {
	pthread_t thread;
	bool running;
	atomic_bool done;
	int64_t deadline_ns, next_ns;
	const struct health_config *config;
	struct adapter_exec_result result;
	int rc;
	struct dl_error err;
};

static void *run_operation(void *arg)
{
	struct exec_state *s = arg;
	const struct health_config *c = s->config;
	struct adapter_exec_vars vars = {.address = c->address_count ? c->addresses[0] : NULL};
	s->rc = adapter_exec_run(c->profile, "health", &vars,
				 c->exec_transcript ? c->exec_transcript : "/dev/null",
				 s->deadline_ns, &s->result, &s->err);
	atomic_store(&s->done, true);
	return NULL;
}

static void exec_stop(struct health_probe *p)
{
	struct exec_state *s = p->state;
	if (!s)
		return;
	if (s->running) /* bounded: adapter_exec_run kills the command at its deadline */
		pthread_join(s->thread, NULL);
	free(s);
	p->state = NULL;
}

static int exec_start(struct health_probe *p, int64_t now_ns, struct dl_error *err)
{
	const struct health_config *c = p->config;
	if (!c->profile || !profile_find_operation(c->profile, "health"))
		return dl_error_set(err, DL_ENOTFOUND,
				    "the profile declares no adapter operation 'health'; add one "
				    "to an exec adapter or drop the exec monitor");
	struct exec_state *s = calloc(1, sizeof(*s));
	if (!s)
		return dl_error_set(err, DL_ENOMEM, "out of memory");
	s->config = c;
	s->next_ns = now_ns;
	atomic_init(&s->done, false);
	p->state = s;
	return 0;
}

/* The last line of the command's output, for the evidence. */
static const char *last_line(const char *tail, char *buf, size_t size)
{
	size_t n = strlen(tail);
	while (n > 0 && (tail[n - 1] == '\n' || tail[n - 1] == '\r'))
		n--;
	size_t start = n;
	while (start > 0 && tail[start - 1] != '\n')
		start--;
	size_t k = n - start < size - 1 ? n - start : size - 1;
	for (size_t i = 0; i < k; i++) {
		char ch = tail[start + i];
		buf[i] = ch >= 0x20 && ch < 0x7f ? ch : '?';
	}
	buf[k] = '\0';
	return buf;
}

static int exec_poll(struct health_probe *p, int64_t now_ns, struct health_sample *out,
		     struct dl_error *err)
{
	struct exec_state *s = p->state;
	if (!s->running) {
		if (now_ns < s->next_ns)
			return 0;
		s->next_ns = now_ns + (int64_t)p->interval_ms * 1000000;
		atomic_store(&s->done, false);
		memset(&s->result, 0, sizeof(s->result));
		s->deadline_ns = sock_now_ns() + (int64_t)p->timeout_ms * 1000000;
		int e = pthread_create(&s->thread, NULL, run_operation, s);
		if (e)
			return dl_error_set(err, DL_EIO, "cannot start a thread: %s", strerror(e));
		s->running = true;
		return 0;
	}
	if (!atomic_load(&s->done))
		return 0;
	pthread_join(s->thread, NULL);
	s->running = false;
	if (s->rc)
		return dl_error_set(err, s->rc, "%s", s->err.message);
	char line[160];
	last_line(s->result.output_tail, line, sizeof(line));
	if (!s->result.timed_out && s->result.exit_status == 0) {
		out->outcome = HEALTH_OK;
		snprintf(out->evidence, sizeof(out->evidence), "health operation exited 0");
		return 0;
	}
	out->outcome = HEALTH_FAIL;
	if (s->result.timed_out)
		snprintf(out->evidence, sizeof(out->evidence),
			 "health operation killed after %u ms%s%s", p->timeout_ms,
			 line[0] ? ": " : "", line);
	else
		snprintf(out->evidence, sizeof(out->evidence), "health operation exited %d%s%s",
			 s->result.exit_status, line[0] ? ": " : "", line);
	return 0;
}

const struct health_monitor health_monitor_exec = {
	.name = "exec",
	.summary = "the profile's adapter operation 'health' exits 0",
	.threshold = 2,
	.interval_ms = 10000,
	.timeout_ms = 8000,
	.start = exec_start,
	.poll = exec_poll,
	.stop = exec_stop,
};
