/* test-icmpv6: ICMPv6 messages and Neighbor Discovery against scapy vectors, checksums checked
 * independently */
#include "core/compat.h"

#include <setjmp.h>
#include <cmocka.h>

#include "core/error.h"
#include "ipv6-check.h"
#include "model-check.h"
#include "proto/icmpv6.h"
#include "proto/ipv6.h"
#include "proto/layer.h"
#include "proto/packet.h"

static struct packet built, parsed, inner;
static const uint8_t dutlab[] = {'d', 'u', 't', 'l', 'a', 'b'};
static const uint8_t tester_mac[6] = {0x02, 0xdd, 0x00, 0x00, 0x00, 0x01};

static void build_ipv6(struct packet *p, const char *source, const char *destination,
		       uint8_t hop_limit)
{
	packet_init(p);
	struct ipv6_fields f = {.hop_limit = hop_limit,
				.source = ipv6_check_address(source),
				.destination = ipv6_check_address(destination)};
	assert_int_equal(ipv6_build(p, &f), 0);
}

/* Finish, compare with the vector if one is given, check the checksum independently and
 * parse back to the same fields. */
static void finish_and_check(const uint8_t *vector, size_t length)
{
	struct dl_error err = {0};
	assert_int_equal(packet_finish(&built, &err), 0);
	if (vector) {
		assert_int_equal(built.length, length);
		assert_memory_equal(built.bytes, vector, length);
	}
	int l = packet_find(&built, "icmpv6", 0);
	assert_int_equal(ipv6_check_sum(built.bytes + 8, built.bytes + 24, 58,
					built.bytes + built.fields[l].offset, built.fields[l].size),
			 0);
	assert_int_equal(model_get(&built, "ipv6.next_header", 0), 58);
	int checksum = packet_find(&built, "icmpv6.checksum", 0);
	assert_int_equal(built.fields[checksum].kind, FIELD_CHECKSUM);
	assert_int_equal(built.fields[checksum].target, l);
	char message[256] = "";
	if (ipv6_check_parse(&parsed, built.bytes, built.length, message, sizeof(message)) != 0)
		fail_msg("parse back: %s", message);
	model_assert_same(&built, &parsed);
}

static void expect_refused(const uint8_t *bytes, size_t length, const char *reason)
{
	char message[256] = "";
	assert_int_equal(ipv6_check_parse(&parsed, bytes, length, message, sizeof(message)),
			 DL_EPROTO);
	if (!strstr(message, reason))
		fail_msg("'%s' does not say '%s'", message, reason);
}

/* scapy 2.5: IPv6(src="fd00:198:0:10::1", dst="fd00:198:0:10::2") /
 * ICMPv6EchoRequest(id=0x1234, seq=1, data=b"dutlab") */
static const uint8_t echo_vector[] = {
	0x60, 0x00, 0x00, 0x00, 0x00, 0x0e, 0x3a, 0x40, 0xfd, 0x00, 0x01, 0x98, 0x00, 0x00,
	0x00, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0xfd, 0x00, 0x01, 0x98,
	0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x80, 0x00,
	0x35, 0xe9, 0x12, 0x34, 0x00, 0x01, 0x64, 0x75, 0x74, 0x6c, 0x61, 0x62,
};

static void test_echo_vector(void **state)
{
	(void)state;
	struct dl_error err = {0};
	build_ipv6(&built, "fd00:198:0:10::1", "fd00:198:0:10::2", 0);
	struct icmpv6_fields e = {.identifier = 0x1234,
				  .sequence = 1, /* type 0: echo request */
				  .data = dutlab,
				  .data_length = sizeof(dutlab)};
	assert_int_equal(icmpv6_build(&built, &e), 0);
	finish_and_check(echo_vector, sizeof(echo_vector));
	assert_int_equal(model_get(&built, "icmpv6.type", 0), ICMPV6_ECHO_REQUEST);
	assert_int_equal(model_get(&built, "icmpv6.checksum", 0), 0x35e9);
	assert_int_equal(model_get(&built, "icmpv6.echo.identifier", 0), 0x1234);
	assert_int_equal(model_get(&built, "icmpv6.echo.sequence", 0), 1);
	int type = packet_find(&built, "icmpv6.type", 0);
	assert_int_equal(built.fields[type].kind, FIELD_ENUM);
	assert_non_null(built.fields[type].values);
	assert_true(built.fields[type].flags & FIELD_KEY);

	/* a mutation that freezes the checksum keeps it; changing the data without freezing
	 * recomputes it */
	int checksum = packet_find(&built, "icmpv6.checksum", 0);
	packet_put(&built, checksum, 0xbeef);
	packet_freeze(&built, checksum);
	assert_int_equal(packet_finish(&built, &err), 0);
	assert_int_equal(packet_get(&built, checksum), 0xbeef);
	build_ipv6(&built, "fd00:198:0:10::2", "fd00:198:0:10::1", 0);
	e.type = ICMPV6_ECHO_REPLY;
	assert_int_equal(icmpv6_build(&built, &e), 0);
	finish_and_check(NULL, 0);
	assert_int_equal(model_get(&built, "icmpv6.type", 0), ICMPV6_ECHO_REPLY);
}

/* scapy 2.5: IPv6(src="fd00:198:0:10::1", dst="ff02::1:ff00:2", hlim=255) /
 * ICMPv6ND_NS(tgt="fd00:198:0:10::2") / ICMPv6NDOptSrcLLAddr(lladdr="02:dd:00:00:00:01") */
static const uint8_t solicit_vector[] = {
	0x60, 0x00, 0x00, 0x00, 0x00, 0x20, 0x3a, 0xff, 0xfd, 0x00, 0x01, 0x98, 0x00, 0x00, 0x00,
	0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0xff, 0x02, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0xff, 0x00, 0x00, 0x02, 0x87, 0x00, 0x79, 0x6a, 0x00,
	0x00, 0x00, 0x00, 0xfd, 0x00, 0x01, 0x98, 0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x02, 0x01, 0x01, 0x02, 0xdd, 0x00, 0x00, 0x00, 0x01,
};

static void test_neighbor_solicitation_vector(void **state)
{
	(void)state;
	build_ipv6(&built, "fd00:198:0:10::1", "ff02::1:ff00:2", 255);
	struct icmpv6_option slla = {.type = ICMPV6_OPTION_SOURCE_LINK_ADDRESS};
	memcpy(slla.link_address, tester_mac, 6);
	struct icmpv6_fields ns = {.type = ICMPV6_NEIGHBOR_SOLICITATION,
				   .target = ipv6_check_address("fd00:198:0:10::2"),
				   .options = &slla,
				   .option_count = 1};
	assert_int_equal(icmpv6_build(&built, &ns), 0);
	finish_and_check(solicit_vector, sizeof(solicit_vector));
	int option = packet_find(&built, "icmpv6.option", 0);
	assert_true(built.fields[option].flags & FIELD_REPEATABLE);
	assert_string_equal(built.fields[built.fields[option].parent].name, "icmpv6.options");
	assert_int_equal(built.fields[built.fields[option].parent].kind, FIELD_LIST);
	int length = packet_find(&built, "icmpv6.option.length", 0);
	assert_int_equal(packet_get(&built, length), 1);
	assert_int_equal(built.fields[length].target, option);
	assert_int_equal(built.fields[length].unit, 8);
	int address = packet_find(&built, "icmpv6.option.link_address", 0);
	assert_int_equal(built.fields[address].kind, FIELD_ADDRESS);
	assert_memory_equal(built.bytes + built.fields[address].offset, tester_mac, 6);
	int target = packet_find(&built, "icmpv6.target", 0);
	assert_true(built.fields[target].flags & FIELD_KEY);
}

/* scapy 2.5: IPv6(src=..1, dst=..2, hlim=255) / ICMPv6ND_NA(R=0, S=1, O=1,
 * tgt="fd00:198:0:10::1") / ICMPv6NDOptDstLLAddr(lladdr="02:dd:00:00:00:01") */
static const uint8_t advert_vector[] = {
	0x60, 0x00, 0x00, 0x00, 0x00, 0x20, 0x3a, 0xff, 0xfd, 0x00, 0x01, 0x98, 0x00, 0x00, 0x00,
	0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0xfd, 0x00, 0x01, 0x98, 0x00, 0x00,
	0x00, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x88, 0x00, 0x16, 0xc7, 0x60,
	0x00, 0x00, 0x00, 0xfd, 0x00, 0x01, 0x98, 0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x01, 0x02, 0x01, 0x02, 0xdd, 0x00, 0x00, 0x00, 0x01,
};

static void test_neighbor_advertisement_vector(void **state)
{
	(void)state;
	build_ipv6(&built, "fd00:198:0:10::1", "fd00:198:0:10::2", 255);
	struct icmpv6_option tlla = {.type = ICMPV6_OPTION_TARGET_LINK_ADDRESS};
	memcpy(tlla.link_address, tester_mac, 6);
	struct icmpv6_fields na = {.type = ICMPV6_NEIGHBOR_ADVERTISEMENT,
				   .solicited = true,
				   .override = true,
				   .target = ipv6_check_address("fd00:198:0:10::1"),
				   .options = &tlla,
				   .option_count = 1};
	assert_int_equal(icmpv6_build(&built, &na), 0);
	finish_and_check(advert_vector, sizeof(advert_vector));
	assert_int_equal(model_get(&built, "icmpv6.na.router", 0), 0);
	assert_int_equal(model_get(&built, "icmpv6.na.solicited", 0), 1);
	assert_int_equal(model_get(&built, "icmpv6.na.override", 0), 1);
	assert_int_equal(model_get(&built, "icmpv6.na.reserved", 0), 0);
	int reserved = packet_find(&built, "icmpv6.na.reserved", 0);
	assert_int_equal(built.fields[reserved].kind, FIELD_FLAGS);
	assert_int_equal(built.fields[reserved].bit_width, 29);
	assert_int_equal(model_get(&built, "icmpv6.option.type", 0),
			 ICMPV6_OPTION_TARGET_LINK_ADDRESS);
}

/* scapy 2.5: IPv6(src="fe80::dd:ff:fe00:1", dst="ff02::1", hlim=255) / ICMPv6ND_RA(chlim=64,
 * M=0, O=1, prf=0, routerlifetime=1800, reachabletime=30000, retranstimer=1000) /
 * ICMPv6NDOptSrcLLAddr(lladdr="02:dd:00:00:00:01") / ICMPv6NDOptMTU(mtu=1500) /
 * ICMPv6NDOptPrefixInfo(prefixlen=64, L=1, A=1, validlifetime=86400,
 * preferredlifetime=14400, prefix="fd00:198:0:10::") */
static const uint8_t router_advert_vector[] = {
	0x60, 0x00, 0x00, 0x00, 0x00, 0x40, 0x3a, 0xff, 0xfe, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0xdd, 0x00, 0xff, 0xfe, 0x00, 0x00, 0x01, 0xff, 0x02, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x86, 0x00, 0xe0, 0xd6, 0x40,
	0x40, 0x07, 0x08, 0x00, 0x00, 0x75, 0x30, 0x00, 0x00, 0x03, 0xe8, 0x01, 0x01, 0x02, 0xdd,
	0x00, 0x00, 0x00, 0x01, 0x05, 0x01, 0x00, 0x00, 0x00, 0x00, 0x05, 0xdc, 0x03, 0x04, 0x40,
	0xc0, 0x00, 0x01, 0x51, 0x80, 0x00, 0x00, 0x38, 0x40, 0x00, 0x00, 0x00, 0x00, 0xfd, 0x00,
	0x01, 0x98, 0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
};

static void test_router_advertisement_vector(void **state)
{
	(void)state;
	build_ipv6(&built, "fe80::dd:ff:fe00:1", "ff02::1", 255);
	struct icmpv6_option options[3] = {
		{.type = ICMPV6_OPTION_SOURCE_LINK_ADDRESS},
		{.type = ICMPV6_OPTION_MTU, .mtu = 1500},
		{.type = ICMPV6_OPTION_PREFIX_INFORMATION,
		 .prefix_length = 64,
		 .on_link = true,
		 .autonomous = true,
		 .valid_lifetime = 86400,
		 .preferred_lifetime = 14400,
		 .prefix = ipv6_check_address("fd00:198:0:10::")},
	};
	memcpy(options[0].link_address, tester_mac, 6);
	struct icmpv6_fields ra = {.type = ICMPV6_ROUTER_ADVERTISEMENT,
				   .cur_hop_limit = 64,
				   .other = true,
				   .router_lifetime = 1800,
				   .reachable_time = 30000,
				   .retrans_timer = 1000,
				   .options = options,
				   .option_count = 3};
	assert_int_equal(icmpv6_build(&built, &ra), 0);
	finish_and_check(router_advert_vector, sizeof(router_advert_vector));
	assert_int_equal(model_get(&built, "icmpv6.ra.cur_hop_limit", 0), 64);
	assert_int_equal(model_get(&built, "icmpv6.ra.managed", 0), 0);
	assert_int_equal(model_get(&built, "icmpv6.ra.other", 0), 1);
	assert_int_equal(model_get(&built, "icmpv6.ra.reserved", 0), 0);
	assert_int_equal(model_get(&built, "icmpv6.ra.router_lifetime", 0), 1800);
	assert_int_equal(model_get(&built, "icmpv6.ra.reachable_time", 0), 30000);
	assert_int_equal(model_get(&built, "icmpv6.ra.retrans_timer", 0), 1000);
	assert_int_equal(model_get(&built, "icmpv6.option.mtu", 0), 1500);
	assert_int_equal(model_get(&built, "icmpv6.option.prefix_length", 0), 64);
	assert_int_equal(model_get(&built, "icmpv6.option.on_link", 0), 1);
	assert_int_equal(model_get(&built, "icmpv6.option.autonomous", 0), 1);
	assert_int_equal(model_get(&built, "icmpv6.option.valid_lifetime", 0), 86400);
	assert_int_equal(model_get(&built, "icmpv6.option.preferred_lifetime", 0), 14400);
	int prefix_length = packet_find(&built, "icmpv6.option.length", 0);
	prefix_length = packet_find(&built, "icmpv6.option.length", prefix_length + 1);
	prefix_length = packet_find(&built, "icmpv6.option.length", prefix_length + 1);
	assert_int_equal(packet_get(&built, prefix_length), 4);
	int list = packet_find(&built, "icmpv6.options", 0);
	assert_int_equal(built.fields[list].size, 48);
}

/* scapy 2.5: IPv6(src=..1, dst="ff02::2", hlim=255) / ICMPv6ND_RS() /
 * ICMPv6NDOptSrcLLAddr(lladdr="02:dd:00:00:00:01") */
static const uint8_t router_solicit_vector[] = {
	0x60, 0x00, 0x00, 0x00, 0x00, 0x10, 0x3a, 0xff, 0xfd, 0x00, 0x01, 0x98, 0x00, 0x00,
	0x00, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0xff, 0x02, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x85, 0x00,
	0x79, 0x27, 0x00, 0x00, 0x00, 0x00, 0x01, 0x01, 0x02, 0xdd, 0x00, 0x00, 0x00, 0x01,
};

static void test_router_solicitation_vector(void **state)
{
	(void)state;
	build_ipv6(&built, "fd00:198:0:10::1", "ff02::2", 255);
	struct icmpv6_option slla = {.type = ICMPV6_OPTION_SOURCE_LINK_ADDRESS};
	memcpy(slla.link_address, tester_mac, 6);
	struct icmpv6_fields rs = {
		.type = ICMPV6_ROUTER_SOLICITATION, .options = &slla, .option_count = 1};
	assert_int_equal(icmpv6_build(&built, &rs), 0);
	finish_and_check(router_solicit_vector, sizeof(router_solicit_vector));
	assert_int_equal(model_get(&built, "icmpv6.reserved", 0), 0);
}

/* RFC 4443 3: every error carries as much of the invoking packet as fits 1280 bytes. */
static void test_errors(void **state)
{
	(void)state;
	struct dl_error err = {0};
	/* the invoking packet: a 1500-byte echo reply from the DUT, cut to 1280 - 48 bytes */
	static uint8_t data[1452];
	build_ipv6(&inner, "fd00:198:0:10::2", "fd00:198:0:10::1", 0);
	struct icmpv6_fields reply = {
		.type = ICMPV6_ECHO_REPLY, .data = data, .data_length = sizeof(data)};
	assert_int_equal(icmpv6_build(&inner, &reply), 0);
	assert_int_equal(packet_finish(&inner, &err), 0);
	assert_int_equal(inner.length, 1500);
	size_t quoted = IPV6_MIN_MTU - 48;

	build_ipv6(&built, "fd00:198:0:10::1", "fd00:198:0:10::2", 0);
	struct icmpv6_fields ptb = {
		.type = ICMPV6_PACKET_TOO_BIG, .data = inner.bytes, .data_length = quoted};
	assert_int_equal(icmpv6_build(&built, &ptb), 0);
	finish_and_check(NULL, 0);
	assert_int_equal(built.length, IPV6_MIN_MTU);
	assert_int_equal(model_get(&built, "icmpv6.mtu", 0), 1280); /* the default */
	int invoking = packet_find(&built, "icmpv6.invoking", 0);
	assert_int_equal(built.fields[invoking].kind, FIELD_ELEMENT);
	assert_int_equal(built.fields[invoking].size, quoted);
	assert_memory_equal(built.bytes + built.fields[invoking].offset, inner.bytes, quoted);

	const struct {
		uint8_t type, code;
		uint32_t pointer;
		const char *field;
	} errors[] = {
		{ICMPV6_DESTINATION_UNREACHABLE, 4, 0, "icmpv6.unused"},
		{ICMPV6_TIME_EXCEEDED, 1, 0, "icmpv6.unused"},
		{ICMPV6_PARAMETER_PROBLEM, 1, 6, "icmpv6.pointer"},
	};
	for (size_t i = 0; i < DL_ARRAY_SIZE(errors); i++) {
		build_ipv6(&built, "fd00:198:0:10::1", "fd00:198:0:10::2", 0);
		struct icmpv6_fields e = {.type = errors[i].type,
					  .code = errors[i].code,
					  .pointer = errors[i].pointer,
					  .data = inner.bytes,
					  .data_length = 48};
		assert_int_equal(icmpv6_build(&built, &e), 0);
		finish_and_check(NULL, 0);
		assert_int_equal(model_get(&built, errors[i].field, 0), errors[i].pointer);
		int code = packet_find(&built, "icmpv6.code", 0);
		assert_int_equal(packet_get(&built, code), errors[i].code);
		/* each type has its own codes */
		const struct field_value *v = built.fields[code].values;
		assert_non_null(v);
		bool named = false;
		for (; v->name; v++)
			named = named || v->value == errors[i].code;
		assert_true(named);
	}

	/* an invoking packet that would pass the builder's room is refused */
	static uint8_t huge[ICMPV6_MESSAGE_MAX];
	build_ipv6(&built, "fd00:198:0:10::1", "fd00:198:0:10::2", 0);
	struct icmpv6_fields big = {
		.type = ICMPV6_DESTINATION_UNREACHABLE, .data = huge, .data_length = sizeof(huge)};
	assert_int_equal(icmpv6_build(&built, &big), DL_EINVAL);
	assert_int_equal(packet_finish(&built, &err), DL_ENOMEM);
}

/* RFC 4861 4.5 by hand: target, destination, a TLLA and a redirected header of 10 bytes
 * (8 + 10 padded to 24: length 3). */
static void test_redirect(void **state)
{
	(void)state;
	build_ipv6(&built, "fe80::1", "fd00:198:0:10::2", 255);
	struct icmpv6_option options[2] = {
		{.type = ICMPV6_OPTION_TARGET_LINK_ADDRESS},
		{.type = ICMPV6_OPTION_REDIRECTED_HEADER, .data = echo_vector, .data_length = 10},
	};
	memcpy(options[0].link_address, tester_mac, 6);
	struct icmpv6_fields r = {.type = ICMPV6_REDIRECT,
				  .target = ipv6_check_address("fe80::2"),
				  .destination = ipv6_check_address("fd00:198:0:19::1"),
				  .options = options,
				  .option_count = 2};
	assert_int_equal(icmpv6_build(&built, &r), 0);
	finish_and_check(NULL, 0);
	assert_int_equal(built.length, 40 + 40 + 8 + 24);
	int l = packet_find(&built, "icmpv6.option.length", 0);
	assert_int_equal(model_get(&built, "icmpv6.option.length", l + 1), 3);
	int data = packet_find(&built, "icmpv6.option.data", 0);
	assert_int_equal(built.fields[data].size, 16);
	assert_memory_equal(built.bytes + built.fields[data].offset, echo_vector, 10);
	assert_int_equal(model_get(&built, "icmpv6.option.reserved", 0), 0);
	int destination = packet_find(&built, "icmpv6.destination", 0);
	assert_int_equal(built.fields[destination].kind, FIELD_ADDRESS);
}

static void set_payload_length(uint8_t *b, size_t total)
{
	b[4] = (uint8_t)((total - 40) >> 8);
	b[5] = (uint8_t)(total - 40);
}

static void test_malformed(void **state)
{
	(void)state;
	uint8_t b[128];
	memcpy(b, echo_vector, 40);
	set_payload_length(b, 43);
	b[40] = 0x80;
	expect_refused(b, 43, "shorter than the 4-byte ICMPv6 header");

	memcpy(b, solicit_vector, sizeof(solicit_vector));
	set_payload_length(b, 40 + 20);
	expect_refused(b, 40 + 20, "shorter than its type's fixed fields");
	set_payload_length(b, sizeof(solicit_vector));
	b[65] = 0; /* RFC 4861 4.6: a zero length is invalid */
	expect_refused(b, sizeof(solicit_vector), "option length is 0");
	b[65] = 2;
	expect_refused(b, sizeof(solicit_vector), "option length passes the message's end");
	b[65] = 1;
	b[64] = ICMPV6_OPTION_MTU;
	assert_int_equal(ipv6_check_parse(&parsed, b, sizeof(solicit_vector), (char[64]){0}, 64),
			 0);
	memcpy(b + sizeof(solicit_vector), "\x05", 1); /* a lone type byte after the option */
	set_payload_length(b, sizeof(solicit_vector) + 1);
	expect_refused(b, sizeof(solicit_vector) + 1, "option has no length byte");

	memcpy(b, router_advert_vector, sizeof(router_advert_vector));
	b[73] = 3; /* prefix information of 24 bytes */
	expect_refused(b, sizeof(router_advert_vector),
		       "prefix information option length is not 4");
	memcpy(b, router_advert_vector, sizeof(router_advert_vector));
	b[65] = 2; /* MTU option of 16 bytes */
	expect_refused(b, sizeof(router_advert_vector), "MTU option length is not 1");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_echo_vector),
		cmocka_unit_test(test_neighbor_solicitation_vector),
		cmocka_unit_test(test_neighbor_advertisement_vector),
		cmocka_unit_test(test_router_advertisement_vector),
		cmocka_unit_test(test_router_solicitation_vector),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_redirect),
		cmocka_unit_test(test_malformed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
