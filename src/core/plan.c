/* plan: catalog x profile x level -> one item per clause, and the collectors to run once */
#include "core/compat.h"

#include "checks/check.h"
#include "core/catalog.h"
#include "core/error.h"
#include "core/plan.h"
#include "core/profile.h"

const char *plan_kind_name(enum plan_kind kind)
{
	switch (kind) {
	case PLAN_CHECK: return "check";
	case PLAN_MANUAL: return "manual";
	case PLAN_NOT_TESTED: return "not_tested";
	case PLAN_NOT_APPLICABLE: return "not_applicable";
	}
	return "not_tested";
}

/* Add collector after its inputs, so the runner's order (the plan's) always
 * runs an input first. depth bounds a cycle a typo in the registry could make. */
static int add_collector(struct plan *plan, const struct collector *collector, unsigned depth,
			 struct dl_error *err)
{
	for (size_t i = 0; i < plan->collector_count; i++)
		if (plan->collectors[i] == collector)
			return 0;
	if (depth > COLLECTOR_INPUTS_MAX)
		return dl_error_set(err, DL_EINVAL,
				    "collector %s: its inputs go %u deep; is there a cycle in the "
				    "inputs of checks/registry.c?",
				    collector->id, depth);
	for (size_t i = 0; collector->inputs && collector->inputs[i]; i++) {
		const struct collector *input = collector_find(collector->inputs[i]);
		if (!input)
			return dl_error_set(err, DL_EINVAL,
					    "collector %s reads collector '%s', which this dutlab "
					    "does not know",
					    collector->id, collector->inputs[i]);
		int rc = add_collector(plan, input, depth + 1, err);
		if (rc)
			return rc;
	}
	const struct collector **grown =
		realloc(plan->collectors, (plan->collector_count + 1) * sizeof(*grown));
	if (!grown)
		return dl_error_set(err, DL_ENOMEM, "out of memory while planning");
	plan->collectors = grown;
	plan->collectors[plan->collector_count++] = collector;
	return 0;
}

/* Observers first, then the collectors that change the DUT, each group in
 * plan order: an input never changes the DUT, so inputs still come first. */
static int order_observers_first(struct plan *plan, struct dl_error *err)
{
	if (plan->collector_count < 2)
		return 0;
	const struct collector **ordered = calloc(plan->collector_count, sizeof(*ordered));
	if (!ordered)
		return dl_error_set(err, DL_ENOMEM, "out of memory while planning");
	size_t n = 0;
	for (int changing = 0; changing <= 1; changing++)
		for (size_t i = 0; i < plan->collector_count; i++)
			if (plan->collectors[i]->changes_dut == (changing == 1))
				ordered[n++] = plan->collectors[i];
	memcpy(plan->collectors, ordered, n * sizeof(*ordered));
	free(ordered);
	return 0;
}

/* Every check of the clause needs what only the profile's campaign description gives
 * (NEED_PLANNED: a robustness section) and the profile lacks it: the clause is not tested,
 * with the reason, and its collectors do not run. One check that can run keeps the clause
 * planned; the runner then reports the other as unmet. An unknown check is left to
 * plan_build, which names it. */
static bool profile_lacks(struct plan_item *item, const struct profile *profile)
{
	const struct catalog_clause *c = item->clause;
	const char *why = NULL;
	char ids[256] = "";
	size_t used = 0;
	for (size_t k = 0; k < c->check_count; k++) {
		const struct check *check = check_find(c->checks[k].check_id);
		if (!check || !check->collector)
			return false;
		const char *unmet = collector_unmet_need(check->collector, profile, NEED_PLANNED);
		if (!unmet)
			return false;
		if (!why)
			why = unmet;
		int n = snprintf(ids + used, sizeof(ids) - used, "%s%s", k ? " and " : "",
				 check->id);
		if (n > 0)
			used += (size_t)n;
		if (used >= sizeof(ids) - 1)
			used = sizeof(ids) - 1; /* truncated: the reason still names the need */
	}
	if (!why)
		return false;
	item->kind = PLAN_NOT_TESTED;
	snprintf(item->reason, sizeof(item->reason), "not run: %s %s; add one to test this clause",
		 ids, why);
	return true;
}

static void plan_item_decide(struct plan_item *item, const struct plan *plan,
			     const struct profile *profile)
{
	const struct catalog_clause *c = item->clause;

	if (plan->standard->has_levels && c->level > plan->level) {
		item->kind = PLAN_NOT_TESTED;
		snprintf(item->reason, sizeof(item->reason),
			 "level %d clause; the campaign targets level %d", c->level, plan->level);
		return;
	}
	if (c->product_types && profile->product_type &&
	    !(c->product_types & (unsigned)profile->product_type)) {
		item->kind = PLAN_NOT_APPLICABLE;
		snprintf(item->reason, sizeof(item->reason),
			 "applies to other product types; the profile declares "
			 "identity.product_type: %s",
			 product_type_name(profile->product_type));
		return;
	}
	if (c->applies_if && profile_capability(profile, c->applies_if) == 0) {
		item->kind = PLAN_NOT_APPLICABLE;
		snprintf(item->reason, sizeof(item->reason),
			 "applies only if the device has '%s'; the profile declares "
			 "capabilities.%s: false",
			 c->applies_if, c->applies_if);
		return;
	}
	if (c->check_count > 0) {
		if (!profile_lacks(item, profile))
			item->kind = PLAN_CHECK;
		return;
	}
	if (c->method == METHOD_DOCUMENT || c->method == METHOD_PHYSICAL) {
		item->kind = PLAN_MANUAL;
		snprintf(item->reason, sizeof(item->reason), "%s review by a person: %s",
			 catalog_method_name(c->method),
			 c->manual_question ? c->manual_question : "decide from the clause text");
		return;
	}
	item->kind = PLAN_NOT_TESTED;
	snprintf(item->reason, sizeof(item->reason),
		 "no automated check decides this %s clause yet (needs: %s)",
		 catalog_method_name(c->method), c->needs ? c->needs : "see the clause");
}

int plan_build(struct plan *out, const struct catalog *catalog, const struct profile *profile,
	       const char *standard_id, int level, struct dl_error *err)
{
	memset(out, 0, sizeof(*out));
	out->standard = catalog_find_standard(catalog, standard_id);
	if (!out->standard)
		return dl_error_set(err, DL_ENOTFOUND,
				    "standard '%s' is not in the catalog; 'dutlab catalog list' "
				    "shows the standards",
				    standard_id);
	if (out->standard->has_levels) {
		if (level == 0) {
			const struct profile_target *t = profile_find_target(profile, standard_id);
			level = t ? t->level : 0;
		}
		if (level < 1 || level > 3)
			return dl_error_set(err, DL_EINVAL,
					    "no target level for '%s': give --level 1..3 or list "
					    "it in the profile's targets",
					    standard_id);
	} else {
		level = 0;
	}
	out->level = level;

	out->items = calloc(out->standard->clause_count ? out->standard->clause_count : 1,
			    sizeof(*out->items));
	if (!out->items)
		return dl_error_set(err, DL_ENOMEM, "out of memory while planning");
	out->item_count = out->standard->clause_count;

	for (size_t i = 0; i < out->item_count; i++) {
		struct plan_item *item = &out->items[i];
		item->clause = &out->standard->clauses[i];
		plan_item_decide(item, out, profile);
		if (item->kind != PLAN_CHECK)
			continue;
		for (size_t k = 0; k < item->clause->check_count; k++) {
			const char *id = item->clause->checks[k].check_id;
			const struct check *check = check_find(id);
			if (!check) {
				int rc = dl_error_set(
					err, DL_EINVAL,
					"catalog %s clause %s cites check '%s', which this dutlab "
					"does not know; 'dutlab checks' lists them",
					out->standard->id, item->clause->id, id);
				plan_release(out);
				return rc;
			}
			int rc = add_collector(out, check->collector, 0, err);
			if (rc) {
				plan_release(out);
				return rc;
			}
		}
	}
	int rc = order_observers_first(out, err);
	if (rc)
		plan_release(out);
	return rc;
}

void plan_release(struct plan *plan)
{
	if (!plan)
		return;
	free(plan->items);
	free(plan->collectors);
	memset(plan, 0, sizeof(*plan));
}

void plan_print(const struct plan *plan, const struct profile *profile, FILE *out)
{
	fprintf(out, "plan: %s %s", plan->standard->id, plan->standard->version);
	if (plan->standard->has_levels)
		fprintf(out, ", target level %d", plan->level);
	fprintf(out, "\ndevice: %s %s firmware %s (%s)\n", profile->vendor ? profile->vendor : "?",
		profile->model ? profile->model : "?", profile->firmware ? profile->firmware : "?",
		product_type_name(profile->product_type));

	fprintf(out, "\nscope (nothing is sent anywhere else):\n");
	for (size_t i = 0; i < profile->scope.network_count; i++)
		fprintf(out, "  network    %s\n", profile->scope.networks[i].text);
	for (size_t i = 0; i < profile->scope.interface_count; i++)
		fprintf(out, "  interface  %s\n", profile->scope.interfaces[i]);
	fprintf(out, "destinations:\n");
	for (size_t i = 0; i < profile->address_count; i++)
		fprintf(out, "  %s\n", profile->addresses[i]);

	fprintf(out, "\ncollectors (each runs once; its results serve every clause citing it):\n");
	for (size_t i = 0; i < plan->collector_count; i++) {
		const struct collector *c = plan->collectors[i];
		fprintf(out, "  %-24s deadline %4us  %s\n", c->id, c->timeout_seconds, c->summary);
		for (size_t k = 0; c->inputs && c->inputs[k]; k++)
			fprintf(out, "      reads what %s observed (it runs first)\n",
				c->inputs[k]);
		if (c->changes_dut)
			fprintf(out, "      changes the DUT (runs after every collector that only "
				     "observes)\n");
		for (size_t a = 0; a < profile->address_count; a++)
			fprintf(out, "      -> %s via %s\n", profile->addresses[a],
				profile->scope.interface_count ? profile->scope.interfaces[0]
							       : "the kernel's route");
	}

	fprintf(out, "\nclauses:\n");
	size_t counts[4] = {0};
	for (size_t i = 0; i < plan->item_count; i++) {
		const struct plan_item *item = &plan->items[i];
		const struct catalog_clause *c = item->clause;
		counts[item->kind]++;
		fprintf(out, "  %-10s L%d%s %-14s ", c->id, c->level, c->optional ? "(O)" : "   ",
			plan_kind_name(item->kind));
		if (item->kind == PLAN_CHECK) {
			for (size_t k = 0; k < c->check_count; k++)
				fprintf(out, "%s%s", k ? ", " : "", c->checks[k].check_id);
		} else {
			fprintf(out, "%s", item->reason);
		}
		fprintf(out, "\n");
	}
	fprintf(out,
		"\n%zu clauses: %zu by checks, %zu manual, %zu not tested, %zu not applicable\n",
		plan->item_count, counts[PLAN_CHECK], counts[PLAN_MANUAL], counts[PLAN_NOT_TESTED],
		counts[PLAN_NOT_APPLICABLE]);
}
