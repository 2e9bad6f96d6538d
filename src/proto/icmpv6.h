/* icmpv6: ICMPv6 (RFC 4443) and Neighbor Discovery (RFC 4861) build, parse and field schema */
#ifndef DUTLAB_PROTO_ICMPV6_H
#define DUTLAB_PROTO_ICMPV6_H

/*
 * Fields, in wire order: icmpv6.type (ENUM, KEY), icmpv6.code (ENUM, the
 * codes of the type), icmpv6.checksum (CHECKSUM of the layer, with the
 * RFC 8200 8.1 pseudo-header of the enclosing IPv6 layer: its final
 * destination, next header 58), then the body of the type:
 *   echo request/reply (RFC 4443 4): icmpv6.echo.identifier,
 *     icmpv6.echo.sequence (IDENTIFIER), icmpv6.echo.data
 *   errors (RFC 4443 3): icmpv6.unused, icmpv6.mtu (packet too big, KEY)
 *     or icmpv6.pointer (parameter problem, KEY), then the element
 *     icmpv6.invoking holding icmpv6.invoking.data (the invoking packet)
 *   router solicitation (RFC 4861 4.1): icmpv6.reserved
 *   router advertisement (4.2): icmpv6.ra.cur_hop_limit, the flags
 *     icmpv6.ra.managed, icmpv6.ra.other, icmpv6.ra.reserved (6 bits),
 *     icmpv6.ra.router_lifetime (KEY), icmpv6.ra.reachable_time,
 *     icmpv6.ra.retrans_timer
 *   neighbor solicitation (4.3): icmpv6.reserved, icmpv6.target (KEY)
 *   neighbor advertisement (4.4): the flags icmpv6.na.router,
 *     icmpv6.na.solicited, icmpv6.na.override, icmpv6.na.reserved
 *     (29 bits), icmpv6.target (KEY)
 *   redirect (4.5): icmpv6.reserved, icmpv6.target, icmpv6.destination
 *   ND messages end with the list icmpv6.options of icmpv6.option elements
 *   (RFC 4861 4.6): icmpv6.option.type (ENUM), icmpv6.option.length (LENGTH
 *   of the option element, unit 8) and the option's fields: link-layer
 *   address; prefix information (prefix_length, on_link, autonomous,
 *   reserved1, valid_lifetime, preferred_lifetime, reserved2, prefix);
 *   redirected header (reserved, data); MTU (reserved, mtu); any other
 *   type: icmpv6.option.data.
 *   Other types: icmpv6.body bytes.
 * The parser keeps an error's invoking packet as icmpv6.invoking.data bytes:
 * a quote is often cut short, and a malformed one (our own mutated packet,
 * quoted back by the DUT) must not make the whole frame unreadable.
 * ND messages must be sent with hop limit 255 (RFC 4861 6.1, 7.1): the
 * IPv6 layer's builder is the caller's.
 */

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct packet;

enum icmpv6_type {
	ICMPV6_DESTINATION_UNREACHABLE = 1,
	ICMPV6_PACKET_TOO_BIG = 2,
	ICMPV6_TIME_EXCEEDED = 3,
	ICMPV6_PARAMETER_PROBLEM = 4,
	ICMPV6_ECHO_REQUEST = 128,
	ICMPV6_ECHO_REPLY = 129,
	ICMPV6_ROUTER_SOLICITATION = 133,
	ICMPV6_ROUTER_ADVERTISEMENT = 134,
	ICMPV6_NEIGHBOR_SOLICITATION = 135,
	ICMPV6_NEIGHBOR_ADVERTISEMENT = 136,
	ICMPV6_REDIRECT = 137,
};

/* ND option types (RFC 4861 4.6, IANA "IPv6 Neighbor Discovery Option Formats") */
enum icmpv6_option_type {
	ICMPV6_OPTION_SOURCE_LINK_ADDRESS = 1,
	ICMPV6_OPTION_TARGET_LINK_ADDRESS = 2,
	ICMPV6_OPTION_PREFIX_INFORMATION = 3,
	ICMPV6_OPTION_REDIRECTED_HEADER = 4,
	ICMPV6_OPTION_MTU = 5,
};

#define ICMPV6_OPTIONS_MAX 16
#define ICMPV6_MESSAGE_MAX 2048 /* what a builder writes: beyond the minimum MTU */

/*
 * One ND option. Link-layer address (1, 2): link_address (6 bytes,
 * Ethernet). Prefix information (3): prefix_length, on_link, autonomous,
 * valid_lifetime, preferred_lifetime, prefix. Redirected header (4): data
 * (the redirected packet, zero-padded to 8 bytes). MTU (5): mtu. Any other
 * type: data, zero-padded so the option is a multiple of 8 bytes.
 */
struct icmpv6_option {
	uint8_t type;
	uint8_t link_address[6];
	uint8_t prefix_length;
	bool on_link, autonomous;
	uint32_t valid_lifetime, preferred_lifetime;
	struct in6_addr prefix;
	uint32_t mtu;
	const uint8_t *data;
	size_t data_length;
};

/*
 * What icmpv6_build() takes. type 0: echo request. The fields a type does
 * not use are ignored. data: the echo data, or the invoking packet of an
 * error (the caller cuts it so the error fits the minimum MTU, RFC 4443
 * 2.4 (c)), or the body of a type not listed above. An error without data
 * leaves icmpv6.invoking open: the caller appends the invoking packet as
 * layers (ipv6_build(), udp_build()...), so its fields are in the schema.
 * mtu 0 for packet too big: 1280. options: for RS, RA, NS, NA and redirect.
 */
struct icmpv6_fields {
	uint8_t type;
	uint8_t code;
	uint16_t identifier, sequence; /* echo */
	uint32_t mtu;                  /* packet too big */
	uint32_t pointer;              /* parameter problem */
	uint8_t cur_hop_limit;         /* router advertisement */
	bool managed, other;
	uint16_t router_lifetime;
	uint32_t reachable_time, retrans_timer;
	bool router, solicited, override; /* neighbor advertisement */
	struct in6_addr target;           /* NS, NA, redirect */
	struct in6_addr destination;      /* redirect */
	const uint8_t *data;
	size_t data_length;
	const struct icmpv6_option *options;
	size_t option_count;
};

/* Append an ICMPv6 layer (inside an IPv6 layer, whose addresses the checksum covers). 0,
 * DL_ENOMEM (p->overflow) or DL_EINVAL (more than ICMPV6_MESSAGE_MAX bytes or options;
 * overflow is set too, so packet_finish() fails). */
int icmpv6_build(struct packet *p, const struct icmpv6_fields *f);

#define ICMPV6_SLOT_CHECKSUM 0

extern const struct proto_layer icmpv6_layer;

#endif
