/* login-http: the http-form, http-basic, http-digest and http-json login drivers, on libcurl */
#include "core/compat.h"

#include <curl/curl.h>
#include <json-c/json.h>
#include <pthread.h>
#include <regex.h>
#include <strings.h>

#include "adapters/login-common.h"
#include "adapters/login-driver.h"
#include "adapters/login-websocket.h"
#include "adapters/login.h"
#include "core/error.h"
#include "core/monotonic.h"
#include "core/profile.h"
#include "core/text.h"
#include "net/scope.h"
#include "net/sock.h"
#include "proto/html-form.h"
#include "proto/http-auth.h"

/*
 * One libcurl easy handle per session: its connection, its cookie engine
 * (the session cookie, a CSRF cookie) and, for http-basic and
 * http-digest, the credentials curl answers each challenge with. Every
 * socket comes from sock_open() (the scope guard); certificates are not
 * verified (the TLS checks judge them) but the exchange is recorded as
 * encrypted. The credential-carrying request is captured as curl sent it
 * (CURLINFO_HEADER_OUT and DATA_OUT), so login_replay() can send it again.
 */

/* ---- options ----------------------------------------------------------------- */

#define HTTP_COMMON_OPTIONS                                                                        \
	"tls", "timeout", "login_url", "session_cookie", "whoami_url", "logout_url",               \
		"logout_method", "success_match", "failure_match", "change_required_match",        \
		"change_url", "change_body", "change_success_match", "change_failure_match",       \
		"logout_websocket", "logout_websocket_protocol", "logout_websocket_send"

static const char *const basic_options[] = {HTTP_COMMON_OPTIONS, NULL};
static const char *const form_options[] = {
	HTTP_COMMON_OPTIONS, "form_url", "username_field", "password_field", "fields",
	"csrf_field",        NULL};
static const char *const json_options[] = {HTTP_COMMON_OPTIONS, "body",        "token_json",
					   "token_header",      "auth_header", NULL};

static const char *const change_placeholders[] = {"username", "password", "new_password", "token",
						  NULL};
static const char *const body_placeholders[] = {"username", "password", NULL};
static const char *const header_placeholders[] = {"token", NULL};

/* A Sec-WebSocket-Protocol value: one token (RFC 6455 4.1, RFC 9110 5.6.2); the server
 * must answer the same one. */
static bool websocket_protocol_valid(const char *value)
{
	static const char separators[] = "()<>@,;:\\\"/[]?={}";
	size_t length = strlen(value);
	if (length == 0 || length > 256)
		return false;
	for (size_t i = 0; i < length; i++) {
		unsigned char c = (unsigned char)value[i];
		if (c < 0x21 || c > 0x7e || strchr(separators, c))
			return false;
	}
	return true;
}

/* The WebSocket logout options: together, a path, one logout way, a token to present. */
static int websocket_validate(const struct profile_adapter *a, struct dl_error *err)
{
	const char *path = profile_adapter_option(a, "logout_websocket");
	const char *protocol = profile_adapter_option(a, "logout_websocket_protocol");
	const char *send = profile_adapter_option(a, "logout_websocket_send");
	if (!path && (protocol || send))
		return dl_error_set(err, DL_EINVAL,
				    "options.logout_websocket: found nothing beside "
				    "logout_websocket_%s; expected the WebSocket path the logout "
				    "goes to, such as /cockpit/socket",
				    protocol ? "protocol" : "send");
	if (!path)
		return 0;
	if (profile_adapter_option(a, "logout_url"))
		return dl_error_set(
			err, DL_EINVAL,
			"options.logout_websocket: found it beside logout_url; expected "
			"one way to log out");
	bool json_token =
		strcmp(a->driver, "http-json") == 0 && (profile_adapter_option(a, "token_json") ||
							profile_adapter_option(a, "token_header"));
	if (!profile_adapter_option(a, "session_cookie") && !json_token)
		return dl_error_set(err, DL_EINVAL,
				    "options.session_cookie: found nothing; expected the cookie "
				    "the WebSocket logout presents (logout_websocket needs a "
				    "session token)");
	int rc = login_check_required(a, "logout_websocket_send",
				      "the messages that log out, such as "
				      "'\\n{\"command\":\"logout\",\"disconnect\":true}'",
				      err);
	if (rc)
		return rc;
	struct login_websocket_messages *messages = malloc(sizeof(*messages));
	if (!messages)
		return dl_error_set(err, DL_ENOMEM, "login: out of memory checking options");
	rc = login_websocket_messages(send, messages, err);
	free(messages);
	if (!rc && protocol && !websocket_protocol_valid(protocol))
		rc = dl_error_set(err, DL_EINVAL,
				  "options.logout_websocket_protocol: found '%.64s'; expected a "
				  "token such as cockpit1",
				  protocol);
	return rc;
}

static int http_validate(const struct profile_adapter *a, struct dl_error *err)
{
	static const char *const paths[] = {"login_url",  "whoami_url", "logout_url",
					    "change_url", "form_url",   "logout_websocket"};
	static const char *const regexes[] = {"success_match", "failure_match",
					      "change_required_match", "change_success_match",
					      "change_failure_match"};
	int rc = login_check_required(a, "login_url",
				      "the path credentials are sent to, such as "
				      "/login",
				      err);
	if (!rc)
		rc = login_check_bool(a, "tls", err);
	if (!rc)
		rc = login_check_timeout(a, err);
	for (size_t i = 0; !rc && i < DL_ARRAY_SIZE(paths); i++)
		rc = login_check_path(a, paths[i], err);
	for (size_t i = 0; !rc && i < DL_ARRAY_SIZE(regexes); i++)
		rc = login_check_regex(a, regexes[i], err);
	if (!rc)
		rc = login_check_template(a, "change_body", change_placeholders, err);
	const char *method = profile_adapter_option(a, "logout_method");
	if (!rc && method && strcmp(method, "GET") != 0 && strcmp(method, "POST") != 0)
		rc = dl_error_set(err, DL_EINVAL,
				  "options.logout_method: found '%.64s'; expected GET or POST",
				  method);
	if (!rc)
		rc = websocket_validate(a, err);
	if (!rc && profile_adapter_option(a, "change_body") &&
	    !profile_adapter_option(a, "change_url"))
		rc = dl_error_set(err, DL_EINVAL,
				  "options.change_url: found nothing; expected the path "
				  "change_body is sent to");
	for (size_t i = 0; !rc && i < a->action_count; i++) {
		const char *request = a->actions[i].request;
		size_t method_length = strcspn(request, " ");
		if (request[method_length] != ' ' || request[method_length + 1] != '/' ||
		    method_length == 0 || method_length > 16)
			rc = dl_error_set(err, DL_EINVAL,
					  "actions.%s: found '%.64s'; expected \"METHOD /path "
					  "[body]\", such as \"GET /api/users\"",
					  a->actions[i].name, request);
	}
	if (!rc && strcmp(a->driver, "http-json") == 0) {
		rc = login_check_required(a, "body",
					  "a JSON template such as "
					  "{\"user\":\"{username}\",\"pass\":\"{password}\"}",
					  err);
		if (!rc)
			rc = login_check_template(a, "body", body_placeholders, err);
		if (!rc)
			rc = login_check_template(a, "auth_header", header_placeholders, err);
		if (!rc && profile_adapter_option(a, "token_json") &&
		    profile_adapter_option(a, "token_header"))
			rc = dl_error_set(err, DL_EINVAL,
					  "options.token_header: found it beside token_json; "
					  "expected one of the two");
	}
	if (!rc && strcmp(a->driver, "http-form") == 0) {
		if (!profile_adapter_option(a, "username_field"))
			rc = login_check_required(a, "username_field",
						  "the name of the form's user name input", err);
		if (!rc)
			rc = login_check_required(a, "password_field",
						  "the name of the form's password input", err);
		const char *fields = profile_adapter_option(a, "fields");
		if (!rc && fields && (strchr(fields, ' ') || fields[0] == '&'))
			rc = dl_error_set(err, DL_EINVAL,
					  "options.fields: found '%.64s'; expected "
					  "url-encoded pairs such as \"a=b&c=d\"",
					  fields);
	}
	return rc;
}

static unsigned http_capabilities(const struct profile_adapter *a)
{
	unsigned caps = LOGIN_CAN_REPLAY;
	if (a->action_count > 0)
		caps |= LOGIN_CAN_PERFORM;
	if (profile_adapter_option(a, "whoami_url"))
		caps |= LOGIN_CAN_PROBE;
	if (profile_adapter_option(a, "logout_url") ||
	    profile_adapter_option(a, "logout_websocket"))
		caps |= LOGIN_CAN_LOGOUT;
	if (profile_adapter_option(a, "change_url"))
		caps |= LOGIN_CAN_CHANGE_PASSWORD;
	bool json_token =
		strcmp(a->driver, "http-json") == 0 && (profile_adapter_option(a, "token_json") ||
							profile_adapter_option(a, "token_header"));
	if ((profile_adapter_option(a, "session_cookie") || json_token) &&
	    profile_adapter_option(a, "whoami_url"))
		caps |= LOGIN_HAS_TOKEN;
	return caps;
}

/* ---- one request ------------------------------------------------------------- */

#define HTTP_HEADERS_MAX (16 * 1024)
#define HTTP_URL_MAX 2048
#define HTTP_TOKEN_MAX 1024
#define HTTP_TRANSCRIPT_BODY_MAX 4096

/* What one request sent and got; bounded, on the heap (about 84 KiB). */
struct http_result {
	long status;
	char headers[HTTP_HEADERS_MAX + 1]; /* the final response's status line and headers */
	size_t headers_length;
	char body[LOGIN_BODY_MAX + 1];
	size_t body_length;
	uint64_t body_total; /* before the cut */
	char location[512];
	char request[LOGIN_EXCHANGE_MAX]; /* the last request as sent: headers and body */
	size_t request_length;
	bool request_truncated;
	int64_t sent_ns, done_ns;
	struct http_auth_challenges challenges; /* of every response to this request */
	char error[CURL_ERROR_SIZE];
};

struct http_conn {
	CURL *curl;
	const struct login_target *target;
	struct http_result *result;
	char base_url[128]; /* "https://[fd00:198:0:7::2]:9090" */
	bool tls;
	char scope_error[DL_ERROR_MESSAGE_MAX];
};

static curl_socket_t http_open_socket(void *opaque, curlsocktype purpose,
				      struct curl_sockaddr *address)
{
	struct http_conn *c = opaque;
	if (purpose != CURLSOCKTYPE_IPCXN || address->addrlen > sizeof(struct sockaddr_storage))
		return CURL_SOCKET_BAD;
	struct sock_address a = {.length = address->addrlen};
	memcpy(&a.storage, &address->addr, address->addrlen);
	int fd = -1;
	struct dl_error err = {0};
	if (sock_open(c->target->scope, &a, address->socktype, address->protocol,
		      sock_interface(c->target->scope), &fd, &err) < 0) {
		text_copy(c->scope_error, sizeof(c->scope_error), err.message);
		return CURL_SOCKET_BAD;
	}
	return fd;
}

static size_t http_body(char *data, size_t size, size_t count, void *opaque)
{
	struct http_result *r = ((struct http_conn *)opaque)->result;
	size_t n = size * count;
	r->body_total += n;
	size_t room = LOGIN_BODY_MAX - r->body_length;
	size_t keep = n < room ? n : room;
	memcpy(r->body + r->body_length, data, keep);
	r->body_length += keep;
	r->body[r->body_length] = '\0';
	return n;
}

static size_t http_header(char *data, size_t size, size_t count, void *opaque)
{
	struct http_result *r = ((struct http_conn *)opaque)->result;
	size_t n = size * count;
	if (n >= 5 && memcmp(data, "HTTP/", 5) == 0) {
		/* A new response (the 401 before the digest answer, a 100): keep the last. */
		r->headers_length = 0;
		r->body_length = 0;
		r->body_total = 0;
		r->body[0] = '\0';
	}
	static const char name[] = "WWW-Authenticate:";
	if (n > sizeof(name) - 1 && strncasecmp(data, name, sizeof(name) - 1) == 0) {
		size_t length = n - (sizeof(name) - 1);
		const char *value = data + sizeof(name) - 1;
		while (length > 0 && (value[length - 1] == '\r' || value[length - 1] == '\n'))
			length--;
		/* A malformed challenge is the DUT's: keep what parsed. */
		http_auth_parse(value, length, &r->challenges, NULL);
	}
	size_t room = HTTP_HEADERS_MAX - r->headers_length;
	size_t keep = n < room ? n : room;
	memcpy(r->headers + r->headers_length, data, keep);
	r->headers_length += keep;
	r->headers[r->headers_length] = '\0';
	return n;
}

static void request_append(struct http_result *r, const char *data, size_t n)
{
	size_t room = sizeof(r->request) - 1 - r->request_length;
	if (n > room) {
		r->request_truncated = true;
		n = room;
	}
	memcpy(r->request + r->request_length, data, n);
	r->request_length += n;
	r->request[r->request_length] = '\0';
}

/* The request exactly as curl sends it, and when the answer's last byte came. */
static int http_debug(CURL *curl, curl_infotype type, char *data, size_t size, void *opaque)
{
	(void)curl;
	struct http_result *r = ((struct http_conn *)opaque)->result;
	switch (type) {
	case CURLINFO_HEADER_OUT:
		r->request_length = 0;
		r->request_truncated = false;
		r->request[0] = '\0';
		r->sent_ns = monotonic_ns();
		request_append(r, data, size);
		break;
	case CURLINFO_DATA_OUT: request_append(r, data, size); break;
	case CURLINFO_HEADER_IN:
	case CURLINFO_DATA_IN: r->done_ns = monotonic_ns(); break;
	default: break;
	}
	return 0;
}

/* curl_global_init is not thread-safe and curl_easy_init would call it lazily:
 * once, here, whichever check thread opens the first connection. */
static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_global_code;

static void curl_start(void)
{
	curl_global_code = curl_global_init(CURL_GLOBAL_DEFAULT);
}

static int conn_open(struct http_conn *c, const struct login_target *target, bool cookies,
		     struct dl_error *err)
{
	memset(c, 0, sizeof(*c));
	pthread_once(&curl_once, curl_start);
	if (curl_global_code != CURLE_OK)
		return dl_error_set(err, DL_EIO, "login: libcurl cannot start: %s",
				    curl_easy_strerror(curl_global_code));
	c->target = target;
	c->tls = login_option_bool(target->adapter, "tls", false);
	bool v6 = strchr(target->address, ':') != NULL;
	snprintf(c->base_url, sizeof(c->base_url), "%s://%s%s%s:%u", c->tls ? "https" : "http",
		 v6 ? "[" : "", target->address, v6 ? "]" : "", target->adapter->port);
	c->result = calloc(1, sizeof(*c->result));
	c->curl = curl_easy_init();
	if (!c->result || !c->curl) {
		free(c->result);
		c->result = NULL;
		if (c->curl)
			curl_easy_cleanup(c->curl);
		c->curl = NULL;
		return dl_error_set(err, DL_ENOMEM, "login: cannot start an HTTP transfer");
	}
	CURL *h = c->curl;
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_NOPROXY, "*");
	/* HTTP/1.1 on TLS too: the recorded exchange is then the bytes a replay sends. */
	curl_easy_setopt(h, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
	curl_easy_setopt(h, CURLOPT_USERAGENT, "dutlab/0.1");
	curl_easy_setopt(h, CURLOPT_OPENSOCKETFUNCTION, http_open_socket);
	curl_easy_setopt(h, CURLOPT_OPENSOCKETDATA, c);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, http_body);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, c);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, http_header);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, c);
	curl_easy_setopt(h, CURLOPT_DEBUGFUNCTION, http_debug);
	curl_easy_setopt(h, CURLOPT_DEBUGDATA, c);
	curl_easy_setopt(h, CURLOPT_VERBOSE, 1L); /* the debug function sees nothing otherwise */
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, c->result->error);
	if (cookies)
		curl_easy_setopt(h, CURLOPT_COOKIEFILE, ""); /* the in-memory cookie engine */
	return 0;
}

static void conn_close(struct http_conn *c)
{
	if (c->curl)
		curl_easy_cleanup(c->curl);
	free(c->result);
	memset(c, 0, sizeof(*c));
}

/*
 * method path [body] on the connection, by deadline_ns. A DUT that does not
 * answer leaves r->status 0 and the reason in r->error; DL_ESCOPE when the
 * scope guard refused the socket (the profile's fault, not the DUT's).
 */
static int conn_request(struct http_conn *c, const char *method, const char *path, const char *body,
			const char *content_type, const struct curl_slist *extra,
			int64_t deadline_ns, struct dl_error *err)
{
	struct http_result *r = c->result;
	char url[HTTP_URL_MAX];
	memset(r, 0, offsetof(struct http_result, error));
	r->error[0] = '\0';
	c->scope_error[0] = '\0';
	if ((size_t)snprintf(url, sizeof(url), "%s%s", c->base_url, path) >= sizeof(url))
		return dl_error_set(err, DL_EINVAL, "login: the URL of %s is too long", path);
	long timeout_ms = login_remaining_ms(deadline_ns);
	if (timeout_ms <= 0) {
		snprintf(r->error, sizeof(r->error), "no time left before the deadline");
		return 0;
	}
	struct curl_slist *headers = NULL;
	char line[160];
	if (body && content_type) {
		snprintf(line, sizeof(line), "Content-Type: %s", content_type);
		headers = curl_slist_append(headers, line);
	}
	for (const struct curl_slist *e = extra; e; e = e->next)
		headers = curl_slist_append(headers, e->data);
	CURL *h = c->curl;
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
	curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, NULL);
	if (body) {
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
	}
	if (strcmp(method, body ? "POST" : "GET") != 0)
		curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, timeout_ms);
	int64_t start = monotonic_ns();
	CURLcode code = curl_easy_perform(h);
	int64_t end = monotonic_ns();
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, NULL);
	curl_slist_free_all(headers);
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &r->status);
	char *location = NULL;
	if (curl_easy_getinfo(h, CURLINFO_REDIRECT_URL, &location) == CURLE_OK && location)
		text_copy(r->location, sizeof(r->location), location);
	if (!r->sent_ns)
		r->sent_ns = start;
	if (!r->done_ns || r->done_ns < r->sent_ns)
		r->done_ns = end;
	if (c->scope_error[0])
		return dl_error_set(err, DL_ESCOPE, "login: %s", c->scope_error);
	/* An answer that came before a failure (a reset after the headers) is judged. */
	if (code != CURLE_OK && !r->error[0])
		text_copy(r->error, sizeof(r->error), curl_easy_strerror(code));
	if (code != CURLE_OK && r->headers_length == 0)
		r->status = 0;
	return 0;
}

/* ---- judging an answer ------------------------------------------------------ */

/* The path of a URL or a path: "/login" of "https://a/login?x#y". */
static void url_path(const char *url, char *out, size_t size)
{
	const char *p = url;
	const char *scheme = strstr(url, "://");
	if (scheme) {
		p = strchr(scheme + 3, '/');
		if (!p)
			p = "/";
	}
	size_t n = strcspn(p, "?#");
	snprintf(out, size, "%.*s", (int)(n < 400 ? n : 400), p);
}

/* Does a redirect send the client back to the login page? */
static bool redirect_to_login(const struct profile_adapter *a, const struct http_result *r)
{
	if (r->status < 300 || r->status > 399 || !r->location[0])
		return false;
	char where[512], login[512];
	url_path(r->location, where, sizeof(where));
	const char *pages[] = {profile_adapter_option(a, "login_url"),
			       profile_adapter_option(a, "form_url")};
	for (size_t i = 0; i < DL_ARRAY_SIZE(pages); i++) {
		if (!pages[i])
			continue;
		url_path(pages[i], login, sizeof(login));
		if (strcmp(where, login) == 0)
			return true;
	}
	/* The usual names, when the profile's login page is an API path. */
	return strstr(where, "login") != NULL || strstr(where, "signin") != NULL;
}

/* A page that asks for a password again: the login form, not the application. */
static bool shows_login_form(const struct http_result *r)
{
	if (r->body_length == 0 || !strstr(r->body, "<"))
		return false;
	struct html_forms *forms = malloc(sizeof(*forms));
	if (!forms)
		return false;
	bool login = html_form_parse(r->body, r->body_length, forms, NULL) == 0 &&
		     html_forms_login(forms) != NULL;
	free(forms);
	return login;
}

/* The status line, headers and body as one text for the *_match options. */
static char *match_text(const struct http_result *r)
{
	char *text = malloc(r->headers_length + r->body_length + 2);
	if (!text)
		return NULL;
	memcpy(text, r->headers, r->headers_length);
	text[r->headers_length] = '\n';
	memcpy(text + r->headers_length + 1, r->body, r->body_length);
	text[r->headers_length + 1 + r->body_length] = '\0';
	return text;
}

/* *matched: 1 when option's pattern is set and matches, 0 when set and not,
 * -1 when unset; left alone when *matched is already 1 (an earlier rule won). */
static int option_matches(const struct profile_adapter *a, const char *option, const char *text,
			  int *matched, struct dl_error *err)
{
	const char *pattern = profile_adapter_option(a, option);
	*matched = -1;
	if (!pattern)
		return 0;
	int rc = login_match(pattern, text, err);
	if (rc < 0)
		return rc;
	*matched = rc;
	return 0;
}

enum http_kind {
	HTTP_LOGIN,   /* the credentials */
	HTTP_SESSION, /* whoami, an action, logout, a token on its own */
	HTTP_CHANGE,  /* a change of password */
};

/* The outcome of an answer, from the profile's patterns, else the defaults of docs/profile.md. */
static int judge(const struct profile_adapter *a, const struct http_result *r, enum http_kind kind,
		 bool token_missing, enum login_outcome *outcome, struct dl_error *err)
{
	if (r->status == 0) {
		*outcome = LOGIN_UNREACHABLE;
		return 0;
	}
	bool success_2xx = r->status >= 200 && r->status <= 299;
	bool redirect = r->status >= 300 && r->status <= 399;
	bool ok = (success_2xx || (redirect && !redirect_to_login(a, r)));
	if (kind == HTTP_SESSION) {
		*outcome = ok && !(success_2xx && shows_login_form(r)) ? LOGIN_ACCEPTED
								       : LOGIN_REFUSED;
		return 0;
	}
	char *text = match_text(r);
	if (!text)
		return dl_error_set(err, DL_ENOMEM, "login: out of memory judging an answer");
	const char *failure_option = kind == HTTP_CHANGE ? "change_failure_match" : "failure_match";
	const char *success_option = kind == HTTP_CHANGE ? "change_success_match" : "success_match";
	int required = -1, failure = -1, succeeded = -1;
	int rc = kind == HTTP_LOGIN
			 ? option_matches(a, "change_required_match", text, &required, err)
			 : 0;
	if (!rc)
		rc = option_matches(a, failure_option, text, &failure, err);
	if (!rc)
		rc = option_matches(a, success_option, text, &succeeded, err);
	if (rc) {
		free(text);
		return rc;
	}
	if (required == 1)
		*outcome = LOGIN_CHANGE_REQUIRED;
	else if (failure == 1)
		*outcome = LOGIN_REFUSED;
	else if (succeeded >= 0)
		*outcome = succeeded ? LOGIN_ACCEPTED : LOGIN_REFUSED;
	else if (!ok || token_missing)
		*outcome = LOGIN_REFUSED;
	else if (kind == HTTP_LOGIN && success_2xx && shows_login_form(r))
		*outcome = LOGIN_REFUSED; /* the form again, with its error */
	else
		*outcome = LOGIN_ACCEPTED;
	free(text);
	return rc;
}

/* ---- what the caller gets ------------------------------------------------------ */

/* The secrets a transcript masks: the password in every form it travelled in. */
struct http_secrets {
	char items[8][512];
	const char *list[8];
	size_t count;
};

static void secrets_add(struct http_secrets *s, const char *text)
{
	if (!text || !text[0] || s->count == DL_ARRAY_SIZE(s->items))
		return;
	if (text_copy(s->items[s->count], sizeof(s->items[s->count]), text)) {
		s->list[s->count] = s->items[s->count];
		s->count++;
	}
}

static void secrets_of(struct http_secrets *s, const char *username, const char *password)
{
	struct login_vars vars = {.password = password};
	char encoded[512], pair[600];
	memset(s, 0, sizeof(*s));
	if (!password || !password[0])
		return;
	secrets_add(s, password);
	if (login_expand("{password}", &vars, LOGIN_URL, encoded, sizeof(encoded), NULL) == 0)
		secrets_add(s, encoded);
	if (login_expand("{password}", &vars, LOGIN_JSON, encoded, sizeof(encoded), NULL) == 0)
		secrets_add(s, encoded);
	snprintf(pair, sizeof(pair), "%s:%s", username ? username : "", password);
	if (login_base64(pair, strlen(pair), encoded, sizeof(encoded)))
		secrets_add(s, encoded);
}

/* A request with every "Authorization: Basic" value overwritten by '*' (same length). */
static void mask_basic(const char *request, size_t length, char out[LOGIN_EXCHANGE_MAX])
{
	static const char basic[] = "Authorization: Basic ";
	memcpy(out, request, length);
	out[length] = '\0';
	for (size_t i = 0; i + sizeof(basic) - 1 <= length; i++) {
		if ((i > 0 && out[i - 1] != '\n') ||
		    strncasecmp(out + i, basic, sizeof(basic) - 1) != 0)
			continue;
		for (size_t k = i + sizeof(basic) - 1;
		     k < length && out[k] != '\r' && out[k] != '\n'; k++)
			out[k] = '*';
	}
}

/* Append the request and the answer to the transcript, the secrets masked. */
static int transcribe(const struct http_conn *c, const char *what, const struct http_secrets *a,
		      const struct http_secrets *b, struct dl_error *err)
{
	const struct login_target *t = c->target;
	const struct http_result *r = c->result;
	if (!t->transcript_path)
		return 0;
	const char *list[16];
	size_t count = 0;
	for (size_t i = 0; a && i < a->count; i++)
		list[count++] = a->list[i];
	for (size_t i = 0; b && i < b->count; i++)
		list[count++] = b->list[i];
	char label[512];
	snprintf(label, sizeof(label), "%.64s %.16s: %.128s, sent", t->adapter->name,
		 t->adapter->driver, what);
	/* Basic credentials are the password in base64, whoever sent them (a replay too). */
	char request[LOGIN_EXCHANGE_MAX];
	mask_basic(r->request, r->request_length, request);
	int rc = login_transcript(t, label, request, r->request_length, list, count, err);
	if (rc)
		return rc;
	if (r->status == 0) {
		snprintf(label, sizeof(label), "%.128s: no answer: %.256s", what, r->error);
		return login_transcript(t, label, "", 0, list, count, err);
	}
	snprintf(label, sizeof(label), "%.128s: answer %ld (body %" PRIu64 " bytes, %s)", what,
		 r->status, r->body_total,
		 r->body_length > HTTP_TRANSCRIPT_BODY_MAX ? "first 4096 shown" : "whole");
	char *text = malloc(r->headers_length + HTTP_TRANSCRIPT_BODY_MAX + 1);
	if (!text)
		return dl_error_set(err, DL_ENOMEM, "login: out of memory writing the transcript");
	size_t body = r->body_length < HTTP_TRANSCRIPT_BODY_MAX ? r->body_length
								: HTTP_TRANSCRIPT_BODY_MAX;
	memcpy(text, r->headers, r->headers_length);
	memcpy(text + r->headers_length, r->body, body);
	rc = login_transcript(t, label, text, r->headers_length + body, list, count, err);
	free(text);
	return rc;
}

/* Fill out from the last request of c, judged as kind. */
static int respond(const struct http_conn *c, enum http_kind kind, bool token_missing,
		   struct login_response *out, struct dl_error *err)
{
	const struct http_result *r = c->result;
	int rc = judge(c->target->adapter, r, kind, token_missing, &out->outcome, err);
	if (rc)
		return rc;
	out->status = (int)r->status;
	out->encrypted = c->tls;
	out->password_echoed = false;
	if (r->status == 0) {
		login_excerpt(out->excerpt, sizeof(out->excerpt), r->error, strlen(r->error));
		out->fingerprint[0] = '\0';
	} else {
		login_fingerprint(out, (int)r->status, r->headers, r->headers_length, r->body,
				  r->body_length);
		if (r->body_length > 0)
			login_excerpt(out->excerpt, sizeof(out->excerpt), r->body, r->body_length);
		else
			login_excerpt(out->excerpt, sizeof(out->excerpt), r->headers,
				      strcspn(r->headers, "\r\n"));
	}
	out->latency_ns = r->done_ns > r->sent_ns ? r->done_ns - r->sent_ns : 0;
	/* A 401 without the scheme the driver speaks: the adapter is misconfigured, say so. */
	const char *driver = c->target->adapter->driver;
	const char *scheme = strcmp(driver, "http-digest") == 0  ? "Digest"
			     : strcmp(driver, "http-basic") == 0 ? "Basic"
								 : NULL;
	if (r->status == 401 && scheme && r->challenges.count > 0 &&
	    !http_auth_find(&r->challenges, scheme)) {
		size_t used = (size_t)snprintf(out->excerpt, sizeof(out->excerpt),
					       "no %s challenge; the DUT offers", scheme);
		for (size_t i = 0; i < r->challenges.count && used < sizeof(out->excerpt); i++)
			used += (size_t)snprintf(out->excerpt + used, sizeof(out->excerpt) - used,
						 "%s %s", i ? "," : "",
						 r->challenges.items[i].scheme);
	}
	return 0;
}

/* The exchange of a login: the credential-carrying request, if it fit whole. */
static void keep_exchange(const struct http_conn *c, struct login_response *out)
{
	const struct http_result *r = c->result;
	out->exchange[0] = '\0';
	out->challenge_response = false;
	if (r->request_truncated || r->request_length == 0 ||
	    r->request_length >= sizeof(out->exchange))
		return;
	memcpy(out->exchange, r->request, r->request_length);
	out->exchange[r->request_length] = '\0';
	/* A digest answer is bound to the server's nonce: a challenge-response. */
	for (const char *line = out->exchange; line && *line;) {
		if (strncasecmp(line, "Authorization: Digest ", 22) == 0)
			out->challenge_response = true;
		line = strchr(line, '\n');
		if (line)
			line++;
	}
}

/* ---- sessions ------------------------------------------------------------------ */

struct http_session {
	struct login_session base;
	struct http_conn conn;
	char username[256];
	char password[512]; /* basic and digest answer every challenge with it */
	char token[HTTP_TOKEN_MAX];
	char auth_header[HTTP_TOKEN_MAX + 128]; /* http-json: how the token is presented */
	struct http_secrets secrets;
};

static bool is_driver(const struct profile_adapter *a, const char *name)
{
	return strcmp(a->driver, name) == 0;
}

static void session_free(struct http_session *s)
{
	if (!s)
		return;
	conn_close(&s->conn);
	explicit_bzero(s->password, sizeof(s->password));
	explicit_bzero(&s->secrets, sizeof(s->secrets));
	free(s);
}

static void http_close(struct login_session *base)
{
	session_free((struct http_session *)base);
}

static int session_new(const struct login_driver *driver, const struct login_target *target,
		       const char *username, const char *password, struct http_session **out,
		       struct dl_error *err)
{
	struct http_session *s = calloc(1, sizeof(*s));
	if (!s)
		return dl_error_set(err, DL_ENOMEM, "login: out of memory for a session");
	login_session_init(&s->base, driver, target);
	if (!text_copy(s->username, sizeof(s->username), username) ||
	    !text_copy(s->password, sizeof(s->password), password)) {
		session_free(s);
		return dl_error_set(err, DL_EINVAL,
				    "login: a username or password longer than "
				    "dutlab sends");
	}
	/* The session's target (its own address copy) is what the callbacks read. */
	int rc = conn_open(&s->conn, &s->base.target, true, err);
	if (rc) {
		session_free(s);
		return rc;
	}
	secrets_of(&s->secrets, username, password);
	*out = s;
	return 0;
}

/* The headers every request of the session carries (http-json's token). */
static struct curl_slist *session_headers(const struct http_session *s)
{
	return s->auth_header[0] ? curl_slist_append(NULL, s->auth_header) : NULL;
}

/* The value of the session cookie in the cookie engine, or "". */
static void cookie_value(CURL *curl, const char *name, char *out, size_t size)
{
	struct curl_slist *cookies = NULL;
	out[0] = '\0';
	if (curl_easy_getinfo(curl, CURLINFO_COOKIELIST, &cookies) != CURLE_OK)
		return;
	/* Netscape format: domain, subdomains, path, secure, expiry, name, value. */
	for (struct curl_slist *e = cookies; e; e = e->next) {
		const char *field = e->data;
		for (int i = 0; i < 5 && field; i++) {
			field = strchr(field, '\t');
			if (field)
				field++;
		}
		if (!field)
			continue;
		size_t n = strcspn(field, "\t");
		if (field[n] == '\t' && strlen(name) == n && memcmp(field, name, n) == 0)
			text_copy(out, size, field + n + 1);
	}
	curl_slist_free_all(cookies);
}

/* A header's value in a header block ("X-Auth-Token"), trimmed, or "". */
static void header_value(const char *headers, const char *name, char *out, size_t size)
{
	size_t n = strlen(name);
	out[0] = '\0';
	for (const char *line = headers; line && *line;) {
		if (strncasecmp(line, name, n) == 0 && line[n] == ':') {
			const char *v = line + n + 1;
			while (*v == ' ' || *v == '\t')
				v++;
			size_t length = strcspn(v, "\r\n");
			while (length > 0 && (v[length - 1] == ' ' || v[length - 1] == '\t'))
				length--;
			snprintf(out, size, "%.*s", (int)(length < size ? length : size - 1), v);
			return;
		}
		line = strchr(line, '\n');
		if (line)
			line++;
	}
}

/* The token at a dotted path of a JSON answer ("data.token"), or "". */
static void json_token(const char *body, size_t length, const char *path, char *out, size_t size)
{
	out[0] = '\0';
	struct json_tokener *tok = json_tokener_new_ex(32);
	if (!tok)
		return;
	struct json_object *root =
		length <= INT32_MAX ? json_tokener_parse_ex(tok, body, (int)length) : NULL;
	json_tokener_free(tok);
	struct json_object *node = root;
	char part[128];
	const char *p = path;
	/* One step per dotted part; a path is an option of at most 4096 bytes. */
	while (node && *p) {
		size_t n = strcspn(p, ".");
		snprintf(part, sizeof(part), "%.*s", (int)(n < sizeof(part) ? n : sizeof(part) - 1),
			 p);
		struct json_object *child = NULL;
		node = json_object_object_get_ex(node, part, &child) ? child : NULL;
		p += n;
		if (*p == '.')
			p++;
	}
	if (node && (json_object_is_type(node, json_type_string) ||
		     json_object_is_type(node, json_type_int)))
		text_copy(out, size, json_object_get_string(node));
	json_object_put(root);
}

/* Read the session's token after a login; *missing when the profile names one that is not there. */
static void take_token(struct http_session *s, bool *missing)
{
	const struct profile_adapter *a = s->base.target.adapter;
	const struct http_result *r = s->conn.result;
	const char *cookie = profile_adapter_option(a, "session_cookie");
	const char *json = profile_adapter_option(a, "token_json");
	const char *header = profile_adapter_option(a, "token_header");
	*missing = false;
	s->token[0] = '\0';
	if (is_driver(a, "http-json") && (json || header)) {
		if (json)
			json_token(r->body, r->body_length, json, s->token, sizeof(s->token));
		else
			header_value(r->headers, header, s->token, sizeof(s->token));
		*missing = s->token[0] == '\0';
		struct login_vars vars = {.token = s->token};
		const char *shape = login_option(a, "auth_header", "Authorization: Bearer {token}");
		if (!*missing && login_expand(shape, &vars, LOGIN_RAW, s->auth_header,
					      sizeof(s->auth_header), NULL) != 0)
			s->auth_header[0] = '\0';
	} else if (cookie) {
		cookie_value(s->conn.curl, cookie, s->token, sizeof(s->token));
	}
}

/* A request in the session, judged, transcribed. */
static int session_request(struct http_session *s, const char *what, const char *method,
			   const char *path, const char *body, const char *content_type,
			   enum http_kind kind, struct login_response *out, struct dl_error *err)
{
	int64_t deadline;
	int rc = login_deadline(&s->base.target, &deadline, err);
	if (rc)
		return rc;
	struct curl_slist *headers = session_headers(s);
	rc = conn_request(&s->conn, method, path, body, content_type, headers, deadline, err);
	curl_slist_free_all(headers);
	if (!rc)
		rc = respond(&s->conn, kind, false, out, err);
	if (!rc)
		rc = transcribe(&s->conn, what, &s->secrets, NULL, err);
	return rc;
}

/* ---- logging in ------------------------------------------------------------------ */

/* http-form: the login page first, for its CSRF token (and cookie). */
static int form_body(struct http_session *s, int64_t deadline, char *body, size_t size,
		     bool *unreachable, struct dl_error *err)
{
	const struct profile_adapter *a = s->base.target.adapter;
	const char *page = login_option(a, "form_url", login_option(a, "login_url", "/"));
	const char *csrf_field = profile_adapter_option(a, "csrf_field");
	char csrf[HTML_VALUE_MAX] = "";
	int rc = conn_request(&s->conn, "GET", page, NULL, NULL, NULL, deadline, err);
	if (!rc)
		rc = transcribe(&s->conn, "the login page", &s->secrets, NULL, err);
	if (rc)
		return rc;
	*unreachable = s->conn.result->status == 0;
	if (*unreachable)
		return 0;
	if (csrf_field) {
		struct html_forms *forms = malloc(sizeof(*forms));
		if (!forms)
			return dl_error_set(err, DL_ENOMEM, "login: out of memory reading a form");
		html_form_parse(s->conn.result->body, s->conn.result->body_length, forms, NULL);
		const struct html_form *login = html_forms_login(forms);
		const struct html_input *input = html_form_input(login, csrf_field);
		for (size_t i = 0; !input && i < forms->form_count; i++)
			input = html_form_input(&forms->forms[i], csrf_field);
		if (input)
			text_copy(csrf, sizeof(csrf), input->value);
		free(forms);
	}
	struct login_vars vars = {.username = s->username, .password = s->password};
	char user[1024], pass[1600], token[HTML_VALUE_MAX * 3 + 1];
	rc = login_expand("{username}", &vars, LOGIN_URL, user, sizeof(user), err);
	if (!rc)
		rc = login_expand("{password}", &vars, LOGIN_URL, pass, sizeof(pass), err);
	struct login_vars csrf_vars = {.token = csrf};
	if (!rc)
		rc = login_expand("{token}", &csrf_vars, LOGIN_URL, token, sizeof(token), err);
	if (rc)
		return rc;
	const char *fields = profile_adapter_option(a, "fields");
	int n = snprintf(body, size, "%s=%s&%s=%s%s%s%s%s%s",
			 login_option(a, "username_field", "username"), user,
			 login_option(a, "password_field", "password"), pass,
			 csrf_field && csrf[0] ? "&" : "", csrf_field && csrf[0] ? csrf_field : "",
			 csrf_field && csrf[0] ? "=" : "", csrf_field && csrf[0] ? token : "",
			 fields ? "&" : "");
	if (n < 0 || (size_t)n >= size ||
	    (fields && !text_copy(body + n, size - (size_t)n, fields)))
		return dl_error_set(err, DL_ENOMEM, "login: the login form's body is too long");
	return 0;
}

/* Log in on a new session; *outcome as judged. The session is the caller's either way. */
static int session_login(struct http_session *s, struct login_response *out, struct dl_error *err)
{
	const struct profile_adapter *a = s->base.target.adapter;
	const char *login_url = login_option(a, "login_url", "/");
	int64_t deadline;
	int rc = login_deadline(&s->base.target, &deadline, err);
	if (rc)
		return rc;
	CURL *h = s->conn.curl;
	char *body = NULL;
	const char *content_type = NULL;
	struct curl_slist *headers = NULL;
	if (is_driver(a, "http-basic") || is_driver(a, "http-digest")) {
		curl_easy_setopt(h, CURLOPT_HTTPAUTH,
				 is_driver(a, "http-basic") ? CURLAUTH_BASIC : CURLAUTH_DIGEST);
		curl_easy_setopt(h, CURLOPT_USERNAME, s->username);
		curl_easy_setopt(h, CURLOPT_PASSWORD, s->password);
	} else if (is_driver(a, "http-form")) {
		body = malloc(8192);
		bool unreachable = false;
		rc = body ? form_body(s, deadline, body, 8192, &unreachable, err)
			  : dl_error_set(err, DL_ENOMEM, "login: out of memory");
		if (!rc && unreachable) {
			free(body);
			return respond(&s->conn, HTTP_LOGIN, false, out, err);
		}
		content_type = "application/x-www-form-urlencoded";
		char line[sizeof(s->conn.base_url) + 16];
		snprintf(line, sizeof(line), "Origin: %s", s->conn.base_url);
		headers = curl_slist_append(headers, line);
	} else {
		struct login_vars vars = {.username = s->username, .password = s->password};
		body = malloc(8192);
		rc = body ? login_expand(login_option(a, "body", "{}"), &vars, LOGIN_JSON, body,
					 8192, err)
			  : dl_error_set(err, DL_ENOMEM, "login: out of memory");
		content_type = "application/json";
		headers = curl_slist_append(headers, "Accept: application/json");
	}
	if (!rc)
		rc = conn_request(&s->conn, body ? "POST" : "GET", login_url, body, content_type,
				  headers, deadline, err);
	curl_slist_free_all(headers);
	if (body) {
		explicit_bzero(body, 8192);
		free(body);
	}
	bool missing = false;
	if (!rc && s->conn.result->status != 0)
		take_token(s, &missing);
	if (!rc && s->token[0] && (is_driver(a, "http-basic") || is_driver(a, "http-digest"))) {
		/* The DUT issued a session cookie: from now on the session is that cookie
		 * alone, as a browser's is (an idle timeout ends it; credentials sent again
		 * would open a new session and hide that). */
		curl_easy_setopt(h, CURLOPT_USERNAME, NULL);
		curl_easy_setopt(h, CURLOPT_PASSWORD, NULL);
		curl_easy_setopt(h, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
	}
	if (!rc)
		rc = respond(&s->conn, HTTP_LOGIN, missing, out, err);
	if (!rc)
		keep_exchange(&s->conn, out);
	if (!rc)
		rc = transcribe(&s->conn, "login", &s->secrets, NULL, err);
	return rc;
}

/* The descriptor of the adapter's driver: sessions dispatch on it. */
static const struct login_driver *driver_of(const struct profile_adapter *a)
{
	static const struct login_driver *const mine[] = {
		&login_driver_http_form, &login_driver_http_basic, &login_driver_http_digest,
		&login_driver_http_json};
	for (size_t i = 0; i < DL_ARRAY_SIZE(mine); i++)
		if (strcmp(mine[i]->name, a->driver) == 0)
			return mine[i];
	return &login_driver_http_basic; /* not reached: login.c dispatched here by name */
}

static int http_logout(struct login_session *base, struct login_response *out,
		       struct dl_error *err);

static int http_attempt(const struct login_target *target, const char *username,
			const char *password, struct login_response *out,
			struct login_session **session, struct dl_error *err)
{
	const struct login_driver *driver = driver_of(target->adapter);
	struct http_session *s = NULL;
	int rc = session_new(driver, target, username, password, &s, err);
	if (rc)
		return rc;
	rc = session_login(s, out, err);
	if (!rc && out->outcome == LOGIN_ACCEPTED && session) {
		*session = &s->base;
		return 0;
	}
	if (!rc && out->outcome == LOGIN_ACCEPTED &&
	    (http_capabilities(target->adapter) & LOGIN_CAN_LOGOUT)) {
		/* Leave no session behind on the DUT; the login's answer is what counts. */
		struct login_response ignored;
		struct dl_error logout_err;
		memset(&ignored, 0, sizeof(ignored));
		http_logout(&s->base, &ignored, &logout_err);
	}
	session_free(s);
	return rc;
}
/* ---- in a session ------------------------------------------------------------------ */

/*
 * logout_websocket: a new connection (libcurl, CONNECT_ONLY: TCP, and TLS
 * when tls is set, its socket from the scope guard), the session's token on
 * it as the browser presents it, then login-websocket.c speaks RFC 6455.
 * libcurl 7.88 has no WebSocket of its own.
 */
static int websocket_logout(struct http_session *s, struct login_response *out,
			    struct dl_error *err)
{
	const struct profile_adapter *a = s->base.target.adapter;
	int64_t deadline;
	struct http_conn c;
	int rc = login_deadline(&s->base.target, &deadline, err);
	if (!rc)
		rc = conn_open(&c, &s->base.target, false, err);
	if (rc)
		return rc;
	char url[sizeof(c.base_url) + 2];
	snprintf(url, sizeof(url), "%s/", c.base_url);
	long timeout_ms = login_remaining_ms(deadline);
	curl_easy_setopt(c.curl, CURLOPT_URL, url);
	curl_easy_setopt(c.curl, CURLOPT_CONNECT_ONLY, 1L);
	curl_easy_setopt(c.curl, CURLOPT_TIMEOUT_MS, timeout_ms > 0 ? timeout_ms : 1L);
	CURLcode code = timeout_ms > 0 ? curl_easy_perform(c.curl) : CURLE_OPERATION_TIMEDOUT;
	out->encrypted = c.tls;
	if (c.scope_error[0]) {
		rc = dl_error_set(err, DL_ESCOPE, "login: %s", c.scope_error);
	} else if (code != CURLE_OK) {
		const char *why = c.result->error[0] ? c.result->error : curl_easy_strerror(code);
		out->outcome = LOGIN_UNREACHABLE;
		login_excerpt(out->excerpt, sizeof(out->excerpt), why, strlen(why));
		char label[256];
		snprintf(label, sizeof(label), "websocket logout: no connection: %.200s", why);
		rc = login_transcript(&s->base.target, label, "", 0, NULL, 0, err);
	} else {
		const char *cookie = profile_adapter_option(a, "session_cookie");
		char cookie_line[HTTP_TOKEN_MAX + 160] = "";
		const char *headers[3] = {NULL, NULL, NULL};
		size_t count = 0;
		if (cookie && s->token[0] &&
		    (size_t)snprintf(cookie_line, sizeof(cookie_line), "Cookie: %s=%s", cookie,
				     s->token) < sizeof(cookie_line))
			headers[count++] = cookie_line;
		if (s->auth_header[0])
			headers[count++] = s->auth_header;
		const char *host = strstr(c.base_url, "://");
		struct login_websocket_logout w = {
			.target = &s->base.target,
			.path = login_option(a, "logout_websocket", "/"),
			.protocol = profile_adapter_option(a, "logout_websocket_protocol"),
			.send = profile_adapter_option(a, "logout_websocket_send"),
			.host = host ? host + 3 : c.base_url,
			.origin = c.base_url,
			.headers = headers,
			.tls = c.tls,
		};
		rc = login_websocket_logout(c.curl, &w, deadline, out, err);
	}
	conn_close(&c);
	return rc;
}

static int http_logout(struct login_session *base, struct login_response *out, struct dl_error *err)
{
	struct http_session *s = (struct http_session *)base;
	const struct profile_adapter *a = s->base.target.adapter;
	if (profile_adapter_option(a, "logout_websocket"))
		return websocket_logout(s, out, err);
	const char *method = login_option(a, "logout_method", "GET");
	return session_request(s, "logout", method, login_option(a, "logout_url", "/"),
			       strcmp(method, "POST") == 0 ? "" : NULL, NULL, HTTP_SESSION, out,
			       err);
}

static int http_probe(struct login_session *base, struct login_response *out, struct dl_error *err)
{
	struct http_session *s = (struct http_session *)base;
	return session_request(s, "whoami", "GET",
			       login_option(s->base.target.adapter, "whoami_url", "/"), NULL, NULL,
			       HTTP_SESSION, out, err);
}

/* "METHOD /path [body]" into its parts; body NULL when there is none. */
static int split_request(const char *request, char *method, size_t method_size, char *path,
			 size_t path_size, const char **body, struct dl_error *err)
{
	size_t m = strcspn(request, " ");
	const char *p = request + m;
	while (*p == ' ')
		p++;
	size_t n = strcspn(p, " ");
	if (m == 0 || m >= method_size || n == 0 || n >= path_size || p[0] != '/')
		return dl_error_set(err, DL_EINVAL,
				    "login: the request '%.64s' is not \"METHOD /path [body]\"",
				    request);
	snprintf(method, method_size, "%.*s", (int)m, request);
	snprintf(path, path_size, "%.*s", (int)n, p);
	p += n;
	while (*p == ' ')
		p++;
	*body = *p ? p : NULL;
	return 0;
}

static int http_perform(struct login_session *base, const struct profile_action *action,
			struct login_response *out, struct dl_error *err)
{
	struct http_session *s = (struct http_session *)base;
	struct login_vars vars = {
		.username = s->username, .token = s->token, .address = s->base.target.address};
	char request[8192], method[17], path[2048];
	const char *body = NULL;
	int rc = login_expand(action->request, &vars, LOGIN_RAW, request, sizeof(request), err);
	if (!rc)
		rc = split_request(request, method, sizeof(method), path, sizeof(path), &body, err);
	if (rc)
		return rc;
	const char *type = !body ? NULL
			   : (body[0] == '{' || body[0] == '[')
				   ? "application/json"
				   : "application/x-www-form-urlencoded";
	char what[128];
	snprintf(what, sizeof(what), "action %s", action->name);
	return session_request(s, what, method, path, body, type, HTTP_SESSION, out, err);
}

static const char *http_token(const struct login_session *base)
{
	const struct http_session *s = (const struct http_session *)base;
	return s->token[0] ? s->token : NULL;
}

/* ---- on a new connection ------------------------------------------------------------- */

static int http_token_probe(const struct login_target *target, const char *token,
			    struct login_response *out, struct dl_error *err)
{
	const struct profile_adapter *a = target->adapter;
	struct http_conn c;
	int64_t deadline;
	int rc = login_deadline(target, &deadline, err);
	if (!rc)
		rc = conn_open(&c, target, false, err);
	if (rc)
		return rc;
	struct curl_slist *headers = NULL;
	char line[HTTP_TOKEN_MAX + 256];
	const char *cookie = profile_adapter_option(a, "session_cookie");
	if (is_driver(a, "http-json") && (profile_adapter_option(a, "token_json") ||
					  profile_adapter_option(a, "token_header"))) {
		struct login_vars vars = {.token = token};
		rc = login_expand(login_option(a, "auth_header", "Authorization: Bearer {token}"),
				  &vars, LOGIN_RAW, line, sizeof(line), err);
	} else if ((size_t)snprintf(line, sizeof(line), "Cookie: %s=%s", cookie ? cookie : "",
				    token) >= sizeof(line)) {
		rc = dl_error_set(err, DL_EINVAL, "login: the token is too long to present");
	}
	if (!rc) {
		headers = curl_slist_append(NULL, line);
		rc = conn_request(&c, "GET", login_option(a, "whoami_url", "/"), NULL, NULL,
				  headers, deadline, err);
	}
	curl_slist_free_all(headers);
	if (!rc)
		rc = respond(&c, HTTP_SESSION, false, out, err);
	if (!rc)
		rc = transcribe(&c, "the token alone", NULL, NULL, err);
	conn_close(&c);
	return rc;
}

/*
 * Send a recorded request again, on a new connection: its request line,
 * every header as it was (Host, Authorization, Cookie) and its body. curl
 * sends it; Content-Length it computes again from the same body.
 */
static int http_replay(const struct login_target *target, const char *exchange,
		       struct login_response *out, struct dl_error *err)
{
	struct http_conn c;
	int64_t deadline;
	char method[17], path[2048], line[LOGIN_EXCHANGE_MAX];
	const char *end_of_line = strstr(exchange, "\r\n");
	const char *head_end = strstr(exchange, "\r\n\r\n");
	if (!end_of_line || !head_end)
		return dl_error_set(err, DL_EINVAL,
				    "login: the exchange to replay is not an HTTP request");
	snprintf(line, sizeof(line), "%.*s", (int)(end_of_line - exchange), exchange);
	const char *body = NULL;
	int rc = split_request(line, method, sizeof(method), path, sizeof(path), &body, err);
	if (rc)
		return rc;
	struct curl_slist *headers = NULL;
	const char *content_type = NULL;
	char type[256] = "";
	for (const char *h = end_of_line + 2; h < head_end;) {
		const char *eol = strstr(h, "\r\n");
		size_t n = (size_t)(eol - h);
		snprintf(line, sizeof(line), "%.*s", (int)n, h);
		if (strncasecmp(line, "Content-Length:", 15) == 0) {
			/* curl writes it for the body below */
		} else if (strncasecmp(line, "Content-Type:", 13) == 0) {
			const char *v = line + 13;
			while (*v == ' ')
				v++;
			text_copy(type, sizeof(type), v);
			content_type = type;
		} else {
			struct curl_slist *more = curl_slist_append(headers, line);
			if (!more) {
				curl_slist_free_all(headers);
				return dl_error_set(err, DL_ENOMEM, "login: out of memory");
			}
			headers = more;
		}
		h = eol + 2;
	}
	const char *payload = head_end + 4;
	bool has_body = *payload || strcmp(method, "POST") == 0;
	rc = login_deadline(target, &deadline, err);
	if (!rc)
		rc = conn_open(&c, target, false, err);
	if (rc) {
		curl_slist_free_all(headers);
		return rc;
	}
	rc = conn_request(&c, method, path, has_body ? payload : NULL, content_type, headers,
			  deadline, err);
	curl_slist_free_all(headers);
	if (!rc)
		rc = respond(&c, HTTP_LOGIN, false, out, err);
	if (!rc)
		keep_exchange(&c, out);
	if (!rc)
		rc = transcribe(&c, "replay", NULL, NULL, err);
	conn_close(&c);
	return rc;
}

/* A weak-password warning in the answer (auth.password_warning), with its context. */
static void find_warning(const struct login_target *target, const struct http_result *r,
			 struct login_response *out)
{
	const char *pattern = target->profile ? target->profile->auth.password_warning : NULL;
	out->warning[0] = '\0';
	if (!pattern)
		return;
	char *text = match_text(r);
	regex_t re;
	regmatch_t m[1];
	if (text && regcomp(&re, pattern, REG_EXTENDED) == 0) {
		if (regexec(&re, text, 1, m, 0) == 0 && m[0].rm_so >= 0) {
			size_t from = (size_t)m[0].rm_so > 80 ? (size_t)m[0].rm_so - 80 : 0;
			size_t to = (size_t)m[0].rm_eo + 80;
			size_t length = strlen(text);
			if (to > length)
				to = length;
			login_excerpt(out->warning, sizeof(out->warning), text + from, to - from);
		}
		regfree(&re);
	}
	free(text);
}

static int http_change_password(const struct login_target *target, const char *username,
				const char *old_password, const char *new_password,
				struct login_response *out, struct dl_error *err)
{
	const struct profile_adapter *a = target->adapter;
	struct http_session *s = NULL;
	int rc = session_new(driver_of(a), target, username, old_password, &s, err);
	if (rc)
		return rc;
	struct http_secrets new_secrets;
	secrets_of(&new_secrets, username, new_password);
	rc = session_login(s, out, err);
	if (rc || (out->outcome != LOGIN_ACCEPTED && out->outcome != LOGIN_CHANGE_REQUIRED)) {
		/* The old password did not log in: nothing changed; out is that login's answer. */
		session_free(s);
		return rc;
	}
	struct login_vars vars = {.username = username,
				  .password = old_password,
				  .new_password = new_password,
				  .token = s->token};
	const char *shape = login_option(a, "change_body", "");
	bool json = shape[0] == '{' || shape[0] == '[';
	char *body = malloc(8192);
	rc = body ? login_expand(shape, &vars, json ? LOGIN_JSON : LOGIN_URL, body, 8192, err)
		  : dl_error_set(err, DL_ENOMEM, "login: out of memory");
	if (!rc) {
		int64_t deadline;
		struct curl_slist *headers = session_headers(s);
		rc = login_deadline(&s->base.target, &deadline, err);
		if (!rc)
			rc = conn_request(
				&s->conn, "POST", login_option(a, "change_url", "/"), body,
				json ? "application/json" : "application/x-www-form-urlencoded",
				headers, deadline, err);
		curl_slist_free_all(headers);
	}
	memset(out, 0, sizeof(*out));
	if (!rc)
		rc = respond(&s->conn, HTTP_CHANGE, false, out, err);
	if (!rc && out->outcome == LOGIN_ACCEPTED)
		find_warning(target, s->conn.result, out);
	if (!rc)
		rc = transcribe(&s->conn, "change password", &s->secrets, &new_secrets, err);
	if (body) {
		explicit_bzero(body, 8192);
		free(body);
	}
	explicit_bzero(&new_secrets, sizeof(new_secrets));
	session_free(s);
	return rc;
}

#define HTTP_DRIVER(NAME, OPTIONS)                                                                 \
	{                                                                                          \
		.name = NAME, .options = OPTIONS, .validate = http_validate,                       \
		.capabilities = http_capabilities, .attempt = http_attempt, .logout = http_logout, \
		.probe = http_probe, .perform = http_perform, .token = http_token,                 \
		.close = http_close, .token_probe = http_token_probe, .replay = http_replay,       \
		.change_password = http_change_password,                                           \
	}

const struct login_driver login_driver_http_form = HTTP_DRIVER("http-form", form_options);
const struct login_driver login_driver_http_basic = HTTP_DRIVER("http-basic", basic_options);
const struct login_driver login_driver_http_digest = HTTP_DRIVER("http-digest", basic_options);
const struct login_driver login_driver_http_json = HTTP_DRIVER("http-json", json_options);
