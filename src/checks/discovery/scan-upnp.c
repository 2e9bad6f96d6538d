/* scan-upnp: the UPnP device description an SSDP answer's LOCATION names, fetched and read */
#include "core/compat.h"

#include <curl/curl.h>
#include <json-c/json.h>
#include <netinet/in.h>

#include "checks/discovery/identify.h"
#include "checks/discovery/scan-internal.h"
#include "core/error.h"
#include "core/text.h"
#include "net/capture.h"

/* The UPnP device description a LOCATION names (UDA 2.0 2.3), its fields
 * recorded as device-info disclosures. */
void scan_upnp_description(struct scan_run *r, const char *location, int64_t deadline_ns,
			   struct json_object *service, struct json_object *disclosures)
{
	struct json_object *upnp = json_object_new_object();
	scan_add_string(upnp, "location", location);
	json_object_object_add(service, "upnp", upnp);
	/* Let the description's TCP exchange into the SSDP evidence. */
	CURLU *u = curl_url();
	char *port_text = NULL;
	if (u && curl_url_set(u, CURLUPART_URL, location, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_PORT, &port_text, CURLU_DEFAULT_PORT) == CURLUE_OK) {
		long port = 0;
		if (text_parse_long(port_text, 1, 65535, &port) == 0 && r->capture)
			capture_sink_add_match(r->capture,
					       &(struct capture_match){.protocol = IPPROTO_TCP,
								       .port = (uint16_t)port});
	}
	curl_free(port_text);
	curl_url_cleanup(u);

	struct scan_http_fetch *f = malloc(sizeof(*f));
	if (!f)
		return;
	struct dl_error err = {0};
	scan_annotate(r, "dutlab: GET the UPnP device description named by LOCATION");
	if (scan_http_get(r, location, deadline_ns, f, &err) < 0) {
		scan_add_string(upnp, "error", err.message);
		free(f);
		return;
	}
	json_object_object_add(upnp, "status", json_object_new_int64(f->status));
	static const char *const fields[] = {"friendlyName", "manufacturer", "modelName",
					     "modelNumber",  "serialNumber", "modelDescription",
					     "UDN"};
	for (size_t i = 0; i < DL_ARRAY_SIZE(fields) && f->status == 200; i++) {
		char value[160];
		if (!scan_xml_field(f->body, fields[i], value, sizeof(value)))
			continue;
		scan_add_string(upnp, fields[i], value);
		char text[DISCLOSURE_TEXT_MAX];
		snprintf(text, sizeof(text), "UPnP %s '%s'", fields[i], value);
		scan_add_disclosure(disclosures, DISCLOSURE_KIND_DEVICE_INFO,
				    "UPnP device description", text);
	}
	free(f);
}
