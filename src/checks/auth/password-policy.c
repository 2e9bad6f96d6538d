/* password-policy: the auth.password-policy collector: a battery of one-defect password changes
 * on the test account, the lifetime steps, and the restore */
#include "core/compat.h"

#include <ctype.h>
#include <json-c/json.h>
#include <regex.h>
#include <sys/stat.h>

#include "adapters/exec.h"
#include "adapters/login.h"
#include "checks/auth/auth-internal.h"
#include "checks/auth/password-policy.h"
#include "checks/check.h"
#include "core/error.h"
#include "core/profile.h"

/*
 * TS-0014-1 5.4.2.2/3/5/6 and IoT-1006-1 5.1.1.7, 5.1.3.1 (the judges are
 * in password-judges.c). Through login_change_password on the profile's
 * test account (auth.test_credential, never the admin) we try passwords
 * each compliant except for one defect, then a compliant control that must
 * be accepted: the weak ones first, while the account is in its delivered
 * state, so a refusal is the policy's and not the minimum age's.
 *
 * Every accepted change moves the current password, which we track
 * exactly; before the next change the profile's age_password operation (if
 * declared) moves the last change back past the minimum age. At the end
 * the account gets the profile's password back: restore_password if
 * declared (a history or minimum age refuses a change back), else a change.
 * If even that fails the password it was left with is written to
 * CAMPAIGN/auth-test-password-left (0600) and the observation says so.
 */

#define BATTERY_HISTORY_MAX 8
#define BATTERY_SET_MAX 64
#define COMPLIANT_LENGTH 16
/* Time kept for the restore at the end: the battery stops before it. */
#define RESTORE_RESERVE_NS (60 * 1000000000LL)
#define ALL_CLASSES (AUTH_CLASS_LOWER | AUTH_CLASS_UPPER | AUTH_CLASS_DIGIT | AUTH_CLASS_SYMBOL)
/* What a login says inside the expiry warning window. */
#define REMINDER_PATTERN                                                                           \
	"expir|change (your|the) password|password (will|must) be changed|過期|到期"

struct battery {
	struct auth_run run;
	struct login_target target;
	char transcript[AUTH_PATH_MAX];
	char transcript_relative[AUTH_PATH_MAX];
	const struct profile_credential *credential;
	char current[AUTH_PASSWORD_MAX];
	/* every password dutlab tried or set, so none is generated twice and
	 * each is masked in what the DUT says */
	char used[BATTERY_SET_MAX][AUTH_PASSWORD_MAX];
	size_t used_count;
	/* the accepted ones, oldest first (the history test reuses them) */
	char accepted[BATTERY_SET_MAX][AUTH_PASSWORD_MAX];
	size_t accepted_count;
	bool can_age;
	bool out_of_time; /* the battery stopped to keep time for the restore */
	bool needs_age;   /* a change was accepted since the last ageing */
	unsigned operation_runs;
	struct json_object *attempts;
	struct json_object *operations;
	uint64_t step, steps;
};

static void mask_in(char *text, const char *secret)
{
	size_t n = secret ? strlen(secret) : 0;
	if (n < 3)
		return;
	for (char *hit = strstr(text, secret); hit; hit = strstr(hit + 3, secret)) {
		memcpy(hit, "***", 3);
		memmove(hit + 3, hit + n, strlen(hit + n) + 1);
	}
}

/* What the DUT said, with every password we know replaced by ***. */
static void mask_all(const struct battery *b, char *text)
{
	mask_in(text, b->credential->password);
	for (size_t i = 0; i < b->used_count; i++)
		mask_in(text, b->used[i]);
}

static const char *remember(struct battery *b, const char *password)
{
	for (size_t i = 0; i < b->used_count; i++)
		if (strcmp(b->used[i], password) == 0)
			return b->used[i];
	if (b->used_count >= BATTERY_SET_MAX)
		return NULL;
	snprintf(b->used[b->used_count], AUTH_PASSWORD_MAX, "%s", password);
	return b->used[b->used_count++];
}

static int generate(struct battery *b, unsigned classes, size_t length, char *out)
{
	const char *avoid[BATTERY_SET_MAX + 1];
	for (size_t i = 0; i < b->used_count; i++)
		avoid[i] = b->used[i];
	avoid[b->used_count] = b->credential->password;
	int rc = auth_password_generate(classes, length, b->credential->username, avoid,
					b->used_count + 1, out, AUTH_PASSWORD_MAX);
	if (rc == 0)
		remember(b, out);
	return rc;
}

/* Run an exec operation of the profile on the test account. */
static int run_operation(struct battery *b, const char *operation, bool *ok, struct dl_error *err)
{
	*ok = false;
	char path[AUTH_PATH_MAX], relative[AUTH_PATH_MAX];
	unsigned n = ++b->operation_runs;
	int w = snprintf(path, sizeof(path), "%s/password-policy-%s-%u.log", b->run.evidence_dir,
			 operation, n);
	if (w < 0 || (size_t)w >= sizeof(path))
		return dl_error_set(err, DL_EINVAL, "auth.password-policy: evidence path too long");
	snprintf(relative, sizeof(relative), "evidence/auth/password-policy-%s-%u.log", operation,
		 n);
	struct adapter_exec_vars vars = {
		.address = b->run.address,
		.username = b->credential->username,
		.password = b->credential->password,
		.campaign = b->run.ctx->campaign_dir,
	};
	struct adapter_exec_result res;
	int rc = adapter_exec_run(b->run.profile, operation, &vars, path, b->run.ctx->deadline_ns,
				  &res, err);
	if (rc)
		return rc;
	*ok = !res.timed_out && res.exit_status == 0;
	struct json_object *o = json_object_new_object();
	json_object_object_add(o, "operation", json_object_new_string(operation));
	json_object_object_add(o, "exit_status", json_object_new_int(res.exit_status));
	json_object_object_add(o, "timed_out", json_object_new_boolean(res.timed_out));
	json_object_object_add(o, "transcript", json_object_new_string(relative));
	json_object_array_add(b->operations, o);
	return 0;
}

static void progress(struct battery *b, const char *what)
{
	auth_progress(&b->run, b->step++, b->steps, what);
}

/*
 * One change from the current password to candidate, recorded as an
 * attempt of test with the extra members in meta (taken over). With age
 * the last change is moved back first when one was accepted since.
 */
static int try_change(struct battery *b, const char *test, const char *candidate,
		      struct json_object *meta, bool age, enum login_outcome *outcome,
		      struct dl_error *err)
{
	bool aged = false;
	if (strcmp(test, "restore") != 0 && auth_time_left(&b->run) < RESTORE_RESERVE_NS) {
		b->out_of_time = true;
		*outcome = LOGIN_UNREACHABLE;
		json_object_put(meta);
		return 0;
	}
	if (age && b->needs_age && b->can_age) {
		bool ok = false;
		int rc = run_operation(b, AUTH_OP_AGE, &ok, err);
		if (rc) {
			json_object_put(meta);
			return rc;
		}
		aged = ok;
		b->needs_age = !ok;
	}
	char what[96];
	snprintf(what, sizeof(what), "change password: %s", test);
	progress(b, what);
	remember(b, candidate);
	struct login_response resp;
	memset(&resp, 0, sizeof(resp));
	int rc = login_change_password(&b->target, b->credential->username, b->current, candidate,
				       &resp, err);
	if (rc == DL_ETIMEDOUT) {
		json_object_put(meta);
		return rc;
	}
	if (rc) {
		/* dutlab's own failure on this attempt: recorded, the battery goes on */
		resp.outcome = LOGIN_UNREACHABLE;
		snprintf(resp.excerpt, sizeof(resp.excerpt), "dutlab: %.200s", err->message);
		dl_error_clear(err);
	}
	bool checked = false;
	if (resp.outcome == LOGIN_UNREACHABLE) {
		/* the answer was lost, not necessarily the change: does the
		 * candidate log in now? Then it is the current password. */
		struct login_response probe;
		memset(&probe, 0, sizeof(probe));
		rc = auth_attempt(&b->target, b->credential->username, candidate, &probe, NULL,
				  err);
		if (rc) {
			json_object_put(meta);
			return rc;
		}
		checked = true;
		if (probe.outcome == LOGIN_ACCEPTED || probe.outcome == LOGIN_CHANGE_REQUIRED)
			resp.outcome = LOGIN_ACCEPTED;
	}
	mask_all(b, resp.excerpt);
	mask_all(b, resp.warning);
	struct json_object *a = meta ? meta : json_object_new_object();
	if (checked)
		json_object_object_add(a, "answer_lost",
				       json_object_new_string(resp.outcome == LOGIN_ACCEPTED
								      ? "the new password logs in"
								      : "the new password does not "
									"log in"));
	json_object_object_add(a, "test", json_object_new_string(test));
	json_object_object_add(a, "length", json_object_new_int((int)strlen(candidate)));
	json_object_object_add(a, "classes",
			       json_object_new_int((int)auth_password_classes(candidate)));
	json_object_object_add(a, "outcome",
			       json_object_new_string(login_outcome_name(resp.outcome)));
	json_object_object_add(a, "excerpt", json_object_new_string(resp.excerpt));
	json_object_object_add(a, "warning", json_object_new_string(resp.warning));
	json_object_object_add(a, "aged_before", json_object_new_boolean(aged));
	json_object_object_add(a, "latency_ms", json_object_new_int64(resp.latency_ns / 1000000));
	json_object_array_add(b->attempts, a);
	*outcome = resp.outcome;
	if (resp.outcome == LOGIN_ACCEPTED) {
		snprintf(b->current, sizeof(b->current), "%s", candidate);
		if (b->accepted_count < BATTERY_SET_MAX)
			snprintf(b->accepted[b->accepted_count++], AUTH_PASSWORD_MAX, "%s",
				 candidate);
		b->needs_age = true;
		auth_test_passwords_append(b->run.ctx->campaign_dir, candidate);
	}
	return 0;
}

static int try_generated(struct battery *b, const char *test, unsigned classes, size_t length,
			 struct json_object *meta, enum login_outcome *outcome,
			 struct dl_error *err)
{
	char candidate[AUTH_PASSWORD_MAX];
	if (generate(b, classes, length, candidate)) {
		json_object_put(meta);
		return dl_error_set(err, DL_EIO,
				    "auth.password-policy: cannot generate a %zu-character test "
				    "password",
				    length);
	}
	return try_change(b, test, candidate, meta, true, outcome, err);
}

/* A compliant password with a run of the user name put in the middle. */
static int try_user_run(struct battery *b, size_t from, bool swap_case, struct dl_error *err)
{
	const char *user = b->credential->username;
	char run[4];
	for (size_t i = 0; i < 3; i++) {
		unsigned char c = (unsigned char)user[from + i];
		run[i] = (char)(swap_case ? (islower(c) ? toupper(c) : tolower(c)) : c);
	}
	run[3] = '\0';
	/* exactly 3: the neighbours must not extend the run to 4 characters of
	 * the name, which a DUT checking only longer runs would refuse */
	char out[AUTH_PASSWORD_MAX];
	bool made = false;
	for (int tries = 0; tries < 64 && !made; tries++) {
		char candidate[AUTH_PASSWORD_MAX];
		if (generate(b, ALL_CLASSES, COMPLIANT_LENGTH - 3, candidate))
			break;
		size_t mid = (COMPLIANT_LENGTH - 3) / 2;
		int w = snprintf(out, sizeof(out), "%.*s%s%s", (int)mid, candidate, run,
				 candidate + mid);
		made = w > 0 && (size_t)w < sizeof(out) &&
		       !auth_password_has_user_run(out, user, 4);
	}
	if (!made)
		return dl_error_set(err, DL_EIO,
				    "auth.password-policy: cannot generate a password with a "
				    "3-character run of '%s'",
				    user);
	struct json_object *meta = json_object_new_object();
	json_object_object_add(meta, "run", json_object_new_string(run));
	json_object_object_add(meta, "run_length", json_object_new_int(3));
	json_object_object_add(meta, "run_case",
			       json_object_new_string(swap_case ? "other case" : "same case"));
	enum login_outcome o;
	return try_change(b, "username", out, meta, true, &o, err);
}

static int strength_phase(struct battery *b, bool *control_ok, struct dl_error *err)
{
	enum login_outcome o;
	const struct profile_auth *d = &b->run.profile->auth;
	int rc = 0;
	size_t lengths[3] = {7, 8, 0};
	if (d->password_min_length > 9 && d->password_min_length < AUTH_PASSWORD_MAX)
		lengths[2] = d->password_min_length - 1;
	for (size_t i = 0; i < 3 && !rc; i++)
		if (lengths[i])
			rc = try_generated(b, "length", ALL_CLASSES, lengths[i], NULL, &o, err);
	if (!rc)
		rc = try_generated(b, "classes", AUTH_CLASS_LOWER, COMPLIANT_LENGTH, NULL, &o, err);
	if (!rc)
		rc = try_generated(b, "classes", AUTH_CLASS_LOWER | AUTH_CLASS_DIGIT,
				   COMPLIANT_LENGTH, NULL, &o, err);
	size_t user_length = strlen(b->credential->username);
	if (!rc && user_length >= 3)
		rc = try_user_run(b, 0, false, err);
	if (!rc && user_length >= 3)
		rc = try_user_run(b, user_length - 3, true, err);
	/* the boundaries on the compliant side, then the control */
	if (!rc)
		rc = try_generated(b, "length", ALL_CLASSES, 9, NULL, &o, err);
	if (!rc)
		rc = try_generated(b, "classes",
				   AUTH_CLASS_LOWER | AUTH_CLASS_UPPER | AUTH_CLASS_DIGIT,
				   COMPLIANT_LENGTH, NULL, &o, err);
	if (!rc)
		rc = try_generated(b, "control", ALL_CLASSES, COMPLIANT_LENGTH, NULL, &o, err);
	*control_ok = !rc && o == LOGIN_ACCEPTED;
	return rc;
}

static int history_phase(struct battery *b, bool *control_ok, struct dl_error *err)
{
	*control_ok = false;
	unsigned depth = b->run.profile->auth.password_history;
	if (depth == 0)
		depth = 1;
	if (depth > BATTERY_HISTORY_MAX)
		depth = BATTERY_HISTORY_MAX;
	enum login_outcome o = LOGIN_ACCEPTED;
	int rc = 0;
	/* the password before the sets is the accepted control */
	size_t first = b->accepted_count - 1;
	for (unsigned i = 0; i < depth && !rc && o == LOGIN_ACCEPTED; i++)
		rc = try_generated(b, "history_set", ALL_CLASSES, COMPLIANT_LENGTH, NULL, &o, err);
	if (rc || o != LOGIN_ACCEPTED)
		return rc;
	/* accepted[first + depth] is current; reuse_depth k is k changes back */
	size_t current = first + depth;
	for (unsigned k = 1; k <= depth && !rc; k++) {
		char old[AUTH_PASSWORD_MAX];
		snprintf(old, sizeof(old), "%s", b->accepted[current - k]);
		struct json_object *meta = json_object_new_object();
		json_object_object_add(meta, "reuse_depth", json_object_new_int((int)k));
		rc = try_change(b, "history", old, meta, true, &o, err);
	}
	if (!rc)
		rc = try_generated(b, "control_history", ALL_CLASSES, COMPLIANT_LENGTH, NULL, &o,
				   err);
	*control_ok = !rc && o == LOGIN_ACCEPTED;
	return rc;
}

/* Right after an accepted change: the minimum lifetime must refuse another. */
static int min_age_phase(struct battery *b, struct dl_error *err)
{
	char candidate[AUTH_PASSWORD_MAX];
	if (generate(b, ALL_CLASSES, COMPLIANT_LENGTH, candidate))
		return dl_error_set(err, DL_EIO,
				    "auth.password-policy: cannot generate a password");
	enum login_outcome o;
	int rc = try_change(b, "min_age", candidate, NULL, false, &o, err);
	if (rc || o != LOGIN_REFUSED || !b->can_age)
		return rc;
	return try_change(b, "min_age_confirm", candidate, NULL, true, &o, err);
}

static bool reminder_in(const char *text)
{
	regex_t re;
	if (regcomp(&re, REMINDER_PATTERN, REG_EXTENDED | REG_ICASE | REG_NOSUB) != 0)
		return false;
	bool seen = regexec(&re, text, 0, NULL, 0) == 0;
	regfree(&re);
	return seen;
}

/* Age the password with operation, then log in: what the login said. */
static int lifetime_step(struct battery *b, const char *operation, struct json_object *into,
			 const char *name, struct dl_error *err)
{
	struct json_object *s = json_object_new_object();
	json_object_object_add(into, name, s);
	if (!profile_find_operation(b->run.profile, operation)) {
		json_object_object_add(s, "state", json_object_new_string("not_done"));
		char why[128];
		snprintf(why, sizeof(why), "the profile declares no %s operation", operation);
		json_object_object_add(s, "why", json_object_new_string(why));
		return 0;
	}
	bool ok = false;
	int rc = run_operation(b, operation, &ok, err);
	if (rc)
		return rc;
	if (!ok) {
		json_object_object_add(s, "state", json_object_new_string("not_done"));
		json_object_object_add(
			s, "why",
			json_object_new_string("the ageing operation failed; see its "
					       "transcript"));
		return 0;
	}
	progress(b, name);
	struct login_response resp;
	memset(&resp, 0, sizeof(resp));
	rc = auth_attempt(&b->target, b->credential->username, b->current, &resp, NULL, err);
	if (rc)
		return rc;
	mask_all(b, resp.excerpt);
	mask_all(b, resp.warning);
	json_object_object_add(s, "state", json_object_new_string("done"));
	json_object_object_add(s, "outcome",
			       json_object_new_string(login_outcome_name(resp.outcome)));
	json_object_object_add(s, "excerpt", json_object_new_string(resp.excerpt));
	json_object_object_add(
		s, "reminder_seen",
		json_object_new_boolean(reminder_in(resp.excerpt) || reminder_in(resp.warning)));
	b->needs_age = true;
	return 0;
}

/* The profile's password back on the test account, and a login to prove it. */
static int restore(struct battery *b, struct json_object *o, struct dl_error *err)
{
	struct json_object *r = json_object_new_object();
	json_object_object_add(o, "restore", r);
	const char *method = "none needed";
	bool restored = strcmp(b->current, b->credential->password) == 0 && !b->needs_age;
	if (profile_find_operation(b->run.profile, AUTH_OP_RESTORE)) {
		method = AUTH_OP_RESTORE;
		bool ok = false;
		int rc = run_operation(b, AUTH_OP_RESTORE, &ok, err);
		if (rc)
			return rc;
		if (ok)
			snprintf(b->current, sizeof(b->current), "%s", b->credential->password);
		restored = ok;
	} else if (strcmp(b->current, b->credential->password) != 0) {
		method = "change back";
		enum login_outcome out;
		int rc = try_change(b, "restore", b->credential->password, NULL, true, &out, err);
		if (rc)
			return rc;
		restored = out == LOGIN_ACCEPTED;
	}
	json_object_object_add(r, "method", json_object_new_string(method));
	struct login_response resp;
	memset(&resp, 0, sizeof(resp));
	progress(b, "login with the restored password");
	int rc = auth_attempt(&b->target, b->credential->username, b->credential->password, &resp,
			      NULL, err);
	if (rc)
		return rc;
	json_object_object_add(r, "login_after",
			       json_object_new_string(login_outcome_name(resp.outcome)));
	restored = restored && resp.outcome == LOGIN_ACCEPTED;
	json_object_object_add(r, "restored", json_object_new_boolean(restored));
	if (!restored && strcmp(b->current, b->credential->password) != 0) {
		/* the operator needs it to restore the account by hand */
		char path[AUTH_PATH_MAX];
		snprintf(path, sizeof(path), "%s/auth-test-password-left",
			 b->run.ctx->campaign_dir);
		FILE *f = fopen(path, "we");
		if (f) {
			fchmod(fileno(f), 0600);
			fprintf(f, "%s\n", b->current);
			fclose(f);
		}
		json_object_object_add(r, "left_password_file",
				       json_object_new_string("auth-test-password-left"));
	}
	return 0;
}

static struct json_object *skipped(const char *why, bool not_applicable)
{
	struct json_object *o = json_object_new_object();
	json_object_object_add(o, "version", json_object_new_int(1));
	json_object_object_add(o, "skipped", json_object_new_string(why));
	json_object_object_add(o, "not_applicable", json_object_new_boolean(not_applicable));
	return o;
}

static struct json_object *declared_json(const struct profile_auth *d)
{
	struct json_object *o = json_object_new_object();
	json_object_object_add(o, "min_length", json_object_new_int((int)d->password_min_length));
	json_object_object_add(o, "classes", json_object_new_int((int)d->password_classes));
	json_object_object_add(o, "history", json_object_new_int((int)d->password_history));
	json_object_object_add(o, "min_age_days",
			       json_object_new_int((int)d->password_min_age_days));
	json_object_object_add(o, "max_age_days",
			       json_object_new_int((int)d->password_max_age_days));
	json_object_object_add(o, "warning",
			       d->password_warning ? json_object_new_string(d->password_warning)
						   : NULL);
	json_object_object_add(o, "reference",
			       d->password_policy_reference
				       ? json_object_new_string(d->password_policy_reference)
				       : NULL);
	return o;
}

static int collect_policy(const struct check_context *ctx, struct json_object **observation,
			  struct dl_error *err)
{
	*observation = NULL;
	struct battery *b = calloc(1, sizeof(*b));
	if (!b)
		return dl_error_set(err, DL_ENOMEM, "auth.password-policy: out of memory");
	int rc = auth_run_init(&b->run, ctx, err);
	if (rc)
		goto out;
	const char *why = NULL;
	b->credential = auth_test_credential(b->run.profile, &why);
	if (!b->credential) {
		*observation = skipped(why, false);
		goto out;
	}
	const struct profile_adapter *adapter = NULL;
	for (size_t i = 0; i < b->run.adapter_count && !adapter; i++)
		if (login_capabilities(b->run.adapters[i]) & LOGIN_CAN_CHANGE_PASSWORD)
			adapter = b->run.adapters[i];
	if (!adapter) {
		*observation = skipped("no login adapter of the profile can change a password "
				       "(give one a change_url, or use ssh-password or telnet)",
				       false);
		goto out;
	}
	auth_target(&b->run, adapter, "password-policy", &b->target, b->transcript,
		    sizeof(b->transcript), b->transcript_relative, sizeof(b->transcript_relative));
	snprintf(b->current, sizeof(b->current), "%s", b->credential->password);
	b->can_age = profile_find_operation(b->run.profile, AUTH_OP_AGE) != NULL;
	b->needs_age = true; /* the account may have been set today */
	b->steps = 24 + 2 * BATTERY_HISTORY_MAX;
	b->attempts = json_object_new_array();
	b->operations = json_object_new_array();

	struct json_object *o = json_object_new_object();
	*observation = o;
	json_object_object_add(o, "version", json_object_new_int(1));
	json_object_object_add(o, "adapter", json_object_new_string(adapter->name));
	json_object_object_add(o, "driver", json_object_new_string(adapter->driver));
	json_object_object_add(o, "username", json_object_new_string(b->credential->username));
	json_object_object_add(o, "transcript", json_object_new_string(b->transcript_relative));
	json_object_object_add(o, "declared", declared_json(&b->run.profile->auth));
	json_object_object_add(o, "ageing_operation", json_object_new_boolean(b->can_age));
	json_object_object_add(o, "attempts", b->attempts);
	json_object_object_add(o, "operations", b->operations);
	struct json_object *lifetime = json_object_new_object();
	json_object_object_add(o, "lifetime", lifetime);

	/* a known start: the profile's password, unlocked, old enough to change */
	if (profile_find_operation(b->run.profile, AUTH_OP_RESTORE)) {
		bool ok = false;
		rc = run_operation(b, AUTH_OP_RESTORE, &ok, err);
		if (rc) {
			json_object_put(o);
			*observation = NULL;
			goto out;
		}
		b->needs_age = !ok;
	}
	bool control_ok = false;
	rc = strength_phase(b, &control_ok, err);
	if (!rc && control_ok)
		rc = history_phase(b, &control_ok, err);
	if (!rc && control_ok)
		rc = min_age_phase(b, err);
	if (!rc && b->out_of_time)
		json_object_object_add(o, "stopped",
				       json_object_new_string("out of time: the battery stopped "
							      "to keep a minute for the restore"));
	else if (!rc && !control_ok)
		json_object_object_add(o, "stopped",
				       json_object_new_string("a compliant control was not "
							      "accepted; later phases skipped"));
	if (!rc)
		rc = lifetime_step(b, AUTH_OP_WARN, lifetime, "reminder", err);
	if (!rc)
		rc = lifetime_step(b, AUTH_OP_EXPIRE, lifetime, "expiry", err);
	/* the account is restored even when a step failed */
	struct dl_error restore_err = {0};
	int restore_rc = restore(b, o, &restore_err);
	if (restore_rc && !rc) {
		rc = restore_rc;
		*err = restore_err;
	}
	if (rc) {
		json_object_put(o);
		*observation = NULL;
	}
out:
	free(b);
	return rc;
}

const struct collector collector_auth_password_policy = {
	.id = "auth.password-policy",
	.summary = "one-defect password changes on the test account, lifetime steps, restore",
	.needs = NEED_DUT_ADDRESS | NEED_LOGIN_ADAPTER,
	.timeout_seconds = 900,
	.expected_seconds = 90,
	.changes_dut = true,
	.collect = collect_policy,
};
