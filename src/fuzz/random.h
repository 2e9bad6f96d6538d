/* random: the small deterministic PRNG of the mutation engine (splitmix64 seeding xoshiro256**) */
#ifndef DUTLAB_FUZZ_RANDOM_H
#define DUTLAB_FUZZ_RANDOM_H

/*
 * Every choice a test case makes comes from one of these, seeded from
 * (seed, index, template name hash): the same three give the same stream
 * on every machine and every build, so a case is rebuilt from its id
 * alone. xoshiro256** (Blackman and Vigna, 2018) is fast and good enough
 * for choosing; splitmix64 spreads the seed over its 256 bits. Never
 * rand(): its stream differs between libcs.
 */

#include <stdint.h>

struct random_state {
	uint64_t s[4];
};

/* FNV-1a 64 of a name: done once per template, never per case. */
uint64_t random_hash(const char *text);

void random_seed(struct random_state *r, uint64_t seed, uint64_t index, uint64_t key);

static inline uint64_t random_rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static inline uint64_t random_next(struct random_state *r)
{
	uint64_t *s = r->s;
	uint64_t result = random_rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;
	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = random_rotl(s[3], 45);
	return result;
}

/* Uniform in [0, n) (n > 0; 0 gives 0), by Lemire's multiply-shift: a
 * bias below 2^-32 for the small n the engine asks for, and no division. */
static inline uint64_t random_below(struct random_state *r, uint64_t n)
{
	if (n == 0)
		return 0;
	if (n <= UINT32_MAX)
		return ((random_next(r) >> 32) * n) >> 32;
	return random_next(r) % n;
}

/* Uniform in [0, max] (all 64 bits when max is UINT64_MAX). */
static inline uint64_t random_upto(struct random_state *r, uint64_t max)
{
	return max == UINT64_MAX ? random_next(r) : random_below(r, max + 1);
}

#endif
