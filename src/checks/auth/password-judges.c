/* password-judges: the verdicts of auth.password-policy and auth.password-lifetime from the
 * change-password battery */
#include "core/compat.h"

#include <json-c/json.h>
#include <regex.h>

#include "checks/auth/password-policy.h"
#include "checks/check.h"
#include "core/error.h"
#include "core/json-read.h"
#include "core/profile.h"
#include "core/text.h"

/*
 * TS-0014-1 5.4.2.2 (length, "至少大於 8 個字元": more than 8, inventory
 * decision #8), 5.4.2.3 (3 of 4 classes), both "or warn the user" (decision
 * #9: a warning counts only if it names the weakness), 5.4.2.5 (no run of 3
 * consecutive characters of the account name, case-insensitive, N/A for
 * names under 3; decision #11), 5.4.2.6 (history: the declared depth, at
 * least 1). IoT-1006-1 5.1.1.7 (expiry reminder, forced change after the
 * maximum age) and 5.1.3.1 (minimum and maximum lifetime), decided as
 * `manual` without an ageing operation (decision #12). A vendor that
 * declares a recognised policy instead (auth.password_policy.reference,
 * decision #10) is judged against its declared values, and says so.
 *
 * A refusal is only evidence when the same battery shows that a compliant
 * password is accepted: without an accepted control the verdict is
 * inconclusive, never pass.
 */

enum rule { RULE_LENGTH, RULE_CLASSES, RULE_USERNAME, RULE_HISTORY };

/* Words a warning must contain to name the weakness (decision #9). */
static const char *const weakness_words[] = {
	[RULE_LENGTH] = "length|short|long|characters|chars|minimum|長度|字元|位數|太短",
	[RULE_CLASSES] = "class|upper|lower|digit|number|symbol|special|character type|complex|"
			 "simple|大寫|小寫|數字|符號|種類|複雜",
};

bool auth_warning_names_weakness(const char *warning, const char *rule)
{
	if (!warning || !warning[0] || !rule)
		return false;
	const char *words = NULL;
	if (strcmp(rule, "length") == 0)
		words = weakness_words[RULE_LENGTH];
	else if (strcmp(rule, "classes") == 0)
		words = weakness_words[RULE_CLASSES];
	if (!words)
		return false;
	regex_t re;
	if (regcomp(&re, words, REG_EXTENDED | REG_ICASE | REG_NOSUB) != 0)
		return false;
	bool named = regexec(&re, warning, 0, NULL, 0) == 0;
	regfree(&re);
	return named;
}

static int parse_rule(const char *text, enum rule *out, struct dl_error *err)
{
	static const char *const names[] = {"length", "classes", "username", "history"};
	for (size_t i = 0; i < DL_ARRAY_SIZE(names); i++) {
		if (text && strcmp(text, names[i]) == 0) {
			*out = (enum rule)i;
			return 0;
		}
	}
	return dl_error_set(err, DL_EINVAL,
			    "auth.password-policy: parameter rule is '%s'; expected length, "
			    "classes, username or history",
			    text ? text : "(unset)");
}

static int param_number(const struct check_params *params, const char *name, long fallback,
			long max, long *out, struct dl_error *err)
{
	const char *text = check_param_get(params, name, NULL);
	if (!text) {
		*out = fallback;
		return 0;
	}
	if (text_parse_long(text, 1, max, out) != 0)
		return dl_error_set(err, DL_EINVAL,
				    "auth.password-policy: parameter %s is '%s'; expected a "
				    "number from 1 to %ld",
				    name, text, max);
	return 0;
}

/* The first attempt of test kind. */
static const struct json_object *attempt_of(const struct json_object *attempts, const char *test)
{
	for (size_t i = 0; i < json_read_length((struct json_object *)attempts); i++) {
		const struct json_object *a =
			json_object_array_get_idx((struct json_object *)attempts, i);
		if (strcmp(json_read_text(a, "test", ""), test) == 0)
			return a;
	}
	return NULL;
}

static const char *describe(const struct json_object *a, char *buf, size_t size)
{
	const char *test = json_read_text(a, "test", "");
	if (strcmp(test, "length") == 0 || strcmp(test, "classes") == 0)
		snprintf(buf, size, "a password of %" PRId64 " characters and %" PRId64 " class%s",
			 json_read_int(a, "length", 0), json_read_int(a, "classes", 0),
			 json_read_int(a, "classes", 0) == 1 ? "" : "es");
	else if (strcmp(test, "username") == 0)
		snprintf(buf, size, "a password containing '%s' of the user name (%s)",
			 json_read_text(a, "run", "?"), json_read_text(a, "run_case", "?"));
	else if (strcmp(test, "history") == 0)
		snprintf(buf, size, "the password used %" PRId64 " change%s before",
			 json_read_int(a, "reuse_depth", 0),
			 json_read_int(a, "reuse_depth", 0) == 1 ? "" : "s");
	else
		snprintf(buf, size, "a compliant password of %" PRId64 " characters",
			 json_read_int(a, "length", 0));
	return buf;
}

/* The control that validates the refusals before it: accepted, or the
 * reason the verdict is inconclusive. */
static bool control_accepted(const struct json_object *attempts, const char *control,
			     struct check_verdict *out)
{
	const struct json_object *c = attempt_of(attempts, control);
	if (!c) {
		check_verdict_set(out, VERDICT_INCONCLUSIVE,
				  "the battery has no compliant control password (%s), so a "
				  "refusal cannot be told from a change that never works",
				  control);
		return false;
	}
	const char *outcome = json_read_text(c, "outcome", "?");
	if (strcmp(outcome, "accepted") != 0) {
		check_verdict_set(out, VERDICT_INCONCLUSIVE,
				  "the compliant control password (%" PRId64 " characters, %" PRId64
				  " classes) was %s (%s), so the "
				  "refusals of the weak ones prove nothing",
				  json_read_int(c, "length", 0), json_read_int(c, "classes", 0),
				  outcome, json_read_text(c, "excerpt", ""));
		return false;
	}
	check_verdict_add(out, FINDING_INFO, NULL,
			  "control: a compliant %" PRId64 "-character password of %" PRId64
			  " classes was accepted",
			  json_read_int(c, "length", 0), json_read_int(c, "classes", 0));
	return true;
}

struct tally {
	size_t tried, refused, warned, accepted, unreachable;
	char accepted_list[256];
};

static void tally_add(struct tally *t, const struct json_object *a, const char *rule,
		      bool warning_counts, struct check_verdict *out)
{
	char what[160];
	describe(a, what, sizeof(what));
	const char *outcome = json_read_text(a, "outcome", "?");
	const char *warning = json_read_text(a, "warning", "");
	const char *excerpt = json_read_text(a, "excerpt", "");
	t->tried++;
	if (strcmp(outcome, "refused") == 0) {
		t->refused++;
		check_verdict_add(out, FINDING_PASS, NULL, "%s was refused: %.160s", what,
				  excerpt[0] ? excerpt : "(no message)");
	} else if (strcmp(outcome, "accepted") == 0 && warning_counts &&
		   auth_warning_names_weakness(warning, rule)) {
		t->warned++;
		check_verdict_add(out, FINDING_PASS, NULL,
				  "%s was accepted with a warning that names the weakness: %.160s",
				  what, warning);
	} else if (strcmp(outcome, "accepted") == 0) {
		t->accepted++;
		size_t n = strlen(t->accepted_list);
		snprintf(t->accepted_list + n, sizeof(t->accepted_list) - n, "%s%s", n ? "; " : "",
			 what);
		if (warning[0] && warning_counts)
			check_verdict_add(out, FINDING_FAIL, NULL,
					  "%s was accepted; the warning does not name the "
					  "weakness (decision #9): %.160s",
					  what, warning);
		else
			check_verdict_add(out, FINDING_FAIL, NULL, "%s was accepted%s", what,
					  warning_counts ? " without a warning" : "");
	} else {
		t->unreachable++;
		check_verdict_add(out, FINDING_WARNING, NULL, "%s: no answer (%s): %.160s", what,
				  outcome, excerpt);
	}
}

static int judge_policy(const struct json_object *o, const struct check_params *params,
			const struct profile *profile, struct check_verdict *out,
			struct dl_error *err)
{
	enum rule rule = RULE_LENGTH;
	int rc = parse_rule(check_param_get(params, "rule", NULL), &rule, err);
	if (rc)
		return rc;
	const char *skipped = json_read_text(o, "skipped", NULL);
	const struct json_object *attempts = json_read_array(o, "attempts");
	if (skipped && !attempts)
		return check_verdict_set(out,
					 json_read_true(o, "not_applicable")
						 ? VERDICT_NOT_APPLICABLE
						 : VERDICT_INCONCLUSIVE,
					 "%s", skipped);
	const struct profile_auth *declared = profile ? &profile->auth : NULL;
	const char *reference = declared && declared->password_policy_reference
					? declared->password_policy_reference
					: NULL;
	const char *under = reference ? " under the declared policy " : "";
	const char *username = json_read_text(o, "username", "");
	check_verdict_add(out, FINDING_INFO, json_read_text(o, "transcript", NULL),
			  "battery through adapter '%s' (%s) on the test account '%s'",
			  json_read_text(o, "adapter", "?"), json_read_text(o, "driver", "?"),
			  username);

	long threshold = 0;
	const char *test = NULL, *control = "control";
	bool warning_counts = false;
	switch (rule) {
	case RULE_LENGTH:
		rc = param_number(params, "min", 9, 128, &threshold, err);
		if (!rc && reference && declared->password_min_length)
			threshold = declared->password_min_length;
		test = "length";
		warning_counts = true;
		break;
	case RULE_CLASSES:
		rc = param_number(params, "classes", 3, 4, &threshold, err);
		if (!rc && reference && declared->password_classes)
			threshold = declared->password_classes;
		test = "classes";
		warning_counts = true;
		break;
	case RULE_USERNAME:
		rc = param_number(params, "run", 3, 64, &threshold, err);
		test = "username";
		break;
	case RULE_HISTORY: {
		const char *depth = check_param_get(params, "depth", "declared");
		if (strcmp(depth, "declared") == 0) {
			threshold = declared && declared->password_history
					    ? (long)declared->password_history
					    : 1;
		} else {
			rc = param_number(params, "depth", 1, 64, &threshold, err);
		}
		test = "history";
		control = "control_history";
		break;
	}
	}
	if (rc)
		return rc;
	if (reference && ((rule == RULE_LENGTH && !declared->password_min_length) ||
			  (rule == RULE_CLASSES && !declared->password_classes)))
		return check_verdict_set(out, VERDICT_PASS,
					 "pass under the declared policy %s, which sets no %s "
					 "rule (decision #10); the clause's own rule was not "
					 "applied",
					 reference, rule == RULE_LENGTH ? "length" : "composition");
	if (rule == RULE_USERNAME && strlen(username) < (size_t)threshold)
		return check_verdict_set(out, VERDICT_NOT_APPLICABLE,
					 "the test account's name '%s' is shorter than %ld "
					 "characters, so no run of %ld can be taken from it",
					 username, threshold, threshold);

	/* The attempts this rule judges, and whether the boundary was tried. */
	struct tally t = {0};
	bool boundary = false;
	size_t judged = 0;
	for (size_t i = 0; i < json_read_length((struct json_object *)attempts); i++) {
		const struct json_object *a =
			json_object_array_get_idx((struct json_object *)attempts, i);
		if (strcmp(json_read_text(a, "test", ""), test) != 0)
			continue;
		int64_t value = 0;
		switch (rule) {
		case RULE_LENGTH:
			value = json_read_int(a, "length", 0);
			if (value >= threshold) {
				char what[160];
				check_verdict_add(out, FINDING_INFO, NULL, "%s was %s",
						  describe(a, what, sizeof(what)),
						  json_read_text(a, "outcome", "?"));
				continue;
			}
			boundary = boundary || value == threshold - 1;
			break;
		case RULE_CLASSES:
			value = json_read_int(a, "classes", 0);
			if (value >= threshold)
				continue;
			boundary = boundary || value == threshold - 1;
			break;
		case RULE_USERNAME:
			if (json_read_int(a, "run_length", 0) < threshold)
				continue;
			boundary = true;
			break;
		case RULE_HISTORY:
			value = json_read_int(a, "reuse_depth", 0);
			if (value > threshold)
				continue;
			boundary = boundary || value == threshold;
			break;
		}
		judged++;
		tally_add(&t, a, test, warning_counts, out);
	}
	if (!control_accepted(attempts, control, out))
		return 0;
	if (judged == 0 || (!boundary && t.accepted == 0))
		return check_verdict_set(out, VERDICT_INCONCLUSIVE,
					 "the battery did not reach the %s case at the threshold "
					 "%ld%s%s (%zu judged attempts)",
					 test, threshold, under, reference ? reference : "",
					 judged);
	if (t.accepted)
		return check_verdict_set(
			out, VERDICT_FAIL, "%zu of %zu weak passwords accepted%s%s: %s", t.accepted,
			t.tried, under, reference ? reference : "", t.accepted_list);
	if (t.unreachable)
		return check_verdict_set(
			out, VERDICT_INCONCLUSIVE,
			"%zu of %zu attempts got no answer; %zu refused, %zu warned", t.unreachable,
			t.tried, t.refused, t.warned);
	switch (rule) {
	case RULE_LENGTH:
		return check_verdict_set(out, VERDICT_PASS,
					 "all %zu passwords shorter than %ld characters were "
					 "refused (%zu) or warned "
					 "about (%zu)%s%s; minimum %ld%s",
					 t.tried, threshold, t.refused, t.warned, under,
					 reference ? reference : "", threshold,
					 threshold == 9 && !reference
						 ? " (literal reading of \"more than 8\", "
						   "decision #8)"
						 : "");
	case RULE_CLASSES:
		return check_verdict_set(out, VERDICT_PASS,
					 "all %zu passwords of fewer than %ld character classes "
					 "were refused (%zu) or warned about (%zu)%s%s",
					 t.tried, threshold, t.refused, t.warned, under,
					 reference ? reference : "");
	case RULE_USERNAME:
		return check_verdict_set(out, VERDICT_PASS,
					 "all %zu passwords containing a %ld-character run of the "
					 "user name '%s' (either case) were refused",
					 t.tried, threshold, username);
	case RULE_HISTORY:
		return check_verdict_set(out, VERDICT_PASS,
					 "reuse of each of the last %ld passwords was refused (%zu "
					 "attempts); history depth %ld %s",
					 threshold, t.tried, threshold,
					 declared && declared->password_history
						 ? "as declared"
						 : "(none declared: at least 1, decision #11)");
	}
	return 0;
}

/* ---- lifetime ---------------------------------------------------------- */

enum part_state { PART_PASS, PART_FAIL, PART_MANUAL, PART_INCONCLUSIVE };

/* The minimum lifetime: a second change right after one was accepted. */
static enum part_state judge_min_age(const struct json_object *o, struct check_verdict *out)
{
	const struct json_object *attempts = json_read_array(o, "attempts");
	const struct json_object *a = attempt_of(attempts, "min_age");
	if (!a) {
		check_verdict_add(out, FINDING_WARNING, NULL, "minimum lifetime: not tried (%s)",
				  json_read_text(o, "stopped",
						 json_read_text(o, "skipped",
								"the battery stopped before it")));
		return PART_INCONCLUSIVE;
	}
	const char *outcome = json_read_text(a, "outcome", "?");
	if (strcmp(outcome, "accepted") == 0) {
		check_verdict_add(out, FINDING_FAIL, NULL,
				  "minimum lifetime: a second change right after an accepted "
				  "one was accepted");
		return PART_FAIL;
	}
	if (strcmp(outcome, "refused") != 0) {
		check_verdict_add(out, FINDING_WARNING, NULL,
				  "minimum lifetime: the second change got no answer (%s)",
				  outcome);
		return PART_INCONCLUSIVE;
	}
	const struct json_object *confirm = attempt_of(attempts, "min_age_confirm");
	if (confirm && strcmp(json_read_text(confirm, "outcome", ""), "accepted") == 0) {
		check_verdict_add(out, FINDING_PASS, NULL,
				  "minimum lifetime: a second change right after an accepted one "
				  "was refused (%.120s), and the same password was accepted once "
				  "the last change was moved back past the minimum age",
				  json_read_text(a, "excerpt", ""));
		return PART_PASS;
	}
	check_verdict_add(out, FINDING_WARNING, NULL,
			  "minimum lifetime: the second change was refused (%.120s), but no "
			  "ageing operation confirmed that the minimum age was the reason",
			  json_read_text(a, "excerpt", ""));
	return PART_PASS;
}

/* A lifetime step done with an ageing operation: "reminder" or "expiry". */
static enum part_state judge_step(const struct json_object *o, const char *step,
				  struct check_verdict *out)
{
	const struct json_object *s = json_read_object(json_read_object(o, "lifetime"), step);
	const char *state = json_read_text(s, "state", "not_done");
	const char *why = json_read_text(s, "why", "no ageing operation ran");
	bool reminder = strcmp(step, "reminder") == 0;
	if (strcmp(state, "done") != 0) {
		check_verdict_add(
			out, FINDING_WARNING, NULL,
			"%s: not tested automatically (%s); decision #12: without a way "
			"to age the password the result is manual",
			reminder ? "expiry reminder" : "forced change after the maximum age", why);
		return PART_MANUAL;
	}
	const char *outcome = json_read_text(s, "outcome", "?");
	const char *excerpt = json_read_text(s, "excerpt", "");
	if (reminder) {
		if (strcmp(outcome, "accepted") == 0 && json_read_true(s, "reminder_seen")) {
			check_verdict_add(out, FINDING_PASS, NULL,
					  "expiry reminder: inside the warning window the login "
					  "said: %.160s",
					  excerpt);
			return PART_PASS;
		}
		if (strcmp(outcome, "change_required") == 0) {
			check_verdict_add(out, FINDING_WARNING, NULL,
					  "expiry reminder: inside the warning window the login "
					  "already required a change");
			return PART_INCONCLUSIVE;
		}
		if (strcmp(outcome, "accepted") == 0) {
			check_verdict_add(
				out, FINDING_FAIL, NULL,
				"expiry reminder: inside the warning window the login gave "
				"no reminder: %.160s",
				excerpt);
			return PART_FAIL;
		}
	} else {
		if (strcmp(outcome, "change_required") == 0) {
			check_verdict_add(out, FINDING_PASS, NULL,
					  "maximum lifetime: after the maximum age the login "
					  "required a password change: %.160s",
					  excerpt);
			return PART_PASS;
		}
		if (strcmp(outcome, "accepted") == 0) {
			check_verdict_add(out, FINDING_FAIL, NULL,
					  "maximum lifetime: after the maximum age the login was "
					  "accepted without a change: %.160s",
					  excerpt);
			return PART_FAIL;
		}
		if (strcmp(outcome, "refused") == 0) {
			/* an expired account locked rather than forced to change */
			check_verdict_add(out, FINDING_WARNING, NULL,
					  "maximum lifetime: after the maximum age the login was "
					  "refused outright, not offered a change: %.160s",
					  excerpt);
			return PART_INCONCLUSIVE;
		}
	}
	check_verdict_add(out, FINDING_WARNING, NULL, "%s: no usable answer (%s)", step, outcome);
	return PART_INCONCLUSIVE;
}

static int judge_lifetime(const struct json_object *o, const struct check_params *params,
			  const struct profile *profile, struct check_verdict *out,
			  struct dl_error *err)
{
	const char *require = check_param_get(params, "require", "min_age,expiry");
	bool want_min = strstr(require, "min_age") != NULL;
	bool want_expiry = strstr(require, "expiry") != NULL;
	bool want_reminder = strstr(require, "reminder") != NULL;
	if (!want_min && !want_expiry && !want_reminder)
		return dl_error_set(err, DL_EINVAL,
				    "auth.password-lifetime: parameter require is '%s'; expected a "
				    "comma list of min_age, expiry, reminder",
				    require);
	const struct profile_auth *d = profile ? &profile->auth : NULL;
	if (d)
		check_verdict_add(out, FINDING_INFO, NULL,
				  "declared: minimum age %u days, maximum age %u days%s%s",
				  d->password_min_age_days, d->password_max_age_days,
				  d->password_policy_reference ? ", policy " : "",
				  d->password_policy_reference ? d->password_policy_reference : "");
	if (json_read_text(o, "skipped", NULL) && !json_read_array(o, "attempts") &&
	    !json_read_object(o, "lifetime"))
		return check_verdict_set(out, VERDICT_INCONCLUSIVE, "%s",
					 json_read_text(o, "skipped", ""));
	enum part_state parts[3];
	size_t n = 0;
	if (want_min)
		parts[n++] = judge_min_age(o, out);
	if (want_reminder)
		parts[n++] = judge_step(o, "reminder", out);
	if (want_expiry)
		parts[n++] = judge_step(o, "expiry", out);
	size_t fail = 0, manual = 0, inconclusive = 0;
	for (size_t i = 0; i < n; i++) {
		fail += parts[i] == PART_FAIL;
		manual += parts[i] == PART_MANUAL;
		inconclusive += parts[i] == PART_INCONCLUSIVE;
	}
	if (fail)
		return check_verdict_set(out, VERDICT_FAIL,
					 "%zu of %zu lifetime requirements (%s) not enforced", fail,
					 n, require);
	if (inconclusive)
		return check_verdict_set(out, VERDICT_INCONCLUSIVE,
					 "%zu of %zu lifetime requirements (%s) could not be "
					 "decided",
					 inconclusive, n, require);
	if (manual)
		return check_verdict_set(out, VERDICT_MANUAL,
					 "%zu of %zu lifetime requirements (%s) need the clock "
					 "advanced by hand: the profile declares no ageing "
					 "operation (decision #12)",
					 manual, n, require);
	return check_verdict_set(out, VERDICT_PASS, "every lifetime requirement (%s) enforced",
				 require);
}

static const char *const policy_params[] = {"rule", "min", "classes", "run", "depth", NULL};
static const char *const lifetime_params[] = {"require", NULL};

const struct check check_auth_password_policy = {
	.id = "auth.password-policy",
	.summary = "weak passwords (short, few classes, user-name runs, reused) are refused or "
		   "warned about",
	.collector = &collector_auth_password_policy,
	.params = policy_params,
	.judge = judge_policy,
};

const struct check check_auth_password_lifetime = {
	.id = "auth.password-lifetime",
	.summary = "minimum and maximum password lifetime and expiry reminders are enforced",
	.collector = &collector_auth_password_policy,
	.params = lifetime_params,
	.judge = judge_lifetime,
};
