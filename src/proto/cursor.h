/* cursor: bounds-checked reading of untrusted bytes, failing with a reason, a value and an offset
 */
#ifndef DUTLAB_PROTO_CURSOR_H
#define DUTLAB_PROTO_CURSOR_H

/*
 * Every parser in src/proto and
 * src/checks/discovery reads wire bytes through this API (STYLE.md 7).
 *
 * A cursor never owns its bytes. Getters return 0, or DL_EPROTO after
 * recording the first failure (reason, value, absolute offset) in the
 * cursor_error the root cursor points at; later failures keep the first.
 * Sub-cursors share their root's error and report offsets relative to the
 * root buffer, so a message about a malformed reply points at the exact
 * byte. Do not copy a root cursor by value (its error pointer would point
 * into the original); pass cursors by pointer and use cursor_sub().
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct dl_error;

struct cursor_error {
	bool failed;
	const char *reason; /* static text: "length exceeds the datagram" */
	uint64_t value;     /* the offending value (a length, a tag, a count) */
	bool has_value;
	size_t offset; /* absolute offset in the root buffer */
};

struct cursor {
	const uint8_t *p; /* the bytes this cursor may read */
	size_t len;       /* how many */
	size_t offset;    /* next byte to read, relative to p */
	size_t base;      /* offset of p[0] in the root buffer */
	const uint8_t *root;
	size_t root_len;
	struct cursor_error *error; /* shared with every sub-cursor */
	struct cursor_error own_error;
};

void cursor_init(struct cursor *c, const uint8_t *p, size_t len);

size_t cursor_remaining(const struct cursor *c);
bool cursor_at_end(const struct cursor *c);
/* Absolute offset of the next byte in the root buffer. */
size_t cursor_position(const struct cursor *c);

int cursor_u8(struct cursor *c, uint8_t *out);
int cursor_u16be(struct cursor *c, uint16_t *out);
int cursor_u32be(struct cursor *c, uint32_t *out);
int cursor_peek_u8(struct cursor *c, uint8_t *out);
/* Point *out at the next n bytes (no copy) and step over them. */
int cursor_bytes(struct cursor *c, size_t n, const uint8_t **out);
/* Copy the next n bytes into dst. */
int cursor_copy(struct cursor *c, void *dst, size_t n);
int cursor_skip(struct cursor *c, size_t n);
/* Make child read exactly the next n bytes of c, and step c over them. */
int cursor_sub(struct cursor *c, size_t n, struct cursor *child);
/* A fresh cursor over the whole root buffer starting at absolute offset at
 * (for DNS compression pointers); it shares c's error. out may be c. */
int cursor_root_at(const struct cursor *c, size_t at, struct cursor *out);

/*
 * Read one text line ending in "\n" (a preceding "\r" is dropped). The line
 * must fit in max bytes; a line without an end, a NUL, or a longer line
 * fails. *line points into the buffer and is not terminated.
 */
int cursor_line(struct cursor *c, size_t max, const uint8_t **line, size_t *line_len);

/*
 * Read one "Name: value" header line (RFC 9110 5.1 field syntax, as SSDP
 * and RTSP use it) with cursor_line(max). An empty line sets *end and
 * returns 0. Name and value point into the buffer; the value is trimmed
 * of surrounding spaces and tabs. A line without a colon fails.
 */
int cursor_header(struct cursor *c, size_t max, const uint8_t **name, size_t *name_len,
		  const uint8_t **value, size_t *value_len, bool *end);

/* Case-insensitive comparison of wire bytes with a NUL-terminated word. */
bool cursor_span_equals(const uint8_t *span, size_t len, const char *word);

/* Record a failure at the current position; returns DL_EPROTO. */
int cursor_fail(struct cursor *c, const char *reason);
int cursor_fail_value(struct cursor *c, const char *reason, uint64_t value);
/* The same at an absolute offset already read. */
int cursor_fail_at(struct cursor *c, size_t absolute_offset, const char *reason, uint64_t value,
		   bool has_value);

bool cursor_failed(const struct cursor *c);

/*
 * Fill err with "WHAT: offset N: reason (value V)" from the recorded
 * failure and return DL_EPROTO (what names the message: "snmp reply").
 */
int cursor_error_report(const struct cursor *c, struct dl_error *err, const char *what);

/* Copy n bytes of wire text into dst (size cap) as printable ASCII:
 * control and non-ASCII bytes become '.', always terminated. Returns true
 * if nothing was cut. */
bool cursor_text_printable(char *dst, size_t cap, const uint8_t *src, size_t n);

/* The part of an HTTP-style status line (RFC 9112 4, RFC 2326 7.1) after its
 * 9-byte "PROTO/x.y " version: a three-digit status code, then a space and
 * a reason phrase (copied printable into reason). line/n is the whole line,
 * at its absolute offset; n must be at least 12. */
int cursor_status_code(struct cursor *c, const uint8_t *line, size_t n, size_t at, int *status,
		       char *reason, size_t reason_size);

#endif
