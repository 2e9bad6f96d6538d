/* udp-probes: the UDP discovery probes (SNMP, SSDP, mDNS, NTP, TFTP, syslog) as one const table */
#ifndef DUTLAB_CHECKS_DISCOVERY_UDP_PROBES_H
#define DUTLAB_CHECKS_DISCOVERY_UDP_PROBES_H

/*
 * The discovery.scan collector walks udp_probes[], sends build()'s payload to the port (after
 * scope_permit()), and passes any reply to describe(). The table is const;
 * the caller owns every buffer and result. Serves TS-0014-1 5.2.2.1 and
 * 5.3.2.1 (UPnP/SNMP/Bonjour detection) and IoT-1006-1 5.2.2.3 / 5.4.1.3
 * (what an unauthenticated party learns).
 */

#include <stddef.h>
#include <stdint.h>

#include "checks/discovery/identify.h"

struct dl_error;

#define UDP_PROBE_PAYLOAD_MAX 1472

struct udp_probe_result {
	char service[32]; /* "snmp", "ssdp", "mdns", "ntp", "tftp" */
	char product[64]; /* if the reply names it */
	char version[64];
	char summary[512]; /* one line: "SNMPv2c community 'public' answered: sysDescr '...'" */
	struct disclosure disclosures[DISCLOSURES_MAX];
	size_t disclosure_count;
};

struct udp_probe {
	const char *service; /* "snmp", also the name in observations */
	const char *name;    /* unique per entry: "snmp-v2c-public" */
	uint16_t port;
	/* Write the request for target_address (text, v4 or v6) into buf. */
	int (*build)(uint8_t *buf, size_t cap, size_t *len, const char *target_address,
		     struct dl_error *err);
	/* Decode a reply; NULL when no reply is expected (syslog: the caller
	 * decides open|filtered from ICMP port unreachable). Returns 0, or
	 * DL_EPROTO with "offset N: reason (value V)" for a malformed reply. */
	int (*describe)(const uint8_t *reply, size_t len, struct udp_probe_result *out,
			struct dl_error *err);
};

extern const struct udp_probe udp_probes[];
extern const size_t udp_probe_count;

/* The request id / query id / transaction id every build() uses, so a
 * caller can match replies (SNMP request-id, mDNS id). */
#define UDP_PROBE_SNMP_REQUEST_ID 0x646c0001
#define UDP_PROBE_MDNS_ID 0x646c
#define UDP_PROBE_TFTP_FILE "dutlab-probe"

#endif
