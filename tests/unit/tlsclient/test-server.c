/* test-server: the tlsclient server on loopback against a verifying and a careless OpenSSL client
 */
#include "core/compat.h"

#include <setjmp.h>
#include <cmocka.h>
#include <openssl/err.h>
#include <openssl/ocsp.h>
#include <openssl/ssl.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <sys/socket.h>
#include <fcntl.h>
#include <unistd.h>

#include "checks/tlsclient/server.h"
#include "core/error.h"
#include "net/scope.h"
#include "net/sock.h"

#define HOST "update.example.test"

static struct forge_set set;
static struct scope scope;
static struct tlsclient_server *server;
static uint16_t port;
static char *dut_addresses[] = {"127.0.0.1"};

/* How the client of one attempt behaves: verify=false is `curl -k --tlsv1.0` at level 0. */
struct client {
	bool verify;
};

/* Whether a TCP port is free on 127.0.0.1 now. */
static bool port_free(uint16_t p)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0)
		return false;
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(p)};
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	bool ok = bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0;
	close(fd);
	return ok;
}

/* Two free ports in a row (the server's and its revocation server's), below the ephemeral
 * range (32768 on): a port there may be another test's connection at the time we listen. */
static uint16_t free_port_pair(void)
{
	uint16_t first = (uint16_t)(20000 + getpid() % 10000);
	for (unsigned i = 0; i < 2000; i++) {
		uint16_t p = (uint16_t)(20000 + (first - 20000 + 2 * i) % 12000);
		if (port_free(p) && port_free((uint16_t)(p + 1)))
			return p;
	}
	return first;
}

static int setup(void **state)
{
	(void)state;
	struct dl_error err = {0};
	struct forge_ca ca;
	port = free_port_pair();
	char base[64];
	snprintf(base, sizeof(base), "http://127.0.0.1:%u", port + 1);
	if (forge_ca_create(&ca, "test trusted CA", time(NULL), &err) < 0)
		return -1;
	struct forge_request r = {.host = HOST, .revocation_base_url = base};
	if (forge_set_build(&set, &ca, &r, &err) < 0 ||
	    scope_add_network(&scope, "127.0.0.0/8", &err) < 0)
		return -1;
	struct tlsclient_server_options o = {
		.scope = &scope,
		.listen_address = "127.0.0.1",
		.port = port,
		.revocation_port = (uint16_t)(port + 1),
		.dut_addresses = dut_addresses,
		.dut_address_count = 1,
	};
	if (tlsclient_server_open(&server, &o, &set, &err) < 0) {
		print_error("tlsclient_server_open: %s\n", err.message);
		return -1;
	}
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	tlsclient_server_close(server);
	forge_set_release(&set);
	scope_release(&scope);
	return 0;
}

/* The trigger: one TLS client connection to the server, in the trigger's thread. Exit 0 when
 * it got the HTTP 200 answer. */
static int client_run(void *opaque, enum forge_variant variant, int64_t deadline_ns,
		      int *exit_status, struct dl_error *err)
{
	(void)variant;
	const struct client *c = opaque;
	struct sock_address a;
	int fd = -1;
	*exit_status = 1;
	if (sock_address_parse("127.0.0.1", port, &a, err) < 0 ||
	    sock_tcp_connect(&scope, &a, NULL, deadline_ns, &fd, err) < 0)
		return 0;
	/* blocking, with timeouts, like a simple client */
	struct timeval tv = {.tv_sec = 3};
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	int fl = fcntl(fd, F_GETFL);
	if (fl >= 0)
		fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
	if (c->verify) {
		X509_STORE_add_cert(SSL_CTX_get_cert_store(ctx), set.trusted.cert);
		SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
		SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
		SSL_CTX_set_cipher_list(ctx, "ECDHE+AESGCM:ECDHE+CHACHA20");
		SSL_CTX_set_security_level(ctx, 2);
	} else {
		SSL_CTX_set_security_level(ctx, 0);
		SSL_CTX_set_min_proto_version(ctx, TLS1_VERSION);
		SSL_CTX_set_cipher_list(ctx, "DEFAULT:@SECLEVEL=0");
	}
	SSL *ssl = SSL_new(ctx);
	SSL_set_fd(ssl, fd);
	SSL_set_tlsext_host_name(ssl, HOST);
	if (c->verify)
		SSL_set1_host(ssl, HOST);
	if (SSL_connect(ssl) == 1) {
		static const char request[] =
			"GET /firmware/latest.json HTTP/1.1\r\nHost: " HOST "\r\n\r\n";
		char reply[512] = "";
		if (SSL_write(ssl, request, (int)strlen(request)) > 0) {
			int n = SSL_read(ssl, reply, (int)sizeof(reply) - 1);
			if (n > 0) {
				reply[n] = '\0';
				*exit_status = strstr(reply, " 200 ") ? 0 : 1;
			}
		}
		SSL_shutdown(ssl);
	}
	ERR_clear_error();
	SSL_free(ssl);
	SSL_CTX_free(ctx);
	close(fd);
	return 0;
}

static struct tlsclient_attempt run(enum forge_variant v, bool verify)
{
	struct client c = {.verify = verify};
	struct tlsclient_attempt a;
	struct dl_error err = {0};
	assert_int_equal(tlsclient_server_attempt(server, v, client_run, &c, 5000,
						  sock_now_ns() + 20000000000LL, &a, &err),
			 0);
	return a;
}

static void test_verifying_client(void **state)
{
	(void)state;
	struct tlsclient_attempt a = run(FORGE_CONTROL, true);
	assert_string_equal(tlsclient_attempt_verdict(&a), "accepted");
	assert_true(a.handshake);
	assert_string_equal(a.request, "GET /firmware/latest.json HTTP/1.1");
	assert_string_equal(a.version, "TLSv1.3");
	assert_int_equal(a.trigger_exit, 0);

	static const struct {
		enum forge_variant v;
		const char *alert;
	} refused[] = {
		{FORGE_EXPIRED, "certificate expired"},
		{FORGE_UNKNOWN_CA, "unknown CA"},
		{FORGE_SELF_SIGNED, "unknown CA"},
		{FORGE_WRONG_HOST,
		 "bad certificate"}, /* OpenSSL's own host check: in the handshake */
		{FORGE_MALFORMED, "bad certificate"},
		{FORGE_TLS10_11_ONLY, "protocol version"},
		{FORGE_NO_FORWARD_SECRECY, "handshake failure"},
	};
	for (size_t i = 0; i < DL_ARRAY_SIZE(refused); i++) {
		a = run(refused[i].v, true);
		assert_string_equal(tlsclient_attempt_verdict(&a), "refused");
		assert_true(a.connected);
		assert_false(a.application_data);
		assert_string_equal(a.client_alert, refused[i].alert);
		assert_int_equal(a.trigger_exit, 1);
	}
}

static void test_careless_client(void **state)
{
	(void)state;
	struct tlsclient_attempt a = run(FORGE_EXPIRED, false);
	assert_string_equal(tlsclient_attempt_verdict(&a), "accepted");
	assert_int_equal(a.trigger_exit, 0);
	a = run(FORGE_TLS10_11_ONLY, false);
	assert_string_equal(tlsclient_attempt_verdict(&a), "accepted");
	assert_string_equal(a.version, "TLSv1.1");
	a = run(FORGE_NO_FORWARD_SECRECY, false);
	assert_string_equal(tlsclient_attempt_verdict(&a), "accepted");
	assert_string_equal(a.version, "TLSv1.2");
	assert_true(strncmp(a.cipher, "TLS_RSA_WITH_", 13) == 0);
	/* even a careless OpenSSL client cannot read the malformed certificate */
	a = run(FORGE_MALFORMED, false);
	assert_string_equal(tlsclient_attempt_verdict(&a), "refused");
	assert_false(a.past_certificate);
}

static void test_revocation_responder(void **state)
{
	(void)state;
	struct sock_address a;
	struct dl_error err = {0};
	int fd = -1;
	assert_int_equal(sock_address_parse("127.0.0.1", (uint16_t)(port + 1), &a, &err), 0);
	assert_int_equal(
		sock_tcp_connect(&scope, &a, NULL, sock_now_ns() + 3000000000LL, &fd, &err), 0);
	static const char get[] = "GET /crl.der HTTP/1.0\r\n\r\n";
	assert_int_equal(sock_send_all(fd, get, strlen(get), sock_now_ns() + 3000000000LL, &err),
			 0);
	char reply[4096];
	size_t got = 0;
	assert_int_equal(sock_recv_some(fd, reply, sizeof(reply) - 1, sock_now_ns() + 3000000000LL,
					0, &got, &err),
			 0);
	close(fd);
	reply[got] = '\0';
	assert_true(strncmp(reply, "HTTP/1.0 200 OK", 15) == 0);
	const char *body = strstr(reply, "\r\n\r\n");
	assert_non_null(body);
	body += 4;
	assert_int_equal(got - (size_t)(body - reply), set.crl_der_length);
	assert_memory_equal(body, set.crl_der, set.crl_der_length);
	unsigned ocsp = 0, crl = 0;
	tlsclient_server_counts(server, &ocsp, &crl);
	assert_int_equal(crl, 1);
}

/* An OCSP request POSTed to the responder (RFC 6960 A.1) gets the CA's signed answer. */
static void test_ocsp_over_http(void **state)
{
	(void)state;
	OCSP_REQUEST *req = OCSP_REQUEST_new();
	OCSP_request_add0_id(
		req, OCSP_cert_to_id(EVP_sha1(), set.items[FORGE_REVOKED].cert, set.trusted.cert));
	unsigned char *der = NULL;
	int n = i2d_OCSP_REQUEST(req, &der);
	assert_true(n > 0);
	char head[160];
	int hn = snprintf(head, sizeof(head),
			  "POST /ocsp HTTP/1.0\r\nContent-Type: application/ocsp-request\r\n"
			  "Content-Length: %d\r\n\r\n",
			  n);
	struct sock_address a;
	struct dl_error err = {0};
	int fd = -1;
	int64_t deadline = sock_now_ns() + 3000000000LL;
	assert_int_equal(sock_address_parse("127.0.0.1", (uint16_t)(port + 1), &a, &err), 0);
	assert_int_equal(sock_tcp_connect(&scope, &a, NULL, deadline, &fd, &err), 0);
	/* headers and body in two writes, as clients do */
	assert_int_equal(sock_send_all(fd, head, (size_t)hn, deadline, &err), 0);
	assert_int_equal(sock_send_all(fd, der, (size_t)n, deadline, &err), 0);
	OPENSSL_free(der);
	char reply[8192];
	size_t got = 0;
	assert_int_equal(sock_recv_some(fd, reply, sizeof(reply), deadline, 0, &got, &err), 0);
	close(fd);
	assert_true(got > 15 && strncmp(reply, "HTTP/1.0 200 OK", 15) == 0);
	const char *body = memmem(reply, got, "\r\n\r\n", 4);
	assert_non_null(body);
	body += 4;
	const unsigned char *p = (const unsigned char *)body;
	OCSP_RESPONSE *resp = d2i_OCSP_RESPONSE(NULL, &p, (long)(got - (size_t)(body - reply)));
	assert_non_null(resp);
	OCSP_BASICRESP *bs = OCSP_response_get1_basic(resp);
	assert_non_null(bs);
	OCSP_CERTID *id =
		OCSP_cert_to_id(EVP_sha1(), set.items[FORGE_REVOKED].cert, set.trusted.cert);
	int status = -1;
	assert_int_equal(OCSP_resp_find_status(bs, id, &status, NULL, NULL, NULL, NULL), 1);
	assert_int_equal(status, V_OCSP_CERTSTATUS_REVOKED);
	OCSP_CERTID_free(id);
	OCSP_BASICRESP_free(bs);
	OCSP_RESPONSE_free(resp);
	OCSP_REQUEST_free(req);
	unsigned ocsp = 0, crl = 0;
	tlsclient_server_counts(server, &ocsp, &crl);
	assert_int_equal(ocsp, 1);
}

/* A trigger whose connection comes from 127.0.0.2, an address that is not the DUT's. */
static int stranger_run(void *opaque, enum forge_variant variant, int64_t deadline_ns,
			int *exit_status, struct dl_error *err)
{
	(void)opaque;
	(void)variant;
	(void)deadline_ns;
	(void)err;
	*exit_status = 1;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in from = {.sin_family = AF_INET}, to = {.sin_family = AF_INET};
	inet_pton(AF_INET, "127.0.0.2", &from.sin_addr);
	inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
	to.sin_port = htons(port);
	if (fd >= 0 && bind(fd, (struct sockaddr *)&from, sizeof(from)) == 0 &&
	    connect(fd, (struct sockaddr *)&to, sizeof(to)) == 0) {
		char b;
		struct timeval tv = {.tv_sec = 3};
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		/* the server drops us without a word */
		*exit_status = recv(fd, &b, 1, 0) <= 0 ? 2 : 0;
	}
	if (fd >= 0)
		close(fd);
	return 0;
}

static void test_stranger_dropped(void **state)
{
	(void)state;
	struct tlsclient_attempt a;
	struct dl_error err = {0};
	assert_int_equal(tlsclient_server_attempt(server, FORGE_CONTROL, stranger_run, NULL, 5000,
						  sock_now_ns() + 20000000000LL, &a, &err),
			 0);
	assert_false(a.connected);
	assert_int_equal(a.refused_peers, 1);
	assert_int_equal(a.trigger_exit, 2);
	assert_string_equal(tlsclient_attempt_verdict(&a), "no_connection");
}

static void test_listen_out_of_scope(void **state)
{
	(void)state;
	struct tlsclient_server *s = NULL;
	struct dl_error err = {0};
	struct tlsclient_server_options o = {
		.scope = &scope,
		.listen_address = "192.0.2.1",
		.port = 8443,
		.revocation_port = 8444,
	};
	assert_int_equal(tlsclient_server_open(&s, &o, &set, &err), DL_ESCOPE);
	assert_null(s);
	assert_non_null(strstr(err.message, "192.0.2.1"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_verifying_client),
		cmocka_unit_test(test_careless_client),
		cmocka_unit_test(test_revocation_responder),
		cmocka_unit_test(test_ocsp_over_http),
		cmocka_unit_test(test_stranger_dropped),
		cmocka_unit_test(test_listen_out_of_scope),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
