/* test-rate: the token bucket's arithmetic on a virtual clock, and one bounded real wait */
#include "core/compat.h"

#include <setjmp.h>
#include <cmocka.h>
#include <time.h>

#include "net/rate.h"

#define MS 1000000ull
#define S 1000000000ull

static void test_unpaced(void **state)
{
	(void)state;
	struct rate r;
	rate_init(&r, 0, 0, 0);
	assert_int_equal(r.burst, 1); /* 0 means evenly spaced */
	for (uint64_t t = 5 * S; t < 5 * S + 10; t++)
		assert_int_equal(rate_next(&r, 60, t), t);
}

/* Evenly spaced: 1000 pps is one frame per millisecond, whatever the caller's
 * clock does between calls. */
static void test_packets_evenly_spaced(void **state)
{
	(void)state;
	struct rate r;
	rate_init(&r, 1000, 0, 1);
	uint64_t start = 7 * S;
	/* A caller that never waits books the schedule ahead of itself. */
	for (uint64_t i = 0; i < 100; i++)
		assert_int_equal(rate_next(&r, 60, start), start + i * MS);
	/* A caller that sleeps to each departure gets exactly the same times. */
	rate_init(&r, 1000, 0, 1);
	uint64_t now = start;
	for (uint64_t i = 0; i < 100; i++) {
		uint64_t leave = rate_next(&r, 60, now);
		assert_int_equal(leave, start + i * MS);
		now = leave + 1000; /* 1 us late, each time: no drift accumulates */
	}
	assert_int_equal(r.next_ns, start + 100 * MS);
}

/* After an idle spell the bucket lets burst frames go back to back, then
 * spaces again; it never banks more than burst - 1 frames. */
static void test_burst_after_idle(void **state)
{
	(void)state;
	struct rate r;
	rate_init(&r, 1000, 0, 8);
	uint64_t t = 3 * S;
	assert_int_equal(rate_next(&r, 60, t), t);
	t += 10 * S; /* idle ten seconds: 10000 frames' worth, capped at 7 */
	for (int i = 0; i < 8; i++)
		assert_int_equal(rate_next(&r, 60, t), t);
	assert_int_equal(rate_next(&r, 60, t), t + 1 * MS);
	assert_int_equal(rate_next(&r, 60, t), t + 2 * MS);
	/* A short pause banks only what it lasted. */
	rate_init(&r, 1000, 0, 8);
	t = 3 * S;
	rate_next(&r, 60, t);                                        /* next at t + 1 ms */
	assert_int_equal(rate_next(&r, 60, t + 3 * MS), t + 3 * MS); /* banked 2 ms */
	assert_int_equal(r.credit_ns, 2 * MS);
	assert_int_equal(rate_next(&r, 60, t + 3 * MS), t + 3 * MS);
	assert_int_equal(rate_next(&r, 60, t + 3 * MS), t + 3 * MS);
	assert_int_equal(rate_next(&r, 60, t + 3 * MS), t + 4 * MS);
}

/* Bits per second: (length + 24) * 8 bits per frame; the slower limit rules. */
static void test_bits_and_the_slower_limit(void **state)
{
	(void)state;
	struct rate r;
	/* 1 Gbit/s, 64-byte frames written as 60: 84 * 8 = 672 ns each. */
	rate_init(&r, 0, 1000000000, 1);
	assert_int_equal(rate_next(&r, 60, S), S);
	assert_int_equal(rate_next(&r, 60, S), S + 672);
	assert_int_equal(rate_next(&r, 1490, S), S + 1344); /* booked after the 60-byte one */
	assert_int_equal(rate_next(&r, 60, S), S + 1344 + (1490 + 24) * 8);
	/* 1 Mpps and 1 Gbit/s: small frames are limited by packets (1000 ns),
	 * large ones by bits (12112 ns for 1490 bytes). */
	rate_init(&r, 1000000, 1000000000, 1);
	assert_int_equal(rate_next(&r, 60, S), S);
	assert_int_equal(rate_next(&r, 1490, S), S + 1000);
	assert_int_equal(rate_next(&r, 60, S), S + 1000 + 12112);
}

/* rate_wait really waits: 20 frames at 1000 pps take at least 19 ms (the
 * first leaves at once). Only a lower bound: a loaded machine may be slower,
 * never faster, so this cannot flake. */
static void test_wait_sanity(void **state)
{
	(void)state;
	struct rate r;
	rate_init(&r, 1000, 0, 1);
	struct timespec a, b;
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (int i = 0; i < 20; i++)
		rate_wait(&r, 60);
	clock_gettime(CLOCK_MONOTONIC, &b);
	uint64_t elapsed =
		(uint64_t)(b.tv_sec - a.tv_sec) * S + (uint64_t)b.tv_nsec - (uint64_t)a.tv_nsec;
	assert_true(elapsed >= 19 * MS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unpaced),
		cmocka_unit_test(test_packets_evenly_spaced),
		cmocka_unit_test(test_burst_after_idle),
		cmocka_unit_test(test_bits_and_the_slower_limit),
		cmocka_unit_test(test_wait_sanity),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
