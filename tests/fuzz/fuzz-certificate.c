/* fuzz-certificate: libFuzzer target for tls_certificate_facts, a served chain of 1-3 DER
 * certificates */
#include "core/compat.h"

#include <json-c/json.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <unistd.h>

#include "checks/tls/tls-certificate.h"
#include "core/error.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * Input: one byte whose value mod 3 plus 1 is the certificate count n, then
 * n-1 certificates each as a 16-bit big-endian length and that many bytes
 * (cut at the end of the input), and the rest of the input as the last one.
 * The corpus seeds are real chains in this form (corpus/certificate/).
 */

static const char *const names[] = {"cam.example", "198.18.1.2", "fd00:198:0:1::2"};

/* A one-certificate CA bundle made at start: the system store would cost a
 * parse of ~140 certificates per input. */
static char bundle[] = "/tmp/dutlab-fuzz-certificate-ca.XXXXXX";

static void bundle_remove(void)
{
	unlink(bundle);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	int fd = mkstemp(bundle);
	EVP_PKEY *key = EVP_EC_gen("P-256");
	X509 *ca = X509_new();
	if (fd < 0 || !key || !ca)
		abort();
	X509_NAME *name = X509_get_subject_name(ca);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)"Fuzz CA", -1,
				   -1, 0);
	X509_set_issuer_name(ca, name);
	X509_gmtime_adj(X509_getm_notBefore(ca), 0);
	X509_gmtime_adj(X509_getm_notAfter(ca), 86400);
	X509_set_pubkey(ca, key);
	FILE *f = fdopen(fd, "w");
	if (!f || X509_sign(ca, key, EVP_sha256()) <= 0 || PEM_write_X509(f, ca) != 1)
		abort();
	fclose(f);
	atexit(bundle_remove);
	X509_free(ca);
	EVP_PKEY_free(key);
	return 0;
}

static const char *string_of(struct json_object *o, const char *key)
{
	struct json_object *v = NULL;
	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	size_t n = (size_t)(data[0] % 3) + 1;
	const unsigned char *der[3];
	size_t len[3];
	size_t at = 1;
	for (size_t i = 0; i < n; i++) {
		size_t take = size - at;
		if (i + 1 < n) {
			size_t want = 0;
			if (size - at >= 2) {
				want = ((size_t)data[at] << 8) | data[at + 1];
				at += 2;
			} else {
				at = size;
			}
			take = want < size - at ? want : size - at;
		}
		der[i] = data + at;
		len[i] = take;
		at += take;
	}

	struct tls_certificate_options o = {.ca_bundle = bundle,
					    .expected_names = names,
					    .expected_name_count = DL_ARRAY_SIZE(names),
					    .now = (time_t)1795629600};
	struct json_object *out = NULL;
	struct dl_error err;
	/* count <= 3 and a readable bundle: nothing here may fail but memory */
	if (tls_certificate_facts(der, len, n, &o, &out, &err) != 0 || !out)
		abort();
	struct json_object *chain = NULL;
	if (!json_object_object_get_ex(out, "chain", &chain) ||
	    json_object_array_length(chain) != n)
		abort();
	/* the facts are printable JSON, ASCII only whatever the certificate holds */
	const char *text = json_object_to_json_string_ext(out, JSON_C_TO_STRING_PLAIN);
	for (const char *c = text; *c; c++)
		if ((unsigned char)*c >= 0x80)
			abort();
	struct json_object *again = json_tokener_parse(text);
	if (!again)
		abort();
	json_object_put(again);
	/* a certificate the facts decoded has the same fingerprints from the other entry point */
	for (size_t i = 0; i < n; i++) {
		struct json_object *f = json_object_array_get_idx(chain, i);
		char cert[65], spki[65];
		int rc = tls_certificate_fingerprints(der[i], len[i], cert, spki, &err);
		const char *sha = string_of(f, "sha256");
		if (!sha)
			abort();
		if (string_of(f, "parse_error")) {
			if (rc == 0)
				abort();
			continue;
		}
		const char *pin = string_of(f, "spki_sha256");
		if (rc == 0 && (strcmp(sha, cert) != 0 || !pin || strcmp(pin, spki) != 0))
			abort();
	}
	json_object_put(out);
	if (ERR_peek_error() != 0)
		abort(); /* the error queue is left clean for the next caller */
	return 0;
}
