/* test-tls-audit: the TLS audit engine against OpenSSL servers on loopback with known settings */
#include "core/compat.h"

#include <json-c/json.h>
#include <openssl/ssl.h>
#include <setjmp.h>

#include <cmocka.h>

#include "checks/tls/tls-audit.h"
#include "core/error.h"
#include "net/scope.h"
#include "net/sock.h"
#include "tls-test-server.h"

struct fixture {
	struct scope scope;
	struct tls_test_server *server;
	uint16_t port;
	struct json_object *audit;
};

static struct json_object *audit(struct fixture *f, const struct tls_test_server_config *c,
				 bool vulnerabilities)
{
	struct dl_error err = {0};
	f->server = tls_test_server_start(c, &f->port);
	assert_non_null(f->server);
	struct tls_audit_options o = {
		.scope = &f->scope,
		.connections_max = 8,
		.probe_timeout_ms = 3000,
		.deadline_ns = sock_now_ns() + 60 * (int64_t)1000000000,
		.vulnerabilities = vulnerabilities,
	};
	int rc = tls_audit_endpoint("127.0.0.1", f->port, &o, &f->audit, &err);
	if (rc != 0)
		fail_msg("tls_audit_endpoint: %s", err.message);
	return f->audit;
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct dl_error err;
	if (!f || scope_add_network(&f->scope, "127.0.0.1/32", &err) < 0)
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	tls_test_server_stop(f->server);
	json_object_put(f->audit);
	scope_release(&f->scope);
	free(f);
	return 0;
}

static struct json_object *member(struct json_object *o, const char *key)
{
	struct json_object *v = NULL;
	json_object_object_get_ex(o, key, &v);
	return v;
}

/* The offered versions as "TLSv1.2,TLSv1.3". */
static void versions(struct json_object *a, char *buf, size_t size)
{
	struct json_object *list = member(a, "versions");
	buf[0] = '\0';
	assert_int_equal(json_object_array_length(list), 6);
	for (size_t i = 0; i < json_object_array_length(list); i++) {
		struct json_object *v = json_object_array_get_idx(list, i);
		if (json_object_get_boolean(member(v, "offered")))
			snprintf(buf + strlen(buf), size - strlen(buf), "%s%s", buf[0] ? "," : "",
				 json_object_get_string(member(v, "name")));
	}
}

/* The suites of one version, in the JSON's order, as "c02f,c014". */
static void suites(struct json_object *a, const char *version, char *buf, size_t size)
{
	struct json_object *list = member(a, "suites");
	buf[0] = '\0';
	for (size_t i = 0; i < json_object_array_length(list); i++) {
		struct json_object *s = json_object_array_get_idx(list, i);
		if (strcmp(json_object_get_string(member(s, "version")), version) != 0)
			continue;
		snprintf(buf + strlen(buf), size - strlen(buf), "%s%04x", buf[0] ? "," : "",
			 (unsigned)json_object_get_int(member(s, "code")));
	}
}

static void groups(struct json_object *a, char *buf, size_t size)
{
	struct json_object *list = member(a, "groups");
	buf[0] = '\0';
	for (size_t i = 0; i < json_object_array_length(list); i++)
		snprintf(
			buf + strlen(buf), size - strlen(buf), "%s%s", buf[0] ? "," : "",
			json_object_get_string(member(json_object_array_get_idx(list, i), "name")));
}

static struct json_object *suite(struct json_object *a, const char *version, int code)
{
	struct json_object *list = member(a, "suites");
	for (size_t i = 0; i < json_object_array_length(list); i++) {
		struct json_object *s = json_object_array_get_idx(list, i);
		if (json_object_get_int(member(s, "code")) == code &&
		    strcmp(json_object_get_string(member(s, "version")), version) == 0)
			return s;
	}
	fail_msg("suite 0x%04x not found for %s", code, version);
	return NULL;
}

/* TLS 1.2 only, the server's order imposed: exactly its three suites, in its
 * order, its two groups, and no downgrade to refuse. */
static void test_tls12_server_order(void **state)
{
	struct fixture *f = *state;
	struct tls_test_server_config c = {
		.min_version = TLS1_2_VERSION,
		.max_version = TLS1_2_VERSION,
		.ciphers = "ECDHE-RSA-AES256-SHA:AES128-SHA:ECDHE-RSA-AES128-GCM-SHA256",
		.groups = "P-256:X25519",
		.server_preference = true,
	};
	struct json_object *a = audit(f, &c, true);
	char buf[512];
	assert_true(json_object_get_boolean(member(a, "speaks_tls")));
	assert_true(json_object_get_boolean(member(a, "complete")));
	versions(a, buf, sizeof(buf));
	assert_string_equal(buf, "TLSv1.2");
	suites(a, "TLSv1.2", buf, sizeof(buf));
	assert_string_equal(buf, "c014,002f,c02f"); /* the server's order, not ours */
	assert_true(json_object_get_boolean(member(member(a, "server_preference"), "TLSv1.2")));
	groups(a, buf, sizeof(buf));
	assert_string_equal(buf, "secp256r1,x25519");
	/* classified from the table, with the group the server chose (its first) */
	struct json_object *s = suite(a, "TLSv1.2", 0xc02f);
	assert_string_equal(json_object_get_string(member(s, "name")),
			    "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256");
	assert_string_equal(json_object_get_string(member(s, "kx")), "ECDHE");
	assert_string_equal(json_object_get_string(member(s, "mode")), "GCM");
	assert_true(json_object_get_boolean(member(s, "forward_secrecy")));
	assert_string_equal(json_object_get_string(member(s, "group")), "secp256r1");
	s = suite(a, "TLSv1.2", 0x002f);
	assert_false(json_object_get_boolean(member(s, "forward_secrecy")));
	assert_null(member(s, "group"));
	assert_null(member(a, "fallback_scsv"));
	assert_true(json_object_get_boolean(member(a, "secure_renegotiation")));
	assert_false(json_object_get_boolean(member(a, "compression")));
	assert_null(member(a, "dh_bits"));
	struct json_object *h = member(a, "heartbleed"), *ccs = member(a, "ccs_injection");
	assert_true(json_object_get_boolean(member(h, "tested")));
	assert_false(json_object_get_boolean(member(h, "vulnerable")));
	assert_true(json_object_get_boolean(member(ccs, "tested")));
	assert_false(json_object_get_boolean(member(ccs, "vulnerable")));
	assert_non_null(
		strstr(json_object_get_string(member(ccs, "detail")), "unexpected_message"));
	/* the chain from the TLS 1.2 Certificate message, judged by the certs helper */
	struct json_object *chain = member(member(a, "certificates"), "chain");
	assert_non_null(chain);
	assert_int_equal(json_object_array_length(chain), 1);
	assert_true(json_object_get_int(member(a, "connections")) > 0);
}

/* TLS 1.2 and 1.3, the client's order followed: both suite sets, DHE's
 * prime size, the TLS 1.3 groups by HelloRetryRequest, FALLBACK_SCSV. */
static void test_tls13_client_order(void **state)
{
	struct fixture *f = *state;
	struct tls_test_server_config c = {
		.min_version = TLS1_2_VERSION,
		.ciphers = "DHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384",
		.ciphersuites = "TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256",
		.groups = "X25519:P-384:ffdhe3072",
	};
	struct json_object *a = audit(f, &c, false);
	char buf[512];
	assert_true(json_object_get_boolean(member(a, "complete")));
	versions(a, buf, sizeof(buf));
	assert_string_equal(buf, "TLSv1.2,TLSv1.3");
	suites(a, "TLSv1.2", buf, sizeof(buf));
	assert_string_equal(buf, "009e,c030"); /* client's order: the table's */
	suites(a, "TLSv1.3", buf, sizeof(buf));
	assert_string_equal(buf, "1302,1303");
	assert_false(json_object_get_boolean(member(member(a, "server_preference"), "TLSv1.2")));
	assert_false(json_object_get_boolean(member(member(a, "server_preference"), "TLSv1.3")));
	groups(a, buf, sizeof(buf));
	assert_string_equal(buf, "secp384r1,x25519,ffdhe3072");
	assert_int_equal(json_object_get_int(member(a, "dh_bits")), 2048);
	assert_int_equal(json_object_get_int(member(suite(a, "TLSv1.2", 0x009e), "kx_bits")), 2048);
	assert_string_equal(json_object_get_string(member(suite(a, "TLSv1.3", 0x1302), "group")),
			    "x25519");
	assert_true(json_object_get_boolean(member(a, "fallback_scsv")));
	assert_false(json_object_get_boolean(member(member(a, "heartbleed"), "tested")));
}

/* TLS 1.0 and 1.1 only (security level 0): found with our own hellos,
 * which OpenSSL's client at its default level would not send. (Debian's
 * OpenSSL has no 3DES or RC4 to serve, so Camellia stands for the
 * non-approved suite.) */
static void test_legacy_versions(void **state)
{
	struct fixture *f = *state;
	struct tls_test_server_config c = {
		.min_version = TLS1_VERSION,
		.max_version = TLS1_1_VERSION,
		.ciphers = "AES128-SHA:CAMELLIA256-SHA:@SECLEVEL=0",
	};
	struct json_object *a = audit(f, &c, true);
	char buf[512];
	versions(a, buf, sizeof(buf));
	assert_string_equal(buf, "TLSv1.0,TLSv1.1");
	suites(a, "TLSv1.0", buf, sizeof(buf));
	assert_string_equal(buf, "002f,0084");
	suites(a, "TLSv1.1", buf, sizeof(buf));
	assert_string_equal(buf, "002f,0084");
	assert_string_equal(json_object_get_string(member(suite(a, "TLSv1.0", 0x0084), "approved")),
			    "no");
	assert_true(json_object_get_boolean(member(a, "fallback_scsv")));
	groups(a, buf, sizeof(buf));
	assert_string_equal(buf, ""); /* no ECDHE suite: nothing to test */
}

/* A server that resets big hellos: the chunks are offered again in halves,
 * and the suite set is still exact. */
static void test_resets_big_hellos(void **state)
{
	struct fixture *f = *state;
	struct tls_test_server_config c = {
		.behaviour = TLS_TEST_RESETS_BIG_HELLOS,
		.min_version = TLS1_2_VERSION,
		.max_version = TLS1_2_VERSION,
		.ciphers = "ECDHE-RSA-AES128-GCM-SHA256:AES256-SHA",
	};
	struct json_object *a = audit(f, &c, false);
	char buf[512];
	versions(a, buf, sizeof(buf));
	assert_string_equal(buf, "TLSv1.2");
	suites(a, "TLSv1.2", buf, sizeof(buf));
	assert_string_equal(buf, "0035,c02f");
	assert_true(json_object_get_boolean(member(a, "complete")));
}

/* Heartbleed and CCS injection found on a server that has them (canned), and
 * the TLS 1.2 hellos that found them are the only version it speaks. */
static void test_vulnerable_server(void **state)
{
	struct fixture *f = *state;
	struct tls_test_server_config c = {.behaviour = TLS_TEST_VULNERABLE};
	struct json_object *a = audit(f, &c, true);
	char buf[512];
	versions(a, buf, sizeof(buf));
	assert_string_equal(buf, "TLSv1.2");
	suites(a, "TLSv1.2", buf, sizeof(buf));
	assert_string_equal(buf, "002f");
	struct json_object *h = member(a, "heartbleed"), *ccs = member(a, "ccs_injection");
	assert_true(json_object_get_boolean(member(h, "tested")));
	assert_true(json_object_get_boolean(member(h, "vulnerable")));
	assert_non_null(strstr(json_object_get_string(member(h, "detail")), "16403 bytes"));
	assert_true(json_object_get_boolean(member(ccs, "tested")));
	assert_true(json_object_get_boolean(member(ccs, "vulnerable")));
	assert_non_null(strstr(json_object_get_string(member(ccs, "detail")), "bad_record_mac"));
	assert_true(json_object_get_boolean(member(a, "secure_renegotiation")));
}

/* SSL 2.0 only: found by the SSLv2-format hello, its cipher kinds listed,
 * every TLS version refused. */
static void test_ssl2_only(void **state)
{
	struct fixture *f = *state;
	struct tls_test_server_config c = {.behaviour = TLS_TEST_SSL2};
	struct json_object *a = audit(f, &c, true);
	char buf[512];
	assert_true(json_object_get_boolean(member(a, "speaks_tls")));
	versions(a, buf, sizeof(buf));
	assert_string_equal(buf, "SSLv2");
	struct json_object *ssl2 = member(a, "sslv2_ciphers");
	assert_int_equal(json_object_array_length(ssl2), 2);
	assert_string_equal(
		json_object_get_string(member(json_object_array_get_idx(ssl2, 0), "code")),
		"0x0700c0");
	assert_string_equal(
		json_object_get_string(member(json_object_array_get_idx(ssl2, 1), "name")),
		"SSL_CK_RC4_128_WITH_MD5");
	assert_int_equal(json_object_array_length(member(a, "suites")), 0);
	assert_false(json_object_get_boolean(member(member(a, "heartbleed"), "tested")));
}

/* Not TLS at all: an SSH banner answers every hello. */
static void test_not_tls(void **state)
{
	struct fixture *f = *state;
	struct tls_test_server_config c = {.behaviour = TLS_TEST_SSH_BANNER};
	struct json_object *a = audit(f, &c, true);
	char buf[512];
	assert_false(json_object_get_boolean(member(a, "speaks_tls")));
	versions(a, buf, sizeof(buf));
	assert_string_equal(buf, "");
	assert_int_equal(json_object_array_length(member(a, "suites")), 0);
}

/* Hostile servers: silence, endless alerts, an oversized record; each ends
 * in bounded time with no suites, never a hang. */
static void test_hostile_servers(void **state)
{
	struct fixture *f = *state;
	static const int behaviours[] = {TLS_TEST_SILENT, TLS_TEST_ALERTS, TLS_TEST_OVERSIZED};
	for (size_t i = 0; i < DL_ARRAY_SIZE(behaviours); i++) {
		struct tls_test_server_config c = {.behaviour = behaviours[i]};
		struct dl_error err = {0};
		f->server = tls_test_server_start(&c, &f->port);
		assert_non_null(f->server);
		struct tls_audit_options o = {
			.scope = &f->scope,
			.probe_timeout_ms = 200,
			.deadline_ns = sock_now_ns() + 20 * (int64_t)1000000000,
		};
		int64_t start = sock_now_ns();
		assert_int_equal(tls_audit_endpoint("127.0.0.1", f->port, &o, &f->audit, &err), 0);
		/* 18 first probes on 8 workers, served one at a time: bounded by
		 * the probe timeout, with room */
		assert_true(sock_now_ns() - start < 10 * (int64_t)1000000000);
		assert_int_equal(json_object_array_length(member(f->audit, "suites")), 0);
		/* alerts are TLS; silence and garbage are not */
		assert_int_equal(json_object_get_boolean(member(f->audit, "speaks_tls")),
				 behaviours[i] == TLS_TEST_ALERTS);
		json_object_put(f->audit);
		f->audit = NULL;
		tls_test_server_stop(f->server);
		f->server = NULL;
	}
}

/* A closed port: no TLS, and the audit says it could not connect. */
static void test_closed_port(void **state)
{
	struct fixture *f = *state;
	struct dl_error err = {0};
	struct tls_audit_options o = {
		.scope = &f->scope,
		.deadline_ns = sock_now_ns() + 10 * (int64_t)1000000000,
	};
	/* port 9 (discard) on loopback: nothing listens there in a test box */
	assert_int_equal(tls_audit_endpoint("127.0.0.1", 9, &o, &f->audit, &err), 0);
	assert_false(json_object_get_boolean(member(f->audit, "speaks_tls")));
	assert_false(json_object_get_boolean(member(f->audit, "complete")));
	assert_non_null(
		strstr(json_object_get_string(member(f->audit, "incomplete")), "no connection"));
}

/* Outside the scope: refused before any packet, as an error. */
static void test_scope_refused(void **state)
{
	struct fixture *f = *state;
	struct dl_error err = {0};
	struct tls_audit_options o = {.scope = &f->scope};
	assert_int_equal(tls_audit_endpoint("198.18.250.9", 443, &o, &f->audit, &err), DL_ESCOPE);
	assert_null(f->audit);
}

/* A deadline already passed: nothing is sent, the result says why. */
static void test_deadline(void **state)
{
	struct fixture *f = *state;
	struct tls_test_server_config c = {0};
	struct dl_error err = {0};
	f->server = tls_test_server_start(&c, &f->port);
	assert_non_null(f->server);
	struct tls_audit_options o = {.scope = &f->scope, .deadline_ns = sock_now_ns() - 1};
	assert_int_equal(tls_audit_endpoint("127.0.0.1", f->port, &o, &f->audit, &err), 0);
	assert_false(json_object_get_boolean(member(f->audit, "complete")));
	assert_non_null(strstr(json_object_get_string(member(f->audit, "incomplete")), "deadline"));
	assert_int_equal(json_object_get_int(member(f->audit, "connections")), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_tls12_server_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tls13_client_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_legacy_versions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_resets_big_hellos, setup, teardown),
		cmocka_unit_test_setup_teardown(test_vulnerable_server, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ssl2_only, setup, teardown),
		cmocka_unit_test_setup_teardown(test_not_tls, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hostile_servers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_closed_port, setup, teardown),
		cmocka_unit_test_setup_teardown(test_scope_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_deadline, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
