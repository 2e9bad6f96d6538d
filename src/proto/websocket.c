/* websocket: RFC 6455 client side: opening handshake, masked frames built, server frames read */
#include "core/compat.h"

#include <openssl/evp.h>

#include "core/error.h"
#include "proto/cursor.h"
#include "proto/websocket.h"

/* RFC 6455 1.3: the GUID the server appends to the key before hashing. */
static const char websocket_guid[] = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

#define WEBSOCKET_LINE_MAX 8192
#define WEBSOCKET_HEADERS_MAX 100

/* ---- the opening handshake ------------------------------------------------- */

void websocket_key(const uint8_t nonce[16], char key[WEBSOCKET_KEY_LENGTH + 1])
{
	EVP_EncodeBlock((unsigned char *)key, nonce, 16);
	key[WEBSOCKET_KEY_LENGTH] = '\0';
}

int websocket_accept(const char *key, char accept[WEBSOCKET_ACCEPT_LENGTH + 1],
		     struct dl_error *err)
{
	char text[WEBSOCKET_KEY_LENGTH * 4 + sizeof(websocket_guid)];
	size_t key_length = strlen(key);
	if (key_length > WEBSOCKET_KEY_LENGTH * 4)
		return dl_error_set(err, DL_EINVAL, "websocket: a key of %zu bytes", key_length);
	memcpy(text, key, key_length);
	memcpy(text + key_length, websocket_guid, sizeof(websocket_guid) - 1);
	unsigned char digest[EVP_MAX_MD_SIZE];
	unsigned int digest_length = 0;
	if (EVP_Digest(text, key_length + sizeof(websocket_guid) - 1, digest, &digest_length,
		       EVP_sha1(), NULL) != 1 ||
	    digest_length != 20)
		return dl_error_set(err, DL_EIO, "websocket: OpenSSL cannot compute SHA-1");
	EVP_EncodeBlock((unsigned char *)accept, digest, 20);
	accept[WEBSOCKET_ACCEPT_LENGTH] = '\0';
	return 0;
}

/* A value that may go on a header line: no CR, LF or other control byte. */
static bool header_safe(const char *text)
{
	for (const unsigned char *p = (const unsigned char *)text; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return false;
	return true;
}

int websocket_request_build(const struct websocket_request *request, char *out, size_t size,
			    size_t *length, struct dl_error *err)
{
	const char *members[] = {request->path, request->host, request->origin, request->key,
				 request->protocol};
	static const char *const names[] = {"path", "host", "origin", "key", "protocol"};
	for (size_t i = 0; i < DL_ARRAY_SIZE(members); i++)
		if (members[i] && !header_safe(members[i]))
			return dl_error_set(err, DL_EINVAL,
					    "websocket: the %s holds a control character",
					    names[i]);
	if (!request->path || request->path[0] != '/' || strchr(request->path, ' ') ||
	    !request->host || !request->key)
		return dl_error_set(err, DL_EINVAL,
				    "websocket: a request needs a path starting with '/' (no "
				    "spaces), a host and a key");
	size_t used = 0;
	int n = snprintf(out, size,
			 "GET %s HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\n"
			 "Connection: Upgrade\r\nSec-WebSocket-Key: %s\r\n"
			 "Sec-WebSocket-Version: 13\r\n",
			 request->path, request->host, request->key);
	if (n < 0 || (size_t)n >= size)
		return dl_error_set(err, DL_ENOMEM, "websocket: the request is too long");
	used = (size_t)n;
	const char *lines[2] = {request->origin, request->protocol};
	static const char *const labels[2] = {"Origin", "Sec-WebSocket-Protocol"};
	for (size_t i = 0; i < 2; i++) {
		if (!lines[i])
			continue;
		n = snprintf(out + used, size - used, "%s: %s\r\n", labels[i], lines[i]);
		if (n < 0 || (size_t)n >= size - used)
			return dl_error_set(err, DL_ENOMEM, "websocket: the request is too long");
		used += (size_t)n;
	}
	/* A NULL-terminated list the caller built; bounded by the buffer it fills. */
	for (const char *const *h = request->headers; h && *h; h++) {
		if (!header_safe(*h) || !strchr(*h, ':'))
			return dl_error_set(err, DL_EINVAL,
					    "websocket: the header '%.64s' is not one \"Name: "
					    "value\" line",
					    *h);
		n = snprintf(out + used, size - used, "%s\r\n", *h);
		if (n < 0 || (size_t)n >= size - used)
			return dl_error_set(err, DL_ENOMEM, "websocket: the request is too long");
		used += (size_t)n;
	}
	if (size - used < 3)
		return dl_error_set(err, DL_ENOMEM, "websocket: the request is too long");
	memcpy(out + used, "\r\n", 3);
	*length = used + 2;
	return 0;
}

/* The end of the head: the byte after its empty line, or 0 when it is not there yet. */
static size_t head_end(const uint8_t *in, size_t length)
{
	for (size_t i = 0; i + 1 < length; i++) {
		if (in[i] != '\n')
			continue;
		if (in[i + 1] == '\n')
			return i + 2;
		if (i + 2 < length && in[i + 1] == '\r' && in[i + 2] == '\n')
			return i + 3;
	}
	return 0;
}

/* Does a comma-separated header value hold token (case-insensitive)? */
static bool list_has(const uint8_t *value, size_t length, const char *token)
{
	size_t i = 0;
	while (i < length) {
		while (i < length && (value[i] == ' ' || value[i] == '\t' || value[i] == ','))
			i++;
		size_t start = i;
		while (i < length && value[i] != ',')
			i++;
		size_t end = i;
		while (end > start && (value[end - 1] == ' ' || value[end - 1] == '\t'))
			end--;
		if (end > start && cursor_span_equals(value + start, end - start, token))
			return true;
	}
	return false;
}

static int handshake_read(struct cursor *c, const char *accept, const char *protocol,
			  struct websocket_handshake *out)
{
	const uint8_t *line;
	size_t n;
	size_t at = cursor_position(c);
	if (cursor_line(c, WEBSOCKET_LINE_MAX, &line, &n) < 0)
		return DL_EPROTO;
	/* RFC 9112 4: HTTP-version SP status-code SP [reason-phrase]; 6455 4.1 asks 1.1, a
	 * refusal may come as 1.0. */
	if (n < 12 || memcmp(line, "HTTP/1.", 7) != 0 || (line[7] != '0' && line[7] != '1') ||
	    line[8] != ' ')
		return cursor_fail_at(c, at, "status line does not start with 'HTTP/1.x '", n,
				      true);
	if (cursor_status_code(c, line, n, at, &out->status, out->reason, sizeof(out->reason)) < 0)
		return DL_EPROTO;
	size_t accepts = 0, accepts_ok = 0, protocols = 0;
	for (size_t count = 0;; count++) {
		const uint8_t *name, *value;
		size_t nl, vl;
		bool end;
		if (count > WEBSOCKET_HEADERS_MAX)
			return cursor_fail_value(c, "more headers than the limit",
						 WEBSOCKET_HEADERS_MAX);
		if (cursor_header(c, WEBSOCKET_LINE_MAX, &name, &nl, &value, &vl, &end) < 0)
			return DL_EPROTO;
		if (end)
			break;
		if (cursor_span_equals(name, nl, "Upgrade")) {
			out->upgrade = cursor_span_equals(value, vl, "websocket");
		} else if (cursor_span_equals(name, nl, "Connection")) {
			out->connection = out->connection || list_has(value, vl, "upgrade");
		} else if (cursor_span_equals(name, nl, "Sec-WebSocket-Accept")) {
			accepts++;
			/* base64 is case-sensitive: compared byte for byte */
			if (vl == WEBSOCKET_ACCEPT_LENGTH &&
			    memcmp(value, accept, WEBSOCKET_ACCEPT_LENGTH) == 0)
				accepts_ok++;
		} else if (cursor_span_equals(name, nl, "Sec-WebSocket-Protocol")) {
			protocols++;
			cursor_text_printable(out->protocol, sizeof(out->protocol), value, vl);
		} else if (cursor_span_equals(name, nl, "Sec-WebSocket-Extensions")) {
			cursor_text_printable(out->extensions, sizeof(out->extensions), value, vl);
		}
	}
	out->accept_ok = accepts == 1 && accepts_ok == 1;
	/* 4.1 (client step 6): a protocol the client did not ask for fails the connection. */
	out->protocol_ok =
		protocol ? protocols == 1 && strcmp(out->protocol, protocol) == 0 : protocols == 0;
	return 0;
}

int websocket_handshake_parse(const uint8_t *in, size_t length, const char *key,
			      const char *protocol, struct websocket_handshake *out,
			      struct dl_error *err)
{
	memset(out, 0, sizeof(*out));
	size_t window = length < WEBSOCKET_HANDSHAKE_MAX ? length : WEBSOCKET_HANDSHAKE_MAX;
	size_t end = head_end(in, window);
	if (end == 0) {
		if (length >= WEBSOCKET_HANDSHAKE_MAX)
			return dl_error_set(err, DL_EPROTO,
					    "websocket handshake: no end of the head in its first "
					    "%d bytes",
					    WEBSOCKET_HANDSHAKE_MAX);
		return 0;
	}
	char accept[WEBSOCKET_ACCEPT_LENGTH + 1];
	int rc = websocket_accept(key, accept, err);
	if (rc)
		return rc;
	struct cursor c;
	cursor_init(&c, in, end);
	if (handshake_read(&c, accept, protocol, out) < 0) {
		memset(out, 0, sizeof(*out));
		return cursor_error_report(&c, err, "websocket handshake");
	}
	out->complete = true;
	out->head_length = end;
	return 0;
}

bool websocket_handshake_ok(const struct websocket_handshake *h)
{
	return h->complete && h->status == 101 && h->upgrade && h->connection && h->accept_ok &&
	       h->protocol_ok && h->extensions[0] == '\0';
}

/* ---- frames ---------------------------------------------------------------- */

static bool opcode_known(uint8_t opcode)
{
	return opcode <= WEBSOCKET_OP_BINARY ||
	       (opcode >= WEBSOCKET_OP_CLOSE && opcode <= WEBSOCKET_OP_PONG);
}

int websocket_frame_build(uint8_t opcode, bool fin, const uint8_t mask[4], const void *payload,
			  size_t length, uint8_t *out, size_t size, size_t *used,
			  struct dl_error *err)
{
	if (!opcode_known(opcode))
		return dl_error_set(err, DL_EINVAL, "websocket: opcode %u is reserved", opcode);
	if (opcode >= WEBSOCKET_OP_CLOSE && (length > WEBSOCKET_CONTROL_MAX || !fin))
		return dl_error_set(err, DL_EINVAL,
				    "websocket: a control frame of %zu bytes%s; expected at most "
				    "125 in one frame",
				    length, fin ? "" : ", fragmented");
	size_t header = 2 + (length < 126 ? 0 : length <= 0xFFFF ? 2 : 8) + 4;
	if (size < header || length > size - header)
		return dl_error_set(err, DL_ENOMEM,
				    "websocket: a frame of %zu bytes does not fit in %zu", length,
				    size);
	out[0] = (uint8_t)((fin ? 0x80 : 0) | opcode);
	size_t at = 2;
	if (length < 126) {
		out[1] = (uint8_t)(0x80 | length);
	} else if (length <= 0xFFFF) {
		out[1] = 0x80 | 126;
		out[2] = (uint8_t)(length >> 8);
		out[3] = (uint8_t)length;
		at = 4;
	} else {
		out[1] = 0x80 | 127;
		uint64_t wide = length;
		for (int i = 0; i < 8; i++)
			out[2 + i] = (uint8_t)(wide >> (56 - 8 * i));
		at = 10;
	}
	memcpy(out + at, mask, 4);
	at += 4;
	const uint8_t *p = payload;
	for (size_t i = 0; i < length; i++)
		out[at + i] = p[i] ^ mask[i & 3];
	*used = at + length;
	return 0;
}

static int frame_read(struct cursor *c, uint64_t max_payload, struct websocket_frame *out,
		      bool *oversize)
{
	uint8_t b0, b1;
	if (cursor_remaining(c) < 2)
		return 0;
	if (cursor_u8(c, &b0) < 0 || cursor_u8(c, &b1) < 0)
		return DL_EPROTO;
	out->fin = (b0 & 0x80) != 0;
	out->opcode = b0 & 0x0f;
	if (b0 & 0x70)
		return cursor_fail_at(c, 0, "reserved bits set (no extension was agreed)",
				      (b0 >> 4) & 7, true);
	if (!opcode_known(out->opcode))
		return cursor_fail_at(c, 0, "reserved opcode", out->opcode, true);
	if (b1 & 0x80)
		return cursor_fail_at(c, 1, "masked frame from the server", b1, true);
	bool control = out->opcode >= WEBSOCKET_OP_CLOSE;
	uint8_t short_length = b1 & 0x7f;
	if (control && !out->fin)
		return cursor_fail_at(c, 0, "fragmented control frame", out->opcode, true);
	if (control && short_length > WEBSOCKET_CONTROL_MAX)
		return cursor_fail_at(c, 1, "control frame longer than 125 bytes", short_length,
				      true);
	uint64_t length = short_length;
	if (short_length == 126) {
		uint16_t wide;
		if (cursor_remaining(c) < 2)
			return 0;
		if (cursor_u16be(c, &wide) < 0)
			return DL_EPROTO;
		length = wide;
		out->non_minimal = length < 126;
	} else if (short_length == 127) {
		uint32_t high, low;
		if (cursor_remaining(c) < 8)
			return 0;
		if (cursor_u32be(c, &high) < 0 || cursor_u32be(c, &low) < 0)
			return DL_EPROTO;
		length = (uint64_t)high << 32 | low;
		if (high & 0x80000000u)
			return cursor_fail_at(c, 2, "64-bit length with its top bit set", length,
					      true);
		out->non_minimal = length <= 0xFFFF;
	}
	out->length = length;
	if (length > max_payload) {
		*oversize = true;
		return 0;
	}
	size_t header = cursor_position(c);
	out->needed = header + length; /* length < 2^63: no overflow */
	if (cursor_remaining(c) < length)
		return 0;
	if (cursor_bytes(c, (size_t)length, &out->payload) < 0)
		return DL_EPROTO;
	out->size = (size_t)out->needed;
	out->complete = true;
	return 0;
}

int websocket_frame_parse(const uint8_t *in, size_t length, uint64_t max_payload,
			  struct websocket_frame *out, struct dl_error *err)
{
	memset(out, 0, sizeof(*out));
	struct cursor c;
	bool oversize = false;
	cursor_init(&c, in, length);
	if (frame_read(&c, max_payload, out, &oversize) < 0) {
		memset(out, 0, sizeof(*out));
		return cursor_error_report(&c, err, "websocket frame");
	}
	if (oversize) {
		uint64_t sent = out->length;
		memset(out, 0, sizeof(*out));
		return dl_error_set(err, DL_ENOMEM,
				    "websocket frame: a payload of %" PRIu64
				    " bytes; at most %" PRIu64 " are read",
				    sent, max_payload);
	}
	if (!out->complete)
		out->payload = NULL;
	return 0;
}

/* ---- messages -------------------------------------------------------------- */

void websocket_message_init(struct websocket_message *m, uint8_t *buffer, size_t capacity,
			    size_t max_fragments)
{
	memset(m, 0, sizeof(*m));
	m->data = buffer;
	m->capacity = capacity;
	m->max_fragments = max_fragments;
}

int websocket_message_add(struct websocket_message *m, const struct websocket_frame *frame,
			  struct dl_error *err)
{
	if (m->done) {
		m->length = 0;
		m->opcode = 0;
		m->fragments = 0;
		m->done = false;
	}
	if (!frame->complete)
		return dl_error_set(err, DL_EINVAL, "websocket: a frame not read to its end");
	uint8_t op = frame->opcode;
	if (op == WEBSOCKET_OP_TEXT || op == WEBSOCKET_OP_BINARY) {
		if (m->opcode != 0)
			return dl_error_set(err, DL_EPROTO,
					    "websocket message: a new message began after %zu "
					    "fragments of one that had not ended",
					    m->fragments);
		m->opcode = op;
	} else if (op == WEBSOCKET_OP_CONTINUATION) {
		if (m->opcode == 0)
			return dl_error_set(err, DL_EPROTO,
					    "websocket message: a continuation frame with no "
					    "message under way");
	} else {
		return dl_error_set(err, DL_EINVAL,
				    "websocket: control frame %u is not part of a message", op);
	}
	if (m->fragments >= m->max_fragments)
		return dl_error_set(err, DL_ENOMEM,
				    "websocket message: more than %zu fragments; refused",
				    m->max_fragments);
	if (frame->length > m->capacity - m->length)
		return dl_error_set(err, DL_ENOMEM,
				    "websocket message: longer than %zu bytes; refused",
				    m->capacity);
	if (frame->length > 0)
		memcpy(m->data + m->length, frame->payload, (size_t)frame->length);
	m->length += (size_t)frame->length;
	m->fragments++;
	m->done = frame->fin;
	return 0;
}

/* ---- close frames ---------------------------------------------------------- */

bool websocket_utf8_valid(const uint8_t *text, size_t length)
{
	size_t i = 0;
	while (i < length) {
		uint8_t b = text[i];
		size_t extra;
		uint32_t code, min;
		if (b < 0x80) {
			i++;
			continue;
		} else if ((b & 0xE0) == 0xC0) {
			extra = 1, code = b & 0x1F, min = 0x80;
		} else if ((b & 0xF0) == 0xE0) {
			extra = 2, code = b & 0x0F, min = 0x800;
		} else if ((b & 0xF8) == 0xF0) {
			extra = 3, code = b & 0x07, min = 0x10000;
		} else {
			return false;
		}
		if (length - i - 1 < extra)
			return false;
		for (size_t k = 1; k <= extra; k++) {
			if ((text[i + k] & 0xC0) != 0x80)
				return false;
			code = code << 6 | (text[i + k] & 0x3F);
		}
		if (code < min || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF))
			return false;
		i += extra + 1;
	}
	return true;
}

int websocket_close_parse(const uint8_t *payload, size_t length, struct websocket_close *out,
			  struct dl_error *err)
{
	memset(out, 0, sizeof(*out));
	out->reason_utf8 = true;
	if (length == 0)
		return 0;
	if (length == 1 || length > WEBSOCKET_CONTROL_MAX)
		return dl_error_set(err, DL_EPROTO,
				    "websocket close: a payload of %zu bytes; expected none, or "
				    "a 2-byte code and at most 123 bytes of reason",
				    length);
	out->has_code = true;
	out->code = (uint16_t)(payload[0] << 8 | payload[1]);
	uint16_t code = out->code;
	out->code_valid = (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) ||
			  (code >= 3000 && code <= 4999);
	cursor_text_printable(out->reason, sizeof(out->reason), payload + 2, length - 2);
	out->reason_utf8 = websocket_utf8_valid(payload + 2, length - 2);
	return 0;
}
