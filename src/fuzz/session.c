/* session: the stateful robustness campaign: sessions brought to their fuzzing state, mutated
 * messages sent there, resets counted, failures recovered, replayed and saved */
#include "core/compat.h"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <json-c/json.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "adapters/exec.h"
#include "core/error.h"
#include "core/monotonic.h"
#include "core/profile.h"
#include "fuzz/campaign.h"
#include "fuzz/health.h"
#include "fuzz/mutate.h"
#include "fuzz/random.h"
#include "fuzz/session.h"
#include "net/pcapng.h"
#include "net/rate.h"
#include "proto/ethernet.h"
#include "proto/ipv4.h"
#include "proto/packet.h"
#include "proto/tcp.h"
#include "proto/udp.h"

#define TEMPLATES_MAX 64
#define SCHEDULE_KEY 0x53455353494f4e53ull /* "SESSIONS": the template draw's PRNG key */
#define EVENTS_KEPT 64
#define REACTION_MS 20 /* how long a case's reaction is read before the next case */
#define REPLAY_REACTION_MS 500
#define VERIFY_SECONDS 5 /* after a replayed case: a session must come back this soon */
#define RETRY_PAUSE_MS 250
#define SETTLE_MS 2000
#define NOTIFICATION_KINDS 64

/* ---- the protocols ---- */

const struct session_protocol *const session_protocols[] = {&session_bgp, &session_rip};
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
}

int session_link_connect(struct session_link *l, uint16_t port, const char *md5_key,
			 int64_t deadline_ns, struct dl_error *err)
{
	session_link_close(l);
	l->prefix_length = l->prefix_count = l->input_length = 0;
	l->hold_time = 0;
	l->datagram = false;
	struct sock_address to = {0};
	struct sockaddr_in *sin = (struct sockaddr_in *)&to.storage;
	sin->sin_family = AF_INET;
	sin->sin_addr = l->peer->dut4;
	sin->sin_port = htons(port);
	to.length = sizeof(*sin);
	int rc = sock_tcp_connect_keyed(l->peer->scope, &to, l->peer->interface, md5_key,
					deadline_ns, &l->fd, err);
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
	l->hold_time = 0;
	l->datagram = true;
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

int session_link_send(struct session_link *l, const uint8_t *data, size_t length, bool prefix,
		      struct dl_error *err)
{
	if (l->fd < 0)
		return dl_error_set(err, DL_EIO, "session: no connection to send on");
	if (prefix) {
		if (l->prefix_count == SESSION_PREFIX_MAX ||
		    length > SESSION_PREFIX_BYTES - l->prefix_length)
			return dl_error_set(err, DL_ENOMEM, "session: the prefix is full");
		memcpy(l->prefix + l->prefix_length, data, length);
		l->prefix_length += length;
		l->prefix_ends[l->prefix_count++] = l->prefix_length;
	}
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

int session_link_read(struct session_link *l, unsigned wait_ms, bool *closed, struct dl_error *err)
{
	*closed = false;
	if (l->fd < 0) {
		*closed = true;
		return 0;
	}
	int64_t until = sock_now_ns() + (int64_t)wait_ms * 1000000;
	bool any = false;
	for (unsigned rounds = 0; rounds < 1024; rounds++) {
		if (l->input_length == sizeof(l->input))
			return 0; /* the caller reads messages out first */
		/* once something came, only what follows at once */
		int left = any ? 2 : sock_remaining_ms(until, (int)wait_ms);
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
	struct ethernet_fields e = {.destination = {0x02, 0, 0, 0, 0, 0x02},
				    .source = {0x02, 0, 0, 0, 0, 0x01},
				    .type = 0x0800};
	struct ipv4_fields ip = {.ttl = 64,
				 .protocol = l->datagram ? 17 : 6,
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
	if (!rc)
		rc = l->datagram ? udp_build(p, &u) : tcp_build(p, &t);
	if (rc)
		return dl_error_set(err, rc, "session: a %zu-byte message does not fit a frame",
				    length);
	rc = packet_finish(p, err);
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
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

struct session_share {
	const struct session_protocol *protocol;
	unsigned weight;
	size_t first, count; /* its templates */
	struct session_link link;
	uint64_t cases, sessions, resets, silent_closes;
	struct {
		uint8_t code, subcode;
		uint64_t count;
	} notifications[NOTIFICATION_KINDS];
	size_t notification_kinds;
};

struct session_case_template {
	const struct session_template *template;
	size_t share;
	struct packet *valid;
	struct mutation_plan *plan;
	uint64_t cases;
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
	struct rate rate;
	struct health_config health_config;
	struct health_set *health;
	unsigned detect_ms, slowest_ms;
	struct packet *frame;
	struct fuzz_coverage *coverage;
	uint64_t recent[SESSION_REPLAY_MAX]; /* the last cases sent, a ring */
	size_t recent_head, recent_count;
	uint64_t next_index, cases_replayed;
	int64_t started_ns, origin_ns;
	struct json_object *failures, *events;
	size_t failure_count;
	char stopped[512];
	char robustness_dir[4096];
	char transcript[4200];
};

static void interface_addresses(struct sessions *k)
{
	struct ifaddrs *list = NULL;
	if (getifaddrs(&list) != 0)
		return;
	for (struct ifaddrs *i = list; i; i = i->ifa_next) {
		if (!i->ifa_addr || strcmp(i->ifa_name, k->r->interface) != 0)
			continue;
		if (i->ifa_addr->sa_family == AF_INET)
			k->peer.tester4 = ((struct sockaddr_in *)i->ifa_addr)->sin_addr;
		else if (i->ifa_addr->sa_family == AF_INET6) {
			struct in6_addr *x = &((struct sockaddr_in6 *)i->ifa_addr)->sin6_addr;
			if (!IN6_IS_ADDR_LINKLOCAL(x))
				k->peer.tester6 = *x;
		}
	}
	freeifaddrs(list);
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
		if (k->share_count == SESSION_PROTOCOLS_MAX)
			return dl_error_set(err, DL_EINVAL, "robustness.mix: too many protocols");
		struct session_share *sh = &k->shares[k->share_count];
		sh->protocol = sp;
		sh->weight = r->mix[s].weight;
		sh->first = k->template_count;
		session_link_init(&sh->link, &k->peer);
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
			mutate_plan_build(ct->plan, ct->valid, &ct->template->base, &options);
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

/* ---- health ---- */

static void keep_event(struct sessions *k, const char *monitor, bool failed, int64_t at_ns,
		       const char *evidence)
{
	if (json_object_array_length(k->events) >= EVENTS_KEPT)
		return;
	struct json_object *o = json_object_new_object();
	json_object_object_add(o, "monitor", json_object_new_string(monitor));
	json_object_object_add(o, "kind", json_object_new_string(failed ? "failed" : "recovered"));
	json_object_object_add(o, "at_s",
			       json_object_new_double((double)(at_ns - k->origin_ns) / 1e9));
	json_object_object_add(o, "evidence", json_object_new_string(evidence));
	json_object_array_add(k->events, o);
}

static void on_event(const struct health_event *e, void *ctx)
{
	keep_event(ctx, e->monitor, e->kind == HEALTH_FAILED, e->at_ns, e->evidence);
}

static int start_health(struct sessions *k, struct dl_error *err)
{
	const struct profile_robustness *r = k->r;
	struct health_config *h = &k->health_config;
	health_config_from_profile(h, k->config->profile);
	h->interface = r->interface;
	h->lldp_interface = r->interface;
	if (r->monitor_count) {
		h->choice_count = 0;
		for (size_t i = 0; i < r->monitor_count; i++) {
			int rc = health_config_choose(h, r->monitors[i], err);
			if (rc)
				return rc;
		}
	}
	if (r->tcp_port)
		h->tcp_port = (uint16_t)r->tcp_port;
	if (r->syslog_port)
		h->syslog_port = (uint16_t)r->syslog_port;
	if (r->syslog_pattern)
		h->syslog_pattern = r->syslog_pattern;
	snprintf(k->transcript, sizeof(k->transcript), "%s/sessions-health-exec.log",
		 k->robustness_dir);
	h->exec_transcript = k->transcript;
	unsigned detect = 0;
	for (size_t i = 0; i < h->choice_count; i++) {
		const struct health_monitor *m = h->choices[i].monitor
							 ? h->choices[i].monitor
							 : health_monitor_find(h->choices[i].name);
		if (!m)
			continue;
		unsigned threshold =
			h->choices[i].threshold ? h->choices[i].threshold : m->threshold;
		unsigned interval =
			h->choices[i].interval_ms ? h->choices[i].interval_ms : m->interval_ms;
		unsigned timeout =
			h->choices[i].timeout_ms ? h->choices[i].timeout_ms : m->timeout_ms;
		if (interval + timeout + 1000 > k->slowest_ms)
			k->slowest_ms = interval + timeout + 1000;
		unsigned d = threshold * interval + timeout;
		if (d > detect && d <= 15000)
			detect = d;
	}
	k->detect_ms = (detect ? detect : 3000) + 500;
	return health_set_start(&k->health, h, NULL, err);
}

/* Watch the monitors for ms: *failed with the first failure's evidence. */
static int watch(struct sessions *k, unsigned ms, bool *failed, char *evidence, size_t size,
		 struct dl_error *err)
{
	*failed = false;
	int64_t until = monotonic_ns() + (int64_t)ms * 1000000;
	for (unsigned rounds = 0; rounds < 100000 && monotonic_ns() < until && !*failed; rounds++) {
		struct health_status st;
		int rc = health_set_poll(k->health, &st, err);
		if (rc)
			return rc;
		for (size_t i = 0; i < st.event_count; i++) {
			on_event(&st.events[i], k);
			if (st.events[i].kind == HEALTH_FAILED && !*failed) {
				snprintf(evidence, size, "%s", st.events[i].evidence);
				*failed = true;
			}
		}
		if (!*failed) {
			struct timespec pause = {0,
						 (long)health_set_interval_ms(k->health) * 1000000};
			nanosleep(&pause, NULL);
		}
	}
	return 0;
}

static void pause_ms(unsigned ms)
{
	struct timespec t = {ms / 1000, (long)(ms % 1000) * 1000000};
	nanosleep(&t, NULL);
}

/* A session for sh within seconds, trying again while the DUT refuses. 0 up,
 * DL_ETIMEDOUT (why in err) when it never came, or dutlab's own error. */
static int ensure(struct sessions *k, struct session_share *sh, unsigned seconds,
		  struct dl_error *err)
{
	if (sh->link.fd >= 0)
		return 0;
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
		int rc = sh->protocol->establish(&sh->link, until, &why);
		if (rc == 0) {
			sh->sessions++;
			return 0;
		}
		if (rc == DL_ESCOPE || rc == DL_ENOMEM)
			return dl_error_set(err, rc, "%s", why.message);
		if (monotonic_ns() + RETRY_PAUSE_MS * 1000000ll < deadline)
			pause_ms(RETRY_PAUSE_MS);
	}
	return dl_error_set(err, DL_ETIMEDOUT,
			    "the DUT's %s session could not be re-established within %u s (last "
			    "attempt: %s)",
			    sh->protocol->name, seconds, why.message);
}

static void count_reaction(struct session_share *sh, const struct session_reaction *re)
{
	if (re->kind == SESSION_ALIVE)
		return;
	sh->resets++;
	sh->protocol->close(&sh->link);
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

/* Wait for the DUT: every monitor and the session back, power-cycling it
 * once when the profile says how. *how: "recovered", "power_cycle" or "". */
static int recover(struct sessions *k, struct session_share *sh, const char **how,
		   struct dl_error *err)
{
	*how = "";
	unsigned seconds = k->r->recovery_seconds ? k->r->recovery_seconds : 60;
	struct health_status st;
	struct dl_error why;
	sh->protocol->close(&sh->link);
	int rc = health_wait_recovery(k->health, seconds * 1000u, on_event, k, &st, &why);
	if (rc && rc != DL_ETIMEDOUT)
		return dl_error_set(err, rc, "%s", why.message);
	if (rc == 0) {
		rc = ensure(k, sh, seconds, &why);
		if (rc == DL_ESCOPE || rc == DL_ENOMEM)
			return dl_error_set(err, rc, "%s", why.message);
		if (rc == 0) {
			*how = "recovered";
			return 0;
		}
	}
	if (!k->r->power_cycle)
		return 0;
	struct adapter_exec_vars vars = {.address = k->config->profile->address_count
							    ? k->config->profile->addresses[0]
							    : NULL};
	char transcript[4200];
	snprintf(transcript, sizeof(transcript), "%s/sessions-power-cycle.log", k->robustness_dir);
	struct adapter_exec_result result;
	rc = adapter_exec_run(k->config->profile, k->r->power_cycle, &vars, transcript,
			      k->config->deadline_ns, &result, err);
	if (rc)
		return rc;
	unsigned wait_ms = seconds * 1000u;
	if (wait_ms < k->slowest_ms)
		wait_ms = k->slowest_ms;
	rc = health_wait_recovery(k->health, wait_ms, on_event, k, &st, &why);
	if (rc && rc != DL_ETIMEDOUT)
		return dl_error_set(err, rc, "%s", why.message);
	if (rc == 0) {
		pause_ms(SETTLE_MS); /* the daemons open their ports one after another */
		rc = ensure(k, sh, seconds, &why);
		if (rc == DL_ESCOPE || rc == DL_ENOMEM)
			return dl_error_set(err, rc, "%s", why.message);
		if (rc == 0)
			*how = "power_cycle";
	}
	return 0;
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

/* Case index alone in a fresh session: does the DUT fail? *back: it came
 * back after (or never failed). */
static int replay_one(struct sessions *k, uint64_t index, bool *failed, bool *back,
		      struct dl_error *err)
{
	*failed = false;
	*back = true;
	struct session_case_template *t;
	struct fuzz_case record;
	int rc = make_case(k, index, &t, &record, err);
	if (rc)
		return rc;
	struct session_share *sh = &k->shares[t->share];
	sh->protocol->close(&sh->link);
	struct dl_error why;
	rc = ensure(k, sh, SESSION_ESTABLISH_SECONDS, &why);
	if (rc == DL_ESCOPE || rc == DL_ENOMEM)
		return dl_error_set(err, rc, "%s", why.message);
	if (rc) {
		*back = false; /* not even a session to replay in */
		return 0;
	}
	k->cases_replayed++;
	struct session_reaction re;
	if (session_link_send(&sh->link, k->frame[0].bytes, k->frame[0].length, false, &why) == 0)
		(void)sh->protocol->tend(&sh->link, REPLAY_REACTION_MS, &re, &why);
	sh->protocol->close(&sh->link);
	/* the session must come back, and the monitors stay quiet */
	rc = ensure(k, sh, VERIFY_SECONDS, &why);
	if (rc == DL_ESCOPE || rc == DL_ENOMEM)
		return dl_error_set(err, rc, "%s", why.message);
	*failed = rc != 0;
	if (!*failed) {
		char evidence[HEALTH_EVIDENCE_MAX + 64];
		rc = watch(k, k->detect_ms, failed, evidence, sizeof(evidence), err);
		if (rc)
			return rc;
	}
	if (*failed) {
		const char *how;
		rc = recover(k, sh, &how, err);
		*back = !rc && how[0];
	}
	return rc;
}

static int write_reproducer(struct sessions *k, uint64_t index, size_t number, char *relative,
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
	char prefix[128], text[400];
	snprintf(prefix, sizeof(prefix), "state-building prefix: %s to %s",
		 t->template->base.protocol, k->shares[t->share].protocol->title);
	fuzz_case_describe(&record, text, sizeof(text));
	rc = session_write_frames(&w, &k->shares[t->share].link, 0x10000000u, k->frame[0].bytes,
				  k->frame[0].length, prefix, text, err);
	struct dl_error close_err;
	if (pcapng_close(&w, &close_err) != 0 && !rc)
		rc = dl_error_set(err, close_err.code, "%s", close_err.message);
	return rc;
}

static int handle_failure(struct sessions *k, struct session_share *sh, const char *monitor,
			  const char *evidence, struct dl_error *err)
{
	size_t number = ++k->failure_count;
	struct json_object *f = json_object_new_object();
	json_object_array_add(k->failures, f);
	json_object_object_add(
		f, "at_s", json_object_new_double((double)(monotonic_ns() - k->origin_ns) / 1e9));
	json_object_object_add(f, "monitor", json_object_new_string(monitor));
	json_object_object_add(f, "evidence", json_object_new_string(evidence));
	keep_event(k, monitor, true, monotonic_ns(), evidence);
	uint64_t newest = k->next_index ? k->next_index - 1 : 0;
	uint64_t oldest = newest + 1 >= k->recent_count ? newest + 1 - k->recent_count : 0;
	struct json_object *window = json_object_new_object();
	json_object_object_add(window, "first", json_object_new_int64((int64_t)oldest));
	json_object_object_add(window, "last", json_object_new_int64((int64_t)newest));
	json_object_object_add(f, "window", window);
	const char *how;
	int rc = recover(k, sh, &how, err);
	if (rc)
		return rc;
	json_object_object_add(f, "recovery", json_object_new_string(how[0] ? how : "none"));
	if (!how[0]) {
		snprintf(k->stopped, sizeof(k->stopped),
			 "the DUT did not recover from failure %zu (%s) within %u s%s", number,
			 evidence, k->r->recovery_seconds ? k->r->recovery_seconds : 60,
			 k->r->power_cycle ? " nor after a power cycle" : "");
		return 0;
	}
	/* the culprit: the recent cases, newest first, each alone in a fresh session */
	bool found = false, back = true;
	uint64_t culprit = newest;
	size_t tried = 0;
	for (size_t n = 0; n < k->recent_count && back && !found; n++) {
		if (monotonic_ns() >= k->config->deadline_ns)
			break;
		size_t at = (k->recent_head + SESSION_REPLAY_MAX - 1 - n) % SESSION_REPLAY_MAX;
		bool failed = false;
		rc = replay_one(k, k->recent[at], &failed, &back, err);
		if (rc)
			return rc;
		tried++;
		if (failed) {
			found = true;
			culprit = k->recent[at];
		}
	}
	json_object_object_add(f, "reproduced", json_object_new_boolean(found));
	json_object_object_add(f, "cases_tried", json_object_new_int((int)tried));
	if (!back)
		snprintf(k->stopped, sizeof(k->stopped),
			 "the DUT did not recover while failure %zu's cases were replayed", number);
	struct json_object *minimal = json_object_new_object();
	json_object_object_add(minimal, "first", json_object_new_int64((int64_t)culprit));
	json_object_object_add(minimal, "last", json_object_new_int64((int64_t)culprit));
	struct json_object *cases = json_object_new_array();
	json_object_array_add(cases, case_json(k, culprit));
	json_object_object_add(minimal, "cases", cases);
	json_object_object_add(f, "minimal", minimal);
	char relative[256];
	if (k->recent_count) {
		rc = write_reproducer(k, culprit, number, relative, sizeof(relative), err);
		if (rc)
			return rc;
		json_object_object_add(f, "reproducer", json_object_new_string(relative));
	}
	k->recent_count = 0; /* the cases before the failure are judged */
	return 0;
}

/* Send case index on its protocol's session; 0 or dutlab's own error. A
 * session that cannot come back is a failure, handled here. */
static int run_case(struct sessions *k, uint64_t index, struct dl_error *err)
{
	struct session_case_template *t;
	struct fuzz_case record;
	int rc = make_case(k, index, &t, &record, err);
	if (rc)
		return rc;
	struct session_share *sh = &k->shares[t->share];
	struct dl_error why;
	for (int attempt = 0; attempt < 2; attempt++) {
		rc = ensure(k, sh, SESSION_ESTABLISH_SECONDS, &why);
		if (rc == DL_ESCOPE || rc == DL_ENOMEM)
			return dl_error_set(err, rc, "%s", why.message);
		if (rc)
			return handle_failure(k, sh, sh->protocol->name, why.message, err);
		if (session_link_send(&sh->link, k->frame[0].bytes, k->frame[0].length, false,
				      &why) == 0)
			break;
		/* the DUT reset the session after the last case: a reset, then again */
		sh->resets++;
		sh->silent_closes++;
		sh->protocol->close(&sh->link);
	}
	k->recent[k->recent_head] = index;
	k->recent_head = (k->recent_head + 1) % SESSION_REPLAY_MAX;
	if (k->recent_count < SESSION_REPLAY_MAX)
		k->recent_count++;
	t->cases++;
	sh->cases++;
	coverage_add(k->coverage, &record);
	struct session_reaction re;
	rc = sh->protocol->tend(&sh->link, REACTION_MS, &re, &why);
	count_reaction(sh, &re);
	return 0;
}

static struct json_object *observation(struct sessions *k, double seconds_run)
{
	const struct profile_robustness *r = k->r;
	struct json_object *o = json_object_new_object();
	json_object_object_add(o, "version", json_object_new_int(1));
	json_object_object_add(o, "interface", json_object_new_string(r->interface));
	json_object_object_add(o, "seed", json_object_new_int64((int64_t)k->seed));
	json_object_object_add(o, "rate", json_object_new_int64(r->rate));
	json_object_object_add(o, "level", json_object_new_int((int)(r->level ? r->level : 1)));
	json_object_object_add(o, "duration_s", json_object_new_int64(r->duration_seconds));
	json_object_object_add(o, "seconds_run", json_object_new_double(seconds_run));
	json_object_object_add(
		o, "seconds_total",
		json_object_new_double((double)(monotonic_ns() - k->origin_ns) / 1e9));
	json_object_object_add(o, "completed", json_object_new_boolean(!k->stopped[0]));
	if (k->stopped[0])
		json_object_object_add(o, "stopped", json_object_new_string(k->stopped));
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
		json_object_object_add(po, "resets", json_object_new_int64((int64_t)sh->resets));
		json_object_object_add(po, "silent_closes",
				       json_object_new_int64((int64_t)sh->silent_closes));
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
		json_object_object_add(po, "templates", templates);
		json_object_object_add(protocols, sh->protocol->name, po);
	}
	json_object_object_add(o, "protocols", protocols);
	struct json_object *monitors = json_object_new_array();
	for (size_t i = 0; k->health && i < health_set_count(k->health); i++)
		json_object_array_add(monitors,
				      json_object_new_string(health_set_name(k->health, i)));
	json_object_object_add(o, "monitors", monitors);
	json_object_object_add(o, "health_events", json_object_get(k->events));
	json_object_object_add(o, "failures", json_object_get(k->failures));
	return o;
}

static void release(struct sessions *k)
{
	for (size_t s = 0; s < k->share_count; s++)
		k->shares[s].protocol->close(&k->shares[s].link);
	health_set_stop(k->health);
	for (size_t i = 0; i < k->template_count; i++) {
		free(k->templates[i].valid);
		free(k->templates[i].plan);
	}
	free(k->frame);
	free(k->coverage);
	json_object_put(k->failures);
	json_object_put(k->events);
}

static int setup(struct sessions *k, const struct campaign_config *c, struct dl_error *err)
{
	k->config = c;
	k->r = &c->profile->robustness;
	k->failures = json_object_new_array();
	k->events = json_object_new_array();
	k->frame = calloc(MUTATION_FRAMES_MAX, sizeof(*k->frame));
	k->coverage = malloc(sizeof(*k->coverage));
	if (!k->failures || !k->events || !k->frame || !k->coverage)
		return dl_error_set(err, DL_ENOMEM, "robustness: out of memory");
	coverage_init(k->coverage);
	snprintf(k->robustness_dir, sizeof(k->robustness_dir), "%s/robustness", c->evidence_dir);
	if (mkdir(k->robustness_dir, 0755) != 0 && errno != EEXIST)
		return dl_error_set(err, DL_EIO, "robustness: cannot create %s: %s",
				    k->robustness_dir, strerror(errno));
	k->seed = k->r->seed;
	while (!k->seed)
		if (getrandom(&k->seed, sizeof(k->seed), 0) != (ssize_t)sizeof(k->seed))
			k->seed = (uint64_t)monotonic_ns();
	k->seed &= 0x7fffffffffffffffull; /* stored as a signed JSON integer */
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

/* The first session of each protocol: one that never comes up is the
 * profile's mistake (an AS, a password, a port), not the DUT's failure. */
static int first_sessions(struct sessions *k, struct dl_error *err)
{
	for (size_t s = 0; s < k->share_count; s++) {
		struct session_share *sh = &k->shares[s];
		struct dl_error why;
		int rc = ensure(k, sh, SESSION_ESTABLISH_SECONDS, &why);
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
	int rc = setup(k, c, err);
	if (!rc)
		rc = prepare(k, err);
	k->origin_ns = k->started_ns = monotonic_ns();
	if (!rc && k->share_count == 0)
		snprintf(k->stopped, sizeof(k->stopped),
			 "robustness.mix names no session protocol (%s)",
			 session_protocols[0]->name);
	if (!rc && k->share_count)
		rc = start_health(k, err);
	if (!rc && k->share_count)
		rc = first_sessions(k, err);
	const struct profile_robustness *r = k->r;
	int64_t now = monotonic_ns();
	k->origin_ns = k->started_ns = now;
	if (!rc && k->share_count) {
		rate_init(&k->rate, r->rate, 0, 1);
		int64_t end = now + (int64_t)r->duration_seconds * 1000000000;
		int64_t next_poll = now, next_progress = now;
		uint64_t total = (uint64_t)r->duration_seconds * r->rate;
		unsigned interval = health_set_interval_ms(k->health);
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
			if (!rc && k->failure_count == failures_before && now >= next_poll) {
				next_poll = now + (int64_t)interval * 1000000;
				struct health_status st;
				rc = health_set_poll(k->health, &st, err);
				for (size_t i = 0; !rc && i < st.event_count; i++) {
					on_event(&st.events[i], k);
					if (st.events[i].kind != HEALTH_FAILED)
						continue;
					rc = handle_failure(k, &k->shares[0], st.events[i].monitor,
							    st.events[i].evidence, err);
					break;
				}
			}
			if (k->failure_count != failures_before) {
				/* a failure's handling is not fuzzing time */
				int64_t spent = monotonic_ns() - before;
				k->started_ns += spent;
				end += spent;
				if (!k->stopped[0] && k->failure_count >= most)
					snprintf(k->stopped, sizeof(k->stopped),
						 "%zu failures, the most robustness.max_failures "
						 "asks to investigate",
						 k->failure_count);
			}
			now = monotonic_ns();
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
	}
	if (!rc)
		*out = observation(k, (double)(monotonic_ns() - k->started_ns) / 1e9);
	release(k);
	free(k);
	return rc;
}
