/* test-sessions-judge: the robustness.sessions judge on canned session campaign observations */
#include "core/compat.h"

#include <setjmp.h>
#include <cmocka.h>
#include <json-c/json.h>

#include "checks/check.h"
#include "core/error.h"

/* NCC 5.4.3.2 as the catalog cites it */
static const struct check_param router[] = {{"protocols", "rip,ospf,bgp"}, {"hours", "8"}};
/* a clause naming a protocol no session plug-in sends */
static const struct check_param with_isis[] = {{"protocols", "rip,isis,bgp"}, {"hours", "8"}};
/* a clause of BGP alone, to reach the pass */
static const struct check_param bgp_only[] = {{"protocols", "bgp"}, {"hours", "8"}};

static struct check_verdict *judge(const char *observation, const struct check_param *params,
				   size_t count)
{
	const struct check *c = check_find("robustness.sessions");
	assert_non_null(c);
	struct json_object *o = json_tokener_parse(observation);
	assert_non_null(o);
	struct check_verdict *v = calloc(1, sizeof(*v));
	assert_non_null(v);
	struct check_params p = {.items = params, .count = count};
	struct dl_error err = {0};
	if (c->judge(o, &p, NULL, v, &err) != 0)
		fail_msg("judge: %s", err.message);
	json_object_put(o);
	print_message("    %s: %s\n", verdict_name(v->verdict), v->summary);
	return v;
}

static void expect(struct check_verdict *v, enum verdict verdict, const char *part)
{
	if (v->verdict != verdict)
		fail_msg("verdict %s, expected %s: %s", verdict_name(v->verdict),
			 verdict_name(verdict), v->summary);
	if (part && !strstr(v->summary, part))
		fail_msg("summary lacks '%s': %s", part, v->summary);
	check_verdict_release(v);
	free(v);
}

#define BGP_SENT                                                                                   \
	"\"protocols\": {\"bgp\": {\"cases\": 5000, \"hit\": 200, \"offered\": 398, "              \
	"\"sessions\": 3100, \"resets\": 3099}}"

static void full_run_without_failure_passes(void **state)
{
	(void)state;
	/* resets are the DUT refusing malformed UPDATEs correctly: never a failure */
	struct check_verdict *v = judge("{\"cases\": 5000, \"seconds_run\": 28800.2, \"seed\": 1, "
					"\"rate\": 50, \"failures\": [], " BGP_SENT "}",
					bgp_only, 2);
	bool counted = false;
	for (size_t i = 0; i < v->finding_count; i++)
		counted |= v->findings[i].severity == FINDING_INFO &&
			   strstr(v->findings[i].text, "bgp 5000 (200/398 field-anomaly pairs; "
						       "3100 sessions, 3099 resets)") != NULL;
	assert_true(counted);
	expect(v, VERDICT_PASS, "through 8.0 h of mutated bgp session messages");
}

static void routing_clause_names_what_cannot_be_sent(void **state)
{
	(void)state;
	/* even at full length: isis has no session plug-in, and rip was not in the mix */
	expect(judge("{\"cases\": 5000, \"seconds_run\": 28800, \"failures\": [], " BGP_SENT "}",
		     with_isis, 2),
	       VERDICT_INCONCLUSIVE,
	       "the clause's protocols isis cannot be sent in a session by dutlab yet; and rip "
	       "were not in the mix");
	/* a shortened lab run of bgp alone: still the unsendable ones named first */
	expect(judge("{\"cases\": 600, \"seconds_run\": 60, \"failures\": [], " BGP_SENT "}",
		     with_isis, 2),
	       VERDICT_INCONCLUSIVE, "protocols isis cannot be sent in a session");
	/* NCC 5.4.3.2 itself: every protocol has its plug-in, rip and ospf left out of the mix */
	expect(judge("{\"cases\": 5000, \"seconds_run\": 28800, \"failures\": [], " BGP_SENT "}",
		     router, 2),
	       VERDICT_INCONCLUSIVE, "the clause's protocols rip, ospf were not in the mix");
}

/* TS-0014-1 5.3.2.3's rtp and rtcp sent over UDP (the rtp-udp, rtcp-udp plug-ins) count as
 * rtp and rtcp: the same messages on the negotiated ports; a name that merely begins the same
 * does not ("rtpx" is not rtp). */
static void transport_variant_counts_for_its_protocol(void **state)
{
	(void)state;
	static const struct check_param camera[] = {{"protocols", "rtsp,rtp,rtcp"}, {"hours", "1"}};
	expect(judge("{\"cases\": 3000, \"seconds_run\": 3600, \"failures\": [], "
		     "\"protocols\": {\"rtsp\": {\"cases\": 1000}, \"rtp-udp\": {\"cases\": 1000}, "
		     "\"rtcp-udp\": {\"cases\": 1000}}}",
		     camera, 2),
	       VERDICT_PASS, NULL);
	expect(judge("{\"cases\": 2000, \"seconds_run\": 3600, \"failures\": [], "
		     "\"protocols\": {\"rtsp\": {\"cases\": 1000}, \"rtpx\": {\"cases\": 1000}, "
		     "\"rtcp-udp\": {\"cases\": 0}}}",
		     camera, 2),
	       VERDICT_INCONCLUSIVE, "rtp, rtcp were not in the mix");
}

static void shortened_run_is_inconclusive(void **state)
{
	(void)state;
	expect(judge("{\"cases\": 600, \"seconds_run\": 60, \"failures\": [], " BGP_SENT "}",
		     bgp_only, 2),
	       VERDICT_INCONCLUSIVE, "but the standard asks 8 h: a shortened run");
}

static void bgp_left_out_is_inconclusive(void **state)
{
	(void)state;
	expect(judge("{\"cases\": 0, \"seconds_run\": 0, \"failures\": [], \"stopped\": "
		     "\"robustness.mix names no session protocol (bgp)\", \"protocols\": {}}",
		     bgp_only, 2),
	       VERDICT_INCONCLUSIVE, "the clause's protocols bgp were not in the mix");
}

static void stopped_run_is_inconclusive(void **state)
{
	(void)state;
	expect(judge("{\"cases\": 5000, \"seconds_run\": 28000, \"failures\": [], \"stopped\": "
		     "\"the collector's deadline came\", " BGP_SENT "}",
		     bgp_only, 2),
	       VERDICT_INCONCLUSIVE, "but the campaign stopped: the collector's deadline came");
}

static void culprit_fails_with_its_reproducer(void **state)
{
	(void)state;
	struct check_verdict *v = judge(
		"{\"cases\": 117, \"seconds_run\": 2, \"failures\": [{\"at_s\": 22, \"monitor\": "
		"\"bgp\", \"evidence\": \"the DUT's bgp session could not be re-established within "
		"20 s\", \"window\": {\"first\": 101, \"last\": 116}, \"reproduced\": true, "
		"\"cases_tried\": 2, \"minimal\": {\"first\": 115, \"last\": 115, \"cases\": "
		"[{\"index\": 115, \"description\": \"bgp-update-ipv6 #115 (seed 1): count-wrong "
		"bgp.as_path.segment_length 1 -> 2\"}]}, \"reproducer\": "
		"\"evidence/robustness/session-failure-1.pcapng\"}], " BGP_SENT "}",
		router, 2);
	assert_int_equal(v->verdict, VERDICT_FAIL);
	assert_non_null(strstr(v->summary, "one case alone in a fresh session reproduces it: "
					   "bgp-update-ipv6 #115 (seed 1): count-wrong "
					   "bgp.as_path.segment_length 1 -> 2"));
	bool has = false;
	for (size_t i = 0; i < v->finding_count; i++)
		has |= v->findings[i].severity == FINDING_FAIL && v->findings[i].evidence &&
		       strcmp(v->findings[i].evidence,
			      "evidence/robustness/session-failure-1.pcapng") == 0;
	assert_true(has);
	expect(v, VERDICT_FAIL, "could not be re-established within 20 s");
}

static void unreproduced_failure_still_fails(void **state)
{
	(void)state;
	expect(judge("{\"cases\": 300, \"seconds_run\": 9, \"failures\": [{\"at_s\": 9, "
		     "\"monitor\": \"icmp\", \"evidence\": \"no echo reply\", \"reproduced\": "
		     "false, \"window\": {\"first\": 40, \"last\": 299}, "
		     "\"cases_tried\": 260, \"reproducer\": "
		     "\"evidence/robustness/session-failure-1.pcapng\"}], " BGP_SENT "}",
		     bgp_only, 2),
	       VERDICT_FAIL,
	       "no echo reply; replaying the window (cases 40-299, 260 replayed) did not "
	       "reproduce it (evidence/robustness/session-failure-1.pcapng)");
}

/* Bisected to two cases needed together: the range, and its reproducer. */
static void range_reproduces(void **state)
{
	(void)state;
	expect(judge("{\"cases\": 300, \"seconds_run\": 9, \"failures\": [{\"at_s\": 9, "
		     "\"monitor\": \"tcp\", \"evidence\": \"refused\", \"reproduced\": true, "
		     "\"window\": {\"first\": 40, \"last\": 299}, \"cases_tried\": 900, "
		     "\"minimal\": {\"first\": 100, \"last\": 131, \"bisect_steps\": 3, "
		     "\"cases\": [{\"index\": 100, \"description\": \"x\"}]}, \"reproducer\": "
		     "\"evidence/robustness/session-failure-1.pcapng\"}], " BGP_SENT "}",
		     bgp_only, 2),
	       VERDICT_FAIL,
	       "refused; replaying cases 100-131 in their sessions reproduces it (no smaller set "
	       "alone did; reproducer evidence/robustness/session-failure-1.pcapng)");
}

static void bad_input_is_an_error(void **state)
{
	(void)state;
	const struct check *c = check_find("robustness.sessions");
	assert_non_null(c);
	struct check_param bad[] = {{"hours", "eight"}};
	struct check_params p = {.items = bad, .count = 1};
	struct json_object *o = json_tokener_parse("{\"failures\": [], \"protocols\": {}}");
	struct check_verdict v = {0};
	struct dl_error err = {0};
	assert_int_equal(c->judge(o, &p, NULL, &v, &err), DL_EINVAL);
	assert_non_null(strstr(err.message, "hours 'eight' is not a number"));
	json_object_put(o);
	check_verdict_release(&v);
	o = json_tokener_parse("{\"cases\": 3}");
	struct check_params ok = {.items = router, .count = 2};
	memset(&err, 0, sizeof(err));
	assert_int_equal(c->judge(o, &ok, NULL, &v, &err), DL_EINVAL);
	assert_non_null(strstr(err.message, "lacks protocols or failures"));
	json_object_put(o);
	check_verdict_release(&v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(full_run_without_failure_passes),
		cmocka_unit_test(range_reproduces),
		cmocka_unit_test(routing_clause_names_what_cannot_be_sent),
		cmocka_unit_test(transport_variant_counts_for_its_protocol),
		cmocka_unit_test(shortened_run_is_inconclusive),
		cmocka_unit_test(bgp_left_out_is_inconclusive),
		cmocka_unit_test(stopped_run_is_inconclusive),
		cmocka_unit_test(culprit_fails_with_its_reproducer),
		cmocka_unit_test(unreproduced_failure_still_fails),
		cmocka_unit_test(bad_input_is_an_error),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
