/* test-certificate: certificate facts, problem tokens, chain trust and chain fetch on
 * certificates made here with OpenSSL */
#include "core/compat.h"

#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <json-c/json.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "checks/tls/tls-certificate.h"
#include "core/error.h"
#include "net/scope.h"
#include "net/sock.h"

/* 2026-11-25T18:00:00Z: every certificate's dates are relative to it */
#define NOW ((time_t)1795629600)
#define DAY 86400L

/* ---- making certificates ---- */

struct cert_spec {
	const char *cn;
	EVP_PKEY *key;        /* the subject's key */
	X509 *issuer;         /* NULL: self-signed with key */
	EVP_PKEY *issuer_key; /* with issuer */
	long not_before;      /* seconds from NOW */
	long not_after;
	const EVP_MD *md; /* NULL: SHA-256 */
	const char *san;  /* "DNS:a,IP:198.18.1.2"; NULL: none */
	const char *eku;  /* "serverAuth"; NULL: none */
	const char *ku;   /* "digitalSignature,keyEncipherment"; NULL: none */
	bool ca;
	long serial;
};

static void add_ext(X509 *x, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509V3_set_ctx(&ctx, issuer ? issuer : x, x, NULL, NULL, 0);
	X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
	assert_non_null(ext);
	assert_int_equal(X509_add_ext(x, ext, -1), 1);
	X509_EXTENSION_free(ext);
}

static X509 *make_cert(const struct cert_spec *s)
{
	X509 *x = X509_new();
	assert_non_null(x);
	assert_int_equal(X509_set_version(x, 2), 1);
	ASN1_INTEGER_set(X509_get_serialNumber(x), s->serial ? s->serial : 0x1234abcd);
	time_t now = NOW;
	assert_non_null(X509_time_adj_ex(X509_getm_notBefore(x), 0, s->not_before, &now));
	assert_non_null(X509_time_adj_ex(X509_getm_notAfter(x), 0, s->not_after, &now));
	X509_NAME *name = X509_get_subject_name(x);
	X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, (const unsigned char *)"Acme", -1, -1,
				   0);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)s->cn, -1, -1,
				   0);
	assert_int_equal(
		X509_set_issuer_name(x, s->issuer ? X509_get_subject_name(s->issuer) : name), 1);
	assert_int_equal(X509_set_pubkey(x, s->key), 1);
	add_ext(x, s->issuer, NID_basic_constraints, s->ca ? "critical,CA:TRUE" : "CA:FALSE");
	add_ext(x, s->issuer, NID_subject_key_identifier, "hash");
	add_ext(x, s->issuer, NID_authority_key_identifier, "keyid:always");
	if (s->san)
		add_ext(x, s->issuer, NID_subject_alt_name, s->san);
	if (s->eku)
		add_ext(x, s->issuer, NID_ext_key_usage, s->eku);
	if (s->ku)
		add_ext(x, s->issuer, NID_key_usage, s->ku);
	assert_true(X509_sign(x, s->issuer ? s->issuer_key : s->key, s->md ? s->md : EVP_sha256()) >
		    0);
	return x;
}

struct der {
	unsigned char *p;
	size_t len;
};

static struct der der_of(X509 *x)
{
	struct der d = {NULL, 0};
	int n = i2d_X509(x, &d.p);
	assert_true(n > 0);
	d.len = (size_t)n;
	return d;
}

static void sha256_hex(const unsigned char *p, size_t n, char out[65])
{
	unsigned char md[32];
	unsigned int len = 0;
	assert_int_equal(EVP_Digest(p, n, md, &len, EVP_sha256(), NULL), 1);
	for (unsigned i = 0; i < len; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
}

/* The shared fixtures: a CA, an intermediate, and their keys. */
static EVP_PKEY *ca_key, *inter_key, *ec_key, *rsa2048, *rsa1024;
static X509 *ca, *inter;
static char tmpdir[64];
static char bundle[128];

static void write_pem(const char *path, X509 *const *certs, size_t n)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(PEM_write_X509(f, certs[i]), 1);
	fclose(f);
}

static int setup(void **state)
{
	(void)state;
	/* the test's own TLS server writes to a client that resets: not our library's socket */
	signal(SIGPIPE, SIG_IGN);
	ca_key = EVP_EC_gen("P-256");
	inter_key = EVP_EC_gen("P-384");
	ec_key = EVP_EC_gen("P-256");
	rsa2048 = EVP_RSA_gen(2048);
	rsa1024 = EVP_RSA_gen(1024);
	if (!ca_key || !inter_key || !ec_key || !rsa2048 || !rsa1024)
		return -1;
	ca = make_cert(&(struct cert_spec){.cn = "Acme Test CA",
					   .key = ca_key,
					   .not_before = -DAY,
					   .not_after = 3650 * DAY,
					   .ku = "critical,keyCertSign,cRLSign",
					   .ca = true,
					   .serial = 1});
	inter = make_cert(&(struct cert_spec){.cn = "Acme Issuing CA",
					      .key = inter_key,
					      .issuer = ca,
					      .issuer_key = ca_key,
					      .not_before = -DAY,
					      .not_after = 1825 * DAY,
					      .ku = "critical,keyCertSign,cRLSign",
					      .ca = true,
					      .serial = 2});
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/dutlab-test-certs.XXXXXX");
	if (!mkdtemp(tmpdir))
		return -1;
	snprintf(bundle, sizeof(bundle), "%s/ca.pem", tmpdir);
	write_pem(bundle, &ca, 1);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	unlink(bundle);
	char other[160];
	snprintf(other, sizeof(other), "%s/other.pem", tmpdir);
	unlink(other);
	rmdir(tmpdir);
	X509_free(ca);
	X509_free(inter);
	EVP_PKEY_free(ca_key);
	EVP_PKEY_free(inter_key);
	EVP_PKEY_free(ec_key);
	EVP_PKEY_free(rsa2048);
	EVP_PKEY_free(rsa1024);
	return 0;
}

/* A leaf issued by the CA: the good one, which each test varies by one property. */
static struct cert_spec good_leaf(void)
{
	return (struct cert_spec){.cn = "cam.example",
				  .key = ec_key,
				  .issuer = ca,
				  .issuer_key = ca_key,
				  .not_before = -DAY,
				  .not_after = 365 * DAY,
				  .san = "DNS:cam.example,IP:198.18.1.2,IP:fd00:198:0:1::2",
				  .eku = "serverAuth",
				  .ku = "critical,digitalSignature,keyEncipherment",
				  .serial = 0x5a3f01};
}

/* ---- running the facts ---- */

static const char *const default_names[] = {"198.18.1.2"};

/* Facts of certs with the CA bundle and "198.18.1.2" expected, unless names given. */
static struct json_object *facts_of(X509 *const *certs, size_t n, const char *ca_bundle,
				    const char *const *names, size_t name_count)
{
	struct der d[TLS_CHAIN_MAX];
	const unsigned char *p[TLS_CHAIN_MAX];
	size_t len[TLS_CHAIN_MAX];
	for (size_t i = 0; i < n; i++) {
		d[i] = der_of(certs[i]);
		p[i] = d[i].p;
		len[i] = d[i].len;
	}
	struct tls_certificate_options o = {.ca_bundle = ca_bundle,
					    .expected_names = names,
					    .expected_name_count = name_count,
					    .now = NOW};
	struct json_object *out = NULL;
	struct dl_error err = {0};
	int rc = tls_certificate_facts(p, len, n, &o, &out, &err);
	if (rc != 0)
		fail_msg("tls_certificate_facts: %d %s", rc, err.message);
	for (size_t i = 0; i < n; i++)
		OPENSSL_free(d[i].p);
	assert_non_null(out);
	return out;
}

static struct json_object *leaf_facts(const struct cert_spec *spec, struct json_object **root)
{
	X509 *leaf = make_cert(spec);
	X509 *chain[] = {leaf};
	*root = facts_of(chain, 1, bundle, default_names, 1);
	X509_free(leaf);
	return json_object_array_get_idx(json_object_object_get(*root, "chain"), 0);
}

static struct json_object *get(struct json_object *o, const char *key)
{
	struct json_object *v = NULL;
	if (!json_object_object_get_ex(o, key, &v))
		fail_msg("no key '%s' in %s", key, json_object_to_json_string(o));
	return v;
}

static const char *str(struct json_object *o, const char *key)
{
	struct json_object *v = get(o, key);
	if (!json_object_is_type(v, json_type_string))
		fail_msg("'%s' is not a string: %s", key, json_object_to_json_string(o));
	return json_object_get_string(v);
}

static bool boolean(struct json_object *o, const char *key)
{
	struct json_object *v = get(o, key);
	if (!json_object_is_type(v, json_type_boolean))
		fail_msg("'%s' is not a boolean: %s", key, json_object_to_json_string(o));
	return json_object_get_boolean(v);
}

static int64_t integer(struct json_object *o, const char *key)
{
	struct json_object *v = get(o, key);
	if (!json_object_is_type(v, json_type_int))
		fail_msg("'%s' is not an integer: %s", key, json_object_to_json_string(o));
	return json_object_get_int64(v);
}

static void is_null(struct json_object *o, const char *key)
{
	if (get(o, key) != NULL)
		fail_msg("'%s' is not null: %s", key, json_object_to_json_string(o));
}

/* The string array at key equals the NULL-terminated list. */
static void strings_equal(struct json_object *o, const char *key, const char *const *want)
{
	struct json_object *a = get(o, key);
	size_t n = 0;
	while (want[n])
		n++;
	if (!json_object_is_type(a, json_type_array) || json_object_array_length(a) != n)
		fail_msg("'%s': want %zu strings, got %s", key, n, json_object_to_json_string(a));
	for (size_t i = 0; i < n; i++)
		assert_string_equal(json_object_get_string(json_object_array_get_idx(a, i)),
				    want[i]);
}

#define STRINGS(...) ((const char *const[]){__VA_ARGS__, NULL})
#define NO_STRINGS ((const char *const[]){NULL})

static bool has_problem(struct json_object *f, const char *token)
{
	struct json_object *a = get(f, "problems");
	for (size_t i = 0; i < json_object_array_length(a); i++)
		if (strcmp(json_object_get_string(json_object_array_get_idx(a, i)), token) == 0)
			return true;
	return false;
}

/* ---- the good chain: every fact ---- */

static void test_good_leaf_every_fact(void **state)
{
	(void)state;
	struct cert_spec spec = good_leaf();
	spec.key = rsa2048;
	X509 *leaf = make_cert(&spec);
	X509 *chain[] = {leaf, ca};
	struct json_object *root = facts_of(chain, 2, bundle, default_names, 1);
	struct json_object *f = json_object_array_get_idx(get(root, "chain"), 0);

	assert_string_equal(str(f, "subject"), "O=Acme, CN=cam.example");
	assert_string_equal(str(f, "issuer"), "O=Acme, CN=Acme Test CA");
	assert_string_equal(str(f, "serial"), "5a3f01");
	assert_string_equal(str(f, "not_before"), "2026-11-24T18:00:00Z");
	assert_string_equal(str(f, "not_after"), "2027-11-25T18:00:00Z");
	assert_false(boolean(f, "expired"));
	assert_false(boolean(f, "not_yet_valid"));
	assert_int_equal(integer(f, "days_left"), 365);
	assert_string_equal(str(f, "key_type"), "RSA");
	assert_int_equal(integer(f, "key_bits"), 2048);
	is_null(f, "curve");
	assert_string_equal(str(f, "signature_algorithm"), "ecdsa-with-SHA256");
	assert_string_equal(str(f, "signature_hash"), "SHA256");
	assert_false(boolean(f, "weak_signature"));
	assert_false(boolean(f, "self_signed"));
	assert_false(boolean(f, "is_ca"));
	strings_equal(f, "san_dns", STRINGS("cam.example"));
	strings_equal(f, "san_ip", STRINGS("198.18.1.2", "fd00:198:0:1::2"));
	assert_true(boolean(f, "name_match"));
	assert_string_equal(str(f, "matched_name"), "198.18.1.2");
	strings_equal(f, "key_usage", STRINGS("digitalSignature", "keyEncipherment"));
	strings_equal(f, "extended_key_usage", STRINGS("serverAuth"));
	strings_equal(f, "problems", NO_STRINGS);

	/* fingerprints computed here by another path: the DER and i2d_PUBKEY of the key */
	struct der d = der_of(leaf);
	char want[65];
	sha256_hex(d.p, d.len, want);
	assert_string_equal(str(f, "sha256"), want);
	unsigned char *pub = NULL;
	int n = i2d_PUBKEY(rsa2048, &pub);
	assert_true(n > 0);
	sha256_hex(pub, (size_t)n, want);
	OPENSSL_free(pub);
	assert_string_equal(str(f, "spki_sha256"), want);

	/* the fingerprint function agrees */
	char cert_fp[65], spki_fp[65];
	struct dl_error err = {0};
	assert_int_equal(tls_certificate_fingerprints(d.p, d.len, cert_fp, spki_fp, &err), 0);
	assert_string_equal(cert_fp, str(f, "sha256"));
	assert_string_equal(spki_fp, want);
	OPENSSL_free(d.p);

	/* the CA as served after the leaf */
	struct json_object *c = json_object_array_get_idx(get(root, "chain"), 1);
	assert_string_equal(str(c, "subject"), "O=Acme, CN=Acme Test CA");
	assert_string_equal(str(c, "key_type"), "EC");
	assert_int_equal(integer(c, "key_bits"), 256);
	assert_string_equal(str(c, "curve"), "prime256v1");
	assert_true(boolean(c, "self_signed"));
	assert_true(boolean(c, "is_ca"));
	is_null(c, "name_match"); /* names are the leaf's business */
	is_null(c, "matched_name");
	strings_equal(c, "key_usage", STRINGS("keyCertSign", "cRLSign"));
	strings_equal(c, "extended_key_usage", NO_STRINGS);
	strings_equal(c, "san_dns", NO_STRINGS);
	strings_equal(c, "problems", NO_STRINGS); /* a served root is no problem by itself */
	assert_string_equal(str(c, "serial"), "01");

	assert_true(boolean(root, "trusted"));
	is_null(root, "verify_error");
	assert_string_equal(str(root, "trust_store"), bundle);
	assert_true(boolean(root, "chain_order_ok"));
	json_object_put(root);
	X509_free(leaf);
}

/* ---- one defect each ---- */

static void test_expired(void **state)
{
	(void)state;
	struct cert_spec spec = good_leaf();
	spec.not_before = -400 * DAY;
	spec.not_after = -10 * DAY - 3600;
	struct json_object *root;
	struct json_object *f = leaf_facts(&spec, &root);
	assert_true(boolean(f, "expired"));
	assert_false(boolean(f, "not_yet_valid"));
	assert_int_equal(integer(f, "days_left"), -11);
	strings_equal(f, "problems", STRINGS("expired", "untrusted"));
	assert_false(boolean(root, "trusted"));
	assert_string_equal(str(root, "verify_error"), "certificate has expired");
	json_object_put(root);
}

static void test_not_yet_valid(void **state)
{
	(void)state;
	struct cert_spec spec = good_leaf();
	spec.not_before = 30 * DAY;
	spec.not_after = 400 * DAY;
	struct json_object *root;
	struct json_object *f = leaf_facts(&spec, &root);
	assert_false(boolean(f, "expired"));
	assert_true(boolean(f, "not_yet_valid"));
	assert_int_equal(integer(f, "days_left"), 400);
	strings_equal(f, "problems", STRINGS("not_yet_valid", "untrusted"));
	assert_string_equal(str(root, "verify_error"), "certificate is not yet valid");
	json_object_put(root);
}

static void test_sha1_signed(void **state)
{
	(void)state;
	struct cert_spec spec = good_leaf();
	spec.md = EVP_sha1();
	struct json_object *root;
	struct json_object *f = leaf_facts(&spec, &root);
	assert_string_equal(str(f, "signature_algorithm"), "ecdsa-with-SHA1");
	assert_string_equal(str(f, "signature_hash"), "SHA1");
	assert_true(boolean(f, "weak_signature"));
	assert_true(has_problem(f, "weak_signature"));
	assert_false(has_problem(f, "weak_key"));
	json_object_put(root);

	/* an RSA signature with SHA-1: the long name */
	spec.key = rsa1024;
	X509 *rsa_ca = make_cert(&(struct cert_spec){
		.cn = "RSA CA", .key = rsa2048, .not_before = -DAY, .not_after = DAY, .ca = true});
	spec.issuer = rsa_ca;
	spec.issuer_key = rsa2048;
	f = leaf_facts(&spec, &root);
	assert_string_equal(str(f, "signature_algorithm"), "sha1WithRSAEncryption");
	assert_string_equal(str(f, "signature_hash"), "SHA1");
	assert_true(has_problem(f, "weak_signature"));
	json_object_put(root);
	X509_free(rsa_ca);
}

static void test_rsa1024(void **state)
{
	(void)state;
	struct cert_spec spec = good_leaf();
	spec.key = rsa1024;
	struct json_object *root;
	struct json_object *f = leaf_facts(&spec, &root);
	assert_string_equal(str(f, "key_type"), "RSA");
	assert_int_equal(integer(f, "key_bits"), 1024);
	strings_equal(f, "problems", STRINGS("weak_key"));
	assert_true(boolean(root, "trusted")); /* no security level in the trust check */
	json_object_put(root);
}

static void test_self_signed(void **state)
{
	(void)state;
	struct cert_spec spec = good_leaf();
	spec.issuer = NULL;
	spec.issuer_key = NULL;
	struct json_object *root;
	struct json_object *f = leaf_facts(&spec, &root);
	assert_true(boolean(f, "self_signed"));
	assert_string_equal(str(f, "issuer"), "O=Acme, CN=cam.example");
	strings_equal(f, "problems", STRINGS("self_signed", "untrusted"));
	assert_false(boolean(root, "trusted"));
	assert_non_null(strstr(str(root, "verify_error"), "self"));
	json_object_put(root);

	/* issuer == subject but signed by another key: not self-signed */
	X509 *forged = X509_new();
	assert_non_null(forged);
	X509_set_version(forged, 2);
	X509_NAME *n = X509_get_subject_name(forged);
	X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, (const unsigned char *)"forged", -1, -1,
				   0);
	X509_set_issuer_name(forged, n);
	time_t now = NOW;
	X509_time_adj_ex(X509_getm_notBefore(forged), 0, -DAY, &now);
	X509_time_adj_ex(X509_getm_notAfter(forged), 0, DAY, &now);
	X509_set_pubkey(forged, ec_key);
	assert_true(X509_sign(forged, ca_key, EVP_sha256()) > 0);
	X509 *chain[] = {forged};
	root = facts_of(chain, 1, bundle, NULL, 0);
	f = json_object_array_get_idx(get(root, "chain"), 0);
	assert_false(boolean(f, "self_signed"));
	assert_false(has_problem(f, "self_signed"));
	json_object_put(root);
	X509_free(forged);
}

static void test_wrong_name(void **state)
{
	(void)state;
	struct cert_spec spec = good_leaf();
	X509 *leaf = make_cert(&spec);
	X509 *chain[] = {leaf};
	static const char *const other[] = {"other.example", "198.18.1.3"};
	struct json_object *root = facts_of(chain, 1, bundle, other, 2);
	struct json_object *f = json_object_array_get_idx(get(root, "chain"), 0);
	assert_false(boolean(f, "name_match"));
	is_null(f, "matched_name");
	strings_equal(f, "problems", STRINGS("name_mismatch"));
	assert_true(boolean(root, "trusted")); /* trust and names are separate verdicts */
	json_object_put(root);

	/* the DNS name matches, case-insensitively, the second expected name */
	static const char *const dns[] = {"198.18.9.9", "CAM.example"};
	root = facts_of(chain, 1, bundle, dns, 2);
	f = json_object_array_get_idx(get(root, "chain"), 0);
	assert_true(boolean(f, "name_match"));
	assert_string_equal(str(f, "matched_name"), "CAM.example");
	json_object_put(root);

	/* no expected names: nothing to match */
	root = facts_of(chain, 1, bundle, NULL, 0);
	f = json_object_array_get_idx(get(root, "chain"), 0);
	is_null(f, "name_match");
	is_null(f, "matched_name");
	strings_equal(f, "problems", NO_STRINGS);
	json_object_put(root);
	X509_free(leaf);

	/* a wildcard covers one label */
	spec.san = "DNS:*.cams.example";
	leaf = make_cert(&spec);
	chain[0] = leaf;
	static const char *const one[] = {"a.cams.example"};
	static const char *const two[] = {"a.b.cams.example"};
	root = facts_of(chain, 1, bundle, one, 1);
	assert_true(boolean(json_object_array_get_idx(get(root, "chain"), 0), "name_match"));
	json_object_put(root);
	root = facts_of(chain, 1, bundle, two, 1);
	assert_false(boolean(json_object_array_get_idx(get(root, "chain"), 0), "name_match"));
	json_object_put(root);
	X509_free(leaf);
}

static void test_no_san(void **state)
{
	(void)state;
	struct cert_spec spec = good_leaf();
	spec.san = NULL;
	X509 *leaf = make_cert(&spec);
	X509 *chain[] = {leaf};
	/* the CN is the expected name, but RFC 6125 clients do not look at it */
	static const char *const cn[] = {"cam.example"};
	struct json_object *root = facts_of(chain, 1, bundle, cn, 1);
	struct json_object *f = json_object_array_get_idx(get(root, "chain"), 0);
	strings_equal(f, "san_dns", NO_STRINGS);
	strings_equal(f, "san_ip", NO_STRINGS);
	assert_false(boolean(f, "name_match"));
	strings_equal(f, "problems", STRINGS("name_mismatch", "no_san"));
	json_object_put(root);
	X509_free(leaf);
}

static void test_missing_server_auth(void **state)
{
	(void)state;
	struct cert_spec spec = good_leaf();
	spec.eku = "clientAuth,emailProtection";
	struct json_object *root;
	struct json_object *f = leaf_facts(&spec, &root);
	strings_equal(f, "extended_key_usage", STRINGS("clientAuth", "emailProtection"));
	strings_equal(f, "problems", STRINGS("untrusted", "missing_server_auth_eku"));
	/* the trust check asks for a TLS server certificate, as a client would */
	assert_string_equal(str(root, "verify_error"), "unsuitable certificate purpose");
	json_object_put(root);

	/* no EKU at all: any purpose, no problem */
	spec.eku = NULL;
	f = leaf_facts(&spec, &root);
	strings_equal(f, "extended_key_usage", NO_STRINGS);
	strings_equal(f, "problems", NO_STRINGS);
	json_object_put(root);
}

static void test_ca_as_leaf(void **state)
{
	(void)state;
	struct cert_spec spec = good_leaf();
	spec.ca = true;
	struct json_object *root;
	struct json_object *f = leaf_facts(&spec, &root);
	assert_true(boolean(f, "is_ca"));
	assert_true(has_problem(f, "ca_as_leaf"));
	json_object_put(root);
}

static void test_ed25519_and_pss(void **state)
{
	(void)state;
	EVP_PKEY *ed = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	assert_non_null(ed);
	/* by hand: EdDSA hashes by itself, so X509_sign gets no digest */
	X509 *leaf = X509_new();
	assert_non_null(leaf);
	X509_set_version(leaf, 2);
	X509_NAME *n = X509_get_subject_name(leaf);
	X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, (const unsigned char *)"ed.example", -1,
				   -1, 0);
	X509_set_issuer_name(leaf, n);
	time_t now = NOW;
	X509_time_adj_ex(X509_getm_notBefore(leaf), 0, -DAY, &now);
	X509_time_adj_ex(X509_getm_notAfter(leaf), 0, DAY, &now);
	X509_set_pubkey(leaf, ed);
	add_ext(leaf, NULL, NID_subject_alt_name, "DNS:ed.example");
	assert_true(X509_sign(leaf, ed, NULL) > 0);
	X509 *chain[] = {leaf};
	static const char *const names[] = {"ed.example"};
	struct json_object *root = facts_of(chain, 1, bundle, names, 1);
	struct json_object *f = json_object_array_get_idx(get(root, "chain"), 0);
	assert_string_equal(str(f, "key_type"), "Ed25519");
	assert_int_equal(integer(f, "key_bits"), 256);
	is_null(f, "curve");
	assert_string_equal(str(f, "signature_algorithm"), "ED25519");
	is_null(f, "signature_hash");
	assert_false(boolean(f, "weak_signature"));
	assert_true(boolean(f, "self_signed"));
	assert_true(boolean(f, "name_match"));
	strings_equal(f, "problems", STRINGS("self_signed", "untrusted"));
	json_object_put(root);
	X509_free(leaf);
	EVP_PKEY_free(ed);

	/* RSA-PSS with SHA-256: the hash comes from the PSS parameters */
	X509 *pss = make_cert(&(struct cert_spec){.cn = "pss.example",
						  .key = rsa2048,
						  .not_before = -DAY,
						  .not_after = DAY,
						  .san = "DNS:pss.example"});
	EVP_MD_CTX *mctx = EVP_MD_CTX_new();
	EVP_PKEY_CTX *pctx = NULL;
	assert_int_equal(EVP_DigestSignInit(mctx, &pctx, EVP_sha256(), NULL, rsa2048), 1);
	assert_true(EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) > 0);
	assert_true(X509_sign_ctx(pss, mctx) > 0);
	EVP_MD_CTX_free(mctx);
	chain[0] = pss;
	root = facts_of(chain, 1, bundle, NULL, 0);
	f = json_object_array_get_idx(get(root, "chain"), 0);
	assert_string_equal(str(f, "signature_algorithm"), "rsassaPss");
	assert_string_equal(str(f, "signature_hash"), "SHA256");
	assert_true(boolean(f, "self_signed"));
	json_object_put(root);
	X509_free(pss);
}

/* ---- chains ---- */

static void test_chain_trust_and_order(void **state)
{
	(void)state;
	struct cert_spec spec = good_leaf();
	spec.issuer = inter;
	spec.issuer_key = inter_key;
	X509 *leaf = make_cert(&spec);

	/* leaf, intermediate: trusted through the bundle's root */
	X509 *ordered[] = {leaf, inter};
	struct json_object *root = facts_of(ordered, 2, bundle, default_names, 1);
	assert_true(boolean(root, "trusted"));
	assert_true(boolean(root, "chain_order_ok"));
	struct json_object *i = json_object_array_get_idx(get(root, "chain"), 1);
	assert_string_equal(str(i, "curve"), "secp384r1");
	assert_int_equal(integer(i, "key_bits"), 384);
	assert_false(boolean(i, "self_signed"));
	assert_true(boolean(i, "is_ca"));
	json_object_put(root);

	/* the intermediate missing: the root alone cannot vouch for the leaf */
	X509 *alone[] = {leaf};
	root = facts_of(alone, 1, bundle, default_names, 1);
	assert_false(boolean(root, "trusted"));
	assert_string_equal(str(root, "verify_error"), "unable to get local issuer certificate");
	assert_true(has_problem(json_object_array_get_idx(get(root, "chain"), 0), "untrusted"));
	json_object_put(root);

	/* served out of order: still trusted (OpenSSL searches), but not in order */
	X509 *shuffled[] = {leaf, ca, inter};
	root = facts_of(shuffled, 3, bundle, default_names, 1);
	assert_true(boolean(root, "trusted"));
	assert_false(boolean(root, "chain_order_ok"));
	json_object_put(root);

	/* a bundle with an unrelated CA */
	EVP_PKEY *k = EVP_EC_gen("P-256");
	X509 *stranger = make_cert(&(struct cert_spec){
		.cn = "Stranger CA", .key = k, .not_before = -DAY, .not_after = DAY, .ca = true});
	char other[160];
	snprintf(other, sizeof(other), "%s/other.pem", tmpdir);
	write_pem(other, &stranger, 1);
	root = facts_of(ordered, 2, other, default_names, 1);
	assert_false(boolean(root, "trusted"));
	assert_string_equal(str(root, "verify_error"), "unable to get local issuer certificate");
	assert_string_equal(str(root, "trust_store"), other);
	json_object_put(root);

	/* the system store does not know our lab CA */
	root = facts_of(ordered, 2, NULL, default_names, 1);
	assert_false(boolean(root, "trusted"));
	assert_string_equal(str(root, "trust_store"), "system");
	json_object_put(root);

	/* trust judged at o->now: a year on, the leaf has expired */
	struct der d0 = der_of(leaf), d1 = der_of(inter);
	const unsigned char *p[] = {d0.p, d1.p};
	size_t len[] = {d0.len, d1.len};
	struct tls_certificate_options o = {.ca_bundle = bundle, .now = NOW + 400 * DAY};
	struct dl_error err = {0};
	assert_int_equal(tls_certificate_facts(p, len, 2, &o, &root, &err), 0);
	assert_false(boolean(root, "trusted"));
	assert_string_equal(str(root, "verify_error"), "certificate has expired");
	json_object_put(root);
	OPENSSL_free(d0.p);
	OPENSSL_free(d1.p);
	X509_free(stranger);
	EVP_PKEY_free(k);
	X509_free(leaf);
}

static void test_garbage_and_arguments(void **state)
{
	(void)state;
	struct cert_spec spec = good_leaf();
	X509 *leaf = make_cert(&spec);
	struct der d = der_of(leaf);
	static const unsigned char junk[] = {0x30, 0x82, 0xff, 0xff, 0x01, 0x02};
	unsigned char *longer = malloc(d.len + 2);
	assert_non_null(longer);
	memcpy(longer, d.p, d.len);
	longer[d.len] = 0;
	longer[d.len + 1] = 0;

	/* a good leaf, then garbage, then a certificate with trailing bytes */
	const unsigned char *p[] = {d.p, junk, longer};
	size_t len[] = {d.len, sizeof(junk), d.len + 2};
	struct tls_certificate_options o = {.ca_bundle = bundle, .now = NOW};
	struct json_object *root = NULL;
	struct dl_error err = {0};
	assert_int_equal(tls_certificate_facts(p, len, 3, &o, &root, &err), 0);
	struct json_object *chain = get(root, "chain");
	assert_int_equal(json_object_array_length(chain), 3);
	struct json_object *g = json_object_array_get_idx(chain, 1);
	assert_non_null(strstr(str(g, "parse_error"), "not a DER certificate"));
	strings_equal(g, "problems", STRINGS("unparseable"));
	char want[65];
	sha256_hex(junk, sizeof(junk), want);
	assert_string_equal(str(g, "sha256"), want);
	g = json_object_array_get_idx(chain, 2);
	assert_non_null(strstr(str(g, "parse_error"), "2 bytes after the certificate's"));
	json_object_put(root);

	/* garbage as the leaf: no trust, and said why */
	const unsigned char *q[] = {junk};
	size_t qlen[] = {sizeof(junk)};
	assert_int_equal(tls_certificate_facts(q, qlen, 1, &o, &root, &err), 0);
	assert_false(boolean(root, "trusted"));
	assert_string_equal(str(root, "verify_error"), "the leaf certificate is unparseable");
	assert_false(boolean(root, "chain_order_ok"));
	json_object_put(root);

	/* nothing served */
	assert_int_equal(tls_certificate_facts(NULL, NULL, 0, &o, &root, &err), 0);
	assert_int_equal(json_object_array_length(get(root, "chain")), 0);
	assert_string_equal(str(root, "verify_error"), "no certificate served");
	json_object_put(root);

	/* too many, and a CA bundle that is not there */
	const unsigned char *many[TLS_CHAIN_MAX + 1];
	size_t many_len[TLS_CHAIN_MAX + 1];
	for (size_t i = 0; i <= TLS_CHAIN_MAX; i++) {
		many[i] = d.p;
		many_len[i] = d.len;
	}
	root = NULL;
	assert_int_equal(tls_certificate_facts(many, many_len, TLS_CHAIN_MAX + 1, &o, &root, &err),
			 DL_EINVAL);
	assert_null(root);
	assert_non_null(strstr(err.message, "more than the 16"));
	assert_int_equal(tls_certificate_facts(many, many_len, TLS_CHAIN_MAX, &o, &root, &err), 0);
	json_object_put(root);
	root = NULL;
	o.ca_bundle = "/nonexistent/ca.pem";
	assert_int_equal(tls_certificate_facts(p, len, 1, &o, &root, &err), DL_EINVAL);
	assert_non_null(strstr(err.message, "CA bundle '/nonexistent/ca.pem'"));
	assert_null(root);

	/* fingerprints refuse what is not exactly one certificate */
	char a[65], b[65];
	assert_int_equal(tls_certificate_fingerprints(junk, sizeof(junk), a, b, &err), DL_EINVAL);
	assert_int_equal(tls_certificate_fingerprints(longer, d.len + 2, a, b, &err), DL_EINVAL);
	assert_int_equal(tls_certificate_fingerprints(NULL, 0, a, b, &err), DL_EINVAL);
	free(longer);
	OPENSSL_free(d.p);
	X509_free(leaf);
	/* nothing left on OpenSSL's error queue for the next caller */
	assert_int_equal(ERR_peek_error(), 0);
}

/* ---- fetching a chain from a real OpenSSL server on loopback ---- */

struct server {
	int listen_fd;
	SSL_CTX *ctx;
	int mode; /* 0: TLS handshake, 1: accept and stay silent */
};

static void *serve_one(void *arg)
{
	struct server *s = arg;
	int fd = accept(s->listen_fd, NULL, NULL);
	if (fd < 0)
		return NULL;
	if (s->mode == 0) {
		SSL *ssl = SSL_new(s->ctx);
		SSL_set_fd(ssl, fd);
		if (SSL_accept(ssl) == 1)
			SSL_shutdown(ssl);
		SSL_free(ssl);
	} else {
		char buf[512];
		/* read the hello, never answer; the client's deadline ends it */
		while (recv(fd, buf, sizeof(buf), 0) > 0)
			;
	}
	close(fd);
	return NULL;
}

static uint16_t listen_loopback(int *fd_out)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(fd >= 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(fd, 4), 0);
	socklen_t len = sizeof(a);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
	*fd_out = fd;
	return ntohs(a.sin_port);
}

static void test_chain_fetch(void **state)
{
	(void)state;
	struct cert_spec spec = good_leaf();
	spec.issuer = inter;
	spec.issuer_key = inter_key;
	X509 *leaf = make_cert(&spec);
	SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
	assert_non_null(ctx);
	SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION); /* our hello parser's blind spot */
	assert_int_equal(SSL_CTX_use_certificate(ctx, leaf), 1);
	assert_int_equal(SSL_CTX_use_PrivateKey(ctx, ec_key), 1);
	assert_int_equal(SSL_CTX_add1_chain_cert(ctx, inter), 1);

	struct server srv = {.ctx = ctx};
	uint16_t port = listen_loopback(&srv.listen_fd);
	pthread_t t;
	assert_int_equal(pthread_create(&t, NULL, serve_one, &srv), 0);

	struct scope scope;
	memset(&scope, 0, sizeof(scope));
	struct dl_error err = {0};
	assert_int_equal(scope_add_network(&scope, "127.0.0.1/32", &err), 0);
	scope.origin = "test";
	struct tls_chain chain;
	int rc = tls_chain_fetch(&scope, NULL, "127.0.0.1", port, "cam.example",
				 sock_now_ns() + 5000000000LL, &chain, &err);
	pthread_join(t, NULL);
	if (rc != 0)
		fail_msg("tls_chain_fetch: %d %s", rc, err.message);
	assert_int_equal(chain.count, 2);
	assert_string_equal(chain.version, "TLSv1.3");
	assert_true(strncmp(chain.cipher, "TLS_", 4) == 0);
	struct der d0 = der_of(leaf), d1 = der_of(inter);
	assert_int_equal(chain.der_len[0], d0.len);
	assert_memory_equal(chain.der[0], d0.p, d0.len);
	assert_int_equal(chain.der_len[1], d1.len);
	assert_memory_equal(chain.der[1], d1.p, d1.len);
	OPENSSL_free(d0.p);
	OPENSSL_free(d1.p);

	/* and the fetched chain feeds the facts */
	struct json_object *root = NULL;
	struct tls_certificate_options o = {.ca_bundle = bundle, .now = NOW};
	assert_int_equal(tls_certificate_facts((const unsigned char *const *)chain.der,
					       chain.der_len, chain.count, &o, &root, &err),
			 0);
	assert_true(boolean(root, "trusted"));
	json_object_put(root);
	tls_chain_release(&chain);
	assert_int_equal(chain.count, 0);
	tls_chain_release(&chain); /* idempotent */

	/* an old server: TLS 1.0 only, an RSA key-exchange suite and a SHA-1 RSA-1024
	 * certificate; our client still takes its chain */
	X509 *rsa_ca = make_cert(&(struct cert_spec){
		.cn = "RSA CA", .key = rsa2048, .not_before = -DAY, .not_after = DAY, .ca = true});
	struct cert_spec old = good_leaf();
	old.key = rsa1024;
	old.issuer = rsa_ca;
	old.issuer_key = rsa2048;
	old.md = EVP_sha1();
	X509 *old_leaf = make_cert(&old);
	SSL_CTX *old_ctx = SSL_CTX_new(TLS_server_method());
	assert_non_null(old_ctx);
	SSL_CTX_set_security_level(old_ctx, 0);
	assert_int_equal(SSL_CTX_set_min_proto_version(old_ctx, TLS1_VERSION), 1);
	assert_int_equal(SSL_CTX_set_max_proto_version(old_ctx, TLS1_VERSION), 1);
	assert_int_equal(SSL_CTX_set_cipher_list(old_ctx, "AES128-SHA:@SECLEVEL=0"), 1);
	assert_int_equal(SSL_CTX_use_certificate(old_ctx, old_leaf), 1);
	assert_int_equal(SSL_CTX_use_PrivateKey(old_ctx, rsa1024), 1);
	srv.ctx = old_ctx;
	assert_int_equal(pthread_create(&t, NULL, serve_one, &srv), 0);
	rc = tls_chain_fetch(&scope, NULL, "127.0.0.1", port, NULL, sock_now_ns() + 5000000000LL,
			     &chain, &err);
	pthread_join(t, NULL);
	if (rc != 0)
		fail_msg("tls_chain_fetch from a TLS 1.0 server: %d %s", rc, err.message);
	assert_int_equal(chain.count, 1);
	assert_string_equal(chain.version, "TLSv1");
	assert_string_equal(chain.cipher, "AES128-SHA");
	d0 = der_of(old_leaf);
	assert_memory_equal(chain.der[0], d0.p, d0.len);
	OPENSSL_free(d0.p);
	tls_chain_release(&chain);
	SSL_CTX_free(old_ctx);
	X509_free(old_leaf);
	X509_free(rsa_ca);
	srv.ctx = ctx;

	/* a server that accepts and never answers: the deadline ends it */
	srv.mode = 1;
	assert_int_equal(pthread_create(&t, NULL, serve_one, &srv), 0);
	int64_t start = sock_now_ns();
	rc = tls_chain_fetch(&scope, NULL, "127.0.0.1", port, NULL, start + 300000000LL, &chain,
			     &err);
	int64_t took = sock_now_ns() - start;
	assert_int_equal(rc, DL_ETIMEDOUT);
	assert_int_equal(chain.count, 0);
	assert_true(took >= 250000000LL && took < 2000000000LL);
	assert_non_null(strstr(err.message, "127.0.0.1 port"));
	shutdown(srv.listen_fd, SHUT_RDWR);
	pthread_join(t, NULL);

	/* outside the scope: refused before any packet */
	rc = tls_chain_fetch(&scope, NULL, "127.0.0.2", port, NULL, sock_now_ns() + 1000000000LL,
			     &chain, &err);
	assert_int_equal(rc, DL_ESCOPE);
	/* nobody listening */
	close(srv.listen_fd);
	rc = tls_chain_fetch(&scope, NULL, "127.0.0.1", port, NULL, sock_now_ns() + 1000000000LL,
			     &chain, &err);
	assert_int_equal(rc, DL_EIO);
	scope_release(&scope);
	SSL_CTX_free(ctx);
	X509_free(leaf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_leaf_every_fact),
		cmocka_unit_test(test_expired),
		cmocka_unit_test(test_not_yet_valid),
		cmocka_unit_test(test_sha1_signed),
		cmocka_unit_test(test_rsa1024),
		cmocka_unit_test(test_self_signed),
		cmocka_unit_test(test_wrong_name),
		cmocka_unit_test(test_no_san),
		cmocka_unit_test(test_missing_server_auth),
		cmocka_unit_test(test_ca_as_leaf),
		cmocka_unit_test(test_ed25519_and_pss),
		cmocka_unit_test(test_chain_trust_and_order),
		cmocka_unit_test(test_garbage_and_arguments),
		cmocka_unit_test(test_chain_fetch),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
