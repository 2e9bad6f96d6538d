/* test-judge: clause verdicts from stored observations: combined, pending, failed and unmet
 * collectors */
#include "core/compat.h"

#include <setjmp.h>
#include <cmocka.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <unistd.h>

#include "checks/check.h"
#include "core/error.h"
#include "core/judge.h"
#include "core/profile.h"
#include "core/store.h"

static char folder[64];
static struct store store;

/* A camera that declares ssh only; the observation finds ssh and telnet. */
static struct profile_service declared[] = {{.proto = "tcp", .port = 22, .name = "ssh"}};
static char *addresses[] = {"198.18.2.2"};

static const char observation[] =
	"{\"version\": 1, \"addresses\": [{\"address\": \"198.18.2.2\", \"family\": \"ipv4\","
	" \"tcp\": {\"ports_scanned\": 65535, \"closed\": 65533, \"complete\": true, \"open\": ["
	"{\"port\": 22, \"service\": \"ssh\", \"debug\": false, \"disclosures\": []},"
	"{\"port\": 23, \"service\": \"telnet\", \"debug\": true, \"debug_reason\": \"a shell\","
	" \"disclosures\": [], \"evidence\": \"evidence/discovery/t.pcapng\"}]},"
	" \"udp\": {\"probed\": [], \"services\": []}}]}";

static struct profile camera(void)
{
	struct profile p = {.services = declared,
			    .service_count = 1,
			    .addresses = addresses,
			    .address_count = 1};
	return p;
}

static int setup(void **state)
{
	(void)state;
	snprintf(folder, sizeof(folder), "/tmp/dutlab-test-judge.XXXXXX");
	if (!mkdtemp(folder))
		return -1;
	struct dl_error err = {0};
	return store_open(&store, folder, true, &err);
}

static int teardown(void **state)
{
	(void)state;
	store_close(&store);
	char command[128];
	snprintf(command, sizeof(command), "rm -rf '%s'", folder);
	return system(command) == 0 ? 0 : -1;
}

static void exec(const char *sql)
{
	struct dl_error err = {0};
	if (store_exec(&store, sql, &err) != 0)
		fail_msg("%s", err.message);
}

static void plan(int seq, const char *clause, const char *checks)
{
	char sql[512];
	snprintf(sql, sizeof(sql),
		 "INSERT INTO plan_item(seq, clause_id, level, optional, kind, checks)"
		 " VALUES(%d, '%s', 1, 0, 'check', '%s')",
		 seq, clause, checks);
	exec(sql);
}

static void collector(const char *state, const char *observation_text, const char *error)
{
	sqlite3_stmt *st = NULL;
	exec("DELETE FROM collector_run");
	assert_int_equal(
		sqlite3_prepare_v2(store.db,
				   "INSERT INTO collector_run(collector_id, seq, state,"
				   " observation, error) VALUES('discovery.scan', 1, ?1, ?2, ?3)",
				   -1, &st, NULL),
		SQLITE_OK);
	sqlite3_bind_text(st, 1, state, -1, SQLITE_STATIC);
	store_bind_text(st, 2, observation_text);
	store_bind_text(st, 3, error);
	assert_int_equal(sqlite3_step(st), SQLITE_DONE);
	sqlite3_finalize(st);
}

/* The stored verdict and summary of clause, or "" when none. */
static void result(const char *clause, char *verdict, size_t vsize, char *summary, size_t ssize)
{
	sqlite3_stmt *st = NULL;
	verdict[0] = summary[0] = '\0';
	sqlite3_prepare_v2(store.db,
			   "SELECT verdict, summary FROM clause_result WHERE clause_id=?1", -1, &st,
			   NULL);
	sqlite3_bind_text(st, 1, clause, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		snprintf(verdict, vsize, "%s", (const char *)sqlite3_column_text(st, 0));
		snprintf(summary, ssize, "%s", (const char *)sqlite3_column_text(st, 1));
	}
	sqlite3_finalize(st);
}

static int count(const char *sql)
{
	sqlite3_stmt *st = NULL;
	sqlite3_prepare_v2(store.db, sql, -1, &st, NULL);
	int n = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : -1;
	sqlite3_finalize(st);
	return n;
}

struct heard {
	int clauses;
	enum verdict last;
};

static void on_clause(void *opaque, const char *clause_id, enum verdict verdict)
{
	(void)clause_id;
	struct heard *h = opaque;
	h->clauses++;
	h->last = verdict;
}

static void reset(void)
{
	exec("DELETE FROM plan_item; DELETE FROM clause_result; DELETE FROM finding;");
}

static void test_pending_collector_decides_nothing(void **state)
{
	(void)state;
	reset();
	struct profile p = camera();
	struct dl_error err = {0};
	plan(1, "5.2.2.1", "[{\"check\": \"discovery.undeclared-services\", \"params\": {}}]");
	collector("pending", NULL, NULL);
	assert_int_equal(judge_ready_clauses(&store, &p, NULL, &err), 0);
	assert_int_equal(count("SELECT count(*) FROM clause_result"), 0);
}

static void test_one_check_and_combined_checks(void **state)
{
	(void)state;
	reset();
	struct profile p = camera();
	struct dl_error err = {0};
	struct heard heard = {0};
	struct judge_listener listener = {.on_clause = on_clause, .opaque = &heard};
	plan(1, "5.2.2.1",
	     "[{\"check\": \"discovery.undeclared-services\", \"params\": {\"reference\": "
	     "\"declared\"}}]");
	plan(2, "5.3.2.1", "[{\"check\": \"discovery.device-info-protocols\", \"params\": {}}]");
	/* fail beats manual when one clause cites both */
	plan(3, "9.9.9.9",
	     "[{\"check\": \"discovery.device-info-protocols\", \"params\": {}},"
	     " {\"check\": \"discovery.debug-services\", \"params\": {}}]");
	collector("done", observation, NULL);
	assert_int_equal(judge_ready_clauses(&store, &p, &listener, &err), 0);
	assert_int_equal(heard.clauses, 3);

	char verdict[32], summary[512];
	result("5.2.2.1", verdict, sizeof(verdict), summary, sizeof(summary));
	assert_string_equal(verdict, "fail");
	assert_non_null(strstr(summary, "tcp/23"));
	result("5.3.2.1", verdict, sizeof(verdict), summary, sizeof(summary));
	assert_string_equal(verdict, "manual");
	result("9.9.9.9", verdict, sizeof(verdict), summary, sizeof(summary));
	assert_string_equal(verdict, "fail");
	/* the deciding check is named when several decide a clause */
	assert_non_null(strstr(summary, "discovery.debug-services: "));
	assert_true(count("SELECT count(*) FROM finding WHERE clause_id='5.2.2.1' AND"
			  " severity='fail' AND evidence='evidence/discovery/t.pcapng'") == 1);

	/* Judging again decides nothing new: verdicts are written once. */
	heard.clauses = 0;
	assert_int_equal(judge_ready_clauses(&store, &p, &listener, &err), 0);
	assert_int_equal(heard.clauses, 0);
}

static void test_failed_unmet_and_unknown(void **state)
{
	(void)state;
	struct profile p = camera();
	struct dl_error err = {0};
	char verdict[32], summary[512];

	reset();
	plan(1, "5.2.2.1", "[{\"check\": \"discovery.undeclared-services\", \"params\": {}}]");
	collector("error", NULL, "deadline of 300 s passed");
	assert_int_equal(judge_ready_clauses(&store, &p, NULL, &err), 0);
	result("5.2.2.1", verdict, sizeof(verdict), summary, sizeof(summary));
	assert_string_equal(verdict, "error");
	assert_non_null(strstr(summary, "deadline of 300 s passed"));

	reset();
	plan(1, "5.2.2.1", "[{\"check\": \"discovery.undeclared-services\", \"params\": {}}]");
	collector("unmet", NULL, "needs at least one DUT address");
	assert_int_equal(judge_ready_clauses(&store, &p, NULL, &err), 0);
	result("5.2.2.1", verdict, sizeof(verdict), summary, sizeof(summary));
	assert_string_equal(verdict, "inconclusive");

	reset();
	plan(1, "5.2.2.1", "[{\"check\": \"no.such-check\", \"params\": {}}]");
	assert_int_equal(judge_ready_clauses(&store, &p, NULL, &err), 0);
	result("5.2.2.1", verdict, sizeof(verdict), summary, sizeof(summary));
	assert_string_equal(verdict, "error");
	assert_non_null(strstr(summary, "unknown"));

	/* A stored observation that is not JSON is an error, never a pass. */
	reset();
	plan(1, "5.2.2.1", "[{\"check\": \"discovery.undeclared-services\", \"params\": {}}]");
	collector("done", "{not json", NULL);
	assert_int_equal(judge_ready_clauses(&store, &p, NULL, &err), 0);
	result("5.2.2.1", verdict, sizeof(verdict), summary, sizeof(summary));
	assert_string_equal(verdict, "error");

	/* A parameter the judge refuses is an error that names it. */
	reset();
	plan(1, "5.2.2.1",
	     "[{\"check\": \"discovery.undeclared-services\", \"params\": {\"reference\": "
	     "\"nmap\"}}]");
	collector("done", observation, NULL);
	assert_int_equal(judge_ready_clauses(&store, &p, NULL, &err), 0);
	result("5.2.2.1", verdict, sizeof(verdict), summary, sizeof(summary));
	assert_string_equal(verdict, "error");
	assert_non_null(strstr(summary, "reference 'nmap'"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pending_collector_decides_nothing),
		cmocka_unit_test(test_one_check_and_combined_checks),
		cmocka_unit_test(test_failed_unmet_and_unknown),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
