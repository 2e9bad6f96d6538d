/* session-test-support: the session plug-in tests' shared setup (peers, parsing, reproducers) */
#include "core/compat.h"

#include <arpa/inet.h>
#include <inttypes.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/error.h"
#include "fuzz/mutate.h"
#include "fuzz/session.h"
#include "net/pcapng.h"
#include "net/scope.h"
#include "proto/cursor.h"
#include "proto/layer.h"
#include "proto/packet.h"
#include "session-test-support.h"

void session_test_peer(struct session_peer *peer, const char *tester4, const char *dut4,
		       const struct profile_robustness *robustness)
{
	memset(peer, 0, sizeof(*peer));
	assert_int_equal(inet_pton(AF_INET, tester4, &peer->tester4), 1);
	assert_int_equal(inet_pton(AF_INET, dut4, &peer->dut4), 1);
	peer->robustness = robustness;
}

struct session_link *session_test_link(const struct session_peer *peer)
{
	struct session_link *l = malloc(sizeof(*l));
	assert_non_null(l);
	session_link_init(l, peer);
	return l;
}

void session_test_loopback_scope(struct scope *scope)
{
	struct dl_error err = {0};
	memset(scope, 0, sizeof(*scope));
	scope->origin = "test profile";
	if (scope_add_network(scope, "127.0.0.0/8", &err) != 0)
		fail_msg("%s", err.message);
}

int session_test_loopback_socket(uint16_t *port)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(fd >= 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	socklen_t length = sizeof(a);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &length), 0);
	*port = ntohs(a.sin_port);
	return fd;
}

int session_test_parse(const struct proto_layer *model, struct packet *p, const uint8_t *bytes,
		       size_t length)
{
	struct cursor c;
	packet_init(p);
	cursor_init(&c, bytes, length);
	struct layer_parse_result next;
	int rc = model->parse(p, &c, &next);
	p->open_count = 0;
	return rc;
}

void session_test_prefix_add(struct session_link *l, const uint8_t *message, size_t length)
{
	assert_true(l->prefix_count < SESSION_PREFIX_MAX);
	assert_true(length <= sizeof(l->prefix) - l->prefix_length);
	memcpy(l->prefix + l->prefix_length, message, length);
	l->prefix_length += length;
	l->prefix_ends[l->prefix_count++] = l->prefix_length;
}

/* Walk a pcapng file's Enhanced Packet Blocks (type 6): frame i into frames[i]. */
static size_t read_frames(const char *path, uint8_t frames[][SESSION_TEST_FRAME_MAX],
			  size_t lengths[], size_t max)
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
		assert_true(captured <= SESSION_TEST_FRAME_MAX);
		memcpy(frames[n], block + 20, captured);
		lengths[n++] = captured;
	}
	fclose(f);
	return n;
}

size_t session_test_reproducer(const struct session_link *l, const uint8_t *message, size_t length,
			       const char *interface, uint8_t frames[][SESSION_TEST_FRAME_MAX],
			       size_t lengths[], size_t max)
{
	char path[] = "/tmp/dutlab-test-session-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	struct dl_error err = {0};
	struct pcapng_writer w = {0};
	assert_int_equal(pcapng_open(&w, path, 1, 65535, interface, "test", 0, &err), 0);
	if (session_write_frames(&w, l, 1000, message, length, "prefix", "the case", &err))
		fail_msg("%s", err.message);
	assert_int_equal(pcapng_close(&w, &err), 0);
	size_t n = read_frames(path, frames, lengths, max);
	unlink(path);
	return n;
}

void session_test_cases_open(struct session_test_cases *cases)
{
	cases->valid = malloc(sizeof(*cases->valid));
	cases->a = calloc(MUTATION_FRAMES_MAX, sizeof(*cases->a));
	cases->b = calloc(MUTATION_FRAMES_MAX, sizeof(*cases->b));
	cases->back = malloc(sizeof(*cases->back));
	cases->plan = malloc(sizeof(*cases->plan));
	assert_true(cases->valid && cases->a && cases->b && cases->back && cases->plan);
}

void session_test_cases_close(struct session_test_cases *cases)
{
	free(cases->valid);
	free(cases->a);
	free(cases->b);
	free(cases->back);
	free(cases->plan);
}

void session_test_plan(struct session_test_cases *cases, const struct session_template *t,
		       const struct session_peer *peer)
{
	struct mutation_options o = {.level = 1, .frame_max = SESSION_MESSAGE_MAX};
	struct dl_error err = {0};
	packet_init(cases->valid);
	if (t->build(cases->valid, peer, &err) != 0)
		fail_msg("%s: %s", t->base.name, err.message);
	mutate_plan_build(cases->plan, cases->valid, &t->base, &o);
	assert_true(cases->plan->pair_count > 0);
}

void session_test_case(struct session_test_cases *cases, const char *name, uint64_t seed,
		       uint64_t index, struct fuzz_case *record)
{
	struct fuzz_case again;
	struct dl_error err = {0};
	if (mutate_planned(cases->plan, seed, index, cases->a, record, &err) != 0)
		fail_msg("%s #%" PRIu64 ": %s", name, index, err.message);
	assert_int_equal(mutate_planned(cases->plan, seed, index, cases->b, &again, &err), 0);
	assert_int_equal(record->frame_count, 1);
	assert_int_equal(cases->a[0].length, cases->b[0].length);
	assert_memory_equal(cases->a[0].bytes, cases->b[0].bytes, cases->a[0].length);
	if (cases->a[0].length < 1 || cases->a[0].length > SESSION_MESSAGE_MAX)
		fail_msg("%s #%" PRIu64 ": %u bytes", name, index, cases->a[0].length);
}
