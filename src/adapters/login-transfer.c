/* login-transfer: one libcurl request of the rtsp and onvif drivers: scoped sockets, headers as
 * sent */
#include "core/compat.h"

#include <arpa/inet.h>

#include "adapters/login-common.h"
#include "adapters/login-transfer.h"
#include "core/error.h"
#include "core/profile.h"
#include "net/scope.h"
#include "net/sock.h"

/* Every socket libcurl opens passes the scope guard and is bound to the tester interface. */
static curl_socket_t transfer_open_socket(void *opaque, curlsocktype purpose,
					  struct curl_sockaddr *address)
{
	struct login_transfer *t = opaque;
	if (purpose != CURLSOCKTYPE_IPCXN || address->addrlen > sizeof(struct sockaddr_storage))
		return CURL_SOCKET_BAD;
	struct sock_address a = {.length = address->addrlen};
	memcpy(&a.storage, &address->addr, address->addrlen);
	int fd = -1;
	struct dl_error err = {0};
	if (sock_open(t->target->scope, &a, address->socktype, address->protocol,
		      sock_interface(t->target->scope), &fd, &err) < 0) {
		snprintf(t->scope_error, sizeof(t->scope_error), "%s", err.message);
		return CURL_SOCKET_BAD;
	}
	return fd;
}

static int transfer_close_socket(void *opaque, curl_socket_t fd)
{
	(void)opaque;
	sock_close_reset(fd); /* no TIME_WAIT left behind by a login probe */
	return 0;
}

static size_t transfer_body(char *data, size_t size, size_t count, void *opaque)
{
	struct login_transfer *t = opaque;
	size_t n = size * count;
	if (!t->body)
		t->body = calloc(1, LOGIN_BODY_MAX + 1);
	if (!t->body)
		return 0; /* libcurl stops with a write error */
	size_t room = LOGIN_BODY_MAX - t->body_length;
	size_t keep = n < room ? n : room;
	memcpy(t->body + t->body_length, data, keep);
	t->body_length += keep;
	t->body[t->body_length] = '\0';
	return n;
}

/* Each response's header block replaces the last one (a 401 before the 200). */
static size_t transfer_header(char *data, size_t size, size_t count, void *opaque)
{
	struct login_transfer *t = opaque;
	size_t n = size * count;
	if ((n >= 5 && memcmp(data, "HTTP/", 5) == 0) ||
	    (n >= 5 && memcmp(data, "RTSP/", 5) == 0)) {
		t->received_length = 0;
		t->body_length = 0;
	}
	size_t room = sizeof(t->received) - 1 - t->received_length;
	size_t keep = n < room ? n : room;
	memcpy(t->received + t->received_length, data, keep);
	t->received_length += keep;
	t->received[t->received_length] = '\0';
	return n;
}

/* The request headers as libcurl sent them: the Authorization line, and when it went. */
static int transfer_debug(CURL *curl, curl_infotype type, char *data, size_t size, void *opaque)
{
	(void)curl;
	struct login_transfer *t = opaque;
	if (type != CURLINFO_HEADER_OUT)
		return 0;
	size_t keep = size < sizeof(t->sent) - 1 ? size : sizeof(t->sent) - 1;
	memcpy(t->sent, data, keep);
	t->sent[keep] = '\0';
	for (const char *line = t->sent; line && *line;) {
		const char *eol = strstr(line, "\r\n");
		size_t n = eol ? (size_t)(eol - line) : strlen(line);
		if (n > 14 && strncasecmp(line, "Authorization:", 14) == 0 &&
		    n < sizeof(t->authorization)) {
			memcpy(t->authorization, line, n);
			t->authorization[n] = '\0';
			t->credentials_ns = sock_now_ns();
		}
		line = eol ? eol + 2 : NULL;
	}
	return 0;
}

int login_transfer_setup(CURL *curl, struct login_transfer *t, int64_t deadline_ns,
			 struct dl_error *err)
{
	long ms = login_remaining_ms(deadline_ns);
	if (ms <= 0)
		return dl_error_set(err, DL_ETIMEDOUT, "%s: no time left for the request",
				    t->target->adapter->driver);
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(curl, CURLOPT_NOPROXY, "*");
	curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, ms);
	curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, ms);
	curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 0L);
	curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 0L);
	curl_easy_setopt(curl, CURLOPT_USERAGENT, "dutlab/0.1");
	curl_easy_setopt(curl, CURLOPT_FORBID_REUSE, 1L);
	curl_easy_setopt(curl, CURLOPT_OPENSOCKETFUNCTION, transfer_open_socket);
	curl_easy_setopt(curl, CURLOPT_OPENSOCKETDATA, t);
	curl_easy_setopt(curl, CURLOPT_CLOSESOCKETFUNCTION, transfer_close_socket);
	curl_easy_setopt(curl, CURLOPT_CLOSESOCKETDATA, t);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, transfer_body);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, t);
	curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, transfer_header);
	curl_easy_setopt(curl, CURLOPT_HEADERDATA, t);
	curl_easy_setopt(curl, CURLOPT_DEBUGFUNCTION, transfer_debug);
	curl_easy_setopt(curl, CURLOPT_DEBUGDATA, t);
	curl_easy_setopt(curl, CURLOPT_VERBOSE, 1L); /* the debug function gets the headers */
	curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, t->curl_error);
	return 0;
}

int login_transfer_perform(CURL *curl, struct login_transfer *t, struct dl_error *err)
{
	CURLcode code = curl_easy_perform(curl);
	curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &t->status);
	if (t->scope_error[0])
		return dl_error_set(err, DL_ESCOPE, "%s", t->scope_error);
	if (code != CURLE_OK && !t->curl_error[0])
		snprintf(t->curl_error, sizeof(t->curl_error), "%s", curl_easy_strerror(code));
	if (code != CURLE_OK && code != CURLE_WRITE_ERROR && t->received_length == 0)
		t->status = 0;
	return 0;
}

void login_transfer_release(struct login_transfer *t)
{
	free(t->body);
	t->body = NULL;
}

int login_transfer_url(const char *scheme, const char *address, unsigned port, const char *path,
		       char *url, size_t size, struct dl_error *err)
{
	struct in6_addr a6;
	bool v6 = inet_pton(AF_INET6, address, &a6) == 1;
	int n = snprintf(url, size, "%s://%s%s%s:%u%s", scheme, v6 ? "[" : "", address,
			 v6 ? "]" : "", port, path);
	if (n < 0 || (size_t)n >= size)
		return dl_error_set(err, DL_EINVAL, "url for %s port %u path '%s' is too long",
				    address, port, path);
	return 0;
}
