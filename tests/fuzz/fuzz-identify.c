/* fuzz-identify: libFuzzer target for identify_service (input: port, tls flag, banner) */
#include "core/compat.h"

#include "checks/discovery/identify.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 3)
		return 0;
	uint16_t port = (uint16_t)(data[0] << 8 | data[1]);
	bool tls = data[2] & 1;
	struct service_identity id;
	if (identify_service(port, data + 3, size - 3, tls, &id) != 0)
		abort();
	if (!id.service[0] || !memchr(id.detail, '\0', sizeof(id.detail)) ||
	    id.disclosure_count > DISCLOSURES_MAX)
		abort();
	for (size_t i = 0; i < id.disclosure_count; i++)
		if (strcmp(id.disclosures[i].kind, DISCLOSURE_KIND_VERSION) != 0 &&
		    strcmp(id.disclosures[i].kind, DISCLOSURE_KIND_DEVICE_INFO) != 0 &&
		    strcmp(id.disclosures[i].kind, DISCLOSURE_KIND_CONTENT) != 0)
			abort();
	(void)identify_probe_for(port);
	(void)identify_port_hint(tls ? "udp" : "tcp", port);
	return 0;
}
