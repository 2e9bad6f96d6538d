/* monotonic: the clock every deadline and progress estimate is measured on */
#include "core/compat.h"

#include <time.h>

#include "core/monotonic.h"

int64_t monotonic_ns(void)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (int64_t)now.tv_sec * 1000000000 + now.tv_nsec;
}
