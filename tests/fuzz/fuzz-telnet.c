/* fuzz-telnet: libFuzzer target for telnet_feed: whole or byte by byte, the same data and answers
 */
#include "core/compat.h"

#include "core/error.h"
#include "proto/telnet.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_TELNET_MAX 4096

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1 || size > FUZZ_TELNET_MAX)
		return 0;
	/* the first byte picks the terminal-type policy */
	const char *terminal_type = (data[0] & 1) ? "vt100" : NULL;
	data++;
	size--;
	static uint8_t whole_data[FUZZ_TELNET_MAX], whole_reply[FUZZ_TELNET_MAX * 16];
	static uint8_t step_data[FUZZ_TELNET_MAX], step_reply[FUZZ_TELNET_MAX * 16];
	struct telnet a, b;
	struct dl_error err;
	if (telnet_init(&a, terminal_type, &err) < 0 || telnet_init(&b, terminal_type, &err) < 0)
		abort();
	size_t a_data = 0, a_reply = 0, consumed = 0;
	if (telnet_feed(&a, data, size, &consumed, whole_data, sizeof(whole_data), &a_data,
			whole_reply, sizeof(whole_reply), &a_reply, &err) < 0 ||
	    consumed != size)
		abort(); /* the buffers are large enough for any input of this size */
	size_t b_data = 0, b_reply = 0;
	for (size_t i = 0; i < size; i++) {
		if (telnet_feed(&b, data + i, 1, &consumed, step_data, sizeof(step_data), &b_data,
				step_reply, sizeof(step_reply), &b_reply, &err) < 0)
			abort();
	}
	if (a_data != b_data || a_reply != b_reply || memcmp(whole_data, step_data, a_data) != 0 ||
	    memcmp(whole_reply, step_reply, a_reply) != 0)
		abort(); /* how the stream is cut into reads must not matter */
	if (a_data > size || a.commands != b.commands || a.log_count > TELNET_LOG_MAX)
		abort();
	/* every answer is IAC WILL/WONT/DO/DONT option, or the TERMINAL-TYPE IS answer */
	for (size_t i = 0; i < a_reply;) {
		if (whole_reply[i] != TELNET_IAC || i + 2 >= a_reply)
			abort();
		uint8_t command = whole_reply[i + 1];
		if (command >= TELNET_WILL && command <= TELNET_DONT) {
			if (command == TELNET_WILL && whole_reply[i + 2] != TELNET_OPTION_TTYPE)
				abort(); /* we turn on nothing but TERMINAL-TYPE */
			i += 3;
		} else if (command == TELNET_SB && terminal_type) {
			i += 6 + strlen(terminal_type);
		} else {
			abort();
		}
	}
	/* the encoding of the data decodes to the same data */
	static uint8_t encoded[FUZZ_TELNET_MAX * 2], decoded[FUZZ_TELNET_MAX * 2];
	size_t encoded_len = 0, decoded_len = 0, reply_len = 0;
	struct telnet c;
	telnet_init(&c, NULL, &err);
	if (telnet_encode(whole_data, a_data, encoded, sizeof(encoded), &encoded_len, &err) < 0 ||
	    telnet_feed(&c, encoded, encoded_len, &consumed, decoded, sizeof(decoded), &decoded_len,
			whole_reply, sizeof(whole_reply), &reply_len, &err) < 0 ||
	    reply_len != 0 || c.commands != 0)
		abort();
	if (decoded_len != a_data || memcmp(decoded, whole_data, a_data) != 0)
		abort();
	return 0;
}
