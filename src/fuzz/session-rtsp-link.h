/* session-rtsp-link: the RTSP session the rtsp, rtp and rtcp plug-ins share: OPTIONS, DESCRIBE
 * with Digest, SETUP interleaved over TCP, PLAY; tended, closed and checked */
#ifndef DUTLAB_FUZZ_SESSION_RTSP_LINK_H
#define DUTLAB_FUZZ_SESSION_RTSP_LINK_H

/*
 * How a plug-in uses it (session_rtsp in session-rtsp.c, session_rtp and
 * session_rtcp in session-rtp.c):
 *
 *   .state_size = sizeof(struct rtsp_link): l->protocol_state is the link's
 *     state (session id, CSeq, channels, the Digest challenge); cast it.
 *   establish(l, state, deadline, err): map the plug-in's state to a stage
 *     and call rtsp_link_establish(l, s, &config, stage, deadline, err);
 *     the config from rtsp_link_config_from_peer(l->peer, &config).
 *     RTSP_LINK_PLAYING is 0 for rtp/rtcp (their media flows only then).
 *   send(l, t, data, length, err): a request template builds with any CSeq
 *     and Session; patch s->cseq (rtsp_link_next_cseq()), s->session and,
 *     when the DUT asks for it, rtsp_link_authorization() for the method and
 *     URI into a copy, then session_link_send(l, copy, n, false, err).
 *   tend: rtsp_link_tend(l, s, wait_ms, out, err). It reads interleaved
 *     frames (counted in s->rtp_frames / s->rtcp_frames) and responses; a
 *     4xx/5xx is the DUT refusing a malformed request, SESSION_ALIVE with
 *     s->last_status and s->refusals noted; a close is SESSION_CLOSED, and
 *     so is a playing stream without RTP for RTSP_LINK_STALL_MS (a DUT that
 *     hangs is found by the re-establishing that follows, s->stalls). It
 *     sends an OPTIONS with the Session header when the session's timeout
 *     is half gone, so the DUT does not reap it.
 *   close: rtsp_link_close(l, s) (a TEARDOWN when playing, then a reset).
 *   check(l, deadline, healthy, evidence, size, err): rtsp_link_check():
 *     OPTIONS answered 200 and, after PLAY, RTP within RTSP_LINK_CHECK_MS.
 *
 * Requests go with "CSeq", "Session" and "Authorization" filled by
 * rtsp_link_request(), which also waits for the answer to its CSeq
 * (skipping interleaved frames and earlier answers) and retries a 401 once
 * with the new challenge: a plug-in that needs an extra exchange in its
 * establish (a GET_PARAMETER before fuzzing) calls it too.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto/http-auth.h"

struct dl_error;
struct session_link;
struct session_peer;
struct session_reaction;

#define RTSP_LINK_PORT 554
#define RTSP_LINK_URL_MAX 512
#define RTSP_LINK_SESSION_MAX 128 /* RFC 2326 12.37: session-id is 8 or more characters */
#define RTSP_LINK_CHECK_MS 3000   /* after PLAY, RTP must arrive within this */
#define RTSP_LINK_STALL_MS 3000   /* a playing stream silent this long has stalled */
#define RTSP_LINK_RESPONSE_MAX 8192

/* Where and as whom (robustness.rtsp {port, path, user, password}). */
struct rtsp_link_config {
	uint16_t port;        /* 0: 554 */
	const char *path;     /* "/stream"; NULL: "/" */
	const char *user;     /* NULL: no credentials (a 401 is then the DUT's refusal) */
	const char *password; /* with user */
};

/* How far establish brings a link; each stage includes the ones before. */
enum rtsp_link_stage {
	RTSP_LINK_CONNECTED, /* TCP connected, nothing said */
	RTSP_LINK_OPTIONS,   /* OPTIONS answered 200 */
	RTSP_LINK_DESCRIBED, /* DESCRIBE answered 200 with an SDP (authorised) */
	RTSP_LINK_READY,     /* SETUP answered 200: a Session, interleaved channels */
	RTSP_LINK_PLAYING,   /* PLAY answered 200: RTP flows in interleaved frames */
};

/* One link's RTSP state (l->protocol_state); zeroed is a link never established. */
struct rtsp_link {
	struct rtsp_link_config config;
	enum rtsp_link_stage stage;
	char url[RTSP_LINK_URL_MAX];     /* rtsp://198.18.27.2:554/stream */
	char control[RTSP_LINK_URL_MAX]; /* the track SETUP names (the SDP's a=control) */
	char session[RTSP_LINK_SESSION_MAX];
	unsigned session_timeout; /* seconds, from Session: id;timeout=N (60 when not said) */
	uint32_t cseq;            /* the last CSeq sent */
	uint8_t rtp_channel, rtcp_channel; /* the interleaved channels SETUP agreed */
	/* the Digest (or Basic) challenge the DUT made; has_challenge once a 401 came */
	struct http_auth_challenge challenge;
	bool has_challenge, basic;
	uint32_t nonce_count; /* RFC 7616 3.4: nc, for a qop=auth challenge */
	/* what tend and rtsp_link_request read */
	int last_status;              /* the last response's status */
	uint64_t responses, refusals; /* refusals: 4xx and 5xx answers */
	uint64_t rtp_frames, rtcp_frames, other_frames, bytes_skipped;
	int64_t last_rtp_ns, playing_ns; /* the last RTP frame; when PLAY was answered 200 */
	uint64_t stalls;                 /* playing links whose RTP stopped (tend closed them) */
	size_t frame_skip; /* bytes of an interleaved frame longer than the input still to drop */
	int64_t keepalive_ns; /* when the next OPTIONS keeps the session */
	char server[128];     /* the DUT's Server header, for evidence */
};

/* The profile's robustness.rtsp for this peer. */
void rtsp_link_config_from_peer(const struct session_peer *peer, struct rtsp_link_config *out);

/*
 * Connect (closing what l had) and bring the link to stage before deadline_ns,
 * each request recorded as l's state-building prefix while it has room. A
 * 503 (GStreamer tearing the shared media of the last session down) is asked
 * again after 300 ms. 0; DL_ESCOPE is dutlab's own refusal; any other error
 * is the DUT's (refused, a status not 200, no interleaved TCP transport),
 * the reason in err, the link closed.
 */
int rtsp_link_establish(struct session_link *l, struct rtsp_link *s,
			const struct rtsp_link_config *config, enum rtsp_link_stage stage,
			int64_t deadline_ns, struct dl_error *err);

/* The CSeq of the next request (and counts it sent). */
uint32_t rtsp_link_next_cseq(struct rtsp_link *s);

/*
 * The "Authorization: ..." header line, without CRLF, for method and uri under
 * the DUT's challenge (Digest RFC 2617/7616 with MD5 or SHA-256, qop auth or
 * none; Basic RFC 7617); "" when there was no challenge or no user. 0 or
 * DL_EINVAL (it does not fit in size, an unsupported algorithm).
 */
int rtsp_link_authorization(struct rtsp_link *s, const char *method, const char *uri, char *out,
			    size_t size, struct dl_error *err);

/*
 * Send "method uri RTSP/1.0" with CSeq, Session (once there is one),
 * Authorization (once challenged), extra header lines (each ending CRLF, or
 * NULL) and a body with its Content-Length (NULL: none), then read until the
 * response to this CSeq (interleaved frames counted on the way). A 401 is
 * answered once with the new challenge. *status, and the response's header
 * block and body copied into response (NUL-terminated, may be NULL). prefix:
 * record the request in l's prefix while it fits. 0, or DL_EIO / DL_ETIMEDOUT
 * / DL_EPROTO with the reason.
 */
int rtsp_link_request(struct session_link *l, struct rtsp_link *s, const char *method,
		      const char *uri, const char *extra, const char *body, bool prefix,
		      int64_t deadline_ns, int *status, char *response, size_t response_size,
		      struct dl_error *err);

/*
 * Read what the DUT sent for up to wait_ms: interleaved frames counted,
 * responses noted (a 4xx/5xx counted a refusal), an OPTIONS sent when the
 * keepalive is due. *out SESSION_ALIVE, or SESSION_CLOSED on a close or
 * reset, on bytes that are neither a frame nor a response (the stream is
 * lost), or when a playing link had no RTP for RTSP_LINK_STALL_MS (a PAUSE
 * case, or a DUT that hangs: the engine's next establish tells which). 0,
 * or DL_EIO when our own keepalive could not be sent.
 */
int rtsp_link_tend(struct session_link *l, struct rtsp_link *s, unsigned wait_ms,
		   struct session_reaction *out, struct dl_error *err);

/* A TEARDOWN when a session stands (not waited for), then close with a reset. */
void rtsp_link_close(struct session_link *l, struct rtsp_link *s);

/*
 * The protocol's health on l (a fresh link): established to PLAYING (OPTIONS
 * answered 200, DESCRIBE, SETUP, PLAY 200) and RTP arriving within
 * RTSP_LINK_CHECK_MS. 0 with *healthy and evidence ("rtsp: OPTIONS 200, PLAY
 * 200, 4 RTP frames in 0.6 s"); DL_ESCOPE / DL_ENOMEM are dutlab's own
 * errors. The link is closed after.
 */
int rtsp_link_check(struct session_link *l, struct rtsp_link *s,
		    const struct rtsp_link_config *config, int64_t deadline_ns, bool *healthy,
		    char *evidence, size_t size, struct dl_error *err);

#endif
