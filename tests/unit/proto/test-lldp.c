/* test-lldp: LLDPDU build, TLV schema and parse against an 802.1AB-2016 vector checked with scapy
 */
#include "core/compat.h"

#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>

#include "core/error.h"
#include "proto/cursor.h"
#include "proto/layer.h"
#include "proto/lldp.h"
#include "proto/packet.h"

static struct packet built, parsed;

/*
 * 802.1AB-2016 8.4 TLV format (7-bit type, 9-bit length); the same bytes as
 * scapy.contrib.lldp's LLDPDUChassisID(subtype=4) / LLDPDUPortID(subtype=5) /
 * ... / LLDPDUEndOfLLDPDU() with the values below.
 */
static const uint8_t full_vector[] = {
	0x02, 0x07, 0x04, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01, /* Chassis ID: MAC 02:...:01 */
	0x04, 0x05, 0x05, 'e',  't',  'h',  '0',              /* Port ID: interface name */
	0x06, 0x02, 0x00, 0x78,                               /* TTL 120 */
	0x08, 0x04, 'e',  't',  'h',  '0',                    /* Port Description */
	0x0a, 0x03, 's',  'w',  '1',                          /* System Name */
	0x0c, 0x16, 'd',  'u',  't',  'l',  'a',  'b',  ' ',  'r',  'o',  'b', 'u',
	's',  't',  'n',  'e',  's',  's',  ' ',  't',  'e',  's',  't', /* System Description */
	0x0e, 0x04, 0x00, 0x14, 0x00, 0x04, /* capabilities bridge + router, bridge enabled */
	0x10, 0x16, 0x05, 0x01, 0xc6, 0x12, 0x0e, 0x01, /* Management Address: IPv4 198.18.14.1 */
	0x02, 0x00, 0x00, 0x00, 0x02,                   /* ifIndex 2 */
	0x0a, 0x2b, 0x06, 0x01, 0x02, 0x01, 0x02, 0x02, 0x01, 0x01, 0x02, /* OID ifIndex.2 */
	0xfe, 0x06, 0x00, 0x80, 0xc2, 0x01, 0x00, 0x0a,                   /* 802.1 PVID 10 */
	0xfe, 0x09, 0x00, 0x12, 0x0f, 0x01, 0x03, 0x6c, 0x01, 0x00, 0x1e, /* 802.3 MAC/PHY */
	0x00, 0x00,                                                       /* End */
};

/* TLV offsets in full_vector, for the prefix sweep: each TLV's start, then the end */
static const size_t tlv_starts[] = {0, 9, 16, 20, 26, 31, 55, 61, 85, 93, 104, 106};

static const uint8_t mac1[6] = {0x02, 0, 0, 0, 0, 0x01};

static void fill(struct lldp_fields *f)
{
	memset(f, 0, sizeof(*f));
	memcpy(f->chassis_mac, mac1, 6);
	f->port_name = "eth0";
	f->system_name = "sw1";
	assert_int_equal(inet_pton(AF_INET, "198.18.14.1", &f->management4), 1);
	f->if_index = 2;
	f->port_vlan = 10;
}

static void build(const struct lldp_fields *f)
{
	struct dl_error err = {0};
	packet_init(&built);
	assert_int_equal(lldp_build(&built, f), 0);
	assert_int_equal(packet_finish(&built, &err), 0);
}

static int parse(const uint8_t *bytes, size_t length, char *message, size_t cap)
{
	struct cursor c;
	struct layer_parse_result next = {LAYER_NEXT_ETHERTYPE, 1};
	packet_init(&parsed);
	cursor_init(&c, bytes, length);
	int rc = lldp_layer.parse(&parsed, &c, &next);
	if (rc < 0) {
		struct dl_error err = {0};
		cursor_error_report(&c, &err, "lldp");
		snprintf(message, cap, "%s", err.message);
		return rc;
	}
	assert_int_equal(next.next, LAYER_NEXT_NONE);
	return rc;
}

static void assert_same_packet(const struct packet *a, const struct packet *b)
{
	assert_int_equal(a->length, b->length);
	assert_memory_equal(a->bytes, b->bytes, a->length);
	assert_int_equal(a->field_count, b->field_count);
	assert_int_equal(a->layer_count, b->layer_count);
	for (int i = 0; i < a->field_count; i++) {
		const struct field *x = &a->fields[i], *y = &b->fields[i];
		assert_string_equal(x->name, y->name);
		assert_int_equal(x->kind, y->kind);
		assert_int_equal(x->offset, y->offset);
		assert_int_equal(x->size, y->size);
		assert_int_equal(x->bit_shift, y->bit_shift);
		assert_int_equal(x->bit_width, y->bit_width);
		assert_int_equal(x->flags, y->flags);
		assert_int_equal(x->parent, y->parent);
		assert_int_equal(x->target, y->target);
		assert_int_equal(x->unit, y->unit);
		assert_int_equal(x->adjust, y->adjust);
		assert_ptr_equal(x->values, y->values);
		assert_int_equal(packet_get(a, i), packet_get(b, i));
	}
}

static int field(const struct packet *p, const char *name)
{
	int f = packet_find(p, name, 0);
	assert_int_not_equal(f, PACKET_NONE);
	return f;
}

static uint64_t value(const struct packet *p, const char *name)
{
	return packet_get(p, field(p, name));
}

static void test_build_full(void **state)
{
	(void)state;
	struct lldp_fields f;
	fill(&f);
	build(&f);
	assert_int_equal(built.length, sizeof(full_vector));
	assert_memory_equal(built.bytes, full_vector, sizeof(full_vector));
	assert_int_equal(built.layer_count, 1);
	assert_ptr_equal(built.layers[0].model, &lldp_layer);

	/* the layer holds the list, the list holds the eleven TLVs in order */
	int list = field(&built, "lldp.tlvs");
	assert_int_equal(built.fields[list].kind, FIELD_LIST);
	assert_int_equal(built.fields[list].size, sizeof(full_vector));
	static const char *const tlvs[] = {
		"lldp.chassis_id",
		"lldp.port_id",
		"lldp.ttl",
		"lldp.port_description",
		"lldp.system_name",
		"lldp.system_description",
		"lldp.system_capabilities",
		"lldp.management_address",
		"lldp.dot1_port_vlan_id",
		"lldp.dot3_mac_phy",
		"lldp.end",
	};
	int seen = 0;
	for (int i = 0; i < built.field_count; i++) {
		const struct field *x = &built.fields[i];
		if (x->parent != list)
			continue;
		assert_true((size_t)seen < DL_ARRAY_SIZE(tlvs));
		assert_string_equal(x->name, tlvs[seen]);
		assert_int_equal(x->kind, FIELD_ELEMENT);
		assert_int_equal(x->offset, tlv_starts[seen]);
		assert_int_equal(x->size, tlv_starts[seen + 1] - tlv_starts[seen]);
		bool repeatable = seen >= 7 && seen <= 9;
		assert_int_equal((x->flags & FIELD_REPEATABLE) != 0, repeatable);
		seen++;
	}
	assert_int_equal(seen, DL_ARRAY_SIZE(tlvs));

	/* a TLV: type 7 bits and length 9 bits of one 16-bit word, length-of the value */
	int type = field(&built, "lldp.port_id.type"),
	    length = field(&built, "lldp.port_id.length");
	int v = field(&built, "lldp.port_id.value");
	assert_int_equal(built.fields[type].bit_shift, 9);
	assert_int_equal(built.fields[type].bit_width, 7);
	assert_int_equal(built.fields[type].kind, FIELD_ENUM);
	assert_true(built.fields[type].flags & FIELD_KEY);
	assert_non_null(built.fields[type].values);
	assert_int_equal(built.fields[length].bit_shift, 0);
	assert_int_equal(built.fields[length].bit_width, 9);
	assert_int_equal(built.fields[length].kind, FIELD_LENGTH);
	assert_int_equal(built.fields[length].target, v);
	assert_int_equal(packet_get(&built, type), LLDP_TLV_PORT_ID);
	assert_int_equal(packet_get(&built, length), 5);
	assert_int_equal(built.fields[field(&built, "lldp.port_id.id")].kind, FIELD_BYTES);

	/* each TLV's own fields */
	int id = field(&built, "lldp.chassis_id.id");
	assert_int_equal(built.fields[id].kind, FIELD_ADDRESS);
	assert_true(built.fields[id].flags & FIELD_KEY);
	assert_int_equal(value(&built, "lldp.chassis_id.subtype"), 4);
	assert_int_equal(value(&built, "lldp.port_id.subtype"), 5);
	assert_int_equal(value(&built, "lldp.ttl.seconds"), 120);
	assert_int_equal(built.fields[field(&built, "lldp.system_name.text")].size, 3);
	assert_int_equal(value(&built, "lldp.system_capabilities.capabilities"), 0x14);
	assert_int_equal(value(&built, "lldp.system_capabilities.enabled"), 0x04);
	assert_int_equal(value(&built, "lldp.management_address.address_length"), 5);
	assert_int_equal(value(&built, "lldp.management_address.address_subtype"), 1);
	assert_int_equal(value(&built, "lldp.management_address.interface_number"), 2);
	assert_int_equal(value(&built, "lldp.management_address.oid_length"), 10);
	int al = field(&built, "lldp.management_address.address_length");
	assert_int_equal(built.fields[al].target, field(&built, "lldp.management_address.address"));
	assert_int_equal(built.fields[al].adjust, 1);
	int ol = field(&built, "lldp.management_address.oid_length");
	assert_int_equal(built.fields[ol].target, field(&built, "lldp.management_address.oid"));
	assert_int_equal(value(&built, "lldp.dot1_port_vlan_id.oui"), LLDP_OUI_IEEE_8021);
	assert_int_equal(value(&built, "lldp.dot1_port_vlan_id.pvid"), 10);
	assert_int_equal(value(&built, "lldp.dot3_mac_phy.oui"), LLDP_OUI_IEEE_8023);
	assert_int_equal(value(&built, "lldp.dot3_mac_phy.mau_type"), 30);
	assert_int_equal(value(&built, "lldp.end.length"), 0);
	assert_int_equal(built.fields[field(&built, "lldp.end.value")].size, 0);
	assert_true(built.field_count < PACKET_FIELDS_MAX / 2);
}

static void test_defaults(void **state)
{
	(void)state;
	char message[DL_ERROR_MESSAGE_MAX];
	struct lldp_fields f = {.chassis_mac = {0x02, 0, 0, 0, 0, 0x09}};
	build(&f);
	/* no management address without one; the default strings and numbers */
	assert_int_equal(packet_find(&built, "lldp.management_address", 0), PACKET_NONE);
	int port = field(&built, "lldp.port_id.id");
	assert_memory_equal(built.bytes + built.fields[port].offset, "port1", 5);
	int name = field(&built, "lldp.system_name.text");
	assert_int_equal(built.fields[name].size, 6);
	assert_memory_equal(built.bytes + built.fields[name].offset, "dutlab", 6);
	assert_int_equal(value(&built, "lldp.ttl.seconds"), 120);
	assert_int_equal(value(&built, "lldp.dot1_port_vlan_id.pvid"), 1);
	assert_int_equal(parse(built.bytes, built.length, message, sizeof(message)), 0);
	assert_same_packet(&built, &parsed);

	/* long strings are cut to 255; an ifIndex over 127 takes more OID bytes */
	static char long_name[400];
	memset(long_name, 'x', sizeof(long_name) - 1);
	f.port_name = long_name;
	f.system_name = long_name;
	f.ttl = 65535;
	f.if_index = 300; /* base 128: 0x82 0x2c */
	f.management4.s_addr = htonl(0xc6120e01);
	build(&f);
	assert_int_equal(value(&built, "lldp.port_id.length"), 256);
	assert_int_equal(value(&built, "lldp.system_name.length"), 255);
	assert_int_equal(value(&built, "lldp.ttl.seconds"), 65535);
	int oid = field(&built, "lldp.management_address.oid");
	assert_int_equal(built.fields[oid].size, 11);
	assert_int_equal(built.bytes[built.fields[oid].offset + 9], 0x82);
	assert_int_equal(built.bytes[built.fields[oid].offset + 10], 0x2c);
	assert_int_equal(parse(built.bytes, built.length, message, sizeof(message)), 0);
	assert_same_packet(&built, &parsed);
}

static void test_roundtrip_and_relations(void **state)
{
	(void)state;
	struct dl_error err = {0};
	char message[DL_ERROR_MESSAGE_MAX];
	struct lldp_fields f;
	fill(&f);
	build(&f);
	assert_int_equal(parse(full_vector, sizeof(full_vector), message, sizeof(message)), 0);
	assert_same_packet(&built, &parsed);

	/* padding after End stays with the dissector */
	uint8_t padded[sizeof(full_vector) + 8] = {0};
	memcpy(padded, full_vector, sizeof(full_vector));
	struct cursor c;
	struct layer_parse_result next;
	packet_init(&parsed);
	cursor_init(&c, padded, sizeof(padded));
	assert_int_equal(lldp_layer.parse(&parsed, &c, &next), 0);
	assert_int_equal(c.len, sizeof(full_vector)); /* proto_limit(): the rest is padding */
	assert_int_equal(cursor_remaining(&c), 0);

	/* grow the system name: its TLV length follows at packet_finish() */
	int text = field(&built, "lldp.system_name.text");
	assert_int_equal(
		packet_splice(&built, built.fields[text].offset + 3, 0, "-a", 2, text, &err), 0);
	/* and the management address: its string length counts the subtype too */
	int address = field(&built, "lldp.management_address.address");
	static const uint8_t more[12] = {0};
	assert_int_equal(
		packet_splice(&built, built.fields[address].offset + 4, 0, more, 12, address, &err),
		0);
	assert_int_equal(packet_finish(&built, &err), 0);
	assert_int_equal(value(&built, "lldp.system_name.length"), 5);
	assert_int_equal(value(&built, "lldp.management_address.address_length"), 17);
	assert_int_equal(value(&built, "lldp.management_address.length"), 22 + 12);
	assert_int_equal(parse(built.bytes, built.length, message, sizeof(message)), 0);
	int name = field(&parsed, "lldp.system_name.text");
	assert_memory_equal(parsed.bytes + parsed.fields[name].offset, "sw1-a", 5);
	assert_int_equal(parsed.fields[field(&parsed, "lldp.management_address.address")].size, 16);

	/* a mutation's frozen length is left wrong, and then the parser refuses it */
	int length = field(&built, "lldp.port_description.length");
	packet_put(&built, length, 300);
	packet_freeze(&built, length);
	assert_int_equal(packet_finish(&built, &err), 0);
	assert_int_equal(packet_get(&built, length), 300);
	assert_int_equal(parse(built.bytes, built.length, message, sizeof(message)), DL_EPROTO);
	assert_string_equal(message,
			    "lldp: offset 20: TLV length runs past the LLDPDU (value 300)");
}

static void test_other_tlvs(void **state)
{
	(void)state;
	char message[DL_ERROR_MESSAGE_MAX];
	/* the mandatory three, a reserved type 9, an unknown organisation, a second Port VLAN ID
	 * TLV of another OUI's subtype, a TTL with an extra byte; no End (optional in 2016) */
	static const uint8_t b[] = {
		0x02, 0x05, 0x07, 'c',  'h',  'a',  's', /* chassis locally assigned "chas" */
		0x04, 0x07, 0x03, 0x02, 0,    0,    0,    0,    0x05, /* port ID MAC */
		0x06, 0x03, 0x00, 0x10, 0xff,                   /* TTL 16 and one extra byte */
		0x12, 0x02, 0xab, 0xcd,                         /* type 9 */
		0xfe, 0x05, 0x00, 0x0e, 0xcf, 0x07, 0x99,       /* PROFIBUS subtype 7 */
		0xfe, 0x04, 0xac, 0xde, 0x48, 0x01,             /* unknown OUI, subtype 1 */
		0xfe, 0x06, 0x00, 0x80, 0xc2, 0x03, 0x00, 0x01, /* 802.1 VLAN name (short) */
	};
	assert_int_equal(parse(b, sizeof(b), message, sizeof(message)), 0);
	assert_int_equal(parsed.fields[field(&parsed, "lldp.chassis_id.id")].kind, FIELD_BYTES);
	int port = field(&parsed, "lldp.port_id.id");
	assert_int_equal(parsed.fields[port].kind, FIELD_ADDRESS);
	assert_int_equal(parsed.fields[port].size, 6);
	assert_int_equal(value(&parsed, "lldp.ttl.seconds"), 16);
	assert_int_equal(parsed.fields[field(&parsed, "lldp.ttl.extra")].size, 1);
	assert_int_equal(value(&parsed, "lldp.tlv.type"), 9);
	assert_int_equal(parsed.fields[field(&parsed, "lldp.tlv.data")].size, 2);
	int oui = field(&parsed, "lldp.org_specific.oui");
	assert_int_equal(packet_get(&parsed, oui), 0x000ecf);
	int info = field(&parsed, "lldp.org_specific.info");
	assert_int_equal(parsed.fields[info].size, 1);
	/* an unknown OUI's subtype is an identifier; 802.1's are an enum */
	int sub = field(&parsed, "lldp.org_specific.subtype");
	int sub2 = packet_find(&parsed, "lldp.org_specific.subtype", sub + 1);
	int sub3 = packet_find(&parsed, "lldp.org_specific.subtype", sub2 + 1);
	/* PROFIBUS is a named OUI, but its subtypes are not listed */
	assert_int_equal(parsed.fields[sub].kind, FIELD_IDENTIFIER);
	assert_null(parsed.fields[sub].values);
	assert_int_equal(parsed.fields[sub2].kind, FIELD_IDENTIFIER);
	assert_int_equal(parsed.fields[sub3].kind, FIELD_ENUM);
	assert_non_null(parsed.fields[sub3].values);
	assert_int_equal(packet_find(&parsed, "lldp.end", 0), PACKET_NONE);
}

static const struct {
	const char *name;
	uint8_t bytes[24];
	size_t length;
	const char *message;
} malformed[] = {
	{"empty",
	 {0},
	 0,
	 "lldp: offset 0: the LLDPDU ends before Chassis ID, Port ID and TTL (value 0)"},
	{"one byte", {0x02}, 1, "lldp: offset 0: a TLV header needs 2 bytes (value 1)"},
	{"length past the LLDPDU",
	 {0x02, 0x07, 0x04, 0x02},
	 4,
	 "lldp: offset 0: TLV length runs past the LLDPDU (value 7)"},
	{"port ID first",
	 {0x04, 0x02, 0x05, 'a'},
	 4,
	 "lldp: offset 0: the first TLV is not Chassis ID (value 2)"},
	{"chassis ID too short",
	 {0x02, 0x01, 0x04},
	 3,
	 "lldp: offset 0: Chassis ID TLV length is not 2 to 256 (value 1)"},
	{"TTL missing",
	 {0x02, 0x02, 0x07, 'c', 0x04, 0x02, 0x05, 'p', 0x00, 0x00},
	 10,
	 "lldp: offset 8: the third TLV is not TTL (value 0)"},
	{"only two TLVs",
	 {0x02, 0x02, 0x07, 'c', 0x04, 0x02, 0x05, 'p'},
	 8,
	 "lldp: offset 8: the LLDPDU ends before Chassis ID, Port ID and TTL (value 2)"},
	{"port ID empty",
	 {0x02, 0x02, 0x07, 'c', 0x04, 0x00},
	 6,
	 "lldp: offset 4: Port ID TLV length is not 2 to 256 (value 0)"},
	{"TTL one byte",
	 {0x02, 0x02, 0x07, 'c', 0x04, 0x02, 0x05, 'p', 0x06, 0x01, 0x10},
	 11,
	 "lldp: offset 8: TTL TLV length is less than 2 (value 1)"},
	{"End with a length",
	 {0x02, 0x02, 0x07, 'c', 0x04, 0x02, 0x05, 'p', 0x06, 0x02, 0, 1, 0x00, 0x01, 0},
	 15,
	 "lldp: offset 12: End Of LLDPDU TLV length is not 0 (value 1)"},
	{"capabilities of 3",
	 {0x02, 0x02, 0x07, 'c', 0x04, 0x02, 0x05, 'p', 0x06, 0x02, 0, 1, 0x0e, 0x03, 0, 4, 0},
	 17,
	 "lldp: offset 12: System Capabilities TLV length is not 4 (value 3)"},
	{"org specific of 3",
	 {0x02, 0x02, 0x07, 'c', 0x04, 0x02, 0x05, 'p', 0x06, 0x02, 0, 1, 0xfe, 0x03, 0, 0x80,
	  0xc2},
	 17,
	 "lldp: offset 12: Organizationally Specific TLV length is less than 4 (value 3)"},
	{"port VLAN ID of 5",
	 {0x02, 0x02, 0x07, 'c', 0x04, 0x02, 0x05, 'p', 0x06, 0x02, 0, 1, 0xfe, 0x05, 0, 0x80, 0xc2,
	  0x01, 0x00},
	 19,
	 "lldp: offset 12: 802.1 Port VLAN ID TLV length is not 6 (value 5)"},
};

/* Management Address TLVs after a valid start: the inner lengths */
static const struct {
	const char *name;
	uint8_t value[16];
	size_t length;
	const char *message;
} malformed_management[] = {
	{"short",
	 {0x02, 0x06, 0xaa, 0x02, 0, 0, 0, 1},
	 8,
	 "lldp: offset 12: Management Address TLV length is not 9 to 167 (value 8)"},
	{"address string of 1",
	 {0x01, 0x01, 0x02, 0, 0, 0, 1, 0, 0},
	 9,
	 "lldp: offset 14: management address string length is not 2 to 32 (value 1)"},
	{"address string of 33",
	 {0x21, 0x01, 0x02, 0, 0, 0, 1, 0, 0},
	 9,
	 "lldp: offset 14: management address string length is not 2 to 32 (value 33)"},
	{"address string past the TLV",
	 {0x05, 0x01, 1, 2, 3, 4, 0x02, 0, 0, 0},
	 10,
	 "lldp: offset 14: management address string runs past the TLV (value 5)"},
	{"OID past the TLV",
	 {0x05, 0x01, 1, 2, 3, 4, 0x02, 0, 0, 0, 1, 0x03, 0x2b},
	 13,
	 "lldp: offset 25: management OID string length disagrees with the TLV length (value 3)"},
	{"OID short of the TLV",
	 {0x05, 0x01, 1, 2, 3, 4, 0x02, 0, 0, 0, 1, 0x00, 0x2b},
	 13,
	 "lldp: offset 25: management OID string length disagrees with the TLV length (value 0)"},
	{"OID over 128",
	 {0x05, 0x01, 1, 2, 3, 4, 0x02, 0, 0, 0, 1, 0x81, 0x2b},
	 13,
	 "lldp: offset 25: management OID string length is over 128 (value 129)"},
};

static void test_malformed(void **state)
{
	(void)state;
	char message[DL_ERROR_MESSAGE_MAX];
	for (size_t i = 0; i < DL_ARRAY_SIZE(malformed); i++) {
		print_message("malformed: %s\n", malformed[i].name);
		assert_int_equal(
			parse(malformed[i].bytes, malformed[i].length, message, sizeof(message)),
			DL_EPROTO);
		assert_string_equal(message, malformed[i].message);
	}
	static const uint8_t start[] = {0x02, 0x02, 0x07, 'c',  0x04, 0x02,
					0x05, 'p',  0x06, 0x02, 0,    1};
	for (size_t i = 0; i < DL_ARRAY_SIZE(malformed_management); i++) {
		uint8_t b[64];
		size_t n = malformed_management[i].length;
		print_message("malformed management address: %s\n", malformed_management[i].name);
		memcpy(b, start, sizeof(start));
		b[12] = 0x10;
		b[13] = (uint8_t)n;
		memcpy(b + 14, malformed_management[i].value, n);
		assert_int_equal(parse(b, sizeof(start) + 2 + n, message, sizeof(message)),
				 DL_EPROTO);
		assert_string_equal(message, malformed_management[i].message);
	}
	/* every prefix of the full LLDPDU: fine at a TLV boundary after the TTL (End is
	 * optional), refused inside a TLV or before the mandatory three */
	for (size_t n = 0; n <= sizeof(full_vector); n++) {
		bool boundary = false;
		for (size_t i = 3; i < DL_ARRAY_SIZE(tlv_starts); i++)
			boundary = boundary || tlv_starts[i] == n;
		int rc = parse(full_vector, n, message, sizeof(message));
		assert_int_equal(rc, boundary ? 0 : DL_EPROTO);
	}
	/* a text TLV longer than 255, with the bytes there */
	static uint8_t text[12 + 2 + 256];
	memcpy(text, start, sizeof(start));
	text[12] = 0x0b; /* System Name, length 256 */
	text[13] = 0x00;
	assert_int_equal(parse(text, sizeof(text), message, sizeof(message)), DL_EPROTO);
	assert_string_equal(message, "lldp: offset 12: text TLV length is over 255 (value 256)");
	/* more TLVs than the field table holds: refused with a reason, not overrun */
	static uint8_t many[12 + 4 * 200];
	memcpy(many, start, sizeof(start));
	for (size_t i = 0; i < 200; i++) {
		uint8_t *t = many + sizeof(start) + 4 * i;
		t[0] = 0x0a; /* System Name "ab" */
		t[1] = 0x02;
		t[2] = 'a';
		t[3] = 'b';
	}
	assert_int_equal(parse(many, sizeof(many), message, sizeof(message)), DL_EPROTO);
	assert_non_null(strstr(message, "more TLVs than"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_build_full),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_roundtrip_and_relations),
		cmocka_unit_test(test_other_tlvs),
		cmocka_unit_test(test_malformed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
