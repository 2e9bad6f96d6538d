/* scan-http: one GET through libcurl, held to the scope, and the text of one element of a page */
#include "core/compat.h"

#include <assert.h>
#include <ctype.h>
#include <curl/curl.h>

#include "checks/check.h"
#include "checks/discovery/scan-internal.h"
#include "core/error.h"
#include "net/scope.h"
#include "net/sock.h"

static_assert(SCAN_HTTP_ERROR_MAX == CURL_ERROR_SIZE, "f->error holds a libcurl error");

/* Every socket libcurl opens passes the scope guard and is bound to the
 * tester interface, like ours. */
static curl_socket_t http_open_socket(void *opaque, curlsocktype purpose,
				      struct curl_sockaddr *address)
{
	struct scan_http_fetch *f = opaque;
	if (purpose != CURLSOCKTYPE_IPCXN || address->addrlen > sizeof(struct sockaddr_storage))
		return CURL_SOCKET_BAD;
	struct sock_address a = {.length = address->addrlen};
	memcpy(&a.storage, &address->addr, address->addrlen);
	int fd = -1;
	struct dl_error err = {0};
	if (sock_open(f->run->ctx->scope, &a, address->socktype, address->protocol,
		      f->run->interface, &fd, &err) < 0) {
		scan_put(f->error, sizeof(f->error), "%s", err.message);
		return CURL_SOCKET_BAD;
	}
	return fd;
}

static size_t http_body(char *data, size_t size, size_t count, void *opaque)
{
	struct scan_http_fetch *f = opaque;
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
	struct scan_http_fetch *f = opaque;
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
int scan_http_get(struct scan_run *r, const char *url, int64_t deadline_ns,
		  struct scan_http_fetch *f, struct dl_error *err)
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
	char *location = NULL;
	if (curl_easy_getinfo(curl, CURLINFO_REDIRECT_URL, &location) == CURLE_OK && location &&
	    strlen(location) < sizeof(f->location))
		snprintf(f->location, sizeof(f->location), "%s", location);
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
bool scan_xml_field(const char *doc, const char *tag, char *out, size_t size)
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
