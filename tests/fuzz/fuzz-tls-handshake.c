/* fuzz-tls-handshake: libFuzzer target for tls_find_record, what the audit reads after a hello */
#include "core/compat.h"

#include "core/error.h"
#include "proto/tls.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct tls_reply reply; /* large: holds the reassembly buffer */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* the audit's follow-up reads (Heartbleed, CCS injection): find each
	 * content type from the start and from where the parser stopped */
	struct dl_error err;
	size_t starts[2] = {0, 0};
	if (tls_parse_reply(data, size, &reply, &err) == 0 || reply.incomplete)
		starts[1] = reply.bytes_parsed;
	if (starts[1] > size)
		abort();
	for (size_t s = 0; s < 2; s++) {
		for (uint8_t type = TLS_CONTENT_CHANGE_CIPHER_SPEC; type <= TLS_CONTENT_HEARTBEAT;
		     type++) {
			size_t at = starts[s], len = 0;
			int rc = tls_find_record(data, size, type, &at, &len, &err);
			if (rc < 0) {
				if (rc != DL_EPROTO || !strstr(err.message, "tls records: offset"))
					abort();
				continue;
			}
			if (rc == 0)
				continue;
			/* a found record is whole, of that type, at or after the start */
			if (rc != 1 || at < starts[s] || at + TLS_RECORD_HEADER_LEN + len > size ||
			    data[at] != type || len > TLS_RECORD_LENGTH_MAX ||
			    (size_t)(data[at + 3] << 8 | data[at + 4]) != len)
				abort();
		}
	}
	return 0;
}
