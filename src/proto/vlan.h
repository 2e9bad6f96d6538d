/* vlan: IEEE 802.1Q tags, single and double (802.1ad QinQ): build, parse and field schema */
#ifndef DUTLAB_PROTO_VLAN_H
#define DUTLAB_PROTO_VLAN_H

/*
 * A tag is the layer after a TPID: the type field of the layer before it
 * (ethernet.type, or the outer vlan.type) holds 0x8100 (C-tag) or 0x88a8
 * (S-tag, the outer tag of QinQ), as Wireshark and tcpdump split it. The
 * layer is the 2-byte TCI (IEEE 802.1Q 9.6: PCP 3 bits, DEI 1, VID 12)
 * and the type/length of what follows.
 *
 * Fields: vlan.pcp (UINT, bits 15-13), vlan.dei (FLAGS, bit 12), vlan.vid
 * (IDENTIFIER, key, bits 11-0; 0 a priority tag, 4095 reserved), vlan.type
 * (ENUM of ethertype_values, key) or vlan.length (LENGTH, key: 802.3).
 * Double tagging: ethernet (type 0x88a8), vlan (outer, type 0x8100), vlan
 * (inner, type of the payload).
 */

#include <stdint.h>

struct packet;

#define VLAN_TAG_LEN 4 /* TCI and type, after the TPID in the layer before */
#define VLAN_VID_MAX 4094

/* Slots: ETHERNET_SLOT_TYPE (0) is the type/length, as in an Ethernet layer. */
#define VLAN_SLOT_VID 3
#define VLAN_SLOT_PCP 4

struct vlan_fields {
	uint8_t pcp;   /* priority code point, 0..7 */
	uint8_t dei;   /* drop eligible, 0 or 1 */
	uint16_t vid;  /* VLAN id, 0 (priority tag) .. 4094 */
	uint16_t type; /* the EtherType that follows; 0: an 802.3 length (llc_build next) */
};

/* Append one tag; inner tags and layers follow. 0 or DL_ENOMEM. */
int vlan_build(struct packet *p, const struct vlan_fields *f);

extern const struct proto_layer vlan_layer;

#endif
