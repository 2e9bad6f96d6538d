/* scope: the guard every sender calls; nothing leaves for an address or interface the profile did
 * not declare */
#ifndef DUTLAB_NET_SCOPE_H
#define DUTLAB_NET_SCOPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

struct dl_error;

struct scope_network {
	int family;          /* AF_INET or AF_INET6 */
	uint8_t address[16]; /* network byte order; 4 bytes used for AF_INET */
	unsigned prefix_length;
	char text[64]; /* as written in the profile, for messages */
};

#define SCOPE_INTERFACE_NAME_MAX 16 /* IFNAMSIZ */

struct scope {
	struct scope_network *networks;
	size_t network_count;
	char (*interfaces)[SCOPE_INTERFACE_NAME_MAX];
	size_t interface_count;
	const char *origin; /* "profile 'cam.yaml'", for messages; not owned */
};

/* Parse "198.18.1.0/24" or "fd00:198:0:1::/64" (a bare address means /32 or /128). */
int scope_parse_network(const char *text, struct scope_network *out, struct dl_error *err);

/* Add a network or an interface to s (s owns the copies). */
int scope_add_network(struct scope *s, const char *text, struct dl_error *err);
int scope_add_interface(struct scope *s, const char *name, struct dl_error *err);
void scope_release(struct scope *s);

/*
 * The one check before anything is sent. destination may be NULL for a
 * frame sent on an interface without an IP destination; interface may be
 * NULL when the kernel routes. IPv4-mapped IPv6 destinations are judged as
 * the IPv4 address they carry. Returns 0, or DL_ESCOPE with a message that
 * names the address or interface and the profile it is missing from.
 */
int scope_permit(const struct scope *s, const struct sockaddr *destination,
		 socklen_t destination_length, const char *interface, struct dl_error *err);

/* The same for a textual address ("198.18.1.2", "fd00:198::2"). */
int scope_permit_text(const struct scope *s, const char *address, const char *interface,
		      struct dl_error *err);

bool scope_contains(const struct scope_network *n, int family, const uint8_t *address);

/*
 * The per-frame check of a raw Ethernet frame (ring_send): the IPv4 or IPv6
 * destination, found through up to 8 stacked 802.1Q/802.1ad tags
 * and an LLC/SNAP header, must lie inside scope.networks, unless it cannot
 * leave the link: IPv4 255.255.255.255, 0.0.0.0/8, 224.0.0.0/24, 169.254/16,
 * 127/8; IPv6 multicast of interface- or link-local scope (ffX1::, ffX2::,
 * and the reserved ffX0::), fe80::/10, ::, ::1. A routable address the
 * profile did not declare (global multicast 224.0.1.0 and up, ffXe::) is
 * refused: a router DUT would forward it; so is a frame with more than 8
 * tags (too deep to check). Every other address the frame may be sent on
 * to is held to the same rule: each hop of an IPv4 loose or strict source
 * route, each address of an IPv6 routing header (types 0 and 2, an SRH's
 * segment list; another type with segments left is refused unread), and
 * the inner packet of a tunnel (IP in IP, IPv6 in IP, GRE, VXLAN on UDP
 * 4789), nested at most 4 deep. Frames that are not IP (ARP,
 * LLDP, PAUSE) and frames too short to hold the destination (no router
 * forwards them) pass. interface (may be NULL when the caller checked it
 * already) must be declared. No allocation; a few compares per frame.
 * 0, or DL_ESCOPE with a message naming the destination and the interface.
 */
int scope_permit_frame(const struct scope *s, const uint8_t *frame, size_t length,
		       const char *interface, struct dl_error *err);

#endif
