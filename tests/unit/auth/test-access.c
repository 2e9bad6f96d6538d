/* test-access: the auth.roles and auth.every-interface judges on canned observations, both ways */
#include "core/compat.h"

#include <setjmp.h>
#include <cmocka.h>
#include <json-c/json.h>
#include <regex.h>

#include "checks/auth/unauth-internal.h"
#include "checks/check.h"
#include "core/error.h"
#include "core/profile.h"

struct judged {
	enum verdict verdict;
	char summary[1024];
	size_t fails, passes, warnings;
	char findings[16384];
	char evidence[1024]; /* the evidence paths of FAIL findings */
};

static int judge_raw(const char *check_id, const char *text, const char *param, const char *value,
		     const struct profile *profile, struct judged *j)
{
	const struct check *c = check_find(check_id);
	assert_non_null(c);
	struct json_object *o = json_tokener_parse(text);
	if (!o)
		fail_msg("bad test JSON: %s", text);
	struct check_param item = {.name = param, .value = value};
	struct check_params params = {.items = param ? &item : NULL, .count = param ? 1 : 0};
	struct check_verdict v;
	memset(&v, 0, sizeof(v));
	struct dl_error err = {0};
	int rc = c->judge(o, &params, profile, &v, &err);
	memset(j, 0, sizeof(*j));
	j->verdict = v.verdict;
	snprintf(j->summary, sizeof(j->summary), "%s", v.summary ? v.summary : err.message);
	size_t used = 0, eused = 0;
	for (size_t i = 0; i < v.finding_count; i++) {
		const struct finding *f = &v.findings[i];
		j->fails += f->severity == FINDING_FAIL;
		j->passes += f->severity == FINDING_PASS;
		j->warnings += f->severity == FINDING_WARNING;
		int n = snprintf(j->findings + used, sizeof(j->findings) - used, "%s\n", f->text);
		if (n > 0 && (size_t)n < sizeof(j->findings) - used)
			used += (size_t)n;
		if (f->severity == FINDING_FAIL && f->evidence) {
			n = snprintf(j->evidence + eused, sizeof(j->evidence) - eused, "%s\n",
				     f->evidence);
			if (n > 0 && (size_t)n < sizeof(j->evidence) - eused)
				eused += (size_t)n;
		}
	}
	check_verdict_release(&v);
	json_object_put(o);
	return rc;
}

static struct judged judge(const char *check_id, const char *text, const char *param,
			   const char *value)
{
	struct profile profile;
	memset(&profile, 0, sizeof(profile));
	struct judged j;
	int rc = judge_raw(check_id, text, param, value, &profile, &j);
	if (rc)
		fail_msg("%s: %s", check_id, j.summary);
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

/* ---- auth.roles ---- */

/* An admin may read the secrets and add a user; an operator may do neither. */
#define ROLES_HEAD(admin_may, oper_may)                                                            \
	"{\"version\": 1, \"address\": \"198.18.7.2\", \"roles\": ["                               \
	"{\"name\": \"admin\", \"credential\": \"admin\", \"username\": \"admin\", \"may\": "      \
	"[" admin_may "]},"                                                                        \
	"{\"name\": \"operator\", \"credential\": \"operator\", \"username\": \"oper\", \"may\": " \
	"[" oper_may "]}],"                                                                        \
	"\"adapters\": [{\"name\": \"shell\", \"driver\": \"ssh-password\", \"port\": 22,"         \
	" \"actions\": [{\"name\": \"read_secrets\", \"request\": \"cat /etc/mgmt/secrets\"},"     \
	" {\"name\": \"add_user\", \"request\": \"sudo -n useradd dltmp && sudo -n userdel "       \
	"dltmp\"}]}],"                                                                             \
	"\"notes\": [],"

#define CELL(role, login, read, add)                                                               \
	"{\"role\": \"" role "\", \"adapter\": \"shell\", \"evidence\": "                          \
	"\"evidence/auth/roles-" role "-shell.log\", \"login\": {\"outcome\": \"" login            \
	"\", \"status\": 0, \"excerpt\": \"\"},"                                                   \
	" \"actions\": [{\"action\": \"read_secrets\", \"outcome\": \"" read "\", \"status\": 1,"  \
	" \"excerpt\": \"cat: Permission denied\"},"                                               \
	" {\"action\": \"add_user\", \"outcome\": \"" add "\", \"status\": 0, \"excerpt\": "       \
	"\"\"}]}"

#define ADMIN_MAY "\"read_secrets\", \"add_user\""

static const char roles_good[] = ROLES_HEAD(ADMIN_MAY, "") "\"cells\": [" CELL(
	"admin", "accepted", "accepted", "accepted") "," CELL("operator", "accepted", "refused",
							      "refused") "]}";

/* mgmt-bad: the operator is in the admin group and does what only the admin may. */
static const char roles_operator_is_admin[] = ROLES_HEAD(ADMIN_MAY, "") "\"cells\": [" CELL(
	"admin", "accepted", "accepted", "accepted") "," CELL("operator", "accepted", "accepted",
							      "accepted") "]}";

/* The admin is refused add_user although the documentation gives it. */
static const char roles_admin_refused[] = ROLES_HEAD(ADMIN_MAY, "") "\"cells\": [" CELL(
	"admin", "accepted", "accepted", "refused") "," CELL("operator", "accepted", "refused",
							     "refused") "]}";

static const char roles_same_documented[] = ROLES_HEAD(ADMIN_MAY, ADMIN_MAY) "\"cells\": [" CELL(
	"admin", "accepted", "accepted", "accepted") "," CELL("operator", "accepted", "accepted",
							      "accepted") "]}";

static const char roles_operator_no_login[] = ROLES_HEAD(ADMIN_MAY, "") "\"cells\": [" CELL(
	"admin", "accepted", "accepted", "accepted") "," CELL("operator", "refused", "not_tried",
							      "not_tried") "]}";

static const char roles_one_role[] =
	"{\"version\": 1, \"roles\": [{\"name\": \"admin\", \"may\": [\"read_secrets\"]}],"
	" \"adapters\": [{\"name\": \"shell\", \"driver\": \"ssh-password\", \"actions\": "
	"[{\"name\": \"read_secrets\", \"request\": \"cat x\"}]}], \"cells\": []}";

static const char roles_unreachable[] = ROLES_HEAD(ADMIN_MAY, "") "\"cells\": [" CELL(
	"admin", "accepted", "accepted", "unreachable") "," CELL("operator", "accepted", "refused",
								 "refused") "]}";

static void test_roles_matrix_equal_passes(void **state)
{
	(void)state;
	struct judged j = judge("auth.roles", roles_good, "require", "matrix");
	assert_int_equal(j.verdict, VERDICT_PASS);
	assert_matches(j.summary, "^the observed permissions of 2 roles equal the documented "
				  "matrix \\(4 role-action pairs tried; read_secrets on shell is "
				  "allowed for admin and refused for operator\\)$");
	assert_int_equal(j.fails, 0);
	assert_int_equal(j.passes, 4);
	/* the observed matrix is in the findings */
	assert_matches(j.findings, "observed matrix, role admin: shell/read_secrets allowed, "
				   "shell/add_user allowed");
	assert_matches(j.findings, "observed matrix, role operator: shell/read_secrets refused, "
				   "shell/add_user refused");
}

static void test_roles_separation_passes(void **state)
{
	(void)state;
	struct judged j = judge("auth.roles", roles_good, "require", "separation");
	assert_int_equal(j.verdict, VERDICT_PASS);
	assert_matches(j.summary, "^2 roles log in with different authorisations: read_secrets "
				  "on shell is allowed for admin and refused for operator");
}

static void test_roles_excess_fails_both_ways(void **state)
{
	(void)state;
	const char *modes[] = {"matrix", "separation"};
	for (size_t i = 0; i < 2; i++) {
		struct judged j = judge("auth.roles", roles_operator_is_admin, "require", modes[i]);
		assert_int_equal(j.verdict, VERDICT_FAIL);
		assert_matches(j.summary, "^2 permissions beyond the documented roles \\(of 4 "
					  "tried\\)");
		assert_int_equal(j.fails, 2);
		/* the finding names the role, the action, the adapter and the request */
		assert_matches(j.findings,
			       "role operator was allowed add_user on shell \\('sudo -n useradd "
			       "dltmp && sudo -n userdel dltmp' answered accepted, status 0");
		assert_matches(j.findings, "role operator was allowed read_secrets on shell");
		assert_matches(j.evidence, "evidence/auth/roles-operator-shell.log");
	}
}

static void test_roles_documented_refused(void **state)
{
	(void)state;
	struct judged j = judge("auth.roles", roles_admin_refused, "require", "matrix");
	assert_int_equal(j.verdict, VERDICT_FAIL);
	assert_matches(j.summary, "^the observed matrix differs from the documented one: 1 "
				  "documented permission was refused \\(of 4 tried\\)$");
	assert_matches(j.findings, "role admin was refused add_user on shell");
	/* NCC: one separating operation is enough; the refusal is a warning */
	j = judge("auth.roles", roles_admin_refused, "require", "separation");
	assert_int_equal(j.verdict, VERDICT_PASS);
	assert_int_equal(j.warnings, 1);
	assert_int_equal(j.fails, 0);
}

static void test_roles_same_documented_fails(void **state)
{
	(void)state;
	struct judged j = judge("auth.roles", roles_same_documented, "require", "matrix");
	assert_int_equal(j.verdict, VERDICT_FAIL);
	assert_matches(j.summary, "^the 2 documented roles have the same permissions");
	j = judge("auth.roles", roles_same_documented, "require", "separation");
	assert_int_equal(j.verdict, VERDICT_FAIL);
	assert_matches(j.summary, "^no action tried separates two roles");
}

static void test_roles_undecided(void **state)
{
	(void)state;
	struct judged j = judge("auth.roles", roles_operator_no_login, "require", "separation");
	assert_int_equal(j.verdict, VERDICT_INCONCLUSIVE);
	assert_matches(j.summary, "^1 of 2 roles logged in");
	assert_matches(j.findings, "role operator was refused the login on shell \\(refused\\)");
	j = judge("auth.roles", roles_one_role, NULL, NULL);
	assert_int_equal(j.verdict, VERDICT_INCONCLUSIVE);
	assert_matches(j.summary, "^the profile declares 1 role; declare the documented roles");
	j = judge("auth.roles", roles_unreachable, "require", "matrix");
	assert_int_equal(j.verdict, VERDICT_INCONCLUSIVE);
	assert_matches(j.summary, "^1 permission could not be decided");
}

static void test_roles_onvif(void **state)
{
	(void)state;
	/* TS 5.2.6.3 counts only ONVIF adapters: none here */
	struct judged j = judge("auth.roles", roles_good, "drivers", "onvif");
	assert_int_equal(j.verdict, VERDICT_NOT_APPLICABLE);
	assert_matches(j.summary, "declares no onvif interface");
	struct profile p;
	memset(&p, 0, sizeof(p));
	struct profile_capability cap = {.name = "onvif", .value = true};
	p.capabilities = &cap;
	p.capability_count = 1;
	assert_int_equal(judge_raw("auth.roles", roles_good, "drivers", "onvif", &p, &j), 0);
	assert_int_equal(j.verdict, VERDICT_INCONCLUSIVE);
	assert_matches(j.summary, "^no onvif login adapter declares actions");
}

/* TS 5.2.6.3: only the ONVIF adapter counts; the shell's excess is not its business. */
static const char roles_onvif[] =
	"{\"version\": 1, \"roles\": ["
	"{\"name\": \"admin\", \"may\": [\"GetUsers\", \"read_secrets\"]},"
	"{\"name\": \"user\", \"may\": []}],"
	"\"adapters\": [{\"name\": \"onvif\", \"driver\": \"onvif\", \"port\": 8080, \"actions\": "
	"[{\"name\": \"GetUsers\", \"request\": \"GetUsers\"}]},"
	"{\"name\": \"shell\", \"driver\": \"ssh-password\", \"port\": 22, \"actions\": "
	"[{\"name\": \"read_secrets\", \"request\": \"cat x\"}]}],"
	"\"cells\": ["
	"{\"role\": \"admin\", \"adapter\": \"onvif\", \"login\": {\"outcome\": \"accepted\"},"
	" \"actions\": [{\"action\": \"GetUsers\", \"outcome\": \"accepted\", \"status\": 200}]},"
	"{\"role\": \"user\", \"adapter\": \"onvif\", \"login\": {\"outcome\": \"accepted\"},"
	" \"actions\": [{\"action\": \"GetUsers\", \"outcome\": \"refused\", \"status\": 400,"
	" \"excerpt\": \"ter:NotAuthorized\"}]},"
	"{\"role\": \"admin\", \"adapter\": \"shell\", \"login\": {\"outcome\": \"accepted\"},"
	" \"actions\": [{\"action\": \"read_secrets\", \"outcome\": \"accepted\"}]},"
	"{\"role\": \"user\", \"adapter\": \"shell\", \"login\": {\"outcome\": \"accepted\"},"
	" \"actions\": [{\"action\": \"read_secrets\", \"outcome\": \"accepted\"}]}]}";

static void test_roles_onvif_matrix(void **state)
{
	(void)state;
	struct judged j = judge("auth.roles", roles_onvif, "drivers", "onvif");
	assert_int_equal(j.verdict, VERDICT_PASS);
	assert_matches(j.summary, "GetUsers on onvif is allowed for admin and refused for user");
	assert_int_equal(j.fails, 0);
	/* over every adapter the shell's excess decides */
	j = judge("auth.roles", roles_onvif, NULL, NULL);
	assert_int_equal(j.verdict, VERDICT_FAIL);
	assert_matches(j.findings, "role user was allowed read_secrets on shell");
}

static void test_unauth_data_kind(void **state)
{
	(void)state;
	assert_string_equal(unauth_data_kind("/snapshot.jpg"), UNAUTH_DATA_PRIVACY);
	assert_string_equal(unauth_data_kind("GetSnapshotUri"), UNAUTH_DATA_PRIVACY);
	assert_string_equal(unauth_data_kind("/cgi-bin/config.exp"), UNAUTH_DATA_SENSITIVE);
	assert_string_equal(unauth_data_kind("list_users"), UNAUTH_DATA_SENSITIVE);
	assert_string_equal(unauth_data_kind("/config-backup.cfg"), UNAUTH_DATA_SENSITIVE);
	assert_string_equal(unauth_data_kind("/status.html"), UNAUTH_DATA_FUNCTION);
	assert_string_equal(unauth_data_kind("whoami"), UNAUTH_DATA_FUNCTION);
}

static void test_roles_bad_param(void **state)
{
	(void)state;
	struct profile p;
	memset(&p, 0, sizeof(p));
	struct judged j;
	assert_int_equal(judge_raw("auth.roles", roles_good, "require", "most", &p, &j), DL_EINVAL);
	assert_matches(j.summary, "require is 'most'");
	assert_int_equal(judge_raw("auth.roles", "{\"version\": 7}", NULL, NULL, &p, &j),
			 DL_EINVAL);
}

/* ---- auth.every-interface ---- */

#define SERVICE(address, proto, port, name, tries)                                                 \
	"{\"address\": \"" address "\", \"proto\": \"" proto "\", \"port\": " #port                \
	", \"service\": \"" name "\", \"tls\": false, \"evidence\": "                              \
	"\"evidence/auth/unauth-" address "-" proto "-" #port ".log\", \"skipped\": null,"         \
	" \"tries\": [" tries "]}"
#define TRY(request, result, data, status, answer)                                                 \
	"{\"request\": \"" request "\", \"result\": \"" result "\", \"data\": " data               \
	", \"status\": " #status ", \"answer\": \"" answer "\", \"why\": \"test\"}"

#define GOOD_HTTPS                                                                                 \
	SERVICE("198.18.1.2", "tcp", 443, "https",                                                 \
		TRY("GET https://198.18.1.2:443/", "login-page", "null", 200,                      \
		    "<input type=password>") "," TRY("GET https://198.18.1.2:443/config",          \
						     "authenticates", "null", 401,                 \
						     "") "," TRY("GET "                            \
								 "https://198.18.1.2:443/"         \
								 "image.jpg",                      \
								 "absent", "null", 404, ""))
#define GOOD_RTSPS                                                                                 \
	SERVICE("198.18.1.2", "tcp", 322, "rtsps",                                                 \
		TRY("DESCRIBE rtsps://198.18.1.2:322/stream", "authenticates", "null", 401,        \
		    "RTSP/1.0 401 Unauthorized") "," TRY("DESCRIBE rtsps://198.18.1.2:322/live",   \
							 "absent", "null", 404, ""))
#define GOOD_SSH                                                                                   \
	SERVICE("198.18.1.2", "tcp", 22, "ssh",                                                    \
		TRY("SSH userauth 'none' as 'root'", "authenticates", "null", 0, "OpenSSH_9.2"))

#define BAD_RTSP                                                                                   \
	SERVICE("198.18.2.2", "tcp", 554, "rtsp",                                                  \
		TRY("DESCRIBE rtsp://198.18.2.2:554/stream", "authenticates", "null", 401,         \
		    "RTSP/1.0 401 Unauthorized") "," TRY("DESCRIBE rtsp://198.18.2.2:554/live",    \
							 "served", "\"privacy\"", 200,             \
							 "RTSP/1.0 200 OK m=video"))
#define BAD_HTTP                                                                                   \
	SERVICE("198.18.2.2", "tcp", 80, "http",                                                   \
		TRY("GET http://198.18.2.2:80/status.html", "served", "\"function\"", 200,         \
		    "<h1>Status</h1>"))
#define BAD_TELNET                                                                                 \
	SERVICE("198.18.2.2", "tcp", 23, "telnet",                                                 \
		TRY("telnet 198.18.2.2 23", "authenticates", "null", 0, "cam-100-0002 login: "))
#define BAD_GDB                                                                                    \
	SERVICE("198.18.2.2", "tcp", 1234, "gdbserver",                                            \
		TRY("(discovery.scan) gdbserver identification probe", "served", "\"control\"", 0, \
		    "gdbserver answered qSupported"))

#define OBSERVATION(complete, services)                                                            \
	"{\"version\": 1, \"scan_error\": null, \"scan_complete\": " complete                      \
	", \"notes\": [], \"services\": [" services "]}"

static const char unauth_good[] = OBSERVATION("true", GOOD_HTTPS "," GOOD_RTSPS "," GOOD_SSH);
static const char unauth_bad[] = OBSERVATION("true", BAD_RTSP "," BAD_HTTP "," BAD_TELNET);
static const char unauth_bad_gdb[] = OBSERVATION("true", BAD_TELNET "," BAD_GDB);

static void test_every_interface_good(void **state)
{
	(void)state;
	const char *modes[] = {"any", "privacy", "sensitive"};
	for (size_t i = 0; i < 3; i++) {
		struct judged j = judge("auth.every-interface", unauth_good, "data", modes[i]);
		assert_int_equal(j.verdict, VERDICT_PASS);
		assert_matches(j.summary, "^3 services asked without credentials: none serves ");
		assert_int_equal(j.passes, 3);
		assert_matches(j.findings,
			       "tcp/322 \\(rtsps\\) on 198.18.1.2 asks for credentials: 1 "
			       "of 2 requests authenticated");
	}
}

static void test_every_interface_bad(void **state)
{
	(void)state;
	struct judged j = judge("auth.every-interface", unauth_bad, "data", "any");
	assert_int_equal(j.verdict, VERDICT_FAIL);
	assert_matches(j.summary, "^2 requests without credentials served any function or data: "
				  "198.18.2.2 tcp/554 \\(rtsp\\), 198.18.2.2 tcp/80 \\(http\\)$");
	assert_matches(j.findings, "tcp/554 \\(rtsp\\) on 198.18.2.2 serves privacy without "
				   "credentials: DESCRIBE rtsp://198.18.2.2:554/live -> 'RTSP/1.0 "
				   "200 OK m=video'");
	assert_matches(j.evidence, "evidence/auth/unauth-198.18.2.2-tcp-554.log");
	/* TS 5.5.1.1: the open stream decides; the status page is a warning */
	j = judge("auth.every-interface", unauth_bad, "data", "privacy");
	assert_int_equal(j.verdict, VERDICT_FAIL);
	assert_matches(j.summary, "^1 request without credentials served privacy data \\(video, "
				  "snapshots, recordings\\): 198.18.2.2 tcp/554 \\(rtsp\\)$");
	assert_int_equal(j.fails, 1);
	assert_int_equal(j.warnings, 1);
	/* TS 5.2.4.1: neither is sensitive data */
	j = judge("auth.every-interface", unauth_bad, "data", "sensitive");
	assert_int_equal(j.verdict, VERDICT_PASS);
	assert_matches(j.summary, "other data served is listed as a warning");
	/* a debugger without credentials gives away everything */
	j = judge("auth.every-interface", unauth_bad_gdb, "data", "sensitive");
	assert_int_equal(j.verdict, VERDICT_FAIL);
	assert_matches(j.summary, "tcp/1234 \\(gdbserver\\)");
}

static void test_every_interface_undecided(void **state)
{
	(void)state;
	static const char skipped[] = OBSERVATION(
		"true", GOOD_SSH ",{\"address\": \"198.18.1.2\", \"proto\": \"tcp\", \"port\": "
				 "9999, \"service\": \"unknown\", \"tries\": [], \"skipped\": \"no "
				 "unauthenticated request for this service\"}");
	struct judged j = judge("auth.every-interface", skipped, "data", "any");
	assert_int_equal(j.verdict, VERDICT_INCONCLUSIVE);
	assert_matches(j.summary, "^1 service could not be decided; the other 1 serve no");
	assert_matches(j.findings, "tcp/9999 \\(unknown\\) on 198.18.1.2 was not asked");

	static const char announce[] = OBSERVATION(
		"true", GOOD_SSH ",{\"address\": \"198.18.1.2\", \"proto\": \"udp\", \"port\": "
				 "5353, \"service\": \"mdns\", \"tries\": [], \"skipped\": \"a "
				 "discovery protocol: it serves no function to ask for\"}");
	j = judge("auth.every-interface", announce, "data", "any");
	assert_int_equal(j.verdict, VERDICT_PASS);

	j = judge("auth.every-interface", OBSERVATION("false", GOOD_SSH), "data", "any");
	assert_int_equal(j.verdict, VERDICT_INCONCLUSIVE);
	assert_matches(j.summary, "^discovery did not scan every port");

	j = judge("auth.every-interface",
		  "{\"version\": 1, \"scan_error\": \"discovery.scan failed: boom\", \"services\": "
		  "[]}",
		  NULL, NULL);
	assert_int_equal(j.verdict, VERDICT_INCONCLUSIVE);
	assert_matches(j.summary, "boom");

	static const char silent[] = OBSERVATION(
		"true", SERVICE("198.18.1.2", "tcp", 23, "telnet",
				TRY("telnet 198.18.1.2 23", "no-answer", "null", 0, "")));
	j = judge("auth.every-interface", silent, "data", "any");
	assert_int_equal(j.verdict, VERDICT_INCONCLUSIVE);
	assert_matches(j.findings, "could not tell whether it authenticates");
}

static void test_every_interface_bad_param(void **state)
{
	(void)state;
	struct profile p;
	memset(&p, 0, sizeof(p));
	struct judged j;
	assert_int_equal(judge_raw("auth.every-interface", unauth_good, "data", "secret", &p, &j),
			 DL_EINVAL);
	assert_matches(j.summary, "data is 'secret'; expected any, privacy or sensitive");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roles_matrix_equal_passes),
		cmocka_unit_test(test_roles_separation_passes),
		cmocka_unit_test(test_roles_excess_fails_both_ways),
		cmocka_unit_test(test_roles_documented_refused),
		cmocka_unit_test(test_roles_same_documented_fails),
		cmocka_unit_test(test_roles_undecided),
		cmocka_unit_test(test_roles_onvif),
		cmocka_unit_test(test_roles_onvif_matrix),
		cmocka_unit_test(test_unauth_data_kind),
		cmocka_unit_test(test_roles_bad_param),
		cmocka_unit_test(test_every_interface_good),
		cmocka_unit_test(test_every_interface_bad),
		cmocka_unit_test(test_every_interface_undecided),
		cmocka_unit_test(test_every_interface_bad_param),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
