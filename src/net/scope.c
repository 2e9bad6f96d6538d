/* scope: the guard every sender calls; nothing leaves for an address or interface the profile did
 * not declare */
#include "core/compat.h"

#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>

#include "core/error.h"
#include "core/text.h"
#include "net/scope.h"

static const char *origin_of(const struct scope *s)
{
	return s && s->origin ? s->origin : "the profile";
}

int scope_parse_network(const char *text, struct scope_network *out, struct dl_error *err)
{
	char address_text[INET6_ADDRSTRLEN + 8];
	long prefix = -1;

	memset(out, 0, sizeof(*out));
	if (!text || !*text)
		return dl_error_set(
			err, DL_EINVAL,
			"empty network; expected an address or CIDR such as 198.18.1.0/24");
	if (!text_copy(out->text, sizeof(out->text), text) ||
	    !text_copy(address_text, sizeof(address_text), text))
		return dl_error_set(err, DL_EINVAL, "'%.64s...' is too long for a network", text);

	char *slash = strchr(address_text, '/');
	if (slash) {
		*slash = '\0';
		if (text_parse_long(slash + 1, 0, 128, &prefix) != 0)
			return dl_error_set(err, DL_EINVAL,
					    "'%s': the prefix length after '/' must be a number "
					    "from 0 to 32 (IPv4) or 128 (IPv6)",
					    text);
	}

	if (inet_pton(AF_INET, address_text, out->address) == 1) {
		out->family = AF_INET;
		if (prefix > 32)
			return dl_error_set(err, DL_EINVAL,
					    "'%s': an IPv4 prefix length is at most 32", text);
		out->prefix_length = prefix < 0 ? 32 : (unsigned)prefix;
	} else if (inet_pton(AF_INET6, address_text, out->address) == 1) {
		out->family = AF_INET6;
		out->prefix_length = prefix < 0 ? 128 : (unsigned)prefix;
	} else {
		return dl_error_set(err, DL_EINVAL, "'%s' is not an IPv4 or IPv6 address or CIDR",
				    text);
	}

	/* A network written with host bits set ("198.18.1.7/24") is most
	 * likely a typo for an address; refuse it rather than guess. */
	unsigned bytes = out->family == AF_INET ? 4 : 16;
	for (unsigned bit = out->prefix_length; bit < bytes * 8; bit++) {
		if (out->address[bit / 8] & (0x80u >> (bit % 8)))
			return dl_error_set(err, DL_EINVAL,
					    "'%s' has host bits set after the /%u prefix; write "
					    "the network address",
					    text, out->prefix_length);
	}
	return 0;
}

bool scope_contains(const struct scope_network *n, int family, const uint8_t *address)
{
	if (n->family != family)
		return false;
	unsigned full = n->prefix_length / 8, rest = n->prefix_length % 8;
	if (memcmp(n->address, address, full) != 0)
		return false;
	if (rest == 0)
		return true;
	uint8_t mask = (uint8_t)(0xff00u >> rest);
	return (n->address[full] & mask) == (address[full] & mask);
}

int scope_add_network(struct scope *s, const char *text, struct dl_error *err)
{
	struct scope_network parsed;
	int rc = scope_parse_network(text, &parsed, err);
	if (rc)
		return rc;
	struct scope_network *grown = realloc(s->networks, (s->network_count + 1) * sizeof(*grown));
	if (!grown)
		return dl_error_set(err, DL_ENOMEM,
				    "out of memory adding network '%s' to the scope", text);
	s->networks = grown;
	s->networks[s->network_count++] = parsed;
	return 0;
}

int scope_add_interface(struct scope *s, const char *name, struct dl_error *err)
{
	size_t length = name ? strlen(name) : 0;
	if (length == 0 || length >= SCOPE_INTERFACE_NAME_MAX)
		return dl_error_set(err, DL_EINVAL,
				    "interface name '%s' must be 1 to %d characters",
				    name ? name : "", SCOPE_INTERFACE_NAME_MAX - 1);
	for (size_t i = 0; i < length; i++) {
		unsigned char c = (unsigned char)name[i];
		if (c <= ' ' || c == '/' || c == ':' || c >= 0x7f)
			return dl_error_set(
				err, DL_EINVAL,
				"interface name '%s' contains '%c', which Linux does not allow",
				name, c <= ' ' || c >= 0x7f ? '?' : c);
	}
	char(*grown)[SCOPE_INTERFACE_NAME_MAX] =
		realloc(s->interfaces, (s->interface_count + 1) * sizeof(*grown));
	if (!grown)
		return dl_error_set(err, DL_ENOMEM, "out of memory adding interface '%s'", name);
	s->interfaces = grown;
	memcpy(s->interfaces[s->interface_count], name, length + 1);
	s->interface_count++;
	return 0;
}

void scope_release(struct scope *s)
{
	if (!s)
		return;
	free(s->networks);
	free(s->interfaces);
	s->networks = NULL;
	s->interfaces = NULL;
	s->network_count = s->interface_count = 0;
}

static int permit_interface(const struct scope *s, const char *interface, struct dl_error *err)
{
	if (!interface)
		return 0;
	for (size_t i = 0; i < s->interface_count; i++)
		if (strcmp(s->interfaces[i], interface) == 0)
			return 0;
	return dl_error_set(err, DL_ESCOPE,
			    "%s: interface '%s' is not in scope.interfaces; add it there or send "
			    "on a declared interface",
			    origin_of(s), interface);
}

static int permit_address(const struct scope *s, int family, const uint8_t *address,
			  struct dl_error *err)
{
	uint8_t bytes[16];
	char text[INET6_ADDRSTRLEN];

	memcpy(bytes, address, family == AF_INET ? 4 : 16);
	/* ::ffff:a.b.c.d reaches the IPv4 host a.b.c.d: judge it as that. */
	static const uint8_t mapped_prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
	if (family == AF_INET6 && memcmp(bytes, mapped_prefix, sizeof(mapped_prefix)) == 0) {
		memmove(bytes, bytes + 12, 4);
		family = AF_INET;
	}
	for (size_t i = 0; i < s->network_count; i++)
		if (scope_contains(&s->networks[i], family, bytes))
			return 0;
	if (!inet_ntop(family, bytes, text, sizeof(text)))
		text_copy(text, sizeof(text), "(unprintable address)");
	return dl_error_set(
		err, DL_ESCOPE,
		"%s: destination %s is not inside scope.networks; dutlab sends nothing there (add "
		"its network to the profile's scope if it is part of the DUT)",
		origin_of(s), text);
}

int scope_permit(const struct scope *s, const struct sockaddr *destination,
		 socklen_t destination_length, const char *interface, struct dl_error *err)
{
	if (!s)
		return dl_error_set(err, DL_ESCOPE, "no scope given: refusing to send anything");
	int rc = permit_interface(s, interface, err);
	if (rc)
		return rc;
	if (!destination) {
		/* A frame with no IP destination may only leave on a declared interface. */
		if (!interface)
			return dl_error_set(err, DL_ESCOPE,
					    "%s: a send with neither destination nor interface "
					    "cannot be checked; refusing it",
					    origin_of(s));
		return 0;
	}
	if (destination->sa_family == AF_INET) {
		if (destination_length < (socklen_t)sizeof(struct sockaddr_in))
			return dl_error_set(err, DL_EINVAL, "short IPv4 socket address");
		const struct sockaddr_in *in =
			(const struct sockaddr_in *)(const void *)destination;
		return permit_address(s, AF_INET, (const uint8_t *)&in->sin_addr, err);
	}
	if (destination->sa_family == AF_INET6) {
		if (destination_length < (socklen_t)sizeof(struct sockaddr_in6))
			return dl_error_set(err, DL_EINVAL, "short IPv6 socket address");
		const struct sockaddr_in6 *in6 =
			(const struct sockaddr_in6 *)(const void *)destination;
		return permit_address(s, AF_INET6, in6->sin6_addr.s6_addr, err);
	}
	return dl_error_set(err, DL_ESCOPE,
			    "%s: address family %d is neither IPv4 nor IPv6; refusing to send",
			    origin_of(s), destination->sa_family);
}

int scope_permit_text(const struct scope *s, const char *address, const char *interface,
		      struct dl_error *err)
{
	struct sockaddr_in6 in6 = {.sin6_family = AF_INET6};
	struct sockaddr_in in = {.sin_family = AF_INET};

	if (address && inet_pton(AF_INET, address, &in.sin_addr) == 1)
		return scope_permit(s, (struct sockaddr *)&in, sizeof(in), interface, err);
	if (address && inet_pton(AF_INET6, address, &in6.sin6_addr) == 1)
		return scope_permit(s, (struct sockaddr *)&in6, sizeof(in6), interface, err);
	return dl_error_set(err, DL_EINVAL, "'%s' is not an IPv4 or IPv6 address",
			    address ? address : "(null)");
}

/* IPv4 destinations that no router forwards (RFC 1122 3.2.1.3, RFC 5771,
 * RFC 3927): the frame cannot leave the link it is sent on. */
static bool link_scoped_ipv4(const uint8_t *a)
{
	if (a[0] == 255 && a[1] == 255 && a[2] == 255 && a[3] == 255)
		return true;
	return a[0] == 0 || a[0] == 127 || (a[0] == 169 && a[1] == 254) ||
	       (a[0] == 224 && a[1] == 0 && a[2] == 0);
}

/* The IPv6 equivalents (RFC 4291 2.4, 2.7): multicast of scope 0 (reserved),
 * 1 (interface-local) or 2 (link-local), fe80::/10, :: and ::1. */
static bool link_scoped_ipv6(const uint8_t *a)
{
	if (a[0] == 0xff)
		return (a[1] & 0x0f) <= 2;
	if (a[0] == 0xfe && (a[1] & 0xc0) == 0x80)
		return true;
	for (int i = 0; i < 15; i++)
		if (a[i])
			return false;
	return a[15] <= 1;
}

static int refuse_frame(const struct scope *s, int family, const uint8_t *address, const char *what,
			const char *interface, struct dl_error *err)
{
	char text[INET6_ADDRSTRLEN];
	if (!inet_ntop(family, address, text, sizeof(text)))
		text_copy(text, sizeof(text), "(unprintable address)");
	return dl_error_set(err, DL_ESCOPE,
			    "%s: frame%s%s%s for %s refused: that %s is not inside "
			    "scope.networks and a router would forward it there (add its network "
			    "to the profile's scope if it is part of the DUT)",
			    origin_of(s), interface ? " on '" : "", interface ? interface : "",
			    interface ? "'" : "", text, what);
}

/*
 * What a frame may be forwarded to is more than its outer destination: the
 * hops of an IPv4 source route (RFC 791 3.1, LSRR and SSRR), the addresses
 * of an IPv6 routing header (RFC 8200 4.4, types 0 and 2; RFC 8754 segment
 * lists), and whatever a tunnel carries (IP in IP, IPv6 in IP, GRE, VXLAN):
 * a DUT that honours them sends the packet on. Mutation writes any bytes
 * there, so the guard reads every one of them. Nesting is bounded.
 */
enum { FRAME_MAX_DEPTH = 4, FRAME_MAX_HEADERS = 16, VXLAN_PORT = 4789 };

struct frame_walk {
	const struct scope *scope;
	const char *interface;
	struct dl_error *err;
};

static int walk_ethernet(const struct frame_walk *w, const uint8_t *frame, size_t length,
			 int depth);
static int walk_ip(const struct frame_walk *w, unsigned type, const uint8_t *packet, size_t length,
		   int depth);

static int permit_hop(const struct frame_walk *w, int family, const uint8_t *address,
		      const char *what)
{
	uint8_t a[16];
	memcpy(a, address, family == AF_INET ? 4 : 16);
	static const uint8_t mapped_prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
	if (family == AF_INET6 && memcmp(a, mapped_prefix, sizeof(mapped_prefix)) == 0) {
		memmove(a, a + 12, 4);
		family = AF_INET;
	}
	for (size_t i = 0; i < w->scope->network_count; i++)
		if (scope_contains(&w->scope->networks[i], family, a))
			return 0;
	if (family == AF_INET ? link_scoped_ipv4(a) : link_scoped_ipv6(a))
		return 0;
	return refuse_frame(w->scope, family, a, what, w->interface, w->err);
}

/* The payload of an IP packet whose protocol is next: a tunnel's inner packet. */
static int walk_payload(const struct frame_walk *w, unsigned next, const uint8_t *p, size_t length,
			int depth)
{
	if (next == 4)
		return walk_ip(w, 0x0800, p, length, depth + 1);
	if (next == 41)
		return walk_ip(w, 0x86dd, p, length, depth + 1);
	if (next == 47 && length >= 4) { /* GRE (RFC 2784, 2890): C, K, S words */
		size_t header = 4 + ((p[0] & 0x80) ? 4 : 0) + ((p[0] & 0x20) ? 4 : 0) +
				((p[0] & 0x10) ? 4 : 0);
		unsigned type = (unsigned)p[2] << 8 | p[3];
		if (header > length)
			return 0;
		if (type == 0x6558) /* transparent Ethernet bridging */
			return walk_ethernet(w, p + header, length - header, depth + 1);
		return walk_ip(w, type, p + header, length - header, depth + 1);
	}
	if (next == 17 && length >= 16 && ((unsigned)p[2] << 8 | p[3]) == VXLAN_PORT)
		return walk_ethernet(w, p + 16, length - 16, depth + 1); /* UDP 8 + VXLAN 8 */
	return 0;
}

/* IPv4 options (RFC 791 3.1): every hop of a loose or strict source route. */
static int walk_ipv4_options(const struct frame_walk *w, const uint8_t *o, size_t length)
{
	for (size_t at = 0; at < length;) {
		unsigned type = o[at];
		if (type == 0)
			break;
		if (type == 1) {
			at++;
			continue;
		}
		if (at + 2 > length || o[at + 1] < 2 || at + o[at + 1] > length)
			break;                    /* a malformed list: no stack forwards past it */
		if (type == 0x83 || type == 0x89) /* LSRR, SSRR: pointer, then the route */
			for (size_t hop = at + 3; hop + 4 <= at + o[at + 1]; hop += 4) {
				int rc = permit_hop(w, AF_INET, o + hop, "source-route hop");
				if (rc)
					return rc;
			}
		at += o[at + 1];
	}
	return 0;
}

/* An IPv6 routing header (RFC 8200 4.4): the addresses of types 0 and 2 and
 * the segment list of an SRH (type 4, RFC 8754 2); another type that still
 * has segments left cannot be read, so it is refused. */
static int walk_ipv6_routing(const struct frame_walk *w, const uint8_t *h, size_t length)
{
	unsigned type = h[2], segments_left = h[3];
	size_t end = length;
	if (type == 4) {
		size_t last = (size_t)h[4] + 1;
		if (8 + last * 16 < end)
			end = 8 + last * 16;
	} else if (type != 0 && type != 2) {
		if (segments_left == 0)
			return 0;
		return dl_error_set(w->err, DL_ESCOPE,
				    "%s: frame%s%s%s refused: its IPv6 routing header of type %u "
				    "has %u segments left, whose addresses the scope guard cannot "
				    "read",
				    origin_of(w->scope), w->interface ? " on '" : "",
				    w->interface ? w->interface : "", w->interface ? "'" : "", type,
				    segments_left);
	}
	for (size_t at = 8; at + 16 <= end; at += 16) {
		int rc = permit_hop(w, AF_INET6, h + at, "routing-header address");
		if (rc)
			return rc;
	}
	return 0;
}

static int walk_ip(const struct frame_walk *w, unsigned type, const uint8_t *p, size_t length,
		   int depth)
{
	if (depth > FRAME_MAX_DEPTH)
		return dl_error_set(w->err, DL_ESCOPE,
				    "%s: frame refused: tunnels nested more than %d deep are too "
				    "deep to check",
				    origin_of(w->scope), FRAME_MAX_DEPTH);
	const char *what = depth ? "tunnelled destination" : "destination";
	if (type == 0x0800) {
		if (length < 20)
			return 0; /* the destination is not all there: no router forwards it */
		int rc = permit_hop(w, AF_INET, p + 16, what);
		size_t header = (size_t)(p[0] & 0x0f) * 4;
		if (rc || header < 20 || header > length)
			return rc;
		rc = walk_ipv4_options(w, p + 20, header - 20);
		bool first_fragment = (p[6] & 0x1f) == 0 && p[7] == 0;
		if (rc || !first_fragment)
			return rc;
		return walk_payload(w, p[9], p + header, length - header, depth);
	}
	if (type != 0x86dd)
		return 0; /* ARP, LLDP, MAC control...: not routed */
	if (length < 40)
		return 0;
	int rc = permit_hop(w, AF_INET6, p + 24, what);
	unsigned next = p[6];
	size_t at = 40;
	for (int n = 0; !rc && n < FRAME_MAX_HEADERS; n++) {
		size_t size;
		if (next == 0 || next == 43 || next == 60) {
			if (at + 8 > length)
				return 0;
			size = ((size_t)p[at + 1] + 1) * 8;
		} else if (next == 44) {
			if (at + 8 > length || ((p[at + 2] << 8 | p[at + 3]) & 0xfff8) != 0)
				return 0; /* a later fragment: no header of the payload in it */
			size = 8;
		} else if (next == 51) {
			if (at + 8 > length)
				return 0;
			size = ((size_t)p[at + 1] + 2) * 4;
		} else {
			return walk_payload(w, next, p + at, length - at, depth);
		}
		if (at + size > length)
			return 0;
		if (next == 43)
			rc = walk_ipv6_routing(w, p + at, size);
		next = p[at];
		at += size;
	}
	return rc;
}

static int walk_ethernet(const struct frame_walk *w, const uint8_t *frame, size_t length, int depth)
{
	if (length < 14)
		return 0; /* a runt: no EtherType, nothing a router would forward */
	size_t offset = 12;
	unsigned type = (unsigned)frame[12] << 8 | frame[13];
	/* 802.1Q, 802.1ad and the old QinQ 0x9100, stacked at most 8 deep. */
	for (int tags = 0; (type == 0x8100 || type == 0x88a8 || type == 0x9100) && tags < 8;
	     tags++) {
		if (offset + 6 > length)
			return 0;
		offset += 4;
		type = (unsigned)frame[offset] << 8 | frame[offset + 1];
	}
	if (type == 0x8100 || type == 0x88a8 || type == 0x9100)
		return dl_error_set(w->err, DL_ESCOPE,
				    "%s: frame with more than 8 VLAN tags refused: its destination "
				    "is too deep to check",
				    origin_of(w->scope));
	offset += 2;
	/* 802.3 length with LLC/SNAP (AA AA 03, OUI 0): the EtherType follows. */
	if (type <= 1500) {
		static const uint8_t snap[6] = {0xaa, 0xaa, 0x03, 0, 0, 0};
		if (offset + 8 > length || memcmp(frame + offset, snap, sizeof(snap)) != 0)
			return 0;
		type = (unsigned)frame[offset + 6] << 8 | frame[offset + 7];
		offset += 8;
	}
	return walk_ip(w, type, frame + offset, length - offset, depth);
}

int scope_permit_frame(const struct scope *s, const uint8_t *frame, size_t length,
		       const char *interface, struct dl_error *err)
{
	if (!s)
		return dl_error_set(err, DL_ESCOPE, "no scope given: refusing to send anything");
	if (interface) {
		int rc = permit_interface(s, interface, err);
		if (rc)
			return rc;
	}
	struct frame_walk w = {.scope = s, .interface = interface, .err = err};
	return walk_ethernet(&w, frame, length, 0);
}
