/* test-session-bgp: the BGP session plug-in's templates under the mutation engine, and the
 * session reproducer's frames */
#include "core/compat.h"

#include <arpa/inet.h>
#include <pthread.h>
#include <setjmp.h>
#include <cmocka.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/error.h"
#include "core/profile.h"
#include "fuzz/mutate.h"
#include "fuzz/session-bgp.h"
#include "fuzz/session.h"
#include "net/pcapng.h"
#include "net/scope.h"
#include "net/sock.h"
#include "proto/bgp.h"
#include "proto/layer.h"
#include "proto/packet.h"
#include "session-test-support.h"

static struct profile_robustness robustness = {
	.bgp = {.declared = true, .local_as = 65001, .peer_as = 65000, .hold_time = 90}};

static void peer_init(struct session_peer *peer)
{
	session_test_peer(peer, "198.18.26.1", "198.18.26.2", &robustness);
	inet_pton(AF_INET6, "fd00:198:0:26::1", &peer->tester6);
}

static void plug_in_is_listed(void **state)
{
	(void)state;
	assert_ptr_equal(session_protocol_find("bgp"), &session_bgp);
	assert_ptr_equal(session_protocol_find("rip"), &session_rip);
	assert_null(session_protocol_find("icmpv4")); /* a packet protocol only */
	assert_null(session_protocol_find(NULL));
	assert_int_equal(session_bgp.template_count, 8);
}

/* Every template is one finished, well-formed BGP message of its type. */
static void templates_build_valid_messages(void **state)
{
	(void)state;
	struct session_peer peer;
	peer_init(&peer);
	static const uint8_t types[] = {BGP_UPDATE,       BGP_UPDATE,        BGP_UPDATE,
					BGP_UPDATE,       BGP_ROUTE_REFRESH, BGP_OPEN,
					BGP_NOTIFICATION, BGP_KEEPALIVE};
	struct packet *p = malloc(sizeof(*p));
	assert_non_null(p);
	for (size_t i = 0; i < session_bgp.template_count; i++) {
		const struct session_template *t = session_bgp.templates[i];
		assert_string_equal(t->base.protocol, "bgp");
		assert_null(t->base.build);
		packet_init(p);
		struct dl_error err = {0};
		if (t->build(p, &peer, &err) != 0)
			fail_msg("%s: %s", t->base.name, err.message);
		assert_int_equal(p->layer_count, 1);
		assert_true(p->length >= BGP_HEADER_LENGTH);
		for (size_t m = 0; m < BGP_MARKER_LENGTH; m++)
			assert_int_equal(p->bytes[m], 0xff);
		assert_int_equal((size_t)p->bytes[16] << 8 | p->bytes[17], p->length);
		if (p->bytes[18] != types[i])
			fail_msg("%s: type %u, expected %u", t->base.name, p->bytes[18], types[i]);
	}
	/* the IPv4 UPDATE carries every attribute the plan names */
	packet_init(p);
	struct dl_error err = {0};
	assert_int_equal(session_bgp.templates[0]->build(p, &peer, &err), 0);
	static const char *const fields[] = {"bgp.origin",       "bgp.as_path.segment_length",
					     "bgp.next_hop",     "bgp.med",
					     "bgp.local_pref",   "bgp.community",
					     "bgp.aggregator.as"};
	for (size_t i = 0; i < DL_ARRAY_SIZE(fields); i++)
		if (packet_find(p, fields[i], 0) < 0)
			fail_msg("bgp-update-ipv4 lacks %s", fields[i]);
	free(p);
}

/* A standalone message has one layer: frame truncation keeps at least one
 * byte (cut_floor 1), never nothing; every case is deterministic and fits
 * the largest BGP message; the AS_PATH count overrun is offered. */
static void mutations_of_standalone_messages(void **state)
{
	(void)state;
	struct session_peer peer;
	peer_init(&peer);
	struct session_test_cases cases;
	session_test_cases_open(&cases);
	bool truncated = false, overrun = false;
	for (size_t i = 0; i < session_bgp.template_count; i++) {
		const struct session_template *t = session_bgp.templates[i];
		session_test_plan(&cases, t, &peer);
		assert_int_equal(cases.plan->cut_floor, 1);
		for (size_t k = 0; k < cases.plan->pair_count; k++) {
			int field;
			enum anomaly an;
			mutate_plan_pair(cases.plan, k, &field, &an);
			overrun |= an == ANOMALY_COUNT_WRONG &&
				   strcmp(cases.valid->fields[field].name,
					  "bgp.as_path.segment_length") == 0;
		}
		for (uint64_t index = 0; index < 400; index++) {
			struct fuzz_case ra;
			session_test_case(&cases, t->base.name, 1, index, &ra);
			truncated |= ra.mutations[0].anomaly == ANOMALY_FRAME_TRUNCATE;
		}
	}
	assert_true(truncated);
	assert_true(overrun);
	session_test_cases_close(&cases);
}

/* The reproducer: OPEN and KEEPALIVE (the prefix) then the message, in
 * Ethernet/IPv4/TCP to port 179, sequence numbers following each other. */
static void reproducer_frames_are_one_session(void **state)
{
	(void)state;
	struct session_peer peer;
	peer_init(&peer);
	struct session_link *l = session_test_link(&peer);
	l->local4 = peer.tester4;
	l->local_port = 40000;
	l->remote_port = BGP_PORT;
	/* the prefix as establish records it */
	struct packet *p = malloc(sizeof(*p));
	assert_non_null(p);
	packet_init(p);
	struct bgp_open_fields of = {.my_as = 65001, .identifier = peer.tester4};
	assert_int_equal(bgp_build_open(p, &of), 0);
	struct dl_error err = {0};
	assert_int_equal(packet_finish(p, &err), 0);
	l->fd = -1;
	session_test_prefix_add(l, p->bytes, p->length);
	packet_init(p);
	assert_int_equal(bgp_build_keepalive(p), 0);
	assert_int_equal(packet_finish(p, &err), 0);
	session_test_prefix_add(l, p->bytes, p->length);
	/* the culprit */
	packet_init(p);
	assert_int_equal(session_bgp.templates[0]->build(p, &peer, &err), 0);
	static uint8_t frames[4][SESSION_TEST_FRAME_MAX];
	size_t lengths[4];
	assert_int_equal(
		session_test_reproducer(l, p->bytes, p->length, "trt-bad", frames, lengths, 4), 3);
	static const uint8_t types[] = {BGP_OPEN, BGP_KEEPALIVE, BGP_UPDATE};
	uint32_t expect_seq = 1001;
	struct packet *d = malloc(sizeof(*d));
	assert_non_null(d);
	for (size_t i = 0; i < 3; i++) {
		if (proto_dissect(d, frames[i], lengths[i], &err) != 0)
			fail_msg("frame %zu: %s", i, err.message);
		assert_int_equal(d->layer_count, 4);
		assert_string_equal(d->layers[3].model->name, "bgp");
		int type = packet_find(d, "bgp.type", 0);
		assert_true(type >= 0);
		assert_int_equal(packet_get(d, type), types[i]);
		int seq = packet_find(d, "tcp.sequence", 0);
		assert_true(seq >= 0);
		assert_int_equal(packet_get(d, seq), expect_seq);
		assert_int_equal(packet_get(d, packet_find(d, "tcp.destination_port", 0)), 179);
		expect_seq += (uint32_t)(lengths[i] - 14 - 20 - 20);
	}
	free(d);
	free(p);
	free(l);
}

/* Prefixes as robustness.bgp.expect_routes names them: the host bits cleared, bad ones refused. */
static void routes_parse(void **state)
{
	(void)state;
	struct session_bgp_route r;
	char text[64];
	assert_int_equal(session_bgp_route_parse("198.18.24.128/25", &r), 0);
	assert_int_equal(r.family, AF_INET);
	assert_int_equal(r.length, 25);
	session_bgp_route_text(&r, text, sizeof(text));
	assert_string_equal(text, "198.18.24.128/25");
	assert_int_equal(session_bgp_route_parse("198.18.24.200/25", &r), 0);
	session_bgp_route_text(&r, text, sizeof(text));
	assert_string_equal(text, "198.18.24.128/25");
	assert_int_equal(session_bgp_route_parse("fd00:198:0:24:1:ffff::/80", &r), 0);
	assert_int_equal(r.family, AF_INET6);
	session_bgp_route_text(&r, text, sizeof(text));
	assert_string_equal(text, "fd00:198:0:24:1::/80");
	static const char *const bad[] = {"198.18.24.0",  "198.18.24.0/33",   "/24",
					  "198.18.24.0/", "fd00::/129",       "fd00::/1x",
					  "x/8",          "198.18.24.0/0008", NULL};
	for (size_t i = 0; i < DL_ARRAY_SIZE(bad); i++)
		if (session_bgp_route_parse(bad[i], &r) != DL_EINVAL)
			fail_msg("'%s' accepted", bad[i] ? bad[i] : "NULL");
}

static const char *const lab_routes[] = {"198.18.24.128/25", "fd00:198:0:24:1::/80"};

static struct bgp_prefix4 lab_prefix4(void)
{
	struct bgp_prefix4 p = {.length = 25};
	inet_pton(AF_INET, "198.18.24.128", &p.address);
	return p;
}

static struct bgp_prefix6 lab_prefix6(void)
{
	struct bgp_prefix6 p = {.length = 80};
	inet_pton(AF_INET6, "fd00:198:0:24:1::", &p.address);
	return p;
}

/* An UPDATE the DUT would send: IPv4 NLRI, or IPv6 in MP_REACH_NLRI; or withdrawing them. */
static void build_dut_update(struct packet *p, bool v4, bool v6, bool withdraw)
{
	uint32_t path[] = {65000};
	struct bgp_prefix4 a = lab_prefix4();
	struct bgp_prefix6 b = lab_prefix6();
	struct bgp_update_fields f = {
		.origin = BGP_ORIGIN_IGP, .as_path = path, .as_path_count = withdraw ? 0 : 1};
	inet_pton(AF_INET, "198.18.24.2", &f.next_hop);
	inet_pton(AF_INET6, "fd00:198:0:24::2", &f.next_hop6);
	if (withdraw) {
		f = (struct bgp_update_fields){0};
		f.withdrawn = v4 ? &a : NULL;
		f.withdrawn_count = v4;
		f.withdrawn6 = v6 ? &b : NULL;
		f.withdrawn6_count = v6;
	} else {
		f.nlri = v4 ? &a : NULL;
		f.nlri_count = v4;
		f.nlri6 = v6 ? &b : NULL;
		f.nlri6_count = v6;
	}
	packet_init(p);
	assert_int_equal(bgp_build_update(p, &f), 0);
	struct dl_error err = {0};
	if (packet_finish(p, &err) != 0)
		fail_msg("%s", err.message);
}

/* The check's reading of UPDATEs: announcements mark, withdrawals clear, other routes and
 * messages change nothing, broken lengths are the DUT's malformed message. */
static void update_routes_seen(void **state)
{
	(void)state;
	struct session_bgp_route want[2];
	for (size_t i = 0; i < 2; i++)
		assert_int_equal(session_bgp_route_parse(lab_routes[i], &want[i]), 0);
	bool seen[2] = {false, false};
	struct packet *p = malloc(sizeof(*p));
	assert_non_null(p);
	struct dl_error err = {0};
	build_dut_update(p, true, false, false);
	assert_int_equal(session_bgp_update_routes(p->bytes, p->length, want, 2, seen, &err), 0);
	assert_true(seen[0]);
	assert_false(seen[1]);
	build_dut_update(p, false, true, false);
	assert_int_equal(session_bgp_update_routes(p->bytes, p->length, want, 2, seen, &err), 0);
	assert_true(seen[0] && seen[1]);
	build_dut_update(p, true, true, true);
	assert_int_equal(session_bgp_update_routes(p->bytes, p->length, want, 2, seen, &err), 0);
	assert_false(seen[0] || seen[1]);
	/* our own template's route is not the DUT's */
	struct session_peer peer;
	peer_init(&peer);
	packet_init(p);
	assert_int_equal(session_bgp.templates[0]->build(p, &peer, &err), 0);
	assert_int_equal(session_bgp_update_routes(p->bytes, p->length, want, 2, seen, &err), 0);
	assert_false(seen[0] || seen[1]);
	packet_init(p);
	assert_int_equal(bgp_build_keepalive(p), 0);
	assert_int_equal(packet_finish(p, &err), 0);
	assert_int_equal(session_bgp_update_routes(p->bytes, p->length, want, 2, seen, &err), 0);
	/* a total path attribute length past the message */
	build_dut_update(p, true, false, false);
	p->bytes[BGP_HEADER_LENGTH + 2] = 0x0f;
	assert_int_equal(session_bgp_update_routes(p->bytes, p->length, want, 2, seen, &err),
			 DL_EPROTO);
	assert_non_null(strstr(err.message, "bgp: the DUT's UPDATE"));
	free(p);
}

/* ---- the check against a fake DUT on 127.0.0.1 ---- */

struct fake_dut {
	int listener;
	bool announce6; /* both routes, or only the IPv4 one */
};

static void send_message(int fd, struct packet *p)
{
	struct dl_error err = {0};
	assert_int_equal(packet_finish(p, &err), 0);
	assert_int_equal(sock_send_all(fd, p->bytes, p->length, sock_now_ns() + 1000000000, &err),
			 0);
}

/* Accept one peer, send OPEN, KEEPALIVE and the UPDATEs, hold it until it closes. */
static void *fake_dut_run(void *arg)
{
	struct fake_dut *d = arg;
	int fd = accept(d->listener, NULL, NULL);
	if (fd < 0)
		return NULL;
	struct packet *p = malloc(sizeof(*p));
	packet_init(p);
	struct bgp_open_fields of = {.my_as = 65000, .hold_time = 90};
	inet_pton(AF_INET, "198.18.24.2", &of.identifier);
	bgp_build_open(p, &of);
	send_message(fd, p);
	packet_init(p);
	bgp_build_keepalive(p);
	send_message(fd, p);
	build_dut_update(p, true, false, false);
	send_message(fd, p);
	if (d->announce6) {
		build_dut_update(p, false, true, false);
		send_message(fd, p);
	}
	char sink[4096];
	for (int i = 0; i < 100 && recv(fd, sink, sizeof(sink), 0) > 0; i++)
		;
	free(p);
	close(fd);
	return NULL;
}

/* The check on a fresh link: healthy with every expected route advertised; unhealthy, naming
 * the missing one, when the DUT keeps it back; unhealthy when there is no session at all. */
static void check_against_a_fake_dut(void **state)
{
	(void)state;
	struct scope scope;
	session_test_loopback_scope(&scope);
	struct dl_error err = {0};
	struct profile_robustness r = {.bgp = {.declared = true,
					       .local_as = 65001,
					       .peer_as = 65000,
					       .hold_time = 90,
					       .expect_routes = (char **)lab_routes,
					       .expect_route_count = 2}};
	struct session_peer peer = {.scope = &scope, .robustness = &r};
	inet_pton(AF_INET, "127.0.0.1", &peer.dut4);
	inet_pton(AF_INET, "127.0.0.1", &peer.tester4);
	struct session_link *l = malloc(sizeof(*l));
	assert_non_null(l);
	assert_non_null(session_bgp.check);
	for (int round = 0; round < 3; round++) {
		uint16_t port = 0;
		struct fake_dut d = {.listener = session_test_loopback_socket(&port),
				     .announce6 = round == 0};
		r.bgp.port = port;
		pthread_t thread;
		if (round < 2) {
			assert_int_equal(listen(d.listener, 4), 0);
			assert_int_equal(pthread_create(&thread, NULL, fake_dut_run, &d), 0);
		}
		session_link_init(l, &peer);
		bool healthy = round != 0;
		char evidence[SESSION_EVIDENCE_MAX] = "";
		int rc = session_bgp.check(l, sock_now_ns() + 1500000000, &healthy, evidence,
					   sizeof(evidence), &err);
		session_bgp.close(l);
		if (round < 2)
			assert_int_equal(pthread_join(thread, NULL), 0);
		close(d.listener);
		assert_int_equal(rc, 0);
		if (round == 0) {
			if (!healthy)
				fail_msg("unhealthy: %s", evidence);
			assert_non_null(strstr(evidence, "198.18.24.128/25 fd00:198:0:24:1::/80 "
							 "advertised"));
		} else if (round == 1) {
			assert_false(healthy);
			assert_non_null(strstr(evidence, "fd00:198:0:24:1::/80 not advertised"));
		} else {
			assert_false(healthy);
			assert_non_null(strstr(evidence, "bgp: no session for the check"));
		}
	}
	free(l);
	scope_release(&scope);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(plug_in_is_listed),
		cmocka_unit_test(templates_build_valid_messages),
		cmocka_unit_test(mutations_of_standalone_messages),
		cmocka_unit_test(reproducer_frames_are_one_session),
		cmocka_unit_test(routes_parse),
		cmocka_unit_test(update_routes_seen),
		cmocka_unit_test(check_against_a_fake_dut),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
