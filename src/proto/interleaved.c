/* interleaved: the RTSP interleaved frame (RFC 2326 10.12) carrying RTP or RTCP on a TCP
 * connection: build, parse and field schema */
#include "core/compat.h"

#include "core/error.h"
#include "proto/cursor.h"
#include "proto/interleaved.h"
#include "proto/layer.h"
#include "proto/packet.h"
#include "proto/rtcp.h"
#include "proto/rtp.h"

static const struct field_value interleaved_magics[] = {{INTERLEAVED_MAGIC, "$"}, {0, NULL}};

/* The header's fields over 4 bytes at o, in the layer whose element is element. */
static void interleaved_header(struct packet *p, uint32_t o, int element)
{
	int m = packet_field_present(p, "interleaved.magic", FIELD_ENUM, o, 1, 0);
	packet_values(p, m, interleaved_magics);
	packet_field_present(p, "interleaved.channel", FIELD_UINT, o + 1, 1, FIELD_KEY);
	int l = packet_field_present(p, "interleaved.length", FIELD_LENGTH, o + 2, 2, 0);
	packet_relate(p, l, element, 1, -INTERLEAVED_HEADER_LENGTH);
}

int interleaved_build(struct packet *p, uint8_t channel)
{
	int layer = packet_layer_begin(p, &interleaved_layer, "rtsp-interleaved");
	if (layer == PACKET_NONE)
		return PACKET_NONE;
	uint32_t o = packet_append(p, INTERLEAVED_HEADER_LENGTH);
	if (p->overflow)
		return PACKET_NONE;
	p->bytes[o] = INTERLEAVED_MAGIC;
	p->bytes[o + 1] = channel;
	interleaved_header(p, o, p->layers[layer].element);
	return p->overflow ? PACKET_NONE : layer;
}

/* Is data RTP or RTCP version 2 long enough for its header? */
static bool interleaved_media(const uint8_t *data, size_t n, bool rtcp)
{
	return n >= (rtcp ? RTCP_HEADER_LENGTH : RTP_HEADER_LENGTH) && data[0] >> 6 == 2;
}

static int interleaved_parse(struct packet *p, struct cursor *c, struct layer_parse_result *next)
{
	next->next = LAYER_NEXT_NONE;
	next->value = 0;
	uint8_t first;
	if (cursor_peek_u8(c, &first) < 0 || first != INTERLEAVED_MAGIC)
		return 0; /* RTSP text: the dissector keeps it as payload */
	if (cursor_remaining(c) < INTERLEAVED_HEADER_LENGTH)
		return cursor_fail_value(c, "interleaved frame shorter than its 4-byte header",
					 cursor_remaining(c));
	const uint8_t *h = c->p + c->offset;
	size_t length = (size_t)h[2] << 8 | h[3];
	if (INTERLEAVED_HEADER_LENGTH + length > cursor_remaining(c))
		return cursor_fail_at(c, cursor_position(c) + 2,
				      "interleaved length passes the segment's end", length, true);
	int layer = packet_layer_begin(p, &interleaved_layer, "rtsp-interleaved");
	if (layer == PACKET_NONE)
		return DL_ENOMEM;
	int element = p->layers[layer].element;
	uint32_t o;
	int rc = proto_take(p, c, INTERLEAVED_HEADER_LENGTH, &o);
	if (rc < 0)
		return rc;
	interleaved_header(p, o, element);
	bool rtcp = p->bytes[o + 1] & 1;
	struct cursor data;
	if (cursor_sub(c, length, &data) < 0)
		return DL_EPROTO;
	if (interleaved_media(data.p, length, rtcp)) {
		struct layer_parse_result inner;
		rc = rtcp ? rtcp_layer.parse(p, &data, &inner) : rtp_layer.parse(p, &data, &inner);
		if (rc < 0)
			return rc;
	} else if (length) {
		rc = proto_take(p, &data, length, &o);
		if (rc < 0)
			return rc;
		packet_field_bytes(p, "interleaved.data", FIELD_BYTES, o, p->bytes + o,
				   (uint32_t)length, 0);
	}
	packet_element_end(p, element); /* the next frame is a layer of its own */
	if (!cursor_at_end(c)) {
		next->next = LAYER_NEXT_TCP_PORT;
		next->value = INTERLEAVED_PORT;
	}
	return p->overflow ? DL_ENOMEM : 0;
}

const struct proto_layer interleaved_layer = {
	.name = "rtsp-interleaved",
	.title = "RTSP interleaved frames (RFC 2326 10.12) carrying RTP and RTCP",
	.parse = interleaved_parse,
};
