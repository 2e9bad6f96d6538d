/* rtsp-message: an RTSP/1.0 message (RFC 2326) as a mutable text model: build a request, parse a
 * request or a response, field schema with decimal-text numbers */
#ifndef DUTLAB_PROTO_RTSP_MESSAGE_H
#define DUTLAB_PROTO_RTSP_MESSAGE_H

/*
 * One layer "rtsp" per message, standalone (what goes on the RTSP TCP
 * connection) or dissected from TCP port 554 (every message of the segment,
 * requests and responses alike). src/proto/rtsp.c is the login adapter's
 * small reader of responses; this is the packet engine's model of the text.
 *
 * Fields, in wire order, of a request (RFC 2326 6):
 *   rtsp.request_line ELEMENT: rtsp.method BYTES KEY, rtsp.uri BYTES KEY,
 *   rtsp.version BYTES (single spaces between, CRLF after); a response has
 *   rtsp.status_line instead: rtsp.version, rtsp.status UINT (3 decimal
 *   digits), rtsp.reason BYTES;
 *   rtsp.headers LIST of REPEATABLE rtsp.header ELEMENTs, each
 *   "name: value CRLF": rtsp.header.name BYTES, then the value as
 *     CSeq             rtsp.cseq IDENTIFIER KEY, decimal text (10 digits)
 *     Session          rtsp.session BYTES KEY
 *     Transport        rtsp.transport.protocol BYTES KEY ("RTP/AVP/TCP"), and
 *                      in "interleaved=N-M" rtsp.transport.interleaved_rtp
 *                      and rtsp.transport.interleaved_rtcp UINT KEY, decimal
 *                      text (5 digits: past RFC 2326's 1*3DIGIT and its 255)
 *     Content-Length   rtsp.content_length LENGTH KEY of rtsp.body, decimal text
 *     anything else    rtsp.header.value BYTES
 *   the empty line, then rtsp.body BYTES (Content-Length bytes) if any.
 *
 * The numbers are FIELD_DECIMAL (proto/packet.h): the mutation engine's
 * integer and length anomalies (0, 1, max, over, under...) apply to them as
 * text, and packet_finish() rewrites Content-Length as the body's length in
 * digits unless a mutation froze it. Separators (": ", spaces, CRLF) are
 * the elements' own bytes, so element truncation and repetition cut and
 * repeat whole lines or parts of them.
 *
 * The parser refuses, with the reason: no CRLF CRLF within
 * RTSP_MESSAGE_HEAD_MAX bytes, a start line that is neither "METHOD URI
 * VERSION" nor "RTSP/x.y NNN reason", a header line without a colon, more
 * than RTSP_MESSAGE_HEADERS_MAX headers, a Content-Length that passes the
 * segment (no TCP reassembly: a message split over segments is refused).
 * A message that starts with '$' is an interleaved frame (RFC 2326 10.12):
 * it goes to the model named "rtsp-interleaved" when one is built in.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct dl_error;
struct packet;
struct proto_layer;

#define RTSP_MESSAGE_PORT 554
#define RTSP_MESSAGE_HEAD_MAX 8192  /* the start line and the headers */
#define RTSP_MESSAGE_HEADERS_MAX 32 /* headers of one message the model declares */
#define RTSP_MESSAGE_BODY_MAX 4096
#define RTSP_MESSAGE_VERSION "RTSP/1.0"
#define RTSP_MESSAGE_CSEQ_DIGITS 10
#define RTSP_MESSAGE_CHANNEL_DIGITS 5
#define RTSP_MESSAGE_LENGTH_DIGITS 10

/* One more header, in order after the model's own (CSeq, Session, Authorization, Transport). */
struct rtsp_header {
	const char *name;
	const char *value;
};

/* Transport: protocol;cast;interleaved=rtp[-rtcp] (RFC 2326 12.39). */
struct rtsp_transport {
	const char *protocol; /* "RTP/AVP/TCP" */
	const char *cast;     /* "unicast"; NULL: none */
	bool interleaved;     /* with interleaved=... */
	uint64_t rtp_channel, rtcp_channel;
	bool single_channel; /* interleaved=N alone */
	const char *mode;    /* "PLAY"; NULL: none */
};

/*
 * What rtsp_message_build() takes. version NULL: RTSP/1.0. session,
 * authorization, transport, content_type NULL: no such header. body NULL:
 * no body and no Content-Length; a body of 0 bytes still has one.
 */
struct rtsp_message_fields {
	const char *method; /* "OPTIONS" */
	const char *uri;    /* "rtsp://198.18.27.2:554/stream" or "*" */
	const char *version;
	uint64_t cseq;
	const char *session;
	const char *authorization;
	const struct rtsp_transport *transport;
	const struct rtsp_header *headers;
	size_t header_count;
	const char *content_type;
	const uint8_t *body;
	size_t body_length;
};

/* Append one request as a layer of its own (then packet_finish() the packet). 0, DL_EINVAL
 * (no method or URI, a CR or LF inside a name or value, a body past RTSP_MESSAGE_BODY_MAX)
 * or DL_ENOMEM (p->overflow). */
int rtsp_message_build(struct packet *p, const struct rtsp_message_fields *f, struct dl_error *err);

extern const struct proto_layer rtsp_message_layer;

#endif
