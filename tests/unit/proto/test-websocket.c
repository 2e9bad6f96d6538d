/* test-websocket: the RFC 6455 model on the RFC's examples and what Cockpit sent */
#include "core/compat.h"

#include <setjmp.h>
#include <cmocka.h>

#include "core/error.h"
#include "proto/websocket.h"

/* A server frame (unmasked) of length bytes of 'a'+i%26 into out, the length in the
 * encoding width asks (0: the shortest, 2: 16-bit, 8: 64-bit). Returns its size. */
static size_t server_frame(uint8_t b0, size_t length, int width, uint8_t *out)
{
	size_t at = 2;
	out[0] = b0;
	if (width == 0)
		width = length < 126 ? 1 : length <= 0xFFFF ? 2 : 8;
	if (width == 1) {
		out[1] = (uint8_t)length;
	} else if (width == 2) {
		out[1] = 126;
		out[2] = (uint8_t)(length >> 8);
		out[3] = (uint8_t)length;
		at = 4;
	} else {
		out[1] = 127;
		for (int i = 0; i < 8; i++)
			out[2 + i] = (uint8_t)((uint64_t)length >> (56 - 8 * i));
		at = 10;
	}
	for (size_t i = 0; i < length; i++)
		out[at + i] = (uint8_t)('a' + i % 26);
	return at + length;
}

/* RFC 6455 1.3 and 4.2.2: the sample nonce, its key and the server's answer. */
static void test_key_and_accept(void **state)
{
	(void)state;
	char key[WEBSOCKET_KEY_LENGTH + 1];
	websocket_key((const uint8_t *)"the sample nonce", key);
	assert_string_equal(key, "dGhlIHNhbXBsZSBub25jZQ==");
	char accept[WEBSOCKET_ACCEPT_LENGTH + 1];
	struct dl_error err = {0};
	assert_int_equal(websocket_accept(key, accept, &err), 0);
	assert_string_equal(accept, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
	/* cockpit-ws 287.1 on mgmt-good answered this key with this accept */
	assert_int_equal(websocket_accept("p0jQmuaBzRdsEjV1naTIEQ==", accept, &err), 0);
	assert_string_equal(accept, "qnh3Yc0SOJzdTpHSzwHRmt8Oy1M=");
}

static void test_request(void **state)
{
	(void)state;
	const char *headers[] = {"Cookie: cockpit=abc", NULL};
	struct websocket_request r = {.path = "/cockpit/socket",
				      .host = "198.18.7.2:9090",
				      .origin = "https://198.18.7.2:9090",
				      .key = "dGhlIHNhbXBsZSBub25jZQ==",
				      .protocol = "cockpit1",
				      .headers = headers};
	char out[1024];
	size_t length = 0;
	struct dl_error err = {0};
	assert_int_equal(websocket_request_build(&r, out, sizeof(out), &length, &err), 0);
	assert_int_equal(length, strlen(out));
	assert_string_equal(out, "GET /cockpit/socket HTTP/1.1\r\n"
				 "Host: 198.18.7.2:9090\r\n"
				 "Upgrade: websocket\r\n"
				 "Connection: Upgrade\r\n"
				 "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
				 "Sec-WebSocket-Version: 13\r\n"
				 "Origin: https://198.18.7.2:9090\r\n"
				 "Sec-WebSocket-Protocol: cockpit1\r\n"
				 "Cookie: cockpit=abc\r\n"
				 "\r\n");
	/* the request is cut nowhere: one byte short is refused */
	assert_int_equal(websocket_request_build(&r, out, length, &length, &err), DL_ENOMEM);
	/* header injection */
	const char *bad[] = {"Cookie: a=b\r\nX-Evil: 1", NULL};
	r.headers = bad;
	assert_int_equal(websocket_request_build(&r, out, sizeof(out), &length, &err), DL_EINVAL);
	r.headers = NULL;
	r.protocol = "cockpit1\r\nX: y";
	assert_int_equal(websocket_request_build(&r, out, sizeof(out), &length, &err), DL_EINVAL);
	r.protocol = NULL;
	r.path = "cockpit/socket";
	assert_int_equal(websocket_request_build(&r, out, sizeof(out), &length, &err), DL_EINVAL);
}

static int handshake(const char *text, const char *protocol, struct websocket_handshake *h)
{
	struct dl_error err = {0};
	return websocket_handshake_parse((const uint8_t *)text, strlen(text),
					 "dGhlIHNhbXBsZSBub25jZQ==", protocol, h, &err);
}

static void test_handshake(void **state)
{
	(void)state;
	struct websocket_handshake h;
	/* RFC 6455 1.3's answer, with Cockpit's protocol and a first frame behind it */
	static const char good[] = "HTTP/1.1 101 Switching Protocols\r\n"
				   "Upgrade: websocket\r\n"
				   "Connection: Upgrade\r\n"
				   "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"
				   "Sec-WebSocket-Protocol: cockpit1\r\n"
				   "\r\n\x81\x05Hello";
	assert_int_equal(handshake(good, "cockpit1", &h), 0);
	assert_true(h.complete);
	assert_int_equal(h.status, 101);
	assert_string_equal(h.reason, "Switching Protocols");
	assert_int_equal(h.head_length, strlen(good) - 7);
	assert_true(h.upgrade && h.connection && h.accept_ok && h.protocol_ok);
	assert_true(websocket_handshake_ok(&h));
	/* a protocol not asked for fails (4.1 client step 6); one asked and not given too */
	assert_int_equal(handshake(good, NULL, &h), 0);
	assert_false(h.protocol_ok);
	assert_false(websocket_handshake_ok(&h));
	/* every prefix without the empty line: read more, nothing decided */
	for (size_t n = 0; n < strlen(good) - 8; n++) {
		struct dl_error err = {0};
		assert_int_equal(websocket_handshake_parse((const uint8_t *)good, n,
							   "dGhlIHNhbXBsZSBub25jZQ==", "cockpit1",
							   &h, &err),
				 0);
		assert_false(h.complete);
	}
	/* a wrong accept (one character off), two accepts, LF-only lines, Connection lists */
	assert_int_equal(handshake("HTTP/1.1 101 OK\r\nUpgrade: WebSocket\r\nConnection: "
				   "keep-alive, Upgrade\r\nSec-WebSocket-Accept: "
				   "s3pPLMBiTxaQ9kYGzzhZRbK+xOO=\r\n\r\n",
				   NULL, &h),
			 0);
	assert_true(h.upgrade && h.connection && h.protocol_ok);
	assert_false(h.accept_ok);
	assert_false(websocket_handshake_ok(&h));
	assert_int_equal(handshake("HTTP/1.1 101 OK\nUpgrade: websocket\nConnection: upgrade\n"
				   "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\n"
				   "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\n\n",
				   NULL, &h),
			 0);
	assert_true(h.complete);
	assert_false(h.accept_ok);
	assert_int_equal(handshake("HTTP/1.1 101 OK\nUpgrade: websocket\nConnection: upgrade\n"
				   "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\n"
				   "Sec-WebSocket-Extensions: permessage-deflate\n\n",
				   NULL, &h),
			 0);
	assert_true(h.accept_ok);
	assert_string_equal(h.extensions, "permessage-deflate");
	assert_false(websocket_handshake_ok(&h));
	/* Cockpit without an Origin: a refusal, judged as one */
	assert_int_equal(handshake("HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n", NULL, &h),
			 0);
	assert_true(h.complete);
	assert_int_equal(h.status, 403);
	assert_false(websocket_handshake_ok(&h));
	/* not HTTP, a broken status, a header without a colon, a head without an end */
	assert_int_equal(handshake("SSH-2.0-OpenSSH_9.2\r\n\r\n", NULL, &h), DL_EPROTO);
	assert_false(h.complete);
	assert_int_equal(handshake("HTTP/1.1 1x1 Switching\r\n\r\n", NULL, &h), DL_EPROTO);
	assert_int_equal(handshake("HTTP/1.1 101 Switching\r\nUpgrade websocket\r\n\r\n", NULL, &h),
			 DL_EPROTO);
	char *endless = malloc(WEBSOCKET_HANDSHAKE_MAX + 1);
	assert_non_null(endless);
	memset(endless, 'x', WEBSOCKET_HANDSHAKE_MAX);
	endless[WEBSOCKET_HANDSHAKE_MAX] = '\0';
	assert_int_equal(handshake(endless, NULL, &h), DL_EPROTO);
	free(endless);
}

/* RFC 6455 5.7: "Hello" masked with 37 fa 21 3d; then the 16- and 64-bit lengths. */
static void test_build_masked(void **state)
{
	(void)state;
	static const uint8_t mask[4] = {0x37, 0xfa, 0x21, 0x3d};
	static const uint8_t hello[] = {0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d,
					0x7f, 0x9f, 0x4d, 0x51, 0x58};
	uint8_t out[70000];
	size_t used = 0;
	struct dl_error err = {0};
	assert_int_equal(websocket_frame_build(WEBSOCKET_OP_TEXT, true, mask, "Hello", 5, out,
					       sizeof(out), &used, &err),
			 0);
	assert_int_equal(used, sizeof(hello));
	assert_memory_equal(out, hello, sizeof(hello));
	static const size_t sizes[] = {0, 125, 126, 65535, 65536};
	static const size_t headers[] = {6, 6, 8, 8, 14};
	uint8_t *payload = malloc(65536);
	assert_non_null(payload);
	for (size_t i = 0; i < 65536; i++)
		payload[i] = (uint8_t)(i * 7);
	for (size_t k = 0; k < DL_ARRAY_SIZE(sizes); k++) {
		size_t n = sizes[k];
		assert_int_equal(websocket_frame_build(WEBSOCKET_OP_BINARY, true, mask, payload, n,
						       out, sizeof(out), &used, &err),
				 0);
		assert_int_equal(used, headers[k] + n);
		assert_int_equal(out[0], 0x82);
		assert_true(out[1] & 0x80); /* masked */
		uint8_t short_length = out[1] & 0x7f;
		assert_int_equal(short_length, n < 126 ? n : n <= 0xFFFF ? 126 : 127);
		for (size_t i = 0; i < n; i++)
			assert_int_equal(out[headers[k] + i] ^ mask[i & 3], payload[i]);
	}
	free(payload);
	/* a continuation without FIN: a fragment */
	assert_int_equal(websocket_frame_build(WEBSOCKET_OP_CONTINUATION, false, mask, "x", 1, out,
					       sizeof(out), &used, &err),
			 0);
	assert_int_equal(out[0], 0x00);
	/* control frames: 125 bytes at most, never fragmented; reserved opcodes; no room */
	uint8_t big[126] = {0};
	assert_int_equal(websocket_frame_build(WEBSOCKET_OP_CLOSE, true, mask, big, 125, out,
					       sizeof(out), &used, &err),
			 0);
	assert_int_equal(websocket_frame_build(WEBSOCKET_OP_PING, true, mask, big, 126, out,
					       sizeof(out), &used, &err),
			 DL_EINVAL);
	assert_int_equal(websocket_frame_build(WEBSOCKET_OP_PONG, false, mask, big, 1, out,
					       sizeof(out), &used, &err),
			 DL_EINVAL);
	assert_int_equal(
		websocket_frame_build(0x3, true, mask, big, 1, out, sizeof(out), &used, &err),
		DL_EINVAL);
	assert_int_equal(websocket_frame_build(WEBSOCKET_OP_TEXT, true, mask, "Hello", 5, out, 10,
					       &used, &err),
			 DL_ENOMEM);
}

static void test_parse_sizes(void **state)
{
	(void)state;
	static const size_t sizes[] = {0, 125, 126, 65535, 65536};
	static const size_t headers[] = {2, 2, 4, 4, 10};
	uint8_t *buffer = malloc(65536 + 16);
	assert_non_null(buffer);
	for (size_t k = 0; k < DL_ARRAY_SIZE(sizes); k++) {
		size_t n = sizes[k];
		size_t size = server_frame(0x82, n, 0, buffer);
		assert_int_equal(size, headers[k] + n);
		struct websocket_frame f;
		struct dl_error err = {0};
		assert_int_equal(websocket_frame_parse(buffer, size, 65536, &f, &err), 0);
		assert_true(f.complete);
		assert_true(f.fin);
		assert_false(f.non_minimal);
		assert_int_equal(f.opcode, WEBSOCKET_OP_BINARY);
		assert_int_equal(f.length, n);
		assert_int_equal(f.size, size);
		assert_ptr_equal(f.payload, buffer + headers[k]);
		/* bytes after the frame are the next frame's: not read */
		assert_int_equal(websocket_frame_parse(buffer, size + 3, 65536, &f, &err), 0);
		assert_int_equal(f.size, size);
		/* truncated: every shorter input asks for more; needed is known after the header */
		for (size_t cut = 0; cut < size; cut += (cut < 16 ? 1 : 4093)) {
			assert_int_equal(websocket_frame_parse(buffer, cut, 65536, &f, &err), 0);
			assert_false(f.complete);
			assert_null(f.payload);
			if (cut >= headers[k])
				assert_int_equal(f.needed, size);
		}
		assert_int_equal(websocket_frame_parse(buffer, size - 1, 65536, &f, &err), 0);
		assert_false(f.complete);
	}
	free(buffer);
}

static void test_parse_refused(void **state)
{
	(void)state;
	uint8_t frame[16];
	struct websocket_frame f;
	struct dl_error err = {0};
	/* oversize: 65537 bytes refused from the 10-byte header alone, and 2^62 */
	server_frame(0x82, 0, 8, frame);
	frame[7] = 0x01, frame[9] = 0x01; /* 65537 */
	assert_int_equal(websocket_frame_parse(frame, 10, 65536, &f, &err), DL_ENOMEM);
	assert_non_null(strstr(err.message, "65537"));
	assert_false(f.complete);
	memset(frame + 2, 0, 8);
	frame[2] = 0x40;
	assert_int_equal(websocket_frame_parse(frame, 10, 65536, &f, &err), DL_ENOMEM);
	/* the top bit of a 64-bit length (5.2: MUST be 0) */
	frame[2] = 0x80;
	assert_int_equal(websocket_frame_parse(frame, 10, UINT64_MAX, &f, &err), DL_EPROTO);
	assert_non_null(strstr(err.message, "top bit"));
	/* a masked server frame (5.1) */
	static const uint8_t masked[] = {0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d,
					 0x7f, 0x9f, 0x4d, 0x51, 0x58};
	assert_int_equal(websocket_frame_parse(masked, sizeof(masked), 65536, &f, &err), DL_EPROTO);
	assert_non_null(strstr(err.message, "masked"));
	/* reserved bits, reserved opcodes */
	static const uint8_t rsv[] = {0xC1, 0x00};
	assert_int_equal(websocket_frame_parse(rsv, 2, 65536, &f, &err), DL_EPROTO);
	for (uint8_t op = 3; op <= 0xF; op++) {
		if (op >= 8 && op <= 0xA)
			continue;
		uint8_t reserved[2] = {(uint8_t)(0x80 | op), 0x00};
		assert_int_equal(websocket_frame_parse(reserved, 2, 65536, &f, &err), DL_EPROTO);
	}
	/* control frames: over 125 (even as 126 with 16 bits), fragmented */
	static const uint8_t long_ping[] = {0x89, 0x7E, 0x00, 0x7E};
	assert_int_equal(websocket_frame_parse(long_ping, sizeof(long_ping), 65536, &f, &err),
			 DL_EPROTO);
	static const uint8_t split_close[] = {0x08, 0x00};
	assert_int_equal(websocket_frame_parse(split_close, 2, 65536, &f, &err), DL_EPROTO);
	/* a non-minimal length is read and noted */
	uint8_t wide[16];
	size_t size = server_frame(0x81, 5, 2, wide);
	assert_int_equal(websocket_frame_parse(wide, size, 65536, &f, &err), 0);
	assert_true(f.complete && f.non_minimal);
	assert_int_equal(f.length, 5);
}

/* RFC 6455 5.7: "Hel" + "lo" in two frames, a ping between them (5.4). */
static void test_message(void **state)
{
	(void)state;
	static const uint8_t stream[] = {0x01, 0x03, 'H', 'e', 'l',  0x89, 0x05, 'H',
					 'e',  'l',  'l', 'o', 0x80, 0x02, 'l',  'o'};
	uint8_t buffer[16];
	struct websocket_message m;
	websocket_message_init(&m, buffer, sizeof(buffer), 4);
	struct websocket_frame f;
	struct dl_error err = {0};
	size_t at = 0;
	int pings = 0;
	while (at < sizeof(stream)) {
		assert_int_equal(
			websocket_frame_parse(stream + at, sizeof(stream) - at, 125, &f, &err), 0);
		assert_true(f.complete);
		at += f.size;
		if (f.opcode == WEBSOCKET_OP_PING) {
			pings++;
			assert_int_equal(f.length, 5);
			continue;
		}
		assert_int_equal(websocket_message_add(&m, &f, &err), 0);
	}
	assert_int_equal(pings, 1);
	assert_true(m.done);
	assert_int_equal(m.opcode, WEBSOCKET_OP_TEXT);
	assert_int_equal(m.fragments, 2);
	assert_int_equal(m.length, 5);
	assert_memory_equal(m.data, "Hello", 5);

	/* a continuation with nothing under way; a new message before the last ended */
	websocket_message_init(&m, buffer, sizeof(buffer), 4);
	static const uint8_t lone[] = {0x80, 0x01, 'x'};
	assert_int_equal(websocket_frame_parse(lone, sizeof(lone), 125, &f, &err), 0);
	assert_int_equal(websocket_message_add(&m, &f, &err), DL_EPROTO);
	static const uint8_t first[] = {0x01, 0x01, 'x'};
	assert_int_equal(websocket_frame_parse(first, sizeof(first), 125, &f, &err), 0);
	assert_int_equal(websocket_message_add(&m, &f, &err), 0);
	assert_int_equal(websocket_message_add(&m, &f, &err), DL_EPROTO);
	/* past the buffer; past the fragment ceiling */
	uint8_t big[32];
	size_t size = server_frame(0x81, 17, 0, big);
	websocket_message_init(&m, buffer, sizeof(buffer), 4);
	assert_int_equal(websocket_frame_parse(big, size, 125, &f, &err), 0);
	assert_int_equal(websocket_message_add(&m, &f, &err), DL_ENOMEM);
	static const uint8_t more[] = {0x00, 0x01, 'x'};
	websocket_message_init(&m, buffer, sizeof(buffer), 4);
	assert_int_equal(websocket_frame_parse(first, sizeof(first), 125, &f, &err), 0);
	assert_int_equal(websocket_message_add(&m, &f, &err), 0);
	assert_int_equal(websocket_frame_parse(more, sizeof(more), 125, &f, &err), 0);
	for (int i = 0; i < 3; i++)
		assert_int_equal(websocket_message_add(&m, &f, &err), 0);
	assert_int_equal(websocket_message_add(&m, &f, &err), DL_ENOMEM);
	/* a done message is forgotten at the next frame */
	websocket_message_init(&m, buffer, sizeof(buffer), 4);
	static const uint8_t whole[] = {0x81, 0x02, 'o', 'k'};
	assert_int_equal(websocket_frame_parse(whole, sizeof(whole), 125, &f, &err), 0);
	assert_int_equal(websocket_message_add(&m, &f, &err), 0);
	assert_true(m.done);
	assert_int_equal(websocket_message_add(&m, &f, &err), 0);
	assert_int_equal(m.length, 2);
}

static void test_close(void **state)
{
	(void)state;
	struct websocket_close c;
	struct dl_error err = {0};
	/* what cockpit-ws 287 sent after {"command":"logout","disconnect":true} */
	assert_int_equal(websocket_close_parse((const uint8_t *)"\x03\xe9terminated", 12, &c, &err),
			 0);
	assert_true(c.has_code && c.code_valid && c.reason_utf8);
	assert_int_equal(c.code, 1001);
	assert_string_equal(c.reason, "terminated");
	assert_int_equal(websocket_close_parse(NULL, 0, &c, &err), 0);
	assert_false(c.has_code);
	assert_int_equal(websocket_close_parse((const uint8_t *)"\x03", 1, &c, &err), DL_EPROTO);
	uint8_t long_close[126] = {0x03, 0xe8};
	assert_int_equal(websocket_close_parse(long_close, 126, &c, &err), DL_EPROTO);
	static const struct {
		uint16_t code;
		bool valid;
	} codes[] = {{999, false},  {1000, true}, {1003, true}, {1004, false}, {1005, false},
		     {1006, false}, {1007, true}, {1011, true}, {1015, false}, {2999, false},
		     {3000, true},  {4999, true}, {5000, false}};
	for (size_t i = 0; i < DL_ARRAY_SIZE(codes); i++) {
		uint8_t p[2] = {(uint8_t)(codes[i].code >> 8), (uint8_t)codes[i].code};
		assert_int_equal(websocket_close_parse(p, 2, &c, &err), 0);
		assert_int_equal(c.code, codes[i].code);
		assert_int_equal(c.code_valid, codes[i].valid);
	}
	assert_int_equal(websocket_close_parse((const uint8_t *)"\x03\xe8\xc0\x80", 4, &c, &err),
			 0);
	assert_false(c.reason_utf8);
	assert_string_equal(c.reason, "..");
}

static void test_utf8(void **state)
{
	(void)state;
	static const struct {
		const char *text;
		bool valid;
	} cases[] = {
		{"plain", true},
		{"caf\xc3\xa9", true},
		{"\xe7\x99\xbb\xe5\x87\xba", true},
		{"\xf0\x9f\x94\x92", true},
		{"\xc0\x80", false},
		{"\xe0\x80\x80", false},
		{"\xed\xa0\x80", false},
		{"\xf4\x90\x80\x80", false},
		{"\xc3", false},
		{"\xff", false},
		{"\x80", false},
	};
	for (size_t i = 0; i < DL_ARRAY_SIZE(cases); i++)
		assert_int_equal(
			websocket_utf8_valid((const uint8_t *)cases[i].text, strlen(cases[i].text)),
			cases[i].valid);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_key_and_accept), cmocka_unit_test(test_request),
		cmocka_unit_test(test_handshake),      cmocka_unit_test(test_build_masked),
		cmocka_unit_test(test_parse_sizes),    cmocka_unit_test(test_parse_refused),
		cmocka_unit_test(test_message),        cmocka_unit_test(test_close),
		cmocka_unit_test(test_utf8),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
