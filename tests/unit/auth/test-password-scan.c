/* test-password-scan: the encoding search, the hash identifier and the crypt(3) verifier */
#include "core/compat.h"

#include <setjmp.h>
#include <cmocka.h>

#include "checks/auth/password-scan.h"
#include "core/error.h"

#define CANARY "Canary#2026x"

static const struct pwscan_secret secrets[] = {
	{"the canary of dltest", CANARY},
	{"the admin password", "admin"},
};

static struct pwscan_result *scan(const char *data, size_t length)
{
	struct pwscan *s = NULL;
	struct dl_error err = {0};
	assert_int_equal(pwscan_new(secrets, DL_ARRAY_SIZE(secrets), &s, &err), 0);
	struct pwscan_result *r = calloc(1, sizeof(*r));
	assert_non_null(r);
	pwscan_run(s, (const uint8_t *)data, length, 0, r);
	pwscan_free(s);
	return r;
}

static bool has_match(const struct pwscan_result *r, size_t secret, enum pwscan_encoding e,
		      uint64_t offset)
{
	for (size_t i = 0; i < r->match_count; i++)
		if (r->matches[i].secret == secret && r->matches[i].encoding == e &&
		    r->matches[i].offset == offset)
			return true;
	return false;
}

static const struct pwscan_hash *find_hash(const struct pwscan_result *r, enum pwscan_scheme s)
{
	for (size_t i = 0; i < r->hash_count; i++)
		if (r->hashes[i].scheme == s)
			return &r->hashes[i];
	return NULL;
}

static void expect_encoding(const char *data, enum pwscan_encoding e, uint64_t offset)
{
	struct pwscan_result *r = scan(data, strlen(data));
	if (!has_match(r, 0, e, offset))
		fail_msg("no %s match at %" PRIu64 " in '%s' (%zu matches)",
			 pwscan_encoding_name(e), offset, data, r->match_count);
	free(r);
}

static void test_encodings(void **state)
{
	(void)state;
	expect_encoding("user=dltest\npassword=" CANARY "\n", PWSCAN_CLEAR, 21);
	expect_encoding("ab x6202#yranaC", PWSCAN_REVERSED, 3);
	expect_encoding("pw 43616e61727923323032367800", PWSCAN_HEX_LOWER, 3);
	expect_encoding("pw 43616E61727923323032367800", PWSCAN_HEX_UPPER, 3);
	expect_encoding("pw=Q2FuYXJ5IzIwMjZ4", PWSCAN_BASE64, 3);
	/* inside a longer base64 stream, at each alignment: "u:" and "us:" */
	expect_encoding("Basic dTpDYW5hcnkjMjAyNng=", PWSCAN_BASE64, 10);
	expect_encoding("Basic dXM6Q2FuYXJ5IzIwMjZ4", PWSCAN_BASE64, 10);
	expect_encoding("pass=Canary%232026x&x=1", PWSCAN_URL, 5);
	expect_encoding("p=Canary%232026x&x=1", PWSCAN_URL, 2);
	/* every byte percent-encoded */
	expect_encoding("%43%61%6E%61%72%79%23%32%30%32%36%78", PWSCAN_URL, 0);

	/* XOR with 0x5a, at offset 4 of binary bytes */
	uint8_t xored[32] = {0xff, 0x00, 0x13, 0x37};
	for (size_t i = 0; i < strlen(CANARY); i++)
		xored[4 + i] = (uint8_t)(CANARY[i] ^ 0x5a);
	struct pwscan_result *r = scan((const char *)xored, 4 + strlen(CANARY));
	assert_true(has_match(r, 0, PWSCAN_XOR, 4));
	assert_int_equal(r->matches[0].xor_key, 0x5a);
	free(r);

	/* UTF-16LE */
	uint8_t wide[64] = {0};
	for (size_t i = 0; i < strlen(CANARY); i++)
		wide[2 + 2 * i] = (uint8_t)CANARY[i];
	r = scan((const char *)wide, 2 + 2 * strlen(CANARY) + 2);
	assert_true(has_match(r, 0, PWSCAN_UTF16LE, 2));
	free(r);

	/* a case-swapped letters-only password is a word, not XOR 0x20 */
	r = scan("ADMIN console", 13);
	assert_int_equal(r->match_count, 0);
	free(r);

	/* nothing of the canary: no match, no hash */
	r = scan("hostname router\nuser adm1n2 role operator\n", 42);
	assert_int_equal(r->match_count, 0);
	assert_int_equal(r->hash_count, 0);
	free(r);
}

static void test_cisco7(void **state)
{
	(void)state;
	char plain[64];
	/* the well-known example: 0822455D0A16 is "cisco" */
	assert_int_equal(pwscan_cisco7_decode("0822455D0A16", plain, sizeof(plain)), 0);
	assert_string_equal(plain, "cisco");
	assert_int_equal(pwscan_cisco7_decode("99zz", plain, sizeof(plain)), DL_EINVAL);
	assert_int_equal(pwscan_cisco7_decode("0", plain, sizeof(plain)), DL_EINVAL);

	/* "admin" in type 7 with seed 02: encode it here the way IOS does */
	static const char xlat[] = "dsfd;kfoA,.iyewrkldJKDHSUBsgvca69834ncxv9873254k;fg87";
	char line[64] = "username admin password 7 02";
	size_t n = strlen(line);
	for (size_t i = 0; i < 5; i++)
		n += (size_t)snprintf(line + n, sizeof(line) - n, "%02X",
				      (unsigned)("admin"[i] ^ xlat[(2 + i) % 53]));
	struct pwscan_result *r = scan(line, strlen(line));
	const struct pwscan_hash *h = find_hash(r, PWSCAN_CISCO7_SCHEME);
	assert_non_null(h);
	assert_int_equal(h->grade, PWSCAN_GRADE_REVERSIBLE);
	assert_int_equal(h->secret, 1);
	assert_true(has_match(r, 1, PWSCAN_CISCO7, 26));
	free(r);
}

struct known_hash {
	const char *text;
	enum pwscan_scheme scheme;
	enum pwscan_grade grade;
	uint64_t cost;
	bool approved;
};

static const struct known_hash known[] = {
	{"$6$saltsalt$XOqHe6X4PBO0yN4EWlbHcXuj8wUO/kvZQ52pVfT5OwLjldQVgWAiRActS1aPaHtNtTWwiJjkANOg4"
	 "uAtMlU4x/",
	 PWSCAN_SHA512_CRYPT, PWSCAN_GRADE_STRONG, 5000, false},
	{"$5$rounds=1000$abc$UxKib5kobt2BZp/yfOEWbjik.BPMiS9MzbXyO6zXMC0", PWSCAN_SHA256_CRYPT,
	 PWSCAN_GRADE_WEAK, 1000, false},
	{"$1$abcdefgh$5jbE2wfntAALBCC.dFnDH.", PWSCAN_MD5_CRYPT, PWSCAN_GRADE_WEAK, 1000, false},
	{"$apr1$abcdefgh$V6OmfISxdBGzcsr5xdnUW/", PWSCAN_APR1, PWSCAN_GRADE_WEAK, 1000, false},
	{"$y$j9T$abcdefghijklmnop$nX9/dbJOhvSc97r/F2dzVCYjccaRiMcqbI.nC3izoP1", PWSCAN_YESCRYPT,
	 PWSCAN_GRADE_STRONG, 0, false},
	{"$gy$j9T$abcdefghijklmnop$hZgaYQIkEiyhM3ZRv4.eW06bk8OEuMbhzUzgpWTqXUC",
	 PWSCAN_GOST_YESCRYPT, PWSCAN_GRADE_STRONG, 0, false},
	{"$2b$10$abcdefghijklmnopqrstuuOZCvnBvSB/cMiGI1PIihbBmQMKxW/A6", PWSCAN_BCRYPT,
	 PWSCAN_GRADE_STRONG, 10, false},
	{"$2b$04$abcdefghijklmnopqrstuuOZCvnBvSB/cMiGI1PIihbBmQMKxW/A6", PWSCAN_BCRYPT,
	 PWSCAN_GRADE_WEAK, 4, false},
	{"$7$CU..../....abcdefghijklmnop$2hlrs.0Rp6iZy4gTMhoyIyrIqJmHqZE1/Mvp/C3ppP7",
	 PWSCAN_SCRYPT, PWSCAN_GRADE_STRONG, 14, false},
	{"$pbkdf2-sha256$29000$c2FsdHNhbHRzYWx0$4Pz8bcG9pF4e7W2IprBpXnG.5gkzGhFiyqLbdg9sqO8",
	 PWSCAN_PBKDF2, PWSCAN_GRADE_STRONG, 29000, true},
	{"$pbkdf2-sha256$1000$c2FsdHNhbHRzYWx0$4Pz8bcG9pF4e7W2IprBpXnG.5gkzGhFiyqLbdg9sqO8",
	 PWSCAN_PBKDF2, PWSCAN_GRADE_WEAK, 1000, true},
	{"pbkdf2_sha256$600000$abcdefgh$Q2FuYXJ5IzIwMjZ4Q2FuYXJ5IzIwMjZ4QQ==", PWSCAN_PBKDF2,
	 PWSCAN_GRADE_STRONG, 600000, true},
	{"$argon2id$v=19$m=65536,t=3,p=4$c2FsdHNhbHRzYWx0$Q2FuYXJ5IzIwMjZ4Q2FuYXJ5IzIwMjZ4",
	 PWSCAN_ARGON2, PWSCAN_GRADE_STRONG, 3, false},
	{"$8$abcdefghijklmn$4Pz8bcG9pF4e7W2IprBpXnG.5gkzGhFiyqLbdg9sqO8", PWSCAN_CISCO_PBKDF2,
	 PWSCAN_GRADE_STRONG, 20000, true},
	{"$9$abcdefghijklmn$4Pz8bcG9pF4e7W2IprBpXnG.5gkzGhFiyqLbdg9sqO8", PWSCAN_CISCO_SCRYPT,
	 PWSCAN_GRADE_STRONG, 0, false},
	{"{SHA}2Qkr8TNNJxHmHQX9N29tawlzXY0=", PWSCAN_LDAP_SHA, PWSCAN_GRADE_WEAK, 1, false},
	{"ab7TtYeNKjx/o", PWSCAN_DES_CRYPT, PWSCAN_GRADE_WEAK, 25, false},
	{"d60578ea73f87833744562807c0808ca", PWSCAN_MD5, PWSCAN_GRADE_WEAK, 1, false},
};

static void test_identify(void **state)
{
	(void)state;
	for (size_t i = 0; i < DL_ARRAY_SIZE(known); i++) {
		struct pwscan_hash h;
		if (pwscan_identify(known[i].text, strlen(known[i].text), &h) != 0)
			fail_msg("not identified: %s", known[i].text);
		if (h.scheme != known[i].scheme || h.grade != known[i].grade ||
		    h.cost != known[i].cost || h.approved != known[i].approved)
			fail_msg("%s: %s/%s cost %" PRIu64 "; expected %s/%s cost %" PRIu64,
				 known[i].text, pwscan_scheme_name(h.scheme),
				 pwscan_grade_name(h.grade), h.cost,
				 pwscan_scheme_name(known[i].scheme),
				 pwscan_grade_name(known[i].grade), known[i].cost);
	}
	/* not hashes: too short, wrong alphabet, a truncated SHA-crypt */
	static const char *const not_hashes[] = {
		"$6$saltsalt$short",      "$1$abcdefgh$5jbE2wfntAALBCC",
		"$2b$10$tooshort",        "hello",
		"$argon2id$v=19$m=65536", "{SHA}abc",
		"0123456789abcdef0123",
	};
	for (size_t i = 0; i < DL_ARRAY_SIZE(not_hashes); i++) {
		struct pwscan_hash h;
		if (pwscan_identify(not_hashes[i], strlen(not_hashes[i]), &h) == 0)
			fail_msg("identified '%s' as %s", not_hashes[i],
				 pwscan_scheme_name(h.scheme));
	}
}

static void test_scan_hashes(void **state)
{
	(void)state;
	/* a shadow file: accounts are taken from the line, DES-crypt only in it */
	static const char shadow[] =
		"root:$y$j9T$abcdefghijklmnop$nX9/dbJOhvSc97r/F2dzVCYjccaRiMcqbI.nC3izoP1:20000:0:"
		"99999:7:::\n"
		"daemon:*:20000:0:99999:7:::\n"
		"old:ab7TtYeNKjx/o:20000::::::\n"
		"free text ab7TtYeNKjx/o is not a hash here\n";
	struct pwscan_result *r = scan(shadow, strlen(shadow));
	assert_int_equal(r->hash_count, 2);
	const struct pwscan_hash *y = find_hash(r, PWSCAN_YESCRYPT);
	assert_non_null(y);
	assert_string_equal(y->account, "root");
	assert_int_equal(y->offset, 5);
	const struct pwscan_hash *des = find_hash(r, PWSCAN_DES_CRYPT);
	assert_non_null(des);
	assert_string_equal(des->account, "old");
	free(r);

	/* an unsalted MD5 of the canary in a JSON config: found by computing it */
	static const char json[] = "{\"user\": \"dltest\", \"pass_md5\": "
				   "\"d60578ea73f87833744562807c0808ca\"}";
	r = scan(json, strlen(json));
	const struct pwscan_hash *md5 = find_hash(r, PWSCAN_MD5);
	assert_non_null(md5);
	assert_int_equal(md5->secret, 0);
	assert_false(md5->salted);
	assert_int_equal(md5->grade, PWSCAN_GRADE_WEAK);
	free(r);

	/* an htpasswd {SHA} line: identified and verified as the canary */
	static const char htpasswd[] = "dltest:{SHA}2Qkr8TNNJxHmHQX9N29tawlzXY0=\n";
	r = scan(htpasswd, strlen(htpasswd));
	assert_int_equal(r->hash_count, 1);
	assert_int_equal(r->hashes[0].scheme, PWSCAN_LDAP_SHA);
	assert_int_equal(r->hashes[0].secret, 0);
	assert_string_equal(r->hashes[0].account, "dltest");
	free(r);

	/* a random 32-hex string with no password context is not a hash */
	static const char checksum[] = "firmware md5sum d60578ea73f87833744562807c0808cb ok";
	r = scan(checksum, strlen(checksum));
	assert_int_equal(r->hash_count, 0);
	free(r);
}

static void test_verify(void **state)
{
	(void)state;
	static const char text[] =
		"root:$y$j9T$abcdefghijklmnop$nX9/dbJOhvSc97r/F2dzVCYjccaRiMcqbI.nC3izoP1:1::\n"
		"a:$6$saltsalt$XOqHe6X4PBO0yN4EWlbHcXuj8wUO/kvZQ52pVfT5OwLjldQVgWAiRActS1aPaHtNtTW"
		"wiJjkANOg4uAtMlU4x/:1::\n"
		"b:$1$abcdefgh$5jbE2wfntAALBCC.dFnDH.:1::\n"
		"c:$pbkdf2-sha256$29000$c2FsdHNhbHRzYWx0$4Pz8bcG9pF4e7W2IprBpXnG."
		"5gkzGhFiyqLbdg9sqO8:\n"
		"d:$2b$10$abcdefghijklmnopqrstuuOZCvnBvSB/cMiGI1PIihbBmQMKxW/A6:\n"
		"e:$6$othersal$XOqHe6X4PBO0yN4EWlbHcXuj8wUO/kvZQ52pVfT5OwLjldQVgWAiRActS1aPaHtNtTW"
		"wiJjkANOg4uAtMlU4x/:1::\n";
	struct pwscan_result *r = scan(text, strlen(text));
	assert_int_equal(r->hash_count, 6);
	size_t verified = pwscan_verify(r, secrets, DL_ARRAY_SIZE(secrets), 0);
	assert_int_equal(verified, 5);
	for (size_t i = 0; i < 5; i++)
		if (r->hashes[i].secret != 0)
			fail_msg("hash of %s not verified as the canary", r->hashes[i].account);
	/* the same hash value under another salt is not the canary's */
	assert_int_equal(r->hashes[5].secret, -1);
	free(r);
}

static void test_mask(void **state)
{
	(void)state;
	char out[64];
	pwscan_mask(CANARY, out, sizeof(out));
	assert_string_equal(out, "*** (12 characters)");
	assert_null(strstr(out, "Canary"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_encodings), cmocka_unit_test(test_cisco7),
		cmocka_unit_test(test_identify),  cmocka_unit_test(test_scan_hashes),
		cmocka_unit_test(test_verify),    cmocka_unit_test(test_mask),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
