/* sock: scoped, deadline-bound sockets: every socket dutlab sends from is opened here */
#ifndef DUTLAB_NET_SOCK_H
#define DUTLAB_NET_SOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

struct dl_error;
struct scope;

/* Nanoseconds on CLOCK_MONOTONIC; every deadline in dutlab is on this clock. */
int64_t sock_now_ns(void);

/* Milliseconds left until deadline_ns (0 when it has passed), capped at cap_ms. */
int sock_remaining_ms(int64_t deadline_ns, int cap_ms);

/* A destination: an address and a port, kept with its length. */
struct sock_address {
	struct sockaddr_storage storage;
	socklen_t length;
};

/* Parse a numeric IPv4 or IPv6 address ("198.18.1.2", "fd00:198:0:1::2", an
 * optional "%zone" is refused) and set the port. 0 or DL_EINVAL. */
int sock_address_parse(const char *text, uint16_t port, struct sock_address *out,
		       struct dl_error *err);
void sock_address_set_port(struct sock_address *a, uint16_t port);

/* Split "198.18.1.2:443", "[fd00:198::2]:443", "198.18.1.2" or a bare IPv6
 * address into a numeric address (checked) and a port (default_port when
 * none is written). 0 or DL_EINVAL. */
int sock_endpoint_parse(const char *text, uint16_t default_port, char *address, size_t size,
			uint16_t *port, struct dl_error *err);
int sock_address_family(const struct sock_address *a);
/* "198.18.1.2" or "fd00:198:0:1::2" into buf (INET6_ADDRSTRLEN is enough). */
const char *sock_address_text(const struct sock_address *a, char *buf, size_t size);

/*
 * Open a non-blocking, close-on-exec socket for sending to destination,
 * after scope_permit() allowed it. When interface is not NULL the socket is
 * bound to it (SO_BINDTODEVICE), so nothing leaves by another route. type
 * is SOCK_STREAM, SOCK_DGRAM or SOCK_RAW (with protocol). On
 * success *fd_out is the socket; 0, DL_ESCOPE or DL_EIO.
 */
int sock_open(const struct scope *scope, const struct sock_address *destination, int type,
	      int protocol, const char *interface, int *fd_out, struct dl_error *err);

/*
 * A non-blocking AF_PACKET socket of type (SOCK_RAW: frames with their
 * Ethernet header; SOCK_DGRAM: without) for ethertype (host order; 0: it
 * only sends), bound to interface, after scope_permit() allowed the
 * interface (and destination, an address in text, when not NULL). Our own
 * outgoing frames are not read back. 0, DL_ESCOPE, DL_ENOTFOUND (no such
 * interface) or DL_EIO (no CAP_NET_RAW). The health monitors' link-layer
 * probes use it; bulk frame I/O goes through net/ring.h.
 */
int sock_packet_open(const struct scope *scope, const char *interface, const char *destination,
		     int type, uint16_t ethertype, int *fd_out, struct dl_error *err);

/*
 * A raw IPv4 socket of IP protocol protocol (OSPF's 89; the kernel writes
 * the IP header, reads return it) bound to interface, for sending to
 * destination and, when group is not NULL, to that group, joined from local
 * on interface. The scope guard allows destination inside scope.networks,
 * and a group only if it is link-scoped (224.0.0.0/24, RFC 5771: OSPF's
 * 224.0.0.5 and .6, which no router forwards) and interface is declared.
 * TTL 1 (RFC 2328 A.1), multicast not looped back. 0, DL_ESCOPE or DL_EIO
 * (no CAP_NET_RAW).
 */
struct in_addr;
int sock_raw_ip_open(const struct scope *scope, const struct in_addr *destination, int protocol,
		     const struct in_addr *group, const struct in_addr *local,
		     const char *interface, int *fd_out, struct dl_error *err);
/* Send one datagram on such a socket to to, the guard asked again for to. 0, DL_ESCOPE or
 * DL_EIO. */
int sock_raw_ip_send(const struct scope *scope, int fd, const struct in_addr *to,
		     const char *interface, const void *data, size_t length, struct dl_error *err);

/* Connect a socket from sock_open() and wait until connected or deadline_ns.
 * 0, DL_ETIMEDOUT, or DL_EIO (err names the errno: "connection refused"). On
 * failure *errno_out (if not NULL) holds the errno. */
int sock_connect(int fd, const struct sock_address *destination, int64_t deadline_ns,
		 int *errno_out, struct dl_error *err);

/* sock_open() + sock_connect() for TCP. */
int sock_tcp_connect(const struct scope *scope, const struct sock_address *destination,
		     const char *interface, int64_t deadline_ns, int *fd_out, struct dl_error *err);

/* The same, every segment signed with the TCP MD5 signature option (RFC
 * 2385) under md5_key when it is not NULL: what a BGP peer configured with
 * a password demands (a SYN without it is dropped unanswered). */
int sock_tcp_connect_keyed(const struct scope *scope, const struct sock_address *destination,
			   const char *interface, const char *md5_key, int64_t deadline_ns,
			   int *fd_out, struct dl_error *err);

/* The same from the local address source (its port 0: any; NULL: the kernel's choice): a
 * tester with several addresses on the port holds one session per address with a DUT that
 * keeps one per peer (BGP). The source must be inside the scope too (on interface), as a
 * destination: DL_ESCOPE otherwise; DL_EIO when it cannot be bound (not the host's). */
int sock_tcp_connect_from(const struct scope *scope, const struct sock_address *destination,
			  const struct sock_address *source, const char *interface,
			  const char *md5_key, int64_t deadline_ns, int *fd_out,
			  struct dl_error *err);

/* Sign fd's segments to or from peer with key (1 to 80 bytes): on a socket
 * before connect(), or on a listener for that peer. 0, DL_EINVAL or DL_EIO. */
int sock_tcp_md5(int fd, const struct sock_address *peer, const char *key, struct dl_error *err);

/* Send all of data before deadline_ns. 0, DL_ETIMEDOUT or DL_EIO. */
int sock_send_all(int fd, const void *data, size_t length, int64_t deadline_ns,
		  struct dl_error *err);

/*
 * Read into buf until size bytes arrived, the peer closed, deadline_ns
 * passed, or (when quiet_ms > 0) no byte came for quiet_ms after the first
 * one. *got is the count read. Returns 0 (including at the deadline, with
 * whatever arrived) or DL_EIO on a socket error other than a reset after data.
 */
int sock_recv_some(int fd, void *buf, size_t size, int64_t deadline_ns, int quiet_ms, size_t *got,
		   struct dl_error *err);

/* Close with a reset (SO_LINGER 0): no TIME_WAIT left behind by a scan. */
void sock_close_reset(int fd);

/* The interface dutlab binds to: the first of scope->interfaces, or NULL. */
const char *sock_interface(const struct scope *scope);

#endif
