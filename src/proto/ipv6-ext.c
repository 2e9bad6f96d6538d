/* ipv6-ext: IPv6 extension headers (RFC 8200 4): options, routing and fragment build, parse and
 * field schema */
#include "core/compat.h"

#include "core/error.h"
#include "proto/cursor.h"
#include "proto/ipv6-internal.h"
#include "proto/ipv6.h"
#include "proto/layer.h"
#include "proto/packet.h"

/*
 * Every header is written into a buffer by its builder and declared by the
 * walker its parser uses, as in ipv6.c. Each layer's element holds the
 * element <name>.header (what Hdr Ext Len measures) and then the layers
 * inside it.
 */

/* The two kinds of options header share one walker; their field names differ. */
struct ipv6_options_names {
	const char *layer, *header, *next_header, *length, *options, *option, *type, *option_length,
		*data, *padding, *router_alert, *jumbo, *bytes;
};

static const struct ipv6_options_names ipv6_hop_by_hop_names = {
	.layer = "ipv6-hop-by-hop",
	.header = "ipv6-hop-by-hop.header",
	.next_header = "ipv6-hop-by-hop.next_header",
	.length = "ipv6-hop-by-hop.length",
	.options = "ipv6-hop-by-hop.options",
	.option = "ipv6-hop-by-hop.option",
	.type = "ipv6-hop-by-hop.option.type",
	.option_length = "ipv6-hop-by-hop.option.length",
	.data = "ipv6-hop-by-hop.option.data",
	.padding = "ipv6-hop-by-hop.option.padding",
	.router_alert = "ipv6-hop-by-hop.option.router_alert",
	.jumbo = "ipv6-hop-by-hop.option.jumbo_payload_length",
	.bytes = "ipv6-hop-by-hop.option.bytes",
};

static const struct ipv6_options_names ipv6_destination_options_names = {
	.layer = "ipv6-destination-options",
	.header = "ipv6-destination-options.header",
	.next_header = "ipv6-destination-options.next_header",
	.length = "ipv6-destination-options.length",
	.options = "ipv6-destination-options.options",
	.option = "ipv6-destination-options.option",
	.type = "ipv6-destination-options.option.type",
	.option_length = "ipv6-destination-options.option.length",
	.data = "ipv6-destination-options.option.data",
	.padding = "ipv6-destination-options.option.padding",
	.router_alert = "ipv6-destination-options.option.router_alert",
	.jumbo = "ipv6-destination-options.option.jumbo_payload_length",
	.bytes = "ipv6-destination-options.option.bytes",
};

/* IANA "Destination Options and Hop-by-Hop Options" */
static const struct field_value ipv6_option_types[] = {
	{IPV6_OPTION_PAD1, "Pad1"},
	{IPV6_OPTION_PADN, "PadN"},
	{IPV6_OPTION_TUNNEL_LIMIT, "Tunnel Encapsulation Limit"},
	{IPV6_OPTION_ROUTER_ALERT, "Router Alert"},
	{0x07, "CALIPSO"},
	{0x08, "SMF_DPD"},
	{0x26, "Quick-Start"},
	{0x31, "IOAM"},
	{0x63, "RPL Option"},
	{0x6d, "MPL Option"},
	{0x8b, "ILNP Nonce"},
	{0x8c, "Line-Identification"},
	{IPV6_OPTION_JUMBO, "Jumbo Payload"},
	{IPV6_OPTION_HOME_ADDRESS, "Home Address"},
	{0xee, "IP_DFF"},
	{0, NULL},
};

static const struct field_value ipv6_router_alerts[] = {
	{IPV6_ROUTER_ALERT_MLD, "MLD"},
	{IPV6_ROUTER_ALERT_RSVP, "RSVP"},
	{2, "Active Networks"},
	{0, NULL},
};

/* IANA "Routing Types" */
static const struct field_value ipv6_routing_types[] = {
	{IPV6_ROUTING_SOURCE, "Source Route (deprecated)"},
	{1, "Nimrod (deprecated)"},
	{IPV6_ROUTING_TYPE2, "Type 2 Routing Header"},
	{IPV6_ROUTING_RPL, "RPL Source Route Header"},
	{IPV6_ROUTING_SEGMENT, "Segment Routing Header (SRH)"},
	{5, "CRH-16"},
	{6, "CRH-32"},
	{253, "experiment"},
	{254, "experiment"},
	{0, NULL},
};

/* Begin an extension header layer and its header element, and copy the whole header (its
 * length already checked) into p. */
static int ipv6_ext_begin(struct packet *p, struct cursor *c, const struct proto_layer *model,
			  const char *name, const char *header_name, size_t length, int *layer,
			  int *header, uint32_t *o)
{
	*layer = packet_layer_begin(p, model, name);
	if (*layer == PACKET_NONE)
		return DL_ENOMEM;
	*header = packet_element_begin(p, header_name, FIELD_ELEMENT, 0);
	if (*header == PACKET_NONE)
		return DL_ENOMEM;
	return proto_take(p, c, length, o);
}

/* The common end of every extension header: slots, and what the dissector reads next. */
static int ipv6_ext_end(struct packet *p, int layer, int header, int next_header, bool derive,
			uint8_t value, struct layer_parse_result *next)
{
	packet_element_end(p, header);
	if (p->overflow)
		return DL_ENOMEM;
	int16_t *slots = p->layers[layer].slots;
	slots[IPV6_EXT_SLOT_NEXT_HEADER] = (int16_t)next_header;
	slots[IPV6_EXT_SLOT_HEADER] = (int16_t)header;
	slots[IPV6_EXT_SLOT_DERIVE] = (int16_t)(derive ? next_header : PACKET_NONE);
	if (next) {
		next->next = value == IPV6_NEXT_NONE ? LAYER_NEXT_NONE : LAYER_NEXT_IP_PROTOCOL;
		next->value = value;
	}
	return 0;
}

/* Read next header and Hdr Ext Len and check the (len + 1) * 8 bytes are there. */
static int ipv6_ext_length(struct cursor *c, size_t *length)
{
	size_t avail = cursor_remaining(c);
	if (avail < 2)
		return cursor_fail_value(c, "extension header shorter than 2 bytes", avail);
	*length = ((size_t)c->p[c->offset + 1] + 1) * 8;
	if (*length > avail)
		return cursor_fail_value(c, "Hdr Ext Len passes the end of the packet",
					 c->p[c->offset + 1]);
	return 0;
}

/* The fields of one option's data (len bytes at o) by its type. */
static void ipv6_option_data(struct packet *p, const struct ipv6_options_names *n, uint8_t type,
			     uint32_t o, uint32_t len)
{
	if (len == 0)
		return;
	if (type == IPV6_OPTION_ROUTER_ALERT && len == 2) {
		int f = packet_field_present(p, n->router_alert, FIELD_ENUM, o, 2, FIELD_KEY);
		packet_values(p, f, ipv6_router_alerts);
	} else if (type == IPV6_OPTION_JUMBO && len == 4) {
		packet_field_present(p, n->jumbo, FIELD_UINT, o, 4, FIELD_KEY);
	} else if (type == IPV6_OPTION_PADN) {
		packet_field_bytes(p, n->padding, FIELD_BYTES, o, p->bytes + o, len, 0);
	} else {
		packet_field_bytes(p, n->bytes, FIELD_BYTES, o, p->bytes + o, len, 0);
	}
}

/* Hop-by-hop or destination options (RFC 8200 4.2, 4.3, 4.6). */
static int ipv6_options_declare(struct packet *p, struct cursor *c, const struct proto_layer *model,
				const struct ipv6_options_names *n, bool derive,
				struct layer_parse_result *next)
{
	size_t length;
	if (ipv6_ext_length(c, &length) < 0)
		return DL_EPROTO;
	size_t start = cursor_position(c);
	const uint8_t *h = c->p + c->offset;
	/* check every option's length before anything is declared */
	for (size_t at = 2; at < length;) {
		if (h[at] == IPV6_OPTION_PAD1) {
			at++;
			continue;
		}
		if (at + 2 > length)
			return cursor_fail_at(c, start + at, "option has no length byte", h[at],
					      true);
		if (at + 2 + h[at + 1] > length)
			return cursor_fail_at(c, start + at + 1,
					      "option length passes the header's end", h[at + 1],
					      true);
		at += 2 + (size_t)h[at + 1];
	}
	int layer, header;
	uint32_t o;
	int rc = ipv6_ext_begin(p, c, model, n->layer, n->header, length, &layer, &header, &o);
	if (rc < 0)
		return rc;
	int nh = packet_field_present(p, n->next_header, FIELD_ENUM, o, 1, FIELD_KEY);
	packet_values(p, nh, ipv6_next_headers);
	int len = packet_field_present(p, n->length, FIELD_LENGTH, o + 1, 1, 0);
	packet_relate(p, len, header, 8, -1);
	int list = packet_element_begin(p, n->options, FIELD_LIST, 0);
	if (list == PACKET_NONE)
		return DL_ENOMEM;
	/* the options lie in bytes already appended: the elements are declared over them */
	p->fields[list].offset = o + 2;
	for (uint32_t at = 2; at < length && !p->overflow;) {
		uint8_t type = p->bytes[o + at];
		uint32_t size = type == IPV6_OPTION_PAD1 ? 1 : 2u + p->bytes[o + at + 1];
		int option = packet_element_begin(p, n->option, FIELD_ELEMENT, FIELD_REPEATABLE);
		if (option == PACKET_NONE)
			break;
		p->fields[option].offset = o + at;
		p->fields[option].size = size;
		int t = packet_field_present(p, n->type, FIELD_ENUM, o + at, 1, FIELD_KEY);
		packet_values(p, t, ipv6_option_types);
		if (type != IPV6_OPTION_PAD1) {
			int l = packet_field_present(p, n->option_length, FIELD_LENGTH, o + at + 1,
						     1, 0);
			int data = packet_element_begin(p, n->data, FIELD_ELEMENT, 0);
			if (data == PACKET_NONE)
				break;
			p->fields[data].offset = o + at + 2;
			p->fields[data].size = size - 2;
			ipv6_option_data(p, n, type, o + at + 2, size - 2);
			packet_element_end(p, data);
			packet_relate(p, l, data, 1, 0);
		}
		packet_element_end(p, option);
		at += size;
	}
	p->fields[list].size = (uint32_t)length - 2;
	packet_element_end(p, list);
	return ipv6_ext_end(p, layer, header, nh, derive, h[0], next);
}

/* Routing header (RFC 8200 4.4) with types 0 and 2 (addresses after 4 reserved bytes) and 4
 * (RFC 8754 2: last entry, flags, tag, segment list, TLVs). */
static int ipv6_routing_declare(struct packet *p, struct cursor *c, bool derive,
				struct layer_parse_result *next)
{
	size_t length;
	if (ipv6_ext_length(c, &length) < 0)
		return DL_EPROTO;
	size_t start = cursor_position(c);
	const uint8_t *h = c->p + c->offset;
	uint8_t type = h[2], left = h[3];
	size_t addresses = 0;
	if (type == IPV6_ROUTING_SOURCE || type == IPV6_ROUTING_TYPE2) {
		if ((length - 8) % 16)
			return cursor_fail_at(c, start + 1,
					      "addresses are not a whole number of 16 bytes", h[1],
					      true);
		addresses = (length - 8) / 16;
	} else if (type == IPV6_ROUTING_SEGMENT) {
		addresses = (size_t)h[4] + 1;
		if (8 + addresses * 16 > length)
			return cursor_fail_at(c, start + 4, "last entry passes the header's end",
					      h[4], true);
	}
	int layer, header;
	uint32_t o;
	int rc = ipv6_ext_begin(p, c, &ipv6_routing_layer, "ipv6-routing", "ipv6-routing.header",
				length, &layer, &header, &o);
	if (rc < 0)
		return rc;
	int nh = packet_field_present(p, "ipv6-routing.next_header", FIELD_ENUM, o, 1, FIELD_KEY);
	packet_values(p, nh, ipv6_next_headers);
	int len = packet_field_present(p, "ipv6-routing.length", FIELD_LENGTH, o + 1, 1, 0);
	packet_relate(p, len, header, 8, -1);
	int t = packet_field_present(p, "ipv6-routing.type", FIELD_ENUM, o + 2, 1, FIELD_KEY);
	packet_values(p, t, ipv6_routing_types);
	packet_field_present(p, "ipv6-routing.segments_left", FIELD_UINT, o + 3, 1, FIELD_KEY);
	int final = PACKET_NONE;
	if (type == IPV6_ROUTING_SOURCE || type == IPV6_ROUTING_TYPE2 ||
	    type == IPV6_ROUTING_SEGMENT) {
		bool segment = type == IPV6_ROUTING_SEGMENT;
		int last = PACKET_NONE;
		if (segment) {
			last = packet_field_present(p, "ipv6-routing.last_entry", FIELD_LENGTH,
						    o + 4, 1, 0);
			packet_field_present(p, "ipv6-routing.flags", FIELD_FLAGS, o + 5, 1, 0);
			packet_field_present(p, "ipv6-routing.tag", FIELD_UINT, o + 6, 2, 0);
		} else {
			packet_field_present(p, "ipv6-routing.reserved", FIELD_UINT, o + 4, 4, 0);
		}
		const char *list_name =
			segment ? "ipv6-routing.segments" : "ipv6-routing.addresses";
		const char *name = segment ? "ipv6-routing.segment" : "ipv6-routing.address";
		int list = packet_element_begin(p, list_name, FIELD_LIST, 0);
		if (list != PACKET_NONE) {
			p->fields[list].offset = o + 8;
			p->fields[list].size = (uint32_t)addresses * 16;
		}
		for (size_t i = 0; i < addresses; i++) {
			uint32_t at = o + 8 + (uint32_t)i * 16;
			int a = packet_field_bytes(p, name, FIELD_ADDRESS, at, p->bytes + at, 16,
						   FIELD_KEY | FIELD_REPEATABLE);
			/* RFC 8200 8.1: the final destination is the last address; RFC 8754 2:
			 * Segment List[0] */
			if (i == 0 || !segment)
				final = a;
		}
		packet_element_end(p, list);
		/* RFC 8754 2: Last Entry is the index of the last element of the list */
		packet_relate(p, last, list, 16, -1);
		uint32_t rest = (uint32_t)(length - 8 - addresses * 16);
		if (rest > 0)
			packet_field_bytes(p, segment ? "ipv6-routing.tlvs" : "ipv6-routing.data",
					   FIELD_BYTES, o + (uint32_t)length - rest,
					   p->bytes + o + length - rest, rest, 0);
	} else {
		packet_field_bytes(p, "ipv6-routing.data", FIELD_BYTES, o + 4, p->bytes + o + 4,
				   (uint32_t)length - 4, 0);
	}
	/* the pseudo-header (RFC 8200 8.1) uses the final destination while segments are left */
	int ip = ipv6_layer_enclosing(p, layer);
	if (ip != PACKET_NONE && left > 0 && final != PACKET_NONE)
		p->layers[ip].slots[IPV6_SLOT_FINAL_DESTINATION] = (int16_t) final;
	return ipv6_ext_end(p, layer, header, nh, derive, h[0], next);
}

/* Fragment header (RFC 8200 4.5) and, unless atomic (offset 0, M 0), the fragment's bytes. */
static int ipv6_fragment_declare(struct packet *p, struct cursor *c, bool derive,
				 struct layer_parse_result *next)
{
	size_t avail = cursor_remaining(c);
	if (avail < 8)
		return cursor_fail_value(c, "shorter than the 8-byte Fragment header", avail);
	const uint8_t *h = c->p + c->offset;
	uint8_t value = h[0];
	uint16_t word = (uint16_t)(h[2] << 8 | h[3]);
	int layer, header;
	uint32_t o;
	int rc = ipv6_ext_begin(p, c, &ipv6_fragment_layer, "ipv6-fragment", "ipv6-fragment.header",
				8, &layer, &header, &o);
	if (rc < 0)
		return rc;
	int nh = packet_field_present(p, "ipv6-fragment.next_header", FIELD_ENUM, o, 1, FIELD_KEY);
	packet_values(p, nh, ipv6_next_headers);
	packet_field_present(p, "ipv6-fragment.reserved", FIELD_UINT, o + 1, 1, 0);
	packet_field_bits(p, "ipv6-fragment.offset", FIELD_UINT, o + 2, 2, 3, 13, word >> 3,
			  FIELD_KEY);
	packet_field_bits(p, "ipv6-fragment.reserved_bits", FIELD_FLAGS, o + 2, 2, 1, 2,
			  (word >> 1) & 3u, 0);
	packet_field_bits(p, "ipv6-fragment.more", FIELD_FLAGS, o + 2, 2, 0, 1, word & 1u,
			  FIELD_KEY);
	packet_field_present(p, "ipv6-fragment.identification", FIELD_IDENTIFIER, o + 4, 4,
			     FIELD_KEY);
	bool atomic = (word & 0xfff9u) == 0; /* RFC 6946: offset 0 and M 0 */
	rc = ipv6_ext_end(p, layer, header, nh, derive, value, next);
	if (rc < 0)
		return rc;
	size_t rest = cursor_remaining(c);
	if (!atomic && rest > 0) {
		uint32_t d;
		rc = proto_take(p, c, rest, &d);
		if (rc < 0)
			return rc;
		packet_field_bytes(p, "ipv6-fragment.data", FIELD_BYTES, d, p->bytes + d,
				   (uint32_t)rest, 0);
	}
	if (!atomic && next)
		next->next = LAYER_NEXT_NONE; /* a piece of a datagram: nothing to dissect */
	return p->overflow ? DL_ENOMEM : 0;
}

/* After a builder's declare: a failure is a builder bug or no room; either way finish fails. */
static int ipv6_ext_built(struct packet *p, int rc)
{
	if (rc == 0 && !p->overflow)
		return 0;
	p->overflow = true;
	return rc == DL_EINVAL ? DL_EINVAL : DL_ENOMEM;
}

/* Append pad bytes of padding (Pad1 or PadN, RFC 8200 4.2) at b + *n. */
static void ipv6_pad(uint8_t *b, size_t *n, size_t pad)
{
	if (pad == 1) {
		b[(*n)++] = IPV6_OPTION_PAD1;
	} else if (pad > 1) {
		b[*n] = IPV6_OPTION_PADN;
		b[*n + 1] = (uint8_t)(pad - 2);
		memset(b + *n + 2, 0, pad - 2);
		*n += pad;
	}
}

/* Serialise an options header into b (IPV6_EXT_LENGTH_MAX); its length, or 0 when the options
 * do not fit. */
static size_t ipv6_options_write(const struct ipv6_options_fields *f, uint8_t *b)
{
	size_t n = 2;
	if (f->option_count > IPV6_OPTIONS_MAX)
		return 0;
	for (size_t i = 0; i < f->option_count; i++) {
		const struct ipv6_option *o = &f->options[i];
		/* RFC 2711 2: 2n+0; RFC 2675 2: 4n+2 */
		size_t pad = 0;
		if (o->type == IPV6_OPTION_ROUTER_ALERT)
			pad = n % 2;
		else if (o->type == IPV6_OPTION_JUMBO)
			pad = (6 - n % 4) % 4;
		size_t data = o->type == IPV6_OPTION_ROUTER_ALERT ? 2
			      : o->type == IPV6_OPTION_JUMBO      ? 4
								  : o->data_length;
		size_t size = o->type == IPV6_OPTION_PAD1 ? 1 : 2 + data;
		if (data > 255 || (o->data_length && !o->data && o->type != IPV6_OPTION_PADN) ||
		    n + pad + size + 7 > IPV6_EXT_LENGTH_MAX)
			return 0;
		ipv6_pad(b, &n, pad);
		b[n] = o->type;
		if (o->type == IPV6_OPTION_PAD1) {
			n++;
			continue;
		}
		b[n + 1] = (uint8_t)data;
		if (o->type == IPV6_OPTION_ROUTER_ALERT) {
			b[n + 2] = (uint8_t)(o->value >> 8);
			b[n + 3] = (uint8_t)o->value;
		} else if (o->type == IPV6_OPTION_JUMBO) {
			for (int k = 0; k < 4; k++)
				b[n + 2 + k] = (uint8_t)(o->value >> (24 - 8 * k));
		} else if (o->type == IPV6_OPTION_PADN || !o->data) {
			memset(b + n + 2, 0, data);
		} else if (data) {
			memcpy(b + n + 2, o->data, data);
		}
		n += size;
	}
	ipv6_pad(b, &n, (8 - n % 8) % 8);
	b[0] = f->next_header ? f->next_header : IPV6_NEXT_NONE;
	b[1] = (uint8_t)(n / 8 - 1);
	return n;
}

static int ipv6_options_build(struct packet *p, const struct ipv6_options_fields *f,
			      const struct proto_layer *model, const struct ipv6_options_names *n)
{
	uint8_t b[IPV6_EXT_LENGTH_MAX];
	size_t length = ipv6_options_write(f, b);
	if (length == 0)
		return ipv6_ext_built(p, DL_EINVAL);
	struct cursor c;
	cursor_init(&c, b, length);
	return ipv6_ext_built(p, ipv6_options_declare(p, &c, model, n, f->next_header == 0, NULL));
}

int ipv6_hop_by_hop_build(struct packet *p, const struct ipv6_options_fields *f)
{
	return ipv6_options_build(p, f, &ipv6_hop_by_hop_layer, &ipv6_hop_by_hop_names);
}

int ipv6_destination_options_build(struct packet *p, const struct ipv6_options_fields *f)
{
	return ipv6_options_build(p, f, &ipv6_destination_options_layer,
				  &ipv6_destination_options_names);
}

int ipv6_routing_build(struct packet *p, const struct ipv6_routing_fields *f)
{
	uint8_t b[IPV6_EXT_LENGTH_MAX] = {0};
	size_t n;
	bool addressed = f->type == IPV6_ROUTING_SOURCE || f->type == IPV6_ROUTING_TYPE2 ||
			 f->type == IPV6_ROUTING_SEGMENT;
	if (addressed) {
		if (f->address_count > IPV6_ROUTING_ADDRESSES_MAX ||
		    (f->address_count && !f->addresses) ||
		    (f->type == IPV6_ROUTING_SEGMENT && f->address_count == 0))
			return ipv6_ext_built(p, DL_EINVAL);
		n = 8 + 16 * f->address_count;
		for (size_t i = 0; i < f->address_count; i++)
			memcpy(b + 8 + 16 * i, &f->addresses[i], 16);
		if (f->type == IPV6_ROUTING_SEGMENT) {
			b[4] = (uint8_t)(f->address_count - 1);
			b[5] = f->flags;
			b[6] = (uint8_t)(f->tag >> 8);
			b[7] = (uint8_t)f->tag;
		}
	} else {
		if (f->data_length > IPV6_EXT_LENGTH_MAX - 8 || (f->data_length && !f->data))
			return ipv6_ext_built(p, DL_EINVAL);
		if (f->data_length)
			memcpy(b + 4, f->data, f->data_length);
		n = 4 + f->data_length;
		n += (8 - n % 8) % 8;
		if (n < 8)
			n = 8;
	}
	b[0] = f->next_header ? f->next_header : IPV6_NEXT_NONE;
	b[1] = (uint8_t)(n / 8 - 1);
	b[2] = f->type;
	b[3] = f->segments_left;
	struct cursor c;
	cursor_init(&c, b, n);
	return ipv6_ext_built(p, ipv6_routing_declare(p, &c, f->next_header == 0, NULL));
}

int ipv6_fragment_build(struct packet *p, const struct ipv6_fragment_fields *f, const uint8_t *data,
			size_t data_length)
{
	uint8_t b[8];
	b[0] = f->next_header ? f->next_header : IPV6_NEXT_NONE;
	b[1] = 0;
	uint16_t word = (uint16_t)((f->offset & 0x1fffu) << 3 | (f->more ? 1u : 0u));
	b[2] = (uint8_t)(word >> 8);
	b[3] = (uint8_t)word;
	for (int k = 0; k < 4; k++)
		b[4 + k] = (uint8_t)(f->identification >> (24 - 8 * k));
	struct cursor c;
	cursor_init(&c, b, sizeof(b));
	int rc = ipv6_fragment_declare(p, &c, f->next_header == 0, NULL);
	if (rc == 0 && data_length > 0) {
		if (!data || data_length > PACKET_BYTES_MAX)
			return ipv6_ext_built(p, DL_EINVAL);
		uint32_t d = packet_append(p, data_length);
		if (d == PACKET_BYTES_MAX)
			return ipv6_ext_built(p, DL_ENOMEM);
		packet_field_bytes(p, "ipv6-fragment.data", FIELD_BYTES, d, data,
				   (uint32_t)data_length, 0);
	}
	return ipv6_ext_built(p, rc);
}

static int ipv6_hop_by_hop_parse(struct packet *p, struct cursor *c,
				 struct layer_parse_result *next)
{
	return ipv6_options_declare(p, c, &ipv6_hop_by_hop_layer, &ipv6_hop_by_hop_names, false,
				    next);
}

static int ipv6_destination_options_parse(struct packet *p, struct cursor *c,
					  struct layer_parse_result *next)
{
	return ipv6_options_declare(p, c, &ipv6_destination_options_layer,
				    &ipv6_destination_options_names, false, next);
}

static int ipv6_routing_parse(struct packet *p, struct cursor *c, struct layer_parse_result *next)
{
	return ipv6_routing_declare(p, c, false, next);
}

static int ipv6_fragment_parse(struct packet *p, struct cursor *c, struct layer_parse_result *next)
{
	return ipv6_fragment_declare(p, c, false, next);
}

static void ipv6_ext_fixup(struct packet *p, int layer)
{
	ipv6_next_header_fixup(p, layer, p->layers[layer].slots[IPV6_EXT_SLOT_DERIVE]);
}

const struct proto_layer ipv6_hop_by_hop_layer = {
	.name = "ipv6-hop-by-hop",
	.title = "IPv6 Hop-by-Hop Options header (RFC 8200 4.3)",
	.fixup = ipv6_ext_fixup,
	.parse = ipv6_hop_by_hop_parse,
};

const struct proto_layer ipv6_routing_layer = {
	.name = "ipv6-routing",
	.title = "IPv6 Routing header (RFC 8200 4.4): types 0, 2 and 4 (SRH, RFC 8754)",
	.fixup = ipv6_ext_fixup,
	.parse = ipv6_routing_parse,
};

const struct proto_layer ipv6_fragment_layer = {
	.name = "ipv6-fragment",
	.title = "IPv6 Fragment header (RFC 8200 4.5)",
	.fixup = ipv6_ext_fixup,
	.parse = ipv6_fragment_parse,
};

const struct proto_layer ipv6_destination_options_layer = {
	.name = "ipv6-destination-options",
	.title = "IPv6 Destination Options header (RFC 8200 4.6)",
	.fixup = ipv6_ext_fixup,
	.parse = ipv6_destination_options_parse,
};
