/* forge: the control certificate and its one-defect variants, issued on the fly with OpenSSL */
#include "core/compat.h"

#include <limits.h>

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "checks/tlsclient/forge.h"
#include "core/error.h"

#define FORGE_HOUR 3600L
#define FORGE_DAY (24L * FORGE_HOUR)
#define FORGE_HOST_MAX 253
#define FORGE_URL_MAX 200
/* The name the wrong_host variant carries: a name no client is ever told to reach. */
#define FORGE_WRONG_HOST_NAME "wrong-host.dutlab.invalid"

struct forge_variant_desc {
	const char *name;
	const char *defect;
};

static const struct forge_variant_desc forge_variants[FORGE_VARIANT_COUNT] = {
	[FORGE_CONTROL] = {"control", "a valid certificate from the trusted CA for the host"},
	[FORGE_EXPIRED] = {"expired", "a certificate whose validity ended an hour ago"},
	[FORGE_NOT_YET_VALID] = {"not_yet_valid", "a certificate valid only from tomorrow"},
	[FORGE_WRONG_HOST] = {"wrong_host",
			      "a certificate for another host name (" FORGE_WRONG_HOST_NAME ")"},
	[FORGE_SHA1_SIGNATURE] = {"sha1_signature", "a certificate signed with SHA-1"},
	[FORGE_RSA1024] = {"rsa1024", "a certificate with a 1024-bit RSA key"},
	[FORGE_WRONG_EKU] = {"wrong_eku",
			     "a certificate whose extended key usage is clientAuth only"},
	[FORGE_TAMPERED_SIGNATURE] = {"tampered_signature",
				      "a certificate with one bit of its signature flipped"},
	[FORGE_REVOKED] = {"revoked", "a certificate revoked by its CA (CRL and OCSP)"},
	[FORGE_MALFORMED] = {"malformed", "a certificate whose DER does not parse"},
	[FORGE_SELF_SIGNED] = {"self_signed", "a self-signed certificate for the host"},
	[FORGE_UNKNOWN_CA] = {"unknown_ca", "a certificate for the host from an unknown CA"},
	[FORGE_TLS10_11_ONLY] =
		{"tls10_11_only",
		 "a valid certificate on a server that offers only TLS 1.0 and 1.1"},
	[FORGE_NO_FORWARD_SECRECY] = {"no_forward_secrecy",
				      "a valid certificate on a TLS 1.2 server that offers only "
				      "static-RSA suites (no forward secrecy)"},
};

const char *forge_variant_name(enum forge_variant v)
{
	return (unsigned)v < FORGE_VARIANT_COUNT ? forge_variants[v].name : "unknown";
}

const char *forge_variant_defect(enum forge_variant v)
{
	return (unsigned)v < FORGE_VARIANT_COUNT ? forge_variants[v].defect : "unknown";
}

bool forge_variant_expect_accept(enum forge_variant v)
{
	return v == FORGE_CONTROL;
}

int forge_variant_from_name(const char *name, enum forge_variant *out, struct dl_error *err)
{
	for (size_t i = 0; i < FORGE_VARIANT_COUNT; i++) {
		if (strcmp(forge_variants[i].name, name) == 0) {
			*out = (enum forge_variant)i;
			return 0;
		}
	}
	return dl_error_set(err, DL_ENOTFOUND, "unknown certificate variant '%s'", name);
}

/* Fill err with OpenSSL's last reason after what; clears OpenSSL's error queue. */
static int forge_ssl_error(struct dl_error *err, const char *what)
{
	char reason[256] = "no reason given";
	unsigned long e = ERR_peek_last_error();
	if (e != 0)
		ERR_error_string_n(e, reason, sizeof(reason));
	ERR_clear_error();
	return dl_error_set(err, DL_EIO, "tlsclient forge: %s: %s", what, reason);
}

/* ---- CAs ---- */

void forge_ca_release(struct forge_ca *ca)
{
	X509_free(ca->cert);
	EVP_PKEY_free(ca->key);
	ca->cert = NULL;
	ca->key = NULL;
}

int forge_ca_load(struct forge_ca *ca, const char *cert_path, const char *key_path,
		  struct dl_error *err)
{
	*ca = (struct forge_ca){0};
	FILE *f = fopen(cert_path, "r");
	if (!f)
		return dl_error_set(err, DL_EIO,
				    "tlsclient: cannot open the trusted CA certificate '%s': %s; "
				    "check tls_clients[].trusted_ca_certificate",
				    cert_path, strerror(errno));
	ca->cert = PEM_read_X509(f, NULL, NULL, NULL);
	fclose(f);
	if (!ca->cert)
		return forge_ssl_error(err, "the trusted CA certificate is not PEM");
	f = fopen(key_path, "r");
	if (!f) {
		int e = errno;
		forge_ca_release(ca);
		return dl_error_set(err, DL_EIO,
				    "tlsclient: cannot open the trusted CA key '%s': %s; check "
				    "tls_clients[].trusted_ca_key",
				    key_path, strerror(e));
	}
	ca->key = PEM_read_PrivateKey(f, NULL, NULL, NULL);
	fclose(f);
	if (!ca->key) {
		forge_ca_release(ca);
		return forge_ssl_error(err, "the trusted CA key is not an unencrypted PEM key");
	}
	if (X509_check_private_key(ca->cert, ca->key) != 1) {
		forge_ca_release(ca);
		ERR_clear_error();
		return dl_error_set(err, DL_EINVAL,
				    "tlsclient: the key '%s' does not belong to the CA certificate "
				    "'%s'",
				    key_path, cert_path);
	}
	return 0;
}

static int forge_random_serial(X509 *x)
{
	BIGNUM *bn = BN_new();
	int ok = bn && BN_rand(bn, 127, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) == 1 &&
		 BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)) != NULL;
	BN_free(bn);
	return ok ? 0 : -1;
}

static int forge_add_ext(X509V3_CTX *ctx, X509 *x, int nid, const char *value)
{
	X509_EXTENSION *e = X509V3_EXT_conf_nid(NULL, ctx, nid, value);
	if (!e)
		return -1;
	int ok = X509_add_ext(x, e, -1);
	X509_EXTENSION_free(e);
	return ok == 1 ? 0 : -1;
}

static int forge_set_name(X509_NAME *n, const char *organization, const char *common_name)
{
	if (X509_NAME_add_entry_by_txt(n, "O", MBSTRING_ASC, (const unsigned char *)organization,
				       -1, -1, 0) != 1)
		return -1;
	return X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, (const unsigned char *)common_name,
					  -1, -1, 0) == 1
		       ? 0
		       : -1;
}

int forge_ca_create(struct forge_ca *ca, const char *common_name, time_t now, struct dl_error *err)
{
	*ca = (struct forge_ca){0};
	ca->key = EVP_EC_gen("P-256");
	ca->cert = X509_new();
	if (!ca->key || !ca->cert)
		goto fail;
	X509V3_CTX ctx;
	if (X509_set_version(ca->cert, 2) != 1 || forge_random_serial(ca->cert) < 0 ||
	    !X509_time_adj_ex(X509_getm_notBefore(ca->cert), 0, -FORGE_HOUR, &now) ||
	    !X509_time_adj_ex(X509_getm_notAfter(ca->cert), 1, 0, &now) ||
	    forge_set_name(X509_get_subject_name(ca->cert), "dutlab throwaway", common_name) < 0 ||
	    X509_set_issuer_name(ca->cert, X509_get_subject_name(ca->cert)) != 1 ||
	    X509_set_pubkey(ca->cert, ca->key) != 1)
		goto fail;
	X509V3_set_ctx(&ctx, ca->cert, ca->cert, NULL, NULL, 0);
	if (forge_add_ext(&ctx, ca->cert, NID_basic_constraints, "critical,CA:TRUE") < 0 ||
	    forge_add_ext(&ctx, ca->cert, NID_key_usage, "critical,keyCertSign,cRLSign") < 0 ||
	    forge_add_ext(&ctx, ca->cert, NID_subject_key_identifier, "hash") < 0 ||
	    X509_sign(ca->cert, ca->key, EVP_sha256()) <= 0)
		goto fail;
	return 0;
fail:
	forge_ca_release(ca);
	return forge_ssl_error(err, "cannot create a throwaway CA");
}

/* ---- leaves ---- */

struct forge_leaf {
	const char *name;              /* CN and the one SAN dNSName */
	long not_before;               /* seconds from now */
	long not_after;                /* seconds from now */
	EVP_PKEY *key;                 /* the leaf's key */
	const EVP_MD *md;              /* signature hash */
	const char *eku;               /* extendedKeyUsage value */
	const char *key_usage;         /* keyUsage value */
	const struct forge_ca *issuer; /* NULL: self-signed with key */
	const char *revocation_base_url;
};

static int forge_issue(const struct forge_leaf *l, time_t now, X509 **out, struct dl_error *err)
{
	char value[FORGE_URL_MAX + 32];
	X509 *x = X509_new();
	X509V3_CTX ctx;
	*out = NULL;
	if (!x)
		goto fail;
	if (X509_set_version(x, 2) != 1 || forge_random_serial(x) < 0 ||
	    !X509_time_adj_ex(X509_getm_notBefore(x), 0, l->not_before, &now) ||
	    !X509_time_adj_ex(X509_getm_notAfter(x), 0, l->not_after, &now) ||
	    forge_set_name(X509_get_subject_name(x), "dutlab test server", l->name) < 0 ||
	    X509_set_issuer_name(x, l->issuer ? X509_get_subject_name(l->issuer->cert)
					      : X509_get_subject_name(x)) != 1 ||
	    X509_set_pubkey(x, l->key) != 1)
		goto fail;
	X509V3_set_ctx(&ctx, l->issuer ? l->issuer->cert : x, x, NULL, NULL, 0);
	snprintf(value, sizeof(value), "DNS:%s", l->name);
	if (forge_add_ext(&ctx, x, NID_basic_constraints, "critical,CA:FALSE") < 0 ||
	    forge_add_ext(&ctx, x, NID_key_usage, l->key_usage) < 0 ||
	    forge_add_ext(&ctx, x, NID_ext_key_usage, l->eku) < 0 ||
	    forge_add_ext(&ctx, x, NID_subject_alt_name, value) < 0 ||
	    forge_add_ext(&ctx, x, NID_subject_key_identifier, "hash") < 0)
		goto fail;
	if (l->issuer && forge_add_ext(&ctx, x, NID_authority_key_identifier, "keyid") < 0)
		goto fail;
	if (l->revocation_base_url) {
		snprintf(value, sizeof(value), "URI:%s/crl.der", l->revocation_base_url);
		if (forge_add_ext(&ctx, x, NID_crl_distribution_points, value) < 0)
			goto fail;
		snprintf(value, sizeof(value), "OCSP;URI:%s/ocsp", l->revocation_base_url);
		if (forge_add_ext(&ctx, x, NID_info_access, value) < 0)
			goto fail;
	}
	if (X509_sign(x, l->issuer ? l->issuer->key : l->key, l->md) <= 0)
		goto fail;
	*out = x;
	return 0;
fail:
	X509_free(x);
	return forge_ssl_error(err, "cannot issue a certificate");
}

static int forge_der(X509 *x, unsigned char **der, size_t *length, struct dl_error *err)
{
	*der = NULL;
	int n = i2d_X509(x, der);
	if (n <= 0)
		return forge_ssl_error(err, "cannot encode a certificate");
	*length = (size_t)n;
	return 0;
}

/* The control's DER with the last bit of its signature flipped: still parses, never verifies. */
static int forge_tampered(X509 *control, X509 **out, struct dl_error *err)
{
	unsigned char *der;
	size_t length = 0;
	int rc = forge_der(control, &der, &length, err);
	if (rc < 0)
		return rc;
	/* The signature BIT STRING ends the Certificate SEQUENCE (RFC 5280 4.1). */
	der[length - 1] ^= 0x01;
	const unsigned char *p = der;
	*out = d2i_X509(NULL, &p, (long)length);
	OPENSSL_free(der);
	return *out ? 0 : forge_ssl_error(err, "cannot parse the tampered certificate");
}

/*
 * The control's DER with the TBSCertificate's length 256 bytes past the end of the
 * Certificate: the outer structure keeps its length, so the TLS record stays well-formed,
 * but no DER parser can read the certificate (RFC 5280 4.1, X.690 8.1.3).
 */
static int forge_malformed(X509 *control, unsigned char **out, size_t *out_length,
			   struct dl_error *err)
{
	unsigned char *der;
	size_t length = 0;
	int rc = forge_der(control, &der, &length, err);
	if (rc < 0)
		return rc;
	/* 30 82 LL LL (Certificate) 30 82 LL LL (TBSCertificate): a certificate of 256 bytes to
	 * 64 KiB, which every certificate forge issues is. */
	if (length < 8 || der[0] != 0x30 || der[1] != 0x82 || der[4] != 0x30 || der[5] != 0x82 ||
	    der[6] == 0xff) {
		OPENSSL_free(der);
		return dl_error_set(err, DL_EIO,
				    "tlsclient forge: the control certificate has an unexpected "
				    "DER header; cannot make the malformed variant");
	}
	der[6] = (unsigned char)(der[6] + 1);
	*out = der;
	*out_length = length;
	return 0;
}

static bool forge_host_valid(const char *host)
{
	size_t n = host ? strlen(host) : 0;
	if (n == 0 || n > FORGE_HOST_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = host[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '-'))
			return false;
	}
	return true;
}

static bool forge_url_valid(const char *url)
{
	size_t n = strlen(url);
	if (n == 0 || n > FORGE_URL_MAX || strncmp(url, "http://", 7) != 0)
		return false;
	for (size_t i = 0; i < n; i++) {
		/* No separators the OpenSSL config syntax of the extension would read. */
		if (url[i] == ',' || url[i] == ';' || url[i] == ' ' || (unsigned char)url[i] < 0x21)
			return false;
	}
	return true;
}

void forge_set_release(struct forge_set *s)
{
	for (size_t i = 0; i < FORGE_VARIANT_COUNT; i++) {
		X509_free(s->items[i].cert);
		X509_free(s->items[i].chain);
		EVP_PKEY_free(s->items[i].key);
		OPENSSL_free(s->items[i].wire_der);
	}
	forge_ca_release(&s->trusted);
	forge_ca_release(&s->unknown);
	X509_CRL_free(s->crl);
	OPENSSL_free(s->crl_der);
	*s = (struct forge_set){0};
}

static int forge_item_set(struct forge_item *it, enum forge_variant v, X509 *cert, EVP_PKEY *key,
			  const struct forge_ca *issuer)
{
	it->variant = v;
	it->cert = cert;
	if (EVP_PKEY_up_ref(key) != 1)
		return -1;
	it->key = key;
	if (issuer) {
		if (X509_up_ref(issuer->cert) != 1)
			return -1;
		it->chain = issuer->cert;
	}
	it->security_level = 0; /* we present what the variant needs; the client decides */
	return 0;
}

/* The CRL the trusted CA signs: lists the revoked variant, valid from an hour ago for a day. */
static int forge_crl(struct forge_set *s, struct dl_error *err)
{
	X509_CRL *crl = X509_CRL_new();
	X509_REVOKED *r = X509_REVOKED_new();
	ASN1_TIME *t = NULL;
	if (!crl || !r)
		goto fail;
	if (X509_CRL_set_version(crl, 1) != 1 ||
	    X509_CRL_set_issuer_name(crl, X509_get_subject_name(s->trusted.cert)) != 1)
		goto fail;
	t = X509_time_adj_ex(NULL, 0, -FORGE_HOUR, &s->now);
	if (!t || X509_CRL_set1_lastUpdate(crl, t) != 1)
		goto fail;
	ASN1_TIME_free(t);
	t = X509_time_adj_ex(NULL, 1, 0, &s->now);
	if (!t || X509_CRL_set1_nextUpdate(crl, t) != 1)
		goto fail;
	ASN1_TIME_free(t);
	t = X509_time_adj_ex(NULL, 0, -FORGE_HOUR / 2, &s->now);
	if (!t ||
	    X509_REVOKED_set_serialNumber(r, X509_get_serialNumber(s->items[FORGE_REVOKED].cert)) !=
		    1 ||
	    X509_REVOKED_set_revocationDate(r, t) != 1 || X509_CRL_add0_revoked(crl, r) != 1)
		goto fail;
	r = NULL;
	ASN1_TIME_free(t);
	t = NULL;
	if (X509_CRL_sort(crl) != 1 || X509_CRL_sign(crl, s->trusted.key, EVP_sha256()) <= 0)
		goto fail;
	unsigned char *der = NULL;
	int n = i2d_X509_CRL(crl, &der);
	if (n <= 0)
		goto fail;
	s->crl = crl;
	s->crl_der = der;
	s->crl_der_length = (size_t)n;
	return 0;
fail:
	ASN1_TIME_free(t);
	X509_REVOKED_free(r);
	X509_CRL_free(crl);
	return forge_ssl_error(err, "cannot make the CRL");
}

int forge_set_build(struct forge_set *s, struct forge_ca *trusted, const struct forge_request *r,
		    struct dl_error *err)
{
	*s = (struct forge_set){0};
	s->trusted = *trusted;
	*trusted = (struct forge_ca){0};
	s->now = r->now ? r->now : time(NULL);
	EVP_PKEY *ec = NULL, *rsa1024 = NULL, *rsa2048 = NULL;
	X509 *x = NULL;
	int rc;

	if (!forge_host_valid(r->host)) {
		rc = dl_error_set(err, DL_EINVAL,
				  "tlsclient: host '%s' is not a DNS name (letters, digits, '.', "
				  "'-'); fix tls_clients[].host",
				  r->host ? r->host : "");
		goto out;
	}
	if (r->revocation_base_url && !forge_url_valid(r->revocation_base_url)) {
		rc = dl_error_set(err, DL_EINVAL, "tlsclient: bad revocation URL '%s'",
				  r->revocation_base_url);
		goto out;
	}
	ec = EVP_EC_gen("P-256");
	rsa1024 = EVP_RSA_gen(1024);
	rsa2048 = EVP_RSA_gen(2048);
	if (!ec || !rsa1024 || !rsa2048) {
		rc = forge_ssl_error(err, "cannot generate keys");
		goto out;
	}
	rc = forge_ca_create(&s->unknown, "dutlab unknown CA", s->now, err);
	if (rc < 0)
		goto out;

	/* Everything the control is; each variant below changes one of these. */
	const struct forge_leaf control = {
		.name = r->host,
		.not_before = -FORGE_HOUR,
		.not_after = FORGE_DAY - FORGE_HOUR,
		.key = ec,
		.md = EVP_sha256(),
		.eku = "serverAuth",
		.key_usage = "critical,digitalSignature",
		.issuer = &s->trusted,
		.revocation_base_url = r->revocation_base_url,
	};
	static const enum forge_variant issued[] = {
		FORGE_CONTROL,        FORGE_EXPIRED,    FORGE_NOT_YET_VALID, FORGE_WRONG_HOST,
		FORGE_SHA1_SIGNATURE, FORGE_RSA1024,    FORGE_WRONG_EKU,     FORGE_REVOKED,
		FORGE_SELF_SIGNED,    FORGE_UNKNOWN_CA,
	};
	for (size_t i = 0; i < DL_ARRAY_SIZE(issued); i++) {
		struct forge_leaf l = control;
		switch (issued[i]) {
		case FORGE_EXPIRED:
			l.not_before = -FORGE_DAY - FORGE_HOUR;
			l.not_after = -FORGE_HOUR;
			break;
		case FORGE_NOT_YET_VALID:
			l.not_before = FORGE_DAY;
			l.not_after = 2 * FORGE_DAY;
			break;
		case FORGE_WRONG_HOST: l.name = FORGE_WRONG_HOST_NAME; break;
		case FORGE_SHA1_SIGNATURE: l.md = EVP_sha1(); break;
		case FORGE_RSA1024: l.key = rsa1024; break;
		case FORGE_WRONG_EKU: l.eku = "clientAuth"; break;
		case FORGE_SELF_SIGNED: l.issuer = NULL; break;
		case FORGE_UNKNOWN_CA: l.issuer = &s->unknown; break;
		default: break;
		}
		rc = forge_issue(&l, s->now, &x, err);
		if (rc < 0)
			goto out;
		if (forge_item_set(&s->items[issued[i]], issued[i], x, l.key, l.issuer) < 0) {
			X509_free(x);
			rc = forge_ssl_error(err, "cannot reference a key");
			goto out;
		}
	}

	X509 *ctl = s->items[FORGE_CONTROL].cert;
	rc = forge_tampered(ctl, &x, err);
	if (rc < 0)
		goto out;
	if (forge_item_set(&s->items[FORGE_TAMPERED_SIGNATURE], FORGE_TAMPERED_SIGNATURE, x, ec,
			   &s->trusted) < 0) {
		X509_free(x);
		rc = forge_ssl_error(err, "cannot reference a key");
		goto out;
	}

	/* The server loads the control and the wire carries the broken copy. */
	struct forge_item *m = &s->items[FORGE_MALFORMED];
	x = X509_dup(ctl);
	if (!x || forge_item_set(m, FORGE_MALFORMED, x, ec, &s->trusted) < 0) {
		X509_free(x);
		rc = forge_ssl_error(err, "cannot copy the control certificate");
		goto out;
	}
	rc = forge_malformed(ctl, &m->wire_der, &m->wire_der_length, err);
	if (rc < 0)
		goto out;
	/* Only TLS 1.2 and below send the Certificate message in clear, where it can be
	 * replaced without touching the record protection. */
	m->max_version = TLS1_2_VERSION;

	struct forge_item *old = &s->items[FORGE_TLS10_11_ONLY];
	x = X509_dup(ctl);
	if (!x || forge_item_set(old, FORGE_TLS10_11_ONLY, x, ec, &s->trusted) < 0) {
		X509_free(x);
		rc = forge_ssl_error(err, "cannot copy the control certificate");
		goto out;
	}
	old->min_version = TLS1_VERSION;
	old->max_version = TLS1_1_VERSION;
	old->cipher_list = "DEFAULT:@SECLEVEL=0";

	/* Static RSA key exchange needs an RSA key that may encipher (RFC 5246 7.4.2). */
	struct forge_leaf rsa = control;
	rsa.key = rsa2048;
	rsa.key_usage = "critical,digitalSignature,keyEncipherment";
	rc = forge_issue(&rsa, s->now, &x, err);
	if (rc < 0)
		goto out;
	struct forge_item *nfs = &s->items[FORGE_NO_FORWARD_SECRECY];
	if (forge_item_set(nfs, FORGE_NO_FORWARD_SECRECY, x, rsa2048, &s->trusted) < 0) {
		X509_free(x);
		rc = forge_ssl_error(err, "cannot reference a key");
		goto out;
	}
	nfs->min_version = TLS1_2_VERSION;
	nfs->max_version = TLS1_2_VERSION;
	nfs->cipher_list = "AES128-GCM-SHA256:AES256-GCM-SHA384:AES128-SHA256:AES256-SHA256:"
			   "AES128-SHA:AES256-SHA:@SECLEVEL=0";

	rc = forge_crl(s, err);
out:
	EVP_PKEY_free(ec);
	EVP_PKEY_free(rsa1024);
	EVP_PKEY_free(rsa2048);
	if (rc < 0)
		forge_set_release(s);
	return rc;
}

/* ---- OCSP (RFC 6960) ---- */

/* The status the trusted CA gives serial: V_OCSP_CERTSTATUS_*. */
static int forge_ocsp_status(const struct forge_set *s, const ASN1_INTEGER *serial)
{
	if (ASN1_INTEGER_cmp(serial, X509_get0_serialNumber(s->items[FORGE_REVOKED].cert)) == 0)
		return V_OCSP_CERTSTATUS_REVOKED;
	for (size_t i = 0; i < FORGE_VARIANT_COUNT; i++) {
		X509 *x = s->items[i].cert;
		if (x && i != FORGE_SELF_SIGNED && i != FORGE_UNKNOWN_CA &&
		    ASN1_INTEGER_cmp(serial, X509_get0_serialNumber(x)) == 0)
			return V_OCSP_CERTSTATUS_GOOD;
	}
	return V_OCSP_CERTSTATUS_UNKNOWN;
}

/* Add the status of id to bs. id must name the trusted CA as issuer to be answered. */
static int forge_ocsp_add(const struct forge_set *s, OCSP_BASICRESP *bs, OCSP_CERTID *id)
{
	ASN1_INTEGER *serial = NULL;
	int status = V_OCSP_CERTSTATUS_UNKNOWN;
	const EVP_MD *md = EVP_sha1();
	ASN1_OBJECT *md_oid = NULL;
	if (OCSP_id_get0_info(NULL, &md_oid, NULL, &serial, id) == 1 && md_oid)
		md = EVP_get_digestbyobj(md_oid);
	if (md) {
		OCSP_CERTID *ca_id =
			OCSP_cert_id_new(md, X509_get_subject_name(s->trusted.cert),
					 X509_get0_pubkey_bitstr(s->trusted.cert), serial);
		if (ca_id && OCSP_id_issuer_cmp(ca_id, id) == 0 && serial)
			status = forge_ocsp_status(s, serial);
		OCSP_CERTID_free(ca_id);
	}
	time_t now = s->now;
	ASN1_TIME *this_update = X509_time_adj_ex(NULL, 0, -60, &now);
	ASN1_TIME *next_update = X509_time_adj_ex(NULL, 1, 0, &now);
	ASN1_TIME *revoked_at = X509_time_adj_ex(NULL, 0, -FORGE_HOUR / 2, &now);
	int ok = this_update && next_update && revoked_at &&
		 OCSP_basic_add1_status(bs, id, status, OCSP_REVOKED_STATUS_KEYCOMPROMISE,
					status == V_OCSP_CERTSTATUS_REVOKED ? revoked_at : NULL,
					this_update, next_update) != NULL;
	ASN1_TIME_free(this_update);
	ASN1_TIME_free(next_update);
	ASN1_TIME_free(revoked_at);
	return ok ? 0 : -1;
}

static int forge_ocsp_finish(const struct forge_set *s, OCSP_BASICRESP *bs, unsigned char **out,
			     size_t *out_length, struct dl_error *err)
{
	OCSP_RESPONSE *resp = NULL;
	*out = NULL;
	if (OCSP_basic_sign(bs, s->trusted.cert, s->trusted.key, EVP_sha256(), NULL, 0) != 1)
		return forge_ssl_error(err, "cannot sign the OCSP response");
	resp = OCSP_response_create(OCSP_RESPONSE_STATUS_SUCCESSFUL, bs);
	int n = resp ? i2d_OCSP_RESPONSE(resp, out) : -1;
	OCSP_RESPONSE_free(resp);
	if (n <= 0)
		return forge_ssl_error(err, "cannot encode the OCSP response");
	*out_length = (size_t)n;
	return 0;
}

int forge_ocsp_answer(const struct forge_set *s, const unsigned char *request, size_t length,
		      unsigned char **out, size_t *out_length, struct dl_error *err)
{
	const unsigned char *p = request;
	OCSP_REQUEST *req = length <= LONG_MAX ? d2i_OCSP_REQUEST(NULL, &p, (long)length) : NULL;
	int count = req ? OCSP_request_onereq_count(req) : 0;
	*out = NULL;
	if (count <= 0 || count > 16) {
		OCSP_REQUEST_free(req);
		ERR_clear_error();
		OCSP_RESPONSE *bad =
			OCSP_response_create(OCSP_RESPONSE_STATUS_MALFORMEDREQUEST, NULL);
		int n = bad ? i2d_OCSP_RESPONSE(bad, out) : -1;
		OCSP_RESPONSE_free(bad);
		if (n <= 0)
			return forge_ssl_error(err, "cannot encode an OCSP error response");
		*out_length = (size_t)n;
		return 0;
	}
	OCSP_BASICRESP *bs = OCSP_BASICRESP_new();
	int rc = 0;
	for (int i = 0; bs && i < count && rc == 0; i++) {
		OCSP_CERTID *id = OCSP_onereq_get0_id(OCSP_request_onereq_get0(req, i));
		if (forge_ocsp_add(s, bs, id) < 0)
			rc = -1;
	}
	if (!bs || rc < 0 || OCSP_copy_nonce(bs, req) <= 0) {
		OCSP_BASICRESP_free(bs);
		OCSP_REQUEST_free(req);
		return forge_ssl_error(err, "cannot build the OCSP response");
	}
	rc = forge_ocsp_finish(s, bs, out, out_length, err);
	OCSP_BASICRESP_free(bs);
	OCSP_REQUEST_free(req);
	return rc;
}

int forge_ocsp_staple(const struct forge_set *s, X509 *cert, unsigned char **out,
		      size_t *out_length, struct dl_error *err)
{
	OCSP_CERTID *id = OCSP_cert_to_id(EVP_sha1(), cert, s->trusted.cert);
	OCSP_BASICRESP *bs = OCSP_BASICRESP_new();
	*out = NULL;
	if (!id || !bs || forge_ocsp_add(s, bs, id) < 0) {
		OCSP_CERTID_free(id);
		OCSP_BASICRESP_free(bs);
		return forge_ssl_error(err, "cannot build the stapled OCSP response");
	}
	OCSP_CERTID_free(id);
	int rc = forge_ocsp_finish(s, bs, out, out_length, err);
	OCSP_BASICRESP_free(bs);
	return rc;
}
