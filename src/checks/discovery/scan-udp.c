/* scan-udp: the UDP probes of one port, in table order, until one is answered */
#include "core/compat.h"

#include <json-c/json.h>
#include <netinet/in.h>

#include "checks/check.h"
#include "checks/discovery/identify.h"
#include "checks/discovery/scan-internal.h"
#include "checks/discovery/udp-probes.h"
#include "core/error.h"
#include "net/capture.h"
#include "net/sock.h"
#include "net/udp.h"
#include "proto/ssdp.h"

#define UDP_MS 1500 /* one UDP probe, two sends */

void scan_udp_probe_port(struct scan_run *r, const struct sock_address *target, uint16_t port,
			 int64_t deadline_ns, struct json_object *probed,
			 struct json_object *services)
{
	char name[32], evidence[256];
	snprintf(name, sizeof(name), "udp-%u", port);
	struct capture_match match = {.protocol = IPPROTO_UDP, .port = port};
	scan_evidence_open(r, name, "dutlab discovery.scan: UDP probes of one port", 0,
			   SERVICE_CAPTURE_MAX, &match, 1, true, evidence, sizeof(evidence));
	char address[INET6_ADDRSTRLEN];
	sock_address_text(target, address, sizeof(address));
	struct sock_address a = *target;
	sock_address_set_port(&a, port);
	struct json_object *found = NULL;
	struct json_object **entries = calloc(udp_probe_count, sizeof(*entries));
	size_t entry_count = 0;
	uint8_t request[UDP_PROBE_PAYLOAD_MAX];
	uint8_t *reply = malloc(65536);
	for (size_t i = 0; i < udp_probe_count && reply && entries && !found; i++) {
		const struct udp_probe *p = &udp_probes[i];
		if (p->port != port || !scan_time_left(deadline_ns, UDP_MS * 1000000LL))
			continue;
		struct json_object *entry = json_object_new_object();
		json_object_object_add(entry, "port", json_object_new_int(port));
		scan_add_string(entry, "service", p->service);
		scan_add_string(entry, "probe", p->name);
		entries[entry_count++] = entry;
		size_t length = 0;
		struct dl_error err = {0};
		if (p->build(request, sizeof(request), &length, address, &err) < 0) {
			scan_add_string(entry, "state", "error");
			scan_add_string(entry, "error", err.message);
			continue;
		}
		char comment[96];
		snprintf(comment, sizeof(comment), "dutlab: probe %s", p->name);
		scan_annotate(r, comment);
		size_t got = 0;
		enum udp_outcome outcome = UDP_SILENT;
		if (udp_exchange(r->ctx->scope, r->interface, &a, request, length, reply, 65536,
				 &got, 2, scan_soon(deadline_ns, UDP_MS), &outcome, &err) < 0) {
			scan_add_string(entry, "state", "error");
			scan_add_string(entry, "error", err.message);
			continue;
		}
		scan_add_string(entry, "state", udp_outcome_name(outcome));
		if (outcome != UDP_ANSWERED)
			continue;
		found = json_object_new_object();
		json_object_object_add(found, "port", json_object_new_int(port));
		scan_add_string(found, "service", p->service);
		scan_add_string(found, "probe", p->name);
		struct json_object *disclosures = json_object_new_array();
		struct udp_probe_result result;
		memset(&result, 0, sizeof(result));
		if (p->describe && p->describe(reply, got, &result, &err) < 0) {
			char detail[DL_ERROR_MESSAGE_MAX + 64];
			snprintf(detail, sizeof(detail), "answered, but the reply is malformed: %s",
				 err.message);
			scan_add_string(found, "detail", detail);
		} else {
			scan_add_string(found, "product", result.product);
			scan_add_string(found, "version", result.version);
			scan_add_string(found, "detail", result.summary);
			char source[64];
			snprintf(source, sizeof(source), "reply to %s", p->name);
			scan_add_disclosures(disclosures, result.disclosures,
					     result.disclosure_count, source);
		}
		json_object_object_add(found, "debug", json_object_new_boolean(false));
		if (strcmp(p->service, "ssdp") == 0) {
			struct ssdp_response ssdp;
			struct dl_error ssdp_err = {0};
			if (ssdp_parse_response(reply, got, &ssdp, &ssdp_err) == 0 &&
			    ssdp.location[0])
				scan_upnp_description(r, ssdp.location,
						      scan_soon(deadline_ns, HTTP_MS), found,
						      disclosures);
		}
		json_object_object_add(found, "disclosures", disclosures);
	}
	scan_evidence_close(r, evidence);
	for (size_t i = 0; i < entry_count; i++) {
		json_object_object_add(entries[i], "evidence",
				       evidence[0] ? json_object_new_string(evidence) : NULL);
		json_object_array_add(probed, entries[i]);
	}
	if (found) {
		json_object_object_add(found, "evidence",
				       evidence[0] ? json_object_new_string(evidence) : NULL);
		json_object_array_add(services, found);
	}
	free(entries);
	free(reply);
}
