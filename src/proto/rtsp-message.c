/* rtsp-message: RTSP/1.0 request build, request and response parse, and the text field schema */
#include "core/compat.h"

#include "core/error.h"
#include "proto/cursor.h"
#include "proto/layer.h"
#include "proto/packet.h"
#include "proto/rtsp-message.h"

/* ---- building ---- */

/* Append n bytes of text; *at (may be NULL) where they went. DL_ENOMEM on overflow. */
static int rtsp_put(struct packet *p, const void *text, size_t n, uint32_t *at)
{
	uint32_t o = packet_append(p, n);
	if (p->overflow)
		return DL_ENOMEM;
	if (n)
		memcpy(p->bytes + o, text, n);
	if (at)
		*at = o;
	return 0;
}

static int rtsp_put_text(struct packet *p, const char *text)
{
	return rtsp_put(p, text, strlen(text), NULL);
}

/* Append text as a BYTES field of that name. */
static int rtsp_text_field(struct packet *p, const char *name, const char *text, uint8_t flags)
{
	uint32_t o;
	size_t n = strlen(text);
	int rc = rtsp_put(p, text, n, &o);
	if (rc < 0)
		return rc;
	if (packet_field_bytes(p, name, FIELD_BYTES, o, p->bytes + o, (uint32_t)n, flags) ==
	    PACKET_NONE)
		return DL_ENOMEM;
	return 0;
}

static int rtsp_decimal_field(struct packet *p, const char *name, enum field_kind kind,
			      uint64_t value, unsigned digits, uint8_t flags, int *index)
{
	int i = packet_decimal(p, name, kind, value, digits, flags);
	if (i == PACKET_NONE)
		return DL_ENOMEM;
	if (index)
		*index = i;
	return 0;
}

/* Open one header element and write "name: "; rtsp_header_end() writes CRLF and closes it. */
static int rtsp_header_begin(struct packet *p, const char *name, int *element)
{
	*element = packet_element_begin(p, "rtsp.header", FIELD_ELEMENT, FIELD_REPEATABLE);
	if (*element == PACKET_NONE)
		return DL_ENOMEM;
	int rc = rtsp_text_field(p, "rtsp.header.name", name, 0);
	return rc < 0 ? rc : rtsp_put_text(p, ": ");
}

static int rtsp_header_end(struct packet *p, int element)
{
	int rc = rtsp_put_text(p, "\r\n");
	packet_element_end(p, element);
	return rc;
}

/* A header whose value is one BYTES field. */
static int rtsp_header_text(struct packet *p, const char *name, const char *field,
			    const char *value, uint8_t flags)
{
	int element, rc = rtsp_header_begin(p, name, &element);
	if (rc == 0)
		rc = rtsp_text_field(p, field, value, flags);
	return rc < 0 ? rc : rtsp_header_end(p, element);
}

static int rtsp_header_transport(struct packet *p, const struct rtsp_transport *t)
{
	int element, rc = rtsp_header_begin(p, "Transport", &element);
	if (rc == 0)
		rc = rtsp_text_field(p, "rtsp.transport.protocol", t->protocol, FIELD_KEY);
	if (rc == 0 && t->cast) {
		rc = rtsp_put_text(p, ";");
		if (rc == 0)
			rc = rtsp_put_text(p, t->cast);
	}
	if (rc == 0 && t->interleaved) {
		rc = rtsp_put_text(p, ";interleaved=");
		if (rc == 0)
			rc = rtsp_decimal_field(p, "rtsp.transport.interleaved_rtp", FIELD_UINT,
						t->rtp_channel, RTSP_MESSAGE_CHANNEL_DIGITS,
						FIELD_KEY, NULL);
		if (rc == 0 && !t->single_channel) {
			rc = rtsp_put_text(p, "-");
			if (rc == 0)
				rc = rtsp_decimal_field(p, "rtsp.transport.interleaved_rtcp",
							FIELD_UINT, t->rtcp_channel,
							RTSP_MESSAGE_CHANNEL_DIGITS, FIELD_KEY,
							NULL);
		}
	}
	if (rc == 0 && t->mode) {
		rc = rtsp_put_text(p, ";mode=");
		if (rc == 0)
			rc = rtsp_put_text(p, t->mode);
	}
	return rc < 0 ? rc : rtsp_header_end(p, element);
}

/* Text that may go on one line: no CR, no LF (NULL is fine: absent). */
static bool rtsp_one_line(const char *text)
{
	return !text || !strpbrk(text, "\r\n");
}

static int rtsp_check_fields(const struct rtsp_message_fields *f, struct dl_error *err)
{
	if (!f->method || !*f->method || !f->uri || !*f->uri)
		return dl_error_set(err, DL_EINVAL, "rtsp: a request needs a method and a URI");
	bool clean = rtsp_one_line(f->method) && rtsp_one_line(f->uri) &&
		     rtsp_one_line(f->version) && rtsp_one_line(f->session) &&
		     rtsp_one_line(f->authorization) && rtsp_one_line(f->content_type);
	if (f->transport)
		clean = clean && f->transport->protocol && rtsp_one_line(f->transport->protocol) &&
			rtsp_one_line(f->transport->cast) && rtsp_one_line(f->transport->mode);
	if (f->header_count && !f->headers)
		return dl_error_set(err, DL_EINVAL, "rtsp: %zu headers and no table",
				    f->header_count);
	for (size_t i = 0; i < f->header_count; i++)
		clean = clean && f->headers[i].name && f->headers[i].value && *f->headers[i].name &&
			rtsp_one_line(f->headers[i].name) && rtsp_one_line(f->headers[i].value) &&
			!strchr(f->headers[i].name, ':');
	if (!clean)
		return dl_error_set(err, DL_EINVAL,
				    "rtsp: a method, URI, header name or value holds a CR or LF "
				    "(or a name a colon, or a Transport no protocol); a header "
				    "line is one line");
	if (f->body && f->body_length > RTSP_MESSAGE_BODY_MAX)
		return dl_error_set(err, DL_EINVAL,
				    "rtsp: a body of %zu bytes, past the %d the "
				    "model builds",
				    f->body_length, RTSP_MESSAGE_BODY_MAX);
	return 0;
}

int rtsp_message_build(struct packet *p, const struct rtsp_message_fields *f, struct dl_error *err)
{
	int rc = rtsp_check_fields(f, err);
	if (rc < 0)
		return rc;
	if (packet_layer_begin(p, &rtsp_message_layer, "rtsp") == PACKET_NONE)
		goto full;
	int line = packet_element_begin(p, "rtsp.request_line", FIELD_ELEMENT, 0);
	if (line == PACKET_NONE || rtsp_text_field(p, "rtsp.method", f->method, FIELD_KEY) < 0 ||
	    rtsp_put_text(p, " ") < 0 || rtsp_text_field(p, "rtsp.uri", f->uri, FIELD_KEY) < 0 ||
	    rtsp_put_text(p, " ") < 0 ||
	    rtsp_text_field(p, "rtsp.version", f->version ? f->version : RTSP_MESSAGE_VERSION, 0) <
		    0 ||
	    rtsp_put_text(p, "\r\n") < 0)
		goto full;
	packet_element_end(p, line);
	int list = packet_element_begin(p, "rtsp.headers", FIELD_LIST, 0);
	if (list == PACKET_NONE)
		goto full;
	int element;
	if (rtsp_header_begin(p, "CSeq", &element) < 0 ||
	    rtsp_decimal_field(p, "rtsp.cseq", FIELD_IDENTIFIER, f->cseq, RTSP_MESSAGE_CSEQ_DIGITS,
			       FIELD_KEY, NULL) < 0 ||
	    rtsp_header_end(p, element) < 0)
		goto full;
	if (f->session && rtsp_header_text(p, "Session", "rtsp.session", f->session, FIELD_KEY) < 0)
		goto full;
	if (f->authorization &&
	    rtsp_header_text(p, "Authorization", "rtsp.header.value", f->authorization, 0) < 0)
		goto full;
	if (f->transport && rtsp_header_transport(p, f->transport) < 0)
		goto full;
	for (size_t i = 0; i < f->header_count; i++)
		if (rtsp_header_text(p, f->headers[i].name, "rtsp.header.value",
				     f->headers[i].value, 0) < 0)
			goto full;
	if (f->body && f->content_type &&
	    rtsp_header_text(p, "Content-Type", "rtsp.header.value", f->content_type, 0) < 0)
		goto full;
	int length = PACKET_NONE;
	if (f->body && (rtsp_header_begin(p, "Content-Length", &element) < 0 ||
			rtsp_decimal_field(p, "rtsp.content_length", FIELD_LENGTH, f->body_length,
					   RTSP_MESSAGE_LENGTH_DIGITS, FIELD_KEY, &length) < 0 ||
			rtsp_header_end(p, element) < 0))
		goto full;
	packet_element_end(p, list);
	if (rtsp_put_text(p, "\r\n") < 0)
		goto full;
	if (f->body) {
		uint32_t o;
		if (rtsp_put(p, f->body, f->body_length, &o) < 0)
			goto full;
		int body = packet_field_bytes(p, "rtsp.body", FIELD_BYTES, o, p->bytes + o,
					      (uint32_t)f->body_length, 0);
		if (body == PACKET_NONE)
			goto full;
		packet_relate(p, length, body, 1, 0);
	}
	return 0;
full:
	p->overflow = true;
	return dl_error_set(err, DL_ENOMEM,
			    "rtsp: the %s request does not fit in a packet (%d bytes, %d fields)",
			    f->method, PACKET_BYTES_MAX, PACKET_FIELDS_MAX);
}

/* ---- parsing ---- */

static bool rtsp_is_digit(uint8_t b)
{
	return b >= '0' && b <= '9';
}

static bool rtsp_digits(const uint8_t *b, size_t n)
{
	if (n == 0 || n > PACKET_DECIMAL_DIGITS_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!rtsp_is_digit(b[i]))
			return false;
	return true;
}

/* A decimal field over digits already in the frame; bytes when they are not 1..20 digits.
 * Its digits: the model's, or as many as it has (a parsed value is never over its max). */
static int rtsp_parsed_number(struct packet *p, const char *name, enum field_kind kind, uint32_t at,
			      uint32_t n, unsigned digits, uint8_t flags)
{
	if (!rtsp_digits(p->bytes + at, n))
		return packet_field_bytes(p, "rtsp.header.value", FIELD_BYTES, at, p->bytes + at, n,
					  0);
	return packet_decimal_present(p, name, kind, at, n,
				      n > digits ? PACKET_DECIMAL_DIGITS_MAX : digits, flags);
}

/* Offset of the first b in [from, to) of the frame, or to. */
static uint32_t rtsp_find(const struct packet *p, uint32_t from, uint32_t to, uint8_t b)
{
	for (uint32_t i = from; i < to; i++)
		if (p->bytes[i] == b)
			return i;
	return to;
}

/* Transport's fields over its value [v, end): the protocol up to ';' or ',', then the
 * first transport's interleaved=N[-M] when its channels are digits. */
static void rtsp_parsed_transport(struct packet *p, uint32_t v, uint32_t end)
{
	uint32_t spec_end = rtsp_find(p, v, end, ',');
	uint32_t semi = rtsp_find(p, v, spec_end, ';');
	packet_field_bytes(p, "rtsp.transport.protocol", FIELD_BYTES, v, p->bytes + v, semi - v,
			   FIELD_KEY);
	static const char key[] = "interleaved=";
	const uint32_t k = (uint32_t)(sizeof(key) - 1);
	for (uint32_t i = semi; i + k <= spec_end; i++) {
		if (p->bytes[i] != ';' || i + 1 + k > spec_end ||
		    !cursor_span_equals(p->bytes + i + 1, k, key))
			continue;
		uint32_t a = i + 1 + k, param_end = rtsp_find(p, a, spec_end, ';');
		uint32_t dash = rtsp_find(p, a, param_end, '-');
		rtsp_parsed_number(p, "rtsp.transport.interleaved_rtp", FIELD_UINT, a, dash - a,
				   RTSP_MESSAGE_CHANNEL_DIGITS, FIELD_KEY);
		if (dash < param_end)
			rtsp_parsed_number(p, "rtsp.transport.interleaved_rtcp", FIELD_UINT,
					   dash + 1, param_end - dash - 1,
					   RTSP_MESSAGE_CHANNEL_DIGITS, FIELD_KEY);
		return;
	}
}

/* The start line [o, o + n) (CRLF excluded): a request's three parts or a response's. */
static int rtsp_parsed_start(struct packet *p, struct cursor *c, uint32_t o, uint32_t n)
{
	const uint8_t *b = p->bytes + o;
	uint32_t sp1 = rtsp_find(p, o, o + n, ' ') - o;
	if (sp1 == 0 || sp1 >= n)
		return cursor_fail(c, "RTSP start line without a space");
	if (n >= 5 && memcmp(b, "RTSP/", 5) == 0) {
		/* RTSP/1.0 200 OK: the status is three digits (RFC 2326 7.1.1) */
		if (n < sp1 + 4 || !rtsp_digits(b + sp1 + 1, 3) ||
		    (n > sp1 + 4 && b[sp1 + 4] != ' '))
			return cursor_fail(c, "RTSP status line without a 3-digit status");
		packet_field_bytes(p, "rtsp.version", FIELD_BYTES, o, b, sp1, 0);
		packet_decimal_present(p, "rtsp.status", FIELD_UINT, o + sp1 + 1, 3, 3, FIELD_KEY);
		uint32_t r = n > sp1 + 4 ? sp1 + 5 : n;
		packet_field_bytes(p, "rtsp.reason", FIELD_BYTES, o + r, b + r, n - r, 0);
		return 0;
	}
	/* METHOD SP URI SP VERSION: the URI is what lies between the first and the last space */
	uint32_t last = n - 1;
	while (last > sp1 && b[last] != ' ')
		last--;
	if (last <= sp1 + 1 || last + 1 >= n)
		return cursor_fail(c, "RTSP request line is not METHOD URI VERSION");
	packet_field_bytes(p, "rtsp.method", FIELD_BYTES, o, b, sp1, FIELD_KEY);
	packet_field_bytes(p, "rtsp.uri", FIELD_BYTES, o + sp1 + 1, b + sp1 + 1, last - sp1 - 1,
			   FIELD_KEY);
	packet_field_bytes(p, "rtsp.version", FIELD_BYTES, o + last + 1, b + last + 1, n - last - 1,
			   0);
	return 0;
}

/* The end of the line starting at i of view (the CR of its CRLF), or len. */
static size_t rtsp_line_end(const uint8_t *v, size_t i, size_t len)
{
	for (; i + 1 < len; i++)
		if (v[i] == '\r' && v[i + 1] == '\n')
			return i;
	return len;
}

static int rtsp_parse_message(struct packet *p, struct cursor *c)
{
	const uint8_t *v = c->p + c->offset;
	size_t avail = cursor_remaining(c);
	size_t scan = avail < RTSP_MESSAGE_HEAD_MAX ? avail : RTSP_MESSAGE_HEAD_MAX;
	/* the header block's end first: nothing is declared from a block that never ends */
	size_t head = 0;
	bool ended = false;
	for (size_t i = 0; i + 3 < scan; i++) {
		if (v[i] == '\r' && v[i + 1] == '\n' && v[i + 2] == '\r' && v[i + 3] == '\n') {
			head = i + 2; /* the start line and headers, each with its CRLF */
			ended = true;
			break;
		}
	}
	if (!ended)
		return cursor_fail_value(c, "RTSP message without CRLF CRLF in its first bytes",
					 scan);
	if (packet_layer_begin(p, &rtsp_message_layer, "rtsp") == PACKET_NONE)
		return DL_ENOMEM;
	size_t eol = rtsp_line_end(v, 0, head);
	bool response = eol >= 5 && memcmp(v, "RTSP/", 5) == 0;
	int line = packet_element_begin(p, response ? "rtsp.status_line" : "rtsp.request_line",
					FIELD_ELEMENT, 0);
	uint32_t o;
	int rc = proto_take(p, c, eol + 2, &o);
	if (rc < 0)
		return rc;
	rc = rtsp_parsed_start(p, c, o, (uint32_t)eol);
	if (rc < 0)
		return rc;
	packet_element_end(p, line);
	int list = packet_element_begin(p, "rtsp.headers", FIELD_LIST, 0);
	int length = PACKET_NONE;
	uint64_t body_length = 0;
	size_t at = eol + 2, count = 0;
	while (at < head) {
		size_t end = rtsp_line_end(v, at, head);
		if (++count > RTSP_MESSAGE_HEADERS_MAX)
			return cursor_fail_value(c,
						 "RTSP message with more headers than the model "
						 "declares",
						 RTSP_MESSAGE_HEADERS_MAX);
		size_t colon = at;
		while (colon < end && v[colon] != ':')
			colon++;
		if (colon == end || colon == at)
			return cursor_fail(c, "RTSP header line without a name and a colon");
		int element =
			packet_element_begin(p, "rtsp.header", FIELD_ELEMENT, FIELD_REPEATABLE);
		rc = proto_take(p, c, end + 2 - at, &o);
		if (rc < 0)
			return rc;
		uint32_t name_length = (uint32_t)(colon - at);
		packet_field_bytes(p, "rtsp.header.name", FIELD_BYTES, o, p->bytes + o, name_length,
				   0);
		uint32_t value = o + name_length + 1, value_end = o + (uint32_t)(end - at);
		while (value < value_end && (p->bytes[value] == ' ' || p->bytes[value] == '\t'))
			value++;
		const uint8_t *name = p->bytes + o;
		uint32_t n = value_end - value;
		if (cursor_span_equals(name, name_length, "CSeq")) {
			rtsp_parsed_number(p, "rtsp.cseq", FIELD_IDENTIFIER, value, n,
					   RTSP_MESSAGE_CSEQ_DIGITS, FIELD_KEY);
		} else if (cursor_span_equals(name, name_length, "Content-Length") &&
			   rtsp_digits(p->bytes + value, n)) {
			length = rtsp_parsed_number(p, "rtsp.content_length", FIELD_LENGTH, value,
						    n, RTSP_MESSAGE_LENGTH_DIGITS, FIELD_KEY);
			body_length = packet_get(p, length);
		} else if (cursor_span_equals(name, name_length, "Session")) {
			packet_field_bytes(p, "rtsp.session", FIELD_BYTES, value, p->bytes + value,
					   n, FIELD_KEY);
		} else if (cursor_span_equals(name, name_length, "Transport")) {
			rtsp_parsed_transport(p, value, value_end);
		} else {
			packet_field_bytes(p, "rtsp.header.value", FIELD_BYTES, value,
					   p->bytes + value, n, 0);
		}
		packet_element_end(p, element);
		at = end + 2;
	}
	packet_element_end(p, list);
	rc = proto_take(p, c, 2, &o); /* the empty line */
	if (rc < 0)
		return rc;
	if (length != PACKET_NONE) {
		if (body_length > cursor_remaining(c))
			return cursor_fail_value(c, "RTSP Content-Length passes the segment",
						 body_length);
		rc = proto_take(p, c, (size_t)body_length, &o);
		if (rc < 0)
			return rc;
		int body = packet_field_bytes(p, "rtsp.body", FIELD_BYTES, o, p->bytes + o,
					      (uint32_t)body_length, 0);
		packet_relate(p, length, body, 1, 0);
	}
	return p->overflow ? DL_ENOMEM : 0;
}

static int rtsp_parse(struct packet *p, struct cursor *c, struct layer_parse_result *next)
{
	next->next = LAYER_NEXT_NONE;
	next->value = 0;
	uint8_t first;
	if (cursor_peek_u8(c, &first) < 0)
		return DL_EPROTO;
	int rc;
	if (first == '$') {
		/* an interleaved frame (RFC 2326 10.12): the media model's, if built in */
		const struct proto_layer *frame = proto_layer_find("rtsp-interleaved");
		if (!frame || frame == &rtsp_message_layer)
			return 0; /* the rest stays payload bytes */
		rc = frame->parse(p, c, next);
	} else {
		rc = rtsp_parse_message(p, c);
	}
	if (rc < 0)
		return rc;
	if (!cursor_at_end(c)) {
		/* the next message of the segment */
		next->next = LAYER_NEXT_TCP_PORT;
		next->value = RTSP_MESSAGE_PORT;
	}
	return 0;
}

const struct proto_layer rtsp_message_layer = {
	.name = "rtsp",
	.title = "RTSP/1.0 (RFC 2326) requests and responses as text, decimal numbers mutable",
	.fixup = NULL,
	.parse = rtsp_parse,
};
