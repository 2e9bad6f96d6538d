/* rtp: RTP data packet (RFC 3550 5.1) build, parse and field schema */
#include "core/compat.h"

#include "core/error.h"
#include "proto/cursor.h"
#include "proto/layer.h"
#include "proto/packet.h"
#include "proto/rtp.h"

/*
 * The builder writes the packet into a buffer and declares it through the
 * parser's walker (rtp_declare()), so a built packet and the same bytes
 * parsed back have one schema by construction (as bgp.c and rip.c do).
 */

static const struct field_value rtp_versions[] = {{RTP_VERSION, "RTP version 2"}, {0, NULL}};

static const struct field_value rtp_payload_types[] = {
	{RTP_PT_PCMU, "PCMU"},  {RTP_PT_PCMA, "PCMA"},
	{RTP_PT_JPEG, "JPEG"},  {RTP_PT_H261, "H261"},
	{RTP_PT_MP2T, "MP2T"},  {RTP_PT_DYNAMIC, "dynamic (96)"},
	{127, "dynamic (127)"}, {0, NULL},
};

static int rtp_bits(struct packet *p, const char *name, enum field_kind kind, uint32_t at,
		    uint8_t shift, uint8_t width, uint8_t flags)
{
	uint64_t v = (p->bytes[at] >> shift) & ((1u << width) - 1);
	return packet_field_bits(p, name, kind, at, 1, shift, width, v, flags);
}

/* Check the packet (all of the cursor) before declaring anything; the reason if not. */
static int rtp_check(struct cursor *c, size_t *extension_words, size_t *pad)
{
	size_t avail = cursor_remaining(c);
	size_t base = cursor_position(c);
	const uint8_t *h = c->p + c->offset;
	if (avail < RTP_HEADER_LENGTH)
		return cursor_fail_value(c, "shorter than the 12-byte RTP header", avail);
	if (h[0] >> 6 != RTP_VERSION)
		return cursor_fail_at(c, base, "version is not 2 (RFC 3550 5.1)", h[0] >> 6, true);
	size_t used = RTP_HEADER_LENGTH + 4u * (h[0] & 0x0f);
	if (used > avail)
		return cursor_fail_at(c, base, "CSRC count passes the end of the packet",
				      h[0] & 0x0f, true);
	*extension_words = 0;
	if (h[0] & 0x10) {
		if (used + 4 > avail)
			return cursor_fail_at(c, base + used, "header extension passes the end", 4,
					      true);
		size_t words = (size_t)h[used + 2] << 8 | h[used + 3];
		if (used + 4 + 4 * words > avail)
			return cursor_fail_at(c, base + used + 2,
					      "header extension length passes the end", words,
					      true);
		*extension_words = words;
		used += 4 + 4 * words;
	}
	*pad = 0;
	if (h[0] & 0x20) {
		size_t count = h[avail - 1];
		if (count == 0 || count > avail - used)
			return cursor_fail_at(c, base + avail - 1,
					      "padding count is 0 or more than the bytes after the "
					      "header (RFC 3550 5.1)",
					      count, true);
		*pad = count;
	}
	return 0;
}

/* Declare one packet, the whole of the cursor, as a layer of its own, and close it. */
static int rtp_declare(struct packet *p, struct cursor *c)
{
	size_t words = 0, pad = 0;
	int rc = rtp_check(c, &words, &pad);
	if (rc < 0)
		return rc;
	size_t total = cursor_remaining(c);
	int layer = packet_layer_begin(p, &rtp_layer, "rtp");
	if (layer == PACKET_NONE)
		return DL_ENOMEM;
	int element = p->layers[layer].element;
	uint32_t o;
	rc = proto_take(p, c, RTP_HEADER_LENGTH, &o);
	if (rc < 0)
		return rc;
	unsigned csrc_count = p->bytes[o] & 0x0f;
	bool extension = p->bytes[o] & 0x10;
	int v = rtp_bits(p, "rtp.version", FIELD_ENUM, o, 6, 2, FIELD_KEY);
	packet_values(p, v, rtp_versions);
	rtp_bits(p, "rtp.padding", FIELD_FLAGS, o, 5, 1, 0);
	rtp_bits(p, "rtp.extension", FIELD_FLAGS, o, 4, 1, 0);
	int count = rtp_bits(p, "rtp.csrc_count", FIELD_COUNT, o, 0, 4, 0);
	rtp_bits(p, "rtp.marker", FIELD_FLAGS, o + 1, 7, 1, 0);
	int pt = rtp_bits(p, "rtp.payload_type", FIELD_ENUM, o + 1, 0, 7, FIELD_KEY);
	packet_values(p, pt, rtp_payload_types);
	packet_field_present(p, "rtp.sequence", FIELD_IDENTIFIER, o + 2, 2, 0);
	packet_field_present(p, "rtp.timestamp", FIELD_UINT, o + 4, 4, 0);
	packet_field_present(p, "rtp.ssrc", FIELD_IDENTIFIER, o + 8, 4, FIELD_KEY);
	int list = packet_element_begin(p, "rtp.csrcs", FIELD_LIST, 0);
	for (unsigned i = 0; i < csrc_count; i++) {
		int e = packet_element_begin(p, "rtp.csrc", FIELD_ELEMENT, FIELD_REPEATABLE);
		rc = proto_take(p, c, 4, &o);
		if (rc < 0)
			return rc;
		packet_field_present(p, "rtp.csrc.id", FIELD_IDENTIFIER, o, 4, 0);
		packet_element_end(p, e);
	}
	packet_element_end(p, list);
	packet_relate(p, count, list, 1, 0);
	size_t used = RTP_HEADER_LENGTH + 4u * csrc_count;
	if (extension) {
		int e = packet_element_begin(p, "rtp.header_extension", FIELD_ELEMENT, 0);
		rc = proto_take(p, c, 4 + 4 * words, &o);
		if (rc < 0)
			return rc;
		packet_field_present(p, "rtp.header_extension.profile", FIELD_UINT, o, 2, 0);
		int l = packet_field_present(p, "rtp.header_extension.length", FIELD_LENGTH, o + 2,
					     2, 0);
		int d = packet_field_bytes(p, "rtp.header_extension.data", FIELD_BYTES, o + 4,
					   p->bytes + o + 4, (uint32_t)(4 * words), 0);
		packet_relate(p, l, d, 4, 0);
		packet_element_end(p, e);
		used += 4 + 4 * words;
	}
	size_t payload = total - used - pad;
	rc = proto_take(p, c, payload, &o);
	if (rc < 0)
		return rc;
	packet_field_bytes(p, "rtp.payload", FIELD_BYTES, o, p->bytes + o, (uint32_t)payload, 0);
	if (pad) {
		int e = packet_element_begin(p, "rtp.pad", FIELD_ELEMENT, 0);
		rc = proto_take(p, c, pad, &o);
		if (rc < 0)
			return rc;
		packet_field_bytes(p, "rtp.pad.data", FIELD_BYTES, o, p->bytes + o,
				   (uint32_t)(pad - 1), 0);
		int n = packet_field_present(p, "rtp.pad.count", FIELD_LENGTH,
					     o + (uint32_t)pad - 1, 1, 0);
		packet_relate(p, n, e, 1, 0);
		packet_element_end(p, e);
	}
	packet_element_end(p, element); /* a standalone packet is closed, like rip's */
	return p->overflow ? DL_ENOMEM : 0;
}

static int rtp_refuse(struct packet *p)
{
	p->overflow = true;
	return DL_EINVAL;
}

static void rtp_put32(uint8_t *b, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		b[i] = (uint8_t)(v >> (24 - 8 * i));
}

int rtp_build(struct packet *p, const struct rtp_fields *f)
{
	size_t total = RTP_HEADER_LENGTH + 4 * f->csrc_count + f->payload_length + f->padding +
		       (f->extension ? 4 + f->extension_length : 0);
	if (f->csrc_count > RTP_CSRC_MAX || (f->csrc_count && !f->csrc) ||
	    (f->extension && (f->extension_length % 4 || f->extension_length > 4 * 0xffff ||
			      (f->extension_length && !f->extension_data))) ||
	    (f->payload_length && !f->payload) || f->payload_type > 127 || total > RTP_BUILD_MAX)
		return rtp_refuse(p);
	uint8_t *m = calloc(1, RTP_BUILD_MAX);
	if (!m) {
		p->overflow = true;
		return DL_ENOMEM;
	}
	uint8_t version = f->version ? f->version : RTP_VERSION;
	m[0] = (uint8_t)((version & 3) << 6 | (f->padding ? 0x20 : 0) | (f->extension ? 0x10 : 0) |
			 f->csrc_count);
	m[1] = (uint8_t)((f->marker ? 0x80 : 0) | f->payload_type);
	m[2] = (uint8_t)(f->sequence >> 8);
	m[3] = (uint8_t)f->sequence;
	rtp_put32(m + 4, f->timestamp);
	rtp_put32(m + 8, f->ssrc);
	size_t n = RTP_HEADER_LENGTH;
	for (size_t i = 0; i < f->csrc_count; i++, n += 4)
		rtp_put32(m + n, f->csrc[i]);
	if (f->extension) {
		m[n] = (uint8_t)(f->extension_profile >> 8);
		m[n + 1] = (uint8_t)f->extension_profile;
		m[n + 2] = (uint8_t)(f->extension_length / 4 >> 8);
		m[n + 3] = (uint8_t)(f->extension_length / 4);
		if (f->extension_length)
			memcpy(m + n + 4, f->extension_data, f->extension_length);
		n += 4 + f->extension_length;
	}
	if (f->payload_length)
		memcpy(m + n, f->payload, f->payload_length);
	n += f->payload_length;
	if (f->padding) {
		n += f->padding;
		m[n - 1] = f->padding;
	}
	struct cursor c;
	cursor_init(&c, m, n);
	int rc = version == RTP_VERSION ? rtp_declare(p, &c) : DL_EPROTO;
	free(m);
	if (rc < 0 || p->overflow) {
		p->overflow = true;
		return rc == DL_EPROTO ? DL_EINVAL : DL_ENOMEM;
	}
	return 0;
}

/* The whole payload is one packet (RFC 3550 11: one per datagram or frame). */
static int rtp_parse(struct packet *p, struct cursor *c, struct layer_parse_result *next)
{
	next->next = LAYER_NEXT_NONE;
	next->value = 0;
	return rtp_declare(p, c);
}

const struct proto_layer rtp_layer = {
	.name = "rtp",
	.title = "RTP data packets (RFC 3550) with CSRCs, header extension and padding",
	.parse = rtp_parse,
};
