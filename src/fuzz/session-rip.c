/* session-rip: the RIPv2 session plug-in: a whole-table request answered, then requests and
 * responses (keyed-MD5 signed when the profile gives a key) from port 520 */
#include "core/compat.h"

#include <arpa/inet.h>
#include <time.h>

#include "core/error.h"
#include "core/profile.h"
#include "fuzz/session.h"
#include "proto/packet.h"
#include "proto/rip.h"

/*
 * RIP has no session: a "session" is a connected UDP socket from the
 * tester's port 520 (RFC 2453 3.9.2: a response from another port is
 * ignored) and "established" means the DUT sent a response after our
 * whole-table request: the answer (RFC 2453 3.9.1), or its next update to
 * 224.0.0.9 (FRR does not answer a request that starts with an
 * authentication entry), either proving its RIP process runs. Each attempt
 * waits RIP_ESTABLISH_MS, more than one update interval of the lab's
 * routers. Re-establishing is asking again: a DUT that no longer answers
 * within the campaign's bound has lost its RIP process. The routes announced lie inside the lab's
 * range (198.18.0.0/15), so what a DUT learns can never shadow a real route.
 */

#define RIP_GROUP 0xe0000009u  /* 224.0.0.9, RFC 2453 4.5 */
#define RIP_ESTABLISH_MS 12000 /* the lab's routers send updates every 5 s +-50% */

static const uint8_t route_a[4] = {198, 18, 99, 0}, route_b[4] = {198, 18, 98, 0};
static const uint8_t mask24[4] = {255, 255, 255, 0};

static const char *rip_key(const struct session_peer *peer)
{
	return peer->robustness->rip.password;
}

/* RFC 4822 5: the sequence number must not go down from one message to the next, across
 * sessions too: the seconds of the clock. */
static uint32_t rip_sequence(void)
{
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	return (uint32_t)now.tv_sec;
}

static struct rip_route lab_route(const uint8_t address[4], uint32_t metric)
{
	struct rip_route r = {.metric = metric};
	memcpy(&r.address, address, 4);
	memcpy(&r.mask, mask24, 4);
	return r;
}

/* f signed with the profile's key when there is one. */
static void rip_sign(struct rip_fields *f, const struct session_peer *peer)
{
	if (!rip_key(peer))
		return;
	f->auth = RIP_AUTH_MD5;
	f->password = rip_key(peer);
	f->key_id = (uint8_t)peer->robustness->rip.key_id;
	f->sequence = rip_sequence();
}

static int finish(struct packet *p, int rc, struct dl_error *err)
{
	if (rc)
		return dl_error_set(err, rc, "rip: the template does not fit a message");
	return packet_finish(p, err);
}

/* ---- the templates ---- */

static int build_request(struct packet *p, const struct session_peer *peer, struct dl_error *err)
{
	struct rip_fields f = {.command = RIP_REQUEST};
	rip_sign(&f, peer);
	return finish(p, rip_build(p, &f), err);
}

static int build_request_routes(struct packet *p, const struct session_peer *peer,
				struct dl_error *err)
{
	struct rip_route r[2] = {lab_route(route_a, RIP_METRIC_INFINITY),
				 lab_route(route_b, RIP_METRIC_INFINITY)};
	struct rip_fields f = {.command = RIP_REQUEST, .routes = r, .route_count = 2};
	rip_sign(&f, peer);
	return finish(p, rip_build(p, &f), err);
}

static int build_response(struct packet *p, const struct session_peer *peer, struct dl_error *err)
{
	struct rip_route r[2] = {lab_route(route_a, 1), lab_route(route_b, 2)};
	r[1].tag = 65001;
	r[1].next_hop = peer->tester4;
	struct rip_fields f = {.command = RIP_RESPONSE, .routes = r, .route_count = 2};
	rip_sign(&f, peer);
	return finish(p, rip_build(p, &f), err);
}

static int build_response_withdraw(struct packet *p, const struct session_peer *peer,
				   struct dl_error *err)
{
	struct rip_route r = lab_route(route_a, RIP_METRIC_INFINITY);
	struct rip_fields f = {.command = RIP_RESPONSE, .routes = &r, .route_count = 1};
	rip_sign(&f, peer);
	return finish(p, rip_build(p, &f), err);
}

/* The other authentication entry: the clear password (RFC 2453 4.1), the profile's key or a
 * lab word; a DUT that wants keyed MD5 must drop it, one without authentication may too. */
static int build_response_password(struct packet *p, const struct session_peer *peer,
				   struct dl_error *err)
{
	struct rip_route r = lab_route(route_a, 1);
	struct rip_fields f = {.command = RIP_RESPONSE,
			       .routes = &r,
			       .route_count = 1,
			       .auth = RIP_AUTH_SIMPLE,
			       .password = rip_key(peer) ? rip_key(peer) : "dutlab-lab"};
	return finish(p, rip_build(p, &f), err);
}

static const struct session_template rip_request = {
	.base = {.name = "rip-request",
		 .protocol = "rip",
		 .title = "request for the whole table (signed when the profile has a key)"},
	.build = build_request};

static const struct session_template rip_request_routes = {
	.base = {.name = "rip-request-routes",
		 .protocol = "rip",
		 .title = "request for two lab routes"},
	.build = build_request_routes};

static const struct session_template rip_response = {
	.base = {.name = "rip-response",
		 .protocol = "rip",
		 .title = "response announcing two lab routes (signed when the profile has a key)"},
	.build = build_response};

static const struct session_template rip_response_withdraw = {
	.base = {.name = "rip-response-withdraw",
		 .protocol = "rip",
		 .title = "response withdrawing a lab route (metric 16)"},
	.build = build_response_withdraw};

static const struct session_template rip_response_password = {
	.base = {.name = "rip-response-password",
		 .protocol = "rip",
		 .title = "response with a simple password authentication entry"},
	.build = build_response_password};

static const struct session_template *const rip_templates[] = {
	&rip_request,           &rip_request_routes,    &rip_response,
	&rip_response_withdraw, &rip_response_password,
};

/* ---- the session ---- */

/* One state: the table answered (0). */
static int rip_establish(struct session_link *l, unsigned state, int64_t deadline_ns,
			 struct dl_error *err)
{
	(void)state;
	const struct profile_robustness_rip *r = &l->peer->robustness->rip;
	struct in_addr group = {.s_addr = htonl(RIP_GROUP)};
	int rc = session_link_open_udp(l, RIP_PORT, (uint16_t)(r->port ? r->port : RIP_PORT),
				       &group, err);
	if (rc)
		return rc;
	struct packet *request = malloc(sizeof(*request));
	if (!request) {
		session_link_close(l);
		return dl_error_set(err, DL_ENOMEM, "rip: out of memory");
	}
	packet_init(request);
	rc = build_request(request, l->peer, err);
	if (!rc)
		rc = session_link_send(l, request->bytes, request->length, true, err);
	free(request);
	for (unsigned reads = 0; !rc && reads < 64; reads++) {
		int left = sock_remaining_ms(deadline_ns, 1000);
		if (left == 0)
			break;
		bool closed = false;
		l->input_length = 0;
		rc = session_link_read(l, (unsigned)left, &closed, err);
		if (!rc && closed)
			rc = dl_error_set(err, DL_EIO,
					  "rip: the DUT's UDP port %u is closed (ICMP port "
					  "unreachable): is RIP enabled on that interface?",
					  l->remote_port);
		/* a response of version 2 or more: the DUT took our request (RFC 2453 3.9.1) */
		if (!rc && l->input_length >= RIP_HEADER_LENGTH && l->input[0] == RIP_RESPONSE &&
		    l->input[1] >= RIP_VERSION) {
			l->input_length = 0;
			return 0;
		}
	}
	if (!rc)
		rc = dl_error_set(err, DL_ETIMEDOUT,
				  "rip: no response to a whole-table request in time%s",
				  rip_key(l->peer) ? " (is the key or key id the DUT's?)"
						   : " (does the DUT want authentication?)");
	session_link_close(l);
	return rc;
}

/* Nothing to keep: read (and drop) what the DUT says; its port closing is the only reaction. */
static int rip_tend(struct session_link *l, unsigned wait_ms, struct session_reaction *out,
		    struct dl_error *err)
{
	(void)err;
	*out = (struct session_reaction){.kind = SESSION_ALIVE};
	if (l->fd < 0) {
		out->kind = SESSION_CLOSED;
		return 0;
	}
	int64_t until = sock_now_ns() + (int64_t)wait_ms * 1000000;
	for (unsigned reads = 0; reads < 64; reads++) {
		bool closed = false;
		struct dl_error why;
		l->input_length = 0;
		int left = sock_remaining_ms(until, (int)wait_ms);
		if (session_link_read(l, (unsigned)left, &closed, &why) != 0 || closed) {
			out->kind = SESSION_CLOSED;
			break;
		}
		if (l->input_length == 0)
			break;
	}
	l->input_length = 0;
	return 0;
}

static void rip_close(struct session_link *l)
{
	session_link_close(l);
}

const struct session_protocol session_rip = {
	.name = "rip",
	.title = "RIPv2 requests and responses from port 520",
	.templates = rip_templates,
	.template_count = DL_ARRAY_SIZE(rip_templates),
	.establish = rip_establish,
	.tend = rip_tend,
	.close = rip_close,
	.establish_ms = RIP_ESTABLISH_MS,
};
