/* model-check: shared asserts of the packet model tests (build, parse back, compare schemas) */
#ifndef DUTLAB_TESTS_MODEL_CHECK_H
#define DUTLAB_TESTS_MODEL_CHECK_H

#include <stddef.h>
#include <stdint.h>

struct packet;

/* Every field of a and b: same name, kind, place, relations and value (or bytes). */
void model_assert_same(const struct packet *a, const struct packet *b);

/* Parse an IPv4 datagram (no link layer) through ipv4, then icmpv4 / udp / tcp by protocol.
 * 0, or the parser's error with "ip: offset N: reason (value V)" in message. */
int model_parse_ip(struct packet *p, const uint8_t *bytes, size_t length, char *message,
		   size_t message_size);

/* The value of the first field called name at or after from (asserts it exists). */
uint64_t model_get(const struct packet *p, const char *name, int from);

/* The Internet checksum of bytes, written here from RFC 1071 4.1 independently of
 * packet_inet_checksum(), with an optional 12-byte IPv4 pseudo-header. */
uint16_t model_checksum(const uint8_t *bytes, size_t length, const uint8_t *pseudo,
			size_t pseudo_length);

#endif
