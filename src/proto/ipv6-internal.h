/* ipv6-internal: what ipv6.c and ipv6-ext.c share and no other module uses */
#ifndef DUTLAB_PROTO_IPV6_INTERNAL_H
#define DUTLAB_PROTO_IPV6_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "proto/packet.h"

struct cursor;

/* IANA protocol numbers, the values of every next_header field */
extern const struct field_value ipv6_next_headers[];

/* The big-endian value of size bytes at offset of p's bytes. */
uint64_t ipv6_read(const struct packet *p, uint32_t offset, uint32_t size);
/* Copy the next n bytes of c to the end of p (the builder's buffer and the wire both go here);
 * 0, DL_EPROTO (cursor) or DL_ENOMEM. */
int ipv6_take(struct packet *p, struct cursor *c, size_t n, uint32_t *offset);
/* A whole-byte numeric field whose value is already in the bytes. */
int ipv6_declare_field(struct packet *p, const char *name, enum field_kind kind, uint32_t offset,
		       uint32_t size, uint8_t flags);
/* Set next_header field (PACKET_NONE: not derived) of layer from the model layer inside it. */
void ipv6_next_header_fixup(struct packet *p, int layer, int field);
/* The nearest ipv6 layer before layer, or PACKET_NONE. */
int ipv6_layer_enclosing(const struct packet *p, int layer);

#endif
