/* fuzz-scope-frame: libFuzzer target for scope_permit_frame(), the guard every mutated frame passes
 */
#include "core/compat.h"

#include "core/error.h"
#include "net/scope.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A frame the guard lets out has every address it reads inside the scope or
 * link-scoped; what matters here is that reading a mutated frame (lengths
 * that lie, options that run past the header, tunnels in tunnels) never
 * reads outside it, whatever it decides. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct scope scope;
	static bool ready;
	struct dl_error err = {0};
	if (!ready) {
		if (scope_add_network(&scope, "198.18.18.0/24", &err) ||
		    scope_add_network(&scope, "fd00:198:0:18::/64", &err) ||
		    scope_add_interface(&scope, "dl-fuzz", &err))
			abort();
		ready = true;
	}
	/* a copy of exactly size bytes, so ASan sees any read past the frame */
	uint8_t *frame = malloc(size ? size : 1);
	if (!frame)
		return 0;
	memcpy(frame, data, size);
	int rc = scope_permit_frame(&scope, frame, size, "dl-fuzz", &err);
	if (rc != 0 && rc != DL_ESCOPE)
		abort();
	if (rc == DL_ESCOPE && !err.message[0])
		abort();
	free(frame);
	return 0;
}
