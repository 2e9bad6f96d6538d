/* tcp: TCP (RFC 9293) segment with options build, parse and field schema */
#include "core/compat.h"

#include "core/error.h"
#include "proto/cursor.h"
#include "proto/ipv4.h"
#include "proto/layer.h"
#include "proto/options.h"
#include "proto/packet.h"
#include "proto/tcp.h"

/* The builder serialises the header and declares it through the parser's walker
 * (tcp_declare()), so built and parsed segments have one schema. */

static const struct field_value tcp_option_kinds[] = {
	{TCP_OPT_EOL, "End of Option List"},        {TCP_OPT_NOP, "No-Operation"},
	{TCP_OPT_MSS, "Maximum Segment Size"},      {TCP_OPT_WINDOW_SCALE, "Window Scale"},
	{TCP_OPT_SACK_PERMITTED, "SACK Permitted"}, {TCP_OPT_SACK, "SACK"},
	{TCP_OPT_TIMESTAMPS, "Timestamps"},         {0, NULL},
};

static const char *tcp_option_name(uint8_t kind)
{
	switch (kind) {
	case TCP_OPT_EOL: return "tcp.option.eol";
	case TCP_OPT_NOP: return "tcp.option.nop";
	case TCP_OPT_MSS: return "tcp.option.mss";
	case TCP_OPT_WINDOW_SCALE: return "tcp.option.window_scale";
	case TCP_OPT_SACK_PERMITTED: return "tcp.option.sack_permitted";
	case TCP_OPT_SACK: return "tcp.option.sack";
	case TCP_OPT_TIMESTAMPS: return "tcp.option.timestamps";
	default: return "tcp.option.other";
	}
}

/* The option lengths RFC 9293 3.2, RFC 7323 and RFC 2018 fix; 0 or the cursor's failure. */
static int tcp_option_check(struct cursor *c, uint8_t kind, uint8_t len)
{
	switch (kind) {
	case TCP_OPT_MSS:
		return len == 4 ? 0 : cursor_fail_value(c, "MSS option length is not 4", len);
	case TCP_OPT_WINDOW_SCALE:
		return len == 3 ? 0
				: cursor_fail_value(c, "window scale option length is not 3", len);
	case TCP_OPT_SACK_PERMITTED:
		return len == 2
			       ? 0
			       : cursor_fail_value(c, "SACK-permitted option length is not 2", len);
	case TCP_OPT_SACK:
		return (len >= 10 && len <= 34 && (len - 2) % 8 == 0)
			       ? 0
			       : cursor_fail_value(c, "SACK option length is not 2 + 8n (n 1..4)",
						   len);
	case TCP_OPT_TIMESTAMPS:
		return len == 10 ? 0
				 : cursor_fail_value(c, "timestamps option length is not 10", len);
	default: return 0;
	}
}

static void tcp_option_body(struct packet *p, uint8_t kind, uint32_t o, uint32_t len)
{
	switch (kind) {
	case TCP_OPT_MSS:
		packet_field_present(p, "tcp.option.mss_value", FIELD_UINT, o + 2, 2, 0);
		return;
	case TCP_OPT_WINDOW_SCALE:
		packet_field_present(p, "tcp.option.shift", FIELD_UINT, o + 2, 1, 0);
		return;
	case TCP_OPT_SACK:
		for (uint32_t at = 2; at + 8 <= len; at += 8) {
			packet_field_present(p, "tcp.option.sack_left", FIELD_UINT, o + at, 4, 0);
			packet_field_present(p, "tcp.option.sack_right", FIELD_UINT, o + at + 4, 4,
					     0);
		}
		return;
	case TCP_OPT_TIMESTAMPS:
		packet_field_present(p, "tcp.option.tsval", FIELD_UINT, o + 2, 4, 0);
		packet_field_present(p, "tcp.option.tsecr", FIELD_UINT, o + 6, 4, 0);
		return;
	default:
		if (len > 2)
			packet_field_bytes(p, "tcp.option.data", FIELD_BYTES, o + 2,
					   p->bytes + o + 2, len - 2, 0);
		return;
	}
}

static const struct option_list_spec tcp_option_list = {
	.list = "tcp.options",
	.kind = "tcp.option.kind",
	.length = "tcp.option.length",
	.padding = "tcp.padding",
	.kinds = tcp_option_kinds,
	.max = TCP_HEADER_MAX,
	.name = tcp_option_name,
	.check = tcp_option_check,
	.body = tcp_option_body,
};

static int tcp_options(struct packet *p, struct cursor *c)
{
	return option_list_parse(p, c, &tcp_option_list);
}

/* Declare the header read from c, then (payload) the rest of c as the payload. */
static int tcp_declare(struct packet *p, struct cursor *c, bool payload)
{
	size_t avail = cursor_remaining(c);
	if (avail < TCP_HEADER_MIN)
		return cursor_fail_value(c, "shorter than the 20-byte TCP header", avail);
	unsigned offset = c->p[c->offset + 12] >> 4;
	if (offset < 5)
		return cursor_fail_value(c, "data offset is under 5 words", offset);
	if (offset * 4u > avail)
		return cursor_fail_value(c, "data offset passes the end of the segment", offset);
	int layer = packet_layer_begin(p, &tcp_layer, "tcp");
	if (layer == PACKET_NONE)
		return DL_ENOMEM;
	int header = packet_element_begin(p, "tcp.header", FIELD_ELEMENT, 0);
	uint32_t o;
	int rc = proto_take(p, c, TCP_HEADER_MIN, &o);
	if (rc < 0)
		return rc;
	packet_field_present(p, "tcp.source_port", FIELD_UINT, o, 2, 0);
	packet_field_present(p, "tcp.destination_port", FIELD_UINT, o + 2, 2, FIELD_KEY);
	packet_field_present(p, "tcp.sequence", FIELD_IDENTIFIER, o + 4, 4, 0);
	packet_field_present(p, "tcp.acknowledgment", FIELD_IDENTIFIER, o + 8, 4, 0);
	uint16_t word = (uint16_t)packet_read_be(p, o + 12, 2);
	int data_offset = packet_field_bits(p, "tcp.data_offset", FIELD_LENGTH, o + 12, 2, 12, 4,
					    word >> 12, 0);
	packet_field_bits(p, "tcp.flags", FIELD_FLAGS, o + 12, 2, 0, 12, word & 0xfffu, FIELD_KEY);
	packet_field_present(p, "tcp.window", FIELD_UINT, o + 14, 2, 0);
	int checksum = packet_field_present(p, "tcp.checksum", FIELD_CHECKSUM, o + 16, 2, 0);
	packet_field_present(p, "tcp.urgent_pointer", FIELD_UINT, o + 18, 2, 0);
	if (offset > 5) {
		struct cursor options;
		if (cursor_sub(c, offset * 4u - TCP_HEADER_MIN, &options) < 0)
			return DL_EPROTO;
		rc = tcp_options(p, &options);
		if (rc < 0)
			return rc;
	}
	packet_element_end(p, header);
	packet_relate(p, data_offset, header, 4, 0);
	packet_relate(p, checksum, p->layers[layer].element, 1, 0);
	p->layers[layer].slots[TCP_SLOT_CHECKSUM] = (int16_t)checksum;
	size_t rest = cursor_remaining(c);
	if (payload && rest > 0) {
		rc = proto_take(p, c, rest, &o);
		if (rc < 0)
			return rc;
		packet_field_bytes(p, "tcp.payload", FIELD_BYTES, o, p->bytes + o, (uint32_t)rest,
				   0);
	}
	return p->overflow ? DL_ENOMEM : 0;
}

static size_t tcp_option_length(const struct tcp_option *o)
{
	switch (o->kind) {
	case TCP_OPT_EOL:
	case TCP_OPT_NOP: return 1;
	case TCP_OPT_MSS: return 4;
	case TCP_OPT_WINDOW_SCALE: return 3;
	case TCP_OPT_SACK_PERMITTED: return 2;
	case TCP_OPT_SACK: return 2 + 4u * o->value_count;
	case TCP_OPT_TIMESTAMPS: return 10;
	default: return 2 + o->data_length;
	}
}

static void tcp_put32(uint8_t *w, uint32_t v)
{
	w[0] = (uint8_t)(v >> 24);
	w[1] = (uint8_t)(v >> 16);
	w[2] = (uint8_t)(v >> 8);
	w[3] = (uint8_t)v;
}

int tcp_build(struct packet *p, const struct tcp_fields *f)
{
	uint8_t b[TCP_HEADER_MAX] = {0};
	size_t n = TCP_HEADER_MIN;
	for (size_t i = 0; i < f->option_count; i++) {
		const struct tcp_option *o = &f->options[i];
		size_t len = tcp_option_length(o);
		bool bad_sack = o->kind == TCP_OPT_SACK &&
				(o->value_count < 2 || o->value_count > 8 || o->value_count % 2);
		if (len > TCP_HEADER_MAX - n || bad_sack || (o->data_length && !o->data)) {
			p->overflow = true;
			return DL_EINVAL;
		}
		uint8_t *w = b + n;
		w[0] = o->kind;
		if (len > 1)
			w[1] = (uint8_t)len;
		switch (o->kind) {
		case TCP_OPT_MSS:
			w[2] = (uint8_t)(o->values[0] >> 8);
			w[3] = (uint8_t)o->values[0];
			break;
		case TCP_OPT_WINDOW_SCALE: w[2] = (uint8_t)o->values[0]; break;
		case TCP_OPT_SACK:
			for (unsigned v = 0; v < o->value_count; v++)
				tcp_put32(w + 2 + 4 * v, o->values[v]);
			break;
		case TCP_OPT_TIMESTAMPS:
			tcp_put32(w + 2, o->values[0]);
			tcp_put32(w + 6, o->values[1]);
			break;
		case TCP_OPT_EOL:
		case TCP_OPT_NOP:
		case TCP_OPT_SACK_PERMITTED: break;
		default:
			if (o->data_length)
				memcpy(w + 2, o->data, o->data_length);
			break;
		}
		n += len;
	}
	if (n % 4)
		n += 4 - n % 4; /* an EOL option, then zero padding */
	b[0] = (uint8_t)(f->source_port >> 8);
	b[1] = (uint8_t)f->source_port;
	b[2] = (uint8_t)(f->destination_port >> 8);
	b[3] = (uint8_t)f->destination_port;
	tcp_put32(b + 4, f->sequence);
	tcp_put32(b + 8, f->acknowledgment);
	uint16_t flags = f->flags ? f->flags : TCP_FLAG_SYN;
	b[12] = (uint8_t)((n / 4) << 4 | ((flags >> 8) & 15u));
	b[13] = (uint8_t)flags;
	uint16_t window = f->window ? f->window : 64240;
	b[14] = (uint8_t)(window >> 8);
	b[15] = (uint8_t)window;
	b[18] = (uint8_t)(f->urgent_pointer >> 8);
	b[19] = (uint8_t)f->urgent_pointer;
	if (f->payload_length > PACKET_BYTES_MAX || (f->payload_length && !f->payload)) {
		p->overflow = true;
		return DL_ENOMEM;
	}
	struct cursor c;
	cursor_init(&c, b, n);
	int rc = tcp_declare(p, &c, true);
	if (rc == 0 && f->payload_length) {
		uint32_t at = packet_append(p, f->payload_length);
		if (at != PACKET_BYTES_MAX)
			packet_field_bytes(p, "tcp.payload", FIELD_BYTES, at, f->payload,
					   (uint32_t)f->payload_length, 0);
	}
	if (rc < 0 || p->overflow) {
		p->overflow = true;
		return rc == DL_EPROTO ? DL_EINVAL : DL_ENOMEM;
	}
	return 0;
}

/* A payload to or from a port a model reads (BGP's 179, RFC 4271 3) is the next layer's. */
static int tcp_parse(struct packet *p, struct cursor *c, struct layer_parse_result *next)
{
	next->next = LAYER_NEXT_NONE;
	next->value = 0;
	uint32_t port = 0;
	if (cursor_remaining(c) >= 4) {
		const uint8_t *h = c->p + c->offset;
		uint32_t source = (uint32_t)h[0] << 8 | h[1],
			 destination = (uint32_t)h[2] << 8 | h[3];
		port = proto_dispatches(LAYER_NEXT_TCP_PORT, destination) ? destination
		       : proto_dispatches(LAYER_NEXT_TCP_PORT, source)    ? source
									  : 0;
	}
	int rc = tcp_declare(p, c, port == 0);
	if (rc == 0 && port && !cursor_at_end(c)) {
		next->next = LAYER_NEXT_TCP_PORT;
		next->value = port;
	}
	return rc;
}

/* Over the segment as the IP layer carries it (RFC 9293 3.1: the TCP length is the IP payload's),
 * which a frozen total length or a repeated element may make differ from the layer. */
static void tcp_fixup(struct packet *p, int layer)
{
	const struct field *e = &p->fields[p->layers[layer].element];
	int ip = ip_layer_enclosing(p, layer);
	uint32_t room = ip_payload_room(p, ip, e->offset);
	uint32_t length = room != UINT32_MAX ? room : e->size;
	if (length > p->length - e->offset)
		length = p->length - e->offset;
	ip_checksum_fixup_span(p, p->layers[layer].slots[TCP_SLOT_CHECKSUM], length,
			       ip_pseudo_sum(p, ip, 6, length), false);
}

const struct proto_layer tcp_layer = {
	.name = "tcp",
	.title = "TCP (RFC 9293) with options",
	.fixup = tcp_fixup,
	.parse = tcp_parse,
};
