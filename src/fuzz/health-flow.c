/* health-flow: the background flow through the DUT: loss, reordering and latency per window */
#include "core/compat.h"

#include <arpa/inet.h>
#include <ifaddrs.h>
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
#define FLOW_PAYLOAD 24 /* magic 4, flow id 4, seq 8, send time 8 */
#define FLOW_FRAME4 (20 + 8 + FLOW_PAYLOAD)
#define FLOW_FRAME6 (40 + 8 + FLOW_PAYLOAD)

/* One address family's flow: IPv4, IPv6, or both side by side when the
 * profile names a destination of each (the DUT forwards both). */
struct flow_path {
	int family;
	int tx, rx;
	uint8_t source[16], destination[16]; /* IPv4: the first 4 bytes */
	char text[112];                      /* "198.18.19.1 -> 198.18.19.130:9" */
	uint64_t sent_total, send_errors;
	int send_errno;
	bool window_ready; /* a closed window waits for the other path's */
	struct health_flow_window window;
	struct health_flow_account account;
};

struct flow_state {
	int out_index;
	uint8_t next_hop[6];
	uint16_t port;
	uint32_t flow_id;
	int64_t start_ns;
	size_t path_count;
	struct flow_path paths[2];
};

static void flow_stop(struct health_probe *p)
{
	struct flow_state *s = p->state;
	if (!s)
		return;
	for (size_t i = 0; i < s->path_count; i++) {
		if (s->paths[i].tx >= 0)
			close(s->paths[i].tx);
		if (s->paths[i].rx >= 0)
			close(s->paths[i].rx);
	}
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

/* The out interface's IPv6 address: a global one, else a link-local one. */
static int interface_ipv6(const char *interface, uint8_t out[16], struct dl_error *err)
{
	struct ifaddrs *list = NULL;
	if (getifaddrs(&list) < 0)
		return dl_error_set(err, DL_EIO, "getifaddrs: %s", strerror(errno));
	bool found = false, global = false;
	for (struct ifaddrs *a = list; a && !global; a = a->ifa_next) {
		if (!a->ifa_addr || a->ifa_addr->sa_family != AF_INET6 ||
		    strcmp(a->ifa_name, interface) != 0)
			continue;
		const struct in6_addr *x = &((const struct sockaddr_in6 *)a->ifa_addr)->sin6_addr;
		memcpy(out, x, 16);
		found = true;
		global = !IN6_IS_ADDR_LINKLOCAL(x);
	}
	freeifaddrs(list);
	if (!found)
		return dl_error_set(err, DL_ENOTFOUND,
				    "interface '%s' has no IPv6 address for the IPv6 flow; give it "
				    "one in the DUT's subnet",
				    interface);
	return 0;
}

/* A path to destination (NULL: IPv4, to the in interface's own address). */
static int flow_path_addresses(struct flow_path *path, const struct health_flow_config *f,
			       const char *destination, uint32_t out_ipv4_be, uint32_t in_ipv4_be,
			       struct dl_error *err)
{
	path->family = AF_INET;
	if (destination && inet_pton(AF_INET6, destination, path->destination) == 1)
		path->family = AF_INET6;
	else if (destination && inet_pton(AF_INET, destination, path->destination) != 1)
		return dl_error_set(err, DL_EINVAL,
				    "flow destination '%s' is not an IPv4 or IPv6 address",
				    destination);
	if (!destination)
		memcpy(path->destination, &in_ipv4_be, 4);
	if (path->family == AF_INET6) {
		int rc = interface_ipv6(f->out_interface, path->source, err);
		if (rc)
			return rc;
	} else if (f->source) {
		if (inet_pton(AF_INET, f->source, path->source) != 1)
			return dl_error_set(err, DL_EINVAL,
					    "flow source '%s' is not an IPv4 address", f->source);
	} else {
		memcpy(path->source, &out_ipv4_be, 4);
	}
	return 0;
}

static int flow_addresses(struct flow_state *s, const struct health_flow_config *f,
			  struct dl_error *err)
{
	uint8_t mac[6], in_mac[6];
	int in_index = 0;
	uint32_t out4 = 0, in4 = 0;
	const char *destinations[2] = {f->destination, f->destination6};
	bool any = f->destination || f->destination6;
	/* an IPv4 source is needed unless the only path is IPv6 */
	bool need_out4 = !f->source && (!any || (f->destination && !strchr(f->destination, ':')));
	int rc = health_link_interface(f->out_interface, mac, &s->out_index,
				       need_out4 ? &out4 : NULL, err);
	if (!rc)
		rc = health_link_interface(f->in_interface, in_mac, &in_index, any ? NULL : &in4,
					   err);
	if (rc)
		return dl_error_prefix(err, "flow");
	for (size_t i = 0; i < 2 && !rc; i++) {
		if (any && !destinations[i])
			continue;
		struct flow_path *path = &s->paths[s->path_count++];
		rc = flow_path_addresses(path, f, destinations[i], out4, in4, err);
		if (!any)
			break;
	}
	if (rc)
		return rc;
	if (s->path_count == 2 && s->paths[0].family == s->paths[1].family)
		return dl_error_set(err, DL_EINVAL,
				    "flow destinations '%s' and '%s' are of one family; give one "
				    "IPv4 and one IPv6 address",
				    f->destination, f->destination6);
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
	for (size_t i = 0; i < DL_ARRAY_SIZE(s->paths); i++)
		s->paths[i].tx = s->paths[i].rx = -1;
	p->state = s;
	s->port = f->port ? f->port : 9;
	s->start_ns = now_ns;
	s->flow_id = (uint32_t)getpid() ^ (uint32_t)now_ns;
	unsigned latency = f->max_latency_ms ? f->max_latency_ms : 100;
	int rc = flow_addresses(s, f, err);
	for (size_t i = 0; i < s->path_count && !rc; i++) {
		struct flow_path *path = &s->paths[i];
		health_flow_account_init(&path->account, (int64_t)window * 1000000,
					 (int64_t)latency * 1000000);
		char source[INET6_ADDRSTRLEN] = "", destination[INET6_ADDRSTRLEN] = "";
		inet_ntop(path->family, path->source, source, sizeof(source));
		inet_ntop(path->family, path->destination, destination, sizeof(destination));
		snprintf(path->text, sizeof(path->text),
			 path->family == AF_INET6 ? "%s -> [%s]:%u" : "%s -> %s:%u", source,
			 destination, s->port);
		rc = health_link_socket(p->config->scope, f->out_interface, destination, SOCK_DGRAM,
					0, &path->tx, err);
		if (!rc)
			rc = health_link_socket(p->config->scope, f->in_interface, NULL, SOCK_DGRAM,
						path->family == AF_INET6 ? ETH_P_IPV6 : ETH_P_IP,
						&path->rx, err);
		int one = 1;
		if (!rc)
			setsockopt(path->rx, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof(one));
	}
	if (rc)
		flow_stop(p);
	return rc;
}

static uint32_t sum16(const uint8_t *p, size_t n, uint32_t sum)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (n & 1)
		sum += (uint32_t)p[n - 1] << 8;
	return sum;
}

static uint16_t fold(uint32_t sum)
{
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

static void send_one(const struct flow_state *s, struct flow_path *path, int64_t now_ns)
{
	uint64_t seq = health_flow_account_send(&path->account, now_ns);
	uint8_t f[FLOW_FRAME6] = {0};
	size_t length, header;
	if (path->family == AF_INET) {
		header = 20, length = FLOW_FRAME4;
		f[0] = 0x45, f[3] = FLOW_FRAME4, f[6] = 0x40, f[8] = 64, f[9] = IPPROTO_UDP;
		f[4] = (uint8_t)(seq >> 8); /* IP ID */
		f[5] = (uint8_t)seq;
		memcpy(f + 12, path->source, 4);
		memcpy(f + 16, path->destination, 4);
		uint16_t sum = fold(sum16(f, 20, 0));
		f[10] = (uint8_t)(sum >> 8);
		f[11] = (uint8_t)sum;
	} else {
		header = 40, length = FLOW_FRAME6;
		f[0] = 0x60, f[5] = 8 + FLOW_PAYLOAD, f[6] = IPPROTO_UDP, f[7] = 64;
		memcpy(f + 8, path->source, 16);
		memcpy(f + 24, path->destination, 16);
	}
	uint8_t *udp = f + header;
	udp[0] = 0xc0; /* source port 49152 */
	udp[2] = (uint8_t)(s->port >> 8);
	udp[3] = (uint8_t)s->port;
	udp[5] = 8 + FLOW_PAYLOAD;
	memcpy(udp + 8, FLOW_MAGIC, 4);
	uint32_t id = htonl(s->flow_id);
	memcpy(udp + 12, &id, 4);
	put64(udp + 16, seq);
	put64(udp + 24, (uint64_t)wall_ns());
	if (path->family == AF_INET6) {
		/* RFC 8200 8.1: the UDP checksum is mandatory over IPv6 */
		uint32_t sum = sum16(f + 8, 32, 0) + IPPROTO_UDP + 8 + FLOW_PAYLOAD;
		uint16_t c = fold(sum16(udp, 8 + FLOW_PAYLOAD, sum));
		if (c == 0)
			c = 0xffff;
		udp[6] = (uint8_t)(c >> 8);
		udp[7] = (uint8_t)c;
	} /* over IPv4 the UDP checksum stays 0: none (RFC 768) */
	struct sockaddr_ll to = {.sll_family = AF_PACKET,
				 .sll_protocol =
					 htons(path->family == AF_INET6 ? ETH_P_IPV6 : ETH_P_IP),
				 .sll_ifindex = s->out_index,
				 .sll_halen = 6};
	memcpy(to.sll_addr, s->next_hop, 6);
	if (sendto(path->tx, f, length, 0, (const struct sockaddr *)&to, sizeof(to)) < 0) {
		path->send_errors++;
		path->send_errno = errno;
	}
	path->sent_total++;
}

/* The latency is the kernel's arrival time (SO_TIMESTAMPNS) less the send
 * time in the payload, so a frame read at the next poll is not late. */
static void receive(const struct flow_state *s, struct flow_path *path)
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
		ssize_t got = recvmsg(path->rx, &msg, 0);
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
		if (from.sll_pkttype == PACKET_OUTGOING)
			continue;
		size_t header;
		if (path->family == AF_INET) {
			if (got < FLOW_FRAME4 || (f[0] >> 4) != 4 || f[9] != IPPROTO_UDP)
				continue;
			header = (size_t)(f[0] & 0x0f) * 4;
		} else {
			/* ours carry no extension header: UDP right after the fixed one */
			if (got < FLOW_FRAME6 || (f[0] >> 4) != 6 || f[6] != IPPROTO_UDP)
				continue;
			header = 40;
		}
		if (header < 20 || (size_t)got < header + 8 + FLOW_PAYLOAD)
			continue;
		const uint8_t *udp = f + header;
		uint32_t id;
		memcpy(&id, udp + 12, 4);
		if (memcmp(udp + 8, FLOW_MAGIC, 4) != 0 || ntohl(id) != s->flow_id)
			continue;
		health_flow_account_receive(&path->account, get64(udp + 16),
					    (int64_t)get64(udp + 24), arrived);
	}
}

/* One path's closed window in words; true when it is within the limits. */
static bool describe_window(const struct flow_path *path, const struct health_flow_config *f,
			    char *out, size_t size)
{
	const struct health_flow_window *w = &path->window;
	uint64_t lost = w->sent > w->received ? w->sent - w->received : 0;
	unsigned max_loss = f->max_loss_permille ? f->max_loss_permille : 10;
	int64_t max_latency = (int64_t)(f->max_latency_ms ? f->max_latency_ms : 100) * 1000000;
	bool bad = lost * 1000 > (uint64_t)max_loss * w->sent || w->latency_max_ns > max_latency;
	char send_trouble[96] = "";
	if (path->send_errors)
		snprintf(send_trouble, sizeof(send_trouble), ", %" PRIu64 " sends failed (%s)",
			 path->send_errors, strerror(path->send_errno));
	if (w->received == 0)
		snprintf(out, size,
			 "flow %s: %" PRIu64 " of %" PRIu64 " lost (100.0 %%), none came back%s",
			 path->text, lost, w->sent, send_trouble);
	else
		snprintf(out, size,
			 "flow %s: %" PRIu64 " of %" PRIu64 " lost (%.1f %%), %" PRIu64
			 " reordered, %" PRIu64 " duplicated, latency avg %.3f ms max %.3f ms%s",
			 path->text, lost, w->sent, (double)lost * 100.0 / (double)w->sent,
			 w->reordered, w->duplicates,
			 (double)w->latency_sum_ns / (double)w->received / 1e6,
			 (double)w->latency_max_ns / 1e6, send_trouble);
	return !bad;
}

static int flow_poll(struct health_probe *p, int64_t now_ns, struct health_sample *out,
		     struct dl_error *err)
{
	(void)err;
	struct flow_state *s = p->state;
	const struct health_flow_config *f = &p->config->flow;
	unsigned rate = f->rate_pps ? f->rate_pps : 100;
	uint64_t due = (uint64_t)((now_ns - s->start_ns) / 1000) * rate / 1000000;
	bool all_ready = true;
	for (size_t i = 0; i < s->path_count; i++) {
		struct flow_path *path = &s->paths[i];
		/* a late poll sends at most a second's worth: a burst would measure itself */
		if (due > path->sent_total + rate)
			path->sent_total = due - rate;
		for (unsigned n = 0; path->sent_total < due && n < 5000; n++)
			send_one(s, path, now_ns);
		receive(s, path);
		if (!path->window_ready)
			path->window_ready =
				health_flow_account_close(&path->account, now_ns, &path->window) &&
				path->window.sent > 0;
		all_ready = all_ready && path->window_ready;
	}
	/* both families' windows are judged together: one sample a window */
	if (!all_ready)
		return 0;
	bool good = true;
	size_t used = 0;
	for (size_t i = 0; i < s->path_count; i++) {
		char text[HEALTH_EVIDENCE_MAX];
		good = describe_window(&s->paths[i], f, text, sizeof(text)) && good;
		s->paths[i].window_ready = false;
		int w = snprintf(out->evidence + used, sizeof(out->evidence) - used, "%s%s",
				 used ? "; " : "", text);
		if (w > 0 && (size_t)w < sizeof(out->evidence) - used)
			used += (size_t)w;
	}
	out->outcome = good ? HEALTH_OK : HEALTH_FAIL;
	return 0;
}

const struct health_monitor health_monitor_flow = {
	.name = "flow",
	.summary = "a background UDP flow through the DUT (port A to port B, IPv4 and/or IPv6) "
		   "within loss and latency limits",
	.threshold = 2,
	.interval_ms = 1000,
	.timeout_ms = 1000,
	.start = flow_start,
	.poll = flow_poll,
	.stop = flow_stop,
};
