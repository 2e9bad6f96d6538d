/* icmpv4: ICMP for IPv4 (RFC 792) messages build, parse and field schema */
#include "core/compat.h"

#include "core/error.h"
#include "proto/cursor.h"
#include "proto/icmpv4.h"
#include "proto/ipv4.h"
#include "proto/layer.h"
#include "proto/packet.h"
#include "proto/tcp.h"
#include "proto/udp.h"

/* The builder serialises the fixed part and declares it through the parser's walker
 * (icmpv4_declare()), so built and parsed messages have one schema. */

static const struct field_value icmpv4_types[] = {
	{ICMPV4_ECHO_REPLY, "Echo Reply"},
	{ICMPV4_UNREACHABLE, "Destination Unreachable"},
	{ICMPV4_SOURCE_QUENCH, "Source Quench"},
	{ICMPV4_REDIRECT, "Redirect"},
	{ICMPV4_ECHO_REQUEST, "Echo"},
	{9, "Router Advertisement"},
	{10, "Router Solicitation"},
	{ICMPV4_TIME_EXCEEDED, "Time Exceeded"},
	{ICMPV4_PARAMETER_PROBLEM, "Parameter Problem"},
	{ICMPV4_TIMESTAMP, "Timestamp"},
	{ICMPV4_TIMESTAMP_REPLY, "Timestamp Reply"},
	{ICMPV4_INFO_REQUEST, "Information Request"},
	{ICMPV4_INFO_REPLY, "Information Reply"},
	{ICMPV4_MASK_REQUEST, "Address Mask Request"},
	{ICMPV4_MASK_REPLY, "Address Mask Reply"},
	{0, NULL},
};

static const struct field_value icmpv4_codes_zero[] = {{0, "No Code"}, {0, NULL}};

/* RFC 792, RFC 1122 3.2.2.1, RFC 1812 5.2.7.1 */
static const struct field_value icmpv4_codes_unreachable[] = {
	{0, "Net Unreachable"},
	{1, "Host Unreachable"},
	{2, "Protocol Unreachable"},
	{3, "Port Unreachable"},
	{4, "Fragmentation Needed and DF set"},
	{5, "Source Route Failed"},
	{6, "Destination Network Unknown"},
	{7, "Destination Host Unknown"},
	{8, "Source Host Isolated"},
	{9, "Network Administratively Prohibited"},
	{10, "Host Administratively Prohibited"},
	{11, "Network Unreachable for TOS"},
	{12, "Host Unreachable for TOS"},
	{13, "Communication Administratively Prohibited"},
	{14, "Host Precedence Violation"},
	{15, "Precedence cutoff in effect"},
	{0, NULL},
};

static const struct field_value icmpv4_codes_redirect[] = {
	{0, "for the Network"},
	{1, "for the Host"},
	{2, "for the Type of Service and Network"},
	{3, "for the Type of Service and Host"},
	{0, NULL},
};

static const struct field_value icmpv4_codes_time_exceeded[] = {
	{0, "time to live exceeded in transit"},
	{1, "fragment reassembly time exceeded"},
	{0, NULL},
};

static const struct field_value icmpv4_codes_parameter[] = {
	{0, "pointer indicates the error"},
	{1, "missing a required option"},
	{2, "bad length"},
	{0, NULL},
};

static const struct field_value *icmpv4_codes(uint8_t type)
{
	switch (type) {
	case ICMPV4_UNREACHABLE: return icmpv4_codes_unreachable;
	case ICMPV4_REDIRECT: return icmpv4_codes_redirect;
	case ICMPV4_TIME_EXCEEDED: return icmpv4_codes_time_exceeded;
	case ICMPV4_PARAMETER_PROBLEM: return icmpv4_codes_parameter;
	default: return icmpv4_codes_zero;
	}
}

static bool icmpv4_is_error(uint8_t type)
{
	return type == ICMPV4_UNREACHABLE || type == ICMPV4_SOURCE_QUENCH ||
	       type == ICMPV4_REDIRECT || type == ICMPV4_TIME_EXCEEDED ||
	       type == ICMPV4_PARAMETER_PROBLEM;
}

/* The rest of c as one FIELD_BYTES, if any. */
static int icmpv4_rest(struct packet *p, struct cursor *c, const char *name)
{
	size_t rest = cursor_remaining(c);
	if (rest == 0)
		return 0;
	uint32_t o;
	int rc = proto_take(p, c, rest, &o);
	if (rc < 0)
		return rc;
	packet_field_bytes(p, name, FIELD_BYTES, o, p->bytes + o, (uint32_t)rest, 0);
	return 0;
}

/* Where a packet and a cursor stood, to undo a quoted transport that did not parse. */
struct icmpv4_mark {
	uint32_t length;
	uint16_t field_count;
	uint8_t layer_count, open_count;
	size_t offset;
	struct cursor_error error;
};

static void icmpv4_mark(const struct packet *p, const struct cursor *c, struct icmpv4_mark *m)
{
	m->length = p->length;
	m->field_count = p->field_count;
	m->layer_count = p->layer_count;
	m->open_count = p->open_count;
	m->offset = c->offset;
	m->error = *c->error;
}

static void icmpv4_rewind(struct packet *p, struct cursor *c, const struct icmpv4_mark *m)
{
	/* the elements open at the mark grew with every byte since */
	uint32_t grown = p->length - m->length;
	for (unsigned i = 0; i < m->open_count && i < p->open_count; i++)
		p->fields[p->open[i]].size -= grown;
	p->length = m->length;
	p->field_count = m->field_count;
	p->layer_count = m->layer_count;
	p->open_count = m->open_count;
	c->offset = m->offset;
	*c->error = m->error;
}

/* The quoted datagram's transport, when it is whole: ICMP errors quote what the DUT got, our
 * mutated frames included, so a transport that does not parse stays "ipv4.payload" rather than
 * failing the error message that quotes it. */
static int icmpv4_quoted_transport(struct packet *p, struct cursor *c,
				   const struct layer_parse_result *next)
{
	const struct proto_layer *model = next->value == 6    ? &tcp_layer
					  : next->value == 17 ? &udp_layer
							      : NULL;
	if (model && !cursor_at_end(c)) {
		struct icmpv4_mark m;
		icmpv4_mark(p, c, &m);
		struct layer_parse_result after;
		int rc = model->parse(p, c, &after);
		if (rc == 0 && cursor_at_end(c))
			return 0;
		if (p->overflow)
			return DL_ENOMEM;
		icmpv4_rewind(p, c, &m);
	}
	return icmpv4_rest(p, c, "ipv4.payload");
}

/* An error's invoking packet (RFC 792: internet header + 64 bits of data): an IPv4 header
 * when the bytes hold one, else opaque bytes (a DUT may quote garbage). */
static int icmpv4_invoking(struct packet *p, struct cursor *c, bool leave_open)
{
	int element = packet_element_begin(p, "icmpv4.invoking", FIELD_ELEMENT, 0);
	if (element == PACKET_NONE)
		return DL_ENOMEM;
	if (leave_open)
		return 0; /* the caller builds the invoking packet's layers inside */
	size_t avail = cursor_remaining(c);
	const uint8_t *h = c->p + c->offset;
	if (avail >= IPV4_HEADER_MIN && h[0] >> 4 == 4 && (h[0] & 15u) >= 5 &&
	    (h[0] & 15u) * 4u <= avail) {
		struct layer_parse_result next;
		int rc = ipv4_parse_quoted(p, c, &next);
		if (rc == 0 && next.next == LAYER_NEXT_IP_PROTOCOL)
			rc = icmpv4_quoted_transport(p, c, &next);
		return rc;
	}
	int rc = icmpv4_rest(p, c, "icmpv4.invoking.data");
	packet_element_end(p, element);
	return rc;
}

/* Declare one message read from c (the builder's buffer or the wire); its data or invoking
 * packet from data (c itself when parsing). */
static int icmpv4_declare(struct packet *p, struct cursor *c, struct cursor *data, bool leave_open)
{
	size_t avail = cursor_remaining(c) + (data != c ? cursor_remaining(data) : 0);
	if (avail < 8)
		return cursor_fail_value(c, "shorter than the 8-byte ICMP header", avail);
	uint8_t type = c->p[c->offset];
	if ((type == ICMPV4_TIMESTAMP || type == ICMPV4_TIMESTAMP_REPLY) && avail < 20)
		return cursor_fail_value(c, "timestamp message is shorter than 20 bytes", avail);
	if ((type == ICMPV4_MASK_REQUEST || type == ICMPV4_MASK_REPLY) && avail < 12)
		return cursor_fail_value(c, "address mask message is shorter than 12 bytes", avail);
	int layer = packet_layer_begin(p, &icmpv4_layer, "icmpv4");
	if (layer == PACKET_NONE)
		return DL_ENOMEM;
	uint32_t o;
	int rc = proto_take(p, c, 8, &o);
	if (rc < 0)
		return rc;
	int f = packet_field_present(p, "icmpv4.type", FIELD_ENUM, o, 1, FIELD_KEY);
	packet_values(p, f, icmpv4_types);
	f = packet_field_present(p, "icmpv4.code", FIELD_ENUM, o + 1, 1, 0);
	packet_values(p, f, icmpv4_codes(type));
	int checksum = packet_field_present(p, "icmpv4.checksum", FIELD_CHECKSUM, o + 2, 2, 0);
	packet_relate(p, checksum, p->layers[layer].element, 1, 0);
	p->layers[layer].slots[ICMPV4_SLOT_CHECKSUM] = (int16_t)checksum;
	switch (type) {
	case ICMPV4_UNREACHABLE:
		packet_field_present(p, "icmpv4.unused", FIELD_UINT, o + 4, 2, 0);
		packet_field_present(p, "icmpv4.next_hop_mtu", FIELD_UINT, o + 6, 2, 0);
		break;
	case ICMPV4_SOURCE_QUENCH:
	case ICMPV4_TIME_EXCEEDED:
		packet_field_present(p, "icmpv4.unused", FIELD_UINT, o + 4, 4, 0);
		break;
	case ICMPV4_PARAMETER_PROBLEM:
		packet_field_present(p, "icmpv4.pointer", FIELD_UINT, o + 4, 1, 0);
		packet_field_present(p, "icmpv4.unused", FIELD_UINT, o + 5, 3, 0);
		break;
	case ICMPV4_REDIRECT:
		packet_field_bytes(p, "icmpv4.gateway", FIELD_ADDRESS, o + 4, p->bytes + o + 4, 4,
				   FIELD_KEY);
		break;
	case ICMPV4_ECHO_REPLY:
	case ICMPV4_ECHO_REQUEST:
	case ICMPV4_TIMESTAMP:
	case ICMPV4_TIMESTAMP_REPLY:
	case ICMPV4_INFO_REQUEST:
	case ICMPV4_INFO_REPLY:
	case ICMPV4_MASK_REQUEST:
	case ICMPV4_MASK_REPLY:
		packet_field_present(p, "icmpv4.identifier", FIELD_IDENTIFIER, o + 4, 2, 0);
		packet_field_present(p, "icmpv4.sequence", FIELD_IDENTIFIER, o + 6, 2, 0);
		break;
	default:
		packet_field_bytes(p, "icmpv4.rest", FIELD_BYTES, o + 4, p->bytes + o + 4, 4, 0);
		break;
	}
	if (type == ICMPV4_TIMESTAMP || type == ICMPV4_TIMESTAMP_REPLY) {
		/* RFC 792: exactly three timestamps follow */
		rc = proto_take(p, c, 12, &o);
		if (rc < 0)
			return rc;
		packet_field_present(p, "icmpv4.originate", FIELD_UINT, o, 4, 0);
		packet_field_present(p, "icmpv4.receive", FIELD_UINT, o + 4, 4, 0);
		packet_field_present(p, "icmpv4.transmit", FIELD_UINT, o + 8, 4, 0);
	} else if (type == ICMPV4_MASK_REQUEST || type == ICMPV4_MASK_REPLY) {
		rc = proto_take(p, c, 4, &o);
		if (rc < 0)
			return rc;
		packet_field_bytes(p, "icmpv4.mask", FIELD_ADDRESS, o, p->bytes + o, 4, 0);
	}
	if (icmpv4_is_error(type))
		rc = icmpv4_invoking(p, data, leave_open);
	else
		rc = icmpv4_rest(p, data, "icmpv4.data");
	if (rc < 0)
		return rc;
	return p->overflow ? DL_ENOMEM : 0;
}

static void icmpv4_put32(uint8_t *w, uint32_t v)
{
	w[0] = (uint8_t)(v >> 24);
	w[1] = (uint8_t)(v >> 16);
	w[2] = (uint8_t)(v >> 8);
	w[3] = (uint8_t)v;
}

int icmpv4_build(struct packet *p, const struct icmpv4_fields *f)
{
	/* the fixed part: 8 bytes, 20 for a timestamp, 12 for an address mask */
	uint8_t b[20] = {f->type, f->code};
	size_t n = 8;
	if (f->type == ICMPV4_UNREACHABLE) {
		b[6] = (uint8_t)(f->next_hop_mtu >> 8);
		b[7] = (uint8_t)f->next_hop_mtu;
	} else if (f->type == ICMPV4_PARAMETER_PROBLEM) {
		b[4] = f->pointer;
	} else if (f->type == ICMPV4_REDIRECT) {
		memcpy(b + 4, &f->gateway, 4);
	} else if (!icmpv4_is_error(f->type)) {
		b[4] = (uint8_t)(f->identifier >> 8);
		b[5] = (uint8_t)f->identifier;
		b[6] = (uint8_t)(f->sequence >> 8);
		b[7] = (uint8_t)f->sequence;
	}
	if (f->type == ICMPV4_TIMESTAMP || f->type == ICMPV4_TIMESTAMP_REPLY) {
		icmpv4_put32(b + 8, f->originate);
		icmpv4_put32(b + 12, f->receive);
		icmpv4_put32(b + 16, f->transmit);
		n = 20;
	} else if (f->type == ICMPV4_MASK_REQUEST || f->type == ICMPV4_MASK_REPLY) {
		memcpy(b + 8, &f->gateway, 4);
		n = 12;
	}
	if (f->data_length > PACKET_BYTES_MAX || (f->data_length && !f->data)) {
		p->overflow = true;
		return DL_ENOMEM;
	}
	struct cursor c, data;
	cursor_init(&c, b, n);
	cursor_init(&data, f->data, f->data_length);
	int rc = icmpv4_declare(p, &c, &data, icmpv4_is_error(f->type) && !f->data);
	if (rc < 0 || p->overflow) {
		p->overflow = true;
		return DL_ENOMEM;
	}
	return 0;
}

static int icmpv4_parse(struct packet *p, struct cursor *c, struct layer_parse_result *next)
{
	next->next = LAYER_NEXT_NONE;
	next->value = 0;
	return icmpv4_declare(p, c, c, false);
}

/* Over the message as the IP layer carries it (RFC 792: the checksum covers the IP payload). */
static void icmpv4_fixup(struct packet *p, int layer)
{
	const struct field *e = &p->fields[p->layers[layer].element];
	uint32_t room = ip_payload_room(p, ip_layer_enclosing(p, layer), e->offset);
	uint32_t length = room != UINT32_MAX ? room : e->size;
	if (length > p->length - e->offset)
		length = p->length - e->offset;
	ip_checksum_fixup_span(p, p->layers[layer].slots[ICMPV4_SLOT_CHECKSUM], length, 0, false);
}

const struct proto_layer icmpv4_layer = {
	.name = "icmpv4",
	.title = "ICMP for IPv4 (RFC 792)",
	.fixup = icmpv4_fixup,
	.parse = icmpv4_parse,
};
