/* udp: one request/reply exchange over a connected, scoped UDP socket */
#include "core/compat.h"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/error.h"
#include "net/sock.h"
#include "net/udp.h"

const char *udp_outcome_name(enum udp_outcome o)
{
	switch (o) {
	case UDP_ANSWERED: return "answered";
	case UDP_CLOSED: return "closed";
	default: return "silent";
	}
}

int udp_exchange(const struct scope *scope, const char *interface,
		 const struct sock_address *destination, const uint8_t *request, size_t length,
		 uint8_t *reply, size_t cap, size_t *got, unsigned attempts, int64_t deadline_ns,
		 enum udp_outcome *outcome, struct dl_error *err)
{
	*got = 0;
	*outcome = UDP_SILENT;
	if (attempts == 0)
		attempts = 1;
	int fd = -1;
	int rc = sock_open(scope, destination, SOCK_DGRAM, 0, interface, &fd, err);
	if (rc < 0)
		return rc;
	if (connect(fd, (const struct sockaddr *)&destination->storage, destination->length) < 0) {
		rc = dl_error_set(err, DL_EIO, "udp: connect: %s", strerror(errno));
		goto out;
	}
	for (unsigned attempt = 0; attempt < attempts; attempt++) {
		int64_t now = sock_now_ns();
		if (now >= deadline_ns)
			break;
		int64_t attempt_deadline = now + (deadline_ns - now) / (attempts - attempt);
		if (send(fd, request, length, MSG_NOSIGNAL) < 0) {
			if (errno == ECONNREFUSED) { /* an earlier attempt's ICMP */
				*outcome = UDP_CLOSED;
				goto out;
			}
			rc = dl_error_set(err, DL_EIO, "udp: send: %s", strerror(errno));
			goto out;
		}
		for (;;) {
			int wait_ms = sock_remaining_ms(attempt_deadline, 1000);
			if (wait_ms == 0)
				break;
			struct pollfd pfd = {.fd = fd, .events = POLLIN};
			int n = poll(&pfd, 1, wait_ms);
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0)
				continue;
			ssize_t r = recv(fd, reply, cap, MSG_DONTWAIT);
			if (r >= 0) {
				*got = (size_t)r;
				*outcome = UDP_ANSWERED;
				goto out;
			}
			if (errno == ECONNREFUSED) {
				*outcome = UDP_CLOSED;
				goto out;
			}
			if (errno == EAGAIN || errno == EINTR)
				continue;
			/* Other ICMP errors (host or network unreachable) say
			 * nothing about the port: treat as silence. */
			break;
		}
	}
out:
	close(fd);
	return rc;
}
