/* forge: the control certificate and its one-defect variants, issued on the fly with OpenSSL */
#ifndef DUTLAB_CHECKS_TLSCLIENT_FORGE_H
#define DUTLAB_CHECKS_TLSCLIENT_FORGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <openssl/ocsp.h>
#include <openssl/x509.h>

struct dl_error;

/*
 * The matrix a TLS client must get right (TS-0014-1 5.3.1.2, 5.5.2.2; IoT-1006-1 5.1.1.3,
 * 5.1.1.4). Every certificate variant differs from the control in exactly one property, so a
 * client that accepts it shows exactly which check it skips. The two protocol variants serve
 * the valid certificate on a weak server.
 */
enum forge_variant {
	FORGE_CONTROL,            /* valid: trusted CA, host's name, fresh, EC P-256, SHA-256 */
	FORGE_EXPIRED,            /* validity ended an hour ago */
	FORGE_NOT_YET_VALID,      /* validity starts tomorrow */
	FORGE_WRONG_HOST,         /* SAN (and CN) of another name */
	FORGE_SHA1_SIGNATURE,     /* signed with SHA-1 */
	FORGE_RSA1024,            /* a 1024-bit RSA key */
	FORGE_WRONG_EKU,          /* extendedKeyUsage clientAuth only */
	FORGE_TAMPERED_SIGNATURE, /* one bit of the signature flipped */
	FORGE_REVOKED,            /* listed in the CA's CRL, "revoked" by its OCSP responder */
	FORGE_MALFORMED,          /* the control's DER with a bad TBSCertificate length */
	FORGE_SELF_SIGNED,        /* the host's name, signed by its own key */
	FORGE_UNKNOWN_CA,         /* issued by a throwaway CA the client never saw */
	FORGE_TLS10_11_ONLY,      /* control certificate; the server offers TLS 1.0 and 1.1 only */
	FORGE_NO_FORWARD_SECRECY, /* RSA control certificate; TLS 1.2 static-RSA suites only */
};
#define FORGE_VARIANT_COUNT 14

const char *forge_variant_name(enum forge_variant v); /* "control", "wrong_host" */
/* One sentence on what the variant tests, for findings. */
const char *forge_variant_defect(enum forge_variant v);
/* true only for the control: every other variant must be refused. */
bool forge_variant_expect_accept(enum forge_variant v);
/* FORGE_* from a name; DL_ENOTFOUND for an unknown one. */
int forge_variant_from_name(const char *name, enum forge_variant *out, struct dl_error *err);

/* A certificate authority: its certificate and private key. */
struct forge_ca {
	X509 *cert;
	EVP_PKEY *key;
};

/* Read a CA's certificate and key (PEM files) and check that they belong together. */
int forge_ca_load(struct forge_ca *ca, const char *cert_path, const char *key_path,
		  struct dl_error *err);
/* A new self-signed EC P-256 CA named common_name, valid from an hour before now for a day. */
int forge_ca_create(struct forge_ca *ca, const char *common_name, time_t now, struct dl_error *err);
void forge_ca_release(struct forge_ca *ca);

/* What the set is made for. */
struct forge_request {
	const char *host; /* the DNS name the client connects to; the control carries it */
	/* "http://198.18.1.1:8444": the certificates name BASE/crl.der as CRL distribution
	 * point and BASE/ocsp as OCSP responder (AIA); NULL: no revocation pointers. */
	const char *revocation_base_url;
	time_t now; /* 0: time(NULL) */
};

/* One server set-up: the certificate it presents and how the server is configured. */
struct forge_item {
	enum forge_variant variant;
	X509 *cert;    /* what the TLS library serves; owned */
	EVP_PKEY *key; /* its private key; owned */
	/* The issuing CA's certificate, sent after the leaf as servers do (clients that check a
	 * stapled OCSP answer look for the issuer there); NULL for the self-signed. Owned. */
	X509 *chain;
	/* FORGE_MALFORMED only: the bytes that replace cert's DER on the wire (same length, so
	 * no TLS length changes); NULL otherwise. Owned. */
	unsigned char *wire_der;
	size_t wire_der_length;
	int min_version;         /* TLS1_VERSION...; 0: library default */
	int max_version;         /* 0: library default (TLS 1.3) */
	const char *cipher_list; /* TLS 1.2-and-below suites (OpenSSL syntax); NULL: default */
	int security_level;      /* OpenSSL security level the server runs at */
};

/* The whole matrix for one client channel. */
struct forge_set {
	struct forge_ca trusted; /* owned (moved in by forge_set_build) */
	struct forge_ca unknown; /* the throwaway CA of FORGE_UNKNOWN_CA */
	struct forge_item items[FORGE_VARIANT_COUNT];
	X509_CRL *crl; /* signed by trusted, lists items[FORGE_REVOKED] */
	unsigned char *crl_der;
	size_t crl_der_length;
	time_t now;
};

/*
 * Issue every variant from trusted (whose ownership moves into s; trusted is cleared even on
 * failure). On failure s is released. DL_EINVAL for a bad host, DL_EIO when OpenSSL fails.
 */
int forge_set_build(struct forge_set *s, struct forge_ca *trusted, const struct forge_request *r,
		    struct dl_error *err);
void forge_set_release(struct forge_set *s);

/*
 * The OCSP answer of the trusted CA for request (DER), signed by the CA itself: "revoked"
 * for the revoked variant's serial, "good" for any other certificate the CA issued in s,
 * "unknown" otherwise; a malformed request gets a malformedRequest response. *out is a new
 * DER buffer (OPENSSL_free). DL_EIO when OpenSSL fails.
 */
int forge_ocsp_answer(const struct forge_set *s, const unsigned char *request, size_t length,
		      unsigned char **out, size_t *out_length, struct dl_error *err);
/* The stapled OCSP response for cert (as forge_ocsp_answer would answer for it). */
int forge_ocsp_staple(const struct forge_set *s, X509 *cert, unsigned char **out,
		      size_t *out_length, struct dl_error *err);

#endif
