/* test-session-run: the session campaign end to end against a fake BGP speaker on 127.0.0.1: its
 * check, its sent log, its checkpoint and resumption, and a dead DUT noticed by its monitor while
 * the session is re-established */
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

#define PEERS_MAX 16

/* A BGP speaker: OPEN, KEEPALIVE and an UPDATE announcing 198.18.24.128/25 to every peer,
 * whatever they send; with dead set, it closes every connection and its listener. */
struct fake_dut {
	int listener;
	uint16_t port;
	atomic_bool stop, dead;
	pthread_t thread;
	uint8_t greeting[512];
	size_t greeting_length;
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

static void *fake_dut_run(void *arg)
{
	struct fake_dut *d = arg;
	int peers[PEERS_MAX];
	size_t count = 0;
	while (!atomic_load(&d->stop)) {
		if (atomic_load(&d->dead)) {
			for (size_t i = 0; i < count; i++)
				close(peers[i]);
			count = 0;
			if (d->listener >= 0)
				close(d->listener);
			d->listener = -1;
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
			char sink[4096];
			if (recv(peers[i], sink, sizeof(sink), MSG_DONTWAIT) > 0)
				continue;
			close(peers[i]);
			peers[i] = peers[--count];
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
			peers[count++] = fd;
		}
	}
	for (size_t i = 0; i < count; i++)
		close(peers[i]);
	return NULL;
}

static void fake_dut_start(struct fake_dut *d)
{
	memset(d, 0, sizeof(*d));
	greeting_build(d);
	d->listener = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(d->listener >= 0);
	int on = 1;
	setsockopt(d->listener, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	assert_int_equal(bind(d->listener, (struct sockaddr *)&a, sizeof(a)), 0);
	socklen_t length = sizeof(a);
	assert_int_equal(getsockname(d->listener, (struct sockaddr *)&a, &length), 0);
	assert_int_equal(listen(d->listener, 16), 0);
	d->port = ntohs(a.sin_port);
	assert_int_equal(pthread_create(&d->thread, NULL, fake_dut_run, d), 0);
}

static void fake_dut_stop(struct fake_dut *d)
{
	atomic_store(&d->stop, true);
	assert_int_equal(pthread_join(d->thread, NULL), 0);
	if (d->listener >= 0)
		close(d->listener);
}

static char dir[64];

/* A profile for the fake DUT: bgp on its port, the tcp monitor on the same port. */
static void profile_write(const char *path, uint16_t port, unsigned duration, unsigned establish)
{
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
		"robustness:\n  interface: lo\n  duration: %u\n  rate: 100\n  seed: 3\n"
		"  mix: {bgp: 1}\n  monitors: [tcp]\n  tcp_port: %u\n  recovery: 1\n"
		"  session_establish: %u\n  session_check: 1\n"
		"  bgp: {local_as: 65001, peer_as: 65000, port: %u, "
		"expect_routes: [198.18.24.128/25]}\n",
		port, duration, port, establish, port);
	assert_int_equal(fclose(f), 0);
}

static struct json_object *campaign(struct profile *p, const char *name)
{
	char evidence[256], output[128];
	snprintf(output, sizeof(output), "%s/%s", dir, name);
	snprintf(evidence, sizeof(evidence), "%s/evidence", output);
	mkdir(output, 0755);
	mkdir(evidence, 0755);
	struct store s;
	struct dl_error err = {0};
	assert_int_equal(store_open(&s, output, true, &err), 0);
	store_close(&s);
	struct campaign_config c = {.profile = p,
				    .evidence_dir = evidence,
				    .campaign_dir = output,
				    .deadline_ns = monotonic_ns() + 120 * 1000000000ll};
	struct json_object *o = NULL;
	if (session_run(&c, &o, &err) != 0)
		fail_msg("%s", err.message);
	return o;
}

static struct json_object *bgp_of(struct json_object *o)
{
	return json_read_object(json_read_object(o, "protocols"), "bgp");
}

/* Healthy: no failure, the check passing every second, every case in the sent log; the same
 * campaign run again for longer resumes where the first ended, its counts carried over. */
static void healthy_then_resumed(void **state)
{
	(void)state;
	struct fake_dut d;
	fake_dut_start(&d);
	char path[128];
	snprintf(path, sizeof(path), "%s/healthy.yaml", dir);
	profile_write(path, d.port, 3, 5);
	struct profile p;
	struct dl_error err = {0};
	if (profile_load(&p, path, &err) != 0)
		fail_msg("%s", err.message);
	struct json_object *o = campaign(&p, "healthy");
	struct json_object *bgp = bgp_of(o);
	if (json_object_array_length(json_read_array(o, "failures")) != 0)
		fail_msg("failures: %s",
			 json_object_to_json_string(json_read_array(o, "failures")));
	assert_true(json_object_get_boolean(json_read_member(o, "completed")));
	int64_t cases = json_read_int(o, "cases", 0), sessions = json_read_int(bgp, "sessions", 0);
	assert_true(cases > 50);
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

	profile_write(path, d.port, 5, 5);
	if (profile_load(&p, path, &err) != 0)
		fail_msg("%s", err.message);
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
	struct fake_dut d;
	fake_dut_start(&d);
	char path[128];
	snprintf(path, sizeof(path), "%s/dead.yaml", dir);
	profile_write(path, d.port, 30, 60);
	struct profile p;
	struct dl_error err = {0};
	if (profile_load(&p, path, &err) != 0)
		fail_msg("%s", err.message);
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
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
