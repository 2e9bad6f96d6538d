/* ssdp: unicast M-SEARCH building and HTTP-over-UDP response parsing (UPnP Device
 * Architecture 2.0, 1.3) */
#ifndef DUTLAB_PROTO_SSDP_H
#define DUTLAB_PROTO_SSDP_H

/* Used by checks/discovery/udp-probes.c. */

#include <stddef.h>
#include <stdint.h>

struct dl_error;

#define SSDP_PORT 1900
#define SSDP_MESSAGE_MAX 8192 /* UDA 2.0 1.1.2 limits a message to one datagram; we cap lower */
#define SSDP_LINE_MAX 1024
#define SSDP_HEADERS_MAX 64
#define SSDP_VALUE_MAX 256

struct ssdp_response {
	int status;      /* 200 */
	char reason[64]; /* "OK" */
	char location[SSDP_VALUE_MAX];
	char server[SSDP_VALUE_MAX]; /* "Debian/12 UPnP/1.1 MiniUPnPd/2.3.1" */
	char st[SSDP_VALUE_MAX];
	char usn[SSDP_VALUE_MAX];
	char cache_control[64];
	size_t header_count;
};

/*
 * Build a unicast M-SEARCH (UDA 2.0 1.3.2) for st ("ssdp:all") with MX mx
 * (1-5) to target_address port 1900 (HOST: 198.18.1.2:1900, or
 * [fd00:198::2]:1900).
 */
int ssdp_build_msearch(uint8_t *buf, size_t cap, size_t *len, const char *target_address,
		       const char *st, unsigned mx, struct dl_error *err);

/* Parse a search response ("HTTP/1.1 200 OK" + headers, names compared
 * case-insensitively). Values are kept printable and cut at SSDP_VALUE_MAX. */
int ssdp_parse_response(const uint8_t *msg, size_t len, struct ssdp_response *out,
			struct dl_error *err);

#endif
