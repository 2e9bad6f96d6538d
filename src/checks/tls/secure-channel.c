/* secure-channel: data goes only over TLS 1.2+ (or SSH) with forward secrecy and strong ciphers,
 * nothing sensitive in clear (TS 5.3.1.1, 5.5.2.1, NCC 5.3.3.1) */
#include "core/compat.h"

#include <json-c/json.h>

#include "checks/check.h"
#include "checks/tls/channels.h"
#include "checks/tls/endpoint.h"
#include "core/error.h"
#include "core/json-read.h"

/*
 * TS-0014-1 5.3.1.1: sensitive data travels by default over a secure
 * channel whose version meets annex A (TLS 1.2 or later; SSL and TLS 1.0
 * are named as untrusted, 1.1 shares their downgrade) and whose key
 * exchange supports forward secrecy. Decision (inventory #21): "supports"
 * is judged as the inventory's method says, every key exchange (EC)DHE or
 * TLS 1.3 — a static-RSA suite the server still accepts is a fail, because
 * a client that offers it gets no forward secrecy.
 *
 * TS-0014-1 5.5.2.1: privacy data (video, audio, user data) travels by
 * default over a secure channel whose version meets annex A and whose key
 * exchange supports forward secrecy. The same rule for the TLS and SSH
 * services; in clear, what fails is a channel that carries video or
 * credentials (a user's data) — what channels-plaintext records: a plain
 * RTSP stream, a login or a stream behind plain HTTP.
 *
 * NCC 5.3.3.1: remote access only over TLS 1.2 or later with AES-128 or an
 * equivalent cipher, and no cleartext management service.
 *
 * Parameters (from the catalog):
 *   min_version      TLSv1.2 (default) — every version below it must be refused
 *   forward_secrecy  every (default) | no
 *   min_strength     none (default) | 128 | 256 — every accepted suite and
 *                    SSH cipher at least this class (tls-suites.c, ssh-algorithms.c)
 *   plaintext        credentials (default) | management | privacy — which
 *                    channels in clear fail: those carrying credentials; those
 *                    carrying credentials or management; those carrying
 *                    credentials or video
 */

static const char *const param_names[] = {"min_version", "forward_secrecy", "min_strength",
					  "plaintext", NULL};

struct rule {
	int min_version;
	bool forward_secrecy;
	int min_strength;           /* 0, 128 or 256 */
	const char *plaintext_also; /* "management", "video" or NULL: fails besides credentials */
};

static int strength_rank(const char *strength)
{
	if (strcmp(strength, "256") == 0)
		return 256;
	if (strcmp(strength, "128") == 0)
		return 128;
	return 0; /* none, export, weak, n/a */
}

static int read_rule(const struct check_params *p, struct rule *r, struct dl_error *err)
{
	const char *version = check_param_get(p, "min_version", "TLSv1.2");
	const char *fs = check_param_get(p, "forward_secrecy", "every");
	const char *strength = check_param_get(p, "min_strength", "none");
	const char *plaintext = check_param_get(p, "plaintext", "credentials");
	r->min_version = endpoint_version_rank(version);
	if (r->min_version < 0)
		return dl_error_set(err, DL_EINVAL, "min_version '%s': expected TLSv1.0 to TLSv1.3",
				    version);
	if (strcmp(fs, "every") != 0 && strcmp(fs, "no") != 0)
		return dl_error_set(err, DL_EINVAL, "forward_secrecy '%s': expected every or no",
				    fs);
	r->forward_secrecy = strcmp(fs, "every") == 0;
	if (strcmp(strength, "none") == 0)
		r->min_strength = 0;
	else if (strcmp(strength, "128") == 0 || strcmp(strength, "256") == 0)
		r->min_strength = strength_rank(strength);
	else
		return dl_error_set(err, DL_EINVAL, "min_strength '%s': expected none, 128 or 256",
				    strength);
	if (strcmp(plaintext, "credentials") == 0)
		r->plaintext_also = NULL;
	else if (strcmp(plaintext, "management") == 0)
		r->plaintext_also = "management";
	else if (strcmp(plaintext, "privacy") == 0)
		r->plaintext_also = "video";
	else
		return dl_error_set(err, DL_EINVAL,
				    "plaintext '%s': expected credentials, management or privacy",
				    plaintext);
	return 0;
}

struct tally {
	size_t failures, audited, unfinished;
};

static int judge_tls(const struct json_object *endpoint, const struct rule *r, struct tally *t,
		     struct check_verdict *out)
{
	char label[128];
	endpoint_label(endpoint, label, sizeof(label));
	const char *evidence = json_read_text(endpoint, "evidence", NULL);
	if (!json_read_true(endpoint, "speaks_tls")) {
		t->unfinished++;
		return check_verdict_add(out, FINDING_WARNING, evidence,
					 "%s: discovery saw TLS, but the audit completed no "
					 "handshake (%s)",
					 label,
					 json_read_text(endpoint, "incomplete", "no reason given"));
	}
	bool complete = json_read_true(endpoint, "complete");
	int rc = 0;
	size_t before = t->failures;
	struct endpoint_names low = {.count = 0}, good = {.count = 0};
	struct json_object *versions = json_read_array(endpoint, "versions");
	for (size_t i = 0; versions && i < json_object_array_length(versions); i++) {
		struct json_object *v = json_object_array_get_idx(versions, i);
		if (!json_read_true(v, "offered"))
			continue;
		const char *name = json_read_text(v, "name", "?");
		endpoint_names_add(endpoint_version_rank(name) < r->min_version ? &low : &good,
				   name);
	}
	if (low.count) {
		t->failures++;
		rc = check_verdict_add(out, FINDING_FAIL, evidence,
				       "%s accepts %s: versions below %s must be refused (annex A: "
				       "TLS 1.2 or later)",
				       label, low.text, endpoint_version_name(r->min_version));
	}
	if (!rc && !good.count && complete) {
		t->failures++;
		rc = check_verdict_add(out, FINDING_FAIL, evidence,
				       "%s offers no TLS version at or above the minimum", label);
	}

	struct endpoint_names static_kx = {.count = 0}, weak = {.count = 0};
	struct json_object *suites = json_read_array(endpoint, "suites");
	for (size_t i = 0; !rc && suites && i < json_object_array_length(suites); i++) {
		struct json_object *s = json_object_array_get_idx(suites, i);
		const char *name = json_read_text(s, "name", "?");
		char item[160];
		snprintf(item, sizeof(item), "%s (%s)", name, json_read_text(s, "version", "?"));
		if (r->forward_secrecy && !json_read_true(s, "forward_secrecy"))
			endpoint_names_add(&static_kx, item);
		if (r->min_strength &&
		    strength_rank(json_read_text(s, "strength", "")) < r->min_strength)
			endpoint_names_add(&weak, item);
	}
	if (!rc && static_kx.count) {
		t->failures++;
		rc = check_verdict_add(out, FINDING_FAIL, evidence,
				       "%s accepts %zu suite%s without forward secrecy (static key "
				       "exchange): %s",
				       label, static_kx.count, static_kx.count == 1 ? "" : "s",
				       static_kx.text);
	}
	if (!rc && weak.count) {
		t->failures++;
		rc = check_verdict_add(out, FINDING_FAIL, evidence,
				       "%s accepts %zu suite%s below the %d-bit class: %s", label,
				       weak.count, weak.count == 1 ? "" : "s", r->min_strength,
				       weak.text);
	}
	if (rc)
		return rc;
	if (!complete) {
		t->unfinished++;
		return check_verdict_add(out, FINDING_WARNING, evidence,
					 "%s: the audit did not finish (%s)", label,
					 json_read_text(endpoint, "incomplete", "no reason given"));
	}
	t->audited++;
	if (t->failures == before)
		rc = check_verdict_add(out, FINDING_PASS, evidence,
				       "%s offers only %s, every suite with forward secrecy%s",
				       label, good.text,
				       r->min_strength ? " and strong enough" : "");
	return rc;
}

/* The SSH algorithm lists named kind whose entries fail pred. */
static void ssh_collect(const struct json_object *endpoint, const char *kind,
			bool (*bad)(const struct json_object *a, const struct rule *r),
			const struct rule *r, struct endpoint_names *names)
{
	struct json_object *algorithms = json_read_member(endpoint, "algorithms");
	struct json_object *list = json_read_array(algorithms, kind);
	for (size_t i = 0; list && i < json_object_array_length(list); i++) {
		struct json_object *a = json_object_array_get_idx(list, i);
		if (bad(a, r))
			endpoint_names_add(names, json_read_text(a, "name", "?"));
	}
}

static bool kex_without_fs(const struct json_object *a, const struct rule *r)
{
	(void)r;
	/* kex extension markers (ext-info-s, kex-strict-*) carry no key exchange. */
	return json_read_false(a, "forward_secrecy") && !json_read_true(a, "extension");
}

static bool cipher_too_weak(const struct json_object *a, const struct rule *r)
{
	return strength_rank(json_read_text(a, "strength", "")) < r->min_strength;
}

static int judge_ssh(const struct json_object *endpoint, const struct rule *r, struct tally *t,
		     struct check_verdict *out)
{
	char label[128];
	endpoint_label(endpoint, label, sizeof(label));
	const char *evidence = json_read_text(endpoint, "evidence", NULL);
	if (!json_read_true(endpoint, "speaks_ssh")) {
		t->unfinished++;
		return check_verdict_add(
			out, FINDING_WARNING, evidence,
			"%s: discovery saw SSH, but the audit read no KEXINIT (%s)", label,
			json_read_text(endpoint, "incomplete", "no reason given"));
	}
	struct endpoint_names static_kx = {.count = 0}, weak = {.count = 0};
	if (r->forward_secrecy)
		ssh_collect(endpoint, "kex", kex_without_fs, r, &static_kx);
	if (r->min_strength) {
		ssh_collect(endpoint, "cipher", cipher_too_weak, r, &weak);
		ssh_collect(endpoint, "cipher_client_to_server", cipher_too_weak, r, &weak);
		ssh_collect(endpoint, "cipher_server_to_client", cipher_too_weak, r, &weak);
	}
	int rc = 0;
	if (static_kx.count) {
		t->failures++;
		rc = check_verdict_add(out, FINDING_FAIL, evidence,
				       "%s (SSH) offers key exchange without forward secrecy: %s",
				       label, static_kx.text);
	}
	if (!rc && weak.count) {
		t->failures++;
		rc = check_verdict_add(out, FINDING_FAIL, evidence,
				       "%s (SSH) offers ciphers below the %d-bit class: %s", label,
				       r->min_strength, weak.text);
	}
	if (!rc && !static_kx.count && !weak.count) {
		t->audited++;
		rc = check_verdict_add(
			out, FINDING_PASS, evidence,
			"%s (SSH %s) offers only key exchanges with forward "
			"secrecy%s",
			label, json_read_text(json_read_member(endpoint, "ident"), "software", "?"),
			r->min_strength ? " and strong enough ciphers" : "");
	}
	return rc;
}

static bool carries(const struct json_object *channel, const char *kind)
{
	struct json_object *list = json_read_array(channel, "carries");
	for (size_t i = 0; list && i < json_object_array_length(list); i++) {
		/* A null in a stored list is malformed, not a match, and no crash. */
		const char *item = json_object_get_string(json_object_array_get_idx(list, i));
		if (item && strcmp(item, kind) == 0)
			return true;
	}
	return false;
}

static int judge_plaintext(const struct json_object *channel, const struct rule *r, struct tally *t,
			   struct check_verdict *out)
{
	char label[128];
	endpoint_label(channel, label, sizeof(label));
	const char *service = json_read_text(channel, "service", "?");
	const char *reason = json_read_text(channel, "reason", "");
	const char *evidence = json_read_text(channel, "evidence", NULL);
	bool fails = carries(channel, "credentials") ||
		     (r->plaintext_also && carries(channel, r->plaintext_also));
	if (fails) {
		t->failures++;
		return check_verdict_add(out, FINDING_FAIL, evidence,
					 "%s (%s) is open in clear by default: %s", label, service,
					 reason);
	}
	const char *redirect = json_read_text(channel, "redirects_to", NULL);
	if (redirect)
		return check_verdict_add(out, FINDING_PASS, evidence,
					 "%s (%s) only redirects to %s", label, service, redirect);
	if (carries(channel, "video")) /* plaintext=privacy failed it above */
		return check_verdict_add(out, FINDING_INFO, evidence,
					 "%s (%s): %s; video is privacy data, judged under the "
					 "privacy-channel clauses",
					 label, service, reason);
	return check_verdict_add(out, FINDING_INFO, evidence, "%s (%s): %s", label, service,
				 reason);
}

static int judge(const struct json_object *observation, const struct check_params *params,
		 const struct profile *profile, struct check_verdict *out, struct dl_error *err)
{
	(void)profile;
	struct rule r;
	bool decided = false;
	int rc = read_rule(params, &r, err);
	if (!rc)
		rc = endpoint_judge_begin(observation, out, &decided, err);
	if (rc || decided)
		return rc;
	struct tally t = {0};
	struct json_object *tls = json_read_array(observation, "tls");
	struct json_object *ssh = json_read_array(observation, "ssh");
	struct json_object *plaintext = json_read_array(observation, "plaintext");
	for (size_t i = 0; !rc && i < json_object_array_length(tls); i++)
		rc = judge_tls(json_object_array_get_idx(tls, i), &r, &t, out);
	for (size_t i = 0; !rc && i < json_object_array_length(ssh); i++)
		rc = judge_ssh(json_object_array_get_idx(ssh, i), &r, &t, out);
	for (size_t i = 0; !rc && i < json_object_array_length(plaintext); i++)
		rc = judge_plaintext(json_object_array_get_idx(plaintext, i), &r, &t, out);
	if (rc)
		return rc;
	size_t channels = json_object_array_length(tls) + json_object_array_length(ssh);
	if (t.failures)
		return check_verdict_set(out, VERDICT_FAIL,
					 "%zu finding%s against the secure-channel rule (%zu TLS, "
					 "%zu SSH service%s audited, %zu channel%s in clear)",
					 t.failures, t.failures == 1 ? "" : "s",
					 json_object_array_length(tls),
					 json_object_array_length(ssh),
					 json_object_array_length(ssh) == 1 ? "" : "s",
					 json_object_array_length(plaintext),
					 json_object_array_length(plaintext) == 1 ? "" : "s");
	if (t.unfinished)
		return check_verdict_set(out, VERDICT_INCONCLUSIVE,
					 "%zu of %zu secure channels could not be audited to the "
					 "end; nothing failed so far",
					 t.unfinished, channels);
	if (t.audited == 0)
		return check_verdict_set(out, VERDICT_INCONCLUSIVE,
					 "discovery found no TLS or SSH service to audit%s",
					 json_read_true(observation, "scan_complete")
						 ? ""
						 : " (and its scan was incomplete)");
	if (!json_read_true(observation, "scan_complete"))
		return check_verdict_set(out, VERDICT_INCONCLUSIVE,
					 "every channel found passed, but discovery did not scan "
					 "every port: a channel may be missing");
	return check_verdict_set(out, VERDICT_PASS,
				 "%zu secure channel%s audited: every one meets the rule, and no "
				 "channel in clear carries %s",
				 t.audited, t.audited == 1 ? "" : "s",
				 r.plaintext_also ? (strcmp(r.plaintext_also, "video") == 0
							     ? "credentials or video"
							     : "credentials or management")
						  : "credentials");
}

const struct check check_tls_secure_channel = {
	.id = "tls.secure-channel",
	.summary = "every TLS service TLS 1.2+ with forward secrecy (and strong suites), SSH with "
		   "forward secrecy, no credentials in clear",
	.collector = &collector_tls_channels,
	.params = param_names,
	.judge = judge,
};
