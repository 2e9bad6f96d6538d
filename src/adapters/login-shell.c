/* login-shell: drive a remote shell on a character stream (ssh-password and telnet): markers,
 * passwd */
#include "core/compat.h"

#include <sys/random.h>

#include "adapters/login-common.h"
#include "adapters/login-shell.h"
#include "core/error.h"
#include "net/sock.h"

#define SHELL_LINE_MAX 1024 /* a command we type, with its marker */
#define SHELL_ROUNDS_MAX 16 /* prompts answered in one passwd conversation */

enum shell_escape {
	SHELL_ESCAPE_NONE,
	SHELL_ESCAPE_ESC, /* after ESC */
	SHELL_ESCAPE_CSI, /* ESC [ ... final byte */
	SHELL_ESCAPE_OSC, /* ESC ] ... BEL or ESC \ */
	SHELL_ESCAPE_OSC_ESC,
};

int login_shell_init(struct login_shell *shell, const struct login_shell_io *io,
		     const struct login_target *target, struct dl_error *err)
{
	memset(shell, 0, sizeof(*shell));
	shell->io = *io;
	shell->target = target;
	uint8_t random[6];
	if (getrandom(random, sizeof(random), 0) != (ssize_t)sizeof(random))
		return dl_error_set(err, DL_EIO, "login shell: getrandom for the marker: %s",
				    strerror(errno));
	for (size_t i = 0; i < sizeof(random); i++)
		snprintf(shell->tag + 2 * i, sizeof(shell->tag) - 2 * i, "%02x", random[i]);
	return 0;
}

void login_shell_secrets(struct login_shell *shell, const char *a, const char *b, const char *c)
{
	shell->secrets[0] = a;
	shell->secrets[1] = b;
	shell->secrets[2] = c;
}

static size_t shell_secret_count(const struct login_shell *shell)
{
	size_t n = 0;
	while (n < DL_ARRAY_SIZE(shell->secrets) && shell->secrets[n])
		n++;
	return n;
}

static void shell_transcript(struct login_shell *shell, const char *label, const char *text,
			     size_t len)
{
	if (!shell->target || !shell->target->transcript_path || len == 0)
		return;
	/* a transcript that cannot be written does not change what the DUT did */
	struct dl_error ignored = {0};
	login_transcript(shell->target, label, text, len, shell->secrets, shell_secret_count(shell),
			 &ignored);
}

static void shell_append(struct login_shell *shell, char c)
{
	if (shell->length + 1 >= sizeof(shell->screen)) {
		/* keep the newer half: prompts and markers are at the end */
		size_t keep = sizeof(shell->screen) / 2;
		memmove(shell->screen, shell->screen + shell->length - keep, keep);
		shell->length = keep;
	}
	shell->screen[shell->length++] = c;
	shell->screen[shell->length] = '\0';
}

void login_shell_take(struct login_shell *shell, const uint8_t *data, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		uint8_t b = data[i];
		switch (shell->escape) {
		case SHELL_ESCAPE_ESC:
			shell->escape = b == '['   ? SHELL_ESCAPE_CSI
					: b == ']' ? SHELL_ESCAPE_OSC
						   : SHELL_ESCAPE_NONE;
			continue;
		case SHELL_ESCAPE_CSI:
			if (b >= 0x40 && b <= 0x7e)
				shell->escape = SHELL_ESCAPE_NONE;
			continue;
		case SHELL_ESCAPE_OSC:
			if (b == 0x07)
				shell->escape = SHELL_ESCAPE_NONE;
			else if (b == 0x1b)
				shell->escape = SHELL_ESCAPE_OSC_ESC;
			continue;
		case SHELL_ESCAPE_OSC_ESC: shell->escape = SHELL_ESCAPE_NONE; continue;
		default: break;
		}
		if (b == 0x1b)
			shell->escape = SHELL_ESCAPE_ESC;
		else if (b == '\n' || b == '\t' || (b >= 0x20 && b != 0x7f))
			shell_append(shell, (char)b);
		/* CR, NUL, BS, BEL and the other controls are dropped */
	}
	if (len > 0) {
		char *copy = malloc(len + 1);
		if (copy) {
			memcpy(copy, data, len);
			copy[len] = '\0';
			shell_transcript(shell, "received", copy, len);
			free(copy);
		}
	}
}

void login_shell_unread(struct login_shell *shell, const char *text)
{
	size_t n = strlen(text);
	if (n + shell->length + 1 > sizeof(shell->screen))
		n = sizeof(shell->screen) - shell->length - 1;
	memmove(shell->screen + n, shell->screen, shell->length + 1);
	memcpy(shell->screen, text, n);
	shell->length += n;
}

void login_shell_clear(struct login_shell *shell)
{
	shell->length = 0;
	shell->screen[0] = '\0';
}

int login_shell_read(struct login_shell *shell, int64_t deadline_ns, size_t *got,
		     struct dl_error *err)
{
	uint8_t buf[4096];
	*got = 0;
	if (shell->closed)
		return 0;
	int rc = shell->io.read(shell->io.context, buf, sizeof(buf), deadline_ns, got,
				&shell->closed, err);
	if (rc < 0)
		return rc;
	login_shell_take(shell, buf, *got);
	return 0;
}

int login_shell_expect(struct login_shell *shell, const regex_t *const *patterns, size_t count,
		       int64_t deadline_ns, int *which, char *before, size_t before_size,
		       struct dl_error *err)
{
	*which = -1;
	/* each read returns something or ends at the deadline, so the loop ends */
	for (;;) {
		for (size_t k = 0; k < count; k++) {
			regmatch_t m[1];
			if (regexec(patterns[k], shell->screen, 1, m, 0) != 0)
				continue;
			size_t end = (size_t)m[0].rm_eo;
			if (before && before_size > 0) {
				size_t n = end < before_size - 1 ? end : before_size - 1;
				memcpy(before, shell->screen, n);
				before[n] = '\0';
			}
			memmove(shell->screen, shell->screen + end, shell->length - end + 1);
			shell->length -= end;
			*which = (int)k;
			return 0;
		}
		if (shell->closed) {
			*which = -2;
			return 0;
		}
		if (sock_now_ns() >= deadline_ns)
			return 0;
		size_t got = 0;
		int rc = login_shell_read(shell, deadline_ns, &got, err);
		if (rc < 0)
			return rc;
	}
}

int login_shell_settle(struct login_shell *shell, int quiet_ms, int64_t deadline_ns,
		       struct dl_error *err)
{
	for (;;) {
		int64_t quiet = sock_now_ns() + (int64_t)quiet_ms * 1000000;
		size_t got = 0;
		int rc = login_shell_read(shell, quiet < deadline_ns ? quiet : deadline_ns, &got,
					  err);
		if (rc < 0)
			return rc;
		if (got == 0 || shell->closed || sock_now_ns() >= deadline_ns)
			return 0;
	}
}

int login_shell_send_raw(struct login_shell *shell, const uint8_t *data, size_t len,
			 int64_t deadline_ns, struct dl_error *err)
{
	if (shell->closed)
		return 0;
	return shell->io.write(shell->io.context, data, len, deadline_ns, &shell->closed, err);
}

int login_shell_send_line(struct login_shell *shell, const char *text, bool secret,
			  int64_t deadline_ns, struct dl_error *err)
{
	char line[SHELL_LINE_MAX];
	int n = snprintf(line, sizeof(line), "%s\r", text);
	if (n < 0 || (size_t)n >= sizeof(line))
		return dl_error_set(err, DL_EINVAL,
				    "login shell: a line of %zu bytes to type (at most %d)",
				    strlen(text), SHELL_LINE_MAX - 2);
	if (secret)
		shell_transcript(shell, "sent", "***\r", 4);
	else
		shell_transcript(shell, "sent", line, (size_t)n);
	return login_shell_send_raw(shell, (const uint8_t *)line, (size_t)n, deadline_ns, err);
}

/* "__dl_TAGN=" and its pattern with the digits the shell's $? expands to. */
static int shell_marker(struct login_shell *shell, char *marker, size_t size, regex_t *re,
			struct dl_error *err)
{
	snprintf(marker, size, "__dl_%s%u=", shell->tag, shell->markers++);
	char pattern[64];
	snprintf(pattern, sizeof(pattern), "%s([0-9]+)", marker);
	if (regcomp(re, pattern, REG_EXTENDED) != 0)
		return dl_error_set(err, DL_EIO, "login shell: cannot compile the marker pattern");
	return 0;
}

/* The exit status after the marker at the start of the screen's consumed text. */
static int shell_status(const char *matched, const char *marker)
{
	const char *at = strstr(matched, marker);
	if (!at)
		return -1;
	at += strlen(marker);
	int status = 0;
	for (int digits = 0; *at >= '0' && *at <= '9' && digits < 4; at++, digits++)
		status = status * 10 + (*at - '0');
	return status;
}

/* What came between the echo of the typed line and the marker's output. */
static void shell_output(const char *before, const char *marker, char *out, size_t size)
{
	const char *start = before;
	const char *echo = strstr(before, marker);
	/* the echo of what we typed carries the marker followed by "$?" */
	if (echo && echo[strlen(marker)] == '$') {
		const char *eol = strchr(echo, '\n');
		start = eol ? eol + 1 : echo + strlen(echo);
	}
	const char *end = strstr(start, marker);
	size_t n = end ? (size_t)(end - start) : strlen(start);
	login_excerpt(out, size, start, n);
}

int login_shell_run(struct login_shell *shell, const char *command, int64_t deadline_ns,
		    struct login_response *out, struct dl_error *err)
{
	char marker[48], line[SHELL_LINE_MAX];
	regex_t re;
	int rc = shell_marker(shell, marker, sizeof(marker), &re, err);
	if (rc < 0)
		return rc;
	/* the marker must be expanded by the shell, so $? is typed, not sent as a digit */
	int n = snprintf(line, sizeof(line), "%s; echo %s$?", command, marker);
	if (n < 0 || (size_t)n >= sizeof(line)) {
		regfree(&re);
		return dl_error_set(err, DL_EINVAL,
				    "login shell: command of %zu bytes (at most %d)",
				    strlen(command), SHELL_LINE_MAX - 64);
	}
	int64_t start = sock_now_ns();
	login_shell_settle(shell, 50, deadline_ns, err); /* what the shell said before */
	login_shell_clear(shell);
	out->outcome = LOGIN_UNREACHABLE;
	rc = login_shell_send_line(shell, line, false, deadline_ns, err);
	if (rc < 0 || shell->closed) {
		regfree(&re);
		return rc < 0 ? rc : 0;
	}
	char *before = malloc(LOGIN_SHELL_SCREEN_MAX);
	if (!before) {
		regfree(&re);
		return dl_error_set(err, DL_ENOMEM, "login shell: out of memory");
	}
	const regex_t *patterns[] = {&re};
	int which = -1;
	rc = login_shell_expect(shell, patterns, 1, deadline_ns, &which, before,
				LOGIN_SHELL_SCREEN_MAX, err);
	out->latency_ns = sock_now_ns() - start;
	if (rc == 0 && which == 0) {
		/* the last marker followed by digits is the output's, not the echo */
		int status = -1;
		const char *last = before, *p;
		while ((p = strstr(last, marker)) != NULL && p[strlen(marker)] != '\0') {
			if (p[strlen(marker)] >= '0' && p[strlen(marker)] <= '9')
				status = shell_status(p, marker);
			last = p + 1;
		}
		out->status = status;
		out->outcome = status == 0 ? LOGIN_ACCEPTED : LOGIN_REFUSED;
		shell_output(before, marker, out->excerpt, sizeof(out->excerpt));
	} else if (rc == 0) {
		/* no marker: the shell is gone, or it never ran the command */
		login_excerpt(out->excerpt, sizeof(out->excerpt), shell->screen, shell->length);
		out->outcome = LOGIN_UNREACHABLE;
	}
	free(before);
	regfree(&re);
	return rc;
}

/* Lowercase copy of the last non-empty line of text. */
static void shell_last_line(const char *text, char *out, size_t size)
{
	size_t n = strlen(text);
	while (n > 0 && (text[n - 1] == '\n' || text[n - 1] == ' '))
		n--;
	size_t start = n;
	while (start > 0 && text[start - 1] != '\n')
		start--;
	size_t len = n - start < size - 1 ? n - start : size - 1;
	for (size_t i = 0; i < len; i++) {
		char c = text[start + i];
		out[i] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
	}
	out[len] = '\0';
}

enum login_prompt login_prompt_kind(const char *text)
{
	char line[256];
	shell_last_line(text, line, sizeof(line));
	if (!strstr(line, "password") && !strstr(line, "passphrase") && !strstr(line, "passcode"))
		return LOGIN_PROMPT_NONE;
	if (strstr(line, "retype") || strstr(line, "re-type") || strstr(line, "re-enter") ||
	    strstr(line, "reenter") || strstr(line, "again") || strstr(line, "repeat") ||
	    strstr(line, "confirm") || strstr(line, "verify"))
		return LOGIN_PROMPT_RETYPE;
	if (strstr(line, "new"))
		return LOGIN_PROMPT_NEW;
	if (strstr(line, "current") || strstr(line, "old") || strstr(line, "existing"))
		return LOGIN_PROMPT_CURRENT;
	return LOGIN_PROMPT_PASSWORD;
}

bool login_text_change_required(const char *text)
{
	static const char *const phrases[] = {
		"password has expired",     "password expired",   "must change your password",
		"must be changed",          "required to change", "change your password now",
		"password change required", "expired password",   "password is expired",
	};
	for (size_t i = 0; i < DL_ARRAY_SIZE(phrases); i++)
		if (strcasestr(text, phrases[i]))
			return true;
	return false;
}

void login_text_password_messages(const char *text, char *dst, size_t size)
{
	static const char *const words[] = {
		"bad password", "must wait",    "already been used",
		"too short",    "too simple",   "too similar",
		"palindrome",   "dictionary",   "user name",
		"username",     "shorter than", "fewer than",
		"less than",    "unchanged",    "not changed",
		"manipulation", "failure",      "error",
		"denied",       "try again",    "do not match",
		"don't match",  "mismatch",     "exhausted",
		"wait longer",  "warning",      "same as",
		"characters",   "not complex",  "rejected",
	};
	size_t used = strlen(dst);
	const char *line = text;
	while (line && *line) {
		const char *eol = strchr(line, '\n');
		size_t n = eol ? (size_t)(eol - line) : strlen(line);
		char copy[256];
		size_t c = n < sizeof(copy) - 1 ? n : sizeof(copy) - 1;
		memcpy(copy, line, c);
		copy[c] = '\0';
		bool wanted = false;
		for (size_t i = 0; i < DL_ARRAY_SIZE(words) && !wanted; i++)
			wanted = strcasestr(copy, words[i]) != NULL;
		if (wanted && !strstr(copy, "__dl_") && used + 4 < size) {
			char clean[256];
			login_excerpt(clean, sizeof(clean), copy, c);
			int w = snprintf(dst + used, size - used, "%s%s", used ? " | " : "", clean);
			if (w > 0)
				used = used + (size_t)w < size ? used + (size_t)w : size - 1;
		}
		line = eol ? eol + 1 : NULL;
	}
}

/* ACCEPTED on exit status 0; the DUT's words about the password in the excerpt. */
static void shell_passwd_result(struct login_response *out, int status, bool aborted,
				const char *text, const char *marker)
{
	out->status = status;
	out->outcome = status == 0 && !aborted ? LOGIN_ACCEPTED : LOGIN_REFUSED;
	out->excerpt[0] = '\0';
	login_text_password_messages(text, out->excerpt, sizeof(out->excerpt));
	if (out->outcome == LOGIN_ACCEPTED && strcasestr(out->excerpt, "bad password"))
		snprintf(out->warning, sizeof(out->warning), "%s", out->excerpt);
	if (!out->excerpt[0])
		shell_output(text, marker, out->excerpt, sizeof(out->excerpt));
}

int login_shell_passwd(struct login_shell *shell, const char *passwd_command,
		       const regex_t *end_pattern, const char *old_password,
		       const char *new_password, int64_t deadline_ns, struct login_response *out,
		       struct dl_error *err)
{
	char marker[48], line[SHELL_LINE_MAX];
	regex_t marker_re, prompt_re;
	int rc = shell_marker(shell, marker, sizeof(marker), &marker_re, err);
	if (rc < 0)
		return rc;
	/* a prompt: a line naming a password and ending in ':' with nothing after it */
	if (regcomp(&prompt_re, "(password|passphrase|passcode)[^\n]*:[ \t]*$",
		    REG_EXTENDED | REG_ICASE | REG_NEWLINE) != 0) {
		regfree(&marker_re);
		return dl_error_set(err, DL_EIO, "login shell: cannot compile the prompt pattern");
	}
	char *text = calloc(1, LOGIN_SHELL_SCREEN_MAX);
	char *before = malloc(LOGIN_SHELL_SCREEN_MAX);
	if (!text || !before) {
		rc = dl_error_set(err, DL_ENOMEM, "login shell: out of memory");
		goto out;
	}
	login_shell_secrets(shell, old_password, new_password, NULL);
	out->outcome = LOGIN_UNREACHABLE;
	int64_t start = sock_now_ns();
	if (passwd_command) {
		snprintf(line, sizeof(line), "%s; echo %s$?", passwd_command, marker);
		login_shell_settle(shell, 50, deadline_ns, err);
		login_shell_clear(shell);
		rc = login_shell_send_line(shell, line, false, deadline_ns, err);
		if (rc < 0)
			goto out;
	}
	bool new_sent = false, retype_sent = false, aborted = false;
	size_t text_len = 0;
	for (int round = 0; round < SHELL_ROUNDS_MAX; round++) {
		const regex_t *patterns[] = {&marker_re, &prompt_re, end_pattern};
		int which = -1;
		before[0] = '\0'; /* filled on a match only */
		rc = login_shell_expect(shell, patterns, end_pattern ? 3 : 2, deadline_ns, &which,
					before, LOGIN_SHELL_SCREEN_MAX, err);
		if (rc < 0)
			goto out;
		size_t n = strlen(before);
		if (text_len + n + 2 < LOGIN_SHELL_SCREEN_MAX) {
			memcpy(text + text_len, before, n);
			text_len += n;
			text[text_len++] = '\n';
			text[text_len] = '\0';
		}
		if (which < 0) {
			/* what it said last, unanswered, before it closed or went silent */
			size_t left = LOGIN_SHELL_SCREEN_MAX - 1 - text_len;
			size_t rest = shell->length < left ? shell->length : left;
			memcpy(text + text_len, shell->screen, rest);
			text_len += rest;
			text[text_len] = '\0';
		}
		if (which == -1 || (which == -2 && passwd_command)) {
			login_excerpt(out->excerpt, sizeof(out->excerpt), text, text_len);
			break; /* UNREACHABLE: gone or silent */
		}
		bool reached_shell = which == 2; /* the end of a forced change: the shell */
		if (reached_shell)
			which = -2;
		if (which == 0 || (which == -2 && !passwd_command)) {
			int status = -1;
			if (reached_shell) {
				status = 0;
			} else if (which == 0) {
				const char *at = before, *p;
				while ((p = strstr(at, marker)) != NULL) {
					if (p[strlen(marker)] >= '0' && p[strlen(marker)] <= '9')
						status = shell_status(p, marker);
					at = p + 1;
				}
			} else if (strcasestr(text, "success") || strcasestr(text, "updated")) {
				status = 0; /* a forced change ends the session; its words tell */
			}
			shell_passwd_result(out, status, aborted, text, marker);
			break;
		}
		enum login_prompt kind = login_prompt_kind(before);
		const char *answer = NULL;
		if (kind == LOGIN_PROMPT_NEW && !new_sent) {
			answer = new_password;
			new_sent = true;
		} else if (kind == LOGIN_PROMPT_RETYPE && new_sent && !retype_sent) {
			answer = new_password;
			retype_sent = true;
		} else if ((kind == LOGIN_PROMPT_CURRENT || kind == LOGIN_PROMPT_PASSWORD) &&
			   !new_sent) {
			answer = old_password;
		}
		if (answer) {
			rc = login_shell_send_line(shell, answer, true, deadline_ns, err);
		} else if (!aborted) {
			/* asked again: the DUT refused what we typed. End of input (^D
			 * on an empty line) ends the PAM conversation; passwd ignores ^C */
			static const uint8_t end_of_input[] = {0x04};
			aborted = true;
			rc = login_shell_send_raw(shell, end_of_input, sizeof(end_of_input),
						  deadline_ns, err);
		} else {
			/* still asking: empty answers use up its retries */
			rc = login_shell_send_line(shell, "", false, deadline_ns, err);
		}
		if (rc < 0)
			goto out;
	}
	out->latency_ns = sock_now_ns() - start;
out:
	free(text);
	free(before);
	regfree(&marker_re);
	regfree(&prompt_re);
	return rc;
}
