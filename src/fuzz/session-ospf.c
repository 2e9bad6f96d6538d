/* session-ospf: the OSPFv2 session plug-in: an adjacency brought to Full over a raw IP link on
 * 224.0.0.5, kept there, and hellos, DDs, LSRs, LSUs of every LSA type and LSAcks sent in Full */
#include "core/compat.h"

#include <arpa/inet.h>
#include <net/if.h>
#include <stdatomic.h>
#include <sys/ioctl.h>
#include <time.h>

#include "core/error.h"
#include "core/profile.h"
#include "fuzz/session.h"
#include "net/sock.h"
#include "proto/ospf.h"
#include "proto/packet.h"

/*
 * The tester is one OSPF router on a point-to-point link (RFC 2328 8.1:
 * every packet to AllSPFRouters, 224.0.0.5, TTL 1), or on a broadcast one
 * (robustness.ospf.network: broadcast): there our hellos declare the
 * Designated Router the DUT declares and ourselves its Backup (the DUT
 * in Waiting ends it at once on BackupSeen, 9.2, and with two routers both
 * are DR or BDR, so the adjacency always forms, 10.4); establish sends a
 * hello listing nobody (the DUT drops any adjacency it still had with us:
 * 1-WayReceived, 10.5) and one listing the DUT's router id (2-Way, then
 * ExStart at once: a point-to-point neighbour is always adjacent, 10.4);
 * the higher router id is master (10.6), our DDs list no LSA, so the DUT
 * has nothing to request and reaches Full when the exchange ends; we ask
 * for its router LSA (Loading) and are Full when it came. In
 * Full, tend sends hellos every HelloInterval, acknowledges every LSA the
 * DUT floods and reads how it took the case: an initial DD (ExStart again:
 * SeqNumberMismatch or BadLSReq, 10.3) or a hello no longer listing us is
 * the DUT ending the adjacency, its refusal of what it read (a NOTIFIED
 * reaction, like BGP's NOTIFICATION). The DUT's proof of Full is its
 * router LSA listing a link to us (12.4.1.1: links only to Full
 * neighbours), which the check waits for.
 *
 * Templates are built from the profile alone (our router id, the DUT's,
 * the area, the authentication), so every case can be rebuilt from its
 * seed; they are all sent in Full (state 0). The LSAs we announce lie in
 * the lab's range (198.18.0.0/15), so what a DUT installs can never shadow
 * a real route. An NSSA LSA in area 0 is discarded by a conforming DUT
 * after parsing (RFC 3101 2.5): the parser is what the case tests.
 */

#define OSPF_ESTABLISH_MS 6000 /* one attempt: a DUT's RxmtInterval (5 s) and then some */
#define OSPF_RESEND_MS 500     /* our initial DD and LSR again when unanswered */
#define OSPF_SETTLE_MS 1000    /* after Full, a hello without us may still be in flight */
/* how long the check waits for the DUT's router LSA listing us (its origination may wait for
 * MinLSInterval, 5 s, RFC 2328 B) */
#define OSPF_CHECK_LSA_MS 2500
#define OSPF_MASK_UNKNOWN 0xffffff00u /* the hello's mask when the port's is not known: /24 */
#define OSPF_READS_MAX 4096
#define OSPF_ACKS_PER_PACKET 16 /* LSA headers an LSAck of ours holds (the field table's room) */
#define OSPF_REQUESTS_PER_PACKET 16

enum ospf_neighbour {
	OSPF_NBR_DOWN,
	OSPF_NBR_EXSTART,
	OSPF_NBR_EXCHANGE,
	OSPF_NBR_LOADING,
	OSPF_NBR_FULL,
};

static const char *const ospf_neighbour_names[] = {"Down", "ExStart", "Exchange", "Loading",
						   "Full"};

/* The per-link state (session_link.protocol_state): what one adjacency knows. */
struct ospf_session {
	struct in_addr me, dut, area;
	enum ospf_neighbour state;
	bool master;
	bool dut_more;         /* the DUT's last DD had M set */
	uint32_t dd_sequence;  /* the exchange's DD sequence number now */
	uint32_t dd_initial;   /* the one it started with (a late initial DD is stale) */
	uint8_t last_dd_flags; /* the slave's last DD, sent again on a duplicate */
	int64_t next_hello_ns; /* our next hello */
	int64_t resend_ns;     /* our initial DD (master, ExStart) or LSR (Loading) again */
	int64_t full_ns;       /* when we reached Full */
	struct ospf_request wanted[OSPF_LSAS_MAX]; /* what Loading asks for: its router LSA */
	size_t wanted_count;
	unsigned dut_lsas; /* LSAs the DUT's DDs listed this session */
	/* broadcast: the DR and BDR the DUT's last hello declared (before one came: the DUT the
	 * DR, as in the steady state) */
	struct in_addr dut_dr, dut_bdr;
	bool dut_hello_seen;
	bool hello_lists_us; /* the DUT's last hello listed our router id (it hears ours) */
	bool dut_lists_us;   /* its latest router or network LSA lists us (ospf_dut_lsa) */
	bool router_lsa_lists_us, network_lsa_lists_us;
	bool dropped; /* the DUT left the adjacency (NOTIFIED) */
	uint8_t dropped_by;
	uint16_t mtu;
	int fatal; /* a mismatch no retry mends (intervals, router id, mask), with why */
	char why[200];
	/* the last attempt's fatal mismatch, kept across attempts: the engine retries until its
	 * bound, and an attempt that bound cut short before the DUT's hello came says it */
	int last_fatal;
	char last_why[200];
};

/*
 * The highest cryptographic sequence number we sent: the DUT took it if the rest of the packet
 * was well formed, and drops anything lower (D.3) until it forgets us, so our packets, and the
 * cases built from the clock, go out with at least it. One for the process, not per link: the
 * check's link and the fuzzing link are the same neighbour to the DUT (a campaign has one DUT).
 */
static _Atomic uint32_t ospf_crypto_floor;

static uint32_t ospf_floor(void)
{
	return atomic_load(&ospf_crypto_floor);
}

static void ospf_floor_raise(uint32_t sequence)
{
	uint32_t was = atomic_load(&ospf_crypto_floor);
	for (int tries = 0; tries < 64 && sequence > was; tries++)
		if (atomic_compare_exchange_weak(&ospf_crypto_floor, &was, sequence))
			break;
}

/* ---- what the profile says ---- */

static const struct profile_robustness_ospf *ospf_profile(const struct session_peer *peer)
{
	return &peer->robustness->ospf;
}

static struct in_addr ospf_dotted(const char *text, struct in_addr otherwise)
{
	struct in_addr a;
	if (text && inet_pton(AF_INET, text, &a) == 1)
		return a;
	return otherwise;
}

static struct in_addr ospf_me(const struct session_peer *peer)
{
	return ospf_dotted(ospf_profile(peer)->router_id, peer->tester4);
}

static struct in_addr ospf_dut(const struct session_peer *peer)
{
	return ospf_dotted(ospf_profile(peer)->dut_router_id, peer->dut4);
}

static unsigned ospf_hello_interval(const struct session_peer *peer)
{
	return ospf_profile(peer)->hello ? ospf_profile(peer)->hello : 10;
}

static bool ospf_broadcast(const struct session_peer *peer)
{
	return ospf_profile(peer)->broadcast;
}

static unsigned ospf_dead_interval(const struct session_peer *peer)
{
	return ospf_profile(peer)->dead ? ospf_profile(peer)->dead : 40;
}

/* RFC 2328 D.3: the cryptographic sequence number never goes down, across sessions too, and an
 * equal one is taken: the seconds of the clock, for the session's messages and the cases. */
static uint32_t ospf_crypto_sequence(void)
{
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	return (uint32_t)now.tv_sec;
}

/* The header every packet of ours has: router id, area, authentication. */
static struct ospf_fields ospf_header(const struct session_peer *peer, uint8_t type)
{
	const struct profile_robustness_ospf *o = ospf_profile(peer);
	struct ospf_fields f = {.type = type, .router_id = ospf_me(peer)};
	f.area_id = ospf_dotted(o->area, (struct in_addr){0});
	if (o->auth != OSPF_AUTH_NONE && o->password) {
		f.auth = (uint8_t)o->auth;
		f.password = o->password;
		f.key_id = (uint8_t)o->key_id;
		f.sequence = ospf_crypto_sequence();
	}
	return f;
}

/* The Network Mask our hellos carry: the tester port's own (its address's prefix), which a
 * DUT on a broadcast link compares with its interface's and drops the hello when they differ
 * (RFC 2328 10.5); /24 when the port's is not known (a peer built without the engine). */
static struct in_addr ospf_mask(const struct session_peer *peer)
{
	if (peer->tester4_mask.s_addr)
		return peer->tester4_mask;
	return (struct in_addr){.s_addr = htonl(OSPF_MASK_UNKNOWN)};
}

/*
 * A hello of ours. On a broadcast link it declares dr as the Designated Router (0.0.0.0: none
 * yet) and us as the Backup unless the DUT declared us the DR: the templates assume the
 * steady state (the DUT DR, we BDR), a live session what the DUT's last hello said.
 */
static struct ospf_fields ospf_hello_fields(const struct session_peer *peer,
					    const struct in_addr *neighbour, struct in_addr dr)
{
	struct ospf_fields f = ospf_header(peer, OSPF_HELLO);
	f.mask = ospf_mask(peer);
	f.hello_interval = (uint16_t)ospf_hello_interval(peer);
	f.dead_interval = ospf_dead_interval(peer);
	f.options = OSPF_OPTION_E; /* a normal area: the E-bit must match the DUT's (10.5) */
	f.priority = 1;
	f.neighbors = neighbour;
	f.neighbor_count = neighbour ? 1 : 0;
	if (ospf_broadcast(peer)) {
		f.dr = dr;
		f.bdr = dr.s_addr == peer->tester4.s_addr ? peer->dut4 : peer->tester4;
	}
	return f;
}

static int finish(struct packet *p, int rc, struct dl_error *err)
{
	if (rc)
		return dl_error_set(err, rc, "ospf: the template does not fit a packet");
	return packet_finish(p, err);
}

/* ---- the templates ---- */

static struct in_addr lab_net(uint8_t third)
{
	struct in_addr a;
	a.s_addr = htonl(0xc6120000u | (uint32_t)third << 8); /* 198.18.third.0 */
	return a;
}

static uint32_t lsa_sequence(void)
{
	/* newer than what the DUT has from an earlier case of ours, within the signed range */
	return OSPF_INITIAL_SEQUENCE + (ospf_crypto_sequence() & 0x0fffffffu);
}

static struct ospf_lsa lsa_of(const struct session_peer *peer, uint8_t type, struct in_addr id)
{
	return (struct ospf_lsa){.age = 1,
				 .options = OSPF_OPTION_E,
				 .type = type,
				 .id = id,
				 .advertising_router = ospf_me(peer),
				 .sequence = lsa_sequence()};
}

/* Our six LSAs, one of each type (links and routers point into the caller's arrays). */
static void lab_lsas(const struct session_peer *peer, struct ospf_lsa a[6], struct ospf_link l[2],
		     struct in_addr routers[2])
{
	struct in_addr mask24 = {.s_addr = htonl(0xffffff00u)};
	/* broadcast: a transit link to the DR, the DUT's interface (12.4.1.2) */
	l[0] = ospf_broadcast(peer) ? (struct ospf_link){.id = peer->dut4,
							 .data = peer->tester4,
							 .type = OSPF_LINK_TRANSIT,
							 .metric = 10}
				    : (struct ospf_link){.id = ospf_dut(peer),
							 .data = peer->tester4,
							 .type = OSPF_LINK_PTP,
							 .metric = 10};
	l[1] = (struct ospf_link){
		.id = lab_net(94), .data = mask24, .type = OSPF_LINK_STUB, .metric = 10};
	routers[0] = ospf_me(peer);
	routers[1] = ospf_dut(peer);
	a[0] = lsa_of(peer, OSPF_LSA_ROUTER, ospf_me(peer));
	a[0].flags = 0x02; /* E: we announce externals */
	a[0].links = l;
	a[0].link_count = 2;
	a[1] = lsa_of(peer, OSPF_LSA_NETWORK, lab_net(93));
	a[1].mask = mask24;
	a[1].routers = routers;
	a[1].router_count = 2;
	a[2] = lsa_of(peer, OSPF_LSA_SUMMARY, lab_net(96));
	a[2].mask = mask24;
	a[2].metric = 20;
	a[3] = lsa_of(peer, OSPF_LSA_SUMMARY_ASBR, ospf_me(peer));
	a[3].metric = 30;
	a[4] = lsa_of(peer, OSPF_LSA_EXTERNAL, lab_net(97));
	a[4].mask = mask24;
	a[4].external_e = true;
	a[4].metric = 20;
	a[4].tag = 65001;
	a[5] = lsa_of(peer, OSPF_LSA_NSSA, lab_net(95));
	a[5].options = OSPF_OPTION_NP;
	a[5].mask = mask24;
	a[5].metric = 5;
	a[5].forwarding = peer->tester4;
	a[5].tag = 65001;
}

static int build_hello(struct packet *p, const struct session_peer *peer, struct dl_error *err)
{
	struct in_addr dut = ospf_dut(peer);
	struct ospf_fields f = ospf_hello_fields(peer, &dut, peer->dut4);
	return finish(p, ospf_build(p, &f), err);
}

/* The other authentication: null where the DUT wants a key, keyed MD5 with a lab key where it
 * wants none; a DUT must drop it (RFC 2328 D.2) whatever its body says. */
static int build_hello_other_auth(struct packet *p, const struct session_peer *peer,
				  struct dl_error *err)
{
	struct in_addr dut = ospf_dut(peer);
	struct ospf_fields f = ospf_hello_fields(peer, &dut, peer->dut4);
	bool keyed = f.auth != OSPF_AUTH_NONE;
	f.auth = keyed ? OSPF_AUTH_NONE : OSPF_AUTH_CRYPTO;
	f.password = keyed ? NULL : "dutlab-lab";
	f.key_id = 1;
	f.sequence = ospf_crypto_sequence();
	return finish(p, ospf_build(p, &f), err);
}

static int build_dd(struct packet *p, const struct session_peer *peer, struct dl_error *err)
{
	struct ospf_lsa a[6];
	struct ospf_link links[2];
	struct in_addr routers[2];
	lab_lsas(peer, a, links, routers);
	struct ospf_fields f = ospf_header(peer, OSPF_DD);
	f.mtu = 1500;
	f.options = OSPF_OPTION_E;
	bool master = ntohl(ospf_me(peer).s_addr) > ntohl(ospf_dut(peer).s_addr);
	f.dd_flags = master ? OSPF_DD_MS : 0;
	f.dd_sequence = 0x1000;
	f.lsas = a;
	f.lsa_count = 2;
	a[0].length = 48; /* the header of the LSA: its length and checksum as sent */
	a[1].length = 32;
	return finish(p, ospf_build(p, &f), err);
}

static int build_lsr(struct packet *p, const struct session_peer *peer, struct dl_error *err)
{
	/* what the DUT surely has: a request for anything else is BadLSReq (10.7), which ends
	 * the adjacency before a mutation did anything */
	struct ospf_request r = {.type = OSPF_LSA_ROUTER,
				 .id = ospf_dut(peer),
				 .advertising_router = ospf_dut(peer)};
	struct ospf_fields f = ospf_header(peer, OSPF_LSR);
	f.requests = &r;
	f.request_count = 1;
	return finish(p, ospf_build(p, &f), err);
}

/* An LSU of LSAs first..first+count-1 of our six. */
static int build_lsu(struct packet *p, const struct session_peer *peer, size_t first, size_t count,
		     struct dl_error *err)
{
	struct ospf_lsa a[6];
	struct ospf_link links[2];
	struct in_addr routers[2];
	lab_lsas(peer, a, links, routers);
	struct ospf_fields f = ospf_header(peer, OSPF_LSU);
	f.lsas = a + first;
	f.lsa_count = count;
	return finish(p, ospf_build(p, &f), err);
}

static int build_lsu_router(struct packet *p, const struct session_peer *peer, struct dl_error *err)
{
	return build_lsu(p, peer, 0, 1, err);
}

static int build_lsu_network(struct packet *p, const struct session_peer *peer,
			     struct dl_error *err)
{
	return build_lsu(p, peer, 1, 1, err);
}

static int build_lsu_summary(struct packet *p, const struct session_peer *peer,
			     struct dl_error *err)
{
	return build_lsu(p, peer, 2, 1, err);
}

static int build_lsu_asbr(struct packet *p, const struct session_peer *peer, struct dl_error *err)
{
	return build_lsu(p, peer, 3, 1, err);
}

static int build_lsu_external(struct packet *p, const struct session_peer *peer,
			      struct dl_error *err)
{
	return build_lsu(p, peer, 4, 1, err);
}

static int build_lsu_nssa(struct packet *p, const struct session_peer *peer, struct dl_error *err)
{
	return build_lsu(p, peer, 5, 1, err);
}

static int build_lsu_all(struct packet *p, const struct session_peer *peer, struct dl_error *err)
{
	return build_lsu(p, peer, 0, 6, err);
}

static int build_lsack(struct packet *p, const struct session_peer *peer, struct dl_error *err)
{
	struct ospf_lsa h[2] = {
		{.age = 1,
		 .options = OSPF_OPTION_E,
		 .type = OSPF_LSA_ROUTER,
		 .id = ospf_dut(peer),
		 .advertising_router = ospf_dut(peer),
		 .sequence = OSPF_INITIAL_SEQUENCE,
		 .checksum = 0x1234,
		 .length = 48},
		lsa_of(peer, OSPF_LSA_EXTERNAL, lab_net(97)),
	};
	h[1].length = 36;
	struct ospf_fields f = ospf_header(peer, OSPF_LSACK);
	f.lsas = h;
	f.lsa_count = 2;
	return finish(p, ospf_build(p, &f), err);
}

#define OSPF_TEMPLATE(id, text, fn)                                                                \
	static const struct session_template ospf_##fn = {                                         \
		.base = {.name = id, .protocol = "ospf", .title = text}, .build = build_##fn}

OSPF_TEMPLATE("ospf-hello", "hello listing the DUT (the keepalive of Full)", hello);
OSPF_TEMPLATE("ospf-hello-other-auth",
	      "hello with the other authentication (null for a keyed DUT, MD5 otherwise)",
	      hello_other_auth);
OSPF_TEMPLATE("ospf-dd", "database description in Full, two LSA headers", dd);
OSPF_TEMPLATE("ospf-lsr", "link state request for the DUT's router LSA", lsr);
OSPF_TEMPLATE("ospf-lsu-router", "link state update: our router LSA (point-to-point, stub)",
	      lsu_router);
OSPF_TEMPLATE("ospf-lsu-network", "link state update: a network LSA of two routers", lsu_network);
OSPF_TEMPLATE("ospf-lsu-summary", "link state update: a summary LSA (type 3)", lsu_summary);
OSPF_TEMPLATE("ospf-lsu-asbr", "link state update: an ASBR summary LSA (type 4)", lsu_asbr);
OSPF_TEMPLATE("ospf-lsu-external", "link state update: an AS-external LSA (type 5)", lsu_external);
OSPF_TEMPLATE("ospf-lsu-nssa", "link state update: an NSSA LSA (type 7, RFC 3101)", lsu_nssa);
OSPF_TEMPLATE("ospf-lsu-all", "link state update: one LSA of each type", lsu_all);
OSPF_TEMPLATE("ospf-lsack", "link state acknowledgment of two LSA headers", lsack);

static const struct session_template *const ospf_templates[] = {
	&ospf_hello,        &ospf_hello_other_auth, &ospf_dd,          &ospf_lsr,
	&ospf_lsu_router,   &ospf_lsu_network,      &ospf_lsu_summary, &ospf_lsu_asbr,
	&ospf_lsu_external, &ospf_lsu_nssa,         &ospf_lsu_all,     &ospf_lsack,
};

/* ---- the link ---- */

static struct ospf_session *session_of(struct session_link *l)
{
	return l->protocol_state;
}

static struct in_addr ospf_group(void)
{
	return (struct in_addr){.s_addr = htonl(OSPF_ALL_ROUTERS)};
}

/* Send bytes to 224.0.0.5 through the guard; recorded as a prefix message when prefix. */
static int ospf_send_bytes(struct session_link *l, const uint8_t *data, size_t length, bool prefix,
			   struct dl_error *err)
{
	if (l->fd < 0)
		return dl_error_set(err, DL_EIO, "ospf: no link to send on");
	if (prefix && (l->prefix_count == SESSION_PREFIX_MAX ||
		       length > SESSION_PREFIX_BYTES - l->prefix_length))
		l->prefix_full = true;
	else if (prefix) {
		memcpy(l->prefix + l->prefix_length, data, length);
		l->prefix_length += length;
		l->prefix_ends[l->prefix_count++] = l->prefix_length;
	}
	struct in_addr to = ospf_group();
	return sock_raw_ip_send(l->peer->scope, l->fd, &to, l->peer->interface, data, length, err);
}

static int ospf_send(struct session_link *l, const struct ospf_fields *fields, bool prefix,
		     struct dl_error *err)
{
	struct ospf_fields copy = *fields;
	const struct ospf_fields *f = &copy;
	if (copy.auth == OSPF_AUTH_CRYPTO && copy.sequence < ospf_floor())
		copy.sequence = ospf_floor();
	if (copy.auth == OSPF_AUTH_CRYPTO)
		ospf_floor_raise(copy.sequence);
	struct packet *p = malloc(sizeof(*p));
	if (!p)
		return dl_error_set(err, DL_ENOMEM, "ospf: out of memory");
	packet_init(p);
	int rc = ospf_build(p, f);
	if (rc)
		rc = dl_error_set(err, rc, "ospf: cannot build a type %u packet", f->type);
	if (!rc)
		rc = packet_finish(p, err);
	if (!rc)
		rc = ospf_send_bytes(l, p->bytes, p->length, prefix, err);
	free(p);
	return rc;
}

static int ospf_send_hello(struct session_link *l, bool list_dut, bool prefix, struct dl_error *err)
{
	struct ospf_session *s = session_of(l);
	struct ospf_fields f = ospf_hello_fields(l->peer, list_dut ? &s->dut : NULL, s->dut_dr);
	s->next_hello_ns = sock_now_ns() + (int64_t)ospf_hello_interval(l->peer) * 1000000000;
	return ospf_send(l, &f, prefix, err);
}

static int ospf_send_dd(struct session_link *l, uint8_t flags, bool prefix, struct dl_error *err)
{
	struct ospf_session *s = session_of(l);
	struct ospf_fields f = ospf_header(l->peer, OSPF_DD);
	f.mtu = s->mtu;
	f.options = OSPF_OPTION_E;
	f.dd_flags = flags;
	f.dd_sequence = s->dd_sequence;
	s->last_dd_flags = flags;
	return ospf_send(l, &f, prefix, err);
}

static int ospf_send_lsr(struct session_link *l, struct dl_error *err)
{
	struct ospf_session *s = session_of(l);
	struct ospf_fields f = ospf_header(l->peer, OSPF_LSR);
	f.requests = s->wanted; /* the rest once these came */
	f.request_count = s->wanted_count < OSPF_REQUESTS_PER_PACKET ? s->wanted_count
								     : OSPF_REQUESTS_PER_PACKET;
	s->resend_ns = sock_now_ns() + (int64_t)OSPF_RESEND_MS * 1000000;
	return ospf_send(l, &f, true, err);
}

static void ospf_full(struct ospf_session *s)
{
	s->state = OSPF_NBR_FULL;
	s->full_ns = sock_now_ns();
}

/* Exchange done (10.8): Loading while the DUT's LSAs are wanted, else Full. */
static int ospf_exchange_done(struct session_link *l, struct dl_error *err)
{
	struct ospf_session *s = session_of(l);
	if (s->wanted_count == 0) {
		ospf_full(s);
		return 0;
	}
	s->state = OSPF_NBR_LOADING;
	return ospf_send_lsr(l, err);
}

static uint32_t get32(const uint8_t *b)
{
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

static uint16_t get16(const uint8_t *b)
{
	return (uint16_t)(b[0] << 8 | b[1]);
}

/* The LSA headers a DD of the DUT's lists: counted, and of them we want its own router LSA
 * and network LSA (a DR's) only (Loading): the proof it holds us Full, and one request is one
 * round trip (a DUT with a large database would otherwise slow every re-establish down). */
static void ospf_want(struct ospf_session *s, const uint8_t *body, size_t length)
{
	for (size_t at = 0; at + OSPF_LSA_HEADER_LENGTH <= length; at += OSPF_LSA_HEADER_LENGTH) {
		s->dut_lsas++;
		const uint8_t *h = body + at;
		if ((h[3] != OSPF_LSA_ROUTER && h[3] != OSPF_LSA_NETWORK) ||
		    memcmp(h + 8, &s->dut, 4) != 0 || s->wanted_count == OSPF_LSAS_MAX)
			continue;
		struct ospf_request *r = &s->wanted[s->wanted_count++];
		r->type = h[3];
		memcpy(&r->id, h + 4, 4);
		memcpy(&r->advertising_router, h + 8, 4);
	}
}

static void ospf_got_lsa(struct ospf_session *s, const uint8_t *lsa)
{
	for (size_t i = 0; i < s->wanted_count; i++) {
		const struct ospf_request *r = &s->wanted[i];
		if (r->type == lsa[3] && memcmp(&r->id, lsa + 4, 4) == 0 &&
		    memcmp(&r->advertising_router, lsa + 8, 4) == 0) {
			s->wanted[i] = s->wanted[--s->wanted_count];
			return;
		}
	}
}

/*
 * An LSA of the DUT's: does it hold us Full? Its router LSA lists a point-to-point link to our
 * router id, or, on a broadcast link where we are the DR, a transit link to our address
 * (12.4.1.2: only once fully adjacent to the DR); its network LSA, as the DR, lists our router
 * id among the attached routers (12.4.2: fully adjacent ones only).
 */
static void ospf_dut_lsa(struct ospf_session *s, struct in_addr tester, const uint8_t *lsa,
			 size_t length)
{
	if (memcmp(lsa + 8, &s->dut, 4) != 0)
		return;
	bool listed = false;
	if (lsa[3] == OSPF_LSA_ROUTER && length >= 24) {
		size_t links = get16(lsa + 22), at = 24;
		for (size_t i = 0; i < links && at + 12 <= length; i++) {
			uint8_t type = lsa[at + 8];
			if ((type == OSPF_LINK_PTP && memcmp(lsa + at, &s->me, 4) == 0) ||
			    (type == OSPF_LINK_TRANSIT && memcmp(lsa + at, &tester, 4) == 0))
				listed = true;
			at += 12 + 4 * (size_t)lsa[at + 9];
		}
		s->router_lsa_lists_us = listed;
	} else if (lsa[3] == OSPF_LSA_NETWORK && length >= 24) {
		for (size_t at = 24; at + 4 <= length; at += 4)
			if (memcmp(lsa + at, &s->me, 4) == 0)
				listed = true;
		s->network_lsa_lists_us = listed;
	}
	s->dut_lists_us = s->router_lsa_lists_us || s->network_lsa_lists_us;
}

/* An LSU of the DUT's: each LSA acknowledged (13: a direct acknowledgment to the group). */
static int ospf_update(struct session_link *l, const uint8_t *body, size_t length,
		       struct dl_error *err)
{
	struct ospf_session *s = session_of(l);
	if (length < 4)
		return 0;
	struct ospf_lsa acks[OSPF_LSAS_MAX];
	size_t n = 0, count = get32(body), at = 4;
	for (size_t i = 0; i < count && n < OSPF_LSAS_MAX && at + OSPF_LSA_HEADER_LENGTH <= length;
	     i++) {
		const uint8_t *a = body + at;
		size_t size = get16(a + 18);
		if (size < OSPF_LSA_HEADER_LENGTH || size > length - at)
			break;
		struct ospf_lsa *h = &acks[n++];
		*h = (struct ospf_lsa){.age = get16(a),
				       .options = a[2],
				       .type = a[3],
				       .sequence = get32(a + 12),
				       .checksum = get16(a + 16),
				       .length = (uint16_t)size};
		memcpy(&h->id, a + 4, 4);
		memcpy(&h->advertising_router, a + 8, 4);
		ospf_got_lsa(s, a);
		ospf_dut_lsa(s, l->peer->tester4, a, size);
		at += size;
	}
	int rc = 0;
	for (size_t first = 0; first < n && !rc; first += OSPF_ACKS_PER_PACKET) {
		struct ospf_fields f = ospf_header(l->peer, OSPF_LSACK);
		f.lsas = acks + first;
		f.lsa_count = n - first < OSPF_ACKS_PER_PACKET ? n - first : OSPF_ACKS_PER_PACKET;
		rc = ospf_send(l, &f, s->state != OSPF_NBR_FULL, err);
	}
	if (!rc && s->state == OSPF_NBR_LOADING && s->wanted_count == 0)
		ospf_full(s);
	return rc;
}

static void ospf_drop(struct ospf_session *s, uint8_t by)
{
	if (s->state == OSPF_NBR_FULL && !s->dropped) {
		s->dropped = true;
		s->dropped_by = by;
	}
}

static int ospf_fail(struct ospf_session *s, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int ospf_fail(struct ospf_session *s, int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(s->why, sizeof(s->why), fmt, ap);
	va_end(ap);
	s->fatal = code;
	return 0;
}

static int ospf_hello_in(struct session_link *l, const uint8_t *body, size_t length)
{
	struct ospf_session *s = session_of(l);
	if (length < 20)
		return 0;
	unsigned hello = get16(body + 4), dead = get32(body + 8);
	if (hello != ospf_hello_interval(l->peer) || dead != ospf_dead_interval(l->peer))
		return ospf_fail(s, DL_EPROTO,
				 "ospf: the DUT's hello interval is %u s and its dead interval %u "
				 "s, the profile's %u and %u: it ignores our hellos (RFC 2328 "
				 "10.5); set robustness.ospf {hello: %u, dead: %u}",
				 hello, dead, ospf_hello_interval(l->peer),
				 ospf_dead_interval(l->peer), hello, dead);
	struct in_addr mask, ours = ospf_mask(l->peer);
	memcpy(&mask, body, 4);
	if (ospf_broadcast(l->peer) && mask.s_addr != ours.s_addr) {
		char theirs_text[INET_ADDRSTRLEN], ours_text[INET_ADDRSTRLEN];
		inet_ntop(AF_INET, &mask, theirs_text, sizeof(theirs_text));
		inet_ntop(AF_INET, &ours, ours_text, sizeof(ours_text));
		return ospf_fail(s, DL_EPROTO,
				 "ospf: the DUT's hello network mask is %s, ours %s (the tester "
				 "port's prefix): on a broadcast link it ignores our hellos (RFC "
				 "2328 10.5); give %s the DUT's prefix length",
				 theirs_text, ours_text,
				 l->peer->interface ? l->peer->interface : "the tester port");
	}
	memcpy(&s->dut_dr, body + 12, 4);
	memcpy(&s->dut_bdr, body + 16, 4);
	s->dut_hello_seen = true;
	bool listed = false;
	for (size_t at = 20; at + 4 <= length; at += 4)
		if (memcmp(body + at, &s->me, 4) == 0)
			listed = true;
	s->hello_lists_us = listed;
	if (!listed && s->state == OSPF_NBR_FULL &&
	    sock_now_ns() - s->full_ns > (int64_t)OSPF_SETTLE_MS * 1000000)
		ospf_drop(s, OSPF_HELLO);
	return 0;
}

/* A DD of the DUT's (10.6, 10.8), for either role. */
static int ospf_dd_in(struct session_link *l, const uint8_t *body, size_t length,
		      struct dl_error *err)
{
	struct ospf_session *s = session_of(l);
	if (length < 8)
		return 0;
	uint8_t flags = body[3];
	uint32_t sequence = get32(body + 4);
	bool initial = (flags & (OSPF_DD_I | OSPF_DD_M | OSPF_DD_MS)) ==
		       (OSPF_DD_I | OSPF_DD_M | OSPF_DD_MS);
	bool dut_higher = ntohl(s->dut.s_addr) > ntohl(s->me.s_addr);
	if (s->state == OSPF_NBR_FULL || s->state == OSPF_NBR_LOADING) {
		if (initial && sequence == s->dd_initial)
			return 0; /* a late copy of the exchange we finished */
		if (!s->master && sequence == s->dd_sequence && !(flags & OSPF_DD_I))
			return ospf_send_dd(l, s->last_dd_flags, false, err); /* its duplicate */
		if (s->master && sequence == s->dd_sequence)
			return 0;      /* the slave's duplicate: discarded */
		ospf_drop(s, OSPF_DD); /* SeqNumberMismatch at the DUT: ExStart again */
		if (s->state == OSPF_NBR_LOADING)
			s->state = OSPF_NBR_EXSTART; /* not Full yet: start over here too */
		else
			return 0;
	}
	if (s->state == OSPF_NBR_DOWN)
		return 0;
	if (initial && dut_higher && length == 8) {
		/* we are slave: its sequence number, and our (empty) summary at once */
		s->master = false;
		s->dd_sequence = s->dd_initial = sequence;
		s->wanted_count = 0;
		s->dut_lsas = 0;
		s->dut_more = true;
		s->state = OSPF_NBR_EXCHANGE;
		return ospf_send_dd(l, 0, true, err);
	}
	if (s->state == OSPF_NBR_EXSTART) {
		if (!dut_higher && !(flags & (OSPF_DD_I | OSPF_DD_MS)) &&
		    sequence == s->dd_sequence) {
			/* it is slave: this acknowledges our initial DD and lists its LSAs */
			s->master = true;
			s->state = OSPF_NBR_EXCHANGE;
			s->wanted_count = 0;
			s->dut_lsas = 0;
		} else {
			return 0;
		}
	} else if (s->state == OSPF_NBR_EXCHANGE && !s->master) {
		if (sequence == s->dd_sequence && !(flags & OSPF_DD_I))
			return ospf_send_dd(l, s->last_dd_flags, false, err);
		if (sequence != s->dd_sequence + 1 || !(flags & OSPF_DD_MS) || (flags & OSPF_DD_I))
			return 0; /* not the next: the DUT resends or starts over */
		s->dd_sequence = sequence;
		ospf_want(s, body + 8, length - 8);
		s->dut_more = flags & OSPF_DD_M;
		int rc = ospf_send_dd(l, 0, true, err);
		if (!rc && !s->dut_more)
			rc = ospf_exchange_done(l, err);
		return rc;
	} else if (s->state == OSPF_NBR_EXCHANGE) {
		if (sequence != s->dd_sequence || (flags & (OSPF_DD_I | OSPF_DD_MS)))
			return 0; /* a duplicate or out of order: discarded (10.6) */
	}
	/* master: the slave acknowledged dd_sequence; done once both said M=0 (10.8) */
	ospf_want(s, body + 8, length - 8);
	s->dut_more = flags & OSPF_DD_M;
	if (!s->dut_more && !(s->last_dd_flags & OSPF_DD_M))
		return ospf_exchange_done(l, err);
	s->dd_sequence++;
	s->resend_ns = sock_now_ns() + (int64_t)OSPF_RESEND_MS * 1000000;
	return ospf_send_dd(l, OSPF_DD_MS, true, err);
}

/* One datagram of the DUT's (the IPv4 header first, as a raw socket reads it). */
static int ospf_receive(struct session_link *l, const uint8_t *d, size_t n, struct dl_error *err)
{
	struct ospf_session *s = session_of(l);
	if (n < 20 || d[0] >> 4 != 4 || d[9] != OSPF_PROTOCOL)
		return 0;
	size_t ihl = (size_t)(d[0] & 15u) * 4;
	if (ihl < 20 || ihl + OSPF_HEADER_LENGTH > n)
		return 0;
	const uint8_t *o = d + ihl;
	size_t length = get16(o + 2);
	if (o[0] != OSPF_VERSION || length < OSPF_HEADER_LENGTH || length > n - ihl)
		return 0;
	if (memcmp(o + 4, &s->dut, 4) != 0) {
		char said[INET_ADDRSTRLEN], want[INET_ADDRSTRLEN];
		inet_ntop(AF_INET, o + 4, said, sizeof(said));
		inet_ntop(AF_INET, &s->dut, want, sizeof(want));
		return ospf_fail(s, DL_EPROTO,
				 "ospf: the DUT's router id is %s, not %s: set "
				 "robustness.ospf.dut_router_id: %s",
				 said, want, said);
	}
	if (memcmp(o + 8, &s->area, 4) != 0)
		return 0; /* another area's (10.2) */
	const uint8_t *body = o + OSPF_HEADER_LENGTH;
	size_t body_length = length - OSPF_HEADER_LENGTH;
	switch (o[1]) {
	case OSPF_HELLO: return ospf_hello_in(l, body, body_length);
	case OSPF_DD: return ospf_dd_in(l, body, body_length, err);
	case OSPF_LSU: return ospf_update(l, body, body_length, err);
	default: return 0; /* its requests (we listed no LSA) and acknowledgments */
	}
}

/*
 * Run the adjacency until until_ns, or (stop_at_full) until Full, or until the DUT dropped it
 * or a mismatch was found: hellos and retransmissions when due, each datagram of the DUT's
 * taken. 0, or DL_EIO when our own sending failed.
 */
static int ospf_pump(struct session_link *l, int64_t until_ns, bool stop_at_full,
		     struct dl_error *err)
{
	struct ospf_session *s = session_of(l);
	int rc = 0;
	for (unsigned reads = 0; !rc && reads < OSPF_READS_MAX; reads++) {
		if (s->fatal || s->dropped || (stop_at_full && s->state == OSPF_NBR_FULL))
			break;
		int64_t now = sock_now_ns();
		if (now >= s->next_hello_ns)
			rc = ospf_send_hello(l, true, s->state != OSPF_NBR_FULL, err);
		if (!rc && now >= s->resend_ns && s->state == OSPF_NBR_EXSTART && s->master) {
			s->resend_ns = now + (int64_t)OSPF_RESEND_MS * 1000000;
			rc = ospf_send_dd(l, OSPF_DD_I | OSPF_DD_M | OSPF_DD_MS, true, err);
		} else if (!rc && now >= s->resend_ns && s->state == OSPF_NBR_EXCHANGE &&
			   s->master) {
			s->resend_ns = now + (int64_t)OSPF_RESEND_MS * 1000000;
			rc = ospf_send_dd(l, s->last_dd_flags, false, err);
		} else if (!rc && now >= s->resend_ns && s->state == OSPF_NBR_LOADING) {
			rc = ospf_send_lsr(l, err);
		}
		if (rc || now >= until_ns)
			break;
		int64_t next = s->next_hello_ns < until_ns ? s->next_hello_ns : until_ns;
		if (s->state != OSPF_NBR_FULL && s->resend_ns < next)
			next = s->resend_ns;
		int wait = sock_remaining_ms(next, 1000);
		bool closed = false;
		struct dl_error why;
		l->input_length = 0;
		if (session_link_read(l, (unsigned)(wait > 0 ? wait : 1), &closed, &why) != 0)
			return dl_error_set(err, DL_EIO, "ospf: %s", why.message);
		if (l->input_length > 0)
			rc = ospf_receive(l, l->input, l->input_length, err);
		l->input_length = 0;
	}
	return rc;
}

static uint16_t ospf_interface_mtu(const struct session_link *l)
{
	struct ifreq r = {0};
	const char *name = l->peer->interface;
	if (!name || strlen(name) >= sizeof(r.ifr_name))
		return 1500;
	memcpy(r.ifr_name, name, strlen(name));
	if (ioctl(l->fd, SIOCGIFMTU, &r) < 0 || r.ifr_mtu <= 0 || r.ifr_mtu > 65535)
		return 1500;
	return (uint16_t)r.ifr_mtu;
}

/* A fresh raw link and a fresh adjacency (what the DUT knew of us is dropped first). */
static int ospf_open(struct session_link *l, struct dl_error *err)
{
	session_link_close(l);
	l->prefix_length = l->prefix_count = l->input_length = 0;
	l->prefix_full = false;
	l->hold_time = 0;
	l->datagram = true;
	l->connected = false;
	l->ip_protocol = OSPF_PROTOCOL;
	struct in_addr group = ospf_group();
	int fd = -1;
	int rc = sock_raw_ip_open(l->peer->scope, &l->peer->dut4, OSPF_PROTOCOL, &group,
				  &l->peer->tester4, l->peer->interface, &fd, err);
	if (rc)
		return rc;
	l->fd = fd;
	l->local4 = l->peer->tester4;
	l->local_port = l->remote_port = 0; /* a raw socket reads port 0 as the source's */
	struct ospf_session *s = session_of(l);
	int last_fatal = s->fatal ? s->fatal : s->last_fatal;
	char last_why[sizeof(s->last_why)];
	memcpy(last_why, s->fatal ? s->why : s->last_why, sizeof(last_why));
	*s = (struct ospf_session){.me = ospf_me(l->peer),
				   .dut = ospf_dut(l->peer),
				   .area = ospf_header(l->peer, 0).area_id,
				   .dut_dr = l->peer->dut4,
				   .last_fatal = last_fatal};
	memcpy(s->last_why, last_why, sizeof(s->last_why));
	s->mtu = ospf_interface_mtu(l);
	return 0;
}

static int ospf_establish(struct session_link *l, unsigned state, int64_t deadline_ns,
			  struct dl_error *err)
{
	(void)state; /* every template is sent in Full */
	int rc = ospf_open(l, err);
	if (rc)
		return rc;
	struct ospf_session *s = session_of(l);
	/* 1-Way, then 2-Way: the DUT (re)starts the adjacency from ExStart at once */
	rc = ospf_send_hello(l, false, true, err);
	if (!rc)
		rc = ospf_send_hello(l, true, true, err);
	s->state = OSPF_NBR_EXSTART;
	s->master = ntohl(s->me.s_addr) > ntohl(s->dut.s_addr);
	s->dd_sequence = s->dd_initial = ospf_crypto_sequence() & 0x7fffffffu;
	if (!rc && s->master) {
		s->resend_ns = sock_now_ns() + (int64_t)OSPF_RESEND_MS * 1000000;
		rc = ospf_send_dd(l, OSPF_DD_I | OSPF_DD_M | OSPF_DD_MS, true, err);
	}
	if (!rc)
		rc = ospf_pump(l, deadline_ns, true, err);
	if (!rc && s->fatal)
		rc = dl_error_set(err, s->fatal, "%s", s->why);
	if (!rc && s->state != OSPF_NBR_FULL && !s->dut_hello_seen && s->last_fatal)
		rc = dl_error_set(err, s->last_fatal,
				  "%s (the attempt before: this one heard nothing in time)",
				  s->last_why);
	if (!rc && s->state != OSPF_NBR_FULL) {
		char dut[INET_ADDRSTRLEN];
		inet_ntop(AF_INET, &s->dut, dut, sizeof(dut));
		const struct profile_robustness_ospf *o = ospf_profile(l->peer);
		/* what we heard says where it stuck: nothing (OSPF off, or filtered both ways),
		 * hellos not listing us (it drops ours: authentication, area, network type or a
		 * filter), or an exchange that did not end */
		const char *heard = !s->dut_hello_seen ? "; no hello of the DUT's heard"
				    : !s->hello_lists_us
					    ? "; its hellos do not list us: it drops ours"
					    : "";
		const char *hint = s->dut_hello_seen && s->hello_lists_us ? ""
				   : o->auth == OSPF_AUTH_CRYPTO
					   ? " (are the MD5 key and key id the DUT's?)"
				   : o->auth == OSPF_AUTH_SIMPLE
					   ? " (is the password the DUT's?)"
					   : " (does the DUT want authentication, another area or "
					     "network type?)";
		rc = dl_error_set(err, DL_ETIMEDOUT,
				  "ospf: no Full adjacency with %s in time (ours stayed in %s, as "
				  "%s)%s%s",
				  dut, ospf_neighbour_names[s->state],
				  s->master ? "master" : "slave", heard, hint);
	}
	if (rc)
		session_link_close(l);
	else
		s->last_fatal = 0; /* Full: what an earlier attempt said is mended */
	return rc;
}

static int ospf_tend(struct session_link *l, unsigned wait_ms, struct session_reaction *out,
		     struct dl_error *err)
{
	*out = (struct session_reaction){.kind = SESSION_ALIVE};
	if (l->fd < 0) {
		out->kind = SESSION_CLOSED;
		return 0;
	}
	struct ospf_session *s = session_of(l);
	int rc = ospf_pump(l, sock_now_ns() + (int64_t)wait_ms * 1000000, false, err);
	if (rc) {
		out->kind = SESSION_CLOSED;
		return DL_EIO;
	}
	if (s->dropped || s->state != OSPF_NBR_FULL) {
		/* code: the packet type that told us (2: ExStart again, 1: a hello without us) */
		out->kind = SESSION_NOTIFIED;
		out->code = s->dropped ? s->dropped_by : OSPF_DD;
	}
	return 0;
}

/*
 * The case as mutated, to the group through the guard. Under keyed MD5 the sequence number is
 * what only this session knows: a case built from the clock that is lower than one we already
 * sent (the DUT would drop it unread, D.3) goes out with that one instead, signed again; a
 * sequence number the mutation set (far from the clock) goes out as set, and raises the floor
 * when higher.
 */
static int ospf_case_send(struct session_link *l, const struct session_template *t,
			  const uint8_t *data, size_t length, struct dl_error *err)
{
	(void)t;
	const struct profile_robustness_ospf *o = ospf_profile(l->peer);
	if (o->auth != OSPF_AUTH_CRYPTO || !o->password || length < OSPF_HEADER_LENGTH ||
	    length > SESSION_MESSAGE_MAX || get16(data + 14) != OSPF_AUTH_CRYPTO)
		return ospf_send_bytes(l, data, length, false, err);
	uint32_t said = get32(data + 20), clock = ospf_crypto_sequence();
	bool from_clock = said + 3600 >= clock && said <= clock + 3600;
	size_t packet = get16(data + 2);
	uint32_t floor = ospf_floor();
	if (!from_clock || said >= floor || data[19] != OSPF_DIGEST_LENGTH ||
	    packet + OSPF_DIGEST_LENGTH != length) {
		ospf_floor_raise(said);
		return ospf_send_bytes(l, data, length, false, err);
	}
	uint8_t copy[SESSION_MESSAGE_MAX];
	memcpy(copy, data, length);
	for (int i = 0; i < 4; i++)
		copy[20 + i] = (uint8_t)(floor >> (24 - 8 * i));
	int rc = ospf_md5_digest(copy, packet, o->password, copy + packet, err);
	if (rc)
		return rc;
	session_link_sent(l, copy, length); /* recorded with the sequence and digest it went with */
	return ospf_send_bytes(l, copy, length, false, err);
}

static void ospf_close(struct session_link *l)
{
	session_link_close(l);
}

static int ospf_check(struct session_link *l, int64_t deadline_ns, bool *healthy, char *evidence,
		      size_t size, struct dl_error *err)
{
	*healthy = false;
	struct dl_error why;
	int rc = ospf_establish(l, 0, deadline_ns, &why);
	if (rc == DL_ESCOPE || rc == DL_ENOMEM)
		return dl_error_set(err, rc, "%s", why.message);
	if (rc) {
		snprintf(evidence, size, "ospf: no adjacency for the check: %s", why.message);
		return 0;
	}
	*healthy = true;
	struct ospf_session *s = session_of(l);
	int64_t until = sock_now_ns() + (int64_t)OSPF_CHECK_LSA_MS * 1000000;
	bool broadcast = ospf_broadcast(l->peer);
	for (unsigned rounds = 0;
	     rounds < 64 && (!s->dut_lists_us || (broadcast && !s->dut_hello_seen)) &&
	     !s->dropped && !s->fatal;
	     rounds++) {
		int64_t now = sock_now_ns();
		if (now >= until || now >= deadline_ns)
			break;
		int64_t step = now + 250000000;
		if (ospf_pump(l, step < deadline_ns ? step : deadline_ns, false, &why) != 0)
			break;
	}
	char dut[INET_ADDRSTRLEN], me[INET_ADDRSTRLEN];
	inet_ntop(AF_INET, &s->dut, dut, sizeof(dut));
	inet_ntop(AF_INET, &s->me, me, sizeof(me));
	if (s->dropped) {
		*healthy = false;
		snprintf(evidence, size, "ospf: %s reached Full, then dropped the adjacency", dut);
	} else {
		char role[64] = "";
		if (broadcast && s->dut_hello_seen) {
			char dr[INET_ADDRSTRLEN];
			inet_ntop(AF_INET, &s->dut_dr, dr, sizeof(dr));
			snprintf(role, sizeof(role), ", broadcast, DR %s", dr);
		} else if (broadcast) {
			snprintf(role, sizeof(role), ", broadcast, no hello of its yet");
		}
		snprintf(evidence, size,
			 "ospf: %s Full with us (%s, %s%s; its DDs listed %u LSAs)%s", dut, me,
			 s->master ? "we master" : "we slave", role, s->dut_lsas,
			 s->network_lsa_lists_us  ? "; its network LSA lists us"
			 : s->router_lsa_lists_us ? "; its router LSA lists us"
						  : "; its LSAs did not list us yet");
	}
	return 0;
}

const struct session_protocol session_ospf = {
	.name = "ospf",
	.title = "OSPFv2 adjacency in Full (point-to-point or broadcast, 224.0.0.5)",
	.templates = ospf_templates,
	.template_count = DL_ARRAY_SIZE(ospf_templates),
	.establish = ospf_establish,
	.tend = ospf_tend,
	.close = ospf_close,
	.send = ospf_case_send,
	.check = ospf_check,
	.state_size = sizeof(struct ospf_session),
	.establish_ms = OSPF_ESTABLISH_MS,
};
