/* template: the table of every template, sorted by name, and the protocols of the mix */
#include "core/compat.h"

#include "fuzz/template.h"
#include "fuzz/templates.h"

/* Sorted by name (fuzz_template_find() and `dutlab fuzz --list` rely on it); the NULL at the end
 * keeps the table valid while a family has no template yet. */
const struct fuzz_template *const fuzz_templates[] = {
	&template_arp_gratuitous,
	&template_arp_reply,
	&template_arp_request,
	&template_ethernet_ii,
	&template_ethernet_llc_snap,
	&template_icmpv4_echo,
	&template_icmpv4_redirect,
	&template_icmpv4_timestamp,
	&template_icmpv4_unreachable,
	&template_icmpv6_echo,
	&template_icmpv6_neighbor_advert,
	&template_icmpv6_neighbor_solicit,
	&template_icmpv6_packet_too_big,
	&template_icmpv6_router_advert,
	&template_icmpv6_router_solicit,
	&template_ipv4_options,
	&template_ipv4_tcp_syn,
	&template_ipv4_udp,
	&template_ipv6_destination_options,
	&template_ipv6_hop_by_hop,
	&template_ipv6_routing,
	&template_ipv6_udp,
	&template_lldp_nearest_bridge,
	&template_mac_control_pause,
	&template_mac_control_pfc,
	&template_vlan_double,
	&template_vlan_single,
	NULL,
};

const size_t fuzz_template_count = DL_ARRAY_SIZE(fuzz_templates) - 1;

const struct fuzz_template *fuzz_template_find(const char *name)
{
	size_t lo = 0, hi = fuzz_template_count;
	while (name && lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(name, fuzz_templates[mid]->name);
		if (c == 0)
			return fuzz_templates[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

size_t fuzz_template_protocols(const char **names, size_t max)
{
	size_t n = 0;
	for (size_t i = 0; i < fuzz_template_count; i++) {
		const char *p = fuzz_templates[i]->protocol;
		bool seen = false;
		for (size_t j = 0; j < i && !seen; j++)
			seen = strcmp(fuzz_templates[j]->protocol, p) == 0;
		if (seen)
			continue;
		if (names && n < max)
			names[n] = p;
		n++;
	}
	return n;
}

bool fuzz_template_protocol_known(const char *protocol)
{
	for (size_t i = 0; protocol && i < fuzz_template_count; i++)
		if (strcmp(fuzz_templates[i]->protocol, protocol) == 0)
			return true;
	return false;
}
