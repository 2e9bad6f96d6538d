/* health: the DUT health monitors a robustness campaign runs all the time, and their loop */
#ifndef DUTLAB_FUZZ_HEALTH_H
#define DUTLAB_FUZZ_HEALTH_H

/*
 * A campaign starts a health_set with the monitors the profile chose and
 * polls it at a fixed interval (health_set_interval_ms(), 250 ms by
 * default) between test cases. Every monitor is a const descriptor in
 * health_monitors[] (like the checks): start opens its sockets (all
 * through src/net/sock.c or scope_permit()), poll advances a probe without
 * blocking and reports at most one sample, stop releases everything.
 *
 * A monitor fails when it reports threshold failures in a row (one lost
 * ping is not a failure); a decisive sample (a panic line in the DUT's
 * syslog, a shutdown LLDPDU) fails it at once. It recovers at its next
 * good sample. The set writes each transition as an event whose evidence
 * names the monitor, what it saw, when (UTC) and how many times:
 *   "TCP connect to 198.18.12.2:22 refused at 12:03:04.123 (3 consecutive)"
 *
 * Time comes from a clock the caller may inject (tests), so the
 * consecutive-failure logic and health_wait_recovery() run without sleeping.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct dl_error;
struct profile;
struct scope;

#define HEALTH_EVIDENCE_MAX 512
#define HEALTH_ADDRESSES_MAX 4
#define HEALTH_MONITORS_MAX 12

/* ---- what a monitor reports ---- */

enum health_outcome {
	HEALTH_NONE, /* nothing decided at this poll (a probe in flight) */
	HEALTH_OK,
	HEALTH_FAIL,
};

struct health_sample {
	enum health_outcome outcome;
	bool decisive;                      /* a failure that needs no repetition */
	char evidence[HEALTH_EVIDENCE_MAX]; /* "TCP connect to 198.18.12.2:22 refused" */
};

/* ---- configuration: what the campaign (from the profile) chose ---- */

/* A background UDP flow the tester sends through the DUT: frames leave
 * out_interface (AF_PACKET, so the tester's own routing cannot short-cut
 * them) addressed to destination, and are read back on in_interface
 * (AF_PACKET, so no socket, route or rp_filter on the tester is needed).
 * Each payload carries a sequence number and its send time (CLOCK_REALTIME);
 * the latency is the kernel's arrival timestamp less that. Frames go out
 * at each poll, as many as the rate owes (so in bursts of rate x poll
 * interval); a window is judged once max_latency_ms has passed after it. */
struct health_flow_config {
	const char *out_interface, *in_interface; /* tester port A and port B */
	const char *source;                       /* IPv4; NULL: out_interface's address */
	const char *destination;    /* IPv4 or IPv6; NULL (and no destination6): in_interface's
				     * IPv4 address */
	const char *destination6;   /* a second path of the other family, or NULL; an IPv6
				     * path's source is out_interface's (global) address */
	const char *next_hop_mac;   /* "02:00:..": the DUT's MAC on port A (a router);
				     * NULL: in_interface's own MAC (a bridge or switch) */
	uint16_t port;              /* UDP destination port; 0: 9 (discard) */
	unsigned rate_pps;          /* 1..5000; 0: 100 */
	unsigned window_ms;         /* accounting window, 100..10000; 0: 1000 */
	unsigned max_loss_permille; /* per window; 0: 10 (1 %) */
	unsigned max_latency_ms;    /* per window's worst packet; 0: 100 */
};

/* A monitor the campaign chose, with its tuning (0: the monitor's default). */
struct health_choice {
	const char *name; /* "icmp", "tcp", ... (health_monitors[]) */
	/* Tests inject a monitor of their own here; NULL: looked up by name. */
	const struct health_monitor *monitor;
	unsigned threshold;   /* consecutive failures that fail the monitor */
	unsigned interval_ms; /* time between probes */
	unsigned timeout_ms;  /* a probe's wait for its answer */
};

struct health_config {
	const struct scope *scope; /* every send is judged against it; not owned */
	const char *interface;     /* tester interface toward the DUT; NULL: routed */
	const char *addresses[HEALTH_ADDRESSES_MAX]; /* the DUT's (IPv4 and/or IPv6) */
	size_t address_count;
	unsigned poll_interval_ms; /* 0: 250 */

	struct health_choice choices[HEALTH_MONITORS_MAX];
	size_t choice_count;

	uint16_t tcp_port;              /* "tcp": the management port */
	uint16_t syslog_port;           /* "syslog": the UDP port dutlab listens on; 0: 514 */
	const char *syslog_pattern;     /* POSIX ERE, case-insensitive; NULL:
					 * HEALTH_SYSLOG_PATTERN_DEFAULT */
	const char *lldp_interface;     /* "lldp": NULL: interface */
	unsigned lldp_wait_seconds;     /* "lldp": for the first LLDPDU; 0: 35 (tx interval 30 s) */
	const struct profile *profile;  /* "exec": its adapter operation "health" */
	const char *exec_transcript;    /* "exec": where its output goes; NULL: /dev/null */
	struct health_flow_config flow; /* "flow" */
};

#define HEALTH_SYSLOG_PATTERN_DEFAULT                                                              \
	"panic|oops|segfault|restart|watchdog|out of memory|call trace"

/* Fill c for profile p: its scope, first scope interface, dut.addresses
 * (the first HEALTH_ADDRESSES_MAX), the management port (the first of
 * 22, 443, 80, 23, 830 declared, else the first TCP service) and the
 * default monitors: icmp, tcp (when a port was found), neighbour (when an
 * interface is declared) and exec (when an adapter declares "health").
 * Pointers point into p. */
void health_config_from_profile(struct health_config *c, const struct profile *p);

/* Add a monitor by name to c; DL_ENOTFOUND (unknown name, the known ones
 * listed) or DL_ENOMEM (HEALTH_MONITORS_MAX reached). */
int health_config_choose(struct health_config *c, const char *name, struct dl_error *err);

/* ---- the monitors ---- */

/* A running monitor; the set owns it. Monitors keep their state in state. */
struct health_probe {
	const struct health_monitor *monitor;
	const struct health_config *config;
	unsigned interval_ms, timeout_ms; /* the choice's, or the monitor's defaults */
	void *state;
};

struct health_monitor {
	const char *name;                            /* "icmp" */
	const char *summary;                         /* one line, for `dutlab health --list` */
	unsigned threshold, interval_ms, timeout_ms; /* defaults */
	int (*start)(struct health_probe *p, int64_t now_ns, struct dl_error *err);
	/* Never blocks for long: sends what is due, reads what arrived, and
	 * fills out (outcome HEALTH_NONE when nothing is decided). An error is
	 * the monitor's own trouble (a socket failed), not the DUT's. */
	int (*poll)(struct health_probe *p, int64_t now_ns, struct health_sample *out,
		    struct dl_error *err);
	void (*stop)(struct health_probe *p);
};

extern const struct health_monitor health_monitor_exec, health_monitor_flow, health_monitor_icmp,
	health_monitor_lldp, health_monitor_neighbour, health_monitor_syslog, health_monitor_tcp;

/* Sorted by name. */
extern const struct health_monitor *const health_monitors[];
extern const size_t health_monitor_count;
const struct health_monitor *health_monitor_find(const char *name);

/* ---- consecutive failures ---- */

enum health_transition {
	HEALTH_STEADY,    /* no change */
	HEALTH_FAILED,    /* the threshold was reached (or a decisive failure) */
	HEALTH_RECOVERED, /* a good sample after having failed */
};

struct health_streak {
	unsigned consecutive; /* failures in a row */
	bool failed;
	int64_t first_failure_ns, last_ok_ns;
};

/* Account one sample; HEALTH_NONE changes nothing. threshold 0 counts as 1. */
enum health_transition health_streak_observe(struct health_streak *s,
					     const struct health_sample *sample, unsigned threshold,
					     int64_t now_ns);

/* ---- the set and its loop ---- */

/* The clock the set reads and sleeps on (monotonic nanoseconds). NULL in
 * health_set_start(): the real CLOCK_MONOTONIC and nanosleep. */
struct health_clock {
	int64_t (*now_ns)(void *ctx);
	void (*sleep_ns)(void *ctx, int64_t ns);
	void *ctx;
};

struct health_event {
	const char *monitor;         /* static */
	enum health_transition kind; /* HEALTH_FAILED or HEALTH_RECOVERED */
	int64_t at_ns;               /* on the set's clock */
	int64_t wall_ms;             /* Unix time in ms */
	unsigned consecutive;
	/* "TCP connect to 198.18.12.2:22 refused at 12:03:04.123 (3 consecutive)" */
	char evidence[HEALTH_EVIDENCE_MAX + 64];
};

struct health_status {
	bool healthy; /* no monitor is failed now */
	/* transitions at this poll, in monitor order */
	struct health_event events[HEALTH_MONITORS_MAX];
	size_t event_count;
	/* the monitors failed now */
	const char *failed[HEALTH_MONITORS_MAX];
	size_t failed_count;
};

struct health_set;

/* Start every monitor c chose (c must outlive the set). A monitor that
 * cannot start stops the others and fails the call with its reason. */
int health_set_start(struct health_set **out, const struct health_config *c,
		     const struct health_clock *clock, struct dl_error *err);

/* Poll every monitor once. 0 with *status filled, or a monitor's own error. */
int health_set_poll(struct health_set *s, struct health_status *status, struct dl_error *err);

/* The last failure event of monitor index i (its evidence stays after a
 * recovery), NULL when it never failed. */
const struct health_event *health_set_last_failure(const struct health_set *s, size_t i);
size_t health_set_count(const struct health_set *s);
const char *health_set_name(const struct health_set *s, size_t i);
unsigned health_set_interval_ms(const struct health_set *s);

/* Poll every interval until every monitor is back, at most timeout_ms:
 * none failed, none with a failing sample in its current streak, and each
 * with an OK sample since the wait began (a monitor whose interval is longer
 * than timeout_ms is spared that last rule).
 * 0 (healthy; *status is the last poll), DL_ETIMEDOUT (err lists what
 * is still failed and why) or a monitor's error. Events seen meanwhile
 * are handed to on_event when not NULL. */
int health_wait_recovery(struct health_set *s, unsigned timeout_ms,
			 void (*on_event)(const struct health_event *e, void *ctx), void *ctx,
			 struct health_status *status, struct dl_error *err);

/* Stop every monitor and free s. NULL is fine. */
void health_set_stop(struct health_set *s);

/* ---- the syslog parser (RFC 5424 and RFC 3164) ---- */

enum health_syslog_format { HEALTH_SYSLOG_RFC3164, HEALTH_SYSLOG_RFC5424 };

struct health_syslog_message {
	enum health_syslog_format format;
	unsigned facility, severity; /* PRI / 8, PRI % 8 */
	char timestamp[40];          /* as written; "" for the NILVALUE */
	char hostname[256];
	char app_name[49]; /* RFC 3164: the TAG */
	char procid[129];
	char msgid[33];
	bool has_structured_data;
	char msg[1024]; /* control characters and non-ASCII bytes shown as '?'; cut at 1023 */
};

/*
 * Parse one syslog datagram. RFC 5424 (<PRI>1 TIMESTAMP HOST APP PROCID
 * MSGID SD [MSG]) is recognised by its version; anything else with a valid
 * <PRI> is RFC 3164 (an optional "Mmm dd hh:mm:ss HOST " header and a
 * "TAG[pid]: " prefix). 0, or DL_EPROTO naming the part and the offset.
 */
int health_syslog_parse(const uint8_t *data, size_t length, struct health_syslog_message *out,
			struct dl_error *err);

/* ---- the background flow's accounting ---- */

#define HEALTH_FLOW_WINDOWS 8
#define HEALTH_FLOW_SEQ_BITS 65536 /* duplicates are told within this many sequence numbers */

struct health_flow_window {
	uint64_t number;          /* since the first send */
	int64_t start_ns, end_ns; /* send times covered */
	uint64_t first_seq, sent;
	uint64_t received, reordered, duplicates;
	int64_t latency_min_ns, latency_max_ns, latency_sum_ns;
	bool open;
};

struct health_flow_account {
	int64_t window_ns, grace_ns;
	uint64_t next_seq;         /* of the next send */
	uint64_t highest_received; /* valid when any_received */
	bool any_received;
	uint64_t late, unknown; /* after their window closed; never sent */
	struct health_flow_window windows[HEALTH_FLOW_WINDOWS]; /* a ring by window number */
	int64_t first_window_start_ns;
	uint64_t next_to_close; /* window number */
	uint64_t current;       /* window number of the last send */
	bool started;
	uint8_t seen[HEALTH_FLOW_SEQ_BITS / 8];
};

/* window_ns: accounting window; grace_ns: how long after a window ends its
 * late packets still count (the latency ceiling). */
void health_flow_account_init(struct health_flow_account *a, int64_t window_ns, int64_t grace_ns);
/* The sequence number to put in the frame about to be sent at now_ns. */
uint64_t health_flow_account_send(struct health_flow_account *a, int64_t now_ns);
/* A frame came back: its sequence number and send time. */
void health_flow_account_receive(struct health_flow_account *a, uint64_t seq, int64_t sent_ns,
				 int64_t now_ns);
/* The oldest window whose grace has passed, copied to out and forgotten;
 * false when none is due. */
bool health_flow_account_close(struct health_flow_account *a, int64_t now_ns,
			       struct health_flow_window *out);

/* ---- LLDP, the little the monitor reads ---- */

/* From an Ethernet frame with EtherType 0x88cc: the chassis ID (printable,
 * hex for a MAC) and the TTL (IEEE 802.1AB-2016 8.5.2-8.5.4). 0 or
 * DL_EPROTO with the reason. */
int health_lldp_read(const uint8_t *frame, size_t length, char *chassis, size_t chassis_size,
		     unsigned *ttl_seconds, struct dl_error *err);

/* "12:03:04.123" (UTC) for a Unix time in ms. */
void health_format_time(int64_t wall_ms, char *buf, size_t size);

#endif
