/* template-ipv4: the valid IPv4 datagrams campaigns start from: options, UDP, TCP and ICMPv4,
 * aimed at the DUT */
#include "core/compat.h"

#include "core/error.h"
#include "fuzz/templates.h"
#include "proto/ethernet.h"
#include "proto/icmpv4.h"
#include "proto/ipv4.h"
#include "proto/packet.h"
#include "proto/tcp.h"
#include "proto/udp.h"
#include "proto/vlan.h"

/* RFC 863 discard: a port where a datagram is harmless whether or not a service listens */
#define IPV4_TEMPLATE_UDP_PORT 9
/* SSH, the management port network devices serve most often (template_addresses carries no
 * port; a closed port still makes the DUT's TCP input parse the SYN and answer RST) */
#define IPV4_TEMPLATE_TCP_PORT 22
#define IPV4_TEMPLATE_SOURCE_PORT 40000

static const uint8_t ipv4_template_data[] = "dutlab ipv4 template";

/* Ethernet to the DUT, with the tester port's 802.1Q tag when it has a VLAN. */
static void ipv4_template_link(struct packet *p, const struct template_addresses *a)
{
	struct ethernet_fields e = {.type = a->vlan ? ETHERTYPE_VLAN : ETHERTYPE_IPV4};
	memcpy(e.destination, a->dut_mac, 6);
	memcpy(e.source, a->tester_mac, 6);
	ethernet_build(p, &e);
	if (a->vlan) {
		struct vlan_fields v = {.vid = a->vlan, .type = ETHERTYPE_IPV4};
		vlan_build(p, &v);
	}
}

/* The tester's datagram to the DUT (protocol derived from the layer that follows). */
static void ipv4_template_ip(struct packet *p, const struct template_addresses *a,
			     const struct ipv4_option *options, size_t option_count)
{
	struct ipv4_fields ip = {
		.identification = 0x6c64, /* "dl" */
		.flags = IPV4_FLAG_DF,
		.source = a->tester4,
		.destination = a->dut4,
		.options = options,
		.option_count = option_count,
	};
	ipv4_build(p, &ip);
}

/* Pad to the minimum frame and compute the derived fields; overflow anywhere is reported here. */
static int ipv4_template_finish(struct packet *p, struct dl_error *err)
{
	ethernet_pad(p);
	return packet_finish(p, err);
}

static int build_ipv4_udp(struct packet *p, const struct template_addresses *a,
			  struct dl_error *err)
{
	struct udp_fields u = {.source_port = IPV4_TEMPLATE_SOURCE_PORT,
			       .destination_port = IPV4_TEMPLATE_UDP_PORT,
			       .payload = ipv4_template_data,
			       .payload_length = sizeof(ipv4_template_data) - 1};
	ipv4_template_link(p, a);
	ipv4_template_ip(p, a, NULL, 0);
	udp_build(p, &u);
	return ipv4_template_finish(p, err);
}

static int build_ipv4_options(struct packet *p, const struct template_addresses *a,
			      struct dl_error *err)
{
	/* RFC 2113 Router Alert (every router on the path examines it) and an RFC 791 Timestamp
	 * with room for two timestamps: the options a DUT's IP input must walk */
	static const uint8_t slots[8] = {0};
	const struct ipv4_option options[] = {
		{.type = IPV4_OPT_ROUTER_ALERT},
		{.type = IPV4_OPT_TIMESTAMP, .data = slots, .data_length = sizeof(slots)},
	};
	struct udp_fields u = {.source_port = IPV4_TEMPLATE_SOURCE_PORT,
			       .destination_port = IPV4_TEMPLATE_UDP_PORT,
			       .payload = ipv4_template_data,
			       .payload_length = sizeof(ipv4_template_data) - 1};
	ipv4_template_link(p, a);
	ipv4_template_ip(p, a, options, DL_ARRAY_SIZE(options));
	udp_build(p, &u);
	return ipv4_template_finish(p, err);
}

static int build_ipv4_tcp_syn(struct packet *p, const struct template_addresses *a,
			      struct dl_error *err)
{
	/* the options of a Linux SYN (RFC 9293 3.2, RFC 7323, RFC 2018) */
	const struct tcp_option options[] = {
		{.kind = TCP_OPT_MSS, .values = {1460}},
		{.kind = TCP_OPT_SACK_PERMITTED},
		{.kind = TCP_OPT_TIMESTAMPS, .values = {0x64746c62, 0}},
		{.kind = TCP_OPT_NOP},
		{.kind = TCP_OPT_WINDOW_SCALE, .values = {7}},
	};
	struct tcp_fields t = {.source_port = IPV4_TEMPLATE_SOURCE_PORT,
			       .destination_port = IPV4_TEMPLATE_TCP_PORT,
			       .sequence = 0x64746c62,
			       .flags = TCP_FLAG_SYN,
			       .options = options,
			       .option_count = DL_ARRAY_SIZE(options)};
	ipv4_template_link(p, a);
	ipv4_template_ip(p, a, NULL, 0);
	tcp_build(p, &t);
	return ipv4_template_finish(p, err);
}

static int build_icmpv4_echo(struct packet *p, const struct template_addresses *a,
			     struct dl_error *err)
{
	struct icmpv4_fields f = {.type = ICMPV4_ECHO_REQUEST,
				  .identifier = 0x646c,
				  .sequence = 1,
				  .data = ipv4_template_data,
				  .data_length = sizeof(ipv4_template_data) - 1};
	ipv4_template_link(p, a);
	ipv4_template_ip(p, a, NULL, 0);
	icmpv4_build(p, &f);
	return ipv4_template_finish(p, err);
}

static int build_icmpv4_timestamp(struct packet *p, const struct template_addresses *a,
				  struct dl_error *err)
{
	/* RFC 792: originate time in ms since midnight UT; a fixed one keeps the case replayable */
	struct icmpv4_fields f = {.type = ICMPV4_TIMESTAMP,
				  .identifier = 0x646c,
				  .sequence = 1,
				  .originate = 43200000};
	ipv4_template_link(p, a);
	ipv4_template_ip(p, a, NULL, 0);
	icmpv4_build(p, &f);
	return ipv4_template_finish(p, err);
}

/* The invoking datagram of an error: one the DUT could have sent to the tester (UDP from the
 * DUT's port 9 to the tester), built as layers so its fields are in the schema. */
static void ipv4_template_invoking(struct packet *p, const struct template_addresses *a)
{
	struct ipv4_fields ip = {
		.identification = 0x0101, .source = a->dut4, .destination = a->tester4};
	struct udp_fields u = {.source_port = IPV4_TEMPLATE_UDP_PORT,
			       .destination_port = IPV4_TEMPLATE_SOURCE_PORT,
			       .payload = ipv4_template_data,
			       .payload_length = 8};
	ipv4_build(p, &ip);
	udp_build(p, &u);
}

static int build_icmpv4_unreachable(struct packet *p, const struct template_addresses *a,
				    struct dl_error *err)
{
	/* port unreachable from the tester about a datagram from the DUT */
	struct icmpv4_fields f = {.type = ICMPV4_UNREACHABLE, .code = 3};
	ipv4_template_link(p, a);
	ipv4_template_ip(p, a, NULL, 0);
	icmpv4_build(p, &f);
	ipv4_template_invoking(p, a);
	return ipv4_template_finish(p, err);
}

static int build_icmpv4_redirect(struct packet *p, const struct template_addresses *a,
				 struct dl_error *err)
{
	/* RFC 792: redirect for the host, naming the tester as the better gateway */
	struct icmpv4_fields f = {.type = ICMPV4_REDIRECT, .code = 1, .gateway = a->tester4};
	ipv4_template_link(p, a);
	ipv4_template_ip(p, a, NULL, 0);
	icmpv4_build(p, &f);
	ipv4_template_invoking(p, a);
	return ipv4_template_finish(p, err);
}

const struct fuzz_template template_ipv4_udp = {
	.name = "ipv4-udp",
	.protocol = "ipv4",
	.title = "IPv4 datagram with a UDP payload to the DUT's discard port",
	.build = build_ipv4_udp,
};

const struct fuzz_template template_ipv4_options = {
	.name = "ipv4-options",
	.protocol = "ipv4",
	.title = "IPv4 datagram with Router Alert and Timestamp options and a UDP payload",
	.build = build_ipv4_options,
};

const struct fuzz_template template_ipv4_tcp_syn = {
	.name = "ipv4-tcp-syn",
	.protocol = "ipv4",
	.title = "TCP SYN with MSS, SACK-permitted, timestamps and window scale to port 22",
	.build = build_ipv4_tcp_syn,
};

const struct fuzz_template template_icmpv4_echo = {
	.name = "icmpv4-echo",
	.protocol = "icmpv4",
	.title = "ICMPv4 echo request to the DUT",
	.build = build_icmpv4_echo,
};

const struct fuzz_template template_icmpv4_timestamp = {
	.name = "icmpv4-timestamp",
	.protocol = "icmpv4",
	.title = "ICMPv4 timestamp request to the DUT",
	.build = build_icmpv4_timestamp,
};

const struct fuzz_template template_icmpv4_unreachable = {
	.name = "icmpv4-unreachable",
	.protocol = "icmpv4",
	.title = "ICMPv4 port unreachable quoting a UDP datagram from the DUT",
	.build = build_icmpv4_unreachable,
};

const struct fuzz_template template_icmpv4_redirect = {
	.name = "icmpv4-redirect",
	.protocol = "icmpv4",
	.title = "ICMPv4 host redirect to the tester, quoting a UDP datagram from the DUT",
	.build = build_icmpv4_redirect,
};
