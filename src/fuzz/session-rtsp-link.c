/* session-rtsp-link: the RTSP session the rtsp and media plug-ins share: OPTIONS, DESCRIBE
 * with Digest, SETUP (interleaved over TCP, or RTP/RTCP over UDP), PLAY, over TCP or TLS;
 * tended, closed and checked */
#include "core/compat.h"

#include <arpa/inet.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/error.h"
#include "core/profile.h"
#include "core/text.h"
#include "fuzz/session-rtsp-link.h"
#include "fuzz/session.h"
#include "net/sock.h"
#include "proto/cursor.h"
#include "proto/rtsp.h"

/*
 * One TCP connection carries both the RTSP exchange and the media: after
 * SETUP with "RTP/AVP/TCP;unicast;interleaved=0-1" (RFC 2326 10.12) the
 * server sends RTP and RTCP as '$' channel length frames between its
 * responses, so every read walks the stream message by message: a frame, a
 * response (header block and Content-Length body), or a request the server
 * sends us. A byte that starts none of them means the stream lost its
 * framing (our mutated frame length made the server skip into a request,
 * or the reverse): the session cannot go on, as if closed.
 *
 * RTSPS puts TLS under all of it: OpenSSL works on two memory BIOs (as
 * session-tls.c's check does), the ciphertext goes through
 * session_link_send() and session_link_read() (MSG_NOSIGNAL, the scope
 * guard's socket) and l->input holds only plaintext, so the stream walker,
 * the prefix and the cases are the same as in clear.
 */

#define RTSP_LINK_REQUEST_MAX 4096
#define RTSP_LINK_WWW_MAX 4 /* WWW-Authenticate headers kept from one response */
#define RTSP_LINK_RETRY_503_MS 300
#define RTSP_LINK_READS_MAX 4096
#define RTSP_LINK_AGENT "dutlab/0.1"
#define RTSP_LINK_TLS_ROUNDS 64 /* handshake round trips before we give up */
#define RTSP_LINK_UDP_TRIES 32  /* port pairs tried for an even RTP port */
#define RTSP_LINK_UDP_READS 256 /* datagrams read per socket per tend round */
#define RTSP_LINK_DATAGRAM 2048 /* RTP over Ethernet fits; a longer one is cut, counted */

/* One message's head, as the stream walker parsed it. */
struct rtsp_link_head {
	bool response; /* else a request the server sent */
	int status;
	bool has_cseq;
	uint32_t cseq;
	size_t header_length, content_length;
	char session[RTSP_LINK_SESSION_MAX];
	unsigned timeout;
	bool has_interleaved;
	unsigned channel_rtp, channel_rtcp;
	struct rtsp_link_pair server_port; /* RTP/AVP over UDP: where the DUT takes RTP, RTCP */
	char content_base[RTSP_LINK_URL_MAX];
	bool connection_close; /* "Connection: close" (RFC 2326 12.10): the server will close */
	char server[128];
	char www[RTSP_LINK_WWW_MAX][HTTP_AUTH_VALUE_MAX * 2];
	size_t www_count;
};

/* What a request waits for: the response to one CSeq. */
struct rtsp_link_wait {
	uint32_t cseq;
	bool done;
	struct rtsp_link_head head;
	char *copy; /* header block and body, NUL-terminated */
	size_t copy_size;
};

void rtsp_link_config_from_peer(const struct session_peer *peer, struct rtsp_link_config *out)
{
	const struct profile_robustness_rtsp *r = &peer->robustness->rtsp;
	uint16_t port = r->tls ? RTSP_LINK_TLS_PORT : RTSP_LINK_PORT;
	*out = (struct rtsp_link_config){.port = (uint16_t)(r->port ? r->port : port),
					 .path = r->path,
					 .user = r->user,
					 .password = r->password,
					 .tls = r->tls};
}

uint32_t rtsp_link_next_cseq(struct rtsp_link *s)
{
	return ++s->cseq;
}

void rtsp_link_case_sent(struct rtsp_link *s, uint32_t cseq)
{
	s->case_awaited = true;
	s->case_answered = false;
	s->case_cseq = cseq;
}

/* ---- I/O: TCP, TLS, UDP ---- */

static void tls_free(struct rtsp_link *s)
{
	SSL_free(s->tls); /* and the two BIOs it owns */
	SSL_CTX_free(s->tls_context);
	s->tls = NULL;
	s->tls_context = NULL;
	s->tls_in = s->tls_out = NULL;
}

/* Send what OpenSSL wrote into its outgoing BIO. 0 or DL_EIO. */
static int tls_flush(struct session_link *l, struct rtsp_link *s, struct dl_error *err)
{
	uint8_t buf[4096];
	for (unsigned rounds = 0; rounds < 1024; rounds++) {
		int n = BIO_read(s->tls_out, buf, sizeof(buf));
		if (n <= 0)
			return 0;
		int rc = session_link_send(l, buf, (size_t)n, false, err);
		if (rc)
			return rc;
	}
	return 0;
}

/* The ciphertext that session_link_read() appended past before, handed to OpenSSL. */
static bool tls_take(struct session_link *l, struct rtsp_link *s, size_t before)
{
	size_t got = l->input_length - before;
	l->input_length = before;
	return got == 0 || BIO_write(s->tls_in, l->input + before, (int)got) == (int)got;
}

/* What OpenSSL can decrypt now into l->input's free room; *ended: the TLS session ended
 * (close_notify, an alert, a record it could not read). Bytes added. */
static size_t tls_decrypt(struct session_link *l, struct rtsp_link *s, bool *ended)
{
	size_t added = 0;
	for (unsigned rounds = 0; rounds < 256 && l->input_length < sizeof(l->input); rounds++) {
		ERR_clear_error();
		int n = SSL_read(s->tls, l->input + l->input_length,
				 (int)(sizeof(l->input) - l->input_length));
		if (n > 0) {
			l->input_length += (size_t)n;
			added += (size_t)n;
			continue;
		}
		int e = SSL_get_error(s->tls, n);
		if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE)
			*ended = true;
		break;
	}
	return added;
}

/* The TLS handshake on l's fresh connection, certificate not verified. 0; DL_ENOMEM; any
 * other error is the DUT's (closed, silent, refused the handshake). */
static int tls_start(struct session_link *l, struct rtsp_link *s, int64_t deadline_ns,
		     struct dl_error *err)
{
	s->tls_context = SSL_CTX_new(TLS_client_method());
	s->tls = s->tls_context ? SSL_new(s->tls_context) : NULL;
	BIO *in = BIO_new(BIO_s_mem()), *out = BIO_new(BIO_s_mem());
	if (!s->tls || !in || !out) {
		BIO_free(in);
		BIO_free(out);
		tls_free(s);
		return dl_error_set(err, DL_ENOMEM, "rtsps: OpenSSL cannot make a client");
	}
	SSL_set_verify(s->tls, SSL_VERIFY_NONE, NULL);
	SSL_set_bio(s->tls, in, out); /* the SSL owns both now */
	s->tls_in = in;
	s->tls_out = out;
	SSL_set_connect_state(s->tls);
	for (unsigned rounds = 0; rounds < RTSP_LINK_TLS_ROUNDS; rounds++) {
		ERR_clear_error();
		int r = SSL_do_handshake(s->tls);
		int rc = tls_flush(l, s, err);
		if (rc)
			return rc;
		if (r == 1) {
			text_copy(s->tls_version, sizeof(s->tls_version), SSL_get_version(s->tls));
			return 0;
		}
		if (SSL_get_error(s->tls, r) != SSL_ERROR_WANT_READ) {
			char reason[160] = "";
			unsigned long e = ERR_peek_last_error();
			if (e)
				ERR_error_string_n(e, reason, sizeof(reason));
			return dl_error_set(err, DL_EPROTO,
					    "rtsps: the TLS handshake on port %u failed (%s); does "
					    "the port speak RTSP over TLS (robustness.rtsp.tls)?",
					    l->remote_port, reason[0] ? reason : "refused");
		}
		int left = sock_remaining_ms(deadline_ns, 1000);
		if (left == 0)
			break;
		bool closed = false;
		size_t before = l->input_length;
		rc = session_link_read_some(l, (unsigned)left, &closed, err);
		if (rc)
			return rc;
		bool got = l->input_length > before;
		if (!tls_take(l, s, before))
			return dl_error_set(err, DL_ENOMEM, "rtsps: OpenSSL took no input");
		if (closed && !got)
			return dl_error_set(err, DL_EIO,
					    "rtsps: the DUT closed the connection during the TLS "
					    "handshake on port %u",
					    l->remote_port);
	}
	return dl_error_set(err, DL_ETIMEDOUT,
			    "rtsps: the TLS handshake on port %u did not complete in time",
			    l->remote_port);
}

int rtsp_link_send(struct session_link *l, struct rtsp_link *s, const uint8_t *data, size_t length,
		   bool prefix, struct dl_error *err)
{
	if (!s->tls)
		return session_link_send(l, data, length, prefix, err);
	if (l->fd < 0)
		return dl_error_set(err, DL_EIO, "rtsps: no connection to send on");
	if (prefix)
		session_link_prefix_add(l, data, length);
	size_t done = 0;
	for (unsigned rounds = 0; rounds < 1024 && done < length; rounds++) {
		size_t chunk = length - done < 16384 ? length - done : 16384;
		ERR_clear_error();
		int n = SSL_write(s->tls, data + done, (int)chunk);
		int rc = tls_flush(l, s, err);
		if (rc)
			return rc;
		if (n <= 0)
			return dl_error_set(err, DL_EIO,
					    "rtsps: the TLS session ended (OpenSSL error %d)",
					    SSL_get_error(s->tls, n));
		done += (size_t)n;
	}
	return 0;
}

/* Plaintext into l->input: what OpenSSL already holds, else what the connection brings within
 * wait_ms (session_link_read_some()'s contract, through TLS on an RTSPS link). Every caller
 * loops until its message is whole, so a read ends at the first bytes: session_link_read()'s
 * 2 ms wait for what may follow cost each request of an establish and each case 2 ms, 40 %
 * of a one-link campaign's time against stream-good (strace -ttt). */
static int link_read(struct session_link *l, struct rtsp_link *s, unsigned wait_ms, bool *closed,
		     struct dl_error *err)
{
	if (!s->tls)
		return session_link_read_some(l, wait_ms, closed, err);
	*closed = false;
	bool ended = false;
	if (tls_decrypt(l, s, &ended) > 0 || ended) {
		*closed = ended;
		return 0;
	}
	size_t before = l->input_length;
	int rc = session_link_read_some(l, wait_ms, closed, err);
	if (rc)
		return rc;
	if (!tls_take(l, s, before))
		*closed = true;
	(void)tls_decrypt(l, s, &ended);
	struct dl_error ignored;
	if (tls_flush(l, s, &ignored) != 0 || ended)
		*closed = true;
	return 0;
}

static void udp_close(struct rtsp_link *s)
{
	if (s->udp_open) {
		close(s->udp_fd[0]);
		close(s->udp_fd[1]);
	}
	s->udp_open = false;
	s->udp_fd[0] = s->udp_fd[1] = -1;
}

/* One UDP socket through the scope guard (sock_open: the DUT in scope, bound to the tester
 * port), bound to the tester's address and port (0: any). */
static int udp_socket(struct session_link *l, uint16_t port, int *fd, struct dl_error *err)
{
	struct sock_address to = {0};
	struct sockaddr_in *sin = (struct sockaddr_in *)&to.storage;
	sin->sin_family = AF_INET;
	sin->sin_addr = l->peer->dut4;
	to.length = sizeof(*sin);
	int rc = sock_open(l->peer->scope, &to, SOCK_DGRAM, IPPROTO_UDP, l->peer->interface, fd,
			   err);
	if (rc)
		return rc;
	struct sockaddr_in me = {
		.sin_family = AF_INET, .sin_addr = l->peer->tester4, .sin_port = htons(port)};
	if (bind(*fd, (const struct sockaddr *)&me, sizeof(me)) < 0) {
		close(*fd);
		*fd = -1;
		return DL_EIO;
	}
	return 0;
}

/* Our RTP and RTCP ports, an even one and the next (RFC 3550 11). 0, DL_ESCOPE or DL_EIO. */
static int udp_open(struct session_link *l, struct rtsp_link *s, struct dl_error *err)
{
	udp_close(s);
	for (unsigned tries = 0; tries < RTSP_LINK_UDP_TRIES; tries++) {
		int rtp = -1, rtcp = -1;
		int rc = udp_socket(l, 0, &rtp, err);
		if (rc == DL_ESCOPE || (rc && rc != DL_EIO))
			return rc;
		if (rc)
			break;
		struct sockaddr_in me = {0};
		socklen_t n = sizeof(me);
		uint16_t port = 0;
		if (getsockname(rtp, (struct sockaddr *)&me, &n) == 0)
			port = ntohs(me.sin_port);
		if (port && port % 2 == 0 && port < 65535 &&
		    udp_socket(l, (uint16_t)(port + 1), &rtcp, err) == 0) {
			s->udp_fd[0] = rtp;
			s->udp_fd[1] = rtcp;
			s->client_port[0] = port;
			s->client_port[1] = (uint16_t)(port + 1);
			s->udp_open = true;
			return 0;
		}
		close(rtp);
	}
	return dl_error_set(err, DL_EIO,
			    "rtsp: no pair of UDP ports (even, odd) to take RTP and RTCP on the "
			    "tester's address");
}

int rtsp_link_send_udp(struct session_link *l, struct rtsp_link *s, bool rtcp, const uint8_t *data,
		       size_t length, struct dl_error *err)
{
	if (!s->udp_open || !s->server_port[rtcp])
		return dl_error_set(err, DL_EIO, "rtsp: no UDP session to send %s on",
				    rtcp ? "RTCP" : "RTP");
	struct sockaddr_in to = {.sin_family = AF_INET,
				 .sin_addr = l->peer->dut4,
				 .sin_port = htons(s->server_port[rtcp])};
	ssize_t sent =
		sendto(s->udp_fd[rtcp], data, length, 0, (const struct sockaddr *)&to, sizeof(to));
	if (sent != (ssize_t)length)
		return dl_error_set(err, DL_EIO, "rtsp: UDP send to port %u: %s",
				    s->server_port[rtcp], sent < 0 ? strerror(errno) : "cut short");
	s->udp_sent++;
	return 0;
}

/* What came to our RTP and RTCP ports from the DUT (from any of its ports: RFC 3550 does not
 * bind the source port), counted like interleaved frames. */
static void udp_drain(const struct session_link *l, struct rtsp_link *s)
{
	if (!s->udp_open)
		return;
	uint8_t buf[RTSP_LINK_DATAGRAM];
	for (int i = 0; i < 2; i++) {
		for (unsigned rounds = 0; rounds < RTSP_LINK_UDP_READS; rounds++) {
			struct sockaddr_in from = {0};
			socklen_t n = sizeof(from);
			ssize_t got = recvfrom(s->udp_fd[i], buf, sizeof(buf), MSG_DONTWAIT,
					       (struct sockaddr *)&from, &n);
			if (got < 0)
				break;
			if (from.sin_addr.s_addr != l->peer->dut4.s_addr) {
				s->udp_dropped++; /* not the DUT's */
				continue;
			}
			if (i == 0) {
				s->rtp_frames++;
				s->last_rtp_ns = sock_now_ns();
			} else {
				s->rtcp_frames++;
			}
		}
	}
}

/* ---- reading the stream ---- */

static bool is_token_byte(uint8_t b)
{
	return (b >= 'A' && b <= 'Z') || (b >= 'a' && b <= 'z') || b == '_' || b == '-';
}

/* Where the header block ends (just past the empty line), or 0 when it has not all come. */
static size_t head_end(const uint8_t *in, size_t n)
{
	size_t limit = n < RTSP_HEADER_MAX ? n : RTSP_HEADER_MAX;
	for (size_t i = 0; i + 1 < limit; i++) {
		if (in[i] != '\n')
			continue;
		if (in[i + 1] == '\n')
			return i + 2;
		if (i + 2 < limit && in[i + 1] == '\r' && in[i + 2] == '\n')
			return i + 3;
	}
	return 0;
}

static bool parse_decimal(const uint8_t *v, size_t n, uint64_t max, uint64_t *out)
{
	uint64_t value = 0;
	if (n == 0 || n > 20)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (v[i] < '0' || v[i] > '9')
			return false;
		uint64_t digit = (uint64_t)(v[i] - '0');
		if (value > (max - digit) / 10)
			return false;
		value = value * 10 + digit;
	}
	*out = value;
	return true;
}

/* "id;timeout=60" (RFC 2326 12.37). */
static void parse_session(struct rtsp_link_head *h, const uint8_t *v, size_t n)
{
	size_t id = 0;
	while (id < n && v[id] != ';' && v[id] != ' ')
		id++;
	cursor_text_printable(h->session, sizeof(h->session), v, id);
	for (size_t i = id; i + 8 <= n; i++) {
		if (strncasecmp((const char *)v + i, "timeout=", 8) != 0)
			continue;
		size_t d = i + 8, e = d;
		while (e < n && v[e] >= '0' && v[e] <= '9')
			e++;
		uint64_t t;
		if (parse_decimal(v + d, e - d, 86400, &t))
			h->timeout = (unsigned)t;
		break;
	}
}

/* The digits at v[*at..n) as a number up to max; *at moves past them. */
static bool take_number(const uint8_t *v, size_t n, size_t *at, uint64_t max, uint64_t *out)
{
	size_t e = *at;
	while (e < n && v[e] >= '0' && v[e] <= '9')
		e++;
	bool ok = parse_decimal(v + *at, e - *at, max, out);
	*at = e;
	return ok;
}

struct rtsp_link_pair rtsp_link_transport_pair(const uint8_t *v, size_t n, const char *key)
{
	struct rtsp_link_pair pair = {0};
	size_t k = strlen(key);
	unsigned max = strcmp(key, "interleaved") == 0 ? 255 : 65535;
	/* RFC 2326 12.39: transport-spec *(";" parameter); a parameter starts after ';' */
	for (size_t i = 0; i + k + 1 <= n; i++) {
		if ((i > 0 && v[i - 1] != ';' && v[i - 1] != ' ') ||
		    strncasecmp((const char *)v + i, key, k) != 0 || v[i + k] != '=')
			continue;
		size_t at = i + k + 1;
		uint64_t first, second;
		if (!take_number(v, n, &at, max, &first))
			return pair;
		second = first + 1;
		if (at < n && v[at] == '-') {
			at++;
			if (!take_number(v, n, &at, max, &second))
				return pair;
		}
		if (second > max)
			return pair;
		pair.found = true;
		pair.first = (unsigned)first;
		pair.second = (unsigned)second;
		return pair;
	}
	return pair;
}

/* "RTP/AVP/TCP;unicast;interleaved=0-1", "RTP/AVP;unicast;client_port=a-b;server_port=c-d"
 * (RFC 2326 12.39): the channels, or the DUT's ports. */
static void parse_transport(struct rtsp_link_head *h, const uint8_t *v, size_t n)
{
	struct rtsp_link_pair channels = rtsp_link_transport_pair(v, n, "interleaved");
	if (channels.found) {
		h->has_interleaved = true;
		h->channel_rtp = channels.first;
		h->channel_rtcp = channels.second;
	}
	h->server_port = rtsp_link_transport_pair(v, n, "server_port");
}

/* Parse the head of the message at in (end: head_end()). DL_EPROTO for one that is not RTSP. */
static int parse_head(const uint8_t *in, size_t end, struct rtsp_link_head *h)
{
	memset(h, 0, sizeof(*h));
	struct cursor c;
	cursor_init(&c, in, end);
	const uint8_t *line;
	size_t n;
	if (cursor_line(&c, RTSP_LINE_MAX, &line, &n) < 0)
		return DL_EPROTO;
	if (n >= 12 && memcmp(line, "RTSP/1.0 ", 9) == 0) {
		char reason[64];
		if (cursor_status_code(&c, line, n, 0, &h->status, reason, sizeof(reason)) < 0)
			return DL_EPROTO;
		h->response = true;
	} else if (n < 10 || memcmp(line + n - 8, "RTSP/1.0", 8) != 0) {
		return DL_EPROTO; /* neither a status line nor a request line */
	}
	for (unsigned count = 0; count <= RTSP_HEADERS_MAX; count++) {
		const uint8_t *name, *value;
		size_t nl, vl;
		bool last;
		if (cursor_header(&c, RTSP_LINE_MAX, &name, &nl, &value, &vl, &last) < 0)
			return DL_EPROTO;
		if (last) {
			h->header_length = cursor_position(&c);
			return 0;
		}
		uint64_t number = 0;
		if (cursor_span_equals(name, nl, "CSeq")) {
			h->has_cseq = parse_decimal(value, vl, UINT32_MAX, &number);
			h->cseq = (uint32_t)number;
		} else if (cursor_span_equals(name, nl, "Content-Length")) {
			if (!parse_decimal(value, vl, RTSP_LINK_RESPONSE_MAX * 8, &number))
				return DL_EPROTO;
			h->content_length = (size_t)number;
		} else if (cursor_span_equals(name, nl, "Session")) {
			parse_session(h, value, vl);
		} else if (cursor_span_equals(name, nl, "Transport")) {
			parse_transport(h, value, vl);
		} else if (cursor_span_equals(name, nl, "Content-Base")) {
			cursor_text_printable(h->content_base, sizeof(h->content_base), value, vl);
		} else if (cursor_span_equals(name, nl, "Connection")) {
			h->connection_close = cursor_span_equals(value, vl, "close");
		} else if (cursor_span_equals(name, nl, "Server")) {
			cursor_text_printable(h->server, sizeof(h->server), value, vl);
		} else if (cursor_span_equals(name, nl, "WWW-Authenticate") &&
			   h->www_count < RTSP_LINK_WWW_MAX) {
			cursor_text_printable(h->www[h->www_count++], sizeof(h->www[0]), value, vl);
		}
	}
	return DL_EPROTO; /* more headers than RTSP_HEADERS_MAX */
}

enum pump_result {
	PUMP_MORE, /* l->input holds no whole message now */
	PUMP_LOST, /* bytes that are neither a frame nor a message */
};

/* What an answer said that the session's state follows. */
static void answer_of(const struct rtsp_link_head *h, struct rtsp_link_answer *a)
{
	a->status = h->status;
	text_copy(a->session, sizeof(a->session), h->session);
	a->timeout = h->timeout;
	a->has_interleaved = h->has_interleaved;
	a->channel_rtp = h->channel_rtp;
	a->channel_rtcp = h->channel_rtcp;
	a->connection_close = h->connection_close;
}

void rtsp_link_set_up(struct rtsp_link *s, const struct rtsp_link_answer *a)
{
	text_copy(s->session, sizeof(s->session), a->session);
	s->session_timeout = a->timeout ? a->timeout : RTSP_LINK_TIMEOUT_DEFAULT;
	s->rtp_channel = (uint8_t)a->channel_rtp;
	s->rtcp_channel = (uint8_t)a->channel_rtcp;
	/* RFC 2326 12.37: kept alive at half its timeout */
	s->keepalive_ns = sock_now_ns() + (int64_t)s->session_timeout * 500000000;
	s->stage = RTSP_LINK_READY;
}

/* Read every whole message out of l->input: frames counted, the awaited response kept. */
static enum pump_result pump(struct session_link *l, struct rtsp_link *s, struct rtsp_link_wait *w)
{
	for (unsigned rounds = 0; rounds < RTSP_LINK_READS_MAX; rounds++) {
		if (s->frame_skip) {
			size_t n =
				s->frame_skip < l->input_length ? s->frame_skip : l->input_length;
			session_link_consume(l, n);
			s->frame_skip -= n;
			s->bytes_skipped += n;
		}
		if (l->input_length == 0)
			return PUMP_MORE;
		const uint8_t *in = l->input;
		if (in[0] == '$') {
			/* RFC 2326 10.12: '$', channel, 16-bit length, the data */
			if (l->input_length < 4)
				return PUMP_MORE;
			size_t total = 4 + ((size_t)in[2] << 8 | in[3]);
			if (in[1] == s->rtp_channel) {
				s->rtp_frames++;
				s->last_rtp_ns = sock_now_ns();
			} else if (in[1] == s->rtcp_channel) {
				s->rtcp_frames++;
			} else {
				s->other_frames++;
			}
			if (total > l->input_length) {
				if (total <= sizeof(l->input)) {
					/* not all here: uncount, read on */
					if (in[1] == s->rtp_channel)
						s->rtp_frames--;
					else if (in[1] == s->rtcp_channel)
						s->rtcp_frames--;
					else
						s->other_frames--;
					return PUMP_MORE;
				}
				s->frame_skip = total - l->input_length; /* longer than the input */
				s->bytes_skipped += l->input_length;
				l->input_length = 0;
				return PUMP_MORE;
			}
			session_link_consume(l, total);
			continue;
		}
		if (!is_token_byte(in[0]))
			return PUMP_LOST;
		size_t end = head_end(in, l->input_length);
		if (end == 0)
			return l->input_length >= RTSP_HEADER_MAX ? PUMP_LOST : PUMP_MORE;
		struct rtsp_link_head h;
		if (parse_head(in, end, &h) < 0)
			return PUMP_LOST;
		size_t total = end + h.content_length;
		if (total > sizeof(l->input))
			return PUMP_LOST; /* a body we cannot hold: not one of ours */
		if (total > l->input_length)
			return PUMP_MORE;
		if (h.response) {
			s->responses++;
			s->last_status = h.status;
			if (h.status >= 400)
				s->refusals++;
			if (h.server[0])
				text_copy(s->server, sizeof(s->server), h.server);
			/* the case's answer: its CSeq, or (the CSeq mutated) any answer but the
			 * keepalive's, RTSP answering in order */
			bool keepalive =
				s->keepalive_cseq && h.has_cseq && h.cseq == s->keepalive_cseq;
			if (s->case_awaited && !keepalive &&
			    (s->case_cseq == 0 || (h.has_cseq && h.cseq == s->case_cseq))) {
				s->case_awaited = false;
				s->case_answered = true;
				answer_of(&h, &s->case_answer);
			}
			if (w && !w->done && h.has_cseq && h.cseq == w->cseq) {
				w->done = true;
				w->head = h;
				if (w->copy && w->copy_size) {
					size_t n =
						total < w->copy_size - 1 ? total : w->copy_size - 1;
					memcpy(w->copy, in, n);
					w->copy[n] = '\0';
				}
			}
		}
		session_link_consume(l, total);
	}
	return PUMP_MORE;
}

int rtsp_link_walk_input(struct session_link *l, struct rtsp_link *s)
{
	return pump(l, s, NULL) == PUMP_LOST ? DL_EPROTO : 0;
}

/* ---- authorization ---- */

static const EVP_MD *digest_md(const char *algorithm)
{
	if (!algorithm[0] || strcasecmp(algorithm, "MD5") == 0)
		return EVP_md5();
	if (strcasecmp(algorithm, "SHA-256") == 0)
		return EVP_sha256();
	return NULL;
}

/* hex(H(text)) into out (at least 65 bytes). */
static bool digest_hex(const EVP_MD *md, const char *text, char *out)
{
	unsigned char d[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	bool ok = ctx && EVP_DigestInit_ex(ctx, md, NULL) == 1 &&
		  EVP_DigestUpdate(ctx, text, strlen(text)) == 1 &&
		  EVP_DigestFinal_ex(ctx, d, &n) == 1 && n <= 32;
	EVP_MD_CTX_free(ctx);
	for (unsigned i = 0; ok && i < n; i++)
		snprintf(out + 2 * i, 3, "%02x", d[i]);
	return ok;
}

int rtsp_link_authorization(struct rtsp_link *s, const char *method, const char *uri, char *out,
			    size_t size, struct dl_error *err)
{
	if (size)
		out[0] = '\0';
	const struct rtsp_link_config *c = &s->config;
	if (!s->has_challenge || !c->user)
		return 0;
	const char *password = c->password ? c->password : "";
	char text[1024];
	int n;
	if (s->basic) {
		/* RFC 7617 2: base64(user ":" password) */
		n = snprintf(text, sizeof(text), "%s:%s", c->user, password);
		unsigned char encoded[1400];
		if (n < 0 || (size_t)n >= sizeof(text) || (size_t)n * 4 / 3 + 4 >= sizeof(encoded))
			return dl_error_set(err, DL_EINVAL, "rtsp: user name or password too long");
		EVP_EncodeBlock(encoded, (const unsigned char *)text, n);
		n = snprintf(out, size, "Authorization: Basic %s", encoded);
		memset(text, 0, sizeof(text));
		if (n < 0 || (size_t)n >= size)
			return dl_error_set(err, DL_EINVAL, "rtsp: Authorization does not fit");
		return 0;
	}
	const struct http_auth_challenge *ch = &s->challenge;
	const EVP_MD *md = digest_md(ch->algorithm);
	if (!md)
		return dl_error_set(err, DL_EINVAL,
				    "rtsp: the DUT's Digest algorithm '%s' is not one dutlab "
				    "answers (MD5, SHA-256)",
				    ch->algorithm);
	/* RFC 7616 3.4.1: response = H(H(A1) ":" nonce [":" nc ":" cnonce ":" qop] ":" H(A2)) */
	char ha1[65], ha2[65], response[65];
	n = snprintf(text, sizeof(text), "%s:%s:%s", c->user, ch->realm, password);
	bool ok = n > 0 && (size_t)n < sizeof(text) && digest_hex(md, text, ha1);
	memset(text, 0, sizeof(text));
	n = snprintf(text, sizeof(text), "%s:%s", method, uri);
	ok = ok && n > 0 && (size_t)n < sizeof(text) && digest_hex(md, text, ha2);
	bool qop = (ch->qops & HTTP_AUTH_QOP_AUTH) != 0;
	char cnonce[33] = "";
	uint32_t nc = 0;
	if (ok && qop) {
		unsigned char r[16];
		if (RAND_bytes(r, sizeof(r)) != 1)
			ok = false;
		for (size_t i = 0; ok && i < sizeof(r); i++)
			snprintf(cnonce + 2 * i, 3, "%02x", r[i]);
		nc = ++s->nonce_count;
		n = snprintf(text, sizeof(text), "%s:%s:%08" PRIx32 ":%s:auth:%s", ha1, ch->nonce,
			     nc, cnonce, ha2);
	} else {
		n = snprintf(text, sizeof(text), "%s:%s:%s", ha1, ch->nonce, ha2);
	}
	ok = ok && n > 0 && (size_t)n < sizeof(text) && digest_hex(md, text, response);
	if (!ok)
		return dl_error_set(err, DL_EINVAL,
				    "rtsp: cannot compute the Digest response (a value too long, "
				    "or OpenSSL lacks %s)",
				    ch->algorithm[0] ? ch->algorithm : "MD5");
	char extra[256] = "";
	size_t used = 0;
	if (ch->algorithm[0])
		used += (size_t)snprintf(extra + used, sizeof(extra) - used, ", algorithm=%s",
					 ch->algorithm);
	if (ch->opaque[0] && used < sizeof(extra))
		used += (size_t)snprintf(extra + used, sizeof(extra) - used, ", opaque=\"%s\"",
					 ch->opaque);
	if (qop && used < sizeof(extra))
		snprintf(extra + used, sizeof(extra) - used,
			 ", qop=auth, nc=%08" PRIx32 ", cnonce=\"%s\"", nc, cnonce);
	n = snprintf(out, size,
		     "Authorization: Digest username=\"%s\", realm=\"%s\", nonce=\"%s\", "
		     "uri=\"%s\", response=\"%s\"%s",
		     c->user, ch->realm, ch->nonce, uri, response, extra);
	if (n < 0 || (size_t)n >= size)
		return dl_error_set(err, DL_EINVAL, "rtsp: Authorization does not fit");
	return 0;
}

/* Take the challenge of a 401: Digest preferred, Basic else. */
static int take_challenge(struct rtsp_link *s, const struct rtsp_link_head *h, struct dl_error *err)
{
	struct http_auth_challenges *list = calloc(1, sizeof(*list));
	if (!list)
		return dl_error_set(err, DL_ENOMEM, "rtsp: out of memory");
	for (size_t i = 0; i < h->www_count; i++) {
		struct dl_error ignored;
		(void)http_auth_parse(h->www[i], strlen(h->www[i]), list, &ignored);
	}
	const struct http_auth_challenge *digest = http_auth_find(list, "Digest");
	const struct http_auth_challenge *basic = http_auth_find(list, "Basic");
	int rc = 0;
	if (digest && digest->has_nonce) {
		s->challenge = *digest;
		s->basic = false;
		s->nonce_count = 0;
		s->has_challenge = s->challenge_here = true;
	} else if (basic) {
		s->challenge = *basic;
		s->basic = true;
		s->has_challenge = s->challenge_here = true;
	} else {
		rc = dl_error_set(err, DL_EPROTO,
				  "rtsp: the DUT answered 401 without a Digest or Basic challenge "
				  "(%zu WWW-Authenticate headers)",
				  h->www_count);
	}
	free(list);
	return rc;
}

/* ---- requests ---- */

static void unrecord_last(struct session_link *l)
{
	if (l->prefix_count == 0)
		return;
	l->prefix_count--;
	l->prefix_length = l->prefix_count ? l->prefix_ends[l->prefix_count - 1] : 0;
}

static int send_request(struct session_link *l, struct rtsp_link *s, const char *text, size_t n,
			bool prefix, bool *recorded, struct dl_error *err)
{
	*recorded = prefix && l->prefix_count < SESSION_PREFIX_MAX &&
		    n <= SESSION_PREFIX_BYTES - l->prefix_length;
	return rtsp_link_send(l, s, (const uint8_t *)text, n, *recorded, err);
}

/* The challenge is an earlier connection's and the DUT takes a nonce on its own connection
 * only: a Digest line from it would be read (byte by byte, on GStreamer) and refused. */
static bool stale_nonce(const struct rtsp_link *s)
{
	return s->nonce_per_connection && !s->challenge_here && !s->basic;
}

static int format_request(struct rtsp_link *s, const char *method, const char *uri,
			  const char *extra, const char *body, char *out, size_t size,
			  size_t *length, struct dl_error *err)
{
	char authorization[1024], session[RTSP_LINK_SESSION_MAX + 16] = "";
	char content[48] = "";
	int rc = 0;
	authorization[0] = '\0';
	if (!stale_nonce(s))
		rc = rtsp_link_authorization(s, method, uri, authorization, sizeof(authorization),
					     err);
	if (rc)
		return rc;
	if (s->session[0])
		snprintf(session, sizeof(session), "Session: %s\r\n", s->session);
	if (body)
		snprintf(content, sizeof(content), "Content-Length: %zu\r\n", strlen(body));
	uint32_t cseq = rtsp_link_next_cseq(s);
	int n = snprintf(out, size,
			 "%s %s RTSP/1.0\r\nCSeq: %" PRIu32
			 "\r\n%s%s%s%sUser-Agent: " RTSP_LINK_AGENT "\r\n%s\r\n%s",
			 method, uri, cseq, session, authorization, authorization[0] ? "\r\n" : "",
			 extra ? extra : "", content, body ? body : "");
	memset(authorization, 0, sizeof(authorization));
	if (n < 0 || (size_t)n >= size)
		return dl_error_set(err, DL_EINVAL, "rtsp: the %s request does not fit %zu bytes",
				    method, size);
	*length = (size_t)n;
	return 0;
}

/* Read until w is done or the deadline; DL_EIO when the DUT closed, DL_EPROTO lost framing. */
static int await(struct session_link *l, struct rtsp_link *s, struct rtsp_link_wait *w,
		 int64_t deadline_ns, const char *method, struct dl_error *err)
{
	bool closed = false;
	for (unsigned rounds = 0; rounds < RTSP_LINK_READS_MAX; rounds++) {
		/* what came before a close is read first: an answer and then the close */
		if (pump(l, s, w) == PUMP_LOST)
			return dl_error_set(err, DL_EPROTO,
					    "rtsp: the DUT's answer to %s is neither an RTSP "
					    "message nor an interleaved frame",
					    method);
		if (w->done)
			return 0;
		if (closed)
			return dl_error_set(err, DL_EIO,
					    "rtsp: the DUT closed the connection after %s", method);
		int left = sock_remaining_ms(deadline_ns, 1000);
		if (left == 0)
			break;
		int rc = link_read(l, s, (unsigned)left, &closed, err);
		if (rc)
			return rc;
	}
	return dl_error_set(err, DL_ETIMEDOUT, "rtsp: no answer to %s (CSeq %" PRIu32 ") in time",
			    method, w->cseq);
}

static int request_head(struct session_link *l, struct rtsp_link *s, const char *method,
			const char *uri, const char *extra, const char *body, bool prefix,
			int64_t deadline_ns, struct rtsp_link_wait *w, struct dl_error *err)
{
	char *text = malloc(RTSP_LINK_REQUEST_MAX);
	if (!text)
		return dl_error_set(err, DL_ENOMEM, "rtsp: out of memory");
	int rc = 0;
	for (int attempt = 0; attempt < 2; attempt++) {
		size_t n;
		/* a Digest line from an earlier connection's challenge: refused, the DUT's
		 * nonces are its connections' */
		bool earlier = s->has_challenge && !s->challenge_here && !s->basic &&
			       !stale_nonce(s) && s->config.user;
		rc = format_request(s, method, uri, extra, body, text, RTSP_LINK_REQUEST_MAX, &n,
				    err);
		bool recorded = false;
		if (!rc)
			rc = send_request(l, s, text, n, prefix, &recorded, err);
		if (rc)
			break;
		w->cseq = s->cseq;
		w->done = false;
		rc = await(l, s, w, deadline_ns, method, err);
		if (rc || w->head.status != 401 || attempt == 1 || !s->config.user)
			break;
		if (earlier)
			s->nonce_per_connection = true;
		/* answer the challenge once: the request again, with its Authorization */
		if (recorded)
			unrecord_last(l);
		rc = take_challenge(s, &w->head, err);
		if (rc)
			break;
	}
	free(text);
	return rc;
}

int rtsp_link_request(struct session_link *l, struct rtsp_link *s, const char *method,
		      const char *uri, const char *extra, const char *body, bool prefix,
		      int64_t deadline_ns, int *status, char *response, size_t response_size,
		      struct dl_error *err)
{
	struct rtsp_link_wait *w = calloc(1, sizeof(*w));
	if (!w)
		return dl_error_set(err, DL_ENOMEM, "rtsp: out of memory");
	w->copy = response;
	w->copy_size = response_size;
	int rc = request_head(l, s, method, uri, extra, body, prefix, deadline_ns, w, err);
	*status = rc ? 0 : w->head.status;
	free(w);
	return rc;
}

/* ---- establishing ---- */

/* The SDP's first media's control attribute, resolved against base (RFC 2326 C.1.1). */
static void sdp_control(const char *sdp, const char *base, char *out, size_t size)
{
	char session_control[RTSP_LINK_URL_MAX] = "", media_control[RTSP_LINK_URL_MAX] = "";
	bool in_media = false, media_done = false;
	const char *line = sdp;
	for (unsigned lines = 0; line && *line && lines < 512 && !media_done; lines++) {
		size_t n = strcspn(line, "\r\n");
		if (n >= 2 && strncmp(line, "m=", 2) == 0) {
			if (in_media)
				media_done = true;
			in_media = true;
		} else if (n > 10 && strncmp(line, "a=control:", 10) == 0) {
			char *dst = in_media ? media_control : session_control;
			size_t copy =
				n - 10 < RTSP_LINK_URL_MAX - 1 ? n - 10 : RTSP_LINK_URL_MAX - 1;
			if (!dst[0]) {
				memcpy(dst, line + 10, copy);
				dst[copy] = '\0';
			}
		}
		line += n;
		line += strspn(line, "\r\n");
	}
	const char *control = media_control[0] ? media_control : session_control;
	if (!control[0] || strcmp(control, "*") == 0)
		snprintf(out, size, "%s", base);
	else if (strncasecmp(control, "rtsp://", 7) == 0)
		snprintf(out, size, "%s", control);
	else
		snprintf(out, size, "%s%s%s", base,
			 base[0] && base[strlen(base) - 1] == '/' ? "" : "/", control);
}

static int expect_200(const char *method, int status, struct dl_error *err)
{
	if (status == 200)
		return 0;
	return dl_error_set(err, DL_EPROTO, "rtsp: %s answered %d, not 200%s", method, status,
			    status == 401 ? " (are robustness.rtsp's user and password the DUT's?)"
			    : status == 404 ? " (is robustness.rtsp.path the DUT's stream?)"
			    : status == 461
				    ? " (Unsupported Transport: the DUT does not offer it; "
				      "rtp-udp and rtcp-udp need RTP over UDP, rtp and rtcp "
				      "interleaved)"
				    : "");
}

/* One request of the way in, answered 200 (a status w->head.status shows). */
static int step_options(struct session_link *l, struct rtsp_link *s, int64_t deadline_ns,
			struct rtsp_link_wait *w, struct dl_error *err)
{
	int rc = request_head(l, s, "OPTIONS", s->url, NULL, NULL, true, deadline_ns, w, err);
	if (!rc)
		rc = expect_200("OPTIONS", w->head.status, err);
	if (!rc)
		s->stage = RTSP_LINK_OPTIONS;
	return rc;
}

static int step_describe(struct session_link *l, struct rtsp_link *s, int64_t deadline_ns,
			 struct rtsp_link_wait *w, char *body, struct dl_error *err)
{
	w->copy = body;
	w->copy_size = RTSP_LINK_RESPONSE_MAX;
	int rc = 0;
	for (int tries = 0; tries < 8; tries++) {
		rc = request_head(l, s, "DESCRIBE", s->url, "Accept: application/sdp\r\n", NULL,
				  true, deadline_ns, w, err);
		if (rc || w->head.status != 503 ||
		    sock_remaining_ms(deadline_ns, 1000) < RTSP_LINK_RETRY_503_MS)
			break;
		/* GStreamer's shared media of the last session is still going down */
		unrecord_last(l);
		struct timespec pause = {0, RTSP_LINK_RETRY_503_MS * 1000000L};
		nanosleep(&pause, NULL);
	}
	w->copy = NULL;
	w->copy_size = 0;
	if (!rc)
		rc = expect_200("DESCRIBE", w->head.status, err);
	if (rc)
		return rc;
	const char *sdp = body + w->head.header_length;
	if (w->head.header_length > strlen(body))
		sdp = "";
	const char *base = w->head.content_base[0] ? w->head.content_base : s->url;
	sdp_control(sdp, base, s->control, sizeof(s->control));
	s->stage = RTSP_LINK_DESCRIBED;
	return 0;
}

/* SETUP of s->control; *refused: the DUT answered, but not 200 (nor 401). */
static int step_setup(struct session_link *l, struct rtsp_link *s, int64_t deadline_ns,
		      struct rtsp_link_wait *w, bool *refused, struct dl_error *err)
{
	*refused = false;
	char transport[96] = "Transport: RTP/AVP/TCP;unicast;interleaved=0-1\r\n";
	if (s->config.udp) {
		int rc = s->udp_open ? 0 : udp_open(l, s, err);
		if (rc)
			return rc;
		snprintf(transport, sizeof(transport),
			 "Transport: RTP/AVP;unicast;client_port=%u-%u\r\n", s->client_port[0],
			 s->client_port[1]);
	}
	int rc =
		request_head(l, s, "SETUP", s->control, transport, NULL, true, deadline_ns, w, err);
	if (!rc) {
		*refused = w->head.status != 200 && w->head.status != 401;
		rc = expect_200("SETUP", w->head.status, err);
	}
	if (!rc && !w->head.session[0])
		rc = dl_error_set(err, DL_EPROTO, "rtsp: SETUP answered 200 without a Session");
	if (!rc && !s->config.udp && !w->head.has_interleaved)
		rc = dl_error_set(err, DL_EPROTO,
				  "rtsp: SETUP answered 200 without interleaved channels: "
				  "the DUT does not stream RTP over the RTSP connection");
	if (!rc && s->config.udp &&
	    (!w->head.server_port.found || w->head.server_port.first == 0 ||
	     w->head.server_port.second == 0))
		rc = dl_error_set(err, DL_EPROTO,
				  "rtsp: SETUP over UDP answered 200 without server_port: "
				  "the DUT names no port to take our RTP and RTCP on");
	if (rc)
		return rc;
	if (s->config.udp) {
		s->server_port[0] = (uint16_t)w->head.server_port.first;
		s->server_port[1] = (uint16_t)w->head.server_port.second;
	}
	struct rtsp_link_answer a;
	answer_of(&w->head, &a);
	rtsp_link_set_up(s, &a);
	return 0;
}

static int step_play(struct session_link *l, struct rtsp_link *s, int64_t deadline_ns,
		     struct rtsp_link_wait *w, struct dl_error *err)
{
	/* no Range (RFC 2326 10.5: optional; a live stream plays from now): GStreamer seeks a
	 * shared live media to a Range every viewer shares, and a seek racing another
	 * session's setup or teardown deadlocks its server (seen as OPTIONS unanswered) */
	int rc = request_head(l, s, "PLAY", s->url, NULL, NULL, true, deadline_ns, w, err);
	if (!rc)
		rc = expect_200("PLAY", w->head.status, err);
	if (rc)
		return rc;
	s->stage = RTSP_LINK_PLAYING;
	s->playing_ns = sock_now_ns();
	return 0;
}

/*
 * From the link's stage on to stage, on its connection. The first session describes
 * (OPTIONS, DESCRIBE); a later one sets the control URL the first DESCRIBE gave up at
 * once (RFC 2326 10.4 asks no DESCRIBE before SETUP): GStreamer reads every request
 * byte by byte, and the two requests were half of what a new session cost it. A DUT that
 * refuses that SETUP is described first from then on; a replay always is.
 */
static int establish_steps(struct session_link *l, struct rtsp_link *s, enum rtsp_link_stage stage,
			   int64_t deadline_ns, struct dl_error *err)
{
	struct rtsp_link_wait *w = calloc(1, sizeof(*w));
	char *body = malloc(RTSP_LINK_RESPONSE_MAX);
	int rc = 0;
	if (!w || !body) {
		rc = dl_error_set(err, DL_ENOMEM, "rtsp: out of memory");
		goto out;
	}
	bool refused = false;
	bool shortcut = !l->replaying && s->control[0] && !s->direct_setup_refused;
	if (shortcut && stage >= RTSP_LINK_READY && s->stage < RTSP_LINK_DESCRIBED) {
		size_t recorded = l->prefix_count;
		rc = step_setup(l, s, deadline_ns, w, &refused, err);
		if (rc && !refused)
			goto out;
		if (rc) {
			s->direct_setup_refused = true; /* described first, now and from now on */
			while (l->prefix_count > recorded)
				unrecord_last(l);
			rc = 0;
		}
	}
	if (!shortcut && stage >= RTSP_LINK_OPTIONS && s->stage < RTSP_LINK_OPTIONS)
		rc = step_options(l, s, deadline_ns, w, err);
	if (!rc && stage >= RTSP_LINK_DESCRIBED && s->stage < RTSP_LINK_DESCRIBED)
		rc = step_describe(l, s, deadline_ns, w, body, err);
	if (!rc && stage >= RTSP_LINK_READY && s->stage < RTSP_LINK_READY)
		rc = step_setup(l, s, deadline_ns, w, &refused, err);
	if (!rc && stage >= RTSP_LINK_PLAYING && s->stage < RTSP_LINK_PLAYING)
		rc = step_play(l, s, deadline_ns, w, err);
out:
	free(w);
	free(body);
	return rc;
}

int rtsp_link_establish(struct session_link *l, struct rtsp_link *s,
			const struct rtsp_link_config *config, enum rtsp_link_stage stage,
			int64_t deadline_ns, struct dl_error *err)
{
	/* the challenge outlives a session: a DUT's nonce stays good until it says stale (or
	 * proved to be one connection's); so do the control URL and what the DUT refused */
	struct http_auth_challenge challenge = s->challenge;
	bool has_challenge = s->has_challenge, basic = s->basic;
	bool per_connection = s->nonce_per_connection, refused = s->direct_setup_refused;
	uint32_t nonce_count = s->nonce_count;
	uint64_t stalls = s->stalls;
	char control[RTSP_LINK_URL_MAX];
	memcpy(control, s->control, sizeof(control));
	tls_free(s);
	udp_close(s);
	memset(s, 0, sizeof(*s));
	s->udp_fd[0] = s->udp_fd[1] = -1;
	s->stalls = stalls;
	s->config = *config;
	s->challenge = challenge;
	s->has_challenge = has_challenge;
	s->basic = basic;
	s->nonce_per_connection = per_connection;
	s->direct_setup_refused = refused;
	s->nonce_count = nonce_count;
	memcpy(s->control, control, sizeof(s->control));
	s->rtp_channel = 0;
	s->rtcp_channel = 1;
	const char *path = config->path && config->path[0] ? config->path : "/";
	uint16_t port = config->port ? config->port : RTSP_LINK_PORT;
	char host[INET_ADDRSTRLEN];
	inet_ntop(AF_INET, &l->peer->dut4, host, sizeof(host));
	int n = snprintf(s->url, sizeof(s->url), "%s://%s:%u%s%s", config->tls ? "rtsps" : "rtsp",
			 host, port, path[0] == '/' ? "" : "/", path);
	if (n < 0 || (size_t)n >= sizeof(s->url) || strpbrk(path, " \r\n\t"))
		return dl_error_set(err, DL_EINVAL,
				    "robustness.rtsp.path: '%s' is too long or has a space or line "
				    "break",
				    path);
	int rc = session_link_connect(l, port, NULL, deadline_ns, err);
	if (rc)
		return rc;
	if (config->tls)
		rc = tls_start(l, s, deadline_ns, err);
	s->stage = RTSP_LINK_CONNECTED;
	if (!rc)
		rc = establish_steps(l, s, stage, deadline_ns, err);
	s->refusals = 0; /* a 401 on the way in is the challenge, not a refusal */
	if (rc) {
		session_link_close(l);
		tls_free(s);
		udp_close(s);
		s->session[0] = '\0';
	}
	return rc;
}

int rtsp_link_advance(struct session_link *l, struct rtsp_link *s, enum rtsp_link_stage stage,
		      int64_t deadline_ns, struct dl_error *err)
{
	if (l->fd < 0)
		return dl_error_set(err, DL_EIO, "rtsp: no connection to advance on");
	if (stage == s->stage)
		return 0;
	/* the last case unanswered: the DUT may still be reading it (a Content-Length past its
	 * body), and would take our request for the rest of it */
	if (s->case_awaited)
		return dl_error_set(err, DL_EUNSUPPORTED,
				    "rtsp: the last case is not answered: the connection may be "
				    "inside it");
	if (stage < s->stage || s->stage < RTSP_LINK_DESCRIBED)
		return dl_error_set(err, DL_EUNSUPPORTED,
				    "rtsp: from stage %d back to %d takes a new connection (a "
				    "TEARDOWN's answer closes GStreamer's)",
				    (int)s->stage, (int)stage);
	unsigned steps = (stage >= RTSP_LINK_READY && s->stage < RTSP_LINK_READY) +
			 (stage >= RTSP_LINK_PLAYING && s->stage < RTSP_LINK_PLAYING);
	/* recorded after the prefix or not at all: a fresh session's prefix is whole */
	if (l->prefix_full || l->prefix_count + steps > SESSION_PREFIX_MAX ||
	    SESSION_PREFIX_BYTES - l->prefix_length < steps * (RTSP_LINK_REQUEST_MAX / 2))
		return dl_error_set(err, DL_EUNSUPPORTED,
				    "rtsp: the state-building prefix has no room for %u more "
				    "requests",
				    steps);
	return establish_steps(l, s, stage, deadline_ns, err);
}

/* ---- tending, closing, checking ---- */

int rtsp_link_tend(struct session_link *l, struct rtsp_link *s, unsigned wait_ms,
		   struct session_reaction *out, struct dl_error *err)
{
	memset(out, 0, sizeof(*out));
	out->kind = SESSION_ALIVE;
	if (l->fd < 0) {
		out->kind = SESSION_CLOSED;
		return 0;
	}
	int rc = 0;
	if (s->stage >= RTSP_LINK_READY && sock_now_ns() >= s->keepalive_ns) {
		/* RFC 2326 12.37: a request with the Session keeps it; the answer is read below */
		char *text = malloc(RTSP_LINK_REQUEST_MAX);
		size_t n = 0;
		if (!text)
			return dl_error_set(err, DL_ENOMEM, "rtsp: out of memory");
		rc = format_request(s, "OPTIONS", s->url, NULL, NULL, text, RTSP_LINK_REQUEST_MAX,
				    &n, err);
		s->keepalive_cseq = s->cseq;
		if (!rc)
			rc = rtsp_link_send(l, s, (const uint8_t *)text, n, false, err);
		free(text);
		s->keepalive_ns = sock_now_ns() + (int64_t)s->session_timeout * 500000000;
		if (rc) {
			out->kind = SESSION_CLOSED;
			return rc;
		}
	}
	int64_t until = sock_now_ns() + (int64_t)wait_ms * 1000000;
	for (unsigned rounds = 0; rounds < RTSP_LINK_READS_MAX; rounds++) {
		udp_drain(l, s);
		if (pump(l, s, NULL) == PUMP_LOST) {
			out->kind =
				SESSION_CLOSED; /* the framing is lost: the session cannot go on */
			return 0;
		}
		if (s->case_answered)
			break; /* the case's whole answer is read: nothing more to wait for */
		int left = sock_remaining_ms(until, (int)wait_ms);
		bool closed = false;
		struct dl_error why;
		size_t before = l->input_length;
		if (link_read(l, s, (unsigned)left, &closed, &why) != 0 || closed) {
			(void)pump(l, s, NULL);
			out->complete = s->case_answered;
			s->case_answered = s->case_awaited = false;
			out->kind = SESSION_CLOSED;
			return 0;
		}
		if (l->input_length == before && left == 0)
			break;
		if (l->input_length == before && sock_now_ns() >= until)
			break;
	}
	udp_drain(l, s);
	out->complete = s->case_answered;
	s->case_answered = false;
	int64_t heard = s->last_rtp_ns > s->playing_ns ? s->last_rtp_ns : s->playing_ns;
	if (s->stage == RTSP_LINK_PLAYING &&
	    sock_now_ns() - heard > (int64_t)RTSP_LINK_STALL_MS * 1000000) {
		s->stalls++;
		out->kind = SESSION_CLOSED; /* the stream stalled: establish again to learn why */
	}
	return 0;
}

void rtsp_link_close(struct session_link *l, struct rtsp_link *s)
{
	if (l->fd >= 0 && s->session[0]) {
		char text[RTSP_LINK_REQUEST_MAX];
		size_t n = 0;
		struct dl_error ignored;
		if (format_request(s, "TEARDOWN", s->url, NULL, NULL, text, sizeof(text), &n,
				   &ignored) == 0)
			(void)rtsp_link_send(l, s, (const uint8_t *)text, n, false, &ignored);
	}
	session_link_close(l);
	tls_free(s);
	udp_close(s);
	s->session[0] = '\0';
	s->stage = RTSP_LINK_CONNECTED;
	s->frame_skip = 0;
	s->case_awaited = s->case_answered = false;
}

int rtsp_link_check(struct session_link *l, struct rtsp_link *s,
		    const struct rtsp_link_config *config, int64_t deadline_ns, bool *healthy,
		    char *evidence, size_t size, struct dl_error *err)
{
	*healthy = false;
	struct dl_error why = {0};
	int64_t start = sock_now_ns();
	int rc = rtsp_link_establish(l, s, config, RTSP_LINK_PLAYING, deadline_ns, &why);
	if (rc == DL_ESCOPE || rc == DL_ENOMEM)
		return dl_error_set(err, rc, "%s", why.message);
	if (rc) {
		snprintf(evidence, size, "%s%s", strncmp(why.message, "rtsp: ", 6) ? "rtsp: " : "",
			 why.message);
		return 0;
	}
	int64_t played = sock_now_ns();
	int64_t until = played + (int64_t)RTSP_LINK_CHECK_MS * 1000000;
	if (until > deadline_ns)
		until = deadline_ns;
	uint64_t before = s->rtp_frames;
	struct session_reaction re = {.kind = SESSION_ALIVE};
	for (unsigned rounds = 0; rounds < 64 && s->rtp_frames == before; rounds++) {
		int left = sock_remaining_ms(until, RTSP_LINK_CHECK_MS);
		if (left == 0)
			break;
		if (rtsp_link_tend(l, s, (unsigned)(left < 100 ? left : 100), &re, &why) != 0 ||
		    re.kind != SESSION_ALIVE)
			break;
	}
	double seconds = (double)(sock_now_ns() - played) / 1e9;
	if (s->rtp_frames > before) {
		*healthy = true;
		char where[64];
		if (s->udp_open)
			snprintf(where, sizeof(where), "UDP port %u", s->client_port[0]);
		else
			snprintf(where, sizeof(where), "channel %u", s->rtp_channel);
		snprintf(evidence, size,
			 "%s%s%s: OPTIONS 200, DESCRIBE, SETUP and PLAY 200 in %.1f s, RTP on %s "
			 "after %.2f s",
			 s->tls ? "rtsps (" : "rtsp", s->tls ? s->tls_version : "",
			 s->tls ? ")" : "", (double)(played - start) / 1e9, where, seconds);
	} else {
		snprintf(evidence, size, "rtsp: PLAY answered 200 but no RTP came in %.1f s%s",
			 seconds,
			 re.kind != SESSION_ALIVE ? " (the DUT closed the connection)" : "");
	}
	rtsp_link_close(l, s);
	return 0;
}
