/* mutate: structure-aware anomalies on a packet's fields, deterministic from (template, seed,
 * index) */
#ifndef DUTLAB_FUZZ_MUTATE_H
#define DUTLAB_FUZZ_MUTATE_H

/*
 * A test case is (template, seed, index): mutate_case() derives every
 * choice from a PRNG seeded by those, so any case can be rebuilt and
 * replayed alone, in another process, years later. It copies the
 * template's valid frame, picks a field the anomaly class applies to
 * (by the field's kind), applies the anomaly, freezes what it changed and
 * calls packet_finish() so everything else stays consistent (a wrong
 * length is the only wrong thing in its frame, unless stacked). Level 1
 * applies one anomaly; level N stacks N on the same frame.
 *
 * Multi-frame anomalies (fragment overlap and gap) turn one datagram into
 * several frames; every other anomaly makes one.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct dl_error;
struct fuzz_template;
struct packet;

enum anomaly {
	ANOMALY_INTEGER_BOUNDARY, /* UINT, IDENTIFIER: 0, 1, max, max-1, 2^k +-1 */
	ANOMALY_INTEGER_RANDOM,   /* UINT, IDENTIFIER: a random value */
	ANOMALY_ENUM_INVALID,     /* ENUM: a value not defined */
	ANOMALY_ENUM_RESERVED,    /* ENUM: a value defined but out of place (another message's) */
	ANOMALY_FLAGS_RESERVED,   /* FLAGS: reserved bits set, all set, one alone */
	ANOMALY_LENGTH_OVER,      /* LENGTH: more than the content */
	ANOMALY_LENGTH_UNDER,     /* LENGTH: less than the content */
	ANOMALY_LENGTH_ZERO,      /* LENGTH: zero */
	ANOMALY_LENGTH_MAX,       /* LENGTH: the largest value the field holds */
	ANOMALY_COUNT_WRONG,      /* COUNT: over, under, zero, max */
	ANOMALY_CHECKSUM_WRONG,   /* CHECKSUM: only when the campaign asks for it */
	ANOMALY_ADDRESS_SPECIAL,  /* ADDRESS: zero, broadcast, multicast, loopback, the DUT's own */
	ANOMALY_BYTES_OVERSIZE,   /* BYTES: grown (long, up to the frame's room) */
	ANOMALY_BYTES_TRUNCATE,   /* BYTES: cut short or emptied */
	ANOMALY_BYTES_PATTERN,    /* BYTES: 0x00, 0xff, "%n%s", non-UTF-8 fill */
	ANOMALY_ELEMENT_REPEAT,   /* ELEMENT: repeated (twice, many times) */
	ANOMALY_ELEMENT_REMOVE,   /* ELEMENT: removed (a mandatory TLV, a header) */
	ANOMALY_ELEMENT_REORDER,  /* LIST: two elements swapped */
	ANOMALY_ELEMENT_TRUNCATE, /* ELEMENT: cut inside */
	ANOMALY_ELEMENT_OVERSIZE, /* ELEMENT: padded past its declared size */
	ANOMALY_FRAGMENT_OVERLAP, /* an IP layer: fragments that overlap */
	ANOMALY_FRAGMENT_GAP,     /* an IP layer: fragments with a hole, or a missing last one */
	ANOMALY_FRAME_TRUNCATE,   /* the frame cut short at a field boundary */
	ANOMALY_COUNT_OF_CLASSES,
};

const char *anomaly_name(enum anomaly a); /* "length-over" */

#define MUTATION_STACK_MAX 8
#define MUTATION_FRAMES_MAX 8

/* What one mutation did, for the record and the finding. */
struct mutation {
	uint8_t anomaly;        /* enum anomaly */
	const char *field;      /* the field's static name: "lldp.tlv.port_id.length" */
	uint64_t before, after; /* numeric fields; sizes for the others */
	/* Added by the engine: what was done beyond the numbers, static ("%n%s%x" for a
	 * pattern, "flooded", "list emptied", "ff02::1 (all nodes)"), or NULL. */
	const char *detail;
};

struct mutation_options {
	unsigned level; /* 1..MUTATION_STACK_MAX anomalies stacked per case */
	bool checksums; /* allow ANOMALY_CHECKSUM_WRONG (the standards do not ask for it) */
	bool fragments; /* allow the multi-frame anomalies */
	/* Added by the engine: the longest frame a growing anomaly may make (the
	 * port's MTU plus the link header and tags); 0: MUTATION_FRAME_DEFAULT. */
	uint32_t frame_max;
};

#define MUTATION_FRAME_DEFAULT 1514 /* a 1500-byte MTU plus the Ethernet header */

struct fuzz_case {
	const struct fuzz_template *template;
	uint64_t seed, index;
	struct mutation mutations[MUTATION_STACK_MAX];
	size_t mutation_count;
	size_t frame_count; /* frames made: 1, or more for fragments */
};

/*
 * Build test case (seed, index) of template t from valid, the template's
 * valid frame (built once by the caller), into frames[0..frame_count).
 * Deterministic: the same arguments give the same bytes. 0, or DL_ENOMEM.
 * frames must hold MUTATION_FRAMES_MAX packets when o->fragments, else one.
 * This builds a mutation plan on every call (some microseconds): a
 * campaign builds the plan once per template and calls mutate_planned().
 */
int mutate_case(const struct packet *valid, const struct fuzz_template *t, uint64_t seed,
		uint64_t index, const struct mutation_options *o, struct packet *frames,
		struct fuzz_case *record, struct dl_error *err);

/*
 * Added by the engine. A mutation plan: the (field, anomaly) pairs a
 * template's valid frame offers under some options, grouped by anomaly,
 * and the little else a case needs, computed once so that a case costs a
 * packet_copy(), a few PRNG draws, the change and one packet_finish() (no
 * allocation, no name is read). It points at valid and t, which must
 * outlive it and stay unchanged. A case picks an offered anomaly
 * uniformly, then a field uniformly among those it applies to.
 */
#define MUTATION_PAIRS_MAX 1280

struct mutation_plan {
	const struct packet *valid;
	const struct fuzz_template *template;
	struct mutation_options options; /* level clamped to 1..MUTATION_STACK_MAX */
	uint64_t key;                    /* hash of the template's name: the PRNG's third seed */
	uint32_t cut_floor;              /* frame truncation keeps at least the outer header */
	uint8_t anomalies[ANOMALY_COUNT_OF_CLASSES]; /* the offered ones, in enum order */
	uint8_t anomaly_count;
	uint16_t first[ANOMALY_COUNT_OF_CLASSES + 1]; /* anomaly a: fields[first[a]..first[a+1]) */
	int16_t fields[MUTATION_PAIRS_MAX];
	size_t pair_count;
	int16_t derived[64]; /* the LENGTH and COUNT fields, for the anomalies that freeze them */
	uint8_t derived_count;
	int16_t addresses[32]; /* the ADDRESS fields: another one is a "special" value */
	uint8_t address_count;
};

/* Build plan from a finished valid frame. Never fails: a frame with more
 * pairs than MUTATION_PAIRS_MAX offers the first ones. */
void mutate_plan_build(struct mutation_plan *plan, const struct packet *valid,
		       const struct fuzz_template *t, const struct mutation_options *o);

/* The field index and anomaly of pair i (0 <= i < plan->pair_count). */
void mutate_plan_pair(const struct mutation_plan *plan, size_t i, int *field,
		      enum anomaly *anomaly);

/* mutate_case() with a plan: the campaign's hot path. */
int mutate_planned(const struct mutation_plan *plan, uint64_t seed, uint64_t index,
		   struct packet *frames, struct fuzz_case *record, struct dl_error *err);

/*
 * Apply one anomaly to field of p (a finished frame) with choices drawn
 * from (seed, 0, key), then packet_finish(): for tests and for replaying
 * a single (field, anomaly) pair. Single-frame anomalies only. 0 applied;
 * DL_EINVAL when the anomaly does not apply to that field now (a removed
 * field, a wrong kind, a list of fewer than two elements, no room);
 * DL_ENOMEM.
 */
int mutate_field(struct packet *p, int field, enum anomaly a, uint64_t seed,
		 const struct mutation_options *o, struct mutation *out, struct dl_error *err);

/* Describe a case in one line: "lldp-nearest #1234 (seed 7): length-over
 * lldp.tlv.port_id.length 7 -> 255". */
size_t fuzz_case_describe(const struct fuzz_case *c, char *buf, size_t size);

/*
 * Coverage: which anomaly classes hit which fields of which template.
 * Fixed-size, open-addressed on (template, field name, anomaly); the names
 * are the static strings of the schema, so a key is three pointers.
 */
#define COVERAGE_SLOTS 8192

struct coverage_entry {
	const char *template, *field;
	uint8_t anomaly;
	uint64_t cases;
};

struct fuzz_coverage {
	struct coverage_entry slots[COVERAGE_SLOTS];
	size_t used;
	uint64_t dropped; /* keys past the table's room: counted, not kept */
};

void coverage_init(struct fuzz_coverage *c);
void coverage_add(struct fuzz_coverage *c, const struct fuzz_case *fc);
/*
 * Of the (field, anomaly) pairs template t's valid frame offers (by field
 * kind and the options), how many were hit: *offered and *hit.
 */
void coverage_of_template(const struct fuzz_coverage *c, const struct packet *valid,
			  const struct fuzz_template *t, const struct mutation_options *o,
			  size_t *offered, size_t *hit);

#endif
