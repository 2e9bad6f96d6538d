/* health-icmp: the ICMP echo monitor: every DUT address (IPv4 and IPv6) must answer each round */
#include "core/compat.h"

#include <arpa/inet.h>
#include <linux/errqueue.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "core/error.h"
#include "fuzz/health.h"
#include "net/sock.h"

struct icmp_target {
	struct sock_address address;
	char text[INET6_ADDRSTRLEN];
	int fd;
	bool raw;    /* a raw socket (IPv4 replies start with the IP header) */
	uint16_t id; /* ours on a raw socket; a ping socket's id is the kernel's */
	uint16_t seq;
	bool answered;
	char reason[96]; /* an ICMP error or a socket error seen this round */
};

struct icmp_state {
	struct icmp_target targets[HEALTH_ADDRESSES_MAX];
	size_t count;
	bool in_flight;
	int64_t sent_ns, next_ns;
};

/* RFC 1071 one's-complement sum */
static uint16_t checksum(const uint8_t *p, size_t n)
{
	uint32_t sum = 0;
	for (size_t i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (n & 1)
		sum += (uint32_t)p[n - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static void icmp_stop(struct health_probe *p)
{
	struct icmp_state *s = p->state;
	if (!s)
		return;
	for (size_t i = 0; i < s->count; i++)
		if (s->targets[i].fd >= 0)
			close(s->targets[i].fd);
	free(s);
	p->state = NULL;
}

static int icmp_start(struct health_probe *p, int64_t now_ns, struct dl_error *err)
{
	const struct health_config *c = p->config;
	if (c->address_count == 0)
		return dl_error_set(err, DL_EINVAL,
				    "no DUT address to ping; declare dut.addresses");
	struct icmp_state *s = calloc(1, sizeof(*s));
	if (!s)
		return dl_error_set(err, DL_ENOMEM, "out of memory");
	p->state = s;
	s->next_ns = now_ns;
	for (size_t i = 0; i < c->address_count; i++) {
		struct icmp_target *t = &s->targets[i];
		t->fd = -1;
		s->count = i + 1;
		int rc = sock_address_parse(c->addresses[i], 0, &t->address, err);
		if (rc) {
			icmp_stop(p);
			return rc;
		}
		sock_address_text(&t->address, t->text, sizeof(t->text));
		int v6 = sock_address_family(&t->address) == AF_INET6;
		int protocol = v6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP;
		/* a ping socket when net.ipv4.ping_group_range allows it, else raw (CAP_NET_RAW) */
		rc = sock_open(c->scope, &t->address, SOCK_DGRAM, protocol, c->interface, &t->fd,
			       NULL);
		if (rc) {
			rc = sock_open(c->scope, &t->address, SOCK_RAW, protocol, c->interface,
				       &t->fd, err);
			t->raw = true;
		}
		if (rc) {
			icmp_stop(p);
			if (rc == DL_EIO)
				return dl_error_prefix(err,
						       "ICMP echo to %s (needs CAP_NET_RAW or "
						       "net.ipv4.ping_group_range)",
						       t->text);
			return dl_error_prefix(err, "ICMP echo to %s", t->text);
		}
		t->id = (uint16_t)((getpid() * 31 + (int)i) & 0xffff);
		int one = 1;
		if (!t->raw)
			setsockopt(t->fd, v6 ? SOL_IPV6 : SOL_IP, v6 ? IPV6_RECVERR : IP_RECVERR,
				   &one, sizeof(one));
		else if (!v6) {
			/* Linux ICMP_FILTER (raw(7)): only echo replies and unreachables,
			 * not the replies an ICMP fuzz campaign provokes */
			uint32_t blocked = ~((1u << 0) | (1u << 3));
			setsockopt(t->fd, SOL_RAW, 1, &blocked, sizeof(blocked));
		} else if (t->raw) {
			struct icmp6_filter filter;
			ICMP6_FILTER_SETBLOCKALL(&filter);
			ICMP6_FILTER_SETPASS(ICMP6_ECHO_REPLY, &filter);
			ICMP6_FILTER_SETPASS(ICMP6_DST_UNREACH, &filter);
			setsockopt(t->fd, IPPROTO_ICMPV6, ICMP6_FILTER, &filter, sizeof(filter));
		}
	}
	return 0;
}

static void send_round(struct icmp_state *s, int64_t now_ns)
{
	for (size_t i = 0; i < s->count; i++) {
		struct icmp_target *t = &s->targets[i];
		t->answered = false;
		t->reason[0] = '\0';
		t->seq++;
		bool v6 = sock_address_family(&t->address) == AF_INET6;
		uint8_t echo[40] = {v6 ? 128 : 8,
				    0,
				    0,
				    0,
				    (uint8_t)(t->id >> 8),
				    (uint8_t)t->id,
				    (uint8_t)(t->seq >> 8),
				    (uint8_t)t->seq};
		memcpy(echo + 8, "dutlab health monitor", 21);
		if (!v6) { /* the kernel sums ICMPv6 (and ping sockets); raw ICMPv4 is ours */
			uint16_t sum = checksum(echo, sizeof(echo));
			echo[2] = (uint8_t)(sum >> 8);
			echo[3] = (uint8_t)sum;
		}
		if (sendto(t->fd, echo, sizeof(echo), 0,
			   (const struct sockaddr *)&t->address.storage, t->address.length) < 0)
			snprintf(t->reason, sizeof(t->reason), "send: %s", strerror(errno));
	}
	s->in_flight = true;
	s->sent_ns = now_ns;
}

static const char *unreachable_text(bool v6, unsigned code)
{
	if (!v6 && (code == 9 || code == 10 || code == 13))
		return "administratively prohibited";
	if (v6 && code == 1)
		return "administratively prohibited";
	return "unreachable";
}

/* Read what arrived on t (bounded), marking the echo reply or an ICMP error. */
/* A ping socket hears of ICMP errors through its error queue (IP_RECVERR). */
static void read_error_queue(struct icmp_target *t, bool v6)
{
	for (int n = 0; n < 16; n++) {
		uint8_t data[128];
		union {
			struct cmsghdr align;
			uint8_t bytes[512];
		} control;
		struct iovec iov = {.iov_base = data, .iov_len = sizeof(data)};
		struct msghdr msg = {.msg_iov = &iov,
				     .msg_iovlen = 1,
				     .msg_control = control.bytes,
				     .msg_controllen = sizeof(control.bytes)};
		if (recvmsg(t->fd, &msg, MSG_ERRQUEUE) < 0)
			return;
		for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
			if (!((c->cmsg_level == SOL_IP && c->cmsg_type == IP_RECVERR) ||
			      (c->cmsg_level == SOL_IPV6 && c->cmsg_type == IPV6_RECVERR)))
				continue;
			struct sock_extended_err ee;
			if (c->cmsg_len < CMSG_LEN(sizeof(ee)))
				continue;
			memcpy(&ee, CMSG_DATA(c), sizeof(ee));
			if (ee.ee_origin != SO_EE_ORIGIN_ICMP && ee.ee_origin != SO_EE_ORIGIN_ICMP6)
				continue;
			struct sock_address offender = {0};
			size_t room = c->cmsg_len - CMSG_LEN(sizeof(ee));
			size_t length =
				v6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
			char sender[INET6_ADDRSTRLEN] = "?";
			if (room >= length) {
				memcpy(&offender.storage, CMSG_DATA(c) + sizeof(ee), length);
				offender.length = (socklen_t)length;
				sock_address_text(&offender, sender, sizeof(sender));
			}
			if (ee.ee_type == (v6 ? 1 : 3))
				snprintf(t->reason, sizeof(t->reason),
					 "destination unreachable (code %u, %s) from %s",
					 ee.ee_code, unreachable_text(v6, ee.ee_code), sender);
			else
				snprintf(t->reason, sizeof(t->reason),
					 "ICMP error type %u code %u from %s", ee.ee_type,
					 ee.ee_code, sender);
		}
	}
}

static void drain(struct icmp_target *t)
{
	bool v6 = sock_address_family(&t->address) == AF_INET6;
	uint8_t buf[1500];
	for (int n = 0; n < 2048 && !t->answered; n++) {
		struct sockaddr_storage from;
		socklen_t from_length = sizeof(from);
		ssize_t got = recvfrom(t->fd, buf, sizeof(buf), 0, (struct sockaddr *)&from,
				       &from_length);
		if (got < 0) {
			int e = errno;
			if (e == EAGAIN || e == EWOULDBLOCK)
				break;
			if (e != EINTR) /* a pending socket error; data may follow it */
				snprintf(t->reason, sizeof(t->reason), "%s", strerror(e));
			continue;
		}
		size_t at = 0;
		if (t->raw && !v6) {
			if (got < 20)
				continue;
			at = (size_t)(buf[0] & 0x0f) * 4;
		}
		if ((size_t)got < at + 8)
			continue;
		const uint8_t *icmp = buf + at;
		size_t icmp_length = (size_t)got - at;
		uint16_t seq = (uint16_t)(icmp[6] << 8 | icmp[7]);
		uint16_t id = (uint16_t)(icmp[4] << 8 | icmp[5]);
		bool from_target =
			from.ss_family == t->address.storage.ss_family &&
			(v6 ? memcmp(&((struct sockaddr_in6 *)&from)->sin6_addr,
				     &((struct sockaddr_in6 *)&t->address.storage)->sin6_addr,
				     16) == 0
			    : ((struct sockaddr_in *)&from)->sin_addr.s_addr ==
					 ((struct sockaddr_in *)&t->address.storage)
						 ->sin_addr.s_addr);
		uint8_t reply = v6 ? 129 : 0, unreachable = v6 ? 1 : 3;
		if (icmp[0] == reply && from_target && seq == t->seq && (!t->raw || id == t->id)) {
			t->answered = true;
		} else if (icmp[0] == unreachable && icmp_length >= 8 + (v6 ? 48u : 28u)) {
			/* the echo it quotes must be ours: after the quoted IP header */
			size_t quoted = v6 ? 8 + 40 : 8 + (size_t)(icmp[8] & 0x0f) * 4;
			if (icmp_length >= quoted + 8 && icmp[quoted] == (v6 ? 128 : 8)) {
				char sender[INET6_ADDRSTRLEN] = "?";
				struct sock_address a = {.storage = from, .length = from_length};
				sock_address_text(&a, sender, sizeof(sender));
				snprintf(t->reason, sizeof(t->reason),
					 "destination unreachable (code %u, %s) from %s", icmp[1],
					 unreachable_text(v6, icmp[1]), sender);
			}
		}
	}
	if (!t->raw && !t->answered)
		read_error_queue(t, v6);
}

static int icmp_poll(struct health_probe *p, int64_t now_ns, struct health_sample *out,
		     struct dl_error *err)
{
	(void)err;
	struct icmp_state *s = p->state;
	if (!s->in_flight) {
		if (now_ns < s->next_ns)
			return 0;
		send_round(s, now_ns);
		s->next_ns = now_ns + (int64_t)p->interval_ms * 1000000;
	}
	bool all = true;
	for (size_t i = 0; i < s->count; i++) {
		if (!s->targets[i].answered)
			drain(&s->targets[i]);
		all = all && s->targets[i].answered;
	}
	int64_t elapsed_ms = (now_ns - s->sent_ns) / 1000000;
	if (all) {
		s->in_flight = false;
		out->outcome = HEALTH_OK;
		snprintf(out->evidence, sizeof(out->evidence),
			 "ICMP echo answered by %zu address%s", s->count,
			 s->count == 1 ? "" : "es");
		return 0;
	}
	if (elapsed_ms < (int64_t)p->timeout_ms)
		return 0;
	s->in_flight = false;
	out->outcome = HEALTH_FAIL;
	size_t used = 0;
	for (size_t i = 0; i < s->count && used < sizeof(out->evidence); i++) {
		const struct icmp_target *t = &s->targets[i];
		if (t->answered)
			continue;
		if (t->reason[0])
			used += (size_t)snprintf(out->evidence + used, sizeof(out->evidence) - used,
						 "%sICMP echo to %s: %s", used ? "; " : "", t->text,
						 t->reason);
		else
			used += (size_t)snprintf(out->evidence + used, sizeof(out->evidence) - used,
						 "%sICMP echo to %s unanswered in %u ms",
						 used ? "; " : "", t->text, p->timeout_ms);
	}
	return 0;
}

const struct health_monitor health_monitor_icmp = {
	.name = "icmp",
	.summary = "ICMP echo to every DUT address (IPv4 and IPv6) answered",
	.threshold = 3,
	.interval_ms = 1000,
	.timeout_ms = 1000,
	.start = icmp_start,
	.poll = icmp_poll,
	.stop = icmp_stop,
};
