/* check: how a test module is declared, run and judged; read this before adding a check */
#ifndef DUTLAB_CHECKS_CHECK_H
#define DUTLAB_CHECKS_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct dl_error;
struct json_object;
struct profile;
struct scope;

/*
 * A check has two halves (STYLE.md guideline 2-4):
 *
 *   collector  does the expensive, network-facing work once per campaign
 *              (a full port scan, a TLS enumeration) and returns what it
 *              observed as JSON. The runner runs it in a child process with
 *              a deadline and stores the observation in campaign.db, so a
 *              resumed campaign or a rebuilt report never repeats it.
 *   judge      turns an observation plus the parameters one clause gives
 *              into a verdict with findings. It is pure: no I/O, no clock.
 *              Many checks may share one collector; one check may serve
 *              many clauses with different parameters (TS 5.4.2.4 with
 *              N=5, NCC 5.3.1.2 with the profile's N).
 *
 * To add a check:
 *   1. write src/checks/<capability>/<name>.c with a `const struct check`
 *      (and a `const struct collector` if no existing one observes what
 *      you need), citing the clauses it decides in a comment;
 *   2. list it in src/checks/registry.c (sorted by id) and the file in the
 *      folder's meson.build;
 *   3. cite its id and parameters in the catalog entries it decides;
 *   4. prove it both ways: tests/lab/<capability>/<check>.{good,bad}.case.
 */

enum verdict {
	VERDICT_PASS,
	VERDICT_FAIL,
	VERDICT_INCONCLUSIVE,
	VERDICT_ERROR,
	VERDICT_NOT_APPLICABLE,
	VERDICT_MANUAL,
	VERDICT_NOT_TESTED,
};
#define VERDICT_COUNT 7

const char *verdict_name(enum verdict v); /* "pass", "not_applicable" */
int verdict_from_name(const char *name, enum verdict *out);

/* What a check needs; the runner checks these once and writes
 * not_applicable or inconclusive with the reason, never the check (the plan
 * checks NEED_PLANNED first: see below). */
enum check_need {
	NEED_DUT_ADDRESS = 1u << 0,      /* at least one dut.addresses entry */
	NEED_TESTER_INTERFACE = 1u << 1, /* scope.interfaces is not empty */
	NEED_CAPTURE = 1u << 2,          /* libpcap capture on the tester interface */
	NEED_LOGIN_ADAPTER = 1u << 3,
	NEED_DECLARED_SERVICES = 1u << 4,
	NEED_ROBUSTNESS = 1u << 5, /* the profile's robustness section */
};

/* The needs only a campaign the profile describes can meet: without a robustness section
 * the profile asks for no robustness campaign, so the plan reports a clause whose every
 * check lacks one as not_tested with the reason, before anything runs (as it does a clause
 * above the target level), rather than the runner's inconclusive or an error. */
#define NEED_PLANNED ((uint32_t)NEED_ROBUSTNESS)

enum finding_severity {
	FINDING_INFO,    /* observed, does not decide the verdict */
	FINDING_PASS,    /* supports a pass */
	FINDING_FAIL,    /* the reason for a fail */
	FINDING_WARNING, /* stands in the way of a clean pass, or needs review */
};

struct finding {
	enum finding_severity severity;
	char *text;     /* one sentence a lab engineer can sign; owned */
	char *evidence; /* path relative to the campaign folder, or NULL; owned */
};

#define CHECK_FINDINGS_MAX 512

struct check_verdict {
	enum verdict verdict;
	char *summary; /* one line: why this verdict; owned */
	struct finding findings[CHECK_FINDINGS_MAX];
	size_t finding_count;
};

/* Append a finding (text is formatted); findings past the ceiling are
 * counted in the summary, not dropped silently. 0 or DL_ENOMEM. */
int check_verdict_add(struct check_verdict *v, enum finding_severity severity, const char *evidence,
		      const char *format, ...) __attribute__((format(printf, 4, 5)));
int check_verdict_set(struct check_verdict *v, enum verdict verdict, const char *format, ...)
	__attribute__((format(printf, 3, 4)));
void check_verdict_release(struct check_verdict *v);

/* One clause's parameters for a check, as strings from the catalog. */
struct check_param {
	const char *name;
	const char *value;
};

struct check_params {
	const struct check_param *items;
	size_t count;
};

/* The value of name, or fallback when the clause does not set it. */
const char *check_param_get(const struct check_params *p, const char *name, const char *fallback);

/* The observation of a collector another one reads (struct collector.inputs). */
struct check_input {
	const char *collector_id;
	struct json_object *observation; /* NULL when that collector failed or was unmet */
	const char *error;               /* why, then; NULL otherwise */
};

/* What a collector gets from the runner. The runner owns all of it. */
struct check_context {
	const struct profile *profile;
	const struct scope *scope;
	const char *campaign_dir; /* absolute path of the campaign folder */
	const char *evidence_dir; /* campaign_dir/evidence; exists */
	int64_t deadline_ns;      /* CLOCK_MONOTONIC; finish before it */
	/* Report progress within the collector: done of total units, and what
	 * is being done ("tcp 198.18.1.2 31000/65535"). May be NULL. */
	void (*progress)(void *opaque, uint64_t done, uint64_t total, const char *what);
	void *progress_opaque;
	/* The observations of the collector's inputs, in its order. */
	const struct check_input *inputs;
	size_t input_count;
};

/* The observation of input collector_id, or NULL when it failed, was unmet
 * or is not among the collector's inputs (then *error, if given, says why). */
const struct json_object *check_context_input(const struct check_context *ctx,
					      const char *collector_id, const char **error);

#define COLLECTOR_INPUTS_MAX 8

struct collector {
	const char *id;            /* "discovery.scan" */
	const char *summary;       /* one line for `dutlab checks` */
	uint32_t needs;            /* CHECK_NEED flags */
	unsigned timeout_seconds;  /* default deadline */
	unsigned expected_seconds; /* typical duration, for the ETA */
	/* Collectors whose observations this one reads (NULL-terminated, at
	 * most COLLECTOR_INPUTS_MAX, or NULL): the TLS audit reads which ports
	 * discovery.scan found. The plan runs them first; a failed input is
	 * handed over as NULL with its error, never hidden. */
	const char *const *inputs;
	/* It changes the DUT (a factory reset, a certificate installed): the
	 * plan runs it after every collector that only observes, so they see
	 * the DUT as it was delivered. */
	bool changes_dut;
	/* Fill *observation (a new JSON object the caller puts) or fail with err.
	 * NULL when the collector is compiled out: the runner reports
	 * "error: built without X" rather than "unknown check". */
	int (*collect)(const struct check_context *ctx, struct json_object **observation,
		       struct dl_error *err);
};

struct check {
	const char *id;      /* "discovery.undeclared-services"; the catalog uses it */
	const char *summary; /* one line, for `dutlab checks` */
	const struct collector *collector;
	const char *const *params; /* NULL-terminated names the catalog may set */
	/* Decide one clause from the observation. Pure: no I/O. */
	int (*judge)(const struct json_object *observation, const struct check_params *params,
		     const struct profile *profile, struct check_verdict *out,
		     struct dl_error *err);
};

/* The registry: every check and collector, sorted by id (checks/registry.c). */
extern const struct check *const check_registry[];
extern const size_t check_registry_count;
extern const struct collector *const collector_registry[];
extern const size_t collector_registry_count;

const struct check *check_find(const char *id);
const struct collector *collector_find(const char *id);

/* Why collector cannot run against profile: a sentence for the first of its needs in mask
 * that the profile does not meet ("needs ...; the profile's ... is empty"), or NULL. */
const char *collector_unmet_need(const struct collector *collector, const struct profile *profile,
				 uint32_t mask);

#endif
