/* login-shell: drive a remote shell on a character stream (ssh-password and telnet): markers,
 * passwd */
#ifndef DUTLAB_ADAPTERS_LOGIN_SHELL_H
#define DUTLAB_ADAPTERS_LOGIN_SHELL_H

/*
 * Internal to src/adapters. The stream is a pty on the DUT: what we type
 * comes back echoed, prompts have no line end, and the shell paints escape
 * sequences. A command's end is found by a marker whose echo cannot match:
 * we type `CMD; echo __dl_TAG=$?` and wait for "__dl_TAG=" followed by
 * digits, which only the shell's expansion of $? prints.
 */

#include <regex.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "adapters/login.h"

struct dl_error;

/* What was read and not yet consumed; older text is dropped. */
#define LOGIN_SHELL_SCREEN_MAX 16384

/* The transport: a telnet connection or an SSH channel. */
struct login_shell_io {
	void *context;
	/* Read what arrives before deadline_ns into buf: 0 with *got > 0, or
	 * 0 with *got == 0 at the deadline; *closed when the peer ended the
	 * stream (EOF, channel closed, reset). Negative only for dutlab's own
	 * failures. */
	int (*read)(void *context, uint8_t *buf, size_t size, int64_t deadline_ns, size_t *got,
		    bool *closed, struct dl_error *err);
	/* Write all of buf before deadline_ns; *closed when the peer is gone. */
	int (*write)(void *context, const uint8_t *buf, size_t len, int64_t deadline_ns,
		     bool *closed, struct dl_error *err);
};

struct login_shell {
	struct login_shell_io io;
	char screen[LOGIN_SHELL_SCREEN_MAX]; /* printable text, escape sequences removed */
	size_t length;
	bool closed;
	unsigned escape;  /* where in an escape sequence the last byte left us */
	unsigned markers; /* counter making each marker unique within the session */
	char tag[24];     /* random part of the markers of this session */
	/* For login_transcript (the caller's; NULL: none), and the secrets it masks. */
	const struct login_target *target;
	const char *secrets[3];
};

/* Ready the shell; io is copied. DL_EIO when no random tag can be drawn. */
int login_shell_init(struct login_shell *shell, const struct login_shell_io *io,
		     const struct login_target *target, struct dl_error *err);

/* Mask these (up to 3, NULL ends) in the transcript from now on; the caller keeps them. */
void login_shell_secrets(struct login_shell *shell, const char *a, const char *b, const char *c);

/* Append raw bytes read from the DUT (escape sequences and NULs removed, CR dropped). */
void login_shell_take(struct login_shell *shell, const uint8_t *data, size_t len);

/* Read once (up to deadline_ns) and append; *got is the count of raw bytes. */
int login_shell_read(struct login_shell *shell, int64_t deadline_ns, size_t *got,
		     struct dl_error *err);

/* Read until the screen matches one of patterns (0 .. count-1 into *which), the stream
 * closes (*which = -2) or deadline_ns passes (*which = -1). On a match the screen up to
 * the end of the match is consumed into before (if not NULL, size before_size). */
int login_shell_expect(struct login_shell *shell, const regex_t *const *patterns, size_t count,
		       int64_t deadline_ns, int *which, char *before, size_t before_size,
		       struct dl_error *err);

/* Read until nothing came for quiet_ms (or deadline_ns). */
int login_shell_settle(struct login_shell *shell, int quiet_ms, int64_t deadline_ns,
		       struct dl_error *err);

/* Type text and a line end ("\r" for a pty: the DUT's terminal driver makes it "\n"). A secret
 * is written to the transcript as ***. */
int login_shell_send_line(struct login_shell *shell, const char *text, bool secret,
			  int64_t deadline_ns, struct dl_error *err);

/* Type raw bytes (a ^C). */
int login_shell_send_raw(struct login_shell *shell, const uint8_t *data, size_t len,
			 int64_t deadline_ns, struct dl_error *err);

/* Put text back in front of the screen (a prompt consumed by an expect that another
 * conversation must answer); cut when the screen is full. */
void login_shell_unread(struct login_shell *shell, const char *text);

/* Consume the screen. */
void login_shell_clear(struct login_shell *shell);

/*
 * Run command in the shell and read its exit status through a marker:
 * ACCEPTED when it exited 0, REFUSED otherwise, UNREACHABLE when the
 * stream closed or no marker came by deadline_ns (the shell is gone: a
 * TMOUT logout, a channel sshd closed). out->excerpt gets the output,
 * out->status the exit status (or 0), out->latency_ns the time taken.
 */
int login_shell_run(struct login_shell *shell, const char *command, int64_t deadline_ns,
		    struct login_response *out, struct dl_error *err);

/*
 * Run passwd_command and answer its prompts (current, new, retype; regexes,
 * case-insensitive): ACCEPTED when it exits 0, REFUSED otherwise with the
 * DUT's messages (pam_pwquality's "BAD PASSWORD: ...", pam_pwhistory's
 * "has already been used", "must wait longer") in out->excerpt. A "BAD
 * PASSWORD" shown on an accepted change goes to out->warning. A second
 * "new password" prompt (the DUT refused the first and asks again) is
 * answered with ^C. passwd_command NULL: the conversation already runs (a
 * forced change at login) and ends with the stream, or with end_pattern
 * (a shell prompt) when not NULL; its words decide.
 */
int login_shell_passwd(struct login_shell *shell, const char *passwd_command,
		       const regex_t *end_pattern, const char *old_password,
		       const char *new_password, int64_t deadline_ns, struct login_response *out,
		       struct dl_error *err);

/* What kind of password prompt text is (the last line of it), for the conversations of
 * passwd, PAM at login and keyboard-interactive. */
enum login_prompt {
	LOGIN_PROMPT_NONE,
	LOGIN_PROMPT_PASSWORD, /* "Password:" */
	LOGIN_PROMPT_CURRENT,  /* "Current password:", "(current) UNIX password:" */
	LOGIN_PROMPT_NEW,      /* "New password:", "Enter new UNIX password:" */
	LOGIN_PROMPT_RETYPE,   /* "Retype new password:", "Re-enter new password:" */
};
enum login_prompt login_prompt_kind(const char *text);

/* Does text say the password has expired or must be changed now? */
bool login_text_change_required(const char *text);

/* Append what the DUT said about a refused or weak password (the lines
 * naming it) from text to dst (size), separated by " | ". */
void login_text_password_messages(const char *text, char *dst, size_t size);

#endif
