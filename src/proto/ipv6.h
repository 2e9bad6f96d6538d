/* ipv6: IPv6 (RFC 8200) header and extension headers build, parse, field schema and
 * fragmentation */
#ifndef DUTLAB_PROTO_IPV6_H
#define DUTLAB_PROTO_IPV6_H

/*
 * Layers and fields, in wire order:
 *   ipv6       ipv6.version (4 bits, ENUM), ipv6.traffic_class (8 bits),
 *              ipv6.flow_label (20 bits, IDENTIFIER), ipv6.payload_length
 *              (LENGTH of the element ipv6.payload), ipv6.next_header (ENUM,
 *              KEY), ipv6.hop_limit, ipv6.source and ipv6.destination
 *              (ADDRESS, KEY); then the element ipv6.payload, which holds the
 *              extension headers and the upper layer.
 *   ipv6-hop-by-hop, ipv6-destination-options (RFC 8200 4.3, 4.6): the
 *              element <name>.header holds <name>.next_header, <name>.length
 *              (Hdr Ext Len: LENGTH of the header, unit 8, adjust -1) and the
 *              list <name>.options of <name>.option elements (type, length =
 *              LENGTH of <name>.option.data, and the data: Pad1, PadN,
 *              Router Alert (RFC 2711), Jumbo Payload (RFC 2675), others as
 *              bytes).
 *   ipv6-routing (RFC 8200 4.4): next_header, length, type (0 RFC 5095,
 *              2 RFC 6275, 4 segment routing RFC 8754), segments_left (KEY)
 *              and the type's data: reserved + the list ipv6-routing.addresses
 *              (types 0 and 2), or last_entry (COUNT of the segment list,
 *              adjust -1), flags, tag and the list ipv6-routing.segments
 *              (type 4); other types: ipv6-routing.data bytes.
 *   ipv6-fragment (RFC 8200 4.5): next_header, reserved, offset (13 bits,
 *              8-byte units, KEY), reserved bits, more (M flag, KEY) and
 *              identification (KEY); has no Hdr Ext Len (the header is 8
 *              bytes). A fragment that is not atomic carries its bytes as
 *              ipv6-fragment.data.
 * Each next_header is derived at packet_finish() from the layer that
 * follows it inside the IPv6 payload (0 hop-by-hop, 6 tcp, 17 udp, 41
 * ipv6, 43 routing, 44 fragment, 58 icmpv6, 60 destination options); with
 * no model layer after it, the builder's value stays (59 by default).
 */

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct dl_error;
struct packet;

#define IPV6_HEADER_LENGTH 40
#define IPV6_MIN_MTU 1280 /* RFC 8200 5 */

/* Slots of the ipv6 layer: IP_SLOT_SOURCE (0) and IP_SLOT_DESTINATION (1) as in ipv4.h (the
 * pseudo-header's addresses; slot 1 is the final destination, RFC 8200 8.1), then its own. */
#define IPV6_SLOT_SOURCE 0
#define IPV6_SLOT_FINAL_DESTINATION 1
#define IPV6_SLOT_NEXT_HEADER 2
#define IPV6_SLOT_PAYLOAD 3     /* the element ipv6.payload */
#define IPV6_SLOT_DESTINATION 4 /* ipv6.destination itself */
#define IPV6_SLOT_DERIVE 5      /* ipv6.next_header when the builder derives it, else none */
/* Slots of an extension header layer */
#define IPV6_EXT_SLOT_NEXT_HEADER 0
#define IPV6_EXT_SLOT_HEADER 1 /* the element <name>.header */
#define IPV6_EXT_SLOT_DERIVE 2 /* <name>.next_header when derived */

/* IANA "Assigned Internet Protocol Numbers" that IPv6 headers chain with */
enum ipv6_next_header {
	IPV6_NEXT_HOP_BY_HOP = 0,
	IPV6_NEXT_TCP = 6,
	IPV6_NEXT_UDP = 17,
	IPV6_NEXT_IPV6 = 41,
	IPV6_NEXT_ROUTING = 43,
	IPV6_NEXT_FRAGMENT = 44,
	IPV6_NEXT_ICMPV6 = 58,
	IPV6_NEXT_NONE = 59,
	IPV6_NEXT_DESTINATION_OPTIONS = 60,
};

/*
 * What ipv6_build() takes; zero is the default where one is said.
 * hop_limit 0: 64. next_header 0: derived from the layer that follows at
 * packet_finish(), 59 (No Next Header) when none follows.
 */
struct ipv6_fields {
	uint8_t traffic_class;
	uint32_t flow_label; /* 20 bits */
	uint8_t hop_limit;
	uint8_t next_header;
	struct in6_addr source, destination;
};

/* Start an IPv6 layer; the caller appends extension headers and the payload layers, then calls
 * packet_finish(). 0 or DL_ENOMEM (p->overflow). The extension header builders below return
 * the same, or DL_EINVAL (with overflow set) for fields that cannot be written. */
int ipv6_build(struct packet *p, const struct ipv6_fields *f);

/* Option types of hop-by-hop and destination options (IANA "Destination Options and Hop-by-Hop
 * Options"); the two high bits say what a node that does not know it does (RFC 8200 4.2). */
enum ipv6_option_type {
	IPV6_OPTION_PAD1 = 0x00,
	IPV6_OPTION_PADN = 0x01,
	IPV6_OPTION_TUNNEL_LIMIT = 0x04, /* RFC 2473 */
	IPV6_OPTION_ROUTER_ALERT = 0x05, /* RFC 2711 */
	IPV6_OPTION_JUMBO = 0xc2,        /* RFC 2675 */
	IPV6_OPTION_HOME_ADDRESS = 0xc9, /* RFC 6275 */
};

/* Router Alert values (RFC 2711, IANA "IPv6 Router Alert Option Values") */
#define IPV6_ROUTER_ALERT_MLD 0
#define IPV6_ROUTER_ALERT_RSVP 1

/*
 * One option. Pad1: the type alone. PadN: data_length zero bytes (the
 * option is 2 + data_length long). Router Alert: value (16 bits). Jumbo
 * Payload: value (32 bits). Any other type: data/data_length as given.
 * The builder puts Pad1/PadN before Router Alert (2n) and Jumbo (4n+2) as
 * their alignment asks, and pads the header to a multiple of 8 bytes.
 */
struct ipv6_option {
	uint8_t type;
	uint32_t value;
	const uint8_t *data;
	size_t data_length;
};

#define IPV6_OPTIONS_MAX 16
#define IPV6_EXT_LENGTH_MAX 2048 /* (255 + 1) * 8: the largest Hdr Ext Len says */

/* What the hop-by-hop and destination options builders take. next_header 0: derived from the
 * layer that follows, as for ipv6_fields. At most IPV6_OPTIONS_MAX options; DL_EINVAL (and
 * overflow) when they do not fit IPV6_EXT_LENGTH_MAX. */
struct ipv6_options_fields {
	uint8_t next_header;
	const struct ipv6_option *options;
	size_t option_count;
};

int ipv6_hop_by_hop_build(struct packet *p, const struct ipv6_options_fields *f);
int ipv6_destination_options_build(struct packet *p, const struct ipv6_options_fields *f);

enum ipv6_routing_type {
	IPV6_ROUTING_SOURCE = 0,  /* deprecated by RFC 5095: what a DUT must refuse */
	IPV6_ROUTING_TYPE2 = 2,   /* RFC 6275 6.4: one home address */
	IPV6_ROUTING_RPL = 3,     /* RFC 6554, built as data */
	IPV6_ROUTING_SEGMENT = 4, /* RFC 8754: SRv6 segment routing header */
};

#define IPV6_ROUTING_ADDRESSES_MAX 16

/*
 * What ipv6_routing_build() takes. Types 0, 2 and 4 take addresses (type 2:
 * exactly one); for type 4 addresses[0] is Segment List[0], the last
 * segment (RFC 8754 2). Other types: data (padded to 8-byte units; 4 bytes
 * of it follow segments left). segments_left as given (0: the packet is at
 * its final destination, so the pseudo-header uses ipv6.destination; else
 * the ipv6 layer's IPV6_SLOT_FINAL_DESTINATION points at the last address,
 * or Segment List[0]). next_header 0: derived, as for ipv6_fields.
 */
struct ipv6_routing_fields {
	uint8_t next_header;
	uint8_t type;
	uint8_t segments_left;
	uint8_t flags; /* type 4 */
	uint16_t tag;  /* type 4 */
	const struct in6_addr *addresses;
	size_t address_count;
	const uint8_t *data;
	size_t data_length;
};

/* 0, DL_ENOMEM or DL_EINVAL (more than IPV6_ROUTING_ADDRESSES_MAX addresses, type 4 without
 * one, data that does not fit); overflow is set on failure, so packet_finish() fails. */
int ipv6_routing_build(struct packet *p, const struct ipv6_routing_fields *f);

/* What ipv6_fragment_build() takes: offset in 8-byte units (13 bits), more = the M flag. */
struct ipv6_fragment_fields {
	uint8_t next_header;
	uint16_t offset;
	bool more;
	uint32_t identification;
};

/* A Fragment header layer; when data_length > 0 (a fragment), data follows as
 * ipv6-fragment.data. next_header 0: derived, 59 with data. 0, DL_ENOMEM or DL_EINVAL. */
int ipv6_fragment_build(struct packet *p, const struct ipv6_fragment_fields *f, const uint8_t *data,
			size_t data_length);

/*
 * One fragment for ipv6_fragment(): offset and length in bytes of the
 * fragmentable part (RFC 8200 4.5: what follows the headers every node
 * processes: hop-by-hop, routing, destination options before routing).
 * offset must be a multiple of 8; ranges may overlap or leave gaps, as the
 * caller chooses. more: 0 sets M unless the range reaches the end;
 * IPV6_FRAGMENT_MORE / IPV6_FRAGMENT_LAST force it (as in ipv4.h).
 */
#define IPV6_FRAGMENT_MORE 1
#define IPV6_FRAGMENT_LAST 2
struct ipv6_fragment_range {
	uint32_t offset;
	uint32_t length;
	uint8_t more;
};

/*
 * Split the first IPv6 packet of a finished frame into one frame per
 * range, in frames[0..count): the outer layers (Ethernet, VLAN), the IPv6
 * header and the unfragmentable extension headers copied with their
 * schema, then a Fragment header (identification, offset, M; its
 * next_header the first fragmentable header's type) and the range's bytes
 * as ipv6-fragment.data; each frame packet_finish()ed (payload length set).
 * 0; DL_EINVAL (no IPv6 layer, a range outside the fragmentable part, an
 * offset not a multiple of 8, more ranges than max) or DL_ENOMEM.
 */
int ipv6_fragment(const struct packet *whole, const struct ipv6_fragment_range *ranges,
		  size_t range_count, uint32_t identification, struct packet *frames, size_t max,
		  size_t *count, struct dl_error *err);

/* Ranges that cut whole's fragmentable part every size bytes (size a multiple of 8, not 0). 0 or
 * DL_EINVAL. */
int ipv6_fragment_even(const struct packet *whole, uint32_t size,
		       struct ipv6_fragment_range *ranges, size_t max, size_t *count,
		       struct dl_error *err);

/* The index in p->layers of the first ipv6 layer, or PACKET_NONE. */
int ipv6_layer_first(const struct packet *p);

extern const struct proto_layer ipv6_layer;
extern const struct proto_layer ipv6_hop_by_hop_layer;
extern const struct proto_layer ipv6_routing_layer;
extern const struct proto_layer ipv6_fragment_layer;
extern const struct proto_layer ipv6_destination_options_layer;

#endif
