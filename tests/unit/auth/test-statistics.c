/* test-statistics: Mann-Whitney U and medians against values computed independently */
#include "core/compat.h"

#include <setjmp.h>
#include <cmocka.h>
#include <math.h>

#include "checks/auth/statistics.h"
#include "core/error.h"

/*
 * The expected values: scipy's documentation example of
 * scipy.stats.mannwhitneyu(males, females, method="asymptotic") gives
 * U = 17, p = 0.11134688653314041; the others were computed with a
 * separate Python script that counts U by comparing every pair (not by
 * ranks) and the tie term by counting equal values:
 *   u1 = sum((a > b) + 0.5 * (a == b) for a in x for b in y)
 *   var = n1 n2 / 12 ((n + 1) - sum(t^3 - t) / (n (n - 1)))
 *   p = erfc((max(u1, u2) - n1 n2 / 2 - 0.5) / sqrt(var) / sqrt(2))
 */
static void test_scipy_example(void **state)
{
	(void)state;
	const double males[] = {19, 22, 16, 29, 24};
	const double females[] = {20, 11, 17, 12};
	struct statistics_mann_whitney mw;
	struct dl_error err = {0};
	assert_int_equal(statistics_mann_whitney(males, 5, females, 4, &mw, &err), 0);
	assert_true(fabs(mw.u1 - 17.0) < 1e-12);
	assert_true(fabs(mw.u2 - 3.0) < 1e-12);
	assert_true(fabs(mw.p - 0.11134688653314041) < 1e-12);
	/* Two-sided: the order of the samples does not change p. */
	assert_int_equal(statistics_mann_whitney(females, 4, males, 5, &mw, &err), 0);
	assert_true(fabs(mw.u1 - 3.0) < 1e-12);
	assert_true(fabs(mw.p - 0.11134688653314041) < 1e-12);
}

static void test_ties(void **state)
{
	(void)state;
	const double x[] = {1, 2, 2, 3, 3, 3, 4};
	const double y[] = {3, 4, 4, 5, 5, 6};
	struct statistics_mann_whitney mw;
	struct dl_error err = {0};
	assert_int_equal(statistics_mann_whitney(x, 7, y, 6, &mw, &err), 0);
	assert_true(fabs(mw.u1 - 3.5) < 1e-12);
	assert_true(fabs(mw.z - 2.483773282901211) < 1e-9);
	assert_true(fabs(mw.p - 0.012999854364387314) < 1e-12);
}

static void test_shifted_samples(void **state)
{
	(void)state;
	/* 20 + 20 latencies, the second shifted by about 1: p well under 0.01. */
	const double a[] = {9.7,  10.5, 9.8, 9.7,  9.1,  9.8,  11.1, 10.4, 11.0, 10.2,
			    10.4, 10.2, 8.3, 10.9, 10.5, 10.5, 8.3,  8.3,  9.1,  9.5};
	const double b[] = {11.3, 11.0, 11.5, 10.4, 11.3, 11.4, 10.3, 12.7, 11.6, 12.2,
			    10.4, 10.3, 10.7, 10.9, 11.6, 11.2, 10.6, 10.0, 10.5, 12.2};
	struct statistics_mann_whitney mw;
	struct dl_error err = {0};
	assert_int_equal(statistics_mann_whitney(a, 20, b, 20, &mw, &err), 0);
	assert_true(fabs(mw.u1 - 54.5) < 1e-12);
	assert_true(fabs(mw.p - 8.546564939995235e-05) < 1e-12);
}

static void test_all_tied(void **state)
{
	(void)state;
	const double x[] = {5, 5, 5, 5, 5};
	const double y[] = {5, 5, 5, 5};
	struct statistics_mann_whitney mw;
	struct dl_error err = {0};
	assert_int_equal(statistics_mann_whitney(x, 5, y, 4, &mw, &err), 0);
	assert_true(fabs(mw.u1 - 10.0) < 1e-12);
	assert_true(mw.p == 1.0);
}

static void test_refused_input(void **state)
{
	(void)state;
	const double x[] = {1, NAN};
	const double y[] = {2};
	struct statistics_mann_whitney mw;
	struct dl_error err = {0};
	assert_int_equal(statistics_mann_whitney(x, 0, y, 1, &mw, &err), DL_EINVAL);
	assert_non_null(strstr(err.message, "1 to"));
	assert_int_equal(statistics_mann_whitney(x, 2, y, 1, &mw, &err), DL_EINVAL);
	assert_non_null(strstr(err.message, "not a number"));
}

static void test_median(void **state)
{
	(void)state;
	const double odd[] = {5, 1, 3};
	const double even[] = {4, 1, 3, 2};
	double m = -1;
	struct dl_error err = {0};
	assert_int_equal(statistics_median(odd, 3, &m, &err), 0);
	assert_true(m == 3);
	assert_int_equal(statistics_median(even, 4, &m, &err), 0);
	assert_true(m == 2.5);
	assert_true(even[0] == 4); /* left unchanged */
	assert_int_equal(statistics_median(even, 0, &m, &err), 0);
	assert_true(m == 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scipy_example),   cmocka_unit_test(test_ties),
		cmocka_unit_test(test_shifted_samples), cmocka_unit_test(test_all_tied),
		cmocka_unit_test(test_refused_input),   cmocka_unit_test(test_median),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
