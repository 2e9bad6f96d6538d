/* bisect: a failure's window of cases confirmed and narrowed to the smallest range that still
 * fails the DUT, shared by the packet and the session campaigns */
#include "core/compat.h"

#include "core/error.h"
#include "core/monotonic.h"
#include "fuzz/bisect.h"

int bisect_window(uint64_t first, uint64_t last, bisect_reproduces reproduces, void *ctx,
		  int64_t deadline_ns, struct bisect_result *out, struct dl_error *err)
{
	*out = (struct bisect_result){.back = true, .lo = first, .hi = last};
	if (last < first)
		return dl_error_set(err, DL_EINVAL,
				    "bisect: an empty window (%" PRIu64 "-%" PRIu64 ")", first,
				    last);
	bool failed = false;
	out->replays++;
	int rc = reproduces(ctx, first, last, &failed, &out->back, err);
	/* not again: once more, as a half is, so a failure lost to timing is not taken for one
	 * the window does not hold (a DUT that dies a moment after the culprit, its monitors'
	 * probes late) */
	if (!rc && !failed && out->back) {
		out->replays++;
		rc = reproduces(ctx, first, last, &failed, &out->back, err);
	}
	if (rc)
		return rc;
	out->confirmed = failed;
	uint64_t lo = first, hi = last;
	while (failed && out->back && hi > lo && out->steps < BISECT_STEPS_MAX &&
	       monotonic_ns() < deadline_ns) {
		out->steps++;
		uint64_t mid = lo + (hi - lo) / 2;
		bool left = false, right = false;
		out->replays++;
		rc = reproduces(ctx, lo, mid, &left, &out->back, err);
		if (!rc && !left && out->back) {
			out->replays++;
			rc = reproduces(ctx, mid + 1, hi, &right, &out->back, err);
		}
		/* neither half: once more each, so a case lost to timing is not taken for a
		 * failure that needs both halves */
		if (!rc && !left && !right && out->back) {
			out->replays++;
			rc = reproduces(ctx, lo, mid, &left, &out->back, err);
		}
		if (!rc && !left && !right && out->back) {
			out->replays++;
			rc = reproduces(ctx, mid + 1, hi, &right, &out->back, err);
		}
		if (rc)
			break;
		if (left)
			hi = mid;
		else if (right)
			lo = mid + 1;
		else
			break; /* neither half alone: lo..hi is the smallest range found */
	}
	out->lo = out->confirmed ? lo : first;
	out->hi = out->confirmed ? hi : last;
	return rc;
}
