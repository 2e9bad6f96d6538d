/* rate: pacing sends to packets or bits per second, with bursts, on the monotonic clock */
#ifndef DUTLAB_NET_RATE_H
#define DUTLAB_NET_RATE_H

/*
 * A token bucket: rate_wait() returns when the next frame may leave.
 * Sleeps (clock_nanosleep) when the wait is long, spins the last
 * microseconds, so 1 Mpps keeps its spacing. A rate of 0 is unpaced.
 * burst: frames (or bytes) that may leave back to back after an idle spell.
 */

#include <stdint.h>

struct rate {
	uint64_t packets_per_second; /* 0: not limited by packets */
	uint64_t bits_per_second;    /* 0: not limited by bits */
	uint64_t burst;              /* packets allowed back to back (1: evenly spaced) */
	uint64_t next_ns;            /* when the next frame may leave; 0: not started */
	uint64_t credit_ns;          /* idle time banked by the last frame, at most
					(burst - 1) frames' worth */
};

void rate_init(struct rate *r, uint64_t packets_per_second, uint64_t bits_per_second,
	       uint64_t burst);

/* Wait until a frame of length bytes (plus 24 bytes of preamble, FCS and
 * gap for the bit rate) may leave. */
void rate_wait(struct rate *r, uint32_t length);

/* The arithmetic behind rate_wait, on a clock the caller gives (tests use a
 * virtual one): book one frame of length bytes at now_ns and return when it
 * may leave (now_ns when it may leave at once). */
uint64_t rate_next(struct rate *r, uint32_t length, uint64_t now_ns);

#endif
