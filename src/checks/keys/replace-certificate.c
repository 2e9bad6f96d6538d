/* replace-certificate: the keys.replace-certificate collector: install a lab certificate, re-read
 * it
 */
#include "core/compat.h"

#include <json-c/json.h>
#include <openssl/x509.h>

#include "adapters/exec.h"
#include "checks/check.h"
#include "checks/keys/issue.h"
#include "checks/keys/keys-internal.h"
#include "checks/keys/keys.h"
#include "checks/tls/tls-certificate.h"
#include "core/error.h"
#include "core/profile.h"
#include "net/sock.h"

/*
 * TS-0014-1 5.4.1.3: "Install a lab-issued certificate and key through the
 * adapter and reconnect to each TLS service; pass if every service presents
 * the new certificate." The certificate is made fresh for the run, so no
 * earlier run or another unit can have left it in place; the DUT keeps it
 * afterwards (the lab's `lab up` restores a lab DUT).
 */

#define OPERATION "replace_certificate"
#define PROBE_TIMEOUT_NS (5 * 1000000000LL)

/* The key type of the leaf served on the first TLS port now: a DUT that only
 * offers RSA suites could not serve an EC certificate. EC P-256 when it
 * cannot be read. */
static void served_key_type(const struct keys_run *r, enum keys_issue_key *type, unsigned *bits,
			    char *note, size_t note_size)
{
	*type = KEYS_ISSUE_EC_P256;
	*bits = 0;
	snprintf(note, note_size, "EC P-256");
	if (r->ports.tls_count == 0)
		return;
	struct tls_chain chain = {0};
	struct dl_error err = {0};
	int64_t deadline = sock_now_ns() + PROBE_TIMEOUT_NS;
	if (r->ctx->deadline_ns > 0 && r->ctx->deadline_ns < deadline)
		deadline = r->ctx->deadline_ns;
	if (tls_chain_fetch(r->options.scope, r->options.interface, r->address, r->ports.tls[0],
			    NULL, deadline, &chain, &err) == 0 &&
	    chain.count > 0) {
		const unsigned char *p = chain.der[0];
		X509 *x = d2i_X509(NULL, &p, (long)chain.der_len[0]);
		EVP_PKEY *key = x ? X509_get0_pubkey(x) : NULL;
		if (key && EVP_PKEY_get_base_id(key) == EVP_PKEY_RSA) {
			*type = KEYS_ISSUE_RSA;
			*bits = EVP_PKEY_get_bits(key) < 2048 ? 2048u
							      : (unsigned)EVP_PKEY_get_bits(key);
			snprintf(note, note_size, "RSA %u, like the certificate served before",
				 *bits);
		}
		X509_free(x);
	}
	tls_chain_release(&chain);
}

static struct json_object *issued_json(const struct keys_issued *c)
{
	struct json_object *o = json_object_new_object();
	if (!o)
		return NULL;
	json_object_object_add(o, "sha256", json_object_new_string(c->sha256));
	json_object_object_add(o, "spki_sha256", json_object_new_string(c->spki_sha256));
	json_object_object_add(o, "subject", json_object_new_string(c->subject));
	json_object_object_add(o, "certificate",
			       json_object_new_string("evidence/keys/lab-leaf.pem"));
	json_object_object_add(o, "ca", json_object_new_string("evidence/keys/lab-ca.pem"));
	return o;
}

/* Which TLS ports of after serve the issued certificate, and which do not
 * (a port missing from after, unreadable, is among the latter). */
static void compare_ports(const struct keys_ports *ports, struct json_object *after,
			  const char *sha256, struct json_object *serving,
			  struct json_object *not_serving)
{
	struct json_object *tls = json_object_object_get(after, "tls");
	for (size_t i = 0; i < ports->tls_count; i++) {
		bool found = false;
		for (size_t j = 0; j < json_object_array_length(tls) && !found; j++) {
			struct json_object *e = json_object_array_get_idx(tls, j);
			const char *h = json_object_get_string(json_object_object_get(e, "sha256"));
			found = json_object_get_int(json_object_object_get(e, "port")) ==
					ports->tls[i] &&
				h && strcmp(h, sha256) == 0;
		}
		json_object_array_add(found ? serving : not_serving,
				      json_object_new_int(ports->tls[i]));
	}
}

static int collect_replace_certificate(const struct check_context *ctx,
				       struct json_object **observation, struct dl_error *err)
{
	*observation = NULL;
	if (!profile_find_operation(ctx->profile, OPERATION)) {
		*observation =
			keys_undeclared(OPERATION, "a certificate replacement (TS-0014-1 5.4.1.3)");
		return *observation ? 0 : dl_error_set(err, DL_ENOMEM, "keys: out of memory");
	}
	struct keys_run r;
	int rc = keys_run_init(&r, ctx, err);
	if (rc)
		return rc;
	/* Only the TLS ports matter here. */
	r.ports.ssh_count = 0;
	const struct profile *p = ctx->profile;

	struct keys_issued issued;
	enum keys_issue_key key_type;
	unsigned rsa_bits;
	char key_note[96];
	keys_progress(&r, 0, 4, "issuing a lab certificate");
	served_key_type(&r, &key_type, &rsa_bits, key_note, sizeof(key_note));
	rc = keys_issue_lab_certificate(r.evidence_dir, (const char *const *)p->addresses,
					p->address_count, (const char *const *)p->tls_server_names,
					p->tls_server_name_count, key_type, rsa_bits, &issued, err);
	if (rc)
		return rc;

	struct json_object *o = json_object_new_object();
	if (!o)
		return dl_error_set(err, DL_ENOMEM, "keys: out of memory");
	json_object_object_add(o, "operation_declared", json_object_new_boolean(true));
	json_object_object_add(o, "address", json_object_new_string(r.address));
	json_object_object_add(o, "ports", keys_ports_json(&r.ports));
	struct json_object *issued_o = issued_json(&issued);
	if (issued_o)
		json_object_object_add(issued_o, "key", json_object_new_string(key_note));
	json_object_object_add(o, "issued", issued_o);

	struct json_object *before = NULL, *replace = NULL, *after = NULL;
	keys_progress(&r, 1, 4, "key snapshot before the replacement");
	rc = keys_snapshot(&r.options, r.address, &r.ports, &before, err);
	if (rc)
		goto fail;
	json_object_object_add(o, "before", before);

	keys_progress(&r, 2, 4, "replace_certificate");
	struct adapter_exec_vars vars = {.certificate = issued.certificate, .key = issued.key};
	rc = keys_run_operation(&r, OPERATION, &vars, "replace-certificate.log", &replace, err);
	if (rc)
		goto fail;
	json_object_object_add(o, "replace", replace);

	keys_progress(&r, 3, 4, "key snapshot after the replacement");
	rc = keys_snapshot(&r.options, r.address, &r.ports, &after, err);
	if (rc)
		goto fail;
	json_object_object_add(o, "after", after);

	struct json_object *serving = json_object_new_array();
	struct json_object *not_serving = json_object_new_array();
	if (!serving || !not_serving) {
		json_object_put(serving);
		json_object_put(not_serving);
		rc = dl_error_set(err, DL_ENOMEM, "keys: out of memory");
		goto fail;
	}
	compare_ports(&r.ports, after, issued.sha256, serving, not_serving);
	json_object_object_add(o, "ports_serving_issued", serving);
	json_object_object_add(o, "ports_not_serving_issued", not_serving);
	keys_progress(&r, 4, 4, "done");
	*observation = o;
	return 0;
fail:
	json_object_put(o);
	return rc;
}

static const char *const keys_inputs[] = {KEYS_INPUT_SCAN, NULL};

const struct collector collector_keys_replace_certificate = {
	.id = "keys.replace-certificate",
	.summary = "install a lab-issued certificate through the exec adapter and check every TLS "
		   "port serves it",
	.needs = NEED_DUT_ADDRESS,
	.timeout_seconds = 300,
	.expected_seconds = 10,
	.inputs = keys_inputs,
	.changes_dut = true,
	.collect = collect_replace_certificate,
};
