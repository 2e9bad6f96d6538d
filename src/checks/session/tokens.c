/* tokens: how much effective entropy a sample of session tokens carries (IoT-1006-1 5.2.1.13) */
#include "core/compat.h"

#include <math.h>

#include "checks/session/tokens.h"
#include "core/error.h"

/* 99% two-sided normal quantile used by SP 800-90B's confidence bounds. */
#define Z_99 2.576
#define FIPS_BITS 20000
#define SP800_22_MAX_BITS 1000000
#define SP800_22_MIN_BITS 6272

enum alphabet { ALPHA_DECIMAL, ALPHA_HEX, ALPHA_ALNUM, ALPHA_BASE64URL, ALPHA_BASE64, ALPHA_OTHER };

static const char *const alphabet_names[] = {"decimal",   "hex",    "alnum",
					     "base64url", "base64", "other"};

static bool is_hex(int c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static bool is_alnum(int c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* The smallest alphabet that holds every character; '=' is base64 padding. */
static enum alphabet classify(const char *const *tokens, size_t count)
{
	bool decimal = true, hex = true, alnum = true, url = true, std = true;
	for (size_t i = 0; i < count; i++) {
		for (const unsigned char *p = (const unsigned char *)tokens[i]; *p; p++) {
			int c = *p;
			decimal = decimal && c >= '0' && c <= '9';
			hex = hex && is_hex(c);
			alnum = alnum && is_alnum(c);
			url = url && (is_alnum(c) || c == '-' || c == '_' || c == '=');
			std = std && (is_alnum(c) || c == '+' || c == '/' || c == '=');
		}
	}
	if (decimal)
		return ALPHA_DECIMAL;
	if (hex)
		return ALPHA_HEX;
	if (alnum)
		return ALPHA_ALNUM;
	if (url)
		return ALPHA_BASE64URL;
	if (std)
		return ALPHA_BASE64;
	return ALPHA_OTHER;
}

/* Value of one character in a bit-decodable alphabet, or -1 (padding, other). */
static int char_value(enum alphabet a, int c)
{
	if (a == ALPHA_HEX) {
		if (c >= '0' && c <= '9')
			return c - '0';
		return (c | 0x20) - 'a' + 10;
	}
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+' || c == '-')
		return 62;
	if (c == '/' || c == '_')
		return 63;
	return -1;
}

/* SP 800-90B section 6.3.1: the most common value's probability, raised to
 * its 99% upper bound, as min-entropy. n is the number of samples. */
static double mcv_entropy(size_t max_count, size_t n)
{
	if (n < 2)
		return 0.0;
	double p = (double)max_count / (double)n;
	double pu = p + Z_99 * sqrt(p * (1.0 - p) / (double)(n - 1));
	return pu >= 1.0 ? 0.0 : -log2(pu);
}

/* Per character position (90B 6.3.1 per position, the positions taken as
 * independent): sum of each position's MCV min-entropy. */
static int analyse_positions(const char *const *tokens, size_t count, struct tokens_analysis *out,
			     struct dl_error *err)
{
	uint32_t *counts = calloc((size_t)TOKENS_MAX_LENGTH * 256, sizeof(*counts));
	if (!counts)
		return dl_error_set(err, DL_ENOMEM, "tokens: out of memory for position counts");
	for (size_t i = 0; i < count; i++)
		for (size_t k = 0; tokens[i][k]; k++)
			counts[k * 256 + (unsigned char)tokens[i][k]]++;
	double sum = 0.0;
	for (size_t k = 0; k < out->length_max; k++) {
		size_t n = 0, max = 0, distinct = 0;
		for (size_t c = 0; c < 256; c++) {
			size_t v = counts[k * 256 + c];
			n += v;
			distinct += v > 0;
			if (v > max)
				max = v;
		}
		if (distinct <= 1) {
			out->constant_positions++;
			continue;
		}
		double h = mcv_entropy(max, n);
		/* a position cannot carry more than its alphabet allows */
		if (h > out->bits_per_char_alphabet)
			h = out->bits_per_char_alphabet;
		sum += h;
	}
	free(counts);
	out->positions = out->length_max;
	out->min_entropy_bits_position = sum;
	return 0;
}

/* How characters become bits: hex 4 bits, base64 6; an alnum or other
 * alphabet whose observed symbols number a power of two (PHP's 0-9a-v,
 * base32) by each symbol's rank among them. value[c] < 0: no bits. */
struct decoder {
	int8_t value[256];
	unsigned width;
};

static bool decoder_build(const bool seen[256], size_t distinct, enum alphabet a, struct decoder *d)
{
	memset(d->value, -1, sizeof(d->value));
	d->width = 0;
	if (a == ALPHA_HEX || a == ALPHA_BASE64 || a == ALPHA_BASE64URL) {
		d->width = a == ALPHA_HEX ? 4 : 6;
		for (int c = 1; c < 256; c++)
			if (seen[c] && (a == ALPHA_HEX ? is_hex(c) : c != '='))
				d->value[c] = (int8_t)char_value(a, c);
		return true;
	}
	if (a == ALPHA_DECIMAL)
		return false;
	for (unsigned w = 1; w <= 6; w++)
		if (distinct == (size_t)1 << w)
			d->width = w;
	if (d->width == 0)
		return false;
	int rank = 0;
	for (int c = 1; c < 256; c++)
		if (seen[c])
			d->value[c] = (int8_t)rank++;
	return true;
}

/* Decode every token into bits (one byte per bit, at most TOKENS_MAX_BITS). */
static size_t decode_bits(const char *const *tokens, size_t count, const struct decoder *d,
			  uint8_t *bits, size_t *tokens_used)
{
	size_t n = 0;
	*tokens_used = 0;
	for (size_t i = 0; i < count; i++) {
		size_t len = strlen(tokens[i]);
		if (n + len * d->width > TOKENS_MAX_BITS)
			break;
		for (size_t k = 0; k < len; k++) {
			int v = d->value[(unsigned char)tokens[i][k]];
			if (v < 0)
				continue; /* padding carries nothing */
			for (unsigned b = d->width; b-- > 0;)
				bits[n++] = (uint8_t)((v >> b) & 1);
		}
		(*tokens_used)++;
	}
	return n;
}

/* SP 800-90B section 6.3.2 (binary collision estimate). For a binary source
 * with P(1) = p the first repeat comes after 2 samples with probability
 * p^2 + q^2 and after 3 otherwise, so E[t] = 2 + 2pq; solve with the 99%
 * lower bound of the mean collision time. */
static double collision_entropy(const uint8_t *bits, size_t n)
{
	size_t v = 0;
	double sum = 0.0, sumsq = 0.0;
	size_t i = 0;
	while (i + 1 < n) {
		unsigned t = bits[i] == bits[i + 1] ? 2 : 3;
		if (t == 3 && i + 2 >= n)
			break;
		sum += t;
		sumsq += (double)t * t;
		v++;
		i += t;
	}
	if (v < 2)
		return 0.0;
	double mean = sum / (double)v;
	double var = (sumsq - (double)v * mean * mean) / (double)(v - 1);
	double lower = mean - Z_99 * sqrt(var > 0 ? var : 0) / sqrt((double)v);
	if (lower >= 2.5)
		return 1.0;
	if (lower <= 2.0)
		return 0.0;
	double pq = (lower - 2.0) / 2.0;
	double p = 0.5 + sqrt(0.25 - pq);
	return -log2(p);
}

/* SP 800-90B section 6.3.3 (Markov estimate): the probability of the most
 * likely 128-bit sequence under a first-order chain fitted to the bits,
 * found by dynamic programming rather than the six candidate paths. */
static double markov_entropy(const uint8_t *bits, size_t n)
{
	if (n < 2)
		return 0.0;
	double c[2] = {0, 0}, t[2][2] = {{0, 0}, {0, 0}};
	for (size_t i = 0; i < n; i++) {
		c[bits[i]]++;
		if (i + 1 < n)
			t[bits[i]][bits[i + 1]]++;
	}
	double p_init[2] = {c[0] / (double)n, c[1] / (double)n};
	double p[2][2];
	for (int a = 0; a < 2; a++) {
		double row = t[a][0] + t[a][1];
		p[a][0] = row > 0 ? t[a][0] / row : 0.0;
		p[a][1] = row > 0 ? t[a][1] / row : 0.0;
	}
	/* log-probabilities of the best path ending in 0 or 1 */
	double best[2] = {p_init[0] > 0 ? log2(p_init[0]) : -INFINITY,
			  p_init[1] > 0 ? log2(p_init[1]) : -INFINITY};
	for (int step = 1; step < 128; step++) {
		double next[2];
		for (int b = 0; b < 2; b++) {
			double from0 = p[0][b] > 0 ? best[0] + log2(p[0][b]) : -INFINITY;
			double from1 = p[1][b] > 0 ? best[1] + log2(p[1][b]) : -INFINITY;
			next[b] = from0 > from1 ? from0 : from1;
		}
		best[0] = next[0];
		best[1] = next[1];
	}
	double lp = best[0] > best[1] ? best[0] : best[1];
	double h = -lp / 128.0;
	return h < 1.0 ? h : 1.0;
}

static bool fips_passed(const struct tokens_fips *f)
{
	return f->monobit && f->poker && f->runs && f->long_run;
}

/* FIPS 140-2 section 4.9.1 statistical random number generator tests, with
 * the intervals of change notice 1 (2002), on exactly 20,000 bits. */
static void fips_tests(const uint8_t *bits, struct tokens_fips *f)
{
	static const unsigned lo[6] = {2315, 1114, 527, 240, 103, 103};
	static const unsigned hi[6] = {2685, 1386, 723, 384, 209, 209};
	unsigned ones = 0, poker[16] = {0};
	for (size_t i = 0; i < FIPS_BITS; i++)
		ones += bits[i];
	for (size_t i = 0; i < FIPS_BITS; i += 4)
		poker[bits[i] << 3 | bits[i + 1] << 2 | bits[i + 2] << 1 | bits[i + 3]]++;
	double sq = 0.0;
	for (int i = 0; i < 16; i++)
		sq += (double)poker[i] * poker[i];
	f->ran = true;
	f->monobit_ones = ones;
	f->monobit = ones > 9725 && ones < 10275;
	f->poker_x = 16.0 / 5000.0 * sq - 5000.0;
	f->poker = f->poker_x > 2.16 && f->poker_x < 46.17;

	unsigned runs[2][6] = {{0}}, longest = 0;
	size_t i = 0;
	while (i < FIPS_BITS) {
		size_t j = i;
		while (j < FIPS_BITS && bits[j] == bits[i])
			j++;
		unsigned len = (unsigned)(j - i);
		if (len > longest)
			longest = len;
		unsigned slot = len < 6 ? len : 6; /* runs of 6 or more share a slot */
		runs[bits[i]][slot > 0 ? slot - 1 : 0]++;
		i = j;
	}
	f->longest_run = longest;
	f->long_run = longest < 26;
	f->runs = true;
	f->runs_failed_at = 0;
	for (unsigned k = 0; k < 6 && f->runs; k++)
		for (int b = 0; b < 2; b++)
			if (runs[b][k] < lo[k] || runs[b][k] > hi[k]) {
				f->runs = false;
				f->runs_failed_at = k + 1;
			}
}

/* Numerical Recipes' series (x < a + 1) and continued fraction for the
 * regularised incomplete gamma function; SP 800-22 section 5.5.3 igamc. */
double tokens_igamc(double a, double x)
{
	if (x <= 0.0 || a <= 0.0)
		return 1.0;
	double gln = lgamma(a);
	if (x < a + 1.0) {
		double ap = a, del = 1.0 / a, sum = del;
		for (int n = 0; n < 10000; n++) {
			ap += 1.0;
			del *= x / ap;
			sum += del;
			if (fabs(del) < fabs(sum) * 1e-15)
				break;
		}
		double p = sum * exp(-x + a * log(x) - gln);
		return p >= 1.0 ? 0.0 : 1.0 - p;
	}
	const double tiny = 1e-300;
	double b = x + 1.0 - a, c = 1.0 / tiny, d = 1.0 / b, h = d;
	for (int i = 1; i < 10000; i++) {
		double an = -i * (i - a);
		b += 2.0;
		d = an * d + b;
		if (fabs(d) < tiny)
			d = tiny;
		c = b + an / c;
		if (fabs(c) < tiny)
			c = tiny;
		d = 1.0 / d;
		double del = d * c;
		h *= del;
		if (fabs(del - 1.0) < 1e-15)
			break;
	}
	return exp(-x + a * log(x) - gln) * h;
}

static double normal_cdf(double x)
{
	return 0.5 * erfc(-x / sqrt(2.0));
}

/* Pattern counts of length m (overlapping, wrapping around), SP 800-22 2.11
 * and 2.12. counts holds 2^m entries. */
static void pattern_counts(const uint8_t *bits, size_t n, unsigned m, uint32_t *counts)
{
	size_t size = (size_t)1 << m, mask = size - 1, v = 0;
	memset(counts, 0, size * sizeof(*counts));
	if (m == 0) {
		counts[0] = (uint32_t)n;
		return;
	}
	for (unsigned k = 0; k < m - 1; k++)
		v = (v << 1 | bits[k]) & mask;
	for (size_t i = 0; i < n; i++) {
		v = (v << 1 | bits[(i + m - 1) % n]) & mask;
		counts[v]++;
	}
}

static double psi_squared(const uint8_t *bits, size_t n, unsigned m, uint32_t *counts)
{
	if (m == 0)
		return 0.0;
	pattern_counts(bits, n, m, counts);
	double sum = 0.0;
	for (size_t i = 0; i < ((size_t)1 << m); i++)
		sum += (double)counts[i] * counts[i];
	return sum * (double)((size_t)1 << m) / (double)n - (double)n;
}

static double phi(const uint8_t *bits, size_t n, unsigned m, uint32_t *counts)
{
	if (m == 0)
		return 0.0;
	pattern_counts(bits, n, m, counts);
	double sum = 0.0;
	for (size_t i = 0; i < ((size_t)1 << m); i++)
		if (counts[i] > 0) {
			double pi = (double)counts[i] / (double)n;
			sum += pi * log(pi);
		}
	return sum;
}

/* SP 800-22 rev1a 2.13: cumulative sums, forward or backward. */
static double cusum_p(const uint8_t *bits, size_t n, bool forward)
{
	long s = 0, z = 0;
	for (size_t i = 0; i < n; i++) {
		s += bits[forward ? i : n - 1 - i] ? 1 : -1;
		if (labs(s) > z)
			z = labs(s);
	}
	if (z == 0)
		return 1.0;
	double dn = (double)n, dz = (double)z, rn = sqrt(dn), sum1 = 0.0, sum2 = 0.0;
	for (long k = (long)floor((-dn / dz + 1) / 4); k <= (long)floor((dn / dz - 1) / 4); k++)
		sum1 += normal_cdf((4 * k + 1) * dz / rn) - normal_cdf((4 * k - 1) * dz / rn);
	for (long k = (long)floor((-dn / dz - 3) / 4); k <= (long)floor((dn / dz - 1) / 4); k++)
		sum2 += normal_cdf((4 * k + 3) * dz / rn) - normal_cdf((4 * k + 1) * dz / rn);
	double p = 1.0 - sum1 + sum2;
	return p < 0 ? 0 : p > 1 ? 1 : p;
}

/* SP 800-22 rev1a 2.4: longest run of ones in a block, with the table of
 * section 2.4.4 for M = 128 (n >= 6272) or M = 10^4 (n >= 750,000). */
static double longest_run_p(const uint8_t *bits, size_t n)
{
	static const double pi128[6] = {0.1174, 0.2430, 0.2493, 0.1752, 0.1027, 0.1124};
	static const double pi10k[7] = {0.0882, 0.2092, 0.2483, 0.1933, 0.1208, 0.0675, 0.0727};
	bool big = n >= 750000;
	size_t m = big ? 10000 : 128, blocks = n / m;
	unsigned k = big ? 6 : 5, low = big ? 10 : 4;
	const double *pi = big ? pi10k : pi128;
	double v[7] = {0};
	for (size_t b = 0; b < blocks; b++) {
		unsigned run = 0, longest = 0;
		for (size_t i = 0; i < m; i++) {
			run = bits[b * m + i] ? run + 1 : 0;
			if (run > longest)
				longest = run;
		}
		unsigned cls = longest <= low ? 0 : longest - low;
		v[cls > k ? k : cls]++;
	}
	double chi = 0.0;
	for (unsigned i = 0; i <= k; i++) {
		double e = (double)blocks * pi[i];
		chi += (v[i] - e) * (v[i] - e) / e;
	}
	return tokens_igamc(k / 2.0, chi / 2.0);
}

static int sp800_22_tests(const uint8_t *bits, size_t n, struct tokens_sp800_22 *r,
			  struct dl_error *err)
{
	if (n > SP800_22_MAX_BITS)
		n = SP800_22_MAX_BITS;
	r->bits = n;
	double dn = (double)n;
	unsigned log2n = 0;
	while (((size_t)2 << log2n) <= n)
		log2n++;
	/* 2.11.7 and 2.12.7: m < floor(log2 n) - 2 (serial), - 5 (ApEn) */
	unsigned m_serial = log2n - 3 < 10 ? log2n - 3 : 10;
	unsigned m_apen = log2n - 6 < 8 ? log2n - 6 : 8;
	uint32_t *counts = malloc(((size_t)1 << (m_serial + 1)) * sizeof(*counts));
	if (!counts)
		return dl_error_set(err, DL_ENOMEM, "tokens: out of memory for SP 800-22 counts");

	/* 2.1 frequency (monobit) */
	long s = 0;
	size_t ones = 0;
	for (size_t i = 0; i < n; i++) {
		s += bits[i] ? 1 : -1;
		ones += bits[i];
	}
	r->frequency_p = erfc(fabs((double)s) / sqrt(dn) / sqrt(2.0));

	/* 2.2 block frequency, M = 128 */
	size_t blocks = n / 128;
	double chi = 0.0;
	for (size_t b = 0; b < blocks; b++) {
		unsigned c = 0;
		for (size_t i = 0; i < 128; i++)
			c += bits[b * 128 + i];
		double pi = c / 128.0 - 0.5;
		chi += pi * pi;
	}
	r->block_frequency_p = tokens_igamc(blocks / 2.0, 4.0 * 128.0 * chi / 2.0);

	/* 2.3 runs, with the frequency prerequisite of 2.3.4 step 2 */
	double pi = (double)ones / dn;
	if (fabs(pi - 0.5) >= 2.0 / sqrt(dn)) {
		r->runs_p = 0.0;
	} else {
		size_t v = 1;
		for (size_t i = 0; i + 1 < n; i++)
			v += bits[i] != bits[i + 1];
		double num = fabs((double)v - 2.0 * dn * pi * (1 - pi));
		r->runs_p = erfc(num / (2.0 * sqrt(2.0 * dn) * pi * (1 - pi)));
	}

	/* 2.4 longest run of ones */
	r->longest_run_p = longest_run_p(bits, n);

	/* 2.11 serial */
	double p0 = psi_squared(bits, n, m_serial, counts);
	double p1 = psi_squared(bits, n, m_serial - 1, counts);
	double p2 = psi_squared(bits, n, m_serial - 2, counts);
	r->serial_p1 = tokens_igamc(pow(2, m_serial - 2), (p0 - p1) / 2.0);
	r->serial_p2 = tokens_igamc(pow(2, m_serial - 3), (p0 - 2 * p1 + p2) / 2.0);

	/* 2.12 approximate entropy */
	double apen = phi(bits, n, m_apen, counts) - phi(bits, n, m_apen + 1, counts);
	r->approximate_entropy_p = tokens_igamc(pow(2, m_apen - 1), dn * (log(2.0) - apen));

	/* 2.13 cumulative sums */
	r->cusum_forward_p = cusum_p(bits, n, true);
	r->cusum_backward_p = cusum_p(bits, n, false);
	free(counts);

	r->frequency = r->frequency_p >= TOKENS_ALPHA;
	r->block_frequency = r->block_frequency_p >= TOKENS_ALPHA;
	r->runs = r->runs_p >= TOKENS_ALPHA;
	r->longest_run = r->longest_run_p >= TOKENS_ALPHA;
	r->serial = r->serial_p1 >= TOKENS_ALPHA && r->serial_p2 >= TOKENS_ALPHA;
	r->approximate_entropy = r->approximate_entropy_p >= TOKENS_ALPHA;
	r->cusum = r->cusum_forward_p >= TOKENS_ALPHA && r->cusum_backward_p >= TOKENS_ALPHA;
	r->failed = !r->frequency + !r->block_frequency + !r->runs + !r->longest_run + !r->serial +
		    !r->approximate_entropy + !r->cusum;
	r->ran = true;
	return 0;
}

/* A token read as a number in its alphabet's order: the leading or trailing
 * window of characters that fits in 60 bits. */
static uint64_t token_number(const char *t, enum alphabet a, bool trailing)
{
	unsigned base = a == ALPHA_DECIMAL ? 10 : a == ALPHA_HEX ? 16 : 64;
	size_t window = a == ALPHA_DECIMAL ? 18 : a == ALPHA_HEX ? 15 : 10;
	size_t len = strlen(t), start = 0;
	if (len > window) {
		start = trailing ? len - window : 0;
		len = window;
	}
	uint64_t v = 0;
	for (size_t k = start; k < start + len; k++) {
		int c = (unsigned char)t[k];
		int d = a == ALPHA_DECIMAL ? c - '0' : a == ALPHA_HEX ? char_value(a, c) : c & 63;
		v = v * base + (uint64_t)(d < 0 ? 0 : d);
	}
	return v;
}

static int compare_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* Counters and timestamps: consecutive tokens, read as numbers, mostly
 * step by one constant, or mostly go one way (90% of steps). For such a
 * sequence what an attacker who saw one token must guess is the step, so
 * *step_bits is the MCV min-entropy (90B 6.3.1) of the steps. */
static int window_sequential(const char *const *tokens, size_t count, enum alphabet a,
			     bool trailing, bool *sequential, double *step_bits,
			     struct dl_error *err)
{
	uint64_t *steps = malloc((count - 1) * sizeof(*steps));
	if (!steps)
		return dl_error_set(err, DL_ENOMEM, "tokens: out of memory for %zu steps", count);
	size_t up = 0, down = 0;
	uint64_t prev = token_number(tokens[0], a, trailing);
	for (size_t i = 1; i < count; i++) {
		uint64_t v = token_number(tokens[i], a, trailing);
		up += v > prev;
		down += v < prev;
		steps[i - 1] = v - prev; /* modulo 2^64: a decreasing step is one value too */
		prev = v;
	}
	size_t n = count - 1, run = 1, max = 1;
	qsort(steps, n, sizeof(*steps), compare_u64);
	for (size_t i = 1; i < n; i++) {
		run = steps[i] == steps[i - 1] ? run + 1 : 1;
		if (run > max)
			max = run;
	}
	free(steps);
	double dn = (double)n;
	*sequential = up >= 0.9 * dn || down >= 0.9 * dn || max >= 0.5 * dn;
	*step_bits = mcv_entropy(max, n);
	return 0;
}

static int compare_strings(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int count_unique(const char *const *tokens, size_t count, struct tokens_analysis *out,
			struct dl_error *err)
{
	const char **sorted = malloc(count * sizeof(*sorted));
	if (!sorted)
		return dl_error_set(err, DL_ENOMEM, "tokens: out of memory sorting %zu tokens",
				    count);
	memcpy(sorted, tokens, count * sizeof(*sorted));
	qsort(sorted, count, sizeof(*sorted), compare_strings);
	out->unique = count > 0;
	for (size_t i = 1; i < count; i++)
		out->unique += strcmp(sorted[i - 1], sorted[i]) != 0;
	out->duplicates = count - out->unique;
	free(sorted);
	return 0;
}

static int check_input(const char *const *tokens, size_t count, struct tokens_analysis *out,
		       struct dl_error *err)
{
	if (!tokens || count < 2 || count > TOKENS_MAX_COUNT)
		return dl_error_set(err, DL_EINVAL,
				    "tokens: %zu tokens given; analyse 2 to %d (collect more or "
				    "fewer)",
				    count, TOKENS_MAX_COUNT);
	out->length_min = SIZE_MAX;
	for (size_t i = 0; i < count; i++) {
		size_t len = tokens[i] ? strnlen(tokens[i], TOKENS_MAX_LENGTH + 1) : 0;
		if (len == 0 || len > TOKENS_MAX_LENGTH)
			return dl_error_set(err, DL_EINVAL,
					    "tokens: token %zu is %s; each must be 1 to %d "
					    "characters",
					    i, len == 0 ? "empty" : "too long", TOKENS_MAX_LENGTH);
		if (len < out->length_min)
			out->length_min = len;
		if (len > out->length_max)
			out->length_max = len;
	}
	return 0;
}

int tokens_analyse(const char *const *tokens, size_t count, struct tokens_analysis *out,
		   struct dl_error *err)
{
	memset(out, 0, sizeof(*out));
	int rc = check_input(tokens, count, out, err);
	if (rc < 0)
		return rc;
	out->count = count;
	if ((rc = count_unique(tokens, count, out, err)) < 0)
		return rc;

	enum alphabet a = classify(tokens, count);
	snprintf(out->alphabet_class, sizeof(out->alphabet_class), "%s", alphabet_names[a]);
	bool seen[256] = {false};
	size_t distinct = 0;
	for (size_t i = 0; i < count; i++)
		for (const unsigned char *p = (const unsigned char *)tokens[i]; *p; p++)
			if (!seen[*p]) {
				seen[*p] = true;
				distinct++;
			}
	/* fixed alphabets by their size; alnum and other by what the tokens use */
	static const double sizes[] = {10, 16, 0, 64, 64, 0};
	if (sizes[a] > 0)
		out->bits_per_char_alphabet = log2(sizes[a]);
	else
		out->bits_per_char_alphabet = distinct > 1 ? log2((double)distinct) : 0.0;
	if ((rc = analyse_positions(tokens, count, out, err)) < 0)
		return rc;
	double cap = (double)out->length_max * out->bits_per_char_alphabet;
	out->min_entropy_bits = out->min_entropy_bits_position;
	if (cap < out->min_entropy_bits)
		out->min_entropy_bits = cap;

	struct decoder decoder;
	if (decoder_build(seen, distinct, a, &decoder)) {
		uint8_t *bits = malloc(TOKENS_MAX_BITS);
		if (!bits)
			return dl_error_set(err, DL_ENOMEM, "tokens: out of memory for bits");
		size_t used = 0;
		size_t n = decode_bits(tokens, count, &decoder, bits, &used);
		out->bitstream = n >= 2 && used > 0;
		out->bits = n;
		if (out->bitstream) {
			size_t ones = 0;
			for (size_t i = 0; i < n; i++)
				ones += bits[i];
			out->bits_per_token = (double)n / (double)used;
			out->bit_mcv = mcv_entropy(ones > n - ones ? ones : n - ones, n);
			out->bit_collision = collision_entropy(bits, n);
			out->bit_markov = markov_entropy(bits, n);
			double h = fmin(out->bit_mcv, fmin(out->bit_collision, out->bit_markov));
			out->min_entropy_bits_bitstream = h * out->bits_per_token;
			if (out->min_entropy_bits_bitstream < out->min_entropy_bits)
				out->min_entropy_bits = out->min_entropy_bits_bitstream;
		}
		if (n >= FIPS_BITS)
			fips_tests(bits, &out->fips);
		if (n >= 2 * FIPS_BITS && !fips_passed(&out->fips)) {
			struct tokens_fips second = {0};
			fips_tests(bits + FIPS_BITS, &second);
			second.second_block = true;
			second.first_failed_at = out->fips.runs_failed_at;
			if (fips_passed(&second))
				out->fips = second;
			else
				out->fips.second_block = true;
		}
		if (n >= SP800_22_MIN_BITS)
			rc = sp800_22_tests(bits, n, &out->sp800_22, err);
		free(bits);
		if (rc < 0)
			return rc;
	}

	for (int w = 0; w < 2 && a != ALPHA_OTHER; w++) {
		bool sequential = false;
		double bits = 0.0;
		rc = window_sequential(tokens, count, a, w == 1, &sequential, &bits, err);
		if (rc < 0)
			return rc;
		if (sequential) {
			out->sequential = true;
			out->min_entropy_bits_step = bits;
			if (bits < out->min_entropy_bits)
				out->min_entropy_bits = bits;
		}
	}

	char step[48] = "", bitstream[16] = "n/a";
	if (out->bitstream)
		snprintf(bitstream, sizeof(bitstream), "%.1f", out->min_entropy_bits_bitstream);
	if (out->sequential)
		snprintf(step, sizeof(step), ", sequential (step %.1f bits)",
			 out->min_entropy_bits_step);
	snprintf(out->summary, sizeof(out->summary),
		 "%zu tokens (%zu unique) of %zu-%zu %s characters: %.1f bits min-entropy "
		 "(positions %.1f, bits %s)%s%s",
		 out->count, out->unique, out->length_min, out->length_max, out->alphabet_class,
		 out->min_entropy_bits, out->min_entropy_bits_position, bitstream, step,
		 !out->bitstream ? ", no bit decoding (FIPS 140-2 not run)"
		 : out->fips.ran ? ""
				 : ", FIPS 140-2 not run (under 20,000 bits)");
	return 0;
}

bool tokens_enough_entropy(const struct tokens_analysis *a, double required_bits, char *reason,
			   size_t reason_size)
{
	char dummy[8];
	if (!reason) {
		reason = dummy;
		reason_size = sizeof(dummy);
	}
	const struct tokens_fips *f = &a->fips;
	if (a->duplicates > 0)
		snprintf(reason, reason_size, "%zu of %zu tokens repeat an earlier one",
			 a->duplicates, a->count);
	else if (a->sequential)
		snprintf(reason, reason_size,
			 "consecutive tokens are sequential (a counter or a timestamp): the step "
			 "carries %.1f bits",
			 a->min_entropy_bits_step);
	else if (a->min_entropy_bits < required_bits)
		snprintf(reason, reason_size,
			 "%.1f bits of min-entropy per token (positions %.1f, bits %.1f, "
			 "length cap %.1f); %.0f required",
			 a->min_entropy_bits, a->min_entropy_bits_position,
			 a->min_entropy_bits_bitstream,
			 (double)a->length_max * a->bits_per_char_alphabet, required_bits);
	else if (!a->bitstream)
		snprintf(reason, reason_size,
			 "FIPS 140-2 tests not run: %zu distinct %s characters have no exact bit "
			 "decoding",
			 (size_t)(exp2(a->bits_per_char_alphabet) + 0.5), a->alphabet_class);
	else if (!f->ran)
		snprintf(reason, reason_size,
			 "FIPS 140-2 tests not run: the tokens decode to %zu bits, under 20,000",
			 a->bits);
	else if (!fips_passed(f))
		snprintf(reason, reason_size,
			 "FIPS 140-2 4.9.1 failed%s: monobit %u ones%s, poker X=%.2f%s, runs%s, "
			 "longest run %u%s",
			 f->second_block ? " on two independent 20,000-bit blocks" : "",
			 f->monobit_ones, f->monobit ? "" : " (fail)", f->poker_x,
			 f->poker ? "" : " (fail)", f->runs ? " ok" : " (fail)", f->longest_run,
			 f->long_run ? "" : " (fail)");
	else {
		snprintf(reason, reason_size,
			 "%.1f bits of min-entropy per token (>= %.0f), %zu unique tokens, FIPS "
			 "140-2 passed",
			 a->min_entropy_bits, required_bits, a->count);
		return true;
	}
	return false;
}
