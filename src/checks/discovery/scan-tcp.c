/* scan-tcp: identification of one open TCP port by its banner, a TLS handshake or a probe */
#include "core/compat.h"

#include <json-c/json.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <poll.h>

#include "checks/check.h"
#include "checks/discovery/identify.h"
#include "checks/discovery/scan-internal.h"
#include "core/error.h"
#include "net/capture.h"
#include "net/sigpipe.h"
#include "net/sock.h"

#define BANNER_WAIT_MS 800  /* services that speak first do so at once */
#define BANNER_QUIET_MS 200 /* stop reading once the banner paused */

struct exchange {
	uint8_t reply[IDENTIFY_BANNER_MAX];
	size_t got;
	bool tls;
	char tls_version[32];
	char tls_cipher[64];
};

/* Wait for the socket while OpenSSL wants to read or write. */
static bool tls_wait(SSL *ssl, int fd, int result, int64_t deadline_ns)
{
	int e = SSL_get_error(ssl, result);
	short events = e == SSL_ERROR_WANT_READ ? POLLIN : e == SSL_ERROR_WANT_WRITE ? POLLOUT : 0;
	if (!events)
		return false;
	int wait_ms = sock_remaining_ms(deadline_ns, 1000);
	if (wait_ms == 0)
		return false;
	struct pollfd p = {.fd = fd, .events = events};
	return poll(&p, 1, wait_ms) >= 0;
}

/* Connect, try a TLS handshake and, if it completes, send request inside
 * and read the answer. x->tls says whether the handshake completed. */
static void tls_exchange(struct scan_run *r, const struct sock_address *a, const uint8_t *request,
			 size_t length, int64_t deadline_ns, struct exchange *x)
{
	x->tls = false;
	x->got = 0;
	if (!r->tls)
		return;
	int fd = -1;
	struct dl_error err = {0};
	if (sock_tcp_connect(r->ctx->scope, a, r->interface, deadline_ns, &fd, &err) < 0)
		return;
	/* OpenSSL writes to the socket itself: a port that resets the probe (BGP's) must not
	 * kill us with SIGPIPE */
	struct sigpipe_hold hold;
	sigpipe_hold(&hold);
	SSL *ssl = SSL_new(r->tls);
	if (!ssl || SSL_set_fd(ssl, fd) != 1)
		goto out;
	for (;;) {
		int rc = SSL_connect(ssl);
		if (rc == 1)
			break;
		if (!tls_wait(ssl, fd, rc, deadline_ns))
			goto out;
	}
	x->tls = true;
	snprintf(x->tls_version, sizeof(x->tls_version), "%s", SSL_get_version(ssl));
	snprintf(x->tls_cipher, sizeof(x->tls_cipher), "%s", SSL_get_cipher_name(ssl));
	size_t sent = 0;
	while (sent < length) {
		int rc = SSL_write(ssl, request + sent, (int)(length - sent));
		if (rc > 0) {
			sent += (size_t)rc;
			continue;
		}
		if (!tls_wait(ssl, fd, rc, deadline_ns))
			goto out;
	}
	while (x->got < sizeof(x->reply)) {
		int rc = SSL_read(ssl, x->reply + x->got, (int)(sizeof(x->reply) - x->got));
		if (rc > 0) {
			x->got += (size_t)rc;
			continue;
		}
		if (!tls_wait(ssl, fd, rc, deadline_ns))
			break;
	}
out:
	ERR_clear_error();
	if (ssl) {
		SSL_shutdown(ssl);
		SSL_free(ssl);
	}
	sigpipe_release(&hold);
	sock_close_reset(fd);
}

/* Connect, send request (may be NULL: just listen), read what comes back. */
static int plain_exchange(struct scan_run *r, const struct sock_address *a, const uint8_t *request,
			  size_t length, int wait_ms, int64_t deadline_ns, struct exchange *x,
			  struct dl_error *err)
{
	x->got = 0;
	x->tls = false;
	int fd = -1;
	int rc = sock_tcp_connect(r->ctx->scope, a, r->interface,
				  scan_soon(deadline_ns, EXCHANGE_MS), &fd, err);
	if (rc < 0)
		return rc;
	if (request)
		rc = sock_send_all(fd, request, length, scan_soon(deadline_ns, EXCHANGE_MS), err);
	if (rc == 0)
		rc = sock_recv_some(fd, x->reply, sizeof(x->reply), scan_soon(deadline_ns, wait_ms),
				    BANNER_QUIET_MS, &x->got, err);
	sock_close_reset(fd);
	return rc;
}

static bool identified(const struct service_identity *id)
{
	return strcmp(id->service, "unknown") != 0 && strcmp(id->method, "port") != 0;
}

static bool is_web(const struct service_identity *id)
{
	return strcmp(id->service, "http") == 0 || strcmp(id->service, "https") == 0 ||
	       strcmp(id->service, "http-alt") == 0 || strcmp(id->service, "https-alt") == 0;
}

/* Identify one open TCP port and describe it as JSON. */
struct json_object *scan_identify_port(struct scan_run *r, const struct sock_address *target,
				       uint16_t port, int64_t deadline_ns)
{
	struct json_object *o = json_object_new_object();
	json_object_object_add(o, "port", json_object_new_int(port));
	struct sock_address a = *target;
	sock_address_set_port(&a, port);
	char name[32], evidence[256];
	snprintf(name, sizeof(name), "tcp-%u", port);
	struct capture_match match = {.protocol = IPPROTO_TCP, .port = port};
	scan_evidence_open(r, name, "dutlab discovery.scan: identification of one TCP service", 0,
			   SERVICE_CAPTURE_MAX, &match, 1, false, evidence, sizeof(evidence));

	struct exchange *x = calloc(1, sizeof(*x));
	struct service_identity id;
	struct json_object *disclosures = json_object_new_array();
	struct dl_error err = {0};
	if (!x) {
		identify_service(port, NULL, 0, false, &id);
		goto describe;
	}
	/* 1. what it says first */
	scan_annotate(r, "dutlab: connect and wait for a banner");
	plain_exchange(r, &a, NULL, 0, BANNER_WAIT_MS, deadline_ns, x, &err);
	if (x->got > 0) {
		identify_service(port, x->reply, x->got, false, &id);
		json_object_object_add(o, "banner",
				       scan_printable(x->reply, x->got, BANNER_JSON_MAX));
		goto describe;
	}
	/* 2. silent: a probe, in TLS or in the clear. Web ports try TLS first
	 * (a plain GET to an HTTPS port looks like HTTP); others their own
	 * protocol first (a ClientHello may upset a debugger). */
	const struct identify_probe *probe = identify_probe_for(port);
	const struct identify_probe *fallback = identify_probe_for(80);
	bool web_probe = !probe || strcmp(probe->name, "http-get") == 0;
	const struct identify_probe *p = probe ? probe : fallback;
	bool done = false;
	bool have_plain = false;
	struct service_identity plain_id;
	for (int attempt = 0; attempt < 2 && !done; attempt++) {
		bool try_tls = (attempt == 0) == web_probe;
		if (!scan_time_left(deadline_ns, EXCHANGE_MS * 1000000LL))
			break;
		if (try_tls) {
			scan_annotate(r, "dutlab: TLS ClientHello: is this service TLS?");
			tls_exchange(r, &a, p ? p->bytes : NULL, p ? p->len : 0,
				     scan_soon(deadline_ns, EXCHANGE_MS), x);
			if (!x->tls)
				continue;
			identify_service(port, x->reply, x->got, true, &id);
			if (x->got > 0)
				json_object_object_add(
					o, "banner",
					scan_printable(x->reply, x->got, BANNER_JSON_MAX));
			done = true;
		} else if (p) {
			char comment[96];
			snprintf(comment, sizeof(comment), "dutlab: probe %s", p->name);
			scan_annotate(r, comment);
			plain_exchange(r, &a, p->bytes, p->len, EXCHANGE_MS, deadline_ns, x, &err);
			if (x->got == 0)
				continue;
			identify_service(port, x->reply, x->got, false, &plain_id);
			json_object_object_add(o, "banner",
					       scan_printable(x->reply, x->got, BANNER_JSON_MAX));
			have_plain = true;
			done = identified(&plain_id);
			if (done)
				id = plain_id;
		}
	}
	if (!done && have_plain)
		id = plain_id;
	else if (!done)
		identify_service(port, NULL, 0, false, &id);
	if (!done || !x->tls)
		x->tls = false;
describe:
	scan_add_string(o, "service", id.service);
	scan_add_string(o, "product", id.product);
	scan_add_string(o, "version", id.version);
	scan_add_string(o, "detail", id.detail);
	scan_add_string(o, "method", id.method);
	json_object_object_add(o, "tls", json_object_new_boolean(x && x->tls));
	if (x && x->tls) {
		scan_add_string(o, "tls_version", x->tls_version);
		scan_add_string(o, "tls_cipher", x->tls_cipher);
	}
	json_object_object_add(o, "debug", json_object_new_boolean(id.debug));
	if (id.debug) {
		const char *reason = identify_debug_port_reason(port);
		scan_add_string(o, "debug_reason", reason && !identified(&id) ? reason : id.detail);
	}
	scan_add_disclosures(disclosures, id.disclosures, id.disclosure_count,
			     strcmp(id.method, "banner") == 0 ? "banner" : "reply to a probe");
	if (is_web(&id) && scan_time_left(deadline_ns, 1000000000LL))
		scan_web_content(r, &a, port, x && x->tls, scan_soon(deadline_ns, HTTP_MS), o,
				 disclosures);
	json_object_object_add(o, "disclosures", disclosures);
	scan_evidence_close(r, evidence);
	json_object_object_add(o, "evidence",
			       evidence[0] ? json_object_new_string(evidence) : NULL);
	free(x);
	return o;
}

/* An open port we had no time or room to talk to: named by its port. */
struct json_object *scan_unidentified_port(uint16_t port, const char *why)
{
	struct json_object *o = json_object_new_object();
	json_object_object_add(o, "port", json_object_new_int(port));
	const char *hint = identify_port_hint("tcp", port);
	scan_add_string(o, "service", hint ? hint : "unknown");
	scan_add_string(o, "detail", why);
	scan_add_string(o, "method", "port");
	json_object_object_add(o, "tls", json_object_new_boolean(false));
	const char *reason = identify_debug_port_reason(port);
	json_object_object_add(o, "debug", json_object_new_boolean(reason != NULL));
	if (reason)
		scan_add_string(o, "debug_reason", reason);
	json_object_object_add(o, "disclosures", json_object_new_array());
	json_object_object_add(o, "evidence", NULL);
	return o;
}
