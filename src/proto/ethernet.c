/* ethernet: Ethernet II and IEEE 802.3 with LLC and SNAP: build, parse and field schema */
#include "core/compat.h"

#include "core/error.h"
#include "proto/cursor.h"
#include "proto/ethernet.h"
#include "proto/layer.h"
#include "proto/packet.h"

const struct field_value ethertype_values[] = {
	{0x0800, "IPv4"},
	{0x0806, "ARP"},
	{0x22f0, "AVTP"},
	{0x22f3, "TRILL"},
	{0x8035, "RARP"},
	{0x809b, "AppleTalk"},
	{0x8100, "802.1Q C-tag"},
	{0x8137, "IPX"},
	{0x86dd, "IPv6"},
	{0x8808, "MAC Control"},
	{0x8809, "Slow Protocols (LACP)"},
	{0x8847, "MPLS unicast"},
	{0x8848, "MPLS multicast"},
	{0x8863, "PPPoE discovery"},
	{0x8864, "PPPoE session"},
	{0x888e, "EAPOL (802.1X)"},
	{0x88a8, "802.1ad S-tag"},
	{0x88cc, "LLDP"},
	{0x88e5, "MACsec"},
	{0x88f7, "PTP"},
	{0x8902, "CFM (802.1ag)"},
	{0x9100, "QinQ (pre-802.1ad)"},
	{0, NULL},
};

/* IEEE 802.2 SAPs (the low bit of a DSAP is I/G, of an SSAP C/R) */
static const struct field_value llc_sap_values[] = {
	{0x00, "null SAP"},
	{0x02, "LLC sublayer management"},
	{0x06, "IP (ARPANET)"},
	{0x42, "spanning tree (802.1D)"},
	{0x4e, "MMS (EIA-RS 511)"},
	{0x7e, "X.25 PLP"},
	{0x8e, "active station list"},
	{0xaa, "SNAP"},
	{0xe0, "IPX"},
	{0xf0, "NetBIOS"},
	{0xf4, "LAN management"},
	{0xfe, "OSI (ISO CLNS)"},
	{0xff, "global DSAP"},
	{0, NULL},
};

static const struct field_value llc_oui_values[] = {
	{0x000000, "RFC 1042 (EtherType follows)"},
	{0x00000c, "Cisco"},
	{0x0000f8, "IEEE 802.1H bridge tunnel"},
	{0x0080c2, "IEEE 802.1"},
	{0, NULL},
};

static bool ethernet_zero(const uint8_t mac[6])
{
	return (mac[0] | mac[1] | mac[2] | mac[3] | mac[4] | mac[5]) == 0;
}

static int16_t ethernet_slot(int field)
{
	return (int16_t)field;
}

int ethernet_type_field(struct packet *p, const char *type_name, const char *length_name,
			uint32_t offset, uint16_t type, int32_t header)
{
	if (type > ETHERNET_MAX_LENGTH) {
		int f = packet_field(p, type_name, FIELD_ENUM, offset, 2, type, FIELD_KEY);
		packet_values(p, f, ethertype_values);
		return f;
	}
	/* IEEE 802.3 3.2.6: the number of LLC data octets; an LLC layer re-relates it to itself */
	int f = packet_field(p, length_name, FIELD_LENGTH, offset, 2, type, FIELD_KEY);
	if (f != PACKET_NONE && p->layer_count > 0)
		packet_relate(p, f, p->layers[p->layer_count - 1].element, 1, -header);
	return f;
}

static void ethernet_declare(struct packet *p, int layer, uint32_t at, const uint8_t *destination,
			     const uint8_t *source, uint16_t type)
{
	int16_t *slots = p->layers[layer].slots;
	slots[ETHERNET_SLOT_DESTINATION] = ethernet_slot(packet_field_bytes(
		p, "ethernet.destination", FIELD_ADDRESS, at, destination, 6, FIELD_KEY));
	slots[ETHERNET_SLOT_SOURCE] = ethernet_slot(
		packet_field_bytes(p, "ethernet.source", FIELD_ADDRESS, at + 6, source, 6, 0));
	slots[ETHERNET_SLOT_TYPE] = ethernet_slot(ethernet_type_field(
		p, "ethernet.type", "ethernet.length", at + 12, type, ETHERNET_HEADER_LEN));
}

int ethernet_build(struct packet *p, const struct ethernet_fields *f)
{
	static const uint8_t broadcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
	static const uint8_t local[6] = {0x02, 0, 0, 0, 0, 0x01};
	int layer = packet_layer_begin(p, &ethernet_layer, "ethernet");
	uint32_t at = packet_append(p, ETHERNET_HEADER_LEN);
	if (layer == PACKET_NONE || p->overflow)
		return DL_ENOMEM;
	ethernet_declare(p, layer, at, ethernet_zero(f->destination) ? broadcast : f->destination,
			 ethernet_zero(f->source) ? local : f->source, f->type);
	return p->overflow ? DL_ENOMEM : 0;
}

int ethernet_padding(struct packet *p, const uint8_t *data, size_t n)
{
	int layer = PACKET_NONE;
	for (int i = 0; i < p->layer_count; i++) {
		if (p->layers[i].model == &ethernet_layer) {
			layer = i;
			break;
		}
	}
	if (layer == PACKET_NONE || n == 0)
		return p->overflow ? DL_ENOMEM : 0;
	int16_t element = p->layers[layer].element;
	int position = -1;
	for (int i = 0; i < p->open_count; i++) {
		if (p->open[i] == element)
			position = i;
	}
	bool was_open = position >= 0;
	if (!was_open) {
		if (p->open_count >= PACKET_OPEN_MAX) {
			p->overflow = true;
			return DL_ENOMEM;
		}
		position = p->open_count;
		p->open[position] = element;
	}
	p->open_count = (uint8_t)(position + 1); /* the inner layers end before the padding */
	uint32_t at = packet_append(p, n);
	if (p->overflow)
		return DL_ENOMEM;
	int f = packet_field_bytes(p, "ethernet.padding", FIELD_BYTES, at, data, (uint32_t)n, 0);
	if (f != PACKET_NONE)
		p->fields[f].layer = (int16_t)layer;
	if (!was_open)
		packet_element_end(p, element);
	return p->overflow ? DL_ENOMEM : 0;
}

int ethernet_pad(struct packet *p)
{
	if (p->length >= ETHERNET_MIN_FRAME)
		return p->overflow ? DL_ENOMEM : 0;
	return ethernet_padding(p, NULL, ETHERNET_MIN_FRAME - p->length);
}

int ethernet_type_next(struct cursor *c, uint16_t type, size_t at, struct layer_parse_result *next)
{
	if (type >= ETHERTYPE_MIN) {
		next->next = LAYER_NEXT_ETHERTYPE;
		next->value = type;
		return 0;
	}
	if (type > ETHERNET_MAX_LENGTH)
		return cursor_fail_at(c, at,
				      "type/length between 1501 and 1535 is neither an 802.3 "
				      "length nor an EtherType",
				      type, true);
	if (type > cursor_remaining(c))
		return cursor_fail_at(c, at, "802.3 length passes the frame's end", type, true);
	proto_limit(c, type); /* the rest of the frame is padding */
	next->next = LAYER_NEXT_LLC;
	next->value = type;
	return 0;
}

static int ethernet_parse(struct packet *p, struct cursor *c, struct layer_parse_result *next)
{
	if (cursor_remaining(c) < ETHERNET_HEADER_LEN)
		return cursor_fail_value(c, "shorter than the 14-byte Ethernet header",
					 cursor_remaining(c));
	int layer = packet_layer_begin(p, &ethernet_layer, "ethernet");
	if (layer == PACKET_NONE)
		return DL_ENOMEM;
	uint32_t at;
	int rc = proto_take(p, c, ETHERNET_HEADER_LEN, &at);
	if (rc < 0)
		return rc;
	const uint8_t *b = p->bytes + at;
	uint16_t type = (uint16_t)(b[12] << 8 | b[13]);
	ethernet_declare(p, layer, at, b, b + 6, type);
	if (p->overflow)
		return DL_ENOMEM;
	return ethernet_type_next(c, type, at + 12, next);
}

const struct proto_layer ethernet_layer = {
	.name = "ethernet",
	.title = "Ethernet II and IEEE 802.3 MAC header",
	.fixup = NULL,
	.parse = ethernet_parse,
};

/* LLC (IEEE 802.2 3) and SNAP (IEEE 802 5.3) */

#define LLC_SNAP_LEN 5

static void llc_declare(struct packet *p, uint32_t at, uint16_t control, uint32_t control_size,
			bool snap)
{
	const uint8_t *b = p->bytes + at;
	int f = packet_field(p, "llc.dsap", FIELD_ENUM, at, 1, b[0], FIELD_KEY);
	packet_values(p, f, llc_sap_values);
	f = packet_field(p, "llc.ssap", FIELD_ENUM, at + 1, 1, b[1], FIELD_KEY);
	packet_values(p, f, llc_sap_values);
	packet_field(p, "llc.control", FIELD_IDENTIFIER, at + 2, control_size, control, FIELD_KEY);
	if (!snap)
		return;
	uint32_t s = at + 2 + control_size;
	/* the element is declared over bytes already appended: it spans them */
	int element = packet_element_begin(p, "llc.snap", FIELD_ELEMENT, 0);
	if (element != PACKET_NONE) {
		p->fields[element].offset = s;
		p->fields[element].size = LLC_SNAP_LEN;
	}
	b = p->bytes + s;
	f = packet_field(p, "llc.snap.oui", FIELD_ENUM, s, 3,
			 (uint32_t)b[0] << 16 | (uint32_t)b[1] << 8 | b[2], FIELD_KEY);
	packet_values(p, f, llc_oui_values);
	f = packet_field(p, "llc.snap.type", FIELD_ENUM, s + 3, 2, (uint32_t)b[3] << 8 | b[4],
			 FIELD_KEY);
	packet_values(p, f, ethertype_values);
	packet_element_end(p, element);
}

/* An 802.3 length before this layer now measures it (IEEE 802.3 3.2.6). */
static void llc_relate_length(struct packet *p, int layer)
{
	if (layer < 1)
		return;
	int length = p->layers[layer - 1].slots[ETHERNET_SLOT_TYPE];
	if (length >= 0 && length < p->field_count && p->fields[length].kind == FIELD_LENGTH)
		packet_relate(p, length, p->layers[layer].element, 1, 0);
}

int llc_build(struct packet *p, const struct llc_fields *f)
{
	uint8_t dsap = f->dsap, ssap = f->ssap;
	if (f->snap && dsap == 0)
		dsap = 0xaa;
	if (f->snap && ssap == 0)
		ssap = 0xaa;
	uint16_t control = f->control ? f->control : 0x03;
	uint32_t control_size = control > 0xff ? 2 : 1;
	int layer = packet_layer_begin(p, &llc_layer, "llc");
	uint32_t at = packet_append(p, 2 + control_size + (f->snap ? LLC_SNAP_LEN : 0));
	if (layer == PACKET_NONE || p->overflow)
		return DL_ENOMEM;
	uint8_t *b = p->bytes + at;
	b[0] = dsap;
	b[1] = ssap;
	if (f->snap) {
		uint8_t *s = b + 2 + control_size;
		memcpy(s, f->oui, 3);
		s[3] = (uint8_t)(f->snap_type >> 8);
		s[4] = (uint8_t)f->snap_type;
	}
	llc_declare(p, at, control, control_size, f->snap);
	llc_relate_length(p, layer);
	return p->overflow ? DL_ENOMEM : 0;
}

static int llc_parse(struct packet *p, struct cursor *c, struct layer_parse_result *next)
{
	size_t left = cursor_remaining(c);
	if (left < 3)
		return cursor_fail_value(c, "shorter than the 3-byte LLC header", left);
	const uint8_t *h = c->p + c->offset;
	/* IEEE 802.2 5.2: U-format control is one octet (low bits 11), I and S two */
	uint32_t control_size = (h[2] & 3) == 3 ? 1 : 2;
	bool snap = (h[0] & 0xfe) == 0xaa && (h[1] & 0xfe) == 0xaa && h[2] == 0x03;
	size_t need = 2 + control_size + (snap ? LLC_SNAP_LEN : 0);
	if (left < need)
		return cursor_fail_value(
			c,
			snap ? "shorter than the 8-byte LLC and SNAP header"
			     : "shorter than the 4-byte LLC header with I/S control",
			left);
	int layer = packet_layer_begin(p, &llc_layer, "llc");
	if (layer == PACKET_NONE)
		return DL_ENOMEM;
	uint32_t at;
	int rc = proto_take(p, c, need, &at);
	if (rc < 0)
		return rc;
	const uint8_t *b = p->bytes + at;
	uint16_t control = control_size == 1 ? b[2] : (uint16_t)(b[2] << 8 | b[3]);
	llc_declare(p, at, control, control_size, snap);
	llc_relate_length(p, layer);
	if (p->overflow)
		return DL_ENOMEM;
	if (snap) {
		const uint8_t *s = b + 2 + control_size;
		uint32_t oui = (uint32_t)s[0] << 16 | (uint32_t)s[1] << 8 | s[2];
		/* RFC 1042 and 802.1H carry an EtherType; other OUIs their own protocol ids */
		if (oui == 0x000000 || oui == 0x0000f8) {
			next->next = LAYER_NEXT_ETHERTYPE;
			next->value = (uint32_t)s[3] << 8 | s[4];
		}
	}
	return 0;
}

const struct proto_layer llc_layer = {
	.name = "llc",
	.title = "IEEE 802.2 LLC and SNAP",
	.fixup = NULL,
	.parse = llc_parse,
};
