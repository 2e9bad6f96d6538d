/* model-check: shared asserts of the packet model tests (build, parse back, compare schemas) */
#ifndef DUTLAB_TESTS_MODEL_CHECK_H
#define DUTLAB_TESTS_MODEL_CHECK_H

#include <stddef.h>
#include <stdint.h>

struct layer_parse_result;
struct packet;
struct proto_layer;

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

/* Parse bytes with one model into p as the dissector would after the layer below (next gets
 * the model's answer); 0 or the parser's error, "NAME: offset N: reason" in why. */
int model_parse_layer(const struct proto_layer *model, struct packet *p, const uint8_t *bytes,
		      size_t length, struct layer_parse_result *next, char *why, size_t why_size);

/* built's bytes are vector's; else fails naming the first byte that differs. */
void model_assert_bytes(const struct packet *built, const uint8_t *vector, size_t length);

/* parsed has built's schema and built's relations (target, adjust, unit of every field). */
void model_assert_parsed(const struct packet *built, const struct packet *parsed);

/* built is vector to the byte, and vector parsed by model (one message, nothing after it)
 * into parsed has built's schema and relations. */
void model_check_vector(const struct proto_layer *model, const struct packet *built,
			struct packet *parsed, const uint8_t *vector, size_t length);

/* vector with n bytes at offset at replaced by with is refused by model, saying reason. */
void model_assert_refused(const struct proto_layer *model, const uint8_t *vector, size_t length,
			  size_t at, const uint8_t *with, size_t n, const char *reason);

#endif
