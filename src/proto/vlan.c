/* vlan: IEEE 802.1Q tags, single and double (802.1ad QinQ): build, parse and field schema */
#include "core/compat.h"

#include "core/error.h"
#include "proto/cursor.h"
#include "proto/ethernet.h"
#include "proto/layer.h"
#include "proto/packet.h"
#include "proto/vlan.h"

/* IEEE 802.1Q 9.6: the TCI is PCP (3 bits), DEI (1 bit) and VID (12 bits), big-endian */
static void vlan_declare(struct packet *p, int layer, uint32_t at, uint16_t tci, uint16_t type)
{
	int16_t *slots = p->layers[layer].slots;
	slots[VLAN_SLOT_PCP] =
		(int16_t)packet_field_bits(p, "vlan.pcp", FIELD_UINT, at, 2, 13, 3, tci >> 13, 0);
	packet_field_bits(p, "vlan.dei", FIELD_FLAGS, at, 2, 12, 1, (tci >> 12) & 1, 0);
	slots[VLAN_SLOT_VID] = (int16_t)packet_field_bits(p, "vlan.vid", FIELD_IDENTIFIER, at, 2, 0,
							  12, tci & 0xfff, FIELD_KEY);
	slots[ETHERNET_SLOT_TYPE] = (int16_t)ethernet_type_field(p, "vlan.type", "vlan.length",
								 at + 2, type, VLAN_TAG_LEN);
}

int vlan_build(struct packet *p, const struct vlan_fields *f)
{
	int layer = packet_layer_begin(p, &vlan_layer, "vlan");
	uint32_t at = packet_append(p, VLAN_TAG_LEN);
	if (layer == PACKET_NONE || p->overflow)
		return DL_ENOMEM;
	uint16_t tci = (uint16_t)((f->pcp & 7u) << 13 | (f->dei & 1u) << 12 | (f->vid & 0xfffu));
	vlan_declare(p, layer, at, tci, f->type);
	return p->overflow ? DL_ENOMEM : 0;
}

static int vlan_parse(struct packet *p, struct cursor *c, struct layer_parse_result *next)
{
	if (cursor_remaining(c) < VLAN_TAG_LEN)
		return cursor_fail_value(c, "shorter than the 4-byte 802.1Q tag",
					 cursor_remaining(c));
	int layer = packet_layer_begin(p, &vlan_layer, "vlan");
	if (layer == PACKET_NONE)
		return DL_ENOMEM;
	uint32_t at;
	int rc = proto_take(p, c, VLAN_TAG_LEN, &at);
	if (rc < 0)
		return rc;
	const uint8_t *b = p->bytes + at;
	uint16_t type = (uint16_t)(b[2] << 8 | b[3]);
	vlan_declare(p, layer, at, (uint16_t)(b[0] << 8 | b[1]), type);
	if (p->overflow)
		return DL_ENOMEM;
	return ethernet_type_next(c, type, at + 2, next);
}

const struct proto_layer vlan_layer = {
	.name = "vlan",
	.title = "IEEE 802.1Q VLAN tag (and 802.1ad QinQ)",
	.fixup = NULL,
	.parse = vlan_parse,
};
