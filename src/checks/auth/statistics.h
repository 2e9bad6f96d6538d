/* statistics: the two-sample tests the auth checks decide with (Mann-Whitney U, medians) */
#ifndef DUTLAB_CHECKS_AUTH_STATISTICS_H
#define DUTLAB_CHECKS_AUTH_STATISTICS_H

#include <stddef.h>

struct dl_error;

/* The most samples one group may have; more is a caller's bug (DL_EINVAL). */
#define STATISTICS_SAMPLES_MAX 4096

struct statistics_mann_whitney {
	size_t n1, n2;
	double u1; /* U of the first sample: pairs (x, y) with x > y, ties counting 1/2 */
	double u2; /* n1 * n2 - u1 */
	double z;  /* of max(u1, u2), with the continuity and tie corrections; 0 when all tie */
	double p;  /* two-sided p-value of the normal approximation, in [0, 1] */
};

/*
 * Two-sided Mann-Whitney U test of x against y by the normal approximation,
 * with the tie correction of the variance and the continuity correction (the
 * test scipy.stats.mannwhitneyu(x, y, method="asymptotic") and R's
 * wilcox.test(x, y, exact = FALSE, correct = TRUE) compute):
 *
 *   U1 = R1 - n1 (n1 + 1) / 2            R1: sum of x's mid-ranks in x+y
 *   sigma^2 = n1 n2 / 12 * ((n + 1) - sum(t^3 - t) / (n (n - 1)))
 *   z = (max(U1, U2) - n1 n2 / 2 - 1/2) / sigma,   p = min(1, erfc(z / sqrt 2))
 *
 * When every value ties, sigma is 0 and p is 1 (nothing tells them apart).
 * Both samples need at least one value. 0, DL_EINVAL or DL_ENOMEM.
 */
int statistics_mann_whitney(const double *x, size_t nx, const double *y, size_t ny,
			    struct statistics_mann_whitney *out, struct dl_error *err);

/* The median of v (the mean of the two middle values for an even count); v is
 * left unchanged. 0 for an empty v. DL_ENOMEM leaves *out 0. */
int statistics_median(const double *v, size_t n, double *out, struct dl_error *err);

#endif
