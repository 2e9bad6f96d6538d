/* judge: what both robustness checks share: their campaign's configuration, and the verdict
 * (what was sent, each failure, whether the clause's protocols ran for the hours it asks) */
#ifndef DUTLAB_CHECKS_ROBUSTNESS_JUDGE_H
#define DUTLAB_CHECKS_ROBUSTNESS_JUDGE_H

#include <stdbool.h>
#include <stddef.h>

struct campaign_config;
struct check_context;
struct check_params;
struct check_verdict;
struct dl_error;
struct json_object;

/* The campaign's configuration from the collector's context (its progress relayed). */
void robustness_campaign_config(const struct check_context *ctx, struct campaign_config *c);

/* What differs between robustness.packets and robustness.sessions. */
struct robustness_judge {
	const char *check;      /* "robustness.packets": its errors name it */
	const char *cases_noun; /* "test cases", "session test cases" */
	const char *under;     /* "packets": "... stopped working normally under mutated packets" */
	const char *pass_noun; /* after the protocols in a pass: "" or " session messages" */
	/* the clause's protocols this campaign cannot send: "cannot be sent by ..." */
	const char *unsendable;
	bool session_counts;                    /* each protocol's sessions and resets */
	bool (*sendable)(const char *protocol); /* this campaign has the protocol */
	void (*describe_failure)(const struct json_object *f, char *buf, size_t size);
};

/*
 * Judge observation against params (protocols: the clause's comma list;
 * hours, default 8): an info finding of what was sent (its evidence the
 * observation's sent_log), a fail finding per failure; the verdict fail
 * when anything failed, inconclusive when a protocol is missing or
 * unsendable, the campaign stopped or ran shorter than the hours, else
 * pass. 0, DL_EINVAL (bad params or observation) or DL_ENOMEM.
 */
int robustness_judge(const struct robustness_judge *j, const struct json_object *observation,
		     const struct check_params *params, struct check_verdict *out,
		     struct dl_error *err);

#endif
