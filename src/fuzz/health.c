/* health: the monitor table, the consecutive-failure logic and the set a campaign polls */
#include "core/compat.h"

#include <time.h>

#include "core/error.h"
#include "core/profile.h"
#include "fuzz/health.h"
#include "net/sock.h"

const struct health_monitor *const health_monitors[] = {
	&health_monitor_exec, &health_monitor_flow,      &health_monitor_icmp,
	&health_monitor_lldp, &health_monitor_neighbour, &health_monitor_syslog,
	&health_monitor_tcp,
};
const size_t health_monitor_count = DL_ARRAY_SIZE(health_monitors);

const struct health_monitor *health_monitor_find(const char *name)
{
	for (size_t i = 0; i < health_monitor_count; i++)
		if (strcmp(health_monitors[i]->name, name) == 0)
			return health_monitors[i];
	return NULL;
}

int health_config_choose(struct health_config *c, const char *name, struct dl_error *err)
{
	for (size_t i = 0; i < c->choice_count; i++)
		if (strcmp(c->choices[i].name, name) == 0)
			return 0;
	const struct health_monitor *m = health_monitor_find(name);
	if (!m) {
		char known[256] = "";
		size_t used = 0;
		for (size_t i = 0; i < health_monitor_count && used < sizeof(known); i++)
			used += (size_t)snprintf(known + used, sizeof(known) - used, "%s%s",
						 i ? ", " : "", health_monitors[i]->name);
		return dl_error_set(err, DL_ENOTFOUND,
				    "health: no monitor '%s'; the monitors are %s", name, known);
	}
	if (c->choice_count >= HEALTH_MONITORS_MAX)
		return dl_error_set(err, DL_ENOMEM,
				    "health: more than %d monitors chosen; drop '%s' or another",
				    HEALTH_MONITORS_MAX, name);
	c->choices[c->choice_count++] = (struct health_choice){.name = m->name, .monitor = m};
	return 0;
}

void health_config_from_profile(struct health_config *c, const struct profile *p)
{
	memset(c, 0, sizeof(*c));
	c->scope = &p->scope;
	c->interface = sock_interface(&p->scope);
	for (size_t i = 0; i < p->address_count && c->address_count < HEALTH_ADDRESSES_MAX; i++)
		c->addresses[c->address_count++] = p->addresses[i];
	/* the management port: the usual ones first, in the order an operator reaches for them */
	static const uint16_t management[] = {22, 443, 80, 23, 830};
	for (size_t i = 0; i < DL_ARRAY_SIZE(management) && !c->tcp_port; i++)
		if (profile_find_service(p, "tcp", management[i]))
			c->tcp_port = management[i];
	for (size_t i = 0; i < p->service_count && !c->tcp_port; i++)
		if (strcmp(p->services[i].proto, "tcp") == 0)
			c->tcp_port = p->services[i].port;
	c->profile = p;
	if (c->address_count)
		health_config_choose(c, "icmp", NULL);
	if (c->address_count && c->tcp_port)
		health_config_choose(c, "tcp", NULL);
	if (c->address_count && c->interface)
		health_config_choose(c, "neighbour", NULL);
	if (profile_find_operation(p, "health"))
		health_config_choose(c, "exec", NULL);
}

enum health_transition health_streak_observe(struct health_streak *s,
					     const struct health_sample *sample, unsigned threshold,
					     int64_t now_ns)
{
	if (threshold == 0)
		threshold = 1;
	switch (sample->outcome) {
	case HEALTH_OK:
		s->consecutive = 0;
		s->last_ok_ns = now_ns;
		if (s->failed) {
			s->failed = false;
			return HEALTH_RECOVERED;
		}
		return HEALTH_STEADY;
	case HEALTH_FAIL:
		if (s->consecutive == 0)
			s->first_failure_ns = now_ns;
		if (s->consecutive < UINT32_MAX)
			s->consecutive++;
		if (!s->failed && (sample->decisive || s->consecutive >= threshold)) {
			s->failed = true;
			return HEALTH_FAILED;
		}
		return HEALTH_STEADY;
	default: return HEALTH_STEADY;
	}
}

void health_format_time(int64_t wall_ms, char *buf, size_t size)
{
	time_t seconds = (time_t)(wall_ms / 1000);
	struct tm tm;
	if (!gmtime_r(&seconds, &tm)) {
		snprintf(buf, size, "?");
		return;
	}
	snprintf(buf, size, "%02d:%02d:%02d.%03d", tm.tm_hour, tm.tm_min, tm.tm_sec,
		 (int)(wall_ms % 1000));
}

struct health_set {
	const struct health_config *config;
	struct health_clock clock;
	int64_t wall_base_ms, clock_base_ns; /* wall time = base + (now - clock base) */
	struct health_probe probes[HEALTH_MONITORS_MAX];
	struct health_streak streaks[HEALTH_MONITORS_MAX];
	unsigned thresholds[HEALTH_MONITORS_MAX];
	struct health_event last_failure[HEALTH_MONITORS_MAX];
	bool ever_failed[HEALTH_MONITORS_MAX];
	enum health_outcome
		polled[HEALTH_MONITORS_MAX]; /* each monitor's sample at the last poll */
	size_t count;
	unsigned interval_ms;
};

static int64_t real_now_ns(void *ctx)
{
	(void)ctx;
	return sock_now_ns();
}

static void real_sleep_ns(void *ctx, int64_t ns)
{
	(void)ctx;
	if (ns <= 0)
		return;
	struct timespec t = {.tv_sec = (time_t)(ns / 1000000000),
			     .tv_nsec = (long)(ns % 1000000000)};
	/* bounded: at most a handful of EINTRs, each resuming with what is left */
	for (int i = 0; i < 16 && nanosleep(&t, &t) != 0 && errno == EINTR; i++)
		;
}

static unsigned pick(unsigned chosen, unsigned fallback)
{
	return chosen ? chosen : fallback;
}

int health_set_start(struct health_set **out, const struct health_config *c,
		     const struct health_clock *clock, struct dl_error *err)
{
	*out = NULL;
	if (c->choice_count == 0)
		return dl_error_set(err, DL_EINVAL,
				    "health: no monitor chosen; choose icmp, tcp, neighbour, lldp, "
				    "flow, syslog or exec");
	struct health_set *s = calloc(1, sizeof(*s));
	if (!s)
		return dl_error_set(err, DL_ENOMEM, "health: out of memory");
	s->config = c;
	s->clock = clock ? *clock
			 : (struct health_clock){.now_ns = real_now_ns, .sleep_ns = real_sleep_ns};
	s->interval_ms = pick(c->poll_interval_ms, 250);
	struct timespec wall;
	clock_gettime(CLOCK_REALTIME, &wall);
	s->wall_base_ms = (int64_t)wall.tv_sec * 1000 + wall.tv_nsec / 1000000;
	s->clock_base_ns = s->clock.now_ns(s->clock.ctx);
	for (size_t i = 0; i < c->choice_count && i < HEALTH_MONITORS_MAX; i++) {
		const struct health_choice *ch = &c->choices[i];
		const struct health_monitor *m =
			ch->monitor ? ch->monitor : health_monitor_find(ch->name ? ch->name : "");
		if (!m) {
			health_set_stop(s);
			return dl_error_set(err, DL_ENOTFOUND, "health: no monitor '%s'",
					    ch->name ? ch->name : "(null)");
		}
		struct health_probe *p = &s->probes[i];
		p->monitor = m;
		p->config = c;
		p->interval_ms = pick(ch->interval_ms, m->interval_ms);
		p->timeout_ms = pick(ch->timeout_ms, m->timeout_ms);
		s->thresholds[i] = pick(ch->threshold, m->threshold);
		int rc = m->start(p, s->clock.now_ns(s->clock.ctx), err);
		if (rc) {
			p->monitor = NULL;
			health_set_stop(s);
			return dl_error_prefix(err, "health monitor '%s'", m->name);
		}
		s->count = i + 1;
	}
	*out = s;
	return 0;
}

static void make_event(struct health_set *s, size_t i, enum health_transition kind,
		       const struct health_sample *sample, int64_t now_ns, struct health_event *e)
{
	memset(e, 0, sizeof(*e));
	e->monitor = s->probes[i].monitor->name;
	e->kind = kind;
	e->at_ns = now_ns;
	e->wall_ms = s->wall_base_ms + (now_ns - s->clock_base_ns) / 1000000;
	e->consecutive = s->streaks[i].consecutive;
	char when[16];
	health_format_time(e->wall_ms, when, sizeof(when));
	const char *what = sample->evidence[0] ? sample->evidence : s->probes[i].monitor->name;
	if (kind == HEALTH_RECOVERED)
		snprintf(e->evidence, sizeof(e->evidence), "%s at %s (recovered)", what, when);
	else if (sample->decisive && e->consecutive <= 1)
		snprintf(e->evidence, sizeof(e->evidence), "%s at %s", what, when);
	else
		snprintf(e->evidence, sizeof(e->evidence), "%s at %s (%u consecutive)", what, when,
			 e->consecutive);
}

int health_set_poll(struct health_set *s, struct health_status *status, struct dl_error *err)
{
	memset(status, 0, sizeof(*status));
	for (size_t i = 0; i < s->count; i++) {
		struct health_probe *p = &s->probes[i];
		struct health_sample sample = {.outcome = HEALTH_NONE};
		int64_t now = s->clock.now_ns(s->clock.ctx);
		int rc = p->monitor->poll(p, now, &sample, err);
		if (rc)
			return dl_error_prefix(err, "health monitor '%s'", p->monitor->name);
		s->polled[i] = sample.outcome;
		enum health_transition t =
			health_streak_observe(&s->streaks[i], &sample, s->thresholds[i], now);
		if (t != HEALTH_STEADY) {
			struct health_event *e = &status->events[status->event_count++];
			make_event(s, i, t, &sample, now, e);
			if (t == HEALTH_FAILED) {
				s->last_failure[i] = *e;
				s->ever_failed[i] = true;
			}
		}
		if (s->streaks[i].failed)
			status->failed[status->failed_count++] = p->monitor->name;
	}
	status->healthy = status->failed_count == 0;
	return 0;
}

const struct health_event *health_set_last_failure(const struct health_set *s, size_t i)
{
	return i < s->count && s->ever_failed[i] ? &s->last_failure[i] : NULL;
}

size_t health_set_count(const struct health_set *s)
{
	return s->count;
}

const char *health_set_name(const struct health_set *s, size_t i)
{
	return i < s->count ? s->probes[i].monitor->name : NULL;
}

unsigned health_set_interval_ms(const struct health_set *s)
{
	return s->interval_ms;
}

int health_wait_recovery(struct health_set *s, unsigned timeout_ms,
			 void (*on_event)(const struct health_event *e, void *ctx), void *ctx,
			 struct health_status *status, struct dl_error *err)
{
	int64_t start = s->clock.now_ns(s->clock.ctx);
	int64_t deadline = start + (int64_t)timeout_ms * 1000000;
	/* bounded by time and, should the clock stand still, by count */
	uint64_t max_rounds = (uint64_t)timeout_ms / s->interval_ms + 2;
	/*
	 * Back means every monitor says so now, not merely that none has
	 * reached its threshold: a syslog line or a dead process is an event
	 * that "recovers" at the next quiet poll while the management port,
	 * polled a moment later, is still down. So a monitor that fails a
	 * single sample is waited for, and each must give an OK sample of its
	 * own after the wait began, unless it polls too seldom to give one
	 * within timeout_ms (its failure state still counts).
	 */
	bool fresh[HEALTH_MONITORS_MAX] = {false};
	for (uint64_t round = 0; round < max_rounds; round++) {
		int rc = health_set_poll(s, status, err);
		if (rc)
			return rc;
		for (size_t i = 0; on_event && i < status->event_count; i++)
			on_event(&status->events[i], ctx);
		bool back = status->healthy;
		for (size_t i = 0; i < s->count; i++) {
			if (s->polled[i] == HEALTH_OK)
				fresh[i] = true;
			else if (s->polled[i] == HEALTH_FAIL)
				fresh[i] = false;
			bool too_slow = s->probes[i].interval_ms > timeout_ms;
			back = back && s->streaks[i].consecutive == 0 && (fresh[i] || too_slow);
		}
		if (back)
			return 0;
		int64_t now = s->clock.now_ns(s->clock.ctx);
		if (now >= deadline)
			break;
		int64_t pause = (int64_t)s->interval_ms * 1000000;
		s->clock.sleep_ns(s->clock.ctx, pause < deadline - now ? pause : deadline - now);
	}
	char list[HEALTH_EVIDENCE_MAX * 2] = "";
	size_t used = 0;
	for (size_t i = 0; i < s->count && used < sizeof(list); i++) {
		if (!s->streaks[i].failed && s->streaks[i].consecutive == 0)
			continue;
		used += (size_t)snprintf(list + used, sizeof(list) - used, "%s%s", used ? "; " : "",
					 s->ever_failed[i] ? s->last_failure[i].evidence
							   : s->probes[i].monitor->name);
	}
	return dl_error_set(err, DL_ETIMEDOUT,
			    "health: the DUT did not recover within %u ms: %s; power-cycle it "
			    "or give it longer",
			    timeout_ms, list);
}

void health_set_stop(struct health_set *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < HEALTH_MONITORS_MAX; i++)
		if (s->probes[i].monitor && s->probes[i].monitor->stop)
			s->probes[i].monitor->stop(&s->probes[i]);
	free(s);
}
