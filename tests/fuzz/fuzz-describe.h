/* fuzz-describe: run every UDP probe describer of one service over a fuzz input */
#ifndef DUTLAB_TESTS_FUZZ_DESCRIBE_H
#define DUTLAB_TESTS_FUZZ_DESCRIBE_H

#include <stdlib.h>
#include <string.h>

#include "checks/discovery/udp-probes.h"
#include "core/error.h"

/* A describer that accepts a reply must leave a terminated summary. */
static inline void fuzz_describe(const char *service, const uint8_t *data, size_t size)
{
	for (size_t i = 0; i < udp_probe_count; i++) {
		if (!udp_probes[i].describe || strcmp(udp_probes[i].service, service) != 0)
			continue;
		struct udp_probe_result result;
		struct dl_error err;
		if (udp_probes[i].describe(data, size, &result, &err) == 0 &&
		    memchr(result.summary, '\0', sizeof(result.summary)) == NULL)
			abort();
	}
}

#endif
