/* progress: what a campaign shows while it runs: a bar, plain lines, or JSON events */
#ifndef DUTLAB_CORE_PROGRESS_H
#define DUTLAB_CORE_PROGRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/runner.h"

#define PROGRESS_LINE_MAX 512

/* The state of the display; the runner owns it and fills the fields. */
struct progress {
	enum runner_progress mode;
	size_t index, total; /* collectors: this one, of how many */
	const char *collector_id;
	int64_t started_ns; /* this collector */
	int64_t campaign_started_ns;
	unsigned expected_seconds;   /* this collector */
	unsigned remaining_expected; /* collectors after this one */
	uint64_t done, units;
	char what[PROGRESS_LINE_MAX];
	int64_t last_plain_ns;
	bool bar_drawn;
};

/* AUTO becomes a bar on a terminal and plain lines otherwise. */
enum runner_progress progress_resolve_mode(enum runner_progress mode);

/* Redraw the bar (or print a plain line or a JSON progress event at most
 * every few seconds, unless force). */
void progress_draw(struct progress *p, bool force);

/* One event: collector_start, collector_end (state, detail, duration_ms),
 * clause (state = verdict, detail = clause id), finished, interrupted. A
 * negative duration_ms is left out. */
void progress_event(const struct progress *p, const char *event, const char *state,
		    const char *detail, int64_t duration_ms);

#endif
