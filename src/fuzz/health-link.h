/* health-link: what the layer-2 monitors share: an interface's addresses and a guarded packet
 * socket */
#ifndef DUTLAB_FUZZ_HEALTH_LINK_H
#define DUTLAB_FUZZ_HEALTH_LINK_H

#include <stdint.h>

struct dl_error;
struct scope;

/* interface's MAC, index and (when ipv4_be is not NULL) first IPv4 address
 * (network order). DL_ENOTFOUND names what is missing. */
int health_link_interface(const char *interface, uint8_t mac[6], int *index, uint32_t *ipv4_be,
			  struct dl_error *err);

/* A non-blocking AF_PACKET socket of type (SOCK_RAW: with the Ethernet
 * header; SOCK_DGRAM: without) for ethertype (0: it sends only, and
 * receives nothing), bound to interface, after scope_permit() allowed the
 * interface (and destination when not NULL). Frames we send are not read. */
int health_link_socket(const struct scope *scope, const char *interface, const char *destination,
		       int type, uint16_t ethertype, int *fd_out, struct dl_error *err);

#endif
