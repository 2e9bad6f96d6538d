/* health-syslogd: the syslog monitor: a UDP receiver for the DUT's syslog, failing on a bad line */
#include "core/compat.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <regex.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/error.h"
#include "fuzz/health.h"
#include "net/sock.h"

struct syslogd_state {
	int fds[2]; /* IPv4 and IPv6 receivers, -1 when that family is not needed */
	regex_t pattern;
	bool compiled;
	struct sock_address sources[HEALTH_ADDRESSES_MAX]; /* only the DUT is listened to */
	size_t source_count;
	uint64_t lines, ignored, malformed;
	int64_t next_ok_ns;
	struct health_syslog_message message; /* 2 KiB of scratch, here rather than on the stack */
};

static void syslogd_stop(struct health_probe *p)
{
	struct syslogd_state *s = p->state;
	if (!s)
		return;
	for (size_t i = 0; i < 2; i++)
		if (s->fds[i] >= 0)
			close(s->fds[i]);
	if (s->compiled)
		regfree(&s->pattern);
	free(s);
	p->state = NULL;
}

/* A receiver for family on the syslog port. It sends nothing, but it is
 * opened through sock_open() toward the DUT address all the same, so a
 * profile that does not cover the DUT cannot make dutlab listen for it. */
static int open_receiver(const struct health_config *c, const struct sock_address *dut,
			 uint16_t port, int *fd_out, struct dl_error *err)
{
	int rc = sock_open(c->scope, dut, SOCK_DGRAM, 0, c->interface, fd_out, err);
	if (rc)
		return rc;
	int one = 1;
	setsockopt(*fd_out, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	struct sock_address any = {0};
	if (sock_address_family(dut) == AF_INET6) {
		setsockopt(*fd_out, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
		sock_address_parse("::", port, &any, NULL);
	} else {
		sock_address_parse("0.0.0.0", port, &any, NULL);
	}
	/* Listen on the address the DUT reaches us at, not on every one: two
	 * campaigns side by side in one tester namespace (a lab's good and bad
	 * firewall) each hear their own DUT on the same port. Where the route
	 * lookup fails, the wildcard. */
	struct sock_address local = {.length = sizeof(local.storage)};
	int probe = socket(sock_address_family(dut), SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (probe >= 0 &&
	    connect(probe, (const struct sockaddr *)&dut->storage, dut->length) == 0 &&
	    getsockname(probe, (struct sockaddr *)&local.storage, &local.length) == 0) {
		sock_address_set_port(&local, port);
		any = local;
	}
	if (probe >= 0)
		close(probe);
	if (bind(*fd_out, (const struct sockaddr *)&any.storage, any.length) < 0) {
		int e = errno;
		close(*fd_out);
		*fd_out = -1;
		return dl_error_set(err, DL_EIO,
				    "cannot listen on UDP port %u for the DUT's syslog: %s; stop "
				    "the local syslog receiver or choose another syslog port",
				    port, strerror(e));
	}
	return 0;
}

static int syslogd_start(struct health_probe *p, int64_t now_ns, struct dl_error *err)
{
	const struct health_config *c = p->config;
	if (c->address_count == 0)
		return dl_error_set(err, DL_EINVAL,
				    "no DUT address to hear; declare dut.addresses");
	struct syslogd_state *s = calloc(1, sizeof(*s));
	if (!s)
		return dl_error_set(err, DL_ENOMEM, "out of memory");
	s->fds[0] = s->fds[1] = -1;
	s->next_ok_ns = now_ns + (int64_t)p->interval_ms * 1000000;
	p->state = s;
	const char *pattern = c->syslog_pattern ? c->syslog_pattern : HEALTH_SYSLOG_PATTERN_DEFAULT;
	int e = regcomp(&s->pattern, pattern, REG_EXTENDED | REG_ICASE | REG_NOSUB);
	if (e) {
		char why[128];
		regerror(e, &s->pattern, why, sizeof(why));
		syslogd_stop(p);
		return dl_error_set(err, DL_EINVAL,
				    "syslog pattern '%.100s' is not an extended regex: %s", pattern,
				    why);
	}
	s->compiled = true;
	uint16_t port = c->syslog_port ? c->syslog_port : 514;
	for (size_t i = 0; i < c->address_count; i++) {
		struct sock_address *a = &s->sources[s->source_count];
		int rc = sock_address_parse(c->addresses[i], 0, a, err);
		if (rc) {
			syslogd_stop(p);
			return rc;
		}
		s->source_count++;
		size_t slot = sock_address_family(a) == AF_INET6;
		if (s->fds[slot] < 0 && (rc = open_receiver(c, a, port, &s->fds[slot], err)) != 0) {
			syslogd_stop(p);
			return rc;
		}
	}
	return 0;
}

static bool from_dut(const struct syslogd_state *s, const struct sockaddr_storage *from)
{
	for (size_t i = 0; i < s->source_count; i++) {
		const struct sockaddr_storage *a = &s->sources[i].storage;
		if (a->ss_family != from->ss_family)
			continue;
		if (a->ss_family == AF_INET &&
		    ((const struct sockaddr_in *)a)->sin_addr.s_addr ==
			    ((const struct sockaddr_in *)from)->sin_addr.s_addr)
			return true;
		if (a->ss_family == AF_INET6 &&
		    memcmp(&((const struct sockaddr_in6 *)a)->sin6_addr,
			   &((const struct sockaddr_in6 *)from)->sin6_addr, 16) == 0)
			return true;
	}
	return false;
}

/* One datagram: parsed when it can be, matched either way (a DUT in trouble
 * may well send a malformed line). True when it matched the pattern. */
static bool judge(struct syslogd_state *s, const uint8_t *data, size_t length, const char *sender,
		  struct health_sample *out)
{
	struct health_syslog_message *m = &s->message;
	char text[1200];
	const char *format;
	if (health_syslog_parse(data, length, m, NULL) == 0) {
		format = m->format == HEALTH_SYSLOG_RFC5424 ? "RFC 5424" : "RFC 3164";
		snprintf(text, sizeof(text), "%s%s%s", m->app_name, m->app_name[0] ? ": " : "",
			 m->msg);
	} else {
		s->malformed++;
		format = "malformed";
		size_t k = length < sizeof(text) - 1 ? length : sizeof(text) - 1;
		for (size_t i = 0; i < k; i++)
			text[i] = data[i] >= 0x20 && data[i] < 0x7f ? (char)data[i] : '?';
		text[k] = '\0';
	}
	if (regexec(&s->pattern, text, 0, NULL, 0) != 0)
		return false;
	out->outcome = HEALTH_FAIL;
	out->decisive = true;
	snprintf(out->evidence, sizeof(out->evidence), "syslog from %s (%s): '%.300s'", sender,
		 format, text);
	return true;
}

static int syslogd_poll(struct health_probe *p, int64_t now_ns, struct health_sample *out,
			struct dl_error *err)
{
	(void)err;
	struct syslogd_state *s = p->state;
	unsigned matched = 0;
	uint8_t buf[2048];
	for (size_t f = 0; f < 2; f++) {
		/* bounded per poll: a flood waits for the next one */
		for (int n = 0; s->fds[f] >= 0 && n < 256; n++) {
			struct sockaddr_storage from;
			socklen_t from_length = sizeof(from);
			ssize_t got = recvfrom(s->fds[f], buf, sizeof(buf), 0,
					       (struct sockaddr *)&from, &from_length);
			if (got < 0)
				break;
			if (!from_dut(s, &from)) {
				s->ignored++;
				continue;
			}
			s->lines++;
			char sender[INET6_ADDRSTRLEN];
			struct sock_address a = {.storage = from, .length = from_length};
			sock_address_text(&a, sender, sizeof(sender));
			struct health_sample sample = {.outcome = HEALTH_NONE};
			if (judge(s, buf, (size_t)got, sender, &sample) && matched++ == 0)
				*out = sample;
		}
	}
	if (matched > 1) {
		size_t used = strlen(out->evidence);
		snprintf(out->evidence + used, sizeof(out->evidence) - used, " and %u more",
			 matched - 1);
	}
	if (matched) {
		s->next_ok_ns = now_ns + (int64_t)p->interval_ms * 1000000;
		return 0;
	}
	if (now_ns >= s->next_ok_ns) {
		s->next_ok_ns = now_ns + (int64_t)p->interval_ms * 1000000;
		out->outcome = HEALTH_OK;
		snprintf(out->evidence, sizeof(out->evidence),
			 "syslog: %" PRIu64 " lines from the DUT, none matching (%" PRIu64
			 " malformed, %" PRIu64 " from others ignored)",
			 s->lines, s->malformed, s->ignored);
	}
	return 0;
}

const struct health_monitor health_monitor_syslog = {
	.name = "syslog",
	.summary = "no line of the DUT's syslog (UDP, RFC 5424/3164) matches the failure pattern",
	.threshold = 1,
	.interval_ms = 1000,
	.timeout_ms = 1000,
	.start = syslogd_start,
	.poll = syslogd_poll,
	.stop = syslogd_stop,
};
