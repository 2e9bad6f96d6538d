/* replay-judge: the auth.replay check: no static credential in clear, no replayable exchange
 * (TS-0014-1 5.4.1.1, 5.2.6.1) */
#include "core/compat.h"

#include <json-c/json.h>

#include "checks/check.h"
#include "checks/session/session.h"
#include "core/error.h"
#include "core/json-read.h"
#include "core/profile.h"

/*
 * TS-0014-1 5.4.1.1: access to the product's resources only through an
 * authentication mechanism that resists replay. Per interface (issue 5,
 * inventory decision 14):
 *   - a static credential (password, Basic header, form body) sent in the
 *     clear is replayable by anyone on the path: fail by itself;
 *   - a challenge-response exchange (HTTP or RTSP digest, WS-UsernameToken
 *     with nonce and created) is replayed verbatim after the original
 *     session ended: accepted is a fail, with the window observed;
 *   - a static credential inside TLS or SSH: the channel resists replay,
 *     pass for that interface.
 * TS-0014-1 5.2.6.1 asks the same of the ONVIF interface (param drivers
 * "onvif") and that its refusals do not tell a known from an unknown user
 * (param enumeration "yes": the status and content fingerprint of the
 * refusals must be the same; timing is auth.enumeration's business).
 *
 * The collector (auth.replay) wrote per INTERFACE: "login": RESPONSE,
 * "exchange_recorded": bool, "replays": [{"after_s", "response": RESPONSE}],
 * "replay_note": why there is no replay, and for onvif adapters
 * "enumeration": {"known": [RESPONSE...], "unknown": [RESPONSE...]}.
 */

struct outcome_tally {
	size_t fail, inconclusive, pass, tested;
	char first_fail[640], first_inconclusive[640], first_pass[640];
	const char *evidence; /* the current interface's transcript */
};

static int record(struct check_verdict *out, struct outcome_tally *t, enum finding_severity s,
		  const char *text)
{
	char *slot = NULL;
	size_t size = 0;
	if (s == FINDING_FAIL && t->fail++ == 0) {
		slot = t->first_fail;
		size = sizeof(t->first_fail);
	} else if (s == FINDING_WARNING && t->inconclusive++ == 0) {
		slot = t->first_inconclusive;
		size = sizeof(t->first_inconclusive);
	} else if (s == FINDING_PASS && t->pass++ == 0) {
		slot = t->first_pass;
		size = sizeof(t->first_pass);
	}
	if (slot)
		snprintf(slot, size, "%s", text);
	return check_verdict_add(out, s, t->evidence, "%s", text);
}

/* The replays: accepted ones and the window they show. */
static void replay_window(const struct json_object *e, size_t *count, size_t *accepted,
			  int64_t *last_accepted_s, int64_t *first_refused_s, int64_t *status)
{
	struct json_object *replays = json_read_array(e, "replays");
	*count = json_read_length(replays);
	*accepted = 0;
	*last_accepted_s = -1;
	*first_refused_s = -1;
	*status = 0;
	for (size_t i = 0; i < *count; i++) {
		struct json_object *r = json_object_array_get_idx(replays, i);
		struct json_object *resp = json_read_object(r, "response");
		int64_t after = json_read_int(r, "after_s", 0);
		if (session_outcome_is(resp, "accepted")) {
			(*accepted)++;
			if (after > *last_accepted_s)
				*last_accepted_s = after;
			*status = json_read_int(resp, "status", 0);
		} else if (*first_refused_s < 0) {
			*first_refused_s = after;
			if (!*accepted)
				*status = json_read_int(resp, "status", 0);
		}
	}
}

static int judge_interface(const struct json_object *e, const char *label,
			   struct check_verdict *out, struct outcome_tally *t)
{
	struct json_object *login = json_read_object(e, "login");
	char text[640], window[192] = "";
	size_t count, accepted;
	int64_t last_ok, first_no, status;
	replay_window(e, &count, &accepted, &last_ok, &first_no, &status);
	if (accepted && first_no >= 0)
		snprintf(window, sizeof(window),
			 "; a verbatim replay was accepted up to %" PRId64 " s after the session "
			 "ended (status %" PRId64 ") and refused at %" PRId64 " s",
			 last_ok, status, first_no);
	else if (accepted && last_ok > 0)
		snprintf(window, sizeof(window),
			 "; verbatim replays were accepted up to %" PRId64 " s after the session "
			 "ended (status %" PRId64 "), the last try included",
			 last_ok, status);
	else if (accepted)
		snprintf(window, sizeof(window),
			 "; a verbatim replay right after the session ended was accepted (status "
			 "%" PRId64 ")",
			 status);
	if (!session_outcome_is(login, "accepted")) {
		snprintf(text, sizeof(text), "%s: the login was %s (status %" PRId64 "): %s", label,
			 json_read_text(login, "outcome", "not made"),
			 json_read_int(login, "status", 0), json_read_text(login, "excerpt", ""));
		return record(out, t, FINDING_WARNING, text);
	}
	bool encrypted = json_read_true(login, "encrypted");
	bool challenge = json_read_true(login, "challenge_response");
	if (!encrypted && !challenge) {
		snprintf(text, sizeof(text),
			 "%s: static credentials are sent in the clear (no TLS, no "
			 "challenge-response)%s",
			 label, window);
		return record(out, t, FINDING_FAIL, text);
	}
	if (challenge) {
		if (accepted) {
			snprintf(text, sizeof(text),
				 "%s: the challenge-response exchange%s is replayable%s", label,
				 encrypted ? " (inside TLS)" : "", window);
			return record(out, t, FINDING_FAIL, text);
		}
		if (count == 0) {
			snprintf(text, sizeof(text),
				 "%s: challenge-response login, but the exchange was not replayed: "
				 "%s",
				 label, json_read_text(e, "replay_note", "no replay recorded"));
			return record(out, t, encrypted ? FINDING_PASS : FINDING_WARNING, text);
		}
		snprintf(text, sizeof(text),
			 "%s: a verbatim replay of the challenge-response exchange was refused "
			 "%" PRId64 " s after the session ended (status %" PRId64 ")%s",
			 label, first_no, status, encrypted ? ", and it runs inside TLS" : "");
		return record(out, t, FINDING_PASS, text);
	}
	snprintf(text, sizeof(text),
		 "%s: the credentials travel only inside %s, which resists replay on the "
		 "path%s",
		 label,
		 strcmp(json_read_text(e, "driver", ""), "ssh-password") == 0 ? "SSH" : "TLS",
		 accepted ? " (an endpoint that sees the plaintext could replay them: "
			    "inventory decision 14)"
			  : "");
	return record(out, t, FINDING_PASS, text);
}

/* TS 5.2.6.1's second half: refusals for a known and an unknown user. */
static int judge_enumeration(const struct json_object *e, const char *label,
			     struct check_verdict *out, struct outcome_tally *t)
{
	struct json_object *en = json_read_object(e, "enumeration");
	struct json_object *known = json_read_array(en, "known");
	struct json_object *unknown = json_read_array(en, "unknown");
	char text[640];
	if (json_read_length(known) == 0 || json_read_length(unknown) == 0) {
		snprintf(text, sizeof(text),
			 "%s: the refusals for a known and an unknown user were not compared: %s",
			 label, json_read_text(en, "note", "not collected"));
		return record(out, t, FINDING_WARNING, text);
	}
	const struct json_object *k0 = json_object_array_get_idx(known, 0);
	for (size_t set = 0; set < 2; set++) {
		struct json_object *list = set ? unknown : known;
		for (size_t i = 0; i < json_read_length(list); i++) {
			struct json_object *r = json_object_array_get_idx(list, i);
			if (session_outcome_is(r, "accepted")) {
				snprintf(text, sizeof(text),
					 "%s: a wrong password was accepted for the %s user", label,
					 set ? "unknown" : "known");
				return record(out, t, FINDING_FAIL, text);
			}
			if (json_read_int(r, "status", 0) != json_read_int(k0, "status", 0) ||
			    strcmp(json_read_text(r, "fingerprint", ""),
				   json_read_text(k0, "fingerprint", "")) != 0) {
				snprintf(text, sizeof(text),
					 "%s: the refusal for %s user differs from the one for the "
					 "known user: status %" PRId64 " vs %" PRId64
					 ", content '%.120s' vs '%.120s'",
					 label, set ? "an unknown" : "the same known",
					 json_read_int(r, "status", 0),
					 json_read_int(k0, "status", 0),
					 json_read_text(r, "excerpt", ""),
					 json_read_text(k0, "excerpt", ""));
				return record(out, t, set ? FINDING_FAIL : FINDING_WARNING, text);
			}
		}
	}
	snprintf(text, sizeof(text),
		 "%s: %zu refusals for a known and %zu for an unknown user have the same status "
		 "(%" PRId64 ") and content fingerprint (timing: see auth.enumeration)",
		 label, json_read_length(known), json_read_length(unknown),
		 json_read_int(k0, "status", 0));
	return record(out, t, FINDING_PASS, text);
}

static int judge_replay(const struct json_object *observation, const struct check_params *params,
			const struct profile *profile, struct check_verdict *out,
			struct dl_error *err)
{
	const char *drivers = check_param_get(params, "drivers", "all");
	const char *enumeration = check_param_get(params, "enumeration", "no");
	if (strcmp(enumeration, "yes") != 0 && strcmp(enumeration, "no") != 0)
		return dl_error_set(err, DL_EINVAL,
				    "auth.replay: param enumeration '%s' is not yes or no",
				    enumeration);
	struct json_object *interfaces = json_read_array(observation, "interfaces");
	if (!interfaces)
		return dl_error_set(err, DL_EINVAL,
				    "auth.replay: the observation lacks interfaces");
	struct outcome_tally t = {0};
	int rc = 0;
	for (size_t i = 0; i < json_read_length(interfaces) && !rc; i++) {
		struct json_object *e = json_object_array_get_idx(interfaces, i);
		if (!session_driver_listed(drivers, json_read_text(e, "driver", "")))
			continue;
		char label[160];
		session_label(e, label, sizeof(label));
		t.evidence = json_read_text(e, "evidence", NULL);
		const char *skipped = json_read_text(e, "skipped", NULL);
		if (skipped) {
			char text[640];
			snprintf(text, sizeof(text), "%s: not tested: %s", label, skipped);
			rc = record(out, &t, FINDING_WARNING, text);
			continue;
		}
		t.tested++;
		const char *error = json_read_text(e, "error", NULL);
		if (error) {
			char text[640];
			snprintf(text, sizeof(text), "%s: %s", label, error);
			rc = record(out, &t, FINDING_WARNING, text);
			continue;
		}
		rc = judge_interface(e, label, out, &t);
		if (!rc && strcmp(enumeration, "yes") == 0)
			rc = judge_enumeration(e, label, out, &t);
	}
	if (rc)
		return dl_error_set(err, DL_ENOMEM, "auth.replay: out of memory");
	bool filtered = strcmp(drivers, "all") != 0;
	if (t.fail)
		rc = check_verdict_set(out, VERDICT_FAIL, "%s", t.first_fail);
	else if (t.inconclusive)
		rc = check_verdict_set(out, VERDICT_INCONCLUSIVE, "%s", t.first_inconclusive);
	else if (t.tested == 0 && filtered && profile &&
		 profile_capability(profile, "onvif") == 1 && strstr(drivers, "onvif"))
		rc = check_verdict_set(out, VERDICT_INCONCLUSIVE,
				       "the profile declares onvif but no onvif login adapter; "
				       "declare one (driver onvif) to test the ONVIF interface");
	else if (t.tested == 0 && filtered)
		rc = check_verdict_set(out, VERDICT_NOT_APPLICABLE,
				       "the profile has no login adapter with driver %s", drivers);
	else if (t.tested == 0)
		rc = check_verdict_set(out, VERDICT_INCONCLUSIVE,
				       "the profile declares no login adapter; declare one per "
				       "access interface (docs/profile.md)");
	else
		rc = check_verdict_set(out, VERDICT_PASS, "%s%s", t.first_pass,
				       t.tested > 1 ? "; and every other interface" : "");
	return rc < 0 ? dl_error_set(err, DL_ENOMEM, "auth.replay: out of memory") : 0;
}

static const char *const replay_params[] = {"drivers", "enumeration", NULL};

const struct check check_auth_replay = {
	.id = "auth.replay",
	.summary = "no static credential in clear; a replayed login exchange is refused",
	.collector = &collector_auth_replay,
	.params = replay_params,
	.judge = judge_replay,
};
