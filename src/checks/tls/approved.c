/* approved: every algorithm the DUT offers on TLS and SSH is NIST SP 800-140C approved (IoT
 * 5.3.1.1) */
#include "core/compat.h"

#include <json-c/json.h>

#include "checks/check.h"
#include "checks/tls/channels.h"
#include "checks/tls/endpoint.h"
#include "core/error.h"
#include "core/json-read.h"

/*
 * IoT-1006-1 5.3.1.1: the cryptographic algorithms the product uses are
 * those NIST SP 800-140C r1 approves, or equal or stronger. Decision
 * (inventory #19): TLS 1.0/1.1 fail, their PRF and handshake hashes rest on
 * MD5/SHA-1 constructions 800-140C r1 does not approve. Decision (#20):
 * the policy table is pinned to 800-140C r1 — ChaCha20-Poly1305 and
 * X25519/Ed25519 key agreement outside it fail (tls-suites.c and
 * ssh-algorithms.c carry the column and say why for each family).
 *
 * What an offer means: every suite a server accepts is one a client can
 * get, so each one counts, not only the preferred one. Certificates count
 * too: a SHA-1 signature or a short key is an unapproved algorithm in use.
 * SNMPv3 and Wi-Fi channels are outside this check (no collector yet): the
 * finding says so, so the verdict is read as "TLS and SSH".
 */

static const char *const ssh_kinds[] = {"kex",
					"host_key",
					"cipher",
					"mac",
					"cipher_client_to_server",
					"cipher_server_to_client",
					"mac_client_to_server",
					"mac_server_to_client"};

/*
 * Key-agreement groups: SP 800-56A r3 (through SP 800-140D) approves ECDH on
 * the NIST P-curves and the RFC 7919 FFDHE groups of 2048 bits or more;
 * X25519/X448, brainpool and the legacy binary curves are not approved. A
 * hybrid with ML-KEM (FIPS 203) counts by its approved part, as SP 800-56C r2
 * allows (the same rule as ssh-algorithms.c's mlkem768x25519-sha256).
 */
static bool group_approved(const char *name)
{
	static const char *const approved[] = {"secp256r1", "secp384r1", "secp521r1", "ffdhe2048",
					       "ffdhe3072", "ffdhe4096", "ffdhe6144", "ffdhe8192"};
	for (size_t i = 0; i < DL_ARRAY_SIZE(approved); i++)
		if (strcmp(name, approved[i]) == 0)
			return true;
	return strstr(name, "MLKEM") != NULL || strstr(name, "mlkem") != NULL;
}

static int judge_tls(const struct json_object *endpoint, size_t *failures,
		     struct check_verdict *out)
{
	char label[128];
	endpoint_label(endpoint, label, sizeof(label));
	const char *evidence = json_read_text(endpoint, "evidence", NULL);
	struct endpoint_names versions = {.count = 0}, suites = {.count = 0}, certs = {.count = 0},
			      groups = {.count = 0};
	struct json_object *list = json_read_array(endpoint, "versions");
	for (size_t i = 0; list && i < json_object_array_length(list); i++) {
		struct json_object *v = json_object_array_get_idx(list, i);
		const char *name = json_read_text(v, "name", "?");
		if (json_read_true(v, "offered") && endpoint_version_rank(name) < 4)
			endpoint_names_add(&versions, name);
	}
	list = json_read_array(endpoint, "suites");
	for (size_t i = 0; list && i < json_object_array_length(list); i++) {
		struct json_object *s = json_object_array_get_idx(list, i);
		if (strcmp(json_read_text(s, "approved", ""), "yes") != 0)
			endpoint_names_add(&suites, json_read_text(s, "name", "?"));
	}
	list = json_read_array(endpoint, "groups");
	for (size_t i = 0; list && i < json_object_array_length(list); i++) {
		const char *name = json_read_text(json_object_array_get_idx(list, i), "name", "?");
		if (!group_approved(name))
			endpoint_names_add(&groups, name);
	}
	int64_t dh_bits = json_read_int(endpoint, "dh_bits", 0);
	if (dh_bits > 0 && dh_bits < 2048) {
		char item[64];
		snprintf(item, sizeof(item), "DHE with a %" PRId64 "-bit group", dh_bits);
		endpoint_names_add(&groups, item);
	}
	struct json_object *chain =
		json_read_array(json_read_member(endpoint, "certificates"), "chain");
	for (size_t i = 0; chain && i < json_object_array_length(chain); i++) {
		struct json_object *c = json_object_array_get_idx(chain, i);
		char item[200];
		if (json_read_true(c, "weak_signature")) {
			snprintf(item, sizeof(item), "certificate %zu signed with %s", i,
				 json_read_text(c, "signature_algorithm", "?"));
			endpoint_names_add(&certs, item);
		}
		int64_t bits = json_read_int(c, "key_bits", -1);
		const char *type = json_read_text(c, "key_type", "");
		if ((strcmp(type, "RSA") == 0 && bits < 2048) ||
		    (strcmp(type, "EC") == 0 && bits < 224)) {
			snprintf(item, sizeof(item), "certificate %zu key %s-%" PRId64, i, type,
				 bits);
			endpoint_names_add(&certs, item);
		}
	}
	int rc = 0;
	if (versions.count) {
		(*failures)++;
		rc = check_verdict_add(out, FINDING_FAIL, evidence,
				       "%s accepts %s (handshake built on MD5/SHA-1, not approved)",
				       label, versions.text);
	}
	if (!rc && suites.count) {
		(*failures)++;
		rc = check_verdict_add(out, FINDING_FAIL, evidence,
				       "%s accepts %zu suite%s outside SP 800-140C r1: %s", label,
				       suites.count, suites.count == 1 ? "" : "s", suites.text);
	}
	if (!rc && groups.count) {
		(*failures)++;
		rc = check_verdict_add(out, FINDING_FAIL, evidence,
				       "%s accepts key agreement outside SP 800-56A r3: %s", label,
				       groups.text);
	}
	if (!rc && certs.count) {
		(*failures)++;
		rc = check_verdict_add(out, FINDING_FAIL, evidence,
				       "%s presents unapproved certificate algorithms: %s", label,
				       certs.text);
	}
	if (!rc && !versions.count && !suites.count && !groups.count && !certs.count)
		rc = check_verdict_add(
			out, FINDING_PASS, evidence,
			"%s: every version, suite, key-agreement group and certificate "
			"algorithm offered is approved",
			label);
	return rc;
}

static int judge_ssh(const struct json_object *endpoint, size_t *failures,
		     struct check_verdict *out)
{
	char label[128];
	endpoint_label(endpoint, label, sizeof(label));
	const char *evidence = json_read_text(endpoint, "evidence", NULL);
	struct json_object *algorithms = json_read_member(endpoint, "algorithms");
	struct endpoint_names bad = {.count = 0};
	for (size_t k = 0; k < DL_ARRAY_SIZE(ssh_kinds); k++) {
		struct json_object *list = json_read_array(algorithms, ssh_kinds[k]);
		for (size_t i = 0; list && i < json_object_array_length(list); i++) {
			struct json_object *a = json_object_array_get_idx(list, i);
			if (json_read_true(a, "extension"))
				continue;
			if (!json_read_true(a, "approved"))
				endpoint_names_add(&bad, json_read_text(a, "name", "?"));
		}
	}
	if (bad.count) {
		(*failures)++;
		return check_verdict_add(
			out, FINDING_FAIL, evidence,
			"%s (SSH) offers %zu algorithm%s outside SP 800-140C r1: %s", label,
			bad.count, bad.count == 1 ? "" : "s", bad.text);
	}
	return check_verdict_add(out, FINDING_PASS, evidence,
				 "%s (SSH): every algorithm offered is approved", label);
}

static int judge(const struct json_object *observation, const struct check_params *params,
		 const struct profile *profile, struct check_verdict *out, struct dl_error *err)
{
	(void)params;
	(void)profile;
	bool decided;
	int rc = endpoint_judge_begin(observation, out, &decided, err);
	if (rc || decided)
		return rc;
	struct json_object *tls = json_read_array(observation, "tls");
	struct json_object *ssh = json_read_array(observation, "ssh");
	size_t failures = 0, unfinished = 0, audited = 0;
	for (size_t i = 0; !rc && i < json_object_array_length(tls); i++) {
		struct json_object *e = json_object_array_get_idx(tls, i);
		if (!json_read_true(e, "speaks_tls") || !json_read_true(e, "complete"))
			unfinished++;
		if (json_read_true(e, "speaks_tls")) {
			audited++;
			rc = judge_tls(e, &failures, out);
		}
	}
	for (size_t i = 0; !rc && i < json_object_array_length(ssh); i++) {
		struct json_object *e = json_object_array_get_idx(ssh, i);
		if (!json_read_true(e, "speaks_ssh")) {
			unfinished++;
			continue;
		}
		audited++;
		rc = judge_ssh(e, &failures, out);
	}
	if (!rc)
		rc = check_verdict_add(out, FINDING_INFO, NULL,
				       "scope of this verdict: the TLS and SSH services found; "
				       "SNMPv3, Wi-Fi and firmware crypto configuration are not "
				       "observed here");
	if (rc)
		return rc;
	if (failures)
		return check_verdict_set(
			out, VERDICT_FAIL,
			"%zu service%s offer%s algorithms outside NIST SP 800-140C "
			"r1",
			failures, failures == 1 ? "" : "s", failures == 1 ? "s" : "");
	if (unfinished || audited == 0)
		return check_verdict_set(out, VERDICT_INCONCLUSIVE, "%s",
					 audited == 0
						 ? "discovery found no TLS or SSH service"
						 : "some services could not be audited to the end");
	return check_verdict_set(out, VERDICT_PASS,
				 "every algorithm offered on %zu TLS/SSH service%s is approved",
				 audited, audited == 1 ? "" : "s");
}

const struct check check_crypto_approved_only = {
	.id = "crypto.approved-only",
	.summary = "every TLS version, suite, certificate algorithm and SSH algorithm offered is "
		   "NIST SP 800-140C r1 approved",
	.collector = &collector_tls_channels,
	.params = NULL,
	.judge = judge,
};
