/* udp: one request/reply exchange over a connected, scoped UDP socket */
#ifndef DUTLAB_NET_UDP_H
#define DUTLAB_NET_UDP_H

#include <stddef.h>
#include <stdint.h>

struct dl_error;
struct scope;
struct sock_address;

enum udp_outcome {
	UDP_ANSWERED, /* a datagram came back from the destination address and port */
	UDP_CLOSED,   /* ICMP port unreachable: the connected socket saw ECONNREFUSED */
	UDP_SILENT,   /* nothing came back: open|filtered */
};

const char *udp_outcome_name(enum udp_outcome o); /* "answered", "closed", "silent" */

/*
 * Send request to destination (after scope_permit(), bound to interface
 * when not NULL) and wait for one reply into reply (cap bytes), sending
 * again up to attempts times (at least 1), the time to deadline_ns shared
 * between the attempts. The socket is connected, so only the destination
 * can answer and an ICMP port unreachable shows as UDP_CLOSED. Returns 0
 * with *outcome set (and *got for UDP_ANSWERED), or a negative DL_E*.
 */
int udp_exchange(const struct scope *scope, const char *interface,
		 const struct sock_address *destination, const uint8_t *request, size_t length,
		 uint8_t *reply, size_t cap, size_t *got, unsigned attempts, int64_t deadline_ns,
		 enum udp_outcome *outcome, struct dl_error *err);

#endif
