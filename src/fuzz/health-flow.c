/* health-flow: the background flow through the DUT: loss, reordering and latency per window */
#include "core/compat.h"

#include <arpa/inet.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "core/error.h"
#include "fuzz/health-link.h"
#include "fuzz/health.h"

void health_flow_account_init(struct health_flow_account *a, int64_t window_ns, int64_t grace_ns)
{
	memset(a, 0, sizeof(*a));
	a->window_ns = window_ns > 0 ? window_ns : 1000000000;
	a->grace_ns = grace_ns > 0 ? grace_ns : 0;
}

static struct health_flow_window *slot(struct health_flow_account *a, uint64_t number)
{
	return &a->windows[number % HEALTH_FLOW_WINDOWS];
}

uint64_t health_flow_account_send(struct health_flow_account *a, int64_t now_ns)
{
	if (!a->started) {
		a->started = true;
		a->first_window_start_ns = now_ns;
		a->current = 0;
		a->next_to_close = 0;
		*slot(a, 0) = (struct health_flow_window){.start_ns = now_ns,
							  .end_ns = now_ns + a->window_ns,
							  .first_seq = a->next_seq,
							  .open = true};
	}
	int64_t since = now_ns - a->first_window_start_ns;
	uint64_t number = since > 0 ? (uint64_t)(since / a->window_ns) : 0;
	if (number > a->current) {
		/* windows with no send in them are not accounted; a window still
		 * unclosed a whole ring later is dropped (the caller stopped closing) */
		a->current = number;
		if (a->current - a->next_to_close >= HEALTH_FLOW_WINDOWS)
			a->next_to_close = a->current - HEALTH_FLOW_WINDOWS + 1;
		int64_t start = a->first_window_start_ns + (int64_t)number * a->window_ns;
		*slot(a, number) = (struct health_flow_window){.number = number,
							       .start_ns = start,
							       .end_ns = start + a->window_ns,
							       .first_seq = a->next_seq,
							       .open = true};
	}
	uint64_t seq = a->next_seq++;
	slot(a, a->current)->sent++;
	a->seen[(seq % HEALTH_FLOW_SEQ_BITS) / 8] &= (uint8_t) ~(1u << (seq % 8));
	return seq;
}

static struct health_flow_window *window_of(struct health_flow_account *a, uint64_t seq)
{
	for (size_t i = 0; i < HEALTH_FLOW_WINDOWS; i++) {
		struct health_flow_window *w = &a->windows[i];
		if (w->open && seq >= w->first_seq && seq - w->first_seq < w->sent)
			return w;
	}
	return NULL;
}

void health_flow_account_receive(struct health_flow_account *a, uint64_t seq, int64_t sent_ns,
				 int64_t now_ns)
{
	if (seq >= a->next_seq) {
		a->unknown++; /* never sent: not ours, or corrupted on the way */
		return;
	}
	if (a->next_seq - seq > HEALTH_FLOW_SEQ_BITS) {
		a->late++;
		return;
	}
	struct health_flow_window *w = window_of(a, seq);
	uint8_t *byte = &a->seen[(seq % HEALTH_FLOW_SEQ_BITS) / 8];
	uint8_t bit = (uint8_t)(1u << (seq % 8));
	if (*byte & bit) {
		if (w)
			w->duplicates++;
		return;
	}
	*byte |= bit;
	if (!w) {
		a->late++; /* its window was closed and counted it lost */
		return;
	}
	w->received++;
	if (a->any_received && seq < a->highest_received)
		w->reordered++;
	if (!a->any_received || seq > a->highest_received)
		a->highest_received = seq;
	a->any_received = true;
	int64_t latency = now_ns - sent_ns;
	if (latency < 0)
		latency = 0;
	if (w->received == 1 || latency < w->latency_min_ns)
		w->latency_min_ns = latency;
	if (latency > w->latency_max_ns)
		w->latency_max_ns = latency;
	w->latency_sum_ns += latency;
}

bool health_flow_account_close(struct health_flow_account *a, int64_t now_ns,
			       struct health_flow_window *out)
{
	if (!a->started)
		return false;
	for (size_t n = 0; n < HEALTH_FLOW_WINDOWS && a->next_to_close <= a->current; n++) {
		struct health_flow_window *w = slot(a, a->next_to_close);
		if (!w->open || w->number != a->next_to_close) {
			a->next_to_close++;
			continue;
		}
		if (now_ns < w->end_ns + a->grace_ns)
			return false;
		*out = *w;
		w->open = false;
		a->next_to_close++;
		return true;
	}
	return false;
}

/* ---- the monitor ---- */

#define FLOW_MAGIC "DLHF"
#define FLOW_FRAME 52 /* IPv4 20 + UDP 8 + magic 4, flow id 4, seq 8, time 8 */

struct flow_state {
	int tx, rx;
	int out_index;
	uint8_t next_hop[6];
	uint32_t source_be, destination_be;
	uint16_t port;
	uint32_t flow_id;
	char text[96]; /* "198.18.19.1 -> 198.18.19.130:9" */
	int64_t start_ns;
	uint64_t sent_total, send_errors;
	int send_errno;
	struct health_flow_account account;
};

static void flow_stop(struct health_probe *p)
{
	struct flow_state *s = p->state;
	if (!s)
		return;
	if (s->tx >= 0)
		close(s->tx);
	if (s->rx >= 0)
		close(s->rx);
	free(s);
	p->state = NULL;
}

static bool parse_mac(const char *text, uint8_t mac[6])
{
	for (int i = 0; i < 6; i++) {
		unsigned v = 0;
		for (int k = 0; k < 2; k++) {
			char c = *text++;
			unsigned d = c >= '0' && c <= '9'   ? (unsigned)(c - '0')
				     : c >= 'a' && c <= 'f' ? (unsigned)(c - 'a' + 10)
				     : c >= 'A' && c <= 'F' ? (unsigned)(c - 'A' + 10)
							    : 16;
			if (d > 15)
				return false;
			v = v * 16 + d;
		}
		mac[i] = (uint8_t)v;
		if (*text != (i < 5 ? ':' : '\0'))
			return false;
		text++;
	}
	return true;
}

static int flow_addresses(struct flow_state *s, const struct health_flow_config *f,
			  struct dl_error *err)
{
	uint8_t mac[6], in_mac[6];
	int in_index = 0;
	int rc = health_link_interface(f->out_interface, mac, &s->out_index,
				       f->source ? NULL : &s->source_be, err);
	if (!rc)
		rc = health_link_interface(f->in_interface, in_mac, &in_index,
					   f->destination ? NULL : &s->destination_be, err);
	if (rc)
		return dl_error_prefix(err, "flow");
	if (f->source && inet_pton(AF_INET, f->source, &s->source_be) != 1)
		return dl_error_set(err, DL_EINVAL, "flow source '%s' is not an IPv4 address",
				    f->source);
	if (f->destination && inet_pton(AF_INET, f->destination, &s->destination_be) != 1)
		return dl_error_set(err, DL_EINVAL, "flow destination '%s' is not an IPv4 address",
				    f->destination);
	if (f->next_hop_mac && !parse_mac(f->next_hop_mac, s->next_hop))
		return dl_error_set(err, DL_EINVAL,
				    "flow next hop '%s' is not a MAC address; write "
				    "02:00:00:00:00:01",
				    f->next_hop_mac);
	if (!f->next_hop_mac)
		memcpy(s->next_hop, in_mac, 6);
	return 0;
}

static int flow_start(struct health_probe *p, int64_t now_ns, struct dl_error *err)
{
	const struct health_flow_config *f = &p->config->flow;
	if (!f->out_interface || !f->in_interface)
		return dl_error_set(err, DL_EINVAL,
				    "the flow needs two tester ports: an out interface toward the "
				    "DUT and an in interface behind it");
	unsigned rate = f->rate_pps ? f->rate_pps : 100;
	unsigned window = f->window_ms ? f->window_ms : 1000;
	if (rate > 5000 || window < 100 || window > 10000 ||
	    (uint64_t)rate * window * HEALTH_FLOW_WINDOWS / 1000 >= HEALTH_FLOW_SEQ_BITS)
		return dl_error_set(err, DL_EINVAL,
				    "flow rate %u/s with %u ms windows is out of range; use at "
				    "most 5000/s, windows of 100 to 10000 ms, and at most %d "
				    "packets in %d windows",
				    rate, window, HEALTH_FLOW_SEQ_BITS, HEALTH_FLOW_WINDOWS);
	struct flow_state *s = calloc(1, sizeof(*s));
	if (!s)
		return dl_error_set(err, DL_ENOMEM, "out of memory");
	s->tx = s->rx = -1;
	p->state = s;
	s->port = f->port ? f->port : 9;
	s->start_ns = now_ns;
	s->flow_id = (uint32_t)getpid() ^ (uint32_t)now_ns;
	unsigned latency = f->max_latency_ms ? f->max_latency_ms : 100;
	health_flow_account_init(&s->account, (int64_t)window * 1000000,
				 (int64_t)latency * 1000000);
	int rc = flow_addresses(s, f, err);
	char destination[INET_ADDRSTRLEN] = "", source[INET_ADDRSTRLEN] = "";
	inet_ntop(AF_INET, &s->destination_be, destination, sizeof(destination));
	inet_ntop(AF_INET, &s->source_be, source, sizeof(source));
	snprintf(s->text, sizeof(s->text), "%s -> %s:%u", source, destination, s->port);
	if (!rc)
		rc = health_link_socket(p->config->scope, f->out_interface, destination, SOCK_DGRAM,
					0, &s->tx, err);
	if (!rc)
		rc = health_link_socket(p->config->scope, f->in_interface, NULL, SOCK_DGRAM,
					ETH_P_IP, &s->rx, err);
	int one = 1;
	if (!rc)
		setsockopt(s->rx, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof(one));
	if (rc)
		flow_stop(p);
	return rc;
}

static uint16_t ip_checksum(const uint8_t *p, size_t n)
{
	uint32_t sum = 0;
	for (size_t i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static void put64(uint8_t *p, uint64_t v)
{
	for (int i = 7; i >= 0; i--, v >>= 8)
		p[i] = (uint8_t)v;
}

static uint64_t get64(const uint8_t *p)
{
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

/* CLOCK_REALTIME: the clock of the kernel's receive timestamps */
static int64_t wall_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_REALTIME, &t);
	return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

static void send_one(struct flow_state *s, int64_t now_ns)
{
	uint64_t seq = health_flow_account_send(&s->account, now_ns);
	uint8_t f[FLOW_FRAME] = {0x45, 0, 0, FLOW_FRAME, 0, 0, 0x40, 0, 64, IPPROTO_UDP};
	f[4] = (uint8_t)(seq >> 8); /* IP ID */
	f[5] = (uint8_t)seq;
	memcpy(f + 12, &s->source_be, 4);
	memcpy(f + 16, &s->destination_be, 4);
	uint16_t sum = ip_checksum(f, 20);
	f[10] = (uint8_t)(sum >> 8);
	f[11] = (uint8_t)sum;
	uint8_t *udp = f + 20;
	udp[0] = 0xc0; /* source port 49152 */
	udp[2] = (uint8_t)(s->port >> 8);
	udp[3] = (uint8_t)s->port;
	udp[5] = FLOW_FRAME - 20; /* the UDP checksum stays 0: none (RFC 768) */
	memcpy(udp + 8, FLOW_MAGIC, 4);
	uint32_t id = htonl(s->flow_id);
	memcpy(udp + 12, &id, 4);
	put64(udp + 16, seq);
	put64(udp + 24, (uint64_t)wall_ns());
	struct sockaddr_ll to = {.sll_family = AF_PACKET,
				 .sll_protocol = htons(ETH_P_IP),
				 .sll_ifindex = s->out_index,
				 .sll_halen = 6};
	memcpy(to.sll_addr, s->next_hop, 6);
	if (sendto(s->tx, f, sizeof(f), 0, (const struct sockaddr *)&to, sizeof(to)) < 0) {
		s->send_errors++;
		s->send_errno = errno;
	}
	s->sent_total++;
}

/* The latency is the kernel's arrival time (SO_TIMESTAMPNS) less the send
 * time in the payload, so a frame read at the next poll is not late. */
static void receive(struct flow_state *s)
{
	uint8_t f[256];
	for (int n = 0; n < 4096; n++) {
		struct sockaddr_ll from;
		union {
			struct cmsghdr align;
			uint8_t bytes[CMSG_SPACE(sizeof(struct timespec))];
		} control;
		struct iovec iov = {.iov_base = f, .iov_len = sizeof(f)};
		struct msghdr msg = {.msg_name = &from,
				     .msg_namelen = sizeof(from),
				     .msg_iov = &iov,
				     .msg_iovlen = 1,
				     .msg_control = control.bytes,
				     .msg_controllen = sizeof(control.bytes)};
		ssize_t got = recvmsg(s->rx, &msg, 0);
		if (got < 0)
			return;
		int64_t arrived = 0;
		for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c))
			if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
				struct timespec t;
				memcpy(&t, CMSG_DATA(c), sizeof(t));
				arrived = (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
			}
		if (!arrived)
			arrived = wall_ns();
		if (from.sll_pkttype == PACKET_OUTGOING || got < FLOW_FRAME || (f[0] >> 4) != 4)
			continue;
		size_t header = (size_t)(f[0] & 0x0f) * 4;
		if (header < 20 || (size_t)got < header + 32 || f[9] != IPPROTO_UDP)
			continue;
		const uint8_t *udp = f + header;
		uint32_t id;
		memcpy(&id, udp + 12, 4);
		if (memcmp(udp + 8, FLOW_MAGIC, 4) != 0 || ntohl(id) != s->flow_id)
			continue;
		health_flow_account_receive(&s->account, get64(udp + 16), (int64_t)get64(udp + 24),
					    arrived);
	}
}

static int flow_poll(struct health_probe *p, int64_t now_ns, struct health_sample *out,
		     struct dl_error *err)
{
	(void)err;
	struct flow_state *s = p->state;
	const struct health_flow_config *f = &p->config->flow;
	unsigned rate = f->rate_pps ? f->rate_pps : 100;
	uint64_t due = (uint64_t)((now_ns - s->start_ns) / 1000) * rate / 1000000;
	/* a late poll sends at most a second's worth: a burst would measure itself */
	if (due > s->sent_total + rate)
		s->sent_total = due - rate;
	for (unsigned n = 0; s->sent_total < due && n < 5000; n++)
		send_one(s, now_ns);
	receive(s);
	struct health_flow_window w;
	if (!health_flow_account_close(&s->account, now_ns, &w) || w.sent == 0)
		return 0;
	uint64_t lost = w.sent > w.received ? w.sent - w.received : 0;
	unsigned max_loss = f->max_loss_permille ? f->max_loss_permille : 10;
	int64_t max_latency = (int64_t)(f->max_latency_ms ? f->max_latency_ms : 100) * 1000000;
	bool bad = lost * 1000 > (uint64_t)max_loss * w.sent || w.latency_max_ns > max_latency;
	out->outcome = bad ? HEALTH_FAIL : HEALTH_OK;
	char send_trouble[96] = "";
	if (s->send_errors)
		snprintf(send_trouble, sizeof(send_trouble), ", %" PRIu64 " sends failed (%s)",
			 s->send_errors, strerror(s->send_errno));
	if (w.received == 0) {
		snprintf(out->evidence, sizeof(out->evidence),
			 "flow %s: %" PRIu64 " of %" PRIu64 " lost (100.0 %%), none came back%s",
			 s->text, lost, w.sent, send_trouble);
		return 0;
	}
	snprintf(out->evidence, sizeof(out->evidence),
		 "flow %s: %" PRIu64 " of %" PRIu64 " lost (%.1f %%), %" PRIu64
		 " reordered, %" PRIu64 " duplicated, latency avg %.3f ms max %.3f ms%s",
		 s->text, lost, w.sent, (double)lost * 100.0 / (double)w.sent, w.reordered,
		 w.duplicates, (double)w.latency_sum_ns / (double)w.received / 1e6,
		 (double)w.latency_max_ns / 1e6, send_trouble);
	return 0;
}

const struct health_monitor health_monitor_flow = {
	.name = "flow",
	.summary = "a background UDP flow through the DUT (port A to port B) within loss and "
		   "latency limits",
	.threshold = 2,
	.interval_ms = 1000,
	.timeout_ms = 1000,
	.start = flow_start,
	.poll = flow_poll,
	.stop = flow_stop,
};
