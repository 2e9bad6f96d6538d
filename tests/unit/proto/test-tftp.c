/* test-tftp: RRQ building and DATA/ERROR/OACK parsing against tftpd-hpa's real replies */
#include "core/compat.h"

#include <setjmp.h>
#include <cmocka.h>

#include "core/error.h"
#include "proto/tftp.h"
#include "vectors.h"

static int parse_to_message(const uint8_t *msg, size_t len, char *message, size_t cap)
{
	struct tftp_packet p;
	struct dl_error err = {0};
	int rc = tftp_parse(msg, len, &p, &err);
	snprintf(message, cap, "%s", err.message);
	return rc;
}

static void test_build_rrq(void **state)
{
	(void)state;
	uint8_t buf[64];
	size_t len;
	struct dl_error err = {0};
	assert_int_equal(tftp_build_rrq(buf, sizeof(buf), &len, "cfg.bin", "octet", &err), 0);
	const uint8_t expect[] = {0,   1, 'c', 'f', 'g', '.', 'b', 'i',
				  'n', 0, 'o', 'c', 't', 'e', 't', 0};
	assert_int_equal(len, sizeof(expect));
	assert_memory_equal(buf, expect, len);
	struct tftp_packet p;
	assert_int_equal(tftp_parse(buf, len, &p, &err), 0);
	assert_int_equal(p.opcode, TFTP_RRQ);
	assert_string_equal(p.text, "cfg.bin");
	assert_string_equal(p.mode, "octet");
	assert_int_equal(tftp_build_rrq(buf, sizeof(buf), &len, "x", "mail", &err), DL_EINVAL);
	assert_int_equal(tftp_build_rrq(buf, sizeof(buf), &len, "", "octet", &err), DL_EINVAL);
	assert_int_equal(tftp_build_rrq(buf, 10, &len, "cfg.bin", "octet", &err), DL_ENOMEM);
}

static void test_parse_tftpd_hpa(void **state)
{
	(void)state;
	static uint8_t buf[VECTOR_MAX];
	size_t len = vector_load("tftp-error-reply", buf);
	struct tftp_packet p;
	struct dl_error err = {0};
	assert_int_equal(tftp_parse(buf, len, &p, &err), 0);
	assert_int_equal(p.opcode, TFTP_ERROR);
	assert_int_equal(p.error_code, 1);
	assert_string_equal(p.text, "File not found");
	vector_assert_prefixes_fail(buf, len, parse_to_message);
	len = vector_load("tftp-data-reply", buf);
	assert_int_equal(tftp_parse(buf, len, &p, &err), 0);
	assert_int_equal(p.opcode, TFTP_DATA);
	assert_int_equal(p.block, 1);
	assert_int_equal(p.data_len, 19);
	assert_memory_equal(p.data, "dutlab tftp vector\n", 19);
}

static void test_oack_and_malformed(void **state)
{
	(void)state;
	const uint8_t oack[] = {0, 6, 'b', 'l', 'k', 's', 'i', 'z', 'e', 0, '1', '4', '6', '8', 0};
	struct tftp_packet p;
	struct dl_error err = {0};
	assert_int_equal(tftp_parse(oack, sizeof(oack), &p, &err), 0);
	assert_int_equal(p.option_count, 1);
	assert_string_equal(p.options[0].name, "blksize");
	assert_string_equal(p.options[0].value, "1468");
	char message[1024];
	assert_int_equal(parse_to_message(oack, sizeof(oack) - 1, message, sizeof(message)),
			 DL_EPROTO);
	assert_string_equal(message, "tftp packet: offset 10: option value has no NUL");
	const uint8_t empty_oack[] = {0, 6};
	assert_int_equal(parse_to_message(empty_oack, 2, message, sizeof(message)), DL_EPROTO);
	assert_string_equal(message, "tftp packet: offset 2: OACK without options");
	const uint8_t bad[] = {0, 9, 0};
	assert_int_equal(parse_to_message(bad, sizeof(bad), message, sizeof(message)), DL_EPROTO);
	assert_string_equal(message, "tftp packet: offset 0: unknown opcode (value 9)");
	const uint8_t ack[] = {0, 4, 0, 1, 0xff};
	assert_int_equal(parse_to_message(ack, sizeof(ack), message, sizeof(message)), DL_EPROTO);
	assert_string_equal(message,
			    "tftp packet: offset 4: extra bytes after the packet (value 1)");
	/* more options than the limit */
	uint8_t many[256] = {0, 6};
	size_t n = 2;
	for (int i = 0; i < 9; i++) {
		memcpy(many + n, "a\0b\0", 4);
		n += 4;
	}
	assert_int_equal(parse_to_message(many, n, message, sizeof(message)), DL_EPROTO);
	assert_string_equal(message,
			    "tftp packet: offset 34: more options than the limit (value 8)");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_build_rrq),
		cmocka_unit_test(test_parse_tftpd_hpa),
		cmocka_unit_test(test_oack_and_malformed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
