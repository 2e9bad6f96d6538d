/* tls-record: TLS records and handshake messages as a mutable packet model: build, parse and field
 * schema */
#ifndef DUTLAB_PROTO_TLS_RECORD_H
#define DUTLAB_PROTO_TLS_RECORD_H

/*
 * One layer "tls" per record (RFC 5246 6.2, RFC 8446 5.1): a TCP segment to
 * or from port 443 may carry several, each a layer of its own after the last
 * (as bgp.c does with messages). proto/tls.c stays what the TLS auditor
 * builds ClientHellos and reads replies with; this model declares what those
 * bytes are, so the mutation engine can change any of them. Fields:
 *   tls.record.content_type ENUM KEY, tls.record.version ENUM KEY,
 *   tls.record.length LENGTH of the layer - 5, then by content type:
 * handshake (22): REPEATABLE elements tls.handshake.<client_hello|
 *   server_hello|client_key_exchange|finished|other>, each with
 *   tls.handshake.type ENUM KEY and tls.handshake.length (24 bits) LENGTH of
 *   the element - 4, then
 *   ClientHello (RFC 8446 4.1.2): tls.client_hello.version ENUM KEY,
 *   .random BYTES, .session_id_length LENGTH of .session_id BYTES,
 *   .cipher_suites_length LENGTH of the list .cipher_suites of
 *   tls.cipher_suite ENUM KEY, .compression_methods_length LENGTH of the
 *   list .compression_methods of tls.compression_method ENUM,
 *   .extensions_length LENGTH of the list .extensions (when present);
 *   ServerHello (4.1.3): tls.server_hello.version, .random, .session_id_length,
 *   .session_id, tls.cipher_suite, tls.compression_method, .extensions_length,
 *   the list .extensions;
 *   every extension a REPEATABLE element tls.extension.<server_name|
 *   supported_groups|signature_algorithms|key_share|supported_versions|
 *   heartbeat|alpn|renegotiation_info|ec_point_formats|other> with
 *   tls.extension.type ENUM KEY, tls.extension.length LENGTH of the element
 *   - 4, then: tls.sni.list_length LENGTH of the list tls.sni.names of
 *   REPEATABLE tls.sni.name (tls.sni.name_type ENUM, tls.sni.name_length
 *   LENGTH of tls.sni.host_name BYTES KEY) (RFC 6066 3); tls.groups.length
 *   LENGTH of the list tls.groups of tls.group ENUM (RFC 8446 4.2.7);
 *   tls.signature_algorithms.length LENGTH of the list
 *   tls.signature_algorithms of tls.signature_algorithm ENUM (4.2.3); the
 *   client's tls.key_share.length LENGTH of the list tls.key_share.entries of
 *   REPEATABLE tls.key_share.entry (tls.key_share.group ENUM KEY,
 *   tls.key_share.key_exchange_length LENGTH of tls.key_share.key_exchange
 *   BYTES KEY), the server's one entry, a HelloRetryRequest's
 *   tls.key_share.group alone (4.2.8); the client's
 *   tls.supported_versions.length (1 byte) LENGTH of the list
 *   tls.supported_versions of tls.supported_version ENUM KEY, the server's
 *   one tls.supported_version (4.2.1); tls.heartbeat.mode ENUM (RFC 6520
 *   2); tls.alpn.length LENGTH of the list tls.alpn.protocols of REPEATABLE
 *   tls.alpn.protocol (tls.alpn.protocol_length LENGTH of
 *   tls.alpn.protocol_name BYTES) (RFC 7301 3.1);
 *   tls.renegotiation_info.length LENGTH of tls.renegotiation_info.data
 *   BYTES (RFC 5746 3.2); tls.ec_point_formats.length LENGTH of the list
 *   tls.ec_point_formats of tls.ec_point_format ENUM (RFC 8422 5.1.2); or
 *   tls.extension.data BYTES;
 *   ClientKeyExchange (RFC 8422 5.7): tls.client_key_exchange.point_length
 *   LENGTH of .point BYTES KEY (ECDHE), or .exchange_length (2 bytes) LENGTH
 *   of .exchange BYTES KEY (RSA, DHE), or .data BYTES;
 *   Finished (RFC 5246 7.4.9): tls.finished.verify_data BYTES KEY;
 *   any other: tls.handshake.body BYTES.
 * change_cipher_spec (20): tls.change_cipher_spec.type ENUM.
 * alert (21): tls.alert.level ENUM KEY, tls.alert.description ENUM KEY.
 * heartbeat (24, RFC 6520 4): tls.heartbeat.type ENUM KEY,
 *   tls.heartbeat.payload_length LENGTH of tls.heartbeat.payload BYTES,
 *   tls.heartbeat.padding BYTES (the rest of the record).
 * application_data (23): tls.application_data BYTES; another type:
 *   tls.record.data BYTES.
 * An SSLv2-compatible CLIENT-HELLO (RFC 5246 E.2; a first byte with the high
 *   bit set) is a layer of its own: tls.sslv2.length (15 bits) LENGTH of the
 *   layer - 2, tls.sslv2.msg_type ENUM KEY, tls.sslv2.version ENUM KEY,
 *   tls.sslv2.cipher_specs_length LENGTH of the list tls.sslv2.cipher_specs of
 *   tls.sslv2.cipher_spec UINT (3 bytes), tls.sslv2.session_id_length LENGTH
 *   of tls.sslv2.session_id BYTES, tls.sslv2.challenge_length LENGTH of
 *   tls.sslv2.challenge BYTES.
 *
 * The parser refuses, with the reason: a record length over 2^14 + 2048 or
 * past the bytes, a handshake message running past its record (handshake
 * messages split over records are not reassembled, nor encrypted records
 * told from plaintext: an encrypted Finished is refused), any inner length
 * running past what holds it, a list of 2-byte items of odd length, a
 * session id over 32 bytes, and a heartbeat payload_length past its record
 * (the Heartbleed shape, CVE-2014-0160).
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto/tls.h"

struct packet;
struct proto_layer;

#define TLS_RECORD_PORT 443
#define TLS_RECORD_BUILD_MAX 4096 /* the longest record a builder writes */
#define TLS_RECORD_ALPN_MAX 8

/* What tls_record_build_client_hello() takes: proto/tls.c's offer, and the ALPN protocol
 * names (RFC 7301), sent as the last extension when alpn_count > 0. */
struct tls_record_hello {
	struct tls_client_hello hello;
	const char *alpn[TLS_RECORD_ALPN_MAX];
	size_t alpn_count;
};

/*
 * Each builder appends one record as a layer of its own (standalone in an
 * empty packet, or inside an open TCP layer), closes it, and returns 0,
 * DL_ENOMEM (p->overflow) or DL_EINVAL (what proto/tls.c refuses, an ALPN
 * name over 255 bytes, a record over TLS_RECORD_BUILD_MAX; overflow is set
 * too, so packet_finish() fails). version is the record's (0: TLS 1.2).
 * packet_finish() computes every length.
 */
int tls_record_build_client_hello(struct packet *p, const struct tls_record_hello *h);
/* An ECDHE ClientKeyExchange (RFC 8422 5.7): the point with its 1-byte length. */
int tls_record_build_client_key_exchange(struct packet *p, uint16_t version, const uint8_t *point,
					 size_t length);
int tls_record_build_change_cipher_spec(struct packet *p, uint16_t version);
/* A plaintext Finished handshake message of length bytes of verify_data. */
int tls_record_build_finished(struct packet *p, uint16_t version, const uint8_t *verify_data,
			      size_t length);
int tls_record_build_alert(struct packet *p, uint16_t version, uint8_t level, uint8_t description);
/* A heartbeat_request (RFC 6520 4) with payload_length = length, then padding zero bytes (the
 * RFC asks at least 16). */
int tls_record_build_heartbeat(struct packet *p, uint16_t version, const uint8_t *payload,
			       size_t length, size_t padding);

extern const struct proto_layer tls_record_layer;

#endif
