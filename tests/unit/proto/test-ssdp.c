/* test-ssdp: M-SEARCH building and search-response parsing against miniupnpd's real reply */
#include "core/compat.h"

#include <setjmp.h>
#include <cmocka.h>

#include "core/error.h"
#include "proto/ssdp.h"
#include "vectors.h"

static int parse_to_message(const uint8_t *msg, size_t len, char *message, size_t cap)
{
	struct ssdp_response r;
	struct dl_error err = {0};
	int rc = ssdp_parse_response(msg, len, &r, &err);
	snprintf(message, cap, "%s", err.message);
	return rc;
}

static void test_build_msearch(void **state)
{
	(void)state;
	uint8_t buf[512];
	size_t len;
	struct dl_error err = {0};
	assert_int_equal(
		ssdp_build_msearch(buf, sizeof(buf), &len, "198.18.1.2", "ssdp:all", 1, &err), 0);
	const char expect[] = "M-SEARCH * HTTP/1.1\r\n"
			      "HOST: 198.18.1.2:1900\r\n"
			      "MAN: \"ssdp:discover\"\r\n"
			      "MX: 1\r\n"
			      "ST: ssdp:all\r\n"
			      "USER-AGENT: Linux/6 UPnP/2.0 dutlab/0.1\r\n"
			      "\r\n";
	assert_int_equal(len, sizeof(expect) - 1);
	assert_memory_equal(buf, expect, len);
	assert_int_equal(
		ssdp_build_msearch(buf, sizeof(buf), &len, "fd00:198::2", "ssdp:all", 2, &err), 0);
	assert_non_null(memmem(buf, len, "HOST: [fd00:198::2]:1900\r\n", 26));
	assert_int_equal(
		ssdp_build_msearch(buf, sizeof(buf), &len, "198.18.1.2", "ssdp:all", 9, &err),
		DL_EINVAL);
	assert_int_equal(
		ssdp_build_msearch(buf, sizeof(buf), &len, "1.2.3.4\r\nX: y", "ssdp:all", 1, &err),
		DL_EINVAL);
	assert_int_equal(ssdp_build_msearch(buf, 40, &len, "198.18.1.2", "ssdp:all", 1, &err),
			 DL_ENOMEM);
}

static void test_parse_miniupnpd_reply(void **state)
{
	(void)state;
	static uint8_t buf[VECTOR_MAX];
	size_t len = vector_load("ssdp-reply", buf);
	struct ssdp_response r;
	struct dl_error err = {0};
	assert_int_equal(ssdp_parse_response(buf, len, &r, &err), 0);
	assert_int_equal(r.status, 200);
	assert_string_equal(r.reason, "OK");
	assert_string_equal(r.location, "http://198.18.250.2:5000/rootDesc.xml");
	assert_non_null(strstr(r.server, "MiniUPnPd/2.3.1"));
	assert_string_equal(r.st, "urn:schemas-upnp-org:service:WANCommonInterfaceConfig:1");
	assert_true(strncmp(r.usn, "uuid:3d3cec3a-8cf0-11e0-98ee-001a6bd2d07c::", 43) == 0);
	assert_string_equal(r.cache_control, "max-age=120");
	/* a cut header line has no end */
	char message[1024];
	assert_int_equal(parse_to_message(buf, 60, message, sizeof(message)), DL_EPROTO);
	assert_string_equal(message, "ssdp response: offset 45: truncated: line has no end");
}

static void test_case_insensitive_and_bounds(void **state)
{
	(void)state;
	const char ok[] = "HTTP/1.1 200 OK\r\nlocation: http://x/\r\nServer:a\r\n\r\n";
	struct ssdp_response r;
	struct dl_error err = {0};
	assert_int_equal(ssdp_parse_response((const uint8_t *)ok, sizeof(ok) - 1, &r, &err), 0);
	assert_string_equal(r.location, "http://x/");
	assert_string_equal(r.server, "a");
	char message[1024];
	const char notstatus[] = "NOTIFY * HTTP/1.1\r\n\r\n";
	assert_int_equal(parse_to_message((const uint8_t *)notstatus, sizeof(notstatus) - 1,
					  message, sizeof(message)),
			 DL_EPROTO);
	assert_string_equal(
		message,
		"ssdp response: offset 0: status line does not start with HTTP/1.x (value 17)");
	const char badcode[] = "HTTP/1.1 2x0 OK\r\n\r\n";
	assert_int_equal(parse_to_message((const uint8_t *)badcode, sizeof(badcode) - 1, message,
					  sizeof(message)),
			 DL_EPROTO);
	assert_string_equal(
		message, "ssdp response: offset 10: status code is not three digits (value 120)");
	/* oversized datagram, over-long line, too many headers */
	static uint8_t big[SSDP_MESSAGE_MAX + 1];
	memset(big, 'a', sizeof(big));
	assert_int_equal(parse_to_message(big, sizeof(big), message, sizeof(message)), DL_EPROTO);
	char longline[2200] = "HTTP/1.1 200 OK\r\nSERVER: ";
	size_t n = strlen(longline);
	memset(longline + n, 'x', 1500);
	memcpy(longline + n + 1500, "\r\n\r\n", 4);
	assert_int_equal(
		parse_to_message((const uint8_t *)longline, n + 1504, message, sizeof(message)),
		DL_EPROTO);
	assert_non_null(strstr(message, "line too long"));
	char many[4096] = "HTTP/1.1 200 OK\r\n";
	for (int i = 0; i < 70; i++) {
		size_t used = strlen(many);
		snprintf(many + used, sizeof(many) - used, "X-%d: y\r\n", i);
	}
	assert_int_equal(
		parse_to_message((const uint8_t *)many, strlen(many), message, sizeof(message)),
		DL_EPROTO);
	assert_non_null(strstr(message, "more headers than the limit (value 64)"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_build_msearch),
		cmocka_unit_test(test_parse_miniupnpd_reply),
		cmocka_unit_test(test_case_insensitive_and_bounds),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
