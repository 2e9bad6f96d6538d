/* test-evidence: the SHA-256 manifest of a campaign folder and its verification */
#include "core/compat.h"

#include <ftw.h>
#include <setjmp.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "core/error.h"
#include "core/evidence.h"

struct fixture {
	char dir[256];
};

static void write_file(const char *dir, const char *rel, const char *content)
{
	char path[1024];
	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(content, f);
	assert_int_equal(fclose(f), 0);
}

static char *read_all(const char *path)
{
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	char *buf = calloc(1, 65536);
	assert_non_null(buf);
	size_t n = fread(buf, 1, 65535, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	assert_non_null(f);
	snprintf(f->dir, sizeof(f->dir), "/tmp/dutlab-test-evidence-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	char path[512];
	snprintf(path, sizeof(path), "%s/evidence", f->dir);
	assert_int_equal(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/evidence/tcp", f->dir);
	assert_int_equal(mkdir(path, 0755), 0);
	write_file(f->dir, "evidence/scan.pcapng", "pcap bytes\n");
	write_file(f->dir, "evidence/tcp/22.txt", "SSH-2.0-OpenSSH_9.2\r\n");
	write_file(f->dir, "evidence/with space.txt", "spaces are fine\n");
	write_file(f->dir, "report.json", "{}\n");
	write_file(f->dir, "report.html", "<!DOCTYPE html>\n");
	write_file(f->dir, "junit.xml", "<testsuites/>\n");
	write_file(f->dir, "campaign.db", "not sealed\n");
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	nftw(f->dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
	free(f);
	return 0;
}

static void manifest_ok(const char *dir)
{
	struct dl_error err = {0};
	assert_int_equal(evidence_manifest_write(dir, &err), 0);
}

static void assert_problems(const char *dir, const char *expected)
{
	struct evidence_check check;
	struct dl_error err = {0};
	assert_int_equal(evidence_manifest_verify(dir, &check, &err), 0);
	char text[1024] = "";
	size_t used = 0;
	for (size_t i = 0; i < check.problem_count; i++) {
		int n = snprintf(text + used, sizeof(text) - used, "%s%s %s", i ? "; " : "",
				 evidence_change_name(check.problems[i].change),
				 check.problems[i].path);
		assert_true(n > 0 && (size_t)n < sizeof(text) - used);
		used += (size_t)n;
	}
	assert_string_equal(text, expected);
	evidence_check_release(&check);
}

static void test_manifest_format(void **state)
{
	struct fixture *f = *state;
	manifest_ok(f->dir);
	char path[512];
	snprintf(path, sizeof(path), "%s/" EVIDENCE_MANIFEST, f->dir);
	char *text = read_all(path);
	/* sorted byte-wise, relative paths, no campaign.db, not itself */
	const char *order[] = {"  evidence/scan.pcapng\n",
			       "  evidence/tcp/22.txt\n",
			       "  evidence/with space.txt\n",
			       "  junit.xml\n",
			       "  report.html\n",
			       "  report.json\n"};
	const char *at = text;
	for (size_t i = 0; i < DL_ARRAY_SIZE(order); i++) {
		const char *hit = strstr(at, order[i]);
		assert_non_null(hit);
		at = hit;
	}
	assert_null(strstr(text, "campaign.db"));
	assert_null(strstr(text, "MANIFEST"));
	/* the SHA-256 of "{}\n" */
	assert_non_null(strstr(text, "ca3d163bab055381827226140568f3bef7eaac187cebd76878e0b63e9e4"
				     "42356  report.json\n"));
	size_t lines = 0;
	for (const char *p = text; *p; p++)
		lines += *p == '\n';
	assert_int_equal(lines, 6);
	free(text);
	assert_problems(f->dir, "");
}

static void test_sha256sum_agrees(void **state)
{
	struct fixture *f = *state;
	manifest_ok(f->dir);
	char command[1024];
	/* sha256sum accepts our manifest ... */
	snprintf(command, sizeof(command),
		 "cd '%s' && sha256sum --check --strict --quiet evidence/MANIFEST.sha256", f->dir);
	assert_int_equal(system(command), 0);
	/* ... and writes the same one over the same files */
	snprintf(command, sizeof(command),
		 "cd '%s' && { find evidence -type f ! -path evidence/MANIFEST.sha256 -print0; "
		 "printf '%%s\\0' report.json report.html junit.xml; } | LC_ALL=C sort -z "
		 "| xargs -0 sha256sum | cmp -s - evidence/MANIFEST.sha256",
		 f->dir);
	assert_int_equal(system(command), 0);
	/* and sha256sum notices a tampered file too */
	write_file(f->dir, "evidence/scan.pcapng", "pcap bytez\n");
	snprintf(command, sizeof(command),
		 "cd '%s' && sha256sum --check --quiet evidence/MANIFEST.sha256 >/dev/null 2>&1",
		 f->dir);
	assert_int_not_equal(system(command), 0);
}

static void test_tamper_byte(void **state)
{
	struct fixture *f = *state;
	manifest_ok(f->dir);
	char path[512];
	snprintf(path, sizeof(path), "%s/evidence/tcp/22.txt", f->dir);
	FILE *file = fopen(path, "r+");
	assert_non_null(file);
	assert_int_equal(fseek(file, 4, SEEK_SET), 0);
	fputc('3', file); /* SSH-2.0 -> SSH-3.0, same size */
	assert_int_equal(fclose(file), 0);
	assert_problems(f->dir, "changed evidence/tcp/22.txt");
	write_file(f->dir, "report.html", "<!DOCTYPE html>\n<p>edited</p>\n");
	assert_problems(f->dir, "changed evidence/tcp/22.txt; changed report.html");
}

static void test_delete(void **state)
{
	struct fixture *f = *state;
	manifest_ok(f->dir);
	char path[512];
	snprintf(path, sizeof(path), "%s/evidence/scan.pcapng", f->dir);
	assert_int_equal(unlink(path), 0);
	snprintf(path, sizeof(path), "%s/junit.xml", f->dir);
	assert_int_equal(unlink(path), 0);
	assert_problems(f->dir, "missing evidence/scan.pcapng; missing junit.xml");
}

static void test_add(void **state)
{
	struct fixture *f = *state;
	manifest_ok(f->dir);
	write_file(f->dir, "evidence/tcp/23.txt", "telnet\n");
	char path[512], target[512];
	snprintf(path, sizeof(path), "%s/evidence/link", f->dir);
	snprintf(target, sizeof(target), "%s/campaign.db", f->dir);
	assert_int_equal(symlink(target, path), 0);
	assert_problems(f->dir, "added evidence/link; added evidence/tcp/23.txt");
	/* writing a manifest over a symbolic link is refused, not skipped */
	struct dl_error err = {0};
	assert_int_equal(evidence_manifest_write(f->dir, &err), DL_EINVAL);
	assert_non_null(strstr(err.message, "evidence/link is not a regular file"));
}

static void test_replaced_by_link(void **state)
{
	struct fixture *f = *state;
	manifest_ok(f->dir);
	char path[512], target[512];
	snprintf(path, sizeof(path), "%s/evidence/scan.pcapng", f->dir);
	snprintf(target, sizeof(target), "%s/evidence/scan.copy", f->dir);
	assert_int_equal(rename(path, target), 0);
	assert_int_equal(symlink("scan.copy", path), 0);
	/* same bytes behind the link, but a link is not sealed evidence */
	assert_problems(f->dir, "added evidence/scan.copy; changed evidence/scan.pcapng");
}

static void test_manifest_damaged(void **state)
{
	struct fixture *f = *state;
	struct evidence_check check;
	struct dl_error err = {0};
	assert_int_equal(evidence_manifest_verify(f->dir, &check, &err), DL_ENOTFOUND);
	assert_non_null(strstr(err.message, "MANIFEST.sha256"));

	static const char *const bad[] = {
		"nothex  report.json\n",
		"ca3d163bab055381827226140568f3bef7eaac187cebd76878e0b63e9e442356  ../etc/passwd\n",
		"ca3d163bab055381827226140568f3bef7eaac187cebd76878e0b63e9e442356  campaign.db\n",
		/* the same file listed twice */
		("ca3d163bab055381827226140568f3bef7eaac187cebd76878e0b63e9e442356  report.json\n"
		 "ca3d163bab055381827226140568f3bef7eaac187cebd76878e0b63e9e442356  report.json\n"),
		"ca3d163bab055381827226140568f3bef7eaac187cebd76878e0b63e9e442356  report.json",
	};
	for (size_t i = 0; i < DL_ARRAY_SIZE(bad); i++) {
		write_file(f->dir, EVIDENCE_MANIFEST, bad[i]);
		memset(&err, 0, sizeof(err));
		assert_int_equal(evidence_manifest_verify(f->dir, &check, &err), DL_EINVAL);
		assert_non_null(strstr(err.message, "MANIFEST.sha256"));
	}
	/* upper-case hex and binary-mode lines, as other tools write them, are read */
	write_file(
		f->dir, EVIDENCE_MANIFEST,
		"CA3D163BAB055381827226140568F3BEF7EAAC187CEBD76878E0B63E9E442356 *report.json\n");
	assert_problems(f->dir, "added evidence/scan.pcapng; added evidence/tcp/22.txt; added "
				"evidence/with space.txt; added junit.xml; added report.html");
}

static void test_depth_bound(void **state)
{
	struct fixture *f = *state;
	char path[1024];
	int n = snprintf(path, sizeof(path), "%s/evidence", f->dir);
	for (int i = 0; i <= EVIDENCE_MANIFEST_DEPTH_MAX; i++) {
		n += snprintf(path + n, sizeof(path) - (size_t)n, "/d");
		assert_int_equal(mkdir(path, 0755), 0);
	}
	struct dl_error err = {0};
	assert_int_equal(evidence_manifest_write(f->dir, &err), DL_EINVAL);
	assert_non_null(strstr(err.message, "folders deep"));
}

static void test_creates_evidence_folder(void **state)
{
	(void)state;
	char dir[] = "/tmp/dutlab-test-evidence-empty-XXXXXX";
	assert_non_null(mkdtemp(dir));
	write_file(dir, "report.json", "{}\n");
	manifest_ok(dir);
	assert_problems(dir, "");
	nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_manifest_format, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sha256sum_agrees, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tamper_byte, setup, teardown),
		cmocka_unit_test_setup_teardown(test_delete, setup, teardown),
		cmocka_unit_test_setup_teardown(test_add, setup, teardown),
		cmocka_unit_test_setup_teardown(test_replaced_by_link, setup, teardown),
		cmocka_unit_test_setup_teardown(test_manifest_damaged, setup, teardown),
		cmocka_unit_test_setup_teardown(test_depth_bound, setup, teardown),
		cmocka_unit_test(test_creates_evidence_folder),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
