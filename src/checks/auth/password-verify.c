/* password-verify: does an identified stored hash belong to a known password (crypt(3), PBKDF2) */
#include "core/compat.h"

#include <crypt.h>
#include <openssl/evp.h>

#include "checks/auth/password-scan.h"
#include "core/monotonic.h"

/* Costs above these take seconds per try; such a hash is graded, not verified. */
#define VERIFY_MAX_BCRYPT_COST 14
#define VERIFY_MAX_ROUNDS 2000000
#define VERIFY_MAX_ITERATIONS 5000000
#define VERIFY_MAX_SCRYPT_LOG2N 20
#define VERIFY_DIGEST_MAX 128

static bool crypt_scheme(enum pwscan_scheme s)
{
	switch (s) {
	case PWSCAN_DES_CRYPT:
	case PWSCAN_MD5_CRYPT:
	case PWSCAN_SHA256_CRYPT:
	case PWSCAN_SHA512_CRYPT:
	case PWSCAN_YESCRYPT:
	case PWSCAN_GOST_YESCRYPT:
	case PWSCAN_BCRYPT:
	case PWSCAN_SCRYPT: return true;
	default: return false;
	}
}

static bool affordable(const struct pwscan_hash *h)
{
	switch (h->scheme) {
	case PWSCAN_BCRYPT: return h->cost <= VERIFY_MAX_BCRYPT_COST;
	case PWSCAN_SHA256_CRYPT:
	case PWSCAN_SHA512_CRYPT: return h->cost <= VERIFY_MAX_ROUNDS;
	case PWSCAN_SCRYPT: return h->cost <= VERIFY_MAX_SCRYPT_LOG2N;
	case PWSCAN_PBKDF2: return h->cost <= VERIFY_MAX_ITERATIONS;
	default: return true;
	}
}

static bool crypt_matches(const char *secret, const char *stored)
{
	struct crypt_data *data = calloc(1, sizeof(*data));
	if (!data)
		return false;
	const char *out = crypt_r(secret, stored, data);
	bool same = out && out[0] != '*' && strcmp(out, stored) == 0;
	free(data);
	return same;
}

/* Standard or passlib "adapted" base64 ('.' for '+', no padding) into out;
 * the byte count, or 0 when it is not base64. */
static size_t base64_decode(const char *in, size_t n, uint8_t *out, size_t size)
{
	uint32_t acc = 0;
	int bits = 0;
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		char c = in[i];
		int v;
		if (c >= 'A' && c <= 'Z')
			v = c - 'A';
		else if (c >= 'a' && c <= 'z')
			v = c - 'a' + 26;
		else if (c >= '0' && c <= '9')
			v = c - '0' + 52;
		else if (c == '+' || c == '.')
			v = 62;
		else if (c == '/')
			v = 63;
		else if (c == '=')
			break;
		else
			return 0;
		acc = (acc << 6) | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (o >= size)
				return 0;
			out[o++] = (uint8_t)(acc >> bits);
		}
	}
	return o;
}

/* "$pbkdf2-sha256$N$salt$hash" (passlib: salt and hash adapted base64) or
 * "pbkdf2_sha256$N$salt$hash" (Django: salt as text, hash base64). */
static bool pbkdf2_matches(const char *secret, const struct pwscan_hash *h)
{
	const char *t = h->text;
	bool django = t[0] == 'p';
	const char *name = django ? t + 7 : t + 7; /* after "pbkdf2_" / "$pbkdf2" */
	const EVP_MD *md = EVP_sha1();
	if (strncmp(name, "-sha256$", 8) == 0 || strncmp(name, "sha256$", 7) == 0)
		md = EVP_sha256();
	else if (strncmp(name, "-sha512$", 8) == 0 || strncmp(name, "sha512$", 7) == 0)
		md = EVP_sha512();
	/* the fields after the iterations */
	const char *iterations = strchr(t + 1, '$');
	const char *salt = iterations ? strchr(iterations + 1, '$') : NULL;
	const char *hash = salt ? strchr(salt + 1, '$') : NULL;
	if (!hash || h->cost == 0 || h->cost > INT32_MAX)
		return false;
	salt++;
	hash++;
	uint8_t salt_bytes[VERIFY_DIGEST_MAX], want[VERIFY_DIGEST_MAX], got[VERIFY_DIGEST_MAX];
	size_t salt_length = (size_t)(hash - 1 - salt);
	if (django) {
		if (salt_length > sizeof(salt_bytes))
			return false;
		memcpy(salt_bytes, salt, salt_length);
	} else {
		salt_length = base64_decode(salt, salt_length, salt_bytes, sizeof(salt_bytes));
		if (salt_length == 0)
			return false;
	}
	size_t want_length = base64_decode(hash, strlen(hash), want, sizeof(want));
	if (want_length < 16 ||
	    !PKCS5_PBKDF2_HMAC(secret, (int)strlen(secret), salt_bytes, (int)salt_length,
			       (int)h->cost, md, (int)want_length, got))
		return false;
	return memcmp(got, want, want_length) == 0;
}

size_t pwscan_verify(struct pwscan_result *r, const struct pwscan_secret *secrets, size_t count,
		     int64_t deadline_ns)
{
	size_t verified = 0;
	for (size_t i = 0; i < r->hash_count; i++) {
		struct pwscan_hash *h = &r->hashes[i];
		if (h->secret >= 0) {
			verified++;
			continue;
		}
		bool by_crypt = crypt_scheme(h->scheme);
		if ((!by_crypt && h->scheme != PWSCAN_PBKDF2) || !affordable(h))
			continue;
		for (size_t s = 0; s < count && h->secret < 0; s++) {
			if (deadline_ns > 0 && monotonic_ns() >= deadline_ns)
				return verified;
			bool same = by_crypt ? crypt_matches(secrets[s].value, h->text)
					     : pbkdf2_matches(secrets[s].value, h);
			if (same) {
				h->secret = (int)s;
				verified++;
			}
		}
	}
	return verified;
}
