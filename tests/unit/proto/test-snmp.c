/* test-snmp: GetRequest encoding and GetResponse parsing against net-snmp's real replies */
#include "core/compat.h"

#include <setjmp.h>
#include <cmocka.h>

#include "core/error.h"
#include "proto/snmp.h"
#include "vectors.h"

static int parse_to_message(const uint8_t *msg, size_t len, char *message, size_t cap)
{
	struct snmp_message m;
	struct dl_error err = {0};
	int rc = snmp_parse(msg, len, &m, &err);
	snprintf(message, cap, "%s", err.message);
	return rc;
}

static void test_build_get_v2c(void **state)
{
	(void)state;
	uint8_t buf[512];
	size_t len;
	struct dl_error err = {0};
	const char *oids[] = {SNMP_OID_SYS_DESCR};
	assert_int_equal(
		snmp_build_get(buf, sizeof(buf), &len, SNMP_VERSION_2C, "public", 1, oids, 1, &err),
		0);
	/* the bytes net-snmp's snmpget -v2c -c public sends for request-id 1 */
	const uint8_t expect[] = {0x30, 0x26, 0x02, 0x01, 0x01, 0x04, 0x06, 'p',  'u',  'b',
				  'l',  'i',  'c',  0xa0, 0x19, 0x02, 0x01, 0x01, 0x02, 0x01,
				  0x00, 0x02, 0x01, 0x00, 0x30, 0x0e, 0x30, 0x0c, 0x06, 0x08,
				  0x2b, 0x06, 0x01, 0x02, 0x01, 0x01, 0x01, 0x00, 0x05, 0x00};
	assert_int_equal(len, sizeof(expect));
	assert_memory_equal(buf, expect, sizeof(expect));
}

/* net-snmp's own snmpget -v2c -c public 127.0.0.1 1.3.6.1.2.1.1.1.0, as it went on the wire:
 * the same encoding as ours but for its random 4-byte request-id */
static void test_parse_snmpget_request(void **state)
{
	(void)state;
	static uint8_t buf[VECTOR_MAX];
	size_t len = vector_load("snmpget-v2c-request", buf);
	struct snmp_message m;
	struct dl_error err = {0};
	assert_int_equal(snmp_parse(buf, len, &m, &err), 0);
	assert_int_equal(m.pdu_type, SNMP_PDU_GET_REQUEST);
	assert_int_equal(m.request_id, 0x543c3ed9);
	uint8_t ours[512];
	size_t ours_len;
	const char *oids[] = {SNMP_OID_SYS_DESCR};
	assert_int_equal(snmp_build_get(ours, sizeof(ours), &ours_len, SNMP_VERSION_2C, "public",
					m.request_id, oids, 1, &err),
			 0);
	assert_int_equal(ours_len, len);
	assert_memory_equal(ours, buf, len);
}

static void test_build_roundtrip_all_system_oids(void **state)
{
	(void)state;
	uint8_t buf[512];
	size_t len;
	struct dl_error err = {0};
	assert_int_equal(snmp_build_get(buf, sizeof(buf), &len, SNMP_VERSION_1, "private", -123456,
					snmp_system_oids, snmp_system_oid_count, &err),
			 0);
	struct snmp_message m;
	assert_int_equal(snmp_parse(buf, len, &m, &err), 0);
	assert_int_equal(m.version, SNMP_VERSION_1);
	assert_string_equal(m.community, "private");
	assert_int_equal(m.pdu_type, SNMP_PDU_GET_REQUEST);
	assert_int_equal(m.request_id, -123456);
	assert_int_equal(m.varbind_count, 5);
	for (size_t i = 0; i < 5; i++) {
		assert_string_equal(m.varbinds[i].oid, snmp_system_oids[i]);
		assert_int_equal(m.varbinds[i].type, SNMP_VALUE_NULL);
	}
}

static void test_build_errors(void **state)
{
	(void)state;
	uint8_t buf[512];
	size_t len;
	struct dl_error err = {0};
	const char *bad[] = {"1.3.6.a"};
	assert_int_equal(snmp_build_get(buf, sizeof(buf), &len, 1, "public", 1, bad, 1, &err),
			 DL_EINVAL);
	assert_non_null(strstr(err.message, "expected a digit"));
	const char *big[] = {"1.3.6.1.4.1.99999999999"};
	assert_int_equal(snmp_build_get(buf, sizeof(buf), &len, 1, "public", 1, big, 1, &err),
			 DL_EINVAL);
	assert_int_equal(snmp_build_get(buf, 20, &len, 1, "public", 1, snmp_system_oids, 5, &err),
			 DL_ENOMEM);
	assert_int_equal(
		snmp_build_get(buf, sizeof(buf), &len, 3, "public", 1, snmp_system_oids, 5, &err),
		DL_EINVAL);
	/* large arcs need several base-128 octets (X.690 8.19.2) */
	uint8_t oid[32];
	assert_int_equal(
		snmp_oid_encode("1.3.6.1.4.1.2021.4294967295", oid, sizeof(oid), &len, &err), 0);
	const uint8_t expect[] = {0x2b, 0x06, 0x01, 0x04, 0x01, 0x8f,
				  0x65, 0x8f, 0xff, 0xff, 0xff, 0x7f};
	assert_int_equal(len, sizeof(expect));
	assert_memory_equal(oid, expect, sizeof(expect));
}

static void test_parse_net_snmp_v2c_reply(void **state)
{
	(void)state;
	static uint8_t buf[VECTOR_MAX];
	size_t len = vector_load("snmp-v2c-reply", buf);
	struct snmp_message m;
	struct dl_error err = {0};
	assert_int_equal(snmp_parse(buf, len, &m, &err), 0);
	assert_int_equal(m.version, SNMP_VERSION_2C);
	assert_string_equal(m.community, "public");
	assert_int_equal(m.pdu_type, SNMP_PDU_GET_RESPONSE);
	assert_int_equal(m.request_id, 0x646c0001);
	assert_int_equal(m.error_status, 0);
	assert_int_equal(m.varbind_count, 5);
	const struct snmp_varbind *d = snmp_find(&m, SNMP_OID_SYS_DESCR);
	assert_non_null(d);
	assert_int_equal(d->type, SNMP_VALUE_STRING);
	assert_string_equal(d->text, "Linux cam-bad 6.1.0-28-amd64 #1 SMP PREEMPT_DYNAMIC Debian "
				     "6.1.119-1 x86_64");
	const struct snmp_varbind *o = snmp_find(&m, SNMP_OID_SYS_OBJECT_ID);
	assert_int_equal(o->type, SNMP_VALUE_OID);
	assert_string_equal(o->text, "1.3.6.1.4.1.8072.3.2.10"); /* NET-SNMP-TC linux */
	assert_string_equal(snmp_find(&m, SNMP_OID_SYS_NAME)->text, "cam-bad");
	assert_string_equal(snmp_find(&m, SNMP_OID_SYS_LOCATION)->text, "Lab rack 3");
	assert_string_equal(snmp_find(&m, SNMP_OID_SYS_CONTACT)->text, "lab@example.test");
	assert_null(snmp_find(&m, "1.3.6.1.2.1.1.3.0"));
}

static void test_parse_net_snmp_v1_reply(void **state)
{
	(void)state;
	static uint8_t buf[VECTOR_MAX];
	size_t len = vector_load("snmp-v1-reply", buf);
	struct snmp_message m;
	struct dl_error err = {0};
	assert_int_equal(snmp_parse(buf, len, &m, &err), 0);
	assert_int_equal(m.version, SNMP_VERSION_1);
	assert_int_equal(m.varbind_count, 5);
}

static void test_every_truncation_fails_with_offset(void **state)
{
	(void)state;
	static uint8_t buf[VECTOR_MAX];
	size_t len = vector_load("snmp-v2c-reply", buf);
	vector_assert_prefixes_fail(buf, len, parse_to_message);
	/* a trailing byte is rejected too */
	buf[len] = 0;
	char message[1024];
	assert_int_equal(parse_to_message(buf, len + 1, message, sizeof(message)), DL_EPROTO);
	assert_string_equal(message,
			    "snmp message: offset 220: extra bytes after the message (value 1)");
}

static void test_value_types(void **state)
{
	(void)state;
	/* v2c GetResponse with TimeTicks, Counter64, IpAddress, noSuchObject,
	 * and a negative INTEGER */
	const uint8_t msg[] = {
		0x30, 0x5d, 0x02, 0x01, 0x01, 0x04, 0x01, 'p', 0xa2, 0x55, 0x02, 0x01, 0x07, 0x02,
		0x01, 0x00, 0x02, 0x01, 0x00, 0x30, 0x4a,
		/* sysUpTime.0 = TimeTicks 8640123 */
		0x30, 0x0f, 0x06, 0x08, 0x2b, 0x06, 0x01, 0x02, 0x01, 0x01, 0x03, 0x00, 0x43, 0x03,
		0x83, 0xd6, 0x7b,
		/* 1.3.6.1.2.1.31.1.1.1.6.1 = Counter64 2^40 */
		0x30, 0x15, 0x06, 0x0b, 0x2b, 0x06, 0x01, 0x02, 0x01, 0x1f, 0x01, 0x01, 0x01, 0x06,
		0x01, 0x46, 0x06, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00,
		/* 1.3.6.1.2.1.4.20.1.1.1 = IpAddress 198.18.250.2 */
		0x30, 0x12, 0x06, 0x0a, 0x2b, 0x06, 0x01, 0x02, 0x01, 0x04, 0x14, 0x01, 0x01, 0x01,
		0x40, 0x04, 0xc6, 0x12, 0xfa, 0x02,
		/* 1.3.6.1.2.1.1.9.0 = noSuchObject */
		0x30, 0x0c, 0x06, 0x08, 0x2b, 0x06, 0x01, 0x02, 0x01, 0x01, 0x09, 0x00, 0x80, 0x00};
	struct snmp_message m;
	struct dl_error err = {0};
	assert_int_equal(snmp_parse(msg, sizeof(msg), &m, &err), 0);
	assert_int_equal(m.varbind_count, 4);
	assert_int_equal(m.varbinds[0].type, SNMP_VALUE_TIMETICKS);
	assert_int_equal(m.varbinds[0].unsigned_value, 8640123);
	assert_string_equal(m.varbinds[0].text, "8640123 (1d 00:00:01)");
	assert_int_equal(m.varbinds[1].type, SNMP_VALUE_COUNTER64);
	assert_int_equal(m.varbinds[1].unsigned_value, 1ull << 40);
	assert_string_equal(m.varbinds[2].text, "198.18.250.2");
	assert_int_equal(m.varbinds[3].type, SNMP_VALUE_NO_SUCH_OBJECT);
}

static void expect_reject(const uint8_t *msg, size_t len, const char *message)
{
	char got[1024];
	assert_int_equal(parse_to_message(msg, len, got, sizeof(got)), DL_EPROTO);
	assert_string_equal(got, message);
}

static void test_malformed(void **state)
{
	(void)state;
	/* long-form length with 5 octets */
	const uint8_t long5[] = {0x30, 0x85, 0, 0, 0, 0, 1, 0};
	expect_reject(long5, sizeof(long5),
		      "snmp message: offset 2: length of length exceeds 4 octets (value 5)");
	/* long-form length larger than the datagram */
	const uint8_t oversized[] = {0x30, 0x82, 0xff, 0xff, 0x02, 0x01, 0x01};
	expect_reject(oversized, sizeof(oversized),
		      "snmp message: offset 4: length exceeds the enclosing data (value 65535)");
	/* indefinite length (X.690 8.1.3.6) is not allowed */
	const uint8_t indefinite[] = {0x30, 0x80, 0x02, 0x01, 0x01, 0x00, 0x00};
	expect_reject(
		indefinite, sizeof(indefinite),
		"snmp message: offset 2: indefinite length is not allowed in SNMP (value 128)");
	/* version 3 is not ours */
	const uint8_t v3[] = {0x30, 0x03, 0x02, 0x01, 0x03};
	expect_reject(v3, sizeof(v3),
		      "snmp message: offset 5: version is not v1 (0) or v2c (1) (value 3)");
	/* not a SEQUENCE */
	const uint8_t notseq[] = {0x04, 0x00};
	expect_reject(notseq, sizeof(notseq),
		      "snmp message: offset 0: message is not a SEQUENCE (value 4)");
	/* a 9-byte INTEGER */
	const uint8_t bigint[] = {0x30, 0x0b, 0x02, 0x09, 1, 2, 3, 4, 5, 6, 7, 8, 9};
	expect_reject(bigint, sizeof(bigint),
		      "snmp message: offset 2: integer length is not 1 to 8 (value 9)");
	/* long-form lengths are accepted where they fit (community of 3 written 0x81 0x03) */
	const uint8_t longform[] = {0x30, 0x1a, 0x02, 0x01, 0x00, 0x04, 0x81, 0x03, 'a',  'b',
				    'c',  0xa2, 0x0f, 0x02, 0x01, 0x05, 0x02, 0x01, 0x00, 0x02,
				    0x01, 0x00, 0x30, 0x04, 0x30, 0x02, 0x06, 0x00};
	expect_reject(longform, sizeof(longform),
		      "snmp message: offset 26: oid length out of range (value 0)");
}

static void test_oid_arc_limit(void **state)
{
	(void)state;
	/* a GetRequest whose OID has 65 arcs: one more than we encode, so we refuse to decode it */
	uint8_t msg[128] = {0x30, 0,    0x02, 0x01, 0x01, 0x04, 0x01, 'p',  0xa0,
			    0,    0x02, 0x01, 0x01, 0x02, 0x01, 0x00, 0x02, 0x01,
			    0x00, 0x30, 0,    0x30, 0,    0x06, 64};
	size_t n = 25;
	msg[n++] = 0x2b;
	for (int i = 0; i < 63; i++)
		msg[n++] = 1;
	msg[n++] = 0x05;
	msg[n++] = 0x00;
	msg[1] = (uint8_t)(n - 2);
	msg[9] = (uint8_t)(n - 10);
	msg[20] = (uint8_t)(n - 21);
	msg[22] = (uint8_t)(n - 23);
	char message[1024];
	assert_int_equal(parse_to_message(msg, n, message, sizeof(message)), DL_EPROTO);
	assert_string_equal(message,
			    "snmp message: offset 23: oid has more arcs than the limit (value 64)");
	/* 64 arcs decode, and encode back to the same bytes */
	msg[24] = 63;
	n--;
	memmove(msg + n - 2, msg + n - 1, 2);
	msg[1] = (uint8_t)(n - 2);
	msg[9] = (uint8_t)(n - 10);
	msg[20] = (uint8_t)(n - 21);
	msg[22] = (uint8_t)(n - 23);
	struct snmp_message m;
	struct dl_error err = {0};
	assert_int_equal(snmp_parse(msg, n, &m, &err), 0);
	uint8_t again[128];
	size_t len;
	const char *oids[] = {m.varbinds[0].oid};
	assert_int_equal(snmp_build_get(again, sizeof(again), &len, 1, "p", 1, oids, 1, &err), 0);
	assert_int_equal(len, n);
	assert_memory_equal(again, msg, n);
}

static void test_nesting_depth_limit(void **state)
{
	(void)state;
	/* a varbind whose value nests SEQUENCEs 12 deep */
	uint8_t msg[128];
	size_t n = 0;
	const size_t depth = 12;
	const uint8_t head[] = {0x02, 0x01, 0x01, 0x04, 0x01, 'p',  0xa2, 0,    0x02,
				0x01, 0x01, 0x02, 0x01, 0x00, 0x02, 0x01, 0x00, 0x30,
				0,    0x30, 0,    0x06, 0x03, 0x2b, 0x06, 0x01};
	msg[n++] = 0x30;
	msg[n++] = 0;
	memcpy(msg + n, head, sizeof(head));
	n += sizeof(head);
	for (size_t i = 0; i < depth; i++) {
		msg[n++] = 0x30;
		msg[n++] = (uint8_t)(2 * (depth - 1 - i));
	}
	/* fill in the enclosing lengths */
	msg[1] = (uint8_t)(n - 2);
	msg[2 + 7] = (uint8_t)(n - 2 - 8);
	msg[2 + 18] = (uint8_t)(n - 2 - 19);
	msg[2 + 20] = (uint8_t)(n - 2 - 21);
	char message[1024];
	assert_int_equal(parse_to_message(msg, n, message, sizeof(message)), DL_EPROTO);
	assert_non_null(strstr(message, "nesting deeper than the limit"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_build_get_v2c),
		cmocka_unit_test(test_parse_snmpget_request),
		cmocka_unit_test(test_build_roundtrip_all_system_oids),
		cmocka_unit_test(test_build_errors),
		cmocka_unit_test(test_parse_net_snmp_v2c_reply),
		cmocka_unit_test(test_parse_net_snmp_v1_reply),
		cmocka_unit_test(test_every_truncation_fails_with_offset),
		cmocka_unit_test(test_value_types),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_oid_arc_limit),
		cmocka_unit_test(test_nesting_depth_limit),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
