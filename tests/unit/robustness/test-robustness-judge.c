/* test-robustness-judge: the robustness.packets judge on canned campaign observations */
#include "core/compat.h"

#include <setjmp.h>
#include <cmocka.h>
#include <json-c/json.h>

#include "checks/check.h"
#include "core/error.h"

static const struct check_param firewall[] = {{"protocols", "ipv4,ipv6,icmpv4,icmpv6"},
					      {"hours", "8"}};

static struct check_verdict *judge(const char *observation, const struct check_param *params,
				   size_t count)
{
	const struct check *c = check_find("robustness.packets");
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

#define PROTOCOLS_ALL                                                                              \
	"\"protocols\": {\"ipv4\": {\"cases\": 100, \"hit\": 20, \"offered\": 40},"                \
	" \"ipv6\": {\"cases\": 90, \"hit\": 20, \"offered\": 40},"                                \
	" \"icmpv4\": {\"cases\": 80, \"hit\": 10, \"offered\": 20},"                              \
	" \"icmpv6\": {\"cases\": 70, \"hit\": 10, \"offered\": 20}}"

static void full_run_without_failure_passes(void **state)
{
	(void)state;
	expect(judge("{\"cases\": 340, \"seconds_run\": 28800.5, \"seed\": 7, \"rate\": 1000, "
		     "\"failures\": [], " PROTOCOLS_ALL "}",
		     firewall, 2),
	       VERDICT_PASS, "through 8.0 h of mutated ipv4,ipv6,icmpv4,icmpv6");
}

static void shortened_run_is_inconclusive(void **state)
{
	(void)state;
	expect(judge("{\"cases\": 340, \"seconds_run\": 60.2, \"seed\": 7, \"rate\": 1000, "
		     "\"failures\": [], " PROTOCOLS_ALL "}",
		     firewall, 2),
	       VERDICT_INCONCLUSIVE,
	       "no failure in 60 s (340 test cases of ipv4,ipv6,icmpv4,icmpv6), "
	       "but the standard asks 8 h: a shortened run");
}

static void missing_protocol_is_inconclusive(void **state)
{
	(void)state;
	expect(judge("{\"cases\": 100, \"seconds_run\": 28800, \"failures\": [], "
		     "\"protocols\": {\"ipv4\": {\"cases\": 100}, \"ipv6\": {\"cases\": 0}}}",
		     firewall, 2),
	       VERDICT_INCONCLUSIVE, "protocols ipv6, icmpv4, icmpv6 were not in the mix");
}

/* NCC 5.4.3.2: the packet campaign judges IPv4 and IPv6 alone (the routing
 * protocols are robustness.sessions'); a router's mix of only bgp sent no
 * packet, which the verdict names. */
static void router_packets_judge_ipv4_ipv6(void **state)
{
	(void)state;
	static const struct check_param router[] = {{"protocols", "ipv4,ipv6"}, {"hours", "8"}};
	expect(judge("{\"cases\": 340, \"seconds_run\": 28800, \"failures\": [], " PROTOCOLS_ALL
		     "}",
		     router, 2),
	       VERDICT_PASS, "through 8.0 h of mutated ipv4,ipv6");
	expect(judge("{\"cases\": 0, \"seconds_run\": 0, \"failures\": [], \"stopped\": "
		     "\"robustness.mix names no packet protocol\", "
		     "\"protocols\": {\"bgp\": {\"cases\": 0}}}",
		     router, 2),
	       VERDICT_INCONCLUSIVE, "protocols ipv4, ipv6 were not in the mix");
}

/* A protocol no template sends (a hand-written clause naming rip) is told
 * apart from what the profile left out of the mix. */
static void unsendable_protocol_is_inconclusive(void **state)
{
	(void)state;
	static const struct check_param odd[] = {{"protocols", "rip,ipv4,ipv6"}, {"hours", "8"}};
	expect(judge("{\"cases\": 340, \"seconds_run\": 28800, \"failures\": [], " PROTOCOLS_ALL
		     "}",
		     odd, 2),
	       VERDICT_INCONCLUSIVE,
	       "protocols rip cannot be sent by this packet campaign (they need a stateful "
	       "session fuzzer)");
	expect(judge("{\"cases\": 100, \"seconds_run\": 60, \"failures\": [], "
		     "\"protocols\": {\"ipv4\": {\"cases\": 100}}}",
		     odd, 2),
	       VERDICT_INCONCLUSIVE,
	       "rip cannot be sent by this packet campaign (they need a stateful session "
	       "fuzzer); and ipv6 were not in the mix");
}

static void stopped_run_is_inconclusive(void **state)
{
	(void)state;
	expect(judge("{\"cases\": 340, \"seconds_run\": 28000, \"failures\": [], \"stopped\": "
		     "\"the collector's deadline came\", " PROTOCOLS_ALL "}",
		     firewall, 2),
	       VERDICT_INCONCLUSIVE, "but the campaign stopped: the collector's deadline came");
}

static void bisected_failure_fails_with_the_case(void **state)
{
	(void)state;
	struct check_verdict *v = judge(
		"{\"cases\": 340, \"seconds_run\": 60, \"failures\": [{\"at_s\": 12.5, "
		"\"monitor\": "
		"\"tcp\", \"evidence\": \"TCP connect to 198.18.12.2:22 refused (3 consecutive)\", "
		"\"window\": {\"first\": 1000, \"last\": 9000}, \"reproduced\": true, \"minimal\": "
		"{\"first\": 4242, \"last\": 4242, \"cases\": [{\"index\": 4242, \"description\": "
		"\"ipv4-options #4242 (seed 7): length-zero ipv4.option.length 4 -> 0\"}]}, "
		"\"reproducer\": \"evidence/robustness/failure-1.pcapng\"}], " PROTOCOLS_ALL "}",
		firewall, 2);
	assert_int_equal(v->verdict, VERDICT_FAIL);
	assert_non_null(strstr(v->summary, "one case reproduces it: ipv4-options #4242 (seed 7): "
					   "length-zero ipv4.option.length 4 -> 0"));
	assert_non_null(strstr(v->summary, "evidence/robustness/failure-1.pcapng"));
	bool has = false;
	for (size_t i = 0; i < v->finding_count; i++)
		has |= v->findings[i].severity == FINDING_FAIL && v->findings[i].evidence &&
		       strcmp(v->findings[i].evidence, "evidence/robustness/failure-1.pcapng") == 0;
	assert_true(has);
	expect(v, VERDICT_FAIL, NULL);
}

static void unconfirmed_failure_still_fails(void **state)
{
	(void)state;
	expect(judge("{\"cases\": 340, \"seconds_run\": 60, \"failures\": [{\"at_s\": 3, "
		     "\"monitor\": \"icmp\", \"evidence\": \"no echo reply\", \"window\": "
		     "{\"first\": "
		     "10, \"last\": 20}, \"reproduced\": false, \"reproducer\": "
		     "\"evidence/robustness/failure-1.pcapng\"}], " PROTOCOLS_ALL "}",
		     firewall, 2),
	       VERDICT_FAIL, "replaying the window (cases 10-20) did not reproduce it");
}

static void bad_hours_is_an_error(void **state)
{
	(void)state;
	const struct check *c = check_find("robustness.packets");
	struct json_object *o = json_tokener_parse("{\"failures\": [], \"protocols\": {}}");
	struct check_verdict v = {0};
	struct check_param bad[] = {{"hours", "eight"}};
	struct check_params p = {.items = bad, .count = 1};
	struct dl_error err = {0};
	assert_int_equal(c->judge(o, &p, NULL, &v, &err), DL_EINVAL);
	assert_non_null(strstr(err.message, "hours 'eight' is not a number"));
	json_object_put(o);
	check_verdict_release(&v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(full_run_without_failure_passes),
		cmocka_unit_test(shortened_run_is_inconclusive),
		cmocka_unit_test(missing_protocol_is_inconclusive),
		cmocka_unit_test(router_packets_judge_ipv4_ipv6),
		cmocka_unit_test(unsendable_protocol_is_inconclusive),
		cmocka_unit_test(stopped_run_is_inconclusive),
		cmocka_unit_test(bisected_failure_fails_with_the_case),
		cmocka_unit_test(unconfirmed_failure_still_fails),
		cmocka_unit_test(bad_hours_is_an_error),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
