/* tcp-scan: a full TCP connect() scan of one address, many connects in flight under epoll */
#ifndef DUTLAB_NET_TCP_SCAN_H
#define DUTLAB_NET_TCP_SCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct dl_error;
struct scope;
struct sock_address;

#define TCP_SCAN_WINDOW_DEFAULT 2048
#define TCP_SCAN_TIMEOUT_MS_DEFAULT 1000

enum tcp_scan_method {
	TCP_SCAN_AUTO = 0, /* SYN when a raw socket can be opened, else connect */
	TCP_SCAN_SYN,      /* half-open: raw SYNs, answers read from a raw socket */
	TCP_SCAN_CONNECT,  /* full handshakes with non-blocking connect() */
};

struct tcp_scan_options {
	enum tcp_scan_method method;
	uint16_t first_port; /* 0 means 1 */
	uint16_t last_port;  /* 0 means 65535 */
	unsigned window;     /* connects in flight; 0 = TCP_SCAN_WINDOW_DEFAULT */
	unsigned timeout_ms; /* one attempt; 0 = TCP_SCAN_TIMEOUT_MS_DEFAULT */
	unsigned retries;    /* extra attempts for ports that timed out (filtered) */
	unsigned max_rate;   /* SYN method: packets per second at most; 0 = as fast as it goes
			      * (a capture of the scan keeps up at about 200000) */
	/* Called about every 1024 ports; may be NULL. */
	void (*progress)(void *opaque, uint64_t done, uint64_t total);
	void *progress_opaque;
};

struct tcp_scan_result {
	uint16_t *open; /* sorted ascending; owned, free with tcp_scan_result_release() */
	size_t open_count;
	uint32_t closed;   /* answered with a reset */
	uint32_t filtered; /* no answer after every attempt, or an ICMP unreachable */
	uint32_t retried;  /* ports that needed a second attempt */
	uint32_t scanned;  /* ports with a final state; less than the range when cut short */
	uint32_t total;    /* ports in the range */
	bool complete;     /* false when the deadline cut the scan short */
	unsigned window;   /* the in-flight window actually used */
	enum tcp_scan_method method; /* the one used: SYN or CONNECT */
	int64_t duration_ns;
};

/*
 * Scan target (its port is ignored) from the sockets sock_open() gives:
 * every socket passes scope_permit() and is bound to interface when not
 * NULL. SYN method: a port is open when it answers SYN/ACK (our kernel then
 * resets it, as it has no socket for it), closed on a reset. CONNECT method:
 * open when the handshake completes (the connection is then reset, so no
 * TIME_WAIT stays), closed on a reset. Both: filtered on silence after the
 * retries or an ICMP unreachable. Returns 0 with *out filled (also when deadline_ns cut
 * it short: then out->complete is false), or a negative DL_E* when nothing
 * could be sent (out of scope, no such interface).
 */
int tcp_scan(const struct scope *scope, const char *interface, const struct sock_address *target,
	     const struct tcp_scan_options *options, int64_t deadline_ns,
	     struct tcp_scan_result *out, struct dl_error *err);
void tcp_scan_result_release(struct tcp_scan_result *r);
const char *tcp_scan_method_name(enum tcp_scan_method m); /* "syn", "connect" */

#endif
