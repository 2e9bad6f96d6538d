/* test-template-ipv6: the IPv6 and ICMPv6 templates build valid packets for the DUT that
 * dissect back */
#include "core/compat.h"

#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>

#include "core/error.h"
#include "fuzz/templates.h"
#include "proto/ethernet.h"
#include "proto/icmpv6.h"
#include "proto/ipv6.h"
#include "proto/layer.h"
#include "proto/packet.h"

static struct packet built, parsed;

static const uint8_t tester_mac[6] = {0x02, 0xd1, 0, 0, 0, 0x01};
static const uint8_t dut_mac[6] = {0x02, 0xd1, 0, 0, 0, 0x02};
static const uint8_t solicited_mac[6] = {0x33, 0x33, 0xff, 0x00, 0x00, 0x02};
static const uint8_t routers_mac[6] = {0x33, 0x33, 0, 0, 0, 0x02};
static const uint8_t nodes_mac[6] = {0x33, 0x33, 0, 0, 0, 0x01};

/* What each template's packet must be: where it goes, what it is, how it is layered. */
static const struct {
	const struct fuzz_template *t;
	const char *protocol;
	const uint8_t *destination;
	const char *layers; /* after "ethernet" (and "vlan" on a tagged port) */
	uint8_t hop_limit;
	bool same_schema; /* the dissector reads the builder's schema back */
} ipv6_templates[] = {
	{&template_ipv6_udp, "ipv6", dut_mac, "ipv6 udp", 64, true},
	{&template_ipv6_hop_by_hop, "ipv6", dut_mac, "ipv6 ipv6-hop-by-hop udp", 64, true},
	{&template_ipv6_destination_options, "ipv6", dut_mac, "ipv6 ipv6-destination-options udp",
	 64, true},
	{&template_ipv6_routing, "ipv6", dut_mac, "ipv6 ipv6-routing udp", 64, true},
	{&template_icmpv6_echo, "icmpv6", dut_mac, "ipv6 icmpv6", 64, true},
	{&template_icmpv6_neighbor_solicit, "icmpv6", solicited_mac, "ipv6 icmpv6", 255, true},
	{&template_icmpv6_neighbor_advert, "icmpv6", dut_mac, "ipv6 icmpv6", 255, true},
	{&template_icmpv6_router_solicit, "icmpv6", routers_mac, "ipv6 icmpv6", 255, true},
	{&template_icmpv6_router_advert, "icmpv6", nodes_mac, "ipv6 icmpv6", 255, true},
	/* the invoking packet is built as layers; the dissector keeps a quote as bytes */
	{&template_icmpv6_packet_too_big, "icmpv6", dut_mac, "ipv6 icmpv6 ipv6 icmpv6", 64, false},
};

static void addresses(struct template_addresses *a, uint16_t vlan)
{
	memset(a, 0, sizeof(*a));
	memcpy(a->tester_mac, tester_mac, 6);
	memcpy(a->dut_mac, dut_mac, 6);
	assert_int_equal(inet_pton(AF_INET6, "fd00:198:0:14::1", &a->tester6), 1);
	assert_int_equal(inet_pton(AF_INET6, "fd00:198:0:14::2", &a->dut6), 1);
	a->vlan = vlan;
}

static void layer_names(const struct packet *p, char *out, size_t cap)
{
	size_t n = 0;
	out[0] = '\0';
	for (int l = 0; l < p->layer_count && n < cap; l++)
		n += (size_t)snprintf(out + n, cap - n, "%s%s", l ? " " : "",
				      p->layers[l].model->name);
}

static int field(const struct packet *p, const char *name)
{
	int f = packet_find(p, name, 0);
	assert_int_not_equal(f, PACKET_NONE);
	return f;
}

/* RFC 4443 2.3 / RFC 8200 8.1, summed here independently of the models. */
static void assert_icmpv6_sum(const struct packet *p)
{
	int ip = field(p, "ipv6"), icmp = field(p, "icmpv6");
	const uint8_t *h = p->bytes + p->fields[ip].offset;
	const uint8_t *m = p->bytes + p->fields[icmp].offset;
	uint32_t length = p->fields[icmp].size;
	uint64_t sum = 58 + (length >> 16) + (length & 0xffff);
	for (int i = 8; i < 40; i += 2)
		sum += (uint32_t)h[i] << 8 | h[i + 1];
	for (uint32_t i = 0; i < length; i++)
		sum += i % 2 ? m[i] : (uint32_t)m[i] << 8;
	while (sum > 0xffff)
		sum = (sum & 0xffff) + (sum >> 16);
	assert_int_equal(sum, 0xffff);
}

static void test_templates(void **state)
{
	(void)state;
	for (int tagged = 0; tagged < 2; tagged++) {
		struct template_addresses a;
		addresses(&a, tagged ? 14 : 0);
		for (size_t i = 0; i < DL_ARRAY_SIZE(ipv6_templates); i++) {
			const struct fuzz_template *t = ipv6_templates[i].t;
			struct dl_error err = {0};
			char layers[128], want[128];
			print_message("%s (vlan %u)\n", t->name, a.vlan);
			assert_string_equal(t->protocol, ipv6_templates[i].protocol);
			assert_non_null(t->title);
			packet_init(&built);
			assert_int_equal(t->build(&built, &a, &err), 0);
			assert_int_equal(built.open_count, 0);
			assert_memory_equal(built.bytes, ipv6_templates[i].destination, 6);
			assert_memory_equal(built.bytes + 6, tester_mac, 6);
			layer_names(&built, layers, sizeof(layers));
			snprintf(want, sizeof(want), "ethernet %s%s", tagged ? "vlan " : "",
				 ipv6_templates[i].layers);
			assert_string_equal(layers, want);
			assert_int_equal(packet_get(&built, field(&built, "ipv6.hop_limit")),
					 ipv6_templates[i].hop_limit);
			if (strcmp(t->protocol, "icmpv6") == 0)
				assert_icmpv6_sum(&built);

			assert_int_equal(proto_dissect(&parsed, built.bytes, built.length, &err),
					 0);
			assert_int_equal(parsed.length, built.length);
			if (ipv6_templates[i].same_schema) {
				assert_int_equal(parsed.field_count, built.field_count);
				for (int f = 0; f < built.field_count; f++) {
					const struct field *x = &built.fields[f],
							   *y = &parsed.fields[f];
					assert_string_equal(x->name, y->name);
					assert_int_equal(x->kind, y->kind);
					assert_int_equal(x->offset, y->offset);
					assert_int_equal(x->size, y->size);
					assert_int_equal(x->parent, y->parent);
					assert_int_equal(x->target, y->target);
					assert_int_equal(x->flags, y->flags);
					assert_int_equal(packet_get(&built, f),
							 packet_get(&parsed, f));
				}
			}
			/* finishing again changes nothing: every derived field is right */
			packet_copy(&parsed, &built);
			assert_int_equal(packet_finish(&parsed, &err), 0);
			assert_memory_equal(parsed.bytes, built.bytes, built.length);
		}
	}
}

static void test_addresses(void **state)
{
	(void)state;
	struct template_addresses a;
	struct dl_error err = {0};
	addresses(&a, 0);
	/* NS: to ff02::1:ff00:2 (RFC 4291 2.7.1), for the DUT's address, with our MAC */
	packet_init(&built);
	assert_int_equal(template_icmpv6_neighbor_solicit.build(&built, &a, &err), 0);
	struct in6_addr group;
	assert_int_equal(inet_pton(AF_INET6, "ff02::1:ff00:2", &group), 1);
	int destination = field(&built, "ipv6.destination");
	assert_memory_equal(built.bytes + built.fields[destination].offset, &group, 16);
	int target = field(&built, "icmpv6.target");
	assert_memory_equal(built.bytes + built.fields[target].offset, &a.dut6, 16);
	int slla = field(&built, "icmpv6.option.link_address");
	assert_memory_equal(built.bytes + built.fields[slla].offset, tester_mac, 6);
	/* NA: the tester's address, solicited and override */
	packet_init(&built);
	assert_int_equal(template_icmpv6_neighbor_advert.build(&built, &a, &err), 0);
	target = field(&built, "icmpv6.target");
	assert_memory_equal(built.bytes + built.fields[target].offset, &a.tester6, 16);
	assert_int_equal(packet_get(&built, field(&built, "icmpv6.na.solicited")), 1);
	assert_int_equal(packet_get(&built, field(&built, "icmpv6.na.override")), 1);
	assert_int_equal(packet_get(&built, field(&built, "icmpv6.na.router")), 0);
	/* RA: from the tester's EUI-64 link-local address, SLLA, MTU and the DUT's /64 */
	packet_init(&built);
	assert_int_equal(template_icmpv6_router_advert.build(&built, &a, &err), 0);
	struct in6_addr link_local, prefix;
	assert_int_equal(inet_pton(AF_INET6, "fe80::d1:ff:fe00:1", &link_local), 1);
	assert_int_equal(inet_pton(AF_INET6, "fd00:198:0:14::", &prefix), 1);
	int source = field(&built, "ipv6.source");
	assert_memory_equal(built.bytes + built.fields[source].offset, &link_local, 16);
	int types[3], option = 0;
	for (int k = 0; k < 3; k++) {
		option = packet_find(&built, "icmpv6.option.type", option + 1);
		assert_int_not_equal(option, PACKET_NONE);
		types[k] = (int)packet_get(&built, option);
	}
	assert_int_equal(types[0], ICMPV6_OPTION_SOURCE_LINK_ADDRESS);
	assert_int_equal(types[1], ICMPV6_OPTION_MTU);
	assert_int_equal(types[2], ICMPV6_OPTION_PREFIX_INFORMATION);
	int p = field(&built, "icmpv6.option.prefix");
	assert_memory_equal(built.bytes + built.fields[p].offset, &prefix, 16);
	assert_int_equal(packet_get(&built, field(&built, "icmpv6.ra.router_lifetime")), 0);
	/* packet too big: MTU 1280 about an echo reply from the DUT to the tester */
	packet_init(&built);
	assert_int_equal(template_icmpv6_packet_too_big.build(&built, &a, &err), 0);
	assert_int_equal(packet_get(&built, field(&built, "icmpv6.mtu")), IPV6_MIN_MTU);
	int invoking = field(&built, "icmpv6.invoking");
	int inner = packet_find(&built, "ipv6.source", invoking);
	assert_true(built.fields[inner].offset >= built.fields[invoking].offset);
	assert_memory_equal(built.bytes + built.fields[inner].offset, &a.dut6, 16);
	/* the routing header ends at the DUT, with no segment left */
	packet_init(&built);
	assert_int_equal(template_ipv6_routing.build(&built, &a, &err), 0);
	assert_int_equal(packet_get(&built, field(&built, "ipv6-routing.segments_left")), 0);
	int segment = field(&built, "ipv6-routing.segment");
	assert_memory_equal(built.bytes + built.fields[segment].offset, &a.dut6, 16);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_templates),
		cmocka_unit_test(test_addresses),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
