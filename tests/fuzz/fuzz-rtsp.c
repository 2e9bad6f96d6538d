/* fuzz-rtsp: libFuzzer target for rtsp_parse_response */
#include "core/compat.h"

#include "core/error.h"
#include "proto/rtsp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rtsp_response r;
	struct dl_error err;
	int rc = rtsp_parse_response(data, size, &r, &err);
	if (rc < 0 && !strstr(err.message, "rtsp response"))
		abort(); /* every rejection must say what it rejected */
	if (rc == 0 && r.header_length + r.body_available != size)
		abort(); /* the header block and the body account for every byte */
	return 0;
}
