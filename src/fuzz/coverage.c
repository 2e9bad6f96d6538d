/* coverage: which anomaly classes a campaign applied to which fields of which template */
#include "core/compat.h"

#include "fuzz/mutate.h"
#include "fuzz/template.h"
#include "proto/packet.h"

/*
 * Keys are the schema's static strings, compared by address: a template's
 * builder names a field with the same literal every time, so one pointer
 * stands for one name. The table is never resized; past 7/8 full, new keys
 * are counted in dropped rather than slowing every lookup down.
 */

_Static_assert((COVERAGE_SLOTS & (COVERAGE_SLOTS - 1)) == 0, "a power of two, for the mask");

static size_t coverage_hash(const char *template, const char *field, uint8_t anomaly)
{
	uint64_t h = (uint64_t)(uintptr_t) template * 0x9e3779b97f4a7c15ull;
	h ^= (uint64_t)(uintptr_t)field * 0xc2b2ae3d27d4eb4full;
	h ^= (uint64_t)anomaly * 0x165667b19e3779f9ull;
	h ^= h >> 29;
	return (size_t)(h & (COVERAGE_SLOTS - 1));
}

static struct coverage_entry *coverage_slot(const struct fuzz_coverage *c, const char *template,
					    const char *field, uint8_t anomaly)
{
	size_t at = coverage_hash(template, field, anomaly);
	for (size_t n = 0; n < COVERAGE_SLOTS; n++, at = (at + 1) & (COVERAGE_SLOTS - 1)) {
		const struct coverage_entry *e = &c->slots[at];
		if (!e->template ||
		    (e->template == template && e->field == field && e->anomaly == anomaly))
			return (struct coverage_entry *)e;
	}
	return NULL;
}

void coverage_init(struct fuzz_coverage *c)
{
	memset(c, 0, sizeof(*c));
}

void coverage_add(struct fuzz_coverage *c, const struct fuzz_case *fc)
{
	if (!fc->template || !fc->template->name)
		return;
	for (size_t i = 0; i < fc->mutation_count && i < MUTATION_STACK_MAX; i++) {
		const struct mutation *m = &fc->mutations[i];
		if (!m->field)
			continue;
		struct coverage_entry *e =
			coverage_slot(c, fc->template->name, m->field, m->anomaly);
		if (e && !e->template) {
			if (c->used >= COVERAGE_SLOTS / 8 * 7) {
				c->dropped++;
				continue;
			}
			e->template = fc->template->name;
			e->field = m->field;
			e->anomaly = m->anomaly;
			c->used++;
		}
		if (e)
			e->cases++;
		else
			c->dropped++;
	}
}

void coverage_of_template(const struct fuzz_coverage *c, const struct packet *valid,
			  const struct fuzz_template *t, const struct mutation_options *o,
			  size_t *offered, size_t *hit)
{
	*offered = 0;
	*hit = 0;
	if (!t || !t->name)
		return;
	struct mutation_plan plan;
	mutate_plan_build(&plan, valid, t, o);
	for (size_t i = 0; i < plan.pair_count; i++) {
		int field;
		enum anomaly a;
		mutate_plan_pair(&plan, i, &field, &a);
		const char *name = valid->fields[field].name;
		/* fields of one name (two TLVs of a type) are one pair: count the first */
		bool seen = false;
		for (size_t j = plan.first[a]; j < i && !seen; j++)
			seen = valid->fields[plan.fields[j]].name == name;
		if (seen)
			continue;
		(*offered)++;
		const struct coverage_entry *e = coverage_slot(c, t->name, name, (uint8_t)a);
		if (e && e->template && e->cases)
			(*hit)++;
	}
}
