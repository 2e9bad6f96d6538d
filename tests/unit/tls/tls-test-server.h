/* tls-test-server: an OpenSSL TLS server on loopback in a thread, configured per test */
#ifndef DUTLAB_TESTS_TLS_TEST_SERVER_H
#define DUTLAB_TESTS_TLS_TEST_SERVER_H

#include <stdbool.h>
#include <stdint.h>

struct tls_test_server_config {
	int min_version;          /* TLS1_VERSION ...; 0: OpenSSL's default */
	int max_version;          /* 0: OpenSSL's default (TLS 1.3) */
	const char *ciphers;      /* TLS <= 1.2 cipher list (OpenSSL syntax) */
	const char *ciphersuites; /* TLS 1.3; NULL: OpenSSL's default */
	const char *groups;       /* "X25519:P-256"; NULL: default */
	bool server_preference;   /* SSL_OP_CIPHER_SERVER_PREFERENCE */
	enum {
		TLS_TEST_SERVE_TLS,         /* an OpenSSL server */
		TLS_TEST_SSH_BANNER,        /* an SSH banner instead of TLS */
		TLS_TEST_SILENT,            /* accept, read, never answer */
		TLS_TEST_ALERTS,            /* warning alerts until the client goes */
		TLS_TEST_OVERSIZED,         /* a record header claiming 65535 bytes, then garbage */
		TLS_TEST_RESETS_BIG_HELLOS, /* TLS, but a reset for a hello record over 400 bytes */
		TLS_TEST_VULNERABLE,        /* canned: leaks heartbeats, takes an early CCS */
		TLS_TEST_SSL2,              /* canned SSL 2.0 only: two cipher kinds */
	} behaviour;
};

struct tls_test_server;

/* Start listening on 127.0.0.1 (an ephemeral port) and serve until stopped. */
struct tls_test_server *tls_test_server_start(const struct tls_test_server_config *c,
					      uint16_t *port);
void tls_test_server_stop(struct tls_test_server *s);

#endif
