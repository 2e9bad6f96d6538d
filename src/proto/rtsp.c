/* rtsp: RTSP/1.0 OPTIONS and DESCRIBE building and response-header parsing (RFC 2326) */
#include "core/compat.h"

#include "core/error.h"
#include "core/text.h"
#include "proto/cursor.h"
#include "proto/rtsp.h"

static int rtsp_build(uint8_t *buf, size_t cap, size_t *len, const char *method, const char *url,
		      uint32_t cseq, const char *extra, struct dl_error *err)
{
	if (strpbrk(url, "\r\n \t"))
		return dl_error_set(err, DL_EINVAL, "rtsp: url '%s' contains a space or line break",
				    url);
	/* RFC 2326 6.1: Request-Line = Method SP Request-URI SP RTSP-Version CRLF */
	int n = snprintf((char *)buf, cap,
			 "%s %s RTSP/1.0\r\n"
			 "CSeq: %" PRIu32 "\r\n"
			 "%s"
			 "User-Agent: dutlab/0.1\r\n"
			 "\r\n",
			 method, url, cseq, extra);
	if (n < 0 || (size_t)n >= cap)
		return dl_error_set(err, DL_ENOMEM, "rtsp: %s request does not fit in %zu bytes",
				    method, cap);
	*len = (size_t)n;
	return 0;
}

int rtsp_build_options(uint8_t *buf, size_t cap, size_t *len, const char *url, uint32_t cseq,
		       struct dl_error *err)
{
	return rtsp_build(buf, cap, len, "OPTIONS", url, cseq, "", err);
}

int rtsp_build_describe(uint8_t *buf, size_t cap, size_t *len, const char *url, uint32_t cseq,
			struct dl_error *err)
{
	return rtsp_build(buf, cap, len, "DESCRIBE", url, cseq, "Accept: application/sdp\r\n", err);
}

static int rtsp_decimal(struct cursor *c, size_t at, const uint8_t *v, size_t n, uint64_t max,
			uint64_t *out)
{
	if (n == 0 || n > 20)
		return cursor_fail_at(c, at, "number is empty or too long", n, true);
	uint64_t value = 0;
	for (size_t i = 0; i < n; i++) {
		if (v[i] < '0' || v[i] > '9')
			return cursor_fail_at(c, at, "number has a non-digit", v[i], true);
		uint64_t digit = (uint64_t)(v[i] - '0');
		if (value > (max - digit) / 10)
			return cursor_fail_at(c, at, "number too large", max, true);
		value = value * 10 + digit;
	}
	*out = value;
	return 0;
}

static int rtsp_parse_cursor(struct cursor *c, struct rtsp_response *out)
{
	const uint8_t *line;
	size_t n;
	size_t at = cursor_position(c);
	if (cursor_line(c, RTSP_LINE_MAX, &line, &n) < 0)
		return DL_EPROTO;
	/* RFC 2326 7.1: Status-Line = RTSP-Version SP Status-Code SP Reason-Phrase CRLF */
	if (n < 12 || memcmp(line, "RTSP/1.0 ", 9) != 0)
		return cursor_fail_at(c, at, "status line does not start with 'RTSP/1.0 '", n,
				      true);
	if (cursor_status_code(c, line, n, at, &out->status, out->reason, sizeof(out->reason)) < 0)
		return DL_EPROTO;
	for (;;) {
		const uint8_t *name, *value;
		size_t nl, vl;
		bool end;
		at = cursor_position(c);
		if (cursor_header(c, RTSP_LINE_MAX, &name, &nl, &value, &vl, &end) < 0)
			return DL_EPROTO;
		if (end)
			break;
		if (++out->header_count > RTSP_HEADERS_MAX)
			return cursor_fail_value(c, "more headers than the limit",
						 RTSP_HEADERS_MAX);
		if (cursor_position(c) > RTSP_HEADER_MAX)
			return cursor_fail_value(c, "header block exceeds the limit",
						 RTSP_HEADER_MAX);
		uint64_t number;
		if (cursor_span_equals(name, nl, "Server")) {
			cursor_text_printable(out->server, sizeof(out->server), value, vl);
		} else if (cursor_span_equals(name, nl, "Public")) {
			cursor_text_printable(out->public_methods, sizeof(out->public_methods),
					      value, vl);
		} else if (cursor_span_equals(name, nl, "WWW-Authenticate")) {
			/* keep the first challenge; servers send one per scheme */
			if (!out->www_authenticate[0])
				cursor_text_printable(out->www_authenticate,
						      sizeof(out->www_authenticate), value, vl);
		} else if (cursor_span_equals(name, nl, "Content-Length")) {
			if (rtsp_decimal(c, at, value, vl, UINT32_MAX, &number) < 0)
				return DL_EPROTO;
			out->content_length = number;
			out->has_content_length = true;
		} else if (cursor_span_equals(name, nl, "CSeq")) {
			if (rtsp_decimal(c, at, value, vl, UINT32_MAX, &number) < 0)
				return DL_EPROTO;
			out->cseq = (uint32_t)number;
			out->has_cseq = true;
		}
	}
	out->header_length = cursor_position(c);
	out->body_available = cursor_remaining(c);
	return 0;
}

int rtsp_parse_response(const uint8_t *msg, size_t len, struct rtsp_response *out,
			struct dl_error *err)
{
	memset(out, 0, sizeof(*out));
	struct cursor c;
	/* only the header block is read; anything past the ceiling is not looked at */
	cursor_init(&c, msg, len);
	if (rtsp_parse_cursor(&c, out) < 0)
		return cursor_error_report(&c, err, "rtsp response");
	return 0;
}
