/* ssdp: unicast M-SEARCH building and search-response parsing (UPnP Device Architecture 2.0, 1.3)
 */
#include "core/compat.h"

#include "core/error.h"
#include "core/text.h"
#include "proto/cursor.h"
#include "proto/ssdp.h"

int ssdp_build_msearch(uint8_t *buf, size_t cap, size_t *len, const char *target_address,
		       const char *st, unsigned mx, struct dl_error *err)
{
	if (mx < 1 || mx > 5)
		return dl_error_set(err, DL_EINVAL, "ssdp: MX %u is outside 1-5 (UDA 2.0 1.3.2)",
				    mx);
	if (strpbrk(target_address, "\r\n") || strpbrk(st, "\r\n"))
		return dl_error_set(err, DL_EINVAL, "ssdp: address or ST contains a line break");
	bool v6 = strchr(target_address, ':') != NULL;
	int n = snprintf((char *)buf, cap,
			 "M-SEARCH * HTTP/1.1\r\n"
			 "HOST: %s%s%s:%d\r\n"
			 "MAN: \"ssdp:discover\"\r\n"
			 "MX: %u\r\n"
			 "ST: %s\r\n"
			 "USER-AGENT: Linux/6 UPnP/2.0 dutlab/0.1\r\n"
			 "\r\n",
			 v6 ? "[" : "", target_address, v6 ? "]" : "", SSDP_PORT, mx, st);
	if (n < 0 || (size_t)n >= cap)
		return dl_error_set(err, DL_ENOMEM, "ssdp: M-SEARCH does not fit in %zu bytes",
				    cap);
	*len = (size_t)n;
	return 0;
}

static int ssdp_status_line(struct cursor *c, struct ssdp_response *out)
{
	const uint8_t *line;
	size_t n;
	size_t at = cursor_position(c);
	if (cursor_line(c, SSDP_LINE_MAX, &line, &n) < 0)
		return DL_EPROTO;
	/* "HTTP/1.1 200 OK" (RFC 9112 4) */
	if (n < 12 || memcmp(line, "HTTP/1.", 7) != 0 || line[8] != ' ')
		return cursor_fail_at(c, at, "status line does not start with HTTP/1.x", n, true);
	if (cursor_status_code(c, line, n, at, &out->status, out->reason, sizeof(out->reason)) < 0)
		return DL_EPROTO;
	return 0;
}

int ssdp_parse_response(const uint8_t *msg, size_t len, struct ssdp_response *out,
			struct dl_error *err)
{
	memset(out, 0, sizeof(*out));
	if (len > SSDP_MESSAGE_MAX)
		return dl_error_set(err, DL_EPROTO,
				    "ssdp response: %zu bytes exceeds the %d-byte limit", len,
				    SSDP_MESSAGE_MAX);
	struct cursor c;
	cursor_init(&c, msg, len);
	if (ssdp_status_line(&c, out) < 0)
		return cursor_error_report(&c, err, "ssdp response");
	for (;;) {
		const uint8_t *name, *value;
		size_t nl, vl;
		bool end;
		if (cursor_at_end(&c))
			break; /* some stacks omit the final empty line */
		if (cursor_header(&c, SSDP_LINE_MAX, &name, &nl, &value, &vl, &end) < 0)
			return cursor_error_report(&c, err, "ssdp response");
		if (end)
			break;
		if (++out->header_count > SSDP_HEADERS_MAX) {
			cursor_fail_value(&c, "more headers than the limit", SSDP_HEADERS_MAX);
			return cursor_error_report(&c, err, "ssdp response");
		}
		char *dst = NULL;
		size_t cap = 0;
		if (cursor_span_equals(name, nl, "LOCATION"))
			dst = out->location, cap = sizeof(out->location);
		else if (cursor_span_equals(name, nl, "SERVER"))
			dst = out->server, cap = sizeof(out->server);
		else if (cursor_span_equals(name, nl, "ST"))
			dst = out->st, cap = sizeof(out->st);
		else if (cursor_span_equals(name, nl, "USN"))
			dst = out->usn, cap = sizeof(out->usn);
		else if (cursor_span_equals(name, nl, "CACHE-CONTROL"))
			dst = out->cache_control, cap = sizeof(out->cache_control);
		if (dst)
			cursor_text_printable(dst, cap, value, vl);
	}
	return 0;
}
