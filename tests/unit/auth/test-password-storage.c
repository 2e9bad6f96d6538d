/* test-password-storage: the auth.storage collector on a profile artifact (a tar.gz unpacked with
 * tar), judged both ways, without a DUT */
#include "core/compat.h"

#include <setjmp.h>
#include <cmocka.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "checks/check.h"
#include "core/error.h"
#include "core/json-read.h"
#include "core/monotonic.h"
#include "core/profile.h"

#define SECRET "Sup3r-Secret#x"
#define SHADOW_LINE                                                                                \
	"admin:$y$j9T$saltsaltsaltsalt$Q13hA6vZ9b1vkMkItn8ktYmZJtNHJ5TDOC.3diw1iC4:20000:0:99999:" \
	"7:"                                                                                       \
	"::\n"

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* How the artifact is packed: its name, and the shell command that makes it, with @
 * standing for the test's folder (which holds root/ and receives the artifact). */
struct packing {
	const char *name;
	const char *command;
};

static const struct packing tar_gz = {"backup.tar.gz", "tar -czf @/backup.tar.gz -C @/root etc"};

/* template with every @ replaced by dir */
static void expand(char *out, size_t size, const char *template, const char *dir)
{
	size_t n = 0;
	for (const char *t = template; *t && n + 1 < size; t++) {
		if (*t != '@') {
			out[n++] = *t;
			continue;
		}
		for (const char *d = dir; *d && n + 1 < size; d++)
			out[n++] = *d;
	}
	out[n] = '\0';
}

/* Build the artifact from the files given, run the collector on a profile
 * whose config_backup is that archive, and judge it. */
static enum verdict run_packed(const char *dir, bool clear_copy, const struct packing *packing,
			       char *summary, size_t size, struct json_object **observation)
{
	char path[512], command[1024];
	snprintf(path, sizeof(path), "%s/root/etc", dir);
	snprintf(command, sizeof(command), "mkdir -p %s", path);
	assert_int_equal(system(command), 0);
	snprintf(path, sizeof(path), "%s/root/etc/shadow", dir);
	write_file(path, "root:*:20000:0:99999:7:::\n" SHADOW_LINE);
	snprintf(path, sizeof(path), "%s/root/etc/lighttpd.user", dir);
	if (clear_copy)
		write_file(path, "admin:" SECRET "\n");
	else
		unlink(path);
	snprintf(command, sizeof(command), "rm -f %s/%s", dir, packing->name);
	assert_int_equal(system(command), 0);
	expand(command, sizeof(command), packing->command, dir);
	if (system(command) != 0)
		fail_msg("cannot pack the artifact: %s (tools/install-deps.sh build)", command);
	snprintf(path, sizeof(path), "%s/evidence", dir);
	mkdir(path, 0755);

	char *addresses[] = {"198.18.8.2"};
	struct profile_credential credentials[] = {
		{.role = "admin", .username = "admin", .password = SECRET}};
	char artifact_path[512];
	snprintf(artifact_path, sizeof(artifact_path), "%s/%s", dir, packing->name);
	struct profile_artifact artifacts[] = {{.name = "config_backup", .path = artifact_path},
					       {.name = "manual", .path = "/nonexistent"}};
	struct profile p;
	memset(&p, 0, sizeof(p));
	p.path = "test-profile.yaml";
	p.addresses = addresses;
	p.address_count = 1;
	p.credentials = credentials;
	p.credential_count = 1;
	p.artifacts = artifacts;
	p.artifact_count = 2;
	char evidence[512];
	snprintf(evidence, sizeof(evidence), "%s/evidence", dir);
	struct check_context ctx = {
		.profile = &p,
		.campaign_dir = dir,
		.evidence_dir = evidence,
		.deadline_ns = monotonic_ns() + 120 * 1000000000LL,
	};
	const struct collector *c = collector_find("auth.storage");
	assert_non_null(c);
	struct dl_error err = {0};
	*observation = NULL;
	if (c->collect(&ctx, observation, &err) != 0)
		fail_msg("auth.storage collector: %s", err.message);
	const struct check *check = check_find("auth.storage");
	assert_non_null(check);
	struct check_param items[] = {{"weak_hash", "fail"}};
	struct check_params params = {.items = items, .count = 1};
	struct check_verdict v;
	memset(&v, 0, sizeof(v));
	assert_int_equal(check->judge(*observation, &params, &p, &v, &err), 0);
	snprintf(summary, size, "%s", v.summary ? v.summary : "");
	for (size_t i = 0; i < v.finding_count; i++)
		if (strstr(v.findings[i].text, SECRET))
			fail_msg("a finding shows the password: %s", v.findings[i].text);
	enum verdict verdict = v.verdict;
	check_verdict_release(&v);
	return verdict;
}

static enum verdict run(const char *dir, bool clear_copy, char *summary, size_t size,
			struct json_object **observation)
{
	return run_packed(dir, clear_copy, &tar_gz, summary, size, observation);
}

/* A firmware root file system (squashfs), a zip, a tar.xz, a bare xz and a
 * tar.bz2: each unpacked, and the password in clear found inside. */
static void test_storage_archives(void **state)
{
	(void)state;
	static const struct packing forms[] = {
		{"firmware.squashfs", "mksquashfs @/root @/firmware.squashfs -quiet -noappend "
				      "-no-progress >/dev/null"},
		{"backup.zip", "cd @/root && zip -qr @/backup.zip etc"},
		{"backup.tar.xz", "tar -cJf @/backup.tar.xz -C @/root etc"},
		{"backup.tar.bz2", "tar -cjf @/backup.tar.bz2 -C @/root etc"},
		{"lighttpd.user.xz", "xz -c @/root/etc/lighttpd.user >@/lighttpd.user.xz"},
	};
	static const char *const where[] = {
		"artifact:config_backup!/root/etc/lighttpd.user",
		"artifact:config_backup!/etc/lighttpd.user",
		"artifact:config_backup!/etc/lighttpd.user",
		"artifact:config_backup!/etc/lighttpd.user",
		"artifact:config_backup!/decompressed",
	};
	for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		char dir[] = "/tmp/dutlab-test-storage-XXXXXX";
		assert_non_null(mkdtemp(dir));
		char summary[512];
		struct json_object *o = NULL;
		enum verdict v = run_packed(dir, true, &forms[i], summary, sizeof(summary), &o);
		/* unpacked: a file inside it is among the places (a small zip member is
		 * stored as it is, so the archive itself may be the first) */
		const char *text = json_object_to_json_string_ext(
			o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
		if (v != VERDICT_FAIL || !strstr(text, where[i]))
			fail_msg("%s: %s: %s; no place %s", forms[i].name, verdict_name(v), summary,
				 where[i]);
		assert_null(strstr(text, SECRET));
		json_object_put(o);
		char command[600];
		snprintf(command, sizeof(command), "rm -rf %s", dir);
		assert_int_equal(system(command), 0);
	}
}

static void test_storage_collector(void **state)
{
	(void)state;
	char dir[] = "/tmp/dutlab-test-storage-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char summary[512];
	struct json_object *o = NULL;

	/* the password in clear in a passwd-like file inside the archive: fail */
	enum verdict v = run(dir, true, summary, sizeof(summary), &o);
	if (v != VERDICT_FAIL ||
	    !strstr(summary, "clear in artifact:config_backup!/etc/lighttpd.user"))
		fail_msg("clear copy: %s: %s", verdict_name(v), summary);
	const char *text = json_object_to_json_string(o);
	assert_null(strstr(text, SECRET)); /* the observation never holds it either */
	json_object_put(o);

	/* only the yescrypt hash: verified against the profile's password, pass */
	v = run(dir, false, summary, sizeof(summary), &o);
	if (v != VERDICT_PASS || !strstr(summary, "1 stored hash, all salted and slow, 1 verified"))
		fail_msg("hash only: %s: %s", verdict_name(v), summary);
	/* the manual artifact is skipped as a document, the archive unpacked */
	const struct json_object *sources = json_read_array(o, "sources");
	assert_int_equal(json_read_length((struct json_object *)sources), 2);
	assert_non_null(json_read_text(json_object_array_get_idx((struct json_object *)sources, 1),
				       "skipped", NULL));
	json_object_put(o);

	char command[600];
	snprintf(command, sizeof(command), "rm -rf %s", dir);
	assert_int_equal(system(command), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_storage_collector),
		cmocka_unit_test(test_storage_archives),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
