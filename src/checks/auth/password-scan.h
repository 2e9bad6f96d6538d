/* password-scan: known passwords in clear or reversible encodings, and stored password hashes, in
 * artifact bytes */
#ifndef DUTLAB_CHECKS_AUTH_PASSWORD_SCAN_H
#define DUTLAB_CHECKS_AUTH_PASSWORD_SCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct dl_error;

/*
 * NCC 5.3.1.6, TS-0014-1 5.2.4.2, IoT-1006-1 5.3.1.2: a password the tester
 * set (a canary) or the profile declares must not be recoverable from what
 * the DUT stores. The scanner reads untrusted artifact bytes (a config
 * export, a firmware file) and reports
 *   - every place a known secret appears in clear or in a reversible form:
 *     UTF-16LE, reversed, hex (both cases), base64 (any alignment), URL
 *     encoding, XOR with any single-byte constant, Cisco type 7;
 *   - every stored password hash it can identify, by format (crypt(3)
 *     modular formats, PBKDF2 forms, DES-crypt and bare hex digests in a
 *     passwd-like line or a password field), graded; an unsalted digest of a
 *     known secret is found by computing it, so it is verified at once.
 * It is pure (no I/O) and bounded: at most PWSCAN_MATCHES_MAX and
 * PWSCAN_HASHES_MAX records, the rest counted.
 */

#define PWSCAN_SECRETS_MAX 32
#define PWSCAN_SECRET_MAX 128 /* longest secret searched, bytes */
#define PWSCAN_MATCHES_MAX 64
#define PWSCAN_HASHES_MAX 128
#define PWSCAN_HASH_TEXT_MAX 256
#define PWSCAN_ACCOUNT_MAX 64
/* PBKDF2 below this many iterations is graded weak (OWASP's floor for
 * PBKDF2-HMAC-SHA256 is far higher; SP 800-132 asks for at least 1000). */
#define PWSCAN_PBKDF2_MIN_ITERATIONS 10000
/* SHA-crypt below its default rounds is graded weak. */
#define PWSCAN_SHACRYPT_MIN_ROUNDS 5000

/* A password to look for and the words a finding names it by. */
struct pwscan_secret {
	const char *label; /* "the canary password of dltest"; never the value */
	const char *value;
};

enum pwscan_encoding {
	PWSCAN_CLEAR,
	PWSCAN_UTF16LE,
	PWSCAN_REVERSED,
	PWSCAN_HEX_LOWER,
	PWSCAN_HEX_UPPER,
	PWSCAN_BASE64,
	PWSCAN_URL,
	PWSCAN_XOR,
	PWSCAN_CISCO7,
};

const char *pwscan_encoding_name(enum pwscan_encoding e); /* "base64", "xor" */

/* One place a secret is recoverable. */
struct pwscan_match {
	uint64_t offset; /* of the first encoded byte in the scanned buffer */
	size_t secret;   /* index into the secrets */
	enum pwscan_encoding encoding;
	uint8_t xor_key; /* PWSCAN_XOR */
	/* It stands where a password goes: the second field of a passwd-like
	 * line, or after a word such as "password" on its line. A secret that
	 * is also a user name ("admin") means something only there. */
	bool password_field;
};

enum pwscan_scheme {
	PWSCAN_DES_CRYPT,
	PWSCAN_MD5_CRYPT, /* $1$ */
	PWSCAN_APR1,      /* $apr1$ (Apache MD5) */
	PWSCAN_SHA256_CRYPT,
	PWSCAN_SHA512_CRYPT,
	PWSCAN_YESCRYPT, /* $y$ */
	PWSCAN_GOST_YESCRYPT,
	PWSCAN_BCRYPT,
	PWSCAN_SCRYPT, /* $7$ */
	PWSCAN_ARGON2,
	PWSCAN_PBKDF2,       /* $pbkdf2[-sha...]$, django pbkdf2_sha256$ */
	PWSCAN_CISCO_PBKDF2, /* $8$ */
	PWSCAN_CISCO_SCRYPT, /* $9$ */
	/* a bare digest of the password, unsalted: hex, base64 or raw bytes */
	PWSCAN_MD5,
	PWSCAN_SHA1,
	PWSCAN_SHA256,
	PWSCAN_SHA512,
	PWSCAN_LDAP_SHA,      /* {SHA} base64, unsalted */
	PWSCAN_LDAP_SSHA,     /* {SSHA}: salted, one fast SHA-1 */
	PWSCAN_CISCO7_SCHEME, /* reversible */
};

const char *pwscan_scheme_name(enum pwscan_scheme s); /* "yescrypt", "md5-crypt" */

enum pwscan_grade {
	/* anyone can turn it back into the password without a device-held key */
	PWSCAN_GRADE_REVERSIBLE,
	/* a hash, but a legacy or fast one: DES-crypt, MD5-crypt, unsalted or
	 * salted single digests, PBKDF2 or SHA-crypt with few iterations */
	PWSCAN_GRADE_WEAK,
	/* salted and deliberately slow: yescrypt, bcrypt, scrypt, argon2,
	 * SHA-crypt, PBKDF2 with enough iterations */
	PWSCAN_GRADE_STRONG,
};

const char *pwscan_grade_name(enum pwscan_grade g); /* "reversible", "weak", "strong" */

struct pwscan_hash {
	uint64_t offset;
	enum pwscan_scheme scheme;
	enum pwscan_grade grade;
	bool salted;
	/* An SP 800-140C approved construction (PBKDF2 with an approved HMAC,
	 * SP 800-132), which TS-0014-1 5.2.4.2 names. */
	bool approved;
	uint64_t cost; /* rounds, iterations, bcrypt cost or scrypt log2 N; 0 unknown */
	char account[PWSCAN_ACCOUNT_MAX]; /* the passwd-like line's first field, or "" */
	char text[PWSCAN_HASH_TEXT_MAX];  /* the stored string; not a password */
	int secret;                       /* the secret it was verified against, or -1 */
};

struct pwscan_result {
	struct pwscan_match matches[PWSCAN_MATCHES_MAX];
	size_t match_count;
	size_t matches_dropped;
	struct pwscan_hash hashes[PWSCAN_HASHES_MAX];
	size_t hash_count;
	size_t hashes_dropped;
};

struct pwscan; /* the needles of one set of secrets, computed once */

/* Prepare the search for secrets (each 1..PWSCAN_SECRET_MAX bytes; the
 * strings are copied). 0, DL_EINVAL or DL_ENOMEM. */
int pwscan_new(const struct pwscan_secret *secrets, size_t count, struct pwscan **out,
	       struct dl_error *err);
void pwscan_free(struct pwscan *s);

/* Scan length bytes; base is added to every offset reported (for a file
 * read in pieces). Appends to *out (zero it before the first call). */
void pwscan_run(const struct pwscan *s, const uint8_t *data, size_t length, uint64_t base,
		struct pwscan_result *out);

/* Decode a Cisco type 7 string ("0822455D0A16") into out (size bytes);
 * 0 or DL_EINVAL when it is not one. */
int pwscan_cisco7_decode(const char *text, char *out, size_t size);

/* The identifier of one stored string alone (a crypt(3) string, a hex
 * digest with context "passwd-line"): for tests and the verifier. 0 or
 * DL_EINVAL when it is no known format. */
int pwscan_identify(const char *text, size_t length, struct pwscan_hash *out);

/*
 * Try each secret against each identified hash not verified yet: crypt(3)
 * (crypt_r: DES, MD5-, SHA-crypt, yescrypt, bcrypt, scrypt) and PBKDF2
 * (passlib and Django forms, OpenSSL). Sets hashes[].secret; returns how
 * many hashes are verified. Stops at deadline_ns (CLOCK_MONOTONIC; 0: no
 * deadline); skips hashes whose cost would take seconds each.
 * (password-verify.c; not part of the fuzzed scanner.)
 */
size_t pwscan_verify(struct pwscan_result *r, const struct pwscan_secret *secrets, size_t count,
		     int64_t deadline_ns);

/* "***" followed by the length: what a finding shows of a password. */
void pwscan_mask(const char *secret, char *out, size_t size);

#endif
