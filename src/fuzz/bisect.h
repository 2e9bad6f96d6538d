/* bisect: a failure's window of cases confirmed and narrowed to the smallest range that still
 * fails the DUT, shared by the packet and the session campaigns */
#ifndef DUTLAB_FUZZ_BISECT_H
#define DUTLAB_FUZZ_BISECT_H

/*
 * A campaign knows which cases were sent while the DUT failed (the window:
 * every case since the failure time less the monitors' lead), not which of
 * them failed it. The window is replayed whole first (a failure again
 * confirms it; none, once more); then halves: the first half alone, else the second, else
 * (neither failed) each once more, so a case lost to timing is not taken for
 * a failure that needs cases from both halves; the half that fails is kept,
 * down to one case, or to the smallest range no half of which fails alone.
 * Each replay is the campaign's own (struct bisect_reproduces): it sends the
 * cases, watches the DUT and recovers it when it failed.
 */

#include <stdbool.h>
#include <stdint.h>

struct dl_error;

#define BISECT_STEPS_MAX 40 /* halvings: 2^40 cases, more than any window holds */

/*
 * Replay cases first..last (first <= last) and watch: *failed when the DUT
 * failed again, *back when it came back after (always true when it did not
 * fail). The callback recovers the DUT itself. 0, or the campaign's own
 * error (it ends the bisection and is returned as is).
 */
typedef int (*bisect_reproduces)(void *ctx, uint64_t first, uint64_t last, bool *failed, bool *back,
				 struct dl_error *err);

struct bisect_result {
	bool confirmed;   /* replaying the whole window failed the DUT again */
	bool back;        /* the DUT came back after every replay (false: bisection stopped) */
	uint64_t lo, hi;  /* the smallest range found that fails it (the window when not
			   * confirmed) */
	unsigned steps;   /* halvings tried (at most BISECT_STEPS_MAX) */
	unsigned replays; /* calls of reproduces, the confirmation included */
};

/*
 * Confirm first..last (first <= last), then bisect it while the DUT comes
 * back, the range is longer than one case, fewer than BISECT_STEPS_MAX
 * halvings ran and the monotonic clock is before deadline_ns (the
 * confirmation runs whatever the time: reproduces keeps its own deadline).
 * 0 with *out, or reproduces' error (*out then holds where it stopped).
 */
int bisect_window(uint64_t first, uint64_t last, bisect_reproduces reproduces, void *ctx,
		  int64_t deadline_ns, struct bisect_result *out, struct dl_error *err);

#endif
