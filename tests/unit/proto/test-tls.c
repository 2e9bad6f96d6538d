/* test-tls: TLS ClientHello building, reply parsing against openssl s_server, and the suite tables
 */
#include "core/compat.h"

#include <setjmp.h>
#include <cmocka.h>

#include "core/error.h"
#include "proto/tls-suites.h"
#include "proto/tls.h"
#include "vectors.h"

/*
 * The vectors are OpenSSL 3.0.19's `openssl s_server` on 127.0.0.1 (a
 * self-signed RSA-2048 or P-256 certificate) answering proto-emit's
 * ClientHellos, the reply bytes saved as they came off the socket:
 *   tls-openssl-tls12-rsa-reply        -tls1_2, to "tls-1.2" (picks 0x002f)
 *   tls-openssl-tls12-ecdhe-reply      -tls1_2 -cipher ECDHE-RSA-AES256-GCM-SHA384
 *   tls-openssl-tls12-dhe-reply        -tls1_2 -cipher DHE-RSA-AES256-GCM-SHA384
 *   tls-openssl-tls12-fragmented-reply -tls1_2 -max_send_frag 512
 *   tls-openssl-tls13-reply            default, P-256 certificate, to "tls-1.3"
 *   tls-openssl-tls13-hrr-reply        default, to "tls-1.3-hrr" (empty key_share)
 *   tls-openssl-refused-tls12-reply    -tls1_3, to "tls-1.2": protocol_version
 *   tls-openssl-fallback-tls11-reply   -tls1_2, to "tls-1.1-fallback"
 *   tls-openssl-tls10-no-sigalg-reply  default (Debian: SECLEVEL=2), to "tls-1.0"
 *   tls-openssl-refused-ssl3-reply     default, to "tls-ssl3"
 *   tls-openssl-refused-ssl2-reply     default, to "tls-ssl2"
 */

static struct tls_reply reply; /* large: holds the reassembly buffer */

static int parse_vector(const char *name, uint8_t *buf, size_t *len, struct dl_error *err)
{
	*len = vector_load(name, buf);
	return tls_parse_reply(buf, *len, &reply, err);
}

/* ---- tables ---- */

static void test_suites_sorted_unique_and_complete(void **state)
{
	(void)state;
	assert_true(tls_suite_count >= 150);
	for (size_t i = 1; i < tls_suite_count; i++)
		if (tls_suites[i - 1].code >= tls_suites[i].code)
			fail_msg("tls_suites[%zu] 0x%04x is not above 0x%04x", i,
				 tls_suites[i].code, tls_suites[i - 1].code);
	for (size_t i = 0; i < tls_suite_count; i++) {
		assert_ptr_equal(tls_suite_by_code(tls_suites[i].code), &tls_suites[i]);
		assert_ptr_equal(tls_suite_by_name(tls_suites[i].name), &tls_suites[i]);
		if (tls_suites[i].export)
			assert_int_equal(tls_suites[i].strength, TLS_STRENGTH_EXPORT);
		if (tls_suites[i].approved == TLS_APPROVED_YES)
			assert_int_equal(tls_suites[i].cipher, TLS_CIPHER_AES);
	}
	for (uint16_t code = 0x1301; code <= 0x1305; code++) {
		const struct tls_suite *s = tls_suite_by_code(code);
		assert_non_null(s);
		assert_true(s->tls13_only);
		assert_true(s->forward_secrecy);
	}
	assert_null(tls_suite_by_code(0x0a0a)); /* GREASE */
	assert_null(tls_suite_by_name("TLS_NO_SUCH_SUITE"));
	for (size_t i = 1; i < tls_group_count; i++)
		assert_true(tls_groups[i - 1].code < tls_groups[i].code);
	for (size_t i = 1; i < tls_signature_scheme_count; i++)
		assert_true(tls_signature_schemes[i - 1].code < tls_signature_schemes[i].code);
}

static void test_suite_classification(void **state)
{
	(void)state;
	const struct tls_suite *s = tls_suite_by_name("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256");
	assert_int_equal(s->code, 0xc02f);
	assert_int_equal(s->kx, TLS_KX_ECDHE);
	assert_int_equal(s->auth, TLS_AUTH_RSA);
	assert_int_equal(s->mode, TLS_MODE_GCM);
	assert_int_equal(s->mac, TLS_MAC_AEAD);
	assert_true(s->forward_secrecy);
	assert_int_equal(s->approved, TLS_APPROVED_YES);
	assert_int_equal(s->strength, TLS_STRENGTH_128);
	s = tls_suite_by_code(0xc030);
	assert_string_equal(s->name, "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384");
	assert_int_equal(s->strength, TLS_STRENGTH_256);
	/* ChaCha20-Poly1305: 256-bit class, not in SP 800-140C */
	s = tls_suite_by_code(0xcca8);
	assert_int_equal(s->cipher, TLS_CIPHER_CHACHA20);
	assert_int_equal(s->approved, TLS_APPROVED_NO);
	assert_int_equal(s->strength, TLS_STRENGTH_256);
	s = tls_suite_by_code(0x000a);
	assert_int_equal(s->approved, TLS_APPROVED_LEGACY);
	assert_int_equal(s->strength, TLS_STRENGTH_WEAK);
	assert_false(s->forward_secrecy);
	s = tls_suite_by_code(0x0003);
	assert_true(s->export);
	assert_int_equal(s->key_bits, 40);
	assert_int_equal(tls_suite_by_code(0x0000)->strength, TLS_STRENGTH_NONE);
	assert_int_equal(tls_suite_by_code(0x0034)->auth, TLS_AUTH_NONE); /* DH_anon */
	assert_int_equal(tls_suite_by_code(0x002f)->kx, TLS_KX_RSA);
	assert_int_equal(tls_suite_by_code(0x002f)->mode, TLS_MODE_CBC);
	assert_int_equal(tls_suite_by_code(0x002f)->mac, TLS_MAC_SHA1);
	assert_int_equal(tls_suite_by_code(0xc0ac)->mode, TLS_MODE_CCM);
	assert_int_equal(tls_suite_by_code(0xc0ae)->mode, TLS_MODE_CCM_8);
	assert_int_equal(tls_suite_by_code(0x0005)->mode, TLS_MODE_STREAM);
	assert_string_equal(tls_cipher_name(TLS_CIPHER_CHACHA20), "ChaCha20");
	assert_string_equal(tls_strength_name(TLS_STRENGTH_WEAK), "weak");
	assert_int_equal(tls_group_by_name("x25519")->code, 0x001d);
	assert_string_equal(tls_group_by_code(0x0017)->name, "secp256r1");
	assert_int_equal(tls_group_by_code(0x0100)->bits, 2048);
	assert_int_equal(tls_group_by_code(0x0100)->kind, TLS_GROUP_FFDHE);
	assert_string_equal(tls_signature_scheme_by_code(0x0804)->name, "rsa_pss_rsae_sha256");
	assert_int_equal(tls_signature_scheme_by_name("ed25519")->code, 0x0807);
}

/* ---- building ---- */

static void test_build_minimal_tls12(void **state)
{
	(void)state;
	static const uint16_t suites[] = {0xc02f, 0x009c};
	struct tls_client_hello h = {.client_version = TLS_VERSION_TLS12,
				     .suites = suites,
				     .suite_count = 2,
				     .renegotiation_scsv = true};
	uint8_t buf[256];
	size_t len;
	struct dl_error err = {0};
	assert_int_equal(tls_build_client_hello(buf, sizeof(buf), &len, &h, &err), 0);
	static const uint8_t head[] = {0x16, 0x03, 0x01, 0x00, 0x31, /* record */
				       0x01, 0x00, 0x00, 0x2d, 0x03, 0x03};
	assert_int_equal(len, 5 + 4 + 2 + 32 + 1 + 2 + 6 + 2);
	assert_memory_equal(buf, head, sizeof(head));
	static const uint8_t tail[] = {
		0x00, /* empty session id */
		0x00, 0x06, 0xc0, 0x2f, 0x00,
		0x9c, 0x00, 0xff, 0x01, 0x00}; /* null compression, no extensions */
	assert_memory_equal(buf + 11 + 32, tail, sizeof(tail));
}

/* walk a built ClientHello and return the extension type list */
static size_t hello_extensions(const uint8_t *buf, size_t len, uint16_t *types, size_t max,
			       const uint8_t **key_share, size_t *key_share_len)
{
	size_t at = 5 + 4 + 2 + 32;
	at += 1 + buf[at];
	at += 2 + (size_t)(buf[at] << 8 | buf[at + 1]);
	at += 1 + buf[at];
	size_t end = at + 2 + (size_t)(buf[at] << 8 | buf[at + 1]);
	assert_int_equal(end, len);
	at += 2;
	size_t n = 0;
	while (at < end && n < max) {
		uint16_t type = (uint16_t)(buf[at] << 8 | buf[at + 1]);
		size_t ext_len = (size_t)(buf[at + 2] << 8 | buf[at + 3]);
		types[n++] = type;
		if (type == TLS_EXT_KEY_SHARE) {
			*key_share = buf + at + 4;
			*key_share_len = ext_len;
		}
		at += 4 + ext_len;
	}
	assert_int_equal(at, end);
	return n;
}

static void test_build_tls13_and_hrr_probe(void **state)
{
	(void)state;
	static const uint16_t suites[] = {0x1301, 0x1302, 0x1303};
	static const uint16_t versions[] = {TLS_VERSION_TLS13, TLS_VERSION_TLS12};
	static const uint16_t groups[] = {0x001d, 0x0017};
	static const uint16_t schemes[] = {0x0403, 0x0804};
	uint8_t key[32];
	memset(key, 0x42, sizeof(key));
	struct tls_client_hello h = {.client_version = TLS_VERSION_TLS12,
				     .suites = suites,
				     .suite_count = 3,
				     .server_name = "cam-good.lab",
				     .supported_versions = versions,
				     .supported_version_count = 2,
				     .groups = groups,
				     .group_count = 2,
				     .signature_schemes = schemes,
				     .signature_scheme_count = 2,
				     .key_share = true,
				     .x25519_public = key,
				     .renegotiation_info = true,
				     .ec_point_formats = true};
	uint8_t buf[512];
	size_t len;
	struct dl_error err = {0};
	assert_int_equal(tls_build_client_hello(buf, sizeof(buf), &len, &h, &err), 0);
	assert_int_equal(len, 5 + (size_t)(buf[3] << 8 | buf[4]));
	uint16_t types[16];
	const uint8_t *ks = NULL;
	size_t ks_len = 0;
	size_t n = hello_extensions(buf, len, types, 16, &ks, &ks_len);
	static const uint16_t expect[] = {0, 11, 10, 13, 43, 51, 0xff01};
	assert_int_equal(n, DL_ARRAY_SIZE(expect));
	assert_memory_equal(types, expect, sizeof(expect));
	assert_int_equal(ks_len, 2 + 2 + 2 + 32);
	assert_int_equal(ks[2] << 8 | ks[3], 0x001d);
	assert_memory_equal(ks + 6, key, 32);

	h.x25519_public = NULL; /* HelloRetryRequest probe: client_shares is empty */
	assert_int_equal(tls_build_client_hello(buf, sizeof(buf), &len, &h, &err), 0);
	hello_extensions(buf, len, types, 16, &ks, &ks_len);
	assert_int_equal(ks_len, 2);
	assert_int_equal(ks[0] << 8 | ks[1], 0);
}

static void test_build_ssl2(void **state)
{
	(void)state;
	static const uint32_t kinds[] = {TLS_SSL2_RC4_128_WITH_MD5, TLS_SSL2_DES_64_CBC_WITH_MD5};
	static const uint16_t suites[] = {0x002f};
	struct tls_client_hello h = {.ssl2_format = true,
				     .client_version = TLS_VERSION_SSL2,
				     .ssl2_ciphers = kinds,
				     .ssl2_cipher_count = 2,
				     .suites = suites,
				     .suite_count = 1};
	for (size_t i = 0; i < 32; i++)
		h.random[i] = (uint8_t)i;
	uint8_t buf[128];
	size_t len;
	struct dl_error err = {0};
	assert_int_equal(tls_build_client_hello(buf, sizeof(buf), &len, &h, &err), 0);
	static const uint8_t expect[] = {
		0x80, 0x22, 0x01, 0x00, 0x02, 0x00, 0x09, 0x00, 0x00, 0x00, 0x10, 0x01,
		0x00, 0x80, 0x06, 0x00, 0x40, 0x00, 0x00, 0x2f, 16,   17,   18,   19,
		20,   21,   22,   23,   24,   25,   26,   27,   28,   29,   30,   31,
	};
	assert_int_equal(len, sizeof(expect));
	assert_memory_equal(buf, expect, sizeof(expect));
	h.server_name = "x";
	assert_int_equal(tls_build_client_hello(buf, sizeof(buf), &len, &h, &err), DL_EINVAL);
	assert_non_null(strstr(err.message, "cannot carry extensions"));
}

static void test_build_errors(void **state)
{
	(void)state;
	static const uint16_t suites[] = {0xc02f};
	static uint16_t many[TLS_OFFER_SUITES_MAX + 1];
	uint8_t buf[128];
	size_t len;
	struct dl_error err = {0};
	struct tls_client_hello h = {
		.client_version = TLS_VERSION_TLS13, .suites = suites, .suite_count = 1};
	assert_int_equal(tls_build_client_hello(buf, sizeof(buf), &len, &h, &err), DL_EINVAL);
	assert_non_null(strstr(err.message, "supported_versions"));
	h.client_version = TLS_VERSION_TLS12;
	h.suite_count = 0;
	assert_int_equal(tls_build_client_hello(buf, sizeof(buf), &len, &h, &err), DL_EINVAL);
	h.suite_count = 1;
	h.session_id_len = 33;
	h.session_id = buf;
	assert_int_equal(tls_build_client_hello(buf, sizeof(buf), &len, &h, &err), DL_EINVAL);
	h.session_id_len = 0;
	h.server_name = "";
	assert_int_equal(tls_build_client_hello(buf, sizeof(buf), &len, &h, &err), DL_EINVAL);
	h.server_name = NULL;
	h.suites = many;
	h.suite_count = DL_ARRAY_SIZE(many);
	assert_int_equal(tls_build_client_hello(buf, sizeof(buf), &len, &h, &err), DL_EINVAL);
	h.suite_count = 100;
	assert_int_equal(tls_build_client_hello(buf, sizeof(buf), &len, &h, &err), DL_ENOMEM);
	assert_non_null(strstr(err.message, "does not fit"));
	assert_int_equal(len, 0);
}

/* ---- parsing openssl s_server's replies ---- */

static void assert_rsa_certificate(void)
{
	assert_int_equal(reply.certificate_count, 1);
	const struct tls_certificate *c = &reply.certificates[0];
	/* a DER SEQUENCE whose own length covers exactly the bytes we point at */
	assert_int_equal(c->der[0], 0x30);
	assert_int_equal(c->der[1], 0x82);
	assert_int_equal(4 + (size_t)(c->der[2] << 8 | c->der[3]), c->len);
	assert_true(c->der >= reply.handshake &&
		    c->der + c->len <= reply.handshake + TLS_HANDSHAKE_MAX);
}

static void test_parse_tls12_rsa(void **state)
{
	(void)state;
	static uint8_t buf[VECTOR_MAX];
	size_t len;
	struct dl_error err = {0};
	assert_int_equal(parse_vector("tls-openssl-tls12-rsa-reply", buf, &len, &err), 0);
	assert_true(reply.complete);
	assert_false(reply.incomplete);
	assert_int_equal(reply.bytes_parsed, len);
	assert_int_equal(reply.record_version, TLS_VERSION_TLS12);
	assert_true(reply.has_server_hello);
	assert_int_equal(reply.server_hello.version, TLS_VERSION_TLS12);
	assert_int_equal(reply.server_hello.cipher_suite, 0x002f);
	assert_int_equal(reply.server_hello.compression, 0);
	assert_true(reply.server_hello.has_renegotiation_info);
	assert_int_equal(reply.server_hello.renegotiation_info_len, 0);
	assert_true(reply.server_hello.has_extended_master_secret);
	assert_false(reply.server_hello.hello_retry_request);
	/* s_server -tls1_2 cannot do TLS 1.3, so no downgrade sentinel (RFC 8446 4.1.3) */
	assert_int_equal(reply.server_hello.downgrade, TLS_DOWNGRADE_NONE);
	assert_rsa_certificate();
	assert_false(reply.has_server_key_exchange); /* static RSA */
	assert_true(reply.server_hello_done);
	assert_false(reply.has_alert);
}

static void test_parse_tls12_ecdhe_and_dhe(void **state)
{
	(void)state;
	static uint8_t buf[VECTOR_MAX];
	size_t len;
	struct dl_error err = {0};
	assert_int_equal(parse_vector("tls-openssl-tls12-ecdhe-reply", buf, &len, &err), 0);
	assert_int_equal(reply.server_hello.cipher_suite, 0xc030);
	assert_true(reply.has_server_key_exchange);
	assert_int_equal(reply.server_key_exchange.kind, TLS_SKE_ECDHE);
	assert_int_equal(reply.server_key_exchange.group, 0x001d); /* x25519, our first */
	assert_true(reply.server_key_exchange.signed_params);
	assert_int_equal(reply.server_key_exchange.signature_scheme, 0x0804);
	assert_true(reply.server_hello_done);

	assert_int_equal(parse_vector("tls-openssl-tls12-dhe-reply", buf, &len, &err), 0);
	assert_int_equal(reply.server_hello.cipher_suite, 0x009f);
	assert_int_equal(reply.server_key_exchange.kind, TLS_SKE_DHE);
	assert_int_equal(reply.server_key_exchange.bits, 2048); /* OpenSSL's auto DH for RSA-2048 */
	assert_true(reply.server_hello_done);
}

static void test_parse_tls12_fragmented(void **state)
{
	(void)state;
	static uint8_t buf[VECTOR_MAX];
	size_t len;
	struct dl_error err = {0};
	assert_int_equal(parse_vector("tls-openssl-tls12-fragmented-reply", buf, &len, &err), 0);
	assert_int_equal(reply.record_count, 4);
	assert_rsa_certificate();
	assert_true(reply.server_hello_done);
}

/* Re-cut a reply's handshake bytes into records of `piece` bytes. */
static size_t refragment(const uint8_t *hs, size_t hs_len, size_t piece, uint8_t *out)
{
	size_t n = 0;
	for (size_t at = 0; at < hs_len; at += piece) {
		size_t k = hs_len - at < piece ? hs_len - at : piece;
		out[n++] = TLS_CONTENT_HANDSHAKE;
		out[n++] = 0x03;
		out[n++] = 0x03;
		out[n++] = (uint8_t)(k >> 8);
		out[n++] = (uint8_t)k;
		memcpy(out + n, hs + at, k);
		n += k;
	}
	return n;
}

static void test_reassembly_across_many_records(void **state)
{
	(void)state;
	static uint8_t buf[VECTOR_MAX], hs[VECTOR_MAX], cut[VECTOR_MAX];
	size_t len;
	struct dl_error err = {0};
	assert_int_equal(parse_vector("tls-openssl-tls12-ecdhe-reply", buf, &len, &err), 0);
	size_t hs_len = reply.handshake_len;
	memcpy(hs, reply.handshake, hs_len);
	size_t n = refragment(hs, hs_len, 7, cut);
	assert_int_equal(tls_parse_reply(cut, n, &reply, &err), 0);
	assert_int_equal(reply.record_count, (hs_len + 6) / 7);
	assert_int_equal(reply.certificate_count, 1);
	assert_int_equal(reply.server_key_exchange.group, 0x001d);
	assert_true(reply.server_hello_done);
	/* an error inside a reassembled message names the byte in the input:
	 * handshake byte 4+34 is the ServerHello's session id length */
	uint8_t sid_len = hs[4 + 34];
	hs[4 + 34] = 33;
	n = refragment(hs, hs_len, 7, cut);
	assert_int_equal(tls_parse_reply(cut, n, &reply, &err), DL_EPROTO);
	size_t expect = (38 / 7) * 12 + 5 + 38 % 7 + 1; /* just after the length byte */
	char want[64];
	snprintf(want, sizeof(want), "offset %zu:", expect);
	if (!strstr(err.message, want) || !strstr(err.message, "session id longer"))
		fail_msg("unexpected: %s (wanted %s)", err.message, want);
	/* more records than the ceiling */
	hs[4 + 34] = sid_len;
	n = refragment(hs, hs_len, 2, cut);
	assert_int_equal(tls_parse_reply(cut, n, &reply, &err), DL_EPROTO);
	if (!strstr(err.message, "more records than our ceiling"))
		fail_msg("unexpected: %s", err.message);
}

static void test_parse_tls13_and_hrr(void **state)
{
	(void)state;
	static uint8_t buf[VECTOR_MAX];
	size_t len;
	struct dl_error err = {0};
	assert_int_equal(parse_vector("tls-openssl-tls13-reply", buf, &len, &err), 0);
	assert_int_equal(reply.server_hello.legacy_version, TLS_VERSION_TLS12);
	assert_int_equal(reply.server_hello.version, TLS_VERSION_TLS13);
	assert_true(reply.server_hello.has_supported_versions);
	assert_int_equal(reply.server_hello.cipher_suite, 0x1301);
	assert_true(reply.server_hello.has_key_share);
	assert_int_equal(reply.server_hello.key_share_group, 0x001d);
	assert_int_equal(reply.server_hello.key_share_len, 32);
	assert_false(reply.server_hello.hello_retry_request);
	assert_false(reply.change_cipher_spec); /* the middlebox one does not count */
	assert_int_equal(reply.encrypted_records, 4);
	assert_int_equal(reply.certificate_count, 0); /* encrypted in TLS 1.3 */
	assert_true(reply.complete);

	assert_int_equal(parse_vector("tls-openssl-tls13-hrr-reply", buf, &len, &err), 0);
	assert_true(reply.server_hello.hello_retry_request);
	assert_int_equal(reply.server_hello.version, TLS_VERSION_TLS13);
	assert_int_equal(reply.server_hello.key_share_group, 0x001d);
	assert_int_equal(reply.server_hello.key_share_len, 0);
	assert_false(reply.change_cipher_spec);
	assert_true(reply.complete);
}

static void test_parse_refusals(void **state)
{
	(void)state;
	static const struct {
		const char *vector;
		uint16_t record_version;
		uint8_t description;
		const char *name;
	} cases[] = {
		{"tls-openssl-refused-tls12-reply", 0x0303, 70, "protocol_version"},
		{"tls-openssl-fallback-tls11-reply", 0x0302, 70, "protocol_version"},
		{"tls-openssl-tls10-no-sigalg-reply", 0x0301, 80, "internal_error"},
		{"tls-openssl-refused-ssl3-reply", 0x0300, 40, "handshake_failure"},
		{"tls-openssl-refused-ssl2-reply", 0x0303, 70, "protocol_version"},
	};
	static uint8_t buf[VECTOR_MAX];
	for (size_t i = 0; i < DL_ARRAY_SIZE(cases); i++) {
		size_t len;
		struct dl_error err = {0};
		assert_int_equal(parse_vector(cases[i].vector, buf, &len, &err), 0);
		assert_int_equal(reply.record_version, cases[i].record_version);
		assert_true(reply.has_alert);
		assert_int_equal(reply.alert.level, 2);
		assert_string_equal(tls_alert_level_name(reply.alert.level), "fatal");
		assert_int_equal(reply.alert.description, cases[i].description);
		assert_string_equal(tls_alert_description_name(reply.alert.description),
				    cases[i].name);
		assert_false(reply.has_server_hello);
		assert_true(reply.complete);
	}
}

/* Every cut inside a record fails as incomplete with an offset; a cut at a
 * record boundary parses (the server may not have sent the rest yet). */
static void test_truncations(void **state)
{
	(void)state;
	static const char *const names[] = {
		"tls-openssl-tls12-rsa-reply",     "tls-openssl-tls12-ecdhe-reply",
		"tls-openssl-tls12-dhe-reply",     "tls-openssl-tls12-fragmented-reply",
		"tls-openssl-tls13-reply",         "tls-openssl-tls13-hrr-reply",
		"tls-openssl-refused-tls12-reply",
	};
	static uint8_t buf[VECTOR_MAX];
	for (size_t v = 0; v < DL_ARRAY_SIZE(names); v++) {
		size_t len = vector_load(names[v], buf);
		size_t next_record = 0;
		for (size_t cut = 0; cut < len; cut++) {
			struct dl_error err = {0};
			int rc = tls_parse_reply(buf, cut, &reply, &err);
			bool boundary = cut == next_record;
			if (boundary && cut > 0 && rc == 0) {
				assert_false(reply.incomplete);
			} else if (rc == 0) {
				fail_msg("%s: a %zu-byte cut parsed", names[v], cut);
			} else {
				assert_int_equal(rc, DL_EPROTO);
				assert_true(reply.incomplete);
				if (!strstr(err.message, "tls reply: offset"))
					fail_msg("%s: %s", names[v], err.message);
			}
			if (boundary)
				next_record += 5 + (size_t)(buf[next_record + 3] << 8 |
							    buf[next_record + 4]);
		}
	}
}

struct malformed {
	const char *what;
	const uint8_t *bytes;
	size_t len;
	const char *reason;
	size_t offset;
};

static void test_malformed(void **state)
{
	(void)state;
	static const uint8_t bad_type[] = {0x63, 0x03, 0x03, 0x00, 0x02, 0x02, 0x28};
	static const uint8_t bad_version[] = {0x15, 0x02, 0x00, 0x00, 0x02, 0x02, 0x28};
	static const uint8_t oversized[] = {0x17, 0x03, 0x03, 0x48, 0x01};
	static const uint8_t bad_level[] = {0x15, 0x03, 0x03, 0x00, 0x02, 0x03, 0x28};
	static const uint8_t odd_alert[] = {0x15, 0x03, 0x03, 0x00, 0x03, 0x02, 0x28, 0x02};
	static const uint8_t bad_ccs[] = {0x14, 0x03, 0x03, 0x00, 0x01, 0x02};
	static const uint8_t empty_hs[] = {0x16, 0x03, 0x03, 0x00, 0x00};
	static const uint8_t cert_first[] = {0x16, 0x03, 0x03, 0x00, 0x07, 0x0b,
					     0x00, 0x00, 0x03, 0x00, 0x00, 0x00};
	static const uint8_t huge_message[] = {0x16, 0x03, 0x03, 0x00, 0x04,
					       0x0b, 0x01, 0x00, 0x00};
	/* a ServerHello with sid length 0, suite 0xc02f and extensions */
#define SH_HEAD(rec_len, hs_len)                                                                   \
	0x16, 0x03, 0x03, 0x00, rec_len, 0x02, 0x00, 0x00, hs_len, 0x03, 0x03, 1, 2, 3, 4, 5, 6,   \
		7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27,   \
		28, 29, 30, 31, 32, 0x00, 0xc0, 0x2f, 0x00
	static const uint8_t dup_ext[] = {
		SH_HEAD(52, 48), 0x00, 0x08, 0x00, 0x17, 0x00, 0x00, 0x00, 0x17, 0x00, 0x00};
	static const uint8_t sv_tls12[] = {
		SH_HEAD(50, 46), 0x00, 0x06, 0x00, 0x2b, 0x00, 0x02, 0x03, 0x03};
	static const uint8_t ext_overrun[] = {SH_HEAD(48, 44), 0x00, 0x04, 0x00, 0x2b, 0x00, 0x09};
	static const uint8_t done_not_empty[] = {SH_HEAD(47, 38), 0x0e, 0x00, 0x00, 0x01, 0x00};
	static const uint8_t sh_trailing[] = {SH_HEAD(45, 41), 0x00, 0x00, 0xff};
	static const uint8_t bad_sh_version[] = {0x16, 0x03, 0x03, 0x00, 0x06, 0x02,
						 0x00, 0x00, 0x02, 0x02, 0x00};
	static const struct malformed cases[] = {
		{"content type", bad_type, sizeof(bad_type), "record content type", 0},
		{"record version", bad_version, sizeof(bad_version), "record version", 1},
		{"record length", oversized, sizeof(oversized), "exceeds 18432 (value 18433)", 3},
		{"alert level", bad_level, sizeof(bad_level), "alert level", 5},
		{"alert length", odd_alert, sizeof(odd_alert), "multiple of 2", 5},
		{"ccs", bad_ccs, sizeof(bad_ccs), "ChangeCipherSpec", 5},
		{"empty handshake", empty_hs, sizeof(empty_hs), "empty handshake record", 3},
		{"order", cert_first, sizeof(cert_first), "before ServerHello (value 11)", 9},
		{"ceiling", huge_message, sizeof(huge_message), "65536-byte ceiling", 6},
		{"duplicate", dup_ext, sizeof(dup_ext),
		 "duplicate extension in ServerHello (value 23)", 53},
		{"supported_versions", sv_tls12, sizeof(sv_tls12), "before TLS 1.3 (value 771)",
		 55},
		{"extension overrun", ext_overrun, sizeof(ext_overrun), "", 0},
		{"done", done_not_empty, sizeof(done_not_empty), "not empty (value 1)", 51},
		{"sh trailing", sh_trailing, sizeof(sh_trailing), "after its extensions (value 1)",
		 49},
		{"sh version", bad_sh_version, sizeof(bad_sh_version), "SSL 3.0 to TLS 1.3", 11},
	};
	for (size_t i = 0; i < DL_ARRAY_SIZE(cases); i++) {
		struct dl_error err = {0};
		int rc = tls_parse_reply(cases[i].bytes, cases[i].len, &reply, &err);
		if (rc != DL_EPROTO)
			fail_msg("%s: parsed (rc %d)", cases[i].what, rc);
		char want[48];
		snprintf(want, sizeof(want), "tls reply: offset %zu:", cases[i].offset);
		if (!strstr(err.message, cases[i].reason) ||
		    (cases[i].reason[0] && !strstr(err.message, want)))
			fail_msg("%s: '%s' does not say '%s' at '%s'", cases[i].what, err.message,
				 cases[i].reason, want);
		assert_false(reply.incomplete);
	}
}

/* SSLv2 SERVER-HELLO (SSL 2.0 draft, no SSLv2 server left to record): a
 * 3-byte certificate, two cipher kinds, a 16-byte connection id */
static void test_parse_ssl2(void **state)
{
	(void)state;
	uint8_t hello[] = {0x80, 0x00, 0x04, 0x00, 0x01, 0x00, 0x02, 0x00, 0x03, 0x00,
			   0x06, 0x00, 0x10, 0x30, 0x01, 0x00, 0x01, 0x00, 0x80, 0x06,
			   0x00, 0x40, 1,    2,    3,    4,    5,    6,    7,    8,
			   9,    10,   11,   12,   13,   14,   15,   16};
	hello[1] = sizeof(hello) - 2;
	struct dl_error err = {0};
	assert_int_equal(tls_parse_reply(hello, sizeof(hello), &reply, &err), 0);
	assert_true(reply.ssl2);
	assert_int_equal(reply.ssl2_hello.version, TLS_VERSION_SSL2);
	assert_int_equal(reply.ssl2_hello.certificate_type, 1);
	assert_int_equal(reply.ssl2_hello.certificate_len, 3);
	assert_int_equal(reply.ssl2_hello.cipher_count, 2);
	assert_int_equal(reply.ssl2_hello.ciphers[0], TLS_SSL2_RC4_128_WITH_MD5);
	assert_int_equal(reply.ssl2_hello.ciphers[1], TLS_SSL2_DES_64_CBC_WITH_MD5);
	assert_int_equal(reply.ssl2_hello.connection_id_len, 16);
	for (size_t cut = 0; cut < sizeof(hello); cut++) {
		assert_int_equal(tls_parse_reply(hello, cut, &reply, &err), DL_EPROTO);
		assert_non_null(strstr(err.message, "offset"));
	}
	hello[10] = 0x07; /* cipher specs not a multiple of 3 */
	assert_int_equal(tls_parse_reply(hello, sizeof(hello), &reply, &err), DL_EPROTO);
	assert_non_null(strstr(err.message, "offset 13: SSLv2 cipher specs length"));
	static const uint8_t error_msg[] = {0x80, 0x03, 0x00, 0x00, 0x01};
	assert_int_equal(tls_parse_reply(error_msg, sizeof(error_msg), &reply, &err), 0);
	assert_true(reply.ssl2_error);
	assert_int_equal(reply.ssl2_error_code, 1); /* NO-CIPHER-ERROR */
	/* an ERROR is exactly 3 bytes with a defined code: random bytes with the
	 * high bit set are not taken for one */
	static const uint8_t long_error[] = {0x80, 0x04, 0x00, 0x00, 0x01, 0x00};
	assert_int_equal(tls_parse_reply(long_error, sizeof(long_error), &reply, &err), DL_EPROTO);
	assert_non_null(strstr(err.message, "SSLv2 ERROR is longer than 3 bytes"));
	static const uint8_t odd_code[] = {0x80, 0x03, 0x00, 0x00, 0x03};
	assert_int_equal(tls_parse_reply(odd_code, sizeof(odd_code), &reply, &err), DL_EPROTO);
	assert_non_null(strstr(err.message, "SSLv2 ERROR code is not 1, 2, 4 or 6 (value 3)"));
}

static void test_names(void **state)
{
	(void)state;
	assert_string_equal(tls_version_name(0x0303), "TLS 1.2");
	assert_string_equal(tls_version_name(0x0300), "SSL 3.0");
	assert_string_equal(tls_alert_description_name(86), "inappropriate_fallback");
	assert_string_equal(tls_alert_description_name(250), "unknown");
	assert_string_equal(tls_content_type_name(22), "handshake");
	assert_string_equal(tls_handshake_type_name(14), "server_hello_done");
}

/* ---- heartbeat, ChangeCipherSpec, record walking ---- */

static void test_build_heartbeat_and_ccs(void **state)
{
	(void)state;
	struct dl_error err;
	uint8_t buf[64];
	size_t len;
	/* the Heartbleed probe: a payload_length of 16384 and nothing behind it */
	assert_int_equal(tls_build_heartbeat_request(buf, sizeof(buf), &len, TLS_VERSION_TLS12,
						     0x4000, NULL, 0, false, &err),
			 0);
	static const uint8_t bleed[] = {24, 3, 3, 0, 3, 1, 0x40, 0x00};
	assert_int_equal(len, sizeof(bleed));
	assert_memory_equal(buf, bleed, sizeof(bleed));
	/* a well-formed one: payload_length matches, 16 bytes of padding */
	static const uint8_t payload[] = {'d', 'l'};
	assert_int_equal(tls_build_heartbeat_request(buf, sizeof(buf), &len, TLS_VERSION_TLS10, 2,
						     payload, 2, true, &err),
			 0);
	assert_int_equal(len, 5 + 3 + 2 + 16);
	assert_int_equal(buf[4], 21);
	assert_int_equal(buf[8], 'd');
	assert_int_equal(tls_build_heartbeat_request(buf, 4, &len, TLS_VERSION_TLS12, 0, NULL, 0,
						     false, &err),
			 DL_ENOMEM);
	assert_int_equal(tls_build_heartbeat_request(buf, sizeof(buf), &len, TLS_VERSION_TLS12, 1,
						     NULL, 1, false, &err),
			 DL_EINVAL);
	assert_int_equal(
		tls_build_change_cipher_spec(buf, sizeof(buf), &len, TLS_VERSION_TLS12, &err), 0);
	static const uint8_t ccs[] = {20, 3, 3, 0, 1, 1};
	assert_int_equal(len, sizeof(ccs));
	assert_memory_equal(buf, ccs, sizeof(ccs));
	assert_int_equal(tls_build_change_cipher_spec(buf, 5, &len, TLS_VERSION_TLS12, &err),
			 DL_ENOMEM);
}

static void test_find_record(void **state)
{
	(void)state;
	struct dl_error err;
	/* a handshake record, an alert, a heartbeat response, half a record */
	static const uint8_t msg[] = {
		22, 3, 3, 0, 2, 0xaa, 0xbb,          /* 0 */
		21, 3, 3, 0, 2, 2,    10,            /* 7: fatal unexpected_message */
		24, 3, 3, 0, 4, 2,    0,    1, 0x55, /* 14: heartbeat_response */
		23, 3, 3, 0, 9, 1,    2,             /* 23: cut */
	};
	size_t at = 0, n = 0;
	assert_int_equal(tls_find_record(msg, sizeof(msg), TLS_CONTENT_ALERT, &at, &n, &err), 1);
	assert_int_equal(at, 7);
	assert_int_equal(n, 2);
	at = 0;
	assert_int_equal(tls_find_record(msg, sizeof(msg), TLS_CONTENT_HEARTBEAT, &at, &n, &err),
			 1);
	assert_int_equal(at, 14);
	assert_int_equal(n, 4);
	/* from an offset, and a record that has not all arrived */
	at = 8;
	assert_true(tls_find_record(msg, sizeof(msg), TLS_CONTENT_ALERT, &at, &n, &err) < 0);
	at = 14;
	assert_int_equal(
		tls_find_record(msg, sizeof(msg), TLS_CONTENT_APPLICATION_DATA, &at, &n, &err), 0);
	at = sizeof(msg) + 1;
	assert_int_equal(tls_find_record(msg, sizeof(msg), TLS_CONTENT_ALERT, &at, &n, &err),
			 DL_EINVAL);
	/* not TLS: an SSH banner */
	static const uint8_t ssh[] = "SSH-2.0-OpenSSH_9.2\r\n";
	at = 0;
	assert_int_equal(tls_find_record(ssh, sizeof(ssh) - 1, TLS_CONTENT_ALERT, &at, &n, &err),
			 DL_EPROTO);
	assert_non_null(strstr(err.message, "tls records: offset 0"));
	/* an oversized record length */
	static const uint8_t big[] = {21, 3, 3, 0x48, 0x01, 2, 10};
	at = 0;
	assert_int_equal(tls_find_record(big, sizeof(big), TLS_CONTENT_ALERT, &at, &n, &err),
			 DL_EPROTO);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_suites_sorted_unique_and_complete),
		cmocka_unit_test(test_suite_classification),
		cmocka_unit_test(test_build_minimal_tls12),
		cmocka_unit_test(test_build_tls13_and_hrr_probe),
		cmocka_unit_test(test_build_ssl2),
		cmocka_unit_test(test_build_errors),
		cmocka_unit_test(test_parse_tls12_rsa),
		cmocka_unit_test(test_parse_tls12_ecdhe_and_dhe),
		cmocka_unit_test(test_parse_tls12_fragmented),
		cmocka_unit_test(test_reassembly_across_many_records),
		cmocka_unit_test(test_parse_tls13_and_hrr),
		cmocka_unit_test(test_parse_refusals),
		cmocka_unit_test(test_truncations),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_parse_ssl2),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_build_heartbeat_and_ccs),
		cmocka_unit_test(test_find_record),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
