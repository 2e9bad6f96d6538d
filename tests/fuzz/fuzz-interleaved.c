/* fuzz-interleaved: libFuzzer target for the RTSP interleaved frame parser (proto/interleaved.h),
 * and the packet core */
#include "core/compat.h"

#include "fuzz-media.h"
#include "proto/interleaved.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return media_fuzz(&interleaved_layer, data, size);
}
