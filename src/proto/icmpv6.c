/* icmpv6: ICMPv6 (RFC 4443) and Neighbor Discovery (RFC 4861) build, parse and field schema */
#include "core/compat.h"

#include "core/error.h"
#include "proto/cursor.h"
#include "proto/icmpv6.h"
#include "proto/ipv4.h"
#include "proto/layer.h"
#include "proto/packet.h"

/*
 * The builder writes the message into a buffer and declares it through
 * the walker the parser uses (icmpv6_declare()), so both have one schema.
 */

#define ICMPV6_NEXT_HEADER 58

static const struct field_value icmpv6_types[] = {
	{ICMPV6_DESTINATION_UNREACHABLE, "Destination Unreachable"},
	{ICMPV6_PACKET_TOO_BIG, "Packet Too Big"},
	{ICMPV6_TIME_EXCEEDED, "Time Exceeded"},
	{ICMPV6_PARAMETER_PROBLEM, "Parameter Problem"},
	{ICMPV6_ECHO_REQUEST, "Echo Request"},
	{ICMPV6_ECHO_REPLY, "Echo Reply"},
	{130, "Multicast Listener Query"},
	{131, "Multicast Listener Report"},
	{132, "Multicast Listener Done"},
	{ICMPV6_ROUTER_SOLICITATION, "Router Solicitation"},
	{ICMPV6_ROUTER_ADVERTISEMENT, "Router Advertisement"},
	{ICMPV6_NEIGHBOR_SOLICITATION, "Neighbor Solicitation"},
	{ICMPV6_NEIGHBOR_ADVERTISEMENT, "Neighbor Advertisement"},
	{ICMPV6_REDIRECT, "Redirect Message"},
	{143, "Version 2 Multicast Listener Report"},
	{0, NULL},
};

/* RFC 4443 3.1, RFC 6550 20.18, RFC 8883 */
static const struct field_value icmpv6_unreachable_codes[] = {
	{0, "no route to destination"},
	{1, "administratively prohibited"},
	{2, "beyond scope of source address"},
	{3, "address unreachable"},
	{4, "port unreachable"},
	{5, "source address failed ingress/egress policy"},
	{6, "reject route to destination"},
	{7, "error in source routing header"},
	{8, "headers too long"},
	{0, NULL},
};

static const struct field_value icmpv6_time_exceeded_codes[] = {
	{0, "hop limit exceeded in transit"},
	{1, "fragment reassembly time exceeded"},
	{0, NULL},
};

/* RFC 4443 3.4, RFC 7112 */
static const struct field_value icmpv6_parameter_codes[] = {
	{0, "erroneous header field"},
	{1, "unrecognized next header type"},
	{2, "unrecognized IPv6 option"},
	{3, "first fragment has incomplete header chain"},
	{0, NULL},
};

static const struct field_value icmpv6_no_codes[] = {{0, "none"}, {0, NULL}};

static const struct field_value icmpv6_option_types[] = {
	{ICMPV6_OPTION_SOURCE_LINK_ADDRESS, "Source Link-Layer Address"},
	{ICMPV6_OPTION_TARGET_LINK_ADDRESS, "Target Link-Layer Address"},
	{ICMPV6_OPTION_PREFIX_INFORMATION, "Prefix Information"},
	{ICMPV6_OPTION_REDIRECTED_HEADER, "Redirected Header"},
	{ICMPV6_OPTION_MTU, "MTU"},
	{14, "Nonce"},
	{24, "Route Information"},
	{25, "Recursive DNS Server"},
	{31, "DNS Search List"},
	{38, "PREF64"},
	{0, NULL},
};

static const struct field_value *icmpv6_codes_of(uint8_t type)
{
	switch (type) {
	case ICMPV6_DESTINATION_UNREACHABLE: return icmpv6_unreachable_codes;
	case ICMPV6_TIME_EXCEEDED: return icmpv6_time_exceeded_codes;
	case ICMPV6_PARAMETER_PROBLEM: return icmpv6_parameter_codes;
	default: return icmpv6_no_codes;
	}
}

/* The fixed part of each type (after type, code and checksum), or -1 for a type with none
 * known. nd: whether options follow. */
static int icmpv6_fixed_length(uint8_t type, bool *nd)
{
	*nd = false;
	switch (type) {
	case ICMPV6_DESTINATION_UNREACHABLE:
	case ICMPV6_PACKET_TOO_BIG:
	case ICMPV6_TIME_EXCEEDED:
	case ICMPV6_PARAMETER_PROBLEM:
	case ICMPV6_ECHO_REQUEST:
	case ICMPV6_ECHO_REPLY: return 4;
	case ICMPV6_ROUTER_SOLICITATION: *nd = true; return 4;
	case ICMPV6_ROUTER_ADVERTISEMENT: *nd = true; return 12;
	case ICMPV6_NEIGHBOR_SOLICITATION:
	case ICMPV6_NEIGHBOR_ADVERTISEMENT: *nd = true; return 20;
	case ICMPV6_REDIRECT: *nd = true; return 36;
	default: return -1;
	}
}

static int icmpv6_bits(struct packet *p, const char *name, uint32_t offset, uint32_t size,
		       uint8_t shift, uint8_t width, uint8_t flags)
{
	uint64_t v = packet_read_be(p, offset, size) >> shift;
	v &= (UINT64_C(1) << width) - 1;
	return packet_field_bits(p, name, FIELD_FLAGS, offset, size, shift, width, v, flags);
}

static int icmpv6_bytes(struct packet *p, const char *name, enum field_kind kind, uint32_t offset,
			uint32_t size, uint8_t flags)
{
	return packet_field_bytes(p, name, kind, offset, p->bytes + offset, size, flags);
}

/* Check the ND options in [at, end) of message m before anything is declared (RFC 4861 4.6:
 * a zero length is invalid; the fixed-size options must have their size). */
static int icmpv6_options_check(struct cursor *c, size_t start, const uint8_t *m, size_t at,
				size_t end)
{
	for (int n = 0; at < end && n < ICMPV6_MESSAGE_MAX; n++) {
		if (at + 2 > end)
			return cursor_fail_at(c, start + at, "option has no length byte", m[at],
					      true);
		uint8_t type = m[at], units = m[at + 1];
		if (units == 0)
			return cursor_fail_at(c, start + at + 1,
					      "option length is 0 (RFC 4861 4.6: discard)", type,
					      true);
		if (at + units * 8u > end)
			return cursor_fail_at(c, start + at + 1,
					      "option length passes the message's end", units,
					      true);
		if (type == ICMPV6_OPTION_PREFIX_INFORMATION && units != 4)
			return cursor_fail_at(c, start + at + 1,
					      "prefix information option length is not 4", units,
					      true);
		if (type == ICMPV6_OPTION_MTU && units != 1)
			return cursor_fail_at(c, start + at + 1, "MTU option length is not 1",
					      units, true);
		at += units * 8u;
	}
	return 0;
}

/* One option of size bytes at o, already checked. */
static void icmpv6_option(struct packet *p, uint32_t o, uint32_t size)
{
	int element = packet_element_begin(p, "icmpv6.option", FIELD_ELEMENT, FIELD_REPEATABLE);
	if (element == PACKET_NONE)
		return;
	p->fields[element].offset = o;
	p->fields[element].size = size;
	uint8_t type = p->bytes[o];
	int t = packet_field_present(p, "icmpv6.option.type", FIELD_ENUM, o, 1, FIELD_KEY);
	packet_values(p, t, icmpv6_option_types);
	int l = packet_field_present(p, "icmpv6.option.length", FIELD_LENGTH, o + 1, 1, 0);
	packet_relate(p, l, element, 8, 0);
	switch (type) {
	case ICMPV6_OPTION_SOURCE_LINK_ADDRESS:
	case ICMPV6_OPTION_TARGET_LINK_ADDRESS:
		if (size == 8) { /* RFC 4861 4.6.1 over Ethernet (RFC 2464 8) */
			icmpv6_bytes(p, "icmpv6.option.link_address", FIELD_ADDRESS, o + 2, 6,
				     FIELD_KEY);
			break;
		}
		icmpv6_bytes(p, "icmpv6.option.data", FIELD_BYTES, o + 2, size - 2, 0);
		break;
	case ICMPV6_OPTION_PREFIX_INFORMATION: /* RFC 4861 4.6.2 */
		packet_field_present(p, "icmpv6.option.prefix_length", FIELD_UINT, o + 2, 1,
				     FIELD_KEY);
		icmpv6_bits(p, "icmpv6.option.on_link", o + 3, 1, 7, 1, 0);
		icmpv6_bits(p, "icmpv6.option.autonomous", o + 3, 1, 6, 1, 0);
		icmpv6_bits(p, "icmpv6.option.reserved1", o + 3, 1, 0, 6, 0);
		packet_field_present(p, "icmpv6.option.valid_lifetime", FIELD_UINT, o + 4, 4, 0);
		packet_field_present(p, "icmpv6.option.preferred_lifetime", FIELD_UINT, o + 8, 4,
				     0);
		packet_field_present(p, "icmpv6.option.reserved2", FIELD_UINT, o + 12, 4, 0);
		icmpv6_bytes(p, "icmpv6.option.prefix", FIELD_ADDRESS, o + 16, 16, FIELD_KEY);
		break;
	case ICMPV6_OPTION_REDIRECTED_HEADER: /* RFC 4861 4.6.3 */
		packet_field_present(p, "icmpv6.option.reserved", FIELD_UINT, o + 2, 6, 0);
		if (size > 8)
			icmpv6_bytes(p, "icmpv6.option.data", FIELD_BYTES, o + 8, size - 8, 0);
		break;
	case ICMPV6_OPTION_MTU: /* RFC 4861 4.6.4 */
		packet_field_present(p, "icmpv6.option.reserved", FIELD_UINT, o + 2, 2, 0);
		packet_field_present(p, "icmpv6.option.mtu", FIELD_UINT, o + 4, 4, FIELD_KEY);
		break;
	default: icmpv6_bytes(p, "icmpv6.option.data", FIELD_BYTES, o + 2, size - 2, 0); break;
	}
	packet_element_end(p, element);
}

/* The type's fields after type, code and checksum, message at o of length bytes. open: an
 * error's icmpv6.invoking stays open for the invoking packet's layers the builder's caller
 * appends. */
static void icmpv6_body(struct packet *p, uint8_t type, uint32_t o, uint32_t length, bool open)
{
	uint32_t rest = length - 8;
	switch (type) {
	case ICMPV6_ECHO_REQUEST:
	case ICMPV6_ECHO_REPLY: /* RFC 4443 4.1, 4.2 */
		packet_field_present(p, "icmpv6.echo.identifier", FIELD_IDENTIFIER, o + 4, 2,
				     FIELD_KEY);
		packet_field_present(p, "icmpv6.echo.sequence", FIELD_IDENTIFIER, o + 6, 2,
				     FIELD_KEY);
		if (rest)
			icmpv6_bytes(p, "icmpv6.echo.data", FIELD_BYTES, o + 8, rest, 0);
		return;
	case ICMPV6_DESTINATION_UNREACHABLE:
	case ICMPV6_PACKET_TOO_BIG:
	case ICMPV6_TIME_EXCEEDED:
	case ICMPV6_PARAMETER_PROBLEM: { /* RFC 4443 3 */
		if (type == ICMPV6_PACKET_TOO_BIG)
			packet_field_present(p, "icmpv6.mtu", FIELD_UINT, o + 4, 4, FIELD_KEY);
		else if (type == ICMPV6_PARAMETER_PROBLEM)
			packet_field_present(p, "icmpv6.pointer", FIELD_UINT, o + 4, 4, FIELD_KEY);
		else
			packet_field_present(p, "icmpv6.unused", FIELD_UINT, o + 4, 4, 0);
		int invoking = packet_element_begin(p, "icmpv6.invoking", FIELD_ELEMENT, 0);
		if (invoking == PACKET_NONE)
			return;
		p->fields[invoking].offset = o + 8;
		p->fields[invoking].size = rest;
		if (rest)
			icmpv6_bytes(p, "icmpv6.invoking.data", FIELD_BYTES, o + 8, rest, 0);
		if (!open)
			packet_element_end(p, invoking);
		return;
	}
	case ICMPV6_ROUTER_SOLICITATION: /* RFC 4861 4.1 */
		packet_field_present(p, "icmpv6.reserved", FIELD_UINT, o + 4, 4, 0);
		return;
	case ICMPV6_ROUTER_ADVERTISEMENT: /* RFC 4861 4.2 */
		packet_field_present(p, "icmpv6.ra.cur_hop_limit", FIELD_UINT, o + 4, 1, 0);
		icmpv6_bits(p, "icmpv6.ra.managed", o + 5, 1, 7, 1, 0);
		icmpv6_bits(p, "icmpv6.ra.other", o + 5, 1, 6, 1, 0);
		icmpv6_bits(p, "icmpv6.ra.reserved", o + 5, 1, 0, 6, 0);
		packet_field_present(p, "icmpv6.ra.router_lifetime", FIELD_UINT, o + 6, 2,
				     FIELD_KEY);
		packet_field_present(p, "icmpv6.ra.reachable_time", FIELD_UINT, o + 8, 4, 0);
		packet_field_present(p, "icmpv6.ra.retrans_timer", FIELD_UINT, o + 12, 4, 0);
		return;
	case ICMPV6_NEIGHBOR_SOLICITATION: /* RFC 4861 4.3 */
		packet_field_present(p, "icmpv6.reserved", FIELD_UINT, o + 4, 4, 0);
		icmpv6_bytes(p, "icmpv6.target", FIELD_ADDRESS, o + 8, 16, FIELD_KEY);
		return;
	case ICMPV6_NEIGHBOR_ADVERTISEMENT: /* RFC 4861 4.4 */
		icmpv6_bits(p, "icmpv6.na.router", o + 4, 4, 31, 1, FIELD_KEY);
		icmpv6_bits(p, "icmpv6.na.solicited", o + 4, 4, 30, 1, FIELD_KEY);
		icmpv6_bits(p, "icmpv6.na.override", o + 4, 4, 29, 1, FIELD_KEY);
		icmpv6_bits(p, "icmpv6.na.reserved", o + 4, 4, 0, 29, 0);
		icmpv6_bytes(p, "icmpv6.target", FIELD_ADDRESS, o + 8, 16, FIELD_KEY);
		return;
	case ICMPV6_REDIRECT: /* RFC 4861 4.5 */
		packet_field_present(p, "icmpv6.reserved", FIELD_UINT, o + 4, 4, 0);
		icmpv6_bytes(p, "icmpv6.target", FIELD_ADDRESS, o + 8, 16, FIELD_KEY);
		icmpv6_bytes(p, "icmpv6.destination", FIELD_ADDRESS, o + 24, 16, FIELD_KEY);
		return;
	default: return;
	}
}

/* Declare one ICMPv6 message: everything left in c (the IPv6 payload's end bounds it). */
static int icmpv6_declare(struct packet *p, struct cursor *c, bool open)
{
	size_t length = cursor_remaining(c);
	if (length < 4)
		return cursor_fail_value(c, "shorter than the 4-byte ICMPv6 header", length);
	if (length > PACKET_BYTES_MAX)
		return cursor_fail_value(c, "longer than a frame", length);
	size_t start = cursor_position(c);
	const uint8_t *m = c->p + c->offset;
	uint8_t type = m[0];
	bool nd;
	int fixed = icmpv6_fixed_length(type, &nd);
	if (fixed >= 0 && length < 4 + (size_t)fixed)
		return cursor_fail_value(c, "shorter than its type's fixed fields", length);
	if (nd && icmpv6_options_check(c, start, m, 4 + (size_t)fixed, length) < 0)
		return DL_EPROTO;

	int layer = packet_layer_begin(p, &icmpv6_layer, "icmpv6");
	if (layer == PACKET_NONE)
		return DL_ENOMEM;
	const uint8_t *b;
	cursor_bytes(c, length, &b);
	uint32_t o = packet_append(p, length);
	if (o == PACKET_BYTES_MAX)
		return DL_ENOMEM;
	memcpy(p->bytes + o, b, length);
	int t = packet_field_present(p, "icmpv6.type", FIELD_ENUM, o, 1, FIELD_KEY);
	packet_values(p, t, icmpv6_types);
	int code = packet_field_present(p, "icmpv6.code", FIELD_ENUM, o + 1, 1, 0);
	packet_values(p, code, icmpv6_codes_of(type));
	int checksum = packet_field_present(p, "icmpv6.checksum", FIELD_CHECKSUM, o + 2, 2, 0);
	packet_relate(p, checksum, p->layers[layer].element, 1, 0);
	if (fixed >= 0) {
		icmpv6_body(p, type, o, (uint32_t)length, open);
	} else if (length > 4) {
		icmpv6_bytes(p, "icmpv6.body", FIELD_BYTES, o + 4, (uint32_t)length - 4, 0);
	}
	if (nd) {
		int list = packet_element_begin(p, "icmpv6.options", FIELD_LIST, 0);
		if (list != PACKET_NONE) {
			p->fields[list].offset = o + 4 + (uint32_t)fixed;
			p->fields[list].size = (uint32_t)length - 4 - (uint32_t)fixed;
		}
		for (size_t at = 4 + (size_t)fixed; at < length && !p->overflow;) {
			uint32_t size = p->bytes[o + at + 1] * 8u;
			icmpv6_option(p, o + (uint32_t)at, size);
			at += size;
		}
		packet_element_end(p, list);
	}
	if (p->overflow)
		return DL_ENOMEM;
	p->layers[layer].slots[ICMPV6_SLOT_CHECKSUM] = (int16_t)checksum;
	return 0;
}

static void icmpv6_put32(uint8_t *b, uint32_t v)
{
	for (int k = 0; k < 4; k++)
		b[k] = (uint8_t)(v >> (24 - 8 * k));
}

/* Serialise the options at b + n (room up to ICMPV6_MESSAGE_MAX); the new length, or 0. */
static size_t icmpv6_options_write(const struct icmpv6_fields *f, uint8_t *b, size_t n)
{
	if (f->option_count > ICMPV6_OPTIONS_MAX || (f->option_count && !f->options))
		return 0;
	for (size_t i = 0; i < f->option_count; i++) {
		const struct icmpv6_option *o = &f->options[i];
		size_t size;
		switch (o->type) {
		case ICMPV6_OPTION_SOURCE_LINK_ADDRESS:
		case ICMPV6_OPTION_TARGET_LINK_ADDRESS:
		case ICMPV6_OPTION_MTU: size = 8; break;
		case ICMPV6_OPTION_PREFIX_INFORMATION: size = 32; break;
		case ICMPV6_OPTION_REDIRECTED_HEADER: size = 8 + o->data_length; break;
		default: size = 2 + o->data_length; break;
		}
		size += (8 - size % 8) % 8;
		if ((o->data_length && !o->data) || size > 255 * 8 || size > ICMPV6_MESSAGE_MAX - n)
			return 0;
		uint8_t *w = b + n;
		memset(w, 0, size);
		w[0] = o->type;
		w[1] = (uint8_t)(size / 8);
		switch (o->type) {
		case ICMPV6_OPTION_SOURCE_LINK_ADDRESS:
		case ICMPV6_OPTION_TARGET_LINK_ADDRESS: memcpy(w + 2, o->link_address, 6); break;
		case ICMPV6_OPTION_MTU: icmpv6_put32(w + 4, o->mtu); break;
		case ICMPV6_OPTION_PREFIX_INFORMATION:
			w[2] = o->prefix_length;
			w[3] = (uint8_t)((o->on_link ? 0x80u : 0) | (o->autonomous ? 0x40u : 0));
			icmpv6_put32(w + 4, o->valid_lifetime);
			icmpv6_put32(w + 8, o->preferred_lifetime);
			memcpy(w + 16, &o->prefix, 16);
			break;
		case ICMPV6_OPTION_REDIRECTED_HEADER:
			if (o->data_length)
				memcpy(w + 8, o->data, o->data_length);
			break;
		default:
			if (o->data_length)
				memcpy(w + 2, o->data, o->data_length);
			break;
		}
		n += size;
	}
	return n;
}

/* Serialise the message into b (ICMPV6_MESSAGE_MAX); its length, or 0 when it does not fit. */
static size_t icmpv6_write(const struct icmpv6_fields *f, uint8_t *b)
{
	uint8_t type = f->type ? f->type : ICMPV6_ECHO_REQUEST;
	bool nd;
	int fixed = icmpv6_fixed_length(type, &nd);
	size_t n = 4 + (size_t)(fixed < 0 ? 0 : fixed);
	memset(b, 0, n);
	b[0] = type;
	b[1] = f->code;
	switch (type) {
	case ICMPV6_ECHO_REQUEST:
	case ICMPV6_ECHO_REPLY:
		b[4] = (uint8_t)(f->identifier >> 8);
		b[5] = (uint8_t)f->identifier;
		b[6] = (uint8_t)(f->sequence >> 8);
		b[7] = (uint8_t)f->sequence;
		break;
	case ICMPV6_PACKET_TOO_BIG: icmpv6_put32(b + 4, f->mtu ? f->mtu : 1280); break;
	case ICMPV6_PARAMETER_PROBLEM: icmpv6_put32(b + 4, f->pointer); break;
	case ICMPV6_ROUTER_ADVERTISEMENT:
		b[4] = f->cur_hop_limit;
		b[5] = (uint8_t)((f->managed ? 0x80u : 0) | (f->other ? 0x40u : 0));
		b[6] = (uint8_t)(f->router_lifetime >> 8);
		b[7] = (uint8_t)f->router_lifetime;
		icmpv6_put32(b + 8, f->reachable_time);
		icmpv6_put32(b + 12, f->retrans_timer);
		break;
	case ICMPV6_NEIGHBOR_ADVERTISEMENT:
		b[4] = (uint8_t)((f->router ? 0x80u : 0) | (f->solicited ? 0x40u : 0) |
				 (f->override ? 0x20u : 0));
		memcpy(b + 8, &f->target, 16);
		break;
	case ICMPV6_NEIGHBOR_SOLICITATION: memcpy(b + 8, &f->target, 16); break;
	case ICMPV6_REDIRECT:
		memcpy(b + 8, &f->target, 16);
		memcpy(b + 24, &f->destination, 16);
		break;
	default: break;
	}
	if (nd)
		return icmpv6_options_write(f, b, n);
	if (f->data_length > ICMPV6_MESSAGE_MAX - n || (f->data_length && !f->data))
		return 0;
	if (f->data_length)
		memcpy(b + n, f->data, f->data_length);
	return n + f->data_length;
}

int icmpv6_build(struct packet *p, const struct icmpv6_fields *f)
{
	uint8_t b[ICMPV6_MESSAGE_MAX];
	size_t n = icmpv6_write(f, b);
	if (n == 0) {
		p->overflow = true;
		return DL_EINVAL;
	}
	uint8_t type = b[0];
	bool error = type == ICMPV6_DESTINATION_UNREACHABLE || type == ICMPV6_PACKET_TOO_BIG ||
		     type == ICMPV6_TIME_EXCEEDED || type == ICMPV6_PARAMETER_PROBLEM;
	struct cursor c;
	cursor_init(&c, b, n);
	int rc = icmpv6_declare(p, &c, error && f->data_length == 0);
	if (rc < 0 || p->overflow) {
		p->overflow = true;
		return rc == DL_EPROTO ? DL_EINVAL : DL_ENOMEM;
	}
	return 0;
}

static int icmpv6_parse(struct packet *p, struct cursor *c, struct layer_parse_result *next)
{
	next->next = LAYER_NEXT_NONE;
	next->value = 0;
	return icmpv6_declare(p, c, false);
}

/* RFC 4443 2.3: the checksum covers the RFC 8200 8.1 pseudo-header of the enclosing IPv6 layer
 * (ip_pseudo_sum() reads its source and final destination slots) and the message. */
static void icmpv6_fixup(struct packet *p, int layer)
{
	int element = p->layers[layer].element;
	int ip = ip_layer_enclosing(p, layer);
	uint32_t sum = 0;
	if (ip != PACKET_NONE && element >= 0 && element < p->field_count)
		sum = ip_pseudo_sum(p, ip, ICMPV6_NEXT_HEADER, p->fields[element].size);
	ip_checksum_fixup(p, p->layers[layer].slots[ICMPV6_SLOT_CHECKSUM], sum, false);
}

const struct proto_layer icmpv6_layer = {
	.name = "icmpv6",
	.title = "ICMPv6 (RFC 4443) with Neighbor Discovery (RFC 4861)",
	.fixup = icmpv6_fixup,
	.parse = icmpv6_parse,
};
