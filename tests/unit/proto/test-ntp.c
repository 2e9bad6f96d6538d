/* test-ntp: NTPv4 request building and reply parsing against chronyd's real reply */
#include "core/compat.h"

#include <setjmp.h>
#include <cmocka.h>

#include "core/error.h"
#include "proto/ntp.h"
#include "vectors.h"

static int parse_to_message(const uint8_t *msg, size_t len, char *message, size_t cap)
{
	struct ntp_packet p;
	struct dl_error err = {0};
	int rc = ntp_parse(msg, len, &p, &err);
	snprintf(message, cap, "%s", err.message);
	return rc;
}

static void test_build_request(void **state)
{
	(void)state;
	uint8_t buf[64];
	size_t len;
	struct dl_error err = {0};
	assert_int_equal(ntp_build_request(buf, sizeof(buf), &len, 0xeeb190b842b8b11dull, &err), 0);
	assert_int_equal(len, 48);
	assert_int_equal(buf[0], 0x23); /* LI 0, VN 4, mode 3 */
	for (size_t i = 1; i < 40; i++)
		assert_int_equal(buf[i], 0);
	const uint8_t xmt[] = {0xee, 0xb1, 0x90, 0xb8, 0x42, 0xb8, 0xb1, 0x1d};
	assert_memory_equal(buf + 40, xmt, 8);
	struct ntp_packet p;
	assert_int_equal(ntp_parse(buf, len, &p, &err), 0);
	assert_int_equal(p.mode, 3);
	assert_int_equal(p.version, 4);
	assert_int_equal(p.transmit_time, 0xeeb190b842b8b11dull);
	assert_int_equal(ntp_build_request(buf, 47, &len, 0, &err), DL_ENOMEM);
}

static void test_parse_chrony_reply(void **state)
{
	(void)state;
	static uint8_t buf[VECTOR_MAX];
	size_t len = vector_load("ntp-reply", buf);
	struct ntp_packet p;
	struct dl_error err = {0};
	assert_int_equal(ntp_parse(buf, len, &p, &err), 0);
	assert_int_equal(p.version, 4);
	assert_int_equal(p.mode, 4);
	assert_int_equal(p.stratum, 8); /* chrony.conf: local stratum 8 */
	assert_int_equal(p.leap, 0);
	/* a local reference: refid 127.127.1.1 */
	assert_string_equal(p.refid_text, "127.127.1.1");
	assert_true(ntp_to_unix(p.reference_time) > 1700000000);
	assert_int_equal(p.extension_length, 0);
	vector_assert_prefixes_fail(buf, len, parse_to_message);
}

static void test_malformed(void **state)
{
	(void)state;
	uint8_t buf[64] = {0};
	char message[1024];
	buf[0] = 0x3c; /* version 7, mode 4 */
	assert_int_equal(parse_to_message(buf, 48, message, sizeof(message)), DL_EPROTO);
	assert_string_equal(message, "ntp packet: offset 0: version is not 1 to 4 (value 7)");
	buf[0] = 0x27; /* version 4, mode 7 */
	assert_int_equal(parse_to_message(buf, 48, message, sizeof(message)), DL_EPROTO);
	buf[0] = 0x24;
	assert_int_equal(parse_to_message(buf, 50, message, sizeof(message)), DL_EPROTO);
	assert_string_equal(
		message,
		"ntp packet: offset 48: bytes after the header are not 4-byte aligned (value 2)");
	/* a kiss-o'-death packet (stratum 0) carries an ASCII code */
	memcpy(buf + 12, "RATE", 4);
	struct ntp_packet p;
	struct dl_error err = {0};
	assert_int_equal(ntp_parse(buf, 48, &p, &err), 0);
	assert_string_equal(p.refid_text, "RATE");
	static uint8_t big[NTP_MESSAGE_MAX + 4];
	big[0] = 0x24;
	assert_int_equal(parse_to_message(big, sizeof(big), message, sizeof(message)), DL_EPROTO);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_build_request),
		cmocka_unit_test(test_parse_chrony_reply),
		cmocka_unit_test(test_malformed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
