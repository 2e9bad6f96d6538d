/* test-judges: the auth.* judges on canned observations, both ways, with their reasons */
#include "core/compat.h"

#include <setjmp.h>
#include <cmocka.h>
#include <json-c/json.h>
#include <regex.h>

#include "checks/auth/auth-internal.h"
#include "checks/check.h"
#include "core/error.h"
#include "core/profile.h"

struct judged {
	enum verdict verdict;
	char summary[1024];
	size_t fails, passes, warnings;
	char findings[8192];
};

static struct judged judge_with(const char *check_id, struct json_object *o, const char *param,
				const char *value)
{
	const struct check *c = check_find(check_id);
	assert_non_null(c);
	struct check_param item = {.name = param, .value = value};
	struct check_params params = {.items = param ? &item : NULL, .count = param ? 1 : 0};
	struct check_verdict v;
	memset(&v, 0, sizeof(v));
	struct dl_error err = {0};
	struct profile profile;
	memset(&profile, 0, sizeof(profile));
	int rc = c->judge(o, &params, &profile, &v, &err);
	if (rc)
		fail_msg("%s: %s", check_id, err.message);
	struct judged j = {.verdict = v.verdict};
	snprintf(j.summary, sizeof(j.summary), "%s", v.summary ? v.summary : "");
	size_t used = 0;
	for (size_t i = 0; i < v.finding_count; i++) {
		j.fails += v.findings[i].severity == FINDING_FAIL;
		j.passes += v.findings[i].severity == FINDING_PASS;
		j.warnings += v.findings[i].severity == FINDING_WARNING;
		int n = snprintf(j.findings + used, sizeof(j.findings) - used, "%s\n",
				 v.findings[i].text);
		if (n > 0 && (size_t)n < sizeof(j.findings) - used)
			used += (size_t)n;
	}
	check_verdict_release(&v);
	return j;
}

static struct judged judge_text(const char *check_id, const char *text, const char *param,
				const char *value)
{
	struct json_object *o = json_tokener_parse(text);
	if (!o)
		fail_msg("bad test JSON: %s", text);
	struct judged j = judge_with(check_id, o, param, value);
	json_object_put(o);
	return j;
}

static void assert_matches(const char *text, const char *pattern)
{
	regex_t re;
	assert_int_equal(regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB), 0);
	int rc = regexec(&re, text, 0, NULL, 0);
	regfree(&re);
	if (rc != 0)
		fail_msg("'%s' does not match /%s/", text, pattern);
}

/* ---- auth.default-credentials ---- */

#define PACING                                                                                     \
	"\"pacing\": {\"declared\": true, \"threshold\": 5, \"tries_per_window\": 4,"              \
	" \"window_seconds\": 63, \"period_seconds\": 30, \"reset_seconds\": 60}"
#define HEAD                                                                                       \
	"\"version\": 1, \"address\": \"198.18.7.2\", " PACING                                     \
	", \"list\": {\"source\": \"Mirai\","                                                      \
	" \"pairs\": 69}, \"factory_default\": {\"declared\": true, \"username\": \"admin\","      \
	" \"password\": \"admin\"}, \"units\": {\"count\": 0}"
#define WEB(accepted, tried, untried, unreachable)                                                 \
	"{\"name\": \"web\", \"driver\": \"http-form\", \"port\": 9090, \"proto\": \"tcp\","       \
	" \"transcript\": \"evidence/auth/defaults-web.log\", \"tried\": " #tried                  \
	", \"untried\": " #untried ", \"unreachable\": " #unreachable ", \"accepted\": [" accepted \
	"]}"
#define SHELL(accepted)                                                                            \
	"{\"name\": \"shell\", \"driver\": \"ssh-password\", \"port\": 22, \"proto\": \"tcp\","    \
	" \"tried\": 70, \"untried\": 0, \"unreachable\": 0, \"accepted\": [" accepted "]}"
#define RESTORED                                                                                   \
	"\"restore\": {\"method\": \"change_password\", \"restored\": true, \"verified\": []}"

static void test_defaults_pass(void **state)
{
	(void)state;
	struct judged j = judge_text(
		"auth.default-credentials",
		"{" HEAD ", \"adapters\": [" WEB("", 70, 0, 0) ", " SHELL(
			"") "],"
			    " \"reset\": {\"declared\": true, \"exit_status\": 0, "
			    "\"services_back\": true,"
			    " \"logins\": [{\"name\": \"web\", \"driver\": \"http-form\", "
			    "\"port\": 9090,"
			    " \"outcome\": \"change_required\"},"
			    " {\"name\": \"shell\", \"driver\": \"ssh-password\", \"port\": 22,"
			    " \"outcome\": \"accepted\", \"action\": \"read_secrets\", "
			    "\"action_outcome\": \"refused\"}],"
			    " " RESTORED "}}",
		NULL, NULL);
	assert_int_equal(j.verdict, VERDICT_PASS);
	assert_matches(j.summary,
		       "^after a factory reset every interface \\(2\\) forced a change of "
		       "the default admin/admin or refused it, and none of 140 default "
		       "logins was usable as delivered$");
	assert_int_equal(j.passes, 2);
	assert_matches(j.findings,
		       "shell \\(ssh-password, tcp/22\\): the factory default admin/admin "
		       "was accepted, but the admin action 'read_secrets' was refused");
	assert_matches(j.findings,
		       "admin password was restored after the reset \\(change_password\\)");
}

/* The other branch: every unit has its own label default (units[].factory_password). */
#define HEAD_UNITS(units)                                                                          \
	"\"version\": 1, \"address\": \"198.18.7.2\", " PACING                                     \
	", \"list\": {\"source\": \"Mirai\","                                                      \
	" \"pairs\": 69}, \"factory_default\": {\"declared\": true, \"username\": \"admin\","      \
	" \"password\": \"Lbl-7Qk2-Vx9p\"}, \"units\": {\"count\": 1, \"per_unit_defaults\": "     \
	"true,"                                                                                    \
	" \"entries\": [" units "]}"
#define UNIT(differs, dut, own)                                                                    \
	"{\"serial\": \"MG1G000009\", \"factory_password\": \"Lbl-3Zr8-Qe2m\", "                   \
	"\"differs\": " differs                                                                    \
	", \"address\": \"198.18.7.3\", \"logins\": [{\"name\": \"web\", \"driver\":"              \
	" \"http-form\", \"port\": 9090, \"dut_default\": \"" dut "\", \"own_default\": \"" own    \
	"\"}]}"
#define FACTORY_USABLE                                                                             \
	"{\"username\": \"admin\", \"password\": \"Lbl-7Qk2-Vx9p\", \"source\": "                  \
	"\"factory_default\","                                                                     \
	" \"outcome\": \"accepted\", \"action\": \"read_config\", \"action_outcome\": "            \
	"\"accepted\"}"
#define RESET_USABLE                                                                               \
	" \"reset\": {\"declared\": true, \"exit_status\": 0, \"services_back\": true,"            \
	" \"logins\": [{\"name\": \"web\", \"driver\": \"http-form\", \"port\": 9090,"             \
	" \"outcome\": \"accepted\"}], " RESTORED "}"

static void test_defaults_per_unit(void **state)
{
	(void)state;
	/* the DUT's label default works on it alone, the other unit has its own */
	struct judged j = judge_text(
		"auth.default-credentials",
		"{" HEAD_UNITS(UNIT("true", "refused", "accepted")) ", \"adapters\": [" WEB(
			FACTORY_USABLE, 70, 0, 0) "]," RESET_USABLE "}",
		NULL, NULL);
	assert_int_equal(j.verdict, VERDICT_PASS);
	assert_matches(j.summary, "^the default passwords differ between the units: on each of "
				  "the 1 other units the DUT's default admin/Lbl-7Qk2-Vx9p is "
				  "refused and its own gets in; none of 70 default logins");
	assert_matches(j.findings, "unit MG1G000009 \\(198.18.7.3\\) has its own default");
	assert_matches(j.findings, "the factory default admin/Lbl-7Qk2-Vx9p is this unit's own");

	/* the other unit takes the DUT's default: shared, and nothing forces a change */
	j = judge_text("auth.default-credentials",
		       "{" HEAD_UNITS(UNIT("true", "accepted", "accepted")) ", \"adapters\": [" WEB(
			       FACTORY_USABLE, 70, 0, 0) "]," RESET_USABLE "}",
		       NULL, NULL);
	assert_int_equal(j.verdict, VERDICT_FAIL);
	assert_matches(j.summary, "accepts the factory default admin/Lbl-7Qk2-Vx9p for normal use");
	assert_matches(j.findings, "accepts the DUT's default admin/Lbl-7Qk2-Vx9p: the default is "
				   "shared");

	/* a declared default the unit refuses: the branch is not shown */
	j = judge_text("auth.default-credentials",
		       "{" HEAD_UNITS(UNIT("true", "refused", "refused")) ", \"adapters\": [" WEB(
			       FACTORY_USABLE, 70, 0, 0) "]," RESET_USABLE "}",
		       NULL, NULL);
	assert_int_equal(j.verdict, VERDICT_FAIL);
	assert_matches(j.findings, "answered its declared default Lbl-3Zr8-Qe2m with 'refused': "
				   "the declaration is not confirmed");

	/* two units declaring one default */
	j = judge_text("auth.default-credentials",
		       "{" HEAD_UNITS(UNIT("false", "refused", "accepted")) ", \"adapters\": [" WEB(
			       FACTORY_USABLE, 70, 0, 0) "]," RESET_USABLE "}",
		       NULL, NULL);
	assert_int_equal(j.verdict, VERDICT_FAIL);
	assert_matches(j.findings,
		       "declares the default Lbl-3Zr8-Qe2m, the DUT's or another unit's");
}

static void test_defaults_fail_as_delivered(void **state)
{
	(void)state;
	struct judged j = judge_text(
		"auth.default-credentials",
		"{" HEAD ", \"adapters\": [" WEB(
			"{\"username\": \"admin\", \"password\": \"admin\","
			" \"source\": \"factory_default\", \"outcome\": \"accepted\","
			" \"action\": \"read_config\", \"action_outcome\": \"accepted\"},"
			" {\"username\": \"root\", \"password\": \"\", \"source\": \"list\","
			" \"outcome\": \"accepted\"}",
			70, 0, 0) "],"
				  " \"reset\": {\"declared\": false}}",
		NULL, NULL);
	assert_int_equal(j.verdict, VERDICT_FAIL);
	assert_matches(j.summary, "^web \\(http-form, tcp/9090\\) accepts the factory default "
				  "admin/admin for normal use \\(and more: see the findings\\)$");
	assert_int_equal(j.fails, 2);
	assert_matches(j.findings, "the admin action 'read_config' was performed");
	assert_matches(j.findings, "well-known default \\(list\\) root/\\(empty\\)");
}

static void test_defaults_fail_after_reset(void **state)
{
	(void)state;
	struct judged j = judge_text(
		"auth.default-credentials",
		"{" HEAD
		", \"adapters\": [" SHELL("") "],"
					      " \"reset\": {\"declared\": true, \"exit_status\": "
					      "0, \"transcript\": \"evidence/auth/"
					      "defaults-factory_reset.log\", \"logins\": "
					      "[{\"name\": \"shell\", \"driver\":"
					      " \"ssh-password\", \"port\": 22, \"outcome\": "
					      "\"accepted\"}], " RESTORED "}}",
		NULL, NULL);
	assert_int_equal(j.verdict, VERDICT_FAIL);
	assert_matches(j.summary,
		       "^after the factory reset shell \\(ssh-password, tcp/22\\) accepts "
		       "the factory default admin/admin without forcing a change$");
	assert_matches(j.findings, "accepted without asking for a change");
}

static void test_defaults_manual_inconclusive(void **state)
{
	(void)state;
	/* Nothing accepted, but no factory reset to watch the first login. */
	struct judged j = judge_text(
		"auth.default-credentials",
		"{" HEAD ", \"adapters\": [" SHELL("") "],"
						       " \"reset\": {\"declared\": false}}",
		"secrets", "passwords-and-keys");
	assert_int_equal(j.verdict, VERDICT_MANUAL);
	assert_matches(j.summary, "declares no factory_reset operation");
	assert_matches(j.findings, "default keys are judged where they are read");

	/* The interface did not come back after the reset. */
	j = judge_text(
		"auth.default-credentials",
		"{" HEAD ", \"adapters\": [" WEB(
			"", 30, 40,
			0) "],"
			   " \"stopped\": \"the lockout pacing budget of this phase ran out\","
			   " \"reset\": {\"declared\": true, \"logins\": [{\"name\": \"web\", "
			   "\"driver\":"
			   " \"http-form\", \"port\": 9090, \"outcome\": \"unreachable\", "
			   "\"excerpt\":"
			   " \"connection refused\"}], " RESTORED "}}",
		NULL, NULL);
	assert_int_equal(j.verdict, VERDICT_INCONCLUSIVE);
	assert_matches(j.summary, "^1 of 1 interfaces gave no usable answer");
	assert_matches(j.findings, "40 of 70 default logins were left untried: the lockout pacing "
				   "budget of this phase ran out \\(at most 4 wrong tries per user "
				   "name per 63 s window");

	/* The reset itself failed: nothing after it counts. */
	j = judge_text(
		"auth.default-credentials",
		"{" HEAD ", \"adapters\": [" SHELL(
			"") "],"
			    " \"reset\": {\"declared\": true, \"exit_status\": 1, \"failed\": true,"
			    " \"transcript\": \"evidence/auth/defaults-factory_reset.log\"}}",
		NULL, NULL);
	assert_int_equal(j.verdict, VERDICT_INCONCLUSIVE);
	assert_matches(j.summary, "^the factory_reset operation failed \\(exit status 1; see "
				  "evidence/auth/defaults-factory_reset.log\\)");

	/* No login adapter at all. */
	j = judge_text("auth.default-credentials",
		       "{" HEAD ", \"adapters\": [], \"reset\": {\"declared\": false}}", NULL,
		       NULL);
	assert_int_equal(j.verdict, VERDICT_NOT_APPLICABLE);
}

static void test_defaults_restore_warning(void **state)
{
	(void)state;
	struct judged j = judge_text(
		"auth.default-credentials",
		"{" HEAD ", \"adapters\": [" SHELL(
			"") "],"
			    " \"reset\": {\"declared\": true, \"logins\": [{\"name\": \"shell\", "
			    "\"driver\":"
			    " \"ssh-password\", \"port\": 22, \"outcome\": \"change_required\"}],"
			    " \"restore\": {\"method\": \"none\", \"restored\": false}}}",
		NULL, NULL);
	assert_int_equal(j.verdict, VERDICT_PASS);
	assert_int_equal(j.warnings, 1);
	assert_matches(j.findings, "could not be restored after the reset \\(method: none\\)");
}

/* ---- auth.lockout ---- */

#define LOCK_HEAD(sent, threshold_declared)                                                        \
	"\"version\": 1, \"pacing\": {\"declared\": " threshold_declared ", \"threshold\": " #sent \
	", \"tries_per_window\": 4, \"window_seconds\": 63, \"period_seconds\": 30,"               \
	" \"reset_seconds\": 60}, \"failures_sent\": " #sent ", \"test_username\": \"dltest\""
#define LOCK_ADAPTER(right, lock) LOCK_ADAPTER_FAILS(REFUSED10, right, lock)
#define REFUSED "{\"outcome\": \"refused\"}"
#define REFUSED10                                                                                  \
	REFUSED "," REFUSED "," REFUSED "," REFUSED "," REFUSED "," REFUSED "," REFUSED            \
		"," REFUSED "," REFUSED "," REFUSED
#define LOCK_ADAPTER_FAILS(failures, right, lock)                                                  \
	"{\"name\": \"shell\", \"driver\": \"ssh-password\", \"port\": 22, \"proto\": \"tcp\","    \
	" \"transcript\": \"evidence/auth/lockout-shell.log\", \"baseline\": {\"outcome\":"        \
	" \"accepted\"}, \"failures\": [" failures "], \"failures_s\": 9.5,"                       \
	" \"right_after\": {\"outcome\": \"" right "\"},"                                          \
	" \"scope\": \"account\", \"scope_note\": \"the operator account's right password was"     \
	" accepted\", \"lock\": " lock ", \"counter_reset\": {\"measured\": true, \"wait_s\": 63," \
	" \"failures_per_round\": 4, \"right_after\": {\"outcome\": \"accepted\"}},"               \
	" \"final_unlocked\": true}"
#define LOCK_30 "{\"probes\": 15, \"refused_last_s\": 29.2, \"accepted_s\": 31.4, \"ended\": true}"

static void test_lockout_ts(void **state)
{
	(void)state;
	struct judged j = judge_text(
		"auth.lockout",
		"{" LOCK_HEAD(5, "true") ", \"adapters\": [" LOCK_ADAPTER("refused", LOCK_30) "]}",
		"max_failures", "5");
	assert_int_equal(j.verdict, VERDICT_PASS);
	assert_matches(j.summary, "^shell \\(ssh-password, tcp/22\\) refused the right password "
				  "after 5 failures; the lock \\(account\\) lasted 29-31 s$");
	assert_matches(j.findings, "4 failures, a 63 s pause, 4 more, then the right password was "
				   "accepted: the failure counter reset within 63 s");

	j = judge_text(
		"auth.lockout",
		"{" LOCK_HEAD(5, "true") ", \"adapters\": [" LOCK_ADAPTER("accepted", "null") "]}",
		"max_failures", "5");
	assert_int_equal(j.verdict, VERDICT_FAIL);
	assert_matches(j.summary, "^shell \\(ssh-password, tcp/22\\) accepted the right password "
				  "after 5 wrong ones: no lockout$");

	/* Wrong passwords without an answer (the service restarting) test nothing. */
	j = judge_text("auth.lockout",
		       "{" LOCK_HEAD(5, "true") ", \"adapters\": [" LOCK_ADAPTER_FAILS(
			       REFUSED ", " REFUSED ", {\"outcome\": \"unreachable\"}", "accepted",
			       "null") "]}",
		       "max_failures", "5");
	assert_int_equal(j.verdict, VERDICT_INCONCLUSIVE);
	assert_matches(j.findings,
		       "answered only 2 of the 5 wrong passwords with a refusal, so the "
		       "lockout was not tested");

	/* A lock that only comes after more than five failures. */
	j = judge_text(
		"auth.lockout",
		"{" LOCK_HEAD(10, "true") ", \"adapters\": [" LOCK_ADAPTER("refused", LOCK_30) "]}",
		"max_failures", "5");
	assert_int_equal(j.verdict, VERDICT_FAIL);
	assert_matches(j.summary, "locks after the 10 failures the profile declares, more than 5$");

	/* A lock that never ends. */
	j = judge_text(
		"auth.lockout",
		"{" LOCK_HEAD(5, "true") ", \"adapters\": [" LOCK_ADAPTER(
			"refused",
			"{\"probes\": 20, \"refused_last_s\": 44, \"ended\": false,"
			" \"watched_s\": 45, \"quiet_wait_s\": 35, \"restarts_on_try\": true,"
			" \"quiet_refused_after_s\": 35}") "]}",
		"max_failures", "5");
	assert_int_equal(j.verdict, VERDICT_FAIL);
	assert_matches(j.summary,
		       "lock had not ended after 45 s of probing and a 35 s quiet wait$");
}

static void test_lockout_ncc(void **state)
{
	(void)state;
	struct judged j = judge_text(
		"auth.lockout",
		"{" LOCK_HEAD(5, "true") ", \"adapters\": [" LOCK_ADAPTER("refused", LOCK_30) "]}",
		"max_failures", "profile");
	assert_int_equal(j.verdict, VERDICT_PASS);
	assert_int_equal(j.warnings, 0);

	/* Configured 30 s, released after 5 s. */
	j = judge_text("auth.lockout",
		       "{" LOCK_HEAD(5, "true") ", \"adapters\": [" LOCK_ADAPTER(
			       "refused",
			       "{\"probes\": 3, \"refused_last_s\": 3.1, \"accepted_s\": 5.2,"
			       " \"ended\": true}") "]}",
		       "max_failures", "profile");
	assert_int_equal(j.verdict, VERDICT_FAIL);
	assert_matches(j.summary, "ended the lock after 3-5 s, shorter than the configured 30 s$");

	/* A slow login plane (Cockpit under load: 2.4 s a login): a 30 s lock that
	 * began inside the fifth failure's round trip looks 2 s short from its
	 * answer; the round trips of that failure and of the accepted probe bound
	 * it from above, so it is not "shorter than configured". */
	j = judge_text("auth.lockout",
		       "{" LOCK_HEAD(5, "true") ", \"adapters\": [" LOCK_ADAPTER_FAILS(
			       REFUSED "," REFUSED "," REFUSED "," REFUSED
				       ", {\"outcome\": \"refused\", \"latency_ms\": 2400}",
			       "refused",
			       "{\"probes\": 7, \"refused_last_s\": 24.8, \"accepted_s\": 25.9,"
			       " \"accepted_latency_s\": 2.3, \"ended\": true}") "]}",
		       "max_failures", "profile");
	assert_int_equal(j.verdict, VERDICT_PASS);
	assert_matches(j.summary, "the lock \\(account\\) lasted 25-31 s$");
	/* ... but the same round trips cannot save a lock far too short. */
	j = judge_text("auth.lockout",
		       "{" LOCK_HEAD(5, "true") ", \"adapters\": [" LOCK_ADAPTER_FAILS(
			       REFUSED "," REFUSED "," REFUSED "," REFUSED
				       ", {\"outcome\": \"refused\", \"latency_ms\": 2400}",
			       "refused",
			       "{\"probes\": 5, \"refused_last_s\": 14.8, \"accepted_s\": 15.9,"
			       " \"accepted_latency_s\": 2.3, \"ended\": true}") "]}",
		       "max_failures", "profile");
	assert_int_equal(j.verdict, VERDICT_FAIL);
	assert_matches(j.summary,
		       "ended the lock after 15-21 s, shorter than the configured 30 s$");

	/* Every try during the lock restarted it (pam_faillock's authfail after a
	 * required preauth): left alone it was still on after 25 s, off after 35 s. */
	j = judge_text("auth.lockout",
		       "{" LOCK_HEAD(5, "true") ", \"adapters\": [" LOCK_ADAPTER(
			       "refused",
			       "{\"probes\": 20, \"refused_last_s\": 44.1, \"ended\": true,"
			       " \"watched_s\": 45, \"quiet_refused_after_s\": 25,"
			       " \"quiet_accepted_after_s\": 35, \"restarts_on_try\": true}") "]}",
		       "max_failures", "profile");
	assert_int_equal(j.verdict, VERDICT_PASS);
	assert_matches(j.summary, "the lock \\(account\\) restarted with every try during it "
				  "\\(44 s of tries every 2 s\\) and, left alone, lasted 25-35 s$");
	/* ... and one that, left alone, opened within 10 s of a configured 30. */
	j = judge_text("auth.lockout",
		       "{" LOCK_HEAD(5, "true") ", \"adapters\": [" LOCK_ADAPTER(
			       "refused",
			       "{\"probes\": 20, \"refused_last_s\": 44.1, \"ended\": true,"
			       " \"watched_s\": 45, \"quiet_accepted_after_s\": 25,"
			       " \"restarts_on_try\": true}") "]}",
		       "max_failures", "profile");
	assert_int_equal(j.verdict, VERDICT_FAIL);
	assert_matches(j.summary, "opened the lock within 25 s of the last try, shorter than the "
				  "configured 30 s$");

	/* The threshold undeclared: tested with 5, said so. */
	j = judge_text(
		"auth.lockout",
		"{" LOCK_HEAD(5, "false") ", \"adapters\": [" LOCK_ADAPTER("refused", LOCK_30) "]}",
		"max_failures", "profile");
	assert_int_equal(j.verdict, VERDICT_PASS);
	assert_matches(j.findings, "declares no auth.lockout.threshold");
}

static void test_lockout_other(void **state)
{
	(void)state;
	struct judged j = judge_text(
		"auth.lockout",
		"{" LOCK_HEAD(
			5, "true") ", \"adapters\": [{\"name\": \"web\", \"driver\": \"http-form\","
				   " \"port\": 9090, \"baseline\": {\"outcome\": \"refused\", "
				   "\"excerpt\": \"locked\"}}]}",
		"max_failures", "5");
	assert_int_equal(j.verdict, VERDICT_INCONCLUSIVE);
	assert_matches(j.findings,
		       "did not accept the test account's right password before the test "
		       "\\(refused: locked\\)");

	j = judge_text("auth.lockout",
		       "{\"version\": 1, \"pacing\": {\"declared\": false}, \"adapters\": [],"
		       " \"note\": \"the profile declares no auth.test_credential\"}",
		       "max_failures", "5");
	assert_int_equal(j.verdict, VERDICT_MANUAL);
	assert_matches(j.summary, "no auth.test_credential");

	/* A parameter the judge cannot read is dutlab's error, not a verdict. */
	struct json_object *o = json_tokener_parse("{" LOCK_HEAD(5, "true") ", \"adapters\": []}");
	const struct check *c = check_find("auth.lockout");
	struct check_param item = {.name = "max_failures", .value = "five"};
	struct check_params params = {.items = &item, .count = 1};
	struct check_verdict v;
	memset(&v, 0, sizeof(v));
	struct dl_error err = {0};
	assert_int_equal(c->judge(o, &params, NULL, &v, &err), DL_EINVAL);
	assert_non_null(strstr(err.message, "'five'"));
	check_verdict_release(&v);
	json_object_put(o);
}

/* ---- auth.enumeration and auth.error-messages ---- */

/* An adapter's samples: n per side; status, fingerprint and latency per side. */
static struct json_object *samples(int count, int status, const char *fingerprint, double latency,
				   double step)
{
	struct json_object *a = json_object_new_array();
	for (int i = 0; i < count; i++) {
		struct json_object *s = json_object_new_object();
		json_object_object_add(s, "outcome", json_object_new_string("refused"));
		json_object_object_add(s, "status", json_object_new_int(status));
		json_object_object_add(s, "fingerprint", json_object_new_string(fingerprint));
		json_object_object_add(s, "latency_ms",
				       json_object_new_double(latency + step * (i % 7)));
		json_object_array_add(a, s);
	}
	return a;
}

static struct json_object *answer(const char *fp, int status, const char *excerpt, int existing,
				  int unknown)
{
	struct json_object *e = json_object_new_object();
	json_object_object_add(e, "fingerprint", json_object_new_string(fp));
	json_object_object_add(e, "status", json_object_new_int(status));
	json_object_object_add(e, "excerpt", json_object_new_string(excerpt));
	json_object_object_add(e, "existing", json_object_new_int(existing));
	json_object_object_add(e, "unknown", json_object_new_int(unknown));
	return e;
}

static struct json_object *enumeration(struct json_object *existing, struct json_object *unknown,
				       struct json_object *answers)
{
	struct json_object *o = json_object_new_object();
	json_object_object_add(o, "version", json_object_new_int(1));
	json_object_object_add(o, "address", json_object_new_string("198.18.8.2"));
	json_object_object_add(o, "test_username", json_object_new_string("dltest"));
	struct json_object *a = json_object_new_object();
	json_object_object_add(a, "name", json_object_new_string("web"));
	json_object_object_add(a, "driver", json_object_new_string("http-form"));
	json_object_object_add(a, "port", json_object_new_int(8080));
	json_object_object_add(a, "existing", existing);
	json_object_object_add(a, "unknown", unknown);
	json_object_object_add(a, "answers", answers);
	struct json_object *list = json_object_new_array();
	json_object_array_add(list, a);
	json_object_object_add(o, "adapters", list);
	return o;
}

static void test_enumeration_pass(void **state)
{
	(void)state;
	struct json_object *answers = json_object_new_array();
	json_object_array_add(answers, answer("aa", 401, "Login failed", 24, 24));
	struct json_object *o = enumeration(samples(24, 401, "aa", 100, 3),
					    samples(24, 401, "aa", 101, 3), answers);
	struct judged j = judge_with("auth.enumeration", o, NULL, NULL);
	assert_int_equal(j.verdict, VERDICT_PASS);
	assert_matches(j.summary,
		       "^web \\(http-form, tcp/8080\\): the same status and answer for "
		       "existing and unknown users \\(24 \\+ 24 attempts\\), latency p = ");
	assert_matches(j.findings, "Mann-Whitney U = [0-9.]+, two-sided p = [0-9.e-]+ \\(not below "
				   "0.01\\)");
	/* No leak in "Login failed": 5.2.1.7 stays with a person. */
	j = judge_with("auth.error-messages", o, NULL, NULL);
	assert_int_equal(j.verdict, VERDICT_MANUAL);
	assert_matches(j.summary, "^the 1 distinct login error answers of 1 interfaces carry no");
	json_object_put(o);
}

static void test_enumeration_fail_content(void **state)
{
	(void)state;
	struct json_object *answers = json_object_new_array();
	json_object_array_add(answers, answer("aa", 401, "Wrong password for dltest", 24, 0));
	json_object_array_add(answers, answer("bb", 401, "Unknown user", 0, 24));
	struct json_object *o = enumeration(samples(24, 401, "aa", 100, 3),
					    samples(24, 401, "bb", 100, 3), answers);
	struct judged j = judge_with("auth.enumeration", o, NULL, NULL);
	assert_int_equal(j.verdict, VERDICT_FAIL);
	assert_matches(j.summary,
		       "^web \\(http-form, tcp/8080\\) answers existing users "
		       "differently \\(24 of 24 attempts\\): 'Wrong password for dltest' "
		       "against 'Unknown user'");
	/* 5.2.1.7: the answer to a wrong password names the valid user. */
	j = judge_with("auth.error-messages", o, NULL, NULL);
	assert_int_equal(j.verdict, VERDICT_FAIL);
	assert_matches(j.summary, "carries the valid user name: 'Wrong password for dltest'$");
	json_object_put(o);

	answers = json_object_new_array();
	json_object_array_add(answers, answer("aa", 403, "Denied", 24, 0));
	json_object_array_add(answers, answer("bb", 401, "Denied", 0, 24));
	o = enumeration(samples(24, 403, "aa", 100, 3), samples(24, 401, "bb", 100, 3), answers);
	j = judge_with("auth.enumeration", o, NULL, NULL);
	assert_int_equal(j.verdict, VERDICT_FAIL);
	assert_matches(j.summary,
		       "answers existing users with status 403 \\(24 of 24\\) and unknown "
		       "users never$");
	json_object_put(o);
}

static void test_enumeration_fail_timing(void **state)
{
	(void)state;
	struct json_object *answers = json_object_new_array();
	json_object_array_add(answers, answer("aa", 0, "Permission denied", 24, 24));
	/* Existing users take 2 s (the hash is checked), unknown ones 5 ms. */
	struct json_object *o =
		enumeration(samples(24, 0, "aa", 2000, 10), samples(24, 0, "aa", 5, 1), answers);
	struct judged j = judge_with("auth.enumeration", o, NULL, NULL);
	assert_int_equal(j.verdict, VERDICT_FAIL);
	assert_matches(j.summary, "median 20[0-9]{2}\\.[0-9] ms vs [0-9]\\.[0-9] ms, Mann-Whitney "
				  "U = 576\\.0, two-sided p = [0-9.]+e-[0-9]+ \\(below 0\\.01\\)$");
	/* A looser alpha from the catalog changes nothing here; a bad one is an error. */
	j = judge_with("auth.enumeration", o, "alpha_milli", "50");
	assert_int_equal(j.verdict, VERDICT_FAIL);
	const struct check *c = check_find("auth.enumeration");
	struct check_param item = {.name = "alpha_milli", .value = "0.01"};
	struct check_params params = {.items = &item, .count = 1};
	struct check_verdict v;
	memset(&v, 0, sizeof(v));
	struct dl_error err = {0};
	assert_int_equal(c->judge(o, &params, NULL, &v, &err), DL_EINVAL);
	assert_non_null(strstr(err.message, "alpha_milli '0.01'"));
	check_verdict_release(&v);
	json_object_put(o);
}

static void test_enumeration_inconclusive(void **state)
{
	(void)state;
	struct json_object *answers = json_object_new_array();
	json_object_array_add(answers, answer("aa", 401, "x", 10, 10));
	struct json_object *o = enumeration(samples(10, 401, "aa", 100, 3),
					    samples(10, 401, "aa", 100, 3), answers);
	struct judged j = judge_with("auth.enumeration", o, NULL, NULL);
	assert_int_equal(j.verdict, VERDICT_INCONCLUSIVE);
	assert_matches(j.summary,
		       "answered only 10 existing-user and 10 unknown-user attempts of 20 "
		       "needed each$");
	json_object_put(o);

	/* Every answer different: the normalisation missed a volatile part. */
	answers = json_object_new_array();
	char fp[8];
	for (int i = 0; i < 48; i++) {
		snprintf(fp, sizeof(fp), "f%d", i);
		json_object_array_add(answers, answer(fp, 200, "token", i % 2, (i + 1) % 2));
	}
	o = enumeration(samples(24, 200, "x", 100, 3), samples(24, 200, "x", 100, 3), answers);
	j = judge_with("auth.enumeration", o, NULL, NULL);
	assert_int_equal(j.verdict, VERDICT_INCONCLUSIVE);
	assert_matches(j.summary, "gave 48 different answers to 48 attempts");
	json_object_put(o);
}

static void test_error_messages_leaks(void **state)
{
	(void)state;
	static const char *const leaks[] = {
		"Traceback (most recent call last): File \"/srv/app/login.py\"",
		"You have an error in your SQL syntax near ''",
		"upstream 10.0.3.7:8080 refused",
		"Fatal error: Uncaught Exception in /var/www/html/login.php on line 42",
	};
	static const char *const kinds[] = {"a stack trace", "an SQL error", "an internal address",
					    "a source or file-system path"};
	for (size_t i = 0; i < DL_ARRAY_SIZE(leaks); i++) {
		struct json_object *answers = json_object_new_array();
		json_object_array_add(answers, answer("aa", 500, leaks[i], 24, 24));
		struct json_object *o = enumeration(samples(24, 500, "aa", 100, 3),
						    samples(24, 500, "aa", 100, 3), answers);
		struct judged j = judge_with("auth.error-messages", o, NULL, NULL);
		assert_int_equal(j.verdict, VERDICT_FAIL);
		char pattern[128];
		snprintf(pattern, sizeof(pattern), "login error answer carries %s:", kinds[i]);
		assert_matches(j.summary, pattern);
		json_object_put(o);
	}
	/* The DUT's own address is not an internal one it leaks. */
	struct json_object *answers = json_object_new_array();
	json_object_array_add(answers, answer("aa", 401, "login at 198.18.8.2 failed", 24, 24));
	struct json_object *o = enumeration(samples(24, 401, "aa", 100, 3),
					    samples(24, 401, "aa", 100, 3), answers);
	assert_int_equal(judge_with("auth.error-messages", o, NULL, NULL).verdict, VERDICT_MANUAL);
	json_object_put(o);
}

/* ---- what the collectors share: the pacing and the default list ---- */

static void test_pacing_and_list(void **state)
{
	(void)state;
	struct profile p;
	memset(&p, 0, sizeof(p));
	struct auth_pacing pacing;
	/* Declared: threshold - 1 wrong tries, then the reset time and a margin. */
	p.auth.lockout_threshold = 5;
	p.auth.lockout_period_seconds = 30;
	p.auth.lockout_reset_seconds = 60;
	auth_pacing_from_profile(&p, &pacing);
	assert_true(pacing.declared);
	assert_int_equal(pacing.tries_per_window, 4);
	assert_int_equal(pacing.window_seconds, 63);
	/* Only the period: it stands for the reset. */
	p.auth.lockout_reset_seconds = 0;
	auth_pacing_from_profile(&p, &pacing);
	assert_int_equal(pacing.window_seconds, 33);
	/* Nothing declared: 2 tries (a DUT may lock at 3), a minute apart. */
	memset(&p, 0, sizeof(p));
	auth_pacing_from_profile(&p, &pacing);
	assert_false(pacing.declared);
	assert_int_equal(pacing.threshold, 5);
	assert_int_equal(pacing.tries_per_window, 2);
	assert_int_equal(pacing.window_seconds, 63);
	/* A threshold of 1 still allows one try (and the observation says so). */
	p.auth.lockout_threshold = 1;
	auth_pacing_from_profile(&p, &pacing);
	assert_int_equal(pacing.tries_per_window, 1);

	/* The list: 50 to 80 pairs, none twice, Mirai's first entries first. */
	assert_in_range(auth_default_list_count, 50, 80);
	assert_string_equal(auth_default_list[0].username, "root");
	assert_string_equal(auth_default_list[0].password, "xc3511");
	for (size_t i = 0; i < auth_default_list_count; i++)
		for (size_t k = i + 1; k < auth_default_list_count; k++)
			assert_false(strcmp(auth_default_list[i].username,
					    auth_default_list[k].username) == 0 &&
				     strcmp(auth_default_list[i].password,
					    auth_default_list[k].password) == 0);
}

static void test_test_credential(void **state)
{
	(void)state;
	struct profile_credential creds[] = {
		{.role = "admin", .username = "admin", .password = "A"},
		{.role = "test", .username = "dltest", .password = "T"},
		{.role = "alias", .username = "admin", .password = "A"},
	};
	struct profile p;
	memset(&p, 0, sizeof(p));
	p.credentials = creds;
	p.credential_count = DL_ARRAY_SIZE(creds);
	const char *why = NULL;
	assert_null(auth_test_credential(&p, &why));
	assert_non_null(strstr(why, "no auth.test_credential"));
	p.auth.test_credential = "test";
	const struct profile_credential *c = auth_test_credential(&p, &why);
	assert_non_null(c);
	assert_string_equal(c->username, "dltest");
	/* Never the admin, by role or by account. */
	p.auth.test_credential = "admin";
	assert_null(auth_test_credential(&p, &why));
	assert_non_null(strstr(why, "never locks the admin"));
	p.auth.test_credential = "alias";
	assert_null(auth_test_credential(&p, &why));
	assert_non_null(strstr(why, "the admin's"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults_pass),
		cmocka_unit_test(test_defaults_fail_as_delivered),
		cmocka_unit_test(test_defaults_fail_after_reset),
		cmocka_unit_test(test_defaults_manual_inconclusive),
		cmocka_unit_test(test_defaults_restore_warning),
		cmocka_unit_test(test_defaults_per_unit),
		cmocka_unit_test(test_lockout_ts),
		cmocka_unit_test(test_lockout_ncc),
		cmocka_unit_test(test_lockout_other),
		cmocka_unit_test(test_enumeration_pass),
		cmocka_unit_test(test_enumeration_fail_content),
		cmocka_unit_test(test_enumeration_fail_timing),
		cmocka_unit_test(test_enumeration_inconclusive),
		cmocka_unit_test(test_error_messages_leaks),
		cmocka_unit_test(test_pacing_and_list),
		cmocka_unit_test(test_test_credential),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
