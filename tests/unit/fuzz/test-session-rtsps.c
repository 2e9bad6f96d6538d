/* test-session-rtsps: the RTSP link over TLS and with RTP/RTCP over UDP, Transport's port pairs,
 * a case's answer ending tend's wait, and a campaign's sent log and reproducer holding the
 * requests as the camera received them, against a fake camera on 127.0.0.1 */
#include "core/compat.h"

#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <json-c/json.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/error.h"
#include "core/json-read.h"
#include "core/profile.h"
#include "fuzz/session-rtsp-link.h"
#include "fuzz/session.h"
#include "net/scope.h"
#include "net/sock.h"
#include "proto/packet.h"
#include "proto/rtcp.h"
#include "proto/rtp.h"
#include "session-test-support.h"

/* ---- Transport's pairs (RFC 2326 12.39) ---- */

static struct rtsp_link_pair pair(const char *value, const char *key)
{
	return rtsp_link_transport_pair((const uint8_t *)value, strlen(value), key);
}

static void transport_pairs(void **state)
{
	(void)state;
	/* GStreamer's answer to a UDP SETUP */
	const char *udp = "RTP/AVP;unicast;client_port=40000-40001;server_port=6970-6971;"
			  "ssrc=1A2B3C4D;mode=\"PLAY\"";
	struct rtsp_link_pair p = pair(udp, "server_port");
	assert_true(p.found);
	assert_int_equal(p.first, 6970);
	assert_int_equal(p.second, 6971);
	p = pair(udp, "client_port");
	assert_true(p.found);
	assert_int_equal(p.first, 40000);
	assert_int_equal(p.second, 40001);
	assert_false(pair(udp, "interleaved").found);
	/* one port alone: RTCP is the next (RFC 3550 11) */
	p = pair("RTP/AVP;unicast;server_port=5000", "server_port");
	assert_true(p.found);
	assert_int_equal(p.second, 5001);
	/* interleaved channels, at most 255 */
	p = pair("RTP/AVP/TCP;unicast;interleaved=4-5", "interleaved");
	assert_true(p.found && p.first == 4 && p.second == 5);
	assert_false(pair("RTP/AVP/TCP;interleaved=255", "interleaved").found); /* 256 */
	assert_false(pair("RTP/AVP/TCP;interleaved=300-301", "interleaved").found);
	/* ports past 65535, no digits, a key inside another parameter's name */
	assert_false(pair("RTP/AVP;server_port=70000-70001", "server_port").found);
	assert_false(pair("RTP/AVP;server_port=65535", "server_port").found);
	assert_false(pair("RTP/AVP;server_port=-6971", "server_port").found);
	assert_false(pair("RTP/AVP;x_server_port=1-2", "server_port").found);
	assert_false(pair("RTP/AVP;server_port", "server_port").found);
	p = pair("RTP/AVP; Server_Port=8000-8001", "server_port"); /* case and a space */
	assert_true(p.found && p.first == 8000);
}

/* The UDP plug-ins' templates: the interleaved ones' RTP and RTCP without the frame, each
 * parsing back whole as the bare model (what goes in the datagram), all in state 0. */
static void udp_templates(void **state)
{
	(void)state;
	static struct profile_robustness r = {.rtsp = {.declared = true}};
	struct session_peer peer;
	session_test_peer(&peer, "198.18.27.1", "198.18.27.2", &r);
	const struct session_protocol *udp[] = {&session_rtp_udp, &session_rtcp_udp};
	const struct session_protocol *framed[] = {&session_rtp, &session_rtcp};
	const struct proto_layer *model[] = {&rtp_layer, &rtcp_layer};
	static struct packet bare, whole, back;
	for (size_t i = 0; i < 2; i++) {
		assert_int_equal(udp[i]->template_count, framed[i]->template_count);
		assert_non_null(udp[i]->check);
		assert_non_null(udp[i]->send);
		assert_int_equal(udp[i]->state_size, sizeof(struct rtsp_link));
		for (size_t t = 0; t < udp[i]->template_count; t++) {
			const struct session_template *u = udp[i]->templates[t];
			struct dl_error err = {0};
			assert_int_equal(u->state, 0);
			assert_false(u->spends_session);
			assert_string_equal(u->base.protocol, udp[i]->name);
			packet_init(&bare);
			packet_init(&whole);
			assert_int_equal(u->build(&bare, &peer, &err), 0);
			assert_int_equal(framed[i]->templates[t]->build(&whole, &peer, &err), 0);
			assert_int_equal(bare.length + 4, whole.length);
			assert_memory_equal(bare.bytes, whole.bytes + 4, bare.length);
			assert_int_equal(bare.layer_count, 1);
			assert_int_equal(
				session_test_parse(model[i], &back, bare.bytes, bare.length), 0);
			assert_int_equal(back.field_count, bare.field_count);
		}
	}
}

/* ---- a fake camera: RTSP over TLS or in clear, RTP interleaved or to our UDP port ---- */

struct camera {
	struct session_test_server server; /* ctx NULL: RTSP in clear */
	int udp;                           /* the server_port socket: it counts what we send it */
	uint16_t udp_port;
	unsigned requests, udp_setups, udp_received;
	unsigned delay_ms; /* before answering a request after PLAY */
	/* with received set: every byte read, every connection in turn (RTSP in clear) */
	uint8_t *received;
	size_t received_length, received_size;
	/* fragile: a GET_PARAMETER with its CSeq and Session lines whole kills it (died set, the
	 * connection closed); killer: the request head it died on last */
	bool fragile, died;
	unsigned deaths;
	char killer[4096];
};

/* The fragile camera's culprit: a GET_PARAMETER request (after what a body left in head) with
 * one CSeq line and one Session line; *at: where its request line starts. */
static bool fragile_trigger(const char *head, const char **at)
{
	*at = strstr(head, "GET_PARAMETER rtsp://");
	if (!*at)
		return false;
	unsigned cseq = 0, session = 0;
	for (const char *p = strstr(*at, "\r\nCSeq: "); p; p = strstr(p + 2, "\r\nCSeq: "))
		cseq++;
	for (const char *p = strstr(*at, "\r\nSession: "); p; p = strstr(p + 2, "\r\nSession: "))
		session++;
	return cseq == 1 && session == 1;
}

static const uint8_t rtp_packet[12] = {0x80, 0x1a, 0, 1, 0, 0, 0, 0, 0xca, 0xfe, 0, 1};

/* RTP to the client: interleaved on channel 0, or a datagram to its RTP port. */
static void camera_stream(struct camera *cam, struct session_test_conn *c, uint16_t client_port)
{
	if (client_port) {
		struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons(client_port)};
		inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
		(void)sendto(cam->udp, rtp_packet, sizeof(rtp_packet), 0,
			     (const struct sockaddr *)&to, sizeof(to));
		return;
	}
	uint8_t frame[4 + sizeof(rtp_packet)] = {'$', 0, 0, sizeof(rtp_packet)};
	memcpy(frame + 4, rtp_packet, sizeof(rtp_packet));
	session_test_conn_write(c, frame, sizeof(frame));
}

static void camera_serve(struct session_test_conn *c, void *data)
{
	struct camera *cam = data;
	char buf[4096];
	size_t have = 0;
	uint16_t client_port = 0;
	bool playing = false;
	for (unsigned rounds = 0; rounds < 1000; rounds++) {
		int n = session_test_conn_read(c, buf + have, sizeof(buf) - 1 - have);
		if (n <= 0)
			return;
		if (cam->received && (size_t)n <= cam->received_size - cam->received_length) {
			memcpy(cam->received + cam->received_length, buf + have, (size_t)n);
			cam->received_length += (size_t)n;
		}
		have += (size_t)n;
		buf[have] = '\0';
		char *end;
		while ((end = strstr(buf, "\r\n\r\n")) != NULL) {
			*end = '\0';
			cam->requests++;
			const char *culprit;
			if (cam->fragile && fragile_trigger(buf, &culprit)) {
				snprintf(cam->killer, sizeof(cam->killer), "%s\r\n\r\n", culprit);
				cam->deaths++;
				cam->died = true;
				return;
			}
			char method[32] = "";
			size_t m = strcspn(buf, " ");
			memcpy(method, buf, m < sizeof(method) - 1 ? m : sizeof(method) - 1);
			const char *cseq = strstr(buf, "CSeq: ");
			unsigned number = 0;
			for (const char *d = cseq ? cseq + 6 : ""; *d >= '0' && *d <= '9'; d++)
				number = number * 10 + (unsigned)(*d - '0');
			char reply[1024];
			if (playing && cam->delay_ms) {
				struct timespec t = {0, (long)cam->delay_ms * 1000000L};
				nanosleep(&t, NULL);
			}
			if (strcmp(method, "DESCRIBE") == 0) {
				static const char sdp[] = "v=0\r\nm=video 0 RTP/AVP 26\r\n"
							  "a=control:track0\r\n";
				snprintf(reply, sizeof(reply),
					 "RTSP/1.0 200 OK\r\nCSeq: %u\r\nContent-Type: "
					 "application/sdp\r\nContent-Length: %zu\r\n\r\n%s",
					 number, sizeof(sdp) - 1, sdp);
			} else if (strcmp(method, "SETUP") == 0) {
				const char *cp = strstr(buf, "client_port=");
				if (cp) {
					cam->udp_setups++;
					client_port = (uint16_t)strtoul(cp + 12, NULL, 10);
					snprintf(reply, sizeof(reply),
						 "RTSP/1.0 200 OK\r\nCSeq: %u\r\nSession: "
						 "CAFE1234;timeout=60\r\nTransport: "
						 "RTP/"
						 "AVP;unicast;client_port=%u-%u;server_port=%u-%"
						 "u\r\n"
						 "\r\n",
						 number, client_port, client_port + 1,
						 cam->udp_port, cam->udp_port + 1);
				} else {
					snprintf(reply, sizeof(reply),
						 "RTSP/1.0 200 OK\r\nCSeq: %u\r\nSession: "
						 "CAFE1234;timeout=60\r\nTransport: "
						 "RTP/AVP/TCP;unicast;interleaved=0-1\r\n\r\n",
						 number);
				}
			} else {
				snprintf(reply, sizeof(reply),
					 "RTSP/1.0 200 OK\r\nCSeq: %u\r\nSession: CAFE1234\r\n\r\n",
					 number);
			}
			session_test_conn_write(c, reply, strlen(reply));
			if (strcmp(method, "PLAY") == 0)
				playing = true;
			if (playing)
				camera_stream(cam, c, client_port);
			if (strcmp(method, "TEARDOWN") == 0)
				return;
			size_t used = (size_t)(end + 4 - buf);
			memmove(buf, buf + used, have - used + 1);
			have -= used;
		}
	}
}

struct fixture {
	struct scope scope;
	struct profile_robustness r;
	struct session_peer peer;
	struct session_link *l;
	struct camera cam;
};

static void camera_start(struct fixture *f, bool tls, int connections)
{
	f->cam = (struct camera){.server = {.connections = connections,
					    .ctx = tls ? session_test_tls_context("cam.lab") : NULL,
					    .serve = camera_serve,
					    .data = &f->cam}};
	f->cam.udp = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in me = {.sin_family = AF_INET};
	inet_pton(AF_INET, "127.0.0.1", &me.sin_addr);
	assert_int_equal(bind(f->cam.udp, (struct sockaddr *)&me, sizeof(me)), 0);
	socklen_t n = sizeof(me);
	assert_int_equal(getsockname(f->cam.udp, (struct sockaddr *)&me, &n), 0);
	f->cam.udp_port = ntohs(me.sin_port);
	f->l = malloc(sizeof(*f->l));
	assert_non_null(f->l);
	session_test_server_start(&f->cam.server);
	assert_true(f->cam.server.listener >= 0);
	f->r = (struct profile_robustness){.rtsp = {.declared = true,
						    .port = f->cam.server.port,
						    .tls = tls,
						    .path = "/stream"}};
	session_test_loopback_peer(&f->peer, &f->scope, &f->r);
}

static void camera_stop(struct fixture *f)
{
	session_test_server_stop(&f->cam.server);
	close(f->cam.udp);
	free(f->l);
	scope_release(&f->scope);
}

/* f's link, fresh, with sp's session in state 0 within 5 s (or the test fails). */
static void establish(struct fixture *f, const struct session_protocol *sp)
{
	struct dl_error err = {0};
	session_link_init(f->l, &f->peer);
	if (sp->establish(f->l, 0, sock_now_ns() + 5000000000LL, &err) != 0)
		fail_msg("establish %s: %s", sp->name, err.message);
}

static unsigned udp_pending(int fd)
{
	unsigned count = 0;
	uint8_t buf[2048];
	for (int i = 0; i < 64; i++) {
		struct timeval t = {.tv_usec = 200000};
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &t, sizeof(t));
		if (recv(fd, buf, sizeof(buf), 0) < 0)
			break;
		count++;
	}
	return count;
}

/* RTSPS: the check streams over TLS; an rtsp case goes inside TLS and its answer ends tend's
 * wait (reaction.complete) long before the wait asked; the prefix is the plaintext. */
static void rtsps_session(void **state)
{
	(void)state;
	struct fixture f;
	camera_start(&f, true, 2);
	struct session_link *l = f.l;
	struct dl_error err = {0};

	bool healthy = false;
	char evidence[SESSION_EVIDENCE_MAX];
	session_test_check(&session_rtsp, l, &f.peer, 5000, &healthy, evidence, sizeof(evidence));
	if (!healthy)
		fail_msg("unhealthy: %s", evidence);
	assert_non_null(strstr(evidence, "rtsps (TLS"));
	assert_non_null(strstr(evidence, "RTP on channel 0"));

	establish(&f, &session_rtsp);
	struct rtsp_link *s = l->protocol_state;
	assert_non_null(s->tls);
	assert_non_null(strstr(s->url, "rtsps://127.0.0.1:"));
	/* the prefix is what went inside TLS: OPTIONS, DESCRIBE, SETUP, PLAY in clear */
	assert_int_equal(l->prefix_count, 4);
	assert_memory_equal(l->prefix, "OPTIONS rtsps://", 16);
	assert_non_null(memmem(l->prefix, l->prefix_length, "PLAY rtsps://", 13));
	/* PLAY without a Range: a live server must not seek its shared media for us */
	assert_null(memmem(l->prefix, l->prefix_length, "Range:", 6));
	/* the reproducer: the plaintext prefix and a case as one TCP stream to the RTSPS port */
	static uint8_t frames[8][SESSION_TEST_FRAME_MAX];
	size_t lengths[8];
	static const uint8_t message[] = "OPTIONS rtsps://127.0.0.1/stream RTSP/1.0\r\n\r\n";
	assert_int_equal(
		session_test_reproducer(l, message, sizeof(message) - 1, "lo", frames, lengths, 8),
		5);
	assert_int_equal(frames[0][12] << 8 | frames[0][13], 0x0800);
	assert_int_equal(frames[0][23], 6); /* TCP */
	assert_int_equal(frames[0][36] << 8 | frames[0][37], f.r.rtsp.port);
	assert_memory_equal(frames[0] + 54, "OPTIONS rtsps://", 16);
	assert_memory_equal(frames[4] + 54, message, sizeof(message) - 1);
	const struct session_template *options = NULL;
	for (size_t i = 0; i < session_rtsp.template_count; i++)
		if (strcmp(session_rtsp.templates[i]->base.name, "rtsp-options") == 0)
			options = session_rtsp.templates[i];
	assert_non_null(options);
	struct packet *p = malloc(sizeof(*p));
	assert_non_null(p);
	packet_init(p);
	assert_int_equal(options->build(p, &f.peer, &err), 0);
	unsigned before = f.cam.requests;
	assert_int_equal(session_rtsp.send(l, options, p->bytes, p->length, &err), 0);
	struct session_reaction re = {0};
	int64_t start = sock_now_ns();
	assert_int_equal(session_rtsp.tend(l, 2000, &re, &err), 0);
	int64_t took_ms = (sock_now_ns() - start) / 1000000;
	assert_int_equal(re.kind, SESSION_ALIVE);
	assert_true(re.complete);
	assert_true(took_ms < 1000); /* the answer ended the 2 s wait */
	assert_int_equal(f.cam.requests, before + 1);
	/* nothing more asked: a second tend reads for its whole wait, complete stays false */
	start = sock_now_ns();
	assert_int_equal(session_rtsp.tend(l, 150, &re, &err), 0);
	assert_false(re.complete);
	assert_true((sock_now_ns() - start) / 1000000 >= 140);
	session_rtsp.close(l);
	assert_null(s->tls);
	free(p);
	camera_stop(&f);
}

/* A case whose CSeq the mutation changed is answered with that CSeq: any answer but the
 * keepalive's is its answer; an rtp case (no answer in RTSP) is never complete. */
static void complete_rules(void **state)
{
	(void)state;
	struct fixture f;
	camera_start(&f, false, 2);
	struct session_link *l = f.l;
	struct dl_error err = {0};
	establish(&f, &session_rtsp);
	struct rtsp_link *s = l->protocol_state;
	assert_null(s->tls);
	const char *mutated = "GET_PARAMETER rtsp://127.0.0.1/stream RTSP/1.0\r\nCSeq: "
			      "99999\r\n\r\n";
	struct session_template t = {.base = {.name = "x", .protocol = "rtsp"}};
	assert_int_equal(session_rtsp.send(l, &t, (const uint8_t *)mutated, strlen(mutated), &err),
			 0);
	assert_true(s->case_awaited);
	assert_int_equal(s->case_cseq, 0);
	struct session_reaction re = {0};
	assert_int_equal(session_rtsp.tend(l, 2000, &re, &err), 0);
	assert_true(re.complete);
	session_rtsp.close(l);

	/* rtp over interleaved frames: no answer to wait for */
	establish(&f, &session_rtp);
	struct packet *p = malloc(sizeof(*p));
	assert_non_null(p);
	packet_init(p);
	assert_int_equal(session_rtp.templates[0]->build(p, &f.peer, &err), 0);
	assert_int_equal(session_rtp.send(l, session_rtp.templates[0], p->bytes, p->length, &err),
			 0);
	assert_int_equal(session_rtp.tend(l, 100, &re, &err), 0);
	assert_false(re.complete);
	session_rtp.close(l);
	free(p);
	camera_stop(&f);
}

/* rtp-udp and rtcp-udp: SETUP asks for client_port from an even pair, the answer's server_port
 * takes the cases by UDP, RTP comes to our port (the check), inside an RTSPS session too. */
static void udp_session(void **state)
{
	(void)state;
	assert_ptr_equal(session_protocol_find("rtp-udp"), &session_rtp_udp);
	assert_ptr_equal(session_protocol_find("rtcp-udp"), &session_rtcp_udp);
	for (size_t i = 0; i < session_rtp_udp.template_count; i++)
		assert_int_equal(session_rtp_udp.templates[i]->base.protocol[0], 'r');
	for (int tls = 0; tls < 2; tls++) {
		struct fixture f;
		camera_start(&f, tls, 3);
		struct session_link *l = f.l;
		struct dl_error err = {0};

		bool healthy = false;
		char evidence[SESSION_EVIDENCE_MAX];
		session_test_check(&session_rtp_udp, l, &f.peer, 5000, &healthy, evidence,
				   sizeof(evidence));
		if (!healthy)
			fail_msg("unhealthy: %s", evidence);
		assert_non_null(strstr(evidence, "RTP on UDP port"));

		const struct session_protocol *both[] = {&session_rtp_udp, &session_rtcp_udp};
		for (size_t k = 0; k < 2; k++) {
			establish(&f, both[k]);
			struct rtsp_link *s = l->protocol_state;
			assert_true(s->udp_open);
			assert_int_equal(s->client_port[0] % 2, 0);
			assert_int_equal(s->client_port[1], s->client_port[0] + 1);
			assert_int_equal(s->server_port[0], f.cam.udp_port);
			assert_int_equal(s->server_port[1], f.cam.udp_port + 1);
			assert_non_null(memmem(l->prefix, l->prefix_length, "client_port=", 12));
			struct packet *p = malloc(sizeof(*p));
			assert_non_null(p);
			packet_init(p);
			const struct session_template *t = both[k]->templates[0];
			assert_int_equal(t->build(p, &f.peer, &err), 0);
			assert_int_equal(p->bytes[0] & 0xc0, 0x80); /* bare RTP/RTCP: version 2 */
			assert_int_equal(both[k]->send(l, t, p->bytes, p->length, &err), 0);
			struct session_reaction re = {0};
			assert_int_equal(both[k]->tend(l, 100, &re, &err), 0);
			assert_int_equal(re.kind, SESSION_ALIVE);
			assert_int_equal(s->udp_sent, 1);
			both[k]->close(l);
			assert_false(s->udp_open);
			free(p);
		}
		camera_stop(&f);
	}
}

/* The camera's RTP socket received the rtp-udp case. */
static void udp_case_arrives(void **state)
{
	(void)state;
	struct fixture f;
	camera_start(&f, false, 1);
	struct session_link *l = f.l;
	struct dl_error err = {0};
	establish(&f, &session_rtp_udp);
	struct packet *p = malloc(sizeof(*p));
	assert_non_null(p);
	packet_init(p);
	const struct session_template *t = session_rtp_udp.templates[0];
	assert_int_equal(t->build(p, &f.peer, &err), 0);
	assert_int_equal(session_rtp_udp.send(l, t, p->bytes, p->length, &err), 0);
	assert_int_equal(udp_pending(f.cam.udp), 1);
	session_rtp_udp.close(l);
	free(p);
	camera_stop(&f);
}

/* A port that is not TLS: the handshake fails, said so, the link closed. */
static void rtsps_to_plain_port(void **state)
{
	(void)state;
	struct fixture f;
	camera_start(&f, false, 1);
	f.r.rtsp.tls = true;
	struct session_link *l = f.l;
	struct dl_error err = {0};
	session_link_init(l, &f.peer);
	int rc = session_rtsp.establish(l, 0, sock_now_ns() + 2000000000LL, &err);
	assert_true(rc != 0);
	assert_non_null(strstr(err.message, "rtsps:"));
	assert_int_equal(l->fd, -1);
	session_rtsp.close(l);
	camera_stop(&f);
}

/* The TCP payloads of a pcapng file's frames (Ethernet/IPv4/TCP), each passed to check. */
static size_t each_payload(const char *path, void (*check)(const uint8_t *, size_t, void *),
			   void *data)
{
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	static uint8_t file[4 << 20];
	size_t n = fread(file, 1, sizeof(file), f);
	fclose(f);
	size_t at = 0, count = 0;
	for (unsigned blocks = 0; at + 12 <= n && blocks < 100000; blocks++) {
		uint32_t type, length, captured;
		memcpy(&type, file + at, 4);
		memcpy(&length, file + at + 4, 4);
		if (length < 12 || at + length > n)
			break;
		if (type == 6 && length >= 28 + 54) {
			memcpy(&captured, file + at + 20, 4);
			const uint8_t *frame = file + at + 28;
			size_t tcp = 14 + (size_t)(frame[14] & 0x0f) * 4;
			size_t payload = tcp + (size_t)(frame[tcp + 12] >> 4) * 4;
			if (captured > payload) {
				check(frame + payload, captured - payload, data);
				count++;
			}
		}
		at += length;
	}
	return count;
}

struct wire_check {
	const struct camera *cam;
	unsigned real_cseq, real_session, placeholder_cseq;
};

/* A request in the sent log: the very bytes the camera read; its CSeq and Session counted. */
static void request_as_received(const uint8_t *p, size_t n, void *data)
{
	struct wire_check *w = data;
	/* the camera reads at most 4 KiB of a request: a longer one, its head */
	size_t head = n < 2048 ? n : 1024;
	if (!memmem(w->cam->received, w->cam->received_length, p, head))
		fail_msg("the sent log holds a request the camera never received: %.*s",
			 (int)(head < 300 ? head : 300), (const char *)p);
	static const char cseq[] = "\r\nCSeq: ", session[] = "\r\nSession: CAFE1234\r\n";
	const uint8_t *c = memmem(p, n, cseq, sizeof(cseq) - 1);
	size_t after = c ? n - (size_t)(c - p) - (sizeof(cseq) - 1) : 0;
	if (c && after >= 6 && memcmp(c + sizeof(cseq) - 1, "314159", 6) == 0)
		w->placeholder_cseq++;
	else if (c)
		w->real_cseq++;
	w->real_session += memmem(p, n, session, sizeof(session) - 1) != NULL;
}

/* A campaign against the camera: its sent log holds each request (the prefix's and every case)
 * as it went on the wire, the session's CSeq and Session patched in, not the templates'
 * placeholders (CSeq 314159, Session DUTLAB0SESSION0ID). */
static void sent_log_is_the_wire(void **state)
{
	(void)state;
	struct fixture f;
	camera_start(&f, false, 100000);
	f.cam.received_size = 8 << 20;
	f.cam.received = malloc(f.cam.received_size);
	assert_non_null(f.cam.received);
	char dir[] = "/tmp/dutlab-test-session-rtsps-XXXXXX";
	assert_non_null(mkdtemp(dir));
	uint16_t quiet = 0; /* the tcp monitor's port: it listens, nobody answers */
	int monitored = session_test_loopback_socket(&quiet);
	assert_int_equal(listen(monitored, 16), 0);
	char path[128], log[200];
	snprintf(path, sizeof(path), "%s/rtsp.yaml", dir);
	struct profile p;
	session_test_loopback_profile(&p, path, quiet,
				      "  interface: lo\n  duration: 2\n  rate: 50\n  seed: 1\n"
				      "  mix: {rtsp: 1}\n  monitors: [tcp]\n  tcp_port: %u\n"
				      "  recovery: 1\n  rtsp: {port: %u, path: /stream}\n",
				      quiet, f.cam.server.port);
	struct json_object *o = NULL;
	struct dl_error err = {0};
	if (session_test_campaign(&p, dir, 60, &o, &err) != 0)
		fail_msg("%s", err.message);
	struct json_object *rtsp = json_read_object(json_read_object(o, "protocols"), "rtsp");
	int64_t cases = json_read_int(rtsp, "cases", 0);
	assert_true(cases > 20);
	shutdown(f.cam.server.listener, SHUT_RDWR); /* its thread's accept ends */
	camera_stop(&f);
	snprintf(log, sizeof(log), "%s/evidence/robustness/sessions-sent.pcapng", dir);
	struct wire_check w = {.cam = &f.cam};
	size_t frames = each_payload(log, request_as_received, &w);
	print_message("%" PRId64 " cases, %zu requests logged: CSeq real %u, placeholder %u; "
		      "Session real %u\n",
		      cases, frames, w.real_cseq, w.placeholder_cseq, w.real_session);
	assert_true(frames >= (size_t)cases);
	assert_true(w.real_session > (unsigned)cases / 2);
	assert_true(w.real_cseq > (unsigned)cases / 2);
	json_object_put(o);
	profile_release(&p);
	close(monitored);
	free(f.cam.received);
	char command[128];
	snprintf(command, sizeof(command), "rm -rf '%s'", dir);
	assert_int_equal(system(command), 0);
}

/* The fragile camera's own server: camera_serve on each connection in turn; once it died, its
 * port and its monitor's port closed (the tcp monitor refused) for revive_ms, then listening
 * again on both. The monitor's port is never accepted: its backlog answers the probes. */
struct fragile {
	struct camera cam;
	int listener, monitor;
	uint16_t port, monitor_port;
	unsigned revive_ms;
	atomic_bool stop;
	pthread_t thread;
};

static void fragile_listen(struct fragile *f)
{
	for (int tries = 0; tries < 100; tries++) {
		f->listener = session_test_listen(&f->port);
		f->monitor = session_test_listen(&f->monitor_port);
		if (f->listener >= 0 && f->monitor >= 0 && listen(f->monitor, 4096) == 0)
			return;
		if (f->listener >= 0)
			close(f->listener);
		if (f->monitor >= 0)
			close(f->monitor);
		usleep(50000);
	}
	fail_msg("the fragile camera cannot listen on ports %u and %u again", f->port,
		 f->monitor_port);
}

static void *fragile_run(void *arg)
{
	struct fragile *f = arg;
	session_test_block_sigpipe();
	while (!atomic_load(&f->stop)) {
		struct pollfd pfd = {.fd = f->listener, .events = POLLIN};
		if (poll(&pfd, 1, 50) <= 0)
			continue;
		int fd = accept(f->listener, NULL, NULL);
		if (fd < 0)
			continue;
		struct timeval t = {.tv_sec = 3};
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &t, sizeof(t));
		struct session_test_conn c = {.fd = fd};
		camera_serve(&c, &f->cam);
		close(fd);
		if (!f->cam.died)
			continue;
		f->cam.died = false;
		close(f->listener);
		close(f->monitor);
		usleep(f->revive_ms * 1000);
		fragile_listen(f);
	}
	return NULL;
}

/* The TCP payload of a pcapng file's last frame (each_payload() keeps it). */
struct last_frame {
	uint8_t bytes[SESSION_SENT_BYTES];
	size_t length;
};

static void keep_last(const uint8_t *p, size_t n, void *data)
{
	struct last_frame *l = data;
	l->length = n < sizeof(l->bytes) ? n : sizeof(l->bytes);
	memcpy(l->bytes, p, l->length);
}

/* A camera that dies on a GET_PARAMETER (its CSeq and Session lines whole): the failure's
 * culprit, replayed in a fresh session, is saved as that replay sent it: the replay's CSeq
 * and Session, the very request the camera died on last, no placeholder. */
static void reproducer_is_the_replay(void **state)
{
	(void)state;
	static struct fragile f;
	memset(&f, 0, sizeof(f));
	f.cam.fragile = true;
	f.revive_ms = 2000;
	fragile_listen(&f);
	assert_int_equal(pthread_create(&f.thread, NULL, fragile_run, &f), 0);
	char dir[] = "/tmp/dutlab-test-session-rtsps-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char path[128], file[200];
	snprintf(path, sizeof(path), "%s/rtsp.yaml", dir);
	struct profile p;
	session_test_loopback_profile(
		&p, path, f.monitor_port,
		"  interface: lo\n  duration: 40\n  rate: 20\n  seed: 1\n  mix: {rtsp: 1}\n"
		"  monitors: [tcp]\n  monitor_interval: 200\n  monitor_timeout: 400\n"
		"  tcp_port: %u\n  recovery: 10\n  max_failures: 1\n  session_establish: 3\n"
		"  session_check: 60\n  rtsp: {port: %u, path: /stream}\n",
		f.monitor_port, f.port);
	struct json_object *o = NULL;
	struct dl_error err = {0};
	if (session_test_campaign(&p, dir, 120, &o, &err) != 0)
		fail_msg("%s", err.message);
	atomic_store(&f.stop, true);
	assert_int_equal(pthread_join(f.thread, NULL), 0);
	close(f.listener);
	close(f.monitor);
	struct json_object *failures = json_read_array(o, "failures");
	if (json_object_array_length(failures) != 1)
		fail_msg("failures: %s", json_object_to_json_string(failures));
	struct json_object *fo = json_object_array_get_idx(failures, 0);
	const char *text = json_object_to_json_string(fo);
	print_message("the failure: %s\n", text);
	struct json_object *minimal = json_read_object(fo, "minimal");
	if (!json_object_get_boolean(json_read_member(fo, "reproduced")) ||
	    json_read_int(minimal, "first", -1) != json_read_int(minimal, "last", -2))
		fail_msg("not one case reproduced: %s", text);
	assert_true(f.cam.deaths >= 2); /* in the campaign, and again in a replay */
	snprintf(file, sizeof(file), "%s/%s", dir, json_read_text(fo, "reproducer", ""));
	static struct last_frame last;
	memset(&last, 0, sizeof(last));
	assert_true(each_payload(file, keep_last, &last) >= 2);
	size_t killer = strlen(f.cam.killer);
	print_message("the culprit as saved: %.*s\n", (int)last.length, (const char *)last.bytes);
	assert_true(last.length >= killer);
	assert_memory_equal(last.bytes, f.cam.killer, killer);
	assert_null(memmem(last.bytes, last.length, "314159", 6));
	assert_null(memmem(last.bytes, last.length, "DUTLAB0SESSION0ID", 17));
	assert_non_null(memmem(last.bytes, last.length, "\r\nSession: CAFE1234\r\n", 21));
	json_object_put(o);
	profile_release(&p);
	char command[128];
	snprintf(command, sizeof(command), "rm -rf '%s'", dir);
	assert_int_equal(system(command), 0);
}

int main(void)
{
	signal(SIGPIPE, SIG_IGN);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(transport_pairs),
		cmocka_unit_test(udp_templates),
		cmocka_unit_test(rtsps_session),
		cmocka_unit_test(complete_rules),
		cmocka_unit_test(udp_session),
		cmocka_unit_test(udp_case_arrives),
		cmocka_unit_test(rtsps_to_plain_port),
		cmocka_unit_test(sent_log_is_the_wire),
		cmocka_unit_test(reproducer_is_the_replay),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
