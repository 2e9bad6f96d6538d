/* test-rtsp: OPTIONS/DESCRIBE building and response parsing against GStreamer's RTSP server */
#include "core/compat.h"

#include <setjmp.h>
#include <cmocka.h>

#include "core/error.h"
#include "proto/rtsp.h"
#include "vectors.h"

static int parse_to_message(const uint8_t *msg, size_t len, char *message, size_t cap)
{
	struct rtsp_response r;
	struct dl_error err = {0};
	int rc = rtsp_parse_response(msg, len, &r, &err);
	snprintf(message, cap, "%s", err.message);
	return rc;
}

static void test_build(void **state)
{
	(void)state;
	uint8_t buf[512];
	size_t len;
	struct dl_error err = {0};
	assert_int_equal(
		rtsp_build_options(buf, sizeof(buf), &len, "rtsp://198.18.1.2:554/", 7, &err), 0);
	const char expect[] = "OPTIONS rtsp://198.18.1.2:554/ RTSP/1.0\r\nCSeq: 7\r\n"
			      "User-Agent: dutlab/0.1\r\n\r\n";
	assert_int_equal(len, sizeof(expect) - 1);
	assert_memory_equal(buf, expect, len);
	assert_int_equal(
		rtsp_build_describe(buf, sizeof(buf), &len, "rtsp://198.18.1.2/s", 8, &err), 0);
	assert_non_null(memmem(buf, len,
			       "DESCRIBE rtsp://198.18.1.2/s RTSP/1.0\r\nCSeq: 8\r\n"
			       "Accept: application/sdp\r\n",
			       73));
	assert_int_equal(rtsp_build_options(buf, sizeof(buf), &len, "rtsp://a b/", 1, &err),
			 DL_EINVAL);
	assert_int_equal(rtsp_build_options(buf, 30, &len, "rtsp://198.18.1.2/", 1, &err),
			 DL_ENOMEM);
}

static void test_parse_gstreamer_options(void **state)
{
	(void)state;
	static uint8_t buf[VECTOR_MAX];
	size_t len = vector_load("rtsp-options-reply", buf);
	struct rtsp_response r;
	struct dl_error err = {0};
	assert_int_equal(rtsp_parse_response(buf, len, &r, &err), 0);
	assert_int_equal(r.status, 200);
	assert_string_equal(r.reason, "OK");
	assert_string_equal(r.server, "GStreamer RTSP server");
	assert_true(r.has_cseq);
	assert_int_equal(r.cseq, 1);
	assert_non_null(strstr(r.public_methods, "DESCRIBE"));
	assert_false(r.has_content_length);
	assert_int_equal(r.header_length, len);
	vector_assert_prefixes_fail(buf, len, parse_to_message);
}

static void test_parse_gstreamer_describe(void **state)
{
	(void)state;
	static uint8_t buf[VECTOR_MAX];
	size_t len = vector_load("rtsp-describe-reply", buf);
	struct rtsp_response r;
	struct dl_error err = {0};
	assert_int_equal(rtsp_parse_response(buf, len, &r, &err), 0);
	assert_int_equal(r.status, 200);
	assert_int_equal(r.cseq, 2);
	assert_true(r.has_content_length);
	assert_int_equal(r.body_available, r.content_length);
	assert_memory_equal(buf + r.header_length, "v=0", 3);
}

static void test_malformed(void **state)
{
	(void)state;
	char message[1024];
	const char http[] = "HTTP/1.1 200 OK\r\n\r\n";
	assert_int_equal(
		parse_to_message((const uint8_t *)http, sizeof(http) - 1, message, sizeof(message)),
		DL_EPROTO);
	assert_string_equal(
		message,
		"rtsp response: offset 0: status line does not start with 'RTSP/1.0 ' (value 15)");
	const char badlen[] =
		"RTSP/1.0 401 Unauthorized\r\nCSeq: 1\r\nContent-Length: 99999999999\r\n\r\n";
	assert_int_equal(parse_to_message((const uint8_t *)badlen, sizeof(badlen) - 1, message,
					  sizeof(message)),
			 DL_EPROTO);
	assert_string_equal(message,
			    "rtsp response: offset 36: number too large (value 4294967295)");
	const char auth[] =
		"RTSP/1.0 401 Unauthorized\r\nCSeq: 3\r\nwww-authenticate: Digest "
		"realm=\"cam\", nonce=\"abc\"\r\nWWW-Authenticate: Basic realm=\"cam\"\r\n\r\n";
	struct rtsp_response r;
	struct dl_error err = {0};
	assert_int_equal(rtsp_parse_response((const uint8_t *)auth, sizeof(auth) - 1, &r, &err), 0);
	assert_int_equal(r.status, 401);
	assert_string_equal(r.www_authenticate, "Digest realm=\"cam\", nonce=\"abc\"");
	const char cseq[] = "RTSP/1.0 200 OK\r\nCSeq: -1\r\n\r\n";
	assert_int_equal(
		parse_to_message((const uint8_t *)cseq, sizeof(cseq) - 1, message, sizeof(message)),
		DL_EPROTO);
	assert_string_equal(message, "rtsp response: offset 17: number has a non-digit (value 45)");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_build),
		cmocka_unit_test(test_parse_gstreamer_options),
		cmocka_unit_test(test_parse_gstreamer_describe),
		cmocka_unit_test(test_malformed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
