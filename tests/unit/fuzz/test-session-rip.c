/* test-session-rip: the RIPv2 session plug-in's templates, signed and re-signed under the
 * mutation engine, and the datagram link's reproducer frames */
#include "core/compat.h"

#include <arpa/inet.h>
#include <setjmp.h>
#include <cmocka.h>
#include <unistd.h>

#include "core/error.h"
#include "core/profile.h"
#include "fuzz/mutate.h"
#include "fuzz/session.h"
#include "net/pcapng.h"
#include "proto/cursor.h"
#include "proto/layer.h"
#include "proto/packet.h"
#include "session-test-support.h"
#include "proto/rip.h"

static struct profile_robustness robustness = {
	.rip = {.declared = true, .password = "LabRip24", .key_id = 3, .port = 520}};

static void peer_init(struct session_peer *peer)
{
	session_test_peer(peer, "198.18.24.10", "198.18.24.1", &robustness);
}

/* bytes as one RIP message: 0 and the parsed packet, or the parser's error. */
static int parse(struct packet *p, const uint8_t *bytes, size_t length)
{
	return session_test_parse(&rip_layer, p, bytes, length);
}

/* Is the message's keyed-MD5 trailer the digest of what precedes it with the key? */
static bool signed_right(const uint8_t *bytes, size_t length, const char *key)
{
	uint8_t digest[RIP_DIGEST_LENGTH];
	struct dl_error err = {0};
	if (length < RIP_HEADER_LENGTH + RIP_ENTRY_LENGTH + RIP_TRAILER_LENGTH)
		return false;
	assert_int_equal(rip_md5_digest(bytes, length - RIP_DIGEST_LENGTH, key, digest, &err), 0);
	return memcmp(digest, bytes + length - RIP_DIGEST_LENGTH, RIP_DIGEST_LENGTH) == 0;
}

static void plug_in_is_listed(void **state)
{
	(void)state;
	assert_ptr_equal(session_protocol_find("rip"), &session_rip);
	assert_ptr_equal(session_protocol_find("bgp"), &session_bgp);
	assert_ptr_equal(session_protocol_find("ospf"), &session_ospf);
	assert_int_equal(session_rip.template_count, 5);
}

/* Every template is one finished RIPv2 message of its command, signed with the profile's key
 * (the clear-password one aside), and unsigned without a key. */
static void templates_build_valid_messages(void **state)
{
	(void)state;
	struct session_peer peer;
	peer_init(&peer);
	static const uint8_t commands[] = {RIP_REQUEST, RIP_REQUEST, RIP_RESPONSE, RIP_RESPONSE,
					   RIP_RESPONSE};
	static const uint8_t auth[] = {RIP_AUTH_MD5, RIP_AUTH_MD5, RIP_AUTH_MD5, RIP_AUTH_MD5,
				       RIP_AUTH_SIMPLE};
	struct packet *p = malloc(sizeof(*p)), *back = malloc(sizeof(*back));
	assert_true(p && back);
	for (int keyed = 1; keyed >= 0; keyed--) {
		robustness.rip.password = keyed ? "LabRip24" : NULL;
		for (size_t i = 0; i < session_rip.template_count; i++) {
			const struct session_template *t = session_rip.templates[i];
			assert_string_equal(t->base.protocol, "rip");
			assert_null(t->base.build);
			packet_init(p);
			struct dl_error err = {0};
			if (t->build(p, &peer, &err) != 0)
				fail_msg("%s: %s", t->base.name, err.message);
			assert_int_equal(p->layer_count, 1);
			assert_int_equal(p->bytes[0], commands[i]);
			assert_int_equal(p->bytes[1], RIP_VERSION);
			if (parse(back, p->bytes, p->length) != 0)
				fail_msg("%s does not parse back", t->base.name);
			bool md5 = keyed && auth[i] == RIP_AUTH_MD5;
			bool has_auth = md5 || auth[i] == RIP_AUTH_SIMPLE;
			assert_int_equal(packet_find(p, "rip.auth", 0) != PACKET_NONE, has_auth);
			if (has_auth)
				assert_int_equal(packet_get(p, packet_find(p, "rip.auth.type", 0)),
						 auth[i]);
			assert_int_equal(packet_find(p, "rip.trailer", 0) != PACKET_NONE, md5);
			if (md5) {
				assert_true(signed_right(p->bytes, p->length, "LabRip24"));
				assert_int_equal(
					packet_get(p, packet_find(p, "rip.auth.key_id", 0)), 3);
			}
			/* the routes announced are the lab's (198.18.0.0/15) */
			for (int a = packet_find(p, "rip.route.address", 0); a != PACKET_NONE;
			     a = packet_find(p, "rip.route.address", a + 1)) {
				const uint8_t *b = p->bytes + p->fields[a].offset;
				if (i != 0 && !(b[0] == 198 && (b[1] & 0xfe) == 18))
					fail_msg("%s announces %u.%u.%u.%u", t->base.name, b[0],
						 b[1], b[2], b[3]);
			}
		}
	}
	robustness.rip.password = "LabRip24";
	free(p);
	free(back);
}

/* Cases are deterministic and fit a message; a mutated message that still parses with its
 * trailer is signed again (the digest is derived, like a checksum). */
static void mutations_are_signed_again(void **state)
{
	(void)state;
	struct session_peer peer;
	peer_init(&peer);
	struct session_test_cases cases;
	session_test_cases_open(&cases);
	size_t resigned = 0, changed = 0;
	for (size_t i = 0; i < session_rip.template_count; i++) {
		const struct session_template *t = session_rip.templates[i];
		session_test_plan(&cases, t, &peer);
		for (uint64_t index = 0; index < 300; index++) {
			struct fuzz_case ra;
			session_test_case(&cases, t->base.name, 7, index, &ra);
			if (packet_find(cases.valid, "rip.trailer", 0) == PACKET_NONE ||
			    parse(cases.back, cases.a[0].bytes, cases.a[0].length) != 0 ||
			    packet_find(cases.back, "rip.trailer", 0) == PACKET_NONE)
				continue;
			int d = packet_find(&cases.a[0], "rip.trailer.digest", 0);
			if (d == PACKET_NONE || packet_frozen(&cases.a[0], d))
				continue;
			if (cases.a[0].length != cases.valid->length ||
			    memcmp(cases.a[0].bytes, cases.valid->bytes, cases.valid->length) != 0)
				changed++;
			if (!signed_right(cases.a[0].bytes, cases.a[0].length, "LabRip24"))
				fail_msg("%s #%" PRIu64 ": mutated and not signed again",
					 t->base.name, index);
			resigned++;
		}
	}
	assert_true(resigned > 50);
	assert_true(changed > 50);
	session_test_cases_close(&cases);
}

/* The reproducer of a datagram link: the request (the prefix) then the case, each an
 * Ethernet/IPv4/UDP frame from port 520 to 520 that dissects as RIP. */
static void reproducer_frames_are_udp(void **state)
{
	(void)state;
	struct session_peer peer;
	peer_init(&peer);
	struct session_link *l = session_test_link(&peer);
	struct packet *p = malloc(sizeof(*p)), *d = malloc(sizeof(*d));
	assert_true(p && d);
	l->datagram = true;
	l->local4 = peer.tester4;
	l->local_port = RIP_PORT;
	l->remote_port = RIP_PORT;
	struct dl_error err = {0};
	packet_init(p);
	assert_int_equal(session_rip.templates[0]->build(p, &peer, &err), 0);
	session_test_prefix_add(l, p->bytes, p->length);
	packet_init(p);
	assert_int_equal(session_rip.templates[2]->build(p, &peer, &err), 0);
	static uint8_t frames[3][SESSION_TEST_FRAME_MAX];
	size_t lengths[3];
	assert_int_equal(
		session_test_reproducer(l, p->bytes, p->length, "dl-rt-frr", frames, lengths, 3),
		2);
	static const uint8_t commands[] = {RIP_REQUEST, RIP_RESPONSE};
	for (size_t i = 0; i < 2; i++) {
		if (proto_dissect(d, frames[i], lengths[i], &err) != 0)
			fail_msg("frame %zu: %s", i, err.message);
		assert_int_equal(d->layer_count, 4);
		assert_string_equal(d->layers[2].model->name, "udp");
		assert_string_equal(d->layers[3].model->name, "rip");
		assert_int_equal(packet_get(d, packet_find(d, "udp.source_port", 0)), RIP_PORT);
		assert_int_equal(packet_get(d, packet_find(d, "udp.destination_port", 0)),
				 RIP_PORT);
		assert_int_equal(packet_get(d, packet_find(d, "rip.command", 0)), commands[i]);
		uint32_t at = d->fields[d->layers[3].element].offset;
		assert_true(signed_right(frames[i] + at, lengths[i] - at, "LabRip24"));
	}
	free(d);
	free(p);
	free(l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(plug_in_is_listed),
		cmocka_unit_test(templates_build_valid_messages),
		cmocka_unit_test(mutations_are_signed_again),
		cmocka_unit_test(reproducer_frames_are_udp),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
