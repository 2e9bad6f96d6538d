/* unauth-http: web pages, APIs and ONVIF operations asked for without credentials */
#include "core/compat.h"

#include <curl/curl.h>
#include <json-c/json.h>

#include "checks/auth/unauth-internal.h"
#include "checks/check.h"
#include "checks/discovery/scan-view.h"
#include "core/error.h"
#include "core/json-read.h"
#include "core/profile.h"
#include "net/scope.h"
#include "net/sock.h"

#define HTTP_KEEP_MAX 8192 /* bytes of an answer kept to judge it */
#define HTTP_PATHS_MAX 24
#define HTTP_PATH_MAX 200

/* Where devices commonly serve their configuration, users and images. */
static const char *const well_known[] = {
	"/config",
	"/backup",
	"/api/config",
	"/api/users",
	"/cgi-bin/config.exp",
	"/snapshot.jpg",
	"/cgi-bin/snapshot.cgi",
	"/snapshot.cgi",
	"/image.jpg",
};

struct http_answer {
	struct unauth_service *u;
	long status;
	char body[HTTP_KEEP_MAX + 1];
	size_t bytes;
	uint64_t total;
	bool www_authenticate;
	char location[256];
	char content_type[64];
	char error[CURL_ERROR_SIZE];
	char head[512]; /* status line and the headers that matter, for the excerpt */
	size_t head_len;
};

static curl_socket_t open_socket(void *opaque, curlsocktype purpose, struct curl_sockaddr *address)
{
	struct http_answer *a = opaque;
	if (purpose != CURLSOCKTYPE_IPCXN || address->addrlen > sizeof(struct sockaddr_storage))
		return CURL_SOCKET_BAD;
	struct sock_address sa = {.length = address->addrlen};
	memcpy(&sa.storage, &address->addr, address->addrlen);
	int fd = -1;
	struct dl_error err = {0};
	if (sock_open(a->u->run->ctx->scope, &sa, address->socktype, address->protocol,
		      a->u->run->interface, &fd, &err) < 0) {
		unauth_put(a->error, sizeof(a->error), "%s", err.message);
		return CURL_SOCKET_BAD;
	}
	return fd;
}

static size_t on_body(char *data, size_t size, size_t count, void *opaque)
{
	struct http_answer *a = opaque;
	size_t n = size * count;
	a->total += n;
	size_t room = HTTP_KEEP_MAX - a->bytes;
	size_t keep = n < room ? n : room;
	memcpy(a->body + a->bytes, data, keep);
	a->bytes += keep;
	a->body[a->bytes] = '\0';
	return n;
}

static void keep_head(struct http_answer *a, const char *data, size_t n)
{
	size_t room = sizeof(a->head) - 1 - a->head_len;
	size_t keep = n < room ? n : room;
	memcpy(a->head + a->head_len, data, keep);
	a->head_len += keep;
	a->head[a->head_len] = '\0';
}

static size_t on_header(char *data, size_t size, size_t count, void *opaque)
{
	struct http_answer *a = opaque;
	size_t n = size * count;
	if (n >= 5 && strncmp(data, "HTTP/", 5) == 0) {
		a->head_len = 0; /* a new answer (after 100 Continue) */
		keep_head(a, data, n);
	} else if (n >= 17 && strncasecmp(data, "WWW-Authenticate:", 17) == 0) {
		a->www_authenticate = true;
		keep_head(a, data, n);
	} else if (n >= 9 && strncasecmp(data, "Location:", 9) == 0) {
		keep_head(a, data, n);
	} else if (n >= 13 && strncasecmp(data, "Content-Type:", 13) == 0) {
		size_t o = 0;
		for (size_t i = 13; i < n && o + 1 < sizeof(a->content_type); i++) {
			char c = data[i];
			if (c == ';' || c == '\r' || c == '\n')
				break;
			if (c != ' ' || o > 0)
				a->content_type[o++] = c;
		}
		a->content_type[o] = '\0';
		keep_head(a, data, n);
	}
	return n;
}

/* One request; false when no answer came (a->error says why). */
static bool http_request(struct unauth_service *u, const char *url, const char *body,
			 const char *soap_action, struct http_answer *a)
{
	memset(a, 0, sizeof(*a));
	a->u = u;
	int timeout_ms = sock_remaining_ms(u->deadline_ns, UNAUTH_EXCHANGE_MS);
	if (timeout_ms <= 0) {
		unauth_put(a->error, sizeof(a->error), "no time left");
		return false;
	}
	struct dl_error err = {0};
	if (scope_permit_text(u->run->ctx->scope, u->service->address, u->run->interface, &err) <
	    0) {
		unauth_put(a->error, sizeof(a->error), "%s", err.message);
		return false;
	}
	CURL *curl = curl_easy_init();
	if (!curl) {
		unauth_put(a->error, sizeof(a->error), "libcurl: cannot start a transfer");
		return false;
	}
	struct curl_slist *headers = NULL;
	curl_easy_setopt(curl, CURLOPT_URL, url);
	curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(curl, CURLOPT_NOPROXY, "*");
	curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, (long)timeout_ms);
	curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 0L);
	curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 0L);
	curl_easy_setopt(curl, CURLOPT_USERAGENT, "dutlab/0.1");
	curl_easy_setopt(curl, CURLOPT_OPENSOCKETFUNCTION, open_socket);
	curl_easy_setopt(curl, CURLOPT_OPENSOCKETDATA, a);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, a);
	curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(curl, CURLOPT_HEADERDATA, a);
	curl_easy_setopt(curl, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)(4u << 20));
	char curl_error[CURL_ERROR_SIZE] = "";
	curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, curl_error);
	if (body) {
		char action[300];
		unauth_put(action, sizeof(action),
			   "Content-Type: application/soap+xml; charset=utf-8; action=\"%s\"",
			   soap_action ? soap_action : "");
		headers = curl_slist_append(headers, action);
		curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
		curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
	}
	CURLcode code = curl_easy_perform(curl);
	curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &a->status);
	char *location = NULL;
	if (curl_easy_getinfo(curl, CURLINFO_REDIRECT_URL, &location) == CURLE_OK && location)
		unauth_put(a->location, sizeof(a->location), "%s", location);
	curl_easy_cleanup(curl);
	curl_slist_free_all(headers);
	if (code != CURLE_OK && a->status == 0) {
		if (!a->error[0])
			unauth_put(a->error, sizeof(a->error), "%s",
				   curl_error[0] ? curl_error : curl_easy_strerror(code));
		return false;
	}
	return true;
}

/* A login page: a password input, or a form with a password-named field
 * (a login page that does not mask the password is still a login page;
 * masking is NCC 5.3.1.5's business). */
static bool has_login_form(const char *body)
{
	static const char *const password_inputs[] = {"type=\"password\"", "type='password'",
						      "type=password"};
	static const char *const password_fields[] = {
		"name=\"password", "name='password", "name=password",       "name=\"passwd",
		"name=\"pwd",      "name=\"pass\"",  "name=\"user_password"};
	for (size_t i = 0; i < DL_ARRAY_SIZE(password_inputs); i++)
		if (strcasestr(body, password_inputs[i]))
			return true;
	if (!strcasestr(body, "<form"))
		return false;
	for (size_t i = 0; i < DL_ARRAY_SIZE(password_fields); i++)
		if (strcasestr(body, password_fields[i]))
			return true;
	return false;
}

/* Content a person reads or a tool parses, or an image or video where a
 * snapshot or a stream was asked for; style sheets, scripts and fonts
 * served without a login give away no function or data (as
 * discovery's scan-web.c). */
static bool is_content(const char *content_type, const char *kind)
{
	static const char *const documents[] = {
		"text/html",           "text/plain",       "text/xml",
		"application/xml",     "application/json", "application/octet-stream",
		"application/soap+xml"};
	if (!content_type[0])
		return true; /* no type: judge it as content rather than miss it */
	for (size_t i = 0; i < DL_ARRAY_SIZE(documents); i++)
		if (strcasecmp(content_type, documents[i]) == 0)
			return true;
	return strcmp(kind, UNAUTH_DATA_PRIVACY) == 0 &&
	       (strncasecmp(content_type, "image/", 6) == 0 ||
		strncasecmp(content_type, "video/", 6) == 0 ||
		strncasecmp(content_type, "multipart/", 10) == 0);
}

/* The answer as the excerpt records it: the head, then the body. */
static void record(struct unauth_service *u, const char *request, const char *result,
		   const char *data, const struct http_answer *a, const char *why)
{
	uint8_t text[UNAUTH_EXCERPT_MAX * 2];
	size_t n = 0;
	size_t head = a->head_len < sizeof(text) ? a->head_len : sizeof(text);
	memcpy(text, a->head, head);
	n = head;
	size_t body = a->bytes < sizeof(text) - n ? a->bytes : sizeof(text) - n;
	memcpy(text + n, a->body, body);
	n += body;
	unauth_try(u, request, result, data, (int)a->status, text, n, why);
}

/* Judge one GET: served, authenticates, a login page, or nothing there. */
static void judge_get(struct unauth_service *u, const char *request, const char *kind,
		      const struct http_answer *a)
{
	long s = a->status;
	char why[256];
	if (s == 401 || s == 403) {
		unauth_put(why, sizeof(why), "status %ld%s: credentials are required", s,
			   a->www_authenticate ? " with an authentication challenge" : "");
		record(u, request, UNAUTH_AUTHENTICATES, NULL, a, why);
	} else if (s >= 300 && s < 400) {
		bool login = strcasestr(a->location, "login") ||
			     strcasestr(a->location, "signin") || strcasestr(a->location, "auth");
		unauth_put(why, sizeof(why), "redirect to '%s'%s", a->location,
			   login ? ": the login page" : "");
		record(u, request, login ? UNAUTH_AUTHENTICATES : UNAUTH_ABSENT, NULL, a, why);
	} else if (s >= 200 && s < 300 && a->total > 0) {
		if (!is_content(a->content_type, kind)) {
			unauth_put(why, sizeof(why),
				   "status %ld with a static asset (%s): no function or data", s,
				   a->content_type);
			record(u, request, UNAUTH_ABSENT, NULL, a, why);
		} else if (has_login_form(a->body)) {
			record(u, request, UNAUTH_LOGIN_PAGE, NULL, a,
			       "a login page (a password field): it asks for credentials");
		} else {
			unauth_put(why, sizeof(why),
				   "status %ld with %" PRIu64
				   " bytes of %s and no login form, without "
				   "credentials",
				   s, a->total, a->content_type[0] ? a->content_type : "content");
			record(u, request, UNAUTH_SERVED, kind, a, why);
		}
	} else if (s >= 200 && s < 300) {
		record(u, request, UNAUTH_ABSENT, NULL, a, "an empty answer: nothing served");
	} else {
		unauth_put(why, sizeof(why), "status %ld: nothing served", s);
		record(u, request, UNAUTH_ABSENT, NULL, a, why);
	}
}

struct path_list {
	char path[HTTP_PATHS_MAX][HTTP_PATH_MAX];
	char kind_text[HTTP_PATHS_MAX][HTTP_PATH_MAX]; /* what names its data kind */
	size_t count;
};

static void path_add(struct path_list *l, const char *path, size_t length, const char *kind_text)
{
	if (l->count >= HTTP_PATHS_MAX || length == 0 || length >= HTTP_PATH_MAX || path[0] != '/')
		return;
	for (size_t i = 0; i < length; i++)
		if ((unsigned char)path[i] <= ' ' || (unsigned char)path[i] >= 0x7f ||
		    path[i] == '{')
			return; /* a template or not a plain path: not sent */
	for (size_t i = 0; i < l->count; i++)
		if (strlen(l->path[i]) == length && memcmp(l->path[i], path, length) == 0)
			return;
	memcpy(l->path[l->count], path, length);
	l->path[l->count][length] = '\0';
	unauth_put(l->kind_text[l->count], HTTP_PATH_MAX, "%s", kind_text);
	l->count++;
}

/* The pages discovery.scan fetched from address:port (its http.pages), or NULL. */
static struct json_object *scan_pages(const struct json_object *scan, const char *address,
				      uint16_t port)
{
	struct json_object *addresses = json_read_array(scan, "addresses");
	for (size_t i = 0; i < json_read_length(addresses); i++) {
		struct json_object *a = json_object_array_get_idx(addresses, i);
		if (strcmp(json_read_text(a, "address", ""), address) != 0)
			continue;
		struct json_object *open = json_read_array(json_read_member(a, "tcp"), "open");
		for (size_t k = 0; k < json_read_length(open); k++) {
			struct json_object *o = json_object_array_get_idx(open, k);
			if (json_read_int(o, "port", -1) == port)
				return json_read_array(json_read_member(o, "http"), "pages");
		}
	}
	return NULL;
}

static bool is_http_driver(const char *driver)
{
	return strncmp(driver, "http-", 5) == 0;
}

/* ONVIF operations without a UsernameToken (ONVIF Core 5.9.1: only the
 * PRE_AUTH class, GetSystemDateAndTime and the like, may answer without). */
static void onvif_operations(struct unauth_service *u, const char *base, const char *path)
{
	static const struct {
		const char *name, *namespace, *element, *data;
	} ops[] = {
		{"GetDeviceInformation", "http://www.onvif.org/ver10/device/wsdl",
		 "<tds:GetDeviceInformation/>", UNAUTH_DATA_FUNCTION},
		{"GetUsers", "http://www.onvif.org/ver10/device/wsdl", "<tds:GetUsers/>",
		 UNAUTH_DATA_SENSITIVE},
		{"GetSnapshotUri", "http://www.onvif.org/ver10/media/wsdl",
		 "<trt:GetSnapshotUri><trt:ProfileToken>Profile_1</trt:ProfileToken>"
		 "</trt:GetSnapshotUri>",
		 UNAUTH_DATA_PRIVACY},
	};
	char url[HTTP_PATH_MAX + 96];
	unauth_put(url, sizeof(url), "%s%s", base, path);
	for (size_t i = 0; i < DL_ARRAY_SIZE(ops); i++) {
		char body[1024];
		unauth_put(body, sizeof(body),
			   "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
			   "<s:Envelope xmlns:s=\"http://www.w3.org/2003/05/soap-envelope\" "
			   "xmlns:tds=\"http://www.onvif.org/ver10/device/wsdl\" "
			   "xmlns:trt=\"http://www.onvif.org/ver10/media/wsdl\">"
			   "<s:Body>%s</s:Body></s:Envelope>",
			   ops[i].element);
		char action[200], request[UNAUTH_REQUEST_MAX];
		unauth_put(action, sizeof(action), "%s/%s", ops[i].namespace, ops[i].name);
		unauth_put(request, sizeof(request), "POST %s ONVIF %s without a UsernameToken",
			   url, ops[i].name);
		struct http_answer *a = malloc(sizeof(*a));
		if (!a)
			return;
		if (!http_request(u, url, body, action, a)) {
			unauth_try(u, request, UNAUTH_NO_ANSWER, NULL, 0, (const uint8_t *)a->error,
				   strlen(a->error), "no answer");
		} else if (a->status == 401 || a->status == 403 ||
			   strcasestr(a->body, "NotAuthorized") ||
			   strcasestr(a->body, "FailedAuthentication")) {
			record(u, request, UNAUTH_AUTHENTICATES, NULL, a,
			       "refused without a UsernameToken (not authorized)");
		} else if (a->status >= 200 && a->status < 300 && strcasestr(a->body, "Response")) {
			char why[160];
			unauth_put(why, sizeof(why), "%s answered without credentials",
				   ops[i].name);
			record(u, request, UNAUTH_SERVED, ops[i].data, a, why);
		} else {
			record(u, request, UNAUTH_ABSENT, NULL, a,
			       "a fault other than 'not authorized': the operation is not there");
		}
		free(a);
	}
}

void unauth_http(struct unauth_service *u, bool tls)
{
	const struct scan_service *s = u->service;
	const struct profile *p = u->run->profile;
	char base[160];
	unauth_base_url(tls ? "https" : "http", s->address, s->port, base, sizeof(base));
	struct path_list *l = calloc(1, sizeof(*l));
	if (!l)
		return;
	path_add(l, "/", 1, "landing page");
	const char *onvif_path = NULL;
	for (size_t i = 0; p && i < p->adapter_count; i++) {
		const struct profile_adapter *ad = &p->adapters[i];
		if (ad->port != s->port || !ad->driver)
			continue;
		if (strcmp(ad->driver, "onvif") == 0) {
			onvif_path = profile_adapter_option(ad, "path");
			if (!onvif_path)
				onvif_path = "/onvif/device_service";
			continue;
		}
		if (!is_http_driver(ad->driver))
			continue;
		const char *whoami = profile_adapter_option(ad, "whoami_url");
		if (whoami)
			path_add(l, whoami, strlen(whoami), "whoami");
		/* Only GET actions: a request that changes state is never
		 * sent without credentials, where nobody could undo it. */
		for (size_t k = 0; k < ad->action_count; k++) {
			const char *r = ad->actions[k].request;
			if (!r || strncmp(r, "GET ", 4) != 0)
				continue;
			const char *path = r + 4;
			size_t len = strcspn(path, " ?\r\n");
			path_add(l, path, len, ad->actions[k].name);
		}
	}
	for (size_t i = 0; i < DL_ARRAY_SIZE(well_known); i++)
		path_add(l, well_known[i], strlen(well_known[i]), well_known[i]);
	/* and the pages discovery found linked or well known on this port */
	struct json_object *pages = scan_pages(u->run->scan, s->address, s->port);
	for (size_t i = 0; i < json_read_length(pages); i++) {
		const char *path = json_read_text(json_object_array_get_idx(pages, i), "path", "");
		path_add(l, path, strlen(path), path);
	}
	if (!onvif_path && profile_capability(p, "onvif") == 1 &&
	    (s->port == 80 || s->port == 8080 || s->port == 8000))
		onvif_path = "/onvif/device_service";

	struct http_answer *a = malloc(sizeof(*a));
	for (size_t i = 0; a && i < l->count; i++) {
		if (sock_remaining_ms(u->deadline_ns, UNAUTH_EXCHANGE_MS) <= 0)
			break;
		char url[HTTP_PATH_MAX + 96], request[UNAUTH_REQUEST_MAX];
		unauth_put(url, sizeof(url), "%s%s", base, l->path[i]);
		unauth_put(request, sizeof(request), "GET %s", url);
		if (!http_request(u, url, NULL, NULL, a)) {
			unauth_try(u, request, UNAUTH_NO_ANSWER, NULL, 0, (const uint8_t *)a->error,
				   strlen(a->error), "no answer");
			continue;
		}
		const char *kind =
			i == 0 ? UNAUTH_DATA_FUNCTION : unauth_data_kind(l->kind_text[i]);
		judge_get(u, request, kind, a);
	}
	free(a);
	free(l);
	if (onvif_path)
		onvif_operations(u, base, onvif_path);
}
