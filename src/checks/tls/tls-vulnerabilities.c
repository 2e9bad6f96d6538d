/* tls-vulnerabilities: Heartbleed (CVE-2014-0160) and CCS injection (CVE-2014-0224) */
#include "core/compat.h"

#include "checks/tls/tls-engine.h"
#include "core/error.h"
#include "net/sock.h"
#include "proto/tls.h"

#define FOLLOW_UP_MAX 65536

/* A hello at the best legacy version offering its accepted suites, kept open. */
static int open_handshake(struct tls_engine *e, enum tls_engine_version v, bool heartbeat,
			  struct tls_reply *reply, int *fd, struct dl_error *err)
{
	const struct tls_version_result *vr = &e->versions[v];
	uint16_t offer[TLS_ENGINE_SUITES_MAX];
	for (size_t i = 0; i < vr->suite_count; i++)
		offer[i] = vr->suites[i].code;
	struct tls_client_hello h;
	enum tls_probe_outcome outcome;
	tls_offer_hello(e, v, offer, vr->suite_count, &h);
	h.heartbeat = heartbeat;
	int rc = tls_engine_probe(e, &h, reply, &outcome, fd, true, err);
	if (rc < 0)
		return rc;
	if (tls_engine_accepted(reply, outcome, v, offer, vr->suite_count) < 0 ||
	    !reply->server_hello_done) {
		sock_close_reset(*fd);
		*fd = -1;
	}
	return 0;
}

static void set(struct tls_vulnerability *out, bool tested, bool vulnerable, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void set(struct tls_vulnerability *out, bool tested, bool vulnerable, const char *fmt, ...)
{
	va_list ap;
	out->tested = tested;
	out->vulnerable = vulnerable;
	va_start(ap, fmt);
	vsnprintf(out->detail, sizeof(out->detail), fmt, ap);
	va_end(ap);
}

/* What came back after our record: the alert's description, or -1. */
static int alert_in(const uint8_t *buf, size_t got)
{
	size_t at = 0, len;
	struct dl_error err;
	if (tls_find_record(buf, got, TLS_CONTENT_ALERT, &at, &len, &err) == 1 && len >= 2)
		return buf[at + TLS_RECORD_HEADER_LEN + 1];
	return -1;
}

/*
 * RFC 6520 heartbeat_request whose payload_length (16384) claims more than
 * the record carries (nothing), sent after the server's hello flight and
 * before the handshake completes, as the original Heartbleed test does. A
 * fixed server drops it (RFC 6520 4: "MUST be discarded silently"); a
 * vulnerable one answers with 16384 bytes of its memory.
 */
static int heartbleed(struct tls_engine *e, struct tls_reply *reply, uint8_t *buf,
		      struct dl_error *err)
{
	struct tls_vulnerability *out = &e->heartbleed;
	enum tls_engine_version v = tls_engine_best_legacy(e);
	if (v == TLS_ENGINE_VERSIONS) {
		set(out, false, false, "no SSL 3.0 to TLS 1.2 to test (Heartbleed needs them)");
		return 0;
	}
	int fd = -1;
	int rc = open_handshake(e, v, true, reply, &fd, err);
	if (rc < 0)
		return rc;
	if (fd < 0) {
		set(out, false, false, "the server did not answer a %s hello with a full flight",
		    tls_engine_version_label(v));
		return 0;
	}
	if (!reply->server_hello.has_heartbeat) {
		sock_close_reset(fd);
		set(out, true, false, "the server does not negotiate the heartbeat extension");
		return 0;
	}
	/* the heartbeat, then a ChangeCipherSpec: a fixed server drops the first
	 * silently and refuses the second at once, so silence need not be waited
	 * out; records are answered in order, so a leak arrives before the alert */
	uint8_t request[64];
	size_t len, ccs_len, got = 0;
	bool closed = false;
	rc = tls_build_heartbeat_request(request, sizeof(request), &len, tls_engine_version_code(v),
					 0x4000, NULL, 0, false, err);
	if (rc == 0)
		rc = tls_build_change_cipher_spec(request + len, sizeof(request) - len, &ccs_len,
						  tls_engine_version_code(v), err);
	if (rc == 0)
		rc = tls_probe_follow_up(&e->prober, fd, request, len + ccs_len,
					 TLS_CONTENT_HEARTBEAT, buf, FOLLOW_UP_MAX, &got, &closed,
					 err);
	sock_close_reset(fd);
	if (rc < 0)
		return rc;
	size_t at = 0, record_len = 0;
	struct dl_error perr;
	if (tls_find_record(buf, got, TLS_CONTENT_HEARTBEAT, &at, &record_len, &perr) == 1 &&
	    record_len > 3) {
		set(out, true, true,
		    "answered a heartbeat request that claimed 16384 bytes and carried none "
		    "with %zu bytes of its memory (CVE-2014-0160)",
		    record_len);
		return 0;
	}
	int alert = alert_in(buf, got);
	if (alert >= 0)
		set(out, true, false,
		    "did not answer the overlong heartbeat (and refused the ChangeCipherSpec "
		    "after it with %s)",
		    tls_alert_description_name((uint8_t)alert));
	else if (closed)
		set(out, true, false, "closed the connection on the overlong heartbeat");
	else
		set(out, true, false,
		    "discarded the overlong heartbeat silently, as RFC 6520 4 requires");
	return 0;
}

/*
 * CVE-2014-0224: after the ServerHelloDone, send ChangeCipherSpec before
 * any key exchange, twice. A fixed server answers unexpected_message (or
 * closes); a vulnerable OpenSSL accepts the first, derives keys from an
 * empty master secret and fails to decrypt the second: bad_record_mac or
 * decryption_failed; a server that says nothing has accepted it too.
 */
static int ccs_injection(struct tls_engine *e, struct tls_reply *reply, uint8_t *buf,
			 struct dl_error *err)
{
	struct tls_vulnerability *out = &e->ccs_injection;
	enum tls_engine_version v = tls_engine_best_legacy(e);
	if (v == TLS_ENGINE_VERSIONS) {
		set(out, false, false,
		    "no SSL 3.0 to TLS 1.2 to test (TLS 1.3 has no ChangeCipherSpec state)");
		return 0;
	}
	int fd = -1;
	int rc = open_handshake(e, v, false, reply, &fd, err);
	if (rc < 0)
		return rc;
	if (fd < 0) {
		set(out, false, false, "the server did not answer a %s hello with a full flight",
		    tls_engine_version_label(v));
		return 0;
	}
	uint8_t ccs[16];
	size_t one, got = 0;
	bool closed = false;
	rc = tls_build_change_cipher_spec(ccs, sizeof(ccs), &one, tls_engine_version_code(v), err);
	if (rc == 0) {
		memcpy(ccs + one, ccs, one);
		rc = tls_probe_follow_up(&e->prober, fd, ccs, 2 * one, TLS_CONTENT_ALERT, buf,
					 FOLLOW_UP_MAX, &got, &closed, err);
	}
	sock_close_reset(fd);
	if (rc < 0)
		return rc;
	int alert = alert_in(buf, got);
	if (alert == 20 || alert == 21)
		set(out, true, true,
		    "answered %s to an early ChangeCipherSpec: it switched to keys derived "
		    "without a key exchange (CVE-2014-0224)",
		    tls_alert_description_name((uint8_t)alert));
	else if (alert >= 0)
		set(out, true, false, "refused an early ChangeCipherSpec with alert %s",
		    tls_alert_description_name((uint8_t)alert));
	else if (closed)
		set(out, true, false, "closed the connection on an early ChangeCipherSpec");
	else
		set(out, true, true,
		    "stayed silent for %u ms after an early ChangeCipherSpec instead of "
		    "refusing it with unexpected_message",
		    e->prober.timeout_ms);
	return 0;
}

static int with_buffers(struct tls_engine *e, bool heart, struct dl_error *err)
{
	struct tls_reply *reply = malloc(sizeof(*reply));
	uint8_t *buf = malloc(FOLLOW_UP_MAX);
	int rc;
	if (!reply || !buf)
		rc = dl_error_set(err, DL_ENOMEM, "tls audit: out of memory for a reply");
	else
		rc = heart ? heartbleed(e, reply, buf, err) : ccs_injection(e, reply, buf, err);
	free(buf);
	free(reply);
	return rc;
}

int tls_heartbleed_job(struct tls_engine *e, struct dl_error *err)
{
	return with_buffers(e, true, err);
}

int tls_ccs_injection_job(struct tls_engine *e, struct dl_error *err)
{
	return with_buffers(e, false, err);
}
