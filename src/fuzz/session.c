/* session: the stateful robustness campaign: sessions brought to their fuzzing state, mutated
 * messages sent there, resets counted, failures recovered, replayed and saved */
#include "core/compat.h"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <json-c/json.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/error.h"
#include "core/json-read.h"
#include "core/monotonic.h"
#include "core/profile.h"
#include "core/text.h"
#include "fuzz/campaign.h"
#include "fuzz/bisect.h"
#include "fuzz/checkpoint.h"
#include "fuzz/health.h"
#include "fuzz/mutate.h"
#include "fuzz/random.h"
#include "fuzz/session.h"
#include "fuzz/watch.h"
#include "net/pcapng.h"
#include "net/rate.h"
#include "proto/ethernet.h"
#include "proto/ipv4.h"
#include "proto/packet.h"
#include "proto/tcp.h"
#include "proto/udp.h"

#define TEMPLATES_MAX 64
#define SCHEDULE_KEY 0x53455353494f4e53ull /* "SESSIONS": the template draw's PRNG key */
#define REACTION_MS 20 /* how long a case's reaction is read before the next case */
#define REPLAY_REACTION_MS 500
#define VERIFY_SECONDS 5 /* after a replayed case: a session must come back this soon */
#define RETRY_PAUSE_MS 250
/* the first retry's pause: a DUT still tearing the last session down refuses the next at once
 * (BIRD resets about one connection in six that follow a closed session within 0.3 ms) */
#define FIRST_RETRY_MS 10
#define SILENT_MARGIN_NS 100000000 /* an attempt that ended this close to its bound timed out */
/* An advance waits for its answers at most ADVANCE_SLACK times a usual way in (the mean of
 * the last establishes and advances), and at least ADVANCE_MIN_MS: its fallback, a fresh
 * session, costs only that way in, while a DUT still inside a case's unfinished frame or
 * body never answers (GStreamer with 4 client threads took an advance's PLAY so in about
 * one 12 s campaign in five at 16 links, and each waited out the 5 s establish bound). */
#define ADVANCE_SLACK 20
#define ADVANCE_MIN_MS 250
/* Links a protocol's sessions are set up on ahead, each in a thread of its own, while the
 * engine sends on the others (session_protocol.ready_ahead): a new session is a few round
 * trips the engine otherwise waits out alone. GStreamer with 4 client threads gives ways
 * in from 4 clients at once 1.5 cores, from one 1.0; 8 at once did worse than 4
 * (docs/robustness.md). */
#define READY_AHEAD_MAX 4
#define READY_STATES 8             /* the protocol states sessions are set up ahead in (RTSP's 3) */
#define CHECK_ATTEMPT_MS 10000     /* one check's session and its answer */
#define SENT_LOG_BYTES (64u << 20) /* sessions-sent.pcapng stops growing here */
#define NOTIFICATION_KINDS 64
#define SESSION_SENT_RING 65536   /* send times kept: a failure's window holds at most these */
#define REPRODUCER_CASES_MAX 4096 /* cases written into one reproducer */
/* a replay's patched case frames kept for its reproducer: past these, frames are written as
 * mutated */
#define WIRE_FRAMES_MAX REPRODUCER_CASES_MAX
#define WIRE_BYTES (8u << 20)
/* the links one poll covers: every protocol's, at robustness.session_links' most */
#define POLLED_LINKS_MAX (SESSION_PROTOCOLS_MAX * PROFILE_SESSION_LINKS_MAX)

/* ---- the protocols ---- */

const struct session_protocol *const session_protocols[] = {
	&session_bgp,      &session_rip,  &session_ospf, &session_tls,
	&session_rtsp,     &session_rtp,  &session_rtcp, &session_rtp_udp,
	&session_rtcp_udp, &session_ipv4, &session_ipv6};
const size_t session_protocol_count = DL_ARRAY_SIZE(session_protocols);

const struct session_protocol *session_protocol_find(const char *name)
{
	for (size_t i = 0; name && i < session_protocol_count; i++)
		if (strcmp(session_protocols[i]->name, name) == 0)
			return session_protocols[i];
	return NULL;
}

/* ---- links ---- */

void session_link_init(struct session_link *l, const struct session_peer *peer)
{
	memset(l, 0, sizeof(*l));
	l->peer = peer;
	l->fd = -1;
	l->protocol_state = l->protocol_storage;
}

int session_link_connect(struct session_link *l, uint16_t port, const char *md5_key,
			 int64_t deadline_ns, struct dl_error *err)
{
	session_link_close(l);
	l->prefix_length = l->prefix_count = l->input_length = 0;
	l->prefix_full = false;
	l->hold_time = 0;
	l->datagram = false;
	l->ip_protocol = 0;
	struct sock_address to = {0};
	struct sockaddr_in *sin = (struct sockaddr_in *)&to.storage;
	sin->sin_family = AF_INET;
	sin->sin_addr = l->peer->dut4;
	sin->sin_port = htons(port);
	to.length = sizeof(*sin);
	struct sock_address from = {0};
	if (l->source4.s_addr) {
		struct sockaddr_in *f = (struct sockaddr_in *)&from.storage;
		f->sin_family = AF_INET;
		f->sin_addr = l->source4;
		from.length = sizeof(*f);
	}
	int rc = sock_tcp_connect_from(l->peer->scope, &to, l->source4.s_addr ? &from : NULL,
				       l->peer->interface, md5_key, deadline_ns, &l->fd, err);
	if (rc) {
		l->fd = -1;
		return rc;
	}
	struct sockaddr_in me = {0};
	socklen_t n = sizeof(me);
	if (getsockname(l->fd, (struct sockaddr *)&me, &n) == 0) {
		l->local4 = me.sin_addr;
		l->local_port = ntohs(me.sin_port);
	}
	l->remote_port = port;
	return 0;
}

int session_link_open_udp(struct session_link *l, uint16_t local_port, uint16_t port,
			  const struct in_addr *group, struct dl_error *err)
{
	session_link_close(l);
	l->prefix_length = l->prefix_count = l->input_length = 0;
	l->prefix_full = false;
	l->hold_time = 0;
	l->datagram = true;
	l->ip_protocol = 0;
	struct sock_address to = {0};
	struct sockaddr_in *sin = (struct sockaddr_in *)&to.storage;
	sin->sin_family = AF_INET;
	sin->sin_addr = l->peer->dut4;
	sin->sin_port = htons(port);
	to.length = sizeof(*sin);
	int fd = -1;
	int rc = sock_open(l->peer->scope, &to, SOCK_DGRAM, IPPROTO_UDP, l->peer->interface, &fd,
			   err);
	if (rc)
		return rc;
	int on = 1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
	/* a group's datagrams reach only a socket bound to any address (sock_open bound it to the
	 * tester port) */
	struct sockaddr_in me = {
		.sin_family = AF_INET, .sin_addr = l->peer->tester4, .sin_port = htons(local_port)};
	if (group)
		me.sin_addr.s_addr = htonl(INADDR_ANY);
	char text[INET_ADDRSTRLEN];
	inet_ntop(AF_INET, &me.sin_addr, text, sizeof(text));
	if (bind(fd, (const struct sockaddr *)&me, sizeof(me)) < 0) {
		int e = errno;
		close(fd);
		return dl_error_set(
			err, DL_EIO,
			"session: cannot bind UDP %s:%u: %s; is a routing daemon or "
			"another dutlab using the port in this namespace, and may dutlab "
			"bind ports under 1024 (CAP_NET_BIND_SERVICE)?",
			text, local_port, strerror(e));
	}
	struct ip_mreqn join = {.imr_address = l->peer->tester4};
	if (group) {
		join.imr_multiaddr = *group;
		join.imr_ifindex = l->peer->interface ? (int)if_nametoindex(l->peer->interface) : 0;
	}
	if (group && setsockopt(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &join, sizeof(join)) < 0) {
		int e = errno;
		close(fd);
		return dl_error_set(err, DL_EIO, "session: cannot join the UDP group: %s",
				    strerror(e));
	}
	/* connected, a socket bound to any address takes the source address as its own and no
	 * longer receives the group's datagrams: with a group it stays unconnected (sendto, and
	 * reads filtered on the DUT's address and port) */
	if (!group && connect(fd, (const struct sockaddr *)sin, sizeof(*sin)) < 0) {
		int e = errno;
		close(fd);
		return dl_error_set(err, DL_EIO, "session: UDP connect to port %u: %s", port,
				    strerror(e));
	}
	l->connected = !group;
	socklen_t n = sizeof(me);
	if (getsockname(fd, (struct sockaddr *)&me, &n) == 0) {
		l->local4 = group ? l->peer->tester4 : me.sin_addr;
		l->local_port = ntohs(me.sin_port);
	}
	l->remote_port = port;
	l->fd = fd;
	return 0;
}

void session_link_prefix_add(struct session_link *l, const uint8_t *data, size_t length)
{
	/* a long handshake still runs: the reproducer then says its prefix is cut */
	if (l->prefix_count == SESSION_PREFIX_MAX ||
	    length > SESSION_PREFIX_BYTES - l->prefix_length) {
		l->prefix_full = true;
		return;
	}
	memcpy(l->prefix + l->prefix_length, data, length);
	l->prefix_length += length;
	l->prefix_ends[l->prefix_count++] = l->prefix_length;
}

int session_link_send(struct session_link *l, const uint8_t *data, size_t length, bool prefix,
		      struct dl_error *err)
{
	if (l->fd < 0)
		return dl_error_set(err, DL_EIO, "session: no connection to send on");
	if (prefix)
		session_link_prefix_add(l, data, length);
	if (l->datagram && !l->connected) {
		struct sockaddr_in to = {.sin_family = AF_INET,
					 .sin_addr = l->peer->dut4,
					 .sin_port = htons(l->remote_port)};
		ssize_t sent =
			sendto(l->fd, data, length, 0, (const struct sockaddr *)&to, sizeof(to));
		if (sent != (ssize_t)length)
			return dl_error_set(err, DL_EIO, "session: UDP send: %s",
					    sent < 0 ? strerror(errno) : "cut short");
		return 0;
	}
	return sock_send_all(l->fd, data, length, sock_now_ns() + 1000000000, err);
}

void session_link_sent(struct session_link *l, const uint8_t *data, size_t length)
{
	if (length > sizeof(l->sent))
		return;
	memcpy(l->sent, data, length);
	l->sent_length = length;
}

/* settle_ms: once something came, how long to wait for what follows it */
static int link_read(struct session_link *l, unsigned wait_ms, int settle_ms, bool *closed,
		     struct dl_error *err)
{
	*closed = false;
	if (l->fd < 0) {
		*closed = true;
		return 0;
	}
	if (wait_ms == 0 && l->quiet)
		return 0;
	int64_t until = sock_now_ns() + (int64_t)wait_ms * 1000000;
	bool any = false;
	for (unsigned rounds = 0; rounds < 1024; rounds++) {
		if (l->input_length == sizeof(l->input))
			return 0; /* the caller reads messages out first */
		/* once something came, only what follows at once */
		int left = any ? settle_ms : sock_remaining_ms(until, (int)wait_ms);
		struct pollfd pfd = {.fd = l->fd, .events = POLLIN};
		int ready = poll(&pfd, 1, left);
		if (ready < 0 && errno == EINTR)
			continue;
		if (ready < 0)
			return dl_error_set(err, DL_EIO, "session: poll: %s", strerror(errno));
		if (ready == 0)
			return 0;
		struct sockaddr_in from = {0};
		socklen_t from_length = sizeof(from);
		ssize_t got = recvfrom(l->fd, l->input + l->input_length,
				       sizeof(l->input) - l->input_length, MSG_DONTWAIT,
				       (struct sockaddr *)&from, &from_length);
		if (got >= 0 && l->datagram && !l->connected &&
		    (from.sin_addr.s_addr != l->peer->dut4.s_addr ||
		     ntohs(from.sin_port) != l->remote_port))
			continue; /* another router's, not the DUT's */
		if (got >= 0 && l->datagram) {
			l->input_length += (size_t)got; /* one datagram, its bounds kept */
			return 0;
		}
		if (got > 0) {
			l->input_length += (size_t)got;
			any = true;
			continue;
		}
		if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
			continue;
		*closed = true; /* 0: the peer closed; an error: reset */
		return 0;
	}
	return 0;
}

int session_link_read(struct session_link *l, unsigned wait_ms, bool *closed, struct dl_error *err)
{
	/* no wait asked (the engine tending an idle link): what is there, nothing more */
	return link_read(l, wait_ms, wait_ms ? 2 : 0, closed, err);
}

int session_link_read_some(struct session_link *l, unsigned wait_ms, bool *closed,
			   struct dl_error *err)
{
	return link_read(l, wait_ms, 0, closed, err);
}

void session_link_consume(struct session_link *l, size_t n)
{
	if (n >= l->input_length) {
		l->input_length = 0;
		return;
	}
	memmove(l->input, l->input + n, l->input_length - n);
	l->input_length -= n;
}

void session_link_close(struct session_link *l)
{
	if (l->fd >= 0)
		sock_close_reset(l->fd);
	l->fd = -1;
	l->input_length = 0;
}

/* ---- the reproducer's frames ---- */

static int write_frame(struct pcapng_writer *w, struct packet *p, const struct session_link *l,
		       uint32_t seq, const uint8_t *data, size_t length, const char *comment,
		       struct dl_error *err)
{
	if (pcapng_full(w)) {
		/* the sent log at its ceiling: at 10 000 BGP cases/s it is within 10 s, and
		 * building frames that are not written was a tenth of the campaign's time */
		pcapng_drop_packet(w);
		return 0;
	}
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	if (l->frames) /* a whole Ethernet frame already (ipv4, ipv6): as it was sent */
		return pcapng_write_packet(w, now.tv_sec, (uint32_t)(now.tv_nsec / 1000), data,
					   (uint32_t)length, (uint32_t)length, comment, err);
	struct ethernet_fields e = {.destination = {0x02, 0, 0, 0, 0, 0x02},
				    .source = {0x02, 0, 0, 0, 0, 0x01},
				    .type = 0x0800};
	uint8_t protocol = l->ip_protocol ? l->ip_protocol : l->datagram ? 17 : 6;
	struct ipv4_fields ip = {.ttl = 64,
				 .protocol = protocol,
				 .flags = IPV4_FLAG_DF,
				 .source = l->local4,
				 .destination = l->peer->dut4};
	struct tcp_fields t = {.source_port = l->local_port,
			       .destination_port = l->remote_port,
			       .sequence = seq,
			       .acknowledgment = 1,
			       .flags = TCP_FLAG_PSH | TCP_FLAG_ACK,
			       .window = 65535,
			       .payload = data,
			       .payload_length = length};
	struct udp_fields u = {.source_port = l->local_port,
			       .destination_port = l->remote_port,
			       .payload = data,
			       .payload_length = length};
	packet_init(p);
	int rc = ethernet_build(p, &e);
	if (!rc)
		rc = ipv4_build(p, &ip);
	if (!rc && l->ip_protocol) {
		/* a raw IP link (OSPF): the message is the datagram's payload */
		uint32_t at = packet_append(p, length);
		if (p->overflow)
			rc = DL_ENOMEM;
		else
			memcpy(p->bytes + at, data, length);
	} else if (!rc)
		rc = l->datagram ? udp_build(p, &u) : tcp_build(p, &t);
	if (rc)
		return dl_error_set(err, rc, "session: a %zu-byte message does not fit a frame",
				    length);
	rc = packet_finish(p, err);
	if (!rc)
		rc = pcapng_write_packet(w, now.tv_sec, (uint32_t)(now.tv_nsec / 1000), p->bytes,
					 p->length, p->length, comment, err);
	return rc;
}

int session_write_frames(struct pcapng_writer *w, const struct session_link *l, uint32_t isn,
			 const uint8_t *message, size_t length, const char *prefix_comment,
			 const char *comment, struct dl_error *err)
{
	struct packet *p = malloc(sizeof(*p));
	if (!p)
		return dl_error_set(err, DL_ENOMEM, "session: out of memory");
	uint32_t seq = isn + 1; /* the SYN took one */
	size_t start = 0;
	int rc = 0;
	for (size_t i = 0; !rc && i < l->prefix_count; i++) {
		size_t end = l->prefix_ends[i];
		rc = write_frame(w, p, l, seq, l->prefix + start, end - start, prefix_comment, err);
		seq += (uint32_t)(end - start);
		start = end;
	}
	if (!rc)
		rc = write_frame(w, p, l, seq, message, length, comment, err);
	free(p);
	return rc;
}

/* ---- the campaign ---- */

/* One of a protocol's links, and the case it carries. */
struct session_slot {
	struct session_link link;
	uint32_t log_sequence; /* the next TCP sequence number of its frames in sent.pcapng */
	/* a case was sent on it whose reaction is not read out yet (several links: the engine
	 * goes on to the next link and reads this one when it comes back round, or idle) */
	bool pending;
	bool spends;                      /* that case spends its session */
	int64_t sent_ns;                  /* when it was sent */
	struct session_reaction reaction; /* what was read of its reaction so far */
	/* a fresh session is being set up on the link in a thread of its own (ready_start): the
	 * engine leaves the link alone until that thread is joined (ready_reap) */
	bool readying;
	pthread_t ready_thread;
	atomic_bool ready_done; /* the thread's establish returned */
	const struct session_protocol *ready_protocol;
	unsigned ready_state;
	int64_t ready_until_ns, ready_ns; /* its deadline; how long it took */
	int ready_rc;
	struct dl_error ready_why;
};

struct session_share {
	const struct session_protocol *protocol;
	unsigned weight;
	size_t first, count;        /* its templates */
	struct session_slot *slots; /* slot_count links (robustness.session_links) */
	size_t slot_count, next_slot;
	struct session_slot *slot; /* the one the engine works on now */
	struct session_link *link; /* its link */
	uint64_t cases, sessions, resets, silent_closes, checks, checks_failed;
	/* sessions brought to another state on their connection (the protocol's advance), and
	 * the advances the DUT refused (a fresh session followed) */
	uint64_t advances, advances_refused;
	char last_advance_refused[SESSION_EVIDENCE_MAX]; /* why the last one was refused */
	/* sessions set up ahead in a thread (counted in sessions too), and those that failed
	 * (the engine then sets that link up itself, when a case wants it) */
	uint64_t sessions_ahead, sessions_ahead_failed;
	size_t readying;   /* its links being set up ahead now */
	int64_t way_in_ns; /* a moving mean of a way in: a fresh session's, or an advance's */
	struct {
		uint8_t code, subcode;
		uint64_t count;
	} notifications[NOTIFICATION_KINDS];
	size_t notification_kinds;
	char check_name[40];                   /* "bgp.check": its check's failures and events */
	char last_check[SESSION_EVIDENCE_MAX]; /* its check's last evidence */
};

struct session_case_template {
	const struct session_template *template;
	size_t share;
	struct packet *valid;
	struct mutation_plan *plan;
	uint64_t cases;
};

/*
 * The case frames a send hook patched (session_link_sent()), as they went on the wire, by case
 * index and frame: the sent log and the reproducers write them in place of the mutated frames,
 * which keep the case's identity (its comment). One holds the case being sent, one a replay's
 * cases (the recorded bytes of a replayed case are that replay's), one the last failing
 * replay's. Past its frames_max or bytes_max a frame is not kept (written as mutated).
 */
struct session_wire {
	uint8_t *bytes;
	size_t used, bytes_max;
	struct {
		uint64_t index;
		size_t frame, start, length;
	} * frames;
	size_t count, frames_max;
};

/* A case sent: its index (the ring slot's owner) and when it went out (0: not sent). */
struct session_sent {
	uint64_t index;
	int64_t at_ns;
};

struct sessions {
	const struct campaign_config *config;
	const struct profile_robustness *r;
	struct session_peer peer;
	struct session_share shares[SESSION_PROTOCOLS_MAX];
	size_t share_count;
	uint64_t share_limit[SESSION_PROTOCOLS_MAX], weight_total;
	struct session_case_template templates[TEMPLATES_MAX];
	size_t template_count;
	uint64_t seed;
	unsigned establish_seconds; /* a session not back within this is a failure */
	unsigned check_seconds;     /* between two checks of each protocol */
	struct rate rate;
	struct watch watch;
	/* a monitor that failed while a session was awaited or a check ran (NULL: none);
	 * its evidence went to the caller's err */
	const char *failed_monitor;
	struct session_link *check_link; /* the fresh link a protocol's check runs on */
	/* each protocol's session (its prefix) in the last replay, and in the last replay that
	 * failed the DUT: the reproducer's (SESSION_PROTOCOLS_MAX links each) */
	struct session_link *replayed, *culprit;
	struct packet *frame, *log_frame;
	/* the patched frames of the case being sent, of the last replay, of the last failing one */
	struct session_wire wire_case, wire_replayed, wire_culprit;
	struct fuzz_coverage *coverage;
	struct pcapng_writer sent_log;
	bool sent_log_open;
	struct session_sent *sent; /* when the last SESSION_SENT_RING cases went out (index %) */
	uint64_t judged_next;      /* cases before it were in a failure's window already */
	uint64_t next_index, cases_replayed;
	int64_t started_ns, origin_ns;
	struct json_object *failures;
	struct json_object *resumed_counts; /* a checkpoint's protocols, until prepared */
	size_t failure_count;
	char not_back[DL_ERROR_MESSAGE_MAX]; /* why the last recovery did not bring the session */
	char stopped[512];
	char robustness_dir[4096];
};

static void interface_addresses(struct sessions *k)
{
	struct ifaddrs *list = NULL;
	if (getifaddrs(&list) != 0)
		return;
	for (struct ifaddrs *i = list; i; i = i->ifa_next) {
		if (!i->ifa_addr || strcmp(i->ifa_name, k->r->interface) != 0)
			continue;
		if (i->ifa_addr->sa_family == AF_INET && !k->peer.tester4.s_addr) {
			/* the port's first (primary) address: robustness.bgp.sources' follow */
			k->peer.tester4 = ((struct sockaddr_in *)i->ifa_addr)->sin_addr;
			k->peer.tester4_mask.s_addr = 0; /* this address's own, if told */
			if (i->ifa_netmask && i->ifa_netmask->sa_family == AF_INET)
				k->peer.tester4_mask =
					((struct sockaddr_in *)i->ifa_netmask)->sin_addr;
		} else if (i->ifa_addr->sa_family == AF_INET6) {
			struct in6_addr *x = &((struct sockaddr_in6 *)i->ifa_addr)->sin6_addr;
			if (!IN6_IS_ADDR_LINKLOCAL(x))
				k->peer.tester6 = *x;
		}
	}
	freeifaddrs(list);
}

/* The engine works on sh's link i from now on. */
static void use_slot(struct session_share *sh, size_t i)
{
	sh->slot = &sh->slots[i];
	sh->link = &sh->slot->link;
}

static int prepare(struct sessions *k, struct dl_error *err)
{
	const struct profile_robustness *r = k->r;
	struct mutation_options options = {.level = r->level ? r->level : 1,
					   .frame_max = SESSION_MESSAGE_MAX};
	for (size_t s = 0; s < r->mix_count; s++) {
		const struct session_protocol *sp = session_protocol_find(r->mix[s].protocol);
		if (!sp)
			continue; /* a packet protocol: robustness.packets sends it */
		if (sp->state_size > SESSION_STATE_BYTES)
			return dl_error_set(err, DL_EINVAL,
					    "session: %s wants %zu bytes of link state, more than "
					    "SESSION_STATE_BYTES",
					    sp->name, sp->state_size);
		if (k->share_count == SESSION_PROTOCOLS_MAX)
			return dl_error_set(err, DL_EINVAL, "robustness.mix: too many protocols");
		struct session_share *sh = &k->shares[k->share_count];
		sh->protocol = sp;
		sh->weight = r->mix[s].weight;
		snprintf(sh->check_name, sizeof(sh->check_name), "%s.check", sp->name);
		sh->first = k->template_count;
		size_t links = sp->links                          ? sp->links(&k->peer)
			       : sp->parallel && r->session_links ? r->session_links
								  : 1;
		sh->slots = calloc(links, sizeof(*sh->slots));
		if (!sh->slots)
			return dl_error_set(err, DL_ENOMEM, "robustness: out of memory");
		sh->slot_count = links;
		for (size_t i = 0; i < links; i++) {
			session_link_init(&sh->slots[i].link, &k->peer);
			sh->slots[i].link.index = (unsigned)i;
		}
		use_slot(sh, 0);
		if (sp->prepare) {
			int rc = sp->prepare(&k->peer, k->config, err);
			if (rc)
				return rc;
		}
		for (size_t t = 0; t < sp->template_count; t++) {
			if (k->template_count == TEMPLATES_MAX)
				return dl_error_set(err, DL_ENOMEM,
						    "robustness: more than %d session templates",
						    TEMPLATES_MAX);
			struct session_case_template *ct = &k->templates[k->template_count];
			ct->template = sp->templates[t];
			ct->share = k->share_count;
			ct->valid = malloc(sizeof(*ct->valid));
			ct->plan = malloc(sizeof(*ct->plan));
			if (!ct->valid || !ct->plan) {
				free(ct->valid);
				free(ct->plan);
				return dl_error_set(err, DL_ENOMEM, "robustness: out of memory");
			}
			k->template_count++;
			packet_init(ct->valid);
			int rc = ct->template->build(ct->valid, &k->peer, err);
			if (rc)
				return dl_error_prefix(err, "robustness: template %s",
						       ct->template->base.name);
			struct mutation_options o = options;
			if (ct->template->frame_max)
				o.frame_max = ct->template->frame_max;
			o.fragments = ct->template->fragments;
			mutate_plan_build(ct->plan, ct->valid, &ct->template->base, &o);
		}
		sh->count = k->template_count - sh->first;
		k->weight_total += sh->weight;
		k->share_limit[k->share_count++] = k->weight_total;
	}
	return 0;
}

static struct session_case_template *draw(const struct sessions *k, uint64_t index)
{
	struct random_state rs;
	random_seed(&rs, k->seed, index, SCHEDULE_KEY);
	uint64_t w = random_next(&rs) % k->weight_total;
	size_t s = 0;
	while (s + 1 < k->share_count && w >= k->share_limit[s])
		s++;
	size_t t = k->shares[s].first + (size_t)(random_next(&rs) % k->shares[s].count);
	return (struct session_case_template *)&k->templates[t];
}

static int make_case(struct sessions *k, uint64_t index, struct session_case_template **t,
		     struct fuzz_case *record, struct dl_error *err)
{
	*t = draw(k, index);
	return mutate_planned((*t)->plan, k->seed, index, k->frame, record, err);
}

/* ---- what was sent ---- */

static int wire_open(struct session_wire *w, size_t frames_max, size_t bytes_max)
{
	w->bytes = malloc(bytes_max);
	w->frames = calloc(frames_max, sizeof(*w->frames));
	w->bytes_max = bytes_max;
	w->frames_max = frames_max;
	w->used = w->count = 0;
	return w->bytes && w->frames ? 0 : DL_ENOMEM;
}

static void wire_free(struct session_wire *w)
{
	free(w->bytes);
	free(w->frames);
	*w = (struct session_wire){0};
}

static void wire_clear(struct session_wire *w)
{
	w->used = w->count = 0;
}

/* Frame f of case index as l's send hook wrote it, when the hook noted a patched copy. */
static void wire_add(struct session_wire *w, uint64_t index, size_t f, const struct session_link *l)
{
	if (l->sent_length == 0 || w->count == w->frames_max ||
	    l->sent_length > w->bytes_max - w->used)
		return;
	memcpy(w->bytes + w->used, l->sent, l->sent_length);
	w->frames[w->count].index = index;
	w->frames[w->count].frame = f;
	w->frames[w->count].start = w->used;
	w->frames[w->count++].length = l->sent_length;
	w->used += l->sent_length;
}

static void wire_copy(struct session_wire *to, const struct session_wire *from)
{
	memcpy(to->bytes, from->bytes, from->used);
	memcpy(to->frames, from->frames, from->count * sizeof(*from->frames));
	to->used = from->used;
	to->count = from->count;
}

/* Frame f of case index as it went on the wire: w's patched copy (the last one sent, a case
 * sent again after a reset), else the frame as mutated; its length in *length. */
static const uint8_t *wire_frame(const struct session_wire *w, uint64_t index,
				 const struct packet *frames, size_t f, size_t *length)
{
	for (size_t i = w->count; i-- > 0;)
		if (w->frames[i].index == index && w->frames[i].frame == f) {
			*length = w->frames[i].length;
			return w->bytes + w->frames[i].start;
		}
	*length = frames[f].length;
	return frames[f].bytes;
}

#define LOG_ISN 0x10000000u /* the sent log's TCP sequence numbers start here, each session */

/* Case index's frames from to count (one, or a fragment case's several) on l, in order, as
 * they went on the wire (wire_frame()), each commented with the case; *seq follows on. */
static int write_case_frames(struct pcapng_writer *w, struct packet *scratch,
			     const struct session_link *l, uint32_t *seq,
			     const struct session_wire *wire, uint64_t index,
			     const struct packet *frames, size_t from, size_t count,
			     const char *comment, struct dl_error *err)
{
	int rc = 0;
	for (size_t f = from; !rc && f < count; f++) {
		size_t length;
		const uint8_t *data = wire_frame(wire, index, frames, f, &length);
		rc = write_frame(w, scratch, l, *seq, data, length, comment, err);
		*seq += (uint32_t)length;
	}
	return rc;
}

/* What sp's send wrote behind the case in frame on l (its trailer: BGP's ROUTE-REFRESH
 * barrier), as one more frame after the case's. */
static int write_trailer(struct pcapng_writer *w, struct packet *scratch,
			 const struct session_protocol *sp, const struct session_link *l,
			 uint32_t *seq, const struct packet *frame, struct dl_error *err)
{
	size_t n = sp->trailer ? sp->trailer(l, frame->bytes, frame->length) : 0;
	if (n == 0 || n > l->trailer_length)
		return 0;
	int rc = write_frame(w, scratch, l, *seq, l->trailer, n,
			     "written behind the case by the session: the barrier whose answer "
			     "proves the case was read (BGP: ROUTE-REFRESH, RFC 7313)",
			     err);
	*seq += (uint32_t)n;
	return rc;
}

/* A new session's prefix into sent.pcapng. */
static void log_prefix(struct sessions *k, struct session_share *sh, struct session_slot *slot)
{
	const struct session_link *l = &slot->link;
	slot->log_sequence = LOG_ISN + 1;
	if (!k->sent_log_open)
		return;
	char comment[160];
	snprintf(comment, sizeof(comment),
		 "%s session %" PRIu64 ": state-building prefix (state %u)%s", sh->protocol->name,
		 sh->sessions, l->state, l->prefix_full ? ", cut short" : "");
	size_t start = 0;
	struct dl_error ignored;
	for (size_t i = 0; i < l->prefix_count; i++) {
		size_t end = l->prefix_ends[i];
		(void)write_frame(&k->sent_log, k->log_frame, l, slot->log_sequence,
				  l->prefix + start, end - start, comment, &ignored);
		slot->log_sequence += (uint32_t)(end - start);
		start = end;
	}
}

/* A case sent, into sent.pcapng as it went on the wire, commented with its id and mutations. */
static void log_case(struct sessions *k, struct session_share *sh, uint64_t index,
		     const struct fuzz_case *record)
{
	if (!k->sent_log_open)
		return;
	char comment[400];
	fuzz_case_describe(record, comment, sizeof(comment));
	struct dl_error ignored;
	(void)write_case_frames(&k->sent_log, k->log_frame, sh->link, &sh->slot->log_sequence,
				&k->wire_case, index, k->frame, 0, record->frame_count, comment,
				&ignored);
	(void)write_trailer(&k->sent_log, k->log_frame, sh->protocol, sh->link,
			    &sh->slot->log_sequence, k->frame, &ignored);
}

/* ---- health ---- */

/* Poll the monitors for ms (at least once): a monitor that fails is noted in k->failed_monitor
 * with its evidence in err, and DL_ETIMEDOUT returned. */
static int wait_watching(struct sessions *k, unsigned ms, struct dl_error *err)
{
	int64_t until = monotonic_ns() + (int64_t)ms * 1000000;
	for (unsigned rounds = 0; rounds < 100000; rounds++) {
		bool failed = false;
		struct health_event e;
		int rc = watch_poll(&k->watch, &failed, &e, err);
		if (rc)
			return rc;
		if (failed) {
			k->failed_monitor = e.monitor;
			return dl_error_set(err, DL_ETIMEDOUT, "%s", e.evidence);
		}
		int64_t left = until - monotonic_ns();
		if (left <= 0)
			return 0;
		int64_t step = (int64_t)health_set_interval_ms(k->watch.set) * 1000000;
		if (step > left)
			step = left;
		struct timespec pause = {(time_t)(step / 1000000000), (long)(step % 1000000000)};
		nanosleep(&pause, NULL);
	}
	return 0;
}

/* sh's link advanced from its state to state: the messages it recorded into sent.pcapng. */
static void log_advance(struct sessions *k, struct session_share *sh, size_t first, unsigned from)
{
	struct session_link *l = sh->link;
	if (!k->sent_log_open)
		return;
	char comment[160];
	snprintf(comment, sizeof(comment),
		 "%s session %" PRIu64 ": from state %u to %u on the same connection (the "
		 "state-building prefix goes on)",
		 sh->protocol->name, sh->sessions, from, l->state);
	size_t start = first ? l->prefix_ends[first - 1] : 0;
	struct dl_error ignored;
	for (size_t i = first; i < l->prefix_count; i++) {
		size_t end = l->prefix_ends[i];
		(void)write_frame(&k->sent_log, k->log_frame, l, sh->slot->log_sequence,
				  l->prefix + start, end - start, comment, &ignored);
		sh->slot->log_sequence += (uint32_t)(end - start);
		start = end;
	}
}

/* A way in that took ns, into sh's moving mean (an eighth of the new one each time). */
static void note_way_in(struct session_share *sh, int64_t ns)
{
	sh->way_in_ns = sh->way_in_ns ? sh->way_in_ns + (ns - sh->way_in_ns) / 8 : ns;
}

/* How long a way in the engine does not wait on alone may take (an advance, a session set
 * up ahead): ADVANCE_SLACK usual ways in, at least ADVANCE_MIN_MS, at most one establish
 * attempt's time. */
static int64_t quick_bound_ns(const struct session_share *sh)
{
	unsigned attempt_ms =
		sh->protocol->establish_ms ? sh->protocol->establish_ms : SESSION_CONNECT_MS;
	int64_t bound_ns = sh->way_in_ns * ADVANCE_SLACK;
	if (bound_ns < (int64_t)ADVANCE_MIN_MS * 1000000)
		bound_ns = (int64_t)ADVANCE_MIN_MS * 1000000;
	if (bound_ns > (int64_t)attempt_ms * 1000000)
		bound_ns = (int64_t)attempt_ms * 1000000;
	return bound_ns;
}

/*
 * sh's open link brought to state on its connection (the protocol's advance), within
 * ADVANCE_SLACK usual ways in (at most one establish attempt's time): 0 there; 1 not
 * (refused, or not this way: the caller closes it and establishes afresh); DL_ESCOPE or
 * DL_ENOMEM, dutlab's own.
 */
static int advance(struct sessions *k, struct session_share *sh, unsigned state,
		   struct dl_error *err)
{
	struct session_link *l = sh->link;
	unsigned from = l->state;
	size_t first = l->prefix_count;
	int64_t start = monotonic_ns();
	int64_t bound_ns = quick_bound_ns(sh);
	int64_t until = start + bound_ns;
	if (until > k->config->deadline_ns)
		until = k->config->deadline_ns;
	struct dl_error why = {0};
	int rc = sh->protocol->advance(l, state, until, &why);
	if (rc == DL_ESCOPE || rc == DL_ENOMEM)
		return dl_error_set(err, rc, "%s", why.message);
	if (rc == DL_EUNSUPPORTED)
		return 1;
	if (rc) {
		sh->advances_refused++;
		(void)text_copy(sh->last_advance_refused, sizeof(sh->last_advance_refused),
				why.message);
		return 1;
	}
	note_way_in(sh, monotonic_ns() - start);
	l->state = state;
	sh->advances++;
	log_advance(k, sh, first, from);
	return 0;
}

/*
 * A session for sh in state within seconds, trying again while the DUT
 * refuses, the monitors polled between the attempts. 0 up; DL_ETIMEDOUT
 * (why in err) when it never came, or at once when a monitor failed
 * meanwhile (k->failed_monitor names it, err has its evidence): a dead DUT
 * is a failure when its monitors say so, not only at the bound; or
 * dutlab's own error.
 */
static int ensure(struct sessions *k, struct session_share *sh, unsigned state, unsigned seconds,
		  struct dl_error *err)
{
	k->failed_monitor = NULL;
	if (sh->link->fd >= 0 && sh->link->state == state)
		return 0;
	if (sh->link->fd >= 0 && sh->protocol->advance) {
		int rc = advance(k, sh, state, err);
		if (rc <= 0)
			return rc;
	}
	sh->protocol->close(sh->link); /* down, or another state's session: a fresh one */
	int64_t deadline = monotonic_ns() + (int64_t)seconds * 1000000000;
	if (deadline > k->config->deadline_ns)
		deadline = k->config->deadline_ns;
	struct dl_error why = {0};
	snprintf(why.message, sizeof(why.message), "no attempt in time");
	for (unsigned attempt = 0; attempt < 10000; attempt++) {
		int64_t now = monotonic_ns();
		if (now >= deadline)
			break;
		unsigned attempt_ms = sh->protocol->establish_ms ? sh->protocol->establish_ms
								 : SESSION_CONNECT_MS;
		int64_t until = now + (int64_t)attempt_ms * 1000000;
		if (until > deadline)
			until = deadline;
		int rc = sh->protocol->establish(sh->link, state, until, &why);
		if (rc == 0) {
			note_way_in(sh, monotonic_ns() - now);
			sh->link->state = state;
			sh->sessions++;
			log_prefix(k, sh, sh->slot);
			sh->slot->ready_rc = 0; /* its thread's failure, if any, is over */
			return 0;
		}
		if (rc == DL_ESCOPE || rc == DL_ENOMEM)
			return dl_error_set(err, rc, "%s", why.message);
		/* the monitors probe only while they are polled, not while an attempt waits
		 * on the DUT: after an attempt the DUT let run to its bound without a word
		 * (dead, or its port filtered) they get the time to decide */
		unsigned pause = attempt == 0 ? FIRST_RETRY_MS : RETRY_PAUSE_MS;
		if (monotonic_ns() >= until - SILENT_MARGIN_NS)
			pause = k->watch.detect_ms;
		int64_t left_ms = (deadline - monotonic_ns()) / 1000000;
		rc = wait_watching(
			k, left_ms > pause ? pause : (unsigned)(left_ms > 0 ? left_ms : 0), err);
		if (rc)
			return rc;
	}
	return dl_error_set(err, DL_ETIMEDOUT,
			    "the DUT's %s session could not be re-established within %u s (last "
			    "attempt: %s)",
			    sh->protocol->name, seconds, why.message);
}

/* ---- sessions set up ahead ---- */

static void *ready_run(void *arg)
{
	struct session_slot *slot = arg;
	int64_t start = monotonic_ns();
	slot->ready_rc = slot->ready_protocol->establish(&slot->link, slot->ready_state,
							 slot->ready_until_ns, &slot->ready_why);
	slot->ready_ns = monotonic_ns() - start;
	atomic_store(&slot->ready_done, true);
	return NULL;
}

/*
 * A fresh session in state on slot's closed link, set up in a thread of its own while the
 * engine goes on: within the advance's bound (ADVANCE_SLACK usual ways in), as a slow one
 * is better set up again by the engine, which watches the monitors meanwhile. false when no
 * thread could be started (the engine sets the link up itself when a case wants it).
 */
/* How many of sh's links may be set up ahead at once: READY_AHEAD_MAX, one link always left
 * to the engine (none of a single link). */
static size_t ready_most(const struct session_share *sh)
{
	if (sh->slot_count < 2)
		return 0;
	return sh->slot_count - 1 < READY_AHEAD_MAX ? sh->slot_count - 1 : READY_AHEAD_MAX;
}

static bool ready_start(struct session_share *sh, struct session_slot *slot, unsigned state)
{
	int64_t bound_ns = quick_bound_ns(sh);
	slot->ready_protocol = sh->protocol;
	slot->ready_state = state;
	slot->ready_until_ns = monotonic_ns() + bound_ns;
	slot->ready_rc = 0;
	slot->ready_why = (struct dl_error){0};
	atomic_store(&slot->ready_done, false);
	if (pthread_create(&slot->ready_thread, NULL, ready_run, slot) != 0)
		return false;
	slot->readying = true;
	sh->readying++;
	return true;
}

/* slot's thread joined: the link is the engine's again. */
static void ready_join(struct session_share *sh, struct session_slot *slot)
{
	(void)pthread_join(slot->ready_thread, NULL);
	slot->readying = false;
	sh->readying--;
}

/* slot's thread joined, when it is done (or at once with wait); true when it was, the link
 * the engine's again. Its session counts as one the engine set up; a failed one is closed,
 * set up again by the engine when a case wants it (its monitors watched meanwhile). */
static bool ready_reap(struct sessions *k, struct session_share *sh, struct session_slot *slot,
		       bool wait)
{
	if (!slot->readying)
		return true;
	if (!wait && !atomic_load(&slot->ready_done))
		return false;
	ready_join(sh, slot);
	if (slot->ready_rc == 0) {
		slot->link.state = slot->ready_state;
		sh->sessions++;
		sh->sessions_ahead++;
		note_way_in(sh, slot->ready_ns);
		log_prefix(k, sh, slot);
	} else {
		sh->sessions_ahead_failed++;
		sh->protocol->close(&slot->link);
	}
	return true;
}

/*
 * sh's closed links with no case pending set up ahead (READY_AHEAD_MAX at once, one link
 * always left to the engine), each in the state of one of the next cases of sh (after case
 * index: the draw is a function of the index) that no link offers yet, open or being set
 * up: a session in a state no case wants would be closed again for one that is.
 */
static void ready_ahead(struct sessions *k, struct session_share *sh, uint64_t index)
{
	size_t most = ready_most(sh);
	if (!sh->protocol->ready_ahead || sh->readying >= most)
		return;
	unsigned offered[READY_STATES] = {0};
	size_t closed[PROFILE_SESSION_LINKS_MAX], closed_count = 0;
	for (size_t i = 0; i < sh->slot_count; i++) {
		const struct session_slot *slot = &sh->slots[i];
		unsigned state = slot->readying ? slot->ready_state : slot->link.state;
		if (slot->readying || slot->link.fd >= 0) {
			if (state < READY_STATES)
				offered[state]++;
		} else if (!slot->pending && slot != sh->slot && !slot->ready_rc &&
			   closed_count < PROFILE_SESSION_LINKS_MAX) {
			closed[closed_count++] = i; /* not after its thread failed: hand_off */
		}
	}
	size_t used = 0;
	uint64_t last = index + 2 * (uint64_t)sh->slot_count;
	for (uint64_t i = index + 1; i <= last && used < closed_count && sh->readying < most; i++) {
		const struct session_case_template *t = draw(k, i);
		if (&k->shares[t->share] != sh || t->template->state >= READY_STATES)
			continue;
		unsigned state = t->template->state;
		if (offered[state]) {
			offered[state]--;
			continue;
		}
		if (!ready_start(sh, &sh->slots[closed[used++]], state))
			return;
	}
}

/* Every thread of sh joined and its link closed: the engine takes every link back (a
 * check, a recovery, a replay, the campaign's end). */
static void ready_drop(struct session_share *sh)
{
	for (size_t i = 0; i < sh->slot_count; i++) {
		struct session_slot *slot = &sh->slots[i];
		if (!slot->readying)
			continue;
		ready_join(sh, slot);
		sh->protocol->close(&slot->link);
	}
}

/* re, what the DUT did on sh's link l: a reset (an error message, a close) ends the session. */
static void count_reaction(struct session_share *sh, struct session_link *l,
			   const struct session_reaction *re)
{
	if (re->kind == SESSION_ALIVE)
		return;
	sh->resets++;
	sh->protocol->close(l);
	if (re->kind == SESSION_CLOSED) {
		sh->silent_closes++;
		return;
	}
	for (size_t i = 0; i < sh->notification_kinds; i++)
		if (sh->notifications[i].code == re->code &&
		    sh->notifications[i].subcode == re->subcode) {
			sh->notifications[i].count++;
			return;
		}
	if (sh->notification_kinds < NOTIFICATION_KINDS) {
		size_t i = sh->notification_kinds++;
		sh->notifications[i].code = re->code;
		sh->notifications[i].subcode = re->subcode;
		sh->notifications[i].count = 1;
	}
}

/* one's news folded into re: the first error message or close is the reaction */
static void merge_reaction(struct session_reaction *re, const struct session_reaction *one)
{
	if (re->kind == SESSION_ALIVE && one->kind != SESSION_ALIVE) {
		re->kind = one->kind;
		re->code = one->code;
		re->subcode = one->subcode;
	}
	re->complete = re->complete || one->complete;
	re->kept = re->kept || one->kept;
	if (one->moved) {
		re->moved = true;
		re->state = one->state;
	}
}

/* l's state after re: where the answer moved the session (a link still open). */
static void follow_move(struct session_link *l, const struct session_reaction *re)
{
	if (re->moved && l->fd >= 0)
		l->state = re->state;
}

/*
 * The reaction to the case pending on slot (a link of sh): read until the
 * DUT answered it whole (complete: RTSP's response), reacted (an error
 * message, a close), or REACTION_MS after it was sent, whichever comes
 * first; then counted, and a spent session closed. A protocol whose tend
 * returns before its wait ran out (on the first bytes) is read again for
 * the rest of the window, so a reaction that follows them is still this
 * case's. wait false: only what is there now, the case left pending while
 * its window runs.
 */
static void settle(struct session_share *sh, struct session_slot *slot, bool wait)
{
	if (!slot->pending)
		return;
	int64_t until = slot->sent_ns + (int64_t)REACTION_MS * 1000000;
	bool done = false;
	for (unsigned rounds = 0; rounds < 64 && !done; rounds++) {
		struct session_reaction one = {.kind = SESSION_ALIVE};
		struct dl_error why;
		int ms = wait ? sock_remaining_ms(until, REACTION_MS) : 0;
		(void)sh->protocol->tend(&slot->link, (unsigned)ms, &one, &why);
		merge_reaction(&slot->reaction, &one);
		done = slot->reaction.kind != SESSION_ALIVE || slot->reaction.complete ||
		       slot->link.fd < 0 || monotonic_ns() >= until;
		if (!wait)
			break;
	}
	if (!done)
		return;
	slot->pending = false;
	count_reaction(sh, &slot->link, &slot->reaction);
	follow_move(&slot->link, &slot->reaction);
	if (slot->spends && !slot->reaction.moved && !slot->reaction.kept)
		sh->protocol->close(&slot->link); /* the session cannot go on after it */
}

/*
 * Every open link but busy read without waiting, every case: a link the
 * draw left alone must not back the DUT's sending up (GStreamer stops
 * answering a client whose interleaved RTP goes unread), keepalives go out
 * when due, a case pending on a link of its own gets its reaction read (and
 * settled once it is whole or its window is over), and a session the DUT
 * ended meanwhile is counted a reset then, not found by the next case sent
 * into it.
 */
static void tend_idle(struct sessions *k, const struct session_slot *busy)
{
	for (size_t s = 0; s < k->share_count; s++) {
		struct session_share *sh = &k->shares[s];
		for (size_t i = 0; i < sh->slot_count; i++) {
			struct session_slot *slot = &sh->slots[i];
			if (!ready_reap(k, sh, slot, false))
				continue; /* its session is still being set up */
			if (slot == busy || slot->link.fd < 0)
				continue;
			if (slot->pending) {
				settle(sh, slot, false);
				continue;
			}
			struct session_reaction re = {.kind = SESSION_ALIVE};
			struct dl_error why;
			(void)sh->protocol->tend(&slot->link, 0, &re, &why);
			count_reaction(sh, &slot->link, &re);
			follow_move(&slot->link, &re); /* a late answer to a settled case */
		}
	}
}

/* Every session of sh ended (for its check, a recovery, a replay), a case still pending
 * settled on what is there; the engine back on its first link. */
static void close_share(struct session_share *sh)
{
	ready_drop(sh);
	for (size_t i = 0; i < sh->slot_count; i++) {
		struct session_slot *slot = &sh->slots[i];
		slot->link.quiet = false; /* what came since the engine's poll is read */
		if (slot->pending && slot->link.fd >= 0) {
			struct session_reaction re = {.kind = SESSION_ALIVE};
			struct dl_error why;
			(void)sh->protocol->tend(&slot->link, 0, &re, &why);
			merge_reaction(&slot->reaction, &re);
		}
		if (slot->pending) {
			slot->pending = false;
			count_reaction(sh, &slot->link, &slot->reaction);
		}
		sh->protocol->close(&slot->link);
	}
	sh->next_slot = 0;
	use_slot(sh, 0);
}

/*
 * sh's protocol check on a fresh link (the fuzzing session closed first:
 * a second session from the same peer would collide with it), tried again
 * until healthy within seconds, the monitors polled between attempts.
 * 0 with *healthy and the evidence (a monitor that failed meanwhile:
 * unhealthy, k->failed_monitor set, its evidence); or dutlab's own error.
 */
static int check_share(struct sessions *k, struct session_share *sh, unsigned seconds,
		       bool *healthy, char *evidence, size_t size, struct dl_error *err)
{
	*healthy = true;
	k->failed_monitor = NULL;
	if (!sh->protocol->check)
		return 0;
	close_share(sh);
	int64_t deadline = monotonic_ns() + (int64_t)seconds * 1000000000;
	if (deadline > k->config->deadline_ns)
		deadline = k->config->deadline_ns;
	snprintf(evidence, size, "%s: no check in time", sh->protocol->name);
	*healthy = false;
	for (unsigned attempt = 0; attempt < 10000 && monotonic_ns() < deadline; attempt++) {
		int64_t until = monotonic_ns() + (int64_t)CHECK_ATTEMPT_MS * 1000000;
		if (until > deadline)
			until = deadline;
		session_link_init(k->check_link, &k->peer);
		struct dl_error why = {0};
		int rc = sh->protocol->check(k->check_link, until, healthy, evidence, size, &why);
		sh->protocol->close(k->check_link);
		sh->checks++;
		(void)text_copy(sh->last_check, sizeof(sh->last_check), evidence);
		if (rc)
			return dl_error_set(err, rc, "%s", why.message);
		if (*healthy)
			return 0;
		int64_t left_ms = (deadline - monotonic_ns()) / 1000000;
		rc = wait_watching(k, left_ms > RETRY_PAUSE_MS ? RETRY_PAUSE_MS : 0, &why);
		if (rc == DL_ETIMEDOUT && k->failed_monitor) {
			(void)text_copy(evidence, size, why.message); /* the monitor's evidence */
			return 0;
		}
		if (rc)
			return dl_error_set(err, rc, "%s", why.message);
	}
	sh->checks_failed++;
	return 0;
}

/* Case index's count frames (a fragment case's several: all, in order) on sh's established
 * session, by the protocol's send hook when it has one; each frame the hook patched kept in
 * wire as it went. */
static int send_case(struct session_share *sh, const struct session_case_template *t,
		     uint64_t index, const struct packet *frames, size_t count,
		     struct session_wire *wire, struct dl_error *err)
{
	int rc = 0;
	for (size_t f = 0; !rc && f < count; f++) {
		sh->link->sent_length = 0;
		rc = sh->protocol->send ? sh->protocol->send(sh->link, t->template, frames[f].bytes,
							     frames[f].length, err)
					: session_link_send(sh->link, frames[f].bytes,
							    frames[f].length, false, err);
		if (!rc)
			wire_add(wire, index, f, sh->link);
	}
	return rc;
}

struct recovery {
	struct sessions *k;
	struct session_share *sh;
};

/* watch_recover's question once the monitors are back: the session, and its check. */
static int session_back(void *ctx, unsigned seconds, bool *back, struct dl_error *err)
{
	struct recovery *r = ctx;
	struct dl_error why;
	*back = false;
	int rc = ensure(r->k, r->sh, 0, seconds, &why);
	if (rc == DL_ESCOPE || rc == DL_ENOMEM)
		return dl_error_set(err, rc, "%s", why.message);
	if (rc) {
		(void)text_copy(r->k->not_back, sizeof(r->k->not_back), why.message);
		return 0;
	}
	char evidence[SESSION_EVIDENCE_MAX];
	rc = check_share(r->k, r->sh, seconds, back, evidence, sizeof(evidence), err);
	if (!rc && !*back) {
		watch_note(&r->k->watch, r->sh->check_name, true, monotonic_ns(), evidence);
		(void)text_copy(r->k->not_back, sizeof(r->k->not_back), evidence);
	}
	return rc;
}

/* Wait for the DUT: every monitor, the session and its check back,
 * power-cycling it once when the profile says how. *how: "recovered",
 * "power_cycle" or "". */
static int recover(struct sessions *k, struct session_share *sh, const char **how,
		   struct dl_error *err)
{
	close_share(sh);
	k->not_back[0] = '\0';
	struct recovery r = {k, sh};
	return watch_recover(&k->watch, "sessions-power-cycle.log", k->config->deadline_ns,
			     session_back, &r, how, err);
}

static struct json_object *case_json(struct sessions *k, uint64_t index)
{
	struct session_case_template *t;
	struct fuzz_case record;
	struct dl_error ignored;
	struct json_object *o = json_object_new_object();
	json_object_object_add(o, "index", json_object_new_int64((int64_t)index));
	if (make_case(k, index, &t, &record, &ignored) != 0)
		return o;
	char text[512];
	fuzz_case_describe(&record, text, sizeof(text));
	json_object_object_add(o, "template", json_object_new_string(t->template->base.name));
	json_object_object_add(o, "protocol", json_object_new_string(t->template->base.protocol));
	json_object_object_add(o, "description", json_object_new_string(text));
	struct json_object *m = json_object_new_array();
	for (size_t i = 0; i < record.mutation_count; i++) {
		struct json_object *x = json_object_new_object();
		json_object_object_add(x, "field",
				       json_object_new_string(record.mutations[i].field));
		json_object_object_add(x, "anomaly",
				       json_object_new_string(anomaly_name(
					       (enum anomaly)record.mutations[i].anomaly)));
		json_object_object_add(x, "before",
				       json_object_new_int64((int64_t)record.mutations[i].before));
		json_object_object_add(x, "after",
				       json_object_new_int64((int64_t)record.mutations[i].after));
		json_object_array_add(m, x);
	}
	json_object_object_add(o, "mutations", m);
	return o;
}

/* What the reproducer needs of the session a case was replayed in: its prefix and ends. */
static void keep_session(struct session_link *to, const struct session_link *from)
{
	session_link_init(to, from->peer);
	memcpy(to->prefix, from->prefix, from->prefix_length);
	memcpy(to->prefix_ends, from->prefix_ends, sizeof(from->prefix_ends));
	to->prefix_length = from->prefix_length;
	to->prefix_count = from->prefix_count;
	to->prefix_full = from->prefix_full;
	to->state = from->state;
	to->datagram = from->datagram;
	to->frames = from->frames;
	to->ip_protocol = from->ip_protocol;
	to->local4 = from->local4;
	to->local_port = from->local_port;
	to->remote_port = from->remote_port;
	memcpy(to->trailer, from->trailer, from->trailer_length);
	to->trailer_length = from->trailer_length;
}

/* Where a failure's window starts: the first case sent since at_ns (the ring of send times: the
 * last SESSION_SENT_RING cases at most; none an earlier failure's window held); next_index when
 * none was. */
static uint64_t window_first(const struct sessions *k, int64_t at_ns)
{
	uint64_t first = k->next_index;
	for (uint64_t n = 0; n < SESSION_SENT_RING && n < k->next_index; n++) {
		uint64_t i = k->next_index - 1 - n;
		if (i < k->judged_next)
			break;
		const struct session_sent *s = &k->sent[i % SESSION_SENT_RING];
		if (s->index != i || s->at_ns == 0)
			continue; /* not sent: its session could not be established */
		if (s->at_ns < at_ns)
			break;
		first = i;
	}
	return first;
}

/* The reaction to a replayed case on l, read as the campaign reads it (until the DUT answered
 * it whole, reacted, or wait_ms passed); a session it ends, or a case that spends it,
 * closed. */
static void replay_reaction(struct session_share *sh, struct session_link *l, bool spends,
			    unsigned wait_ms)
{
	int64_t until = monotonic_ns() + (int64_t)wait_ms * 1000000;
	struct session_reaction re = {.kind = SESSION_ALIVE};
	for (unsigned rounds = 0; rounds < 64 && l->fd >= 0; rounds++) {
		struct session_reaction one = {.kind = SESSION_ALIVE};
		struct dl_error why;
		(void)sh->protocol->tend(l, (unsigned)sock_remaining_ms(until, (int)wait_ms), &one,
					 &why);
		merge_reaction(&re, &one);
		if (re.kind != SESSION_ALIVE || one.complete || monotonic_ns() >= until)
			break;
	}
	if (re.kind != SESSION_ALIVE || (spends && !re.moved && !re.kept))
		sh->protocol->close(l);
	else
		follow_move(l, &re);
}

/*
 * Cases first..last again, in index order, each on its protocol's first link in its
 * template's state (re-established when down or in another state, as run_case does, without
 * the rate), its reaction read. A case whose session cannot be established within
 * robustness.session_establish (the campaign's own failure) is not sent, nor the later ones of
 * its protocol (*dead); a monitor that fails meanwhile ends the replay (*failed). *used: the
 * shares a case went to (bits); each one's session (its prefix) kept in k->replayed as its
 * first case found it.
 */
static int replay_cases(struct sessions *k, uint64_t first, uint64_t last, unsigned *used,
			unsigned *dead, bool *failed, struct dl_error *err)
{
	*used = *dead = 0;
	*failed = false;
	wire_clear(&k->wire_replayed);
	for (uint64_t i = first; i <= last && monotonic_ns() < k->config->deadline_ns; i++) {
		struct session_case_template *t;
		struct fuzz_case record;
		int rc = make_case(k, i, &t, &record, err);
		if (rc)
			return rc;
		unsigned bit = 1u << t->share;
		if (*dead & bit)
			continue;
		struct session_share *sh = &k->shares[t->share];
		struct dl_error why;
		bool sent = false;
		for (int attempt = 0; attempt < 2 && !sent; attempt++) {
			rc = ensure(k, sh, t->template->state, k->establish_seconds, &why);
			if (rc == DL_ESCOPE || rc == DL_ENOMEM)
				return dl_error_set(err, rc, "%s", why.message);
			if (rc)
				break;
			if (!(*used & bit))
				keep_session(&k->replayed[t->share], sh->link);
			*used |= bit;
			sent = send_case(sh, t, i, k->frame, record.frame_count, &k->wire_replayed,
					 &why) == 0;
			if (!sent) /* the DUT reset the session after the last case: again */
				sh->protocol->close(sh->link);
		}
		if (rc && k->failed_monitor) {
			*failed = true; /* the DUT failed already */
			return 0;
		}
		if (rc) {
			*dead |= bit;
			continue;
		}
		if (!sent)
			continue;
		k->cases_replayed++;
		/* a case replayed alone: its reaction waited for as long as a culprit's */
		replay_reaction(sh, sh->link, t->template->spends_session,
				first == last ? REPLAY_REACTION_MS : REACTION_MS);
	}
	return 0;
}

/* replay_cases with every protocol's sessions ended first and its first link marked replaying:
 * a replay's sessions take the full way in, the state-building prefix the reproducer shows. */
static int replay_range(struct sessions *k, uint64_t first, uint64_t last, unsigned *used,
			unsigned *dead, bool *failed, struct dl_error *err)
{
	for (size_t s = 0; s < k->share_count; s++) {
		close_share(&k->shares[s]); /* the window alone: no session left from before */
		k->shares[s].link->replaying = true;
	}
	int rc = replay_cases(k, first, last, used, dead, failed, err);
	for (size_t s = 0; s < k->share_count; s++)
		k->shares[s].link->replaying = false;
	return rc;
}

struct replay_context {
	struct sessions *k;
	unsigned sessions_kept; /* shares whose session k->culprit holds (bits) */
	unsigned replayed_used; /* shares whose session k->replayed holds (bits) */
};

/*
 * bisect_reproduces for the session campaign: cases first..last replayed (replay_range: a
 * protocol whose session did not come back there failed the DUT), then what a single replayed
 * case was verified by: every protocol replayed has a session back within VERIFY_SECONDS,
 * the monitors stay quiet for detect_ms, the checks pass; the DUT recovered when it failed.
 * A failing replay's sessions are kept in k->culprit for the reproducer.
 */
static int session_reproduces(void *ctx, uint64_t first, uint64_t last, bool *failed, bool *back,
			      struct dl_error *err)
{
	struct replay_context *x = ctx;
	struct sessions *k = x->k;
	*failed = false;
	*back = true;
	unsigned used = 0, dead = 0;
	int rc = replay_range(k, first, last, &used, &dead, failed, err);
	if (rc)
		return rc;
	x->replayed_used = used;
	*failed = *failed || dead != 0;
	struct dl_error why;
	for (size_t s = 0; s < k->share_count && !*failed; s++) {
		if (!(used & (1u << s)))
			continue;
		struct session_share *sh = &k->shares[s];
		close_share(sh);
		rc = ensure(k, sh, 0, VERIFY_SECONDS, &why);
		if (rc == DL_ESCOPE || rc == DL_ENOMEM)
			return dl_error_set(err, rc, "%s", why.message);
		*failed = rc != 0;
	}
	if (!*failed) {
		struct health_event e;
		rc = watch_for(&k->watch, k->watch.detect_ms, failed, &e, err);
		if (rc)
			return rc;
	}
	for (size_t s = 0; s < k->share_count && !*failed; s++) {
		struct session_share *sh = &k->shares[s];
		if (!(used & (1u << s)) || !sh->protocol->check)
			continue;
		bool healthy = true;
		char evidence[SESSION_EVIDENCE_MAX];
		rc = check_share(k, sh, VERIFY_SECONDS, &healthy, evidence, sizeof(evidence), err);
		if (rc)
			return rc;
		*failed = !healthy;
	}
	if (!*failed)
		return 0;
	for (size_t s = 0; s < k->share_count; s++)
		if (used & (1u << s))
			keep_session(&k->culprit[s], &k->replayed[s]);
	wire_copy(&k->wire_culprit, &k->wire_replayed);
	x->sessions_kept = used;
	/* every protocol replayed back (the first alone when none was sent) */
	for (size_t s = 0; s < k->share_count && *back; s++) {
		if (used && !(used & (1u << s)))
			continue;
		const char *how;
		rc = recover(k, &k->shares[s], &how, err);
		*back = !rc && how[0];
		if (!used)
			break;
	}
	return rc;
}

static int write_reproducer(struct sessions *k, uint64_t index, const struct session_link *l,
			    const struct session_wire *wire, size_t number, char *relative,
			    size_t size, struct dl_error *err)
{
	struct session_case_template *t;
	struct fuzz_case record;
	int rc = make_case(k, index, &t, &record, err);
	if (rc)
		return rc;
	snprintf(relative, size, "evidence/robustness/session-failure-%zu.pcapng", number);
	char path[4200];
	snprintf(path, sizeof(path), "%s/session-failure-%zu.pcapng", k->robustness_dir, number);
	char comment[512];
	snprintf(comment, sizeof(comment),
		 "dutlab session robustness reproducer: seed %" PRIu64 ", case %" PRIu64
		 " after the state-building prefix",
		 k->seed, index);
	struct pcapng_writer w = {0};
	rc = pcapng_open(&w, path, 1, PACKET_BYTES_MAX, k->r->interface, comment, 0, err);
	if (rc)
		return rc;
	char prefix[160], text[400];
	snprintf(prefix, sizeof(prefix), "state-building prefix: %s to %s (state %u)%s",
		 t->template->base.protocol, k->shares[t->share].protocol->title,
		 t->template->state, l->prefix_full ? ", cut short" : "");
	fuzz_case_describe(&record, text, sizeof(text));
	size_t length;
	const uint8_t *first = wire_frame(wire, index, k->frame, 0, &length);
	rc = session_write_frames(&w, l, LOG_ISN, first, length, prefix, text, err);
	uint32_t seq = LOG_ISN + 1 + (uint32_t)(l->prefix_length + length);
	if (!rc) /* a fragment case's other frames */
		rc = write_case_frames(&w, k->log_frame, l, &seq, wire, index, k->frame, 1,
				       record.frame_count, text, err);
	if (!rc)
		rc = write_trailer(&w, k->log_frame, k->shares[t->share].protocol, l, &seq,
				   k->frame, err);
	struct dl_error close_err;
	if (pcapng_close(&w, &close_err) != 0 && !rc)
		rc = dl_error_set(err, close_err.code, "%s", close_err.message);
	return rc;
}

/*
 * A reproducer of several cases (the smallest range that fails the DUT, or an unconfirmed
 * window; at most REPRODUCER_CASES_MAX): the state-building prefix of the first case's
 * protocol, then every case in index order on its protocol's session (sessions[s] for share
 * s, as the replay found it: kept bits). A case of a protocol with no session kept (it could
 * not be sent) is left out; a protocol's cases that travelled in several sessions (reset
 * between) are written on one.
 */
static int write_range_reproducer(struct sessions *k, uint64_t first, uint64_t last,
				  const struct session_link *sessions, unsigned kept,
				  const struct session_wire *wire, size_t number, char *relative,
				  size_t size, struct dl_error *err)
{
	if (last - first >= REPRODUCER_CASES_MAX)
		last = first + REPRODUCER_CASES_MAX - 1;
	snprintf(relative, size, "evidence/robustness/session-failure-%zu.pcapng", number);
	char path[4200];
	snprintf(path, sizeof(path), "%s/session-failure-%zu.pcapng", k->robustness_dir, number);
	char comment[512];
	snprintf(comment, sizeof(comment),
		 "dutlab session robustness reproducer: seed %" PRIu64 ", cases %" PRIu64
		 "-%" PRIu64 " in order, after the first one's state-building prefix",
		 k->seed, first, last);
	struct pcapng_writer w = {0};
	int rc = pcapng_open(&w, path, 1, PACKET_BYTES_MAX, k->r->interface, comment, 0, err);
	if (rc)
		return rc;
	uint32_t seq[SESSION_PROTOCOLS_MAX];
	for (size_t s = 0; s < SESSION_PROTOCOLS_MAX; s++)
		seq[s] = LOG_ISN + 1;
	bool prefixed = false;
	for (uint64_t i = first; i <= last && !rc; i++) {
		struct session_case_template *t;
		struct fuzz_case record;
		rc = make_case(k, i, &t, &record, err);
		if (rc || !(kept & (1u << t->share)))
			continue;
		const struct session_link *l = &sessions[t->share];
		char text[400];
		fuzz_case_describe(&record, text, sizeof(text));
		if (!prefixed) {
			char prefix[160];
			snprintf(prefix, sizeof(prefix),
				 "state-building prefix: %s to %s (state %u)%s",
				 t->template->base.protocol, k->shares[t->share].protocol->title,
				 t->template->state, l->prefix_full ? ", cut short" : "");
			size_t length;
			const uint8_t *data = wire_frame(wire, i, k->frame, 0, &length);
			rc = session_write_frames(&w, l, LOG_ISN, data, length, prefix, text, err);
			seq[t->share] += (uint32_t)(l->prefix_length + length);
			prefixed = true;
			if (!rc) /* a fragment case's other frames */
				rc = write_case_frames(&w, k->log_frame, l, &seq[t->share], wire, i,
						       k->frame, 1, record.frame_count, text, err);
		} else
			rc = write_case_frames(&w, k->log_frame, l, &seq[t->share], wire, i,
					       k->frame, 0, record.frame_count, text, err);
		if (!rc)
			rc = write_trailer(&w, k->log_frame, k->shares[t->share].protocol, l,
					   &seq[t->share], k->frame, err);
	}
	struct dl_error close_err;
	if (pcapng_close(&w, &close_err) != 0 && !rc)
		rc = dl_error_set(err, close_err.code, "%s", close_err.message);
	return rc;
}

/*
 * A failure seen by monitor (a health monitor, "bgp": its session, "bgp.check") while the
 * campaign was doing what during says, first seen at at_ns after consecutive failing samples
 * (0: the campaign's own: a session not back, a check): recovered; its window (every case sent
 * since at_ns less the monitors' lead, as the packet campaign's) replayed to confirm it and
 * bisected (bisect.h) to its culprit, or the smallest range that still fails; the reproducer
 * saved.
 */
static int handle_failure(struct sessions *k, struct session_share *sh, const char *monitor,
			  const char *during, const char *evidence, int64_t at_ns,
			  unsigned consecutive, struct dl_error *err)
{
	for (size_t s = 0; s < k->share_count; s++)
		ready_drop(&k->shares[s]); /* every link the engine's for the failure's handling */
	size_t number = ++k->failure_count;
	struct json_object *f = json_object_new_object();
	json_object_array_add(k->failures, f);
	json_object_object_add(
		f, "at_s", json_object_new_double((double)(monotonic_ns() - k->origin_ns) / 1e9));
	json_object_object_add(f, "monitor", json_object_new_string(monitor));
	json_object_object_add(f, "evidence", json_object_new_string(evidence));
	json_object_object_add(f, "during", json_object_new_string(during));
	if (!health_monitor_find(monitor))
		watch_note(&k->watch, monitor, true, monotonic_ns(), evidence); /* the campaign's */
	int64_t lead_ms = (int64_t)(consecutive + 1) * health_set_interval_ms(k->watch.set) +
			  k->watch.detect_ms + 2000;
	uint64_t first = window_first(k, at_ns - lead_ms * 1000000);
	uint64_t last = k->next_index ? k->next_index - 1 : 0;
	bool any = first < k->next_index; /* a case was sent in the window */
	if (!any)
		first = last;
	struct json_object *window = json_object_new_object();
	json_object_object_add(window, "first", json_object_new_int64((int64_t)first));
	json_object_object_add(window, "last", json_object_new_int64((int64_t)last));
	json_object_object_add(window, "lead_ms", json_object_new_int64(lead_ms));
	json_object_object_add(f, "window", window);
	const char *how;
	int rc = recover(k, sh, &how, err);
	if (rc)
		return rc;
	json_object_object_add(f, "recovery", json_object_new_string(how[0] ? how : "none"));
	if (!how[0] && k->not_back[0])
		json_object_object_add(f, "not_back", json_object_new_string(k->not_back));
	if (!how[0]) {
		snprintf(k->stopped, sizeof(k->stopped),
			 "the DUT did not recover from failure %zu (%s) within %u s%s", number,
			 evidence, k->r->recovery_seconds ? k->r->recovery_seconds : 60,
			 k->r->power_cycle ? " nor after a power cycle" : "");
		return 0;
	}
	/*
	 * The culprit: when a session could not come back, the newest cases alone first,
	 * newest first (a DUT that dies at once on a message is found in a replay or two,
	 * where bisecting the monitors' lead costs a power cycle a step); else, or when none
	 * of them alone fails the DUT, the window replayed whole, then bisected.
	 */
	uint64_t replayed_before = k->cases_replayed;
	struct replay_context x = {.k = k};
	struct bisect_result b = {.back = true, .lo = first, .hi = last};
	int64_t started = monotonic_ns();
	bool newest_alone = false;
	unsigned tried_alone = 0;
	if (any && last > first && strcmp(during, "re-establishing the session") == 0) {
		for (uint64_t i = last; i >= first && last - i < SESSION_NEWEST_TRIES && b.back &&
					!newest_alone && monotonic_ns() < k->config->deadline_ns;
		     i--) {
			rc = session_reproduces(&x, i, i, &newest_alone, &b.back, err);
			if (rc)
				return rc;
			tried_alone++;
			if (newest_alone)
				b = (struct bisect_result){.confirmed = true,
							   .back = b.back,
							   .lo = i,
							   .hi = i,
							   .replays = tried_alone};
			if (i == 0)
				break;
		}
	}
	if (any && !newest_alone && b.back) {
		rc = bisect_window(first, last, session_reproduces, &x, k->config->deadline_ns, &b,
				   err);
		if (rc)
			return rc;
		b.replays += tried_alone;
	}
	json_object_object_add(f, "newest_alone", json_object_new_boolean(newest_alone));
	json_object_object_add(f, "newest_tried", json_object_new_int((int)tried_alone));
	json_object_object_add(f, "reproduced", json_object_new_boolean(b.confirmed));
	json_object_object_add(
		f, "cases_tried",
		json_object_new_int64((int64_t)(k->cases_replayed - replayed_before)));
	json_object_object_add(f, "replays", json_object_new_int((int)b.replays));
	json_object_object_add(f, "bisect_s",
			       json_object_new_double((double)(monotonic_ns() - started) / 1e9));
	if (!b.back)
		snprintf(k->stopped, sizeof(k->stopped),
			 "the DUT did not recover while failure %zu's cases were replayed", number);
	struct json_object *minimal = json_object_new_object();
	json_object_object_add(minimal, "first", json_object_new_int64((int64_t)b.lo));
	json_object_object_add(minimal, "last", json_object_new_int64((int64_t)b.hi));
	json_object_object_add(minimal, "bisect_steps", json_object_new_int((int)b.steps));
	struct json_object *cases = json_object_new_array();
	for (uint64_t i = b.lo; i <= b.hi && i < b.lo + 8; i++)
		json_object_array_add(cases, case_json(k, i));
	json_object_object_add(minimal, "cases", cases);
	json_object_object_add(f, "minimal", minimal);
	char relative[256];
	if (any) {
		/* the failing replay's sessions (their prefixes); unconfirmed, the window's, as
		 * its confirmation replay found them */
		const struct session_link *sessions = b.confirmed ? k->culprit : k->replayed;
		unsigned kept = b.confirmed ? x.sessions_kept : x.replayed_used;
		const struct session_wire *wire =
			b.confirmed ? &k->wire_culprit : &k->wire_replayed;
		struct session_case_template *t = draw(k, b.lo);
		if (b.lo == b.hi && (kept & (1u << t->share)))
			rc = write_reproducer(k, b.lo, &sessions[t->share], wire, number, relative,
					      sizeof(relative), err);
		else
			rc = write_range_reproducer(k, b.lo, b.hi, sessions, kept, wire, number,
						    relative, sizeof(relative), err);
		if (rc)
			return rc;
		json_object_object_add(f, "reproducer", json_object_new_string(relative));
	}
	k->judged_next = k->next_index; /* the cases up to the failure are judged */
	return 0;
}

/* A failure when ensure or a check failed: the monitor that saw it, else the session's. */
static const char *failure_source(const struct sessions *k, const char *fallback)
{
	return k->failed_monitor ? k->failed_monitor : fallback;
}

/*
 * slot, free and closed, handed to a thread that sets its session up in state while the
 * engine waits on the other links (their cases' answers): true when one took it; not after
 * its last thread failed (the engine sets it up, its monitors watched). Set up by
 * the engine itself, a session closed by its last case's answer held every other link idle
 * for a way in (under load 2.2 ms a session: 5.6 s of a 12 s campaign, with sessions set up
 * ahead beside it).
 */
static bool hand_off(struct session_share *sh, struct session_slot *slot, unsigned state)
{
	if (!sh->protocol->ready_ahead || slot->link.fd >= 0 || slot->pending || slot->ready_rc ||
	    sh->readying >= ready_most(sh))
		return false;
	return ready_start(sh, slot, state);
}

/*
 * The link of sh a case of state goes on, from the next in turn: the first with no case
 * pending that is already in that state (no state to build again: an RTSP template of
 * another state costs a new session). A closed one on the way is handed to a thread to set
 * up in that state (hand_off). A link the engine would set up or advance itself (closed
 * with every thread busy, or open in another state) is taken only when no link of that
 * state carries a case or is being set up, or after waiting a way in for one: one that
 * does comes free within its answer's round trip (0.25 ms against GStreamer under load),
 * while the engine's own way in (2 ms) held every other link idle, and the link of another
 * state was most often one set up ahead for a later case, which then had none. A protocol
 * without sessions set up ahead has a closed link set up at once, as ever. Else the engine
 * waits for the first link to come free, its answer read or its reaction window over, or
 * its thread done (waiting on the oldest case alone left the others' answers unread while
 * it ran out its window: a case the DUT never answers, an unfinished body). Every link
 * being set up: one of that state (else the first) once its thread is done.
 */
static size_t pick_slot(struct sessions *k, struct session_share *sh, unsigned state)
{
	size_t n = sh->slot_count, oldest = n;
	/* a link of state is waited for at most a way in: what taking another costs */
	int64_t give_up_ns = monotonic_ns() + sh->way_in_ns;
	for (unsigned rounds = 0; rounds < 1000; rounds++) {
		struct pollfd fds[PROFILE_SESSION_LINKS_MAX];
		size_t at[PROFILE_SESSION_LINKS_MAX], count = 0, other = n, closed = n,
						      readying = n;
		size_t coming = 0; /* links of state carrying a case or being set up in it */
		oldest = n;
		for (size_t j = 0; j < n; j++) {
			size_t i = (sh->next_slot + j) % n;
			struct session_slot *slot = &sh->slots[i];
			if (ready_reap(k, sh, slot, false)) {
				settle(sh, slot, false);
				if (!slot->pending && slot->link.fd >= 0 &&
				    slot->link.state == state)
					return i;
			}
			if (!slot->readying && !slot->pending && slot->link.fd < 0 &&
			    !hand_off(sh, slot, state)) {
				if (closed == n)
					closed = i; /* no thread to set it up: the engine's */
				continue;
			}
			if (slot->readying) { /* handed off before, or just now */
				bool wanted = slot->ready_state == state;
				coming += wanted;
				if (readying == n ||
				    (wanted && sh->slots[readying].ready_state != state))
					readying = i;
				continue;
			}
			if (!slot->pending) {
				if (other == n)
					other = i;
				continue;
			}
			coming += slot->link.state == state;
			if (oldest == n || slot->sent_ns < sh->slots[oldest].sent_ns)
				oldest = i;
			if (slot->link.fd >= 0 && count < PROFILE_SESSION_LINKS_MAX) {
				fds[count] = (struct pollfd){.fd = slot->link.fd, .events = POLLIN};
				at[count++] = i;
			}
		}
		if (closed < n && !sh->protocol->ready_ahead)
			return closed; /* the engine sets it up, as ever */
		if (other == n)
			other = closed; /* every thread busy: waited for like another state's */
		if (other < n && (coming == 0 || monotonic_ns() >= give_up_ns))
			return other;
		if (oldest == n && other == n) { /* every link is being set up */
			(void)ready_reap(k, sh, &sh->slots[readying], true);
			return readying;
		}
		int ms = 1;
		if (oldest < n) {
			int64_t until = sh->slots[oldest].sent_ns + (int64_t)REACTION_MS * 1000000;
			if (other < n && give_up_ns < until)
				until = give_up_ns;
			ms = sock_remaining_ms(until, REACTION_MS);
		}
		/* a thread's end is not polled: looked at every millisecond; nor is the way in
		 * waited for a link of state, rounded up to one */
		if ((sh->readying && ms > 1) || (other < n && ms < 1))
			ms = 1;
		if (poll(fds, count, ms) < 0)
			break;
		/* something came: read again */
		for (size_t j = 0; j < count; j++)
			if (fds[j].revents)
				sh->slots[at[j]].link.quiet = false;
	}
	return oldest < n ? oldest : 0;
}

/*
 * Every open link polled at once, without waiting: each learns whether
 * anything came (session_link.quiet), so the reads without a wait of the
 * case's pick and of the idle links' tending cost no poll each. With 24 BGP
 * sessions those two polls a link a case were most of the engine's time
 * (perf: two thirds of it in the kernel). A link past POLLED_LINKS_MAX, or a
 * poll that fails, leaves links to read for themselves, as before.
 */
static void poll_links(struct sessions *k)
{
	struct pollfd fds[POLLED_LINKS_MAX];
	struct session_link *polled[POLLED_LINKS_MAX];
	size_t n = 0;
	for (size_t s = 0; s < k->share_count; s++)
		for (size_t i = 0; i < k->shares[s].slot_count; i++) {
			struct session_link *l = &k->shares[s].slots[i].link;
			if (k->shares[s].slots[i].readying)
				continue; /* its thread's until joined (ready_reap) */
			l->quiet = false;
			if (l->fd < 0 || n == POLLED_LINKS_MAX)
				continue;
			fds[n] = (struct pollfd){.fd = l->fd, .events = POLLIN};
			polled[n++] = l;
		}
	if (n == 0 || poll(fds, n, 0) < 0)
		return;
	for (size_t j = 0; j < n; j++)
		polled[j]->quiet = fds[j].revents == 0;
}

/* Every link reads for itself again (a poll's answer holds only for the case it was made
 * for). */
static void quiet_off(struct sessions *k)
{
	for (size_t s = 0; s < k->share_count; s++)
		for (size_t i = 0; i < k->shares[s].slot_count; i++)
			k->shares[s].slots[i].link.quiet = false;
}

/* run_case's work, every link polled before it */
static int run_polled_case(struct sessions *k, uint64_t index, struct dl_error *err)
{
	struct session_case_template *t;
	struct fuzz_case record;
	int rc = make_case(k, index, &t, &record, err);
	if (rc)
		return rc;
	struct session_share *sh = &k->shares[t->share];
	/* the link it goes on, once the case that link carries has its reaction read */
	size_t at = pick_slot(k, sh, t->template->state);
	use_slot(sh, at);
	sh->link->quiet = false; /* its reaction is read to the end of its window */
	sh->next_slot = (at + 1) % sh->slot_count;
	settle(sh, sh->slot, true);
	struct dl_error why;
	int64_t sent_ns = 0, trying = monotonic_ns(); /* a session not back failed from here */
	wire_clear(&k->wire_case);
	for (int attempt = 0; attempt < 2; attempt++) {
		rc = ensure(k, sh, t->template->state, k->establish_seconds, &why);
		if (rc == DL_ESCOPE || rc == DL_ENOMEM)
			return dl_error_set(err, rc, "%s", why.message);
		if (rc)
			return handle_failure(k, sh, failure_source(k, sh->protocol->name),
					      "re-establishing the session", why.message, trying, 0,
					      err);
		sent_ns = monotonic_ns();
		if (send_case(sh, t, index, k->frame, record.frame_count, &k->wire_case, &why) == 0)
			break;
		/* the DUT reset the session after the last case: a reset, then again */
		sh->resets++;
		sh->silent_closes++;
		sh->protocol->close(sh->link);
	}
	k->sent[index % SESSION_SENT_RING] = (struct session_sent){index, sent_ns};
	t->cases++;
	sh->cases++;
	coverage_add(k->coverage, &record);
	log_case(k, sh, index, &record);
	struct session_slot *slot = sh->slot;
	slot->pending = true;
	slot->spends = t->template->spends_session;
	slot->sent_ns = sent_ns;
	slot->reaction = (struct session_reaction){.kind = SESSION_ALIVE};
	/* one link: its reaction now; several: when the engine comes back round to it */
	if (sh->slot_count == 1)
		settle(sh, slot, true);
	tend_idle(k, slot);
	ready_ahead(k, sh, index);
	return 0;
}

/* Send case index on its protocol's session; 0 or dutlab's own error. A
 * session that cannot come back is a failure, handled here. */
static int run_case(struct sessions *k, uint64_t index, struct dl_error *err)
{
	poll_links(k);
	int rc = run_polled_case(k, index, err);
	quiet_off(k);
	return rc;
}

/* Every protocol's check, due every robustness.session_check seconds: a DUT
 * that stays unhealthy for the establish bound is a failure. */
static int run_checks(struct sessions *k, struct dl_error *err)
{
	for (size_t s = 0; s < k->share_count && !k->stopped[0]; s++) {
		struct session_share *sh = &k->shares[s];
		if (!sh->protocol->check)
			continue;
		bool healthy = true;
		char evidence[SESSION_EVIDENCE_MAX];
		int64_t checking = monotonic_ns(); /* an unhealthy check failed from here */
		int rc = check_share(k, sh, k->establish_seconds, &healthy, evidence,
				     sizeof(evidence), err);
		if (!rc && !healthy)
			rc = handle_failure(k, sh, failure_source(k, sh->check_name),
					    "checking the protocol", evidence, checking, 0, err);
		if (rc)
			return rc;
	}
	return 0;
}

static struct json_object *observation(struct sessions *k, double seconds_run, bool resumed,
				       uint64_t resumed_at)
{
	const struct profile_robustness *r = k->r;
	struct checkpoint_place at = {
		.seed = k->seed, .next_index = k->next_index, .seconds_run = seconds_run};
	struct json_object *o =
		checkpoint_observation(r, &at, (double)(monotonic_ns() - k->origin_ns) / 1e9,
				       k->stopped, resumed, resumed_at);
	json_object_object_add(o, "session_establish_s",
			       json_object_new_int64(k->establish_seconds));
	json_object_object_add(o, "session_check_s", json_object_new_int64(k->check_seconds));
	/* the cases sent: an index whose session could not be opened was a failure, not a case */
	uint64_t sent = 0;
	for (size_t i = 0; i < k->share_count; i++)
		sent += k->shares[i].cases;
	json_object_object_add(o, "cases", json_object_new_int64((int64_t)sent));
	json_object_object_add(o, "cases_replayed",
			       json_object_new_int64((int64_t)k->cases_replayed));
	struct json_object *protocols = json_object_new_object();
	for (size_t s = 0; s < k->share_count; s++) {
		struct session_share *sh = &k->shares[s];
		struct json_object *po = json_object_new_object();
		struct json_object *templates = json_object_new_object();
		size_t offered = 0, hit = 0;
		for (size_t i = sh->first; i < sh->first + sh->count; i++) {
			struct session_case_template *t = &k->templates[i];
			size_t o_t = 0, h_t = 0;
			coverage_of_template(k->coverage, t->valid, &t->template->base,
					     &t->plan->options, &o_t, &h_t);
			struct json_object *to = json_object_new_object();
			json_object_object_add(to, "cases",
					       json_object_new_int64((int64_t)t->cases));
			json_object_object_add(to, "offered", json_object_new_int64((int64_t)o_t));
			json_object_object_add(to, "hit", json_object_new_int64((int64_t)h_t));
			json_object_object_add(templates, t->template->base.name, to);
			offered += o_t;
			hit += h_t;
		}
		json_object_object_add(po, "weight", json_object_new_int((int)sh->weight));
		json_object_object_add(po, "cases", json_object_new_int64((int64_t)sh->cases));
		json_object_object_add(po, "offered", json_object_new_int64((int64_t)offered));
		json_object_object_add(po, "hit", json_object_new_int64((int64_t)hit));
		json_object_object_add(po, "sessions",
				       json_object_new_int64((int64_t)sh->sessions));
		if (sh->protocol->ready_ahead) {
			json_object_object_add(po, "sessions_ahead",
					       json_object_new_int64((int64_t)sh->sessions_ahead));
			json_object_object_add(
				po, "sessions_ahead_failed",
				json_object_new_int64((int64_t)sh->sessions_ahead_failed));
		}
		if (sh->protocol->advance) {
			json_object_object_add(po, "advances",
					       json_object_new_int64((int64_t)sh->advances));
			json_object_object_add(
				po, "advances_refused",
				json_object_new_int64((int64_t)sh->advances_refused));
			if (sh->last_advance_refused[0])
				json_object_object_add(
					po, "last_advance_refused",
					json_object_new_string(sh->last_advance_refused));
		}
		json_object_object_add(po, "links", json_object_new_int64((int64_t)sh->slot_count));
		json_object_object_add(po, "resets", json_object_new_int64((int64_t)sh->resets));
		json_object_object_add(po, "silent_closes",
				       json_object_new_int64((int64_t)sh->silent_closes));
		if (sh->protocol->check) {
			json_object_object_add(po, "checks",
					       json_object_new_int64((int64_t)sh->checks));
			json_object_object_add(po, "checks_failed",
					       json_object_new_int64((int64_t)sh->checks_failed));
			if (sh->last_check[0])
				json_object_object_add(po, "last_check",
						       json_object_new_string(sh->last_check));
		}
		struct json_object *notes = json_object_new_object();
		for (size_t i = 0; i < sh->notification_kinds; i++) {
			char key[16];
			snprintf(key, sizeof(key), "%u/%u", sh->notifications[i].code,
				 sh->notifications[i].subcode);
			json_object_object_add(
				notes, key,
				json_object_new_int64((int64_t)sh->notifications[i].count));
		}
		json_object_object_add(po, "notifications", notes);
		if (sh->protocol->observe)
			for (size_t i = 0; i < sh->slot_count; i++)
				sh->protocol->observe(&sh->slots[i].link, po);
		json_object_object_add(po, "templates", templates);
		json_object_object_add(protocols, sh->protocol->name, po);
	}
	json_object_object_add(o, "protocols", protocols);
	struct json_object *monitors = json_object_new_array();
	for (size_t i = 0; k->watch.set && i < health_set_count(k->watch.set); i++)
		json_object_array_add(monitors,
				      json_object_new_string(health_set_name(k->watch.set, i)));
	json_object_object_add(o, "monitors", monitors);
	json_object_object_add(o, "health_events", json_object_get(k->watch.events));
	json_object_object_add(o, "failures", json_object_get(k->failures));
	if (k->sent_log_open)
		json_object_object_add(
			o, "sent_log",
			json_object_new_string("evidence/robustness/sessions-sent.pcapng"));
	return o;
}

/* ---- checkpoints ---- */

/* Where the campaign is, and what regenerating its cases cannot give back:
 * each protocol's sessions, resets, notifications and checks. */
static void checkpoint(struct sessions *k, int64_t now)
{
	struct checkpoint_place at = {.seed = k->seed,
				      .next_index = k->next_index,
				      .seconds_run = (double)(now - k->started_ns) / 1e9};
	struct json_object *o = checkpoint_new(&at, k->failures);
	if (!o)
		return;
	json_object_object_add(o, "cases_replayed",
			       json_object_new_int64((int64_t)k->cases_replayed));
	struct json_object *protocols = json_object_new_object();
	for (size_t s = 0; s < k->share_count; s++) {
		const struct session_share *sh = &k->shares[s];
		struct json_object *po = json_object_new_object();
		json_object_object_add(po, "sessions",
				       json_object_new_int64((int64_t)sh->sessions));
		json_object_object_add(po, "advances",
				       json_object_new_int64((int64_t)sh->advances));
		json_object_object_add(po, "advances_refused",
				       json_object_new_int64((int64_t)sh->advances_refused));
		json_object_object_add(po, "sessions_ahead",
				       json_object_new_int64((int64_t)sh->sessions_ahead));
		json_object_object_add(po, "sessions_ahead_failed",
				       json_object_new_int64((int64_t)sh->sessions_ahead_failed));
		json_object_object_add(po, "resets", json_object_new_int64((int64_t)sh->resets));
		json_object_object_add(po, "silent_closes",
				       json_object_new_int64((int64_t)sh->silent_closes));
		json_object_object_add(po, "checks", json_object_new_int64((int64_t)sh->checks));
		json_object_object_add(po, "checks_failed",
				       json_object_new_int64((int64_t)sh->checks_failed));
		struct json_object *notes = json_object_new_array();
		for (size_t i = 0; i < sh->notification_kinds; i++) {
			struct json_object *n = json_object_new_array();
			json_object_array_add(n, json_object_new_int(sh->notifications[i].code));
			json_object_array_add(n, json_object_new_int(sh->notifications[i].subcode));
			json_object_array_add(
				n, json_object_new_int64((int64_t)sh->notifications[i].count));
			json_object_array_add(notes, n);
		}
		json_object_object_add(po, "notifications", notes);
		json_object_object_add(protocols, sh->protocol->name, po);
	}
	json_object_object_add(o, "protocols", protocols);
	(void)checkpoint_save(k->config->campaign_dir, SESSION_CHECKPOINT_KEY, o);
	json_object_put(o);
}

static uint64_t count_of(const struct json_object *o, const char *key)
{
	int64_t v = json_read_int(o, key, 0);
	return v > 0 ? (uint64_t)v : 0;
}

/* An interrupted run's place (seed, next case, seconds, failures, counts): 0 seconds and
 * *resumed false when there is none for this campaign. Before prepare(): the seed it sets
 * draws the cases. */
static double resume(struct sessions *k, bool *resumed)
{
	struct checkpoint_place at;
	struct json_object *o = checkpoint_load(k->config->campaign_dir, SESSION_CHECKPOINT_KEY,
						k->r->seed, &at, k->failures);
	*resumed = o != NULL;
	if (!o)
		return 0;
	k->seed = at.seed;
	k->next_index = at.next_index;
	k->failure_count = json_object_array_length(k->failures);
	k->cases_replayed = count_of(o, "cases_replayed");
	json_object_put(k->resumed_counts);
	k->resumed_counts = json_object_get(json_read_object(o, "protocols"));
	json_object_put(o);
	return at.seconds_run;
}

/* After prepare(): the counts a checkpoint kept, and those regenerating the cases sent gives
 * (each template's cases, the coverage). */
static int resume_counts(struct sessions *k, struct dl_error *err)
{
	for (size_t s = 0; k->resumed_counts && s < k->share_count; s++) {
		struct session_share *sh = &k->shares[s];
		const struct json_object *po =
			json_read_object(k->resumed_counts, sh->protocol->name);
		if (!po)
			continue;
		sh->sessions = count_of(po, "sessions");
		sh->advances = count_of(po, "advances");
		sh->advances_refused = count_of(po, "advances_refused");
		sh->sessions_ahead = count_of(po, "sessions_ahead");
		sh->sessions_ahead_failed = count_of(po, "sessions_ahead_failed");
		sh->resets = count_of(po, "resets");
		sh->silent_closes = count_of(po, "silent_closes");
		sh->checks = count_of(po, "checks");
		sh->checks_failed = count_of(po, "checks_failed");
		struct json_object *notes = json_read_array(po, "notifications");
		for (size_t i = 0; notes && i < json_object_array_length(notes) &&
				   sh->notification_kinds < NOTIFICATION_KINDS;
		     i++) {
			struct json_object *n = json_object_array_get_idx(notes, i);
			if (!json_object_is_type(n, json_type_array) ||
			    json_object_array_length(n) != 3)
				continue;
			size_t at = sh->notification_kinds++;
			sh->notifications[at].code =
				(uint8_t)json_object_get_int(json_object_array_get_idx(n, 0));
			sh->notifications[at].subcode =
				(uint8_t)json_object_get_int(json_object_array_get_idx(n, 1));
			sh->notifications[at].count =
				(uint64_t)json_object_get_int64(json_object_array_get_idx(n, 2));
		}
	}
	/* an index whose session did not come back was a failure, not a case: close enough
	 * (a failure's index is counted here) */
	for (uint64_t i = 0; i < k->next_index; i++) {
		struct session_case_template *t;
		struct fuzz_case record;
		int rc = make_case(k, i, &t, &record, err);
		if (rc)
			return rc;
		t->cases++;
		k->shares[t->share].cases++;
		coverage_add(k->coverage, &record);
	}
	return 0;
}

/* ---- setup and the loop ---- */

static void release(struct sessions *k)
{
	/* a share prepare() left half made has its slots too */
	for (size_t s = 0; s < SESSION_PROTOCOLS_MAX; s++) {
		struct session_share *sh = &k->shares[s];
		ready_drop(sh);
		for (size_t i = 0; i < sh->slot_count; i++)
			sh->protocol->close(&sh->slots[i].link);
		free(sh->slots);
	}
	watch_stop(&k->watch);
	if (k->sent_log_open) {
		struct dl_error ignored;
		(void)pcapng_close(&k->sent_log, &ignored);
	}
	for (size_t i = 0; i < k->template_count; i++) {
		free(k->templates[i].valid);
		free(k->templates[i].plan);
	}
	free(k->frame);
	free(k->log_frame);
	free(k->check_link);
	free(k->replayed);
	free(k->culprit);
	wire_free(&k->wire_case);
	wire_free(&k->wire_replayed);
	wire_free(&k->wire_culprit);
	free(k->sent);
	free(k->coverage);
	json_object_put(k->failures);
	json_object_put(k->resumed_counts);
}

static int setup(struct sessions *k, const struct campaign_config *c, bool *resumed,
		 double *seconds_before, struct dl_error *err)
{
	k->config = c;
	k->r = &c->profile->robustness;
	k->failures = json_object_new_array();
	k->frame = calloc(MUTATION_FRAMES_MAX, sizeof(*k->frame));
	k->log_frame = malloc(sizeof(*k->log_frame));
	k->check_link = malloc(sizeof(*k->check_link));
	k->replayed = calloc(SESSION_PROTOCOLS_MAX, sizeof(*k->replayed));
	k->culprit = calloc(SESSION_PROTOCOLS_MAX, sizeof(*k->culprit));
	k->sent = calloc(SESSION_SENT_RING, sizeof(*k->sent));
	k->coverage = malloc(sizeof(*k->coverage));
	if (!k->failures || !k->frame || !k->log_frame || !k->check_link || !k->replayed ||
	    !k->culprit || !k->sent || !k->coverage ||
	    wire_open(&k->wire_case, MUTATION_FRAMES_MAX,
		      MUTATION_FRAMES_MAX * (size_t)SESSION_SENT_BYTES) ||
	    wire_open(&k->wire_replayed, WIRE_FRAMES_MAX, WIRE_BYTES) ||
	    wire_open(&k->wire_culprit, WIRE_FRAMES_MAX, WIRE_BYTES))
		return dl_error_set(err, DL_ENOMEM, "robustness: out of memory");
	coverage_init(k->coverage);
	session_link_init(k->check_link, &k->peer);
	for (size_t s = 0; s < SESSION_PROTOCOLS_MAX; s++) {
		session_link_init(&k->replayed[s], &k->peer);
		session_link_init(&k->culprit[s], &k->peer);
	}
	snprintf(k->robustness_dir, sizeof(k->robustness_dir), "%s/robustness", c->evidence_dir);
	if (mkdir(k->robustness_dir, 0755) != 0 && errno != EEXIST)
		return dl_error_set(err, DL_EIO, "robustness: cannot create %s: %s",
				    k->robustness_dir, strerror(errno));
	*seconds_before = resume(k, resumed);
	if (!k->seed)
		k->seed = k->r->seed;
	while (!k->seed)
		if (getrandom(&k->seed, sizeof(k->seed), 0) != (ssize_t)sizeof(k->seed))
			k->seed = (uint64_t)monotonic_ns();
	k->seed &= 0x7fffffffffffffffull; /* stored as a signed JSON integer */
	k->establish_seconds = k->r->session_establish_seconds ? k->r->session_establish_seconds
							       : SESSION_ESTABLISH_SECONDS;
	k->check_seconds =
		k->r->session_check_seconds ? k->r->session_check_seconds : SESSION_CHECK_SECONDS;
	k->peer.scope = &c->profile->scope;
	k->peer.interface = k->r->interface;
	k->peer.robustness = k->r;
	for (size_t i = 0; i < c->profile->address_count; i++)
		if (inet_pton(AF_INET, c->profile->addresses[i], &k->peer.dut4) == 1)
			break;
	interface_addresses(k);
	if (k->peer.dut4.s_addr == 0)
		return dl_error_set(err, DL_EINVAL,
				    "robustness: the session campaign needs an IPv4 address in "
				    "dut.addresses");
	return 0;
}

/* sessions-sent.pcapng: every case as sent, after its session's prefix (best effort). */
static void open_sent_log(struct sessions *k)
{
	char path[4200];
	snprintf(path, sizeof(path), "%s/sessions-sent.pcapng", k->robustness_dir);
	struct dl_error ignored;
	k->sent_log_open = pcapng_open(&k->sent_log, path, 1, PACKET_BYTES_MAX, k->r->interface,
				       "dutlab session robustness: every session's "
				       "state-building prefix and every case sent in it, "
				       "commented",
				       SENT_LOG_BYTES, &ignored) == 0;
}

/* The first session of each protocol: one that never comes up is the
 * profile's mistake (an AS, a password, a port), not the DUT's failure. */
static int first_sessions(struct sessions *k, struct dl_error *err)
{
	for (size_t s = 0; s < k->share_count; s++) {
		struct session_share *sh = &k->shares[s];
		struct dl_error why;
		int rc = ensure(k, sh, 0, k->establish_seconds, &why);
		if (rc)
			return dl_error_set(err, rc == DL_ETIMEDOUT ? DL_EIO : rc,
					    "robustness: no %s session with the DUT: %s; check "
					    "robustness.%s (AS numbers, password, port) against "
					    "the DUT's configuration",
					    sh->protocol->name, why.message, sh->protocol->name);
	}
	return 0;
}

int session_run(const struct campaign_config *c, struct json_object **out, struct dl_error *err)
{
	*out = NULL;
	if (!c->profile->robustness.declared)
		return dl_error_set(err, DL_EINVAL,
				    "robustness: the profile has no robustness section; add one "
				    "(docs/profile.md)");
	struct sessions *k = calloc(1, sizeof(*k));
	if (!k)
		return dl_error_set(err, DL_ENOMEM, "robustness: out of memory");
	bool resumed = false;
	double seconds_before = 0;
	int rc = setup(k, c, &resumed, &seconds_before, err);
	if (!rc)
		rc = prepare(k, err);
	uint64_t resumed_at = k->next_index;
	if (!rc)
		rc = resume_counts(k, err);
	k->origin_ns = k->started_ns = monotonic_ns() - (int64_t)(seconds_before * 1e9);
	k->watch.origin_ns = k->origin_ns;
	if (!rc && k->share_count == 0)
		snprintf(k->stopped, sizeof(k->stopped),
			 "robustness.mix names no session protocol (%s)",
			 session_protocols[0]->name);
	if (!rc && k->share_count)
		rc = watch_start(&k->watch, c->profile, k->robustness_dir,
				 "sessions-health-exec.log", err);
	if (!rc && k->share_count) {
		open_sent_log(k);
		rc = first_sessions(k, err);
	}
	const struct profile_robustness *r = k->r;
	int64_t now = monotonic_ns();
	k->started_ns = now - (int64_t)(seconds_before * 1e9);
	double seconds_run = seconds_before;
	if (!rc && k->share_count) {
		rate_init(&k->rate, r->rate, 0, 1);
		int64_t end = k->started_ns + (int64_t)r->duration_seconds * 1000000000;
		int64_t next_poll = now, next_progress = now;
		int64_t next_check = now + (int64_t)k->check_seconds * 1000000000;
		int64_t next_checkpoint = now + CAMPAIGN_CHECKPOINT_SECONDS * 1000000000ll;
		uint64_t total = (uint64_t)r->duration_seconds * r->rate;
		unsigned interval = health_set_interval_ms(k->watch.set);
		unsigned most = r->max_failures ? r->max_failures : 8;
		while (!rc && !k->stopped[0] && now < end) {
			if (now >= c->deadline_ns) {
				snprintf(k->stopped, sizeof(k->stopped),
					 "the collector's deadline came after %.0f s of %u s",
					 (double)(now - k->started_ns) / 1e9, r->duration_seconds);
				break;
			}
			rate_wait(&k->rate, 1);
			size_t failures_before = k->failure_count;
			int64_t before = monotonic_ns();
			rc = run_case(k, k->next_index, err);
			if (rc)
				break;
			k->next_index++;
			now = monotonic_ns();
			if (k->failure_count == failures_before && now >= next_poll) {
				next_poll = now + (int64_t)interval * 1000000;
				bool failed = false;
				struct health_event e;
				rc = watch_poll(&k->watch, &failed, &e, err);
				if (!rc && failed)
					rc = handle_failure(k, &k->shares[0], e.monitor,
							    "sending cases", e.evidence, e.at_ns,
							    e.consecutive, err);
			}
			now = monotonic_ns();
			if (!rc && k->failure_count == failures_before && now >= next_check) {
				rc = run_checks(k, err);
				next_check =
					monotonic_ns() + (int64_t)k->check_seconds * 1000000000;
			}
			if (k->failure_count != failures_before) {
				/* a failure's handling is not fuzzing time */
				int64_t spent = monotonic_ns() - before;
				k->started_ns += spent;
				end += spent;
				next_checkpoint += spent;
				if (!k->stopped[0] && k->failure_count >= most)
					snprintf(k->stopped, sizeof(k->stopped),
						 "%zu failures, the most robustness.max_failures "
						 "asks to investigate",
						 k->failure_count);
			}
			now = monotonic_ns();
			if (now >= next_checkpoint) {
				next_checkpoint = now + CAMPAIGN_CHECKPOINT_SECONDS * 1000000000ll;
				checkpoint(k, now);
			}
			if (now >= next_progress && c->progress) {
				next_progress = now + 1000000000;
				char what[160];
				snprintf(what, sizeof(what),
					 "%" PRIu64 " session cases, %.0f of %u s, %zu failures",
					 k->next_index, (double)(now - k->started_ns) / 1e9,
					 r->duration_seconds, k->failure_count);
				c->progress(c->progress_opaque, k->next_index, total, what);
			}
		}
		for (size_t s = 0; s < k->share_count; s++)
			ready_drop(&k->shares[s]); /* a session set up too late for any case */
		now = monotonic_ns();
		seconds_run = (double)(now - k->started_ns) / 1e9;
		if (!rc)
			checkpoint(k, now);
	}
	if (!rc)
		*out = observation(k, seconds_run, resumed, resumed_at);
	release(k);
	free(k);
	return rc;
}
