/* tls-certificate: X.509 facts, chain trust and fingerprints of a served certificate chain */
#ifndef DUTLAB_CHECKS_TLS_TLS_CERTIFICATE_H
#define DUTLAB_CHECKS_TLS_TLS_CERTIFICATE_H

/*
 * Everything here reads certificates through OpenSSL's X509 API; nothing
 * parses ASN.1 by hand. The facts are the "Certificate facts JSON" of
 * notes/tls-audit-spec.md; the judges decide on them, this file only states
 * them. References: RFC 5280 (profile, 4.2.1.3 key usage, 4.2.1.6 SAN,
 * 4.2.1.9 basic constraints, 4.2.1.12 EKU), RFC 6125 6.4 (names: the
 * subject CN is not consulted, as current clients do), RFC 7469 2.4 (SPKI
 * fingerprint).
 */

#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct dl_error;
struct json_object;
struct scope;

/* The longest chain we look at: as many as the handshake parser keeps (TLS_CERTIFICATES_MAX). */
#define TLS_CHAIN_MAX 16

struct tls_certificate_options {
	const char *ca_bundle; /* PEM file of trust anchors; NULL: OpenSSL's default store */
	const char *const *expected_names; /* DNS names or IP addresses the leaf must carry */
	size_t expected_name_count;
	time_t now; /* the moment validity and trust are judged at; 0: the current time */
};

/*
 * The facts of a served chain (der[0] is the leaf, the rest as served) into
 * a new object *out (the caller owns it, json_object_put):
 *   {"chain": [facts...], "trusted": bool, "verify_error": "text" | null,
 *    "trust_store": "/path" | "system", "chain_order_ok": bool}
 * Each element of chain[] has the spec's facts plus "problems", an array of
 * tokens: "expired", "not_yet_valid", "weak_signature" (MD2/MD4/MD5/SHA-1,
 * not flagged on a served self-signed CA, whose signature nobody checks),
 * "weak_key" (RSA/DSA < 2048 bits, EC < 256), "missing_server_auth_eku"
 * (an EKU without serverAuth), and on the leaf only "self_signed",
 * "name_mismatch", "no_san", "untrusted" (chain verification failed) and
 * "ca_as_leaf". A certificate OpenSSL cannot decode is kept in its place as
 * {"parse_error": "...", "sha256": "...", "problems": ["unparseable"]}.
 * Trust: X509_verify_cert against the bundle, the served certificates after
 * the leaf as the untrusted chain, purpose TLS server, at o->now.
 * Returns 0 (also for a chain that is broken or garbage: that is in the
 * JSON), DL_EINVAL for a bad argument, more than TLS_CHAIN_MAX certificates
 * or a CA bundle that cannot be read, DL_ENOMEM.
 */
int tls_certificate_facts(const unsigned char *const *der, const size_t *der_len, size_t count,
			  const struct tls_certificate_options *o, struct json_object **out,
			  struct dl_error *err);

/* A chain as an OpenSSL client handshake received it. */
struct tls_chain {
	size_t count;
	unsigned char *der[TLS_CHAIN_MAX]; /* owned; tls_chain_release frees them */
	size_t der_len[TLS_CHAIN_MAX];
	char version[16]; /* "TLSv1.3" */
	char cipher[64];  /* OpenSSL's name of the negotiated suite */
};

/*
 * Connect to address:port (through sock_tcp_connect, so the scope guard
 * decides) and run an OpenSSL client handshake over it that accepts any
 * version, any suite (security level 0) and any certificate, to collect the
 * chain the server serves: the only way to see it on a TLS 1.3-only server,
 * where it travels encrypted. server_name is sent as SNI unless NULL or an
 * IP address. Every wait ends at deadline_ns (CLOCK_MONOTONIC). On success
 * *out holds at least the leaf (release it with tls_chain_release); a server
 * that ends the handshake after sending its certificate still counts.
 * Returns 0, DL_ESCOPE, DL_EIO (connect failed), DL_ETIMEDOUT, DL_EPROTO
 * (the handshake failed before a certificate came), DL_EINVAL or DL_ENOMEM.
 */
int tls_chain_fetch(const struct scope *scope, const char *interface, const char *address,
		    uint16_t port, const char *server_name, int64_t deadline_ns,
		    struct tls_chain *out, struct dl_error *err);

/* Free what tls_chain_fetch stored and zero *c; NULL-safe, idempotent. */
void tls_chain_release(struct tls_chain *c);

/*
 * Lowercase hex SHA-256 of the DER certificate (as given) and of its DER
 * SubjectPublicKeyInfo (RFC 7469 pin), NUL-terminated. 0, DL_EINVAL (not a
 * certificate) or DL_ENOMEM.
 */
int tls_certificate_fingerprints(const unsigned char *der, size_t len, char cert_sha256[65],
				 char spki_sha256[65], struct dl_error *err);

#endif
