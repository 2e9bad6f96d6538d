/* idle-judge: the session.idle-timeout check: an idle session needs a new login (NCC 5.3.1.1,
 * TS-0014-1 5.4.3.2) */
#include "core/compat.h"

#include <json-c/json.h>

#include "checks/check.h"
#include "checks/session/session.h"
#include "core/error.h"
#include "core/json-read.h"

/*
 * NCC 5.3.1.1: after the configured idle time the account is locked or
 * logged out, and only a new name and password let the user go on.
 * TS-0014-1 5.4.3.2: an idle time limit exists for the user to set, and a
 * remote connection that timed out, was lost or ended needs a new
 * authentication (inventory decision 16: test at the configured value).
 *
 * The collector (session.idle) wrote, beside session.h's common members:
 *   "idle_timeout": seconds declared (auth.idle_timeout; 0: none),
 *   "set_operation": {"declared": bool, "exit_status", "timed_out",
 *                     "output_tail", "transcript"},
 *   per INTERFACE: "login": RESPONSE, "first": RESPONSE (probe right after
 *   the login), "waited_s", "second": RESPONSE (probe after the wait).
 * Interfaces whose driver cannot probe a session (one that sends the
 * credentials with every request: basic, digest, RTSP, ONVIF) have no
 * session to time out and are listed, not judged.
 * Param settable: "required" (TS 5.4.3.2: without a declared
 * set_idle_timeout operation that worked, the best verdict is manual) or
 * "no" (NCC 5.3.1.1, the default). Param drivers (comma list, default all)
 * keeps only those interfaces: TS 5.2.6.3 asks 5.4.3 of the ONVIF
 * interface, whose every request carries its own UsernameToken; when every
 * such interface is of that kind ("stateless" in the observation) there is
 * no session to outlive an idle time, and the clause holds by construction
 * (the replay of such a token is auth.replay's business).
 */

static int judge_idle(const struct json_object *observation, const struct check_params *params,
		      const struct profile *profile, struct check_verdict *out,
		      struct dl_error *err)
{
	(void)profile;
	const char *settable = check_param_get(params, "settable", "no");
	const char *drivers = check_param_get(params, "drivers", "all");
	bool filtered = strcmp(drivers, "all") != 0;
	if (strcmp(settable, "required") != 0 && strcmp(settable, "no") != 0)
		return dl_error_set(err, DL_EINVAL,
				    "session.idle-timeout: param settable '%s' is not required or "
				    "no",
				    settable);
	struct json_object *interfaces = json_read_array(observation, "interfaces");
	if (!interfaces)
		return dl_error_set(err, DL_EINVAL,
				    "session.idle-timeout: the observation lacks interfaces");
	int64_t idle = json_read_int(observation, "idle_timeout", 0);
	int rc = 0;
	if (idle <= 0) {
		rc = check_verdict_set(
			out, VERDICT_INCONCLUSIVE,
			"the profile declares no auth.idle_timeout, so dutlab does not "
			"know how long to stay idle; declare the DUT's configured "
			"idle timeout");
		return rc < 0 ? dl_error_set(err, DL_ENOMEM, "out of memory") : 0;
	}
	size_t tested = 0, ended = 0, alive = 0, unknown = 0, matched = 0, stateless = 0;
	char first_alive[512] = "", first_unknown[512] = "", first_ended[512] = "";
	for (size_t i = 0; i < json_read_length(interfaces) && !rc; i++) {
		struct json_object *e = json_object_array_get_idx(interfaces, i);
		if (!session_driver_listed(drivers, json_read_text(e, "driver", "")))
			continue;
		matched++;
		char label[160];
		session_label(e, label, sizeof(label));
		const char *skipped = json_read_text(e, "skipped", NULL);
		stateless += skipped && json_read_true(e, "stateless");
		if (skipped) {
			rc = check_verdict_add(out, FINDING_INFO, NULL, "%s: not tested: %s", label,
					       skipped);
			continue;
		}
		tested++;
		struct json_object *login = json_read_object(e, "login");
		struct json_object *first = json_read_object(e, "first");
		struct json_object *second = json_read_object(e, "second");
		int64_t waited = json_read_int(e, "waited_s", 0);
		char text[512];
		const char *error = json_read_text(e, "error", NULL);
		if (error) {
			snprintf(text, sizeof(text), "%s: %s", label, error);
		} else if (!session_outcome_is(login, "accepted")) {
			snprintf(text, sizeof(text),
				 "%s: the login was %s (status %" PRId64 "): %s", label,
				 json_read_text(login, "outcome", "not made"),
				 json_read_int(login, "status", 0),
				 json_read_text(login, "excerpt", ""));
		} else if (!session_outcome_is(first, "accepted")) {
			snprintf(text, sizeof(text),
				 "%s: the session probe right after login was %s (status %" PRId64
				 "), so a refusal after the wait would prove nothing",
				 label, json_read_text(first, "outcome", "not made"),
				 json_read_int(first, "status", 0));
		} else if (!second) {
			snprintf(text, sizeof(text), "%s: no probe after the wait (%s)", label,
				 json_read_text(e, "stopped", "the collector stopped first"));
		} else if (session_outcome_is(second, "accepted")) {
			alive++;
			snprintf(text, sizeof(text),
				 "%s: the session still worked after %" PRId64
				 " s idle (idle timeout %" PRId64 " s; probe status %" PRId64 ")",
				 label, waited, idle, json_read_int(second, "status", 0));
			if (!first_alive[0])
				snprintf(first_alive, sizeof(first_alive), "%s", text);
			rc = check_verdict_add(out, FINDING_FAIL,
					       json_read_text(e, "evidence", NULL), "%s", text);
			continue;
		} else if (!json_read_object(e, "relogin") ||
			   session_outcome_is(json_read_object(e, "relogin"), "unreachable")) {
			/* a refused new login still shows the interface up (a locked
			 * test account); only silence leaves the session's end unproven */
			snprintf(text, sizeof(text),
				 "%s: after %" PRId64
				 " s idle the probe was %s, but a new login was %s "
				 "too: the interface, not the session, may have gone",
				 label, waited, json_read_text(second, "outcome", "?"),
				 json_read_text(json_read_object(e, "relogin"), "outcome",
						"not made"));
		} else {
			ended++;
			snprintf(text, sizeof(text),
				 "%s: the session was ended after %" PRId64
				 " s idle (idle timeout %" PRId64
				 " s): the probe was %s (status %" PRId64 "), having been accepted "
				 "right after login, and the interface answered a new login",
				 label, waited, idle, json_read_text(second, "outcome", "?"),
				 json_read_int(second, "status", 0));
			if (!first_ended[0])
				snprintf(first_ended, sizeof(first_ended), "%s", text);
			rc = check_verdict_add(out, FINDING_PASS,
					       json_read_text(e, "evidence", NULL), "%s", text);
			continue;
		}
		unknown++;
		if (!first_unknown[0])
			snprintf(first_unknown, sizeof(first_unknown), "%s", text);
		rc = check_verdict_add(out, FINDING_WARNING, json_read_text(e, "evidence", NULL),
				       "%s", text);
	}
	struct json_object *set = json_read_object(observation, "set_operation");
	bool set_declared = json_read_true(set, "declared");
	bool set_ok = set_declared && json_read_int(set, "exit_status", -1) == 0 &&
		      !json_read_true(set, "timed_out");
	if (!rc && set_declared)
		rc = check_verdict_add(out, set_ok ? FINDING_PASS : FINDING_WARNING,
				       json_read_text(set, "transcript", NULL),
				       "the profile's set_idle_timeout operation %s (exit status "
				       "%" PRId64 ")%s%s",
				       set_ok ? "set the idle timeout" : "failed",
				       json_read_int(set, "exit_status", -1),
				       json_read_true(set, "timed_out") ? ", timed out" : "",
				       set_ok ? "" : json_read_text(set, "output_tail", ""));
	if (rc)
		return dl_error_set(err, DL_ENOMEM, "session.idle-timeout: out of memory");

	bool need_set = strcmp(settable, "required") == 0;
	if (alive)
		rc = check_verdict_set(out, VERDICT_FAIL, "%s", first_alive);
	else if (unknown)
		rc = check_verdict_set(out, VERDICT_INCONCLUSIVE, "%s", first_unknown);
	else if (filtered && matched == 0)
		rc = check_verdict_set(out, VERDICT_NOT_APPLICABLE,
				       "the profile has no login adapter with driver %s", drivers);
	else if (filtered && tested == 0 && stateless == matched)
		rc = check_verdict_set(
			out, VERDICT_PASS,
			"every %s interface (%zu) authenticates each request with its "
			"own credentials: no session outlives an idle time, a new "
			"request always needs authentication",
			drivers, matched);
	else if (tested == 0)
		rc = check_verdict_set(out, VERDICT_INCONCLUSIVE,
				       "no login interface keeps a session dutlab can probe "
				       "(LOGIN_CAN_PROBE: a whoami_url, an SSH or telnet shell) "
				       "among %zu login interface(s)",
				       json_read_length(interfaces));
	else if (need_set && set_declared && !set_ok)
		rc = check_verdict_set(
			out, VERDICT_INCONCLUSIVE,
			"every session (%zu) ended after the idle time, but the "
			"set_idle_timeout operation failed, so settability is not shown",
			ended);
	else if (need_set && !set_declared)
		rc = check_verdict_set(
			out, VERDICT_MANUAL,
			"%s; %zu of %zu sessions ended, but settability is not "
			"verified (the profile declares no set_idle_timeout "
			"operation): confirm that the user can set the idle time limit",
			first_ended, ended, tested);
	else
		rc = check_verdict_set(out, VERDICT_PASS, "%s%s%s", first_ended,
				       ended > 1 ? "; and every other session" : "",
				       need_set
					       ? "; the idle timeout was set through the profile's "
						 "set_idle_timeout operation"
					       : "");
	return rc < 0 ? dl_error_set(err, DL_ENOMEM, "session.idle-timeout: out of memory") : 0;
}

static const char *const idle_params[] = {"settable", "drivers", NULL};

const struct check check_session_idle_timeout = {
	.id = "session.idle-timeout",
	.summary = "an idle session on every login interface needs a new login after the idle "
		   "timeout",
	.collector = &collector_session_idle,
	.params = idle_params,
	.judge = judge_idle,
};
