/* store: campaign.db (SQLite, WAL): open, schema, meta and transactions */
#include "core/compat.h"

#include <sqlite3.h>
#include <sys/stat.h>
#include <time.h>

#include "core/error.h"
#include "core/store.h"
#include "core/text.h"

static const char schema_sql[] =
	"CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);"
	"CREATE TABLE IF NOT EXISTS plan_item(seq INTEGER PRIMARY KEY, clause_id TEXT NOT NULL "
	"UNIQUE,"
	" level INTEGER NOT NULL, optional INTEGER NOT NULL, title_zh TEXT, title_en TEXT,"
	" text_zh TEXT, method TEXT, how TEXT, decision TEXT, manual_question TEXT,"
	" kind TEXT NOT NULL CHECK(kind IN ('check','manual','not_tested','not_applicable')),"
	" checks TEXT NOT NULL, reason TEXT);"
	"CREATE TABLE IF NOT EXISTS collector_run(collector_id TEXT PRIMARY KEY, seq INTEGER NOT "
	"NULL,"
	" state TEXT NOT NULL CHECK(state IN ('pending','running','done','error','unmet')),"
	" started_at TEXT, finished_at TEXT, duration_ms INTEGER, observation TEXT, error TEXT);"
	"CREATE TABLE IF NOT EXISTS clause_result(clause_id TEXT PRIMARY KEY, verdict TEXT NOT "
	"NULL,"
	" summary TEXT, checks TEXT, decided_at TEXT);"
	"CREATE TABLE IF NOT EXISTS finding(id INTEGER PRIMARY KEY, clause_id TEXT NOT NULL,"
	" check_id TEXT, severity TEXT NOT NULL, text TEXT NOT NULL, evidence TEXT);"
	"CREATE INDEX IF NOT EXISTS finding_clause ON finding(clause_id);"
	"CREATE TABLE IF NOT EXISTS evidence(path TEXT PRIMARY KEY, sha256 TEXT, bytes INTEGER,"
	" collector_id TEXT, description TEXT);";

int store_exec(struct store *s, const char *sql, struct dl_error *err)
{
	char *message = NULL;
	if (sqlite3_exec(s->db, sql, NULL, NULL, &message) != SQLITE_OK) {
		int rc = dl_error_set(err, DL_EIO, "%s: %s", s->path,
				      message ? message : "sqlite error");
		sqlite3_free(message);
		return rc;
	}
	return 0;
}

int store_open(struct store *s, const char *campaign_dir, bool create, struct dl_error *err)
{
	memset(s, 0, sizeof(*s));
	int n = snprintf(s->path, sizeof(s->path), "%s/campaign.db", campaign_dir);
	if (n < 0 || (size_t)n >= sizeof(s->path))
		return dl_error_set(err, DL_EINVAL, "campaign folder path '%s' is too long",
				    campaign_dir);

	struct stat st;
	if (!create && stat(s->path, &st) != 0)
		return dl_error_set(
			err, DL_ENOTFOUND,
			"'%s' has no campaign.db; is it a campaign folder made by 'dutlab run'?",
			campaign_dir);

	int flags = SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0);
	if (sqlite3_open_v2(s->path, &s->db, flags, NULL) != SQLITE_OK) {
		int rc = dl_error_set(err, DL_EIO, "cannot open %s: %s", s->path,
				      s->db ? sqlite3_errmsg(s->db) : "out of memory");
		sqlite3_close(s->db);
		s->db = NULL;
		return rc;
	}
	sqlite3_busy_timeout(s->db, 5000);
	/* WAL plus synchronous=FULL: every committed result survives a SIGKILL
	 * or a power cut; only the transaction in flight is lost. */
	int rc = store_exec(s,
			    "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
			    " PRAGMA foreign_keys=ON;",
			    err);
	if (!rc)
		rc = store_exec(s, schema_sql, err);
	if (!rc) {
		char *version = NULL;
		rc = store_meta_get(s, "schema_version", &version, err);
		if (!rc && !version) {
			char text[16];
			snprintf(text, sizeof(text), "%d", STORE_SCHEMA_VERSION);
			rc = store_meta_set(s, "schema_version", text, err);
		} else if (!rc) {
			long v = 0;
			if (text_parse_long(version, 1, 1000, &v) != 0 || v != STORE_SCHEMA_VERSION)
				rc = dl_error_set(
					err, DL_EINVAL,
					"%s has schema version '%s'; this dutlab reads version %d",
					s->path, version, STORE_SCHEMA_VERSION);
		}
		free(version);
	}
	if (rc) {
		sqlite3_close(s->db);
		s->db = NULL;
	}
	return rc;
}

void store_close(struct store *s)
{
	if (s && s->db) {
		sqlite3_close(s->db);
		s->db = NULL;
	}
}

int store_meta_set(struct store *s, const char *key, const char *value, struct dl_error *err)
{
	sqlite3_stmt *st = NULL;
	int rc = 0;
	if (sqlite3_prepare_v2(s->db,
			       "INSERT INTO meta(key, value) VALUES(?1, ?2)"
			       " ON CONFLICT(key) DO UPDATE SET value = excluded.value",
			       -1, &st, NULL) != SQLITE_OK)
		return dl_error_set(err, DL_EIO, "%s: %s", s->path, sqlite3_errmsg(s->db));
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, value ? value : "", -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = dl_error_set(err, DL_EIO, "%s: writing meta '%s': %s", s->path, key,
				  sqlite3_errmsg(s->db));
	sqlite3_finalize(st);
	return rc;
}

int store_meta_get(struct store *s, const char *key, char **value, struct dl_error *err)
{
	sqlite3_stmt *st = NULL;
	*value = NULL;
	if (sqlite3_prepare_v2(s->db, "SELECT value FROM meta WHERE key = ?1", -1, &st, NULL) !=
	    SQLITE_OK)
		return dl_error_set(err, DL_EIO, "%s: %s", s->path, sqlite3_errmsg(s->db));
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	int rc = 0;
	int step = sqlite3_step(st);
	if (step == SQLITE_ROW) {
		*value = text_dup((const char *)sqlite3_column_text(st, 0));
		if (!*value)
			rc = dl_error_set(err, DL_ENOMEM, "out of memory reading meta '%s'", key);
	} else if (step != SQLITE_DONE) {
		rc = dl_error_set(err, DL_EIO, "%s: reading meta '%s': %s", s->path, key,
				  sqlite3_errmsg(s->db));
	}
	sqlite3_finalize(st);
	return rc;
}

int store_begin(struct store *s, struct dl_error *err)
{
	return store_exec(s, "BEGIN IMMEDIATE", err);
}

int store_commit(struct store *s, struct dl_error *err)
{
	return store_exec(s, "COMMIT", err);
}

int store_rollback(struct store *s)
{
	return store_exec(s, "ROLLBACK", NULL);
}

int store_bind_text(struct sqlite3_stmt *st, int index, const char *text)
{
	return text ? sqlite3_bind_text(st, index, text, -1, SQLITE_TRANSIENT)
		    : sqlite3_bind_null(st, index);
}

void store_now(char *buf, size_t size)
{
	struct timespec now;
	struct tm tm;
	clock_gettime(CLOCK_REALTIME, &now);
	gmtime_r(&now.tv_sec, &tm);
	strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}
