/* mac-control: IEEE 802.3 MAC Control PAUSE and 802.1Qbb PFC frames, build, parse and field schema
 */
#ifndef DUTLAB_PROTO_MAC_CONTROL_H
#define DUTLAB_PROTO_MAC_CONTROL_H

/*
 * A MAC Control frame (IEEE 802.3-2018 Clause 31, Annex 31A) is EtherType
 * 0x8808: an opcode, its parameters and reserved zeros that fill the data
 * field to the minimum frame (46 bytes after the EtherType). Schema:
 *   mac_control.opcode              ENUM KEY
 *   PAUSE (Annex 31B): mac_control.pause.quanta  UINT KEY (units of 512 bit times)
 *   PFC (802.1Qbb, 802.1Q-2018 36.1.3.2): mac_control.pfc.class_enable FLAGS (two
 *     bytes: the upper one reserved, bit n enables time n), mac_control.pfc.time0 to
 *     mac_control.pfc.time7 UINT KEY
 *   any other opcode: no parameters
 *   mac_control.reserved            BYTES (zeros to the minimum frame)
 * PAUSE and PFC go to mac_control_address; only the parameters are
 * required of a received frame (the reserved bytes may be cut short).
 */

#include <stdint.h>

struct packet;

#define MAC_CONTROL_ETHERTYPE 0x8808
#define MAC_CONTROL_LENGTH 46 /* opcode, parameters and reserved: the minimum data field */

/* 802.3-2018 31B.1: the reserved multicast address PAUSE frames go to */
extern const uint8_t mac_control_address[6]; /* 01:80:c2:00:00:01 */

/* 802.3-2018 Table 31A-1 */
enum mac_control_opcode {
	MAC_CONTROL_PAUSE = 0x0001,
	MAC_CONTROL_GATE = 0x0002, /* EPON multi-point control, Clause 64 */
	MAC_CONTROL_REPORT = 0x0003,
	MAC_CONTROL_REGISTER_REQ = 0x0004,
	MAC_CONTROL_REGISTER = 0x0005,
	MAC_CONTROL_REGISTER_ACK = 0x0006,
	MAC_CONTROL_PFC = 0x0101, /* priority-based flow control, Annex 31D */
	MAC_CONTROL_EXTENSION = 0xfffe,
};

/*
 * What mac_control_build() takes; zero is the default said. opcode 0:
 * MAC_CONTROL_PAUSE. quanta: the PAUSE time (0 asks the peer to resume).
 * class_enable 0: all eight priorities; times: each priority's PFC pause
 * time. Other opcodes get no parameters, only the reserved zeros.
 */
struct mac_control_fields {
	uint16_t opcode;
	uint16_t quanta;
	uint8_t class_enable;
	uint16_t times[8];
};

/* Append a MAC Control layer of MAC_CONTROL_LENGTH bytes. 0 or DL_ENOMEM (p->overflow). */
int mac_control_build(struct packet *p, const struct mac_control_fields *f);

extern const struct proto_layer mac_control_layer;

#endif
