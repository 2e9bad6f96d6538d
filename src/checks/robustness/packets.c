/* packets: the robustness.packets collector and check: hours of mutated frames of a protocol mix
 * with the DUT's health watched (NCC 5.4.1.6, 5.4.2.4, 5.4.3.2) */
#include "core/compat.h"

#include <json-c/json.h>

#include "checks/check.h"
#include "core/error.h"
#include "core/json-read.h"
#include "core/profile.h"
#include "fuzz/campaign.h"
#include "fuzz/template.h"

/*
 * NCC 5.4.1.6 (firewall: IPv4, IPv6, ICMPv4, ICMPv6), 5.4.2.4 (switch:
 * ARP, Ethernet MAC frames, Ethernet control frames, 802.1Q, LLDP) and
 * 5.4.3.2 (router: RIP, OSPF, BGP, IPv4, IPv6): the DUT keeps working
 * normally through eight hours of mixed mutated packets.
 * The collector runs the campaign the profile's robustness section
 * describes (src/fuzz/campaign.h); the judge reads it against the clause's
 * protocols and hours:
 *   - a health failure is a fail, with the case that reproduces it and its
 *     pcapng (or the window when the replay did not confirm it);
 *   - a protocol of the clause missing from the mix, or sent no case, is
 *     inconclusive (the clause asks for the mix); the summary says which the
 *     profile left out and which dutlab has no templates for (the routing
 *     protocols of 5.4.3.2 need stateful sessions: a later fuzzer);
 *   - fewer seconds run than the hours asked (a shortened lab run, a
 *     campaign stopped early) is inconclusive: nothing failed in the time
 *     run, which the summary states against the hours (decision #34);
 *   - the whole duration with every protocol and no failure is a pass.
 * Params: protocols (comma list of the mix's names), hours (default 8).
 */

static void progress_relay(void *opaque, uint64_t done, uint64_t total, const char *what)
{
	const struct check_context *ctx = opaque;
	if (ctx->progress)
		ctx->progress(ctx->progress_opaque, done, total, what);
}

static int collect_packets(const struct check_context *ctx, struct json_object **observation,
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
	return campaign_run(&c, observation, err);
}

/* The first failure's words: which monitor, what it saw, and what reproduces it. */
static void describe_failure(const struct json_object *f, char *buf, size_t size)
{
	const struct json_object *minimal = json_read_object(f, "minimal");
	struct json_object *cases = minimal ? json_read_array(minimal, "cases") : NULL;
	const char *what = json_read_text(f, "evidence", "a health monitor failed");
	int64_t first = minimal ? json_read_int(minimal, "first", -1) : -1;
	int64_t last = minimal ? json_read_int(minimal, "last", -1) : -1;
	bool confirmed = json_object_get_boolean(json_read_member(f, "reproduced"));
	if (confirmed && first >= 0 && first == last && cases &&
	    json_object_array_length(cases) > 0) {
		const struct json_object *c0 = json_object_array_get_idx(cases, 0);
		snprintf(buf, size, "%s; one case reproduces it: %s (reproducer %s)", what,
			 json_read_text(c0, "description", "?"),
			 json_read_text(f, "reproducer", "none"));
	} else if (confirmed) {
		snprintf(buf, size,
			 "%s; replaying cases %" PRId64 "-%" PRId64
			 " reproduces it (no smaller set "
			 "alone did; reproducer %s)",
			 what, first, last, json_read_text(f, "reproducer", "none"));
	} else {
		const struct json_object *w = json_read_object(f, "window");
		snprintf(buf, size,
			 "%s; replaying the window (cases %" PRId64 "-%" PRId64
			 ") did not reproduce "
			 "it (frames in %s)",
			 what, w ? json_read_int(w, "first", -1) : -1,
			 w ? json_read_int(w, "last", -1) : -1,
			 json_read_text(f, "reproducer", "none"));
	}
}

static int judge_packets(const struct json_object *observation, const struct check_params *params,
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
				    "robustness.packets: hours '%s' is not a number", hours_text);
	struct json_object *protocols = json_read_object(observation, "protocols");
	struct json_object *failures = json_read_array(observation, "failures");
	if (!protocols || !failures)
		return dl_error_set(
			err, DL_EINVAL,
			"robustness.packets: the observation lacks protocols or failures");
	int64_t cases = json_read_int(observation, "cases", 0);
	double seconds = 0;
	struct json_object *s = json_read_member(observation, "seconds_run");
	if (s)
		seconds = json_object_get_double(s);
	int rc = 0;
	/* what was sent, per protocol, as findings */
	char counts[1024] = "";
	size_t used = 0;
	json_object_object_foreach(protocols, name, po)
	{
		int w = snprintf(counts + used, sizeof(counts) - used,
				 "%s%s %" PRId64 " (%" PRId64 "/%" PRId64 " field-anomaly pairs)",
				 used ? ", " : "", name, json_read_int(po, "cases", 0),
				 json_read_int(po, "hit", 0), json_read_int(po, "offered", 0));
		if (w > 0 && (size_t)w < sizeof(counts) - used)
			used += (size_t)w;
	}
	rc = check_verdict_add(out, FINDING_INFO, "evidence/robustness/sent.pcapng",
			       "%" PRId64 " test cases in %.0f s (seed %" PRId64 ", %" PRId64
			       " cases/s asked): %s",
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
			"packets: %s",
			n, n == 1 ? "" : "s", first);
	/* every protocol of the clause must be in the mix and sent */
	char missing[256] = "", unsendable[256] = "";
	char list[256];
	snprintf(list, sizeof(list), "%s", wanted);
	char *save = NULL;
	for (char *p = strtok_r(list, ",", &save); p; p = strtok_r(NULL, ",", &save)) {
		struct json_object *entry = json_read_object(protocols, p);
		if (entry && json_read_int(entry, "cases", 0) > 0)
			continue;
		char *into = fuzz_template_protocol_known(p) ? missing : unsendable;
		size_t l = strlen(into);
		snprintf(into + l, sizeof(missing) - l, "%s%s", l ? ", " : "", p);
	}
	const char *stopped = json_read_text(observation, "stopped", NULL);
	if (unsendable[0])
		return check_verdict_set(out, VERDICT_INCONCLUSIVE,
					 "no failure in %.0f s (%" PRId64 " test cases), but the "
					 "clause's protocols %s cannot be sent by this packet "
					 "campaign (they need a stateful session fuzzer)%s%s%s",
					 seconds, cases, unsendable, missing[0] ? "; and " : "",
					 missing,
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
			"no failure in %.0f s (%" PRId64 " test cases of %s), but the "
			"standard asks %.0f h: a shortened run (robustness.duration)",
			seconds, cases, wanted, hours);
	return check_verdict_set(out, VERDICT_PASS,
				 "the DUT worked normally through %.1f h of mutated %s (%" PRId64
				 " test cases; no health failure)",
				 seconds / 3600, wanted, cases);
}

static const char *const packets_params[] = {"protocols", "hours", NULL};

const struct collector collector_robustness_packets = {
	.id = "robustness.packets",
	.summary = "mutated frames of the profile's protocol mix for robustness.duration at "
		   "robustness.rate, the DUT's health watched; failures replayed, bisected, saved",
	.needs = NEED_TESTER_INTERFACE,
	/* 8 h plus the failures' replays: the runner's deadline is the campaign's own */
	.timeout_seconds = 9 * 3600,
	.expected_seconds = 60,
	/* it sends attack traffic: after every collector that only observes */
	.changes_dut = true,
	.collect = collect_packets,
};

const struct check check_robustness_packets = {
	.id = "robustness.packets",
	.summary = "the DUT keeps working through mutated packets of the clause's protocols for "
		   "the hours it asks (NCC 5.4.1.6, 5.4.2.4, 5.4.3.2)",
	.collector = &collector_robustness_packets,
	.params = packets_params,
	.judge = judge_packets,
};
