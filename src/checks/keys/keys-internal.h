/* keys-internal: what the three key collectors share: their ports, evidence folder and adapter runs
 */
#ifndef DUTLAB_CHECKS_KEYS_KEYS_INTERNAL_H
#define DUTLAB_CHECKS_KEYS_KEYS_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "checks/keys/snapshot.h"

struct adapter_exec_vars;
struct check_context;
struct dl_error;
struct json_object;

#define KEYS_PATH_MAX 4096

/* The setup of one key collector run. */
struct keys_run {
	const struct check_context *ctx;
	const char *address; /* the DUT address the keys are read on: dut.addresses[0] */
	struct keys_ports ports;
	struct keys_snapshot_options options;
	char evidence_dir[KEYS_PATH_MAX]; /* CAMPAIGN/evidence/keys, created */
};

/* The input every key collector reads (check_context_input). */
#define KEYS_INPUT_SCAN "discovery.scan"

/* Read the discovery.scan input, pick the address, make evidence/keys. */
int keys_run_init(struct keys_run *r, const struct check_context *ctx, struct dl_error *err);

/* {"tls": [443], "ssh": [22]} */
struct json_object *keys_ports_json(const struct keys_ports *ports);

/* A progress line, if the runner listens. */
void keys_progress(const struct keys_run *r, uint64_t done, uint64_t total, const char *what);

/*
 * Run operation through the exec adapter with vars (the collector's
 * address, the profile's admin credentials and the campaign folder are
 * filled in when vars leaves them NULL), its transcript at
 * evidence/keys/<transcript_name>, then wait until every port answers
 * again, bounded by the operation's timeout and the collector's deadline.
 * *out: {"exit_status", "timed_out", "duration_ms", "services_back",
 * "transcript"}. Errors are the adapter's (DL_ENOTFOUND when not declared).
 */
int keys_run_operation(struct keys_run *r, const char *operation,
		       const struct adapter_exec_vars *vars, const char *transcript_name,
		       struct json_object **out, struct dl_error *err);

/* The observation of a collector whose operation the profile lacks. */
struct json_object *keys_undeclared(const char *operation, const char *clause);

#endif
