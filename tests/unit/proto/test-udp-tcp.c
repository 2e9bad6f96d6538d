/* test-udp-tcp: UDP and TCP over IPv4 and IPv6 pseudo-headers against scapy vectors */
#include "core/compat.h"

#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>

#include "core/error.h"
#include "model-check.h"
#include "proto/cursor.h"
#include "proto/ipv4.h"
#include "proto/ipv6.h"
#include "proto/layer.h"
#include "proto/packet.h"
#include "proto/tcp.h"
#include "proto/udp.h"

static struct packet built, parsed;

static struct in_addr addr(const char *text)
{
	struct in_addr a;
	assert_int_equal(inet_pton(AF_INET, text, &a), 1);
	return a;
}

/* scapy 2.5: IP(src="198.18.10.1", dst="198.18.10.2", id=0x1234, ttl=64, flags="DF") /
 * UDP(sport=40000, dport=161) / b"dutlab" */
static const uint8_t udp_vector[] = {
	0x45, 0x00, 0x00, 0x22, 0x12, 0x34, 0x40, 0x00, 0x40, 0x11, 0x88, 0x6f,
	0xc6, 0x12, 0x0a, 0x01, 0xc6, 0x12, 0x0a, 0x02, 0x9c, 0x40, 0x00, 0xa1,
	0x00, 0x0e, 0x88, 0x84, 0x64, 0x75, 0x74, 0x6c, 0x61, 0x62,
};

static void build_udp(struct packet *p, const uint8_t *payload, size_t length, bool no_checksum)
{
	struct ipv4_fields ip = {
		.identification = 0x1234,
		.flags = IPV4_FLAG_DF,
		.source = addr("198.18.10.1"),
		.destination = addr("198.18.10.2"),
	};
	struct udp_fields u = {.source_port = 40000,
			       .destination_port = 161,
			       .payload = payload,
			       .payload_length = length,
			       .no_checksum = no_checksum};
	struct dl_error err = {0};
	packet_init(p);
	assert_int_equal(ipv4_build(p, &ip), 0);
	assert_int_equal(udp_build(p, &u), 0);
	assert_int_equal(packet_finish(p, &err), 0);
}

static void parse_back(void)
{
	char message[256] = "";
	if (model_parse_ip(&parsed, built.bytes, built.length, message, sizeof(message)) != 0)
		fail_msg("parse: %s", message);
}

static void test_udp_vector(void **state)
{
	(void)state;
	build_udp(&built, (const uint8_t *)"dutlab", 6, false);
	assert_int_equal(built.length, sizeof(udp_vector));
	assert_memory_equal(built.bytes, udp_vector, sizeof(udp_vector));
	/* independently: RFC 768 pseudo-header + UDP, summing to zero with the checksum */
	const uint8_t pseudo[12] = {198, 18, 10, 1, 198, 18, 10, 2, 0, 17, 0, 14};
	assert_int_equal(model_checksum(built.bytes + 20, 14, pseudo, sizeof(pseudo)), 0);
	int length = packet_find(&built, "udp.length", 0);
	assert_int_equal(built.fields[length].kind, FIELD_LENGTH);
	assert_int_equal(built.fields[length].target, built.layers[1].element);
	parse_back();
	model_assert_same(&built, &parsed);
}

static void test_udp_checksum_zero_and_ones(void **state)
{
	(void)state;
	/* over IPv4 a zero checksum means "none" (RFC 768) and stays zero */
	build_udp(&built, (const uint8_t *)"dutlab", 6, true);
	assert_int_equal(built.bytes[26], 0);
	assert_int_equal(built.bytes[27], 0);
	parse_back();
	model_assert_same(&built, &parsed);
	assert_int_equal(parsed.layers[1].slots[UDP_SLOT_CHECKSUM], PACKET_NONE);
	/* a computed zero is sent as 0xffff: pick the data word that makes the sum 0xffff, which
	 * is the checksum of the same datagram with a zero word */
	uint8_t word[2] = {0, 0};
	build_udp(&built, word, 2, false);
	uint16_t c0 = (uint16_t)(built.bytes[26] << 8 | built.bytes[27]);
	word[0] = (uint8_t)(c0 >> 8);
	word[1] = (uint8_t)c0;
	build_udp(&built, word, 2, false);
	assert_int_equal(built.bytes[26] << 8 | built.bytes[27], 0xffff);
}

/* scapy 2.5: IP(src="198.18.10.1", dst="198.18.10.2", id=1, ttl=64) / TCP(sport=40001,
 * dport=443, seq=0x01020304, flags="S", window=64240, options=[("MSS", 1460), ("SAckOK", b""),
 * ("Timestamp", (1000, 0)), ("NOP", None), ("WScale", 7)]) */
static const uint8_t tcp_vector[] = {
	0x45, 0x00, 0x00, 0x3c, 0x00, 0x01, 0x00, 0x00, 0x40, 0x06, 0xda, 0x93, 0xc6, 0x12, 0x0a,
	0x01, 0xc6, 0x12, 0x0a, 0x02, 0x9c, 0x41, 0x01, 0xbb, 0x01, 0x02, 0x03, 0x04, 0x00, 0x00,
	0x00, 0x00, 0xa0, 0x02, 0xfa, 0xf0, 0x06, 0xfd, 0x00, 0x00, 0x02, 0x04, 0x05, 0xb4, 0x04,
	0x02, 0x08, 0x0a, 0x00, 0x00, 0x03, 0xe8, 0x00, 0x00, 0x00, 0x00, 0x01, 0x03, 0x03, 0x07,
};

static void test_tcp_syn_vector(void **state)
{
	(void)state;
	const struct tcp_option options[] = {
		{.kind = TCP_OPT_MSS, .values = {1460}},           {.kind = TCP_OPT_SACK_PERMITTED},
		{.kind = TCP_OPT_TIMESTAMPS, .values = {1000, 0}}, {.kind = TCP_OPT_NOP},
		{.kind = TCP_OPT_WINDOW_SCALE, .values = {7}},
	};
	struct ipv4_fields ip = {
		.identification = 1,
		.source = addr("198.18.10.1"),
		.destination = addr("198.18.10.2"),
	};
	struct tcp_fields t = {.source_port = 40001,
			       .destination_port = 443,
			       .sequence = 0x01020304,
			       .options = options,
			       .option_count = DL_ARRAY_SIZE(options)};
	struct dl_error err = {0};
	packet_init(&built);
	assert_int_equal(ipv4_build(&built, &ip), 0);
	assert_int_equal(tcp_build(&built, &t), 0);
	assert_int_equal(packet_finish(&built, &err), 0);
	assert_int_equal(built.length, sizeof(tcp_vector));
	assert_memory_equal(built.bytes, tcp_vector, sizeof(tcp_vector));
	int offset = packet_find(&built, "tcp.data_offset", 0);
	assert_int_equal(packet_get(&built, offset), 10);
	assert_int_equal(built.fields[offset].unit, 4);
	assert_int_equal(model_get(&built, "tcp.flags", 0), TCP_FLAG_SYN);
	assert_int_equal(model_get(&built, "tcp.option.mss_value", 0), 1460);
	assert_int_equal(model_get(&built, "tcp.option.shift", 0), 7);
	assert_int_equal(model_get(&built, "tcp.option.tsval", 0), 1000);
	parse_back();
	model_assert_same(&built, &parsed);

	/* reserved flag bits, SACK blocks, padding and a payload survive the round trip */
	const struct tcp_option more[] = {
		{.kind = TCP_OPT_SACK, .value_count = 4, .values = {10, 20, 30, 40}},
		{.kind = TCP_OPT_NOP},
	};
	t.flags = TCP_FLAG_ACK | TCP_FLAG_PSH | 0x100u;
	t.acknowledgment = 77;
	t.options = more;
	t.option_count = 2;
	t.payload = (const uint8_t *)"GET / HTTP/1.0\r\n\r\n";
	t.payload_length = 18;
	/* a port no model reads: the payload stays tcp.payload (443's is the TLS model's) */
	t.destination_port = 80;
	packet_init(&built);
	assert_int_equal(ipv4_build(&built, &ip), 0);
	assert_int_equal(tcp_build(&built, &t), 0);
	assert_int_equal(packet_finish(&built, &err), 0);
	/* 18 option bytes + 1 NOP + EOL + 0 padding... 19 -> 20 */
	assert_int_equal(built.length, 20 + 40 + 18);
	assert_int_equal(built.bytes[32] >> 4, 10);
	assert_int_equal(built.bytes[32] & 15, 1); /* a reserved bit */
	const uint8_t pseudo[12] = {198, 18, 10, 1, 198, 18, 10, 2, 0, 6, 0, 58};
	assert_int_equal(model_checksum(built.bytes + 20, 58, pseudo, sizeof(pseudo)), 0);
	parse_back();
	model_assert_same(&built, &parsed);

	const struct tcp_option bad[] = {{.kind = TCP_OPT_SACK, .value_count = 3}};
	t.options = bad;
	t.option_count = 1;
	packet_init(&built);
	assert_int_equal(tcp_build(&built, &t), DL_EINVAL);
}

/* A stand-in IPv6 layer with the agreed slots (ipv4.h IP_SLOT_*), so the pseudo-header is
 * tested without ipv6.c; checked against scapy 2.5: IPv6(src="fd00:198:0:10::1",
 * dst="fd00:198:0:10::2") / UDP(sport=40000, dport=161) / b"dutlab" and / TCP(sport=40001,
 * dport=22, seq=5, flags="S", window=64240, options=[("MSS", 1440)]). */
static const struct proto_layer fake_ipv6 = {.name = "ipv6", .title = "IPv6 stand-in"};

static void begin_ipv6(struct packet *p)
{
	struct in6_addr s, d;
	assert_int_equal(inet_pton(AF_INET6, "fd00:198:0:10::1", &s), 1);
	assert_int_equal(inet_pton(AF_INET6, "fd00:198:0:10::2", &d), 1);
	packet_init(p);
	int layer = packet_layer_begin(p, &fake_ipv6, "ipv6");
	uint32_t o = packet_append(p, 40);
	p->layers[layer].slots[IP_SLOT_SOURCE] =
		(int16_t)packet_field_bytes(p, "ipv6.source", FIELD_ADDRESS, o + 8, &s, 16, 0);
	p->layers[layer].slots[IP_SLOT_DESTINATION] = (int16_t)packet_field_bytes(
		p, "ipv6.destination", FIELD_ADDRESS, o + 24, &d, 16, 0);
}

static void test_over_ipv6(void **state)
{
	(void)state;
	struct dl_error err = {0};
	begin_ipv6(&built);
	struct udp_fields u = {.source_port = 40000,
			       .destination_port = 161,
			       .payload = (const uint8_t *)"dutlab",
			       .payload_length = 6};
	assert_int_equal(udp_build(&built, &u), 0);
	assert_int_equal(packet_finish(&built, &err), 0);
	const uint8_t udp[] = {0x9c, 0x40, 0x00, 0xa1, 0x00, 0x0e, 0x2b,
			       0x58, 0x64, 0x75, 0x74, 0x6c, 0x61, 0x62};
	assert_memory_equal(built.bytes + 40, udp, sizeof(udp));

	begin_ipv6(&built);
	const struct tcp_option mss[] = {{.kind = TCP_OPT_MSS, .values = {1440}}};
	struct tcp_fields t = {.source_port = 40001,
			       .destination_port = 22,
			       .sequence = 5,
			       .options = mss,
			       .option_count = 1};
	assert_int_equal(tcp_build(&built, &t), 0);
	assert_int_equal(packet_finish(&built, &err), 0);
	const uint8_t tcp[] = {0x9c, 0x41, 0x00, 0x16, 0x00, 0x00, 0x00, 0x05,
			       0x00, 0x00, 0x00, 0x00, 0x60, 0x02, 0xfa, 0xf0,
			       0x03, 0x99, 0x00, 0x00, 0x02, 0x04, 0x05, 0xa0};
	assert_memory_equal(built.bytes + 40, tcp, sizeof(tcp));

	/* and under ipv6.c's real layer: the same bytes; a frozen payload length of 20 makes the
	 * TCP checksum cover the 20 bytes a receiver reads (RFC 8200 8.1 upper-layer length) */
	struct ipv6_fields ip6 = {0};
	assert_int_equal(inet_pton(AF_INET6, "fd00:198:0:10::1", &ip6.source), 1);
	assert_int_equal(inet_pton(AF_INET6, "fd00:198:0:10::2", &ip6.destination), 1);
	packet_init(&built);
	assert_int_equal(ipv6_build(&built, &ip6), 0);
	assert_int_equal(udp_build(&built, &u), 0);
	assert_int_equal(packet_finish(&built, &err), 0);
	assert_int_equal(built.bytes[6], 17); /* next header derived from the UDP layer */
	assert_memory_equal(built.bytes + 40, udp, sizeof(udp));
	packet_init(&built);
	assert_int_equal(ipv6_build(&built, &ip6), 0);
	assert_int_equal(tcp_build(&built, &t), 0);
	assert_int_equal(packet_finish(&built, &err), 0);
	assert_memory_equal(built.bytes + 40, tcp, sizeof(tcp));
	int length = packet_find(&built, "ipv6.payload_length", 0);
	packet_put(&built, length, 20);
	packet_freeze(&built, length);
	assert_int_equal(packet_finish(&built, &err), 0);
	uint8_t pseudo[40] = {0};
	memcpy(pseudo, &ip6.source, 16);
	memcpy(pseudo + 16, &ip6.destination, 16);
	pseudo[35] = 20;
	pseudo[39] = 6;
	assert_int_equal(model_checksum(built.bytes + 40, 20, pseudo, sizeof(pseudo)), 0);
}

/* A mutated length left frozen: the checksums cover what a receiver reads by that length, so
 * the DUT meets the length anomaly instead of dropping the frame for its checksum. */
static void test_checksums_follow_frozen_lengths(void **state)
{
	(void)state;
	struct dl_error err = {0};
	/* IHL 5 -> 6: the header checksum covers 24 bytes (RFC 791 3.1) */
	build_udp(&built, (const uint8_t *)"dutlab", 6, false);
	int ihl = packet_find(&built, "ipv4.ihl", 0);
	packet_put(&built, ihl, 6);
	packet_freeze(&built, ihl);
	assert_int_equal(packet_finish(&built, &err), 0);
	assert_int_equal(model_checksum(built.bytes, 24, NULL, 0), 0);
	assert_int_not_equal(model_checksum(built.bytes, 20, NULL, 0), 0);

	/* UDP length 14 -> 10: the receiver trims the datagram to 10 bytes (RFC 768) */
	build_udp(&built, (const uint8_t *)"dutlab", 6, false);
	int length = packet_find(&built, "udp.length", 0);
	packet_put(&built, length, 10);
	packet_freeze(&built, length);
	assert_int_equal(packet_finish(&built, &err), 0);
	const uint8_t pseudo10[12] = {198, 18, 10, 1, 198, 18, 10, 2, 0, 17, 0, 10};
	assert_int_equal(model_checksum(built.bytes + 20, 10, pseudo10, sizeof(pseudo10)), 0);
	/* over the IP payload, 0 or past it: the datagram as the IP layer carries it */
	packet_put(&built, length, 200);
	assert_int_equal(packet_finish(&built, &err), 0);
	const uint8_t pseudo14[12] = {198, 18, 10, 1, 198, 18, 10, 2, 0, 17, 0, 14};
	assert_int_equal(model_checksum(built.bytes + 20, 14, pseudo14, sizeof(pseudo14)), 0);

	/* IPv4 total length 60 -> 50 under a TCP SYN: TCP sums the 30 bytes the IP carries */
	const struct tcp_option mss[] = {{.kind = TCP_OPT_MSS, .values = {1460}}};
	struct ipv4_fields ip = {.source = addr("198.18.10.1"), .destination = addr("198.18.10.2")};
	struct tcp_fields t = {.destination_port = 22,
			       .options = mss,
			       .option_count = 1,
			       .payload = (const uint8_t *)"0123456789abcdef",
			       .payload_length = 16};
	packet_init(&built);
	assert_int_equal(ipv4_build(&built, &ip), 0);
	assert_int_equal(tcp_build(&built, &t), 0);
	int total = packet_find(&built, "ipv4.total_length", 0);
	packet_put(&built, total, 50);
	packet_freeze(&built, total);
	assert_int_equal(packet_finish(&built, &err), 0);
	assert_int_equal(built.length, 60);
	const uint8_t pseudo30[12] = {198, 18, 10, 1, 198, 18, 10, 2, 0, 6, 0, 30};
	assert_int_equal(model_checksum(built.bytes + 20, 30, pseudo30, sizeof(pseudo30)), 0);
	/* total length 0 ("TSO", or a mutation) says nothing: the whole segment */
	packet_put(&built, total, 0);
	assert_int_equal(packet_finish(&built, &err), 0);
	const uint8_t pseudo40[12] = {198, 18, 10, 1, 198, 18, 10, 2, 0, 6, 0, 40};
	assert_int_equal(model_checksum(built.bytes + 20, 40, pseudo40, sizeof(pseudo40)), 0);
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
	uint8_t b[sizeof(tcp_vector)];
	memcpy(b, udp_vector, sizeof(udp_vector));
	b[25] = 7;
	expect_refused(b, sizeof(udp_vector), "UDP length is under the 8-byte header");
	b[25] = 15;
	expect_refused(b, sizeof(udp_vector), "UDP length passes the end of the IP payload");
	b[3] = 27;
	expect_refused(b, 27, "shorter than the 8-byte UDP header");

	memcpy(b, tcp_vector, sizeof(tcp_vector));
	b[32] = 0x40 | (b[32] & 15);
	expect_refused(b, sizeof(b), "data offset is under 5 words");
	b[32] = 0xb0;
	expect_refused(b, sizeof(b), "data offset passes the end of the segment");
	b[32] = 0xa0;
	b[41] = 3;
	expect_refused(b, sizeof(b), "MSS option length is not 4");
	b[41] = 4;
	b[45] = 3;
	expect_refused(b, sizeof(b), "SACK-permitted option length is not 2");
	b[45] = 2;
	b[47] = 9;
	expect_refused(b, sizeof(b), "timestamps option length is not 10");
	b[47] = 10;
	b[58] = 2;
	expect_refused(b, sizeof(b), "window scale option length is not 3");
	b[58] = 9;
	expect_refused(b, sizeof(b), "option length passes the header's end");
	b[58] = 3;
	b[56] = TCP_OPT_SACK; /* NOP -> SACK with length 3 */
	expect_refused(b, sizeof(b), "SACK option length is not 2 + 8n");
	b[56] = 1;
	b[3] = 39;
	expect_refused(b, 39, "shorter than the 20-byte TCP header");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_udp_vector),
		cmocka_unit_test(test_udp_checksum_zero_and_ones),
		cmocka_unit_test(test_tcp_syn_vector),
		cmocka_unit_test(test_over_ipv6),
		cmocka_unit_test(test_checksums_follow_frozen_lengths),
		cmocka_unit_test(test_malformed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
