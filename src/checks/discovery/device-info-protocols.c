/* device-info-protocols: whether UPnP/SSDP, SNMP and Bonjour/mDNS answer (TS 5.3.2.1) */
#include "core/compat.h"

#include "checks/check.h"
#include "checks/discovery/scan-view.h"
#include "core/error.h"

/*
 * TS-0014-1 5.3.2.1 asks that the user can switch off the protocols that
 * hand out device information (UPnP, SNMP, Bonjour). Detecting them is
 * what a scan can do; switching them off needs an adapter that drives the
 * device's settings, so the verdict stays manual and the detections are
 * its findings.
 */
struct family {
	const char *service; /* as in the observation */
	const char *name;    /* for people */
};

static const struct family families[] = {
	{"ssdp", "UPnP/SSDP"},
	{"snmp", "SNMP"},
	{"mdns", "Bonjour/mDNS"},
};

static int judge(const struct json_object *observation, const struct check_params *params,
		 const struct profile *profile, struct check_verdict *out, struct dl_error *err)
{
	(void)params;
	(void)profile;
	struct scan_view view;
	int rc = scan_view_load(observation, &view, err);
	if (rc < 0)
		return rc;
	char detected[128] = "";
	size_t detected_length = 0;
	for (size_t f = 0; f < DL_ARRAY_SIZE(families) && rc == 0; f++) {
		bool answered = false;
		for (size_t i = 0; i < view.service_count && rc == 0; i++) {
			const struct scan_service *s = &view.services[i];
			if (strcmp(s->proto, "udp") != 0 || strcmp(s->service, families[f].service))
				continue;
			answered = true;
			rc = check_verdict_add(out, FINDING_INFO, s->evidence,
					       "%s answered on %s udp/%u%s%s", families[f].name,
					       s->address, s->port, *s->detail ? ": " : "",
					       s->detail);
		}
		size_t probed = 0;
		for (size_t i = 0; i < view.probe_count && !answered && rc == 0; i++) {
			const struct scan_probe *p = &view.probes[i];
			if (strcmp(p->service, families[f].service) != 0)
				continue;
			probed++;
			bool seen = false; /* one line per address and port, not per probe */
			for (size_t k = 0; k < i && !seen; k++)
				seen = view.probes[k].port == p->port &&
				       strcmp(view.probes[k].address, p->address) == 0;
			if (seen)
				continue;
			rc = check_verdict_add(out, FINDING_INFO, p->evidence,
					       "%s did not answer on %s udp/%u (%s)",
					       families[f].name, p->address, p->port,
					       strcmp(p->state, "closed") == 0
						       ? "port closed: ICMP port unreachable"
					       : strcmp(p->state, "silent") == 0
						       ? "no reply"
						       : "the probe could not be sent");
		}
		if (!answered && probed == 0 && rc == 0)
			rc = check_verdict_add(out, FINDING_WARNING, NULL,
					       "%s was not probed: the observation has no %s probe",
					       families[f].name, families[f].service);
		if (answered) {
			int w = snprintf(detected + detected_length,
					 sizeof(detected) - detected_length, "%s%s",
					 detected_length ? ", " : "", families[f].name);
			if (w > 0 && (size_t)w < sizeof(detected) - detected_length)
				detected_length += (size_t)w;
		}
	}
	/* The verdict is manual either way (the toggle needs a person or an
	 * adapter), but "none detected" must not be claimed from a scan that
	 * did not run. */
	if (rc == 0 && !view.complete && !detected_length)
		rc = check_verdict_set(out, VERDICT_MANUAL,
				       "could not tell which of UPnP, SNMP, Bonjour run: %s; the "
				       "on/off toggle needs an adapter: confirm that the user can "
				       "switch off UPnP, SNMP and Bonjour",
				       view.incomplete);
	else if (rc == 0) {
		char note[320] = "";
		if (!view.complete)
			snprintf(note, sizeof(note), " (the scan was incomplete: %s)",
				 view.incomplete);
		rc = check_verdict_set(
			out, VERDICT_MANUAL,
			"detected: %s%s; the on/off toggle needs an adapter: confirm "
			"that the user can switch off UPnP, SNMP and Bonjour",
			detected_length ? detected : "none of UPnP, SNMP, Bonjour", note);
	}
	scan_view_release(&view);
	if (rc < 0)
		return dl_error_set(err, rc, "discovery.device-info-protocols: out of memory");
	return 0;
}

static const char *const no_params[] = {NULL};

const struct check check_discovery_device_info_protocols = {
	.id = "discovery.device-info-protocols",
	.summary = "detects UPnP/SSDP, SNMP and Bonjour/mDNS; the off switch is checked by hand",
	.collector = &collector_discovery_scan,
	.params = no_params,
	.judge = judge,
};
