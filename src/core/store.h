/* store: campaign.db (SQLite, WAL): the plan, every observation and verdict, written the moment it
 * is known */
#ifndef DUTLAB_CORE_STORE_H
#define DUTLAB_CORE_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct dl_error;
struct sqlite3;
struct sqlite3_stmt;

/*
 * Schema (version 1). Reports are built from these tables alone.
 *
 *   meta(key PRIMARY KEY, value)
 *     schema_version, tool_version, campaign_id, profile_path,
 *     profile_sha256, profile_json (identity, scope, services, report
 *     fields as JSON), standard, standard_title_zh, standard_title_en,
 *     standard_version, standard_has_levels ("1"/"0"), standard_notes
 *     (JSON array: the catalog's recorded interpretations of the standard),
 *     target_level, started_at, finished_at,
 *     state (planned|running|interrupted|finished)
 *
 *   plan_item(seq PRIMARY KEY, clause_id, level, optional, title_zh,
 *     title_en, text_zh, method, how, decision, manual_question,
 *     kind (check|manual|not_tested|not_applicable), checks (JSON array of
 *     {"check": id, "params": {name: value}}), reason)
 *     one row per clause of the selected standard, in catalog order
 *
 *   collector_run(collector_id PRIMARY KEY, seq, state
 *     (pending|running|done|error|unmet), started_at, finished_at,
 *     duration_ms, observation (JSON text), error)
 *     unmet: the profile lacks what the collector needs (error says what);
 *     its clauses are inconclusive, not failed
 *
 *   clause_result(clause_id PRIMARY KEY, verdict, summary, checks (JSON
 *     array of {"check", "verdict", "summary"}), decided_at)
 *
 *   finding(id PRIMARY KEY, clause_id, check_id, severity
 *     (info|pass|fail|warning), text, evidence)
 *
 *   evidence(path PRIMARY KEY, sha256, bytes, collector_id, description)
 *     paths are relative to the campaign folder ("evidence/scan.pcapng")
 *
 * Times are UTC ISO 8601 with a zone ("2026-11-25T16:38:59Z").
 */

#define STORE_SCHEMA_VERSION 1

struct store {
	struct sqlite3 *db;
	char path[4096];
};

/* Open (creating if asked) campaign_dir/campaign.db with WAL and
 * synchronous=FULL, so a SIGKILL loses at most an unfinished transaction. */
int store_open(struct store *s, const char *campaign_dir, bool create, struct dl_error *err);
void store_close(struct store *s);

int store_meta_set(struct store *s, const char *key, const char *value, struct dl_error *err);
/* *value is malloc'd (caller frees) or NULL when absent. */
int store_meta_get(struct store *s, const char *key, char **value, struct dl_error *err);

int store_begin(struct store *s, struct dl_error *err);
int store_commit(struct store *s, struct dl_error *err);
int store_rollback(struct store *s);

/* Run one SQL statement with no result rows. */
int store_exec(struct store *s, const char *sql, struct dl_error *err);

/* Bind text, or NULL when text is NULL (SQLITE_TRANSIENT: copied). */
int store_bind_text(struct sqlite3_stmt *st, int index, const char *text);

/* Current UTC time as ISO 8601 into buf (at least 21 bytes). */
void store_now(char *buf, size_t size);

#endif
