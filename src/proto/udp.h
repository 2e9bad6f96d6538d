/* udp: UDP (RFC 768) build, parse and field schema, checksummed over IPv4 or IPv6 */
#ifndef DUTLAB_PROTO_UDP_H
#define DUTLAB_PROTO_UDP_H

/*
 * Fields: the layer element udp holds udp.source_port,
 * udp.destination_port (KEY), udp.length (LENGTH of the layer),
 * udp.checksum (CHECKSUM of the layer over the pseudo-header) and
 * udp.payload. The checksum covers the UDP length's bytes when a frozen
 * length says fewer than the layer holds, as a receiver trims to it.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct packet;
struct proto_layer;

#define UDP_HEADER_LENGTH 8

/*
 * What udp_build() takes. Ports as given (0 is a port). payload: bytes
 * after the header ("udp.payload"), or NULL to append inner data later.
 * no_checksum: send checksum 0 ("not computed"; RFC 768, over IPv4 only:
 * RFC 8200 8.1 forbids it over IPv6, which the builder does not check so
 * a campaign may send it). Otherwise packet_finish() computes it over the
 * pseudo-header of the nearest IP layer before this one.
 */
struct udp_fields {
	uint16_t source_port, destination_port;
	const uint8_t *payload;
	size_t payload_length;
	bool no_checksum;
};

#define UDP_SLOT_CHECKSUM 0 /* the checksum field packet_finish() computes, or PACKET_NONE */
#define UDP_SLOT_LENGTH 1

/* Start a UDP layer (its element stays open). 0 or DL_ENOMEM (p->overflow). */
int udp_build(struct packet *p, const struct udp_fields *f);

extern const struct proto_layer udp_layer;

#endif
