/* template-link: the valid link-layer frames campaigns start from: Ethernet, VLAN, ARP, LLDP and
 * MAC Control, aimed at the DUT */
#include "core/compat.h"

#include "core/error.h"
#include "fuzz/templates.h"
#include "proto/arp.h"
#include "proto/ethernet.h"
#include "proto/ipv4.h"
#include "proto/lldp.h"
#include "proto/mac-control.h"
#include "proto/packet.h"
#include "proto/vlan.h"

static const uint8_t link_broadcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

/* A short pause (16 quanta: 8 us at 1 Gb/s): a valid frame that does not starve the DUT's own
 * traffic (the background flow the health monitors measure) before any mutation. */
#define LINK_PAUSE_QUANTA 0x0010

/*
 * The Ethernet header from the tester to destination, and the tester
 * port's 802.1Q tag when it has a VLAN (NCC 5.4.2.4 frames must reach the
 * DUT through the port as configured), then type.
 */
static void link_ethernet(struct packet *p, const struct template_addresses *a,
			  const uint8_t destination[6], uint16_t type)
{
	struct ethernet_fields e = {.type = a->vlan ? ETHERTYPE_VLAN : type};
	memcpy(e.destination, destination, 6);
	memcpy(e.source, a->tester_mac, 6);
	ethernet_build(p, &e);
	if (a->vlan) {
		struct vlan_fields v = {.vid = a->vlan, .type = type};
		vlan_build(p, &v);
	}
}

/* An ARP request from the tester for the DUT's address. */
static void link_arp_request(struct packet *p, const struct template_addresses *a)
{
	struct arp_fields f = {
		.opcode = ARP_REQUEST,
		.sender_ip = a->tester4,
		.target_ip = a->dut4,
	};
	memcpy(f.sender_mac, a->tester_mac, 6);
	arp_build(p, &f);
}

/* Pad to the minimum frame and compute the derived fields; overflow anywhere is reported here. */
static int link_finish(struct packet *p, struct dl_error *err)
{
	ethernet_pad(p);
	return packet_finish(p, err);
}

static int build_arp_request(struct packet *p, const struct template_addresses *a,
			     struct dl_error *err)
{
	link_ethernet(p, a, link_broadcast, ETHERTYPE_ARP);
	link_arp_request(p, a);
	return link_finish(p, err);
}

static int build_arp_reply(struct packet *p, const struct template_addresses *a,
			   struct dl_error *err)
{
	struct arp_fields f = {.opcode = ARP_REPLY, .sender_ip = a->tester4, .target_ip = a->dut4};
	memcpy(f.sender_mac, a->tester_mac, 6);
	memcpy(f.target_mac, a->dut_mac, 6);
	link_ethernet(p, a, a->dut_mac, ETHERTYPE_ARP);
	arp_build(p, &f);
	return link_finish(p, err);
}

static int build_arp_gratuitous(struct packet *p, const struct template_addresses *a,
				struct dl_error *err)
{
	/* RFC 5227 3: an ARP announcement, the tester's address as sender and target */
	struct arp_fields f = {
		.opcode = ARP_REQUEST, .sender_ip = a->tester4, .target_ip = a->tester4};
	memcpy(f.sender_mac, a->tester_mac, 6);
	link_ethernet(p, a, link_broadcast, ETHERTYPE_ARP);
	arp_build(p, &f);
	return link_finish(p, err);
}

static int build_lldp_nearest_bridge(struct packet *p, const struct template_addresses *a,
				     struct dl_error *err)
{
	/* 802.1AB-2016 7.1: LLDPDUs to the nearest bridge are untagged and never forwarded */
	struct ethernet_fields e = {.type = ETHERTYPE_LLDP};
	memcpy(e.destination, lldp_nearest_bridge, 6);
	memcpy(e.source, a->tester_mac, 6);
	struct lldp_fields f = {
		.port_name = "dutlab0",
		.system_name = "dutlab-tester",
		.management4 = a->tester4,
		.port_vlan = a->vlan,
	};
	memcpy(f.chassis_mac, a->tester_mac, 6);
	ethernet_build(p, &e);
	lldp_build(p, &f);
	return link_finish(p, err);
}

static int build_mac_control(struct packet *p, const struct template_addresses *a,
			     const struct mac_control_fields *f, struct dl_error *err)
{
	/* 802.3-2018 31B.1: to the reserved multicast address, untagged */
	struct ethernet_fields e = {.type = ETHERTYPE_MAC_CONTROL};
	memcpy(e.destination, mac_control_address, 6);
	memcpy(e.source, a->tester_mac, 6);
	ethernet_build(p, &e);
	mac_control_build(p, f);
	return link_finish(p, err);
}

static int build_mac_control_pause(struct packet *p, const struct template_addresses *a,
				   struct dl_error *err)
{
	struct mac_control_fields f = {.opcode = MAC_CONTROL_PAUSE, .quanta = LINK_PAUSE_QUANTA};
	return build_mac_control(p, a, &f, err);
}

static int build_mac_control_pfc(struct packet *p, const struct template_addresses *a,
				 struct dl_error *err)
{
	struct mac_control_fields f = {.opcode = MAC_CONTROL_PFC, .class_enable = 0xff};
	for (size_t i = 0; i < DL_ARRAY_SIZE(f.times); i++)
		f.times[i] = LINK_PAUSE_QUANTA;
	return build_mac_control(p, a, &f, err);
}

static int build_ethernet_ii(struct packet *p, const struct template_addresses *a,
			     struct dl_error *err)
{
	/* an IPv4 datagram to the DUT of protocol 253 (RFC 3692 experimentation): the DUT's
	 * Ethernet input sees a frame for itself, and no transport answers the payload */
	static const uint8_t payload[] = "dutlab ethernet-ii template";
	struct ipv4_fields ip = {.protocol = 253, .source = a->tester4, .destination = a->dut4};
	link_ethernet(p, a, a->dut_mac, ETHERTYPE_IPV4);
	ipv4_build(p, &ip);
	uint32_t at = packet_append(p, sizeof(payload) - 1);
	packet_field_bytes(p, "payload", FIELD_BYTES, at, payload, sizeof(payload) - 1, 0);
	return link_finish(p, err);
}

static int build_ethernet_llc_snap(struct packet *p, const struct template_addresses *a,
				   struct dl_error *err)
{
	/* IEEE 802.3 with a length, LLC UI and SNAP (RFC 1042 OUI 00-00-00) carrying ARP */
	struct ethernet_fields e = {.type = a->vlan ? ETHERTYPE_VLAN : 0};
	memcpy(e.destination, link_broadcast, 6);
	memcpy(e.source, a->tester_mac, 6);
	ethernet_build(p, &e);
	if (a->vlan) {
		struct vlan_fields v = {.vid = a->vlan, .type = 0};
		vlan_build(p, &v);
	}
	struct llc_fields l = {.snap = true, .snap_type = ETHERTYPE_ARP};
	llc_build(p, &l);
	link_arp_request(p, a);
	return link_finish(p, err);
}

static int build_vlan_single(struct packet *p, const struct template_addresses *a,
			     struct dl_error *err)
{
	/* the tester port's VLAN, or a priority tag (VID 0, 802.1Q 9.6) on an untagged port,
	 * which the DUT takes as untagged: either way the ARP request reaches it */
	struct ethernet_fields e = {.type = ETHERTYPE_VLAN};
	memcpy(e.destination, link_broadcast, 6);
	memcpy(e.source, a->tester_mac, 6);
	struct vlan_fields v = {.pcp = 0, .vid = a->vlan, .type = ETHERTYPE_ARP};
	ethernet_build(p, &e);
	vlan_build(p, &v);
	link_arp_request(p, a);
	return link_finish(p, err);
}

static int build_vlan_double(struct packet *p, const struct template_addresses *a,
			     struct dl_error *err)
{
	/* 802.1ad: an S-tag (the tester port's VLAN, else 100) over a C-tag of VLAN 1 */
	struct ethernet_fields e = {.type = ETHERTYPE_QINQ};
	memcpy(e.destination, link_broadcast, 6);
	memcpy(e.source, a->tester_mac, 6);
	struct vlan_fields outer = {.vid = a->vlan ? a->vlan : 100, .type = ETHERTYPE_VLAN};
	struct vlan_fields inner = {.vid = 1, .type = ETHERTYPE_ARP};
	ethernet_build(p, &e);
	vlan_build(p, &outer);
	vlan_build(p, &inner);
	link_arp_request(p, a);
	return link_finish(p, err);
}

const struct fuzz_template template_arp_request = {
	.name = "arp-request",
	.protocol = "arp",
	.title = "ARP request for the DUT's IPv4 address",
	.build = build_arp_request,
};

const struct fuzz_template template_arp_reply = {
	.name = "arp-reply",
	.protocol = "arp",
	.title = "ARP reply to the DUT with the tester's address",
	.build = build_arp_reply,
};

const struct fuzz_template template_arp_gratuitous = {
	.name = "arp-gratuitous",
	.protocol = "arp",
	.title = "gratuitous ARP (RFC 5227 announcement) of the tester's address",
	.build = build_arp_gratuitous,
};

const struct fuzz_template template_lldp_nearest_bridge = {
	.name = "lldp-nearest-bridge",
	.protocol = "lldp",
	.title = "LLDPDU to the nearest bridge with the mandatory and common optional TLVs",
	.build = build_lldp_nearest_bridge,
};

const struct fuzz_template template_mac_control_pause = {
	.name = "mac-control-pause",
	.protocol = "ethernet-control",
	.title = "IEEE 802.3 PAUSE frame",
	.build = build_mac_control_pause,
};

const struct fuzz_template template_mac_control_pfc = {
	.name = "mac-control-pfc",
	.protocol = "ethernet-control",
	.title = "IEEE 802.1Qbb priority-based flow control frame, all eight priorities",
	.build = build_mac_control_pfc,
};

const struct fuzz_template template_ethernet_ii = {
	.name = "ethernet-ii",
	.protocol = "ethernet",
	.title = "Ethernet II frame to the DUT carrying a small IPv4 datagram",
	.build = build_ethernet_ii,
};

const struct fuzz_template template_ethernet_llc_snap = {
	.name = "ethernet-llc-snap",
	.protocol = "ethernet",
	.title = "IEEE 802.3 frame with LLC and SNAP carrying an ARP request",
	.build = build_ethernet_llc_snap,
};

const struct fuzz_template template_vlan_single = {
	.name = "vlan-single",
	.protocol = "vlan",
	.title = "802.1Q-tagged ARP request (the port's VLAN, or a priority tag)",
	.build = build_vlan_single,
};

const struct fuzz_template template_vlan_double = {
	.name = "vlan-double",
	.protocol = "vlan",
	.title = "802.1ad double-tagged (QinQ) ARP request",
	.build = build_vlan_double,
};
