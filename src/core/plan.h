/* plan: catalog x profile x level -> one item per clause, and the collectors to run once */
#ifndef DUTLAB_CORE_PLAN_H
#define DUTLAB_CORE_PLAN_H

#include <stddef.h>
#include <stdio.h>

struct catalog;
struct catalog_clause;
struct catalog_standard;
struct collector;
struct dl_error;
struct profile;

enum plan_kind {
	PLAN_CHECK,          /* decided by checks */
	PLAN_MANUAL,         /* a person decides: document or physical clauses */
	PLAN_NOT_TESTED,     /* no check decides it yet, or above the target level */
	PLAN_NOT_APPLICABLE, /* the profile's declarations rule it out */
};

const char *plan_kind_name(enum plan_kind kind);

struct plan_item {
	const struct catalog_clause *clause; /* borrowed from the catalog */
	enum plan_kind kind;
	char reason[512]; /* why this kind (for all but PLAN_CHECK) */
};

struct plan {
	const struct catalog_standard *standard; /* borrowed */
	int level;                               /* target level; 0 without levels */
	struct plan_item *items;                 /* owned; catalog order */
	size_t item_count;
	const struct collector **collectors; /* owned array; each runs once */
	size_t collector_count;
};

/*
 * Build the plan for standard_id at level (0: the profile's target level for
 * that standard). Every clause of the standard becomes exactly one item.
 * Unknown check ids are an error naming the clause, so a catalog edit can
 * never silently drop a clause.
 */
int plan_build(struct plan *out, const struct catalog *catalog, const struct profile *profile,
	       const char *standard_id, int level, struct dl_error *err);
void plan_release(struct plan *plan);

/* The dry-run listing: every destination, interface, collector with its
 * deadline, and every clause with how it will be decided. */
void plan_print(const struct plan *plan, const struct profile *profile, FILE *out);

#endif
