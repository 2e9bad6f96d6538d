/* scan-web: pages a web service serves without credentials: landing, linked, well-known */
#include "core/compat.h"

#include <json-c/json.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "checks/discovery/identify.h"
#include "checks/discovery/scan-internal.h"
#include "core/error.h"
#include "net/sock.h"

static bool has_login_form(const char *body)
{
	return strcasestr(body, "type=\"password\"") || strcasestr(body, "type='password'") ||
	       strcasestr(body, "type=password");
}

/*
 * Pages a web service may serve without a login that matter to IoT 5.4.1.3:
 * the landing page, the pages it links to, and a few paths where devices
 * commonly leave status, configuration or backups. Bounded: at most
 * WEB_PAGES_MAX requests per service.
 */
#define WEB_PAGES_MAX 12
#define WEB_PATH_MAX 160

static const char *const well_known_paths[] = {
	"/status.html", "/status",         "/info.html",  "/config",
	"/backup",      "/cgi-bin/status", "/device.xml", "/system.xml",
};

/* Content a person reads or a tool parses; style sheets, scripts, images
 * and fonts served without a login disclose nothing of the device. */
static bool is_document(const char *content_type)
{
	static const char *const documents[] = {"text/html",        "text/plain",
						"text/xml",         "application/xml",
						"application/json", "application/octet-stream"};
	if (!content_type[0])
		return true; /* no type: judge it as a document rather than miss it */
	for (size_t i = 0; i < DL_ARRAY_SIZE(documents); i++)
		if (strcmp(content_type, documents[i]) == 0)
			return true;
	return false;
}

struct web_paths {
	char path[WEB_PAGES_MAX][WEB_PATH_MAX];
	size_t count;
};

static void web_paths_add(struct web_paths *w, const char *path, size_t length)
{
	if (w->count >= WEB_PAGES_MAX || length == 0 || length + 2 > WEB_PATH_MAX)
		return;
	char candidate[WEB_PATH_MAX];
	size_t o = 0;
	if (path[0] != '/')
		candidate[o++] = '/';
	for (size_t i = 0; i < length && o + 1 < sizeof(candidate); i++) {
		unsigned char c = (unsigned char)path[i];
		if (c <= ' ' || c >= 0x7f || c == '"' || c == '\'' || c == '<' || c == '>' ||
		    c == '#')
			return; /* not a plain path; leave it */
		candidate[o++] = (char)c;
	}
	candidate[o] = '\0';
	for (size_t i = 0; i < w->count; i++)
		if (strcmp(w->path[i], candidate) == 0)
			return;
	memcpy(w->path[w->count++], candidate, o + 1);
}

/* Same-origin links of a page: href="x" with a relative or absolute path,
 * never another host or scheme. */
static void web_paths_from_links(struct web_paths *w, const char *body)
{
	for (const char *p = body; (p = strcasestr(p, "href=")) != NULL;) {
		p += 5;
		char quote = *p;
		if (quote != '"' && quote != '\'')
			continue;
		const char *start = ++p;
		const char *end = strchr(start, quote);
		if (!end || end - start >= WEB_PATH_MAX)
			continue;
		size_t length = (size_t)(end - start);
		bool foreign = memchr(start, ':', length) != NULL ||
			       (length >= 2 && start[0] == '/' && start[1] == '/') ||
			       start[0] == '#' || start[0] == '?';
		const char *query = memchr(start, '?', length);
		if (query)
			length = (size_t)(query - start);
		if (!foreign)
			web_paths_add(w, start, length);
		p = end;
	}
}

/* GET one page without credentials and record it in pages; a document
 * served with 200, no login form and no authentication challenge is a
 * "content" disclosure (IoT 5.4.1.3). Returns the fetch (caller frees) or
 * NULL when the request failed. */
static struct scan_http_fetch *web_page(struct scan_run *r, const char *base, const char *path,
					int64_t deadline_ns, struct json_object *pages,
					struct json_object *disclosures, bool *content)
{
	char url[WEB_PATH_MAX + 80];
	snprintf(url, sizeof(url), "%s%s", base, path);
	struct scan_http_fetch *f = malloc(sizeof(*f));
	if (!f)
		return NULL;
	struct dl_error err = {0};
	struct json_object *page = json_object_new_object();
	scan_add_string(page, "path", path);
	if (scan_http_get(r, url, deadline_ns, f, &err) < 0) {
		scan_add_string(page, "error", err.message);
		json_object_array_add(pages, page);
		free(f);
		return NULL;
	}
	bool login = has_login_form(f->body);
	char title[120] = "";
	scan_xml_field(f->body, "title", title, sizeof(title));
	json_object_object_add(page, "status", json_object_new_int64(f->status));
	json_object_object_add(page, "bytes", json_object_new_int64((int64_t)f->total));
	scan_add_string(page, "content_type", f->content_type);
	json_object_object_add(page, "login_form", json_object_new_boolean(login));
	json_object_object_add(page, "www_authenticate",
			       json_object_new_boolean(f->www_authenticate));
	scan_add_string(page, "title", title);
	json_object_array_add(pages, page);
	if (f->status == 200 && f->total > 0 && !login && !f->www_authenticate &&
	    is_document(f->content_type)) {
		char text[DISCLOSURE_TEXT_MAX];
		scan_put(text, sizeof(text),
			 "GET %s answered 200 with %" PRIu64 " bytes of %s and no login form%s%s%s",
			 url, f->total, f->content_type[0] ? f->content_type : "content",
			 title[0] ? " (title '" : "", title, title[0] ? "')" : "");
		scan_add_disclosure(disclosures, DISCLOSURE_KIND_CONTENT, "GET without credentials",
				    text);
		*content = true;
	}
	return f;
}

/* Fetch a web service's landing page, the pages it links to and a few
 * well-known paths, all without credentials, and record what is served
 * without a login. */
void scan_web_content(struct scan_run *r, const struct sock_address *a, uint16_t port, bool tls,
		      int64_t deadline_ns, struct json_object *service,
		      struct json_object *disclosures)
{
	char host[INET6_ADDRSTRLEN + 2], base[200];
	sock_address_text(a, host, sizeof(host));
	if (sock_address_family(a) == AF_INET6)
		snprintf(base, sizeof(base), "%s://[%s]:%u", tls ? "https" : "http", host, port);
	else
		snprintf(base, sizeof(base), "%s://%s:%u", tls ? "https" : "http", host, port);
	scan_annotate(r, "dutlab: GET pages without credentials (IoT 5.4.1.3)");
	struct json_object *http = json_object_new_object();
	struct json_object *pages = json_object_new_array();
	char url[240];
	snprintf(url, sizeof(url), "%s/", base);
	scan_add_string(http, "url", url);
	bool content = false;
	struct scan_http_fetch *landing =
		web_page(r, base, "/", deadline_ns, pages, disclosures, &content);
	if (landing) {
		char title[120] = "";
		scan_xml_field(landing->body, "title", title, sizeof(title));
		json_object_object_add(http, "status", json_object_new_int64(landing->status));
		if (landing->location[0])
			scan_add_string(http, "location", landing->location);
		json_object_object_add(http, "bytes",
				       json_object_new_int64((int64_t)landing->total));
		json_object_object_add(http, "login_form",
				       json_object_new_boolean(has_login_form(landing->body)));
		json_object_object_add(http, "www_authenticate",
				       json_object_new_boolean(landing->www_authenticate));
		scan_add_string(http, "title", title);

		struct web_paths w = {.count = 0};
		web_paths_add(&w, "/", 1);
		web_paths_from_links(&w, landing->body);
		for (size_t i = 0; i < DL_ARRAY_SIZE(well_known_paths); i++)
			web_paths_add(&w, well_known_paths[i], strlen(well_known_paths[i]));
		free(landing);
		for (size_t i = 1; i < w.count; i++) {
			if (sock_remaining_ms(deadline_ns, HTTP_MS) <= 0)
				break;
			free(web_page(r, base, w.path[i], deadline_ns, pages, disclosures,
				      &content));
		}
	} else {
		struct json_object *first = json_object_array_get_idx(pages, 0);
		struct json_object *error = NULL;
		if (first && json_object_object_get_ex(first, "error", &error))
			scan_add_string(http, "error", json_object_get_string(error));
	}
	json_object_object_add(http, "pages", pages);
	json_object_object_add(http, "content_without_login", json_object_new_boolean(content));
	json_object_object_add(service, "http", http);
}
