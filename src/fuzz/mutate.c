/* mutate: structure-aware anomalies on a frame's schema, one deterministic test case at a time */
#include "core/compat.h"

#include "core/error.h"
#include "fuzz/mutate.h"
#include "fuzz/random.h"
#include "fuzz/template.h"
#include "proto/layer.h"
#include "proto/packet.h"

/*
 * The engine knows kinds, not protocols: a field's kind says which
 * anomalies apply (mutate_offers()), and packet_splice()/packet_finish()
 * keep everything the anomaly did not aim at consistent. Growing
 * anomalies stay under options.frame_max; frame truncation and
 * fragmentation come last in a stacked case, after the final
 * packet_finish(), since both must leave the lengths and checksums of the
 * whole datagram as they were.
 */

_Static_assert(MUTATION_PAIRS_MAX >= PACKET_FIELDS_MAX * 6,
	       "a field offers at most 6 anomalies (an IP layer's element)");
_Static_assert(ANOMALY_COUNT_OF_CLASSES <= 255, "anomalies are kept in uint8_t");

static const char *const anomaly_names[ANOMALY_COUNT_OF_CLASSES] = {
	[ANOMALY_INTEGER_BOUNDARY] = "integer-boundary",
	[ANOMALY_INTEGER_RANDOM] = "integer-random",
	[ANOMALY_ENUM_INVALID] = "enum-invalid",
	[ANOMALY_ENUM_RESERVED] = "enum-reserved",
	[ANOMALY_FLAGS_RESERVED] = "flags-reserved",
	[ANOMALY_LENGTH_OVER] = "length-over",
	[ANOMALY_LENGTH_UNDER] = "length-under",
	[ANOMALY_LENGTH_ZERO] = "length-zero",
	[ANOMALY_LENGTH_MAX] = "length-max",
	[ANOMALY_COUNT_WRONG] = "count-wrong",
	[ANOMALY_CHECKSUM_WRONG] = "checksum-wrong",
	[ANOMALY_ADDRESS_SPECIAL] = "address-special",
	[ANOMALY_BYTES_OVERSIZE] = "bytes-oversize",
	[ANOMALY_BYTES_TRUNCATE] = "bytes-truncate",
	[ANOMALY_BYTES_PATTERN] = "bytes-pattern",
	[ANOMALY_ELEMENT_REPEAT] = "element-repeat",
	[ANOMALY_ELEMENT_REMOVE] = "element-remove",
	[ANOMALY_ELEMENT_REORDER] = "element-reorder",
	[ANOMALY_ELEMENT_TRUNCATE] = "element-truncate",
	[ANOMALY_ELEMENT_OVERSIZE] = "element-oversize",
	[ANOMALY_FRAGMENT_OVERLAP] = "fragment-overlap",
	[ANOMALY_FRAGMENT_GAP] = "fragment-gap",
	[ANOMALY_FRAME_TRUNCATE] = "frame-truncate",
};

const char *anomaly_name(enum anomaly a)
{
	if ((unsigned)a >= ANOMALY_COUNT_OF_CLASSES)
		return "unknown";
	return anomaly_names[a];
}

/* Fragmentation lives in mutate-fragment.c; the models it calls may be built or not. */
bool mutate_fragment_layer(const struct packet *p, int layer);
int mutate_fragment(struct packet *frames, size_t max, int layer, enum anomaly a,
		    struct random_state *r, struct mutation *m, size_t *frame_count,
		    struct dl_error *err);

static bool field_live(const struct field *f)
{
	return !(f->flags & FIELD_REMOVED);
}

static bool field_numeric(const struct field *f)
{
	/* a decimal text number (FIELD_DECIMAL) is up to 20 digits: packet_get/put read it */
	return f->size >= 1 &&
	       f->size <= ((f->flags & FIELD_DECIMAL) ? PACKET_DECIMAL_DIGITS_MAX : 8);
}

static bool field_container(const struct field *f)
{
	return f->kind == FIELD_ELEMENT || f->kind == FIELD_LIST;
}

static uint32_t mutate_frame_max(const struct mutation_options *o)
{
	uint32_t max = o && o->frame_max ? o->frame_max : MUTATION_FRAME_DEFAULT;
	return max > PACKET_BYTES_MAX ? PACKET_BYTES_MAX : max;
}

static uint32_t mutate_room(const struct packet *p, const struct mutation_plan *plan)
{
	uint32_t max = mutate_frame_max(&plan->options);
	return p->length < max ? max - p->length : 0;
}

/* Is field inside (or equal to) element? Parents are few levels deep. */
static bool field_within(const struct packet *p, int field, int element)
{
	for (int i = 0; field >= 0 && field < p->field_count && i <= PACKET_OPEN_MAX + 1; i++) {
		if (field == element)
			return true;
		field = p->fields[field].parent;
	}
	return false;
}

static size_t live_children(const struct packet *p, int list, int *first, int *second,
			    struct random_state *r)
{
	/* With r: pick two distinct children at random in one pass (reservoir of two). */
	size_t n = 0;
	for (int i = list + 1; i < p->field_count; i++) {
		const struct field *c = &p->fields[i];
		if (c->parent != list || !field_live(c) || !field_container(c))
			continue;
		n++;
		if (!r)
			continue;
		if (n == 1) {
			*first = i;
		} else if (n == 2) {
			*second = i;
		} else {
			uint64_t k = random_below(r, n);
			if (k == 0)
				*first = i;
			else if (k == 1)
				*second = i;
		}
	}
	return n;
}

static bool enum_defined(const struct field *f, uint64_t v)
{
	for (const struct field_value *d = f->values; d && d->name; d++)
		if (d->value == v)
			return true;
	return false;
}

/* Does anomaly a apply to field i of p (p as it is now)? */
static bool mutate_offers(const struct packet *p, const struct mutation_plan *plan, int i,
			  enum anomaly a)
{
	const struct field *f = &p->fields[i];
	if (!field_live(f))
		return false;
	uint32_t room = mutate_room(p, plan);
	bool element = f->kind == FIELD_ELEMENT && f->parent != PACKET_NONE;
	switch (a) {
	case ANOMALY_INTEGER_BOUNDARY:
	case ANOMALY_INTEGER_RANDOM:
		return (f->kind == FIELD_UINT || f->kind == FIELD_IDENTIFIER) && field_numeric(f);
	case ANOMALY_ENUM_INVALID: {
		if (f->kind != FIELD_ENUM || !field_numeric(f))
			return false;
		uint64_t max = packet_field_max(p, i), defined = 0;
		for (const struct field_value *d = f->values; d && d->name; d++)
			defined += d->value <= max;
		return max == UINT64_MAX || defined < max + 1;
	}
	case ANOMALY_ENUM_RESERVED: {
		if (f->kind != FIELD_ENUM || !field_numeric(f))
			return false;
		uint64_t max = packet_field_max(p, i), now = packet_get(p, i);
		for (const struct field_value *d = f->values; d && d->name; d++)
			if (d->value <= max && d->value != now)
				return true;
		return false;
	}
	case ANOMALY_FLAGS_RESERVED: return f->kind == FIELD_FLAGS && field_numeric(f);
	case ANOMALY_LENGTH_OVER:
	case ANOMALY_LENGTH_MAX:
		return f->kind == FIELD_LENGTH && field_numeric(f) &&
		       packet_get(p, i) < packet_field_max(p, i);
	case ANOMALY_LENGTH_UNDER:
	case ANOMALY_LENGTH_ZERO:
		return f->kind == FIELD_LENGTH && field_numeric(f) && packet_get(p, i) > 0;
	case ANOMALY_COUNT_WRONG: return f->kind == FIELD_COUNT && field_numeric(f);
	case ANOMALY_CHECKSUM_WRONG:
		return f->kind == FIELD_CHECKSUM && field_numeric(f) && plan->options.checksums;
	case ANOMALY_ADDRESS_SPECIAL: return f->kind == FIELD_ADDRESS && f->size >= 1;
	case ANOMALY_BYTES_OVERSIZE: return f->kind == FIELD_BYTES && room > 0;
	case ANOMALY_BYTES_TRUNCATE:
	case ANOMALY_BYTES_PATTERN: return f->kind == FIELD_BYTES && f->size >= 1;
	case ANOMALY_ELEMENT_REPEAT: return element && f->size >= 1 && f->size <= room;
	case ANOMALY_ELEMENT_REMOVE:
		return (element || (f->kind == FIELD_LIST && f->parent != PACKET_NONE)) &&
		       f->size >= 1;
	case ANOMALY_ELEMENT_REORDER:
		return f->kind == FIELD_LIST && live_children(p, i, NULL, NULL, NULL) >= 2;
	case ANOMALY_ELEMENT_TRUNCATE: return element && f->size >= 2;
	case ANOMALY_ELEMENT_OVERSIZE: return element && room > 0;
	case ANOMALY_FRAGMENT_OVERLAP:
	case ANOMALY_FRAGMENT_GAP:
		return plan->options.fragments && (f->flags & FIELD_LAYER) && f->layer >= 0 &&
		       mutate_fragment_layer(p, f->layer);
	case ANOMALY_FRAME_TRUNCATE:
		return !field_container(f) && f->offset > 0 && f->offset >= plan->cut_floor &&
		       f->offset < p->length;
	case ANOMALY_COUNT_OF_CLASSES: break;
	}
	return false;
}

static bool anomaly_deferred(enum anomaly a)
{
	return a == ANOMALY_FRAME_TRUNCATE || a == ANOMALY_FRAGMENT_OVERLAP ||
	       a == ANOMALY_FRAGMENT_GAP;
}

void mutate_plan_build(struct mutation_plan *plan, const struct packet *valid,
		       const struct fuzz_template *t, const struct mutation_options *o)
{
	memset(plan, 0, sizeof(*plan));
	plan->valid = valid;
	plan->template = t;
	if (o)
		plan->options = *o;
	if (plan->options.level < 1)
		plan->options.level = 1;
	if (plan->options.level > MUTATION_STACK_MAX)
		plan->options.level = MUTATION_STACK_MAX;
	plan->key = random_hash(t ? t->name : "");
	/* keep the outermost layer's header whole: shorter frames never leave the tester */
	plan->cut_floor = 1;
	if (valid->layer_count > 1 && valid->layers[1].element >= 0 &&
	    valid->layers[1].element < valid->field_count)
		plan->cut_floor = valid->fields[valid->layers[1].element].offset;
	for (int i = 0; i < valid->field_count; i++) {
		const struct field *f = &valid->fields[i];
		if (!field_live(f))
			continue;
		if ((f->kind == FIELD_LENGTH || f->kind == FIELD_COUNT) &&
		    plan->derived_count < DL_ARRAY_SIZE(plan->derived))
			plan->derived[plan->derived_count++] = (int16_t)i;
		if (f->kind == FIELD_ADDRESS &&
		    plan->address_count < DL_ARRAY_SIZE(plan->addresses))
			plan->addresses[plan->address_count++] = (int16_t)i;
	}
	for (int a = 0; a < ANOMALY_COUNT_OF_CLASSES; a++) {
		plan->first[a] = (uint16_t)plan->pair_count;
		for (int i = 0; i < valid->field_count && plan->pair_count < MUTATION_PAIRS_MAX;
		     i++)
			if (mutate_offers(valid, plan, i, (enum anomaly)a))
				plan->fields[plan->pair_count++] = (int16_t)i;
		if (plan->pair_count > plan->first[a])
			plan->anomalies[plan->anomaly_count++] = (uint8_t)a;
	}
	plan->first[ANOMALY_COUNT_OF_CLASSES] = (uint16_t)plan->pair_count;
}

void mutate_plan_pair(const struct mutation_plan *plan, size_t i, int *field, enum anomaly *anomaly)
{
	*field = PACKET_NONE;
	*anomaly = ANOMALY_COUNT_OF_CLASSES;
	if (i >= plan->pair_count)
		return;
	*field = plan->fields[i];
	for (int a = 0; a < ANOMALY_COUNT_OF_CLASSES; a++)
		if (i >= plan->first[a] && i < plan->first[a + 1])
			*anomaly = (enum anomaly)a;
}

/* Freeze the lengths and counts that measure element or anything inside it: they keep
 * describing the element as it was. */
static void freeze_own_lengths(struct packet *p, const struct mutation_plan *plan, int element)
{
	for (unsigned d = 0; d < plan->derived_count; d++) {
		int i = plan->derived[d];
		if (i < p->field_count && field_within(p, p->fields[i].target, element))
			packet_freeze(p, i);
	}
}

/* 0, 1, max, max-1, the middle, and 2^k - 1, 2^k, 2^k + 1 inside the width */
static uint64_t boundary_value(struct random_state *r, uint64_t max)
{
	unsigned width = max ? 64u - (unsigned)__builtin_clzll(max) : 1;
	switch (random_below(r, 8)) {
	case 0: return 0;
	case 1: return 1;
	case 2: return max;
	case 3: return max - 1;
	case 4: return max >> 1;
	case 5: return (max >> 1) + 1;
	default: {
		uint64_t v = UINT64_C(1) << random_below(r, width);
		return (v + random_below(r, 3) - 1) & max;
	}
	}
}

static uint64_t enum_invalid_value(const struct field *f, struct random_state *r, uint64_t max,
				   uint64_t before)
{
	size_t defined = 0;
	for (const struct field_value *d = f->values; d && d->name; d++)
		defined++;
	for (int tries = 0; tries < 24; tries++) {
		uint64_t v;
		uint64_t pick = random_below(r, 4);
		if (pick == 0 && defined) {
			/* next to a defined value: where parsers' range checks are off by one */
			v = f->values[random_below(r, defined)].value +
			    (random_below(r, 2) ? 1 : -1);
		} else if (pick == 1) {
			v = tries & 1 ? max : 0;
		} else {
			v = random_upto(r, max);
		}
		v &= max;
		if (v != before && !enum_defined(f, v))
			return v;
	}
	for (uint64_t v = 0; v <= max && v < 4096; v++) /* dense tables: take the first hole */
		if (v != before && !enum_defined(f, v))
			return v;
	return before;
}

static uint64_t flags_value(struct random_state *r, uint64_t max, uint64_t before)
{
	unsigned width = max ? 64u - (unsigned)__builtin_clzll(max) : 1;
	uint64_t bit = UINT64_C(1) << random_below(r, width);
	switch (random_below(r, 5)) {
	case 0: return max; /* all set: reserved ones too */
	case 1: return before ? 0 : bit;
	case 2: return bit; /* one alone */
	case 3: return before | bit;
	default: return before ^ bit;
	}
}

static uint64_t length_over_value(struct random_state *r, uint64_t max, uint64_t before)
{
	uint64_t span = max - before, d;
	switch (random_below(r, 3)) {
	case 0: d = 1; break;
	case 1: d = 2 + random_below(r, 15); break;
	default: d = 1 + random_below(r, span); break;
	}
	return before + (d > span ? span : d);
}

static uint64_t length_under_value(struct random_state *r, uint64_t before)
{
	if (before <= 1)
		return 0;
	switch (random_below(r, 3)) {
	case 0: return before - 1;
	case 1: return before / 2;
	default: return 1 + random_below(r, before - 1);
	}
}

static uint64_t count_value(struct random_state *r, uint64_t max, uint64_t before)
{
	for (int tries = 0; tries < 8; tries++) {
		uint64_t v;
		switch (random_below(r, 5)) {
		case 0: v = before + 1; break;
		case 1: v = before - 1; break;
		case 2: v = 0; break;
		case 3: v = max; break;
		default: v = before + 2 + random_below(r, 32); break;
		}
		v &= max;
		if (v != before)
			return v;
	}
	return before ^ 1;
}

static uint64_t checksum_value(struct random_state *r, uint64_t max, uint64_t before)
{
	switch (random_below(r, 3)) {
	case 0: return before ^ 1; /* one bit off */
	case 1: {
		/* bytes swapped: a classic implementation slip, when it differs */
		uint64_t swapped = ((before & 0xff) << 8) | ((before >> 8) & 0xff);
		if (max == 0xffff && swapped != before)
			return swapped;
		return before ^ 0x8000 ^ (max & 0x8000 ? 0 : 1);
	}
	default: return before ^ (1 + random_below(r, max)); /* any other value */
	}
}

static int apply_numeric(struct packet *p, int i, enum anomaly a, struct random_state *r,
			 struct mutation *m)
{
	const struct field *f = &p->fields[i];
	uint64_t max = packet_field_max(p, i), before = packet_get(p, i), v = before;
	for (int tries = 0; tries < 4 && v == before; tries++) {
		switch (a) {
		case ANOMALY_INTEGER_BOUNDARY: v = boundary_value(r, max); break;
		case ANOMALY_INTEGER_RANDOM: v = random_upto(r, max); break;
		case ANOMALY_ENUM_INVALID: v = enum_invalid_value(f, r, max, before); break;
		case ANOMALY_ENUM_RESERVED: {
			size_t n = 0;
			for (const struct field_value *d = f->values; d && d->name; d++)
				n++;
			v = n ? f->values[random_below(r, n)].value & max : before;
			break;
		}
		case ANOMALY_FLAGS_RESERVED: v = flags_value(r, max, before) & max; break;
		case ANOMALY_LENGTH_OVER: v = length_over_value(r, max, before); break;
		case ANOMALY_LENGTH_UNDER: v = length_under_value(r, before); break;
		case ANOMALY_LENGTH_ZERO: v = 0; break;
		case ANOMALY_LENGTH_MAX: v = max; break;
		case ANOMALY_COUNT_WRONG: v = count_value(r, max, before); break;
		case ANOMALY_CHECKSUM_WRONG: v = checksum_value(r, max, before) & max; break;
		default: return 1;
		}
	}
	if (v == before)
		return 1;
	packet_put(p, i, v);
	packet_freeze(p, i);
	m->before = before;
	m->after = packet_get(p, i);
	return 0;
}

/* An address as a number for the record: the whole of one up to 8 bytes (MAC, IPv4), the
 * last 8 bytes of a longer one (an IPv6 interface identifier; the detail names the value). */
static uint64_t address_number(const struct packet *p, const struct field *f)
{
	uint32_t k = f->size > 8 ? f->size - 8 : 0;
	uint64_t v = 0;
	for (; k < f->size; k++)
		v = (v << 8) | p->bytes[f->offset + k];
	return v;
}

struct special_address {
	uint8_t bytes[16];
	const char *name;
};

static const struct special_address special_mac[] = {
	{{0}, "zero"},
	{{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, "broadcast"},
	{{0x01, 0x00, 0x5e, 0x00, 0x00, 0x01}, "IPv4 all-hosts multicast"},
	{{0x33, 0x33, 0x00, 0x00, 0x00, 0x01}, "IPv6 all-nodes multicast"},
	{{0x01, 0x80, 0xc2, 0x00, 0x00, 0x00}, "bridge group (STP)"},
	{{0x01, 0x80, 0xc2, 0x00, 0x00, 0x01}, "MAC Control (PAUSE)"},
	{{0x01, 0x80, 0xc2, 0x00, 0x00, 0x0e}, "LLDP nearest bridge"},
};

static const struct special_address special_ipv4[] = {
	{{0, 0, 0, 0}, "0.0.0.0"},
	{{255, 255, 255, 255}, "255.255.255.255"},
	{{127, 0, 0, 1}, "127.0.0.1"},
	{{224, 0, 0, 1}, "224.0.0.1 (multicast)"},
	{{240, 0, 0, 1}, "240.0.0.1 (reserved)"},
	{{169, 254, 0, 1}, "169.254.0.1 (link-local)"},
	{{198, 18, 0, 255}, "198.18.0.255 (a subnet broadcast)"},
};

static const struct special_address special_ipv6[] = {
	{{0}, "::"},
	{{[15] = 1}, "::1"},
	{{0xff, 0x02, [15] = 1}, "ff02::1 (all nodes)"},
	{{0xff, 0x02, [15] = 2}, "ff02::2 (all routers)"},
	{{0xfe, 0x80, [15] = 1}, "fe80::1"},
	{{[10] = 0xff, [11] = 0xff, 127, 0, 0, 1}, "::ffff:127.0.0.1 (v4-mapped loopback)"},
	{{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	  0xff},
	 "ffff:...:ffff"},
};

static const struct special_address special_other[] = {
	{{0}, "all zero"}, {{0xff}, "all ones"}, /* filled, not copied: any size */
};

static int apply_address(struct packet *p, const struct mutation_plan *plan, int i,
			 struct random_state *r, struct mutation *m)
{
	struct field *f = &p->fields[i];
	uint8_t *at = p->bytes + f->offset;
	uint64_t before = address_number(p, f);
	const struct special_address *table = f->size == 6    ? special_mac
					      : f->size == 4  ? special_ipv4
					      : f->size == 16 ? special_ipv6
							      : special_other;
	size_t count = f->size == 6    ? DL_ARRAY_SIZE(special_mac)
		       : f->size == 4  ? DL_ARRAY_SIZE(special_ipv4)
		       : f->size == 16 ? DL_ARRAY_SIZE(special_ipv6)
				       : DL_ARRAY_SIZE(special_other);
	/* one more choice than the table: another address of the frame (the DUT's own, as a
	 * source, say), when there is one of the same size */
	for (int tries = 0; tries < 6; tries++) {
		uint64_t pick = random_below(r, count + 1);
		const uint8_t *src = NULL;
		if (pick == count) {
			int other = plan->address_count
					    ? plan->addresses[random_below(r, plan->address_count)]
					    : PACKET_NONE;
			if (other < 0 || other == i || other >= p->field_count ||
			    !field_live(&p->fields[other]) || p->fields[other].size != f->size)
				continue;
			src = p->bytes + p->fields[other].offset;
		} else if (table != special_other) {
			src = table[pick].bytes;
		}
		if (src) {
			if (memcmp(src, at, f->size) == 0)
				continue;
			memmove(at, src, f->size);
		} else {
			uint8_t fill = table[pick].bytes[0];
			bool same = true;
			for (uint32_t k = 0; k < f->size; k++)
				same = same && at[k] == fill;
			if (same)
				continue;
			memset(at, fill, f->size);
		}
		packet_freeze(p, i);
		m->before = before;
		m->after = address_number(p, f);
		m->detail = pick == count ? "another address of the frame" : table[pick].name;
		return 0;
	}
	return 1;
}

/* Repeat b's first size bytes up to total bytes ('A's when size is 0), by doubling copies. */
static void fill_repeat(uint8_t *b, uint32_t size, uint32_t total)
{
	if (!size) {
		memset(b, 'A', total);
		return;
	}
	while (size < total) {
		uint32_t n = size < total - size ? size : total - size;
		memcpy(b + size, b, n);
		size += n;
	}
}

static uint32_t grow_size(struct random_state *r, uint32_t room, uint32_t size)
{
	uint32_t n;
	switch (random_below(r, 4)) {
	case 0: n = 1; break;
	case 1: n = 2 + (uint32_t)random_below(r, 63); break;
	case 2:
		n = size < 255 ? 255 - size : 256; /* past a one-byte length's reach */
		break;
	default:
		n = room; /* up to the frame's room */
		break;
	}
	return n > room ? room : n ? n : 1;
}

static int apply_bytes(struct packet *p, const struct mutation_plan *plan, int i, enum anomaly a,
		       struct random_state *r, struct mutation *m, struct dl_error *err)
{
	static const char *const patterns[] = {"zeros", "0xff",   "%n%s%x",         "non-UTF-8",
					       "'A's",  "random", "an embedded NUL"};
	struct field *f = &p->fields[i];
	uint32_t size = f->size, offset = f->offset;
	m->before = size;
	if (a == ANOMALY_BYTES_OVERSIZE) {
		uint32_t room = mutate_room(p, plan);
		if (!room)
			return 1;
		uint32_t n = grow_size(r, room, size);
		int rc = packet_splice(p, offset + size, 0, NULL, n, i, err);
		if (rc)
			return rc;
		/* the new bytes repeat the old ones: a longer value of the same shape */
		fill_repeat(p->bytes + offset, size, size + n);
		m->after = f->size;
		m->detail = n == room ? "up to the frame's room" : NULL;
		return 0;
	}
	if (!size)
		return 1;
	if (a == ANOMALY_BYTES_TRUNCATE) {
		uint32_t keep;
		switch (random_below(r, 4)) {
		case 0: keep = 0; break;
		case 1: keep = size - 1; break;
		case 2: keep = size / 2; break;
		default: keep = (uint32_t)random_below(r, size); break;
		}
		int rc = packet_splice(p, offset + keep, size - keep, NULL, 0, i, err);
		if (rc)
			return rc;
		m->after = keep;
		m->detail = keep ? NULL : "emptied";
		return 0;
	}
	uint64_t pick = random_below(r, DL_ARRAY_SIZE(patterns));
	uint8_t *b = p->bytes + offset;
	static const uint8_t format[] = "%n%s%x";
	static const uint8_t not_utf8[] = {0xc0, 0xaf, 0xed, 0xa0, 0x80, 0xfe, 0xff, 0xf8};
	switch (pick) {
	case 0:
	case 1:
	case 4: memset(b, pick == 0 ? 0 : pick == 1 ? 0xff : 'A', size); break;
	case 2:
	case 3: {
		const uint8_t *unit = pick == 2 ? format : not_utf8;
		uint32_t unit_size = pick == 2 ? 6 : (uint32_t)sizeof(not_utf8);
		memcpy(b, unit, size < unit_size ? size : unit_size);
		fill_repeat(b, size < unit_size ? size : unit_size, size);
		break;
	}
	case 5:
		for (uint32_t k = 0; k < size; k += 8) {
			uint64_t v = random_next(r);
			memcpy(b + k, &v, size - k < 8 ? size - k : 8);
		}
		break;
	default: b[size / 2] = 0; break;
	}
	m->after = size;
	m->detail = patterns[pick];
	return 0;
}

/* Raise the counts of element's list by copies: a repeated element is counted, so the
 * repetition is the only thing wrong. */
static void count_copies(struct packet *p, const struct mutation_plan *plan, int list,
			 uint64_t copies)
{
	for (unsigned d = 0; d < plan->derived_count; d++) {
		int i = plan->derived[d];
		const struct field *c = &p->fields[i];
		if (c->kind != FIELD_COUNT || c->target != list || packet_frozen(p, i) ||
		    !field_live(c))
			continue;
		uint64_t max = packet_field_max(p, i), v = packet_get(p, i) + copies;
		packet_put(p, i, v > max ? max : v);
		packet_freeze(p, i);
	}
}

static void reverse(uint8_t *b, uint32_t n)
{
	for (uint32_t i = 0, j = n; i + 1 < j; i++, j--) {
		uint8_t t = b[i];
		b[i] = b[j - 1];
		b[j - 1] = t;
	}
}

/* Swap two elements of list: [A][M][B] becomes [B][M][A], bytes and schema. */
static int apply_reorder(struct packet *p, int list, struct random_state *r, struct mutation *m)
{
	int x = PACKET_NONE, y = PACKET_NONE;
	if (live_children(p, list, &x, &y, r) < 2 || x < 0 || y < 0)
		return 1;
	if (p->fields[x].offset > p->fields[y].offset) {
		int t = x;
		x = y;
		y = t;
	}
	uint32_t a0 = p->fields[x].offset, sa = p->fields[x].size;
	uint32_t b0 = p->fields[y].offset, sb = p->fields[y].size;
	if (a0 + sa > b0)
		return 1;
	uint32_t sm = b0 - (a0 + sa), end = b0 + sb;
	reverse(p->bytes + a0, sa);
	reverse(p->bytes + a0 + sa, sm);
	reverse(p->bytes + b0, sb);
	reverse(p->bytes + a0, end - a0);
	for (int i = 0; i < p->field_count; i++) {
		struct field *f = &p->fields[i];
		uint32_t s = f->offset;
		if (!field_live(f) || s < a0 || s >= end || (s == a0 && s + f->size >= end))
			continue;
		if (s < a0 + sa)
			f->offset = s + sb + sm;
		else if (s < b0)
			f->offset = s + sb - sa;
		else
			f->offset = s - sa - sm;
	}
	/* the order in the list, for the record */
	uint64_t position = 0, first = 0, second = 0;
	for (int i = list + 1; i < p->field_count; i++) {
		const struct field *c = &p->fields[i];
		if (c->parent != list || !field_live(c) || !field_container(c))
			continue;
		if (i == x)
			first = position;
		if (i == y)
			second = position;
		position++;
	}
	m->before = first;
	m->after = second;
	m->detail = "elements swapped (their positions)";
	return 0;
}

static int apply_element(struct packet *p, const struct mutation_plan *plan, int i, enum anomaly a,
			 struct random_state *r, struct mutation *m, struct dl_error *err)
{
	const struct field *f = &p->fields[i];
	uint32_t size = f->size, offset = f->offset, room = mutate_room(p, plan);
	int parent = f->parent, rc;
	m->before = size;
	switch (a) {
	case ANOMALY_ELEMENT_REPEAT: {
		if (!size || size > room)
			return 1;
		uint64_t most = room / size, copies = 1;
		if (most > 1 && random_below(r, 4) == 0) /* now and then a flood */
			copies = 2 + random_below(r, (most > 64 ? 64 : most) - 1);
		rc = packet_splice(p, offset + size, 0, NULL, (uint32_t)(copies * size), parent,
				   err);
		if (rc)
			return rc;
		for (uint64_t c = 1; c <= copies; c++)
			memcpy(p->bytes + offset + c * size, p->bytes + offset, size);
		count_copies(p, plan, parent, copies);
		m->after = (copies + 1) * size;
		m->detail = copies == 1 ? "twice" : "flooded";
		return 0;
	}
	case ANOMALY_ELEMENT_REMOVE:
		rc = packet_splice(p, offset, size, NULL, 0, PACKET_NONE, err);
		if (rc)
			return rc;
		m->after = 0;
		m->detail = f->kind == FIELD_LIST ? "list emptied" : NULL;
		return 0;
	case ANOMALY_ELEMENT_REORDER: return apply_reorder(p, i, r, m);
	case ANOMALY_ELEMENT_TRUNCATE: {
		if (size < 2)
			return 1;
		uint32_t keep;
		switch (random_below(r, 3)) {
		case 0: keep = 1; break;
		case 1: keep = size - 1; break;
		default: keep = 1 + (uint32_t)random_below(r, size - 1); break;
		}
		freeze_own_lengths(p, plan, i);
		rc = packet_splice(p, offset + keep, size - keep, NULL, 0, i, err);
		if (rc)
			return rc;
		m->after = keep;
		return 0;
	}
	case ANOMALY_ELEMENT_OVERSIZE: {
		if (!room)
			return 1;
		uint32_t n = grow_size(r, room, size);
		freeze_own_lengths(p, plan, i);
		rc = packet_splice(p, offset + size, 0, NULL, n, i, err);
		if (rc)
			return rc;
		if (random_below(r, 2))
			memset(p->bytes + offset + size, 0x41, n);
		m->after = size + n;
		m->detail = "padded, lengths kept";
		return 0;
	}
	default: return 1;
	}
}

/* Apply anomaly a to field i of p: 0 done, 1 not applicable now, <0 an error. */
static int mutate_apply(struct packet *p, const struct mutation_plan *plan, int i, enum anomaly a,
			struct random_state *r, struct mutation *m, struct dl_error *err)
{
	if (i < 0 || i >= p->field_count || !mutate_offers(p, plan, i, a))
		return 1;
	m->anomaly = (uint8_t)a;
	m->field = p->fields[i].name;
	m->before = m->after = 0;
	m->detail = NULL;
	switch (a) {
	case ANOMALY_INTEGER_BOUNDARY:
	case ANOMALY_INTEGER_RANDOM:
	case ANOMALY_ENUM_INVALID:
	case ANOMALY_ENUM_RESERVED:
	case ANOMALY_FLAGS_RESERVED:
	case ANOMALY_LENGTH_OVER:
	case ANOMALY_LENGTH_UNDER:
	case ANOMALY_LENGTH_ZERO:
	case ANOMALY_LENGTH_MAX:
	case ANOMALY_COUNT_WRONG:
	case ANOMALY_CHECKSUM_WRONG: return apply_numeric(p, i, a, r, m);
	case ANOMALY_ADDRESS_SPECIAL: return apply_address(p, plan, i, r, m);
	case ANOMALY_BYTES_OVERSIZE:
	case ANOMALY_BYTES_TRUNCATE:
	case ANOMALY_BYTES_PATTERN: return apply_bytes(p, plan, i, a, r, m, err);
	case ANOMALY_ELEMENT_REPEAT:
	case ANOMALY_ELEMENT_REMOVE:
	case ANOMALY_ELEMENT_REORDER:
	case ANOMALY_ELEMENT_TRUNCATE:
	case ANOMALY_ELEMENT_OVERSIZE: return apply_element(p, plan, i, a, r, m, err);
	default: return 1; /* the deferred ones are applied by mutate_planned() */
	}
}

/* Cut the frame at field i's start (or end): the last thing a case does, nothing recomputed. */
static int apply_frame_truncate(struct packet *p, const struct mutation_plan *plan, int i,
				struct random_state *r, struct mutation *m, struct dl_error *err)
{
	const struct field *f = &p->fields[i];
	if (!field_live(f) || f->offset < plan->cut_floor || f->offset >= p->length ||
	    f->offset == 0)
		return 1;
	uint32_t cut = f->offset;
	if (random_below(r, 2) && f->size && f->offset + f->size < p->length)
		cut = f->offset + f->size;
	m->anomaly = ANOMALY_FRAME_TRUNCATE;
	m->field = f->name;
	m->before = p->length;
	m->after = cut;
	m->detail = cut == f->offset ? "cut before the field" : "cut after the field";
	return packet_splice(p, cut, p->length - cut, NULL, 0, PACKET_NONE, err);
}

int mutate_planned(const struct mutation_plan *plan, uint64_t seed, uint64_t index,
		   struct packet *frames, struct fuzz_case *record, struct dl_error *err)
{
	struct random_state r;
	random_seed(&r, seed, index, plan->key);
	record->template = plan->template;
	record->seed = seed;
	record->index = index;
	record->mutation_count = 0;
	record->frame_count = 1;
	struct packet *p = &frames[0];
	packet_copy(p, plan->valid);
	if (!plan->anomaly_count)
		return 0; /* nothing to mutate: the valid frame, said so by a case without mutations
			   */
	int deferred = PACKET_NONE;
	enum anomaly deferred_anomaly = ANOMALY_COUNT_OF_CLASSES;
	uint64_t touched[(PACKET_FIELDS_MAX + 63) / 64] = {0};
	unsigned level = plan->options.level;
	for (unsigned n = 0; n < level; n++) {
		/* a few draws in case a field went away under an earlier anomaly */
		for (int tries = 0; tries < 16; tries++) {
			enum anomaly a = plan->anomalies[random_below(&r, plan->anomaly_count)];
			uint16_t lo = plan->first[a], hi = plan->first[a + 1];
			int i = plan->fields[lo + random_below(&r, hi - lo)];
			if ((touched[i / 64] >> (i % 64)) & 1)
				continue;
			if (anomaly_deferred(a)) {
				if (deferred != PACKET_NONE)
					continue;
				deferred = i;
				deferred_anomaly = a;
				touched[i / 64] |= UINT64_C(1) << (i % 64);
				break;
			}
			struct mutation *m = &record->mutations[record->mutation_count];
			int rc = mutate_apply(p, plan, i, a, &r, m, err);
			if (rc < 0)
				return rc;
			if (rc > 0)
				continue;
			record->mutation_count++;
			touched[i / 64] |= UINT64_C(1) << (i % 64);
			rc = packet_finish(p, err);
			if (rc)
				return rc;
			break;
		}
	}
	if (deferred == PACKET_NONE)
		return 0;
	struct mutation *m = &record->mutations[record->mutation_count];
	int rc;
	if (deferred_anomaly == ANOMALY_FRAME_TRUNCATE) {
		rc = apply_frame_truncate(p, plan, deferred, &r, m, err);
	} else {
		m->anomaly = (uint8_t)deferred_anomaly;
		m->field = p->fields[deferred].name;
		m->detail = NULL;
		size_t count = 1;
		rc = mutate_fragment(frames, MUTATION_FRAMES_MAX, p->fields[deferred].layer,
				     deferred_anomaly, &r, m, &count, err);
		if (rc == 0)
			record->frame_count = count;
	}
	if (rc < 0)
		return rc;
	if (rc == 0)
		record->mutation_count++;
	return 0;
}

int mutate_case(const struct packet *valid, const struct fuzz_template *t, uint64_t seed,
		uint64_t index, const struct mutation_options *o, struct packet *frames,
		struct fuzz_case *record, struct dl_error *err)
{
	struct mutation_plan plan;
	mutate_plan_build(&plan, valid, t, o);
	return mutate_planned(&plan, seed, index, frames, record, err);
}

int mutate_field(struct packet *p, int field, enum anomaly a, uint64_t seed,
		 const struct mutation_options *o, struct mutation *out, struct dl_error *err)
{
	if (anomaly_deferred(a) && a != ANOMALY_FRAME_TRUNCATE)
		return dl_error_set(err, DL_EINVAL,
				    "mutate: %s makes several frames; use mutate_case()",
				    anomaly_name(a));
	struct mutation_plan plan;
	struct mutation_options options = o ? *o : (struct mutation_options){.level = 1};
	options.checksums = options.checksums || a == ANOMALY_CHECKSUM_WRONG;
	mutate_plan_build(&plan, p, NULL, &options);
	struct random_state r;
	random_seed(&r, seed, 0, plan.key);
	int rc;
	if (a == ANOMALY_FRAME_TRUNCATE) {
		if (field < 0 || field >= p->field_count || !mutate_offers(p, &plan, field, a))
			rc = 1;
		else
			rc = apply_frame_truncate(p, &plan, field, &r, out, err);
		if (rc > 0)
			goto refused;
		return rc;
	}
	rc = mutate_apply(p, &plan, field, a, &r, out, err);
	if (rc < 0)
		return rc;
	if (rc > 0)
		goto refused;
	return packet_finish(p, err);
refused:
	return dl_error_set(err, DL_EINVAL, "mutate: %s does not apply to field %d (%s) now",
			    anomaly_name(a), field,
			    field >= 0 && field < p->field_count && p->fields[field].name
				    ? p->fields[field].name
				    : "none");
}

static size_t describe_put(char *buf, size_t size, size_t at, const char *format, ...)
	__attribute__((format(printf, 4, 5)));

static size_t describe_put(char *buf, size_t size, size_t at, const char *format, ...)
{
	if (at >= size)
		return at;
	va_list ap;
	va_start(ap, format);
	int n = vsnprintf(buf + at, size - at, format, ap);
	va_end(ap);
	return n < 0 ? at : at + (size_t)n;
}

size_t fuzz_case_describe(const struct fuzz_case *c, char *buf, size_t size)
{
	size_t at = 0;
	if (size)
		buf[0] = '\0';
	at = describe_put(buf, size, at, "%s #%" PRIu64 " (seed %" PRIu64 "):",
			  c->template && c->template->name ? c->template->name : "?", c->index,
			  c->seed);
	if (!c->mutation_count)
		at = describe_put(buf, size, at, " no mutation (the valid frame)");
	for (size_t i = 0; i < c->mutation_count && i < MUTATION_STACK_MAX; i++) {
		const struct mutation *m = &c->mutations[i];
		const char *name = m->field ? m->field : "?";
		at = describe_put(buf, size, at, "%s %s %s", i ? ";" : "",
				  anomaly_name((enum anomaly)m->anomaly), name);
		switch (m->anomaly) {
		case ANOMALY_ADDRESS_SPECIAL:
			at = describe_put(buf, size, at, " 0x%" PRIx64 " -> 0x%" PRIx64, m->before,
					  m->after);
			break;
		case ANOMALY_BYTES_OVERSIZE:
		case ANOMALY_BYTES_TRUNCATE:
		case ANOMALY_BYTES_PATTERN:
		case ANOMALY_ELEMENT_REPEAT:
		case ANOMALY_ELEMENT_REMOVE:
		case ANOMALY_ELEMENT_TRUNCATE:
		case ANOMALY_ELEMENT_OVERSIZE:
		case ANOMALY_FRAME_TRUNCATE:
			at = describe_put(buf, size, at, " %" PRIu64 " -> %" PRIu64 " bytes",
					  m->before, m->after);
			break;
		case ANOMALY_ELEMENT_REORDER:
			at = describe_put(buf, size, at, " %" PRIu64 " <-> %" PRIu64, m->before,
					  m->after);
			break;
		case ANOMALY_FRAGMENT_OVERLAP:
		case ANOMALY_FRAGMENT_GAP:
			at = describe_put(buf, size, at, " %" PRIu64 " -> %" PRIu64 " fragments",
					  m->before, m->after);
			break;
		default:
			at = describe_put(buf, size, at, " %" PRIu64 " -> %" PRIu64, m->before,
					  m->after);
			break;
		}
		if (m->detail)
			at = describe_put(buf, size, at, " (%s)", m->detail);
	}
	if (c->frame_count > 1)
		at = describe_put(buf, size, at, " [%zu frames]", c->frame_count);
	return at;
}
