/* monotonic: the clock every deadline and progress estimate is measured on */
#ifndef DUTLAB_CORE_MONOTONIC_H
#define DUTLAB_CORE_MONOTONIC_H

#include <stdint.h>

/* CLOCK_MONOTONIC in nanoseconds: immune to the wall clock being set. */
int64_t monotonic_ns(void);

#endif
