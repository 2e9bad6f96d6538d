/* interleaved: the RTSP interleaved frame (RFC 2326 10.12) carrying RTP or RTCP on a TCP
 * connection: build, parse and field schema */
#ifndef DUTLAB_PROTO_INTERLEAVED_H
#define DUTLAB_PROTO_INTERLEAVED_H

/*
 * One layer "rtsp-interleaved" per frame: interleaved.magic ENUM ('$', 0x24),
 * interleaved.channel UINT KEY, interleaved.length LENGTH of the frame's
 * data (the layer less its 4-byte header), then the data: an "rtp" layer on
 * an even channel, an "rtcp" layer on an odd one (the pairs SETUP agrees,
 * interleaved=0-1), or interleaved.data BYTES when it is not RTP version 2.
 * The RTSP text model (rtsp-message.c, TCP port 554) hands each frame that
 * starts with '$' here by this name; every frame is a layer of its own.
 *
 * The parser refuses, with the reason: fewer than 4 bytes, a length past
 * the segment's end (no reassembly: dissection refuses a frame split over
 * segments, as BGP's does), or the RTP/RTCP inside refusing.
 */

#include <stddef.h>
#include <stdint.h>

struct packet;
struct proto_layer;

#define INTERLEAVED_MAGIC 0x24 /* '$' */
#define INTERLEAVED_HEADER_LENGTH 4
#define INTERLEAVED_PORT 554 /* RTSP's: frames share the connection with the requests */

/*
 * Begin one frame on channel: its header, left open so the RTP or RTCP
 * built next (rtp_build(), rtcp_build()) is its data; packet_finish() closes
 * it and computes the length. The layer's index, or PACKET_NONE (p->overflow
 * set) when the packet is full.
 */
int interleaved_build(struct packet *p, uint8_t channel);

extern const struct proto_layer interleaved_layer;

#endif
