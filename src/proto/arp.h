/* arp: RFC 826 ARP (Ethernet hardware, IPv4 protocol) build, parse and field schema */
#ifndef DUTLAB_PROTO_ARP_H
#define DUTLAB_PROTO_ARP_H

/*
 * Fields, in wire order (RFC 826 "Packet format"):
 *   arp.htype       ENUM   hardware type (1 Ethernet)
 *   arp.ptype       ENUM   protocol type (0x0800 IPv4)
 *   arp.hlen        LENGTH length-of arp.sender_mac
 *   arp.plen        LENGTH length-of arp.sender_ip
 *   arp.opcode      ENUM   KEY request, reply, RARP (RFC 903), InARP (RFC 2390)
 *   arp.sender_mac  ADDRESS KEY, arp.sender_ip ADDRESS KEY
 *   arp.target_mac  ADDRESS KEY, arp.target_ip ADDRESS KEY
 * A gratuitous ARP (RFC 5227 3) is a request whose sender_ip and target_ip
 * are both the sender's address, target_mac zero, sent to the broadcast MAC.
 * The parser takes any hlen/plen from 1 to 32 (other hardware and protocol
 * types describe themselves); the builder makes Ethernet/IPv4 only.
 */

#include <netinet/in.h>
#include <stdint.h>

struct packet;

#define ARP_LENGTH 28 /* Ethernet/IPv4: 8 + 2 * 6 + 2 * 4 */
#define ARP_HTYPE_ETHERNET 1
#define ARP_PTYPE_IPV4 0x0800

enum arp_opcode {
	ARP_REQUEST = 1,
	ARP_REPLY = 2,
	ARP_RARP_REQUEST = 3, /* RFC 903 */
	ARP_RARP_REPLY = 4,
	ARP_INARP_REQUEST = 8, /* RFC 2390 */
	ARP_INARP_REPLY = 9,
};

/* What arp_build() takes. opcode 0: ARP_REQUEST. htype 0: Ethernet; ptype 0: IPv4 (other values
 * are written as given, with 6-byte and 4-byte addresses). Addresses in network order. */
struct arp_fields {
	uint16_t opcode;
	uint16_t htype;
	uint16_t ptype;
	uint8_t sender_mac[6];
	struct in_addr sender_ip;
	uint8_t target_mac[6]; /* a request: zero (RFC 826: "don't care") */
	struct in_addr target_ip;
};

/* Append an ARP layer (28 bytes, no padding: the Ethernet layer pads the frame). 0 or DL_ENOMEM
 * (p->overflow). */
int arp_build(struct packet *p, const struct arp_fields *f);

extern const struct proto_layer arp_layer;

#endif
