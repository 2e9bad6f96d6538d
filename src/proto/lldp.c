/* lldp: IEEE 802.1AB LLDPDU build, parse and field schema */
#include "core/compat.h"

#include "core/error.h"
#include "proto/cursor.h"
#include "proto/layer.h"
#include "proto/lldp.h"
#include "proto/packet.h"

const uint8_t lldp_nearest_bridge[6] = {0x01, 0x80, 0xc2, 0x00, 0x00, 0x0e};
const uint8_t lldp_nearest_nontpmr_bridge[6] = {0x01, 0x80, 0xc2, 0x00, 0x00, 0x03};
const uint8_t lldp_nearest_customer_bridge[6] = {0x01, 0x80, 0xc2, 0x00, 0x00, 0x00};

#define LLDP_STRING_MAX 255 /* 8.5.2 to 8.5.7: an ID or a text is at most 255 octets */
#define LLDP_OID_MAX 128    /* 8.5.9.8 */

/* 802.1AB-2016 8.4.1 Table 8-1 */
static const struct field_value lldp_tlv_types[] = {
	{LLDP_TLV_END, "end"},
	{LLDP_TLV_CHASSIS_ID, "chassis-id"},
	{LLDP_TLV_PORT_ID, "port-id"},
	{LLDP_TLV_TTL, "ttl"},
	{LLDP_TLV_PORT_DESCRIPTION, "port-description"},
	{LLDP_TLV_SYSTEM_NAME, "system-name"},
	{LLDP_TLV_SYSTEM_DESCRIPTION, "system-description"},
	{LLDP_TLV_SYSTEM_CAPABILITIES, "system-capabilities"},
	{LLDP_TLV_MANAGEMENT_ADDRESS, "management-address"},
	{LLDP_TLV_ORGANIZATIONAL, "organizationally-specific"},
	{0, NULL},
};

/* 8.5.2.2 Table 8-2 */
static const struct field_value lldp_chassis_subtypes[] = {
	{1, "chassis-component"}, {2, "interface-alias"},
	{3, "port-component"},    {4, "mac-address"},
	{5, "network-address"},   {6, "interface-name"},
	{7, "locally-assigned"},  {0, NULL},
};

/* 8.5.3.2 Table 8-3 */
static const struct field_value lldp_port_subtypes[] = {
	{1, "interface-alias"},  {2, "port-component"},
	{3, "mac-address"},      {4, "network-address"},
	{5, "interface-name"},   {6, "agent-circuit-id"},
	{7, "locally-assigned"}, {0, NULL},
};

/* IANA Address Family Numbers, as 8.5.9.3 uses them */
static const struct field_value lldp_address_families[] = {
	{1, "ipv4"},
	{2, "ipv6"},
	{6, "ieee-802"},
	{0, NULL},
};

/* 8.5.9.5 (IF-MIB ifIndex, or a system port number) */
static const struct field_value lldp_interface_subtypes[] = {
	{1, "unknown"},
	{2, "ifindex"},
	{3, "system-port-number"},
	{0, NULL},
};

static const struct field_value lldp_ouis[] = {
	{LLDP_OUI_IEEE_8021, "ieee-802.1"},
	{LLDP_OUI_IEEE_8023, "ieee-802.3"},
	{0x0012bb, "tia-tr-41-med"},
	{0x000ecf, "profibus"},
	{0, NULL},
};

/* IEEE 802.1Q-2018 Annex D Table D-1 */
static const struct field_value lldp_dot1_subtypes[] = {
	{1, "port-vlan-id"},
	{2, "port-and-protocol-vlan-id"},
	{3, "vlan-name"},
	{4, "protocol-identity"},
	{5, "vid-usage-digest"},
	{6, "management-vid"},
	{7, "link-aggregation"},
	{8, "congestion-notification"},
	{9, "ets-configuration"},
	{10, "ets-recommendation"},
	{11, "pfc-configuration"},
	{12, "application-priority"},
	{13, "evb"},
	{14, "cdcp"},
	{0, NULL},
};

/* IEEE 802.3-2018 Table 79-1 */
static const struct field_value lldp_dot3_subtypes[] = {
	{1, "mac-phy-configuration-status"},
	{2, "power-via-mdi"},
	{3, "link-aggregation"},
	{4, "maximum-frame-size"},
	{5, "eee"},
	{6, "eee-fast-wake"},
	{7, "additional-ethernet-capabilities"},
	{8, "power-via-mdi-measurements"},
	{0, NULL},
};

/* The kinds of TLV the schema tells apart (an Organizationally Specific TLV by OUI and subtype). */
enum lldp_kind {
	LLDP_KIND_END,
	LLDP_KIND_CHASSIS_ID,
	LLDP_KIND_PORT_ID,
	LLDP_KIND_TTL,
	LLDP_KIND_PORT_DESCRIPTION,
	LLDP_KIND_SYSTEM_NAME,
	LLDP_KIND_SYSTEM_DESCRIPTION,
	LLDP_KIND_SYSTEM_CAPABILITIES,
	LLDP_KIND_MANAGEMENT_ADDRESS,
	LLDP_KIND_DOT1_PORT_VLAN_ID,
	LLDP_KIND_DOT3_MAC_PHY,
	LLDP_KIND_ORG_SPECIFIC,
	LLDP_KIND_RESERVED,
};

struct lldp_tlv_names {
	const char *element, *type, *length, *value;
	const char *title; /* for messages: "Chassis ID" */
};

#define LLDP_NAMES(n, title)                                                                       \
	{                                                                                          \
		"lldp." n, "lldp." n ".type", "lldp." n ".length", "lldp." n ".value", title       \
	}

static const struct lldp_tlv_names lldp_names[] = {
	[LLDP_KIND_END] = LLDP_NAMES("end", "End Of LLDPDU"),
	[LLDP_KIND_CHASSIS_ID] = LLDP_NAMES("chassis_id", "Chassis ID"),
	[LLDP_KIND_PORT_ID] = LLDP_NAMES("port_id", "Port ID"),
	[LLDP_KIND_TTL] = LLDP_NAMES("ttl", "Time To Live"),
	[LLDP_KIND_PORT_DESCRIPTION] = LLDP_NAMES("port_description", "Port Description"),
	[LLDP_KIND_SYSTEM_NAME] = LLDP_NAMES("system_name", "System Name"),
	[LLDP_KIND_SYSTEM_DESCRIPTION] = LLDP_NAMES("system_description", "System Description"),
	[LLDP_KIND_SYSTEM_CAPABILITIES] = LLDP_NAMES("system_capabilities", "System Capabilities"),
	[LLDP_KIND_MANAGEMENT_ADDRESS] = LLDP_NAMES("management_address", "Management Address"),
	[LLDP_KIND_DOT1_PORT_VLAN_ID] = LLDP_NAMES("dot1_port_vlan_id", "802.1 Port VLAN ID"),
	[LLDP_KIND_DOT3_MAC_PHY] = LLDP_NAMES("dot3_mac_phy", "802.3 MAC/PHY Configuration/Status"),
	[LLDP_KIND_ORG_SPECIFIC] = LLDP_NAMES("org_specific", "Organizationally Specific"),
	[LLDP_KIND_RESERVED] = LLDP_NAMES("tlv", "reserved type"),
};

static uint32_t lldp_be(const uint8_t *b, size_t n)
{
	uint32_t v = 0;
	for (size_t i = 0; i < n; i++)
		v = v << 8 | b[i];
	return v;
}

static enum lldp_kind lldp_kind_of(unsigned type, const uint8_t *v, size_t length)
{
	if (type <= LLDP_TLV_MANAGEMENT_ADDRESS)
		return (enum lldp_kind)type; /* the first nine kinds are the types 0 to 8 */
	if (type != LLDP_TLV_ORGANIZATIONAL)
		return LLDP_KIND_RESERVED;
	if (length >= 4 && lldp_be(v, 3) == LLDP_OUI_IEEE_8021 && v[3] == 1)
		return LLDP_KIND_DOT1_PORT_VLAN_ID;
	if (length >= 4 && lldp_be(v, 3) == LLDP_OUI_IEEE_8023 && v[3] == 1)
		return LLDP_KIND_DOT3_MAC_PHY;
	return LLDP_KIND_ORG_SPECIFIC;
}

/* Is the value of a TLV of kind k, at absolute offset at, well formed (8.5, 9.2.7.7.1)? */
static int lldp_check(struct cursor *c, size_t at, enum lldp_kind k, const uint8_t *v,
		      size_t length)
{
	size_t header = at - 2;
	switch (k) {
	case LLDP_KIND_END:
		if (length != 0)
			return cursor_fail_at(c, header, "End Of LLDPDU TLV length is not 0",
					      length, true);
		return 0;
	case LLDP_KIND_CHASSIS_ID:
	case LLDP_KIND_PORT_ID:
		if (length < 2 || length > LLDP_STRING_MAX + 1)
			return cursor_fail_at(c, header,
					      k == LLDP_KIND_CHASSIS_ID
						      ? "Chassis ID TLV length is not 2 to 256"
						      : "Port ID TLV length is not 2 to 256",
					      length, true);
		return 0;
	case LLDP_KIND_TTL:
		if (length < 2)
			return cursor_fail_at(c, header, "TTL TLV length is less than 2", length,
					      true);
		return 0;
	case LLDP_KIND_PORT_DESCRIPTION:
	case LLDP_KIND_SYSTEM_NAME:
	case LLDP_KIND_SYSTEM_DESCRIPTION:
		if (length > LLDP_STRING_MAX)
			return cursor_fail_at(c, header, "text TLV length is over 255", length,
					      true);
		return 0;
	case LLDP_KIND_SYSTEM_CAPABILITIES:
		if (length != 4)
			return cursor_fail_at(c, header, "System Capabilities TLV length is not 4",
					      length, true);
		return 0;
	case LLDP_KIND_MANAGEMENT_ADDRESS: {
		/* address string length, subtype + address, interface subtype and
		 * number (5), OID string length, OID */
		if (length < 9 || length > 167)
			return cursor_fail_at(c, header,
					      "Management Address TLV length is not 9 to 167",
					      length, true);
		size_t address = v[0];
		if (address < 2 || address > 32)
			return cursor_fail_at(c, at,
					      "management address string length is not 2 to 32",
					      address, true);
		if (1 + address + 5 + 1 > length)
			return cursor_fail_at(c, at, "management address string runs past the TLV",
					      address, true);
		size_t oid = v[1 + address + 5];
		if (oid > LLDP_OID_MAX)
			return cursor_fail_at(c, at + 1 + address + 5,
					      "management OID string length is over 128", oid,
					      true);
		if (1 + address + 5 + 1 + oid != length)
			return cursor_fail_at(c, at + 1 + address + 5,
					      "management OID string length disagrees with the TLV "
					      "length",
					      oid, true);
		return 0;
	}
	case LLDP_KIND_DOT1_PORT_VLAN_ID:
		if (length != 6)
			return cursor_fail_at(c, header, "802.1 Port VLAN ID TLV length is not 6",
					      length, true);
		return 0;
	case LLDP_KIND_DOT3_MAC_PHY:
		if (length != 9)
			return cursor_fail_at(
				c, header, "802.3 MAC/PHY Configuration/Status TLV length is not 9",
				length, true);
		return 0;
	case LLDP_KIND_ORG_SPECIFIC:
		if (length < 4)
			return cursor_fail_at(c, header,
					      "Organizationally Specific TLV length is less than 4",
					      length, true);
		return 0;
	case LLDP_KIND_RESERVED: return 0;
	}
	return 0;
}

/* A numeric field over bytes already in the packet, its value read from them. */
static int lldp_number(struct packet *p, const char *name, enum field_kind kind, uint32_t at,
		       uint32_t size, uint8_t flags, const struct field_value *values)
{
	int f = packet_field(p, name, kind, at, size, lldp_be(p->bytes + at, size), flags);
	if (values)
		packet_values(p, f, values);
	return f;
}

static int lldp_bytes(struct packet *p, const char *name, enum field_kind kind, uint32_t at,
		      uint32_t size, uint8_t flags)
{
	return packet_field_bytes(p, name, kind, at, p->bytes + at, size, flags);
}

/* An ID after its subtype: a MAC address is an address, anything else opaque. */
static void lldp_id(struct packet *p, const char *subtype_name, const char *id_name,
		    const struct field_value *subtypes, uint8_t mac_subtype, uint32_t o,
		    uint32_t length)
{
	lldp_number(p, subtype_name, FIELD_ENUM, o, 1, FIELD_KEY, subtypes);
	bool mac = p->bytes[o] == mac_subtype && length == 7;
	lldp_bytes(p, id_name, mac ? FIELD_ADDRESS : FIELD_BYTES, o + 1, length - 1, FIELD_KEY);
}

/* Declare the fields of a checked value of kind k, copied at offset o. */
static void lldp_declare_value(struct packet *p, enum lldp_kind k, uint32_t o, uint32_t length)
{
	switch (k) {
	case LLDP_KIND_END: return;
	case LLDP_KIND_CHASSIS_ID:
		lldp_id(p, "lldp.chassis_id.subtype", "lldp.chassis_id.id", lldp_chassis_subtypes,
			4, o, length);
		return;
	case LLDP_KIND_PORT_ID:
		lldp_id(p, "lldp.port_id.subtype", "lldp.port_id.id", lldp_port_subtypes, 3, o,
			length);
		return;
	case LLDP_KIND_TTL:
		lldp_number(p, "lldp.ttl.seconds", FIELD_UINT, o, 2, FIELD_KEY, NULL);
		if (length > 2)
			lldp_bytes(p, "lldp.ttl.extra", FIELD_BYTES, o + 2, length - 2, 0);
		return;
	case LLDP_KIND_PORT_DESCRIPTION:
		lldp_bytes(p, "lldp.port_description.text", FIELD_BYTES, o, length, 0);
		return;
	case LLDP_KIND_SYSTEM_NAME:
		lldp_bytes(p, "lldp.system_name.text", FIELD_BYTES, o, length, 0);
		return;
	case LLDP_KIND_SYSTEM_DESCRIPTION:
		lldp_bytes(p, "lldp.system_description.text", FIELD_BYTES, o, length, 0);
		return;
	case LLDP_KIND_SYSTEM_CAPABILITIES:
		lldp_number(p, "lldp.system_capabilities.capabilities", FIELD_FLAGS, o, 2, 0, NULL);
		lldp_number(p, "lldp.system_capabilities.enabled", FIELD_FLAGS, o + 2, 2, 0, NULL);
		return;
	case LLDP_KIND_MANAGEMENT_ADDRESS: {
		uint32_t address = p->bytes[o]; /* the subtype and the address */
		uint32_t oid = length - (1 + address + 5 + 1);
		int al = lldp_number(p, "lldp.management_address.address_length", FIELD_LENGTH, o,
				     1, 0, NULL);
		lldp_number(p, "lldp.management_address.address_subtype", FIELD_ENUM, o + 1, 1, 0,
			    lldp_address_families);
		int a = lldp_bytes(p, "lldp.management_address.address", FIELD_ADDRESS, o + 2,
				   address - 1, FIELD_KEY);
		o += 1 + address;
		lldp_number(p, "lldp.management_address.interface_subtype", FIELD_ENUM, o, 1, 0,
			    lldp_interface_subtypes);
		lldp_number(p, "lldp.management_address.interface_number", FIELD_UINT, o + 1, 4, 0,
			    NULL);
		int ol = lldp_number(p, "lldp.management_address.oid_length", FIELD_LENGTH, o + 5,
				     1, 0, NULL);
		int s = lldp_bytes(p, "lldp.management_address.oid", FIELD_BYTES, o + 6, oid, 0);
		packet_relate(p, al, a, 1, 1);
		packet_relate(p, ol, s, 1, 0);
		return;
	}
	case LLDP_KIND_DOT1_PORT_VLAN_ID:
		lldp_number(p, "lldp.dot1_port_vlan_id.oui", FIELD_ENUM, o, 3, FIELD_KEY,
			    lldp_ouis);
		lldp_number(p, "lldp.dot1_port_vlan_id.subtype", FIELD_ENUM, o + 3, 1, FIELD_KEY,
			    lldp_dot1_subtypes);
		lldp_number(p, "lldp.dot1_port_vlan_id.pvid", FIELD_UINT, o + 4, 2, FIELD_KEY,
			    NULL);
		return;
	case LLDP_KIND_DOT3_MAC_PHY:
		lldp_number(p, "lldp.dot3_mac_phy.oui", FIELD_ENUM, o, 3, FIELD_KEY, lldp_ouis);
		lldp_number(p, "lldp.dot3_mac_phy.subtype", FIELD_ENUM, o + 3, 1, FIELD_KEY,
			    lldp_dot3_subtypes);
		lldp_number(p, "lldp.dot3_mac_phy.autoneg", FIELD_FLAGS, o + 4, 1, 0, NULL);
		lldp_number(p, "lldp.dot3_mac_phy.advertised", FIELD_FLAGS, o + 5, 2, 0, NULL);
		lldp_number(p, "lldp.dot3_mac_phy.mau_type", FIELD_UINT, o + 7, 2, 0, NULL);
		return;
	case LLDP_KIND_ORG_SPECIFIC: {
		uint32_t oui = lldp_be(p->bytes + o, 3);
		const struct field_value *subtypes = oui == LLDP_OUI_IEEE_8021 ? lldp_dot1_subtypes
						     : oui == LLDP_OUI_IEEE_8023
							     ? lldp_dot3_subtypes
							     : NULL;
		lldp_number(p, "lldp.org_specific.oui", FIELD_ENUM, o, 3, FIELD_KEY, lldp_ouis);
		/* an unknown organisation's subtypes are its own: an identifier, not an enum */
		lldp_number(p, "lldp.org_specific.subtype",
			    subtypes ? FIELD_ENUM : FIELD_IDENTIFIER, o + 3, 1, FIELD_KEY,
			    subtypes);
		lldp_bytes(p, "lldp.org_specific.info", FIELD_BYTES, o + 4, length - 4, 0);
		return;
	}
	case LLDP_KIND_RESERVED: lldp_bytes(p, "lldp.tlv.data", FIELD_BYTES, o, length, 0); return;
	}
}

static const char *const lldp_order[] = {
	"the first TLV is not Chassis ID",
	"the second TLV is not Port ID",
	"the third TLV is not TTL",
};

/* One TLV at the cursor, the index-th of the LLDPDU. */
static int lldp_tlv(struct packet *p, struct cursor *c, unsigned index, bool *end)
{
	size_t start = cursor_position(c);
	uint16_t header;
	if (cursor_remaining(c) < 2)
		return cursor_fail_value(c, "a TLV header needs 2 bytes", cursor_remaining(c));
	cursor_u16be(c, &header);
	unsigned type = header >> 9, length = header & 0x1ff;
	if (length > cursor_remaining(c))
		return cursor_fail_at(c, start, "TLV length runs past the LLDPDU", length, true);
	if (index < DL_ARRAY_SIZE(lldp_order) && type != index + 1)
		return cursor_fail_at(c, start, lldp_order[index], type, true);
	const uint8_t *v;
	cursor_bytes(c, length, &v);
	enum lldp_kind k = lldp_kind_of(type, v, length);
	if (lldp_check(c, start + 2, k, v, length) < 0)
		return DL_EPROTO;

	const struct lldp_tlv_names *n = &lldp_names[k];
	bool repeatable = k == LLDP_KIND_MANAGEMENT_ADDRESS || k == LLDP_KIND_DOT1_PORT_VLAN_ID ||
			  k == LLDP_KIND_DOT3_MAC_PHY || k == LLDP_KIND_ORG_SPECIFIC;
	int element = packet_element_begin(p, n->element, FIELD_ELEMENT,
					   repeatable ? FIELD_REPEATABLE : 0);
	uint32_t o = packet_append(p, 2);
	if (p->overflow)
		return cursor_fail_at(c, start, "more TLVs than a packet holds", index, true);
	int t = packet_field_bits(p, n->type, FIELD_ENUM, o, 2, 9, 7, type, FIELD_KEY);
	int l = packet_field_bits(p, n->length, FIELD_LENGTH, o, 2, 0, 9, length, 0);
	int value = packet_element_begin(p, n->value, FIELD_ELEMENT, 0);
	uint32_t vo = packet_append(p, length);
	if (p->overflow)
		return cursor_fail_at(c, start, "more TLVs than a packet holds", index, true);
	if (length)
		memcpy(p->bytes + vo, v, length);
	lldp_declare_value(p, k, vo, length);
	packet_element_end(p, value);
	packet_element_end(p, element);
	packet_values(p, t, lldp_tlv_types);
	packet_relate(p, l, value, 1, 0);
	if (p->overflow)
		return cursor_fail_at(c, start, "more TLVs than a packet's field table holds",
				      index, true);
	*end = type == LLDP_TLV_END;
	return 0;
}

/* Declare the LLDPDU at the cursor: the builder runs it over the bytes it wrote and the parser
 * over the wire, so both declare the same schema. */
static int lldp_declare(struct packet *p, struct cursor *c)
{
	if (packet_layer_begin(p, &lldp_layer, "lldp") == PACKET_NONE)
		return cursor_fail(c, "the packet has no room for another layer");
	int list = packet_element_begin(p, "lldp.tlvs", FIELD_LIST, 0);
	bool end = false;
	unsigned count = 0;
	while (!end && !cursor_at_end(c)) {
		if (count == LLDP_TLVS_MAX)
			return cursor_fail_value(c, "more TLVs than the parser takes", count);
		if (lldp_tlv(p, c, count, &end) < 0)
			return DL_EPROTO;
		count++;
	}
	if (count < DL_ARRAY_SIZE(lldp_order))
		return cursor_fail_value(c, "the LLDPDU ends before Chassis ID, Port ID and TTL",
					 count);
	packet_element_end(p, list);
	return 0;
}

/* The builder's LLDPDU, written TLV by TLV. */
struct lldp_writer {
	uint8_t bytes[LLDP_PDU_MAX];
	size_t length;
	bool full;
	uint8_t scratch[511]; /* where a TLV that does not fit is written, to be dropped */
};

/* Room for a TLV of length value bytes: where its value goes (a scratch area when full). */
static uint8_t *lldp_put(struct lldp_writer *w, unsigned type, size_t length)
{
	if (length > sizeof(w->scratch) || w->length + 2 + length > sizeof(w->bytes)) {
		w->full = true;
		return w->scratch;
	}
	uint8_t *b = w->bytes + w->length;
	b[0] = (uint8_t)(type << 1 | length >> 8);
	b[1] = (uint8_t)length;
	w->length += 2 + length;
	return b + 2;
}

static void lldp_put_text(struct lldp_writer *w, unsigned type, uint8_t subtype, const char *text)
{
	size_t n = strnlen(text, LLDP_STRING_MAX);
	size_t lead = subtype ? 1 : 0;
	uint8_t *v = lldp_put(w, type, lead + n);
	if (subtype)
		v[0] = subtype;
	memcpy(v + lead, text, n);
}

/* The BER content of the OID ifIndex.n (1.3.6.1.2.1.2.2.1.1.n, RFC 2863): 9 bytes and n in
 * base 128. Its length. */
static size_t lldp_ifindex_oid(uint8_t *out, uint32_t n)
{
	static const uint8_t prefix[] = {0x2b, 0x06, 0x01, 0x02, 0x01, 0x02, 0x02, 0x01, 0x01};
	memcpy(out, prefix, sizeof(prefix));
	size_t len = sizeof(prefix);
	uint8_t digits[5];
	size_t count = 0;
	do {
		digits[count++] = (uint8_t)(n & 0x7f);
		n >>= 7;
	} while (n && count < sizeof(digits));
	while (count > 0) {
		count--;
		out[len++] = (uint8_t)(digits[count] | (count ? 0x80 : 0));
	}
	return len;
}

static void lldp_put16(uint8_t *b, uint16_t v)
{
	b[0] = (uint8_t)(v >> 8);
	b[1] = (uint8_t)v;
}

int lldp_build(struct packet *p, const struct lldp_fields *f)
{
	struct lldp_writer w = {.length = 0};
	const char *port = f->port_name && f->port_name[0] ? f->port_name : "port1";
	uint8_t *v = lldp_put(&w, LLDP_TLV_CHASSIS_ID, 7);
	v[0] = 4; /* MAC address */
	memcpy(v + 1, f->chassis_mac, 6);
	lldp_put_text(&w, LLDP_TLV_PORT_ID, 5, port); /* interface name */
	lldp_put16(lldp_put(&w, LLDP_TLV_TTL, 2), f->ttl ? f->ttl : 120);
	lldp_put_text(&w, LLDP_TLV_PORT_DESCRIPTION, 0, port);
	lldp_put_text(&w, LLDP_TLV_SYSTEM_NAME, 0, f->system_name ? f->system_name : "dutlab");
	lldp_put_text(&w, LLDP_TLV_SYSTEM_DESCRIPTION, 0,
		      f->system_description ? f->system_description : "dutlab robustness test");
	v = lldp_put(&w, LLDP_TLV_SYSTEM_CAPABILITIES, 4);
	lldp_put16(v, LLDP_CAP_BRIDGE | LLDP_CAP_ROUTER);
	lldp_put16(v + 2, LLDP_CAP_BRIDGE);
	uint32_t if_index = f->if_index ? f->if_index : 1;
	if (f->management4.s_addr != 0) {
		uint8_t oid[16];
		size_t oid_length = lldp_ifindex_oid(oid, if_index);
		v = lldp_put(&w, LLDP_TLV_MANAGEMENT_ADDRESS, 1 + 5 + 5 + 1 + oid_length);
		v[0] = 5; /* subtype and IPv4 address */
		v[1] = 1; /* IPv4 */
		memcpy(v + 2, &f->management4, 4);
		v[6] = 2; /* ifIndex */
		for (int i = 0; i < 4; i++)
			v[7 + i] = (uint8_t)(if_index >> (24 - 8 * i));
		v[11] = (uint8_t)oid_length;
		memcpy(v + 12, oid, oid_length);
	}
	v = lldp_put(&w, LLDP_TLV_ORGANIZATIONAL, 6);
	v[0] = 0x00, v[1] = 0x80, v[2] = 0xc2, v[3] = 1; /* 802.1, Port VLAN ID */
	lldp_put16(v + 4, f->port_vlan ? f->port_vlan : 1);
	v = lldp_put(&w, LLDP_TLV_ORGANIZATIONAL, 9);
	v[0] = 0x00, v[1] = 0x12, v[2] = 0x0f, v[3] = 1; /* 802.3, MAC/PHY */
	v[4] = 0x03;                                     /* autonegotiation supported and enabled */
	/* advertised (RFC 3636 ifMauAutoNegCapAdvertisedBits, bit 0 first): 10BASE-T half and
	 * full, 100BASE-TX half and full, 1000BASE-T full */
	lldp_put16(v + 5, 0x6c01);
	lldp_put16(v + 7, 30); /* operational MAU type: dot3MauType1000BaseTFD (RFC 4836) */
	lldp_put(&w, LLDP_TLV_END, 0);
	if (w.full) {
		p->overflow = true;
		return DL_ENOMEM;
	}
	struct cursor c;
	cursor_init(&c, w.bytes, w.length);
	if (lldp_declare(p, &c) < 0) {
		p->overflow = true;
		return DL_ENOMEM;
	}
	return 0;
}

static int lldp_parse(struct packet *p, struct cursor *c, struct layer_parse_result *next)
{
	next->next = LAYER_NEXT_NONE;
	next->value = 0;
	if (lldp_declare(p, c) < 0)
		return DL_EPROTO;
	/* what follows is not this message's: in a frame, the Ethernet padding */
	return proto_limit(c, 0);
}

const struct proto_layer lldp_layer = {
	.name = "lldp",
	.title = "LLDP (IEEE 802.1AB-2016) with the mandatory, common optional, 802.1 and 802.3 "
		 "TLVs",
	.fixup = NULL,
	.parse = lldp_parse,
};
