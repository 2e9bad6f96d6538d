/* runner: runs each collector once with a deadline, judges clauses as results arrive, resumes after
 * a crash */
#ifndef DUTLAB_CORE_RUNNER_H
#define DUTLAB_CORE_RUNNER_H

#include <stdbool.h>

struct dl_error;
struct plan;
struct profile;
struct store;

enum runner_progress {
	PROGRESS_AUTO, /* a bar on a terminal, plain lines otherwise */
	PROGRESS_BAR,
	PROGRESS_PLAIN,
	PROGRESS_QUIET,
	PROGRESS_JSON, /* one JSON object per line on stdout */
};

struct runner_options {
	enum runner_progress progress;
	double timeout_scale; /* multiplies every collector's deadline; 1.0 if 0 */
};

/*
 * Record a new campaign: meta, one plan_item per clause, one pending
 * collector_run per collector, and the verdicts the plan already knows
 * (manual, not_tested, not_applicable), in one transaction.
 */
int runner_record_plan(struct store *store, const struct plan *plan, const struct profile *profile,
		       struct dl_error *err);

/*
 * Run every collector not yet done (a 'running' one was cut off by a crash
 * and runs again), each in a child process with its deadline; store each
 * observation and judge every clause whose collectors are all finished, in
 * one transaction per collector. Returns 0 when the campaign is finished,
 * DL_EINTERRUPTED after Ctrl-C or SIGTERM (the store says how to resume).
 */
int runner_run(struct store *store, const struct profile *profile, const char *campaign_dir,
	       const struct runner_options *options, struct dl_error *err);

#endif
