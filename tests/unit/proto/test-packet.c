/* test-packet: the packet core: elements, fields, relations, finish, splice, freeze, copy */
#include "core/compat.h"

#include <setjmp.h>
#include <cmocka.h>

#include "core/error.h"
#include "proto/layer.h"
#include "proto/packet.h"

static struct packet packet_a, packet_b;

/* fixups record the order they ran in, and write a byte sum into slot 0 */
static int fixup_order[PACKET_LAYERS_MAX];
static int fixup_runs;

static void test_fixup(struct packet *p, int layer)
{
	if (fixup_runs < PACKET_LAYERS_MAX)
		fixup_order[fixup_runs++] = layer;
	int field = p->layers[layer].slots[0];
	if (field == PACKET_NONE)
		return;
	const struct field *f = &p->fields[field];
	const struct field *t = &p->fields[f->target];
	uint8_t sum = 0;
	for (uint32_t i = 0; i < t->size; i++)
		sum = (uint8_t)(sum + p->bytes[t->offset + i]);
	packet_put_derived(p, field, sum);
}

static const struct proto_layer outer_layer = {.name = "outer", .fixup = test_fixup};
static const struct proto_layer inner_layer = {.name = "inner", .fixup = test_fixup};

static void test_elements_grow_while_open(void **state)
{
	(void)state;
	struct packet *p = &packet_a;
	packet_init(p);
	int outer = packet_layer_begin(p, &outer_layer, "outer");
	assert_int_equal(outer, 0);
	assert_int_equal(packet_append(p, 4), 0);
	int list = packet_element_begin(p, "outer.list", FIELD_LIST, 0);
	int tlv = packet_element_begin(p, "outer.list.tlv", FIELD_ELEMENT, FIELD_REPEATABLE);
	assert_int_equal(packet_append(p, 3), 4);
	packet_element_end(p, tlv);
	int tlv2 = packet_element_begin(p, "outer.list.tlv", FIELD_ELEMENT, FIELD_REPEATABLE);
	assert_int_equal(packet_append(p, 2), 7);
	packet_element_end(p, list); /* closes tlv2 inside it too */
	assert_int_equal(p->open_count, 1);
	assert_int_equal(packet_append(p, 5), 9);
	assert_int_equal(p->length, 14);

	const struct field *e = &p->fields[p->layers[outer].element];
	assert_string_equal(e->name, "outer");
	assert_true(e->flags & FIELD_LAYER);
	assert_int_equal(e->offset, 0);
	assert_int_equal(e->size, 14);
	assert_int_equal(e->parent, PACKET_NONE);
	assert_int_equal(p->fields[list].offset, 4);
	assert_int_equal(p->fields[list].size, 5);
	assert_int_equal(p->fields[list].parent, p->layers[outer].element);
	assert_int_equal(p->fields[tlv].size, 3);
	assert_int_equal(p->fields[tlv2].offset, 7);
	assert_int_equal(p->fields[tlv2].size, 2);
	assert_int_equal(p->fields[tlv2].parent, list);
	assert_int_equal(p->fields[tlv2].layer, outer);
	for (uint32_t i = 0; i < p->length; i++)
		assert_int_equal(p->bytes[i], 0);

	struct dl_error err;
	assert_int_equal(packet_finish(p, &err), 0);
	assert_int_equal(p->open_count, 0);
	assert_int_equal(packet_find(p, "outer.list.tlv", 0), tlv);
	assert_int_equal(packet_find(p, "outer.list.tlv", tlv + 1), tlv2);
	assert_int_equal(packet_find(p, "nothing", 0), PACKET_NONE);
}

static void test_fields_and_bits(void **state)
{
	(void)state;
	struct packet *p = &packet_a;
	packet_init(p);
	packet_layer_begin(p, &outer_layer, "outer");
	uint32_t at = packet_append(p, 16);
	int u16 = packet_field(p, "u16", FIELD_UINT, at, 2, 0x1234, 0);
	int u32le =
		packet_field(p, "u32le", FIELD_UINT, at + 2, 4, 0xa1b2c3d4, FIELD_LITTLE_ENDIAN);
	/* an 802.1Q TCI: PCP 3 bits at 13, DEI 1 bit at 12, VID 12 bits at 0 */
	int pcp = packet_field_bits(p, "pcp", FIELD_UINT, at + 6, 2, 13, 3, 5, 0);
	int dei = packet_field_bits(p, "dei", FIELD_FLAGS, at + 6, 2, 12, 1, 1, 0);
	int vid = packet_field_bits(p, "vid", FIELD_IDENTIFIER, at + 6, 2, 0, 12, 0x123, FIELD_KEY);
	int cut = packet_field(p, "u8", FIELD_UINT, at + 8, 1, 0x1ff, 0); /* cut to 8 bits */
	int u64 = packet_field(p, "u64", FIELD_UINT, at + 8, 8, UINT64_MAX, 0);
	const uint8_t expect[] = {0x12, 0x34, 0xd4, 0xc3, 0xb2, 0xa1, 0xb1, 0x23};
	assert_memory_equal(p->bytes, expect, sizeof(expect));
	assert_int_equal(packet_get(p, u16), 0x1234);
	assert_int_equal(packet_get(p, u32le), 0xa1b2c3d4);
	assert_int_equal(packet_get(p, pcp), 5);
	assert_int_equal(packet_get(p, dei), 1);
	assert_int_equal(packet_get(p, vid), 0x123);
	assert_int_equal(packet_get(p, cut), 0xff);
	assert_true(packet_get(p, u64) == UINT64_MAX);
	assert_int_equal(packet_field_max(p, pcp), 7);
	assert_int_equal(packet_field_max(p, vid), 0xfff);
	assert_int_equal(packet_field_max(p, u16), 0xffff);
	assert_true(packet_field_max(p, u64) == UINT64_MAX);
	/* writing one bit field leaves its neighbours alone */
	packet_put(p, vid, 0xffff);
	assert_int_equal(packet_get(p, vid), 0xfff);
	assert_int_equal(packet_get(p, pcp), 5);
	assert_int_equal(packet_get(p, dei), 1);
	packet_put(p, pcp, 0);
	assert_int_equal(p->bytes[6], 0x1f);
	assert_int_equal(p->fields[vid].flags, FIELD_KEY);
	/* bad shapes are builder bugs: refused through overflow */
	assert_int_equal(packet_field(p, "big", FIELD_UINT, at, 9, 0, 0), PACKET_NONE);
	assert_true(p->overflow);
	struct dl_error err;
	assert_int_equal(packet_finish(p, &err), DL_ENOMEM);
	assert_non_null(strstr(err.message, "packet"));

	packet_init(p);
	packet_append(p, 4);
	assert_int_equal(packet_field_bits(p, "bits", FIELD_UINT, 0, 3, 0, 4, 0, 0), PACKET_NONE);
	packet_init(p);
	packet_append(p, 4);
	assert_int_equal(packet_field_bits(p, "bits", FIELD_UINT, 0, 1, 6, 4, 0, 0), PACKET_NONE);
	packet_init(p);
	packet_append(p, 4);
	assert_int_equal(packet_field(p, "past", FIELD_UINT, 3, 2, 0, 0), PACKET_NONE);
}

static void test_bytes_fields(void **state)
{
	(void)state;
	struct packet *p = &packet_a;
	packet_init(p);
	packet_layer_begin(p, &outer_layer, "outer");
	const uint8_t mac[6] = {0x02, 0, 0x5e, 0x10, 0, 1};
	uint32_t at = packet_append(p, 6);
	int f = packet_field_bytes(p, "mac", FIELD_ADDRESS, at, mac, 6, 0);
	assert_memory_equal(p->bytes, mac, 6);
	assert_int_equal(p->fields[f].kind, FIELD_ADDRESS);
	/* declaring bytes already in place (a parser) keeps them */
	int again = packet_field_bytes(p, "again", FIELD_BYTES, at, p->bytes + at, 6, 0);
	assert_memory_equal(p->bytes, mac, 6);
	assert_int_not_equal(again, PACKET_NONE);
	assert_int_equal(packet_field_bytes(p, "empty", FIELD_BYTES, 6, NULL, 0, 0), again + 1);
	assert_true(packet_get(p, f) == UINT64_C(0x02005e100001)); /* 1..8 bytes read as a number */
}

/* outer: [len8 | count8 | sum8 | inner layer: [len16 (in 4-byte units, -1) | 3 TLVs]] */
static void build_nested(struct packet *p, int *len8, int *count, int *sum, int *len16, int *tlvs)
{
	packet_init(p);
	int outer = packet_layer_begin(p, &outer_layer, "outer");
	uint32_t at = packet_append(p, 3);
	*len8 = packet_field(p, "outer.length", FIELD_LENGTH, at, 1, 0, 0);
	*count = packet_field(p, "outer.count", FIELD_COUNT, at + 1, 1, 0, 0);
	*sum = packet_field(p, "outer.sum", FIELD_CHECKSUM, at + 2, 1, 0, 0);
	p->layers[outer].slots[0] = (int16_t)*sum;
	int inner = packet_layer_begin(p, &inner_layer, "inner");
	at = packet_append(p, 2);
	*len16 = packet_field(p, "inner.length", FIELD_LENGTH, at, 2, 0, 0);
	int list = packet_element_begin(p, "inner.tlvs", FIELD_LIST, 0);
	for (int i = 0; i < 3; i++) {
		tlvs[i] = packet_element_begin(p, "inner.tlv", FIELD_ELEMENT, FIELD_REPEATABLE);
		at = packet_append(p, 2);
		packet_field(p, "inner.tlv.value", FIELD_UINT, at, 2, (uint64_t)(0x0101 * (i + 1)),
			     0);
		packet_element_end(p, tlvs[i]);
	}
	packet_element_end(p, list);
	packet_relate(p, *len8, p->layers[inner].element, 1, 0);
	packet_relate(p, *len16, p->layers[inner].element, 4, -1);
	packet_relate(p, *count, list, 1, 0);
	packet_relate(p, *sum, p->layers[inner].element, 1, 0);
}

static void test_finish_relations_and_fixups(void **state)
{
	(void)state;
	struct packet *p = &packet_a;
	int len8, count, sum, len16, tlvs[3];
	build_nested(p, &len8, &count, &sum, &len16, tlvs);
	struct dl_error err;
	fixup_runs = 0;
	assert_int_equal(packet_finish(p, &err), 0);
	assert_int_equal(p->length, 11);
	assert_int_equal(packet_get(p, len8), 8);
	assert_int_equal(packet_get(p, len16), 1); /* 8 / 4 - 1 */
	assert_int_equal(packet_get(p, count), 3);
	/* inner bytes: 00 01 01 01 02 02 03 03 */
	assert_int_equal(packet_get(p, sum), (1 + 1 + 1 + 2 + 2 + 3 + 3) & 0xff);
	assert_int_equal(fixup_runs, 2);
	assert_int_equal(fixup_order[0], 1); /* innermost first */
	assert_int_equal(fixup_order[1], 0);

	/* a frozen field keeps the mutation's value; the rest is recomputed */
	packet_put(p, len8, 200);
	packet_freeze(p, len8);
	packet_put(p, count, 9);
	assert_true(packet_frozen(p, len8));
	assert_false(packet_frozen(p, count));
	packet_put_derived(p, len8, 1); /* ignored: frozen */
	assert_int_equal(packet_get(p, len8), 200);
	assert_int_equal(packet_finish(p, &err), 0);
	assert_int_equal(packet_get(p, len8), 200);
	assert_int_equal(packet_get(p, count), 3);

	/* the relate on an absent target is dropped */
	packet_relate(p, count, 5000, 1, 0);
	assert_int_equal(p->fields[count].target, PACKET_NONE);
}

static void test_splice(void **state)
{
	(void)state;
	struct packet *p = &packet_a;
	int len8, count, sum, len16, tlvs[3];
	build_nested(p, &len8, &count, &sum, &len16, tlvs);
	struct dl_error err;
	assert_int_equal(packet_finish(p, &err), 0);
	int inner = p->layers[1].element;
	int list = p->fields[tlvs[0]].parent;
	int value2 = tlvs[1] + 1;

	/* remove the middle TLV: it and its value are removed, the last moves, the list shrinks */
	assert_int_equal(packet_splice(p, p->fields[tlvs[1]].offset, 2, NULL, 0, PACKET_NONE, &err),
			 0);
	assert_int_equal(p->length, 9);
	assert_true(p->fields[tlvs[1]].flags & FIELD_REMOVED);
	assert_true(p->fields[value2].flags & FIELD_REMOVED);
	assert_int_equal(p->fields[tlvs[2]].offset, 7);
	assert_int_equal(p->fields[list].size, 4);
	assert_int_equal(p->fields[inner].size, 6);
	assert_int_equal(packet_get(p, tlvs[2] + 1), 0x0303);
	assert_int_equal(packet_finish(p, &err), 0);
	assert_int_equal(packet_get(p, count), 2);
	assert_int_equal(packet_get(p, len8), 6);
	assert_int_equal(packet_get(p, len16), 0);  /* 6 / 4 - 1 */
	assert_int_equal(packet_get(p, value2), 0); /* a removed field reads nothing */

	/* repeat the first TLV after itself: at the boundary, owner says who grows */
	uint8_t copy[2];
	memcpy(copy, p->bytes + p->fields[tlvs[0]].offset, 2);
	uint32_t end0 = p->fields[tlvs[0]].offset + p->fields[tlvs[0]].size;
	assert_int_equal(packet_splice(p, end0, 0, copy, 2, list, &err), 0);
	assert_int_equal(p->fields[tlvs[0]].size, 2);
	assert_int_equal(p->fields[list].size, 6);
	assert_int_equal(p->fields[tlvs[2]].offset, 9);
	assert_memory_equal(p->bytes + 7, "\x01\x01\x03\x03", 4);

	/* append at the very end with the layer as owner: the list does not grow */
	assert_int_equal(packet_splice(p, p->length, 0, "\xee", 1, inner, &err), 0);
	assert_int_equal(p->fields[list].size, 6);
	assert_int_equal(p->fields[inner].size, 9);
	assert_int_equal(p->fields[p->layers[0].element].size, 12);
	/* without an owner, a field starting at the insertion point moves after it */
	uint32_t at2 = p->fields[tlvs[2]].offset;
	assert_int_equal(packet_splice(p, at2, 0, "\xaa\xbb", 2, PACKET_NONE, &err), 0);
	assert_int_equal(p->fields[tlvs[2]].offset, at2 + 2);
	assert_int_equal(p->fields[tlvs[2]].size, 2);
	assert_int_equal(p->fields[list].size, 8); /* it strictly held the point */
	assert_int_equal(packet_finish(p, &err), 0);
	assert_int_equal(packet_get(p, len8), 11);

	/* oversize a field in place (replace its 2 bytes with 4): it grows, holders grow */
	int v0 = tlvs[0] + 1;
	uint32_t at0 = p->fields[v0].offset;
	assert_int_equal(packet_splice(p, at0, 2, "\x11\x22\x33\x44", 4, PACKET_NONE, &err), 0);
	assert_int_equal(p->fields[v0].size, 4);
	assert_int_equal(p->fields[tlvs[0]].size, 4);
	assert_false(p->fields[v0].flags & FIELD_REMOVED);

	/* truncate: cut the frame in the middle of the last TLV's value */
	int v2 = tlvs[2] + 1;
	uint32_t mid = p->fields[v2].offset + 1;
	assert_int_equal(packet_splice(p, mid, p->length - mid, NULL, 0, PACKET_NONE, &err), 0);
	assert_int_equal(p->fields[v2].size, 1);
	assert_int_equal(p->fields[tlvs[2]].size, 1);
	assert_int_equal(p->length, mid);

	/* the new bytes may come from the frame itself, even from after the cut */
	uint32_t len_before = p->length;
	uint8_t last[2] = {p->bytes[p->length - 2], p->bytes[p->length - 1]};
	assert_int_equal(packet_splice(p, 0, 0, p->bytes + p->length - 2, 2, PACKET_NONE, &err), 0);
	assert_int_equal(p->length, len_before + 2);
	assert_memory_equal(p->bytes, last, 2);
	assert_memory_equal(p->bytes + p->length - 2, last, 2);
	assert_int_equal(packet_splice(p, 0, 2, NULL, 0, PACKET_NONE, &err), 0);

	/* out of range and past the ceiling */
	assert_int_equal(packet_splice(p, p->length + 1, 0, NULL, 0, PACKET_NONE, &err), DL_EINVAL);
	assert_non_null(strstr(err.message, "passes the frame's end"));
	assert_int_equal(packet_splice(p, 0, 0, NULL, PACKET_BYTES_MAX, PACKET_NONE, &err),
			 DL_ENOMEM);
}

static void test_splice_empty_list(void **state)
{
	(void)state;
	struct packet *p = &packet_a;
	packet_init(p);
	packet_layer_begin(p, &outer_layer, "outer");
	uint32_t at = packet_append(p, 1);
	int count = packet_field(p, "count", FIELD_COUNT, at, 1, 0, 0);
	int list = packet_element_begin(p, "list", FIELD_LIST, 0);
	packet_element_end(p, list);
	at = packet_append(p, 2);
	int after = packet_field(p, "after", FIELD_UINT, at, 2, 0xbeef, 0);
	packet_relate(p, count, list, 1, 0);
	struct dl_error err;
	assert_int_equal(packet_finish(p, &err), 0);
	assert_int_equal(packet_get(p, count), 0);
	assert_int_equal(p->fields[list].size, 0);
	/* fill the empty list (owner: the list) */
	assert_int_equal(packet_splice(p, 1, 0, "\x01\x02\x03", 3, list, &err), 0);
	assert_int_equal(p->fields[list].offset, 1);
	assert_int_equal(p->fields[list].size, 3);
	assert_int_equal(p->fields[after].offset, 4);
	assert_int_equal(packet_get(p, after), 0xbeef);
	/* empty it again with the list as owner: emptied, not removed */
	assert_int_equal(packet_splice(p, 1, 3, NULL, 0, list, &err), 0);
	assert_int_equal(p->fields[list].size, 0);
	assert_false(p->fields[list].flags & FIELD_REMOVED);
	assert_int_equal(p->fields[after].offset, 1);
	/* removing the bytes after the empty list leaves the list where it is */
	assert_int_equal(packet_splice(p, 1, 2, NULL, 0, PACKET_NONE, &err), 0);
	assert_false(p->fields[list].flags & FIELD_REMOVED);
	assert_true(p->fields[after].flags & FIELD_REMOVED);
	assert_int_equal(p->fields[p->layers[0].element].size, 1);
}

static void test_splice_keeps_children_inside(void **state)
{
	(void)state;
	struct packet *p = &packet_a;
	packet_init(p);
	packet_layer_begin(p, &outer_layer, "outer");
	int header = packet_element_begin(p, "header", FIELD_ELEMENT, 0);
	packet_append(p, 4);
	int tail_list = packet_element_begin(p, "header.empty", FIELD_LIST, 0); /* at its end */
	packet_element_end(p, header);
	int body = packet_element_begin(p, "body", FIELD_ELEMENT, 0);
	int head_list = packet_element_begin(p, "body.empty", FIELD_LIST, 0); /* at its start */
	packet_element_end(p, head_list);
	uint32_t at = packet_append(p, 4);
	int value = packet_field(p, "body.value", FIELD_UINT, at, 4, 0x01020304, 0);
	packet_element_end(p, body);
	struct dl_error err;
	assert_int_equal(packet_finish(p, &err), 0);
	assert_int_equal(p->fields[tail_list].offset, 4);
	assert_int_equal(p->fields[head_list].offset, 4);

	/* bytes between header and body, owned by the layer: each empty list stays with its
	 * element */
	assert_int_equal(packet_splice(p, 4, 0, "\x99\x99", 2, p->layers[0].element, &err), 0);
	assert_int_equal(p->fields[header].size, 4);
	assert_int_equal(p->fields[tail_list].offset, 4);
	assert_int_equal(p->fields[body].offset, 6);
	assert_int_equal(p->fields[head_list].offset, 6);
	assert_int_equal(p->fields[value].offset, 6);

	/* removing the body removes what it holds, the empty list at its start too */
	assert_int_equal(packet_splice(p, 6, 4, NULL, 0, PACKET_NONE, &err), 0);
	assert_true(p->fields[body].flags & FIELD_REMOVED);
	assert_true(p->fields[head_list].flags & FIELD_REMOVED);
	assert_true(p->fields[value].flags & FIELD_REMOVED);
	assert_false(p->fields[tail_list].flags & FIELD_REMOVED);
	assert_int_equal(p->length, 6);
}

static void test_copy(void **state)
{
	(void)state;
	int len8, count, sum, len16, tlvs[3];
	build_nested(&packet_a, &len8, &count, &sum, &len16, tlvs);
	struct dl_error err;
	assert_int_equal(packet_finish(&packet_a, &err), 0);
	packet_freeze(&packet_a, len8);
	memset(&packet_b, 0xa5, sizeof(packet_b));
	packet_copy(&packet_b, &packet_a);
	assert_int_equal(packet_b.length, packet_a.length);
	assert_memory_equal(packet_b.bytes, packet_a.bytes, packet_a.length);
	assert_int_equal(packet_b.field_count, packet_a.field_count);
	assert_memory_equal(packet_b.fields, packet_a.fields,
			    packet_a.field_count * sizeof(packet_a.fields[0]));
	assert_int_equal(packet_b.layer_count, 2);
	assert_ptr_equal(packet_b.layers[1].model, &inner_layer);
	assert_true(packet_frozen(&packet_b, len8));
	assert_false(packet_b.overflow);
	/* only the used bytes were copied */
	assert_int_equal(packet_b.bytes[packet_a.length], 0xa5);
	/* and the copy is independent */
	packet_put(&packet_b, count, 7);
	assert_int_equal(packet_get(&packet_a, count), 3);
	assert_int_equal(packet_finish(&packet_b, &err), 0);
	assert_int_equal(packet_get(&packet_b, count), 3);
}

static void test_overflow(void **state)
{
	(void)state;
	struct packet *p = &packet_a;
	struct dl_error err;
	packet_init(p);
	packet_layer_begin(p, &outer_layer, "outer");
	assert_int_equal(packet_append(p, PACKET_BYTES_MAX - 1), 0);
	assert_false(p->overflow);
	assert_int_equal(packet_append(p, 2), PACKET_BYTES_MAX);
	assert_true(p->overflow);
	assert_int_equal(p->length, PACKET_BYTES_MAX - 1);
	assert_int_equal(packet_field(p, "x", FIELD_UINT, 0, 1, 0, 0), PACKET_NONE);
	assert_int_equal(packet_finish(p, &err), DL_ENOMEM);
	assert_int_equal(err.code, DL_ENOMEM);

	packet_init(p);
	packet_append(p, 1);
	for (int i = 0; i < PACKET_FIELDS_MAX; i++)
		assert_int_equal(packet_field(p, "f", FIELD_UINT, 0, 1, 0, 0), i);
	assert_int_equal(packet_field(p, "f", FIELD_UINT, 0, 1, 0, 0), PACKET_NONE);
	assert_int_equal(packet_finish(p, &err), DL_ENOMEM);

	packet_init(p);
	for (int i = 0; i < PACKET_LAYERS_MAX; i++)
		assert_int_equal(packet_layer_begin(p, &outer_layer, "outer"), i);
	assert_int_equal(packet_layer_begin(p, &outer_layer, "outer"), PACKET_NONE);
	assert_true(p->overflow);

	packet_init(p);
	for (int i = 0; i < PACKET_OPEN_MAX; i++)
		assert_int_not_equal(packet_element_begin(p, "e", FIELD_ELEMENT, 0), PACKET_NONE);
	assert_int_equal(packet_element_begin(p, "e", FIELD_ELEMENT, 0), PACKET_NONE);
	assert_int_equal(packet_finish(p, &err), DL_ENOMEM);
}

static void test_inet_checksum(void **state)
{
	(void)state;
	/* RFC 1071 4.1: the sum of 0001 f203 f4f5 f6f7 is ddf2 */
	const uint8_t b[] = {0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7};
	assert_int_equal(packet_inet_checksum(b, sizeof(b), 0), 0x220d);
	/* chaining sums over pieces (even split) gives the same */
	uint32_t s = packet_inet_sum(b, 4, 0);
	assert_int_equal(packet_inet_checksum(b + 4, 4, s), 0x220d);
	/* an odd length is padded with a zero byte */
	const uint8_t odd[] = {0x12, 0x34, 0x56};
	assert_int_equal(packet_inet_checksum(odd, 3, 0), (uint16_t) ~(0x1234 + 0x5600));
	/* a header with its checksum in place sums to zero (RFC 791 example header) */
	const uint8_t ip[] = {0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11,
			      0xb8, 0x61, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7};
	assert_int_equal(packet_inet_checksum(ip, sizeof(ip), 0), 0);
	uint8_t big[4096];
	memset(big, 0xff, sizeof(big));
	assert_int_equal(packet_inet_checksum(big, sizeof(big), 0), 0);

	/* the wide-word sum agrees with RFC 1071's 16-bit loop at every alignment and length */
	uint8_t data[80];
	uint32_t seed = 12345;
	for (size_t i = 0; i < sizeof(data); i++) {
		seed = seed * 1103515245u + 12345u;
		data[i] = (uint8_t)(seed >> 16);
	}
	for (size_t start = 0; start < 8; start++) {
		for (size_t n = 0; n + start <= sizeof(data); n++) {
			uint32_t reference = 0x1234; /* a chained pseudo-header sum */
			for (size_t i = 0; i < n; i += 2)
				reference += (uint32_t)data[start + i] << 8 |
					     (i + 1 < n ? data[start + i + 1] : 0);
			while (reference >> 16)
				reference = (reference & 0xffff) + (reference >> 16);
			assert_int_equal(packet_inet_checksum(data + start, n, 0x1234),
					 (uint16_t)~reference);
		}
	}
}

/* FIELD_DECIMAL: a number in decimal text, its width its digits'; a length of that kind
 * follows its target through packet_finish(), and what holds or follows it moves. */
static void test_decimal(void **state)
{
	(void)state;
	static struct packet p;
	struct dl_error err = {0};
	packet_init(&p);
	int outer = packet_element_begin(&p, "outer", FIELD_ELEMENT, 0);
	uint32_t at = packet_append(&p, 4);
	memcpy(p.bytes + at, "Len=", 4);
	int length = packet_decimal(&p, "len", FIELD_LENGTH, 7, 4, 0);
	int number = packet_decimal(&p, "n", FIELD_UINT, 0, 0, 0);
	at = packet_append(&p, 1);
	p.bytes[at] = ';';
	at = packet_append(&p, 7);
	memcpy(p.bytes + at, "payload", 7);
	int body = packet_field_bytes(&p, "body", FIELD_BYTES, at, p.bytes + at, 7, 0);
	packet_element_end(&p, outer);
	packet_relate(&p, length, body, 1, 0);
	assert_int_not_equal(length, PACKET_NONE);
	assert_true(p.fields[length].flags & FIELD_DECIMAL);
	assert_int_equal(p.length, 4 + 1 + 1 + 1 + 7);
	assert_memory_equal(p.bytes, "Len=70;payload", 14);
	assert_int_equal(packet_get(&p, length), 7);
	assert_int_equal(packet_field_max(&p, length), 9999);
	assert_int_equal(packet_field_max(&p, number), UINT64_MAX);
	/* wider: what follows moves, the element holding it grows */
	packet_put(&p, number, UINT64_C(18446744073709551615));
	assert_int_equal(p.fields[number].size, 20);
	assert_int_equal(p.fields[body].offset, 4 + 1 + 20 + 1);
	assert_int_equal(p.fields[outer].size, p.length);
	assert_int_equal(packet_get(&p, number), UINT64_MAX);
	/* the length follows its target, in as many digits as it needs (capped at its max) */
	uint8_t more[200];
	memset(more, 'x', sizeof(more));
	assert_int_equal(
		packet_splice(&p, p.fields[body].offset + 7, 0, more, sizeof(more), body, &err), 0);
	assert_int_equal(packet_finish(&p, &err), 0);
	assert_int_equal(packet_get(&p, length), 207);
	assert_int_equal(p.fields[length].size, 3);
	assert_memory_equal(p.bytes, "Len=207", 7);
	packet_put(&p, length, 123456);
	assert_int_equal(packet_get(&p, length), 9999);
	/* a parser's digits: declared in place; anything else is not a decimal field */
	static struct packet q;
	packet_init(&q);
	at = packet_append(&q, 6);
	memcpy(q.bytes + at, "0042ab", 6);
	int d = packet_decimal_present(&q, "d", FIELD_UINT, at, 4, 0, 0);
	assert_int_not_equal(d, PACKET_NONE);
	assert_int_equal(packet_get(&q, d), 42);
	assert_int_equal(packet_decimal_present(&q, "e", FIELD_UINT, at, 6, 0, 0), PACKET_NONE);
	assert_int_equal(packet_decimal_present(&q, "f", FIELD_UINT, at, 0, 0, 0), PACKET_NONE);
	assert_int_equal(packet_decimal_present(&q, "g", FIELD_UINT, at + 4, 5, 0, 0), PACKET_NONE);
	assert_false(q.overflow);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_elements_grow_while_open),
		cmocka_unit_test(test_fields_and_bits),
		cmocka_unit_test(test_bytes_fields),
		cmocka_unit_test(test_finish_relations_and_fixups),
		cmocka_unit_test(test_splice),
		cmocka_unit_test(test_splice_empty_list),
		cmocka_unit_test(test_splice_keeps_children_inside),
		cmocka_unit_test(test_copy),
		cmocka_unit_test(test_overflow),
		cmocka_unit_test(test_inet_checksum),
		cmocka_unit_test(test_decimal),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
