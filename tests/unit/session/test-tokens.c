/* test-tokens: the session-token entropy analyser on sequences whose answer is known */
#include "core/compat.h"

#include <setjmp.h>
#include <cmocka.h>
#include <math.h>
#include <openssl/sha.h>
#include <unistd.h>

#include "checks/session/tokens.h"
#include "core/error.h"

#define SAMPLE 4000
#define TOKEN_MAX 64

struct sample {
	char text[SAMPLE][TOKEN_MAX];
	const char *tokens[SAMPLE];
};

/* Reproducible random bytes: SHA-256 of (seed, counter), counter mode. */
struct stream {
	uint32_t seed, counter;
	unsigned char block[SHA256_DIGEST_LENGTH];
	size_t used;
};

static unsigned stream_byte(struct stream *s)
{
	if (s->used == 0 || s->used == sizeof(s->block)) {
		unsigned char in[8];
		memcpy(in, &s->seed, 4);
		memcpy(in + 4, &s->counter, 4);
		s->counter++;
		SHA256(in, sizeof(in), s->block);
		s->used = 0;
	}
	return s->block[s->used++];
}

static struct sample *sample_new(void)
{
	struct sample *s = calloc(1, sizeof(*s));
	assert_non_null(s);
	for (size_t i = 0; i < SAMPLE; i++)
		s->tokens[i] = s->text[i];
	return s;
}

static void random_hex(struct sample *s, uint32_t seed, size_t chars)
{
	struct stream st = {.seed = seed};
	for (size_t i = 0; i < SAMPLE; i++) {
		for (size_t k = 0; k < chars; k++)
			s->text[i][k] = "0123456789abcdef"[stream_byte(&st) & 15];
		s->text[i][chars] = '\0';
	}
}

static void analyse(struct sample *s, size_t count, struct tokens_analysis *a)
{
	struct dl_error err = {0};
	int rc = tokens_analyse(s->tokens, count, a, &err);
	if (rc < 0)
		fail_msg("tokens_analyse: %s", err.message);
	print_message("    %s\n", a->summary);
}

static void test_igamc(void **state)
{
	(void)state;
	/* Q(1, x) = e^-x and Q(1/2, x) = erfc(sqrt x), on both branches */
	for (double x = 0.1; x < 30; x *= 1.7) {
		assert_true(fabs(tokens_igamc(1.0, x) - exp(-x)) < 1e-9 * (1 + exp(-x)));
		assert_true(fabs(tokens_igamc(0.5, x) - erfc(sqrt(x))) < 1e-9);
	}
	/* SP 800-22 2.2.8's example: igamc(5, 3.6) = 0.706438 (block frequency) */
	assert_true(fabs(tokens_igamc(5.0, 3.6) - 0.706438) < 1e-6);
}

/* 4000 tokens of 32 random hex characters: 128 bits by construction. The
 * per-position MCV bound with n = 4000 gives about 3.6 of 4 bits per
 * character (p_max ~0.072 plus 2.576 sigma), so ~115 bits; the bit-level
 * collision estimate is the tightest at ~0.9 bits/bit. */
static void test_random_hex(void **state)
{
	(void)state;
	struct sample *s = sample_new();
	random_hex(s, 1, 32);
	struct tokens_analysis a;
	analyse(s, SAMPLE, &a);
	assert_string_equal(a.alphabet_class, "hex");
	assert_int_equal(a.count, SAMPLE);
	assert_int_equal(a.duplicates, 0);
	assert_int_equal(a.length_min, 32);
	assert_int_equal(a.positions, 32);
	assert_int_equal(a.constant_positions, 0);
	assert_true(a.min_entropy_bits_position > 105 && a.min_entropy_bits_position < 125);
	assert_true(a.bitstream);
	assert_int_equal(a.bits, SAMPLE * 128);
	assert_true(a.bit_mcv > 0.98 && a.bit_markov > 0.98);
	assert_true(a.bit_collision > 0.8 && a.bit_collision <= 1.0);
	assert_true(a.min_entropy_bits_bitstream > 100 && a.min_entropy_bits_bitstream <= 128);
	assert_true(a.min_entropy_bits > 100 && a.min_entropy_bits <= 128);
	assert_false(a.sequential);
	assert_true(a.fips.ran && a.fips.monobit && a.fips.poker && a.fips.runs && a.fips.long_run);
	assert_true(a.fips.monobit_ones > 9725 && a.fips.monobit_ones < 10275);
	assert_true(a.sp800_22.ran);
	assert_int_equal(a.sp800_22.bits, SAMPLE * 128);
	print_message("    sp800-22 p: freq %.3f block %.3f runs %.3f longest %.3f serial "
		      "%.3f/%.3f apen %.3f cusum %.3f/%.3f\n",
		      a.sp800_22.frequency_p, a.sp800_22.block_frequency_p, a.sp800_22.runs_p,
		      a.sp800_22.longest_run_p, a.sp800_22.serial_p1, a.sp800_22.serial_p2,
		      a.sp800_22.approximate_entropy_p, a.sp800_22.cusum_forward_p,
		      a.sp800_22.cusum_backward_p);
	assert_int_equal(a.sp800_22.failed, 0);
	char reason[256];
	assert_true(tokens_enough_entropy(&a, 64, reason, sizeof(reason)));
	assert_non_null(strstr(reason, "FIPS 140-2 passed"));
	free(s);
}

/* FIPS 140-2's intervals fail a true random source about once in a thousand
 * 20,000-bit blocks, so a failed first block is retried on the next one.
 * Here the first 160 tokens (20,480 bits) use only the digits 5 and a
 * (bits 0101 and 1010: runs of one bit only), the rest are random: the first
 * block fails, the second passes and decides. With every token so, both
 * fail and the first block's result stands. */
static void test_fips_second_block(void **state)
{
	(void)state;
	struct sample *s = sample_new();
	random_hex(s, 7, 32);
	struct stream st = {.seed = 8};
	for (size_t i = 0; i < 160; i++)
		for (size_t k = 0; k < 32; k++)
			s->text[i][k] = stream_byte(&st) & 1 ? 'a' : '5';
	struct tokens_analysis a;
	analyse(s, SAMPLE, &a);
	assert_true(a.fips.ran && a.fips.second_block);
	assert_int_not_equal(a.fips.first_failed_at, 0);
	assert_true(a.fips.monobit && a.fips.poker && a.fips.runs && a.fips.long_run);

	for (size_t i = 0; i < SAMPLE; i++)
		for (size_t k = 0; k < 32; k++)
			s->text[i][k] = stream_byte(&st) & 1 ? 'a' : '5';
	analyse(s, SAMPLE, &a);
	assert_true(a.fips.ran && a.fips.second_block);
	assert_false(a.fips.runs && a.fips.poker);
	char reason[256];
	assert_false(tokens_enough_entropy(&a, 16, reason, sizeof(reason)));
	assert_non_null(strstr(reason, "failed on two independent 20,000-bit blocks"));
	free(s);
}

/* The same bits as base64url: 22 characters carry 132 bits of which 128
 * are random (the last character only has 2 random bits in the sample). */
static void test_random_base64url(void **state)
{
	(void)state;
	struct sample *s = sample_new();
	static const char b64[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	struct stream st = {.seed = 7};
	for (size_t i = 0; i < SAMPLE; i++) {
		for (size_t k = 0; k < 22; k++)
			s->text[i][k] = b64[stream_byte(&st) & 63];
		s->text[i][22] = '\0';
	}
	s->text[0][5] = '-'; /* make the class certain */
	struct tokens_analysis a;
	analyse(s, SAMPLE, &a);
	assert_string_equal(a.alphabet_class, "base64url");
	assert_true(fabs(a.bits_per_char_alphabet - 6.0) < 1e-9);
	/* 6 bits/char, MCV bound with 64 symbols and n = 4000 ~ 5.1 bits/char */
	assert_true(a.min_entropy_bits_position > 100 && a.min_entropy_bits_position < 125);
	assert_true(a.min_entropy_bits > 100);
	assert_true(a.fips.ran && a.fips.monobit && a.fips.poker && a.fips.runs);
	assert_int_equal(a.sp800_22.failed, 0);
	assert_true(tokens_enough_entropy(&a, 64, NULL, 0));
	free(s);
}

/* A counter: hex of 1000 + i, zero-padded to 8. Four leading positions never
 * change (0x3e8..0x1387); the step is always 1, so it carries 0 bits. */
static void test_counter(void **state)
{
	(void)state;
	struct sample *s = sample_new();
	for (size_t i = 0; i < SAMPLE; i++)
		snprintf(s->text[i], TOKEN_MAX, "%08zx", i + 1000);
	struct tokens_analysis a;
	analyse(s, SAMPLE, &a);
	assert_true(a.sequential);
	assert_int_equal(a.duplicates, 0);
	assert_int_equal(a.constant_positions, 4);
	/* per position the digits look uniform: ~11.6 bits, which is why the
	 * step estimate is needed */
	assert_true(a.min_entropy_bits_position > 9.0 && a.min_entropy_bits_position < 14.0);
	assert_true(a.min_entropy_bits_step < 0.01);
	assert_true(a.min_entropy_bits < 0.01);
	/* the low bits are uniform, but the 20 constant high bits per token
	 * pull the stream's MCV far from 1/2 */
	assert_true(a.min_entropy_bits_bitstream < 20.0);
	assert_true(a.fips.ran);
	assert_false(a.fips.monobit);
	char reason[256];
	assert_false(tokens_enough_entropy(&a, 64, reason, sizeof(reason)));
	assert_non_null(strstr(reason, "sequential"));
	free(s);
}

/* Timestamps in microseconds, a few hundred microseconds apart. */
static void test_timestamp(void **state)
{
	(void)state;
	struct sample *s = sample_new();
	struct stream st = {.seed = 3};
	uint64_t t = 1764100000000000ull;
	for (size_t i = 0; i < SAMPLE; i++) {
		t += 1 + (stream_byte(&st) | stream_byte(&st) << 8) % 1000;
		snprintf(s->text[i], TOKEN_MAX, "%" PRIu64, t);
	}
	struct tokens_analysis a;
	analyse(s, SAMPLE, &a);
	assert_string_equal(a.alphabet_class, "decimal");
	assert_true(a.sequential);
	assert_int_equal(a.duplicates, 0);
	assert_false(a.bitstream);
	/* ~2 s over 4000 tokens: 9 leading digits are constant and the last
	 * six each look uniform (~19 bits by position); the step, uniform in
	 * 1..1000 us, carries log2(1000) ~ 10 bits, ~7.6 after the 99% bound
	 * with 3999 samples */
	assert_true(a.constant_positions >= 9);
	assert_true(a.min_entropy_bits_position > 15.0 && a.min_entropy_bits_position < 22.0);
	assert_true(a.min_entropy_bits_step > 6.0 && a.min_entropy_bits_step < 10.0);
	assert_true(a.min_entropy_bits < 10.0);
	char reason[256];
	assert_false(tokens_enough_entropy(&a, 64, reason, sizeof(reason)));
	free(s);
}

/* glibc's TYPE_0 rand(): a 31-bit LCG, printed as 8 hex characters. Its
 * output passes the bit tests, but 8 hex characters can carry 32 bits at
 * most and the first one is 0..7: the position estimate gives ~28 bits. */
static void test_lcg(void **state)
{
	(void)state;
	struct sample *s = sample_new();
	uint32_t x = 12345;
	for (size_t i = 0; i < SAMPLE; i++) {
		x = (x * 1103515245u + 12345u) & 0x7fffffffu;
		snprintf(s->text[i], TOKEN_MAX, "%08" PRIx32, x);
	}
	struct tokens_analysis a;
	analyse(s, SAMPLE, &a);
	assert_false(a.sequential);
	assert_int_equal(a.duplicates, 0);
	assert_true(a.min_entropy_bits_position > 24.0 && a.min_entropy_bits_position < 31.0);
	assert_true(a.min_entropy_bits < 31.0);
	char reason[256];
	assert_false(tokens_enough_entropy(&a, 64, reason, sizeof(reason)));
	assert_non_null(strstr(reason, "required"));
	free(s);
}

/* 6 random hex characters: 24 bits at most, ~21.6 measured. */
static void test_short(void **state)
{
	(void)state;
	struct sample *s = sample_new();
	random_hex(s, 5, 6);
	struct tokens_analysis a;
	analyse(s, SAMPLE, &a);
	assert_true(a.min_entropy_bits > 19.0 && a.min_entropy_bits <= 24.0);
	assert_false(a.sequential);
	/* 4000 draws from 2^24 values: a collision or two is likely */
	assert_true(a.duplicates <= 5);
	assert_true(a.fips.ran && a.fips.monobit);
	assert_false(tokens_enough_entropy(&a, 64, NULL, 0));
	free(s);
}

static void test_duplicates(void **state)
{
	(void)state;
	struct sample *s = sample_new();
	random_hex(s, 9, 32);
	for (size_t i = 0; i < 10; i++)
		memcpy(s->text[1000 + i * 7], s->text[i * 3], TOKEN_MAX);
	struct tokens_analysis a;
	analyse(s, SAMPLE, &a);
	assert_int_equal(a.duplicates, 10);
	assert_int_equal(a.unique, SAMPLE - 10);
	assert_true(a.min_entropy_bits > 100);
	char reason[256];
	assert_false(tokens_enough_entropy(&a, 64, reason, sizeof(reason)));
	assert_string_equal(reason, "10 of 4000 tokens repeat an earlier one");
	free(s);
}

/* Random tokens whose characters never include 'f': 15 symbols, biased bits
 * (each nibble is 1 in 30/60 of bits but 1111 never occurs). */
static void test_biased(void **state)
{
	(void)state;
	struct sample *s = sample_new();
	struct stream st = {.seed = 11};
	for (size_t i = 0; i < SAMPLE; i++) {
		for (size_t k = 0; k < 32; k++)
			s->text[i][k] = "0123456789abcde"[stream_byte(&st) % 15];
		s->text[i][32] = '\0';
	}
	struct tokens_analysis a;
	analyse(s, SAMPLE, &a);
	assert_true(a.fips.ran);
	assert_false(a.fips.poker); /* a missing nibble is what the poker test sees */
	assert_true(a.sp800_22.failed > 0);
	char reason[256];
	assert_false(tokens_enough_entropy(&a, 64, reason, sizeof(reason)));
	assert_non_null(strstr(reason, "poker"));
	free(s);
}

/* PHP's session.sid_bits_per_character=5: 32 characters of 0-9a-v, 160
 * bits. 32 symbols are a power of two, so the bits are each symbol's rank;
 * a 62-symbol alnum alphabet has no exact bit decoding, so FIPS 140-2 does
 * not run and the rule refuses to pass it. */
static void test_alnum(void **state)
{
	(void)state;
	struct sample *s = sample_new();
	struct stream st = {.seed = 13};
	for (size_t i = 0; i < SAMPLE; i++) {
		for (size_t k = 0; k < 32; k++)
			s->text[i][k] = "0123456789abcdefghijklmnopqrstuv"[stream_byte(&st) & 31];
		s->text[i][32] = '\0';
	}
	struct tokens_analysis a;
	analyse(s, SAMPLE, &a);
	assert_string_equal(a.alphabet_class, "alnum");
	assert_true(fabs(a.bits_per_char_alphabet - 5.0) < 1e-9);
	assert_true(a.bitstream);
	assert_int_equal(a.bits, SAMPLE * 160);
	/* MCV over 32 symbols with n = 4000: ~4.4 bits per position */
	assert_true(a.min_entropy_bits > 125 && a.min_entropy_bits <= 160);
	assert_true(a.fips.ran && a.fips.monobit && a.fips.poker && a.fips.runs);
	assert_int_equal(a.sp800_22.failed, 0);
	assert_true(tokens_enough_entropy(&a, 64, NULL, 0));

	for (size_t i = 0; i < SAMPLE; i++)
		for (size_t k = 0; k < 32; k++)
			s->text[i][k] =
				"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
					[stream_byte(&st) % 62];
	analyse(s, SAMPLE, &a);
	assert_string_equal(a.alphabet_class, "alnum");
	assert_true(fabs(a.bits_per_char_alphabet - log2(62)) < 1e-9);
	assert_false(a.bitstream);
	assert_true(a.min_entropy_bits > 140);
	char reason[256];
	assert_false(tokens_enough_entropy(&a, 64, reason, sizeof(reason)));
	assert_non_null(strstr(reason, "FIPS 140-2 tests not run"));
	free(s);
}

static void test_bounds(void **state)
{
	(void)state;
	struct tokens_analysis a;
	struct dl_error err = {0};
	const char *one[] = {"abc"};
	assert_int_equal(tokens_analyse(one, 1, &a, &err), DL_EINVAL);
	assert_int_equal(tokens_analyse(one, TOKENS_MAX_COUNT + 1, &a, &err), DL_EINVAL);
	const char *empty[] = {"abc", ""};
	assert_int_equal(tokens_analyse(empty, 2, &a, &err), DL_EINVAL);
	assert_non_null(strstr(err.message, "token 1 is empty"));
	char *long_token = malloc(TOKENS_MAX_LENGTH + 2);
	assert_non_null(long_token);
	memset(long_token, 'a', TOKENS_MAX_LENGTH + 1);
	long_token[TOKENS_MAX_LENGTH + 1] = '\0';
	const char *too_long[] = {"abc", long_token};
	assert_int_equal(tokens_analyse(too_long, 2, &a, &err), DL_EINVAL);
	assert_non_null(strstr(err.message, "too long"));
	long_token[TOKENS_MAX_LENGTH] = '\0';
	assert_int_equal(tokens_analyse(too_long, 2, &a, &err), 0);
	/* two tokens: too few bits for FIPS, reported as such */
	assert_false(a.fips.ran);
	assert_false(tokens_enough_entropy(&a, 0, NULL, 0));
	free(long_token);
}

/* Peer comparison with Fourmilab's ent (Debian package 'ent'): the hex
 * tokens decoded to bytes; ent calls them random when the entropy is at
 * least 7.9 bits per byte and its chi-square percentage lies in 1..99 (its
 * manual's rule). Our verdict must agree, and ent's chi-square percentage
 * must match our igamc on the same statistic (255 degrees of freedom). */
static bool ent_verdict(struct sample *s, double *entropy, double *percent)
{
	char path[] = "/tmp/dutlab-test-tokens-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	FILE *f = fdopen(fd, "wb");
	assert_non_null(f);
	for (size_t i = 0; i < SAMPLE; i++)
		for (const char *p = s->text[i]; p[0] && p[1]; p += 2) {
			char pair[3] = {p[0], p[1], '\0'};
			fputc((int)strtoul(pair, NULL, 16), f);
		}
	assert_int_equal(fclose(f), 0);
	char command[128], out[2048] = "";
	snprintf(command, sizeof(command), "ent %s", path);
	FILE *pipe = popen(command, "r");
	assert_non_null(pipe);
	size_t n = fread(out, 1, sizeof(out) - 1, pipe);
	out[n] = '\0';
	assert_int_equal(pclose(pipe), 0);
	unlink(path);
	const char *e = strstr(out, "Entropy = ");
	const char *chi = strstr(out, "samples is ");
	const char *pct = strstr(out, "exceed this value ");
	assert_non_null(e);
	assert_non_null(chi);
	assert_non_null(pct);
	*entropy = strtod(e + strlen("Entropy = "), NULL);
	double chi_square = strtod(chi + strlen("samples is "), NULL);
	*percent = strtod(pct + strlen("exceed this value "), NULL);
	/* ent prints "less than 0.01" or "more than 99.99" at the ends */
	if (strncmp(pct + strlen("exceed this value "), "less than", 9) == 0)
		*percent = 0.0;
	else if (strncmp(pct + strlen("exceed this value "), "more than", 9) == 0)
		*percent = 100.0;
	else
		assert_true(fabs(100.0 * tokens_igamc(127.5, chi_square / 2.0) - *percent) < 0.02);
	print_message("    ent: %.6f bits/byte, chi-square %.2f, %.2f%%\n", *entropy, chi_square,
		      *percent);
	return *entropy >= 7.9 && *percent >= 1.0 && *percent <= 99.0;
}

static void test_compare_ent(void **state)
{
	(void)state;
	if (system("command -v ent >/dev/null 2>&1") != 0) {
		print_message(
			"    ent is not installed (apt-get install ent); comparison skipped\n");
		skip();
	}
	struct sample *s = sample_new();
	struct tokens_analysis a;
	double entropy, percent;

	random_hex(s, 1, 32);
	analyse(s, SAMPLE, &a);
	assert_true(ent_verdict(s, &entropy, &percent));
	assert_true(tokens_enough_entropy(&a, 64, NULL, 0));
	assert_true(entropy > 7.99);

	for (size_t i = 0; i < SAMPLE; i++)
		snprintf(s->text[i], TOKEN_MAX, "%08zx", i + 1000);
	analyse(s, SAMPLE, &a);
	assert_false(ent_verdict(s, &entropy, &percent));
	assert_false(tokens_enough_entropy(&a, 64, NULL, 0));
	assert_true(entropy < 5.0); /* half the bytes are 0x00, a quarter 0x03..0x13 */

	/* the LCG: ent rejects it through the chi-square (its top byte is
	 * 0..127), we through the 31-bit length cap; both say not random */
	uint32_t x = 12345;
	for (size_t i = 0; i < SAMPLE; i++) {
		x = (x * 1103515245u + 12345u) & 0x7fffffffu;
		snprintf(s->text[i], TOKEN_MAX, "%08" PRIx32, x);
	}
	analyse(s, SAMPLE, &a);
	assert_false(ent_verdict(s, &entropy, &percent));
	assert_false(tokens_enough_entropy(&a, 64, NULL, 0));
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_igamc),
		cmocka_unit_test(test_random_hex),
		cmocka_unit_test(test_fips_second_block),
		cmocka_unit_test(test_random_base64url),
		cmocka_unit_test(test_counter),
		cmocka_unit_test(test_timestamp),
		cmocka_unit_test(test_lcg),
		cmocka_unit_test(test_short),
		cmocka_unit_test(test_duplicates),
		cmocka_unit_test(test_biased),
		cmocka_unit_test(test_alnum),
		cmocka_unit_test(test_bounds),
		cmocka_unit_test(test_compare_ent),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
