/* login: log in to the DUT's access interfaces the way its users do, one driver per protocol */
#ifndef DUTLAB_ADAPTERS_LOGIN_H
#define DUTLAB_ADAPTERS_LOGIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct dl_error;
struct profile;
struct profile_adapter;
struct scope;

/*
 * A login adapter is a profile `adapters:` entry whose driver is one of
 * http-form, http-basic, http-digest, http-json, ssh-password, telnet,
 * rtsp or onvif (docs/profile.md lists each driver's options). The checks
 * of src/checks/auth/ and src/checks/session/ drive every login interface
 * through this API alone; they never know which protocol is underneath.
 *
 * Every connection goes through src/net/sock.c, so the scope guard sees it;
 * libcurl (HTTP, RTSP) gets its sockets from CURLOPT_OPENSOCKETFUNCTION,
 * libssh gets a connected scoped socket. Every call ends by the target's
 * deadline. A DUT that refuses, resets or is silent is a result
 * (LOGIN_UNREACHABLE), never an error: errors are dutlab's own failures
 * (a bad option, out of memory, a deadline already passed).
 */

enum login_outcome {
	LOGIN_ACCEPTED,        /* the credentials (or the action, the token) were accepted */
	LOGIN_REFUSED,         /* refused */
	LOGIN_CHANGE_REQUIRED, /* accepted only to change the password first (expired, first use) */
	LOGIN_UNREACHABLE,     /* no usable answer: refused connection, reset, timeout */
};

const char *login_outcome_name(enum login_outcome outcome); /* "accepted", ... */

#define LOGIN_EXCERPT_MAX 256
#define LOGIN_EXCHANGE_MAX 4096

/* What the interface answered to one attempt. */
struct login_response {
	enum login_outcome outcome;
	/* HTTP or RTSP status; for ssh-password the number of authentication
	 * methods still offered after a refusal; 0 where there is none. */
	int status;
	/* SHA-256 (hex) of the answer normalised for comparison: the status,
	 * the header names and the values of headers that are not volatile
	 * (Date, Set-Cookie values, nonces, Content-Length are dropped), and
	 * the body or banner with digits runs, hex runs of 16+ and
	 * base64-looking runs of 20+ replaced by a mark. Two answers with the
	 * same fingerprint cannot be told apart by their content. */
	char fingerprint[65];
	/* Printable excerpt of what the interface said (the body, the
	 * banner, the server's message): evidence and warning text. */
	char excerpt[LOGIN_EXCERPT_MAX];
	/* A weak-password warning the DUT gave while accepting a change
	 * (matched by auth.password_warning), else empty. */
	char warning[LOGIN_EXCERPT_MAX];
	/* From the first byte of the credentials sent to the last byte of the
	 * verdict, CLOCK_MONOTONIC. */
	int64_t latency_ns;
	/* Did the credentials travel inside TLS or SSH? */
	bool encrypted;
	/* Telnet and other character interfaces: the typed password came
	 * back in the clear (NCC 5.3.1.5); false where it cannot (SSH, HTTP). */
	bool password_echoed;
	/* The credential-carrying message exactly as sent (an Authorization
	 * header, a WS-Security header, a form body), for login_replay();
	 * empty when the driver cannot replay (SSH, telnet). Holds secrets:
	 * never written to evidence unmasked. */
	char exchange[LOGIN_EXCHANGE_MAX];
	/* Was the credential a fresh challenge-response (digest, UsernameToken
	 * with nonce) rather than the password itself? */
	bool challenge_response;
};

/* Where and how to log in. The caller owns every pointer. */
struct login_target {
	const struct profile *profile;
	const struct profile_adapter *adapter; /* a login driver's entry */
	const struct scope *scope;
	const char *address; /* the DUT address to use (IPv4 or IPv6 literal) */
	/* The exchange is appended here, passwords masked as ***, or NULL. */
	const char *transcript_path;
	int64_t deadline_ns; /* CLOCK_MONOTONIC; 0: the driver's own timeout alone */
};

struct login_session; /* an open, logged-in session; opaque */

/*
 * Try username/password once. With session non-NULL an accepted login
 * keeps its session open in *session (the caller closes it with
 * login_session_close); otherwise the driver logs out (where it can) and
 * closes. *session is NULL whenever the outcome is not LOGIN_ACCEPTED.
 */
int login_attempt(const struct login_target *target, const char *username, const char *password,
		  struct login_response *out, struct login_session **session, struct dl_error *err);

/* Log out of an open session the way the interface offers (a logout URL,
 * `exit`); the session stays to be closed. DL_EUNSUPPORTED when the driver or
 * the profile has no logout. */
int login_logout(struct login_session *session, struct login_response *out, struct dl_error *err);

/*
 * Use the session again (the driver's whoami: a protected page, `id -un`
 * on the open shell, an authenticated request): ACCEPTED if it still
 * works, REFUSED or UNREACHABLE if the DUT ended it (idle timeout, logout).
 */
int login_session_probe(struct login_session *session, struct login_response *out,
			struct dl_error *err);

/* Perform a profile action (adapters[].actions) in the session: ACCEPTED
 * when the DUT did it, REFUSED when it denied it. DL_ENOTFOUND for an
 * action the adapter does not declare. */
int login_perform(struct login_session *session, const char *action, struct login_response *out,
		  struct dl_error *err);

/* The session's identifier as the DUT issued it (a cookie value, a bearer
 * token), or NULL when the interface has none (SSH, telnet, basic). */
const char *login_session_token(const struct login_session *session);

void login_session_close(struct login_session *session);

/*
 * Present a session token alone, on a new connection, to the driver's
 * whoami resource: ACCEPTED if the DUT still honours it (a token replayed
 * after logout or expiry), REFUSED if not. DL_EUNSUPPORTED for a driver
 * without tokens.
 */
int login_token_probe(const struct login_target *target, const char *token,
		      struct login_response *out, struct dl_error *err);

/* Send a recorded exchange (login_response.exchange) again verbatim, on a
 * new connection: ACCEPTED means the replay logged in. DL_EUNSUPPORTED for a
 * driver that cannot replay. */
int login_replay(const struct login_target *target, const char *exchange,
		 struct login_response *out, struct dl_error *err);

/*
 * Change username's password from old_password to new_password through
 * the interface (a change-password form or API, `passwd` over SSH or
 * telnet, a forced change at login). ACCEPTED: changed (out->warning holds
 * a weak-password warning if the DUT gave one); REFUSED: refused, with
 * the DUT's reason in out->excerpt. DL_EUNSUPPORTED when the driver or the
 * profile has no way to change a password.
 */
int login_change_password(const struct login_target *target, const char *username,
			  const char *old_password, const char *new_password,
			  struct login_response *out, struct dl_error *err);

/* What a driver can do, for the checks to decide not_applicable or manual
 * instead of failing. */
enum login_capability {
	LOGIN_CAN_LOGOUT = 1u << 0,
	LOGIN_CAN_PROBE = 1u << 1, /* login_session_probe */
	LOGIN_CAN_PERFORM = 1u << 2,
	LOGIN_CAN_CHANGE_PASSWORD = 1u << 3,
	LOGIN_HAS_TOKEN = 1u << 4, /* login_session_token, login_token_probe */
	LOGIN_CAN_REPLAY = 1u << 5,
};

/* The capabilities of adapter as configured (a driver that can log out
 * only when the profile gives a logout_url, and so on). */
unsigned login_capabilities(const struct profile_adapter *adapter);

/* The login adapters of the profile, in profile order: fills up to max
 * pointers, returns how many there are. */
size_t login_adapters(const struct profile *profile, const struct profile_adapter **out,
		      size_t max);

/* Check a login adapter's options at profile load: the driver exists, the
 * options it needs are there, none it does not know. DL_EINVAL with
 * "options.OPTION: found X; expected Y" (or "port: ...", "actions.NAME: ...")
 * otherwise; the profile loader puts "FILE:LINE:COLUMN: adapters[I]." in
 * front, pointing at that node. */
int login_adapter_validate(const struct profile_adapter *adapter, struct dl_error *err);

/* Is name a login driver this dutlab has? */
bool login_driver_known(const char *name);
/* "http-form, http-basic, ..., onvif": the login drivers, for messages. */
void login_driver_names(char *out, size_t size);

#endif
