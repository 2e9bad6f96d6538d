/* test-session-frames: the ipv4 and ipv6 session plug-ins: the packet templates as they are,
 * grown no longer than a port takes, written to the reproducer as sent, counted when refused */
#include "core/compat.h"

#include <arpa/inet.h>
#include <json-c/json.h>
#include <setjmp.h>
#include <cmocka.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/error.h"
#include "core/json-read.h"
#include "core/monotonic.h"
#include "core/profile.h"
#include "core/store.h"
#include "fuzz/campaign.h"
#include "fuzz/mutate.h"
#include "fuzz/session.h"
#include "fuzz/template.h"
#include "net/scope.h"
#include "proto/packet.h"
#include "session-test-support.h"

static struct profile_robustness robustness;

static const uint8_t dut_mac[6] = {0x02, 0xd0, 0, 0, 0, 0x02};
static const uint8_t tester_mac[6] = {0x02, 0x7e, 0, 0, 0, 0x01};

/* A peer whose frame addresses the prepare hook would have learnt. */
static void peer_init(struct session_peer *peer)
{
	session_test_peer(peer, "198.18.24.1", "198.18.24.2", &robustness);
	memcpy(peer->frame.dut_mac, dut_mac, 6);
	memcpy(peer->frame.tester_mac, tester_mac, 6);
	peer->frame.tester4 = peer->tester4;
	peer->frame.dut4 = peer->dut4;
	assert_int_equal(inet_pton(AF_INET6, "fd00:198:0:24::1", &peer->frame.tester6), 1);
	assert_int_equal(inet_pton(AF_INET6, "fd00:198:0:24::2", &peer->frame.dut6), 1);
}

static const struct session_template *find_in(const struct session_protocol *sp, const char *name)
{
	for (size_t i = 0; i < sp->template_count; i++)
		if (strcmp(sp->templates[i]->base.name, name) == 0)
			return sp->templates[i];
	return NULL;
}

static void plug_ins_are_listed(void **state)
{
	(void)state;
	assert_ptr_equal(session_protocol_find("ipv4"), &session_ipv4);
	assert_ptr_equal(session_protocol_find("ipv6"), &session_ipv6);
	assert_non_null(session_ipv4.prepare);
	assert_non_null(session_ipv6.prepare);
	assert_non_null(session_ipv4.send);
	assert_non_null(session_ipv4.observe);
	assert_null(session_ipv4.check); /* the monitors judge a frame's effect */
}

/* Each plug-in carries every packet template of its protocol, under the same name and title (a
 * template added to template-ipv4.c or -ipv6.c and forgotten here fails), each built into the
 * very frame the packet template builds from the same addresses. */
static void templates_are_the_packet_templates(void **state)
{
	(void)state;
	struct session_peer peer;
	peer_init(&peer);
	struct packet *a = malloc(sizeof(*a)), *b = malloc(sizeof(*b));
	assert_true(a && b);
	const struct session_protocol *plug_ins[] = {&session_ipv4, &session_ipv6};
	for (size_t k = 0; k < DL_ARRAY_SIZE(plug_ins); k++) {
		const struct session_protocol *sp = plug_ins[k];
		size_t listed = 0;
		for (size_t i = 0; i < fuzz_template_count; i++) {
			const struct fuzz_template *ft = fuzz_templates[i];
			if (strcmp(ft->protocol, sp->name) != 0)
				continue;
			listed++;
			const struct session_template *t = find_in(sp, ft->name);
			if (!t)
				fail_msg("%s: packet template %s has no session template", sp->name,
					 ft->name);
			assert_string_equal(t->base.protocol, sp->name);
			assert_string_equal(t->base.title, ft->title);
			assert_null(t->base.build);
			assert_int_equal(t->state, 0);
			assert_false(t->spends_session);
			assert_int_equal(t->frame_max, MUTATION_FRAME_DEFAULT);
			struct dl_error err = {0};
			packet_init(a);
			packet_init(b);
			if (t->build(a, &peer, &err) != 0)
				fail_msg("%s: %s", t->base.name, err.message);
			assert_int_equal(ft->build(b, &peer.frame, &err), 0);
			assert_int_equal(a->length, b->length);
			assert_memory_equal(a->bytes, b->bytes, a->length);
			assert_memory_equal(a->bytes, dut_mac, 6);
			assert_memory_equal(a->bytes + 6, tester_mac, 6);
		}
		assert_int_equal(listed, sp->template_count);
	}
	free(a);
	free(b);
}

/* Before the prepare hook learnt the DUT's MAC, a template says so rather than build a frame
 * to 00:00:00:00:00:00. */
static void no_frame_without_the_mac(void **state)
{
	(void)state;
	struct session_peer peer;
	peer_init(&peer);
	memset(peer.frame.dut_mac, 0, 6);
	struct packet *p = malloc(sizeof(*p));
	assert_non_null(p);
	packet_init(p);
	struct dl_error err = {0};
	assert_int_equal(session_ipv4.templates[0]->build(p, &peer, &err), DL_EINVAL);
	assert_non_null(strstr(err.message, "MAC"));
	free(p);
}

/* ipv6 with no IPv6 address for the DUT (dut.addresses) stops the campaign before it starts,
 * naming what to add; the MAC already learnt, nothing is sent to find it. */
static void ipv6_needs_the_duts_address(void **state)
{
	(void)state;
	struct session_peer peer;
	peer_init(&peer);
	peer.interface = "trt-frr";
	memset(&peer.frame.dut6, 0, sizeof(peer.frame.dut6));
	struct dl_error err = {0};
	assert_int_equal(session_ipv6.prepare(&peer, NULL, &err), DL_EINVAL);
	assert_non_null(strstr(err.message, "dut.addresses"));
	assert_int_equal(session_ipv4.prepare(&peer, NULL, &err), 0);
	peer_init(&peer);
	assert_int_equal(session_ipv6.prepare(&peer, NULL, &err), 0);
}

/* Under the engine's plan (level 1, the template's frame_max) no case grows past what an
 * Ethernet port with a 1500-byte MTU takes: the cases reach the DUT instead of the refused
 * count. */
static void cases_fit_the_port(void **state)
{
	(void)state;
	struct session_peer peer;
	peer_init(&peer);
	struct session_test_cases cases;
	session_test_cases_open(&cases);
	const struct session_protocol *plug_ins[] = {&session_ipv4, &session_ipv6};
	size_t grown = 0;
	for (size_t k = 0; k < DL_ARRAY_SIZE(plug_ins); k++)
		for (size_t i = 0; i < plug_ins[k]->template_count; i++) {
			const struct session_template *t = plug_ins[k]->templates[i];
			session_test_plan_max(&cases, t, &peer, t->frame_max);
			for (uint64_t index = 0; index < 400; index++) {
				struct fuzz_case record;
				session_test_case(&cases, t->base.name, 7, index, &record);
				if (cases.a[0].length > MUTATION_FRAME_DEFAULT)
					fail_msg("%s #%" PRIu64 ": %u bytes", t->base.name, index,
						 cases.a[0].length);
				grown += cases.a[0].length > cases.valid->length;
			}
		}
	assert_true(grown > 0); /* growing anomalies are still drawn, within the bound */
	session_test_cases_close(&cases);
}

/* No session state to read: the reaction is complete at once, alive while the ring is open. */
static void tend_waits_for_nothing(void **state)
{
	(void)state;
	struct session_peer peer;
	peer_init(&peer);
	struct session_link *l = session_test_link(&peer);
	struct session_reaction re;
	struct dl_error err = {0};
	assert_int_equal(session_ipv4.tend(l, 1000, &re, &err), 0);
	assert_int_equal(re.kind, SESSION_CLOSED);
	assert_true(re.complete);
	l->fd = 0; /* as if open: tend reads nothing from it */
	assert_int_equal(session_ipv4.tend(l, 1000, &re, &err), 0);
	assert_int_equal(re.kind, SESSION_ALIVE);
	assert_true(re.complete);
	l->fd = -1;
	session_ipv4.close(l);
	free(l);
}

/* The reproducer of a frames link holds the case's frame itself (no Ethernet/IPv4/TCP around
 * it) and no prefix. */
static void reproducer_holds_the_frame_as_sent(void **state)
{
	(void)state;
	struct session_peer peer;
	peer_init(&peer);
	struct session_link *l = session_test_link(&peer);
	struct packet *p = malloc(sizeof(*p));
	assert_non_null(p);
	l->frames = true;
	packet_init(p);
	struct dl_error err = {0};
	assert_int_equal(session_ipv6.templates[0]->build(p, &peer, &err), 0);
	static uint8_t frames[4][SESSION_TEST_FRAME_MAX];
	size_t lengths[4];
	size_t n = session_test_reproducer(l, p->bytes, p->length, "trt-frr", frames, lengths, 4);
	assert_int_equal(n, 1);
	assert_int_equal(lengths[0], p->length);
	assert_memory_equal(frames[0], p->bytes, p->length);
	free(p);
	free(l);
}

/* A link refused by the scope (its interface not declared) is not established; frames the
 * guard refuses (a destination outside the scope) or the port cannot carry are counted, not
 * sent; the counts add up in the observation, link by link. On the loopback port, as root. */
static void refused_frames_are_counted(void **state)
{
	(void)state;
	struct scope scope;
	session_test_loopback_scope(&scope);
	struct session_peer peer;
	peer_init(&peer);
	peer.scope = &scope;
	peer.interface = "lo";
	struct session_link *l = session_test_link(&peer);
	struct packet *p = malloc(sizeof(*p));
	assert_non_null(p);
	struct dl_error err = {0};
	assert_int_equal(session_ipv4.establish(l, 0, 0, &err), DL_ESCOPE);
	assert_int_equal(l->fd, -1);
	assert_int_equal(scope_add_interface(&scope, "lo", &err), 0);
	int rc = session_ipv4.establish(l, 0, 0, &err);
	if (rc == DL_EIO) { /* no CAP_NET_RAW here */
		free(p);
		free(l);
		scope_release(&scope);
		skip();
	}
	assert_int_equal(rc, 0);
	assert_true(l->fd >= 0);
	assert_true(l->frames);
	assert_int_equal(l->prefix_count, 0);
	inet_pton(AF_INET, "127.0.0.2", &peer.frame.dut4);
	inet_pton(AF_INET, "127.0.0.1", &peer.frame.tester4);
	packet_init(p);
	assert_int_equal(session_ipv4.templates[0]->build(p, &peer, &err), 0);
	assert_int_equal(session_ipv4.send(l, session_ipv4.templates[0], p->bytes, p->length, &err),
			 0);
	inet_pton(AF_INET, "198.51.100.7", &peer.frame.dut4); /* outside the scope */
	packet_init(p);
	assert_int_equal(session_ipv4.templates[0]->build(p, &peer, &err), 0);
	assert_int_equal(session_ipv4.send(l, session_ipv4.templates[0], p->bytes, p->length, &err),
			 0);
	static const uint8_t runt[10] = {0};
	assert_int_equal(session_ipv4.send(l, session_ipv4.templates[0], runt, sizeof(runt), &err),
			 0);
	struct json_object *po = json_object_new_object();
	session_ipv4.observe(l, po);
	session_ipv4.observe(l, po); /* a second link of the protocol adds its own */
	assert_int_equal(json_read_int(po, "frames_sent", -1), 2);
	assert_int_equal(json_read_int(po, "frames_refused", -1), 4);
	json_object_put(po);
	session_ipv4.close(l);
	assert_int_equal(l->fd, -1);
	session_ipv4.close(l); /* closing a closed link is fine */
	free(p);
	free(l);
	scope_release(&scope);
}

/* The campaign end to end on the loopback port, as root: a mix of ipv4 and ipv6 alone (the
 * MAC given, no ARP), a listening port as the tcp monitor's DUT: no failure, both protocols
 * drawn, each case's frames (one, or a fragment case's several) sent or refused, one "session"
 * each, the sent log written. */
static void campaign_mixes_frames(void **state)
{
	(void)state;
	char dir[] = "/tmp/dutlab-test-session-frames-XXXXXX";
	assert_non_null(mkdtemp(dir));
	uint16_t port = 0;
	int listener = session_test_loopback_socket(&port);
	assert_int_equal(listen(listener, 16), 0);
	char path[128], evidence[128], robustness_dir[160], log[200];
	snprintf(path, sizeof(path), "%s/frames.yaml", dir);
	struct profile p;
	session_test_loopback_profile(
		&p, path, port,
		"  interface: lo\n  duration: 2\n  rate: 200\n  seed: 5\n"
		"  dut_mac: '02:00:00:00:00:02'\n"
		"  mix: {ipv4: 1, ipv6: 1}\n  monitors: [tcp]\n  tcp_port: %u\n  recovery: 1\n",
		port);
	struct dl_error err = {0};
	snprintf(evidence, sizeof(evidence), "%s/evidence", dir);
	assert_int_equal(mkdir(evidence, 0755), 0);
	struct json_object *o = NULL;
	int rc = session_test_campaign(&p, dir, 60, &o, &err);
	if (rc == DL_EIO && strstr(err.message, "CAP_NET_RAW")) {
		profile_release(&p);
		close(listener);
		skip();
	}
	if (rc)
		fail_msg("%s", err.message);
	if (json_object_array_length(json_read_array(o, "failures")) != 0)
		fail_msg("failures: %s",
			 json_object_to_json_string(json_read_array(o, "failures")));
	assert_true(json_object_get_boolean(json_read_member(o, "completed")));
	int64_t total = 0;
	static const char *const names[] = {"ipv4", "ipv6"};
	for (size_t i = 0; i < DL_ARRAY_SIZE(names); i++) {
		struct json_object *po =
			json_read_object(json_read_object(o, "protocols"), names[i]);
		assert_non_null(po);
		int64_t cases = json_read_int(po, "cases", 0);
		assert_true(cases > 20);
		/* a fragment case is several frames (test-fragment-cases.c counts them) */
		assert_true(json_read_int(po, "frames_sent", 0) +
				    json_read_int(po, "frames_refused", 0) >=
			    cases);
		assert_true(json_read_int(po, "frames_sent", 0) > 0);
		assert_int_equal(json_read_int(po, "sessions", 0), 1);
		assert_int_equal(json_read_int(po, "resets", 0), 0);
		total += cases;
	}
	assert_int_equal(json_read_int(o, "cases", 0), total);
	snprintf(robustness_dir, sizeof(robustness_dir), "%s/robustness", evidence);
	snprintf(log, sizeof(log), "%s/sessions-sent.pcapng", robustness_dir);
	struct stat sb;
	assert_int_equal(stat(log, &sb), 0);
	assert_true(sb.st_size > total * 60); /* each case a whole frame, 60 bytes or more */
	json_object_put(o);
	profile_release(&p);
	close(listener);
	char command[256];
	snprintf(command, sizeof(command), "rm -rf '%s'", dir);
	assert_int_equal(system(command), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(plug_ins_are_listed),
		cmocka_unit_test(templates_are_the_packet_templates),
		cmocka_unit_test(no_frame_without_the_mac),
		cmocka_unit_test(ipv6_needs_the_duts_address),
		cmocka_unit_test(cases_fit_the_port),
		cmocka_unit_test(tend_waits_for_nothing),
		cmocka_unit_test(reproducer_holds_the_frame_as_sent),
		cmocka_unit_test(refused_frames_are_counted),
		cmocka_unit_test(campaign_mixes_frames),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
