/* statistics: the two-sample tests the auth checks decide with (Mann-Whitney U, medians) */
#include "core/compat.h"

#include <math.h>

#include "checks/auth/statistics.h"
#include "core/error.h"

struct ranked {
	double value;
	int group; /* 0: x, 1: y */
};

static int compare_ranked(const void *a, const void *b)
{
	double va = ((const struct ranked *)a)->value;
	double vb = ((const struct ranked *)b)->value;
	return (va > vb) - (va < vb);
}

static int compare_double(const void *a, const void *b)
{
	double va = *(const double *)a, vb = *(const double *)b;
	return (va > vb) - (va < vb);
}

static bool all_finite(const double *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isfinite(v[i]))
			return false;
	return true;
}

int statistics_mann_whitney(const double *x, size_t nx, const double *y, size_t ny,
			    struct statistics_mann_whitney *out, struct dl_error *err)
{
	memset(out, 0, sizeof(*out));
	if (nx == 0 || ny == 0 || nx > STATISTICS_SAMPLES_MAX || ny > STATISTICS_SAMPLES_MAX)
		return dl_error_set(err, DL_EINVAL,
				    "statistics: Mann-Whitney needs 1 to %d values per sample, "
				    "got %zu and %zu",
				    STATISTICS_SAMPLES_MAX, nx, ny);
	if (!all_finite(x, nx) || !all_finite(y, ny))
		return dl_error_set(err, DL_EINVAL,
				    "statistics: Mann-Whitney got a value that is not a number");
	size_t n = nx + ny;
	struct ranked *all = calloc(n, sizeof(*all));
	if (!all)
		return dl_error_set(err, DL_ENOMEM, "statistics: out of memory");
	for (size_t i = 0; i < nx; i++)
		all[i] = (struct ranked){.value = x[i], .group = 0};
	for (size_t i = 0; i < ny; i++)
		all[nx + i] = (struct ranked){.value = y[i], .group = 1};
	qsort(all, n, sizeof(*all), compare_ranked);

	/* Mid-ranks: a run of t equal values shares the mean of its ranks. */
	double rank_sum_x = 0, tie_term = 0;
	for (size_t i = 0; i < n;) {
		size_t j = i + 1;
		while (j < n && all[j].value == all[i].value)
			j++;
		double t = (double)(j - i);
		double mid_rank = ((double)i + 1 + (double)j) / 2.0;
		for (size_t k = i; k < j; k++)
			if (all[k].group == 0)
				rank_sum_x += mid_rank;
		tie_term += t * t * t - t;
		i = j;
	}
	free(all);

	double n1 = (double)nx, n2 = (double)ny, nn = (double)n;
	out->n1 = nx;
	out->n2 = ny;
	out->u1 = rank_sum_x - n1 * (n1 + 1) / 2.0;
	out->u2 = n1 * n2 - out->u1;
	double mu = n1 * n2 / 2.0;
	double variance = n > 1 ? n1 * n2 / 12.0 * ((nn + 1) - tie_term / (nn * (nn - 1))) : 0;
	if (variance <= 0) {
		out->z = 0;
		out->p = 1;
		return 0;
	}
	double u = out->u1 > out->u2 ? out->u1 : out->u2;
	out->z = (u - mu - 0.5) / sqrt(variance);
	double p = erfc(out->z / sqrt(2.0));
	out->p = p > 1 ? 1 : (p < 0 ? 0 : p);
	return 0;
}

int statistics_median(const double *v, size_t n, double *out, struct dl_error *err)
{
	*out = 0;
	if (n == 0)
		return 0;
	if (n > STATISTICS_SAMPLES_MAX)
		return dl_error_set(err, DL_EINVAL,
				    "statistics: %zu values for a median, at most %d", n,
				    STATISTICS_SAMPLES_MAX);
	double *copy = malloc(n * sizeof(*copy));
	if (!copy)
		return dl_error_set(err, DL_ENOMEM, "statistics: out of memory");
	memcpy(copy, v, n * sizeof(*copy));
	qsort(copy, n, sizeof(*copy), compare_double);
	*out = n % 2 ? copy[n / 2] : (copy[n / 2 - 1] + copy[n / 2]) / 2.0;
	free(copy);
	return 0;
}
