/* auth-internal: what the auth collectors share: targets, pacing, evidence and JSON of answers */
#ifndef DUTLAB_CHECKS_AUTH_AUTH_INTERNAL_H
#define DUTLAB_CHECKS_AUTH_AUTH_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "adapters/login.h"

struct check_context;
struct dl_error;
struct json_object;
struct profile;
struct profile_adapter;
struct profile_credential;

#define AUTH_PATH_MAX 4096
#define AUTH_ADAPTERS_MAX 32

/* A well-known default user name and password (default-list.c). */
struct auth_default_pair {
	const char *username;
	const char *password;
};

extern const struct auth_default_pair auth_default_list[];
extern const size_t auth_default_list_count;
extern const char auth_default_list_source[];

/* The setup every auth collector run shares. */
struct auth_run {
	const struct check_context *ctx;
	const struct profile *profile;
	const char *address; /* dut.addresses[0] */
	const struct profile_adapter *adapters[AUTH_ADAPTERS_MAX];
	size_t adapter_count;
	char evidence_dir[AUTH_PATH_MAX]; /* CAMPAIGN/evidence/auth, created */
};

/* Pick the address, list the login adapters, make evidence/auth. DL_EINVAL
 * when the profile has no address; zero adapters is the caller's result. */
int auth_run_init(struct auth_run *r, const struct check_context *ctx, struct dl_error *err);

/* A target for adapter, its transcript at evidence/auth/<collector>-<adapter>.log
 * (path_buf holds it; relative_buf, if not NULL, the campaign-relative path). */
void auth_target(const struct auth_run *r, const struct profile_adapter *adapter,
		 const char *collector, struct login_target *out, char *path_buf, size_t path_size,
		 char *relative_buf, size_t relative_size);

/* The lockout as the profile declares it, with what pacing follows from it. */
struct auth_pacing {
	bool declared;             /* auth.lockout.threshold is set */
	unsigned threshold;        /* declared, or 5 (TS-0014-1's most) when not */
	unsigned tries_per_window; /* wrong tries per user name per window */
	unsigned window_seconds;   /* reset, else period, else 60; plus a margin */
	unsigned period_seconds;   /* declared lock period, 0 when not */
	unsigned reset_seconds;    /* declared counter reset, 0 when not */
};

void auth_pacing_from_profile(const struct profile *p, struct auth_pacing *out);
struct json_object *auth_pacing_json(const struct auth_pacing *pacing);

/* The test account (auth.test_credential), never the admin; NULL with a
 * reason in *why when the profile lacks it. */
const struct profile_credential *auth_test_credential(const struct profile *p, const char **why);

/* Sleep until until_ns (CLOCK_MONOTONIC), never past the collector's
 * deadline; false when the deadline came first. */
bool auth_sleep_until(const struct auth_run *r, int64_t until_ns);

/* Nanoseconds left before the collector's deadline (INT64_MAX without one). */
int64_t auth_time_left(const struct auth_run *r);

/* {"outcome", "status", "fingerprint", "excerpt", "latency_ms"} of one answer. */
struct json_object *auth_response_json(const struct login_response *resp);

void auth_progress(const struct auth_run *r, uint64_t done, uint64_t total, const char *what);

/* A login_attempt that reports a dutlab failure as an outcome of
 * LOGIN_UNREACHABLE with the error in resp->excerpt, so a campaign records
 * it and goes on; only a passed deadline stops (returns DL_ETIMEDOUT). */
int auth_attempt(const struct login_target *t, const char *username, const char *password,
		 struct login_response *resp, struct login_session **session, struct dl_error *err);

#endif
