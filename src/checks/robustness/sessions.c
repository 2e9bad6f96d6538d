/* sessions: the robustness.sessions collector and check: hours of mutated messages inside
 * established sessions with the DUT's health watched (NCC 5.4.3.2, TS-0014-1 5.3.2.3) */
#include "core/compat.h"

#include <json-c/json.h>

#include "checks/check.h"
#include "checks/robustness/judge.h"
#include "core/error.h"
#include "core/json-read.h"
#include "core/profile.h"
#include "fuzz/campaign.h"
#include "fuzz/session.h"

/*
 * NCC 5.4.3.2 (router: RIP, OSPF, BGP besides IPv4 and IPv6): the DUT keeps
 * working normally through eight hours of mutated packets. TS-0014-1
 * 5.3.2.3 (camera: RTSP, RTP/RTCP, TLS, annex B): no crash or service stop
 * from malformed lengths, message identifiers or key attributes, for the
 * lab's budget (inventory decision 34: one hour). A protocol's parser runs
 * only inside a session, so its messages come from the session campaign
 * (src/fuzz/session.h), which first brings the session to the state where
 * the parser runs, then mutates there; 5.4.3.2's IPv4 and IPv6 are frames
 * drawn into the same campaign (src/fuzz/session-frames.c: the packet
 * templates), so the five protocols go out mixed, as the clause asks, under
 * one judge and one culprit search. The judge, like robustness.packets':
 *   - a failure (a monitor, or a session that does not come back) is a
 *     fail, with the culprit case and its reproducer;
 *   - a protocol of the clause dutlab cannot send in a session (none of
 *     5.4.3.2's since session-ospf.c), or one left out of robustness.mix or
 *     sent no case, is inconclusive, named;
 *   - fewer seconds than the hours (a shortened run) or a stopped campaign
 *     is inconclusive;
 *   - the whole duration with every protocol and no failure is a pass.
 * A DUT that answers a malformed message with a NOTIFICATION and a reset
 * does what RFC 4271 6 and RFC 7606 ask: resets are counted, never failed.
 * Params: protocols (comma list), hours (default 8).
 */

static int collect_sessions(const struct check_context *ctx, struct json_object **observation,
			    struct dl_error *err)
{
	struct campaign_config c;
	robustness_campaign_config(ctx, &c);
	return session_run(&c, observation, err);
}

static void describe_failure(const struct json_object *f, char *buf, size_t size)
{
	const struct json_object *minimal = json_read_object(f, "minimal");
	struct json_object *cases = minimal ? json_read_array(minimal, "cases") : NULL;
	const char *what = json_read_text(f, "evidence", "a health monitor failed");
	bool confirmed = json_object_get_boolean(json_read_member(f, "reproduced"));
	int64_t first = minimal ? json_read_int(minimal, "first", -1) : -1;
	int64_t last = minimal ? json_read_int(minimal, "last", -1) : -1;
	const struct json_object *w = json_read_object(f, "window");
	if (confirmed && first == last && cases && json_object_array_length(cases) > 0) {
		const struct json_object *c0 = json_object_array_get_idx(cases, 0);
		snprintf(buf, size,
			 "%s; one case alone in a fresh session reproduces it: %s "
			 "(reproducer %s)",
			 what, json_read_text(c0, "description", "?"),
			 json_read_text(f, "reproducer", "none"));
	} else if (confirmed) {
		/* bisected to a range no half of which fails the DUT alone */
		snprintf(buf, size,
			 "%s; replaying cases %" PRId64 "-%" PRId64 " in their sessions "
			 "reproduces it (no smaller set alone did; reproducer %s)",
			 what, first, last, json_read_text(f, "reproducer", "none"));
	} else {
		snprintf(buf, size,
			 "%s; replaying the window (cases %" PRId64 "-%" PRId64 ", %" PRId64
			 " replayed) did not reproduce it (%s)",
			 what, w ? json_read_int(w, "first", -1) : -1,
			 w ? json_read_int(w, "last", -1) : -1, json_read_int(f, "cases_tried", 0),
			 json_read_text(f, "reproducer", "no reproducer"));
	}
}

static bool session_sendable(const char *protocol)
{
	return session_protocol_find(protocol) != NULL;
}

static const struct robustness_judge sessions_judge = {
	.check = "robustness.sessions",
	.cases_noun = "session test cases",
	.under = "session messages",
	.pass_noun = " session messages",
	.unsendable = "cannot be sent in a session by dutlab yet",
	.session_counts = true,
	.sendable = session_sendable,
	.describe_failure = describe_failure,
};

/* Each protocol's own check (the DUT still advertises its routes, ...): how often it ran and
 * what it last saw. */
static int check_findings(const struct json_object *observation, struct check_verdict *out)
{
	struct json_object *protocols = json_read_object(observation, "protocols");
	if (!protocols)
		return 0;
	json_object_object_foreach(protocols, name, po)
	{
		int64_t checks = json_read_int(po, "checks", 0);
		if (checks <= 0)
			continue;
		int rc =
			check_verdict_add(out, FINDING_INFO, NULL,
					  "%s's own check ran %" PRId64 " times (%" PRId64
					  " unhealthy for the whole establish bound); the last: %s",
					  name, checks, json_read_int(po, "checks_failed", 0),
					  json_read_text(po, "last_check", "?"));
		if (rc)
			return rc;
	}
	return 0;
}

static int judge_sessions(const struct json_object *observation, const struct check_params *params,
			  const struct profile *profile, struct check_verdict *out,
			  struct dl_error *err)
{
	(void)profile;
	int rc = robustness_judge(&sessions_judge, observation, params, out, err);
	if (!rc)
		rc = check_findings(observation, out);
	return rc;
}

static const char *const sessions_params[] = {"protocols", "hours", NULL};

const struct collector collector_robustness_sessions = {
	.id = "robustness.sessions",
	.summary = "mutated messages inside sessions of the profile's protocols (bgp, ospf, rip, "
		   "rtsp, rtp, rtcp, tls; ipv4 and ipv6 frames mixed in) for robustness.duration, "
		   "the DUT's health and sessions watched; failures' windows replayed in their "
		   "sessions, bisected, saved",
	.needs = NEED_TESTER_INTERFACE | NEED_ROBUSTNESS,
	.timeout_seconds = 9 * 3600,
	.expected_seconds = 60,
	.changes_dut = true,
	.collect = collect_sessions,
};

const struct check check_robustness_sessions = {
	.id = "robustness.sessions",
	.summary = "the DUT keeps working through mutated messages in sessions of the clause's "
		   "protocols for the hours it asks (NCC 5.4.3.2, TS-0014-1 5.3.2.3)",
	.collector = &collector_robustness_sessions,
	.params = sessions_params,
	.judge = judge_sessions,
};
