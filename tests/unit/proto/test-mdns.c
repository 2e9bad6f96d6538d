/* test-mdns: DNS query building and response parsing against avahi-daemon's legacy unicast replies
 */
#include "core/compat.h"

#include <setjmp.h>
#include <cmocka.h>

#include "core/error.h"
#include "proto/mdns.h"
#include "vectors.h"

static int parse_to_message(const uint8_t *msg, size_t len, char *message, size_t cap)
{
	static struct mdns_message m;
	struct dl_error err = {0};
	int rc = mdns_parse(msg, len, &m, &err);
	snprintf(message, cap, "%s", err.message);
	return rc;
}

static void test_build_services_query(void **state)
{
	(void)state;
	uint8_t buf[512];
	size_t len;
	struct dl_error err = {0};
	assert_int_equal(mdns_build_services_query(buf, sizeof(buf), &len, 0x646c, &err), 0);
	const uint8_t expect[] = {0x64, 0x6c, 0,   0,   0,   1,   0,   0,   0,   0,   0,   0,
				  9,    '_',  's', 'e', 'r', 'v', 'i', 'c', 'e', 's', 7,   '_',
				  'd',  'n',  's', '-', 's', 'd', 4,   '_', 'u', 'd', 'p', 5,
				  'l',  'o',  'c', 'a', 'l', 0,   0,   12,  0,   1};
	assert_int_equal(len, sizeof(expect));
	assert_memory_equal(buf, expect, len);
	static struct mdns_message m;
	assert_int_equal(mdns_parse(buf, len, &m, &err), 0);
	assert_false(m.response);
	assert_int_equal(m.question_count, 1);
	assert_string_equal(m.questions[0].name, MDNS_SERVICES_NAME);
	assert_int_equal(m.questions[0].type, DNS_TYPE_PTR);
	assert_false(m.questions[0].unicast_response);
}

static void test_build_errors(void **state)
{
	(void)state;
	uint8_t buf[512];
	size_t len;
	struct dl_error err = {0};
	assert_int_equal(
		mdns_build_query(buf, sizeof(buf), &len, 1, "a..local", DNS_TYPE_A, true, &err),
		DL_EINVAL);
	char label[80];
	memset(label, 'x', 64);
	memcpy(label + 64, ".local", 7);
	assert_int_equal(
		mdns_build_query(buf, sizeof(buf), &len, 1, label, DNS_TYPE_A, false, &err),
		DL_EINVAL);
	assert_int_equal(mdns_build_query(buf, 20, &len, 1, "cam.local", DNS_TYPE_A, false, &err),
			 DL_ENOMEM);
	assert_int_equal(
		mdns_build_query(buf, sizeof(buf), &len, 1, "cam.local", DNS_TYPE_A, true, &err),
		0);
	assert_int_equal(buf[len - 2], 0x80); /* QU bit, RFC 6762 5.4 */
}

static void test_parse_avahi_services(void **state)
{
	(void)state;
	static uint8_t buf[VECTOR_MAX];
	size_t len = vector_load("mdns-services-reply", buf);
	static struct mdns_message m;
	struct dl_error err = {0};
	assert_int_equal(mdns_parse(buf, len, &m, &err), 0);
	assert_true(m.response);
	assert_int_equal(m.id, 0x646c); /* legacy unicast echoes the id (RFC 6762 6.7) */
	assert_int_equal(m.question_count, 1);
	assert_int_equal(m.record_count, 2);
	assert_int_equal(m.records[0].type, DNS_TYPE_PTR);
	assert_int_equal(m.records[0].ttl, 10); /* legacy unicast caps TTLs at 10 s */
	assert_string_equal(m.records[0].name, MDNS_SERVICES_NAME);
	assert_string_equal(m.records[0].target, "_rtsp._tcp.local");
	assert_string_equal(m.records[1].target, "_http._tcp.local");
	vector_assert_prefixes_fail(buf, len, parse_to_message);
}

static void test_parse_avahi_a(void **state)
{
	(void)state;
	static uint8_t buf[VECTOR_MAX];
	size_t len = vector_load("mdns-a-reply", buf);
	static struct mdns_message m;
	struct dl_error err = {0};
	assert_int_equal(mdns_parse(buf, len, &m, &err), 0);
	assert_int_equal(m.record_count, 1);
	assert_string_equal(m.records[0].name, "cam-bad.local");
	assert_int_equal(m.records[0].type, DNS_TYPE_A);
	assert_string_equal(m.records[0].text, "198.18.250.2");
}

static void test_rdata_types(void **state)
{
	(void)state;
	/* response: SRV, TXT, HINFO, AAAA for cam.local, all compressed against the first name */
	const uint8_t msg[] = {0, 0, 0x84, 0, 0, 0, 0, 4, 0, 0, 0, 0,
			       /* 12: cam.local SRV 0 0 554 cam.local */
			       3, 'c', 'a', 'm', 5, 'l', 'o', 'c', 'a', 'l', 0, 0, 33, 0x80, 1, 0,
			       0, 0, 120, 0, 8, 0, 0, 0, 0, 0x02, 0x2a, 0xc0, 12,
			       /* TXT "model=CAM-100" "fw=1.2" */
			       0xc0, 12, 0, 16, 0, 1, 0, 0, 0, 120, 0, 21, 13, 'm', 'o', 'd', 'e',
			       'l', '=', 'C', 'A', 'M', '-', '1', '0', '0', 6, 'f', 'w', '=', '1',
			       '.', '2',
			       /* HINFO "ARMV7L" "LINUX" */
			       0xc0, 12, 0, 13, 0, 1, 0, 0, 0, 120, 0, 13, 6, 'A', 'R', 'M', 'V',
			       '7', 'L', 5, 'L', 'I', 'N', 'U', 'X',
			       /* AAAA fd00:198::2 */
			       0xc0, 12, 0, 28, 0, 1, 0, 0, 0, 120, 0, 16, 0xfd, 0, 1, 0x98, 0, 0,
			       0, 0, 0, 0, 0, 0, 0, 0, 0, 2};
	static struct mdns_message m;
	struct dl_error err = {0};
	assert_int_equal(mdns_parse(msg, sizeof(msg), &m, &err), 0);
	assert_int_equal(m.record_count, 4);
	assert_string_equal(m.records[0].text, "0 0 554 cam.local");
	assert_int_equal(m.records[0].srv_port, 554);
	assert_true(m.records[0].cache_flush);
	assert_string_equal(m.records[1].name, "cam.local");
	assert_string_equal(m.records[1].text, "model=CAM-100 fw=1.2");
	assert_string_equal(m.records[2].text, "ARMV7L LINUX");
	assert_string_equal(m.records[3].text, "fd00:198::2");
}

static void expect_reject(const uint8_t *msg, size_t len, const char *message)
{
	char got[1024];
	assert_int_equal(parse_to_message(msg, len, got, sizeof(got)), DL_EPROTO);
	assert_string_equal(got, message);
}

static void test_compression_loops_rejected(void **state)
{
	(void)state;
	/* a pointer to itself */
	const uint8_t self[] = {0, 0, 0x84, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 12, 0, 1, 0, 1};
	expect_reject(
		self, sizeof(self),
		"mdns message: offset 12: compression pointer does not point backward (value 12)");
	/* two labels pointing at each other: the second points forward */
	const uint8_t pair[] = {0,    0,  0x84, 0, 0, 2, 0, 0,   0,    0,  0, 0, 1, 'a',
				0xc0, 20, 0,    1, 0, 1, 1, 'b', 0xc0, 12, 0, 1, 0, 1};
	expect_reject(
		pair, sizeof(pair),
		"mdns message: offset 14: compression pointer does not point backward (value 20)");
	/* forward pointer past the end */
	const uint8_t past[] = {0, 0, 0x84, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xc3, 0xff};
	expect_reject(past, sizeof(past),
		      "mdns message: offset 12: compression pointer does not point backward (value "
		      "1023)");
	/* reserved label type 0x40 */
	const uint8_t reserved[] = {0, 0, 0x84, 0,   0, 1, 0, 0, 0, 0,
				    0, 0, 0x41, 'a', 0, 0, 1, 0, 1};
	expect_reject(reserved, sizeof(reserved),
		      "mdns message: offset 12: reserved label type (value 65)");
}

/* tests/fuzz/regressions/mdns/chained-compression-pointers.bin: a pointer reached through a
 * pointer once reused the cursor it was read from and crashed */
static void test_chained_pointers(void **state)
{
	(void)state;
	static uint8_t buf[VECTOR_MAX];
	char path[512];
	snprintf(path, sizeof(path),
		 "%s/tests/fuzz/regressions/mdns/chained-compression-pointers.bin",
		 TEST_SOURCE_DIR);
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	size_t len = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	static struct mdns_message m;
	struct dl_error err = {0};
	assert_int_equal(mdns_parse(buf, len, &m, &err), 0);
	assert_int_equal(m.question_count, 3);
	assert_string_equal(m.questions[1].name, "b.a");
	assert_string_equal(m.questions[2].name, "b.a");
}

/* tests/fuzz/regressions/mdns/label-with-a-dot-rendered-ambiguously.bin: a label holding '.'
 * once rendered like two labels; now escaped as in RFC 4343 presentation format */
static void test_label_escapes(void **state)
{
	(void)state;
	const uint8_t msg[] = {0, 0,  0x84, 0,   0,   1,   0,   0,   0,   0,   0,
			       0, 10, 'C',  'a', 'm', ' ', 'v', '2', '.', '0', '\\',
			       1, 4,  '_',  'w', 'e', 'b', 0,   0,   16,  0,   1};
	static struct mdns_message m;
	struct dl_error err = {0};
	assert_int_equal(mdns_parse(msg, sizeof(msg), &m, &err), 0);
	assert_string_equal(m.questions[0].name, "Cam v2\\.0\\\\?._web");
}

static void test_limits(void **state)
{
	(void)state;
	const uint8_t many[] = {0, 0, 0x84, 0, 0, 0, 0x01, 0x00, 0, 0, 0, 0};
	expect_reject(many, sizeof(many),
		      "mdns message: offset 6: more records than the limit (value 256)");
	const uint8_t questions[] = {0, 0, 0x84, 0, 0, 17, 0, 0, 0, 0, 0, 0};
	expect_reject(questions, sizeof(questions),
		      "mdns message: offset 4: more questions than the limit (value 17)");
	/* an A record with 5 bytes of rdata */
	const uint8_t a5[] = {0, 0, 0x84, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0,
			      1, 0, 1,    0, 0, 0, 0, 0, 5, 1, 2, 3, 4, 5};
	expect_reject(a5, sizeof(a5),
		      "mdns message: offset 23: address record has the wrong length (value 5)");
	/* a name longer than 255 octets, made of pointers to ever longer names */
	static uint8_t longname[1024];
	size_t n = 12;
	memcpy(longname, (const uint8_t[]){0, 0, 0x84, 0, 0, 5, 0, 0, 0, 0, 0, 0}, 12);
	size_t prev = 0;
	for (int q = 0; q < 5; q++) {
		size_t start = n;
		longname[n++] = 63;
		memset(longname + n, 'x', 63);
		n += 63;
		if (q == 0) {
			longname[n++] = 0;
		} else {
			longname[n++] = (uint8_t)(0xc0 | (prev >> 8));
			longname[n++] = (uint8_t)prev;
		}
		longname[n++] = 0;
		longname[n++] = 1;
		longname[n++] = 0;
		longname[n++] = 1;
		prev = start;
	}
	char got[1024];
	assert_int_equal(parse_to_message(longname, n, got, sizeof(got)), DL_EPROTO);
	assert_non_null(strstr(got, "name longer than 255 octets"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_build_services_query),
		cmocka_unit_test(test_build_errors),
		cmocka_unit_test(test_parse_avahi_services),
		cmocka_unit_test(test_parse_avahi_a),
		cmocka_unit_test(test_rdata_types),
		cmocka_unit_test(test_compression_loops_rejected),
		cmocka_unit_test(test_chained_pointers),
		cmocka_unit_test(test_label_escapes),
		cmocka_unit_test(test_limits),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
