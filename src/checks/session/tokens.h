/* tokens: how much effective entropy a sample of session tokens carries (IoT-1006-1 5.2.1.13) */
#ifndef DUTLAB_CHECKS_SESSION_TOKENS_H
#define DUTLAB_CHECKS_SESSION_TOKENS_H

#include <stdbool.h>
#include <stddef.h>

struct dl_error;

/* Bounds of one analysis: more or longer tokens are refused with DL_EINVAL. */
#define TOKENS_MAX_COUNT 100000
#define TOKENS_MAX_LENGTH 512
/* Bit-level tests read at most this many decoded bits (memory ceiling). */
#define TOKENS_MAX_BITS (1u << 21)
/* SP 800-22's significance level (rev1a section 4.2.1). */
#define TOKENS_ALPHA 0.01

/* FIPS 140-2 section 4.9.1 (with change notice 1 intervals) on the first
 * 20,000 decoded bits; ran is false when the sample has fewer bits. Its
 * intervals fail a true random source about once in a thousand blocks, so a
 * failed first block is retried once on the next 20,000 bits when there are
 * that many: the result is the second block's if it passes (second_block
 * true), else the first's, and both failed. */
struct tokens_fips {
	bool ran;
	bool second_block;        /* the first block failed and a second was tested */
	unsigned first_failed_at; /* the first block's failed run length, or 0 */
	bool monobit, poker, runs, long_run;
	unsigned monobit_ones;   /* pass: 9725 < ones < 10275 */
	double poker_x;          /* pass: 2.16 < X < 46.17 */
	unsigned longest_run;    /* pass: < 26 */
	unsigned runs_failed_at; /* 0, or the first run length (1..6) out of its interval */
};

/* A subset of NIST SP 800-22 rev1a on the decoded bits (at most 1,000,000);
 * ran is false with fewer than 6272 bits (the longest-run test's minimum).
 * A test passes when every p-value is >= TOKENS_ALPHA. */
struct tokens_sp800_22 {
	bool ran;
	size_t bits;
	double frequency_p, block_frequency_p, runs_p, longest_run_p;
	double serial_p1, serial_p2, approximate_entropy_p, cusum_forward_p, cusum_backward_p;
	bool frequency, block_frequency, runs, longest_run, serial, approximate_entropy, cusum;
	unsigned failed; /* how many of the seven tests failed */
};

struct tokens_analysis {
	size_t count, unique, duplicates; /* duplicates = count - unique */
	size_t length_min, length_max;
	char alphabet_class[16];       /* hex, base64, base64url, decimal, alnum, other */
	double bits_per_char_alphabet; /* log2 of the alphabet's size; alnum, other: of
					* the distinct characters the tokens use */
	/* per-character-position analysis (SP 800-90B 6.3.1 per position) */
	size_t positions;          /* character positions analysed (length_max) */
	size_t constant_positions; /* positions with one value in every token */
	double min_entropy_bits_position;
	/* bit-level analysis of the decoded stream: hex, base64, base64url, and
	 * alnum or other when the symbols used number a power of two (each
	 * symbol's rank); not decimal */
	bool bitstream; /* false: the alphabet has no bit decoding */
	size_t bits;    /* decoded bits analysed (at most TOKENS_MAX_BITS) */
	double bits_per_token;
	double bit_mcv, bit_collision, bit_markov; /* min-entropy per bit, 90B 6.3.1-6.3.3 */
	double min_entropy_bits_bitstream;         /* min of the three times bits_per_token */
	/* counters and timestamps: consecutive tokens read as numbers mostly
	 * step by one value or mostly go one way; then the min-entropy of the
	 * step (what one must guess after seeing a token) */
	bool sequential;
	double min_entropy_bits_step;
	/* min(position, bitstream, step, length_max * bits_per_char_alphabet) */
	double min_entropy_bits;
	struct tokens_fips fips;
	struct tokens_sp800_22 sp800_22;
	char summary[256]; /* one line of the figures above, for a finding */
};

/* Analyse count NUL-terminated tokens (count <= TOKENS_MAX_COUNT, each
 * 1..TOKENS_MAX_LENGTH bytes). Fills out; the tokens are not kept. */
int tokens_analyse(const char *const *tokens, size_t count, struct tokens_analysis *out,
		   struct dl_error *err);

/* The clause's rule: at least required_bits (64 for 5.2.1.13) of effective
 * min-entropy, no duplicate, no sequential structure, the FIPS 140-2 tests
 * run and passed. Writes why into reason (may be NULL). */
bool tokens_enough_entropy(const struct tokens_analysis *a, double required_bits, char *reason,
			   size_t reason_size);

/* Regularised upper incomplete gamma Q(a, x), SP 800-22 section 5.5.3's igamc. */
double tokens_igamc(double a, double x);

#endif
