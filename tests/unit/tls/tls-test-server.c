/* tls-test-server: an OpenSSL TLS server on loopback in a thread, configured per test */
#include "core/compat.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tls-test-server.h"

struct tls_test_server {
	int listener;
	SSL_CTX *ctx;
	int behaviour;
	atomic_bool stop;
	pthread_t thread;
};

/* One RSA key and self-signed certificate for every server of the run:
 * RSA, so both RSA key exchange and ECDHE_RSA/DHE_RSA suites are possible. */
static EVP_PKEY *key;
static X509 *certificate;

static int make_identity(void)
{
	if (key)
		return 0;
	key = EVP_RSA_gen(2048);
	certificate = X509_new();
	if (!key || !certificate)
		return -1;
	X509_set_version(certificate, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(certificate), 1);
	X509_gmtime_adj(X509_getm_notBefore(certificate), -3600);
	X509_gmtime_adj(X509_getm_notAfter(certificate), 86400);
	X509_set_pubkey(certificate, key);
	X509_NAME *name = X509_get_subject_name(certificate);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)"127.0.0.1", -1,
				   -1, 0);
	X509_set_issuer_name(certificate, name);
	return X509_sign(certificate, key, EVP_sha256()) > 0 ? 0 : -1;
}

/*
 * A server with CVE-2014-0160 and CVE-2014-0224, canned: every ClientHello
 * gets a TLS 1.2 ServerHello choosing TLS_RSA_WITH_AES_128_CBC_SHA with the
 * heartbeat and renegotiation_info extensions, then ServerHelloDone; a
 * heartbeat request gets a 16 KiB response; a ChangeCipherSpec gets
 * bad_record_mac, as an OpenSSL that took it and switched keys answers.
 */
static void serve_vulnerable(int fd)
{
	static const uint8_t flight[] = {
		22, 3,    3,    0,    58,    /* record */
		2,  0,    0,    50,   3,  3, /* ServerHello, TLS 1.2 */
		1,  2,    3,    4,    5,  6,  7,  8,    9,    10, 11, 12, 13, 14, 15, 16, 17,
		18, 19,   20,   21,   22, 23, 24, 25,   26,   27, 28, 29, 30, 31, 32, /* random */
		0,  0x00, 0x2f, 0, /* session id, suite, null */
		0,  10,   0x00, 0x0f, 0,  1,  1,  0xff, 0x01, 0,  1,  0, /* heartbeat, reneg info */
		14, 0,    0,    0,                                       /* ServerHelloDone */
	};
	uint8_t buf[4096];
	ssize_t n = read(fd, buf, sizeof(buf));
	if (n <= 0 || buf[0] != 22 || write(fd, flight, sizeof(flight)) < 0)
		return;
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		if (buf[0] == 24) {
			static uint8_t leak[5 + 3 + 0x4000 + 16];
			size_t body = sizeof(leak) - 5;
			leak[0] = 24;
			leak[1] = 3;
			leak[2] = 3;
			leak[3] = (uint8_t)(body >> 8);
			leak[4] = (uint8_t)body;
			leak[5] = 2; /* heartbeat_response */
			leak[6] = 0x40;
			leak[7] = 0x00;
			memset(leak + 8, 0x42, sizeof(leak) - 8);
			if (write(fd, leak, sizeof(leak)) < 0)
				return;
		} else if (buf[0] == 20) {
			static const uint8_t alert[] = {21, 3, 3, 0, 2, 2, 20};
			if (write(fd, alert, sizeof(alert)) < 0)
				return;
		}
	}
}

/* SSL 2.0 only, canned (no OpenSSL build serves it any more): an SSLv2
 * CLIENT-HELLO gets a SERVER-HELLO offering DES-EDE3 and RC4, anything
 * else a TLS handshake_failure alert. */
static void serve_ssl2(int fd)
{
	static const uint8_t server_hello[] = {
		0x80, 37,                         /* header: 37 bytes */
		4,    0,    1,    0x00, 0x02,     /* SERVER-HELLO, no hit, X.509, SSL 2.0 */
		0,    4,    0,    6,    0,    16, /* certificate, cipher specs, connection id */
		0x30, 0x02, 0x05, 0x00,           /* a stand-in certificate */
		0x07, 0x00, 0xc0, 0x01, 0x00, 0x80, 1,  2,  3,  4,  5,
		6,    7,    8,    9,    10,   11,   12, 13, 14, 15, 16,
	};
	static const uint8_t alert[] = {21, 3, 1, 0, 2, 2, 40};
	uint8_t buf[4096];
	ssize_t n = read(fd, buf, sizeof(buf));
	if (n <= 0)
		return;
	if (buf[0] & 0x80) {
		if (write(fd, server_hello, sizeof(server_hello)) < 0)
			return;
	} else if (write(fd, alert, sizeof(alert)) < 0) {
		return;
	}
	(void)read(fd, buf, sizeof(buf));
}

static void serve(struct tls_test_server *s, int fd)
{
	struct timeval tv = {.tv_sec = 2};
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	char buf[256];
	switch (s->behaviour) {
	case TLS_TEST_SSH_BANNER: {
		static const char banner[] = "SSH-2.0-OpenSSH_9.2\r\n";
		if (write(fd, banner, sizeof(banner) - 1) > 0)
			(void)read(fd, buf, sizeof(buf));
		return;
	}
	case TLS_TEST_SILENT:
		while (read(fd, buf, sizeof(buf)) > 0)
			; /* until the client gives up, or 2 s without a byte */
		return;
	case TLS_TEST_ALERTS: {
		static const uint8_t alert[] = {21, 3, 3, 0, 2, 1, 0};
		/* bounded: the client must stop reading long before this ends */
		for (int i = 0; i < 100000; i++)
			if (write(fd, alert, sizeof(alert)) < 0)
				return;
		return;
	}
	case TLS_TEST_OVERSIZED: {
		static const uint8_t header[] = {22, 3, 3, 0xff, 0xff};
		memset(buf, 0x41, sizeof(buf));
		if (write(fd, header, sizeof(header)) < 0)
			return;
		for (int i = 0; i < 1000; i++)
			if (write(fd, buf, sizeof(buf)) < 0)
				return;
		return;
	}
	case TLS_TEST_VULNERABLE: serve_vulnerable(fd); return;
	case TLS_TEST_SSL2: serve_ssl2(fd); return;
	case TLS_TEST_RESETS_BIG_HELLOS: {
		/* like servers that choke on big ClientHellos */
		uint8_t header[5];
		if (recv(fd, header, sizeof(header), MSG_PEEK | MSG_WAITALL) != sizeof(header))
			return;
		if ((header[3] << 8 | header[4]) > 400) {
			struct linger l = {.l_onoff = 1, .l_linger = 0};
			setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
			return;
		}
		break;
	}
	default: break;
	}
	SSL *ssl = SSL_new(s->ctx);
	if (!ssl)
		return;
	SSL_set_fd(ssl, fd);
	if (SSL_accept(ssl) == 1)
		SSL_shutdown(ssl);
	SSL_free(ssl);
	ERR_clear_error();
}

static void *run(void *arg)
{
	struct tls_test_server *s = arg;
	while (!atomic_load(&s->stop)) {
		struct pollfd p = {.fd = s->listener, .events = POLLIN};
		if (poll(&p, 1, 50) <= 0)
			continue;
		int fd = accept(s->listener, NULL, NULL);
		if (fd < 0)
			continue;
		serve(s, fd);
		close(fd);
	}
	return NULL;
}

struct tls_test_server *tls_test_server_start(const struct tls_test_server_config *c,
					      uint16_t *port)
{
	if (make_identity() < 0)
		return NULL;
	struct tls_test_server *s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->behaviour = (int)c->behaviour;
	s->ctx = SSL_CTX_new(TLS_server_method());
	if (!s->ctx || SSL_CTX_use_certificate(s->ctx, certificate) != 1 ||
	    SSL_CTX_use_PrivateKey(s->ctx, key) != 1)
		goto fail;
	SSL_CTX_set_security_level(s->ctx, 0);
	SSL_CTX_set_dh_auto(s->ctx, 1);
	if (c->min_version)
		SSL_CTX_set_min_proto_version(s->ctx, c->min_version);
	if (c->max_version)
		SSL_CTX_set_max_proto_version(s->ctx, c->max_version);
	if (c->ciphers && SSL_CTX_set_cipher_list(s->ctx, c->ciphers) != 1)
		goto fail;
	if (c->ciphersuites && SSL_CTX_set_ciphersuites(s->ctx, c->ciphersuites) != 1)
		goto fail;
	if (c->groups && SSL_CTX_set1_groups_list(s->ctx, c->groups) != 1)
		goto fail;
	if (c->server_preference)
		SSL_CTX_set_options(s->ctx, SSL_OP_CIPHER_SERVER_PREFERENCE);
	s->listener = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof(a);
	if (s->listener < 0 || bind(s->listener, (struct sockaddr *)&a, sizeof(a)) < 0 ||
	    listen(s->listener, 64) < 0 ||
	    getsockname(s->listener, (struct sockaddr *)&a, &len) < 0)
		goto fail;
	*port = ntohs(a.sin_port);
	atomic_init(&s->stop, false);
	if (pthread_create(&s->thread, NULL, run, s) != 0)
		goto fail;
	return s;
fail:
	if (s->listener > 0)
		close(s->listener);
	SSL_CTX_free(s->ctx);
	free(s);
	return NULL;
}

void tls_test_server_stop(struct tls_test_server *s)
{
	if (!s)
		return;
	atomic_store(&s->stop, true);
	pthread_join(s->thread, NULL);
	close(s->listener);
	SSL_CTX_free(s->ctx);
	free(s);
}
