/* watch: the health set a robustness campaign runs, started from the profile, polled, and waited
 * on (power-cycling the DUT once) until the DUT recovers */
#include "core/compat.h"

#include <json-c/json.h>
#include <time.h>

#include "adapters/exec.h"
#include "core/error.h"
#include "core/monotonic.h"
#include "core/profile.h"
#include "fuzz/health.h"
#include "fuzz/watch.h"

int watch_start(struct watch *w, const struct profile *p, const char *directory,
		const char *exec_log, struct dl_error *err)
{
	const struct profile_robustness *r = &p->robustness;
	struct health_config *h = &w->config;
	w->profile = p;
	w->set = NULL;
	w->events = json_object_new_array();
	if (!w->events)
		return dl_error_set(err, DL_ENOMEM, "robustness: out of memory");
	snprintf(w->directory, sizeof(w->directory), "%s", directory);
	health_config_from_profile(h, p);
	h->interface = r->interface;
	h->lldp_interface = r->interface;
	if (r->monitor_count) {
		h->choice_count = 0;
		for (size_t i = 0; i < r->monitor_count; i++) {
			int rc = health_config_choose(h, r->monitors[i], err);
			if (rc)
				return rc;
		}
	}
	/* a lab that wants failures seen sooner (or a slow DUT probed less often) */
	for (size_t i = 0; i < h->choice_count; i++) {
		if (r->monitor_interval_ms)
			h->choices[i].interval_ms = r->monitor_interval_ms;
		if (r->monitor_timeout_ms)
			h->choices[i].timeout_ms = r->monitor_timeout_ms;
	}
	if (r->monitor_interval_ms && r->monitor_interval_ms < 250)
		h->poll_interval_ms =
			r->monitor_interval_ms; /* the set polls no slower than them */
	if (r->tcp_port)
		h->tcp_port = (uint16_t)r->tcp_port;
	if (r->syslog_port)
		h->syslog_port = (uint16_t)r->syslog_port;
	if (r->syslog_pattern)
		h->syslog_pattern = r->syslog_pattern;
	h->flow.out_interface = r->flow_out_interface;
	h->flow.in_interface = r->flow_in_interface;
	h->flow.destination = r->flow_destination;
	h->flow.destination6 = r->flow_destination6;
	h->flow.next_hop_mac = r->flow_next_hop_mac;
	h->flow.rate_pps = r->flow_rate;
	snprintf(w->exec_log, sizeof(w->exec_log), "%s/%s", directory, exec_log);
	h->exec_transcript = w->exec_log;
	unsigned detect = 0;
	for (size_t i = 0; i < h->choice_count; i++) {
		const struct health_monitor *m = h->choices[i].monitor
							 ? h->choices[i].monitor
							 : health_monitor_find(h->choices[i].name);
		if (!m)
			continue;
		unsigned threshold =
			h->choices[i].threshold ? h->choices[i].threshold : m->threshold;
		unsigned interval =
			h->choices[i].interval_ms ? h->choices[i].interval_ms : m->interval_ms;
		unsigned timeout =
			h->choices[i].timeout_ms ? h->choices[i].timeout_ms : m->timeout_ms;
		unsigned d = threshold * interval + timeout;
		if (interval + timeout + 1000 > w->slowest_ms)
			w->slowest_ms = interval + timeout + 1000;
		/* a monitor that waits long by nature (LLDP's TTL) does not set the pace */
		if (d > detect && d <= 15000)
			detect = d;
	}
	w->detect_ms = (detect ? detect : 3000) + 500;
	return health_set_start(&w->set, h, NULL, err);
}

void watch_stop(struct watch *w)
{
	health_set_stop(w->set);
	w->set = NULL;
	json_object_put(w->events);
	w->events = NULL;
}

void watch_note(struct watch *w, const char *monitor, bool failed, int64_t at_ns,
		const char *evidence)
{
	if (!w->events || json_object_array_length(w->events) >= WATCH_EVENTS_KEPT)
		return;
	struct json_object *o = json_object_new_object();
	json_object_object_add(o, "monitor", json_object_new_string(monitor));
	json_object_object_add(o, "kind", json_object_new_string(failed ? "failed" : "recovered"));
	json_object_object_add(o, "at_s",
			       json_object_new_double((double)(at_ns - w->origin_ns) / 1e9));
	json_object_object_add(o, "evidence", json_object_new_string(evidence));
	json_object_array_add(w->events, o);
}

void watch_on_event(const struct health_event *e, void *ctx)
{
	watch_note(ctx, e->monitor, e->kind == HEALTH_FAILED, e->at_ns, e->evidence);
}

int watch_poll(struct watch *w, bool *failed, struct health_event *failure, struct dl_error *err)
{
	*failed = false;
	struct health_status st;
	int rc = health_set_poll(w->set, &st, err);
	if (rc)
		return rc;
	for (size_t i = 0; i < st.event_count; i++) {
		watch_on_event(&st.events[i], w);
		if (st.events[i].kind == HEALTH_FAILED && !*failed) {
			*failure = st.events[i];
			*failed = true;
		}
	}
	return 0;
}

static void pause_interval(const struct watch *w)
{
	struct timespec pause = {0, (long)health_set_interval_ms(w->set) * 1000000};
	nanosleep(&pause, NULL);
}

int watch_for(struct watch *w, unsigned ms, bool *failed, struct health_event *failure,
	      struct dl_error *err)
{
	*failed = false;
	int64_t until = monotonic_ns() + (int64_t)ms * 1000000;
	for (unsigned rounds = 0; rounds < 100000 && monotonic_ns() < until; rounds++) {
		int rc = watch_poll(w, failed, failure, err);
		if (rc || *failed)
			return rc;
		pause_interval(w);
	}
	return 0;
}

void watch_settle(struct watch *w, unsigned ms)
{
	int64_t until = monotonic_ns() + (int64_t)ms * 1000000;
	for (unsigned rounds = 0; rounds < 100000 && monotonic_ns() < until; rounds++) {
		bool failed;
		struct health_event ignored_event;
		struct dl_error ignored;
		(void)watch_poll(w, &failed, &ignored_event, &ignored);
		pause_interval(w);
	}
}

/* Every monitor back within ms, then settled, then back(). */
static int wait_back(struct watch *w, unsigned ms, unsigned seconds, watch_back_cb back, void *ctx,
		     bool *is_back, struct dl_error *err)
{
	*is_back = false;
	struct health_status st;
	struct dl_error why;
	int rc = health_wait_recovery(w->set, ms, watch_on_event, w, &st, &why);
	if (rc == DL_ETIMEDOUT)
		return 0;
	if (rc)
		return dl_error_set(err, rc, "%s", why.message);
	watch_settle(w, WATCH_SETTLE_MS);
	if (!back) {
		*is_back = true;
		return 0;
	}
	return back(ctx, seconds, is_back, err);
}

int watch_recover(struct watch *w, const char *power_cycle_log, int64_t deadline_ns,
		  watch_back_cb back, void *ctx, const char **how, struct dl_error *err)
{
	const struct profile_robustness *r = &w->profile->robustness;
	*how = "";
	unsigned seconds = r->recovery_seconds ? r->recovery_seconds : 60;
	unsigned wait_ms = seconds * 1000u;
	bool is_back = false;
	int rc = wait_back(w, wait_ms, seconds, back, ctx, &is_back, err);
	if (rc || is_back) {
		*how = is_back ? "recovered" : "";
		return rc;
	}
	if (!r->power_cycle)
		return 0;
	char transcript[4200];
	snprintf(transcript, sizeof(transcript), "%s/%s", w->directory, power_cycle_log);
	struct adapter_exec_vars vars = {
		.address = w->profile->address_count ? w->profile->addresses[0] : NULL};
	struct adapter_exec_result result;
	rc = adapter_exec_run(w->profile, r->power_cycle, &vars, transcript, deadline_ns, &result,
			      err);
	if (rc)
		return rc;
	/* after a power cycle every monitor must see it back, the slowest too */
	if (wait_ms < w->slowest_ms)
		wait_ms = w->slowest_ms;
	rc = wait_back(w, wait_ms, seconds, back, ctx, &is_back, err);
	if (!rc && is_back)
		*how = "power_cycle";
	return rc;
}
