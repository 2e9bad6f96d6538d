/* issue: a lab CA and a server certificate it signs, to install on a DUT (TS-0014-1 5.4.1.3) */
#include "core/compat.h"

#include <fcntl.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509v3.h>
#include <unistd.h>

#include "checks/keys/issue.h"
#include "checks/tls/tls-certificate.h"
#include "core/error.h"
#include "core/text.h"

#define CA_DAYS 30
#define LEAF_DAYS 30
#define SAN_MAX 4096

static int openssl_error(struct dl_error *err, const char *what)
{
	char detail[256] = "";
	unsigned long e = ERR_get_error();
	if (e)
		ERR_error_string_n(e, detail, sizeof(detail));
	ERR_clear_error();
	return dl_error_set(err, DL_EIO, "keys: %s failed%s%s", what, detail[0] ? ": " : "",
			    detail);
}

static int add_ext(X509 *cert, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX v3;
	X509V3_set_ctx_nodb(&v3);
	X509V3_set_ctx(&v3, issuer, cert, NULL, NULL, 0);
	X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, &v3, nid, value);
	if (!ext)
		return -1;
	int ok = X509_add_ext(cert, ext, -1);
	X509_EXTENSION_free(ext);
	return ok ? 0 : -1;
}

/* A certificate for key, signed by issuer_key (issuer NULL: self-signed). */
static X509 *make_certificate(EVP_PKEY *key, const char *cn, X509 *issuer, EVP_PKEY *issuer_key,
			      int days, bool ca, const char *san, const char *key_usage)
{
	X509 *x = X509_new();
	X509_NAME *name = X509_NAME_new();
	BIGNUM *serial = BN_new();
	bool ok = x && name && serial && X509_set_version(x, 2) &&
		  BN_rand(serial, 127, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) &&
		  BN_to_ASN1_INTEGER(serial, X509_get_serialNumber(x)) &&
		  X509_gmtime_adj(X509_getm_notBefore(x), -3600) &&
		  X509_gmtime_adj(X509_getm_notAfter(x), (long)days * 86400) &&
		  X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8,
					     (const unsigned char *)"dutlab lab", -1, -1, 0) &&
		  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, (const unsigned char *)cn,
					     -1, -1, 0) &&
		  X509_set_subject_name(x, name) &&
		  X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : name) &&
		  X509_set_pubkey(x, key);
	X509 *signer = issuer ? issuer : x;
	if (ok && ca)
		ok = add_ext(x, signer, NID_basic_constraints, "critical,CA:TRUE") == 0 &&
		     add_ext(x, signer, NID_key_usage, "critical,keyCertSign,cRLSign") == 0 &&
		     add_ext(x, signer, NID_subject_key_identifier, "hash") == 0;
	if (ok && !ca)
		ok = add_ext(x, signer, NID_basic_constraints, "critical,CA:FALSE") == 0 &&
		     add_ext(x, signer, NID_key_usage, key_usage) == 0 &&
		     add_ext(x, signer, NID_ext_key_usage, "serverAuth") == 0 &&
		     add_ext(x, signer, NID_subject_key_identifier, "hash") == 0 &&
		     add_ext(x, signer, NID_authority_key_identifier, "keyid:always") == 0 &&
		     add_ext(x, signer, NID_subject_alt_name, san) == 0;
	if (ok)
		ok = X509_sign(x, issuer_key ? issuer_key : key, EVP_sha256()) > 0;
	BN_free(serial);
	X509_NAME_free(name);
	if (!ok) {
		X509_free(x);
		return NULL;
	}
	return x;
}

/* Write through a FILE opened with mode bits, so a key is never readable by others. */
static int write_pem(const char *path, mode_t mode, X509 *cert, EVP_PKEY *key, struct dl_error *err)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (!f) {
		int saved = errno;
		if (fd >= 0)
			close(fd);
		return dl_error_set(err, DL_EIO, "keys: cannot write %s: %s", path,
				    strerror(saved));
	}
	int ok = cert ? PEM_write_X509(f, cert)
		      : PEM_write_PrivateKey(f, key, NULL, NULL, 0, NULL, NULL);
	if (fclose(f) != 0 || !ok)
		return dl_error_set(err, DL_EIO, "keys: cannot write %s", path);
	return 0;
}

static bool looks_like_address(const char *a)
{
	for (const char *s = a; *s; s++)
		if (!strchr("0123456789abcdefABCDEF.:", *s))
			return false;
	return *a != '\0';
}

static int build_san(const char *const *addresses, size_t address_count,
		     const char *const *dns_names, size_t dns_count, char *san, size_t size,
		     struct dl_error *err)
{
	size_t used = 0;
	san[0] = '\0';
	for (size_t i = 0; i < address_count + dns_count; i++) {
		bool ip = i < address_count;
		const char *v = ip ? addresses[i] : dns_names[i - address_count];
		/* A comma would start another SAN entry in OpenSSL's config syntax. */
		if (!v || !*v || strchr(v, ',') || (ip && !looks_like_address(v)))
			return dl_error_set(err, DL_EINVAL, "keys: '%s' cannot go into a SAN",
					    v ? v : "(null)");
		int n = snprintf(san + used, size - used, "%s%s:%s", used ? "," : "",
				 ip ? "IP" : "DNS", v);
		if (n < 0 || (size_t)n >= size - used)
			return dl_error_set(err, DL_ENOMEM, "keys: too many SAN entries");
		used += (size_t)n;
	}
	if (!used)
		return dl_error_set(err, DL_EINVAL, "keys: a certificate needs at least one name");
	return 0;
}

int keys_issue_lab_certificate(const char *dir, const char *const *addresses, size_t address_count,
			       const char *const *dns_names, size_t dns_count,
			       enum keys_issue_key key_type, unsigned rsa_bits,
			       struct keys_issued *out, struct dl_error *err)
{
	memset(out, 0, sizeof(*out));
	char san[SAN_MAX];
	int rc = build_san(addresses, address_count, dns_names, dns_count, san, sizeof(san), err);
	if (rc)
		return rc;
	const char *cn = dns_count ? dns_names[0] : addresses[0];
	snprintf(out->ca_certificate, sizeof(out->ca_certificate), "%s/lab-ca.pem", dir);
	snprintf(out->certificate, sizeof(out->certificate), "%s/lab-leaf.pem", dir);
	snprintf(out->key, sizeof(out->key), "%s/lab-leaf.key", dir);

	EVP_PKEY *ca_key = EVP_EC_gen("P-256");
	bool rsa = key_type == KEYS_ISSUE_RSA;
	if (rsa && (rsa_bits < 2048 || rsa_bits > 8192))
		rsa_bits = 2048;
	EVP_PKEY *leaf_key = !ca_key ? NULL : rsa ? EVP_RSA_gen(rsa_bits) : EVP_EC_gen("P-256");
	X509 *ca = NULL, *leaf = NULL;
	unsigned char *der = NULL;
	if (!leaf_key) {
		rc = openssl_error(err, "key generation");
		goto out;
	}
	ca = make_certificate(ca_key, "dutlab lab CA", NULL, NULL, CA_DAYS, true, NULL, NULL);
	/* RSA key exchange (static-RSA suites) encrypts to the key: keyEncipherment. */
	leaf = ca ? make_certificate(leaf_key, cn, ca, ca_key, LEAF_DAYS, false, san,
				     rsa ? "critical,digitalSignature,keyEncipherment"
					 : "critical,digitalSignature")
		  : NULL;
	if (!leaf) {
		rc = openssl_error(err, "issuing the lab certificates");
		goto out;
	}
	rc = write_pem(out->ca_certificate, 0644, ca, NULL, err);
	if (!rc)
		rc = write_pem(out->certificate, 0644, leaf, NULL, err);
	if (!rc)
		rc = write_pem(out->key, 0600, NULL, leaf_key, err);
	if (rc)
		goto out;
	int len = i2d_X509(leaf, &der);
	if (len <= 0) {
		rc = openssl_error(err, "encoding the lab certificate");
		goto out;
	}
	rc = tls_certificate_fingerprints(der, (size_t)len, out->sha256, out->spki_sha256, err);
	if (rc)
		goto out;
	snprintf(out->subject, sizeof(out->subject), "O=dutlab lab, CN=%s", cn);
out:
	OPENSSL_free(der);
	X509_free(leaf);
	X509_free(ca);
	EVP_PKEY_free(leaf_key);
	EVP_PKEY_free(ca_key);
	return rc;
}
