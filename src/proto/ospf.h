/* ospf: OSPFv2 (RFC 2328) packet build, parse and field schema, with RFC 2328 D.3 keyed MD5 */
#ifndef DUTLAB_PROTO_OSPF_H
#define DUTLAB_PROTO_OSPF_H

/*
 * One layer "ospf" per packet (RFC 2328 A.3), standalone (the payload of a
 * raw IP socket of protocol 89) or dissected from IPv4 protocol 89. Fields,
 * in wire order:
 *   ospf.version ENUM KEY, ospf.type ENUM KEY (hello 1, database description
 *   2, link state request 3, link state update 4, link state acknowledgment
 *   5), ospf.packet_length LENGTH of the layer (minus the digest when
 *   cryptographic), ospf.router_id ADDRESS KEY, ospf.area_id ADDRESS KEY,
 *   ospf.checksum CHECKSUM of the layer (RFC 2328 D.4.1: the Internet
 *   checksum of the packet without the 8 authentication bytes; 0 with
 *   cryptographic authentication), ospf.auth_type ENUM KEY, then
 *   ospf.auth.data BYTES 8 (null), ospf.auth.password BYTES 8 (simple) or
 *   ospf.auth.zero UINT, ospf.auth.key_id UINT KEY, ospf.auth.data_length
 *   UINT, ospf.auth.sequence UINT (cryptographic, D.3);
 * then the body, an element named after the type:
 *   ospf.hello: .mask ADDRESS, .interval UINT KEY, .options FLAGS,
 *     .priority UINT, .dead_interval UINT KEY, .dr ADDRESS, .bdr ADDRESS,
 *     the list ospf.hello.neighbors of REPEATABLE ospf.hello.neighbor
 *     elements (.neighbor.id ADDRESS KEY);
 *   ospf.dd: .mtu UINT, .options FLAGS, .flags FLAGS KEY (I, M, MS),
 *     .sequence IDENTIFIER KEY, the list ospf.dd.lsas of LSA headers;
 *   ospf.lsr: the list ospf.lsr.requests of ospf.lsr.request elements
 *     (.type ENUM KEY, .id ADDRESS KEY, .advertising_router ADDRESS);
 *   ospf.lsu: .count COUNT of the list ospf.lsu.lsas, whole LSAs;
 *   ospf.lsack: the list ospf.lsack.lsas of LSA headers.
 * An LSA (RFC 2328 A.4) is a REPEATABLE element ospf.lsa: .age UINT,
 * .options FLAGS, .type ENUM KEY, .id ADDRESS KEY, .advertising_router
 * ADDRESS KEY, .sequence IDENTIFIER, .checksum and .length (in an LSU:
 * CHECKSUM (the Fletcher checksum of RFC 2328 12.1.7, from the options on)
 * and LENGTH of the LSA; in a DD or LSAck, where only the header travels:
 * UINT, as the originator wrote them), then in an LSU its body:
 *   router (1): ospf.router.flags FLAGS (V, E, B), .zero, .link_count COUNT
 *     of the list ospf.router.links of ospf.router.link (.id ADDRESS KEY,
 *     .data ADDRESS, .type ENUM KEY, .tos_count LENGTH (unit 4) of .tos
 *     BYTES when there are TOS metrics, else UINT, .metric UINT KEY);
 *   network (2): ospf.network.mask ADDRESS KEY and the list
 *     ospf.network.routers of ospf.network.router (.id ADDRESS);
 *   summary (3, 4): ospf.summary.mask ADDRESS KEY, .zero, .metric UINT KEY
 *     (3 bytes), .tos BYTES when any;
 *   AS-external (5) and NSSA (7, RFC 3101 2.3, the same layout):
 *     ospf.external / ospf.nssa .mask ADDRESS KEY, .flags FLAGS (E bit and
 *     TOS), .metric UINT KEY (3 bytes), .forwarding ADDRESS, .tag UINT,
 *     .tos BYTES when any;
 *   any other type: ospf.lsa.data BYTES.
 * A cryptographically authenticated packet ends with the element
 * ospf.trailer holding ospf.trailer.digest, a CHECKSUM of the layer,
 * outside the packet length.
 *
 * Derived like checksums in packet_finish(), innermost first: each LSA's
 * Fletcher checksum, the packet checksum, then the MD5 digest when the
 * builder was given the key (MD5 over the packet length's bytes, then the
 * key zero-padded to 16 bytes, written right after them: RFC 2328 D.4.3, as
 * FRR and BIRD check it; when the packet length points past the layer, over
 * the bytes before the digest field), so a mutated packet is signed again
 * and its parser runs. A parsed packet has no key; its digest stays as
 * received.
 *
 * The parser refuses, with the reason: fewer than 24 bytes, a version not 2
 * (version 3, OSPFv3 on IPv6, is not modelled: its bytes are ospf.data), a
 * type not 1 to 5, a packet length under 24 or past the datagram, bytes
 * after the packet that are not the cryptographic trailer its data length
 * says, a body not the size its type says (hello 20 + 4n, DD 8 + 20n, LSR
 * 12n, LSAck 20n), an LSU whose LSA count is not the LSAs it holds, an LSA
 * length under 20 or past the packet, a router LSA whose links do not fill
 * it, and more than OSPF_LSAS_MAX LSAs.
 */

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct dl_error;
struct packet;
struct proto_layer;

#define OSPF_PROTOCOL 89 /* IP protocol number (RFC 2328 A.1) */
#define OSPF_VERSION 2
#define OSPF_HEADER_LENGTH 24
#define OSPF_LSA_HEADER_LENGTH 20
#define OSPF_KEY_LENGTH 16
#define OSPF_DIGEST_LENGTH 16
#define OSPF_ALL_ROUTERS 0xe0000005u      /* 224.0.0.5, AllSPFRouters (A.1), host order */
#define OSPF_ALL_DROUTERS 0xe0000006u     /* 224.0.0.6, AllDRouters */
#define OSPF_LSAS_MAX 32                  /* LSAs a packet may carry here (the field table) */
#define OSPF_NEIGHBORS_MAX 32             /* router ids a hello may list here */
#define OSPF_PACKET_MAX 1500              /* what the builder serialises (one Ethernet MTU) */
#define OSPF_INITIAL_SEQUENCE 0x80000001u /* InitialSequenceNumber (12.1.6) */

enum ospf_type {
	OSPF_HELLO = 1,
	OSPF_DD = 2,    /* database description */
	OSPF_LSR = 3,   /* link state request */
	OSPF_LSU = 4,   /* link state update */
	OSPF_LSACK = 5, /* link state acknowledgment */
};

enum ospf_auth {
	OSPF_AUTH_NONE = 0,
	OSPF_AUTH_SIMPLE = 1, /* an 8-byte clear password (D.4.2) */
	OSPF_AUTH_CRYPTO = 2, /* keyed MD5 (D.4.3) */
};

enum ospf_lsa_type {
	OSPF_LSA_ROUTER = 1,
	OSPF_LSA_NETWORK = 2,
	OSPF_LSA_SUMMARY = 3,      /* summary: an IP network */
	OSPF_LSA_SUMMARY_ASBR = 4, /* summary: an AS boundary router */
	OSPF_LSA_EXTERNAL = 5,
	OSPF_LSA_NSSA = 7, /* RFC 3101 */
};

/* The options byte (A.2) and the DD flags (A.3.3). */
#define OSPF_OPTION_E 0x02  /* external routing capability */
#define OSPF_OPTION_NP 0x08 /* NSSA (RFC 3101) */
#define OSPF_DD_MS 0x01
#define OSPF_DD_M 0x02
#define OSPF_DD_I 0x04
#define OSPF_EXTERNAL_E 0x80 /* a type 2 external metric */

/* Router LSA link types (A.4.2). */
enum ospf_link_type {
	OSPF_LINK_PTP = 1,
	OSPF_LINK_TRANSIT = 2,
	OSPF_LINK_STUB = 3,
	OSPF_LINK_VIRTUAL = 4,
};

struct ospf_link {
	struct in_addr id, data;
	uint8_t type;
	uint16_t metric;
};

/*
 * One LSA. In a DD or LSAck only the header is built, with length and
 * checksum as given (those of the LSA it names). In an LSU the whole LSA,
 * its body by type: router (flags, links), network (mask, routers),
 * summary 3/4 (mask, metric), external 5 and NSSA 7 (mask, external_e,
 * metric, forwarding, tag); length and checksum are derived.
 */
struct ospf_lsa {
	uint16_t age;
	uint8_t options, type;
	struct in_addr id, advertising_router;
	uint32_t sequence; /* 0: InitialSequenceNumber */
	uint16_t length, checksum;
	uint8_t flags;
	const struct ospf_link *links;
	size_t link_count;
	struct in_addr mask;
	const struct in_addr *routers;
	size_t router_count;
	uint32_t metric; /* 24 bits */
	bool external_e;
	struct in_addr forwarding;
	uint32_t tag;
};

struct ospf_request {
	uint32_t type;
	struct in_addr id, advertising_router;
};

/*
 * What ospf_build() takes; zero is the default said. type 0: hello. version
 * 0: 2. auth: OSPF_AUTH_NONE, _SIMPLE (password, at most 8 bytes) or _CRYPTO
 * (password the key, at most 16 bytes, registered for the digest fixup;
 * key_id; data_length 0: 16; sequence the cryptographic sequence number).
 * Hello: mask, hello_interval (0: 10), options, priority, dead_interval (0:
 * 40), dr, bdr, neighbors. DD: mtu, options, dd_flags, dd_sequence, lsas
 * (headers). LSR: requests. LSU: lsas (whole). LSAck: lsas (headers).
 */
struct ospf_fields {
	uint8_t type, version;
	struct in_addr router_id, area_id;
	uint8_t auth;
	const char *password;
	uint8_t key_id, data_length;
	uint32_t sequence;
	struct in_addr mask, dr, bdr;
	uint16_t hello_interval;
	uint8_t options, priority;
	uint32_t dead_interval;
	const struct in_addr *neighbors;
	size_t neighbor_count;
	uint16_t mtu;
	uint8_t dd_flags;
	uint32_t dd_sequence;
	const struct ospf_lsa *lsas;
	size_t lsa_count;
	const struct ospf_request *requests;
	size_t request_count;
};

/* Append one packet as a layer of its own (closed: a raw socket's payload or the innermost layer
 * of a frame). 0, DL_EINVAL (a password too long or missing, too many entries, an unknown auth
 * type, more keys than PROTO_KEYS_MAX) or DL_ENOMEM (past OSPF_PACKET_MAX); p->overflow set on
 * failure. */
int ospf_build(struct packet *p, const struct ospf_fields *f);

/* The RFC 2328 D.4.3 keyed-MD5 digest of the packet's first length bytes (the packet length
 * says where the digest goes) with key (at most 16 bytes, zero-padded). 0 or DL_EINVAL. */
int ospf_md5_digest(const uint8_t *packet, size_t length, const char *key,
		    uint8_t digest[OSPF_DIGEST_LENGTH], struct dl_error *err);

/* The LSA checksum (RFC 2328 12.1.7, the Fletcher checksum of ISO 8473 over the LSA from its
 * options byte on, the checksum bytes taken as zero) to write at lsa[16..17]; length is the
 * LSA's, at least 20. */
uint16_t ospf_lsa_checksum(const uint8_t *lsa, size_t length);

extern const struct proto_layer ospf_layer;

#endif
