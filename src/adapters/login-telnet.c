/* login-telnet: the telnet login driver: login and password prompts, echo of the password, a shell
 */
#include "core/compat.h"

#include <poll.h>
#include <regex.h>
#include <sys/socket.h>

#include "adapters/login-common.h"
#include "adapters/login-driver.h"
#include "adapters/login-shell.h"
#include "core/error.h"
#include "core/profile.h"
#include "core/text.h"
#include "net/sock.h"
#include "proto/telnet.h"

/*
 * A user at a terminal: wait for the login prompt, type the name, wait for
 * the password prompt, type the password, and read what comes: a shell
 * prompt (accepted), the failure text or the login prompt again (refused),
 * or a forced change. The telnet options are those of proto/telnet.c: the
 * server may echo (RFC 857) and suppress go-ahead; we offer nothing. NCC
 * 5.3.1.5: the password typed must not come back in the clear, which is
 * password_echoed.
 */

#define TELNET_LOGIN_READ_MAX 1024
#define TELNET_LOGIN_REPLY_MAX (16 * TELNET_LOGIN_READ_MAX)
#define TELNET_LOGIN_ROUNDS_MAX 8 /* prompts answered before the verdict */

struct telnet_login_session {
	struct login_session base;
	int fd;
	struct telnet model;
	struct login_shell shell;
	char username[128];
	regex_t login_re, password_re, shell_re, failure_re;
	bool compiled;
};

static const char *const telnet_login_options[] = {
	"timeout",       "login_prompt", "password_prompt", "shell_prompt",
	"failure_match", "whoami",       "passwd",          NULL,
};

static const char *telnet_option(const struct profile_adapter *a, const char *name)
{
	if (strcmp(name, "login_prompt") == 0)
		return login_option(a, name, "login: *$");
	if (strcmp(name, "password_prompt") == 0)
		return login_option(a, name, "[Pp]assword: *$");
	if (strcmp(name, "shell_prompt") == 0)
		return login_option(a, name, "[$#>] *$");
	return login_option(a, name, "incorrect|[Ff]ail|[Dd]enied");
}

/* ---- the connection ---------------------------------------------------------- */

static int telnet_login_read(void *context, uint8_t *buf, size_t size, int64_t deadline_ns,
			     size_t *got, bool *closed, struct dl_error *err)
{
	struct telnet_login_session *s = context;
	*got = 0;
	if (s->fd < 0) {
		*closed = true;
		return 0;
	}
	/* a read of negotiation alone gives no data: read on until data or the deadline */
	for (;;) {
		long ms = login_remaining_ms(deadline_ns);
		if (ms <= 0)
			return 0;
		struct pollfd p = {.fd = s->fd, .events = POLLIN};
		int ready = poll(&p, 1, ms > 600000 ? 600000 : (int)ms);
		if (ready < 0 && errno == EINTR)
			continue;
		if (ready < 0)
			return dl_error_set(err, DL_EIO, "telnet: poll: %s", strerror(errno));
		if (ready == 0)
			return 0;
		uint8_t raw[TELNET_LOGIN_READ_MAX];
		size_t want = size < sizeof(raw) ? size : sizeof(raw);
		ssize_t n = recv(s->fd, raw, want, 0);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (n <= 0) {
			*closed = true;
			return 0;
		}
		uint8_t reply[TELNET_LOGIN_REPLY_MAX];
		size_t reply_len = 0, consumed = 0;
		/* data never outgrows its input, answers stay under 16 bytes per byte read */
		int rc = telnet_feed(&s->model, raw, (size_t)n, &consumed, buf, size, got, reply,
				     sizeof(reply), &reply_len, err);
		if (rc < 0)
			return rc;
		if (reply_len > 0 &&
		    sock_send_all(s->fd, reply, reply_len, deadline_ns, NULL) < 0) {
			*closed = true;
			return 0;
		}
		if (*got > 0)
			return 0;
	}
}

static int telnet_login_write(void *context, const uint8_t *buf, size_t len, int64_t deadline_ns,
			      bool *closed, struct dl_error *err)
{
	struct telnet_login_session *s = context;
	uint8_t encoded[2048];
	size_t encoded_len = 0;
	if (s->fd < 0) {
		*closed = true;
		return 0;
	}
	int rc = telnet_encode(buf, len, encoded, sizeof(encoded), &encoded_len, err);
	if (rc < 0)
		return rc;
	if (sock_send_all(s->fd, encoded, encoded_len, deadline_ns, NULL) < 0)
		*closed = true;
	return 0;
}

static void telnet_login_close(struct login_session *session)
{
	struct telnet_login_session *s = (struct telnet_login_session *)session;
	if (!s)
		return;
	if (s->fd >= 0)
		sock_close_reset(s->fd);
	if (s->compiled) {
		regfree(&s->login_re);
		regfree(&s->password_re);
		regfree(&s->shell_re);
		regfree(&s->failure_re);
	}
	free(s);
}

static int telnet_login_compile(struct telnet_login_session *s, struct dl_error *err)
{
	const struct profile_adapter *a = s->base.target.adapter;
	const char *names[] = {"login_prompt", "password_prompt", "shell_prompt", "failure_match"};
	regex_t *res[] = {&s->login_re, &s->password_re, &s->shell_re, &s->failure_re};
	for (size_t i = 0; i < DL_ARRAY_SIZE(res); i++) {
		if (regcomp(res[i], telnet_option(a, names[i]), REG_EXTENDED | REG_NEWLINE) != 0) {
			for (size_t k = 0; k < i; k++)
				regfree(res[k]);
			return dl_error_set(err, DL_EINVAL,
					    "options.%s: found '%s'; expected an ERE", names[i],
					    telnet_option(a, names[i]));
		}
	}
	s->compiled = true;
	return 0;
}

/* A connected session with its patterns, or NULL with out UNREACHABLE (rc 0). */
static int telnet_login_open(const struct login_target *target, const char *username,
			     int64_t deadline_ns, struct telnet_login_session **session,
			     struct login_response *out, struct dl_error *err)
{
	*session = NULL;
	struct sock_address destination;
	int rc = sock_address_parse(target->address, target->adapter->port, &destination, err);
	if (rc < 0)
		return rc;
	struct telnet_login_session *s = calloc(1, sizeof(*s));
	if (!s)
		return dl_error_set(err, DL_ENOMEM, "telnet: out of memory for a session");
	login_session_init(&s->base, &login_driver_telnet, target);
	s->fd = -1;
	text_copy(s->username, sizeof(s->username), username);
	rc = telnet_login_compile(s, err);
	if (rc == 0)
		rc = telnet_init(&s->model, NULL, err);
	struct login_shell_io io = {s, telnet_login_read, telnet_login_write};
	if (rc == 0)
		rc = login_shell_init(&s->shell, &io, &s->base.target, err);
	if (rc < 0) {
		telnet_login_close(&s->base);
		return rc;
	}
	struct dl_error local = {0};
	rc = sock_tcp_connect(target->scope, &destination, sock_interface(target->scope),
			      deadline_ns, &s->fd, &local);
	if (rc == DL_ESCOPE || rc == DL_EINVAL) {
		if (err)
			*err = local;
		telnet_login_close(&s->base);
		return rc;
	}
	if (rc < 0) {
		out->outcome = LOGIN_UNREACHABLE;
		login_excerpt(out->excerpt, sizeof(out->excerpt), local.message,
			      strlen(local.message));
		telnet_login_close(&s->base);
		return 0;
	}
	char line[128];
	snprintf(line, sizeof(line), "connected to %s port %u", target->address,
		 target->adapter->port);
	login_transcript(target, "telnet", line, strlen(line), NULL, 0, err);
	*session = s;
	return 0;
}

/* text with every occurrence of secret replaced by ***, into out. */
static void telnet_mask(const char *text, const char *secret, char *out, size_t size)
{
	size_t used = 0, secret_len = secret ? strlen(secret) : 0;
	while (*text && used + 1 < size) {
		if (secret_len > 0 && strncmp(text, secret, secret_len) == 0) {
			for (int k = 0; k < 3 && used + 1 < size; k++)
				out[used++] = '*';
			text += secret_len;
		} else {
			out[used++] = *text++;
		}
	}
	out[used] = '\0';
}

/* The verdict's evidence: excerpt and fingerprint of what the DUT said, password masked. */
static void telnet_login_evidence(struct login_response *out, const char *said,
				  const char *password)
{
	char *masked = malloc(LOGIN_SHELL_SCREEN_MAX);
	if (!masked)
		return;
	telnet_mask(said, password, masked, LOGIN_SHELL_SCREEN_MAX);
	login_excerpt(out->excerpt, sizeof(out->excerpt), masked, strlen(masked));
	login_fingerprint(out, 0, NULL, 0, masked, strlen(masked));
	free(masked);
}

/*
 * The login conversation up to the verdict. On CHANGE_REQUIRED with
 * new_password, the change is made (the current password prompt has
 * been answered when login_shell_passwd takes over).
 */
static int telnet_login_converse(struct telnet_login_session *s, const char *password,
				 int64_t deadline_ns, struct login_response *out,
				 struct dl_error *err)
{
	char *before = malloc(LOGIN_SHELL_SCREEN_MAX);
	char *said = calloc(1, LOGIN_SHELL_SCREEN_MAX);
	if (!before || !said) {
		free(before);
		free(said);
		return dl_error_set(err, DL_ENOMEM, "telnet: out of memory");
	}
	login_shell_secrets(&s->shell, password, NULL, NULL);
	int rc = 0;
	bool user_sent = false, password_sent = false;
	int64_t sent_ns = 0;
	size_t said_len = 0;
	out->outcome = LOGIN_UNREACHABLE;
	for (int round = 0; round < TELNET_LOGIN_ROUNDS_MAX; round++) {
		const regex_t *patterns[] = {&s->shell_re, &s->failure_re, &s->password_re,
					     &s->login_re};
		int which = -1;
		before[0] = '\0'; /* filled on a match only */
		rc = login_shell_expect(&s->shell, patterns, 4, deadline_ns, &which, before,
					LOGIN_SHELL_SCREEN_MAX, err);
		if (rc < 0)
			break;
		if (password_sent) {
			size_t n = strlen(before);
			if (said_len + n + 1 < LOGIN_SHELL_SCREEN_MAX) {
				memcpy(said + said_len, before, n + 1);
				said_len += n;
			}
			/* NCC 5.3.1.5: the password came back as typed */
			if (password[0] && strstr(before, password))
				out->password_echoed = true;
		}
		if (which < 0) {
			/* silence or a closed connection: after the password a refusal */
			out->outcome =
				password_sent && which == -2 ? LOGIN_REFUSED : LOGIN_UNREACHABLE;
			if (!password_sent)
				snprintf(said, LOGIN_SHELL_SCREEN_MAX, "%s%s", before,
					 s->shell.screen);
			break;
		}
		if (!password_sent && which == 3 && !user_sent) {
			rc = login_shell_send_line(&s->shell, s->username, false, deadline_ns, err);
			user_sent = true;
		} else if (!password_sent && which == 2) {
			sent_ns = sock_now_ns();
			rc = login_shell_send_line(&s->shell, password, true, deadline_ns, err);
			password_sent = true;
		} else if (!password_sent && which == 0) {
			out->outcome = LOGIN_ACCEPTED; /* a shell without a password */
			snprintf(said, LOGIN_SHELL_SCREEN_MAX, "%s", before);
			break;
		} else if (!password_sent) {
			out->outcome = LOGIN_REFUSED; /* failure text before the password */
			snprintf(said, LOGIN_SHELL_SCREEN_MAX, "%s", before);
			break;
		} else if (login_text_change_required(said) ||
			   (which == 2 && login_prompt_kind(before) != LOGIN_PROMPT_PASSWORD)) {
			out->outcome = LOGIN_CHANGE_REQUIRED;
			if (which == 2) {
				/* the prompt goes back for the change conversation */
				const char *last = strrchr(before, '\n');
				login_shell_unread(&s->shell, last ? last + 1 : before);
			}
			break;
		} else {
			/* a shell prompt is accepted; failure text, the login or
			 * password prompt again are refusals */
			out->outcome = which == 0 ? LOGIN_ACCEPTED : LOGIN_REFUSED;
			break;
		}
		if (rc < 0)
			break;
	}
	if (rc == 0) {
		if (sent_ns)
			out->latency_ns = sock_now_ns() - sent_ns;
		telnet_login_evidence(out, said, password);
	}
	free(before);
	free(said);
	return rc;
}

static int telnet_login_attempt(const struct login_target *target, const char *username,
				const char *password, struct login_response *out,
				struct login_session **session, struct dl_error *err)
{
	int64_t deadline_ns;
	int rc = login_deadline(target, &deadline_ns, err);
	if (rc < 0)
		return rc;
	struct telnet_login_session *s = NULL;
	rc = telnet_login_open(target, username, deadline_ns, &s, out, err);
	if (rc < 0 || !s)
		return rc;
	rc = telnet_login_converse(s, password, deadline_ns, out, err);
	if (rc == 0 && out->outcome == LOGIN_ACCEPTED && session) {
		*session = &s->base;
		return 0;
	}
	if (rc == 0 && out->outcome == LOGIN_ACCEPTED)
		login_shell_send_line(&s->shell, "exit", false, deadline_ns, err);
	telnet_login_close(&s->base);
	return rc;
}

static int telnet_login_logout(struct login_session *session, struct login_response *out,
			       struct dl_error *err)
{
	struct telnet_login_session *s = (struct telnet_login_session *)session;
	int64_t deadline_ns;
	int rc = login_deadline(&s->base.target, &deadline_ns, err);
	if (rc < 0)
		return rc;
	int64_t start = sock_now_ns();
	rc = login_shell_send_line(&s->shell, "exit", false, deadline_ns, err);
	while (rc == 0 && !s->shell.closed && sock_now_ns() < deadline_ns) {
		size_t got = 0;
		rc = login_shell_read(&s->shell, deadline_ns, &got, err);
	}
	if (rc < 0)
		return rc;
	out->latency_ns = sock_now_ns() - start;
	out->outcome = s->shell.closed ? LOGIN_ACCEPTED : LOGIN_UNREACHABLE;
	login_excerpt(out->excerpt, sizeof(out->excerpt), s->shell.screen, s->shell.length);
	return 0;
}

static int telnet_login_run(struct telnet_login_session *s, const char *command,
			    struct login_response *out, struct dl_error *err)
{
	int64_t deadline_ns;
	int rc = login_deadline(&s->base.target, &deadline_ns, err);
	if (rc < 0)
		return rc;
	rc = login_shell_run(&s->shell, command, deadline_ns, out, err);
	if (rc == 0 && out->outcome == LOGIN_UNREACHABLE && s->shell.closed) {
		/* the DUT ended the session (an idle timeout, a logout) */
		out->outcome = LOGIN_REFUSED;
		if (!out->excerpt[0])
			snprintf(out->excerpt, sizeof(out->excerpt),
				 "the server closed the connection");
	}
	login_fingerprint(out, out->status, NULL, 0, out->excerpt, strlen(out->excerpt));
	return rc;
}

static int telnet_login_probe(struct login_session *session, struct login_response *out,
			      struct dl_error *err)
{
	struct telnet_login_session *s = (struct telnet_login_session *)session;
	return telnet_login_run(s, login_option(s->base.target.adapter, "whoami", "id -un"), out,
				err);
}

static int telnet_login_perform(struct login_session *session, const struct profile_action *action,
				struct login_response *out, struct dl_error *err)
{
	struct telnet_login_session *s = (struct telnet_login_session *)session;
	char command[1024];
	struct login_vars vars = {.username = s->username, .address = s->base.target.address};
	int rc = login_expand(action->request, &vars, LOGIN_RAW, command, sizeof(command), err);
	if (rc < 0)
		return dl_error_prefix(err, "actions.%s", action->name);
	return telnet_login_run(s, command, out, err);
}

/* passwd in the shell, or the forced change the login asks for. */
static int telnet_login_change_password(const struct login_target *target, const char *username,
					const char *old_password, const char *new_password,
					struct login_response *out, struct dl_error *err)
{
	int64_t deadline_ns;
	int rc = login_deadline(target, &deadline_ns, err);
	if (rc < 0)
		return rc;
	struct telnet_login_session *s = NULL;
	rc = telnet_login_open(target, username, deadline_ns, &s, out, err);
	if (rc < 0 || !s)
		return rc;
	rc = telnet_login_converse(s, old_password, deadline_ns, out, err);
	if (rc < 0)
		goto out;
	if (out->outcome == LOGIN_CHANGE_REQUIRED) {
		/* the login's own change conversation, up to the shell prompt */
		memset(out, 0, sizeof(*out));
		rc = login_shell_passwd(&s->shell, NULL, &s->shell_re, old_password, new_password,
					deadline_ns, out, err);
		goto out;
	}
	if (out->outcome != LOGIN_ACCEPTED)
		goto out;
	memset(out, 0, sizeof(*out));
	rc = login_shell_passwd(&s->shell, login_option(target->adapter, "passwd", "passwd"), NULL,
				old_password, new_password, deadline_ns, out, err);
	if (rc == 0 && !s->shell.closed)
		login_shell_send_line(&s->shell, "exit", false, deadline_ns, err);
out:
	telnet_login_close(&s->base);
	return rc;
}

static int telnet_login_validate(const struct profile_adapter *adapter, struct dl_error *err)
{
	static const char *const patterns[] = {"login_prompt", "password_prompt", "shell_prompt",
					       "failure_match"};
	int rc = login_check_timeout(adapter, err);
	for (size_t i = 0; rc == 0 && i < DL_ARRAY_SIZE(patterns); i++)
		rc = login_check_regex(adapter, patterns[i], err);
	return rc;
}

static unsigned telnet_login_capabilities(const struct profile_adapter *adapter)
{
	(void)adapter;
	return LOGIN_CAN_LOGOUT | LOGIN_CAN_PROBE | LOGIN_CAN_PERFORM | LOGIN_CAN_CHANGE_PASSWORD;
}

const struct login_driver login_driver_telnet = {
	.name = "telnet",
	.options = telnet_login_options,
	.validate = telnet_login_validate,
	.capabilities = telnet_login_capabilities,
	.attempt = telnet_login_attempt,
	.logout = telnet_login_logout,
	.probe = telnet_login_probe,
	.perform = telnet_login_perform,
	.close = telnet_login_close,
	.change_password = telnet_login_change_password,
};
