/* tcp-scan: a full TCP connect() scan of one address, many connects in flight under epoll */
#include "core/compat.h"

#include <linux/filter.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "core/error.h"
#include "net/scope.h"
#include "net/sock.h"
#include "net/tcp-scan.h"

/*
 * Two methods. connect() needs no privilege but costs a socket, a bind to
 * the interface, an epoll registration and a close per port: about 19 us a
 * port on the lab's veth links, 1.2 s for 65535 ports against nmap -sS -T4's
 * 0.7 s (measured). The SYN method sends hand-built SYNs on raw sockets
 * (sendmmsg, 64 at a time) and reads the SYN/ACKs and resets from them; our
 * kernel resets every SYN/ACK itself because no socket owns the source port,
 * which a bound, non-listening TCP socket reserves for the scan. 65535 ports
 * take 0.20 s with both CPUs of the lab host free and 0.40 s with one.
 * Nearly all of that CPU time is the kernel's: the SYN crossing the veth,
 * the DUT's reset, our IP input (dropping every answer before it reaches the
 * raw sockets saved 2%; building the IP header ourselves saved nothing).
 * bench/scan-vs-nmap.sh measures it against nmap.
 */

enum port_state {
	PORT_UNKNOWN = 0,
	PORT_OPEN,
	PORT_CLOSED,
	PORT_FILTERED,
	PORT_TIMED_OUT, /* waiting for a retry */
	PORT_IN_FLIGHT,
};

struct slot {
	int fd; /* -1 when free */
	uint16_t port;
	int64_t started_ns;
};

struct scan {
	const struct scope *scope;
	const char *interface;
	struct sock_address target;
	int epoll_fd;
	struct slot *slots;
	unsigned window;
	unsigned in_flight;
	unsigned *free_slots; /* stack of free slot indexes */
	unsigned free_count;
	uint8_t state[65536];
	int64_t timeout_ns;
	/* SYN method: workers own disjoint port ranges and source ports, so
	 * each writes only its own ports' state and sent_ns */
	uint8_t source[16], destination[16];
	uint32_t secret;
	int64_t sent_ns[65536];
};

static unsigned window_for_fd_limit(unsigned wanted)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return wanted > 512 ? 512 : wanted;
	rlim_t need = (rlim_t)wanted + 128;
	if (rl.rlim_cur < need) {
		rlim_t raised =
			rl.rlim_max == RLIM_INFINITY || rl.rlim_max >= need ? need : rl.rlim_max;
		struct rlimit set = {.rlim_cur = raised, .rlim_max = rl.rlim_max};
		if (setrlimit(RLIMIT_NOFILE, &set) == 0)
			rl.rlim_cur = raised;
	}
	if (rl.rlim_cur < 256)
		return 64;
	if (rl.rlim_cur - 128 < wanted)
		return (unsigned)(rl.rlim_cur - 128);
	return wanted;
}

static void slot_release(struct scan *s, unsigned index)
{
	struct slot *slot = &s->slots[index];
	if (slot->fd >= 0) {
		epoll_ctl(s->epoll_fd, EPOLL_CTL_DEL, slot->fd, NULL);
		sock_close_reset(slot->fd);
	}
	slot->fd = -1;
	s->free_slots[s->free_count++] = index;
	s->in_flight--;
}

/* Start one connect; 0, 1 when the window or the kernel is out of room
 * (try again later), or a negative DL_E* that stops the scan. */
static int start_connect(struct scan *s, uint16_t port, struct dl_error *err)
{
	if (s->free_count == 0)
		return 1;
	struct sock_address a = s->target;
	sock_address_set_port(&a, port);
	int fd = -1;
	struct dl_error local;
	int rc = sock_open(s->scope, &a, SOCK_STREAM, 0, s->interface, &fd, &local);
	if (rc == DL_ESCOPE) {
		if (err)
			*err = local;
		return rc;
	}
	if (rc < 0) {
		if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM)
			return 1;
		if (err)
			*err = local;
		return rc;
	}
	int r = connect(fd, (const struct sockaddr *)&a.storage, a.length);
	if (r < 0 && errno != EINPROGRESS) {
		int e = errno;
		close(fd);
		if (e == ECONNREFUSED) {
			s->state[port] = PORT_CLOSED;
			return 0;
		}
		if (e == EAGAIN || e == EADDRNOTAVAIL || e == ENOBUFS)
			return 1;
		if (e == ENETUNREACH || e == EHOSTUNREACH || e == EACCES || e == EPERM) {
			s->state[port] = PORT_FILTERED;
			return 0;
		}
		return dl_error_set(err, DL_EIO, "tcp scan: connect to port %u: %s", port,
				    strerror(e));
	}
	unsigned index = s->free_slots[--s->free_count];
	struct slot *slot = &s->slots[index];
	slot->fd = fd;
	slot->port = port;
	slot->started_ns = sock_now_ns();
	s->in_flight++;
	if (r == 0) {
		s->state[port] = PORT_OPEN;
		slot_release(s, index);
		return 0;
	}
	struct epoll_event ev = {.events = EPOLLOUT, .data.u32 = index};
	if (epoll_ctl(s->epoll_fd, EPOLL_CTL_ADD, fd, &ev) < 0) {
		int e = errno;
		slot_release(s, index);
		return dl_error_set(err, DL_EIO, "tcp scan: epoll_ctl: %s", strerror(e));
	}
	return 0;
}

static void finish_slot(struct scan *s, unsigned index)
{
	struct slot *slot = &s->slots[index];
	int so_error = 0;
	socklen_t len = sizeof(so_error);
	if (getsockopt(slot->fd, SOL_SOCKET, SO_ERROR, &so_error, &len) < 0)
		so_error = errno;
	if (so_error == 0)
		s->state[slot->port] = PORT_OPEN;
	else if (so_error == ECONNREFUSED)
		s->state[slot->port] = PORT_CLOSED;
	else if (so_error == ETIMEDOUT)
		s->state[slot->port] = PORT_TIMED_OUT;
	else
		s->state[slot->port] = PORT_FILTERED; /* unreachable, prohibited */
	slot_release(s, index);
}

static void expire_slots(struct scan *s, int64_t now)
{
	for (unsigned i = 0; i < s->window; i++) {
		struct slot *slot = &s->slots[i];
		if (slot->fd >= 0 && now - slot->started_ns >= s->timeout_ns) {
			s->state[slot->port] = PORT_TIMED_OUT;
			slot_release(s, i);
		}
	}
}

static void wait_events(struct scan *s, int timeout_ms)
{
	struct epoll_event events[256];
	int n = epoll_wait(s->epoll_fd, events, (int)DL_ARRAY_SIZE(events), timeout_ms);
	for (int i = 0; i < n; i++) {
		unsigned index = events[i].data.u32;
		if (index < s->window && s->slots[index].fd >= 0)
			finish_slot(s, index);
	}
}

/* One pass over the ports whose state is `wanted` (UNKNOWN first, then
 * TIMED_OUT for a retry). Returns 0, DL_ETIMEDOUT, or another DL_E*. */
static int connect_pass(struct scan *s, uint16_t first, uint16_t last, uint8_t wanted,
			const struct tcp_scan_options *o, int64_t deadline_ns, uint32_t *done,
			uint32_t total, struct dl_error *err)
{
	uint32_t port = first;
	uint32_t reported = 0;
	int64_t last_sweep = sock_now_ns();
	for (;;) {
		while (port <= last && s->state[port] != wanted)
			port++;
		while (port <= last) {
			int rc = start_connect(s, (uint16_t)port, err);
			if (rc < 0)
				return rc;
			if (rc == 1)
				break;
			if (s->state[port] == wanted) /* undecided: in flight */
				s->state[port] = PORT_IN_FLIGHT;
			port++;
			while (port <= last && s->state[port] != wanted)
				port++;
		}
		if (port > last && s->in_flight == 0)
			return 0;
		int64_t now = sock_now_ns();
		if (now >= deadline_ns)
			return DL_ETIMEDOUT;
		wait_events(s, s->in_flight ? 5 : 1);
		now = sock_now_ns();
		if (now - last_sweep >= 5000000) {
			expire_slots(s, now);
			last_sweep = now;
		}
		if (o->progress) {
			uint32_t d = *done + (port - first);
			if (d - reported >= 1024) {
				o->progress(o->progress_opaque, d > total ? total : d, total);
				reported = d;
			}
		}
	}
}

#define SYN_WORKERS_MAX 4

/* One sender: its own raw socket (the socket lock serialises a send with
 * the peer's answer processed in the same softirq, so parallel sockets are
 * what spreads the work over the CPUs), its own source port and its own
 * part of the port range. */
struct syn_worker {
	struct scan *scan;
	int raw_fd;
	int reserve_fd; /* holds the source port so no local socket answers for it */
	uint16_t source_port;
	uint16_t first, last;
	unsigned workers; /* how many share the range (and the rate) */
	uint8_t wanted;   /* the state of the ports this pass sends to */
	unsigned window;
	unsigned in_flight;
	uint16_t fifo[65536]; /* ports in the order sent, for timeouts */
	uint32_t fifo_head, fifo_count;
	int64_t deadline_ns;
	const struct tcp_scan_options *options;
	uint32_t total;
	int rc;
	struct dl_error err;
};

/* The sequence number of the SYN to port: an answer acknowledges it + 1,
 * so stray packets to the source port are told apart from answers. */
static uint32_t syn_cookie(const struct scan *s, uint16_t port)
{
	uint32_t x = s->secret + (uint32_t)port * 0x9E3779B1u;
	x ^= x >> 16;
	x *= 0x85EBCA6Bu;
	x ^= x >> 13;
	return x;
}

static uint16_t checksum_finish(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static uint32_t checksum_add(uint32_t sum, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (n & 1)
		sum += (uint32_t)p[n - 1] << 8;
	return sum;
}

#define SYN_LENGTH 24 /* TCP header with one option: MSS 1460 (RFC 9293 3.1) */

static void syn_build(const struct syn_worker *w, uint16_t port, uint8_t *p)
{
	const struct scan *s = w->scan;
	uint32_t seq = syn_cookie(s, port);
	memset(p, 0, SYN_LENGTH);
	p[0] = (uint8_t)(w->source_port >> 8);
	p[1] = (uint8_t)w->source_port;
	p[2] = (uint8_t)(port >> 8);
	p[3] = (uint8_t)port;
	p[4] = (uint8_t)(seq >> 24);
	p[5] = (uint8_t)(seq >> 16);
	p[6] = (uint8_t)(seq >> 8);
	p[7] = (uint8_t)seq;
	p[12] = (SYN_LENGTH / 4) << 4;
	p[13] = 0x02; /* SYN */
	p[14] = 0x04; /* window 1024 */
	p[20] = 2;    /* MSS */
	p[21] = 4;
	p[22] = 0x05;
	p[23] = 0xb4;
	size_t address_length = s->target.storage.ss_family == AF_INET ? 4 : 16;
	uint32_t sum = checksum_add(0, s->source, address_length);
	sum = checksum_add(sum, s->destination, address_length);
	sum += IPPROTO_TCP + SYN_LENGTH;
	sum = checksum_add(sum, p, SYN_LENGTH);
	uint16_t c = checksum_finish(sum);
	p[16] = (uint8_t)(c >> 8);
	p[17] = (uint8_t)c;
}

/* One packet from the raw socket: TCP (after the IPv4 header for AF_INET). */
static void syn_answer(struct syn_worker *w, const uint8_t *p, size_t n,
		       const struct sockaddr *from)
{
	struct scan *s = w->scan;
	if (s->target.storage.ss_family == AF_INET) {
		if (n < 20 || (p[0] >> 4) != 4 || p[9] != IPPROTO_TCP)
			return;
		size_t header = (size_t)(p[0] & 0x0f) * 4;
		if (header < 20 || n < header || memcmp(p + 12, s->destination, 4) != 0)
			return;
		p += header;
		n -= header;
	} else {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)from;
		if (in6->sin6_family != AF_INET6 ||
		    memcmp(&in6->sin6_addr, s->destination, 16) != 0)
			return;
	}
	if (n < 20)
		return;
	uint16_t remote_port = (uint16_t)(p[0] << 8 | p[1]);
	uint16_t local_port = (uint16_t)(p[2] << 8 | p[3]);
	if (local_port != w->source_port || remote_port < w->first || remote_port > w->last)
		return;
	uint32_t ack = (uint32_t)p[8] << 24 | (uint32_t)p[9] << 16 | (uint32_t)p[10] << 8 | p[11];
	if (ack != syn_cookie(s, remote_port) + 1)
		return;
	uint8_t flags = p[13];
	uint8_t *state = &s->state[remote_port];
	if (*state != PORT_IN_FLIGHT && *state != PORT_TIMED_OUT)
		return; /* a retransmission, or already decided */
	enum port_state decided;
	if ((flags & 0x12) == 0x12)
		decided = PORT_OPEN;
	else if (flags & 0x04)
		decided = PORT_CLOSED;
	else
		return;
	if (*state == PORT_IN_FLIGHT)
		w->in_flight--;
	*state = (uint8_t)decided;
}

static void syn_receive(struct syn_worker *w)
{
	enum { BATCH = 64, SNAP = 96 };
	uint8_t buffers[BATCH][SNAP];
	struct mmsghdr messages[BATCH];
	struct iovec iov[BATCH];
	struct sockaddr_storage from[BATCH];
	for (int rounds = 0; rounds < 1024; rounds++) {
		for (int i = 0; i < BATCH; i++) {
			iov[i] = (struct iovec){.iov_base = buffers[i], .iov_len = SNAP};
			messages[i] = (struct mmsghdr){
				.msg_hdr = {.msg_name = &from[i],
					    .msg_namelen = sizeof(from[i]),
					    .msg_iov = &iov[i],
					    .msg_iovlen = 1},
			};
		}
		int n = recvmmsg(w->raw_fd, messages, BATCH, MSG_DONTWAIT, NULL);
		if (n <= 0)
			return;
		for (int i = 0; i < n; i++) {
			size_t length = messages[i].msg_len < SNAP ? messages[i].msg_len : SNAP;
			syn_answer(w, buffers[i], length, (const struct sockaddr *)&from[i]);
		}
		if (n < BATCH)
			return;
	}
}

static void syn_expire(struct syn_worker *w, int64_t now)
{
	struct scan *s = w->scan;
	while (w->fifo_count > 0) {
		uint16_t port = w->fifo[w->fifo_head];
		if (s->state[port] == PORT_IN_FLIGHT) {
			if (now - s->sent_ns[port] < s->timeout_ns)
				return;
			s->state[port] = PORT_TIMED_OUT;
			w->in_flight--;
		}
		w->fifo_head = (w->fifo_head + 1) & 0xffff;
		w->fifo_count--;
	}
}

/* One pass over the worker's ports in state w->wanted. 0, DL_ETIMEDOUT or DL_EIO. */
static int syn_pass(struct syn_worker *w)
{
	enum { BATCH = 64 };
	struct scan *s = w->scan;
	uint8_t packets[BATCH][SYN_LENGTH];
	struct mmsghdr messages[BATCH];
	struct iovec iov[BATCH];
	uint16_t ports[BATCH];
	struct sock_address to = s->target;
	sock_address_set_port(&to, 0); /* raw IPv6 sockets take 0 or the protocol */
	uint32_t port = w->first;
	uint32_t reported = 0;
	const struct tcp_scan_options *o = w->options;
	int64_t pass_started = sock_now_ns();
	uint64_t pass_sent = 0;
	unsigned workers = w->workers ? w->workers : 1;
	w->in_flight = 0;
	w->fifo_head = 0;
	w->fifo_count = 0;
	for (;;) {
		int64_t now = sock_now_ns();
		if (now >= w->deadline_ns)
			return DL_ETIMEDOUT;
		int budget = BATCH;
		if (o->max_rate) {
			/* this worker's share of the rate, as a token count */
			uint64_t allowed = (uint64_t)((now - pass_started) / 1000) * o->max_rate /
						   workers / 1000000u +
					   BATCH;
			budget = allowed > pass_sent
					 ? (int)(allowed - pass_sent < BATCH ? allowed - pass_sent
									     : BATCH)
					 : 0;
		}
		int count = 0;
		while (port <= w->last && count < budget &&
		       w->in_flight + (unsigned)count < w->window) {
			if (s->state[port] == w->wanted) {
				syn_build(w, (uint16_t)port, packets[count]);
				ports[count] = (uint16_t)port;
				iov[count] = (struct iovec){.iov_base = packets[count],
							    .iov_len = SYN_LENGTH};
				messages[count] = (struct mmsghdr){
					.msg_hdr = {.msg_name = &to.storage,
						    .msg_namelen = to.length,
						    .msg_iov = &iov[count],
						    .msg_iovlen = 1},
				};
				count++;
			}
			port++;
		}
		int sent = 0;
		while (sent < count) {
			/* Mark before sending: the answer may be processed
			 * inside the send call on a local link. */
			for (int i = sent; i < count; i++) {
				s->state[ports[i]] = PORT_IN_FLIGHT;
				s->sent_ns[ports[i]] = now;
			}
			int n = sendmmsg(w->raw_fd, messages + sent, (unsigned)(count - sent), 0);
			int accepted = n > 0 ? n : 0;
			for (int i = sent; i < sent + accepted; i++) {
				w->fifo[(w->fifo_head + w->fifo_count) & 0xffff] = ports[i];
				w->fifo_count++;
				w->in_flight++;
			}
			for (int i = sent + accepted; i < count; i++)
				s->state[ports[i]] = w->wanted;
			sent += accepted;
			pass_sent += (uint64_t)accepted;
			if (n > 0)
				continue;
			if (n < 0 && (errno == EAGAIN || errno == ENOBUFS || errno == EINTR)) {
				syn_receive(w);
				struct pollfd pfd = {.fd = w->raw_fd, .events = POLLOUT};
				poll(&pfd, 1, 1);
				if (sock_now_ns() >= w->deadline_ns)
					return DL_ETIMEDOUT;
				continue;
			}
			return dl_error_set(&w->err, DL_EIO, "tcp scan: sending a SYN: %s",
					    strerror(errno));
		}
		syn_receive(w);
		syn_expire(w, sock_now_ns());
		if (port > w->last && w->in_flight == 0)
			return 0;
		if (count == 0) {
			struct pollfd pfd = {.fd = w->raw_fd, .events = POLLIN};
			poll(&pfd, 1, 1);
		}
		if (o->progress && w->first == o->first_port && w->wanted == PORT_UNKNOWN &&
		    port - w->first - reported >= 1024) {
			/* the first worker speaks for all: they advance together */
			reported = port - w->first;
			uint64_t done = (uint64_t)reported * w->total / (w->last - w->first + 1u);
			o->progress(o->progress_opaque, done > w->total ? w->total : done,
				    w->total);
		}
	}
}

static void *syn_worker_run(void *opaque)
{
	struct syn_worker *w = opaque;
	w->rc = syn_pass(w);
	return NULL;
}

/* Learn the source address the kernel would use toward the target: a
 * connected UDP socket sends nothing but knows it. */
static int syn_source(struct scan *s, struct dl_error *err)
{
	int probe = -1;
	int rc = sock_open(s->scope, &s->target, SOCK_DGRAM, 0, s->interface, &probe, err);
	if (rc < 0)
		return rc;
	struct sock_address to = s->target;
	struct sock_address local = {.length = sizeof(local.storage)};
	sock_address_set_port(&to, 9);
	if (connect(probe, (const struct sockaddr *)&to.storage, to.length) < 0 ||
	    getsockname(probe, (struct sockaddr *)&local.storage, &local.length) < 0) {
		int e = errno;
		close(probe);
		return dl_error_set(err, DL_EIO, "tcp scan: no route to the target: %s",
				    strerror(e));
	}
	close(probe);
	if (s->target.storage.ss_family == AF_INET) {
		memcpy(s->source, &((struct sockaddr_in *)&local.storage)->sin_addr, 4);
		memcpy(s->destination, &((struct sockaddr_in *)&s->target.storage)->sin_addr, 4);
	} else {
		memcpy(s->source, &((struct sockaddr_in6 *)&local.storage)->sin6_addr, 16);
		memcpy(s->destination, &((struct sockaddr_in6 *)&s->target.storage)->sin6_addr, 16);
	}
	return 0;
}

/* Let only answers to this worker's source port into its socket: every raw
 * TCP socket gets a copy of every TCP packet otherwise. IPv4 raw sockets
 * see the IP header first, IPv6 ones the TCP header. */
static void syn_worker_filter(struct syn_worker *w)
{
	bool v4 = w->scan->target.storage.ss_family == AF_INET;
	struct sock_filter v4_code[] = {
		BPF_STMT(BPF_LDX | BPF_B | BPF_MSH, 0),
		BPF_STMT(BPF_LD | BPF_H | BPF_IND, 2),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, w->source_port, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, 0xffff),
		BPF_STMT(BPF_RET | BPF_K, 0),
	};
	struct sock_filter v6_code[] = {
		BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 2),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, w->source_port, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, 0xffff),
		BPF_STMT(BPF_RET | BPF_K, 0),
	};
	struct sock_fprog program = {
		.len = v4 ? DL_ARRAY_SIZE(v4_code) : DL_ARRAY_SIZE(v6_code),
		.filter = v4 ? v4_code : v6_code,
	};
	/* Without the filter the worker still drops foreign packets itself. */
	setsockopt(w->raw_fd, SOL_SOCKET, SO_ATTACH_FILTER, &program, sizeof(program));
}

/* A raw socket and a reserved source port for one worker. 0,
 * DL_EUNSUPPORTED (no raw sockets here: use connect) or another DL_E*. */
static int syn_worker_open(struct syn_worker *w, struct dl_error *err)
{
	struct scan *s = w->scan;
	int family = s->target.storage.ss_family;
	int rc = sock_open(s->scope, &s->target, SOCK_RAW, IPPROTO_TCP, s->interface, &w->raw_fd,
			   err);
	if (rc < 0) {
		if (rc == DL_EIO && (errno == EPERM || errno == EACCES))
			return dl_error_set(err, DL_EUNSUPPORTED,
					    "tcp scan: no raw sockets without CAP_NET_RAW");
		return rc;
	}
	int size = 4 << 20;
	if (setsockopt(w->raw_fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)) < 0)
		setsockopt(w->raw_fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	struct sock_address local = {.length = family == AF_INET ? sizeof(struct sockaddr_in)
								 : sizeof(struct sockaddr_in6)};
	local.storage.ss_family = (sa_family_t)family;
	if (family == AF_INET)
		memcpy(&((struct sockaddr_in *)&local.storage)->sin_addr, s->source, 4);
	else
		memcpy(&((struct sockaddr_in6 *)&local.storage)->sin6_addr, s->source, 16);
	w->reserve_fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (w->reserve_fd < 0 ||
	    bind(w->reserve_fd, (const struct sockaddr *)&local.storage, local.length) < 0 ||
	    getsockname(w->reserve_fd, (struct sockaddr *)&local.storage, &local.length) < 0)
		return dl_error_set(err, DL_EIO, "tcp scan: cannot reserve a source port: %s",
				    strerror(errno));
	w->source_port =
		ntohs(family == AF_INET ? ((struct sockaddr_in *)&local.storage)->sin_port
					: ((struct sockaddr_in6 *)&local.storage)->sin6_port);
	syn_worker_filter(w);
	return 0;
}

static void syn_worker_close(struct syn_worker *w)
{
	if (w->raw_fd >= 0)
		close(w->raw_fd);
	if (w->reserve_fd >= 0)
		close(w->reserve_fd);
	w->raw_fd = -1;
	w->reserve_fd = -1;
}

static unsigned syn_worker_count(uint32_t total, unsigned max_rate)
{
	/* Measured on 2 CPUs: 1 worker 0.36 s, 2 0.27-0.40 s, 3 and 4 0.20 s
	 * for 65535 ports; more sockets than CPUs keep both busy while one
	 * waits for its socket lock. */
	unsigned n = SYN_WORKERS_MAX;
	if (total < 4096 || (max_rate && max_rate <= 150000))
		n = 1; /* one worker sends 180000 a second: leave the CPUs to the capture */
	const char *forced = getenv("DUTLAB_SCAN_WORKERS");
	if (forced && forced[0] >= '1' && forced[0] <= '4' && !forced[1])
		n = (unsigned)(forced[0] - '0');
	return n;
}

/* Run a pass of the SYN method over [first, last] for ports in state wanted. */
static int syn_run(struct scan *s, struct syn_worker *workers, unsigned count, uint8_t wanted,
		   struct dl_error *err)
{
	pthread_t threads[SYN_WORKERS_MAX];
	bool started[SYN_WORKERS_MAX] = {false};
	for (unsigned i = 0; i < count; i++) {
		workers[i].wanted = wanted;
		workers[i].rc = 0;
		if (i > 0 && pthread_create(&threads[i], NULL, syn_worker_run, &workers[i]) == 0)
			started[i] = true;
		else if (i > 0)
			syn_worker_run(&workers[i]);
	}
	syn_worker_run(&workers[0]);
	for (unsigned i = 1; i < count; i++)
		if (started[i])
			pthread_join(threads[i], NULL);
	int rc = 0;
	for (unsigned i = 0; i < count; i++) {
		if (workers[i].rc < 0 && (rc == 0 || rc == DL_ETIMEDOUT)) {
			rc = workers[i].rc;
			if (err && rc != DL_ETIMEDOUT)
				*err = workers[i].err;
		}
	}
	(void)s;
	return rc;
}
const char *tcp_scan_method_name(enum tcp_scan_method m)
{
	switch (m) {
	case TCP_SCAN_SYN: return "syn";
	case TCP_SCAN_CONNECT: return "connect";
	default: return "auto";
	}
}

int tcp_scan(const struct scope *scope, const char *interface, const struct sock_address *target,
	     const struct tcp_scan_options *options, int64_t deadline_ns,
	     struct tcp_scan_result *out, struct dl_error *err)
{
	memset(out, 0, sizeof(*out));
	struct tcp_scan_options o = options ? *options : (struct tcp_scan_options){0};
	uint16_t first = o.first_port ? o.first_port : 1;
	uint16_t last = o.last_port ? o.last_port : 65535;
	if (first > last)
		return dl_error_set(err, DL_EINVAL, "tcp scan: first port %u is after last port %u",
				    first, last);
	int family = target->storage.ss_family;
	if (family != AF_INET && family != AF_INET6)
		return dl_error_set(err, DL_EINVAL, "tcp scan: the target is not IPv4 or IPv6");
	/* Refuse the whole address once up front, so an out-of-scope target
	 * gives one clear error rather than a scan of refusals. */
	int rc = scope_permit(scope, (const struct sockaddr *)&target->storage, target->length,
			      interface, err);
	if (rc < 0)
		return rc;

	struct scan *s = calloc(1, sizeof(*s));
	if (!s)
		return dl_error_set(err, DL_ENOMEM, "tcp scan: out of memory");
	s->epoll_fd = -1;
	s->scope = scope;
	s->interface = interface;
	s->target = *target;
	s->timeout_ns =
		(int64_t)(o.timeout_ms ? o.timeout_ms : TCP_SCAN_TIMEOUT_MS_DEFAULT) * 1000000;
	int64_t started = sock_now_ns();
	uint32_t total = (uint32_t)last - first + 1;
	out->total = total;
	out->complete = true;

	struct syn_worker *workers = NULL;
	unsigned worker_count = 0;
	enum tcp_scan_method method =
		o.method == TCP_SCAN_CONNECT ? TCP_SCAN_CONNECT : TCP_SCAN_SYN;
	if (method == TCP_SCAN_SYN) {
		worker_count = syn_worker_count(total, o.max_rate);
		workers = calloc(worker_count, sizeof(*workers));
		if (!workers) {
			rc = dl_error_set(err, DL_ENOMEM, "tcp scan: out of memory");
			goto out;
		}
		s->window = o.window ? o.window : TCP_SCAN_WINDOW_DEFAULT;
		s->secret = (uint32_t)sock_now_ns() ^ (uint32_t)getpid() << 16;
		struct dl_error setup_err = {0};
		rc = syn_source(s, &setup_err);
		uint32_t share = total / worker_count;
		for (unsigned i = 0; i < worker_count; i++) {
			struct syn_worker *w = &workers[i];
			w->raw_fd = -1;
			w->reserve_fd = -1;
			w->scan = s;
			w->first = (uint16_t)(first + i * share);
			w->last = i + 1 == worker_count ? last
							: (uint16_t)(first + (i + 1) * share - 1);
			w->window = s->window / worker_count ? s->window / worker_count : 1;
			w->workers = worker_count;
			w->deadline_ns = deadline_ns;
			w->options = &o;
			w->total = total;
			if (rc == 0)
				rc = syn_worker_open(w, &setup_err);
		}
		if (rc == DL_EUNSUPPORTED && o.method == TCP_SCAN_AUTO) {
			method = TCP_SCAN_CONNECT;
			rc = 0;
		} else if (rc < 0) {
			if (err)
				*err = setup_err;
			goto out;
		}
	}
	out->method = method;
	o.first_port = first; /* the first SYN worker reports progress */
	if (method == TCP_SCAN_SYN) {
		out->window = s->window;
		rc = syn_run(s, workers, worker_count, PORT_UNKNOWN, err);
	} else {
		s->window = window_for_fd_limit(o.window ? o.window : TCP_SCAN_WINDOW_DEFAULT);
		out->window = s->window;
		s->slots = calloc(s->window, sizeof(*s->slots));
		s->free_slots = calloc(s->window, sizeof(*s->free_slots));
		s->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
		if (!s->slots || !s->free_slots || s->epoll_fd < 0) {
			rc = dl_error_set(err, s->epoll_fd < 0 ? DL_EIO : DL_ENOMEM,
					  "tcp scan: cannot set up the scan: %s", strerror(errno));
			goto out;
		}
		for (unsigned i = 0; i < s->window; i++) {
			s->slots[i].fd = -1;
			s->free_slots[i] = s->window - 1 - i;
		}
		s->free_count = s->window;
		uint32_t done = 0;
		rc = connect_pass(s, first, last, PORT_UNKNOWN, &o, deadline_ns, &done, total, err);
	}
	for (unsigned attempt = 0; rc == 0 && attempt < o.retries; attempt++) {
		uint32_t waiting = 0;
		for (uint32_t p = first; p <= last; p++)
			if (s->state[p] == PORT_TIMED_OUT)
				waiting++;
		if (waiting == 0)
			break;
		out->retried += waiting;
		s->timeout_ns *= 2;
		if (method == TCP_SCAN_SYN) {
			rc = syn_run(s, workers, worker_count, PORT_TIMED_OUT, err);
		} else {
			uint32_t done = total;
			rc = connect_pass(s, first, last, PORT_TIMED_OUT, &o, deadline_ns, &done,
					  total, err);
		}
	}
	if (rc == DL_ETIMEDOUT) {
		out->complete = false;
		rc = 0;
	}
	for (unsigned i = 0; s->slots && i < s->window; i++)
		if (s->slots[i].fd >= 0)
			slot_release(s, i);
	if (rc < 0)
		goto out;

	size_t open_count = 0;
	for (uint32_t p = first; p <= last; p++)
		if (s->state[p] == PORT_OPEN)
			open_count++;
	out->open = calloc(open_count ? open_count : 1, sizeof(*out->open));
	if (!out->open) {
		rc = dl_error_set(err, DL_ENOMEM, "tcp scan: out of memory");
		goto out;
	}
	for (uint32_t p = first; p <= last; p++) {
		switch (s->state[p]) {
		case PORT_OPEN:
			out->open[out->open_count++] = (uint16_t)p;
			out->scanned++;
			break;
		case PORT_CLOSED:
			out->closed++;
			out->scanned++;
			break;
		case PORT_FILTERED:
		case PORT_TIMED_OUT:
			out->filtered++;
			out->scanned++;
			break;
		default: break; /* never decided: the deadline came first */
		}
	}
	if (out->scanned < total)
		out->complete = false;
	out->duration_ns = sock_now_ns() - started;
	if (o.progress)
		o.progress(o.progress_opaque, out->scanned, total);
out:
	if (s->epoll_fd >= 0)
		close(s->epoll_fd);
	for (unsigned i = 0; workers && i < worker_count; i++)
		syn_worker_close(&workers[i]);
	free(workers);
	free(s->slots);
	free(s->free_slots);
	free(s);
	if (rc < 0)
		tcp_scan_result_release(out);
	return rc;
}

void tcp_scan_result_release(struct tcp_scan_result *r)
{
	if (!r)
		return;
	free(r->open);
	r->open = NULL;
	r->open_count = 0;
}
