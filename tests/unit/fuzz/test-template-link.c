/* test-template-link: the link-layer templates build valid frames for the DUT that dissect back */
#include "core/compat.h"

#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>

#include "core/error.h"
#include "fuzz/templates.h"
#include "proto/arp.h"
#include "proto/ethernet.h"
#include "proto/layer.h"
#include "proto/lldp.h"
#include "proto/mac-control.h"
#include "proto/packet.h"

static struct packet built, parsed;

static const uint8_t tester_mac[6] = {0x02, 0xd1, 0, 0, 0, 0x01};
static const uint8_t dut_mac[6] = {0x02, 0xd1, 0, 0, 0, 0x02};
static const uint8_t broadcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

/* What each template's frame must be: where it goes, what it is, how it is layered. */
static const struct {
	const struct fuzz_template *t;
	const char *protocol;
	const uint8_t *destination;
	const char *layers;        /* untagged */
	const char *layers_tagged; /* on a port in VLAN 14 */
} link_templates[] = {
	{&template_arp_request, "arp", broadcast, "ethernet arp", "ethernet vlan arp"},
	{&template_arp_reply, "arp", dut_mac, "ethernet arp", "ethernet vlan arp"},
	{&template_arp_gratuitous, "arp", broadcast, "ethernet arp", "ethernet vlan arp"},
	{&template_lldp_nearest_bridge, "lldp", lldp_nearest_bridge, "ethernet lldp",
	 "ethernet lldp"},
	{&template_mac_control_pause, "ethernet-control", mac_control_address,
	 "ethernet mac_control", "ethernet mac_control"},
	{&template_mac_control_pfc, "ethernet-control", mac_control_address, "ethernet mac_control",
	 "ethernet mac_control"},
	{&template_ethernet_ii, "ethernet", dut_mac, "ethernet ipv4", "ethernet vlan ipv4"},
	{&template_ethernet_llc_snap, "ethernet", broadcast, "ethernet llc arp",
	 "ethernet vlan llc arp"},
	{&template_vlan_single, "vlan", broadcast, "ethernet vlan arp", "ethernet vlan arp"},
	{&template_vlan_double, "vlan", broadcast, "ethernet vlan vlan arp",
	 "ethernet vlan vlan arp"},
};

static void addresses(struct template_addresses *a, uint16_t vlan)
{
	memset(a, 0, sizeof(*a));
	memcpy(a->tester_mac, tester_mac, 6);
	memcpy(a->dut_mac, dut_mac, 6);
	assert_int_equal(inet_pton(AF_INET, "198.18.14.1", &a->tester4), 1);
	assert_int_equal(inet_pton(AF_INET, "198.18.14.2", &a->dut4), 1);
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

static void test_templates(void **state)
{
	(void)state;
	for (int tagged = 0; tagged < 2; tagged++) {
		struct template_addresses a;
		addresses(&a, tagged ? 14 : 0);
		for (size_t i = 0; i < DL_ARRAY_SIZE(link_templates); i++) {
			const struct fuzz_template *t = link_templates[i].t;
			struct dl_error err = {0};
			char layers[128];
			print_message("%s (vlan %u)\n", t->name, a.vlan);
			assert_string_equal(t->protocol, link_templates[i].protocol);
			assert_non_null(t->title);
			packet_init(&built);
			assert_int_equal(t->build(&built, &a, &err), 0);
			assert_int_equal(built.open_count, 0);
			assert_true(built.length >= ETHERNET_MIN_FRAME);
			assert_memory_equal(built.bytes, link_templates[i].destination, 6);
			assert_memory_equal(built.bytes + 6, tester_mac, 6);
			layer_names(&built, layers, sizeof(layers));
			assert_string_equal(layers, tagged ? link_templates[i].layers_tagged
							   : link_templates[i].layers);

			/* the dissector reads the same schema back, field for field */
			assert_int_equal(proto_dissect(&parsed, built.bytes, built.length, &err),
					 0);
			assert_int_equal(parsed.field_count, built.field_count);
			for (int f = 0; f < built.field_count; f++) {
				const struct field *x = &built.fields[f], *y = &parsed.fields[f];
				assert_string_equal(x->name, y->name);
				assert_int_equal(x->kind, y->kind);
				assert_int_equal(x->offset, y->offset);
				assert_int_equal(x->size, y->size);
				assert_int_equal(x->parent, y->parent);
				assert_int_equal(x->target, y->target);
				assert_int_equal(x->flags, y->flags);
				assert_int_equal(packet_get(&built, f), packet_get(&parsed, f));
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
	/* the request asks for the DUT's address; the reply answers the DUT */
	packet_init(&built);
	assert_int_equal(template_arp_request.build(&built, &a, &err), 0);
	assert_int_equal(packet_get(&built, field(&built, "arp.opcode")), ARP_REQUEST);
	int tpa = field(&built, "arp.target_ip");
	assert_memory_equal(built.bytes + built.fields[tpa].offset, &a.dut4, 4);
	packet_init(&built);
	assert_int_equal(template_arp_reply.build(&built, &a, &err), 0);
	assert_int_equal(packet_get(&built, field(&built, "arp.opcode")), ARP_REPLY);
	int tha = field(&built, "arp.target_mac");
	assert_memory_equal(built.bytes + built.fields[tha].offset, dut_mac, 6);
	/* gratuitous: the tester's address as sender and target */
	packet_init(&built);
	assert_int_equal(template_arp_gratuitous.build(&built, &a, &err), 0);
	int spa = field(&built, "arp.sender_ip");
	tpa = field(&built, "arp.target_ip");
	assert_memory_equal(built.bytes + built.fields[spa].offset, &a.tester4, 4);
	assert_memory_equal(built.bytes + built.fields[tpa].offset, &a.tester4, 4);
	/* LLDP: the tester as chassis and management address */
	packet_init(&built);
	assert_int_equal(template_lldp_nearest_bridge.build(&built, &a, &err), 0);
	int chassis = field(&built, "lldp.chassis_id.id");
	assert_memory_equal(built.bytes + built.fields[chassis].offset, tester_mac, 6);
	int mgmt = field(&built, "lldp.management_address.address");
	assert_memory_equal(built.bytes + built.fields[mgmt].offset, &a.tester4, 4);
	assert_int_equal(packet_get(&built, field(&built, "ethernet.type")), ETHERTYPE_LLDP);
	/* VLAN: the port's VLAN in the tag, a priority tag on an untagged port */
	packet_init(&built);
	assert_int_equal(template_vlan_single.build(&built, &a, &err), 0);
	assert_int_equal(packet_get(&built, field(&built, "vlan.vid")), 0);
	addresses(&a, 14);
	packet_init(&built);
	assert_int_equal(template_vlan_single.build(&built, &a, &err), 0);
	assert_int_equal(packet_get(&built, field(&built, "vlan.vid")), 14);
	packet_init(&built);
	assert_int_equal(template_vlan_double.build(&built, &a, &err), 0);
	assert_int_equal(packet_get(&built, field(&built, "ethernet.type")), ETHERTYPE_QINQ);
	int outer = field(&built, "vlan.vid");
	assert_int_equal(packet_get(&built, outer), 14);
	assert_int_equal(packet_get(&built, packet_find(&built, "vlan.vid", outer + 1)), 1);
	/* PFC: all eight priorities, each paused briefly */
	packet_init(&built);
	assert_int_equal(template_mac_control_pfc.build(&built, &a, &err), 0);
	assert_int_equal(packet_get(&built, field(&built, "mac_control.pfc.class_enable")), 0xff);
	assert_int_equal(packet_get(&built, field(&built, "mac_control.pfc.time7")), 0x10);
}

static void test_dissect_refusals(void **state)
{
	(void)state;
	struct template_addresses a;
	struct dl_error err = {0};
	addresses(&a, 0);
	/* a mutated frame the models refuse says where and why, through the dissector */
	packet_init(&built);
	assert_int_equal(template_lldp_nearest_bridge.build(&built, &a, &err), 0);
	int length = field(&built, "lldp.chassis_id.length");
	packet_put(&built, length, 1);
	assert_int_equal(proto_dissect(&parsed, built.bytes, built.length, &err), DL_EPROTO);
	assert_string_equal(err.message,
			    "frame: offset 14: Chassis ID TLV length is not 2 to 256 (value 1)");
	packet_init(&built);
	assert_int_equal(template_arp_request.build(&built, &a, &err), 0);
	packet_put(&built, field(&built, "arp.hlen"), 0);
	assert_int_equal(proto_dissect(&parsed, built.bytes, built.length, &err), DL_EPROTO);
	assert_string_equal(err.message,
			    "frame: offset 18: hardware address length is not 1 to 32 (value 0)");
	packet_init(&built);
	assert_int_equal(template_mac_control_pfc.build(&built, &a, &err), 0);
	assert_int_equal(proto_dissect(&parsed, built.bytes, 20, &err), DL_EPROTO);
	assert_string_equal(
		err.message,
		"frame: offset 16: PFC frame cut short of its eight pause times (value 4)");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_templates),
		cmocka_unit_test(test_addresses),
		cmocka_unit_test(test_dissect_refusals),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
