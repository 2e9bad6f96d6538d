/* scan-view: the discovery.scan observation read back for the judges, validated once */
#ifndef DUTLAB_CHECKS_DISCOVERY_SCAN_VIEW_H
#define DUTLAB_CHECKS_DISCOVERY_SCAN_VIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct dl_error;
struct json_object;
struct profile_service;

/* The collector that writes the observation (checks/discovery/scan.c). */
extern const struct collector collector_discovery_scan;

/* One service the scan found: an open TCP port or a UDP service that
 * answered. Strings point into the observation (never NULL; "" when the
 * observation left them out); disclosures is its JSON array or NULL. */
struct scan_service {
	const char *address;
	const char *proto; /* "tcp" or "udp" */
	uint16_t port;
	const char *service; /* "telnet"; "unknown" when nothing matched */
	const char *product;
	const char *version;
	const char *detail;
	bool tls;
	bool debug;
	const char *debug_reason;
	const char *evidence; /* "evidence/discovery/198.18.2.2-tcp-23.pcapng" or NULL */
	struct json_object *disclosures;
};

/* One UDP probe and what came of it. */
struct scan_probe {
	const char *address;
	const char *service; /* "snmp", "ssdp", "mdns" */
	uint16_t port;
	const char *state; /* "answered", "closed", "silent" */
	const char *evidence;
};

struct scan_view {
	struct scan_service *services; /* owned array */
	size_t service_count;
	struct scan_probe *probes; /* owned array */
	size_t probe_count;
	size_t address_count;
	bool complete;        /* every address scanned over every port */
	char incomplete[256]; /* why not, for a summary */
};

/*
 * Read an observation of discovery.scan (its shape is documented at the
 * top of checks/discovery/scan.c). A missing or mistyped field fails with
 * DL_EINVAL and a message naming it ("addresses[0].tcp.open[2]: 'port' is
 * missing or not a number from 1 to 65535").
 */
int scan_view_load(const struct json_object *observation, struct scan_view *view,
		   struct dl_error *err);
void scan_view_release(struct scan_view *view);

/* How many distinct proto/port pairs among the services keep() accepts
 * (all when keep is NULL): a service on two addresses counts once. */
size_t scan_view_count_ports(const struct scan_view *view,
			     bool (*keep)(const struct scan_service *s));

/* "tcp/23 (telnet, busybox telnetd 1.35)" into buf. */
const char *scan_service_label(const struct scan_service *s, char *buf, size_t size);

/* "tcp/22 ssh, tcp/443 https": each proto/port once, whatever the address, into buf. */
const char *scan_view_list(const struct scan_view *view, char *buf, size_t size);

/* A bounded ", "-separated list that keeps each item once, for summaries;
 * "..." marks a cut. */
struct scan_list {
	char text[512];
	size_t length;
	size_t count;
};

void scan_list_add(struct scan_list *list, const char *item);

/* Whether the declared service's discloses list names kind. */
bool scan_declared_discloses(const struct profile_service *declared, const char *kind);

#endif
