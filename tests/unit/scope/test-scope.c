/* test-scope: the scope guard refuses every destination and interface the profile did not declare
 */
#include "core/compat.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <cmocka.h>

#include "core/error.h"
#include "net/scope.h"

static struct scope lab_scope(void)
{
	struct scope s = {.origin = "profile 'test.yaml'"};
	struct dl_error err = {0};
	assert_int_equal(scope_add_network(&s, "198.18.1.0/24", &err), 0);
	assert_int_equal(scope_add_network(&s, "fd00:198:0:1::/64", &err), 0);
	assert_int_equal(scope_add_network(&s, "198.19.0.7", &err), 0); /* a single host */
	assert_int_equal(scope_add_interface(&s, "tcam-good", &err), 0);
	return s;
}

static void expect_refused(const struct scope *s, const char *address, const char *interface,
			   const char *phrase)
{
	struct dl_error err = {0};
	assert_int_equal(scope_permit_text(s, address, interface, &err), DL_ESCOPE);
	if (!strstr(err.message, phrase))
		fail_msg("message '%s' lacks '%s'", err.message, phrase);
}

static void test_ipv4_inside_and_outside(void **state)
{
	(void)state;
	struct scope s = lab_scope();
	struct dl_error err = {0};
	assert_int_equal(scope_permit_text(&s, "198.18.1.2", NULL, &err), 0);
	assert_int_equal(scope_permit_text(&s, "198.18.1.255", "tcam-good", &err), 0);
	assert_int_equal(scope_permit_text(&s, "198.19.0.7", NULL, &err), 0);
	expect_refused(&s, "198.18.2.2", NULL, "198.18.2.2 is not inside scope.networks");
	expect_refused(&s, "198.19.0.8", NULL, "198.19.0.8");
	expect_refused(&s, "8.8.8.8", NULL, "profile 'test.yaml'");
	expect_refused(&s, "127.0.0.1", NULL, "not inside scope.networks");
	scope_release(&s);
}

static void test_ipv6_and_mapped(void **state)
{
	(void)state;
	struct scope s = lab_scope();
	struct dl_error err = {0};
	assert_int_equal(scope_permit_text(&s, "fd00:198:0:1::2", NULL, &err), 0);
	assert_int_equal(scope_permit_text(&s, "fd00:198:0:1:ffff:ffff:ffff:ffff", NULL, &err), 0);
	expect_refused(&s, "fd00:198:0:2::2", NULL, "fd00:198:0:2::2");
	expect_refused(&s, "::1", NULL, "not inside scope.networks");
	/* A v4-mapped address is judged as the IPv4 host it reaches. */
	assert_int_equal(scope_permit_text(&s, "::ffff:198.18.1.9", NULL, &err), 0);
	expect_refused(&s, "::ffff:198.18.2.9", NULL, "198.18.2.9");
	expect_refused(&s, "::ffff:10.0.0.1", NULL, "10.0.0.1");
	scope_release(&s);
}

static void test_interfaces(void **state)
{
	(void)state;
	struct scope s = lab_scope();
	struct dl_error err = {0};
	expect_refused(&s, "198.18.1.2", "eth0", "interface 'eth0' is not in scope.interfaces");
	expect_refused(&s, "198.18.1.2", "tcam-goo", "tcam-goo");
	/* A raw frame with no IP destination: only on a declared interface. */
	assert_int_equal(scope_permit(&s, NULL, 0, "tcam-good", &err), 0);
	assert_int_equal(scope_permit(&s, NULL, 0, "lo", &err), DL_ESCOPE);
	assert_int_equal(scope_permit(&s, NULL, 0, NULL, &err), DL_ESCOPE);
	assert_int_equal(scope_add_interface(&s, "a-name-too-long-x", &err), DL_EINVAL);
	assert_int_equal(scope_add_interface(&s, "bad/name", &err), DL_EINVAL);
	assert_int_equal(scope_add_interface(&s, "", &err), DL_EINVAL);
	scope_release(&s);
}

static void test_sockaddr_forms(void **state)
{
	(void)state;
	struct scope s = lab_scope();
	struct dl_error err = {0};
	struct sockaddr_in in = {.sin_family = AF_INET};
	inet_pton(AF_INET, "198.18.1.2", &in.sin_addr);
	assert_int_equal(scope_permit(&s, (struct sockaddr *)&in, sizeof(in), NULL, &err), 0);
	/* A truncated sockaddr is refused rather than read past its end. */
	assert_int_equal(scope_permit(&s, (struct sockaddr *)&in, 4, NULL, &err), DL_EINVAL);
	struct sockaddr unknown = {.sa_family = AF_UNIX};
	assert_int_equal(scope_permit(&s, &unknown, sizeof(unknown), NULL, &err), DL_ESCOPE);
	/* No scope at all refuses everything. */
	assert_int_equal(scope_permit(NULL, (struct sockaddr *)&in, sizeof(in), NULL, &err),
			 DL_ESCOPE);
	struct scope empty = {0};
	assert_int_equal(scope_permit(&empty, (struct sockaddr *)&in, sizeof(in), NULL, &err),
			 DL_ESCOPE);
	scope_release(&s);
}

static void test_parse_networks(void **state)
{
	(void)state;
	struct scope_network n;
	struct dl_error err = {0};
	assert_int_equal(scope_parse_network("198.18.0.0/15", &n, &err), 0);
	assert_int_equal(n.prefix_length, 15);
	assert_int_equal(scope_parse_network("fd00:198::/48", &n, &err), 0);
	assert_int_equal(n.family, AF_INET6);
	assert_int_equal(scope_parse_network("198.18.1.7/24", &n, &err), DL_EINVAL);
	assert_non_null(strstr(err.message, "host bits"));
	assert_int_equal(scope_parse_network("198.18.1.0/33", &n, &err), DL_EINVAL);
	assert_int_equal(scope_parse_network("fd00::/129", &n, &err), DL_EINVAL);
	assert_int_equal(scope_parse_network("198.18.1.0/", &n, &err), DL_EINVAL);
	assert_int_equal(scope_parse_network("198.18.1.0/2x", &n, &err), DL_EINVAL);
	assert_int_equal(scope_parse_network("camera.local", &n, &err), DL_EINVAL);
	assert_int_equal(scope_parse_network("", &n, &err), DL_EINVAL);
	assert_int_equal(scope_parse_network("0.0.0.0/0", &n, &err), 0);
	/* Boundaries of a /15. */
	uint8_t inside[4] = {198, 19, 255, 255}, outside[4] = {198, 20, 0, 0};
	assert_int_equal(scope_parse_network("198.18.0.0/15", &n, &err), 0);
	assert_true(scope_contains(&n, AF_INET, inside));
	assert_false(scope_contains(&n, AF_INET, outside));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ipv4_inside_and_outside),
		cmocka_unit_test(test_ipv6_and_mapped),
		cmocka_unit_test(test_interfaces),
		cmocka_unit_test(test_sockaddr_forms),
		cmocka_unit_test(test_parse_networks),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
