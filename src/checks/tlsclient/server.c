/* server: the TLS server dutlab plays for a DUT that is a TLS client, one certificate variant per
 * attempt */
#include "core/compat.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <limits.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "checks/tlsclient/server.h"
#include "core/error.h"
#include "core/text.h"
#include "net/capture.h"
#include "net/scope.h"
#include "net/sock.h"

#define TLSCLIENT_IO_TIMEOUT_MS 5000     /* one read or write of a served connection */
#define TLSCLIENT_CONNECTIONS_MAX 8      /* per attempt: a client that retries is still bounded */
#define TLSCLIENT_QUIET_MS 1000          /* after the trigger ended and a connection was served */
#define TLSCLIENT_FAILED_TRIGGER_MS 3000 /* wait after a trigger that failed before connecting */
#define TLSCLIENT_REQUEST_MAX 8192       /* what we read of the client's application data */
#define TLSCLIENT_HTTP_MAX 16384         /* a revocation request, headers and body */
#define TLSCLIENT_HTTP_TIMEOUT_MS 3000
#define TLSCLIENT_EVIDENCE_MAX (4u << 20)

struct tlsclient_server {
	struct tlsclient_server_options o;
	const struct forge_set *set;
	int listen_fd, revocation_fd;
	pthread_t responder;
	bool responder_running;
	pthread_mutex_t lock; /* guards stop and the counters */
	bool stop;
	unsigned ocsp_requests, crl_requests;
};

/* What the OpenSSL callbacks of one attempt write to. */
struct tlsclient_run {
	struct tlsclient_server *s;
	const struct forge_item *item;
	struct tlsclient_attempt *a;
};

const char *tlsclient_attempt_verdict(const struct tlsclient_attempt *a)
{
	if (!a->connected)
		return "no_connection";
	if (a->application_data)
		return "accepted";
	/* A client that reads a certificate it cannot parse and still sends its key exchange has
	 * accepted it; only the transcript mismatch (the wire carried other bytes than our
	 * library hashed) keeps the handshake from finishing. */
	if (a->variant == FORGE_MALFORMED && a->past_certificate)
		return "accepted";
	return "refused";
}

/* ---- sockets ---- */

static int tlsclient_address(const char *text, uint16_t port, struct sock_address *out,
			     struct dl_error *err)
{
	return sock_address_parse(text, port, out, err);
}

/*
 * A listening socket on the tester's own address. sock.c opens only sockets that send to a
 * destination; this one only answers, but the scope guard still decides the address and the
 * interface, and the socket is bound to the interface so it hears nothing else.
 */
static int tlsclient_listen(const struct tlsclient_server_options *o, uint16_t port, int *fd_out,
			    struct dl_error *err)
{
	struct sock_address a;
	int rc = scope_permit_text(o->scope, o->listen_address, o->interface, err);
	if (rc < 0)
		return dl_error_prefix(err, "tlsclient: will not listen on %s", o->listen_address);
	rc = tlsclient_address(o->listen_address, port, &a, err);
	if (rc < 0)
		return rc;
	int family = sock_address_family(&a);
	int fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return dl_error_set(err, DL_EIO, "tlsclient: socket: %s", strerror(errno));
	int one = 1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (o->interface) {
		size_t n = strlen(o->interface);
		if (n >= IFNAMSIZ ||
		    setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, o->interface, (socklen_t)n) < 0) {
			int e = errno;
			close(fd);
			return dl_error_set(err, DL_EIO,
					    "tlsclient: cannot bind to interface %s: %s; run as "
					    "root in the tester namespace",
					    o->interface, strerror(e));
		}
	}
	if (bind(fd, (const struct sockaddr *)&a.storage, a.length) < 0 || listen(fd, 16) < 0) {
		int e = errno;
		close(fd);
		return dl_error_set(err, DL_EIO,
				    "tlsclient: cannot listen on %s port %u: %s; is the address "
				    "configured on %s, and the port free?",
				    o->listen_address, port, strerror(e),
				    o->interface ? o->interface : "this host");
	}
	*fd_out = fd;
	return 0;
}

/* Canonical text of a numeric address, or "" when it is not one. */
static void tlsclient_canonical(const char *text, char *out, size_t size)
{
	unsigned char buf[16];
	out[0] = '\0';
	if (inet_pton(AF_INET, text, buf) == 1)
		inet_ntop(AF_INET, buf, out, (socklen_t)size);
	else if (inet_pton(AF_INET6, text, buf) == 1)
		inet_ntop(AF_INET6, buf, out, (socklen_t)size);
}

/* The peer is one of the DUT's addresses and in scope: the only connections we serve. */
static bool tlsclient_peer_ok(const struct tlsclient_server *s, const struct sockaddr_storage *peer,
			      socklen_t length, char *text, size_t size)
{
	struct dl_error e = {0};
	text[0] = '\0';
	if (peer->ss_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)peer)->sin_addr, text,
			  (socklen_t)size);
	else if (peer->ss_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)peer)->sin6_addr, text,
			  (socklen_t)size);
	else
		return false;
	if (scope_permit(s->o.scope, (const struct sockaddr *)peer, length, s->o.interface, &e) < 0)
		return false;
	for (size_t i = 0; i < s->o.dut_address_count; i++) {
		char c[INET6_ADDRSTRLEN];
		tlsclient_canonical(s->o.dut_addresses[i], c, sizeof(c));
		if (c[0] && strcmp(c, text) == 0)
			return true;
	}
	return false;
}

/* Blocking with per-call timeouts: every served exchange is bounded by them. */
static void tlsclient_blocking(int fd, int timeout_ms)
{
	int flags = fcntl(fd, F_GETFL);
	if (flags >= 0)
		fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
	struct timeval tv = {.tv_sec = timeout_ms / 1000, .tv_usec = (timeout_ms % 1000) * 1000};
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

static int tlsclient_send_all(int fd, const void *data, size_t length)
{
	const char *p = data;
	for (size_t sent = 0, rounds = 0; sent < length && rounds < 1024; rounds++) {
		ssize_t n = send(fd, p + sent, length - sent, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		sent += (size_t)n;
		if (sent == length)
			return 0;
	}
	return length == 0 ? 0 : -1;
}

/* ---- the revocation responder (RFC 5280 4.2.1.13 CRL over HTTP, RFC 6960 A.1 OCSP) ---- */

static void tlsclient_http_reply(int fd, const char *status, const char *type,
				 const unsigned char *body, size_t length)
{
	char head[256];
	int n = snprintf(head, sizeof(head),
			 "HTTP/1.0 %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
			 "Connection: close\r\n\r\n",
			 status, type, length);
	if (n > 0 && (size_t)n < sizeof(head) && tlsclient_send_all(fd, head, (size_t)n) == 0 &&
	    length > 0)
		tlsclient_send_all(fd, body, length);
}

/* The value of Content-Length in the header block head (NUL-terminated), or -1. */
static long tlsclient_content_length(const char *head)
{
	const char *p = head;
	for (int lines = 0; p && *p && lines < 128; lines++) {
		const char *eol = strstr(p, "\r\n");
		if (!eol)
			break;
		if (strncasecmp(p, "content-length:", 15) == 0) {
			char value[24];
			const char *v = p + 15;
			while (*v == ' ' || *v == '\t')
				v++;
			size_t n = (size_t)(eol - v);
			if (n == 0 || n >= sizeof(value))
				return -1;
			memcpy(value, v, n);
			value[n] = '\0';
			long out;
			return text_parse_long(value, 0, TLSCLIENT_HTTP_MAX, &out) == 0 ? out : -1;
		}
		p = eol + 2;
	}
	return -1;
}

static void tlsclient_serve_revocation(struct tlsclient_server *s, int fd)
{
	char buf[TLSCLIENT_HTTP_MAX + 1];
	size_t got = 0;
	int64_t deadline = sock_now_ns() + (int64_t)TLSCLIENT_HTTP_TIMEOUT_MS * 1000000;
	char *end = NULL;
	long body = 0;
	tlsclient_blocking(fd, 500);
	while (got < TLSCLIENT_HTTP_MAX && sock_now_ns() < deadline) {
		ssize_t n = recv(fd, buf + got, TLSCLIENT_HTTP_MAX - got, 0);
		if (n < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK))
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
		buf[got] = '\0';
		if (!end) {
			end = strstr(buf, "\r\n\r\n");
			if (end) {
				end[2] = '\0'; /* headers alone for the Content-Length look-up */
				body = tlsclient_content_length(buf);
				end[2] = '\r';
			}
		}
		if (end && (size_t)(end + 4 - buf) + (size_t)(body > 0 ? body : 0) <= got)
			break;
	}
	buf[got] = '\0';
	if (!end) {
		tlsclient_http_reply(fd, "400 Bad Request", "text/plain", NULL, 0);
		return;
	}
	size_t head_length = (size_t)(end + 4 - buf);
	if (strncmp(buf, "GET /crl.der ", 13) == 0) {
		pthread_mutex_lock(&s->lock);
		s->crl_requests++;
		pthread_mutex_unlock(&s->lock);
		tlsclient_http_reply(fd, "200 OK", "application/pkix-crl", s->set->crl_der,
				     s->set->crl_der_length);
		return;
	}
	if (strncmp(buf, "POST /ocsp", 10) == 0 && body > 0 && head_length + (size_t)body <= got) {
		unsigned char *answer = NULL;
		size_t answer_length = 0;
		struct dl_error e = {0};
		pthread_mutex_lock(&s->lock);
		s->ocsp_requests++;
		pthread_mutex_unlock(&s->lock);
		if (forge_ocsp_answer(s->set, (const unsigned char *)buf + head_length,
				      (size_t)body, &answer, &answer_length, &e) == 0)
			tlsclient_http_reply(fd, "200 OK", "application/ocsp-response", answer,
					     answer_length);
		else
			tlsclient_http_reply(fd, "500 Internal Server Error", "text/plain", NULL,
					     0);
		OPENSSL_free(answer);
		return;
	}
	tlsclient_http_reply(fd, "404 Not Found", "text/plain", NULL, 0);
}

static bool tlsclient_stopping(struct tlsclient_server *s)
{
	pthread_mutex_lock(&s->lock);
	bool stop = s->stop;
	pthread_mutex_unlock(&s->lock);
	return stop;
}

static void *tlsclient_responder(void *opaque)
{
	struct tlsclient_server *s = opaque;
	while (!tlsclient_stopping(s)) {
		struct pollfd p = {.fd = s->revocation_fd, .events = POLLIN};
		if (poll(&p, 1, 200) <= 0)
			continue;
		struct sockaddr_storage peer;
		socklen_t length = sizeof(peer);
		int fd = accept4(s->revocation_fd, (struct sockaddr *)&peer, &length, SOCK_CLOEXEC);
		if (fd < 0)
			continue;
		char text[INET6_ADDRSTRLEN];
		if (tlsclient_peer_ok(s, &peer, length, text, sizeof(text)))
			tlsclient_serve_revocation(s, fd);
		close(fd);
	}
	return NULL;
}

int tlsclient_server_open(struct tlsclient_server **out, const struct tlsclient_server_options *o,
			  const struct forge_set *set, struct dl_error *err)
{
	*out = NULL;
	struct tlsclient_server *s = calloc(1, sizeof(*s));
	if (!s)
		return dl_error_set(err, DL_ENOMEM, "tlsclient: out of memory");
	s->o = *o;
	s->set = set;
	s->listen_fd = s->revocation_fd = -1;
	pthread_mutex_init(&s->lock, NULL);
	int rc = tlsclient_listen(o, o->port, &s->listen_fd, err);
	if (rc == 0)
		rc = tlsclient_listen(o, o->revocation_port, &s->revocation_fd, err);
	if (rc == 0 && pthread_create(&s->responder, NULL, tlsclient_responder, s) != 0)
		rc = dl_error_set(err, DL_EIO, "tlsclient: cannot start the revocation responder");
	if (rc < 0) {
		tlsclient_server_close(s);
		return rc;
	}
	s->responder_running = true;
	*out = s;
	return 0;
}

void tlsclient_server_counts(struct tlsclient_server *s, unsigned *ocsp, unsigned *crl)
{
	pthread_mutex_lock(&s->lock);
	*ocsp = s->ocsp_requests;
	*crl = s->crl_requests;
	pthread_mutex_unlock(&s->lock);
}

void tlsclient_server_close(struct tlsclient_server *s)
{
	if (!s)
		return;
	if (s->responder_running) {
		pthread_mutex_lock(&s->lock);
		s->stop = true;
		pthread_mutex_unlock(&s->lock);
		pthread_join(s->responder, NULL);
	}
	if (s->listen_fd >= 0)
		close(s->listen_fd);
	if (s->revocation_fd >= 0)
		close(s->revocation_fd);
	pthread_mutex_destroy(&s->lock);
	free(s);
}

/* ---- the wire: a socket BIO that swaps the malformed variant's bytes in ---- */

struct tlsclient_wire {
	int fd;
	const unsigned char *from, *to; /* replace from with to (same length) in what we send */
	size_t length;
};

static int tlsclient_wire_write(BIO *b, const char *data, int length)
{
	struct tlsclient_wire *w = BIO_get_data(b);
	if (length <= 0)
		return 0;
	const char *send_from = data;
	char *copy = NULL;
	if (w->from && (size_t)length >= w->length) {
		/* OpenSSL writes the Certificate message whole in one record of one write. */
		char *hit = memmem(data, (size_t)length, w->from, w->length);
		if (hit) {
			copy = malloc((size_t)length);
			if (!copy)
				return -1;
			memcpy(copy, data, (size_t)length);
			memcpy(copy + (hit - data), w->to, w->length);
			send_from = copy;
		}
	}
	int rc = tlsclient_send_all(w->fd, send_from, (size_t)length) == 0 ? length : -1;
	free(copy);
	return rc;
}

static int tlsclient_wire_read(BIO *b, char *data, int length)
{
	struct tlsclient_wire *w = BIO_get_data(b);
	if (length <= 0)
		return 0;
	for (int tries = 0; tries < 8; tries++) {
		ssize_t n = recv(w->fd, data, (size_t)length, 0);
		if (n >= 0)
			return (int)n;
		if (errno != EINTR)
			break;
	}
	return -1;
}

static long tlsclient_wire_ctrl(BIO *b, int cmd, long num, void *ptr)
{
	(void)b;
	(void)num;
	(void)ptr;
	return cmd == BIO_CTRL_FLUSH ? 1 : 0;
}

static int tlsclient_wire_create(BIO *b)
{
	BIO_set_init(b, 1);
	return 1;
}

static BIO_METHOD *tlsclient_wire;
static pthread_once_t tlsclient_wire_once = PTHREAD_ONCE_INIT;

static void tlsclient_wire_init(void)
{
	BIO_METHOD *m =
		BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "dutlab tlsclient wire");
	if (m && BIO_meth_set_write(m, tlsclient_wire_write) == 1 &&
	    BIO_meth_set_read(m, tlsclient_wire_read) == 1 &&
	    BIO_meth_set_ctrl(m, tlsclient_wire_ctrl) == 1 &&
	    BIO_meth_set_create(m, tlsclient_wire_create) == 1)
		tlsclient_wire = m;
	else
		BIO_meth_free(m);
}

/* The BIO method, made once per process. */
static BIO_METHOD *tlsclient_wire_method(void)
{
	pthread_once(&tlsclient_wire_once, tlsclient_wire_init);
	return tlsclient_wire;
}

/* ---- OpenSSL callbacks: what the client says ---- */

static void tlsclient_info(const SSL *ssl, int where, int ret)
{
	struct tlsclient_run *r = SSL_get_app_data(ssl);
	if (!r || !(where & SSL_CB_READ_ALERT))
		return;
	/* close_notify is how a client ends a good exchange too: only a first real alert is
	 * kept, or close_notify when nothing else came. */
	bool close_notify = (ret & 0xff) == SSL_AD_CLOSE_NOTIFY;
	if (!r->a->client_alert[0] ||
	    (!close_notify && strcmp(r->a->client_alert, "close notify") == 0))
		text_copy(r->a->client_alert, sizeof(r->a->client_alert),
			  SSL_alert_desc_string_long(ret));
}

static void tlsclient_message(int write_p, int version, int content_type, const void *buf,
			      size_t length, SSL *ssl, void *arg)
{
	(void)version;
	(void)arg;
	struct tlsclient_run *r = SSL_get_app_data(ssl);
	if (!r || write_p || content_type != SSL3_RT_HANDSHAKE || length == 0)
		return;
	uint8_t type = ((const uint8_t *)buf)[0];
	/* The client checks the server's certificate before either (RFC 5246 7.4.7, RFC 8446
	 * 4.4.4). */
	if (type == SSL3_MT_CLIENT_KEY_EXCHANGE || type == SSL3_MT_FINISHED)
		r->a->past_certificate = true;
}

/* Staple the OCSP answer when the client asks (RFC 6066 8): "revoked" for the revoked variant. */
static int tlsclient_status(SSL *ssl, void *arg)
{
	(void)arg;
	struct tlsclient_run *r = SSL_get_app_data(ssl);
	unsigned char *der = NULL;
	size_t length = 0;
	struct dl_error e = {0};
	if (!r)
		return SSL_TLSEXT_ERR_NOACK;
	if (r->item->variant == FORGE_SELF_SIGNED || r->item->variant == FORGE_UNKNOWN_CA)
		return SSL_TLSEXT_ERR_NOACK; /* the trusted CA does not speak for these */
	if (forge_ocsp_staple(r->s->set, r->item->cert, &der, &length, &e) < 0 || length > LONG_MAX)
		return SSL_TLSEXT_ERR_NOACK;
	if (SSL_set_tlsext_status_ocsp_resp(ssl, der, (long)length) != 1) {
		OPENSSL_free(der);
		return SSL_TLSEXT_ERR_NOACK;
	}
	r->a->ocsp_stapled = true;
	return SSL_TLSEXT_ERR_OK;
}

static int tlsclient_ctx(struct tlsclient_run *r, SSL_CTX **out, struct dl_error *err)
{
	const struct forge_item *it = r->item;
	SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
	*out = NULL;
	if (!ctx)
		goto fail;
	SSL_CTX_set_security_level(ctx, it->security_level);
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
	SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
	SSL_CTX_set_num_tickets(ctx, 0); /* TLS 1.3: nothing after the handshake but the answer */
	if ((it->min_version && SSL_CTX_set_min_proto_version(ctx, it->min_version) != 1) ||
	    (it->max_version && SSL_CTX_set_max_proto_version(ctx, it->max_version) != 1) ||
	    (it->cipher_list && SSL_CTX_set_cipher_list(ctx, it->cipher_list) != 1) ||
	    SSL_CTX_use_certificate(ctx, it->cert) != 1 ||
	    SSL_CTX_use_PrivateKey(ctx, it->key) != 1 ||
	    (it->chain && SSL_CTX_add1_chain_cert(ctx, it->chain) != 1))
		goto fail;
	SSL_CTX_set_info_callback(ctx, tlsclient_info);
	SSL_CTX_set_msg_callback(ctx, tlsclient_message);
	SSL_CTX_set_tlsext_status_cb(ctx, tlsclient_status);
	*out = ctx;
	return 0;
fail:;
	char reason[256] = "no reason given";
	unsigned long e = ERR_peek_last_error();
	if (e)
		ERR_error_string_n(e, reason, sizeof(reason));
	ERR_clear_error();
	SSL_CTX_free(ctx);
	return dl_error_set(err, DL_EIO, "tlsclient: cannot set up the %s server: %s",
			    forge_variant_name(it->variant), reason);
}

/* Printable ASCII of the request's first line. */
static void tlsclient_request_line(const char *data, size_t length, char *out, size_t size)
{
	size_t n = 0;
	for (size_t i = 0; i < length && n + 1 < size; i++) {
		unsigned char c = (unsigned char)data[i];
		if (c == '\r' || c == '\n')
			break;
		out[n++] = c >= 0x20 && c < 0x7f ? (char)c : '?';
	}
	out[n] = '\0';
}

/* Serve one accepted connection from the DUT with the attempt's context. */
static void tlsclient_serve(struct tlsclient_run *r, SSL_CTX *ctx, int fd)
{
	struct tlsclient_attempt *a = r->a;
	struct tlsclient_wire w = {.fd = fd};
	if (r->item->wire_der) {
		unsigned char *der = NULL;
		int n = i2d_X509(r->item->cert, &der);
		if (n > 0 && (size_t)n == r->item->wire_der_length) {
			w.from = der;
			w.to = r->item->wire_der;
			w.length = (size_t)n;
		} else {
			OPENSSL_free(der);
		}
	}
	BIO_METHOD *method = tlsclient_wire_method();
	BIO *bio = method ? BIO_new(method) : NULL;
	SSL *ssl = bio ? SSL_new(ctx) : NULL;
	if (!ssl) {
		BIO_free(bio);
		text_copy(a->note, sizeof(a->note), "out of memory for a TLS connection");
		goto out;
	}
	BIO_set_data(bio, &w);
	SSL_set_bio(ssl, bio, bio);
	SSL_set_app_data(ssl, r);
	tlsclient_blocking(fd, TLSCLIENT_IO_TIMEOUT_MS);
	if (SSL_accept(ssl) == 1) {
		a->handshake = true;
		text_copy(a->version, sizeof(a->version), SSL_get_version(ssl));
		const SSL_CIPHER *c = SSL_get_current_cipher(ssl);
		const char *name = c ? SSL_CIPHER_standard_name(c) : NULL;
		text_copy(a->cipher, sizeof(a->cipher), name ? name : "");
		char request[TLSCLIENT_REQUEST_MAX + 1];
		size_t got = 0;
		int64_t deadline = sock_now_ns() + (int64_t)TLSCLIENT_IO_TIMEOUT_MS * 1000000;
		for (int reads = 0;
		     got < TLSCLIENT_REQUEST_MAX && reads < 64 && sock_now_ns() < deadline;
		     reads++) {
			int n = SSL_read(ssl, request + got, (int)(TLSCLIENT_REQUEST_MAX - got));
			if (n <= 0)
				break;
			got += (size_t)n;
			request[got] = '\0';
			if (strstr(request, "\r\n\r\n"))
				break;
		}
		if (got > 0) {
			a->application_data = true;
			tlsclient_request_line(request, got, a->request, sizeof(a->request));
			/* A small answer the lab's update agent accepts as an update description,
			 * so it finishes instead of timing out. */
			char body[160], reply[400];
			int bn = snprintf(body, sizeof(body),
					  "{\"firmware\": \"dutlab-tlsclient\", \"version\": "
					  "\"0.0.0\", \"variant\": \"%s\"}\n",
					  forge_variant_name(r->item->variant));
			int rn = snprintf(reply, sizeof(reply),
					  "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
					  "Content-Length: %d\r\nConnection: close\r\n\r\n%s",
					  bn, body);
			if (rn > 0 && (size_t)rn < sizeof(reply))
				SSL_write(ssl, reply, rn);
			SSL_shutdown(ssl);
		}
	}
	if (!a->application_data && !a->client_alert[0] && !a->note[0]) {
		unsigned long e = ERR_peek_last_error();
		char reason[200] = "the client closed the connection without an alert";
		if (e)
			ERR_error_string_n(e, reason, sizeof(reason));
		snprintf(a->note, sizeof(a->note), "no application data: %s", reason);
	}
	ERR_clear_error();
	SSL_free(ssl);
out:
	OPENSSL_free((void *)w.from);
}

/* ---- the trigger thread ---- */

struct tlsclient_trigger {
	tlsclient_trigger_cb cb;
	void *opaque;
	enum forge_variant variant;
	int64_t deadline_ns;
	pthread_mutex_t lock;
	bool done;
	int rc;
	int exit_status;
	int64_t done_ns;
	struct dl_error err;
};

static void *tlsclient_trigger_thread(void *opaque)
{
	struct tlsclient_trigger *t = opaque;
	int status = -1;
	int rc = t->cb(t->opaque, t->variant, t->deadline_ns, &status, &t->err);
	pthread_mutex_lock(&t->lock);
	t->rc = rc;
	t->exit_status = status;
	t->done = true;
	t->done_ns = sock_now_ns();
	pthread_mutex_unlock(&t->lock);
	return NULL;
}

static bool tlsclient_trigger_done(struct tlsclient_trigger *t, int *status, int64_t *done_ns)
{
	pthread_mutex_lock(&t->lock);
	bool done = t->done;
	*status = t->exit_status;
	*done_ns = t->done_ns;
	pthread_mutex_unlock(&t->lock);
	return done;
}

static void tlsclient_evidence_open(struct tlsclient_server *s, enum forge_variant v,
				    struct tlsclient_attempt *a)
{
	if (!s->o.capture || !s->o.evidence_dir || !s->o.evidence_prefix)
		return;
	const char *name = strrchr(s->o.evidence_prefix, '/');
	name = name ? name + 1 : s->o.evidence_prefix;
	char path[4400], comment[200];
	snprintf(path, sizeof(path), "%s/%s-%s.pcapng", s->o.evidence_dir, name,
		 forge_variant_name(v));
	snprintf(comment, sizeof(comment), "dutlab tlsclient: %s (%s)", forge_variant_name(v),
		 forge_variant_defect(v));
	struct capture_match m[2] = {{.protocol = IPPROTO_TCP, .port = s->o.port},
				     {.protocol = IPPROTO_TCP, .port = s->o.revocation_port}};
	struct dl_error e = {0};
	if (capture_sink_open(s->o.capture, path, comment, 65535, TLSCLIENT_EVIDENCE_MAX, m, 2,
			      false, &e) < 0) {
		snprintf(a->note, sizeof(a->note), "no evidence: %.200s", e.message);
		return;
	}
	snprintf(a->evidence, sizeof(a->evidence), "%s-%s.pcapng", s->o.evidence_prefix,
		 forge_variant_name(v));
}

static void tlsclient_evidence_close(struct tlsclient_server *s, struct tlsclient_attempt *a)
{
	if (!a->evidence[0])
		return;
	struct dl_error e = {0};
	if (capture_sink_close(s->o.capture, 200, NULL, &e) < 0) {
		a->evidence[0] = '\0';
		if (!a->note[0])
			snprintf(a->note, sizeof(a->note), "no evidence: %.200s", e.message);
	}
}

int tlsclient_server_attempt(struct tlsclient_server *s, enum forge_variant variant,
			     tlsclient_trigger_cb trigger, void *opaque, int wait_ms,
			     int64_t deadline_ns, struct tlsclient_attempt *out,
			     struct dl_error *err)
{
	*out = (struct tlsclient_attempt){.variant = variant, .trigger_exit = -1};
	if ((unsigned)variant >= FORGE_VARIANT_COUNT || !s->set->items[variant].cert)
		return dl_error_set(err, DL_EINVAL, "tlsclient: no such variant %d", (int)variant);
	struct tlsclient_run r = {.s = s, .item = &s->set->items[variant], .a = out};
	SSL_CTX *ctx;
	int rc = tlsclient_ctx(&r, &ctx, err);
	if (rc < 0)
		return rc;
	unsigned ocsp0, crl0;
	tlsclient_server_counts(s, &ocsp0, &crl0);
	/* Nothing left from an earlier attempt is served with this variant. */
	for (int i = 0; i < 64; i++) {
		int fd = accept4(s->listen_fd, NULL, NULL, SOCK_CLOEXEC);
		if (fd < 0)
			break;
		sock_close_reset(fd);
	}
	tlsclient_evidence_open(s, variant, out);

	int64_t start = sock_now_ns();
	int64_t wait_until = start + (int64_t)wait_ms * 1000000;
	if (wait_until > deadline_ns)
		wait_until = deadline_ns;
	struct tlsclient_trigger t = {.cb = trigger,
				      .opaque = opaque,
				      .variant = variant,
				      .deadline_ns = wait_until,
				      .exit_status = -1};
	pthread_mutex_init(&t.lock, NULL);
	pthread_t thread;
	bool started = pthread_create(&thread, NULL, tlsclient_trigger_thread, &t) == 0;
	if (!started)
		snprintf(out->note, sizeof(out->note), "cannot start the trigger thread");

	int64_t last_served = 0;
	while (started && out->connections < TLSCLIENT_CONNECTIONS_MAX) {
		int64_t now = sock_now_ns();
		int status;
		int64_t done_ns;
		bool done = tlsclient_trigger_done(&t, &status, &done_ns);
		if (now >= wait_until)
			break;
		if (done && out->connections > 0 && last_served &&
		    now - (last_served > done_ns ? last_served : done_ns) >=
			    (int64_t)TLSCLIENT_QUIET_MS * 1000000)
			break;
		if (done && out->connections == 0 && (status != 0 || t.rc < 0) &&
		    now - done_ns >= (int64_t)TLSCLIENT_FAILED_TRIGGER_MS * 1000000)
			break;
		struct pollfd p = {.fd = s->listen_fd, .events = POLLIN};
		if (poll(&p, 1, 100) <= 0)
			continue;
		struct sockaddr_storage peer;
		socklen_t length = sizeof(peer);
		int fd = accept4(s->listen_fd, (struct sockaddr *)&peer, &length, SOCK_CLOEXEC);
		if (fd < 0)
			continue;
		char text[INET6_ADDRSTRLEN];
		if (!tlsclient_peer_ok(s, &peer, length, text, sizeof(text))) {
			out->refused_peers++;
			sock_close_reset(fd);
			continue;
		}
		out->connected = true;
		out->connections++;
		if (s->o.capture)
			capture_annotate(s->o.capture, "dutlab: the DUT connects");
		/* The exchange recorded is the first that carried application data (the client
		 * accepted the certificate), else the last one: an agent that looks at the
		 * certificate in a first connection and refuses in its second is recorded with
		 * the refusal and its alert. */
		struct tlsclient_attempt cur = *out;
		cur.handshake = cur.past_certificate = cur.ocsp_stapled = false;
		cur.version[0] = cur.cipher[0] = cur.client_alert[0] = cur.request[0] = '\0';
		cur.note[0] = '\0';
		struct tlsclient_run rc_run = r;
		rc_run.a = &cur;
		tlsclient_serve(&rc_run, ctx, fd);
		close(fd);
		if (!out->application_data)
			*out = cur;
		last_served = sock_now_ns();
	}
	if (started) {
		pthread_join(thread, NULL);
		out->trigger_exit = t.exit_status;
		if (t.rc < 0 && !out->note[0])
			snprintf(out->note, sizeof(out->note), "trigger: %.200s", t.err.message);
	}
	pthread_mutex_destroy(&t.lock);
	tlsclient_evidence_close(s, out);
	unsigned ocsp1, crl1;
	tlsclient_server_counts(s, &ocsp1, &crl1);
	out->ocsp_requests = ocsp1 - ocsp0;
	out->crl_requests = crl1 - crl0;
	SSL_CTX_free(ctx);
	return 0;
}
