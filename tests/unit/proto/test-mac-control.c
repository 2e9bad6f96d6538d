/* test-mac-control: PAUSE and PFC frames built, described and parsed back (802.3 31B, 802.1Qbb) */
#include "core/compat.h"

#include <setjmp.h>
#include <cmocka.h>

#include "core/error.h"
#include "proto/cursor.h"
#include "proto/layer.h"
#include "proto/mac-control.h"
#include "proto/packet.h"

static struct packet built, parsed;

static void build(const struct mac_control_fields *f)
{
	struct dl_error err = {0};
	packet_init(&built);
	assert_int_equal(mac_control_build(&built, f), 0);
	assert_int_equal(packet_finish(&built, &err), 0);
}

static int parse(const uint8_t *bytes, size_t length, char *message, size_t cap)
{
	struct cursor c;
	struct layer_parse_result next = {LAYER_NEXT_ETHERTYPE, 1};
	packet_init(&parsed);
	cursor_init(&c, bytes, length);
	int rc = mac_control_layer.parse(&parsed, &c, &next);
	if (rc < 0) {
		struct dl_error err = {0};
		cursor_error_report(&c, &err, "mac control");
		snprintf(message, cap, "%s", err.message);
		return rc;
	}
	assert_int_equal(next.next, LAYER_NEXT_NONE);
	return rc;
}

static void assert_same_packet(const struct packet *a, const struct packet *b)
{
	assert_int_equal(a->length, b->length);
	assert_memory_equal(a->bytes, b->bytes, a->length);
	assert_int_equal(a->field_count, b->field_count);
	for (int i = 0; i < a->field_count; i++) {
		const struct field *x = &a->fields[i], *y = &b->fields[i];
		assert_string_equal(x->name, y->name);
		assert_int_equal(x->kind, y->kind);
		assert_int_equal(x->offset, y->offset);
		assert_int_equal(x->size, y->size);
		assert_int_equal(x->flags, y->flags);
		assert_int_equal(x->parent, y->parent);
		assert_ptr_equal(x->values, y->values);
		assert_int_equal(packet_get(a, i), packet_get(b, i));
	}
}

static int field(const struct packet *p, const char *name)
{
	int f = packet_find(p, name, 0);
	assert_int_not_equal(f, PACKET_NONE);
	return f;
}

static void test_pause(void **state)
{
	(void)state;
	char message[DL_ERROR_MESSAGE_MAX];
	/* 802.3-2018 31B.2: opcode 0x0001, pause_time, then 42 reserved zeros */
	uint8_t expect[MAC_CONTROL_LENGTH] = {0x00, 0x01, 0x00, 0xff};
	struct mac_control_fields f = {.quanta = 0x00ff};
	build(&f);
	assert_int_equal(built.length, MAC_CONTROL_LENGTH);
	assert_memory_equal(built.bytes, expect, sizeof(expect));
	assert_int_equal(built.field_count, 4);
	assert_string_equal(built.fields[0].name, "mac_control");
	assert_true(built.fields[0].flags & FIELD_LAYER);
	int op = field(&built, "mac_control.opcode");
	assert_int_equal(built.fields[op].kind, FIELD_ENUM);
	assert_true(built.fields[op].flags & FIELD_KEY);
	assert_non_null(built.fields[op].values);
	int quanta = field(&built, "mac_control.pause.quanta");
	assert_int_equal(built.fields[quanta].offset, 2);
	assert_int_equal(packet_get(&built, quanta), 0xff);
	int reserved = field(&built, "mac_control.reserved");
	assert_int_equal(built.fields[reserved].offset, 4);
	assert_int_equal(built.fields[reserved].size, 42);
	assert_int_equal(built.fields[reserved].kind, FIELD_BYTES);
	assert_int_equal(parse(expect, sizeof(expect), message, sizeof(message)), 0);
	assert_same_packet(&built, &parsed);

	/* quanta 0 (resume) is written as given; the opcode defaults to PAUSE */
	f.quanta = 0;
	build(&f);
	expect[3] = 0;
	assert_memory_equal(built.bytes, expect, sizeof(expect));
}

static void test_pfc(void **state)
{
	(void)state;
	char message[DL_ERROR_MESSAGE_MAX];
	/* 802.1Q-2018 36.1.3.2 / 802.3 Annex 31D: opcode 0x0101, class-enable vector (upper octet
	 * reserved), time[0..7], 26 reserved zeros */
	uint8_t expect[MAC_CONTROL_LENGTH] = {
		0x01, 0x01, 0x00, 0x28, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0x00, 0x00,
	};
	struct mac_control_fields f = {.opcode = MAC_CONTROL_PFC, .class_enable = 0x28};
	f.times[3] = 0x1234; /* set but not enabled: sent as given */
	f.times[6] = 0xffff;
	expect[4 + 2 * 3] = 0x12;
	expect[5 + 2 * 3] = 0x34;
	build(&f);
	assert_memory_equal(built.bytes, expect, sizeof(expect));
	assert_int_equal(built.field_count, 1 + 1 + 1 + 8 + 1);
	int enable = field(&built, "mac_control.pfc.class_enable");
	assert_int_equal(built.fields[enable].kind, FIELD_FLAGS);
	assert_int_equal(built.fields[enable].size, 2);
	assert_int_equal(packet_get(&built, enable), 0x28);
	static const char *const times[] = {
		"mac_control.pfc.time0", "mac_control.pfc.time1", "mac_control.pfc.time2",
		"mac_control.pfc.time3", "mac_control.pfc.time4", "mac_control.pfc.time5",
		"mac_control.pfc.time6", "mac_control.pfc.time7",
	};
	for (unsigned i = 0; i < 8; i++) {
		int t = field(&built, times[i]);
		assert_int_equal(built.fields[t].offset, 4 + 2 * i);
		assert_int_equal(packet_get(&built, t), f.times[i]);
		assert_true(built.fields[t].flags & FIELD_KEY);
	}
	assert_int_equal(built.fields[field(&built, "mac_control.reserved")].size, 26);
	assert_int_equal(parse(expect, sizeof(expect), message, sizeof(message)), 0);
	assert_same_packet(&built, &parsed);

	/* class_enable 0: all eight */
	f.class_enable = 0;
	build(&f);
	assert_int_equal(packet_get(&built, field(&built, "mac_control.pfc.class_enable")), 0xff);
}

static void test_other_opcodes(void **state)
{
	(void)state;
	char message[DL_ERROR_MESSAGE_MAX];
	struct mac_control_fields f = {.opcode = MAC_CONTROL_GATE, .quanta = 7};
	build(&f);
	uint8_t expect[MAC_CONTROL_LENGTH] = {0x00, 0x02};
	assert_memory_equal(built.bytes, expect, sizeof(expect));
	assert_int_equal(built.fields[field(&built, "mac_control.reserved")].size, 44);
	assert_int_equal(packet_find(&built, "mac_control.pause.quanta", 0), PACKET_NONE);
	assert_int_equal(parse(expect, sizeof(expect), message, sizeof(message)), 0);
	assert_same_packet(&built, &parsed);

	/* a frame longer than the minimum: the rest is not the layer's (FCS, trailer) */
	uint8_t longer[MAC_CONTROL_LENGTH + 4] = {0x00, 0x01, 0x01, 0x00};
	struct cursor c;
	struct layer_parse_result next;
	packet_init(&parsed);
	cursor_init(&c, longer, sizeof(longer));
	assert_int_equal(mac_control_layer.parse(&parsed, &c, &next), 0);
	assert_int_equal(c.len, MAC_CONTROL_LENGTH); /* proto_limit(): the rest is padding */
	assert_int_equal(cursor_remaining(&c), 0);
	assert_int_equal(packet_get(&parsed, field(&parsed, "mac_control.pause.quanta")), 0x100);
	/* one cut short of the reserved bytes still parses, with fewer of them */
	assert_int_equal(parse(longer, 10, message, sizeof(message)), 0);
	assert_int_equal(parsed.fields[field(&parsed, "mac_control.reserved")].size, 6);
}

static void test_malformed(void **state)
{
	(void)state;
	char message[DL_ERROR_MESSAGE_MAX];
	static const uint8_t pause[4] = {0x00, 0x01, 0x00, 0x10};
	static const uint8_t pfc[20] = {0x01, 0x01, 0x00, 0xff};
	assert_int_equal(parse(pause, 1, message, sizeof(message)), DL_EPROTO);
	assert_string_equal(
		message,
		"mac control: offset 0: shorter than the 2-byte MAC Control opcode (value 1)");
	assert_int_equal(parse(pause, 3, message, sizeof(message)), DL_EPROTO);
	assert_string_equal(
		message,
		"mac control: offset 2: PAUSE frame cut short of its pause time (value 1)");
	assert_int_equal(parse(pfc, 19, message, sizeof(message)), DL_EPROTO);
	assert_string_equal(
		message,
		"mac control: offset 2: PFC frame cut short of its eight pause times (value 17)");
	assert_int_equal(parse(pfc, 20, message, sizeof(message)), 0);
	assert_int_equal(parse(pause, 4, message, sizeof(message)), 0);
	/* a full packet: the builder reports the overflow */
	packet_init(&built);
	built.length = PACKET_BYTES_MAX - 40;
	struct mac_control_fields f = {0};
	assert_int_equal(mac_control_build(&built, &f), DL_ENOMEM);
	assert_true(built.overflow);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pause),
		cmocka_unit_test(test_pfc),
		cmocka_unit_test(test_other_opcodes),
		cmocka_unit_test(test_malformed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
