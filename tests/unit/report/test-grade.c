/* test-grade: level grading and blockers over tables of clause sets */
#include "core/compat.h"

#include <setjmp.h>
#include <cmocka.h>

#include "core/error.h"
#include "report/grade.h"

#define P VERDICT_PASS
#define F VERDICT_FAIL
#define INC VERDICT_INCONCLUSIVE
#define ERR VERDICT_ERROR
#define NA VERDICT_NOT_APPLICABLE
#define MAN VERDICT_MANUAL
#define NT VERDICT_NOT_TESTED

#define MAX_CLAUSES 12

struct grade_case {
	const char *name;
	bool has_levels;
	int target;
	struct grade_clause clauses[MAX_CLAUSES];
	/* expected */
	int reached, next, max;
	enum grade_outcome outcome;
	const char *next_blockers;   /* clause ids in order, space separated */
	const char *target_blockers; /* idem */
	const char *optional_open;   /* idem */
};

#define C(id_, level_, optional_, verdict_, reason_)                                               \
	{                                                                                          \
		.id = id_, .level = level_, .optional = optional_, .verdict = verdict_,            \
		.reason = reason_                                                                  \
	}

static const struct grade_case cases[] = {
	{"all pass reaches the top level",
	 true,
	 3,
	 {C("1a", 1, false, P, "ok"), C("2a", 2, false, P, "ok"), C("3a", 3, false, P, "ok")},
	 3,
	 0,
	 3,
	 GRADE_PASS,
	 "",
	 "",
	 ""},
	{"one level-2 fail stops at level 1",
	 true,
	 3,
	 {C("1a", 1, false, P, "ok"), C("2a", 2, false, F, "bad"), C("3a", 3, false, P, "ok")},
	 1,
	 2,
	 3,
	 GRADE_FAIL,
	 "2a",
	 "2a",
	 ""},
	{"a pending manual clause at level 1 reaches no level",
	 true,
	 3,
	 {C("1a", 1, false, MAN, "ask"), C("2a", 2, false, P, "ok"), C("3a", 3, false, P, "ok")},
	 0,
	 1,
	 3,
	 GRADE_OPEN,
	 "1a",
	 "1a",
	 ""},
	{"optional clauses never block and are reported",
	 true,
	 3,
	 {C("1a", 1, false, P, "ok"), C("1o", 1, true, F, "bad"), C("2o", 2, true, MAN, "ask"),
	  C("3a", 3, false, P, "ok")},
	 3,
	 0,
	 3,
	 GRADE_PASS,
	 "",
	 "",
	 "1o 2o"},
	{"not_applicable citing the profile counts as met",
	 true,
	 2,
	 {C("1a", 1, false, NA, "profile: capabilities.wifi is false"), C("2a", 2, false, P, "ok")},
	 2,
	 0,
	 2,
	 GRADE_PASS,
	 "",
	 "",
	 ""},
	{"not_applicable without a reason blocks",
	 true,
	 2,
	 {C("1a", 1, false, NA, " \n"), C("1b", 1, false, NA, NULL), C("2a", 2, false, P, "ok")},
	 0,
	 1,
	 2,
	 GRADE_OPEN,
	 "1a 1b",
	 "1a 1b",
	 ""},
	{"blockers are grouped by verdict, catalog order within",
	 true,
	 1,
	 {C("1a", 1, false, NT, "x"), C("1b", 1, false, ERR, "x"), C("1c", 1, false, F, "x"),
	  C("1d", 1, false, INC, "x"), C("1e", 1, false, F, "x"), C("1f", 1, false, MAN, "x"),
	  C("1g", 1, false, P, "x")},
	 0,
	 1,
	 1,
	 GRADE_FAIL,
	 "1c 1e 1d 1b 1f 1a",
	 "1c 1e 1d 1b 1f 1a",
	 ""},
	{"target below a failed level is met",
	 true,
	 2,
	 {C("1a", 1, false, P, "ok"), C("2a", 2, false, P, "ok"), C("3a", 3, false, F, "bad")},
	 2,
	 3,
	 3,
	 GRADE_PASS,
	 "3a",
	 "",
	 ""},
	{"levels must hold from 1 upward",
	 true,
	 3,
	 {C("1a", 1, false, P, "ok"), C("2a", 2, false, NT, "no"), C("3a", 3, false, P, "ok")},
	 1,
	 2,
	 3,
	 GRADE_OPEN,
	 "2a",
	 "2a",
	 ""},
	{"next-level blockers include every lower level",
	 true,
	 3,
	 {C("1a", 1, false, P, "ok"), C("2a", 2, false, MAN, "ask"), C("3a", 3, false, F, "bad"),
	  C("3b", 3, false, INC, "hm")},
	 1,
	 2,
	 3,
	 GRADE_FAIL,
	 "2a",
	 "3a 3b 2a",
	 ""},
	{"the target set wider than next shows both lists",
	 true,
	 3,
	 {C("1a", 1, false, F, "bad"), C("2a", 2, false, ERR, "oops"), C("3a", 3, false, MAN, "x")},
	 0,
	 1,
	 3,
	 GRADE_FAIL,
	 "1a",
	 "1a 2a 3a",
	 ""},
	{"level 0 in a standard with levels counts for level 1",
	 true,
	 2,
	 {C("0a", 0, false, F, "bad"), C("2a", 2, false, P, "ok")},
	 0,
	 1,
	 2,
	 GRADE_FAIL,
	 "0a",
	 "0a",
	 ""},
	{"no target grades against the highest level",
	 true,
	 0,
	 {C("1a", 1, false, P, "ok"), C("2a", 2, false, NT, "no")},
	 1,
	 2,
	 2,
	 GRADE_OPEN,
	 "2a",
	 "2a",
	 ""},
	{"a verdict outside the enum blocks as error",
	 true,
	 1,
	 {C("1a", 1, false, (enum verdict)99, "?"), C("1b", 1, false, P, "ok")},
	 0,
	 1,
	 1,
	 GRADE_OPEN,
	 "1a",
	 "1a",
	 ""},
	{"no clauses: nothing reached", true, 3, {{0}}, 0, 0, 0, GRADE_OPEN, "", "", ""},
	{"no levels: every clause passed or cited n/a",
	 false,
	 0,
	 {C("5.3.1.1", 0, false, P, "ok"), C("5.4.1.1", 0, false, NA,
					     "profile: product_type "
					     "is switch")},
	 0,
	 0,
	 0,
	 GRADE_PASS,
	 "",
	 "",
	 ""},
	{"no levels: pending manual is open",
	 false,
	 0,
	 {C("5.3.1.1", 0, false, P, "ok"), C("5.3.1.2", 0, false, MAN, "ask")},
	 0,
	 0,
	 0,
	 GRADE_OPEN,
	 "5.3.1.2",
	 "",
	 ""},
	{"no levels: a fail fails, every blocker listed",
	 false,
	 0,
	 {C("5.3.1.1", 0, false, MAN, "ask"), C("5.3.1.2", 0, false, F, "bad"),
	  C("5.3.1.3", 0, false, NT, "no")},
	 0,
	 0,
	 0,
	 GRADE_FAIL,
	 "5.3.1.2 5.3.1.1 5.3.1.3",
	 "",
	 ""},
	{"no levels: optional fail never blocks",
	 false,
	 0,
	 {C("5.3.1.1", 0, false, P, "ok"), C("5.3.9.9", 0, true, F, "bad")},
	 0,
	 0,
	 0,
	 GRADE_PASS,
	 "",
	 "",
	 "5.3.9.9"},
};

static size_t case_count(const struct grade_case *c)
{
	size_t n = 0;
	while (n < MAX_CLAUSES && c->clauses[n].id)
		n++;
	return n;
}

static void list_text(const struct grade_case *c, const struct grade_list *list, char *buf,
		      size_t size)
{
	size_t used = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < list->count; i++) {
		int n = snprintf(buf + used, size - used, "%s%s", i ? " " : "",
				 c->clauses[list->index[i]].id);
		assert_true(n > 0 && (size_t)n < size - used);
		used += (size_t)n;
	}
}

static void test_grade_table(void **state)
{
	(void)state;
	for (size_t t = 0; t < DL_ARRAY_SIZE(cases); t++) {
		const struct grade_case *c = &cases[t];
		size_t n = case_count(c);
		struct grade_result r;
		struct dl_error err = {0};
		print_message("case: %s\n", c->name);
		assert_int_equal(grade_run(c->clauses, n, c->has_levels, c->target, &r, &err), 0);
		assert_int_equal(r.level_reached, c->reached);
		assert_int_equal(r.next_level, c->next);
		assert_int_equal(r.max_level, c->max);
		assert_string_equal(grade_outcome_name(r.outcome), grade_outcome_name(c->outcome));
		char text[256];
		list_text(c, &r.next_blockers, text, sizeof(text));
		assert_string_equal(text, c->next_blockers);
		list_text(c, &r.target_blockers, text, sizeof(text));
		assert_string_equal(text, c->target_blockers);
		list_text(c, &r.optional_open, text, sizeof(text));
		assert_string_equal(text, c->optional_open);

		/* counts add up to the clause count; by_verdict to each list */
		size_t total = 0;
		for (size_t v = 0; v < VERDICT_COUNT; v++)
			total += r.counts[v];
		assert_int_equal(total, n);
		assert_int_equal(r.mandatory_count + r.optional_count, n);
		size_t listed = 0;
		for (size_t v = 0; v < VERDICT_COUNT; v++)
			listed += r.next_blockers.by_verdict[v];
		assert_int_equal(listed, r.next_blockers.count);
		grade_release(&r);
	}
}

static void test_grade_counts(void **state)
{
	(void)state;
	const struct grade_clause clauses[] = {
		C("a", 1, false, P, "ok"),
		C("b", 1, false, F, "x"),
		C("c", 1, true, F, "x"),
		C("d", 2, false, MAN, "x"),
		C("e", 2, false, NA, "y"),
		C("f", 3, false, NT, "z"),
		C("g", 3, false, (enum verdict)42, "?"),
	};
	struct grade_result r;
	assert_int_equal(grade_run(clauses, DL_ARRAY_SIZE(clauses), true, 3, &r, NULL), 0);
	assert_int_equal(r.counts[VERDICT_PASS], 1);
	assert_int_equal(r.counts[VERDICT_FAIL], 2);
	assert_int_equal(r.counts[VERDICT_MANUAL], 1);
	assert_int_equal(r.counts[VERDICT_NOT_APPLICABLE], 1);
	assert_int_equal(r.counts[VERDICT_NOT_TESTED], 1);
	assert_int_equal(r.counts[VERDICT_ERROR], 1);
	assert_int_equal(r.mandatory_count, 6);
	assert_int_equal(r.optional_count, 1);
	assert_int_equal(r.target_blockers.by_verdict[VERDICT_FAIL], 1);
	assert_int_equal(r.target_blockers.by_verdict[VERDICT_MANUAL], 1);
	assert_int_equal(r.target_blockers.by_verdict[VERDICT_ERROR], 1);
	assert_int_equal(r.target_blockers.by_verdict[VERDICT_NOT_TESTED], 1);
	assert_int_equal(r.target_blockers.count, 4);
	grade_release(&r);
}

static void test_grade_explain(void **state)
{
	(void)state;
	const struct grade_clause levels[] = {
		C("1a", 1, false, P, "ok"), C("2a", 2, false, F, "x"), C("2b", 2, false, MAN, "x"),
		C("3a", 3, false, NT, "x"), C("3o", 3, true, F, "x"),
	};
	struct grade_result r;
	char text[1024];
	assert_int_equal(grade_run(levels, DL_ARRAY_SIZE(levels), true, 3, &r, NULL), 0);
	grade_explain(&r, text, sizeof(text));
	assert_non_null(strstr(text, "Level 1 reached."));
	assert_non_null(strstr(text, "Level 2 (levels 1-2): 2 mandatory clauses are not met "
				     "(1 fail, 1 manual)."));
	assert_non_null(strstr(text, "Target level 3 (levels 1-3): 3 mandatory clauses are not "
				     "met (1 fail, 1 manual, 1 not_tested)."));
	assert_non_null(strstr(text, "1 optional clause is not met"));
	/* a tiny buffer is truncated, never overrun */
	char tiny[12];
	grade_explain(&r, tiny, sizeof(tiny));
	assert_int_equal(strlen(tiny), sizeof(tiny) - 1);
	grade_release(&r);

	const struct grade_clause none[] = {C("5.3.1.1", 0, false, MAN, "ask")};
	assert_int_equal(grade_run(none, 1, false, 0, &r, NULL), 0);
	grade_explain(&r, text, sizeof(text));
	assert_string_equal(text, "Not decided: 1 mandatory clause is not met (1 manual).");
	grade_release(&r);

	const struct grade_clause top[] = {C("1a", 1, false, P, "ok")};
	assert_int_equal(grade_run(top, 1, true, 1, &r, NULL), 0);
	grade_explain(&r, text, sizeof(text));
	assert_string_equal(text, "Level 1 reached. The target level 1 is met.");
	grade_release(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_grade_table),
		cmocka_unit_test(test_grade_counts),
		cmocka_unit_test(test_grade_explain),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
