/* session-rtp: the RTP and RTCP session plug-ins: media packets to a DUT streaming to us, in
 * RTSP interleaved frames on the same connection or by UDP to the ports SETUP negotiated */
#include "core/compat.h"

#include "core/error.h"
#include "fuzz/session-rtsp-link.h"
#include "fuzz/session.h"
#include "proto/interleaved.h"
#include "proto/packet.h"
#include "proto/rtcp.h"
#include "proto/rtp.h"

/*
 * A camera reads what a client sends on the channels SETUP agreed (RFC
 * 2326 10.12): RTCP receiver reports on the odd one (its sender's
 * bookkeeping, RFC 3550 6.4), and RTP on the even one when it takes media
 * back (talk-back audio, ONVIF backchannel). Both are reached only once the
 * session plays, so the one state of these plug-ins (0) is PLAYING of the
 * shared RTSP link (session-rtsp-link.h): OPTIONS, DESCRIBE with Digest,
 * SETUP interleaved=0-1, PLAY. The templates are whole interleaved frames;
 * a mutated frame length desynchronises the DUT's reader, which then answers
 * 400 or closes: a reset, the session established again.
 *
 * rtp-udp and rtcp-udp send the same packets, without the frame, by UDP
 * (RFC 3550 on the negotiated ports): their one state is PLAYING of a link
 * whose SETUP asked "RTP/AVP;unicast;client_port=a-b", and a case goes to
 * the answer's server_port (RTP) or server_port + 1 (RTCP, or the second
 * port the DUT named). Separate plug-ins, not a state of rtp and rtcp: a
 * DUT that offers only one transport (an RTSPS camera keeps its media
 * inside TLS, interleaved) is then sent only what its profile's mix names,
 * and is not failed for refusing the other. The sent log and the
 * reproducer show a UDP case as the bytes after the session's RTSP prefix
 * (the engine records one stream per session); the template says UDP.
 */

#define RTP_CHANNEL 0 /* what SETUP asks for (interleaved=0-1); the send hook maps it */
#define RTCP_CHANNEL 1
#define OUR_SSRC 0x64746c62u /* "dtlb" */
#define DUT_SSRC 0x11223344u /* the media source a report is about (any: it is ours to say) */

static int finish(struct packet *p, int rc, const char *what, struct dl_error *err)
{
	if (rc)
		return dl_error_set(err, rc, "%s: the template does not fit a frame", what);
	return packet_finish(p, err);
}

static int frame(struct packet *p, uint8_t channel, struct dl_error *err)
{
	if (interleaved_build(p, channel) == PACKET_NONE)
		return dl_error_set(err, DL_ENOMEM, "rtp: no room for the interleaved frame");
	return 0;
}

/* ---- RTP templates (channel 0) ---- */

/* RFC 2435 3.1: the JPEG header before the scan data (type 1, Q 50, 320x240 in 8-pixel units) */
static const uint8_t jpeg_payload[] = {0x00, 0x00, 0x00, 0x00, 0x01, 0x32, 0x28, 0x1e,
				       0xff, 0xd8, 0xff, 0xdb, 0x00, 0x43, 0x00, 0x10,
				       0x0b, 0x0c, 0x0e, 0x0c, 0x0a, 0x10, 0x0e, 0x0d};

static int make_rtp_jpeg(struct packet *p, bool framed, struct dl_error *err)
{
	struct rtp_fields f = {.marker = true,
			       .payload_type = RTP_PT_JPEG,
			       .sequence = 1000,
			       .timestamp = 90000,
			       .ssrc = OUR_SSRC,
			       .payload = jpeg_payload,
			       .payload_length = sizeof(jpeg_payload)};
	int rc = framed ? frame(p, RTP_CHANNEL, err) : 0;
	return rc ? rc : finish(p, rtp_build(p, &f), "rtp", err);
}

static int make_rtp_extension(struct packet *p, bool framed, struct dl_error *err)
{
	static const uint32_t csrc[] = {0x01020304, 0x05060708};
	/* RFC 8285 4.2: one-byte header extensions, an element of ID 1 and 2 data bytes */
	static const uint8_t extension[] = {0x11, 0xab, 0xcd, 0x00};
	static const uint8_t payload[] = {0x65, 0x88, 0x84, 0x00, 0x33, 0xff};
	struct rtp_fields f = {.payload_type = RTP_PT_DYNAMIC,
			       .sequence = 2000,
			       .timestamp = 180000,
			       .ssrc = OUR_SSRC,
			       .csrc = csrc,
			       .csrc_count = 2,
			       .extension = true,
			       .extension_profile = 0xbede,
			       .extension_data = extension,
			       .extension_length = sizeof(extension),
			       .payload = payload,
			       .payload_length = sizeof(payload)};
	int rc = framed ? frame(p, RTP_CHANNEL, err) : 0;
	return rc ? rc : finish(p, rtp_build(p, &f), "rtp", err);
}

static int make_rtp_padded(struct packet *p, bool framed, struct dl_error *err)
{
	static const uint8_t payload[160] = {0xff}; /* 20 ms of G.711 mu-law (near silence) */
	struct rtp_fields f = {.payload_type = RTP_PT_PCMU,
			       .sequence = 3000,
			       .timestamp = 8000,
			       .ssrc = OUR_SSRC,
			       .payload = payload,
			       .payload_length = sizeof(payload),
			       .padding = 4};
	int rc = framed ? frame(p, RTP_CHANNEL, err) : 0;
	return rc ? rc : finish(p, rtp_build(p, &f), "rtp", err);
}

/* ---- RTCP templates (channel 1) ---- */

static struct rtcp_report report(void)
{
	return (struct rtcp_report){.ssrc = DUT_SSRC,
				    .fraction_lost = 0,
				    .cumulative_lost = 0,
				    .highest_sequence = 0x00010010,
				    .jitter = 20,
				    .lsr = 0x12345678,
				    .dlsr = 0x00010000};
}

static const struct rtcp_sdes_item cname = {.type = RTCP_SDES_CNAME, .text = "dutlab@lab"};
static const struct rtcp_sdes_chunk our_chunk = {
	.ssrc = OUR_SSRC, .items = &cname, .item_count = 1};

/* What every client sends (RFC 3550 6.1): a receiver report and our CNAME. */
static int make_rtcp_rr_sdes(struct packet *p, bool framed, struct dl_error *err)
{
	struct rtcp_report r = report();
	struct rtcp_fields f[2] = {
		{.type = RTCP_RR, .ssrc = OUR_SSRC, .reports = &r, .report_count = 1},
		{.type = RTCP_SDES, .chunks = &our_chunk, .chunk_count = 1},
	};
	int rc = framed ? frame(p, RTCP_CHANNEL, err) : 0;
	return rc ? rc : finish(p, rtcp_build(p, f, 2), "rtcp", err);
}

static int make_rtcp_sr_sdes(struct packet *p, bool framed, struct dl_error *err)
{
	struct rtcp_report r = report();
	static const struct rtcp_sdes_item items[] = {
		{.type = RTCP_SDES_CNAME, .text = "dutlab@lab"},
		{.type = RTCP_SDES_NAME, .text = "dutlab robustness"},
		{.type = RTCP_SDES_TOOL, .text = "dutlab/0.1"},
	};
	struct rtcp_sdes_chunk chunk = {.ssrc = OUR_SSRC, .items = items, .item_count = 3};
	struct rtcp_fields f[2] = {
		{.type = RTCP_SR,
		 .ssrc = OUR_SSRC,
		 .ntp_timestamp = 0xe8a1b2c3d4e5f607ull,
		 .rtp_timestamp = 90000,
		 .packet_count = 100,
		 .octet_count = 16000,
		 .reports = &r,
		 .report_count = 1},
		{.type = RTCP_SDES, .chunks = &chunk, .chunk_count = 1},
	};
	int rc = framed ? frame(p, RTCP_CHANNEL, err) : 0;
	return rc ? rc : finish(p, rtcp_build(p, f, 2), "rtcp", err);
}

static int make_rtcp_bye(struct packet *p, bool framed, struct dl_error *err)
{
	static const uint32_t source = OUR_SSRC;
	struct rtcp_fields f[3] = {
		{.type = RTCP_RR, .ssrc = OUR_SSRC},
		{.type = RTCP_SDES, .chunks = &our_chunk, .chunk_count = 1},
		{.type = RTCP_BYE, .sources = &source, .source_count = 1, .reason = "teardown"},
	};
	int rc = framed ? frame(p, RTCP_CHANNEL, err) : 0;
	return rc ? rc : finish(p, rtcp_build(p, f, 3), "rtcp", err);
}

static int make_rtcp_app(struct packet *p, bool framed, struct dl_error *err)
{
	static const uint8_t data[8] = {'d', 'u', 't', 'l', 'a', 'b', 0, 1};
	struct rtcp_fields f[2] = {
		{.type = RTCP_RR, .ssrc = OUR_SSRC},
		{.type = RTCP_APP,
		 .ssrc = OUR_SSRC,
		 .subtype = 1,
		 .name = {'d', 'l', 'a', 'b'},
		 .data = data,
		 .data_length = sizeof(data)},
	};
	int rc = framed ? frame(p, RTCP_CHANNEL, err) : 0;
	return rc ? rc : finish(p, rtcp_build(p, f, 2), "rtcp", err);
}

static int make_rtcp_reports(struct packet *p, bool framed, struct dl_error *err)
{
	struct rtcp_report r[3] = {report(), report(), report()};
	r[1].ssrc = DUT_SSRC + 1;
	r[1].fraction_lost = 255;
	r[1].cumulative_lost = 0xffffff;
	r[2].ssrc = DUT_SSRC + 2;
	r[2].jitter = 0xffffffff;
	struct rtcp_fields f[2] = {
		{.type = RTCP_RR, .ssrc = OUR_SSRC, .reports = r, .report_count = 3},
		/* padding is the last packet's (RFC 3550 6.4.1) */
		{.type = RTCP_SDES, .chunks = &our_chunk, .chunk_count = 1, .padding = 4},
	};
	int rc = framed ? frame(p, RTCP_CHANNEL, err) : 0;
	return rc ? rc : finish(p, rtcp_build(p, f, 2), "rtcp", err);
}

/* Each packet as a template of both plug-ins: in an interleaved frame, and bare for UDP. */
#define MEDIA_BUILDS(make)                                                                         \
	static int build_##make(struct packet *p, const struct session_peer *peer,                 \
				struct dl_error *err)                                              \
	{                                                                                          \
		(void)peer;                                                                        \
		return make_##make(p, true, err);                                                  \
	}                                                                                          \
	static int build_udp_##make(struct packet *p, const struct session_peer *peer,             \
				    struct dl_error *err)                                          \
	{                                                                                          \
		(void)peer;                                                                        \
		return make_##make(p, false, err);                                                 \
	}

MEDIA_BUILDS(rtp_jpeg)
MEDIA_BUILDS(rtp_extension)
MEDIA_BUILDS(rtp_padded)
MEDIA_BUILDS(rtcp_rr_sdes)
MEDIA_BUILDS(rtcp_sr_sdes)
MEDIA_BUILDS(rtcp_bye)
MEDIA_BUILDS(rtcp_app)
MEDIA_BUILDS(rtcp_reports)

static const struct session_template rtp_jpeg = {
	.base = {.name = "rtp-jpeg",
		 .protocol = "rtp",
		 .title = "RTP JPEG (RFC 2435) packet, marker set, on the RTP channel"},
	.build = build_rtp_jpeg};

static const struct session_template rtp_extension = {
	.base = {.name = "rtp-csrc-extension",
		 .protocol = "rtp",
		 .title = "RTP with two CSRCs and a one-byte header extension (RFC 8285)"},
	.build = build_rtp_extension};

static const struct session_template rtp_padded = {
	.base = {.name = "rtp-padded",
		 .protocol = "rtp",
		 .title = "RTP PCMU packet with 4 bytes of padding"},
	.build = build_rtp_padded};

static const struct session_template rtcp_rr_sdes = {
	.base = {.name = "rtcp-rr-sdes",
		 .protocol = "rtcp",
		 .title = "RTCP receiver report and SDES CNAME, as every client sends"},
	.build = build_rtcp_rr_sdes};

static const struct session_template rtcp_sr_sdes = {
	.base = {.name = "rtcp-sr-sdes",
		 .protocol = "rtcp",
		 .title = "RTCP sender report and SDES CNAME, NAME, TOOL"},
	.build = build_rtcp_sr_sdes};

static const struct session_template rtcp_bye = {
	.base = {.name = "rtcp-bye",
		 .protocol = "rtcp",
		 .title = "RTCP receiver report, SDES and BYE with a reason"},
	.build = build_rtcp_bye};

static const struct session_template rtcp_app = {
	.base = {.name = "rtcp-app",
		 .protocol = "rtcp",
		 .title = "RTCP receiver report and an APP packet"},
	.build = build_rtcp_app};

static const struct session_template rtcp_reports = {
	.base = {.name = "rtcp-rr-reports",
		 .protocol = "rtcp",
		 .title = "RTCP receiver report with three report blocks at their extremes, padded "
			  "SDES"},
	.build = build_rtcp_reports};

static const struct session_template *const rtp_templates[] = {&rtp_jpeg, &rtp_extension,
							       &rtp_padded};

static const struct session_template *const rtcp_templates[] = {
	&rtcp_rr_sdes, &rtcp_sr_sdes, &rtcp_bye, &rtcp_app, &rtcp_reports,
};

#define UDP_TEMPLATE(id, n, proto, what, fn)                                                       \
	static const struct session_template id = {                                                \
		.base = {.name = n, .protocol = proto, .title = what}, .build = fn}

UDP_TEMPLATE(udp_rtp_jpeg, "rtp-udp-jpeg", "rtp-udp",
	     "RTP JPEG (RFC 2435) packet, marker set, by UDP to the DUT's RTP server_port",
	     build_udp_rtp_jpeg);
UDP_TEMPLATE(udp_rtp_extension, "rtp-udp-csrc-extension", "rtp-udp",
	     "RTP with two CSRCs and a one-byte header extension (RFC 8285), by UDP",
	     build_udp_rtp_extension);
UDP_TEMPLATE(udp_rtp_padded, "rtp-udp-padded", "rtp-udp",
	     "RTP PCMU packet with 4 bytes of padding, by UDP", build_udp_rtp_padded);
UDP_TEMPLATE(udp_rtcp_rr_sdes, "rtcp-udp-rr-sdes", "rtcp-udp",
	     "RTCP receiver report and SDES CNAME, by UDP to the DUT's RTCP server_port",
	     build_udp_rtcp_rr_sdes);
UDP_TEMPLATE(udp_rtcp_sr_sdes, "rtcp-udp-sr-sdes", "rtcp-udp",
	     "RTCP sender report and SDES CNAME, NAME, TOOL, by UDP", build_udp_rtcp_sr_sdes);
UDP_TEMPLATE(udp_rtcp_bye, "rtcp-udp-bye", "rtcp-udp",
	     "RTCP receiver report, SDES and BYE with a reason, by UDP", build_udp_rtcp_bye);
UDP_TEMPLATE(udp_rtcp_app, "rtcp-udp-app", "rtcp-udp",
	     "RTCP receiver report and an APP packet, by UDP", build_udp_rtcp_app);
UDP_TEMPLATE(udp_rtcp_reports, "rtcp-udp-rr-reports", "rtcp-udp",
	     "RTCP receiver report with three report blocks at their extremes, padded SDES, by "
	     "UDP",
	     build_udp_rtcp_reports);

static const struct session_template *const udp_rtp_templates[] = {
	&udp_rtp_jpeg, &udp_rtp_extension, &udp_rtp_padded};

static const struct session_template *const udp_rtcp_templates[] = {
	&udp_rtcp_rr_sdes, &udp_rtcp_sr_sdes, &udp_rtcp_bye, &udp_rtcp_app, &udp_rtcp_reports,
};

/* ---- the session: the shared RTSP link, playing ---- */

static struct rtsp_link *media_state(struct session_link *l)
{
	return (struct rtsp_link *)l->protocol_state;
}

static int media_establish(struct session_link *l, unsigned state, int64_t deadline_ns,
			   struct dl_error *err)
{
	if (state != 0)
		return dl_error_set(err, DL_EINVAL, "rtp: no protocol state %u (0: playing)",
				    state);
	struct rtsp_link_config config;
	rtsp_link_config_from_peer(l->peer, &config);
	return rtsp_link_establish(l, media_state(l), &config, RTSP_LINK_PLAYING, deadline_ns, err);
}

static int udp_establish(struct session_link *l, unsigned state, int64_t deadline_ns,
			 struct dl_error *err)
{
	if (state != 0)
		return dl_error_set(err, DL_EINVAL, "rtp: no protocol state %u (0: playing)",
				    state);
	struct rtsp_link_config config;
	rtsp_link_config_from_peer(l->peer, &config);
	config.udp = true;
	return rtsp_link_establish(l, media_state(l), &config, RTSP_LINK_PLAYING, deadline_ns, err);
}

/* The frame on the channels this session agreed: a template's channel (0 or 1) mapped to the
 * ones SETUP answered, unless a mutation changed it. */
static int media_send(struct session_link *l, const struct session_template *t, const uint8_t *data,
		      size_t length, struct dl_error *err)
{
	struct rtsp_link *s = media_state(l);
	uint8_t built = strcmp(t->base.protocol, "rtcp") == 0 ? RTCP_CHANNEL : RTP_CHANNEL;
	uint8_t agreed = built == RTCP_CHANNEL ? s->rtcp_channel : s->rtp_channel;
	if (length < INTERLEAVED_HEADER_LENGTH || data[1] != built || agreed == built)
		return rtsp_link_send(l, s, data, length, false, err);
	uint8_t copy[SESSION_MESSAGE_MAX];
	if (length > sizeof(copy))
		return dl_error_set(err, DL_EINVAL, "rtp: a %zu-byte case is longer than %d",
				    length, SESSION_MESSAGE_MAX);
	memcpy(copy, data, length);
	copy[1] = agreed;
	session_link_sent(l, copy, length); /* recorded on the channel it went on */
	return rtsp_link_send(l, s, copy, length, false, err);
}

/* A UDP case to the DUT's RTP or RTCP port, as SETUP's answer named them. */
static int udp_send(struct session_link *l, const struct session_template *t, const uint8_t *data,
		    size_t length, struct dl_error *err)
{
	bool rtcp = strcmp(t->base.protocol, "rtcp-udp") == 0;
	return rtsp_link_send_udp(l, media_state(l), rtcp, data, length, err);
}

static int media_tend(struct session_link *l, unsigned wait_ms, struct session_reaction *out,
		      struct dl_error *err)
{
	return rtsp_link_tend(l, media_state(l), wait_ms, out, err);
}

static void media_close(struct session_link *l)
{
	rtsp_link_close(l, media_state(l));
}

static int media_check(struct session_link *l, int64_t deadline_ns, bool *healthy, char *evidence,
		       size_t size, struct dl_error *err)
{
	struct rtsp_link_config config;
	rtsp_link_config_from_peer(l->peer, &config);
	return rtsp_link_check(l, media_state(l), &config, deadline_ns, healthy, evidence, size,
			       err);
}

/* The UDP session's health: PLAY streams RTP to our client port. */
static int udp_check(struct session_link *l, int64_t deadline_ns, bool *healthy, char *evidence,
		     size_t size, struct dl_error *err)
{
	struct rtsp_link_config config;
	rtsp_link_config_from_peer(l->peer, &config);
	config.udp = true;
	return rtsp_link_check(l, media_state(l), &config, deadline_ns, healthy, evidence, size,
			       err);
}

const struct session_protocol session_rtp = {
	.name = "rtp",
	.title = "RTP in RTSP interleaved frames to a playing session; rtsps://: inside TLS, "
		 "shown in clear",
	.templates = rtp_templates,
	.template_count = DL_ARRAY_SIZE(rtp_templates),
	.establish = media_establish,
	.tend = media_tend,
	.close = media_close,
	.send = media_send,
	.check = media_check,
	.state_size = sizeof(struct rtsp_link),
	.establish_ms = 5000,
	.parallel = true,
};

const struct session_protocol session_rtcp = {
	.name = "rtcp",
	.title = "RTCP compound packets in RTSP interleaved frames to a playing session; rtsps://: "
		 "inside TLS, shown in clear",
	.templates = rtcp_templates,
	.template_count = DL_ARRAY_SIZE(rtcp_templates),
	.establish = media_establish,
	.tend = media_tend,
	.close = media_close,
	.send = media_send,
	.check = media_check,
	.state_size = sizeof(struct rtsp_link),
	.establish_ms = 5000,
	.parallel = true,
};

const struct session_protocol session_rtp_udp = {
	.name = "rtp-udp",
	.title = "RTP by UDP to the server_port a playing session's SETUP negotiated",
	.templates = udp_rtp_templates,
	.template_count = DL_ARRAY_SIZE(udp_rtp_templates),
	.establish = udp_establish,
	.tend = media_tend,
	.close = media_close,
	.send = udp_send,
	.check = udp_check,
	.state_size = sizeof(struct rtsp_link),
	.establish_ms = 5000,
};

const struct session_protocol session_rtcp_udp = {
	.name = "rtcp-udp",
	.title = "RTCP compound packets by UDP to the RTCP server_port a playing session's SETUP "
		 "negotiated",
	.templates = udp_rtcp_templates,
	.template_count = DL_ARRAY_SIZE(udp_rtcp_templates),
	.establish = udp_establish,
	.tend = media_tend,
	.close = media_close,
	.send = udp_send,
	.check = udp_check,
	.state_size = sizeof(struct rtsp_link),
	.establish_ms = 5000,
};
