/* test-arp: ARP build, field schema and parse against RFC 826 vectors checked with scapy */
#include "core/compat.h"

#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>

#include "core/error.h"
#include "proto/arp.h"
#include "proto/cursor.h"
#include "proto/layer.h"
#include "proto/packet.h"

static struct packet built, parsed;

/* RFC 826 packet format; the same bytes as scapy's ARP(op=1, hwsrc=..., psrc=..., pdst=...) */
static const uint8_t request_vector[ARP_LENGTH] = {
	0x00, 0x01,                         /* hardware: Ethernet */
	0x08, 0x00,                         /* protocol: IPv4 */
	0x06, 0x04,                         /* hlen, plen */
	0x00, 0x01,                         /* request */
	0x02, 0x00, 0x00, 0x00, 0x00, 0x01, /* sender MAC */
	0xc6, 0x12, 0x0e, 0x01,             /* sender IP 198.18.14.1 */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* target MAC: unknown */
	0xc6, 0x12, 0x0e, 0x02,             /* target IP 198.18.14.2 */
};

/* scapy: ARP(op=2, hwsrc="02:00:00:00:00:02", psrc="198.18.14.2", hwdst="02:...:01",
 * pdst="198.18.14.1") */
static const uint8_t reply_vector[ARP_LENGTH] = {
	0x00, 0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x02, 0x02, 0x00, 0x00, 0x00, 0x00, 0x02,
	0xc6, 0x12, 0x0e, 0x02, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0xc6, 0x12, 0x0e, 0x01,
};

static const uint8_t mac1[6] = {0x02, 0, 0, 0, 0, 0x01};
static const uint8_t mac2[6] = {0x02, 0, 0, 0, 0, 0x02};

static struct in_addr ip(const char *text)
{
	struct in_addr a;
	assert_int_equal(inet_pton(AF_INET, text, &a), 1);
	return a;
}

static void build(const struct arp_fields *f)
{
	struct dl_error err = {0};
	packet_init(&built);
	assert_int_equal(arp_build(&built, f), 0);
	assert_int_equal(packet_finish(&built, &err), 0);
}

/* Parse bytes as an ARP layer; on failure the cursor's report goes to message. */
static int parse(const uint8_t *bytes, size_t length, char *message, size_t cap)
{
	struct cursor c;
	struct layer_parse_result next = {LAYER_NEXT_ETHERTYPE, 1};
	packet_init(&parsed);
	cursor_init(&c, bytes, length);
	int rc = arp_layer.parse(&parsed, &c, &next);
	if (rc < 0) {
		struct dl_error err = {0};
		cursor_error_report(&c, &err, "arp");
		snprintf(message, cap, "%s", err.message);
		return rc;
	}
	assert_int_equal(next.next, LAYER_NEXT_NONE);
	return rc;
}

/* Same bytes and the same schema, field by field. */
static void assert_same_packet(const struct packet *a, const struct packet *b)
{
	assert_int_equal(a->length, b->length);
	assert_memory_equal(a->bytes, b->bytes, a->length);
	assert_int_equal(a->field_count, b->field_count);
	assert_int_equal(a->layer_count, b->layer_count);
	for (int i = 0; i < a->field_count; i++) {
		const struct field *x = &a->fields[i], *y = &b->fields[i];
		assert_string_equal(x->name, y->name);
		assert_int_equal(x->kind, y->kind);
		assert_int_equal(x->offset, y->offset);
		assert_int_equal(x->size, y->size);
		assert_int_equal(x->bit_shift, y->bit_shift);
		assert_int_equal(x->bit_width, y->bit_width);
		assert_int_equal(x->flags, y->flags);
		assert_int_equal(x->parent, y->parent);
		assert_int_equal(x->target, y->target);
		assert_int_equal(x->unit, y->unit);
		assert_int_equal(x->adjust, y->adjust);
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

static void test_request_defaults(void **state)
{
	(void)state;
	struct arp_fields f = {.sender_ip = ip("198.18.14.1"), .target_ip = ip("198.18.14.2")};
	memcpy(f.sender_mac, mac1, 6);
	build(&f);
	assert_int_equal(built.length, ARP_LENGTH);
	assert_memory_equal(built.bytes, request_vector, ARP_LENGTH);
	assert_int_equal(built.layer_count, 1);
	assert_ptr_equal(built.layers[0].model, &arp_layer);

	/* the schema: every byte is described, with kinds, keys and relations */
	static const struct {
		const char *name;
		uint8_t kind;
		uint32_t offset, size;
		bool key;
	} expect[] = {
		{"arp", FIELD_ELEMENT, 0, 28, false},
		{"arp.htype", FIELD_ENUM, 0, 2, false},
		{"arp.ptype", FIELD_ENUM, 2, 2, false},
		{"arp.hlen", FIELD_LENGTH, 4, 1, false},
		{"arp.plen", FIELD_LENGTH, 5, 1, false},
		{"arp.opcode", FIELD_ENUM, 6, 2, true},
		{"arp.sender_mac", FIELD_ADDRESS, 8, 6, true},
		{"arp.sender_ip", FIELD_ADDRESS, 14, 4, true},
		{"arp.target_mac", FIELD_ADDRESS, 18, 6, true},
		{"arp.target_ip", FIELD_ADDRESS, 24, 4, true},
	};
	assert_int_equal(built.field_count, DL_ARRAY_SIZE(expect));
	for (size_t i = 0; i < DL_ARRAY_SIZE(expect); i++) {
		const struct field *x = &built.fields[i];
		assert_string_equal(x->name, expect[i].name);
		assert_int_equal(x->kind, expect[i].kind);
		assert_int_equal(x->offset, expect[i].offset);
		assert_int_equal(x->size, expect[i].size);
		assert_int_equal((x->flags & FIELD_KEY) != 0, expect[i].key);
		assert_int_equal(x->parent, i == 0 ? PACKET_NONE : 0);
	}
	assert_true(built.fields[0].flags & FIELD_LAYER);
	assert_int_equal(built.fields[field(&built, "arp.hlen")].target,
			 field(&built, "arp.sender_mac"));
	assert_int_equal(built.fields[field(&built, "arp.plen")].target,
			 field(&built, "arp.sender_ip"));
	const struct field_value *ops = built.fields[field(&built, "arp.opcode")].values;
	assert_non_null(ops);
	assert_int_equal(ops[0].value, ARP_REQUEST);
	assert_string_equal(ops[0].name, "request");
	assert_non_null(built.fields[field(&built, "arp.htype")].values);
	assert_non_null(built.fields[field(&built, "arp.ptype")].values);
	assert_int_equal(packet_get(&built, field(&built, "arp.opcode")), 1);
}

static void test_reply_and_roundtrip(void **state)
{
	(void)state;
	char message[DL_ERROR_MESSAGE_MAX];
	struct arp_fields f = {
		.opcode = ARP_REPLY,
		.sender_ip = ip("198.18.14.2"),
		.target_ip = ip("198.18.14.1"),
	};
	memcpy(f.sender_mac, mac2, 6);
	memcpy(f.target_mac, mac1, 6);
	build(&f);
	assert_memory_equal(built.bytes, reply_vector, ARP_LENGTH);
	assert_int_equal(parse(reply_vector, sizeof(reply_vector), message, sizeof(message)), 0);
	assert_same_packet(&built, &parsed);
	assert_int_equal(packet_get(&parsed, field(&parsed, "arp.opcode")), ARP_REPLY);
	assert_memory_equal(parsed.bytes + parsed.fields[field(&parsed, "arp.target_mac")].offset,
			    mac1, 6);

	/* bytes after the message (Ethernet padding) are left to the dissector */
	uint8_t padded[46] = {0};
	memcpy(padded, reply_vector, sizeof(reply_vector));
	struct cursor c;
	struct layer_parse_result next;
	packet_init(&parsed);
	cursor_init(&c, padded, sizeof(padded));
	assert_int_equal(arp_layer.parse(&parsed, &c, &next), 0);
	assert_int_equal(c.len, ARP_LENGTH); /* proto_limit(): the rest is padding */
	assert_int_equal(cursor_remaining(&c), 0);
	assert_int_equal(parsed.length, ARP_LENGTH);
}

static void test_gratuitous(void **state)
{
	(void)state;
	char message[DL_ERROR_MESSAGE_MAX];
	/* RFC 5227 3: a request announcing the sender's own address, target MAC zero */
	struct arp_fields f = {.sender_ip = ip("198.18.14.1"), .target_ip = ip("198.18.14.1")};
	memcpy(f.sender_mac, mac1, 6);
	build(&f);
	uint8_t expect[ARP_LENGTH];
	memcpy(expect, request_vector, sizeof(expect));
	expect[27] = 0x01;
	assert_memory_equal(built.bytes, expect, sizeof(expect));
	assert_int_equal(parse(built.bytes, built.length, message, sizeof(message)), 0);
	assert_same_packet(&built, &parsed);
	int spa = field(&parsed, "arp.sender_ip"), tpa = field(&parsed, "arp.target_ip");
	assert_memory_equal(parsed.bytes + parsed.fields[spa].offset,
			    parsed.bytes + parsed.fields[tpa].offset, 4);
}

static void test_lengths_follow_addresses(void **state)
{
	(void)state;
	struct dl_error err = {0};
	char message[DL_ERROR_MESSAGE_MAX];
	struct arp_fields f = {.opcode = ARP_INARP_REQUEST, .htype = 6};
	build(&f);
	assert_int_equal(packet_get(&built, field(&built, "arp.htype")), 6);
	assert_int_equal(packet_get(&built, field(&built, "arp.opcode")), 8);
	/* grow the sender MAC by two bytes (and the target's, to stay parseable): hlen follows */
	int sha = field(&built, "arp.sender_mac"), tha = field(&built, "arp.target_mac");
	static const uint8_t two[2] = {0xaa, 0xbb};
	assert_int_equal(packet_splice(&built, built.fields[tha].offset + 6, 0, two, 2, tha, &err),
			 0);
	assert_int_equal(packet_splice(&built, built.fields[sha].offset + 6, 0, two, 2, sha, &err),
			 0);
	assert_int_equal(packet_finish(&built, &err), 0);
	assert_int_equal(built.length, ARP_LENGTH + 4);
	assert_int_equal(packet_get(&built, field(&built, "arp.hlen")), 8);
	assert_int_equal(packet_get(&built, field(&built, "arp.plen")), 4);
	assert_int_equal(parse(built.bytes, built.length, message, sizeof(message)), 0);
	assert_int_equal(parsed.fields[field(&parsed, "arp.sender_mac")].size, 8);
	assert_int_equal(parsed.fields[field(&parsed, "arp.target_ip")].offset, 8 + 8 + 4 + 8);
	/* a frozen hlen stays as a mutation set it */
	int hlen = field(&built, "arp.hlen");
	packet_put(&built, hlen, 0x20);
	packet_freeze(&built, hlen);
	assert_int_equal(packet_finish(&built, &err), 0);
	assert_int_equal(packet_get(&built, hlen), 0x20);
}

static void test_malformed(void **state)
{
	(void)state;
	char message[DL_ERROR_MESSAGE_MAX];
	uint8_t b[ARP_LENGTH];
	assert_int_equal(parse(request_vector, 7, message, sizeof(message)), DL_EPROTO);
	assert_string_equal(message, "arp: offset 0: shorter than the 8-byte ARP header (value 7)");
	memcpy(b, request_vector, sizeof(b));
	b[4] = 0;
	assert_int_equal(parse(b, sizeof(b), message, sizeof(message)), DL_EPROTO);
	assert_string_equal(message,
			    "arp: offset 4: hardware address length is not 1 to 32 (value 0)");
	b[4] = 6;
	b[5] = 33;
	assert_int_equal(parse(b, sizeof(b), message, sizeof(message)), DL_EPROTO);
	assert_string_equal(message,
			    "arp: offset 5: protocol address length is not 1 to 32 (value 33)");
	b[5] = 4;
	assert_int_equal(parse(b, sizeof(b) - 1, message, sizeof(message)), DL_EPROTO);
	assert_string_equal(message, "arp: offset 8: addresses run past the frame (value 20)");
	b[4] = 7; /* the lengths claim more than the message holds */
	assert_int_equal(parse(b, sizeof(b), message, sizeof(message)), DL_EPROTO);
	assert_string_equal(message, "arp: offset 8: addresses run past the frame (value 22)");
	/* every prefix of a valid message fails, and nothing is declared past the bytes */
	for (size_t n = 0; n < ARP_LENGTH; n++)
		assert_int_equal(parse(request_vector, n, message, sizeof(message)), DL_EPROTO);
	/* a full packet: the builder reports the overflow */
	packet_init(&built);
	built.length = PACKET_BYTES_MAX - 10;
	struct arp_fields f = {0};
	assert_int_equal(arp_build(&built, &f), DL_ENOMEM);
	assert_true(built.overflow);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_request_defaults),
		cmocka_unit_test(test_reply_and_roundtrip),
		cmocka_unit_test(test_gratuitous),
		cmocka_unit_test(test_lengths_follow_addresses),
		cmocka_unit_test(test_malformed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
