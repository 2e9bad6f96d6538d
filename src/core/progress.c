/* progress: what a campaign shows while it runs: a bar, plain lines, or JSON events */
#include "core/compat.h"

#include <json-c/json.h>
#include <unistd.h>

#include "core/monotonic.h"
#include "core/progress.h"

enum runner_progress progress_resolve_mode(enum runner_progress mode)
{
	if (mode != PROGRESS_AUTO)
		return mode;
	return isatty(STDERR_FILENO) ? PROGRESS_BAR : PROGRESS_PLAIN;
}

static void format_duration(char *buf, size_t size, int64_t seconds)
{
	if (seconds < 0)
		seconds = 0;
	if (seconds > 99 * 3600)
		seconds = 99 * 3600; /* an ETA past 99 hours is not worth digits */
	snprintf(buf, size, "%" PRId64 ":%02" PRId64, seconds / 60, seconds % 60);
}

static int64_t progress_eta_seconds(const struct progress *p, int64_t now)
{
	int64_t elapsed = (now - p->started_ns) / 1000000000;
	int64_t current;
	if (p->units > 0 && p->done > 0)
		current =
			(int64_t)((double)elapsed * (double)(p->units - p->done) / (double)p->done);
	else
		current = (int64_t)p->expected_seconds - elapsed;
	if (current < 0)
		current = 0;
	return current + p->remaining_expected;
}

void progress_draw(struct progress *p, bool force)
{
	int64_t now = monotonic_ns();
	char elapsed[32], eta[32];
	format_duration(elapsed, sizeof(elapsed), (now - p->campaign_started_ns) / 1000000000);
	format_duration(eta, sizeof(eta), progress_eta_seconds(p, now));

	if (p->mode == PROGRESS_BAR) {
		enum { WIDTH = 24 };
		char bar[WIDTH + 1];
		double fraction = p->units ? (double)p->done / (double)p->units : 0.0;
		int filled = (int)(fraction * WIDTH);
		for (int i = 0; i < WIDTH; i++)
			bar[i] = i < filled ? '#' : '.';
		bar[WIDTH] = '\0';
		fprintf(stderr, "\r\033[K[%zu/%zu] %s [%s] %3d%%  %.60s  elapsed %s  ETA %s",
			p->index, p->total, p->collector_id, bar, (int)(fraction * 100), p->what,
			elapsed, eta);
		p->bar_drawn = true;
	} else if (p->mode == PROGRESS_PLAIN) {
		if (!force && now - p->last_plain_ns < 5 * (int64_t)1000000000)
			return;
		p->last_plain_ns = now;
		fprintf(stderr, "dutlab: [%zu/%zu] %s: %s (elapsed %s, ETA %s)\n", p->index,
			p->total, p->collector_id, p->what[0] ? p->what : "running", elapsed, eta);
	} else if (p->mode == PROGRESS_JSON) {
		if (!force && now - p->last_plain_ns < 1000000000)
			return;
		p->last_plain_ns = now;
		struct json_object *o = json_object_new_object();
		json_object_object_add(o, "event", json_object_new_string("progress"));
		json_object_object_add(o, "collector", json_object_new_string(p->collector_id));
		json_object_object_add(o, "index", json_object_new_int64((int64_t)p->index));
		json_object_object_add(o, "total", json_object_new_int64((int64_t)p->total));
		json_object_object_add(o, "done", json_object_new_int64((int64_t)p->done));
		json_object_object_add(o, "units", json_object_new_int64((int64_t)p->units));
		json_object_object_add(o, "what", json_object_new_string(p->what));
		json_object_object_add(o, "eta_seconds",
				       json_object_new_int64(progress_eta_seconds(p, now)));
		printf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
		fflush(stdout);
		json_object_put(o);
	}
}

void progress_event(const struct progress *p, const char *event, const char *state,
		    const char *detail, int64_t duration_ms)
{
	if (p->mode == PROGRESS_JSON) {
		struct json_object *o = json_object_new_object();
		json_object_object_add(o, "event", json_object_new_string(event));
		if (p->collector_id)
			json_object_object_add(o, "collector",
					       json_object_new_string(p->collector_id));
		if (state)
			json_object_object_add(o, "state", json_object_new_string(state));
		if (detail)
			json_object_object_add(o, "detail", json_object_new_string(detail));
		if (duration_ms >= 0)
			json_object_object_add(o, "duration_ms",
					       json_object_new_int64(duration_ms));
		printf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
		fflush(stdout);
		json_object_put(o);
		return;
	}
	if (p->mode == PROGRESS_QUIET)
		return;
	if (p->bar_drawn)
		fputs("\r\033[K", stderr);
	if (strcmp(event, "collector_start") == 0)
		fprintf(stderr, "dutlab: [%zu/%zu] %s: started\n", p->index, p->total,
			p->collector_id);
	else if (strcmp(event, "collector_end") == 0)
		fprintf(stderr, "dutlab: [%zu/%zu] %s: %s in %.1f s%s%s\n", p->index, p->total,
			p->collector_id, state, (double)duration_ms / 1000.0, detail ? ": " : "",
			detail ? detail : "");
	else if (strcmp(event, "clause") == 0)
		fprintf(stderr, "dutlab:   clause %s: %s\n", detail, state);
}
