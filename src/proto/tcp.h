/* tcp: TCP (RFC 9293) segment with options build, parse and field schema */
#ifndef DUTLAB_PROTO_TCP_H
#define DUTLAB_PROTO_TCP_H

/*
 * Fields, in wire order: the layer element tcp holds the element tcp.header
 * (tcp.source_port, tcp.destination_port KEY, tcp.sequence and
 * tcp.acknowledgment IDENTIFIER, tcp.data_offset 4 bits LENGTH of
 * tcp.header unit 4, tcp.flags 12 bits FLAGS KEY (4 reserved + CWR ECE URG
 * ACK PSH RST SYN FIN), tcp.window, tcp.checksum CHECKSUM of the layer over
 * the pseudo-header, tcp.urgent_pointer, the list tcp.options of
 * REPEATABLE elements tcp.option.<eol|nop|mss|window_scale|sack_permitted|
 * sack|timestamps|other> with tcp.option.kind (ENUM), tcp.option.length
 * (LENGTH of the option) and mss_value; shift; sack_left/sack_right pairs;
 * tsval, tsecr; or data; tcp.padding after an EOL), then tcp.payload.
 */

#include <stddef.h>
#include <stdint.h>

struct packet;
struct proto_layer;

#define TCP_HEADER_MIN 20
#define TCP_HEADER_MAX 60

/* tcp.flags (12 bits: 4 reserved, then the control bits of RFC 9293 3.1) */
#define TCP_FLAG_FIN 0x001u
#define TCP_FLAG_SYN 0x002u
#define TCP_FLAG_RST 0x004u
#define TCP_FLAG_PSH 0x008u
#define TCP_FLAG_ACK 0x010u
#define TCP_FLAG_URG 0x020u
#define TCP_FLAG_ECE 0x040u
#define TCP_FLAG_CWR 0x080u
#define TCP_FLAG_RESERVED 0xf00u

/* Option kinds (IANA "TCP Option Kind Numbers") */
enum tcp_option_kind {
	TCP_OPT_EOL = 0,
	TCP_OPT_NOP = 1,
	TCP_OPT_MSS = 2,            /* RFC 9293 3.2 */
	TCP_OPT_WINDOW_SCALE = 3,   /* RFC 7323 2 */
	TCP_OPT_SACK_PERMITTED = 4, /* RFC 2018 2 */
	TCP_OPT_SACK = 5,           /* RFC 2018 3 */
	TCP_OPT_TIMESTAMPS = 8,     /* RFC 7323 3 */
};

/*
 * One option for the builder. MSS: values[0]. Window scale: values[0] (the
 * shift). SACK: value_count edges (2 per block, 2..8) in values. Timestamps:
 * values[0] TSval, values[1] TSecr. EOL, NOP, SACK-permitted: nothing. Any
 * other kind: data after kind and length.
 */
struct tcp_option {
	uint8_t kind;
	uint8_t value_count;
	uint32_t values[8];
	const uint8_t *data;
	size_t data_length;
};

/*
 * What tcp_build() takes. flags: TCP_FLAG_* (0: SYN). window 0: 64240.
 * Options are padded to a 4-byte boundary with an EOL option and zero
 * bytes ("tcp.padding"). payload: data after the header ("tcp.payload").
 * packet_finish() computes the data offset and the checksum over the
 * pseudo-header of the nearest IP layer before this one.
 */
struct tcp_fields {
	uint16_t source_port, destination_port;
	uint32_t sequence, acknowledgment;
	uint16_t flags;
	uint16_t window;
	uint16_t urgent_pointer;
	const struct tcp_option *options;
	size_t option_count;
	const uint8_t *payload;
	size_t payload_length;
};

#define TCP_SLOT_CHECKSUM 0

/* Start a TCP layer (its element stays open). 0, DL_ENOMEM (p->overflow) or DL_EINVAL
 * (options past 40 bytes or a bad SACK count; overflow is set too). */
int tcp_build(struct packet *p, const struct tcp_fields *f);

extern const struct proto_layer tcp_layer;

#endif
