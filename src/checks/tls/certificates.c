/* certificates: the DUT's server certificates follow the RFC 5280 profile and chain to the declared
 * CA (IoT 5.1.1.3) */
#include "core/compat.h"

#include <json-c/json.h>

#include "checks/check.h"
#include "checks/tls/channels.h"
#include "checks/tls/endpoint.h"
#include "core/error.h"
#include "core/json-read.h"
#include "core/profile.h"

/*
 * IoT-1006-1 5.1.1.3: a product that uses PKI follows recognised practice
 * (ISO/IEC, EU and US standards). The inventory's method reads that as the
 * RFC 5280 / CA-Browser-Forum baseline every TLS client applies: RSA of
 * 2048 bits or more or ECC of 256 bits or more, a SHA-256-class signature,
 * valid dates, a leaf that is not a CA and allows serverAuth, a SAN that
 * names the device, and a chain to the CA the vendor declares
 * (tls.ca_bundle). The problem tokens come from tls-certificate.c.
 */

struct problem {
	const char *token;
	const char *says;
};

static const struct problem problems[] = {
	{"expired", "has expired"},
	{"not_yet_valid", "is not valid yet"},
	{"weak_signature", "is signed with MD5 or SHA-1"},
	{"weak_key", "has a key shorter than RSA-2048 / ECC-256"},
	{"no_san", "has no subjectAltName"},
	{"name_mismatch", "does not name the device (its address or declared names)"},
	{"ca_as_leaf", "is a CA certificate used as the server's own"},
	{"missing_server_auth_eku", "has an extendedKeyUsage without serverAuth"},
	{"untrusted", "does not chain to the declared CA"},
};

static bool has_problem(const struct json_object *cert, const char *token)
{
	struct json_object *list = json_read_array(cert, "problems");
	for (size_t i = 0; list && i < json_object_array_length(list); i++) {
		/* A null in a stored list is malformed, not a match, and no crash. */
		const char *item = json_object_get_string(json_object_array_get_idx(list, i));
		if (item && strcmp(item, token) == 0)
			return true;
	}
	return false;
}

static int judge(const struct json_object *observation, const struct check_params *params,
		 const struct profile *profile, struct check_verdict *out, struct dl_error *err)
{
	(void)params;
	bool decided;
	int rc = endpoint_judge_begin(observation, out, &decided, err);
	if (rc || decided)
		return rc;
	bool ca_declared = profile && profile->tls_ca_bundle;
	struct json_object *tls = json_read_array(observation, "tls");
	size_t failed = 0, passed = 0, unknown = 0;
	for (size_t i = 0; !rc && i < json_object_array_length(tls); i++) {
		struct json_object *endpoint = json_object_array_get_idx(tls, i);
		struct json_object *certs = json_read_member(endpoint, "certificates");
		struct json_object *chain = json_read_array(certs, "chain");
		char label[128];
		endpoint_label(endpoint, label, sizeof(label));
		const char *evidence = json_read_text(endpoint, "evidence", NULL);
		if (!chain || json_object_array_length(chain) == 0) {
			unknown++;
			rc = check_verdict_add(out, FINDING_WARNING, evidence,
					       "%s: no certificate was read (%s)", label,
					       json_read_text(endpoint, "incomplete",
							      "the server presented none"));
			continue;
		}
		struct json_object *leaf = json_object_array_get_idx(chain, 0);
		struct endpoint_names says = {.count = 0};
		bool untrusted_only_for_want_of_ca = false;
		for (size_t k = 0; k < DL_ARRAY_SIZE(problems); k++) {
			if (!has_problem(leaf, problems[k].token))
				continue;
			if (strcmp(problems[k].token, "untrusted") == 0 && !ca_declared) {
				untrusted_only_for_want_of_ca = true;
				continue;
			}
			endpoint_names_add(&says, problems[k].says);
		}
		/* The intermediates count too: a SHA-1 or short-key CA weakens the chain. */
		for (size_t k = 1; k < json_object_array_length(chain); k++) {
			struct json_object *c = json_object_array_get_idx(chain, k);
			char item[160];
			if (has_problem(c, "weak_signature") || has_problem(c, "weak_key") ||
			    has_problem(c, "expired")) {
				snprintf(item, sizeof(item),
					 "chain certificate %zu (%.80s) is weak or "
					 "expired",
					 k, json_read_text(c, "subject", "?"));
				endpoint_names_add(&says, item);
			}
		}
		const char *subject = json_read_text(leaf, "subject", "?");
		if (says.count) {
			failed++;
			rc = check_verdict_add(out, FINDING_FAIL, evidence,
					       "%s: the certificate '%s' %s (%s %" PRId64 ", %s)",
					       label, subject, says.text,
					       json_read_text(leaf, "key_type", "?"),
					       json_read_int(leaf, "key_bits", -1),
					       json_read_text(leaf, "signature_algorithm", "?"));
		} else if (untrusted_only_for_want_of_ca) {
			unknown++;
			rc = check_verdict_add(
				out, FINDING_WARNING, evidence,
				"%s: the certificate '%s' does not chain to the system CA "
				"store (%s) and the profile declares no tls.ca_bundle to "
				"judge it against",
				label, subject,
				json_read_text(certs, "verify_error", "no reason given"));
		} else {
			passed++;
			rc = check_verdict_add(
				out, FINDING_PASS, evidence,
				"%s: the certificate '%s' (%s %" PRId64 ", %s, valid until %s) "
				"meets the profile and chains to the declared CA",
				label, subject, json_read_text(leaf, "key_type", "?"),
				json_read_int(leaf, "key_bits", -1),
				json_read_text(leaf, "signature_algorithm", "?"),
				json_read_text(leaf, "not_after", "?"));
		}
	}
	if (rc)
		return rc;
	if (failed)
		return check_verdict_set(out, VERDICT_FAIL,
					 "%zu of %zu TLS service%s present%s a certificate outside "
					 "the RFC 5280 baseline",
					 failed, json_object_array_length(tls),
					 json_object_array_length(tls) == 1 ? "" : "s",
					 failed == 1 ? "s" : "");
	if (unknown || passed == 0)
		return check_verdict_set(
			out, VERDICT_INCONCLUSIVE, "%s",
			passed + unknown == 0
				? "discovery found no TLS service with a certificate"
				: "some certificates could not be judged (see findings)");
	return check_verdict_set(out, VERDICT_PASS,
				 "every TLS service's certificate (%zu) follows the baseline and "
				 "chains to the declared CA",
				 passed);
}

const struct check check_tls_certificates = {
	.id = "tls.certificates",
	.summary = "every TLS service's certificate: key size, signature, dates, SAN, usage and a "
		   "chain to the declared CA",
	.collector = &collector_tls_channels,
	.params = NULL,
	.judge = judge,
};
