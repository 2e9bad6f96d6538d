/* session-bgp: the BGP-4 session plug-in: OPEN to Established, the messages of Established, kept
 * alive and read for NOTIFICATIONs */
#include "core/compat.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <time.h>

#include <json-c/json.h>

#include "core/error.h"
#include "core/json-read.h"
#include "core/profile.h"
#include "fuzz/session-bgp.h"
#include "fuzz/session.h"
#include "proto/bgp.h"
#include "proto/cursor.h"
#include "proto/packet.h"

#define BGP_HOLD_DEFAULT 90
#define BGP_REFRESH_BYTES 23 /* RFC 2918 3 */
#define BGP_TRUNCATED_MS 1   /* a truncated case's reaction: the header checked at once */
#define BGP_QUICK_RETRIES 8
#define BGP_QUICK_RETRY_NS 200000

/*
 * A case's reaction, proven complete. A case the DUT takes without a word
 * (most valid UPDATEs) used to cost the engine's whole reaction window (20
 * ms), when BIRD answers in 0.05 ms. BGP has an echo: with Enhanced Route
 * Refresh (RFC 7313) negotiated, a ROUTE-REFRESH is answered with a BoRR
 * (then the routes, then an EoRR) whatever the DUT's table holds. A speaker
 * reads its messages in order (RFC 4271 4.1: a TCP stream), so the BoRR
 * for a ROUTE-REFRESH written right behind a case (the barrier) proves the
 * case was read without the session ending: the reaction is whole. A
 * NOTIFICATION or a close before it is the case's.
 *
 * A BoRR names only its family, so it is trusted only from a clean family:
 * one barrier of it outstanding at most, none ever left unanswered when
 * the next case went, none unasked, no ROUTE-REFRESH case asking for it
 * (a late BoRR must not complete a later case). A DUT may sit on the
 * work a barrier leaves it (BIRD 2.0 until its next segment comes in):
 * while the BoRR is awaited, a KEEPALIVE wakes it every BGP_KICK_NS; or
 * drop it (BIRD, a new session's first barrier): BGP_KICK_RETRY kicks
 * unanswered, a barrier of the other clean family goes instead of the next
 * kick (not in the reproducer, which has the first barrier; with no other,
 * the kicks go on: a slow DUT's BoRR still completes the case). With
 * no clean family left, or a DUT without the capability (plain RFC 2918
 * refresh answers nothing when the DUT has no routes for us), a case waits
 * the engine's window as before. No barrier follows a case that is not one
 * BGP message of its own length (a longer length field would swallow the
 * barrier) or that is a ROUTE-REFRESH (its own BoRR would pass for the
 * barrier's); the first barrier asks for IPv6 unicast when the DUT offers
 * it: the ROUTE-REFRESH template asks for IPv4's.
 */
#define BGP_KICK_NS 100000      /* between two KEEPALIVEs that wake a DUT sitting on a barrier */
#define BGP_KICK_FIRST_NS 50000 /* the first: BIRD has read the case and the barrier by then */
#define BGP_KICKS 16
#define BGP_KICK_RETRY 2 /* kicks unanswered before a barrier of the other family is sent */
#define BGP_FAMILIES 2   /* IPv6 unicast, IPv4 unicast */
#define BGP_BARRIERS_UNANSWERED 16 /* barriers a link sends unanswered before it stops */

struct bgp_family {
	uint16_t afi;
	bool offered;     /* both OPENs carry it */
	bool dirty;       /* a BoRR of it can no longer be matched to its barrier */
	bool outstanding; /* its barrier is sent, its BoRR not read */
	bool late;        /* that barrier is an earlier case's (or attempt's): its BoRR completes
			     nothing, and makes the family clean again */
};

struct bgp_link {
	bool barriers; /* this session has enhanced route refresh on both sides */
	struct bgp_family families[BGP_FAMILIES];
	int awaited;     /* the family whose BoRR completes the pending case; -1: none */
	unsigned kicks;  /* KEEPALIVEs sent since, to wake the DUT */
	int64_t kick_ns; /* when the next one is due */
	bool truncated;  /* the pending case's length field says more than it has */
	/* the link's totals: barriers sent (retries too), their BoRRs read, cases sent without
	 * one, KEEPALIVEs that woke the DUT */
	uint64_t sent, acknowledged, bare, kicked;
};

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

/* The capabilities of the DUT's OPEN (RFC 5492 4; at most 64 parameters, each bounded by the
 * message): whether it offers route refresh (2, or Cisco's 128) and enhanced route refresh
 * (70), and which unicast families (multiprotocol, RFC 4760 8; none listed: IPv4). */
static void open_capabilities(const uint8_t *open, size_t n, bool *refresh, bool *enhanced,
			      bool *ipv4, bool *ipv6)
{
	*refresh = *enhanced = *ipv4 = *ipv6 = false;
	bool multiprotocol = false;
	struct cursor c, parameters;
	cursor_init(&c, open, n);
	uint8_t length = 0;
	if (cursor_skip(&c, 28) || cursor_u8(&c, &length) || cursor_sub(&c, length, &parameters))
		return;
	for (unsigned i = 0; i < 64 && !cursor_at_end(&parameters); i++) {
		uint8_t type = 0, size = 0;
		struct cursor parameter;
		if (cursor_u8(&parameters, &type) || cursor_u8(&parameters, &size) ||
		    cursor_sub(&parameters, size, &parameter))
			return;
		for (unsigned j = 0; type == 2 && j < 64 && !cursor_at_end(&parameter); j++) {
			uint8_t code = 0, value_length = 0;
			struct cursor value;
			if (cursor_u8(&parameter, &code) || cursor_u8(&parameter, &value_length) ||
			    cursor_sub(&parameter, value_length, &value))
				return;
			uint16_t afi = 0;
			uint8_t reserved = 0, safi = 0;
			if (code == BGP_CAP_ROUTE_REFRESH || code == 128)
				*refresh = true;
			else if (code == BGP_CAP_ENHANCED_ROUTE_REFRESH)
				*enhanced = true;
			else if (code == BGP_CAP_MULTIPROTOCOL && !cursor_u16be(&value, &afi) &&
				 !cursor_u8(&value, &reserved) && !cursor_u8(&value, &safi)) {
				multiprotocol = true;
				*ipv4 = *ipv4 || (afi == BGP_AFI_IPV4 && safi == BGP_SAFI_UNICAST);
				*ipv6 = *ipv6 || (afi == BGP_AFI_IPV6 && safi == BGP_SAFI_UNICAST);
			}
		}
	}
	if (!multiprotocol)
		*ipv4 = true; /* RFC 4760 8: IPv4 unicast unless told otherwise */
}

/* The barrier (a ROUTE-REFRESH request, RFC 7313 3.2) of family f into out. */
static void barrier_bytes(const struct bgp_family *f, uint8_t out[BGP_REFRESH_BYTES])
{
	memset(out, 0xff, BGP_MARKER_LENGTH);
	out[16] = 0;
	out[17] = BGP_REFRESH_BYTES;
	out[18] = BGP_ROUTE_REFRESH;
	out[19] = (uint8_t)(f->afi >> 8);
	out[20] = (uint8_t)f->afi;
	out[21] = BGP_REFRESH_REQUEST;
	out[22] = BGP_SAFI_UNICAST;
}

/* Their OPEN (n bytes): barriers, when it offers what our OPEN offered (route refresh and
 * enhanced route refresh) and a unicast family we offered too; l->trailer: the first
 * family's (what follows a case first). */
static void barrier_offer(struct session_link *l, const uint8_t *open, size_t n)
{
	struct bgp_link *b = l->protocol_state;
	bool refresh, enhanced, ipv4, ipv6;
	open_capabilities(open, n, &refresh, &enhanced, &ipv4, &ipv6);
	b->families[0] = (struct bgp_family){.afi = BGP_AFI_IPV6, .offered = ipv6};
	b->families[1] = (struct bgp_family){.afi = BGP_AFI_IPV4, .offered = ipv4};
	if (!refresh || !enhanced || (!ipv4 && !ipv6))
		return;
	b->barriers = true;
	barrier_bytes(&b->families[ipv6 ? 0 : 1], l->trailer);
	l->trailer_length = BGP_REFRESH_BYTES;
}

/* A clean family with no barrier outstanding (-1: none). */
static int clean_family(const struct bgp_link *b)
{
	for (int f = 0; f < BGP_FAMILIES; f++)
		if (b->families[f].offered && !b->families[f].dirty &&
		    !b->families[f].outstanding && !b->families[f].late)
			return f;
	return -1;
}

/* A ROUTE-REFRESH we send as a case: its family's BoRR may come, unasked by a barrier. */
static void refresh_case(struct bgp_link *b, const uint8_t *data, size_t length)
{
	if (length < BGP_REFRESH_BYTES || data[18] != BGP_ROUTE_REFRESH)
		return;
	uint16_t afi = (uint16_t)(data[19] << 8 | data[20]);
	for (int f = 0; f < BGP_FAMILIES; f++)
		if (b->families[f].afi == afi)
			b->families[f].dirty = true;
}

/*
 * Their KEEPALIVE came: Established. Then TCP_NODELAY, so each case leaves
 * at once. With Nagle's algorithm a case written while our last segment was
 * unacknowledged waits for the DUT's delayed ACK (up to 40 ms), past the
 * reaction window, and likely went out with the next case in one segment:
 * the DUT's NOTIFICATION for the first ended the session with the second
 * unread but counted (BIRD: 34 % of the same seed's cases ended the session
 * with Nagle, 63 % without). Waiting for the DUT's first message in
 * Established is no help: BIRD sends its routes 50 to 850 ms after it unless
 * it is sent an UPDATE (then mostly within 0.5 ms), and took a valid UPDATE
 * sent right behind our KEEPALIVE 20 times in 20 (docs/robustness.md, the
 * session bench).
 */
static int established(struct session_link *l)
{
	int on = 1;
	(void)setsockopt(l->fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on));
	return 0;
}

/* One state: Established (0). */
/* One attempt of bgp_establish; *early: the DUT refused or closed the connection before its
 * OPEN came. */
static int establish_once(struct session_link *l, int64_t deadline_ns, bool *early,
			  struct dl_error *err)
{
	const struct profile_robustness_bgp *b = &l->peer->robustness->bgp;
	*early = false;
	/* link i holds its session from robustness.bgp.sources[i] (the DUT keeps one per peer) */
	l->source4.s_addr = 0;
	if (b->source_count &&
	    inet_pton(AF_INET, b->sources[l->index % b->source_count], &l->source4) != 1)
		return dl_error_set(err, DL_EINVAL,
				    "bgp: the source address '%s' is no IPv4 address",
				    b->sources[l->index % b->source_count]);
	int rc = session_link_connect(l, (uint16_t)(b->port ? b->port : BGP_PORT), b->password,
				      deadline_ns, err);
	if (rc) {
		*early = rc == DL_EIO;
		return rc;
	}
	struct packet *open = malloc(sizeof(*open));
	if (!open)
		return dl_error_set(err, DL_ENOMEM, "bgp: out of memory");
	packet_init(open);
	unsigned hold = b->hold_time ? b->hold_time : BGP_HOLD_DEFAULT;
	struct bgp_open_fields f = {
		.my_as = local_as(l->peer),
		.hold_time = (uint16_t)hold,
		.identifier = l->local4,
		.capabilities = BGP_OPEN_CAP_DEFAULT | BGP_OPEN_CAP_ENHANCED_REFRESH,
	};
	struct bgp_link *b_state = l->protocol_state;
	b_state->barriers = false;
	memset(b_state->families, 0, sizeof(b_state->families));
	b_state->awaited = -1;
	l->trailer_length = 0;
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
			rc = session_link_read_some(l, (unsigned)left, &closed, err);
			if (!rc && closed)
				rc = dl_error_set(err, DL_EIO,
						  "bgp: the DUT closed the connection before "
						  "Established");
			*early = rc == DL_EIO && !their_open;
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
			barrier_offer(l, l->input, n);
			rc = send_keepalive(l, true, err);
		} else if (type == BGP_KEEPALIVE && their_open) {
			session_link_consume(l, n);
			return established(l);
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

/*
 * One state: Established (0). A DUT that refuses the connection or closes it before its OPEN
 * is tried again BGP_QUICK_RETRIES times, BGP_QUICK_RETRY_NS apart, before the engine's own
 * retry (10 ms, then more): BIRD resets a new connection from the peer whose last session it
 * has not finished closing (a third of all connections, in the bench, right after a
 * NOTIFICATION), and takes the next one.
 */
static int bgp_establish(struct session_link *l, unsigned state, int64_t deadline_ns,
			 struct dl_error *err)
{
	(void)state;
	int rc = 0;
	for (unsigned attempt = 0; attempt < BGP_QUICK_RETRIES; attempt++) {
		bool early = false;
		rc = establish_once(l, deadline_ns, &early, err);
		if (!rc || !early || sock_now_ns() + BGP_QUICK_RETRY_NS >= deadline_ns)
			break;
		struct timespec pause = {.tv_sec = 0, .tv_nsec = BGP_QUICK_RETRY_NS};
		(void)nanosleep(&pause, NULL);
	}
	return rc;
}

/* A BoRR of afi/safi read: the pending case's reaction complete when it answers its barrier's
 * clean family; from a family with nothing outstanding, that family dirty. */
static void borr(struct bgp_link *b, uint16_t afi, uint8_t safi, struct session_reaction *out)
{
	for (int f = 0; f < BGP_FAMILIES && b->barriers; f++) {
		struct bgp_family *x = &b->families[f];
		if (!x->offered || x->afi != afi || safi != BGP_SAFI_UNICAST)
			continue;
		if (!x->outstanding) {
			x->dirty = true; /* unasked: whose is it? */
			return;
		}
		x->outstanding = false;
		if (x->late) {
			x->late = false;
			return;
		}
		if (x->dirty)
			return;
		b->acknowledged++;
		if (b->awaited == f) {
			/* every message before the barrier was read, the session standing */
			b->awaited = -1;
			out->complete = true;
		}
		return;
	}
}

/* The pending case's barrier unanswered: a KEEPALIVE (valid in Established, RFC 4271 4.4) to
 * wake the DUT, every BGP_KICK_NS, at most BGP_KICKS a case. BIRD 2.0 does the work a message
 * leaves it (its first feed of a new session, then the refresh that sends the BoRR) only when
 * the next segment comes in: unkicked, every BoRR waited for the next case. */
static void barrier_kick(struct session_link *l)
{
	struct bgp_link *b = l->protocol_state;
	int64_t now = sock_now_ns();
	if (b->awaited < 0 || b->kicks >= BGP_KICKS || now < b->kick_ns)
		return;
	struct dl_error why;
	int f = b->kicks == BGP_KICK_RETRY ? clean_family(b) : -1;
	if (f >= 0) {
		/* BIRD drops a refresh that comes while a new session's first feed is only
		 * queued (channel_request_feeding): the first case's barrier. Two wake-ups on,
		 * that feed has begun and a barrier of the other family is answered. With no
		 * other family the same BoRR is waited for, kicked on: a DUT slower than the two
		 * kicks (lab/bin/fragile-bgp.py, IPv4 only, answers in 0.4 ms) still completes
		 * the case; one that dropped it has the window, as without barriers. */
		b->families[b->awaited].late = true;
		b->awaited = -1;
		uint8_t again[BGP_REFRESH_BYTES];
		barrier_bytes(&b->families[f], again);
		if (session_link_send(l, again, sizeof(again), false, &why) != 0)
			return; /* the session is gone: the read says so */
		b->families[f].outstanding = true;
		b->awaited = f;
		b->sent++;
	} else
		(void)send_keepalive(l, false, &why); /* a session gone: the read says so */
	b->kicks++;
	b->kicked++;
	b->kick_ns = now + BGP_KICK_NS;
}

static int bgp_tend(struct session_link *l, unsigned wait_ms, struct session_reaction *out,
		    struct dl_error *err)
{
	*out = (struct session_reaction){.kind = SESSION_ALIVE};
	struct bgp_link *b = l->protocol_state;
	if (l->fd >= 0 && b->truncated && wait_ms > BGP_TRUNCATED_MS)
		wait_ms = BGP_TRUNCATED_MS;
	if (l->fd >= 0 && b->awaited >= 0 && b->kicks < BGP_KICKS) {
		/* wait for the DUT only until the next kick (the engine calls again for the rest of
		 * its wait): poll's milliseconds are ten kicks */
		barrier_kick(l);
		int64_t ns = b->kick_ns - sock_now_ns();
		if (ns > (int64_t)wait_ms * 1000000)
			ns = (int64_t)wait_ms * 1000000;
		if (ns > 0) {
			struct pollfd p = {.fd = l->fd, .events = POLLIN};
			struct timespec t = {.tv_sec = ns / 1000000000, .tv_nsec = ns % 1000000000};
			(void)ppoll(&p, 1, &t, NULL);
		}
		wait_ms = 0;
	}
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
	if (session_link_read_some(l, wait_ms, &closed, &why) != 0)
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
		} else if (type == BGP_ROUTE_REFRESH && n == BGP_REFRESH_BYTES &&
			   l->input[21] == BGP_REFRESH_BORR && out->kind == SESSION_ALIVE)
			borr(b, (uint16_t)(l->input[19] << 8 | l->input[20]), l->input[22], out);
		session_link_consume(l, n);
	}
	if (closed && out->kind == SESSION_ALIVE)
		out->kind = SESSION_CLOSED;
	if (b->truncated && out->kind == SESSION_ALIVE && l->fd >= 0) {
		/*
		 * The case told the DUT to wait for more: it can say nothing more of it
		 * (a speaker that checks the header at once has had BGP_TRUNCATED_MS), and
		 * the next case written would be read as the rest of it. Its reaction is
		 * whole; the session is ours to end (not the DUT's reset).
		 */
		b->truncated = false;
		out->complete = true;
		session_link_close(l);
	}
	(void)err;
	return 0;
}

static void bgp_close(struct session_link *l)
{
	session_link_close(l);
}

/* How many bytes of l's trailer (its barrier) follow this case: all of them when the session
 * has a barrier and the case is one BGP message of its own length (a longer length field would
 * take the barrier in) that is no ROUTE-REFRESH (its own BoRR would pass for the barrier's).
 * The engine's reproducer asks too, on a session that kept the trailer but no protocol
 * state. */
static size_t bgp_trailer(const struct session_link *l, const uint8_t *data, size_t length)
{
	if (!l->trailer_length || length < BGP_HEADER_LENGTH || length > BGP_MESSAGE_MAX)
		return 0;
	size_t said = (size_t)data[16] << 8 | data[17];
	return said == length && data[18] != BGP_ROUTE_REFRESH ? l->trailer_length : 0;
}

/* Whether a case's length field says more than it holds (and no more than a message may): the
 * DUT waits for the rest, and reads whatever is written next as part of it. */
static bool truncated(const uint8_t *data, size_t length)
{
	if (length < BGP_MARKER_LENGTH + 2)
		return false;
	size_t said = (size_t)data[16] << 8 | data[17];
	return said > length && said >= BGP_HEADER_LENGTH && said <= BGP_MESSAGE_MAX;
}

/* A case, with a barrier of a clean family behind it in the same write when it trails one
 * (one segment, one system call). */
static int bgp_send(struct session_link *l, const struct session_template *t, const uint8_t *data,
		    size_t length, struct dl_error *err)
{
	(void)t;
	struct bgp_link *b = l->protocol_state;
	if (b->awaited >= 0) /* its BoRR never came: it may come late */
		b->families[b->awaited].late = true;
	b->awaited = -1;
	b->kicks = 0;
	b->truncated = truncated(data, length);
	/* a DUT that offers the capability but answers no barrier (FRR 8.4 answered none in 7
	 * s): the window, without loading it with refreshes */
	bool answers = b->sent < BGP_BARRIERS_UNANSWERED || b->acknowledged > 0;
	int f = answers && b->barriers && bgp_trailer(l, data, length) ? clean_family(b) : -1;
	if (f < 0) {
		b->bare++;
		refresh_case(b, data, length);
		return session_link_send(l, data, length, false, err);
	}
	uint8_t both[BGP_MESSAGE_MAX + BGP_REFRESH_BYTES];
	memcpy(both, data, length);
	barrier_bytes(&b->families[f], both + length);
	/* what followed the case, for the sent log and a reproducer made of this session */
	memcpy(l->trailer, both + length, BGP_REFRESH_BYTES);
	int rc = session_link_send(l, both, length + BGP_REFRESH_BYTES, false, err);
	if (!rc) {
		b->families[f].outstanding = true;
		b->awaited = f;
		b->kick_ns = sock_now_ns() + BGP_KICK_FIRST_NS;
		b->sent++;
	}
	return rc;
}

static void add_count(struct json_object *po, const char *key, uint64_t n)
{
	int64_t before = json_read_int(po, key, 0);
	json_object_object_add(po, key, json_object_new_int64(before + (int64_t)n));
}

static void bgp_observe(const struct session_link *l, struct json_object *po)
{
	const struct bgp_link *b = l->protocol_state;
	add_count(po, "refresh_barriers", b->sent);
	add_count(po, "refresh_barriers_answered", b->acknowledged);
	add_count(po, "cases_without_barrier", b->bare);
	add_count(po, "barrier_keepalives", b->kicked);
}

/* ---- the check: the DUT advertises the routes the profile expects ---- */

int session_bgp_route_parse(const char *text, struct session_bgp_route *out)
{
	memset(out, 0, sizeof(*out));
	const char *slash = text ? strchr(text, '/') : NULL;
	size_t n = slash ? (size_t)(slash - text) : 0;
	char address[INET6_ADDRSTRLEN];
	if (!slash || n == 0 || n >= sizeof(address) || !slash[1] || strlen(slash + 1) > 3)
		return DL_EINVAL;
	unsigned bits = 0;
	for (const char *c = slash + 1; *c; c++) {
		if (*c < '0' || *c > '9')
			return DL_EINVAL;
		bits = bits * 10 + (unsigned)(*c - '0');
	}
	memcpy(address, text, n);
	address[n] = '\0';
	out->family = memchr(address, ':', n) ? AF_INET6 : AF_INET;
	if (bits > (out->family == AF_INET6 ? 128u : 32u) ||
	    inet_pton(out->family, address, out->address) != 1)
		return DL_EINVAL;
	out->length = (uint8_t)bits;
	/* the bits past the length are not the route's */
	for (unsigned i = bits; i < 128; i++)
		out->address[i / 8] &= (uint8_t) ~(0x80u >> (i % 8));
	return 0;
}

void session_bgp_route_text(const struct session_bgp_route *route, char *text, size_t size)
{
	char address[INET6_ADDRSTRLEN] = "?";
	inet_ntop(route->family, route->address, address, sizeof(address));
	snprintf(text, size, "%s/%u", address, route->length);
}

/* Each NLRI prefix (RFC 4271 4.3: a length in bits, then its bytes) of family in c: mark or
 * clear it in seen. */
static int read_prefixes(struct cursor *c, int family, bool set,
			 const struct session_bgp_route *want, size_t count, bool *seen)
{
	unsigned most = family == AF_INET6 ? 128 : 32;
	for (unsigned i = 0; i < 4096 && !cursor_at_end(c); i++) {
		uint8_t bits = 0;
		int rc = cursor_u8(c, &bits);
		if (rc)
			return rc;
		if (bits > most)
			return cursor_fail_value(c, "a prefix longer than its address", bits);
		struct session_bgp_route r = {.family = family, .length = bits};
		rc = cursor_copy(c, r.address, (bits + 7u) / 8u);
		if (rc)
			return rc;
		for (unsigned b = bits; b < 128; b++)
			r.address[b / 8] &= (uint8_t) ~(0x80u >> (b % 8));
		for (size_t w = 0; w < count; w++)
			if (want[w].family == family && want[w].length == bits &&
			    memcmp(want[w].address, r.address, sizeof(r.address)) == 0)
				seen[w] = set;
	}
	return 0;
}

/* MP_REACH_NLRI or MP_UNREACH_NLRI (RFC 4760 3, 4): IPv6 unicast prefixes only. */
static int read_multiprotocol(struct cursor *c, bool reach, const struct session_bgp_route *want,
			      size_t count, bool *seen)
{
	uint16_t afi = 0;
	uint8_t safi = 0, next_hop_length = 0, reserved = 0;
	int rc = cursor_u16be(c, &afi);
	if (!rc)
		rc = cursor_u8(c, &safi);
	if (rc || afi != BGP_AFI_IPV6 || safi != BGP_SAFI_UNICAST)
		return rc;
	if (reach) {
		rc = cursor_u8(c, &next_hop_length);
		if (!rc)
			rc = cursor_skip(c, next_hop_length);
		if (!rc)
			rc = cursor_u8(c, &reserved);
		if (rc)
			return rc;
	}
	return read_prefixes(c, AF_INET6, reach, want, count, seen);
}

int session_bgp_update_routes(const uint8_t *message, size_t length,
			      const struct session_bgp_route *want, size_t count, bool *seen,
			      struct dl_error *err)
{
	if (length < BGP_HEADER_LENGTH || message[18] != BGP_UPDATE)
		return 0;
	struct cursor c, part;
	cursor_init(&c, message, length);
	uint16_t withdrawn_length = 0, attributes_length = 0;
	int rc = cursor_skip(&c, BGP_HEADER_LENGTH);
	if (!rc)
		rc = cursor_u16be(&c, &withdrawn_length);
	if (!rc)
		rc = cursor_sub(&c, withdrawn_length, &part);
	if (!rc)
		rc = read_prefixes(&part, AF_INET, false, want, count, seen);
	if (!rc)
		rc = cursor_u16be(&c, &attributes_length);
	if (!rc)
		rc = cursor_sub(&c, attributes_length, &part);
	for (unsigned i = 0; !rc && i < 256 && !cursor_at_end(&part); i++) {
		uint8_t flags = 0, type = 0, short_length = 0;
		uint16_t value_length = 0;
		struct cursor value;
		rc = cursor_u8(&part, &flags);
		if (!rc)
			rc = cursor_u8(&part, &type);
		if (!rc && (flags & BGP_ATTR_FLAG_EXTENDED))
			rc = cursor_u16be(&part, &value_length);
		else if (!rc) {
			rc = cursor_u8(&part, &short_length);
			value_length = short_length;
		}
		if (!rc)
			rc = cursor_sub(&part, value_length, &value);
		if (!rc && (type == BGP_ATTR_MP_REACH_NLRI || type == BGP_ATTR_MP_UNREACH_NLRI))
			rc = read_multiprotocol(&value, type == BGP_ATTR_MP_REACH_NLRI, want, count,
						seen);
	}
	if (!rc)
		rc = read_prefixes(&c, AF_INET, true, want, count, seen);
	if (rc)
		return cursor_error_report(&c, err, "bgp: the DUT's UPDATE");
	return 0;
}

/* "198.18.24.128/25 fd00:..." of the routes whose seen is want_seen. */
static void list_routes(const struct session_bgp_route *want, const bool *seen, size_t count,
			bool want_seen, char *text, size_t size)
{
	size_t used = 0;
	text[0] = '\0';
	for (size_t i = 0; i < count && used + 1 < size; i++) {
		if (seen[i] != want_seen)
			continue;
		char one[INET6_ADDRSTRLEN + 8];
		session_bgp_route_text(&want[i], one, sizeof(one));
		int w = snprintf(text + used, size - used, "%s%s", used ? " " : "", one);
		if (w < 0)
			break;
		used += (size_t)w < size - used ? (size_t)w : size - used - 1;
	}
}

/*
 * A fresh session to Established, then its UPDATEs read until every route
 * of robustness.bgp.expect_routes was announced (none expected: the
 * session alone is the check). A DUT that refuses the session, closes it,
 * or does not announce them all by deadline_ns is unhealthy, with what it
 * did say.
 */
static int bgp_check(struct session_link *l, int64_t deadline_ns, bool *healthy, char *evidence,
		     size_t size, struct dl_error *err)
{
	const struct profile_robustness_bgp *b = &l->peer->robustness->bgp;
	struct session_bgp_route want[SESSION_BGP_EXPECT_MAX];
	bool seen[SESSION_BGP_EXPECT_MAX] = {false};
	size_t count = 0;
	*healthy = false;
	for (size_t i = 0; i < b->expect_route_count && count < SESSION_BGP_EXPECT_MAX; i++)
		if (session_bgp_route_parse(b->expect_routes[i], &want[count]) == 0)
			count++;
	int64_t started = sock_now_ns();
	struct dl_error why;
	int rc = bgp_establish(l, 0, deadline_ns, &why);
	if (rc == DL_ESCOPE || rc == DL_ENOMEM)
		return dl_error_set(err, rc, "%s", why.message);
	if (rc) {
		snprintf(evidence, size, "bgp: no session for the check: %s", why.message);
		return 0;
	}
	size_t have = 0;
	const char *ended = NULL;
	for (unsigned reads = 0; reads < 4096 && have < count && !ended; reads++) {
		uint8_t type = 0;
		size_t n = 0;
		if (next_message(l, &type, &n, &why) != 0) {
			snprintf(evidence, size, "bgp: %s", why.message);
			return 0;
		}
		if (n == 0) {
			int left = sock_remaining_ms(deadline_ns, 1000);
			bool closed = false;
			if (left == 0)
				break;
			if (session_link_read_some(l, (unsigned)left, &closed, &why) != 0 || closed)
				ended = "closed the session";
			continue;
		}
		if (type == BGP_NOTIFICATION)
			ended = "sent a NOTIFICATION";
		else if (session_bgp_update_routes(l->input, n, want, count, seen, &why) != 0) {
			snprintf(evidence, size, "%s", why.message);
			return 0;
		}
		session_link_consume(l, n);
		have = 0;
		for (size_t i = 0; i < count; i++)
			have += seen[i];
	}
	char routes[256];
	list_routes(want, seen, count, have == count, routes, sizeof(routes));
	double seconds = (double)(sock_now_ns() - started) / 1e9;
	*healthy = have == count;
	if (count == 0)
		snprintf(evidence, size, "bgp: Established in %.1f s (no expect_routes to check)",
			 seconds);
	else if (*healthy)
		snprintf(evidence, size, "bgp: Established, %s advertised within %.1f s", routes,
			 seconds);
	else
		snprintf(evidence, size, "bgp: Established, but %s not advertised%s%s (%.1f s)",
			 routes, ended ? ": the DUT " : " in time", ended ? ended : "", seconds);
	return 0;
}

/* One link per robustness.bgp.sources address (capped by robustness.session_links when it is
 * set): BIRD and FRR keep one session per peer address. */
static size_t bgp_links(const struct session_peer *peer)
{
	size_t n = peer->robustness->bgp.source_count;
	size_t cap = peer->robustness->session_links;
	if (cap && n > cap)
		n = cap;
	return n ? n : 1;
}

const struct session_protocol session_bgp = {
	.name = "bgp",
	.title = "BGP-4 in Established",
	.templates = bgp_templates,
	.template_count = DL_ARRAY_SIZE(bgp_templates),
	.establish = bgp_establish,
	.tend = bgp_tend,
	.close = bgp_close,
	.send = bgp_send,
	.check = bgp_check,
	.state_size = sizeof(struct bgp_link),
	.observe = bgp_observe,
	.trailer = bgp_trailer,
	.links = bgp_links, /* one session per peer address: parallel only from several */
};
