/* test-session-rtp: the rtp and rtcp session plug-ins: listed, templates that parse back as
 * interleaved RTP and RTCP, mutated cases whose lengths follow, the send hook's channel mapping */
#include "core/compat.h"

#include <arpa/inet.h>
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
#include "proto/interleaved.h"
#include "proto/layer.h"
#include "proto/packet.h"
#include "session-test-support.h"

static struct profile_robustness robustness = {
	.rtsp = {.declared = true, .port = 8554, .path = "/cam", .user = "u", .password = "p"}};
static struct session_peer peer;
static struct packet built, parsed, cases[MUTATION_FRAMES_MAX];

static void peer_init(void)
{
	session_test_peer(&peer, "198.18.29.1", "198.18.29.2", &robustness);
}

/* bytes as one interleaved frame and what it carries: 0, or the parser's error. */
static int parse(struct packet *p, const uint8_t *bytes, size_t length)
{
	return session_test_parse(&interleaved_layer, p, bytes, length);
}

static void plug_ins_are_listed(void **state)
{
	(void)state;
	assert_ptr_equal(session_protocol_find("rtp"), &session_rtp);
	assert_ptr_equal(session_protocol_find("rtcp"), &session_rtcp);
	const struct session_protocol *both[] = {&session_rtp, &session_rtcp};
	for (size_t i = 0; i < 2; i++) {
		assert_non_null(both[i]->check);
		assert_non_null(both[i]->send);
		assert_int_equal(both[i]->state_size, sizeof(struct rtsp_link));
		assert_true(both[i]->state_size <= SESSION_STATE_BYTES);
		for (size_t t = 0; t < both[i]->template_count; t++) {
			assert_int_equal(both[i]->templates[t]->state, 0);
			assert_false(both[i]->templates[t]->spends_session);
			assert_string_equal(both[i]->templates[t]->base.protocol, both[i]->name);
		}
	}
	assert_int_equal(session_rtp.template_count, 3);
	assert_int_equal(session_rtcp.template_count, 5);
	/* the link's config is robustness.rtsp */
	peer_init();
	struct rtsp_link_config config;
	rtsp_link_config_from_peer(&peer, &config);
	assert_int_equal(config.port, 8554);
	assert_string_equal(config.path, "/cam");
	assert_string_equal(config.user, "u");
}

/* Every template: an interleaved frame on channel 0 (RTP) or 1 (RTCP) that parses back into the
 * same schema, and whose mutated cases keep the frame length true unless it was the mutation. */
static void templates_parse_back(void **state)
{
	(void)state;
	peer_init();
	const struct session_protocol *both[] = {&session_rtp, &session_rtcp};
	struct mutation_options options = {.level = 1, .frame_max = SESSION_MESSAGE_MAX};
	static struct mutation_plan plan;
	for (size_t i = 0; i < 2; i++) {
		for (size_t t = 0; t < both[i]->template_count; t++) {
			const struct session_template *st = both[i]->templates[t];
			struct dl_error err = {0};
			packet_init(&built);
			assert_int_equal(st->build(&built, &peer, &err), 0);
			assert_int_equal(built.bytes[0], '$');
			assert_int_equal(built.bytes[1], i);
			assert_int_equal((size_t)(built.bytes[2] << 8 | built.bytes[3]),
					 built.length - 4);
			assert_int_equal(built.layer_count, 2);
			assert_string_equal(built.layers[1].model->name, both[i]->name);
			assert_int_equal(parse(&parsed, built.bytes, built.length), 0);
			assert_int_equal(parsed.field_count, built.field_count);
			for (int f = 0; f < built.field_count; f++)
				assert_string_equal(parsed.fields[f].name, built.fields[f].name);
			mutate_plan_build(&plan, &built, &st->base, &options);
			unsigned framed = 0, cut = 0;
			for (uint64_t index = 0; index < 200; index++) {
				struct fuzz_case record;
				assert_int_equal(
					mutate_planned(&plan, 7, index, cases, &record, &err), 0);
				const struct packet *c = &cases[0];
				assert_true(c->length <= SESSION_MESSAGE_MAX);
				/* the frame length is wrong only where a mutation made it so */
				bool expected = false;
				for (size_t m = 0; m < record.mutation_count; m++)
					if (strcmp(record.mutations[m].field,
						   "interleaved.length") == 0 ||
					    record.mutations[m].anomaly == ANOMALY_FRAME_TRUNCATE)
						expected = true;
				bool whole =
					c->length >= 4 &&
					(size_t)(c->bytes[2] << 8 | c->bytes[3]) == c->length - 4;
				if (!expected)
					assert_true(whole);
				framed += whole;
				cut += expected && !whole;
			}
			assert_true(framed > 100);
			assert_true(cut > 0); /* and the campaign does send broken frames */
		}
	}
}

/* The send hook maps a template's channel to the one SETUP agreed, leaves a mutated one. */
static void send_maps_channels(void **state)
{
	(void)state;
	peer_init();
	static struct session_link l;
	session_link_init(&l, &peer);
	int other = session_test_link_pair(&l);
	struct rtsp_link *s = l.protocol_state;
	s->rtp_channel = 6;
	s->rtcp_channel = 7;
	struct dl_error err = {0};
	packet_init(&built);
	assert_int_equal(session_rtcp.templates[0]->build(&built, &peer, &err), 0);
	assert_int_equal(
		session_rtcp.send(&l, session_rtcp.templates[0], built.bytes, built.length, &err),
		0);
	uint8_t got[SESSION_MESSAGE_MAX];
	assert_int_equal(read(other, got, sizeof(got)), (ssize_t)built.length);
	assert_int_equal(got[1], 7);
	assert_memory_equal(got + 2, built.bytes + 2, built.length - 2);
	packet_init(&built);
	assert_int_equal(session_rtp.templates[0]->build(&built, &peer, &err), 0);
	built.bytes[1] = 200; /* a mutated channel goes as it is */
	assert_int_equal(
		session_rtp.send(&l, session_rtp.templates[0], built.bytes, built.length, &err), 0);
	assert_int_equal(read(other, got, sizeof(got)), (ssize_t)built.length);
	assert_int_equal(got[1], 200);
	built.bytes[1] = 0;
	assert_int_equal(
		session_rtp.send(&l, session_rtp.templates[0], built.bytes, built.length, &err), 0);
	assert_int_equal(read(other, got, sizeof(got)), (ssize_t)built.length);
	assert_int_equal(got[1], 6);
	/* a state other than playing is not one of theirs */
	assert_int_equal(session_rtp.establish(&l, 1, 0, &err), DL_EINVAL);
	session_link_close(&l);
	close(other);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(plug_ins_are_listed),
		cmocka_unit_test(templates_parse_back),
		cmocka_unit_test(send_maps_channels),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
