/* tls-suites: the IANA TLS cipher suite, named group and signature scheme registries as tables */
#ifndef DUTLAB_PROTO_TLS_SUITES_H
#define DUTLAB_PROTO_TLS_SUITES_H

/*
 * Source: IANA "Transport Layer Security (TLS) Parameters" (cipher suites,
 * supported groups, signature schemes), RFC 8446 B.4, RFC 5246 A.5,
 * RFC 8422, RFC 7919, RFC 8998, RFC 9189, RFC 9367. Each table is const,
 * sorted by code (a unit test checks sorted and unique), and searched by
 * binary search. The classification columns are our reading, used by the
 * TLS auditor's clause rules; tls-suites.c says how each is decided.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum tls_kx {
	TLS_KX_NULL,
	TLS_KX_RSA,
	TLS_KX_DH,  /* static DH in the certificate */
	TLS_KX_DHE, /* includes DH_anon */
	TLS_KX_ECDH,
	TLS_KX_ECDHE, /* includes ECDH_anon */
	TLS_KX_PSK,
	TLS_KX_DHE_PSK,
	TLS_KX_RSA_PSK,
	TLS_KX_ECDHE_PSK,
	TLS_KX_SRP,
	TLS_KX_KRB5,
	TLS_KX_GOST,
	TLS_KX_ECCPWD,
	TLS_KX_ECJPAKE,
	TLS_KX_TLS13, /* TLS 1.3: negotiated by supported_groups/key_share, always ephemeral */
	TLS_KX_SCSV,  /* a signalling value, not a suite */
};

enum tls_auth {
	TLS_AUTH_NONE, /* anonymous, or a signalling value */
	TLS_AUTH_RSA,
	TLS_AUTH_DSS,
	TLS_AUTH_ECDSA,
	TLS_AUTH_PSK,
	TLS_AUTH_KRB5,
	TLS_AUTH_GOST,
	TLS_AUTH_PASSWORD, /* ECCPWD, ECJPAKE */
	TLS_AUTH_TLS13,    /* TLS 1.3: by the certificate and signature_algorithms */
};

enum tls_cipher {
	TLS_CIPHER_NULL,
	TLS_CIPHER_RC4,
	TLS_CIPHER_RC2,
	TLS_CIPHER_DES,
	TLS_CIPHER_3DES,
	TLS_CIPHER_IDEA,
	TLS_CIPHER_SEED,
	TLS_CIPHER_AES,
	TLS_CIPHER_CAMELLIA,
	TLS_CIPHER_ARIA,
	TLS_CIPHER_CHACHA20,
	TLS_CIPHER_GOST28147,
	TLS_CIPHER_KUZNYECHIK,
	TLS_CIPHER_MAGMA,
	TLS_CIPHER_SM4,
};

enum tls_mode {
	TLS_MODE_NONE,
	TLS_MODE_STREAM,
	TLS_MODE_CBC,
	TLS_MODE_GCM,
	TLS_MODE_CCM,
	TLS_MODE_CCM_8,
	TLS_MODE_POLY1305, /* ChaCha20-Poly1305 AEAD, RFC 7905 */
	TLS_MODE_CTR,      /* GOST CTR_OMAC, RFC 9189 */
	TLS_MODE_MGM,      /* GOST AEAD, RFC 9367 */
};

enum tls_mac {
	TLS_MAC_NONE,
	TLS_MAC_MD5,
	TLS_MAC_SHA1,
	TLS_MAC_SHA256,
	TLS_MAC_SHA384,
	TLS_MAC_SM3,
	TLS_MAC_GOST,
	TLS_MAC_AEAD, /* integrity from the AEAD mode; the suite's hash is only its PRF */
};

enum tls_approved {
	TLS_APPROVED_NO,
	TLS_APPROVED_YES,
	TLS_APPROVED_LEGACY, /* 3DES: SP 800-131A Rev. 2 allows it for decryption only */
};

enum tls_strength {
	TLS_STRENGTH_NONE,   /* no encryption */
	TLS_STRENGTH_EXPORT, /* 40- or 56-bit export suites */
	TLS_STRENGTH_WEAK,   /* DES, 3DES, RC2, RC4, IDEA, GOST 28147-89 */
	TLS_STRENGTH_128,    /* a 128-bit-class cipher */
	TLS_STRENGTH_256,    /* a 256-bit-class cipher */
};

struct tls_suite {
	uint16_t code;
	const char *name; /* the IANA name: "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256" */
	enum tls_kx kx;
	enum tls_auth auth;
	enum tls_cipher cipher;
	uint16_t key_bits; /* the cipher key as specified (3DES: 168) */
	enum tls_mode mode;
	enum tls_mac mac;
	bool forward_secrecy;
	bool tls13_only;
	bool export;
	enum tls_approved approved;
	enum tls_strength strength;
};

extern const struct tls_suite tls_suites[];
extern const size_t tls_suite_count;

/* The entry for code or name (exact IANA name, case-insensitive), or NULL. */
const struct tls_suite *tls_suite_by_code(uint16_t code);
const struct tls_suite *tls_suite_by_name(const char *name);

#define TLS_SUITE_EMPTY_RENEGOTIATION_INFO_SCSV 0x00ff
#define TLS_SUITE_FALLBACK_SCSV 0x5600

const char *tls_kx_name(enum tls_kx kx);             /* "ECDHE" */
const char *tls_auth_name(enum tls_auth auth);       /* "RSA" */
const char *tls_cipher_name(enum tls_cipher cipher); /* "AES" */
const char *tls_mode_name(enum tls_mode mode);       /* "GCM" */
const char *tls_mac_name(enum tls_mac mac);          /* "SHA256" */
const char *tls_strength_name(enum tls_strength s);  /* "128" */

/* Named groups (RFC 8446 4.2.7, RFC 8422 5.1.1, RFC 7919). */
enum tls_group_kind {
	TLS_GROUP_EC,     /* a Weierstrass or Montgomery curve */
	TLS_GROUP_FFDHE,  /* a finite-field DH group */
	TLS_GROUP_HYBRID, /* a post-quantum KEM or a hybrid with one */
	TLS_GROUP_OTHER,  /* arbitrary_explicit_* */
};

struct tls_group {
	uint16_t code;
	const char *name; /* "x25519", "secp256r1", "ffdhe2048" */
	enum tls_group_kind kind;
	uint16_t bits; /* field or group size: 256 for secp256r1, 2048 for ffdhe2048 */
};

extern const struct tls_group tls_groups[];
extern const size_t tls_group_count;
const struct tls_group *tls_group_by_code(uint16_t code);
const struct tls_group *tls_group_by_name(const char *name);

/* Signature schemes (RFC 8446 4.2.3) and the TLS 1.2 hash/signature pairs
 * (RFC 5246 7.4.1.4.1) that share their code space. */
struct tls_signature_scheme {
	uint16_t code;
	const char *name; /* "ecdsa_secp256r1_sha256", "rsa_pkcs1_sha1" */
};

extern const struct tls_signature_scheme tls_signature_schemes[];
extern const size_t tls_signature_scheme_count;
const struct tls_signature_scheme *tls_signature_scheme_by_code(uint16_t code);
const struct tls_signature_scheme *tls_signature_scheme_by_name(const char *name);

#endif
