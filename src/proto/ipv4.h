/* ipv4: IPv4 (RFC 791) header with options build, parse, field schema and fragmentation */
#ifndef DUTLAB_PROTO_IPV4_H
#define DUTLAB_PROTO_IPV4_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Fields, in wire order: the layer element ipv4 holds the element
 * ipv4.header (ipv4.version 4 bits ENUM, ipv4.ihl 4 bits LENGTH of
 * ipv4.header unit 4, ipv4.dscp 6 bits, ipv4.ecn 2 bits ENUM,
 * ipv4.total_length LENGTH of the layer, ipv4.identification IDENTIFIER,
 * ipv4.flags 3 bits FLAGS (reserved, DF, MF), ipv4.fragment_offset 13 bits,
 * ipv4.ttl, ipv4.protocol ENUM KEY, ipv4.checksum CHECKSUM of ipv4.header,
 * ipv4.source and ipv4.destination ADDRESS KEY, then the list ipv4.options
 * of REPEATABLE elements ipv4.option.<eol|nop|record_route|timestamp|
 * security|lsrr|ssrr|stream_id|router_alert|other>, each with
 * ipv4.option.type (ENUM) and, past EOL and NOP, ipv4.option.length
 * (LENGTH of the option) and its body: pointer and route addresses;
 * pointer, overflow, ts_flag (ENUM), [address,] timestamp...; value;
 * classification (ENUM) and authority; or data; and ipv4.padding after an
 * EOL), then the payload's layers (or ipv4.payload when quoted). The
 * checksum covers IHL * 4 bytes as a receiver reads them.
 */

struct cursor;
struct dl_error;
struct layer_parse_result;
struct packet;
struct proto_layer;

/*
 * Slots of an IP layer (ipv4 here, ipv6 in ipv6.c) that pseudo-header
 * checksums read (udp.c, tcp.c, and icmpv6.c): the source address field
 * and the destination address field of the pseudo-header (for IPv6 the
 * final destination, RFC 8200 8.1). Their size says the family (4 or 16).
 * Agreed in /work/notes/issue6-slots.md.
 */
#define IP_SLOT_SOURCE 0
#define IP_SLOT_DESTINATION 1
/* ipv4's own slots */
#define IPV4_SLOT_CHECKSUM 2
#define IPV4_SLOT_PROTOCOL 3 /* set when the builder derives the protocol from the next layer */
#define IPV4_SLOT_IHL 4
#define IPV4_SLOT_TOTAL_LENGTH 5

#define IPV4_HEADER_MIN 20
#define IPV4_HEADER_MAX 60
#define IPV4_OPTIONS_MAX 16

/* ipv4.flags (3 bits): the reserved ("evil") bit, Don't Fragment, More Fragments */
#define IPV4_FLAG_RESERVED 0x4u
#define IPV4_FLAG_DF 0x2u
#define IPV4_FLAG_MF 0x1u

/* Option types (copied flag, class and number; IANA "IP Option Numbers") */
enum ipv4_option_type {
	IPV4_OPT_EOL = 0,
	IPV4_OPT_NOP = 1,
	IPV4_OPT_RECORD_ROUTE = 7,
	IPV4_OPT_TIMESTAMP = 68,
	IPV4_OPT_SECURITY = 130, /* RFC 1108 */
	IPV4_OPT_LSRR = 131,
	IPV4_OPT_STREAM_ID = 136,
	IPV4_OPT_SSRR = 137,
	IPV4_OPT_ROUTER_ALERT = 148, /* RFC 2113 */
};

/*
 * One option for the builder. EOL and NOP are one byte. Record Route and
 * the source routes: pointer (0: 4, the first slot) and data = the route
 * data, a multiple of 4 bytes (zeros: empty slots). Timestamp: pointer (0:
 * 5), ts_flag (0 timestamps only, 1 address + timestamp, 3 prespecified)
 * and data = the timestamp slots, a multiple of 4 (8 with addresses).
 * Router Alert: value (0: "examine packet"). Stream ID: value. Security:
 * value = classification level (0: Unclassified, 0xab), data = protection
 * authority flags. Any other type: data after type and length.
 */
struct ipv4_option {
	uint8_t type;
	uint8_t pointer;
	uint8_t ts_flag;
	uint16_t value;
	const uint8_t *data;
	size_t data_length;
};

/*
 * What ipv4_build() takes; zero is the default where one is said.
 * protocol 0: derived at packet_finish() from the layer that follows (1
 * icmpv4, 6 tcp, 17 udp, 41 ipv6, 4 ipv4), else 0. ttl 0: 64. flags:
 * IPV4_FLAG_*; fragment_offset in 8-byte units. Options are padded to a
 * 4-byte boundary with an EOL option (and zero bytes, "ipv4.padding").
 */
struct ipv4_fields {
	uint8_t dscp, ecn;
	uint16_t identification;
	uint8_t flags;
	uint16_t fragment_offset;
	uint8_t ttl;
	uint8_t protocol;
	struct in_addr source, destination;
	const struct ipv4_option *options;
	size_t option_count;
};

/* Start an IPv4 layer; the caller appends the payload layers and calls packet_finish(). 0,
 * DL_ENOMEM (p->overflow) or DL_EINVAL (options that do not fit 40 bytes or a bad data length;
 * overflow is set too, so packet_finish() fails). */
int ipv4_build(struct packet *p, const struct ipv4_fields *f);

/*
 * Parse an IPv4 header quoted inside an ICMP error (RFC 792): the same
 * fields as a layer, but the datagram may be cut short of its total
 * length, whose relation is then not declared. When the quoted datagram
 * is whole (total length = the bytes carried, not a fragment) next says
 * its protocol and the cursor stays at its payload for the caller to
 * parse; otherwise the bytes after the header become "ipv4.payload" and
 * next is LAYER_NEXT_NONE. 0 or DL_EPROTO (cursor reason).
 */
int ipv4_parse_quoted(struct packet *p, struct cursor *c, struct layer_parse_result *next);

/*
 * One fragment for ipv4_fragment(): offset and length in bytes of the
 * original datagram's payload. offset must be a multiple of 8; the
 * fragments may overlap or leave gaps (the caller chooses). more: 0 sets
 * More Fragments unless the range reaches the payload's end;
 * IPV4_FRAGMENT_MORE / IPV4_FRAGMENT_LAST force it.
 */
#define IPV4_FRAGMENT_MORE 1
#define IPV4_FRAGMENT_LAST 2
struct ipv4_fragment_range {
	uint32_t offset;
	uint32_t length;
	uint8_t more;
};

/*
 * Split the first IPv4 datagram of a finished frame into one frame per
 * range, in frames[0..count): the outer layers (Ethernet, VLAN) copied,
 * the IPv4 header copied with its offset, MF, total length and checksum
 * set (options without the copied flag only in the fragment at offset 0,
 * RFC 791 3.2), and the payload's bytes from the range. Each frame keeps
 * the schema; fields of the inner layers are frozen (their lengths and
 * checksums describe the whole datagram). 0; DL_EINVAL (no IPv4 layer, a
 * range outside the payload, an offset not a multiple of 8, more ranges
 * than max) or DL_ENOMEM.
 */
int ipv4_fragment(const struct packet *whole, const struct ipv4_fragment_range *ranges,
		  size_t range_count, struct packet *frames, size_t max, size_t *count,
		  struct dl_error *err);

/* Ranges that cut the payload of whole's first IPv4 layer every size bytes (size a multiple
 * of 8): the plain fragmentation a router does. 0 or DL_EINVAL. */
int ipv4_fragment_even(const struct packet *whole, uint32_t size,
		       struct ipv4_fragment_range *ranges, size_t max, size_t *count,
		       struct dl_error *err);

/* The index in p->layers of the nearest IP layer (ipv4 or ipv6) before layer, or PACKET_NONE. */
int ip_layer_enclosing(const struct packet *p, int layer);

/* The one's-complement sum of the pseudo-header (RFC 768, RFC 9293 3.1, RFC 8200 8.1) of the
 * IP layer ip for an upper-layer packet of length bytes and protocol; 0 when ip has no usable
 * address slots. */
uint32_t ip_pseudo_sum(const struct packet *p, int ip, uint8_t protocol, uint32_t length);

/* Write the Internet checksum of the checksum field's target (with the field zeroed), started
 * from sum (a pseudo-header's), unless the field is frozen or removed. zero_as_ones: UDP sends
 * a computed 0 as 0xffff (RFC 768). Shared by ipv4, icmpv4, udp and tcp fixups. */
void ip_checksum_fixup(struct packet *p, int checksum, uint32_t sum, bool zero_as_ones);

/*
 * The same over the bytes a receiver checks: length bytes from the
 * target's start (UINT32_MAX: the target's size), cut to the frame. An
 * IPv4 header's IHL may say more than the header element holds, a UDP
 * length less than the datagram element. With a mutated
 * length field left frozen, the receiver sums what that length says, so
 * the checksum must too, or the DUT drops the frame for its checksum and
 * never meets the length anomaly.
 */
void ip_checksum_fixup_span(struct packet *p, int checksum, uint32_t length, uint32_t sum,
			    bool zero_as_ones);

/* The bytes of an upper layer starting at offset that the enclosing IP layer ip carries as a
 * receiver reads them: to the end of the IPv4 total length, or of the IPv6 payload length
 * (UINT32_MAX when that length is absent or ends before offset; then the layer's own element
 * decides). */
uint32_t ip_payload_room(const struct packet *p, int ip, uint32_t offset);

extern const struct proto_layer ipv4_layer;

#endif
