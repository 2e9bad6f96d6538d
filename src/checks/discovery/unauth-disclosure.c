/* unauth-disclosure: what an unauthenticated party learns must be declared (IoT 5.4.1.3) */
#include "core/compat.h"

#include <json-c/json.h>

#include "checks/check.h"
#include "checks/discovery/scan-view.h"
#include "core/error.h"
#include "core/json-read.h"
#include "core/profile.h"

/*
 * IoT-1006-1 5.4.1.3: an unauthenticated party must not learn more than
 * the service needs to tell: version banners, SNMP sysDescr through the
 * public community, UPnP device description fields, pages served without a
 * login. The profile's `discloses` list of a declared service names what
 * the vendor accepts as necessary ("version", "device-info", "content");
 * every other disclosure fails, and every disclosure of an undeclared
 * service fails.
 */
static const char *kind_words(const char *kind)
{
	if (strcmp(kind, "version") == 0)
		return "its software version";
	if (strcmp(kind, "device-info") == 0)
		return "device information";
	if (strcmp(kind, "content") == 0)
		return "content without a login";
	return kind;
}

static int judge(const struct json_object *observation, const struct check_params *params,
		 const struct profile *profile, struct check_verdict *out, struct dl_error *err)
{
	(void)params;
	struct scan_view view;
	int rc = scan_view_load(observation, &view, err);
	if (rc < 0)
		return rc;
	size_t undeclared = 0, declared_count = 0, over = 0;
	char label[256];
	char list[1024];
	struct scan_list failing = {.length = 0};
	for (size_t i = 0; i < view.service_count && rc == 0; i++) {
		const struct scan_service *s = &view.services[i];
		if (!s->disclosures)
			continue;
		const struct profile_service *declared =
			profile ? profile_find_service(profile, s->proto, s->port) : NULL;
		scan_service_label(s, label, sizeof(label));
		bool service_failed = false;
		size_t n = json_object_array_length(s->disclosures);
		for (size_t d = 0; d < n && rc == 0; d++) {
			struct json_object *item = json_object_array_get_idx(s->disclosures, d);
			const char *kind = json_read_text(item, "kind", "");
			const char *text = json_read_text(item, "text", "");
			const char *source = json_read_text(item, "source", "");
			bool covered = scan_declared_discloses(declared, kind);
			if (covered)
				declared_count++;
			else
				undeclared++;
			if (out->finding_count >= CHECK_FINDINGS_MAX - 1) {
				over++;
				continue;
			}
			if (covered) {
				rc = check_verdict_add(out, FINDING_PASS, s->evidence,
						       "%s on %s tells an unauthenticated party %s "
						       "(%s%s%s), as its declaration allows: '%s'",
						       label, s->address, kind_words(kind), source,
						       *source ? ": " : "", text, kind);
				continue;
			}
			service_failed = true;
			char reason[160];
			if (declared)
				snprintf(reason, sizeof(reason),
					 "the profile does not declare that this service discloses "
					 "'%s'",
					 kind);
			else
				snprintf(reason, sizeof(reason),
					 "the service is not declared in the profile at all");
			rc = check_verdict_add(
				out, FINDING_FAIL, s->evidence,
				"%s on %s tells an unauthenticated party %s (%s%s%s); %s", label,
				s->address, kind_words(kind), source, *source ? ": " : "", text,
				reason);
		}
		if (service_failed) {
			char item[64];
			snprintf(item, sizeof(item), "%s/%u %.40s", s->proto, s->port, s->service);
			scan_list_add(&failing, item);
		}
	}
	if (rc < 0)
		goto out;
	size_t ports = scan_view_count_ports(&view, NULL);
	scan_view_list(&view, list, sizeof(list));
	if (undeclared > 0)
		rc = check_verdict_set(
			out, VERDICT_FAIL,
			"%zu undeclared disclosure%s to an unauthenticated party, by "
			"%s%s",
			undeclared, undeclared == 1 ? "" : "s", failing.text,
			over ? " (more findings than the report lists)" : "");
	else if (!view.complete)
		rc = check_verdict_set(out, VERDICT_INCONCLUSIVE,
				       "%s; the services found so far disclose nothing undeclared",
				       view.incomplete);
	else
		rc = check_verdict_set(
			out, VERDICT_PASS,
			"examined %zu service%s on %zu address%s; %zu disclosure%s, all "
			"declared%s%s",
			ports, ports == 1 ? "" : "s", view.address_count,
			view.address_count == 1 ? "" : "es", declared_count,
			declared_count == 1 ? "" : "s", view.service_count ? ": " : "", list);
out:
	scan_view_release(&view);
	if (rc < 0)
		return dl_error_set(err, rc, "discovery.unauth-disclosure: out of memory");
	return 0;
}

static const char *const no_params[] = {NULL};

const struct check check_discovery_unauth_disclosure = {
	.id = "discovery.unauth-disclosure",
	.summary = "nothing undeclared is disclosed to an unauthenticated party",
	.collector = &collector_discovery_scan,
	.params = no_params,
	.judge = judge,
};
