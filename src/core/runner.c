/* runner: runs each collector once with a deadline, judges clauses as results arrive, resumes after
 * a crash */
#include "core/compat.h"

#include <fcntl.h>
#include <json-c/json.h>
#include <poll.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "checks/check.h"
#include "core/catalog.h"
#include "core/error.h"
#include "core/evidence-store.h"
#include "core/plan.h"
#include "core/profile-json.h"
#include "core/profile.h"
#include "core/runner.h"
#include "core/store.h"
#include "core/text.h"
#include "dutlab-config.h"
#include "net/scope.h"

/* An observation larger than this is a collector bug, not data. */
#define OBSERVATION_MAX_BYTES (64u << 20)
#define PROGRESS_LINE_MAX 512

static volatile sig_atomic_t stop_requested;

static void on_stop_signal(int signal_number)
{
	(void)signal_number;
	stop_requested = 1;
}

static int64_t monotonic_ns(void)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (int64_t)now.tv_sec * 1000000000 + now.tv_nsec;
}

/* ---- recording the plan ---- */

static struct json_object *clause_checks_json(const struct catalog_clause *c)
{
	struct json_object *checks = json_object_new_array();
	for (size_t k = 0; k < c->check_count; k++) {
		struct json_object *o = json_object_new_object();
		json_object_object_add(o, "check", json_object_new_string(c->checks[k].check_id));
		struct json_object *params = json_object_new_object();
		for (size_t p = 0; p < c->checks[k].param_count; p++)
			json_object_object_add(
				params, c->checks[k].params[p].name,
				json_object_new_string(c->checks[k].params[p].value));
		json_object_object_add(o, "params", params);
		json_object_array_add(checks, o);
	}
	return checks;
}

static enum verdict plan_kind_verdict(enum plan_kind kind)
{
	switch (kind) {
	case PLAN_MANUAL: return VERDICT_MANUAL;
	case PLAN_NOT_APPLICABLE: return VERDICT_NOT_APPLICABLE;
	case PLAN_NOT_TESTED: return VERDICT_NOT_TESTED;
	case PLAN_CHECK: break;
	}
	return VERDICT_NOT_TESTED;
}

static int bind_text_or_null(sqlite3_stmt *st, int index, const char *text)
{
	return text ? sqlite3_bind_text(st, index, text, -1, SQLITE_TRANSIENT)
		    : sqlite3_bind_null(st, index);
}

static int insert_plan_item(struct store *store, size_t seq, const struct plan_item *item,
			    struct dl_error *err)
{
	const struct catalog_clause *c = item->clause;
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(
		    store->db,
		    "INSERT INTO plan_item(seq, clause_id, level, optional, title_zh,"
		    " title_en, text_zh, method, how, decision, manual_question, kind,"
		    " checks, reason) VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14)",
		    -1, &st, NULL) != SQLITE_OK)
		return dl_error_set(err, DL_EIO, "%s: %s", store->path, sqlite3_errmsg(store->db));
	struct json_object *checks = clause_checks_json(c);
	sqlite3_bind_int64(st, 1, (sqlite3_int64)seq);
	sqlite3_bind_text(st, 2, c->id, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 3, c->level);
	sqlite3_bind_int(st, 4, c->optional);
	bind_text_or_null(st, 5, c->title_zh);
	bind_text_or_null(st, 6, c->title_en);
	bind_text_or_null(st, 7, c->text_zh);
	sqlite3_bind_text(st, 8, catalog_method_name(c->method), -1, SQLITE_STATIC);
	bind_text_or_null(st, 9, c->how);
	bind_text_or_null(st, 10, c->decision);
	bind_text_or_null(st, 11, c->manual_question);
	sqlite3_bind_text(st, 12, plan_kind_name(item->kind), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 13, json_object_to_json_string_ext(checks, JSON_C_TO_STRING_PLAIN),
			  -1, SQLITE_TRANSIENT);
	bind_text_or_null(st, 14, item->kind == PLAN_CHECK ? NULL : item->reason);
	int rc = 0;
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = dl_error_set(err, DL_EIO, "%s: recording clause %s: %s", store->path, c->id,
				  sqlite3_errmsg(store->db));
	sqlite3_finalize(st);
	json_object_put(checks);
	return rc;
}

static int write_clause_result(struct store *store, const char *clause_id, enum verdict verdict,
			       const char *summary, const char *checks_json, struct dl_error *err)
{
	char now[32];
	store_now(now, sizeof(now));
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(
		    store->db,
		    "INSERT INTO clause_result(clause_id, verdict, summary, checks, decided_at)"
		    " VALUES(?1,?2,?3,?4,?5) ON CONFLICT(clause_id) DO UPDATE SET"
		    " verdict=excluded.verdict, summary=excluded.summary,"
		    " checks=excluded.checks, decided_at=excluded.decided_at",
		    -1, &st, NULL) != SQLITE_OK)
		return dl_error_set(err, DL_EIO, "%s: %s", store->path, sqlite3_errmsg(store->db));
	sqlite3_bind_text(st, 1, clause_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, verdict_name(verdict), -1, SQLITE_STATIC);
	bind_text_or_null(st, 3, summary);
	sqlite3_bind_text(st, 4, checks_json ? checks_json : "[]", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, now, -1, SQLITE_STATIC);
	int rc = 0;
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = dl_error_set(err, DL_EIO, "%s: recording the verdict of %s: %s", store->path,
				  clause_id, sqlite3_errmsg(store->db));
	sqlite3_finalize(st);
	return rc;
}

int runner_record_plan(struct store *store, const struct plan *plan, const struct profile *profile,
		       struct dl_error *err)
{
	char now[32], level[8];
	store_now(now, sizeof(now));
	snprintf(level, sizeof(level), "%d", plan->level);
	struct json_object *profile_json = profile_to_json(profile);
	if (!profile_json)
		return dl_error_set(err, DL_ENOMEM, "out of memory recording the profile");

	int rc = store_begin(store, err);
	if (rc) {
		json_object_put(profile_json);
		return rc;
	}
	char campaign_id[64];
	snprintf(campaign_id, sizeof(campaign_id), "%s-%08lx", now, (unsigned long)getpid());
	const struct catalog_standard *s = plan->standard;
	const char *meta[][2] = {
		{"tool_version", DUTLAB_VERSION},
		{"campaign_id", campaign_id},
		{"profile_path", profile->path},
		{"profile_json",
		 json_object_to_json_string_ext(profile_json, JSON_C_TO_STRING_PLAIN)},
		{"standard", s->id},
		{"standard_title_zh", s->title_zh},
		{"standard_title_en", s->title_en},
		{"standard_version", s->version},
		{"standard_has_levels", s->has_levels ? "1" : "0"},
		{"target_level", level},
		{"started_at", now},
		{"state", "planned"},
	};
	for (size_t i = 0; !rc && i < DL_ARRAY_SIZE(meta); i++)
		rc = store_meta_set(store, meta[i][0], meta[i][1] ? meta[i][1] : "", err);
	json_object_put(profile_json);

	for (size_t i = 0; !rc && i < plan->item_count; i++) {
		const struct plan_item *item = &plan->items[i];
		rc = insert_plan_item(store, i + 1, item, err);
		if (!rc && item->kind != PLAN_CHECK)
			rc = write_clause_result(store, item->clause->id,
						 plan_kind_verdict(item->kind), item->reason, "[]",
						 err);
	}
	for (size_t i = 0; !rc && i < plan->collector_count; i++) {
		sqlite3_stmt *st = NULL;
		if (sqlite3_prepare_v2(store->db,
				       "INSERT INTO collector_run(collector_id, seq, state)"
				       " VALUES(?1, ?2, 'pending')",
				       -1, &st, NULL) != SQLITE_OK) {
			rc = dl_error_set(err, DL_EIO, "%s: %s", store->path,
					  sqlite3_errmsg(store->db));
			break;
		}
		sqlite3_bind_text(st, 1, plan->collectors[i]->id, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, (sqlite3_int64)i + 1);
		if (sqlite3_step(st) != SQLITE_DONE)
			rc = dl_error_set(err, DL_EIO, "%s: %s", store->path,
					  sqlite3_errmsg(store->db));
		sqlite3_finalize(st);
	}
	if (rc) {
		store_rollback(store);
		return rc;
	}
	return store_commit(store, err);
}

/* ---- progress ---- */

struct progress {
	enum runner_progress mode;
	size_t index, total; /* collectors: this one, of how many */
	const char *collector_id;
	int64_t started_ns; /* this collector */
	int64_t campaign_started_ns;
	unsigned expected_seconds;   /* this collector */
	unsigned remaining_expected; /* collectors after this one */
	uint64_t done, units;
	char what[PROGRESS_LINE_MAX];
	int64_t last_plain_ns;
	bool bar_drawn;
};

static void format_duration(char *buf, size_t size, int64_t seconds)
{
	if (seconds < 0)
		seconds = 0;
	if (seconds > 99 * 3600)
		seconds = 99 * 3600; /* an ETA past 99 hours is not worth digits */
	snprintf(buf, size, "%" PRId64 ":%02" PRId64, seconds / 60, seconds % 60);
}

static int64_t progress_eta_seconds(const struct progress *p, int64_t now)
{
	int64_t elapsed = (now - p->started_ns) / 1000000000;
	int64_t current;
	if (p->units > 0 && p->done > 0)
		current =
			(int64_t)((double)elapsed * (double)(p->units - p->done) / (double)p->done);
	else
		current = (int64_t)p->expected_seconds - elapsed;
	if (current < 0)
		current = 0;
	return current + p->remaining_expected;
}

static void progress_draw(struct progress *p, bool force)
{
	int64_t now = monotonic_ns();
	char elapsed[32], eta[32];
	format_duration(elapsed, sizeof(elapsed), (now - p->campaign_started_ns) / 1000000000);
	format_duration(eta, sizeof(eta), progress_eta_seconds(p, now));

	if (p->mode == PROGRESS_BAR) {
		enum { WIDTH = 24 };
		char bar[WIDTH + 1];
		double fraction = p->units ? (double)p->done / (double)p->units : 0.0;
		int filled = (int)(fraction * WIDTH);
		for (int i = 0; i < WIDTH; i++)
			bar[i] = i < filled ? '#' : '.';
		bar[WIDTH] = '\0';
		fprintf(stderr, "\r\033[K[%zu/%zu] %s [%s] %3d%%  %.60s  elapsed %s  ETA %s",
			p->index, p->total, p->collector_id, bar, (int)(fraction * 100), p->what,
			elapsed, eta);
		p->bar_drawn = true;
	} else if (p->mode == PROGRESS_PLAIN) {
		if (!force && now - p->last_plain_ns < 5 * (int64_t)1000000000)
			return;
		p->last_plain_ns = now;
		fprintf(stderr, "dutlab: [%zu/%zu] %s: %s (elapsed %s, ETA %s)\n", p->index,
			p->total, p->collector_id, p->what[0] ? p->what : "running", elapsed, eta);
	} else if (p->mode == PROGRESS_JSON) {
		if (!force && now - p->last_plain_ns < 1000000000)
			return;
		p->last_plain_ns = now;
		struct json_object *o = json_object_new_object();
		json_object_object_add(o, "event", json_object_new_string("progress"));
		json_object_object_add(o, "collector", json_object_new_string(p->collector_id));
		json_object_object_add(o, "index", json_object_new_int64((int64_t)p->index));
		json_object_object_add(o, "total", json_object_new_int64((int64_t)p->total));
		json_object_object_add(o, "done", json_object_new_int64((int64_t)p->done));
		json_object_object_add(o, "units", json_object_new_int64((int64_t)p->units));
		json_object_object_add(o, "what", json_object_new_string(p->what));
		json_object_object_add(o, "eta_seconds",
				       json_object_new_int64(progress_eta_seconds(p, now)));
		printf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
		fflush(stdout);
		json_object_put(o);
	}
}

static void progress_event(const struct progress *p, const char *event, const char *state,
			   const char *detail, int64_t duration_ms)
{
	if (p->mode == PROGRESS_JSON) {
		struct json_object *o = json_object_new_object();
		json_object_object_add(o, "event", json_object_new_string(event));
		if (p->collector_id)
			json_object_object_add(o, "collector",
					       json_object_new_string(p->collector_id));
		if (state)
			json_object_object_add(o, "state", json_object_new_string(state));
		if (detail)
			json_object_object_add(o, "detail", json_object_new_string(detail));
		if (duration_ms >= 0)
			json_object_object_add(o, "duration_ms",
					       json_object_new_int64(duration_ms));
		printf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
		fflush(stdout);
		json_object_put(o);
		return;
	}
	if (p->mode == PROGRESS_QUIET)
		return;
	if (p->bar_drawn)
		fputs("\r\033[K", stderr);
	if (strcmp(event, "collector_start") == 0)
		fprintf(stderr, "dutlab: [%zu/%zu] %s: started\n", p->index, p->total,
			p->collector_id);
	else if (strcmp(event, "collector_end") == 0)
		fprintf(stderr, "dutlab: [%zu/%zu] %s: %s in %.1f s%s%s\n", p->index, p->total,
			p->collector_id, state, (double)duration_ms / 1000.0, detail ? ": " : "",
			detail ? detail : "");
	else if (strcmp(event, "clause") == 0)
		fprintf(stderr, "dutlab:   clause %s: %s\n", detail, state);
}

/* ---- running one collector in a child ---- */

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

enum child_outcome { CHILD_DONE, CHILD_ERROR, CHILD_INTERRUPTED };

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
static enum child_outcome run_collector(const struct collector *collector,
					const struct check_context *base, struct progress *p,
					int64_t deadline_ns, char **observation, char *message,
					size_t message_size)
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
		if (stop_requested) {
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

/* ---- judging ---- */

static enum verdict combine(enum verdict a, enum verdict b)
{
	/* A failure is decisive; then anything that stops a pass. */
	static const int rank[VERDICT_COUNT] = {
		[VERDICT_FAIL] = 6,           [VERDICT_ERROR] = 5,      [VERDICT_INCONCLUSIVE] = 4,
		[VERDICT_MANUAL] = 3,         [VERDICT_NOT_TESTED] = 2, [VERDICT_PASS] = 1,
		[VERDICT_NOT_APPLICABLE] = 0,
	};
	return rank[a] >= rank[b] ? a : b;
}

struct collector_state {
	char state[16];
	char *observation;
	char *error;
};

static int load_collector_state(struct store *store, const char *id, struct collector_state *out,
				struct dl_error *err)
{
	memset(out, 0, sizeof(*out));
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(
		    store->db,
		    "SELECT state, observation, error FROM collector_run WHERE collector_id=?1", -1,
		    &st, NULL) != SQLITE_OK)
		return dl_error_set(err, DL_EIO, "%s: %s", store->path, sqlite3_errmsg(store->db));
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	int rc = 0;
	if (sqlite3_step(st) == SQLITE_ROW) {
		text_copy(out->state, sizeof(out->state), (const char *)sqlite3_column_text(st, 0));
		out->observation = text_dup((const char *)sqlite3_column_text(st, 1));
		out->error = text_dup((const char *)sqlite3_column_text(st, 2));
	} else {
		text_copy(out->state, sizeof(out->state), "missing");
	}
	sqlite3_finalize(st);
	return rc;
}

static void collector_state_release(struct collector_state *s)
{
	free(s->observation);
	free(s->error);
}

static int insert_finding(struct store *store, const char *clause_id, const char *check_id,
			  const struct finding *f, struct dl_error *err)
{
	static const char *const severity[] = {"info", "pass", "fail", "warning"};
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(store->db,
			       "INSERT INTO finding(clause_id, check_id, severity, text, evidence)"
			       " VALUES(?1,?2,?3,?4,?5)",
			       -1, &st, NULL) != SQLITE_OK)
		return dl_error_set(err, DL_EIO, "%s: %s", store->path, sqlite3_errmsg(store->db));
	sqlite3_bind_text(st, 1, clause_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, check_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, severity[f->severity <= FINDING_WARNING ? f->severity : 0], -1,
			  SQLITE_STATIC);
	sqlite3_bind_text(st, 4, f->text, -1, SQLITE_STATIC);
	bind_text_or_null(st, 5, f->evidence);
	int rc = 0;
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = dl_error_set(err, DL_EIO, "%s: %s", store->path, sqlite3_errmsg(store->db));
	sqlite3_finalize(st);
	return rc;
}

/* Judge one clause from its checks. Returns 1 if some collector it needs
 * has not finished yet (nothing written), 0 when the verdict is stored. */
static int judge_clause(struct store *store, const struct profile *profile, const char *clause_id,
			const char *checks_text, struct progress *p, struct dl_error *err)
{
	struct json_object *checks = json_tokener_parse(checks_text);
	if (!checks || !json_object_is_type(checks, json_type_array)) {
		json_object_put(checks);
		return dl_error_set(err, DL_EINVAL, "%s: plan of clause %s is not a JSON array",
				    store->path, clause_id);
	}
	size_t count = json_object_array_length(checks);
	enum verdict overall = VERDICT_NOT_APPLICABLE;
	struct json_object *results = json_object_new_array();
	struct check_verdict *verdicts = calloc(count ? count : 1, sizeof(*verdicts));
	const char **check_ids = calloc(count ? count : 1, sizeof(*check_ids));
	int rc = 0, pending = 0;
	if (!verdicts || !check_ids) {
		rc = dl_error_set(err, DL_ENOMEM, "out of memory judging clause %s", clause_id);
		goto out;
	}

	for (size_t i = 0; i < count && !rc && !pending; i++) {
		struct json_object *entry = json_object_array_get_idx(checks, i);
		struct json_object *id_object = NULL, *params_object = NULL;
		json_object_object_get_ex(entry, "check", &id_object);
		json_object_object_get_ex(entry, "params", &params_object);
		const char *check_id = json_object_get_string(id_object);
		check_ids[i] = check_id;
		struct check_verdict *v = &verdicts[i];
		const struct check *check = check_id ? check_find(check_id) : NULL;
		if (!check) {
			check_verdict_set(v, VERDICT_ERROR, "check '%s' is unknown to this dutlab",
					  check_id ? check_id : "(none)");
		} else {
			struct collector_state cs;
			rc = load_collector_state(store, check->collector->id, &cs, err);
			if (rc)
				break;
			if (strcmp(cs.state, "pending") == 0 || strcmp(cs.state, "running") == 0) {
				pending = 1;
			} else if (strcmp(cs.state, "unmet") == 0) {
				check_verdict_set(v, VERDICT_INCONCLUSIVE, "%s",
						  cs.error ? cs.error : "a need is unmet");
			} else if (strcmp(cs.state, "done") != 0) {
				check_verdict_set(v, VERDICT_ERROR, "%s: %s", check->collector->id,
						  cs.error ? cs.error
							   : "the collector did not finish");
			} else if (!check->judge) {
				check_verdict_set(v, VERDICT_ERROR, "error: %s is not built in",
						  check_id);
			} else {
				struct json_object *observation =
					json_tokener_parse(cs.observation ? cs.observation : "");
				struct check_param items[32];
				struct check_params params = {.items = items};
				if (params_object &&
				    json_object_is_type(params_object, json_type_object)) {
					json_object_object_foreach(params_object, key, value)
					{
						if (params.count < DL_ARRAY_SIZE(items))
							items[params.count++] =
								(struct check_param){
									key, json_object_get_string(
										     value)};
					}
				}
				struct dl_error judge_err = {0};
				if (!observation) {
					check_verdict_set(
						v, VERDICT_ERROR,
						"the stored observation of %s is not JSON",
						check->collector->id);
				} else if (check->judge(observation, &params, profile, v,
							&judge_err) != 0) {
					check_verdict_set(v, VERDICT_ERROR, "%s: %s", check_id,
							  judge_err.message);
				}
				json_object_put(observation);
			}
			collector_state_release(&cs);
		}
		if (!v->summary)
			check_verdict_set(v, v->verdict, "%s gave no summary", check_id);
		overall = combine(overall, v->verdict);
		struct json_object *r = json_object_new_object();
		json_object_object_add(r, "check",
				       json_object_new_string(check_id ? check_id : ""));
		json_object_object_add(r, "verdict",
				       json_object_new_string(verdict_name(v->verdict)));
		json_object_object_add(r, "summary",
				       json_object_new_string(v->summary ? v->summary : ""));
		json_object_array_add(results, r);
	}
	if (rc || pending)
		goto out;

	/* The clause summary: the deciding check's summary, prefixed by its id
	 * when several checks decide the clause. */
	char summary[2048] = "";
	for (size_t i = 0; i < count; i++) {
		if (verdicts[i].verdict != overall)
			continue;
		size_t used = strlen(summary);
		if (count > 1)
			snprintf(summary + used, sizeof(summary) - used, "%s%s: %s",
				 used ? "; " : "", check_ids[i], verdicts[i].summary);
		else
			snprintf(summary + used, sizeof(summary) - used, "%s", verdicts[i].summary);
	}
	if (count == 0)
		snprintf(summary, sizeof(summary), "no check cited");
	rc = write_clause_result(store, clause_id, overall, summary,
				 json_object_to_json_string_ext(results, JSON_C_TO_STRING_PLAIN),
				 err);
	if (!rc) {
		sqlite3_stmt *st = NULL;
		if (sqlite3_prepare_v2(store->db, "DELETE FROM finding WHERE clause_id=?1", -1, &st,
				       NULL) == SQLITE_OK) {
			sqlite3_bind_text(st, 1, clause_id, -1, SQLITE_STATIC);
			sqlite3_step(st);
		}
		sqlite3_finalize(st);
	}
	for (size_t i = 0; !rc && i < count; i++)
		for (size_t f = 0; !rc && f < verdicts[i].finding_count; f++)
			rc = insert_finding(store, clause_id, check_ids[i],
					    &verdicts[i].findings[f], err);
	if (!rc)
		progress_event(p, "clause", verdict_name(overall), clause_id, -1);
out:
	for (size_t i = 0; verdicts && i < count; i++)
		check_verdict_release(&verdicts[i]);
	free(verdicts);
	free(check_ids);
	json_object_put(results);
	json_object_put(checks);
	return rc ? rc : pending;
}

/* Judge every check-planned clause that has no verdict yet and whose
 * collectors have all finished. */
static int judge_ready_clauses(struct store *store, const struct profile *profile,
			       struct progress *p, struct dl_error *err)
{
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(
		    store->db,
		    "SELECT clause_id, checks FROM plan_item WHERE kind='check' AND clause_id"
		    " NOT IN (SELECT clause_id FROM clause_result) ORDER BY seq",
		    -1, &st, NULL) != SQLITE_OK)
		return dl_error_set(err, DL_EIO, "%s: %s", store->path, sqlite3_errmsg(store->db));
	/* Copy the rows first: judging writes to the tables we read. */
	char *ids[1024];
	char *checks[1024];
	size_t n = 0;
	while (n < DL_ARRAY_SIZE(ids) && sqlite3_step(st) == SQLITE_ROW) {
		ids[n] = text_dup((const char *)sqlite3_column_text(st, 0));
		checks[n] = text_dup((const char *)sqlite3_column_text(st, 1));
		n++;
	}
	sqlite3_finalize(st);
	int rc = 0;
	for (size_t i = 0; i < n; i++) {
		if (!rc && ids[i] && checks[i]) {
			int r = judge_clause(store, profile, ids[i], checks[i], p, err);
			if (r < 0)
				rc = r;
		}
		free(ids[i]);
		free(checks[i]);
	}
	return rc;
}

/* ---- the campaign loop ---- */

static const char *unmet_need(const struct collector *c, const struct profile *profile)
{
	if ((c->needs & NEED_DUT_ADDRESS) && profile->address_count == 0)
		return "needs at least one DUT address; the profile's dut.addresses is empty";
	if ((c->needs & NEED_TESTER_INTERFACE) && profile->scope.interface_count == 0)
		return "needs a tester interface; the profile's scope.interfaces is empty";
	if ((c->needs & NEED_DECLARED_SERVICES) && profile->service_count == 0)
		return "needs the vendor's declared services; the profile's services list is empty";
	if ((c->needs & NEED_LOGIN_ADAPTER) && profile->credential_count == 0)
		return "needs login credentials and a login adapter; the profile declares none";
	return NULL;
}

static int set_collector_state(struct store *store, const char *id, const char *state,
			       const char *observation, const char *error, int64_t duration_ms,
			       struct dl_error *err)
{
	char now[32];
	store_now(now, sizeof(now));
	sqlite3_stmt *st = NULL;
	const char *sql =
		strcmp(state, "running") == 0
			? "UPDATE collector_run SET state=?2, started_at=?5, observation=NULL,"
			  " error=NULL WHERE collector_id=?1"
			: "UPDATE collector_run SET state=?2, observation=?3, error=?4,"
			  " finished_at=?5, duration_ms=?6 WHERE collector_id=?1";
	if (sqlite3_prepare_v2(store->db, sql, -1, &st, NULL) != SQLITE_OK)
		return dl_error_set(err, DL_EIO, "%s: %s", store->path, sqlite3_errmsg(store->db));
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, state, -1, SQLITE_STATIC);
	if (strcmp(state, "running") != 0) {
		bind_text_or_null(st, 3, observation);
		bind_text_or_null(st, 4, error);
		sqlite3_bind_int64(st, 6, duration_ms);
	}
	sqlite3_bind_text(st, 5, now, -1, SQLITE_STATIC);
	int rc = 0;
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = dl_error_set(err, DL_EIO, "%s: recording collector %s: %s", store->path, id,
				  sqlite3_errmsg(store->db));
	sqlite3_finalize(st);
	return rc;
}

struct pending_collector {
	const struct collector *collector;
	char id[128];
};

static enum runner_progress resolve_mode(enum runner_progress mode)
{
	if (mode != PROGRESS_AUTO)
		return mode;
	return isatty(STDERR_FILENO) ? PROGRESS_BAR : PROGRESS_PLAIN;
}

static int finish_collector(struct store *store, const struct profile *profile,
			    const char *campaign_dir, const char *id, const char *state,
			    const char *observation, const char *error, int64_t duration_ms,
			    struct progress *p, struct dl_error *err)
{
	int rc = store_begin(store, err);
	if (rc)
		return rc;
	rc = set_collector_state(store, id, state, observation, error, duration_ms, err);
	if (!rc)
		rc = evidence_register_new(store, campaign_dir, id, err);
	if (!rc)
		rc = judge_ready_clauses(store, profile, p, err);
	if (rc) {
		store_rollback(store);
		return rc;
	}
	return store_commit(store, err);
}

int runner_run(struct store *store, const struct profile *profile, const char *campaign_dir,
	       const struct runner_options *options, struct dl_error *err)
{
	struct progress p = {.mode = resolve_mode(options->progress)};
	double scale = options->timeout_scale > 0 ? options->timeout_scale : 1.0;
	char evidence_dir[4200];
	snprintf(evidence_dir, sizeof(evidence_dir), "%s/evidence", campaign_dir);
	if (mkdir(evidence_dir, 0755) != 0 && errno != EEXIST)
		return dl_error_set(err, DL_EIO, "cannot create %s: %s", evidence_dir,
				    strerror(errno));

	/* A collector left 'running' was cut off by a crash: run it again. */
	int rc = store_exec(store, "UPDATE collector_run SET state='pending' WHERE state='running'",
			    err);
	if (!rc)
		rc = store_meta_set(store, "state", "running", err);
	if (rc)
		return rc;

	struct pending_collector pending[64];
	size_t pending_count = 0, finished_count = 0;
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(store->db,
			       "SELECT collector_id, state FROM collector_run ORDER BY seq", -1,
			       &st, NULL) != SQLITE_OK)
		return dl_error_set(err, DL_EIO, "%s: %s", store->path, sqlite3_errmsg(store->db));
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *id = (const char *)sqlite3_column_text(st, 0);
		const char *state = (const char *)sqlite3_column_text(st, 1);
		if (strcmp(state, "pending") != 0) {
			finished_count++;
			continue;
		}
		if (pending_count == DL_ARRAY_SIZE(pending))
			break;
		struct pending_collector *pc = &pending[pending_count++];
		text_copy(pc->id, sizeof(pc->id), id);
		pc->collector = collector_find(id);
	}
	sqlite3_finalize(st);

	struct sigaction action = {.sa_handler = on_stop_signal}, old_int, old_term;
	sigemptyset(&action.sa_mask);
	sigaction(SIGINT, &action, &old_int);
	sigaction(SIGTERM, &action, &old_term);
	stop_requested = 0;

	p.total = finished_count + pending_count;
	p.campaign_started_ns = monotonic_ns();
	struct check_context base = {
		.profile = profile,
		.scope = &profile->scope,
		.campaign_dir = campaign_dir,
		.evidence_dir = evidence_dir,
	};

	/* Clauses whose collectors all finished before a crash but were not
	 * judged yet. */
	rc = store_begin(store, err);
	if (!rc) {
		rc = judge_ready_clauses(store, profile, &p, err);
		if (rc)
			store_rollback(store);
		else
			rc = store_commit(store, err);
	}

	for (size_t i = 0; !rc && i < pending_count; i++) {
		const struct collector *c = pending[i].collector;
		p.index = finished_count + i + 1;
		p.collector_id = pending[i].id;
		p.done = p.units = 0;
		p.what[0] = '\0';
		p.started_ns = monotonic_ns();
		p.expected_seconds = c ? c->expected_seconds : 0;
		p.remaining_expected = 0;
		for (size_t k = i + 1; k < pending_count; k++)
			p.remaining_expected +=
				pending[k].collector ? pending[k].collector->expected_seconds : 0;

		const char *unmet = c ? unmet_need(c, profile) : NULL;
		if (!c || !c->collect || unmet) {
			char message[512];
			const char *state = "error";
			if (!c)
				snprintf(message, sizeof(message),
					 "collector '%s' is unknown to this dutlab", pending[i].id);
			else if (!c->collect)
				snprintf(message, sizeof(message), "error: %s is not built in",
					 c->id);
			else {
				snprintf(message, sizeof(message), "%s", unmet);
				state = "unmet";
			}
			progress_event(&p, "collector_end", state, message, 0);
			rc = finish_collector(store, profile, campaign_dir, pending[i].id, state,
					      NULL, message, 0, &p, err);
			continue;
		}

		rc = set_collector_state(store, c->id, "running", NULL, NULL, 0, err);
		if (rc)
			break;
		progress_event(&p, "collector_start", NULL, NULL, -1);
		int64_t deadline =
			p.started_ns + (int64_t)((double)c->timeout_seconds * scale * 1e9);
		char *observation = NULL;
		char message[2048] = "";
		enum child_outcome outcome = run_collector(c, &base, &p, deadline, &observation,
							   message, sizeof(message));
		int64_t duration_ms = (monotonic_ns() - p.started_ns) / 1000000;
		if (outcome == CHILD_INTERRUPTED) {
			set_collector_state(store, c->id, "pending", NULL, NULL, 0, NULL);
			progress_event(&p, "collector_end", "interrupted", message, duration_ms);
			rc = DL_EINTERRUPTED;
			break;
		}
		const char *state = outcome == CHILD_DONE ? "done" : "error";
		progress_event(&p, "collector_end", state, outcome == CHILD_DONE ? NULL : message,
			       duration_ms);
		rc = finish_collector(store, profile, campaign_dir, c->id, state, observation,
				      outcome == CHILD_DONE ? NULL : message, duration_ms, &p, err);
		free(observation);
		if (!rc && stop_requested)
			rc = DL_EINTERRUPTED;
	}

	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);

	if (rc == DL_EINTERRUPTED) {
		store_meta_set(store, "state", "interrupted", NULL);
		p.collector_id = NULL;
		progress_event(&p, "interrupted", NULL, campaign_dir, -1);
		return dl_error_set(
			err, DL_EINTERRUPTED,
			"stopped by the operator; every finished result is in %s/campaign.db;"
			" continue with 'dutlab run --resume %s'",
			campaign_dir, campaign_dir);
	}
	if (rc)
		return rc;
	char now[32];
	store_now(now, sizeof(now));
	rc = store_meta_set(store, "finished_at", now, err);
	if (!rc)
		rc = store_meta_set(store, "state", "finished", err);
	p.collector_id = NULL;
	if (!rc)
		progress_event(&p, "finished", NULL, campaign_dir, -1);
	return rc;
}
