/* fuzz-soap: libFuzzer target for soap_parse */
#include "core/compat.h"

#include "core/error.h"
#include "proto/soap.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct soap_message m;
	struct dl_error err;
	int rc = soap_parse(data, size, &m, &err);
	if (rc < 0) {
		if (!strstr(err.message, "soap: ") || m.version != SOAP_VERSION_NONE)
			abort(); /* every rejection says what it rejected, and leaves nothing */
		return 0;
	}
	if (strlen(m.body_element) >= sizeof(m.body_element) || strlen(m.code) >= sizeof(m.code) ||
	    strlen(m.subcode) >= sizeof(m.subcode) || strlen(m.reason) >= sizeof(m.reason))
		abort();
	if (m.version == SOAP_VERSION_NONE && (m.is_fault || m.has_body || m.body_element[0]))
		abort(); /* only an Envelope has a Body */
	if (m.is_fault != (strcmp(m.body_element, "Fault") == 0))
		abort();
	if (!m.is_fault && (m.code[0] || m.subcode[0] || m.reason[0]))
		abort();
	if (m.elements == 0 || m.elements > size)
		abort();
	return 0;
}
