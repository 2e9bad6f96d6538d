/* aes256: every TLS service completes a handshake with an AES-256 suite (TS 5.3.1.3, 5.5.2.3) */
#include "core/compat.h"

#include <json-c/json.h>

#include "checks/check.h"
#include "checks/tls/channels.h"
#include "checks/tls/endpoint.h"
#include "core/error.h"
#include "core/json-read.h"

/*
 * TS-0014-1 5.3.1.3 / 5.5.2.3: the secure channel "supports AES-256 or an
 * algorithm of equal or greater strength". Decision (inventory #21):
 * "supports" means a handshake offering only AES-256 suites completes —
 * the audit has already offered every suite, so a service passes when it
 * accepted an AES-256 suite in TLS 1.2 or later (TLS_AES_256_GCM_SHA384,
 * ECDHE-*-AES256-GCM-SHA384, ...). Decision (inventory #20): "AES-256 or
 * equivalent" for TS; ChaCha20-Poly1305 has a 256-bit key, so with
 * equivalent=yes it counts, with equivalent=no (the default, the
 * inventory's method: "offer only AES-256 suites") only AES does.
 */

static const char *const param_names[] = {"equivalent", NULL};

static bool counts(const struct json_object *suite, bool equivalent)
{
	if (endpoint_version_rank(json_read_text(suite, "version", "")) < 4)
		return false; /* annex A: only TLS 1.2 and later are secure channels */
	if (json_read_int(suite, "bits", -1) < 256)
		return false;
	const char *cipher = json_read_text(suite, "cipher", "");
	return strcmp(cipher, "AES") == 0 || (equivalent && strcmp(cipher, "CHACHA20") == 0);
}

static int judge(const struct json_object *observation, const struct check_params *params,
		 const struct profile *profile, struct check_verdict *out, struct dl_error *err)
{
	(void)profile;
	const char *equivalent_text = check_param_get(params, "equivalent", "no");
	if (strcmp(equivalent_text, "yes") != 0 && strcmp(equivalent_text, "no") != 0)
		return dl_error_set(err, DL_EINVAL, "equivalent '%s': expected yes or no",
				    equivalent_text);
	bool equivalent = strcmp(equivalent_text, "yes") == 0;
	bool decided;
	int rc = endpoint_judge_begin(observation, out, &decided, err);
	if (rc || decided)
		return rc;
	struct json_object *tls = json_read_array(observation, "tls");
	size_t passed = 0, failed = 0, unfinished = 0;
	for (size_t i = 0; !rc && i < json_object_array_length(tls); i++) {
		struct json_object *endpoint = json_object_array_get_idx(tls, i);
		char label[128];
		endpoint_label(endpoint, label, sizeof(label));
		const char *evidence = json_read_text(endpoint, "evidence", NULL);
		if (!json_read_true(endpoint, "speaks_tls")) {
			unfinished++;
			rc = check_verdict_add(out, FINDING_WARNING, evidence,
					       "%s: no TLS handshake completed (%s)", label,
					       json_read_text(endpoint, "incomplete", "no reason"));
			continue;
		}
		struct endpoint_names strong = {.count = 0}, best = {.count = 0};
		struct json_object *suites = json_read_array(endpoint, "suites");
		int64_t best_bits = 0;
		for (size_t k = 0; suites && k < json_object_array_length(suites); k++) {
			struct json_object *s = json_object_array_get_idx(suites, k);
			if (counts(s, equivalent))
				endpoint_names_add(&strong, json_read_text(s, "name", "?"));
			else if (endpoint_version_rank(json_read_text(s, "version", "")) >= 4 &&
				 json_read_int(s, "bits", -1) >= best_bits) {
				if (json_read_int(s, "bits", -1) > best_bits)
					best = (struct endpoint_names){.count = 0};
				best_bits = json_read_int(s, "bits", -1);
				endpoint_names_add(&best, json_read_text(s, "name", "?"));
			}
		}
		if (strong.count) {
			passed++;
			rc = check_verdict_add(out, FINDING_PASS, evidence,
					       "%s completes a handshake with %s", label,
					       strong.text);
		} else if (!json_read_true(endpoint, "complete")) {
			unfinished++;
			rc = check_verdict_add(
				out, FINDING_WARNING, evidence,
				"%s: no AES-256 suite found before the audit stopped (%s)", label,
				json_read_text(endpoint, "incomplete", "no reason"));
		} else {
			failed++;
			rc = check_verdict_add(out, FINDING_FAIL, evidence,
					       "%s accepts no %s suite in TLS 1.2 or later; its "
					       "strongest: %s",
					       label,
					       equivalent ? "AES-256 or ChaCha20" : "AES-256",
					       best.count ? best.text : "none in TLS 1.2 or later");
		}
	}
	if (rc)
		return rc;
	if (failed)
		return check_verdict_set(
			out, VERDICT_FAIL, "%zu of %zu TLS service%s accept%s no AES-256 suite",
			failed, json_object_array_length(tls),
			json_object_array_length(tls) == 1 ? "" : "s", failed == 1 ? "s" : "");
	if (unfinished || passed == 0)
		return check_verdict_set(
			out, VERDICT_INCONCLUSIVE, "%s",
			passed == 0 && !unfinished
				? "discovery found no TLS service to audit"
				: "some TLS services could not be audited to the end");
	return check_verdict_set(out, VERDICT_PASS,
				 "every TLS service (%zu) completes a handshake with an AES-256 "
				 "suite",
				 passed);
}

const struct check check_tls_aes256 = {
	.id = "tls.aes256",
	.summary = "every TLS service accepts an AES-256 suite in TLS 1.2 or later",
	.collector = &collector_tls_channels,
	.params = param_names,
	.judge = judge,
};
