/* test-session-engine: the session engine's plug-in contract: links, their protocol state, the
 * prefix record and the reproducer frames of a raw IP link */
#include "core/compat.h"

#include <setjmp.h>
#include <cmocka.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/error.h"
#include "core/profile.h"
#include "fuzz/session.h"
#include "net/pcapng.h"
#include "session-test-support.h"

static struct profile_robustness robustness;

static void peer_init(struct session_peer *peer)
{
	session_test_peer(peer, "198.18.24.10", "198.18.24.1", &robustness);
}

/* Every listed plug-in fills the contract: the three hooks, state that fits a link, templates
 * named after it. */
static void plug_ins_keep_the_contract(void **state)
{
	(void)state;
	assert_true(session_protocol_count >= 2);
	for (size_t i = 0; i < session_protocol_count; i++) {
		const struct session_protocol *p = session_protocols[i];
		if (!p->establish || !p->tend || !p->close)
			fail_msg("%s lacks a hook", p->name);
		if (p->state_size > SESSION_STATE_BYTES)
			fail_msg("%s wants %zu bytes of state", p->name, p->state_size);
		assert_true(p->template_count > 0);
		bool main_state = false;
		for (size_t t = 0; t < p->template_count; t++) {
			assert_string_equal(p->templates[t]->base.protocol, p->name);
			main_state |= p->templates[t]->state == 0;
		}
		if (!main_state)
			fail_msg("%s has no template in state 0", p->name);
		assert_ptr_equal(session_protocol_find(p->name), p);
	}
}

/* A fresh link: no socket, state 0, its protocol state zeroed inside the link itself. */
static void link_init_zeroes_protocol_state(void **state)
{
	(void)state;
	struct session_peer peer;
	peer_init(&peer);
	struct session_link *l = malloc(sizeof(*l));
	assert_non_null(l);
	memset(l, 0xa5, sizeof(*l));
	session_link_init(l, &peer);
	assert_int_equal(l->fd, -1);
	assert_int_equal(l->state, 0);
	assert_ptr_equal(l->peer, &peer);
	assert_ptr_equal(l->protocol_state, l->protocol_storage);
	assert_int_equal((uintptr_t)l->protocol_state % _Alignof(max_align_t), 0);
	const uint8_t *s = l->protocol_state;
	for (size_t i = 0; i < SESSION_STATE_BYTES; i++)
		if (s[i])
			fail_msg("byte %zu of the state is %u", i, s[i]);
	assert_false(l->prefix_full);
	assert_int_equal(l->prefix_count, 0);
	free(l);
}

/* Prefix messages are recorded one by one until the record is full; the ones past it are
 * still sent (a long handshake must run) and the record says it is cut. */
static void prefix_recorded_until_full(void **state)
{
	(void)state;
	struct session_peer peer;
	peer_init(&peer);
	struct session_link *l = session_test_link(&peer);
	int other = session_test_link_pair(l);
	uint8_t message[10];
	struct dl_error err = {0};
	for (unsigned i = 0; i < SESSION_PREFIX_MAX + 4; i++) {
		memset(message, (int)i, sizeof(message));
		if (session_link_send(l, message, sizeof(message), true, &err) != 0)
			fail_msg("message %u: %s", i, err.message);
	}
	memset(message, 0xee, sizeof(message));
	assert_int_equal(session_link_send(l, message, sizeof(message), false, &err), 0);
	assert_int_equal(l->prefix_count, SESSION_PREFIX_MAX);
	assert_int_equal(l->prefix_length, SESSION_PREFIX_MAX * sizeof(message));
	assert_true(l->prefix_full);
	for (unsigned i = 0; i < SESSION_PREFIX_MAX; i++) {
		assert_int_equal(l->prefix_ends[i], (i + 1) * sizeof(message));
		assert_int_equal(l->prefix[i * sizeof(message)], i);
	}
	/* everything went on the wire, in order */
	uint8_t got[(SESSION_PREFIX_MAX + 5) * 10];
	size_t have = 0;
	while (have < sizeof(got)) {
		ssize_t n = read(other, got + have, sizeof(got) - have);
		assert_true(n > 0);
		have += (size_t)n;
	}
	for (unsigned i = 0; i < SESSION_PREFIX_MAX + 4; i++)
		assert_int_equal(got[i * 10 + 9], i);
	assert_int_equal(got[sizeof(got) - 1], 0xee);
	close(other);
	session_link_close(l);
	assert_int_equal(l->fd, -1);
	free(l);
}

/* A raw IP link's reproducer frames carry the message straight after the IPv4 header, with the
 * link's IP protocol (OSPF's 89). */
static void raw_link_frames(void **state)
{
	(void)state;
	struct session_peer peer;
	peer_init(&peer);
	struct session_link *l = session_test_link(&peer);
	l->datagram = true;
	l->ip_protocol = 89;
	l->local4 = peer.tester4;
	static const uint8_t hello[] = {2, 1, 0, 12, 198, 18, 24, 10, 0, 0, 0, 0};
	session_test_prefix_add(l, hello, sizeof(hello));
	static const uint8_t message[] = {2, 2, 0, 8, 1, 2, 3, 4};
	static uint8_t frames[3][SESSION_TEST_FRAME_MAX];
	size_t lengths[3];
	assert_int_equal(session_test_reproducer(l, message, sizeof(message), "dl-rt-frr", frames,
						 lengths, 3),
			 2);
	for (size_t i = 0; i < 2; i++) {
		const uint8_t *frame = frames[i];
		const uint8_t *want = i == 0 ? hello : message;
		size_t want_length = i == 0 ? sizeof(hello) : sizeof(message);
		assert_int_equal(lengths[i], 14 + 20 + want_length);
		assert_int_equal(frame[12] << 8 | frame[13], 0x0800);
		assert_int_equal(frame[14 + 9], 89);
		assert_int_equal(frame[14 + 2] << 8 | frame[14 + 3], 20 + want_length);
		assert_memory_equal(frame + 14 + 16, &peer.dut4, 4);
		assert_memory_equal(frame + 34, want, want_length);
	}
	free(l);
}

/* A read with no wait (the engine's tending of idle links) takes every byte already there, and
 * sees the peer's close, without waiting for more. */
static void read_without_waiting(void **state)
{
	(void)state;
	struct session_peer peer;
	peer_init(&peer);
	struct session_link *l = session_test_link(&peer);
	int other = session_test_link_pair(l);
	static const uint8_t chunk[100] = {1};
	for (int i = 0; i < 3; i++)
		assert_int_equal(write(other, chunk, sizeof(chunk)), (ssize_t)sizeof(chunk));
	bool closed = true;
	struct dl_error err = {0};
	assert_int_equal(session_link_read(l, 0, &closed, &err), 0);
	assert_false(closed);
	assert_int_equal(l->input_length, 3 * sizeof(chunk));
	assert_int_equal(session_link_read(l, 0, &closed, &err), 0); /* nothing more there */
	assert_false(closed);
	assert_int_equal(l->input_length, 3 * sizeof(chunk));
	close(other);
	assert_int_equal(session_link_read(l, 0, &closed, &err), 0);
	assert_true(closed);
	close(l->fd);
	free(l);
}

/* Only a protocol whose DUT takes several sessions from one address keeps parallel links: BGP
 * has one session per peer address, RIP one port 520, OSPF one adjacency. */
static void parallel_only_where_the_dut_takes_it(void **state)
{
	(void)state;
	assert_false(session_bgp.parallel);
	assert_false(session_rip.parallel);
	assert_false(session_ospf.parallel);
	assert_true(session_rtsp.parallel);
	assert_true(session_rtp.parallel);
	assert_true(session_tls.parallel);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(plug_ins_keep_the_contract),
		cmocka_unit_test(link_init_zeroes_protocol_state),
		cmocka_unit_test(prefix_recorded_until_full),
		cmocka_unit_test(raw_link_frames),
		cmocka_unit_test(read_without_waiting),
		cmocka_unit_test(parallel_only_where_the_dut_takes_it),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
