/* session-test-support: the session plug-in tests' shared setup (peers, parsing, reproducers) */
#ifndef DUTLAB_TESTS_SESSION_TEST_SUPPORT_H
#define DUTLAB_TESTS_SESSION_TEST_SUPPORT_H

#include <stddef.h>
#include <stdint.h>

struct fuzz_case;
struct mutation_plan;
struct packet;
struct profile_robustness;
struct scope;
struct proto_layer;
struct session_link;
struct session_peer;
struct session_template;

/* A scope of 127.0.0.0/8 only, for a plug-in's check against a fake DUT on this host. */
void session_test_loopback_scope(struct scope *scope);

/* A TCP socket bound to 127.0.0.1 on a free port (*port), not listening yet: a fake DUT's. */
int session_test_loopback_socket(uint16_t *port);

/* The largest frame session_test_reproducer() reads back. */
#define SESSION_TEST_FRAME_MAX 512

/* A zeroed peer from tester4 to dut4 (dotted IPv4) with the profile's robustness section. */
void session_test_peer(struct session_peer *peer, const char *tester4, const char *dut4,
		       const struct profile_robustness *robustness);

/* A fresh link on the heap for peer (session_link_init'ed; the caller frees it). */
struct session_link *session_test_link(const struct session_peer *peer);

/* bytes as one message of model: 0 and the parsed packet, or the parser's error. */
int session_test_parse(const struct proto_layer *model, struct packet *p, const uint8_t *bytes,
		       size_t length);

/* message appended to the link's prefix as one more message (asserts it fits). */
void session_test_prefix_add(struct session_link *l, const uint8_t *message, size_t length);

/* The link's reproducer of the case message, written to a pcapng file on interface and read
 * back: the number of frames (at most max) and each frame in frames and lengths. */
size_t session_test_reproducer(const struct session_link *l, const uint8_t *message, size_t length,
			       const char *interface, uint8_t frames[][SESSION_TEST_FRAME_MAX],
			       size_t lengths[], size_t max);

/* The buffers of a test of a plug-in's mutations (on the heap: a plan and MUTATION_FRAMES_MAX
 * frames are large). */
struct session_test_cases {
	struct packet *valid;       /* the template's message */
	struct packet *a, *b;       /* a case, built twice (MUTATION_FRAMES_MAX frames each) */
	struct packet *back;        /* a case parsed back */
	struct mutation_plan *plan; /* the template's plan */
};

void session_test_cases_open(struct session_test_cases *cases);
void session_test_cases_close(struct session_test_cases *cases);

/* t's message for peer into cases->valid and its plan (level 1, cases that fit a session
 * message) into cases->plan; asserts the plan has pairs. */
void session_test_plan(struct session_test_cases *cases, const struct session_template *t,
		       const struct session_peer *peer);

/* Case index of seed into cases->a (its record in *record), built again alike into cases->b:
 * one frame of 1 to SESSION_MESSAGE_MAX bytes. */
void session_test_case(struct session_test_cases *cases, const char *name, uint64_t seed,
		       uint64_t index, struct fuzz_case *record);

#endif
