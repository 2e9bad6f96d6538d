/* icmpv4: ICMP for IPv4 (RFC 792) messages build, parse and field schema */
#ifndef DUTLAB_PROTO_ICMPV4_H
#define DUTLAB_PROTO_ICMPV4_H

/*
 * Fields: the layer element icmpv4 holds icmpv4.type (ENUM KEY),
 * icmpv4.code (ENUM, the values of its type), icmpv4.checksum (CHECKSUM of
 * the layer), then by type: identifier and sequence (IDENTIFIER; echo,
 * timestamp, information, address mask) with originate/receive/transmit or
 * mask; unused and next_hop_mtu (unreachable); unused (time exceeded,
 * source quench); pointer and unused (parameter problem); gateway ADDRESS
 * KEY (redirect); rest (other types). Echo data is icmpv4.data. An error's
 * invoking packet is the element icmpv4.invoking holding a nested ipv4
 * layer (and its udp or tcp layer when the quoted datagram is whole and
 * parses; else ipv4.payload), or icmpv4.invoking.data when it is no IPv4
 * header.
 */

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>

struct packet;
struct proto_layer;

enum icmpv4_type {
	ICMPV4_ECHO_REPLY = 0,
	ICMPV4_UNREACHABLE = 3,
	ICMPV4_SOURCE_QUENCH = 4, /* deprecated, RFC 6633 */
	ICMPV4_REDIRECT = 5,
	ICMPV4_ECHO_REQUEST = 8,
	ICMPV4_TIME_EXCEEDED = 11,
	ICMPV4_PARAMETER_PROBLEM = 12,
	ICMPV4_TIMESTAMP = 13,
	ICMPV4_TIMESTAMP_REPLY = 14,
	ICMPV4_INFO_REQUEST = 15, /* obsolete, RFC 6918 */
	ICMPV4_INFO_REPLY = 16,
	ICMPV4_MASK_REQUEST = 17, /* RFC 950 */
	ICMPV4_MASK_REPLY = 18,
};

/*
 * What icmpv4_build() takes (type 0 is an echo reply; set it). identifier
 * and sequence: echo, timestamp, information, address mask. gateway:
 * redirect; address mask: the mask. pointer: parameter problem.
 * next_hop_mtu: unreachable code 4 (RFC 1191). originate, receive,
 * transmit: timestamp (ms since midnight UT).
 * data: echo data; for the errors (3, 4, 5, 11, 12) the invoking packet's
 * bytes. An error with data NULL leaves its "icmpv4.invoking" element open:
 * build the invoking packet with ipv4_build() and udp_build()/tcp_build()/
 * icmpv4_build() next, then packet_finish(); its fields are then part of
 * the schema (the checksums are computed innermost first).
 */
struct icmpv4_fields {
	uint8_t type, code;
	uint16_t identifier, sequence;
	struct in_addr gateway;
	uint8_t pointer;
	uint16_t next_hop_mtu;
	uint32_t originate, receive, transmit;
	const uint8_t *data;
	size_t data_length;
};

#define ICMPV4_SLOT_CHECKSUM 0

/* Start an ICMPv4 layer. 0 or DL_ENOMEM (p->overflow). */
int icmpv4_build(struct packet *p, const struct icmpv4_fields *f);

extern const struct proto_layer icmpv4_layer;

#endif
