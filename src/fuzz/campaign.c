/* campaign: a packet robustness campaign: mutated frames of a protocol mix at a rate, the DUT's
 * health watched, each failure windowed, replayed, bisected and saved as a reproducer */
#include "core/compat.h"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <json-c/json.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>

#include "core/error.h"
#include "core/monotonic.h"
#include "core/profile.h"
#include "fuzz/bisect.h"
#include "fuzz/campaign.h"
#include "fuzz/checkpoint.h"
#include "fuzz/health.h"
#include "fuzz/mutate.h"
#include "fuzz/random.h"
#include "fuzz/session.h"
#include "fuzz/template.h"
#include "fuzz/watch.h"
#include "net/pcapng.h"
#include "net/rate.h"
#include "net/ring.h"
#include "proto/packet.h"

#define TEMPLATES_MAX 64
#define HISTORY_MAX 4096                   /* (time, next index) at each health poll */
#define WINDOW_CASES_MAX 200000            /* the most cases one failure's window holds */
#define REPRODUCER_CASES_MAX 4096          /* cases written into one reproducer */
#define SENT_LOG_BYTES (64u << 20)         /* the pcapng of what was sent stops growing here */
#define SCHEDULE_KEY 0x5343484544554c45ull /* "SCHEDULE": the template draw's PRNG key */

struct campaign_template {
	const struct fuzz_template *template;
	size_t share; /* index in the mix */
	struct packet *valid;
	struct mutation_plan *plan;
	uint64_t cases;
	struct fuzz_coverage *coverage; /* shared */
};

struct history_entry {
	int64_t at_ns;
	uint64_t next_index;
};

struct campaign {
	const struct campaign_config *config;
	const struct profile_robustness *r;
	struct template_addresses addresses;
	struct campaign_template templates[TEMPLATES_MAX];
	size_t template_count;
	/* the draw: a share by weight, then a template of it uniformly */
	uint64_t share_limit[32]; /* cumulative weights */
	size_t share_first[32], share_count[32];
	uint64_t weight_total;
	size_t share_total;
	uint64_t seed;
	struct ring *ring;
	struct rate rate;
	struct watch watch; /* the health set, its events */
	struct packet *frames;
	struct fuzz_coverage *coverage;
	struct pcapng_writer sent_log;
	bool sent_log_open;
	struct history_entry history[HISTORY_MAX];
	size_t history_head, history_count;
	uint64_t next_index, frames_sent, frames_refused, cases_replayed;
	int64_t started_ns; /* the fuzzing clock's start: less the seconds run before, plus the
			     * time spent on failures (not fuzzing time) */
	int64_t origin_ns;  /* this run's start, less the seconds run before: events' times */
	struct json_object *failures, *events;
	size_t failure_count;
	char stopped[512]; /* why the campaign ended early; "" when it ran its duration */
	char robustness_dir[4096];
};

/* ---- addresses ---- */

static int parse_mac(const char *text, uint8_t mac[6])
{
	unsigned v[6];
	for (size_t i = 0; i < 6; i++) {
		char part[3] = {text[3 * i], text[3 * i + 1], '\0'};
		char *end = NULL;
		unsigned long x = strtoul(part, &end, 16);
		if (!end || *end)
			return DL_EINVAL;
		v[i] = (unsigned)x;
	}
	for (size_t i = 0; i < 6; i++)
		mac[i] = (uint8_t)v[i];
	return 0;
}

/* The tester's own IPv4 and IPv6 addresses on the interface. */
static void interface_addresses(const char *name, struct template_addresses *a)
{
	struct ifaddrs *list = NULL;
	if (getifaddrs(&list) != 0)
		return;
	bool have6 = false;
	for (struct ifaddrs *i = list; i; i = i->ifa_next) {
		if (!i->ifa_addr || strcmp(i->ifa_name, name) != 0)
			continue;
		if (i->ifa_addr->sa_family == AF_INET)
			a->tester4 = ((struct sockaddr_in *)i->ifa_addr)->sin_addr;
		else if (i->ifa_addr->sa_family == AF_INET6 && !have6) {
			struct in6_addr *x = &((struct sockaddr_in6 *)i->ifa_addr)->sin6_addr;
			a->tester6 = *x;
			/* a global address first; a link-local one only when nothing else */
			have6 = !IN6_IS_ADDR_LINKLOCAL(x);
		}
	}
	freeifaddrs(list);
}

struct arp_wait {
	struct in_addr target;
	uint8_t mac[6];
	bool found;
};

/* An ARP reply (RFC 826) from target: EtherType 0x0806, opcode 2, sender
 * protocol address at 28. */
static bool arp_reply_seen(const uint8_t *frame, uint32_t captured, uint32_t wire_length,
			   uint64_t timestamp_ns, void *user)
{
	(void)wire_length;
	(void)timestamp_ns;
	struct arp_wait *w = user;
	if (captured < 42 || frame[12] != 0x08 || frame[13] != 0x06 || frame[20] != 0 ||
	    frame[21] != 2 || memcmp(frame + 28, &w->target, 4) != 0)
		return true;
	memcpy(w->mac, frame + 22, 6);
	w->found = true;
	return false;
}

/* Learn the DUT's MAC by ARP when the profile does not give it. */
static int learn_dut_mac(const struct profile *p, struct template_addresses *a,
			 struct dl_error *err)
{
	const struct profile_robustness *r = &p->robustness;
	if (r->dut_mac)
		return parse_mac(r->dut_mac, a->dut_mac) == 0
			       ? 0
			       : dl_error_set(err, DL_EINVAL,
					      "robustness.dut_mac '%s' is not a MAC", r->dut_mac);
	if (a->dut4.s_addr == 0 || a->tester4.s_addr == 0)
		return dl_error_set(err, DL_EINVAL,
				    "robustness: the DUT's MAC on %s is unknown and cannot be "
				    "learnt by ARP (no IPv4 address on both sides); give "
				    "robustness.dut_mac",
				    r->interface);
	struct ring *rx = NULL;
	struct ring_options o = {
		.receive = true, .send = true, .protocol = 0x0806, .ignore_outgoing = true};
	int rc = ring_open(&rx, &p->scope, r->interface, &o, err);
	if (rc)
		return rc;
	uint8_t frame[42] = {0};
	memset(frame, 0xff, 6);
	ring_mac(rx, frame + 6);
	frame[12] = 0x08, frame[13] = 0x06;                         /* ARP */
	frame[14] = 0, frame[15] = 1, frame[16] = 8, frame[17] = 0; /* Ethernet, IPv4 */
	frame[18] = 6, frame[19] = 4, frame[20] = 0, frame[21] = 1; /* request */
	memcpy(frame + 22, frame + 6, 6);
	memcpy(frame + 28, &a->tester4, 4);
	memcpy(frame + 38, &a->dut4, 4);
	struct arp_wait w = {.target = a->dut4};
	for (int attempt = 0; attempt < 5 && !w.found && !rc; attempt++) {
		rc = ring_send(rx, frame, sizeof(frame), err);
		if (!rc)
			rc = ring_flush(rx, true, err);
		if (!rc)
			rc = ring_receive(rx, 1000, arp_reply_seen, &w, NULL, err);
	}
	ring_close(rx);
	if (rc)
		return rc;
	if (!w.found) {
		char text[INET_ADDRSTRLEN];
		inet_ntop(AF_INET, &a->dut4, text, sizeof(text));
		return dl_error_set(err, DL_ETIMEDOUT,
				    "robustness: %s did not answer 5 ARP requests on %s; check the "
				    "DUT is up, or give robustness.dut_mac",
				    text, r->interface);
	}
	memcpy(a->dut_mac, w.mac, 6);
	return 0;
}

static void profile_addresses(const struct profile *p, struct template_addresses *a)
{
	for (size_t i = 0; i < p->address_count; i++) {
		struct in_addr v4;
		struct in6_addr v6;
		if (a->dut4.s_addr == 0 && inet_pton(AF_INET, p->addresses[i], &v4) == 1)
			a->dut4 = v4;
		else if (inet_pton(AF_INET6, p->addresses[i], &v6) == 1 &&
			 IN6_IS_ADDR_UNSPECIFIED(&a->dut6))
			a->dut6 = v6;
	}
}

int campaign_addresses(const struct profile *p, const uint8_t tester_mac[6],
		       struct template_addresses *a, struct dl_error *err)
{
	profile_addresses(p, a);
	interface_addresses(p->robustness.interface, a);
	memcpy(a->tester_mac, tester_mac, 6);
	return learn_dut_mac(p, a, err);
}

/* ---- the templates and the draw ---- */

static int prepare_templates(struct campaign *k, struct dl_error *err)
{
	const struct profile_robustness *r = k->r;
	struct mutation_options options = {
		.level = r->level ? r->level : 1, .checksums = false, .fragments = true};
	if (r->mix_count > DL_ARRAY_SIZE(k->share_limit))
		return dl_error_set(err, DL_EINVAL, "robustness.mix: more than %zu protocols",
				    DL_ARRAY_SIZE(k->share_limit));
	for (size_t s = 0; s < r->mix_count; s++) {
		k->share_first[s] = k->template_count;
		for (size_t t = 0; t < fuzz_template_count; t++) {
			const struct fuzz_template *ft = fuzz_templates[t];
			if (strcmp(ft->protocol, r->mix[s].protocol) != 0)
				continue;
			if (k->template_count == TEMPLATES_MAX)
				return dl_error_set(err, DL_ENOMEM,
						    "robustness: more than %d templates in the mix",
						    TEMPLATES_MAX);
			struct campaign_template *ct = &k->templates[k->template_count];
			ct->template = ft;
			ct->share = s;
			ct->valid = malloc(sizeof(*ct->valid));
			ct->plan = malloc(sizeof(*ct->plan));
			if (!ct->valid || !ct->plan) {
				free(ct->valid);
				free(ct->plan);
				return dl_error_set(err, DL_ENOMEM, "robustness: out of memory");
			}
			k->template_count++;
			packet_init(ct->valid);
			int rc = ft->build(ct->valid, &k->addresses, err);
			if (rc)
				return dl_error_prefix(err, "robustness: template %s", ft->name);
			mutate_plan_build(ct->plan, ct->valid, ft, &options);
		}
		k->share_count[s] = k->template_count - k->share_first[s];
		/* a session protocol (bgp) is robustness.sessions' to send */
		if (k->share_count[s] == 0 && session_protocol_find(r->mix[s].protocol))
			continue;
		if (k->share_count[s] == 0)
			return dl_error_set(err, DL_EINVAL,
					    "robustness.mix: no template for protocol '%s'",
					    r->mix[s].protocol);
		k->weight_total += r->mix[s].weight;
		k->share_limit[s] = k->weight_total;
	}
	k->share_total = r->mix_count;
	return 0;
}

static struct campaign_template *draw(const struct campaign *k, uint64_t index)
{
	struct random_state rs;
	random_seed(&rs, k->seed, index, SCHEDULE_KEY);
	uint64_t w = random_next(&rs) % k->weight_total;
	size_t s = 0;
	while (s + 1 < k->share_total && (w >= k->share_limit[s] || k->share_count[s] == 0))
		s++;
	size_t t = k->share_first[s] + (size_t)(random_next(&rs) % k->share_count[s]);
	return (struct campaign_template *)&k->templates[t];
}

/* Case index: its template and frames. */
static int make_case(struct campaign *k, uint64_t index, struct campaign_template **t,
		     struct fuzz_case *record, struct dl_error *err)
{
	*t = draw(k, index);
	return mutate_planned((*t)->plan, k->seed, index, k->frames, record, err);
}

/* ---- sending ---- */

static int send_case(struct campaign *k, uint64_t index, bool log, struct dl_error *err)
{
	struct campaign_template *t;
	struct fuzz_case record;
	int rc = make_case(k, index, &t, &record, err);
	if (rc)
		return rc;
	for (size_t f = 0; f < record.frame_count; f++) {
		struct dl_error why;
		rc = ring_send(k->ring, k->frames[f].bytes, k->frames[f].length, &why);
		if (rc == DL_ESCOPE || rc == DL_EINVAL) {
			/* the guard refused what a mutation aimed elsewhere, or the frame
			 * cannot leave this port (shorter than a header, over the MTU):
			 * counted, not sent */
			k->frames_refused++;
			continue;
		}
		if (rc)
			return dl_error_set(err, rc, "%s", why.message);
		k->frames_sent++;
		if (log && k->sent_log_open) {
			char comment[256];
			fuzz_case_describe(&record, comment, sizeof(comment));
			struct timespec now;
			clock_gettime(CLOCK_REALTIME, &now);
			struct dl_error ignored;
			(void)pcapng_write_packet(&k->sent_log, now.tv_sec,
						  (uint32_t)(now.tv_nsec / 1000),
						  k->frames[f].bytes, k->frames[f].length,
						  k->frames[f].length, comment, &ignored);
		}
	}
	if (log) {
		t->cases++;
		coverage_add(k->coverage, &record);
	}
	return ring_flush(k->ring, false, err);
}

/* Send cases first..last again at the campaign's rate. */
static int replay(struct campaign *k, uint64_t first, uint64_t last, struct dl_error *err)
{
	for (uint64_t i = first; i <= last; i++) {
		if (monotonic_ns() > k->config->deadline_ns)
			return dl_error_set(err, DL_ETIMEDOUT, "robustness: the deadline passed");
		rate_wait(&k->rate, 64);
		int rc = send_case(k, i, false, err);
		if (rc)
			return rc;
		k->cases_replayed++;
	}
	return ring_flush(k->ring, true, err);
}

/* ---- health ---- */

/* Wait for the DUT to recover, power-cycling it once if the profile says
 * how. *how: "recovered", "power_cycle" or "" when it did not come back. */
static int recover(struct campaign *k, const char **how, struct dl_error *err)
{
	return watch_recover(&k->watch, "power-cycle.log", k->config->deadline_ns, NULL, NULL, how,
			     err);
}

/* The first case sent at or after at_ns (by the poll history). */
static uint64_t index_at(const struct campaign *k, int64_t at_ns)
{
	uint64_t best = k->next_index;
	for (size_t n = 0; n < k->history_count; n++) {
		size_t i = (k->history_head + HISTORY_MAX - 1 - n) % HISTORY_MAX;
		if (k->history[i].at_ns < at_ns)
			break;
		best = k->history[i].next_index;
	}
	if (k->history_count == HISTORY_MAX || best == k->next_index) {
		/* older than the history: the oldest entry we have */
		size_t oldest = (k->history_head + HISTORY_MAX - k->history_count) % HISTORY_MAX;
		if (k->history_count && k->history[oldest].at_ns >= at_ns)
			best = k->history[oldest].next_index;
	}
	return best;
}

static void remember(struct campaign *k)
{
	k->history[k->history_head] = (struct history_entry){monotonic_ns(), k->next_index};
	k->history_head = (k->history_head + 1) % HISTORY_MAX;
	if (k->history_count < HISTORY_MAX)
		k->history_count++;
}

/* ---- failures ---- */

static int write_reproducer(struct campaign *k, uint64_t first, uint64_t last, size_t number,
			    char *relative, size_t size, struct dl_error *err)
{
	snprintf(relative, size, "evidence/robustness/failure-%zu.pcapng", number);
	char path[4200];
	snprintf(path, sizeof(path), "%s/failure-%zu.pcapng", k->robustness_dir, number);
	struct pcapng_writer w = {0};
	char comment[256];
	snprintf(comment, sizeof(comment),
		 "dutlab robustness reproducer: seed %" PRIu64 ", cases %" PRIu64 "-%" PRIu64,
		 k->seed, first, last);
	int rc = pcapng_open(&w, path, 1, PACKET_BYTES_MAX, k->r->interface, comment, 0, err);
	if (rc)
		return rc;
	if (last - first >= REPRODUCER_CASES_MAX)
		last = first + REPRODUCER_CASES_MAX - 1;
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	for (uint64_t i = first; i <= last && !rc; i++) {
		struct campaign_template *t;
		struct fuzz_case record;
		rc = make_case(k, i, &t, &record, err);
		fuzz_case_describe(&record, comment, sizeof(comment));
		for (size_t f = 0; !rc && f < record.frame_count; f++)
			rc = pcapng_write_packet(&w, now.tv_sec, (uint32_t)(now.tv_nsec / 1000),
						 k->frames[f].bytes, k->frames[f].length,
						 k->frames[f].length, comment, err);
	}
	struct dl_error close_err;
	if (pcapng_close(&w, &close_err) != 0 && !rc)
		rc = dl_error_set(err, close_err.code, "%s", close_err.message);
	return rc;
}

static struct json_object *case_json(struct campaign *k, uint64_t index)
{
	struct campaign_template *t;
	struct fuzz_case record;
	struct dl_error ignored;
	struct json_object *o = json_object_new_object();
	json_object_object_add(o, "index", json_object_new_int64((int64_t)index));
	if (make_case(k, index, &t, &record, &ignored) != 0)
		return o;
	char text[512];
	fuzz_case_describe(&record, text, sizeof(text));
	json_object_object_add(o, "template", json_object_new_string(t->template->name));
	json_object_object_add(o, "protocol", json_object_new_string(t->template->protocol));
	json_object_object_add(o, "description", json_object_new_string(text));
	struct json_object *m = json_object_new_array();
	for (size_t i = 0; i < record.mutation_count; i++) {
		struct json_object *x = json_object_new_object();
		json_object_object_add(x, "field",
				       json_object_new_string(record.mutations[i].field));
		json_object_object_add(x, "anomaly",
				       json_object_new_string(anomaly_name(
					       (enum anomaly)record.mutations[i].anomaly)));
		json_object_object_add(x, "before",
				       json_object_new_int64((int64_t)record.mutations[i].before));
		json_object_object_add(x, "after",
				       json_object_new_int64((int64_t)record.mutations[i].after));
		json_object_array_add(m, x);
	}
	json_object_object_add(o, "mutations", m);
	return o;
}

/* Replay first..last and watch: did the DUT fail again? Recovers it after (bisect_reproduces;
 * ctx is the campaign). */
static int reproduces(void *ctx, uint64_t first, uint64_t last, bool *failed, bool *back,
		      struct dl_error *err)
{
	struct campaign *k = ctx;
	struct health_event e;
	*back = true;
	int rc = replay(k, first, last, err);
	if (!rc)
		rc = watch_for(&k->watch, k->watch.detect_ms, failed, &e, err);
	if (!rc && *failed) {
		const char *how;
		rc = recover(k, &how, err);
		*back = !rc && how[0];
	}
	return rc;
}

static int handle_failure(struct campaign *k, const struct health_event *e, struct dl_error *err)
{
	int64_t lead = (int64_t)(e->consecutive + 1) * health_set_interval_ms(k->watch.set) +
		       k->watch.detect_ms + 2000;
	uint64_t last = k->next_index ? k->next_index - 1 : 0;
	uint64_t first = index_at(k, e->at_ns - lead * 1000000);
	if (first > last)
		first = last;
	if (last - first >= WINDOW_CASES_MAX)
		first = last - WINDOW_CASES_MAX + 1;
	size_t number = ++k->failure_count;
	struct json_object *f = json_object_new_object();
	json_object_array_add(k->failures, f);
	json_object_object_add(f, "at_s",
			       json_object_new_double((double)(e->at_ns - k->origin_ns) / 1e9));
	json_object_object_add(f, "monitor", json_object_new_string(e->monitor));
	json_object_object_add(f, "evidence", json_object_new_string(e->evidence));
	struct json_object *window = json_object_new_object();
	json_object_object_add(window, "first", json_object_new_int64((int64_t)first));
	json_object_object_add(window, "last", json_object_new_int64((int64_t)last));
	json_object_object_add(f, "window", window);

	const char *how;
	int rc = recover(k, &how, err);
	if (rc)
		return rc;
	json_object_object_add(f, "recovery", json_object_new_string(how[0] ? how : "none"));
	if (!how[0]) {
		snprintf(k->stopped, sizeof(k->stopped),
			 "the DUT did not recover from failure %zu (%s) within %u s%s", number,
			 e->evidence, k->r->recovery_seconds ? k->r->recovery_seconds : 60,
			 k->r->power_cycle ? " nor after a power cycle" : "");
		return 0;
	}
	/* confirm: the whole window again; then its halves */
	struct bisect_result b;
	rc = bisect_window(first, last, reproduces, k, k->config->deadline_ns, &b, err);
	if (rc)
		return rc;
	bool failed = b.confirmed, back = b.back;
	uint64_t lo = b.lo, hi = b.hi;
	unsigned steps = b.steps;
	json_object_object_add(f, "reproduced", json_object_new_boolean(failed));
	if (!back) {
		snprintf(k->stopped, sizeof(k->stopped),
			 "the DUT did not recover while failure %zu was bisected", number);
	}
	struct json_object *minimal = json_object_new_object();
	json_object_object_add(minimal, "first", json_object_new_int64((int64_t)lo));
	json_object_object_add(minimal, "last", json_object_new_int64((int64_t)hi));
	json_object_object_add(minimal, "bisect_steps", json_object_new_int((int)steps));
	struct json_object *cases = json_object_new_array();
	for (uint64_t i = lo; i <= hi && i < lo + 8; i++)
		json_object_array_add(cases, case_json(k, i));
	json_object_object_add(minimal, "cases", cases);
	json_object_object_add(f, "minimal", minimal);
	char relative[256];
	rc = write_reproducer(k, failed ? lo : first, failed ? hi : last, number, relative,
			      sizeof(relative), err);
	if (rc)
		return rc;
	json_object_object_add(f, "reproducer", json_object_new_string(relative));
	return 0;
}

/* ---- checkpoints ---- */

static void checkpoint(struct campaign *k, int64_t now)
{
	struct checkpoint_place at = {.seed = k->seed,
				      .next_index = k->next_index,
				      .seconds_run = (double)(now - k->started_ns) / 1e9};
	struct json_object *o = checkpoint_new(&at, k->failures);
	(void)checkpoint_save(k->config->campaign_dir, CAMPAIGN_CHECKPOINT_KEY, o);
	json_object_put(o);
}

/* Where an interrupted run stopped: seed, next index, seconds and failures;
 * the counts and coverage are rebuilt by regenerating the cases sent. */
static double resume(struct campaign *k, bool *resumed)
{
	struct checkpoint_place at;
	struct json_object *o = checkpoint_load(k->config->campaign_dir, CAMPAIGN_CHECKPOINT_KEY,
						k->r->seed, &at, k->failures);
	*resumed = o != NULL;
	json_object_put(o);
	if (!*resumed)
		return 0;
	k->seed = at.seed;
	k->next_index = at.next_index;
	k->failure_count = json_object_array_length(k->failures);
	return at.seconds_run;
}

/* ---- setup and the loop ---- */

static void release(struct campaign *k)
{
	watch_stop(&k->watch);
	ring_close(k->ring);
	if (k->sent_log_open) {
		struct dl_error ignored;
		(void)pcapng_close(&k->sent_log, &ignored);
	}
	for (size_t i = 0; i < k->template_count; i++) {
		free(k->templates[i].valid);
		free(k->templates[i].plan);
	}
	free(k->frames);
	free(k->coverage);
	json_object_put(k->failures);
}

static struct json_object *observation(struct campaign *k, double seconds_run, bool resumed,
				       uint64_t resumed_at)
{
	const struct profile_robustness *r = k->r;
	struct checkpoint_place at = {
		.seed = k->seed, .next_index = k->next_index, .seconds_run = seconds_run};
	struct json_object *o =
		checkpoint_observation(r, &at, (double)(monotonic_ns() - k->origin_ns) / 1e9,
				       k->stopped, resumed, resumed_at);
	json_object_object_add(o, "cases", json_object_new_int64((int64_t)k->next_index));
	json_object_object_add(o, "frames_sent", json_object_new_int64((int64_t)k->frames_sent));
	json_object_object_add(o, "frames_refused",
			       json_object_new_int64((int64_t)k->frames_refused));
	json_object_object_add(o, "cases_replayed",
			       json_object_new_int64((int64_t)k->cases_replayed));
	struct json_object *protocols = json_object_new_object();
	for (size_t s = 0; s < r->mix_count; s++) {
		struct json_object *po = json_object_new_object();
		struct json_object *templates = json_object_new_object();
		uint64_t cases = 0;
		size_t offered = 0, hit = 0;
		for (size_t i = k->share_first[s]; i < k->share_first[s] + k->share_count[s]; i++) {
			struct campaign_template *t = &k->templates[i];
			size_t o_t = 0, h_t = 0;
			coverage_of_template(k->coverage, t->valid, t->template, &t->plan->options,
					     &o_t, &h_t);
			struct json_object *to = json_object_new_object();
			json_object_object_add(to, "cases",
					       json_object_new_int64((int64_t)t->cases));
			json_object_object_add(to, "offered", json_object_new_int64((int64_t)o_t));
			json_object_object_add(to, "hit", json_object_new_int64((int64_t)h_t));
			json_object_object_add(templates, t->template->name, to);
			cases += t->cases;
			offered += o_t;
			hit += h_t;
		}
		json_object_object_add(po, "weight", json_object_new_int((int)r->mix[s].weight));
		json_object_object_add(po, "cases", json_object_new_int64((int64_t)cases));
		json_object_object_add(po, "offered", json_object_new_int64((int64_t)offered));
		json_object_object_add(po, "hit", json_object_new_int64((int64_t)hit));
		json_object_object_add(po, "templates", templates);
		json_object_object_add(protocols, r->mix[s].protocol, po);
	}
	json_object_object_add(o, "protocols", protocols);
	struct json_object *monitors = json_object_new_array();
	for (size_t i = 0; k->watch.set && i < health_set_count(k->watch.set); i++)
		json_object_array_add(monitors,
				      json_object_new_string(health_set_name(k->watch.set, i)));
	json_object_object_add(o, "monitors", monitors);
	json_object_object_add(o, "health_events", json_object_get(k->watch.events));
	json_object_object_add(o, "failures", json_object_get(k->failures));
	json_object_object_add(o, "sent_log",
			       json_object_new_string("evidence/robustness/sent.pcapng"));
	return o;
}

int campaign_run(const struct campaign_config *c, struct json_object **out, struct dl_error *err)
{
	*out = NULL;
	const struct profile_robustness *r = &c->profile->robustness;
	if (!r->declared)
		return dl_error_set(err, DL_EINVAL,
				    "robustness: the profile has no robustness section; add one "
				    "(docs/profile.md)");
	struct campaign *k = calloc(1, sizeof(*k));
	if (!k)
		return dl_error_set(err, DL_ENOMEM, "robustness: out of memory");
	k->config = c;
	k->r = r;
	k->failures = json_object_new_array();
	k->frames = calloc(MUTATION_FRAMES_MAX, sizeof(*k->frames));
	k->coverage = malloc(sizeof(*k->coverage));
	int rc = 0;
	if (!k->failures || !k->frames || !k->coverage)
		rc = dl_error_set(err, DL_ENOMEM, "robustness: out of memory");
	if (!rc) {
		coverage_init(k->coverage);
		snprintf(k->robustness_dir, sizeof(k->robustness_dir), "%s/robustness",
			 c->evidence_dir);
		if (mkdir(k->robustness_dir, 0755) != 0 && errno != EEXIST)
			rc = dl_error_set(err, DL_EIO, "robustness: cannot create %s: %s",
					  k->robustness_dir, strerror(errno));
	}
	bool resumed = false;
	double seconds_before = 0;
	if (!rc) {
		seconds_before = resume(k, &resumed);
		if (!k->seed)
			k->seed = r->seed;
		while (!k->seed)
			if (getrandom(&k->seed, sizeof(k->seed), 0) != (ssize_t)sizeof(k->seed))
				k->seed = (uint64_t)monotonic_ns();
		k->seed &= 0x7fffffffffffffffull; /* stored as a signed JSON integer */
	}
	struct ring_options ro = {.send = true, .frame_size = 16384, .frame_count = 512};
	if (!rc)
		rc = ring_open(&k->ring, &c->profile->scope, r->interface, &ro, err);
	if (!rc) {
		uint8_t mac[6];
		ring_mac(k->ring, mac);
		rc = campaign_addresses(c->profile, mac, &k->addresses, err);
	}
	if (!rc)
		rc = prepare_templates(k, err);
	if (!rc && k->template_count == 0)
		snprintf(k->stopped, sizeof(k->stopped),
			 "robustness.mix names no packet protocol (its protocols are sent by "
			 "robustness.sessions)");
	if (!rc)
		rc = watch_start(&k->watch, c->profile, k->robustness_dir, "health-exec.log", err);
	if (!rc) {
		char path[4200];
		snprintf(path, sizeof(path), "%s/sent.pcapng", k->robustness_dir);
		k->sent_log_open =
			pcapng_open(&k->sent_log, path, 1, PACKET_BYTES_MAX, r->interface,
				    "dutlab robustness: every frame sent, commented with "
				    "its test case",
				    SENT_LOG_BYTES, err) == 0;
		rc = 0;
	}
	uint64_t resumed_at = k->next_index;
	/* a resumed run rebuilds its counts and coverage from the cases already sent */
	for (uint64_t i = 0; !rc && i < resumed_at; i++) {
		struct campaign_template *t;
		struct fuzz_case record;
		rc = make_case(k, i, &t, &record, err);
		if (!rc) {
			t->cases++;
			coverage_add(k->coverage, &record);
		}
	}
	double seconds_run = seconds_before;
	if (!rc) {
		rate_init(&k->rate, r->rate, 0, 1);
		int64_t now = monotonic_ns();
		k->started_ns = now - (int64_t)(seconds_before * 1e9);
		k->origin_ns = k->started_ns;
		int64_t end = k->started_ns + (int64_t)r->duration_seconds * 1000000000;
		int64_t next_poll = now,
			next_checkpoint = now + CAMPAIGN_CHECKPOINT_SECONDS * 1000000000ll;
		int64_t next_progress = now;
		uint64_t total = (uint64_t)r->duration_seconds * r->rate;
		unsigned interval = health_set_interval_ms(k->watch.set);
		k->watch.origin_ns = k->origin_ns;
		while (!rc && !k->stopped[0] && now < end) {
			if (now >= c->deadline_ns) {
				snprintf(k->stopped, sizeof(k->stopped),
					 "the collector's deadline came after %.0f s of %u s",
					 (double)(now - k->started_ns) / 1e9, r->duration_seconds);
				break;
			}
			rate_wait(&k->rate, 64);
			rc = send_case(k, k->next_index, true, err);
			if (rc)
				break;
			k->next_index++;
			now = monotonic_ns();
			if (now >= next_poll) {
				next_poll = now + (int64_t)interval * 1000000;
				remember(k);
				struct health_status st;
				rc = health_set_poll(k->watch.set, &st, err);
				for (size_t i = 0; !rc && i < st.event_count; i++) {
					watch_on_event(&st.events[i], &k->watch);
					if (st.events[i].kind != HEALTH_FAILED)
						continue;
					/* the time spent on a failure is not fuzzing time:
					 * the duration counts cases sent */
					int64_t handling = monotonic_ns();
					rc = handle_failure(k, &st.events[i], err);
					int64_t spent = monotonic_ns() - handling;
					k->started_ns += spent;
					end += spent;
					next_checkpoint += spent;
					unsigned most = r->max_failures ? r->max_failures : 8;
					if (!rc && !k->stopped[0] && k->failure_count >= most)
						snprintf(k->stopped, sizeof(k->stopped),
							 "%zu failures, the most "
							 "robustness.max_failures "
							 "asks to investigate",
							 k->failure_count);
					break;
				}
			}
			if (now >= next_checkpoint) {
				next_checkpoint = now + CAMPAIGN_CHECKPOINT_SECONDS * 1000000000ll;
				checkpoint(k, now);
			}
			if (now >= next_progress && c->progress) {
				next_progress = now + 1000000000;
				char what[160];
				snprintf(what, sizeof(what),
					 "%" PRIu64 " cases, %.0f of %u s, %zu failures",
					 k->next_index, (double)(now - k->started_ns) / 1e9,
					 r->duration_seconds, k->failure_count);
				c->progress(c->progress_opaque, k->next_index, total, what);
			}
		}
		now = monotonic_ns();
		seconds_run = (double)(now - k->started_ns) / 1e9;
		if (!rc)
			checkpoint(k, now);
	}
	if (!rc)
		*out = observation(k, seconds_run, resumed, resumed_at);
	release(k);
	free(k);
	return rc;
}
