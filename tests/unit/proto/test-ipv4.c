/* test-ipv4: IPv4 header, options and fragments against hand-checked and scapy vectors */
#include "core/compat.h"

#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>

#include "core/error.h"
#include "fuzz/templates.h"
#include "model-check.h"
#include "proto/cursor.h"
#include "proto/ipv4.h"
#include "proto/layer.h"
#include "proto/packet.h"
#include "proto/udp.h"

static struct packet built, parsed;
static struct packet frames[8];

static struct in_addr addr(const char *text)
{
	struct in_addr a;
	assert_int_equal(inet_pton(AF_INET, text, &a), 1);
	return a;
}

/* The header of the worked example in Wikipedia's "Internet checksum" article (and RFC 1071's
 * method): 4500 0073 0000 4000 4011 xxxx c0a8 0001 c0a8 00c7 has checksum b861. */
static void test_header_checksum_example(void **state)
{
	(void)state;
	struct dl_error err = {0};
	packet_init(&built);
	struct ipv4_fields f = {
		.flags = IPV4_FLAG_DF,
		.protocol = 17,
		.source = addr("192.168.0.1"),
		.destination = addr("192.168.0.199"),
	};
	assert_int_equal(ipv4_build(&built, &f), 0);
	packet_append(&built, 0x73 - 20); /* an opaque payload: total length 0x73 */
	assert_int_equal(packet_finish(&built, &err), 0);
	const uint8_t expect[] = {0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11,
				  0xb8, 0x61, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7};
	assert_memory_equal(built.bytes, expect, sizeof(expect));
	assert_int_equal(model_get(&built, "ipv4.ihl", 0), 5);
	assert_int_equal(model_get(&built, "ipv4.total_length", 0), 0x73);
	assert_int_equal(model_get(&built, "ipv4.flags", 0), IPV4_FLAG_DF);
	int checksum = packet_find(&built, "ipv4.checksum", 0);
	assert_int_equal(built.fields[checksum].kind, FIELD_CHECKSUM);
	assert_int_equal(built.fields[built.fields[checksum].target].size, 20);
	assert_true(built.fields[packet_find(&built, "ipv4.source", 0)].flags & FIELD_KEY);

	/* a frozen checksum stays as the mutation set it; the rest is still derived */
	packet_put(&built, checksum, 0xdead);
	packet_freeze(&built, checksum);
	assert_int_equal(packet_finish(&built, &err), 0);
	assert_int_equal(packet_get(&built, checksum), 0xdead);
}

/* RFC 2113 Router Alert + RFC 791 Timestamp (two empty slots) + UDP 40000 -> 9, compared with
 * scapy 2.5: IP(src="198.18.10.1", dst="198.18.10.2", id=4, ttl=1, options=[
 * IPOption_Router_Alert(), IPOption(b"\x44\x0c\x05\x00" + b"\0" * 8)]) / UDP(sport=40000,
 * dport=9). Its Timestamp leaves 0 padding bytes. */
static const uint8_t options_vector[] = {
	0x49, 0x00, 0x00, 0x2c, 0x00, 0x04, 0x00, 0x00, 0x01, 0x11, 0x38, 0x85, 0xc6, 0x12, 0x0a,
	0x01, 0xc6, 0x12, 0x0a, 0x02, 0x94, 0x04, 0x00, 0x00, 0x44, 0x0c, 0x05, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x9c, 0x40, 0x00, 0x09, 0x00, 0x08, 0xc3, 0x6c,
};

static void build_options(struct packet *p)
{
	static const uint8_t slots[8] = {0};
	const struct ipv4_option options[] = {
		{.type = IPV4_OPT_ROUTER_ALERT},
		{.type = IPV4_OPT_TIMESTAMP, .data = slots, .data_length = sizeof(slots)},
	};
	struct ipv4_fields f = {
		.identification = 4,
		.ttl = 1,
		.source = addr("198.18.10.1"),
		.destination = addr("198.18.10.2"),
		.options = options,
		.option_count = 2,
	};
	struct udp_fields u = {.source_port = 40000, .destination_port = 9};
	struct dl_error err = {0};
	packet_init(p);
	assert_int_equal(ipv4_build(p, &f), 0);
	assert_int_equal(udp_build(p, &u), 0);
	assert_int_equal(packet_finish(p, &err), 0);
}

static void test_options_vector(void **state)
{
	(void)state;
	build_options(&built);
	assert_int_equal(built.length, sizeof(options_vector));
	assert_memory_equal(built.bytes, options_vector, sizeof(options_vector));
	/* the protocol was derived from the UDP layer */
	assert_int_equal(model_get(&built, "ipv4.protocol", 0), 17);
	int ra = packet_find(&built, "ipv4.option.router_alert", 0);
	int ts = packet_find(&built, "ipv4.option.timestamp", 0);
	assert_true(ra != PACKET_NONE && ts != PACKET_NONE);
	assert_int_equal(built.fields[ra].size, 4);
	assert_int_equal(built.fields[ts].size, 12);
	assert_true(built.fields[ts].flags & FIELD_REPEATABLE);
	assert_int_equal(built.fields[built.fields[ts].parent].kind, FIELD_LIST);
	int length = packet_find(&built, "ipv4.option.length", ts);
	assert_int_equal(built.fields[length].target, ts);
	assert_int_equal(model_get(&built, "ipv4.option.pointer", ts), 5);
	assert_int_equal(model_get(&built, "ipv4.option.ts_flag", ts), 0);
	int ihl = packet_find(&built, "ipv4.ihl", 0);
	assert_int_equal(built.fields[ihl].unit, 4);
	assert_int_equal(packet_get(&built, ihl), 9);

	char message[256] = "";
	assert_int_equal(
		model_parse_ip(&parsed, built.bytes, built.length, message, sizeof(message)), 0);
	model_assert_same(&built, &parsed);
}

static void test_padding_and_record_route(void **state)
{
	(void)state;
	static const uint8_t route[8] = {0};
	const struct ipv4_option options[] = {
		{.type = IPV4_OPT_NOP},
		{.type = IPV4_OPT_RECORD_ROUTE, .data = route, .data_length = sizeof(route)},
		{.type = IPV4_OPT_SECURITY},
	};
	struct ipv4_fields f = {
		.source = addr("198.18.10.1"),
		.destination = addr("198.18.10.2"),
		.protocol = 253, /* RFC 3692 experimental: no layer follows */
		.options = options,
		.option_count = 3,
	};
	struct dl_error err = {0};
	packet_init(&built);
	assert_int_equal(ipv4_build(&built, &f), 0);
	assert_int_equal(packet_finish(&built, &err), 0);
	/* 1 + 11 + 3 = 15 option bytes: one EOL pads to 16, IHL 9 */
	assert_int_equal(built.length, 36);
	assert_int_equal(built.bytes[0], 0x49);
	/* NOP; Record Route 07 0b 04 + two empty slots; Security 82 03 ab (Unclassified); EOL */
	assert_int_equal(built.bytes[20], 0x01);
	assert_int_equal(built.bytes[21], 0x07);
	assert_int_equal(built.bytes[22], 0x0b);
	assert_int_equal(built.bytes[23], 0x04);
	assert_int_equal(built.bytes[32], 0x82);
	assert_int_equal(built.bytes[33], 0x03);
	assert_int_equal(built.bytes[34], 0xab);
	assert_int_equal(built.bytes[35], 0x00);
	assert_true(packet_find(&built, "ipv4.option.eol", 0) != PACKET_NONE);
	assert_int_equal(packet_find(&built, "ipv4.padding", 0), PACKET_NONE);
	assert_int_equal(model_checksum(built.bytes, 36, NULL, 0), 0);
	char message[256] = "";
	assert_int_equal(
		model_parse_ip(&parsed, built.bytes, built.length, message, sizeof(message)), 0);
	model_assert_same(&built, &parsed);

	/* options past 40 bytes, or a route not in 4-byte slots, are refused */
	static const uint8_t big[40] = {0};
	const struct ipv4_option too_long[] = {
		{.type = IPV4_OPT_RECORD_ROUTE, .data = big, .data_length = 40}};
	f.options = too_long;
	f.option_count = 1;
	packet_init(&built);
	assert_int_equal(ipv4_build(&built, &f), DL_EINVAL);
	assert_int_equal(packet_finish(&built, &err), DL_ENOMEM);
	const struct ipv4_option odd[] = {
		{.type = IPV4_OPT_RECORD_ROUTE, .data = big, .data_length = 5}};
	f.options = odd;
	packet_init(&built);
	assert_int_equal(ipv4_build(&built, &f), DL_EINVAL);
}

/* A UDP datagram with 100 bytes of data under Router Alert (copied) and Record Route (not). */
static void build_big(struct packet *p, uint8_t *payload)
{
	static const uint8_t route[4] = {0};
	const struct ipv4_option options[] = {
		{.type = IPV4_OPT_ROUTER_ALERT},
		{.type = IPV4_OPT_RECORD_ROUTE, .data = route, .data_length = 4},
	};
	for (int i = 0; i < 100; i++)
		payload[i] = (uint8_t)(i * 7 + 1);
	struct ipv4_fields f = {
		.identification = 0x4242,
		.source = addr("198.18.10.1"),
		.destination = addr("198.18.10.2"),
		.options = options,
		.option_count = 2,
	};
	struct udp_fields u = {.source_port = 1000,
			       .destination_port = 2000,
			       .payload = payload,
			       .payload_length = 100};
	struct dl_error err = {0};
	packet_init(p);
	assert_int_equal(ipv4_build(p, &f), 0);
	assert_int_equal(udp_build(p, &u), 0);
	assert_int_equal(packet_finish(p, &err), 0);
}

static void assert_valid_fragment(const struct packet *fr, size_t header, uint32_t offset,
				  bool more, uint32_t length)
{
	assert_int_equal(fr->bytes[0] & 15, header / 4);
	assert_int_equal(fr->bytes[2] << 8 | fr->bytes[3], header + length);
	assert_int_equal(fr->length, header + length);
	uint16_t word = (uint16_t)(fr->bytes[6] << 8 | fr->bytes[7]);
	assert_int_equal(word & 0x1fff, offset / 8);
	assert_int_equal(!!(word & 0x2000), more);
	assert_int_equal(fr->bytes[4] << 8 | fr->bytes[5], 0x4242);
	assert_int_equal(model_checksum(fr->bytes, header, NULL, 0), 0);
	/* each fragment parses (it is not dissected further); a "last" fragment at offset 0 is a
	 * whole datagram whose UDP length then passes its end */
	char message[256] = "";
	int rc = model_parse_ip(&parsed, fr->bytes, fr->length, message, sizeof(message));
	if (offset == 0 && !more) {
		assert_int_equal(rc, DL_EPROTO);
		assert_non_null(strstr(message, "UDP length passes the end of the IP payload"));
	} else {
		assert_int_equal(rc, 0);
		assert_int_equal(parsed.layer_count, 1);
	}
}

static void test_fragment_even_reassembles(void **state)
{
	(void)state;
	uint8_t payload[100];
	build_big(&built, payload);
	/* header 20 + RA 4 + RR 7 + EOL = 32; IP payload = 8 + 100 */
	assert_int_equal(built.length, 32 + 108);
	struct ipv4_fragment_range ranges[8];
	size_t n, count;
	struct dl_error err = {0};
	assert_int_equal(ipv4_fragment_even(&built, 48, ranges, 8, &n, &err), 0);
	assert_int_equal(n, 3);
	assert_int_equal(ipv4_fragment(&built, ranges, n, frames, 8, &count, &err), 0);
	assert_int_equal(count, 3);
	uint8_t whole[108] = {0};
	bool seen[108] = {false};
	for (size_t i = 0; i < count; i++) {
		/* RFC 791 3.2: Record Route only in the first fragment, Router Alert in all */
		size_t header = i == 0 ? 32 : 24;
		uint32_t length = i == 2 ? 12 : 48;
		assert_valid_fragment(&frames[i], header, ranges[i].offset, i < 2, length);
		assert_int_equal(frames[i].bytes[20], IPV4_OPT_ROUTER_ALERT);
		assert_int_equal(
			packet_find(&frames[i], "ipv4.option.record_route", 0) != PACKET_NONE &&
				!(frames[i]
					  .fields[packet_find(&frames[i],
							      "ipv4.option.record_route", 0)]
					  .flags &
				  FIELD_REMOVED),
			i == 0);
		memcpy(whole + ranges[i].offset, frames[i].bytes + header, length);
		for (uint32_t b = 0; b < length; b++)
			seen[ranges[i].offset + b] = true;
	}
	for (size_t b = 0; b < sizeof(seen); b++)
		assert_true(seen[b]);
	assert_memory_equal(whole, built.bytes + 32, 108);
	/* the UDP header in fragment 0 still carries the whole datagram's length and checksum */
	assert_int_equal(frames[0].bytes[36] << 8 | frames[0].bytes[37], 108);
	assert_memory_equal(frames[0].bytes + 32, built.bytes + 32, 8);
}

static void test_fragment_overlap_and_gap(void **state)
{
	(void)state;
	uint8_t payload[100];
	build_big(&built, payload);
	struct dl_error err = {0};
	size_t count;
	/* overlap: 0..48 and 40..108, the second rewriting bytes 40..47 */
	const struct ipv4_fragment_range overlap[] = {{0, 48, 0}, {40, 68, 0}};
	assert_int_equal(ipv4_fragment(&built, overlap, 2, frames, 8, &count, &err), 0);
	assert_int_equal(count, 2);
	assert_valid_fragment(&frames[0], 32, 0, true, 48);
	assert_valid_fragment(&frames[1], 24, 40, false, 68);
	assert_memory_equal(frames[1].bytes + 24, built.bytes + 32 + 40, 68);
	/* gap: 0..16 and 32..108, bytes 16..31 never sent; a forced MF on the last */
	const struct ipv4_fragment_range gap[] = {{0, 16, 0}, {32, 76, IPV4_FRAGMENT_MORE}};
	assert_int_equal(ipv4_fragment(&built, gap, 2, frames, 8, &count, &err), 0);
	assert_valid_fragment(&frames[0], 32, 0, true, 16);
	assert_valid_fragment(&frames[1], 24, 32, true, 76);
	/* a last fragment forced first */
	const struct ipv4_fragment_range last[] = {{0, 16, IPV4_FRAGMENT_LAST}};
	assert_int_equal(ipv4_fragment(&built, last, 1, frames, 8, &count, &err), 0);
	assert_valid_fragment(&frames[0], 32, 0, false, 16);

	const struct ipv4_fragment_range odd[] = {{4, 16, 0}};
	assert_int_equal(ipv4_fragment(&built, odd, 1, frames, 8, &count, &err), DL_EINVAL);
	assert_non_null(strstr(err.message, "multiple of 8"));
	const struct ipv4_fragment_range past[] = {{104, 16, 0}};
	assert_int_equal(ipv4_fragment(&built, past, 1, frames, 8, &count, &err), DL_EINVAL);
	assert_int_equal(ipv4_fragment(&built, overlap, 2, frames, 1, &count, &err), DL_EINVAL);
	struct ipv4_fragment_range ranges[8];
	assert_int_equal(ipv4_fragment_even(&built, 12, ranges, 8, &count, &err), DL_EINVAL);
	assert_int_equal(ipv4_fragment_even(&built, 8, ranges, 8, &count, &err), DL_EINVAL);
	packet_init(&parsed);
	assert_int_equal(ipv4_fragment(&parsed, overlap, 2, frames, 8, &count, &err), DL_EINVAL);
	assert_non_null(strstr(err.message, "no IPv4 layer"));
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
	uint8_t b[sizeof(options_vector)];
	memcpy(b, options_vector, sizeof(b));
	expect_refused(b, 19, "shorter than the 20-byte IPv4 header");
	b[0] = 0x69;
	expect_refused(b, sizeof(b), "version is not 4");
	b[0] = 0x44;
	expect_refused(b, sizeof(b), "header length (IHL) is under 5 words");
	b[0] = 0x4f;
	expect_refused(b, sizeof(b), "header length (IHL) passes the end");
	b[0] = 0x49;
	b[3] = 35;
	expect_refused(b, sizeof(b), "total length is shorter than the header");
	b[3] = 45;
	expect_refused(b, sizeof(b), "total length passes the end of the frame");
	b[3] = 44;
	b[21] = 1;
	expect_refused(b, sizeof(b), "option length is under 2");
	b[21] = 17;
	expect_refused(b, sizeof(b), "option length passes the header's end");
	b[21] = 5;
	expect_refused(b, sizeof(b), "router alert / stream ID length is not 4");
	b[21] = 4;
	b[25] = 11;
	expect_refused(b, sizeof(b), "timestamp option length is not 4 + 4n");
	b[25] = 12;
	b[24] = IPV4_OPT_RECORD_ROUTE;
	expect_refused(b, sizeof(b), "route option length is not 3 + 4n");
	b[24] = 0x44;
	/* Ethernet padding after the datagram is not its payload */
	uint8_t padded[sizeof(options_vector) + 6] = {0};
	memcpy(padded, options_vector, sizeof(options_vector));
	char message[256] = "";
	assert_int_equal(model_parse_ip(&parsed, padded, sizeof(padded), message, sizeof(message)),
			 0);
	assert_int_equal(parsed.length, sizeof(options_vector));
	/* a quoted header may be cut short of its total length */
	struct cursor c;
	cursor_init(&c, options_vector, 40);
	packet_init(&parsed);
	struct layer_parse_result next;
	assert_int_equal(ipv4_parse_quoted(&parsed, &c, &next), 0);
	assert_int_equal(next.next, LAYER_NEXT_NONE);
	assert_int_equal(model_get(&parsed, "ipv4.total_length", 0), 44);
	int payload = packet_find(&parsed, "ipv4.payload", 0);
	assert_int_equal(parsed.fields[payload].size, 4);
}

/* Every template of template-ipv4.c, untagged and in a VLAN, dissects back (proto_dissect(),
 * through Ethernet and 802.1Q) to the schema it was built with. */
static void test_templates_round_trip(void **state)
{
	(void)state;
	const struct fuzz_template *templates[] = {
		&template_icmpv4_echo,        &template_icmpv4_redirect, &template_icmpv4_timestamp,
		&template_icmpv4_unreachable, &template_ipv4_options,    &template_ipv4_tcp_syn,
		&template_ipv4_udp,
	};
	struct template_addresses a = {.tester_mac = {2, 0, 0, 0, 0, 1},
				       .dut_mac = {2, 0, 0, 0, 0, 2},
				       .tester4 = addr("198.18.10.1"),
				       .dut4 = addr("198.18.10.2")};
	for (int vlan = 0; vlan < 2; vlan++) {
		a.vlan = vlan ? 10 : 0;
		for (size_t i = 0; i < DL_ARRAY_SIZE(templates); i++) {
			struct dl_error err = {0};
			packet_init(&built);
			assert_int_equal(templates[i]->build(&built, &a, &err), 0);
			assert_true(built.length >= 60);
			if (proto_dissect(&parsed, built.bytes, built.length, &err) != 0)
				fail_msg("%s: %s", templates[i]->name, err.message);
			model_assert_same(&built, &parsed);
			int ip = packet_find(&built, "ipv4.checksum", 0);
			const struct field *h = &built.fields[built.fields[ip].target];
			assert_int_equal(model_checksum(built.bytes + h->offset, h->size, NULL, 0),
					 0);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_header_checksum_example),
		cmocka_unit_test(test_options_vector),
		cmocka_unit_test(test_padding_and_record_route),
		cmocka_unit_test(test_fragment_even_reassembles),
		cmocka_unit_test(test_fragment_overlap_and_gap),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_templates_round_trip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
