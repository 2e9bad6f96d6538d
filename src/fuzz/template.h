/* template: the valid frames a robustness campaign starts from, one table of them per protocol
 * family */
#ifndef DUTLAB_FUZZ_TEMPLATE_H
#define DUTLAB_FUZZ_TEMPLATE_H

/*
 * A template builds one valid frame aimed at the DUT from the models'
 * builders (arp-request: Ethernet + ARP; icmpv6-router-advert: Ethernet +
 * IPv6 + ICMPv6 RA with its options). The mutation engine copies it and
 * mutates the copy. Every template belongs to one protocol of the mix a
 * profile asks for ("arp", "ethernet", "ethernet-control", "vlan", "lldp",
 * "ipv4", "ipv6", "icmpv4", "icmpv6"): the names of NCC 5.4.1.6 and 5.4.2.4.
 */

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct dl_error;
struct packet;

/* Where the frames go and come from: the tester port and the DUT. */
struct template_addresses {
	uint8_t tester_mac[6];
	uint8_t dut_mac[6];
	struct in_addr tester4, dut4;
	struct in6_addr tester6, dut6; /* the DUT's address on the link (link-local or global) */
	uint16_t vlan;                 /* 0: untagged; else the VLAN of the tester's port */
};

struct fuzz_template {
	const char *name;     /* "arp-request" */
	const char *protocol; /* "arp": the mix's name */
	const char *title;    /* "ARP request for the DUT's address" */
	/* Build the valid frame into p (packet_init'ed by the caller) and
	 * packet_finish() it. 0 or DL_ENOMEM. */
	int (*build)(struct packet *p, const struct template_addresses *a, struct dl_error *err);
};

extern const struct fuzz_template *const fuzz_templates[];
extern const size_t fuzz_template_count;

const struct fuzz_template *fuzz_template_find(const char *name);

/* The protocols of the mix, in the table's order, and whether name is one. */
size_t fuzz_template_protocols(const char **names, size_t max);
bool fuzz_template_protocol_known(const char *protocol);

#endif
