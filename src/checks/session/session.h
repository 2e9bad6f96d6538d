/* session: what the session.tokens, session.idle and auth.replay collectors and judges share */
#ifndef DUTLAB_CHECKS_SESSION_SESSION_H
#define DUTLAB_CHECKS_SESSION_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct check_context;
struct dl_error;
struct json_object;
struct login_response;
struct login_target;
struct profile_adapter;
struct profile_credential;

extern const struct collector collector_session_tokens;
extern const struct collector collector_session_idle;
extern const struct collector collector_auth_replay;

/*
 * The observations (JSON) the judges read. Every collector writes
 *   {"credential_role": "test", "interfaces": [INTERFACE...], ...}
 * and every INTERFACE starts with
 *   {"adapter": "web", "driver": "http-form", "port": 9090, "proto": "tcp",
 *    "capabilities": ["logout", "probe", "token", ...],
 *    "skipped": null | "why this interface was not tested"}
 * A DUT answer (struct login_response) is RESPONSE:
 *   {"outcome": "accepted"|"refused"|"change_required"|"unreachable",
 *    "status": 200, "fingerprint": "...", "excerpt": "...", "latency_ms": 12,
 *    "encrypted": true, "challenge_response": false}
 */

#define SESSION_ADAPTERS_MAX 16
#define SESSION_PATH_MAX 4200

/* The default sample of session.tokens: IoT-1006-1 5.2.1.13's "1,000+". */
#define SESSION_TOKENS_DEFAULT 1000
/* Waits after a declared idle timeout: margin, and the longest wait at all. */
#define SESSION_IDLE_MARGIN_SECONDS 10
#define SESSION_IDLE_WAIT_MAX_SECONDS 600

struct session_run {
	const struct check_context *ctx;
	const char *address; /* the DUT address the logins use */
	const struct profile_credential *credential;
	char evidence_dir[SESSION_PATH_MAX]; /* ctx->evidence_dir/session */
	const struct profile_adapter *adapters[SESSION_ADAPTERS_MAX];
	size_t adapter_count;
};

/* The DUT address, the credential (auth.test_credential, else admin, else
 * the first that is not factory_default), the evidence folder and the login
 * adapters. DL_EINVAL when the profile lacks one of them. */
int session_run_init(struct session_run *r, const struct check_context *ctx, struct dl_error *err);

/* Make sure r->credential logs in on adapter a: a test account an earlier
 * collector left locked is waited for (auth.lockout.period + 5 s, at most
 * 120 s) and tried again; still refused, the admin's credential is used.
 * *note (static text or NULL) says what was done. Errors only for dutlab's
 * own failures. */
int session_credential_ready(struct session_run *r, const struct profile_adapter *a,
			     const char **note, struct dl_error *err);

/* A login target for adapter a whose transcript is evidence/session/NAME
 * (NULL: none); path holds the transcript path and must outlive t. */
void session_target(const struct session_run *r, const struct profile_adapter *a,
		    const char *transcript_name, char *path, size_t path_size,
		    struct login_target *t);

/* The INTERFACE object for adapter a, skipped = NULL. */
struct json_object *session_interface_json(const struct profile_adapter *a);
/* RESPONSE for r. */
struct json_object *session_response_json(const struct login_response *r);

void session_progress(const struct session_run *r, uint64_t done, uint64_t total, const char *what);

/* Sleep until when_ns (CLOCK_MONOTONIC); false when the collector's
 * deadline comes first (it then returns at once). */
bool session_sleep_until(const struct session_run *r, int64_t when_ns);

/* For judges: "web (http-form, tcp/9090)" for an INTERFACE. */
const char *session_label(const struct json_object *interface, char *buf, size_t size);

/* For judges: driver is in drivers ("onvif", "rtsp,onvif"; "all" or empty:
 * every driver). */
bool session_driver_listed(const char *drivers, const char *driver);

/* For judges: the outcome of a RESPONSE is name ("accepted", ...). */
bool session_outcome_is(const struct json_object *response, const char *name);

#endif
