/* validation: tlsclient.validation: the DUT refuses every bad server and completes the good one */
#include "core/compat.h"

#include <json-c/json.h>

#include "checks/check.h"
#include "checks/tlsclient/forge.h"
#include "checks/tlsclient/tlsclient.h"
#include "core/error.h"
#include "core/json-read.h"

/*
 * TS-0014-1 5.3.1.2, 5.5.2.2 and 5.2.3.3 and IoT-1006-1 5.1.1.3 and 5.1.1.4 ask that the
 * receiving side validates the certificate of the party it talks to. The observation holds one
 * attempt per variant and client channel. Pass only if the control was accepted and every
 * variant expected to be refused was refused; fail names every bad variant the DUT accepted;
 * inconclusive when the control was not accepted (the DUT did not connect, or refuses even a
 * good server: then its refusals prove nothing) or a variant saw no connection.
 *
 * Parameters:
 *   carries   sensitive | privacy | update: judge the profile's tls_clients channels that
 *             carry this kind of data (default: every channel). A profile that declares no
 *             such channel gets manual, never not_applicable: dutlab cannot know the DUT has
 *             none.
 *   variants  a comma-separated list of the variants the clause cares about, or
 *             "certificates" (every certificate defect: TS 5.3.1.2 asks about issuer,
 *             validity, format and signature), "protocols" (tls10_11_only and
 *             no_forward_secrecy: the update path's annex A version and forward secrecy,
 *             TS 5.2.3.3), "all" (default).
 */

static bool tlsclient_protocol_variant(const char *name)
{
	return strcmp(name, "tls10_11_only") == 0 || strcmp(name, "no_forward_secrecy") == 0;
}

/* name is in the comma-separated list (NULL or "": every name is). */
static bool tlsclient_listed(const char *list, const char *name)
{
	if (!list || !list[0] || strcmp(list, "all") == 0)
		return true;
	if (strcmp(list, "certificates") == 0)
		return !tlsclient_protocol_variant(name);
	if (strcmp(list, "protocols") == 0)
		return tlsclient_protocol_variant(name);
	size_t n = strlen(name);
	for (const char *p = list; p && *p;) {
		while (*p == ' ' || *p == ',')
			p++;
		const char *end = p;
		while (*end && *end != ',' && *end != ' ')
			end++;
		if ((size_t)(end - p) == n && strncmp(p, name, n) == 0)
			return true;
		p = end;
	}
	return false;
}

/* The channel's "carries" list holds kind. */
static bool tlsclient_carries(const struct json_object *c, const char *kind)
{
	struct json_object *list = json_read_array(c, "carries");
	size_t n = json_read_length(list);
	for (size_t i = 0; i < n; i++) {
		const char *k = json_object_get_string(json_object_array_get_idx(list, i));
		if (k && strcmp(k, kind) == 0)
			return true;
	}
	return false;
}

struct tlsclient_tally {
	size_t accepted_bad, refused, unanswered, clients_inconclusive;
};

static int tlsclient_judge_client(const struct json_object *c, const char *variants,
				  struct check_verdict *out, struct tlsclient_tally *t)
{
	const char *name = json_read_text(c, "name", "?");
	const char *error = json_read_text(c, "error", NULL);
	if (error) {
		t->clients_inconclusive++;
		return check_verdict_add(out, FINDING_WARNING, NULL,
					 "channel '%s': dutlab could not play its server: %s", name,
					 error);
	}
	struct json_object *attempts = json_read_array(c, "attempts");
	size_t count = json_read_length(attempts);
	const struct json_object *control = NULL;
	for (size_t i = 0; i < count; i++) {
		struct json_object *a = json_object_array_get_idx(attempts, i);
		const char *v = json_read_text(a, "variant", NULL);
		if (v && strcmp(v, "control") == 0)
			control = a;
	}
	const char *control_verdict = json_read_text(control, "verdict", NULL);
	bool control_ok = control_verdict && strcmp(control_verdict, "accepted") == 0;
	int rc = 0;
	if (!control_ok) {
		t->clients_inconclusive++;
		const char *alert = json_read_text(control, "client_alert", NULL);
		const char *note = json_read_text(control, "note", NULL);
		rc = check_verdict_add(
			out, FINDING_WARNING, json_read_text(control, "evidence", NULL),
			"channel '%s': the DUT did not accept even the valid control certificate "
			"(%s%s%s%s%s), so its refusals of the bad ones prove nothing; check the "
			"trigger "
			"operation and that the DUT trusts the profile's trusted_ca_certificate",
			name, control_verdict ? control_verdict : "not tried",
			alert ? ", alert: " : "", alert ? alert : "", note ? "; " : "",
			note ? note : "");
	} else {
		rc = check_verdict_add(
			out, FINDING_INFO, json_read_text(control, "evidence", NULL),
			"channel '%s': the DUT accepted the valid control certificate "
			"over %s and sent '%s'",
			name, json_read_text(control, "version", "?"),
			json_read_text(control, "request", ""));
	}
	for (size_t i = 0; i < count && rc == 0; i++) {
		struct json_object *a = json_object_array_get_idx(attempts, i);
		const char *v = json_read_text(a, "variant", NULL);
		const char *expect = json_read_text(a, "expect", NULL);
		const char *verdict = json_read_text(a, "verdict", NULL);
		if (!v || !expect || !verdict || strcmp(expect, "refuse") != 0 ||
		    !tlsclient_listed(variants, v))
			continue;
		const char *defect = json_read_text(a, "defect", v);
		const char *evidence = json_read_text(a, "evidence", NULL);
		if (strcmp(verdict, "accepted") == 0) {
			t->accepted_bad++;
			const char *request = json_read_text(a, "request", NULL);
			rc = check_verdict_add(
				out, FINDING_FAIL, evidence,
				"channel '%s': the DUT accepted %s (%s): %s%s%s%s", name, v, defect,
				request ? "it sent '" : "it went on past the certificate",
				request ? request : "", request ? "' over " : "",
				request ? (json_read_text(a, "version", "?")) : "");
		} else if (strcmp(verdict, "refused") == 0) {
			t->refused++;
			const char *alert = json_read_text(a, "client_alert", NULL);
			rc = check_verdict_add(
				out, FINDING_PASS, evidence,
				"channel '%s': the DUT refused %s (%s)%s%s", name, v, defect,
				alert ? " with alert " : ", closing without an alert",
				alert ? alert : "");
		} else {
			t->unanswered++;
			rc = check_verdict_add(out, FINDING_WARNING, evidence,
					       "channel '%s': the DUT did not connect for %s (%s); "
					       "nothing shows whether it would refuse it",
					       name, v, defect);
		}
	}
	/* A variant never tried (the deadline, or no connection for the control) cannot count
	 * as refused. */
	for (size_t v = 0; v < FORGE_VARIANT_COUNT && rc == 0; v++) {
		const char *vn = forge_variant_name((enum forge_variant)v);
		if (forge_variant_expect_accept((enum forge_variant)v) ||
		    !tlsclient_listed(variants, vn))
			continue;
		bool tried = false;
		for (size_t i = 0; i < count && !tried; i++) {
			const char *tv = json_read_text(json_object_array_get_idx(attempts, i),
							"variant", NULL);
			tried = tv && strcmp(tv, vn) == 0;
		}
		if (!tried) {
			t->unanswered++;
			const char *why = json_read_text(c, "incomplete", NULL);
			rc = check_verdict_add(out, FINDING_WARNING, NULL,
					       "channel '%s': %s was not tried%s%s", name, vn,
					       why ? ": " : "", why ? why : "");
		}
	}
	return rc;
}

static int judge(const struct json_object *observation, const struct check_params *params,
		 const struct profile *profile, struct check_verdict *out, struct dl_error *err)
{
	(void)profile;
	const char *variants = check_param_get(params, "variants", NULL);
	const char *kind = check_param_get(params, "carries", NULL);
	if (kind && strcmp(kind, "sensitive") != 0 && strcmp(kind, "privacy") != 0 &&
	    strcmp(kind, "update") != 0)
		return dl_error_set(err, DL_EINVAL,
				    "carries '%s': expected sensitive, privacy or update", kind);
	struct json_object *clients = json_read_array(observation, "clients");
	size_t count = json_read_length(clients);
	struct tlsclient_tally t = {0};
	size_t judged = 0;
	int rc = 0;
	for (size_t i = 0; i < count && rc == 0; i++) {
		struct json_object *c = json_object_array_get_idx(clients, i);
		if (kind && !tlsclient_carries(c, kind))
			continue;
		judged++;
		rc = tlsclient_judge_client(c, variants, out, &t);
	}
	if (rc == 0 && judged == 0)
		return check_verdict_set(
			out, VERDICT_MANUAL,
			"the profile declares no tls_clients channel%s%s%s: declare "
			"the server the DUT connects to (host, port, trigger, trusted "
			"CA) to test it, or answer by hand",
			kind ? " that carries " : "", kind ? kind : "", kind ? " data" : "");
	if (rc == 0) {
		if (t.accepted_bad > 0)
			rc = check_verdict_set(out, VERDICT_FAIL,
					       "the DUT accepted %zu bad server(s) of %zu tried "
					       "(certificate or protocol not validated)",
					       t.accepted_bad,
					       t.accepted_bad + t.refused + t.unanswered);
		else if (t.clients_inconclusive > 0)
			rc = check_verdict_set(out, VERDICT_INCONCLUSIVE,
					       "the DUT did not accept the valid control server on "
					       "%zu channel(s): its refusals prove nothing",
					       t.clients_inconclusive);
		else if (t.unanswered > 0)
			rc = check_verdict_set(out, VERDICT_INCONCLUSIVE,
					       "the DUT did not connect for %zu variant(s)",
					       t.unanswered);
		else if (t.refused == 0)
			rc = check_verdict_set(out, VERDICT_INCONCLUSIVE,
					       "no bad variant was tried");
		else
			rc = check_verdict_set(
				out, VERDICT_PASS,
				"the DUT refused all %zu bad servers and accepted the "
				"valid one",
				t.refused);
	}
	if (rc < 0)
		return dl_error_set(err, DL_ENOMEM, "tlsclient.validation: out of memory");
	return 0;
}

static const char *const params[] = {"carries", "variants", NULL};

const struct check check_tlsclient_validation = {
	.id = "tlsclient.validation",
	.summary = "as a TLS client the DUT refuses bad certificates and weak servers (expired, "
		   "wrong host, unknown CA, revoked, TLS 1.0/1.1, no forward secrecy...)",
	.collector = &collector_tlsclient_matrix,
	.params = params,
	.judge = judge,
};
