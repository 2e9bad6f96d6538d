/* grade: the level reached, the outcome and the clauses that stand in the way */
#include "core/compat.h"

#include "core/error.h"
#include "report/grade.h"

/* A verdict outside the enum is read as error: it blocks. */
static enum verdict clause_verdict(const struct grade_clause *clause)
{
	return (unsigned)clause->verdict < VERDICT_COUNT ? clause->verdict : VERDICT_ERROR;
}

bool grade_clause_met(const struct grade_clause *clause)
{
	if (clause->verdict == VERDICT_PASS)
		return true;
	/* #43: not_applicable counts only with the declaration it rests on */
	if (clause->verdict == VERDICT_NOT_APPLICABLE)
		return clause->reason && clause->reason[strspn(clause->reason, " \t\r\n")] != '\0';
	return false;
}

static int clause_level(const struct grade_clause *clause)
{
	if (clause->level < 1)
		return 1; /* the strictest reading: it is needed for every level */
	if (clause->level > GRADE_LEVEL_MAX)
		return GRADE_LEVEL_MAX;
	return clause->level;
}

/* Fill list with the clauses for which pick() holds, grouped by verdict. */
static void list_fill(struct grade_list *list, const struct grade_clause *clauses, size_t count,
		      bool has_levels, int up_to_level, bool optional)
{
	list->count = 0;
	memset(list->by_verdict, 0, sizeof(list->by_verdict));
	for (size_t v = 0; v < VERDICT_COUNT; v++) {
		for (size_t i = 0; i < count; i++) {
			const struct grade_clause *c = &clauses[i];
			if ((size_t)clause_verdict(c) != v || c->optional != optional)
				continue;
			if (has_levels && clause_level(c) > up_to_level)
				continue;
			if (grade_clause_met(c))
				continue;
			list->index[list->count++] = i;
			list->by_verdict[v]++;
		}
	}
}

static bool list_has_verdict(const struct grade_list *list, const struct grade_clause *clauses,
			     enum verdict verdict)
{
	for (size_t i = 0; i < list->count; i++)
		if (clause_verdict(&clauses[list->index[i]]) == verdict)
			return true;
	return false;
}

int grade_run(const struct grade_clause *clauses, size_t count, bool has_levels, int target_level,
	      struct grade_result *result, struct dl_error *err)
{
	memset(result, 0, sizeof(*result));
	result->has_levels = has_levels;
	size_t slots = count ? count : 1;
	result->next_blockers.index = calloc(slots, sizeof(size_t));
	result->target_blockers.index = calloc(slots, sizeof(size_t));
	result->optional_open.index = calloc(slots, sizeof(size_t));
	if (!result->next_blockers.index || !result->target_blockers.index ||
	    !result->optional_open.index) {
		grade_release(result);
		return dl_error_set(err, DL_ENOMEM, "out of memory grading %zu clauses", count);
	}

	for (size_t i = 0; i < count; i++) {
		result->counts[clause_verdict(&clauses[i])]++;
		if (clauses[i].optional)
			result->optional_count++;
		else
			result->mandatory_count++;
	}
	list_fill(&result->optional_open, clauses, count, has_levels, GRADE_LEVEL_MAX, true);

	if (!has_levels) {
		list_fill(&result->next_blockers, clauses, count, false, 0, false);
		if (result->next_blockers.count == 0)
			result->outcome = GRADE_PASS;
		else if (list_has_verdict(&result->next_blockers, clauses, VERDICT_FAIL))
			result->outcome = GRADE_FAIL;
		else
			result->outcome = GRADE_OPEN;
		return 0;
	}

	int max_level = 0;
	for (size_t i = 0; i < count; i++)
		if (clause_level(&clauses[i]) > max_level)
			max_level = clause_level(&clauses[i]);
	result->max_level = max_level;

	/* Highest N whose mandatory clauses of levels 1..N are all met. */
	bool blocked[GRADE_LEVEL_MAX + 1] = {false};
	for (size_t i = 0; i < count; i++)
		if (!clauses[i].optional && !grade_clause_met(&clauses[i]))
			blocked[clause_level(&clauses[i])] = true;
	int reached = 0;
	for (int n = 1; n <= max_level && !blocked[n]; n++)
		reached = n;
	result->level_reached = reached;
	result->next_level = reached < max_level ? reached + 1 : 0;

	/* No target given: grade against the highest level there is. */
	int target = target_level >= 1 ? target_level : max_level;
	result->target_level = target;
	if (result->next_level)
		list_fill(&result->next_blockers, clauses, count, true, result->next_level, false);
	if (reached < target)
		list_fill(&result->target_blockers, clauses, count, true, target, false);

	if (reached >= target)
		result->outcome = GRADE_PASS;
	else if (list_has_verdict(&result->target_blockers, clauses, VERDICT_FAIL))
		result->outcome = GRADE_FAIL;
	else
		result->outcome = GRADE_OPEN;
	return 0;
}

void grade_release(struct grade_result *result)
{
	if (!result)
		return;
	free(result->next_blockers.index);
	free(result->target_blockers.index);
	free(result->optional_open.index);
	result->next_blockers.index = NULL;
	result->target_blockers.index = NULL;
	result->optional_open.index = NULL;
}

const char *grade_outcome_name(enum grade_outcome outcome)
{
	switch (outcome) {
	case GRADE_PASS: return "pass";
	case GRADE_FAIL: return "fail";
	case GRADE_OPEN: return "open";
	}
	return "open";
}

static void appendf(char *buf, size_t size, size_t *used, const char *format, ...)
	__attribute__((format(printf, 4, 5)));
static void appendf(char *buf, size_t size, size_t *used, const char *format, ...)
{
	if (*used + 1 >= size)
		return;
	va_list args;
	va_start(args, format);
	int n = vsnprintf(buf + *used, size - *used, format, args);
	va_end(args);
	if (n < 0)
		return;
	*used = (size_t)n >= size - *used ? size - 1 : *used + (size_t)n;
}

/* "3 mandatory clauses are not met (2 fail, 1 manual)" */
static void append_list(char *buf, size_t size, size_t *used, const struct grade_list *list)
{
	appendf(buf, size, used, "%zu mandatory clause%s not met (", list->count,
		list->count == 1 ? " is" : "s are");
	bool first = true;
	for (size_t v = 0; v < VERDICT_COUNT; v++) {
		if (!list->by_verdict[v])
			continue;
		appendf(buf, size, used, "%s%zu %s", first ? "" : ", ", list->by_verdict[v],
			verdict_name((enum verdict)v));
		first = false;
	}
	appendf(buf, size, used, ")");
}

void grade_explain(const struct grade_result *result, char *buf, size_t size)
{
	size_t used = 0;
	if (!size)
		return;
	buf[0] = '\0';
	if (!result->has_levels) {
		if (result->outcome == GRADE_PASS) {
			appendf(buf, size, &used,
				"Pass: every applicable mandatory clause passed.");
		} else {
			appendf(buf, size, &used,
				"%s: ", result->outcome == GRADE_FAIL ? "Fail" : "Not decided");
			append_list(buf, size, &used, &result->next_blockers);
			appendf(buf, size, &used, ".");
		}
	} else {
		if (result->level_reached)
			appendf(buf, size, &used, "Level %d reached.", result->level_reached);
		else
			appendf(buf, size, &used, "No level reached.");
		if (result->next_level) {
			if (result->next_level == 1)
				appendf(buf, size, &used, " Level 1: ");
			else
				appendf(buf, size, &used,
					" Level %d (levels 1-%d): ", result->next_level,
					result->next_level);
			append_list(buf, size, &used, &result->next_blockers);
			appendf(buf, size, &used, ".");
		}
		if (result->target_level > result->next_level && result->target_blockers.count) {
			appendf(buf, size, &used,
				" Target level %d (levels 1-%d): ", result->target_level,
				result->target_level);
			append_list(buf, size, &used, &result->target_blockers);
			appendf(buf, size, &used, ".");
		} else if (result->level_reached >= result->target_level) {
			appendf(buf, size, &used, " The target level %d is met.",
				result->target_level);
		}
	}
	if (result->optional_open.count)
		appendf(buf, size, &used,
			" %zu optional clause%s not met; optional clauses never block a level.",
			result->optional_open.count,
			result->optional_open.count == 1 ? " is" : "s are");
}
