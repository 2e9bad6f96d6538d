/* test-catalog: the catalog is complete and consistent with the standards' own texts */
#include "core/compat.h"

#include <setjmp.h>
#include <cmocka.h>
#include <unistd.h>

#include "checks/check.h"
#include "core/catalog.h"
#include "core/error.h"
#include "core/profile.h"
#include "core/text.h"

/*
 * Completeness is judged against the texts the catalog cites, copied into
 * catalog/sources/, never against the YAML itself: table 1 of IoT-1006-1 and
 * TS-0014-1 (ids per level column, "(O)" marks), the clause bodies, and the
 * numbered items of NCC 5.3 and 5.4.
 */

#define SOURCE_MAX (1024 * 1024)
#define IDS_MAX 256

struct table_id {
	char id[16];
	int levels[4]; /* levels[n] set when the table lists it under level n */
	bool optional;
};

struct source {
	const char *std_id;
	const char *file;
	size_t expected;
	char *text;
	struct table_id table[IDS_MAX]; /* table 1, or NCC's numbered items */
	size_t table_count;
	char body[IDS_MAX][16]; /* clause ids that open a paragraph of the body */
	size_t body_count;
};

static struct source sources[] = {
	{.std_id = "iot-1006-1",
	 .file = "iot-1006-1-access-control-v2.0.zh-TW.txt",
	 .expected = 85},
	{.std_id = "taics-ts-0014-1",
	 .file = "taics-ts-0014-1-video-surveillance-v2.zh-TW.txt",
	 .expected = 54},
	{.std_id = "ncc-ci-ict",
	 .file = "ncc-critical-telecom-ict-equipment-test-spec.zh-TW.txt",
	 .expected = 25},
};

static struct catalog catalog;

static char *read_text(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		fail_msg("cannot open %s: %s", path, strerror(errno));
	char *buf = malloc(SOURCE_MAX + 1);
	assert_non_null(buf);
	size_t n = fread(buf, 1, SOURCE_MAX, f);
	assert_true(feof(f));
	fclose(f);
	buf[n] = '\0';
	return buf;
}

/* Length of a clause id "d.d.d.d" at p (exactly four numbers), or 0. */
static size_t clause_id_len(const char *p)
{
	size_t i = 0;
	for (int part = 0; part < 4; part++) {
		size_t digits = 0;
		while (p[i] >= '0' && p[i] <= '9') {
			i++;
			digits++;
		}
		if (!digits)
			return 0;
		if (part < 3) {
			if (p[i] != '.')
				return 0;
			i++;
		}
	}
	if (p[i] == '.' || (p[i] >= '0' && p[i] <= '9'))
		return 0;
	return i;
}

/* The next line of text (without '\n') into line; false at the end. */
static bool next_line(const char **cursor, char *line, size_t size)
{
	const char *p = *cursor;
	if (!*p)
		return false;
	size_t n = strcspn(p, "\n");
	size_t keep = n < size - 1 ? n : size - 1;
	memcpy(line, p, keep);
	line[keep] = '\0';
	*cursor = p + n + (p[n] == '\n');
	return true;
}

static struct table_id *table_add(struct source *s, const char *id, size_t len)
{
	for (size_t i = 0; i < s->table_count; i++) {
		if (strlen(s->table[i].id) == len && memcmp(s->table[i].id, id, len) == 0)
			return &s->table[i];
	}
	assert_true(s->table_count < IDS_MAX);
	assert_true(len < sizeof(s->table[0].id));
	struct table_id *t = &s->table[s->table_count++];
	memcpy(t->id, id, len);
	t->id[len] = '\0';
	return t;
}

/* Table 1: from its caption to "4.1.1"; tab-separated, columns 2..4 = levels 1..3. */
static void parse_level_table(struct source *s)
{
	const char *p = strstr(s->text, "\n表 1 安全要求等級總表");
	assert_non_null(p);
	char line[4096];
	next_line(&p, line, sizeof(line)); /* the empty line before the caption */
	next_line(&p, line, sizeof(line));
	while (next_line(&p, line, sizeof(line)) && strncmp(line, "4.1.1", 5) != 0) {
		char *cell = line;
		for (int column = 0; cell && column <= 4; column++) {
			char *tab = strchr(cell, '\t');
			if (tab)
				*tab = '\0';
			for (char *q = cell; column >= 2 && *q; q++) {
				if (q != cell && (q[-1] >= '0' && q[-1] <= '9'))
					continue;
				size_t len = clause_id_len(q);
				if (!len)
					continue;
				struct table_id *t = table_add(s, q, len);
				t->levels[column - 1] = 1;
				if (strncmp(q + len, "(O)", 3) == 0)
					t->optional = true;
				q += len - 1;
			}
			cell = tab ? tab + 1 : NULL;
		}
	}
}

/* Body paragraphs that open with a clause id: "5.1.1.1 ...", "- 5.2.1.1 ...". */
static void parse_body(struct source *s, const char *from, const char *to_prefix)
{
	const char *p = strstr(s->text, from);
	assert_non_null(p);
	char line[8192];
	next_line(&p, line, sizeof(line));
	while (next_line(&p, line, sizeof(line)) && strncmp(line, to_prefix, strlen(to_prefix))) {
		const char *q = line;
		while (*q == ' ')
			q++;
		if (q[0] == '-' && q[1] == ' ')
			q += 2;
		size_t len = clause_id_len(q);
		if (!len || (q[len] != ' ' && q[len] != '\t' && q[len] != '\0' &&
			     (unsigned char)q[len] < 0x80))
			continue;
		assert_true(s->body_count < IDS_MAX);
		assert_true(len < sizeof(s->body[0]));
		memcpy(s->body[s->body_count], q, len);
		s->body[s->body_count][len] = '\0';
		s->body_count++;
	}
}

static int setup(void **state)
{
	(void)state;
	const char *dir = getenv("DUTLAB_CATALOG");
	static char path[4096];
	if (!dir || !dir[0]) {
		snprintf(path, sizeof(path), "%s/catalog", TEST_SOURCE_DIR);
		dir = path;
	}
	struct dl_error err = {0};
	if (catalog_load_dir(&catalog, dir, &err) != 0) {
		fprintf(stderr, "catalog: %s\n", err.message);
		return -1;
	}
	for (size_t i = 0; i < DL_ARRAY_SIZE(sources); i++) {
		struct source *s = &sources[i];
		char file[4096];
		snprintf(file, sizeof(file), "%s/catalog/sources/%s", TEST_SOURCE_DIR, s->file);
		s->text = read_text(file);
		if (i < 2) {
			parse_level_table(s);
			parse_body(s, "\n5. 一般要求\n", "附錄 A");
		} else {
			/* NCC: the numbered items of 5.3 and 5.4 are both "table" and body */
			parse_body(s, "\n5.3.1 ", "6. ");
			for (size_t b = 0; b < s->body_count; b++) {
				struct table_id *t = table_add(s, s->body[b], strlen(s->body[b]));
				t->levels[0] = 1; /* no levels: 0 */
			}
		}
	}
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	catalog_release(&catalog);
	for (size_t i = 0; i < DL_ARRAY_SIZE(sources); i++)
		free(sources[i].text);
	return 0;
}

static const struct catalog_standard *standard(const struct source *s)
{
	const struct catalog_standard *std = catalog_find_standard(&catalog, s->std_id);
	if (!std)
		fail_msg("standard %s is not in the catalog", s->std_id);
	return std;
}

static void test_sources_parse(void **state)
{
	(void)state;
	/* the parsers themselves: each finds every clause once, table == body */
	for (size_t i = 0; i < DL_ARRAY_SIZE(sources); i++) {
		struct source *s = &sources[i];
		assert_int_equal(s->table_count, s->expected);
		assert_int_equal(s->body_count, s->expected);
		for (size_t b = 0; b < s->body_count; b++) {
			bool in_table = false;
			for (size_t t = 0; t < s->table_count; t++)
				in_table |= strcmp(s->table[t].id, s->body[b]) == 0;
			if (!in_table)
				fail_msg("%s: body clause %s is not in table 1", s->std_id,
					 s->body[b]);
			for (size_t c = 0; c < b; c++) {
				if (strcmp(s->body[c], s->body[b]) == 0)
					fail_msg("%s: body has %s twice", s->std_id, s->body[b]);
			}
		}
	}
	/* the known defect: TS table 1 lists 5.2.1.1 under levels 1 and 2 */
	const struct table_id *t = NULL;
	for (size_t i = 0; i < sources[1].table_count; i++) {
		if (strcmp(sources[1].table[i].id, "5.2.1.1") == 0)
			t = &sources[1].table[i];
	}
	assert_non_null(t);
	assert_true(t->levels[1] && t->levels[2] && !t->levels[3]);
}

static void test_every_clause_once(void **state)
{
	(void)state;
	assert_int_equal(catalog.standard_count, 3);
	for (size_t i = 0; i < DL_ARRAY_SIZE(sources); i++) {
		const struct source *s = &sources[i];
		const struct catalog_standard *std = standard(s);
		assert_int_equal(std->clause_count, s->expected);
		for (size_t t = 0; t < s->table_count; t++) {
			size_t seen = 0;
			for (size_t c = 0; c < std->clause_count; c++)
				seen += strcmp(std->clauses[c].id, s->table[t].id) == 0;
			if (seen != 1)
				fail_msg("%s %s: %zu entries, expected exactly 1", s->std_id,
					 s->table[t].id, seen);
		}
		for (size_t c = 0; c < std->clause_count; c++) {
			bool known = false;
			for (size_t t = 0; t < s->table_count; t++)
				known |= strcmp(std->clauses[c].id, s->table[t].id) == 0;
			if (!known)
				fail_msg("%s %s: the standard has no such clause", s->std_id,
					 std->clauses[c].id);
		}
	}
}

static void test_levels_and_optional(void **state)
{
	(void)state;
	for (size_t i = 0; i < DL_ARRAY_SIZE(sources); i++) {
		const struct source *s = &sources[i];
		const struct catalog_standard *std = standard(s);
		assert_int_equal(std->has_levels, i < 2);
		for (size_t t = 0; t < s->table_count; t++) {
			const struct table_id *row = &s->table[t];
			const struct catalog_clause *cl = catalog_find_clause(std, row->id);
			assert_non_null(cl);
			int lowest = 0, listed = 0;
			for (int l = 3; l >= 1; l--) {
				if (row->levels[l]) {
					lowest = l;
					listed++;
				}
			}
			int expected = std->has_levels ? lowest : 0;
			if (cl->level != expected)
				fail_msg("%s %s: level %d, table 1 says %d", s->std_id, cl->id,
					 cl->level, expected);
			if (listed > 1) {
				/* listed under two levels: the entry must say which one and why */
				if (!cl->decision || !strstr(cl->decision, "table 1") ||
				    !strstr(cl->decision, "level 1"))
					fail_msg("%s %s: table 1 lists it under %d levels and the "
						 "entry records no decision",
						 s->std_id, cl->id, listed);
			}
			if (cl->optional != row->optional)
				fail_msg("%s %s: optional=%d, the (O) mark says %d", s->std_id,
					 cl->id, cl->optional, row->optional);
			/* IoT bodies repeat the level: "(2 級)", "(1 級)(O)" */
			if (i == 0) {
				char mark[32];
				snprintf(mark, sizeof(mark), "(%d 級)%s", cl->level,
					 cl->optional ? "(O)" : "");
				if (!strstr(cl->text_zh, mark))
					fail_msg("iot %s: text_zh lacks its level mark %s", cl->id,
						 mark);
			}
		}
	}
}

/* Collapse every run of white space to one space. Caller frees. */
static char *normalise(const char *text)
{
	size_t len = strlen(text);
	char *out = malloc(len + 1);
	assert_non_null(out);
	size_t n = 0;
	bool space = false;
	for (const char *p = text; *p; p++) {
		if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r') {
			space = n > 0;
			continue;
		}
		if (space)
			out[n++] = ' ';
		space = false;
		out[n++] = *p;
	}
	out[n] = '\0';
	return out;
}

static void test_texts_verbatim(void **state)
{
	(void)state;
	for (size_t i = 0; i < DL_ARRAY_SIZE(sources); i++) {
		const struct source *s = &sources[i];
		const struct catalog_standard *std = standard(s);
		assert_string_equal(std->source, s->file);
		char *src = normalise(s->text);
		for (size_t c = 0; c < std->clause_count; c++) {
			const struct catalog_clause *cl = &std->clauses[c];
			assert_non_null(cl->title_zh);
			assert_non_null(cl->title_en);
			assert_non_null(cl->text_zh);
			assert_true(cl->title_zh[0] && cl->title_en[0] && cl->text_zh[0]);
			assert_string_not_equal(catalog_method_name(cl->method), "unknown");
			char *text = normalise(cl->text_zh);
			if (!strstr(src, text))
				fail_msg("%s %s: text_zh is not verbatim in %s", s->std_id, cl->id,
					 s->file);
			/* the clause text follows its own id (or NCC title) in the source */
			char *title = normalise(cl->title_zh);
			size_t need = strlen(cl->id) + strlen(title) + strlen(text) + 8;
			char *joined = malloc(need);
			assert_non_null(joined);
			if (i == 2)
				snprintf(joined, need, "%s %s", cl->id, title);
			else
				snprintf(joined, need, "%s %.12s", cl->id, text);
			if (!strstr(src, joined))
				fail_msg("%s %s: '%s' is not in the source", s->std_id, cl->id,
					 joined);
			free(joined);
			free(title);
			free(text);
			/* sections: the clause lives in its section */
			size_t sl = strlen(cl->section);
			assert_true(strncmp(cl->id, cl->section, sl) == 0 && cl->id[sl] == '.');
		}
		free(src);
	}
}

static void test_product_types(void **state)
{
	(void)state;
	const unsigned iot = PRODUCT_READER | PRODUCT_CONTROLLER | PRODUCT_PLATFORM | PRODUCT_LOCK;
	const unsigned ts = PRODUCT_CAMERA | PRODUCT_RECORDER | PRODUCT_STORAGE;
	const unsigned ncc = PRODUCT_FIREWALL | PRODUCT_SWITCH | PRODUCT_ROUTER;
	for (size_t i = 0; i < DL_ARRAY_SIZE(sources); i++) {
		const struct catalog_standard *std = standard(&sources[i]);
		for (size_t c = 0; c < std->clause_count; c++) {
			const struct catalog_clause *cl = &std->clauses[c];
			unsigned want;
			if (i == 1)
				want = ts;
			else if (i == 2 && text_starts_with(cl->id, "5.3."))
				want = ncc;
			else if (i == 2 && text_starts_with(cl->id, "5.4.1."))
				want = PRODUCT_FIREWALL;
			else if (i == 2 && text_starts_with(cl->id, "5.4.2."))
				want = PRODUCT_SWITCH;
			else if (i == 2 && text_starts_with(cl->id, "5.4.3."))
				want = PRODUCT_ROUTER;
			else
				want = iot;
			if (i == 0) {
				/* IoT may narrow the four types, with its reason recorded */
				assert_true(cl->product_types && !(cl->product_types & ~iot));
				if (cl->product_types != iot)
					assert_true(cl->decision &&
						    strstr(cl->decision, "product types"));
			} else if (cl->product_types != want) {
				fail_msg("%s %s: product types %#x, expected %#x", std->id, cl->id,
					 cl->product_types, want);
			}
		}
	}
}

static void test_recorded_decisions(void **state)
{
	(void)state;
	const struct catalog_standard *ts = standard(&sources[1]);
	/* annex D cites 5.2.7.4 and 5.5.1.3: not invented, and the decision recorded */
	assert_null(catalog_find_clause(ts, "5.2.7.4"));
	assert_null(catalog_find_clause(ts, "5.5.1.3"));
	bool noted_5274 = false, noted_5513 = false;
	for (size_t i = 0; i < ts->note_count; i++) {
		noted_5274 |= strstr(ts->notes[i], "5.2.7.4") != NULL;
		noted_5513 |= strstr(ts->notes[i], "5.5.1.3") != NULL;
	}
	assert_true(noted_5274 && noted_5513);
	assert_non_null(strstr(catalog_find_clause(ts, "5.2.7.1")->decision, "5.2.7.4"));
	assert_non_null(strstr(catalog_find_clause(ts, "5.5.1.2")->decision, "5.5.1.3"));
	/* 5.2.2.2: inform (body) over consent (revision table) */
	assert_non_null(strstr(catalog_find_clause(ts, "5.2.2.2")->decision, "告知"));
	/* 5.2.6: the body's ONVIF title governs */
	for (const char *const *id = (const char *const[]){"5.2.6.1", "5.2.6.2", "5.2.6.3", NULL};
	     *id; id++) {
		const struct catalog_clause *cl = catalog_find_clause(ts, *id);
		assert_string_equal(cl->applies_if, "onvif");
		assert_non_null(strstr(cl->decision, "ONVIF"));
	}
	/* every conditional clause says so through a snake_case capability */
	for (size_t i = 0; i < catalog.standard_count; i++) {
		const struct catalog_standard *std = &catalog.standards[i];
		for (size_t c = 0; c < std->clause_count; c++) {
			const struct catalog_clause *cl = &std->clauses[c];
			if (cl->applies_if)
				assert_non_null(
					strstr(cl->decision ? cl->decision : "", cl->applies_if));
			if (cl->method != METHOD_NETWORK)
				assert_true(cl->manual_question && cl->manual_question[0]);
		}
	}
}

static void test_checks_resolve(void **state)
{
	(void)state;
	static const struct {
		const char *standard, *clause, *check, *param, *value;
	} wired[] = {
		{"taics-ts-0014-1", "5.2.2.1", "discovery.undeclared-services", "reference",
		 "declared"},
		{"taics-ts-0014-1", "5.3.2.1", "discovery.device-info-protocols", NULL, NULL},
		{"taics-ts-0014-1", "5.3.2.2", "discovery.debug-services", NULL, NULL},
		{"iot-1006-1", "5.2.2.3", "discovery.undeclared-services", "reference", "declared"},
		{"iot-1006-1", "5.4.1.3", "discovery.unauth-disclosure", NULL, NULL},
		/* several parameters: the check and its clause only */
		{"taics-ts-0014-1", "5.2.3.3", "tlsclient.validation", NULL, NULL},
		{"taics-ts-0014-1", "5.3.1.1", "tls.secure-channel", NULL, NULL},
		{"taics-ts-0014-1", "5.3.1.2", "tlsclient.validation", NULL, NULL},
		{"taics-ts-0014-1", "5.3.1.3", "tls.aes256", "equivalent", "no"},
		{"taics-ts-0014-1", "5.4.1.3", "keys.replace-certificate", NULL, NULL},
		{"taics-ts-0014-1", "5.4.1.4", "keys.factory-reset", NULL, NULL},
		{"taics-ts-0014-1", "5.5.2.1", "tls.secure-channel", NULL, NULL},
		{"taics-ts-0014-1", "5.5.2.3", "tls.aes256", "equivalent", "no"},
		{"iot-1006-1", "5.1.1.3", "tls.certificates", NULL, NULL},
		{"iot-1006-1", "5.2.1.3", "keys.units", NULL, NULL},
		{"iot-1006-1", "5.3.1.1", "crypto.approved-only", NULL, NULL},
		{"ncc-ci-ict", "5.3.3.1", "tls.secure-channel", NULL, NULL},
		/* auth: default credentials, lockout, user enumeration (checks-credentials) */
		{"taics-ts-0014-1", "5.4.1.2", "auth.enumeration", "alpha_milli", "10"},
		{"taics-ts-0014-1", "5.4.2.1", "auth.default-credentials", "secrets", "passwords"},
		{"taics-ts-0014-1", "5.4.2.4", "auth.lockout", "max_failures", "5"},
		{"iot-1006-1", "5.1.1.1", "auth.default-credentials", "secrets",
		 "passwords-and-keys"},
		{"iot-1006-1", "5.1.1.2", "auth.enumeration", "alpha_milli", "10"},
		{"iot-1006-1", "5.2.1.7", "auth.error-messages", NULL, NULL},
		{"ncc-ci-ict", "5.3.1.2", "auth.lockout", "max_failures", "profile"},
		/* sessions and replay (checks-sessions) */
		{"iot-1006-1", "5.2.1.13", "session.tokens", NULL, NULL},
		{"ncc-ci-ict", "5.3.1.1", "session.idle-timeout", "settable", "no"},
		{"taics-ts-0014-1", "5.4.3.2", "session.idle-timeout", "settable", "required"},
		{"taics-ts-0014-1", "5.4.1.1", "auth.replay", NULL, NULL},
		{"taics-ts-0014-1", "5.2.6.1", "auth.replay", NULL, NULL},
		{"taics-ts-0014-1", "5.2.6.3", "session.idle-timeout", NULL, NULL},
		/* passwords: policy, lifetime, masking, storage (checks-passwords) */
		{"taics-ts-0014-1", "5.2.4.2", "auth.storage", "weak_hash", "fail"},
		{"taics-ts-0014-1", "5.4.2.2", "auth.password-policy", NULL, NULL},
		{"taics-ts-0014-1", "5.4.2.3", "auth.password-policy", NULL, NULL},
		{"taics-ts-0014-1", "5.4.2.5", "auth.password-policy", NULL, NULL},
		{"taics-ts-0014-1", "5.4.2.6", "auth.password-policy", NULL, NULL},
		{"iot-1006-1", "5.1.1.7", "auth.password-lifetime", "require", "reminder,expiry"},
		{"iot-1006-1", "5.1.3.1", "auth.password-lifetime", "require", "min_age,expiry"},
		{"iot-1006-1", "5.3.1.2", "auth.storage", "weak_hash", "fail"},
		{"ncc-ci-ict", "5.3.1.5", "auth.masking", NULL, NULL},
		/* robustness (issue 6): the packet campaigns */
		{"ncc-ci-ict", "5.4.1.6", "robustness.packets", NULL, NULL},
		{"ncc-ci-ict", "5.4.2.4", "robustness.packets", NULL, NULL},
		/* the five of 5.4.3.2 mixed in one session campaign (issue 7) */
		{"ncc-ci-ict", "5.4.3.2", "robustness.sessions", NULL, NULL},
		/* RTSP, RTP, RTCP and TLS inside their sessions, 1 h (issue 7) */
		{"taics-ts-0014-1", "5.3.2.3", "robustness.sessions", NULL, NULL},
		{"ncc-ci-ict", "5.3.1.6", "auth.storage", "weak_hash", "finding"},
		/* roles and unauthenticated access (checks-access) */
		{"taics-ts-0014-1", "5.2.4.1", "auth.every-interface", "data", "sensitive"},
		{"taics-ts-0014-1", "5.2.6.3", "auth.roles", NULL, NULL},
		{"taics-ts-0014-1", "5.4.3.1", "auth.roles", "require", "matrix"},
		{"taics-ts-0014-1", "5.5.1.1", "auth.every-interface", "data", "privacy"},
		{"iot-1006-1", "5.1.1.9", "auth.every-interface", "data", "any"},
		{"ncc-ci-ict", "5.3.1.3", "auth.roles", "require", "separation"},
	};
	for (size_t i = 0; i < DL_ARRAY_SIZE(wired); i++) {
		const struct catalog_clause *cl = catalog_find_clause(
			catalog_find_standard(&catalog, wired[i].standard), wired[i].clause);
		assert_non_null(cl);
		/* a clause may be decided by several checks (TS 5.2.6.3: roles and idle) */
		const struct catalog_check_ref *ref = NULL;
		for (size_t k = 0; k < cl->check_count && !ref; k++)
			if (strcmp(cl->checks[k].check_id, wired[i].check) == 0)
				ref = &cl->checks[k];
		if (!ref)
			fail_msg("%s %s does not cite %s", wired[i].standard, wired[i].clause,
				 wired[i].check);
		if (wired[i].param) {
			assert_int_equal(ref->param_count, 1);
			assert_string_equal(ref->params[0].name, wired[i].param);
			assert_string_equal(ref->params[0].value, wired[i].value);
		}
	}
	/* the robustness items name their protocols and the standard's 8 hours */
	/* (5.4.3.2: one session campaign mixes the five: IPv4 and IPv6 as frames, the routing
	 * protocols inside their sessions) */
	static const struct {
		const char *clause, *check, *protocols;
		size_t checks, at;
	} robust[] = {
		{"5.4.1.6", "robustness.packets", "ipv4,ipv6,icmpv4,icmpv6", 1, 0},
		{"5.4.2.4", "robustness.packets", "arp,ethernet,ethernet-control,vlan,lldp", 1, 0},
		{"5.4.3.2", "robustness.sessions", "ipv4,ipv6,rip,ospf,bgp", 1, 0}};
	for (size_t i = 0; i < DL_ARRAY_SIZE(robust); i++) {
		const struct catalog_clause *cl = catalog_find_clause(
			catalog_find_standard(&catalog, "ncc-ci-ict"), robust[i].clause);
		assert_non_null(cl);
		assert_int_equal(cl->check_count, robust[i].checks);
		const struct catalog_check_ref *ref = &cl->checks[robust[i].at];
		assert_string_equal(ref->check_id, robust[i].check);
		assert_int_equal(ref->param_count, 2);
		assert_string_equal(ref->params[0].name, "hours");
		assert_string_equal(ref->params[0].value, "8");
		assert_string_equal(ref->params[1].name, "protocols");
		assert_string_equal(ref->params[1].value, robust[i].protocols);
	}
	/* TS-0014-1 5.3.2.3 names no duration: a fixed budget of 1 h (inventory #34) */
	const struct catalog_clause *ts =
		catalog_find_clause(catalog_find_standard(&catalog, "taics-ts-0014-1"), "5.3.2.3");
	assert_non_null(ts);
	assert_int_equal(ts->check_count, 1);
	assert_int_equal(ts->checks[0].param_count, 2);
	assert_string_equal(ts->checks[0].params[0].name, "hours");
	assert_string_equal(ts->checks[0].params[0].value, "1");
	assert_string_equal(ts->checks[0].params[1].value, "rtsp,rtp,rtcp,tls");
	/* every check the catalog cites exists, and takes the parameters given */
	size_t cited = 0;
	for (size_t i = 0; i < catalog.standard_count; i++) {
		const struct catalog_standard *std = &catalog.standards[i];
		for (size_t c = 0; c < std->clause_count; c++) {
			const struct catalog_clause *cl = &std->clauses[c];
			for (size_t k = 0; k < cl->check_count; k++) {
				const struct catalog_check_ref *r = &cl->checks[k];
				const struct check *check = check_find(r->check_id);
				if (!check)
					fail_msg("%s %s cites check '%s', which the registry does "
						 "not have",
						 std->id, cl->id, r->check_id);
				for (size_t p = 0; p < r->param_count; p++) {
					bool known = false;
					for (const char *const *n = check->params; n && *n; n++)
						known |= strcmp(*n, r->params[p].name) == 0;
					if (!known)
						fail_msg("%s %s: check %s takes no parameter '%s'",
							 std->id, cl->id, r->check_id,
							 r->params[p].name);
				}
				cited++;
			}
		}
	}
	assert_int_equal(cited, DL_ARRAY_SIZE(wired));
}

/* Write text to a temporary file and load it; returns the loader's code. */
static int load_text(const char *text, char *path, size_t path_size, struct dl_error *err)
{
	snprintf(path, path_size, "/tmp/dutlab-test-catalog-XXXXXX.yaml");
	int fd = mkstemps(path, 5);
	assert_true(fd >= 0);
	size_t len = strlen(text);
	assert_int_equal(write(fd, text, len), (ssize_t)len);
	close(fd);
	struct catalog_standard s;
	int rc = catalog_load_file(&s, path, err);
	if (rc == 0)
		catalog_standard_release(&s);
	unlink(path);
	return rc;
}

static const char good_yaml[] = "standard:\n"
				"  id: test-std\n"
				"  title_zh: \"測試\"\n"
				"  title_en: Test\n"
				"  version: v1\n"
				"  source: test.txt\n"
				"  has_levels: true\n"
				"clauses:\n"
				"  - id: 5.1.1.1\n"
				"    section: 5.1.1\n"
				"    level: 1\n"                          /* line 11 */
				"    optional: false\n"                   /* line 12 */
				"    product_types: [camera, recorder]\n" /* line 13 */
				"    title_zh: \"僅開啟必要網路服務\"\n"
				"    title_en: Only necessary services\n"
				"    text_zh: |-\n"
				"      產品開啟之網路服務應為廠商提供必要服務之所需。\n"
				"    method: network\n" /* line 18 */
				"    checks:\n"
				"      - id: discovery.undeclared-services\n"
				"        params: {reference: declared}\n"; /* line 21 */

static void expect_error(const char *from, const char *to, const char *where, const char *what)
{
	char text[4096];
	const char *at = strstr(good_yaml, from);
	assert_non_null(at);
	snprintf(text, sizeof(text), "%.*s%s%s", (int)(at - good_yaml), good_yaml, to,
		 at + strlen(from));
	char path[64];
	struct dl_error err = {0};
	int rc = load_text(text, path, sizeof(path), &err);
	assert_int_equal(rc, DL_EINVAL);
	char expected[128];
	snprintf(expected, sizeof(expected), "%s:%s: ", path, where);
	if (!strstr(err.message, expected) || !strstr(err.message, what))
		fail_msg("got '%s', expected '%s' and '%s'", err.message, expected, what);
}

static void test_bad_yaml(void **state)
{
	(void)state;
	char path[64];
	struct dl_error err = {0};
	assert_int_equal(load_text(good_yaml, path, sizeof(path), &err), 0);

	/* a wrong type at a known line and column */
	expect_error("level: 1", "level: [1]", "11:13", "expected a scalar");
	expect_error("level: 1", "level: 4", "11:12", "expected 1, 2 or 3");
	expect_error("optional: false", "optional: maybe", "12:15", "expected true or false");
	expect_error("[camera, recorder]", "[camera, toaster]", "13:29", "not a product type");
	expect_error("method: network", "method: telepathy", "18:13", "expected network");
	expect_error("params: {reference: declared}", "params: [reference]", "21:18",
		     "expected a mapping");
	/* unknown keys, at every level */
	expect_error("    method: network", "    methd: network", "18:5", "unknown key 'methd'");
	expect_error("  has_levels: true", "  has_levels: true\n  colour: red", "8:3",
		     "unknown key 'colour'");
	/* broken YAML syntax still names the place */
	expect_error("[camera, recorder]", "[camera, recorder", "15:5", "expected valid YAML");
	/* a clause given twice, and a key given twice */
	expect_error("        params: {reference: declared}\n",
		     "        params: {reference: declared}\n"
		     "  - id: 5.1.1.1\n    section: 5.1.1\n    level: 1\n"
		     "    product_types: [camera]\n    title_zh: x\n    title_en: x\n"
		     "    text_zh: x\n    method: document\n    checks: []\n",
		     "22:5", "clause 5.1.1.1 appears twice");
	expect_error("    optional: false\n", "    optional: false\n    optional: true\n", "13:5",
		     "duplicate key");
	/* a missing field is reported at its clause */
	expect_error("    method: network\n", "", "9:5", "has no 'method'");
}

static void test_default_dir(void **state)
{
	(void)state;
	char *saved = getenv("DUTLAB_CATALOG") ? strdup(getenv("DUTLAB_CATALOG")) : NULL;
	setenv("DUTLAB_CATALOG", "/some/where", 1);
	assert_string_equal(catalog_default_dir(), "/some/where");
	unsetenv("DUTLAB_CATALOG");
	char tree[4096];
	snprintf(tree, sizeof(tree), "%s/catalog", TEST_SOURCE_DIR);
	assert_string_equal(catalog_default_dir(), tree);
	if (saved)
		setenv("DUTLAB_CATALOG", saved, 1);
	free(saved);

	struct catalog empty;
	struct dl_error err = {0};
	assert_int_equal(catalog_load_dir(&empty, "/nonexistent-dutlab-catalog", &err),
			 DL_ENOTFOUND);
	assert_non_null(strstr(err.message, "/nonexistent-dutlab-catalog"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sources_parse),
		cmocka_unit_test(test_every_clause_once),
		cmocka_unit_test(test_levels_and_optional),
		cmocka_unit_test(test_texts_verbatim),
		cmocka_unit_test(test_product_types),
		cmocka_unit_test(test_recorded_decisions),
		cmocka_unit_test(test_bad_yaml),
		cmocka_unit_test(test_default_dir),
		cmocka_unit_test(test_checks_resolve),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
