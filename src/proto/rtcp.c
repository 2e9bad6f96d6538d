/* rtcp: RTCP compound packet (RFC 3550 6) build, parse and field schema */
#include "core/compat.h"

#include "core/error.h"
#include "proto/cursor.h"
#include "proto/layer.h"
#include "proto/packet.h"
#include "proto/rtcp.h"

/*
 * The builder writes the compound into a buffer and declares it through the
 * parser's walker (rtcp_declare()), so a built compound and the same bytes
 * parsed back have one schema by construction (as rip.c does). The walker
 * reads each packet inside the bounds its own length gives (a sub-cursor),
 * so a count that claims more than the packet holds is refused there.
 */

static const struct field_value rtcp_versions[] = {{RTCP_VERSION, "RTP version 2"}, {0, NULL}};

static const struct field_value rtcp_types[] = {
	{RTCP_SR, "SR"}, {RTCP_RR, "RR"}, {RTCP_SDES, "SDES"}, {RTCP_BYE, "BYE"}, {RTCP_APP, "APP"},
	{205, "RTPFB"},  {206, "PSFB"},   {207, "XR"},         {0, NULL},
};

static const struct field_value rtcp_sdes_types[] = {
	{RTCP_SDES_END, "END"},     {RTCP_SDES_CNAME, "CNAME"},
	{RTCP_SDES_NAME, "NAME"},   {RTCP_SDES_EMAIL, "EMAIL"},
	{RTCP_SDES_PHONE, "PHONE"}, {RTCP_SDES_LOC, "LOC"},
	{RTCP_SDES_TOOL, "TOOL"},   {RTCP_SDES_NOTE, "NOTE"},
	{RTCP_SDES_PRIV, "PRIV"},   {0, NULL},
};

static int rtcp_number(struct packet *p, const char *name, enum field_kind kind, uint32_t at,
		       uint32_t size, uint8_t flags)
{
	return packet_field_present(p, name, kind, at, size, flags);
}

static int rtcp_bytes(struct packet *p, const char *name, uint32_t at, uint32_t size)
{
	return packet_field_bytes(p, name, FIELD_BYTES, at, p->bytes + at, size, 0);
}

static int rtcp_bits(struct packet *p, const char *name, enum field_kind kind, uint32_t at,
		     uint8_t shift, uint8_t width, uint8_t flags)
{
	uint64_t v = (p->bytes[at] >> shift) & ((1u << width) - 1);
	return packet_field_bits(p, name, kind, at, 1, shift, width, v, flags);
}

/* The report blocks (RFC 3550 6.4.1) and what follows them in the body. */
static int rtcp_reports(struct packet *p, struct cursor *c, unsigned count, int count_field)
{
	if (cursor_remaining(c) < (size_t)count * RTCP_REPORT_LENGTH)
		return cursor_fail_value(c, "report count passes the packet's end", count);
	int list = packet_element_begin(p, "rtcp.reports", FIELD_LIST, 0);
	for (unsigned i = 0; i < count; i++) {
		uint32_t o;
		int e = packet_element_begin(p, "rtcp.report", FIELD_ELEMENT, FIELD_REPEATABLE);
		int rc = proto_take(p, c, RTCP_REPORT_LENGTH, &o);
		if (rc < 0)
			return rc;
		rtcp_number(p, "rtcp.report.ssrc", FIELD_IDENTIFIER, o, 4, FIELD_KEY);
		rtcp_number(p, "rtcp.report.fraction_lost", FIELD_UINT, o + 4, 1, 0);
		rtcp_number(p, "rtcp.report.cumulative_lost", FIELD_UINT, o + 5, 3, 0);
		rtcp_number(p, "rtcp.report.highest_sequence", FIELD_UINT, o + 8, 4, 0);
		rtcp_number(p, "rtcp.report.jitter", FIELD_UINT, o + 12, 4, 0);
		rtcp_number(p, "rtcp.report.lsr", FIELD_UINT, o + 16, 4, 0);
		rtcp_number(p, "rtcp.report.dlsr", FIELD_UINT, o + 20, 4, 0);
		packet_element_end(p, e);
	}
	packet_element_end(p, list);
	packet_relate(p, count_field, list, 1, 0);
	return 0;
}

static int rtcp_rest(struct packet *p, struct cursor *c, const char *name)
{
	size_t left = cursor_remaining(c);
	if (left == 0)
		return 0;
	uint32_t o;
	int rc = proto_take(p, c, left, &o);
	if (rc < 0)
		return rc;
	rtcp_bytes(p, name, o, (uint32_t)left);
	return 0;
}

/* SDES chunks (RFC 3550 6.5): items up to a null octet, then padding to 32 bits. */
static int rtcp_sdes(struct packet *p, struct cursor *c, unsigned count, int count_field)
{
	int list = packet_element_begin(p, "rtcp.chunks", FIELD_LIST, 0);
	for (unsigned i = 0; i < count; i++) {
		size_t start = cursor_position(c);
		uint32_t o;
		if (cursor_remaining(c) < 4)
			return cursor_fail_value(c, "SDES chunk count passes the packet's end",
						 count);
		int chunk = packet_element_begin(p, "rtcp.chunk", FIELD_ELEMENT, FIELD_REPEATABLE);
		int rc = proto_take(p, c, 4, &o);
		if (rc < 0)
			return rc;
		rtcp_number(p, "rtcp.chunk.ssrc", FIELD_IDENTIFIER, o, 4, 0);
		int items = packet_element_begin(p, "rtcp.items", FIELD_LIST, 0);
		bool ended = false;
		for (unsigned n = 0; n < 256 && !ended; n++) {
			uint8_t type;
			if (cursor_peek_u8(c, &type) < 0)
				return cursor_fail(c, "SDES chunk has no null item before the end");
			if (type == RTCP_SDES_END) {
				ended = true;
				break;
			}
			if (cursor_remaining(c) < 2 ||
			    cursor_remaining(c) < 2 + (size_t)c->p[c->offset + 1])
				return cursor_fail_value(
					c, "SDES item length passes the end",
					cursor_remaining(c) < 2 ? 0 : c->p[c->offset + 1]);
			size_t length = c->p[c->offset + 1];
			int item = packet_element_begin(p, "rtcp.item", FIELD_ELEMENT,
							FIELD_REPEATABLE);
			rc = proto_take(p, c, 2 + length, &o);
			if (rc < 0)
				return rc;
			int t = rtcp_number(p, "rtcp.item.type", FIELD_ENUM, o, 1, FIELD_KEY);
			packet_values(p, t, rtcp_sdes_types);
			int l = rtcp_number(p, "rtcp.item.length", FIELD_LENGTH, o + 1, 1, 0);
			int x = rtcp_bytes(p, "rtcp.item.text", o + 2, (uint32_t)length);
			packet_relate(p, l, x, 1, 0);
			packet_element_end(p, item);
		}
		packet_element_end(p, items);
		if (!ended)
			return cursor_fail(c, "SDES chunk has more than 255 items");
		/* the null item and zeros to the next 32-bit boundary of the chunk */
		size_t used = cursor_position(c) - start + 1;
		size_t end = 1 + (4 - used % 4) % 4;
		if (cursor_remaining(c) < end)
			return cursor_fail_value(c, "SDES chunk padding passes the end", end);
		rc = proto_take(p, c, end, &o);
		if (rc < 0)
			return rc;
		rtcp_bytes(p, "rtcp.chunk.end", o, (uint32_t)end);
		packet_element_end(p, chunk);
	}
	packet_element_end(p, list);
	packet_relate(p, count_field, list, 1, 0);
	return rtcp_rest(p, c, "rtcp.profile_extension");
}

/* BYE (RFC 3550 6.6): the sources, then an optional reason padded to 32 bits. */
static int rtcp_bye(struct packet *p, struct cursor *c, unsigned count, int count_field)
{
	if (cursor_remaining(c) < (size_t)count * 4)
		return cursor_fail_value(c, "BYE source count passes the packet's end", count);
	int list = packet_element_begin(p, "rtcp.sources", FIELD_LIST, 0);
	uint32_t o;
	for (unsigned i = 0; i < count; i++) {
		int e = packet_element_begin(p, "rtcp.source", FIELD_ELEMENT, FIELD_REPEATABLE);
		int rc = proto_take(p, c, 4, &o);
		if (rc < 0)
			return rc;
		rtcp_number(p, "rtcp.source.ssrc", FIELD_IDENTIFIER, o, 4, 0);
		packet_element_end(p, e);
	}
	packet_element_end(p, list);
	packet_relate(p, count_field, list, 1, 0);
	if (cursor_at_end(c))
		return 0;
	size_t length = c->p[c->offset];
	if (cursor_remaining(c) < 1 + length)
		return cursor_fail_value(c, "BYE reason length passes the end", length);
	int e = packet_element_begin(p, "rtcp.bye.reason", FIELD_ELEMENT, 0);
	int rc = proto_take(p, c, 1 + length, &o);
	if (rc < 0)
		return rc;
	int l = rtcp_number(p, "rtcp.bye.reason.length", FIELD_LENGTH, o, 1, 0);
	int x = rtcp_bytes(p, "rtcp.bye.reason.text", o + 1, (uint32_t)length);
	packet_relate(p, l, x, 1, 0);
	rc = rtcp_rest(p, c, "rtcp.bye.reason.pad");
	packet_element_end(p, e);
	return rc;
}

/* One packet: its header, its body by type, its padding. */
static int rtcp_packet(struct packet *p, struct cursor *c)
{
	size_t at = cursor_position(c);
	if (cursor_remaining(c) < RTCP_HEADER_LENGTH)
		return cursor_fail_value(c, "shorter than the 4-byte RTCP header",
					 cursor_remaining(c));
	const uint8_t *h = c->p + c->offset;
	if (h[0] >> 6 != RTCP_VERSION)
		return cursor_fail_at(c, at, "version is not 2 (RFC 3550 6.4.1)", h[0] >> 6, true);
	size_t total = 4 * ((size_t)(h[2] << 8 | h[3]) + 1);
	if (total > cursor_remaining(c))
		return cursor_fail_at(c, at + 2, "length passes the end of the compound", total,
				      true);
	size_t pad = 0;
	if (h[0] & 0x20) {
		pad = h[total - 1];
		if (pad == 0 || pad > total - RTCP_HEADER_LENGTH)
			return cursor_fail_at(c, at + total - 1,
					      "padding count is 0 or more than the body", pad,
					      true);
	}
	unsigned count = h[0] & 0x1f;
	uint8_t type = h[1];
	const char *name = type == RTCP_SR     ? "rtcp.sr"
			   : type == RTCP_RR   ? "rtcp.rr"
			   : type == RTCP_SDES ? "rtcp.sdes"
			   : type == RTCP_BYE  ? "rtcp.bye"
			   : type == RTCP_APP  ? "rtcp.app"
					       : "rtcp.other";
	struct cursor body;
	if (cursor_sub(c, total, &body) < 0)
		return DL_EPROTO;
	body.len -= pad;
	int element = packet_element_begin(p, name, FIELD_ELEMENT, FIELD_REPEATABLE);
	uint32_t o;
	int rc = proto_take(p, &body, RTCP_HEADER_LENGTH, &o);
	if (rc < 0)
		return rc;
	int v = rtcp_bits(p, "rtcp.version", FIELD_ENUM, o, 6, 2, FIELD_KEY);
	packet_values(p, v, rtcp_versions);
	rtcp_bits(p, "rtcp.padding", FIELD_FLAGS, o, 5, 1, 0);
	const char *count_name = type == RTCP_SR || type == RTCP_RR      ? "rtcp.report_count"
				 : type == RTCP_SDES || type == RTCP_BYE ? "rtcp.source_count"
				 : type == RTCP_APP                      ? "rtcp.subtype"
									 : "rtcp.count";
	bool relation = type >= RTCP_SR && type <= RTCP_BYE;
	int count_field = rtcp_bits(p, count_name, relation ? FIELD_COUNT : FIELD_UINT, o, 0, 5, 0);
	int t = rtcp_number(p, "rtcp.packet_type", FIELD_ENUM, o + 1, 1, FIELD_KEY);
	packet_values(p, t, rtcp_types);
	int l = rtcp_number(p, "rtcp.length", FIELD_LENGTH, o + 2, 2, 0);
	packet_relate(p, l, element, 4, -1);
	switch (type) {
	case RTCP_SR:
		if (cursor_remaining(&body) < 24)
			return cursor_fail_value(&body, "SR shorter than its sender info",
						 cursor_remaining(&body));
		rc = proto_take(p, &body, 24, &o);
		if (rc < 0)
			return rc;
		rtcp_number(p, "rtcp.ssrc", FIELD_IDENTIFIER, o, 4, FIELD_KEY);
		rtcp_number(p, "rtcp.sr.ntp_timestamp", FIELD_UINT, o + 4, 8, 0);
		rtcp_number(p, "rtcp.sr.rtp_timestamp", FIELD_UINT, o + 12, 4, 0);
		rtcp_number(p, "rtcp.sr.packet_count", FIELD_UINT, o + 16, 4, 0);
		rtcp_number(p, "rtcp.sr.octet_count", FIELD_UINT, o + 20, 4, 0);
		rc = rtcp_reports(p, &body, count, count_field);
		if (!rc)
			rc = rtcp_rest(p, &body, "rtcp.profile_extension");
		break;
	case RTCP_RR:
		if (cursor_remaining(&body) < 4)
			return cursor_fail(&body, "RR has no SSRC");
		rc = proto_take(p, &body, 4, &o);
		if (rc < 0)
			return rc;
		rtcp_number(p, "rtcp.ssrc", FIELD_IDENTIFIER, o, 4, FIELD_KEY);
		rc = rtcp_reports(p, &body, count, count_field);
		if (!rc)
			rc = rtcp_rest(p, &body, "rtcp.profile_extension");
		break;
	case RTCP_SDES: rc = rtcp_sdes(p, &body, count, count_field); break;
	case RTCP_BYE: rc = rtcp_bye(p, &body, count, count_field); break;
	case RTCP_APP:
		if (cursor_remaining(&body) < 8)
			return cursor_fail(&body, "APP shorter than its SSRC and name");
		rc = proto_take(p, &body, 8, &o);
		if (rc < 0)
			return rc;
		rtcp_number(p, "rtcp.ssrc", FIELD_IDENTIFIER, o, 4, FIELD_KEY);
		rtcp_bytes(p, "rtcp.app.name", o + 4, 4);
		rc = rtcp_rest(p, &body, "rtcp.app.data");
		break;
	default: rc = rtcp_rest(p, &body, "rtcp.other.data"); break;
	}
	if (rc < 0)
		return rc;
	if (pad) {
		body.len += pad;
		int e = packet_element_begin(p, "rtcp.pad", FIELD_ELEMENT, 0);
		rc = proto_take(p, &body, pad, &o);
		if (rc < 0)
			return rc;
		rtcp_bytes(p, "rtcp.pad.data", o, (uint32_t)(pad - 1));
		int n = rtcp_number(p, "rtcp.pad.count", FIELD_LENGTH, o + (uint32_t)pad - 1, 1, 0);
		packet_relate(p, n, e, 1, 0);
		packet_element_end(p, e);
	}
	packet_element_end(p, element);
	return 0;
}

/* Declare one compound, the whole of the cursor, as a layer of its own, and close it. */
static int rtcp_declare(struct packet *p, struct cursor *c)
{
	if (cursor_remaining(c) < RTCP_HEADER_LENGTH)
		return cursor_fail_value(c, "shorter than the 4-byte RTCP header",
					 cursor_remaining(c));
	int layer = packet_layer_begin(p, &rtcp_layer, "rtcp");
	if (layer == PACKET_NONE)
		return DL_ENOMEM;
	int list = packet_element_begin(p, "rtcp.packets", FIELD_LIST, 0);
	for (unsigned n = 0; n < 64 && !cursor_at_end(c); n++) {
		int rc = rtcp_packet(p, c);
		if (rc < 0)
			return rc;
	}
	if (!cursor_at_end(c))
		return cursor_fail(c, "more than 64 packets in one compound");
	packet_element_end(p, list);
	packet_element_end(p, p->layers[layer].element);
	return p->overflow ? DL_ENOMEM : 0;
}

/* ---- building ---- */

struct rtcp_writer {
	uint8_t *m;
	size_t n;
	bool bad;
};

static void put(struct rtcp_writer *w, const void *data, size_t length)
{
	if (w->bad || length > RTCP_BUILD_MAX - w->n) {
		w->bad = true;
		return;
	}
	if (length)
		memcpy(w->m + w->n, data, length);
	w->n += length;
}

static void put8(struct rtcp_writer *w, uint8_t v)
{
	put(w, &v, 1);
}

static void put32(struct rtcp_writer *w, uint32_t v)
{
	uint8_t b[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};
	put(w, b, 4);
}

static void put_zeros(struct rtcp_writer *w, size_t n)
{
	static const uint8_t zeros[4] = {0};
	for (size_t i = 0; i < n && !w->bad; i++)
		put(w, zeros, 1);
}

static void write_reports(struct rtcp_writer *w, const struct rtcp_fields *f)
{
	for (size_t i = 0; i < f->report_count; i++) {
		const struct rtcp_report *r = &f->reports[i];
		put32(w, r->ssrc);
		put32(w, (uint32_t)r->fraction_lost << 24 | (r->cumulative_lost & 0xffffff));
		put32(w, r->highest_sequence);
		put32(w, r->jitter);
		put32(w, r->lsr);
		put32(w, r->dlsr);
	}
}

static bool write_packet(struct rtcp_writer *w, const struct rtcp_fields *f)
{
	size_t count = f->type == RTCP_SDES  ? f->chunk_count
		       : f->type == RTCP_BYE ? f->source_count
		       : f->type == RTCP_APP ? f->subtype
					     : f->report_count;
	if (count > RTCP_COUNT_MAX || (f->padding && (f->padding % 4 || !f->padding)) ||
	    (f->report_count && !f->reports) || (f->chunk_count && !f->chunks) ||
	    (f->source_count && !f->sources) || (f->data_length && !f->data) || f->data_length % 4)
		return false;
	size_t start = w->n;
	uint8_t version = f->version ? f->version : RTCP_VERSION;
	put8(w, (uint8_t)((version & 3) << 6 | (f->padding ? 0x20 : 0) | count));
	put8(w, f->type);
	put(w, "\0\0", 2); /* the length, below */
	switch (f->type) {
	case RTCP_SR:
		put32(w, f->ssrc);
		put32(w, (uint32_t)(f->ntp_timestamp >> 32));
		put32(w, (uint32_t)f->ntp_timestamp);
		put32(w, f->rtp_timestamp);
		put32(w, f->packet_count);
		put32(w, f->octet_count);
		write_reports(w, f);
		break;
	case RTCP_RR:
		put32(w, f->ssrc);
		write_reports(w, f);
		break;
	case RTCP_SDES:
		for (size_t i = 0; i < f->chunk_count; i++) {
			const struct rtcp_sdes_chunk *k = &f->chunks[i];
			size_t chunk = w->n;
			put32(w, k->ssrc);
			for (size_t j = 0; j < k->item_count; j++) {
				size_t length = k->items[j].text ? strlen(k->items[j].text) : 0;
				if (length > 255 || k->items[j].type == RTCP_SDES_END)
					return false;
				put8(w, k->items[j].type);
				put8(w, (uint8_t)length);
				put(w, k->items[j].text, length);
			}
			size_t used = w->n - chunk + 1;
			put_zeros(w, 1 + (4 - used % 4) % 4);
		}
		break;
	case RTCP_BYE:
		for (size_t i = 0; i < f->source_count; i++)
			put32(w, f->sources[i]);
		if (f->reason) {
			size_t length = strlen(f->reason);
			if (length > 255)
				return false;
			put8(w, (uint8_t)length);
			put(w, f->reason, length);
			put_zeros(w, (4 - (1 + length) % 4) % 4);
		}
		break;
	case RTCP_APP:
		put32(w, f->ssrc);
		put(w, f->name, 4);
		put(w, f->data, f->data_length);
		break;
	default: return false;
	}
	if (f->padding) {
		put_zeros(w, f->padding - 1u);
		put8(w, f->padding);
	}
	if (w->bad || (w->n - start) % 4)
		return false;
	size_t words = (w->n - start) / 4 - 1;
	w->m[start + 2] = (uint8_t)(words >> 8);
	w->m[start + 3] = (uint8_t)words;
	return true;
}

int rtcp_build(struct packet *p, const struct rtcp_fields *packets, size_t count)
{
	if (count == 0 || count > RTCP_PACKETS_MAX || !packets) {
		p->overflow = true;
		return DL_EINVAL;
	}
	struct rtcp_writer w = {.m = calloc(1, RTCP_BUILD_MAX)};
	if (!w.m) {
		p->overflow = true;
		return DL_ENOMEM;
	}
	bool ok = true;
	for (size_t i = 0; i < count && ok; i++)
		ok = write_packet(&w, &packets[i]) &&
		     (packets[i].version == 0 || packets[i].version == RTCP_VERSION);
	int rc = DL_EINVAL;
	if (ok) {
		struct cursor c;
		cursor_init(&c, w.m, w.n);
		rc = rtcp_declare(p, &c);
		if (rc == DL_EPROTO)
			rc = DL_EINVAL;
	}
	free(w.m);
	if (rc < 0 || p->overflow) {
		p->overflow = true;
		return rc < 0 ? rc : DL_ENOMEM;
	}
	return 0;
}

/* The whole payload is one compound (RFC 3550 6.1). */
static int rtcp_parse(struct packet *p, struct cursor *c, struct layer_parse_result *next)
{
	next->next = LAYER_NEXT_NONE;
	next->value = 0;
	return rtcp_declare(p, c);
}

const struct proto_layer rtcp_layer = {
	.name = "rtcp",
	.title = "RTCP compound packets (RFC 3550): SR, RR, SDES, BYE and APP",
	.parse = rtcp_parse,
};
