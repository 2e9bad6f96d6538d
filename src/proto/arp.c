/* arp: RFC 826 ARP (Ethernet hardware, IPv4 protocol) build, parse and field schema */
#include "core/compat.h"

#include "core/error.h"
#include "proto/arp.h"
#include "proto/cursor.h"
#include "proto/layer.h"
#include "proto/packet.h"

#define ARP_HEADER_LENGTH 8
#define ARP_ADDRESS_MAX 32 /* a hlen or plen above it describes no real network */

/* IANA "Hardware Types" and "Operation Codes" (ARP parameters registry) */
static const struct field_value arp_hardware_types[] = {
	{1, "ethernet"}, {6, "ieee-802"},   {15, "frame-relay"}, {16, "atm"},
	{20, "serial"},  {24, "ieee-1394"}, {32, "infiniband"},  {0, NULL},
};

static const struct field_value arp_protocol_types[] = {
	{0x0800, "ipv4"},
	{0, NULL},
};

static const struct field_value arp_opcodes[] = {
	{ARP_REQUEST, "request"},
	{ARP_REPLY, "reply"},
	{ARP_RARP_REQUEST, "rarp-request"},
	{ARP_RARP_REPLY, "rarp-reply"},
	{ARP_INARP_REQUEST, "inarp-request"},
	{ARP_INARP_REPLY, "inarp-reply"},
	{0, NULL},
};

/*
 * Declare the ARP message at the cursor: the builder runs it over the bytes
 * it wrote and the parser over the wire, so both declare the same schema.
 * The whole message is checked before anything is appended.
 */
static int arp_declare(struct packet *p, struct cursor *c)
{
	size_t start = cursor_position(c);
	const uint8_t *h;
	if (cursor_remaining(c) < ARP_HEADER_LENGTH)
		return cursor_fail_value(c, "shorter than the 8-byte ARP header",
					 cursor_remaining(c));
	cursor_bytes(c, ARP_HEADER_LENGTH, &h);
	uint8_t hlen = h[4], plen = h[5];
	if (hlen == 0 || hlen > ARP_ADDRESS_MAX)
		return cursor_fail_at(c, start + 4, "hardware address length is not 1 to 32", hlen,
				      true);
	if (plen == 0 || plen > ARP_ADDRESS_MAX)
		return cursor_fail_at(c, start + 5, "protocol address length is not 1 to 32", plen,
				      true);
	size_t addresses = 2 * (size_t)hlen + 2 * (size_t)plen;
	const uint8_t *a;
	if (cursor_remaining(c) < addresses)
		return cursor_fail_value(c, "addresses run past the frame", addresses);
	cursor_bytes(c, addresses, &a);

	if (packet_layer_begin(p, &arp_layer, "arp") == PACKET_NONE)
		return cursor_fail(c, "the packet has no room for another layer");
	uint32_t o = packet_append(p, ARP_HEADER_LENGTH + addresses);
	if (o == PACKET_BYTES_MAX)
		return cursor_fail(c, "the frame is larger than a packet holds");
	memcpy(p->bytes + o, h, ARP_HEADER_LENGTH);
	memcpy(p->bytes + o + ARP_HEADER_LENGTH, a, addresses);

	int htype = packet_field(p, "arp.htype", FIELD_ENUM, o, 2, (uint32_t)h[0] << 8 | h[1], 0);
	int ptype =
		packet_field(p, "arp.ptype", FIELD_ENUM, o + 2, 2, (uint32_t)h[2] << 8 | h[3], 0);
	int hl = packet_field(p, "arp.hlen", FIELD_LENGTH, o + 4, 1, hlen, 0);
	int pl = packet_field(p, "arp.plen", FIELD_LENGTH, o + 5, 1, plen, 0);
	int op = packet_field(p, "arp.opcode", FIELD_ENUM, o + 6, 2, (uint32_t)h[6] << 8 | h[7],
			      FIELD_KEY);
	uint32_t at = o + ARP_HEADER_LENGTH;
	int sha = packet_field_bytes(p, "arp.sender_mac", FIELD_ADDRESS, at, a, hlen, FIELD_KEY);
	int spa = packet_field_bytes(p, "arp.sender_ip", FIELD_ADDRESS, at + hlen, a + hlen, plen,
				     FIELD_KEY);
	at += hlen + plen;
	packet_field_bytes(p, "arp.target_mac", FIELD_ADDRESS, at, a + hlen + plen, hlen,
			   FIELD_KEY);
	packet_field_bytes(p, "arp.target_ip", FIELD_ADDRESS, at + hlen, a + 2 * hlen + plen, plen,
			   FIELD_KEY);
	if (p->overflow)
		return cursor_fail(c, "more fields than a packet holds");
	packet_values(p, htype, arp_hardware_types);
	packet_values(p, ptype, arp_protocol_types);
	packet_values(p, op, arp_opcodes);
	/* hlen and plen say the size of each address of their kind; the sender's
	 * stands for both, so a mutation that grows it makes them disagree */
	packet_relate(p, hl, sha, 1, 0);
	packet_relate(p, pl, spa, 1, 0);
	return 0;
}

int arp_build(struct packet *p, const struct arp_fields *f)
{
	uint8_t wire[ARP_LENGTH];
	uint16_t htype = f->htype ? f->htype : ARP_HTYPE_ETHERNET;
	uint16_t ptype = f->ptype ? f->ptype : ARP_PTYPE_IPV4;
	uint16_t opcode = f->opcode ? f->opcode : ARP_REQUEST;
	wire[0] = (uint8_t)(htype >> 8);
	wire[1] = (uint8_t)htype;
	wire[2] = (uint8_t)(ptype >> 8);
	wire[3] = (uint8_t)ptype;
	wire[4] = 6;
	wire[5] = 4;
	wire[6] = (uint8_t)(opcode >> 8);
	wire[7] = (uint8_t)opcode;
	memcpy(wire + 8, f->sender_mac, 6);
	memcpy(wire + 14, &f->sender_ip, 4);
	memcpy(wire + 18, f->target_mac, 6);
	memcpy(wire + 24, &f->target_ip, 4);
	struct cursor c;
	cursor_init(&c, wire, sizeof(wire));
	if (arp_declare(p, &c) < 0) {
		p->overflow = true;
		return DL_ENOMEM;
	}
	return 0;
}

static int arp_parse(struct packet *p, struct cursor *c, struct layer_parse_result *next)
{
	next->next = LAYER_NEXT_NONE;
	next->value = 0;
	if (arp_declare(p, c) < 0)
		return DL_EPROTO;
	/* what follows is not this message's: in a frame, the Ethernet padding */
	return proto_limit(c, 0);
}

const struct proto_layer arp_layer = {
	.name = "arp",
	.title = "ARP (RFC 826) for Ethernet and IPv4, with RARP and InARP opcodes",
	.fixup = NULL,
	.parse = arp_parse,
};
