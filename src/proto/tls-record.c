/* tls-record: TLS records and handshake messages as a mutable packet model: build, parse and field
 * schema */
#include "core/compat.h"

#include "core/error.h"
#include "proto/cursor.h"
#include "proto/layer.h"
#include "proto/packet.h"
#include "proto/tls-record.h"

/*
 * The builders write a record's bytes (through proto/tls.c where it has a
 * builder) and declare them through the parser's walker (tls_declare()), so
 * a built record and the same bytes parsed back have one schema by
 * construction, as bgp.c does.
 */

#define TLS_LIST_MAX 1024 /* entries of one list the walk takes */
#define TLS_SSL2_HEADER 2

static const struct field_value tls_content_types[] = {
	{TLS_CONTENT_CHANGE_CIPHER_SPEC, "change_cipher_spec"},
	{TLS_CONTENT_ALERT, "alert"},
	{TLS_CONTENT_HANDSHAKE, "handshake"},
	{TLS_CONTENT_APPLICATION_DATA, "application_data"},
	{TLS_CONTENT_HEARTBEAT, "heartbeat"},
	{0, NULL},
};

static const struct field_value tls_versions[] = {
	{TLS_VERSION_SSL2, "SSL 2.0"},
	{TLS_VERSION_SSL3, "SSL 3.0"},
	{TLS_VERSION_TLS10, "TLS 1.0"},
	{TLS_VERSION_TLS11, "TLS 1.1"},
	{TLS_VERSION_TLS12, "TLS 1.2"},
	{TLS_VERSION_TLS13, "TLS 1.3"},
	{0, NULL},
};

static const struct field_value tls_handshake_types[] = {
	{TLS_HS_HELLO_REQUEST, "hello_request"},
	{TLS_HS_CLIENT_HELLO, "client_hello"},
	{TLS_HS_SERVER_HELLO, "server_hello"},
	{TLS_HS_NEW_SESSION_TICKET, "new_session_ticket"},
	{TLS_HS_ENCRYPTED_EXTENSIONS, "encrypted_extensions"},
	{TLS_HS_CERTIFICATE, "certificate"},
	{TLS_HS_SERVER_KEY_EXCHANGE, "server_key_exchange"},
	{TLS_HS_CERTIFICATE_REQUEST, "certificate_request"},
	{TLS_HS_SERVER_HELLO_DONE, "server_hello_done"},
	{15, "certificate_verify"},
	{16, "client_key_exchange"},
	{20, "finished"},
	{TLS_HS_CERTIFICATE_STATUS, "certificate_status"},
	{24, "key_update"},
	{0, NULL},
};

/* the suites our templates offer and common servers pick (IANA names, tls-suites.c has all) */
static const struct field_value tls_cipher_suites[] = {
	{0x002f, "TLS_RSA_WITH_AES_128_CBC_SHA"},
	{0x0035, "TLS_RSA_WITH_AES_256_CBC_SHA"},
	{0x009c, "TLS_RSA_WITH_AES_128_GCM_SHA256"},
	{0x009d, "TLS_RSA_WITH_AES_256_GCM_SHA384"},
	{0x00ff, "TLS_EMPTY_RENEGOTIATION_INFO_SCSV"},
	{0x1301, "TLS_AES_128_GCM_SHA256"},
	{0x1302, "TLS_AES_256_GCM_SHA384"},
	{0x1303, "TLS_CHACHA20_POLY1305_SHA256"},
	{0x5600, "TLS_FALLBACK_SCSV"},
	{0xc009, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA"},
	{0xc00a, "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA"},
	{0xc013, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA"},
	{0xc014, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA"},
	{0xc02b, "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"},
	{0xc02c, "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384"},
	{0xc02f, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"},
	{0xc030, "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"},
	{0xcca8, "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256"},
	{0xcca9, "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256"},
	{0, NULL},
};

static const struct field_value tls_compressions[] = {{0, "null"}, {1, "DEFLATE"}, {0, NULL}};

static const struct field_value tls_extension_types[] = {
	{TLS_EXT_SERVER_NAME, "server_name"},
	{TLS_EXT_STATUS_REQUEST, "status_request"},
	{TLS_EXT_SUPPORTED_GROUPS, "supported_groups"},
	{TLS_EXT_EC_POINT_FORMATS, "ec_point_formats"},
	{TLS_EXT_SIGNATURE_ALGORITHMS, "signature_algorithms"},
	{TLS_EXT_HEARTBEAT, "heartbeat"},
	{TLS_EXT_ALPN, "application_layer_protocol_negotiation"},
	{TLS_EXT_ENCRYPT_THEN_MAC, "encrypt_then_mac"},
	{TLS_EXT_EXTENDED_MASTER_SECRET, "extended_master_secret"},
	{TLS_EXT_SESSION_TICKET, "session_ticket"},
	{TLS_EXT_SUPPORTED_VERSIONS, "supported_versions"},
	{TLS_EXT_KEY_SHARE, "key_share"},
	{TLS_EXT_RENEGOTIATION_INFO, "renegotiation_info"},
	{0, NULL},
};

/* RFC 8446 4.2.7, RFC 8422 5.1.1, RFC 7919 */
static const struct field_value tls_groups[] = {
	{0x0017, "secp256r1"}, {0x0018, "secp384r1"}, {0x0019, "secp521r1"}, {0x001d, "x25519"},
	{0x001e, "x448"},      {0x0100, "ffdhe2048"}, {0x0101, "ffdhe3072"}, {0, NULL},
};

/* RFC 8446 4.2.3 */
static const struct field_value tls_signature_schemes[] = {
	{0x0401, "rsa_pkcs1_sha256"},       {0x0501, "rsa_pkcs1_sha384"},
	{0x0601, "rsa_pkcs1_sha512"},       {0x0403, "ecdsa_secp256r1_sha256"},
	{0x0503, "ecdsa_secp384r1_sha384"}, {0x0603, "ecdsa_secp521r1_sha512"},
	{0x0804, "rsa_pss_rsae_sha256"},    {0x0805, "rsa_pss_rsae_sha384"},
	{0x0806, "rsa_pss_rsae_sha512"},    {0x0807, "ed25519"},
	{0x0201, "rsa_pkcs1_sha1"},         {0, NULL},
};

static const struct field_value tls_name_types[] = {{0, "host_name"}, {0, NULL}};

/* RFC 8422 5.1.2 */
static const struct field_value tls_point_formats[] = {
	{0, "uncompressed"},
	{1, "ansiX962_compressed_prime"},
	{2, "ansiX962_compressed_char2"},
	{0, NULL},
};

/* RFC 6520 2 and 3 */
static const struct field_value tls_heartbeat_modes[] = {
	{1, "peer_allowed_to_send"},
	{2, "peer_not_allowed_to_send"},
	{0, NULL},
};

static const struct field_value tls_heartbeat_types[] = {
	{1, "heartbeat_request"},
	{2, "heartbeat_response"},
	{0, NULL},
};

static const struct field_value tls_ccs_types[] = {{1, "change_cipher_spec"}, {0, NULL}};

static const struct field_value tls_alert_levels[] = {{1, "warning"}, {2, "fatal"}, {0, NULL}};

/* RFC 8446 6, RFC 5246 7.2 */
static const struct field_value tls_alert_descriptions[] = {
	{0, "close_notify"},
	{10, "unexpected_message"},
	{20, "bad_record_mac"},
	{22, "record_overflow"},
	{40, "handshake_failure"},
	{42, "bad_certificate"},
	{47, "illegal_parameter"},
	{50, "decode_error"},
	{51, "decrypt_error"},
	{70, "protocol_version"},
	{71, "insufficient_security"},
	{80, "internal_error"},
	{86, "inappropriate_fallback"},
	{90, "user_canceled"},
	{100, "no_renegotiation"},
	{109, "missing_extension"},
	{110, "unsupported_extension"},
	{112, "unrecognized_name"},
	{120, "no_application_protocol"},
	{0, NULL},
};

static const struct field_value tls_ssl2_types[] = {{1, "CLIENT-HELLO"}, {0, NULL}};

/* A numeric field over bytes already taken, with its defined values when an enum. */
static int tls_number(struct packet *p, const char *name, enum field_kind kind, uint32_t at,
		      uint32_t size, uint8_t flags, const struct field_value *values)
{
	int f = packet_field_present(p, name, kind, at, size, flags);
	if (values)
		packet_values(p, f, values);
	return f;
}

static int tls_bytes(struct packet *p, const char *name, enum field_kind kind, uint32_t at,
		     uint32_t size, uint8_t flags)
{
	return packet_field_bytes(p, name, kind, at, p->bytes + at, size, flags);
}

/* A big-endian length of size bytes (1..3) at the cursor, not taken. */
static size_t tls_peek_length(const struct cursor *c, size_t size)
{
	size_t v = 0;
	for (size_t i = 0; i < size; i++)
		v = v << 8 | c->p[c->offset + i];
	return v;
}

static int tls_need(struct cursor *c, size_t n, const char *reason)
{
	size_t left = cursor_remaining(c);
	return left >= n ? 0 : cursor_fail_value(c, reason, left);
}

/*
 * A length of size bytes named length_name, then what it measures: a BYTES field named
 * data_name (kind BYTES, flags data_flags), or (item_size > 0) a LIST list_name of item_size
 * numbers named data_name. The length must fit the cursor.
 */
struct tls_vector {
	const char *length_name, *list_name, *data_name;
	size_t size, item_size;
	enum field_kind item_kind;
	uint8_t data_flags;
	const struct field_value *values;
	const char *reason; /* when the length runs past what holds it */
};

static int tls_vector(struct packet *p, struct cursor *c, const struct tls_vector *v)
{
	if (tls_need(c, v->size, v->reason) < 0)
		return DL_EPROTO;
	size_t n = tls_peek_length(c, v->size);
	if (n > cursor_remaining(c) - v->size)
		return cursor_fail_value(c, v->reason, n);
	if (v->item_size && n % v->item_size)
		return cursor_fail_value(c, "list length is not a whole number of entries", n);
	uint32_t o;
	int rc = proto_take(p, c, v->size, &o);
	if (rc < 0)
		return rc;
	int length = tls_number(p, v->length_name, FIELD_LENGTH, o, (uint32_t)v->size, 0, NULL);
	if (!v->item_size) {
		rc = proto_take(p, c, n, &o);
		if (rc < 0)
			return rc;
		int data = tls_bytes(p, v->data_name, FIELD_BYTES, o, (uint32_t)n, v->data_flags);
		packet_relate(p, length, data, 1, 0);
		return p->overflow ? DL_ENOMEM : 0;
	}
	int list = packet_element_begin(p, v->list_name, FIELD_LIST, 0);
	rc = proto_take(p, c, n, &o);
	if (rc < 0)
		return rc;
	for (size_t at = 0; at < n; at += v->item_size)
		tls_number(p, v->data_name, v->item_kind, o + (uint32_t)at, (uint32_t)v->item_size,
			   v->data_flags, v->values);
	packet_element_end(p, list);
	packet_relate(p, length, list, 1, 0);
	return p->overflow ? DL_ENOMEM : 0;
}

/* A list of elements measured by a length of size bytes; each entry walked by one(). */
static int tls_element_list(struct packet *p, struct cursor *c, const char *length_name,
			    const char *list_name, size_t size,
			    int (*one)(struct packet *p, struct cursor *c), const char *reason)
{
	if (tls_need(c, size, reason) < 0)
		return DL_EPROTO;
	size_t n = tls_peek_length(c, size);
	if (n > cursor_remaining(c) - size)
		return cursor_fail_value(c, reason, n);
	uint32_t o;
	int rc = proto_take(p, c, size, &o);
	if (rc < 0)
		return rc;
	int length = tls_number(p, length_name, FIELD_LENGTH, o, (uint32_t)size, 0, NULL);
	int list = packet_element_begin(p, list_name, FIELD_LIST, 0);
	struct cursor sub;
	if (cursor_sub(c, n, &sub) < 0)
		return DL_EPROTO;
	for (size_t k = 0; !cursor_at_end(&sub); k++) {
		if (k == TLS_LIST_MAX)
			return cursor_fail_value(&sub, "more entries than the parser takes", k);
		rc = one(p, &sub);
		if (rc < 0)
			return rc;
	}
	packet_element_end(p, list);
	packet_relate(p, length, list, 1, 0);
	return p->overflow ? DL_ENOMEM : 0;
}

/* RFC 6066 3: one ServerName */
static int tls_server_name(struct packet *p, struct cursor *c)
{
	int e = packet_element_begin(p, "tls.sni.name", FIELD_ELEMENT, FIELD_REPEATABLE);
	if (tls_need(c, 1, "server name entry is empty") < 0)
		return DL_EPROTO;
	uint32_t o;
	int rc = proto_take(p, c, 1, &o);
	if (rc < 0)
		return rc;
	tls_number(p, "tls.sni.name_type", FIELD_ENUM, o, 1, 0, tls_name_types);
	const struct tls_vector v = {.length_name = "tls.sni.name_length",
				     .data_name = "tls.sni.host_name",
				     .size = 2,
				     .data_flags = FIELD_KEY,
				     .reason = "server name length runs past the list"};
	rc = tls_vector(p, c, &v);
	if (rc < 0)
		return rc;
	packet_element_end(p, e);
	return 0;
}

/* RFC 8446 4.2.8: one KeyShareEntry */
static int tls_key_share_entry(struct packet *p, struct cursor *c)
{
	int e = packet_element_begin(p, "tls.key_share.entry", FIELD_ELEMENT, FIELD_REPEATABLE);
	if (tls_need(c, 2, "key share entry shorter than its group") < 0)
		return DL_EPROTO;
	uint32_t o;
	int rc = proto_take(p, c, 2, &o);
	if (rc < 0)
		return rc;
	tls_number(p, "tls.key_share.group", FIELD_ENUM, o, 2, FIELD_KEY, tls_groups);
	const struct tls_vector v = {.length_name = "tls.key_share.key_exchange_length",
				     .data_name = "tls.key_share.key_exchange",
				     .size = 2,
				     .data_flags = FIELD_KEY,
				     .reason = "key exchange length runs past the key share"};
	rc = tls_vector(p, c, &v);
	if (rc < 0)
		return rc;
	packet_element_end(p, e);
	return 0;
}

/* RFC 7301 3.1: one ProtocolName */
static int tls_alpn_protocol(struct packet *p, struct cursor *c)
{
	int e = packet_element_begin(p, "tls.alpn.protocol", FIELD_ELEMENT, FIELD_REPEATABLE);
	const struct tls_vector v = {.length_name = "tls.alpn.protocol_length",
				     .data_name = "tls.alpn.protocol_name",
				     .size = 1,
				     .reason = "protocol name length runs past the ALPN list"};
	int rc = tls_vector(p, c, &v);
	if (rc < 0)
		return rc;
	packet_element_end(p, e);
	return 0;
}

static const char *tls_extension_name(uint16_t type)
{
	switch (type) {
	case TLS_EXT_SERVER_NAME: return "tls.extension.server_name";
	case TLS_EXT_SUPPORTED_GROUPS: return "tls.extension.supported_groups";
	case TLS_EXT_SIGNATURE_ALGORITHMS: return "tls.extension.signature_algorithms";
	case TLS_EXT_KEY_SHARE: return "tls.extension.key_share";
	case TLS_EXT_SUPPORTED_VERSIONS: return "tls.extension.supported_versions";
	case TLS_EXT_HEARTBEAT: return "tls.extension.heartbeat";
	case TLS_EXT_ALPN: return "tls.extension.alpn";
	case TLS_EXT_RENEGOTIATION_INFO: return "tls.extension.renegotiation_info";
	case TLS_EXT_EC_POINT_FORMATS: return "tls.extension.ec_point_formats";
	default: return "tls.extension.other";
	}
}

/* An extension's value, the whole of c; client: in a ClientHello (else a ServerHello). */
static int tls_extension_value(struct packet *p, struct cursor *c, uint16_t type, bool client)
{
	size_t length = cursor_remaining(c);
	struct tls_vector v = {.size = 2, .item_size = 2, .item_kind = FIELD_ENUM};
	uint32_t o;
	int rc;
	switch (type) {
	case TLS_EXT_SERVER_NAME:
		if (length == 0) /* a server's acknowledgement (RFC 6066 3) */
			return 0;
		rc = tls_element_list(p, c, "tls.sni.list_length", "tls.sni.names", 2,
				      tls_server_name,
				      "server name list length runs past the "
				      "extension");
		break;
	case TLS_EXT_SUPPORTED_GROUPS:
		v.length_name = "tls.groups.length";
		v.list_name = "tls.groups";
		v.data_name = "tls.group";
		v.values = tls_groups;
		v.reason = "supported groups length runs past the extension";
		rc = tls_vector(p, c, &v);
		break;
	case TLS_EXT_SIGNATURE_ALGORITHMS:
		v.length_name = "tls.signature_algorithms.length";
		v.list_name = "tls.signature_algorithms";
		v.data_name = "tls.signature_algorithm";
		v.values = tls_signature_schemes;
		v.reason = "signature algorithms length runs past the extension";
		rc = tls_vector(p, c, &v);
		break;
	case TLS_EXT_KEY_SHARE:
		if (client) {
			rc = tls_element_list(p, c, "tls.key_share.length", "tls.key_share.entries",
					      2, tls_key_share_entry,
					      "key share length runs past the extension");
		} else if (length == 2) { /* HelloRetryRequest: the group wanted */
			rc = proto_take(p, c, 2, &o);
			if (rc == 0)
				tls_number(p, "tls.key_share.group", FIELD_ENUM, o, 2, FIELD_KEY,
					   tls_groups);
		} else {
			rc = tls_key_share_entry(p, c);
		}
		break;
	case TLS_EXT_SUPPORTED_VERSIONS:
		if (client) {
			v.size = 1;
			v.length_name = "tls.supported_versions.length";
			v.list_name = "tls.supported_versions";
			v.data_name = "tls.supported_version";
			v.data_flags = FIELD_KEY;
			v.values = tls_versions;
			v.reason = "supported versions length runs past the extension";
			rc = tls_vector(p, c, &v);
		} else {
			if (length != 2)
				return cursor_fail_value(c, "selected version length is not 2",
							 length);
			rc = proto_take(p, c, 2, &o);
			if (rc == 0)
				tls_number(p, "tls.supported_version", FIELD_ENUM, o, 2, FIELD_KEY,
					   tls_versions);
		}
		break;
	case TLS_EXT_HEARTBEAT:
		if (length != 1)
			return cursor_fail_value(c, "heartbeat extension length is not 1", length);
		rc = proto_take(p, c, 1, &o);
		if (rc == 0)
			tls_number(p, "tls.heartbeat.mode", FIELD_ENUM, o, 1, 0,
				   tls_heartbeat_modes);
		break;
	case TLS_EXT_ALPN:
		rc = tls_element_list(p, c, "tls.alpn.length", "tls.alpn.protocols", 2,
				      tls_alpn_protocol,
				      "ALPN list length runs past the extension");
		break;
	case TLS_EXT_RENEGOTIATION_INFO:
		v = (struct tls_vector){.length_name = "tls.renegotiation_info.length",
					.data_name = "tls.renegotiation_info.data",
					.size = 1,
					.reason = "renegotiation_info length runs past the "
						  "extension"};
		rc = tls_vector(p, c, &v);
		break;
	case TLS_EXT_EC_POINT_FORMATS:
		v = (struct tls_vector){.length_name = "tls.ec_point_formats.length",
					.list_name = "tls.ec_point_formats",
					.data_name = "tls.ec_point_format",
					.size = 1,
					.item_size = 1,
					.item_kind = FIELD_ENUM,
					.values = tls_point_formats,
					.reason = "point formats length runs past the extension"};
		rc = tls_vector(p, c, &v);
		break;
	default:
		if (length == 0)
			return 0;
		rc = proto_take(p, c, length, &o);
		if (rc == 0)
			tls_bytes(p, "tls.extension.data", FIELD_BYTES, o, (uint32_t)length, 0);
		return rc;
	}
	if (rc < 0)
		return rc;
	if (!cursor_at_end(c))
		return cursor_fail_value(c, "extension holds bytes after its value",
					 cursor_remaining(c));
	return p->overflow ? DL_ENOMEM : 0;
}

static int tls_extension(struct packet *p, struct cursor *c, bool client)
{
	if (tls_need(c, 4, "extension shorter than its type and length") < 0)
		return DL_EPROTO;
	uint16_t type = (uint16_t)tls_peek_length(c, 2);
	size_t length = (size_t)c->p[c->offset + 2] << 8 | c->p[c->offset + 3];
	if (length > cursor_remaining(c) - 4)
		return cursor_fail_value(c, "extension length runs past the extensions", length);
	int e = packet_element_begin(p, tls_extension_name(type), FIELD_ELEMENT, FIELD_REPEATABLE);
	uint32_t o;
	int rc = proto_take(p, c, 4, &o);
	if (rc < 0)
		return rc;
	tls_number(p, "tls.extension.type", FIELD_ENUM, o, 2, FIELD_KEY, tls_extension_types);
	int l = tls_number(p, "tls.extension.length", FIELD_LENGTH, o + 2, 2, 0, NULL);
	packet_relate(p, l, e, 1, -4);
	struct cursor value;
	if (cursor_sub(c, length, &value) < 0)
		return DL_EPROTO;
	rc = tls_extension_value(p, &value, type, client);
	if (rc < 0)
		return rc;
	packet_element_end(p, e);
	return 0;
}

static int tls_client_extension(struct packet *p, struct cursor *c)
{
	return tls_extension(p, c, true);
}

static int tls_server_extension(struct packet *p, struct cursor *c)
{
	return tls_extension(p, c, false);
}

/* ClientHello (RFC 8446 4.1.2, RFC 5246 7.4.1.2) or ServerHello (4.1.3), the whole of c. */
static int tls_hello(struct packet *p, struct cursor *c, bool client)
{
	if (tls_need(c, 35, "hello shorter than its version, random and session id length") < 0)
		return DL_EPROTO;
	uint32_t o;
	int rc = proto_take(p, c, 34, &o);
	if (rc < 0)
		return rc;
	tls_number(p, client ? "tls.client_hello.version" : "tls.server_hello.version", FIELD_ENUM,
		   o, 2, FIELD_KEY, tls_versions);
	tls_bytes(p, client ? "tls.client_hello.random" : "tls.server_hello.random", FIELD_BYTES,
		  o + 2, 32, 0);
	if (c->p[c->offset] > 32)
		return cursor_fail_value(c, "session id is over 32 bytes", c->p[c->offset]);
	struct tls_vector sid = {.length_name = client ? "tls.client_hello.session_id_length"
						       : "tls.server_hello.session_id_length",
				 .data_name = client ? "tls.client_hello.session_id"
						     : "tls.server_hello.session_id",
				 .size = 1,
				 .reason = "session id length runs past the hello"};
	rc = tls_vector(p, c, &sid);
	if (rc < 0)
		return rc;
	if (client) {
		const struct tls_vector suites = {
			.length_name = "tls.client_hello.cipher_suites_length",
			.list_name = "tls.client_hello.cipher_suites",
			.data_name = "tls.cipher_suite",
			.size = 2,
			.item_size = 2,
			.item_kind = FIELD_ENUM,
			.data_flags = FIELD_KEY,
			.values = tls_cipher_suites,
			.reason = "cipher suites length runs past the hello"};
		const struct tls_vector compressions = {
			.length_name = "tls.client_hello.compression_methods_length",
			.list_name = "tls.client_hello.compression_methods",
			.data_name = "tls.compression_method",
			.size = 1,
			.item_size = 1,
			.item_kind = FIELD_ENUM,
			.values = tls_compressions,
			.reason = "compression methods length runs past the hello"};
		rc = tls_vector(p, c, &suites);
		if (rc == 0)
			rc = tls_vector(p, c, &compressions);
	} else {
		if (tls_need(c, 3, "server hello shorter than its suite and compression") < 0)
			return DL_EPROTO;
		rc = proto_take(p, c, 3, &o);
		if (rc == 0) {
			tls_number(p, "tls.cipher_suite", FIELD_ENUM, o, 2, FIELD_KEY,
				   tls_cipher_suites);
			tls_number(p, "tls.compression_method", FIELD_ENUM, o + 2, 1, 0,
				   tls_compressions);
		}
	}
	if (rc < 0 || cursor_at_end(c))
		return rc;
	size_t rest = cursor_remaining(c);
	if (rest < 2 || tls_peek_length(c, 2) != rest - 2)
		return cursor_fail_value(c, "extensions length disagrees with the hello's length",
					 rest < 2 ? rest : tls_peek_length(c, 2));
	return tls_element_list(p, c,
				client ? "tls.client_hello.extensions_length"
				       : "tls.server_hello.extensions_length",
				client ? "tls.client_hello.extensions"
				       : "tls.server_hello.extensions",
				2, client ? tls_client_extension : tls_server_extension,
				"extensions length runs past the hello");
}

/* ClientKeyExchange (RFC 8422 5.7, RFC 5246 7.4.7): the form its length says. */
static int tls_client_key_exchange(struct packet *p, struct cursor *c)
{
	size_t n = cursor_remaining(c);
	struct tls_vector v = {.data_flags = FIELD_KEY,
			       .reason = "exchange length runs past the message"};
	if (n >= 1 && (size_t)c->p[c->offset] + 1 == n) {
		v.length_name = "tls.client_key_exchange.point_length";
		v.data_name = "tls.client_key_exchange.point";
		v.size = 1;
		return tls_vector(p, c, &v);
	}
	if (n >= 2 && tls_peek_length(c, 2) + 2 == n) {
		v.length_name = "tls.client_key_exchange.exchange_length";
		v.data_name = "tls.client_key_exchange.exchange";
		v.size = 2;
		return tls_vector(p, c, &v);
	}
	if (n == 0)
		return 0;
	uint32_t o;
	int rc = proto_take(p, c, n, &o);
	if (rc == 0)
		tls_bytes(p, "tls.client_key_exchange.data", FIELD_BYTES, o, (uint32_t)n, 0);
	return rc;
}

static const char *tls_handshake_name(uint8_t type)
{
	switch (type) {
	case TLS_HS_CLIENT_HELLO: return "tls.handshake.client_hello";
	case TLS_HS_SERVER_HELLO: return "tls.handshake.server_hello";
	case 16: return "tls.handshake.client_key_exchange";
	case 20: return "tls.handshake.finished";
	default: return "tls.handshake.other";
	}
}

/* The handshake messages of one record (RFC 5246 7.4, RFC 8446 4), the whole of c. */
static int tls_handshakes(struct packet *p, struct cursor *c)
{
	if (cursor_at_end(c))
		return cursor_fail(c, "handshake record is empty");
	for (size_t k = 0; !cursor_at_end(c); k++) {
		if (k == TLS_LIST_MAX)
			return cursor_fail_value(c, "more handshake messages than the parser takes",
						 k);
		if (tls_need(c, 4, "handshake header cut by the record's end") < 0)
			return DL_EPROTO;
		uint8_t type = c->p[c->offset];
		size_t length = (size_t)c->p[c->offset + 1] << 16 |
				(size_t)c->p[c->offset + 2] << 8 | c->p[c->offset + 3];
		if (length > cursor_remaining(c) - 4)
			return cursor_fail_value(c,
						 "handshake message runs past its record (split "
						 "or encrypted: not reassembled)",
						 length);
		int e = packet_element_begin(p, tls_handshake_name(type), FIELD_ELEMENT,
					     FIELD_REPEATABLE);
		uint32_t o;
		int rc = proto_take(p, c, 4, &o);
		if (rc < 0)
			return rc;
		tls_number(p, "tls.handshake.type", FIELD_ENUM, o, 1, FIELD_KEY,
			   tls_handshake_types);
		int l = tls_number(p, "tls.handshake.length", FIELD_LENGTH, o + 1, 3, 0, NULL);
		packet_relate(p, l, e, 1, -4);
		struct cursor body;
		if (cursor_sub(c, length, &body) < 0)
			return DL_EPROTO;
		switch (type) {
		case TLS_HS_CLIENT_HELLO: rc = tls_hello(p, &body, true); break;
		case TLS_HS_SERVER_HELLO: rc = tls_hello(p, &body, false); break;
		case 16: rc = tls_client_key_exchange(p, &body); break;
		case 20:
			rc = length ? proto_take(p, &body, length, &o) : 0;
			if (rc == 0 && length)
				tls_bytes(p, "tls.finished.verify_data", FIELD_BYTES, o,
					  (uint32_t)length, FIELD_KEY);
			break;
		default:
			rc = length ? proto_take(p, &body, length, &o) : 0;
			if (rc == 0 && length)
				tls_bytes(p, "tls.handshake.body", FIELD_BYTES, o, (uint32_t)length,
					  0);
			break;
		}
		if (rc < 0)
			return rc;
		packet_element_end(p, e);
		if (p->overflow)
			return DL_ENOMEM;
	}
	return 0;
}

/* RFC 6520 4, the whole of c */
static int tls_heartbeat(struct packet *p, struct cursor *c)
{
	if (tls_need(c, 3, "heartbeat shorter than its type and payload_length") < 0)
		return DL_EPROTO;
	size_t n = (size_t)c->p[c->offset + 1] << 8 | c->p[c->offset + 2];
	if (n > cursor_remaining(c) - 3)
		return cursor_fail_at(c, cursor_position(c) + 1,
				      "heartbeat payload_length runs past its record (RFC 6520 4)",
				      n, true);
	uint32_t o;
	int rc = proto_take(p, c, 1, &o);
	if (rc < 0)
		return rc;
	tls_number(p, "tls.heartbeat.type", FIELD_ENUM, o, 1, FIELD_KEY, tls_heartbeat_types);
	const struct tls_vector v = {.length_name = "tls.heartbeat.payload_length",
				     .data_name = "tls.heartbeat.payload",
				     .size = 2,
				     .reason = "heartbeat payload_length runs past its record"};
	rc = tls_vector(p, c, &v);
	if (rc < 0)
		return rc;
	size_t rest = cursor_remaining(c);
	rc = proto_take(p, c, rest, &o);
	if (rc == 0)
		tls_bytes(p, "tls.heartbeat.padding", FIELD_BYTES, o, (uint32_t)rest, 0);
	return rc;
}

/* An SSLv2-compatible CLIENT-HELLO (RFC 5246 E.2), as a layer of its own. */
static int tls_declare_ssl2(struct packet *p, struct cursor *c)
{
	size_t avail = cursor_remaining(c);
	const uint8_t *h = c->p + c->offset;
	size_t length = ((size_t)(h[0] & 0x7f) << 8 | h[1]);
	if (length + TLS_SSL2_HEADER > avail)
		return cursor_fail_value(c, "SSLv2 record length passes the end of the data",
					 length);
	if (length < 9)
		return cursor_fail_value(c, "SSLv2 CLIENT-HELLO shorter than 9 bytes", length);
	size_t specs = (size_t)h[5] << 8 | h[6], sid = (size_t)h[7] << 8 | h[8],
	       challenge = (size_t)h[9] << 8 | h[10];
	if (specs % 3 || 9 + specs + sid + challenge != length)
		return cursor_fail_value(c,
					 "SSLv2 cipher specs, session id and challenge lengths do "
					 "not fill the record",
					 specs + sid + challenge);
	int layer = packet_layer_begin(p, &tls_record_layer, "tls");
	if (layer == PACKET_NONE)
		return DL_ENOMEM;
	int element = p->layers[layer].element;
	uint32_t o;
	int rc = proto_take(p, c, 11, &o);
	if (rc < 0)
		return rc;
	int l = packet_field_bits(p, "tls.sslv2.length", FIELD_LENGTH, o, 2, 0, 15, length, 0);
	packet_relate(p, l, element, 1, -TLS_SSL2_HEADER);
	tls_number(p, "tls.sslv2.msg_type", FIELD_ENUM, o + 2, 1, FIELD_KEY, tls_ssl2_types);
	tls_number(p, "tls.sslv2.version", FIELD_ENUM, o + 3, 2, FIELD_KEY, tls_versions);
	int ls = tls_number(p, "tls.sslv2.cipher_specs_length", FIELD_LENGTH, o + 5, 2, 0, NULL);
	int li = tls_number(p, "tls.sslv2.session_id_length", FIELD_LENGTH, o + 7, 2, 0, NULL);
	int lc = tls_number(p, "tls.sslv2.challenge_length", FIELD_LENGTH, o + 9, 2, 0, NULL);
	int list = packet_element_begin(p, "tls.sslv2.cipher_specs", FIELD_LIST, 0);
	rc = proto_take(p, c, specs, &o);
	if (rc < 0)
		return rc;
	for (size_t at = 0; at < specs; at += 3)
		tls_number(p, "tls.sslv2.cipher_spec", FIELD_UINT, o + (uint32_t)at, 3, 0, NULL);
	packet_element_end(p, list);
	packet_relate(p, ls, list, 1, 0);
	rc = proto_take(p, c, sid, &o);
	if (rc < 0)
		return rc;
	packet_relate(p, li, tls_bytes(p, "tls.sslv2.session_id", FIELD_BYTES, o, (uint32_t)sid, 0),
		      1, 0);
	rc = proto_take(p, c, challenge, &o);
	if (rc < 0)
		return rc;
	packet_relate(
		p, lc,
		tls_bytes(p, "tls.sslv2.challenge", FIELD_BYTES, o, (uint32_t)challenge, FIELD_KEY),
		1, 0);
	packet_element_end(p, element);
	return p->overflow ? DL_ENOMEM : 0;
}

/* Declare one record at the cursor as a layer of its own, and close it. */
static int tls_declare(struct packet *p, struct cursor *c)
{
	size_t avail = cursor_remaining(c);
	if (avail >= 3 && (c->p[c->offset] & 0x80) && c->p[c->offset + 2] == 1)
		return tls_declare_ssl2(p, c);
	if (avail < TLS_RECORD_HEADER_LEN)
		return cursor_fail_value(c, "shorter than the 5-byte TLS record header", avail);
	const uint8_t *h = c->p + c->offset;
	uint8_t type = h[0];
	size_t length = (size_t)h[3] << 8 | h[4];
	if (length > TLS_RECORD_LENGTH_MAX)
		return cursor_fail_at(c, cursor_position(c) + 3,
				      "record length is over 2^14 + 2048 (RFC 5246 6.2.3)", length,
				      true);
	if (length > avail - TLS_RECORD_HEADER_LEN)
		return cursor_fail_at(c, cursor_position(c) + 3,
				      "record length passes the end of the data", length, true);
	int layer = packet_layer_begin(p, &tls_record_layer, "tls");
	if (layer == PACKET_NONE)
		return DL_ENOMEM;
	int element = p->layers[layer].element;
	uint32_t o;
	int rc = proto_take(p, c, TLS_RECORD_HEADER_LEN, &o);
	if (rc < 0)
		return rc;
	tls_number(p, "tls.record.content_type", FIELD_ENUM, o, 1, FIELD_KEY, tls_content_types);
	tls_number(p, "tls.record.version", FIELD_ENUM, o + 1, 2, FIELD_KEY, tls_versions);
	int l = tls_number(p, "tls.record.length", FIELD_LENGTH, o + 3, 2, 0, NULL);
	packet_relate(p, l, element, 1, -TLS_RECORD_HEADER_LEN);
	struct cursor body;
	if (cursor_sub(c, length, &body) < 0)
		return DL_EPROTO;
	switch (type) {
	case TLS_CONTENT_HANDSHAKE: rc = tls_handshakes(p, &body); break;
	case TLS_CONTENT_CHANGE_CIPHER_SPEC:
		if (length != 1)
			return cursor_fail_value(&body, "change_cipher_spec length is not 1",
						 length);
		rc = proto_take(p, &body, 1, &o);
		if (rc == 0)
			tls_number(p, "tls.change_cipher_spec.type", FIELD_ENUM, o, 1, 0,
				   tls_ccs_types);
		break;
	case TLS_CONTENT_ALERT:
		/* one alert per record (RFC 8446 5.1: alerts are never fragmented) */
		if (length != 2)
			return cursor_fail_value(&body, "alert length is not 2", length);
		rc = proto_take(p, &body, 2, &o);
		if (rc == 0) {
			tls_number(p, "tls.alert.level", FIELD_ENUM, o, 1, FIELD_KEY,
				   tls_alert_levels);
			tls_number(p, "tls.alert.description", FIELD_ENUM, o + 1, 1, FIELD_KEY,
				   tls_alert_descriptions);
		}
		break;
	case TLS_CONTENT_HEARTBEAT: rc = tls_heartbeat(p, &body); break;
	default:
		rc = length ? proto_take(p, &body, length, &o) : 0;
		if (rc == 0 && length)
			tls_bytes(p,
				  type == TLS_CONTENT_APPLICATION_DATA ? "tls.application_data"
								       : "tls.record.data",
				  FIELD_BYTES, o, (uint32_t)length, 0);
		break;
	}
	if (rc < 0)
		return rc;
	packet_element_end(p, element); /* the next record is a sibling */
	return p->overflow ? DL_ENOMEM : 0;
}

static int tls_parse(struct packet *p, struct cursor *c, struct layer_parse_result *next)
{
	next->next = LAYER_NEXT_NONE;
	next->value = 0;
	int rc = tls_declare(p, c);
	if (rc < 0)
		return rc;
	if (!cursor_at_end(c)) {
		next->next = LAYER_NEXT_TCP_PORT;
		next->value = TLS_RECORD_PORT;
	}
	return 0;
}

const struct proto_layer tls_record_layer = {
	.name = "tls",
	.title = "TLS records (RFC 5246, RFC 8446): handshake (ClientHello with its extensions, "
		 "ServerHello, ClientKeyExchange, Finished), change_cipher_spec, alert, heartbeat "
		 "(RFC 6520), and the SSLv2-compatible CLIENT-HELLO",
	.fixup = NULL,
	.parse = tls_parse,
};

/* ---- the builders ---- */

/* Declare the record(s) written in buf into p. */
static int tls_write_end(struct packet *p, const uint8_t *buf, size_t length, int rc)
{
	if (rc < 0) {
		p->overflow = true;
		return rc == DL_ENOMEM ? DL_ENOMEM : DL_EINVAL;
	}
	struct cursor c;
	cursor_init(&c, buf, length);
	rc = tls_declare(p, &c);
	if (rc < 0 || p->overflow || !cursor_at_end(&c)) {
		p->overflow = true;
		return rc == DL_EPROTO ? DL_EINVAL : DL_ENOMEM;
	}
	return 0;
}

static void tls_put16(uint8_t *b, size_t v)
{
	b[0] = (uint8_t)(v >> 8);
	b[1] = (uint8_t)v;
}

static void tls_put24(uint8_t *b, size_t v)
{
	b[0] = (uint8_t)(v >> 16);
	b[1] = (uint8_t)(v >> 8);
	b[2] = (uint8_t)v;
}

/* Append the ALPN extension to the ClientHello record in buf, growing the record, handshake
 * and extensions lengths. */
static int tls_append_alpn(uint8_t *buf, size_t cap, size_t *length,
			   const struct tls_record_hello *h)
{
	size_t names = 0;
	for (size_t i = 0; i < h->alpn_count; i++) {
		size_t n = h->alpn[i] ? strlen(h->alpn[i]) : 0;
		if (n == 0 || n > 255)
			return DL_EINVAL;
		names += 1 + n;
	}
	size_t add = 4 + 2 + names;
	if (add > cap - *length)
		return DL_EINVAL;
	/* record 5, handshake 4, version 2, random 32, then session id, suites, compressions */
	size_t at = 5 + 4 + 2 + 32;
	if (*length < at + 1)
		return DL_EINVAL;
	at += 1 + buf[at];
	if (*length < at + 2)
		return DL_EINVAL;
	at += 2 + ((size_t)buf[at] << 8 | buf[at + 1]);
	if (*length < at + 1)
		return DL_EINVAL;
	at += 1 + buf[at];
	size_t extensions = at;
	bool had = *length > extensions;
	if (!had) {
		if (2 > cap - *length)
			return DL_EINVAL;
		tls_put16(buf + *length, 0);
		*length += 2;
	}
	uint8_t *e = buf + *length;
	tls_put16(e, TLS_EXT_ALPN);
	tls_put16(e + 2, 2 + names);
	tls_put16(e + 4, names);
	size_t w = 6;
	for (size_t i = 0; i < h->alpn_count; i++) {
		size_t n = strlen(h->alpn[i]);
		e[w++] = (uint8_t)n;
		memcpy(e + w, h->alpn[i], n);
		w += n;
	}
	*length += add;
	tls_put16(buf + 3, *length - 5);
	tls_put24(buf + 6, *length - 9);
	tls_put16(buf + extensions, *length - extensions - 2);
	return 0;
}

int tls_record_build_client_hello(struct packet *p, const struct tls_record_hello *h)
{
	uint8_t buf[TLS_RECORD_BUILD_MAX];
	size_t length = 0;
	struct dl_error err;
	int rc = tls_build_client_hello(buf, sizeof(buf), &length, &h->hello, &err);
	if (rc == 0 && h->alpn_count) {
		rc = h->alpn_count <= TLS_RECORD_ALPN_MAX && !h->hello.ssl2_format
			     ? tls_append_alpn(buf, sizeof(buf), &length, h)
			     : DL_EINVAL;
	}
	return tls_write_end(p, buf, length, rc);
}

/* A record of type with the body written after its header. */
static size_t tls_record_header(uint8_t *buf, uint8_t type, uint16_t version, size_t body)
{
	buf[0] = type;
	tls_put16(buf + 1, version ? version : TLS_VERSION_TLS12);
	tls_put16(buf + 3, body);
	return TLS_RECORD_HEADER_LEN + body;
}

int tls_record_build_client_key_exchange(struct packet *p, uint16_t version, const uint8_t *point,
					 size_t length)
{
	uint8_t buf[TLS_RECORD_BUILD_MAX];
	if (length > 255 || (length && !point))
		return tls_write_end(p, buf, 0, DL_EINVAL);
	buf[5] = 16; /* client_key_exchange */
	tls_put24(buf + 6, 1 + length);
	buf[9] = (uint8_t)length;
	if (length)
		memcpy(buf + 10, point, length);
	size_t n = tls_record_header(buf, TLS_CONTENT_HANDSHAKE, version, 4 + 1 + length);
	return tls_write_end(p, buf, n, 0);
}

int tls_record_build_change_cipher_spec(struct packet *p, uint16_t version)
{
	uint8_t buf[16];
	size_t length = 0;
	struct dl_error err;
	int rc = tls_build_change_cipher_spec(buf, sizeof(buf), &length,
					      version ? version : TLS_VERSION_TLS12, &err);
	return tls_write_end(p, buf, length, rc);
}

int tls_record_build_finished(struct packet *p, uint16_t version, const uint8_t *verify_data,
			      size_t length)
{
	uint8_t buf[TLS_RECORD_BUILD_MAX];
	if (length > 64 || (length && !verify_data))
		return tls_write_end(p, buf, 0, DL_EINVAL);
	buf[5] = 20; /* finished */
	tls_put24(buf + 6, length);
	if (length)
		memcpy(buf + 9, verify_data, length);
	size_t n = tls_record_header(buf, TLS_CONTENT_HANDSHAKE, version, 4 + length);
	return tls_write_end(p, buf, n, 0);
}

int tls_record_build_alert(struct packet *p, uint16_t version, uint8_t level, uint8_t description)
{
	uint8_t buf[TLS_RECORD_HEADER_LEN + 2];
	buf[5] = level;
	buf[6] = description;
	size_t n = tls_record_header(buf, TLS_CONTENT_ALERT, version, 2);
	return tls_write_end(p, buf, n, 0);
}

int tls_record_build_heartbeat(struct packet *p, uint16_t version, const uint8_t *payload,
			       size_t length, size_t padding)
{
	uint8_t buf[TLS_RECORD_BUILD_MAX];
	if (length > 1024 || padding > 1024 || (length && !payload))
		return tls_write_end(p, buf, 0, DL_EINVAL);
	buf[5] = 1; /* heartbeat_request */
	tls_put16(buf + 6, length);
	if (length)
		memcpy(buf + 8, payload, length);
	memset(buf + 8 + length, 0, padding);
	size_t n = tls_record_header(buf, TLS_CONTENT_HEARTBEAT, version, 3 + length + padding);
	return tls_write_end(p, buf, n, 0);
}
