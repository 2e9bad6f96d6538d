/* fuzz-rtp: libFuzzer target for the rtp model's parser (proto/rtp.h), and the packet core */
#include "core/compat.h"

#include "fuzz-media.h"
#include "proto/rtp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return media_fuzz(&rtp_layer, data, size);
}
