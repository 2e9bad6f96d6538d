/* mac-control: IEEE 802.3 MAC Control PAUSE and 802.1Qbb PFC frames, build, parse and field schema
 */
#include "core/compat.h"

#include "core/error.h"
#include "proto/cursor.h"
#include "proto/layer.h"
#include "proto/mac-control.h"
#include "proto/packet.h"

const uint8_t mac_control_address[6] = {0x01, 0x80, 0xc2, 0x00, 0x00, 0x01};

#define MAC_CONTROL_PFC_CLASSES 8

static const struct field_value mac_control_opcodes[] = {
	{MAC_CONTROL_PAUSE, "pause"},
	{MAC_CONTROL_GATE, "gate"},
	{MAC_CONTROL_REPORT, "report"},
	{MAC_CONTROL_REGISTER_REQ, "register-req"},
	{MAC_CONTROL_REGISTER, "register"},
	{MAC_CONTROL_REGISTER_ACK, "register-ack"},
	{MAC_CONTROL_PFC, "pfc"},
	{MAC_CONTROL_EXTENSION, "extension"},
	{0, NULL},
};

static const char *const mac_control_pfc_times[MAC_CONTROL_PFC_CLASSES] = {
	"mac_control.pfc.time0", "mac_control.pfc.time1", "mac_control.pfc.time2",
	"mac_control.pfc.time3", "mac_control.pfc.time4", "mac_control.pfc.time5",
	"mac_control.pfc.time6", "mac_control.pfc.time7",
};

/* Bytes of parameters after the opcode. */
static size_t mac_control_parameters(uint16_t opcode)
{
	switch (opcode) {
	case MAC_CONTROL_PAUSE: return 2;
	case MAC_CONTROL_PFC: return 2 + 2 * MAC_CONTROL_PFC_CLASSES;
	default: return 0;
	}
}

static uint16_t mac_control_be16(const uint8_t *b)
{
	return (uint16_t)(b[0] << 8 | b[1]);
}

/* Declare the frame at the cursor: the builder runs it over the bytes it wrote and the parser
 * over the wire, so both declare the same schema. */
static int mac_control_declare(struct packet *p, struct cursor *c)
{
	uint16_t opcode;
	if (cursor_remaining(c) < 2)
		return cursor_fail_value(c, "shorter than the 2-byte MAC Control opcode",
					 cursor_remaining(c));
	cursor_u16be(c, &opcode);
	size_t parameters = mac_control_parameters(opcode);
	if (cursor_remaining(c) < parameters)
		return cursor_fail_value(c,
					 opcode == MAC_CONTROL_PAUSE
						 ? "PAUSE frame cut short of its pause time"
						 : "PFC frame cut short of its eight pause times",
					 cursor_remaining(c));
	size_t reserved = MAC_CONTROL_LENGTH - 2 - parameters;
	if (reserved > cursor_remaining(c) - parameters)
		reserved = cursor_remaining(c) - parameters;
	const uint8_t *b;
	cursor_bytes(c, parameters + reserved, &b);

	if (packet_layer_begin(p, &mac_control_layer, "mac_control") == PACKET_NONE)
		return cursor_fail(c, "the packet has no room for another layer");
	uint32_t o = packet_append(p, 2 + parameters + reserved);
	if (p->overflow)
		return cursor_fail(c, "the frame is larger than a packet holds");
	memcpy(p->bytes + o + 2, b, parameters + reserved);
	int op = packet_field(p, "mac_control.opcode", FIELD_ENUM, o, 2, opcode, FIELD_KEY);
	packet_values(p, op, mac_control_opcodes);
	o += 2;
	if (opcode == MAC_CONTROL_PAUSE) {
		packet_field(p, "mac_control.pause.quanta", FIELD_UINT, o, 2,
			     mac_control_be16(p->bytes + o), FIELD_KEY);
	} else if (opcode == MAC_CONTROL_PFC) {
		packet_field(p, "mac_control.pfc.class_enable", FIELD_FLAGS, o, 2,
			     mac_control_be16(p->bytes + o), 0);
		for (unsigned i = 0; i < MAC_CONTROL_PFC_CLASSES; i++) {
			uint32_t at = o + 2 + 2 * i;
			packet_field(p, mac_control_pfc_times[i], FIELD_UINT, at, 2,
				     mac_control_be16(p->bytes + at), FIELD_KEY);
		}
	}
	o += (uint32_t)parameters;
	packet_field_bytes(p, "mac_control.reserved", FIELD_BYTES, o, p->bytes + o,
			   (uint32_t)reserved, 0);
	if (p->overflow)
		return cursor_fail(c, "more fields than a packet holds");
	return 0;
}

int mac_control_build(struct packet *p, const struct mac_control_fields *f)
{
	uint8_t wire[MAC_CONTROL_LENGTH] = {0};
	uint16_t opcode = f->opcode ? f->opcode : MAC_CONTROL_PAUSE;
	wire[0] = (uint8_t)(opcode >> 8);
	wire[1] = (uint8_t)opcode;
	if (opcode == MAC_CONTROL_PAUSE) {
		wire[2] = (uint8_t)(f->quanta >> 8);
		wire[3] = (uint8_t)f->quanta;
	} else if (opcode == MAC_CONTROL_PFC) {
		wire[3] = f->class_enable ? f->class_enable : 0xff;
		for (unsigned i = 0; i < MAC_CONTROL_PFC_CLASSES; i++) {
			wire[4 + 2 * i] = (uint8_t)(f->times[i] >> 8);
			wire[5 + 2 * i] = (uint8_t)f->times[i];
		}
	}
	struct cursor c;
	cursor_init(&c, wire, sizeof(wire));
	if (mac_control_declare(p, &c) < 0) {
		p->overflow = true;
		return DL_ENOMEM;
	}
	return 0;
}

static int mac_control_parse(struct packet *p, struct cursor *c, struct layer_parse_result *next)
{
	next->next = LAYER_NEXT_NONE;
	next->value = 0;
	if (mac_control_declare(p, c) < 0)
		return DL_EPROTO;
	/* what follows is not this message's: in a frame, the Ethernet padding */
	return proto_limit(c, 0);
}

const struct proto_layer mac_control_layer = {
	.name = "mac_control",
	.title = "MAC Control (IEEE 802.3 Clause 31): PAUSE and priority-based flow control",
	.fixup = NULL,
	.parse = mac_control_parse,
};
