/* proto-emit: write one builder's output to stdout, for the tshark dissection test and vector
 * capture */
#include "core/compat.h"

#include <unistd.h>

#include "checks/discovery/identify.h"
#include "checks/discovery/udp-probes.h"
#include "core/error.h"
#include "proto/mdns.h"
#include "proto/rtsp.h"

/*
 * Usage: proto-emit NAME [TARGET]
 *   NAME is a udp_probes[] name ("snmp-v2c-public", "ssdp-msearch", ...),
 *   "rtsp-options", "rtsp-describe", "mdns-a-query", or "identify:PORT"
 *   for identify_probe_for(PORT). TARGET defaults to 198.18.250.2.
 *   "list" prints the names, one a line.
 */
int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: proto-emit NAME [TARGET]\n");
		return 2;
	}
	const char *name = argv[1];
	const char *target = argc > 2 ? argv[2] : "198.18.250.2";
	uint8_t buf[UDP_PROBE_PAYLOAD_MAX];
	size_t len = 0;
	struct dl_error err = {0};
	int rc = DL_ENOTFOUND;
	char url[128];
	snprintf(url, sizeof(url), "rtsp://%s:554/stream", target);
	if (strcmp(name, "list") == 0) {
		for (size_t i = 0; i < udp_probe_count; i++)
			printf("%s %u\n", udp_probes[i].name, udp_probes[i].port);
		return 0;
	}
	for (size_t i = 0; i < udp_probe_count; i++)
		if (strcmp(udp_probes[i].name, name) == 0)
			rc = udp_probes[i].build(buf, sizeof(buf), &len, target, &err);
	if (strcmp(name, "rtsp-options") == 0)
		rc = rtsp_build_options(buf, sizeof(buf), &len, url, 1, &err);
	else if (strcmp(name, "rtsp-describe") == 0)
		rc = rtsp_build_describe(buf, sizeof(buf), &len, url, 2, &err);
	else if (strcmp(name, "mdns-a-query") == 0)
		rc = mdns_build_query(buf, sizeof(buf), &len, 0x1234, "cam-bad.local", DNS_TYPE_A,
				      true, &err);
	else if (strncmp(name, "identify:", 9) == 0) {
		uint16_t port = 0;
		for (const char *p = name + 9; *p >= '0' && *p <= '9'; p++)
			port = (uint16_t)(port * 10 + (*p - '0'));
		const struct identify_probe *probe = identify_probe_for(port);
		if (probe) {
			memcpy(buf, probe->bytes, probe->len);
			len = probe->len;
		}
		rc = 0;
	}
	if (rc == DL_ENOTFOUND) {
		fprintf(stderr, "proto-emit: unknown name '%s'; try 'proto-emit list'\n", name);
		return 2;
	}
	if (rc < 0) {
		fprintf(stderr, "proto-emit: %s\n", err.message);
		return 1;
	}
	if (write(STDOUT_FILENO, buf, len) != (ssize_t)len)
		return 1;
	return 0;
}
