/* test-session-tls: the TLS session plug-in's templates under the mutation engine, its two states
 * and its check against an OpenSSL server on 127.0.0.1 */
#include "core/compat.h"

#include <arpa/inet.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <setjmp.h>
#include <cmocka.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/error.h"
#include "core/profile.h"
#include "fuzz/mutate.h"
#include "fuzz/session.h"
#include "net/scope.h"
#include "net/sock.h"
#include "proto/cursor.h"
#include "proto/layer.h"
#include "proto/packet.h"
#include "proto/tls-record.h"
#include "session-test-support.h"

static struct profile_robustness robustness = {.tls = {.declared = true, .port = 443}};

static void peer_init(struct session_peer *peer)
{
	session_test_peer(peer, "198.18.27.1", "198.18.27.2", &robustness);
}

/* Every template spends its session; both states have templates; the check is there. */
static void plug_in_is_listed(void **state)
{
	(void)state;
	assert_ptr_equal(session_protocol_find("tls"), &session_tls);
	assert_non_null(session_tls.check);
	assert_true(session_tls.state_size > 0 && session_tls.state_size <= SESSION_STATE_BYTES);
	size_t in[2] = {0, 0};
	for (size_t i = 0; i < session_tls.template_count; i++) {
		const struct session_template *t = session_tls.templates[i];
		assert_true(t->spends_session);
		assert_true(t->state <= 1);
		in[t->state]++;
		assert_string_equal(t->base.protocol, "tls");
		for (size_t k = 0; k < i; k++)
			assert_string_not_equal(t->base.name, session_tls.templates[k]->base.name);
	}
	assert_int_equal(in[0], 5);
	assert_true(in[1] >= 7);
}

/* Each record of p parses back through the model; the content types, in order, into types. */
static size_t records_of(const struct packet *p, uint8_t *types, size_t max)
{
	static struct packet back;
	struct cursor c;
	packet_init(&back);
	cursor_init(&c, p->bytes, p->length);
	size_t n = 0;
	while (!cursor_at_end(&c) && n < max) {
		struct layer_parse_result next;
		types[n++] = p->bytes[cursor_position(&c)];
		assert_int_equal(tls_record_layer.parse(&back, &c, &next), 0);
	}
	assert_true(cursor_at_end(&c));
	return n;
}

static const uint8_t *field_bytes(const struct packet *p, const char *name, uint32_t *size)
{
	int f = packet_find(p, name, 0);
	if (f == PACKET_NONE)
		fail_msg("no %s", name);
	*size = p->fields[f].size;
	return p->bytes + p->fields[f].offset;
}

/* The templates are well-formed records; key shares and points are fresh OpenSSL keys, valid
 * on their curve. */
static void templates_build_valid_records(void **state)
{
	(void)state;
	struct session_peer peer;
	peer_init(&peer);
	struct packet *p = malloc(sizeof(*p)), *q = malloc(sizeof(*q));
	assert_true(p && q);
	for (size_t i = 0; i < session_tls.template_count; i++) {
		const struct session_template *t = session_tls.templates[i];
		packet_init(p);
		struct dl_error err = {0};
		if (t->build(p, &peer, &err) != 0)
			fail_msg("%s: %s", t->base.name, err.message);
		uint8_t types[8];
		size_t n = records_of(p, types, sizeof(types));
		assert_int_equal(n, p->layer_count);
		if (strstr(t->base.name, "flight") && strstr(t->base.name, "client-flight")) {
			assert_int_equal(n, 3);
			assert_int_equal(types[1], TLS_CONTENT_CHANGE_CIPHER_SPEC);
		}
	}
	/* the TLS 1.3 hello: an X25519 share, fresh at every build */
	const struct session_template *h13 = session_tls.templates[1];
	assert_string_equal(h13->base.name, "tls-client-hello-1.3");
	struct dl_error err = {0};
	packet_init(p);
	packet_init(q);
	assert_int_equal(h13->build(p, &peer, &err), 0);
	assert_int_equal(h13->build(q, &peer, &err), 0);
	uint32_t a = 0, b = 0;
	const uint8_t *ka = field_bytes(p, "tls.key_share.key_exchange", &a);
	const uint8_t *kb = field_bytes(q, "tls.key_share.key_exchange", &b);
	assert_int_equal(a, 32);
	assert_int_equal(b, 32);
	assert_memory_not_equal(ka, kb, 32);
	/* the P-256 ClientKeyExchange: an uncompressed point OpenSSL takes as a key */
	for (size_t i = 0; i < session_tls.template_count; i++) {
		const struct session_template *t = session_tls.templates[i];
		if (strcmp(t->base.name, "tls-client-key-exchange-p256") != 0)
			continue;
		packet_init(p);
		assert_int_equal(t->build(p, &peer, &err), 0);
		const uint8_t *point = field_bytes(p, "tls.client_key_exchange.point", &a);
		assert_int_equal(a, 65);
		assert_int_equal(point[0], 4);
		EVP_PKEY *key = NULL;
		EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
		OSSL_PARAM params[] = {
			OSSL_PARAM_construct_utf8_string("group", (char *)"P-256", 0),
			OSSL_PARAM_construct_octet_string("pub", (void *)point, 65),
			OSSL_PARAM_construct_end(),
		};
		assert_int_equal(EVP_PKEY_fromdata_init(ctx), 1);
		assert_int_equal(EVP_PKEY_fromdata(ctx, &key, EVP_PKEY_PUBLIC_KEY, params), 1);
		EVP_PKEY_CTX *check = EVP_PKEY_CTX_new(key, NULL);
		assert_int_equal(EVP_PKEY_public_check(check), 1);
		EVP_PKEY_CTX_free(check);
		EVP_PKEY_free(key);
		EVP_PKEY_CTX_free(ctx);
	}
	free(p);
	free(q);
}

/* The mutation engine offers the Heartbleed shape (payload_length over its payload), every
 * case fits a session message, and each is rebuilt alike from its index. */
static void mutations_of_records(void **state)
{
	(void)state;
	struct session_peer peer;
	peer_init(&peer);
	struct session_test_cases cases;
	session_test_cases_open(&cases);
	bool heartbleed = false, key_share = false;
	for (size_t i = 0; i < session_tls.template_count; i++) {
		const struct session_template *t = session_tls.templates[i];
		session_test_plan(&cases, t, &peer);
		for (size_t k = 0; k < cases.plan->pair_count; k++) {
			int field;
			enum anomaly an;
			mutate_plan_pair(cases.plan, k, &field, &an);
			const char *name = cases.valid->fields[field].name;
			heartbleed |= an == ANOMALY_LENGTH_OVER &&
				      strcmp(name, "tls.heartbeat.payload_length") == 0;
			key_share |= strcmp(name, "tls.key_share.key_exchange_length") == 0;
		}
		for (uint64_t index = 0; index < 200; index++) {
			struct fuzz_case ra;
			session_test_case(&cases, t->base.name, 3, index, &ra);
		}
	}
	assert_true(heartbleed);
	assert_true(key_share);
	session_test_cases_close(&cases);
}

/* ---- against an OpenSSL server on 127.0.0.1 ---- */

/* The fake server's answer: it reads whatever the client sends until the client is done. */
static void drain(struct session_test_conn *c, void *data)
{
	(void)data;
	char sink[256];
	while (session_test_conn_read(c, sink, sizeof(sink)) > 0)
		;
}

/* State 1 is reached (ServerHello .. ServerHelloDone read), the client flight with a wrong
 * Finished is answered with a fatal alert; the check completes a handshake; a closed port is
 * unhealthy, said so. */
static void against_an_openssl_server(void **state)
{
	(void)state;
	struct scope scope;
	struct dl_error err = {0};
	struct profile_robustness r = {.tls = {.declared = true, .server_name = "dut.lab"}};
	struct session_peer peer;
	session_test_loopback_peer(&peer, &scope, &r);
	struct session_link *l = malloc(sizeof(*l));
	struct packet *p = malloc(sizeof(*p));
	assert_true(l && p);
	struct session_test_server s = {
		.connections = 3, .ctx = session_test_tls_context("dut.lab"), .serve = drain};
	session_test_server_start(&s);
	r.tls.port = s.port;

	/* state 1, then the client flight */
	session_link_init(l, &peer);
	int rc = session_tls.establish(l, 1, sock_now_ns() + 3000000000LL, &err);
	if (rc)
		fail_msg("establish state 1: %s", err.message);
	assert_true(l->fd >= 0);
	assert_int_equal(l->prefix_count, 1); /* the ClientHello */
	assert_int_equal(l->prefix[0], TLS_CONTENT_HANDSHAKE);
	const struct session_template *flight = NULL;
	for (size_t i = 0; i < session_tls.template_count; i++)
		if (strcmp(session_tls.templates[i]->base.name, "tls-client-flight-p256") == 0)
			flight = session_tls.templates[i];
	assert_non_null(flight);
	packet_init(p);
	assert_int_equal(flight->build(p, &peer, &err), 0);
	assert_int_equal(session_link_send(l, p->bytes, p->length, false, &err), 0);
	struct session_reaction re = {0};
	for (int i = 0; i < 20 && re.kind != SESSION_NOTIFIED; i++)
		assert_int_equal(session_tls.tend(l, 100, &re, &err), 0);
	assert_int_equal(re.kind, SESSION_NOTIFIED);
	assert_int_equal(re.code, 2); /* fatal */
	session_tls.close(l);

	/* state 0: a fresh connection, nothing sent */
	session_link_init(l, &peer);
	assert_int_equal(session_tls.establish(l, 0, sock_now_ns() + 3000000000LL, &err), 0);
	assert_int_equal(l->prefix_count, 0);
	session_tls.close(l);

	/* the check */
	bool healthy = false;
	char evidence[SESSION_EVIDENCE_MAX];
	session_test_check(&session_tls, l, &peer, 3000, &healthy, evidence, sizeof(evidence));
	session_test_server_stop(&s);
	if (!healthy)
		fail_msg("unhealthy: %s", evidence);
	assert_non_null(strstr(evidence, "handshake with"));
	assert_non_null(strstr(evidence, "completed"));

	/* a TLS 1.3-only server never reaches state 1: alive, it refuses our TLS 1.2 hello, and the
	 * case goes out on a fresh connection instead of counting as a failure */
	struct session_test_server s13 = {
		.connections = 2, .ctx = session_test_tls_context("dut.lab"), .serve = drain};
	SSL_CTX_set_min_proto_version(s13.ctx, TLS1_3_VERSION);
	session_test_server_start(&s13);
	r.tls.port = s13.port;
	session_link_init(l, &peer);
	rc = session_tls.establish(l, 1, sock_now_ns() + 3000000000LL, &err);
	if (rc)
		fail_msg("establish state 1 on TLS 1.3 only: %s", err.message);
	assert_true(l->fd >= 0);
	assert_int_equal(l->prefix_count, 0);
	session_tls.close(l);
	session_test_server_stop(&s13);

	/* a closed port */
	uint16_t port = 0;
	int closed = session_test_loopback_socket(&port);
	close(closed);
	r.tls.port = port;
	healthy = true;
	session_test_check(&session_tls, l, &peer, 1000, &healthy, evidence, sizeof(evidence));
	assert_false(healthy);
	assert_non_null(strstr(evidence, "tls: no connection to port"));
	free(l);
	free(p);
	scope_release(&scope);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(plug_in_is_listed),
		cmocka_unit_test(templates_build_valid_records),
		cmocka_unit_test(mutations_of_records),
		cmocka_unit_test(against_an_openssl_server),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
