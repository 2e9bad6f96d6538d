/* login-ssh: the ssh-password login driver: keyboard-interactive or password with libssh, a pty
 * shell */
#include "core/compat.h"

#include <libssh/libssh.h>

#include "adapters/login-common.h"
#include "adapters/login-driver.h"
#include "adapters/login-shell.h"
#include "core/error.h"
#include "core/profile.h"
#include "core/text.h"
#include "net/sock.h"

/*
 * The login is the one a user makes with `ssh user@dut`: keyboard-interactive
 * (RFC 4256), which is how sshd runs a PAM conversation, and the password
 * method (RFC 4252 8) when the server offers no keyboard-interactive. A PAM
 * conversation that asks for the current and a new password, or says the
 * password expired, is LOGIN_CHANGE_REQUIRED; sshd's password method lets an
 * expired password in and runs passwd in the session instead, which the
 * shell's first words show.
 */

#define SSH_LOGIN_KEX                                                                              \
	"curve25519-sha256,curve25519-sha256@libssh.org,ecdh-sha2-nistp256,ecdh-sha2-nistp384,"    \
	"ecdh-sha2-nistp521,diffie-hellman-group18-sha512,diffie-hellman-group16-sha512,"          \
	"diffie-hellman-group-exchange-sha256,diffie-hellman-group14-sha256,"                      \
	"diffie-hellman-group14-sha1,diffie-hellman-group-exchange-sha1,"                          \
	"diffie-hellman-group1-sha1"
#define SSH_LOGIN_HOSTKEYS                                                                         \
	"ssh-ed25519,ecdsa-sha2-nistp256,ecdsa-sha2-nistp384,ecdsa-sha2-nistp521,rsa-sha2-512,"    \
	"rsa-sha2-256,ssh-rsa,ssh-dss"
#define SSH_LOGIN_CIPHERS                                                                          \
	"aes256-gcm@openssh.com,aes128-gcm@openssh.com,chacha20-poly1305@openssh.com,aes256-ctr,"  \
	"aes192-ctr,aes128-ctr,aes256-cbc,aes192-cbc,aes128-cbc,3des-cbc"
#define SSH_LOGIN_MACS                                                                             \
	"hmac-sha2-256-etm@openssh.com,hmac-sha2-512-etm@openssh.com,hmac-sha1-etm@openssh.com,"   \
	"hmac-sha2-256,hmac-sha2-512,hmac-sha1"

#define SSH_KBDINT_ROUNDS_MAX 12 /* info requests answered in one login */
#define SSH_BANNER_QUIET_MS 400  /* the shell's first words: until this long a pause */
#define SSH_CONVERSATION_MAX 2048

struct ssh_login_session {
	struct login_session base;
	ssh_session ssh;
	ssh_channel channel;
	int fd;
	char username[128];
	struct login_shell shell;
};

static const char *const ssh_login_options[] = {"timeout", "whoami", "passwd", NULL};

/* ---- the connection ---------------------------------------------------------- */

static int ssh_login_read(void *context, uint8_t *buf, size_t size, int64_t deadline_ns,
			  size_t *got, bool *closed, struct dl_error *err)
{
	(void)err;
	struct ssh_login_session *s = context;
	*got = 0;
	if (!s->channel || ssh_channel_is_closed(s->channel) || ssh_channel_is_eof(s->channel)) {
		*closed = true;
		return 0;
	}
	long ms = login_remaining_ms(deadline_ns);
	if (ms <= 0)
		return 0;
	int n = ssh_channel_read_timeout(s->channel, buf, (uint32_t)size, 0,
					 ms > 600000 ? 600000 : (int)ms);
	if (n == SSH_ERROR ||
	    (n == 0 && (ssh_channel_is_eof(s->channel) || ssh_channel_is_closed(s->channel)))) {
		*closed = true;
		return 0;
	}
	if (n > 0)
		*got = (size_t)n;
	return 0;
}

static int ssh_login_write(void *context, const uint8_t *buf, size_t len, int64_t deadline_ns,
			   bool *closed, struct dl_error *err)
{
	(void)deadline_ns;
	(void)err;
	struct ssh_login_session *s = context;
	if (!s->channel || ssh_channel_is_closed(s->channel) ||
	    ssh_channel_write(s->channel, buf, (uint32_t)len) != (int)len)
		*closed = true;
	return 0;
}

/* libssh adopts fd in ssh_connect and may close it on its error paths (see ssh-hostkey.c). */
static void ssh_login_release(struct ssh_login_session *s)
{
	if (s->channel) {
		if (ssh_channel_is_open(s->channel))
			ssh_channel_close(s->channel);
		ssh_channel_free(s->channel);
		s->channel = NULL;
	}
	if (s->ssh) {
		bool ours = s->fd >= 0 && ssh_get_fd(s->ssh) == s->fd;
		if (ours)
			ssh_disconnect(s->ssh);
		ssh_free(s->ssh);
		s->ssh = NULL;
		if (ours)
			sock_close_reset(s->fd);
		s->fd = -1;
	}
}

static void ssh_login_unreachable(struct login_response *out, const char *what, const char *why)
{
	out->outcome = LOGIN_UNREACHABLE;
	/* cut to the excerpt's size on purpose */
	if (snprintf(out->excerpt, sizeof(out->excerpt), "%s: %s", what, why) < 0)
		out->excerpt[0] = '\0';
}

/* A connected, key-exchanged session, or out UNREACHABLE (returning 0). */
static int ssh_login_connect(struct ssh_login_session *s, int64_t deadline_ns,
			     struct login_response *out, struct dl_error *err)
{
	const struct login_target *target = &s->base.target;
	struct sock_address destination;
	int rc = sock_address_parse(target->address, target->adapter->port, &destination, err);
	if (rc < 0)
		return rc;
	struct dl_error local = {0};
	s->fd = -1;
	rc = sock_tcp_connect(target->scope, &destination, sock_interface(target->scope),
			      deadline_ns, &s->fd, &local);
	if (rc == DL_ESCOPE || rc == DL_EINVAL) {
		if (err)
			*err = local;
		return rc;
	}
	if (rc < 0) {
		ssh_login_unreachable(out, "connect", local.message);
		return 0;
	}
	s->ssh = ssh_new();
	if (!s->ssh) {
		sock_close_reset(s->fd);
		s->fd = -1;
		return dl_error_set(err, DL_ENOMEM, "ssh-password: ssh_new: out of memory");
	}
	int verbosity = SSH_LOG_NOLOG;
	bool process_config = false; /* never ~/.ssh/config or /etc/ssh/ssh_config */
	long ms = login_remaining_ms(deadline_ns);
	long seconds = ms / 1000, microseconds = (ms % 1000) * 1000;
	if (ssh_options_set(s->ssh, SSH_OPTIONS_LOG_VERBOSITY, &verbosity) < 0 ||
	    ssh_options_set(s->ssh, SSH_OPTIONS_PROCESS_CONFIG, &process_config) < 0 ||
	    ssh_options_set(s->ssh, SSH_OPTIONS_HOST, target->address) < 0 ||
	    ssh_options_set(s->ssh, SSH_OPTIONS_KNOWNHOSTS, "/dev/null") < 0 ||
	    ssh_options_set(s->ssh, SSH_OPTIONS_GLOBAL_KNOWNHOSTS, "/dev/null") < 0 ||
	    ssh_options_set(s->ssh, SSH_OPTIONS_KEY_EXCHANGE, SSH_LOGIN_KEX) < 0 ||
	    ssh_options_set(s->ssh, SSH_OPTIONS_HOSTKEYS, SSH_LOGIN_HOSTKEYS) < 0 ||
	    ssh_options_set(s->ssh, SSH_OPTIONS_CIPHERS_C_S, SSH_LOGIN_CIPHERS) < 0 ||
	    ssh_options_set(s->ssh, SSH_OPTIONS_CIPHERS_S_C, SSH_LOGIN_CIPHERS) < 0 ||
	    ssh_options_set(s->ssh, SSH_OPTIONS_HMAC_C_S, SSH_LOGIN_MACS) < 0 ||
	    ssh_options_set(s->ssh, SSH_OPTIONS_HMAC_S_C, SSH_LOGIN_MACS) < 0 ||
	    ssh_options_set(s->ssh, SSH_OPTIONS_TIMEOUT, &seconds) < 0 ||
	    ssh_options_set(s->ssh, SSH_OPTIONS_TIMEOUT_USEC, &microseconds) < 0) {
		rc = dl_error_set(err, DL_EIO, "ssh-password: libssh refuses an option: %s",
				  ssh_get_error(s->ssh));
		ssh_free(s->ssh);
		s->ssh = NULL;
		sock_close_reset(s->fd);
		s->fd = -1;
		return rc;
	}
	if (ssh_options_set(s->ssh, SSH_OPTIONS_FD, &s->fd) < 0) {
		rc = dl_error_set(err, DL_EIO, "ssh-password: libssh refuses the socket: %s",
				  ssh_get_error(s->ssh));
		ssh_free(s->ssh);
		s->ssh = NULL;
		sock_close_reset(s->fd);
		s->fd = -1;
		return rc;
	}
	ssh_set_blocking(s->ssh, 1);
	if (ssh_connect(s->ssh) != SSH_OK) {
		ssh_login_unreachable(out, "ssh key exchange", ssh_get_error(s->ssh));
		ssh_login_release(s);
		return 0;
	}
	return 0;
}

/* The methods still offered, as a count and a list. */
static int ssh_login_methods(ssh_session ssh, char *list, size_t size)
{
	static const struct {
		int bit;
		const char *name;
	} methods[] = {{SSH_AUTH_METHOD_PASSWORD, "password"},
		       {SSH_AUTH_METHOD_PUBLICKEY, "publickey"},
		       {SSH_AUTH_METHOD_HOSTBASED, "hostbased"},
		       {SSH_AUTH_METHOD_INTERACTIVE, "keyboard-interactive"},
		       {SSH_AUTH_METHOD_GSSAPI_MIC, "gssapi-with-mic"}};
	int bits = ssh_userauth_list(ssh, NULL), count = 0;
	size_t used = 0;
	list[0] = '\0';
	for (size_t i = 0; i < DL_ARRAY_SIZE(methods); i++) {
		if (!(bits & methods[i].bit))
			continue;
		count++;
		int n = snprintf(list + used, size - used, "%s%s", used ? "," : "",
				 methods[i].name);
		if (n > 0 && used + (size_t)n < size)
			used += (size_t)n;
	}
	return count;
}

/* ---- authentication ---------------------------------------------------------- */

struct ssh_auth {
	const char *password;
	const char *new_password; /* NULL: stop at a change request */
	enum login_outcome outcome;
	bool change_seen;                        /* the server asked for a new password */
	bool new_sent;                           /* we answered it */
	char conversation[SSH_CONVERSATION_MAX]; /* names, instructions, prompts, as shown */
	int64_t sent_ns;                         /* when the password went */
	int64_t result_ns;                       /* when the verdict came */
};

static void ssh_auth_note(struct ssh_auth *a, const char *text)
{
	if (!text || !*text)
		return;
	size_t used = strlen(a->conversation);
	if (used + 2 < sizeof(a->conversation))
		snprintf(a->conversation + used, sizeof(a->conversation) - used, "%s%s",
			 used ? "\n" : "", text);
}

/* One keyboard-interactive info request: answer each prompt, or stop (false). */
static bool ssh_kbdint_answer(ssh_session ssh, struct ssh_auth *a)
{
	const char *name = ssh_userauth_kbdint_getname(ssh);
	const char *instruction = ssh_userauth_kbdint_getinstruction(ssh);
	ssh_auth_note(a, name);
	ssh_auth_note(a, instruction);
	if (login_text_change_required(name ? name : "") ||
	    login_text_change_required(instruction ? instruction : ""))
		a->change_seen = true;
	int prompts = ssh_userauth_kbdint_getnprompts(ssh);
	if (prompts < 0 || prompts > 8)
		return false;
	for (int i = 0; i < prompts; i++) {
		char echo = 0;
		const char *prompt = ssh_userauth_kbdint_getprompt(ssh, (unsigned)i, &echo);
		ssh_auth_note(a, prompt);
		enum login_prompt kind = login_prompt_kind(prompt ? prompt : "");
		const char *answer = NULL;
		switch (kind) {
		case LOGIN_PROMPT_NEW:
		case LOGIN_PROMPT_RETYPE:
			a->change_seen = true;
			if (!a->new_password)
				return false;
			if (kind == LOGIN_PROMPT_NEW && a->new_sent)
				return false; /* asked again: the new password was refused */
			a->new_sent = a->new_sent || kind == LOGIN_PROMPT_NEW;
			answer = a->new_password;
			break;
		case LOGIN_PROMPT_CURRENT:
			a->change_seen = true;
			if (!a->new_password)
				return false;
			answer = a->password;
			break;
		case LOGIN_PROMPT_PASSWORD:
			if (a->change_seen && !a->new_password)
				return false;
			answer = a->password;
			break;
		default:
			/* a question we cannot answer (an OTP, a menu) */
			return false;
		}
		if (ssh_userauth_kbdint_setanswer(ssh, (unsigned)i, answer) < 0)
			return false;
	}
	if (prompts > 0 && a->sent_ns == 0)
		a->sent_ns = sock_now_ns();
	return true;
}

static void ssh_auth_kbdint(ssh_session ssh, const char *username, struct ssh_auth *a)
{
	int rc = ssh_userauth_kbdint(ssh, username, NULL);
	for (int round = 0; rc == SSH_AUTH_INFO && round < SSH_KBDINT_ROUNDS_MAX; round++) {
		if (!ssh_kbdint_answer(ssh, a)) {
			a->result_ns = sock_now_ns();
			a->outcome = a->change_seen ? LOGIN_CHANGE_REQUIRED : LOGIN_REFUSED;
			if (a->new_sent)
				a->outcome = LOGIN_REFUSED; /* the new password was refused */
			return;
		}
		rc = ssh_userauth_kbdint(ssh, username, NULL);
	}
	a->result_ns = sock_now_ns();
	if (rc == SSH_AUTH_SUCCESS)
		a->outcome = LOGIN_ACCEPTED;
	else if (rc == SSH_AUTH_DENIED || rc == SSH_AUTH_PARTIAL || rc == SSH_AUTH_INFO)
		a->outcome = a->change_seen && !a->new_sent ? LOGIN_CHANGE_REQUIRED : LOGIN_REFUSED;
	else
		a->outcome = LOGIN_UNREACHABLE;
}

static void ssh_auth_password(ssh_session ssh, const char *username, struct ssh_auth *a)
{
	a->sent_ns = sock_now_ns();
	int rc = ssh_userauth_password(ssh, username, a->password);
	a->result_ns = sock_now_ns();
	if (rc == SSH_AUTH_SUCCESS)
		a->outcome = LOGIN_ACCEPTED;
	else if (rc == SSH_AUTH_DENIED || rc == SSH_AUTH_PARTIAL)
		a->outcome = LOGIN_REFUSED;
	else
		a->outcome = LOGIN_UNREACHABLE;
}

/* A pty and a shell on a new channel; false when the server refuses any of it. */
static bool ssh_login_shell(struct ssh_login_session *s, int64_t deadline_ns, struct dl_error *err)
{
	s->channel = ssh_channel_new(s->ssh);
	if (!s->channel || ssh_channel_open_session(s->channel) != SSH_OK ||
	    ssh_channel_request_pty_size(s->channel, "vt100", 200, 50) != SSH_OK ||
	    ssh_channel_request_shell(s->channel) != SSH_OK)
		return false;
	struct login_shell_io io = {s, ssh_login_read, ssh_login_write};
	if (login_shell_init(&s->shell, &io, &s->base.target, err) < 0)
		return false;
	/* the shell's first words: the motd, or "your password has expired" */
	login_shell_settle(&s->shell, SSH_BANNER_QUIET_MS, deadline_ns, err);
	return true;
}

static struct ssh_login_session *ssh_login_new(const struct login_target *target,
					       const char *username, struct dl_error *err)
{
	struct ssh_login_session *s = calloc(1, sizeof(*s));
	if (!s) {
		dl_error_set(err, DL_ENOMEM, "ssh-password: out of memory for a session");
		return NULL;
	}
	login_session_init(&s->base, &login_driver_ssh_password, target);
	s->fd = -1;
	text_copy(s->username, sizeof(s->username), username);
	return s;
}

static void ssh_login_close(struct login_session *session)
{
	struct ssh_login_session *s = (struct ssh_login_session *)session;
	if (!s)
		return;
	ssh_login_release(s);
	free(s);
}

/*
 * Connect and authenticate; with new_password the change-at-login
 * conversation is answered too. On ACCEPTED the session has its shell.
 */
static int ssh_login_authenticate(struct ssh_login_session *s, const char *password,
				  const char *new_password, int64_t deadline_ns,
				  struct login_response *out, struct ssh_auth *a,
				  struct dl_error *err)
{
	const struct login_target *target = &s->base.target;
	const char *secrets[] = {password, new_password};
	char line[LOGIN_EXCERPT_MAX + 64];
	out->encrypted = true;
	int rc = ssh_login_connect(s, deadline_ns, out, err);
	if (rc < 0 || !s->ssh)
		return rc;
	const char *banner = ssh_get_serverbanner(s->ssh);
	snprintf(line, sizeof(line), "connected to %s port %u: %s", target->address,
		 target->adapter->port, banner ? banner : "");
	login_transcript(target, "ssh", line, strlen(line), NULL, 0, err);
	a->password = password;
	a->new_password = new_password;
	a->outcome = LOGIN_UNREACHABLE;
	int none = ssh_userauth_none(s->ssh, s->username);
	char methods[128];
	ssh_login_methods(s->ssh, methods, sizeof(methods));
	int bits = ssh_userauth_list(s->ssh, NULL);
	if (none == SSH_AUTH_SUCCESS) {
		a->outcome = LOGIN_ACCEPTED; /* no authentication at all */
	} else if (none == SSH_AUTH_ERROR) {
		ssh_login_unreachable(out, "ssh userauth", ssh_get_error(s->ssh));
		return 0;
	} else if (bits & SSH_AUTH_METHOD_INTERACTIVE) {
		ssh_auth_kbdint(s->ssh, s->username, a);
		/* a server that runs PAM for the password method only */
		if (a->outcome == LOGIN_REFUSED && a->sent_ns == 0 &&
		    (ssh_userauth_list(s->ssh, NULL) & SSH_AUTH_METHOD_PASSWORD))
			ssh_auth_password(s->ssh, s->username, a);
	} else if (bits & SSH_AUTH_METHOD_PASSWORD) {
		ssh_auth_password(s->ssh, s->username, a);
	} else {
		a->outcome = LOGIN_REFUSED;
		ssh_auth_note(a, "the server offers neither keyboard-interactive nor password");
	}
	out->latency_ns = a->sent_ns && a->result_ns >= a->sent_ns ? a->result_ns - a->sent_ns : 0;
	out->outcome = a->outcome;
	char evidence[SSH_CONVERSATION_MAX + 256];
	if (a->outcome == LOGIN_REFUSED || a->outcome == LOGIN_CHANGE_REQUIRED) {
		out->status = ssh_login_methods(s->ssh, methods, sizeof(methods));
		snprintf(evidence, sizeof(evidence), "methods: %s\n%s", methods, a->conversation);
	} else {
		snprintf(evidence, sizeof(evidence), "%s", a->conversation);
	}
	login_transcript(target, "ssh authentication", evidence, strlen(evidence), secrets, 2, err);
	if (a->outcome != LOGIN_ACCEPTED) {
		login_excerpt(out->excerpt, sizeof(out->excerpt), evidence, strlen(evidence));
		login_fingerprint(out, out->status, NULL, 0, evidence, strlen(evidence));
		return 0;
	}
	if (!ssh_login_shell(s, deadline_ns, err)) {
		/* logged in, but no shell: a restricted account, an sftp-only one */
		out->outcome = LOGIN_ACCEPTED;
		snprintf(out->excerpt, sizeof(out->excerpt), "authenticated; no shell: %s",
			 ssh_get_error(s->ssh));
		login_fingerprint(out, 0, NULL, 0, out->excerpt, strlen(out->excerpt));
		return 0;
	}
	login_excerpt(out->excerpt, sizeof(out->excerpt), s->shell.screen, s->shell.length);
	login_fingerprint(out, 0, NULL, 0, s->shell.screen, s->shell.length);
	if (login_text_change_required(s->shell.screen))
		out->outcome = LOGIN_CHANGE_REQUIRED;
	return 0;
}

static int ssh_login_attempt(const struct login_target *target, const char *username,
			     const char *password, struct login_response *out,
			     struct login_session **session, struct dl_error *err)
{
	int64_t deadline_ns;
	int rc = login_deadline(target, &deadline_ns, err);
	if (rc < 0)
		return rc;
	struct ssh_login_session *s = ssh_login_new(target, username, err);
	if (!s)
		return DL_ENOMEM;
	struct ssh_auth *a = calloc(1, sizeof(*a));
	if (!a) {
		ssh_login_close(&s->base);
		return dl_error_set(err, DL_ENOMEM, "ssh-password: out of memory");
	}
	rc = ssh_login_authenticate(s, password, NULL, deadline_ns, out, a, err);
	free(a);
	if (rc == 0 && out->outcome == LOGIN_ACCEPTED && s->channel && session) {
		*session = &s->base;
		return 0;
	}
	if (rc == 0 && out->outcome == LOGIN_ACCEPTED && s->channel)
		login_shell_send_line(&s->shell, "exit", false, deadline_ns, err);
	ssh_login_close(&s->base);
	return rc;
}

static int ssh_login_logout(struct login_session *session, struct login_response *out,
			    struct dl_error *err)
{
	struct ssh_login_session *s = (struct ssh_login_session *)session;
	int64_t deadline_ns;
	int rc = login_deadline(&s->base.target, &deadline_ns, err);
	if (rc < 0)
		return rc;
	out->encrypted = true;
	if (!s->channel) {
		out->outcome = LOGIN_UNREACHABLE;
		return 0;
	}
	int64_t start = sock_now_ns();
	rc = login_shell_send_line(&s->shell, "exit", false, deadline_ns, err);
	if (rc < 0)
		return rc;
	/* the shell ends and sshd closes the channel */
	while (!s->shell.closed && sock_now_ns() < deadline_ns) {
		size_t got = 0;
		rc = login_shell_read(&s->shell, deadline_ns, &got, err);
		if (rc < 0)
			return rc;
	}
	out->latency_ns = sock_now_ns() - start;
	out->outcome = s->shell.closed ? LOGIN_ACCEPTED : LOGIN_UNREACHABLE;
	login_excerpt(out->excerpt, sizeof(out->excerpt), s->shell.screen, s->shell.length);
	return 0;
}

/* A command's verdict; a shell that is gone is REFUSED (the DUT ended the session). */
static int ssh_login_run(struct ssh_login_session *s, const char *command,
			 struct login_response *out, struct dl_error *err)
{
	int64_t deadline_ns;
	int rc = login_deadline(&s->base.target, &deadline_ns, err);
	if (rc < 0)
		return rc;
	out->encrypted = true;
	if (!s->channel) {
		out->outcome = LOGIN_REFUSED;
		snprintf(out->excerpt, sizeof(out->excerpt), "no shell in this session");
		return 0;
	}
	rc = login_shell_run(&s->shell, command, deadline_ns, out, err);
	if (rc == 0 && out->outcome == LOGIN_UNREACHABLE && s->shell.closed) {
		out->outcome = LOGIN_REFUSED;
		if (!out->excerpt[0])
			snprintf(out->excerpt, sizeof(out->excerpt),
				 "the server closed the channel");
	}
	login_fingerprint(out, out->status, NULL, 0, out->excerpt, strlen(out->excerpt));
	return rc;
}

static int ssh_login_probe(struct login_session *session, struct login_response *out,
			   struct dl_error *err)
{
	struct ssh_login_session *s = (struct ssh_login_session *)session;
	return ssh_login_run(s, login_option(s->base.target.adapter, "whoami", "id -un"), out, err);
}

static int ssh_login_perform(struct login_session *session, const struct profile_action *action,
			     struct login_response *out, struct dl_error *err)
{
	struct ssh_login_session *s = (struct ssh_login_session *)session;
	char command[1024];
	struct login_vars vars = {.username = s->username, .address = s->base.target.address};
	int rc = login_expand(action->request, &vars, LOGIN_RAW, command, sizeof(command), err);
	if (rc < 0)
		return dl_error_prefix(err, "actions.%s", action->name);
	return ssh_login_run(s, command, out, err);
}

/*
 * passwd in a shell; or, when the login itself asks for the change (an
 * expired password), that conversation: keyboard-interactive answers the
 * PAM prompts, and the password method's forced passwd in the session is
 * answered on the shell.
 */
static int ssh_login_change_password(const struct login_target *target, const char *username,
				     const char *old_password, const char *new_password,
				     struct login_response *out, struct dl_error *err)
{
	int64_t deadline_ns;
	int rc = login_deadline(target, &deadline_ns, err);
	if (rc < 0)
		return rc;
	struct ssh_login_session *s = ssh_login_new(target, username, err);
	if (!s)
		return DL_ENOMEM;
	struct ssh_auth *a = calloc(1, sizeof(*a));
	if (!a) {
		ssh_login_close(&s->base);
		return dl_error_set(err, DL_ENOMEM, "ssh-password: out of memory");
	}
	rc = ssh_login_authenticate(s, old_password, new_password, deadline_ns, out, a, err);
	if (rc < 0 || !s->ssh)
		goto out;
	if (a->new_sent) {
		/* changed (or not) during the login */
		out->outcome = a->outcome == LOGIN_ACCEPTED ? LOGIN_ACCEPTED : LOGIN_REFUSED;
		out->excerpt[0] = '\0';
		login_text_password_messages(a->conversation, out->excerpt, sizeof(out->excerpt));
		if (out->outcome == LOGIN_ACCEPTED && strcasestr(out->excerpt, "bad password"))
			snprintf(out->warning, sizeof(out->warning), "%s", out->excerpt);
		if (!out->excerpt[0])
			login_excerpt(out->excerpt, sizeof(out->excerpt), a->conversation,
				      strlen(a->conversation));
		if (out->outcome == LOGIN_ACCEPTED && s->channel)
			login_shell_send_line(&s->shell, "exit", false, deadline_ns, err);
		goto out;
	}
	if (out->outcome == LOGIN_CHANGE_REQUIRED && s->channel) {
		/* sshd's password method: passwd already runs in the session */
		rc = login_shell_passwd(&s->shell, NULL, NULL, old_password, new_password,
					deadline_ns, out, err);
		goto out;
	}
	if (out->outcome != LOGIN_ACCEPTED || !s->channel) {
		if (out->outcome == LOGIN_ACCEPTED)
			out->outcome = LOGIN_REFUSED; /* no shell to run passwd in */
		goto out;
	}
	memset(out->excerpt, 0, sizeof(out->excerpt));
	rc = login_shell_passwd(&s->shell, login_option(target->adapter, "passwd", "passwd"), NULL,
				old_password, new_password, deadline_ns, out, err);
	if (rc == 0 && !s->shell.closed)
		login_shell_send_line(&s->shell, "exit", false, deadline_ns, err);
out:
	out->encrypted = true;
	free(a);
	ssh_login_close(&s->base);
	return rc;
}

static int ssh_login_validate(const struct profile_adapter *adapter, struct dl_error *err)
{
	return login_check_timeout(adapter, err);
}

static unsigned ssh_login_capabilities(const struct profile_adapter *adapter)
{
	(void)adapter;
	return LOGIN_CAN_LOGOUT | LOGIN_CAN_PROBE | LOGIN_CAN_PERFORM | LOGIN_CAN_CHANGE_PASSWORD;
}

const struct login_driver login_driver_ssh_password = {
	.name = "ssh-password",
	.options = ssh_login_options,
	.validate = ssh_login_validate,
	.capabilities = ssh_login_capabilities,
	.attempt = ssh_login_attempt,
	.logout = ssh_login_logout,
	.probe = ssh_login_probe,
	.perform = ssh_login_perform,
	.close = ssh_login_close,
	.change_password = ssh_login_change_password,
};
