/* fuzz-websocket: libFuzzer target for the RFC 6455 model: handshake, frames, messages, close */
#include "core/compat.h"

#include "core/error.h"
#include "proto/websocket.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_PAYLOAD_MAX 4096
#define FUZZ_MESSAGE_MAX 8192

/* A frame built from what was parsed, unmasked again, parses back the same. */
static void round_trip(const struct websocket_frame *f)
{
	static uint8_t out[FUZZ_PAYLOAD_MAX + WEBSOCKET_HEADER_MAX];
	static const uint8_t mask[4] = {0x5a, 0x00, 0xff, 0x13};
	size_t used = 0;
	if (websocket_frame_build(f->opcode, f->fin, mask, f->payload, (size_t)f->length, out,
				  sizeof(out), &used, NULL) != 0)
		abort(); /* a frame the parser took is one the builder can write */
	size_t header = used - (size_t)f->length;
	if (!(out[1] & 0x80))
		abort();
	out[1] &= 0x7f;
	memmove(out + header - 4, out + header, (size_t)f->length);
	for (size_t i = 0; i < f->length; i++)
		out[header - 4 + i] ^= mask[i & 3];
	struct websocket_frame back;
	if (websocket_frame_parse(out, used - 4, FUZZ_PAYLOAD_MAX, &back, NULL) != 0 ||
	    !back.complete || back.non_minimal || back.opcode != f->opcode || back.fin != f->fin ||
	    back.length != f->length || back.size != used - 4 ||
	    (f->length && memcmp(back.payload, f->payload, (size_t)f->length) != 0))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* The input is what a server sends after the upgrade request: a head, then frames.
	 * Without a head (a refusal to parse it) the whole input is read as frames. */
	struct websocket_handshake h;
	size_t at = 0;
	int rc = websocket_handshake_parse(data, size, "dGhlIHNhbXBsZSBub25jZQ==", "cockpit1", &h,
					   NULL);
	if (rc != 0 && rc != DL_EPROTO)
		abort();
	if (rc == 0 && h.complete) {
		if (h.head_length > size || h.head_length > WEBSOCKET_HANDSHAKE_MAX)
			abort();
		if (!memchr(h.reason, '\0', sizeof(h.reason)) ||
		    !memchr(h.protocol, '\0', sizeof(h.protocol)))
			abort();
		if (websocket_handshake_ok(&h) && (h.status != 101 || !h.accept_ok))
			abort();
		at = h.head_length;
	}
	static uint8_t buffer[FUZZ_MESSAGE_MAX];
	struct websocket_message m;
	websocket_message_init(&m, buffer, sizeof(buffer), 16);
	/* Each step consumes a frame of at least 2 bytes: bounded by size. */
	while (at < size) {
		struct websocket_frame f;
		rc = websocket_frame_parse(data + at, size - at, FUZZ_PAYLOAD_MAX, &f, NULL);
		if (rc == DL_EPROTO || rc == DL_ENOMEM)
			break;
		if (rc != 0)
			abort();
		if (!f.complete) {
			if (f.payload || (f.needed && f.needed <= size - at))
				abort();
			break;
		}
		if (f.size < 2 || f.size > size - at || f.length > FUZZ_PAYLOAD_MAX ||
		    f.payload < data + at || f.payload + f.length != data + at + f.size)
			abort();
		if (f.opcode >= WEBSOCKET_OP_CLOSE && (f.length > WEBSOCKET_CONTROL_MAX || !f.fin))
			abort();
		round_trip(&f);
		if (f.opcode == WEBSOCKET_OP_CLOSE) {
			struct websocket_close c;
			rc = websocket_close_parse(f.payload, (size_t)f.length, &c, NULL);
			if (rc != 0 && rc != DL_EPROTO)
				abort();
			if (rc == 0 && (!memchr(c.reason, '\0', sizeof(c.reason)) ||
					(c.code_valid && !c.has_code)))
				abort();
		} else if (f.opcode <= WEBSOCKET_OP_BINARY) {
			rc = websocket_message_add(&m, &f, NULL);
			if (rc != 0 && rc != DL_EPROTO && rc != DL_ENOMEM)
				abort();
			if (m.length > m.capacity || m.fragments > m.max_fragments)
				abort();
			if (rc == 0 && m.done && m.opcode == WEBSOCKET_OP_TEXT)
				(void)websocket_utf8_valid(m.data, m.length);
		}
		at += f.size;
	}
	return 0;
}
