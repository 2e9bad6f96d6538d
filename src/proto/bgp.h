/* bgp: BGP-4 (RFC 4271) message build, parse and field schema */
#ifndef DUTLAB_PROTO_BGP_H
#define DUTLAB_PROTO_BGP_H

/*
 * One layer "bgp" per message (RFC 4271 4.1): a TCP segment to or from
 * port 179 may carry several, each a layer of its own after the last (the
 * builders and the parser close their layer's element, so the next message
 * is its sibling, not its child). Fields, in wire order:
 *   bgp.marker BYTES (16 x 0xff), bgp.length LENGTH of the layer,
 *   bgp.type ENUM KEY (OPEN 1, UPDATE 2, NOTIFICATION 3, KEEPALIVE 4,
 *   ROUTE-REFRESH 5), then by type:
 * OPEN (4.2): bgp.open.version ENUM KEY, bgp.open.my_as UINT KEY,
 *   bgp.open.hold_time UINT KEY, bgp.open.identifier ADDRESS KEY,
 *   bgp.open.parameters_length LENGTH of the list bgp.open.parameters of
 *   REPEATABLE elements bgp.parameter.<capabilities|other> (bgp.parameter.type
 *   ENUM, bgp.parameter.length LENGTH of the parameter - 2); a capabilities
 *   parameter (RFC 5492 4) holds REPEATABLE elements bgp.capability.<
 *   multiprotocol|route_refresh|as4|add_path|enhanced_route_refresh|other> with
 *   bgp.capability.code
 *   ENUM KEY, bgp.capability.length LENGTH of the capability - 2 and
 *   .afi ENUM, .reserved, .safi ENUM (RFC 4760 8); nothing (RFC 2918 2);
 *   .asn UINT KEY (RFC 6793 3); REPEATABLE elements bgp.capability.add_path.
 *   family of .afi, .safi, .send_receive ENUM (RFC 7911 4); nothing (RFC 7313 3);
 *   or .data BYTES;
 *   any other parameter .data BYTES.
 * UPDATE (4.3): bgp.update.withdrawn_length LENGTH of the list
 *   bgp.update.withdrawn, bgp.update.attributes_length LENGTH of the list
 *   bgp.update.attributes of REPEATABLE elements bgp.attribute.<origin|
 *   as_path|next_hop|med|local_pref|atomic_aggregate|aggregator|communities|
 *   mp_reach|mp_unreach|other>, each with bgp.attribute.flags FLAGS
 *   (optional 0x80, transitive 0x40, partial 0x20, extended length 0x10),
 *   bgp.attribute.type ENUM KEY, bgp.attribute.length (1 byte, or 2 with
 *   the extended length flag) LENGTH of the attribute - 3 (or - 4), then
 *   by type: bgp.origin ENUM KEY; REPEATABLE bgp.as_path.segment elements
 *   (bgp.as_path.segment_type ENUM, bgp.as_path.segment_length COUNT of its
 *   REPEATABLE bgp.as_path.as elements, each one bgp.as_path.asn UINT of 4
 *   bytes, or 2 when only that fills the attribute, RFC 6793 4);
 *   bgp.next_hop ADDRESS KEY; bgp.med; bgp.local_pref; nothing;
 *   bgp.aggregator.as and bgp.aggregator.address; bgp.community UINT each;
 *   bgp.mp.afi ENUM KEY, bgp.mp.safi ENUM KEY, bgp.mp.next_hop_length
 *   LENGTH of bgp.mp.next_hop ADDRESS KEY, bgp.mp.reserved, then the list
 *   bgp.mp_reach.nlri (RFC 4760 3); bgp.mp.afi, bgp.mp.safi, the list
 *   bgp.mp_unreach.withdrawn (RFC 4760 4) (another AFI/SAFI than IPv4 or
 *   IPv6 unicast or multicast: bgp.mp_reach.data, bgp.mp_unreach.data
 *   BYTES); or bgp.attribute.data BYTES;
 *   then the list bgp.update.nlri. Every prefix list holds REPEATABLE
 *   elements bgp.prefix: bgp.prefix.length (bits; a LENGTH without a
 *   relation, since bytes = ceil(bits / 8) is no unit the schema says) and
 *   bgp.prefix.address ADDRESS KEY of the minimal bytes.
 * NOTIFICATION (4.5): bgp.notification.code ENUM KEY, .subcode ENUM KEY
 *   (the code's table), .data BYTES. KEEPALIVE (4.4): the header alone.
 * ROUTE-REFRESH (RFC 2918 3): bgp.route_refresh.afi ENUM KEY, .reserved
 *   (RFC 7313 3.2's Message Subtype: 0 request, 1 BoRR, 2 EoRR), .safi ENUM KEY.
 *
 * The parser refuses, with the reason: a marker not all ones, a length under
 * 19 or over 4096 or past the bytes, a type not 1 to 5, a length wrong for
 * the type, any inner length (parameter, capability, withdrawn routes, path
 * attributes, attribute, segment, next hop) running past what holds it, and
 * a prefix length over 32 (IPv4) or 128 (IPv6). It reads no session state:
 * AS numbers are 4 bytes unless only 2 fit the attribute, and NLRI carry
 * no ADD-PATH path identifiers.
 */

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct packet;
struct proto_layer;

#define BGP_PORT 179
#define BGP_MARKER_LENGTH 16
#define BGP_HEADER_LENGTH 19
#define BGP_MESSAGE_MAX 4096 /* RFC 4271 4.1 (RFC 8654's extended messages are not used) */
#define BGP_AS_TRANS 23456   /* RFC 6793 9 */
#define BGP_VERSION 4

enum bgp_type {
	BGP_OPEN = 1,
	BGP_UPDATE = 2,
	BGP_NOTIFICATION = 3,
	BGP_KEEPALIVE = 4,
	BGP_ROUTE_REFRESH = 5, /* RFC 2918 */
};

/* Capability codes (IANA "Capability Codes") */
enum bgp_capability_code {
	BGP_CAP_MULTIPROTOCOL = 1,           /* RFC 4760 8 */
	BGP_CAP_ROUTE_REFRESH = 2,           /* RFC 2918 2 */
	BGP_CAP_AS4 = 65,                    /* RFC 6793 3 */
	BGP_CAP_ADD_PATH = 69,               /* RFC 7911 4 */
	BGP_CAP_ENHANCED_ROUTE_REFRESH = 70, /* RFC 7313 3 */
};

/* The ROUTE-REFRESH Message Subtype (RFC 7313 3.2: the RFC 2918 Reserved byte) */
enum bgp_refresh_subtype {
	BGP_REFRESH_REQUEST = 0, /* a normal route refresh request */
	BGP_REFRESH_BORR = 1,    /* Beginning of Route Refresh */
	BGP_REFRESH_EORR = 2,    /* End of Route Refresh */
};

/* Path attribute type codes (RFC 4271 5.1, RFC 1997, RFC 4760) */
enum bgp_attribute_type {
	BGP_ATTR_ORIGIN = 1,
	BGP_ATTR_AS_PATH = 2,
	BGP_ATTR_NEXT_HOP = 3,
	BGP_ATTR_MULTI_EXIT_DISC = 4,
	BGP_ATTR_LOCAL_PREF = 5,
	BGP_ATTR_ATOMIC_AGGREGATE = 6,
	BGP_ATTR_AGGREGATOR = 7,
	BGP_ATTR_COMMUNITIES = 8,
	BGP_ATTR_MP_REACH_NLRI = 14,
	BGP_ATTR_MP_UNREACH_NLRI = 15,
};

/* bgp.attribute.flags (RFC 4271 4.3) */
#define BGP_ATTR_FLAG_OPTIONAL 0x80u
#define BGP_ATTR_FLAG_TRANSITIVE 0x40u
#define BGP_ATTR_FLAG_PARTIAL 0x20u
#define BGP_ATTR_FLAG_EXTENDED 0x10u

#define BGP_ORIGIN_IGP 0
#define BGP_ORIGIN_EGP 1
#define BGP_ORIGIN_INCOMPLETE 2

#define BGP_AS_SET 1
#define BGP_AS_SEQUENCE 2

#define BGP_AFI_IPV4 1
#define BGP_AFI_IPV6 2
#define BGP_SAFI_UNICAST 1

/* NOTIFICATION error codes (RFC 4271 4.5) */
enum bgp_error_code {
	BGP_ERROR_HEADER = 1,
	BGP_ERROR_OPEN = 2,
	BGP_ERROR_UPDATE = 3,
	BGP_ERROR_HOLD_TIMER = 4,
	BGP_ERROR_FSM = 5,
	BGP_ERROR_CEASE = 6,
	BGP_ERROR_ROUTE_REFRESH = 7, /* RFC 7313 5 */
};

/* bgp_open_fields.capabilities: which capabilities the OPEN carries */
#define BGP_OPEN_CAP_IPV4_UNICAST 0x01u /* multiprotocol IPv4 unicast */
#define BGP_OPEN_CAP_IPV6_UNICAST 0x02u /* multiprotocol IPv6 unicast */
#define BGP_OPEN_CAP_ROUTE_REFRESH 0x04u
#define BGP_OPEN_CAP_AS4 0x08u
#define BGP_OPEN_CAP_ADD_PATH 0x10u         /* IPv4 unicast, send and receive */
#define BGP_OPEN_CAP_ENHANCED_REFRESH 0x20u /* enhanced route refresh (RFC 7313), after AS4 */
#define BGP_OPEN_CAP_NONE 0x80u             /* no optional parameter at all */
#define BGP_OPEN_CAP_DEFAULT                                                                       \
	(BGP_OPEN_CAP_IPV4_UNICAST | BGP_OPEN_CAP_IPV6_UNICAST | BGP_OPEN_CAP_ROUTE_REFRESH |      \
	 BGP_OPEN_CAP_AS4)

/*
 * What bgp_build_open() takes; zero is the default said. my_as 0: 65001.
 * An AS over 65535 goes in the 2-byte field as AS_TRANS (and whole in the
 * 4-octet AS capability, which is then always sent). hold_time 0: 90
 * seconds (a zero hold time is a mutation's job). identifier 0.0.0.0:
 * 198.18.0.1. capabilities 0: BGP_OPEN_CAP_DEFAULT, in one Capabilities
 * optional parameter in the order of the bits.
 */
struct bgp_open_fields {
	uint32_t my_as;
	uint16_t hold_time;
	struct in_addr identifier;
	uint8_t capabilities;
};

struct bgp_prefix4 {
	struct in_addr address;
	uint8_t length; /* bits, 0..32 */
};

struct bgp_prefix6 {
	struct in6_addr address;
	uint8_t length; /* bits, 0..128 */
};

/* bgp_update_fields.attributes: the optional attributes to send */
#define BGP_UPDATE_MED 0x01u
#define BGP_UPDATE_LOCAL_PREF 0x02u
#define BGP_UPDATE_ATOMIC_AGGREGATE 0x04u
#define BGP_UPDATE_AGGREGATOR 0x08u

#define BGP_UPDATE_PREFIXES_MAX 64 /* of each list */
#define BGP_AS_PATH_MAX 64         /* ASNs in the one AS_SEQUENCE */
#define BGP_COMMUNITIES_MAX 64

/*
 * What bgp_build_update() takes. All zero is an IPv4 End-of-RIB marker
 * (RFC 4724 2: no withdrawn routes, no attributes, no NLRI). Withdrawn
 * IPv4 routes go in the withdrawn routes field. When there are IPv4 nlri
 * or IPv6 nlri6, the path attributes are, in type order: ORIGIN (origin),
 * AS_PATH (one AS_SEQUENCE of as_path, 4-byte ASNs; empty when
 * as_path_count is 0), NEXT_HOP (next_hop; only with IPv4 nlri), MED
 * (med), LOCAL_PREF (local_pref), ATOMIC_AGGREGATE, AGGREGATOR
 * (aggregator_as, aggregator) as attributes says, COMMUNITIES when
 * community_count, MP_REACH_NLRI for nlri6 (IPv6 unicast, next hop
 * next_hop6, 16 bytes), MP_UNREACH_NLRI when withdrawn6_count (then alone
 * if there are no nlri).
 */
struct bgp_update_fields {
	const struct bgp_prefix4 *withdrawn;
	size_t withdrawn_count;
	uint8_t origin;
	const uint32_t *as_path;
	size_t as_path_count;
	struct in_addr next_hop;
	uint8_t attributes;
	uint32_t med, local_pref;
	uint32_t aggregator_as;
	struct in_addr aggregator;
	const uint32_t *communities;
	size_t community_count;
	const struct bgp_prefix4 *nlri;
	size_t nlri_count;
	struct in6_addr next_hop6;
	const struct bgp_prefix6 *nlri6;
	size_t nlri6_count;
	const struct bgp_prefix6 *withdrawn6;
	size_t withdrawn6_count;
};

/*
 * Each builder appends one message as a layer of its own (standalone in an
 * empty packet, or inside an open TCP layer), closes it, and returns 0,
 * DL_ENOMEM (p->overflow) or DL_EINVAL (a prefix length over 32/128, more
 * than the _MAX entries, a message over 4096 bytes, NULL data with a
 * length; overflow is set too, so packet_finish() fails). packet_finish()
 * computes every length.
 */
int bgp_build_open(struct packet *p, const struct bgp_open_fields *f);
int bgp_build_update(struct packet *p, const struct bgp_update_fields *f);
int bgp_build_keepalive(struct packet *p);
/* data: the NOTIFICATION's data (data_length bytes, NULL when 0). */
int bgp_build_notification(struct packet *p, uint8_t code, uint8_t subcode, const uint8_t *data,
			   size_t data_length);
/* afi 0: IPv4, safi 0: unicast. */
int bgp_build_route_refresh(struct packet *p, uint16_t afi, uint8_t safi);
/* The same with RFC 7313's Message Subtype in the Reserved byte (enum bgp_refresh_subtype:
 * a request, BoRR or EoRR; any other value is sent as it is). */
int bgp_build_route_refresh_subtype(struct packet *p, uint16_t afi, uint8_t safi, uint8_t subtype);

extern const struct proto_layer bgp_layer;

#endif
