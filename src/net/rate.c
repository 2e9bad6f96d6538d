/* rate: pacing sends to packets or bits per second, with bursts, on the monotonic clock */
#include "core/compat.h"

#include <time.h>

#include "net/rate.h"

/* Below this much waiting, clock_nanosleep's wake-up latency (tens of
 * microseconds) would overshoot: spin on the clock instead. */
#define RATE_SPIN_NS 50000u

/* Preamble and start delimiter (8), FCS (4) and the inter-frame gap (12):
 * what a frame costs on the wire besides the bytes we write. */
#define RATE_WIRE_OVERHEAD 24u

void rate_init(struct rate *r, uint64_t packets_per_second, uint64_t bits_per_second,
	       uint64_t burst)
{
	memset(r, 0, sizeof(*r));
	r->packets_per_second = packets_per_second;
	r->bits_per_second = bits_per_second;
	r->burst = burst ? burst : 1;
}

/* Nanoseconds one frame of length bytes occupies at the slower of the two
 * limits; 0 when unpaced. */
static uint64_t frame_cost_ns(const struct rate *r, uint32_t length)
{
	uint64_t cost = 0;
	if (r->packets_per_second)
		cost = 1000000000u / r->packets_per_second;
	if (r->bits_per_second) {
		/* In double: (length + 24) * 8e9 overflows 64 bits for huge lengths. */
		double bits = ((double)length + RATE_WIRE_OVERHEAD) * 8.0;
		uint64_t by_bits = (uint64_t)(bits * 1e9 / (double)r->bits_per_second);
		if (by_bits > cost)
			cost = by_bits;
	}
	return cost;
}

uint64_t rate_next(struct rate *r, uint32_t length, uint64_t now_ns)
{
	uint64_t cost = frame_cost_ns(r, length);
	if (cost == 0)
		return now_ns;
	if (r->next_ns == 0)
		r->next_ns = now_ns;
	/* The bucket: after an idle spell the schedule may lag the clock by at
	 * most burst - 1 frames, which then leave back to back. */
	uint64_t lag_max = (r->burst - 1) * cost;
	uint64_t virtual_ns = r->next_ns;
	if (now_ns > lag_max && now_ns - lag_max > virtual_ns)
		virtual_ns = now_ns - lag_max;
	r->credit_ns = now_ns > virtual_ns ? now_ns - virtual_ns : 0;
	r->next_ns = virtual_ns + cost;
	return virtual_ns > now_ns ? virtual_ns : now_ns;
}

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void rate_wait(struct rate *r, uint32_t length)
{
	if (!r->packets_per_second && !r->bits_per_second)
		return;
	uint64_t start = now_ns();
	uint64_t until = rate_next(r, length, start);
	if (until <= start)
		return;
	if (until - start > RATE_SPIN_NS) {
		uint64_t wake = until - RATE_SPIN_NS;
		struct timespec ts = {.tv_sec = (time_t)(wake / 1000000000u),
				      .tv_nsec = (long)(wake % 1000000000u)};
		/* EINTR: a signal woke us early; the spin below finishes the wait. */
		clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
	}
	/* Bounded: the clock is monotonic and until is at most one sleep away. */
	while (now_ns() < until)
		;
}
