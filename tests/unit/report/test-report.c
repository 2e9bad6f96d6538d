/* test-report: report.json, report.html and junit.xml from a campaign.db fixture */
#include "core/compat.h"

#include <ftw.h>
#include <json-c/json.h>
#include <setjmp.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "core/error.h"
#include "core/evidence.h"
#include "core/store.h"
#include "core/text.h"
#include "report/report.h"

/*
 * The fixture: a TS-0014-1-like plan of 54 clauses, 18 per level, every
 * tenth optional (i % 10 == 9), written through store_open() so the real
 * schema is tested.
 *   level 1 (i 0-17):  pass, but i 5 not_applicable citing the profile and
 *                      i 9 (optional) fail
 *   level 2 (i 18-35): pass, but i 20 manual, i 21 fail with findings, and
 *                      i 19, 29 (optional) have no result
 *   level 3 (i 36-53): only even i have a result (pass); odd i have none,
 *                      and i 53 was planned not_applicable
 * Expected: level 1; level 2 blocked by 21 (fail) and 20 (manual).
 */
#define CLAUSES 54

struct fixture {
	char dir[128];
};

static char clause_id[CLAUSES][16];

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void exec_sql(struct store *s, const char *sql)
{
	struct dl_error err = {0};
	int rc = store_exec(s, sql, &err);
	if (rc)
		fail_msg("%s: %s", sql, err.message);
}

static void insert(sqlite3 *db, const char *sql, int count, const char *const *values)
{
	sqlite3_stmt *st = NULL;
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	for (int i = 0; i < count; i++)
		sqlite3_bind_text(st, i + 1, values[i], -1, SQLITE_TRANSIENT);
	assert_int_equal(sqlite3_step(st), SQLITE_DONE);
	sqlite3_finalize(st);
}

static void meta(struct store *s, const char *key, const char *value)
{
	struct dl_error err = {0};
	assert_int_equal(store_meta_set(s, key, value, &err), 0);
}

static int level_of(int i)
{
	return i < 18 ? 1 : i < 36 ? 2 : 3;
}

static void write_file(const char *dir, const char *rel, const char *content)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(content, f);
	assert_int_equal(fclose(f), 0);
}

static const char profile_json[] =
	"{\"identity\":{\"vendor\":\"Acme\",\"model\":\"CAM-100\",\"firmware\":\"1.2.3\","
	"\"serial\":\"SN0001\",\"product_type\":\"camera\"},"
	"\"scope\":{\"networks\":[\"198.18.1.0/24\"],\"interfaces\":[\"tcam0\"]},"
	"\"addresses\":[\"198.18.1.2\"],"
	"\"services\":[{\"proto\":\"tcp\",\"port\":443,\"name\":\"https\"}],"
	"\"capabilities\":{\"wifi\":false},"
	"\"report\":{\"applicant\":\"Acme Ltd.\",\"laboratory\":\"Example <Lab>\","
	"\"report_id\":\"DL-2026-0001\",\"tester\":\"Lin\",\"lab_note\":\"seen & kept\"}}";

static int setup_levels(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	assert_non_null(f);
	snprintf(f->dir, sizeof(f->dir), "/tmp/dutlab-test-report-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	char path[256];
	snprintf(path, sizeof(path), "%s/evidence", f->dir);
	assert_int_equal(mkdir(path, 0755), 0);
	write_file(f->dir, "evidence/scan.pcapng", "pcapng bytes");

	struct store s;
	struct dl_error err = {0};
	assert_int_equal(store_open(&s, f->dir, true, &err), 0);
	exec_sql(&s, "BEGIN");
	meta(&s, "tool_version", "0.1.0");
	meta(&s, "campaign_id", "c-20261125-0001");
	meta(&s, "profile_json", profile_json);
	meta(&s, "standard", "taics-ts-0014-1");
	meta(&s, "standard_title_zh", "影像監控系統資安標準 第一部 一般要求");
	meta(&s, "standard_title_en", "Video surveillance system security, part 1");
	meta(&s, "standard_version", "v2");
	meta(&s, "standard_has_levels", "1");
	meta(&s, "target_level", "3");
	meta(&s, "started_at", "2026-11-25T16:00:00Z");
	meta(&s, "finished_at", "2026-11-25T16:08:00Z");
	meta(&s, "state", "finished");

	for (int i = 0; i < CLAUSES; i++) {
		snprintf(clause_id[i], sizeof(clause_id[i]), "5.%d.%d.%d", level_of(i), i / 6 + 1,
			 i % 6 + 1);
		char seq[16], level[4], title_zh[64], title_en[64];
		snprintf(seq, sizeof(seq), "%d", i + 1);
		snprintf(level, sizeof(level), "%d", level_of(i));
		snprintf(title_zh, sizeof(title_zh), "條款 %d", i);
		if (i == 0)
			snprintf(title_en, sizeof(title_en), "Title <b>&\"quoted\"");
		else
			snprintf(title_en, sizeof(title_en), "Clause %d", i);
		const char *kind = i == 20 ? "manual" : i == 53 ? "not_applicable" : "check";
		const char *reason = i == 53 ? "profile: capabilities.onvif is false" : NULL;
		const char *values[] = {
			seq,
			clause_id[i],
			level,
			i % 10 == 9 ? "1" : "0",
			title_zh,
			title_en,
			"原文 <第一項>\n第二行",
			"network",
			"scan",
			"decide",
			i == 20 ? "Is UPnP off?" : NULL,
			kind,
			"[{\"check\":\"discovery.undeclared-services\",\"params\":{}}]",
			reason};
		insert(s.db,
		       "INSERT INTO plan_item(seq, clause_id, level, optional, title_zh, title_en,"
		       " text_zh, method, how, decision, manual_question, kind, checks, reason)"
		       " VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14)",
		       14, values);

		const char *verdict = "pass", *summary = "all good";
		if (i == 5) {
			verdict = "not_applicable";
			summary = "profile: capabilities.wifi is false";
		} else if (i == 9) {
			verdict = "fail";
			summary = "optional thing missing";
		} else if (i == 20) {
			verdict = "manual";
			summary = "a person must decide: Is UPnP off?";
		} else if (i == 21) {
			verdict = "fail";
			summary = "telnet on 23/tcp is not declared \xff";
		} else if (i == 19 || i == 29 || (i >= 36 && i % 2 == 1)) {
			continue; /* no result recorded */
		}
		const char *result[] = {clause_id[i], verdict, summary,
					"[{\"check\":\"discovery.undeclared-services\","
					"\"verdict\":\"pass\",\"summary\":\"ok\"}]",
					"2026-11-25T16:05:00Z"};
		insert(s.db,
		       "INSERT INTO clause_result(clause_id, verdict, summary, checks, decided_at)"
		       " VALUES(?1,?2,?3,?4,?5)",
		       5, result);
	}
	const char *finding1[] = {clause_id[21], "discovery.undeclared-services", "fail",
				  "port 23/tcp answers <script>alert(1)</script>",
				  "evidence/scan.pcapng"};
	const char *finding2[] = {clause_id[21], "discovery.undeclared-services", "info",
				  "an odd path", "../outside.txt"};
	const char *finding3[] = {"9.9.9", "x", "info", "for nobody", NULL};
	const char *sql = "INSERT INTO finding(clause_id, check_id, severity, text, evidence)"
			  " VALUES(?1,?2,?3,?4,?5)";
	insert(s.db, sql, 5, finding1);
	insert(s.db, sql, 5, finding2);
	insert(s.db, sql, 5, finding3);
	const char *unplanned[] = {"9.9.9", "fail", "stray", NULL, NULL};
	insert(s.db,
	       "INSERT INTO clause_result(clause_id, verdict, summary, checks, decided_at)"
	       " VALUES(?1,?2,?3,?4,?5)",
	       5, unplanned);
	const char *evidence[] = {
		"evidence/scan.pcapng",
		"5f1c7ab2f7fb4aa3a5e1e1fb2c35c0a3b2c2fd05a4c3e1b7f0b8c8a0f1e2d3c4", "12",
		"discovery.scan", "TCP scan of 198.18.1.2"};
	insert(s.db,
	       "INSERT INTO evidence(path, sha256, bytes, collector_id, description)"
	       " VALUES(?1,?2,?3,?4,?5)",
	       5, evidence);
	/* a scan whose capture lost packets, and a collector with nothing to say: only the first
	 * qualifies the data */
	const char *scan_run[] = {
		"discovery.scan", "1",
		"{\"version\":1,\"notes\":[\"capture of 198.18.1.2: the kernel dropped 12 packets; "
		"the evidence misses them\"],\"addresses\":[]}"};
	const char *quiet_run[] = {"tls.channels", "2", "{\"version\":1,\"notes\":[]}"};
	const char *run_sql = "INSERT INTO collector_run(collector_id, seq, state, observation)"
			      " VALUES(?1,?2,'done',?3)";
	insert(s.db, run_sql, 3, scan_run);
	insert(s.db, run_sql, 3, quiet_run);
	exec_sql(&s, "COMMIT");
	store_close(&s);
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

static char *read_file(const char *dir, const char *name)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	long size = ftell(f);
	assert_true(size > 0);
	rewind(f);
	char *buf = malloc((size_t)size + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)size, f), (size_t)size);
	buf[size] = '\0';
	fclose(f);
	return buf;
}

static struct json_object *get(struct json_object *o, const char *key)
{
	struct json_object *v = NULL;
	if (!json_object_object_get_ex(o, key, &v))
		fail_msg("report.json has no '%s'", key);
	return v;
}

static const char *get_string(struct json_object *o, const char *key)
{
	return json_object_get_string(get(o, key));
}

static void build(const char *dir)
{
	struct dl_error err = {0};
	int rc = report_build(dir, &err);
	if (rc)
		fail_msg("report_build: %s", err.message);
}

static void assert_ids(struct json_object *by_verdict, const char *verdict, const char *ids)
{
	struct json_object *list = get(by_verdict, verdict);
	char text[512] = "";
	size_t used = 0;
	for (size_t i = 0; i < json_object_array_length(list); i++)
		used += (size_t)snprintf(
			text + used, sizeof(text) - used, "%s%s", i ? " " : "",
			json_object_get_string(json_object_array_get_idx(list, i)));
	assert_string_equal(text, ids);
}

static void test_json(void **state)
{
	struct fixture *f = *state;
	build(f->dir);
	char path[512];
	snprintf(path, sizeof(path), "%s/report.json", f->dir);
	struct json_object *root = json_object_from_file(path);
	assert_non_null(root);
	assert_int_equal(json_object_get_int(get(root, "schema_version")), REPORT_SCHEMA_VERSION);
	struct json_object *campaign = get(root, "campaign");
	assert_string_equal(get_string(campaign, "id"), "c-20261125-0001");
	assert_string_equal(get_string(campaign, "state"), "finished");
	assert_string_equal(get_string(campaign, "tool_version"), "0.1.0");
	assert_string_equal(get_string(campaign, "finished_at"), "2026-11-25T16:08:00Z");
	assert_string_equal(get_string(get(root, "device"), "model"), "CAM-100");
	assert_string_equal(get_string(get(root, "device"), "firmware"), "1.2.3");
	assert_string_equal(get_string(get(root, "standard"), "id"), "taics-ts-0014-1");
	assert_int_equal(json_object_get_int(get(root, "target_level")), 3);

	struct json_object *result = get(root, "result");
	assert_int_equal(json_object_get_int(get(result, "level_reached")), 1);
	assert_int_equal(json_object_get_int(get(result, "next_level")), 2);
	assert_string_equal(get_string(result, "outcome"), "fail");
	struct json_object *next = get(get(result, "next_level_blockers"), "by_verdict");
	assert_ids(next, "fail", clause_id[21]);
	assert_ids(next, "manual", clause_id[20]);
	assert_int_equal(json_object_object_length(next), 2);
	struct json_object *target = get(get(result, "target_level_blockers"), "by_verdict");
	char expected[256];
	snprintf(expected, sizeof(expected), "%s %s %s %s %s %s %s", clause_id[37], clause_id[41],
		 clause_id[43], clause_id[45], clause_id[47], clause_id[51], clause_id[53]);
	assert_ids(target, "not_tested", expected);
	struct json_object *optional = get(get(result, "optional_not_met"), "by_verdict");
	assert_ids(optional, "fail", clause_id[9]);
	snprintf(expected, sizeof(expected), "%s %s %s %s", clause_id[19], clause_id[29],
		 clause_id[39], clause_id[49]);
	assert_ids(optional, "not_tested", expected);

	struct json_object *counts = get(root, "counts");
	assert_int_equal(json_object_get_int(get(counts, "total")), CLAUSES);
	assert_int_equal(json_object_get_int(get(counts, "not_tested")), 11);
	assert_int_equal(json_object_get_int(get(counts, "fail")), 2);
	assert_int_equal(json_object_get_int(get(counts, "manual")), 1);
	assert_int_equal(json_object_get_int(get(counts, "not_applicable")), 1);
	assert_int_equal(json_object_get_int(get(counts, "pass")), 39);

	/* every clause of the plan, in order, with a verdict; none dropped */
	struct json_object *clauses = get(root, "clauses");
	assert_int_equal(json_object_array_length(clauses), CLAUSES);
	for (int i = 0; i < CLAUSES; i++) {
		struct json_object *k = json_object_array_get_idx(clauses, (size_t)i);
		assert_string_equal(get_string(k, "id"), clause_id[i]);
		char uid[64];
		snprintf(uid, sizeof(uid), "taics-ts-0014-1:%s", clause_id[i]);
		assert_string_equal(get_string(k, "uid"), uid);
		const char *verdict = get_string(k, "verdict");
		assert_non_null(verdict);
		bool unrecorded = i == 19 || i == 29 || (i >= 36 && i % 2 == 1);
		assert_int_equal(json_object_get_boolean(get(k, "recorded")), !unrecorded);
		if (unrecorded) {
			assert_string_equal(verdict, "not_tested");
			assert_true(
				text_starts_with(get_string(k, "summary"), "no result recorded"));
		}
	}
	struct json_object *k53 = json_object_array_get_idx(clauses, 53);
	assert_string_equal(get_string(k53, "summary"),
			    "no result recorded (planned as not_applicable: profile: "
			    "capabilities.onvif is false)");
	struct json_object *k0 = json_object_array_get_idx(clauses, 0);
	assert_string_equal(get_string(get(k0, "title"), "en"), "Title <b>&\"quoted\"");
	assert_string_equal(get_string(get(k0, "title"), "zh"), "條款 0");
	assert_int_equal(json_object_get_int(get(k0, "level")), 1);

	struct json_object *k21 = json_object_array_get_idx(clauses, 21);
	assert_string_equal(get_string(k21, "verdict"), "fail");
	/* the invalid byte became U+FFFD; the file stays valid JSON */
	assert_string_equal(get_string(k21, "summary"),
			    "telnet on 23/tcp is not declared \xef\xbf\xbd");
	struct json_object *findings = get(k21, "findings");
	assert_int_equal(json_object_array_length(findings), 2);
	struct json_object *f0 = json_object_array_get_idx(findings, 0);
	assert_true(json_object_is_type(get(f0, "id"), json_type_int));
	assert_string_equal(get_string(f0, "severity"), "fail");
	assert_string_equal(get_string(f0, "evidence"), "evidence/scan.pcapng");
	assert_string_equal(get_string(f0, "evidence_sha256"),
			    "5f1c7ab2f7fb4aa3a5e1e1fb2c35c0a3b2c2fd05a4c3e1b7f0b8c8a0f1e2d3c4");
	assert_int_equal(json_object_array_length(get(k21, "checks")), 1);

	assert_int_equal(json_object_array_length(get(root, "evidence")), 1);
	/* what does not add up is said, not hidden */
	const char *warnings = json_object_to_json_string_ext(get(root, "warnings"),
							      JSON_C_TO_STRING_NOSLASHESCAPE);
	assert_non_null(strstr(warnings, "9.9.9"));
	assert_non_null(strstr(warnings, "../outside.txt"));
	/* the fixture's evidence row does not match the file's bytes */
	assert_non_null(strstr(warnings, "evidence/scan.pcapng has changed since it was recorded"));
	/* a collector's notes: the scan's lost packets, named by the collector */
	assert_non_null(strstr(warnings,
			       "discovery.scan: capture of 198.18.1.2: the kernel dropped "
			       "12 packets; the evidence misses them"));
	assert_null(strstr(warnings, "tls.channels"));
	/* and the clauses whose checks read that collector: the first eight, then a count */
	char affected[96];
	snprintf(affected, sizeof(affected), "the evidence misses them (the data of clauses %s, ",
		 clause_id[0]);
	assert_non_null(strstr(warnings, affected));
	assert_non_null(strstr(warnings, " more)"));
	/* credentials and adapters of the profile never reach the report */
	assert_null(strstr(json_object_to_json_string(root), "password"));
	json_object_put(root);
}

static void test_html(void **state)
{
	struct fixture *f = *state;
	build(f->dir);
	char *html = read_file(f->dir, "report.html");
	assert_true(text_starts_with(html, "<!DOCTYPE html>"));
	for (int i = 0; i < CLAUSES; i++) {
		char anchor[64];
		snprintf(anchor, sizeof(anchor), "id=\"c-%.15s\"", clause_id[i]);
		assert_non_null(strstr(html, anchor));
	}
	/* escaped, never raw */
	assert_null(strstr(html, "<script"));
	assert_null(strstr(html, "<b>&"));
	assert_non_null(strstr(html, "&lt;script&gt;alert(1)&lt;/script&gt;"));
	assert_non_null(strstr(html, "Title &lt;b&gt;&amp;&quot;quoted&quot;"));
	assert_non_null(strstr(html, "Example &lt;Lab&gt;"));
	/* self-contained: no external asset of any kind */
	assert_null(strstr(html, "http://"));
	assert_null(strstr(html, "https://"));
	assert_null(strstr(html, "src="));
	assert_null(strstr(html, "<link"));
	/* cover: given fields, "not given" for missing ones, the id on every page */
	assert_non_null(strstr(html, "DL-2026-0001"));
	assert_non_null(strstr(html, "@top-left{content:\"DL\\2d 2026\\2d 0001\""));
	assert_non_null(strstr(html, "Acme Ltd."));
	assert_non_null(strstr(html, "not given"));
	assert_non_null(strstr(html, "seen &amp; kept"));
	/* summary and the verbatim clause text */
	assert_non_null(strstr(html, "Level reached · 達成等級: 1"));
	assert_non_null(strstr(html, "What stands in the way of level 2"));
	assert_non_null(strstr(html, "原文 &lt;第一項&gt;\n第二行"));
	assert_non_null(strstr(html, "<details>"));
	/* evidence: relative link inside the folder; a path leaving it is not linked */
	assert_non_null(strstr(html, "<a href=\"evidence/scan.pcapng\">"));
	assert_null(strstr(html, "href=\"../outside.txt\""));
	assert_non_null(strstr(html, "class=\"v v-fail\""));
	free(html);
}

static void test_junit(void **state)
{
	struct fixture *f = *state;
	build(f->dir);
	char command[4096];
	snprintf(command, sizeof(command),
		 "python3 - '%s/junit.xml' <<'EOF'\n"
		 "import sys, xml.etree.ElementTree as ET\n"
		 "root = ET.parse(sys.argv[1]).getroot()\n"
		 "assert root.tag == 'testsuites', root.tag\n"
		 "suites = root.findall('testsuite')\n"
		 "assert len(suites) == 1 and suites[0].get('name') == 'taics-ts-0014-1'\n"
		 "cases = suites[0].findall('testcase')\n"
		 "assert len(cases) == 54, len(cases)\n"
		 "assert all(c.get('classname') == 'taics-ts-0014-1' for c in cases)\n"
		 "assert cases[1].get('name') == '5.1.1.2 Clause 1', cases[1].get('name')\n"
		 "assert cases[0].get('name') == '5.1.1.1 Title <b>&\"quoted\"'\n"
		 "fails = [c for c in cases if c.find('failure') is not None]\n"
		 "assert len(fails) == 2 and suites[0].get('failures') == '2'\n"
		 "assert 'alert(1)' in fails[1].find('failure').text\n"
		 "assert fails[1].find('failure').get('message').startswith('telnet on 23/tcp')\n"
		 "skips = [c for c in cases if c.find('skipped') is not None]\n"
		 "assert len(skips) == 13 and suites[0].get('skipped') == '13', len(skips)\n"
		 "assert sum(1 for c in cases if len(c) == 0) == 39\n"
		 "EOF",
		 f->dir);
	assert_int_equal(system(command), 0);
}

static void test_manifest_and_rebuild(void **state)
{
	struct fixture *f = *state;
	build(f->dir);
	struct evidence_check check;
	struct dl_error err = {0};
	assert_int_equal(evidence_manifest_verify(f->dir, &check, &err), 0);
	assert_int_equal(check.problem_count, 0);
	assert_int_equal(check.files_checked, 4); /* scan.pcapng and the three reports */
	evidence_check_release(&check);

	/* built from campaign.db alone: a rebuild gives the same bytes */
	char *json = read_file(f->dir, "report.json");
	char *html = read_file(f->dir, "report.html");
	char *junit = read_file(f->dir, "junit.xml");
	build(f->dir);
	char *json2 = read_file(f->dir, "report.json");
	char *html2 = read_file(f->dir, "report.html");
	char *junit2 = read_file(f->dir, "junit.xml");
	assert_string_equal(json, json2);
	assert_string_equal(html, html2);
	assert_string_equal(junit, junit2);
	free(json);
	free(html);
	free(junit);
	free(json2);
	free(html2);
	free(junit2);
	/* no temporary file is left behind */
	char path[512];
	snprintf(path, sizeof(path), "%s/.report.json.tmp", f->dir);
	assert_int_not_equal(access(path, F_OK), 0);
}

static void test_no_levels(void **state)
{
	(void)state;
	struct fixture f;
	snprintf(f.dir, sizeof(f.dir), "/tmp/dutlab-test-report-ncc-XXXXXX");
	assert_non_null(mkdtemp(f.dir));
	struct store s;
	struct dl_error err = {0};
	assert_int_equal(store_open(&s, f.dir, true, &err), 0);
	meta(&s, "standard", "ncc-ci-ict");
	meta(&s, "standard_has_levels", "0");
	meta(&s, "target_level", "0");
	meta(&s, "state", "finished");
	static const char *const rows[][4] = {
		{"1", "5.3.1.1", "pass", "ok"},
		{"2", "5.3.1.2", "not_applicable", "profile: no password authentication"},
		{"3", "5.4.1.1", "pass", "ok"},
	};
	for (size_t i = 0; i < DL_ARRAY_SIZE(rows); i++) {
		const char *plan[] = {rows[i][0], rows[i][1]};
		insert(s.db,
		       "INSERT INTO plan_item(seq, clause_id, level, optional, kind, checks)"
		       " VALUES(?1, ?2, 0, 0, 'check', '[]')",
		       2, plan);
		const char *result[] = {rows[i][1], rows[i][2], rows[i][3]};
		insert(s.db,
		       "INSERT INTO clause_result(clause_id, verdict, summary) VALUES(?1,?2,?3)", 3,
		       result);
	}
	struct report_campaign c;
	assert_int_equal(report_load(f.dir, &c, &err), 0);
	assert_false(c.has_levels);
	assert_int_equal(c.grade.outcome, GRADE_PASS);
	report_release(&c);

	exec_sql(&s, "UPDATE clause_result SET verdict = 'manual' WHERE clause_id = '5.4.1.1'");
	assert_int_equal(report_load(f.dir, &c, &err), 0);
	assert_int_equal(c.grade.outcome, GRADE_OPEN);
	report_release(&c);

	exec_sql(&s, "UPDATE clause_result SET verdict = 'fail' WHERE clause_id = '5.3.1.1'");
	exec_sql(&s, "UPDATE clause_result SET verdict = 'bogus' WHERE clause_id = '5.3.1.2'");
	store_close(&s);
	build(f.dir);
	char *json = read_file(f.dir, "report.json");
	struct json_object *root = json_tokener_parse(json);
	assert_non_null(root);
	struct json_object *result = get(root, "result");
	assert_string_equal(get_string(result, "outcome"), "fail");
	assert_true(json_object_is_type(get(result, "level_reached"), json_type_null));
	struct json_object *by = get(get(result, "blockers"), "by_verdict");
	assert_ids(by, "fail", "5.3.1.1");
	assert_ids(by, "error", "5.3.1.2");
	assert_ids(by, "manual", "5.4.1.1");
	assert_non_null(strstr(json, "'bogus' is not a verdict"));
	json_object_put(root);
	free(json);
	char *html = read_file(f.dir, "report.html");
	assert_non_null(strstr(html, "Result · 判定: fail"));
	/* without a profile every cover field says so */
	assert_non_null(strstr(html, "(the campaign id: the profile gives no report.report_id)"));
	free(html);
	nftw(f.dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static void test_not_a_campaign(void **state)
{
	(void)state;
	struct dl_error err = {0};
	assert_int_equal(report_build("/tmp/dutlab-no-such-campaign", &err), DL_ENOTFOUND);
	assert_non_null(strstr(err.message, "campaign.db"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_json, setup_levels, teardown),
		cmocka_unit_test_setup_teardown(test_html, setup_levels, teardown),
		cmocka_unit_test_setup_teardown(test_junit, setup_levels, teardown),
		cmocka_unit_test_setup_teardown(test_manifest_and_rebuild, setup_levels, teardown),
		cmocka_unit_test(test_no_levels),
		cmocka_unit_test(test_not_a_campaign),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
