/* test-icmpv4: ICMPv4 messages against scapy vectors, with invoking packets built and parsed */
#include "core/compat.h"

#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>

#include "core/error.h"
#include "model-check.h"
#include "proto/cursor.h"
#include "proto/icmpv4.h"
#include "proto/ipv4.h"
#include "proto/layer.h"
#include "proto/packet.h"
#include "proto/udp.h"

static struct packet built, parsed;

static struct in_addr addr(const char *text)
{
	struct in_addr a;
	assert_int_equal(inet_pton(AF_INET, text, &a), 1);
	return a;
}

static void build(struct packet *p, const struct icmpv4_fields *icmp)
{
	struct ipv4_fields ip = {
		.identification = 2,
		.source = addr("198.18.10.1"),
		.destination = addr("198.18.10.2"),
	};
	packet_init(p);
	assert_int_equal(ipv4_build(p, &ip), 0);
	assert_int_equal(icmpv4_build(p, icmp), 0);
}

static void parse_back(void)
{
	char message[256] = "";
	if (model_parse_ip(&parsed, built.bytes, built.length, message, sizeof(message)) != 0)
		fail_msg("parse: %s", message);
}

/* scapy 2.5: IP(src="198.18.10.1", dst="198.18.10.2", id=2, ttl=64) / ICMP(type=8, id=0x4444,
 * seq=1) / b"abcdefgh" */
static void test_echo_vector(void **state)
{
	(void)state;
	static const uint8_t expect[] = {
		0x45, 0x00, 0x00, 0x24, 0x00, 0x02, 0x00, 0x00, 0x40, 0x01, 0xda, 0xaf,
		0xc6, 0x12, 0x0a, 0x01, 0xc6, 0x12, 0x0a, 0x02, 0x08, 0x00, 0x22, 0x25,
		0x44, 0x44, 0x00, 0x01, 0x61, 0x62, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68,
	};
	struct icmpv4_fields f = {.type = ICMPV4_ECHO_REQUEST,
				  .identifier = 0x4444,
				  .sequence = 1,
				  .data = (const uint8_t *)"abcdefgh",
				  .data_length = 8};
	struct dl_error err = {0};
	build(&built, &f);
	assert_int_equal(packet_finish(&built, &err), 0);
	assert_int_equal(built.length, sizeof(expect));
	assert_memory_equal(built.bytes, expect, sizeof(expect));
	assert_int_equal(model_get(&built, "icmpv4.identifier", 0), 0x4444);
	int type = packet_find(&built, "icmpv4.type", 0);
	assert_int_equal(built.fields[type].kind, FIELD_ENUM);
	assert_non_null(built.fields[type].values);
	parse_back();
	model_assert_same(&built, &parsed);
}

/* scapy 2.5: IP(..., id=3) / ICMP(type=13, id=7, seq=9, ts_ori=1000, ts_rx=0, ts_tx=0) */
static void test_timestamp_vector(void **state)
{
	(void)state;
	static const uint8_t expect[] = {
		0x45, 0x00, 0x00, 0x28, 0x00, 0x03, 0x00, 0x00, 0x40, 0x01, 0xda, 0xaa, 0xc6, 0x12,
		0x0a, 0x01, 0xc6, 0x12, 0x0a, 0x02, 0x0d, 0x00, 0xef, 0x07, 0x00, 0x07, 0x00, 0x09,
		0x00, 0x00, 0x03, 0xe8, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	};
	struct icmpv4_fields f = {
		.type = ICMPV4_TIMESTAMP, .identifier = 7, .sequence = 9, .originate = 1000};
	struct ipv4_fields ip = {
		.identification = 3,
		.source = addr("198.18.10.1"),
		.destination = addr("198.18.10.2"),
	};
	struct dl_error err = {0};
	packet_init(&built);
	assert_int_equal(ipv4_build(&built, &ip), 0);
	assert_int_equal(icmpv4_build(&built, &f), 0);
	assert_int_equal(packet_finish(&built, &err), 0);
	assert_int_equal(built.length, sizeof(expect));
	assert_memory_equal(built.bytes, expect, sizeof(expect));
	assert_int_equal(model_get(&built, "icmpv4.originate", 0), 1000);
	parse_back();
	model_assert_same(&built, &parsed);
}

/* Port unreachable quoting a UDP datagram built in place: three checksums, innermost first. */
static void test_unreachable_nested(void **state)
{
	(void)state;
	struct icmpv4_fields f = {.type = ICMPV4_UNREACHABLE, .code = 3};
	build(&built, &f);
	struct ipv4_fields inner = {
		.identification = 0x1234,
		.flags = IPV4_FLAG_DF,
		.source = addr("198.18.10.2"),
		.destination = addr("198.18.10.1"),
	};
	struct udp_fields udp = {.source_port = 40000,
				 .destination_port = 161,
				 .payload = (const uint8_t *)"dutlab",
				 .payload_length = 6};
	assert_int_equal(ipv4_build(&built, &inner), 0);
	assert_int_equal(udp_build(&built, &udp), 0);
	struct dl_error err = {0};
	assert_int_equal(packet_finish(&built, &err), 0);
	/* outer 20 + ICMP 8 + inner 20 + UDP 8 + 6 */
	assert_int_equal(built.length, 62);
	assert_int_equal(model_get(&built, "ipv4.total_length", 0), 62);
	assert_int_equal(model_get(&built, "ipv4.protocol", 0), 1);
	int invoking = packet_find(&built, "icmpv4.invoking", 0);
	assert_int_equal(built.fields[invoking].size, 34);
	/* the inner datagram is scapy's IP(src=.1, dst=.2, id=0x1234, flags=DF) / UDP(40000, 161)
	 * / b"dutlab" with the addresses swapped: the same checksums, RFC 1071 being symmetric */
	assert_int_equal(built.bytes[28 + 10] << 8 | built.bytes[28 + 11], 0x886f);
	assert_int_equal(built.bytes[48 + 6] << 8 | built.bytes[48 + 7], 0x8884);
	assert_int_equal(model_checksum(built.bytes + 20, 42, NULL, 0), 0);
	assert_int_equal(model_checksum(built.bytes, 20, NULL, 0), 0);

	/* parsed back: the quoted datagram is whole, so its UDP layer is parsed too */
	parse_back();
	model_assert_same(&built, &parsed);
	int quoted =
		packet_find(&parsed, "ipv4.source", packet_find(&parsed, "icmpv4.invoking", 0));
	assert_memory_equal(parsed.bytes + parsed.fields[quoted].offset, &inner.source, 4);
	assert_int_equal(parsed.layer_count, 4);
	assert_ptr_equal(parsed.layers[3].model, &udp_layer);

	/* a quoted UDP whose length is wrong (the DUT quoting one of our mutated datagrams) is
	 * kept as bytes, and the error message still parses */
	int udp_length = packet_find(&built, "udp.length", 0);
	packet_put(&built, udp_length, 15);
	packet_freeze(&built, udp_length);
	assert_int_equal(packet_finish(&built, &err), 0);
	parse_back();
	assert_int_equal(parsed.layer_count, 3);
	int data = packet_find(&parsed, "ipv4.payload", 0);
	assert_int_equal(parsed.fields[data].size, 14);
	assert_int_equal(parsed.fields[data].offset, 48);
	assert_int_equal(parsed.length, 62);
	assert_int_equal(parsed.fields[packet_find(&parsed, "icmpv4", 0)].size, 42);
}

/* The other messages with the invoking packet given as bytes. */
static void test_errors_with_bytes(void **state)
{
	(void)state;
	/* scapy's UDP datagram of test-udp-tcp, cut to header + 8 bytes as RFC 792 asks */
	static const uint8_t quoted[28] = {
		0x45, 0x00, 0x00, 0x22, 0x12, 0x34, 0x40, 0x00, 0x40, 0x11, 0x88, 0x6f, 0xc6, 0x12,
		0x0a, 0x01, 0xc6, 0x12, 0x0a, 0x02, 0x9c, 0x40, 0x00, 0xa1, 0x00, 0x0e, 0x88, 0x84,
	};
	struct dl_error err = {0};
	struct icmpv4_fields f = {.type = ICMPV4_REDIRECT,
				  .code = 1,
				  .gateway = addr("198.18.10.254"),
				  .data = quoted,
				  .data_length = sizeof(quoted)};
	build(&built, &f);
	assert_int_equal(packet_finish(&built, &err), 0);
	const uint8_t gateway[4] = {198, 18, 10, 254};
	assert_memory_equal(built.bytes + 24, gateway, 4);
	assert_int_equal(model_checksum(built.bytes + 20, built.length - 20, NULL, 0), 0);
	parse_back();
	model_assert_same(&built, &parsed);
	/* quoted total length 34, only 28 bytes carried */
	assert_int_equal(
		model_get(&parsed, "ipv4.total_length", packet_find(&parsed, "icmpv4.invoking", 0)),
		34);

	f = (struct icmpv4_fields){.type = ICMPV4_PARAMETER_PROBLEM,
				   .pointer = 9,
				   .data = quoted,
				   .data_length = sizeof(quoted)};
	build(&built, &f);
	assert_int_equal(packet_finish(&built, &err), 0);
	assert_int_equal(built.bytes[24], 9);
	parse_back();
	model_assert_same(&built, &parsed);
	assert_int_equal(model_get(&parsed, "icmpv4.pointer", 0), 9);

	f = (struct icmpv4_fields){
		.type = ICMPV4_TIME_EXCEEDED, .data = (const uint8_t *)"garbage", .data_length = 7};
	build(&built, &f);
	assert_int_equal(packet_finish(&built, &err), 0);
	parse_back();
	model_assert_same(&built, &parsed);
	assert_true(packet_find(&parsed, "icmpv4.invoking.data", 0) != PACKET_NONE);

	f = (struct icmpv4_fields){.type = ICMPV4_UNREACHABLE,
				   .code = 4,
				   .next_hop_mtu = 1280,
				   .data = quoted,
				   .data_length = sizeof(quoted)};
	build(&built, &f);
	assert_int_equal(packet_finish(&built, &err), 0);
	assert_int_equal(model_get(&built, "icmpv4.next_hop_mtu", 0), 1280);
	parse_back();
	model_assert_same(&built, &parsed);
}

static void expect_refused(const uint8_t *bytes, size_t length, const char *reason)
{
	char message[256] = "";
	assert_int_equal(model_parse_ip(&parsed, bytes, length, message, sizeof(message)),
			 DL_EPROTO);
	if (!strstr(message, reason))
		fail_msg("expected '%s' in '%s'", reason, message);
}

static void test_malformed(void **state)
{
	(void)state;
	struct icmpv4_fields f = {.type = ICMPV4_TIMESTAMP};
	struct dl_error err = {0};
	build(&built, &f);
	assert_int_equal(packet_finish(&built, &err), 0);
	uint8_t b[40];
	memcpy(b, built.bytes, 40);
	b[3] = 27; /* an ICMP message of 7 bytes */
	expect_refused(b, 27, "shorter than the 8-byte ICMP header");
	b[3] = 36;
	expect_refused(b, 36, "timestamp message is shorter than 20 bytes");
	b[20] = ICMPV4_MASK_REQUEST;
	b[3] = 31;
	expect_refused(b, 31, "address mask message is shorter than 12 bytes");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_echo_vector),        cmocka_unit_test(test_timestamp_vector),
		cmocka_unit_test(test_unreachable_nested), cmocka_unit_test(test_errors_with_bytes),
		cmocka_unit_test(test_malformed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
