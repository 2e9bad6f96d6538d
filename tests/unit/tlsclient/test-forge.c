/* test-forge: every forged variant carries exactly its one defect, proved by parsing it back */
#include "core/compat.h"

#include <setjmp.h>
#include <cmocka.h>
#include <openssl/err.h>
#include <openssl/ocsp.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "checks/tlsclient/forge.h"
#include "core/error.h"

#define HOST "update.acme-cam.test"
#define BASE "http://198.18.1.1:8444"

static struct forge_set set;

static int setup(void **state)
{
	(void)state;
	struct forge_ca ca;
	struct dl_error err = {0};
	if (forge_ca_create(&ca, "dutlab test trusted CA", time(NULL), &err) < 0)
		return -1;
	struct forge_request r = {.host = HOST, .revocation_base_url = BASE};
	if (forge_set_build(&set, &ca, &r, &err) < 0) {
		print_error("forge_set_build: %s\n", err.message);
		return -1;
	}
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	forge_set_release(&set);
	return 0;
}

/* Verify x against the trusted CA (and, with crl, its CRL) for HOST as a TLS server;
 * X509_V_OK or the error. */
static int verify(X509 *x, bool crl)
{
	X509_STORE *store = X509_STORE_new();
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	assert_non_null(store);
	assert_non_null(ctx);
	assert_int_equal(X509_STORE_add_cert(store, set.trusted.cert), 1);
	if (crl) {
		assert_int_equal(X509_STORE_add_crl(store, set.crl), 1);
		X509_STORE_set_flags(store, X509_V_FLAG_CRL_CHECK);
	}
	assert_int_equal(X509_STORE_CTX_init(ctx, store, x, NULL), 1);
	X509_VERIFY_PARAM *param = X509_STORE_CTX_get0_param(ctx);
	X509_VERIFY_PARAM_set1_host(param, HOST, 0);
	X509_VERIFY_PARAM_set_purpose(param, X509_PURPOSE_SSL_SERVER);
	/* Security level 2, as a current client runs: 112-bit keys, no SHA-1. */
	X509_VERIFY_PARAM_set_auth_level(param, 2);
	int ok = X509_verify_cert(ctx);
	int e = ok == 1 ? X509_V_OK : X509_STORE_CTX_get_error(ctx);
	X509_STORE_CTX_free(ctx);
	X509_STORE_free(store);
	return e;
}

static X509 *item(enum forge_variant v)
{
	X509 *x = set.items[v].cert;
	assert_non_null(x);
	assert_int_equal(set.items[v].variant, v);
	return x;
}

static char *san_dns(X509 *x)
{
	GENERAL_NAMES *names = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
	assert_non_null(names);
	assert_int_equal(sk_GENERAL_NAME_num(names), 1);
	GENERAL_NAME *g = sk_GENERAL_NAME_value(names, 0);
	assert_int_equal(g->type, GEN_DNS);
	char *s = strdup((const char *)ASN1_STRING_get0_data(g->d.dNSName));
	GENERAL_NAMES_free(names);
	return s;
}

static int signature_nid(X509 *x)
{
	return X509_get_signature_nid(x);
}

/* seconds from set.now to t */
static long offset(const ASN1_TIME *t)
{
	int days = 0, secs = 0;
	ASN1_TIME *now = ASN1_TIME_set(NULL, set.now);
	assert_int_equal(ASN1_TIME_diff(&days, &secs, now, t), 1);
	ASN1_TIME_free(now);
	return (long)days * 86400 + secs;
}

/* Everything the control is, which every certificate variant shares unless it is its defect. */
struct facts {
	char *san;
	long not_before, not_after;
	int sig_nid;
	int key_type, key_bits;
	uint32_t eku;
	int issued_by_trusted;
	int revoked;
};

static struct facts facts_of(X509 *x)
{
	struct facts f = {0};
	f.san = san_dns(x);
	f.not_before = offset(X509_get0_notBefore(x));
	f.not_after = offset(X509_get0_notAfter(x));
	f.sig_nid = signature_nid(x);
	EVP_PKEY *k = X509_get0_pubkey(x);
	f.key_type = EVP_PKEY_get_base_id(k);
	f.key_bits = EVP_PKEY_get_bits(k);
	f.eku = X509_get_extended_key_usage(x);
	f.issued_by_trusted = X509_check_issued(set.trusted.cert, x) == X509_V_OK &&
			      X509_verify(x, set.trusted.key) == 1;
	X509_REVOKED *r = NULL;
	f.revoked = X509_CRL_get0_by_cert(set.crl, &r, x) == 1;
	return f;
}

static void assert_same_except(X509 *x, const char *defect)
{
	struct facts c = facts_of(item(FORGE_CONTROL));
	struct facts f = facts_of(x);
	if (strcmp(defect, "name") != 0)
		assert_string_equal(f.san, c.san);
	if (strcmp(defect, "validity") != 0) {
		assert_int_equal(f.not_before, c.not_before);
		assert_int_equal(f.not_after, c.not_after);
	}
	if (strcmp(defect, "signature") != 0 && strcmp(defect, "issuer") != 0)
		assert_int_equal(f.sig_nid, c.sig_nid);
	if (strcmp(defect, "key") != 0) {
		assert_int_equal(f.key_type, c.key_type);
		assert_int_equal(f.key_bits, c.key_bits);
	}
	if (strcmp(defect, "eku") != 0)
		assert_int_equal(f.eku, c.eku);
	if (strcmp(defect, "issuer") != 0 && strcmp(defect, "signature") != 0)
		assert_true(f.issued_by_trusted);
	if (strcmp(defect, "revoked") != 0)
		assert_false(f.revoked);
	free(c.san);
	free(f.san);
}

static void test_control(void **state)
{
	(void)state;
	X509 *x = item(FORGE_CONTROL);
	assert_int_equal(verify(x, true), X509_V_OK);
	char *s = san_dns(x);
	assert_string_equal(s, HOST);
	free(s);
	assert_int_equal(signature_nid(x), NID_ecdsa_with_SHA256);
	EVP_PKEY *k = X509_get0_pubkey(x);
	assert_int_equal(EVP_PKEY_get_base_id(k), EVP_PKEY_EC);
	char curve[64] = "";
	assert_int_equal(EVP_PKEY_get_group_name(k, curve, sizeof(curve), NULL), 1);
	assert_string_equal(curve, "prime256v1");
	assert_int_equal(X509_get_extended_key_usage(x), XKU_SSL_SERVER);
	/* a 1-day validity that began an hour ago */
	assert_int_equal(offset(X509_get0_notBefore(x)), -3600);
	assert_int_equal(offset(X509_get0_notAfter(x)), 23 * 3600);
	assert_int_equal(X509_check_private_key(x, set.items[FORGE_CONTROL].key), 1);
	/* the revocation pointers */
	STACK_OF(DIST_POINT) *dps = X509_get_ext_d2i(x, NID_crl_distribution_points, NULL, NULL);
	assert_non_null(dps);
	DIST_POINT *dp = sk_DIST_POINT_value(dps, 0);
	GENERAL_NAME *g = sk_GENERAL_NAME_value(dp->distpoint->name.fullname, 0);
	assert_string_equal((const char *)ASN1_STRING_get0_data(g->d.uniformResourceIdentifier),
			    BASE "/crl.der");
	CRL_DIST_POINTS_free(dps);
	STACK_OF(OPENSSL_STRING) *ocsp = X509_get1_ocsp(x);
	assert_non_null(ocsp);
	assert_string_equal(sk_OPENSSL_STRING_value(ocsp, 0), BASE "/ocsp");
	X509_email_free(ocsp);
	assert_true(forge_variant_expect_accept(FORGE_CONTROL));
}

static void test_expired(void **state)
{
	(void)state;
	X509 *x = item(FORGE_EXPIRED);
	assert_int_equal(verify(x, false), X509_V_ERR_CERT_HAS_EXPIRED);
	assert_true(offset(X509_get0_notAfter(x)) < 0);
	assert_same_except(x, "validity");
}

static void test_not_yet_valid(void **state)
{
	(void)state;
	X509 *x = item(FORGE_NOT_YET_VALID);
	assert_int_equal(verify(x, false), X509_V_ERR_CERT_NOT_YET_VALID);
	assert_true(offset(X509_get0_notBefore(x)) > 0);
	assert_same_except(x, "validity");
}

static void test_wrong_host(void **state)
{
	(void)state;
	X509 *x = item(FORGE_WRONG_HOST);
	assert_int_equal(verify(x, false), X509_V_ERR_HOSTNAME_MISMATCH);
	assert_same_except(x, "name");
}

static void test_sha1(void **state)
{
	(void)state;
	X509 *x = item(FORGE_SHA1_SIGNATURE);
	assert_int_equal(signature_nid(x), NID_ecdsa_with_SHA1);
	assert_int_equal(verify(x, false), X509_V_ERR_CA_MD_TOO_WEAK);
	assert_true(X509_verify(x, set.trusted.key) == 1);
	assert_same_except(x, "signature");
}

static void test_rsa1024(void **state)
{
	(void)state;
	X509 *x = item(FORGE_RSA1024);
	EVP_PKEY *k = X509_get0_pubkey(x);
	assert_int_equal(EVP_PKEY_get_base_id(k), EVP_PKEY_RSA);
	assert_int_equal(EVP_PKEY_get_bits(k), 1024);
	assert_int_equal(verify(x, false), X509_V_ERR_EE_KEY_TOO_SMALL);
	assert_int_equal(X509_check_private_key(x, set.items[FORGE_RSA1024].key), 1);
	assert_same_except(x, "key");
}

static void test_wrong_eku(void **state)
{
	(void)state;
	X509 *x = item(FORGE_WRONG_EKU);
	assert_int_equal(X509_get_extended_key_usage(x), XKU_SSL_CLIENT);
	assert_int_equal(verify(x, false), X509_V_ERR_INVALID_PURPOSE);
	assert_same_except(x, "eku");
}

static void test_tampered(void **state)
{
	(void)state;
	X509 *x = item(FORGE_TAMPERED_SIGNATURE);
	assert_int_equal(verify(x, false), X509_V_ERR_CERT_SIGNATURE_FAILURE);
	/* The control's bytes but for one bit of the signature. */
	unsigned char *a = NULL, *b = NULL;
	int la = i2d_X509(item(FORGE_CONTROL), &a), lb = i2d_X509(x, &b);
	assert_int_equal(la, lb);
	int differing = 0;
	for (int i = 0; i < la; i++)
		differing += __builtin_popcount((unsigned)(a[i] ^ b[i]));
	assert_int_equal(differing, 1);
	assert_int_equal(a[la - 1] ^ b[la - 1], 1);
	OPENSSL_free(a);
	OPENSSL_free(b);
}

static void test_revoked(void **state)
{
	(void)state;
	X509 *x = item(FORGE_REVOKED);
	assert_int_equal(verify(x, false), X509_V_OK);
	assert_int_equal(verify(x, true), X509_V_ERR_CERT_REVOKED);
	assert_same_except(x, "revoked");
	/* the CRL is the CA's, and parses back from its DER */
	const unsigned char *p = set.crl_der;
	X509_CRL *crl = d2i_X509_CRL(NULL, &p, (long)set.crl_der_length);
	assert_non_null(crl);
	assert_int_equal(X509_CRL_verify(crl, X509_get0_pubkey(set.trusted.cert)), 1);
	assert_int_equal(sk_X509_REVOKED_num(X509_CRL_get_REVOKED(crl)), 1);
	X509_CRL_free(crl);
}

/* Ask the responder about x and return the status it gives (V_OCSP_CERTSTATUS_*). */
static int ocsp_status(X509 *x)
{
	OCSP_REQUEST *req = OCSP_REQUEST_new();
	OCSP_CERTID *id = OCSP_cert_to_id(EVP_sha1(), x, set.trusted.cert);
	assert_non_null(OCSP_request_add0_id(req, id));
	assert_int_equal(OCSP_request_add1_nonce(req, NULL, 16), 1);
	unsigned char *der = NULL;
	int n = i2d_OCSP_REQUEST(req, &der);
	assert_true(n > 0);
	unsigned char *out = NULL;
	size_t out_length = 0;
	struct dl_error err = {0};
	assert_int_equal(forge_ocsp_answer(&set, der, (size_t)n, &out, &out_length, &err), 0);
	OPENSSL_free(der);
	const unsigned char *p = out;
	OCSP_RESPONSE *resp = d2i_OCSP_RESPONSE(NULL, &p, (long)out_length);
	assert_non_null(resp);
	assert_int_equal(OCSP_response_status(resp), OCSP_RESPONSE_STATUS_SUCCESSFUL);
	OCSP_BASICRESP *bs = OCSP_response_get1_basic(resp);
	assert_non_null(bs);
	assert_int_equal(OCSP_check_nonce(req, bs), 1);
	/* signed by the CA itself */
	STACK_OF(X509) *certs = sk_X509_new_null();
	sk_X509_push(certs, set.trusted.cert);
	X509_STORE *store = X509_STORE_new();
	X509_STORE_add_cert(store, set.trusted.cert);
	assert_int_equal(OCSP_basic_verify(bs, certs, store, 0), 1);
	int status = -1, reason = -1;
	OCSP_CERTID *probe = OCSP_cert_to_id(EVP_sha1(), x, set.trusted.cert);
	assert_int_equal(OCSP_resp_find_status(bs, probe, &status, &reason, NULL, NULL, NULL), 1);
	OCSP_CERTID_free(probe);
	X509_STORE_free(store);
	sk_X509_free(certs);
	OCSP_BASICRESP_free(bs);
	OCSP_RESPONSE_free(resp);
	OCSP_REQUEST_free(req);
	OPENSSL_free(out);
	return status;
}

static void test_ocsp(void **state)
{
	(void)state;
	assert_int_equal(ocsp_status(item(FORGE_REVOKED)), V_OCSP_CERTSTATUS_REVOKED);
	assert_int_equal(ocsp_status(item(FORGE_CONTROL)), V_OCSP_CERTSTATUS_GOOD);
	assert_int_equal(ocsp_status(item(FORGE_NO_FORWARD_SECRECY)), V_OCSP_CERTSTATUS_GOOD);
	/* A request that is not DER gets malformedRequest, not an error. */
	unsigned char *out = NULL;
	size_t out_length = 0;
	struct dl_error err = {0};
	static const unsigned char junk[] = {0x30, 0x03, 0x02, 0x01};
	assert_int_equal(forge_ocsp_answer(&set, junk, sizeof(junk), &out, &out_length, &err), 0);
	const unsigned char *p = out;
	OCSP_RESPONSE *resp = d2i_OCSP_RESPONSE(NULL, &p, (long)out_length);
	assert_non_null(resp);
	assert_int_equal(OCSP_response_status(resp), OCSP_RESPONSE_STATUS_MALFORMEDREQUEST);
	OCSP_RESPONSE_free(resp);
	OPENSSL_free(out);
	/* The staple for the revoked certificate says revoked. */
	assert_int_equal(forge_ocsp_staple(&set, item(FORGE_REVOKED), &out, &out_length, &err), 0);
	p = out;
	resp = d2i_OCSP_RESPONSE(NULL, &p, (long)out_length);
	OCSP_BASICRESP *bs = OCSP_response_get1_basic(resp);
	assert_non_null(bs);
	OCSP_CERTID *probe = OCSP_cert_to_id(EVP_sha1(), item(FORGE_REVOKED), set.trusted.cert);
	int status = -1;
	assert_int_equal(OCSP_resp_find_status(bs, probe, &status, NULL, NULL, NULL, NULL), 1);
	assert_int_equal(status, V_OCSP_CERTSTATUS_REVOKED);
	OCSP_CERTID_free(probe);
	OCSP_BASICRESP_free(bs);
	OCSP_RESPONSE_free(resp);
	OPENSSL_free(out);
}

static void test_malformed(void **state)
{
	(void)state;
	struct forge_item *m = &set.items[FORGE_MALFORMED];
	assert_non_null(m->wire_der);
	const unsigned char *p = m->wire_der;
	X509 *x = d2i_X509(NULL, &p, (long)m->wire_der_length);
	assert_null(x);
	ERR_clear_error();
	/* the server loads the control; the wire bytes differ from it in the TBS length only */
	unsigned char *c = NULL;
	int n = i2d_X509(item(FORGE_CONTROL), &c);
	assert_int_equal((size_t)n, m->wire_der_length);
	int differing = 0;
	for (int i = 0; i < n; i++)
		differing += c[i] != m->wire_der[i];
	assert_int_equal(differing, 1);
	assert_int_not_equal(c[6], m->wire_der[6]);
	unsigned char *served = NULL;
	assert_int_equal(i2d_X509(m->cert, &served), n);
	assert_memory_equal(served, c, (size_t)n);
	OPENSSL_free(served);
	OPENSSL_free(c);
	assert_int_equal(m->max_version, TLS1_2_VERSION);
}

static void test_self_signed(void **state)
{
	(void)state;
	X509 *x = item(FORGE_SELF_SIGNED);
	int e = verify(x, false);
	assert_true(e == X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT);
	assert_int_equal(X509_NAME_cmp(X509_get_issuer_name(x), X509_get_subject_name(x)), 0);
	assert_int_equal(X509_verify(x, X509_get0_pubkey(x)), 1);
	assert_same_except(x, "issuer");
}

static void test_unknown_ca(void **state)
{
	(void)state;
	X509 *x = item(FORGE_UNKNOWN_CA);
	assert_int_equal(verify(x, false), X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY);
	assert_int_equal(X509_check_issued(set.unknown.cert, x), X509_V_OK);
	assert_int_equal(X509_verify(x, set.unknown.key), 1);
	assert_same_except(x, "issuer");
}

static void test_protocol_variants(void **state)
{
	(void)state;
	struct forge_item *old = &set.items[FORGE_TLS10_11_ONLY];
	assert_int_equal(verify(old->cert, true), X509_V_OK);
	assert_int_equal(old->min_version, TLS1_VERSION);
	assert_int_equal(old->max_version, TLS1_1_VERSION);
	assert_int_equal(old->security_level, 0);

	struct forge_item *nfs = &set.items[FORGE_NO_FORWARD_SECRECY];
	assert_int_equal(verify(nfs->cert, true), X509_V_OK);
	assert_int_equal(EVP_PKEY_get_base_id(X509_get0_pubkey(nfs->cert)), EVP_PKEY_RSA);
	assert_int_equal(X509_get_key_usage(nfs->cert) & KU_KEY_ENCIPHERMENT, KU_KEY_ENCIPHERMENT);
	assert_int_equal(nfs->max_version, TLS1_2_VERSION);
	/* every suite the server may pick is static RSA: no forward secrecy */
	SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
	assert_int_equal(SSL_CTX_set_cipher_list(ctx, nfs->cipher_list), 1);
	STACK_OF(SSL_CIPHER) *suites = SSL_CTX_get_ciphers(ctx);
	int tls12 = 0;
	for (int i = 0; i < sk_SSL_CIPHER_num(suites); i++) {
		const SSL_CIPHER *c = sk_SSL_CIPHER_value(suites, i);
		if (strcmp(SSL_CIPHER_get_version(c), "TLSv1.3") == 0)
			continue; /* never offered: max_version is TLS 1.2 */
		assert_int_equal(SSL_CIPHER_get_kx_nid(c), NID_kx_rsa);
		tls12++;
	}
	assert_true(tls12 >= 4);
	SSL_CTX_free(ctx);
}

/* Servers send the issuer after the leaf; the self-signed has none to send. */
static void test_chain(void **state)
{
	(void)state;
	for (int i = 0; i < FORGE_VARIANT_COUNT; i++) {
		const struct forge_item *it = &set.items[i];
		if (i == FORGE_SELF_SIGNED)
			assert_null(it->chain);
		else if (i == FORGE_UNKNOWN_CA)
			assert_ptr_equal(it->chain, set.unknown.cert);
		else
			assert_ptr_equal(it->chain, set.trusted.cert);
	}
}

static void test_names(void **state)
{
	(void)state;
	enum forge_variant v;
	for (int i = 0; i < FORGE_VARIANT_COUNT; i++) {
		assert_int_equal(forge_variant_from_name(forge_variant_name(i), &v, NULL), 0);
		assert_int_equal(v, i);
		assert_int_equal(forge_variant_expect_accept(i), i == FORGE_CONTROL);
	}
	struct dl_error err = {0};
	assert_int_equal(forge_variant_from_name("nope", &v, &err), DL_ENOTFOUND);
}

static void test_bad_host(void **state)
{
	(void)state;
	struct forge_ca ca;
	struct forge_set s;
	struct dl_error err = {0};
	assert_int_equal(forge_ca_create(&ca, "x", time(NULL), &err), 0);
	struct forge_request r = {.host = "a,DNS:evil.test"};
	assert_int_equal(forge_set_build(&s, &ca, &r, &err), DL_EINVAL);
	assert_null(ca.cert);
	assert_non_null(strstr(err.message, "not a DNS name"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_control),       cmocka_unit_test(test_expired),
		cmocka_unit_test(test_not_yet_valid), cmocka_unit_test(test_wrong_host),
		cmocka_unit_test(test_sha1),          cmocka_unit_test(test_rsa1024),
		cmocka_unit_test(test_wrong_eku),     cmocka_unit_test(test_tampered),
		cmocka_unit_test(test_revoked),       cmocka_unit_test(test_ocsp),
		cmocka_unit_test(test_malformed),     cmocka_unit_test(test_self_signed),
		cmocka_unit_test(test_unknown_ca),    cmocka_unit_test(test_protocol_variants),
		cmocka_unit_test(test_chain),         cmocka_unit_test(test_names),
		cmocka_unit_test(test_bad_host),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
