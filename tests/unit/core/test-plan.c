/* test-plan: every clause becomes exactly one plan item, of the kind the profile and level call for
 */
#include "core/compat.h"

#include <setjmp.h>
#include <cmocka.h>

#include "checks/check.h"
#include "core/catalog.h"
#include "core/error.h"
#include "core/plan.h"
#include "core/profile.h"
#include "net/scope.h"

static struct catalog_check_ref scan_check = {.check_id = "discovery.undeclared-services"};
static struct catalog_check_ref unknown_check = {.check_id = "nothing.such"};

static struct catalog_clause clauses[] = {
	{.id = "5.1",
	 .level = 1,
	 .method = METHOD_NETWORK,
	 .product_types = PRODUCT_CAMERA,
	 .checks = &scan_check,
	 .check_count = 1},
	{.id = "5.2",
	 .level = 1,
	 .method = METHOD_DOCUMENT,
	 .manual_question = "Is it documented?"},
	{.id = "5.3", .level = 2, .method = METHOD_INTERACTIVE, .needs = "login adapter"},
	{.id = "5.4", .level = 3, .method = METHOD_PHYSICAL},
	{.id = "5.5", .level = 1, .method = METHOD_NETWORK, .applies_if = "wifi"},
	{.id = "5.6", .level = 1, .method = METHOD_NETWORK, .product_types = PRODUCT_RECORDER},
	{.id = "5.7", .level = 1, .method = METHOD_INTERACTIVE, .applies_if = "onvif"},
};

static struct catalog_standard standard = {
	.id = "test-standard",
	.version = "v1",
	.has_levels = true,
	.clauses = clauses,
	.clause_count = DL_ARRAY_SIZE(clauses),
};

static struct profile_target target = {.standard = "test-standard", .level = 2};
static struct profile_capability capabilities[] = {{.name = "wifi", .value = false},
						   {.name = "onvif", .value = true}};

static struct profile camera(void)
{
	struct profile p = {
		.vendor = "Acme",
		.model = "CAM",
		.firmware = "1",
		.product_type = PRODUCT_CAMERA,
		.targets = &target,
		.target_count = 1,
		.capabilities = capabilities,
		.capability_count = DL_ARRAY_SIZE(capabilities),
	};
	return p;
}

static void test_every_clause_planned_once_with_its_kind(void **state)
{
	(void)state;
	struct catalog catalog = {.standards = &standard, .standard_count = 1};
	struct profile p = camera();
	struct plan plan;
	struct dl_error err = {0};
	assert_int_equal(plan_build(&plan, &catalog, &p, "test-standard", 0, &err), 0);
	assert_int_equal(plan.level, 2); /* from the profile's target */
	assert_int_equal(plan.item_count, DL_ARRAY_SIZE(clauses));
	assert_int_equal(plan.items[0].kind, PLAN_CHECK);
	assert_int_equal(plan.items[1].kind, PLAN_MANUAL);
	assert_non_null(strstr(plan.items[1].reason, "Is it documented?"));
	assert_int_equal(plan.items[2].kind, PLAN_NOT_TESTED);
	assert_non_null(strstr(plan.items[2].reason, "login adapter"));
	assert_int_equal(plan.items[3].kind, PLAN_NOT_TESTED); /* level 3 above target 2 */
	assert_non_null(strstr(plan.items[3].reason, "targets level 2"));
	assert_int_equal(plan.items[4].kind, PLAN_NOT_APPLICABLE);
	assert_non_null(strstr(plan.items[4].reason, "capabilities.wifi: false"));
	assert_int_equal(plan.items[5].kind, PLAN_NOT_APPLICABLE);
	assert_non_null(strstr(plan.items[5].reason, "product_type: camera"));
	/* Declared true (onvif) keeps the clause; it has no check yet. */
	assert_int_equal(plan.items[6].kind, PLAN_NOT_TESTED);
	/* One collector, however many clauses cite its checks. */
	assert_int_equal(plan.collector_count, 1);
	plan_release(&plan);
}

static void test_level_argument_and_bounds(void **state)
{
	(void)state;
	struct catalog catalog = {.standards = &standard, .standard_count = 1};
	struct profile p = camera();
	p.target_count = 0;
	struct plan plan;
	struct dl_error err = {0};
	assert_int_equal(plan_build(&plan, &catalog, &p, "test-standard", 0, &err), DL_EINVAL);
	assert_non_null(strstr(err.message, "no target level"));
	assert_int_equal(plan_build(&plan, &catalog, &p, "no-such-standard", 1, &err),
			 DL_ENOTFOUND);
	assert_non_null(strstr(err.message, "no-such-standard"));
}

static void test_unknown_check_names_the_clause(void **state)
{
	(void)state;
	struct catalog_clause bad[] = {
		{.id = "9.9",
		 .level = 1,
		 .method = METHOD_NETWORK,
		 .checks = &unknown_check,
		 .check_count = 1},
	};
	struct catalog_standard s = {
		.id = "bad", .has_levels = true, .clauses = bad, .clause_count = 1};
	struct catalog catalog = {.standards = &s, .standard_count = 1};
	struct profile p = camera();
	struct plan plan;
	struct dl_error err = {0};
	assert_int_equal(plan_build(&plan, &catalog, &p, "bad", 1, &err), DL_EINVAL);
	assert_non_null(strstr(err.message, "clause 9.9 cites check 'nothing.such'"));
}

/* A check whose collector reads another's observation plans the input first,
 * even when the clause citing the input comes later. */
static void test_collector_inputs_run_first(void **state)
{
	(void)state;
	static struct catalog_check_ref tls_check = {.check_id = "tls.secure-channel"};
	struct catalog_clause ordered[] = {
		{.id = "5.3.1.1",
		 .level = 1,
		 .method = METHOD_NETWORK,
		 .checks = &tls_check,
		 .check_count = 1},
		{.id = "5.2.2.1",
		 .level = 1,
		 .method = METHOD_NETWORK,
		 .checks = &scan_check,
		 .check_count = 1},
	};
	struct catalog_standard s = {
		.id = "inputs", .has_levels = true, .clauses = ordered, .clause_count = 2};
	struct catalog catalog = {.standards = &s, .standard_count = 1};
	struct profile p = camera();
	struct plan plan;
	struct dl_error err = {0};
	assert_int_equal(plan_build(&plan, &catalog, &p, "inputs", 1, &err), 0);
	assert_int_equal(plan.collector_count, 2);
	assert_string_equal(plan.collectors[0]->id, "discovery.scan");
	assert_string_equal(plan.collectors[1]->id, "tls.channels");
	plan_release(&plan);

	/* A collector that changes the DUT runs after the observers, whatever
	 * the clause order. */
	static struct catalog_check_ref reset_check = {.check_id = "keys.factory-reset"};
	struct catalog_clause reset_first[] = {
		{.id = "5.4.1.4",
		 .level = 1,
		 .method = METHOD_NETWORK,
		 .checks = &reset_check,
		 .check_count = 1},
		{.id = "5.3.1.1",
		 .level = 1,
		 .method = METHOD_NETWORK,
		 .checks = &tls_check,
		 .check_count = 1},
	};
	s.id = "changes";
	s.clauses = reset_first;
	assert_int_equal(plan_build(&plan, &catalog, &p, "changes", 1, &err), 0);
	assert_int_equal(plan.collector_count, 3);
	assert_string_equal(plan.collectors[0]->id, "discovery.scan");
	assert_string_equal(plan.collectors[1]->id, "tls.channels");
	assert_string_equal(plan.collectors[2]->id, "keys.factory-reset");
	plan_release(&plan);
}

static void test_standard_without_levels(void **state)
{
	(void)state;
	struct catalog_clause ncc[] = {
		{.id = "5.3.1.1",
		 .level = 0,
		 .method = METHOD_INTERACTIVE,
		 .product_types = PRODUCT_FIREWALL | PRODUCT_SWITCH | PRODUCT_ROUTER},
		{.id = "5.4.1.1",
		 .level = 0,
		 .method = METHOD_NETWORK,
		 .product_types = PRODUCT_FIREWALL},
	};
	struct catalog_standard s = {
		.id = "ncc", .has_levels = false, .clauses = ncc, .clause_count = 2};
	struct catalog catalog = {.standards = &s, .standard_count = 1};
	struct profile p = camera();
	p.product_type = PRODUCT_SWITCH;
	struct plan plan;
	struct dl_error err = {0};
	assert_int_equal(plan_build(&plan, &catalog, &p, "ncc", 0, &err), 0);
	assert_int_equal(plan.level, 0);
	assert_int_equal(plan.items[0].kind, PLAN_NOT_TESTED);
	assert_int_equal(plan.items[1].kind, PLAN_NOT_APPLICABLE);
	plan_release(&plan);
}

/* A clause whose every check needs the profile's robustness section is not tested when the
 * profile has none, with the reason, and its collectors stay out of the plan; one check
 * that can run keeps a clause planned; with the section both run. */
static void test_clause_without_its_profile_section_not_tested(void **state)
{
	(void)state;
	static struct catalog_check_ref robustness[] = {{.check_id = "robustness.packets"},
							{.check_id = "robustness.sessions"}};
	static struct catalog_check_ref mixed[] = {{.check_id = "robustness.sessions"},
						   {.check_id = "discovery.undeclared-services"}};
	struct catalog_clause ncc[] = {
		{.id = "5.4.3.2",
		 .level = 0,
		 .method = METHOD_NETWORK,
		 .checks = robustness,
		 .check_count = DL_ARRAY_SIZE(robustness)},
		{.id = "5.9.9.9",
		 .level = 0,
		 .method = METHOD_NETWORK,
		 .checks = mixed,
		 .check_count = DL_ARRAY_SIZE(mixed)},
	};
	struct catalog_standard s = {
		.id = "ncc", .has_levels = false, .clauses = ncc, .clause_count = 2};
	struct catalog catalog = {.standards = &s, .standard_count = 1};
	struct profile p = camera();
	p.product_type = PRODUCT_ROUTER;
	char interfaces[1][SCOPE_INTERFACE_NAME_MAX] = {"tmg-good"};
	p.scope.interfaces = interfaces;
	p.scope.interface_count = 1;
	struct plan plan;
	struct dl_error err = {0};

	assert_int_equal(plan_build(&plan, &catalog, &p, "ncc", 0, &err), 0);
	assert_int_equal(plan.items[0].kind, PLAN_NOT_TESTED);
	assert_non_null(
		strstr(plan.items[0].reason, "robustness.packets and robustness.sessions needs"));
	assert_non_null(strstr(plan.items[0].reason, "robustness section"));
	assert_non_null(strstr(plan.items[0].reason, "the profile has none"));
	assert_int_equal(plan.items[1].kind, PLAN_CHECK);
	/* the mixed clause plans its robustness collector; the runner reports it unmet */
	assert_int_equal(plan.collector_count, 2);
	assert_string_equal(plan.collectors[0]->id, "discovery.scan");
	assert_string_equal(plan.collectors[1]->id, "robustness.sessions");

	/* the dry run shows the clause as not tested and why */
	char *text = NULL;
	size_t length = 0;
	FILE *out = open_memstream(&text, &length);
	assert_non_null(out);
	plan_print(&plan, &p, out);
	fclose(out);
	const char *line = strstr(text, "5.4.3.2");
	assert_non_null(line);
	assert_true(strncmp(strstr(line, "not_tested"), "not_tested", 10) == 0);
	assert_true(strstr(line, "not_tested") < strchr(line, '\n'));
	assert_true(strstr(line, "robustness section") < strchr(line, '\n'));
	free(text);
	plan_release(&plan);

	p.robustness.declared = true;
	assert_int_equal(plan_build(&plan, &catalog, &p, "ncc", 0, &err), 0);
	assert_int_equal(plan.items[0].kind, PLAN_CHECK);
	assert_int_equal(plan.items[1].kind, PLAN_CHECK);
	assert_int_equal(plan.collector_count, 3);
	plan_release(&plan);
}

/* The runner and the plan read one list of needs: the first unmet one in the mask, or NULL. */
static void test_collector_unmet_need(void **state)
{
	(void)state;
	const struct collector *sessions = collector_find("robustness.sessions");
	assert_non_null(sessions);
	struct profile p = camera();
	/* no interface and no section: the interface comes first; the plan's mask sees the section
	 */
	assert_non_null(strstr(collector_unmet_need(sessions, &p, UINT32_MAX), "scope.interfaces"));
	assert_non_null(
		strstr(collector_unmet_need(sessions, &p, NEED_PLANNED), "robustness section"));
	assert_null(collector_unmet_need(sessions, &p, NEED_DUT_ADDRESS));
	p.robustness.declared = true;
	assert_null(collector_unmet_need(sessions, &p, NEED_PLANNED));
	const struct collector *scan = collector_find("discovery.scan");
	assert_non_null(scan);
	assert_null(collector_unmet_need(scan, &p, NEED_PLANNED));
	assert_non_null(strstr(collector_unmet_need(scan, &p, UINT32_MAX), "dut.addresses"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_clause_planned_once_with_its_kind),
		cmocka_unit_test(test_level_argument_and_bounds),
		cmocka_unit_test(test_unknown_check_names_the_clause),
		cmocka_unit_test(test_standard_without_levels),
		cmocka_unit_test(test_collector_inputs_run_first),
		cmocka_unit_test(test_clause_without_its_profile_section_not_tested),
		cmocka_unit_test(test_collector_unmet_need),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
