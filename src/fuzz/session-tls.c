/* session-tls: the TLS session plug-in: ClientHellos on a fresh connection (state 0), the client's
 * second flight after the server's first (state 1), a full OpenSSL handshake as the check */
#include "core/compat.h"

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>

#include "core/error.h"
#include "core/profile.h"
#include "fuzz/session.h"
#include "proto/packet.h"
#include "proto/tls-record.h"
#include "proto/tls.h"

/*
 * A TLS server parses a different message in each handshake state, and
 * nothing we send can be taken back: every template spends its session
 * (the engine closes the link after it). State 0 "connected": a fresh TCP
 * connection, where the server reads a ClientHello (or whatever comes
 * first). State 1 "server flight read": our TLS 1.2 ClientHello (ECDHE
 * suites first, then RSA key exchange; X25519, P-256, P-384) was answered
 * with ServerHello .. ServerHelloDone (RFC 5246 7.3), so the server now
 * parses the client's second flight: ClientKeyExchange, ChangeCipherSpec,
 * Finished (or an alert, a heartbeat, a renegotiating ClientHello). Key
 * shares and points are real public keys from OpenSSL, X25519 and P-256:
 * the one on the group the server chose is valid and reaches the parser
 * behind the point check, the other is a point on the wrong curve. A DUT
 * that answers but will not do TLS 1.2 with us (TLS 1.3 only) never
 * reaches state 1: its state-1 cases go out on a fresh connection.
 */

#define TLS_STATE_CONNECTED 0
#define TLS_STATE_FLIGHT 1
#define TLS_X25519 0x001d
#define TLS_READS_MAX 64

/* what the establishing handshake learnt (l->protocol_state) */
struct tls_session_state {
	uint16_t version, suite; /* the server's choice in state 1 */
	bool x25519;             /* its ServerKeyExchange names X25519 */
	/* state 1 asked, but the DUT (alive: it answered) will not do a TLS 1.2 handshake with
	 * us (TLS 1.3 only, no suite in common): the case goes out on a fresh connection */
	bool flight_refused;
	char refusal[160];
};

static const struct profile_robustness_tls *tls_profile(const struct session_peer *peer)
{
	return &peer->robustness->tls;
}

static uint16_t tls_port(const struct session_peer *peer)
{
	unsigned port = tls_profile(peer)->port;
	return (uint16_t)(port ? port : TLS_RECORD_PORT);
}

/* A fresh X25519 public key (RFC 7748) from OpenSSL. */
static int x25519_public(uint8_t out[32], struct dl_error *err)
{
	EVP_PKEY *key = EVP_PKEY_Q_keygen(NULL, NULL, "X25519");
	size_t n = 32;
	int ok = key && EVP_PKEY_get_raw_public_key(key, out, &n) == 1 && n == 32;
	EVP_PKEY_free(key);
	if (!ok)
		return dl_error_set(err, DL_ENOMEM, "tls: OpenSSL cannot make an X25519 key");
	return 0;
}

/* A fresh P-256 public key as an uncompressed point (RFC 8422 5.4.1: 0x04, x, y). */
static int p256_public(uint8_t out[65], struct dl_error *err)
{
	EVP_PKEY *key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	size_t n = 0;
	int ok = key &&
		 EVP_PKEY_get_octet_string_param(key, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, out, 65,
						 &n) == 1 &&
		 n == 65 && out[0] == 4;
	EVP_PKEY_free(key);
	if (!ok)
		return dl_error_set(err, DL_ENOMEM, "tls: OpenSSL cannot make a P-256 key");
	return 0;
}

static int finish(struct packet *p, int rc, struct dl_error *err)
{
	if (rc)
		return dl_error_set(err, rc, "tls: the template does not fit a record");
	return packet_finish(p, err);
}

static const uint16_t suites12[] = {0xc02f, 0xc030, 0xc02b, 0xc02c, 0xcca8,
				    0xcca9, 0xc013, 0xc014, 0x009c, 0x002f};
static const uint16_t suites13[] = {0x1301, 0x1302, 0x1303, 0xc02f, 0xc02b};
/* ECDHE first (the key exchange the templates' points are for), then RSA key exchange so that
 * a TLS 1.2 server without ECDHE still sends its flight */
static const uint16_t suites_flight[] = {0xc02f, 0xc030, 0xc02b, 0xc02c, 0xcca8,
					 0xcca9, 0x009c, 0x009d, 0x002f, 0x0035};
static const uint16_t groups[] = {TLS_X25519, 0x0017, 0x0018};
/* state 1: X25519 first, then the NIST curves, which a TLS 1.2 server with an ECDSA certificate
 * needs among the groups to use it at all (RFC 8422 5.1: stream-good's nginx, P-256, answers
 * X25519 alone with handshake_failure) */
static const uint16_t groups_flight[] = {TLS_X25519, 0x0017, 0x0018};
static const uint16_t schemes[] = {0x0403, 0x0503, 0x0804, 0x0805, 0x0401, 0x0501, 0x0807};
static const uint16_t versions13[] = {TLS_VERSION_TLS13, TLS_VERSION_TLS12};
static const uint8_t null_compression[] = {0};

/* A random field, not a secret: the hello's random and session id. */
static void tls_random(uint8_t *out, size_t n)
{
	if (RAND_bytes(out, (int)n) != 1)
		memset(out, 0x5a, n);
}

/* The TLS 1.2 ClientHello of state 1's handshake (and of the TLS 1.2 template when all is
 * true: every suite and group, heartbeat, ALPN). */
static void hello12(struct tls_record_hello *h, const struct session_peer *peer, bool all)
{
	*h = (struct tls_record_hello){
		.hello = {.record_version = TLS_VERSION_TLS10,
			  .client_version = TLS_VERSION_TLS12,
			  .suites = all ? suites12 : suites_flight,
			  .suite_count =
				  all ? DL_ARRAY_SIZE(suites12) : DL_ARRAY_SIZE(suites_flight),
			  .compressions = null_compression,
			  .compression_count = 1,
			  .server_name = tls_profile(peer)->server_name,
			  .groups = all ? groups : groups_flight,
			  .group_count = all ? DL_ARRAY_SIZE(groups) : DL_ARRAY_SIZE(groups_flight),
			  .signature_schemes = schemes,
			  .signature_scheme_count = DL_ARRAY_SIZE(schemes),
			  .renegotiation_info = true,
			  .ec_point_formats = true,
			  .heartbeat = all,
			  .extended_master_secret = true},
	};
	tls_random(h->hello.random, sizeof(h->hello.random));
	if (all) {
		h->alpn[0] = "http/1.1";
		h->alpn_count = 1;
	}
}

/* ---- the templates ---- */

static int build_hello12(struct packet *p, const struct session_peer *peer, struct dl_error *err)
{
	struct tls_record_hello h;
	hello12(&h, peer, true);
	return finish(p, tls_record_build_client_hello(p, &h), err);
}

static int build_hello13(struct packet *p, const struct session_peer *peer, struct dl_error *err)
{
	uint8_t share[32], session_id[32];
	int rc = x25519_public(share, err);
	if (rc)
		return rc;
	tls_random(session_id, sizeof(session_id));
	struct tls_record_hello h = {
		.hello = {.record_version = TLS_VERSION_TLS10,
			  .client_version = TLS_VERSION_TLS12,
			  .session_id = session_id, /* RFC 8446 D.4: middlebox compatibility */
			  .session_id_len = sizeof(session_id),
			  .suites = suites13,
			  .suite_count = DL_ARRAY_SIZE(suites13),
			  .compressions = null_compression,
			  .compression_count = 1,
			  .server_name = tls_profile(peer)->server_name,
			  .supported_versions = versions13,
			  .supported_version_count = DL_ARRAY_SIZE(versions13),
			  .groups = groups,
			  .group_count = DL_ARRAY_SIZE(groups),
			  .signature_schemes = schemes,
			  .signature_scheme_count = DL_ARRAY_SIZE(schemes),
			  .key_share = true,
			  .x25519_public = share,
			  .ec_point_formats = true},
		.alpn = {"h2", "http/1.1"},
		.alpn_count = 2,
	};
	tls_random(h.hello.random, sizeof(h.hello.random));
	return finish(p, tls_record_build_client_hello(p, &h), err);
}

static int build_sslv2(struct packet *p, const struct session_peer *peer, struct dl_error *err)
{
	(void)peer;
	/* RFC 5246 E.2: a TLS 1.2 client's hello in the SSLv2 format (no extensions) */
	struct tls_record_hello h = {.hello = {.client_version = TLS_VERSION_TLS12,
					       .suites = suites12,
					       .suite_count = DL_ARRAY_SIZE(suites12),
					       .renegotiation_scsv = true,
					       .ssl2_format = true}};
	tls_random(h.hello.random, sizeof(h.hello.random));
	return finish(p, tls_record_build_client_hello(p, &h), err);
}

static int build_heartbeat(struct packet *p, const struct session_peer *peer, struct dl_error *err)
{
	(void)peer;
	static const uint8_t payload[] = "dutlab heartbeat";
	return finish(
		p,
		tls_record_build_heartbeat(p, TLS_VERSION_TLS12, payload, sizeof(payload) - 1, 16),
		err);
}

static int build_alert(struct packet *p, const struct session_peer *peer, struct dl_error *err)
{
	(void)peer;
	/* fatal handshake_failure: what a client that gives up sends */
	return finish(p, tls_record_build_alert(p, TLS_VERSION_TLS12, 2, 40), err);
}

static int build_key_exchange(struct packet *p, const struct session_peer *peer,
			      struct dl_error *err)
{
	(void)peer;
	uint8_t point[32];
	int rc = x25519_public(point, err);
	if (rc)
		return rc;
	return finish(p, tls_record_build_client_key_exchange(p, TLS_VERSION_TLS12, point, 32),
		      err);
}

static int build_key_exchange_p256(struct packet *p, const struct session_peer *peer,
				   struct dl_error *err)
{
	(void)peer;
	uint8_t point[65];
	int rc = p256_public(point, err);
	if (rc)
		return rc;
	return finish(p, tls_record_build_client_key_exchange(p, TLS_VERSION_TLS12, point, 65),
		      err);
}

static int build_ccs(struct packet *p, const struct session_peer *peer, struct dl_error *err)
{
	(void)peer;
	return finish(p, tls_record_build_change_cipher_spec(p, TLS_VERSION_TLS12), err);
}

static int build_finished(struct packet *p, const struct session_peer *peer, struct dl_error *err)
{
	(void)peer;
	uint8_t verify[12]; /* RFC 5246 7.4.9: 12 bytes; ours cannot be right, it is plaintext */
	tls_random(verify, sizeof(verify));
	return finish(p, tls_record_build_finished(p, TLS_VERSION_TLS12, verify, sizeof(verify)),
		      err);
}

/* ClientKeyExchange, ChangeCipherSpec and Finished in one write, as clients send them */
static int build_flight_on(struct packet *p, bool p256, struct dl_error *err)
{
	uint8_t point[65], verify[12];
	int rc = p256 ? p256_public(point, err) : x25519_public(point, err);
	if (rc)
		return rc;
	tls_random(verify, sizeof(verify));
	rc = tls_record_build_client_key_exchange(p, TLS_VERSION_TLS12, point, p256 ? 65 : 32);
	if (!rc)
		rc = tls_record_build_change_cipher_spec(p, TLS_VERSION_TLS12);
	if (!rc)
		rc = tls_record_build_finished(p, TLS_VERSION_TLS12, verify, sizeof(verify));
	return finish(p, rc, err);
}

static int build_flight(struct packet *p, const struct session_peer *peer, struct dl_error *err)
{
	(void)peer;
	return build_flight_on(p, false, err);
}

static int build_flight_p256(struct packet *p, const struct session_peer *peer,
			     struct dl_error *err)
{
	(void)peer;
	return build_flight_on(p, true, err);
}

static int build_renegotiate(struct packet *p, const struct session_peer *peer,
			     struct dl_error *err)
{
	struct tls_record_hello h;
	hello12(&h, peer, false);
	h.hello.record_version = TLS_VERSION_TLS12;
	return finish(p, tls_record_build_client_hello(p, &h), err);
}

static const struct session_template tls_hello_12 = {
	.base = {.name = "tls-client-hello-1.2",
		 .protocol = "tls",
		 .title = "ClientHello TLS 1.2: ECDHE suites, SNI, groups, signature algorithms, "
			  "heartbeat, ALPN, renegotiation_info, extended master secret"},
	.build = build_hello12,
	.state = TLS_STATE_CONNECTED,
	.spends_session = true};
static const struct session_template tls_hello_13 = {
	.base = {.name = "tls-client-hello-1.3",
		 .protocol = "tls",
		 .title = "ClientHello TLS 1.3: supported_versions, an X25519 key share from "
			  "OpenSSL, "
			  "SNI, ALPN h2 and http/1.1"},
	.build = build_hello13,
	.state = TLS_STATE_CONNECTED,
	.spends_session = true};
static const struct session_template tls_sslv2_hello = {
	.base = {.name = "tls-sslv2-hello",
		 .protocol = "tls",
		 .title = "SSLv2-compatible CLIENT-HELLO offering TLS 1.2 (RFC 5246 E.2)"},
	.build = build_sslv2,
	.state = TLS_STATE_CONNECTED,
	.spends_session = true};
static const struct session_template tls_heartbeat_first = {
	.base = {.name = "tls-heartbeat-first",
		 .protocol = "tls",
		 .title = "heartbeat_request before any handshake (RFC 6520 4)"},
	.build = build_heartbeat,
	.state = TLS_STATE_CONNECTED,
	.spends_session = true};
static const struct session_template tls_alert_first = {
	.base = {.name = "tls-alert-first",
		 .protocol = "tls",
		 .title = "fatal handshake_failure alert before any handshake"},
	.build = build_alert,
	.state = TLS_STATE_CONNECTED,
	.spends_session = true};
static const struct session_template tls_key_exchange = {
	.base = {.name = "tls-client-key-exchange",
		 .protocol = "tls",
		 .title = "ClientKeyExchange with an X25519 point from OpenSSL, after the server's "
			  "flight"},
	.build = build_key_exchange,
	.state = TLS_STATE_FLIGHT,
	.spends_session = true};
static const struct session_template tls_key_exchange_p256 = {
	.base = {.name = "tls-client-key-exchange-p256",
		 .protocol = "tls",
		 .title = "ClientKeyExchange with a P-256 point from OpenSSL, after the server's "
			  "flight"},
	.build = build_key_exchange_p256,
	.state = TLS_STATE_FLIGHT,
	.spends_session = true};
static const struct session_template tls_ccs = {
	.base = {.name = "tls-change-cipher-spec",
		 .protocol = "tls",
		 .title = "ChangeCipherSpec before the key exchange (CVE-2014-0224's shape)"},
	.build = build_ccs,
	.state = TLS_STATE_FLIGHT,
	.spends_session = true};
static const struct session_template tls_finished = {
	.base = {.name = "tls-finished",
		 .protocol = "tls",
		 .title = "a plaintext Finished after the server's flight"},
	.build = build_finished,
	.state = TLS_STATE_FLIGHT,
	.spends_session = true};
static const struct session_template tls_flight = {
	.base = {.name = "tls-client-flight",
		 .protocol = "tls",
		 .title = "ClientKeyExchange, ChangeCipherSpec and Finished in one write"},
	.build = build_flight,
	.state = TLS_STATE_FLIGHT,
	.spends_session = true};
static const struct session_template tls_flight_p256 = {
	.base = {.name = "tls-client-flight-p256",
		 .protocol = "tls",
		 .title = "ClientKeyExchange (P-256), ChangeCipherSpec and Finished in one write"},
	.build = build_flight_p256,
	.state = TLS_STATE_FLIGHT,
	.spends_session = true};
static const struct session_template tls_alert_flight = {
	.base = {.name = "tls-alert-flight",
		 .protocol = "tls",
		 .title = "fatal handshake_failure alert after the server's flight"},
	.build = build_alert,
	.state = TLS_STATE_FLIGHT,
	.spends_session = true};
static const struct session_template tls_heartbeat_flight = {
	.base = {.name = "tls-heartbeat-flight",
		 .protocol = "tls",
		 .title = "heartbeat_request after the server's flight"},
	.build = build_heartbeat,
	.state = TLS_STATE_FLIGHT,
	.spends_session = true};
static const struct session_template tls_renegotiate = {
	.base = {.name = "tls-renegotiating-hello",
		 .protocol = "tls",
		 .title = "a second ClientHello after the server's flight (renegotiation_info)"},
	.build = build_renegotiate,
	.state = TLS_STATE_FLIGHT,
	.spends_session = true};

static const struct session_template *const tls_templates[] = {
	&tls_hello_12,         &tls_hello_13,     &tls_sslv2_hello,       &tls_heartbeat_first,
	&tls_alert_first,      &tls_key_exchange, &tls_key_exchange_p256, &tls_ccs,
	&tls_finished,         &tls_flight,       &tls_flight_p256,       &tls_alert_flight,
	&tls_heartbeat_flight, &tls_renegotiate,
};

/* ---- the session ---- */

/* State 1: our TLS 1.2 ClientHello, then the server's records until ServerHelloDone. */
static int tls_read_flight(struct session_link *l, int64_t deadline_ns, struct dl_error *err)
{
	uint8_t hello[TLS_RECORD_BUILD_MAX];
	size_t n = 0;
	struct tls_record_hello h;
	hello12(&h, l->peer, false);
	int rc = tls_build_client_hello(hello, sizeof(hello), &n, &h.hello, err);
	if (rc)
		return rc;
	rc = session_link_send(l, hello, n, true, err);
	if (rc)
		return rc;
	struct tls_reply *reply = malloc(sizeof(*reply));
	if (!reply)
		return dl_error_set(err, DL_ENOMEM, "tls: out of memory");
	struct tls_session_state *st = l->protocol_state;
	rc = DL_ETIMEDOUT;
	for (unsigned reads = 0; reads < TLS_READS_MAX; reads++) {
		struct dl_error why;
		int parsed = l->input_length
				     ? tls_parse_reply(l->input, l->input_length, reply, &why)
				     : DL_EPROTO;
		if (l->input_length && parsed < 0 && !reply->incomplete) {
			rc = dl_error_set(err, DL_EPROTO, "tls: the DUT's reply to the hello: %s",
					  why.message);
			break;
		}
		if (parsed == 0 && reply->has_alert) {
			rc = dl_error_set(err, DL_EUNSUPPORTED,
					  "tls: the DUT answered our TLS 1.2 hello with alert %s "
					  "%s",
					  tls_alert_level_name(reply->alert.level),
					  tls_alert_description_name(reply->alert.description));
			break;
		}
		if (parsed == 0 && reply->complete && reply->has_server_hello) {
			if (reply->server_hello.version != TLS_VERSION_TLS12 ||
			    !reply->server_hello_done) {
				rc = dl_error_set(err, DL_EUNSUPPORTED,
						  "tls: the DUT chose %s, not a TLS 1.2 handshake "
						  "ending in ServerHelloDone",
						  tls_version_name(reply->server_hello.version));
				break;
			}
			st->version = reply->server_hello.version;
			st->suite = reply->server_hello.cipher_suite;
			st->x25519 = reply->has_server_key_exchange &&
				     reply->server_key_exchange.group == TLS_X25519;
			session_link_consume(l, reply->bytes_parsed);
			rc = 0;
			break;
		}
		if (l->input_length == sizeof(l->input)) {
			rc = dl_error_set(err, DL_EPROTO,
					  "tls: the server's first flight passes %zu bytes",
					  sizeof(l->input));
			break;
		}
		int left = sock_remaining_ms(deadline_ns, 1000);
		if (left == 0) {
			rc = dl_error_set(err, DL_ETIMEDOUT,
					  "tls: no ServerHelloDone from the DUT in time");
			break;
		}
		bool closed = false;
		rc = session_link_read(l, (unsigned)left, &closed, err);
		if (rc)
			break;
		if (closed && reads + 1 < TLS_READS_MAX && l->input_length &&
		    tls_parse_reply(l->input, l->input_length, reply, &why) == 0 &&
		    reply->has_alert)
			continue; /* the alert said why: the loop reports it */
		if (closed) {
			rc = dl_error_set(err, DL_EIO,
					  "tls: the DUT closed the connection before its "
					  "ServerHelloDone");
			break;
		}
		rc = DL_ETIMEDOUT;
	}
	if (rc == DL_ETIMEDOUT && !err->message[0])
		dl_error_set(err, rc, "tls: no ServerHelloDone after %d reads", TLS_READS_MAX);
	free(reply);
	return rc;
}

static int tls_establish(struct session_link *l, unsigned state, int64_t deadline_ns,
			 struct dl_error *err)
{
	memset(l->protocol_state, 0, sizeof(struct tls_session_state));
	err->message[0] = '\0';
	int rc = session_link_connect(l, tls_port(l->peer), NULL, deadline_ns, err);
	if (rc || state == TLS_STATE_CONNECTED)
		return rc;
	rc = tls_read_flight(l, deadline_ns, err);
	if (rc)
		session_link_close(l);
	if (rc == DL_EUNSUPPORTED) {
		/* alive, answering, but no state 1 with this DUT: rather than a failure that is
		 * none, the case goes out first on a fresh connection (still a message its first
		 * parser reads) */
		struct tls_session_state *st = l->protocol_state;
		st->flight_refused = true;
		size_t n = strnlen(err->message, sizeof(st->refusal) - 1);
		memcpy(st->refusal, err->message, n);
		st->refusal[n] = '\0';
		err->message[0] = '\0';
		rc = session_link_connect(l, tls_port(l->peer), NULL, deadline_ns, err);
	}
	return rc;
}

/* What the DUT said: an alert is its refusal (code level, subcode description), a close or a
 * reset without one is silent. */
static int tls_tend(struct session_link *l, unsigned wait_ms, struct session_reaction *out,
		    struct dl_error *err)
{
	(void)err;
	*out = (struct session_reaction){.kind = SESSION_ALIVE};
	if (l->fd < 0) {
		out->kind = SESSION_CLOSED;
		return 0;
	}
	bool closed = false;
	struct dl_error why;
	if (session_link_read(l, wait_ms, &closed, &why) != 0)
		closed = true;
	size_t at = 0;
	for (unsigned records = 0; records < TLS_RECORDS_MAX; records++) {
		if (l->input_length - at < TLS_RECORD_HEADER_LEN)
			break;
		const uint8_t *r = l->input + at;
		size_t n = (size_t)r[3] << 8 | r[4];
		if (r[0] < TLS_CONTENT_CHANGE_CIPHER_SPEC || r[0] > TLS_CONTENT_HEARTBEAT) {
			at = l->input_length; /* not records: nothing more to read in them */
			break;
		}
		if (n > l->input_length - at - TLS_RECORD_HEADER_LEN)
			break;
		if (r[0] == TLS_CONTENT_ALERT && n >= 2 && out->kind != SESSION_NOTIFIED) {
			out->kind = SESSION_NOTIFIED;
			out->code = r[5];
			out->subcode = r[6];
		}
		at += TLS_RECORD_HEADER_LEN + n;
	}
	session_link_consume(l, at);
	if (closed && out->kind == SESSION_ALIVE)
		out->kind = SESSION_CLOSED;
	return 0;
}

static void tls_close(struct session_link *l)
{
	session_link_close(l);
}

/* Send what OpenSSL wrote into its outgoing memory BIO. Memory BIOs and session_link_send
 * (MSG_NOSIGNAL) rather than a socket BIO: a DUT that closes mid-handshake must not raise
 * SIGPIPE in us (as tls-certificate.c does). 0 or DL_EIO. */
static int tls_flush(struct session_link *l, BIO *out, struct dl_error *err)
{
	char buf[4096];
	int n;
	for (unsigned rounds = 0; rounds < 64 && (n = BIO_read(out, buf, sizeof(buf))) > 0;
	     rounds++) {
		int rc = session_link_send(l, (const uint8_t *)buf, (size_t)n, false, err);
		if (rc)
			return rc;
	}
	return 0;
}

/* Hand OpenSSL what the DUT sent within the deadline. 0, or 1 when it closed or nothing came. */
static int tls_feed(struct session_link *l, BIO *in, int64_t deadline_ns)
{
	int left = sock_remaining_ms(deadline_ns, 1000);
	if (left == 0)
		return 1;
	bool closed = false;
	struct dl_error why;
	if (session_link_read(l, (unsigned)left, &closed, &why) != 0)
		return 1;
	if (l->input_length == 0)
		return closed || sock_remaining_ms(deadline_ns, 1000) == 0;
	if (BIO_write(in, l->input, (int)l->input_length) != (int)l->input_length)
		return 1;
	session_link_consume(l, l->input_length);
	return 0;
}

/* The health check: a full handshake with OpenSSL's defaults (TLS 1.2 or 1.3, certificate not
 * verified: the lab's and many devices' are self-signed) completes. */
static int tls_check(struct session_link *l, int64_t deadline_ns, bool *healthy, char *evidence,
		     size_t size, struct dl_error *err)
{
	*healthy = false;
	struct dl_error why = {0};
	uint16_t port = tls_port(l->peer);
	int rc = session_link_connect(l, port, NULL, deadline_ns, &why);
	if (rc == DL_ESCOPE || rc == DL_ENOMEM)
		return dl_error_set(err, rc, "%s", why.message);
	if (rc) {
		snprintf(evidence, size, "tls: no connection to port %u: %s", port, why.message);
		return 0;
	}
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
	SSL *ssl = ctx ? SSL_new(ctx) : NULL;
	BIO *in = BIO_new(BIO_s_mem()), *out = BIO_new(BIO_s_mem());
	if (!ssl || !in || !out) {
		BIO_free(in);
		BIO_free(out);
		SSL_free(ssl);
		SSL_CTX_free(ctx);
		return dl_error_set(err, DL_ENOMEM, "tls: OpenSSL cannot make a client");
	}
	SSL_set_verify(ssl, SSL_VERIFY_NONE, NULL);
	const char *name = tls_profile(l->peer)->server_name;
	if (name)
		SSL_set_tlsext_host_name(ssl, name);
	SSL_set_bio(ssl, in, out); /* the SSL owns both now */
	SSL_set_connect_state(ssl);
	bool done = false, stalled = false;
	const char *failed = NULL;
	for (unsigned rounds = 0; rounds < 256 && !done && !failed && !stalled; rounds++) {
		ERR_clear_error();
		int r = SSL_do_handshake(ssl);
		if (tls_flush(l, out, &why) != 0)
			failed = "the connection broke";
		else if (r == 1)
			done = true;
		else if (SSL_get_error(ssl, r) != SSL_ERROR_WANT_READ)
			failed = "OpenSSL refused it";
		else
			stalled = tls_feed(l, in, deadline_ns) != 0;
	}
	if (done) {
		*healthy = true;
		snprintf(evidence, size, "tls: %s handshake with %s completed on port %u",
			 SSL_get_version(ssl), SSL_get_cipher_name(ssl), port);
	} else {
		unsigned long e = ERR_peek_last_error();
		char reason[256] = "";
		if (e)
			ERR_error_string_n(e, reason, sizeof(reason));
		snprintf(evidence, size, "tls: the handshake on port %u did not complete (%s%s%s)",
			 port,
			 stalled  ? "the DUT closed or said nothing in time"
			 : failed ? failed
				  : "too many rounds",
			 e ? ": " : "", reason);
	}
	SSL_free(ssl);
	SSL_CTX_free(ctx);
	return 0;
}

const struct session_protocol session_tls = {
	.name = "tls",
	.title = "TLS handshake: ClientHellos on a fresh connection, the client's second flight "
		 "after the server's",
	.templates = tls_templates,
	.template_count = DL_ARRAY_SIZE(tls_templates),
	.establish = tls_establish,
	.tend = tls_tend,
	.close = tls_close,
	.check = tls_check,
	.state_size = sizeof(struct tls_session_state),
	.parallel = true,
};
