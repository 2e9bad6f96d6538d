/* test-ring: the packet ring on the loopback of a private network namespace: send, receive, refuse
 */
#include "core/compat.h"

#include <setjmp.h>
#include <cmocka.h>
#include <net/if.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/error.h"
#include "net/ring.h"
#include "net/scope.h"

/*
 * Frames sent on lo come back to lo's receive path, where the receive
 * ring sees them (once: the qdisc bypass skips the copy to taps on the
 * way out). Needs root for unshare(CLONE_NEWNET) and AF_PACKET; without
 * it the tests are skipped.
 */
static bool private_net;
static struct scope scope;

static int setup(void **state)
{
	(void)state;
	struct dl_error err = {0};
	memset(&scope, 0, sizeof(scope));
	if (scope_add_network(&scope, "198.18.18.0/24", &err) ||
	    scope_add_interface(&scope, "lo", &err))
		return -1;
	scope.origin = "test profile";
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
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	scope_release(&scope);
	return 0;
}

/* Ethernet + IPv4 (to 198.18.18.<last>) + UDP to port 9, numbered by a
 * 32-bit sequence in the payload. */
static size_t frame(uint8_t *f, uint8_t last, uint32_t sequence)
{
	memset(f, 0, 60);
	memcpy(f, "\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01\x08\x00", 14);
	uint8_t *ip = f + 14;
	ip[0] = 0x45;
	ip[3] = 46;
	ip[8] = 64;
	ip[9] = 17;
	memcpy(ip + 12, "\xc6\x12\x12\x01", 4);
	memcpy(ip + 16, "\xc6\x12\x12", 3);
	ip[19] = last;
	ip[23] = 9;
	memcpy(f + 42, &sequence, sizeof(sequence));
	return 60;
}

struct seen {
	uint32_t count, stop_after;
	uint32_t sequences[64];
};

static bool on_frame(const uint8_t *f, uint32_t captured, uint32_t wire_length,
		     uint64_t timestamp_ns, void *user)
{
	struct seen *s = user;
	assert_int_equal(captured, wire_length);
	assert_true(timestamp_ns > 0);
	/* Only ours: lo may carry other frames (none expected here). */
	if (captured >= 46 && f[0] == 0x02 && f[5] == 0x02 && f[12] == 0x08) {
		uint32_t sequence;
		memcpy(&sequence, f + 42, sizeof(sequence));
		if (s->count < DL_ARRAY_SIZE(s->sequences))
			s->sequences[s->count] = sequence;
		s->count++;
	}
	return s->stop_after == 0 || s->count < s->stop_after;
}

/* Receive until want frames came or 2 s passed. */
static void receive_all(struct ring *r, struct seen *s, uint32_t want)
{
	struct dl_error err = {0};
	for (int i = 0; i < 40 && s->count < want; i++)
		assert_int_equal(ring_receive(r, 50, on_frame, s, NULL, &err), 0);
}

static void test_open_refusals(void **state)
{
	(void)state;
	struct ring *r = (struct ring *)1;
	struct dl_error err = {0};
	struct ring_options o = {.send = true};
	assert_int_equal(ring_open(&r, &scope, "eth7", &o, &err), DL_ESCOPE);
	assert_null(r);
	assert_non_null(strstr(err.message, "'eth7'"));
	assert_int_equal(ring_open(&r, NULL, "lo", &o, &err), DL_ESCOPE);
	struct ring_options none = {0};
	assert_int_equal(ring_open(&r, &scope, "lo", &none, &err), DL_EINVAL);
	struct ring_options bad = {.send = true, .frame_size = 3000};
	assert_int_equal(ring_open(&r, &scope, "lo", &bad, &err), DL_EINVAL);
	assert_non_null(strstr(err.message, "power of two"));
	ring_close(NULL);
}

static void test_send_and_receive(void **state)
{
	(void)state;
	if (!private_net)
		skip();
	struct dl_error err = {0};
	struct ring *rx = NULL, *tx = NULL;
	struct ring_options ro = {.receive = true, .block_size = 1 << 16, .block_count = 4};
	/* A small TX ring: 40 frames wrap it, so ring_send must flush on its own. */
	struct ring_options to = {.send = true, .frame_size = 128, .frame_count = 16};
	assert_int_equal(ring_open(&rx, &scope, "lo", &ro, &err), 0);
	assert_int_equal(ring_open(&tx, &scope, "lo", &to, &err), 0);
	assert_true(ring_ifindex(tx) > 0);
	assert_true(ring_fd(rx) >= 0);
	uint8_t f[64];
	for (uint32_t i = 0; i < 40; i++) {
		size_t n = frame(f, 2, i);
		assert_int_equal(ring_send(tx, f, n, &err), 0);
	}
	assert_int_equal(ring_flush(tx, true, &err), 0);
	struct seen s = {0};
	receive_all(rx, &s, 40);
	assert_int_equal(s.count, 40);
	for (uint32_t i = 0; i < 40; i++)
		assert_int_equal(s.sequences[i], i); /* in order, none lost */
	struct ring_stats st;
	ring_stats(tx, &st);
	assert_int_equal(st.sent, 40);
	assert_int_equal(st.send_refused, 0);
	ring_stats(rx, &st);
	assert_int_equal(st.received, 40);
	assert_int_equal(st.dropped, 0);
	ring_close(rx);
	ring_close(tx);
}

/* A callback that stops the walk: the rest of the block is kept for the
 * next call, not lost. */
static void test_receive_stop_and_resume(void **state)
{
	(void)state;
	if (!private_net)
		skip();
	struct dl_error err = {0};
	struct ring *rx = NULL, *tx = NULL;
	struct ring_options ro = {.receive = true, .block_size = 1 << 16, .block_count = 4};
	struct ring_options to = {.send = true, .sendmmsg = true};
	assert_int_equal(ring_open(&rx, &scope, "lo", &ro, &err), 0);
	assert_int_equal(ring_open(&tx, &scope, "lo", &to, &err), 0);
	struct ring_stats st;
	ring_stats(tx, &st);
	assert_false(st.tx_ring); /* the sendmmsg fallback, asked for */
	uint8_t f[64];
	for (uint32_t i = 0; i < 10; i++)
		assert_int_equal(ring_send(tx, f, frame(f, 3, 100 + i), &err), 0);
	assert_int_equal(ring_flush(tx, true, &err), 0);
	struct seen s = {.stop_after = 3};
	receive_all(rx, &s, 3);
	assert_int_equal(s.count, 3);
	s.stop_after = 0;
	receive_all(rx, &s, 10);
	assert_int_equal(s.count, 10);
	for (uint32_t i = 0; i < 10; i++)
		assert_int_equal(s.sequences[i], 100 + i);
	/* Nothing more: a receive times out with 0 and no frames. */
	size_t count = 99;
	assert_int_equal(ring_receive(rx, 20, on_frame, &s, &count, &err), 0);
	assert_int_equal(count, 0);
	ring_close(rx);
	ring_close(tx);
}

static void test_send_refusals(void **state)
{
	(void)state;
	if (!private_net)
		skip();
	struct dl_error err = {0};
	struct ring *tx = NULL;
	struct ring_options to = {.send = true, .frame_size = 128};
	assert_int_equal(ring_open(&tx, &scope, "lo", &to, &err), 0);
	uint8_t f[200] = {0};
	frame(f, 2, 0);
	f[33] = 7; /* 198.18.18.7: in scope */
	assert_int_equal(ring_send(tx, f, 60, &err), 0);
	f[32] = 19; /* 198.18.19.7: not */
	assert_int_equal(ring_send(tx, f, 60, &err), DL_ESCOPE);
	assert_non_null(strstr(err.message, "198.18.19.7"));
	assert_non_null(strstr(err.message, "'lo'"));
	assert_int_equal(ring_send(tx, f, 13, &err), DL_EINVAL);
	assert_non_null(strstr(err.message, "14-byte"));
	f[32] = 18;
	/* 128-byte slots hold 128 - 32 - 10 bytes at most. */
	assert_int_equal(ring_send(tx, f, 100, &err), DL_EINVAL);
	assert_non_null(strstr(err.message, "longer than"));
	assert_int_equal(ring_flush(tx, true, &err), 0);
	struct ring_stats st;
	ring_stats(tx, &st);
	assert_int_equal(st.sent, 1);
	assert_int_equal(st.send_refused, 1);
	assert_true(st.tx_ring);
	struct dl_error ignored = {0};
	struct ring *rx_only = NULL;
	struct ring_options ro = {.receive = true, .block_size = 1 << 16, .block_count = 2};
	assert_int_equal(ring_open(&rx_only, &scope, "lo", &ro, &err), 0);
	assert_int_equal(ring_send(rx_only, f, 60, &ignored), DL_EINVAL);
	assert_int_equal(ring_receive(tx, 0, on_frame, NULL, NULL, &ignored), DL_EINVAL);
	ring_close(rx_only);
	ring_close(tx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_open_refusals),
		cmocka_unit_test(test_send_and_receive),
		cmocka_unit_test(test_receive_stop_and_resume),
		cmocka_unit_test(test_send_refusals),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
