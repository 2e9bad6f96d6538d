/* test-password-judges: auth.password-policy, auth.password-lifetime, auth.masking and
 * auth.storage verdicts from canned observations, and the test-password generator */
#include "core/compat.h"

#include <setjmp.h>
#include <cmocka.h>
#include <json-c/json.h>

#include "checks/auth/password-policy.h"
#include "checks/check.h"
#include "core/error.h"
#include "core/profile.h"

struct judged {
	enum verdict verdict;
	char summary[512];
	char findings[4096];
};

/* Judge text with check id and params ("name=value" pairs, NULL-ended). */
static struct judged judge(const char *id, const char *text, const struct profile *profile,
			   const char *const *pairs)
{
	const struct check *c = check_find(id);
	assert_non_null(c);
	struct json_object *o = json_tokener_parse(text);
	if (!o)
		fail_msg("test JSON does not parse: %s", text);
	struct check_param items[8];
	char names[8][32];
	size_t n = 0;
	for (; pairs && pairs[n] && n < 8; n++) {
		const char *eq = strchr(pairs[n], '=');
		assert_non_null(eq);
		snprintf(names[n], sizeof(names[n]), "%.*s", (int)(eq - pairs[n]), pairs[n]);
		items[n] = (struct check_param){.name = names[n], .value = eq + 1};
	}
	struct check_params params = {.items = items, .count = n};
	struct check_verdict v;
	memset(&v, 0, sizeof(v));
	struct dl_error err = {0};
	int rc = c->judge(o, &params, profile, &v, &err);
	if (rc)
		fail_msg("%s judge failed: %s", id, err.message);
	struct judged j = {.verdict = v.verdict};
	snprintf(j.summary, sizeof(j.summary), "%s", v.summary ? v.summary : "");
	for (size_t i = 0; i < v.finding_count; i++) {
		size_t len = strlen(j.findings);
		snprintf(j.findings + len, sizeof(j.findings) - len, "%s\n", v.findings[i].text);
	}
	check_verdict_release(&v);
	json_object_put(o);
	return j;
}

static void expect(const struct judged *j, enum verdict verdict, const char *summary_part)
{
	if (j->verdict != verdict || !strstr(j->summary, summary_part))
		fail_msg("got %s '%s'; expected %s containing '%s'\nfindings:\n%s",
			 verdict_name(j->verdict), j->summary, verdict_name(verdict), summary_part,
			 j->findings);
}

/* ---- auth.password-policy ---- */

#define ATTEMPT(test, length, classes, outcome, warning)                                           \
	"{\"test\": \"" test "\", \"length\": " #length ", \"classes\": " #classes                 \
	", \"outcome\": \"" outcome                                                                \
	"\", \"excerpt\": \"BAD PASSWORD: msg\", \"warning\": \"" warning "\"}"
#define BATTERY(attempts)                                                                          \
	"{\"adapter\": \"shell\", \"driver\": \"ssh-password\", \"username\": \"dltest\", "        \
	"\"attempts\": [" attempts "]}"

static const char *const length9[] = {"rule=length", "min=9", NULL};
static const char *const classes3[] = {"rule=classes", "classes=3", NULL};

static void test_policy_length(void **state)
{
	(void)state;
	struct profile p;
	memset(&p, 0, sizeof(p));
	/* 7 and 8 refused, control accepted: pass, literal reading stated */
	struct judged j =
		judge("auth.password-policy",
		      BATTERY(ATTEMPT("length", 7, 4, "refused", "") "," ATTEMPT(
			      "length", 8, 4, "refused",
			      "") "," ATTEMPT("length", 9, 4, "accepted",
					      "") "," ATTEMPT("control", 16, 4, "accepted", "")),
		      &p, length9);
	expect(&j, VERDICT_PASS, "all 2 passwords shorter than 9 characters were refused (2)");
	assert_non_null(strstr(j.summary, "more than 8"));
	/* 8 accepted without a warning: fail naming it */
	j = judge("auth.password-policy",
		  BATTERY(ATTEMPT("length", 7, 4, "refused", "") "," ATTEMPT(
			  "length", 8, 4, "accepted", "") "," ATTEMPT("control", 16, 4, "accepted",
								      "")),
		  &p, length9);
	expect(&j, VERDICT_FAIL,
	       "1 of 2 weak passwords accepted: a password of 8 characters and 4 classes");
	/* accepted with a warning that names the weakness (decision #9): pass */
	j = judge("auth.password-policy",
		  BATTERY(ATTEMPT("length", 7, 4, "refused", "") "," ATTEMPT(
			  "length", 8, 4, "accepted",
			  "Weak: the password is too short") "," ATTEMPT("control", 16, 4,
									 "accepted", "")),
		  &p, length9);
	expect(&j, VERDICT_PASS, "refused (1) or warned about (1)");
	/* a warning that does not name it does not count */
	j = judge("auth.password-policy",
		  BATTERY(ATTEMPT("length", 7, 4, "refused", "") "," ATTEMPT(
			  "length", 8, 4, "accepted",
			  "Password saved") "," ATTEMPT("control", 16, 4, "accepted", "")),
		  &p, length9);
	expect(&j, VERDICT_FAIL, "1 of 2 weak passwords accepted");
	assert_non_null(strstr(j.findings, "does not name the weakness"));
	/* the control refused: a refusal proves nothing */
	j = judge("auth.password-policy",
		  BATTERY(ATTEMPT("length", 7, 4, "refused",
				  "") "," ATTEMPT("length", 8, 4, "refused",
						  "") "," ATTEMPT("control", 16, 4, "refused", "")),
		  &p, length9);
	expect(&j, VERDICT_INCONCLUSIVE,
	       "compliant control password (16 characters, 4 classes) "
	       "was refused");
	/* the boundary (8) not tried: inconclusive */
	j = judge("auth.password-policy",
		  BATTERY(ATTEMPT("length", 7, 4, "refused", "") "," ATTEMPT("control", 16, 4,
									     "accepted", "")),
		  &p, length9);
	expect(&j, VERDICT_INCONCLUSIVE, "did not reach the length case at the threshold 9");
	/* no battery at all */
	j = judge("auth.password-policy", "{\"skipped\": \"no login adapter can change\"}", &p,
		  length9);
	expect(&j, VERDICT_INCONCLUSIVE, "no login adapter can change");
	/* a declared recognised policy is judged on its own values (decision #10) */
	p.auth.password_policy_reference = "NIST SP 800-63B";
	p.auth.password_min_length = 8;
	j = judge("auth.password-policy",
		  BATTERY(ATTEMPT("length", 7, 4, "refused", "") "," ATTEMPT(
			  "length", 8, 4, "accepted", "") "," ATTEMPT("control", 16, 4, "accepted",
								      "")),
		  &p, length9);
	expect(&j, VERDICT_PASS, "under the declared policy NIST SP 800-63B");
}

static void test_policy_classes_username_history(void **state)
{
	(void)state;
	struct profile p;
	memset(&p, 0, sizeof(p));
	struct judged j =
		judge("auth.password-policy",
		      BATTERY(ATTEMPT("classes", 16, 1, "refused", "") "," ATTEMPT(
			      "classes", 16, 2, "refused",
			      "") "," ATTEMPT("classes", 16, 3, "accepted",
					      "") "," ATTEMPT("control", 16, 4, "accepted", "")),
		      &p, classes3);
	expect(&j, VERDICT_PASS, "all 2 passwords of fewer than 3 character classes were refused");
	j = judge("auth.password-policy",
		  BATTERY(ATTEMPT("classes", 16, 1, "refused", "") "," ATTEMPT(
			  "classes", 16, 2, "accepted", "") "," ATTEMPT("control", 16, 4,
									"accepted", "")),
		  &p, classes3);
	expect(&j, VERDICT_FAIL, "a password of 16 characters and 2 classes");

	static const char *const username3[] = {"rule=username", "run=3", NULL};
	static const char run_refused[] =
		"{\"test\": \"username\", \"length\": 16, \"classes\": 4, \"run\": \"dlt\", "
		"\"run_length\": 3, \"run_case\": \"same case\", \"outcome\": \"refused\"}";
	static const char run_accepted[] =
		"{\"test\": \"username\", \"length\": 16, \"classes\": 4, \"run\": \"EST\", "
		"\"run_length\": 3, \"run_case\": \"other case\", \"outcome\": \"accepted\"}";
	j = judge("auth.password-policy", BATTERY(ATTEMPT("control", 16, 4, "accepted", "")), &p,
		  username3);
	expect(&j, VERDICT_INCONCLUSIVE, "did not reach the username case");
	char text[2048];
	snprintf(text, sizeof(text), BATTERY("%s,%s," ATTEMPT("control", 16, 4, "accepted", "")),
		 run_refused, run_accepted);
	j = judge("auth.password-policy", text, &p, username3);
	expect(&j, VERDICT_FAIL, "a password containing 'EST' of the user name (other case)");
	snprintf(text, sizeof(text), BATTERY("%s," ATTEMPT("control", 16, 4, "accepted", "")),
		 run_refused);
	j = judge("auth.password-policy", text, &p, username3);
	expect(&j, VERDICT_PASS, "run of the user name 'dltest' (either case) were refused");
	/* a two-letter account name: not applicable (decision #11) */
	j = judge("auth.password-policy",
		  "{\"username\": \"ab\", \"attempts\": [" ATTEMPT("control", 16, 4, "accepted",
								   "") "]}",
		  &p, username3);
	expect(&j, VERDICT_NOT_APPLICABLE, "shorter than 3 characters");

	static const char *const history[] = {"rule=history", NULL};
	p.auth.password_history = 2;
	static const char reuse[] =
		"{\"test\": \"history\", \"length\": 16, \"classes\": 4, \"reuse_depth\": %d, "
		"\"outcome\": \"%s\"}";
	char a1[256], a2[256];
	snprintf(a1, sizeof(a1), reuse, 1, "refused");
	snprintf(a2, sizeof(a2), reuse, 2, "refused");
	snprintf(text, sizeof(text),
		 BATTERY(ATTEMPT("control", 16, 4, "accepted",
				 "") ",%s,%s," ATTEMPT("control_history", 16, 4, "accepted", "")),
		 a1, a2);
	j = judge("auth.password-policy", text, &p, history);
	expect(&j, VERDICT_PASS, "reuse of each of the last 2 passwords was refused");
	assert_non_null(strstr(j.summary, "as declared"));
	snprintf(a2, sizeof(a2), reuse, 2, "accepted");
	snprintf(text, sizeof(text),
		 BATTERY(ATTEMPT("control", 16, 4, "accepted",
				 "") ",%s,%s," ATTEMPT("control_history", 16, 4, "accepted", "")),
		 a1, a2);
	j = judge("auth.password-policy", text, &p, history);
	expect(&j, VERDICT_FAIL, "the password used 2 changes before");
	/* only A->B->A tried when depth 2 is declared: the boundary is missing */
	snprintf(text, sizeof(text),
		 BATTERY(ATTEMPT("control", 16, 4, "accepted",
				 "") ",%s," ATTEMPT("control_history", 16, 4, "accepted", "")),
		 a1);
	j = judge("auth.password-policy", text, &p, history);
	expect(&j, VERDICT_INCONCLUSIVE, "history case at the threshold 2");
}

/* ---- auth.password-lifetime ---- */

static void test_lifetime(void **state)
{
	(void)state;
	struct profile p;
	memset(&p, 0, sizeof(p));
	p.auth.password_min_age_days = 1;
	p.auth.password_max_age_days = 90;
	static const char *const iot5131[] = {"require=min_age,expiry", NULL};
	static const char *const iot5117[] = {"require=reminder,expiry", NULL};
	static const char refused_confirmed[] =
		"{\"attempts\": [{\"test\": \"min_age\", \"outcome\": \"refused\", \"excerpt\": "
		"\"You must wait longer to change your password\"}, {\"test\": "
		"\"min_age_confirm\", \"outcome\": \"accepted\"}], \"lifetime\": {\"reminder\": "
		"{\"state\": \"done\", \"outcome\": \"accepted\", \"reminder_seen\": true, "
		"\"excerpt\": \"Warning: your password will expire in 5 days\"}, \"expiry\": "
		"{\"state\": \"done\", \"outcome\": \"change_required\", \"excerpt\": \"You are "
		"required to change your password immediately\"}}}";
	struct judged j = judge("auth.password-lifetime", refused_confirmed, &p, iot5131);
	expect(&j, VERDICT_PASS, "every lifetime requirement (min_age,expiry) enforced");
	j = judge("auth.password-lifetime", refused_confirmed, &p, iot5117);
	expect(&j, VERDICT_PASS, "(reminder,expiry)");
	assert_non_null(strstr(j.findings, "will expire in 5 days"));

	/* no ageing operations: manual, never guessed (decision #12) */
	static const char no_ops[] =
		"{\"attempts\": [{\"test\": \"min_age\", \"outcome\": \"refused\"}], \"lifetime\": "
		"{\"reminder\": {\"state\": \"not_done\", \"why\": \"the profile declares no "
		"warn_password operation\"}, \"expiry\": {\"state\": \"not_done\", \"why\": \"the "
		"profile declares no expire_password operation\"}}}";
	j = judge("auth.password-lifetime", no_ops, &p, iot5131);
	expect(&j, VERDICT_MANUAL, "1 of 2 lifetime requirements (min_age,expiry) need the clock");
	assert_non_null(strstr(j.findings, "no ageing operation confirmed"));

	/* the bad DUT: the second change accepted, expiry not enforced */
	static const char bad[] =
		"{\"attempts\": [{\"test\": \"min_age\", \"outcome\": \"accepted\"}], "
		"\"lifetime\": "
		"{\"reminder\": {\"state\": \"done\", \"outcome\": \"accepted\", "
		"\"reminder_seen\": "
		"false, \"excerpt\": \"Welcome\"}, \"expiry\": {\"state\": \"done\", \"outcome\": "
		"\"accepted\", \"excerpt\": \"Welcome\"}}}";
	j = judge("auth.password-lifetime", bad, &p, iot5131);
	expect(&j, VERDICT_FAIL, "2 of 2 lifetime requirements (min_age,expiry) not enforced");
	j = judge("auth.password-lifetime", bad, &p, iot5117);
	expect(&j, VERDICT_FAIL, "2 of 2");
	assert_non_null(strstr(j.findings, "gave no reminder"));
}

/* ---- auth.masking ---- */

static void test_masking(void **state)
{
	(void)state;
	static const char good[] =
		"{\"interfaces\": [{\"adapter\": \"web\", \"driver\": \"http-basic\", \"port\": "
		"9090, \"kind\": \"web-form\", \"page\": \"https://198.18.7.2:9090/\", "
		"\"password_inputs\": [{\"name\": \"login-password-input\", \"type\": "
		"\"password\"}], \"masked\": true}, {\"adapter\": \"shell\", \"driver\": "
		"\"ssh-password\", \"port\": 22, \"kind\": \"ssh\"}]}";
	struct judged j = judge("auth.masking", good, NULL, NULL);
	expect(&j, VERDICT_PASS, "every one of 1 login interfaces masks the typed password");
	assert_non_null(strstr(j.findings, "type=\"password\""));
	assert_non_null(strstr(j.findings, "out of scope"));
	static const char bad[] =
		"{\"interfaces\": [{\"adapter\": \"web\", \"driver\": \"http-form\", \"port\": 80, "
		"\"kind\": \"web-form\", \"page\": \"http://198.18.8.2/login\", "
		"\"password_inputs\": [{\"name\": \"pass\", \"type\": \"text\"}], \"masked\": "
		"false}, {\"adapter\": \"tn\", \"driver\": \"telnet\", \"port\": 23, \"kind\": "
		"\"telnet\", \"password_echoed\": true, \"masked\": false}]}";
	j = judge("auth.masking", bad, NULL, NULL);
	expect(&j, VERDICT_FAIL,
	       "2 of 2 login interfaces show the typed password (web: "
	       "<input name=\"pass\" type=\"text\">)");
	assert_non_null(strstr(j.findings, "came back in clear"));
	static const char basic[] =
		"{\"interfaces\": [{\"adapter\": \"web\", \"driver\": \"http-basic\", \"port\": "
		"80, "
		"\"kind\": \"client-dialog\", \"masked\": true}, {\"adapter\": \"tn\", \"driver\": "
		"\"telnet\", \"port\": 23, \"kind\": \"telnet\", \"password_echoed\": false, "
		"\"masked\": true}]}";
	j = judge("auth.masking", basic, NULL, NULL);
	expect(&j, VERDICT_PASS, "every one of 2");
	assert_non_null(strstr(j.findings, "masked by the client"));
	static const char ssh_only[] = "{\"interfaces\": [{\"adapter\": \"shell\", \"driver\": "
				       "\"ssh-password\", \"port\": 22, \"kind\": \"ssh\"}]}";
	j = judge("auth.masking", ssh_only, NULL, NULL);
	expect(&j, VERDICT_NOT_APPLICABLE, "SSH is out of scope");
	static const char unknown[] =
		"{\"interfaces\": [{\"adapter\": \"api\", \"driver\": \"http-json\", \"port\": 80, "
		"\"kind\": \"undetermined\", \"why\": \"no page has a password input\"}]}";
	j = judge("auth.masking", unknown, NULL, NULL);
	expect(&j, VERDICT_INCONCLUSIVE, "1 of 1 login interfaces could not be examined");
}

/* ---- auth.storage ---- */

#define CANARY_SET "\"canary\": {\"set\": true, \"account\": \"dltest\", \"adapter\": \"shell\"}"

static void test_storage(void **state)
{
	(void)state;
	static const char *const ncc[] = {"weak_hash=finding", NULL};
	static const char *const ts[] = {"weak_hash=fail", NULL};
	static const char strong[] =
		"{" CANARY_SET ", \"files\": [{\"file\": \"export_config!/etc/shadow\", "
		"\"matches\": [], \"hashes\": [{\"offset\": 7, \"scheme\": \"yescrypt\", "
		"\"grade\": \"strong\", \"salted\": true, \"approved\": false, \"cost\": 0, "
		"\"account\": \"dltest\", \"verified_as\": \"the canary password of dltest\"}]}]}";
	struct judged j = judge("auth.storage", strong, NULL, ts);
	expect(&j, VERDICT_PASS, "1 stored hash, all salted and slow, 1 verified");
	assert_non_null(strstr(j.findings, "yescrypt hash (strong, salted) of account dltest; "
					   "verified: it is the canary password of dltest"));

	static const char clear[] =
		"{" CANARY_SET ", \"files\": [{\"file\": \"export_config!/etc/lighttpd/users\", "
		"\"matches\": [{\"offset\": 6, \"encoding\": \"clear\", \"secret\": \"the admin "
		"password from the profile\", \"masked\": \"*** (5 characters)\", \"ambiguous\": "
		"false}], \"hashes\": []}]}";
	j = judge("auth.storage", clear, NULL, ncc);
	expect(&j, VERDICT_FAIL,
	       "1 place holds a password dutlab knows in a recoverable form "
	       "(first: clear in export_config!/etc/lighttpd/users at 6)");
	assert_non_null(strstr(j.findings, "in clear (*** (5 characters))"));

	/* an ambiguous hit (the password is also a user name) is not counted */
	static const char ambiguous[] =
		"{" CANARY_SET ", \"files\": [{\"file\": \"cfg\", \"matches\": [{\"offset\": 0, "
		"\"encoding\": \"clear\", \"secret\": \"the admin password from the profile\", "
		"\"masked\": \"***\", \"ambiguous\": true}], \"hashes\": [{\"scheme\": \"md5\", "
		"\"grade\": \"weak\", \"salted\": false, \"verified_as\": \"the canary password of "
		"dltest\"}]}]}";
	j = judge("auth.storage", ambiguous, NULL, ncc);
	expect(&j, VERDICT_PASS, "1 hash is weak (a finding, decision #18)");
	j = judge("auth.storage", ambiguous, NULL, ts);
	expect(&j, VERDICT_FAIL, "1 stored password hash use a weak or legacy construction");

	static const char cisco7[] =
		"{\"canary\": {\"set\": false, \"why\": \"no adapter\"}, \"files\": [{\"file\": "
		"\"artifact:config_backup\", \"matches\": [], \"hashes\": [{\"scheme\": "
		"\"cisco-type-7\", \"grade\": \"reversible\", \"salted\": false}]}]}";
	j = judge("auth.storage", cisco7, NULL, ncc);
	expect(&j, VERDICT_FAIL, "1 place holds a password dutlab knows in a recoverable form");

	static const char nothing[] = "{" CANARY_SET ", \"files\": []}";
	j = judge("auth.storage", nothing, NULL, ncc);
	expect(&j, VERDICT_INCONCLUSIVE, "nothing to search");
	static const char unknown_store[] =
		"{" CANARY_SET ", \"files\": [{\"file\": \"artifact:firmware\", \"matches\": [], "
		"\"hashes\": []}]}";
	j = judge("auth.storage", unknown_store, NULL, ncc);
	expect(&j, VERDICT_INCONCLUSIVE, "where the DUT stores it was not found");
}

/* ---- the generator ---- */

static void test_generate(void **state)
{
	(void)state;
	char out[AUTH_PASSWORD_MAX];
	const char *avoid[1] = {"x"};
	for (int i = 0; i < 200; i++) {
		assert_int_equal(auth_password_generate(AUTH_CLASS_LOWER | AUTH_CLASS_DIGIT, 16,
							"dltest", avoid, 1, out, sizeof(out)),
				 0);
		assert_int_equal(strlen(out), 16);
		assert_int_equal(auth_password_classes(out), 2);
		assert_false(auth_password_has_user_run(out, "dltest", 3));
		for (size_t k = 1; k < 16; k++)
			assert_true(out[k] != out[k - 1]);
	}
	assert_int_equal(auth_password_generate(0xf, 7, "dltest", NULL, 0, out, sizeof(out)), 0);
	assert_int_equal(auth_password_classes(out), 4);
	assert_int_equal(auth_password_generate(0xf, 3, "dltest", NULL, 0, out, sizeof(out)),
			 DL_EINVAL);
	assert_true(auth_password_has_user_run("xxTESxx", "dltest", 3));
	assert_false(auth_password_has_user_run("xxTExx", "dltest", 3));
	assert_false(auth_password_has_user_run("abc", "ab", 3));
	assert_true(auth_warning_names_weakness("Password too short", "length"));
	assert_true(auth_warning_names_weakness("must contain an uppercase letter", "classes"));
	assert_false(auth_warning_names_weakness("Password changed", "length"));
	assert_false(auth_warning_names_weakness("", "classes"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_policy_length),
		cmocka_unit_test(test_policy_classes_username_history),
		cmocka_unit_test(test_lifetime),
		cmocka_unit_test(test_masking),
		cmocka_unit_test(test_storage),
		cmocka_unit_test(test_generate),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
