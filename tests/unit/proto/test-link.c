/* test-link: Ethernet II, 802.3 with LLC and SNAP, 802.1Q and QinQ: build, parse back, refuse */
#include "core/compat.h"

#include <setjmp.h>
#include <cmocka.h>

#include "core/error.h"
#include "proto/ethernet.h"
#include "proto/layer.h"
#include "proto/packet.h"
#include "proto/vlan.h"

/*
 * The vectors are scapy 2.5's bytes for the same frames (/usr/bin/python3):
 * Ether(dst, src, type=0x88b5), Ether()/Dot1Q(prio=5, id=1, vlan=100),
 * Ether(type=0x88a8)/Dot1AD(vlan=10)/Dot1Q(prio=3, vlan=20),
 * Dot3()/LLC(0x42, 0x42, 3)/Raw(35 zeros), Dot3()/LLC()/SNAP(0, 0x88b5)/"dutlab".
 * 0x88b5 is the IEEE 802 local experimental EtherType: no model claims it.
 */
static const uint8_t dst[6] = {0x00, 0x11, 0x22, 0x33, 0x44, 0x55};
static const uint8_t src[6] = {0x02, 0x00, 0x5e, 0x10, 0x00, 0x01};
#define EXPERIMENTAL 0x88b5

static struct packet built, parsed;

static void finish_ok(struct packet *p)
{
	struct dl_error err;
	int rc = packet_finish(p, &err);
	if (rc != 0)
		fail_msg("packet_finish: %s", err.message);
}

static void dissect_ok(struct packet *p, const uint8_t *frame, size_t length)
{
	struct dl_error err;
	int rc = proto_dissect(p, frame, length, &err);
	if (rc != 0)
		fail_msg("proto_dissect: %s", err.message);
}

/* The field named name (the n-th of that name): its index, failing the test if absent. */
static int field_nth(const struct packet *p, const char *name, int n)
{
	int f = -1;
	for (int i = 0; i <= n; i++) {
		f = packet_find(p, name, f + 1);
		if (f == PACKET_NONE)
			fail_msg("no field %s #%d", name, n);
	}
	return f;
}

static uint64_t value_of(const struct packet *p, const char *name, int n)
{
	return packet_get(p, field_nth(p, name, n));
}

/* Every field the build declared is in the parse, same name, place, shape and value. */
static void assert_same_schema(const struct packet *a, const struct packet *b)
{
	assert_int_equal(a->length, b->length);
	assert_memory_equal(a->bytes, b->bytes, a->length);
	assert_int_equal(a->layer_count, b->layer_count);
	for (int l = 0; l < a->layer_count; l++)
		assert_ptr_equal(a->layers[l].model, b->layers[l].model);
	assert_int_equal(a->field_count, b->field_count);
	for (int i = 0; i < a->field_count; i++) {
		const struct field *x = &a->fields[i], *y = &b->fields[i];
		assert_string_equal(x->name, y->name);
		assert_int_equal(x->offset, y->offset);
		assert_int_equal(x->size, y->size);
		assert_int_equal(x->kind, y->kind);
		assert_int_equal(x->bit_shift, y->bit_shift);
		assert_int_equal(x->bit_width, y->bit_width);
		assert_int_equal(x->parent, y->parent);
		assert_int_equal(x->target, y->target);
		assert_int_equal(x->layer, y->layer);
		assert_int_equal(x->flags, y->flags);
		assert_true(packet_get(a, i) == packet_get(b, i));
	}
}

static void test_ethernet_ii(void **state)
{
	(void)state;
	static const uint8_t vector[] = {0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x02,
					 0x00, 0x5e, 0x10, 0x00, 0x01, 0x88, 0xb5};
	struct ethernet_fields f = {.type = EXPERIMENTAL};
	memcpy(f.destination, dst, 6);
	memcpy(f.source, src, 6);
	packet_init(&built);
	assert_int_equal(ethernet_build(&built, &f), 0);
	finish_ok(&built);
	assert_int_equal(built.length, sizeof(vector));
	assert_memory_equal(built.bytes, vector, sizeof(vector));
	int type = field_nth(&built, "ethernet.type", 0);
	assert_int_equal(built.fields[type].kind, FIELD_ENUM);
	assert_true(built.fields[type].flags & FIELD_KEY);
	assert_ptr_equal(built.fields[type].values, ethertype_values);
	assert_int_equal(built.layers[0].slots[ETHERNET_SLOT_TYPE], type);
	int d = field_nth(&built, "ethernet.destination", 0);
	assert_int_equal(built.fields[d].kind, FIELD_ADDRESS);
	assert_int_equal(built.fields[d].size, 6);

	dissect_ok(&parsed, vector, sizeof(vector));
	assert_same_schema(&built, &parsed);
	assert_int_equal(value_of(&parsed, "ethernet.type", 0), EXPERIMENTAL);

	/* padded to the 60-byte minimum, outside the header; parsing it back finds no padding
	 * (an EtherType says nothing of the length) but a payload */
	assert_int_equal(ethernet_pad(&built), 0);
	finish_ok(&built);
	assert_int_equal(built.length, ETHERNET_MIN_FRAME);
	int pad = field_nth(&built, "ethernet.padding", 0);
	assert_int_equal(built.fields[pad].offset, 14);
	assert_int_equal(built.fields[pad].size, 46);
	assert_int_equal(built.fields[built.layers[0].element].size, 60);
	for (uint32_t i = 14; i < 60; i++)
		assert_int_equal(built.bytes[i], 0);
	dissect_ok(&parsed, built.bytes, built.length);
	assert_int_equal(parsed.fields[field_nth(&parsed, "payload", 0)].size, 46);
}

static void test_ethernet_defaults(void **state)
{
	(void)state;
	struct ethernet_fields f = {.type = 0x0800};
	packet_init(&built);
	assert_int_equal(ethernet_build(&built, &f), 0);
	finish_ok(&built);
	static const uint8_t vector[] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02,
					 0x00, 0x00, 0x00, 0x00, 0x01, 0x08, 0x00};
	assert_memory_equal(built.bytes, vector, sizeof(vector));
}

static void test_llc_stp(void **state)
{
	(void)state;
	static const uint8_t stp[6] = {0x01, 0x80, 0xc2, 0x00, 0x00, 0x00};
	uint8_t vector[14 + 3 + 35] = {0x01, 0x80, 0xc2, 0x00, 0x00, 0x00, 0x02, 0x00, 0x5e,
				       0x10, 0x00, 0x01, 0x00, 0x26, 0x42, 0x42, 0x03};
	struct ethernet_fields e = {.type = 0};
	memcpy(e.destination, stp, 6);
	memcpy(e.source, src, 6);
	struct llc_fields l = {.dsap = 0x42, .ssap = 0x42};
	packet_init(&built);
	assert_int_equal(ethernet_build(&built, &e), 0);
	assert_int_equal(llc_build(&built, &l), 0);
	uint32_t at = packet_append(&built, 35);
	packet_field_bytes(&built, "payload", FIELD_BYTES, at, NULL, 35, 0);
	finish_ok(&built);
	assert_int_equal(built.length, sizeof(vector));
	assert_memory_equal(built.bytes, vector, sizeof(vector));
	int length = field_nth(&built, "ethernet.length", 0);
	assert_int_equal(built.fields[length].kind, FIELD_LENGTH);
	assert_int_equal(built.fields[length].target, built.layers[1].element);
	assert_int_equal(packet_get(&built, length), 38);
	assert_int_equal(value_of(&built, "llc.control", 0), 3);
	assert_int_equal(built.fields[field_nth(&built, "llc.control", 0)].size, 1);

	/* padding keeps the 802.3 length at the LLC data (IEEE 802.3 3.2.6, 3.2.7) */
	assert_int_equal(ethernet_pad(&built), 0);
	finish_ok(&built);
	assert_int_equal(built.length, 60);
	assert_int_equal(packet_get(&built, length), 38);

	dissect_ok(&parsed, built.bytes, built.length);
	assert_same_schema(&built, &parsed);
	/* a parsed valid frame finishes to the same bytes */
	finish_ok(&parsed);
	assert_memory_equal(parsed.bytes, built.bytes, built.length);

	/* removing the payload shortens the length, not the padding */
	int payload = field_nth(&built, "payload", 0);
	struct dl_error err;
	assert_int_equal(
		packet_splice(&built, built.fields[payload].offset, 35, NULL, 0, PACKET_NONE, &err),
		0);
	finish_ok(&built);
	assert_int_equal(packet_get(&built, length), 3);
	assert_int_equal(built.length, 25);
}

static void test_llc_snap(void **state)
{
	(void)state;
	static const uint8_t vector[] = {0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x02, 0x00, 0x5e, 0x10,
					 0x00, 0x01, 0x00, 0x0e, 0xaa, 0xaa, 0x03, 0x00, 0x00, 0x00,
					 0x88, 0xb5, 'd',  'u',  't',  'l',  'a',  'b'};
	struct ethernet_fields e = {.type = 0};
	memcpy(e.destination, dst, 6);
	memcpy(e.source, src, 6);
	struct llc_fields l = {.snap = true, .snap_type = EXPERIMENTAL};
	packet_init(&built);
	assert_int_equal(ethernet_build(&built, &e), 0);
	assert_int_equal(llc_build(&built, &l), 0);
	uint32_t at = packet_append(&built, 6);
	packet_field_bytes(&built, "payload", FIELD_BYTES, at, "dutlab", 6, 0);
	finish_ok(&built);
	assert_int_equal(built.length, sizeof(vector));
	assert_memory_equal(built.bytes, vector, sizeof(vector));
	assert_int_equal(value_of(&built, "llc.snap.oui", 0), 0);
	assert_int_equal(value_of(&built, "llc.snap.type", 0), EXPERIMENTAL);
	int snap = field_nth(&built, "llc.snap", 0);
	assert_int_equal(built.fields[snap].kind, FIELD_ELEMENT);
	assert_int_equal(built.fields[snap].size, 5);

	dissect_ok(&parsed, vector, sizeof(vector));
	assert_same_schema(&built, &parsed);
	assert_int_equal(parsed.layer_count, 2);
	assert_ptr_equal(parsed.layers[1].model, &llc_layer);

	/* the mutation engine removes the SNAP header: the length follows */
	struct dl_error err;
	assert_int_equal(
		packet_splice(&built, built.fields[snap].offset, 5, NULL, 0, PACKET_NONE, &err), 0);
	finish_ok(&built);
	assert_int_equal(value_of(&built, "ethernet.length", 0), 9);
	/* a frozen length stays wrong */
	int length = field_nth(&built, "ethernet.length", 0);
	packet_put(&built, length, 1500);
	packet_freeze(&built, length);
	finish_ok(&built);
	assert_int_equal(packet_get(&built, length), 1500);

	/* I-format control is two octets (IEEE 802.2 5.2) */
	packet_init(&built);
	assert_int_equal(ethernet_build(&built, &e), 0);
	struct llc_fields i_format = {.dsap = 0xf0, .ssap = 0xf0, .control = 0x0203};
	assert_int_equal(llc_build(&built, &i_format), 0);
	finish_ok(&built);
	assert_int_equal(built.length, 18);
	assert_memory_equal(built.bytes + 12, "\x00\x04\xf0\xf0\x02\x03", 6);
	dissect_ok(&parsed, built.bytes, built.length);
	assert_same_schema(&built, &parsed);
}

static void test_vlan_single(void **state)
{
	(void)state;
	static const uint8_t vector[] = {0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x02, 0x00, 0x5e,
					 0x10, 0x00, 0x01, 0x81, 0x00, 0xb0, 0x64, 0x88, 0xb5};
	struct ethernet_fields e = {.type = ETHERTYPE_VLAN};
	memcpy(e.destination, dst, 6);
	memcpy(e.source, src, 6);
	struct vlan_fields v = {.pcp = 5, .dei = 1, .vid = 100, .type = EXPERIMENTAL};
	packet_init(&built);
	assert_int_equal(ethernet_build(&built, &e), 0);
	assert_int_equal(vlan_build(&built, &v), 0);
	finish_ok(&built);
	assert_int_equal(built.length, sizeof(vector));
	assert_memory_equal(built.bytes, vector, sizeof(vector));
	int vid = field_nth(&built, "vlan.vid", 0);
	assert_int_equal(built.fields[vid].bit_width, 12);
	assert_int_equal(built.fields[vid].kind, FIELD_IDENTIFIER);
	assert_int_equal(built.layers[1].slots[VLAN_SLOT_VID], vid);
	assert_int_equal(packet_field_max(&built, vid), 4095);

	dissect_ok(&parsed, vector, sizeof(vector));
	assert_same_schema(&built, &parsed);
	assert_int_equal(value_of(&parsed, "vlan.pcp", 0), 5);
	assert_int_equal(value_of(&parsed, "vlan.dei", 0), 1);
	assert_int_equal(value_of(&parsed, "vlan.vid", 0), 100);
	assert_int_equal(value_of(&parsed, "vlan.type", 0), EXPERIMENTAL);

	/* a mutated VID leaves PCP and DEI alone */
	packet_put(&built, vid, 4095);
	assert_int_equal(built.bytes[14], 0xbf);
	assert_int_equal(built.bytes[15], 0xff);
}

static void test_vlan_qinq(void **state)
{
	(void)state;
	static const uint8_t vector[] = {0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x02, 0x00,
					 0x5e, 0x10, 0x00, 0x01, 0x88, 0xa8, 0x00, 0x0a,
					 0x81, 0x00, 0x60, 0x14, 0x88, 0xb5};
	struct ethernet_fields e = {.type = ETHERTYPE_QINQ};
	memcpy(e.destination, dst, 6);
	memcpy(e.source, src, 6);
	struct vlan_fields outer = {.vid = 10, .type = ETHERTYPE_VLAN};
	struct vlan_fields inner = {.pcp = 3, .vid = 20, .type = EXPERIMENTAL};
	packet_init(&built);
	assert_int_equal(ethernet_build(&built, &e), 0);
	assert_int_equal(vlan_build(&built, &outer), 0);
	assert_int_equal(vlan_build(&built, &inner), 0);
	finish_ok(&built);
	assert_int_equal(built.length, sizeof(vector));
	assert_memory_equal(built.bytes, vector, sizeof(vector));
	/* the inner tag's layer is inside the outer's */
	int outer_element = built.layers[1].element, inner_element = built.layers[2].element;
	assert_int_equal(built.fields[inner_element].parent, outer_element);
	assert_int_equal(built.fields[outer_element].size, 8);

	dissect_ok(&parsed, vector, sizeof(vector));
	assert_same_schema(&built, &parsed);
	assert_int_equal(parsed.layer_count, 3);
	assert_int_equal(value_of(&parsed, "vlan.vid", 0), 10);
	assert_int_equal(value_of(&parsed, "vlan.vid", 1), 20);
	assert_int_equal(value_of(&parsed, "vlan.pcp", 1), 3);
	assert_int_equal(value_of(&parsed, "vlan.type", 0), ETHERTYPE_VLAN);
}

static void test_vlan_8023(void **state)
{
	(void)state;
	struct ethernet_fields e = {.type = ETHERTYPE_VLAN};
	struct vlan_fields v = {.vid = 7};
	struct llc_fields l = {.dsap = 0x42, .ssap = 0x42};
	packet_init(&built);
	assert_int_equal(ethernet_build(&built, &e), 0);
	assert_int_equal(vlan_build(&built, &v), 0);
	assert_int_equal(llc_build(&built, &l), 0);
	uint32_t at = packet_append(&built, 4);
	packet_field_bytes(&built, "payload", FIELD_BYTES, at, "\x00\x00\x00\x80", 4, 0);
	assert_int_equal(ethernet_pad(&built), 0);
	finish_ok(&built);
	assert_int_equal(built.length, 60);
	assert_int_equal(value_of(&built, "vlan.length", 0), 7);
	assert_memory_equal(built.bytes + 16, "\x00\x07\x42\x42\x03", 5);
	dissect_ok(&parsed, built.bytes, built.length);
	assert_same_schema(&built, &parsed);
}

static void test_deep_stack_is_bounded(void **state)
{
	(void)state;
	/* 30 stacked tags: the dissector stops at PACKET_LAYERS_MAX layers, the rest is payload */
	uint8_t frame[14 + 30 * 4];
	memset(frame, 0, sizeof(frame));
	frame[12] = 0x81;
	for (int i = 0; i < 30; i++) {
		frame[14 + 4 * i + 1] = (uint8_t)i;
		frame[14 + 4 * i + 2] = 0x81;
	}
	dissect_ok(&parsed, frame, sizeof(frame));
	assert_int_equal(parsed.layer_count, PACKET_LAYERS_MAX);
	int payload = field_nth(&parsed, "payload", 0);
	assert_int_equal(parsed.fields[payload].offset, 14 + (PACKET_LAYERS_MAX - 1) * 4);
	assert_int_equal(parsed.length, sizeof(frame));
}

static void refused(const uint8_t *frame, size_t length, const char *reason)
{
	struct dl_error err;
	assert_int_equal(proto_dissect(&parsed, frame, length, &err), DL_EPROTO);
	if (!strstr(err.message, reason) || strncmp(err.message, "frame: ", 7) != 0)
		fail_msg("expected '%s', got '%s'", reason, err.message);
}

static void test_malformed_refused(void **state)
{
	(void)state;
	uint8_t f[64];
	memset(f, 0, sizeof(f));
	refused(f, 13, "offset 0: shorter than the 14-byte Ethernet header (value 13)");
	refused(f, 0, "shorter than the 14-byte Ethernet header");

	f[12] = 0x05, f[13] = 0xdc; /* 1500 in a 64-byte frame */
	refused(f, sizeof(f), "offset 12: 802.3 length passes the frame's end (value 1500)");
	f[12] = 0x05, f[13] = 0xff;
	refused(f, sizeof(f), "neither an 802.3 length nor an EtherType (value 1535)");

	f[12] = 0x00, f[13] = 0x02; /* an LLC of two bytes */
	refused(f, sizeof(f), "offset 14: shorter than the 3-byte LLC header (value 2)");
	f[13] = 0x05, f[14] = 0xaa, f[15] = 0xaa, f[16] = 0x03; /* SNAP cut after 2 of 5 bytes */
	refused(f, sizeof(f), "shorter than the 8-byte LLC and SNAP header (value 5)");
	f[13] = 0x03, f[14] = 0xf0, f[15] = 0xf0, f[16] = 0x00; /* I-format needs 2 octets */
	refused(f, sizeof(f), "shorter than the 4-byte LLC header with I/S control");

	f[12] = 0x81, f[13] = 0x00;
	refused(f, 16, "offset 14: shorter than the 4-byte 802.1Q tag (value 2)");
	f[16] = 0x05, f[17] = 0xdc; /* the tag's 802.3 length passes the end */
	refused(f, 20, "offset 16: 802.3 length passes the frame's end (value 1500)");

	static uint8_t jumbo[PACKET_BYTES_MAX + 1];
	refused(jumbo, sizeof(jumbo), "longer than the 9216-byte jumbo frame");
}

static void test_layer_table(void **state)
{
	(void)state;
	assert_true(proto_layer_count >= 3);
	for (size_t i = 0; i < proto_layer_count; i++) {
		assert_non_null(proto_layers[i]->name);
		assert_non_null(proto_layers[i]->title);
		assert_non_null(proto_layers[i]->parse);
		assert_ptr_equal(proto_layer_find(proto_layers[i]->name), proto_layers[i]);
		if (i > 0) /* sorted by name, one entry each */
			assert_true(strcmp(proto_layers[i - 1]->name, proto_layers[i]->name) < 0);
	}
	assert_ptr_equal(proto_layer_find("ethernet"), &ethernet_layer);
	assert_ptr_equal(proto_layer_find("llc"), &llc_layer);
	assert_ptr_equal(proto_layer_find("vlan"), &vlan_layer);
	assert_null(proto_layer_find("token-ring"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ethernet_ii),
		cmocka_unit_test(test_ethernet_defaults),
		cmocka_unit_test(test_llc_stp),
		cmocka_unit_test(test_llc_snap),
		cmocka_unit_test(test_vlan_single),
		cmocka_unit_test(test_vlan_qinq),
		cmocka_unit_test(test_vlan_8023),
		cmocka_unit_test(test_deep_stack_is_bounded),
		cmocka_unit_test(test_malformed_refused),
		cmocka_unit_test(test_layer_table),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
