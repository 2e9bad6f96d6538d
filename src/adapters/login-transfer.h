/* login-transfer: one libcurl request of the rtsp and onvif drivers: scoped sockets, headers as
 * sent */
#ifndef DUTLAB_ADAPTERS_LOGIN_TRANSFER_H
#define DUTLAB_ADAPTERS_LOGIN_TRANSFER_H

#include <curl/curl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "adapters/login.h"

struct dl_error;

#define LOGIN_TRANSFER_HEADERS_MAX 8192

/* What one transfer sent and got; the caller zeroes it, login_transfer_release frees it. */
struct login_transfer {
	const struct login_target *target;
	/* the request header block that carried credentials last (Authorization or a SOAP
	 * body's security header), and the last Authorization line in it */
	char sent[LOGIN_TRANSFER_HEADERS_MAX];
	char authorization[LOGIN_EXCHANGE_MAX];
	int64_t credentials_ns; /* when a request with an Authorization header went */
	/* the final response's header block and body (cut at LOGIN_BODY_MAX) */
	char received[LOGIN_TRANSFER_HEADERS_MAX];
	size_t received_length;
	char *body;
	size_t body_length;
	long status;
	char scope_error[1024]; /* DL_ERROR_MESSAGE_MAX */
	char curl_error[CURL_ERROR_SIZE];
};

/* Set what every transfer needs on curl: the scoped socket opener (sock_open, bound to the
 * scope's interface), a timeout ending by deadline_ns, the header and body writers, the
 * request-header spy, no proxy, no signals, no redirects, TLS without verification (the
 * DUT's certificate is the TLS checks' business). DL_ETIMEDOUT when no time is left. */
int login_transfer_setup(CURL *curl, struct login_transfer *t, int64_t deadline_ns,
			 struct dl_error *err);

/* Perform: 0 with t->status set (0 when no answer came: unreachable, with the reason in
 * t->curl_error), DL_ESCOPE when the scope guard refused the socket. */
int login_transfer_perform(CURL *curl, struct login_transfer *t, struct dl_error *err);

void login_transfer_release(struct login_transfer *t);

/* "http://198.18.1.2:80/path", "rtsp://[fd00:198::2]:554/x" into url (size). */
int login_transfer_url(const char *scheme, const char *address, unsigned port, const char *path,
		       char *url, size_t size, struct dl_error *err);

#endif
