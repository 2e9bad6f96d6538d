/* test-login-http: login.h over the HTTP drivers against a canned local server, and login-common */
#include "core/compat.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <cmocka.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "adapters/login-common.h"
#include "adapters/login.h"
#include "core/error.h"
#include "core/profile.h"
#include "net/scope.h"

/* ---- a canned HTTP server: first matching rule answers, one request per connection ---- */

struct rule {
	const char *match;  /* substring of the request */
	const char *also;   /* a second one, or NULL */
	const char *answer; /* the whole response; Connection: close is added */
};

struct server {
	pid_t pid;
	uint16_t port;
	char log[64]; /* every request, appended */
};

static void serve_one(int fd, const struct rule *rules, const char *log)
{
	char request[16384];
	size_t used = 0;
	/* Headers, then Content-Length bytes of body. */
	while (used < sizeof(request) - 1) {
		ssize_t n = read(fd, request + used, sizeof(request) - 1 - used);
		if (n <= 0)
			break;
		used += (size_t)n;
		request[used] = '\0';
		char *end = strstr(request, "\r\n\r\n");
		if (!end)
			continue;
		const char *length = strcasestr(request, "Content-Length:");
		size_t body = length ? strtoul(length + 15, NULL, 10) : 0;
		if (used >= (size_t)(end + 4 - request) + body)
			break;
	}
	request[used] = '\0';
	FILE *f = fopen(log, "a");
	if (f) {
		fprintf(f, "%s\n----\n", request);
		fclose(f);
	}
	const char *answer = "HTTP/1.1 500 No Rule\r\nContent-Length: 0\r\n";
	for (const struct rule *r = rules; r->match; r++)
		if (strstr(request, r->match) && (!r->also || strstr(request, r->also))) {
			answer = r->answer;
			break;
		}
	/* The canned answer's head ends without the blank line: add Connection and it. */
	const char *split = strstr(answer, "\r\n\r\n");
	char out[8192];
	int n = split ? snprintf(out, sizeof(out), "%.*s\r\nConnection: close\r\n\r\n%s",
				 (int)(split - answer), answer, split + 4)
		      : snprintf(out, sizeof(out), "%sConnection: close\r\n\r\n", answer);
	if (write(fd, out, (size_t)n) < 0)
		_exit(3);
	shutdown(fd, SHUT_WR);
	char drain[256];
	while (read(fd, drain, sizeof(drain)) > 0)
		;
}

static void server_start(struct server *s, const struct rule *rules)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(fd >= 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t length = sizeof(a);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(fd, 16), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &length), 0);
	s->port = ntohs(a.sin_port);
	snprintf(s->log, sizeof(s->log), "/tmp/dutlab-test-login-XXXXXX");
	int log_fd = mkstemp(s->log);
	assert_true(log_fd >= 0);
	close(log_fd);
	fflush(NULL);
	s->pid = fork();
	assert_true(s->pid >= 0);
	if (s->pid == 0) {
		alarm(30); /* never outlive a broken test, nor hold the runner's output open */
		int null = open("/dev/null", O_WRONLY);
		dup2(null, STDOUT_FILENO);
		dup2(null, STDERR_FILENO);
		for (;;) {
			int c = accept(fd, NULL, NULL);
			if (c < 0)
				_exit(0);
			serve_one(c, rules, s->log);
			close(c);
		}
	}
	close(fd);
}

static void server_stop(struct server *s)
{
	kill(s->pid, SIGTERM);
	waitpid(s->pid, NULL, 0);
	unlink(s->log);
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	char *text = calloc(1, 256 * 1024);
	assert_non_null(text);
	size_t n = fread(text, 1, 256 * 1024 - 1, f);
	text[n] = '\0';
	fclose(f);
	return text;
}

/* ---- a profile in memory ---------------------------------------------------------- */

struct fixture {
	struct profile profile;
	struct profile_adapter adapter;
	struct login_target target;
	struct server server;
};

static void fixture_init(struct fixture *f, const char *driver, struct profile_option *options,
			 size_t option_count, struct profile_action *actions, size_t action_count,
			 const struct rule *rules)
{
	memset(f, 0, sizeof(*f));
	server_start(&f->server, rules);
	assert_int_equal(scope_add_network(&f->profile.scope, "127.0.0.0/8", NULL), 0);
	f->adapter = (struct profile_adapter){.name = "web",
					      .driver = (char *)driver,
					      .port = f->server.port,
					      .service_proto = "tcp",
					      .options = options,
					      .option_count = option_count,
					      .actions = actions,
					      .action_count = action_count};
	f->profile.adapters = &f->adapter;
	f->profile.adapter_count = 1;
	f->profile.auth.password_warning = "weak (password|choice)";
	f->target = (struct login_target){.profile = &f->profile,
					  .adapter = &f->adapter,
					  .scope = &f->profile.scope,
					  .address = "127.0.0.1"};
	struct dl_error err = {0};
	int rc = login_adapter_validate(&f->adapter, &err);
	if (rc)
		print_error("%s\n", err.message);
	assert_int_equal(rc, 0);
}

static void fixture_release(struct fixture *f)
{
	server_stop(&f->server);
	scope_release(&f->profile.scope);
}

/* ---- http-form ------------------------------------------------------------------------ */

static const char login_page[] =
	"HTTP/1.1 200 OK\r\nSet-Cookie: sid=anonymous; Path=/\r\nContent-Type: text/html\r\n\r\n"
	"<form method=post action=/login><input type=hidden name=csrf_token value=\"tok&amp;123\">"
	"<input name=user><input type=password name=pass></form>";

static const struct rule form_rules[] = {
	{"GET /login", NULL, login_page},
	{"POST /login", "pass=S3cret%21%20x&csrf_token=tok%26123",
	 "HTTP/1.1 302 Found\r\nLocation: /home\r\n"
	 "Set-Cookie: sid=SESSION0123456789abcdef; Path=/; HttpOnly\r\nContent-Length: 0\r\n\r\n"},
	{"POST /login", "pass=expired", "HTTP/1.1 200 OK\r\n\r\nYou must change your password"},
	{"POST /login", NULL, login_page}, /* the form again: refused */
	{"GET /whoami", "sid=SESSION0123456789abcdef", "HTTP/1.1 200 OK\r\n\r\nadmin"},
	{"GET /whoami", NULL, "HTTP/1.1 302 Found\r\nLocation: /login?next=/whoami\r\n\r\n"},
	{"GET /logout", NULL, "HTTP/1.1 302 Found\r\nLocation: /login\r\n\r\n"},
	{NULL, NULL, NULL},
};

static void test_http_form(void **state)
{
	(void)state;
	struct profile_option options[] = {
		{"login_url", "/login"},    {"username_field", "user"},
		{"password_field", "pass"}, {"csrf_field", "csrf_token"},
		{"session_cookie", "sid"},  {"whoami_url", "/whoami"},
		{"logout_url", "/logout"},  {"change_required_match", "must change"},
	};
	struct fixture f;
	fixture_init(&f, "http-form", options, DL_ARRAY_SIZE(options), NULL, 0, form_rules);
	unsigned caps = login_capabilities(&f.adapter);
	assert_true(caps & LOGIN_CAN_LOGOUT);
	assert_true(caps & LOGIN_CAN_PROBE);
	assert_true(caps & LOGIN_HAS_TOKEN);
	assert_false(caps & LOGIN_CAN_CHANGE_PASSWORD);
	assert_false(caps & LOGIN_CAN_PERFORM);

	struct login_response r;
	struct login_session *session = NULL;
	struct dl_error err = {0};
	int rc = login_attempt(&f.target, "ad min", "S3cret! x", &r, &session, &err);
	if (rc)
		print_error("%s\n", err.message);
	assert_int_equal(rc, 0);
	assert_int_equal(r.outcome, LOGIN_ACCEPTED);
	assert_int_equal(r.status, 302);
	assert_false(r.encrypted);
	assert_false(r.challenge_response);
	assert_non_null(session);
	assert_string_equal(login_session_token(session), "SESSION0123456789abcdef");
	/* The exchange is the POST as sent: the pre-login cookie, the CSRF token, the body. */
	assert_non_null(strstr(r.exchange, "POST /login HTTP/1.1\r\n"));
	assert_non_null(strstr(r.exchange, "Cookie: sid=anonymous"));
	assert_non_null(
		strstr(r.exchange, "user=ad%20min&pass=S3cret%21%20x&csrf_token=tok%26123"));
	assert_int_equal(strlen(r.fingerprint), 64);
	assert_true(r.latency_ns > 0);

	assert_int_equal(login_session_probe(session, &r, &err), 0);
	assert_int_equal(r.outcome, LOGIN_ACCEPTED);
	assert_string_equal(r.excerpt, "admin");
	assert_int_equal(login_logout(session, &r, &err), 0);
	assert_int_equal(r.status, 302);
	/* The server never ends the session: the token alone still works; a made-up one does not.
	 */
	assert_int_equal(login_token_probe(&f.target, "SESSION0123456789abcdef", &r, &err), 0);
	assert_int_equal(r.outcome, LOGIN_ACCEPTED);
	assert_int_equal(login_token_probe(&f.target, "SESSION0123456789abcdeX", &r, &err), 0);
	assert_int_equal(r.outcome, LOGIN_REFUSED); /* redirected to the login page */
	assert_int_equal(login_perform(session, "nothing", &r, &err), DL_ENOTFOUND);
	login_session_close(session);

	/* A wrong password gets the form again; an expired one is asked to change. */
	assert_int_equal(login_attempt(&f.target, "ad min", "wrong", &r, &session, &err), 0);
	assert_int_equal(r.outcome, LOGIN_REFUSED);
	assert_int_equal(r.status, 200);
	assert_null(session);
	assert_int_equal(login_attempt(&f.target, "ad min", "expired", &r, NULL, &err), 0);
	assert_int_equal(r.outcome, LOGIN_CHANGE_REQUIRED);
	assert_int_equal(login_change_password(&f.target, "a", "b", "c", &r, &err),
			 DL_EUNSUPPORTED);
	fixture_release(&f);
}

/* ---- http-json ------------------------------------------------------------------------- */

static const struct rule json_rules[] = {
	{"POST /api/login", "{\"user\":\"admin\",\"pass\":\"p\\\"q\"}",
	 "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n"
	 "{\"data\":{\"token\":\"eyJ0.abc.def\"}}"},
	{"POST /api/login", NULL, "HTTP/1.1 401 Unauthorized\r\n\r\n{\"error\":\"bad login\"}"},
	{"GET /api/me", "Authorization: Bearer eyJ0.abc.def", "HTTP/1.1 200 OK\r\n\r\n{}"},
	{"GET /api/me", NULL, "HTTP/1.1 401 Unauthorized\r\n\r\n"},
	{"POST /api/users", "{\"name\":\"dltmp\"}", "HTTP/1.1 403 Forbidden\r\n\r\nnot allowed"},
	{"POST /api/password", "\"new\":\"N3w pass\"",
	 "HTTP/1.1 200 OK\r\n\r\nchanged; warning: weak password, please choose another"},
	{NULL, NULL, NULL},
};

static void test_http_json(void **state)
{
	(void)state;
	struct profile_option options[] = {
		{"login_url", "/api/login"},
		{"body", "{\"user\":\"{username}\",\"pass\":\"{password}\"}"},
		{"token_json", "data.token"},
		{"whoami_url", "/api/me"},
		{"change_url", "/api/password"},
		{"change_body",
		 "{\"user\":\"{username}\",\"old\":\"{password}\",\"new\":\"{new_password}\"}"},
	};
	struct profile_action actions[] = {{"add_user", "POST /api/users {\"name\":\"dltmp\"}"}};
	struct fixture f;
	fixture_init(&f, "http-json", options, DL_ARRAY_SIZE(options), actions, 1, json_rules);
	struct login_response r;
	struct login_session *session = NULL;
	struct dl_error err = {0};
	assert_int_equal(login_attempt(&f.target, "admin", "p\"q", &r, &session, &err), 0);
	assert_int_equal(r.outcome, LOGIN_ACCEPTED);
	assert_string_equal(login_session_token(session), "eyJ0.abc.def");
	assert_int_equal(login_session_probe(session, &r, &err), 0);
	assert_int_equal(r.outcome, LOGIN_ACCEPTED);
	assert_int_equal(login_perform(session, "add_user", &r, &err), 0);
	assert_int_equal(r.outcome, LOGIN_REFUSED);
	assert_int_equal(r.status, 403);
	assert_string_equal(r.excerpt, "not allowed");
	login_session_close(session);
	assert_int_equal(login_attempt(&f.target, "admin", "wrong", &r, &session, &err), 0);
	assert_int_equal(r.outcome, LOGIN_REFUSED);
	assert_int_equal(r.status, 401);
	assert_int_equal(login_token_probe(&f.target, "eyJ0.abc.def", &r, &err), 0);
	assert_int_equal(r.outcome, LOGIN_ACCEPTED);

	/* A change the DUT accepts with a warning (auth.password_warning). */
	assert_int_equal(login_change_password(&f.target, "admin", "p\"q", "N3w pass", &r, &err),
			 0);
	assert_int_equal(r.outcome, LOGIN_ACCEPTED);
	assert_non_null(strstr(r.warning, "weak password"));
	fixture_release(&f);
}

/* ---- http-basic: replay, transcript, fingerprints ----------------------------------------- */

static const struct rule basic_rules[] = {
	/* base64("admin:S3cret!") */
	{"GET /basic/", "Authorization: Basic YWRtaW46UzNjcmV0IQ==",
	 "HTTP/1.1 200 OK\r\nDate: Tue, 25 Nov 2026 21:00:00 GMT\r\n\r\nwelcome 42"},
	{"GET /basic/", NULL,
	 "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"cam\"\r\n\r\ndenied"},
	{NULL, NULL, NULL},
};

static void test_http_basic(void **state)
{
	(void)state;
	struct profile_option options[] = {{"login_url", "/basic/"}};
	struct fixture f;
	fixture_init(&f, "http-basic", options, 1, NULL, 0, basic_rules);
	char transcript[] = "/tmp/dutlab-test-transcript-XXXXXX";
	int fd = mkstemp(transcript);
	assert_true(fd >= 0);
	close(fd);
	f.target.transcript_path = transcript;
	assert_int_equal(login_capabilities(&f.adapter), LOGIN_CAN_REPLAY);
	struct login_response r, replay, refused;
	struct dl_error err = {0};
	assert_int_equal(login_attempt(&f.target, "admin", "S3cret!", &r, NULL, &err), 0);
	assert_int_equal(r.outcome, LOGIN_ACCEPTED);
	assert_string_equal(r.excerpt, "welcome 42");
	assert_non_null(strstr(r.exchange, "Authorization: Basic YWRtaW46UzNjcmV0IQ=="));
	assert_int_equal(login_replay(&f.target, r.exchange, &replay, &err), 0);
	assert_int_equal(replay.outcome, LOGIN_ACCEPTED);
	assert_string_equal(replay.fingerprint, r.fingerprint);
	assert_int_equal(login_attempt(&f.target, "admin", "S3cret?", &refused, NULL, &err), 0);
	assert_int_equal(refused.outcome, LOGIN_REFUSED);
	assert_int_equal(refused.status, 401);
	assert_string_not_equal(refused.fingerprint, r.fingerprint);
	/* The transcript has both exchanges, and neither the password nor its base64. */
	char *text = slurp(transcript);
	assert_non_null(strstr(text, "Authorization: Basic ********************\n"));
	assert_non_null(strstr(text, "web http-basic: login, sent"));
	assert_non_null(strstr(text, "replay: answer 200"));
	assert_null(strstr(text, "S3cret!"));
	assert_null(strstr(text, "YWRtaW46UzNjcmV0IQ=="));
	free(text);
	unlink(transcript);
	assert_int_equal(login_token_probe(&f.target, "x", &r, &err), DL_EUNSUPPORTED);
	/* A digest adapter on a Basic-only server: refused, and the excerpt says why. */
	f.adapter.driver = "http-digest";
	assert_int_equal(login_attempt(&f.target, "admin", "S3cret!", &r, NULL, &err), 0);
	assert_int_equal(r.outcome, LOGIN_REFUSED);
	assert_string_equal(r.excerpt, "no Digest challenge; the DUT offers Basic");
	assert_false(r.challenge_response);
	f.adapter.driver = "http-basic";
	/* A port nobody listens on: unreachable, not an error. */
	f.adapter.port = 1;
	assert_int_equal(login_attempt(&f.target, "admin", "S3cret!", &r, NULL, &err), 0);
	assert_int_equal(r.outcome, LOGIN_UNREACHABLE);
	assert_int_equal(r.status, 0);
	/* An address outside the scope: dutlab's error, not the DUT's answer. */
	f.target.address = "198.18.1.2";
	assert_int_equal(login_attempt(&f.target, "admin", "S3cret!", &r, NULL, &err), DL_ESCOPE);
	fixture_release(&f);
}

/* http-basic with a session cookie: after the login the session is the cookie alone. */
static const struct rule cookie_rules[] = {
	{"GET /basic/", "Authorization: Basic YWRtaW46UzNjcmV0IQ==",
	 "HTTP/1.1 200 OK\r\nSet-Cookie: sid=COOKIE123; Path=/\r\n\r\nwelcome"},
	{"GET /whoami", "Authorization:", "HTTP/1.1 500 Credentials Sent Again\r\n\r\n"},
	{"GET /whoami", "Cookie: sid=COOKIE123", "HTTP/1.1 200 OK\r\n\r\nadmin"},
	{"GET /", NULL, "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"x\"\r\n\r\n"},
	{NULL, NULL, NULL},
};

static void test_http_basic_cookie(void **state)
{
	(void)state;
	struct profile_option options[] = {
		{"login_url", "/basic/"}, {"session_cookie", "sid"}, {"whoami_url", "/whoami"}};
	struct fixture f;
	fixture_init(&f, "http-basic", options, DL_ARRAY_SIZE(options), NULL, 0, cookie_rules);
	assert_true(login_capabilities(&f.adapter) & LOGIN_HAS_TOKEN);
	struct login_response r;
	struct login_session *session = NULL;
	struct dl_error err = {0};
	assert_int_equal(login_attempt(&f.target, "admin", "S3cret!", &r, &session, &err), 0);
	assert_int_equal(r.outcome, LOGIN_ACCEPTED);
	assert_string_equal(login_session_token(session), "COOKIE123");
	assert_int_equal(login_session_probe(session, &r, &err), 0);
	assert_int_equal(r.status, 200); /* not 500: no Authorization in the probe */
	assert_int_equal(r.outcome, LOGIN_ACCEPTED);
	login_session_close(session);
	fixture_release(&f);
}

/* ---- what the drivers share ------------------------------------------------------------------ */

static void test_normalise_and_fingerprint(void **state)
{
	(void)state;
	char out[256];
	static const char text[] =
		"id 12345 at deadbeefdeadbeef01 tok QWxhZGRpbjpvcGVuIHNlc2FtZQ== end";
	login_normalise(text, strlen(text), out, sizeof(out));
	assert_string_equal(out, "id # at <hex> tok <b64> end");
	login_normalise("abc", 3, out, 3);
	assert_string_equal(out, "ab");

	struct login_response a, b, c;
	static const char head1[] =
		"HTTP/1.1 401 Unauthorized\r\nDate: Tue, 25 Nov 2026 21:00:00 GMT\r\n"
		"WWW-Authenticate: Digest realm=\"x\", nonce=\"6b075318:5c93a7e0\", "
		"qop=\"auth\"\r\n"
		"Set-Cookie: s=1\r\nContent-Length: 10\r\n";
	static const char head2[] =
		"HTTP/1.1 401 Unauthorized\r\ndate: Tue, 25 Nov 2026 21:00:07 GMT\r\n"
		"WWW-Authenticate: Digest realm=\"x\", nonce=\"6b07531a:99\", qop=\"auth\"\r\n"
		"Set-Cookie: s=2\r\nContent-Length: 11\r\n";
	login_fingerprint(&a, 401, head1, strlen(head1), "denied 1", 8);
	login_fingerprint(&b, 401, head2, strlen(head2), "denied 22", 9);
	assert_string_equal(a.fingerprint, b.fingerprint);
	login_fingerprint(&c, 401, head2, strlen(head2), "unknown user", 12);
	assert_string_not_equal(a.fingerprint, c.fingerprint);
	login_fingerprint(&c, 403, head1, strlen(head1), "denied 1", 8);
	assert_string_not_equal(a.fingerprint, c.fingerprint);
	static const char realm[] = "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Digest "
				    "realm=\"y\", nonce=\"6b075318:5c93a7e0\", qop=\"auth\"\r\n";
	login_fingerprint(&c, 401, realm, strlen(realm), "denied 1", 8);
	assert_string_not_equal(a.fingerprint, c.fingerprint);

	static const char page[] = "  <p>\tLogin\r\n failed\x01\xff</p>  ";
	login_excerpt(out, sizeof(out), page, strlen(page));
	assert_string_equal(out, "<p> Login failed..</p>");
	login_excerpt(out, 6, "abcdefgh", 8);
	assert_string_equal(out, "abcde");
}

static void test_expand(void **state)
{
	(void)state;
	char out[128];
	struct dl_error err = {0};
	struct login_vars vars = {.username = "a b", .password = "p\"&<\\", .token = "t"};
	assert_int_equal(login_expand("u={username}&p={password}&{other}", &vars, LOGIN_URL, out,
				      sizeof(out), &err),
			 0);
	assert_string_equal(out, "u=a%20b&p=p%22%26%3C%5C&{other}");
	assert_int_equal(
		login_expand("{\"p\":\"{password}\"}", &vars, LOGIN_JSON, out, sizeof(out), &err),
		0);
	assert_string_equal(out, "{\"p\":\"p\\\"&<\\\\\"}");
	assert_int_equal(
		login_expand("<p>{password}</p>", &vars, LOGIN_XML, out, sizeof(out), &err), 0);
	assert_string_equal(out, "<p>p&quot;&amp;&lt;\\</p>");
	assert_int_equal(login_expand("{new_password}", &vars, LOGIN_RAW, out, sizeof(out), &err),
			 DL_EINVAL);
	assert_int_equal(login_expand("{username}{username}", &vars, LOGIN_RAW, out, 5, &err),
			 DL_ENOMEM);
	char b64[16];
	assert_true(login_base64("admin:x", 7, b64, sizeof(b64)));
	assert_string_equal(b64, "YWRtaW46eA==");
	assert_false(login_base64("admin:x", 7, b64, 12));
	assert_int_equal(login_match("^HTTP/1.1 2", "HTTP/1.1 200 OK", &err), 1);
	assert_int_equal(login_match("denied", "HTTP/1.1 200 OK", &err), 0);
	assert_int_equal(login_match("[", "x", &err), DL_EINVAL);
}

/* login_adapter_validate: "options.NAME: found X; expected Y". */
static void test_validate(void **state)
{
	(void)state;
	static const struct {
		const char *driver;
		struct profile_option options[3];
		size_t count;
		const char *phrase;
	} cases[] = {
		{"http-basic",
		 {{"login_url", "/"}, {"logn_url", "/x"}},
		 2,
		 "options.logn_url: found an option the http-basic driver does not know"},
		{"http-digest", {{"tls", "yes"}}, 1, "options.login_url: found nothing"},
		{"http-digest",
		 {{"login_url", "/"}, {"tls", "yes"}},
		 2,
		 "options.tls: found 'yes'; expected \"true\" or \"false\""},
		{"http-basic", {{"login_url", "login"}}, 1, "options.login_url: found 'login'"},
		{"http-basic",
		 {{"login_url", "/"}, {"timeout", "0"}},
		 2,
		 "options.timeout: found '0'; expected seconds from 1 to 300"},
		{"http-basic",
		 {{"login_url", "/"}, {"success_match", "(a"}},
		 2,
		 "options.success_match: found '(a', which does not compile"},
		{"http-form",
		 {{"login_url", "/"}, {"password_field", "p"}},
		 2,
		 "options.username_field: found nothing"},
		{"http-json", {{"login_url", "/"}}, 1, "options.body: found nothing"},
		{"http-json",
		 {{"login_url", "/"}, {"body", "{\"u\":\"{user}\"}"}},
		 2,
		 "options.body: found the placeholder '{user}'"},
		{"http-basic",
		 {{"login_url", "/"}, {"logout_method", "PUT"}},
		 2,
		 "options.logout_method: found 'PUT'; expected GET or POST"},
		{"http-basic",
		 {{"login_url", "/"}, {"change_body", "x={new_password}"}},
		 2,
		 "options.change_url: found nothing"},
		{"ftp", {{"login_url", "/"}}, 1, "driver: found 'ftp'; expected http-form,"},
	};
	for (size_t i = 0; i < DL_ARRAY_SIZE(cases); i++) {
		struct profile_adapter a = {.name = "web",
					    .driver = (char *)cases[i].driver,
					    .port = 80,
					    .options = (struct profile_option *)cases[i].options,
					    .option_count = cases[i].count};
		struct dl_error err = {0};
		assert_int_equal(login_adapter_validate(&a, &err), DL_EINVAL);
		if (!strstr(err.message, cases[i].phrase))
			print_error("case %zu: %s\n", i, err.message);
		assert_non_null(strstr(err.message, cases[i].phrase));
	}
	struct profile_action bad = {"list", "users please"};
	struct profile_option url = {"login_url", "/"};
	struct profile_adapter a = {.name = "web",
				    .driver = "http-basic",
				    .port = 80,
				    .options = &url,
				    .option_count = 1,
				    .actions = &bad,
				    .action_count = 1};
	struct dl_error err = {0};
	assert_int_equal(login_adapter_validate(&a, &err), DL_EINVAL);
	assert_non_null(strstr(err.message, "actions.list: found 'users please'"));
	a.action_count = 0;
	a.port = 0;
	assert_int_equal(login_adapter_validate(&a, &err), DL_EINVAL);
	assert_non_null(strstr(err.message, "port: found nothing"));

	/* login_adapters lists the login drivers in profile order, not exec. */
	struct profile_adapter list[3] = {
		{.name = "lab", .driver = "exec"},
		{.name = "web", .driver = "http-basic", .port = 80},
		{.name = "api", .driver = "http-json", .port = 443},
	};
	struct profile p = {.adapters = list, .adapter_count = 3};
	const struct profile_adapter *found[1];
	assert_int_equal(login_adapters(&p, found, 1), 2);
	assert_ptr_equal(found[0], &list[1]);
	assert_true(login_driver_known("http-digest"));
	assert_false(login_driver_known("exec"));
	char names[256];
	login_driver_names(names, sizeof(names));
	assert_non_null(strstr(names, "http-form, http-basic, http-digest, http-json"));
	assert_string_equal(login_outcome_name(LOGIN_CHANGE_REQUIRED), "change_required");
	struct login_response r;
	assert_int_equal(login_attempt(NULL, "u", "p", &r, NULL, &err), DL_EINVAL);
	assert_int_equal(r.outcome, LOGIN_UNREACHABLE);
	assert_null(login_session_token(NULL));
	login_session_close(NULL);
}

int main(void)
{
	signal(SIGPIPE, SIG_IGN);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_normalise_and_fingerprint),
		cmocka_unit_test(test_expand),
		cmocka_unit_test(test_validate),
		cmocka_unit_test(test_http_form),
		cmocka_unit_test(test_http_json),
		cmocka_unit_test(test_http_basic),
		cmocka_unit_test(test_http_basic_cookie),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
