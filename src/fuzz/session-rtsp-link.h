/* session-rtsp-link: the RTSP session the rtsp and media plug-ins share: OPTIONS, DESCRIBE
 * with Digest, SETUP (interleaved over TCP, or RTP/RTCP over UDP), PLAY, over TCP or TLS;
 * tended, closed and checked */
#ifndef DUTLAB_FUZZ_SESSION_RTSP_LINK_H
#define DUTLAB_FUZZ_SESSION_RTSP_LINK_H

/*
 * How a plug-in uses it (session_rtsp in session-rtsp.c, session_rtp,
 * session_rtcp, session_rtp_udp and session_rtcp_udp in session-rtp.c):
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
 *     URI into a copy, then rtsp_link_send(l, s, copy, n, false, err) (never
 *     session_link_send(): on an RTSPS link the bytes go through TLS) and
 *     rtsp_link_case_sent(s, cseq). A UDP plug-in: rtsp_link_send_udp().
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
 * RTSPS (robustness.rtsp.tls): the connection runs TLS (OpenSSL through
 *   memory BIOs, the certificate not verified: a robustness target, not a
 *   trust decision); every byte of the link goes through rtsp_link_send()
 *   and the link's reads, so the plug-ins send plaintext and the prefix and
 *   the cases recorded are the plaintext that travelled inside TLS.
 * UDP (config.udp, the rtp-udp and rtcp-udp plug-ins): SETUP asks for
 *   "RTP/AVP;unicast;client_port=a-b" from a UDP socket pair opened through
 *   the scope guard, the answer's server_port names where RTP and RTCP go
 *   (rtsp_link_send_udp()); tend reads the DUT's RTP on our client port.
 * A case's answer: the rtsp plug-in's send hook calls rtsp_link_case_sent();
 *   tend sets reaction.complete and stops reading once the response to that
 *   request has been read.
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
#define RTSP_LINK_TLS_PORT 322 /* RTSPS (rtsps://, RFC 7826 19.2) */
#define RTSP_LINK_URL_MAX 512
#define RTSP_LINK_SESSION_MAX 128 /* RFC 2326 12.37: session-id is 8 or more characters */
#define RTSP_LINK_CHECK_MS 3000   /* after PLAY, RTP must arrive within this */
#define RTSP_LINK_STALL_MS 3000   /* a playing stream silent this long has stalled */
#define RTSP_LINK_RESPONSE_MAX 8192
#define RTSP_LINK_TIMEOUT_DEFAULT                                                                  \
	60                      /* a session's timeout when SETUP says none (RFC 2326 12.37)       \
				 */
#define RTSP_LINK_METHOD_MAX 24 /* the longest method a case's state follows (GET_PARAMETER) */

/* Where and as whom (robustness.rtsp {port, path, user, password}). */
struct rtsp_link_config {
	uint16_t port;        /* 0: 554 */
	const char *path;     /* "/stream"; NULL: "/" */
	const char *user;     /* NULL: no credentials (a 401 is then the DUT's refusal) */
	const char *password; /* with user */
	bool tls;             /* RTSPS: the connection runs TLS */
	bool udp;             /* SETUP asks for RTP/RTCP over UDP, not interleaved */
};

/* How far establish brings a link; each stage includes the ones before. */
enum rtsp_link_stage {
	RTSP_LINK_CONNECTED, /* TCP connected, nothing said */
	RTSP_LINK_OPTIONS,   /* OPTIONS answered 200 */
	RTSP_LINK_DESCRIBED, /* DESCRIBE answered 200 with an SDP (authorised) */
	RTSP_LINK_READY,     /* SETUP answered 200: a Session, interleaved channels or UDP ports */
	RTSP_LINK_PLAYING,   /* PLAY answered 200: RTP flows (interleaved, or to our UDP port) */
};

struct ssl_st;
struct ssl_ctx_st;
struct bio_st;

/* A Transport parameter's port or channel pair, "interleaved=0-1", "server_port=6970-6971"
 * (RFC 2326 12.39); one number alone is first and first + 1. */
struct rtsp_link_pair {
	bool found;
	unsigned first, second;
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
	/* the challenge was made on this connection (else it is an earlier one's) */
	bool challenge_here;
	/* the DUT refused the last connection's nonce on a new one (GStreamer keeps a nonce
	 * per connection): a connection's first request then goes without Authorization,
	 * its 401 the challenge, not a Digest line the DUT cannot take (kept across
	 * sessions, as the challenge is) */
	bool nonce_per_connection;
	/* the DUT refused a SETUP of the control URL an earlier session's DESCRIBE gave
	 * without a DESCRIBE on the connection: every session describes first (kept) */
	bool direct_setup_refused;
	/* what tend and rtsp_link_request read */
	int last_status;              /* the last response's status */
	uint64_t responses, refusals; /* refusals: 4xx and 5xx answers */
	uint64_t rtp_frames, rtcp_frames, other_frames, bytes_skipped;
	int64_t last_rtp_ns, playing_ns; /* the last RTP frame; when PLAY was answered 200 */
	uint64_t stalls;                 /* playing links whose RTP stopped (tend closed them) */
	size_t frame_skip; /* bytes of an interleaved frame longer than the input still to drop */
	int64_t keepalive_ns; /* when the next OPTIONS keeps the session */
	char server[128];     /* the DUT's Server header, for evidence */
	/* RTSPS: the TLS client (NULL: plain TCP); ciphertext through the two memory BIOs */
	struct ssl_ctx_st *tls_context;
	struct ssl_st *tls;
	struct bio_st *tls_in, *tls_out;
	char tls_version[16];
	/* RTP/RTCP over UDP (config.udp): our socket pair, open while udp_open */
	bool udp_open;
	int udp_fd[2];                           /* RTP, RTCP */
	uint16_t client_port[2], server_port[2]; /* ours, and the DUT's from SETUP's answer */
	uint64_t udp_sent, udp_dropped;          /* dropped: a datagram not from the DUT */
	/* the rtsp plug-in's case: the answer to it ends tend's wait (reaction.complete) */
	bool case_awaited, case_answered;
	uint32_t case_cseq;      /* 0: its CSeq was mutated (any answer but a keepalive's) */
	uint32_t keepalive_cseq; /* tend's own OPTIONS, whose answer is not the case's */
	/* the case's method as sent, and what its answer said, for the session's state: a
	 * PLAY 200 plays, a SETUP 200 makes a session (its id, timeout and channels), a
	 * TEARDOWN 200 ends it, "Connection: close" ends the connection */
	char case_method[RTSP_LINK_METHOD_MAX];
	struct rtsp_link_answer {
		int status;
		char session[RTSP_LINK_SESSION_MAX];
		unsigned timeout;
		bool has_interleaved, connection_close;
		unsigned channel_rtp, channel_rtcp;
	} case_answer;
};

/* The profile's robustness.rtsp for this peer. */
void rtsp_link_config_from_peer(const struct session_peer *peer, struct rtsp_link_config *out);

/*
 * Connect (closing what l had; config->tls: then the TLS handshake) and
 * bring the link to stage before deadline_ns, each request recorded as l's
 * state-building prefix while it has room; PLAY goes without a Range (a
 * live stream plays from now; GStreamer seeks its shared media to one). A
 * 503 (GStreamer tearing the shared media of the last session down) is asked
 * again after 300 ms. 0; DL_ESCOPE is dutlab's own refusal; any other error
 * is the DUT's (refused, a TLS handshake that fails, a status not 200, no
 * interleaved channels or no server_port for config->udp), the reason in
 * err, the link closed.
 */
int rtsp_link_establish(struct session_link *l, struct rtsp_link *s,
			const struct rtsp_link_config *config, enum rtsp_link_stage stage,
			int64_t deadline_ns, struct dl_error *err);

/*
 * Bring an established link on to stage on its connection (SETUP, PLAY), each request
 * recorded after the prefix: 0; DL_EUNSUPPORTED when stage is behind the link's (a
 * TEARDOWN's answer closes GStreamer's connection: that takes a new one), the last case
 * is unanswered (the DUT may be reading a body it announced) or the prefix has no room to
 * record it; else the DUT's error, the reason in err (the caller closes).
 */
int rtsp_link_advance(struct session_link *l, struct rtsp_link *s, enum rtsp_link_stage stage,
		      int64_t deadline_ns, struct dl_error *err);

/* Parse key's pair out of a Transport header value (key "interleaved", "client_port",
 * "server_port", matched as a whole parameter). Exposed for the unit test. */
struct rtsp_link_pair rtsp_link_transport_pair(const uint8_t *value, size_t length,
					       const char *key);

/* Walk what the DUT sent that l->input holds, as tend does: whole interleaved frames counted,
 * whole responses noted (the case's answer taken into s->case_answer), consumed; a message not
 * all here left. 0, or DL_EPROTO once the bytes are neither a frame nor an RTSP message (the
 * stream is lost). Exposed for the fuzz target (untrusted input: the DUT's). */
int rtsp_link_walk_input(struct session_link *l, struct rtsp_link *s);

/* Send on the link: through TLS on an RTSPS link, else session_link_send(). prefix: record
 * data (the plaintext) as a prefix message while it has room. 0 or DL_EIO. */
int rtsp_link_send(struct session_link *l, struct rtsp_link *s, const uint8_t *data, size_t length,
		   bool prefix, struct dl_error *err);

/* A datagram to the DUT's RTP (rtcp false) or RTCP server port of a UDP session. 0, DL_EIO
 * when the link has no UDP session (the engine counts a reset). */
int rtsp_link_send_udp(struct session_link *l, struct rtsp_link *s, bool rtcp, const uint8_t *data,
		       size_t length, struct dl_error *err);

/* The rtsp plug-in sent a case whose CSeq is cseq (0: its CSeq was mutated): tend's wait ends
 * at its answer, reaction.complete. */
void rtsp_link_case_sent(struct rtsp_link *s, uint32_t cseq);

/* A SETUP answered 200 with a (the way in's, or a case's): the session it made is the link's,
 * Ready, its keepalive due at half the session's timeout. */
void rtsp_link_set_up(struct rtsp_link *s, const struct rtsp_link_answer *a);

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
 * keepalive is due, and on a UDP session the RTP and RTCP that came to our
 * ports. out->complete (and the wait ends) once the answer to the case
 * rtsp_link_case_sent() named has been read. *out SESSION_ALIVE, or
 * SESSION_CLOSED on a close or reset, on bytes that are neither a frame
 * nor a response (the stream is
 * lost), or when a playing link had no RTP for RTSP_LINK_STALL_MS (a PAUSE
 * case, or a DUT that hangs: the engine's next establish tells which). 0,
 * or DL_EIO when our own keepalive could not be sent.
 */
int rtsp_link_tend(struct session_link *l, struct rtsp_link *s, unsigned wait_ms,
		   struct session_reaction *out, struct dl_error *err);

/* A TEARDOWN when a session stands (not waited for), then close with a reset (TLS freed, the
 * UDP sockets closed). */
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
