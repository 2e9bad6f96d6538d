/* login-common: what the login drivers share: fingerprints, excerpts, transcripts, templates */
#ifndef DUTLAB_ADAPTERS_LOGIN_COMMON_H
#define DUTLAB_ADAPTERS_LOGIN_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "adapters/login-driver.h"

struct dl_error;
struct profile_adapter;

/* A response body or banner kept for judging: larger answers are cut here. */
#define LOGIN_BODY_MAX (64 * 1024)
#define LOGIN_DEFAULT_TIMEOUT_SECONDS 10
#define LOGIN_TIMEOUT_MAX_SECONDS 300

/* Fill s->base: driver, a copy of target whose address is the session's own. */
void login_session_init(struct login_session *s, const struct login_driver *driver,
			const struct login_target *target);

/* ---- what the DUT said --------------------------------------------------- */

/*
 * The fingerprint of login.h: SHA-256 (hex, into out->fingerprint) over the
 * status, then each header line "Name: value" (headers: raw header block,
 * CRLF or LF lines; NULL for none) with the name lowercased and the value
 * dropped for volatile headers (Date, Set-Cookie, Content-Length, Expires,
 * Last-Modified, ETag, Age, ...) and normalised like the body otherwise, then
 * the body with digit runs, hex runs of 16+ and base64-looking runs of 20+
 * replaced by a mark. Also used for banners (no headers).
 */
void login_fingerprint(struct login_response *out, int status, const char *headers,
		       size_t headers_length, const char *body, size_t body_length);

/* The normalisation alone, for checks that compare bodies themselves:
 * writes at most size - 1 bytes and a NUL; returns the length written. */
size_t login_normalise(const char *text, size_t length, char *out, size_t size);

/* A printable one-line excerpt of text: controls and non-ASCII become '.',
 * whitespace runs one space, cut at size - 1. */
void login_excerpt(char *out, size_t size, const char *text, size_t length);

/* ---- transcript ------------------------------------------------------------ */

/*
 * Append "== LABEL (N bytes)\n" and text to target->transcript_path (a no-op
 * when it is NULL), every occurrence of each secret (the password, its URL
 * and base64 forms, a whole Authorization value) replaced by "***", and
 * non-printable bytes escaped as \xHH. Secrets shorter than 1 byte are
 * ignored. DL_EIO when the file cannot be written.
 */
int login_transcript(const struct login_target *target, const char *label, const char *text,
		     size_t length, const char *const *secrets, size_t secret_count,
		     struct dl_error *err);

/* ---- time ------------------------------------------------------------------ */

/* The deadline of one operation: now + the adapter's `timeout` option (or
 * LOGIN_DEFAULT_TIMEOUT_SECONDS), cut to target->deadline_ns when that is
 * earlier. DL_ETIMEDOUT when target->deadline_ns has already passed. */
int login_deadline(const struct login_target *target, int64_t *deadline_ns, struct dl_error *err);
/* Milliseconds left until deadline_ns, at least 1 while it has not passed, 0 after. */
long login_remaining_ms(int64_t deadline_ns);

/* ---- options --------------------------------------------------------------- */

/* Option value or fallback. */
const char *login_option(const struct profile_adapter *a, const char *name, const char *fallback);
/* "true" / "false" (default fallback); validated at load by login_check_bool. */
bool login_option_bool(const struct profile_adapter *a, const char *name, bool fallback);
/* timeout in seconds, 1..LOGIN_TIMEOUT_MAX_SECONDS, else the default. */
unsigned login_option_timeout(const struct profile_adapter *a);

/* Validators for driver->validate; each message is "options.NAME: found X; expected Y". */
int login_check_required(const struct profile_adapter *a, const char *name, const char *expected,
			 struct dl_error *err);
int login_check_bool(const struct profile_adapter *a, const char *name, struct dl_error *err);
int login_check_timeout(const struct profile_adapter *a, struct dl_error *err);
/* A path: starts with '/', printable, no spaces. */
int login_check_path(const struct profile_adapter *a, const char *name, struct dl_error *err);
/* A POSIX extended regular expression that compiles. */
int login_check_regex(const struct profile_adapter *a, const char *name, struct dl_error *err);
/* A template whose {placeholders} are all in allowed (NULL-terminated). */
int login_check_template(const struct profile_adapter *a, const char *name,
			 const char *const *allowed, struct dl_error *err);

/* ---- templates and matching ------------------------------------------------ */

/* The values a template may use; NULL ones are refused. */
struct login_vars {
	const char *username;
	const char *password;
	const char *new_password;
	const char *token;
	const char *address;
};

enum login_encoding {
	LOGIN_RAW,
	LOGIN_URL,  /* application/x-www-form-urlencoded */
	LOGIN_JSON, /* inside a JSON string */
	LOGIN_XML,  /* XML character data */
};

/* Expand {username} {password} {new_password} {token} {address} in template
 * into out, each value encoded; other braces are kept. DL_ENOMEM when out is
 * too small, DL_EINVAL for a placeholder whose value is NULL. */
int login_expand(const char *template_text, const struct login_vars *vars,
		 enum login_encoding encoding, char *out, size_t size, struct dl_error *err);

/* Does the ERE pattern match text (NUL-terminated)? 0 no, 1 yes, DL_EINVAL
 * if it does not compile (validated at load, so a bug). */
int login_match(const char *pattern, const char *text, struct dl_error *err);

/* Base64 of data into out (NUL-terminated); false when out is too small. */
bool login_base64(const void *data, size_t length, char *out, size_t size);

#endif
