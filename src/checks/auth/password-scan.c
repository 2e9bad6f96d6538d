/* password-scan: known passwords in clear or reversible encodings, and stored password hashes, in
 * artifact bytes */
#include "core/compat.h"

#include <openssl/evp.h>

#include "checks/auth/password-scan.h"
#include "core/error.h"

/* The longest needle: a secret fully percent-encoded is 3 bytes per byte. */
#define NEEDLE_MAX (3 * PWSCAN_SECRET_MAX + 1)
/* needles per secret: encodings (14) and digests (4 x 4 forms) */
#define NEEDLES_PER_SECRET 32
/* XOR needs this many bytes so a random match is unlikely in a large image. */
#define XOR_MIN_LENGTH 5

struct needle {
	uint8_t bytes[NEEDLE_MAX];
	size_t length;
	size_t secret;
	bool is_digest;
	enum pwscan_encoding encoding; /* when not a digest */
	enum pwscan_scheme scheme;     /* when a digest */
};

struct pwscan {
	char values[PWSCAN_SECRETS_MAX][PWSCAN_SECRET_MAX + 1];
	size_t lengths[PWSCAN_SECRETS_MAX];
	size_t secret_count;
	struct needle *needles;
	size_t needle_count;
};

const char *pwscan_encoding_name(enum pwscan_encoding e)
{
	switch (e) {
	case PWSCAN_CLEAR: return "clear";
	case PWSCAN_UTF16LE: return "utf-16le";
	case PWSCAN_REVERSED: return "reversed";
	case PWSCAN_HEX_LOWER: return "hex";
	case PWSCAN_HEX_UPPER: return "HEX";
	case PWSCAN_BASE64: return "base64";
	case PWSCAN_URL: return "url-encoding";
	case PWSCAN_XOR: return "xor";
	case PWSCAN_CISCO7: return "cisco-type-7";
	}
	return "?";
}

const char *pwscan_scheme_name(enum pwscan_scheme s)
{
	switch (s) {
	case PWSCAN_DES_CRYPT: return "des-crypt";
	case PWSCAN_MD5_CRYPT: return "md5-crypt";
	case PWSCAN_APR1: return "apr1-md5";
	case PWSCAN_SHA256_CRYPT: return "sha256-crypt";
	case PWSCAN_SHA512_CRYPT: return "sha512-crypt";
	case PWSCAN_YESCRYPT: return "yescrypt";
	case PWSCAN_GOST_YESCRYPT: return "gost-yescrypt";
	case PWSCAN_BCRYPT: return "bcrypt";
	case PWSCAN_SCRYPT: return "scrypt";
	case PWSCAN_ARGON2: return "argon2";
	case PWSCAN_PBKDF2: return "pbkdf2";
	case PWSCAN_CISCO_PBKDF2: return "cisco-type-8-pbkdf2";
	case PWSCAN_CISCO_SCRYPT: return "cisco-type-9-scrypt";
	case PWSCAN_MD5: return "md5";
	case PWSCAN_SHA1: return "sha1";
	case PWSCAN_SHA256: return "sha256";
	case PWSCAN_SHA512: return "sha512";
	case PWSCAN_LDAP_SHA: return "ldap-sha";
	case PWSCAN_LDAP_SSHA: return "ldap-ssha";
	case PWSCAN_CISCO7_SCHEME: return "cisco-type-7";
	}
	return "?";
}

const char *pwscan_grade_name(enum pwscan_grade g)
{
	switch (g) {
	case PWSCAN_GRADE_REVERSIBLE: return "reversible";
	case PWSCAN_GRADE_WEAK: return "weak";
	case PWSCAN_GRADE_STRONG: return "strong";
	}
	return "?";
}

void pwscan_mask(const char *secret, char *out, size_t size)
{
	snprintf(out, size, "*** (%zu characters)", secret ? strlen(secret) : (size_t)0);
}

/* ---- needles ---------------------------------------------------------- */

static const char hex_lower[] = "0123456789abcdef";
static const char hex_upper[] = "0123456789ABCDEF";
static const char b64_std[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* base64 of in; with full_groups_only the chars of a partial last group
 * (which depend on what follows in a longer stream) are left out. */
static size_t base64_encode(const uint8_t *in, size_t n, bool full_groups_only, uint8_t *out,
			    size_t size)
{
	size_t o = 0, i = 0;
	for (; i + 3 <= n && o + 4 < size; i += 3) {
		uint32_t v = ((uint32_t)in[i] << 16) | ((uint32_t)in[i + 1] << 8) | in[i + 2];
		out[o++] = (uint8_t)b64_std[(v >> 18) & 63];
		out[o++] = (uint8_t)b64_std[(v >> 12) & 63];
		out[o++] = (uint8_t)b64_std[(v >> 6) & 63];
		out[o++] = (uint8_t)b64_std[v & 63];
	}
	if (!full_groups_only && i < n && o + 4 < size) {
		uint32_t v = (uint32_t)in[i] << 16;
		if (i + 1 < n)
			v |= (uint32_t)in[i + 1] << 8;
		out[o++] = (uint8_t)b64_std[(v >> 18) & 63];
		out[o++] = (uint8_t)b64_std[(v >> 12) & 63];
		out[o++] = i + 1 < n ? (uint8_t)b64_std[(v >> 6) & 63] : '=';
		out[o++] = '=';
	}
	return o;
}

static bool unreserved(uint8_t c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '.' || c == '_' || c == '~';
}

/* Add a needle unless an identical one of the same secret is there. */
static void needle_add(struct pwscan *s, size_t secret, const uint8_t *bytes, size_t length,
		       bool is_digest, enum pwscan_encoding encoding, enum pwscan_scheme scheme)
{
	if (length == 0 || length > NEEDLE_MAX)
		return;
	for (size_t i = 0; i < s->needle_count; i++) {
		const struct needle *n = &s->needles[i];
		if (n->secret == secret && n->length == length &&
		    memcmp(n->bytes, bytes, length) == 0)
			return;
	}
	struct needle *n = &s->needles[s->needle_count++];
	memcpy(n->bytes, bytes, length);
	n->length = length;
	n->secret = secret;
	n->is_digest = is_digest;
	n->encoding = encoding;
	n->scheme = scheme;
}

static void needle_add_hex(struct pwscan *s, size_t secret, const uint8_t *in, size_t n,
			   const char *alphabet, bool is_digest, enum pwscan_encoding encoding,
			   enum pwscan_scheme scheme)
{
	uint8_t out[NEEDLE_MAX];
	if (2 * n > sizeof(out))
		return;
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = (uint8_t)alphabet[in[i] >> 4];
		out[2 * i + 1] = (uint8_t)alphabet[in[i] & 15];
	}
	needle_add(s, secret, out, 2 * n, is_digest, encoding, scheme);
}

static void add_digest_needles(struct pwscan *s, size_t secret, const EVP_MD *md,
			       enum pwscan_scheme scheme)
{
	uint8_t digest[EVP_MAX_MD_SIZE];
	unsigned int digest_length = 0;
	if (!md ||
	    !EVP_Digest(s->values[secret], s->lengths[secret], digest, &digest_length, md, NULL))
		return;
	needle_add_hex(s, secret, digest, digest_length, hex_lower, true, PWSCAN_HEX_LOWER, scheme);
	needle_add_hex(s, secret, digest, digest_length, hex_upper, true, PWSCAN_HEX_UPPER, scheme);
	uint8_t b64[NEEDLE_MAX];
	size_t n = base64_encode(digest, digest_length, false, b64, sizeof(b64));
	needle_add(s, secret, b64, n, true, PWSCAN_BASE64, scheme);
	needle_add(s, secret, digest, digest_length, true, PWSCAN_CLEAR, scheme);
}

static void add_needles(struct pwscan *s, size_t i)
{
	const uint8_t *v = (const uint8_t *)s->values[i];
	size_t n = s->lengths[i];
	uint8_t out[NEEDLE_MAX];

	needle_add(s, i, v, n, false, PWSCAN_CLEAR, 0);
	bool ascii = true;
	for (size_t k = 0; k < n; k++)
		ascii = ascii && v[k] < 0x80;
	if (ascii && 2 * n <= sizeof(out)) {
		for (size_t k = 0; k < n; k++) {
			out[2 * k] = v[k];
			out[2 * k + 1] = 0;
		}
		needle_add(s, i, out, 2 * n, false, PWSCAN_UTF16LE, 0);
	}
	for (size_t k = 0; k < n; k++)
		out[k] = v[n - 1 - k];
	if (n >= 4 && memcmp(out, v, n) != 0)
		needle_add(s, i, out, n, false, PWSCAN_REVERSED, 0);
	needle_add_hex(s, i, v, n, hex_lower, false, PWSCAN_HEX_LOWER, 0);
	needle_add_hex(s, i, v, n, hex_upper, false, PWSCAN_HEX_UPPER, 0);

	/* base64: the whole value encoded alone, and for each of the three
	 * alignments a longer stream can put it at, the groups that depend on
	 * the value only (at least 8 characters, else too many chance hits). */
	size_t m = base64_encode(v, n, false, out, sizeof(out));
	needle_add(s, i, out, m, false, PWSCAN_BASE64, 0);
	for (size_t skip = 0; skip < 3 && skip < n; skip++) {
		m = base64_encode(v + skip, n - skip, true, out, sizeof(out));
		if (m >= 8)
			needle_add(s, i, out, m, false, PWSCAN_BASE64, 0);
	}

	/* URL encoding as forms and query strings write it, then every byte
	 * percent-encoded; each in both hex cases. */
	for (int all = 0; all < 2; all++) {
		for (int upper = 0; upper < 2; upper++) {
			const char *alphabet = upper ? hex_upper : hex_lower;
			size_t o = 0;
			bool changed = false;
			for (size_t k = 0; k < n && o + 3 < sizeof(out); k++) {
				if (!all && unreserved(v[k])) {
					out[o++] = v[k];
					continue;
				}
				out[o++] = '%';
				out[o++] = (uint8_t)alphabet[v[k] >> 4];
				out[o++] = (uint8_t)alphabet[v[k] & 15];
				changed = true;
			}
			if (changed)
				needle_add(s, i, out, o, false, PWSCAN_URL, 0);
		}
	}

	add_digest_needles(s, i, EVP_md5(), PWSCAN_MD5);
	add_digest_needles(s, i, EVP_sha1(), PWSCAN_SHA1);
	add_digest_needles(s, i, EVP_sha256(), PWSCAN_SHA256);
	add_digest_needles(s, i, EVP_sha512(), PWSCAN_SHA512);
}

int pwscan_new(const struct pwscan_secret *secrets, size_t count, struct pwscan **out,
	       struct dl_error *err)
{
	*out = NULL;
	if (count > PWSCAN_SECRETS_MAX)
		return dl_error_set(err, DL_EINVAL, "password scan: %zu secrets; at most %d", count,
				    PWSCAN_SECRETS_MAX);
	struct pwscan *s = calloc(1, sizeof(*s));
	if (!s)
		return dl_error_set(err, DL_ENOMEM, "password scan: out of memory");
	s->needles = calloc(count ? count * NEEDLES_PER_SECRET : 1, sizeof(*s->needles));
	if (!s->needles) {
		free(s);
		return dl_error_set(err, DL_ENOMEM, "password scan: out of memory");
	}
	for (size_t i = 0; i < count; i++) {
		size_t n = secrets[i].value ? strlen(secrets[i].value) : 0;
		if (n == 0 || n > PWSCAN_SECRET_MAX) {
			pwscan_free(s);
			return dl_error_set(err, DL_EINVAL,
					    "password scan: secret %zu (%s) is %zu bytes; expected "
					    "1 to %d",
					    i, secrets[i].label ? secrets[i].label : "unnamed", n,
					    PWSCAN_SECRET_MAX);
		}
		memcpy(s->values[i], secrets[i].value, n + 1);
		s->lengths[i] = n;
		s->secret_count++;
		add_needles(s, i);
	}
	*out = s;
	return 0;
}

void pwscan_free(struct pwscan *s)
{
	if (!s)
		return;
	free(s->needles);
	free(s);
}

/* ---- results ---------------------------------------------------------- */

static bool password_context(const uint8_t *data, size_t at);
static bool passwd_account(const uint8_t *data, size_t at, char *account, size_t size);

static void match_add(struct pwscan_result *r, const uint8_t *data, size_t at, uint64_t base,
		      size_t secret, enum pwscan_encoding encoding, uint8_t key)
{
	uint64_t offset = base + at;
	char account[PWSCAN_ACCOUNT_MAX];
	bool field =
		passwd_account(data, at, account, sizeof(account)) || password_context(data, at);
	for (size_t i = 0; i < r->match_count; i++) {
		const struct pwscan_match *m = &r->matches[i];
		if (m->offset == offset && m->secret == secret && m->encoding == encoding)
			return;
	}
	if (r->match_count >= PWSCAN_MATCHES_MAX) {
		r->matches_dropped++;
		return;
	}
	r->matches[r->match_count++] = (struct pwscan_match){.offset = offset,
							     .secret = secret,
							     .encoding = encoding,
							     .xor_key = key,
							     .password_field = field};
}

static struct pwscan_hash *hash_add(struct pwscan_result *r, uint64_t offset)
{
	for (size_t i = 0; i < r->hash_count; i++)
		if (r->hashes[i].offset == offset)
			return NULL;
	if (r->hash_count >= PWSCAN_HASHES_MAX) {
		r->hashes_dropped++;
		return NULL;
	}
	struct pwscan_hash *h = &r->hashes[r->hash_count++];
	memset(h, 0, sizeof(*h));
	h->offset = offset;
	h->secret = -1;
	return h;
}

/* ---- hash formats ------------------------------------------------------ */

static bool crypt64(uint8_t c)
{
	return c == '.' || c == '/' || (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') ||
	       (c >= 'a' && c <= 'z');
}

static bool b64char(uint8_t c)
{
	return c == '+' || c == '/' || (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') ||
	       (c >= 'a' && c <= 'z');
}

static bool ishex(uint8_t c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static bool isdigit_byte(uint8_t c)
{
	return c >= '0' && c <= '9';
}

static size_t span(const uint8_t *p, size_t n, bool (*ok)(uint8_t))
{
	size_t i = 0;
	while (i < n && ok(p[i]))
		i++;
	return i;
}

/* A decimal number of at most 12 digits at p; its length, 0 if none. */
static size_t number(const uint8_t *p, size_t n, uint64_t *value)
{
	size_t i = 0;
	uint64_t v = 0;
	while (i < n && i < 12 && isdigit_byte(p[i])) {
		v = v * 10 + (uint64_t)(p[i] - '0');
		i++;
	}
	if (i < n && isdigit_byte(p[i]))
		return 0;
	*value = v;
	return i;
}

static bool prefix(const uint8_t *p, size_t n, const char *text)
{
	size_t k = strlen(text);
	return n >= k && memcmp(p, text, k) == 0;
}

/* "$salt$hash" with salt of crypt64 in [salt_min, salt_max] and hash of
 * exactly hash_length crypt64; the length consumed or 0. */
static size_t salt_hash(const uint8_t *p, size_t n, size_t salt_min, size_t salt_max,
			size_t hash_length)
{
	size_t salt = span(p, n, crypt64);
	if (salt < salt_min || salt > salt_max || salt >= n || p[salt] != '$')
		return 0;
	size_t hash = span(p + salt + 1, n - salt - 1, crypt64);
	if (hash != hash_length)
		return 0;
	return salt + 1 + hash;
}

static void grade_set(struct pwscan_hash *h, enum pwscan_scheme scheme, enum pwscan_grade grade,
		      bool salted, bool approved, uint64_t cost)
{
	h->scheme = scheme;
	h->grade = grade;
	h->salted = salted;
	h->approved = approved;
	h->cost = cost;
}

/* Identify a modular crypt string at p (p[0] == '$'); its length or 0. */
static size_t identify_dollar(const uint8_t *p, size_t n, struct pwscan_hash *h)
{
	size_t k;
	if (prefix(p, n, "$1$") && (k = salt_hash(p + 3, n - 3, 0, 8, 22))) {
		grade_set(h, PWSCAN_MD5_CRYPT, PWSCAN_GRADE_WEAK, true, false, 1000);
		return 3 + k;
	}
	if (prefix(p, n, "$apr1$") && (k = salt_hash(p + 6, n - 6, 0, 8, 22))) {
		grade_set(h, PWSCAN_APR1, PWSCAN_GRADE_WEAK, true, false, 1000);
		return 6 + k;
	}
	if (prefix(p, n, "$5$") || prefix(p, n, "$6$")) {
		bool sha512 = p[1] == '6';
		size_t at = 3;
		uint64_t rounds = 5000;
		if (prefix(p + at, n - at, "rounds=")) {
			size_t d = number(p + at + 7, n - at - 7, &rounds);
			if (d == 0 || at + 7 + d >= n || p[at + 7 + d] != '$')
				return 0;
			at += 7 + d + 1;
		}
		k = salt_hash(p + at, n - at, 0, 16, sha512 ? 86 : 43);
		if (!k)
			return 0;
		grade_set(h, sha512 ? PWSCAN_SHA512_CRYPT : PWSCAN_SHA256_CRYPT,
			  rounds >= PWSCAN_SHACRYPT_MIN_ROUNDS ? PWSCAN_GRADE_STRONG
							       : PWSCAN_GRADE_WEAK,
			  true, false, rounds);
		return at + k;
	}
	if (prefix(p, n, "$y$") || prefix(p, n, "$gy$")) {
		size_t at = p[1] == 'y' ? 3 : 4;
		size_t params = span(p + at, n - at, crypt64);
		if (params == 0 || at + params >= n || p[at + params] != '$')
			return 0;
		at += params + 1;
		k = salt_hash(p + at, n - at, 1, 86, 43);
		if (!k)
			return 0;
		grade_set(h, p[1] == 'y' ? PWSCAN_YESCRYPT : PWSCAN_GOST_YESCRYPT,
			  PWSCAN_GRADE_STRONG, true, false, 0);
		return at + k;
	}
	if (n >= 7 && p[1] == '2' && (p[2] == 'a' || p[2] == 'b' || p[2] == 'x' || p[2] == 'y') &&
	    p[3] == '$' && isdigit_byte(p[4]) && isdigit_byte(p[5]) && p[6] == '$') {
		if (span(p + 7, n - 7, crypt64) != 53)
			return 0;
		uint64_t cost = (uint64_t)(p[4] - '0') * 10 + (uint64_t)(p[5] - '0');
		grade_set(h, PWSCAN_BCRYPT, cost >= 10 ? PWSCAN_GRADE_STRONG : PWSCAN_GRADE_WEAK,
			  true, false, cost);
		return 60;
	}
	if (prefix(p, n, "$7$")) {
		/* $7$ N(1) r(5) p(5) salt $ hash(43) */
		if (n < 3 + 11 || span(p + 3, 11, crypt64) != 11)
			return 0;
		k = salt_hash(p + 14, n - 14, 0, 64, 43);
		if (!k)
			return 0;
		static const char itoa64[] =
			"./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
		const char *at = strchr(itoa64, p[3]);
		grade_set(h, PWSCAN_SCRYPT, PWSCAN_GRADE_STRONG, true, false,
			  at ? (uint64_t)(at - itoa64) : 0);
		return 14 + k;
	}
	if (prefix(p, n, "$8$") && (k = salt_hash(p + 3, n - 3, 14, 14, 43))) {
		grade_set(h, PWSCAN_CISCO_PBKDF2, PWSCAN_GRADE_STRONG, true, true, 20000);
		return 3 + k;
	}
	if (prefix(p, n, "$9$") && (k = salt_hash(p + 3, n - 3, 14, 14, 43))) {
		grade_set(h, PWSCAN_CISCO_SCRYPT, PWSCAN_GRADE_STRONG, true, false, 0);
		return 3 + k;
	}
	if (prefix(p, n, "$argon2id$") || prefix(p, n, "$argon2i$") || prefix(p, n, "$argon2d$")) {
		size_t at = (size_t)((const uint8_t *)memchr(p + 1, '$', n - 1) - p) + 1;
		if (prefix(p + at, n - at, "v=")) {
			uint64_t version;
			size_t d = number(p + at + 2, n - at - 2, &version);
			if (d == 0 || at + 2 + d >= n || p[at + 2 + d] != '$')
				return 0;
			at += 2 + d + 1;
		}
		uint64_t m = 0, t = 0, par = 0;
		size_t d;
		if (!prefix(p + at, n - at, "m=") || !(d = number(p + at + 2, n - at - 2, &m)))
			return 0;
		at += 2 + d;
		if (!prefix(p + at, n - at, ",t=") || !(d = number(p + at + 3, n - at - 3, &t)))
			return 0;
		at += 3 + d;
		if (!prefix(p + at, n - at, ",p=") || !(d = number(p + at + 3, n - at - 3, &par)))
			return 0;
		at += 3 + d;
		if (at >= n || p[at] != '$')
			return 0;
		at++;
		size_t salt = span(p + at, n - at, b64char);
		if (salt < 8 || at + salt >= n || p[at + salt] != '$')
			return 0;
		at += salt + 1;
		size_t hash = span(p + at, n - at, b64char);
		if (hash < 16)
			return 0;
		grade_set(h, PWSCAN_ARGON2, PWSCAN_GRADE_STRONG, true, false, t);
		return at + hash;
	}
	if (prefix(p, n, "$pbkdf2")) {
		size_t at = 7;
		if (at < n && p[at] == '-') {
			at++;
			at += span(p + at, n - at, crypt64);
		}
		if (at >= n || p[at] != '$')
			return 0;
		at++;
		uint64_t iterations = 0;
		size_t d = number(p + at, n - at, &iterations);
		if (d == 0 || at + d >= n || p[at + d] != '$')
			return 0;
		at += d + 1;
		size_t salt = span(p + at, n - at, crypt64);
		if (salt == 0 || at + salt >= n || p[at + salt] != '$')
			return 0;
		at += salt + 1;
		size_t hash = span(p + at, n - at, crypt64);
		if (hash < 16)
			return 0;
		grade_set(h, PWSCAN_PBKDF2,
			  iterations >= PWSCAN_PBKDF2_MIN_ITERATIONS ? PWSCAN_GRADE_STRONG
								     : PWSCAN_GRADE_WEAK,
			  true, true, iterations);
		return at + hash;
	}
	return 0;
}

/* Django's "pbkdf2_sha256$iterations$salt$hash" at p. */
static size_t identify_django(const uint8_t *p, size_t n, struct pwscan_hash *h)
{
	if (!prefix(p, n, "pbkdf2_sha"))
		return 0;
	size_t at = 10 + span(p + 10, n - 10, isdigit_byte);
	if (at >= n || p[at] != '$')
		return 0;
	at++;
	uint64_t iterations = 0;
	size_t d = number(p + at, n - at, &iterations);
	if (d == 0 || at + d >= n || p[at + d] != '$')
		return 0;
	at += d + 1;
	size_t salt = span(p + at, n - at, crypt64);
	if (salt == 0 || at + salt >= n || p[at + salt] != '$')
		return 0;
	at += salt + 1;
	size_t hash = span(p + at, n - at, b64char);
	while (at + hash < n && p[at + hash] == '=')
		hash++;
	if (hash < 16)
		return 0;
	grade_set(h, PWSCAN_PBKDF2,
		  iterations >= PWSCAN_PBKDF2_MIN_ITERATIONS ? PWSCAN_GRADE_STRONG
							     : PWSCAN_GRADE_WEAK,
		  true, true, iterations);
	return at + hash;
}

/* "{SHA}" / "{SSHA}" + base64 at p. */
static size_t identify_ldap(const uint8_t *p, size_t n, struct pwscan_hash *h)
{
	bool salted = prefix(p, n, "{SSHA}");
	if (!salted && !prefix(p, n, "{SHA}"))
		return 0;
	size_t at = salted ? 6 : 5;
	size_t b = span(p + at, n - at, b64char);
	while (at + b < n && p[at + b] == '=' && b < 256)
		b++;
	if (salted ? b < 32 : b != 28)
		return 0;
	grade_set(h, salted ? PWSCAN_LDAP_SSHA : PWSCAN_LDAP_SHA, PWSCAN_GRADE_WEAK, salted, false,
		  1);
	return at + b;
}

/* A bare digest by its hex length. */
static bool digest_scheme(size_t hex_length, enum pwscan_scheme *out)
{
	switch (hex_length) {
	case 32: *out = PWSCAN_MD5; return true;
	case 40: *out = PWSCAN_SHA1; return true;
	case 64: *out = PWSCAN_SHA256; return true;
	case 128: *out = PWSCAN_SHA512; return true;
	default: return false;
	}
}

int pwscan_identify(const char *text, size_t length, struct pwscan_hash *out)
{
	memset(out, 0, sizeof(*out));
	out->secret = -1;
	const uint8_t *p = (const uint8_t *)text;
	size_t k = 0;
	if (length > 0 && p[0] == '$')
		k = identify_dollar(p, length, out);
	else if (length > 0 && p[0] == '{')
		k = identify_ldap(p, length, out);
	else if (length > 0 && p[0] == 'p')
		k = identify_django(p, length, out);
	else if (length == 13 && span(p, length, crypt64) == 13) {
		grade_set(out, PWSCAN_DES_CRYPT, PWSCAN_GRADE_WEAK, true, false, 25);
		k = 13;
	} else if (span(p, length, ishex) == length && digest_scheme(length, &out->scheme)) {
		grade_set(out, out->scheme, PWSCAN_GRADE_WEAK, false, false, 1);
		k = length;
	}
	if (k == 0 || k != length)
		return DL_EINVAL;
	size_t copy = length < sizeof(out->text) - 1 ? length : sizeof(out->text) - 1;
	memcpy(out->text, text, copy);
	out->text[copy] = '\0';
	return 0;
}

/* ---- the scan ---------------------------------------------------------- */

static bool account_char(uint8_t c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '-' || c == '.' || c == '@';
}

/* When at is the second field of a passwd-like line ("name:" from the line
 * start), the name into account. */
static bool passwd_account(const uint8_t *data, size_t at, char *account, size_t size)
{
	if (at == 0 || data[at - 1] != ':')
		return false;
	size_t start = at - 1;
	while (start > 0 && at - start <= PWSCAN_ACCOUNT_MAX && account_char(data[start - 1]))
		start--;
	size_t length = at - 1 - start;
	if (length == 0 || length >= size || (start > 0 && data[start - 1] != '\n'))
		return false;
	memcpy(account, data + start, length);
	account[length] = '\0';
	return true;
}

static void hash_store(struct pwscan_result *r, const uint8_t *data, size_t at, size_t length,
		       uint64_t base, const struct pwscan_hash *found)
{
	struct pwscan_hash *h = hash_add(r, base + at);
	if (!h)
		return;
	uint64_t offset = h->offset;
	*h = *found;
	h->offset = offset;
	h->secret = -1;
	size_t copy = length < sizeof(h->text) - 1 ? length : sizeof(h->text) - 1;
	memcpy(h->text, data + at, copy);
	h->text[copy] = '\0';
	passwd_account(data, at, h->account, sizeof(h->account));
}

/* A word before the hex that says it is a password: "password=", "pwd: ",
 * "\"hash\": \"". */
static bool password_context(const uint8_t *data, size_t at)
{
	static const char *const words[] = {"pass", "pwd", "secret", "hash"};
	size_t from = at > 32 ? at - 32 : 0;
	for (size_t i = at; i > from; i--) {
		if (data[i - 1] == '\n')
			return false;
		for (size_t w = 0; w < DL_ARRAY_SIZE(words); w++) {
			size_t k = strlen(words[w]);
			if (i - 1 + k <= at &&
			    strncasecmp((const char *)data + i - 1, words[w], k) == 0)
				return true;
		}
	}
	return false;
}

static void scan_formats(const uint8_t *data, size_t length, uint64_t base, struct pwscan_result *r)
{
	struct pwscan_hash h;
	for (size_t i = 0; i < length; i++) {
		uint8_t c = data[i];
		/* a format starts at a boundary, not inside a longer token */
		if (i > 0 && (crypt64(data[i - 1]) || data[i - 1] == '$'))
			continue;
		size_t k = 0;
		memset(&h, 0, sizeof(h));
		if (c == '$')
			k = identify_dollar(data + i, length - i, &h);
		else if (c == '{')
			k = identify_ldap(data + i, length - i, &h);
		else if (c == 'p')
			k = identify_django(data + i, length - i, &h);
		if (k) {
			hash_store(r, data, i, k, base, &h);
			i += k - 1;
			continue;
		}
		/* DES-crypt and bare digests only where their context says so */
		if (crypt64(c)) {
			size_t run = span(data + i, length - i, crypt64);
			bool end = i + run == length || !b64char(data[i + run]);
			char account[PWSCAN_ACCOUNT_MAX];
			bool in_passwd = passwd_account(data, i, account, sizeof(account)) &&
					 (i + run == length || data[i + run] == ':' ||
					  data[i + run] == '\n' || data[i + run] == '\r');
			enum pwscan_scheme scheme;
			size_t hex = span(data + i, run, ishex);
			if (end && hex == run && digest_scheme(run, &scheme) &&
			    (in_passwd || password_context(data, i))) {
				grade_set(&h, scheme, PWSCAN_GRADE_WEAK, false, false, 1);
				hash_store(r, data, i, run, base, &h);
			} else if (in_passwd && run == 13) {
				grade_set(&h, PWSCAN_DES_CRYPT, PWSCAN_GRADE_WEAK, true, false, 25);
				hash_store(r, data, i, run, base, &h);
			}
			i += run - 1;
		}
	}
}

/* Cisco type 7 after "password 7 ", "secret 7 " or "key 7 ". */
static void scan_cisco7(const struct pwscan *s, const uint8_t *data, size_t length, uint64_t base,
			struct pwscan_result *r)
{
	static const char *const words[] = {"password 7 ", "secret 7 ", "key 7 ", "passwd 7 "};
	for (size_t w = 0; w < DL_ARRAY_SIZE(words); w++) {
		size_t k = strlen(words[w]);
		const uint8_t *p = data;
		size_t left = length;
		for (int guard = 0; guard < PWSCAN_HASHES_MAX && left >= k; guard++) {
			const uint8_t *hit = memmem(p, left, words[w], k);
			if (!hit)
				break;
			size_t at = (size_t)(hit - data) + k;
			size_t run = span(data + at, length - at, ishex);
			char text[PWSCAN_HASH_TEXT_MAX];
			char plain[PWSCAN_HASH_TEXT_MAX];
			if (run >= 4 && run < sizeof(text) && run % 2 == 0) {
				memcpy(text, data + at, run);
				text[run] = '\0';
				if (pwscan_cisco7_decode(text, plain, sizeof(plain)) == 0) {
					struct pwscan_hash h = {0};
					grade_set(&h, PWSCAN_CISCO7_SCHEME, PWSCAN_GRADE_REVERSIBLE,
						  false, false, 0);
					hash_store(r, data, at, run, base, &h);
					for (size_t i = 0; i < s->secret_count; i++) {
						if (strcmp(plain, s->values[i]) != 0)
							continue;
						match_add(r, data, at, base, i, PWSCAN_CISCO7, 0);
						for (size_t j = 0; j < r->hash_count; j++)
							if (r->hashes[j].offset == base + at)
								r->hashes[j].secret = (int)i;
					}
				}
			}
			size_t advance = (size_t)(hit - p) + 1;
			p += advance;
			left -= advance;
		}
	}
}

int pwscan_cisco7_decode(const char *text, char *out, size_t size)
{
	static const char xlat[] = "dsfd;kfoA,.iyewrkldJKDHSUBsgvca69834ncxv9873254k;fg87";
	size_t n = strlen(text);
	if (n < 4 || n % 2 || !isdigit_byte((uint8_t)text[0]) || !isdigit_byte((uint8_t)text[1]))
		return DL_EINVAL;
	size_t seed = (size_t)(text[0] - '0') * 10 + (size_t)(text[1] - '0');
	if (seed > 15 || (n - 2) / 2 >= size)
		return DL_EINVAL;
	size_t o = 0;
	for (size_t i = 2; i + 1 < n; i += 2) {
		if (!ishex((uint8_t)text[i]) || !ishex((uint8_t)text[i + 1]))
			return DL_EINVAL;
		const char *hi = strchr(hex_lower, text[i] | 0x20);
		const char *lo = strchr(hex_lower, text[i + 1] | 0x20);
		uint8_t v = (uint8_t)(((hi - hex_lower) << 4) | (lo - hex_lower));
		char c = (char)(v ^ (uint8_t)xlat[(seed + o) % (sizeof(xlat) - 1)]);
		if ((uint8_t)c < 0x20 || (uint8_t)c > 0x7e)
			return DL_EINVAL;
		out[o++] = c;
	}
	out[o] = '\0';
	return 0;
}

static void scan_needles(const struct pwscan *s, const uint8_t *data, size_t length, uint64_t base,
			 struct pwscan_result *r)
{
	for (size_t i = 0; i < s->needle_count; i++) {
		const struct needle *n = &s->needles[i];
		const uint8_t *p = data;
		size_t left = length;
		for (int guard = 0; guard < PWSCAN_MATCHES_MAX && left >= n->length; guard++) {
			const uint8_t *hit = memmem(p, left, n->bytes, n->length);
			if (!hit)
				break;
			size_t at = (size_t)(hit - data);
			if (!n->is_digest) {
				match_add(r, data, at, base, n->secret, n->encoding, 0);
			} else {
				/* a digest of the secret: the hash the format scan
				 * found there, or a new one */
				struct pwscan_hash *h = NULL;
				for (size_t j = 0; j < r->hash_count && !h; j++) {
					struct pwscan_hash *e = &r->hashes[j];
					if (base + at >= e->offset &&
					    base + at < e->offset + strlen(e->text) + 1)
						h = e;
				}
				if (!h) {
					struct pwscan_hash f = {0};
					grade_set(&f, n->scheme, PWSCAN_GRADE_WEAK, false, false,
						  1);
					hash_store(r, data, at, n->length, base, &f);
					for (size_t j = 0; j < r->hash_count && !h; j++)
						if (r->hashes[j].offset == base + at)
							h = &r->hashes[j];
					/* raw bytes: show them as hex */
					if (h && n->encoding == PWSCAN_CLEAR)
						for (size_t b = 0;
						     b < n->length && 2 * b + 2 < sizeof(h->text);
						     b++) {
							h->text[2 * b] =
								hex_lower[n->bytes[b] >> 4];
							h->text[2 * b + 1] =
								hex_lower[n->bytes[b] & 15];
							h->text[2 * b + 2] = '\0';
						}
				}
				if (h)
					h->secret = (int)n->secret;
			}
			p = hit + 1;
			left = length - at - 1;
		}
	}
}

static void scan_xor(const struct pwscan *s, const uint8_t *data, size_t length, uint64_t base,
		     struct pwscan_result *r)
{
	for (size_t i = 0; i < s->secret_count; i++) {
		const uint8_t *v = (const uint8_t *)s->values[i];
		size_t n = s->lengths[i];
		if (n < XOR_MIN_LENGTH || n > length)
			continue;
		/* XOR 0x20 of a letters-only password is the same word in the
		 * other case: a name in a firmware, not an encoding */
		bool letters = true;
		for (size_t j = 0; j < n; j++)
			letters = letters && ((v[j] | 0x20) >= 'a' && (v[j] | 0x20) <= 'z');
		for (size_t at = 0; at + n <= length; at++) {
			uint8_t key = data[at] ^ v[0];
			if (key == 0 || (letters && key == 0x20) ||
			    (uint8_t)(data[at + 1] ^ v[1]) != key)
				continue;
			size_t j = 2;
			while (j < n && (uint8_t)(data[at + j] ^ v[j]) == key)
				j++;
			if (j == n)
				match_add(r, data, at, base, i, PWSCAN_XOR, key);
		}
	}
}

void pwscan_run(const struct pwscan *s, const uint8_t *data, size_t length, uint64_t base,
		struct pwscan_result *out)
{
	if (!s || !data || !out)
		return;
	scan_formats(data, length, base, out);
	scan_cisco7(s, data, length, base, out);
	scan_needles(s, data, length, base, out);
	scan_xor(s, data, length, base, out);
}
