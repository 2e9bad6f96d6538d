/* sessions: the robustness.sessions collector and check: hours of mutated messages inside
 * established routing sessions with the DUT's health watched (NCC 5.4.3.2) */
#include "core/compat.h"

#include <json-c/json.h>

#include "checks/check.h"
#include "core/error.h"
#include "core/json-read.h"
#include "core/profile.h"
#include "fuzz/campaign.h"
#include "fuzz/session.h"

/*
 * NCC 5.4.3.2 (router: RIP, OSPF, BGP besides IPv4 and IPv6): the DUT keeps
 * working normally through eight hours of mutated packets. A routing
 * protocol's parser runs only inside a session, so its messages come from
 * the session campaign (src/fuzz/session.h), which first brings the
 * session up, then mutates there; the packet protocols of the clause are
 * robustness.packets'. The judge, like robustness.packets':
 *   - a failure (a monitor, or a session that does not come back) is a
 *     fail, with the culprit case and its reproducer;
 *   - a protocol of the clause dutlab cannot send in a session yet
 *     (ospf), or one left out of robustness.mix or sent no case, is
 *     inconclusive, named;
 *   - fewer seconds than the hours (a shortened run) or a stopped campaign
 *     is inconclusive;
 *   - the whole duration with every protocol and no failure is a pass.
 * A DUT that answers a malformed message with a NOTIFICATION and a reset
 * does what RFC 4271 6 and RFC 7606 ask: resets are counted, never failed.
 * Params: protocols (comma list), hours (default 8).
 */

static void progress_relay(void *opaque, uint64_t done, uint64_t total, const char *what)
{
	const struct check_context *ctx = opaque;
	if (ctx->progress)
		ctx->progress(ctx->progress_opaque, done, total, what);
}

static int collect_sessions(const struct check_context *ctx, struct json_object **observation,
			    struct dl_error *err)
{
	struct campaign_config c = {
		.profile = ctx->profile,
		.evidence_dir = ctx->evidence_dir,
		.campaign_dir = ctx->campaign_dir,
		.deadline_ns = ctx->deadline_ns,
		.progress = progress_relay,
		.progress_opaque = (void *)ctx,
	};
	return session_run(&c, observation, err);
}

static void describe_failure(const struct json_object *f, char *buf, size_t size)
{
	const struct json_object *minimal = json_read_object(f, "minimal");
	struct json_object *cases = minimal ? json_read_array(minimal, "cases") : NULL;
	const char *what = json_read_text(f, "evidence", "a health monitor failed");
	bool confirmed = json_object_get_boolean(json_read_member(f, "reproduced"));
	if (confirmed && cases && json_object_array_length(cases) > 0) {
		const struct json_object *c0 = json_object_array_get_idx(cases, 0);
		snprintf(buf, size,
			 "%s; one case alone in a fresh session reproduces it: %s "
			 "(reproducer %s)",
			 what, json_read_text(c0, "description", "?"),
			 json_read_text(f, "reproducer", "none"));
	} else {
		snprintf(buf, size,
			 "%s; no recent case alone reproduced it (%" PRId64 " replayed; the "
			 "newest in %s)",
			 what, json_read_int(f, "cases_tried", 0),
			 json_read_text(f, "reproducer", "no reproducer"));
	}
}

static int judge_sessions(const struct json_object *observation, const struct check_params *params,
			  const struct profile *profile, struct check_verdict *out,
			  struct dl_error *err)
{
	(void)profile;
	const char *wanted = check_param_get(params, "protocols", "");
	const char *hours_text = check_param_get(params, "hours", "8");
	char *end = NULL;
	double hours = strtod(hours_text, &end);
	if (!end || *end || hours <= 0)
		return dl_error_set(err, DL_EINVAL,
				    "robustness.sessions: hours '%s' is not a number", hours_text);
	struct json_object *protocols = json_read_object(observation, "protocols");
	struct json_object *failures = json_read_array(observation, "failures");
	if (!protocols || !failures)
		return dl_error_set(
			err, DL_EINVAL,
			"robustness.sessions: the observation lacks protocols or failures");
	int64_t cases = json_read_int(observation, "cases", 0);
	struct json_object *s = json_read_member(observation, "seconds_run");
	double seconds = s ? json_object_get_double(s) : 0;
	char counts[1024] = "";
	size_t used = 0;
	json_object_object_foreach(protocols, name, po)
	{
		int w = snprintf(counts + used, sizeof(counts) - used,
				 "%s%s %" PRId64 " (%" PRId64 "/%" PRId64
				 " field-anomaly pairs; %" PRId64 " sessions, %" PRId64 " resets)",
				 used ? ", " : "", name, json_read_int(po, "cases", 0),
				 json_read_int(po, "hit", 0), json_read_int(po, "offered", 0),
				 json_read_int(po, "sessions", 0), json_read_int(po, "resets", 0));
		if (w > 0 && (size_t)w < sizeof(counts) - used)
			used += (size_t)w;
	}
	int rc = check_verdict_add(out, FINDING_INFO, NULL,
				   "%" PRId64 " session test cases in %.0f s (seed %" PRId64
				   ", %" PRId64 " cases/s asked): %s",
				   cases, seconds, json_read_int(observation, "seed", 0),
				   json_read_int(observation, "rate", 0), counts);
	size_t n = json_object_array_length(failures);
	char first[1024] = "";
	for (size_t i = 0; i < n && !rc; i++) {
		const struct json_object *f = json_object_array_get_idx(failures, i);
		char text[1024];
		describe_failure(f, text, sizeof(text));
		if (!first[0])
			snprintf(first, sizeof(first), "%s", text);
		rc = check_verdict_add(out, FINDING_FAIL, json_read_text(f, "reproducer", NULL),
				       "after %.0f s: %s",
				       json_object_get_double(json_read_member(f, "at_s")), text);
	}
	if (rc)
		return rc;
	if (n)
		return check_verdict_set(
			out, VERDICT_FAIL,
			"the DUT stopped working normally %zu time%s under mutated "
			"session messages: %s",
			n, n == 1 ? "" : "s", first);
	char missing[256] = "", unsendable[256] = "";
	char list[256];
	snprintf(list, sizeof(list), "%s", wanted);
	char *save = NULL;
	for (char *p = strtok_r(list, ",", &save); p; p = strtok_r(NULL, ",", &save)) {
		struct json_object *entry = json_read_object(protocols, p);
		if (entry && json_read_int(entry, "cases", 0) > 0)
			continue;
		char *into = session_protocol_find(p) ? missing : unsendable;
		size_t l = strlen(into);
		snprintf(into + l, sizeof(missing) - l, "%s%s", l ? ", " : "", p);
	}
	const char *stopped = json_read_text(observation, "stopped", NULL);
	if (unsendable[0])
		return check_verdict_set(
			out, VERDICT_INCONCLUSIVE,
			"no failure in %.0f s (%" PRId64 " session test cases), "
			"but the clause's protocols %s cannot be sent in a session "
			"by dutlab yet%s%s%s",
			seconds, cases, unsendable, missing[0] ? "; and " : "", missing,
			missing[0] ? " were not in the mix (robustness.mix)" : "");
	if (missing[0])
		return check_verdict_set(out, VERDICT_INCONCLUSIVE,
					 "no failure in %.0f s, but the clause's protocols %s were "
					 "not in the mix (robustness.mix)",
					 seconds, missing);
	if (stopped)
		return check_verdict_set(
			out, VERDICT_INCONCLUSIVE,
			"no failure in %.0f s of %.0f h, but the campaign stopped: %s", seconds,
			hours, stopped);
	if (seconds + 1 < hours * 3600)
		return check_verdict_set(
			out, VERDICT_INCONCLUSIVE,
			"no failure in %.0f s (%" PRId64 " session test cases of %s), but the "
			"standard asks %.0f h: a shortened run (robustness.duration)",
			seconds, cases, wanted, hours);
	return check_verdict_set(out, VERDICT_PASS,
				 "the DUT worked normally through %.1f h of mutated %s session "
				 "messages (%" PRId64 " test cases; no health failure)",
				 seconds / 3600, wanted, cases);
}

static const char *const sessions_params[] = {"protocols", "hours", NULL};

const struct collector collector_robustness_sessions = {
	.id = "robustness.sessions",
	.summary = "mutated messages inside sessions of the profile's routing protocols (bgp, rip) "
		   "for robustness.duration, the DUT's health and sessions watched; failures "
		   "replayed one per session, saved",
	.needs = NEED_TESTER_INTERFACE,
	.timeout_seconds = 9 * 3600,
	.expected_seconds = 60,
	.changes_dut = true,
	.collect = collect_sessions,
};

const struct check check_robustness_sessions = {
	.id = "robustness.sessions",
	.summary = "the DUT keeps working through mutated messages in sessions of the clause's "
		   "routing protocols for the hours it asks (NCC 5.4.3.2)",
	.collector = &collector_robustness_sessions,
	.params = sessions_params,
	.judge = judge_sessions,
};
