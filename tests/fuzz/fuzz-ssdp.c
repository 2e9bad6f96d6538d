/* fuzz-ssdp: libFuzzer target for ssdp_parse_response and the ssdp reply describer */
#include "core/compat.h"

#include "core/error.h"
#include "fuzz-describe.h"
#include "proto/ssdp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ssdp_response parsed;
	struct dl_error err;
	if (ssdp_parse_response(data, size, &parsed, &err) < 0 && !strstr(err.message, "ssdp"))
		abort(); /* every rejection must say what it rejected */
	fuzz_describe("ssdp", data, size);
	return 0;
}
