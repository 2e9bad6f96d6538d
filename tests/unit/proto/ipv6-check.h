/* ipv6-check: shared helpers of the IPv6 and ICMPv6 model tests (parse a chain, checksums) */
#ifndef DUTLAB_TESTS_IPV6_CHECK_H
#define DUTLAB_TESTS_IPV6_CHECK_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>

struct packet;

/* inet_pton(AF_INET6) that must succeed. */
struct in6_addr ipv6_check_address(const char *text);

/* Parse an IPv6 packet (no link layer) through ipv6, its extension headers, icmpv6 and udp by
 * next header, as proto_dissect() does after Ethernet. 0, or the parser's error with
 * "ipv6: offset N: reason (value V)" in message. */
int ipv6_check_parse(struct packet *p, const uint8_t *bytes, size_t length, char *message,
		     size_t message_size);

/* The upper-layer checksum of RFC 8200 8.1, computed here from the RFC's pseudo-header
 * layout independently of the models and of packet_inet_checksum(): source, destination,
 * 32-bit length, three zeros, next header, then the message (its checksum field included:
 * 0 over a message whose checksum is right). */
uint16_t ipv6_check_sum(const uint8_t source[16], const uint8_t destination[16],
			uint8_t next_header, const uint8_t *msg, size_t length);

#endif
