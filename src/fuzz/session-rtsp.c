/* session-rtsp: the RTSP session plug-in: every request method as a mutable text message, sent in a
 * playing (or described, or set-up) session with the real Session, CSeq and Digest patched in */
#include "core/compat.h"

#include <arpa/inet.h>

#include "core/error.h"
#include "core/profile.h"
#include "core/text.h"
#include "fuzz/session-rtsp-link.h"
#include "fuzz/session.h"
#include "net/sock.h"
#include "proto/packet.h"
#include "proto/rtsp-message.h"

/*
 * The session is session-rtsp-link.c's (OPTIONS, DESCRIBE with Digest, SETUP
 * RTP/AVP/TCP interleaved, PLAY); this file adds the requests the campaign
 * mutates. A template is built from the peer alone, once, before any session
 * exists: what only a session knows goes in as placeholders that the send
 * hook replaces in a copy of each case, when the mutation left them whole:
 * CSeq RTSP_CSEQ_PLACEHOLDER (the link's next CSeq), Session
 * RTSP_SESSION_PLACEHOLDER (the session's id; the line dropped before SETUP),
 * Authorization RTSP_AUTH_PLACEHOLDER (the Digest answer to the DUT's last
 * challenge for the request line as sent, mutated method and URI included:
 * a mutation must reach the DUT's parsers behind its authentication; the
 * line dropped when the DUT never asked), and SETUP's URI (the SDP's control
 * URL). A mutated placeholder is sent as mutated: that is the case. The hook
 * notes the patched copy (session_link_sent()): the sent log and the
 * reproducer record the request as the DUT received it.
 *
 * States (the plug-in's numbering): 0 playing, where every method is sent
 * (RFC 2326 A.1: the server's Playing state); 1 ready (after SETUP): PLAY; 2
 * described (no session yet): SETUP creating one. TEARDOWN ends the session:
 * it spends it.
 */

enum rtsp_session_state {
	RTSP_STATE_PLAYING = 0,
	RTSP_STATE_READY = 1,
	RTSP_STATE_DESCRIBED = 2,
};

#define RTSP_CSEQ_PLACEHOLDER 314159
#define RTSP_CSEQ_PLACEHOLDER_TEXT "314159"
#define RTSP_SESSION_PLACEHOLDER "DUTLAB0SESSION0ID"
#define RTSP_AUTH_PLACEHOLDER "Digest dutlab-placeholder"
#define RTSP_PATCH_ROOM                                                                            \
	1536 /* what the patched lines may add: a Digest line, a long control URL                  \
	      */
#define RTSP_METHOD_MAX 64

static struct rtsp_link *rtsp_link_of(struct session_link *l)
{
	return l->protocol_state;
}

/* The stream's URL as the link writes it (rtsp_link_establish()). */
static int rtsp_url(const struct session_peer *peer, char *out, size_t size, struct dl_error *err)
{
	struct rtsp_link_config config;
	rtsp_link_config_from_peer(peer, &config);
	const char *path = config.path && config.path[0] ? config.path : "/";
	char host[INET_ADDRSTRLEN];
	inet_ntop(AF_INET, &peer->dut4, host, sizeof(host));
	int n = snprintf(out, size, "%s://%s:%u%s%s", config.tls ? "rtsps" : "rtsp", host,
			 (unsigned)config.port, path[0] == '/' ? "" : "/", path);
	if (n < 0 || (size_t)n >= size)
		return dl_error_set(err, DL_EINVAL, "robustness.rtsp.path: '%s' is too long", path);
	return 0;
}

/* ---- the templates ---- */

static const struct rtsp_transport rtsp_interleaved = {
	.protocol = "RTP/AVP/TCP",
	.cast = "unicast",
	.interleaved = true,
	.rtp_channel = 0,
	.rtcp_channel = 1,
};

static const char rtsp_parameters_get[] = "position\r\nscale\r\n";
static const char rtsp_parameters_set[] = "barparam: barstuff\r\n";
static const char rtsp_sdp[] = "v=0\r\n"
			       "o=- 2890844526 2890842807 IN IP4 198.18.0.1\r\n"
			       "s=dutlab\r\n"
			       "c=IN IP4 198.18.0.1\r\n"
			       "t=0 0\r\n"
			       "m=video 0 RTP/AVP 26\r\n"
			       "a=rtpmap:26 JPEG/90000\r\n"
			       "a=control:track0\r\n";

/* f's URI, CSeq, Session and Authorization placeholders, then the message, finished. */
static int rtsp_build(struct packet *p, const struct session_peer *peer,
		      struct rtsp_message_fields *f, bool session, struct dl_error *err)
{
	char url[RTSP_LINK_URL_MAX];
	int rc = rtsp_url(peer, url, sizeof(url), err);
	if (rc)
		return rc;
	f->uri = url;
	f->cseq = RTSP_CSEQ_PLACEHOLDER;
	f->session = session ? RTSP_SESSION_PLACEHOLDER : NULL;
	f->authorization = RTSP_AUTH_PLACEHOLDER;
	packet_init(p);
	rc = rtsp_message_build(p, f, err);
	return rc ? rc : packet_finish(p, err);
}

static int build_options(struct packet *p, const struct session_peer *peer, struct dl_error *err)
{
	struct rtsp_message_fields f = {.method = "OPTIONS"};
	return rtsp_build(p, peer, &f, true, err);
}

static int build_describe(struct packet *p, const struct session_peer *peer, struct dl_error *err)
{
	static const struct rtsp_header h[] = {{"Accept", "application/sdp"}};
	struct rtsp_message_fields f = {.method = "DESCRIBE", .headers = h, .header_count = 1};
	return rtsp_build(p, peer, &f, false, err);
}

static int build_setup(struct packet *p, const struct session_peer *peer, struct dl_error *err)
{
	struct rtsp_message_fields f = {.method = "SETUP", .transport = &rtsp_interleaved};
	return rtsp_build(p, peer, &f, true, err);
}

static int build_setup_new(struct packet *p, const struct session_peer *peer, struct dl_error *err)
{
	struct rtsp_message_fields f = {.method = "SETUP", .transport = &rtsp_interleaved};
	return rtsp_build(p, peer, &f, false, err);
}

static int build_play(struct packet *p, const struct session_peer *peer, struct dl_error *err)
{
	static const struct rtsp_header h[] = {{"Range", "npt=0.000-"}};
	struct rtsp_message_fields f = {.method = "PLAY", .headers = h, .header_count = 1};
	return rtsp_build(p, peer, &f, true, err);
}

static int build_pause(struct packet *p, const struct session_peer *peer, struct dl_error *err)
{
	struct rtsp_message_fields f = {.method = "PAUSE"};
	return rtsp_build(p, peer, &f, true, err);
}

static int build_get_parameter(struct packet *p, const struct session_peer *peer,
			       struct dl_error *err)
{
	struct rtsp_message_fields f = {.method = "GET_PARAMETER",
					.content_type = "text/parameters",
					.body = (const uint8_t *)rtsp_parameters_get,
					.body_length = sizeof(rtsp_parameters_get) - 1};
	return rtsp_build(p, peer, &f, true, err);
}

static int build_set_parameter(struct packet *p, const struct session_peer *peer,
			       struct dl_error *err)
{
	struct rtsp_message_fields f = {.method = "SET_PARAMETER",
					.content_type = "text/parameters",
					.body = (const uint8_t *)rtsp_parameters_set,
					.body_length = sizeof(rtsp_parameters_set) - 1};
	return rtsp_build(p, peer, &f, true, err);
}

static int build_teardown(struct packet *p, const struct session_peer *peer, struct dl_error *err)
{
	struct rtsp_message_fields f = {.method = "TEARDOWN"};
	return rtsp_build(p, peer, &f, true, err);
}

static int build_announce(struct packet *p, const struct session_peer *peer, struct dl_error *err)
{
	struct rtsp_message_fields f = {.method = "ANNOUNCE",
					.content_type = "application/sdp",
					.body = (const uint8_t *)rtsp_sdp,
					.body_length = sizeof(rtsp_sdp) - 1};
	return rtsp_build(p, peer, &f, true, err);
}

#define RTSP_TEMPLATE(id, n, what, fn, st, spends)                                                 \
	static const struct session_template id = {                                                \
		.base = {.name = n, .protocol = "rtsp", .title = what},                            \
		.build = fn,                                                                       \
		.state = st,                                                                       \
		.spends_session = spends}

RTSP_TEMPLATE(rtsp_options, "rtsp-options", "OPTIONS in a playing session", build_options,
	      RTSP_STATE_PLAYING, false);
RTSP_TEMPLATE(rtsp_describe, "rtsp-describe", "DESCRIBE of the stream, Accept application/sdp",
	      build_describe, RTSP_STATE_PLAYING, false);
RTSP_TEMPLATE(rtsp_setup, "rtsp-setup",
	      "SETUP of the playing session again, RTP/AVP/TCP interleaved=0-1", build_setup,
	      RTSP_STATE_PLAYING, false);
RTSP_TEMPLATE(rtsp_setup_new, "rtsp-setup-new",
	      "SETUP making the session, RTP/AVP/TCP interleaved=0-1 (after DESCRIBE)",
	      build_setup_new, RTSP_STATE_DESCRIBED, false);
RTSP_TEMPLATE(rtsp_play, "rtsp-play", "PLAY of the playing session, Range npt=0.000-", build_play,
	      RTSP_STATE_PLAYING, false);
RTSP_TEMPLATE(rtsp_play_ready, "rtsp-play-ready", "PLAY of a session set up (after SETUP)",
	      build_play, RTSP_STATE_READY, false);
RTSP_TEMPLATE(rtsp_pause, "rtsp-pause", "PAUSE of the playing session", build_pause,
	      RTSP_STATE_PLAYING, false);
RTSP_TEMPLATE(rtsp_get_parameter, "rtsp-get-parameter", "GET_PARAMETER with a text/parameters body",
	      build_get_parameter, RTSP_STATE_PLAYING, false);
RTSP_TEMPLATE(rtsp_set_parameter, "rtsp-set-parameter", "SET_PARAMETER with a text/parameters body",
	      build_set_parameter, RTSP_STATE_PLAYING, false);
RTSP_TEMPLATE(rtsp_teardown, "rtsp-teardown", "TEARDOWN of the playing session", build_teardown,
	      RTSP_STATE_PLAYING, true);
RTSP_TEMPLATE(rtsp_announce, "rtsp-announce", "ANNOUNCE with an SDP body", build_announce,
	      RTSP_STATE_PLAYING, false);

static const struct session_template *const rtsp_templates[] = {
	&rtsp_options,       &rtsp_describe,   &rtsp_setup,    &rtsp_setup_new,
	&rtsp_play,          &rtsp_play_ready, &rtsp_pause,    &rtsp_get_parameter,
	&rtsp_set_parameter, &rtsp_teardown,   &rtsp_announce,
};

/* ---- the send hook: what only the session knows ---- */

struct rtsp_out {
	uint8_t *bytes;
	size_t length, size;
	bool full;
};

static void rtsp_out_put(struct rtsp_out *o, const void *data, size_t n)
{
	if (o->full || n > o->size - o->length) {
		o->full = true;
		return;
	}
	memcpy(o->bytes + o->length, data, n);
	o->length += n;
}

static void rtsp_out_text(struct rtsp_out *o, const char *text)
{
	rtsp_out_put(o, text, strlen(text));
}

/* The end of the line at i (its CR of CRLF), or n. */
static size_t rtsp_line_end(const uint8_t *b, size_t i, size_t n)
{
	for (; i + 1 < n; i++)
		if (b[i] == '\r' && b[i + 1] == '\n')
			return i;
	return n;
}

static bool rtsp_span_is(const uint8_t *b, size_t n, const char *text)
{
	return n == strlen(text) && memcmp(b, text, n) == 0;
}

static bool rtsp_name_is(const uint8_t *b, size_t n, const char *name)
{
	if (n != strlen(name))
		return false;
	for (size_t i = 0; i < n; i++) {
		uint8_t a = b[i] >= 'A' && b[i] <= 'Z' ? (uint8_t)(b[i] + 32) : b[i];
		uint8_t c = (uint8_t)name[i];
		c = c >= 'A' && c <= 'Z' ? (uint8_t)(c + 32) : c;
		if (a != c)
			return false;
	}
	return true;
}

/*
 * Copy case into o with the placeholders replaced: the request line (SETUP's
 * URL by the control URL, the template's URL by the link's), then each
 * header line up to the empty line, then the rest as it is. template_url is
 * the URL the templates were built with.
 */
static int rtsp_patch(struct rtsp_link *s, const char *template_url, const uint8_t *data,
		      size_t length, struct rtsp_out *o, uint32_t *cseq, struct dl_error *err)
{
	*cseq = 0;
	size_t eol = rtsp_line_end(data, 0, length);
	if (eol == length) { /* no line at all: nothing to patch */
		rtsp_out_put(o, data, length);
		return 0;
	}
	/* METHOD SP URI SP VERSION, as rtsp-message.c reads it: the URI between the first and
	 * the last space */
	size_t sp1 = 0;
	while (sp1 < eol && data[sp1] != ' ')
		sp1++;
	size_t last = eol;
	while (last > sp1 && data[last - 1] != ' ')
		last--;
	char method[RTSP_METHOD_MAX] = "", uri[RTSP_LINK_URL_MAX] = "";
	bool parts = sp1 < eol && last > sp1 + 1;
	if (parts) {
		size_t mn = sp1, un = last - 1 - (sp1 + 1);
		const uint8_t *u = data + sp1 + 1;
		const char *replace = NULL;
		if (rtsp_span_is(u, un, template_url))
			replace = rtsp_span_is(data, sp1, "SETUP") && s->control[0] ? s->control
										    : s->url;
		rtsp_out_put(o, data, sp1 + 1);
		if (replace) {
			rtsp_out_text(o, replace);
			(void)text_copy(uri, sizeof(uri), replace);
		} else {
			rtsp_out_put(o, u, un);
			if (un < sizeof(uri)) {
				memcpy(uri, u, un);
				uri[un] = '\0';
			}
		}
		rtsp_out_put(o, data + last - 1, eol + 2 - (last - 1));
		if (mn < sizeof(method)) {
			memcpy(method, data, mn);
			method[mn] = '\0';
		}
	} else {
		rtsp_out_put(o, data, eol + 2);
	}
	/* each placeholder is patched once, where it first stands: a header a mutation repeated
	 * goes as it is (the case), and the patched copy stays within RTSP_PATCH_ROOM */
	bool cseq_done = false, session_done = false, auth_done = false;
	size_t at = eol + 2;
	while (at < length) {
		size_t end = rtsp_line_end(data, at, length);
		if (end == at || end == length)
			break; /* the empty line, or a last line without CRLF: copied as they are */
		const uint8_t *line = data + at;
		size_t n = end - at, colon = 0;
		while (colon < n && line[colon] != ':')
			colon++;
		const uint8_t *value = line + colon + 1;
		size_t vn = colon < n ? n - colon - 1 : 0;
		while (vn && *value == ' ') {
			value++;
			vn--;
		}
		char text[1536];
		if (!cseq_done && colon < n && rtsp_name_is(line, colon, "CSeq") &&
		    rtsp_span_is(value, vn, RTSP_CSEQ_PLACEHOLDER_TEXT)) {
			cseq_done = true;
			*cseq = rtsp_link_next_cseq(s);
			snprintf(text, sizeof(text), "CSeq: %" PRIu32 "\r\n", *cseq);
			rtsp_out_text(o, text);
		} else if (!session_done && colon < n && rtsp_name_is(line, colon, "Session") &&
			   rtsp_span_is(value, vn, RTSP_SESSION_PLACEHOLDER)) {
			session_done = true;
			if (s->session[0]) {
				snprintf(text, sizeof(text), "Session: %s\r\n", s->session);
				rtsp_out_text(o, text);
			}
		} else if (!auth_done && colon < n && rtsp_name_is(line, colon, "Authorization") &&
			   rtsp_span_is(value, vn, RTSP_AUTH_PLACEHOLDER) && parts && method[0] &&
			   uri[0]) {
			auth_done = true;
			int rc = rtsp_link_authorization(s, method, uri, text, sizeof(text) - 2,
							 err);
			if (rc)
				return rc;
			if (text[0]) {
				rtsp_out_text(o, text);
				rtsp_out_text(o, "\r\n");
			}
		} else {
			rtsp_out_put(o, line, n + 2);
		}
		at = end + 2;
	}
	if (at < length)
		rtsp_out_put(o, data + at, length - at);
	if (o->full)
		return dl_error_set(err, DL_ENOMEM,
				    "rtsp: the case with its session's values does not fit %zu "
				    "bytes",
				    o->size);
	return 0;
}

static int rtsp_send(struct session_link *l, const struct session_template *t, const uint8_t *data,
		     size_t length, struct dl_error *err)
{
	(void)t;
	uint8_t bytes[SESSION_MESSAGE_MAX + RTSP_PATCH_ROOM];
	char url[RTSP_LINK_URL_MAX];
	int rc = rtsp_url(l->peer, url, sizeof(url), err);
	if (rc)
		return rc;
	if (length > SESSION_MESSAGE_MAX)
		length = SESSION_MESSAGE_MAX; /* the engine caps a case there already */
	struct rtsp_out o = {.bytes = bytes, .size = sizeof(bytes)};
	struct rtsp_link *s = rtsp_link_of(l);
	uint32_t cseq = 0;
	rc = rtsp_patch(s, url, data, length, &o, &cseq, err);
	if (rc)
		return rc;
	session_link_sent(l, bytes, o.length); /* recorded as it goes, not as the placeholders */
	rc = rtsp_link_send(l, s, bytes, o.length, false, err);
	if (rc)
		return rc;
	rtsp_link_case_sent(s, cseq); /* its answer ends tend's wait */
	/* the method as sent: its answer may move the session (rtsp_follow) */
	size_t m = 0;
	while (m < o.length && m < sizeof(s->case_method) - 1 && bytes[m] != ' ' &&
	       bytes[m] != '\r')
		m++;
	memcpy(s->case_method, bytes, m);
	s->case_method[m] = '\0';
	return 0;
}

/* ---- the session: session-rtsp-link.c's ---- */

static enum rtsp_link_stage rtsp_stage(unsigned state)
{
	switch (state) {
	case RTSP_STATE_READY: return RTSP_LINK_READY;
	case RTSP_STATE_DESCRIBED: return RTSP_LINK_DESCRIBED;
	default: return RTSP_LINK_PLAYING;
	}
}

static int rtsp_establish(struct session_link *l, unsigned state, int64_t deadline_ns,
			  struct dl_error *err)
{
	struct rtsp_link_config config;
	rtsp_link_config_from_peer(l->peer, &config);
	return rtsp_link_establish(l, rtsp_link_of(l), &config, rtsp_stage(state), deadline_ns,
				   err);
}

/*
 * Where the answer to the case moved the session, as RFC 2326 A.1's server state machine
 * has it: a PLAY answered 200 in Ready plays; a SETUP 200 in Described (no session yet)
 * makes one, Ready (its id and channels taken); a TEARDOWN 200 leaves the connection
 * Described, unless the DUT said it closes it (GStreamer does: the engine then ends it as a
 * spent session). A PAUSE 200 readies a playing session. The case that moved it joins the
 * state-building prefix: the requests after it stand on it. Any other answer (a 4xx, none
 * in time) leaves the state as it was; a 4xx on a connection the DUT keeps says so (kept): a
 * TEARDOWN refused (its Session or URL mutated: 454, 404) has not spent the session, and
 * the next case goes on it instead of on a new one, which costs GStreamer a connection, a
 * 401, SETUP and PLAY.
 */
static void rtsp_follow(struct session_link *l, struct rtsp_link *s, struct session_reaction *out)
{
	const struct rtsp_link_answer *a = &s->case_answer;
	if (out->kind != SESSION_ALIVE || !out->complete || l->fd < 0)
		return;
	if (a->status >= 400 && a->status < 500 && !a->connection_close) {
		/* refused, not carried out: a TEARDOWN so answered spent nothing */
		out->kept = true;
		return;
	}
	if (a->status != 200)
		return;
	unsigned to = l->state;
	if (strcmp(s->case_method, "PLAY") == 0 && l->state == RTSP_STATE_READY && s->session[0]) {
		to = RTSP_STATE_PLAYING;
		s->stage = RTSP_LINK_PLAYING;
		s->playing_ns = sock_now_ns();
	} else if (strcmp(s->case_method, "PAUSE") == 0 && l->state == RTSP_STATE_PLAYING) {
		to = RTSP_STATE_READY;
		s->stage = RTSP_LINK_READY;
	} else if (strcmp(s->case_method, "TEARDOWN") == 0 && l->state != RTSP_STATE_DESCRIBED &&
		   !a->connection_close) {
		to = RTSP_STATE_DESCRIBED;
		s->stage = RTSP_LINK_DESCRIBED;
		s->session[0] = '\0';
	} else if (strcmp(s->case_method, "SETUP") == 0 && l->state == RTSP_STATE_DESCRIBED &&
		   a->session[0] && a->has_interleaved && !s->config.udp) {
		to = RTSP_STATE_READY;
		rtsp_link_set_up(s, a);
	}
	if (to == l->state)
		return;
	if (l->sent_length)
		session_link_prefix_add(l, l->sent, l->sent_length);
	else
		l->prefix_full = true; /* the case went unnoted: the prefix lacks it */
	out->moved = true;
	out->state = to;
}

static int rtsp_tend(struct session_link *l, unsigned wait_ms, struct session_reaction *out,
		     struct dl_error *err)
{
	struct rtsp_link *s = rtsp_link_of(l);
	int rc = rtsp_link_tend(l, s, wait_ms, out, err);
	if (!rc)
		rtsp_follow(l, s, out);
	return rc;
}

static int rtsp_advance(struct session_link *l, unsigned state, int64_t deadline_ns,
			struct dl_error *err)
{
	return rtsp_link_advance(l, rtsp_link_of(l), rtsp_stage(state), deadline_ns, err);
}

static void rtsp_close(struct session_link *l)
{
	rtsp_link_close(l, rtsp_link_of(l));
}

static int rtsp_check(struct session_link *l, int64_t deadline_ns, bool *healthy, char *evidence,
		      size_t size, struct dl_error *err)
{
	struct rtsp_link_config config;
	rtsp_link_config_from_peer(l->peer, &config);
	return rtsp_link_check(l, rtsp_link_of(l), &config, deadline_ns, healthy, evidence, size,
			       err);
}

_Static_assert(sizeof(struct rtsp_link) <= SESSION_STATE_BYTES,
	       "the RTSP link state fits a session link's storage");

const struct session_protocol session_rtsp = {
	.name = "rtsp",
	.title =
		"RTSP/1.0 requests (every method) in a playing session, Digest answered; rtsps://: "
		"inside TLS, shown in clear",
	.templates = rtsp_templates,
	.template_count = DL_ARRAY_SIZE(rtsp_templates),
	.establish = rtsp_establish,
	.advance = rtsp_advance,
	.tend = rtsp_tend,
	.close = rtsp_close,
	.send = rtsp_send,
	.check = rtsp_check,
	.state_size = sizeof(struct rtsp_link),
	.establish_ms = 5000,
	.parallel = true,
	.ready_ahead = true,
};
