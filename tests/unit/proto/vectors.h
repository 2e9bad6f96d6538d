/* vectors: load captured replies from tests/unit/proto/vectors for the proto unit tests */
#ifndef DUTLAB_TESTS_PROTO_VECTORS_H
#define DUTLAB_TESTS_PROTO_VECTORS_H

#include <stddef.h>
#include <stdint.h>

#define VECTOR_MAX 65536

/* Read vectors/NAME.bin into buf (VECTOR_MAX bytes); fails the test if missing. */
size_t vector_load(const char *name, uint8_t *buf);

/* Assert that parse fails on every strict prefix of msg (len bytes) and
 * that each failure message names an offset. */
typedef int (*vector_parse_fn)(const uint8_t *msg, size_t len, char *message, size_t cap);
void vector_assert_prefixes_fail(const uint8_t *msg, size_t len, vector_parse_fn parse);

#endif
