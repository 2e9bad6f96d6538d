/* layer: the table of packet models, and the dissector that parses a frame through them */
#include "core/compat.h"

#include "core/error.h"
#include "proto/arp.h"
#include "proto/bgp.h"
#include "proto/cursor.h"
#include "proto/ethernet.h"
#include "proto/icmpv4.h"
#include "proto/icmpv6.h"
#include "proto/interleaved.h"
#include "proto/ipv4.h"
#include "proto/ipv6.h"
#include "proto/layer.h"
#include "proto/lldp.h"
#include "proto/mac-control.h"
#include "proto/ospf.h"
#include "proto/packet.h"
#include "proto/rip.h"
#include "proto/rtcp.h"
#include "proto/rtp.h"
#include "proto/rtsp-message.h"
#include "proto/tcp.h"
#include "proto/tls-record.h"
#include "proto/udp.h"
#include "proto/vlan.h"

/* Every model, sorted by name: add one line per model. */
/* clang-format off */
const struct proto_layer *const proto_layers[] = {
	&arp_layer,
	&bgp_layer,
	&ethernet_layer,
	&icmpv4_layer,
	&icmpv6_layer,
	&ipv4_layer,
	&ipv6_layer,
	&ipv6_destination_options_layer,
	&ipv6_fragment_layer,
	&ipv6_hop_by_hop_layer,
	&ipv6_routing_layer,
	&llc_layer,
	&lldp_layer,
	&mac_control_layer,
	&ospf_layer,
	&rip_layer,
	&rtcp_layer,
	&rtp_layer,
	&rtsp_message_layer, /* "rtsp" */
	&interleaved_layer, /* "rtsp-interleaved" */
	&tcp_layer,
	&tls_record_layer,
	&udp_layer,
	&vlan_layer,
};
/* clang-format on */
const size_t proto_layer_count = DL_ARRAY_SIZE(proto_layers);

/*
 * What follows a layer: one line per (kind, value). LLC entries match any
 * value (the value of LAYER_NEXT_LLC is the 802.3 length). IPv6 extension
 * headers are models dispatched by their next-header number like the rest.
 */
struct proto_dispatch {
	enum layer_next next;
	uint32_t value;
	const struct proto_layer *model;
};

static const struct proto_dispatch proto_dispatch[] = {
	{LAYER_NEXT_ETHERTYPE, ETHERTYPE_VLAN, &vlan_layer},
	{LAYER_NEXT_ETHERTYPE, ETHERTYPE_QINQ, &vlan_layer},
	{LAYER_NEXT_ETHERTYPE, ETHERTYPE_QINQ_OLD, &vlan_layer},
	{LAYER_NEXT_ETHERTYPE, ETHERTYPE_ARP, &arp_layer},
	{LAYER_NEXT_ETHERTYPE, ETHERTYPE_LLDP, &lldp_layer},
	{LAYER_NEXT_ETHERTYPE, ETHERTYPE_MAC_CONTROL, &mac_control_layer},
	{LAYER_NEXT_LLC, 0, &llc_layer},
	{LAYER_NEXT_ETHERTYPE, ETHERTYPE_IPV4, &ipv4_layer},
	{LAYER_NEXT_IP_PROTOCOL, 1, &icmpv4_layer},
	{LAYER_NEXT_IP_PROTOCOL, 6, &tcp_layer},
	{LAYER_NEXT_IP_PROTOCOL, 17, &udp_layer},
	{LAYER_NEXT_IP_PROTOCOL, OSPF_PROTOCOL, &ospf_layer},
	{LAYER_NEXT_ETHERTYPE, ETHERTYPE_IPV6, &ipv6_layer},
	{LAYER_NEXT_IP_PROTOCOL, IPV6_NEXT_HOP_BY_HOP, &ipv6_hop_by_hop_layer},
	{LAYER_NEXT_IP_PROTOCOL, IPV6_NEXT_ROUTING, &ipv6_routing_layer},
	{LAYER_NEXT_IP_PROTOCOL, IPV6_NEXT_FRAGMENT, &ipv6_fragment_layer},
	{LAYER_NEXT_IP_PROTOCOL, IPV6_NEXT_DESTINATION_OPTIONS, &ipv6_destination_options_layer},
	{LAYER_NEXT_IP_PROTOCOL, IPV6_NEXT_ICMPV6, &icmpv6_layer},
	{LAYER_NEXT_TCP_PORT, BGP_PORT, &bgp_layer},
	{LAYER_NEXT_UDP_PORT, RIP_PORT, &rip_layer},
	{LAYER_NEXT_TCP_PORT, RTSP_MESSAGE_PORT, &rtsp_message_layer},
	{LAYER_NEXT_TCP_PORT, TLS_RECORD_PORT, &tls_record_layer},
};

const struct proto_layer *proto_layer_find(const char *name)
{
	for (size_t i = 0; i < proto_layer_count; i++) {
		if (strcmp(proto_layers[i]->name, name) == 0)
			return proto_layers[i];
	}
	return NULL;
}

static const struct proto_layer *proto_next(const struct layer_parse_result *r)
{
	for (size_t i = 0; i < DL_ARRAY_SIZE(proto_dispatch); i++) {
		const struct proto_dispatch *d = &proto_dispatch[i];
		if (d->next == r->next && (d->next == LAYER_NEXT_LLC || d->value == r->value))
			return d->model;
	}
	return NULL;
}

bool proto_dispatches(enum layer_next next, uint32_t value)
{
	struct layer_parse_result r = {.next = next, .value = value};
	return next != LAYER_NEXT_NONE && proto_next(&r) != NULL;
}

int proto_take(struct packet *p, struct cursor *c, size_t n, uint32_t *offset)
{
	const uint8_t *src;
	if (cursor_bytes(c, n, &src) < 0)
		return DL_EPROTO;
	uint32_t at = packet_append(p, n);
	if (p->overflow)
		return DL_ENOMEM;
	if (n)
		memcpy(p->bytes + at, src, n);
	*offset = at;
	return 0;
}

int proto_limit(struct cursor *c, size_t n)
{
	if (n > cursor_remaining(c))
		return cursor_fail_value(c, "length passes the end of the frame", n);
	c->len = c->offset + n;
	return 0;
}

static int proto_room(struct dl_error *err)
{
	return dl_error_set(err, DL_ENOMEM,
			    "frame: more than a packet holds (%d bytes, %d fields, %d layers); "
			    "it is dissected only that far",
			    PACKET_BYTES_MAX, PACKET_FIELDS_MAX, PACKET_LAYERS_MAX);
}

int proto_dissect(struct packet *p, const uint8_t *frame, size_t length, struct dl_error *err)
{
	packet_init(p);
	if (length > PACKET_BYTES_MAX)
		return dl_error_set(err, DL_EPROTO,
				    "frame: %zu bytes, longer than the %d-byte jumbo frame dutlab "
				    "handles",
				    length, PACKET_BYTES_MAX);
	struct cursor c;
	cursor_init(&c, frame, length);
	const struct proto_layer *model = &ethernet_layer;
	/* one layer per model at most PACKET_LAYERS_MAX deep: a deeper stack is payload */
	for (int depth = 0; model && depth < PACKET_LAYERS_MAX; depth++) {
		struct layer_parse_result next = {.next = LAYER_NEXT_NONE, .value = 0};
		int rc = model->parse(p, &c, &next);
		if (rc == DL_ENOMEM || p->overflow)
			return proto_room(err);
		if (rc < 0) {
			if (cursor_failed(&c))
				return cursor_error_report(&c, err, "frame");
			return dl_error_set(err, DL_EPROTO, "frame: offset %zu: %s refused it",
					    cursor_position(&c), model->name);
		}
		model = next.next == LAYER_NEXT_NONE ? NULL : proto_next(&next);
	}
	size_t left = cursor_remaining(&c);
	if (left > 0) {
		uint32_t at = packet_append(p, left);
		if (!p->overflow)
			packet_field_bytes(p, "payload", FIELD_BYTES, at, frame + c.offset,
					   (uint32_t)left, 0);
	}
	/* bytes past a layer's own length (802.3, IPv4): the Ethernet layer's padding */
	if (c.len < length && ethernet_padding(p, frame + c.len, length - c.len) < 0)
		return proto_room(err);
	if (p->overflow)
		return proto_room(err);
	p->open_count = 0;
	return 0;
}
