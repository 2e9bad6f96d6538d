/* fuzz-ntp: libFuzzer target for ntp_parse and the ntp reply describer */
#include "core/compat.h"

#include "core/error.h"
#include "fuzz-describe.h"
#include "proto/ntp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ntp_packet parsed;
	struct dl_error err;
	if (ntp_parse(data, size, &parsed, &err) < 0 && !strstr(err.message, "ntp"))
		abort(); /* every rejection must say what it rejected */
	fuzz_describe("ntp", data, size);
	return 0;
}
