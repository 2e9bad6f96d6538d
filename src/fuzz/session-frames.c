/* session-frames: the ipv4 and ipv6 session plug-ins: the packet campaign's IPv4 and IPv6
 * templates sent as frames on the tester port, so one session campaign mixes them with RIP,
 * OSPF and BGP */
#include "core/compat.h"

#include <json-c/json.h>

#include "core/error.h"
#include "core/json-read.h"
#include "core/profile.h"
#include "fuzz/campaign.h"
#include "fuzz/mutate.h"
#include "fuzz/session.h"
#include "fuzz/templates.h"
#include "net/ring.h"
#include "proto/packet.h"

/*
 * NCC 5.4.3.2 asks for mutated RIP, OSPF, BGP, IPv4 and IPv6 mixed in one
 * stream for eight hours: with IPv4 and IPv6 as session plug-ins, one
 * campaign draws all five, and one judge, one culprit search and one
 * reproducer cover the mix. A frame has no session: "established" is a
 * send ring open on the tester port (net/ring.h: the scope guard reads
 * every frame's destinations, as in the packet campaign), the only state
 * is 0, nothing is recorded as a prefix and nothing is read back (the
 * health monitors judge the DUT). The templates are the packet
 * campaign's own (template-ipv4.c, template-ipv6.c; the same names, so a
 * seed and an index draw the same mutation in both campaigns), built from
 * the addresses the packet campaign learns (campaign_addresses: the DUT's
 * MAC by ARP), and grown no longer than the port takes. As in the packet
 * campaign (campaign.c, mutate-fragment.c) a case may be a datagram cut
 * into fragments that overlap or leave gaps (the templates' fragments:
 * the engine hands this plug-in the case's frames one by one, in order,
 * and logs, replays and saves them together as one case). A frame the guard
 * refuses (a mutated destination outside the scope) or the port cannot
 * carry is counted (frames_refused), not sent, as the packet campaign
 * does; the engine counts its case.
 */

#define FRAMES_RING_SLOT 8192 /* a TX slot: MUTATION_FRAME_DEFAULT and more, with its headers */
#define FRAMES_RING_SLOTS 64

/* The link's own state: its send ring and what went through it (across its sessions). */
struct frames_link {
	struct ring *ring;
	uint64_t sent, refused;
};

static bool mac_known(const uint8_t mac[6])
{
	static const uint8_t zero[6] = {0};
	return memcmp(mac, zero, 6) != 0;
}

/* The tester port's and the DUT's MACs and addresses into peer->frame, once for both
 * plug-ins. */
static int frames_learn(struct session_peer *peer, const struct campaign_config *c,
			struct dl_error *err)
{
	if (mac_known(peer->frame.dut_mac))
		return 0;
	struct ring *ring = NULL;
	struct ring_options o = {.send = true, .frame_count = 8};
	int rc = ring_open(&ring, peer->scope, peer->interface, &o, err);
	if (rc)
		return rc;
	uint8_t mac[6];
	ring_mac(ring, mac);
	ring_close(ring);
	rc = campaign_addresses(c->profile, mac, &peer->frame, err);
	if (rc)
		return dl_error_prefix(err, "ipv4/ipv6 frames");
	return 0;
}

static int frames_prepare4(struct session_peer *peer, const struct campaign_config *c,
			   struct dl_error *err)
{
	return frames_learn(peer, c, err);
}

static int frames_prepare6(struct session_peer *peer, const struct campaign_config *c,
			   struct dl_error *err)
{
	int rc = frames_learn(peer, c, err);
	if (rc)
		return rc;
	if (IN6_IS_ADDR_UNSPECIFIED(&peer->frame.dut6))
		return dl_error_set(err, DL_EINVAL,
				    "robustness.mix names ipv6 but dut.addresses has no IPv6 "
				    "address to send the frames to; add the DUT's address on %s",
				    peer->interface ? peer->interface : "the tester port");
	if (IN6_IS_ADDR_UNSPECIFIED(&peer->frame.tester6))
		return dl_error_set(err, DL_EINVAL,
				    "robustness.mix names ipv6 but %s has no IPv6 address to send "
				    "the frames from; give the tester port one",
				    peer->interface ? peer->interface : "the tester port");
	return 0;
}

/* A packet template's frame for the peer's addresses. */
static int frames_build(const struct fuzz_template *t, struct packet *p,
			const struct session_peer *peer, struct dl_error *err)
{
	if (!mac_known(peer->frame.dut_mac))
		return dl_error_set(err, DL_EINVAL,
				    "%s: the DUT's MAC is not known yet (the plug-in's prepare "
				    "hook learns it)",
				    t->name);
	return t->build(p, &peer->frame, err);
}

/* One session template per packet template of the protocol: the same name, protocol and
 * title, built by the packet template from peer->frame. */
#define FRAMES_TEMPLATE(id, name_text, protocol_text, title_text)                                  \
	static int build_##id(struct packet *p, const struct session_peer *peer,                   \
			      struct dl_error *err)                                                \
	{                                                                                          \
		return frames_build(&template_##id, p, peer, err);                                 \
	}                                                                                          \
	static const struct session_template frames_##id = {                                       \
		.base = {.name = name_text, .protocol = protocol_text, .title = title_text},       \
		.build = build_##id,                                                               \
		.frame_max = MUTATION_FRAME_DEFAULT,                                               \
		.fragments = true,                                                                 \
	}

FRAMES_TEMPLATE(ipv4_udp, "ipv4-udp", "ipv4",
		"IPv4 datagram with a UDP payload to the DUT's discard port");
FRAMES_TEMPLATE(ipv4_options, "ipv4-options", "ipv4",
		"IPv4 datagram with Router Alert and Timestamp options and a UDP payload");
FRAMES_TEMPLATE(ipv4_tcp_syn, "ipv4-tcp-syn", "ipv4",
		"TCP SYN with MSS, SACK-permitted, timestamps and window scale to port 22");
FRAMES_TEMPLATE(ipv6_udp, "ipv6-udp", "ipv6",
		"IPv6 packet with a UDP payload to the DUT's discard port");
FRAMES_TEMPLATE(ipv6_hop_by_hop, "ipv6-hop-by-hop", "ipv6",
		"IPv6 hop-by-hop options (Router Alert, PadN) and a UDP payload");
FRAMES_TEMPLATE(ipv6_destination_options, "ipv6-destination-options", "ipv6",
		"IPv6 destination options (Tunnel Encapsulation Limit, PadN) and a UDP payload");
FRAMES_TEMPLATE(ipv6_routing, "ipv6-routing", "ipv6",
		"IPv6 segment routing header (RFC 8754) ending at the DUT, and a UDP payload");

static const struct session_template *const ipv4_templates[] = {
	&frames_ipv4_udp,
	&frames_ipv4_options,
	&frames_ipv4_tcp_syn,
};

static const struct session_template *const ipv6_templates[] = {
	&frames_ipv6_udp,
	&frames_ipv6_hop_by_hop,
	&frames_ipv6_destination_options,
	&frames_ipv6_routing,
};

/* ---- the "session" ---- */

static void frames_close(struct session_link *l)
{
	struct frames_link *f = l->protocol_state;
	ring_close(f->ring);
	f->ring = NULL;
	l->fd = -1;
	l->input_length = 0;
}

/* One state (0): a send ring on the tester port. Nothing is sent to build it. */
static int frames_establish(struct session_link *l, unsigned state, int64_t deadline_ns,
			    struct dl_error *err)
{
	(void)state;
	(void)deadline_ns;
	struct frames_link *f = l->protocol_state;
	frames_close(l);
	l->prefix_length = l->prefix_count = l->input_length = 0;
	l->prefix_full = false;
	l->hold_time = 0;
	l->frames = true;
	l->datagram = true;
	l->connected = false;
	l->ip_protocol = 0;
	l->local4 = l->peer->tester4;
	l->local_port = l->remote_port = 0;
	struct ring_options o = {
		.send = true, .frame_size = FRAMES_RING_SLOT, .frame_count = FRAMES_RING_SLOTS};
	int rc = ring_open(&f->ring, l->peer->scope, l->peer->interface, &o, err);
	if (rc) {
		f->ring = NULL;
		return rc;
	}
	l->fd = ring_fd(f->ring);
	return 0;
}

/* A case's frame on the port; one the guard or the port refuses is counted, not sent. */
static int frames_send(struct session_link *l, const struct session_template *t,
		       const uint8_t *data, size_t length, struct dl_error *err)
{
	(void)t;
	struct frames_link *f = l->protocol_state;
	if (!f->ring)
		return dl_error_set(err, DL_EIO, "frames: no send ring open");
	struct dl_error why;
	int rc = ring_send(f->ring, data, length, &why);
	if (rc == DL_ESCOPE || rc == DL_EINVAL) {
		f->refused++;
		return 0;
	}
	if (!rc)
		rc = ring_flush(f->ring, false, &why);
	if (rc)
		return dl_error_set(err, DL_EIO, "frames: %s", why.message);
	f->sent++;
	return 0;
}

/* Nothing to keep and nothing to read: the frame's only reaction is the DUT's health, which the
 * monitors watch. Complete at once, so the engine does not wait for an answer. */
static int frames_tend(struct session_link *l, unsigned wait_ms, struct session_reaction *out,
		       struct dl_error *err)
{
	(void)wait_ms;
	(void)err;
	*out = (struct session_reaction){.kind = l->fd >= 0 ? SESSION_ALIVE : SESSION_CLOSED,
					 .complete = true};
	return 0;
}

static void add_count(struct json_object *po, const char *key, uint64_t n)
{
	int64_t before = json_read_int(po, key, 0);
	json_object_object_add(po, key, json_object_new_int64(before + (int64_t)n));
}

static void frames_observe(const struct session_link *l, struct json_object *po)
{
	const struct frames_link *f = l->protocol_state;
	add_count(po, "frames_sent", f->sent);
	add_count(po, "frames_refused", f->refused);
}

const struct session_protocol session_ipv4 = {
	.name = "ipv4",
	.title = "IPv4 frames (the packet templates) on the tester port",
	.templates = ipv4_templates,
	.template_count = DL_ARRAY_SIZE(ipv4_templates),
	.establish = frames_establish,
	.tend = frames_tend,
	.close = frames_close,
	.send = frames_send,
	.state_size = sizeof(struct frames_link),
	.prepare = frames_prepare4,
	.observe = frames_observe,
};

const struct session_protocol session_ipv6 = {
	.name = "ipv6",
	.title = "IPv6 frames (the packet templates) on the tester port",
	.templates = ipv6_templates,
	.template_count = DL_ARRAY_SIZE(ipv6_templates),
	.establish = frames_establish,
	.tend = frames_tend,
	.close = frames_close,
	.send = frames_send,
	.state_size = sizeof(struct frames_link),
	.prepare = frames_prepare6,
	.observe = frames_observe,
};
