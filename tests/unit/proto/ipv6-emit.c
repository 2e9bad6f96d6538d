/* ipv6-emit: write the IPv6 and ICMPv6 models' valid frames (templates, fragments, errors,
 * redirect, routing headers) into a pcap file for tshark-ipv6.sh */
#include "core/compat.h"

#include <arpa/inet.h>

#include "core/error.h"
#include "fuzz/templates.h"
#include "proto/ethernet.h"
#include "proto/icmpv6.h"
#include "proto/ipv6.h"
#include "proto/packet.h"

static struct packet frame, frames[8];

static const struct fuzz_template *const ipv6_templates[] = {
	&template_ipv6_udp,
	&template_ipv6_hop_by_hop,
	&template_ipv6_destination_options,
	&template_ipv6_routing,
	&template_icmpv6_echo,
	&template_icmpv6_neighbor_solicit,
	&template_icmpv6_neighbor_advert,
	&template_icmpv6_router_solicit,
	&template_icmpv6_router_advert,
	&template_icmpv6_packet_too_big,
};

static void put32(FILE *out, uint32_t v)
{
	fwrite(&v, 4, 1, out);
}

/* One pcap record (host byte order, as the file header says), one second apart. */
static void emit(FILE *out, const struct packet *p, uint32_t *n)
{
	put32(out, (*n)++);
	put32(out, 0);
	put32(out, p->length);
	put32(out, p->length);
	fwrite(p->bytes, 1, p->length, out);
}

/* Ethernet and IPv6 from the tester to the DUT (hop limit 0: 64). */
static void start(const struct template_addresses *a, const struct in6_addr *source,
		  const struct in6_addr *destination, uint8_t hop_limit)
{
	packet_init(&frame);
	struct ethernet_fields e = {.type = ETHERTYPE_IPV6};
	memcpy(e.destination, a->dut_mac, 6);
	memcpy(e.source, a->tester_mac, 6);
	ethernet_build(&frame, &e);
	struct ipv6_fields ip = {
		.hop_limit = hop_limit, .source = *source, .destination = *destination};
	ipv6_build(&frame, &ip);
}

static int finish(FILE *out, uint32_t *n)
{
	struct dl_error err = {0};
	ethernet_pad(&frame);
	if (packet_finish(&frame, &err) < 0) {
		fprintf(stderr, "ipv6-emit: %s\n", err.message);
		return 1;
	}
	emit(out, &frame, n);
	return 0;
}

/* An invoking packet the DUT could have sent: IPv6 + UDP 9 -> 40000, 8 bytes. */
static void quote(const struct template_addresses *a, uint8_t q[48])
{
	memset(q, 0, 48);
	q[0] = 0x60;
	q[5] = 8;
	q[6] = IPV6_NEXT_UDP;
	q[7] = 64;
	memcpy(q + 8, &a->dut6, 16);
	memcpy(q + 24, &a->tester6, 16);
	q[41] = 9;
	q[42] = 0x9c;
	q[43] = 0x40;
	q[45] = 8;
}

static int emit_all(FILE *out, struct template_addresses *a)
{
	struct dl_error err = {0};
	uint32_t n = 0;
	for (uint16_t vlan = 0; vlan <= 18; vlan += 18) {
		a->vlan = vlan;
		for (size_t i = 0; i < DL_ARRAY_SIZE(ipv6_templates); i++) {
			packet_init(&frame);
			if (ipv6_templates[i]->build(&frame, a, &err) < 0) {
				fprintf(stderr, "ipv6-emit: %s: %s\n", ipv6_templates[i]->name,
					err.message);
				return 1;
			}
			emit(out, &frame, &n);
		}
	}
	a->vlan = 0;
	/* each UDP template cut every 16 bytes (tshark reassembles them) */
	for (size_t i = 0; i < 4; i++) {
		struct ipv6_fragment_range r[8];
		size_t count, made;
		packet_init(&frame);
		ipv6_templates[i]->build(&frame, a, &err);
		if (ipv6_fragment_even(&frame, 16, r, 8, &count, &err) < 0 ||
		    ipv6_fragment(&frame, r, count, 0x1000 + (uint32_t)i, frames, 8, &made, &err) <
			    0) {
			fprintf(stderr, "ipv6-emit: fragment: %s\n", err.message);
			return 1;
		}
		for (size_t k = 0; k < made; k++)
			emit(out, &frames[k], &n);
	}
	/* the errors and the echo reply, with bytes as the invoking packet */
	const uint8_t types[][2] = {{ICMPV6_DESTINATION_UNREACHABLE, 4},
				    {ICMPV6_TIME_EXCEEDED, 0},
				    {ICMPV6_PARAMETER_PROBLEM, 1},
				    {ICMPV6_PACKET_TOO_BIG, 0},
				    {ICMPV6_ECHO_REPLY, 0}};
	uint8_t q[48];
	quote(a, q);
	for (size_t i = 0; i < DL_ARRAY_SIZE(types); i++) {
		start(a, &a->tester6, &a->dut6, 0);
		struct icmpv6_fields f = {.type = types[i][0],
					  .code = types[i][1],
					  .pointer = 6,
					  .data = q,
					  .data_length = sizeof(q)};
		icmpv6_build(&frame, &f);
		if (finish(out, &n))
			return 1;
	}
	/* a redirect with a target link-layer address and a redirected header */
	struct in6_addr router, target, destination;
	inet_pton(AF_INET6, "fe80::dd:ff:fe00:1", &router);
	inet_pton(AF_INET6, "fe80::dd:ff:fe00:3", &target);
	inet_pton(AF_INET6, "fd00:198:0:19::9", &destination);
	start(a, &router, &a->dut6, 255);
	memcpy(q + 24, &destination, 16);
	struct icmpv6_option options[2] = {
		{.type = ICMPV6_OPTION_TARGET_LINK_ADDRESS, .link_address = {2, 0xdd, 0, 0, 0, 3}},
		{.type = ICMPV6_OPTION_REDIRECTED_HEADER, .data = q, .data_length = sizeof(q)},
	};
	struct icmpv6_fields redirect = {.type = ICMPV6_REDIRECT,
					 .target = target,
					 .destination = destination,
					 .options = options,
					 .option_count = 2};
	icmpv6_build(&frame, &redirect);
	if (finish(out, &n))
		return 1;
	/* routing type 2 with a segment left: the checksum uses the home address (RFC 8200 8.1) */
	start(a, &a->tester6, &a->dut6, 0);
	struct ipv6_routing_fields r = {.type = IPV6_ROUTING_TYPE2,
					.segments_left = 1,
					.addresses = &destination,
					.address_count = 1};
	ipv6_routing_build(&frame, &r);
	struct icmpv6_fields echo = {.type = ICMPV6_ECHO_REQUEST, .identifier = 1, .sequence = 2};
	icmpv6_build(&frame, &echo);
	return finish(out, &n);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: ipv6-emit OUT.pcap\n");
		return 2;
	}
	FILE *out = fopen(argv[1], "wb");
	if (!out) {
		fprintf(stderr, "ipv6-emit: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	/* pcap 2.4, Ethernet (LINKTYPE_ETHERNET 1) */
	const uint32_t header[] = {0xa1b2c3d4, 2 | 4u << 16, 0, 0, 65535, 1};
	fwrite(header, sizeof(header), 1, out);
	struct template_addresses a = {.tester_mac = {2, 0xdd, 0, 0, 0, 1},
				       .dut_mac = {2, 0xdd, 0, 0, 0, 2}};
	inet_pton(AF_INET6, "fd00:198:0:18::1", &a.tester6);
	inet_pton(AF_INET6, "fd00:198:0:18::2", &a.dut6);
	int rc = emit_all(out, &a);
	if (fclose(out) != 0)
		rc = 1;
	return rc;
}
