/* fuzz-tftp: libFuzzer target for tftp_parse and the tftp reply describer */
#include "core/compat.h"

#include "core/error.h"
#include "fuzz-describe.h"
#include "proto/tftp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct tftp_packet parsed;
	struct dl_error err;
	if (tftp_parse(data, size, &parsed, &err) < 0 && !strstr(err.message, "tftp"))
		abort(); /* every rejection must say what it rejected */
	fuzz_describe("tftp", data, size);
	return 0;
}
