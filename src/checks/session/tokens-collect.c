/* tokens-collect: the session.tokens collector: a thousand logins' session tokens, and the old
 * tokens presented again (IoT-1006-1 5.2.1.13) */
#include "core/compat.h"

#include <json-c/json.h>
#include <fcntl.h>
#include <pthread.h>
#include <unistd.h>

#include "adapters/login.h"
#include "checks/check.h"
#include "checks/session/session.h"
#include "checks/session/tokens.h"
#include "core/error.h"
#include "core/profile.h"
#include "net/sock.h"

/*
 * Per interface whose driver issues a session token (LOGIN_HAS_TOKEN):
 *   1. EXPIRY_SESSIONS sessions are opened, their tokens presented once
 *      (must be accepted) and left alone, never logged out;
 *   2. ORDERED logins one after the other, each token presented while its
 *      session lives (the control: the probe can see an accepted token),
 *      then logout, then presented again (must be refused): these tokens
 *      are also in issue order, for the sequence test;
 *   3. the rest of the sample (SESSION_TOKENS_DEFAULT in all) by WORKERS
 *      concurrent logins, each logged out at once so the DUT does not pile
 *      up sessions; with concurrent logins the list is in completion order;
 *   4. after the declared idle timeout plus a margin, counted from step 1,
 *      the expiry tokens are presented again (must be refused).
 * The judge (tokens-judge.c) analyses the tokens. Refused logins stop an
 * interface early: a thousand failures would lock the account.
 */

#define WORKERS 4
#define ORDERED 20
#define EXPIRY_SESSIONS 2
#define REFUSALS_MAX 3
#define UNREACHABLE_MAX 20
/* time kept back from the deadline for the expiry probes and the record */
#define RESERVE_NS (30LL * 1000000000LL)

struct tokens_job {
	const struct session_run *r;
	const struct profile_adapter *adapter;
	struct login_target target; /* read-only once the workers run */
	unsigned caps;
	pthread_mutex_t lock;
	size_t next, wanted;
	int64_t stop_at;
	char **tokens;
	size_t token_count;
	size_t attempts, accepted, refused, unreachable, change_required, no_token;
	size_t logout_ok, logout_failed;
	struct json_object *after_logout; /* array of {index, before, after} */
	const char *stopped;
	int rc;
	struct dl_error err;
};

/* One login of the sample: its token kept, the session logged out. */
static void one_login(struct tokens_job *j, size_t index, bool paired)
{
	const struct profile_credential *c = j->r->credential;
	struct login_response resp;
	struct login_session *session = NULL;
	struct dl_error err = {0};
	int rc = login_attempt(&j->target, c->username, c->password, &resp, &session, &err);
	char *token = NULL;
	struct json_object *pair = NULL;
	bool logged_out = false, logout_tried = false;
	if (rc == 0 && resp.outcome == LOGIN_ACCEPTED && session) {
		const char *t = login_session_token(session);
		if (t && t[0])
			token = strndup(t, TOKENS_MAX_LENGTH);
		struct login_response before, after, out;
		if (paired && token && (j->caps & LOGIN_HAS_TOKEN)) {
			pair = json_object_new_object();
			if (pair && login_token_probe(&j->target, token, &before, NULL) == 0)
				json_object_object_add(pair, "before",
						       session_response_json(&before));
		}
		if (j->caps & LOGIN_CAN_LOGOUT) {
			logout_tried = true;
			logged_out = login_logout(session, &out, NULL) == 0 &&
				     out.outcome != LOGIN_UNREACHABLE;
		}
		if (pair && logged_out && login_token_probe(&j->target, token, &after, NULL) == 0)
			json_object_object_add(pair, "after", session_response_json(&after));
	}
	login_session_close(session);

	pthread_mutex_lock(&j->lock);
	j->attempts++;
	if (rc < 0) {
		if (j->rc == 0) {
			j->rc = rc;
			j->err = err;
		}
	} else if (resp.outcome == LOGIN_ACCEPTED) {
		j->accepted++;
		if (token && j->token_count < j->wanted) {
			j->tokens[j->token_count++] = token;
			token = NULL;
		} else if (!token) {
			j->no_token++;
		}
	} else if (resp.outcome == LOGIN_REFUSED) {
		j->refused++;
	} else if (resp.outcome == LOGIN_CHANGE_REQUIRED) {
		j->change_required++;
	} else {
		j->unreachable++;
	}
	if (logout_tried) {
		if (logged_out)
			j->logout_ok++;
		else
			j->logout_failed++;
	}
	if (pair) {
		json_object_object_add(pair, "index", json_object_new_int64((int64_t)index));
		json_object_array_add(j->after_logout, pair);
		pair = NULL;
	}
	if (j->refused + j->change_required >= REFUSALS_MAX && !j->stopped)
		j->stopped = "stopped: the DUT refused the profile's credentials (more would lock "
			     "the account)";
	if (j->unreachable >= UNREACHABLE_MAX && j->unreachable * 10 > j->accepted && !j->stopped)
		j->stopped = "stopped: the interface stopped answering logins";
	pthread_mutex_unlock(&j->lock);
	json_object_put(pair);
	free(token);
}

/* The next index to log in for, or false when the sample is complete or
 * the job stopped. */
static bool take(struct tokens_job *j, size_t *index)
{
	pthread_mutex_lock(&j->lock);
	bool go = j->next < j->wanted && j->token_count < j->wanted && !j->stopped && j->rc == 0;
	if (go && sock_now_ns() >= j->stop_at) {
		j->stopped =
			"stopped: the collector's deadline came before the sample was complete";
		go = false;
	}
	if (go)
		*index = j->next++;
	pthread_mutex_unlock(&j->lock);
	return go;
}

static void *worker(void *arg)
{
	struct tokens_job *j = arg;
	size_t index;
	for (size_t n = 0; n < TOKENS_MAX_COUNT && take(j, &index); n++)
		one_login(j, index, false);
	return NULL;
}

/* Log in and keep the session for the expiry test: the token presented once
 * (the control), the session closed without logout. */
static struct json_object *open_expiry(struct tokens_job *j, char **token)
{
	const struct profile_credential *c = j->r->credential;
	struct login_response resp, before;
	struct login_session *session = NULL;
	*token = NULL;
	struct json_object *probe = json_object_new_object();
	if (!probe)
		return NULL;
	int rc = login_attempt(&j->target, c->username, c->password, &resp, &session, NULL);
	json_object_object_add(probe, "login", session_response_json(&resp));
	const char *t = rc == 0 && session ? login_session_token(session) : NULL;
	if (t && t[0]) {
		*token = strndup(t, TOKENS_MAX_LENGTH);
		if (*token && login_token_probe(&j->target, *token, &before, NULL) == 0)
			json_object_object_add(probe, "before", session_response_json(&before));
	}
	json_object_object_add(probe, "probed_at_ns", json_object_new_int64(sock_now_ns()));
	login_session_close(session); /* no logout: the session must expire by itself */
	return probe;
}

struct interface_run {
	struct tokens_job job;
	struct json_object *entry;
	struct json_object *expiry; /* {"tested", "probes": [...]} */
	char *expiry_tokens[EXPIRY_SESSIONS];
	int64_t expiry_due; /* when to present them again; 0: not tested */
	char transcript[SESSION_PATH_MAX + 64];
};

static int job_init(struct tokens_job *j, const struct session_run *r,
		    const struct profile_adapter *a, const char *transcript_path)
{
	memset(j, 0, sizeof(*j));
	j->adapter = a;
	j->caps = login_capabilities(a);
	j->wanted = SESSION_TOKENS_DEFAULT;
	j->tokens = calloc(j->wanted, sizeof(*j->tokens));
	j->after_logout = json_object_new_array();
	if (!j->tokens || !j->after_logout) {
		free(j->tokens);
		json_object_put(j->after_logout);
		memset(j, 0, sizeof(*j));
		return DL_ENOMEM;
	}
	pthread_mutex_init(&j->lock, NULL);
	j->r = r; /* set last: job_release destroys the lock only of a job made whole */
	session_target(r, a, NULL, NULL, 0, &j->target);
	j->target.transcript_path = transcript_path;
	return 0;
}

static void job_release(struct tokens_job *j)
{
	for (size_t i = 0; j->tokens && i < j->token_count; i++)
		free(j->tokens[i]);
	free(j->tokens);
	json_object_put(j->after_logout);
	if (j->r)
		pthread_mutex_destroy(&j->lock);
	memset(j, 0, sizeof(*j));
}

/* Steps 2 and 3 for one interface. */
static int collect_sample(struct interface_run *ir, uint64_t *done, uint64_t total,
			  struct dl_error *err)
{
	struct tokens_job *j = &ir->job;
	const struct session_run *r = j->r;
	int64_t t0 = sock_now_ns();
	size_t index;
	/* the ordered, paired logins write the transcript; the bulk does not */
	for (int n = 0; n < ORDERED && take(j, &index); n++) {
		one_login(j, index, true);
		char what[160];
		snprintf(what, sizeof(what), "%s: login %zu of %zu (ordered, paired probes)",
			 j->adapter->name, j->attempts, j->wanted);
		session_progress(r, *done + j->token_count, total, what);
	}
	j->target.transcript_path = NULL;
	pthread_t threads[WORKERS];
	size_t started = 0;
	for (size_t w = 0; w < WORKERS; w++)
		if (pthread_create(&threads[w], NULL, worker, j) == 0)
			started++;
		else
			break;
	if (started == 0)
		worker(j); /* no thread: one at a time */
	/* progress from this thread only: the callback is not thread-safe */
	for (int tick = 0; started > 0 && tick < 100000; tick++) {
		pthread_mutex_lock(&j->lock);
		bool running = j->next < j->wanted && j->token_count < j->wanted && !j->stopped &&
			       j->rc == 0;
		size_t have = j->token_count, attempts = j->attempts;
		pthread_mutex_unlock(&j->lock);
		char what[160];
		snprintf(what, sizeof(what), "%s: %zu tokens from %zu logins (%d concurrent)",
			 j->adapter->name, have, attempts, WORKERS);
		session_progress(r, *done + have, total, what);
		if (!running)
			break;
		struct timespec ts = {.tv_sec = 0, .tv_nsec = 500000000L};
		nanosleep(&ts, NULL);
	}
	for (size_t w = 0; w < started; w++)
		pthread_join(threads[w], NULL);
	double seconds = (double)(sock_now_ns() - t0) / 1e9;
	*done += j->wanted;
	if (j->rc)
		return dl_error_set(err, j->rc, "session.tokens: %s: %s", j->adapter->name,
				    j->err.message);
	struct json_object *e = ir->entry;
	struct json_object *list = json_object_new_array();
	struct json_object *logins = json_object_new_object();
	struct json_object *logout = json_object_new_object();
	if (!list || !logins || !logout) {
		json_object_put(list);
		json_object_put(logins);
		json_object_put(logout);
		return dl_error_set(err, DL_ENOMEM, "session.tokens: out of memory");
	}
	for (size_t i = 0; i < j->token_count; i++)
		json_object_array_add(list, json_object_new_string(j->tokens[i]));
	json_object_object_add(e, "tokens", list);
	json_object_object_add(e, "target", json_object_new_int64((int64_t)j->wanted));
	json_object_object_add(e, "ordered", json_object_new_int(ORDERED));
	json_object_object_add(e, "concurrency", json_object_new_int(WORKERS));
	json_object_object_add(logins, "attempts", json_object_new_int64((int64_t)j->attempts));
	json_object_object_add(logins, "accepted", json_object_new_int64((int64_t)j->accepted));
	json_object_object_add(logins, "refused", json_object_new_int64((int64_t)j->refused));
	json_object_object_add(logins, "unreachable",
			       json_object_new_int64((int64_t)j->unreachable));
	json_object_object_add(logins, "change_required",
			       json_object_new_int64((int64_t)j->change_required));
	json_object_object_add(logins, "no_token", json_object_new_int64((int64_t)j->no_token));
	json_object_object_add(e, "logins", logins);
	json_object_object_add(logout, "supported",
			       json_object_new_boolean((j->caps & LOGIN_CAN_LOGOUT) != 0));
	json_object_object_add(logout, "ok", json_object_new_int64((int64_t)j->logout_ok));
	json_object_object_add(logout, "failed", json_object_new_int64((int64_t)j->logout_failed));
	json_object_object_add(e, "logout", logout);
	json_object_object_add(e, "after_logout", json_object_get(j->after_logout));
	json_object_object_add(e, "duration_s", json_object_new_double(seconds));
	json_object_object_add(
		e, "tokens_per_second",
		json_object_new_double(seconds > 0 ? (double)j->token_count / seconds : 0.0));
	json_object_object_add(e, "stopped",
			       j->stopped ? json_object_new_string(j->stopped) : NULL);

	/* the tokens as evidence: dead sessions' identifiers only if logout worked */
	char path[SESSION_PATH_MAX + 64], relative[160];
	snprintf(path, sizeof(path), "%s/tokens-%s.txt", r->evidence_dir, j->adapter->name);
	snprintf(relative, sizeof(relative), "evidence/session/tokens-%s.txt", j->adapter->name);
	/* owner-only: the identifiers of sessions that may still be live */
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (!f && fd >= 0)
		close(fd);
	if (!f)
		return dl_error_set(err, DL_EIO, "session.tokens: cannot write %s: %s", path,
				    strerror(errno));
	fprintf(f,
		"# session tokens of %s (%s) in the order received, %zu; they name sessions "
		"that were %s\n",
		j->adapter->name, j->adapter->driver, j->token_count,
		(j->caps & LOGIN_CAN_LOGOUT) && j->logout_failed == 0
			? "logged out (dead if the DUT honours logout: see the verdict)"
			: "NOT all logged out: treat as live secrets until they expire");
	for (size_t i = 0; i < j->token_count; i++)
		fprintf(f, "%s\n", j->tokens[i]);
	if (fclose(f) != 0)
		return dl_error_set(err, DL_EIO, "session.tokens: cannot write %s", path);
	json_object_object_add(e, "evidence", json_object_new_string(relative));
	return 0;
}

static void expiry_not_tested(struct interface_run *ir, const char *why)
{
	json_object_object_add(ir->expiry, "tested", json_object_new_boolean(false));
	json_object_object_add(ir->expiry, "reason", json_object_new_string(why));
	ir->expiry_due = 0;
}

/* Step 1: sessions left to expire; expiry_due when they are presented again. */
static void open_expiry_sessions(struct interface_run *ir, unsigned idle)
{
	struct json_object *probes = json_object_new_array();
	if (!probes)
		return;
	json_object_object_add(ir->expiry, "probes", probes);
	json_object_object_add(ir->expiry, "idle_timeout", json_object_new_int((int)idle));
	int64_t last = 0;
	for (int i = 0; i < EXPIRY_SESSIONS; i++) {
		struct json_object *p = open_expiry(&ir->job, &ir->expiry_tokens[i]);
		if (!p)
			continue;
		json_object_array_add(probes, p);
		last = sock_now_ns();
	}
	ir->expiry_due = last + (int64_t)(idle + SESSION_IDLE_MARGIN_SECONDS) * 1000000000LL;
	json_object_object_add(ir->expiry, "tested", json_object_new_boolean(true));
}

/* Step 4. */
static void probe_expired(struct interface_run *ir, const struct session_run *r)
{
	if (ir->expiry_due == 0)
		return;
	struct json_object *probes = json_object_object_get(ir->expiry, "probes");
	if (!session_sleep_until(r, ir->expiry_due)) {
		expiry_not_tested(ir, "the collector's deadline came before the idle timeout ran "
				      "out");
		return;
	}
	int64_t now = sock_now_ns();
	for (size_t i = 0; i < json_object_array_length(probes) && i < EXPIRY_SESSIONS; i++) {
		struct json_object *p = json_object_array_get_idx(probes, i);
		struct login_response after;
		if (!ir->expiry_tokens[i] ||
		    login_token_probe(&ir->job.target, ir->expiry_tokens[i], &after, NULL) != 0)
			continue;
		json_object_object_add(p, "after", session_response_json(&after));
		struct json_object *at = json_object_object_get(p, "probed_at_ns");
		int64_t waited = (now - (at ? json_object_get_int64(at) : now)) / 1000000000LL;
		json_object_object_add(ir->expiry, "waited_s", json_object_new_int64(waited));
	}
}

static int collect_tokens(const struct check_context *ctx, struct json_object **observation,
			  struct dl_error *err)
{
	*observation = NULL;
	struct session_run r;
	int rc = session_run_init(&r, ctx, err);
	if (rc)
		return rc;
	const struct profile *p = ctx->profile;
	struct json_object *o = json_object_new_object();
	struct json_object *list = json_object_new_array();
	struct interface_run *runs = calloc(SESSION_ADAPTERS_MAX, sizeof(*runs));
	if (!o || !list || !runs) {
		json_object_put(o);
		json_object_put(list);
		free(runs);
		return dl_error_set(err, DL_ENOMEM, "session.tokens: out of memory");
	}
	json_object_object_add(o, "credential_role", json_object_new_string(r.credential->role));
	json_object_object_add(o, "interfaces", list);
	unsigned idle = p->auth.idle_timeout_seconds;
	uint64_t total = 0, done = 0;
	for (size_t i = 0; i < r.adapter_count && !rc; i++) {
		struct interface_run *ir = &runs[i];
		const struct profile_adapter *a = r.adapters[i];
		ir->entry = session_interface_json(a);
		if (!ir->entry) {
			rc = dl_error_set(err, DL_ENOMEM, "session.tokens: out of memory");
			break;
		}
		json_object_array_add(list, ir->entry);
		if (!(login_capabilities(a) & LOGIN_HAS_TOKEN)) {
			json_object_object_add(
				ir->entry, "skipped",
				json_object_new_string(
					"the driver issues no session token on this "
					"interface (the session is the connection, or "
					"each request carries the credentials)"));
			continue;
		}
		snprintf(ir->transcript, sizeof(ir->transcript), "%s/tokens-%s.log", r.evidence_dir,
			 a->name);
		if (job_init(&ir->job, &r, a, ir->transcript) != 0) {
			rc = dl_error_set(err, DL_ENOMEM, "session.tokens: out of memory");
			break;
		}
		const char *note = NULL;
		rc = session_credential_ready(&r, a, &note, err);
		if (rc && rc != DL_ENOMEM) {
			json_object_object_add(ir->entry, "error",
					       json_object_new_string(err->message));
			job_release(&ir->job);
			rc = 0;
			continue;
		}
		if (rc)
			break;
		if (note)
			json_object_object_add(ir->entry, "credential_note",
					       json_object_new_string(note));
		json_object_object_add(ir->entry, "credential_role",
				       json_object_new_string(r.credential->role));
		ir->expiry = json_object_new_object();
		if (!ir->expiry) {
			rc = dl_error_set(err, DL_ENOMEM, "session.tokens: out of memory");
			break;
		}
		json_object_object_add(ir->entry, "expiry", ir->expiry);
		total += ir->job.wanted;
		if (idle == 0)
			expiry_not_tested(ir,
					  "the profile declares no auth.idle_timeout, so dutlab "
					  "does not know when a session expires");
		else if (idle + SESSION_IDLE_MARGIN_SECONDS > SESSION_IDLE_WAIT_MAX_SECONDS)
			expiry_not_tested(ir,
					  "the declared auth.idle_timeout is longer than dutlab "
					  "waits (600 s)");
		else
			open_expiry_sessions(ir, idle);
	}
	for (size_t i = 0; i < r.adapter_count && !rc; i++) {
		struct interface_run *ir = &runs[i];
		if (!ir->job.r)
			continue;
		/* keep time for the expiry probes and the record */
		ir->job.stop_at = ctx->deadline_ns > 0 ? ctx->deadline_ns - RESERVE_NS : INT64_MAX;
		rc = collect_sample(ir, &done, total, err);
		if (rc && rc != DL_ENOMEM) {
			/* dutlab's own failure on this interface: said there, the others go on */
			json_object_object_add(ir->entry, "error",
					       json_object_new_string(err->message));
			rc = 0;
		}
	}
	for (size_t i = 0; i < r.adapter_count && !rc; i++) {
		session_progress(&r, done, total, "waiting for the expiry sessions' idle timeout");
		probe_expired(&runs[i], &r);
	}
	for (size_t i = 0; i < SESSION_ADAPTERS_MAX; i++) {
		for (int k = 0; k < EXPIRY_SESSIONS; k++)
			free(runs[i].expiry_tokens[k]);
		if (runs[i].job.r)
			job_release(&runs[i].job);
	}
	free(runs);
	if (rc) {
		json_object_put(o);
		return rc;
	}
	*observation = o;
	return 0;
}

const struct collector collector_session_tokens = {
	.id = "session.tokens",
	.summary = "1000 logins' session tokens per token interface, presented again after "
		   "logout and after the idle timeout",
	.needs = NEED_DUT_ADDRESS | NEED_LOGIN_ADAPTER,
	.timeout_seconds = 1200,
	.expected_seconds = 240,
	.collect = collect_tokens,
};
