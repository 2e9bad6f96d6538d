/* rip: RIPv2 (RFC 2453) message build, parse and field schema, with RFC 4822 keyed-MD5 */
#ifndef DUTLAB_PROTO_RIP_H
#define DUTLAB_PROTO_RIP_H

/*
 * One layer "rip" per message (RFC 2453 4), standalone (the payload of a UDP
 * socket) or dissected from UDP port 520. Fields, in wire order:
 *   rip.command ENUM KEY (request 1, response 2), rip.version ENUM KEY,
 *   rip.zero UINT, then the list rip.entries of up to 25 REPEATABLE elements:
 *   rip.route (rip.route.family ENUM (AF_INET 2, 0 for a whole-table
 *   request), rip.route.tag UINT, rip.route.address ADDRESS KEY,
 *   rip.route.mask ADDRESS, rip.route.next_hop ADDRESS, rip.route.metric UINT
 *   KEY) or, first only, rip.auth (rip.auth.family ENUM 0xffff, rip.auth.type
 *   ENUM KEY; simple password 2 (RFC 2453 4.1): rip.auth.password BYTES of
 *   16; keyed MD5 3 (RFC 4822 2.2, RFC 2082): rip.auth.packet_length LENGTH
 *   of the layer - 20 (the message up to the trailer), rip.auth.key_id UINT
 *   KEY, rip.auth.data_length UINT, rip.auth.sequence UINT, rip.auth.reserved
 *   BYTES of 8). A keyed-MD5 message ends with the element rip.trailer
 *   (rip.trailer.family ENUM 0xffff, rip.trailer.type ENUM 1,
 *   rip.trailer.digest CHECKSUM of the layer, 16 bytes), outside the list.
 *
 * The digest is derived like a checksum: packet_finish() recomputes it when
 * the builder was given the key (MD5 over the message up to and including
 * the trailer's first 4 bytes, then the key zero-padded to 16 bytes: RFC
 * 4822 3.2.2 with Keyed-MD5, as RFC 2082 3.2.2 and FRR / BIRD do), so a
 * mutated message is signed again. A 16-byte digest is not numeric, so the
 * mutation engine never makes it wrong; a parsed message has no key and its
 * digest stays as received.
 *
 * The parser refuses, with the reason: fewer than 4 bytes, a command not 1
 * or 2, version 0 (RFC 2453 3.9: discarded), a body not a whole number of
 * 20-byte entries, more than 25 entries, an authentication entry that is not
 * the first or whose type is not 2 or 3, a keyed-MD5 packet length not
 * where the trailer starts or a missing or malformed trailer.
 */

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct dl_error;
struct packet;
struct proto_layer;

#define RIP_PORT 520
#define RIP_VERSION 2
#define RIP_HEADER_LENGTH 4
#define RIP_ENTRY_LENGTH 20
#define RIP_ENTRIES_MAX 25 /* RFC 2453 3.6: 504 bytes of UDP data (the trailer aside) */
#define RIP_METRIC_INFINITY 16
#define RIP_FAMILY_INET 2
#define RIP_FAMILY_AUTH 0xffff
#define RIP_KEY_LENGTH 16
#define RIP_DIGEST_LENGTH 16
#define RIP_TRAILER_LENGTH (4 + RIP_DIGEST_LENGTH)

enum rip_command {
	RIP_REQUEST = 1,
	RIP_RESPONSE = 2,
};

enum rip_auth {
	RIP_AUTH_NONE = 0,
	RIP_AUTH_TRAILER = 1, /* the keyed-MD5 trailer's type (RFC 4822 2.2) */
	RIP_AUTH_SIMPLE = 2,  /* clear password (RFC 2453 4.1) */
	RIP_AUTH_MD5 = 3,     /* keyed MD5 (RFC 2082, RFC 4822) */
};

/* One route entry (RFC 2453 4). family 0: AF_INET (2). metric as given (1..16; 0 and over 16
 * are the campaign's to send). */
struct rip_route {
	uint16_t family, tag;
	struct in_addr address, mask, next_hop;
	uint32_t metric;
};

/*
 * What rip_build() takes; zero is the default said. command 0: request.
 * version 0: 2. A request without routes asks for the whole table (RFC 2453
 * 3.9.1: one entry, family 0, metric 16). routes: up to 25 (24 with an
 * authentication entry). auth: RIP_AUTH_NONE, _SIMPLE (password in clear,
 * zero-padded) or _MD5 (key_id, sequence, data_length 0: 16; the password
 * is the key, at most 16 bytes, registered for the digest fixup).
 */
struct rip_fields {
	uint8_t command, version;
	const struct rip_route *routes;
	size_t route_count;
	uint8_t auth;
	const char *password;
	uint8_t key_id, data_length;
	uint32_t sequence;
};

/* Append one message as a layer of its own (closed: a UDP socket payload or
 * the innermost layer of a frame). 0, DL_EINVAL (too many routes, a
 * password over 16 bytes or missing, more keys than PROTO_KEYS_MAX) or
 * DL_ENOMEM; p->overflow set on failure. */
int rip_build(struct packet *p, const struct rip_fields *f);

/* The RFC 4822 keyed-MD5 digest of message (its first length bytes, up to and including the
 * trailer's 4-byte header) with key (at most 16 bytes, zero-padded). 0 or DL_EINVAL. */
int rip_md5_digest(const uint8_t *message, size_t length, const char *key,
		   uint8_t digest[RIP_DIGEST_LENGTH], struct dl_error *err);

extern const struct proto_layer rip_layer;

#endif
