/* login-websocket: a logout sent as WebSocket messages, for the HTTP login drivers */
#ifndef DUTLAB_ADAPTERS_LOGIN_WEBSOCKET_H
#define DUTLAB_ADAPTERS_LOGIN_WEBSOCKET_H

#include <curl/curl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct dl_error;
struct login_response;
struct login_target;

/*
 * Some web interfaces log out only over their WebSocket: Cockpit's page sends
 * the control message {"command":"logout","disconnect":true} on
 * /cockpit/socket. The HTTP drivers do it when the profile gives
 * `logout_websocket` (docs/profile.md): login-http.c opens the connection
 * with libcurl (CURLOPT_CONNECT_ONLY, its socket from the scope guard, TLS
 * done by curl), and this file speaks RFC 6455 on it through curl_easy_send
 * and curl_easy_recv, with src/proto/websocket.c for the bytes.
 */

#define LOGIN_WEBSOCKET_MESSAGES_MAX 8
#define LOGIN_WEBSOCKET_MESSAGE_MAX 4096

/* The option logout_websocket_send, decoded. */
struct login_websocket_messages {
	char text[LOGIN_WEBSOCKET_MESSAGES_MAX][LOGIN_WEBSOCKET_MESSAGE_MAX];
	size_t length[LOGIN_WEBSOCKET_MESSAGES_MAX];
	size_t count;
};

/*
 * Split option (logout_websocket_send) into its messages: they are separated
 * by '|', spaces around each are dropped, and "\n", "\r", "\t", "\|" and
 * "\\" stand for a newline, a carriage return, a tab, a bar and a backslash.
 * DL_EINVAL with "options.logout_websocket_send: found X; expected Y" for
 * another escape, an empty message, more than 8 messages, one over 4096
 * bytes or one that is not UTF-8 (text frames must be, RFC 6455 5.6).
 */
int login_websocket_messages(const char *option, struct login_websocket_messages *out,
			     struct dl_error *err);

/* What to send on the connection. The caller owns every pointer. */
struct login_websocket_logout {
	const struct login_target *target; /* for the transcript */
	const char *path;                  /* logout_websocket: "/cockpit/socket" */
	const char *protocol;              /* logout_websocket_protocol, or NULL */
	const char *send;                  /* logout_websocket_send, as in the profile */
	const char *host;                  /* Host: "198.18.7.2:9090" */
	const char *origin;                /* Origin: "https://198.18.7.2:9090" */
	const char *const *headers;        /* "Cookie: cockpit=..." lines, NULL-terminated */
	bool tls;                          /* the connection is inside TLS */
};

/*
 * On curl, a connection curl_easy_perform opened with CURLOPT_CONNECT_ONLY =
 * 1: send the upgrade request, check the server's handshake (101,
 * Sec-WebSocket-Accept, the protocol asked), wait for the server's first
 * message (at most 3 s), send the messages as text frames in order, and wait
 * until the DUT closes (at most 5 s; a server ping is answered, other
 * messages recorded), closing with 1000 if it does not. By deadline_ns.
 * out: ACCEPTED when every message was sent and the DUT closed normally
 * (close 1000, 1001, no code, or the connection ended) or kept the socket
 * open (the excerpt says which; a token probe then tells whether the session
 * ended); REFUSED when the upgrade was not 101, or the DUT closed before its
 * first message or with an error code; UNREACHABLE when the connection broke,
 * timed out or the DUT broke RFC 6455 (a bad Accept, a masked or malformed
 * frame). status is the upgrade's HTTP status.
 */
int login_websocket_logout(CURL *curl, const struct login_websocket_logout *logout,
			   int64_t deadline_ns, struct login_response *out, struct dl_error *err);

#endif
