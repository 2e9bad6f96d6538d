/* session-test-support: the session plug-in tests' shared setup (peers, fake DUTs, parsing,
 * reproducers) */
#include "core/compat.h"

#include <arpa/inet.h>
#include <inttypes.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <setjmp.h>
#include <stdarg.h>
#include <signal.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include "core/error.h"
#include "core/monotonic.h"
#include "core/profile.h"
#include "core/store.h"
#include "fuzz/campaign.h"
#include "fuzz/mutate.h"
#include "fuzz/session.h"
#include "net/pcapng.h"
#include "net/scope.h"
#include "net/sock.h"
#include "proto/cursor.h"
#include "proto/layer.h"
#include "proto/packet.h"
#include "session-test-support.h"

void session_test_peer(struct session_peer *peer, const char *tester4, const char *dut4,
		       const struct profile_robustness *robustness)
{
	memset(peer, 0, sizeof(*peer));
	assert_int_equal(inet_pton(AF_INET, tester4, &peer->tester4), 1);
	assert_int_equal(inet_pton(AF_INET, dut4, &peer->dut4), 1);
	peer->robustness = robustness;
}

void session_test_loopback_peer(struct session_peer *peer, struct scope *scope,
				const struct profile_robustness *robustness)
{
	session_test_loopback_scope(scope);
	session_test_peer(peer, "127.0.0.1", "127.0.0.1", robustness);
	peer->scope = scope;
}

struct session_link *session_test_link(const struct session_peer *peer)
{
	struct session_link *l = malloc(sizeof(*l));
	assert_non_null(l);
	session_link_init(l, peer);
	return l;
}

int session_test_link_pair(struct session_link *l)
{
	int pair[2];
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, pair), 0);
	l->fd = pair[0];
	return pair[1];
}

void session_test_loopback_scope(struct scope *scope)
{
	struct dl_error err = {0};
	memset(scope, 0, sizeof(*scope));
	scope->origin = "test profile";
	if (scope_add_network(scope, "127.0.0.0/8", &err) != 0)
		fail_msg("%s", err.message);
}

int session_test_loopback_socket(uint16_t *port)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(fd >= 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	socklen_t length = sizeof(a);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &length), 0);
	*port = ntohs(a.sin_port);
	return fd;
}

int session_test_listen(uint16_t *port)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	int on = 1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
	struct sockaddr_in a = {.sin_family = AF_INET,
				.sin_addr.s_addr = htonl(INADDR_LOOPBACK),
				.sin_port = htons(*port)};
	socklen_t length = sizeof(a);
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) != 0 ||
	    getsockname(fd, (struct sockaddr *)&a, &length) != 0 || listen(fd, 16) != 0) {
		close(fd);
		return -1;
	}
	*port = ntohs(a.sin_port);
	return fd;
}

int session_test_campaign(struct profile *p, const char *dir, unsigned seconds,
			  struct json_object **o, struct dl_error *err)
{
	char evidence[256];
	snprintf(evidence, sizeof(evidence), "%s/evidence", dir);
	mkdir(dir, 0755);
	mkdir(evidence, 0755);
	struct store s;
	assert_int_equal(store_open(&s, dir, true, err), 0);
	store_close(&s);
	struct campaign_config c = {.profile = p,
				    .evidence_dir = evidence,
				    .campaign_dir = dir,
				    .deadline_ns = monotonic_ns() + (int64_t)seconds * 1000000000};
	*o = NULL;
	return session_run(&c, o, err);
}

SSL_CTX *session_test_tls_context(const char *common_name)
{
	EVP_PKEY *key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	X509 *cert = X509_new();
	assert_true(key && cert);
	ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
	X509_gmtime_adj(X509_getm_notBefore(cert), -60);
	X509_gmtime_adj(X509_getm_notAfter(cert), 3600);
	X509_set_pubkey(cert, key);
	X509_NAME *name = X509_get_subject_name(cert);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)common_name, -1,
				   -1, 0);
	X509_set_issuer_name(cert, name);
	assert_true(X509_sign(cert, key, EVP_sha256()) > 0);
	SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
	assert_non_null(ctx);
	assert_int_equal(SSL_CTX_use_certificate(ctx, cert), 1);
	assert_int_equal(SSL_CTX_use_PrivateKey(ctx, key), 1);
	X509_free(cert);
	EVP_PKEY_free(key);
	return ctx;
}

int session_test_conn_read(struct session_test_conn *c, void *buffer, size_t size)
{
	return c->ssl ? SSL_read(c->ssl, buffer, (int)size) : (int)read(c->fd, buffer, size);
}

void session_test_conn_write(struct session_test_conn *c, const void *data, size_t length)
{
	if (c->ssl)
		(void)SSL_write(c->ssl, data, (int)length);
	else
		(void)!write(c->fd, data, length);
}

void session_test_block_sigpipe(void)
{
	/* a fake DUT writes through a socket (a BIO for TLS): a client that reset gives it EPIPE,
	 * not a SIGPIPE (blocked in its thread only: dutlab's own side must never raise one) */
	sigset_t pipe;
	sigemptyset(&pipe);
	sigaddset(&pipe, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &pipe, NULL);
}

const struct session_template *session_test_template(const struct session_protocol *sp,
						     const char *name)
{
	for (size_t i = 0; i < sp->template_count; i++)
		if (strcmp(sp->templates[i]->base.name, name) == 0)
			return sp->templates[i];
	fail_msg("%s has no template %s", sp->name, name);
	return NULL;
}

static void *server_run(void *arg)
{
	struct session_test_server *s = arg;
	session_test_block_sigpipe();
	for (int i = 0; i < s->connections; i++) {
		int fd = accept(s->listener, NULL, NULL);
		if (fd < 0)
			return NULL;
		struct timeval t = {.tv_sec = 3};
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &t, sizeof(t));
		struct session_test_conn c = {.fd = fd};
		if (s->ctx) {
			c.ssl = SSL_new(s->ctx);
			SSL_set_fd(c.ssl, fd);
			if (SSL_accept(c.ssl) != 1) {
				SSL_free(c.ssl);
				close(fd);
				continue;
			}
		}
		s->serve(&c, s->data);
		SSL_free(c.ssl);
		close(fd);
	}
	return NULL;
}

void session_test_server_start(struct session_test_server *s)
{
	s->listener = session_test_loopback_socket(&s->port);
	assert_int_equal(listen(s->listener, 4), 0);
	assert_int_equal(pthread_create(&s->thread, NULL, server_run, s), 0);
}

void session_test_server_stop(struct session_test_server *s)
{
	assert_int_equal(pthread_join(s->thread, NULL), 0);
	close(s->listener);
	SSL_CTX_free(s->ctx);
	s->ctx = NULL;
}

void session_test_check(const struct session_protocol *sp, struct session_link *l,
			const struct session_peer *peer, unsigned ms, bool *healthy, char *evidence,
			size_t size)
{
	struct dl_error err = {0};
	session_link_init(l, peer);
	evidence[0] = '\0';
	int rc = sp->check(l, sock_now_ns() + (int64_t)ms * 1000000, healthy, evidence, size, &err);
	sp->close(l);
	if (rc != 0)
		fail_msg("%s check: %s", sp->name, err.message);
}

int session_test_parse(const struct proto_layer *model, struct packet *p, const uint8_t *bytes,
		       size_t length)
{
	struct cursor c;
	packet_init(p);
	cursor_init(&c, bytes, length);
	struct layer_parse_result next;
	int rc = model->parse(p, &c, &next);
	p->open_count = 0;
	return rc;
}

void session_test_prefix_add(struct session_link *l, const uint8_t *message, size_t length)
{
	assert_true(l->prefix_count < SESSION_PREFIX_MAX);
	assert_true(length <= sizeof(l->prefix) - l->prefix_length);
	memcpy(l->prefix + l->prefix_length, message, length);
	l->prefix_length += length;
	l->prefix_ends[l->prefix_count++] = l->prefix_length;
}

/* Walk a pcapng file's Enhanced Packet Blocks (type 6): frame i into frames[i]. */
static size_t read_frames(const char *path, uint8_t frames[][SESSION_TEST_FRAME_MAX],
			  size_t lengths[], size_t max)
{
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	uint8_t block[4096];
	size_t n = 0;
	for (;;) {
		uint32_t head[2];
		if (fread(head, 4, 2, f) != 2)
			break;
		assert_true(head[1] >= 12 && head[1] <= sizeof(block));
		assert_int_equal(fread(block, 1, head[1] - 8, f), head[1] - 8);
		if (head[0] != 6 || n == max)
			continue;
		uint32_t captured;
		memcpy(&captured, block + 12, 4);
		assert_true(captured <= SESSION_TEST_FRAME_MAX);
		memcpy(frames[n], block + 20, captured);
		lengths[n++] = captured;
	}
	fclose(f);
	return n;
}

size_t session_test_reproducer(const struct session_link *l, const uint8_t *message, size_t length,
			       const char *interface, uint8_t frames[][SESSION_TEST_FRAME_MAX],
			       size_t lengths[], size_t max)
{
	char path[] = "/tmp/dutlab-test-session-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	struct dl_error err = {0};
	struct pcapng_writer w = {0};
	assert_int_equal(pcapng_open(&w, path, 1, 65535, interface, "test", 0, &err), 0);
	if (session_write_frames(&w, l, 1000, message, length, "prefix", "the case", &err))
		fail_msg("%s", err.message);
	assert_int_equal(pcapng_close(&w, &err), 0);
	size_t n = read_frames(path, frames, lengths, max);
	unlink(path);
	return n;
}

void session_test_cases_open(struct session_test_cases *cases)
{
	cases->valid = malloc(sizeof(*cases->valid));
	cases->a = calloc(MUTATION_FRAMES_MAX, sizeof(*cases->a));
	cases->b = calloc(MUTATION_FRAMES_MAX, sizeof(*cases->b));
	cases->back = malloc(sizeof(*cases->back));
	cases->plan = malloc(sizeof(*cases->plan));
	assert_true(cases->valid && cases->a && cases->b && cases->back && cases->plan);
}

void session_test_cases_close(struct session_test_cases *cases)
{
	free(cases->valid);
	free(cases->a);
	free(cases->b);
	free(cases->back);
	free(cases->plan);
}

void session_test_plan(struct session_test_cases *cases, const struct session_template *t,
		       const struct session_peer *peer)
{
	session_test_plan_max(cases, t, peer, SESSION_MESSAGE_MAX);
}

void session_test_plan_max(struct session_test_cases *cases, const struct session_template *t,
			   const struct session_peer *peer, uint32_t frame_max)
{
	struct mutation_options o = {.level = 1, .frame_max = frame_max};
	struct dl_error err = {0};
	packet_init(cases->valid);
	if (t->build(cases->valid, peer, &err) != 0)
		fail_msg("%s: %s", t->base.name, err.message);
	mutate_plan_build(cases->plan, cases->valid, &t->base, &o);
	assert_true(cases->plan->pair_count > 0);
}

void session_test_case(struct session_test_cases *cases, const char *name, uint64_t seed,
		       uint64_t index, struct fuzz_case *record)
{
	struct fuzz_case again;
	struct dl_error err = {0};
	if (mutate_planned(cases->plan, seed, index, cases->a, record, &err) != 0)
		fail_msg("%s #%" PRIu64 ": %s", name, index, err.message);
	assert_int_equal(mutate_planned(cases->plan, seed, index, cases->b, &again, &err), 0);
	assert_int_equal(record->frame_count, 1);
	assert_int_equal(cases->a[0].length, cases->b[0].length);
	assert_memory_equal(cases->a[0].bytes, cases->b[0].bytes, cases->a[0].length);
	if (cases->a[0].length < 1 || cases->a[0].length > SESSION_MESSAGE_MAX)
		fail_msg("%s #%" PRIu64 ": %u bytes", name, index, cases->a[0].length);
}

void session_test_loopback_profile(struct profile *p, const char *path, uint16_t port,
				   const char *robustness_format, ...)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f,
		"dutlab_profile: 1\n"
		"identity: {vendor: Acme, model: RT-200, firmware: '1.0', serial: T1, "
		"product_type: router}\n"
		"targets:\n  - {standard: ncc-ci-ict}\n"
		"scope:\n  networks: [127.0.0.0/8, '::1/128']\n  interfaces: [lo]\n"
		"dut:\n  addresses: [127.0.0.1, '::1']\n"
		"services:\n  - {proto: tcp, port: %u, name: http}\n"
		"robustness:\n",
		port);
	va_list args;
	va_start(args, robustness_format);
	vfprintf(f, robustness_format, args);
	va_end(args);
	assert_int_equal(fclose(f), 0);
	struct dl_error err = {0};
	if (profile_load(p, path, &err) != 0)
		fail_msg("%s", err.message);
}
