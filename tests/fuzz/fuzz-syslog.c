/* fuzz-syslog: libFuzzer target for health_syslog_parse, the syslog monitor's RFC 5424/3164 parser
 */
#include "core/compat.h"

#include "core/error.h"
#include "fuzz/health.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* What reaches the evidence (JSON, terminals) must be printable ASCII and terminated. */
static void check_text(const char *text, size_t size)
{
	size_t n = strnlen(text, size);
	if (n == size)
		abort();
	for (size_t i = 0; i < n; i++)
		if (text[i] < 0x20 || text[i] > 0x7e)
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct health_syslog_message m;
	struct dl_error err;
	if (health_syslog_parse(data, size, &m, &err) < 0) {
		if (!strstr(err.message, "syslog"))
			abort(); /* every rejection must say what it rejected */
		return 0;
	}
	if (m.facility > 23 || m.severity > 7)
		abort();
	check_text(m.timestamp, sizeof(m.timestamp));
	check_text(m.hostname, sizeof(m.hostname));
	check_text(m.app_name, sizeof(m.app_name));
	check_text(m.procid, sizeof(m.procid));
	check_text(m.msgid, sizeof(m.msgid));
	check_text(m.msg, sizeof(m.msg));
	return 0;
}
