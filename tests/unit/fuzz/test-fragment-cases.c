/* test-fragment-cases: the ipv4/ipv6 session plug-ins' fragment cases: drawn as in the packet
 * campaign, sent, logged, replayed and saved as one case of all their frames, in order; and
 * the OSPF hello's mask taken from the tester port */
#include "core/compat.h"

#include <arpa/inet.h>
#include <json-c/json.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdatomic.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/error.h"
#include "core/json-read.h"
#include "core/monotonic.h"
#include "core/profile.h"
#include "fuzz/mutate.h"
#include "fuzz/session.h"
#include "proto/packet.h"
#include "session-test-support.h"

#define FRAME_BYTES 1600
#define KILLER_FRAMES MUTATION_FRAMES_MAX
#define KILLERS_MAX 8

static struct profile_robustness robustness;

/* ---- a frame's IP fragment fields ---- */

struct fragment_view {
	bool fragment;      /* an IPv4 fragment, or an IPv6 packet with a Fragment header */
	bool v6;            /* which */
	uint32_t id;        /* its identification */
	uint32_t offset;    /* bytes */
	bool more;          /* MF / M */
	uint8_t next_layer; /* IPv4's protocol, or the Fragment header's next header */
};

/* Ethernet/IPv4 or Ethernet/IPv6 (through hop-by-hop, routing and destination options
 * headers) to a Fragment header; a frame it cannot walk is no fragment. */
static struct fragment_view fragment_of(const uint8_t *f, size_t n)
{
	struct fragment_view v = {0};
	if (n < 14 + 20)
		return v;
	uint16_t type = (uint16_t)(f[12] << 8 | f[13]);
	if (type == 0x0800) {
		uint16_t flags = (uint16_t)(f[20] << 8 | f[21]);
		v.id = (uint32_t)(f[18] << 8 | f[19]);
		v.offset = (uint32_t)(flags & 0x1fff) * 8;
		v.more = (flags & 0x2000) != 0;
		v.fragment = v.more || v.offset;
		v.next_layer = f[23];
		return v;
	}
	if (type != 0x86dd || n < 14 + 40)
		return v;
	uint8_t next = f[20];
	size_t at = 14 + 40;
	for (unsigned headers = 0; headers < 8 && at + 8 <= n; headers++) {
		if (next == 44) {
			uint16_t w = (uint16_t)(f[at + 2] << 8 | f[at + 3]);
			v.fragment = v.v6 = true;
			v.next_layer = f[at];
			v.offset = (uint32_t)(w >> 3) * 8;
			v.more = (w & 1) != 0;
			v.id = (uint32_t)f[at + 4] << 24 | (uint32_t)f[at + 5] << 16 |
			       (uint32_t)f[at + 6] << 8 | f[at + 7];
			return v;
		}
		if (next != 0 && next != 43 && next != 60)
			return v;
		next = f[at];
		at += ((size_t)f[at + 1] + 1) * 8;
	}
	return v;
}

/* ---- pcapng: each enhanced packet block's frame and comment ---- */

#define BLOCKS_MAX 8192

struct capture {
	uint8_t *file;
	size_t size;
	size_t count;
	size_t frame_at[BLOCKS_MAX], frame_length[BLOCKS_MAX];
	char comment[BLOCKS_MAX][160];
};

static void capture_read(struct capture *c, const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		fail_msg("cannot open %s", path);
	c->file = malloc(8u << 20);
	assert_non_null(c->file);
	c->size = fread(c->file, 1, 8u << 20, f);
	fclose(f);
	c->count = 0;
	size_t at = 0;
	for (unsigned blocks = 0; at + 12 <= c->size && blocks < 200000; blocks++) {
		uint32_t type, length;
		memcpy(&type, c->file + at, 4);
		memcpy(&length, c->file + at + 4, 4);
		if (length < 12 || at + length > c->size)
			break;
		if (type == 6 && length >= 32 && c->count < BLOCKS_MAX) {
			uint32_t captured;
			memcpy(&captured, c->file + at + 20, 4);
			size_t i = c->count++;
			c->frame_at[i] = at + 28;
			c->frame_length[i] = captured;
			c->comment[i][0] = '\0';
			size_t o = at + 28 + ((captured + 3) & ~3u);
			while (o + 4 <= at + length - 4) {
				uint16_t code, n;
				memcpy(&code, c->file + o, 2);
				memcpy(&n, c->file + o + 2, 2);
				if (code == 0)
					break;
				if (code == 1) {
					size_t k = n < sizeof(c->comment[i]) - 1
							   ? n
							   : sizeof(c->comment[i]) - 1;
					memcpy(c->comment[i], c->file + o + 4, k);
					c->comment[i][k] = '\0';
				}
				o += 4 + ((size_t)(n + 3) & ~(size_t)3);
			}
		}
		at += length;
	}
}

/* A case description's frame count: "[3 frames]", else 1. */
static size_t frames_said(const char *comment)
{
	const char *at = strstr(comment, " frames]");
	if (!at)
		return 1;
	while (at > comment && at[-1] >= '0' && at[-1] <= '9')
		at--;
	return (size_t)strtoul(at, NULL, 10);
}

/* ---- the plan: fragment cases drawn for every template, as the packet campaign draws ---- */

static void peer_init(struct session_peer *peer)
{
	static const uint8_t dut_mac[6] = {0x02, 0xd0, 0, 0, 0, 0x02};
	static const uint8_t tester_mac[6] = {0x02, 0x7e, 0, 0, 0, 0x01};
	session_test_peer(peer, "198.18.50.1", "198.18.50.2", &robustness);
	memcpy(peer->frame.dut_mac, dut_mac, 6);
	memcpy(peer->frame.tester_mac, tester_mac, 6);
	peer->frame.tester4 = peer->tester4;
	peer->frame.dut4 = peer->dut4;
	assert_int_equal(inet_pton(AF_INET6, "fd00:198:0:50::1", &peer->frame.tester6), 1);
	assert_int_equal(inet_pton(AF_INET6, "fd00:198:0:50::2", &peer->frame.dut6), 1);
}

/* Under the engine's options for the frames templates (level 1, the port's frame bound, the
 * templates' fragments) every template draws both fragment anomalies; such a case is 2 to
 * MUTATION_FRAMES_MAX frames, each a fragment of one datagram (one identification) and no
 * longer than the port takes, the description saying how many; every other case is one. */
static void every_template_draws_fragment_cases(void **state)
{
	(void)state;
	struct session_peer peer;
	peer_init(&peer);
	struct session_test_cases cases;
	session_test_cases_open(&cases);
	const struct session_protocol *plug_ins[] = {&session_ipv4, &session_ipv6};
	for (size_t k = 0; k < DL_ARRAY_SIZE(plug_ins); k++)
		for (size_t i = 0; i < plug_ins[k]->template_count; i++) {
			const struct session_template *t = plug_ins[k]->templates[i];
			assert_true(t->fragments);
			struct dl_error err = {0};
			struct mutation_options o = {
				.level = 1, .frame_max = t->frame_max, .fragments = t->fragments};
			packet_init(cases.valid);
			assert_int_equal(t->build(cases.valid, &peer, &err), 0);
			mutate_plan_build(cases.plan, cases.valid, &t->base, &o);
			size_t overlaps = 0, gaps = 0;
			for (uint64_t index = 0; index < 600; index++) {
				struct fuzz_case record;
				if (mutate_planned(cases.plan, 11, index, cases.a, &record, &err))
					fail_msg("%s #%" PRIu64 ": %s", t->base.name, index,
						 err.message);
				enum anomaly a = (enum anomaly)record.mutations[0].anomaly;
				bool split =
					a == ANOMALY_FRAGMENT_OVERLAP || a == ANOMALY_FRAGMENT_GAP;
				if (!split) {
					assert_int_equal(record.frame_count, 1);
					continue;
				}
				overlaps += a == ANOMALY_FRAGMENT_OVERLAP;
				gaps += a == ANOMALY_FRAGMENT_GAP;
				assert_true(record.frame_count >= 1);
				assert_true(record.frame_count <= MUTATION_FRAMES_MAX);
				char text[400];
				fuzz_case_describe(&record, text, sizeof(text));
				assert_int_equal(frames_said(text), record.frame_count);
				struct fragment_view first =
					fragment_of(cases.a[0].bytes, cases.a[0].length);
				for (size_t f = 0; f < record.frame_count; f++) {
					struct fragment_view v =
						fragment_of(cases.a[f].bytes, cases.a[f].length);
					if (!v.fragment)
						fail_msg("%s: frame %zu of %zu is no fragment",
							 text, f, record.frame_count);
					assert_int_equal(v.v6, k == 1);
					assert_int_equal(v.id, first.id);
					assert_true(cases.a[f].length <= MUTATION_FRAME_DEFAULT);
				}
			}
			if (!overlaps || !gaps)
				fail_msg("%s: %zu overlap and %zu gap cases in 600", t->base.name,
					 overlaps, gaps);
		}
	session_test_cases_close(&cases);
}

/* ---- a DUT that dies on a whole fragment case ---- */

/*
 * On 127.0.0.1 a listening port (the tcp monitor's DUT) and, beside it, a packet socket on lo
 * reading the frames the campaign sends. It dies (closes its port) when it has seen, of one
 * IPv6 fragment identification, the first fragment (offset 0, M) and the last (an offset, no
 * M): only a case's frames sent together do it (a frame alone does not; each case's
 * identification is its own, drawn from its seed and index). It comes back revive_ms later.
 * The frames of each identification that killed it, as seen when it last did, are kept
 * (killers: a campaign goes on after its failure, and may kill it again with another case).
 */
struct fragile {
	uint8_t mac[6]; /* the DUT's, as the profile gives it: this process's own */
	int listener, sniffer;
	uint16_t port;
	atomic_bool stop;
	pthread_t thread;
	bool dead;
	int64_t died_ns;
	unsigned revive_ms;
	atomic_uint deaths;
	/* the datagram whose first fragment came last: its frames from that one on */
	bool have_first;
	struct killer {
		uint32_t id;
		uint8_t frame[KILLER_FRAMES][FRAME_BYTES];
		size_t length[KILLER_FRAMES], count;
	} pending, killers[KILLERS_MAX];
	size_t killer_count;
	struct killer *recording; /* the killer whose later frames are still added */
};

static void killer_add(struct killer *k, const uint8_t *f, size_t n)
{
	if (k->count == KILLER_FRAMES || n > FRAME_BYTES)
		return;
	memcpy(k->frame[k->count], f, n);
	k->length[k->count++] = n;
}

/* The killer of identification id (NULL: it never killed). */
static const struct killer *killer_of(const struct fragile *d, uint32_t id)
{
	for (size_t i = 0; i < d->killer_count; i++)
		if (d->killers[i].id == id)
			return &d->killers[i];
	return NULL;
}

static void fragile_frame(struct fragile *d, const uint8_t *f, size_t n)
{
	/* not this campaign's: other tests, and this one run elsewhere at once, use lo too */
	struct fragment_view v = fragment_of(f, n);
	if (!v.fragment || !v.v6 || memcmp(f, d->mac, 6) != 0)
		return;
	if (v.offset == 0 && v.more) { /* a first fragment: a new datagram */
		d->recording = NULL;
		d->have_first = !d->dead;
		d->pending = (struct killer){.id = v.id};
	}
	if (d->recording && d->recording->id == v.id)
		killer_add(d->recording, f, n);
	if (!d->have_first || v.id != d->pending.id)
		return;
	killer_add(&d->pending, f, n);
	if (v.offset == 0 || v.more)
		return;
	/* the first and the last fragment of one datagram: dead */
	struct killer *k = (struct killer *)killer_of(d, v.id);
	if (!k && d->killer_count < KILLERS_MAX)
		k = &d->killers[d->killer_count++];
	if (k)
		*k = d->pending;
	d->recording = k;
	d->have_first = false;
	d->dead = true;
	d->died_ns = monotonic_ns();
	atomic_fetch_add(&d->deaths, 1);
	close(d->listener);
	d->listener = -1;
}

static void *fragile_run(void *arg)
{
	struct fragile *d = arg;
	static uint8_t frame[65536];
	while (!atomic_load(&d->stop)) {
		if (d->dead && monotonic_ns() - d->died_ns >= (int64_t)d->revive_ms * 1000000 &&
		    (d->listener = session_test_listen(&d->port)) >= 0)
			d->dead = false;
		struct pollfd pfd[2] = {{.fd = d->sniffer, .events = POLLIN},
					{.fd = d->listener, .events = POLLIN}};
		if (poll(pfd, d->listener >= 0 ? 2 : 1, 10) <= 0)
			continue;
		if (d->listener >= 0 && (pfd[1].revents & POLLIN)) {
			int fd = accept(d->listener, NULL, NULL);
			if (fd >= 0)
				close(fd);
		}
		for (unsigned reads = 0; reads < 256 && (pfd[0].revents & POLLIN); reads++) {
			struct sockaddr_ll from;
			socklen_t length = sizeof(from);
			ssize_t got = recvfrom(d->sniffer, frame, sizeof(frame), MSG_DONTWAIT,
					       (struct sockaddr *)&from, &length);
			if (got <= 0)
				break;
			/* each frame once: as lo delivers it (to the DUT's MAC, not lo's; the
			 * send ring bypasses the taps that would show it leaving) */
			if (from.sll_pkttype == PACKET_OTHERHOST)
				fragile_frame(d, frame, (size_t)got);
		}
	}
	return NULL;
}

/* false: no packet socket here (no CAP_NET_RAW). */
static bool fragile_start(struct fragile *d)
{
	d->sniffer = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(ETH_P_ALL));
	if (d->sniffer < 0)
		return false;
	struct sockaddr_ll at = {.sll_family = AF_PACKET,
				 .sll_protocol = htons(ETH_P_ALL),
				 .sll_ifindex = (int)if_nametoindex("lo")};
	assert_int_equal(bind(d->sniffer, (struct sockaddr *)&at, sizeof(at)), 0);
	d->listener = session_test_listen(&d->port);
	assert_true(d->listener >= 0);
	assert_int_equal(pthread_create(&d->thread, NULL, fragile_run, d), 0);
	return true;
}

static void fragile_stop(struct fragile *d)
{
	atomic_store(&d->stop, true);
	assert_int_equal(pthread_join(d->thread, NULL), 0);
	if (d->listener >= 0)
		close(d->listener);
	close(d->sniffer);
}

/*
 * The mixed campaign's ipv6 frames against the fragile DUT on lo: it fails; the window is
 * replayed and bisected to one case, a fragment case, which killed the DUT again when replayed
 * (so a replay sends all its frames: one frame does not kill it). What the DUT saw of the
 * killer is every frame the case's description counts, and the reproducer holds exactly
 * those frames, in order. The sent log holds every case's frames together under its
 * description, each case once.
 */
static void fragment_case_sent_replayed_and_saved_whole(void **state)
{
	(void)state;
	static struct fragile d;
	memset(&d, 0, sizeof(d));
	d.revive_ms = 2000; /* dead long enough for its monitor (3 probes 200 ms apart) */
	uint32_t pid = (uint32_t)getpid();
	uint8_t mac[6] = {
		0x02,        0xfc, (uint8_t)(pid >> 24), (uint8_t)(pid >> 16), (uint8_t)(pid >> 8),
		(uint8_t)pid};
	memcpy(d.mac, mac, 6);
	if (!fragile_start(&d))
		skip();
	char dir[] = "/tmp/dutlab-test-fragment-cases-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char path[128], evidence[128], file[256];
	snprintf(path, sizeof(path), "%s/fragments.yaml", dir);
	struct profile p;
	session_test_loopback_profile(
		&p, path, d.port,
		"  interface: lo\n  duration: 60\n  rate: 5\n  seed: 9\n"
		"  dut_mac: '%02x:%02x:%02x:%02x:%02x:%02x'\n"
		"  mix: {ipv6: 1}\n  monitors: [tcp]\n  monitor_interval: 200\n  monitor_timeout: "
		"400\n"
		"  tcp_port: %u\n  recovery: 10\n"
		"  max_failures: 1\n",
		mac[0], mac[1], mac[2], mac[3], mac[4], mac[5], d.port);
	struct dl_error err = {0};
	snprintf(evidence, sizeof(evidence), "%s/evidence", dir);
	struct json_object *o = NULL;
	if (session_test_campaign(&p, dir, 150, &o, &err) != 0)
		fail_msg("%s", err.message);
	struct json_object *failures = json_read_array(o, "failures");
	if (json_object_array_length(failures) != 1)
		fail_msg("failures: %s", json_object_to_json_string(failures));
	struct json_object *fo = json_object_array_get_idx(failures, 0);
	const char *text = json_object_to_json_string(fo);
	print_message("the failure: %s\n", text);
	if (!json_object_get_boolean(json_read_member(fo, "reproduced")))
		fail_msg("not reproduced: %s", text);
	struct json_object *minimal = json_read_object(fo, "minimal");
	assert_non_null(minimal);
	int64_t culprit = json_read_int(minimal, "first", -1);
	if (culprit < 0 || json_read_int(minimal, "last", -2) != culprit)
		fail_msg("not one case: %s", text);
	assert_true(atomic_load(&d.deaths) >= 2); /* in the campaign, and again in a replay */
	struct json_object *c0 = json_object_array_get_idx(json_read_array(minimal, "cases"), 0);
	assert_int_equal(json_read_int(c0, "index", -1), culprit);
	const char *description = json_read_text(c0, "description", "");
	assert_non_null(strstr(description, "fragment-"));
	size_t frames = frames_said(description);
	assert_true(frames >= 2);
	/* the reproducer: the case's frames, in order, each under its description; the very
	 * frames that reached the DUT in the replay that killed it last (all of them: the DUT
	 * saw no fewer and no more of that datagram) */
	static struct capture r;
	snprintf(file, sizeof(file), "%s/robustness/session-failure-1.pcapng", evidence);
	capture_read(&r, file);
	assert_int_equal(r.count, frames);
	const struct killer *k =
		killer_of(&d, fragment_of(r.file + r.frame_at[0], r.frame_length[0]).id);
	assert_non_null(k);
	assert_int_equal(k->count, frames);
	for (size_t i = 0; i < r.count; i++) {
		assert_int_equal(r.frame_length[i], k->length[i]);
		assert_memory_equal(r.file + r.frame_at[i], k->frame[i], r.frame_length[i]);
		assert_non_null(strstr(r.comment[i], "fragment-"));
	}
	free(r.file);
	/* the sent log: a case's frames together, as many as its description says */
	static struct capture s;
	snprintf(file, sizeof(file), "%s/robustness/sessions-sent.pcapng", evidence);
	capture_read(&s, file);
	size_t split = 0, logged = 0;
	for (size_t i = 0; i < s.count;) {
		size_t n = frames_said(s.comment[i]), j = i;
		while (j < s.count && strcmp(s.comment[j], s.comment[i]) == 0)
			j++;
		if (j - i != n)
			fail_msg("sent log: %zu frames of \"%s\"", j - i, s.comment[i]);
		split += n > 1;
		logged++;
		i = j;
	}
	assert_true(split >= 1);
	/* each case once in the log; every frame of it counted sent or refused (the replays'
	 * too) */
	struct json_object *po = json_read_object(json_read_object(o, "protocols"), "ipv6");
	assert_int_equal(json_read_int(po, "cases", 0), (int64_t)logged);
	assert_true(json_read_int(po, "frames_sent", 0) + json_read_int(po, "frames_refused", 0) >=
		    (int64_t)s.count);
	free(s.file);
	json_object_put(o);
	profile_release(&p);
	fragile_stop(&d);
	char command[256];
	snprintf(command, sizeof(command), "rm -rf '%s'", dir);
	assert_int_equal(system(command), 0);
}

/* ---- OSPF: the hello's mask is the tester port's ---- */

/* The Network Mask (RFC 2328 A.3.2: the hello's first field after the 24-byte header) of the
 * plug-in's hello template for peer. */
static uint32_t hello_mask(const struct session_peer *peer)
{
	const struct session_template *t = NULL;
	for (size_t i = 0; i < session_ospf.template_count; i++)
		if (strcmp(session_ospf.templates[i]->base.name, "ospf-hello") == 0)
			t = session_ospf.templates[i];
	assert_non_null(t);
	struct packet *p = malloc(sizeof(*p));
	assert_non_null(p);
	packet_init(p);
	struct dl_error err = {0};
	if (t->build(p, peer, &err) != 0)
		fail_msg("%s", err.message);
	assert_true(p->length >= 28);
	assert_int_equal(p->bytes[1], 1); /* a hello */
	uint32_t mask;
	memcpy(&mask, p->bytes + 24, 4);
	free(p);
	return ntohl(mask);
}

/* RFC 2328 10.5: on a broadcast link a hello whose mask differs from the receiving
 * interface's is dropped, so ours carries the port's own (learnt by the engine, the address's
 * prefix); /24 when it is not known. */
static void ospf_hello_mask_is_the_ports(void **state)
{
	(void)state;
	static struct profile_robustness r;
	memset(&r, 0, sizeof(r));
	r.ospf.declared = true;
	r.ospf.broadcast = true;
	struct session_peer peer;
	session_test_peer(&peer, "198.18.50.1", "198.18.50.2", &r);
	assert_int_equal(hello_mask(&peer), 0xffffff00u);
	inet_pton(AF_INET, "255.255.255.128", &peer.tester4_mask);
	assert_int_equal(hello_mask(&peer), 0xffffff80u);
	inet_pton(AF_INET, "255.255.0.0", &peer.tester4_mask);
	assert_int_equal(hello_mask(&peer), 0xffff0000u);
	inet_pton(AF_INET, "255.255.255.252", &peer.tester4_mask);
	assert_int_equal(hello_mask(&peer), 0xfffffffcu);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_template_draws_fragment_cases),
		cmocka_unit_test(ospf_hello_mask_is_the_ports),
		cmocka_unit_test(fragment_case_sent_replayed_and_saved_whole),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
