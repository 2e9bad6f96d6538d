/* watch: the health set a robustness campaign runs, started from the profile, polled, and waited
 * on (power-cycling the DUT once) until the DUT recovers */
#ifndef DUTLAB_FUZZ_WATCH_H
#define DUTLAB_FUZZ_WATCH_H

/*
 * The packet campaign (campaign.c) and the session campaign (session.c)
 * watch the DUT the same way: the monitors robustness.monitors chooses
 * (and its flow), polled between cases; every transition kept as an event
 * (at most WATCH_EVENTS_KEPT, times from origin_ns); after a failure,
 * recovery: robustness.recovery seconds for every monitor (and what the
 * campaign itself needs back: a session) to recover, else the power_cycle
 * operation and the same wait again.
 */

#include <stdbool.h>
#include <stdint.h>

#include "fuzz/health.h"

struct dl_error;
struct json_object;
struct profile;

#define WATCH_EVENTS_KEPT 64
#define WATCH_SETTLE_MS                                                                            \
	2000 /* after a recovery: the parser a case killed starts a moment after                   \
	      * the management answers (a port opens before its packet socket) */

struct watch {
	const struct profile *profile;
	struct health_config config;
	struct health_set *set;
	unsigned detect_ms;  /* how long a failure takes to show, at most */
	unsigned slowest_ms; /* the slowest monitor's interval and timeout: its next good sample */
	int64_t origin_ns;   /* the events' time 0 (the caller sets it) */
	struct json_object *events; /* owned: [{monitor, kind, at_s, evidence}] */
	char directory[4096];       /* where the exec monitor's and power cycle's logs go */
	char exec_log[4200];
};

/* Start the monitors of p's robustness section in w, the exec monitor's
 * transcript in directory/exec_log. 0, DL_ENOMEM or a monitor's error
 * (DL_ENOTFOUND for an unknown name). watch_stop() even after an error. */
int watch_start(struct watch *w, const struct profile *p, const char *directory,
		const char *exec_log, struct dl_error *err);
void watch_stop(struct watch *w);

/* Keep an event (a monitor's, or the campaign's own: "bgp.check"). */
void watch_note(struct watch *w, const char *monitor, bool failed, int64_t at_ns,
		const char *evidence);
/* health_wait_recovery()'s on_event: ctx is the struct watch. */
void watch_on_event(const struct health_event *e, void *ctx);

/* Poll once without waiting: events kept; *failed with the first failure's event. */
int watch_poll(struct watch *w, bool *failed, struct health_event *failure, struct dl_error *err);
/* Poll for ms, stopping at the first failure (*failed, its event in *failure). */
int watch_for(struct watch *w, unsigned ms, bool *failed, struct health_event *failure,
	      struct dl_error *err);
/* Poll (events kept) for ms, whatever happens. */
void watch_settle(struct watch *w, unsigned ms);

/*
 * What a campaign needs back besides its monitors, asked after they
 * recovered (the session campaign: its session, its protocol's check):
 * 0 with *back, or dutlab's own error. NULL: the monitors are enough.
 */
typedef int (*watch_back_cb)(void *ctx, unsigned seconds, bool *back, struct dl_error *err);

/*
 * Wait up to robustness.recovery seconds (0: 60) for every monitor and
 * then back(); else, when the profile names a power_cycle operation, run
 * it (its transcript in directory/power_cycle_log) and wait again (at
 * least the slowest monitor's interval). *how: "recovered", "power_cycle"
 * or "" when the DUT did not come back. 0, or dutlab's own error.
 */
int watch_recover(struct watch *w, const char *power_cycle_log, int64_t deadline_ns,
		  watch_back_cb back, void *ctx, const char **how, struct dl_error *err);

#endif
