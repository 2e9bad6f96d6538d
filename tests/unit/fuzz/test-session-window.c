/* test-session-window: the session campaign's adaptive reaction window: the starting window,
 * the percentile it follows, its bounds, widening when a reaction came late */
#include "core/compat.h"

#include <setjmp.h>
#include <cmocka.h>

#include "fuzz/session.h"

static void note_many(struct session_window *w, unsigned n, uint64_t latency_us)
{
	for (unsigned i = 0; i < n; i++)
		session_window_note(w, latency_us);
}

/* Until SESSION_WINDOW_SAMPLES reactions were timed the window is the whole REACTION_US. */
static void test_start(void **state)
{
	(void)state;
	struct session_window w;
	session_window_init(&w);
	assert_int_equal(w.window_us, SESSION_REACTION_US);
	assert_int_equal(session_window_ms(&w), 20);
	assert_int_equal(session_window_p95_us(&w), 0);
	note_many(&w, SESSION_WINDOW_SAMPLES - 1, 300);
	assert_int_equal(w.window_us, SESSION_REACTION_US);
	assert_int_equal(session_window_p95_us(&w), 300);
	session_window_note(&w, 300);
	/* 4 x 300 us, rounded up to whole milliseconds for tend */
	assert_int_equal(w.window_us, 1200);
	assert_int_equal(session_window_ms(&w), 2);
}

/* The 95th percentile of the last SESSION_WINDOW_RING: 3 outliers in 64 are not it, 4 are. */
static void test_percentile(void **state)
{
	(void)state;
	struct session_window w;
	session_window_init(&w);
	note_many(&w, 61, 200);
	note_many(&w, 3, 5000);
	assert_int_equal(session_window_p95_us(&w), 200);
	assert_int_equal(w.window_us, SESSION_REACTION_MIN_US); /* 800 us: the floor */
	session_window_note(&w, 5000);                          /* replaces the oldest 200 */
	assert_int_equal(session_window_p95_us(&w), 5000);
	assert_int_equal(w.window_us, SESSION_REACTION_US); /* 20 000: the ceiling */
	/* the ring forgets: a DUT that got faster narrows the window again */
	note_many(&w, SESSION_WINDOW_RING, 1500);
	assert_int_equal(session_window_p95_us(&w), 1500);
	assert_int_equal(w.window_us, 6000);
	/* a latency past 32 bits is kept as the largest, not wrapped */
	note_many(&w, SESSION_WINDOW_RING, (uint64_t)1 << 40);
	assert_int_equal(session_window_p95_us(&w), UINT32_MAX);
	assert_int_equal(w.window_us, SESSION_REACTION_US);
}

/* A reaction at the next case's read: at least twice the window, the factor doubled; reactions
 * in time for SESSION_WINDOW_CALM cases halve the factor back. */
static void test_late(void **state)
{
	(void)state;
	struct session_window w;
	session_window_init(&w);
	note_many(&w, SESSION_WINDOW_SAMPLES, 500);
	assert_int_equal(w.window_us, 2000);
	session_window_late(&w);
	assert_int_equal(w.late, 1);
	assert_int_equal(w.factor, 2 * SESSION_WINDOW_FACTOR);
	assert_int_equal(w.window_us, 4000);
	session_window_note(&w, 500); /* the next case's reaction, in time: the factor stays */
	assert_int_equal(w.window_us, 4000);
	for (int i = 0; i < 10; i++)
		session_window_late(&w);
	assert_int_equal(w.window_us, SESSION_REACTION_US); /* never past the ceiling */
	assert_int_equal(w.factor, SESSION_WINDOW_FACTOR_MAX);
	/* the window keeps a short percentile wide after a late reaction */
	struct session_window v;
	session_window_init(&v);
	note_many(&v, SESSION_WINDOW_SAMPLES, 10);
	assert_int_equal(v.window_us, SESSION_REACTION_MIN_US);
	session_window_late(&v);
	assert_int_equal(v.window_us, 2 * SESSION_REACTION_MIN_US);
	/* calm: the factor halves every SESSION_WINDOW_CALM reactions in time */
	note_many(&w, SESSION_WINDOW_CALM, 500);
	assert_int_equal(w.factor, SESSION_WINDOW_FACTOR_MAX / 2);
	note_many(&w, 16 * SESSION_WINDOW_CALM, 500);
	assert_int_equal(w.factor, SESSION_WINDOW_FACTOR);
	assert_int_equal(w.window_us, 2000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_start),
		cmocka_unit_test(test_percentile),
		cmocka_unit_test(test_late),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
