/* udp: UDP (RFC 768) build, parse and field schema, checksummed over IPv4 or IPv6 */
#include "core/compat.h"

#include "core/error.h"
#include "proto/cursor.h"
#include "proto/ipv4.h"
#include "proto/layer.h"
#include "proto/packet.h"
#include "proto/udp.h"

/* Declare the header (and payload, unless a port model reads it) read from c: the builder's
 * buffer or the wire. */
static int udp_declare(struct packet *p, struct cursor *c, bool checksummed, bool payload)
{
	if (cursor_remaining(c) < UDP_HEADER_LENGTH)
		return cursor_fail_value(c, "shorter than the 8-byte UDP header",
					 cursor_remaining(c));
	int layer = packet_layer_begin(p, &udp_layer, "udp");
	if (layer == PACKET_NONE)
		return DL_ENOMEM;
	const uint8_t *h;
	cursor_bytes(c, UDP_HEADER_LENGTH, &h);
	uint32_t o = packet_append(p, UDP_HEADER_LENGTH);
	if (o == PACKET_BYTES_MAX)
		return DL_ENOMEM;
	memcpy(p->bytes + o, h, UDP_HEADER_LENGTH);
	packet_field(p, "udp.source_port", FIELD_UINT, o, 2, (uint64_t)h[0] << 8 | h[1], 0);
	packet_field(p, "udp.destination_port", FIELD_UINT, o + 2, 2, (uint64_t)h[2] << 8 | h[3],
		     FIELD_KEY);
	int length = packet_field(p, "udp.length", FIELD_LENGTH, o + 4, 2,
				  (uint64_t)h[4] << 8 | h[5], 0);
	int checksum = packet_field(p, "udp.checksum", FIELD_CHECKSUM, o + 6, 2,
				    (uint64_t)h[6] << 8 | h[7], 0);
	int element = p->layers[layer].element;
	packet_relate(p, length, element, 1, 0);
	packet_relate(p, checksum, element, 1, 0);
	p->layers[layer].slots[UDP_SLOT_CHECKSUM] = (int16_t)(checksummed ? checksum : PACKET_NONE);
	p->layers[layer].slots[UDP_SLOT_LENGTH] = (int16_t)length;
	size_t rest = cursor_remaining(c);
	if (payload && rest > 0) {
		const uint8_t *b;
		cursor_bytes(c, rest, &b);
		uint32_t at = packet_append(p, rest);
		if (at == PACKET_BYTES_MAX)
			return DL_ENOMEM;
		packet_field_bytes(p, "udp.payload", FIELD_BYTES, at, b, (uint32_t)rest, 0);
	}
	return p->overflow ? DL_ENOMEM : 0;
}

int udp_build(struct packet *p, const struct udp_fields *f)
{
	uint8_t h[UDP_HEADER_LENGTH] = {
		(uint8_t)(f->source_port >> 8),
		(uint8_t)f->source_port,
		(uint8_t)(f->destination_port >> 8),
		(uint8_t)f->destination_port,
	};
	if (f->payload_length > PACKET_BYTES_MAX || (f->payload_length && !f->payload)) {
		p->overflow = true;
		return DL_ENOMEM;
	}
	struct cursor c;
	cursor_init(&c, h, sizeof(h));
	int rc = udp_declare(p, &c, !f->no_checksum, true);
	if (rc == 0 && f->payload_length) {
		uint32_t at = packet_append(p, f->payload_length);
		if (at == PACKET_BYTES_MAX)
			return DL_ENOMEM;
		packet_field_bytes(p, "udp.payload", FIELD_BYTES, at, f->payload,
				   (uint32_t)f->payload_length, 0);
	}
	if (rc < 0 || p->overflow) {
		p->overflow = true;
		return DL_ENOMEM;
	}
	return 0;
}

/* RFC 768: the length covers header and data, at least 8, within the IP payload. Data to or
 * from a port a model reads (RIP's 520, RFC 2453 3.1) is the next layer's. */
static int udp_parse(struct packet *p, struct cursor *c, struct layer_parse_result *next)
{
	next->next = LAYER_NEXT_NONE;
	next->value = 0;
	size_t avail = cursor_remaining(c);
	if (avail < UDP_HEADER_LENGTH)
		return cursor_fail_value(c, "shorter than the 8-byte UDP header", avail);
	unsigned length = (unsigned)c->p[c->offset + 4] << 8 | c->p[c->offset + 5];
	if (length < UDP_HEADER_LENGTH)
		return cursor_fail_value(c, "UDP length is under the 8-byte header", length);
	if (length > avail)
		return cursor_fail_value(c, "UDP length passes the end of the IP payload", length);
	const uint8_t *h = c->p + c->offset;
	uint32_t source = (uint32_t)h[0] << 8 | h[1], destination = (uint32_t)h[2] << 8 | h[3];
	uint32_t port = proto_dispatches(LAYER_NEXT_UDP_PORT, destination) ? destination
			: proto_dispatches(LAYER_NEXT_UDP_PORT, source)    ? source
									   : 0;
	bool checksummed = h[6] | h[7];
	if (port && length > UDP_HEADER_LENGTH) {
		/* the bytes past the UDP length are not the next layer's (the Ethernet padding) */
		if (proto_limit(c, length) < 0)
			return DL_EPROTO;
		int rc = udp_declare(p, c, checksummed, false);
		if (rc == 0) {
			next->next = LAYER_NEXT_UDP_PORT;
			next->value = port;
		}
		return rc;
	}
	struct cursor datagram;
	cursor_sub(c, length, &datagram);
	return udp_declare(p, &datagram, checksummed, true);
}

/* Over what a receiver checks: the UDP length's bytes when they fit the IP payload (RFC 768; a
 * receiver trims the datagram to it, and drops one whose length does not fit), else the
 * datagram as the IP layer carries it. */
static void udp_fixup(struct packet *p, int layer)
{
	int checksum = p->layers[layer].slots[UDP_SLOT_CHECKSUM];
	if (checksum == PACKET_NONE)
		return;
	const struct field *e = &p->fields[p->layers[layer].element];
	int ip = ip_layer_enclosing(p, layer);
	uint32_t room = ip_payload_room(p, ip, e->offset);
	uint32_t length = room != UINT32_MAX ? room : e->size;
	if (length > p->length - e->offset)
		length = p->length - e->offset;
	int length_field = p->layers[layer].slots[UDP_SLOT_LENGTH];
	if (length_field >= 0 && length_field < p->field_count &&
	    !(p->fields[length_field].flags & FIELD_REMOVED)) {
		uint64_t said = packet_get(p, length_field);
		if (said >= UDP_HEADER_LENGTH && said <= length)
			length = (uint32_t)said;
	}
	ip_checksum_fixup_span(p, checksum, length, ip_pseudo_sum(p, ip, 17, length), true);
}

const struct proto_layer udp_layer = {
	.name = "udp",
	.title = "UDP (RFC 768)",
	.fixup = udp_fixup,
	.parse = udp_parse,
};
