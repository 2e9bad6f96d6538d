/* tls: TLS and SSLv2 ClientHello building and server reply parsing (records, alerts, handshake) */
#include "core/compat.h"

#include "core/error.h"
#include "proto/cursor.h"
#include "proto/tls-suites.h"
#include "proto/tls.h"

/* ---- names ---- */

const char *tls_version_name(uint16_t version)
{
	switch (version) {
	case TLS_VERSION_SSL2: return "SSL 2.0";
	case TLS_VERSION_SSL3: return "SSL 3.0";
	case TLS_VERSION_TLS10: return "TLS 1.0";
	case TLS_VERSION_TLS11: return "TLS 1.1";
	case TLS_VERSION_TLS12: return "TLS 1.2";
	case TLS_VERSION_TLS13: return "TLS 1.3";
	}
	return "unknown";
}

/* RFC 8446 6, RFC 5246 7.2, RFC 6101 5.4.2 and the IANA alert registry */
const char *tls_alert_description_name(uint8_t desc)
{
	switch (desc) {
	case 0: return "close_notify";
	case 10: return "unexpected_message";
	case 20: return "bad_record_mac";
	case 21: return "decryption_failed";
	case 22: return "record_overflow";
	case 30: return "decompression_failure";
	case 40: return "handshake_failure";
	case 41: return "no_certificate";
	case 42: return "bad_certificate";
	case 43: return "unsupported_certificate";
	case 44: return "certificate_revoked";
	case 45: return "certificate_expired";
	case 46: return "certificate_unknown";
	case 47: return "illegal_parameter";
	case 48: return "unknown_ca";
	case 49: return "access_denied";
	case 50: return "decode_error";
	case 51: return "decrypt_error";
	case 60: return "export_restriction";
	case 70: return "protocol_version";
	case 71: return "insufficient_security";
	case 80: return "internal_error";
	case 86: return "inappropriate_fallback";
	case 90: return "user_canceled";
	case 100: return "no_renegotiation";
	case 109: return "missing_extension";
	case 110: return "unsupported_extension";
	case 111: return "certificate_unobtainable";
	case 112: return "unrecognized_name";
	case 113: return "bad_certificate_status_response";
	case 114: return "bad_certificate_hash_value";
	case 115: return "unknown_psk_identity";
	case 116: return "certificate_required";
	case 120: return "no_application_protocol";
	}
	return "unknown";
}

const char *tls_alert_level_name(uint8_t level)
{
	switch (level) {
	case 1: return "warning";
	case 2: return "fatal";
	}
	return "unknown";
}

const char *tls_content_type_name(uint8_t type)
{
	switch (type) {
	case TLS_CONTENT_CHANGE_CIPHER_SPEC: return "change_cipher_spec";
	case TLS_CONTENT_ALERT: return "alert";
	case TLS_CONTENT_HANDSHAKE: return "handshake";
	case TLS_CONTENT_APPLICATION_DATA: return "application_data";
	case TLS_CONTENT_HEARTBEAT: return "heartbeat";
	}
	return "unknown";
}

const char *tls_handshake_type_name(uint8_t type)
{
	switch (type) {
	case TLS_HS_HELLO_REQUEST: return "hello_request";
	case TLS_HS_CLIENT_HELLO: return "client_hello";
	case TLS_HS_SERVER_HELLO: return "server_hello";
	case TLS_HS_NEW_SESSION_TICKET: return "new_session_ticket";
	case TLS_HS_ENCRYPTED_EXTENSIONS: return "encrypted_extensions";
	case TLS_HS_CERTIFICATE: return "certificate";
	case TLS_HS_SERVER_KEY_EXCHANGE: return "server_key_exchange";
	case TLS_HS_CERTIFICATE_REQUEST: return "certificate_request";
	case TLS_HS_SERVER_HELLO_DONE: return "server_hello_done";
	case TLS_HS_CERTIFICATE_STATUS: return "certificate_status";
	}
	return "unknown";
}

/* ---- building ---- */

struct tls_writer {
	uint8_t *buf;
	size_t cap;
	size_t used;
	bool overflow;
};

static void w_put(struct tls_writer *w, const void *data, size_t n)
{
	if (w->overflow || n > w->cap - w->used) {
		w->overflow = true;
		return;
	}
	if (n > 0)
		memcpy(w->buf + w->used, data, n);
	w->used += n;
}

static void w_u8(struct tls_writer *w, uint8_t v)
{
	w_put(w, &v, 1);
}

static void w_u16(struct tls_writer *w, uint16_t v)
{
	uint8_t b[2] = {(uint8_t)(v >> 8), (uint8_t)v};
	w_put(w, b, 2);
}

static void w_u24(struct tls_writer *w, uint32_t v)
{
	uint8_t b[3] = {(uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};
	w_put(w, b, 3);
}

/* Reserve an n-byte length field; tls_writer_close() fills it. */
static size_t w_open(struct tls_writer *w, size_t n)
{
	size_t at = w->used;
	static const uint8_t zero[3];
	w_put(w, zero, n);
	return at;
}

static void w_close(struct tls_writer *w, size_t at, size_t n)
{
	if (w->overflow)
		return;
	size_t length = w->used - at - n;
	for (size_t i = 0; i < n; i++)
		w->buf[at + i] = (uint8_t)(length >> (8 * (n - 1 - i)));
}

static int check_list(size_t count, size_t max, const char *what, struct dl_error *err)
{
	if (count > max)
		return dl_error_set(err, DL_EINVAL,
				    "tls client hello: %zu %s offered; at most %zu fit the "
				    "extension",
				    count, what, max);
	return 0;
}

static int build_ssl2(struct tls_writer *w, const struct tls_client_hello *h, struct dl_error *err)
{
	size_t specs = h->ssl2_cipher_count + h->suite_count + (h->renegotiation_scsv ? 1 : 0) +
		       (h->fallback_scsv ? 1 : 0);
	if (specs == 0)
		return dl_error_set(err, DL_EINVAL,
				    "tls client hello: an SSLv2 CLIENT-HELLO needs at least one "
				    "cipher spec");
	/* SSL 2.0 draft, "CLIENT-HELLO": 2-byte record header with the high bit set */
	size_t body = 9 + 3 * specs + h->session_id_len + 16;
	if (body > 0x7fff)
		return dl_error_set(err, DL_ENOMEM,
				    "tls client hello: SSLv2 message of %zu bytes exceeds 32767",
				    body);
	w_u16(w, (uint16_t)(0x8000 | body));
	w_u8(w, 1); /* CLIENT-HELLO */
	w_u16(w, h->client_version);
	w_u16(w, (uint16_t)(3 * specs));
	w_u16(w, (uint16_t)h->session_id_len);
	w_u16(w, 16); /* challenge length */
	for (size_t i = 0; i < h->ssl2_cipher_count; i++)
		w_u24(w, h->ssl2_ciphers[i] & 0xffffff);
	for (size_t i = 0; i < h->suite_count; i++)
		w_u24(w, h->suites[i]);
	if (h->renegotiation_scsv)
		w_u24(w, TLS_SUITE_EMPTY_RENEGOTIATION_INFO_SCSV);
	if (h->fallback_scsv)
		w_u24(w, TLS_SUITE_FALLBACK_SCSV);
	w_put(w, h->session_id, h->session_id_len);
	w_put(w, h->random + 16, 16);
	return 0;
}

static void build_extensions(struct tls_writer *w, const struct tls_client_hello *h)
{
	if (h->server_name) {
		size_t name_len = strlen(h->server_name);
		w_u16(w, TLS_EXT_SERVER_NAME);
		size_t ext = w_open(w, 2);
		size_t list = w_open(w, 2);
		w_u8(w, 0); /* host_name (RFC 6066 3) */
		w_u16(w, (uint16_t)name_len);
		w_put(w, h->server_name, name_len);
		w_close(w, list, 2);
		w_close(w, ext, 2);
	}
	if (h->ec_point_formats) {
		w_u16(w, TLS_EXT_EC_POINT_FORMATS);
		w_u16(w, 2);
		w_u8(w, 1);
		w_u8(w, 0); /* uncompressed (RFC 8422 5.1.2) */
	}
	if (h->group_count > 0) {
		w_u16(w, TLS_EXT_SUPPORTED_GROUPS);
		size_t ext = w_open(w, 2);
		size_t list = w_open(w, 2);
		for (size_t i = 0; i < h->group_count; i++)
			w_u16(w, h->groups[i]);
		w_close(w, list, 2);
		w_close(w, ext, 2);
	}
	if (h->signature_scheme_count > 0) {
		w_u16(w, TLS_EXT_SIGNATURE_ALGORITHMS);
		size_t ext = w_open(w, 2);
		size_t list = w_open(w, 2);
		for (size_t i = 0; i < h->signature_scheme_count; i++)
			w_u16(w, h->signature_schemes[i]);
		w_close(w, list, 2);
		w_close(w, ext, 2);
	}
	if (h->heartbeat) {
		w_u16(w, TLS_EXT_HEARTBEAT);
		w_u16(w, 1);
		w_u8(w, 1); /* peer_allowed_to_send */
	}
	if (h->extended_master_secret) {
		w_u16(w, TLS_EXT_EXTENDED_MASTER_SECRET);
		w_u16(w, 0);
	}
	if (h->supported_version_count > 0) {
		w_u16(w, TLS_EXT_SUPPORTED_VERSIONS);
		size_t ext = w_open(w, 2);
		size_t list = w_open(w, 1);
		for (size_t i = 0; i < h->supported_version_count; i++)
			w_u16(w, h->supported_versions[i]);
		w_close(w, list, 1);
		w_close(w, ext, 2);
	}
	if (h->key_share) {
		w_u16(w, TLS_EXT_KEY_SHARE);
		size_t ext = w_open(w, 2);
		size_t list = w_open(w, 2);
		if (h->x25519_public) {
			w_u16(w, 0x001d); /* x25519 */
			w_u16(w, 32);
			w_put(w, h->x25519_public, 32);
		}
		w_close(w, list, 2);
		w_close(w, ext, 2);
	}
	if (h->renegotiation_info) {
		w_u16(w, TLS_EXT_RENEGOTIATION_INFO);
		w_u16(w, 1);
		w_u8(w, 0); /* renegotiated_connection<0..255>, empty (RFC 5746 3.4) */
	}
}

static bool any_extension(const struct tls_client_hello *h)
{
	return h->server_name || h->ec_point_formats || h->group_count > 0 ||
	       h->signature_scheme_count > 0 || h->heartbeat || h->extended_master_secret ||
	       h->supported_version_count > 0 || h->key_share || h->renegotiation_info;
}

int tls_build_client_hello(uint8_t *buf, size_t cap, size_t *len, const struct tls_client_hello *h,
			   struct dl_error *err)
{
	struct tls_writer w = {.buf = buf, .cap = cap};
	int rc;
	*len = 0;
	if (h->session_id_len > 32 || (h->session_id_len > 0 && !h->session_id))
		return dl_error_set(err, DL_EINVAL,
				    "tls client hello: session id of %zu bytes; at most 32",
				    h->session_id_len);
	if (h->suite_count > 0 && !h->suites)
		return dl_error_set(err, DL_EINVAL, "tls client hello: suite_count without suites");
	if ((rc = check_list(h->suite_count, TLS_OFFER_SUITES_MAX, "cipher suites", err)) < 0)
		return rc;
	if ((rc = check_list(h->compression_count, TLS_OFFER_LIST_MAX, "compression methods",
			     err)) < 0 ||
	    (rc = check_list(h->group_count, TLS_OFFER_LIST_MAX, "groups", err)) < 0 ||
	    (rc = check_list(h->signature_scheme_count, TLS_OFFER_LIST_MAX, "signature schemes",
			     err)) < 0 ||
	    (rc = check_list(h->supported_version_count, TLS_OFFER_LIST_MAX / 2, "versions", err)) <
		    0 ||
	    (rc = check_list(h->ssl2_cipher_count, TLS_OFFER_SUITES_MAX, "SSLv2 ciphers", err)) < 0)
		return rc;
	if (h->server_name &&
	    (strlen(h->server_name) == 0 || strlen(h->server_name) > TLS_SERVER_NAME_MAX))
		return dl_error_set(err, DL_EINVAL,
				    "tls client hello: server name must have 1 to %d bytes",
				    TLS_SERVER_NAME_MAX);
	if (h->ssl2_format) {
		if (any_extension(h))
			return dl_error_set(err, DL_EINVAL,
					    "tls client hello: an SSLv2 CLIENT-HELLO cannot carry "
					    "extensions; clear them");
		rc = build_ssl2(&w, h, err);
		if (rc < 0)
			return rc;
	} else {
		if (h->client_version < TLS_VERSION_SSL3 || h->client_version > TLS_VERSION_TLS12)
			return dl_error_set(
				err, DL_EINVAL,
				"tls client hello: client_version 0x%04x is not SSL 3.0 "
				"to TLS 1.2; offer TLS 1.3 with supported_versions",
				h->client_version);
		size_t suite_total = h->suite_count + (h->renegotiation_scsv ? 1 : 0) +
				     (h->fallback_scsv ? 1 : 0);
		if (suite_total == 0)
			return dl_error_set(err, DL_EINVAL,
					    "tls client hello: offer at least one cipher suite");
		/* RFC 5246 6.2.1 / 7.4.1.2 */
		w_u8(&w, TLS_CONTENT_HANDSHAKE);
		w_u16(&w, h->record_version ? h->record_version : TLS_VERSION_TLS10);
		size_t record = w_open(&w, 2);
		w_u8(&w, TLS_HS_CLIENT_HELLO);
		size_t body = w_open(&w, 3);
		w_u16(&w, h->client_version);
		w_put(&w, h->random, 32);
		w_u8(&w, (uint8_t)h->session_id_len);
		w_put(&w, h->session_id, h->session_id_len);
		w_u16(&w, (uint16_t)(2 * suite_total));
		for (size_t i = 0; i < h->suite_count; i++)
			w_u16(&w, h->suites[i]);
		if (h->renegotiation_scsv)
			w_u16(&w, TLS_SUITE_EMPTY_RENEGOTIATION_INFO_SCSV);
		if (h->fallback_scsv)
			w_u16(&w, TLS_SUITE_FALLBACK_SCSV);
		if (h->compression_count == 0) {
			w_u8(&w, 1);
			w_u8(&w, 0);
		} else {
			w_u8(&w, (uint8_t)h->compression_count);
			w_put(&w, h->compressions, h->compression_count);
		}
		if (any_extension(h)) {
			size_t ext = w_open(&w, 2);
			build_extensions(&w, h);
			w_close(&w, ext, 2);
		}
		w_close(&w, body, 3);
		w_close(&w, record, 2);
		if (!w.overflow && w.used - TLS_RECORD_HEADER_LEN > TLS_RECORD_PLAINTEXT_MAX)
			return dl_error_set(err, DL_ENOMEM,
					    "tls client hello: %zu bytes do not fit one record; "
					    "offer fewer suites",
					    w.used - TLS_RECORD_HEADER_LEN);
	}
	if (w.overflow)
		return dl_error_set(err, DL_ENOMEM,
				    "tls client hello: does not fit the %zu-byte buffer", cap);
	*len = w.used;
	return 0;
}

int tls_build_heartbeat_request(uint8_t *buf, size_t cap, size_t *len, uint16_t version,
				uint16_t payload_length, const uint8_t *payload, size_t payload_len,
				bool pad, struct dl_error *err)
{
	static const uint8_t padding[16];
	struct tls_writer w = {.buf = buf, .cap = cap};
	*len = 0;
	if (payload_len > 0 && !payload)
		return dl_error_set(err, DL_EINVAL, "tls heartbeat: payload_len without payload");
	/* RFC 6520 4: the whole message must fit one record of 2^14 bytes */
	if (3 + payload_len + (pad ? 16 : 0) > TLS_RECORD_PLAINTEXT_MAX)
		return dl_error_set(err, DL_EINVAL,
				    "tls heartbeat: %zu payload bytes do not fit one record",
				    payload_len);
	w_u8(&w, TLS_CONTENT_HEARTBEAT);
	w_u16(&w, version);
	size_t record = w_open(&w, 2);
	w_u8(&w, 1); /* heartbeat_request */
	w_u16(&w, payload_length);
	w_put(&w, payload, payload_len);
	if (pad)
		w_put(&w, padding, sizeof(padding));
	w_close(&w, record, 2);
	if (w.overflow)
		return dl_error_set(err, DL_ENOMEM,
				    "tls heartbeat: does not fit the %zu-byte buffer", cap);
	*len = w.used;
	return 0;
}

int tls_build_change_cipher_spec(uint8_t *buf, size_t cap, size_t *len, uint16_t version,
				 struct dl_error *err)
{
	struct tls_writer w = {.buf = buf, .cap = cap};
	*len = 0;
	w_u8(&w, TLS_CONTENT_CHANGE_CIPHER_SPEC);
	w_u16(&w, version);
	w_u16(&w, 1);
	w_u8(&w, 1);
	if (w.overflow)
		return dl_error_set(err, DL_ENOMEM,
				    "tls change cipher spec: does not fit the %zu-byte buffer",
				    cap);
	*len = w.used;
	return 0;
}

/* ---- parsing ---- */

/* SHA-256("HelloRetryRequest"), RFC 8446 4.1.3 */
static const uint8_t hello_retry_random[32] = {
	0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c,
	0x02, 0x1e, 0x65, 0xb8, 0x91, 0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb,
	0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
};

/* Where each handshake fragment came from, to report input offsets. */
struct fragment_map {
	size_t hs_offset[TLS_RECORDS_MAX];
	size_t input_offset[TLS_RECORDS_MAX];
	size_t count;
};

static size_t map_offset(const struct fragment_map *map, size_t hs_offset)
{
	size_t at = 0;
	for (size_t i = 0; i < map->count; i++)
		if (map->hs_offset[i] <= hs_offset)
			at = i;
	if (map->count == 0)
		return hs_offset;
	return map->input_offset[at] + (hs_offset - map->hs_offset[at]);
}

static int parse_server_hello_extensions(struct cursor *c, struct tls_server_hello *sh)
{
	while (!cursor_at_end(c)) {
		uint16_t type, length;
		struct cursor ext;
		size_t start = cursor_position(c);
		if (cursor_u16be(c, &type) < 0 || cursor_u16be(c, &length) < 0 ||
		    cursor_sub(c, length, &ext) < 0)
			return DL_EPROTO;
		for (size_t i = 0; i < sh->extension_count; i++)
			if (sh->extensions[i] == type)
				return cursor_fail_at(
					c, start, "duplicate extension in ServerHello", type, true);
		if (sh->extension_count == TLS_SERVER_EXTENSIONS_MAX)
			return cursor_fail_value(c, "too many ServerHello extensions",
						 TLS_SERVER_EXTENSIONS_MAX);
		sh->extensions[sh->extension_count++] = type;
		uint8_t n8;
		uint16_t n16;
		switch (type) {
		case TLS_EXT_SUPPORTED_VERSIONS:
			if (cursor_u16be(&ext, &sh->version) < 0)
				return DL_EPROTO;
			sh->has_supported_versions = true;
			break;
		case TLS_EXT_KEY_SHARE:
			if (cursor_u16be(&ext, &sh->key_share_group) < 0)
				return DL_EPROTO;
			sh->has_key_share = true;
			if (!sh->hello_retry_request) {
				/* KeyShareEntry: group, key_exchange<1..2^16-1> */
				if (cursor_u16be(&ext, &n16) < 0 || cursor_skip(&ext, n16) < 0)
					return DL_EPROTO;
				if (n16 == 0)
					return cursor_fail(&ext, "empty key_share key_exchange");
				sh->key_share_len = n16;
			}
			break;
		case TLS_EXT_RENEGOTIATION_INFO:
			if (cursor_u8(&ext, &n8) < 0 || cursor_skip(&ext, n8) < 0)
				return DL_EPROTO;
			sh->has_renegotiation_info = true;
			sh->renegotiation_info_len = n8;
			break;
		case TLS_EXT_EC_POINT_FORMATS:
			if (cursor_u8(&ext, &n8) < 0 || cursor_skip(&ext, n8) < 0)
				return DL_EPROTO;
			if (n8 == 0)
				return cursor_fail(&ext, "empty ec_point_formats list");
			sh->has_ec_point_formats = true;
			break;
		case TLS_EXT_HEARTBEAT:
			if (cursor_u8(&ext, &sh->heartbeat_mode) < 0)
				return DL_EPROTO;
			sh->has_heartbeat = true;
			break;
		case TLS_EXT_EXTENDED_MASTER_SECRET: sh->has_extended_master_secret = true; break;
		case TLS_EXT_ENCRYPT_THEN_MAC: sh->has_encrypt_then_mac = true; break;
		default: cursor_skip(&ext, cursor_remaining(&ext)); break;
		}
		if (!cursor_at_end(&ext))
			return cursor_fail_value(&ext, "extension has trailing bytes", type);
	}
	return 0;
}

/* RFC 5246 7.4.1.3, RFC 8446 4.1.3 */
static int parse_server_hello(struct cursor *c, struct tls_server_hello *sh)
{
	uint8_t sid_len;
	memset(sh, 0, sizeof(*sh));
	if (cursor_u16be(c, &sh->legacy_version) < 0)
		return DL_EPROTO;
	if (sh->legacy_version < TLS_VERSION_SSL3 || sh->legacy_version > TLS_VERSION_TLS13)
		return cursor_fail_value(c, "ServerHello version is not SSL 3.0 to TLS 1.3",
					 sh->legacy_version);
	sh->version = sh->legacy_version;
	if (cursor_copy(c, sh->random, 32) < 0 || cursor_u8(c, &sid_len) < 0)
		return DL_EPROTO;
	if (sid_len > 32)
		return cursor_fail_value(c, "session id longer than 32 bytes", sid_len);
	if (cursor_copy(c, sh->session_id, sid_len) < 0 || cursor_u16be(c, &sh->cipher_suite) < 0 ||
	    cursor_u8(c, &sh->compression) < 0)
		return DL_EPROTO;
	sh->session_id_len = sid_len;
	sh->hello_retry_request = memcmp(sh->random, hello_retry_random, 32) == 0;
	if (memcmp(sh->random + 24, "DOWNGRD", 7) == 0 && sh->random[31] <= 1)
		sh->downgrade =
			sh->random[31] == 1 ? TLS_DOWNGRADE_TLS12 : TLS_DOWNGRADE_TLS11_BELOW;
	if (cursor_at_end(c))
		return 0; /* SSL 3.0 and TLS without extensions */
	uint16_t ext_len;
	struct cursor exts;
	if (cursor_u16be(c, &ext_len) < 0 || cursor_sub(c, ext_len, &exts) < 0)
		return DL_EPROTO;
	sh->has_extensions = true;
	if (parse_server_hello_extensions(&exts, sh) < 0)
		return DL_EPROTO;
	if (!cursor_at_end(c))
		return cursor_fail_value(c, "ServerHello has bytes after its extensions",
					 cursor_remaining(c));
	if (sh->has_supported_versions && sh->version != TLS_VERSION_TLS13)
		return cursor_fail_value(c, "supported_versions selects a version before TLS 1.3",
					 sh->version);
	return 0;
}

static int parse_certificates(struct cursor *c, struct tls_reply *out)
{
	uint8_t b[3];
	struct cursor list;
	if (cursor_copy(c, b, 3) < 0)
		return DL_EPROTO;
	size_t total = (size_t)b[0] << 16 | (size_t)b[1] << 8 | b[2];
	if (cursor_sub(c, total, &list) < 0)
		return DL_EPROTO;
	while (!cursor_at_end(&list)) {
		const uint8_t *der;
		if (cursor_copy(&list, b, 3) < 0)
			return DL_EPROTO;
		size_t n = (size_t)b[0] << 16 | (size_t)b[1] << 8 | b[2];
		if (n == 0)
			return cursor_fail(&list, "empty certificate");
		if (cursor_bytes(&list, n, &der) < 0)
			return DL_EPROTO;
		if (out->certificate_count == TLS_CERTIFICATES_MAX) {
			out->certificates_cut = true;
			continue;
		}
		out->certificates[out->certificate_count].der = der;
		out->certificates[out->certificate_count].len = n;
		out->certificate_count++;
	}
	if (!cursor_at_end(c))
		return cursor_fail_value(c, "Certificate has bytes after its list",
					 cursor_remaining(c));
	return 0;
}

static unsigned integer_bits(const uint8_t *p, size_t n)
{
	while (n > 0 && *p == 0) {
		p++;
		n--;
	}
	if (n == 0)
		return 0;
	unsigned bits = (unsigned)(n - 1) * 8;
	for (uint8_t top = *p; top; top >>= 1)
		bits++;
	return bits;
}

static int read_opaque16(struct cursor *c, const uint8_t **p, uint16_t *n, const char *empty)
{
	if (cursor_u16be(c, n) < 0 || cursor_bytes(c, *n, p) < 0)
		return DL_EPROTO;
	if (*n == 0 && empty)
		return cursor_fail(c, empty);
	return 0;
}

/* RFC 5246 7.4.3, RFC 8422 5.4, RFC 4279 2 and 3 (PSK) */
static int parse_server_key_exchange(struct cursor *c, const struct tls_reply *in,
				     struct tls_server_key_exchange *ske)
{
	memset(ske, 0, sizeof(*ske));
	ske->length = cursor_remaining(c);
	const struct tls_suite *suite = tls_suite_by_code(in->server_hello.cipher_suite);
	if (!suite)
		return cursor_skip(c, cursor_remaining(c));
	const uint8_t *p;
	uint16_t n;
	bool psk = suite->kx == TLS_KX_DHE_PSK || suite->kx == TLS_KX_ECDHE_PSK ||
		   suite->kx == TLS_KX_PSK || suite->kx == TLS_KX_RSA_PSK;
	if (psk && read_opaque16(c, &p, &n, NULL) < 0) /* psk_identity_hint */
		return DL_EPROTO;
	switch (suite->kx) {
	case TLS_KX_ECDHE:
	case TLS_KX_ECDHE_PSK: {
		uint8_t curve_type, point_len;
		if (cursor_u8(c, &curve_type) < 0)
			return DL_EPROTO;
		if (curve_type != 3)
			return cursor_fail_value(c, "ECDHE parameters are not a named_curve",
						 curve_type);
		if (cursor_u16be(c, &ske->group) < 0 || cursor_u8(c, &point_len) < 0 ||
		    cursor_skip(c, point_len) < 0)
			return DL_EPROTO;
		if (point_len == 0)
			return cursor_fail(c, "empty ECDHE public point");
		ske->kind = TLS_SKE_ECDHE;
		break;
	}
	case TLS_KX_DHE:
	case TLS_KX_DHE_PSK:
		if (read_opaque16(c, &p, &n, "empty DH prime") < 0)
			return DL_EPROTO;
		ske->bits = integer_bits(p, n);
		if (read_opaque16(c, &p, &n, "empty DH generator") < 0 ||
		    read_opaque16(c, &p, &n, "empty DH public value") < 0)
			return DL_EPROTO;
		ske->kind = TLS_SKE_DHE;
		break;
	case TLS_KX_RSA:
		if (!suite->export)
			return cursor_fail_value(c, "ServerKeyExchange for a static RSA suite",
						 suite->code);
		if (read_opaque16(c, &p, &n, "empty RSA modulus") < 0)
			return DL_EPROTO;
		ske->bits = integer_bits(p, n);
		if (read_opaque16(c, &p, &n, "empty RSA exponent") < 0)
			return DL_EPROTO;
		ske->kind = TLS_SKE_RSA_EXPORT;
		break;
	case TLS_KX_PSK:
	case TLS_KX_RSA_PSK: ske->kind = TLS_SKE_PSK_HINT; break;
	default: return cursor_skip(c, cursor_remaining(c));
	}
	bool signed_params = suite->auth == TLS_AUTH_RSA || suite->auth == TLS_AUTH_DSS ||
			     suite->auth == TLS_AUTH_ECDSA;
	if (signed_params && suite->kx != TLS_KX_RSA_PSK) {
		ske->signed_params = true;
		if (in->server_hello.version >= TLS_VERSION_TLS12 &&
		    cursor_u16be(c, &ske->signature_scheme) < 0)
			return DL_EPROTO;
		if (read_opaque16(c, &p, &n, "empty ServerKeyExchange signature") < 0)
			return DL_EPROTO;
	}
	if (!cursor_at_end(c))
		return cursor_fail_value(c, "ServerKeyExchange has trailing bytes",
					 cursor_remaining(c));
	return 0;
}

static int parse_handshake_message(struct cursor *c, uint8_t type, struct tls_reply *out)
{
	if (out->handshake_type_count < TLS_HANDSHAKE_TYPES_MAX)
		out->handshake_types[out->handshake_type_count++] = type;
	if (type != TLS_HS_SERVER_HELLO && type != TLS_HS_HELLO_REQUEST && !out->has_server_hello)
		return cursor_fail_value(c, "handshake message before ServerHello", type);
	switch (type) {
	case TLS_HS_SERVER_HELLO:
		if (out->has_server_hello)
			return cursor_fail(c, "second ServerHello");
		if (parse_server_hello(c, &out->server_hello) < 0)
			return DL_EPROTO;
		out->has_server_hello = true;
		if (out->server_hello.hello_retry_request ||
		    out->server_hello.version == TLS_VERSION_TLS13)
			out->complete = true;
		break;
	case TLS_HS_CERTIFICATE:
		if (parse_certificates(c, out) < 0)
			return DL_EPROTO;
		break;
	case TLS_HS_SERVER_KEY_EXCHANGE:
		if (out->has_server_key_exchange)
			return cursor_fail(c, "second ServerKeyExchange");
		if (parse_server_key_exchange(c, out, &out->server_key_exchange) < 0)
			return DL_EPROTO;
		out->has_server_key_exchange = true;
		break;
	case TLS_HS_SERVER_HELLO_DONE:
		if (!cursor_at_end(c))
			return cursor_fail_value(c, "ServerHelloDone is not empty",
						 cursor_remaining(c));
		out->server_hello_done = true;
		out->complete = true;
		break;
	case TLS_HS_CERTIFICATE_REQUEST: out->certificate_request = true; break;
	case TLS_HS_CERTIFICATE_STATUS: out->certificate_status = true; break;
	default: break;
	}
	cursor_skip(c, cursor_remaining(c));
	return 0;
}

/* Parse the whole handshake messages buffered so far; keep a partial one. */
static int drain_handshake(struct tls_reply *out, size_t *done, const struct fragment_map *map,
			   struct dl_error *err, bool at_end)
{
	struct cursor hs;
	cursor_init(&hs, out->handshake, out->handshake_len);
	hs.offset = *done;
	while (cursor_remaining(&hs) >= 4) {
		uint8_t type, b[3];
		struct cursor body;
		size_t start = hs.offset;
		cursor_u8(&hs, &type);
		cursor_copy(&hs, b, 3);
		size_t n = (size_t)b[0] << 16 | (size_t)b[1] << 8 | b[2];
		if (n > TLS_HANDSHAKE_MAX - 4) {
			cursor_fail_at(&hs, start + 1,
				       "handshake message exceeds our 65536-byte ceiling", n, true);
			break;
		}
		if (cursor_remaining(&hs) < n) {
			hs.offset = start;
			break;
		}
		cursor_sub(&hs, n, &body);
		if (parse_handshake_message(&body, type, out) < 0)
			break;
		*done = hs.offset;
	}
	const struct cursor_error *e = hs.error;
	if (!e->failed && at_end && *done < out->handshake_len) {
		out->incomplete = true;
		cursor_fail_at(&hs, *done, "handshake message truncated", 0, false);
	}
	if (!e->failed)
		return 0;
	size_t at = map_offset(map, e->offset);
	if (e->has_value)
		return dl_error_set(err, DL_EPROTO, "tls reply: offset %zu: %s (value %" PRIu64 ")",
				    at, e->reason, e->value);
	return dl_error_set(err, DL_EPROTO, "tls reply: offset %zu: %s", at, e->reason);
}

/* SSL 2.0 draft: SERVER-HELLO (msg 4) or ERROR (msg 0) with a 2-byte header */
static int parse_ssl2(struct cursor *c, struct tls_reply *out, struct dl_error *err)
{
	uint16_t header;
	uint8_t type;
	struct cursor m;
	out->ssl2 = true;
	if (cursor_u16be(c, &header) < 0 || cursor_sub(c, header & 0x7fff, &m) < 0) {
		out->incomplete = true;
		return cursor_error_report(c, err, "tls reply");
	}
	if (cursor_u8(&m, &type) < 0)
		return cursor_error_report(c, err, "tls reply");
	if (type == 0) {
		/* SSL 2.0 draft, "ERROR": exactly the type and a 2-byte code, one of
		 * the four the draft defines; anything else is not SSLv2 (random
		 * bytes with the high bit set would otherwise pass as an ERROR) */
		if (cursor_u16be(&m, &out->ssl2_error_code) < 0)
			return cursor_error_report(c, err, "tls reply");
		if (!cursor_at_end(&m)) {
			cursor_fail_value(&m, "SSLv2 ERROR is longer than 3 bytes",
					  cursor_remaining(&m) + 3);
			return cursor_error_report(c, err, "tls reply");
		}
		uint16_t code = out->ssl2_error_code;
		if (code != 1 && code != 2 && code != 4 && code != 6) {
			cursor_fail_value(&m, "SSLv2 ERROR code is not 1, 2, 4 or 6", code);
			return cursor_error_report(c, err, "tls reply");
		}
		out->ssl2_error = true;
		out->complete = true;
		out->bytes_parsed = c->offset;
		return 0;
	}
	if (type != 4) {
		cursor_fail_value(&m, "SSLv2 message is not SERVER-HELLO or ERROR", type);
		return cursor_error_report(c, err, "tls reply");
	}
	struct tls_ssl2_server_hello *sh = &out->ssl2_hello;
	uint16_t cert_len, specs_len, conn_len;
	if (cursor_u8(&m, &sh->session_id_hit) < 0 || cursor_u8(&m, &sh->certificate_type) < 0 ||
	    cursor_u16be(&m, &sh->version) < 0 || cursor_u16be(&m, &cert_len) < 0 ||
	    cursor_u16be(&m, &specs_len) < 0 || cursor_u16be(&m, &conn_len) < 0)
		return cursor_error_report(c, err, "tls reply");
	if (specs_len % 3 != 0) {
		cursor_fail_value(&m, "SSLv2 cipher specs length is not a multiple of 3",
				  specs_len);
		return cursor_error_report(c, err, "tls reply");
	}
	if (cursor_bytes(&m, cert_len, &sh->certificate) < 0)
		return cursor_error_report(c, err, "tls reply");
	sh->certificate_len = cert_len;
	for (size_t i = 0; i < specs_len / 3u; i++) {
		uint8_t b[3];
		if (cursor_copy(&m, b, 3) < 0)
			return cursor_error_report(c, err, "tls reply");
		if (sh->cipher_count < TLS_SSL2_CIPHERS_MAX)
			sh->ciphers[sh->cipher_count++] =
				(uint32_t)b[0] << 16 | (uint32_t)b[1] << 8 | b[2];
	}
	if (conn_len < 16 || conn_len > 32) {
		cursor_fail_value(&m, "SSLv2 connection id is not 16 to 32 bytes", conn_len);
		return cursor_error_report(c, err, "tls reply");
	}
	if (cursor_skip(&m, conn_len) < 0)
		return cursor_error_report(c, err, "tls reply");
	if (!cursor_at_end(&m)) {
		cursor_fail_value(&m, "SSLv2 SERVER-HELLO has trailing bytes",
				  cursor_remaining(&m));
		return cursor_error_report(c, err, "tls reply");
	}
	sh->connection_id_len = conn_len;
	out->complete = true;
	out->bytes_parsed = c->offset;
	return 0;
}

static int parse_alerts(struct cursor *rec, size_t record_start, struct tls_reply *out)
{
	if (out->change_cipher_spec) {
		out->encrypted_records++;
		out->complete = true;
		return cursor_skip(rec, cursor_remaining(rec));
	}
	if (cursor_remaining(rec) == 0 || cursor_remaining(rec) % 2 != 0)
		return cursor_fail_value(rec, "alert record length is not a multiple of 2",
					 cursor_remaining(rec));
	while (!cursor_at_end(rec)) {
		uint8_t level, desc;
		cursor_u8(rec, &level);
		cursor_u8(rec, &desc);
		if (level != 1 && level != 2)
			return cursor_fail_at(rec, cursor_position(rec) - 2,
					      "alert level is not warning(1) or fatal(2)", level,
					      true);
		if (!out->has_alert) {
			out->has_alert = true;
			out->alert.level = level;
			out->alert.description = desc;
			out->alert.offset = record_start;
		}
		out->alert_count++;
	}
	out->complete = true;
	return 0;
}

int tls_parse_reply(const uint8_t *msg, size_t len, struct tls_reply *out, struct dl_error *err)
{
	struct cursor c;
	struct fragment_map map;
	size_t hs_done = 0;
	memset(out, 0, offsetof(struct tls_reply, handshake));
	out->handshake_len = 0;
	map.count = 0;
	cursor_init(&c, msg, len);
	if (len == 0) {
		out->incomplete = true;
		cursor_fail(&c, "no reply bytes");
		return cursor_error_report(&c, err, "tls reply");
	}
	if (msg[0] & 0x80)
		return parse_ssl2(&c, out, err);
	while (!cursor_at_end(&c)) {
		size_t start = cursor_position(&c);
		uint8_t type;
		uint16_t version, length;
		struct cursor rec;
		if (cursor_u8(&c, &type) < 0)
			break;
		if (type < TLS_CONTENT_CHANGE_CIPHER_SPEC || type > TLS_CONTENT_HEARTBEAT) {
			cursor_fail_at(&c, start, "record content type is not 20 to 24", type,
				       true);
			return cursor_error_report(&c, err, "tls reply");
		}
		if (cursor_u16be(&c, &version) < 0 || cursor_u16be(&c, &length) < 0) {
			out->incomplete = true;
			return cursor_error_report(&c, err, "tls reply");
		}
		if (version >> 8 != 3 || version > TLS_VERSION_TLS13) {
			cursor_fail_at(&c, start + 1, "record version is not SSL 3.0 to TLS 1.3",
				       version, true);
			return cursor_error_report(&c, err, "tls reply");
		}
		if (length > TLS_RECORD_LENGTH_MAX) {
			cursor_fail_at(&c, start + 3, "record length exceeds 18432", length, true);
			return cursor_error_report(&c, err, "tls reply");
		}
		if (cursor_sub(&c, length, &rec) < 0) {
			out->incomplete = true;
			return cursor_error_report(&c, err, "tls reply");
		}
		if (out->record_count == TLS_RECORDS_MAX) {
			cursor_fail_at(&c, start, "more records than our ceiling", TLS_RECORDS_MAX,
				       true);
			return cursor_error_report(&c, err, "tls reply");
		}
		if (out->record_count == 0)
			out->record_version = version;
		out->record_count++;
		/* after a TLS 1.3 ServerHello the handshake is encrypted; after a
		 * HelloRetryRequest only a middlebox ChangeCipherSpec may follow */
		bool tls13_any =
			out->has_server_hello && out->server_hello.version == TLS_VERSION_TLS13;
		bool tls13 = tls13_any && !out->server_hello.hello_retry_request;
		switch (type) {
		case TLS_CONTENT_ALERT:
			if (parse_alerts(&rec, start, out) < 0)
				return cursor_error_report(&c, err, "tls reply");
			break;
		case TLS_CONTENT_CHANGE_CIPHER_SPEC: {
			uint8_t one;
			if (length != 1 || cursor_u8(&rec, &one) < 0 || one != 1) {
				cursor_fail_at(&c, start + 5,
					       "ChangeCipherSpec is not the single byte 1", length,
					       true);
				return cursor_error_report(&c, err, "tls reply");
			}
			if (!tls13_any) /* TLS 1.3's is only for middleboxes (RFC 8446 D.4) */
				out->change_cipher_spec = true;
			break;
		}
		case TLS_CONTENT_HANDSHAKE:
			if (out->change_cipher_spec || tls13) { /* Finished, encrypted */
				out->encrypted_records++;
				break;
			}
			if (length == 0) {
				cursor_fail_at(&c, start + 3, "empty handshake record", 0, true);
				return cursor_error_report(&c, err, "tls reply");
			}
			if (out->handshake_len + length > TLS_HANDSHAKE_MAX) {
				cursor_fail_at(&c, start + 3,
					       "handshake messages exceed our 65536-byte ceiling",
					       out->handshake_len + length, true);
				return cursor_error_report(&c, err, "tls reply");
			}
			map.hs_offset[map.count] = out->handshake_len;
			map.input_offset[map.count] = start + TLS_RECORD_HEADER_LEN;
			map.count++;
			memcpy(out->handshake + out->handshake_len, rec.p, length);
			out->handshake_len += length;
			if (drain_handshake(out, &hs_done, &map, err, false) < 0)
				return DL_EPROTO;
			break;
		default: /* application_data, heartbeat */
			if (tls13 || out->change_cipher_spec)
				out->encrypted_records++;
			break;
		}
		out->bytes_parsed = cursor_position(&c);
	}
	return drain_handshake(out, &hs_done, &map, err, true);
}

int tls_find_record(const uint8_t *msg, size_t len, uint8_t type, size_t *offset,
		    size_t *record_len, struct dl_error *err)
{
	struct cursor c;
	cursor_init(&c, msg, len);
	if (*offset > len)
		return dl_error_set(err, DL_EINVAL, "tls records: offset %zu beyond %zu bytes",
				    *offset, len);
	c.offset = *offset;
	/* each pass consumes a 5-byte header, so this ends within len/5 passes */
	while (cursor_remaining(&c) >= TLS_RECORD_HEADER_LEN) {
		size_t start = cursor_position(&c);
		uint8_t t;
		uint16_t version, length;
		cursor_u8(&c, &t);
		cursor_u16be(&c, &version);
		cursor_u16be(&c, &length);
		if (t < TLS_CONTENT_CHANGE_CIPHER_SPEC || t > TLS_CONTENT_HEARTBEAT) {
			cursor_fail_at(&c, start, "record content type is not 20 to 24", t, true);
			return cursor_error_report(&c, err, "tls records");
		}
		if (version >> 8 != 3) {
			cursor_fail_at(&c, start + 1, "record version is not 3.x", version, true);
			return cursor_error_report(&c, err, "tls records");
		}
		if (length > TLS_RECORD_LENGTH_MAX) {
			cursor_fail_at(&c, start + 3, "record length exceeds 18432", length, true);
			return cursor_error_report(&c, err, "tls records");
		}
		if (cursor_remaining(&c) < length)
			return 0;
		if (t == type) {
			*offset = start;
			*record_len = length;
			return 1;
		}
		cursor_skip(&c, length);
	}
	return 0;
}
