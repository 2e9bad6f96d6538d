/* test-tcp-md5: TCP connections signed with the MD5 option (RFC 2385), as a BGP peer with a
 * password demands */
#include "core/compat.h"

#include <setjmp.h>
#include <cmocka.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/error.h"
#include "net/scope.h"
#include "net/sock.h"

static struct scope scope;

static int setup(void **state)
{
	(void)state;
	struct dl_error err = {0};
	memset(&scope, 0, sizeof(scope));
	scope.origin = "test profile";
	return scope_add_network(&scope, "127.0.0.0/8", &err);
}

static int teardown(void **state)
{
	(void)state;
	scope_release(&scope);
	return 0;
}

/* A listener on 127.0.0.1 that demands key from 127.0.0.1; its port. */
static uint16_t keyed_listener(const char *key, int *fd_out)
{
	struct dl_error err = {0};
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(fd >= 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	struct sock_address peer;
	assert_int_equal(sock_address_parse("127.0.0.1", 0, &peer, &err), 0);
	if (sock_tcp_md5(fd, &peer, key, &err) != 0)
		fail_msg("%s", err.message);
	assert_int_equal(listen(fd, 8), 0);
	socklen_t length = sizeof(a);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &length), 0);
	*fd_out = fd;
	return ntohs(a.sin_port);
}

static int connect_with(uint16_t port, const char *key, int64_t wait_ms, int *fd,
			struct dl_error *err)
{
	struct sock_address target;
	assert_int_equal(sock_address_parse("127.0.0.1", port, &target, err), 0);
	return sock_tcp_connect_keyed(&scope, &target, NULL, key, sock_now_ns() + wait_ms * 1000000,
				      fd, err);
}

static void test_signed_connection(void **state)
{
	(void)state;
	int listener, client = -1;
	uint16_t port = keyed_listener("Lab-Bgp!frr-2026", &listener);
	struct dl_error err = {0};
	if (connect_with(port, "Lab-Bgp!frr-2026", 2000, &client, &err) != 0)
		fail_msg("%s", err.message);
	int accepted = accept(listener, NULL, NULL);
	assert_true(accepted >= 0);
	assert_int_equal(sock_send_all(client, "OPEN", 4, sock_now_ns() + 1000000000LL, &err), 0);
	char buf[8];
	struct pollfd pfd = {.fd = accepted, .events = POLLIN};
	assert_int_equal(poll(&pfd, 1, 1000), 1);
	assert_int_equal(recv(accepted, buf, sizeof(buf), 0), 4);
	assert_memory_equal(buf, "OPEN", 4);
	close(accepted);
	close(client);
	close(listener);
}

/* The listener drops every unsigned or wrongly signed SYN: the connect never
 * completes (a BGP speaker with a password looks like a filtered port). */
static void test_unsigned_or_wrong_key_is_ignored(void **state)
{
	(void)state;
	int listener, client = -1;
	uint16_t port = keyed_listener("Lab-Bgp!frr-2026", &listener);
	struct dl_error err = {0};
	assert_int_equal(connect_with(port, NULL, 600, &client, &err), DL_ETIMEDOUT);
	assert_int_equal(connect_with(port, "not-the-password", 600, &client, &err), DL_ETIMEDOUT);
	close(listener);
}

static void test_bad_keys_refused(void **state)
{
	(void)state;
	struct dl_error err = {0};
	int client = -1;
	char long_key[90];
	memset(long_key, 'k', sizeof(long_key) - 1);
	long_key[sizeof(long_key) - 1] = '\0';
	assert_int_equal(connect_with(179, long_key, 100, &client, &err), DL_EINVAL);
	assert_non_null(strstr(err.message, "TCP-MD5 key of 89 bytes; give 1 to 80"));
	assert_int_equal(connect_with(179, "", 100, &client, &err), DL_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_signed_connection),
		cmocka_unit_test(test_unsigned_or_wrong_key_is_ignored),
		cmocka_unit_test(test_bad_keys_refused),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
