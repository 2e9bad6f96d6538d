/* judges: the verdicts of the keys.* checks from their collectors' snapshots (draft for the lead)
 */
#include "core/compat.h"

#include <json-c/json.h>

#include "checks/check.h"
#include "checks/keys/keys.h"
#include "core/error.h"
#include "core/json-read.h"
#include "core/profile.h"

/*
 * A key is named by where it was read: "tcp/443 TLS key" (compared by the
 * SHA-256 of its SubjectPublicKeyInfo, so a certificate re-issued over the
 * same key does not count as a new key) or "tcp/22 SSH ssh-ed25519 host key"
 * (by its fingerprint). The profile's tls.identity_keys lists the keys the
 * vendor declares as factory identity (a device certificate that survives a
 * reset by design; inventory decision #24): spki_sha256 or SSH fingerprints,
 * left out of every comparison.
 */

#define KEYS_MAX 128

struct key {
	char label[96];
	const char *fingerprint; /* points into the observation */
};

struct key_set {
	struct key keys[KEYS_MAX];
	size_t count;
	size_t unreadable; /* entries of the snapshot's "errors" */
	const char *first_error;
};

static bool excluded(const struct profile *profile, const char *fingerprint)
{
	for (size_t i = 0; profile && i < profile->tls_identity_key_count; i++)
		if (strcmp(profile->tls_identity_keys[i], fingerprint) == 0)
			return true;
	return false;
}

/* The keys of one keys_snapshot object; DL_EINVAL when it is not one. */
static int key_set_load(const struct json_object *snap, const struct profile *profile,
			struct key_set *out, struct dl_error *err)
{
	memset(out, 0, sizeof(*out));
	struct json_object *tls = json_read_array(snap, "tls");
	struct json_object *ssh = json_read_array(snap, "ssh");
	struct json_object *errors = json_read_array(snap, "errors");
	if (!tls || !ssh)
		return dl_error_set(err, DL_EINVAL, "keys: a snapshot without its tls or ssh list");
	for (size_t i = 0; i < json_object_array_length(tls) && out->count < KEYS_MAX; i++) {
		struct json_object *e = json_object_array_get_idx(tls, i);
		const char *spki = json_read_text(e, "spki_sha256", NULL);
		int64_t port = json_read_int(e, "port", -1);
		if (!spki || port < 1 || port > 65535)
			return dl_error_set(err, DL_EINVAL,
					    "keys: tls[%zu] lacks port or spki_sha256", i);
		if (excluded(profile, spki))
			continue;
		struct key *k = &out->keys[out->count++];
		snprintf(k->label, sizeof(k->label), "tcp/%" PRId64 " TLS key", port);
		k->fingerprint = spki;
	}
	for (size_t i = 0; i < json_object_array_length(ssh) && out->count < KEYS_MAX; i++) {
		struct json_object *e = json_object_array_get_idx(ssh, i);
		const char *fp = json_read_text(e, "fingerprint", NULL);
		const char *algorithm = json_read_text(e, "algorithm", NULL);
		int64_t port = json_read_int(e, "port", -1);
		if (!fp || !algorithm || port < 1 || port > 65535)
			return dl_error_set(err, DL_EINVAL,
					    "keys: ssh[%zu] lacks port, algorithm or fingerprint",
					    i);
		if (excluded(profile, fp))
			continue;
		struct key *k = &out->keys[out->count++];
		snprintf(k->label, sizeof(k->label), "tcp/%" PRId64 " SSH %.48s host key", port,
			 algorithm);
		k->fingerprint = fp;
	}
	out->unreadable = errors ? json_object_array_length(errors) : 0;
	if (out->unreadable)
		out->first_error =
			json_read_text(json_object_array_get_idx(errors, 0), "error", NULL);
	return 0;
}

static const struct key *key_find(const struct key_set *s, const char *label)
{
	for (size_t i = 0; i < s->count; i++)
		if (strcmp(s->keys[i].label, label) == 0)
			return &s->keys[i];
	return NULL;
}

static bool fingerprint_in(const struct key_set *s, const char *fingerprint)
{
	for (size_t i = 0; i < s->count; i++)
		if (strcmp(s->keys[i].fingerprint, fingerprint) == 0)
			return true;
	return false;
}

/* The keys a verdict names, each once, for its summary. */
struct label_list {
	const char *labels[KEYS_MAX];
	size_t count;
};

static void label_list_add(struct label_list *l, const char *label)
{
	for (size_t i = 0; i < l->count; i++)
		if (strcmp(l->labels[i], label) == 0)
			return;
	if (l->count < KEYS_MAX)
		l->labels[l->count++] = label;
}

/* "a, b, c" into buf, "..." where it is cut. */
static const char *label_list_text(const struct label_list *l, char *buf, size_t size)
{
	size_t used = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < l->count; i++) {
		int n = snprintf(buf + used, size - used, "%s%s", i ? ", " : "", l->labels[i]);
		if (n < 0 || (size_t)n >= size - used) {
			if (size > 4)
				snprintf(buf + size - 4, 4, "...");
			break;
		}
		used += (size_t)n;
	}
	return buf;
}

/* A collector that could not drive the DUT: the clause is for a person to test. */
static int judge_undeclared(const struct json_object *observation, struct check_verdict *out)
{
	const char *note = json_read_text(observation, "note", NULL);
	return check_verdict_set(out, VERDICT_MANUAL, "%s",
				 note ? note
				      : "the profile declares no adapter operation for this");
}

/* An adapter run that failed: the keys after it say nothing. */
static bool run_failed(const struct json_object *run, const char *what, struct check_verdict *out,
		       int *rc)
{
	if (!run) {
		*rc = check_verdict_set(out, VERDICT_ERROR, "keys: the observation lacks %s", what);
		return true;
	}
	const char *transcript = json_read_text(run, "transcript", NULL);
	if (json_read_true(run, "timed_out") || json_read_int(run, "exit_status", -1) != 0) {
		*rc = check_verdict_add(out, FINDING_WARNING, transcript,
					"%s %s (exit status %" PRId64 ")", what,
					json_read_true(run, "timed_out") ? "timed out" : "failed",
					json_read_int(run, "exit_status", -1));
		if (*rc == 0)
			*rc = check_verdict_set(
				out, VERDICT_INCONCLUSIVE,
				"%s did not complete (exit status %" PRId64 "%s); see its "
				"transcript",
				what, json_read_int(run, "exit_status", -1),
				json_read_true(run, "timed_out") ? ", timed out" : "");
		return true;
	}
	if (!json_read_true(run, "services_back")) {
		*rc = check_verdict_set(
			out, VERDICT_INCONCLUSIVE,
			"the TLS and SSH services did not answer again after %s within "
			"the operation's timeout",
			what);
		return true;
	}
	return false;
}

/* TS-0014-1 5.4.1.4: every key differs after each of two factory resets. */
static int judge_factory_reset(const struct json_object *observation,
			       const struct check_params *params, const struct profile *profile,
			       struct check_verdict *out, struct dl_error *err)
{
	(void)params;
	if (!json_read_true(observation, "operation_declared"))
		return judge_undeclared(observation, out) < 0 ? DL_ENOMEM : 0;
	struct json_object *snapshots = json_read_array(observation, "snapshots");
	struct json_object *resets = json_read_array(observation, "resets");
	if (!snapshots || !resets)
		return dl_error_set(err, DL_EINVAL, "keys.factory-reset: no snapshots or resets");
	struct key_set *sets = calloc(3, sizeof(*sets));
	if (!sets)
		return dl_error_set(err, DL_ENOMEM, "keys.factory-reset: out of memory");
	size_t n = json_object_array_length(snapshots);
	if (n > 3)
		n = 3;
	int rc = 0;
	for (size_t i = 0; i < n && !rc; i++)
		rc = key_set_load(json_object_array_get_idx(snapshots, i), profile, &sets[i], err);
	if (rc)
		goto out;
	for (size_t i = 0; i < json_object_array_length(resets); i++) {
		char what[64];
		snprintf(what, sizeof(what), "factory reset %zu", i + 1);
		if (run_failed(json_object_array_get_idx(resets, i), what, out, &rc))
			goto out;
	}
	if (n < 3) {
		rc = check_verdict_set(out, VERDICT_INCONCLUSIVE,
				       "only %zu of the 3 key snapshots were taken", n);
		goto out;
	}
	if (sets[0].count == 0) {
		rc = sets[0].unreadable
			     ? check_verdict_set(out, VERDICT_INCONCLUSIVE,
						 "no key could be read before the reset: %s",
						 sets[0].first_error ? sets[0].first_error : "?")
			     : check_verdict_set(out, VERDICT_NOT_APPLICABLE,
						 "the DUT serves no TLS or SSH key to compare");
		goto out;
	}
	size_t same = 0, missing = 0, compared = 0;
	struct label_list kept = {.count = 0};
	const char *transcript = NULL;
	for (size_t step = 1; step < 3 && !rc; step++) {
		transcript = json_read_text(json_object_array_get_idx(resets, step - 1),
					    "transcript", NULL);
		for (size_t i = 0; i < sets[step - 1].count && !rc; i++) {
			const struct key *before = &sets[step - 1].keys[i];
			const struct key *after = key_find(&sets[step], before->label);
			if (!after) {
				missing++;
				rc = check_verdict_add(out, FINDING_WARNING, transcript,
						       "%s: not readable after factory reset %zu",
						       before->label, step);
				continue;
			}
			compared++;
			if (strcmp(before->fingerprint, after->fingerprint) == 0) {
				same++;
				label_list_add(&kept, before->label);
				rc = check_verdict_add(out, FINDING_FAIL, transcript,
						       "%s is unchanged by factory reset %zu: %s",
						       before->label, step, after->fingerprint);
			} else {
				rc = check_verdict_add(out, FINDING_PASS, transcript,
						       "%s changed at factory reset %zu: %s -> %s",
						       before->label, step, before->fingerprint,
						       after->fingerprint);
			}
		}
	}
	/* A second reset that brings back a key from before the first. */
	for (size_t i = 0; i < sets[2].count && !rc; i++) {
		const char *fp = sets[2].keys[i].fingerprint;
		if (!fingerprint_in(&sets[0], fp) || fingerprint_in(&sets[1], fp))
			continue;
		same++;
		label_list_add(&kept, sets[2].keys[i].label);
		rc = check_verdict_add(
			out, FINDING_FAIL, transcript,
			"%s after the second reset is a key served before the first: "
			"%s",
			sets[2].keys[i].label, fp);
	}
	if (rc)
		goto out;
	char list[512];
	if (same)
		rc = check_verdict_set(out, VERDICT_FAIL,
				       "%zu of %zu keys did not change at every factory reset: %s",
				       kept.count, sets[0].count,
				       label_list_text(&kept, list, sizeof(list)));
	else if (missing)
		rc = check_verdict_set(
			out, VERDICT_INCONCLUSIVE,
			"%zu key%s could not be read after a reset; the %zu compared "
			"all changed",
			missing, missing == 1 ? "" : "s", compared);
	else
		rc = check_verdict_set(
			out, VERDICT_PASS,
			"all %zu keys (TLS and SSH) changed at each of 2 factory resets",
			sets[0].count);
out:
	free(sets);
	if (rc == DL_ENOMEM)
		return dl_error_set(err, rc, "keys.factory-reset: out of memory");
	return rc < 0 && rc != DL_ENOMEM ? rc : 0;
}

/* TS-0014-1 5.4.1.3: every TLS service presents the certificate we installed. */
static int judge_replace_certificate(const struct json_object *observation,
				     const struct check_params *params,
				     const struct profile *profile, struct check_verdict *out,
				     struct dl_error *err)
{
	(void)params;
	(void)profile;
	if (!json_read_true(observation, "operation_declared"))
		return judge_undeclared(observation, out) < 0 ? DL_ENOMEM : 0;
	struct json_object *issued = json_read_member(observation, "issued");
	struct json_object *after = json_read_member(observation, "after");
	struct json_object *replace = json_read_member(observation, "replace");
	struct json_object *serving = json_read_array(observation, "ports_serving_issued");
	struct json_object *not_serving = json_read_array(observation, "ports_not_serving_issued");
	const char *sha256 = json_read_text(issued, "sha256", NULL);
	if (!sha256 || !serving || !not_serving || !after)
		return dl_error_set(err, DL_EINVAL,
				    "keys.replace-certificate: the observation lacks issued, after "
				    "or the port lists");
	int rc = 0;
	if (run_failed(replace, "the replace_certificate operation", out, &rc))
		return rc == DL_ENOMEM ? dl_error_set(err, rc, "out of memory") : 0;
	size_t good = json_object_array_length(serving),
	       bad = json_object_array_length(not_serving);
	if (good + bad == 0)
		return check_verdict_set(out, VERDICT_NOT_APPLICABLE,
					 "the DUT serves no TLS port to install a certificate on") <
				       0
			       ? DL_ENOMEM
			       : 0;
	const char *cert = json_read_text(issued, "certificate", NULL);
	struct json_object *tls = json_read_array(after, "tls");
	size_t unreadable = 0;
	for (size_t i = 0; i < bad && !rc; i++) {
		int port = json_object_get_int(json_object_array_get_idx(not_serving, i));
		const char *served = NULL, *subject = NULL;
		for (size_t j = 0; tls && j < json_object_array_length(tls); j++) {
			struct json_object *e = json_object_array_get_idx(tls, j);
			if (json_read_int(e, "port", -1) == port) {
				served = json_read_text(e, "sha256", NULL);
				subject = json_read_text(e, "subject", NULL);
			}
		}
		if (!served) {
			unreadable++;
			rc = check_verdict_add(out, FINDING_WARNING, cert,
					       "tcp/%d: no certificate could be read after the "
					       "replacement",
					       port);
		} else {
			rc = check_verdict_add(
				out, FINDING_FAIL, cert,
				"tcp/%d still serves '%s' (SHA-256 %s), not the installed "
				"certificate (SHA-256 %s)",
				port, subject ? subject : "?", served, sha256);
		}
	}
	for (size_t i = 0; i < good && !rc; i++)
		rc = check_verdict_add(out, FINDING_PASS, cert,
				       "tcp/%d serves the installed certificate (SHA-256 %s)",
				       json_object_get_int(json_object_array_get_idx(serving, i)),
				       sha256);
	if (!rc) {
		if (bad > unreadable)
			rc = check_verdict_set(out, VERDICT_FAIL,
					       "%zu of %zu TLS ports do not serve the certificate "
					       "installed through the adapter",
					       bad - unreadable, good + bad);
		else if (unreadable)
			rc = check_verdict_set(
				out, VERDICT_INCONCLUSIVE,
				"%zu TLS port%s could not be read after the replacement",
				unreadable, unreadable == 1 ? "" : "s");
		else
			rc = check_verdict_set(
				out, VERDICT_PASS,
				"every TLS port (%zu) serves the lab-issued certificate "
				"installed through the adapter",
				good);
	}
	return rc == DL_ENOMEM ? dl_error_set(err, rc, "keys.replace-certificate: out of memory")
			       : 0;
}

/* IoT-1006-1 5.2.1.3: no two units of the model share a key. */
static int judge_units(const struct json_object *observation, const struct check_params *params,
		       const struct profile *profile, struct check_verdict *out,
		       struct dl_error *err)
{
	/* params: none; profile: its tls.identity_keys and artifacts */
	(void)params;
	struct json_object *units = json_read_array(observation, "units");
	if (!units)
		return dl_error_set(err, DL_EINVAL, "keys.units: the observation lacks units");
	size_t count = json_object_array_length(units);
	if (count > 16)
		count = 16; /* a profile lists a few units; more are not compared */
	if (count < 2)
		return check_verdict_set(out, VERDICT_MANUAL,
					 "the profile lists no other unit of the model (units:); "
					 "declare one to compare keys across units") < 0
			       ? dl_error_set(err, DL_ENOMEM, "out of memory")
			       : 0;
	struct key_set *sets = calloc(count, sizeof(*sets));
	if (!sets)
		return dl_error_set(err, DL_ENOMEM, "keys.units: out of memory");
	const char *serials[16];
	int rc = 0;
	size_t empty = 0;
	for (size_t u = 0; u < count && !rc; u++) {
		struct json_object *unit = json_object_array_get_idx(units, u);
		serials[u] = json_read_text(unit, "serial", "(no serial)");
		struct json_object *snaps = json_read_array(unit, "snapshots");
		/* A unit's keys: the union over its addresses. */
		for (size_t s = 0; snaps && s < json_object_array_length(snaps) && !rc; s++) {
			struct key_set one;
			rc = key_set_load(json_object_array_get_idx(snaps, s), profile, &one, err);
			for (size_t k = 0; !rc && k < one.count && sets[u].count < KEYS_MAX; k++)
				if (!fingerprint_in(&sets[u], one.keys[k].fingerprint))
					sets[u].keys[sets[u].count++] = one.keys[k];
			sets[u].unreadable += one.unreadable;
		}
		if (!rc && sets[u].count == 0) {
			empty++;
			rc = check_verdict_add(out, FINDING_WARNING, NULL,
					       "unit %s: no TLS or SSH key could be read",
					       serials[u]);
		}
	}
	if (rc)
		goto out;
	size_t shared = 0, compared = 0;
	for (size_t a = 0; a < count && !rc; a++) {
		for (size_t b = a + 1; b < count && !rc; b++) {
			for (size_t k = 0; k < sets[a].count && !rc; k++) {
				compared++;
				if (!fingerprint_in(&sets[b], sets[a].keys[k].fingerprint))
					continue;
				shared++;
				rc = check_verdict_add(
					out, FINDING_FAIL, NULL, "units %s and %s share the %s: %s",
					serials[a], serials[b], sets[a].keys[k].label,
					sets[a].keys[k].fingerprint);
			}
		}
	}
	/* The clause asks about the firmware image too (a private key every unit
	 * carries but none serves): until dutlab searches it, distinct keys on the
	 * network leave that half to a person, never a silent pass. */
	const char *firmware = json_read_text(observation, "firmware_keys", NULL);
	if (!rc && firmware)
		rc = check_verdict_add(out, FINDING_WARNING, NULL, "firmware image: %s", firmware);
	if (rc)
		goto out;
	if (shared)
		rc = check_verdict_set(out, VERDICT_FAIL,
				       "%zu key%s shared between units of the model", shared,
				       shared == 1 ? " is" : "s are");
	else if (empty)
		rc = check_verdict_set(out, VERDICT_INCONCLUSIVE,
				       "%zu of %zu units served no readable key", empty, count);
	else if (firmware)
		rc = check_verdict_set(
			out, VERDICT_MANUAL,
			"the %zu units serve distinct TLS and SSH keys (%zu "
			"comparisons); confirm that the firmware image%s embeds no "
			"private key or secret shared by every unit",
			count, compared,
			profile && profile_find_artifact(profile, "firmware")
				? ""
				: " (the profile declares none: artifacts.firmware)");
	else
		rc = check_verdict_set(
			out, VERDICT_PASS,
			"the %zu units serve distinct TLS and SSH keys (%zu comparisons)", count,
			compared);
out:
	free(sets);
	if (rc == DL_ENOMEM)
		return dl_error_set(err, rc, "keys.units: out of memory");
	return rc < 0 ? rc : 0;
}

static const char *const no_params[] = {NULL};

const struct check check_keys_factory_reset = {
	.id = "keys.factory-reset",
	.summary = "every TLS and SSH key changes at each of two factory resets",
	.collector = &collector_keys_factory_reset,
	.params = NULL,
	.judge = judge_factory_reset,
};

const struct check check_keys_replace_certificate = {
	.id = "keys.replace-certificate",
	.summary = "a certificate installed through the adapter is served on every TLS port",
	.collector = &collector_keys_replace_certificate,
	.params = no_params,
	.judge = judge_replace_certificate,
};

const struct check check_keys_units = {
	.id = "keys.units",
	.summary = "no TLS or SSH key is shared between units of the model",
	.collector = &collector_keys_units,
	.params = NULL,
	.judge = judge_units,
};
