/* test-session-bgp: the BGP session plug-in's templates under the mutation engine, and the
 * session reproducer's frames */
#include "core/compat.h"

#include <arpa/inet.h>
#include <setjmp.h>
#include <cmocka.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

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

static void send_message(int fd, struct packet *p)
{
	struct dl_error err = {0};
	assert_int_equal(packet_finish(p, &err), 0);
	assert_int_equal(sock_send_all(fd, p->bytes, p->length, sock_now_ns() + 1000000000, &err),
			 0);
}

/* A fake DUT's peer: send OPEN, KEEPALIVE and the UPDATEs (both routes when *data, the bool
 * announce6, else only the IPv4 one), hold it until it closes. */
static void fake_dut_serve(struct session_test_conn *c, void *data)
{
	const bool *announce6 = data;
	int fd = c->fd;
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
	if (*announce6) {
		build_dut_update(p, false, true, false);
		send_message(fd, p);
	}
	char sink[4096];
	for (int i = 0; i < 100 && recv(fd, sink, sizeof(sink), 0) > 0; i++)
		;
	free(p);
}

/* The check on a fresh link: healthy with every expected route advertised; unhealthy, naming
 * the missing one, when the DUT keeps it back; unhealthy when there is no session at all. */
static void check_against_a_fake_dut(void **state)
{
	(void)state;
	struct scope scope;
	struct profile_robustness r = {.bgp = {.declared = true,
					       .local_as = 65001,
					       .peer_as = 65000,
					       .hold_time = 90,
					       .expect_routes = (char **)lab_routes,
					       .expect_route_count = 2}};
	struct session_peer peer;
	session_test_loopback_peer(&peer, &scope, &r);
	struct session_link *l = malloc(sizeof(*l));
	assert_non_null(l);
	assert_non_null(session_bgp.check);
	for (int round = 0; round < 3; round++) {
		bool announce6 = round == 0;
		struct session_test_server d = {
			.connections = 1, .serve = fake_dut_serve, .data = &announce6};
		if (round < 2)
			session_test_server_start(&d);
		else /* bound, not listening: no session */
			d.listener = session_test_loopback_socket(&d.port);
		r.bgp.port = d.port;
		bool healthy = round != 0;
		char evidence[SESSION_EVIDENCE_MAX];
		session_test_check(&session_bgp, l, &peer, 1500, &healthy, evidence,
				   sizeof(evidence));
		if (round < 2)
			session_test_server_stop(&d);
		else
			close(d.listener);
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

/* ---- the ROUTE-REFRESH barrier (RFC 7313) against a fake speaker ---- */

/*
 * A fake BGP speaker: OPEN (with enhanced route refresh and IPv4/IPv6 unicast when enhanced),
 * KEEPALIVE, then each message read in order: a ROUTE-REFRESH request answered with BoRR and
 * EoRR of its family (enhanced only); an UPDATE withdrawing something: NOTIFICATION 3/1 and
 * close (the "malformed" case); anything else taken without a word. It counts the
 * ROUTE-REFRESH requests it read.
 */
struct fake_speaker {
	int listener;
	bool enhanced;
	bool ipv4_only;    /* its OPEN offers IPv4 unicast alone (lab/bin/fragile-bgp.py) */
	long borr_wait_ns; /* how long it takes to answer a request */
	int refreshes;     /* ROUTE-REFRESH requests read */
	int last_afi;      /* of the last one */
	int after_case;    /* refreshes read right behind an UPDATE (in the same read) */
};

static void speaker_refresh(int fd, uint16_t afi, uint8_t subtype)
{
	struct packet *p = malloc(sizeof(*p));
	packet_init(p);
	bgp_build_route_refresh_subtype(p, afi, BGP_SAFI_UNICAST, subtype);
	send_message(fd, p);
	free(p);
}

static void *fake_speaker_run(void *arg)
{
	struct fake_speaker *d = arg;
	int fd = accept(d->listener, NULL, NULL);
	if (fd < 0)
		return NULL;
	struct packet *p = malloc(sizeof(*p));
	packet_init(p);
	struct bgp_open_fields of = {.my_as = 65000, .hold_time = 90};
	of.capabilities = d->enhanced ? BGP_OPEN_CAP_DEFAULT | BGP_OPEN_CAP_ENHANCED_REFRESH
				      : BGP_OPEN_CAP_DEFAULT;
	if (d->ipv4_only)
		of.capabilities &= ~BGP_OPEN_CAP_IPV6_UNICAST;
	bgp_build_open(p, &of);
	send_message(fd, p);
	packet_init(p);
	bgp_build_keepalive(p);
	send_message(fd, p);
	static uint8_t in[65536];
	size_t have = 0;
	bool open = true;
	for (int reads = 0; open && reads < 2000; reads++) {
		ssize_t got = recv(fd, in + have, sizeof(in) - have, 0);
		if (got <= 0)
			break;
		have += (size_t)got;
		uint8_t last_type = 0;
		while (open && have >= BGP_HEADER_LENGTH) {
			size_t n = (size_t)in[16] << 8 | in[17];
			if (n < BGP_HEADER_LENGTH || n > have)
				break;
			uint8_t type = in[18];
			if (type == BGP_ROUTE_REFRESH && n == 23 && in[21] == BGP_REFRESH_REQUEST) {
				d->refreshes++;
				d->last_afi = in[19] << 8 | in[20];
				d->after_case += last_type == BGP_UPDATE;
				struct timespec wait = {.tv_nsec = d->borr_wait_ns};
				if (d->borr_wait_ns)
					(void)nanosleep(&wait, NULL);
				if (d->enhanced) {
					speaker_refresh(fd, (uint16_t)d->last_afi,
							BGP_REFRESH_BORR);
					speaker_refresh(fd, (uint16_t)d->last_afi,
							BGP_REFRESH_EORR);
				}
			} else if (type == BGP_UPDATE && n > 20 && (in[19] || in[20])) {
				packet_init(p);
				bgp_build_notification(p, BGP_ERROR_UPDATE, 1, NULL, 0);
				send_message(fd, p);
				open = false;
			}
			last_type = type;
			memmove(in, in + n, have - n);
			have -= n;
		}
	}
	free(p);
	close(fd);
	return NULL;
}

/* The reaction to what was just sent, read as the engine's settle reads it: until the DUT
 * reacted, the answer is whole, or wait_ms passed. */
static struct session_reaction react(struct session_link *l, unsigned wait_ms, int64_t *took_ns)
{
	struct session_reaction re = {.kind = SESSION_ALIVE};
	int64_t start = sock_now_ns(), until = start + (int64_t)wait_ms * 1000000;
	for (unsigned rounds = 0; rounds < 64; rounds++) {
		struct session_reaction one;
		struct dl_error why;
		assert_int_equal(session_bgp.tend(l,
						  (unsigned)sock_remaining_ms(until, (int)wait_ms),
						  &one, &why),
				 0);
		if (re.kind == SESSION_ALIVE && one.kind != SESSION_ALIVE) {
			re.kind = one.kind;
			re.code = one.code;
			re.subcode = one.subcode;
		}
		re.complete = re.complete || one.complete;
		if (re.kind != SESSION_ALIVE || re.complete || l->fd < 0 || sock_now_ns() >= until)
			break;
	}
	*took_ns = sock_now_ns() - start;
	return re;
}

/* A template's case, sent by the plug-in's send hook (the barrier behind it or not). */
static void send_case(struct session_link *l, const struct session_peer *peer, size_t template,
		      struct packet *p)
{
	struct dl_error err = {0};
	packet_init(p);
	const struct session_template *t = session_bgp.templates[template];
	assert_int_equal(t->build(p, peer, &err), 0);
	assert_int_equal(session_bgp.send(l, t, p->bytes, p->length, &err), 0);
}

struct barrier_fixture {
	struct scope scope;
	struct profile_robustness r;
	struct session_peer peer;
	struct session_link *l;
	struct fake_speaker d;
	pthread_t thread;
	struct packet *p;
};

/* A session with a fake speaker like speaker's (its listener and counts filled in here). */
static void barrier_open_speaker(struct barrier_fixture *x, struct fake_speaker speaker)
{
	memset(x, 0, sizeof(*x));
	session_test_loopback_scope(&x->scope);
	x->r = robustness;
	uint16_t port = 0;
	x->d = speaker;
	x->d.listener = session_test_loopback_socket(&port);
	x->r.bgp.port = port;
	x->peer = (struct session_peer){.scope = &x->scope, .robustness = &x->r};
	inet_pton(AF_INET, "127.0.0.1", &x->peer.dut4);
	inet_pton(AF_INET, "127.0.0.1", &x->peer.tester4);
	assert_int_equal(listen(x->d.listener, 4), 0);
	assert_int_equal(pthread_create(&x->thread, NULL, fake_speaker_run, &x->d), 0);
	x->l = session_test_link(&x->peer);
	struct dl_error err = {0};
	if (session_bgp.establish(x->l, 0, sock_now_ns() + 2000000000, &err) != 0)
		fail_msg("establish: %s", err.message);
	x->p = malloc(sizeof(*x->p));
	assert_non_null(x->p);
}

static void barrier_open(struct barrier_fixture *x, bool enhanced)
{
	barrier_open_speaker(x, (struct fake_speaker){.enhanced = enhanced});
}

static void barrier_close(struct barrier_fixture *x)
{
	session_bgp.close(x->l);
	assert_int_equal(pthread_join(x->thread, NULL), 0);
	close(x->d.listener);
	free(x->l);
	free(x->p);
	scope_release(&x->scope);
}

/* With enhanced route refresh: a case the DUT takes silently completes on the barrier's BoRR
 * (far inside the window), the barrier asking for IPv6 unicast right behind the case; the
 * reproducer's trailer is that barrier; a ROUTE-REFRESH case gets none; a case the DUT resets
 * the session on is that case's NOTIFICATION, not a completion. */
static void barrier_completes_silent_cases(void **state)
{
	(void)state;
	struct barrier_fixture x;
	barrier_open(&x, true);
	assert_int_equal(x.l->trailer_length, 23);
	assert_int_equal(x.l->trailer[18], BGP_ROUTE_REFRESH);
	int64_t took = 0;
	for (int i = 0; i < 3; i++) {
		send_case(x.l, &x.peer, 0, x.p); /* bgp-update-ipv4: valid, no withdrawal */
		assert_int_equal(session_bgp.trailer(x.l, x.p->bytes, x.p->length), 23);
		struct session_reaction re = react(x.l, 2000, &took);
		assert_int_equal(re.kind, SESSION_ALIVE);
		assert_true(re.complete);
		assert_true(took < 1000000000); /* the BoRR, not the window */
	}
	assert_int_equal(x.d.refreshes, 3);
	assert_int_equal(x.d.after_case, 3);
	assert_int_equal(x.d.last_afi, BGP_AFI_IPV6);
	/* a ROUTE-REFRESH case: no barrier behind it (its own BoRR is no barrier's) */
	send_case(x.l, &x.peer, 4, x.p);
	assert_int_equal(session_bgp.trailer(x.l, x.p->bytes, x.p->length), 0);
	struct session_reaction re = react(x.l, 50, &took);
	assert_false(re.complete);
	assert_int_equal(re.kind, SESSION_ALIVE);
	/* a truncated case (its length says more): no barrier, the session ended by us */
	packet_init(x.p);
	struct dl_error err = {0};
	assert_int_equal(session_bgp.templates[0]->build(x.p, &x.peer, &err), 0);
	x.p->bytes[17] = (uint8_t)(x.p->bytes[17] + 8);
	assert_int_equal(session_bgp.trailer(x.l, x.p->bytes, x.p->length), 0);
	/* the withdrawal: the speaker's NOTIFICATION comes before any BoRR */
	send_case(x.l, &x.peer, 3, x.p); /* bgp-update-withdraw */
	re = react(x.l, 2000, &took);
	assert_int_equal(re.kind, SESSION_NOTIFIED);
	assert_int_equal(re.code, BGP_ERROR_UPDATE);
	assert_int_equal(re.subcode, 1);
	assert_false(re.complete);
	barrier_close(&x);
	/* the ROUTE-REFRESH case's; the withdrawal's barrier was never read: the speaker closed */
	assert_int_equal(x.d.refreshes, 4);
}

/* A speaker of IPv4 unicast alone that answers each barrier 1 ms on (lab/bin/fragile-bgp.py
 * takes about 0.4 ms): past BGP_KICK_RETRY kicks there is no other family to ask, so the
 * kicks go on and its BoRR still completes the case; the observation counts every barrier
 * sent and answered. */
static void slow_borr_of_one_family_completes(void **state)
{
	(void)state;
	struct barrier_fixture x;
	barrier_open_speaker(&x, (struct fake_speaker){.enhanced = true,
						       .ipv4_only = true,
						       .borr_wait_ns = 1000000});
	int64_t took = 0;
	for (int i = 0; i < 3; i++) {
		send_case(x.l, &x.peer, 0, x.p); /* bgp-update-ipv4: valid, no withdrawal */
		struct session_reaction re = react(x.l, 2000, &took);
		assert_int_equal(re.kind, SESSION_ALIVE);
		assert_true(re.complete);
		assert_true(took < 1000000000); /* the BoRR, not the window */
	}
	struct json_object *po = json_object_new_object(), *v = NULL;
	session_bgp.observe(x.l, po);
	assert_true(json_object_object_get_ex(po, "refresh_barriers", &v));
	assert_int_equal(json_object_get_int64(v), 3);
	assert_true(json_object_object_get_ex(po, "refresh_barriers_answered", &v));
	assert_int_equal(json_object_get_int64(v), 3);
	json_object_put(po);
	barrier_close(&x);
	assert_int_equal(x.d.refreshes, 3);
	assert_int_equal(x.d.last_afi, BGP_AFI_IPV4);
}

/* A truncated case (its length field says more than it holds) is complete at once and its
 * session ended by us: whatever came next would be read as the rest of it. */
static void truncated_case_ends_its_session(void **state)
{
	(void)state;
	struct barrier_fixture x;
	barrier_open(&x, true);
	packet_init(x.p);
	struct dl_error err = {0};
	assert_int_equal(session_bgp.templates[0]->build(x.p, &x.peer, &err), 0);
	x.p->bytes[17] = (uint8_t)(x.p->bytes[17] + 8);
	assert_int_equal(
		session_bgp.send(x.l, session_bgp.templates[0], x.p->bytes, x.p->length, &err), 0);
	int64_t took = 0;
	struct session_reaction re = react(x.l, 2000, &took);
	assert_int_equal(re.kind, SESSION_ALIVE);
	assert_true(re.complete);
	assert_int_equal(x.l->fd, -1);
	assert_true(took < 1000000000);
	barrier_close(&x);
	assert_int_equal(x.d.refreshes, 0);
}

/* Without the capability: no barrier, no trailer, and a silent case waits the whole window. */
static void window_without_the_capability(void **state)
{
	(void)state;
	struct barrier_fixture x;
	barrier_open(&x, false);
	assert_int_equal(x.l->trailer_length, 0);
	send_case(x.l, &x.peer, 0, x.p);
	assert_int_equal(session_bgp.trailer(x.l, x.p->bytes, x.p->length), 0);
	int64_t took = 0;
	struct session_reaction re = react(x.l, 40, &took);
	assert_int_equal(re.kind, SESSION_ALIVE);
	assert_false(re.complete);
	assert_true(took >= 39000000);
	barrier_close(&x);
	assert_int_equal(x.d.refreshes, 0);
}

/* robustness.bgp.sources: one link per address (capped by robustness.session_links), link i
 * connecting from address i; a source outside the scope is refused by the scope guard before
 * any socket is opened. */
static void sources_are_links_and_scoped(void **state)
{
	(void)state;
	struct scope scope;
	session_test_loopback_scope(&scope);
	struct profile_robustness r = robustness;
	char *sources[] = {"127.0.0.2", "127.0.0.3", "198.18.26.9"};
	r.bgp.sources = sources;
	r.bgp.source_count = 3;
	struct session_peer peer = {.scope = &scope, .robustness = &r};
	inet_pton(AF_INET, "127.0.0.1", &peer.dut4);
	assert_non_null(session_bgp.links);
	assert_int_equal(session_bgp.links(&peer), 3);
	r.session_links = 2;
	assert_int_equal(session_bgp.links(&peer), 2);
	r.session_links = 0;
	r.bgp.source_count = 0;
	assert_int_equal(session_bgp.links(&peer), 1);
	r.bgp.source_count = 3;
	uint16_t port = 0;
	int listener = session_test_loopback_socket(&port);
	assert_int_equal(listen(listener, 4), 0);
	r.bgp.port = port;
	struct session_link *l = session_test_link(&peer);
	struct dl_error err = {0};
	l->index = 2; /* 198.18.26.9: not in the scope (127.0.0.0/8 only) */
	assert_int_equal(session_bgp.establish(l, 0, sock_now_ns() + 300000000, &err), DL_ESCOPE);
	assert_non_null(strstr(err.message, "source address"));
	assert_int_equal(l->fd, -1);
	l->index = 4; /* 4 % 3: 127.0.0.3; nobody answers the OPEN: no session, but from there */
	assert_int_equal(session_bgp.establish(l, 0, sock_now_ns() + 200000000, &err),
			 DL_ETIMEDOUT);
	char from[INET_ADDRSTRLEN];
	inet_ntop(AF_INET, &l->local4, from, sizeof(from));
	assert_string_equal(from, "127.0.0.3");
	session_bgp.close(l);
	close(listener);
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
		cmocka_unit_test(barrier_completes_silent_cases),
		cmocka_unit_test(truncated_case_ends_its_session),
		cmocka_unit_test(window_without_the_capability),
		cmocka_unit_test(slow_borr_of_one_family_completes),
		cmocka_unit_test(sources_are_links_and_scoped),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
