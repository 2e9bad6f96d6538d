/* fuzz-rtcp: libFuzzer target for the rtcp model's parser (proto/rtcp.h), and the packet core */
#include "core/compat.h"

#include "fuzz-media.h"
#include "proto/rtcp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return media_fuzz(&rtcp_layer, data, size);
}
