/* test-tls-record: TLS record and handshake model build, schema, relations and parse against
 * scapy vectors */
#include "core/compat.h"

#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>

#include "core/error.h"
#include "model-check.h"
#include "proto/cursor.h"
#include "proto/ethernet.h"
#include "proto/ipv4.h"
#include "proto/layer.h"
#include "proto/packet.h"
#include "proto/tcp.h"
#include "proto/tls-record.h"

static struct packet built, parsed;

/*
 * Made by scapy 2.5 (scapy.layers.tls, /usr/bin/python3), random = bytes(range(32)), the X25519
 * share bytes(range(0x40, 0x60)):
 * TLS(type=22, version=0x0301, msg=[TLSClientHello(version=0x0303, sid=b"",
 *   ciphers=[0x1301, 0xc02f, 0xc030], comp=[0], ext=[TLS_Ext_ServerName("dut.lab"),
 *   TLS_Ext_SupportedPointFormat([0]), TLS_Ext_SupportedGroups([x25519, secp256r1]),
 *   TLS_Ext_SignatureAlgorithms([0x0403, 0x0804]), TLS_Ext_Heartbeat(1),
 *   TLS_Ext_SupportedVersion_CH([0x0304, 0x0303]), TLS_Ext_KeyShare_CH([x25519 share]),
 *   TLS_Ext_RenegotiationInfo(b""), TLS_Ext_ALPN(["h2", "http/1.1"])])])
 */
static const uint8_t client_hello[] = {
	0x16, 0x03, 0x01, 0x00, 0xac, 0x01, 0x00, 0x00, 0xa8, 0x03, 0x03, 0x00, 0x01, 0x02, 0x03,
	0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x10, 0x11, 0x12,
	0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f, 0x00, 0x00,
	0x06, 0x13, 0x01, 0xc0, 0x2f, 0xc0, 0x30, 0x01, 0x00, 0x00, 0x79, 0x00, 0x00, 0x00, 0x0c,
	0x00, 0x0a, 0x00, 0x00, 0x07, 0x64, 0x75, 0x74, 0x2e, 0x6c, 0x61, 0x62, 0x00, 0x0b, 0x00,
	0x02, 0x01, 0x00, 0x00, 0x0a, 0x00, 0x06, 0x00, 0x04, 0x00, 0x1d, 0x00, 0x17, 0x00, 0x0d,
	0x00, 0x06, 0x00, 0x04, 0x04, 0x03, 0x08, 0x04, 0x00, 0x0f, 0x00, 0x01, 0x01, 0x00, 0x2b,
	0x00, 0x05, 0x04, 0x03, 0x04, 0x03, 0x03, 0x00, 0x33, 0x00, 0x26, 0x00, 0x24, 0x00, 0x1d,
	0x00, 0x20, 0x40, 0x41, 0x42, 0x43, 0x44, 0x45, 0x46, 0x47, 0x48, 0x49, 0x4a, 0x4b, 0x4c,
	0x4d, 0x4e, 0x4f, 0x50, 0x51, 0x52, 0x53, 0x54, 0x55, 0x56, 0x57, 0x58, 0x59, 0x5a, 0x5b,
	0x5c, 0x5d, 0x5e, 0x5f, 0xff, 0x01, 0x00, 0x01, 0x00, 0x00, 0x10, 0x00, 0x0e, 0x00, 0x0c,
	0x02, 0x68, 0x32, 0x08, 0x68, 0x74, 0x74, 0x70, 0x2f, 0x31, 0x2e, 0x31,
};

/* TLS(type=22, version=0x0303, msg=[TLSClientKeyExchange(exchkeys=
 * ClientECDiffieHellmanPublic(ecdh_Yc=the share))]) */
static const uint8_t client_key_exchange[] = {
	0x16, 0x03, 0x03, 0x00, 0x25, 0x10, 0x00, 0x00, 0x21, 0x20, 0x40, 0x41, 0x42, 0x43,
	0x44, 0x45, 0x46, 0x47, 0x48, 0x49, 0x4a, 0x4b, 0x4c, 0x4d, 0x4e, 0x4f, 0x50, 0x51,
	0x52, 0x53, 0x54, 0x55, 0x56, 0x57, 0x58, 0x59, 0x5a, 0x5b, 0x5c, 0x5d, 0x5e, 0x5f,
};

/* TLS(type=20, version=0x0303, msg=[TLSChangeCipherSpec()]) */
static const uint8_t change_cipher_spec[] = {0x14, 0x03, 0x03, 0x00, 0x01, 0x01};

/* TLS(type=21, version=0x0303, msg=[TLSAlert(level=2, descr=40)]): fatal handshake_failure */
static const uint8_t alert[] = {0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x28};

/* TLS(type=22, version=0x0303, msg=[TLSFinished(vdata=bytes(range(12)))]) */
static const uint8_t finished[] = {
	0x16, 0x03, 0x03, 0x00, 0x10, 0x14, 0x00, 0x00, 0x0c, 0x00, 0x01,
	0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b,
};

/* RFC 6520 4 by hand (scapy has no heartbeat message): heartbeat_request, payload_length 4,
 * "ping", 16 bytes of padding */
static const uint8_t heartbeat[] = {
	0x18, 0x03, 0x03, 0x00, 0x17, 0x01, 0x00, 0x04, 0x70, 0x69, 0x6e, 0x67, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
};

/* SSLv2(msg=[SSLv2ClientHello(version=0x0301, ciphers=[0x0000ff, 0x00c02f], sid=b"",
 * challenge=random[16:])]) (scapy.layers.tls.record_sslv2) */
static const uint8_t sslv2_hello[] = {
	0x80, 0x1f, 0x01, 0x03, 0x01, 0x00, 0x06, 0x00, 0x00, 0x00, 0x10,
	0x00, 0x00, 0xff, 0x00, 0xc0, 0x2f, 0x10, 0x11, 0x12, 0x13, 0x14,
	0x15, 0x16, 0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f,
};

static uint8_t share[32];

static void finish(struct packet *p)
{
	struct dl_error err = {0};
	assert_int_equal(packet_finish(p, &err), 0);
}

/* One record's bytes parsed as the dissector would after TCP 443; 0 or the error (why). */
static int parse_record(struct packet *p, const uint8_t *bytes, size_t length, char *why,
			size_t why_size)
{
	struct layer_parse_result next;
	int rc = model_parse_layer(&tls_record_layer, p, bytes, length, &next, why, why_size);
	if (rc == 0)
		assert_int_equal(next.next, LAYER_NEXT_NONE);
	return rc;
}

static void check_vector(const uint8_t *vector, size_t length)
{
	model_check_vector(&tls_record_layer, &built, &parsed, vector, length);
}

static int field(const char *name, int from)
{
	int f = packet_find(&built, name, from);
	if (f == PACKET_NONE)
		fail_msg("no field %s", name);
	return f;
}

/* Field length measures target (its bytes + adjust). */
static void assert_measures(const char *length, const char *target, int32_t adjust)
{
	int l = field(length, 0), t = field(target, 0);
	assert_int_equal(built.fields[l].kind, FIELD_LENGTH);
	assert_int_equal(built.fields[l].target, t);
	assert_int_equal(built.fields[l].adjust, adjust);
	assert_int_equal(packet_get(&built, l), (uint64_t)((int64_t)built.fields[t].size + adjust));
}

static void build_hello(struct packet *p)
{
	static const uint16_t suites[] = {0x1301, 0xc02f, 0xc030};
	static const uint8_t compressions[] = {0};
	static const uint16_t groups[] = {0x001d, 0x0017};
	static const uint16_t schemes[] = {0x0403, 0x0804};
	static const uint16_t versions[] = {TLS_VERSION_TLS13, TLS_VERSION_TLS12};
	for (int i = 0; i < 32; i++)
		share[i] = (uint8_t)(0x40 + i);
	struct tls_record_hello h = {
		.hello = {.record_version = TLS_VERSION_TLS10,
			  .client_version = TLS_VERSION_TLS12,
			  .suites = suites,
			  .suite_count = 3,
			  .compressions = compressions,
			  .compression_count = 1,
			  .server_name = "dut.lab",
			  .supported_versions = versions,
			  .supported_version_count = 2,
			  .groups = groups,
			  .group_count = 2,
			  .signature_schemes = schemes,
			  .signature_scheme_count = 2,
			  .key_share = true,
			  .x25519_public = share,
			  .renegotiation_info = true,
			  .ec_point_formats = true,
			  .heartbeat = true},
		.alpn = {"h2", "http/1.1"},
		.alpn_count = 2,
	};
	for (int i = 0; i < 32; i++)
		h.hello.random[i] = (uint8_t)i;
	packet_init(p);
	assert_int_equal(tls_record_build_client_hello(p, &h), 0);
	finish(p);
}

static void test_client_hello(void **state)
{
	(void)state;
	build_hello(&built);
	check_vector(client_hello, sizeof(client_hello));
	assert_int_equal(built.layer_count, 1);
	assert_measures("tls.record.length", "tls", -5);
	assert_measures("tls.handshake.length", "tls.handshake.client_hello", -4);
	assert_measures("tls.client_hello.session_id_length", "tls.client_hello.session_id", 0);
	assert_measures("tls.client_hello.cipher_suites_length", "tls.client_hello.cipher_suites",
			0);
	assert_measures("tls.client_hello.compression_methods_length",
			"tls.client_hello.compression_methods", 0);
	assert_measures("tls.client_hello.extensions_length", "tls.client_hello.extensions", 0);
	assert_measures("tls.sni.list_length", "tls.sni.names", 0);
	assert_measures("tls.sni.name_length", "tls.sni.host_name", 0);
	assert_measures("tls.groups.length", "tls.groups", 0);
	assert_measures("tls.signature_algorithms.length", "tls.signature_algorithms", 0);
	assert_measures("tls.supported_versions.length", "tls.supported_versions", 0);
	assert_measures("tls.key_share.length", "tls.key_share.entries", 0);
	assert_measures("tls.key_share.key_exchange_length", "tls.key_share.key_exchange", 0);
	assert_measures("tls.alpn.length", "tls.alpn.protocols", 0);
	assert_measures("tls.renegotiation_info.length", "tls.renegotiation_info.data", 0);
	assert_measures("tls.ec_point_formats.length", "tls.ec_point_formats", 0);
	/* every extension an element measured by its own length */
	static const char *const extensions[] = {
		"tls.extension.server_name",
		"tls.extension.ec_point_formats",
		"tls.extension.supported_groups",
		"tls.extension.signature_algorithms",
		"tls.extension.heartbeat",
		"tls.extension.supported_versions",
		"tls.extension.key_share",
		"tls.extension.renegotiation_info",
		"tls.extension.alpn",
	};
	int list = field("tls.client_hello.extensions", 0);
	for (size_t i = 0; i < DL_ARRAY_SIZE(extensions); i++) {
		int e = field(extensions[i], 0);
		assert_int_equal(built.fields[e].kind, FIELD_ELEMENT);
		assert_true(built.fields[e].flags & FIELD_REPEATABLE);
		assert_int_equal(built.fields[e].parent, list);
		int l = packet_find(&built, "tls.extension.length", e);
		assert_int_equal(built.fields[l].target, e);
		assert_int_equal(packet_get(&built, l), built.fields[e].size - 4);
	}
	/* the key share is a key attribute with the bytes we gave */
	int k = field("tls.key_share.key_exchange", 0);
	assert_true(built.fields[k].flags & FIELD_KEY);
	assert_memory_equal(built.bytes + built.fields[k].offset, share, 32);
	assert_int_equal(model_get(&built, "tls.key_share.group", 0), 0x001d);
	int second = packet_find(&built, "tls.alpn.protocol", field("tls.alpn.protocol", 0) + 1);
	assert_int_not_equal(second, PACKET_NONE);
	int name = packet_find(&built, "tls.alpn.protocol_name", second);
	assert_int_equal(built.fields[name].size, 8);
	assert_int_equal(model_get(&built, "tls.heartbeat.mode", 0), 1);
	assert_int_equal(model_get(&built, "tls.cipher_suite", 0), 0x1301);
	int suite = field("tls.cipher_suite", 0);
	assert_non_null(built.fields[suite].values);
	assert_true(built.fields[suite].flags & FIELD_KEY);
	assert_true(built.fields[field("tls.client_hello.version", 0)].flags & FIELD_KEY);
	assert_true(built.fields[field("tls.record.content_type", 0)].flags & FIELD_KEY);
}

static void test_messages(void **state)
{
	(void)state;
	static const uint8_t verify[12] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11};
	packet_init(&built);
	assert_int_equal(tls_record_build_client_key_exchange(&built, 0, share, 32), 0);
	finish(&built);
	check_vector(client_key_exchange, sizeof(client_key_exchange));
	assert_measures("tls.client_key_exchange.point_length", "tls.client_key_exchange.point", 0);
	assert_true(built.fields[field("tls.client_key_exchange.point", 0)].flags & FIELD_KEY);

	packet_init(&built);
	assert_int_equal(tls_record_build_change_cipher_spec(&built, 0), 0);
	finish(&built);
	check_vector(change_cipher_spec, sizeof(change_cipher_spec));
	assert_int_equal(model_get(&built, "tls.change_cipher_spec.type", 0), 1);

	packet_init(&built);
	assert_int_equal(tls_record_build_alert(&built, 0, 2, 40), 0);
	finish(&built);
	check_vector(alert, sizeof(alert));
	assert_int_equal(model_get(&built, "tls.alert.description", 0), 40);

	packet_init(&built);
	assert_int_equal(tls_record_build_finished(&built, 0, verify, sizeof(verify)), 0);
	finish(&built);
	check_vector(finished, sizeof(finished));
	assert_int_equal(built.fields[field("tls.finished.verify_data", 0)].size, 12);

	packet_init(&built);
	assert_int_equal(tls_record_build_heartbeat(&built, 0, (const uint8_t *)"ping", 4, 16), 0);
	finish(&built);
	check_vector(heartbeat, sizeof(heartbeat));
	assert_measures("tls.heartbeat.payload_length", "tls.heartbeat.payload", 0);
	assert_int_equal(built.fields[field("tls.heartbeat.padding", 0)].size, 16);
}

static void test_sslv2(void **state)
{
	(void)state;
	static const uint16_t suites[] = {0x00ff, 0xc02f};
	struct tls_record_hello h = {.hello = {.client_version = TLS_VERSION_TLS10,
					       .suites = suites,
					       .suite_count = 2,
					       .ssl2_format = true}};
	for (int i = 0; i < 32; i++)
		h.hello.random[i] = (uint8_t)i;
	packet_init(&built);
	assert_int_equal(tls_record_build_client_hello(&built, &h), 0);
	finish(&built);
	check_vector(sslv2_hello, sizeof(sslv2_hello));
	int l = field("tls.sslv2.length", 0);
	assert_int_equal(built.fields[l].bit_width, 15);
	assert_int_equal(packet_get(&built, l), sizeof(sslv2_hello) - 2);
	assert_measures("tls.sslv2.cipher_specs_length", "tls.sslv2.cipher_specs", 0);
	assert_measures("tls.sslv2.challenge_length", "tls.sslv2.challenge", 0);
	assert_int_equal(model_get(&built, "tls.sslv2.cipher_spec", 0), 0xff);
	/* ALPN cannot ride an SSLv2 hello */
	h.alpn[0] = "h2";
	h.alpn_count = 1;
	packet_init(&built);
	assert_int_equal(tls_record_build_client_hello(&built, &h), DL_EINVAL);
	assert_true(built.overflow);
}

/* A mutation's cut keeps every length true after packet_finish(), and the result parses. */
static void test_relations(void **state)
{
	(void)state;
	build_hello(&built);
	struct dl_error err = {0};
	int e = field("tls.extension.key_share", 0);
	uint32_t cut = built.fields[e].size;
	assert_int_equal(
		packet_splice(&built, built.fields[e].offset, cut, NULL, 0, PACKET_NONE, &err), 0);
	finish(&built);
	assert_int_equal(built.length, sizeof(client_hello) - cut);
	assert_int_equal(packet_read_be(&built, 3, 2), sizeof(client_hello) - cut - 5);
	assert_int_equal(packet_read_be(&built, 6, 3), sizeof(client_hello) - cut - 9);
	char why[DL_ERROR_MESSAGE_MAX];
	assert_int_equal(parse_record(&parsed, built.bytes, built.length, why, sizeof(why)), 0);
	assert_int_equal(packet_find(&parsed, "tls.extension.key_share", 0), PACKET_NONE);
	/* a frozen payload_length stays as the mutation set it: the Heartbleed shape */
	packet_init(&built);
	assert_int_equal(tls_record_build_heartbeat(&built, 0, (const uint8_t *)"ping", 4, 16), 0);
	finish(&built);
	int pl = field("tls.heartbeat.payload_length", 0);
	packet_put(&built, pl, 0x4000);
	packet_freeze(&built, pl);
	finish(&built);
	assert_int_equal(packet_read_be(&built, 6, 2), 0x4000);
	assert_int_equal(parse_record(&parsed, built.bytes, built.length, why, sizeof(why)),
			 DL_EPROTO);
	assert_non_null(strstr(why, "heartbeat payload_length runs past its record (RFC 6520 4) "
				    "(value 16384)"));
}

static void assert_refused(const uint8_t *vector, size_t length, size_t at, const uint8_t *with,
			   size_t n, const char *reason)
{
	model_assert_refused(&tls_record_layer, vector, length, at, with, n, reason);
}

static void test_malformed(void **state)
{
	(void)state;
	char why[DL_ERROR_MESSAGE_MAX];
	assert_int_equal(parse_record(&parsed, alert, 4, why, sizeof(why)), DL_EPROTO);
	assert_non_null(strstr(why, "shorter than the 5-byte TLS record header (value 4)"));
	assert_refused(alert, sizeof(alert), 3, (const uint8_t *)"\x48\x01", 2,
		       "offset 3: record length is over 2^14 + 2048");
	assert_refused(alert, sizeof(alert), 3, (const uint8_t *)"\x00\x03", 2,
		       "record length passes the end of the data (value 3)");
	/* the handshake length claims more than the record holds (an encrypted Finished looks so)
	 */
	assert_refused(finished, sizeof(finished), 6, (const uint8_t *)"\x00\x00\x0d", 3,
		       "handshake message runs past its record");
	/* an odd cipher suites length */
	assert_refused(client_hello, sizeof(client_hello), 44, (const uint8_t *)"\x00\x05", 2,
		       "list length is not a whole number of entries (value 5)");
	/* a session id over 32 bytes */
	assert_refused(client_hello, sizeof(client_hello), 43, (const uint8_t *)"\x21", 1,
		       "session id is over 32 bytes (value 33)");
	/* an extension longer than the extensions */
	assert_refused(client_hello, sizeof(client_hello), 58, (const uint8_t *)"\x00\xff", 2,
		       "extension length runs past the extensions (value 255)");
	/* the SNI list longer than its extension */
	assert_refused(client_hello, sizeof(client_hello), 60, (const uint8_t *)"\x00\x0d", 2,
		       "server name list length runs past the extension (value 13)");
	/* Heartbleed (CVE-2014-0160): payload_length 0x4000, nothing after */
	static const uint8_t heartbleed[] = {0x18, 0x03, 0x03, 0x00, 0x03, 0x01, 0x40, 0x00};
	assert_int_equal(parse_record(&parsed, heartbleed, sizeof(heartbleed), why, sizeof(why)),
			 DL_EPROTO);
	assert_non_null(strstr(why, "offset 6: heartbeat payload_length runs past its record"));
	assert_refused(change_cipher_spec, sizeof(change_cipher_spec), 4, (const uint8_t *)"\x00",
		       1, "change_cipher_spec length is not 1 (value 0)");
	assert_refused(sslv2_hello, sizeof(sslv2_hello), 6, (const uint8_t *)"\x07", 1,
		       "SSLv2 cipher specs, session id and challenge lengths do not fill");
}

/* A segment to port 443 carrying the client's second flight: three records, three layers. */
static void test_frame(void **state)
{
	(void)state;
	struct ethernet_fields e = {
		.destination = {2, 0, 0, 0, 0, 2}, .source = {2, 0, 0, 0, 0, 1}, .type = 0x0800};
	struct ipv4_fields ip = {.ttl = 64, .protocol = 6};
	inet_pton(AF_INET, "198.18.27.1", &ip.source);
	inet_pton(AF_INET, "198.18.27.2", &ip.destination);
	struct tcp_fields t = {.source_port = 40000,
			       .destination_port = TLS_RECORD_PORT,
			       .sequence = 1,
			       .acknowledgment = 1,
			       .flags = TCP_FLAG_PSH | TCP_FLAG_ACK,
			       .window = 65535};
	static const uint8_t verify[12] = {0};
	packet_init(&built);
	assert_int_equal(ethernet_build(&built, &e), 0);
	assert_int_equal(ipv4_build(&built, &ip), 0);
	assert_int_equal(tcp_build(&built, &t), 0);
	assert_int_equal(tls_record_build_client_key_exchange(&built, 0, share, 32), 0);
	assert_int_equal(tls_record_build_change_cipher_spec(&built, 0), 0);
	assert_int_equal(tls_record_build_finished(&built, 0, verify, 12), 0);
	finish(&built);
	struct dl_error err = {0};
	assert_int_equal(proto_dissect(&parsed, built.bytes, built.length, &err), 0);
	assert_int_equal(parsed.layer_count, 6);
	for (int l = 3; l < 6; l++)
		assert_string_equal(parsed.layers[l].model->name, "tls");
	model_assert_same(&built, &parsed);
	/* a malformed record refuses the frame, saying why */
	built.bytes[14 + 20 + 20 + 42 + 4] = 0; /* the CCS record's length low byte */
	assert_int_equal(proto_dissect(&parsed, built.bytes, built.length, &err), DL_EPROTO);
	assert_non_null(strstr(err.message, "change_cipher_spec length is not 1"));
}

/* nginx's first flight from the lab (stream-good, tests/fuzz/corpus/tls-record): ServerHello,
 * Certificate, ServerKeyExchange, ServerHelloDone, each record a layer. */
static void test_server_flight(void **state)
{
	(void)state;
	static uint8_t flight[4096];
	FILE *f = fopen(TEST_SOURCE_DIR "/tests/fuzz/corpus/tls-record/nginx-server-flight.bin",
			"rb");
	assert_non_null(f);
	size_t n = fread(flight, 1, sizeof(flight), f);
	fclose(f);
	assert_true(n > 100 && n < sizeof(flight));
	struct cursor c;
	packet_init(&parsed);
	cursor_init(&c, flight, n);
	int records = 0;
	for (; records < PACKET_LAYERS_MAX && !cursor_at_end(&c); records++) {
		struct layer_parse_result next;
		assert_int_equal(tls_record_layer.parse(&parsed, &c, &next), 0);
	}
	parsed.open_count = 0;
	assert_true(cursor_at_end(&c));
	assert_int_equal(records, 4);
	assert_int_equal(model_get(&parsed, "tls.server_hello.version", 0), TLS_VERSION_TLS12);
	int suite = packet_find(&parsed, "tls.cipher_suite", 0);
	assert_int_not_equal(suite, PACKET_NONE);
	assert_int_equal(parsed.fields[parsed.fields[suite].parent].kind, FIELD_ELEMENT);
	assert_int_not_equal(packet_find(&parsed, "tls.extension.renegotiation_info", 0),
			     PACKET_NONE);
	/* the Certificate, ServerKeyExchange and ServerHelloDone as handshake types 11, 12, 14 */
	int types[3] = {0};
	int at = packet_find(&parsed, "tls.handshake.other", 0);
	for (int i = 0; i < 3 && at != PACKET_NONE; i++) {
		types[i] = (int)model_get(&parsed, "tls.handshake.type", at);
		at = packet_find(&parsed, "tls.handshake.other", at + 1);
	}
	assert_int_equal(types[0], 11);
	assert_int_equal(types[1], 12);
	assert_int_equal(types[2], 14);
	/* finishing changes nothing: every length the parser took is the one it computes */
	struct packet copy;
	packet_copy(&copy, &parsed);
	finish(&copy);
	assert_memory_equal(copy.bytes, flight, n);
}

static void test_build_refusals(void **state)
{
	(void)state;
	uint8_t big[300] = {0};
	packet_init(&built);
	assert_int_equal(tls_record_build_client_key_exchange(&built, 0, big, sizeof(big)),
			 DL_EINVAL);
	assert_true(built.overflow);
	packet_init(&built);
	assert_int_equal(tls_record_build_heartbeat(&built, 0, NULL, 4, 0), DL_EINVAL);
	struct tls_record_hello h = {.alpn = {""}, .alpn_count = 1};
	packet_init(&built);
	assert_int_equal(tls_record_build_client_hello(&built, &h), DL_EINVAL);
	struct dl_error err = {0};
	assert_int_equal(packet_finish(&built, &err), DL_ENOMEM);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_client_hello),   cmocka_unit_test(test_messages),
		cmocka_unit_test(test_sslv2),          cmocka_unit_test(test_relations),
		cmocka_unit_test(test_malformed),      cmocka_unit_test(test_frame),
		cmocka_unit_test(test_build_refusals), cmocka_unit_test(test_server_flight),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
