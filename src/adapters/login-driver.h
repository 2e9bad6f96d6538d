/* login-driver: what one login driver gives src/adapters/login.c (internal to src/adapters) */
#ifndef DUTLAB_ADAPTERS_LOGIN_DRIVER_H
#define DUTLAB_ADAPTERS_LOGIN_DRIVER_H

#include <stdbool.h>
#include <stddef.h>

#include "adapters/login.h"

struct profile_action;

/*
 * One const descriptor per driver, listed in the one table drivers[] of
 * login.c (zmap probe_modules[], BIRD struct protocol). A driver file
 * (login-http.c, login-ssh.c, login-telnet.c, login-rtsp.c, login-onvif.c)
 * defines `const struct login_driver login_driver_NAME = {...}` with
 * designated initializers and adds three lines elsewhere:
 *   - its extern declaration at the end of this header,
 *   - `&login_driver_NAME,` in drivers[] of login.c,
 *   - its file in src/adapters/meson.build.
 * Each of those is a one-line str_replace edit; re-read the file first.
 *
 * login.c does the common part before it calls a driver: it finds the
 * driver, zeroes *out (outcome LOGIN_UNREACHABLE, nothing measured), checks
 * arguments, resolves an action name to its struct profile_action
 * (DL_ENOTFOUND when the adapter has none), and answers DL_EUNSUPPORTED for
 * a NULL entry point. A driver fills *out and returns 0 for everything the
 * DUT did, a refusal and silence included; a negative DL_E* only for
 * dutlab's own failures.
 */
struct login_driver {
	const char *name; /* adapters[].driver: "http-basic" */
	/* Every option the driver knows, NULL-terminated; login.c refuses any
	 * other with "options.NAME: found an unknown option; expected one of". */
	const char *const *options;
	/* Values and required options, once the names passed. Messages start
	 * with "options.NAME: " (or "port: ", "actions.NAME: ") and go on
	 * "found X; expected Y": the profile loader puts FILE:LINE:COLUMN:
	 * adapters[I]. in front and points at that node. NULL: names only. */
	int (*validate)(const struct profile_adapter *adapter, struct dl_error *err);
	/* LOGIN_CAN_* of the adapter as configured. */
	unsigned (*capabilities)(const struct profile_adapter *adapter);

	/* The entry points of login.h, same contracts. session is the
	 * driver's own struct, which starts with struct login_session. */
	int (*attempt)(const struct login_target *target, const char *username,
		       const char *password, struct login_response *out,
		       struct login_session **session, struct dl_error *err);
	int (*logout)(struct login_session *session, struct login_response *out,
		      struct dl_error *err);
	int (*probe)(struct login_session *session, struct login_response *out,
		     struct dl_error *err);
	int (*perform)(struct login_session *session, const struct profile_action *action,
		       struct login_response *out, struct dl_error *err);
	const char *(*token)(const struct login_session *session);
	void (*close)(struct login_session *session); /* frees session */
	int (*token_probe)(const struct login_target *target, const char *token,
			   struct login_response *out, struct dl_error *err);
	int (*replay)(const struct login_target *target, const char *exchange,
		      struct login_response *out, struct dl_error *err);
	int (*change_password)(const struct login_target *target, const char *username,
			       const char *old_password, const char *new_password,
			       struct login_response *out, struct dl_error *err);
};

/* The head of every driver's session: login.c dispatches on it. A driver
 * allocates `struct NAME_session { struct login_session base; ... }` and
 * fills base with login_session_init() (login-common.h): target is a copy
 * whose address points at the session's own copy; profile, adapter, scope
 * and transcript_path stay the caller's until login_session_close. */
struct login_session {
	const struct login_driver *driver;
	struct login_target target;
	char address[64];
};

/* The drivers; login.c's drivers[] lists each once. */
extern const struct login_driver login_driver_http_form;
extern const struct login_driver login_driver_http_basic;
extern const struct login_driver login_driver_http_digest;
extern const struct login_driver login_driver_http_json;
extern const struct login_driver login_driver_ssh_password;
extern const struct login_driver login_driver_telnet;
extern const struct login_driver login_driver_rtsp;
extern const struct login_driver login_driver_onvif;

#endif
