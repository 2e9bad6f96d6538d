/* sock: scoped, deadline-bound sockets: every socket dutlab sends from is opened here */
#include "core/compat.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <linux/tcp.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "core/error.h"
#include "core/text.h"
#include "net/scope.h"
#include "net/sock.h"

int64_t sock_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int sock_remaining_ms(int64_t deadline_ns, int cap_ms)
{
	int64_t left = deadline_ns - sock_now_ns();
	if (left <= 0)
		return 0;
	int64_t ms = (left + 999999) / 1000000;
	if (ms > cap_ms)
		return cap_ms;
	return (int)ms;
}

int sock_address_parse(const char *text, uint16_t port, struct sock_address *out,
		       struct dl_error *err)
{
	memset(out, 0, sizeof(*out));
	if (!text)
		return dl_error_set(err, DL_EINVAL,
				    "no address given; pass an IPv4 or IPv6 address");
	struct sockaddr_in *in4 = (struct sockaddr_in *)&out->storage;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&out->storage;
	if (inet_pton(AF_INET, text, &in4->sin_addr) == 1) {
		in4->sin_family = AF_INET;
		in4->sin_port = htons(port);
		out->length = sizeof(*in4);
		return 0;
	}
	if (inet_pton(AF_INET6, text, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons(port);
		out->length = sizeof(*in6);
		return 0;
	}
	return dl_error_set(err, DL_EINVAL,
			    "'%s' is not a numeric IPv4 or IPv6 address; write it as 198.18.1.2 "
			    "or fd00:198:0:1::2",
			    text);
}

int sock_endpoint_parse(const char *text, uint16_t default_port, char *address, size_t size,
			uint16_t *port, struct dl_error *err)
{
	const char *port_text = NULL, *written = text;
	size_t n;
	*port = default_port;
	if (text[0] == '[') {
		const char *end = strchr(text, ']');
		if (!end || (end[1] != '\0' && end[1] != ':'))
			goto bad;
		n = (size_t)(end - text - 1);
		port_text = end[1] == ':' ? end + 2 : NULL;
		text++;
	} else {
		const char *colon = strchr(text, ':');
		bool one_colon = colon && !strchr(colon + 1, ':');
		n = one_colon ? (size_t)(colon - text) : strlen(text); /* else a bare IPv6 */
		port_text = one_colon ? colon + 1 : NULL;
	}
	if (n == 0 || n >= size)
		goto bad;
	memcpy(address, text, n);
	address[n] = '\0';
	long value = default_port;
	if (port_text && text_parse_long(port_text, 1, 65535, &value) != 0)
		goto bad;
	*port = (uint16_t)value;
	struct sock_address check;
	if (sock_address_parse(address, *port, &check, NULL) == 0)
		return 0;
bad:
	return dl_error_set(err, DL_EINVAL,
			    "'%.80s' is not ADDRESS[:PORT] with a numeric address; write "
			    "198.18.1.2:443 or [fd00:198::2]:443",
			    written);
}

void sock_address_set_port(struct sock_address *a, uint16_t port)
{
	if (a->storage.ss_family == AF_INET)
		((struct sockaddr_in *)&a->storage)->sin_port = htons(port);
	else if (a->storage.ss_family == AF_INET6)
		((struct sockaddr_in6 *)&a->storage)->sin6_port = htons(port);
}

int sock_address_family(const struct sock_address *a)
{
	return a->storage.ss_family;
}

const char *sock_address_text(const struct sock_address *a, char *buf, size_t size)
{
	const void *raw = NULL;
	if (a->storage.ss_family == AF_INET)
		raw = &((const struct sockaddr_in *)&a->storage)->sin_addr;
	else if (a->storage.ss_family == AF_INET6)
		raw = &((const struct sockaddr_in6 *)&a->storage)->sin6_addr;
	if (!raw || !inet_ntop(a->storage.ss_family, raw, buf, (socklen_t)size)) {
		if (size > 0)
			buf[0] = '\0';
		return buf;
	}
	return buf;
}

const char *sock_interface(const struct scope *scope)
{
	if (!scope || scope->interface_count == 0)
		return NULL;
	return scope->interfaces[0];
}

int sock_packet_open(const struct scope *scope, const char *interface, const char *destination,
		     int type, uint16_t ethertype, int *fd_out, struct dl_error *err)
{
	*fd_out = -1;
	int rc = destination ? scope_permit_text(scope, destination, interface, err)
			     : scope_permit(scope, NULL, 0, interface, err);
	if (rc)
		return rc;
	int index = interface ? (int)if_nametoindex(interface) : 0;
	if (index == 0)
		return dl_error_set(err, DL_ENOTFOUND, "interface '%s' does not exist here",
				    interface ? interface : "(none)");
	int fd = socket(AF_PACKET, type | SOCK_NONBLOCK | SOCK_CLOEXEC, htons(ethertype));
	if (fd < 0)
		return dl_error_set(err, DL_EIO, "AF_PACKET socket: %s; dutlab needs CAP_NET_RAW",
				    strerror(errno));
	struct sockaddr_ll bind_to = {
		.sll_family = AF_PACKET, .sll_protocol = htons(ethertype), .sll_ifindex = index};
	if (bind(fd, (const struct sockaddr *)&bind_to, sizeof(bind_to)) < 0) {
		int e = errno;
		close(fd);
		return dl_error_set(err, DL_EIO, "binding to interface '%s': %s", interface,
				    strerror(e));
	}
	/* our own frames (a campaign's among them) are not what a monitor reads */
	int one = 1;
	(void)setsockopt(fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof(one));
	*fd_out = fd;
	return 0;
}

int sock_open(const struct scope *scope, const struct sock_address *destination, int type,
	      int protocol, const char *interface, int *fd_out, struct dl_error *err)
{
	*fd_out = -1;
	int rc = scope_permit(scope, (const struct sockaddr *)&destination->storage,
			      destination->length, interface, err);
	if (rc < 0)
		return rc;
	int fd = socket(destination->storage.ss_family, type | SOCK_NONBLOCK | SOCK_CLOEXEC,
			protocol);
	if (fd < 0) {
		int e = errno;
		return dl_error_set(err, DL_EIO, "socket(): %s%s", strerror(e),
				    e == EMFILE ? "; raise the open-file limit (ulimit -n)" : "");
	}
	if (interface) {
		size_t n = strlen(interface);
		if (n >= IFNAMSIZ || setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, interface,
						(socklen_t)(n + 1)) < 0) {
			int e = n >= IFNAMSIZ ? ENAMETOOLONG : errno;
			close(fd);
			return dl_error_set(
				err, DL_EIO,
				"cannot bind to interface '%s': %s; check that it exists "
				"here and that dutlab has CAP_NET_RAW",
				interface, strerror(e));
		}
	}
	*fd_out = fd;
	return 0;
}

int sock_connect(int fd, const struct sock_address *destination, int64_t deadline_ns,
		 int *errno_out, struct dl_error *err)
{
	char text[INET6_ADDRSTRLEN];
	uint16_t port =
		ntohs(destination->storage.ss_family == AF_INET
			      ? ((const struct sockaddr_in *)&destination->storage)->sin_port
			      : ((const struct sockaddr_in6 *)&destination->storage)->sin6_port);
	if (errno_out)
		*errno_out = 0;
	if (connect(fd, (const struct sockaddr *)&destination->storage, destination->length) == 0)
		return 0;
	if (errno != EINPROGRESS) {
		int e = errno;
		if (errno_out)
			*errno_out = e;
		return dl_error_set(err, DL_EIO, "connect to %s port %u: %s",
				    sock_address_text(destination, text, sizeof(text)), port,
				    strerror(e));
	}
	for (;;) {
		int wait_ms = sock_remaining_ms(deadline_ns, 1000);
		if (wait_ms == 0) {
			if (errno_out)
				*errno_out = ETIMEDOUT;
			return dl_error_set(err, DL_ETIMEDOUT, "connect to %s port %u: no answer",
					    sock_address_text(destination, text, sizeof(text)),
					    port);
		}
		struct pollfd p = {.fd = fd, .events = POLLOUT};
		int n = poll(&p, 1, wait_ms);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			continue;
		int so_error = 0;
		socklen_t len = sizeof(so_error);
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &so_error, &len) < 0)
			so_error = errno;
		if (so_error == 0)
			return 0;
		if (errno_out)
			*errno_out = so_error;
		return dl_error_set(err, DL_EIO, "connect to %s port %u: %s",
				    sock_address_text(destination, text, sizeof(text)), port,
				    strerror(so_error));
	}
}

int sock_tcp_md5(int fd, const struct sock_address *peer, const char *key, struct dl_error *err)
{
	struct tcp_md5sig sig;
	memset(&sig, 0, sizeof(sig));
	size_t length = strlen(key);
	if (length == 0 || length > TCP_MD5SIG_MAXKEYLEN)
		return dl_error_set(err, DL_EINVAL,
				    "TCP-MD5 key of %zu bytes; give 1 to %d (RFC 2385, the peer's "
				    "configured password)",
				    length, TCP_MD5SIG_MAXKEYLEN);
	if ((size_t)peer->length > sizeof(sig.tcpm_addr))
		return dl_error_set(err, DL_EINVAL, "TCP-MD5: peer address too long");
	memcpy(&sig.tcpm_addr, &peer->storage, (size_t)peer->length);
	sig.tcpm_keylen = (uint16_t)length;
	memcpy(sig.tcpm_key, key, length);
	if (setsockopt(fd, IPPROTO_TCP, TCP_MD5SIG, &sig, sizeof(sig)) < 0) {
		char text[INET6_ADDRSTRLEN];
		return dl_error_set(err, DL_EIO,
				    "TCP-MD5 key for %s: %s; the kernel needs CONFIG_TCP_MD5SIG",
				    sock_address_text(peer, text, sizeof(text)), strerror(errno));
	}
	return 0;
}

int sock_tcp_connect(const struct scope *scope, const struct sock_address *destination,
		     const char *interface, int64_t deadline_ns, int *fd_out, struct dl_error *err)
{
	return sock_tcp_connect_keyed(scope, destination, interface, NULL, deadline_ns, fd_out,
				      err);
}

int sock_tcp_connect_keyed(const struct scope *scope, const struct sock_address *destination,
			   const char *interface, const char *md5_key, int64_t deadline_ns,
			   int *fd_out, struct dl_error *err)
{
	return sock_tcp_connect_from(scope, destination, NULL, interface, md5_key, deadline_ns,
				     fd_out, err);
}

int sock_tcp_connect_from(const struct scope *scope, const struct sock_address *destination,
			  const struct sock_address *source, const char *interface,
			  const char *md5_key, int64_t deadline_ns, int *fd_out,
			  struct dl_error *err)
{
	int fd = -1;
	if (source) {
		struct dl_error why;
		if (scope_permit(scope, (const struct sockaddr *)&source->storage, source->length,
				 interface, &why) != 0)
			return dl_error_set(err, DL_ESCOPE, "source address: %s", why.message);
	}
	int rc = sock_open(scope, destination, SOCK_STREAM, 0, interface, &fd, err);
	if (rc < 0)
		return rc;
	if (source && bind(fd, (const struct sockaddr *)&source->storage, source->length) != 0) {
		char text[INET6_ADDRSTRLEN] = "?";
		const struct sockaddr_in *in = (const struct sockaddr_in *)&source->storage;
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)&source->storage;
		if (in->sin_family == AF_INET)
			inet_ntop(AF_INET, &in->sin_addr, text, sizeof(text));
		else
			inet_ntop(AF_INET6, &in6->sin6_addr, text, sizeof(text));
		rc = dl_error_set(err, DL_EIO,
				  "cannot connect from %s: %s (add the address to the tester "
				  "port, or remove it from the profile)",
				  text, strerror(errno));
		close(fd);
		return rc;
	}
	/* the key signs the SYN already: set before connect() */
	if (md5_key && (rc = sock_tcp_md5(fd, destination, md5_key, err)) != 0) {
		close(fd);
		return rc;
	}
	rc = sock_connect(fd, destination, deadline_ns, NULL, err);
	if (rc < 0) {
		close(fd);
		return rc;
	}
	*fd_out = fd;
	return 0;
}

int sock_send_all(int fd, const void *data, size_t length, int64_t deadline_ns,
		  struct dl_error *err)
{
	const uint8_t *p = data;
	size_t sent = 0;
	while (sent < length) {
		ssize_t n = send(fd, p + sent, length - sent, MSG_NOSIGNAL);
		if (n > 0) {
			sent += (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
			return dl_error_set(err, DL_EIO, "send: %s", strerror(errno));
		int wait_ms = sock_remaining_ms(deadline_ns, 1000);
		if (wait_ms == 0)
			return dl_error_set(err, DL_ETIMEDOUT, "send: the peer stopped reading");
		struct pollfd pfd = {.fd = fd, .events = POLLOUT};
		poll(&pfd, 1, wait_ms);
	}
	return 0;
}

int sock_recv_some(int fd, void *buf, size_t size, int64_t deadline_ns, int quiet_ms, size_t *got,
		   struct dl_error *err)
{
	uint8_t *p = buf;
	*got = 0;
	while (*got < size) {
		int wait_ms = sock_remaining_ms(deadline_ns, 1000);
		if (*got > 0 && quiet_ms > 0 && wait_ms > quiet_ms)
			wait_ms = quiet_ms;
		if (wait_ms == 0)
			return 0;
		struct pollfd pfd = {.fd = fd, .events = POLLIN};
		int n = poll(&pfd, 1, wait_ms);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return dl_error_set(err, DL_EIO, "poll: %s", strerror(errno));
		if (n == 0) {
			if (*got > 0 && quiet_ms > 0)
				return 0;
			continue;
		}
		ssize_t r = recv(fd, p + *got, size - *got, 0);
		if (r == 0)
			return 0;
		if (r < 0) {
			if (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK)
				continue;
			if (*got > 0 && (errno == ECONNRESET || errno == EPIPE))
				return 0;
			return dl_error_set(err, DL_EIO, "recv: %s", strerror(errno));
		}
		*got += (size_t)r;
	}
	return 0;
}

void sock_close_reset(int fd)
{
	if (fd < 0)
		return;
	struct linger l = {.l_onoff = 1, .l_linger = 0};
	setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
	close(fd);
}

/* The guard for a raw IP destination: an address inside scope.networks, or a link-scoped
 * multicast group (224.0.0.0/24, RFC 5771: OSPF's 224.0.0.5 and .6), which no router forwards,
 * on an interface the profile declares. */
static int sock_permit_raw(const struct scope *scope, const struct in_addr *to,
			   const char *interface, struct dl_error *err)
{
	const uint8_t *a = (const uint8_t *)&to->s_addr;
	if (a[0] == 224 && a[1] == 0 && a[2] == 0) {
		if (!interface)
			return dl_error_set(err, DL_ESCOPE,
					    "the link-local group %u.%u.%u.%u needs the tester "
					    "interface it is sent on; refusing to send",
					    a[0], a[1], a[2], a[3]);
		return scope_permit(scope, NULL, 0, interface, err);
	}
	struct sockaddr_in in = {.sin_family = AF_INET, .sin_addr = *to};
	return scope_permit(scope, (const struct sockaddr *)&in, sizeof(in), interface, err);
}

int sock_raw_ip_open(const struct scope *scope, const struct in_addr *destination, int protocol,
		     const struct in_addr *group, const struct in_addr *local,
		     const char *interface, int *fd_out, struct dl_error *err)
{
	*fd_out = -1;
	int rc = sock_permit_raw(scope, destination, interface, err);
	if (!rc && group)
		rc = sock_permit_raw(scope, group, interface, err);
	if (rc)
		return rc;
	const uint8_t *g = group ? (const uint8_t *)&group->s_addr : NULL;
	if (g && !(g[0] == 224 && g[1] == 0 && g[2] == 0))
		return dl_error_set(err, DL_ESCOPE,
				    "%u.%u.%u.%u is not a link-local group (224.0.0.0/24); "
				    "refusing to join it",
				    g[0], g[1], g[2], g[3]);
	struct sock_address to = {.length = sizeof(struct sockaddr_in)};
	struct sockaddr_in *sin = (struct sockaddr_in *)&to.storage;
	sin->sin_family = AF_INET;
	sin->sin_addr = *destination;
	int fd = -1;
	rc = sock_open(scope, &to, SOCK_RAW, protocol, interface, &fd, err);
	if (rc)
		return rc;
	int zero = 0, one = 1;
	struct ip_mreqn join = {.imr_multiaddr = group ? *group : (struct in_addr){0},
				.imr_address = local ? *local : (struct in_addr){0},
				.imr_ifindex = interface ? (int)if_nametoindex(interface) : 0};
	/* RFC 2328 A.1: TTL 1 and nothing routed; our own packets not read back */
	if (setsockopt(fd, IPPROTO_IP, IP_TTL, &one, sizeof(one)) < 0 ||
	    setsockopt(fd, IPPROTO_IP, IP_MULTICAST_TTL, &one, sizeof(one)) < 0 ||
	    setsockopt(fd, IPPROTO_IP, IP_MULTICAST_LOOP, &zero, sizeof(zero)) < 0 ||
	    (group && (setsockopt(fd, IPPROTO_IP, IP_MULTICAST_IF, &join, sizeof(join)) < 0 ||
		       setsockopt(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &join, sizeof(join)) < 0))) {
		int e = errno;
		close(fd);
		return dl_error_set(err, DL_EIO,
				    "cannot set up the raw IP protocol %d socket on '%s': %s",
				    protocol, interface ? interface : "(routed)", strerror(e));
	}
	*fd_out = fd;
	return 0;
}

int sock_raw_ip_send(const struct scope *scope, int fd, const struct in_addr *to,
		     const char *interface, const void *data, size_t length, struct dl_error *err)
{
	int rc = sock_permit_raw(scope, to, interface, err);
	if (rc)
		return rc;
	struct sockaddr_in sin = {.sin_family = AF_INET, .sin_addr = *to};
	ssize_t sent = sendto(fd, data, length, 0, (const struct sockaddr *)&sin, sizeof(sin));
	if (sent != (ssize_t)length)
		return dl_error_set(err, DL_EIO, "raw IP send of %zu bytes: %s", length,
				    sent < 0 ? strerror(errno) : "cut short");
	return 0;
}
