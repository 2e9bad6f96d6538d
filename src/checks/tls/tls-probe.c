/* tls-probe: one probe = one TCP connection, one ClientHello, the reply by a deadline */
#include "core/compat.h"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "checks/tls/tls-probe.h"
#include "core/error.h"
#include "net/sock.h"
#include "proto/tls.h"

/* What one reply may take: the parser's handshake ceiling plus a header per
 * record; a server that sends more is cut there and parsed as far as it got. */
#define TLS_PROBE_READ_MAX (TLS_HANDSHAKE_MAX + TLS_RECORDS_MAX * TLS_RECORD_HEADER_LEN)

const char *tls_probe_outcome_name(enum tls_probe_outcome o)
{
	switch (o) {
	case TLS_PROBE_ANSWERED: return "answered";
	case TLS_PROBE_CLOSED: return "closed";
	case TLS_PROBE_SILENT: return "silent";
	case TLS_PROBE_GARBLED: return "not TLS";
	case TLS_PROBE_UNREACHABLE: return "unreachable";
	case TLS_PROBE_SKIPPED: return "skipped";
	}
	return "unknown";
}

int tls_prober_init(struct tls_prober *p, const struct scope *scope, const char *interface,
		    const char *address, uint16_t port, const char *server_name,
		    unsigned timeout_ms, int64_t deadline_ns, struct dl_error *err)
{
	memset(p, 0, sizeof(*p));
	int rc = sock_address_parse(address, port, &p->address, err);
	if (rc < 0)
		return rc;
	p->scope = scope;
	p->interface = interface;
	p->server_name = server_name;
	p->timeout_ms = timeout_ms ? timeout_ms : 3000;
	p->deadline_ns = deadline_ns;
	atomic_init(&p->connections, 0);
	atomic_init(&p->lost, 0);
	atomic_init(&p->unreachable, 0);
	atomic_init(&p->deadline_passed, false);
	return 0;
}

static int64_t probe_deadline(const struct tls_prober *p)
{
	int64_t d = sock_now_ns() + (int64_t)p->timeout_ms * 1000000;
	return d < p->deadline_ns ? d : p->deadline_ns;
}

/* Read until the reply is complete, the peer closes, or deadline_ns. */
static enum tls_probe_outcome read_reply(int fd, uint8_t *buf, struct tls_reply *reply,
					 int64_t deadline_ns)
{
	size_t got = 0;
	bool closed = false;
	struct dl_error perr;
	int rc = -1;
	/* bounded: each pass either reads at least one byte into a finite
	 * buffer, or waits towards the deadline */
	while (got < TLS_PROBE_READ_MAX) {
		int wait_ms = sock_remaining_ms(deadline_ns, 1000);
		if (wait_ms == 0)
			break;
		struct pollfd pfd = {.fd = fd, .events = POLLIN};
		int n = poll(&pfd, 1, wait_ms);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			continue;
		ssize_t r = recv(fd, buf + got, TLS_PROBE_READ_MAX - got, 0);
		if (r < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK))
			continue;
		if (r <= 0) {
			closed = true;
			break;
		}
		got += (size_t)r;
		rc = tls_parse_reply(buf, got, reply, &perr);
		if (rc == 0 && reply->complete)
			return TLS_PROBE_ANSWERED;
		if (rc < 0 && !reply->incomplete)
			break; /* not TLS, or TLS we cannot parse further */
	}
	if (got == 0)
		return closed ? TLS_PROBE_CLOSED : TLS_PROBE_SILENT;
	/* cut by a close or the deadline: an answer as far as it went, when
	 * that includes a ServerHello, an alert or a whole SSLv2 message */
	if (rc == 0 || reply->has_server_hello || reply->has_alert ||
	    (reply->ssl2 && reply->complete))
		return TLS_PROBE_ANSWERED;
	return TLS_PROBE_GARBLED;
}

int tls_probe_raw(struct tls_prober *p, const uint8_t *hello, size_t len, struct tls_reply *reply,
		  enum tls_probe_outcome *outcome, int *keep_fd, struct dl_error *err)
{
	if (keep_fd)
		*keep_fd = -1;
	memset(reply, 0, offsetof(struct tls_reply, handshake));
	*outcome = TLS_PROBE_SKIPPED;
	if (sock_now_ns() >= p->deadline_ns) {
		atomic_store(&p->deadline_passed, true);
		return 0;
	}
	int64_t deadline = probe_deadline(p);
	int fd = -1;
	int rc = sock_open(p->scope, &p->address, SOCK_STREAM, 0, p->interface, &fd, err);
	if (rc < 0)
		return rc;
	atomic_fetch_add(&p->connections, 1);
	struct dl_error cerr;
	if (sock_connect(fd, &p->address, deadline, NULL, &cerr) < 0) {
		close(fd);
		atomic_fetch_add(&p->unreachable, 1);
		atomic_fetch_add(&p->lost, 1);
		*outcome = TLS_PROBE_UNREACHABLE;
		return 0;
	}
	uint8_t *buf = malloc(TLS_PROBE_READ_MAX);
	if (!buf) {
		sock_close_reset(fd);
		return dl_error_set(err, DL_ENOMEM, "tls probe: out of memory for the reply");
	}
	if (sock_send_all(fd, hello, len, deadline, &cerr) < 0)
		*outcome = TLS_PROBE_CLOSED; /* a server that resets on our hello */
	else
		*outcome = read_reply(fd, buf, reply, deadline);
	free(buf);
	/* the SSLv2 certificate pointed into buf: do not leave it dangling */
	reply->ssl2_hello.certificate = NULL;
	if (*outcome == TLS_PROBE_SILENT)
		atomic_fetch_add(&p->lost, 1);
	if (keep_fd && *outcome == TLS_PROBE_ANSWERED)
		*keep_fd = fd;
	else
		sock_close_reset(fd);
	return 0;
}

int tls_probe(struct tls_prober *p, const struct tls_client_hello *hello, struct tls_reply *reply,
	      enum tls_probe_outcome *outcome, int *keep_fd, struct dl_error *err)
{
	uint8_t buf[TLS_CLIENT_HELLO_MAX + TLS_RECORD_HEADER_LEN];
	size_t len;
	int rc = tls_build_client_hello(buf, sizeof(buf), &len, hello, err);
	if (rc < 0)
		return rc;
	return tls_probe_raw(p, buf, len, reply, outcome, keep_fd, err);
}

int tls_probe_follow_up(struct tls_prober *p, int fd, const uint8_t *data, size_t len, uint8_t type,
			uint8_t *buf, size_t cap, size_t *got, bool *closed, struct dl_error *err)
{
	*got = 0;
	*closed = false;
	int64_t deadline = probe_deadline(p);
	if (sock_send_all(fd, data, len, deadline, err) < 0) {
		*closed = true;
		return 0;
	}
	while (*got < cap) {
		int wait_ms = sock_remaining_ms(deadline, 1000);
		if (wait_ms == 0)
			return 0;
		struct pollfd pfd = {.fd = fd, .events = POLLIN};
		int n = poll(&pfd, 1, wait_ms);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			continue;
		ssize_t r = recv(fd, buf + *got, cap - *got, 0);
		if (r < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK))
			continue;
		if (r <= 0) {
			*closed = true;
			return 0;
		}
		*got += (size_t)r;
		size_t at = 0, record_len;
		struct dl_error perr;
		if (tls_find_record(buf, *got, type, &at, &record_len, &perr) != 0)
			return 0; /* found, or not TLS: either way the caller decides */
		at = 0;
		if (tls_find_record(buf, *got, TLS_CONTENT_ALERT, &at, &record_len, &perr) == 1)
			return 0;
	}
	return 0;
}
