/* ntp: NTPv4 client request building and server reply parsing (RFC 5905 7.3) */
#ifndef DUTLAB_PROTO_NTP_H
#define DUTLAB_PROTO_NTP_H

/* Used by checks/discovery/udp-probes.c. */

#include <stddef.h>
#include <stdint.h>

struct dl_error;

#define NTP_PORT 123
#define NTP_HEADER_LEN 48
#define NTP_MESSAGE_MAX 1024 /* header plus extension fields and a MAC */

struct ntp_packet {
	unsigned leap;    /* 0-3; 3 = unsynchronised */
	unsigned version; /* 1-4 */
	unsigned mode;    /* 3 client, 4 server, ... */
	unsigned stratum; /* 0 = kiss-o'-death, 1 = primary, 16 = unsynchronised */
	int poll;
	int precision;
	uint32_t root_delay; /* NTP short format */
	uint32_t root_dispersion;
	uint8_t refid[4];
	/* stratum 0/1: the four ASCII characters ("GPS", "RATE"); stratum 2-15:
	 * the IPv4 address of the upstream server (RFC 5905 7.3). */
	char refid_text[32];
	uint64_t reference_time; /* NTP timestamp format, seconds since 1900 << 32 */
	uint64_t origin_time;
	uint64_t receive_time;
	uint64_t transmit_time;
	size_t extension_length; /* bytes after the 48-byte header */
};

/* A 48-byte NTPv4 mode-3 request (LI 0, VN 4, mode 3) whose transmit
 * timestamp is transmit_time; a server copies it to the origin field. */
int ntp_build_request(uint8_t *buf, size_t cap, size_t *len, uint64_t transmit_time,
		      struct dl_error *err);

/* Parse a header (and count what follows it). */
int ntp_parse(const uint8_t *msg, size_t len, struct ntp_packet *out, struct dl_error *err);

/* Seconds since 1970 for an NTP timestamp (era 0), or 0 for 0. */
int64_t ntp_to_unix(uint64_t ntp_time);

#endif
