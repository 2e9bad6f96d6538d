/* tftp: read-request building and DATA/ERROR/OACK parsing (RFC 1350, RFC 2347) */
#ifndef DUTLAB_PROTO_TFTP_H
#define DUTLAB_PROTO_TFTP_H

/* Used by checks/discovery/udp-probes.c. */

#include <stddef.h>
#include <stdint.h>

struct dl_error;

#define TFTP_PORT 69
#define TFTP_MESSAGE_MAX 65468 /* RFC 2348 blksize upper bound + 4 */
#define TFTP_TEXT_MAX 256
#define TFTP_OPTIONS_MAX 8

enum tftp_opcode {
	TFTP_RRQ = 1,
	TFTP_WRQ = 2,
	TFTP_DATA = 3,
	TFTP_ACK = 4,
	TFTP_ERROR = 5,
	TFTP_OACK = 6,
};

struct tftp_option {
	char name[64];
	char value[64];
};

struct tftp_packet {
	enum tftp_opcode opcode;
	uint16_t block;           /* DATA, ACK */
	uint16_t error_code;      /* ERROR */
	char text[TFTP_TEXT_MAX]; /* ERROR message; RRQ/WRQ file name (printable) */
	char mode[16];            /* RRQ/WRQ */
	const uint8_t *data;      /* DATA payload, points into the input */
	size_t data_len;
	struct tftp_option options[TFTP_OPTIONS_MAX]; /* OACK, RRQ/WRQ */
	size_t option_count;
};

/* RRQ (RFC 1350 5) for file in mode ("octet" or "netascii"). */
int tftp_build_rrq(uint8_t *buf, size_t cap, size_t *len, const char *file, const char *mode,
		   struct dl_error *err);

/* Parse any TFTP packet; DATA/ERROR/OACK are what a server sends back. */
int tftp_parse(const uint8_t *msg, size_t len, struct tftp_packet *out, struct dl_error *err);

const char *tftp_opcode_name(unsigned opcode); /* "DATA", or NULL */

#endif
