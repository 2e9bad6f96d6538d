/* json: build report.json from the report model with json-c */
#include "core/compat.h"

#include <json-c/json.h>

#include "core/error.h"
#include "core/json-read.h"
#include "dutlab-config.h"
#include "report/json.h"
#include "report/report.h"

/* Set by the helpers below when json-c cannot allocate; report_json_build()
 * then fails as a whole instead of writing a report with holes. NULL is
 * otherwise a deliberate JSON null. */
static bool out_of_memory;

static struct json_object *jstring(const char *text)
{
	if (!text)
		return NULL; /* JSON null */
	struct json_object *o = json_object_new_string(text);
	if (!o)
		out_of_memory = true;
	return o;
}

static struct json_object *jobject(void)
{
	struct json_object *o = json_object_new_object();
	if (!o)
		out_of_memory = true;
	return o;
}

static struct json_object *jarray(void)
{
	struct json_object *o = json_object_new_array();
	if (!o)
		out_of_memory = true;
	return o;
}

static struct json_object *jint(int64_t value)
{
	struct json_object *o = json_object_new_int64(value);
	if (!o)
		out_of_memory = true;
	return o;
}

static struct json_object *jbool(bool value)
{
	struct json_object *o = json_object_new_boolean(value);
	if (!o)
		out_of_memory = true;
	return o;
}

static void put(struct json_object *object, const char *key, struct json_object *value)
{
	if (!object || json_object_object_add(object, key, value) != 0)
		out_of_memory = true;
}

static void push(struct json_object *array, struct json_object *value)
{
	if (!array || !value || json_object_array_add(array, value) != 0) {
		json_object_put(value);
		out_of_memory = true;
	}
}

/* A deep copy of section of the profile, or null. */
static struct json_object *profile_section(const struct report_campaign *c, const char *section)
{
	struct json_object *value = json_read_member(c->profile, section), *copy = NULL;
	if (!value)
		return NULL;
	if (json_object_deep_copy(value, &copy, NULL) != 0)
		out_of_memory = true;
	return copy;
}

/* The catalog's recorded interpretations of the standard (meta
 * standard_notes, a JSON array of strings); [] when absent or unreadable. */
static struct json_object *standard_notes(const struct report_campaign *c)
{
	struct json_object *parsed = NULL;
	const char *text = report_meta(c, "standard_notes");
	if (text)
		parsed = json_tokener_parse(text);
	if (!parsed || !json_object_is_type(parsed, json_type_array)) {
		json_object_put(parsed);
		return jarray();
	}
	struct json_object *notes = jarray();
	for (size_t i = 0; i < json_object_array_length(parsed); i++) {
		struct json_object *note = json_object_array_get_idx(parsed, i);
		if (json_object_is_type(note, json_type_string))
			push(notes, jstring(json_object_get_string(note)));
	}
	json_object_put(parsed);
	return notes;
}

static struct json_object *level_or_null(bool has_levels, int level)
{
	return has_levels && level > 0 ? jint(level) : NULL;
}

static struct json_object *clause_ids(const struct report_campaign *c,
				      const struct grade_list *list)
{
	struct json_object *by_verdict = jobject();
	for (size_t v = 0; v < VERDICT_COUNT; v++) {
		if (!list->by_verdict[v])
			continue;
		struct json_object *ids = jarray();
		for (size_t i = 0; i < list->count; i++) {
			const struct report_clause *k = &c->clauses[list->index[i]];
			if ((size_t)k->verdict == v)
				push(ids, jstring(k->id));
		}
		put(by_verdict, verdict_name((enum verdict)v), ids);
	}
	return by_verdict;
}

static struct json_object *blockers(const struct report_campaign *c, int level,
				    const struct grade_list *list)
{
	struct json_object *o = jobject();
	put(o, "level", level_or_null(c->has_levels, level));
	put(o, "count", jint((int64_t)list->count));
	put(o, "by_verdict", clause_ids(c, list));
	return o;
}

static struct json_object *result(const struct report_campaign *c)
{
	const struct grade_result *g = &c->grade;
	struct json_object *o = jobject();
	char explanation[2048];
	grade_explain(g, explanation, sizeof(explanation));
	put(o, "outcome", jstring(grade_outcome_name(g->outcome)));
	put(o, "level_reached", c->has_levels ? jint(g->level_reached) : NULL);
	put(o, "max_level", level_or_null(c->has_levels, g->max_level));
	put(o, "next_level", level_or_null(c->has_levels, g->next_level));
	put(o, "target_level", level_or_null(c->has_levels, g->target_level));
	put(o, "explanation", jstring(explanation));
	if (c->has_levels) {
		put(o, "next_level_blockers",
		    g->next_level ? blockers(c, g->next_level, &g->next_blockers) : NULL);
		put(o, "target_level_blockers", blockers(c, g->target_level, &g->target_blockers));
	} else {
		put(o, "next_level_blockers", NULL);
		put(o, "target_level_blockers", NULL);
		put(o, "blockers", blockers(c, 0, &g->next_blockers));
	}
	put(o, "optional_not_met", blockers(c, 0, &g->optional_open));
	return o;
}

static struct json_object *counts(const struct report_campaign *c)
{
	struct json_object *o = jobject();
	for (size_t v = 0; v < VERDICT_COUNT; v++)
		put(o, verdict_name((enum verdict)v), jint((int64_t)c->grade.counts[v]));
	put(o, "total", jint((int64_t)c->clause_count));
	put(o, "mandatory", jint((int64_t)c->grade.mandatory_count));
	put(o, "optional", jint((int64_t)c->grade.optional_count));
	return o;
}

static struct json_object *planned_checks(const char *text)
{
	if (!text || !*text)
		return jarray();
	struct json_object *parsed = json_tokener_parse(text);
	if (!parsed || !json_object_is_type(parsed, json_type_array)) {
		json_object_put(parsed);
		return jstring(text); /* kept verbatim; report.c warned about it */
	}
	return parsed;
}

static struct json_object *clause(const struct report_campaign *c, const struct report_clause *k)
{
	struct json_object *o = jobject();
	const char *standard = report_meta(c, "standard");
	char uid[512];
	snprintf(uid, sizeof(uid), "%s:%s", standard ? standard : "unknown", k->id);
	put(o, "uid", jstring(uid));
	put(o, "id", jstring(k->id));
	put(o, "level", level_or_null(c->has_levels, k->level));
	put(o, "optional", jbool(k->optional));
	struct json_object *title = jobject();
	put(title, "zh", jstring(k->title_zh));
	put(title, "en", jstring(k->title_en));
	put(o, "title", title);
	put(o, "method", jstring(k->method));
	put(o, "verdict", jstring(verdict_name(k->verdict)));
	put(o, "recorded", jbool(k->recorded));
	put(o, "met", jbool(grade_clause_met(&c->grade_clauses[k - c->clauses])));
	put(o, "summary", jstring(k->summary));
	put(o, "decided_at", jstring(k->decided_at));

	struct json_object *plan = jobject();
	put(plan, "kind", jstring(k->plan_kind));
	put(plan, "reason", jstring(k->plan_reason));
	put(plan, "checks", planned_checks(k->planned_checks));
	put(plan, "how", jstring(k->how));
	put(plan, "decision", jstring(k->decision));
	put(plan, "manual_question", jstring(k->manual_question));
	put(o, "plan", plan);

	struct json_object *checks = jarray();
	for (size_t i = 0; i < k->check_count; i++) {
		struct json_object *ch = jobject();
		put(ch, "check", jstring(k->checks[i].check));
		put(ch, "verdict", jstring(k->checks[i].verdict));
		put(ch, "summary", jstring(k->checks[i].summary));
		push(checks, ch);
	}
	put(o, "checks", checks);

	struct json_object *findings = jarray();
	for (size_t i = 0; i < k->finding_count; i++) {
		const struct report_finding *f = &k->findings[i];
		struct json_object *fo = jobject();
		put(fo, "id", jint(f->id));
		put(fo, "check", jstring(f->check_id));
		put(fo, "severity", jstring(f->severity));
		put(fo, "text", jstring(f->text));
		put(fo, "evidence", jstring(f->evidence));
		put(fo, "evidence_sha256", jstring(f->evidence_sha256));
		push(findings, fo);
	}
	put(o, "findings", findings);
	put(o, "text_zh", jstring(k->text_zh));
	return o;
}

struct json_object *report_json_build(const struct report_campaign *c)
{
	out_of_memory = false;
	struct json_object *root = jobject();
	put(root, "schema_version", jint(REPORT_SCHEMA_VERSION));

	struct json_object *generator = jobject();
	put(generator, "name", jstring("dutlab"));
	put(generator, "version", jstring(DUTLAB_VERSION));
	put(root, "generator", generator);

	struct json_object *campaign = jobject();
	static const char *const campaign_keys[][2] = {
		{"id", "campaign_id"},
		{"state", "state"},
		{"started_at", "started_at"},
		{"finished_at", "finished_at"},
		{"tool_version", "tool_version"},
		{"store_schema_version", "schema_version"},
		{"profile_path", "profile_path"},
		{"profile_sha256", "profile_sha256"},
	};
	for (size_t i = 0; i < DL_ARRAY_SIZE(campaign_keys); i++)
		put(campaign, campaign_keys[i][0], jstring(report_meta(c, campaign_keys[i][1])));
	put(root, "campaign", campaign);

	struct json_object *device = jobject();
	static const char *const identity_keys[] = {"vendor", "model", "firmware", "serial",
						    "product_type"};
	for (size_t i = 0; i < DL_ARRAY_SIZE(identity_keys); i++)
		put(device, identity_keys[i],
		    jstring(report_profile_text(c, "identity", identity_keys[i])));
	put(device, "addresses", profile_section(c, "addresses"));
	put(device, "declared_services", profile_section(c, "services"));
	put(device, "capabilities", profile_section(c, "capabilities"));
	put(root, "device", device);
	put(root, "scope", profile_section(c, "scope"));
	put(root, "report_fields", profile_section(c, "report"));

	struct json_object *standard = jobject();
	put(standard, "id", jstring(report_meta(c, "standard")));
	put(standard, "title_zh", jstring(report_meta(c, "standard_title_zh")));
	put(standard, "title_en", jstring(report_meta(c, "standard_title_en")));
	put(standard, "version", jstring(report_meta(c, "standard_version")));
	put(standard, "has_levels", jbool(c->has_levels));
	put(standard, "notes", standard_notes(c));
	put(root, "standard", standard);
	put(root, "target_level", level_or_null(c->has_levels, c->grade.target_level));
	put(root, "result", result(c));
	put(root, "counts", counts(c));

	struct json_object *clauses = jarray();
	for (size_t i = 0; i < c->clause_count; i++)
		push(clauses, clause(c, &c->clauses[i]));
	put(root, "clauses", clauses);

	struct json_object *evidence = jarray();
	for (size_t i = 0; i < c->evidence_count; i++) {
		const struct report_evidence *e = &c->evidence[i];
		struct json_object *eo = jobject();
		put(eo, "path", jstring(e->path));
		put(eo, "sha256", jstring(e->sha256));
		put(eo, "bytes", e->bytes >= 0 ? jint(e->bytes) : NULL);
		put(eo, "collector", jstring(e->collector_id));
		put(eo, "description", jstring(e->description));
		push(evidence, eo);
	}
	put(root, "evidence", evidence);

	struct json_object *warnings = jarray();
	for (size_t i = 0; i < c->warning_count; i++)
		push(warnings, jstring(c->warnings[i]));
	if (c->warnings_dropped) {
		char more[128];
		snprintf(more, sizeof(more), "%zu more warnings not listed", c->warnings_dropped);
		push(warnings, jstring(more));
	}
	put(root, "warnings", warnings);

	if (out_of_memory) {
		json_object_put(root);
		return NULL;
	}
	return root;
}

int report_json_write(const struct report_campaign *campaign, FILE *out, struct dl_error *err)
{
	struct json_object *root = report_json_build(campaign);
	if (!root)
		return dl_error_set(err, DL_ENOMEM, "out of memory building report.json");
	const char *text = json_object_to_json_string_ext(
		root, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE);
	int rc = 0;
	if (!text)
		rc = dl_error_set(err, DL_ENOMEM, "out of memory writing report.json");
	else if (fputs(text, out) < 0 || fputc('\n', out) == EOF)
		rc = dl_error_set(err, DL_EIO, "cannot write report.json: %s", strerror(errno));
	json_object_put(root);
	return rc;
}
