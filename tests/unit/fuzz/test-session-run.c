/* test-session-run: the session campaign end to end against a fake BGP speaker on 127.0.0.1: its
 * check, its sent log, its checkpoint and resumption, a dead DUT noticed by its monitor while
 * the session is re-established, and a culprit found by bisecting its window when the DUT dies
 * long after it */
#include "core/compat.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <json-c/json.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdatomic.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/error.h"
#include "core/json-read.h"
#include "core/monotonic.h"
#include "core/profile.h"
#include "core/store.h"
#include "fuzz/campaign.h"
#include "fuzz/session.h"
#include "net/sock.h"
#include "proto/bgp.h"
#include "proto/packet.h"
#include "session-test-support.h"

#define PEERS_MAX 16
#define PEER_BYTES 8192

/* A BGP speaker: OPEN, KEEPALIVE and an UPDATE announcing 198.18.24.128/25 to every peer,
 * whatever they send; with dead set, it closes every connection and its listener. A fragile
 * one (fragile set) takes each message it reads (fragile_read) and dies on an UPDATE whose
 * bytes hash to a chosen residue (its culprit) only after die_after more messages or after
 * die_after_ms without one, whichever comes first (a campaign's steady cases count it down; a
 * culprit replayed alone kills it at once, well inside the monitors' detection time), or, with
 * die_after 0, on the culprit itself, no clock involved; it comes back (listening again)
 * revive_ms later. */
struct fake_dut {
	int listener;
	uint16_t port;
	atomic_bool stop, dead;
	pthread_t thread;
	uint8_t greeting[512];
	size_t greeting_length;
	bool fragile;
	unsigned modulus, residue, die_after, die_after_ms, revive_ms;
	/* pair: a culprit kills only on a connection that brought a primer (an UPDATE hashing to
	 * primer_residue) before it: two cases needed together */
	bool pair;
	unsigned primer_residue;
	bool primed[PEERS_MAX];
	atomic_uint deaths;
	/* the first culprit that killed it, as received */
	uint8_t killer[PEER_BYTES];
	size_t killer_length;
	/* after a culprit: messages and time left before it dies (doomed); when it died */
	bool doomed;
	unsigned doomed_messages;
	int64_t doomed_ns, died_ns;
};

static void append(struct fake_dut *d, struct packet *p)
{
	struct dl_error err = {0};
	assert_int_equal(packet_finish(p, &err), 0);
	memcpy(d->greeting + d->greeting_length, p->bytes, p->length);
	d->greeting_length += p->length;
}

static void greeting_build(struct fake_dut *d)
{
	struct packet *p = malloc(sizeof(*p));
	assert_non_null(p);
	packet_init(p);
	struct bgp_open_fields of = {.my_as = 65000, .hold_time = 90};
	inet_pton(AF_INET, "127.0.0.1", &of.identifier);
	assert_int_equal(bgp_build_open(p, &of), 0);
	append(d, p);
	packet_init(p);
	assert_int_equal(bgp_build_keepalive(p), 0);
	append(d, p);
	uint32_t path[] = {65000};
	struct bgp_prefix4 route = {.length = 25};
	inet_pton(AF_INET, "198.18.24.128", &route.address);
	struct bgp_update_fields f = {.origin = BGP_ORIGIN_IGP,
				      .as_path = path,
				      .as_path_count = 1,
				      .nlri = &route,
				      .nlri_count = 1};
	inet_pton(AF_INET, "127.0.0.1", &f.next_hop);
	packet_init(p);
	assert_int_equal(bgp_build_update(p, &f), 0);
	append(d, p);
	free(p);
}

static bool fake_dut_listen(struct fake_dut *d);

static uint32_t fnv1a(const uint8_t *p, size_t n)
{
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 16777619u;
	return h;
}

static const uint8_t bgp_marker[16] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
				       0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

/* One message (a read) from a peer: a culprit dooms the fragile DUT, any message brings a doomed
 * one nearer its death. */
static void fragile_message(struct fake_dut *d, size_t peer, const uint8_t *m, size_t n)
{
	if (n < 19 || memcmp(m, bgp_marker, 16) != 0)
		return;
	if (d->doomed && d->doomed_messages > 0) {
		d->doomed_messages--;
		d->doomed_ns = monotonic_ns(); /* not quiet yet */
	}
	if (d->doomed || m[18] != 2)
		return;
	if (d->pair && fnv1a(m, n) % d->modulus == d->primer_residue)
		d->primed[peer] = true;
	if (fnv1a(m, n) % d->modulus != d->residue || (d->pair && !d->primed[peer]))
		return;
	d->doomed = true;
	d->doomed_messages = d->die_after;
	d->doomed_ns = monotonic_ns();
	if (atomic_load(&d->deaths) == 0) {
		memcpy(d->killer, m, n);
		d->killer_length = n;
	}
}

/*
 * The messages of one read from a peer, to fragile_message one by one. The engine writes a case
 * with one send, but the first case of a fresh session right behind its KEEPALIVE (our OPEN and
 * KEEPALIVE were there first): whether a read holds the case alone or glued to the KEEPALIVE
 * (and the OPEN) is up to the scheduler, microseconds apart, and a glued primer or culprit went
 * unseen. A message ends where its length field says when the marker of another one begins
 * there; else the rest of the read is one message (a case whose length field is mutated too).
 */
static void fragile_read(struct fake_dut *d, size_t peer, const uint8_t *m, size_t n)
{
	while (n > 0) {
		size_t said =
			n >= 19 && memcmp(m, bgp_marker, 16) == 0 ? (size_t)m[16] << 8 | m[17] : 0;
		size_t k = said >= 19 && said + 16 <= n && memcmp(m + said, bgp_marker, 16) == 0
				   ? said
				   : n;
		fragile_message(d, peer, m, k);
		m += k;
		n -= k;
	}
}

static void *fake_dut_run(void *arg)
{
	struct fake_dut *d = arg;
	int peers[PEERS_MAX];
	size_t count = 0;
	while (!atomic_load(&d->stop)) {
		if (d->fragile && d->doomed &&
		    (d->doomed_messages == 0 ||
		     monotonic_ns() - d->doomed_ns >= (int64_t)d->die_after_ms * 1000000)) {
			d->doomed = false;
			d->died_ns = monotonic_ns();
			atomic_fetch_add(&d->deaths, 1);
			atomic_store(&d->dead, true);
		}
		if (atomic_load(&d->dead)) {
			for (size_t i = 0; i < count; i++)
				close(peers[i]);
			count = 0;
			if (d->listener >= 0)
				close(d->listener);
			d->listener = -1;
			if (d->fragile &&
			    monotonic_ns() - d->died_ns >= (int64_t)d->revive_ms * 1000000 &&
			    fake_dut_listen(d))
				atomic_store(&d->dead, false);
			usleep(10000);
			continue;
		}
		struct pollfd pfd[PEERS_MAX + 1];
		pfd[0] = (struct pollfd){.fd = d->listener, .events = POLLIN};
		for (size_t i = 0; i < count; i++)
			pfd[i + 1] = (struct pollfd){.fd = peers[i], .events = POLLIN};
		if (poll(pfd, count + 1, 20) <= 0)
			continue;
		for (size_t i = count; i-- > 0;) {
			if (!(pfd[i + 1].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			/* whole sends: a case is one, and they are far below PEER_BYTES */
			static uint8_t chunk[PEER_BYTES];
			ssize_t got = recv(peers[i], chunk, sizeof(chunk), MSG_DONTWAIT);
			if (got > 0 && d->fragile)
				fragile_read(d, i, chunk, (size_t)got);
			if (got > 0 || (got < 0 && errno == EAGAIN))
				continue;
			close(peers[i]);
			peers[i] = peers[--count];
			d->primed[i] = d->primed[count];
		}
		if (pfd[0].revents & POLLIN) {
			int fd = accept(d->listener, NULL, NULL);
			if (fd < 0)
				continue;
			if (count == PEERS_MAX) {
				close(fd);
				continue;
			}
			(void)send(fd, d->greeting, d->greeting_length, MSG_NOSIGNAL);
			d->primed[count] = false;
			peers[count++] = fd;
		}
	}
	for (size_t i = 0; i < count; i++)
		close(peers[i]);
	return NULL;
}

/* Listen on d->port (0: a free one, noted). false when the port cannot be had (yet). */
static bool fake_dut_listen(struct fake_dut *d)
{
	d->listener = session_test_listen(&d->port);
	return d->listener >= 0;
}

static void fake_dut_start(struct fake_dut *d)
{
	greeting_build(d);
	assert_true(fake_dut_listen(d));
	assert_int_equal(pthread_create(&d->thread, NULL, fake_dut_run, d), 0);
}

/* A fragile speaker (d zeroed first): it dies 24 messages (cases and keepalives) or 0.4 s
 * quiet after its culprit, an UPDATE hashing to residue modulo modulus, and listens again 2 s
 * later (dead long enough for its monitor: 3 probes 0.2 s apart). */
static void fragile_init(struct fake_dut *d, unsigned modulus, unsigned residue)
{
	memset(d, 0, sizeof(*d));
	d->fragile = true;
	d->modulus = modulus;
	d->residue = residue;
	d->die_after = 24;
	d->die_after_ms = 400;
	d->revive_ms = 2000;
}

static void fake_dut_stop(struct fake_dut *d)
{
	atomic_store(&d->stop, true);
	assert_int_equal(pthread_join(d->thread, NULL), 0);
	if (d->listener >= 0)
		close(d->listener);
}

static char dir[64];

/* A campaign's robustness settings; max_failures and links 0: not written (the defaults). */
struct run_settings {
	unsigned duration, rate, seed, recovery, max_failures, establish, check, links;
};

/* A profile for the fake DUT on port, written to dir/name.yaml and loaded into p: bgp on its
 * port, the tcp monitor on the same port. */
static void profile_make(struct profile *p, const char *name, uint16_t port,
			 const struct run_settings *rs)
{
	char path[128];
	snprintf(path, sizeof(path), "%s/%s.yaml", dir, name);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f,
		"dutlab_profile: 1\n"
		"identity: {vendor: Acme, model: BR-700, firmware: '1.0', serial: T1, "
		"product_type: router}\n"
		"targets:\n  - {standard: ncc-ci-ict}\n"
		"scope:\n  networks: [127.0.0.0/8]\n  interfaces: [lo]\n"
		"dut:\n  addresses: [127.0.0.1]\n"
		"services:\n  - {proto: tcp, port: %u, name: bgp}\n"
		"robustness:\n  interface: lo\n  duration: %u\n  rate: %u\n  seed: %u\n"
		"  mix: {bgp: 1}\n  monitors: [tcp]\n  monitor_interval: 200\n"
		"  monitor_timeout: 400\n  tcp_port: %u\n  recovery: %u\n",
		port, rs->duration, rs->rate, rs->seed, port, rs->recovery);
	if (rs->max_failures)
		fprintf(f, "  max_failures: %u\n", rs->max_failures);
	fprintf(f, "  session_establish: %u\n  session_check: %u\n", rs->establish, rs->check);
	if (rs->links)
		fprintf(f, "  session_links: %u\n", rs->links);
	fprintf(f,
		"  bgp: {local_as: 65001, peer_as: 65000, port: %u, "
		"expect_routes: [198.18.24.128/25]}\n",
		port);
	assert_int_equal(fclose(f), 0);
	struct dl_error err = {0};
	if (profile_load(p, path, &err) != 0)
		fail_msg("%s", err.message);
}

/* The healthy speaker's campaigns': four session links asked, which BGP (one session per peer
 * address) does not take. */
static struct run_settings healthy_settings(unsigned duration, unsigned establish)
{
	return (struct run_settings){.duration = duration,
				     .rate = 100,
				     .seed = 3,
				     .recovery = 1,
				     .establish = establish,
				     .check = 1,
				     .links = 4};
}

/* The fragile speaker's campaigns': the first failure stops them, the check left to the
 * monitor. */
static struct run_settings fragile_settings(unsigned seed)
{
	return (struct run_settings){.duration = 60,
				     .rate = 20,
				     .seed = seed,
				     .recovery = 10,
				     .max_failures = 1,
				     .establish = 3,
				     .check = 60};
}

static struct json_object *campaign(struct profile *p, const char *name)
{
	char output[128];
	snprintf(output, sizeof(output), "%s/%s", dir, name);
	struct json_object *o;
	struct dl_error err = {0};
	if (session_test_campaign(p, output, 120, &o, &err) != 0)
		fail_msg("%s", err.message);
	return o;
}

static struct json_object *bgp_of(struct json_object *o)
{
	return json_read_object(json_read_object(o, "protocols"), "bgp");
}

/* The campaign's one failure (the test fails on none or several, or if its replay did not
 * reproduce it), printed, its JSON text in *text. */
static struct json_object *the_failure(struct json_object *o, const char **text)
{
	struct json_object *failures = json_read_array(o, "failures");
	if (json_object_array_length(failures) != 1)
		fail_msg("failures: %s", json_object_to_json_string(failures));
	struct json_object *fo = json_object_array_get_idx(failures, 0);
	*text = json_object_to_json_string(fo);
	print_message("the failure: %s\n", *text);
	if (!json_object_get_boolean(json_read_member(fo, "reproduced")))
		fail_msg("not reproduced: %s", *text);
	return fo;
}

/* Healthy: no failure, the check passing every second, every case in the sent log; the same
 * campaign run again for longer resumes where the first ended, its counts carried over. */
static void healthy_then_resumed(void **state)
{
	(void)state;
	static struct fake_dut d;
	memset(&d, 0, sizeof(d));
	fake_dut_start(&d);
	struct profile p;
	struct run_settings rs = healthy_settings(3, 5);
	profile_make(&p, "healthy", d.port, &rs);
	struct json_object *o = campaign(&p, "healthy");
	struct json_object *bgp = bgp_of(o);
	if (json_object_array_length(json_read_array(o, "failures")) != 0)
		fail_msg("failures: %s",
			 json_object_to_json_string(json_read_array(o, "failures")));
	assert_true(json_object_get_boolean(json_read_member(o, "completed")));
	int64_t cases = json_read_int(o, "cases", 0), sessions = json_read_int(bgp, "sessions", 0);
	assert_true(cases > 50);
	assert_int_equal(json_read_int(bgp, "links", 0), 1);
	assert_true(json_read_int(bgp, "checks", 0) >= 1);
	assert_int_equal(json_read_int(bgp, "checks_failed", 0), 0);
	assert_non_null(
		strstr(json_read_text(bgp, "last_check", ""), "198.18.24.128/25 advertised"));
	assert_string_equal(json_read_text(o, "sent_log", ""),
			    "evidence/robustness/sessions-sent.pcapng");
	char log[160];
	snprintf(log, sizeof(log), "%s/healthy/evidence/robustness/sessions-sent.pcapng", dir);
	struct stat st;
	assert_int_equal(stat(log, &st), 0);
	assert_true(st.st_size > cases * 40);
	json_object_put(o);
	profile_release(&p);

	rs.duration = 5;
	profile_make(&p, "healthy", d.port, &rs);
	o = campaign(&p, "healthy");
	bgp = bgp_of(o);
	assert_int_equal(json_read_int(o, "resumed_at_index", -1), cases);
	assert_true(json_object_get_double(json_read_member(o, "seconds_run")) >= 4.9);
	assert_true(json_read_int(o, "cases", 0) > cases);
	assert_true(json_read_int(bgp, "sessions", 0) > sessions);
	int64_t by_template = 0;
	json_object_object_foreach(json_read_object(bgp, "templates"), name, t)
	{
		(void)name;
		by_template += json_read_int(t, "cases", 0);
	}
	assert_int_equal(by_template, json_read_int(o, "cases", 0));
	json_object_put(o);
	profile_release(&p);
	fake_dut_stop(&d);
}

static void *kill_after_a_second(void *arg)
{
	struct fake_dut *d = arg;
	usleep(1500000);
	atomic_store(&d->dead, true);
	return NULL;
}

/* The DUT dies (its connections and its port closed) with a 60 s establish bound: its tcp
 * monitor fails while the session is re-established, seconds later; it does not recover. */
static void dead_noticed_by_its_monitor(void **state)
{
	(void)state;
	static struct fake_dut d;
	memset(&d, 0, sizeof(d));
	fake_dut_start(&d);
	struct profile p;
	struct run_settings rs = healthy_settings(30, 60);
	profile_make(&p, "dead", d.port, &rs);
	pthread_t killer;
	assert_int_equal(pthread_create(&killer, NULL, kill_after_a_second, &d), 0);
	int64_t started = monotonic_ns();
	struct json_object *o = campaign(&p, "dead");
	double took = (double)(monotonic_ns() - started) / 1e9;
	assert_int_equal(pthread_join(killer, NULL), 0);
	struct json_object *failures = json_read_array(o, "failures");
	assert_int_equal(json_object_array_length(failures), 1);
	struct json_object *f = json_object_array_get_idx(failures, 0);
	assert_string_equal(json_read_text(f, "monitor", ""), "tcp");
	assert_string_equal(json_read_text(f, "during", ""), "re-establishing the session");
	assert_string_equal(json_read_text(f, "recovery", ""), "none");
	double at = json_object_get_double(json_read_member(f, "at_s"));
	if (at > 12 || took > 30)
		fail_msg("noticed after %.1f s, the campaign took %.1f s", at, took);
	assert_non_null(strstr(json_read_text(o, "stopped", ""), "did not recover"));
	json_object_put(o);
	profile_release(&p);
	fake_dut_stop(&d);
}

/* The TCP payloads of the frames of a pcapng file (Ethernet/IPv4/TCP): frame i's at
 * out + starts[i], ends[i] - starts[i] bytes; the count. */
#define FRAMES_MAX 256
static size_t payloads(const char *path, uint8_t *out, size_t size, size_t starts[FRAMES_MAX],
		       size_t ends[FRAMES_MAX])
{
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	static uint8_t file[1 << 20];
	size_t n = fread(file, 1, sizeof(file), f);
	fclose(f);
	size_t at = 0, count = 0, used = 0;
	for (unsigned blocks = 0; at + 12 <= n && blocks < 100000; blocks++) {
		uint32_t type, length;
		memcpy(&type, file + at, 4);
		memcpy(&length, file + at + 4, 4);
		if (length < 12 || at + length > n)
			break;
		if (type == 6 && length >= 28 + 54 && count < FRAMES_MAX) {
			uint32_t captured;
			memcpy(&captured, file + at + 20, 4);
			const uint8_t *frame = file + at + 28;
			size_t ip = 14, tcp = ip + (size_t)(frame[ip] & 0x0f) * 4;
			size_t payload = tcp + (size_t)(frame[tcp + 12] >> 4) * 4;
			size_t k = captured > payload ? captured - payload : 0;
			assert_true(used + k <= size);
			memcpy(out + used, frame + payload, k);
			starts[count] = used;
			ends[count++] = used + k;
			used += k;
		}
		at += length;
	}
	return count;
}

/* The TCP payload of the last frame of a pcapng file (Ethernet/IPv4/TCP): its bytes and, in
 * *length, their count (0: no frame). */
static const uint8_t *last_payload(const char *path, size_t *length)
{
	static uint8_t bytes[1 << 20];
	static size_t starts[FRAMES_MAX], ends[FRAMES_MAX];
	size_t frames = payloads(path, bytes, sizeof(bytes), starts, ends);
	*length = frames ? ends[frames - 1] - starts[frames - 1] : 0;
	return bytes + (frames ? starts[frames - 1] : 0);
}

/* The culprit far from the failure: a fragile BGP speaker dies 24 messages (or 0.4 s quiet) after
 * its culprit UPDATE, its monitor noticing seconds later, so the culprit is not among the 16
 * newest cases; the window (every case since the failure less the
 * monitors' lead) replayed and bisected still names it, and its reproducer ends with the very
 * bytes that killed the speaker. */
static void culprit_found_far_behind(void **state)
{
	(void)state;
	static struct fake_dut d;
	fragile_init(&d, 16, 7);
	fake_dut_start(&d);
	struct profile p;
	struct run_settings rs = fragile_settings(3);
	profile_make(&p, "culprit", d.port, &rs);
	struct json_object *o = campaign(&p, "culprit");
	const char *text;
	struct json_object *fo = the_failure(o, &text);
	struct json_object *window = json_read_object(fo, "window");
	struct json_object *minimal = json_read_object(fo, "minimal");
	assert_non_null(window);
	assert_non_null(minimal);
	int64_t culprit = json_read_int(minimal, "first", -1);
	if (culprit < 0 || json_read_int(minimal, "last", -2) != culprit)
		fail_msg("not one case: %s", text);
	int64_t newest = json_read_int(window, "last", -1);
	if (newest - culprit < 16)
		fail_msg("the culprit %" PRId64 " was among the 16 newest (to %" PRId64 "): %s",
			 culprit, newest, text);
	assert_true(json_read_int(window, "first", -1) <= culprit);
	assert_true(json_read_int(minimal, "bisect_steps", 0) >= 3);
	assert_true(json_read_int(fo, "cases_tried", 0) > newest - culprit);
	assert_true(atomic_load(&d.deaths) >= 2); /* in the campaign, and again in a replay */
	struct json_object *c0 = json_object_array_get_idx(json_read_array(minimal, "cases"), 0);
	assert_int_equal(json_read_int(c0, "index", -1), culprit);
	assert_non_null(strstr(json_read_text(c0, "template", ""), "bgp-update"));
	/* the reproducer: the session's prefix, then the culprit, the killer's very bytes */
	assert_string_equal(json_read_text(fo, "reproducer", ""),
			    "evidence/robustness/session-failure-1.pcapng");
	char file[192];
	snprintf(file, sizeof(file), "%s/culprit/evidence/robustness/session-failure-1.pcapng",
		 dir);
	size_t n;
	const uint8_t *payload = last_payload(file, &n);
	assert_int_equal(n, d.killer_length);
	assert_memory_equal(payload, d.killer, n);
	json_object_put(o);
	profile_release(&p);
	fake_dut_stop(&d);
}

/* Two cases needed together: the fragile speaker dies only when an UPDATE of one kind (the
 * primer) came before one of another on the same session. Neither half of the range that holds
 * both fails alone: the bisection keeps the range, and its reproducer holds every case of it in
 * order after the first one's prefix, the primer before the culprit.
 *
 * The speaker dies on the culprit itself (die_after 0), no clock involved: which replay fails
 * is a matter of the cases it holds (and fragile_read sees a primer that opens a session, as
 * seed 5's does). Dying 0.4 s quiet after a culprit near a replay's end, it died well into the
 * replay's watch, found only if the monitor's three probes came in time. */
static void range_kept_when_two_cases_are_needed(void **state)
{
	(void)state;
	static struct fake_dut d;
	fragile_init(&d, 8, 5);
	d.pair = true;
	d.primer_residue = 2;
	d.die_after = 0; /* dies on the culprit: no clock decides whether a replay fails */
	fake_dut_start(&d);
	struct profile p;
	struct run_settings rs = fragile_settings(5);
	profile_make(&p, "pair", d.port, &rs);
	struct json_object *o = campaign(&p, "pair");
	const char *text;
	struct json_object *fo = the_failure(o, &text);
	struct json_object *minimal = json_read_object(fo, "minimal");
	assert_non_null(minimal);
	int64_t first = json_read_int(minimal, "first", -1),
		last = json_read_int(minimal, "last", -1);
	if (first < 0 || last <= first)
		fail_msg("not a range: %s", text);
	/* the reproducer: OPEN and KEEPALIVE, then every case of the range in order; a primer
	 * before a culprit among them */
	char file[192];
	snprintf(file, sizeof(file), "%s/pair/evidence/robustness/session-failure-1.pcapng", dir);
	static uint8_t bytes[1 << 20];
	static size_t starts[FRAMES_MAX], ends[FRAMES_MAX];
	size_t frames = payloads(file, bytes, sizeof(bytes), starts, ends);
	assert_int_equal(frames, 2 + (size_t)(last - first + 1));
	assert_int_equal(bytes[starts[0] + 18], 1); /* OPEN */
	assert_int_equal(bytes[starts[1] + 18], 4); /* KEEPALIVE */
	bool primer = false, killed = false;
	for (size_t i = 2; i < frames && !killed; i++) {
		const uint8_t *m = bytes + starts[i];
		size_t n = ends[i] - starts[i];
		if (n < 19 || m[18] != 2)
			continue;
		uint32_t h = fnv1a(m, n) % d.modulus;
		primer = primer || h == d.primer_residue;
		killed = primer && h == d.residue;
	}
	if (!killed)
		fail_msg("no primer before a culprit in the reproducer's %zu frames: %s", frames,
			 text);
	json_object_put(o);
	profile_release(&p);
	fake_dut_stop(&d);
}

/* rm -r of the test's folder (two levels of campaign folders at most). */
static int remove_tree(const char *path)
{
	struct stat st;
	if (lstat(path, &st) != 0)
		return 0;
	if (!S_ISDIR(st.st_mode))
		return unlink(path);
	DIR *d = opendir(path);
	if (!d)
		return -1;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		char child[512];
		snprintf(child, sizeof(child), "%s/%s", path, e->d_name);
		remove_tree(child);
	}
	closedir(d);
	return rmdir(path);
}

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/dutlab-test-session-run-XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	return remove_tree(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(healthy_then_resumed),
		cmocka_unit_test(dead_noticed_by_its_monitor),
		cmocka_unit_test(culprit_found_far_behind),
		cmocka_unit_test(range_kept_when_two_cases_are_needed),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
