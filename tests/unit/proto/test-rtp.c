/* test-rtp: RTP, RTCP and RTSP interleaved frame build, schema and parse against scapy vectors */
#include "core/compat.h"

#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>

#include "core/error.h"
#include "model-check.h"
#include "proto/cursor.h"
#include "proto/ethernet.h"
#include "proto/interleaved.h"
#include "proto/ipv4.h"
#include "proto/layer.h"
#include "proto/packet.h"
#include "proto/rtcp.h"
#include "proto/rtp.h"
#include "proto/tcp.h"

static struct packet built, parsed;

/* scapy's RTP(marker=1, payload_type=26, sequence=0x1234, timestamp=0x01020304,
 * sourcesync=0xdeadbeef)/b"dutlab" (RFC 3550 5.1). */
static const uint8_t rtp_basic[] = {0x80, 0x9a, 0x12, 0x34, 0x01, 0x02, 0x03, 0x04, 0xde,
				    0xad, 0xbe, 0xef, 'd',  'u',  't',  'l',  'a',  'b'};

/* scapy's RTP(payload_type=96, sequence=1, timestamp=90000, sourcesync=0x11223344,
 * sync=[0xaabbccdd, 0x01020304], extension=1)/RTPExtension(header_id=0xbede, header_len=1,
 * header=[0x10ff0000])/b"\x01\x02\x03" (RFC 3550 5.3.1, RFC 8285's one-byte profile). */
static const uint8_t rtp_csrc_extension[] = {
	0x92, 0x60, 0x00, 0x01, 0x00, 0x01, 0x5f, 0x90, 0x11, 0x22, 0x33,
	0x44, 0xaa, 0xbb, 0xcc, 0xdd, 0x01, 0x02, 0x03, 0x04, 0xbe, 0xde,
	0x00, 0x01, 0x10, 0xff, 0x00, 0x00, 0x01, 0x02, 0x03,
};

/* By hand (scapy's RTP has no padding): P set, payload "ab", 3 bytes of padding, the last
 * counting them (RFC 3550 5.1). */
static const uint8_t rtp_padded[] = {0xa0, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01,
				     0x02, 0x03, 0x04, 'a',  'b',  0x00, 0x00, 0x03};

/* scapy.contrib.rtcp's RTCP(packet_type=200, count=1, sourcesync=0x11223344,
 * sender_info=SenderInfo(ntp_timestamp=0xe8a1b2c3d4e5f607, rtp_timestamp=90000,
 * sender_packet_count=10, sender_octet_count=12000), report_blocks=[ReceptionReport(
 * sourcesync=0xdeadbeef, fraction_lost=3, cumulative_lost=17, highest_seqnum_recv=65540,
 * interarrival_jitter=12, last_SR_timestamp=0x12345678, delay_since_last_SR=655)]). */
static const uint8_t rtcp_sr[] = {
	0x81, 0xc8, 0x00, 0x0c, 0x11, 0x22, 0x33, 0x44, 0xe8, 0xa1, 0xb2, 0xc3, 0xd4,
	0xe5, 0xf6, 0x07, 0x00, 0x01, 0x5f, 0x90, 0x00, 0x00, 0x00, 0x0a, 0x00, 0x00,
	0x2e, 0xe0, 0xde, 0xad, 0xbe, 0xef, 0x03, 0x00, 0x00, 0x11, 0x00, 0x01, 0x00,
	0x04, 0x00, 0x00, 0x00, 0x0c, 0x12, 0x34, 0x56, 0x78, 0x00, 0x00, 0x02, 0x8f,
};

/* A compound RR + SDES: scapy's RTCP(packet_type=201, sourcesync=0x55667788), then an SDES
 * CNAME chunk by hand, because scapy's SDESChunk leaves out the null item and the padding
 * RFC 3550 6.5 requires (tshark reads this one cleanly, see tshark-media.sh). */
static const uint8_t rtcp_rr_sdes[] = {
	0x80, 0xc9, 0x00, 0x01, 0x55, 0x66, 0x77, 0x88, 0x81, 0xca, 0x00, 0x07, 0x55, 0x66,
	0x77, 0x88, 0x01, 0x12, 'd',  'u',  't',  'l',  'a',  'b',  '@',  '1',  '9',  '8',
	'.',  '1',  '8',  '.',  '2',  '9',  '.',  '1',  0x00, 0x00, 0x00, 0x00,
};

/* BYE with one source and the reason "teardown" padded to 32 bits (RFC 3550 6.6), then APP
 * "dlab" subtype 1 with one word of data (6.7); by hand. */
static const uint8_t rtcp_bye_app[] = {
	0x81, 0xcb, 0x00, 0x04, 0x55, 0x66, 0x77, 0x88, 0x08, 't',  'e',  'a',
	'r',  'd',  'o',  'w',  'n',  0x00, 0x00, 0x00, 0x81, 0xcc, 0x00, 0x03,
	0x55, 0x66, 0x77, 0x88, 'd',  'l',  'a',  'b',  0x01, 0x02, 0x03, 0x04,
};

static void finish(struct packet *p)
{
	struct dl_error err = {0};
	assert_int_equal(packet_finish(p, &err), 0);
}

/* One message parsed by model; 0 or the error (reason in why). */
static int parse_with(const struct proto_layer *model, struct packet *p, const uint8_t *bytes,
		      size_t length, char *why, size_t why_size)
{
	struct layer_parse_result next;
	return model_parse_layer(model, p, bytes, length, &next, why, why_size);
}

static void check_vector(const struct proto_layer *model, const uint8_t *vector, size_t length)
{
	model_check_vector(model, &built, &parsed, vector, length);
}

static void expect_refusal(const struct proto_layer *model, const uint8_t *bytes, size_t length,
			   const char *reason)
{
	char why[DL_ERROR_MESSAGE_MAX];
	assert_int_equal(parse_with(model, &parsed, bytes, length, why, sizeof(why)), DL_EPROTO);
	if (!strstr(why, reason))
		fail_msg("'%s' does not say '%s'", why, reason);
}

/* rtp_basic's fields: a marked JPEG packet with the payload "dutlab" */
static const struct rtp_fields jpeg_fields = {.marker = true,
					      .payload_type = RTP_PT_JPEG,
					      .sequence = 0x1234,
					      .timestamp = 0x01020304,
					      .ssrc = 0xdeadbeef,
					      .payload = (const uint8_t *)"dutlab",
					      .payload_length = 6};

static void test_rtp_basic(void **state)
{
	(void)state;
	struct rtp_fields f = jpeg_fields;
	packet_init(&built);
	assert_int_equal(rtp_build(&built, &f), 0);
	finish(&built);
	check_vector(&rtp_layer, rtp_basic, sizeof(rtp_basic));
	assert_int_equal(model_get(&built, "rtp.version", 0), 2);
	assert_int_equal(model_get(&built, "rtp.marker", 0), 1);
	assert_int_equal(model_get(&built, "rtp.payload_type", 0), 26);
	assert_int_equal(model_get(&built, "rtp.sequence", 0), 0x1234);
	assert_int_equal(model_get(&built, "rtp.ssrc", 0), 0xdeadbeef);
	int pt = packet_find(&built, "rtp.payload_type", 0);
	assert_int_equal(built.fields[pt].kind, FIELD_ENUM);
	assert_true(built.fields[pt].flags & FIELD_KEY);
	assert_int_equal(built.fields[pt].bit_width, 7);
	int ssrc = packet_find(&built, "rtp.ssrc", 0);
	assert_int_equal(built.fields[ssrc].kind, FIELD_IDENTIFIER);
	assert_int_equal(packet_find(&built, "rtp.header_extension", 0), PACKET_NONE);
	assert_int_equal(packet_find(&built, "rtp.pad", 0), PACKET_NONE);
}

static void test_rtp_csrc_extension(void **state)
{
	(void)state;
	static const uint32_t csrc[] = {0xaabbccdd, 0x01020304};
	static const uint8_t extension[] = {0x10, 0xff, 0x00, 0x00};
	struct rtp_fields f = {.payload_type = RTP_PT_DYNAMIC,
			       .sequence = 1,
			       .timestamp = 90000,
			       .ssrc = 0x11223344,
			       .csrc = csrc,
			       .csrc_count = 2,
			       .extension = true,
			       .extension_profile = 0xbede,
			       .extension_data = extension,
			       .extension_length = 4,
			       .payload = (const uint8_t *)"\x01\x02\x03",
			       .payload_length = 3};
	packet_init(&built);
	assert_int_equal(rtp_build(&built, &f), 0);
	finish(&built);
	check_vector(&rtp_layer, rtp_csrc_extension, sizeof(rtp_csrc_extension));
	int count = packet_find(&built, "rtp.csrc_count", 0);
	int list = packet_find(&built, "rtp.csrcs", 0);
	assert_int_equal(built.fields[count].kind, FIELD_COUNT);
	assert_int_equal(built.fields[count].target, list);
	assert_int_equal(built.fields[list].kind, FIELD_LIST);
	assert_int_equal(packet_get(&built, count), 2);
	int l = packet_find(&built, "rtp.header_extension.length", 0);
	assert_int_equal(built.fields[l].kind, FIELD_LENGTH);
	assert_int_equal(built.fields[l].unit, 4);
	assert_int_equal(packet_get(&built, l), 1);

	/* a CSRC cut out (what a mutation does): the count follows in packet_finish() */
	struct dl_error err = {0};
	int e = packet_find(&built, "rtp.csrc", 0);
	assert_int_equal(
		packet_splice(&built, built.fields[e].offset, 4, NULL, 0, PACKET_NONE, &err), 0);
	finish(&built);
	assert_int_equal(packet_get(&built, packet_find(&built, "rtp.csrc_count", 0)), 1);
	char why[DL_ERROR_MESSAGE_MAX];
	assert_int_equal(
		parse_with(&rtp_layer, &parsed, built.bytes, built.length, why, sizeof(why)), 0);
	/* longer extension data: the length in words follows */
	int d = packet_find(&built, "rtp.header_extension.data", 0);
	uint32_t at = built.fields[d].offset + 2; /* inside the data */
	assert_int_equal(packet_splice(&built, at, 0, "\0\0\0\0\0\0\0\0", 8, PACKET_NONE, &err), 0);
	finish(&built);
	assert_int_equal(packet_get(&built, packet_find(&built, "rtp.header_extension.length", 0)),
			 3);
	assert_int_equal(
		parse_with(&rtp_layer, &parsed, built.bytes, built.length, why, sizeof(why)), 0);
}

static void test_rtp_padding(void **state)
{
	(void)state;
	struct rtp_fields f = {.sequence = 2,
			       .ssrc = 0x01020304,
			       .payload = (const uint8_t *)"ab",
			       .payload_length = 2,
			       .padding = 3};
	packet_init(&built);
	assert_int_equal(rtp_build(&built, &f), 0);
	finish(&built);
	check_vector(&rtp_layer, rtp_padded, sizeof(rtp_padded));
	int n = packet_find(&built, "rtp.pad.count", 0);
	assert_int_equal(built.fields[n].kind, FIELD_LENGTH);
	assert_int_equal(built.fields[n].target, packet_find(&built, "rtp.pad", 0));
	int payload = packet_find(&built, "rtp.payload", 0);
	assert_int_equal(built.fields[payload].size, 2);
}

static void test_rtp_refusals(void **state)
{
	(void)state;
	expect_refusal(&rtp_layer, rtp_basic, 11, "shorter than the 12-byte RTP header");
	uint8_t b[sizeof(rtp_csrc_extension)];
	memcpy(b, rtp_basic, sizeof(rtp_basic));
	b[0] = 0x40; /* version 1 */
	expect_refusal(&rtp_layer, b, sizeof(rtp_basic), "version is not 2");
	b[0] = 0x85; /* 5 CSRCs in 6 bytes */
	expect_refusal(&rtp_layer, b, sizeof(rtp_basic), "CSRC count passes the end");
	memcpy(b, rtp_csrc_extension, sizeof(b));
	b[23] = 9; /* extension of 9 words */
	expect_refusal(&rtp_layer, b, sizeof(b), "header extension length passes the end");
	memcpy(b, rtp_padded, sizeof(rtp_padded));
	b[sizeof(rtp_padded) - 1] = 0;
	expect_refusal(&rtp_layer, b, sizeof(rtp_padded), "padding count is 0");
	b[sizeof(rtp_padded) - 1] = 6; /* more than the 5 bytes after the header */
	expect_refusal(&rtp_layer, b, sizeof(rtp_padded), "padding count is 0 or more");

	uint32_t csrc[RTP_CSRC_MAX + 1] = {0};
	struct rtp_fields f = {.csrc = csrc, .csrc_count = RTP_CSRC_MAX};
	packet_init(&built);
	assert_int_equal(rtp_build(&built, &f), 0);
	f.csrc_count = RTP_CSRC_MAX + 1;
	packet_init(&built);
	assert_int_equal(rtp_build(&built, &f), DL_EINVAL);
	assert_true(built.overflow);
	f = (struct rtp_fields){
		.extension = true, .extension_length = 3, .extension_data = (const uint8_t *)"abc"};
	packet_init(&built);
	assert_int_equal(rtp_build(&built, &f), DL_EINVAL);
}

static void test_rtcp_sr(void **state)
{
	(void)state;
	struct rtcp_report r = {.ssrc = 0xdeadbeef,
				.fraction_lost = 3,
				.cumulative_lost = 17,
				.highest_sequence = 65540,
				.jitter = 12,
				.lsr = 0x12345678,
				.dlsr = 655};
	struct rtcp_fields f = {.type = RTCP_SR,
				.ssrc = 0x11223344,
				.ntp_timestamp = 0xe8a1b2c3d4e5f607ull,
				.rtp_timestamp = 90000,
				.packet_count = 10,
				.octet_count = 12000,
				.reports = &r,
				.report_count = 1};
	packet_init(&built);
	assert_int_equal(rtcp_build(&built, &f, 1), 0);
	finish(&built);
	check_vector(&rtcp_layer, rtcp_sr, sizeof(rtcp_sr));
	int l = packet_find(&built, "rtcp.length", 0);
	assert_int_equal(built.fields[l].kind, FIELD_LENGTH);
	assert_int_equal(built.fields[l].unit, 4);
	assert_int_equal(built.fields[l].adjust, -1);
	assert_int_equal(built.fields[l].target, packet_find(&built, "rtcp.sr", 0));
	assert_int_equal(packet_get(&built, l), 12);
	int count = packet_find(&built, "rtcp.report_count", 0);
	assert_int_equal(built.fields[count].kind, FIELD_COUNT);
	assert_int_equal(built.fields[count].target, packet_find(&built, "rtcp.reports", 0));
	assert_int_equal(model_get(&built, "rtcp.report.cumulative_lost", 0), 17);
	assert_int_equal(model_get(&built, "rtcp.sr.ntp_timestamp", 0), 0xe8a1b2c3d4e5f607ull);
	assert_true(built.fields[packet_find(&built, "rtcp.packet_type", 0)].flags & FIELD_KEY);

	/* the report block cut out: count and length follow */
	struct dl_error err = {0};
	int e = packet_find(&built, "rtcp.report", 0);
	assert_int_equal(packet_splice(&built, built.fields[e].offset, RTCP_REPORT_LENGTH, NULL, 0,
				       PACKET_NONE, &err),
			 0);
	finish(&built);
	assert_int_equal(packet_get(&built, packet_find(&built, "rtcp.report_count", 0)), 0);
	assert_int_equal(packet_get(&built, packet_find(&built, "rtcp.length", 0)), 6);
	char why[DL_ERROR_MESSAGE_MAX];
	assert_int_equal(
		parse_with(&rtcp_layer, &parsed, built.bytes, built.length, why, sizeof(why)), 0);
}

static void test_rtcp_compound(void **state)
{
	(void)state;
	struct rtcp_sdes_item cname = {.type = RTCP_SDES_CNAME, .text = "dutlab@198.18.29.1"};
	struct rtcp_sdes_chunk chunk = {.ssrc = 0x55667788, .items = &cname, .item_count = 1};
	struct rtcp_fields rr_sdes[2] = {
		{.type = RTCP_RR, .ssrc = 0x55667788},
		{.type = RTCP_SDES, .chunks = &chunk, .chunk_count = 1},
	};
	packet_init(&built);
	assert_int_equal(rtcp_build(&built, rr_sdes, 2), 0);
	finish(&built);
	check_vector(&rtcp_layer, rtcp_rr_sdes, sizeof(rtcp_rr_sdes));
	assert_int_equal(built.layer_count, 1);
	int item = packet_find(&built, "rtcp.item.length", 0);
	assert_int_equal(built.fields[item].target, packet_find(&built, "rtcp.item.text", 0));
	assert_int_equal(packet_get(&built, item), 18);
	int end = packet_find(&built, "rtcp.chunk.end", 0);
	assert_int_equal(built.fields[end].size, 4);
	int sdes_count = packet_find(&built, "rtcp.source_count", 0);
	assert_int_equal(built.fields[sdes_count].target, packet_find(&built, "rtcp.chunks", 0));

	static const uint32_t source = 0x55667788;
	struct rtcp_fields bye_app[2] = {
		{.type = RTCP_BYE, .sources = &source, .source_count = 1, .reason = "teardown"},
		{.type = RTCP_APP,
		 .ssrc = 0x55667788,
		 .subtype = 1,
		 .name = {'d', 'l', 'a', 'b'},
		 .data = (const uint8_t *)"\x01\x02\x03\x04",
		 .data_length = 4},
	};
	packet_init(&built);
	assert_int_equal(rtcp_build(&built, bye_app, 2), 0);
	finish(&built);
	check_vector(&rtcp_layer, rtcp_bye_app, sizeof(rtcp_bye_app));
	int reason = packet_find(&built, "rtcp.bye.reason.length", 0);
	assert_int_equal(packet_get(&built, reason), 8);
	assert_int_equal(built.fields[packet_find(&built, "rtcp.bye.reason.pad", 0)].size, 3);
	assert_int_equal(model_get(&built, "rtcp.subtype", 0), 1);

	/* with padding: the P bit, and the count byte last (RFC 3550 6.4.1) */
	bye_app[1].padding = 8;
	packet_init(&built);
	assert_int_equal(rtcp_build(&built, bye_app, 2), 0);
	finish(&built);
	assert_int_equal(built.length, sizeof(rtcp_bye_app) + 8);
	assert_int_equal(built.bytes[built.length - 1], 8);
	assert_int_equal(packet_get(&built, packet_find(&built, "rtcp.pad.count", 0)), 8);
	char why[DL_ERROR_MESSAGE_MAX];
	assert_int_equal(
		parse_with(&rtcp_layer, &parsed, built.bytes, built.length, why, sizeof(why)), 0);
	model_assert_same(&built, &parsed);
}

static void test_rtcp_refusals(void **state)
{
	(void)state;
	expect_refusal(&rtcp_layer, rtcp_sr, 3, "shorter than the 4-byte RTCP header");
	uint8_t b[sizeof(rtcp_rr_sdes)];
	memcpy(b, rtcp_rr_sdes, sizeof(b));
	b[0] = 0x00;
	expect_refusal(&rtcp_layer, b, sizeof(b), "version is not 2");
	memcpy(b, rtcp_rr_sdes, sizeof(b));
	b[11] = 9; /* the SDES claims 40 bytes */
	expect_refusal(&rtcp_layer, b, sizeof(b), "length passes the end of the compound");
	memcpy(b, rtcp_rr_sdes, sizeof(b));
	b[0] = 0x83; /* an RR with 3 report blocks in its 4 bytes */
	expect_refusal(&rtcp_layer, b, sizeof(b), "report count passes the packet's end");
	memcpy(b, rtcp_rr_sdes, sizeof(b));
	b[17] = 40; /* the CNAME runs past the packet */
	expect_refusal(&rtcp_layer, b, sizeof(b), "SDES item length passes the end");
	memcpy(b, rtcp_rr_sdes, sizeof(b));
	b[8] = 0x82; /* two chunks: the second has no null item */
	expect_refusal(&rtcp_layer, b, sizeof(b), "SDES chunk count passes the packet's end");
	uint8_t bye[sizeof(rtcp_bye_app)];
	memcpy(bye, rtcp_bye_app, sizeof(bye));
	bye[8] = 20; /* the reason passes the BYE */
	expect_refusal(&rtcp_layer, bye, sizeof(bye), "BYE reason length passes the end");

	struct rtcp_fields f = {.type = RTCP_APP, .data = (const uint8_t *)"abc", .data_length = 3};
	packet_init(&built);
	assert_int_equal(rtcp_build(&built, &f, 1), DL_EINVAL);
	assert_true(built.overflow);
	struct rtcp_report reports[RTCP_COUNT_MAX + 1] = {0};
	f = (struct rtcp_fields){.type = RTCP_RR, .reports = reports, .report_count = 32};
	packet_init(&built);
	assert_int_equal(rtcp_build(&built, &f, 1), DL_EINVAL);
	f.report_count = 20; /* 8 fields each: 31 pass PACKET_FIELDS_MAX */
	packet_init(&built);
	assert_int_equal(rtcp_build(&built, &f, 1), 0);
	finish(&built);
	assert_int_equal(built.length, 8 + 20 * RTCP_REPORT_LENGTH);
	f.report_count = 31;
	packet_init(&built);
	assert_int_equal(rtcp_build(&built, &f, 1), DL_ENOMEM);
}

/* '$' 0 length, then the RTP (RFC 2326 10.12); '$' 1 length, then the RTCP. */
static void test_interleaved(void **state)
{
	(void)state;
	struct rtp_fields f = jpeg_fields;
	packet_init(&built);
	assert_int_not_equal(interleaved_build(&built, 0), PACKET_NONE);
	assert_int_equal(rtp_build(&built, &f), 0);
	finish(&built);
	uint8_t expect[4 + sizeof(rtp_basic)] = {'$', 0, 0, sizeof(rtp_basic)};
	memcpy(expect + 4, rtp_basic, sizeof(rtp_basic));
	check_vector(&interleaved_layer, expect, sizeof(expect));
	assert_int_equal(built.layer_count, 2);
	assert_string_equal(built.layers[0].model->name, "rtsp-interleaved");
	assert_string_equal(built.layers[1].model->name, "rtp");
	int l = packet_find(&built, "interleaved.length", 0);
	assert_int_equal(built.fields[l].target, built.layers[0].element);
	assert_int_equal(built.fields[l].adjust, -4);
	assert_true(built.fields[packet_find(&built, "interleaved.channel", 0)].flags & FIELD_KEY);
	/* a longer payload: the frame's length follows */
	struct dl_error err = {0};
	int payload = packet_find(&built, "rtp.payload", 0);
	assert_int_equal(
		packet_splice(&built, built.fields[payload].offset, 0, "xy", 2, PACKET_NONE, &err),
		0);
	finish(&built);
	assert_int_equal(packet_get(&built, packet_find(&built, "interleaved.length", 0)),
			 sizeof(rtp_basic) + 2);

	/* two frames in one segment, RTP then RTCP on channel 1: two pairs of layers */
	uint8_t segment[2 * 4 + sizeof(rtp_basic) + sizeof(rtcp_sr)];
	memcpy(segment, expect, sizeof(expect));
	uint8_t *second = segment + sizeof(expect);
	second[0] = '$';
	second[1] = 1;
	second[2] = 0;
	second[3] = sizeof(rtcp_sr);
	memcpy(second + 4, rtcp_sr, sizeof(rtcp_sr));
	struct cursor c;
	cursor_init(&c, segment, sizeof(segment));
	packet_init(&parsed);
	struct layer_parse_result next;
	assert_int_equal(interleaved_layer.parse(&parsed, &c, &next), 0);
	assert_int_equal(next.next, LAYER_NEXT_TCP_PORT);
	assert_int_equal(next.value, INTERLEAVED_PORT);
	assert_int_equal(interleaved_layer.parse(&parsed, &c, &next), 0);
	assert_int_equal(next.next, LAYER_NEXT_NONE);
	assert_true(cursor_at_end(&c));
	assert_int_equal(parsed.layer_count, 4);
	assert_string_equal(parsed.layers[3].model->name, "rtcp");
	assert_int_equal(parsed.fields[parsed.layers[2].element].parent, PACKET_NONE);

	/* not RTP inside: bytes; RTSP text: left alone; a frame past the segment: refused */
	static const uint8_t text_frame[] = {'$', 2, 0, 3, 'a', 'b', 'c'};
	char why[DL_ERROR_MESSAGE_MAX];
	assert_int_equal(parse_with(&interleaved_layer, &parsed, text_frame, sizeof(text_frame),
				    why, sizeof(why)),
			 0);
	assert_int_not_equal(packet_find(&parsed, "interleaved.data", 0), PACKET_NONE);
	assert_int_equal(parse_with(&interleaved_layer, &parsed, (const uint8_t *)"RTSP/1.0", 8,
				    why, sizeof(why)),
			 0);
	assert_int_equal(parsed.layer_count, 0);
	expect_refusal(&interleaved_layer, text_frame, 6,
		       "interleaved length passes the segment's end");
	expect_refusal(&interleaved_layer, text_frame, 3, "shorter than its 4-byte header");
}

/* Ethernet/IPv4/TCP from port 554 with an RTP and an RTCP frame, dissected by proto_dissect():
 * the RTSP model hands each '$' frame to this one. */
static void test_frame(void **state)
{
	(void)state;
	uint8_t payload[2 * 4 + sizeof(rtp_basic) + sizeof(rtcp_sr)];
	payload[0] = '$';
	payload[1] = 0;
	payload[2] = 0;
	payload[3] = sizeof(rtp_basic);
	memcpy(payload + 4, rtp_basic, sizeof(rtp_basic));
	uint8_t *second = payload + 4 + sizeof(rtp_basic);
	second[0] = '$';
	second[1] = 1;
	second[2] = 0;
	second[3] = sizeof(rtcp_sr);
	memcpy(second + 4, rtcp_sr, sizeof(rtcp_sr));
	struct ethernet_fields e = {.type = ETHERTYPE_IPV4};
	struct ipv4_fields ip = {.ttl = 64, .protocol = 6};
	assert_int_equal(inet_pton(AF_INET, "198.18.29.2", &ip.source), 1);
	assert_int_equal(inet_pton(AF_INET, "198.18.29.1", &ip.destination), 1);
	struct tcp_fields t = {.source_port = INTERLEAVED_PORT,
			       .destination_port = 40000,
			       .sequence = 1,
			       .acknowledgment = 1,
			       .flags = TCP_FLAG_PSH | TCP_FLAG_ACK,
			       .window = 65535,
			       .payload = payload,
			       .payload_length = sizeof(payload)};
	packet_init(&built);
	assert_int_equal(ethernet_build(&built, &e), 0);
	assert_int_equal(ipv4_build(&built, &ip), 0);
	assert_int_equal(tcp_build(&built, &t), 0);
	finish(&built);
	struct dl_error err = {0};
	assert_int_equal(proto_dissect(&parsed, built.bytes, built.length, &err), 0);
	static const char *const names[] = {
		"ethernet", "ipv4", "tcp", "rtsp-interleaved", "rtp", "rtsp-interleaved", "rtcp"};
	assert_int_equal(parsed.layer_count, DL_ARRAY_SIZE(names));
	for (size_t i = 0; i < DL_ARRAY_SIZE(names); i++)
		assert_string_equal(parsed.layers[i].model->name, names[i]);
	assert_int_equal(model_get(&parsed, "rtcp.report.cumulative_lost", 0), 17);
	/* a frame cut by the segment's end refuses the frame, with where */
	built.bytes[built.length - sizeof(rtcp_sr) - 1] = 0xff; /* the RTCP frame's length */
	assert_int_equal(proto_dissect(&parsed, built.bytes, built.length, &err), DL_EPROTO);
	assert_non_null(strstr(err.message, "interleaved length passes the segment's end"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rtp_basic),     cmocka_unit_test(test_rtp_csrc_extension),
		cmocka_unit_test(test_rtp_padding),   cmocka_unit_test(test_rtp_refusals),
		cmocka_unit_test(test_rtcp_sr),       cmocka_unit_test(test_rtcp_compound),
		cmocka_unit_test(test_rtcp_refusals), cmocka_unit_test(test_interleaved),
		cmocka_unit_test(test_frame),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
