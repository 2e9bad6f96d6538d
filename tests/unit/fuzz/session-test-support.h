/* session-test-support: the session plug-in tests' shared setup (peers, fake DUTs, parsing,
 * reproducers) */
#ifndef DUTLAB_TESTS_SESSION_TEST_SUPPORT_H
#define DUTLAB_TESTS_SESSION_TEST_SUPPORT_H

#include <openssl/types.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct dl_error;
struct fuzz_case;
struct json_object;
struct mutation_plan;
struct packet;
struct profile;
struct profile_robustness;
struct scope;
struct proto_layer;
struct session_link;
struct session_peer;
struct session_protocol;
struct session_template;

/* A scope of 127.0.0.0/8 only, for a plug-in's check against a fake DUT on this host. */
void session_test_loopback_scope(struct scope *scope);

/* A TCP socket bound to 127.0.0.1 on a free port (*port), not listening yet: a fake DUT's. */
int session_test_loopback_socket(uint16_t *port);

/* A TCP socket listening on 127.0.0.1:*port (0: a free one, written back), with SO_REUSEADDR: a
 * fake DUT that died listens again on its port. -1 when the port cannot be had (yet). */
int session_test_listen(uint16_t *port);

/* p loaded from path, written first: a router on loopback (127.0.0.1 and ::1 in scope, an http
 * service on port, the NCC target) whose robustness section (after "robustness:\n") is
 * robustness_format's text; a refusal fails the test. */
void session_test_loopback_profile(struct profile *p, const char *path, uint16_t port,
				   const char *robustness_format, ...)
	__attribute__((format(printf, 4, 5)));

/* The session campaign of p, its store in dir and its evidence in dir/evidence (each made when
 * missing), ending within seconds: session_run's status, its summary in *o. */
int session_test_campaign(struct profile *p, const char *dir, unsigned seconds,
			  struct json_object **o, struct dl_error *err);

/* The largest frame session_test_reproducer() reads back. */
#define SESSION_TEST_FRAME_MAX 512

/* A zeroed peer from tester4 to dut4 (dotted IPv4) with the profile's robustness section. */
void session_test_peer(struct session_peer *peer, const char *tester4, const char *dut4,
		       const struct profile_robustness *robustness);

/* A peer from 127.0.0.1 to 127.0.0.1 in scope (127.0.0.0/8, set up here: the caller releases
 * it) with the profile's robustness section: a plug-in's check against a fake DUT here. */
void session_test_loopback_peer(struct session_peer *peer, struct scope *scope,
				const struct profile_robustness *robustness);

/* A fresh link on the heap for peer (session_link_init'ed; the caller frees it). */
struct session_link *session_test_link(const struct session_peer *peer);

/* l on one end of a new AF_UNIX stream socket pair (l->fd); the other end, the DUT's side that
 * reads what the link sends and writes what it reads. */
int session_test_link_pair(struct session_link *l);

/* A server context with a fresh P-256 key and a self-signed certificate for common_name, valid
 * from a minute ago for an hour: a fake DUT's TLS (the caller frees it). */
SSL_CTX *session_test_tls_context(const char *common_name);

/* A connection a fake DUT serves: over TLS when ssl is set, else in clear on fd. */
struct session_test_conn {
	int fd;
	SSL *ssl;
};

/* Up to size bytes from c: their count, 0 when the client closed, below 0 on an error or after
 * 3 s without a byte. */
int session_test_conn_read(struct session_test_conn *c, void *buffer, size_t size);

/* data to c, as much as it takes (a client gone is no error of the fake DUT's). */
void session_test_conn_write(struct session_test_conn *c, const void *data, size_t length);

/* SIGPIPE blocked in the calling thread: a fake DUT's, whose client may reset. */
void session_test_block_sigpipe(void);

/* sp's template called name (the test fails when there is none). */
const struct session_template *session_test_template(const struct session_protocol *sp,
						     const char *name);

/* A fake DUT on 127.0.0.1 in a thread of its own: it accepts connections, one after the other
 * (over TLS when ctx is set; one whose handshake fails is dropped), and serve answers each until
 * it returns. SIGPIPE is blocked in that thread: a client that reset gives the server EPIPE. */
struct session_test_server {
	int connections; /* accepted before the thread ends */
	SSL_CTX *ctx;    /* NULL: in clear; session_test_server_stop frees it */
	void (*serve)(struct session_test_conn *c, void *data);
	void *data;    /* serve's */
	int listener;  /* set by session_test_server_start */
	uint16_t port; /* the listener's */
	pthread_t thread;
};

/* s's listener on a free port (s->port), listening, and its thread started. */
void session_test_server_start(struct session_test_server *s);

/* Once its connections are served: the thread joined, the listener closed, ctx freed. */
void session_test_server_stop(struct session_test_server *s);

/* sp's check on l, session_link_init'ed for peer, within ms, then l closed; the test fails
 * unless the check ran (0). The verdict in *healthy (the caller sets the other one, to see it
 * written), the evidence in evidence (size bytes). */
void session_test_check(const struct session_protocol *sp, struct session_link *l,
			const struct session_peer *peer, unsigned ms, bool *healthy, char *evidence,
			size_t size);

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

/* The same with cases of frame_max bytes at the most (a frame plug-in's template's own). */
void session_test_plan_max(struct session_test_cases *cases, const struct session_template *t,
			   const struct session_peer *peer, uint32_t frame_max);

/* Case index of seed into cases->a (its record in *record), built again alike into cases->b:
 * one frame of 1 to SESSION_MESSAGE_MAX bytes. */
void session_test_case(struct session_test_cases *cases, const char *name, uint64_t seed,
		       uint64_t index, struct fuzz_case *record);

#endif
