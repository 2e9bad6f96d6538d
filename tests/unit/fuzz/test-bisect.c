/* test-bisect: the shared window bisection against a fake DUT that fails on chosen cases: one
 * culprit, a pair from both halves, a failure lost once to timing, a DUT that does not come
 * back, the step bound and the deadline */
#include "core/compat.h"

#include <setjmp.h>
#include <cmocka.h>
#include <unistd.h>

#include "core/error.h"
#include "core/monotonic.h"
#include "fuzz/bisect.h"

#define CULPRITS_MAX 4

/* The fake DUT: it fails when a replay holds every one of its culprits, but not on the replay
 * numbered miss_call (a failure lost to timing); from the replay numbered dies_at on it does
 * not come back after a failure. */
struct fake {
	uint64_t culprits[CULPRITS_MAX];
	size_t culprit_count;
	unsigned miss_call, miss_call_too; /* 0: none */
	unsigned dies_at;                  /* 0: always comes back */
	unsigned sleep_ms;
	int fail_with; /* an error of the campaign's own at the call numbered error_at */
	unsigned error_at;
	unsigned calls;
	uint64_t replayed; /* cases sent in all */
};

static int fake_reproduces(void *ctx, uint64_t first, uint64_t last, bool *failed, bool *back,
			   struct dl_error *err)
{
	struct fake *f = ctx;
	f->calls++;
	assert_true(first <= last);
	f->replayed += last - first + 1;
	if (f->sleep_ms)
		usleep(f->sleep_ms * 1000);
	if (f->error_at && f->calls == f->error_at)
		return dl_error_set(err, f->fail_with, "the fake's own error");
	bool all = f->culprit_count > 0;
	for (size_t i = 0; i < f->culprit_count; i++)
		all = all && f->culprits[i] >= first && f->culprits[i] <= last;
	if (f->calls == f->miss_call || f->calls == f->miss_call_too)
		all = false;
	*failed = all;
	*back = !all || !f->dies_at || f->calls < f->dies_at;
	return 0;
}

static const int64_t forever = INT64_MAX;

static void single_culprit(void **state)
{
	(void)state;
	for (uint64_t culprit = 1000; culprit < 1100; culprit += 7) {
		struct fake f = {.culprits = {culprit}, .culprit_count = 1};
		struct bisect_result b;
		struct dl_error err = {0};
		assert_int_equal(bisect_window(1000, 1099, fake_reproduces, &f, forever, &b, &err),
				 0);
		assert_true(b.confirmed);
		assert_true(b.back);
		assert_int_equal(b.lo, culprit);
		assert_int_equal(b.hi, culprit);
		/* 100 cases: 7 halvings at most, the confirmation and two replays each */
		assert_true(b.steps >= 6 && b.steps <= 7);
		assert_int_equal(b.replays, f.calls);
		assert_true(f.calls <= 1 + 2 * b.steps);
	}
	/* a window of one case: its confirmation alone */
	struct fake f = {.culprits = {5}, .culprit_count = 1};
	struct bisect_result b;
	struct dl_error err = {0};
	assert_int_equal(bisect_window(5, 5, fake_reproduces, &f, forever, &b, &err), 0);
	assert_true(b.confirmed);
	assert_int_equal(b.lo, 5);
	assert_int_equal(b.hi, 5);
	assert_int_equal(b.steps, 0);
	assert_int_equal(f.calls, 1);
}

/* Two cases needed together, one in each half: the range that holds both is kept. */
static void pair_from_both_halves(void **state)
{
	(void)state;
	struct fake f = {.culprits = {10, 21}, .culprit_count = 2};
	struct bisect_result b;
	struct dl_error err = {0};
	assert_int_equal(bisect_window(0, 31, fake_reproduces, &f, forever, &b, &err), 0);
	assert_true(b.confirmed);
	/* 0-31 -> 0-15 or 16-31 alone: neither, twice each -> 0-31 stays */
	assert_int_equal(b.lo, 0);
	assert_int_equal(b.hi, 31);
	assert_int_equal(b.steps, 1);
	assert_int_equal(f.calls, 5);

	/* both in the first half: narrowed to the smallest range no half of which fails alone */
	struct fake g = {.culprits = {3, 12}, .culprit_count = 2};
	assert_int_equal(bisect_window(0, 63, fake_reproduces, &g, forever, &b, &err), 0);
	assert_true(b.confirmed);
	assert_true(b.lo <= 3 && b.hi >= 12);
	assert_int_equal(b.lo, 0);
	assert_int_equal(b.hi, 15);
}

/* A replay that should fail the DUT misses once (timing): the halves tried again find the
 * culprit all the same, and so does the confirmation tried again; two misses on it leave the
 * window unconfirmed. */
static void flaky_once(void **state)
{
	(void)state;
	/* calls: 1 confirm 0-63, 2 left 0-31 (no), 3 right 32-63 (missed), 4 left again (no),
	 * 5 right again (fails), then on down to 41 */
	struct fake f = {.culprits = {41}, .culprit_count = 1, .miss_call = 3};
	struct bisect_result b;
	struct dl_error err = {0};
	assert_int_equal(bisect_window(0, 63, fake_reproduces, &f, forever, &b, &err), 0);
	assert_true(b.confirmed);
	assert_int_equal(b.lo, 41);
	assert_int_equal(b.hi, 41);
	assert_int_equal(b.steps, 6);
	assert_int_equal(b.replays, f.calls);
	assert_int_equal(f.calls, 12);

	/* calls: 1 confirm (missed), 2 confirm again (fails), then as for one culprit */
	struct fake g = {.culprits = {41}, .culprit_count = 1, .miss_call = 1};
	assert_int_equal(bisect_window(0, 63, fake_reproduces, &g, forever, &b, &err), 0);
	assert_true(b.confirmed);
	assert_int_equal(b.lo, 41);
	assert_int_equal(b.hi, 41);
	assert_int_equal(b.replays, g.calls);

	struct fake h = {.culprits = {41}, .culprit_count = 1, .miss_call = 1, .miss_call_too = 2};
	assert_int_equal(bisect_window(0, 63, fake_reproduces, &h, forever, &b, &err), 0);
	assert_false(b.confirmed);
	assert_int_equal(b.lo, 0);
	assert_int_equal(b.hi, 63);
	assert_int_equal(b.steps, 0);
	assert_int_equal(b.replays, 2);
	assert_int_equal(h.calls, 2);
}

/* The DUT does not come back after a failing replay: the bisection stops there, the range it
 * had kept. */
static void dut_not_back(void **state)
{
	(void)state;
	/* calls: 1 confirm (fails, back), 2 left 0-31 (no), 3 right 32-63 (fails, not back) */
	struct fake f = {.culprits = {41}, .culprit_count = 1, .dies_at = 3};
	struct bisect_result b;
	struct dl_error err = {0};
	assert_int_equal(bisect_window(0, 63, fake_reproduces, &f, forever, &b, &err), 0);
	assert_true(b.confirmed);
	assert_false(b.back);
	assert_int_equal(f.calls, 3);
	assert_int_equal(b.steps, 1);
	assert_int_equal(b.lo, 32);
	assert_int_equal(b.hi, 63);

	/* not back after the confirmation: no halving at all */
	struct fake g = {.culprits = {41}, .culprit_count = 1, .dies_at = 1};
	assert_int_equal(bisect_window(0, 63, fake_reproduces, &g, forever, &b, &err), 0);
	assert_true(b.confirmed);
	assert_false(b.back);
	assert_int_equal(g.calls, 1);
	assert_int_equal(b.lo, 0);
	assert_int_equal(b.hi, 63);
}

/* The deadline: passed, only the confirmation runs; a few replays' time, the bisection stops
 * early with a range that still holds the culprit. */
static void deadline(void **state)
{
	(void)state;
	struct fake f = {.culprits = {777}, .culprit_count = 1};
	struct bisect_result b;
	struct dl_error err = {0};
	assert_int_equal(bisect_window(0, 1023, fake_reproduces, &f, monotonic_ns() - 1, &b, &err),
			 0);
	assert_true(b.confirmed);
	assert_int_equal(f.calls, 1);
	assert_int_equal(b.steps, 0);
	assert_int_equal(b.lo, 0);
	assert_int_equal(b.hi, 1023);

	struct fake g = {.culprits = {777}, .culprit_count = 1, .sleep_ms = 20};
	int64_t until = monotonic_ns() + 90 * 1000000;
	assert_int_equal(bisect_window(0, 1023, fake_reproduces, &g, until, &b, &err), 0);
	assert_true(b.confirmed);
	assert_true(b.steps >= 1 && b.steps < 10);
	assert_true(b.lo <= 777 && b.hi >= 777);
	assert_true(b.hi > b.lo);
}

/* The step bound: a window of 2^41 cases stops after BISECT_STEPS_MAX halvings; and the
 * campaign's own error ends the bisection, returned as is. */
static void step_bound_and_errors(void **state)
{
	(void)state;
	uint64_t last = (1ull << 41) - 1, culprit = 123456789ull;
	struct fake f = {.culprits = {culprit}, .culprit_count = 1};
	struct bisect_result b;
	struct dl_error err = {0};
	assert_int_equal(bisect_window(0, last, fake_reproduces, &f, forever, &b, &err), 0);
	assert_int_equal(b.steps, BISECT_STEPS_MAX);
	assert_true(b.lo <= culprit && b.hi >= culprit);
	assert_int_equal(b.hi - b.lo, 1); /* 2^41 halved 40 times */

	struct fake g = {.culprits = {5}, .culprit_count = 1, .error_at = 2, .fail_with = DL_EIO};
	assert_int_equal(bisect_window(0, 63, fake_reproduces, &g, forever, &b, &err), DL_EIO);
	assert_string_equal(err.message, "the fake's own error");
	assert_int_equal(g.calls, 2);

	assert_int_equal(bisect_window(9, 8, fake_reproduces, &g, forever, &b, &err), DL_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(single_culprit), cmocka_unit_test(pair_from_both_halves),
		cmocka_unit_test(flaky_once),     cmocka_unit_test(dut_not_back),
		cmocka_unit_test(deadline),       cmocka_unit_test(step_bound_and_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
