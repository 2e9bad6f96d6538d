/* test-session-rtsp: the RTSP session plug-in's templates (every method, as text the model parses
 * back) and its send hook (the session's CSeq, Session, Digest answer and control URL patched in,
 * mutated placeholders left alone) */
#include "core/compat.h"

#include <arpa/inet.h>
#include <openssl/evp.h>
#include <setjmp.h>
#include <cmocka.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/error.h"
#include "core/profile.h"
#include "fuzz/mutate.h"
#include "fuzz/session-rtsp-link.h"
#include "fuzz/session.h"
#include "proto/cursor.h"
#include "proto/layer.h"
#include "proto/packet.h"
#include "session-test-support.h"
#include "proto/rtsp-message.h"

static struct profile_robustness robustness = {.rtsp = {.declared = true,
							.port = 554,
							.path = "/stream",
							.user = "admin",
							.password = "Lab-Str!good-2026"}};

static void peer_init(struct session_peer *peer)
{
	session_test_peer(peer, "198.18.27.1", "198.18.27.2", &robustness);
}

static int parse(struct packet *p, const uint8_t *bytes, size_t length)
{
	return session_test_parse(&rtsp_message_layer, p, bytes, length);
}

static const struct session_template *template_named(const char *name)
{
	return session_test_template(&session_rtsp, name);
}

static void plug_in_is_listed(void **state)
{
	(void)state;
	assert_ptr_equal(session_protocol_find("rtsp"), &session_rtsp);
	assert_int_equal(session_rtsp.template_count, 11);
	assert_non_null(session_rtsp.send);
	assert_non_null(session_rtsp.check);
	assert_true(session_rtsp.state_size >= sizeof(struct rtsp_link));
	assert_true(session_rtsp.state_size <= SESSION_STATE_BYTES);
	/* the states: playing for most, described for the SETUP that makes a session, ready
	 * for the first PLAY; TEARDOWN spends the session */
	assert_int_equal(template_named("rtsp-setup-new")->state, 2);
	assert_int_equal(template_named("rtsp-play-ready")->state, 1);
	assert_int_equal(template_named("rtsp-options")->state, 0);
	assert_true(template_named("rtsp-teardown")->spends_session);
	assert_false(template_named("rtsp-play")->spends_session);
}

/* Every template is one finished RTSP request of its method, parsed back by the model, with
 * the placeholders the send hook replaces. */
static void templates_build_requests(void **state)
{
	(void)state;
	struct session_peer peer;
	peer_init(&peer);
	static const char *const methods[] = {
		"OPTIONS", "DESCRIBE",      "SETUP",         "SETUP",    "PLAY",    "PLAY",
		"PAUSE",   "GET_PARAMETER", "SET_PARAMETER", "TEARDOWN", "ANNOUNCE"};
	struct packet *p = malloc(sizeof(*p)), *back = malloc(sizeof(*back));
	assert_true(p && back);
	for (size_t i = 0; i < session_rtsp.template_count; i++) {
		const struct session_template *t = session_rtsp.templates[i];
		struct dl_error err = {0};
		assert_string_equal(t->base.protocol, "rtsp");
		assert_int_equal(t->build(p, &peer, &err), 0);
		assert_int_equal(parse(back, p->bytes, p->length), 0);
		assert_int_equal(back->length, p->length);
		int m = packet_find(back, "rtsp.method", 0);
		assert_int_not_equal(m, PACKET_NONE);
		size_t n = strlen(methods[i]);
		assert_int_equal(back->fields[m].size, n);
		assert_memory_equal(back->bytes + back->fields[m].offset, methods[i], n);
		assert_int_equal(packet_get(back, packet_find(back, "rtsp.cseq", 0)), 314159);
		assert_non_null(memmem(p->bytes, p->length,
				       " rtsp://198.18.27.2:554/stream RTSP/1.0\r\n", 41));
		assert_non_null(memmem(p->bytes, p->length,
				       "Authorization: Digest dutlab-placeholder", 40));
		bool session = strcmp(t->base.name, "rtsp-describe") != 0 &&
			       strcmp(t->base.name, "rtsp-setup-new") != 0;
		assert_int_equal(packet_find(back, "rtsp.session", 0) != PACKET_NONE, session);
		bool setup = strcmp(methods[i], "SETUP") == 0;
		assert_int_equal(packet_find(back, "rtsp.transport.interleaved_rtp", 0) !=
					 PACKET_NONE,
				 setup);
	}
	free(p);
	free(back);
}

static void md5_hex(const char *text, char out[33])
{
	unsigned char d[16];
	unsigned n = 0;
	assert_int_equal(EVP_Digest(text, strlen(text), d, &n, EVP_md5(), NULL), 1);
	for (int i = 0; i < 16; i++)
		snprintf(out + 2 * i, 3, "%02x", d[i]);
}

struct hook {
	struct session_peer peer;
	struct session_link *l;
	int other; /* the socket's other end: what the DUT would read */
};

/* A link whose session stands (the state rtsp_link_establish() would leave) on a socketpair. */
static void hook_init(struct hook *h, bool challenged, bool with_session)
{
	peer_init(&h->peer);
	h->l = malloc(sizeof(*h->l));
	assert_non_null(h->l);
	session_link_init(h->l, &h->peer);
	h->other = session_test_link_pair(h->l);
	struct rtsp_link *s = h->l->protocol_state;
	s->config = (struct rtsp_link_config){
		.port = 554, .path = "/stream", .user = "admin", .password = "Lab-Str!good-2026"};
	snprintf(s->url, sizeof(s->url), "rtsp://198.18.27.2:554/stream");
	snprintf(s->control, sizeof(s->control), "rtsp://198.18.27.2:554/stream/stream=0");
	if (with_session)
		snprintf(s->session, sizeof(s->session), "zcwOhK8NmEx5ZuEK");
	s->cseq = 4;
	s->stage = with_session ? RTSP_LINK_PLAYING : RTSP_LINK_DESCRIBED;
	if (challenged) {
		s->has_challenge = true;
		snprintf(s->challenge.scheme, sizeof(s->challenge.scheme), "Digest");
		snprintf(s->challenge.realm, sizeof(s->challenge.realm), "Acme STR-200");
		snprintf(s->challenge.nonce, sizeof(s->challenge.nonce), "8d3c1d2a");
		s->challenge.has_realm = s->challenge.has_nonce = true;
	}
}

static void hook_free(struct hook *h)
{
	close(h->l->fd);
	close(h->other);
	free(h->l);
}

/* Send data through the plug-in's hook; what the DUT reads, NUL-terminated. */
static size_t hook_send(struct hook *h, const struct session_template *t, const uint8_t *data,
			size_t length, char *out, size_t size)
{
	struct dl_error err = {0};
	assert_int_equal(session_rtsp.send(h->l, t, data, length, &err), 0);
	ssize_t n = recv(h->other, out, size - 1, MSG_DONTWAIT);
	assert_true(n > 0);
	out[n] = '\0';
	return (size_t)n;
}

static void send_patches_session_values(void **state)
{
	(void)state;
	struct hook h;
	hook_init(&h, true, true);
	struct packet *p = malloc(sizeof(*p));
	assert_non_null(p);
	struct dl_error err = {0};
	char out[8192];

	/* SETUP again: the control URL, the next CSeq, the session, the Digest answer for the URL
	 * as sent */
	const struct session_template *t = template_named("rtsp-setup");
	assert_int_equal(t->build(p, &h.peer, &err), 0);
	hook_send(&h, t, p->bytes, p->length, out, sizeof(out));
	assert_true(strncmp(out, "SETUP rtsp://198.18.27.2:554/stream/stream=0 RTSP/1.0\r\n", 55) ==
		    0);
	assert_non_null(strstr(out, "\r\nCSeq: 5\r\n"));
	assert_non_null(strstr(out, "\r\nSession: zcwOhK8NmEx5ZuEK\r\n"));
	assert_non_null(strstr(out, "\r\nTransport: RTP/AVP/TCP;unicast;interleaved=0-1\r\n"));
	char ha1[33], ha2[33], response[33], text[512];
	md5_hex("admin:Acme STR-200:Lab-Str!good-2026", ha1);
	md5_hex("SETUP:rtsp://198.18.27.2:554/stream/stream=0", ha2);
	snprintf(text, sizeof(text), "%s:8d3c1d2a:%s", ha1, ha2);
	md5_hex(text, response);
	char *auth = strstr(out, "\r\nAuthorization: Digest ");
	assert_non_null(auth);
	assert_non_null(strstr(auth, response));
	assert_null(strstr(out, "placeholder"));
	assert_null(strstr(out, "314159"));
	assert_non_null(strstr(out, "\r\n\r\n"));

	/* a body and its Content-Length go as they are; the next CSeq follows */
	t = template_named("rtsp-set-parameter");
	assert_int_equal(t->build(p, &h.peer, &err), 0);
	size_t n = hook_send(&h, t, p->bytes, p->length, out, sizeof(out));
	assert_true(strncmp(out, "SET_PARAMETER rtsp://198.18.27.2:554/stream RTSP/1.0\r\n", 54) ==
		    0);
	assert_non_null(strstr(out, "\r\nCSeq: 6\r\n"));
	assert_non_null(strstr(out, "\r\nContent-Length: 20\r\n\r\nbarparam: barstuff\r\n"));
	assert_int_equal(out[n - 1], '\n');

	/* a mutated CSeq (the engine's boundary value) and a mutated Session are the case: kept */
	int cseq = packet_find(p, "rtsp.cseq", 0);
	struct mutation m;
	assert_int_equal(mutate_field(p, cseq, ANOMALY_LENGTH_MAX, 1, NULL, &m, &err), DL_EINVAL);
	packet_put(p, cseq, UINT64_C(9999999999));
	int session = packet_find(p, "rtsp.session", 0);
	p->bytes[p->fields[session].offset] = '%';
	hook_send(&h, t, p->bytes, p->length, out, sizeof(out));
	assert_non_null(strstr(out, "\r\nCSeq: 9999999999\r\n"));
	assert_non_null(strstr(out, "\r\nSession: %UTLAB0SESSION0ID\r\n"));
	assert_null(strstr(out, "placeholder")); /* the Authorization is still answered */
	free(p);
	hook_free(&h);
}

/* Before SETUP there is no session: the placeholder line goes; without a challenge there is
 * no Authorization line at all. */
static void send_drops_what_the_session_lacks(void **state)
{
	(void)state;
	struct hook h;
	hook_init(&h, false, false);
	struct packet *p = malloc(sizeof(*p));
	assert_non_null(p);
	struct dl_error err = {0};
	char out[8192];
	const struct session_template *t = template_named("rtsp-options");
	assert_int_equal(t->build(p, &h.peer, &err), 0);
	hook_send(&h, t, p->bytes, p->length, out, sizeof(out));
	assert_string_equal(out, "OPTIONS rtsp://198.18.27.2:554/stream RTSP/1.0\r\n"
				 "CSeq: 5\r\n"
				 "\r\n");
	/* bytes that are not a request line at all go as they are */
	static const uint8_t junk[] = "\x00\x01garbage without a line end";
	size_t n = hook_send(&h, t, junk, sizeof(junk) - 1, out, sizeof(out));
	assert_int_equal(n, sizeof(junk) - 1);
	assert_memory_equal(out, junk, n);
	free(p);
	hook_free(&h);
}

/* Whatever the mutation engine makes of a template, the hook sends it whole or patched,
 * never fails, and the request line's method and version stay where they were. */
static void send_survives_every_mutation(void **state)
{
	(void)state;
	struct hook h;
	hook_init(&h, true, true);
	static struct packet valid, frames[MUTATION_FRAMES_MAX];
	static struct mutation_plan plan;
	static struct fuzz_case c;
	char *out = malloc(SESSION_MESSAGE_MAX + 4096);
	assert_non_null(out);
	for (size_t i = 0; i < session_rtsp.template_count; i++) {
		const struct session_template *t = session_rtsp.templates[i];
		struct dl_error err = {0};
		assert_int_equal(t->build(&valid, &h.peer, &err), 0);
		struct mutation_options o = {.frame_max = SESSION_MESSAGE_MAX};
		mutate_plan_build(&plan, &valid, &t->base, &o);
		for (uint64_t k = 0; k < 300; k++) {
			assert_int_equal(mutate_planned(&plan, 5, k, frames, &c, &err), 0);
			size_t n = hook_send(&h, t, frames[0].bytes, frames[0].length, out,
					     SESSION_MESSAGE_MAX + 4096);
			assert_true(n >= 1);
		}
	}
	free(out);
	hook_free(&h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(plug_in_is_listed),
		cmocka_unit_test(templates_build_requests),
		cmocka_unit_test(send_patches_session_values),
		cmocka_unit_test(send_drops_what_the_session_lacks),
		cmocka_unit_test(send_survives_every_mutation),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
