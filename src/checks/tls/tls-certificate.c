/* tls-certificate: X.509 facts, chain trust and fingerprints of a served certificate chain */
#include "core/compat.h"

#include <arpa/inet.h>
#include <limits.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <json-c/json.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "checks/tls/tls-certificate.h"
#include "core/error.h"
#include "net/sock.h"

/* A subject or a SAN entry longer than this is cut: a fact is one line of a report. */
#define CERT_TEXT_MAX 1024

/* ---- small helpers ---- */

static void hex_lower(const unsigned char *p, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[p[i] >> 4];
		out[2 * i + 1] = digits[p[i] & 0x0f];
	}
	out[2 * n] = '\0';
}

static int sha256_hex(const unsigned char *p, size_t n, char out[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int md_len = 0;
	if (!EVP_Digest(p, n, md, &md_len, EVP_sha256(), NULL) || md_len != 32)
		return DL_ENOMEM;
	hex_lower(md, md_len, out);
	return 0;
}

/* The last OpenSSL error as text (and the queue emptied), for messages. */
static const char *openssl_reason(char *buf, size_t cap)
{
	unsigned long e = ERR_peek_last_error();
	if (e == 0)
		snprintf(buf, cap, "no detail from OpenSSL");
	else
		ERR_error_string_n(e, buf, cap);
	ERR_clear_error();
	return buf;
}

/* Bytes from a certificate as a JSON string: printable ASCII kept, the rest
 * as \xNN, so a hostile name cannot make the report invalid UTF-8. */
static struct json_object *json_text(const unsigned char *p, size_t n)
{
	char buf[CERT_TEXT_MAX];
	size_t o = 0;
	for (size_t i = 0; i < n && o + 5 < sizeof(buf); i++) {
		if (p[i] >= 0x20 && p[i] < 0x7f) {
			buf[o++] = (char)p[i];
		} else {
			snprintf(buf + o, sizeof(buf) - o, "\\x%02x", p[i]);
			o += 4;
		}
	}
	return json_object_new_string_len(buf, (int)o);
}

static int add(struct json_object *obj, const char *key, struct json_object *value)
{
	/* json-c takes NULL as JSON null; only a failed insert is out of memory */
	return json_object_object_add(obj, key, value) == 0 ? 0 : DL_ENOMEM;
}

static int add_string(struct json_object *obj, const char *key, const char *value)
{
	struct json_object *v = NULL;
	if (value) {
		v = json_object_new_string(value);
		if (!v)
			return DL_ENOMEM;
	}
	return add(obj, key, v);
}

static int push_string(struct json_object *array, const char *value)
{
	struct json_object *v = json_object_new_string(value);
	if (!v || json_object_array_add(array, v) != 0) {
		json_object_put(v);
		return DL_ENOMEM;
	}
	return 0;
}

/* ---- one certificate ---- */

/* "O=Acme, CN=cam-100-0001": RFC 2253 escaping, in the certificate's order,
 * bytes above 0x7f escaped, so the text is ASCII. */
static struct json_object *name_json(const X509_NAME *name)
{
	const unsigned long flags = (ASN1_STRFLGS_RFC2253 | XN_FLAG_SEP_CPLUS_SPC | XN_FLAG_FN_SN |
				     XN_FLAG_DUMP_UNKNOWN_FIELDS);
	if (!name)
		return NULL;
	BIO *bio = BIO_new(BIO_s_mem());
	if (!bio)
		return NULL;
	struct json_object *v = NULL;
	if (X509_NAME_print_ex(bio, name, 0, flags) >= 0) {
		char *data = NULL;
		long n = BIO_get_mem_data(bio, &data);
		if (n >= 0 && data)
			v = json_text((const unsigned char *)data, (size_t)n);
	}
	BIO_free(bio);
	ERR_clear_error();
	return v;
}

static struct json_object *serial_json(const X509 *x)
{
	BIGNUM *bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(x), NULL);
	if (!bn) {
		ERR_clear_error();
		return NULL;
	}
	char *hex = BN_bn2hex(bn);
	BN_free(bn);
	if (!hex)
		return NULL;
	for (char *c = hex; *c; c++)
		if (*c >= 'A' && *c <= 'F')
			*c = (char)(*c - 'A' + 'a');
	struct json_object *v = json_object_new_string(hex);
	OPENSSL_free(hex);
	return v;
}

/* ISO 8601 UTC into iso (21 bytes) and seconds since the epoch; false when the
 * time cannot be read. */
static bool time_read(const ASN1_TIME *t, char iso[32], time_t *epoch)
{
	struct tm tm;
	memset(&tm, 0, sizeof(tm));
	if (!t || !ASN1_TIME_to_tm(t, &tm)) {
		ERR_clear_error();
		return false;
	}
	if (strftime(iso, 32, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		return false;
	*epoch = timegm(&tm);
	return true;
}

static const char *const key_usage_names[] = {
	/* RFC 5280 4.2.1.3 bit order, with OpenSSL's KU_* values below */
	"digitalSignature", "nonRepudiation", "keyEncipherment", "dataEncipherment", "keyAgreement",
	"keyCertSign",      "cRLSign",        "encipherOnly",    "decipherOnly",
};
static const uint32_t key_usage_bits[] = {
	KU_DIGITAL_SIGNATURE, KU_NON_REPUDIATION, KU_KEY_ENCIPHERMENT,
	KU_DATA_ENCIPHERMENT, KU_KEY_AGREEMENT,   KU_KEY_CERT_SIGN,
	KU_CRL_SIGN,          KU_ENCIPHER_ONLY,   KU_DECIPHER_ONLY,
};

struct cert_view {
	bool leaf;
	bool self_signed;
	bool is_ca;
	bool has_san;
	bool has_eku;
	bool server_auth;
	bool weak_signature;
	bool weak_key;
	bool expired;
	bool not_yet_valid;
	int name_match; /* -1: nothing to match */
};

static int key_facts(X509 *x, struct json_object *f, struct cert_view *v)
{
	EVP_PKEY *pkey = X509_get0_pubkey(x);
	const char *type = NULL;
	int bits = 0;
	char curve[64] = "";
	if (pkey) {
		bits = EVP_PKEY_get_bits(pkey);
		switch (EVP_PKEY_get_base_id(pkey)) {
		case EVP_PKEY_RSA:
		case EVP_PKEY_RSA_PSS:
			type = "RSA";
			v->weak_key = bits < 2048;
			break;
		case EVP_PKEY_DSA:
			type = "DSA";
			v->weak_key = bits < 2048;
			break;
		case EVP_PKEY_EC: {
			size_t len = 0;
			type = "EC";
			if (!EVP_PKEY_get_group_name(pkey, curve, sizeof(curve), &len))
				curve[0] = '\0';
			v->weak_key = bits < 256;
			break;
		}
		case EVP_PKEY_ED25519: type = "Ed25519"; break;
		case EVP_PKEY_ED448: type = "Ed448"; break;
		default: type = EVP_PKEY_get0_type_name(pkey); break;
		}
	}
	ERR_clear_error();
	if (add_string(f, "key_type", type ? type : "unknown") < 0 ||
	    add(f, "key_bits", bits > 0 ? json_object_new_int(bits) : NULL) < 0 ||
	    add_string(f, "curve", curve[0] ? curve : NULL) < 0)
		return DL_ENOMEM;
	return 0;
}

static int signature_facts(const X509 *x, struct json_object *f, struct cert_view *v)
{
	int sig_nid = X509_get_signature_nid(x);
	int md_nid = NID_undef, pk_nid = NID_undef;
	/* X509_get_signature_info also knows RSA-PSS's hash; the table lookup is the fallback */
	if (!X509_get_signature_info((X509 *)x, &md_nid, &pk_nid, NULL, NULL) &&
	    !OBJ_find_sigid_algs(sig_nid, &md_nid, &pk_nid))
		md_nid = NID_undef;
	ERR_clear_error();
	const char *sig = sig_nid != NID_undef ? OBJ_nid2ln(sig_nid) : NULL;
	char oid[80] = "";
	if (!sig) {
		const ASN1_OBJECT *alg = NULL;
		const X509_ALGOR *algor = NULL;
		X509_get0_signature(NULL, &algor, x);
		if (algor)
			X509_ALGOR_get0(&alg, NULL, NULL, algor);
		if (alg && OBJ_obj2txt(oid, sizeof(oid), alg, 1) > 0)
			sig = oid;
	}
	const char *hash = md_nid != NID_undef ? OBJ_nid2sn(md_nid) : NULL;
	v->weak_signature = md_nid == NID_md5 || md_nid == NID_md4 || md_nid == NID_md2 ||
			    md_nid == NID_sha1 || md_nid == NID_md5_sha1;
	if (add_string(f, "signature_algorithm", sig) < 0 ||
	    add_string(f, "signature_hash", hash) < 0 ||
	    add(f, "weak_signature", json_object_new_boolean(v->weak_signature)) < 0)
		return DL_ENOMEM;
	return 0;
}

static int san_facts(X509 *x, struct json_object *f, struct cert_view *v)
{
	struct json_object *dns = json_object_new_array();
	struct json_object *ip = json_object_new_array();
	int rc = 0;
	if (!dns || !ip) {
		rc = DL_ENOMEM;
		goto out;
	}
	GENERAL_NAMES *names = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
	v->has_san = names != NULL;
	for (int i = 0; names && i < sk_GENERAL_NAME_num(names) && rc == 0; i++) {
		const GENERAL_NAME *g = sk_GENERAL_NAME_value(names, i);
		if (g->type == GEN_DNS) {
			const ASN1_STRING *s = g->d.dNSName;
			struct json_object *t =
				json_text(ASN1_STRING_get0_data(s), (size_t)ASN1_STRING_length(s));
			if (!t || json_object_array_add(dns, t) != 0) {
				json_object_put(t);
				rc = DL_ENOMEM;
			}
		} else if (g->type == GEN_IPADD) {
			const ASN1_OCTET_STRING *s = g->d.iPAddress;
			char text[INET6_ADDRSTRLEN] = "";
			int n = ASN1_STRING_length(s);
			int family = n == 4 ? AF_INET : n == 16 ? AF_INET6 : 0;
			if (family &&
			    inet_ntop(family, ASN1_STRING_get0_data(s), text, sizeof(text)))
				rc = push_string(ip, text);
			else
				rc = push_string(ip, "invalid");
		}
	}
	GENERAL_NAMES_free(names);
	ERR_clear_error();
	if (rc == 0) {
		rc = add(f, "san_dns", dns);
		dns = NULL;
	}
	if (rc == 0) {
		rc = add(f, "san_ip", ip);
		ip = NULL;
	}
out:
	json_object_put(dns);
	json_object_put(ip);
	return rc;
}

static bool is_ip_address(const char *s)
{
	unsigned char buf[16];
	return inet_pton(AF_INET, s, buf) == 1 || inet_pton(AF_INET6, s, buf) == 1;
}

static int name_facts(X509 *x, const struct tls_certificate_options *o, struct json_object *f,
		      struct cert_view *v)
{
	const char *matched = NULL;
	v->name_match = -1;
	if (v->leaf && o->expected_name_count > 0) {
		v->name_match = 0;
		for (size_t i = 0; i < o->expected_name_count && !matched; i++) {
			const char *name = o->expected_names[i];
			if (!name || !*name)
				continue;
			int r = is_ip_address(name)
					? X509_check_ip_asc(x, name, 0)
					: X509_check_host(x, name, strlen(name),
							  X509_CHECK_FLAG_NEVER_CHECK_SUBJECT,
							  NULL);
			if (r == 1)
				matched = name;
		}
		ERR_clear_error();
		v->name_match = matched != NULL;
	}
	if (add(f, "name_match",
		v->name_match < 0 ? NULL : json_object_new_boolean(v->name_match)) < 0 ||
	    add_string(f, "matched_name", matched) < 0)
		return DL_ENOMEM;
	return 0;
}

static int usage_facts(X509 *x, struct json_object *f, struct cert_view *v)
{
	struct json_object *ku = json_object_new_array();
	struct json_object *eku = json_object_new_array();
	int rc = 0;
	if (!ku || !eku) {
		rc = DL_ENOMEM;
		goto out;
	}
	if (X509_get_extension_flags(x) & EXFLAG_KUSAGE) {
		uint32_t bits = X509_get_key_usage(x);
		for (size_t i = 0; i < DL_ARRAY_SIZE(key_usage_bits) && rc == 0; i++)
			if (bits & key_usage_bits[i])
				rc = push_string(ku, key_usage_names[i]);
	}
	EXTENDED_KEY_USAGE *ext = X509_get_ext_d2i(x, NID_ext_key_usage, NULL, NULL);
	v->has_eku = ext != NULL;
	for (int i = 0; ext && i < sk_ASN1_OBJECT_num(ext) && rc == 0; i++) {
		const ASN1_OBJECT *obj = sk_ASN1_OBJECT_value(ext, i);
		int nid = OBJ_obj2nid(obj);
		char oid[80];
		const char *name = nid != NID_undef ? OBJ_nid2sn(nid) : NULL;
		if (nid == NID_server_auth)
			v->server_auth = true;
		if (!name && OBJ_obj2txt(oid, sizeof(oid), obj, 1) > 0)
			name = oid;
		rc = push_string(eku, name ? name : "unknown");
	}
	EXTENDED_KEY_USAGE_free(ext);
	BASIC_CONSTRAINTS *bc = X509_get_ext_d2i(x, NID_basic_constraints, NULL, NULL);
	v->is_ca = bc && bc->ca;
	BASIC_CONSTRAINTS_free(bc);
	ERR_clear_error();
	if (rc == 0) {
		rc = add(f, "key_usage", ku);
		ku = NULL;
	}
	if (rc == 0) {
		rc = add(f, "extended_key_usage", eku);
		eku = NULL;
	}
	if (rc == 0)
		rc = add(f, "is_ca", json_object_new_boolean(v->is_ca));
out:
	json_object_put(ku);
	json_object_put(eku);
	return rc;
}

static int date_facts(const X509 *x, time_t now, struct json_object *f, struct cert_view *v)
{
	char before[32], after[32];
	time_t t_before = 0, t_after = 0;
	bool has_before = time_read(X509_get0_notBefore(x), before, &t_before);
	bool has_after = time_read(X509_get0_notAfter(x), after, &t_after);
	v->not_yet_valid = has_before && now < t_before;
	v->expired = has_after && now > t_after;
	struct json_object *days = NULL;
	if (has_after) {
		/* whole days, rounded down: an expired certificate has a negative count */
		int64_t left = (int64_t)t_after - (int64_t)now;
		int64_t d = left >= 0 ? left / 86400 : -((-left + 86399) / 86400);
		days = json_object_new_int64(d);
		if (!days)
			return DL_ENOMEM;
	}
	if (add_string(f, "not_before", has_before ? before : NULL) < 0 ||
	    add_string(f, "not_after", has_after ? after : NULL) < 0 ||
	    add(f, "expired", has_after ? json_object_new_boolean(v->expired) : NULL) < 0 ||
	    add(f, "not_yet_valid", has_before ? json_object_new_boolean(v->not_yet_valid) : NULL) <
		    0 ||
	    add(f, "days_left", days) < 0)
		return DL_ENOMEM;
	return 0;
}

static int fingerprint_facts(X509 *x, const unsigned char *der, size_t len, struct json_object *f)
{
	char cert[65], spki[65] = "";
	if (sha256_hex(der, len, cert) < 0)
		return DL_ENOMEM;
	unsigned char *pub = NULL;
	int n = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(x), &pub);
	if (n > 0 && sha256_hex(pub, (size_t)n, spki) < 0) {
		OPENSSL_free(pub);
		return DL_ENOMEM;
	}
	OPENSSL_free(pub);
	ERR_clear_error();
	if (add_string(f, "sha256", cert) < 0 ||
	    add_string(f, "spki_sha256", spki[0] ? spki : NULL))
		return DL_ENOMEM;
	return 0;
}

static int problems_add(struct json_object *f, const struct cert_view *v, bool untrusted)
{
	struct json_object *p = json_object_new_array();
	int rc = p ? 0 : DL_ENOMEM;
	/* a CA's own signature is not checked by anyone who trusts it */
	bool anchor = !v->leaf && v->self_signed;
	if (rc == 0 && v->expired)
		rc = push_string(p, "expired");
	if (rc == 0 && v->not_yet_valid)
		rc = push_string(p, "not_yet_valid");
	if (rc == 0 && v->leaf && v->self_signed)
		rc = push_string(p, "self_signed");
	if (rc == 0 && v->weak_signature && !anchor)
		rc = push_string(p, "weak_signature");
	if (rc == 0 && v->weak_key)
		rc = push_string(p, "weak_key");
	if (rc == 0 && v->leaf && v->name_match == 0)
		rc = push_string(p, "name_mismatch");
	if (rc == 0 && v->leaf && !v->has_san)
		rc = push_string(p, "no_san");
	if (rc == 0 && v->leaf && untrusted)
		rc = push_string(p, "untrusted");
	if (rc == 0 && v->leaf && v->is_ca)
		rc = push_string(p, "ca_as_leaf");
	if (rc == 0 && v->has_eku && !v->server_auth)
		rc = push_string(p, "missing_server_auth_eku");
	if (rc == 0) {
		rc = add(f, "problems", p);
		p = NULL;
	}
	json_object_put(p);
	return rc;
}

/* The facts of one decoded certificate into the new object *out. */
static int cert_facts(X509 *x, const unsigned char *der, size_t len, bool leaf, bool untrusted,
		      const struct tls_certificate_options *o, time_t now, struct json_object **out)
{
	struct cert_view v = {.leaf = leaf};
	struct json_object *f = json_object_new_object();
	if (!f)
		return DL_ENOMEM;
	v.self_signed = X509_self_signed(x, 1) == 1;
	ERR_clear_error();
	int rc = add(f, "subject", name_json(X509_get_subject_name(x)));
	if (rc == 0)
		rc = add(f, "issuer", name_json(X509_get_issuer_name(x)));
	if (rc == 0)
		rc = add(f, "serial", serial_json(x));
	if (rc == 0)
		rc = date_facts(x, now, f, &v);
	if (rc == 0)
		rc = key_facts(x, f, &v);
	if (rc == 0)
		rc = signature_facts(x, f, &v);
	if (rc == 0)
		rc = add(f, "self_signed", json_object_new_boolean(v.self_signed));
	if (rc == 0)
		rc = usage_facts(x, f, &v); /* before the SAN: sets is_ca, printed here */
	if (rc == 0)
		rc = san_facts(x, f, &v);
	if (rc == 0)
		rc = name_facts(x, o, f, &v);
	if (rc == 0)
		rc = fingerprint_facts(x, der, len, f);
	if (rc == 0)
		rc = problems_add(f, &v, untrusted);
	if (rc < 0) {
		json_object_put(f);
		return rc;
	}
	*out = f;
	return 0;
}

static int unparseable_facts(const unsigned char *der, size_t len, const char *why,
			     struct json_object **out)
{
	char sha[65];
	struct json_object *f = json_object_new_object();
	struct json_object *p = json_object_new_array();
	int rc = f && p ? 0 : DL_ENOMEM;
	if (rc == 0)
		rc = sha256_hex(der, len, sha);
	if (rc == 0)
		rc = add_string(f, "parse_error", why);
	if (rc == 0)
		rc = add_string(f, "sha256", sha);
	if (rc == 0)
		rc = push_string(p, "unparseable");
	if (rc == 0) {
		rc = add(f, "problems", p);
		p = NULL;
	}
	json_object_put(p);
	if (rc < 0) {
		json_object_put(f);
		return rc;
	}
	*out = f;
	return 0;
}

/* Decode exactly len bytes of DER; NULL (with why) for anything else. */
static X509 *decode(const unsigned char *der, size_t len, char *why, size_t why_cap)
{
	if (!der || len == 0 || len > (size_t)LONG_MAX) {
		snprintf(why, why_cap, "empty certificate");
		return NULL;
	}
	const unsigned char *p = der;
	X509 *x = d2i_X509(NULL, &p, (long)len);
	if (!x) {
		char reason[256];
		snprintf(why, why_cap, "not a DER certificate: %s",
			 openssl_reason(reason, sizeof(reason)));
		return NULL;
	}
	if ((size_t)(p - der) != len) {
		snprintf(why, why_cap, "%zu bytes after the certificate's %zu",
			 len - (size_t)(p - der), (size_t)(p - der));
		X509_free(x);
		return NULL;
	}
	return x;
}

/* ---- the chain ---- */

struct chain_trust {
	bool trusted;
	char error[256];
};

static int trust_verify(X509 *const *certs, size_t count, const struct tls_certificate_options *o,
			time_t now, struct chain_trust *t, struct dl_error *err)
{
	char reason[256];
	int rc = 0;
	X509_STORE *store = X509_STORE_new();
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	STACK_OF(X509) *untrusted = sk_X509_new_null();
	t->trusted = false;
	t->error[0] = '\0';
	if (!store || !ctx || !untrusted) {
		rc = dl_error_set(err, DL_ENOMEM, "certificate trust: out of memory");
		goto out;
	}
	if (o->ca_bundle) {
		if (X509_STORE_load_file(store, o->ca_bundle) != 1) {
			rc = dl_error_set(
				err, DL_EINVAL,
				"CA bundle '%s': cannot read PEM certificates from it: %s; "
				"check tls.ca_bundle in the profile",
				o->ca_bundle, openssl_reason(reason, sizeof(reason)));
			goto out;
		}
	} else if (X509_STORE_set_default_paths(store) != 1) {
		rc = dl_error_set(err, DL_EIO, "the system's default CA store: %s",
				  openssl_reason(reason, sizeof(reason)));
		goto out;
	}
	if (count == 0 || !certs[0]) {
		snprintf(t->error, sizeof(t->error),
			 count == 0 ? "no certificate served"
				    : "the leaf certificate is unparseable");
		goto out;
	}
	for (size_t i = 1; i < count; i++) {
		if (certs[i] && !sk_X509_push(untrusted, certs[i])) {
			rc = dl_error_set(err, DL_ENOMEM, "certificate trust: out of memory");
			goto out;
		}
	}
	if (X509_STORE_CTX_init(ctx, store, certs[0], untrusted) != 1) {
		rc = dl_error_set(err, DL_ENOMEM, "certificate trust: %s",
				  openssl_reason(reason, sizeof(reason)));
		goto out;
	}
	X509_STORE_CTX_set_time(ctx, 0, now);
	X509_STORE_CTX_set_purpose(ctx, X509_PURPOSE_SSL_SERVER);
	if (X509_verify_cert(ctx) == 1) {
		t->trusted = true;
	} else {
		int e = X509_STORE_CTX_get_error(ctx);
		snprintf(t->error, sizeof(t->error), "%s",
			 e != X509_V_OK ? X509_verify_cert_error_string(e)
					: "verification failed without a reason");
	}
out:
	ERR_clear_error();
	sk_X509_free(untrusted); /* the certificates belong to the caller */
	X509_STORE_CTX_free(ctx);
	X509_STORE_free(store);
	return rc;
}

/* Each served certificate is issued by the one after it (RFC 8446 4.4.2 allows any order
 * after the leaf in TLS 1.3, but RFC 5246 7.4.2 and most clients expect this one). */
static bool chain_in_order(X509 *const *certs, size_t count)
{
	/* an unparseable certificate anywhere: the order cannot be confirmed */
	for (size_t i = 0; i < count; i++)
		if (!certs[i])
			return false;
	for (size_t i = 0; i + 1 < count; i++) {
		if (X509_check_issued(certs[i + 1], certs[i]) != X509_V_OK) {
			ERR_clear_error();
			return false;
		}
	}
	ERR_clear_error();
	return true;
}

int tls_certificate_facts(const unsigned char *const *der, const size_t *der_len, size_t count,
			  const struct tls_certificate_options *o, struct json_object **out,
			  struct dl_error *err)
{
	if (!o || !out || (count > 0 && (!der || !der_len)) ||
	    (o->expected_name_count > 0 && !o->expected_names))
		return dl_error_set(err, DL_EINVAL, "tls_certificate_facts: a NULL argument");
	if (count > TLS_CHAIN_MAX)
		return dl_error_set(
			err, DL_EINVAL,
			"certificate chain: %zu certificates, more than the %d we examine", count,
			TLS_CHAIN_MAX);
	*out = NULL;
	time_t now = o->now ? o->now : time(NULL);
	X509 *certs[TLS_CHAIN_MAX] = {NULL};
	char why[TLS_CHAIN_MAX][320];
	for (size_t i = 0; i < count; i++)
		certs[i] = decode(der[i], der_len[i], why[i], sizeof(why[i]));

	struct chain_trust trust;
	struct json_object *result = NULL;
	struct json_object *chain = NULL;
	int rc = trust_verify(certs, count, o, now, &trust, err);
	if (rc < 0)
		goto out;
	rc = DL_ENOMEM;
	result = json_object_new_object();
	chain = json_object_new_array();
	if (!result || !chain)
		goto nomem;
	for (size_t i = 0; i < count; i++) {
		struct json_object *f = NULL;
		int r = certs[i] ? cert_facts(certs[i], der[i], der_len[i], i == 0, !trust.trusted,
					      o, now, &f)
				 : unparseable_facts(der[i], der_len[i], why[i], &f);
		if (r < 0)
			goto nomem;
		if (json_object_array_add(chain, f) != 0) {
			json_object_put(f);
			goto nomem;
		}
	}
	if (add(result, "chain", chain) < 0)
		goto nomem;
	chain = NULL;
	if (add(result, "trusted", json_object_new_boolean(trust.trusted)) < 0 ||
	    add_string(result, "verify_error", trust.trusted ? NULL : trust.error) < 0 ||
	    add_string(result, "trust_store", o->ca_bundle ? o->ca_bundle : "system") < 0 ||
	    add(result, "chain_order_ok", json_object_new_boolean(chain_in_order(certs, count))) <
		    0)
		goto nomem;
	*out = result;
	result = NULL;
	rc = 0;
	goto out;
nomem:
	rc = dl_error_set(err, DL_ENOMEM, "certificate facts: out of memory");
out:
	json_object_put(chain);
	json_object_put(result);
	for (size_t i = 0; i < count; i++)
		X509_free(certs[i]);
	return rc;
}

int tls_certificate_fingerprints(const unsigned char *der, size_t len, char cert_sha256[65],
				 char spki_sha256[65], struct dl_error *err)
{
	char why[320];
	if (!cert_sha256 || !spki_sha256)
		return dl_error_set(err, DL_EINVAL,
				    "tls_certificate_fingerprints: a NULL argument");
	X509 *x = decode(der, len, why, sizeof(why));
	if (!x)
		return dl_error_set(err, DL_EINVAL, "certificate fingerprint: %s", why);
	unsigned char *pub = NULL;
	int n = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(x), &pub);
	int rc = 0;
	if (n <= 0) {
		char reason[256];
		rc = dl_error_set(err, DL_EINVAL, "certificate fingerprint: no public key: %s",
				  openssl_reason(reason, sizeof(reason)));
	} else if (sha256_hex(der, len, cert_sha256) < 0 ||
		   sha256_hex(pub, (size_t)n, spki_sha256) < 0) {
		rc = dl_error_set(err, DL_ENOMEM, "certificate fingerprint: SHA-256 failed");
	}
	OPENSSL_free(pub);
	X509_free(x);
	return rc;
}

/* ---- fetching a chain with OpenSSL's client ---- */

void tls_chain_release(struct tls_chain *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->count && i < TLS_CHAIN_MAX; i++)
		OPENSSL_free(c->der[i]);
	memset(c, 0, sizeof(*c));
}

/* Send what OpenSSL wrote into its outgoing memory BIO. MSG_NOSIGNAL (through
 * sock_send_all) is why the SSL object has no socket BIO: a peer that closes
 * must not raise SIGPIPE in us. */
static int flush_out(BIO *wbio, int fd, int64_t deadline_ns, struct dl_error *err)
{
	char buf[4096];
	int n;
	while ((n = BIO_read(wbio, buf, sizeof(buf))) > 0) {
		int rc = sock_send_all(fd, buf, (size_t)n, deadline_ns, err);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* Wait for bytes and hand them to OpenSSL. 0, or 1 when the peer closed, DL_ETIMEDOUT, DL_EIO. */
static int feed_in(BIO *rbio, int fd, int64_t deadline_ns, size_t *received, struct dl_error *err)
{
	unsigned char buf[16384];
	for (;;) {
		int wait_ms = sock_remaining_ms(deadline_ns, 1000);
		if (wait_ms == 0 && *received == 0)
			return dl_error_set(err, DL_ETIMEDOUT, "no reply before the deadline");
		if (wait_ms == 0)
			return dl_error_set(err, DL_ETIMEDOUT,
					    "the TLS handshake was not done by the deadline "
					    "(%zu bytes received)",
					    *received);
		struct pollfd pfd = {.fd = fd, .events = POLLIN};
		int p = poll(&pfd, 1, wait_ms);
		if (p < 0 && errno == EINTR)
			continue;
		if (p < 0)
			return dl_error_set(err, DL_EIO, "poll: %s", strerror(errno));
		if (p == 0)
			continue;
		ssize_t r = recv(fd, buf, sizeof(buf), 0);
		if (r == 0)
			return 1;
		if (r < 0) {
			if (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK)
				continue;
			if (errno == ECONNRESET)
				return 1;
			return dl_error_set(err, DL_EIO, "recv: %s", strerror(errno));
		}
		*received += (size_t)r;
		if (BIO_write(rbio, buf, (int)r) != (int)r)
			return dl_error_set(err, DL_ENOMEM, "TLS client: out of memory");
		return 0;
	}
}

static int chain_store(SSL *ssl, struct tls_chain *out, struct dl_error *err)
{
	/* on the client side the peer chain includes the leaf */
	STACK_OF(X509) *sk = SSL_get_peer_cert_chain(ssl);
	X509 *leaf = SSL_get0_peer_certificate(ssl);
	int n = sk ? sk_X509_num(sk) : 0;
	if (n <= 0 && !leaf)
		return 0;
	for (int i = 0; i < (n > 0 ? n : 1) && out->count < TLS_CHAIN_MAX; i++) {
		X509 *x = n > 0 ? sk_X509_value(sk, i) : leaf;
		unsigned char *der = NULL;
		int len = i2d_X509(x, &der);
		if (len <= 0)
			return dl_error_set(err, DL_ENOMEM,
					    "TLS client: cannot encode certificate %d", i);
		out->der[out->count] = der;
		out->der_len[out->count] = (size_t)len;
		out->count++;
	}
	snprintf(out->version, sizeof(out->version), "%s", SSL_get_version(ssl));
	const SSL_CIPHER *c = SSL_get_current_cipher(ssl);
	snprintf(out->cipher, sizeof(out->cipher), "%s", c ? SSL_CIPHER_get_name(c) : "");
	return 0;
}

static SSL_CTX *client_context(struct dl_error *err)
{
	char reason[256];
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
	if (!ctx) {
		dl_error_set(err, DL_ENOMEM, "TLS client: %s",
			     openssl_reason(reason, sizeof(reason)));
		return NULL;
	}
	/* see what old or misconfigured servers serve: every version and suite this
	 * OpenSSL has, no security level, no verification (we judge, not refuse) */
	SSL_CTX_set_security_level(ctx, 0);
	SSL_CTX_set_min_proto_version(ctx, 0);
	SSL_CTX_set_max_proto_version(ctx, 0);
	SSL_CTX_set_options(ctx, SSL_OP_LEGACY_SERVER_CONNECT | SSL_OP_IGNORE_UNEXPECTED_EOF);
	SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
	if (SSL_CTX_set_cipher_list(ctx, "ALL:COMPLEMENTOFALL:@SECLEVEL=0") != 1) {
		dl_error_set(err, DL_EIO, "TLS client: cipher list: %s",
			     openssl_reason(reason, sizeof(reason)));
		SSL_CTX_free(ctx);
		return NULL;
	}
	return ctx;
}

/* The handshake over fd with memory BIOs, until done, failed or the deadline. */
static int handshake(SSL *ssl, BIO *rbio, BIO *wbio, int fd, int64_t deadline_ns,
		     struct dl_error *err)
{
	/* each turn either sends, or waits for bytes; a bound on turns keeps a
	 * server that trickles one byte at a time from holding us beyond the deadline */
	size_t received = 0;
	for (unsigned turn = 0; turn < 100000; turn++) {
		ERR_clear_error();
		int r = SSL_do_handshake(ssl);
		int rc = flush_out(wbio, fd, deadline_ns, err);
		if (rc < 0)
			return rc;
		if (r == 1)
			return 0;
		int e = SSL_get_error(ssl, r);
		if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE) {
			char reason[256];
			return dl_error_set(err, DL_EPROTO, "TLS handshake failed: %s",
					    openssl_reason(reason, sizeof(reason)));
		}
		if (e == SSL_ERROR_WANT_READ) {
			rc = feed_in(rbio, fd, deadline_ns, &received, err);
			if (rc < 0)
				return rc;
			if (rc == 1) {
				BIO_set_mem_eof_return(rbio, 0);
				ERR_clear_error();
				if (SSL_do_handshake(ssl) == 1)
					return 0;
				ERR_clear_error();
				return dl_error_set(err, DL_EPROTO,
						    "the server closed the connection during "
						    "the TLS handshake");
			}
		}
		if (sock_remaining_ms(deadline_ns, 1) == 0)
			return dl_error_set(err, DL_ETIMEDOUT,
					    "handshake not done by the deadline");
	}
	return dl_error_set(err, DL_EPROTO, "the TLS handshake did not end after 100000 turns");
}

int tls_chain_fetch(const struct scope *scope, const char *interface, const char *address,
		    uint16_t port, const char *server_name, int64_t deadline_ns,
		    struct tls_chain *out, struct dl_error *err)
{
	if (!scope || !address || !out)
		return dl_error_set(err, DL_EINVAL, "tls_chain_fetch: a NULL argument");
	memset(out, 0, sizeof(*out));
	struct sock_address dest;
	int rc = sock_address_parse(address, port, &dest, err);
	if (rc < 0)
		return rc;
	int fd = -1;
	rc = sock_tcp_connect(scope, &dest, interface, deadline_ns, &fd, err);
	if (rc < 0)
		return dl_error_prefix(err, "%s port %u", address, port);

	SSL_CTX *ctx = client_context(err);
	SSL *ssl = NULL;
	BIO *rbio = NULL, *wbio = NULL;
	if (!ctx) {
		rc = err ? err->code : DL_ENOMEM;
		goto out;
	}
	ssl = SSL_new(ctx);
	rbio = BIO_new(BIO_s_mem());
	wbio = BIO_new(BIO_s_mem());
	if (!ssl || !rbio || !wbio) {
		rc = dl_error_set(err, DL_ENOMEM, "TLS client: out of memory");
		BIO_free(rbio);
		BIO_free(wbio);
		goto out;
	}
	/* an empty read BIO means "wait for more", not end of stream */
	BIO_set_mem_eof_return(rbio, -1);
	SSL_set_bio(ssl, rbio, wbio); /* ssl owns both now */
	SSL_set_connect_state(ssl);
	if (server_name && *server_name && !is_ip_address(server_name) &&
	    SSL_set_tlsext_host_name(ssl, server_name) != 1) {
		rc = dl_error_set(err, DL_EINVAL, "TLS client: server name '%s' refused by OpenSSL",
				  server_name);
		goto out;
	}
	rc = handshake(ssl, rbio, wbio, fd, deadline_ns, err);
	/* a server may end the handshake after its certificate (it wants a client
	 * certificate, or dislikes our Finished): the chain is still what we came for */
	int stored = chain_store(ssl, out, err);
	if (stored < 0) {
		tls_chain_release(out);
		rc = stored;
	} else if (out->count > 0) {
		rc = 0;
	} else if (rc == 0) {
		rc = dl_error_set(err, DL_EPROTO,
				  "the handshake completed without a server certificate "
				  "(an anonymous or PSK suite)");
	}
	if (rc < 0)
		dl_error_prefix(err, "%s port %u", address, port);
out:
	ERR_clear_error();
	SSL_free(ssl);
	SSL_CTX_free(ctx);
	sock_close_reset(fd);
	return rc;
}
