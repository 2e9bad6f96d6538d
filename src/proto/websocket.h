/* websocket: RFC 6455 client side: opening handshake, masked frames built, server frames read */
#ifndef DUTLAB_PROTO_WEBSOCKET_H
#define DUTLAB_PROTO_WEBSOCKET_H

/*
 * Used by adapters/login-websocket.c (a logout sent as WebSocket messages,
 * Cockpit's) and fuzzed (tests/fuzz/fuzz-websocket.c). The model is a
 * client's: frames it builds are masked (RFC 6455 5.3), frames it parses
 * must not be (5.1). Every length read from the wire is checked against
 * the bytes present and against a ceiling the caller gives before any
 * payload is touched, so a 64-bit length cannot make the caller wait for,
 * or allocate, more than it chose to.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct dl_error;

#define WEBSOCKET_OP_CONTINUATION 0x0
#define WEBSOCKET_OP_TEXT 0x1
#define WEBSOCKET_OP_BINARY 0x2
#define WEBSOCKET_OP_CLOSE 0x8
#define WEBSOCKET_OP_PING 0x9
#define WEBSOCKET_OP_PONG 0xA

#define WEBSOCKET_CONTROL_MAX 125     /* RFC 6455 5.5: a control frame's payload */
#define WEBSOCKET_HEADER_MAX 14       /* 2 + 8 (64-bit length) + 4 (mask) */
#define WEBSOCKET_KEY_LENGTH 24       /* base64 of 16 bytes (4.1) */
#define WEBSOCKET_ACCEPT_LENGTH 28    /* base64 of a SHA-1 (4.2.2) */
#define WEBSOCKET_HANDSHAKE_MAX 16384 /* the server's handshake answer, head only */
#define WEBSOCKET_REASON_MAX 124      /* a close reason: 125 - the 2-byte code */

/* ---- the opening handshake (RFC 6455 4.1, 4.2.2) -------------------------- */

/* Sec-WebSocket-Key from 16 random bytes: base64, 24 characters and a NUL. */
void websocket_key(const uint8_t nonce[16], char key[WEBSOCKET_KEY_LENGTH + 1]);

/* The Sec-WebSocket-Accept a server must answer key with: base64(SHA-1(key
 * + the GUID of 1.3)), 28 characters and a NUL. DL_EIO when OpenSSL fails. */
int websocket_accept(const char *key, char accept[WEBSOCKET_ACCEPT_LENGTH + 1],
		     struct dl_error *err);

/* What the client asks for; NULL members are left out of the request. */
struct websocket_request {
	const char *path;     /* "/cockpit/socket" */
	const char *host;     /* Host: "198.18.7.2:9090", "[fd00::2]:9090" */
	const char *origin;   /* Origin: "https://198.18.7.2:9090" (browsers always send it) */
	const char *key;      /* websocket_key() */
	const char *protocol; /* Sec-WebSocket-Protocol: "cockpit1", or NULL */
	const char *const
		*headers; /* whole extra lines ("Cookie: a=b"), NULL-terminated, or NULL */
};

/* The GET request of 4.1 into out (size bytes, NUL-terminated); *length its
 * length. DL_EINVAL for a member with CR, LF or NUL bytes or a path not
 * starting with '/'; DL_ENOMEM when out is too small. */
int websocket_request_build(const struct websocket_request *request, char *out, size_t size,
			    size_t *length, struct dl_error *err);

/* The server's answer to the request, as read. */
struct websocket_handshake {
	bool complete;      /* the head ended (CRLF CRLF): the members below are set */
	size_t head_length; /* bytes of the head, its empty line included */
	int status;         /* 101 when the server switched */
	char reason[64];    /* the reason phrase, printable */
	bool upgrade;       /* Upgrade: websocket */
	bool connection;    /* Connection: has the token upgrade */
	bool accept_ok;     /* Sec-WebSocket-Accept was the one key asks for */
	bool protocol_ok;  /* Sec-WebSocket-Protocol is the one asked for (or none asked, none sent)
			    */
	char protocol[64]; /* the server's Sec-WebSocket-Protocol, printable, or "" */
	char extensions[64]; /* Sec-WebSocket-Extensions, which a client that asked none refuses */
};

/*
 * Read the answer's head from in (length bytes, the start of what the
 * server sent): complete stays false when its empty line has not come yet
 * and fewer than WEBSOCKET_HANDSHAKE_MAX bytes are there (read more). key
 * and protocol are the request's (protocol NULL: none asked). DL_EPROTO
 * with offset and reason for a head that is not HTTP/1.1 with a status line
 * and "Name: value" headers, or is longer than WEBSOCKET_HANDSHAKE_MAX.
 * websocket_handshake_ok() then says whether the connection is a WebSocket.
 */
int websocket_handshake_parse(const uint8_t *in, size_t length, const char *key,
			      const char *protocol, struct websocket_handshake *out,
			      struct dl_error *err);

/* 101 with Upgrade, Connection, the right Accept and protocol, no extension. */
bool websocket_handshake_ok(const struct websocket_handshake *h);

/* ---- frames (RFC 6455 5.2) ----------------------------------------------- */

/*
 * One masked client frame into out (size bytes): FIN as fin, opcode, the
 * shortest length encoding, mask, payload XOR mask. *used is the frame's
 * length. DL_EINVAL for an unknown opcode, a control frame over 125 bytes or
 * not final; DL_ENOMEM when out is too small.
 */
int websocket_frame_build(uint8_t opcode, bool fin, const uint8_t mask[4], const void *payload,
			  size_t length, uint8_t *out, size_t size, size_t *used,
			  struct dl_error *err);

/* One server frame, as websocket_frame_parse read it. */
struct websocket_frame {
	bool complete;   /* false: read more; needed says how many bytes the frame needs in all */
	uint64_t needed; /* header + payload, once the header is there */
	bool fin;
	uint8_t opcode;
	uint64_t length;  /* the payload length as sent */
	bool non_minimal; /* the length was not in its shortest form (5.2 MUST; kept, noted) */
	const uint8_t *payload; /* into the input, length bytes; NULL before complete */
	size_t size;            /* header + payload: the bytes to step over */
};

/*
 * Parse the frame at the start of in (length bytes). max_payload is the
 * largest payload the caller accepts. complete false: the header or the
 * payload is not all there yet (needed is set once the header is). DL_EPROTO
 * with offset and reason for reserved bits (no extension was agreed), a
 * reserved opcode, a masked frame (servers must not mask, 5.1), a control
 * frame that is fragmented or over 125 bytes (5.5), a 64-bit length with its
 * top bit set; DL_ENOMEM for a payload over max_payload, refused from the
 * header alone.
 */
int websocket_frame_parse(const uint8_t *in, size_t length, uint64_t max_payload,
			  struct websocket_frame *out, struct dl_error *err);

/* ---- messages (RFC 6455 5.4) ---------------------------------------------- */

/* A data message put together from its fragments, in the caller's buffer. */
struct websocket_message {
	uint8_t *data; /* the caller's buffer of capacity bytes */
	size_t capacity;
	size_t length;
	uint8_t opcode;       /* TEXT or BINARY of the first fragment; 0: none under way */
	size_t fragments;     /* frames of the message so far */
	size_t max_fragments; /* the ceiling: more frames in one message are refused */
	bool done;            /* the last frame came: the message is data[0..length) */
};

void websocket_message_init(struct websocket_message *m, uint8_t *buffer, size_t capacity,
			    size_t max_fragments);

/*
 * Add a complete data frame (TEXT, BINARY or CONTINUATION; control frames
 * go elsewhere: they may come between fragments, 5.4). A done message is
 * forgotten when the next frame comes. DL_EPROTO for a continuation with no
 * message under way or a new message before the last ended; DL_ENOMEM past
 * the buffer or max_fragments.
 */
int websocket_message_add(struct websocket_message *m, const struct websocket_frame *frame,
			  struct dl_error *err);

/* ---- close frames (RFC 6455 5.5.1, 7.4) ------------------------------------ */

struct websocket_close {
	bool has_code; /* a 0-byte payload has none (1005 "no status" to the application) */
	uint16_t code;
	bool code_valid; /* 1000-1003, 1007-1014, 3000-4999 (7.4.1, 7.4.2, IANA) */
	char reason[WEBSOCKET_REASON_MAX + 1]; /* printable: controls and non-ASCII as '.' */
	bool reason_utf8;                      /* the reason is valid UTF-8 (5.5.1 MUST) */
};

/* Read a close frame's payload. DL_EPROTO for a 1-byte payload or over 125 bytes. */
int websocket_close_parse(const uint8_t *payload, size_t length, struct websocket_close *out,
			  struct dl_error *err);

/* Is text valid UTF-8 (RFC 3629: no overlongs, no surrogates, at most U+10FFFF)? */
bool websocket_utf8_valid(const uint8_t *text, size_t length);

#endif
