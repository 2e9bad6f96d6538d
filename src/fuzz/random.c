/* random: seeding the mutation engine's PRNG from a test case's id */
#include "core/compat.h"

#include "fuzz/random.h"

static uint64_t random_splitmix(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

uint64_t random_hash(const char *text)
{
	uint64_t h = 0xcbf29ce484222325ull;
	for (const unsigned char *c = (const unsigned char *)text; c && *c; c++) {
		h ^= *c;
		h *= 0x100000001b3ull;
	}
	return h;
}

void random_seed(struct random_state *r, uint64_t seed, uint64_t index, uint64_t key)
{
	/* Three splitmix rounds chain the parts, so (seed, index) and (index, seed)
	 * differ and neighbouring indices give unrelated streams. */
	uint64_t x = key;
	x = random_splitmix(&x) ^ seed;
	x = random_splitmix(&x) ^ index;
	for (int i = 0; i < 4; i++)
		r->s[i] = random_splitmix(&x);
	if (!(r->s[0] | r->s[1] | r->s[2] | r->s[3]))
		r->s[0] =
			1; /* xoshiro's one forbidden state; splitmix never gives it, but be sure */
}
