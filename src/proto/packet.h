/* packet: one frame, its bytes and the schema of its fields, built by the protocol models and read
 * by the mutation engine */
#ifndef DUTLAB_PROTO_PACKET_H
#define DUTLAB_PROTO_PACKET_H

/*
 * A packet is built outside in: packet_init(), then each layer's builder
 * (ethernet_build(), vlan_build(), ipv4_build(), icmpv4_build(), ...) in
 * wire order, then packet_finish(), which computes every derived field
 * (lengths, counts, checksums). Each builder appends its bytes and declares
 * what they are: fields with a kind, a size, bits, and relations
 * (length-of, count-of, checksum-of another field or element). Nothing
 * else in dutlab knows a protocol's layout: the mutation engine only reads
 * these fields, changes some, and calls packet_finish() again, which
 * leaves the fields it changed (frozen) as they are.
 *
 * Elements (FIELD_ELEMENT, FIELD_LIST) are byte ranges that hold other
 * fields: a layer, a header, an option, a TLV, the list of TLVs. An
 * element is open from packet_element_begin() to packet_element_end() and
 * grows with every byte appended meanwhile; a layer's element stays open
 * until packet_finish(), so it spans its header and everything inside it
 * (an IPv4 layer covers its header and payload: ipv4.total_length is
 * length-of that element).
 *
 * Fixed sizes, no allocation: a struct packet lives on the stack of a
 * sender thread or in an array; packet_copy() copies only what is used.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct dl_error;
struct proto_layer;

#define PACKET_BYTES_MAX 9216 /* a jumbo frame; every builder checks against it */
#define PACKET_FIELDS_MAX 192
#define PACKET_LAYERS_MAX 12
#define PACKET_OPEN_MAX 16 /* elements nested inside one another */
#define PACKET_NONE (-1)   /* no field: a top-level parent, an absent target */

enum field_kind {
	FIELD_UINT,       /* a number: boundaries (0, 1, max, max-1, powers of two around) */
	FIELD_ENUM,       /* a number with defined values (field.values): invalid, reserved */
	FIELD_FLAGS,      /* bit flags: each bit alone, reserved bits set, all, none */
	FIELD_IDENTIFIER, /* a message id, sequence or type code: the standards' "message
			     identifiers" */
	FIELD_LENGTH,     /* length-of target (bytes / unit + adjust): over, under, zero, max */
	FIELD_COUNT,      /* count-of target's child elements: over, under, zero, max */
	FIELD_CHECKSUM,   /* checksum-of target: wrong only in campaigns that ask for it */
	FIELD_ADDRESS, /* MAC, IPv4 or IPv6: zero, broadcast, multicast, loopback, the DUT's own */
	FIELD_BYTES,   /* opaque bytes or text: oversized, truncated, patterns, format strings */
	FIELD_ELEMENT, /* a structure (header, option, TLV): repeated, removed, truncated, oversized
			*/
	FIELD_LIST,    /* a sequence of elements (options, TLVs): reordered, emptied, flooded */
};

enum field_flag {
	FIELD_KEY = 1u << 0,           /* a key protocol attribute (NCC's "關鍵協定屬性") */
	FIELD_REMOVED = 1u << 1,       /* its bytes were cut out by a mutation */
	FIELD_LITTLE_ENDIAN = 1u << 2, /* multi-byte value in little-endian order (rare) */
	FIELD_REPEATABLE = 1u << 3,    /* an element a list may hold more than once */
	FIELD_LAYER = 1u << 4,         /* the element of a whole layer (packet.layers[].element) */
	/* a number written as decimal ASCII digits (a text protocol's CSeq, Content-Length):
	 * its size is its text's, 1 to PACKET_DECIMAL_DIGITS_MAX bytes; packet_put() rewrites
	 * the digits and splices the frame to their new width; bit_width holds the most digits
	 * its values have (packet_field_max() is 10^digits - 1; 0 or 20: UINT64_MAX) */
	FIELD_DECIMAL = 1u << 5,
};

#define PACKET_DECIMAL_DIGITS_MAX 20 /* UINT64_MAX, 18446744073709551615 */

/* One defined value of a FIELD_ENUM; a table ends with a NULL name. */
struct field_value {
	uint64_t value;
	const char *name;
};

struct field {
	const char *name;  /* static, dotted: "ipv4.total_length", "lldp.tlv.port_id.length" */
	uint32_t offset;   /* first byte in packet.bytes */
	uint32_t size;     /* bytes; for a bit field the bytes that hold it (1, 2, 4 or 8) */
	uint8_t bit_shift; /* bit field: value = (big-endian bytes >> bit_shift) & mask(bit_width)
			    */
	uint8_t bit_width; /* 0: all size * 8 bits (fields of 1..8 bytes; BYTES/ELEMENT/LIST: none)
			    */
	uint8_t kind;      /* enum field_kind */
	uint8_t flags;     /* enum field_flag */
	int16_t parent;    /* the element that holds it, or PACKET_NONE */
	int16_t target;    /* LENGTH, COUNT, CHECKSUM: the field measured, or PACKET_NONE */
	int16_t layer;     /* index in packet.layers */
	uint16_t
		unit; /* LENGTH: bytes per unit (1; 4 for IPv4 IHL; 8 for IPv6 extension headers) */
	int32_t adjust; /* LENGTH: value = size(target) / unit + adjust (IPv6 ext: -1) */
	const struct field_value *values; /* ENUM: the defined values; NULL otherwise */
};

struct packet_layer {
	const struct proto_layer *model; /* static */
	int16_t element;                 /* the layer's FIELD_ELEMENT */
	int16_t slots[6];                /* fields the model's fixup needs (its checksum...) */
};

struct packet {
	uint8_t bytes[PACKET_BYTES_MAX];
	uint32_t length;
	uint16_t field_count;
	uint8_t layer_count;
	uint8_t open_count;
	bool overflow; /* a builder ran out of room or fields: packet_finish() fails */
	struct field fields[PACKET_FIELDS_MAX];
	struct packet_layer layers[PACKET_LAYERS_MAX];
	int16_t open[PACKET_OPEN_MAX];                  /* the elements still growing */
	uint64_t frozen[(PACKET_FIELDS_MAX + 63) / 64]; /* fields packet_finish() must not touch */
};

void packet_init(struct packet *p);

/* Copy src's used bytes, fields and layers into dst (fast: not the whole struct). */
void packet_copy(struct packet *dst, const struct packet *src);

/*
 * Start a layer: a FIELD_ELEMENT named name (the model's name: "ipv4"),
 * flagged FIELD_LAYER, open until packet_finish(). Returns the layer's
 * index, or PACKET_NONE (and sets overflow) when the tables are full.
 */
int packet_layer_begin(struct packet *p, const struct proto_layer *model, const char *name);

/* Open an element or a list (kind FIELD_ELEMENT or FIELD_LIST) inside the
 * innermost open one; returns its field index or PACKET_NONE. */
int packet_element_begin(struct packet *p, const char *name, enum field_kind kind, uint8_t flags);
void packet_element_end(struct packet *p, int element);

/*
 * Append n zeroed bytes at the end (every open element grows by n) and
 * return their offset; on overflow return PACKET_BYTES_MAX and set
 * overflow (later writes to that offset are ignored).
 */
uint32_t packet_append(struct packet *p, size_t n);

/*
 * Declare a field over bytes already appended, held by the innermost open
 * element, in the current (last begun) layer, and write value into it.
 * packet_field(): whole bytes (1..8), big-endian unless flags says little.
 * packet_field_bits(): bit_width bits at bit_shift inside size bytes at
 * offset (the IPv4 IHL is size 1, shift 0, width 4).
 * packet_field_bytes(): a FIELD_BYTES or FIELD_ADDRESS copied from data.
 * Each returns the field's index, or PACKET_NONE on overflow.
 */
int packet_field(struct packet *p, const char *name, enum field_kind kind, uint32_t offset,
		 uint32_t size, uint64_t value, uint8_t flags);
int packet_field_bits(struct packet *p, const char *name, enum field_kind kind, uint32_t offset,
		      uint32_t size, uint8_t bit_shift, uint8_t bit_width, uint64_t value,
		      uint8_t flags);
int packet_field_bytes(struct packet *p, const char *name, enum field_kind kind, uint32_t offset,
		       const void *data, uint32_t size, uint8_t flags);

/*
 * Text numbers (FIELD_DECIMAL): packet_decimal() appends value's digits at the
 * end (every open element grows) and declares them a numeric field of kind;
 * packet_decimal_present() declares the digits a parser already appended at
 * offset. digits: the most the field's values have (1..20; 0: 20). Each
 * returns the field's index, or PACKET_NONE (overflow; a parser's bytes that
 * are not 1 to 20 digits).
 */
int packet_decimal(struct packet *p, const char *name, enum field_kind kind, uint64_t value,
		   unsigned digits, uint8_t flags);
int packet_decimal_present(struct packet *p, const char *name, enum field_kind kind,
			   uint32_t offset, uint32_t size, unsigned digits, uint8_t flags);

/* For parsers, over bytes already in the frame: the big-endian value of size
 * bytes (1..8) at offset (bytes past the frame's end read as nothing), and
 * packet_field() with that value. */
uint64_t packet_read_be(const struct packet *p, uint32_t offset, uint32_t size);
int packet_field_present(struct packet *p, const char *name, enum field_kind kind, uint32_t offset,
			 uint32_t size, uint8_t flags);

/* Set a FIELD_LENGTH, FIELD_COUNT or FIELD_CHECKSUM's relation. */
void packet_relate(struct packet *p, int field, int target, uint16_t unit, int32_t adjust);
/* Give a FIELD_ENUM its defined values. */
void packet_values(struct packet *p, int field, const struct field_value *values);

/* The value of a field of 1..8 bytes (or a bit field, or a decimal one), and
 * writing one (cut to the field's width; a decimal field's value capped at
 * its max, its bytes spliced to the new digits: fields after it move). */
uint64_t packet_get(const struct packet *p, int field);
void packet_put(struct packet *p, int field, uint64_t value);
/* The largest value a numeric field holds. */
uint64_t packet_field_max(const struct packet *p, int field);

/* Freeze a field: packet_finish() leaves it as the mutation set it. */
void packet_freeze(struct packet *p, int field);
bool packet_frozen(const struct packet *p, int field);
/* packet_put() unless the field is frozen or removed: what fixups use. */
void packet_put_derived(struct packet *p, int field, uint64_t value);

/*
 * Replace remove bytes at offset with insert_length bytes from insert
 * (NULL: zeros), keeping the schema true: fields wholly after the change
 * move, elements holding it grow or shrink, fields wholly removed get
 * FIELD_REMOVED. owner is the innermost element that receives inserted
 * bytes at an element boundary (PACKET_NONE: decided by the offset alone).
 * 0, or DL_ENOMEM when the frame would pass PACKET_BYTES_MAX.
 */
int packet_splice(struct packet *p, uint32_t offset, uint32_t remove, const void *insert,
		  uint32_t insert_length, int owner, struct dl_error *err);

/*
 * Close the open elements and compute the derived fields that are not
 * frozen: every FIELD_LENGTH and FIELD_COUNT from its target, then each
 * layer's fixup (checksums), innermost layer first. 0, or DL_ENOMEM when
 * a builder overflowed.
 */
int packet_finish(struct packet *p, struct dl_error *err);

/* Find a field by name at or after index from; PACKET_NONE if absent. */
int packet_find(const struct packet *p, const char *name, int from);

/* The Internet checksum (RFC 1071) of data, continuing from sum (0 to
 * start), folded and complemented. */
uint16_t packet_inet_checksum(const uint8_t *data, size_t length, uint32_t sum);
/* The one's-complement sum before folding, to chain pseudo-headers. */
uint32_t packet_inet_sum(const uint8_t *data, size_t length, uint32_t sum);

#endif
