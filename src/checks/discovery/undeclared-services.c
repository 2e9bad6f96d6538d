/* undeclared-services: every service found must be one the vendor declared (TS 5.2.2.1, IoT
 * 5.2.2.3) */
#include "core/compat.h"

#include "checks/check.h"
#include "checks/discovery/scan-view.h"
#include "core/error.h"
#include "core/profile.h"

/*
 * TS-0014-1 5.2.2.1 and IoT-1006-1 5.2.2.3 ask that the device runs only
 * the services its documentation names. Fail for each open TCP port or
 * answering UDP service the profile's services list leaves out; warn for
 * each declared service the scan did not find (the documentation is then
 * out of date, or the service was down). A scan cut short cannot pass.
 */
static int judge(const struct json_object *observation, const struct check_params *params,
		 const struct profile *profile, struct check_verdict *out, struct dl_error *err)
{
	/* reference: what the services found are compared with; the profile's
	 * declared services list ("declared") is the only reference so far. */
	const char *reference = check_param_get(params, "reference", "declared");
	if (strcmp(reference, "declared") != 0)
		return dl_error_set(
			err, DL_EINVAL,
			"discovery.undeclared-services: reference '%s' is not known; the "
			"only reference is 'declared' (the profile's services)",
			reference);
	struct scan_view view;
	int rc = scan_view_load(observation, &view, err);
	if (rc < 0)
		return rc;
	size_t undeclared = 0;
	size_t over = 0; /* findings past CHECK_FINDINGS_MAX */
	char label[256];
	char list[1024];
	struct scan_list undeclared_list = {.length = 0};
	/* Each proto/port counts once, whatever the address: a bitmap per
	 * protocol rather than the summary list, which is cut when long. */
	static uint8_t found_ports[2][65536 / 8], undeclared_ports[2][65536 / 8];
	memset(found_ports, 0, sizeof(found_ports));
	memset(undeclared_ports, 0, sizeof(undeclared_ports));
	size_t found_count = 0, undeclared_count = 0;
	for (size_t i = 0; i < view.service_count && rc == 0; i++) {
		const struct scan_service *s = &view.services[i];
		uint16_t port = s->port;
		const struct profile_service *declared =
			profile ? profile_find_service(profile, s->proto, port) : NULL;
		scan_service_label(s, label, sizeof(label));
		int proto_index = strcmp(s->proto, "udp") == 0;
		uint8_t bit = (uint8_t)(1u << (port % 8));
		if (!(found_ports[proto_index][port / 8] & bit)) {
			found_ports[proto_index][port / 8] |= bit;
			found_count++;
		}
		if (!declared && !(undeclared_ports[proto_index][port / 8] & bit)) {
			undeclared_ports[proto_index][port / 8] |= bit;
			undeclared_count++;
		}
		if (!declared) {
			char item[16];
			snprintf(item, sizeof(item), "%s/%u", s->proto, port);
			scan_list_add(&undeclared_list, item);
			undeclared++;
		}
		if (out->finding_count >= CHECK_FINDINGS_MAX - 1) {
			over++; /* keep the last slot for the summary's sake */
			continue;
		}
		if (declared) {
			rc = check_verdict_add(out, FINDING_PASS, s->evidence,
					       "%s %s on %s and is declared in the profile's "
					       "services as '%s'",
					       label,
					       strcmp(s->proto, "tcp") == 0 ? "is open" : "answers",
					       s->address, declared->name);
			continue;
		}
		rc = check_verdict_add(out, FINDING_FAIL, s->evidence,
				       "%s %s on %s but not declared in the profile's services",
				       label, strcmp(s->proto, "tcp") == 0 ? "is open" : "answers",
				       s->address);
	}
	/* Declared services nobody found. */
	size_t missing = 0;
	for (size_t d = 0; profile && d < profile->service_count && rc == 0; d++) {
		const struct profile_service *declared = &profile->services[d];
		bool found = false;
		for (size_t i = 0; i < view.service_count && !found; i++)
			found = view.services[i].port == declared->port &&
				strcmp(view.services[i].proto, declared->proto) == 0;
		if (found)
			continue;
		bool probed = strcmp(declared->proto, "tcp") == 0;
		for (size_t i = 0; i < view.probe_count && !probed; i++)
			probed = view.probes[i].port == declared->port;
		missing++;
		if (out->finding_count >= CHECK_FINDINGS_MAX - 1) {
			over++;
			continue;
		}
		rc = check_verdict_add(out, FINDING_WARNING, NULL,
				       "%s/%u (%s) is declared in the profile's services but was "
				       "not found on any address%s",
				       declared->proto, declared->port, declared->name,
				       probed ? "" : ": dutlab has no probe for that UDP port");
	}
	if (rc < 0)
		goto out;

	scan_view_list(&view, list, sizeof(list));
	if (undeclared > 0) {
		rc = check_verdict_set(
			out, VERDICT_FAIL,
			"%zu of %zu service%s found on %zu address%s %s not declared in "
			"the profile: %s%s",
			undeclared_count, found_count, found_count == 1 ? "" : "s",
			view.address_count, view.address_count == 1 ? "" : "es",
			undeclared_count == 1 ? "is" : "are", undeclared_list.text,
			over ? " (more findings than the report lists)" : "");
	} else if (!view.complete) {
		rc = check_verdict_set(out, VERDICT_INCONCLUSIVE,
				       "%s; the %zu services found so far are declared",
				       view.incomplete, view.service_count);
	} else if (view.service_count == 0) {
		rc = check_verdict_set(out, VERDICT_PASS,
				       "found no service on %zu address%s: nothing undeclared%s",
				       view.address_count, view.address_count == 1 ? "" : "es",
				       missing ? " (declared services missing: see the warnings)"
					       : "");
	} else {
		rc = check_verdict_set(out, VERDICT_PASS,
				       "found %zu service%s on %zu address%s, all declared: %s%s",
				       found_count, found_count == 1 ? "" : "s", view.address_count,
				       view.address_count == 1 ? "" : "es", list,
				       missing ? " (declared services missing: see the warnings)"
					       : "");
	}
out:
	scan_view_release(&view);
	if (rc < 0 && rc != DL_ENOMEM)
		return rc;
	if (rc < 0)
		return dl_error_set(err, rc, "discovery.undeclared-services: out of memory");
	return 0;
}

static const char *const params[] = {"reference", NULL};

const struct check check_discovery_undeclared_services = {
	.id = "discovery.undeclared-services",
	.summary = "every open TCP port and answering UDP service is declared in the profile",
	.collector = &collector_discovery_scan,
	.params = params,
	.judge = judge,
};
