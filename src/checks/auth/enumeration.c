/* enumeration: the auth.enumeration collector and checks: login errors must not tell valid users
 * (TS 5.4.1.2, IoT 5.1.1.2, 5.2.1.7) */
#include "core/compat.h"

#include <json-c/json.h>
#include <regex.h>
#include <sys/random.h>

#include "adapters/login.h"
#include "checks/auth/auth-internal.h"
#include "checks/auth/statistics.h"
#include "checks/check.h"
#include "core/error.h"
#include "core/json-read.h"
#include "core/profile.h"
#include "core/text.h"
#include "net/sock.h"

/*
 * TS-0014-1 5.4.1.2 / IoT-1006-1 5.1.1.2: authentication error messages
 * must not reveal valid user names. On every login adapter, SAMPLES logins
 * as (existing user, wrong password) and SAMPLES as (unknown user, wrong
 * password), interleaved so a drift of the DUT's load hits both alike. The
 * existing user is the test account (never the admin), paced: at most
 * threshold - 1 wrong tries, then a pause until the lockout's reset window
 * has passed since the last (bounded by the collector's deadline; a side
 * cut short is inconclusive). The unknown names have the test account's
 * length, so a length check does not tell them apart; each is used at most
 * threshold - 1 times.
 *
 * The judge compares the status codes, the normalised answers
 * (login_response.fingerprint) and the latencies (two-sided Mann-Whitney U).
 * IoT-1006-1 5.2.1.7 (error messages carry no exploitable data) reads the
 * same answers for stack traces, paths, SQL errors, internal addresses and
 * user names (auth.error-messages).
 */

#define SAMPLES 21 /* per side: the judge needs 20 answered */
#define UNKNOWN_NAMES_MAX 32
#define NAME_MAX_LENGTH 32

struct answer_count {
	char fingerprint[65];
	char excerpt[LOGIN_EXCERPT_MAX];
	int status;
	unsigned existing, unknown;
};

#define ANSWERS_MAX 64
#define SAMPLES_JUDGED_MAX 512 /* per side; an observation may come from a longer run */

static void unknown_name(char *buf, size_t length, unsigned serial)
{
	static const char letters[] = "abcdefghijklmnopqrstuvwxyz";
	uint8_t random[NAME_MAX_LENGTH];
	if (getrandom(random, sizeof(random), 0) != (ssize_t)sizeof(random))
		for (size_t i = 0; i < sizeof(random); i++)
			random[i] = (uint8_t)((uint64_t)sock_now_ns() >> (i % 8)) ^
				    (uint8_t)(serial * 31 + i);
	if (length < 4)
		length = 4;
	if (length > NAME_MAX_LENGTH - 1)
		length = NAME_MAX_LENGTH - 1;
	for (size_t i = 0; i < length; i++)
		buf[i] = letters[random[i] % 26];
	buf[length] = '\0';
}

static void add_answer(struct answer_count *answers, size_t *count, const struct login_response *r,
		       bool existing)
{
	for (size_t i = 0; i < *count; i++)
		if (strcmp(answers[i].fingerprint, r->fingerprint) == 0) {
			existing ? answers[i].existing++ : answers[i].unknown++;
			return;
		}
	if (*count >= ANSWERS_MAX)
		return;
	struct answer_count *a = &answers[(*count)++];
	memset(a, 0, sizeof(*a));
	text_copy(a->fingerprint, sizeof(a->fingerprint), r->fingerprint);
	text_copy(a->excerpt, sizeof(a->excerpt), r->excerpt);
	a->status = r->status;
	existing ? a->existing++ : a->unknown++;
}

/*
 * The test account's wrong tries over all adapters (one account serves
 * them all): at most tries_per_window, then either its right password
 * once, when the probe showed that a successful login clears the failure
 * counter on this DUT, or a pause until the window has passed since the
 * last of them (pam_faillock without an account-phase reset keeps its
 * records: only time is trusted then).
 */
struct enum_pace {
	unsigned since;  /* wrong tries since the counter was last cleared */
	int64_t last_ns; /* when the last one ended */
	unsigned pauses, clears;
	int64_t paused_ns;
	bool off;            /* this interface let the right password in after N failures */
	bool success_clears; /* the probe showed a right login clears the counter */
};

static int right_login(const struct login_target *t, const struct profile_credential *test,
		       enum login_outcome *outcome, struct dl_error *err)
{
	struct login_response resp;
	int rc = auth_attempt(t, test->username, test->password, &resp, NULL, err);
	*outcome = resp.outcome;
	return rc;
}

/* Make room for the next wrong try (t NULL: by waiting only). *ok is false
 * when the collector's budget or deadline does not allow the wait. */
static int pace_wait(const struct auth_run *r, const struct login_target *t,
		     const struct profile_credential *test, const struct auth_pacing *pacing,
		     struct enum_pace *pace, int64_t budget_end, bool *ok, struct dl_error *err)
{
	*ok = true;
	if (pace->off || pace->since < pacing->tries_per_window)
		return 0;
	if (pace->success_clears && t) {
		enum login_outcome outcome;
		int rc = right_login(t, test, &outcome, err);
		if (rc)
			return rc;
		if (outcome == LOGIN_ACCEPTED) {
			pace->clears++;
			pace->since = 0;
			return 0;
		}
		pace->success_clears = false; /* not so after all: time from here on */
		pace->last_ns = sock_now_ns();
	}
	int64_t until = pace->last_ns + (int64_t)pacing->window_seconds * 1000000000LL;
	int64_t before = sock_now_ns();
	if (until > budget_end || !auth_sleep_until(r, until)) {
		*ok = false;
		return 0;
	}
	pace->paused_ns += sock_now_ns() - before;
	pace->pauses++;
	pace->since = 0;
	return 0;
}

/* Locked: a right login every period + 5 s (a try may restart the lock), at
 * most 4; *unlocked when one was accepted. */
static int wait_unlocked(const struct auth_run *r, const struct login_target *t,
			 const struct profile_credential *test, const struct auth_pacing *pacing,
			 struct enum_pace *pace, bool *unlocked, struct dl_error *err)
{
	unsigned step = (pacing->period_seconds ? pacing->period_seconds : 60) + 5;
	*unlocked = false;
	for (int k = 0; k < 4 && !*unlocked; k++) {
		if (!auth_sleep_until(r, sock_now_ns() + (int64_t)step * 1000000000LL))
			break;
		enum login_outcome outcome;
		int rc = right_login(t, test, &outcome, err);
		if (rc)
			return rc;
		*unlocked = outcome == LOGIN_ACCEPTED;
		if (!*unlocked)
			pace->last_ns = sock_now_ns();
	}
	return 0;
}

/* n wrong tries of the test account; *answered false when one had no answer. */
static int wrong_tries(const struct login_target *t, const struct profile_credential *test,
		       unsigned n, struct enum_pace *pace, bool *answered, struct dl_error *err)
{
	for (unsigned i = 0; i < n; i++) {
		char wrong[64];
		snprintf(wrong, sizeof(wrong), "dutlab-probe-%u", i);
		struct login_response resp;
		int rc = auth_attempt(t, test->username, wrong, &resp, NULL, err);
		if (rc)
			return rc;
		*answered = *answered && resp.outcome != LOGIN_UNREACHABLE;
		pace->last_ns = sock_now_ns();
	}
	return 0;
}

/*
 * How to pace on this interface. threshold wrong tries of the test account,
 * then its right password: accepted, and there is no lockout to stay under
 * (the samples go unpaced); refused, and the account is locked (the test
 * account may be): wait until it opens. Then threshold - 1 wrong tries, the
 * right password, one more wrong try and the right one again: both
 * accepted means a successful login clears the counter, and the samples
 * clear it so instead of waiting out the window. With a lockout the profile
 * declares, the first half is skipped: auth.lockout measures it.
 */
static int probe_clears(const struct auth_run *r, const struct login_target *t,
			const struct profile_credential *test, const struct auth_pacing *pacing,
			struct enum_pace *pace, struct json_object *probe, struct dl_error *err);

static int probe_lockout(const struct auth_run *r, const struct login_target *t,
			 const struct profile_credential *test, const struct auth_pacing *pacing,
			 struct enum_pace *pace, struct json_object *o, struct dl_error *err)
{
	/* The previous interface's wrong tries first (one account). */
	bool ok = true;
	int rc = pace_wait(r, NULL, test, pacing, pace, INT64_MAX, &ok, err);
	pace->off = false;
	pace->success_clears = false;
	bool answered = true;
	enum login_outcome outcome = LOGIN_UNREACHABLE;
	bool unlocked = false;
	if (!rc && pacing->declared && pacing->threshold >= 2) {
		/* The profile declares the lockout, which auth.lockout measures:
		 * locking the account here as well would only cost its period.
		 * Learn whether a successful login clears the counter, from a
		 * counter a successful login has just cleared if it can. */
		rc = right_login(t, test, &outcome, err);
		if (rc)
			return rc;
		struct json_object *probe = json_object_new_object();
		json_object_object_add(o, "lockout_probe", probe);
		json_object_object_add(probe, "declared", json_object_new_boolean(true));
		json_object_object_add(probe, "threshold",
				       json_object_new_int((int)pacing->threshold));
		json_object_object_add(probe, "right_before",
				       json_object_new_string(login_outcome_name(outcome)));
		json_object_object_add(probe, "paced", json_object_new_boolean(true));
		pace->since = pacing->tries_per_window;
		if (outcome != LOGIN_ACCEPTED) {
			pace->last_ns = sock_now_ns();
			rc = wait_unlocked(r, t, test, pacing, pace, &unlocked, err);
			if (rc || !unlocked)
				return rc;
		}
		return probe_clears(r, t, test, pacing, pace, probe, err);
	}
	if (!rc)
		rc = wrong_tries(t, test, pacing->threshold, pace, &answered, err);
	if (!rc)
		rc = right_login(t, test, &outcome, err);
	if (rc)
		return rc;
	struct json_object *probe = json_object_new_object();
	json_object_object_add(o, "lockout_probe", probe);
	json_object_object_add(probe, "failures", json_object_new_int((int)pacing->threshold));
	json_object_object_add(probe, "right_after",
			       json_object_new_string(login_outcome_name(outcome)));
	pace->since = pacing->tries_per_window; /* nothing cleared yet */
	if (outcome == LOGIN_ACCEPTED) {
		pace->off = answered;
		json_object_object_add(probe, "paced", json_object_new_boolean(!pace->off));
		return 0;
	}
	pace->last_ns = sock_now_ns();
	int64_t locked_at = sock_now_ns();
	rc = wait_unlocked(r, t, test, pacing, pace, &unlocked, err);
	if (rc)
		return rc;
	json_object_object_add(probe, "paced", json_object_new_boolean(true));
	json_object_object_add(probe, "unlocked_after_s",
			       json_object_new_double((double)(sock_now_ns() - locked_at) / 1e9));
	if (!unlocked || pacing->threshold < 2)
		return 0;
	return probe_clears(r, t, test, pacing, pace, probe, err);
}

/* Does a successful login clear the counter? threshold - 1 wrong tries, the
 * right password, one more wrong try and the right one again. */
static int probe_clears(const struct auth_run *r, const struct login_target *t,
			const struct profile_credential *test, const struct auth_pacing *pacing,
			struct enum_pace *pace, struct json_object *probe, struct dl_error *err)
{
	bool answered = true, unlocked = false;
	int rc = 0;
	enum login_outcome first = LOGIN_UNREACHABLE, second = LOGIN_UNREACHABLE;
	rc = wrong_tries(t, test, pacing->threshold - 1, pace, &answered, err);
	if (!rc)
		rc = right_login(t, test, &first, err);
	if (!rc && first == LOGIN_ACCEPTED)
		rc = wrong_tries(t, test, 1, pace, &answered, err);
	if (!rc && first == LOGIN_ACCEPTED)
		rc = right_login(t, test, &second, err);
	if (rc)
		return rc;
	pace->success_clears = answered && first == LOGIN_ACCEPTED && second == LOGIN_ACCEPTED;
	json_object_object_add(probe, "success_clears",
			       json_object_new_boolean(pace->success_clears));
	if (pace->success_clears) {
		pace->since = 0;
		return 0;
	}
	pace->since = pacing->tries_per_window;
	if (first != LOGIN_ACCEPTED || second != LOGIN_ACCEPTED) {
		pace->last_ns = sock_now_ns();
		rc = wait_unlocked(r, t, test, pacing, pace, &unlocked, err);
	}
	return rc;
}

static int sample_adapter(const struct auth_run *r, const struct auth_pacing *pacing,
			  const struct profile_credential *test, const struct profile_adapter *a,
			  struct enum_pace *pace, int64_t budget_end, struct json_object *o,
			  struct dl_error *err)
{
	struct login_target t;
	char path[AUTH_PATH_MAX + 64], relative[256];
	auth_target(r, a, "enumeration", &t, path, sizeof(path), relative, sizeof(relative));
	json_object_object_add(o, "transcript", json_object_new_string(relative));

	size_t name_length = strlen(test->username);
	unsigned per_name = pacing->tries_per_window;
	size_t names = (SAMPLES + per_name - 1) / per_name;
	if (names > UNKNOWN_NAMES_MAX)
		names = UNKNOWN_NAMES_MAX;
	char unknown[UNKNOWN_NAMES_MAX][NAME_MAX_LENGTH];
	struct json_object *name_list = json_object_new_array();
	json_object_object_add(o, "unknown_users", name_list);
	for (size_t i = 0; i < names; i++) {
		unknown_name(unknown[i], name_length, (unsigned)i);
		if (strcmp(unknown[i], test->username) == 0)
			unknown[i][0] = unknown[i][0] == 'q' ? 'x' : 'q';
		json_object_array_add(name_list, json_object_new_string(unknown[i]));
	}
	struct answer_count *answers = calloc(ANSWERS_MAX, sizeof(*answers));
	if (!answers)
		return dl_error_set(err, DL_ENOMEM, "auth: out of memory");
	size_t answer_count = 0;
	struct json_object *existing = json_object_new_array();
	struct json_object *absent = json_object_new_array();
	json_object_object_add(o, "existing", existing);
	json_object_object_add(o, "unknown", absent);
	const char *stopped = NULL;
	int rc = probe_lockout(r, &t, test, pacing, pace, o, err);
	/* Pairs E U, U E, ...: a drift of the DUT's load hits both sides alike. */
	for (unsigned i = 0; i < SAMPLES && !rc && !stopped; i++) {
		for (int side = 0; side < 2 && !rc; side++) {
			bool is_existing = (i + (unsigned)side) % 2 == 0;
			if (is_existing) {
				bool ok = true;
				rc = pace_wait(r, &t, test, pacing, pace, budget_end, &ok, err);
				if (rc)
					break;
				if (!ok) {
					stopped =
						"the collector's time budget ran out while pacing "
						"the test account's wrong tries";
					break;
				}
			}
			char wrong[64];
			snprintf(wrong, sizeof(wrong), "dutlab-wrong-%u-%d", i, side);
			const char *user =
				is_existing ? test->username : unknown[(i / per_name) % names];
			struct login_response resp;
			rc = auth_attempt(&t, user, wrong, &resp, NULL, err);
			if (rc)
				break;
			if (is_existing) {
				pace->since++;
				pace->last_ns = sock_now_ns();
			}
			struct json_object *s = json_object_new_object();
			json_object_object_add(
				s, "outcome",
				json_object_new_string(login_outcome_name(resp.outcome)));
			json_object_object_add(s, "status", json_object_new_int(resp.status));
			json_object_object_add(s, "fingerprint",
					       json_object_new_string(resp.fingerprint));
			json_object_object_add(
				s, "latency_ms",
				json_object_new_double((double)resp.latency_ns / 1e6));
			if (resp.outcome == LOGIN_UNREACHABLE)
				json_object_object_add(s, "excerpt",
						       json_object_new_string(resp.excerpt));
			json_object_array_add(is_existing ? existing : absent, s);
			if (resp.outcome != LOGIN_UNREACHABLE)
				add_answer(answers, &answer_count, &resp, is_existing);
		}
		auth_progress(r, i, SAMPLES, a->name);
	}
	json_object_object_add(o, "stopped", stopped ? json_object_new_string(stopped) : NULL);
	struct json_object *list = json_object_new_array();
	json_object_object_add(o, "answers", list);
	for (size_t i = 0; i < answer_count; i++) {
		struct json_object *e = json_object_new_object();
		json_object_object_add(e, "fingerprint",
				       json_object_new_string(answers[i].fingerprint));
		json_object_object_add(e, "status", json_object_new_int(answers[i].status));
		json_object_object_add(e, "excerpt", json_object_new_string(answers[i].excerpt));
		json_object_object_add(e, "existing",
				       json_object_new_int((int)answers[i].existing));
		json_object_object_add(e, "unknown", json_object_new_int((int)answers[i].unknown));
		json_object_array_add(list, e);
	}
	free(answers);
	return rc;
}

static int collect_enumeration(const struct check_context *ctx, struct json_object **observation,
			       struct dl_error *err)
{
	*observation = NULL;
	struct auth_run r;
	int rc = auth_run_init(&r, ctx, err);
	if (rc)
		return rc;
	struct auth_pacing pacing;
	auth_pacing_from_profile(r.profile, &pacing);
	struct json_object *o = json_object_new_object();
	if (!o)
		return dl_error_set(err, DL_ENOMEM, "auth: out of memory");
	json_object_object_add(o, "version", json_object_new_int(1));
	json_object_object_add(o, "address", json_object_new_string(r.address));
	json_object_object_add(o, "samples_per_side", json_object_new_int(SAMPLES));
	json_object_object_add(o, "pacing", auth_pacing_json(&pacing));
	struct json_object *adapters = json_object_new_array();
	json_object_object_add(o, "adapters", adapters);
	const char *why = NULL;
	const struct profile_credential *test = auth_test_credential(r.profile, &why);
	if (!test) {
		json_object_object_add(o, "note", json_object_new_string(why));
		*observation = o;
		return 0;
	}
	json_object_object_add(o, "test_username", json_object_new_string(test->username));
	/* Leave a margin of the deadline for the last pause and the answer. */
	int64_t left = auth_time_left(&r);
	int64_t budget_end =
		left == INT64_MAX ? INT64_MAX : sock_now_ns() + left - 30 * 1000000000LL;
	struct enum_pace pace = {0};
	for (size_t i = 0; i < r.adapter_count && !rc; i++) {
		const struct profile_adapter *a = r.adapters[i];
		struct json_object *e = json_object_new_object();
		json_object_object_add(e, "name", json_object_new_string(a->name));
		json_object_object_add(e, "driver", json_object_new_string(a->driver));
		json_object_object_add(e, "port", json_object_new_int(a->port));
		json_object_object_add(
			e, "proto",
			json_object_new_string(a->service_proto ? a->service_proto : "tcp"));
		json_object_array_add(adapters, e);
		int64_t started = sock_now_ns();
		rc = sample_adapter(&r, &pacing, test, a, &pace, budget_end, e, err);
		json_object_object_add(
			e, "seconds",
			json_object_new_double((double)(sock_now_ns() - started) / 1e9));
	}
	if (rc) {
		json_object_put(o);
		return rc;
	}
	/* The test account ends with its failures cleared or expired, for the next check. */
	if (pace.since > 0 && !pace.off) {
		bool ok = true;
		pace.since = pacing.tries_per_window;
		rc = pace_wait(&r, NULL, test, &pacing, &pace, INT64_MAX, &ok, err);
	}
	if (rc) {
		json_object_put(o);
		return rc;
	}
	json_object_object_add(o, "pauses", json_object_new_int((int)pace.pauses));
	json_object_object_add(o, "clears", json_object_new_int((int)pace.clears));
	json_object_object_add(o, "paused_s", json_object_new_double((double)pace.paused_ns / 1e9));
	*observation = o;
	return 0;
}

/* ---- the judges ---- */

static void where(const struct json_object *a, char *buf, size_t size)
{
	snprintf(buf, size, "%s (%s, %s/%" PRId64 ")", json_read_text(a, "name", "?"),
		 json_read_text(a, "driver", "?"), json_read_text(a, "proto", "tcp"),
		 json_read_int(a, "port", 0));
}

static double sample_latency(const struct json_object *s)
{
	struct json_object *m = json_read_member(s, "latency_ms");
	return m ? json_object_get_double(m) : 0;
}

/* Samples with an answer (not unreachable) and their latencies. */
static size_t usable_samples(const struct json_object *array, double *latencies, size_t max)
{
	size_t n = 0;
	for (size_t i = 0; i < json_read_length(array) && n < max; i++) {
		struct json_object *s = json_object_array_get_idx(array, i);
		if (strcmp(json_read_text(s, "outcome", ""), "unreachable") == 0)
			continue;
		latencies[n++] = sample_latency(s);
	}
	return n;
}

/* How often value (a status, or a fingerprint) occurs among the usable samples. */
static size_t count_status(const struct json_object *array, int64_t status)
{
	size_t n = 0;
	for (size_t i = 0; i < json_read_length(array); i++) {
		struct json_object *s = json_object_array_get_idx(array, i);
		if (strcmp(json_read_text(s, "outcome", ""), "unreachable") != 0 &&
		    json_read_int(s, "status", -1) == status)
			n++;
	}
	return n;
}

/*
 * A value tells the groups apart when it is the answer to at least a
 * quarter of one group's attempts and to none of the other's: a difference
 * the DUT shows consistently, not a single glitch.
 */
static bool tells_apart(size_t in_one, size_t one_total, size_t in_other)
{
	return in_other == 0 && in_one > 0 && in_one * 4 >= one_total;
}

static int judge_adapter(const struct json_object *a, double alpha, struct check_verdict *out,
			 int *result, char *first, size_t first_size)
{
	char label[192];
	where(a, label, sizeof(label));
	const char *ev = json_read_text(a, "transcript", NULL);
	struct json_object *existing = json_read_array(a, "existing");
	struct json_object *unknown = json_read_array(a, "unknown");
	double le[SAMPLES_JUDGED_MAX], lu[SAMPLES_JUDGED_MAX];
	size_t ne = usable_samples(existing, le, DL_ARRAY_SIZE(le));
	size_t nu = usable_samples(unknown, lu, DL_ARRAY_SIZE(lu));
	int rc = 0;
	*result = 0; /* 0 pass, 1 fail, 2 inconclusive */
	if (ne < 20 || nu < 20) {
		*result = 2;
		snprintf(first, first_size,
			 "%s answered only %zu existing-user and %zu unknown-user attempts of 20 "
			 "needed each",
			 label, ne, nu);
		return check_verdict_add(out, FINDING_WARNING, ev, "%s", first);
	}
	char reason[1024] = "";
	const struct json_object *probe = json_read_object(a, "lockout_probe");
	if (probe && json_read_true(probe, "declared"))
		rc = check_verdict_add(
			out, FINDING_INFO, ev,
			"%s: the profile declares a lockout after %" PRId64
			" failures, so the test account's wrong tries were %s",
			label, json_read_int(probe, "threshold", 0),
			json_read_true(probe, "success_clears")
				? "paced: its right password after every few (it clears the "
				  "counter)"
				: "paced: a pause of the reset window after every few");
	else if (probe)
		rc = check_verdict_add(
			out, FINDING_INFO, ev,
			"%s: after %" PRId64
			" wrong passwords the test account's right one was %s, "
			"so its wrong tries were %s",
			label, json_read_int(probe, "failures", 0),
			json_read_text(probe, "right_after", "?"),
			!json_read_true(probe, "paced") ? "not paced (no lockout to stay under)"
			: json_read_true(probe, "success_clears")
				? "paced: the right one after every few (it clears the counter)"
				: "paced: a pause of the reset window after every few");
	/* Status codes. */
	for (int side = 0; side < 2 && !rc; side++) {
		struct json_object *one = side ? unknown : existing;
		struct json_object *other = side ? existing : unknown;
		size_t one_n = side ? nu : ne;
		for (size_t i = 0; i < json_read_length(one); i++) {
			struct json_object *s = json_object_array_get_idx(one, i);
			if (strcmp(json_read_text(s, "outcome", ""), "unreachable") == 0)
				continue;
			int64_t status = json_read_int(s, "status", -1);
			size_t c1 = count_status(one, status), c2 = count_status(other, status);
			if (tells_apart(c1, one_n, c2)) {
				*result = 1;
				snprintf(reason, sizeof(reason),
					 "%s answers %s users with status %" PRId64
					 " (%zu of %zu) and %s users never",
					 label, side ? "unknown" : "existing", status, c1, one_n,
					 side ? "existing" : "unknown");
				if (!first[0])
					text_copy(first, first_size, reason);
				rc = check_verdict_add(out, FINDING_FAIL, ev, "%s", reason);
				break;
			}
		}
	}
	/* Normalised answers. */
	struct json_object *answers = json_read_array(a, "answers");
	size_t distinct = json_read_length(answers);
	if (!rc && distinct * 10 >= (ne + nu) * 9 && distinct > 2) {
		if (*result == 0)
			*result = 2;
		snprintf(reason, sizeof(reason),
			 "%s gave %zu different answers to %zu attempts: they vary with every "
			 "attempt beyond the normalisation, so their content cannot be compared",
			 label, distinct, ne + nu);
		rc = check_verdict_add(out, FINDING_WARNING, ev, "%s", reason);
	} else {
		for (size_t i = 0; i < distinct && !rc; i++) {
			struct json_object *e = json_object_array_get_idx(answers, i);
			size_t ce = (size_t)json_read_int(e, "existing", 0);
			size_t cu = (size_t)json_read_int(e, "unknown", 0);
			bool for_existing = tells_apart(ce, ne, cu);
			if (!for_existing && !tells_apart(cu, nu, ce))
				continue;
			/* The other side's most common answer, as the contrast. */
			const char *contrast = "";
			size_t best = 0;
			for (size_t k = 0; k < distinct; k++) {
				struct json_object *f = json_object_array_get_idx(answers, k);
				size_t c = (size_t)json_read_int(
					f, for_existing ? "unknown" : "existing", 0);
				if (c > best) {
					best = c;
					contrast = json_read_text(f, "excerpt", "");
				}
			}
			*result = 1;
			snprintf(reason, sizeof(reason),
				 "%s answers %s users differently (%zu of %zu attempts): '%.120s' "
				 "against '%.120s'",
				 label, for_existing ? "existing" : "unknown",
				 for_existing ? ce : cu, for_existing ? ne : nu,
				 json_read_text(e, "excerpt", ""), contrast);
			if (!first[0])
				text_copy(first, first_size, reason);
			rc = check_verdict_add(out, FINDING_FAIL, ev, "%s", reason);
		}
	}
	if (rc)
		return rc;
	/* Latencies. */
	struct statistics_mann_whitney mw;
	struct dl_error e = {0};
	double me = 0, mu = 0;
	if (statistics_mann_whitney(le, ne, lu, nu, &mw, &e) != 0 ||
	    statistics_median(le, ne, &me, &e) != 0 || statistics_median(lu, nu, &mu, &e) != 0)
		return check_verdict_add(out, FINDING_WARNING, ev, "%s: %s", label, e.message);
	bool timing = mw.p < alpha;
	char text[512];
	snprintf(text, sizeof(text),
		 "%s: latency of %zu existing-user vs %zu unknown-user failures: median %.1f ms vs "
		 "%.1f ms, Mann-Whitney U = %.1f, two-sided p = %.3g (%s %.3g)",
		 label, ne, nu, me, mu, mw.u1, mw.p, timing ? "below" : "not below", alpha);
	if (timing) {
		*result = 1;
		rc = check_verdict_add(out, FINDING_FAIL, ev, "%s", text);
	} else {
		rc = check_verdict_add(out, *result == 0 ? FINDING_PASS : FINDING_INFO, ev, "%s",
				       text);
	}
	if (!rc && *result == 1 && !first[0])
		text_copy(first, first_size, text);
	if (!rc && *result == 0)
		snprintf(first, first_size,
			 "%s: the same status and answer for existing and unknown users "
			 "(%zu + %zu attempts), latency p = %.3g",
			 label, ne, nu, mw.p);
	if (!rc && *result == 2 && !first[0])
		text_copy(first, first_size, reason);
	(void)reason;
	return rc;
}

static int judge_enumeration(const struct json_object *observation,
			     const struct check_params *params, const struct profile *profile,
			     struct check_verdict *out, struct dl_error *err)
{
	(void)profile;
	struct json_object *adapters = json_read_array(observation, "adapters");
	if (!adapters)
		return dl_error_set(err, DL_EINVAL,
				    "auth.enumeration: the observation lacks adapters");
	/* alpha_milli: the p-value under which latencies differ, in thousandths. */
	long alpha_milli = 10;
	const char *alpha_text = check_param_get(params, "alpha_milli", "10");
	if (text_parse_long(alpha_text, 1, 500, &alpha_milli) != 0)
		return dl_error_set(
			err, DL_EINVAL,
			"auth.enumeration: alpha_milli '%s' is not 1..500 (thousandths)",
			alpha_text);
	const char *note = json_read_text(observation, "note", NULL);
	if (note)
		return check_verdict_set(out, VERDICT_MANUAL, "%s; compare the answers by hand",
					 note);
	size_t n = json_read_length(adapters);
	if (n == 0)
		return check_verdict_set(out, VERDICT_NOT_APPLICABLE,
					 "the profile declares no login adapter");
	double alpha = (double)alpha_milli / 1000.0;
	size_t fails = 0, inconclusive = 0;
	char first_fail[512] = "", first_other[512] = "";
	int rc = 0;
	for (size_t i = 0; i < n && !rc; i++) {
		int result = 0;
		char first[512] = "";
		rc = judge_adapter(json_object_array_get_idx(adapters, i), alpha, out, &result,
				   first, sizeof(first));
		if (result == 1 && fails++ == 0)
			text_copy(first_fail, sizeof(first_fail), first);
		if (result == 2 && inconclusive++ == 0)
			text_copy(first_other, sizeof(first_other), first);
		if (result == 0 && n == 1)
			text_copy(first_other, sizeof(first_other), first);
	}
	if (rc)
		return rc;
	if (fails)
		return check_verdict_set(out, VERDICT_FAIL, "%s%s", first_fail,
					 fails > 1 ? " (and more: see the findings)" : "");
	if (inconclusive)
		return check_verdict_set(out, VERDICT_INCONCLUSIVE, "%s", first_other);
	if (n == 1)
		return check_verdict_set(out, VERDICT_PASS, "%s", first_other);
	return check_verdict_set(out, VERDICT_PASS,
				 "every interface (%zu) gave existing and unknown users the same "
				 "status and answer, and no latency difference at p < %.3g",
				 n, alpha);
}

/* What an error message must not carry (IoT-1006-1 5.2.1.7). */
static const struct leak_pattern {
	const char *kind;
	const char *regex;
} leak_patterns[] = {
	{"a stack trace", "Traceback \\(most recent call last\\)|at "
			  "[A-Za-z0-9_.$]+\\([A-Za-z0-9_]+\\.java:[0-9]+\\)|"
			  "[Ee]xception in thread|Stack trace:|#[0-9]+ /[^ ]+\\.php\\([0-9]+\\)"},
	{"a source or file-system path",
	 "(/var/www|/usr/(local/)?(lib|share|src)|/home/[a-z_][a-z0-9_-]*|/opt/[A-Za-z]|/srv/|"
	 "/etc/[a-z]|[A-Z]:\\\\\\\\)[A-Za-z0-9_./\\\\-]*"},
	{"an SQL error", "SQL syntax|SQLSTATE|ORA-[0-9]{5}|sqlite3?\\.|PG::|psql:|mysql_fetch|"
			 "unterminated quoted string|Unclosed quotation mark"},
	{"an internal address",
	 "(^|[^0-9.])(10\\.[0-9]{1,3}|172\\.(1[6-9]|2[0-9]|3[01])|192\\.168|127\\.0)"
	 "\\.[0-9]{1,3}\\.[0-9]{1,3}([^0-9.]|$)"},
	{"a program's debug output",
	 "Fatal error:|Warning: [a-z_]+\\(\\)|on line [0-9]+|[Ss]egmentation fault"},
};

static int judge_error_messages(const struct json_object *observation,
				const struct check_params *params, const struct profile *profile,
				struct check_verdict *out, struct dl_error *err)
{
	(void)params;
	struct json_object *adapters = json_read_array(observation, "adapters");
	if (!adapters)
		return dl_error_set(err, DL_EINVAL,
				    "auth.error-messages: the observation lacks adapters");
	const char *note = json_read_text(observation, "note", NULL);
	if (note)
		return check_verdict_set(out, VERDICT_MANUAL,
					 "%s; review the error messages by hand", note);
	size_t n = json_read_length(adapters);
	if (n == 0)
		return check_verdict_set(out, VERDICT_NOT_APPLICABLE,
					 "the profile declares no login adapter");
	regex_t compiled[DL_ARRAY_SIZE(leak_patterns)];
	for (size_t p = 0; p < DL_ARRAY_SIZE(leak_patterns); p++)
		if (regcomp(&compiled[p], leak_patterns[p].regex, REG_EXTENDED | REG_NOSUB) != 0) {
			for (size_t k = 0; k < p; k++)
				regfree(&compiled[k]);
			return dl_error_set(err, DL_EINVAL,
					    "auth.error-messages: pattern %zu does not compile", p);
		}
	const char *test_user = json_read_text(observation, "test_username", NULL);
	const char *dut_address = json_read_text(observation, "address", "");
	size_t leaks = 0, answers_seen = 0;
	char first[512] = "", label[192];
	int rc = 0;
	for (size_t i = 0; i < n && !rc; i++) {
		struct json_object *a = json_object_array_get_idx(adapters, i);
		where(a, label, sizeof(label));
		struct json_object *answers = json_read_array(a, "answers");
		for (size_t k = 0; k < json_read_length(answers) && !rc; k++) {
			struct json_object *e = json_object_array_get_idx(answers, k);
			const char *excerpt = json_read_text(e, "excerpt", "");
			answers_seen++;
			const char *kind = NULL;
			for (size_t p = 0; p < DL_ARRAY_SIZE(leak_patterns) && !kind; p++)
				if (regexec(&compiled[p], excerpt, 0, NULL, 0) == 0)
					kind = leak_patterns[p].kind;
			/* The DUT's own address is no secret; a valid user name is. */
			if (kind && strcmp(kind, "an internal address") == 0 && *dut_address &&
			    strstr(excerpt, dut_address))
				kind = NULL;
			if (!kind && test_user && strlen(test_user) >= 3 &&
			    json_read_int(e, "unknown", 0) == 0 && strstr(excerpt, test_user))
				kind = "the valid user name";
			if (!kind)
				continue;
			leaks++;
			char text[512];
			snprintf(text, sizeof(text), "%s's login error answer carries %s: '%.200s'",
				 label, kind, excerpt);
			if (!first[0])
				text_copy(first, sizeof(first), text);
			rc = check_verdict_add(out, FINDING_FAIL,
					       json_read_text(a, "transcript", NULL), "%s", text);
		}
	}
	for (size_t p = 0; p < DL_ARRAY_SIZE(leak_patterns); p++)
		regfree(&compiled[p]);
	if (rc)
		return rc;
	(void)profile;
	if (leaks)
		return check_verdict_set(out, VERDICT_FAIL, "%s%s", first,
					 leaks > 1 ? " (and more: see the findings)" : "");
	/* Login errors are some of the product's error messages, not all. */
	return check_verdict_set(
		out, VERDICT_MANUAL,
		"the %zu distinct login error answers of %zu interfaces carry no "
		"stack trace, path, SQL error, internal address or user name; the "
		"product's other error messages (malformed requests, invalid paths, "
		"bad parameters) are for a person to review",
		answers_seen, n);
}

static const char *const enumeration_params[] = {"alpha_milli", NULL};

const struct collector collector_auth_enumeration = {
	.id = "auth.enumeration",
	.summary = "21 wrong-password logins as an existing and 21 as unknown users on every login "
		   "adapter, interleaved: status, normalised answer, latency",
	.needs = NEED_DUT_ADDRESS | NEED_LOGIN_ADAPTER,
	/* Paced by the lockout: 21 wrong tries of one account at 4 a minute are
	 * about 6 minutes per interface on a DUT that locks after 5 in 60 s. */
	.timeout_seconds = 1800,
	.expected_seconds = 720,
	.collect = collect_enumeration,
};

const struct check check_auth_enumeration = {
	.id = "auth.enumeration",
	.summary = "login errors do not tell existing from unknown users by status, answer or "
		   "timing (TS 5.4.1.2, IoT 5.1.1.2)",
	.collector = &collector_auth_enumeration,
	.params = enumeration_params,
	.judge = judge_enumeration,
};

const struct check check_auth_error_messages = {
	.id = "auth.error-messages",
	.summary = "login error answers carry no stack trace, path, SQL error, internal address "
		   "or user name (IoT 5.2.1.7; other errors manual)",
	.collector = &collector_auth_enumeration,
	.params = NULL,
	.judge = judge_error_messages,
};
