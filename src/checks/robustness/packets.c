/* packets: the robustness.packets collector and check: hours of mutated frames of a protocol mix
 * with the DUT's health watched (NCC 5.4.1.6, 5.4.2.4, 5.4.3.2) */
#include "core/compat.h"

#include <json-c/json.h>

#include "checks/check.h"
#include "checks/robustness/judge.h"
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

static int collect_packets(const struct check_context *ctx, struct json_object **observation,
			   struct dl_error *err)
{
	struct campaign_config c;
	robustness_campaign_config(ctx, &c);
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

static const struct robustness_judge packets_judge = {
	.check = "robustness.packets",
	.cases_noun = "test cases",
	.under = "packets",
	.pass_noun = "",
	.unsendable = "cannot be sent by this packet campaign (they need a stateful session "
		      "fuzzer)",
	.sendable = fuzz_template_protocol_known,
	.describe_failure = describe_failure,
};

static int judge_packets(const struct json_object *observation, const struct check_params *params,
			 const struct profile *profile, struct check_verdict *out,
			 struct dl_error *err)
{
	(void)profile;
	return robustness_judge(&packets_judge, observation, params, out, err);
}

static const char *const packets_params[] = {"protocols", "hours", NULL};

const struct collector collector_robustness_packets = {
	.id = "robustness.packets",
	.summary = "mutated frames of the profile's protocol mix for robustness.duration at "
		   "robustness.rate, the DUT's health watched; failures replayed, bisected, saved",
	.needs = NEED_TESTER_INTERFACE | NEED_ROBUSTNESS,
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
