/* health-tcp: the TCP connect monitor: the DUT's management port still accepts connections */
#include "core/compat.h"

#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

#include "core/error.h"
#include "fuzz/health.h"
#include "net/sock.h"

struct tcp_state {
	struct sock_address address;
	char text[INET6_ADDRSTRLEN + 8]; /* "198.18.12.2:22", "[fd00:198::2]:22" */
	int fd;                          /* a connect in progress, or -1 */
	int64_t started_ns, next_ns;
};

static void tcp_stop(struct health_probe *p)
{
	struct tcp_state *s = p->state;
	if (!s)
		return;
	sock_close_reset(s->fd);
	free(s);
	p->state = NULL;
}

static int tcp_start(struct health_probe *p, int64_t now_ns, struct dl_error *err)
{
	const struct health_config *c = p->config;
	if (c->address_count == 0 || c->tcp_port == 0)
		return dl_error_set(err, DL_EINVAL,
				    "needs a DUT address and a management port; declare "
				    "dut.addresses and a TCP service (or give --tcp-port)");
	struct tcp_state *s = calloc(1, sizeof(*s));
	if (!s)
		return dl_error_set(err, DL_ENOMEM, "out of memory");
	s->fd = -1;
	s->next_ns = now_ns;
	p->state = s;
	int rc = sock_address_parse(c->addresses[0], c->tcp_port, &s->address, err);
	if (rc) {
		tcp_stop(p);
		return rc;
	}
	char text[INET6_ADDRSTRLEN];
	sock_address_text(&s->address, text, sizeof(text));
	snprintf(s->text, sizeof(s->text),
		 sock_address_family(&s->address) == AF_INET6 ? "[%s]:%u" : "%s:%u", text,
		 c->tcp_port);
	/* refused by the scope guard now rather than at every probe */
	int fd = -1;
	rc = sock_open(c->scope, &s->address, SOCK_STREAM, 0, c->interface, &fd, err);
	sock_close_reset(fd);
	if (rc)
		tcp_stop(p);
	return rc;
}

static void conclude(struct tcp_state *s, int so_error, struct health_sample *out)
{
	sock_close_reset(s->fd); /* a reset: no TIME_WAIT piling up over eight hours */
	s->fd = -1;
	if (so_error == 0) {
		out->outcome = HEALTH_OK;
		snprintf(out->evidence, sizeof(out->evidence), "TCP connect to %s accepted",
			 s->text);
		return;
	}
	out->outcome = HEALTH_FAIL;
	snprintf(out->evidence, sizeof(out->evidence), "TCP connect to %s %s", s->text,
		 so_error == ECONNREFUSED ? "refused" : strerror(so_error));
}

static int tcp_poll(struct health_probe *p, int64_t now_ns, struct health_sample *out,
		    struct dl_error *err)
{
	struct tcp_state *s = p->state;
	if (s->fd < 0) {
		if (now_ns < s->next_ns)
			return 0;
		s->next_ns = now_ns + (int64_t)p->interval_ms * 1000000;
		int rc = sock_open(p->config->scope, &s->address, SOCK_STREAM, 0,
				   p->config->interface, &s->fd, err);
		if (rc)
			return rc;
		s->started_ns = now_ns;
		if (connect(s->fd, (const struct sockaddr *)&s->address.storage,
			    s->address.length) == 0) {
			conclude(s, 0, out);
			return 0;
		}
		if (errno != EINPROGRESS) {
			conclude(s, errno, out);
			return 0;
		}
	}
	struct pollfd pfd = {.fd = s->fd, .events = POLLOUT};
	if (poll(&pfd, 1, 0) > 0) {
		int so_error = 0;
		socklen_t length = sizeof(so_error);
		if (getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &so_error, &length) < 0)
			so_error = errno;
		conclude(s, so_error, out);
		return 0;
	}
	if ((now_ns - s->started_ns) / 1000000 >= (int64_t)p->timeout_ms) {
		sock_close_reset(s->fd);
		s->fd = -1;
		out->outcome = HEALTH_FAIL;
		snprintf(out->evidence, sizeof(out->evidence),
			 "TCP connect to %s unanswered in %u ms", s->text, p->timeout_ms);
	}
	return 0;
}

const struct health_monitor health_monitor_tcp = {
	.name = "tcp",
	.summary = "TCP connect to the DUT's management port accepted",
	.threshold = 3,
	.interval_ms = 1000,
	.timeout_ms = 2000,
	.start = tcp_start,
	.poll = tcp_poll,
	.stop = tcp_stop,
};
