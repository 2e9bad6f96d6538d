/* report: read campaign.db into the report model, grade it and write every report file */
#include "core/compat.h"

#include <json-c/json.h>
#include <sqlite3.h>
#include <strings.h>
#include <sys/stat.h>

#include "core/atomic-file.h"
#include "core/error.h"
#include "core/evidence-store.h"
#include "core/evidence.h"
#include "core/json-read.h"
#include "core/text.h"
#include "report/html.h"
#include "report/json.h"
#include "report/junit.h"
#include "report/markup.h"
#include "report/report.h"

static int warn(struct report_campaign *c, const char *format, ...)
	__attribute__((format(printf, 2, 3)));
static int warn(struct report_campaign *c, const char *format, ...)
{
	if (c->warning_count >= REPORT_WARNINGS_MAX) {
		c->warnings_dropped++;
		return 0;
	}
	if (!c->warnings) {
		c->warnings = calloc(REPORT_WARNINGS_MAX, sizeof(char *));
		if (!c->warnings)
			return DL_ENOMEM;
	}
	va_list args;
	va_start(args, format);
	char *text = NULL;
	int n = vasprintf(&text, format, args);
	va_end(args);
	if (n < 0)
		return DL_ENOMEM;
	char *clean = markup_utf8_dup(text);
	free(text);
	if (!clean)
		return DL_ENOMEM;
	c->warnings[c->warning_count++] = clean;
	return 0;
}

/* Column i as a valid UTF-8 copy; NULL for SQL NULL. */
static int column_dup(sqlite3_stmt *st, int i, char **out)
{
	const unsigned char *text = sqlite3_column_text(st, i);
	*out = NULL;
	if (!text)
		return 0;
	*out = markup_utf8_dup((const char *)text);
	return *out ? 0 : DL_ENOMEM;
}

static int db_error(sqlite3 *db, const char *path, const char *what, struct dl_error *err)
{
	return dl_error_set(err, DL_EIO,
			    "%s: cannot read %s: %s; is it a campaign.db written by "
			    "'dutlab run'?",
			    path, what, sqlite3_errmsg(db));
}

const char *report_meta(const struct report_campaign *campaign, const char *key)
{
	for (size_t i = 0; i < campaign->meta_count; i++)
		if (strcmp(campaign->meta[i].key, key) == 0)
			return campaign->meta[i].value;
	return NULL;
}

const char *report_profile_text(const struct report_campaign *campaign, const char *section,
				const char *key)
{
	struct json_object *obj = campaign->profile;
	if (section)
		obj = json_read_object(obj, section);
	struct json_object *value = json_read_member(obj, key);
	if (!value)
		return NULL;
	switch (json_object_get_type(value)) {
	case json_type_string:
	case json_type_int:
	case json_type_double:
	case json_type_boolean: return json_object_get_string(value);
	default: return NULL;
	}
}

static int load_meta(sqlite3 *db, const char *path, struct report_campaign *c, struct dl_error *err)
{
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(db, "SELECT key, value FROM meta ORDER BY key", -1, &st, NULL))
		return db_error(db, path, "table meta", err);
	c->meta = calloc(REPORT_META_MAX, sizeof(*c->meta));
	int rc = c->meta ? 0 : DL_ENOMEM;
	int step = SQLITE_DONE;
	while (!rc && (step = sqlite3_step(st)) == SQLITE_ROW) {
		if (c->meta_count >= REPORT_META_MAX) {
			rc = warn(c, "meta has more than %d keys; the rest are ignored",
				  REPORT_META_MAX);
			step = SQLITE_DONE;
			break;
		}
		struct report_meta *m = &c->meta[c->meta_count];
		rc = column_dup(st, 0, &m->key);
		if (!rc)
			rc = column_dup(st, 1, &m->value);
		if (!rc && m->key)
			c->meta_count++;
		else {
			free(m->key);
			free(m->value);
			m->key = m->value = NULL;
		}
	}
	if (!rc && step != SQLITE_DONE)
		rc = db_error(db, path, "table meta", err);
	sqlite3_finalize(st);
	if (rc == DL_ENOMEM)
		return dl_error_set(err, DL_ENOMEM, "out of memory reading %s", path);
	return rc;
}

static int load_profile(struct report_campaign *c)
{
	const char *text = report_meta(c, "profile_json");
	if (!text || !*text)
		return warn(c, "meta profile_json is missing: the device identity and the "
			       "report cover fields are not known");
	c->profile = json_tokener_parse(text);
	if (!c->profile || !json_object_is_type(c->profile, json_type_object)) {
		json_object_put(c->profile);
		c->profile = NULL;
		return warn(c, "meta profile_json is not a JSON object: the device identity and "
			       "the report cover fields are not known");
	}
	return 0;
}

static int load_standard(struct report_campaign *c)
{
	int rc = 0;
	const char *levels = report_meta(c, "standard_has_levels");
	if (levels && strcmp(levels, "0") == 0) {
		c->has_levels = false;
	} else if (levels && strcmp(levels, "1") == 0) {
		c->has_levels = true;
	} else {
		/* decided after the plan is read, from the clause levels */
		c->has_levels = true;
		rc = warn(c,
			  "meta standard_has_levels is '%s', not \"0\" or \"1\"; read from "
			  "the clause levels",
			  levels ? levels : "(missing)");
	}
	const char *target = report_meta(c, "target_level");
	long level = 0;
	if (target && text_parse_long(target, 0, GRADE_LEVEL_MAX, &level) == 0)
		c->target_level = (int)level;
	else if (!rc && c->has_levels)
		rc = warn(c,
			  "meta target_level is '%s', not a level; graded against the highest "
			  "level",
			  target ? target : "(missing)");
	static const char *const wanted[] = {"campaign_id", "standard", "tool_version",
					     "started_at", "state"};
	for (size_t i = 0; !rc && i < DL_ARRAY_SIZE(wanted); i++)
		if (!report_meta(c, wanted[i]))
			rc = warn(c, "meta %s is missing", wanted[i]);
	const char *state = report_meta(c, "state");
	if (!rc && state && strcmp(state, "finished") != 0)
		rc = warn(c,
			  "the campaign is '%s', not finished: clauses without a result are "
			  "reported as not_tested",
			  state);
	return rc;
}

static int load_plan(sqlite3 *db, const char *path, struct report_campaign *c, struct dl_error *err)
{
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(db,
			       "SELECT clause_id, level, optional, title_zh, title_en, text_zh,"
			       " method, how, decision, manual_question, kind, checks, reason"
			       " FROM plan_item ORDER BY seq",
			       -1, &st, NULL))
		return db_error(db, path, "table plan_item", err);
	c->clauses = calloc(REPORT_CLAUSES_MAX, sizeof(*c->clauses));
	int rc = c->clauses ? 0 : DL_ENOMEM;
	int step = SQLITE_DONE;
	while (!rc && (step = sqlite3_step(st)) == SQLITE_ROW) {
		if (c->clause_count >= REPORT_CLAUSES_MAX) {
			sqlite3_finalize(st);
			return dl_error_set(err, DL_EINVAL,
					    "%s: plan_item has more than %d rows; no standard has "
					    "that many clauses, so the database is damaged",
					    path, REPORT_CLAUSES_MAX);
		}
		struct report_clause *k = &c->clauses[c->clause_count];
		char **text[] = {&k->title_zh,        &k->title_en,  &k->text_zh,
				 &k->method,          &k->how,       &k->decision,
				 &k->manual_question, &k->plan_kind, &k->planned_checks,
				 &k->plan_reason};
		rc = column_dup(st, 0, &k->id);
		for (size_t i = 0; !rc && i < DL_ARRAY_SIZE(text); i++)
			rc = column_dup(st, (int)i + 3, text[i]);
		if (rc)
			break;
		c->clause_count++;
		if (!k->id) {
			rc = dl_error_set(err, DL_EINVAL, "%s: plan_item row %zu has no clause_id",
					  path, c->clause_count);
			break;
		}
		sqlite3_int64 level = sqlite3_column_int64(st, 1);
		if (level < 0 || level > GRADE_LEVEL_MAX) {
			rc = warn(c, "clause %s has level %lld; read as level 1", k->id,
				  (long long)level);
			level = 1;
		}
		k->level = (int)level;
		k->optional = sqlite3_column_int64(st, 2) != 0;
		k->verdict = VERDICT_NOT_TESTED;
	}
	if (!rc && step != SQLITE_DONE && step != SQLITE_ROW)
		rc = db_error(db, path, "table plan_item", err);
	sqlite3_finalize(st);
	if (!rc && c->clause_count == 0)
		rc = warn(c, "the plan has no clauses: nothing was planned for this standard");
	return rc;
}

static struct report_clause *find_clause(struct report_campaign *c, const char *id)
{
	for (size_t i = 0; i < c->clause_count; i++)
		if (strcmp(c->clauses[i].id, id) == 0)
			return &c->clauses[i];
	return NULL;
}

static int parse_checks(struct report_campaign *c, struct report_clause *k, const char *text)
{
	if (!text || !*text)
		return 0;
	struct json_object *array = json_tokener_parse(text);
	if (!array || !json_object_is_type(array, json_type_array)) {
		json_object_put(array);
		return warn(c, "clause %s: clause_result.checks is not a JSON array", k->id);
	}
	size_t n = json_object_array_length(array);
	int rc = 0;
	k->checks = calloc(n ? n : 1, sizeof(*k->checks));
	if (!k->checks)
		rc = DL_ENOMEM;
	for (size_t i = 0; !rc && i < n; i++) {
		struct json_object *item = json_object_array_get_idx(array, i);
		struct report_check *out = &k->checks[k->check_count];
		const char *names[] = {"check", "verdict", "summary"};
		char **fields[] = {&out->check, &out->verdict, &out->summary};
		for (size_t f = 0; !rc && f < DL_ARRAY_SIZE(names); f++) {
			const char *value = json_read_text(item, names[f], NULL);
			if (!value)
				continue;
			*fields[f] = markup_utf8_dup(value);
			if (!*fields[f])
				rc = DL_ENOMEM;
		}
		k->check_count++;
	}
	json_object_put(array);
	return rc;
}

static int load_results(sqlite3 *db, const char *path, struct report_campaign *c,
			struct dl_error *err)
{
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(db,
			       "SELECT clause_id, verdict, summary, checks, decided_at"
			       " FROM clause_result ORDER BY clause_id",
			       -1, &st, NULL))
		return db_error(db, path, "table clause_result", err);
	int rc = 0, step;
	while (!rc && (step = sqlite3_step(st)) == SQLITE_ROW) {
		const char *id = (const char *)sqlite3_column_text(st, 0);
		const char *verdict = (const char *)sqlite3_column_text(st, 1);
		struct report_clause *k = id ? find_clause(c, id) : NULL;
		if (!k) {
			rc = warn(c,
				  "a result for clause '%s' (%s) has no plan item; it is not "
				  "part of this report",
				  id ? id : "(null)", verdict ? verdict : "no verdict");
			continue;
		}
		if (k->recorded)
			continue; /* clause_id is the primary key; cannot happen */
		k->recorded = true;
		free(k->summary);
		rc = column_dup(st, 2, &k->summary);
		if (!rc)
			rc = column_dup(st, 4, &k->decided_at);
		if (!rc && (!verdict || verdict_from_name(verdict, &k->verdict) != 0)) {
			k->verdict = VERDICT_ERROR;
			rc = warn(c,
				  "clause %s: the recorded verdict '%s' is not a verdict; "
				  "reported as error",
				  k->id, verdict ? verdict : "(null)");
		}
		if (!rc)
			rc = parse_checks(c, k, (const char *)sqlite3_column_text(st, 3));
	}
	if (!rc && step != SQLITE_DONE)
		rc = db_error(db, path, "table clause_result", err);
	sqlite3_finalize(st);
	return rc;
}

/* Clauses nobody decided are not_tested with a reason, never dropped. */
static int fill_unrecorded(struct report_campaign *c)
{
	for (size_t i = 0; i < c->clause_count; i++) {
		struct report_clause *k = &c->clauses[i];
		if (k->recorded) {
			if ((!k->summary || !*k->summary) && k->plan_reason && *k->plan_reason) {
				free(k->summary);
				k->summary = text_dup(k->plan_reason);
				if (!k->summary)
					return DL_ENOMEM;
			}
			continue;
		}
		k->verdict = VERDICT_NOT_TESTED;
		char *text = NULL;
		int n;
		if (k->plan_kind && strcmp(k->plan_kind, "check") != 0)
			n = asprintf(&text, "no result recorded (planned as %s%s%s)", k->plan_kind,
				     k->plan_reason && *k->plan_reason ? ": " : "",
				     k->plan_reason ? k->plan_reason : "");
		else
			n = asprintf(&text, "no result recorded");
		if (n < 0)
			return DL_ENOMEM;
		free(k->summary);
		k->summary = text;
	}
	return 0;
}

static int evidence_compare(const void *key, const void *item)
{
	return strcmp((const char *)key, ((const struct report_evidence *)item)->path);
}

static const struct report_evidence *find_evidence(const struct report_campaign *c,
						   const char *path)
{
	if (!c->evidence_count)
		return NULL;
	return bsearch(path, c->evidence, c->evidence_count, sizeof(*c->evidence),
		       evidence_compare);
}

static int load_evidence(sqlite3 *db, const char *path, struct report_campaign *c,
			 struct dl_error *err)
{
	sqlite3_stmt *st = NULL;
	/* BINARY collation orders like strcmp, which find_evidence relies on */
	if (sqlite3_prepare_v2(db,
			       "SELECT path, sha256, bytes, collector_id, description"
			       " FROM evidence WHERE path IS NOT NULL ORDER BY path",
			       -1, &st, NULL))
		return db_error(db, path, "table evidence", err);
	size_t alloc = 0;
	int rc = 0, step;
	while (!rc && (step = sqlite3_step(st)) == SQLITE_ROW) {
		if (c->evidence_count >= REPORT_EVIDENCE_MAX) {
			rc = warn(c, "more than %d evidence rows; the rest are not listed",
				  REPORT_EVIDENCE_MAX);
			step = SQLITE_DONE;
			break;
		}
		if (c->evidence_count == alloc) {
			size_t grow = alloc ? alloc * 2 : 64;
			struct report_evidence *more =
				realloc(c->evidence, grow * sizeof(*c->evidence));
			if (!more) {
				rc = DL_ENOMEM;
				break;
			}
			c->evidence = more;
			alloc = grow;
		}
		struct report_evidence *e = &c->evidence[c->evidence_count];
		memset(e, 0, sizeof(*e));
		c->evidence_count++;
		rc = column_dup(st, 0, &e->path);
		if (!rc)
			rc = column_dup(st, 1, &e->sha256);
		if (!rc)
			rc = column_dup(st, 3, &e->collector_id);
		if (!rc)
			rc = column_dup(st, 4, &e->description);
		e->bytes = sqlite3_column_type(st, 2) == SQLITE_NULL ? -1
								     : sqlite3_column_int64(st, 2);
	}
	if (!rc && step != SQLITE_DONE)
		rc = db_error(db, path, "table evidence", err);
	sqlite3_finalize(st);
	return rc;
}

/* The evidence table holds each file's SHA-256 from when it was written;
 * a file that is gone or differs now is said in the report, because the
 * manifest written after the report would otherwise seal the new bytes. */
static int check_evidence_files(const char *dir, struct report_campaign *c)
{
	int rc = 0;
	for (size_t i = 0; !rc && i < c->evidence_count; i++) {
		const struct report_evidence *e = &c->evidence[i];
		char path[4096], hex[65];
		struct dl_error ignored = {0};
		int n = snprintf(path, sizeof(path), "%s/%s", dir, e->path);
		if (!e->sha256 || n < 0 || (size_t)n >= sizeof(path))
			continue;
		if (strstr(e->path, "..") || e->path[0] == '/')
			rc = warn(c, "evidence '%s' is not a path inside the campaign folder",
				  e->path);
		else if (evidence_sha256_file(path, hex, NULL, &ignored) != 0)
			rc = warn(c,
				  "evidence %s is recorded in campaign.db but cannot be read: %s",
				  e->path, ignored.message);
		else if (strcasecmp(hex, e->sha256) != 0)
			rc = warn(c,
				  "evidence %s has changed since it was recorded: its SHA-256 is "
				  "%s, campaign.db recorded %s",
				  e->path, hex, e->sha256);
	}
	return rc;
}

static int clause_add_finding(struct report_clause *k, struct report_finding *f)
{
	if (k->finding_count == k->finding_alloc) {
		size_t grow = k->finding_alloc ? k->finding_alloc * 2 : 8;
		struct report_finding *more = realloc(k->findings, grow * sizeof(*more));
		if (!more)
			return DL_ENOMEM;
		k->findings = more;
		k->finding_alloc = grow;
	}
	k->findings[k->finding_count++] = *f;
	return 0;
}

static void finding_release(struct report_finding *f)
{
	free(f->check_id);
	free(f->severity);
	free(f->text);
	free(f->evidence);
	free(f->evidence_sha256);
}

static int load_findings(sqlite3 *db, const char *path, struct report_campaign *c,
			 struct dl_error *err)
{
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(db,
			       "SELECT id, clause_id, check_id, severity, text, evidence"
			       " FROM finding ORDER BY id",
			       -1, &st, NULL))
		return db_error(db, path, "table finding", err);
	size_t total = 0;
	int rc = 0, step;
	while (!rc && (step = sqlite3_step(st)) == SQLITE_ROW) {
		if (++total > REPORT_FINDINGS_MAX) {
			rc = warn(c, "more than %d findings; the rest are not reported",
				  REPORT_FINDINGS_MAX);
			step = SQLITE_DONE;
			break;
		}
		const char *clause_id = (const char *)sqlite3_column_text(st, 1);
		struct report_clause *k = clause_id ? find_clause(c, clause_id) : NULL;
		if (!k) {
			rc = warn(c, "finding %lld cites clause '%s', which is not in the plan: %s",
				  (long long)sqlite3_column_int64(st, 0),
				  clause_id ? clause_id : "(null)",
				  (const char *)sqlite3_column_text(st, 4));
			continue;
		}
		struct report_finding f = {0};
		f.id = sqlite3_column_int64(st, 0);
		char **fields[] = {NULL, NULL, &f.check_id, &f.severity, &f.text, &f.evidence};
		for (size_t i = 0; !rc && i < DL_ARRAY_SIZE(fields); i++)
			if (fields[i])
				rc = column_dup(st, (int)i, fields[i]);
		if (!rc && f.evidence && !*f.evidence) {
			free(f.evidence);
			f.evidence = NULL;
		}
		if (!rc && f.evidence) {
			const struct report_evidence *e = find_evidence(c, f.evidence);
			if (e && e->sha256) {
				f.evidence_sha256 = text_dup(e->sha256);
				if (!f.evidence_sha256)
					rc = DL_ENOMEM;
			} else {
				rc = warn(c,
					  "finding %lld of clause %s cites evidence '%s', which "
					  "has no row with a SHA-256 in the evidence table",
					  (long long)f.id, k->id, f.evidence);
			}
		}
		if (!rc)
			rc = clause_add_finding(k, &f);
		if (rc)
			finding_release(&f);
	}
	if (!rc && step != SQLITE_DONE)
		rc = db_error(db, path, "table finding", err);
	sqlite3_finalize(st);
	return rc;
}

/* " (the data of clauses A, B, C and N more)": the recorded clauses a check built on
 * collector_id decided, so a reader knows which verdicts a note qualifies; "" for none. */
static void collector_clauses(const struct report_campaign *c, const char *collector_id, char *out,
			      size_t size)
{
	enum { CLAUSES_NAMED = 8 };
	size_t named = 0, more = 0, used = 0;
	out[0] = '\0';
	for (size_t i = 0; i < c->clause_count; i++) {
		const struct report_clause *k = &c->clauses[i];
		bool uses = false;
		for (size_t j = 0; j < k->check_count && !uses; j++) {
			const struct check *check =
				k->checks[j].check ? check_find(k->checks[j].check) : NULL;
			uses = check && check->collector && check->collector->id &&
			       strcmp(check->collector->id, collector_id) == 0;
		}
		if (!uses)
			continue;
		if (named == CLAUSES_NAMED) {
			more++;
			continue;
		}
		int n = snprintf(out + used, size - used, "%s%s",
				 named ? ", " : " (the data of clauses ", k->id);
		if (n < 0 || (size_t)n >= size - used) {
			more++;
			continue;
		}
		used += (size_t)n;
		named++;
	}
	if (named)
		snprintf(out + used, size - used, more ? " and %zu more)" : ")", more);
}

/* What went wrong without stopping a collector (its observation's "notes": a capture that
 * lost packets or never started, a TLS context that could not be made) qualifies the data
 * every clause built on it: a warning each, named by the collector. */
static int load_collector_notes(sqlite3 *db, const char *path, struct report_campaign *c,
				struct dl_error *err)
{
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(db,
			       "SELECT collector_id, observation FROM collector_run"
			       " WHERE observation LIKE '%\"notes\"%' ORDER BY seq",
			       -1, &st, NULL))
		return db_error(db, path, "table collector_run", err);
	int rc = 0, step;
	while (!rc && (step = sqlite3_step(st)) == SQLITE_ROW) {
		const char *id = (const char *)sqlite3_column_text(st, 0);
		struct json_object *o =
			json_tokener_parse((const char *)sqlite3_column_text(st, 1));
		struct json_object *notes = o ? json_read_array(o, "notes") : NULL;
		size_t n = notes ? json_object_array_length(notes) : 0;
		char clauses[512];
		collector_clauses(c, id ? id : "", clauses, sizeof(clauses));
		for (size_t i = 0; !rc && i < n; i++) {
			const char *note =
				json_object_get_string(json_object_array_get_idx(notes, i));
			if (note && *note)
				rc = warn(c, "%s: %s%s", id ? id : "a collector", note, clauses);
		}
		json_object_put(o);
	}
	if (!rc && step != SQLITE_DONE)
		rc = db_error(db, path, "table collector_run", err);
	sqlite3_finalize(st);
	return rc;
}

static int grade_campaign(struct report_campaign *c, struct dl_error *err)
{
	if (!report_meta(c, "standard_has_levels") ||
	    (strcmp(report_meta(c, "standard_has_levels"), "0") != 0 &&
	     strcmp(report_meta(c, "standard_has_levels"), "1") != 0)) {
		c->has_levels = false;
		for (size_t i = 0; i < c->clause_count; i++)
			if (c->clauses[i].level > 0)
				c->has_levels = true;
	}
	if (!c->has_levels)
		c->target_level = 0;
	c->grade_clauses = calloc(c->clause_count ? c->clause_count : 1, sizeof(*c->grade_clauses));
	if (!c->grade_clauses)
		return dl_error_set(err, DL_ENOMEM, "out of memory grading");
	for (size_t i = 0; i < c->clause_count; i++) {
		const struct report_clause *k = &c->clauses[i];
		c->grade_clauses[i] = (struct grade_clause){
			.id = k->id,
			.level = k->level,
			.optional = k->optional,
			.verdict = k->verdict,
			.reason = k->summary,
		};
		if (c->has_levels && k->level < 1) {
			int rc = warn(c,
				      "clause %s has no level in a standard with levels; it is "
				      "required for level 1",
				      k->id);
			if (rc)
				return dl_error_set(err, rc, "out of memory grading");
		}
	}
	return grade_run(c->grade_clauses, c->clause_count, c->has_levels, c->target_level,
			 &c->grade, err);
}

int report_load(const char *campaign_dir, struct report_campaign *out, struct dl_error *err)
{
	memset(out, 0, sizeof(*out));
	char path[4096];
	int n = snprintf(path, sizeof(path), "%s/campaign.db", campaign_dir);
	if (n < 0 || (size_t)n >= sizeof(path))
		return dl_error_set(err, DL_EINVAL, "campaign folder path '%s' is too long",
				    campaign_dir);
	struct stat st;
	if (stat(path, &st) != 0)
		return dl_error_set(err, DL_ENOTFOUND,
				    "'%s' has no campaign.db; is it a campaign folder made by "
				    "'dutlab run'?",
				    campaign_dir);
	sqlite3 *db = NULL;
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
		int rc = dl_error_set(err, DL_EIO, "cannot open %s read-only: %s", path,
				      db ? sqlite3_errmsg(db) : "out of memory");
		sqlite3_close(db);
		return rc;
	}
	sqlite3_busy_timeout(db, 5000);
	/* One read transaction: a runner writing meanwhile cannot tear the
	 * picture between tables. */
	int rc = sqlite3_exec(db, "BEGIN", NULL, NULL, NULL)
			 ? db_error(db, path, "the database", err)
			 : 0;
	if (!rc)
		rc = load_meta(db, path, out, err);
	if (!rc)
		rc = load_profile(out);
	if (!rc)
		rc = load_standard(out);
	if (!rc)
		rc = load_plan(db, path, out, err);
	if (!rc)
		rc = load_results(db, path, out, err);
	if (!rc)
		rc = fill_unrecorded(out);
	if (!rc)
		rc = load_evidence(db, path, out, err);
	if (!rc)
		rc = load_findings(db, path, out, err);
	if (!rc)
		rc = load_collector_notes(db, path, out, err);
	if (!rc)
		rc = check_evidence_files(campaign_dir, out);
	sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
	sqlite3_close(db);
	if (rc == DL_ENOMEM && err && err->code != DL_ENOMEM)
		rc = dl_error_set(err, DL_ENOMEM, "out of memory reading %s", path);
	if (!rc)
		rc = grade_campaign(out, err);
	if (rc)
		report_release(out);
	return rc;
}

void report_release(struct report_campaign *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->meta_count; i++) {
		free(c->meta[i].key);
		free(c->meta[i].value);
	}
	free(c->meta);
	json_object_put(c->profile);
	for (size_t i = 0; i < c->clause_count; i++) {
		struct report_clause *k = &c->clauses[i];
		char *text[] = {k->id,        k->title_zh,    k->title_en,       k->text_zh,
				k->method,    k->how,         k->decision,       k->manual_question,
				k->plan_kind, k->plan_reason, k->planned_checks, k->summary,
				k->decided_at};
		for (size_t t = 0; t < DL_ARRAY_SIZE(text); t++)
			free(text[t]);
		for (size_t j = 0; j < k->check_count; j++) {
			free(k->checks[j].check);
			free(k->checks[j].verdict);
			free(k->checks[j].summary);
		}
		free(k->checks);
		for (size_t j = 0; j < k->finding_count; j++)
			finding_release(&k->findings[j]);
		free(k->findings);
	}
	free(c->clauses);
	for (size_t i = 0; i < c->evidence_count; i++) {
		free(c->evidence[i].path);
		free(c->evidence[i].sha256);
		free(c->evidence[i].collector_id);
		free(c->evidence[i].description);
	}
	free(c->evidence);
	for (size_t i = 0; i < c->warning_count; i++)
		free(c->warnings[i]);
	free(c->warnings);
	free(c->grade_clauses);
	grade_release(&c->grade);
	memset(c, 0, sizeof(*c));
}

typedef int (*report_writer_cb)(const struct report_campaign *campaign, FILE *out,
				struct dl_error *err);

/* Write dir/name through dir/.name.tmp, fsync and rename. */
static int write_atomic(const char *dir, const char *name, report_writer_cb writer,
			const struct report_campaign *c, struct dl_error *err)
{
	char path[4096], tmp[4096];
	int n1 = snprintf(path, sizeof(path), "%s/%s", dir, name);
	int n2 = snprintf(tmp, sizeof(tmp), "%s/.%s.tmp", dir, name);
	if (n1 < 0 || n2 < 0 || (size_t)n1 >= sizeof(path) || (size_t)n2 >= sizeof(tmp))
		return dl_error_set(err, DL_EINVAL, "campaign folder path '%s' is too long", dir);
	struct atomic_file file;
	int rc = atomic_file_open(&file, path, tmp, err);
	if (rc)
		return rc;
	return atomic_file_finish(&file, writer(c, file.out, err), err);
}

int report_build(const char *campaign_dir, struct dl_error *err)
{
	struct report_campaign c;
	int rc = report_load(campaign_dir, &c, err);
	if (rc)
		return rc;
	rc = write_atomic(campaign_dir, "report.json", report_json_write, &c, err);
	if (!rc)
		rc = write_atomic(campaign_dir, "report.html", report_html_write, &c, err);
	if (!rc)
		rc = write_atomic(campaign_dir, "junit.xml", report_junit_write, &c, err);
	report_release(&c);
	if (!rc)
		rc = evidence_manifest_write(campaign_dir, err);
	return rc;
}
