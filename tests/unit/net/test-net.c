/* test-net: sockets, scans, UDP exchanges, capture and pcapng, in a private network namespace */
#include "core/compat.h"

#include <setjmp.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/error.h"
#include "net/capture.h"
#include "net/pcapng.h"
#include "net/scope.h"
#include "net/sock.h"
#include "net/tcp-scan.h"
#include "net/udp.h"

/*
 * The network tests run in a network namespace of their own (unshare, as
 * root), where the loopback interface is ours alone: nothing they send
 * leaves it. Without the privilege they are skipped, and the pure tests
 * (addresses, scope refusals, the pcapng writer) still run.
 */
static bool private_net;

static int enter_private_net(void **state)
{
	(void)state;
	if (unshare(CLONE_NEWNET) != 0)
		return 0;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	struct ifreq ifr;
	memset(&ifr, 0, sizeof(ifr));
	memcpy(ifr.ifr_name, "lo", 3);
	if (fd >= 0 && ioctl(fd, SIOCGIFFLAGS, &ifr) == 0) {
		ifr.ifr_flags |= IFF_UP;
		private_net = ioctl(fd, SIOCSIFFLAGS, &ifr) == 0;
	}
	if (fd >= 0)
		close(fd);
	/* Keep the kernel's ephemeral ports away from the scanned range: a
	 * connect() from port P to port P on loopback connects to itself. */
	FILE *f = fopen("/proc/sys/net/ipv4/ip_local_port_range", "w");
	if (f) {
		fputs("50000 50999\n", f);
		fclose(f);
	}
	return 0;
}

static void scope_for(struct scope *s, const char *network, const char *interface)
{
	memset(s, 0, sizeof(*s));
	struct dl_error err = {0};
	assert_int_equal(scope_add_network(s, network, &err), 0);
	if (interface)
		assert_int_equal(scope_add_interface(s, interface, &err), 0);
	s->origin = "test profile";
}

/* A listening TCP socket on 127.0.0.1 port (0: any); returns its port. */
static uint16_t listen_on(int *fd_out, uint16_t port)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(fd >= 0);
	int one = 1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	struct sockaddr_in a = {.sin_family = AF_INET,
				.sin_addr.s_addr = htonl(INADDR_LOOPBACK),
				.sin_port = htons(port)};
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(fd, 64), 0);
	socklen_t len = sizeof(a);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
	*fd_out = fd;
	return ntohs(a.sin_port);
}

/* ADDRESS[:PORT], as `dutlab tls` and `dutlab ssh` take their targets. */
static void test_endpoint(void **state)
{
	(void)state;
	char address[64];
	uint16_t port = 0;
	struct dl_error err = {0};
	assert_int_equal(
		sock_endpoint_parse("198.18.1.2:8443", 443, address, sizeof(address), &port, &err),
		0);
	assert_string_equal(address, "198.18.1.2");
	assert_int_equal(port, 8443);
	assert_int_equal(
		sock_endpoint_parse("198.18.1.2", 22, address, sizeof(address), &port, &err), 0);
	assert_int_equal(port, 22);
	assert_int_equal(sock_endpoint_parse("[fd00:198::2]:322", 443, address, sizeof(address),
					     &port, &err),
			 0);
	assert_string_equal(address, "fd00:198::2");
	assert_int_equal(port, 322);
	assert_int_equal(
		sock_endpoint_parse("fd00:198::2", 443, address, sizeof(address), &port, &err), 0);
	assert_string_equal(address, "fd00:198::2");
	assert_int_equal(port, 443);
	static const char *const bad[] = {
		"cam.example:443", "198.18.1.2:0", "198.18.1.2:70000", "[fd00:198::2",
		"[fd00:198::2]x",  ":443",         "198.18.1.2:",      ""};
	for (size_t i = 0; i < DL_ARRAY_SIZE(bad); i++) {
		assert_int_equal(
			sock_endpoint_parse(bad[i], 443, address, sizeof(address), &port, &err),
			DL_EINVAL);
		assert_non_null(strstr(err.message, "is not ADDRESS[:PORT]"));
	}
	/* An address longer than the buffer is refused, not cut. */
	assert_int_equal(sock_endpoint_parse("198.18.1.2:443", 443, address, 8, &port, &err),
			 DL_EINVAL);
}

static void test_address(void **state)
{
	(void)state;
	struct sock_address a;
	struct dl_error err = {0};
	char text[INET6_ADDRSTRLEN];
	assert_int_equal(sock_address_parse("198.18.1.2", 80, &a, &err), 0);
	assert_int_equal(sock_address_family(&a), AF_INET);
	assert_string_equal(sock_address_text(&a, text, sizeof(text)), "198.18.1.2");
	assert_int_equal(sock_address_parse("fd00:198:0:1::2", 0, &a, &err), 0);
	assert_int_equal(sock_address_family(&a), AF_INET6);
	assert_string_equal(sock_address_text(&a, text, sizeof(text)), "fd00:198:0:1::2");
	assert_int_equal(sock_address_parse("camera.local", 0, &a, &err), DL_EINVAL);
	assert_non_null(strstr(err.message, "'camera.local' is not a numeric"));
	assert_int_equal(sock_address_parse("198.18.1.2%eth0", 0, &a, &err), DL_EINVAL);
	assert_int_equal(sock_address_parse(NULL, 0, &a, &err), DL_EINVAL);
}

/* Every way to send refuses an address or interface outside the scope,
 * before any socket exists. */
static void test_scope_refusal(void **state)
{
	(void)state;
	struct scope s;
	scope_for(&s, "198.18.1.0/24", "tcam0");
	struct dl_error err = {0};
	struct sock_address outside, inside, mapped;
	assert_int_equal(sock_address_parse("198.18.9.9", 80, &outside, &err), 0);
	assert_int_equal(sock_address_parse("198.18.1.2", 80, &inside, &err), 0);
	assert_int_equal(sock_address_parse("::ffff:198.18.9.9", 80, &mapped, &err), 0);
	int fd = -1;
	assert_int_equal(sock_open(&s, &outside, SOCK_STREAM, 0, "tcam0", &fd, &err), DL_ESCOPE);
	assert_int_equal(fd, -1);
	assert_non_null(strstr(err.message, "198.18.9.9"));
	assert_int_equal(sock_open(&s, &mapped, SOCK_DGRAM, 0, "tcam0", &fd, &err), DL_ESCOPE);
	assert_int_equal(sock_open(&s, &inside, SOCK_STREAM, 0, "eth0", &fd, &err), DL_ESCOPE);
	assert_non_null(strstr(err.message, "eth0"));

	struct tcp_scan_result r;
	assert_int_equal(
		tcp_scan(&s, "tcam0", &outside, NULL, sock_now_ns() + 1000000000, &r, &err),
		DL_ESCOPE);
	assert_null(r.open);
	uint8_t reply[16];
	size_t got = 0;
	enum udp_outcome outcome;
	assert_int_equal(udp_exchange(&s, "tcam0", &outside, (const uint8_t *)"x", 1, reply,
				      sizeof(reply), &got, 1, sock_now_ns() + 1000000000, &outcome,
				      &err),
			 DL_ESCOPE);
	assert_string_equal(sock_interface(&s), "tcam0");
	scope_release(&s);
}

static void scan_loopback(enum tcp_scan_method method)
{
	if (!private_net)
		skip();
	int listeners[3];
	static const uint16_t wanted[3] = {20001, 20999, 24000};
	uint16_t ports[3];
	for (int i = 0; i < 3; i++)
		ports[i] = listen_on(&listeners[i], wanted[i]);
	struct scope s;
	scope_for(&s, "127.0.0.0/8", NULL);
	struct sock_address target;
	struct dl_error err = {0};
	assert_int_equal(sock_address_parse("127.0.0.1", 0, &target, &err), 0);
	struct tcp_scan_options o = {
		.method = method,
		.first_port = 16000, /* more than 4096 ports: the SYN method uses its workers */
		.last_port = 24000,
		.retries = 1,
		.timeout_ms = 500,
	};
	struct tcp_scan_result r;
	assert_int_equal(tcp_scan(&s, NULL, &target, &o, sock_now_ns() + 20000000000LL, &r, &err),
			 0);
	assert_int_equal(r.method, method);
	assert_true(r.complete);
	assert_int_equal(r.total, (uint32_t)(o.last_port - o.first_port + 1));
	assert_int_equal(r.scanned, r.total);
	assert_int_equal(r.open_count, 3);
	for (size_t i = 0; i < r.open_count; i++)
		assert_true(r.open[i] == ports[0] || r.open[i] == ports[1] ||
			    r.open[i] == ports[2]);
	assert_true(r.open[0] < r.open[1] && r.open[1] < r.open[2]);
	assert_int_equal(r.closed + r.filtered, r.total - 3);
	assert_int_equal(r.filtered, 0);
	tcp_scan_result_release(&r);
	for (int i = 0; i < 3; i++)
		close(listeners[i]);
	scope_release(&s);
}

static void test_scan_connect(void **state)
{
	(void)state;
	scan_loopback(TCP_SCAN_CONNECT);
}

static void test_scan_syn(void **state)
{
	(void)state;
	scan_loopback(TCP_SCAN_SYN);
}

static void test_scan_deadline(void **state)
{
	(void)state;
	if (!private_net)
		skip();
	struct scope s;
	scope_for(&s, "127.0.0.0/8", NULL);
	struct sock_address target;
	struct dl_error err = {0};
	assert_int_equal(sock_address_parse("127.0.0.1", 0, &target, &err), 0);
	struct tcp_scan_result r;
	/* a deadline already past: the scan returns at once, marked incomplete */
	assert_int_equal(tcp_scan(&s, NULL, &target, NULL, sock_now_ns() - 1, &r, &err), 0);
	assert_false(r.complete);
	assert_true(r.scanned < r.total);
	tcp_scan_result_release(&r);
	scope_release(&s);
}

static void test_udp(void **state)
{
	(void)state;
	if (!private_net)
		skip();
	struct scope s;
	scope_for(&s, "127.0.0.0/8", NULL);
	int echo = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	assert_int_equal(bind(echo, (struct sockaddr *)&a, sizeof(a)), 0);
	socklen_t len = sizeof(a);
	assert_int_equal(getsockname(echo, (struct sockaddr *)&a, &len), 0);
	uint16_t port = ntohs(a.sin_port);

	/* first a port nobody listens on (ICMP port unreachable), then an
	 * echo served by a child process */
	struct sock_address closed_target, echo_target;
	struct dl_error err = {0};
	int probe = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	assert_int_equal(
		bind(probe,
		     (struct sockaddr *)&(struct sockaddr_in){
			     .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)},
		     sizeof(struct sockaddr_in)),
		0);
	struct sockaddr_in free_port;
	len = sizeof(free_port);
	getsockname(probe, (struct sockaddr *)&free_port, &len);
	close(probe); /* now nothing listens on free_port */
	assert_int_equal(
		sock_address_parse("127.0.0.1", ntohs(free_port.sin_port), &closed_target, &err),
		0);
	uint8_t reply[64];
	size_t got = 0;
	enum udp_outcome outcome = UDP_ANSWERED;
	assert_int_equal(udp_exchange(&s, NULL, &closed_target, (const uint8_t *)"ping", 4, reply,
				      sizeof(reply), &got, 2, sock_now_ns() + 2000000000, &outcome,
				      &err),
			 0);
	assert_int_equal(outcome, UDP_CLOSED);
	assert_string_equal(udp_outcome_name(outcome), "closed");

	pid_t child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		uint8_t buf[64];
		struct sockaddr_storage from;
		socklen_t from_len = sizeof(from);
		ssize_t n =
			recvfrom(echo, buf, sizeof(buf), 0, (struct sockaddr *)&from, &from_len);
		if (n > 0)
			sendto(echo, buf, (size_t)n, 0, (struct sockaddr *)&from, from_len);
		_exit(0);
	}
	assert_int_equal(sock_address_parse("127.0.0.1", port, &echo_target, &err), 0);
	assert_int_equal(udp_exchange(&s, NULL, &echo_target, (const uint8_t *)"hello", 5, reply,
				      sizeof(reply), &got, 2, sock_now_ns() + 3000000000LL,
				      &outcome, &err),
			 0);
	assert_int_equal(outcome, UDP_ANSWERED);
	assert_int_equal(got, 5);
	assert_memory_equal(reply, "hello", 5);
	waitpid(child, NULL, 0);
	close(echo);
	scope_release(&s);
}

/* ---- pcapng ---- */

static uint32_t u32_at(const uint8_t *p)
{
	uint32_t v;
	memcpy(&v, p, 4);
	return v;
}

struct blocks {
	uint32_t types[16];
	size_t count;
	bool consistent; /* every block's leading and trailing lengths agree */
	bool has_comment;
};

static struct blocks read_blocks(const char *path)
{
	struct blocks b = {.consistent = true};
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	static uint8_t data[1 << 16];
	size_t n = fread(data, 1, sizeof(data), f);
	fclose(f);
	size_t off = 0;
	while (off + 12 <= n && b.count < 16) {
		uint32_t type = u32_at(data + off), length = u32_at(data + off + 4);
		if (length < 12 || length % 4 || off + length > n) {
			b.consistent = false;
			break;
		}
		if (u32_at(data + off + length - 4) != length)
			b.consistent = false;
		b.types[b.count++] = type;
		if (memmem(data + off, length, "dutlab: hello", 13))
			b.has_comment = true;
		off += length;
	}
	if (off != n)
		b.consistent = false;
	return b;
}

static void test_pcapng(void **state)
{
	(void)state;
	char path[] = "/tmp/dutlab-test-pcapng-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	struct pcapng_writer w;
	struct dl_error err = {0};
	assert_int_equal(pcapng_open(&w, path, 1, 96, "tcam0", "unit test", 0, &err), 0);
	uint8_t frame[120];
	for (size_t i = 0; i < sizeof(frame); i++)
		frame[i] = (uint8_t)i;
	assert_int_equal(pcapng_write_packet(&w, 1700000000, 5, frame, 60, 60, NULL, &err), 0);
	/* cut at the snaplen, original length kept */
	assert_int_equal(
		pcapng_write_packet(&w, 1700000000, 6, frame, 120, 120, "dutlab: hello", &err), 0);
	assert_int_equal(w.packets, 2);
	assert_false(pcapng_full(&w)); /* no ceiling */
	assert_int_equal(pcapng_close(&w, &err), 0);
	struct blocks b = read_blocks(path);
	assert_true(b.consistent);
	assert_int_equal(b.count, 4);
	assert_int_equal(b.types[0], 0x0A0D0D0A);
	assert_int_equal(b.types[1], 1);
	assert_int_equal(b.types[2], 6);
	assert_int_equal(b.types[3], 6);
	assert_true(b.has_comment);

	/* a ceiling: later packets are counted, then named in a last comment */
	assert_int_equal(pcapng_open(&w, path, 1, 96, NULL, NULL, 300, &err), 0);
	for (int i = 0; i < 10; i++)
		assert_int_equal(
			pcapng_write_packet(&w, 1700000000, (uint32_t)i, frame, 60, 60, NULL, &err),
			0);
	assert_true(w.dropped > 0);
	assert_true(w.packets < 10);
	uint64_t kept = w.packets;
	/* full from the first drop: a packet that would still fit is counted too, and a caller
	 * that skips building one counts it the same way */
	assert_true(pcapng_full(&w));
	uint64_t dropped = w.dropped;
	assert_int_equal(pcapng_write_packet(&w, 1700000000, 10, frame, 1, 1, NULL, &err), 0);
	pcapng_drop_packet(&w);
	assert_int_equal(w.packets, kept);
	assert_int_equal(w.dropped, dropped + 2);
	assert_int_equal(pcapng_close(&w, &err), 0);
	b = read_blocks(path);
	assert_true(b.consistent);
	assert_int_equal(b.count, 2 + kept + 1);
	unlink(path);

	assert_int_equal(pcapng_open(&w, "/nonexistent-dir/x.pcapng", 1, 96, NULL, NULL, 0, &err),
			 DL_EIO);
	assert_non_null(strstr(err.message, "/nonexistent-dir/x.pcapng"));
}

static void test_capture(void **state)
{
	(void)state;
	if (!private_net)
		skip();
	struct capture *c = NULL;
	struct dl_error err = {0};
	assert_int_equal(capture_start(&c, "lo", "host 127.0.0.1", 0, &err), 0);
	char path[] = "/tmp/dutlab-test-capture-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	int server = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	assert_int_equal(bind(server, (struct sockaddr *)&a, sizeof(a)), 0);
	socklen_t len = sizeof(a);
	getsockname(server, (struct sockaddr *)&a, &len);
	struct capture_match match = {.protocol = IPPROTO_UDP, .port = ntohs(a.sin_port)};
	assert_int_equal(capture_sink_open(c, path, "unit test", 0, 0, &match, 1, false, &err), 0);
	capture_annotate(c, "dutlab: hello");
	int client = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	for (int i = 0; i < 3; i++)
		sendto(client, "x", 1, 0, (struct sockaddr *)&a, sizeof(a));
	/* a packet to another port stays out of this sink */
	struct sockaddr_in other = a;
	other.sin_port = htons((uint16_t)(ntohs(a.sin_port) ^ 1));
	sendto(client, "y", 1, 0, (struct sockaddr *)&other, sizeof(other));
	uint64_t packets = 0;
	assert_int_equal(capture_sink_close(c, 200, &packets, &err), 0);
	assert_int_equal(packets, 3);
	capture_stop(c);
	struct blocks b = read_blocks(path);
	assert_true(b.consistent);
	assert_int_equal(b.count, 5);
	assert_true(b.has_comment);
	unlink(path);
	close(client);
	close(server);

	assert_int_equal(capture_start(&c, "no-such-if0", NULL, 0, &err), DL_EIO);
	assert_non_null(strstr(err.message, "no-such-if0"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_endpoint),      cmocka_unit_test(test_address),
		cmocka_unit_test(test_scope_refusal), cmocka_unit_test(test_pcapng),
		cmocka_unit_test(test_scan_connect),  cmocka_unit_test(test_scan_syn),
		cmocka_unit_test(test_scan_deadline), cmocka_unit_test(test_udp),
		cmocka_unit_test(test_capture),
	};
	return cmocka_run_group_tests(tests, enter_private_net, NULL);
}
