/* template-ipv6: the valid IPv6 packets campaigns start from: extension headers, UDP, ICMPv6 and
 * Neighbor Discovery, aimed at the DUT */
#include "core/compat.h"

#include "core/error.h"
#include "fuzz/templates.h"
#include "proto/ethernet.h"
#include "proto/icmpv6.h"
#include "proto/ipv6.h"
#include "proto/packet.h"
#include "proto/udp.h"
#include "proto/vlan.h"

/* RFC 863 discard: a port where a datagram is harmless whether or not a service listens */
#define IPV6_TEMPLATE_UDP_PORT 9
#define IPV6_TEMPLATE_SOURCE_PORT 40000
#define IPV6_TEMPLATE_ND_HOP_LIMIT 255 /* RFC 4861 6.1, 7.1: else the DUT must drop it */

static const uint8_t ipv6_template_data[] = "dutlab ipv6 template";

/* Ethernet to destination (a MAC), with the tester port's 802.1Q tag when it has a VLAN. */
static void ipv6_template_link(struct packet *p, const struct template_addresses *a,
			       const uint8_t destination[6])
{
	struct ethernet_fields e = {.type = a->vlan ? ETHERTYPE_VLAN : ETHERTYPE_IPV6};
	memcpy(e.destination, destination, 6);
	memcpy(e.source, a->tester_mac, 6);
	ethernet_build(p, &e);
	if (a->vlan) {
		struct vlan_fields v = {.vid = a->vlan, .type = ETHERTYPE_IPV6};
		vlan_build(p, &v);
	}
}

/* RFC 2464 7: the MAC of an IPv6 multicast group is 33:33 and its last 32 bits. */
static void ipv6_template_multicast_mac(const struct in6_addr *group, uint8_t mac[6])
{
	mac[0] = 0x33;
	mac[1] = 0x33;
	memcpy(mac + 2, group->s6_addr + 12, 4);
}

/* The tester's packet to destination; next header derived from the layer that follows. */
static void ipv6_template_ip(struct packet *p, const struct in6_addr *source,
			     const struct in6_addr *destination, uint8_t hop_limit)
{
	struct ipv6_fields ip = {
		.flow_label = 0x646c, /* "dl" */
		.hop_limit = hop_limit,
		.source = *source,
		.destination = *destination,
	};
	ipv6_build(p, &ip);
}

/* The usual unicast start: Ethernet to the DUT and IPv6 from the tester to the DUT. */
static void ipv6_template_unicast(struct packet *p, const struct template_addresses *a,
				  uint8_t hop_limit)
{
	ipv6_template_link(p, a, a->dut_mac);
	ipv6_template_ip(p, &a->tester6, &a->dut6, hop_limit);
}

static void ipv6_template_udp(struct packet *p)
{
	struct udp_fields u = {.source_port = IPV6_TEMPLATE_SOURCE_PORT,
			       .destination_port = IPV6_TEMPLATE_UDP_PORT,
			       .payload = ipv6_template_data,
			       .payload_length = sizeof(ipv6_template_data) - 1};
	udp_build(p, &u);
}

/* Pad to the minimum frame and compute the derived fields; overflow anywhere is reported here. */
static int ipv6_template_finish(struct packet *p, struct dl_error *err)
{
	ethernet_pad(p);
	return packet_finish(p, err);
}

static int build_ipv6_udp(struct packet *p, const struct template_addresses *a,
			  struct dl_error *err)
{
	ipv6_template_unicast(p, a, 0);
	ipv6_template_udp(p);
	return ipv6_template_finish(p, err);
}

static int build_ipv6_hop_by_hop(struct packet *p, const struct template_addresses *a,
				 struct dl_error *err)
{
	/* RFC 2711 Router Alert (every router on the path examines the packet), padded to 8 bytes
	 * with a PadN: the options a DUT's hop-by-hop processing must walk */
	const struct ipv6_option options[] = {
		{.type = IPV6_OPTION_ROUTER_ALERT, .value = IPV6_ROUTER_ALERT_MLD},
		{.type = IPV6_OPTION_PADN},
	};
	struct ipv6_options_fields h = {.options = options, .option_count = DL_ARRAY_SIZE(options)};
	ipv6_template_unicast(p, a, 0);
	ipv6_hop_by_hop_build(p, &h);
	ipv6_template_udp(p);
	return ipv6_template_finish(p, err);
}

static int build_ipv6_destination_options(struct packet *p, const struct template_addresses *a,
					  struct dl_error *err)
{
	/* RFC 2473 Tunnel Encapsulation Limit (a destination option every node may meet) and the
	 * PadN the builder adds to reach 8 bytes */
	static const uint8_t limit[] = {4};
	const struct ipv6_option options[] = {
		{.type = IPV6_OPTION_TUNNEL_LIMIT, .data = limit, .data_length = sizeof(limit)},
	};
	struct ipv6_options_fields d = {.options = options, .option_count = DL_ARRAY_SIZE(options)};
	ipv6_template_unicast(p, a, 0);
	ipv6_destination_options_build(p, &d);
	ipv6_template_udp(p);
	return ipv6_template_finish(p, err);
}

static int build_ipv6_routing(struct packet *p, const struct template_addresses *a,
			      struct dl_error *err)
{
	/* RFC 8754 segment routing header with the DUT as its one and final segment and no
	 * segment left. Linux answers it (port unreachable) only with seg6_enabled and drops it
	 * otherwise; mutations of ipv6-routing.type reach the generic path of RFC 8200 4.4
	 * (an unknown type with no segment left is ignored) */
	struct ipv6_routing_fields r = {.type = IPV6_ROUTING_SEGMENT,
					.segments_left = 0,
					.addresses = &a->dut6,
					.address_count = 1};
	ipv6_template_unicast(p, a, 0);
	ipv6_routing_build(p, &r);
	ipv6_template_udp(p);
	return ipv6_template_finish(p, err);
}

static int build_icmpv6_echo(struct packet *p, const struct template_addresses *a,
			     struct dl_error *err)
{
	struct icmpv6_fields f = {.type = ICMPV6_ECHO_REQUEST,
				  .identifier = 0x646c,
				  .sequence = 1,
				  .data = ipv6_template_data,
				  .data_length = sizeof(ipv6_template_data) - 1};
	ipv6_template_unicast(p, a, 0);
	icmpv6_build(p, &f);
	return ipv6_template_finish(p, err);
}

static int build_icmpv6_neighbor_solicit(struct packet *p, const struct template_addresses *a,
					 struct dl_error *err)
{
	/* RFC 4861 7.2.2 address resolution: to the solicited-node group of the DUT's address
	 * (RFC 4291 2.7.1: ff02::1:ff00:0/104 and its last 24 bits), with our link address */
	struct in6_addr group = {.s6_addr = {0xff, 0x02, [11] = 0x01, [12] = 0xff}};
	memcpy(group.s6_addr + 13, a->dut6.s6_addr + 13, 3);
	uint8_t mac[6];
	ipv6_template_multicast_mac(&group, mac);
	struct icmpv6_option slla = {.type = ICMPV6_OPTION_SOURCE_LINK_ADDRESS};
	memcpy(slla.link_address, a->tester_mac, 6);
	struct icmpv6_fields f = {.type = ICMPV6_NEIGHBOR_SOLICITATION,
				  .target = a->dut6,
				  .options = &slla,
				  .option_count = 1};
	ipv6_template_link(p, a, mac);
	ipv6_template_ip(p, &a->tester6, &group, IPV6_TEMPLATE_ND_HOP_LIMIT);
	icmpv6_build(p, &f);
	return ipv6_template_finish(p, err);
}

static int build_icmpv6_neighbor_advert(struct packet *p, const struct template_addresses *a,
					struct dl_error *err)
{
	/* RFC 4861 7.2.4: the answer to the DUT's solicitation of the tester's address */
	struct icmpv6_option tlla = {.type = ICMPV6_OPTION_TARGET_LINK_ADDRESS};
	memcpy(tlla.link_address, a->tester_mac, 6);
	struct icmpv6_fields f = {.type = ICMPV6_NEIGHBOR_ADVERTISEMENT,
				  .solicited = true,
				  .override = true,
				  .target = a->tester6,
				  .options = &tlla,
				  .option_count = 1};
	ipv6_template_unicast(p, a, IPV6_TEMPLATE_ND_HOP_LIMIT);
	icmpv6_build(p, &f);
	return ipv6_template_finish(p, err);
}

static int build_icmpv6_router_solicit(struct packet *p, const struct template_addresses *a,
				       struct dl_error *err)
{
	/* RFC 4861 6.3.7: to all-routers (ff02::2), with our link address */
	const struct in6_addr routers = {.s6_addr = {0xff, 0x02, [15] = 0x02}};
	uint8_t mac[6];
	ipv6_template_multicast_mac(&routers, mac);
	struct icmpv6_option slla = {.type = ICMPV6_OPTION_SOURCE_LINK_ADDRESS};
	memcpy(slla.link_address, a->tester_mac, 6);
	struct icmpv6_fields f = {
		.type = ICMPV6_ROUTER_SOLICITATION, .options = &slla, .option_count = 1};
	ipv6_template_link(p, a, mac);
	ipv6_template_ip(p, &a->tester6, &routers, IPV6_TEMPLATE_ND_HOP_LIMIT);
	icmpv6_build(p, &f);
	return ipv6_template_finish(p, err);
}

static int build_icmpv6_router_advert(struct packet *p, const struct template_addresses *a,
				      struct dl_error *err)
{
	/* RFC 4861 6.1.2: a router advertisement comes from a link-local address: the tester's
	 * modified EUI-64 one (RFC 4291 2.5.1, appendix A) */
	struct in6_addr source = {.s6_addr = {0xfe, 0x80}};
	memcpy(source.s6_addr + 8, a->tester_mac, 3);
	source.s6_addr[8] ^= 0x02;
	source.s6_addr[11] = 0xff;
	source.s6_addr[12] = 0xfe;
	memcpy(source.s6_addr + 13, a->tester_mac + 3, 3);
	const struct in6_addr all_nodes = {.s6_addr = {0xff, 0x02, [15] = 0x01}};
	uint8_t mac[6];
	ipv6_template_multicast_mac(&all_nodes, mac);
	/* the prefix of the link the DUT is on (its address's /64), so the advertisement adds
	 * nothing new; router lifetime 0: we do not offer to be its default router */
	struct in6_addr prefix = {{{0}}};
	memcpy(prefix.s6_addr, a->dut6.s6_addr, 8);
	struct icmpv6_option options[3] = {
		{.type = ICMPV6_OPTION_SOURCE_LINK_ADDRESS},
		{.type = ICMPV6_OPTION_MTU, .mtu = 1500},
		{.type = ICMPV6_OPTION_PREFIX_INFORMATION,
		 .prefix_length = 64,
		 .on_link = true,
		 .autonomous = true,
		 .valid_lifetime = 86400,
		 .preferred_lifetime = 14400,
		 .prefix = prefix},
	};
	memcpy(options[0].link_address, a->tester_mac, 6);
	struct icmpv6_fields f = {.type = ICMPV6_ROUTER_ADVERTISEMENT,
				  .cur_hop_limit = 64,
				  .router_lifetime = 0,
				  .options = options,
				  .option_count = DL_ARRAY_SIZE(options)};
	ipv6_template_link(p, a, mac);
	ipv6_template_ip(p, &source, &all_nodes, IPV6_TEMPLATE_ND_HOP_LIMIT);
	icmpv6_build(p, &f);
	return ipv6_template_finish(p, err);
}

static int build_icmpv6_packet_too_big(struct packet *p, const struct template_addresses *a,
				       struct dl_error *err)
{
	/* RFC 4443 3.2 / RFC 8201: the tester's link takes 1280 bytes; the invoking packet is
	 * an echo reply the DUT could have sent the tester, built as layers so its fields are in
	 * the schema */
	struct icmpv6_fields f = {.type = ICMPV6_PACKET_TOO_BIG, .mtu = IPV6_MIN_MTU};
	struct icmpv6_fields reply = {.type = ICMPV6_ECHO_REPLY,
				      .identifier = 0x646c,
				      .sequence = 1,
				      .data = ipv6_template_data,
				      .data_length = sizeof(ipv6_template_data) - 1};
	ipv6_template_unicast(p, a, 0);
	icmpv6_build(p, &f);
	ipv6_template_ip(p, &a->dut6, &a->tester6, 0);
	icmpv6_build(p, &reply);
	return ipv6_template_finish(p, err);
}

const struct fuzz_template template_ipv6_udp = {
	.name = "ipv6-udp",
	.protocol = "ipv6",
	.title = "IPv6 packet with a UDP payload to the DUT's discard port",
	.build = build_ipv6_udp,
};

const struct fuzz_template template_ipv6_hop_by_hop = {
	.name = "ipv6-hop-by-hop",
	.protocol = "ipv6",
	.title = "IPv6 hop-by-hop options (Router Alert, PadN) and a UDP payload",
	.build = build_ipv6_hop_by_hop,
};

const struct fuzz_template template_ipv6_destination_options = {
	.name = "ipv6-destination-options",
	.protocol = "ipv6",
	.title = "IPv6 destination options (Tunnel Encapsulation Limit, PadN) and a UDP payload",
	.build = build_ipv6_destination_options,
};

const struct fuzz_template template_ipv6_routing = {
	.name = "ipv6-routing",
	.protocol = "ipv6",
	.title = "IPv6 segment routing header (RFC 8754) ending at the DUT, and a UDP payload",
	.build = build_ipv6_routing,
};

const struct fuzz_template template_icmpv6_echo = {
	.name = "icmpv6-echo",
	.protocol = "icmpv6",
	.title = "ICMPv6 echo request to the DUT",
	.build = build_icmpv6_echo,
};

const struct fuzz_template template_icmpv6_neighbor_solicit = {
	.name = "icmpv6-neighbor-solicit",
	.protocol = "icmpv6",
	.title = "Neighbor solicitation for the DUT's address to its solicited-node group",
	.build = build_icmpv6_neighbor_solicit,
};

const struct fuzz_template template_icmpv6_neighbor_advert = {
	.name = "icmpv6-neighbor-advert",
	.protocol = "icmpv6",
	.title = "Solicited neighbor advertisement of the tester's address to the DUT",
	.build = build_icmpv6_neighbor_advert,
};

const struct fuzz_template template_icmpv6_router_solicit = {
	.name = "icmpv6-router-solicit",
	.protocol = "icmpv6",
	.title = "Router solicitation to all-routers with the tester's link address",
	.build = build_icmpv6_router_solicit,
};

const struct fuzz_template template_icmpv6_router_advert = {
	.name = "icmpv6-router-advert",
	.protocol = "icmpv6",
	.title = "Router advertisement with link address, MTU and prefix options to all-nodes",
	.build = build_icmpv6_router_advert,
};

const struct fuzz_template template_icmpv6_packet_too_big = {
	.name = "icmpv6-packet-too-big",
	.protocol = "icmpv6",
	.title = "ICMPv6 packet too big (MTU 1280) quoting an echo reply from the DUT",
	.build = build_icmpv6_packet_too_big,
};
