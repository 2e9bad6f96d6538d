/* fuzz-snmp: libFuzzer target for snmp_parse and the snmp reply describer */
#include "core/compat.h"

#include "core/error.h"
#include "fuzz-describe.h"
#include "proto/snmp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct snmp_message parsed;
	struct dl_error err;
	int rc = snmp_parse(data, size, &parsed, &err);
	if (rc < 0 && !strstr(err.message, "snmp"))
		abort(); /* every rejection must say what it rejected */
	if (rc == 0 && parsed.varbind_count > 0) {
		/* the OIDs we decoded encode back to the same text (X.690 8.19) */
		const char *oids[SNMP_VARBINDS_MAX];
		for (size_t i = 0; i < parsed.varbind_count; i++)
			oids[i] = parsed.varbinds[i].oid;
		static uint8_t again[65536];
		size_t len;
		static struct snmp_message reparsed;
		if (snmp_build_get(again, sizeof(again), &len, parsed.version, "public",
				   parsed.request_id, oids, parsed.varbind_count, &err) < 0 ||
		    snmp_parse(again, len, &reparsed, &err) < 0 ||
		    reparsed.varbind_count != parsed.varbind_count ||
		    reparsed.request_id != parsed.request_id)
			abort();
		for (size_t i = 0; i < parsed.varbind_count; i++)
			if (strcmp(reparsed.varbinds[i].oid, parsed.varbinds[i].oid) != 0)
				abort();
	}
	fuzz_describe("snmp", data, size);
	return 0;
}
