/* login-websocket: a logout sent as WebSocket messages, for the HTTP login drivers */
#include "core/compat.h"

#include <openssl/rand.h>
#include <poll.h>

#include "adapters/login-common.h"
#include "adapters/login-websocket.h"
#include "adapters/login.h"
#include "core/error.h"
#include "core/monotonic.h"
#include "core/text.h"
#include "proto/websocket.h"

/* The server's first message is awaited this long at most: some servers speak first
 * (Cockpit's init), others never do. */
#define WS_FIRST_WAIT_MS 3000
/* After the last message: how long the DUT has to close, and to answer our close. */
#define WS_CLOSE_WAIT_MS 5000
#define WS_CLOSE_REPLY_MS 1000
/* A server frame's payload and a message at most; more is refused, not read. */
#define WS_PAYLOAD_MAX LOGIN_BODY_MAX
#define WS_FRAGMENTS_MAX 64
#define WS_RX_MAX (WS_PAYLOAD_MAX + WEBSOCKET_HEADER_MAX)
#define WS_LOG_MAX 8192
#define WS_REQUEST_MAX 8192
/* Reads and polls of one wait: each either brings bytes or ends the wait. */
#define WS_STEPS_MAX 100000

/* ---- the option ---------------------------------------------------------------- */

static int messages_error(const char *option, const char *what, struct dl_error *err)
{
	return dl_error_set(err, DL_EINVAL,
			    "options.logout_websocket_send: found '%.64s' (%s); expected text "
			    "messages separated by '|', with \\n \\r \\t \\| \\\\ escapes, such "
			    "as '\\n{\"command\":\"logout\"}'",
			    option, what);
}

int login_websocket_messages(const char *option, struct login_websocket_messages *out,
			     struct dl_error *err)
{
	memset(out, 0, sizeof(*out));
	const char *p = option;
	/* One pass per message; the option is a profile string (bounded by the loader). */
	for (;;) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (out->count == LOGIN_WEBSOCKET_MESSAGES_MAX)
			return messages_error(option, "more than 8 messages", err);
		char *text = out->text[out->count];
		size_t n = 0;
		size_t kept = 0; /* n without the trailing spaces read so far */
		while (*p && *p != '|') {
			char c = *p++;
			bool escaped = false;
			if (c == '\\') {
				escaped = true;
				switch (*p) {
				case 'n': c = '\n'; break;
				case 'r': c = '\r'; break;
				case 't': c = '\t'; break;
				case '|': c = '|'; break;
				case '\\': c = '\\'; break;
				default: return messages_error(option, "an unknown escape", err);
				}
				p++;
			}
			if (n + 1 >= LOGIN_WEBSOCKET_MESSAGE_MAX)
				return messages_error(option, "a message over 4096 bytes", err);
			text[n++] = c;
			if (escaped || (c != ' ' && c != '\t'))
				kept = n;
		}
		text[kept] = '\0';
		if (kept == 0)
			return messages_error(option, "an empty message", err);
		if (!websocket_utf8_valid((const uint8_t *)text, kept))
			return messages_error(option, "a message that is not UTF-8", err);
		out->length[out->count++] = kept;
		if (*p != '|')
			return 0;
		p++;
	}
}

/* ---- the connection ---------------------------------------------------------------- */

struct ws {
	CURL *curl;
	curl_socket_t fd;
	uint8_t *rx; /* WS_RX_MAX bytes: what came and is not parsed yet */
	size_t rx_length;
	struct websocket_message message; /* the data message being put together */
	uint8_t *message_buffer;
	char error[256]; /* why the connection ended (a curl error, a protocol fault) */
	char *log;       /* WS_LOG_MAX: frames both ways, for the transcript */
	size_t log_length;
	size_t received;               /* data messages */
	char first[LOGIN_EXCERPT_MAX]; /* the server's first message, printable */
	struct websocket_close close;  /* the server's close frame */
};

static void ws_log(struct ws *w, const char *direction, const char *what, const uint8_t *payload,
		   size_t length)
{
	if (w->log_length + 1 >= WS_LOG_MAX)
		return;
	int n = snprintf(w->log + w->log_length, WS_LOG_MAX - w->log_length,
			 "%s %s %zu bytes: ", direction, what, length);
	if (n < 0 || (size_t)n >= WS_LOG_MAX - w->log_length) {
		w->log_length = WS_LOG_MAX - 1;
		return;
	}
	w->log_length += (size_t)n;
	size_t room = WS_LOG_MAX - 1 - w->log_length;
	size_t keep = length < 512 ? length : 512;
	if (keep > room)
		keep = room;
	if (keep)
		memcpy(w->log + w->log_length, payload, keep);
	w->log_length += keep;
	if (w->log_length + 1 < WS_LOG_MAX)
		w->log[w->log_length++] = '\n';
	w->log[w->log_length] = '\0';
}

/* Wait for the socket: 1 ready, 0 the wait ended, -1 a poll error. */
static int ws_poll(struct ws *w, short events, int64_t until_ns)
{
	long ms = login_remaining_ms(until_ns);
	if (ms <= 0)
		return 0;
	struct pollfd pfd = {.fd = w->fd, .events = events};
	int rc = poll(&pfd, 1, ms > 60000 ? 60000 : (int)ms);
	if (rc < 0 && errno != EINTR) {
		snprintf(w->error, sizeof(w->error), "poll: %s", strerror(errno));
		return -1;
	}
	return 1; /* ready, interrupted, or a part of the wait passed: the caller tries again */
}

/* All of data, by until_ns: 0 sent, -1 not (w->error says why). */
static int ws_send(struct ws *w, const void *data, size_t length, int64_t until_ns)
{
	size_t sent = 0;
	for (int step = 0; sent < length && step < WS_STEPS_MAX; step++) {
		size_t n = 0;
		CURLcode code =
			curl_easy_send(w->curl, (const char *)data + sent, length - sent, &n);
		if (code == CURLE_OK) {
			sent += n;
			continue;
		}
		if (code != CURLE_AGAIN) {
			snprintf(w->error, sizeof(w->error), "sending: %s",
				 curl_easy_strerror(code));
			return -1;
		}
		if (login_remaining_ms(until_ns) <= 0 || ws_poll(w, POLLOUT, until_ns) < 0)
			break;
	}
	if (sent < length && !w->error[0])
		snprintf(w->error, sizeof(w->error), "sending: %zu of %zu bytes went out in time",
			 sent, length);
	return sent == length ? 0 : -1;
}

enum ws_read {
	WS_READ_BYTES,
	WS_READ_EOF,
	WS_READ_TIMEOUT,
	WS_READ_BROKEN,
	WS_READ_FULL,
};

/* More bytes into rx, by until_ns. */
static enum ws_read ws_fill(struct ws *w, int64_t until_ns)
{
	if (w->rx_length >= WS_RX_MAX)
		return WS_READ_FULL;
	for (int step = 0; step < WS_STEPS_MAX; step++) {
		size_t n = 0;
		CURLcode code =
			curl_easy_recv(w->curl, w->rx + w->rx_length, WS_RX_MAX - w->rx_length, &n);
		if (code == CURLE_OK && n == 0)
			return WS_READ_EOF;
		if (code == CURLE_OK) {
			w->rx_length += n;
			return WS_READ_BYTES;
		}
		if (code != CURLE_AGAIN) {
			snprintf(w->error, sizeof(w->error), "reading: %s",
				 curl_easy_strerror(code));
			return WS_READ_BROKEN;
		}
		/* Try curl first, poll after: TLS may hold decrypted bytes the socket does not
		 * show. */
		if (login_remaining_ms(until_ns) <= 0)
			return WS_READ_TIMEOUT;
		if (ws_poll(w, POLLIN, until_ns) < 0)
			return WS_READ_BROKEN;
	}
	return WS_READ_TIMEOUT;
}

static int ws_send_frame(struct ws *w, uint8_t opcode, const void *payload, size_t length,
			 int64_t until_ns, struct dl_error *err)
{
	uint8_t frame[LOGIN_WEBSOCKET_MESSAGE_MAX + WEBSOCKET_HEADER_MAX];
	uint8_t mask[4];
	size_t used = 0;
	if (RAND_bytes(mask, sizeof(mask)) != 1)
		return dl_error_set(err, DL_EIO, "login: OpenSSL has no random bytes for a mask");
	int rc = websocket_frame_build(opcode, true, mask, payload, length, frame, sizeof(frame),
				       &used, err);
	if (rc)
		return rc;
	static const char *const names[] = {[WEBSOCKET_OP_TEXT] = "text",
					    [WEBSOCKET_OP_CLOSE] = "close",
					    [WEBSOCKET_OP_PONG] = "pong"};
	ws_log(w, "->", opcode < DL_ARRAY_SIZE(names) && names[opcode] ? names[opcode] : "frame",
	       payload, length);
	return ws_send(w, frame, used, until_ns) == 0 ? 0 : 1;
}

enum ws_event {
	WS_MESSAGE, /* a data message is in w->message */
	WS_CLOSED,  /* a close frame came: w->close */
	WS_EOF,     /* the connection ended without one */
	WS_TIMEOUT,
	WS_BROKEN, /* w->error says why: a read error or the DUT broke RFC 6455 */
};

/* The next thing the server did, by until_ns; pings answered on the way. */
static int ws_next(struct ws *w, int64_t until_ns, enum ws_event *event, struct dl_error *err)
{
	for (int step = 0; step < WS_STEPS_MAX; step++) {
		struct websocket_frame f;
		struct dl_error parse_err = {0};
		if (websocket_frame_parse(w->rx, w->rx_length, WS_PAYLOAD_MAX, &f, &parse_err) <
		    0) {
			text_copy(w->error, sizeof(w->error), parse_err.message);
			*event = WS_BROKEN;
			return 0;
		}
		if (!f.complete) {
			enum ws_read r = ws_fill(w, until_ns);
			if (r == WS_READ_BYTES)
				continue;
			*event = r == WS_READ_EOF       ? WS_EOF
				 : r == WS_READ_TIMEOUT ? WS_TIMEOUT
							: WS_BROKEN;
			if (r == WS_READ_FULL)
				snprintf(w->error, sizeof(w->error), "a frame over %d bytes",
					 WS_RX_MAX);
			return 0;
		}
		int rc = 0;
		*event = WS_TIMEOUT;
		bool done = false;
		if (f.opcode == WEBSOCKET_OP_PING) {
			ws_log(w, "<-", "ping", f.payload, (size_t)f.length);
			rc = ws_send_frame(w, WEBSOCKET_OP_PONG, f.payload, (size_t)f.length,
					   until_ns, err);
			if (rc > 0) {
				*event = WS_BROKEN;
				done = true;
				rc = 0;
			}
		} else if (f.opcode == WEBSOCKET_OP_PONG) {
			ws_log(w, "<-", "pong", f.payload, (size_t)f.length);
		} else if (f.opcode == WEBSOCKET_OP_CLOSE) {
			ws_log(w, "<-", "close", f.payload, (size_t)f.length);
			struct dl_error close_err = {0};
			if (websocket_close_parse(f.payload, (size_t)f.length, &w->close,
						  &close_err) < 0) {
				text_copy(w->error, sizeof(w->error), close_err.message);
				*event = WS_BROKEN;
			} else {
				*event = WS_CLOSED;
			}
			done = true;
		} else {
			struct dl_error message_err = {0};
			ws_log(w, "<-",
			       f.opcode == WEBSOCKET_OP_TEXT     ? "text"
			       : f.opcode == WEBSOCKET_OP_BINARY ? "binary"
								 : "continuation",
			       f.payload, (size_t)f.length);
			if (websocket_message_add(&w->message, &f, &message_err) < 0) {
				text_copy(w->error, sizeof(w->error), message_err.message);
				*event = WS_BROKEN;
				done = true;
			} else if (w->message.done) {
				if (w->received++ == 0)
					login_excerpt(w->first, sizeof(w->first),
						      (const char *)w->message.data,
						      w->message.length);
				*event = WS_MESSAGE;
				done = true;
			}
		}
		memmove(w->rx, w->rx + f.size, w->rx_length - f.size);
		w->rx_length -= f.size;
		if (rc || done)
			return rc;
	}
	*event = WS_TIMEOUT;
	return 0;
}

/* ---- the logout -------------------------------------------------------------------- */

/* What the excerpt says of how the DUT ended it. */
static void describe_close(const struct ws *w, enum ws_event event, char *out, size_t size)
{
	if (event == WS_CLOSED && w->close.has_code)
		snprintf(out, size, "the DUT closed with %u%s%s%s", w->close.code,
			 w->close.reason[0] ? " '" : "", w->close.reason,
			 w->close.reason[0] ? "'" : "");
	else if (event == WS_CLOSED)
		snprintf(out, size, "the DUT closed without a code");
	else if (event == WS_EOF)
		snprintf(out, size, "the DUT ended the connection without a close frame");
	else if (event == WS_TIMEOUT)
		snprintf(out, size, "the DUT kept the WebSocket open");
	else
		snprintf(out, size, "the connection broke: %.120s", w->error);
}

static int ws_transcript(const struct login_websocket_logout *l, const char *label,
			 const char *text, size_t length, struct dl_error *err)
{
	char full[320];
	snprintf(full, sizeof(full), "websocket logout %.64s: %.200s", l->path, label);
	return login_transcript(l->target, full, text, length, NULL, 0, err);
}

/* The handshake: 0 with *h complete, or 0 with out filled as the result (h->complete false). */
static int ws_handshake(struct ws *w, const struct login_websocket_logout *l, const char *key,
			int64_t deadline_ns, struct websocket_handshake *h,
			struct login_response *out, struct dl_error *err)
{
	for (int step = 0; step < WS_STEPS_MAX; step++) {
		struct dl_error parse_err = {0};
		int rc = websocket_handshake_parse(w->rx, w->rx_length, key, l->protocol, h,
						   &parse_err);
		if (rc == DL_EIO)
			return dl_error_set(err, rc, "login: %s", parse_err.message);
		if (rc < 0) {
			text_copy(w->error, sizeof(w->error), parse_err.message);
			break;
		}
		if (h->complete)
			return 0;
		enum ws_read r = ws_fill(w, deadline_ns);
		if (r == WS_READ_BYTES)
			continue;
		if (!w->error[0])
			snprintf(w->error, sizeof(w->error),
				 "%s before the end of the upgrade answer",
				 r == WS_READ_EOF ? "the connection ended" : "no answer in time");
		break;
	}
	out->outcome = LOGIN_UNREACHABLE;
	login_excerpt(out->excerpt, sizeof(out->excerpt), w->error, strlen(w->error));
	return ws_transcript(l, "no upgrade answer", (const char *)w->rx, w->rx_length, err);
}

static int ws_run(struct ws *w, const struct login_websocket_logout *l,
		  const struct login_websocket_messages *messages, int64_t deadline_ns,
		  struct login_response *out, struct dl_error *err)
{
	uint8_t nonce[16];
	char key[WEBSOCKET_KEY_LENGTH + 1];
	if (RAND_bytes(nonce, sizeof(nonce)) != 1)
		return dl_error_set(err, DL_EIO, "login: OpenSSL has no random bytes for a key");
	websocket_key(nonce, key);
	const char *headers[12];
	size_t count = 0;
	headers[count++] = "User-Agent: dutlab/0.1";
	for (const char *const *h = l->headers; h && *h && count + 1 < DL_ARRAY_SIZE(headers); h++)
		headers[count++] = *h;
	headers[count] = NULL;
	struct websocket_request request = {.path = l->path,
					    .host = l->host,
					    .origin = l->origin,
					    .key = key,
					    .protocol = l->protocol,
					    .headers = headers};
	char text[WS_REQUEST_MAX];
	size_t length = 0;
	int rc = websocket_request_build(&request, text, sizeof(text), &length, err);
	if (!rc)
		rc = ws_transcript(l, "upgrade request", text, length, err);
	if (rc)
		return rc;
	int64_t start = monotonic_ns();
	out->encrypted = l->tls;
	if (ws_send(w, text, length, deadline_ns) < 0) {
		out->outcome = LOGIN_UNREACHABLE;
		login_excerpt(out->excerpt, sizeof(out->excerpt), w->error, strlen(w->error));
		return 0;
	}
	struct websocket_handshake h;
	rc = ws_handshake(w, l, key, deadline_ns, &h, out, err);
	if (rc || !h.complete)
		return rc;
	out->status = h.status;
	login_fingerprint(out, h.status, (const char *)w->rx, h.head_length, NULL, 0);
	rc = ws_transcript(l, "upgrade answer", (const char *)w->rx, h.head_length, err);
	if (rc)
		return rc;
	char what[LOGIN_EXCERPT_MAX];
	char summary[LOGIN_EXCERPT_MAX * 3];
	if (!websocket_handshake_ok(&h)) {
		out->outcome = h.status == 101 ? LOGIN_UNREACHABLE : LOGIN_REFUSED;
		snprintf(what, sizeof(what), "%s",
			 h.status != 101   ? "the DUT refused the WebSocket upgrade"
			 : !h.accept_ok    ? "a wrong Sec-WebSocket-Accept"
			 : !h.protocol_ok  ? "another Sec-WebSocket-Protocol than asked"
			 : h.extensions[0] ? "an extension nobody asked for"
					   : "no Upgrade: websocket / Connection: upgrade");
		snprintf(summary, sizeof(summary), "%d %.60s: %s", h.status, h.reason, what);
		text_copy(out->excerpt, sizeof(out->excerpt), summary);
		out->latency_ns = monotonic_ns() - start;
		return 0;
	}
	memmove(w->rx, w->rx + h.head_length, w->rx_length - h.head_length);
	w->rx_length -= h.head_length;

	/* The server's first message, when it sends one. */
	enum ws_event event;
	int64_t first_until = monotonic_ns() + (int64_t)WS_FIRST_WAIT_MS * 1000000;
	rc = ws_next(w, first_until < deadline_ns ? first_until : deadline_ns, &event, err);
	if (rc)
		return rc;
	bool silent = event == WS_TIMEOUT;
	if (event != WS_MESSAGE && !silent) {
		describe_close(w, event, what, sizeof(what));
		out->outcome = event == WS_BROKEN ? LOGIN_UNREACHABLE : LOGIN_REFUSED;
		snprintf(summary, sizeof(summary), "101, then before its first message %s", what);
		text_copy(out->excerpt, sizeof(out->excerpt), summary);
		out->latency_ns = monotonic_ns() - start;
		return ws_transcript(l, "frames", w->log, w->log_length, err);
	}
	size_t sent = 0;
	for (; sent < messages->count; sent++) {
		rc = ws_send_frame(w, WEBSOCKET_OP_TEXT, messages->text[sent],
				   messages->length[sent], deadline_ns, err);
		if (rc)
			break;
	}
	if (rc < 0)
		return rc;
	int64_t last_sent = monotonic_ns();
	if (rc > 0) {
		event = WS_BROKEN;
	} else {
		/* Until the DUT closes; messages it sends meanwhile are recorded. */
		int64_t until = last_sent + (int64_t)WS_CLOSE_WAIT_MS * 1000000;
		if (until > deadline_ns)
			until = deadline_ns;
		for (int i = 0; i < WS_STEPS_MAX; i++) {
			rc = ws_next(w, until, &event, err);
			if (rc || event != WS_MESSAGE)
				break;
		}
		if (rc)
			return rc;
	}
	int64_t ended = monotonic_ns();
	describe_close(w, event, what, sizeof(what));
	if (event == WS_CLOSED) {
		/* RFC 6455 5.5.1: answer a close with a close, echoing its code. */
		uint8_t echo[2] = {(uint8_t)(w->close.code >> 8), (uint8_t)w->close.code};
		rc = ws_send_frame(w, WEBSOCKET_OP_CLOSE, echo,
				   w->close.has_code && w->close.code_valid ? 2 : 0, deadline_ns,
				   err);
	} else if (event == WS_TIMEOUT) {
		static const uint8_t normal[] = {0x03, 0xe8, 'd', 'o', 'n', 'e'};
		rc = ws_send_frame(w, WEBSOCKET_OP_CLOSE, normal, sizeof(normal), deadline_ns, err);
		int64_t until = monotonic_ns() + (int64_t)WS_CLOSE_REPLY_MS * 1000000;
		enum ws_event reply;
		if (rc == 0)
			rc = ws_next(w, until < deadline_ns ? until : deadline_ns, &reply, err);
	}
	if (rc < 0)
		return rc;
	bool normal = (event == WS_CLOSED &&
		       (!w->close.has_code || w->close.code == 1000 || w->close.code == 1001)) ||
		      event == WS_EOF || event == WS_TIMEOUT;
	out->outcome = event == WS_BROKEN ? LOGIN_UNREACHABLE
		       : normal           ? LOGIN_ACCEPTED
					  : LOGIN_REFUSED;
	out->latency_ns = ended - start;
	/* What decided first: the excerpt is cut at LOGIN_EXCERPT_MAX. */
	int64_t after_us = (ended - last_sent) / 1000;
	snprintf(summary, sizeof(summary),
		 "101 %.32s; sent %zu of %zu messages; %s %" PRId64 ".%" PRId64
		 " ms after the last; %s%.120s",
		 h.protocol, sent, messages->count, what, after_us / 1000, after_us % 1000 / 100,
		 silent ? "the DUT said nothing first" : "its first message: ",
		 silent ? "" : w->first);
	text_copy(out->excerpt, sizeof(out->excerpt), summary);
	return ws_transcript(l, "frames", w->log, w->log_length, err);
}

int login_websocket_logout(CURL *curl, const struct login_websocket_logout *logout,
			   int64_t deadline_ns, struct login_response *out, struct dl_error *err)
{
	struct login_websocket_messages *messages = malloc(sizeof(*messages));
	struct ws w = {.curl = curl};
	w.rx = malloc(WS_RX_MAX);
	w.message_buffer = malloc(WS_PAYLOAD_MAX);
	w.log = malloc(WS_LOG_MAX);
	int rc = 0;
	if (!messages || !w.rx || !w.message_buffer || !w.log)
		rc = dl_error_set(err, DL_ENOMEM, "login: out of memory for a WebSocket");
	if (!rc)
		rc = login_websocket_messages(logout->send ? logout->send : "", messages, err);
	curl_socket_t fd = CURL_SOCKET_BAD;
	if (!rc && (curl_easy_getinfo(curl, CURLINFO_ACTIVESOCKET, &fd) != CURLE_OK ||
		    fd == CURL_SOCKET_BAD))
		rc = dl_error_set(err, DL_EIO, "login: libcurl gave no connected socket");
	if (!rc) {
		w.fd = fd;
		w.log[0] = '\0';
		websocket_message_init(&w.message, w.message_buffer, WS_PAYLOAD_MAX,
				       WS_FRAGMENTS_MAX);
		rc = ws_run(&w, logout, messages, deadline_ns, out, err);
	}
	free(messages);
	free(w.rx);
	free(w.message_buffer);
	free(w.log);
	return rc;
}
