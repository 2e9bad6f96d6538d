/* tls: TLS and SSLv2 ClientHello building and server reply parsing (records, alerts, handshake) */
#ifndef DUTLAB_PROTO_TLS_H
#define DUTLAB_PROTO_TLS_H

/*
 * The wire model the TLS auditor (issue 4) enumerates servers with: our
 * own ClientHellos, so we can offer what a distribution's OpenSSL build
 * cannot, and a parser for what the server sends back before encryption
 * starts. References: RFC 5246 (TLS 1.2) 6.2 and 7.4, RFC 8446 (TLS 1.3)
 * 4.1-4.2, RFC 6101 (SSL 3.0), RFC 5246 E.2 and the SSL 2.0 draft
 * (draft-hickman-netscape-ssl-00) for SSLv2, RFC 6066 (SNI), RFC 8422
 * (ECC), RFC 5746 (renegotiation_info), RFC 7507 (FALLBACK_SCSV),
 * RFC 6520 (heartbeat).
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct dl_error;

#define TLS_VERSION_SSL2 0x0002
#define TLS_VERSION_SSL3 0x0300
#define TLS_VERSION_TLS10 0x0301
#define TLS_VERSION_TLS11 0x0302
#define TLS_VERSION_TLS12 0x0303
#define TLS_VERSION_TLS13 0x0304

enum tls_content_type {
	TLS_CONTENT_CHANGE_CIPHER_SPEC = 20,
	TLS_CONTENT_ALERT = 21,
	TLS_CONTENT_HANDSHAKE = 22,
	TLS_CONTENT_APPLICATION_DATA = 23,
	TLS_CONTENT_HEARTBEAT = 24,
};

enum tls_handshake_type {
	TLS_HS_HELLO_REQUEST = 0,
	TLS_HS_CLIENT_HELLO = 1,
	TLS_HS_SERVER_HELLO = 2,
	TLS_HS_NEW_SESSION_TICKET = 4,
	TLS_HS_ENCRYPTED_EXTENSIONS = 8,
	TLS_HS_CERTIFICATE = 11,
	TLS_HS_SERVER_KEY_EXCHANGE = 12,
	TLS_HS_CERTIFICATE_REQUEST = 13,
	TLS_HS_SERVER_HELLO_DONE = 14,
	TLS_HS_CERTIFICATE_STATUS = 22,
};

enum tls_extension_type {
	TLS_EXT_SERVER_NAME = 0,
	TLS_EXT_STATUS_REQUEST = 5,
	TLS_EXT_SUPPORTED_GROUPS = 10,
	TLS_EXT_EC_POINT_FORMATS = 11,
	TLS_EXT_SIGNATURE_ALGORITHMS = 13,
	TLS_EXT_HEARTBEAT = 15,
	TLS_EXT_ALPN = 16,
	TLS_EXT_ENCRYPT_THEN_MAC = 22,
	TLS_EXT_EXTENDED_MASTER_SECRET = 23,
	TLS_EXT_SESSION_TICKET = 35,
	TLS_EXT_SUPPORTED_VERSIONS = 43,
	TLS_EXT_KEY_SHARE = 51,
	TLS_EXT_RENEGOTIATION_INFO = 0xff01,
};

#define TLS_RECORD_HEADER_LEN 5
#define TLS_RECORD_PLAINTEXT_MAX 16384
/* RFC 5246 6.2.3: a TLSCiphertext may carry 2048 bytes more than 2^14 */
#define TLS_RECORD_LENGTH_MAX (TLS_RECORD_PLAINTEXT_MAX + 2048)
#define TLS_CLIENT_HELLO_MAX 16384 /* one record; the builder refuses more */
#define TLS_OFFER_SUITES_MAX 1024
#define TLS_OFFER_LIST_MAX 128 /* groups, signature schemes, versions, compressions */
#define TLS_SERVER_NAME_MAX 255
/* Ceiling of the reassembled handshake stream (ServerHello .. ServerHelloDone,
 * certificate chain included) and of the records one reply may hold. */
#define TLS_HANDSHAKE_MAX 65536
#define TLS_RECORDS_MAX 256
#define TLS_CERTIFICATES_MAX 16
#define TLS_SERVER_EXTENSIONS_MAX 32
#define TLS_HANDSHAKE_TYPES_MAX 16
#define TLS_SSL2_CIPHERS_MAX 64

/* SSLv2 cipher kinds (3 bytes), for the SSLv2 CLIENT-HELLO */
#define TLS_SSL2_RC4_128_WITH_MD5 0x010080
#define TLS_SSL2_RC4_128_EXPORT40_WITH_MD5 0x020080
#define TLS_SSL2_RC2_128_CBC_WITH_MD5 0x030080
#define TLS_SSL2_RC2_128_CBC_EXPORT40_WITH_MD5 0x040080
#define TLS_SSL2_IDEA_128_CBC_WITH_MD5 0x050080
#define TLS_SSL2_DES_64_CBC_WITH_MD5 0x060040
#define TLS_SSL2_DES_192_EDE3_CBC_WITH_MD5 0x0700c0

/*
 * What to offer. Lists are borrowed for the call. Empty lists leave their
 * extension out (compressions: empty means {null}).
 */
struct tls_client_hello {
	uint16_t
		record_version; /* the record layer's version; 0: 0x0301 (what most clients send) */
	uint16_t client_version; /* legacy_version: 0x0300..0x0303 (0x0303 for TLS 1.3) */
	uint8_t random[32];
	const uint8_t *session_id; /* up to 32 bytes */
	size_t session_id_len;
	const uint16_t *suites;
	size_t suite_count;
	const uint8_t *compressions;
	size_t compression_count;
	const char *server_name;            /* NULL: no server_name extension */
	const uint16_t *supported_versions; /* TLS 1.3: {0x0304, ...} */
	size_t supported_version_count;
	const uint16_t *groups; /* supported_groups */
	size_t group_count;
	const uint16_t *signature_schemes; /* signature_algorithms */
	size_t signature_scheme_count;
	/* key_share: with x25519_public (32 bytes) one x25519 share; without it an
	 * empty client_shares list, which a TLS 1.3 server answers with a
	 * HelloRetryRequest naming the group it wants. */
	bool key_share;
	const uint8_t *x25519_public;
	bool renegotiation_info;     /* an empty renegotiation_info extension (RFC 5746 3.4) */
	bool renegotiation_scsv;     /* append TLS_EMPTY_RENEGOTIATION_INFO_SCSV to the suites */
	bool fallback_scsv;          /* append TLS_FALLBACK_SCSV (RFC 7507) */
	bool ec_point_formats;       /* ec_point_formats {uncompressed} */
	bool heartbeat;              /* heartbeat, peer_allowed_to_send (RFC 6520) */
	bool extended_master_secret; /* RFC 7627 */
	/* Build an SSLv2-format CLIENT-HELLO (RFC 5246 E.2) instead: version is
	 * client_version (0x0002 for SSL 2.0 itself), cipher specs are
	 * ssl2_ciphers then the suites as 0x00XXYY, the challenge is the last
	 * 16 bytes of random; extensions cannot be sent. */
	bool ssl2_format;
	const uint32_t *ssl2_ciphers;
	size_t ssl2_cipher_count;
};

/* Encode hello as one record into buf (cap bytes); *len receives the size. */
int tls_build_client_hello(uint8_t *buf, size_t cap, size_t *len,
			   const struct tls_client_hello *hello, struct dl_error *err);

/*
 * A heartbeat_request record (RFC 6520 4): type 1, payload_length, the
 * payload_len bytes of payload, then 16 bytes of zero padding when pad is
 * set. payload_length is written as given, so it may claim more than is
 * sent: the Heartbleed probe (CVE-2014-0160) sends 0x4000 with no payload
 * and no padding. version is the record's.
 */
int tls_build_heartbeat_request(uint8_t *buf, size_t cap, size_t *len, uint16_t version,
				uint16_t payload_length, const uint8_t *payload, size_t payload_len,
				bool pad, struct dl_error *err);

/* A ChangeCipherSpec record (RFC 5246 7.1): the single byte 1. */
int tls_build_change_cipher_spec(uint8_t *buf, size_t cap, size_t *len, uint16_t version,
				 struct dl_error *err);

/*
 * Walk the records in msg (len bytes) without interpreting them: the type
 * and length of the first record of content type `type` at or after
 * *offset. Returns 1 and sets *offset to that record's start and
 * *record_len to its length; 0 when no such record is complete in msg;
 * DL_EPROTO (err: "tls records: offset N: ...") when the bytes are not
 * TLS records. Used after the handshake has left the parser's scope (a
 * heartbeat response, an alert after our ChangeCipherSpec).
 */
int tls_find_record(const uint8_t *msg, size_t len, uint8_t type, size_t *offset,
		    size_t *record_len, struct dl_error *err);

struct tls_alert {
	uint8_t level; /* 1 warning, 2 fatal */
	uint8_t description;
	size_t offset; /* where the alert record starts */
};

/* A TLS 1.3 downgrade sentinel in ServerHello.random (RFC 8446 4.1.3) */
enum tls_downgrade {
	TLS_DOWNGRADE_NONE,
	TLS_DOWNGRADE_TLS12,       /* "DOWNGRD\x01" */
	TLS_DOWNGRADE_TLS11_BELOW, /* "DOWNGRD\x00" */
};

struct tls_server_hello {
	uint16_t legacy_version;
	uint16_t version; /* supported_versions' choice when present, else legacy_version */
	uint8_t random[32];
	uint8_t session_id[32];
	size_t session_id_len;
	uint16_t cipher_suite;
	uint8_t compression;
	bool hello_retry_request; /* random is the RFC 8446 4.1.3 HelloRetryRequest value */
	enum tls_downgrade downgrade;
	bool has_extensions;
	uint16_t extensions[TLS_SERVER_EXTENSIONS_MAX]; /* types, in order */
	size_t extension_count;
	bool has_supported_versions;
	bool has_key_share;
	uint16_t key_share_group; /* the group of the share, or the HRR's requested group */
	size_t key_share_len;     /* key_exchange bytes (0 in a HelloRetryRequest) */
	bool has_renegotiation_info;
	size_t renegotiation_info_len; /* renegotiated_connection (0 on an initial handshake) */
	bool has_ec_point_formats;
	bool has_heartbeat;
	uint8_t heartbeat_mode;
	bool has_extended_master_secret;
	bool has_encrypt_then_mac;
};

/* DER certificates point into tls_reply.handshake. */
struct tls_certificate {
	const uint8_t *der;
	size_t len;
};

enum tls_key_exchange_kind {
	TLS_SKE_UNKNOWN, /* the suite's key exchange is not parsed here (SRP, GOST, ...) */
	TLS_SKE_ECDHE,
	TLS_SKE_DHE,
	TLS_SKE_RSA_EXPORT, /* a temporary RSA key (export suites) */
	TLS_SKE_PSK_HINT,   /* plain PSK or RSA_PSK: an identity hint only */
};

struct tls_server_key_exchange {
	enum tls_key_exchange_kind kind;
	uint16_t group;            /* ECDHE: the named curve */
	unsigned bits;             /* DHE: the prime's size; RSA_EXPORT: the modulus'; ECDHE: 0 */
	bool signed_params;        /* a signature follows the parameters */
	uint16_t signature_scheme; /* TLS 1.2 only; 0 before */
	size_t length;             /* the message body's size */
};

struct tls_ssl2_server_hello {
	uint8_t session_id_hit;
	uint8_t certificate_type;
	uint16_t version;
	uint32_t ciphers[TLS_SSL2_CIPHERS_MAX];
	size_t cipher_count;
	const uint8_t *certificate; /* into the input */
	size_t certificate_len;
	size_t connection_id_len;
};

struct tls_reply {
	size_t record_count;
	uint16_t record_version; /* of the first record */
	size_t bytes_parsed;     /* through the last whole record */
	bool has_alert;
	struct tls_alert alert; /* the first one */
	size_t alert_count;
	bool has_server_hello;
	struct tls_server_hello server_hello;
	size_t certificate_count;
	struct tls_certificate certificates[TLS_CERTIFICATES_MAX];
	bool certificates_cut; /* the chain had more than TLS_CERTIFICATES_MAX */
	bool has_server_key_exchange;
	struct tls_server_key_exchange server_key_exchange;
	bool certificate_request;
	bool certificate_status;
	bool server_hello_done;
	bool change_cipher_spec;
	size_t encrypted_records; /* after ChangeCipherSpec, or TLS 1.3 application_data */
	uint8_t handshake_types[TLS_HANDSHAKE_TYPES_MAX]; /* as seen, in order */
	size_t handshake_type_count;
	bool ssl2;
	struct tls_ssl2_server_hello ssl2_hello;
	bool ssl2_error;
	uint16_t ssl2_error_code;
	/* Set when parsing failed only because the input ended inside a record
	 * or a handshake message: read more and parse again. */
	bool incomplete;
	/* The server has said all it will before the client's next flight:
	 * an alert, ServerHelloDone, a HelloRetryRequest, or a TLS 1.3
	 * ServerHello (the rest is encrypted). */
	bool complete;
	/* the handshake messages' bytes, reassembled across records */
	uint8_t handshake[TLS_HANDSHAKE_MAX];
	size_t handshake_len;
};

/*
 * Parse the bytes a server sent in reply to one ClientHello: records or an
 * SSLv2 SERVER-HELLO. out is large (struct tls_reply holds the reassembly
 * buffer); allocate it statically or on the heap. Fails with
 * "tls reply: offset N: reason (value V)", N an offset into msg.
 */
int tls_parse_reply(const uint8_t *msg, size_t len, struct tls_reply *out, struct dl_error *err);

const char *tls_version_name(uint16_t version);       /* "TLS 1.2", "SSL 3.0" */
const char *tls_alert_description_name(uint8_t desc); /* "handshake_failure" */
const char *tls_alert_level_name(uint8_t level);      /* "fatal" */
const char *tls_content_type_name(uint8_t type);      /* "handshake" */
const char *tls_handshake_type_name(uint8_t type);    /* "server_hello" */

#endif
