/* cmd-health: `dutlab health`: run the DUT health monitors for a while and print their events as
 * JSON lines */
#include "core/compat.h"

#include <json-c/json.h>
#include <signal.h>
#include <time.h>

#include "cli/commands.h"
#include "core/error.h"
#include "core/profile.h"
#include "core/text.h"
#include "fuzz/health.h"
#include "net/sock.h"

static void usage(FILE *out)
{
	fprintf(out,
		"usage: dutlab health --profile FILE [--seconds N] [--monitor NAME]...\n"
		"                     [--address A]... [--interface IF] [--tcp-port P]\n"
		"                     [--syslog-port P] [--syslog-pattern ERE]\n"
		"                     [--lldp-interface IF] [--lldp-wait S]\n"
		"                     [--flow OUT,IN] [--flow-source A] [--flow-destination A]\n"
		"                     [--flow-destination6 A6]\n"
		"                     [--flow-mac MAC] [--flow-rate PPS] [--flow-window MS]\n"
		"                     [--flow-max-loss PERMILLE] [--flow-max-latency MS]\n"
		"                     [--threshold N] [--interval MS] [--timeout MS] [--list]\n"
		"\n"
		"Run the health monitors a robustness campaign runs, for N seconds (default 10),\n"
		"and print one JSON object per line: 'started', then every 'failed' and\n"
		"'recovered' transition with its evidence, then 'summary'. Without --monitor\n"
		"the profile's defaults run: icmp, tcp (a declared management port), neighbour\n"
		"(a declared interface) and exec (an adapter operation 'health').\n"
		"\n"
		"  --list            print the monitors and exit\n"
		"  --threshold N     consecutive failures that fail a monitor (1..100)\n"
		"  --interval MS     time between probes of every monitor (10..60000)\n"
		"  --timeout MS      a probe's wait for its answer (10..60000)\n"
		"\n"
		"Exit status: 0 no monitor failed, 1 a monitor failed (or could not run),\n"
		"2 bad usage or a broken profile.\n");
}

static volatile sig_atomic_t stop_requested;

static void on_signal(int signal_number)
{
	(void)signal_number;
	stop_requested = 1;
}

struct health_args {
	const char *profile, *monitors[HEALTH_MONITORS_MAX], *addresses[HEALTH_ADDRESSES_MAX];
	size_t monitor_count, address_count;
	const char *interface, *tcp_port, *syslog_port, *syslog_pattern, *lldp_interface,
		*lldp_wait, *flow, *flow_source, *flow_destination, *flow_destination6, *flow_mac,
		*flow_rate, *flow_window, *flow_max_loss, *flow_max_latency, *threshold, *interval,
		*timeout, *seconds;
	bool list;
};

static int parse_args(int argc, char **argv, struct health_args *a)
{
	memset(a, 0, sizeof(*a));
	for (int i = 1; i < argc; i++) {
		const char *opt = argv[i];
		const char **value = NULL;
		if (strcmp(opt, "--list") == 0) {
			a->list = true;
			continue;
		}
		static const struct {
			const char *name;
			size_t offset;
		} options[] = {
			{"--profile", offsetof(struct health_args, profile)},
			{"--interface", offsetof(struct health_args, interface)},
			{"--tcp-port", offsetof(struct health_args, tcp_port)},
			{"--syslog-port", offsetof(struct health_args, syslog_port)},
			{"--syslog-pattern", offsetof(struct health_args, syslog_pattern)},
			{"--lldp-interface", offsetof(struct health_args, lldp_interface)},
			{"--lldp-wait", offsetof(struct health_args, lldp_wait)},
			{"--flow", offsetof(struct health_args, flow)},
			{"--flow-source", offsetof(struct health_args, flow_source)},
			{"--flow-destination", offsetof(struct health_args, flow_destination)},
			{"--flow-destination6", offsetof(struct health_args, flow_destination6)},
			{"--flow-mac", offsetof(struct health_args, flow_mac)},
			{"--flow-rate", offsetof(struct health_args, flow_rate)},
			{"--flow-window", offsetof(struct health_args, flow_window)},
			{"--flow-max-loss", offsetof(struct health_args, flow_max_loss)},
			{"--flow-max-latency", offsetof(struct health_args, flow_max_latency)},
			{"--threshold", offsetof(struct health_args, threshold)},
			{"--interval", offsetof(struct health_args, interval)},
			{"--timeout", offsetof(struct health_args, timeout)},
			{"--seconds", offsetof(struct health_args, seconds)},
		};
		for (size_t k = 0; k < DL_ARRAY_SIZE(options) && !value; k++)
			if (strcmp(opt, options[k].name) == 0)
				value = (const char **)((char *)a + options[k].offset);
		bool monitor = strcmp(opt, "--monitor") == 0,
		     address = strcmp(opt, "--address") == 0;
		if (!value && !monitor && !address) {
			fprintf(stderr,
				"dutlab health: unknown option '%s'; see 'dutlab health --help'\n",
				opt);
			return 2;
		}
		if (i + 1 >= argc) {
			fprintf(stderr, "dutlab health: %s needs a value\n", opt);
			return 2;
		}
		const char *v = argv[++i];
		if (value) {
			*value = v;
		} else if (monitor && a->monitor_count < HEALTH_MONITORS_MAX) {
			a->monitors[a->monitor_count++] = v;
		} else if (address && a->address_count < HEALTH_ADDRESSES_MAX) {
			a->addresses[a->address_count++] = v;
		} else {
			fprintf(stderr, "dutlab health: too many %s options\n", opt);
			return 2;
		}
	}
	if (!a->profile && !a->list) {
		fprintf(stderr,
			"dutlab health: --profile is required; see 'dutlab health --help'\n");
		return 2;
	}
	return 0;
}

/* text (NULL: keep *out) as a number in [min, max]; false (with a message) if not. */
static bool number(const char *name, const char *text, long min, long max, unsigned *out)
{
	long v;
	if (!text)
		return true;
	if (text_parse_long(text, min, max, &v) != 0) {
		fprintf(stderr, "dutlab health: %s takes a number from %ld to %ld\n", name, min,
			max);
		return false;
	}
	*out = (unsigned)v;
	return true;
}

/* Apply the options to c over the profile's defaults; 0 or 2 (usage). */
static int configure(const struct health_args *a, struct health_config *c, char *flow_out,
		     char *flow_in, size_t flow_size)
{
	unsigned tcp_port = c->tcp_port, syslog_port = 0, lldp_wait = 0, rate = 0, window = 0;
	unsigned threshold = 0, interval = 0, timeout = 0, max_loss = 0, max_latency = 0;
	if (!number("--tcp-port", a->tcp_port, 1, 65535, &tcp_port) ||
	    !number("--syslog-port", a->syslog_port, 1, 65535, &syslog_port) ||
	    !number("--lldp-wait", a->lldp_wait, 1, 3600, &lldp_wait) ||
	    !number("--flow-rate", a->flow_rate, 1, 5000, &rate) ||
	    !number("--flow-window", a->flow_window, 100, 10000, &window) ||
	    !number("--flow-max-loss", a->flow_max_loss, 1, 1000, &max_loss) ||
	    !number("--flow-max-latency", a->flow_max_latency, 1, 10000, &max_latency) ||
	    !number("--threshold", a->threshold, 1, 100, &threshold) ||
	    !number("--interval", a->interval, 10, 60000, &interval) ||
	    !number("--timeout", a->timeout, 10, 60000, &timeout))
		return 2;
	c->tcp_port = (uint16_t)tcp_port;
	c->syslog_port = (uint16_t)syslog_port;
	c->lldp_wait_seconds = lldp_wait;
	c->flow.rate_pps = rate;
	c->flow.window_ms = window;
	c->flow.max_loss_permille = max_loss;
	c->flow.max_latency_ms = max_latency;
	if (a->interface)
		c->interface = a->interface;
	if (a->address_count) {
		memcpy(c->addresses, a->addresses, sizeof(c->addresses));
		c->address_count = a->address_count;
	}
	c->syslog_pattern = a->syslog_pattern;
	c->lldp_interface = a->lldp_interface;
	if (a->flow) {
		const char *comma = strchr(a->flow, ',');
		size_t n = comma ? (size_t)(comma - a->flow) : 0;
		if (!comma || n == 0 || n >= flow_size || strlen(comma + 1) >= flow_size ||
		    !comma[1]) {
			fprintf(stderr,
				"dutlab health: --flow takes OUT,IN: two interface names\n");
			return 2;
		}
		memcpy(flow_out, a->flow, n);
		flow_out[n] = '\0';
		text_copy(flow_in, flow_size, comma + 1);
		c->flow.out_interface = flow_out;
		c->flow.in_interface = flow_in;
	}
	c->flow.source = a->flow_source;
	c->flow.destination = a->flow_destination;
	c->flow.destination6 = a->flow_destination6;
	c->flow.next_hop_mac = a->flow_mac;
	if (a->monitor_count) {
		c->choice_count = 0;
		for (size_t i = 0; i < a->monitor_count; i++) {
			struct dl_error err = {0};
			if (health_config_choose(c, a->monitors[i], &err) != 0) {
				fprintf(stderr, "dutlab %s\n", err.message);
				return 2;
			}
		}
	}
	if (interval && interval < 250)
		c->poll_interval_ms = interval; /* the set polls at least as often as it probes */
	for (size_t i = 0; i < c->choice_count; i++) {
		c->choices[i].threshold = threshold;
		c->choices[i].interval_ms = interval;
		c->choices[i].timeout_ms = timeout;
	}
	return 0;
}

static void print_line(struct json_object *o)
{
	puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
						       JSON_C_TO_STRING_NOSLASHESCAPE));
	fflush(stdout);
	json_object_put(o);
}

static void print_event(const struct health_event *e)
{
	struct json_object *o = json_object_new_object();
	json_object_object_add(
		o, "event",
		json_object_new_string(e->kind == HEALTH_FAILED ? "failed" : "recovered"));
	json_object_object_add(o, "monitor", json_object_new_string(e->monitor));
	json_object_object_add(o, "wall_ms", json_object_new_int64(e->wall_ms));
	json_object_object_add(o, "consecutive", json_object_new_int64(e->consecutive));
	json_object_object_add(o, "evidence", json_object_new_string(e->evidence));
	print_line(o);
}

static int list_monitors(void)
{
	for (size_t i = 0; i < health_monitor_count; i++)
		printf("  %-10s %s (threshold %u, every %u ms)\n", health_monitors[i]->name,
		       health_monitors[i]->summary, health_monitors[i]->threshold,
		       health_monitors[i]->interval_ms);
	return 0;
}

/* Poll until the time is up or a signal came; the count of failures seen. */
static int run(struct health_set *set, unsigned seconds, unsigned *failures, struct dl_error *err)
{
	int64_t end = sock_now_ns() + (int64_t)seconds * 1000000000;
	int64_t interval = (int64_t)health_set_interval_ms(set) * 1000000;
	struct health_status status = {.healthy = true};
	while (!stop_requested && sock_now_ns() < end) {
		int rc = health_set_poll(set, &status, err);
		if (rc)
			return rc;
		for (size_t i = 0; i < status.event_count; i++) {
			print_event(&status.events[i]);
			if (status.events[i].kind == HEALTH_FAILED)
				(*failures)++;
		}
		struct timespec pause = {.tv_sec = (time_t)(interval / 1000000000),
					 .tv_nsec = (long)(interval % 1000000000)};
		nanosleep(&pause, NULL); /* a signal cuts it short, which is what we want */
	}
	return 0;
}

int cmd_health(int argc, char **argv)
{
	if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		usage(stdout);
		return 0;
	}
	struct health_args a;
	int status = parse_args(argc, argv, &a);
	if (status)
		return status;
	if (a.list)
		return list_monitors();
	unsigned seconds = 10;
	if (!number("--seconds", a.seconds, 0, 86400, &seconds))
		return 2;
	struct profile p;
	struct dl_error err = {0};
	if (profile_load(&p, a.profile, &err) != 0) {
		fputs("dutlab health: ", stderr);
		cli_put_printable(stderr, err.message);
		fputc('\n', stderr);
		return 2;
	}
	static struct health_config c; /* the set keeps a pointer to it */
	char flow_out[32], flow_in[32];
	health_config_from_profile(&c, &p);
	c.exec_transcript = NULL;
	status = configure(&a, &c, flow_out, flow_in, sizeof(flow_out));
	if (status) {
		profile_release(&p);
		return status;
	}
	struct sigaction sa = {.sa_handler = on_signal};
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	struct health_set *set = NULL;
	unsigned failures = 0;
	int rc = health_set_start(&set, &c, NULL, &err);
	if (!rc) {
		struct json_object *o = json_object_new_object();
		json_object_object_add(o, "event", json_object_new_string("started"));
		struct json_object *names = json_object_new_array();
		for (size_t i = 0; i < health_set_count(set); i++)
			json_object_array_add(names,
					      json_object_new_string(health_set_name(set, i)));
		json_object_object_add(o, "monitors", names);
		json_object_object_add(o, "seconds", json_object_new_int64(seconds));
		print_line(o);
		rc = run(set, seconds, &failures, &err);
	}
	struct json_object *o = json_object_new_object();
	json_object_object_add(o, "event", json_object_new_string("summary"));
	json_object_object_add(o, "failures", json_object_new_int64(failures));
	json_object_object_add(o, "interrupted", json_object_new_boolean(stop_requested != 0));
	if (rc) {
		json_object_object_add(o, "error", json_object_new_string(err.message));
		fputs("dutlab health: ", stderr);
		cli_put_printable(stderr, err.message);
		fputc('\n', stderr);
	}
	print_line(o);
	health_set_stop(set);
	profile_release(&p);
	if (stop_requested)
		return 130;
	return rc || failures ? 1 : 0;
}
