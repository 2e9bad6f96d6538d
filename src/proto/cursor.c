/* cursor: bounds-checked reading of untrusted bytes */
#include "core/compat.h"

#include "core/error.h"
#include "proto/cursor.h"

void cursor_init(struct cursor *c, const uint8_t *p, size_t len)
{
	memset(c, 0, sizeof(*c));
	c->p = p;
	c->len = p ? len : 0;
	c->root = c->p;
	c->root_len = c->len;
	c->error = &c->own_error;
}

size_t cursor_remaining(const struct cursor *c)
{
	return c->len - c->offset;
}

bool cursor_at_end(const struct cursor *c)
{
	return c->offset >= c->len;
}

size_t cursor_position(const struct cursor *c)
{
	return c->base + c->offset;
}

int cursor_fail_at(struct cursor *c, size_t absolute_offset, const char *reason, uint64_t value,
		   bool has_value)
{
	if (!c->error->failed) {
		c->error->failed = true;
		c->error->reason = reason;
		c->error->value = value;
		c->error->has_value = has_value;
		c->error->offset = absolute_offset;
	}
	return DL_EPROTO;
}

int cursor_fail(struct cursor *c, const char *reason)
{
	return cursor_fail_at(c, cursor_position(c), reason, 0, false);
}

int cursor_fail_value(struct cursor *c, const char *reason, uint64_t value)
{
	return cursor_fail_at(c, cursor_position(c), reason, value, true);
}

bool cursor_failed(const struct cursor *c)
{
	return c->error->failed;
}

static int cursor_need(struct cursor *c, size_t n)
{
	if (n > cursor_remaining(c))
		return cursor_fail_value(c, "truncated: needs more bytes than remain", n);
	return 0;
}

int cursor_u8(struct cursor *c, uint8_t *out)
{
	if (cursor_need(c, 1) < 0)
		return DL_EPROTO;
	*out = c->p[c->offset++];
	return 0;
}

int cursor_peek_u8(struct cursor *c, uint8_t *out)
{
	if (cursor_need(c, 1) < 0)
		return DL_EPROTO;
	*out = c->p[c->offset];
	return 0;
}

int cursor_u16be(struct cursor *c, uint16_t *out)
{
	if (cursor_need(c, 2) < 0)
		return DL_EPROTO;
	const uint8_t *b = c->p + c->offset;
	*out = (uint16_t)((b[0] << 8) | b[1]);
	c->offset += 2;
	return 0;
}

int cursor_u32be(struct cursor *c, uint32_t *out)
{
	if (cursor_need(c, 4) < 0)
		return DL_EPROTO;
	const uint8_t *b = c->p + c->offset;
	*out = ((uint32_t)b[0] << 24) | ((uint32_t)b[1] << 16) | ((uint32_t)b[2] << 8) | b[3];
	c->offset += 4;
	return 0;
}

int cursor_bytes(struct cursor *c, size_t n, const uint8_t **out)
{
	if (cursor_need(c, n) < 0)
		return DL_EPROTO;
	*out = c->p + c->offset;
	c->offset += n;
	return 0;
}

int cursor_copy(struct cursor *c, void *dst, size_t n)
{
	const uint8_t *src;
	if (cursor_bytes(c, n, &src) < 0)
		return DL_EPROTO;
	if (n)
		memcpy(dst, src, n);
	return 0;
}

int cursor_skip(struct cursor *c, size_t n)
{
	if (cursor_need(c, n) < 0)
		return DL_EPROTO;
	c->offset += n;
	return 0;
}

int cursor_sub(struct cursor *c, size_t n, struct cursor *child)
{
	if (cursor_need(c, n) < 0)
		return DL_EPROTO;
	memset(child, 0, sizeof(*child));
	child->p = c->p + c->offset;
	child->len = n;
	child->base = c->base + c->offset;
	child->root = c->root;
	child->root_len = c->root_len;
	child->error = c->error;
	c->offset += n;
	return 0;
}

int cursor_root_at(const struct cursor *c, size_t at, struct cursor *out)
{
	/* c and out may be the same cursor (following pointer after pointer) */
	const uint8_t *root = c->root;
	size_t root_len = c->root_len;
	size_t from = cursor_position(c);
	struct cursor_error *error = c->error;
	memset(out, 0, sizeof(*out));
	out->root = root;
	out->root_len = root_len;
	out->error = error;
	out->p = root;
	out->len = root_len;
	if (at > root_len) {
		out->offset = out->len;
		return cursor_fail_at(out, from, "offset points past the end", at, true);
	}
	out->offset = at;
	return 0;
}

int cursor_line(struct cursor *c, size_t max, const uint8_t **line, size_t *line_len)
{
	size_t start = c->offset;
	size_t limit = cursor_remaining(c);
	if (limit == 0)
		return cursor_fail(c, "truncated: expected a line");
	for (size_t i = 0; i < limit; i++) {
		uint8_t b = c->p[start + i];
		if (b == '\n') {
			size_t n = i;
			if (n > 0 && c->p[start + n - 1] == '\r')
				n--;
			if (n > max)
				return cursor_fail_value(c, "line too long", n);
			*line = c->p + start;
			*line_len = n;
			c->offset = start + i + 1;
			return 0;
		}
		if (b == '\0')
			return cursor_fail_at(c, c->base + start + i, "NUL byte in a text line", 0,
					      false);
		if (i > max + 1)
			return cursor_fail_value(c, "line too long", i);
	}
	return cursor_fail(c, "truncated: line has no end");
}

int cursor_header(struct cursor *c, size_t max, const uint8_t **name, size_t *name_len,
		  const uint8_t **value, size_t *value_len, bool *end)
{
	const uint8_t *line;
	size_t n;
	size_t at = cursor_position(c);
	if (cursor_line(c, max, &line, &n) < 0)
		return DL_EPROTO;
	*end = n == 0;
	if (n == 0)
		return 0;
	const uint8_t *colon = memchr(line, ':', n);
	if (!colon || colon == line)
		return cursor_fail_at(c, at, "header line without a name and a colon", n, true);
	size_t nl = (size_t)(colon - line);
	for (size_t i = 0; i < nl; i++)
		if (line[i] <= 0x20 || line[i] >= 0x7f)
			return cursor_fail_at(c, at + i, "header name has a space or control byte",
					      line[i], true);
	const uint8_t *v = colon + 1;
	size_t vl = n - nl - 1;
	while (vl && (*v == ' ' || *v == '\t')) {
		v++;
		vl--;
	}
	while (vl && (v[vl - 1] == ' ' || v[vl - 1] == '\t'))
		vl--;
	*name = line;
	*name_len = nl;
	*value = v;
	*value_len = vl;
	return 0;
}

bool cursor_span_equals(const uint8_t *span, size_t len, const char *word)
{
	size_t wl = strlen(word);
	return wl == len && strncasecmp((const char *)span, word, len) == 0;
}

int cursor_error_report(const struct cursor *c, struct dl_error *err, const char *what)
{
	const struct cursor_error *e = c->error;
	if (!e->failed)
		return dl_error_set(err, DL_EPROTO, "%s: malformed", what);
	if (e->has_value)
		return dl_error_set(err, DL_EPROTO, "%s: offset %zu: %s (value %" PRIu64 ")", what,
				    e->offset, e->reason, e->value);
	return dl_error_set(err, DL_EPROTO, "%s: offset %zu: %s", what, e->offset, e->reason);
}

bool cursor_text_printable(char *dst, size_t cap, const uint8_t *src, size_t n)
{
	if (cap == 0)
		return false;
	size_t out = 0;
	bool fit = true;
	for (size_t i = 0; i < n; i++) {
		if (out + 1 >= cap) {
			fit = false;
			break;
		}
		uint8_t b = src[i];
		dst[out++] = (b >= 0x20 && b < 0x7f) ? (char)b : '.';
	}
	dst[out] = '\0';
	return fit;
}

int cursor_status_code(struct cursor *c, const uint8_t *line, size_t n, size_t at, int *status,
		       char *reason, size_t reason_size)
{
	int code = 0;
	for (size_t i = 9; i < 12; i++) {
		if (line[i] < '0' || line[i] > '9')
			return cursor_fail_at(c, at + i, "status code is not three digits", line[i],
					      true);
		code = code * 10 + (line[i] - '0');
	}
	if (n > 12 && line[12] != ' ')
		return cursor_fail_at(c, at + 12, "no space after the status code", line[12], true);
	*status = code;
	if (n > 13)
		cursor_text_printable(reason, reason_size, line + 13, n - 13);
	return 0;
}
