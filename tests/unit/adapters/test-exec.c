/* test-exec: the exec adapter: placeholder quoting, transcripts, timeouts, missing operations */
#include "core/compat.h"

#include <setjmp.h>
#include <cmocka.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include "adapters/exec.h"
#include "core/error.h"
#include "core/monotonic.h"
#include "core/profile.h"
#include "core/text.h"

/* A password a naive template would break on: quotes, $, a back-tick, a space. */
#define NASTY_PASSWORD "it's \"$HOME\" `id` $(echo x) '\\"

static struct profile_operation operations[] = {
	{.name = "echo",
	 .command = "printf '%s|%s|%s\\n' {username} {password} {address}",
	 .timeout_seconds = 10},
	{.name = "sleep", .command = "echo started; sleep 30; echo never", .timeout_seconds = 1},
	{.name = "fail", .command = "echo oops >&2; exit 3", .timeout_seconds = 10},
	{.name = "background",
	 .command = "(sleep 30; echo late) & echo $! > {key}; exit 0",
	 .timeout_seconds = 10},
	{.name = "certificate", .command = "cat {certificate}", .timeout_seconds = 10},
	{.name = "self", .command = "echo {dutlab}", .timeout_seconds = 10},
};
static struct profile_adapter adapter = {
	.name = "lab",
	.driver = "exec",
	.operations = operations,
	.operation_count = DL_ARRAY_SIZE(operations),
};

static struct profile test_profile(void)
{
	struct profile p;
	memset(&p, 0, sizeof(p));
	p.path = "cam-test.yaml";
	p.adapters = &adapter;
	p.adapter_count = 1;
	return p;
}

static const struct adapter_exec_vars vars = {
	.address = "198.18.1.2",
	.username = "ad min",
	.password = NASTY_PASSWORD,
	.campaign = "/tmp/campaign",
};

/* A fresh folder for transcripts, removed by the test. */
static void temp_dir(char *out, size_t size)
{
	snprintf(out, size, "/tmp/dutlab-test-exec-XXXXXX");
	assert_non_null(mkdtemp(out));
}

static char *read_all(const char *path)
{
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	char *data = calloc(1, 65536);
	assert_non_null(data);
	size_t n = fread(data, 1, 65535, f);
	data[n] = '\0';
	fclose(f);
	return data;
}

static void test_expand_quoting(void **state)
{
	(void)state;
	char out[1024];
	struct dl_error err = {0};
	assert_int_equal(
		adapter_exec_expand("login {username} {password} at {address}:{Port} ${HOME} {}",
				    &vars, false, out, sizeof(out), &err),
		0);
	/* Each value in single quotes, a ' inside closed, escaped and reopened;
	 * shell syntax and names that are not lowercase stay as written. */
	assert_string_equal(out, "login 'ad min' 'it'\\''s \"$HOME\" `id` $(echo x) '\\''\\' "
				 "at '198.18.1.2':{Port} ${HOME} {}");
	assert_int_equal(adapter_exec_expand("x {password} y", &vars, true, out, sizeof(out), &err),
			 0);
	assert_string_equal(out, "x *** y");
}

static void test_expand_missing_value(void **state)
{
	(void)state;
	char out[256];
	struct dl_error err = {0};
	assert_int_equal(
		adapter_exec_expand("install {certificate}", &vars, false, out, sizeof(out), &err),
		DL_EINVAL);
	assert_non_null(strstr(err.message, "{certificate}"));
}

static void test_expand_unknown_placeholder(void **state)
{
	(void)state;
	char out[256];
	struct dl_error err = {0};
	/* A misspelt placeholder is refused, as the profile loader does, not run as text. */
	assert_int_equal(
		adapter_exec_expand("reset {adress}", &vars, false, out, sizeof(out), &err),
		DL_EINVAL);
	assert_non_null(strstr(err.message, "{adress}"));
}

static void test_expand_too_long(void **state)
{
	(void)state;
	char out[16];
	struct dl_error err = {0};
	assert_int_equal(adapter_exec_expand("echo {address} {address}", &vars, false, out,
					     sizeof(out), &err),
			 DL_ENOMEM);
}

static void test_run_substitution_and_transcript(void **state)
{
	(void)state;
	char dir[64], path[128];
	temp_dir(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/echo.log", dir);
	struct profile p = test_profile();
	struct adapter_exec_result r;
	struct dl_error err = {0};
	assert_int_equal(adapter_exec_run(&p, "echo", &vars, path, 0, &r, &err), 0);
	assert_int_equal(r.exit_status, 0);
	assert_false(r.timed_out);
	/* The shell got each value back byte for byte, the password included. */
	assert_non_null(strstr(r.output_tail, "ad min|" NASTY_PASSWORD "|198.18.1.2\n"));

	char *text = read_all(path);
	/* First the operation and the command with the password masked ... */
	assert_true(strncmp(text,
			    "# dutlab exec adapter: operation 'echo' of profile 'cam-test.yaml'",
			    66) == 0);
	assert_non_null(strstr(text, "\n$ printf '%s|%s|%s\\n' 'ad min' *** '198.18.1.2'\n"));
	/* ... then the output (which does hold the password: the command printed it) and the end.
	 */
	char *output = strstr(text, "ad min|");
	assert_non_null(output);
	assert_non_null(strstr(text, "# exit status 0 after "));
	/* Only the command's own output holds the password, not the header. */
	assert_null(strstr(text, "it'\\''s"));
	free(text);
	unlink(path);
	rmdir(dir);
}

static void test_run_exit_status(void **state)
{
	(void)state;
	char dir[64], path[128];
	temp_dir(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/fail.log", dir);
	struct profile p = test_profile();
	struct adapter_exec_result r;
	struct dl_error err = {0};
	/* A failing command is a result, not an error; stderr is in the transcript too. */
	assert_int_equal(adapter_exec_run(&p, "fail", &vars, path, 0, &r, &err), 0);
	assert_int_equal(r.exit_status, 3);
	assert_false(r.timed_out);
	assert_non_null(strstr(r.output_tail, "oops\n"));
	unlink(path);
	rmdir(dir);
}

static void test_run_timeout_kills_group(void **state)
{
	(void)state;
	char dir[64], path[128];
	temp_dir(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/sleep.log", dir);
	struct profile p = test_profile();
	struct adapter_exec_result r;
	struct dl_error err = {0};
	int64_t t0 = monotonic_ns();
	assert_int_equal(adapter_exec_run(&p, "sleep", &vars, path, 0, &r, &err), 0);
	int64_t ms = (monotonic_ns() - t0) / 1000000;
	assert_true(r.timed_out);
	assert_int_equal(r.exit_status, -1);
	assert_true(ms >= 900 && ms < 5000);
	assert_true(r.duration_ms >= 900 && r.duration_ms < 5000);
	char *text = read_all(path);
	assert_non_null(strstr(text, "started\n"));
	assert_null(strstr(text,
			   "\nnever\n")); /* the command line holds the word, the output must not */
	assert_non_null(strstr(text, "operation's timeout"));
	free(text);

	/* A deadline sooner than the operation's timeout wins. */
	t0 = monotonic_ns();
	assert_int_equal(adapter_exec_run(&p, "sleep", &vars, path, t0 + 300000000LL, &r, &err), 0);
	ms = (monotonic_ns() - t0) / 1000000;
	assert_true(r.timed_out);
	assert_true(ms >= 250 && ms < 900);
	text = read_all(path);
	assert_non_null(strstr(text, "collector's deadline"));
	free(text);

	/* A deadline already gone: not run at all. */
	assert_int_equal(adapter_exec_run(&p, "sleep", &vars, path, monotonic_ns() - 1, &r, &err),
			 DL_ETIMEDOUT);
	unlink(path);
	rmdir(dir);
}

static void test_run_kills_leftovers(void **state)
{
	(void)state;
	char dir[64], path[128], pid_path[128];
	temp_dir(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/background.log", dir);
	snprintf(pid_path, sizeof(pid_path), "%s/background.pid", dir);
	struct profile p = test_profile();
	struct adapter_exec_vars v = vars;
	v.key = pid_path;
	struct adapter_exec_result r;
	struct dl_error err = {0};
	assert_int_equal(adapter_exec_run(&p, "background", &v, path, 0, &r, &err), 0);
	assert_int_equal(r.exit_status, 0);
	char *text = read_all(pid_path);
	text[strcspn(text, "\n")] = '\0';
	long pid = 0;
	assert_int_equal(text_parse_long(text, 2, 1L << 30, &pid), 0);
	free(text);
	assert_true(pid > 1);
	/* The background job of the command's group is gone (or a zombie of init for a moment). */
	int gone = 0;
	for (int i = 0; i < 100 && !gone; i++) {
		char stat_path[64], status[4096] = "";
		snprintf(stat_path, sizeof(stat_path), "/proc/%ld/stat", pid);
		FILE *f = fopen(stat_path, "r");
		if (!f) {
			gone = 1;
			break;
		}
		size_t n = fread(status, 1, sizeof(status) - 1, f);
		status[n] = '\0';
		fclose(f);
		char *paren = strrchr(status, ')');
		if (paren && paren[1] == ' ' && paren[2] == 'Z')
			gone = 1;
		else
			usleep(10000);
	}
	assert_true(gone);
	unlink(pid_path);
	unlink(path);
	rmdir(dir);
}

static void test_run_dutlab_and_certificate(void **state)
{
	(void)state;
	char dir[64], path[128], pem[128], self[4096];
	temp_dir(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/self.log", dir);
	snprintf(pem, sizeof(pem), "%s/it's a cert.pem", dir);
	FILE *f = fopen(pem, "w");
	assert_non_null(f);
	fputs("-----BEGIN CERTIFICATE-----\n", f);
	fclose(f);
	struct profile p = test_profile();
	struct adapter_exec_vars v = vars;
	v.certificate = pem;
	struct adapter_exec_result r;
	struct dl_error err = {0};
	assert_int_equal(adapter_exec_run(&p, "certificate", &v, path, 0, &r, &err), 0);
	assert_int_equal(r.exit_status, 0);
	assert_non_null(strstr(r.output_tail, "-----BEGIN CERTIFICATE-----\n"));

	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	assert_true(n > 0);
	self[n] = '\0';
	assert_int_equal(adapter_exec_run(&p, "self", &v, path, 0, &r, &err), 0);
	char expected[4200];
	snprintf(expected, sizeof(expected), "\n%s\n", self);
	assert_non_null(strstr(r.output_tail, expected));
	unlink(pem);
	unlink(path);
	rmdir(dir);
}

static void test_run_missing_operation(void **state)
{
	(void)state;
	struct profile p = test_profile();
	struct adapter_exec_result r;
	struct dl_error err = {0};
	assert_int_equal(
		adapter_exec_run(&p, "factory_reset", &vars, "/nonexistent/x.log", 0, &r, &err),
		DL_ENOTFOUND);
	assert_non_null(strstr(err.message, "'factory_reset'"));
	assert_non_null(strstr(err.message, "'cam-test.yaml'"));

	/* A template needing a value not given fails before anything runs. */
	assert_int_equal(
		adapter_exec_run(&p, "certificate", &vars, "/nonexistent/x.log", 0, &r, &err),
		DL_EINVAL);
	assert_non_null(strstr(err.message, "'certificate'"));

	/* A transcript that cannot be created is an error. */
	assert_int_equal(adapter_exec_run(&p, "echo", &vars, "/nonexistent/x.log", 0, &r, &err),
			 DL_EIO);
	assert_non_null(strstr(err.message, "/nonexistent/x.log"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_expand_quoting),
		cmocka_unit_test(test_expand_missing_value),
		cmocka_unit_test(test_expand_unknown_placeholder),
		cmocka_unit_test(test_expand_too_long),
		cmocka_unit_test(test_run_substitution_and_transcript),
		cmocka_unit_test(test_run_exit_status),
		cmocka_unit_test(test_run_timeout_kills_group),
		cmocka_unit_test(test_run_kills_leftovers),
		cmocka_unit_test(test_run_dutlab_and_certificate),
		cmocka_unit_test(test_run_missing_operation),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
