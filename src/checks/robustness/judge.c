/* judge: what both robustness checks share: their campaign's configuration, and the verdict
 * (what was sent, each failure, whether the clause's protocols ran for the hours it asks) */
#include "core/compat.h"

#include <json-c/json.h>

#include "checks/check.h"
#include "checks/robustness/judge.h"
#include "core/error.h"
#include "core/json-read.h"
#include "fuzz/campaign.h"

static void progress_relay(void *opaque, uint64_t done, uint64_t total, const char *what)
{
	const struct check_context *ctx = opaque;
	if (ctx->progress)
		ctx->progress(ctx->progress_opaque, done, total, what);
}

void robustness_campaign_config(const struct check_context *ctx, struct campaign_config *c)
{
	*c = (struct campaign_config){
		.profile = ctx->profile,
		.evidence_dir = ctx->evidence_dir,
		.campaign_dir = ctx->campaign_dir,
		.deadline_ns = ctx->deadline_ns,
		.progress = progress_relay,
		.progress_opaque = (void *)ctx,
	};
}

/* "arp 10 (3/5 field-anomaly pairs)" for each protocol (with its sessions and resets). */
static void protocol_counts(const struct robustness_judge *j, struct json_object *protocols,
			    char *counts, size_t size)
{
	size_t used = 0;
	counts[0] = '\0';
	json_object_object_foreach(protocols, name, po)
	{
		char sessions[96] = "";
		if (j->session_counts)
			snprintf(sessions, sizeof(sessions),
				 "; %" PRId64 " sessions, %" PRId64 " resets",
				 json_read_int(po, "sessions", 0), json_read_int(po, "resets", 0));
		int w = snprintf(counts + used, size - used,
				 "%s%s %" PRId64 " (%" PRId64 "/%" PRId64 " field-anomaly pairs%s)",
				 used ? ", " : "", name, json_read_int(po, "cases", 0),
				 json_read_int(po, "hit", 0), json_read_int(po, "offered", 0),
				 sessions);
		if (w > 0 && (size_t)w < size - used)
			used += (size_t)w;
	}
}

/* Did protocol, or one of its transport variants ("rtp-udp" for "rtp": the same messages on
 * another transport), send a case? */
static bool protocol_sent(struct json_object *protocols, const char *protocol)
{
	size_t n = strlen(protocol);
	json_object_object_foreach(protocols, name, po)
	{
		bool same = strcmp(name, protocol) == 0;
		bool variant = strncmp(name, protocol, n) == 0 && name[n] == '-';
		if ((same || variant) && json_read_int(po, "cases", 0) > 0)
			return true;
	}
	return false;
}

/* The clause's protocols that sent no case: missing (sendable, left out) and unsendable. */
static void absent_protocols(const struct robustness_judge *j, const char *wanted,
			     struct json_object *protocols, char *missing, char *unsendable,
			     size_t size)
{
	char list[256];
	snprintf(list, sizeof(list), "%s", wanted);
	char *save = NULL;
	for (char *p = strtok_r(list, ",", &save); p; p = strtok_r(NULL, ",", &save)) {
		if (protocol_sent(protocols, p))
			continue;
		char *into = j->sendable(p) ? missing : unsendable;
		size_t l = strlen(into);
		snprintf(into + l, size - l, "%s%s", l ? ", " : "", p);
	}
}

int robustness_judge(const struct robustness_judge *j, const struct json_object *observation,
		     const struct check_params *params, struct check_verdict *out,
		     struct dl_error *err)
{
	const char *wanted = check_param_get(params, "protocols", "");
	const char *hours_text = check_param_get(params, "hours", "8");
	char *end = NULL;
	double hours = strtod(hours_text, &end);
	if (!end || *end || hours <= 0)
		return dl_error_set(err, DL_EINVAL, "%s: hours '%s' is not a number", j->check,
				    hours_text);
	struct json_object *protocols = json_read_object(observation, "protocols");
	struct json_object *failures = json_read_array(observation, "failures");
	if (!protocols || !failures)
		return dl_error_set(err, DL_EINVAL,
				    "%s: the observation lacks protocols or failures", j->check);
	int64_t cases = json_read_int(observation, "cases", 0);
	struct json_object *s = json_read_member(observation, "seconds_run");
	double seconds = s ? json_object_get_double(s) : 0;
	char counts[1024];
	protocol_counts(j, protocols, counts, sizeof(counts));
	int rc = check_verdict_add(
		out, FINDING_INFO, json_read_text(observation, "sent_log", NULL),
		"%" PRId64 " %s in %.0f s (seed %" PRId64 ", %" PRId64 " cases/s asked): %s", cases,
		j->cases_noun, seconds, json_read_int(observation, "seed", 0),
		json_read_int(observation, "rate", 0), counts);
	size_t n = json_object_array_length(failures);
	char first[1024] = "";
	for (size_t i = 0; i < n && !rc; i++) {
		const struct json_object *f = json_object_array_get_idx(failures, i);
		char text[1024];
		j->describe_failure(f, text, sizeof(text));
		if (!first[0])
			snprintf(first, sizeof(first), "%s", text);
		rc = check_verdict_add(out, FINDING_FAIL, json_read_text(f, "reproducer", NULL),
				       "after %.0f s: %s",
				       json_object_get_double(json_read_member(f, "at_s")), text);
	}
	if (rc)
		return rc;
	if (n)
		return check_verdict_set(
			out, VERDICT_FAIL,
			"the DUT stopped working normally %zu time%s under mutated "
			"%s: %s",
			n, n == 1 ? "" : "s", j->under, first);
	/* every protocol of the clause must be in the mix and sent */
	char missing[256] = "", unsendable[256] = "";
	absent_protocols(j, wanted, protocols, missing, unsendable, sizeof(missing));
	const char *stopped = json_read_text(observation, "stopped", NULL);
	if (unsendable[0])
		return check_verdict_set(out, VERDICT_INCONCLUSIVE,
					 "no failure in %.0f s (%" PRId64 " %s), but the "
					 "clause's protocols %s %s%s%s%s",
					 seconds, cases, j->cases_noun, unsendable, j->unsendable,
					 missing[0] ? "; and " : "", missing,
					 missing[0] ? " were not in the mix (robustness.mix)" : "");
	if (missing[0])
		return check_verdict_set(out, VERDICT_INCONCLUSIVE,
					 "no failure in %.0f s, but the clause's protocols %s were "
					 "not in the mix (robustness.mix)",
					 seconds, missing);
	if (stopped)
		return check_verdict_set(
			out, VERDICT_INCONCLUSIVE,
			"no failure in %.0f s of %.0f h, but the campaign stopped: %s", seconds,
			hours, stopped);
	if (seconds + 1 < hours * 3600)
		return check_verdict_set(
			out, VERDICT_INCONCLUSIVE,
			"no failure in %.0f s (%" PRId64 " %s of %s), but the "
			"standard asks %.0f h: a shortened run (robustness.duration)",
			seconds, cases, j->cases_noun, wanted, hours);
	return check_verdict_set(out, VERDICT_PASS,
				 "the DUT worked normally through %.1f h of mutated %s%s (%" PRId64
				 " test cases; no health failure)",
				 seconds / 3600, wanted, j->pass_noun, cases);
}
