/* test-health: the syslog parser, the flow accounting, the failure thresholds and the monitors on
 * loopback */
#include "core/compat.h"

#include <setjmp.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/error.h"
#include "fuzz/health.h"
#include "net/scope.h"

#define MS 1000000LL

/* ---- the syslog parser ---- */

static void parse_ok(const char *line, struct health_syslog_message *m)
{
	struct dl_error err = {0};
	int rc = health_syslog_parse((const uint8_t *)line, strlen(line), m, &err);
	if (rc)
		fail_msg("'%s': %s", line, err.message);
}

static void parse_refused(const char *line, size_t length, const char *reason)
{
	struct health_syslog_message m;
	struct dl_error err = {0};
	assert_int_equal(health_syslog_parse((const uint8_t *)line, length, &m, &err), DL_EPROTO);
	if (!strstr(err.message, reason))
		fail_msg("'%s': '%s' does not say '%s'", line, err.message, reason);
}

/* RFC 5424 6.5, example 3 (with structured data and a BOM) */
static void test_syslog_5424(void **state)
{
	(void)state;
	struct health_syslog_message m;
	parse_ok("<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 "
		 "[exampleSDID@32473 iut=\"3\" eventSource=\"Application\" eventID=\"1011\"] "
		 "\xEF\xBB\xBF"
		 "An application event log entry...",
		 &m);
	assert_int_equal(m.format, HEALTH_SYSLOG_RFC5424);
	assert_int_equal(m.facility, 20);
	assert_int_equal(m.severity, 5);
	assert_string_equal(m.timestamp, "2003-10-11T22:14:15.003Z");
	assert_string_equal(m.hostname, "mymachine.example.com");
	assert_string_equal(m.app_name, "evntslog");
	assert_string_equal(m.procid, "");
	assert_string_equal(m.msgid, "ID47");
	assert_true(m.has_structured_data);
	assert_string_equal(m.msg, "An application event log entry...");

	/* example 1: NILVALUE structured data; escaped ']' and '"' inside values */
	parse_ok("<34>1 2003-10-11T22:14:15.003Z mymachine.example.com su - ID47 - 'su root' "
		 "failed for lonvick on /dev/pts/8\n",
		 &m);
	assert_int_equal(m.facility, 4);
	assert_int_equal(m.severity, 2);
	assert_false(m.has_structured_data);
	assert_string_equal(m.msg, "'su root' failed for lonvick on /dev/pts/8");
	parse_ok("<13>1 - - - - - [a@1 k=\"x\\]y\\\"z\"][b@2]", &m);
	assert_true(m.has_structured_data);
	assert_string_equal(m.hostname, "");
	assert_string_equal(m.msg, "");
	/* control characters are not passed on */
	parse_ok("<0>1 - dut kernel 0 - - panic\x1b[2J\tnow", &m);
	assert_string_equal(m.msg, "panic?[2J?now");
}

static void test_syslog_3164(void **state)
{
	(void)state;
	struct health_syslog_message m;
	/* RFC 3164 5.4 example 1 */
	parse_ok("<34>Oct 11 22:14:15 mymachine su: 'su root' failed for lonvick on /dev/pts/8",
		 &m);
	assert_int_equal(m.format, HEALTH_SYSLOG_RFC3164);
	assert_int_equal(m.facility, 4);
	assert_int_equal(m.severity, 2);
	assert_string_equal(m.timestamp, "Oct 11 22:14:15");
	assert_string_equal(m.hostname, "mymachine");
	assert_string_equal(m.app_name, "su");
	assert_string_equal(m.msg, "'su root' failed for lonvick on /dev/pts/8");
	parse_ok("<0>Nov  6 01:02:03 dut kernel[0]: Kernel panic - not syncing\r\n", &m);
	assert_string_equal(m.timestamp, "Nov  6 01:02:03");
	assert_string_equal(m.app_name, "kernel");
	assert_string_equal(m.procid, "0");
	assert_string_equal(m.msg, "Kernel panic - not syncing");
	/* no header at all (RFC 3164 4.3.3): everything is the message */
	parse_ok("<13>hello world: again", &m);
	assert_string_equal(m.timestamp, "");
	assert_string_equal(m.app_name, "");
	assert_string_equal(m.msg, "hello world: again");
	/* a TAG[pid without its ']' is no tag */
	parse_ok("<13>Oct 11 22:14:15 host app[12 oops", &m);
	assert_string_equal(m.app_name, "");
	assert_string_equal(m.msg, "app[12 oops");
	parse_ok("<191>", &m);
	assert_int_equal(m.facility, 23);
	assert_int_equal(m.severity, 7);
}

static void test_syslog_malformed(void **state)
{
	(void)state;
	parse_refused("", 0, "no '<'");
	parse_refused("hello", 5, "no '<'");
	parse_refused("<>x", 3, "1 to 3 digits");
	parse_refused("<1234>x", 7, "1 to 3 digits");
	parse_refused("<192>x", 6, "above 191");
	parse_refused("<01>x", 5, "leading zero");
	parse_refused("<13", 3, "no '>'");
	parse_refused("<13>2 - - - - - -", 17, "VERSION");
	parse_refused("<13>10 - - - - - -", 18, "VERSION");
	parse_refused("<13>1 - - - - - ", 16, "STRUCTURED-DATA");
	parse_refused("<13>1 - - - - -", 15, "MSGID not followed");
	parse_refused("<13>1 - - - - - [a b=\"c]", 24, "PARAM-VALUE");
	parse_refused("<13>1 - - - - - [a b=\"c\"", 24, "SD-ELEMENT");
	parse_refused("<13>1 - - - - - [a b]", 21, "=\"");
	parse_refused("<13>1 - - - - - []", 18, "SD-ID");
	parse_refused("<13>1 - - - - - -x", 18, "followed by a space");
	parse_refused("<13>1 - - aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa - - -", 63,
		      "APP-NAME longer than 48");
	parse_refused("<13>1 -  - - - -", 16, "empty header field");
	/* a NUL inside is not the end */
	parse_refused("<1\0>x", 5, "no '>'");
}

/* ---- the flow accounting ---- */

static void test_flow_accounting(void **state)
{
	(void)state;
	static struct health_flow_account a;
	struct health_flow_window w;
	health_flow_account_init(&a, 1000 * MS, 100 * MS);
	int64_t sent_at[12];
	for (int i = 0; i < 10; i++) {
		sent_at[i] = i * 100 * MS;
		assert_int_equal(health_flow_account_send(&a, sent_at[i]), (uint64_t)i);
	}
	/* 3 lost, 6 before 5 (reordered), 2 twice, 9 slow */
	static const int order[] = {0, 1, 2, 2, 4, 6, 5, 7, 8, 9};
	for (size_t i = 0; i < DL_ARRAY_SIZE(order); i++) {
		int s = order[i];
		int64_t latency = s == 9 ? 5 * MS : 1 * MS;
		health_flow_account_receive(&a, (uint64_t)s, sent_at[s], sent_at[s] + latency);
	}
	/* the window ends at 1000 ms and its late packets count until 1100 ms */
	assert_false(health_flow_account_close(&a, 1050 * MS, &w));
	/* a send in the next window */
	sent_at[10] = 1020 * MS;
	assert_int_equal(health_flow_account_send(&a, sent_at[10]), 10);
	assert_true(health_flow_account_close(&a, 1100 * MS, &w));
	assert_int_equal(w.number, 0);
	assert_int_equal(w.sent, 10);
	assert_int_equal(w.received, 9);
	assert_int_equal(w.reordered, 1);
	assert_int_equal(w.duplicates, 1);
	assert_int_equal(w.latency_min_ns, 1 * MS);
	assert_int_equal(w.latency_max_ns, 5 * MS);
	assert_int_equal(w.latency_sum_ns, 13 * MS);
	/* 3 comes after its window closed: late, not received twice */
	health_flow_account_receive(&a, 3, sent_at[3], 1150 * MS);
	assert_int_equal(a.late, 1);
	/* a sequence number never sent */
	health_flow_account_receive(&a, 1000, 0, 1150 * MS);
	assert_int_equal(a.unknown, 1);
	/* window 1 only when its grace has passed */
	assert_false(health_flow_account_close(&a, 1500 * MS, &w));
	health_flow_account_receive(&a, 10, sent_at[10], 1030 * MS);
	assert_true(health_flow_account_close(&a, 2100 * MS, &w));
	assert_int_equal(w.number, 1);
	assert_int_equal(w.sent, 1);
	assert_int_equal(w.received, 1);
	assert_int_equal(w.reordered, 0);
	assert_false(health_flow_account_close(&a, 9000 * MS, &w));
	/* a gap of many windows: the next send opens a new one; nothing is lost twice */
	assert_int_equal(health_flow_account_send(&a, 20000 * MS), 11);
	assert_true(health_flow_account_close(&a, 21200 * MS, &w));
	assert_int_equal(w.number, 20);
	assert_int_equal(w.sent, 1);
	assert_int_equal(w.received, 0);
}

/* ---- consecutive failures ---- */

static struct health_sample sample_of(enum health_outcome o, bool decisive)
{
	struct health_sample s = {.outcome = o, .decisive = decisive};
	snprintf(s.evidence, sizeof(s.evidence), "probe %d", (int)o);
	return s;
}

static void test_streak(void **state)
{
	(void)state;
	struct health_streak s = {0};
	struct health_sample fail = sample_of(HEALTH_FAIL, false), ok = sample_of(HEALTH_OK, false),
			     none = sample_of(HEALTH_NONE, false),
			     decisive = sample_of(HEALTH_FAIL, true);
	assert_int_equal(health_streak_observe(&s, &fail, 3, 1), HEALTH_STEADY);
	assert_int_equal(health_streak_observe(&s, &none, 3, 2), HEALTH_STEADY);
	assert_int_equal(health_streak_observe(&s, &fail, 3, 3), HEALTH_STEADY);
	assert_int_equal(s.consecutive, 2);
	/* one good probe in between starts over */
	assert_int_equal(health_streak_observe(&s, &ok, 3, 4), HEALTH_STEADY);
	assert_int_equal(s.consecutive, 0);
	assert_int_equal(health_streak_observe(&s, &fail, 3, 5), HEALTH_STEADY);
	assert_int_equal(health_streak_observe(&s, &fail, 3, 6), HEALTH_STEADY);
	assert_int_equal(health_streak_observe(&s, &fail, 3, 7), HEALTH_FAILED);
	assert_int_equal(s.first_failure_ns, 5);
	assert_int_equal(health_streak_observe(&s, &fail, 3, 8), HEALTH_STEADY);
	assert_true(s.failed);
	assert_int_equal(health_streak_observe(&s, &ok, 3, 9), HEALTH_RECOVERED);
	assert_false(s.failed);
	assert_int_equal(health_streak_observe(&s, &decisive, 3, 10), HEALTH_FAILED);
	assert_int_equal(health_streak_observe(&s, &ok, 0, 11), HEALTH_RECOVERED);
	/* threshold 0 counts as 1 */
	assert_int_equal(health_streak_observe(&s, &fail, 0, 12), HEALTH_FAILED);
}

/* ---- the set, with a scripted monitor and an injected clock ---- */

struct script {
	const char *outcomes; /* one letter per poll: o(k) f(ail) d(ecisive) -(none) */
	size_t at;
	bool started, stopped;
};

static struct script script;

static int script_start(struct health_probe *p, int64_t now_ns, struct dl_error *err)
{
	(void)now_ns;
	(void)err;
	p->state = &script;
	script.started = true;
	return 0;
}

static int script_poll(struct health_probe *p, int64_t now_ns, struct health_sample *out,
		       struct dl_error *err)
{
	(void)now_ns;
	struct script *s = p->state;
	char c = s->outcomes[s->at] ? s->outcomes[s->at++] : 'o';
	if (c == 'e')
		return dl_error_set(err, DL_EIO, "socket broke");
	out->outcome = c == 'o' ? HEALTH_OK : c == '-' ? HEALTH_NONE : HEALTH_FAIL;
	out->decisive = c == 'd';
	snprintf(out->evidence, sizeof(out->evidence), "TCP connect to 198.18.19.2:22 %s",
		 c == 'o' ? "accepted" : "refused");
	return 0;
}

static void script_stop(struct health_probe *p)
{
	((struct script *)p->state)->stopped = true;
}

static const struct health_monitor scripted = {
	.name = "scripted",
	.threshold = 3,
	.interval_ms = 1000,
	.timeout_ms = 1000,
	.start = script_start,
	.poll = script_poll,
	.stop = script_stop,
};

struct fake_clock {
	int64_t now;
	unsigned sleeps;
};

static int64_t fake_now(void *ctx)
{
	return ((struct fake_clock *)ctx)->now;
}

static void fake_sleep(void *ctx, int64_t ns)
{
	struct fake_clock *c = ctx;
	c->now += ns;
	c->sleeps++;
}

static void set_up(struct health_config *c, const char *outcomes, unsigned threshold)
{
	memset(c, 0, sizeof(*c));
	memset(&script, 0, sizeof(script));
	script.outcomes = outcomes;
	c->choices[0] = (struct health_choice){
		.name = "scripted", .monitor = &scripted, .threshold = threshold};
	c->choice_count = 1;
}

static bool ends_with(const char *text, const char *tail)
{
	size_t n = strlen(text), k = strlen(tail);
	return n >= k && strcmp(text + n - k, tail) == 0;
}

static void test_set_thresholds(void **state)
{
	(void)state;
	struct health_config c;
	set_up(&c, "offfo", 0);
	struct fake_clock clock = {.now = 5 * 1000 * MS};
	struct health_clock hc = {.now_ns = fake_now, .sleep_ns = fake_sleep, .ctx = &clock};
	struct health_set *s = NULL;
	struct dl_error err = {0};
	assert_int_equal(health_set_start(&s, &c, &hc, &err), 0);
	assert_true(script.started);
	assert_int_equal(health_set_interval_ms(s), 250);
	assert_int_equal(health_set_count(s), 1);
	assert_string_equal(health_set_name(s, 0), "scripted");
	struct health_status st;
	const char *expect_healthy = "yyynyy"; /* the third failure in a row fails it */
	for (size_t i = 0; i < 6; i++) {
		clock.now += 250 * MS;
		assert_int_equal(health_set_poll(s, &st, &err), 0);
		assert_int_equal(st.healthy, expect_healthy[i] == 'y');
		if (i == 3) {
			assert_int_equal(st.event_count, 1);
			assert_int_equal(st.events[0].kind, HEALTH_FAILED);
			assert_int_equal(st.events[0].consecutive, 3);
			assert_string_equal(st.events[0].monitor, "scripted");
			assert_int_equal(st.failed_count, 1);
			assert_string_equal(st.failed[0], "scripted");
			const char *e = st.events[0].evidence;
			assert_true(strncmp(e, "TCP connect to 198.18.19.2:22 refused at ", 41) ==
				    0);
			assert_true(ends_with(e, " (3 consecutive)"));
			/* "at HH:MM:SS.mmm" */
			assert_int_equal(e[43], ':');
			assert_int_equal(e[46], ':');
			assert_int_equal(e[49], '.');
			assert_int_equal(st.events[0].at_ns, clock.now);
		} else if (i == 4) {
			assert_int_equal(st.event_count, 1);
			assert_int_equal(st.events[0].kind, HEALTH_RECOVERED);
			assert_true(ends_with(st.events[0].evidence, "(recovered)"));
		} else {
			assert_int_equal(st.event_count, 0);
		}
	}
	const struct health_event *last = health_set_last_failure(s, 0);
	assert_non_null(last);
	assert_int_equal(last->kind, HEALTH_FAILED);
	/* its wall time moved with the injected clock */
	assert_int_equal(last->at_ns, 5 * 1000 * MS + 4 * 250 * MS);
	health_set_stop(s);
	assert_true(script.stopped);
}

/* A second scripted monitor with its own script: an event source (syslog)
 * beside the port. */
static struct script script_port;

static int port_start(struct health_probe *p, int64_t now_ns, struct dl_error *err)
{
	(void)now_ns;
	(void)err;
	p->state = &script_port;
	return 0;
}

static const struct health_monitor scripted_port = {
	.name = "port",
	.threshold = 3,
	.interval_ms = 1000,
	.timeout_ms = 1000,
	.start = port_start,
	.poll = script_poll,
	.stop = script_stop,
};

/* The failure of firewall-bad's campaign: the DUT's syslog line (decisive)
 * fails at once and is quiet at the next poll, while its management port,
 * dead too, fails its first sample only then. Not back until the port is. */
static void test_wait_recovery_waits_for_every_monitor(void **state)
{
	(void)state;
	struct health_config c;
	set_up(&c, "do", 0);
	memset(&script_port, 0, sizeof(script_port));
	script_port.outcomes = "-fffff-oo";
	c.choices[1] = (struct health_choice){.name = "port", .monitor = &scripted_port};
	c.choice_count = 2;
	struct fake_clock clock = {.now = 0};
	struct health_clock hc = {.now_ns = fake_now, .sleep_ns = fake_sleep, .ctx = &clock};
	struct health_set *s = NULL;
	struct dl_error err = {0};
	assert_int_equal(health_set_start(&s, &c, &hc, &err), 0);
	struct health_status st;
	assert_int_equal(health_set_poll(s, &st, &err), 0);
	assert_false(st.healthy); /* the syslog line */
	assert_int_equal(health_wait_recovery(s, 10000, NULL, NULL, &st, &err), 0);
	/* the port's OK came at the seventh poll of the wait: six sleeps */
	assert_int_equal(clock.sleeps, 6);
	health_set_stop(s);
	/* with the port silent (no sample) the whole time, it is never back */
	set_up(&c, "do", 0);
	memset(&script_port, 0, sizeof(script_port));
	script_port.outcomes = "------------------------------------------";
	c.choices[1] = (struct health_choice){.name = "port", .monitor = &scripted_port};
	c.choice_count = 2;
	clock = (struct fake_clock){0};
	assert_int_equal(health_set_start(&s, &c, &hc, &err), 0);
	assert_int_equal(health_set_poll(s, &st, &err), 0);
	assert_int_equal(health_wait_recovery(s, 2000, NULL, NULL, &st, &err), DL_ETIMEDOUT);
	health_set_stop(s);
}

static void count_event(const struct health_event *e, void *ctx)
{
	(void)e;
	(*(unsigned *)ctx)++;
}

static void test_wait_recovery(void **state)
{
	(void)state;
	struct health_config c;
	/* a decisive failure, then four more failures, then good */
	set_up(&c, "dffff-o", 0);
	struct fake_clock clock = {.now = 0};
	struct health_clock hc = {.now_ns = fake_now, .sleep_ns = fake_sleep, .ctx = &clock};
	struct health_set *s = NULL;
	struct dl_error err = {0};
	assert_int_equal(health_set_start(&s, &c, &hc, &err), 0);
	struct health_status st;
	assert_int_equal(health_set_poll(s, &st, &err), 0);
	assert_false(st.healthy);
	assert_true(ends_with(st.events[0].evidence, "refused at ") == false);
	assert_false(ends_with(st.events[0].evidence, "consecutive)")); /* decisive */
	unsigned events = 0;
	assert_int_equal(health_wait_recovery(s, 10000, count_event, &events, &st, &err), 0);
	assert_true(st.healthy);
	assert_int_equal(events, 1); /* the recovery */
	assert_int_equal(clock.sleeps, 5);
	assert_int_equal(clock.now, 5 * 250 * MS);
	health_set_stop(s);

	/* never recovers: bounded by the timeout, and says why */
	set_up(&c, "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff", 2);
	clock = (struct fake_clock){0};
	assert_int_equal(health_set_start(&s, &c, &hc, &err), 0);
	/* one failure of two is not failed yet, but it is not health either: waited for */
	assert_int_equal(health_set_poll(s, &st, &err), 0);
	assert_true(st.healthy);
	assert_int_equal(health_wait_recovery(s, 1000, NULL, NULL, &st, &err), DL_ETIMEDOUT);
	assert_false(st.healthy);
	assert_non_null(strstr(err.message, "did not recover within 1000 ms"));
	assert_non_null(strstr(err.message, "refused at"));
	assert_true(clock.now <= 1000 * MS);
	health_set_stop(s);

	/* a monitor's own error is the caller's, prefixed with the monitor */
	set_up(&c, "oe", 0);
	assert_int_equal(health_set_start(&s, &c, &hc, &err), 0);
	assert_int_equal(health_set_poll(s, &st, &err), 0);
	assert_int_equal(health_set_poll(s, &st, &err), DL_EIO);
	assert_string_equal(err.message, "health monitor 'scripted': socket broke");
	health_set_stop(s);
}

static void test_config(void **state)
{
	(void)state;
	struct health_config c = {0};
	struct dl_error err = {0};
	assert_int_equal(health_config_choose(&c, "icmp", &err), 0);
	assert_int_equal(health_config_choose(&c, "icmp", &err), 0);
	assert_int_equal(c.choice_count, 1);
	assert_int_equal(health_config_choose(&c, "pingg", &err), DL_ENOTFOUND);
	assert_non_null(strstr(err.message, "exec, flow, icmp, lldp, neighbour, syslog, tcp"));
	for (size_t i = 1; i < health_monitor_count; i++)
		assert_true(strcmp(health_monitors[i - 1]->name, health_monitors[i]->name) < 0);
	struct health_set *s = NULL;
	struct health_config empty = {0};
	assert_int_equal(health_set_start(&s, &empty, NULL, &err), DL_EINVAL);
	assert_null(s);
}

/* ---- LLDP ---- */

static void test_lldp_read(void **state)
{
	(void)state;
	uint8_t frame[] = {
		0x01, 0x80, 0xc2, 0x00, 0x00, 0x0e, 0x02, 0,    0,    0,    0,    1,
		0x88, 0xcc, 0x02, 0x07, 0x04, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01, /* chassis: MAC */
		0x04, 0x04, 0x05, 'e',  't',  'h',                                /* port: ifname */
		0x06, 0x02, 0x00, 0x78,                                           /* TTL 120 */
		0x00, 0x00,                                                       /* end */
	};
	char chassis[64];
	unsigned ttl = 0;
	struct dl_error err = {0};
	assert_int_equal(
		health_lldp_read(frame, sizeof(frame), chassis, sizeof(chassis), &ttl, &err), 0);
	assert_string_equal(chassis, "02:00:00:00:00:01");
	assert_int_equal(ttl, 120);
	/* the TTL TLV claims more than is left */
	frame[30] = 0x40;
	assert_int_equal(
		health_lldp_read(frame, sizeof(frame), chassis, sizeof(chassis), &ttl, &err),
		DL_EPROTO);
	assert_non_null(strstr(err.message, "TLV type 3"));
	/* cut before the TTL */
	assert_int_equal(health_lldp_read(frame, 29, chassis, sizeof(chassis), &ttl, &err),
			 DL_EPROTO);
	assert_non_null(strstr(err.message, "no TTL"));
	frame[12] = 0x08;
	assert_int_equal(
		health_lldp_read(frame, sizeof(frame), chassis, sizeof(chassis), &ttl, &err),
		DL_EPROTO);
}

/* ---- real monitors on a private loopback (root only) ---- */

static bool private_net;

static int enter_private_net(void **state)
{
	(void)state;
	if (unshare(CLONE_NEWNET) != 0)
		return 0;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	struct ifreq ifr;
	memset(&ifr, 0, sizeof(ifr));
	memcpy(ifr.ifr_name, "lo", 3);
	if (fd >= 0 && ioctl(fd, SIOCGIFFLAGS, &ifr) == 0) {
		ifr.ifr_flags |= IFF_UP;
		private_net = ioctl(fd, SIOCSIFFLAGS, &ifr) == 0;
	}
	if (fd >= 0)
		close(fd);
	return 0;
}

static int listener(uint16_t port)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int one = 1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
	inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(fd, 8), 0);
	return fd;
}

/* Poll (real clock, 20 ms apart) until monitor 0 is failed == want, at most 3 s. */
static void poll_until(struct health_set *s, bool want_failed, struct health_status *st)
{
	struct dl_error err = {0};
	for (int i = 0; i < 150; i++) {
		assert_int_equal(health_set_poll(s, st, &err), 0);
		if ((st->failed_count > 0) == want_failed)
			return;
		usleep(20000);
	}
	fail_msg("monitor did not become %s", want_failed ? "failed" : "healthy");
}

static void test_loopback_monitors(void **state)
{
	(void)state;
	if (!private_net)
		skip();
	struct scope scope = {0};
	struct dl_error err = {0};
	assert_int_equal(scope_add_network(&scope, "127.0.0.0/8", &err), 0);
	struct health_config c = {.scope = &scope, .addresses = {"127.0.0.1"}, .address_count = 1};
	c.tcp_port = 47022;
	c.syslog_port = 47514;
	c.choices[0] = (struct health_choice){.name = "tcp", .threshold = 2, .interval_ms = 50};
	c.choices[1] = (struct health_choice){.name = "icmp", .interval_ms = 50};
	c.choices[2] = (struct health_choice){.name = "syslog", .interval_ms = 50};
	c.choice_count = 3;
	int l = listener(47022);
	struct health_set *s = NULL;
	assert_int_equal(health_set_start(&s, &c, NULL, &err), 0);
	struct health_status st;
	/* everything answers: three good samples make no event and nothing failed */
	for (int i = 0; i < 10; i++) {
		assert_int_equal(health_set_poll(s, &st, &err), 0);
		assert_true(st.healthy);
		usleep(20000);
	}
	/* the listener goes away: refused, twice in a row */
	close(l);
	poll_until(s, true, &st);
	assert_string_equal(st.failed[0], "tcp");
	const struct health_event *e = health_set_last_failure(s, 0);
	assert_non_null(e);
	assert_non_null(strstr(e->evidence, "TCP connect to 127.0.0.1:47022 refused at "));
	assert_non_null(strstr(e->evidence, "(2 consecutive)"));
	l = listener(47022);
	poll_until(s, false, &st);
	close(l);
	health_set_stop(s);

	/* a panic line in the DUT's syslog fails the syslog monitor at once */
	c.choices[0] = (struct health_choice){.name = "syslog", .interval_ms = 50};
	c.choice_count = 1;
	assert_int_equal(health_set_start(&s, &c, NULL, &err), 0);
	int u = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons(47514)};
	inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
	static const char fine[] = "<14>Nov 26 01:00:00 dut sshd[1]: Accepted password";
	static const char panic[] = "<0>Nov 26 01:00:01 dut kernel: Kernel panic - not syncing";
	sendto(u, fine, sizeof(fine) - 1, 0, (struct sockaddr *)&to, sizeof(to));
	usleep(100000);
	assert_int_equal(health_set_poll(s, &st, &err), 0);
	assert_true(st.healthy);
	sendto(u, panic, sizeof(panic) - 1, 0, (struct sockaddr *)&to, sizeof(to));
	usleep(50000);
	assert_int_equal(health_set_poll(s, &st, &err), 0);
	assert_false(st.healthy);
	assert_int_equal(st.event_count, 1);
	assert_non_null(strstr(st.events[0].evidence,
			       "syslog from 127.0.0.1 (RFC 3164): 'kernel: Kernel panic - not "
			       "syncing' at "));
	close(u);
	poll_until(s, false, &st);
	health_set_stop(s);
	scope_release(&scope);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_syslog_5424),
		cmocka_unit_test(test_syslog_3164),
		cmocka_unit_test(test_syslog_malformed),
		cmocka_unit_test(test_flow_accounting),
		cmocka_unit_test(test_streak),
		cmocka_unit_test(test_set_thresholds),
		cmocka_unit_test(test_wait_recovery),
		cmocka_unit_test(test_wait_recovery_waits_for_every_monitor),
		cmocka_unit_test(test_config),
		cmocka_unit_test(test_lldp_read),
		cmocka_unit_test_setup(test_loopback_monitors, enter_private_net),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
