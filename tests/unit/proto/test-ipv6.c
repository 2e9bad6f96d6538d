/* test-ipv6: IPv6 header, extension headers and fragments against scapy and hand-checked vectors */
#include "core/compat.h"

#include <setjmp.h>
#include <cmocka.h>

#include "core/error.h"
#include "ipv6-check.h"
#include "model-check.h"
#include "proto/cursor.h"
#include "proto/ethernet.h"
#include "proto/icmpv6.h"
#include "proto/ipv6.h"
#include "proto/layer.h"
#include "proto/packet.h"
#include "proto/udp.h"
#include "proto/vlan.h"

static struct packet built, parsed;
static struct packet frames[8];
static const uint8_t dutlab[] = {'d', 'u', 't', 'l', 'a', 'b'};

static struct ipv6_fields base(void)
{
	struct ipv6_fields f = {
		.source = ipv6_check_address("fd00:198:0:10::1"),
		.destination = ipv6_check_address("fd00:198:0:10::2"),
	};
	return f;
}

static void build_udp(struct packet *p, const uint8_t *payload, size_t length)
{
	struct udp_fields u = {.source_port = 40000,
			       .destination_port = 9,
			       .payload = payload,
			       .payload_length = length};
	assert_int_equal(udp_build(p, &u), 0);
}

/* Parse p's bytes back and compare every field with p's. */
static void assert_parses_same(const struct packet *p)
{
	char message[256] = "";
	int rc = ipv6_check_parse(&parsed, p->bytes, p->length, message, sizeof(message));
	if (rc != 0)
		fail_msg("parse back: %s", message);
	model_assert_same(p, &parsed);
}

/* The UDP checksum over the pseudo-header of the packet's addresses, computed independently. */
static void assert_upper_sum(const struct packet *p, const char *layer, uint8_t next_header,
			     const uint8_t *destination)
{
	int l = packet_find(p, layer, 0);
	assert_int_not_equal(l, PACKET_NONE);
	assert_int_equal(ipv6_check_sum(p->bytes + 8, destination ? destination : p->bytes + 24,
					next_header, p->bytes + p->fields[l].offset,
					p->fields[l].size),
			 0);
}

static void expect_refused(const uint8_t *bytes, size_t length, const char *reason)
{
	char message[256] = "";
	assert_int_equal(ipv6_check_parse(&parsed, bytes, length, message, sizeof(message)),
			 DL_EPROTO);
	if (!strstr(message, reason))
		fail_msg("'%s' does not say '%s'", message, reason);
}

/* scapy 2.5: IPv6(src="fd00:198:0:10::1", dst="fd00:198:0:10::2", tc=0xb8, fl=0x12345,
 * hlim=64) / UDP(sport=40000, dport=9) / b"dutlab" */
static const uint8_t udp_vector[] = {
	0x6b, 0x81, 0x23, 0x45, 0x00, 0x0e, 0x11, 0x40, 0xfd, 0x00, 0x01, 0x98, 0x00, 0x00,
	0x00, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0xfd, 0x00, 0x01, 0x98,
	0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x9c, 0x40,
	0x00, 0x09, 0x00, 0x0e, 0x2b, 0xf0, 0x64, 0x75, 0x74, 0x6c, 0x61, 0x62,
};

static void test_header_udp_vector(void **state)
{
	(void)state;
	struct dl_error err = {0};
	packet_init(&built);
	struct ipv6_fields f = base();
	f.traffic_class = 0xb8;
	f.flow_label = 0x12345;
	assert_int_equal(ipv6_build(&built, &f), 0);
	build_udp(&built, dutlab, sizeof(dutlab));
	assert_int_equal(packet_finish(&built, &err), 0);
	assert_int_equal(built.length, sizeof(udp_vector));
	assert_memory_equal(built.bytes, udp_vector, sizeof(udp_vector));

	assert_int_equal(model_get(&built, "ipv6.version", 0), 6);
	assert_int_equal(model_get(&built, "ipv6.traffic_class", 0), 0xb8);
	assert_int_equal(model_get(&built, "ipv6.flow_label", 0), 0x12345);
	assert_int_equal(model_get(&built, "ipv6.payload_length", 0), 14);
	assert_int_equal(model_get(&built, "ipv6.next_header", 0), IPV6_NEXT_UDP); /* derived */
	assert_int_equal(model_get(&built, "ipv6.hop_limit", 0), 64);
	int length = packet_find(&built, "ipv6.payload_length", 0);
	assert_int_equal(built.fields[length].kind, FIELD_LENGTH);
	assert_string_equal(built.fields[built.fields[length].target].name, "ipv6.payload");
	int source = packet_find(&built, "ipv6.source", 0);
	assert_int_equal(built.fields[source].kind, FIELD_ADDRESS);
	assert_true(built.fields[source].flags & FIELD_KEY);
	assert_int_equal(built.layers[0].slots[IPV6_SLOT_SOURCE], source);
	assert_int_equal(built.layers[0].slots[IPV6_SLOT_FINAL_DESTINATION],
			 packet_find(&built, "ipv6.destination", 0));
	assert_upper_sum(&built, "udp", IPV6_NEXT_UDP, NULL);
	assert_parses_same(&built);

	/* a frozen payload length stays as a mutation set it; the rest is still derived */
	packet_put(&built, length, 999);
	packet_freeze(&built, length);
	assert_int_equal(packet_finish(&built, &err), 0);
	assert_int_equal(packet_get(&built, length), 999);

	/* a next header the caller names is kept, not derived */
	packet_init(&built);
	f.next_header = IPV6_NEXT_TCP;
	assert_int_equal(ipv6_build(&built, &f), 0);
	build_udp(&built, dutlab, sizeof(dutlab));
	assert_int_equal(packet_finish(&built, &err), 0);
	assert_int_equal(model_get(&built, "ipv6.next_header", 0), IPV6_NEXT_TCP);
}

/* scapy 2.5: IPv6(src=..1, dst=..2) / IPv6ExtHdrHopByHop(options=[RouterAlert(value=0)]) /
 * UDP(sport=40000, dport=9) / b"dutlab": RFC 2711 Router Alert at offset 2 (2n), then PadN
 * with no data to the 8-byte boundary. */
static const uint8_t hop_by_hop_vector[] = {
	0x60, 0x00, 0x00, 0x00, 0x00, 0x16, 0x00, 0x40, 0xfd, 0x00, 0x01, 0x98, 0x00,
	0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0xfd, 0x00,
	0x01, 0x98, 0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x02, 0x11, 0x00, 0x05, 0x02, 0x00, 0x00, 0x01, 0x00, 0x9c, 0x40, 0x00, 0x09,
	0x00, 0x0e, 0x2b, 0xf0, 0x64, 0x75, 0x74, 0x6c, 0x61, 0x62,
};

static void test_hop_by_hop_vector(void **state)
{
	(void)state;
	struct dl_error err = {0};
	packet_init(&built);
	struct ipv6_fields f = base();
	assert_int_equal(ipv6_build(&built, &f), 0);
	const struct ipv6_option ra[] = {
		{.type = IPV6_OPTION_ROUTER_ALERT, .value = IPV6_ROUTER_ALERT_MLD}};
	struct ipv6_options_fields h = {.options = ra, .option_count = 1};
	assert_int_equal(ipv6_hop_by_hop_build(&built, &h), 0);
	build_udp(&built, dutlab, sizeof(dutlab));
	assert_int_equal(packet_finish(&built, &err), 0);
	assert_int_equal(built.length, sizeof(hop_by_hop_vector));
	assert_memory_equal(built.bytes, hop_by_hop_vector, sizeof(hop_by_hop_vector));

	assert_int_equal(model_get(&built, "ipv6.next_header", 0), IPV6_NEXT_HOP_BY_HOP);
	assert_int_equal(model_get(&built, "ipv6-hop-by-hop.next_header", 0), IPV6_NEXT_UDP);
	int length = packet_find(&built, "ipv6-hop-by-hop.length", 0);
	assert_int_equal(packet_get(&built, length), 0);
	assert_int_equal(built.fields[length].unit, 8);
	assert_int_equal(built.fields[length].adjust, -1);
	assert_string_equal(built.fields[built.fields[length].target].name,
			    "ipv6-hop-by-hop.header");
	int type = packet_find(&built, "ipv6-hop-by-hop.option.type", 0);
	assert_int_equal(packet_get(&built, type), IPV6_OPTION_ROUTER_ALERT);
	assert_int_equal(model_get(&built, "ipv6-hop-by-hop.option.length", type), 2);
	assert_int_equal(model_get(&built, "ipv6-hop-by-hop.option.router_alert", type), 0);
	type = packet_find(&built, "ipv6-hop-by-hop.option.type", type + 1);
	assert_int_equal(packet_get(&built, type), IPV6_OPTION_PADN);
	assert_int_equal(model_get(&built, "ipv6-hop-by-hop.option.length", type), 0);
	int option = packet_find(&built, "ipv6-hop-by-hop.option", 0);
	assert_true(built.fields[option].flags & FIELD_REPEATABLE);
	assert_int_equal(built.fields[built.fields[option].parent].kind, FIELD_LIST);
	assert_upper_sum(&built, "udp", IPV6_NEXT_UDP, NULL);
	assert_parses_same(&built);
}

/* scapy 2.5: IPv6(src=..1, dst=..2, hlim=1) / IPv6ExtHdrDestOpt(options=[PadN(optdata=
 * b"\0\0\0\0")]) / ICMPv6EchoRequest(id=0x1234, seq=1, data=b"dutlab") */
static const uint8_t destination_vector[] = {
	0x60, 0x00, 0x00, 0x00, 0x00, 0x16, 0x3c, 0x01, 0xfd, 0x00, 0x01, 0x98, 0x00,
	0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0xfd, 0x00,
	0x01, 0x98, 0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x02, 0x3a, 0x00, 0x01, 0x04, 0x00, 0x00, 0x00, 0x00, 0x80, 0x00, 0x35, 0xe9,
	0x12, 0x34, 0x00, 0x01, 0x64, 0x75, 0x74, 0x6c, 0x61, 0x62,
};

static void test_destination_options_vector(void **state)
{
	(void)state;
	struct dl_error err = {0};
	packet_init(&built);
	struct ipv6_fields f = base();
	f.hop_limit = 1;
	assert_int_equal(ipv6_build(&built, &f), 0);
	const struct ipv6_option pad[] = {{.type = IPV6_OPTION_PADN, .data_length = 4}};
	struct ipv6_options_fields d = {.options = pad, .option_count = 1};
	assert_int_equal(ipv6_destination_options_build(&built, &d), 0);
	struct icmpv6_fields e = {.type = ICMPV6_ECHO_REQUEST,
				  .identifier = 0x1234,
				  .sequence = 1,
				  .data = dutlab,
				  .data_length = sizeof(dutlab)};
	assert_int_equal(icmpv6_build(&built, &e), 0);
	assert_int_equal(packet_finish(&built, &err), 0);
	assert_int_equal(built.length, sizeof(destination_vector));
	assert_memory_equal(built.bytes, destination_vector, sizeof(destination_vector));
	assert_int_equal(model_get(&built, "ipv6-destination-options.next_header", 0),
			 IPV6_NEXT_ICMPV6);
	assert_int_equal(model_get(&built, "ipv6-destination-options.option.length", 0), 4);
	int padding = packet_find(&built, "ipv6-destination-options.option.padding", 0);
	assert_int_equal(built.fields[padding].size, 4);
	assert_parses_same(&built);
}

/*
 * Alignment by hand (RFC 8200 4.2, RFC 2675 2: Jumbo at 4n+2; RFC 2711 2: Router Alert at 2n):
 *   3b 01 | 00 Pad1 | 01 01 00 PadN(1) | c2 04 00 01 11 70 Jumbo 70000 at offset 6 |
 *   01 02 00 00 PadN(2) to 16 bytes;
 *   3b 00 | 00 Pad1 | 00 Pad1 | 05 02 00 01 Router Alert (RSVP) at offset 4.
 */
static void test_option_alignment(void **state)
{
	(void)state;
	struct dl_error err = {0};
	packet_init(&built);
	struct ipv6_fields f = base();
	assert_int_equal(ipv6_build(&built, &f), 0);
	const struct ipv6_option jumbo[] = {{.type = IPV6_OPTION_PAD1},
					    {.type = IPV6_OPTION_JUMBO, .value = 70000}};
	struct ipv6_options_fields h = {.options = jumbo, .option_count = 2};
	assert_int_equal(ipv6_hop_by_hop_build(&built, &h), 0);
	const struct ipv6_option ra[] = {
		{.type = IPV6_OPTION_PAD1},
		{.type = IPV6_OPTION_ROUTER_ALERT, .value = IPV6_ROUTER_ALERT_RSVP}};
	struct ipv6_options_fields d = {.options = ra, .option_count = 2};
	assert_int_equal(ipv6_destination_options_build(&built, &d), 0);
	assert_int_equal(packet_finish(&built, &err), 0);
	const uint8_t expect[] = {0x3c, 0x01, 0x00, 0x01, 0x01, 0x00, 0xc2, 0x04,
				  0x00, 0x01, 0x11, 0x70, 0x01, 0x02, 0x00, 0x00,
				  0x3b, 0x00, 0x00, 0x00, 0x05, 0x02, 0x00, 0x01};
	assert_int_equal(built.length, 40 + sizeof(expect));
	assert_memory_equal(built.bytes + 40, expect, sizeof(expect));
	assert_int_equal(model_get(&built, "ipv6.payload_length", 0), 24);
	assert_int_equal(model_get(&built, "ipv6-hop-by-hop.length", 0), 1);
	assert_int_equal(model_get(&built, "ipv6-hop-by-hop.option.jumbo_payload_length", 0),
			 70000);
	assert_int_equal(model_get(&built, "ipv6-destination-options.option.router_alert", 0),
			 IPV6_ROUTER_ALERT_RSVP);
	/* Pad1 has a type and nothing else */
	int pad1 = packet_find(&built, "ipv6-hop-by-hop.option", 0);
	assert_int_equal(built.fields[pad1].size, 1);
	assert_parses_same(&built);

	/* more options than the builder takes: refused, and finish fails */
	struct ipv6_option many[IPV6_OPTIONS_MAX + 1];
	memset(many, 0, sizeof(many));
	struct ipv6_options_fields m = {.options = many, .option_count = DL_ARRAY_SIZE(many)};
	packet_init(&built);
	assert_int_equal(ipv6_build(&built, &f), 0);
	assert_int_equal(ipv6_hop_by_hop_build(&built, &m), DL_EINVAL);
	assert_int_equal(packet_finish(&built, &err), DL_ENOMEM);
}

/* scapy 2.5: IPv6(src=..1, dst=..2) / IPv6ExtHdrSegmentRouting(addresses=["fd00:198:0:11::9",
 * "fd00:198:0:10::2"], segleft=1, lastentry=1) / ICMPv6EchoRequest(id=0x1234, seq=1,
 * data=b"dutlab"): the checksum uses Segment List[0], the final destination (RFC 8200 8.1). */
static const uint8_t segment_vector[] = {
	0x60, 0x00, 0x00, 0x00, 0x00, 0x36, 0x2b, 0x40, 0xfd, 0x00, 0x01, 0x98, 0x00, 0x00,
	0x00, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0xfd, 0x00, 0x01, 0x98,
	0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x3a, 0x04,
	0x04, 0x01, 0x01, 0x00, 0x00, 0x00, 0xfd, 0x00, 0x01, 0x98, 0x00, 0x00, 0x00, 0x11,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x09, 0xfd, 0x00, 0x01, 0x98, 0x00, 0x00,
	0x00, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x80, 0x00, 0x35, 0xe1,
	0x12, 0x34, 0x00, 0x01, 0x64, 0x75, 0x74, 0x6c, 0x61, 0x62,
};

static void test_routing_segment_vector(void **state)
{
	(void)state;
	struct dl_error err = {0};
	packet_init(&built);
	struct ipv6_fields f = base();
	assert_int_equal(ipv6_build(&built, &f), 0);
	const struct in6_addr segments[] = {ipv6_check_address("fd00:198:0:11::9"),
					    ipv6_check_address("fd00:198:0:10::2")};
	struct ipv6_routing_fields r = {.type = IPV6_ROUTING_SEGMENT,
					.segments_left = 1,
					.addresses = segments,
					.address_count = 2};
	assert_int_equal(ipv6_routing_build(&built, &r), 0);
	struct icmpv6_fields e = {.type = ICMPV6_ECHO_REQUEST,
				  .identifier = 0x1234,
				  .sequence = 1,
				  .data = dutlab,
				  .data_length = sizeof(dutlab)};
	assert_int_equal(icmpv6_build(&built, &e), 0);
	assert_int_equal(packet_finish(&built, &err), 0);
	assert_int_equal(built.length, sizeof(segment_vector));
	assert_memory_equal(built.bytes, segment_vector, sizeof(segment_vector));
	int last = packet_find(&built, "ipv6-routing.last_entry", 0);
	assert_int_equal(packet_get(&built, last), 1);
	assert_int_equal(built.fields[last].kind, FIELD_LENGTH);
	assert_int_equal(built.fields[last].unit, 16);
	int first = packet_find(&built, "ipv6-routing.segment", 0);
	assert_int_equal(built.layers[0].slots[IPV6_SLOT_FINAL_DESTINATION], first);
	assert_upper_sum(&built, "icmpv6", IPV6_NEXT_ICMPV6, segments[0].s6_addr);
	assert_parses_same(&built);
	assert_int_equal(parsed.layers[0].slots[IPV6_SLOT_FINAL_DESTINATION], first);

	/* a mutation that lengthens the list makes last_entry follow unless it is frozen */
	assert_int_equal(packet_finish(&built, &err), 0);
	assert_int_equal(packet_get(&built, last), 1);
}

/* Type 0 (RFC 5095's deprecated source route) and type 2 (RFC 6275 6.4) by hand: 4 reserved
 * bytes, then the addresses; with segments left the final destination is the last one. */
static void test_routing_types(void **state)
{
	(void)state;
	struct dl_error err = {0};
	const struct in6_addr hops[] = {ipv6_check_address("fd00:198:0:11::1"),
					ipv6_check_address("fd00:198:0:11::2")};
	for (int segments_left = 0; segments_left <= 2; segments_left += 2) {
		packet_init(&built);
		struct ipv6_fields f = base();
		assert_int_equal(ipv6_build(&built, &f), 0);
		struct ipv6_routing_fields r = {.type = IPV6_ROUTING_SOURCE,
						.segments_left = (uint8_t)segments_left,
						.addresses = hops,
						.address_count = 2};
		assert_int_equal(ipv6_routing_build(&built, &r), 0);
		build_udp(&built, dutlab, sizeof(dutlab));
		assert_int_equal(packet_finish(&built, &err), 0);
		const uint8_t head[] = {0x11, 0x04, 0x00, (uint8_t)segments_left, 0, 0, 0, 0};
		assert_memory_equal(built.bytes + 40, head, sizeof(head));
		assert_memory_equal(built.bytes + 48, hops, sizeof(hops));
		assert_int_equal(model_get(&built, "ipv6.next_header", 0), IPV6_NEXT_ROUTING);
		int second = packet_find(&built, "ipv6-routing.address",
					 packet_find(&built, "ipv6-routing.address", 0) + 1);
		int final = segments_left ? second : packet_find(&built, "ipv6.destination", 0);
		assert_int_equal(built.layers[0].slots[IPV6_SLOT_FINAL_DESTINATION], final);
		assert_upper_sum(&built, "udp", IPV6_NEXT_UDP,
				 built.bytes + built.fields[final].offset);
		assert_parses_same(&built);
	}

	packet_init(&built);
	struct ipv6_fields f = base();
	assert_int_equal(ipv6_build(&built, &f), 0);
	struct ipv6_routing_fields home = {.type = IPV6_ROUTING_TYPE2,
					   .segments_left = 1,
					   .addresses = hops,
					   .address_count = 1};
	assert_int_equal(ipv6_routing_build(&built, &home), 0);
	const uint8_t rpl[] = {0x10, 0x00, 0x00, 0x00, 0xaa, 0xbb}; /* CmprI/E, Pad, addresses */
	struct ipv6_routing_fields other = {
		.type = IPV6_ROUTING_RPL, .data = rpl, .data_length = sizeof(rpl)};
	assert_int_equal(ipv6_routing_build(&built, &other), 0);
	assert_int_equal(packet_finish(&built, &err), 0);
	assert_int_equal(model_get(&built, "ipv6-routing.length", 0), 2);
	int rh = packet_find(&built, "ipv6-routing.next_header", 0);
	assert_int_equal(packet_get(&built, rh), IPV6_NEXT_ROUTING);
	assert_int_equal(model_get(&built, "ipv6-routing.next_header", rh + 1), IPV6_NEXT_NONE);
	int data = packet_find(&built, "ipv6-routing.data", 0);
	assert_int_equal(built.fields[data].size, 12); /* 4 + 6 rounded to 8 units, minus 4 */
	assert_memory_equal(built.bytes + built.fields[data].offset, rpl, sizeof(rpl));
	assert_parses_same(&built);
}

/* Build IPv6 [/ hop-by-hop / routing type 2 / destination options] / UDP with 100 bytes. */
static void build_datagram(bool extensions)
{
	struct dl_error err = {0};
	static uint8_t payload[100];
	for (size_t i = 0; i < sizeof(payload); i++)
		payload[i] = (uint8_t)i;
	packet_init(&built);
	struct ipv6_fields f = base();
	assert_int_equal(ipv6_build(&built, &f), 0);
	if (extensions) {
		const struct ipv6_option ra[] = {{.type = IPV6_OPTION_ROUTER_ALERT}};
		struct ipv6_options_fields h = {.options = ra, .option_count = 1};
		assert_int_equal(ipv6_hop_by_hop_build(&built, &h), 0);
		const struct in6_addr home = ipv6_check_address("fd00:198:0:10::2");
		struct ipv6_routing_fields r = {
			.type = IPV6_ROUTING_TYPE2, .addresses = &home, .address_count = 1};
		assert_int_equal(ipv6_routing_build(&built, &r), 0);
		const struct ipv6_option pad[] = {{.type = IPV6_OPTION_PADN, .data_length = 4}};
		struct ipv6_options_fields d = {.options = pad, .option_count = 1};
		assert_int_equal(ipv6_destination_options_build(&built, &d), 0);
	}
	build_udp(&built, payload, sizeof(payload));
	assert_int_equal(packet_finish(&built, &err), 0);
}

/* Check frame i of a fragmentation of built: unfragmentable part unfragmentable bytes, the
 * Fragment header, and the range's bytes; then parse it back. */
static void assert_fragment(const struct packet *fr, uint32_t unfragmentable, uint8_t next,
			    const struct ipv6_fragment_range *r, bool more)
{
	uint32_t part = built.length - unfragmentable;
	assert_int_equal(fr->length, unfragmentable + 8 + r->length);
	/* the addresses are copied (the headers' next header fields are checked by the caller) */
	assert_memory_equal(fr->bytes + 8, built.bytes + 8, 32);
	assert_int_equal(model_get(fr, "ipv6.payload_length", 0), fr->length - 40);
	int nh = packet_find(fr, "ipv6-fragment.next_header", 0);
	assert_int_equal(packet_get(fr, nh), next);
	assert_int_equal(model_get(fr, "ipv6-fragment.offset", nh), r->offset / 8);
	assert_int_equal(model_get(fr, "ipv6-fragment.more", nh), more);
	assert_int_equal(model_get(fr, "ipv6-fragment.identification", nh), 0xdeadbeef);
	const uint8_t *data = fr->bytes + unfragmentable + 8;
	assert_memory_equal(data, built.bytes + unfragmentable + r->offset, r->length);
	assert_true(r->offset + r->length <= part);
	if (r->length) {
		int d = packet_find(fr, "ipv6-fragment.data", 0);
		assert_int_equal(fr->fields[d].size, r->length);
	}
	assert_parses_same(fr);
}

static void test_fragment_even(void **state)
{
	(void)state;
	struct dl_error err = {0};
	build_datagram(false);
	struct ipv6_fragment_range ranges[8];
	size_t n, count;
	assert_int_equal(ipv6_fragment_even(&built, 32, ranges, 8, &n, &err), 0);
	assert_int_equal(n, 4); /* 108 bytes of UDP: 32 + 32 + 32 + 12 */
	assert_int_equal(ranges[3].length, 12);
	assert_int_equal(ipv6_fragment(&built, ranges, n, 0xdeadbeef, frames, 8, &count, &err), 0);
	assert_int_equal(count, 4);
	uint8_t reassembled[200] = {0};
	for (size_t i = 0; i < count; i++) {
		assert_int_equal(model_get(&frames[i], "ipv6.next_header", 0), IPV6_NEXT_FRAGMENT);
		assert_fragment(&frames[i], 40, IPV6_NEXT_UDP, &ranges[i], i + 1 < count);
		memcpy(reassembled + ranges[i].offset, frames[i].bytes + 48, ranges[i].length);
	}
	/* RFC 8200 4.5 reassembly: the fragments' data in offset order is the original payload */
	assert_memory_equal(reassembled, built.bytes + 40, built.length - 40);

	/* hop-by-hop and routing stay in front of every fragment; the destination options after
	 * the routing header are fragmentable (RFC 8200 4.5) */
	build_datagram(true);
	uint32_t unfragmentable = 40 + 8 + 24;
	assert_int_equal(ipv6_fragment_even(&built, 64, ranges, 8, &n, &err), 0);
	assert_int_equal(n, 2); /* 8 + 108 bytes */
	assert_int_equal(ipv6_fragment(&built, ranges, n, 0xdeadbeef, frames, 8, &count, &err), 0);
	for (size_t i = 0; i < count; i++) {
		assert_int_equal(model_get(&frames[i], "ipv6.next_header", 0),
				 IPV6_NEXT_HOP_BY_HOP);
		assert_int_equal(model_get(&frames[i], "ipv6-hop-by-hop.next_header", 0),
				 IPV6_NEXT_ROUTING);
		assert_int_equal(model_get(&frames[i], "ipv6-routing.next_header", 0),
				 IPV6_NEXT_FRAGMENT);
		assert_fragment(&frames[i], unfragmentable, IPV6_NEXT_DESTINATION_OPTIONS,
				&ranges[i], i == 0);
	}
	assert_int_equal(frames[0].layer_count, 4); /* ipv6, hop-by-hop, routing, fragment */
}

static void test_fragment_overlap_gap(void **state)
{
	(void)state;
	struct dl_error err = {0};
	build_datagram(false);
	/* 0..24 and 16..56 overlap; 56..64 is never sent; 64..108 ends the datagram; the last
	 * range is forced to say "more" although nothing follows */
	const struct ipv6_fragment_range ranges[] = {
		{.offset = 0, .length = 24},
		{.offset = 16, .length = 40},
		{.offset = 64, .length = 44},
		{.offset = 96, .length = 12, .more = IPV6_FRAGMENT_MORE},
		{.offset = 8, .length = 8, .more = IPV6_FRAGMENT_LAST},
	};
	size_t count;
	assert_int_equal(ipv6_fragment(&built, ranges, DL_ARRAY_SIZE(ranges), 0xdeadbeef, frames, 8,
				       &count, &err),
			 0);
	assert_int_equal(count, DL_ARRAY_SIZE(ranges));
	const bool more[] = {true, true, false, true, false};
	for (size_t i = 0; i < count; i++)
		assert_fragment(&frames[i], 40, IPV6_NEXT_UDP, &ranges[i], more[i]);

	const struct ipv6_fragment_range odd[] = {{.offset = 4, .length = 8}};
	assert_int_equal(ipv6_fragment(&built, odd, 1, 1, frames, 8, &count, &err), DL_EINVAL);
	assert_non_null(strstr(err.message, "multiple of 8"));
	const struct ipv6_fragment_range past[] = {{.offset = 104, .length = 8}};
	assert_int_equal(ipv6_fragment(&built, past, 1, 1, frames, 8, &count, &err), DL_EINVAL);
	assert_int_equal(ipv6_fragment(&built, ranges, 5, 1, frames, 4, &count, &err), DL_EINVAL);
	struct ipv6_fragment_range even[2];
	assert_int_equal(ipv6_fragment_even(&built, 12, even, 2, &count, &err), DL_EINVAL);
	assert_int_equal(ipv6_fragment_even(&built, 8, even, 2, &count, &err), DL_EINVAL);
	packet_init(&parsed);
	assert_int_equal(ipv6_fragment(&parsed, ranges, 1, 1, frames, 8, &count, &err), DL_EINVAL);
	assert_non_null(strstr(err.message, "no IPv6 layer"));
}

static void test_malformed(void **state)
{
	(void)state;
	uint8_t b[128];
	memcpy(b, udp_vector, sizeof(udp_vector));
	expect_refused(b, 39, "shorter than the 40-byte IPv6 header");
	b[0] = 0x45;
	expect_refused(b, sizeof(udp_vector), "version is not 6");
	b[0] = 0x60;
	b[5] = 15; /* one byte more than the frame has */
	expect_refused(b, sizeof(udp_vector), "payload length passes the end of the frame");

	/* bytes after the payload (Ethernet padding) are not the payload's */
	memcpy(b, udp_vector, sizeof(udp_vector));
	memset(b + sizeof(udp_vector), 0, 6);
	char message[256];
	assert_int_equal(
		ipv6_check_parse(&parsed, b, sizeof(udp_vector) + 6, message, sizeof(message)), 0);
	assert_int_equal(parsed.length, sizeof(udp_vector));

	memcpy(b, hop_by_hop_vector, sizeof(hop_by_hop_vector));
	b[41] = 3; /* Hdr Ext Len: 32 bytes of 22 */
	expect_refused(b, sizeof(hop_by_hop_vector), "Hdr Ext Len passes the end of the packet");
	b[41] = 0;
	b[43] = 5; /* Router Alert of 5 bytes in a 6-byte option area */
	expect_refused(b, sizeof(hop_by_hop_vector), "option length passes the header's end");
	b[43] = 2;
	b[46] = 0; /* Pad1 Pad1 instead of PadN: still fine */
	b[47] = 0;
	assert_int_equal(
		ipv6_check_parse(&parsed, b, sizeof(hop_by_hop_vector), message, sizeof(message)),
		0);
	b[47] = IPV6_OPTION_PADN; /* PadN as the last byte: no room for its length */
	expect_refused(b, sizeof(hop_by_hop_vector), "option has no length byte");

	memcpy(b, segment_vector, sizeof(segment_vector));
	b[44] = 2; /* Last Entry 2: three segments in a two-segment header */
	expect_refused(b, sizeof(segment_vector), "last entry passes the header's end");
	b[44] = 1;
	b[42] = IPV6_ROUTING_SOURCE;
	b[41] = 3; /* type 0 with 24 bytes of addresses */
	memset(b + 4, 0, 2);
	b[5] = 32;
	expect_refused(b, 40 + 32, "addresses are not a whole number of 16 bytes");

	memcpy(b, udp_vector, 40);
	b[6] = IPV6_NEXT_FRAGMENT;
	b[4] = 0;
	b[5] = 4;
	memset(b + 40, 0, 4);
	expect_refused(b, 44, "shorter than the 8-byte Fragment header");
}

/* proto_dissect() reaches every model through layer.c's tables: EtherType 0x86dd behind a
 * VLAN tag, then next headers 0, 43, 60, 58 and 44, and parses what the builders made. */
static void test_dissect_frames(void **state)
{
	(void)state;
	struct dl_error err = {0};
	packet_init(&built);
	struct ethernet_fields e = {.destination = {2, 0xdd, 0, 0, 0, 2},
				    .source = {2, 0xdd, 0, 0, 0, 1},
				    .type = ETHERTYPE_VLAN};
	assert_int_equal(ethernet_build(&built, &e), 0);
	struct vlan_fields v = {.vid = 18, .type = ETHERTYPE_IPV6};
	assert_int_equal(vlan_build(&built, &v), 0);
	struct ipv6_fields f = base();
	assert_int_equal(ipv6_build(&built, &f), 0);
	const struct ipv6_option ra[] = {{.type = IPV6_OPTION_ROUTER_ALERT}};
	struct ipv6_options_fields h = {.options = ra, .option_count = 1};
	assert_int_equal(ipv6_hop_by_hop_build(&built, &h), 0);
	const struct in6_addr segment = ipv6_check_address("fd00:198:0:10::2");
	struct ipv6_routing_fields r = {
		.type = IPV6_ROUTING_SEGMENT, .addresses = &segment, .address_count = 1};
	assert_int_equal(ipv6_routing_build(&built, &r), 0);
	struct ipv6_options_fields d = {0};
	assert_int_equal(ipv6_destination_options_build(&built, &d), 0);
	struct icmpv6_fields echo = {.identifier = 7, .data = dutlab, .data_length = 6};
	assert_int_equal(icmpv6_build(&built, &echo), 0);
	assert_int_equal(packet_finish(&built, &err), 0);
	assert_int_equal(proto_dissect(&parsed, built.bytes, built.length, &err), 0);
	model_assert_same(&built, &parsed);
	const char *models[] = {"ethernet",        "vlan",         "ipv6",
				"ipv6-hop-by-hop", "ipv6-routing", "ipv6-destination-options",
				"icmpv6"};
	assert_int_equal(parsed.layer_count, DL_ARRAY_SIZE(models));
	for (size_t i = 0; i < DL_ARRAY_SIZE(models); i++)
		assert_string_equal(parsed.layers[i].model->name, models[i]);
	for (size_t i = 0; i < DL_ARRAY_SIZE(models); i++)
		assert_non_null(proto_layer_find(models[i]));

	/* its fragments: the dissector stops at the Fragment header's data */
	struct ipv6_fragment_range ranges[8];
	size_t n, count;
	assert_int_equal(ipv6_fragment_even(&built, 8, ranges, 8, &n, &err), 0);
	assert_int_equal(ipv6_fragment(&built, ranges, n, 77, frames, 8, &count, &err), 0);
	for (size_t i = 0; i < count; i++) {
		assert_int_equal(proto_dissect(&parsed, frames[i].bytes, frames[i].length, &err),
				 0);
		model_assert_same(&frames[i], &parsed);
		assert_string_equal(parsed.layers[parsed.layer_count - 1].model->name,
				    "ipv6-fragment");
	}

	/* RFC 6946: an atomic fragment (offset 0, M 0) is parsed through to its upper layer */
	packet_init(&built);
	assert_int_equal(ipv6_build(&built, &f), 0);
	struct ipv6_fragment_fields atomic = {.identification = 5};
	assert_int_equal(ipv6_fragment_build(&built, &atomic, NULL, 0), 0);
	build_udp(&built, dutlab, sizeof(dutlab));
	assert_int_equal(packet_finish(&built, &err), 0);
	assert_int_equal(model_get(&built, "ipv6-fragment.next_header", 0), IPV6_NEXT_UDP);
	assert_upper_sum(&built, "udp", IPV6_NEXT_UDP, NULL);
	assert_parses_same(&built);
	assert_string_equal(parsed.layers[parsed.layer_count - 1].model->name, "udp");

	/* RFC 2675: a jumbogram says payload length 0; the parser takes the rest of the frame */
	packet_init(&built);
	assert_int_equal(ipv6_build(&built, &f), 0);
	const struct ipv6_option jumbo[] = {{.type = IPV6_OPTION_JUMBO, .value = 70000}};
	struct ipv6_options_fields j = {.options = jumbo, .option_count = 1};
	assert_int_equal(ipv6_hop_by_hop_build(&built, &j), 0);
	build_udp(&built, dutlab, sizeof(dutlab));
	int length = packet_find(&built, "ipv6.payload_length", 0);
	packet_put(&built, length, 0);
	packet_freeze(&built, length);
	assert_int_equal(packet_finish(&built, &err), 0);
	char message[256];
	assert_int_equal(
		ipv6_check_parse(&parsed, built.bytes, built.length, message, sizeof(message)), 0);
	assert_int_equal(parsed.length, built.length);
	assert_int_equal(model_get(&parsed, "udp.destination_port", 0), 9);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_header_udp_vector),
		cmocka_unit_test(test_hop_by_hop_vector),
		cmocka_unit_test(test_destination_options_vector),
		cmocka_unit_test(test_option_alignment),
		cmocka_unit_test(test_routing_segment_vector),
		cmocka_unit_test(test_routing_types),
		cmocka_unit_test(test_fragment_even),
		cmocka_unit_test(test_fragment_overlap_gap),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_dissect_frames),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
