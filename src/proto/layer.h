/* layer: the descriptor every packet model exports, and the dissector that parses a frame through
 * them */
#ifndef DUTLAB_PROTO_LAYER_H
#define DUTLAB_PROTO_LAYER_H

/*
 * One const struct proto_layer per protocol model (src/proto/ethernet.c
 * exports ethernet_layer, arp.c arp_layer, ...), all listed in one table
 * (proto_layers[] in layer.c), like zmap's probe modules. A model's own
 * header declares its builder, which takes a few fields and the packet
 * (ipv4_build(p, &fields)); the descriptor carries what the generic code
 * calls: the fixup that packet_finish() runs and the parser.
 *
 * Parsing fills a struct packet with the same fields a build declares, so a
 * test can build, parse back and compare, and the health monitors and the
 * fuzz targets read frames the same way.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct cursor;
struct dl_error;
struct packet;

/* What follows a layer on the wire, for the dissector's dispatch. */
enum layer_next {
	LAYER_NEXT_NONE,        /* the payload is opaque or absent */
	LAYER_NEXT_ETHERTYPE,   /* value: an EtherType (0x0800, 0x86dd, 0x8100, 0x88cc...) */
	LAYER_NEXT_LLC,         /* an 802.3 length field: LLC (and SNAP) follows */
	LAYER_NEXT_IP_PROTOCOL, /* value: an IP protocol / IPv6 next header number */
	LAYER_NEXT_TCP_PORT,    /* value: the TCP port whose model reads the payload (179) */
	LAYER_NEXT_UDP_PORT,    /* value: the UDP port whose model reads the payload (520) */
};

struct layer_parse_result {
	enum layer_next next;
	uint32_t value;
};

struct proto_layer {
	const char *name;  /* "ipv4": in field names, profiles, coverage and reports */
	const char *title; /* "IPv4 (RFC 791) with options and fragments" */
	/*
	 * Recompute this layer's checksums (and anything else derived that a
	 * FIELD_LENGTH or FIELD_COUNT relation cannot say), through
	 * packet_put_derived(). layer is the index in packet.layers; the slots
	 * the builder filled say where the fields are. NULL: nothing to do.
	 */
	void (*fixup)(struct packet *p, int layer);
	/*
	 * Parse this layer from the cursor (positioned at its first byte)
	 * into p: begin the layer, declare the fields as the builder would,
	 * and say what comes next. 0, or DL_EPROTO with the cursor's reason.
	 */
	int (*parse)(struct packet *p, struct cursor *c, struct layer_parse_result *next);
};

/* Every model, for `dutlab fuzz --list`, coverage and tests. */
extern const struct proto_layer *const proto_layers[];
extern const size_t proto_layer_count;

const struct proto_layer *proto_layer_find(const char *name);

/* Does a model parse what follows as next and value say? For a transport layer deciding
 * whether its payload is bytes or the next layer's (TCP port 179: bgp). */
bool proto_dispatches(enum layer_next next, uint32_t value);

/*
 * Parse a whole Ethernet frame into p through the models: Ethernet, then
 * 802.1Q tags, then by EtherType (ARP, IPv4, IPv6, LLDP, MAC Control, LLC),
 * then by IP protocol (ICMPv4, ICMPv6, UDP, TCP, OSPF 89, IPv6 extension headers),
 * then by TCP port (BGP on 179, either way: every message of the segment)
 * and by UDP port (RIP on 520, either way).
 * A payload no model knows stays a FIELD_BYTES "payload". 0, or DL_EPROTO
 * with "frame: offset N: reason" in err.
 */
int proto_dissect(struct packet *p, const uint8_t *frame, size_t length, struct dl_error *err);

/*
 * For parsers: append the cursor's next n bytes to p (the bytes end up in
 * p->bytes, every open element grows) and set *offset to where they are.
 * 0, DL_EPROTO (the cursor records why) or DL_ENOMEM (p->overflow).
 */
int proto_take(struct packet *p, struct cursor *c, size_t n, uint32_t *offset);

/*
 * For parsers that know where their layer ends on the wire (an 802.3
 * length, an IPv4 total length): the bytes after the next n are not theirs
 * nor any inner layer's; proto_dissect() declares them "ethernet.padding"
 * in the Ethernet layer, outside every inner layer. DL_EPROTO if n passes
 * the cursor's end.
 */
int proto_limit(struct cursor *c, size_t n);

#endif
