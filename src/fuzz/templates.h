/* templates: the template objects the table in template.c lists, one block per family file */
#ifndef DUTLAB_FUZZ_TEMPLATES_H
#define DUTLAB_FUZZ_TEMPLATES_H

/*
 * A family file (template-link.c, template-ipv4.c, template-ipv6.c)
 * includes this header and defines each of its templates as
 * `const struct fuzz_template template_<name>` (the name with '-' as '_':
 * arp-request is template_arp_request); template.c lists them in
 * fuzz_templates[], sorted by name.
 */

#include "fuzz/template.h"

/* template-link.c: Ethernet, VLAN, ARP, LLDP, MAC Control */
extern const struct fuzz_template template_arp_request;
extern const struct fuzz_template template_arp_reply;
extern const struct fuzz_template template_arp_gratuitous;
extern const struct fuzz_template template_lldp_nearest_bridge;
extern const struct fuzz_template template_mac_control_pause;
extern const struct fuzz_template template_mac_control_pfc;
extern const struct fuzz_template template_ethernet_ii;
extern const struct fuzz_template template_ethernet_llc_snap;
extern const struct fuzz_template template_vlan_single;
extern const struct fuzz_template template_vlan_double;

/* template-ipv4.c: IPv4, ICMPv4, UDP, TCP over IPv4 */
extern const struct fuzz_template template_ipv4_udp;
extern const struct fuzz_template template_ipv4_options;
extern const struct fuzz_template template_ipv4_tcp_syn;
extern const struct fuzz_template template_icmpv4_echo;
extern const struct fuzz_template template_icmpv4_timestamp;
extern const struct fuzz_template template_icmpv4_unreachable;
extern const struct fuzz_template template_icmpv4_redirect;

/* template-ipv6.c: IPv6, ICMPv6, UDP, TCP over IPv6 */
extern const struct fuzz_template template_ipv6_udp;
extern const struct fuzz_template template_ipv6_hop_by_hop;
extern const struct fuzz_template template_ipv6_destination_options;
extern const struct fuzz_template template_ipv6_routing;
extern const struct fuzz_template template_icmpv6_echo;
extern const struct fuzz_template template_icmpv6_neighbor_solicit;
extern const struct fuzz_template template_icmpv6_neighbor_advert;
extern const struct fuzz_template template_icmpv6_router_solicit;
extern const struct fuzz_template template_icmpv6_router_advert;
extern const struct fuzz_template template_icmpv6_packet_too_big;

#endif
