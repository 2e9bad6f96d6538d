/* test-cmd-profile: `dutlab profile check` prints a summary and exits 0, or the position and exits
 * 2
 */
#include "core/compat.h"

#include <fcntl.h>
#include <setjmp.h>
#include <cmocka.h>
#include <unistd.h>

#include "cli/commands.h"

#define EXAMPLES TEST_SOURCE_DIR "/profiles/examples"
#define BAD TEST_SOURCE_DIR "/tests/unit/profile/bad"

struct run {
	int status;
	char out[8192];
	char err[4096];
};

static void slurp(FILE *f, char *buffer, size_t size)
{
	rewind(f);
	size_t n = fread(buffer, 1, size - 1, f);
	buffer[n] = '\0';
}

/* Run cmd_profile with stdout and stderr captured. */
static void run(struct run *r, int argc, char **argv)
{
	FILE *out = tmpfile(), *err = tmpfile();
	assert_non_null(out);
	assert_non_null(err);
	fflush(stdout);
	fflush(stderr);
	int saved_out = dup(STDOUT_FILENO), saved_err = dup(STDERR_FILENO);
	assert_true(saved_out >= 0 && saved_err >= 0);
	assert_true(dup2(fileno(out), STDOUT_FILENO) >= 0);
	assert_true(dup2(fileno(err), STDERR_FILENO) >= 0);
	r->status = cmd_profile(argc, argv);
	fflush(stdout);
	fflush(stderr);
	assert_true(dup2(saved_out, STDOUT_FILENO) >= 0);
	assert_true(dup2(saved_err, STDERR_FILENO) >= 0);
	close(saved_out);
	close(saved_err);
	slurp(out, r->out, sizeof(r->out));
	slurp(err, r->err, sizeof(r->err));
	fclose(out);
	fclose(err);
}

static void test_check_valid(void **state)
{
	(void)state;
	struct run r;
	char *argv[] = {"profile", "check", EXAMPLES "/camera.yaml", NULL};
	run(&r, 3, argv);
	assert_int_equal(r.status, 0);
	assert_string_equal(r.err, "");
	assert_non_null(strstr(r.out, "Acme CAM-100, firmware 1.2.3, serial SN0001, product type "
				      "camera"));
	assert_non_null(strstr(r.out, "taics-ts-0014-1 level 3"));
	assert_non_null(
		strstr(r.out, "networks 198.18.1.0/24, fd00:198:0:1::/64; interfaces tcam0"));
	assert_non_null(strstr(r.out, "198.18.1.2, fd00:198:0:1::2"));
	assert_non_null(strstr(r.out, "tcp/22    ssh (discloses version)"));
	assert_non_null(strstr(r.out, "factory_default (admin)"));
	/* Passwords are never printed. */
	assert_null(strstr(r.out, "S3cure!pass"));
	assert_non_null(strstr(r.out, "ok: the profile is valid"));
}

/* The login adapters, roles and auth of the platform example; still no password. */
static void test_check_login_sections(void **state)
{
	(void)state;
	struct run r;
	char *argv[] = {"profile", "check", EXAMPLES "/platform.yaml", NULL};
	run(&r, 3, argv);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "web (http-form) login on tcp/443; options tls=true,"));
	assert_non_null(strstr(r.out, "csrf_field=csrf_token"));
	assert_non_null(
		strstr(r.out, "    action add_user: POST /api/users name=dltmp&role=viewer\n"));
	assert_non_null(strstr(r.out, "roles:\n  admin (credential admin) may: list_users, "
				      "add_user, read_audit_log\n"));
	assert_non_null(strstr(r.out, "  auditor (credential user) may: read_audit_log\n"));
	assert_non_null(strstr(r.out, "  test account: credential test\n"));
	assert_non_null(strstr(r.out, "  lockout: 5 failures, locked 300 s, counter reset after "
				      "900 s\n"));
	assert_non_null(strstr(r.out, "  idle timeout: 600 s\n"));
	assert_non_null(strstr(r.out, "min length 9, 3 classes, history 3, age 1 to 90 days"));
	assert_non_null(strstr(r.out, "  policy reference: NIST SP 800-63B\n"));
	assert_null(strstr(r.out, "Dlt3st!pass"));
	assert_null(strstr(r.out, "Pl4tform!admin"));
}

static void test_check_broken(void **state)
{
	(void)state;
	struct run r;
	char *argv[] = {"profile", "check", BAD "/bad-port.yaml", NULL};
	run(&r, 3, argv);
	assert_int_equal(r.status, 2);
	assert_string_equal(r.out, "");
	assert_non_null(strstr(r.err, "bad-port.yaml:16:24: services[0].port: found '70000'"));

	char *binary[] = {"profile", "check", BAD "/binary.bin", NULL};
	run(&r, 3, binary);
	assert_int_equal(r.status, 2);
	assert_non_null(strstr(r.err, "binary.bin:2:1: "));

	char *missing[] = {"profile", "check", BAD "/no-such.yaml", NULL};
	run(&r, 3, missing);
	assert_int_equal(r.status, 2);
	assert_non_null(strstr(r.err, "no-such.yaml: cannot open"));
}

static void test_usage(void **state)
{
	(void)state;
	struct run r;
	char *none[] = {"profile", NULL};
	run(&r, 1, none);
	assert_int_equal(r.status, 2);
	assert_non_null(strstr(r.err, "usage: dutlab profile check FILE"));

	char *other[] = {"profile", "lint", "x.yaml", NULL};
	run(&r, 3, other);
	assert_int_equal(r.status, 2);
	assert_non_null(strstr(r.err, "'lint' is not a profile command"));

	char *two[] = {"profile", "check", "a.yaml", "b.yaml", NULL};
	run(&r, 4, two);
	assert_int_equal(r.status, 2);

	char *help[] = {"profile", "--help", NULL};
	run(&r, 2, help);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "usage: dutlab profile check FILE"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_check_valid),
		cmocka_unit_test(test_check_login_sections),
		cmocka_unit_test(test_check_broken),
		cmocka_unit_test(test_usage),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
