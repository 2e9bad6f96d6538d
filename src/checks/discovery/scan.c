/* scan: the discovery.scan collector: TCP scan, service identification, UDP probes, evidence */
#include "core/compat.h"

#include <ctype.h>
#include <curl/curl.h>
#include <json-c/json.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include "checks/check.h"
#include "checks/discovery/identify.h"
#include "checks/discovery/scan-view.h"
#include "checks/discovery/udp-probes.h"
#include "core/error.h"
#include "core/profile.h"
#include "core/text.h"
#include "net/capture.h"
#include "net/scope.h"
#include "net/sock.h"
#include "net/tcp-scan.h"
#include "net/udp.h"
#include "proto/ssdp.h"

/*
 * The observation (json-c), version 1. Paths are relative to the campaign
 * folder; strings from the DUT are printable ASCII with other bytes escaped
 * as \xNN and cut at a bound.
 *
 * {
 *   "version": 1,
 *   "interface": "tcam-bad" | null,     scope.interfaces[0]: every socket is bound to it
 *   "scan_method": "syn" | "connect",
 *   "duration_ms": 12034,
 *   "notes": ["capture on 'x' failed: ..."],   what went wrong without stopping the scan
 *   "addresses": [{
 *     "address": "198.18.2.2", "family": "ipv4" | "ipv6", "duration_ms": 9000,
 *     "tcp": {
 *       "method": "syn", "ports_scanned": 65535, "closed": 65527, "filtered": 0,
 *       "retried": 0, "complete": true, "duration_ms": 210, "window": 2048,
 *       "error": "..." (only when the scan could not run),
 *       "evidence": "evidence/discovery/198.18.2.2-tcp-scan.pcapng" | null,
 *       "open": [{
 *         "port": 23, "service": "telnet", "product": "busybox telnetd", "version": "",
 *         "detail": "one line", "method": "banner" | "probe-reply" | "port",
 *         "banner": "\\xff\\xfd\\x01...", "tls": false,
 *         "tls_version": "TLSv1.3", "tls_cipher": "TLS_AES_256_GCM_SHA384" (when tls),
 *         "debug": true, "debug_reason": "telnet: an unencrypted remote shell",
 *         "http": {"url": "http://198.18.2.2:80/", "status": 200, "bytes": 512,
 *                  "login_form": false, "www_authenticate": false, "title": "...",
 *                  "content_without_login": true,
 *                  "pages": [{"path": "/status.html", "status": 200, "bytes": 812,
 *                             "content_type": "text/html", "login_form": false,
 *                             "www_authenticate": false, "title": "..."}]},
 *         "disclosures": [{"kind": "version" | "device-info" | "content",
 *                          "source": "banner", "text": "..."}],
 *         "evidence": "evidence/discovery/198.18.2.2-tcp-23.pcapng" | null
 *       }]
 *     },
 *     "udp": {
 *       "probed": [{"port": 161, "service": "snmp", "probe": "snmp-v2c-public",
 *                   "state": "answered" | "closed" | "silent", "evidence": "..."}],
 *       "services": [{
 *         "port": 161, "service": "snmp", "product": "", "version": "",
 *         "detail": "SNMPv2c community 'public' answered: ...", "probe": "snmp-v2c-public",
 *         "debug": false, "disclosures": [...], "evidence": "...",
 *         "upnp": {"location": "http://...", "status": 200, "friendlyName": "...", ...}
 *       }]
 *     }
 *   }]
 * }
 *
 * Serves TS-0014-1 5.2.2.1, 5.3.2.1, 5.3.2.2 and IoT-1006-1 5.2.2.3,
 * 5.4.1.3 through the discovery.* judges.
 */

#define BANNER_WAIT_MS 800    /* services that speak first do so at once */
#define BANNER_QUIET_MS 200   /* stop reading once the banner paused */
#define EXCHANGE_MS 2000      /* connect + TLS handshake, or a probe's answer */
#define HTTP_MS 4000          /* one libcurl GET */
#define UDP_MS 1500           /* one UDP probe, two sends */
#define BANNER_JSON_MAX 256   /* raw bytes of a banner kept in the observation */
#define HTTP_BODY_MAX 65536   /* bytes of a page kept for the login-form test */
#define IDENTIFY_PORTS_MAX 64 /* open ports identified one by one; the rest by port */
#define SCAN_SNAPLEN 96       /* the full scan's capture keeps headers only */
#define SCAN_CAPTURE_MAX (24u << 20)
#define SCAN_CAPTURE_RATE 150000 /* packets per second while the scan is captured */
#define SERVICE_CAPTURE_MAX (4u << 20)
#define DEADLINE_RESERVE_NS (3 * 1000000000LL) /* to write the observation */

struct run {
	const struct check_context *ctx;
	const char *interface;
	struct capture *capture; /* of the address being scanned; NULL without capture */
	SSL_CTX *tls;
	struct json_object *notes;
	char evidence_dir[4096]; /* absolute: <campaign>/evidence/discovery */
	uint64_t progress_total;
	uint64_t progress_base; /* units done by earlier addresses */
	const char *address;    /* being scanned, for progress */
};

/* snprintf whose cut text is intended: every field of the observation is bounded. */
static void put(char *dst, size_t size, const char *format, ...)
	__attribute__((format(printf, 3, 4)));

static void put(char *dst, size_t size, const char *format, ...)
{
	va_list args;
	va_start(args, format);
	vsnprintf(dst, size, format, args);
	va_end(args);
}

/* Progress units per address: the TCP scan, the identification, the UDP probes. */
#define UNITS_TCP 700
#define UNITS_IDENTIFY 200
#define UNITS_UDP 100
#define UNITS_ADDRESS (UNITS_TCP + UNITS_IDENTIFY + UNITS_UDP)

static void progress(struct run *r, uint64_t done, const char *format, ...)
	__attribute__((format(printf, 3, 4)));

static void progress(struct run *r, uint64_t done, const char *format, ...)
{
	if (!r->ctx->progress)
		return;
	char what[160];
	va_list args;
	va_start(args, format);
	vsnprintf(what, sizeof(what), format, args);
	va_end(args);
	r->ctx->progress(r->ctx->progress_opaque, r->progress_base + done, r->progress_total, what);
}

static void note(struct run *r, const char *format, ...) __attribute__((format(printf, 2, 3)));

static void note(struct run *r, const char *format, ...)
{
	char text[DL_ERROR_MESSAGE_MAX + 128];
	va_list args;
	va_start(args, format);
	vsnprintf(text, sizeof(text), format, args);
	va_end(args);
	json_object_array_add(r->notes, json_object_new_string(text));
}

static bool time_left(int64_t deadline_ns, int64_t need_ns)
{
	return sock_now_ns() + need_ns < deadline_ns;
}

static int64_t soon(int64_t deadline_ns, int ms)
{
	int64_t t = sock_now_ns() + (int64_t)ms * 1000000;
	return t < deadline_ns ? t : deadline_ns;
}

/* Bytes from the DUT as printable ASCII: \r \n \t \\ and \xNN escapes. */
static struct json_object *printable(const uint8_t *p, size_t n, size_t max)
{
	char out[BANNER_JSON_MAX * 4 + 8];
	size_t o = 0;
	if (n > max)
		n = max;
	for (size_t i = 0; i < n && o + 5 < sizeof(out); i++) {
		uint8_t c = p[i];
		if (c == '\\') {
			out[o++] = '\\';
			out[o++] = '\\';
		} else if (c == '\r' || c == '\n' || c == '\t') {
			out[o++] = '\\';
			out[o++] = c == '\r' ? 'r' : c == '\n' ? 'n' : 't';
		} else if (c >= 0x20 && c < 0x7f) {
			out[o++] = (char)c;
		} else {
			static const char hex[] = "0123456789abcdef";
			out[o++] = '\\';
			out[o++] = 'x';
			out[o++] = hex[c >> 4];
			out[o++] = hex[c & 15];
		}
	}
	return json_object_new_string_len(out, (int)o);
}

static void add_string(struct json_object *o, const char *key, const char *value)
{
	json_object_object_add(o, key, json_object_new_string(value ? value : ""));
}

static void add_disclosures(struct json_object *list, const struct disclosure *d, size_t n,
			    const char *source)
{
	for (size_t i = 0; i < n; i++) {
		struct json_object *item = json_object_new_object();
		add_string(item, "kind", d[i].kind);
		add_string(item, "source", source);
		add_string(item, "text", d[i].text);
		json_object_array_add(list, item);
	}
}

static void add_disclosure(struct json_object *list, const char *kind, const char *source,
			   const char *text)
{
	struct disclosure d = {.kind = kind};
	snprintf(d.text, sizeof(d.text), "%s", text);
	add_disclosures(list, &d, 1, source);
}

/* ---- evidence ---- */

/* "198.18.2.2" -> "198.18.2.2"; "fd00:198::2" -> "fd00_198__2" (no ':' in file names). */
static void file_address(const char *address, char *out, size_t size)
{
	size_t i = 0;
	for (; address[i] && i + 1 < size; i++)
		out[i] = address[i] == ':' ? '_' : address[i];
	out[i] = '\0';
}

/* Open a sink for name (e.g. "tcp-23") of the current address; fills
 * relative with the path the observation records, or "" without capture. */
static void evidence_open(struct run *r, const char *name, const char *comment, uint32_t snaplen,
			  uint64_t max_bytes, const struct capture_match *match, size_t match_count,
			  bool icmp, char *relative, size_t relative_size)
{
	relative[0] = '\0';
	if (!r->capture || !r->evidence_dir[0])
		return;
	char address[64], file[160], path[4400];
	file_address(r->address, address, sizeof(address));
	snprintf(file, sizeof(file), "%s-%s.pcapng", address, name);
	snprintf(path, sizeof(path), "%s/%s", r->evidence_dir, file);
	struct dl_error err = {0};
	if (capture_sink_open(r->capture, path, comment, snaplen, max_bytes, match, match_count,
			      icmp, &err) < 0) {
		note(r, "evidence %s: %s", file, err.message);
		return;
	}
	snprintf(relative, relative_size, "evidence/discovery/%s", file);
}

static void evidence_close(struct run *r, char *relative)
{
	if (!r->capture || !relative[0])
		return;
	struct dl_error err = {0};
	uint64_t packets = 0;
	if (capture_sink_close(r->capture, 60, &packets, &err) < 0) {
		note(r, "evidence %s: %s", relative, err.message);
		relative[0] = '\0';
	}
}

static void annotate(struct run *r, const char *comment)
{
	capture_annotate(r->capture, comment);
}

/* ---- TCP identification ---- */

struct exchange {
	uint8_t reply[IDENTIFY_BANNER_MAX];
	size_t got;
	bool tls;
	char tls_version[32];
	char tls_cipher[64];
};

/* Wait for the socket while OpenSSL wants to read or write. */
static bool tls_wait(SSL *ssl, int fd, int result, int64_t deadline_ns)
{
	int e = SSL_get_error(ssl, result);
	short events = e == SSL_ERROR_WANT_READ ? POLLIN : e == SSL_ERROR_WANT_WRITE ? POLLOUT : 0;
	if (!events)
		return false;
	int wait_ms = sock_remaining_ms(deadline_ns, 1000);
	if (wait_ms == 0)
		return false;
	struct pollfd p = {.fd = fd, .events = events};
	return poll(&p, 1, wait_ms) >= 0;
}

/* Connect, try a TLS handshake and, if it completes, send request inside
 * and read the answer. x->tls says whether the handshake completed. */
static void tls_exchange(struct run *r, const struct sock_address *a, const uint8_t *request,
			 size_t length, int64_t deadline_ns, struct exchange *x)
{
	x->tls = false;
	x->got = 0;
	if (!r->tls)
		return;
	int fd = -1;
	struct dl_error err = {0};
	if (sock_tcp_connect(r->ctx->scope, a, r->interface, deadline_ns, &fd, &err) < 0)
		return;
	SSL *ssl = SSL_new(r->tls);
	if (!ssl || SSL_set_fd(ssl, fd) != 1)
		goto out;
	for (;;) {
		int rc = SSL_connect(ssl);
		if (rc == 1)
			break;
		if (!tls_wait(ssl, fd, rc, deadline_ns))
			goto out;
	}
	x->tls = true;
	snprintf(x->tls_version, sizeof(x->tls_version), "%s", SSL_get_version(ssl));
	snprintf(x->tls_cipher, sizeof(x->tls_cipher), "%s", SSL_get_cipher_name(ssl));
	size_t sent = 0;
	while (sent < length) {
		int rc = SSL_write(ssl, request + sent, (int)(length - sent));
		if (rc > 0) {
			sent += (size_t)rc;
			continue;
		}
		if (!tls_wait(ssl, fd, rc, deadline_ns))
			goto out;
	}
	while (x->got < sizeof(x->reply)) {
		int rc = SSL_read(ssl, x->reply + x->got, (int)(sizeof(x->reply) - x->got));
		if (rc > 0) {
			x->got += (size_t)rc;
			continue;
		}
		if (!tls_wait(ssl, fd, rc, deadline_ns))
			break;
	}
out:
	ERR_clear_error();
	if (ssl) {
		SSL_shutdown(ssl);
		SSL_free(ssl);
	}
	sock_close_reset(fd);
}

/* Connect, send request (may be NULL: just listen), read what comes back. */
static int plain_exchange(struct run *r, const struct sock_address *a, const uint8_t *request,
			  size_t length, int wait_ms, int64_t deadline_ns, struct exchange *x,
			  struct dl_error *err)
{
	x->got = 0;
	x->tls = false;
	int fd = -1;
	int rc = sock_tcp_connect(r->ctx->scope, a, r->interface, soon(deadline_ns, EXCHANGE_MS),
				  &fd, err);
	if (rc < 0)
		return rc;
	if (request)
		rc = sock_send_all(fd, request, length, soon(deadline_ns, EXCHANGE_MS), err);
	if (rc == 0)
		rc = sock_recv_some(fd, x->reply, sizeof(x->reply), soon(deadline_ns, wait_ms),
				    BANNER_QUIET_MS, &x->got, err);
	sock_close_reset(fd);
	return rc;
}

static bool identified(const struct service_identity *id)
{
	return strcmp(id->service, "unknown") != 0 && strcmp(id->method, "port") != 0;
}

static bool is_web(const struct service_identity *id)
{
	return strcmp(id->service, "http") == 0 || strcmp(id->service, "https") == 0 ||
	       strcmp(id->service, "http-alt") == 0 || strcmp(id->service, "https-alt") == 0;
}

/* ---- libcurl, held to the scope ---- */

struct http_fetch {
	struct run *run;
	char body[HTTP_BODY_MAX + 1];
	size_t bytes;   /* kept in body */
	uint64_t total; /* received */
	bool www_authenticate;
	long status;
	char content_type[64];
	char error[CURL_ERROR_SIZE];
};

/* Every socket libcurl opens passes the scope guard and is bound to the
 * tester interface, like ours. */
static curl_socket_t http_open_socket(void *opaque, curlsocktype purpose,
				      struct curl_sockaddr *address)
{
	struct http_fetch *f = opaque;
	if (purpose != CURLSOCKTYPE_IPCXN || address->addrlen > sizeof(struct sockaddr_storage))
		return CURL_SOCKET_BAD;
	struct sock_address a = {.length = address->addrlen};
	memcpy(&a.storage, &address->addr, address->addrlen);
	int fd = -1;
	struct dl_error err = {0};
	if (sock_open(f->run->ctx->scope, &a, address->socktype, address->protocol,
		      f->run->interface, &fd, &err) < 0) {
		put(f->error, sizeof(f->error), "%s", err.message);
		return CURL_SOCKET_BAD;
	}
	return fd;
}

static size_t http_body(char *data, size_t size, size_t count, void *opaque)
{
	struct http_fetch *f = opaque;
	size_t n = size * count;
	f->total += n;
	size_t room = HTTP_BODY_MAX - f->bytes;
	size_t keep = n < room ? n : room;
	memcpy(f->body + f->bytes, data, keep);
	f->bytes += keep;
	f->body[f->bytes] = '\0';
	return n;
}

static size_t http_header(char *data, size_t size, size_t count, void *opaque)
{
	struct http_fetch *f = opaque;
	size_t n = size * count;
	if (n >= 17 && strncasecmp(data, "WWW-Authenticate:", 17) == 0)
		f->www_authenticate = true;
	if (n >= 13 && strncasecmp(data, "Content-Type:", 13) == 0) {
		size_t o = 0;
		for (size_t i = 13; i < n && o + 1 < sizeof(f->content_type); i++) {
			char c = data[i];
			if (c == ';' || c == '\r' || c == '\n')
				break;
			if (c != ' ' || o > 0)
				f->content_type[o++] = (char)tolower((unsigned char)c);
		}
		f->content_type[o] = '\0';
	}
	return n;
}

/* GET url within deadline_ns; 0 with f filled, or DL_ESCOPE/DL_EIO with err. */
static int http_get(struct run *r, const char *url, int64_t deadline_ns, struct http_fetch *f,
		    struct dl_error *err)
{
	memset(f, 0, sizeof(*f));
	f->run = r;
	/* The URL's host must be an address in scope: a name would need DNS,
	 * and a LOCATION could point anywhere. */
	CURLU *u = curl_url();
	char *host = NULL;
	int rc = 0;
	if (!u || curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK) {
		rc = dl_error_set(err, DL_EINVAL, "'%s' is not a URL", url);
		goto out;
	}
	char bare[128];
	size_t n = strlen(host);
	if (n >= 2 && host[0] == '[' && host[n - 1] == ']' && n - 2 < sizeof(bare)) {
		memcpy(bare, host + 1, n - 2);
		bare[n - 2] = '\0';
	} else {
		snprintf(bare, sizeof(bare), "%s", host);
	}
	rc = scope_permit_text(r->ctx->scope, bare, r->interface, err);
	if (rc < 0)
		goto out;
	int timeout_ms = sock_remaining_ms(deadline_ns, HTTP_MS);
	if (timeout_ms <= 0) {
		rc = dl_error_set(err, DL_ETIMEDOUT, "no time left to fetch %s", url);
		goto out;
	}
	CURL *curl = curl_easy_init();
	if (!curl) {
		rc = dl_error_set(err, DL_ENOMEM, "libcurl: cannot start a transfer");
		goto out;
	}
	curl_easy_setopt(curl, CURLOPT_URL, url);
	curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(curl, CURLOPT_NOPROXY, "*");
	curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, (long)timeout_ms);
	curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 0L);
	curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 0L);
	curl_easy_setopt(curl, CURLOPT_USERAGENT, "dutlab/0.1");
	curl_easy_setopt(curl, CURLOPT_OPENSOCKETFUNCTION, http_open_socket);
	curl_easy_setopt(curl, CURLOPT_OPENSOCKETDATA, f);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, http_body);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, f);
	curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, http_header);
	curl_easy_setopt(curl, CURLOPT_HEADERDATA, f);
	curl_easy_setopt(curl, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)(4u << 20));
	char curl_error[CURL_ERROR_SIZE] = "";
	curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, curl_error);
	CURLcode code = curl_easy_perform(curl);
	curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &f->status);
	curl_easy_cleanup(curl);
	if (code != CURLE_OK && f->status == 0) {
		rc = dl_error_set(err, f->error[0] ? DL_ESCOPE : DL_EIO, "GET %s: %s", url,
				  f->error[0]     ? f->error
				  : curl_error[0] ? curl_error
						  : curl_easy_strerror(code));
	}
out:
	curl_free(host);
	curl_url_cleanup(u);
	return rc;
}

/* Case-insensitive search in a bounded, terminated buffer. */
static const char *find_text(const char *haystack, const char *needle)
{
	return strcasestr(haystack, needle);
}

/* Copy the text between <tag> and </tag> (first one, case-insensitive),
 * printable, into out. */
static bool xml_field(const char *doc, const char *tag, char *out, size_t size)
{
	char open[64], close[64];
	snprintf(open, sizeof(open), "<%s>", tag);
	snprintf(close, sizeof(close), "</%s>", tag);
	const char *start = find_text(doc, open);
	if (!start)
		return false;
	start += strlen(open);
	const char *end = find_text(start, close);
	if (!end)
		return false;
	size_t o = 0;
	for (const char *p = start; p < end && o + 1 < size; p++)
		out[o++] = (*p >= 0x20 && *p < 0x7f) ? *p : ' ';
	out[o] = '\0';
	return o > 0;
}

static bool has_login_form(const char *body)
{
	return find_text(body, "type=\"password\"") || find_text(body, "type='password'") ||
	       find_text(body, "type=password");
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
static struct http_fetch *web_page(struct run *r, const char *base, const char *path,
				   int64_t deadline_ns, struct json_object *pages,
				   struct json_object *disclosures, bool *content)
{
	char url[WEB_PATH_MAX + 80];
	snprintf(url, sizeof(url), "%s%s", base, path);
	struct http_fetch *f = malloc(sizeof(*f));
	if (!f)
		return NULL;
	struct dl_error err = {0};
	struct json_object *page = json_object_new_object();
	add_string(page, "path", path);
	if (http_get(r, url, deadline_ns, f, &err) < 0) {
		add_string(page, "error", err.message);
		json_object_array_add(pages, page);
		free(f);
		return NULL;
	}
	bool login = has_login_form(f->body);
	char title[120] = "";
	xml_field(f->body, "title", title, sizeof(title));
	json_object_object_add(page, "status", json_object_new_int64(f->status));
	json_object_object_add(page, "bytes", json_object_new_int64((int64_t)f->total));
	add_string(page, "content_type", f->content_type);
	json_object_object_add(page, "login_form", json_object_new_boolean(login));
	json_object_object_add(page, "www_authenticate",
			       json_object_new_boolean(f->www_authenticate));
	add_string(page, "title", title);
	json_object_array_add(pages, page);
	if (f->status == 200 && f->total > 0 && !login && !f->www_authenticate &&
	    is_document(f->content_type)) {
		char text[DISCLOSURE_TEXT_MAX];
		put(text, sizeof(text),
		    "GET %s answered 200 with %" PRIu64 " bytes of %s and no login form%s%s%s", url,
		    f->total, f->content_type[0] ? f->content_type : "content",
		    title[0] ? " (title '" : "", title, title[0] ? "')" : "");
		add_disclosure(disclosures, DISCLOSURE_KIND_CONTENT, "GET without credentials",
			       text);
		*content = true;
	}
	return f;
}

/* Fetch a web service's landing page, the pages it links to and a few
 * well-known paths, all without credentials, and record what is served
 * without a login. */
static void web_content(struct run *r, const struct sock_address *a, uint16_t port, bool tls,
			int64_t deadline_ns, struct json_object *service,
			struct json_object *disclosures)
{
	char host[INET6_ADDRSTRLEN + 2], base[200];
	sock_address_text(a, host, sizeof(host));
	if (sock_address_family(a) == AF_INET6)
		snprintf(base, sizeof(base), "%s://[%s]:%u", tls ? "https" : "http", host, port);
	else
		snprintf(base, sizeof(base), "%s://%s:%u", tls ? "https" : "http", host, port);
	annotate(r, "dutlab: GET pages without credentials (IoT 5.4.1.3)");
	struct json_object *http = json_object_new_object();
	struct json_object *pages = json_object_new_array();
	char url[240];
	snprintf(url, sizeof(url), "%s/", base);
	add_string(http, "url", url);
	bool content = false;
	struct http_fetch *landing =
		web_page(r, base, "/", deadline_ns, pages, disclosures, &content);
	if (landing) {
		char title[120] = "";
		xml_field(landing->body, "title", title, sizeof(title));
		json_object_object_add(http, "status", json_object_new_int64(landing->status));
		json_object_object_add(http, "bytes",
				       json_object_new_int64((int64_t)landing->total));
		json_object_object_add(http, "login_form",
				       json_object_new_boolean(has_login_form(landing->body)));
		json_object_object_add(http, "www_authenticate",
				       json_object_new_boolean(landing->www_authenticate));
		add_string(http, "title", title);

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
			add_string(http, "error", json_object_get_string(error));
	}
	json_object_object_add(http, "pages", pages);
	json_object_object_add(http, "content_without_login", json_object_new_boolean(content));
	json_object_object_add(service, "http", http);
}

/* Identify one open TCP port and describe it as JSON. */
static struct json_object *identify_port(struct run *r, const struct sock_address *target,
					 uint16_t port, int64_t deadline_ns)
{
	struct json_object *o = json_object_new_object();
	json_object_object_add(o, "port", json_object_new_int(port));
	struct sock_address a = *target;
	sock_address_set_port(&a, port);
	char name[32], evidence[256];
	snprintf(name, sizeof(name), "tcp-%u", port);
	struct capture_match match = {.protocol = IPPROTO_TCP, .port = port};
	evidence_open(r, name, "dutlab discovery.scan: identification of one TCP service", 0,
		      SERVICE_CAPTURE_MAX, &match, 1, false, evidence, sizeof(evidence));

	struct exchange *x = calloc(1, sizeof(*x));
	struct service_identity id;
	struct json_object *disclosures = json_object_new_array();
	struct dl_error err = {0};
	if (!x) {
		identify_service(port, NULL, 0, false, &id);
		goto describe;
	}
	/* 1. what it says first */
	annotate(r, "dutlab: connect and wait for a banner");
	plain_exchange(r, &a, NULL, 0, BANNER_WAIT_MS, deadline_ns, x, &err);
	if (x->got > 0) {
		identify_service(port, x->reply, x->got, false, &id);
		json_object_object_add(o, "banner", printable(x->reply, x->got, BANNER_JSON_MAX));
		goto describe;
	}
	/* 2. silent: a probe, in TLS or in the clear. Web ports try TLS first
	 * (a plain GET to an HTTPS port looks like HTTP); others their own
	 * protocol first (a ClientHello may upset a debugger). */
	const struct identify_probe *probe = identify_probe_for(port);
	const struct identify_probe *fallback = identify_probe_for(80);
	bool web_probe = !probe || strcmp(probe->name, "http-get") == 0;
	const struct identify_probe *p = probe ? probe : fallback;
	bool done = false;
	bool have_plain = false;
	struct service_identity plain_id;
	for (int attempt = 0; attempt < 2 && !done; attempt++) {
		bool try_tls = (attempt == 0) == web_probe;
		if (!time_left(deadline_ns, EXCHANGE_MS * 1000000LL))
			break;
		if (try_tls) {
			annotate(r, "dutlab: TLS ClientHello: is this service TLS?");
			tls_exchange(r, &a, p ? p->bytes : NULL, p ? p->len : 0,
				     soon(deadline_ns, EXCHANGE_MS), x);
			if (!x->tls)
				continue;
			identify_service(port, x->reply, x->got, true, &id);
			if (x->got > 0)
				json_object_object_add(
					o, "banner", printable(x->reply, x->got, BANNER_JSON_MAX));
			done = true;
		} else if (p) {
			char comment[96];
			snprintf(comment, sizeof(comment), "dutlab: probe %s", p->name);
			annotate(r, comment);
			plain_exchange(r, &a, p->bytes, p->len, EXCHANGE_MS, deadline_ns, x, &err);
			if (x->got == 0)
				continue;
			identify_service(port, x->reply, x->got, false, &plain_id);
			json_object_object_add(o, "banner",
					       printable(x->reply, x->got, BANNER_JSON_MAX));
			have_plain = true;
			done = identified(&plain_id);
			if (done)
				id = plain_id;
		}
	}
	if (!done && have_plain)
		id = plain_id;
	else if (!done)
		identify_service(port, NULL, 0, false, &id);
	if (!done || !x->tls)
		x->tls = false;
describe:
	add_string(o, "service", id.service);
	add_string(o, "product", id.product);
	add_string(o, "version", id.version);
	add_string(o, "detail", id.detail);
	add_string(o, "method", id.method);
	json_object_object_add(o, "tls", json_object_new_boolean(x && x->tls));
	if (x && x->tls) {
		add_string(o, "tls_version", x->tls_version);
		add_string(o, "tls_cipher", x->tls_cipher);
	}
	json_object_object_add(o, "debug", json_object_new_boolean(id.debug));
	if (id.debug) {
		const char *reason = identify_debug_port_reason(port);
		add_string(o, "debug_reason", reason && !identified(&id) ? reason : id.detail);
	}
	add_disclosures(disclosures, id.disclosures, id.disclosure_count,
			strcmp(id.method, "banner") == 0 ? "banner" : "reply to a probe");
	if (is_web(&id) && time_left(deadline_ns, 1000000000LL))
		web_content(r, &a, port, x && x->tls, soon(deadline_ns, HTTP_MS), o, disclosures);
	json_object_object_add(o, "disclosures", disclosures);
	evidence_close(r, evidence);
	json_object_object_add(o, "evidence",
			       evidence[0] ? json_object_new_string(evidence) : NULL);
	free(x);
	return o;
}

/* An open port we had no time or room to talk to: named by its port. */
static struct json_object *unidentified_port(uint16_t port, const char *why)
{
	struct json_object *o = json_object_new_object();
	json_object_object_add(o, "port", json_object_new_int(port));
	const char *hint = identify_port_hint("tcp", port);
	add_string(o, "service", hint ? hint : "unknown");
	add_string(o, "detail", why);
	add_string(o, "method", "port");
	json_object_object_add(o, "tls", json_object_new_boolean(false));
	const char *reason = identify_debug_port_reason(port);
	json_object_object_add(o, "debug", json_object_new_boolean(reason != NULL));
	if (reason)
		add_string(o, "debug_reason", reason);
	json_object_object_add(o, "disclosures", json_object_new_array());
	json_object_object_add(o, "evidence", NULL);
	return o;
}

/* ---- UDP ---- */

/* The UPnP device description a LOCATION names (UDA 2.0 2.3), its fields
 * recorded as device-info disclosures. */
static void upnp_description(struct run *r, const char *location, int64_t deadline_ns,
			     struct json_object *service, struct json_object *disclosures)
{
	struct json_object *upnp = json_object_new_object();
	add_string(upnp, "location", location);
	json_object_object_add(service, "upnp", upnp);
	/* Let the description's TCP exchange into the SSDP evidence. */
	CURLU *u = curl_url();
	char *port_text = NULL;
	if (u && curl_url_set(u, CURLUPART_URL, location, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_PORT, &port_text, CURLU_DEFAULT_PORT) == CURLUE_OK) {
		long port = 0;
		if (text_parse_long(port_text, 1, 65535, &port) == 0 && r->capture)
			capture_sink_add_match(r->capture,
					       &(struct capture_match){.protocol = IPPROTO_TCP,
								       .port = (uint16_t)port});
	}
	curl_free(port_text);
	curl_url_cleanup(u);

	struct http_fetch *f = malloc(sizeof(*f));
	if (!f)
		return;
	struct dl_error err = {0};
	annotate(r, "dutlab: GET the UPnP device description named by LOCATION");
	if (http_get(r, location, deadline_ns, f, &err) < 0) {
		add_string(upnp, "error", err.message);
		free(f);
		return;
	}
	json_object_object_add(upnp, "status", json_object_new_int64(f->status));
	static const char *const fields[] = {"friendlyName", "manufacturer", "modelName",
					     "modelNumber",  "serialNumber", "modelDescription",
					     "UDN"};
	for (size_t i = 0; i < DL_ARRAY_SIZE(fields) && f->status == 200; i++) {
		char value[160];
		if (!xml_field(f->body, fields[i], value, sizeof(value)))
			continue;
		add_string(upnp, fields[i], value);
		char text[DISCLOSURE_TEXT_MAX];
		snprintf(text, sizeof(text), "UPnP %s '%s'", fields[i], value);
		add_disclosure(disclosures, DISCLOSURE_KIND_DEVICE_INFO, "UPnP device description",
			       text);
	}
	free(f);
}

static void udp_probe_port(struct run *r, const struct sock_address *target, uint16_t port,
			   int64_t deadline_ns, struct json_object *probed,
			   struct json_object *services)
{
	char name[32], evidence[256];
	snprintf(name, sizeof(name), "udp-%u", port);
	struct capture_match match = {.protocol = IPPROTO_UDP, .port = port};
	evidence_open(r, name, "dutlab discovery.scan: UDP probes of one port", 0,
		      SERVICE_CAPTURE_MAX, &match, 1, true, evidence, sizeof(evidence));
	char address[INET6_ADDRSTRLEN];
	sock_address_text(target, address, sizeof(address));
	struct sock_address a = *target;
	sock_address_set_port(&a, port);
	struct json_object *found = NULL;
	struct json_object **entries = calloc(udp_probe_count, sizeof(*entries));
	size_t entry_count = 0;
	uint8_t request[UDP_PROBE_PAYLOAD_MAX];
	uint8_t *reply = malloc(65536);
	for (size_t i = 0; i < udp_probe_count && reply && entries && !found; i++) {
		const struct udp_probe *p = &udp_probes[i];
		if (p->port != port || !time_left(deadline_ns, UDP_MS * 1000000LL))
			continue;
		struct json_object *entry = json_object_new_object();
		json_object_object_add(entry, "port", json_object_new_int(port));
		add_string(entry, "service", p->service);
		add_string(entry, "probe", p->name);
		entries[entry_count++] = entry;
		size_t length = 0;
		struct dl_error err = {0};
		if (p->build(request, sizeof(request), &length, address, &err) < 0) {
			add_string(entry, "state", "error");
			add_string(entry, "error", err.message);
			continue;
		}
		char comment[96];
		snprintf(comment, sizeof(comment), "dutlab: probe %s", p->name);
		annotate(r, comment);
		size_t got = 0;
		enum udp_outcome outcome = UDP_SILENT;
		if (udp_exchange(r->ctx->scope, r->interface, &a, request, length, reply, 65536,
				 &got, 2, soon(deadline_ns, UDP_MS), &outcome, &err) < 0) {
			add_string(entry, "state", "error");
			add_string(entry, "error", err.message);
			continue;
		}
		add_string(entry, "state", udp_outcome_name(outcome));
		if (outcome != UDP_ANSWERED)
			continue;
		found = json_object_new_object();
		json_object_object_add(found, "port", json_object_new_int(port));
		add_string(found, "service", p->service);
		add_string(found, "probe", p->name);
		struct json_object *disclosures = json_object_new_array();
		struct udp_probe_result result;
		memset(&result, 0, sizeof(result));
		if (p->describe && p->describe(reply, got, &result, &err) < 0) {
			char detail[DL_ERROR_MESSAGE_MAX + 64];
			snprintf(detail, sizeof(detail), "answered, but the reply is malformed: %s",
				 err.message);
			add_string(found, "detail", detail);
		} else {
			add_string(found, "product", result.product);
			add_string(found, "version", result.version);
			add_string(found, "detail", result.summary);
			char source[64];
			snprintf(source, sizeof(source), "reply to %s", p->name);
			add_disclosures(disclosures, result.disclosures, result.disclosure_count,
					source);
		}
		json_object_object_add(found, "debug", json_object_new_boolean(false));
		if (strcmp(p->service, "ssdp") == 0) {
			struct ssdp_response ssdp;
			struct dl_error ssdp_err = {0};
			if (ssdp_parse_response(reply, got, &ssdp, &ssdp_err) == 0 &&
			    ssdp.location[0])
				upnp_description(r, ssdp.location, soon(deadline_ns, HTTP_MS),
						 found, disclosures);
		}
		json_object_object_add(found, "disclosures", disclosures);
	}
	evidence_close(r, evidence);
	for (size_t i = 0; i < entry_count; i++) {
		json_object_object_add(entries[i], "evidence",
				       evidence[0] ? json_object_new_string(evidence) : NULL);
		json_object_array_add(probed, entries[i]);
	}
	if (found) {
		json_object_object_add(found, "evidence",
				       evidence[0] ? json_object_new_string(evidence) : NULL);
		json_object_array_add(services, found);
	}
	free(entries);
	free(reply);
}

/* ---- one address ---- */

static void tcp_progress(void *opaque, uint64_t done, uint64_t total)
{
	struct run *r = opaque;
	progress(r, total ? done * UNITS_TCP / total : 0, "tcp %s %" PRIu64 "/%" PRIu64, r->address,
		 done, total);
}

static int scan_address(struct run *r, const char *address_text, struct json_object *out_list,
			const char **method_used, struct dl_error *err)
{
	const struct check_context *ctx = r->ctx;
	int64_t deadline_ns = ctx->deadline_ns - DEADLINE_RESERVE_NS;
	int64_t started = sock_now_ns();
	struct sock_address target;
	int rc = sock_address_parse(address_text, 0, &target, err);
	if (rc < 0)
		return rc;
	char address[INET6_ADDRSTRLEN];
	sock_address_text(&target, address, sizeof(address));
	r->address = address;

	struct json_object *a = json_object_new_object();
	add_string(a, "address", address);
	add_string(a, "family", sock_address_family(&target) == AF_INET ? "ipv4" : "ipv6");
	json_object_array_add(out_list, a);
	struct json_object *tcp = json_object_new_object();
	struct json_object *open = json_object_new_array();
	json_object_object_add(a, "tcp", tcp);
	struct json_object *udp = json_object_new_object();
	struct json_object *probed = json_object_new_array();
	struct json_object *services = json_object_new_array();
	json_object_object_add(udp, "probed", probed);
	json_object_object_add(udp, "services", services);
	json_object_object_add(a, "udp", udp);

	char filter[96];
	snprintf(filter, sizeof(filter), "host %s", address);
	struct dl_error capture_err = {0};
	r->capture = NULL;
	if (r->evidence_dir[0] &&
	    capture_start(&r->capture, r->interface, filter, &capture_err) < 0) {
		note(r, "no evidence for %s: %s", address, capture_err.message);
		r->capture = NULL;
	}

	/* The full TCP scan. */
	char evidence[256];
	evidence_open(r, "tcp-scan", "dutlab discovery.scan: TCP scan of ports 1-65535",
		      SCAN_SNAPLEN, SCAN_CAPTURE_MAX, NULL, 0, false, evidence, sizeof(evidence));
	struct tcp_scan_options options = {
		.retries = 1,
		/* the capture thread keeps up with this rate on 2 CPUs (measured:
		 * unpaced, 1-40% of the scan's packets were dropped) */
		.max_rate = r->capture ? SCAN_CAPTURE_RATE : 0,
		.progress = tcp_progress,
		.progress_opaque = r,
	};
	struct tcp_scan_result result;
	struct dl_error scan_err = {0};
	rc = tcp_scan(ctx->scope, r->interface, &target, &options, deadline_ns, &result, &scan_err);
	evidence_close(r, evidence);
	json_object_object_add(tcp, "evidence",
			       evidence[0] ? json_object_new_string(evidence) : NULL);
	json_object_object_add(tcp, "open", open);
	if (rc == DL_ESCOPE) {
		capture_stop(r->capture);
		r->capture = NULL;
		if (err)
			*err = scan_err;
		return rc;
	}
	if (rc < 0) {
		add_string(tcp, "error", scan_err.message);
		json_object_object_add(tcp, "complete", json_object_new_boolean(false));
		memset(&result, 0, sizeof(result));
	} else {
		*method_used = tcp_scan_method_name(result.method);
		add_string(tcp, "method", *method_used);
		json_object_object_add(tcp, "ports_scanned", json_object_new_int64(result.scanned));
		json_object_object_add(tcp, "closed", json_object_new_int64(result.closed));
		json_object_object_add(tcp, "filtered", json_object_new_int64(result.filtered));
		json_object_object_add(tcp, "retried", json_object_new_int64(result.retried));
		json_object_object_add(tcp, "complete", json_object_new_boolean(result.complete));
		json_object_object_add(tcp, "window", json_object_new_int64(result.window));
		json_object_object_add(tcp, "duration_ms",
				       json_object_new_int64(result.duration_ns / 1000000));
	}

	/* Each open port. */
	for (size_t i = 0; i < result.open_count; i++) {
		uint16_t port = result.open[i];
		progress(r, UNITS_TCP + UNITS_IDENTIFY * i / result.open_count,
			 "identify %s tcp/%u", address, port);
		if (i >= IDENTIFY_PORTS_MAX)
			json_object_array_add(open,
					      unidentified_port(port, "not probed: more open ports "
								      "than dutlab identifies"));
		else if (!time_left(deadline_ns, 2 * EXCHANGE_MS * 1000000LL))
			json_object_array_add(open,
					      unidentified_port(port, "not probed: the collector's "
								      "deadline came first"));
		else
			json_object_array_add(open, identify_port(r, &target, port, deadline_ns));
	}
	tcp_scan_result_release(&result);

	/* UDP: each port of the probe table once, in table order. */
	for (size_t i = 0; i < udp_probe_count; i++) {
		bool seen = false;
		for (size_t j = 0; j < i && !seen; j++)
			seen = udp_probes[j].port == udp_probes[i].port;
		if (seen)
			continue;
		progress(r, UNITS_TCP + UNITS_IDENTIFY + UNITS_UDP * i / udp_probe_count,
			 "udp %s %s", address, udp_probes[i].service);
		udp_probe_port(r, &target, udp_probes[i].port, deadline_ns, probed, services);
	}
	if (r->capture) {
		uint64_t drops = capture_kernel_drops(r->capture);
		if (drops)
			note(r,
			     "capture of %s: the kernel dropped %" PRIu64
			     " packets; the evidence misses them",
			     address, drops);
	}
	capture_stop(r->capture);
	r->capture = NULL;
	json_object_object_add(a, "duration_ms",
			       json_object_new_int64((sock_now_ns() - started) / 1000000));
	return 0;
}

static int make_dir(const char *path, struct dl_error *err)
{
	if (mkdir(path, 0755) < 0 && errno != EEXIST)
		return dl_error_set(err, DL_EIO, "cannot create '%s': %s", path, strerror(errno));
	return 0;
}

static int collect(const struct check_context *ctx, struct json_object **observation,
		   struct dl_error *err)
{
	*observation = NULL;
	const struct profile *profile = ctx->profile;
	if (!profile || profile->address_count == 0)
		return dl_error_set(err, DL_EINVAL,
				    "discovery.scan: the profile names no dut.addresses to scan");
	struct run r = {
		.ctx = ctx,
		.interface = sock_interface(ctx->scope),
		.progress_total = (uint64_t)profile->address_count * UNITS_ADDRESS,
	};
	int rc = 0;
	if (ctx->evidence_dir) {
		snprintf(r.evidence_dir, sizeof(r.evidence_dir), "%s/discovery", ctx->evidence_dir);
		rc = make_dir(r.evidence_dir, err);
		if (rc < 0)
			return rc;
	}
	/* Without an evidence folder nothing is captured (dutlab scan without
	 * --evidence); a campaign always has one. */
	int64_t started = sock_now_ns();
	struct json_object *o = json_object_new_object();
	r.notes = json_object_new_array();
	json_object_object_add(o, "version", json_object_new_int(1));
	json_object_object_add(o, "interface",
			       r.interface ? json_object_new_string(r.interface) : NULL);
	struct json_object *addresses = json_object_new_array();
	json_object_object_add(o, "addresses", addresses);
	json_object_object_add(o, "notes", r.notes);

	curl_global_init(CURL_GLOBAL_DEFAULT);
	r.tls = SSL_CTX_new(TLS_client_method());
	if (r.tls) {
		/* Detection, not judgement: accept any version and cipher. */
		SSL_CTX_set_security_level(r.tls, 0);
		SSL_CTX_set_min_proto_version(r.tls, 0);
		SSL_CTX_set_cipher_list(r.tls, "ALL:@SECLEVEL=0");
		SSL_CTX_set_verify(r.tls, SSL_VERIFY_NONE, NULL);
	} else {
		note(&r, "OpenSSL: cannot create a TLS context; TLS services are not recognised");
	}
	const char *method = "syn";
	for (size_t i = 0; i < profile->address_count && rc == 0; i++) {
		r.progress_base = (uint64_t)i * UNITS_ADDRESS;
		rc = scan_address(&r, profile->addresses[i], addresses, &method, err);
	}
	json_object_object_add(o, "scan_method", json_object_new_string(method));
	json_object_object_add(o, "duration_ms",
			       json_object_new_int64((sock_now_ns() - started) / 1000000));
	SSL_CTX_free(r.tls);
	curl_global_cleanup();
	if (rc < 0) {
		json_object_put(o);
		return rc;
	}
	if (ctx->progress)
		ctx->progress(ctx->progress_opaque, r.progress_total, r.progress_total, "done");
	*observation = o;
	return 0;
}

const struct collector collector_discovery_scan = {
	.id = "discovery.scan",
	.summary = "TCP scan of ports 1-65535, service identification and UDP discovery probes",
	.needs = NEED_DUT_ADDRESS | NEED_CAPTURE,
	.timeout_seconds = 300,
	.expected_seconds = 20,
	.collect = collect,
};
