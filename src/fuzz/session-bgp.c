/* session-bgp: the BGP-4 session plug-in: OPEN to Established, the messages of Established, kept
 * alive and read for NOTIFICATIONs */
#include "core/compat.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include "core/error.h"
#include "core/profile.h"
#include "fuzz/session-bgp.h"
#include "fuzz/session.h"
#include "proto/bgp.h"
#include "proto/cursor.h"
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
static int bgp_establish(struct session_link *l, unsigned state, int64_t deadline_ns,
			 struct dl_error *err)
{
	(void)state;
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
			rc = session_link_read_some(l, (unsigned)left, &closed, err);
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

const struct session_protocol session_bgp = {
	.name = "bgp",
	.title = "BGP-4 in Established",
	.templates = bgp_templates,
	.template_count = DL_ARRAY_SIZE(bgp_templates),
	.establish = bgp_establish,
	.tend = bgp_tend,
	.close = bgp_close,
	.check = bgp_check,
};
