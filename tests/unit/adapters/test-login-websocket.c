/* test-login-websocket: the HTTP drivers' WebSocket logout against a scripted local server */
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

#include "adapters/login-websocket.h"
#include "adapters/login.h"
#include "core/error.h"
#include "core/profile.h"
#include "net/scope.h"
#include "proto/websocket.h"

/* ---- the option ------------------------------------------------------------------------ */

static void test_messages(void **state)
{
	(void)state;
	struct login_websocket_messages *m = malloc(sizeof(*m));
	assert_non_null(m);
	struct dl_error err = {0};
	assert_int_equal(login_websocket_messages("\\n{\"command\":\"init\",\"version\":1} | "
						  "\\n{\"command\":\"logout\",\"disconnect\":true}",
						  m, &err),
			 0);
	assert_int_equal(m->count, 2);
	assert_string_equal(m->text[0], "\n{\"command\":\"init\",\"version\":1}");
	assert_int_equal(m->length[0], strlen(m->text[0]));
	assert_string_equal(m->text[1], "\n{\"command\":\"logout\",\"disconnect\":true}");
	/* escapes, and an escaped space at an end is kept */
	assert_int_equal(login_websocket_messages("a\\|b\\\\c\\t\\r| x y\\ ", m, &err), DL_EINVAL);
	assert_int_equal(login_websocket_messages("a\\|b\\\\c\\t\\r|x y ", m, &err), 0);
	assert_int_equal(m->count, 2);
	assert_string_equal(m->text[0], "a|b\\c\t\r");
	assert_string_equal(m->text[1], "x y");
	assert_int_equal(login_websocket_messages("\xe7\x99\xbb\xe5\x87\xba", m, &err), 0);
	/* refused: another escape (JSON's \"), an empty message, 9 messages, too long, not UTF-8 */
	static const char *const bad[] = {"{\"a\":\"\\\"\"}",  "a||b",    "a|", "|a", "", "   ",
					  "a|b|c|d|e|f|g|h|i", "\xc0\x80"};
	for (size_t i = 0; i < DL_ARRAY_SIZE(bad); i++) {
		assert_int_equal(login_websocket_messages(bad[i], m, &err), DL_EINVAL);
		assert_non_null(strstr(err.message, "options.logout_websocket_send: found '"));
	}
	char *text = malloc(5000);
	assert_non_null(text);
	memset(text, 'x', 4999);
	text[4999] = '\0';
	assert_int_equal(login_websocket_messages(text, m, &err), DL_EINVAL);
	assert_non_null(strstr(err.message, "over 4096 bytes"));
	free(text);
	free(m);
}

/* A valid logout_websocket_send. */
#define SEND "\\n{\"command\":\"logout\"}"

static void test_validate(void **state)
{
	(void)state;
	static const struct {
		struct profile_option options[5];
		size_t count;
		const char *phrase; /* NULL: valid */
	} cases[] = {
		{{{"login_url", "/"},
		  {"session_cookie", "sid"},
		  {"logout_websocket", "/ws"},
		  {"logout_websocket_protocol", "cockpit1"},
		  {"logout_websocket_send", SEND}},
		 5,
		 NULL},
		{{{"login_url", "/"}, {"session_cookie", "sid"}, {"logout_websocket_send", SEND}},
		 3,
		 "options.logout_websocket: found nothing beside logout_websocket_send"},
		{{{"login_url", "/"}, {"session_cookie", "sid"}, {"logout_websocket", "/ws"}},
		 3,
		 "options.logout_websocket_send: found nothing"},
		{{{"login_url", "/"}, {"logout_websocket", "/ws"}, {"logout_websocket_send", SEND}},
		 3,
		 "options.session_cookie: found nothing"},
		{{{"login_url", "/"},
		  {"session_cookie", "sid"},
		  {"logout_websocket", "ws"},
		  {"logout_websocket_send", SEND}},
		 4,
		 "options.logout_websocket: found 'ws'"},
		{{{"login_url", "/"},
		  {"session_cookie", "sid"},
		  {"logout_websocket", "/ws"},
		  {"logout_url", "/logout"},
		  {"logout_websocket_send", SEND}},
		 5,
		 "options.logout_websocket: found it beside logout_url"},
		{{{"login_url", "/"},
		  {"session_cookie", "sid"},
		  {"logout_websocket", "/ws"},
		  {"logout_websocket_protocol", "a, b"},
		  {"logout_websocket_send", SEND}},
		 5,
		 "options.logout_websocket_protocol: found 'a, b'"},
		{{{"login_url", "/"},
		  {"session_cookie", "sid"},
		  {"logout_websocket", "/ws"},
		  {"logout_websocket_send", "a\\qb"}},
		 4,
		 "options.logout_websocket_send: found 'a\\qb' (an unknown escape)"},
	};
	for (size_t i = 0; i < DL_ARRAY_SIZE(cases); i++) {
		struct profile_adapter a = {.name = "web",
					    .driver = "http-basic",
					    .port = 80,
					    .service_proto = "tcp",
					    .options = (struct profile_option *)cases[i].options,
					    .option_count = cases[i].count};
		struct dl_error err = {0};
		int rc = login_adapter_validate(&a, &err);
		if (!cases[i].phrase) {
			assert_int_equal(rc, 0);
			assert_true(login_capabilities(&a) & LOGIN_CAN_LOGOUT);
			continue;
		}
		if (rc != DL_EINVAL || !strstr(err.message, cases[i].phrase))
			print_error("case %zu: %d %s\n", i, rc, err.message);
		assert_int_equal(rc, DL_EINVAL);
		assert_non_null(strstr(err.message, cases[i].phrase));
	}
}

/* ---- a scripted server: HTTP Basic login with a cookie, and a WebSocket -------------------- */

enum script {
	SCRIPT_COCKPIT,    /* init, a ping, then close 1001 at the logout message */
	SCRIPT_FRAGMENTS,  /* init in three fragments with a ping between, close without a code */
	SCRIPT_SILENT,     /* says nothing first; ends the connection after two messages */
	SCRIPT_FORBIDDEN,  /* 403 to the upgrade */
	SCRIPT_BAD_ACCEPT, /* 101 with a wrong Sec-WebSocket-Accept */
	SCRIPT_POLICY,     /* init, then close 1008 at the first message */
	SCRIPT_MASKED,     /* a masked frame: servers must not mask */
};

struct server {
	pid_t pid;
	uint16_t port;
	char log[64]; /* what the client sent on the WebSocket, unmasked, one line per frame */
};

static bool read_exact(int fd, uint8_t *out, size_t n)
{
	size_t got = 0;
	while (got < n) {
		ssize_t k = read(fd, out + got, n - got);
		if (k <= 0)
			return false;
		got += (size_t)k;
	}
	return true;
}

/* One client frame: it must be masked; its payload unmasked into out. */
static bool client_frame(int fd, uint8_t *opcode, uint8_t *out, size_t *length, FILE *log)
{
	uint8_t head[2], ext[8], mask[4];
	if (!read_exact(fd, head, 2))
		return false;
	uint64_t n = head[1] & 0x7f;
	if (n == 126 && read_exact(fd, ext, 2))
		n = (uint64_t)ext[0] << 8 | ext[1];
	else if (n == 127)
		return false;
	if (!(head[1] & 0x80)) {
		fprintf(log, "UNMASKED\n");
		return false;
	}
	if (n > 4096 || !read_exact(fd, mask, 4) || !read_exact(fd, out, (size_t)n))
		return false;
	for (size_t i = 0; i < n; i++)
		out[i] ^= mask[i & 3];
	*opcode = head[0] & 0x0f;
	*length = (size_t)n;
	fprintf(log, "%02x %.*s\n", head[0], (int)n, (const char *)out);
	fflush(log);
	return true;
}

static void put(int fd, const void *data, size_t n)
{
	if (write(fd, data, n) != (ssize_t)n)
		_exit(3);
}

static void websocket(int fd, const char *request, enum script script, FILE *log, bool *logged_out)
{
	const char *key = strstr(request, "Sec-WebSocket-Key: ");
	char accept[WEBSOCKET_ACCEPT_LENGTH + 1], reply[512];
	char k[WEBSOCKET_KEY_LENGTH + 1];
	if (!key)
		_exit(4);
	snprintf(k, sizeof(k), "%.24s", key + 19);
	if (websocket_accept(k, accept, NULL) != 0)
		_exit(5);
	fprintf(log, "REQUEST %s\n", strstr(request, "Cookie: sid=COOKIE123") ? "cookie" : "none");
	fprintf(log, "ORIGIN %s\n",
		strstr(request, "\r\nOrigin: http://127.0.0.1:") ? "yes" : "no");
	if (script == SCRIPT_FORBIDDEN) {
		static const char no[] = "HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n";
		put(fd, no, sizeof(no) - 1);
		return;
	}
	if (script == SCRIPT_BAD_ACCEPT)
		accept[3] = accept[3] == 'A' ? 'B' : 'A';
	int n = snprintf(reply, sizeof(reply),
			 "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
			 "Connection: Upgrade\r\nSec-WebSocket-Accept: %s\r\n"
			 "Sec-WebSocket-Protocol: cockpit1\r\n\r\n",
			 accept);
	put(fd, reply, (size_t)n);
	static const uint8_t init[] = "\x81\x13\n{\"command\":\"init\"}";
	static const uint8_t ping[] = "\x89\x04ping";
	static const uint8_t fragments[] = "\x01\x05\n{\"co\x89\x01p\x00\x05mmand\x80\x06\":\"x\"}"
					   "\x89\x00";
	if (script == SCRIPT_MASKED) {
		static const uint8_t masked[] = {0x81, 0x81, 1, 2, 3, 4, 'x' ^ 1};
		put(fd, masked, sizeof(masked));
	} else if (script == SCRIPT_FRAGMENTS) {
		put(fd, fragments, sizeof(fragments) - 1);
	} else if (script != SCRIPT_SILENT) {
		put(fd, init, sizeof(init) - 1);
		if (script == SCRIPT_COCKPIT)
			put(fd, ping, sizeof(ping) - 1);
	}
	uint8_t payload[4096];
	size_t length;
	uint8_t opcode;
	int messages = 0;
	while (client_frame(fd, &opcode, payload, &length, log)) {
		if (opcode == WEBSOCKET_OP_CLOSE)
			break;
		if (opcode != WEBSOCKET_OP_TEXT)
			continue;
		messages++;
		if (script == SCRIPT_POLICY) {
			static const uint8_t policy[] = "\x88\x08\x03\xf0policy";
			put(fd, policy, sizeof(policy) - 1);
		} else if (memmem(payload, length, "logout", 6)) {
			*logged_out = true;
			if (script == SCRIPT_COCKPIT) {
				static const uint8_t bye[] = "\x88\x0c\x03\xe9terminated";
				put(fd, bye, sizeof(bye) - 1);
			} else if (script == SCRIPT_FRAGMENTS) {
				put(fd, "\x88\x00", 2);
			} else {
				return; /* SCRIPT_SILENT: the connection just ends */
			}
		}
	}
	(void)messages;
}

static void serve(int listener, enum script script, const char *log_path)
{
	FILE *log = fopen(log_path, "a");
	if (!log)
		_exit(2);
	bool logged_out = false;
	for (;;) {
		int fd = accept(listener, NULL, NULL);
		if (fd < 0)
			_exit(0);
		char request[8192];
		size_t used = 0;
		while (used < sizeof(request) - 1) {
			ssize_t n = read(fd, request + used, sizeof(request) - 1 - used);
			if (n <= 0)
				break;
			used += (size_t)n;
			request[used] = '\0';
			if (strstr(request, "\r\n\r\n"))
				break;
		}
		request[used] = '\0';
		const char *answer = "HTTP/1.1 401 Unauthorized\r\nConnection: "
				     "close\r\nContent-Length: 0\r\n\r\n";
		if (strstr(request, "Upgrade: websocket")) {
			websocket(fd, request, script, log, &logged_out);
			answer = NULL;
		} else if (strstr(request, "GET /login") &&
			   strstr(request, "Authorization: Basic YWRtaW46UzNjcmV0IQ==")) {
			answer = "HTTP/1.1 200 OK\r\nSet-Cookie: sid=COOKIE123; "
				 "Path=/\r\nConnection: close\r\n"
				 "Content-Length: 7\r\n\r\nwelcome";
		} else if (strstr(request, "GET /whoami") && strstr(request, "sid=COOKIE123") &&
			   !logged_out) {
			answer = "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: "
				 "5\r\n\r\nadmin";
		}
		if (answer)
			put(fd, answer, strlen(answer));
		shutdown(fd, SHUT_WR);
		char drain[256];
		while (read(fd, drain, sizeof(drain)) > 0)
			;
		close(fd);
	}
}

static void server_start(struct server *s, enum script script)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(fd >= 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t length = sizeof(a);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(fd, 16), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &length), 0);
	s->port = ntohs(a.sin_port);
	snprintf(s->log, sizeof(s->log), "/tmp/dutlab-test-websocket-XXXXXX");
	int log_fd = mkstemp(s->log);
	assert_true(log_fd >= 0);
	close(log_fd);
	fflush(NULL);
	s->pid = fork();
	assert_true(s->pid >= 0);
	if (s->pid == 0) {
		alarm(30); /* never outlive a broken test */
		int null = open("/dev/null", O_WRONLY);
		dup2(null, STDOUT_FILENO);
		dup2(null, STDERR_FILENO);
		serve(fd, script, s->log);
	}
	close(fd);
}

static char *server_stop(struct server *s)
{
	kill(s->pid, SIGTERM);
	waitpid(s->pid, NULL, 0);
	FILE *f = fopen(s->log, "rb");
	assert_non_null(f);
	char *text = calloc(1, 65536);
	assert_non_null(text);
	size_t n = fread(text, 1, 65535, f);
	text[n] = '\0';
	fclose(f);
	unlink(s->log);
	return text;
}

struct run {
	struct login_response login, logout, token;
	char *log;
};

/* Log in (http-basic, cookie sid), log out over the WebSocket, present the token alone. */
static void run_script(enum script script, struct run *out)
{
	struct profile profile;
	memset(&profile, 0, sizeof(profile));
	struct server server;
	server_start(&server, script);
	assert_int_equal(scope_add_network(&profile.scope, "127.0.0.0/8", NULL), 0);
	struct profile_option options[] = {
		{"login_url", "/login"},
		{"session_cookie", "sid"},
		{"whoami_url", "/whoami"},
		{"logout_websocket", "/socket"},
		{"logout_websocket_protocol", "cockpit1"},
		{"logout_websocket_send",
		 "\\n{\"command\":\"init\"} | \\n{\"command\":\"logout\"}"},
		{"timeout", "8"},
	};
	struct profile_adapter adapter = {.name = "web",
					  .driver = "http-basic",
					  .port = server.port,
					  .service_proto = "tcp",
					  .options = options,
					  .option_count = DL_ARRAY_SIZE(options)};
	profile.adapters = &adapter;
	profile.adapter_count = 1;
	struct login_target target = {.profile = &profile,
				      .adapter = &adapter,
				      .scope = &profile.scope,
				      .address = "127.0.0.1"};
	struct dl_error err = {0};
	assert_int_equal(login_adapter_validate(&adapter, &err), 0);
	struct login_session *session = NULL;
	assert_int_equal(login_attempt(&target, "admin", "S3cret!", &out->login, &session, &err),
			 0);
	assert_int_equal(out->login.outcome, LOGIN_ACCEPTED);
	assert_non_null(session);
	assert_string_equal(login_session_token(session), "COOKIE123");
	int rc = login_logout(session, &out->logout, &err);
	if (rc)
		print_error("%s\n", err.message);
	assert_int_equal(rc, 0);
	login_session_close(session);
	assert_int_equal(login_token_probe(&target, "COOKIE123", &out->token, &err), 0);
	out->log = server_stop(&server);
	scope_release(&profile.scope);
}

static void test_cockpit(void **state)
{
	(void)state;
	struct run r;
	run_script(SCRIPT_COCKPIT, &r);
	assert_int_equal(r.logout.outcome, LOGIN_ACCEPTED);
	assert_int_equal(r.logout.status, 101);
	assert_false(r.logout.encrypted);
	assert_non_null(strstr(r.logout.excerpt, "101 cockpit1; sent 2 of 2 messages; the DUT "
						 "closed with 1001 'terminated'"));
	assert_non_null(strstr(r.logout.excerpt, "its first message: {\"command\":\"init\"}"));
	/* the cookie and Origin went with the upgrade; the ping was answered with its payload;
	 * the messages went masked, in order; the close was echoed */
	assert_non_null(strstr(r.log, "REQUEST cookie\nORIGIN yes\n"
				      "81 \n{\"command\":\"init\"}\n"
				      "81 \n{\"command\":\"logout\"}\n"
				      "8a ping\n"
				      "88 \x03\xe9\n"));
	assert_null(strstr(r.log, "UNMASKED"));
	assert_int_equal(r.token.outcome, LOGIN_REFUSED);
	assert_int_equal(r.token.status, 401);
	free(r.log);
}

static void test_fragments(void **state)
{
	(void)state;
	struct run r;
	run_script(SCRIPT_FRAGMENTS, &r);
	assert_int_equal(r.logout.outcome, LOGIN_ACCEPTED);
	assert_non_null(strstr(r.logout.excerpt, "the DUT closed without a code"));
	assert_non_null(strstr(r.logout.excerpt, "its first message: {\"command\":\"x\"}"));
	assert_non_null(strstr(r.log, "8a p\n81 \n{\"command\":\"init\"}\n"
				      "81 \n{\"command\":\"logout\"}\n8a \n88 \n"));
	assert_int_equal(r.token.outcome, LOGIN_REFUSED);
	free(r.log);
}

static void test_silent(void **state)
{
	(void)state;
	struct run r;
	run_script(SCRIPT_SILENT, &r);
	assert_int_equal(r.logout.outcome, LOGIN_ACCEPTED);
	assert_non_null(strstr(r.logout.excerpt, "the DUT ended the connection without a close "
						 "frame"));
	assert_non_null(strstr(r.logout.excerpt, "the DUT said nothing first"));
	assert_true(r.logout.latency_ns >= 2900000000LL); /* the 3 s wait for a first message */
	assert_int_equal(r.token.outcome, LOGIN_REFUSED);
	free(r.log);
}

static void test_refusals(void **state)
{
	(void)state;
	struct run r;
	run_script(SCRIPT_FORBIDDEN, &r);
	assert_int_equal(r.logout.outcome, LOGIN_REFUSED);
	assert_int_equal(r.logout.status, 403);
	assert_string_equal(r.logout.excerpt,
			    "403 Forbidden: the DUT refused the WebSocket upgrade");
	assert_int_equal(r.token.outcome, LOGIN_ACCEPTED); /* nothing logged out */
	free(r.log);

	run_script(SCRIPT_BAD_ACCEPT, &r);
	assert_int_equal(r.logout.outcome, LOGIN_UNREACHABLE);
	assert_int_equal(r.logout.status, 101);
	assert_non_null(strstr(r.logout.excerpt, "a wrong Sec-WebSocket-Accept"));
	assert_null(strstr(r.log, "logout")); /* nothing sent on a socket that is not one */
	assert_int_equal(r.token.outcome, LOGIN_ACCEPTED);
	free(r.log);

	run_script(SCRIPT_POLICY, &r);
	assert_int_equal(r.logout.outcome, LOGIN_REFUSED);
	assert_non_null(strstr(r.logout.excerpt, "the DUT closed with 1008 'policy'"));
	free(r.log);

	run_script(SCRIPT_MASKED, &r);
	assert_int_equal(r.logout.outcome, LOGIN_UNREACHABLE);
	assert_non_null(strstr(r.logout.excerpt, "masked frame from the server"));
	assert_int_equal(r.token.outcome, LOGIN_ACCEPTED);
	free(r.log);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_messages), cmocka_unit_test(test_validate),
		cmocka_unit_test(test_cockpit),  cmocka_unit_test(test_fragments),
		cmocka_unit_test(test_silent),   cmocka_unit_test(test_refusals),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
