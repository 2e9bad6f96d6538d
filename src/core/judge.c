/* judge: turn stored observations into clause verdicts and findings, in the caller's transaction */
#include "core/compat.h"

#include <json-c/json.h>
#include <sqlite3.h>

#include "checks/check.h"
#include "core/error.h"
#include "core/json-read.h"
#include "core/judge.h"
#include "core/store.h"
#include "core/text.h"

int judge_record_verdict(struct store *store, const char *clause_id, enum verdict verdict,
			 const char *summary, const char *checks_json, struct dl_error *err)
{
	char now[32];
	store_now(now, sizeof(now));
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(
		    store->db,
		    "INSERT INTO clause_result(clause_id, verdict, summary, checks, decided_at)"
		    " VALUES(?1,?2,?3,?4,?5) ON CONFLICT(clause_id) DO UPDATE SET"
		    " verdict=excluded.verdict, summary=excluded.summary,"
		    " checks=excluded.checks, decided_at=excluded.decided_at",
		    -1, &st, NULL) != SQLITE_OK)
		return dl_error_set(err, DL_EIO, "%s: %s", store->path, sqlite3_errmsg(store->db));
	sqlite3_bind_text(st, 1, clause_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, verdict_name(verdict), -1, SQLITE_STATIC);
	store_bind_text(st, 3, summary);
	sqlite3_bind_text(st, 4, checks_json ? checks_json : "[]", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, now, -1, SQLITE_STATIC);
	int rc = 0;
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = dl_error_set(err, DL_EIO, "%s: recording the verdict of %s: %s", store->path,
				  clause_id, sqlite3_errmsg(store->db));
	sqlite3_finalize(st);
	return rc;
}

static enum verdict combine(enum verdict a, enum verdict b)
{
	/* A failure is decisive; then anything that stops a pass. */
	static const int rank[VERDICT_COUNT] = {
		[VERDICT_FAIL] = 6,           [VERDICT_ERROR] = 5,      [VERDICT_INCONCLUSIVE] = 4,
		[VERDICT_MANUAL] = 3,         [VERDICT_NOT_TESTED] = 2, [VERDICT_PASS] = 1,
		[VERDICT_NOT_APPLICABLE] = 0,
	};
	return rank[a] >= rank[b] ? a : b;
}

struct collector_state {
	char state[16];
	char *observation;
	char *error;
};

static int load_collector_state(struct store *store, const char *id, struct collector_state *out,
				struct dl_error *err)
{
	memset(out, 0, sizeof(*out));
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(
		    store->db,
		    "SELECT state, observation, error FROM collector_run WHERE collector_id=?1", -1,
		    &st, NULL) != SQLITE_OK)
		return dl_error_set(err, DL_EIO, "%s: %s", store->path, sqlite3_errmsg(store->db));
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	int rc = 0;
	if (sqlite3_step(st) == SQLITE_ROW) {
		text_copy(out->state, sizeof(out->state), (const char *)sqlite3_column_text(st, 0));
		out->observation = text_dup((const char *)sqlite3_column_text(st, 1));
		out->error = text_dup((const char *)sqlite3_column_text(st, 2));
	} else {
		text_copy(out->state, sizeof(out->state), "missing");
	}
	sqlite3_finalize(st);
	return rc;
}

static void collector_state_release(struct collector_state *s)
{
	free(s->observation);
	free(s->error);
}

static int insert_finding(struct store *store, const char *clause_id, const char *check_id,
			  const struct finding *f, struct dl_error *err)
{
	static const char *const severity[] = {"info", "pass", "fail", "warning"};
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(store->db,
			       "INSERT INTO finding(clause_id, check_id, severity, text, evidence)"
			       " VALUES(?1,?2,?3,?4,?5)",
			       -1, &st, NULL) != SQLITE_OK)
		return dl_error_set(err, DL_EIO, "%s: %s", store->path, sqlite3_errmsg(store->db));
	sqlite3_bind_text(st, 1, clause_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, check_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, severity[f->severity <= FINDING_WARNING ? f->severity : 0], -1,
			  SQLITE_STATIC);
	sqlite3_bind_text(st, 4, f->text, -1, SQLITE_STATIC);
	store_bind_text(st, 5, f->evidence);
	int rc = 0;
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = dl_error_set(err, DL_EIO, "%s: %s", store->path, sqlite3_errmsg(store->db));
	sqlite3_finalize(st);
	return rc;
}

/* Judge one clause from its checks. Returns 1 if some collector it needs
 * has not finished yet (nothing written), 0 when the verdict is stored. */
static int judge_clause(struct store *store, const struct profile *profile, const char *clause_id,
			const char *checks_text, const struct judge_listener *listener,
			struct dl_error *err)
{
	struct json_object *checks = json_tokener_parse(checks_text);
	if (!checks || !json_object_is_type(checks, json_type_array)) {
		json_object_put(checks);
		return dl_error_set(err, DL_EINVAL, "%s: plan of clause %s is not a JSON array",
				    store->path, clause_id);
	}
	size_t count = json_object_array_length(checks);
	enum verdict overall = VERDICT_NOT_APPLICABLE;
	struct json_object *results = json_object_new_array();
	struct check_verdict *verdicts = calloc(count ? count : 1, sizeof(*verdicts));
	const char **check_ids = calloc(count ? count : 1, sizeof(*check_ids));
	int rc = 0, pending = 0;
	if (!verdicts || !check_ids) {
		rc = dl_error_set(err, DL_ENOMEM, "out of memory judging clause %s", clause_id);
		goto out;
	}

	for (size_t i = 0; i < count && !rc && !pending; i++) {
		struct json_object *entry = json_object_array_get_idx(checks, i);
		struct json_object *params_object = json_read_member(entry, "params");
		const char *check_id = json_object_get_string(json_read_member(entry, "check"));
		check_ids[i] = check_id;
		struct check_verdict *v = &verdicts[i];
		const struct check *check = check_id ? check_find(check_id) : NULL;
		if (!check) {
			check_verdict_set(v, VERDICT_ERROR, "check '%s' is unknown to this dutlab",
					  check_id ? check_id : "(none)");
		} else {
			struct collector_state cs;
			rc = load_collector_state(store, check->collector->id, &cs, err);
			if (rc)
				break;
			if (strcmp(cs.state, "pending") == 0 || strcmp(cs.state, "running") == 0) {
				pending = 1;
			} else if (strcmp(cs.state, "unmet") == 0) {
				check_verdict_set(v, VERDICT_INCONCLUSIVE, "%s",
						  cs.error ? cs.error : "a need is unmet");
			} else if (strcmp(cs.state, "done") != 0) {
				check_verdict_set(v, VERDICT_ERROR, "%s: %s", check->collector->id,
						  cs.error ? cs.error
							   : "the collector did not finish");
			} else if (!check->judge) {
				check_verdict_set(v, VERDICT_ERROR, "error: %s is not built in",
						  check_id);
			} else {
				struct json_object *observation =
					json_tokener_parse(cs.observation ? cs.observation : "");
				struct check_param items[32];
				struct check_params params = {.items = items};
				if (params_object &&
				    json_object_is_type(params_object, json_type_object)) {
					json_object_object_foreach(params_object, key, value)
					{
						if (params.count < DL_ARRAY_SIZE(items))
							items[params.count++] =
								(struct check_param){
									key, json_object_get_string(
										     value)};
					}
				}
				struct dl_error judge_err = {0};
				if (!observation) {
					check_verdict_set(
						v, VERDICT_ERROR,
						"the stored observation of %s is not JSON",
						check->collector->id);
				} else if (check->judge(observation, &params, profile, v,
							&judge_err) != 0) {
					check_verdict_set(v, VERDICT_ERROR, "%s: %s", check_id,
							  judge_err.message);
				}
				json_object_put(observation);
			}
			collector_state_release(&cs);
		}
		if (!v->summary)
			check_verdict_set(v, v->verdict, "%s gave no summary", check_id);
		overall = combine(overall, v->verdict);
		struct json_object *r = json_object_new_object();
		json_object_object_add(r, "check",
				       json_object_new_string(check_id ? check_id : ""));
		json_object_object_add(r, "verdict",
				       json_object_new_string(verdict_name(v->verdict)));
		json_object_object_add(r, "summary",
				       json_object_new_string(v->summary ? v->summary : ""));
		json_object_array_add(results, r);
	}
	if (rc || pending)
		goto out;

	/* The clause summary: the deciding check's summary, prefixed by its id
	 * when several checks decide the clause. */
	char summary[2048] = "";
	for (size_t i = 0; i < count; i++) {
		if (verdicts[i].verdict != overall)
			continue;
		size_t used = strlen(summary);
		if (count > 1)
			snprintf(summary + used, sizeof(summary) - used, "%s%s: %s",
				 used ? "; " : "", check_ids[i], verdicts[i].summary);
		else
			snprintf(summary + used, sizeof(summary) - used, "%s", verdicts[i].summary);
	}
	if (count == 0)
		snprintf(summary, sizeof(summary), "no check cited");
	rc = judge_record_verdict(store, clause_id, overall, summary,
				  json_object_to_json_string_ext(results, JSON_C_TO_STRING_PLAIN),
				  err);
	if (!rc) {
		sqlite3_stmt *st = NULL;
		if (sqlite3_prepare_v2(store->db, "DELETE FROM finding WHERE clause_id=?1", -1, &st,
				       NULL) == SQLITE_OK) {
			sqlite3_bind_text(st, 1, clause_id, -1, SQLITE_STATIC);
			sqlite3_step(st);
		}
		sqlite3_finalize(st);
	}
	for (size_t i = 0; !rc && i < count; i++)
		for (size_t f = 0; !rc && f < verdicts[i].finding_count; f++)
			rc = insert_finding(store, clause_id, check_ids[i],
					    &verdicts[i].findings[f], err);
	if (!rc && listener && listener->on_clause)
		listener->on_clause(listener->opaque, clause_id, overall);
out:
	for (size_t i = 0; verdicts && i < count; i++)
		check_verdict_release(&verdicts[i]);
	free(verdicts);
	free(check_ids);
	json_object_put(results);
	json_object_put(checks);
	return rc ? rc : pending;
}

/* Judge every check-planned clause that has no verdict yet and whose
 * collectors have all finished. */
int judge_ready_clauses(struct store *store, const struct profile *profile,
			const struct judge_listener *listener, struct dl_error *err)
{
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(
		    store->db,
		    "SELECT clause_id, checks FROM plan_item WHERE kind='check' AND clause_id"
		    " NOT IN (SELECT clause_id FROM clause_result) ORDER BY seq",
		    -1, &st, NULL) != SQLITE_OK)
		return dl_error_set(err, DL_EIO, "%s: %s", store->path, sqlite3_errmsg(store->db));
	/* Copy the rows first: judging writes to the tables we read. */
	char *ids[1024];
	char *checks[1024];
	size_t n = 0;
	while (n < DL_ARRAY_SIZE(ids) && sqlite3_step(st) == SQLITE_ROW) {
		ids[n] = text_dup((const char *)sqlite3_column_text(st, 0));
		checks[n] = text_dup((const char *)sqlite3_column_text(st, 1));
		n++;
	}
	sqlite3_finalize(st);
	int rc = 0;
	for (size_t i = 0; i < n; i++) {
		if (!rc && ids[i] && checks[i]) {
			int r = judge_clause(store, profile, ids[i], checks[i], listener, err);
			if (r < 0)
				rc = r;
		}
		free(ids[i]);
		free(checks[i]);
	}
	return rc;
}
