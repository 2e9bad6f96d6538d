/* ipv6-internal: what ipv6.c and ipv6-ext.c share and no other module uses */
#ifndef DUTLAB_PROTO_IPV6_INTERNAL_H
#define DUTLAB_PROTO_IPV6_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "proto/packet.h"

struct cursor;

/* IANA protocol numbers, the values of every next_header field */
extern const struct field_value ipv6_next_headers[];

/* Set next_header field (PACKET_NONE: not derived) of layer from the model layer inside it. */
void ipv6_next_header_fixup(struct packet *p, int layer, int field);
/* The nearest ipv6 layer before layer, or PACKET_NONE. */
int ipv6_layer_enclosing(const struct packet *p, int layer);

#endif
