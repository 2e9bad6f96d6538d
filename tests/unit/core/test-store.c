/* test-store: campaign.db opens in WAL mode, keeps meta, and refuses what it cannot read */
#include "core/compat.h"

#include <setjmp.h>
#include <cmocka.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <unistd.h>

#include "core/error.h"
#include "core/store.h"

static char folder[64];

static int make_folder(void **state)
{
	(void)state;
	snprintf(folder, sizeof(folder), "/tmp/dutlab-test-store.XXXXXX");
	return mkdtemp(folder) ? 0 : -1;
}

static int remove_folder(void **state)
{
	(void)state;
	char command[128];
	snprintf(command, sizeof(command), "rm -rf '%s'", folder);
	return system(command) == 0 ? 0 : -1;
}

static void test_open_creates_wal_database(void **state)
{
	(void)state;
	struct store s;
	struct dl_error err = {0};
	assert_int_equal(store_open(&s, folder, true, &err), 0);
	sqlite3_stmt *st = NULL;
	assert_int_equal(sqlite3_prepare_v2(s.db, "PRAGMA journal_mode", -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(st, 0), "wal");
	sqlite3_finalize(st);
	char *version = NULL;
	assert_int_equal(store_meta_get(&s, "schema_version", &version, &err), 0);
	assert_string_equal(version, "1");
	free(version);
	store_close(&s);
}

static void test_meta_round_trip_and_overwrite(void **state)
{
	(void)state;
	struct store s;
	struct dl_error err = {0};
	char *value = NULL;
	assert_int_equal(store_open(&s, folder, true, &err), 0);
	assert_int_equal(store_meta_set(&s, "state", "running", &err), 0);
	assert_int_equal(store_meta_set(&s, "state", "finished", &err), 0);
	assert_int_equal(store_meta_get(&s, "state", &value, &err), 0);
	assert_string_equal(value, "finished");
	free(value);
	assert_int_equal(store_meta_get(&s, "absent", &value, &err), 0);
	assert_null(value);
	store_close(&s);
	/* Reopened without create: the value survived. */
	assert_int_equal(store_open(&s, folder, false, &err), 0);
	assert_int_equal(store_meta_get(&s, "state", &value, &err), 0);
	assert_string_equal(value, "finished");
	free(value);
	store_close(&s);
}

static void test_refuses_missing_and_foreign(void **state)
{
	(void)state;
	struct store s;
	struct dl_error err = {0};
	assert_int_equal(store_open(&s, "/nonexistent/dutlab", false, &err), DL_ENOTFOUND);
	assert_non_null(strstr(err.message, "has no campaign.db"));

	assert_int_equal(store_open(&s, folder, true, &err), 0);
	assert_int_equal(store_meta_set(&s, "schema_version", "99", &err), 0);
	store_close(&s);
	assert_int_equal(store_open(&s, folder, false, &err), DL_EINVAL);
	assert_non_null(strstr(err.message, "schema version '99'"));
}

static void test_schema_rejects_unknown_states(void **state)
{
	(void)state;
	struct store s;
	struct dl_error err = {0};
	char path[128];
	snprintf(path, sizeof(path), "%s/campaign.db", folder);
	unlink(path);
	assert_int_equal(store_open(&s, folder, true, &err), 0);
	assert_int_equal(store_exec(&s,
				    "INSERT INTO collector_run(collector_id, seq, state)"
				    " VALUES('x', 1, 'pending')",
				    &err),
			 0);
	assert_int_equal(store_exec(&s,
				    "INSERT INTO collector_run(collector_id, seq, state)"
				    " VALUES('y', 2, 'maybe')",
				    &err),
			 DL_EIO);
	assert_int_equal(store_exec(&s,
				    "INSERT INTO plan_item(seq, clause_id, level, optional,"
				    " kind, checks) VALUES(1, '5.1', 1, 0, 'sometimes', '[]')",
				    &err),
			 DL_EIO);
	/* A transaction rolled back leaves nothing behind. */
	assert_int_equal(store_begin(&s, &err), 0);
	assert_int_equal(store_exec(&s,
				    "INSERT INTO collector_run(collector_id, seq, state)"
				    " VALUES('z', 3, 'done')",
				    &err),
			 0);
	assert_int_equal(store_rollback(&s), 0);
	sqlite3_stmt *st = NULL;
	sqlite3_prepare_v2(s.db, "SELECT count(*) FROM collector_run", -1, &st, NULL);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int(st, 0), 1);
	sqlite3_finalize(st);
	store_close(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_open_creates_wal_database),
		cmocka_unit_test(test_meta_round_trip_and_overwrite),
		cmocka_unit_test(test_refuses_missing_and_foreign),
		cmocka_unit_test(test_schema_rejects_unknown_states),
	};
	return cmocka_run_group_tests(tests, make_folder, remove_folder);
}
