/* lldp: IEEE 802.1AB LLDPDU build, parse and field schema */
#ifndef DUTLAB_PROTO_LLDP_H
#define DUTLAB_PROTO_LLDP_H

/*
 * An LLDPDU (IEEE 802.1AB-2016 8.2) is a list of TLVs, EtherType 0x88cc,
 * sent to a reserved multicast address (the nearest bridge's by default).
 * Schema: the layer "lldp" holds the FIELD_LIST "lldp.tlvs"; every TLV is
 * an element "lldp.<tlv>" holding "lldp.<tlv>.type" (7 bits, ENUM KEY),
 * "lldp.<tlv>.length" (9 bits, length-of "lldp.<tlv>.value") and the
 * element "lldp.<tlv>.value" with the TLV's own fields:
 *   chassis_id          .subtype ENUM KEY, .id ADDRESS (MAC subtype) or BYTES, KEY
 *   port_id             .subtype ENUM KEY, .id ADDRESS (MAC subtype) or BYTES, KEY
 *   ttl                 .seconds UINT KEY (.extra BYTES when longer than 2)
 *   port_description, system_name, system_description   .text BYTES
 *   system_capabilities .capabilities FLAGS, .enabled FLAGS
 *   management_address  .address_length LENGTH (of .address, + 1 for the subtype),
 *                       .address_subtype ENUM, .address ADDRESS KEY, .interface_subtype ENUM,
 *                       .interface_number UINT, .oid_length LENGTH (of .oid), .oid BYTES
 *   dot1_port_vlan_id   .oui ENUM KEY, .subtype ENUM, .pvid UINT KEY (802.1Q D.2.1)
 *   dot3_mac_phy        .oui, .subtype, .autoneg FLAGS, .advertised FLAGS, .mau_type UINT
 *                       (802.3 79.3.1)
 *   org_specific        .oui, .subtype, .info BYTES (any other OUI or subtype)
 *   tlv                 .data BYTES (reserved types 9 to 126)
 *   end                 (an empty value)
 * Management Address and Organizationally Specific TLVs are FIELD_REPEATABLE.
 *
 * The parser follows 802.1AB-2016 9.2.7.7.1: Chassis ID, Port ID and TTL
 * first and in that order, each TLV's length inside the LLDPDU and right
 * for its type; it stops after the End TLV (bytes after it are padding
 * for the dissector) or at the end of the frame (End is optional in 2016).
 */

#include <netinet/in.h>
#include <stdint.h>

struct packet;

#define LLDP_ETHERTYPE 0x88cc
#define LLDP_PDU_MAX 1500 /* one untagged frame's payload */
#define LLDP_TLVS_MAX 64  /* parser bound; the field table fills first */

/* 802.1AB-2016 7.1 Table 7-1: nearest bridge, nearest non-TPMR bridge, nearest customer bridge */
extern const uint8_t lldp_nearest_bridge[6];          /* 01:80:c2:00:00:0e */
extern const uint8_t lldp_nearest_nontpmr_bridge[6];  /* 01:80:c2:00:00:03 */
extern const uint8_t lldp_nearest_customer_bridge[6]; /* 01:80:c2:00:00:00 */

enum lldp_tlv_type {
	LLDP_TLV_END = 0,
	LLDP_TLV_CHASSIS_ID = 1,
	LLDP_TLV_PORT_ID = 2,
	LLDP_TLV_TTL = 3,
	LLDP_TLV_PORT_DESCRIPTION = 4,
	LLDP_TLV_SYSTEM_NAME = 5,
	LLDP_TLV_SYSTEM_DESCRIPTION = 6,
	LLDP_TLV_SYSTEM_CAPABILITIES = 7,
	LLDP_TLV_MANAGEMENT_ADDRESS = 8,
	LLDP_TLV_ORGANIZATIONAL = 127,
};

#define LLDP_OUI_IEEE_8021 0x0080c2
#define LLDP_OUI_IEEE_8023 0x00120f

/* System capabilities bits (802.1AB-2016 8.5.8.1) */
#define LLDP_CAP_OTHER 0x0001
#define LLDP_CAP_REPEATER 0x0002
#define LLDP_CAP_BRIDGE 0x0004
#define LLDP_CAP_WLAN_AP 0x0008
#define LLDP_CAP_ROUTER 0x0010
#define LLDP_CAP_TELEPHONE 0x0020
#define LLDP_CAP_DOCSIS 0x0040
#define LLDP_CAP_STATION 0x0080

/*
 * What lldp_build() takes; zero or NULL is the default said. The LLDPDU
 * holds, in order: Chassis ID (MAC address subtype: chassis_mac), Port ID
 * (interface name subtype: port_name), TTL, Port Description (port_name),
 * System Name, System Description, System Capabilities (bridge and router,
 * bridge enabled), Management Address (when management4 is set: IPv4,
 * ifIndex if_index, OID ifIndex.if_index), 802.1 Port VLAN ID, 802.3
 * MAC/PHY Configuration/Status (autonegotiation on, 1000BASE-T full
 * duplex), End. Strings are cut to 255 bytes.
 */
struct lldp_fields {
	uint8_t chassis_mac[6];
	const char *port_name;          /* NULL or "": "port1" */
	uint16_t ttl;                   /* seconds; 0: 120 */
	const char *system_name;        /* NULL: "dutlab" */
	const char *system_description; /* NULL: "dutlab robustness test" */
	struct in_addr management4;     /* 0.0.0.0: no Management Address TLV */
	uint32_t if_index;              /* 0: 1 */
	uint16_t port_vlan;             /* 0: 1 */
};

/* Append an LLDP layer with the TLVs above (the frame goes to lldp_nearest_bridge with
 * EtherType LLDP_ETHERTYPE: the Ethernet layer's job). 0 or DL_ENOMEM (p->overflow). */
int lldp_build(struct packet *p, const struct lldp_fields *f);

extern const struct proto_layer lldp_layer;

#endif
