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
#include "proto/rip.h"

static struct profile_robustness robustness = {
	.rip = {.declared = true, .password = "LabRip24", .key_id = 3, .port = 520}};

static void peer_init(struct session_peer *peer)
{
	memset(peer, 0, sizeof(*peer));
	inet_pton(AF_INET, "198.18.24.10", &peer->tester4);
	inet_pton(AF_INET, "198.18.24.1", &peer->dut4);
	peer->robustness = &robustness;
}

/* bytes as one RIP message: 0 and the parsed packet, or the parser's error. */
static int parse(struct packet *p, const uint8_t *bytes, size_t length)
{
	struct cursor c;
	packet_init(p);
	cursor_init(&c, bytes, length);
	struct layer_parse_result next;
	int rc = rip_layer.parse(p, &c, &next);
	p->open_count = 0;
	return rc;
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
	struct packet *valid = malloc(sizeof(*valid));
	struct packet *a = calloc(MUTATION_FRAMES_MAX, sizeof(*a));
	struct packet *b = calloc(MUTATION_FRAMES_MAX, sizeof(*b));
	struct packet *back = malloc(sizeof(*back));
	struct mutation_plan *plan = malloc(sizeof(*plan));
	assert_true(valid && a && b && back && plan);
	struct mutation_options o = {.level = 1, .frame_max = SESSION_MESSAGE_MAX};
	size_t resigned = 0, changed = 0;
	for (size_t i = 0; i < session_rip.template_count; i++) {
		const struct session_template *t = session_rip.templates[i];
		packet_init(valid);
		struct dl_error err = {0};
		assert_int_equal(t->build(valid, &peer, &err), 0);
		mutate_plan_build(plan, valid, &t->base, &o);
		assert_true(plan->pair_count > 0);
		for (uint64_t index = 0; index < 300; index++) {
			struct fuzz_case ra, rb;
			if (mutate_planned(plan, 7, index, a, &ra, &err) != 0)
				fail_msg("%s #%" PRIu64 ": %s", t->base.name, index, err.message);
			assert_int_equal(mutate_planned(plan, 7, index, b, &rb, &err), 0);
			assert_int_equal(ra.frame_count, 1);
			assert_int_equal(a[0].length, b[0].length);
			assert_memory_equal(a[0].bytes, b[0].bytes, a[0].length);
			assert_true(a[0].length >= 1 && a[0].length <= SESSION_MESSAGE_MAX);
			if (packet_find(valid, "rip.trailer", 0) == PACKET_NONE ||
			    parse(back, a[0].bytes, a[0].length) != 0 ||
			    packet_find(back, "rip.trailer", 0) == PACKET_NONE)
				continue;
			int d = packet_find(&a[0], "rip.trailer.digest", 0);
			if (d == PACKET_NONE || packet_frozen(&a[0], d))
				continue;
			if (a[0].length != valid->length ||
			    memcmp(a[0].bytes, valid->bytes, valid->length) != 0)
				changed++;
			if (!signed_right(a[0].bytes, a[0].length, "LabRip24"))
				fail_msg("%s #%" PRIu64 ": mutated and not signed again",
					 t->base.name, index);
			resigned++;
		}
	}
	assert_true(resigned > 50);
	assert_true(changed > 50);
	free(valid);
	free(a);
	free(b);
	free(back);
	free(plan);
}

/* Walk a pcapng file's Enhanced Packet Blocks (type 6): frame i into out. */
static size_t read_frames(const char *path, uint8_t frames[][512], size_t lengths[], size_t max)
{
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	uint8_t block[4096];
	size_t n = 0;
	for (;;) {
		uint32_t head[2];
		if (fread(head, 4, 2, f) != 2)
			break;
		assert_true(head[1] >= 12 && head[1] <= sizeof(block));
		assert_int_equal(fread(block, 1, head[1] - 8, f), head[1] - 8);
		if (head[0] != 6 || n == max)
			continue;
		uint32_t captured;
		memcpy(&captured, block + 12, 4);
		assert_true(captured <= 512);
		memcpy(frames[n], block + 20, captured);
		lengths[n++] = captured;
	}
	fclose(f);
	return n;
}

/* The reproducer of a datagram link: the request (the prefix) then the case, each an
 * Ethernet/IPv4/UDP frame from port 520 to 520 that dissects as RIP. */
static void reproducer_frames_are_udp(void **state)
{
	(void)state;
	struct session_peer peer;
	peer_init(&peer);
	struct session_link *l = malloc(sizeof(*l));
	struct packet *p = malloc(sizeof(*p)), *d = malloc(sizeof(*d));
	assert_true(l && p && d);
	session_link_init(l, &peer);
	l->datagram = true;
	l->local4 = peer.tester4;
	l->local_port = RIP_PORT;
	l->remote_port = RIP_PORT;
	struct dl_error err = {0};
	packet_init(p);
	assert_int_equal(session_rip.templates[0]->build(p, &peer, &err), 0);
	memcpy(l->prefix, p->bytes, p->length);
	l->prefix_ends[0] = l->prefix_length = p->length;
	l->prefix_count = 1;
	packet_init(p);
	assert_int_equal(session_rip.templates[2]->build(p, &peer, &err), 0);
	char path[] = "/tmp/dutlab-test-session-rip-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	struct pcapng_writer w = {0};
	assert_int_equal(pcapng_open(&w, path, 1, 65535, "dl-rt-frr", "test", 0, &err), 0);
	assert_int_equal(
		session_write_frames(&w, l, 1000, p->bytes, p->length, "prefix", "the case", &err),
		0);
	assert_int_equal(pcapng_close(&w, &err), 0);
	static uint8_t frames[3][512];
	size_t lengths[3];
	assert_int_equal(read_frames(path, frames, lengths, 3), 2);
	unlink(path);
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
