/* tokens-judge: the session.tokens check: unique, random session tokens refused after logout and
 * expiry (IoT-1006-1 5.2.1.13) */
#include "core/compat.h"

#include <json-c/json.h>

#include "checks/check.h"
#include "checks/session/session.h"
#include "checks/session/token-decode.h"
#include "checks/session/tokens.h"
#include "core/error.h"
#include "core/json-read.h"
#include "core/text.h"

/*
 * IoT-1006-1 5.2.1.13: (a) session identifiers unique, (b) generated
 * randomly enough by a recognised algorithm, (c) invalid at once when the
 * session ends or the user logs out. Per interface that issues a token the
 * collector wrote (session.h):
 *   "tokens": ["...", ...] in issue order, "target": 1000,
 *   "logins": {"attempts", "accepted", "refused", "unreachable",
 *              "change_required", "no_token"},
 *   "logout": {"supported": bool, "ok", "failed"},
 *   "after_logout": [{"index", "before": RESPONSE, "after": RESPONSE}],
 *   "expiry": {"tested": bool, "reason", "idle_timeout", "waited_s",
 *              "probes": [{"before": RESPONSE, "after": RESPONSE}]},
 *   "tokens_per_second", "stopped", "evidence".
 * The verdict is decided on the tokens as decoded (token-decode.h), the
 * analysis of the tokens as issued is reported beside it. Duplicates and a
 * sequence fail on any sample; a pass needs the full sample (param count,
 * 1000 by default): a smaller one that looks random is inconclusive.
 */

/* The fewest tokens whose order the sequence test reads. */
#define SEQUENCE_MIN 20

enum part { PART_PASS, PART_MANUAL, PART_INCONCLUSIVE, PART_FAIL };

struct tally {
	size_t fail, inconclusive, manual, pass, tested;
	char first_fail[1200], first_inconclusive[1200], first_manual[1200], first_pass[1200];
};

static void note(struct tally *t, enum part p, const char *label, const char *text)
{
	if (p == PART_FAIL && t->fail++ == 0)
		snprintf(t->first_fail, sizeof(t->first_fail), "%.160s: %.1000s", label, text);
	if (p == PART_INCONCLUSIVE && t->inconclusive++ == 0)
		snprintf(t->first_inconclusive, sizeof(t->first_inconclusive), "%.160s: %.1000s",
			 label, text);
	if (p == PART_MANUAL && t->manual++ == 0)
		snprintf(t->first_manual, sizeof(t->first_manual), "%.160s: %.1000s", label, text);
	if (p == PART_PASS && t->pass++ == 0)
		snprintf(t->first_pass, sizeof(t->first_pass), "%.160s: %.1000s", label, text);
}

static enum finding_severity severity(enum part p)
{
	return p == PART_FAIL ? FINDING_FAIL : p == PART_PASS ? FINDING_PASS : FINDING_WARNING;
}

static int add(struct check_verdict *out, struct tally *t, enum part p, const char *label,
	       const char *evidence, const char *text)
{
	note(t, p, label, text);
	return check_verdict_add(out, severity(p), evidence, "%.160s: %.1000s", label, text);
}

/* The entropy part: (a) and (b). */
static int judge_entropy(const struct json_object *e, const char *label, long target,
			 double min_bits, struct check_verdict *out, struct tally *t,
			 struct dl_error *err)
{
	struct json_object *list = json_read_array(e, "tokens");
	size_t count = json_read_length(list);
	const char *evidence = json_read_text(e, "evidence", NULL);
	char text[1024];
	if (count > TOKENS_MAX_COUNT)
		count = TOKENS_MAX_COUNT;
	if (count < 2) {
		struct json_object *l = json_read_object(e, "logins");
		snprintf(text, sizeof(text),
			 "%zu session token%s collected of %ld wanted (%" PRId64 " logins: %" PRId64
			 " accepted, %" PRId64 " refused, %" PRId64 " unreachable, %" PRId64
			 " change required, %" PRId64 " without a token)%s%s",
			 count, count == 1 ? "" : "s", target, json_read_int(l, "attempts", 0),
			 json_read_int(l, "accepted", 0), json_read_int(l, "refused", 0),
			 json_read_int(l, "unreachable", 0), json_read_int(l, "change_required", 0),
			 json_read_int(l, "no_token", 0),
			 json_read_text(e, "stopped", NULL) ? "; " : "",
			 json_read_text(e, "stopped", ""));
		return add(out, t, PART_INCONCLUSIVE, label, NULL, text);
	}
	const char **tokens = calloc(count, sizeof(*tokens));
	if (!tokens)
		return dl_error_set(err, DL_ENOMEM, "session.tokens: out of memory");
	int rc = 0;
	for (size_t i = 0; i < count && !rc; i++) {
		tokens[i] = json_object_get_string(json_object_array_get_idx(list, i));
		if (!tokens[i] || !tokens[i][0] || strlen(tokens[i]) > TOKENS_MAX_LENGTH)
			rc = dl_error_set(err, DL_EINVAL,
					  "session.tokens: %s: token %zu is empty or longer than "
					  "%d characters",
					  label, i, TOKENS_MAX_LENGTH);
	}
	struct token_decode d = {0};
	struct tokens_analysis raw, a;
	if (!rc)
		rc = tokens_analyse(tokens, count, &raw, err);
	if (!rc)
		rc = token_decode(tokens, count, &d, err);
	if (!rc)
		rc = tokens_analyse((const char *const *)d.tokens, d.count, &a, err);
	free(tokens);
	if (rc) {
		token_decode_release(&d);
		return rc;
	}
	char reason[512];
	bool enough = tokens_enough_entropy(&a, min_bits, reason, sizeof(reason));
	char decoded[256] = "as issued";
	if (d.base64_layers || d.prefix_length || d.suffix_length)
		snprintf(decoded, sizeof(decoded),
			 "decoded (%u base64 layer%s of text removed, constant prefix '%s' (%zu) "
			 "and suffix '%s' (%zu) cut)",
			 d.base64_layers, d.base64_layers == 1 ? "" : "s", d.prefix,
			 d.prefix_length, d.suffix, d.suffix_length);
	token_decode_release(&d);

	rc = check_verdict_add(out, FINDING_INFO, evidence, "%s: tokens as issued: %s", label,
			       raw.summary);
	if (!rc)
		rc = check_verdict_add(out, FINDING_INFO, NULL, "%s: tokens %s: %s", label, decoded,
				       a.summary);
	const struct tokens_fips *f = &a.fips;
	char runs[32] = "pass";
	if (!f->runs)
		snprintf(runs, sizeof(runs), "fail at length %u", f->runs_failed_at);
	if (!rc && f->ran)
		rc = check_verdict_add(
			out, FINDING_INFO, NULL,
			"%s: FIPS 140-2 4.9.1 on 20,000 bits%s: monobit %u ones (%s), poker X=%.2f "
			"(%s), runs %s, longest run %u (%s)",
			label,
			!f->second_block ? ""
			: f->monobit && f->poker && f->runs && f->long_run
				? " (the second block: the first failed, as a random source "
				  "does about once in a thousand blocks)"
				: " (the first block; the second failed too)",
			f->monobit_ones, f->monobit ? "pass" : "fail", f->poker_x,
			f->poker ? "pass" : "fail", runs, f->longest_run,
			f->long_run ? "pass" : "fail");
	const struct tokens_sp800_22 *s = &a.sp800_22;
	if (!rc && s->ran)
		rc = check_verdict_add(
			out, FINDING_INFO, NULL,
			"%s: SP 800-22 on %zu bits (alpha %.2f), p-values: frequency %.4f, block "
			"frequency %.4f, runs %.4f, longest run %.4f, serial %.4f/%.4f, "
			"approximate "
			"entropy %.4f, cusum %.4f/%.4f; %u of 7 tests failed",
			label, s->bits, TOKENS_ALPHA, s->frequency_p, s->block_frequency_p,
			s->runs_p, s->longest_run_p, s->serial_p1, s->serial_p2,
			s->approximate_entropy_p, s->cusum_forward_p, s->cusum_backward_p,
			s->failed);
	if (rc)
		return rc < 0 ? rc : 0;

	if (a.duplicates > 0)
		return add(out, t, PART_FAIL, label, evidence, reason);
	/* a handful of tokens always "goes one way": too few for any statistic */
	if (count < SEQUENCE_MIN) {
		snprintf(text, sizeof(text),
			 "only %zu of %ld session tokens collected%s%s: too few to judge their "
			 "randomness",
			 count, target, json_read_text(e, "stopped", NULL) ? ", " : "",
			 json_read_text(e, "stopped", ""));
		return add(out, t, PART_INCONCLUSIVE, label, evidence, text);
	}
	if (a.sequential)
		return add(out, t, PART_FAIL, label, evidence, reason);
	/* The first logins ran one at a time: their order is the issue order,
	 * which the concurrent rest only approximates. */
	size_t ordered = (size_t)json_read_int(e, "ordered", 0);
	if (ordered > count)
		ordered = count;
	if (ordered >= 10) {
		struct token_decode od = {0};
		struct tokens_analysis oa;
		const char **head = calloc(ordered, sizeof(*head));
		if (!head)
			return dl_error_set(err, DL_ENOMEM, "session.tokens: out of memory");
		for (size_t i = 0; i < ordered; i++)
			head[i] = json_object_get_string(json_object_array_get_idx(list, i));
		rc = token_decode(head, ordered, &od, err);
		if (!rc)
			rc = tokens_analyse((const char *const *)od.tokens, od.count, &oa, err);
		token_decode_release(&od);
		free(head);
		if (rc)
			return rc;
		if (oa.sequential) {
			snprintf(text, sizeof(text),
				 "the first %zu tokens, issued one login at a time, are sequential "
				 "(a counter or a timestamp): the step carries %.1f bits",
				 ordered, oa.min_entropy_bits_step);
			return add(out, t, PART_FAIL, label, evidence, text);
		}
	}
	if ((long)count < target) {
		snprintf(text, sizeof(text),
			 "only %zu of %ld session tokens collected%s%s: too few to pass (%s)",
			 count, target, json_read_text(e, "stopped", NULL) ? ", " : "",
			 json_read_text(e, "stopped", ""), reason);
		return add(out, t, PART_INCONCLUSIVE, label, evidence, text);
	}
	if (s->ran && s->failed > 0) {
		/* SP 800-22 at alpha 0.01 fails one test in a hundred on a good
		 * generator: a warning beside the decision, not the decision. */
		rc = check_verdict_add(out, FINDING_WARNING, NULL,
				       "%s: %u of 7 SP 800-22 tests below p = %.2f (a random "
				       "source fails one in a hundred; see the p-values)",
				       label, s->failed, TOKENS_ALPHA);
		if (rc)
			return rc;
	}
	return add(out, t, enough ? PART_PASS : PART_FAIL, label, evidence, reason);
}

/* (c), first half: refused at once after logout. */
static int judge_logout(const struct json_object *e, const char *label, struct check_verdict *out,
			struct tally *t)
{
	struct json_object *logout = json_read_object(e, "logout");
	char text[768];
	/* An interface whose logout dutlab cannot drive (no logout_url, no
	 * logout_websocket) leaves that half of (c) to a person. */
	if (!json_read_true(logout, "supported"))
		return add(out, t, PART_MANUAL, label, NULL,
			   "dutlab cannot log out of this interface (the profile gives neither "
			   "logout_url nor logout_websocket): confirm by hand that logging out "
			   "invalidates the session "
			   "identifier at once");
	struct json_object *pairs = json_read_array(e, "after_logout");
	size_t n = json_read_length(pairs), controls = 0, accepted = 0, refused = 0;
	int64_t status_after = 0, status_before = 0;
	for (size_t i = 0; i < n; i++) {
		struct json_object *p = json_object_array_get_idx(pairs, i);
		struct json_object *before = json_read_object(p, "before");
		struct json_object *after = json_read_object(p, "after");
		if (session_outcome_is(before, "accepted")) {
			controls++;
			status_before = json_read_int(before, "status", 0);
		}
		if (session_outcome_is(after, "accepted")) {
			accepted++;
			status_after = json_read_int(after, "status", 0);
		} else if (session_outcome_is(after, "refused")) {
			refused++;
			if (!accepted)
				status_after = json_read_int(after, "status", 0);
		}
	}
	int64_t logout_failed = json_read_int(logout, "failed", 0);
	if (accepted) {
		snprintf(text, sizeof(text),
			 "%zu of %zu session tokens were still accepted after logout (status "
			 "%" PRId64 "): a logged-out session identifier stays valid",
			 accepted, n, status_after);
		return add(out, t, PART_FAIL, label, NULL, text);
	}
	if (n == 0)
		return add(out, t, PART_INCONCLUSIVE, label, NULL,
			   "no token was presented again after logout");
	if (controls == 0) {
		snprintf(text, sizeof(text),
			 "the token probe did not accept even a live session's token, so the %zu "
			 "refusals after logout prove nothing; check the adapter's whoami_url",
			 n);
		return add(out, t, PART_INCONCLUSIVE, label, NULL, text);
	}
	if (refused < n) {
		snprintf(text, sizeof(text),
			 "%zu of %zu tokens presented after logout got no answer (the interface "
			 "was unreachable), %zu were refused",
			 n - refused, n, refused);
		return add(out, t, PART_INCONCLUSIVE, label, NULL, text);
	}
	snprintf(text, sizeof(text),
		 "%zu of %zu session tokens refused right after logout (status %" PRId64
		 "), each accepted while its session was live (status %" PRId64 ")%s",
		 refused, n, status_after, status_before,
		 logout_failed ? "; some logouts failed (see logout.failed)" : "");
	return add(out, t, PART_PASS, label, NULL, text);
}

/* (c), second half: refused after the session expired. */
static int judge_expiry(const struct json_object *e, const char *label, struct check_verdict *out,
			struct tally *t)
{
	struct json_object *x = json_read_object(e, "expiry");
	char text[768];
	if (!json_read_true(x, "tested")) {
		snprintf(text, sizeof(text), "expiry not tested: %s",
			 json_read_text(x, "reason", "no reason recorded"));
		return add(out, t, PART_INCONCLUSIVE, label, NULL, text);
	}
	struct json_object *probes = json_read_array(x, "probes");
	size_t n = json_read_length(probes), controls = 0, accepted = 0, refused = 0;
	for (size_t i = 0; i < n; i++) {
		struct json_object *p = json_object_array_get_idx(probes, i);
		controls += session_outcome_is(json_read_object(p, "before"), "accepted");
		accepted += session_outcome_is(json_read_object(p, "after"), "accepted");
		refused += session_outcome_is(json_read_object(p, "after"), "refused");
	}
	int64_t idle = json_read_int(x, "idle_timeout", 0);
	int64_t waited = json_read_int(x, "waited_s", 0);
	if (accepted) {
		snprintf(text, sizeof(text),
			 "%zu of %zu session tokens still accepted after %" PRId64
			 " s idle (declared idle timeout %" PRId64 " s): the session never expired",
			 accepted, n, waited, idle);
		return add(out, t, PART_FAIL, label, NULL, text);
	}
	if (n == 0 || controls == 0 || refused < n) {
		snprintf(text, sizeof(text), "expiry inconclusive: %s",
			 n == 0 ? "no expiry session could be opened"
			 : controls == 0
				 ? "the token probe did not accept the live tokens before the wait"
				 : "a token presented after the wait got no answer (the interface "
				   "was unreachable)");
		return add(out, t, PART_INCONCLUSIVE, label, NULL, text);
	}
	snprintf(text, sizeof(text),
		 "%zu of %zu session tokens refused after %" PRId64 " s idle (declared idle "
		 "timeout %" PRId64 " s), each accepted before the wait",
		 n, n, waited, idle);
	return add(out, t, PART_PASS, label, NULL, text);
}

static int judge_tokens(const struct json_object *observation, const struct check_params *params,
			const struct profile *profile, struct check_verdict *out,
			struct dl_error *err)
{
	(void)profile; /* the collector recorded the idle timeout it used */
	long target = SESSION_TOKENS_DEFAULT, min_bits = 64;
	const char *v = check_param_get(params, "count", NULL);
	/* the collector gathers SESSION_TOKENS_DEFAULT: a larger count could never pass */
	if (v && text_parse_long(v, 2, SESSION_TOKENS_DEFAULT, &target) != 0)
		return dl_error_set(err, DL_EINVAL,
				    "session.tokens: param count '%s' is not 2..%d (the collector "
				    "gathers %d tokens)",
				    v, SESSION_TOKENS_DEFAULT, SESSION_TOKENS_DEFAULT);
	v = check_param_get(params, "min_bits", NULL);
	if (v && text_parse_long(v, 1, 4096, &min_bits) != 0)
		return dl_error_set(err, DL_EINVAL,
				    "session.tokens: param min_bits '%s' is not 1..4096", v);
	struct json_object *interfaces = json_read_array(observation, "interfaces");
	if (!interfaces)
		return dl_error_set(err, DL_EINVAL,
				    "session.tokens: the observation lacks interfaces");
	struct tally t = {0};
	int rc = 0;
	for (size_t i = 0; i < json_read_length(interfaces) && !rc; i++) {
		struct json_object *e = json_object_array_get_idx(interfaces, i);
		char label[160];
		session_label(e, label, sizeof(label));
		const char *skipped = json_read_text(e, "skipped", NULL);
		if (skipped) {
			rc = check_verdict_add(out, FINDING_INFO, NULL, "%s: not tested: %s", label,
					       skipped);
			continue;
		}
		t.tested++;
		const char *error = json_read_text(e, "error", NULL);
		if (error) {
			rc = add(out, &t, PART_INCONCLUSIVE, label, NULL, error);
			continue;
		}
		rc = judge_entropy(e, label, target, (double)min_bits, out, &t, err);
		if (!rc)
			rc = judge_logout(e, label, out, &t);
		if (!rc)
			rc = judge_expiry(e, label, out, &t);
		double rate = 0;
		struct json_object *r = json_read_member(e, "tokens_per_second");
		if (r)
			rate = json_object_get_double(r);
		if (!rc && rate > 0)
			rc = check_verdict_add(out, FINDING_INFO, NULL,
					       "%s: %.1f logins with a new token per second", label,
					       rate);
	}
	if (rc == DL_ENOMEM)
		return dl_error_set(err, rc, "session.tokens: out of memory");
	if (rc)
		return rc;
	if (t.fail)
		rc = check_verdict_set(out, VERDICT_FAIL, "%s", t.first_fail);
	else if (t.inconclusive)
		rc = check_verdict_set(out, VERDICT_INCONCLUSIVE, "%s", t.first_inconclusive);
	else if (t.manual)
		rc = check_verdict_set(out, VERDICT_MANUAL, "%s; %s", t.first_pass, t.first_manual);
	else if (t.tested == 0)
		rc = check_verdict_set(out, VERDICT_NOT_APPLICABLE,
				       "no login interface of the profile issues a session token "
				       "(cookie or bearer token) among its %zu login interface%s",
				       json_read_length(interfaces),
				       json_read_length(interfaces) == 1 ? "" : "s");
	else
		rc = check_verdict_set(out, VERDICT_PASS,
				       "%s; every old token refused after logout and after expiry "
				       "(%zu interface%s)",
				       t.first_pass, t.tested, t.tested == 1 ? "" : "s");
	return rc < 0 ? dl_error_set(err, DL_ENOMEM, "session.tokens: out of memory") : 0;
}

static const char *const tokens_params[] = {"count", "min_bits", NULL};

const struct check check_session_tokens = {
	.id = "session.tokens",
	.summary = "session tokens unique, >= 64 bits of min-entropy, refused after logout and "
		   "expiry",
	.collector = &collector_session_tokens,
	.params = tokens_params,
	.judge = judge_tokens,
};
