/* rtcp: RTCP compound packet (RFC 3550 6) build, parse and field schema */
#ifndef DUTLAB_PROTO_RTCP_H
#define DUTLAB_PROTO_RTCP_H

/*
 * One layer "rtcp" per compound packet (RFC 3550 6.1): the payload of a
 * UDP socket, or of an RTSP interleaved frame on an odd channel. The layer
 * holds the list rtcp.packets of REPEATABLE elements, one per packet:
 * rtcp.sr, rtcp.rr, rtcp.sdes, rtcp.bye, rtcp.app, or rtcp.other for a type
 * this model does not read (RTPFB, PSFB, XR: header and rtcp.other.data).
 * Every packet starts with the common header:
 *   rtcp.version ENUM KEY (2 bits: 2), rtcp.padding FLAGS (1 bit), a 5-bit
 *   count: rtcp.report_count COUNT of rtcp.reports (SR, RR),
 *   rtcp.source_count COUNT of rtcp.chunks (SDES) or rtcp.sources (BYE),
 *   rtcp.subtype UINT (APP), rtcp.count UINT (other); rtcp.packet_type
 *   ENUM KEY (200..204), rtcp.length LENGTH of the packet in 32-bit words
 *   minus one.
 * Then by type:
 *   SR: rtcp.ssrc IDENTIFIER KEY, rtcp.sr.ntp_timestamp UINT (8 bytes),
 *     rtcp.sr.rtp_timestamp, rtcp.sr.packet_count, rtcp.sr.octet_count UINT,
 *     then the report blocks; RR: rtcp.ssrc, the report blocks. The list
 *     rtcp.reports holds REPEATABLE rtcp.report elements (rtcp.report.ssrc
 *     IDENTIFIER KEY, .fraction_lost, .cumulative_lost (24 bits),
 *     .highest_sequence, .jitter, .lsr, .dlsr UINT); bytes after them are
 *     rtcp.profile_extension BYTES (RFC 3550 6.4.1).
 *   SDES: the list rtcp.chunks of REPEATABLE rtcp.chunk (rtcp.chunk.ssrc
 *     IDENTIFIER, the list rtcp.items of REPEATABLE rtcp.item (rtcp.item.type
 *     ENUM KEY, rtcp.item.length LENGTH of rtcp.item.text BYTES), then
 *     rtcp.chunk.end BYTES: the null item and the padding to 32 bits).
 *   BYE: the list rtcp.sources of REPEATABLE rtcp.source (rtcp.source.ssrc
 *     IDENTIFIER), then optionally the element rtcp.bye.reason
 *     (rtcp.bye.reason.length LENGTH of rtcp.bye.reason.text BYTES, then
 *     rtcp.bye.reason.pad BYTES to 32 bits).
 *   APP: rtcp.ssrc, rtcp.app.name BYTES (4 ASCII), rtcp.app.data BYTES.
 * With the P bit, the packet ends with the element rtcp.pad (rtcp.pad.data
 * BYTES, rtcp.pad.count LENGTH of rtcp.pad itself).
 *
 * The parser refuses, with the reason: a packet shorter than its 4-byte
 * header, a version not 2, a length past the end, counts or items past the
 * packet's end, an SDES chunk without its null item, a padding count of 0
 * or past the body.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct packet;
struct proto_layer;

#define RTCP_VERSION 2
#define RTCP_HEADER_LENGTH 4
#define RTCP_REPORT_LENGTH 24
#define RTCP_COUNT_MAX 31 /* 5 bits */
#define RTCP_BUILD_MAX 2048
#define RTCP_PACKETS_MAX 8 /* packets one compound build takes */

enum rtcp_type {
	RTCP_SR = 200,
	RTCP_RR = 201,
	RTCP_SDES = 202,
	RTCP_BYE = 203,
	RTCP_APP = 204,
};

enum rtcp_sdes_type {
	RTCP_SDES_END = 0,
	RTCP_SDES_CNAME = 1,
	RTCP_SDES_NAME = 2,
	RTCP_SDES_EMAIL = 3,
	RTCP_SDES_PHONE = 4,
	RTCP_SDES_LOC = 5,
	RTCP_SDES_TOOL = 6,
	RTCP_SDES_NOTE = 7,
	RTCP_SDES_PRIV = 8,
};

/* A reception report block (RFC 3550 6.4.1). cumulative_lost: 24 bits. */
struct rtcp_report {
	uint32_t ssrc;
	uint8_t fraction_lost;
	uint32_t cumulative_lost;
	uint32_t highest_sequence, jitter, lsr, dlsr;
};

struct rtcp_sdes_item {
	uint8_t type;     /* enum rtcp_sdes_type, not END */
	const char *text; /* at most 255 bytes */
};

struct rtcp_sdes_chunk {
	uint32_t ssrc;
	const struct rtcp_sdes_item *items;
	size_t item_count;
};

/* One packet of a compound; the fields of its type are read, the others ignored. */
struct rtcp_fields {
	uint8_t type;    /* enum rtcp_type */
	uint8_t version; /* 0: 2 */
	uint32_t ssrc;   /* SR, RR, APP: the sender */
	/* SR */
	uint64_t ntp_timestamp;
	uint32_t rtp_timestamp, packet_count, octet_count;
	/* SR, RR: up to 31 */
	const struct rtcp_report *reports;
	size_t report_count;
	/* SDES: up to 31 */
	const struct rtcp_sdes_chunk *chunks;
	size_t chunk_count;
	/* BYE: up to 31, and a reason (NULL: none; at most 255 bytes) */
	const uint32_t *sources;
	size_t source_count;
	const char *reason;
	/* APP */
	uint8_t subtype; /* 5 bits */
	char name[4];
	const uint8_t *data; /* a whole number of 32-bit words */
	size_t data_length;
	uint8_t padding; /* bytes of padding (a multiple of 4), the count byte included; 0: none */
};

/* Append one compound packet of count packets as a closed layer of its own. 0, DL_EINVAL (a
 * count over 31, text over 255 bytes, APP data not whole words, over RTCP_BUILD_MAX) or
 * DL_ENOMEM (past PACKET_FIELDS_MAX: about 20 report blocks); p->overflow set on failure. */
int rtcp_build(struct packet *p, const struct rtcp_fields *packets, size_t count);

extern const struct proto_layer rtcp_layer;

#endif
