/* rtp: RTP data packet (RFC 3550 5.1) build, parse and field schema */
#ifndef DUTLAB_PROTO_RTP_H
#define DUTLAB_PROTO_RTP_H

/*
 * One layer "rtp" per packet: the payload of a UDP socket, or of an RTSP
 * interleaved frame (proto/interleaved.h) on an even channel. Fields, in
 * wire order:
 *   rtp.version ENUM KEY (2 bits: 2), rtp.padding FLAGS (1 bit),
 *   rtp.extension FLAGS (1 bit), rtp.csrc_count COUNT (4 bits) of the list
 *   rtp.csrcs, rtp.marker FLAGS (1 bit), rtp.payload_type ENUM KEY (7 bits),
 *   rtp.sequence IDENTIFIER, rtp.timestamp UINT, rtp.ssrc IDENTIFIER KEY,
 *   the list rtp.csrcs of REPEATABLE elements rtp.csrc (rtp.csrc.id
 *   IDENTIFIER), with the X bit the element rtp.header_extension
 *   (rtp.header_extension.profile UINT, rtp.header_extension.length LENGTH
 *   of rtp.header_extension.data in 32-bit words, that data BYTES),
 *   rtp.payload BYTES, and with the P bit the element rtp.pad
 *   (rtp.pad.data BYTES, rtp.pad.count LENGTH of rtp.pad itself: RFC 3550
 *   5.1, the last octet counts the padding, itself included).
 *
 * The parser refuses, with the reason: fewer than 12 bytes, a version not
 * 2, CSRCs or an extension past the end, a padding count of 0 or more than
 * the bytes after the header.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct packet;
struct proto_layer;

#define RTP_VERSION 2
#define RTP_HEADER_LENGTH 12
#define RTP_CSRC_MAX 15
#define RTP_BUILD_MAX 2048 /* the largest packet rtp_build() writes */

/* RFC 3551 6: the static payload types a DUT may know, and a dynamic one. */
enum rtp_payload_type {
	RTP_PT_PCMU = 0,
	RTP_PT_PCMA = 8,
	RTP_PT_JPEG = 26,
	RTP_PT_H261 = 31,
	RTP_PT_MP2T = 33,
	RTP_PT_DYNAMIC = 96, /* H.264 and others, as the SDP says */
};

/* What rtp_build() takes; zero is the default said. */
struct rtp_fields {
	uint8_t version; /* 0: 2 */
	bool marker;
	uint8_t payload_type; /* 7 bits */
	uint16_t sequence;
	uint32_t timestamp, ssrc;
	const uint32_t *csrc; /* up to 15 */
	size_t csrc_count;
	bool extension; /* the header extension (RFC 3550 5.3.1) */
	uint16_t extension_profile;
	const uint8_t *extension_data; /* a whole number of 32-bit words */
	size_t extension_length;
	const uint8_t *payload;
	size_t payload_length;
	uint8_t padding; /* bytes of padding, the count byte included; 0: none */
};

/* Append one packet as a closed layer of its own. 0, DL_EINVAL (over 15 CSRCs, an extension not
 * a whole number of words, over RTP_BUILD_MAX) or DL_ENOMEM; p->overflow set on failure. */
int rtp_build(struct packet *p, const struct rtp_fields *f);

extern const struct proto_layer rtp_layer;

#endif
