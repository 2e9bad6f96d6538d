/* scan-view: the discovery.scan observation read back for the judges, validated once */
#include "core/compat.h"

#include <json-c/json.h>

#include "checks/discovery/scan-view.h"
#include "core/error.h"
#include "core/json-read.h"
#include "core/profile.h"

static int get_port(const struct json_object *o, const char *where, uint16_t *port,
		    struct dl_error *err)
{
	int64_t value = json_read_int(o, "port", 0);
	if (value < 1 || value > 65535)
		return dl_error_set(err, DL_EINVAL,
				    "observation: %s: 'port' is missing or not a number from 1 to "
				    "65535",
				    where);
	*port = (uint16_t)value;
	return 0;
}

static int get_array(const struct json_object *o, const char *key, const char *where,
		     struct json_object **out, struct dl_error *err)
{
	*out = json_read_array(o, key);
	if (!*out)
		return dl_error_set(err, DL_EINVAL,
				    "observation: %s: '%s' is missing or not a list", where, key);
	return 0;
}

static int get_object(const struct json_object *o, const char *key, const char *where,
		      struct json_object **out, struct dl_error *err)
{
	*out = json_read_object(o, key);
	if (!*out)
		return dl_error_set(err, DL_EINVAL,
				    "observation: %s: '%s' is missing or not an object", where,
				    key);
	return 0;
}

static int grow(void **array, size_t *capacity, size_t count, size_t size)
{
	if (count < *capacity)
		return 0;
	size_t next = *capacity ? *capacity * 2 : 16;
	void *p = realloc(*array, next * size);
	if (!p)
		return DL_ENOMEM;
	*array = p;
	*capacity = next;
	return 0;
}

static int add_service(struct scan_view *v, size_t *capacity, const char *address,
		       const char *proto, const struct json_object *o, const char *where,
		       struct dl_error *err)
{
	uint16_t port = 0;
	int rc = get_port(o, where, &port, err);
	if (rc < 0)
		return rc;
	if (grow((void **)&v->services, capacity, v->service_count, sizeof(*v->services)) < 0)
		return dl_error_set(err, DL_ENOMEM, "observation: out of memory");
	struct scan_service *s = &v->services[v->service_count++];
	memset(s, 0, sizeof(*s));
	s->address = address;
	s->proto = proto;
	s->port = port;
	s->service = json_read_text(o, "service", "");
	if (!*s->service)
		s->service = "unknown";
	s->product = json_read_text(o, "product", "");
	s->version = json_read_text(o, "version", "");
	s->detail = json_read_text(o, "detail", "");
	s->tls = json_read_true(o, "tls");
	s->debug = json_read_true(o, "debug");
	s->debug_reason = json_read_text(o, "debug_reason", "");
	const char *evidence = json_read_text(o, "evidence", "");
	s->evidence = *evidence ? evidence : NULL;
	struct json_object *d = NULL;
	if (json_object_object_get_ex(o, "disclosures", &d)) {
		if (!json_object_is_type(d, json_type_array))
			return dl_error_set(err, DL_EINVAL,
					    "observation: %s: 'disclosures' is not a list", where);
		for (size_t i = 0; i < json_object_array_length(d); i++) {
			struct json_object *item = json_object_array_get_idx(d, i);
			if (!json_object_is_type(item, json_type_object) ||
			    !json_read_text(item, "kind", NULL))
				return dl_error_set(err, DL_EINVAL,
						    "observation: %s.disclosures[%zu]: 'kind' is "
						    "missing",
						    where, i);
		}
		s->disclosures = d;
	}
	return 0;
}

static int load_address(struct scan_view *v, size_t *service_capacity, size_t *probe_capacity,
			const struct json_object *a, size_t index, struct dl_error *err)
{
	char where[96];
	snprintf(where, sizeof(where), "addresses[%zu]", index);
	const char *address = json_read_text(a, "address", NULL);
	if (!address)
		return dl_error_set(err, DL_EINVAL, "observation: %s: 'address' is missing", where);

	struct json_object *tcp = NULL, *open = NULL;
	int rc = get_object(a, "tcp", where, &tcp, err);
	if (rc < 0)
		return rc;
	snprintf(where, sizeof(where), "addresses[%zu].tcp", index);
	rc = get_array(tcp, "open", where, &open, err);
	if (rc < 0)
		return rc;
	if (!json_read_true(tcp, "complete") && v->complete) {
		v->complete = false;
		snprintf(v->incomplete, sizeof(v->incomplete),
			 "the TCP scan of %s did not finish (%s)", address,
			 *json_read_text(tcp, "error", "") ? json_read_text(tcp, "error", "")
							   : "cut short by its deadline");
	}
	bool answered = json_object_array_length(open) > 0 ||
			json_object_get_int64(json_read_member(tcp, "closed")) > 0;
	for (size_t i = 0; i < json_object_array_length(open); i++) {
		char item[128];
		snprintf(item, sizeof(item), "addresses[%zu].tcp.open[%zu]", index, i);
		struct json_object *o = json_object_array_get_idx(open, i);
		if (!json_object_is_type(o, json_type_object))
			return dl_error_set(err, DL_EINVAL, "observation: %s is not an object",
					    item);
		rc = add_service(v, service_capacity, address, "tcp", o, item, err);
		if (rc < 0)
			return rc;
	}

	struct json_object *udp = NULL, *services = NULL, *probed = NULL;
	snprintf(where, sizeof(where), "addresses[%zu]", index);
	rc = get_object(a, "udp", where, &udp, err);
	if (rc < 0)
		return rc;
	snprintf(where, sizeof(where), "addresses[%zu].udp", index);
	rc = get_array(udp, "services", where, &services, err);
	if (rc == 0)
		rc = get_array(udp, "probed", where, &probed, err);
	if (rc < 0)
		return rc;
	for (size_t i = 0; i < json_object_array_length(services); i++) {
		char item[128];
		snprintf(item, sizeof(item), "addresses[%zu].udp.services[%zu]", index, i);
		struct json_object *o = json_object_array_get_idx(services, i);
		if (!json_object_is_type(o, json_type_object))
			return dl_error_set(err, DL_EINVAL, "observation: %s is not an object",
					    item);
		rc = add_service(v, service_capacity, address, "udp", o, item, err);
		if (rc < 0)
			return rc;
	}
	for (size_t i = 0; i < json_object_array_length(probed); i++) {
		char item[128];
		snprintf(item, sizeof(item), "addresses[%zu].udp.probed[%zu]", index, i);
		struct json_object *o = json_object_array_get_idx(probed, i);
		if (!json_object_is_type(o, json_type_object))
			return dl_error_set(err, DL_EINVAL, "observation: %s is not an object",
					    item);
		uint16_t port = 0;
		rc = get_port(o, item, &port, err);
		if (rc < 0)
			return rc;
		if (grow((void **)&v->probes, probe_capacity, v->probe_count, sizeof(*v->probes)) <
		    0)
			return dl_error_set(err, DL_ENOMEM, "observation: out of memory");
		struct scan_probe *p = &v->probes[v->probe_count++];
		p->address = address;
		p->port = port;
		p->service = json_read_text(o, "service", "");
		p->state = json_read_text(o, "state", "");
		const char *evidence = json_read_text(o, "evidence", "");
		p->evidence = *evidence ? evidence : NULL;
		if (strcmp(p->state, "answered") == 0 || strcmp(p->state, "closed") == 0)
			answered = true;
	}
	/* An address that answered nothing at all (no open or closed TCP
	 * port, no UDP reply or ICMP unreachable) is down or cut off: an
	 * empty scan of it proves nothing, so no judge may pass on it. */
	if (!answered && v->complete) {
		v->complete = false;
		snprintf(v->incomplete, sizeof(v->incomplete),
			 "%s answered nothing (no open or closed TCP port, no UDP reply): the DUT "
			 "is down or unreachable from the tester, so the scan shows nothing",
			 address);
	}
	return 0;
}

int scan_view_load(const struct json_object *observation, struct scan_view *view,
		   struct dl_error *err)
{
	memset(view, 0, sizeof(*view));
	view->complete = true;
	if (!observation || !json_object_is_type(observation, json_type_object))
		return dl_error_set(err, DL_EINVAL,
				    "observation of discovery.scan is missing or not an object");
	struct json_object *addresses = NULL;
	int rc = get_array(observation, "addresses", "discovery.scan", &addresses, err);
	if (rc < 0)
		return rc;
	size_t service_capacity = 0, probe_capacity = 0;
	view->address_count = json_object_array_length(addresses);
	for (size_t i = 0; i < view->address_count; i++) {
		struct json_object *a = json_object_array_get_idx(addresses, i);
		if (!json_object_is_type(a, json_type_object)) {
			rc = dl_error_set(err, DL_EINVAL,
					  "observation: addresses[%zu] is not an object", i);
			break;
		}
		rc = load_address(view, &service_capacity, &probe_capacity, a, i, err);
		if (rc < 0)
			break;
	}
	if (rc == 0 && view->address_count == 0) {
		view->complete = false;
		snprintf(view->incomplete, sizeof(view->incomplete),
			 "the scan covered no address: dut.addresses is empty");
	}
	if (rc < 0)
		scan_view_release(view);
	return rc;
}

size_t scan_view_count_ports(const struct scan_view *view,
			     bool (*keep)(const struct scan_service *s))
{
	/* One bit per port and protocol: 16 KiB, whatever the service count. */
	static uint8_t seen[2][65536 / 8];
	memset(seen, 0, sizeof(seen));
	size_t count = 0;
	for (size_t i = 0; i < view->service_count; i++) {
		const struct scan_service *s = &view->services[i];
		if (keep && !keep(s))
			continue;
		int proto = strcmp(s->proto, "udp") == 0;
		uint8_t bit = (uint8_t)(1u << (s->port % 8));
		if (seen[proto][s->port / 8] & bit)
			continue;
		seen[proto][s->port / 8] |= bit;
		count++;
	}
	return count;
}

void scan_view_release(struct scan_view *view)
{
	if (!view)
		return;
	free(view->services);
	free(view->probes);
	view->services = NULL;
	view->probes = NULL;
	view->service_count = 0;
	view->probe_count = 0;
}

const char *scan_service_label(const struct scan_service *s, char *buf, size_t size)
{
	char what[200] = "";
	size_t n = 0;
	n += (size_t)snprintf(what + n, sizeof(what) - n, "%s", s->service);
	if (*s->product && n < sizeof(what))
		n += (size_t)snprintf(what + n, sizeof(what) - n, ", %s", s->product);
	if (*s->version && n < sizeof(what))
		snprintf(what + n, sizeof(what) - n, " %s", s->version);
	snprintf(buf, size, "%s/%u (%s)", s->proto, s->port, what);
	return buf;
}

void scan_list_add(struct scan_list *list, const char *item)
{
	/* already there, as a whole item? */
	size_t n = strlen(item);
	for (const char *p = list->text; (p = strstr(p, item)) != NULL; p += n) {
		bool starts = p == list->text || (p >= list->text + 2 && p[-2] == ',');
		bool ends = p[n] == '\0' || p[n] == ',';
		if (starts && ends)
			return;
	}
	if (list->length + 4 >= sizeof(list->text))
		return; /* already cut */
	int w = snprintf(list->text + list->length, sizeof(list->text) - list->length, "%s%s",
			 list->count ? ", " : "", item);
	if (w < 0)
		return;
	if ((size_t)w >= sizeof(list->text) - list->length) {
		memcpy(list->text + sizeof(list->text) - 4, "...", 4);
		list->length = sizeof(list->text) - 1;
	} else {
		list->length += (size_t)w;
	}
	list->count++;
}

const char *scan_view_list(const struct scan_view *view, char *buf, size_t size)
{
	struct scan_list list = {.length = 0};
	list.text[0] = '\0';
	for (size_t i = 0; i < view->service_count; i++) {
		const struct scan_service *s = &view->services[i];
		char item[64];
		snprintf(item, sizeof(item), "%s/%u %.40s", s->proto, s->port, s->service);
		scan_list_add(&list, item);
	}
	if (size > 0)
		snprintf(buf, size, "%s", list.text);
	return buf;
}

bool scan_declared_discloses(const struct profile_service *declared, const char *kind)
{
	if (!declared)
		return false;
	for (size_t i = 0; i < declared->discloses_count; i++)
		if (strcmp(declared->discloses[i], kind) == 0)
			return true;
	return false;
}
