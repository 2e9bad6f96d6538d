/* fuzz-tftp: libFuzzer target for tftp_parse and the tftp reply describer */
#include "core/compat.h"

#include "checks/discovery/udp-probes.h"
#include "core/error.h"
#include "proto/tftp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct tftp_packet parsed;
	struct dl_error err;
	if (tftp_parse(data, size, &parsed, &err) < 0 && !strstr(err.message, "tftp"))
		abort(); /* every rejection must say what it rejected */
	for (size_t i = 0; i < udp_probe_count; i++) {
		if (!udp_probes[i].describe || strcmp(udp_probes[i].service, "tftp") != 0)
			continue;
		struct udp_probe_result result;
		if (udp_probes[i].describe(data, size, &result, &err) == 0 &&
		    memchr(result.summary, '\0', sizeof(result.summary)) == NULL)
			abort();
	}
	return 0;
}
