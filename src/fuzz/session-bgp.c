/* session-bgp: the BGP-4 session plug-in: OPEN to Established, the messages of Established, kept
 * alive and read for NOTIFICATIONs */
#include "core/compat.h"

#include <arpa/inet.h>

#include "core/error.h"
#include "core/profile.h"
#include "fuzz/session.h"
#include "proto/bgp.h"
#include "proto/packet.h"

#define BGP_HOLD_DEFAULT 90

/* Prefixes inside the lab's ranges (198.18.0.0/15, fd00:198::/48): what a
 * DUT learns from the campaign can never shadow a real route. */
static const uint8_t announce4_bytes[4] = {198, 19, 254, 0};
static const uint8_t announce6_bytes[16] = {0xfd, 0x00, 0x01, 0x98, 0x00, 0x00, 0x00, 0xfe};

static uint32_t local_as(const struct session_peer *peer)
{
	return peer->robustness->bgp.local_as ? peer->robustness->bgp.local_as : 65001;
}

static struct bgp_prefix4 prefix4(void)
{
	struct bgp_prefix4 p = {.length = 24};
	memcpy(&p.address, announce4_bytes, 4);
	return p;
}

static struct bgp_prefix6 prefix6(void)
{
	struct bgp_prefix6 p = {.length = 64};
	memcpy(&p.address, announce6_bytes, 16);
	return p;
}

static int finish(struct packet *p, int rc, struct dl_error *err)
{
	if (rc)
		return dl_error_set(err, rc, "bgp: the template does not fit a message");
	return packet_finish(p, err);
}

/* ---- the templates ---- */

static int build_update4(struct packet *p, const struct session_peer *peer, struct dl_error *err)
{
	uint32_t path[] = {local_as(peer)};
	uint32_t communities[] = {(local_as(peer) & 0xffff) << 16 | 100};
	struct bgp_prefix4 nlri = prefix4();
	struct bgp_update_fields f = {
		.origin = BGP_ORIGIN_IGP,
		.as_path = path,
		.as_path_count = 1,
		.next_hop = peer->tester4,
		.attributes = BGP_UPDATE_MED | BGP_UPDATE_LOCAL_PREF | BGP_UPDATE_AGGREGATOR,
		.med = 10,
		.local_pref = 100,
		.aggregator_as = local_as(peer),
		.aggregator = peer->tester4,
		.communities = communities,
		.community_count = 1,
		.nlri = &nlri,
		.nlri_count = 1,
	};
	return finish(p, bgp_build_update(p, &f), err);
}

static int build_update6(struct packet *p, const struct session_peer *peer, struct dl_error *err)
{
	uint32_t path[] = {local_as(peer)};
	struct bgp_prefix6 nlri = prefix6();
	struct bgp_update_fields f = {
		.origin = BGP_ORIGIN_IGP,
		.as_path = path,
		.as_path_count = 1,
		.next_hop6 = peer->tester6,
		.nlri6 = &nlri,
		.nlri6_count = 1,
	};
	return finish(p, bgp_build_update(p, &f), err);
}

static int build_unreach6(struct packet *p, const struct session_peer *peer, struct dl_error *err)
{
	(void)peer;
	struct bgp_prefix6 gone = prefix6();
	struct bgp_update_fields f = {.withdrawn6 = &gone, .withdrawn6_count = 1};
	return finish(p, bgp_build_update(p, &f), err);
}

static int build_withdraw4(struct packet *p, const struct session_peer *peer, struct dl_error *err)
{
	(void)peer;
	struct bgp_prefix4 gone = prefix4();
	struct bgp_update_fields f = {.withdrawn = &gone, .withdrawn_count = 1};
	return finish(p, bgp_build_update(p, &f), err);
}

static int build_refresh(struct packet *p, const struct session_peer *peer, struct dl_error *err)
{
	(void)peer;
	return finish(p, bgp_build_route_refresh(p, BGP_AFI_IPV4, BGP_SAFI_UNICAST), err);
}

static int build_open(struct packet *p, const struct session_peer *peer, struct dl_error *err)
{
	const struct profile_robustness_bgp *b = &peer->robustness->bgp;
	struct bgp_open_fields f = {
		.my_as = local_as(peer),
		.hold_time = (uint16_t)(b->hold_time ? b->hold_time : BGP_HOLD_DEFAULT),
		.identifier = peer->tester4,
	};
	return finish(p, bgp_build_open(p, &f), err);
}

static int build_notification(struct packet *p, const struct session_peer *peer,
			      struct dl_error *err)
{
	(void)peer;
	/* Cease, administrative reset (RFC 4486 4) */
	return finish(p, bgp_build_notification(p, BGP_ERROR_CEASE, 4, NULL, 0), err);
}

static int build_keepalive(struct packet *p, const struct session_peer *peer, struct dl_error *err)
{
	(void)peer;
	return finish(p, bgp_build_keepalive(p), err);
}

static const struct session_template bgp_update_ipv4 = {
	.base = {.name = "bgp-update-ipv4",
		 .protocol = "bgp",
		 .title = "UPDATE announcing an IPv4 prefix with ORIGIN, AS_PATH, NEXT_HOP, MED, "
			  "LOCAL_PREF, COMMUNITIES, AGGREGATOR"},
	.build = build_update4};
static const struct session_template bgp_update_ipv6 = {
	.base = {.name = "bgp-update-ipv6",
		 .protocol = "bgp",
		 .title = "UPDATE announcing an IPv6 prefix in MP_REACH_NLRI"},
	.build = build_update6};
static const struct session_template bgp_update_mp_unreach = {
	.base = {.name = "bgp-update-mp-unreach",
		 .protocol = "bgp",
		 .title = "UPDATE withdrawing an IPv6 prefix in MP_UNREACH_NLRI"},
	.build = build_unreach6};
static const struct session_template bgp_update_withdraw = {
	.base = {.name = "bgp-update-withdraw",
		 .protocol = "bgp",
		 .title = "UPDATE withdrawing an IPv4 prefix"},
	.build = build_withdraw4};
static const struct session_template bgp_route_refresh = {
	.base = {.name = "bgp-route-refresh",
		 .protocol = "bgp",
		 .title = "ROUTE-REFRESH for IPv4 unicast"},
	.build = build_refresh};
static const struct session_template bgp_open_again = {
	.base = {.name = "bgp-open-established",
		 .protocol = "bgp",
		 .title = "a second OPEN in Established (the wrong state)"},
	.build = build_open};
static const struct session_template bgp_notification = {
	.base = {.name = "bgp-notification",
		 .protocol = "bgp",
		 .title = "NOTIFICATION Cease, administrative reset"},
	.build = build_notification};
static const struct session_template bgp_keepalive = {
	.base = {.name = "bgp-keepalive", .protocol = "bgp", .title = "KEEPALIVE"},
	.build = build_keepalive};

static const struct session_template *const bgp_templates[] = {
	&bgp_update_ipv4,   &bgp_update_ipv6, &bgp_update_mp_unreach, &bgp_update_withdraw,
	&bgp_route_refresh, &bgp_open_again,  &bgp_notification,      &bgp_keepalive,
};

/* ---- the session ---- */

/* The first whole message of l->input: its type and length (0 when none
 * yet). DL_EPROTO when what came is no BGP message. */
static int next_message(const struct session_link *l, uint8_t *type, size_t *length,
			struct dl_error *err)
{
	*length = 0;
	if (l->input_length < BGP_HEADER_LENGTH)
		return 0;
	for (size_t i = 0; i < BGP_MARKER_LENGTH; i++)
		if (l->input[i] != 0xff)
			return dl_error_set(err, DL_EPROTO, "bgp: the DUT sent no BGP marker");
	size_t n = (size_t)l->input[16] << 8 | l->input[17];
	if (n < BGP_HEADER_LENGTH || n > BGP_MESSAGE_MAX)
		return dl_error_set(err, DL_EPROTO, "bgp: the DUT sent a message of length %zu", n);
	if (l->input_length < n)
		return 0;
	*type = l->input[18];
	*length = n;
	return 0;
}

static int send_keepalive(struct session_link *l, bool prefix, struct dl_error *err)
{
	static const uint8_t keepalive[BGP_HEADER_LENGTH] = {
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,         0xff,
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0,    19,   BGP_KEEPALIVE};
	int rc = session_link_send(l, keepalive, sizeof(keepalive), prefix, err);
	if (!rc && l->hold_time)
		l->keepalive_ns = sock_now_ns() + (int64_t)l->hold_time * 1000000000 / 3;
	return rc;
}

static int bgp_establish(struct session_link *l, int64_t deadline_ns, struct dl_error *err)
{
	const struct profile_robustness_bgp *b = &l->peer->robustness->bgp;
	int rc = session_link_connect(l, (uint16_t)(b->port ? b->port : BGP_PORT), b->password,
				      deadline_ns, err);
	if (rc)
		return rc;
	struct packet *open = malloc(sizeof(*open));
	if (!open)
		return dl_error_set(err, DL_ENOMEM, "bgp: out of memory");
	packet_init(open);
	unsigned hold = b->hold_time ? b->hold_time : BGP_HOLD_DEFAULT;
	struct bgp_open_fields f = {
		.my_as = local_as(l->peer),
		.hold_time = (uint16_t)hold,
		.identifier = l->local4,
	};
	rc = bgp_build_open(open, &f);
	if (rc)
		rc = dl_error_set(err, rc, "bgp: cannot build the OPEN");
	if (!rc)
		rc = packet_finish(open, err);
	if (!rc)
		rc = session_link_send(l, open->bytes, open->length, true, err);
	free(open);
	/* OpenSent -> OpenConfirm (their OPEN, our KEEPALIVE) -> Established (their KEEPALIVE) */
	bool their_open = false;
	for (unsigned reads = 0; !rc && reads < 64; reads++) {
		uint8_t type = 0;
		size_t n = 0;
		rc = next_message(l, &type, &n, err);
		if (rc)
			break;
		if (n == 0) {
			int left = sock_remaining_ms(deadline_ns, 1000);
			if (left == 0) {
				rc = dl_error_set(err, DL_ETIMEDOUT,
						  "bgp: no %s from the DUT in time",
						  their_open ? "KEEPALIVE" : "OPEN");
				break;
			}
			bool closed = false;
			rc = session_link_read(l, (unsigned)left, &closed, err);
			if (!rc && closed)
				rc = dl_error_set(err, DL_EIO,
						  "bgp: the DUT closed the connection before "
						  "Established");
			continue;
		}
		if (type == BGP_NOTIFICATION) {
			unsigned code = n > 19 ? l->input[19] : 0, sub = n > 20 ? l->input[20] : 0;
			rc = dl_error_set(err, DL_EPROTO,
					  "bgp: the DUT refused the session with NOTIFICATION "
					  "%u/%u",
					  code, sub);
		} else if (type == BGP_OPEN && !their_open && n >= 29) {
			unsigned theirs = (unsigned)l->input[22] << 8 | l->input[23];
			/* RFC 4271 4.2: the smaller hold time, 0 meaning none */
			l->hold_time = theirs < hold ? theirs : hold;
			their_open = true;
			rc = send_keepalive(l, true, err);
		} else if (type == BGP_KEEPALIVE && their_open) {
			session_link_consume(l, n);
			return 0;
		} else
			rc = dl_error_set(err, DL_EPROTO,
					  "bgp: the DUT sent message type %u before Established",
					  type);
		session_link_consume(l, n);
	}
	if (!rc)
		rc = dl_error_set(err, DL_EPROTO, "bgp: no Established after 64 messages");
	session_link_close(l);
	return rc;
}

static int bgp_tend(struct session_link *l, unsigned wait_ms, struct session_reaction *out,
		    struct dl_error *err)
{
	*out = (struct session_reaction){.kind = SESSION_ALIVE};
	if (l->fd < 0) {
		out->kind = SESSION_CLOSED;
		return 0;
	}
	if (l->hold_time && sock_now_ns() >= l->keepalive_ns) {
		struct dl_error why;
		if (send_keepalive(l, false, &why) != 0) {
			out->kind = SESSION_CLOSED;
			return 0;
		}
	}
	bool closed = false;
	struct dl_error why;
	if (session_link_read(l, wait_ms, &closed, &why) != 0)
		closed = true;
	for (unsigned m = 0; m < 64; m++) {
		uint8_t type = 0;
		size_t n = 0;
		if (next_message(l, &type, &n, &why) != 0) {
			closed = true;
			break;
		}
		if (n == 0)
			break;
		if (type == BGP_NOTIFICATION && out->kind != SESSION_NOTIFIED) {
			out->kind = SESSION_NOTIFIED;
			out->code = n > 19 ? l->input[19] : 0;
			out->subcode = n > 20 ? l->input[20] : 0;
		}
		session_link_consume(l, n);
	}
	if (closed && out->kind == SESSION_ALIVE)
		out->kind = SESSION_CLOSED;
	(void)err;
	return 0;
}

static void bgp_close(struct session_link *l)
{
	session_link_close(l);
}

const struct session_protocol session_bgp = {
	.name = "bgp",
	.title = "BGP-4 in Established",
	.templates = bgp_templates,
	.template_count = DL_ARRAY_SIZE(bgp_templates),
	.establish = bgp_establish,
	.tend = bgp_tend,
	.close = bgp_close,
};
