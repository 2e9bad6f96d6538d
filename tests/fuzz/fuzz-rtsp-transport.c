/* fuzz-rtsp-transport: libFuzzer target for the RTSP link's Transport pairs (interleaved channels,
 * client_port, server_port; RFC 2326 12.39), rtsp_link_transport_pair() */
#include "core/compat.h"

#include "fuzz/session-rtsp-link.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const keys[] = {"interleaved", "client_port", "server_port"};
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		struct rtsp_link_pair p = rtsp_link_transport_pair(data, size, keys[i]);
		unsigned max = i == 0 ? 255 : 65535;
		if (p.found && (p.first > max || p.second > max))
			abort(); /* a channel or port past its range */
		if (!p.found && (p.first || p.second))
			abort(); /* nothing found says nothing */
	}
	return 0;
}
