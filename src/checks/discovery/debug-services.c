/* debug-services: no debug or shell service may be reachable over the network (TS 5.3.2.2) */
#include "core/compat.h"

#include "checks/check.h"
#include "checks/discovery/scan-view.h"
#include "core/error.h"

/*
 * TS-0014-1 5.3.2.2: debug interfaces and shell services (telnet, adb,
 * gdbserver, serial-over-IP, vendor debug consoles) must not be reachable
 * over the network. The collector's identification (checks/discovery/
 * identify.c) marks them, by what they answered or by a port that only
 * debug services use; this judge fails for each and passes otherwise.
 */
static bool is_debug(const struct scan_service *s)
{
	return s->debug;
}

static int judge(const struct json_object *observation, const struct check_params *params,
		 const struct profile *profile, struct check_verdict *out, struct dl_error *err)
{
	(void)params;
	(void)profile;
	struct scan_view view;
	int rc = scan_view_load(observation, &view, err);
	if (rc < 0)
		return rc;
	size_t debug = 0;
	char label[256];
	char list[1024];
	struct scan_list debug_list = {.length = 0};
	for (size_t i = 0; i < view.service_count && rc == 0; i++) {
		const struct scan_service *s = &view.services[i];
		if (!s->debug)
			continue;
		debug++;
		scan_service_label(s, label, sizeof(label));
		char item[64];
		snprintf(item, sizeof(item), "%s/%u %.40s", s->proto, s->port, s->service);
		scan_list_add(&debug_list, item);
		if (out->finding_count >= CHECK_FINDINGS_MAX)
			continue;
		const char *why = *s->debug_reason ? s->debug_reason
				  : *s->detail     ? s->detail
						   : "identified as a debug or shell service";
		rc = check_verdict_add(out, FINDING_FAIL, s->evidence,
				       "%s on %s is a debug or shell service reachable over the "
				       "network: %s",
				       label, s->address, why);
	}
	if (rc < 0)
		goto out;
	scan_view_list(&view, list, sizeof(list));
	size_t debug_ports = scan_view_count_ports(&view, is_debug);
	size_t ports = scan_view_count_ports(&view, NULL);
	if (debug > 0)
		rc = check_verdict_set(out, VERDICT_FAIL,
				       "%zu debug or shell service%s reachable over the network "
				       "(%zu address%s scanned): %s",
				       debug_ports, debug_ports == 1 ? " is" : "s are",
				       view.address_count, view.address_count == 1 ? "" : "es",
				       debug_list.text);
	else if (!view.complete)
		rc = check_verdict_set(out, VERDICT_INCONCLUSIVE,
				       "%s; none of the %zu services found so far is a debug or "
				       "shell service",
				       view.incomplete, ports);
	else
		rc = check_verdict_set(out, VERDICT_PASS,
				       "no debug or shell service among the %zu service%s examined "
				       "on %zu address%s%s%s",
				       ports, ports == 1 ? "" : "s", view.address_count,
				       view.address_count == 1 ? "" : "es", ports ? ": " : "",
				       list);
out:
	scan_view_release(&view);
	if (rc < 0)
		return dl_error_set(err, rc, "discovery.debug-services: out of memory");
	return 0;
}

static const char *const no_params[] = {NULL};

const struct check check_discovery_debug_services = {
	.id = "discovery.debug-services",
	.summary = "no debug or shell service (telnet, adb, gdbserver...) is reachable",
	.collector = &collector_discovery_scan,
	.params = no_params,
	.judge = judge,
};
