/* runner: runs each collector once with a deadline, judges clauses as results arrive, resumes after
 * a crash */
#include "core/compat.h"

#include <json-c/json.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include "checks/check.h"
#include "core/catalog.h"
#include "core/child.h"
#include "core/error.h"
#include "core/evidence-store.h"
#include "core/judge.h"
#include "core/monotonic.h"
#include "core/plan.h"
#include "core/profile-json.h"
#include "core/profile.h"
#include "core/progress.h"
#include "core/runner.h"
#include "core/store.h"
#include "core/text.h"
#include "dutlab-config.h"
#include "net/scope.h"

static volatile sig_atomic_t stop_requested;

static void on_stop_signal(int signal_number)
{
	(void)signal_number;
	stop_requested = 1;
}

/* ---- recording the plan ---- */

static struct json_object *clause_checks_json(const struct catalog_clause *c)
{
	struct json_object *checks = json_object_new_array();
	for (size_t k = 0; k < c->check_count; k++) {
		struct json_object *o = json_object_new_object();
		json_object_object_add(o, "check", json_object_new_string(c->checks[k].check_id));
		struct json_object *params = json_object_new_object();
		for (size_t p = 0; p < c->checks[k].param_count; p++)
			json_object_object_add(
				params, c->checks[k].params[p].name,
				json_object_new_string(c->checks[k].params[p].value));
		json_object_object_add(o, "params", params);
		json_object_array_add(checks, o);
	}
	return checks;
}

static enum verdict plan_kind_verdict(enum plan_kind kind)
{
	switch (kind) {
	case PLAN_MANUAL: return VERDICT_MANUAL;
	case PLAN_NOT_APPLICABLE: return VERDICT_NOT_APPLICABLE;
	case PLAN_NOT_TESTED: return VERDICT_NOT_TESTED;
	case PLAN_CHECK: break;
	}
	return VERDICT_NOT_TESTED;
}

static int insert_plan_item(struct store *store, size_t seq, const struct plan_item *item,
			    struct dl_error *err)
{
	const struct catalog_clause *c = item->clause;
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(
		    store->db,
		    "INSERT INTO plan_item(seq, clause_id, level, optional, title_zh,"
		    " title_en, text_zh, method, how, decision, manual_question, kind,"
		    " checks, reason) VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14)",
		    -1, &st, NULL) != SQLITE_OK)
		return dl_error_set(err, DL_EIO, "%s: %s", store->path, sqlite3_errmsg(store->db));
	struct json_object *checks = clause_checks_json(c);
	sqlite3_bind_int64(st, 1, (sqlite3_int64)seq);
	sqlite3_bind_text(st, 2, c->id, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 3, c->level);
	sqlite3_bind_int(st, 4, c->optional);
	store_bind_text(st, 5, c->title_zh);
	store_bind_text(st, 6, c->title_en);
	store_bind_text(st, 7, c->text_zh);
	sqlite3_bind_text(st, 8, catalog_method_name(c->method), -1, SQLITE_STATIC);
	store_bind_text(st, 9, c->how);
	store_bind_text(st, 10, c->decision);
	store_bind_text(st, 11, c->manual_question);
	sqlite3_bind_text(st, 12, plan_kind_name(item->kind), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 13, json_object_to_json_string_ext(checks, JSON_C_TO_STRING_PLAIN),
			  -1, SQLITE_TRANSIENT);
	store_bind_text(st, 14, item->kind == PLAN_CHECK ? NULL : item->reason);
	int rc = 0;
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = dl_error_set(err, DL_EIO, "%s: recording clause %s: %s", store->path, c->id,
				  sqlite3_errmsg(store->db));
	sqlite3_finalize(st);
	json_object_put(checks);
	return rc;
}

int runner_record_plan(struct store *store, const struct plan *plan, const struct profile *profile,
		       struct dl_error *err)
{
	char now[32], level[8];
	store_now(now, sizeof(now));
	snprintf(level, sizeof(level), "%d", plan->level);
	struct json_object *profile_json = profile_to_json(profile);
	if (!profile_json)
		return dl_error_set(err, DL_ENOMEM, "out of memory recording the profile");

	int rc = store_begin(store, err);
	if (rc) {
		json_object_put(profile_json);
		return rc;
	}
	struct json_object *notes = json_object_new_array();
	for (size_t i = 0; i < plan->standard->note_count; i++)
		json_object_array_add(notes, json_object_new_string(plan->standard->notes[i]));
	char campaign_id[64];
	snprintf(campaign_id, sizeof(campaign_id), "%s-%08lx", now, (unsigned long)getpid());
	const struct catalog_standard *s = plan->standard;
	const char *meta[][2] = {
		{"tool_version", DUTLAB_VERSION},
		{"campaign_id", campaign_id},
		{"profile_path", profile->path},
		{"profile_json",
		 json_object_to_json_string_ext(profile_json, JSON_C_TO_STRING_PLAIN)},
		{"standard", s->id},
		{"standard_title_zh", s->title_zh},
		{"standard_title_en", s->title_en},
		{"standard_version", s->version},
		{"standard_has_levels", s->has_levels ? "1" : "0"},
		{"standard_notes", json_object_to_json_string_ext(notes, JSON_C_TO_STRING_PLAIN)},
		{"target_level", level},
		{"started_at", now},
		{"state", "planned"},
	};
	for (size_t i = 0; !rc && i < DL_ARRAY_SIZE(meta); i++)
		rc = store_meta_set(store, meta[i][0], meta[i][1] ? meta[i][1] : "", err);
	json_object_put(profile_json);
	json_object_put(notes);

	for (size_t i = 0; !rc && i < plan->item_count; i++) {
		const struct plan_item *item = &plan->items[i];
		rc = insert_plan_item(store, i + 1, item, err);
		if (!rc && item->kind != PLAN_CHECK)
			rc = judge_record_verdict(store, item->clause->id,
						  plan_kind_verdict(item->kind), item->reason, "[]",
						  err);
	}
	for (size_t i = 0; !rc && i < plan->collector_count; i++) {
		sqlite3_stmt *st = NULL;
		if (sqlite3_prepare_v2(store->db,
				       "INSERT INTO collector_run(collector_id, seq, state)"
				       " VALUES(?1, ?2, 'pending')",
				       -1, &st, NULL) != SQLITE_OK) {
			rc = dl_error_set(err, DL_EIO, "%s: %s", store->path,
					  sqlite3_errmsg(store->db));
			break;
		}
		sqlite3_bind_text(st, 1, plan->collectors[i]->id, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, (sqlite3_int64)i + 1);
		if (sqlite3_step(st) != SQLITE_DONE)
			rc = dl_error_set(err, DL_EIO, "%s: %s", store->path,
					  sqlite3_errmsg(store->db));
		sqlite3_finalize(st);
	}
	if (rc) {
		store_rollback(store);
		return rc;
	}
	return store_commit(store, err);
}

/* ---- the campaign loop ---- */

static int set_collector_state(struct store *store, const char *id, const char *state,
			       const char *observation, const char *error, int64_t duration_ms,
			       struct dl_error *err)
{
	char now[32];
	store_now(now, sizeof(now));
	sqlite3_stmt *st = NULL;
	const char *sql =
		strcmp(state, "running") == 0
			? "UPDATE collector_run SET state=?2, started_at=?5, observation=NULL,"
			  " error=NULL WHERE collector_id=?1"
			: "UPDATE collector_run SET state=?2, observation=?3, error=?4,"
			  " finished_at=?5, duration_ms=?6 WHERE collector_id=?1";
	if (sqlite3_prepare_v2(store->db, sql, -1, &st, NULL) != SQLITE_OK)
		return dl_error_set(err, DL_EIO, "%s: %s", store->path, sqlite3_errmsg(store->db));
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, state, -1, SQLITE_STATIC);
	if (strcmp(state, "running") != 0) {
		store_bind_text(st, 3, observation);
		store_bind_text(st, 4, error);
		sqlite3_bind_int64(st, 6, duration_ms);
	}
	sqlite3_bind_text(st, 5, now, -1, SQLITE_STATIC);
	int rc = 0;
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = dl_error_set(err, DL_EIO, "%s: recording collector %s: %s", store->path, id,
				  sqlite3_errmsg(store->db));
	sqlite3_finalize(st);
	return rc;
}

/* The observations a collector reads, loaded from the store before it runs. */
struct loaded_inputs {
	struct check_input items[COLLECTOR_INPUTS_MAX];
	char errors[COLLECTOR_INPUTS_MAX][512];
	size_t count;
};

static void release_inputs(struct loaded_inputs *in)
{
	for (size_t i = 0; i < in->count; i++)
		json_object_put(in->items[i].observation);
	in->count = 0;
}

static int load_inputs(struct store *store, const struct collector *c, struct loaded_inputs *out,
		       struct dl_error *err)
{
	out->count = 0;
	for (size_t i = 0; c->inputs && c->inputs[i]; i++) {
		if (out->count == COLLECTOR_INPUTS_MAX)
			return dl_error_set(err, DL_EINVAL,
					    "collector %s reads more than %d inputs", c->id,
					    COLLECTOR_INPUTS_MAX);
		struct check_input *in = &out->items[out->count];
		char *message = out->errors[out->count];
		out->count++;
		*in = (struct check_input){.collector_id = c->inputs[i], .error = message};
		snprintf(message, 512, "collector %s did not run in this campaign", c->inputs[i]);
		sqlite3_stmt *st = NULL;
		if (sqlite3_prepare_v2(store->db,
				       "SELECT state, observation, error FROM collector_run"
				       " WHERE collector_id=?1",
				       -1, &st, NULL) != SQLITE_OK)
			return dl_error_set(err, DL_EIO, "%s: %s", store->path,
					    sqlite3_errmsg(store->db));
		sqlite3_bind_text(st, 1, c->inputs[i], -1, SQLITE_STATIC);
		if (sqlite3_step(st) == SQLITE_ROW) {
			const char *state = (const char *)sqlite3_column_text(st, 0);
			const char *observation = (const char *)sqlite3_column_text(st, 1);
			const char *error = (const char *)sqlite3_column_text(st, 2);
			if (state && strcmp(state, "done") == 0 && observation)
				in->observation = json_tokener_parse(observation);
			if (!in->observation)
				snprintf(message, 512, "collector %s: %s%s%s", c->inputs[i],
					 state ? state : "?", error ? ": " : "",
					 error ? error : "");
		}
		sqlite3_finalize(st);
	}
	return 0;
}

struct pending_collector {
	const struct collector *collector;
	char id[128];
};

static void announce_clause(void *opaque, const char *clause_id, enum verdict verdict)
{
	progress_event(opaque, "clause", verdict_name(verdict), clause_id, -1);
}

static int finish_collector(struct store *store, const struct profile *profile,
			    const char *campaign_dir, const char *id, const char *state,
			    const char *observation, const char *error, int64_t duration_ms,
			    struct progress *p, struct dl_error *err)
{
	struct judge_listener listener = {.on_clause = announce_clause, .opaque = p};
	int rc = store_begin(store, err);
	if (rc)
		return rc;
	rc = set_collector_state(store, id, state, observation, error, duration_ms, err);
	if (!rc)
		rc = evidence_register_new(store, campaign_dir, id, err);
	if (!rc)
		rc = judge_ready_clauses(store, profile, &listener, err);
	if (rc) {
		store_rollback(store);
		return rc;
	}
	return store_commit(store, err);
}

int runner_run(struct store *store, const struct profile *profile, const char *campaign_dir,
	       const struct runner_options *options, struct dl_error *err)
{
	struct progress p = {.mode = progress_resolve_mode(options->progress)};
	double scale = options->timeout_scale > 0 ? options->timeout_scale : 1.0;
	char evidence_dir[4200];
	snprintf(evidence_dir, sizeof(evidence_dir), "%s/evidence", campaign_dir);
	if (mkdir(evidence_dir, 0755) != 0 && errno != EEXIST)
		return dl_error_set(err, DL_EIO, "cannot create %s: %s", evidence_dir,
				    strerror(errno));

	/* A collector left 'running' was cut off by a crash: run it again. */
	int rc = store_exec(store, "UPDATE collector_run SET state='pending' WHERE state='running'",
			    err);
	if (!rc)
		rc = store_meta_set(store, "state", "running", err);
	if (rc)
		return rc;

	struct pending_collector pending[64];
	size_t pending_count = 0, finished_count = 0;
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(store->db,
			       "SELECT collector_id, state FROM collector_run ORDER BY seq", -1,
			       &st, NULL) != SQLITE_OK)
		return dl_error_set(err, DL_EIO, "%s: %s", store->path, sqlite3_errmsg(store->db));
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *id = (const char *)sqlite3_column_text(st, 0);
		const char *state = (const char *)sqlite3_column_text(st, 1);
		if (strcmp(state, "pending") != 0) {
			finished_count++;
			continue;
		}
		if (pending_count == DL_ARRAY_SIZE(pending))
			break;
		struct pending_collector *pc = &pending[pending_count++];
		text_copy(pc->id, sizeof(pc->id), id);
		pc->collector = collector_find(id);
	}
	sqlite3_finalize(st);

	struct sigaction action = {.sa_handler = on_stop_signal}, old_int, old_term;
	sigemptyset(&action.sa_mask);
	sigaction(SIGINT, &action, &old_int);
	sigaction(SIGTERM, &action, &old_term);
	stop_requested = 0;

	p.total = finished_count + pending_count;
	p.campaign_started_ns = monotonic_ns();
	struct check_context base = {
		.profile = profile,
		.scope = &profile->scope,
		.campaign_dir = campaign_dir,
		.evidence_dir = evidence_dir,
	};

	/* Clauses whose collectors all finished before a crash but were not
	 * judged yet. */
	struct judge_listener listener = {.on_clause = announce_clause, .opaque = &p};
	rc = store_begin(store, err);
	if (!rc) {
		rc = judge_ready_clauses(store, profile, &listener, err);
		if (rc)
			store_rollback(store);
		else
			rc = store_commit(store, err);
	}

	for (size_t i = 0; !rc && i < pending_count; i++) {
		const struct collector *c = pending[i].collector;
		p.index = finished_count + i + 1;
		p.collector_id = pending[i].id;
		p.done = p.units = 0;
		p.what[0] = '\0';
		p.started_ns = monotonic_ns();
		p.expected_seconds = c ? c->expected_seconds : 0;
		p.remaining_expected = 0;
		for (size_t k = i + 1; k < pending_count; k++)
			p.remaining_expected +=
				pending[k].collector ? pending[k].collector->expected_seconds : 0;

		const char *unmet = c ? collector_unmet_need(c, profile, UINT32_MAX) : NULL;
		if (!c || !c->collect || unmet) {
			char message[512];
			const char *state = "error";
			if (!c)
				snprintf(message, sizeof(message),
					 "collector '%s' is unknown to this dutlab", pending[i].id);
			else if (!c->collect)
				snprintf(message, sizeof(message), "error: %s is not built in",
					 c->id);
			else {
				snprintf(message, sizeof(message), "%s", unmet);
				state = "unmet";
			}
			progress_event(&p, "collector_end", state, message, 0);
			rc = finish_collector(store, profile, campaign_dir, pending[i].id, state,
					      NULL, message, 0, &p, err);
			continue;
		}

		rc = set_collector_state(store, c->id, "running", NULL, NULL, 0, err);
		if (rc)
			break;
		progress_event(&p, "collector_start", NULL, NULL, -1);
		int64_t deadline =
			p.started_ns + (int64_t)((double)c->timeout_seconds * scale * 1e9);
		char *observation = NULL;
		char message[2048] = "";
		struct loaded_inputs inputs = {0};
		rc = load_inputs(store, c, &inputs, err);
		if (rc) {
			release_inputs(&inputs);
			break;
		}
		base.inputs = inputs.items;
		base.input_count = inputs.count;
		enum child_outcome outcome =
			child_run_collector(c, &base, &p, deadline, &stop_requested, &observation,
					    message, sizeof(message));
		base.inputs = NULL;
		base.input_count = 0;
		release_inputs(&inputs);
		int64_t duration_ms = (monotonic_ns() - p.started_ns) / 1000000;
		if (outcome == CHILD_INTERRUPTED) {
			set_collector_state(store, c->id, "pending", NULL, NULL, 0, NULL);
			progress_event(&p, "collector_end", "interrupted", message, duration_ms);
			rc = DL_EINTERRUPTED;
			break;
		}
		const char *state = outcome == CHILD_DONE ? "done" : "error";
		progress_event(&p, "collector_end", state, outcome == CHILD_DONE ? NULL : message,
			       duration_ms);
		rc = finish_collector(store, profile, campaign_dir, c->id, state, observation,
				      outcome == CHILD_DONE ? NULL : message, duration_ms, &p, err);
		free(observation);
		if (!rc && stop_requested)
			rc = DL_EINTERRUPTED;
	}

	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);

	if (rc == DL_EINTERRUPTED) {
		store_meta_set(store, "state", "interrupted", NULL);
		p.collector_id = NULL;
		progress_event(&p, "interrupted", NULL, campaign_dir, -1);
		return dl_error_set(
			err, DL_EINTERRUPTED,
			"stopped by the operator; every finished result is in %s/campaign.db;"
			" continue with 'dutlab run --resume %s'",
			campaign_dir, campaign_dir);
	}
	if (rc)
		return rc;
	char now[32];
	store_now(now, sizeof(now));
	rc = store_meta_set(store, "finished_at", now, err);
	if (!rc)
		rc = store_meta_set(store, "state", "finished", err);
	p.collector_id = NULL;
	if (!rc)
		progress_event(&p, "finished", NULL, campaign_dir, -1);
	return rc;
}
