/* test-session-ospf: the OSPFv2 session plug-in's templates (every packet and LSA type, keyed
 * MD5 signed and re-signed under the mutation engine), its reproducer frames and the raw IP
 * socket's scope guard */
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
#include "net/scope.h"
#include "net/sock.h"
#include "proto/cursor.h"
#include "proto/layer.h"
#include "proto/ospf.h"
#include "proto/packet.h"
#include "session-test-support.h"

static struct profile_robustness robustness = {.ospf = {.declared = true,
							.auth = OSPF_AUTH_CRYPTO,
							.password = "LabOspf24",
							.key_id = 3,
							.hello = 2,
							.dead = 8,
							.area = "0.0.0.0"}};

static void peer_init(struct session_peer *peer)
{
	session_test_peer(peer, "198.18.24.1", "198.18.24.2", &robustness);
}

/* bytes as one OSPF packet: 0 and the parsed packet, or the parser's error. */
static int parse(struct packet *p, const uint8_t *bytes, size_t length)
{
	return session_test_parse(&ospf_layer, p, bytes, length);
}

/* Is the packet's trailing digest the keyed MD5 of what precedes it (RFC 2328 D.4.3)? */
static bool signed_right(const uint8_t *bytes, size_t length, const char *key)
{
	uint8_t digest[OSPF_DIGEST_LENGTH];
	struct dl_error err = {0};
	if (length < OSPF_HEADER_LENGTH + OSPF_DIGEST_LENGTH)
		return false;
	assert_int_equal(ospf_md5_digest(bytes, length - OSPF_DIGEST_LENGTH, key, digest, &err), 0);
	return memcmp(digest, bytes + length - OSPF_DIGEST_LENGTH, OSPF_DIGEST_LENGTH) == 0;
}

static uint32_t be32(const uint8_t *b)
{
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

static void plug_in_is_listed(void **state)
{
	(void)state;
	assert_ptr_equal(session_protocol_find("ospf"), &session_ospf);
	assert_int_equal(session_ospf.template_count, 12);
	assert_non_null(session_ospf.check);
	assert_non_null(session_ospf.send);
	assert_true(session_ospf.state_size > 0 && session_ospf.state_size <= SESSION_STATE_BYTES);
}

/* Every template is one finished OSPFv2 packet in Full (state 0) from our router id in the
 * area, of its type, signed with the profile's key (the other-auth hello aside), unsigned
 * without one; the LSU templates between them carry every LSA type, inside the lab's range. */
static void templates_build_valid_packets(void **state)
{
	(void)state;
	struct session_peer peer;
	peer_init(&peer);
	static const uint8_t types[] = {OSPF_HELLO, OSPF_HELLO, OSPF_DD,  OSPF_LSR,
					OSPF_LSU,   OSPF_LSU,   OSPF_LSU, OSPF_LSU,
					OSPF_LSU,   OSPF_LSU,   OSPF_LSU, OSPF_LSACK};
	struct packet *p = malloc(sizeof(*p)), *back = malloc(sizeof(*back));
	assert_true(p && back);
	for (int keyed = 1; keyed >= 0; keyed--) {
		robustness.ospf.auth = keyed ? OSPF_AUTH_CRYPTO : OSPF_AUTH_NONE;
		robustness.ospf.password = keyed ? "LabOspf24" : NULL;
		bool lsa_types[8] = {false};
		for (size_t i = 0; i < session_ospf.template_count; i++) {
			const struct session_template *t = session_ospf.templates[i];
			assert_string_equal(t->base.protocol, "ospf");
			assert_null(t->base.build);
			assert_int_equal(t->state, 0);
			assert_false(t->spends_session);
			packet_init(p);
			struct dl_error err = {0};
			if (t->build(p, &peer, &err) != 0)
				fail_msg("%s: %s", t->base.name, err.message);
			assert_int_equal(p->layer_count, 1);
			assert_int_equal(p->bytes[0], OSPF_VERSION);
			assert_int_equal(p->bytes[1], types[i]);
			assert_int_equal(be32(p->bytes + 4), 0xc6121801u); /* 198.18.24.1 */
			assert_int_equal(be32(p->bytes + 8), 0);
			if (parse(back, p->bytes, p->length) != 0)
				fail_msg("%s does not parse back", t->base.name);
			bool other = strcmp(t->base.name, "ospf-hello-other-auth") == 0;
			bool md5 = keyed != other;
			assert_int_equal(packet_get(p, packet_find(p, "ospf.auth_type", 0)),
					 md5 ? OSPF_AUTH_CRYPTO : OSPF_AUTH_NONE);
			assert_int_equal(packet_find(p, "ospf.trailer", 0) != PACKET_NONE, md5);
			if (md5 && !other) {
				assert_true(signed_right(p->bytes, p->length, "LabOspf24"));
				assert_int_equal(
					packet_get(p, packet_find(p, "ospf.auth.key_id", 0)), 3);
			}
			if (types[i] == OSPF_HELLO) {
				/* the DUT listed (its address as its router id), the lab's timers
				 */
				int n = packet_find(p, "ospf.hello.neighbor.id", 0);
				assert_int_not_equal(n, PACKET_NONE);
				assert_int_equal(be32(p->bytes + p->fields[n].offset), 0xc6121802u);
				assert_int_equal(
					packet_get(p, packet_find(p, "ospf.hello.interval", 0)), 2);
				assert_int_equal(
					packet_get(p,
						   packet_find(p, "ospf.hello.dead_interval", 0)),
					8);
			}
			for (int a = packet_find(p, "ospf.lsa.type", 0);
			     types[i] == OSPF_LSU && a != PACKET_NONE;
			     a = packet_find(p, "ospf.lsa.type", a + 1)) {
				uint64_t type = packet_get(p, a);
				assert_true(type < 8);
				lsa_types[type] = true;
				const uint8_t *id = p->bytes + p->fields[a].offset + 1;
				if (!(id[0] == 198 && (id[1] & 0xfe) == 18))
					fail_msg("%s announces %u.%u.%u.%u", t->base.name, id[0],
						 id[1], id[2], id[3]);
			}
		}
		static const int every[] = {1, 2, 3, 4, 5, 7};
		for (size_t k = 0; k < DL_ARRAY_SIZE(every); k++)
			if (!lsa_types[every[k]])
				fail_msg("no template carries an LSA of type %d", every[k]);
	}
	robustness.ospf.auth = OSPF_AUTH_CRYPTO;
	robustness.ospf.password = "LabOspf24";
	free(p);
	free(back);
}

/* Cases are deterministic; a mutated packet that still parses with its trailer is signed
 * again, and a mutated LSU that parses has its LSA checksums right. */
static void mutations_are_signed_again(void **state)
{
	(void)state;
	struct session_peer peer;
	peer_init(&peer);
	struct session_test_cases cases;
	session_test_cases_open(&cases);
	size_t resigned = 0, changed = 0, lsas = 0;
	for (size_t i = 0; i < session_ospf.template_count; i++) {
		const struct session_template *t = session_ospf.templates[i];
		session_test_plan(&cases, t, &peer);
		for (uint64_t index = 0; index < 200; index++) {
			struct fuzz_case ra;
			session_test_case(&cases, t->base.name, 7, index, &ra);
			if (parse(cases.back, cases.a[0].bytes, cases.a[0].length) != 0)
				continue;
			for (int e = packet_find(cases.back, "ospf.lsa.checksum", 0);
			     e != PACKET_NONE;
			     e = packet_find(cases.back, "ospf.lsa.checksum", e + 1)) {
				int c = packet_find(&cases.a[0], "ospf.lsa.checksum", 0);
				if (cases.back->fields[e].kind != FIELD_CHECKSUM ||
				    c == PACKET_NONE || packet_frozen(&cases.a[0], c))
					break;
				const struct field *lsa =
					&cases.back->fields[cases.back->fields[e].target];
				assert_int_equal(ospf_lsa_checksum(cases.a[0].bytes + lsa->offset,
								   lsa->size),
						 packet_get(cases.back, e));
				lsas++;
			}
			int d = packet_find(&cases.a[0], "ospf.trailer.digest", 0);
			if (packet_find(cases.back, "ospf.trailer", 0) == PACKET_NONE ||
			    d == PACKET_NONE || packet_frozen(&cases.a[0], d) ||
			    strcmp(t->base.name, "ospf-hello-other-auth") == 0)
				continue;
			if (cases.a[0].length != cases.valid->length ||
			    memcmp(cases.a[0].bytes, cases.valid->bytes, cases.valid->length) != 0)
				changed++;
			if (!signed_right(cases.a[0].bytes, cases.a[0].length, "LabOspf24"))
				fail_msg("%s #%" PRIu64 ": mutated and not signed again",
					 t->base.name, index);
			resigned++;
		}
	}
	assert_true(resigned > 200);
	assert_true(changed > 200);
	assert_true(lsas > 200);
	session_test_cases_close(&cases);
}

/* The reproducer of a raw IP link: the prefix (two hellos) then the case, each an
 * Ethernet/IPv4 frame of protocol 89 that dissects as OSPF, signed. */
static void reproducer_frames_are_ip_89(void **state)
{
	(void)state;
	struct session_peer peer;
	peer_init(&peer);
	struct session_link *l = session_test_link(&peer);
	struct packet *p = malloc(sizeof(*p)), *d = malloc(sizeof(*d));
	assert_true(p && d);
	l->datagram = true;
	l->ip_protocol = OSPF_PROTOCOL;
	l->local4 = peer.tester4;
	struct dl_error err = {0};
	for (int i = 0; i < 2; i++) {
		packet_init(p);
		assert_int_equal(session_ospf.templates[0]->build(p, &peer, &err), 0);
		session_test_prefix_add(l, p->bytes, p->length);
	}
	packet_init(p);
	assert_int_equal(session_ospf.templates[10]->build(p, &peer, &err), 0); /* LSU, all */
	static uint8_t frames[4][SESSION_TEST_FRAME_MAX];
	size_t lengths[4];
	assert_int_equal(
		session_test_reproducer(l, p->bytes, p->length, "dl-rt-frr", frames, lengths, 4),
		3);
	static const uint8_t types[] = {OSPF_HELLO, OSPF_HELLO, OSPF_LSU};
	for (size_t i = 0; i < 3; i++) {
		if (proto_dissect(d, frames[i], lengths[i], &err) != 0)
			fail_msg("frame %zu: %s", i, err.message);
		assert_int_equal(d->layer_count, 3);
		assert_string_equal(d->layers[1].model->name, "ipv4");
		assert_string_equal(d->layers[2].model->name, "ospf");
		assert_int_equal(packet_get(d, packet_find(d, "ipv4.protocol", 0)), OSPF_PROTOCOL);
		assert_int_equal(packet_get(d, packet_find(d, "ospf.type", 0)), types[i]);
		uint32_t at = d->fields[d->layers[2].element].offset;
		assert_true(signed_right(frames[i] + at, lengths[i] - at, "LabOspf24"));
	}
	free(d);
	free(p);
	free(l);
}

/* The raw IP socket's guard refuses before any socket exists (no privilege needed): a DUT
 * outside the scope, a group that is not link-local, a group without its declared interface;
 * and each send is asked again. */
static void raw_socket_is_guarded(void **state)
{
	(void)state;
	struct scope s = {0};
	struct dl_error err = {0};
	assert_int_equal(scope_add_network(&s, "198.18.24.0/24", &err), 0);
	assert_int_equal(scope_add_interface(&s, "trt-frr", &err), 0);
	struct in_addr dut, far, group, routed, me;
	inet_pton(AF_INET, "198.18.24.2", &dut);
	inet_pton(AF_INET, "198.18.99.2", &far);
	inet_pton(AF_INET, "224.0.0.5", &group);
	inet_pton(AF_INET, "224.0.1.5", &routed);
	inet_pton(AF_INET, "198.18.24.1", &me);
	int fd = 7;
	assert_int_equal(sock_raw_ip_open(&s, &far, 89, &group, &me, "trt-frr", &fd, &err),
			 DL_ESCOPE);
	assert_int_equal(fd, -1);
	assert_int_equal(sock_raw_ip_open(&s, &dut, 89, &routed, &me, "trt-frr", &fd, &err),
			 DL_ESCOPE);
	assert_int_equal(sock_raw_ip_open(&s, &dut, 89, &group, &me, NULL, &fd, &err), DL_ESCOPE);
	assert_non_null(strstr(err.message, "224.0.0.5"));
	assert_int_equal(sock_raw_ip_open(&s, &dut, 89, &group, &me, "eth9", &fd, &err), DL_ESCOPE);
	assert_int_equal(sock_raw_ip_send(&s, -1, &far, "trt-frr", "x", 1, &err), DL_ESCOPE);
	assert_int_equal(sock_raw_ip_send(&s, -1, &routed, "trt-frr", "x", 1, &err), DL_ESCOPE);
	/* in scope: past the guard, the send itself fails on no socket */
	assert_int_equal(sock_raw_ip_send(&s, -1, &group, "trt-frr", "x", 1, &err), DL_EIO);
	assert_int_equal(sock_raw_ip_send(&s, -1, &dut, "trt-frr", "x", 1, &err), DL_EIO);
	scope_release(&s);
}

/* On a broadcast link (robustness.ospf.network) the hello templates declare the steady state,
 * the DUT the DR and us its backup, and our router LSA has a transit link to the DR (RFC 2328
 * 12.4.1.2) where a point-to-point link has a point-to-point one to the DUT's router id. */
static void broadcast_templates_declare_dr_and_transit(void **state)
{
	(void)state;
	struct session_peer peer;
	peer_init(&peer);
	struct packet *p = malloc(sizeof(*p));
	assert_non_null(p);
	for (int broadcast = 0; broadcast <= 1; broadcast++) {
		robustness.ospf.broadcast = broadcast;
		for (size_t i = 0; i < session_ospf.template_count; i++) {
			const struct session_template *t = session_ospf.templates[i];
			bool hello = strcmp(t->base.name, "ospf-hello") == 0;
			bool router = strcmp(t->base.name, "ospf-lsu-router") == 0;
			if (!hello && !router)
				continue;
			packet_init(p);
			struct dl_error err = {0};
			assert_int_equal(t->build(p, &peer, &err), 0);
			if (hello) {
				int dr = packet_find(p, "ospf.hello.dr", 0);
				int bdr = packet_find(p, "ospf.hello.bdr", 0);
				assert_int_equal(be32(p->bytes + p->fields[dr].offset),
						 broadcast ? 0xc6121802u : 0);
				assert_int_equal(be32(p->bytes + p->fields[bdr].offset),
						 broadcast ? 0xc6121801u : 0);
				assert_int_equal(
					packet_get(p, packet_find(p, "ospf.hello.priority", 0)), 1);
				continue;
			}
			int type = packet_find(p, "ospf.router.link.type", 0);
			int id = packet_find(p, "ospf.router.link.id", 0);
			int data = packet_find(p, "ospf.router.link.data", 0);
			assert_int_equal(packet_get(p, type),
					 broadcast ? OSPF_LINK_TRANSIT : OSPF_LINK_PTP);
			/* the DR's interface address, or the DUT's router id: both 198.18.24.2 */
			assert_int_equal(be32(p->bytes + p->fields[id].offset), 0xc6121802u);
			assert_int_equal(be32(p->bytes + p->fields[data].offset), 0xc6121801u);
		}
	}
	robustness.ospf.broadcast = false;
	free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(plug_in_is_listed),
		cmocka_unit_test(templates_build_valid_packets),
		cmocka_unit_test(broadcast_templates_declare_dr_and_transit),
		cmocka_unit_test(mutations_are_signed_again),
		cmocka_unit_test(reproducer_frames_are_ip_89),
		cmocka_unit_test(raw_socket_is_guarded),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
