/* test-mutate: every anomaly class on a toy TLV protocol, determinism, stacking and coverage */
#include "core/compat.h"

#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

#include "core/error.h"
#include "fuzz/mutate.h"
#include "fuzz/random.h"
#include "fuzz/template.h"
#include "proto/layer.h"
#include "proto/packet.h"

/*
 * The toy protocol, declared here with the packet.h API only:
 *   0 type ENUM (1 hello, 2 data, 3 bye)   1 flags FLAGS
 *   2 length LENGTH of the whole message (2 bytes)
 *   4 id IDENTIFIER (2)   6 checksum CHECKSUM (Internet checksum of the message)
 *   8 count COUNT of the TLV list   9 reserved UINT
 *   10 source ADDRESS (4)   14 destination ADDRESS (4)
 *   18 the list toy.tlvs of toy.tlv elements: type ENUM, length LENGTH of value, value BYTES
 * with three TLVs: (1 "abc"), (2 "hello"), (3 "xy").
 */

#define TOY_SLOT_CHECKSUM 0
#define TOY_TLVS 3

static const struct field_value toy_types[] = {{1, "hello"}, {2, "data"}, {3, "bye"}, {0, NULL}};
static const struct field_value tlv_types[] = {{1, "a"}, {2, "b"}, {3, "c"}, {0, NULL}};

static uint16_t toy_sum(const struct packet *p, uint32_t offset, uint32_t size)
{
	/* the checksum bytes (6-7) counted as zero */
	uint32_t head = size < 6 ? size : 6;
	uint32_t sum = packet_inet_sum(p->bytes + offset, head, 0);
	return size > 8 ? packet_inet_checksum(p->bytes + offset + 8, size - 8, sum)
			: packet_inet_checksum(NULL, 0, sum);
}

static void toy_fixup(struct packet *p, int layer)
{
	int element = p->layers[layer].element;
	int checksum = p->layers[layer].slots[TOY_SLOT_CHECKSUM];
	const struct field *e = &p->fields[element];
	packet_put_derived(p, checksum, toy_sum(p, e->offset, e->size));
}

static const struct proto_layer toy_layer = {
	.name = "toy",
	.title = "a toy TLV protocol for the engine's tests",
	.fixup = toy_fixup,
};

static const char *const tlv_values[TOY_TLVS] = {"abc", "hello", "xy"};

static int toy_build(struct packet *p, const struct template_addresses *a, struct dl_error *err)
{
	(void)a;
	int layer = packet_layer_begin(p, &toy_layer, "toy");
	if (layer < 0)
		return packet_finish(p, err);
	int element = p->layers[layer].element;
	uint32_t at = packet_append(p, 18);
	int f = packet_field(p, "toy.type", FIELD_ENUM, at, 1, 2, FIELD_KEY);
	packet_values(p, f, toy_types);
	packet_field(p, "toy.flags", FIELD_FLAGS, at + 1, 1, 0x01, 0);
	f = packet_field(p, "toy.length", FIELD_LENGTH, at + 2, 2, 0, 0);
	packet_relate(p, f, element, 1, 0);
	packet_field(p, "toy.id", FIELD_IDENTIFIER, at + 4, 2, 0x1234, FIELD_KEY);
	f = packet_field(p, "toy.checksum", FIELD_CHECKSUM, at + 6, 2, 0, 0);
	packet_relate(p, f, element, 1, 0);
	p->layers[layer].slots[TOY_SLOT_CHECKSUM] = (int16_t)f;
	int count = packet_field(p, "toy.count", FIELD_COUNT, at + 8, 1, 0, 0);
	packet_field(p, "toy.reserved", FIELD_UINT, at + 9, 1, 0, 0);
	static const uint8_t source[4] = {198, 18, 18, 1}, destination[4] = {198, 18, 18, 2};
	packet_field_bytes(p, "toy.source", FIELD_ADDRESS, at + 10, source, 4, 0);
	packet_field_bytes(p, "toy.destination", FIELD_ADDRESS, at + 14, destination, 4, FIELD_KEY);
	int list = packet_element_begin(p, "toy.tlvs", FIELD_LIST, 0);
	packet_relate(p, count, list, 1, 0);
	for (int i = 0; i < TOY_TLVS; i++) {
		int tlv = packet_element_begin(p, "toy.tlv", FIELD_ELEMENT, FIELD_REPEATABLE);
		uint32_t size = (uint32_t)strlen(tlv_values[i]);
		uint32_t t = packet_append(p, 2 + size);
		f = packet_field(p, "toy.tlv.type", FIELD_ENUM, t, 1, (uint64_t)i + 1, 0);
		packet_values(p, f, tlv_types);
		int length = packet_field(p, "toy.tlv.length", FIELD_LENGTH, t + 1, 1, 0, 0);
		int value = packet_field_bytes(p, "toy.tlv.value", FIELD_BYTES, t + 2,
					       tlv_values[i], size, 0);
		packet_relate(p, length, value, 1, 0);
		packet_element_end(p, tlv);
	}
	packet_element_end(p, list);
	return packet_finish(p, err);
}

static const struct fuzz_template toy_template = {
	.name = "toy-message",
	.protocol = "toy",
	.title = "the toy protocol's data message",
	.build = toy_build,
};

static struct packet valid, work, frames[MUTATION_FRAMES_MAX], again[MUTATION_FRAMES_MAX];

static void build_valid(void)
{
	struct dl_error err = {0};
	packet_init(&valid);
	assert_int_equal(toy_build(&valid, NULL, &err), 0);
	packet_copy(&work, &valid);
}

static int find_nth(const struct packet *p, const char *name, int n)
{
	int at = -1;
	for (int k = 0; k <= n; k++) {
		at = packet_find(p, name, at + 1);
		if (at < 0)
			return at;
	}
	return at;
}

static bool toy_checksum_right(const struct packet *p)
{
	const struct field *e = &p->fields[p->layers[0].element];
	return packet_inet_checksum(p->bytes + e->offset, e->size, 0) == 0;
}

static void test_valid_frame(void **state)
{
	(void)state;
	build_valid();
	assert_int_equal(valid.length, 18 + 5 + 7 + 4);
	assert_int_equal(packet_get(&valid, packet_find(&valid, "toy.length", 0)), valid.length);
	assert_int_equal(packet_get(&valid, packet_find(&valid, "toy.count", 0)), TOY_TLVS);
	assert_int_equal(packet_get(&valid, find_nth(&valid, "toy.tlv.length", 1)), 5);
	assert_true(toy_checksum_right(&valid));
}

static void apply(const char *field, int nth, enum anomaly a, uint64_t seed, struct mutation *m)
{
	struct dl_error err = {0};
	struct mutation_options o = {.level = 1, .checksums = true};
	packet_copy(&work, &valid);
	int f = find_nth(&work, field, nth);
	assert_true(f >= 0);
	int rc = mutate_field(&work, f, a, seed, &o, m, &err);
	if (rc)
		print_error("%s on %s: %s\n", anomaly_name(a), field, err.message);
	assert_int_equal(rc, 0);
	assert_int_equal(m->anomaly, a);
	assert_ptr_equal(m->field, work.fields[f].name);
}

static uint64_t get(const char *field, int nth)
{
	return packet_get(&work, find_nth(&work, field, nth));
}

static void test_length_over_keeps_checksum(void **state)
{
	(void)state;
	build_valid();
	for (uint64_t seed = 0; seed < 32; seed++) {
		struct mutation m;
		apply("toy.length", 0, ANOMALY_LENGTH_OVER, seed, &m);
		assert_int_equal(m.before, valid.length);
		assert_true(get("toy.length", 0) > work.length); /* really over */
		assert_int_equal(m.after, get("toy.length", 0));
		assert_int_equal(work.length, valid.length); /* nothing else moved */
		assert_true(toy_checksum_right(&work)); /* the length is the only thing wrong */
	}
}

static void test_length_under_zero_max(void **state)
{
	(void)state;
	build_valid();
	struct mutation m;
	for (uint64_t seed = 0; seed < 16; seed++) {
		apply("toy.tlv.length", 1, ANOMALY_LENGTH_UNDER, seed, &m);
		assert_true(get("toy.tlv.length", 1) < 5);
		assert_true(get("toy.tlv.length", 1) > 0);
		assert_true(toy_checksum_right(&work));
	}
	apply("toy.tlv.length", 1, ANOMALY_LENGTH_ZERO, 1, &m);
	assert_int_equal(get("toy.tlv.length", 1), 0);
	assert_int_equal(m.before, 5);
	apply("toy.tlv.length", 1, ANOMALY_LENGTH_MAX, 1, &m);
	assert_int_equal(get("toy.tlv.length", 1), 255);
	assert_true(toy_checksum_right(&work));
	apply("toy.length", 0, ANOMALY_LENGTH_MAX, 1, &m);
	assert_int_equal(get("toy.length", 0), 0xffff);
}

static void test_count_and_checksum(void **state)
{
	(void)state;
	build_valid();
	struct mutation m;
	for (uint64_t seed = 0; seed < 16; seed++) {
		apply("toy.count", 0, ANOMALY_COUNT_WRONG, seed, &m);
		assert_int_not_equal(get("toy.count", 0), TOY_TLVS);
		assert_true(toy_checksum_right(&work));
		apply("toy.checksum", 0, ANOMALY_CHECKSUM_WRONG, seed, &m);
		assert_false(toy_checksum_right(&work));
		assert_int_not_equal(m.before, m.after);
	}
}

static bool defined(const struct field_value *v, uint64_t x)
{
	for (; v->name; v++)
		if (v->value == x)
			return true;
	return false;
}

static void test_enum_flags_integers(void **state)
{
	(void)state;
	build_valid();
	struct mutation m;
	for (uint64_t seed = 0; seed < 32; seed++) {
		apply("toy.type", 0, ANOMALY_ENUM_INVALID, seed, &m);
		assert_false(defined(toy_types, get("toy.type", 0)));
		apply("toy.type", 0, ANOMALY_ENUM_RESERVED, seed, &m);
		assert_true(defined(toy_types, get("toy.type", 0)));
		assert_int_not_equal(get("toy.type", 0), 2);
		apply("toy.flags", 0, ANOMALY_FLAGS_RESERVED, seed, &m);
		assert_int_not_equal(get("toy.flags", 0), 0x01);
		apply("toy.id", 0, ANOMALY_INTEGER_BOUNDARY, seed, &m);
		uint64_t v = get("toy.id", 0);
		bool boundary = v <= 1 || v >= 0xfffe || v == 0x7fff || v == 0x8000;
		for (int k = 0; k < 16; k++)
			boundary = boundary || v == (1u << k) || v == (1u << k) - 1 ||
				   v == (1u << k) + 1;
		assert_true(boundary);
		apply("toy.id", 0, ANOMALY_INTEGER_RANDOM, seed, &m);
		assert_int_not_equal(get("toy.id", 0), 0x1234);
		assert_true(toy_checksum_right(&work));
	}
}

static void test_address_special(void **state)
{
	(void)state;
	build_valid();
	struct mutation m;
	for (uint64_t seed = 0; seed < 16; seed++) {
		apply("toy.source", 0, ANOMALY_ADDRESS_SPECIAL, seed, &m);
		int f = packet_find(&work, "toy.source", 0);
		assert_int_equal(work.fields[f].size, 4);
		assert_memory_not_equal(work.bytes + 10, valid.bytes + 10, 4);
		assert_int_equal(m.before, 0xc6121201);
		assert_int_not_equal(m.after, m.before);
		assert_true(toy_checksum_right(&work));
	}
}

static void test_bytes(void **state)
{
	(void)state;
	build_valid();
	struct mutation m;
	for (uint64_t seed = 0; seed < 16; seed++) {
		apply("toy.tlv.value", 1, ANOMALY_BYTES_OVERSIZE, seed, &m);
		int v = find_nth(&work, "toy.tlv.value", 1);
		assert_int_equal(m.before, 5);
		assert_true(work.fields[v].size > 5);
		assert_int_equal(work.fields[v].size, m.after);
		/* the lengths follow the bigger value: oversized, not inconsistent */
		assert_int_equal(get("toy.tlv.length", 1), work.fields[v].size & 0xff);
		assert_int_equal(get("toy.length", 0), work.length);
		assert_int_equal(work.length, valid.length + work.fields[v].size - 5);
		assert_true(work.length <= MUTATION_FRAME_DEFAULT);
		assert_true(toy_checksum_right(&work));
		/* the next TLV moved along, intact */
		int next = find_nth(&work, "toy.tlv.value", 2);
		assert_memory_equal(work.bytes + work.fields[next].offset, "xy", 2);

		apply("toy.tlv.value", 1, ANOMALY_BYTES_TRUNCATE, seed, &m);
		v = find_nth(&work, "toy.tlv.value", 1);
		assert_true(work.fields[v].size < 5);
		assert_int_equal(get("toy.tlv.length", 1), work.fields[v].size);
		assert_int_equal(get("toy.length", 0), work.length);
		assert_true(toy_checksum_right(&work));

		apply("toy.tlv.value", 1, ANOMALY_BYTES_PATTERN, seed, &m);
		v = find_nth(&work, "toy.tlv.value", 1);
		assert_int_equal(work.fields[v].size, 5);
		assert_non_null(m.detail);
		assert_int_equal(work.length, valid.length);
	}
}

static void test_element_repeat(void **state)
{
	(void)state;
	build_valid();
	struct mutation m;
	for (uint64_t seed = 0; seed < 32; seed++) {
		apply("toy.tlv", 1, ANOMALY_ELEMENT_REPEAT, seed, &m);
		uint64_t copies = m.after / 7 - 1;
		assert_true(copies >= 1);
		assert_int_equal(work.length, valid.length + copies * 7);
		for (uint64_t c = 1; c <= copies; c++)
			assert_memory_equal(work.bytes + 23 + c * 7, valid.bytes + 23, 7);
		/* the list's length and count follow: repetition is the only thing wrong */
		assert_int_equal(get("toy.length", 0), work.length);
		assert_int_equal(get("toy.count", 0), TOY_TLVS + copies);
		assert_true(toy_checksum_right(&work));
		assert_memory_equal(work.bytes + work.length - 4, valid.bytes + valid.length - 4,
				    4);
	}
}

static void test_element_remove(void **state)
{
	(void)state;
	build_valid();
	struct mutation m;
	apply("toy.tlv", 1, ANOMALY_ELEMENT_REMOVE, 3, &m);
	assert_int_equal(m.before, 7);
	assert_int_equal(m.after, 0);
	assert_int_equal(work.length, valid.length - 7);
	int removed = find_nth(&work, "toy.tlv", 1);
	assert_true(work.fields[removed].flags & FIELD_REMOVED);
	assert_true(work.fields[find_nth(&work, "toy.tlv.value", 1)].flags & FIELD_REMOVED);
	/* gone from the bytes: TLV 1 then TLV 3 */
	assert_memory_equal(work.bytes + 18, valid.bytes + 18, 5);
	assert_memory_equal(work.bytes + 23, valid.bytes + 30, 4);
	/* and the list's length and count recomputed */
	assert_int_equal(get("toy.length", 0), work.length);
	assert_int_equal(get("toy.count", 0), TOY_TLVS - 1);
	int list = packet_find(&work, "toy.tlvs", 0);
	assert_int_equal(work.fields[list].size, 5 + 4);
	assert_true(toy_checksum_right(&work));

	apply("toy.tlvs", 0, ANOMALY_ELEMENT_REMOVE, 3, &m);
	assert_int_equal(work.length, 18);
	assert_int_equal(get("toy.count", 0), 0);
	assert_int_equal(get("toy.length", 0), 18);
	assert_string_equal(m.detail, "list emptied");
}

static void test_element_reorder(void **state)
{
	(void)state;
	build_valid();
	const uint8_t *tlv[TOY_TLVS] = {valid.bytes + 18, valid.bytes + 23, valid.bytes + 30};
	const uint32_t size[TOY_TLVS] = {5, 7, 4};
	int swapped[TOY_TLVS][TOY_TLVS] = {{0}};
	for (uint64_t seed = 0; seed < 48; seed++) {
		struct mutation m;
		apply("toy.tlvs", 0, ANOMALY_ELEMENT_REORDER, seed, &m);
		assert_int_equal(work.length, valid.length);
		assert_memory_not_equal(work.bytes + 18, valid.bytes + 18, 16);
		/* the new order is the old one with positions before and after swapped */
		int order[TOY_TLVS] = {0, 1, 2};
		order[m.before] = (int)m.after;
		order[m.after] = (int)m.before;
		uint32_t at = 18;
		for (int k = 0; k < TOY_TLVS; k++) {
			assert_memory_equal(work.bytes + at, tlv[order[k]], size[order[k]]);
			/* and the schema moved with the bytes */
			int v = find_nth(&work, "toy.tlv", order[k]);
			assert_int_equal(work.fields[v].offset, at);
			at += size[order[k]];
		}
		swapped[m.before][m.after] = 1;
		assert_true(toy_checksum_right(&work));
		assert_int_equal(get("toy.count", 0), TOY_TLVS);
	}
	assert_true(swapped[0][1] && swapped[0][2] &&
		    swapped[1][2]); /* any two, not neighbours only */
}

static void test_element_truncate_oversize(void **state)
{
	(void)state;
	build_valid();
	struct mutation m;
	for (uint64_t seed = 0; seed < 16; seed++) {
		apply("toy.tlv", 1, ANOMALY_ELEMENT_TRUNCATE, seed, &m);
		assert_int_equal(m.before, 7);
		assert_true(m.after >= 1 && m.after < 7);
		assert_int_equal(work.length, valid.length - (7 - m.after));
		if (m.after >= 2) /* its own length still says 5: cut inside */
			assert_int_equal(get("toy.tlv.length", 1), 5);
		assert_int_equal(get("toy.length", 0), work.length); /* enclosing ones follow */
		assert_true(toy_checksum_right(&work));
		assert_memory_equal(work.bytes + 23 + m.after, valid.bytes + 30, 4);

		apply("toy.tlv", 1, ANOMALY_ELEMENT_OVERSIZE, seed, &m);
		assert_true(m.after > 7);
		assert_int_equal(work.length, valid.length + (m.after - 7));
		assert_int_equal(get("toy.tlv.length", 1), 5); /* padded past its declared size */
		assert_int_equal(get("toy.length", 0), work.length);
		assert_true(toy_checksum_right(&work));
	}
}

static void test_frame_truncate(void **state)
{
	(void)state;
	build_valid();
	struct mutation m;
	apply("toy.tlv.length", 1, ANOMALY_FRAME_TRUNCATE, 5, &m);
	assert_int_equal(m.before, valid.length);
	assert_true(m.after == 24 || m.after == 25); /* at the field's start or end */
	assert_int_equal(work.length, m.after);
	assert_memory_equal(work.bytes, valid.bytes, work.length);
	/* nothing recomputed: the message still says its old length */
	assert_int_equal(get("toy.length", 0), valid.length);
}

static void test_not_applicable(void **state)
{
	(void)state;
	build_valid();
	struct dl_error err = {0};
	struct mutation m;
	packet_copy(&work, &valid);
	int type = packet_find(&work, "toy.type", 0);
	assert_int_equal(mutate_field(&work, type, ANOMALY_LENGTH_OVER, 1, NULL, &m, &err),
			 DL_EINVAL);
	int list = packet_find(&work, "toy.tlvs", 0);
	assert_int_equal(mutate_field(&work, list, ANOMALY_FRAGMENT_GAP, 1, NULL, &m, &err),
			 DL_EINVAL);
	assert_memory_equal(work.bytes, valid.bytes, valid.length);
}

static void test_plan(void **state)
{
	(void)state;
	build_valid();
	struct mutation_plan plan;
	struct mutation_options o = {.level = 1};
	mutate_plan_build(&plan, &valid, &toy_template, &o);
	bool offered[ANOMALY_COUNT_OF_CLASSES] = {false};
	for (size_t i = 0; i < plan.pair_count; i++) {
		int f;
		enum anomaly a;
		mutate_plan_pair(&plan, i, &f, &a);
		assert_true(f >= 0 && f < valid.field_count);
		assert_true(a < ANOMALY_COUNT_OF_CLASSES);
		offered[a] = true;
	}
	/* everything but checksums (not asked) and fragments (no IP layer) */
	for (int a = 0; a < ANOMALY_COUNT_OF_CLASSES; a++) {
		bool expect = a != ANOMALY_CHECKSUM_WRONG && a != ANOMALY_FRAGMENT_OVERLAP &&
			      a != ANOMALY_FRAGMENT_GAP;
		if (offered[a] != expect)
			print_error("%s offered: %d\n", anomaly_name((enum anomaly)a), offered[a]);
		assert_int_equal(offered[a], expect);
	}
	o.checksums = true;
	o.fragments = true;
	mutate_plan_build(&plan, &valid, &toy_template, &o);
	assert_true(plan.first[ANOMALY_CHECKSUM_WRONG + 1] > plan.first[ANOMALY_CHECKSUM_WRONG]);
	assert_int_equal(plan.first[ANOMALY_FRAGMENT_GAP + 1], plan.first[ANOMALY_FRAGMENT_GAP]);
	assert_string_equal(anomaly_name(ANOMALY_LENGTH_OVER), "length-over");
	assert_string_equal(anomaly_name(ANOMALY_FRAME_TRUNCATE), "frame-truncate");
}

static void test_determinism(void **state)
{
	(void)state;
	build_valid();
	struct dl_error err = {0};
	struct mutation_options o = {.level = 1};
	struct fuzz_case a, b;
	size_t same_as_first = 0;
	struct packet first;
	for (uint64_t index = 0; index < 200; index++) {
		assert_int_equal(mutate_case(&valid, &toy_template, 7, index, &o, frames, &a, &err),
				 0);
		assert_int_equal(mutate_case(&valid, &toy_template, 7, index, &o, again, &b, &err),
				 0);
		assert_int_equal(frames[0].length, again[0].length);
		assert_memory_equal(frames[0].bytes, again[0].bytes, frames[0].length);
		char da[512], db[512];
		fuzz_case_describe(&a, da, sizeof(da));
		fuzz_case_describe(&b, db, sizeof(db));
		assert_string_equal(da, db);
		assert_int_equal(a.mutation_count, 1);
		if (index == 0)
			packet_copy(&first, &frames[0]);
		else if (frames[0].length == first.length &&
			 memcmp(frames[0].bytes, first.bytes, first.length) == 0)
			same_as_first++;
		/* and every case differs from the valid frame */
		assert_false(frames[0].length == valid.length &&
			     memcmp(frames[0].bytes, valid.bytes, valid.length) == 0);
	}
	assert_true(same_as_first < 4);
	/* another seed, another case at the same index */
	size_t same = 0;
	for (uint64_t index = 0; index < 100; index++) {
		assert_int_equal(mutate_case(&valid, &toy_template, 7, index, &o, frames, &a, &err),
				 0);
		assert_int_equal(mutate_case(&valid, &toy_template, 8, index, &o, again, &b, &err),
				 0);
		same += frames[0].length == again[0].length &&
			memcmp(frames[0].bytes, again[0].bytes, frames[0].length) == 0;
	}
	assert_true(same < 10);
	/* the PRNG itself: a fixed stream */
	struct random_state r1, r2;
	random_seed(&r1, 1, 2, 3);
	random_seed(&r2, 1, 2, 3);
	for (int i = 0; i < 100; i++)
		assert_int_equal(random_next(&r1), random_next(&r2));
	random_seed(&r2, 2, 1, 3);
	assert_int_not_equal(random_next(&r1), random_next(&r2));
	for (int i = 0; i < 1000; i++)
		assert_true(random_below(&r1, 7) < 7);
}

static void test_describe(void **state)
{
	(void)state;
	build_valid();
	struct fuzz_case c = {.template = &toy_template, .seed = 7, .index = 1234};
	c.mutations[0] = (struct mutation){.anomaly = ANOMALY_LENGTH_OVER,
					   .field = "toy.tlv.length",
					   .before = 7,
					   .after = 255};
	c.mutation_count = 1;
	c.frame_count = 1;
	char line[256];
	size_t n = fuzz_case_describe(&c, line, sizeof(line));
	assert_string_equal(line,
			    "toy-message #1234 (seed 7): length-over toy.tlv.length 7 -> 255");
	assert_int_equal(n, strlen(line));
	char small[16];
	fuzz_case_describe(&c, small, sizeof(small));
	assert_int_equal(strlen(small), sizeof(small) - 1);
}

static void test_stacked(void **state)
{
	(void)state;
	build_valid();
	struct dl_error err = {0};
	struct mutation_options o = {.level = 4};
	struct fuzz_case c;
	size_t total = 0;
	for (uint64_t index = 0; index < 200; index++) {
		assert_int_equal(mutate_case(&valid, &toy_template, 1, index, &o, frames, &c, &err),
				 0);
		assert_true(c.mutation_count >= 3 && c.mutation_count <= 4);
		total += c.mutation_count;
		for (size_t i = 0; i < c.mutation_count; i++) {
			assert_non_null(c.mutations[i].field);
			/* frame truncation comes last: nothing after it would leave it alone */
			if (c.mutations[i].anomaly == ANOMALY_FRAME_TRUNCATE)
				assert_int_equal(i, c.mutation_count - 1);
		}
		assert_true(frames[0].length <= MUTATION_FRAME_DEFAULT);
	}
	assert_true(total > 200 * 3);
}

static void test_coverage(void **state)
{
	(void)state;
	build_valid();
	static struct fuzz_coverage cov;
	coverage_init(&cov);
	struct mutation_options o = {.level = 1};
	size_t offered, hit;
	coverage_of_template(&cov, &valid, &toy_template, &o, &offered, &hit);
	assert_int_equal(hit, 0);
	assert_true(offered > 30);
	struct mutation_plan plan;
	mutate_plan_build(&plan, &valid, &toy_template, &o);
	/* three TLVs share their field names: a (name, anomaly) pair counts once */
	assert_true(offered < plan.pair_count);
	struct dl_error err = {0};
	struct fuzz_case c;
	uint64_t cases = 0;
	size_t last_hit = 0;
	for (uint64_t index = 0; index < 4000; index++) {
		assert_int_equal(mutate_planned(&plan, 3, index, frames, &c, &err), 0);
		coverage_add(&cov, &c);
		cases += c.mutation_count;
		if (index == 9) {
			coverage_of_template(&cov, &valid, &toy_template, &o, &offered, &last_hit);
			assert_true(last_hit >= 1 && last_hit <= 10);
		}
	}
	coverage_of_template(&cov, &valid, &toy_template, &o, &offered, &hit);
	assert_int_equal(hit, offered); /* 4000 cases reach every pair of a small frame */
	uint64_t counted = 0;
	for (size_t i = 0; i < COVERAGE_SLOTS; i++)
		counted += cov.slots[i].cases;
	assert_int_equal(counted, cases);
	assert_int_equal(cov.dropped, 0);
	assert_true(cov.used >= offered);
	/* another template is its own row */
	static const struct fuzz_template other = {.name = "toy-other", .protocol = "toy"};
	coverage_of_template(&cov, &valid, &other, &o, &offered, &hit);
	assert_int_equal(hit, 0);
}

/* Every real template: its valid frame builds, and 300 cases at levels 1 to 3 (with checksums and
 * fragments) build without error, within the frame ceiling, deterministically. */
static void test_every_template(void **state)
{
	(void)state;
	struct template_addresses a = {.tester_mac = {2, 0, 0x5e, 0x18, 0, 1},
				       .dut_mac = {2, 0, 0x5e, 0x18, 0, 2}};
	a.tester4.s_addr = htonl(0xc6121201);
	a.dut4.s_addr = htonl(0xc6121202);
	a.tester6.s6_addr[0] = 0xfd;
	a.tester6.s6_addr[15] = 1;
	a.dut6.s6_addr[0] = 0xfd;
	a.dut6.s6_addr[15] = 2;
	for (size_t i = 0; i < fuzz_template_count; i++) {
		const struct fuzz_template *t = fuzz_templates[i];
		struct dl_error err = {0};
		packet_init(&valid);
		if (t->build(&valid, &a, &err) != 0)
			print_error("template %s: %s\n", t->name, err.message);
		assert_true(fuzz_template_find(t->name) == t);
		assert_true(fuzz_template_protocol_known(t->protocol));
		if (i > 0)
			assert_true(strcmp(fuzz_templates[i - 1]->name, t->name) < 0);
		for (unsigned level = 1; level <= 3; level++) {
			struct mutation_options o = {
				.level = level, .checksums = true, .fragments = true};
			struct mutation_plan plan;
			mutate_plan_build(&plan, &valid, t, &o);
			assert_true(plan.pair_count > 0);
			for (uint64_t index = 0; index < 100; index++) {
				struct fuzz_case c, d;
				int rc = mutate_planned(&plan, 11, index, frames, &c, &err);
				if (rc)
					print_error("%s #%" PRIu64 ": %s\n", t->name, index,
						    err.message);
				assert_int_equal(rc, 0);
				assert_int_equal(mutate_planned(&plan, 11, index, again, &d, &err),
						 0);
				assert_int_equal(c.frame_count, d.frame_count);
				for (size_t f = 0; f < c.frame_count; f++) {
					assert_int_equal(frames[f].length, again[f].length);
					assert_memory_equal(frames[f].bytes, again[f].bytes,
							    frames[f].length);
					assert_true(frames[f].length <= PACKET_BYTES_MAX);
				}
				if (c.frame_count == 1)
					assert_true(frames[0].length <= MUTATION_FRAME_DEFAULT);
			}
		}
	}
	assert_null(fuzz_template_find("no-such-template"));
	assert_false(fuzz_template_protocol_known("no-such-protocol"));
	const char *names[32];
	size_t n = fuzz_template_protocols(names, DL_ARRAY_SIZE(names));
	for (size_t i = 0; i < n && i < DL_ARRAY_SIZE(names); i++)
		assert_true(fuzz_template_protocol_known(names[i]));
}

/* One fragment's range of the original payload, read from the frame's schema. */
struct range {
	uint32_t start, end;
	bool more;
};

static bool read_fragment(const struct packet *f, bool v6, struct range *r)
{
	if (v6) {
		int offset = packet_find(f, "ipv6-fragment.offset", 0);
		int more = packet_find(f, "ipv6-fragment.more", 0);
		int data = packet_find(f, "ipv6-fragment.data", 0);
		if (offset < 0 || more < 0 || data < 0)
			return false;
		r->start = (uint32_t)packet_get(f, offset) * 8;
		r->end = r->start + f->fields[data].size;
		r->more = packet_get(f, more);
		return true;
	}
	int offset = packet_find(f, "ipv4.fragment_offset", 0);
	int flags = packet_find(f, "ipv4.flags", 0);
	int total = packet_find(f, "ipv4.total_length", 0);
	int ihl = packet_find(f, "ipv4.ihl", 0);
	if (offset < 0 || flags < 0 || total < 0 || ihl < 0)
		return false;
	r->start = (uint32_t)packet_get(f, offset) * 8;
	r->end = r->start + (uint32_t)(packet_get(f, total) - packet_get(f, ihl) * 4);
	r->more = packet_get(f, flags) & 1;
	return true;
}

/* Fragment anomalies on the real IPv4 and IPv6 models: overlaps really overlap, gaps really
 * leave a hole or lack the last fragment. */
static void test_fragments(void **state)
{
	(void)state;
	static const char *const names[] = {"ipv4-udp", "ipv6-udp"};
	struct template_addresses a = {.tester_mac = {2, 0, 0x5e, 0x18, 0, 1},
				       .dut_mac = {2, 0, 0x5e, 0x18, 0, 2}};
	a.tester4.s_addr = htonl(0xc6121201);
	a.dut4.s_addr = htonl(0xc6121202);
	a.tester6.s6_addr[0] = 0xfd;
	a.tester6.s6_addr[15] = 1;
	a.dut6.s6_addr[0] = 0xfd;
	a.dut6.s6_addr[15] = 2;
	for (size_t n = 0; n < DL_ARRAY_SIZE(names); n++) {
		const struct fuzz_template *t = fuzz_template_find(names[n]);
		if (!t) {
			print_message("no template %s yet: skipped\n", names[n]);
			continue;
		}
		bool v6 = n == 1;
		struct dl_error err = {0};
		packet_init(&valid);
		assert_int_equal(t->build(&valid, &a, &err), 0);
		int length =
			packet_find(&valid, v6 ? "ipv6.payload_length" : "ipv4.total_length", 0);
		uint32_t total = (uint32_t)packet_get(&valid, length);
		if (!v6)
			total -= (uint32_t)packet_get(&valid, packet_find(&valid, "ipv4.ihl", 0)) *
				 4;
		struct mutation_options o = {.level = 1, .fragments = true};
		struct mutation_plan plan;
		mutate_plan_build(&plan, &valid, t, &o);
		size_t overlaps = 0, gaps = 0;
		for (uint64_t index = 0; index < 3000; index++) {
			struct fuzz_case c;
			assert_int_equal(mutate_planned(&plan, 2, index, frames, &c, &err), 0);
			enum anomaly kind = (enum anomaly)c.mutations[0].anomaly;
			if (kind != ANOMALY_FRAGMENT_OVERLAP && kind != ANOMALY_FRAGMENT_GAP)
				continue;
			assert_string_equal(c.mutations[0].field, v6 ? "ipv6" : "ipv4");
			assert_int_equal(c.mutations[0].after, c.frame_count);
			struct range r[MUTATION_FRAMES_MAX];
			bool overlap = false, last = false;
			uint8_t covered[2048] = {0};
			assert_true(total <= sizeof(covered));
			for (size_t f = 0; f < c.frame_count; f++) {
				assert_true(read_fragment(&frames[f], v6, &r[f]));
				assert_true(r[f].end <= total);
				last = last || !r[f].more;
				for (size_t g = 0; g < f; g++)
					overlap = overlap ||
						  (r[f].start < r[g].end && r[g].start < r[f].end);
				memset(covered + r[f].start, 1, r[f].end - r[f].start);
			}
			bool hole = memchr(covered, 0, total) != NULL;
			if (kind == ANOMALY_FRAGMENT_OVERLAP) {
				assert_true(overlap);
				overlaps++;
			} else {
				assert_true(hole || !last);
				gaps++;
			}
		}
		assert_true(overlaps > 20 && gaps > 20);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_frame),
		cmocka_unit_test(test_length_over_keeps_checksum),
		cmocka_unit_test(test_length_under_zero_max),
		cmocka_unit_test(test_count_and_checksum),
		cmocka_unit_test(test_enum_flags_integers),
		cmocka_unit_test(test_address_special),
		cmocka_unit_test(test_bytes),
		cmocka_unit_test(test_element_repeat),
		cmocka_unit_test(test_element_remove),
		cmocka_unit_test(test_element_reorder),
		cmocka_unit_test(test_element_truncate_oversize),
		cmocka_unit_test(test_frame_truncate),
		cmocka_unit_test(test_not_applicable),
		cmocka_unit_test(test_plan),
		cmocka_unit_test(test_determinism),
		cmocka_unit_test(test_describe),
		cmocka_unit_test(test_stacked),
		cmocka_unit_test(test_coverage),
		cmocka_unit_test(test_every_template),
		cmocka_unit_test(test_fragments),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
