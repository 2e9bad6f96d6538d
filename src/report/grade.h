/* grade: the level a device reached, or the verdict of a standard without levels, and why */
#ifndef DUTLAB_REPORT_GRADE_H
#define DUTLAB_REPORT_GRADE_H

#include <stdbool.h>
#include <stddef.h>

#include "checks/check.h"

struct dl_error;

/*
 * The rules (issue 3 section 4; clause-inventory decisions #42, #43, #47):
 *
 *   A clause is "met" when it passed, or when it is not_applicable and the
 *   reason cites the profile declaration that makes it so (a non-empty
 *   reason; the planner writes it). Every other verdict — fail,
 *   inconclusive, error, manual, not_tested, and not_applicable without a
 *   reason — is not met: nobody has shown the device meets the clause, so
 *   a device with manual clauses pending reaches no level until a person
 *   decides them.
 *
 *   Optional (O) clauses never block (#42); those not met are listed apart.
 *
 *   With levels: the level reached is the highest N such that every
 *   mandatory clause of levels 1..N is met (0: none). Without levels
 *   (ncc-ci-ict, #47): the outcome is pass only if every mandatory
 *   clause is met; fail if any mandatory clause failed; otherwise open.
 */

#define GRADE_LEVEL_MAX 9

struct grade_clause {
	const char *id;
	int level; /* 1..GRADE_LEVEL_MAX; ignored without levels; < 1 is read as 1 */
	bool optional;
	enum verdict verdict;
	const char *reason; /* the summary; a not_applicable needs one to count */
};

enum grade_outcome {
	GRADE_PASS, /* every mandatory clause (of the target level, if any) is met */
	GRADE_FAIL, /* a mandatory clause in scope failed */
	GRADE_OPEN, /* nothing failed, but some clauses are not decided or in error */
};

/* A list of clause indices (into the caller's array), grouped by verdict in
 * enum verdict order and in the caller's (catalog) order within a group. */
struct grade_list {
	size_t *index;
	size_t count;
	size_t by_verdict[VERDICT_COUNT];
};

struct grade_result {
	bool has_levels;
	int target_level;  /* as given, or max_level when not given; 0 without levels */
	int max_level;     /* highest level of any clause; 0 without levels */
	int level_reached; /* 0: no level */
	int next_level;    /* level_reached + 1, or 0 when at max_level or without levels */
	enum grade_outcome outcome; /* for the target level, or the whole standard */
	size_t counts[VERDICT_COUNT];
	size_t mandatory_count, optional_count;
	/* mandatory clauses of levels 1..next_level not met (without levels:
	 * every mandatory clause not met) */
	struct grade_list next_blockers;
	/* mandatory clauses of levels 1..target_level not met; empty when the
	 * target was reached or without levels (then see next_blockers) */
	struct grade_list target_blockers;
	/* optional clauses not met: reported, never blocking */
	struct grade_list optional_open;
};

/* True when the clause counts as met (see above). */
bool grade_clause_met(const struct grade_clause *clause);

/* Grade count clauses. target_level is the profile's level (< 1: the highest
 * level there is; ignored without levels). 0 or DL_ENOMEM; release result
 * with grade_release(). */
int grade_run(const struct grade_clause *clauses, size_t count, bool has_levels, int target_level,
	      struct grade_result *result, struct dl_error *err);
void grade_release(struct grade_result *result);

/* One or two sentences on the result for people: the level reached (or the
 * outcome), and what stands in the way of the next and the target level,
 * counted by verdict. Truncated to fit size (always terminated). */
void grade_explain(const struct grade_result *result, char *buf, size_t size);

const char *grade_outcome_name(enum grade_outcome outcome); /* "pass", "fail", "open" */

#endif
