/* ethernet: Ethernet II and IEEE 802.3 with LLC and SNAP: build, parse and field schema */
#ifndef DUTLAB_PROTO_ETHERNET_H
#define DUTLAB_PROTO_ETHERNET_H

/*
 * The Ethernet layer is the 14-byte header (IEEE 802.3 3.1.1): destination,
 * source and a type/length field that is an EtherType (>= 0x0600, Ethernet
 * II) or the length of the LLC data that follows (<= 1500, IEEE 802.3
 * with an LLC layer, IEEE 802.2 and SNAP, IEEE 802 5.3). An 802.1Q tag is
 * its own layer (vlan.h) after an Ethernet layer of type 0x8100 or 0x88a8.
 * No FCS: the NIC adds it.
 *
 * Fields: ethernet.destination (ADDRESS, key), ethernet.source (ADDRESS),
 * ethernet.type (ENUM of ethertype_values, key) or ethernet.length
 * (LENGTH, key: of the LLC layer when one follows), ethernet.padding
 * (BYTES, after ethernet_pad() or on a parsed short frame).
 * llc.dsap, llc.ssap (ENUM), llc.control (IDENTIFIER, 1 byte for U-format,
 * 2 for I/S), and with SNAP llc.snap.oui (BYTES) and llc.snap.type (ENUM).
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto/packet.h" /* struct field_value, for ethertype_values[] */

struct cursor;
struct layer_parse_result;
struct packet;

#define ETHERNET_HEADER_LEN 14
#define ETHERNET_MIN_FRAME 60    /* without the FCS (IEEE 802.3 4.4.2: 64 with it) */
#define ETHERNET_MAX_LENGTH 1500 /* the largest 802.3 length value */
#define ETHERTYPE_MIN 0x0600     /* type/length values from here on are EtherTypes */

#define ETHERTYPE_IPV4 0x0800
#define ETHERTYPE_ARP 0x0806
#define ETHERTYPE_VLAN 0x8100 /* IEEE 802.1Q C-tag */
#define ETHERTYPE_IPV6 0x86dd
#define ETHERTYPE_MAC_CONTROL 0x8808
#define ETHERTYPE_QINQ 0x88a8 /* IEEE 802.1ad S-tag: the outer tag of QinQ */
#define ETHERTYPE_LLDP 0x88cc
#define ETHERTYPE_QINQ_OLD 0x9100 /* pre-802.1ad double tagging, still seen */

/* Slots of an Ethernet (and a VLAN) layer in packet.layers[].slots. */
#define ETHERNET_SLOT_TYPE 0 /* the type/length field: an LLC layer relates an 802.3 length */
#define ETHERNET_SLOT_DESTINATION 1
#define ETHERNET_SLOT_SOURCE 2

/* EtherTypes dutlab knows by name (ethernet.type, vlan.type, llc.snap.type). */
extern const struct field_value ethertype_values[];

struct ethernet_fields {
	uint8_t destination[6]; /* all zero: broadcast ff:ff:ff:ff:ff:ff */
	uint8_t source[6];      /* all zero: 02:00:00:00:00:01 (locally administered) */
	uint16_t type; /* the EtherType that follows; 0: IEEE 802.3, a length (llc_build next) */
};

/* Append the Ethernet header; inner layers follow. 0 or DL_ENOMEM (p->overflow). */
int ethernet_build(struct packet *p, const struct ethernet_fields *f);

/*
 * Pad the frame with zeros to ETHERNET_MIN_FRAME bytes as ethernet.padding,
 * outside every inner layer (closes them): call it last, before
 * packet_finish(). No-op for a long enough frame or without an Ethernet
 * layer. 0 or DL_ENOMEM.
 */
int ethernet_pad(struct packet *p);

extern const struct proto_layer ethernet_layer;

struct llc_fields {
	uint8_t dsap, ssap; /* as given; with snap, 0 means 0xaa */
	uint16_t control;   /* 0: 0x03 (UI); (control & 3) == 3 is one byte (U), else two (I, S) */
	bool snap;          /* a SNAP header follows (IEEE 802 5.3) */
	uint8_t oui[3];     /* SNAP: 00-00-00 (RFC 1042) means snap_type is an EtherType */
	uint16_t snap_type; /* SNAP protocol id */
};

/* Append an LLC (and SNAP) header after an 802.3 Ethernet or VLAN layer,
 * whose length field then measures this layer. 0 or DL_ENOMEM. */
int llc_build(struct packet *p, const struct llc_fields *f);

extern const struct proto_layer llc_layer;

/*
 * The next layer after a type/length field at absolute offset at, shared by
 * Ethernet and VLAN: an EtherType, or an 802.3 length (checked against the
 * cursor, which is limited to it: what follows is padding). 0 or DL_EPROTO.
 */
int ethernet_type_next(struct cursor *c, uint16_t type, size_t at, struct layer_parse_result *next);

/* Declare n bytes of padding (data, or zeros when NULL) at the frame's end
 * as ethernet.padding, held by the first Ethernet layer and outside every
 * inner layer (which it closes). 0 or DL_ENOMEM. */
int ethernet_padding(struct packet *p, const uint8_t *data, size_t n);

/* Declare a type/length field (ethernet.type or ethernet.length, vlan.type
 * or vlan.length) at offset, relating a length to the current layer's
 * element minus header bytes. Returns the field's index. */
int ethernet_type_field(struct packet *p, const char *type_name, const char *length_name,
			uint32_t offset, uint16_t type, int32_t header);

#endif
