/* ipv4: IPv4 (RFC 791) header with options build, parse, field schema and fragmentation */
#include "core/compat.h"

#include "core/error.h"
#include "proto/cursor.h"
#include "proto/ipv4.h"
#include "proto/layer.h"
#include "proto/options.h"
#include "proto/packet.h"

/*
 * The builder serialises the header into a small buffer and declares it
 * through the same walker the parser uses (ipv4_declare()), so a built
 * frame and the same frame parsed back have one schema by construction.
 */
enum ipv4_mode {
	IPV4_BUILD,  /* our own bytes: total length still to be computed */
	IPV4_PARSE,  /* a received datagram: total length must fit the frame */
	IPV4_QUOTED, /* inside an ICMP error: may be cut short */
};

static const struct field_value ipv4_versions[] = {{4, "IPv4"}, {0, NULL}};

static const struct field_value ipv4_ecn_values[] = {
	{0, "Not-ECT"}, {1, "ECT(1)"}, {2, "ECT(0)"}, {3, "CE"}, {0, NULL},
};

/* IANA "Assigned Internet Protocol Numbers", the ones a DUT meets */
static const struct field_value ipv4_protocols[] = {
	{0, "HOPOPT"}, {1, "ICMP"},  {2, "IGMP"},        {4, "IPv4"},        {6, "TCP"},
	{17, "UDP"},   {41, "IPv6"}, {43, "IPv6-Route"}, {44, "IPv6-Frag"},  {47, "GRE"},
	{50, "ESP"},   {51, "AH"},   {58, "IPv6-ICMP"},  {59, "IPv6-NoNxt"}, {60, "IPv6-Opts"},
	{89, "OSPF"},  {103, "PIM"}, {112, "VRRP"},      {132, "SCTP"},      {0, NULL},
};

static const struct field_value ipv4_option_types[] = {
	{IPV4_OPT_EOL, "End of Options List"},   {IPV4_OPT_NOP, "No Operation"},
	{IPV4_OPT_RECORD_ROUTE, "Record Route"}, {IPV4_OPT_TIMESTAMP, "Timestamp"},
	{IPV4_OPT_SECURITY, "Security"},         {IPV4_OPT_LSRR, "Loose Source Route"},
	{IPV4_OPT_STREAM_ID, "Stream ID"},       {IPV4_OPT_SSRR, "Strict Source Route"},
	{IPV4_OPT_ROUTER_ALERT, "Router Alert"}, {0, NULL},
};

static const struct field_value ipv4_timestamp_flags[] = {
	{0, "timestamps only"},
	{1, "address and timestamp"},
	{3, "prespecified addresses"},
	{0, NULL},
};

/* RFC 1108 2.3 classification levels */
static const struct field_value ipv4_security_levels[] = {
	{0x3d, "Top Secret"},   {0x5a, "Secret"}, {0x96, "Confidential"},
	{0xab, "Unclassified"}, {0, NULL},
};

static const char *ipv4_option_name(uint8_t type)
{
	switch (type) {
	case IPV4_OPT_EOL: return "ipv4.option.eol";
	case IPV4_OPT_NOP: return "ipv4.option.nop";
	case IPV4_OPT_RECORD_ROUTE: return "ipv4.option.record_route";
	case IPV4_OPT_TIMESTAMP: return "ipv4.option.timestamp";
	case IPV4_OPT_SECURITY: return "ipv4.option.security";
	case IPV4_OPT_LSRR: return "ipv4.option.lsrr";
	case IPV4_OPT_STREAM_ID: return "ipv4.option.stream_id";
	case IPV4_OPT_SSRR: return "ipv4.option.ssrr";
	case IPV4_OPT_ROUTER_ALERT: return "ipv4.option.router_alert";
	default: return "ipv4.option.other";
	}
}

/* The fields after type and length of one option of len bytes at offset o (RFC 791 3.1,
 * RFC 1108, RFC 2113). The length was checked against the type. */
static void ipv4_option_body(struct packet *p, uint8_t type, uint32_t o, uint32_t len)
{
	switch (type) {
	case IPV4_OPT_RECORD_ROUTE:
	case IPV4_OPT_LSRR:
	case IPV4_OPT_SSRR:
		packet_field_present(p, "ipv4.option.pointer", FIELD_UINT, o + 2, 1, 0);
		for (uint32_t at = 3; at + 4 <= len; at += 4)
			packet_field_bytes(p, "ipv4.option.route", FIELD_ADDRESS, o + at,
					   p->bytes + o + at, 4, 0);
		return;
	case IPV4_OPT_TIMESTAMP: {
		packet_field_present(p, "ipv4.option.pointer", FIELD_UINT, o + 2, 1, 0);
		uint8_t b = p->bytes[o + 3];
		packet_field_bits(p, "ipv4.option.overflow", FIELD_UINT, o + 3, 1, 4, 4, b >> 4, 0);
		int flag = packet_field_bits(p, "ipv4.option.ts_flag", FIELD_ENUM, o + 3, 1, 0, 4,
					     b & 15, 0);
		packet_values(p, flag, ipv4_timestamp_flags);
		bool addresses = (b & 15) == 1 || (b & 15) == 3;
		for (uint32_t at = 4; at + (addresses ? 8 : 4) <= len; at += addresses ? 8 : 4) {
			if (addresses)
				packet_field_bytes(p, "ipv4.option.address", FIELD_ADDRESS, o + at,
						   p->bytes + o + at, 4, 0);
			packet_field_present(p, "ipv4.option.timestamp", FIELD_UINT,
					     o + at + (addresses ? 4 : 0), 4, 0);
		}
		return;
	}
	case IPV4_OPT_ROUTER_ALERT:
	case IPV4_OPT_STREAM_ID:
		packet_field_present(p, "ipv4.option.value", FIELD_UINT, o + 2, 2, 0);
		return;
	case IPV4_OPT_SECURITY: {
		int level = packet_field_present(p, "ipv4.option.classification", FIELD_ENUM, o + 2,
						 1, 0);
		packet_values(p, level, ipv4_security_levels);
		if (len > 3)
			packet_field_bytes(p, "ipv4.option.authority", FIELD_BYTES, o + 3,
					   p->bytes + o + 3, len - 3, 0);
		return;
	}
	default:
		if (len > 2)
			packet_field_bytes(p, "ipv4.option.data", FIELD_BYTES, o + 2,
					   p->bytes + o + 2, len - 2, 0);
		return;
	}
}

/* Check one option's length against its type; 0 or the cursor's failure. */
static int ipv4_option_check(struct cursor *c, uint8_t type, uint8_t len)
{
	switch (type) {
	case IPV4_OPT_RECORD_ROUTE:
	case IPV4_OPT_LSRR:
	case IPV4_OPT_SSRR:
		if (len < 3 || (len - 3) % 4 != 0)
			return cursor_fail_value(c, "route option length is not 3 + 4n", len);
		return 0;
	case IPV4_OPT_TIMESTAMP:
		if (len < 4 || (len - 4) % 4 != 0)
			return cursor_fail_value(c, "timestamp option length is not 4 + 4n", len);
		return 0;
	case IPV4_OPT_ROUTER_ALERT:
	case IPV4_OPT_STREAM_ID:
		if (len != 4)
			return cursor_fail_value(c, "router alert / stream ID length is not 4",
						 len);
		return 0;
	case IPV4_OPT_SECURITY:
		if (len < 3)
			return cursor_fail_value(c, "security option length is under 3", len);
		return 0;
	default: return 0;
	}
}

/* The options list and the padding after an EOL, over exactly the option bytes in c. */
static const struct option_list_spec ipv4_option_list = {
	.list = "ipv4.options",
	.kind = "ipv4.option.type",
	.length = "ipv4.option.length",
	.padding = "ipv4.padding",
	.kinds = ipv4_option_types,
	.max = IPV4_HEADER_MAX,
	.name = ipv4_option_name,
	.check = ipv4_option_check,
	.body = ipv4_option_body,
};

static int ipv4_options(struct packet *p, struct cursor *c)
{
	return option_list_parse(p, c, &ipv4_option_list);
}

/* Declare one IPv4 header read from c (the builder's buffer or the wire). */
static int ipv4_declare(struct packet *p, struct cursor *c, enum ipv4_mode mode,
			bool protocol_derived, struct layer_parse_result *next)
{
	size_t avail = cursor_remaining(c);
	if (avail < IPV4_HEADER_MIN)
		return cursor_fail_value(c, "shorter than the 20-byte IPv4 header", avail);
	const uint8_t *h = c->p + c->offset;
	unsigned version = h[0] >> 4, ihl = h[0] & 15u, total = (unsigned)h[2] << 8 | h[3];
	if (version != 4)
		return cursor_fail_value(c, "version is not 4", version);
	if (ihl < 5)
		return cursor_fail_value(c, "header length (IHL) is under 5 words", ihl);
	if (ihl * 4u > avail)
		return cursor_fail_value(c, "header length (IHL) passes the end of the data", ihl);
	if (mode != IPV4_BUILD && total < ihl * 4u)
		return cursor_fail_value(c, "total length is shorter than the header", total);
	if (mode == IPV4_PARSE && total > avail)
		return cursor_fail_value(c, "total length passes the end of the frame", total);

	int layer = packet_layer_begin(p, &ipv4_layer, "ipv4");
	if (layer == PACKET_NONE)
		return DL_ENOMEM;
	int header = packet_element_begin(p, "ipv4.header", FIELD_ELEMENT, 0);
	uint32_t o;
	int rc = proto_take(p, c, IPV4_HEADER_MIN, &o);
	if (rc < 0)
		return rc;
	int f = packet_field_bits(p, "ipv4.version", FIELD_ENUM, o, 1, 4, 4, version, 0);
	packet_values(p, f, ipv4_versions);
	int ihl_field = packet_field_bits(p, "ipv4.ihl", FIELD_LENGTH, o, 1, 0, 4, ihl, 0);
	packet_field_bits(p, "ipv4.dscp", FIELD_UINT, o + 1, 1, 2, 6, h[1] >> 2, 0);
	f = packet_field_bits(p, "ipv4.ecn", FIELD_ENUM, o + 1, 1, 0, 2, h[1] & 3u, 0);
	packet_values(p, f, ipv4_ecn_values);
	int total_field = packet_field_present(p, "ipv4.total_length", FIELD_LENGTH, o + 2, 2, 0);
	packet_field_present(p, "ipv4.identification", FIELD_IDENTIFIER, o + 4, 2, 0);
	uint16_t fragment = (uint16_t)packet_read_be(p, o + 6, 2);
	packet_field_bits(p, "ipv4.flags", FIELD_FLAGS, o + 6, 2, 13, 3, fragment >> 13, 0);
	packet_field_bits(p, "ipv4.fragment_offset", FIELD_UINT, o + 6, 2, 0, 13,
			  fragment & 0x1fffu, 0);
	packet_field_present(p, "ipv4.ttl", FIELD_UINT, o + 8, 1, 0);
	int protocol = packet_field_present(p, "ipv4.protocol", FIELD_ENUM, o + 9, 1, FIELD_KEY);
	packet_values(p, protocol, ipv4_protocols);
	int checksum = packet_field_present(p, "ipv4.checksum", FIELD_CHECKSUM, o + 10, 2, 0);
	int source = packet_field_bytes(p, "ipv4.source", FIELD_ADDRESS, o + 12, p->bytes + o + 12,
					4, FIELD_KEY);
	int destination = packet_field_bytes(p, "ipv4.destination", FIELD_ADDRESS, o + 16,
					     p->bytes + o + 16, 4, FIELD_KEY);
	uint8_t protocol_number = p->bytes[o + 9];
	if (ihl > 5) {
		struct cursor options;
		if (cursor_sub(c, ihl * 4u - IPV4_HEADER_MIN, &options) < 0)
			return DL_EPROTO;
		rc = ipv4_options(p, &options);
		if (rc < 0)
			return rc;
	}
	packet_element_end(p, header);
	packet_relate(p, ihl_field, header, 4, 0);
	if (mode != IPV4_QUOTED)
		packet_relate(p, total_field, p->layers[layer].element, 1, 0);
	packet_relate(p, checksum, header, 1, 0);
	p->layers[layer].slots[IP_SLOT_SOURCE] = (int16_t)source;
	p->layers[layer].slots[IP_SLOT_DESTINATION] = (int16_t)destination;
	p->layers[layer].slots[IPV4_SLOT_CHECKSUM] = (int16_t)checksum;
	if (protocol_derived)
		p->layers[layer].slots[IPV4_SLOT_PROTOCOL] = (int16_t)protocol;
	p->layers[layer].slots[IPV4_SLOT_IHL] = (int16_t)ihl_field;
	p->layers[layer].slots[IPV4_SLOT_TOTAL_LENGTH] = (int16_t)total_field;
	if (p->overflow)
		return DL_ENOMEM;

	if (mode == IPV4_PARSE) {
		/* what follows the datagram (Ethernet padding) is not its payload */
		c->len = c->offset + (total - ihl * 4u);
	}
	if (next) {
		bool first_whole = (fragment & 0x3fffu) == 0; /* no MF, offset 0 */
		next->next = first_whole ? LAYER_NEXT_IP_PROTOCOL : LAYER_NEXT_NONE;
		next->value = protocol_number;
	}
	return 0;
}

static size_t ipv4_option_length(const struct ipv4_option *o)
{
	switch (o->type) {
	case IPV4_OPT_EOL:
	case IPV4_OPT_NOP: return 1;
	case IPV4_OPT_RECORD_ROUTE:
	case IPV4_OPT_LSRR:
	case IPV4_OPT_SSRR:
	case IPV4_OPT_SECURITY: return 3 + o->data_length;
	case IPV4_OPT_TIMESTAMP: return 4 + o->data_length;
	case IPV4_OPT_ROUTER_ALERT:
	case IPV4_OPT_STREAM_ID: return 4;
	default: return 2 + o->data_length;
	}
}

/* Serialise the options into b (room bytes); their length, or 0 with *bad set. */
static size_t ipv4_options_write(const struct ipv4_fields *f, uint8_t *b, size_t room, bool *bad)
{
	size_t n = 0;
	for (size_t i = 0; i < f->option_count && !*bad; i++) {
		const struct ipv4_option *o = &f->options[i];
		size_t len = ipv4_option_length(o);
		bool route = o->type == IPV4_OPT_RECORD_ROUTE || o->type == IPV4_OPT_LSRR ||
			     o->type == IPV4_OPT_SSRR;
		unsigned ts_unit = (o->ts_flag == 1 || o->ts_flag == 3) ? 8 : 4;
		if (len > room - n || len > 255 || (o->data_length && !o->data) ||
		    (route && o->data_length % 4) ||
		    (o->type == IPV4_OPT_TIMESTAMP && o->data_length % ts_unit)) {
			*bad = true;
			return 0;
		}
		uint8_t *w = b + n;
		w[0] = o->type;
		if (len > 1)
			w[1] = (uint8_t)len;
		if (route || o->type == IPV4_OPT_TIMESTAMP) {
			w[2] = o->pointer ? o->pointer : (route ? 4 : 5);
			size_t at = route ? 3 : 4;
			if (!route)
				w[3] = o->ts_flag & 15u;
			if (o->data_length)
				memcpy(w + at, o->data, o->data_length);
		} else if (o->type == IPV4_OPT_ROUTER_ALERT || o->type == IPV4_OPT_STREAM_ID) {
			w[2] = (uint8_t)(o->value >> 8);
			w[3] = (uint8_t)o->value;
		} else if (o->type == IPV4_OPT_SECURITY) {
			w[2] = o->value ? (uint8_t)o->value : 0xab;
			if (o->data_length)
				memcpy(w + 3, o->data, o->data_length);
		} else if (len > 1 && o->data_length) {
			memcpy(w + 2, o->data, o->data_length);
		}
		n += len;
	}
	return n;
}

int ipv4_build(struct packet *p, const struct ipv4_fields *f)
{
	uint8_t b[IPV4_HEADER_MAX] = {0};
	bool bad = false;
	size_t n = IPV4_HEADER_MIN;
	n += ipv4_options_write(f, b + n, IPV4_HEADER_MAX - n, &bad);
	if (bad) {
		p->overflow = true;
		return DL_EINVAL;
	}
	if (n % 4)
		n += 4 - n % 4; /* the first pad byte is an EOL option, the rest "ipv4.padding" */
	b[0] = (uint8_t)(0x40u | n / 4);
	b[1] = (uint8_t)(f->dscp << 2 | (f->ecn & 3u));
	b[2] = (uint8_t)(n >> 8); /* packet_finish() sets the total length */
	b[3] = (uint8_t)n;
	b[4] = (uint8_t)(f->identification >> 8);
	b[5] = (uint8_t)f->identification;
	uint16_t fragment = (uint16_t)((f->flags & 7u) << 13 | (f->fragment_offset & 0x1fffu));
	b[6] = (uint8_t)(fragment >> 8);
	b[7] = (uint8_t)fragment;
	b[8] = f->ttl ? f->ttl : 64;
	b[9] = f->protocol;
	memcpy(b + 12, &f->source, 4);
	memcpy(b + 16, &f->destination, 4);
	struct cursor c;
	cursor_init(&c, b, n);
	int rc = ipv4_declare(p, &c, IPV4_BUILD, f->protocol == 0, NULL);
	if (rc < 0) {
		p->overflow = true;
		return rc == DL_EPROTO ? DL_EINVAL : rc;
	}
	return 0;
}

int ipv4_parse_quoted(struct packet *p, struct cursor *c, struct layer_parse_result *next)
{
	next->next = LAYER_NEXT_NONE;
	next->value = 0;
	size_t avail = cursor_remaining(c);
	struct layer_parse_result inner;
	int rc = ipv4_declare(p, c, IPV4_QUOTED, false, &inner);
	if (rc < 0)
		return rc;
	size_t rest = cursor_remaining(c);
	int layer = p->layer_count - 1;
	if (inner.next == LAYER_NEXT_IP_PROTOCOL && layer >= 0) {
		int total = packet_find(p, "ipv4.total_length", p->layers[layer].element);
		if (total != PACKET_NONE && packet_get(p, total) == avail) {
			/* whole: the total length measures the layer again, the caller goes on */
			packet_relate(p, total, p->layers[layer].element, 1, 0);
			*next = inner;
			return 0;
		}
	}
	if (rest > 0) {
		uint32_t o;
		rc = proto_take(p, c, rest, &o);
		if (rc < 0)
			return rc;
		packet_field_bytes(p, "ipv4.payload", FIELD_BYTES, o, p->bytes + o, (uint32_t)rest,
				   0);
	}
	return p->overflow ? DL_ENOMEM : 0;
}

static int ipv4_parse(struct packet *p, struct cursor *c, struct layer_parse_result *next)
{
	return ipv4_declare(p, c, IPV4_PARSE, false, next);
}

int ip_layer_enclosing(const struct packet *p, int layer)
{
	for (int i = layer - 1; i >= 0 && i < p->layer_count; i--) {
		const struct proto_layer *m = p->layers[i].model;
		if (m && m->name && (strcmp(m->name, "ipv4") == 0 || strcmp(m->name, "ipv6") == 0))
			return i;
	}
	return PACKET_NONE;
}

/* A usable address field: present, inside the frame, 4 or 16 bytes. */
static const struct field *ipv4_address_field(const struct packet *p, int field)
{
	if (field < 0 || field >= p->field_count)
		return NULL;
	const struct field *f = &p->fields[field];
	if ((f->flags & FIELD_REMOVED) || (f->size != 4 && f->size != 16) ||
	    f->offset + f->size > p->length)
		return NULL;
	return f;
}

uint32_t ip_pseudo_sum(const struct packet *p, int ip, uint8_t protocol, uint32_t length)
{
	if (ip < 0 || ip >= p->layer_count)
		return 0;
	const struct field *s = ipv4_address_field(p, p->layers[ip].slots[IP_SLOT_SOURCE]);
	const struct field *d = ipv4_address_field(p, p->layers[ip].slots[IP_SLOT_DESTINATION]);
	if (!s || !d || s->size != d->size)
		return 0;
	uint32_t sum = packet_inet_sum(p->bytes + s->offset, s->size, 0);
	sum = packet_inet_sum(p->bytes + d->offset, d->size, sum);
	if (s->size == 4) {
		/* RFC 768 / RFC 9293 3.1: zero, protocol, 16-bit length */
		const uint8_t tail[4] = {0, protocol, (uint8_t)(length >> 8), (uint8_t)length};
		return packet_inet_sum(tail, sizeof(tail), sum);
	}
	/* RFC 8200 8.1: 32-bit length, three zero bytes, next header */
	const uint8_t tail[8] = {(uint8_t)(length >> 24),
				 (uint8_t)(length >> 16),
				 (uint8_t)(length >> 8),
				 (uint8_t)length,
				 0,
				 0,
				 0,
				 protocol};
	return packet_inet_sum(tail, sizeof(tail), sum);
}

void ip_checksum_fixup_span(struct packet *p, int checksum, uint32_t length, uint32_t sum,
			    bool zero_as_ones)
{
	if (checksum < 0 || checksum >= p->field_count || packet_frozen(p, checksum))
		return;
	const struct field *c = &p->fields[checksum];
	if ((c->flags & FIELD_REMOVED) || c->target < 0 || c->target >= p->field_count)
		return;
	const struct field *t = &p->fields[c->target];
	if ((t->flags & FIELD_REMOVED) || t->offset > p->length)
		return;
	uint32_t n = length == UINT32_MAX ? t->size : length;
	if (n > p->length - t->offset)
		n = p->length - t->offset;
	packet_put(p, checksum, 0);
	uint16_t v = packet_inet_checksum(p->bytes + t->offset, n, sum);
	if (v == 0 && zero_as_ones)
		v = 0xffff;
	packet_put(p, checksum, v);
}

void ip_checksum_fixup(struct packet *p, int checksum, uint32_t sum, bool zero_as_ones)
{
	ip_checksum_fixup_span(p, checksum, UINT32_MAX, sum, zero_as_ones);
}

/* A numeric field of layer's slot that is present: its value in *value. */
static bool ipv4_slot_value(const struct packet *p, int layer, int slot, uint64_t *value)
{
	int f = p->layers[layer].slots[slot];
	if (f < 0 || f >= p->field_count || (p->fields[f].flags & FIELD_REMOVED))
		return false;
	*value = packet_get(p, f);
	return true;
}

/* The IPv6 payload element (ipv6.h's slot 3, IPV6_SLOT_PAYLOAD) and its length field: the
 * FIELD_LENGTH that measures it (ipv6.payload_length). */
static bool ip_ipv6_payload(const struct packet *p, int ip, uint32_t *start, uint64_t *total)
{
	int element = p->layers[ip].slots[3];
	if (element < 0 || element >= p->field_count)
		return false;
	for (int f = p->layers[ip].element; f >= 0 && f < element; f++) {
		const struct field *l = &p->fields[f];
		if (l->kind == FIELD_LENGTH && l->target == element) {
			if (l->flags & FIELD_REMOVED)
				return false;
			*start = p->fields[element].offset;
			*total = packet_get(p, f);
			return true;
		}
	}
	return false;
}

uint32_t ip_payload_room(const struct packet *p, int ip, uint32_t offset)
{
	if (ip < 0 || ip >= p->layer_count || !p->layers[ip].model)
		return UINT32_MAX;
	uint64_t total;
	uint32_t start;
	if (p->layers[ip].model == &ipv4_layer) {
		if (!ipv4_slot_value(p, ip, IPV4_SLOT_TOTAL_LENGTH, &total))
			return UINT32_MAX;
		start = p->fields[p->layers[ip].element].offset;
	} else if (strcmp(p->layers[ip].model->name, "ipv6") == 0) {
		if (!ip_ipv6_payload(p, ip, &start, &total))
			return UINT32_MAX;
	} else {
		return UINT32_MAX;
	}
	/* a length short of the upper layer's start (0: "TSO", a jumbogram, or a mutation) says
	 * nothing a receiver could use; the layer's own element decides then */
	if (offset < start || offset - start >= total)
		return UINT32_MAX;
	return (uint32_t)(total - (offset - start));
}

static uint8_t ipv4_protocol_of(const struct proto_layer *m)
{
	static const struct {
		const char *name;
		uint8_t protocol;
	} map[] = {{"icmpv4", 1}, {"ipv4", 4},  {"tcp", 6},
		   {"udp", 17},   {"ipv6", 41}, {"icmpv6", 58}};
	for (size_t i = 0; m && m->name && i < DL_ARRAY_SIZE(map); i++) {
		if (strcmp(m->name, map[i].name) == 0)
			return map[i].protocol;
	}
	return 0;
}

static void ipv4_fixup(struct packet *p, int layer)
{
	const struct packet_layer *l = &p->layers[layer];
	int protocol = l->slots[IPV4_SLOT_PROTOCOL];
	if (protocol != PACKET_NONE && layer + 1 < p->layer_count)
		packet_put_derived(p, protocol, ipv4_protocol_of(p->layers[layer + 1].model));
	/* the receiver sums IHL * 4 bytes (RFC 791 3.1); under 20 it drops the header anyway */
	uint64_t ihl;
	uint32_t length = UINT32_MAX;
	if (ipv4_slot_value(p, layer, IPV4_SLOT_IHL, &ihl) && ihl >= 5)
		length = (uint32_t)ihl * 4;
	ip_checksum_fixup_span(p, l->slots[IPV4_SLOT_CHECKSUM], length, 0, false);
}

/* The element of IPv4 layer layer's header (ipv4.header) and its options list. */
static int ipv4_child(const struct packet *p, int parent, const char *name)
{
	for (int i = parent + 1; i < p->field_count; i++) {
		if (p->fields[i].parent == parent && strcmp(p->fields[i].name, name) == 0 &&
		    !(p->fields[i].flags & FIELD_REMOVED))
			return i;
	}
	return PACKET_NONE;
}

static int ipv4_first_layer(const struct packet *p)
{
	for (int i = 0; i < p->layer_count; i++) {
		if (p->layers[i].model == &ipv4_layer)
			return i;
	}
	return PACKET_NONE;
}

/* Where whole's first datagram's payload lies: [*start, *end). 0 or DL_EINVAL. */
static int ipv4_payload_span(const struct packet *whole, int *layer, int *header, uint32_t *start,
			     uint32_t *end, struct dl_error *err)
{
	*layer = ipv4_first_layer(whole);
	if (*layer == PACKET_NONE)
		return dl_error_set(err, DL_EINVAL, "ipv4: fragment: the frame has no IPv4 layer");
	int element = whole->layers[*layer].element;
	*header = ipv4_child(whole, element, "ipv4.header");
	if (*header == PACKET_NONE)
		return dl_error_set(err, DL_EINVAL,
				    "ipv4: fragment: the IPv4 layer has no header element");
	const struct field *e = &whole->fields[element], *h = &whole->fields[*header];
	*start = h->offset + h->size;
	*end = e->offset + e->size;
	if (*end < *start || *end > whole->length)
		return dl_error_set(err, DL_EINVAL, "ipv4: fragment: the IPv4 layer is malformed");
	return 0;
}

/* Cut the options without the copied flag out of a later fragment's header and pad it to a
 * 4-byte boundary again (RFC 791 3.2). */
static int ipv4_fragment_options(struct packet *fr, int header, struct dl_error *err)
{
	int list = ipv4_child(fr, header, "ipv4.options");
	for (int i = fr->field_count - 1; list != PACKET_NONE && i > list; i--) {
		const struct field *o = &fr->fields[i];
		if (o->parent != list || (o->flags & FIELD_REMOVED) || o->size == 0)
			continue;
		if (fr->bytes[o->offset] & 0x80u)
			continue;
		int rc = packet_splice(fr, o->offset, o->size, NULL, 0, PACKET_NONE, err);
		if (rc < 0)
			return rc;
	}
	const struct field *h = &fr->fields[header];
	uint32_t pad = (4 - h->size % 4) % 4;
	if (pad == 0)
		return 0;
	/* zero bytes: an EOL option and padding */
	return packet_splice(fr, h->offset + h->size, 0, NULL, pad, header, err);
}

int ipv4_fragment(const struct packet *whole, const struct ipv4_fragment_range *ranges,
		  size_t range_count, struct packet *frames, size_t max, size_t *count,
		  struct dl_error *err)
{
	*count = 0;
	int layer, header;
	uint32_t start, end;
	int rc = ipv4_payload_span(whole, &layer, &header, &start, &end, err);
	if (rc < 0)
		return rc;
	if (range_count > max)
		return dl_error_set(err, DL_EINVAL,
				    "ipv4: fragment: %zu ranges for room of %zu frames",
				    range_count, max);
	uint32_t payload = end - start;
	int flags = packet_find(whole, "ipv4.flags", whole->layers[layer].element);
	int offset_field = packet_find(whole, "ipv4.fragment_offset", whole->layers[layer].element);
	if (flags == PACKET_NONE || offset_field == PACKET_NONE)
		return dl_error_set(err, DL_EINVAL, "ipv4: fragment: the header has no flags");
	uint64_t base = packet_get(whole, offset_field);
	bool whole_more = packet_get(whole, flags) & IPV4_FLAG_MF;
	for (size_t i = 0; i < range_count; i++) {
		const struct ipv4_fragment_range *r = &ranges[i];
		if (r->offset % 8 || r->offset > payload || r->length > payload - r->offset ||
		    base + r->offset / 8 > 0x1fff)
			return dl_error_set(err, DL_EINVAL,
					    "ipv4: fragment %zu: bytes %" PRIu32 "..%" PRIu32
					    " do not fit a %" PRIu32
					    "-byte payload at a multiple of 8; choose "
					    "another range",
					    i, r->offset, r->offset + r->length, payload);
	}
	for (size_t i = 0; i < range_count; i++) {
		const struct ipv4_fragment_range *r = &ranges[i];
		struct packet *fr = &frames[i];
		packet_copy(fr, whole);
		/* the inner layers describe the whole datagram: keep them as they are */
		for (int f = 0; f < fr->field_count; f++) {
			if (fr->fields[f].layer > layer)
				packet_freeze(fr, f);
		}
		uint32_t keep_end = start + r->offset + r->length;
		rc = packet_splice(fr, keep_end, end - keep_end, NULL, 0, PACKET_NONE, err);
		if (rc == 0)
			rc = packet_splice(fr, start, r->offset, NULL, 0, PACKET_NONE, err);
		if (rc == 0 && r->offset > 0)
			rc = ipv4_fragment_options(fr, header, err);
		if (rc < 0)
			return dl_error_prefix(err, "ipv4: fragment %zu", i);
		bool more = r->more == IPV4_FRAGMENT_MORE ||
			    (r->more == 0 && (r->offset + r->length < payload || whole_more));
		uint64_t fl = packet_get(fr, flags);
		packet_put(fr, flags, more ? fl | IPV4_FLAG_MF : fl & ~(uint64_t)IPV4_FLAG_MF);
		packet_put(fr, offset_field, base + r->offset / 8);
		rc = packet_finish(fr, err);
		if (rc < 0)
			return rc;
		*count = i + 1;
	}
	return 0;
}

int ipv4_fragment_even(const struct packet *whole, uint32_t size,
		       struct ipv4_fragment_range *ranges, size_t max, size_t *count,
		       struct dl_error *err)
{
	*count = 0;
	int layer, header;
	uint32_t start, end;
	int rc = ipv4_payload_span(whole, &layer, &header, &start, &end, err);
	if (rc < 0)
		return rc;
	if (size == 0 || size % 8)
		return dl_error_set(
			err, DL_EINVAL,
			"ipv4: fragment size %" PRIu32 " is not a positive multiple of 8", size);
	uint32_t payload = end - start;
	for (uint32_t at = 0; at < payload || (at == 0 && payload == 0); at += size) {
		if (*count >= max)
			return dl_error_set(err, DL_EINVAL,
					    "ipv4: a %" PRIu32 "-byte payload in %" PRIu32
					    "-byte fragments needs more than %zu",
					    payload, size, max);
		ranges[*count].offset = at;
		ranges[*count].length = payload - at < size ? payload - at : size;
		ranges[*count].more = 0;
		(*count)++;
		if (payload == 0)
			break;
	}
	return 0;
}

const struct proto_layer ipv4_layer = {
	.name = "ipv4",
	.title = "IPv4 (RFC 791) with options and fragments",
	.fixup = ipv4_fixup,
	.parse = ipv4_parse,
};
