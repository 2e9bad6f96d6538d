/* bgp: BGP-4 (RFC 4271) message build, parse and field schema */
#include "core/compat.h"

#include <arpa/inet.h>

#include "core/error.h"
#include "proto/bgp.h"
#include "proto/cursor.h"
#include "proto/layer.h"
#include "proto/packet.h"

/*
 * The builders serialise a message into a buffer and declare it through the
 * parser's walker (bgp_declare()), so a built message and the same bytes
 * parsed back have one schema by construction (as ipv4.c and lldp.c do).
 */

#define BGP_PARAMETER_CAPABILITIES 2 /* RFC 5492 4 */
#define BGP_OPEN_MIN 29              /* RFC 4271 4.2: header and 10 bytes */
#define BGP_UPDATE_MIN 23            /* RFC 4271 4.3: header and two 2-byte lengths */
#define BGP_NOTIFICATION_MIN 21      /* RFC 4271 4.5 */
#define BGP_ROUTE_REFRESH_LENGTH 23  /* RFC 2918 3 */
#define BGP_LIST_MAX 1024 /* entries of one list the walk takes: more than 4096 bytes hold */

static const struct field_value bgp_types[] = {
	{BGP_OPEN, "OPEN"},
	{BGP_UPDATE, "UPDATE"},
	{BGP_NOTIFICATION, "NOTIFICATION"},
	{BGP_KEEPALIVE, "KEEPALIVE"},
	{BGP_ROUTE_REFRESH, "ROUTE-REFRESH"},
	{0, NULL},
};

static const struct field_value bgp_versions[] = {{BGP_VERSION, "BGP-4"}, {0, NULL}};

/* IANA "BGP OPEN Optional Parameter Types" */
static const struct field_value bgp_parameter_types[] = {
	{1, "Authentication (deprecated)"},
	{BGP_PARAMETER_CAPABILITIES, "Capabilities"},
	{255, "Extended Length"},
	{0, NULL},
};

static const struct field_value bgp_capability_codes[] = {
	{BGP_CAP_MULTIPROTOCOL, "Multiprotocol Extensions"},
	{BGP_CAP_ROUTE_REFRESH, "Route Refresh"},
	{64, "Graceful Restart"},
	{BGP_CAP_AS4, "4-octet AS number"},
	{BGP_CAP_ADD_PATH, "ADD-PATH"},
	{BGP_CAP_ENHANCED_ROUTE_REFRESH, "Enhanced Route Refresh"},
	{128, "Route Refresh (Cisco)"},
	{0, NULL},
};

/* IANA "Address Family Numbers" and "SAFI Values", the ones BGP speakers meet */
static const struct field_value bgp_afis[] = {
	{BGP_AFI_IPV4, "IPv4"},
	{BGP_AFI_IPV6, "IPv6"},
	{25, "L2VPN"},
	{0, NULL},
};

static const struct field_value bgp_safis[] = {
	{BGP_SAFI_UNICAST, "unicast"},
	{2, "multicast"},
	{4, "MPLS labels"},
	{70, "EVPN"},
	{128, "MPLS-labeled VPN"},
	{133, "flow specification"},
	{0, NULL},
};

/* RFC 7911 4 */
static const struct field_value bgp_send_receive[] = {
	{1, "receive"},
	{2, "send"},
	{3, "send and receive"},
	{0, NULL},
};

static const struct field_value bgp_attribute_types[] = {
	{BGP_ATTR_ORIGIN, "ORIGIN"},
	{BGP_ATTR_AS_PATH, "AS_PATH"},
	{BGP_ATTR_NEXT_HOP, "NEXT_HOP"},
	{BGP_ATTR_MULTI_EXIT_DISC, "MULTI_EXIT_DISC"},
	{BGP_ATTR_LOCAL_PREF, "LOCAL_PREF"},
	{BGP_ATTR_ATOMIC_AGGREGATE, "ATOMIC_AGGREGATE"},
	{BGP_ATTR_AGGREGATOR, "AGGREGATOR"},
	{BGP_ATTR_COMMUNITIES, "COMMUNITIES"},
	{BGP_ATTR_MP_REACH_NLRI, "MP_REACH_NLRI"},
	{BGP_ATTR_MP_UNREACH_NLRI, "MP_UNREACH_NLRI"},
	{0, NULL},
};

static const struct field_value bgp_origins[] = {
	{BGP_ORIGIN_IGP, "IGP"},
	{BGP_ORIGIN_EGP, "EGP"},
	{BGP_ORIGIN_INCOMPLETE, "INCOMPLETE"},
	{0, NULL},
};

static const struct field_value bgp_segment_types[] = {
	{BGP_AS_SET, "AS_SET"},
	{BGP_AS_SEQUENCE, "AS_SEQUENCE"},
	{3, "AS_CONFED_SEQUENCE"},
	{4, "AS_CONFED_SET"},
	{0, NULL},
};

static const struct field_value bgp_error_codes[] = {
	{BGP_ERROR_HEADER, "Message Header Error"},
	{BGP_ERROR_OPEN, "OPEN Message Error"},
	{BGP_ERROR_UPDATE, "UPDATE Message Error"},
	{BGP_ERROR_HOLD_TIMER, "Hold Timer Expired"},
	{BGP_ERROR_FSM, "Finite State Machine Error"},
	{BGP_ERROR_CEASE, "Cease"},
	{BGP_ERROR_ROUTE_REFRESH, "ROUTE-REFRESH Message Error"},
	{0, NULL},
};

/* RFC 4271 6.1 */
static const struct field_value bgp_header_subcodes[] = {
	{1, "Connection Not Synchronized"},
	{2, "Bad Message Length"},
	{3, "Bad Message Type"},
	{0, NULL},
};

/* RFC 4271 6.2, RFC 5492 5, RFC 9234 */
static const struct field_value bgp_open_subcodes[] = {
	{1, "Unsupported Version Number"},
	{2, "Bad Peer AS"},
	{3, "Bad BGP Identifier"},
	{4, "Unsupported Optional Parameter"},
	{6, "Unacceptable Hold Time"},
	{7, "Unsupported Capability"},
	{11, "Role Mismatch"},
	{0, NULL},
};

/* RFC 4271 6.3 */
static const struct field_value bgp_update_subcodes[] = {
	{1, "Malformed Attribute List"},
	{2, "Unrecognized Well-known Attribute"},
	{3, "Missing Well-known Attribute"},
	{4, "Attribute Flags Error"},
	{5, "Attribute Length Error"},
	{6, "Invalid ORIGIN Attribute"},
	{8, "Invalid NEXT_HOP Attribute"},
	{9, "Optional Attribute Error"},
	{10, "Invalid Network Field"},
	{11, "Malformed AS_PATH"},
	{0, NULL},
};

/* RFC 6608 4 */
static const struct field_value bgp_fsm_subcodes[] = {
	{0, "Unspecified Error"},
	{1, "Receive Unexpected Message in OpenSent State"},
	{2, "Receive Unexpected Message in OpenConfirm State"},
	{3, "Receive Unexpected Message in Established State"},
	{0, NULL},
};

/* RFC 4486 4, RFC 8538, RFC 9384 */
static const struct field_value bgp_cease_subcodes[] = {
	{1, "Maximum Number of Prefixes Reached"},
	{2, "Administrative Shutdown"},
	{3, "Peer De-configured"},
	{4, "Administrative Reset"},
	{5, "Connection Rejected"},
	{6, "Other Configuration Change"},
	{7, "Connection Collision Resolution"},
	{8, "Out of Resources"},
	{9, "Hard Reset"},
	{10, "BFD Down"},
	{0, NULL},
};

/* RFC 7313 5 */
static const struct field_value bgp_route_refresh_subcodes[] = {
	{1, "Invalid Message Length"},
	{0, NULL},
};

static const struct field_value *bgp_subcodes(uint8_t code)
{
	switch (code) {
	case BGP_ERROR_HEADER: return bgp_header_subcodes;
	case BGP_ERROR_OPEN: return bgp_open_subcodes;
	case BGP_ERROR_UPDATE: return bgp_update_subcodes;
	case BGP_ERROR_FSM: return bgp_fsm_subcodes;
	case BGP_ERROR_CEASE: return bgp_cease_subcodes;
	case BGP_ERROR_ROUTE_REFRESH: return bgp_route_refresh_subcodes;
	default: return NULL;
	}
}

/* A numeric field over bytes already taken, with its defined values when an enum. */
static int bgp_number(struct packet *p, const char *name, enum field_kind kind, uint32_t at,
		      uint32_t size, uint8_t flags, const struct field_value *values)
{
	int f = packet_field_present(p, name, kind, at, size, flags);
	if (values)
		packet_values(p, f, values);
	return f;
}

static int bgp_bytes(struct packet *p, const char *name, enum field_kind kind, uint32_t at,
		     uint32_t size, uint8_t flags)
{
	return packet_field_bytes(p, name, kind, at, p->bytes + at, size, flags);
}

/* Bytes the cursor must still hold before a read of n, with the reason if not. */
static int bgp_need(struct cursor *c, size_t n, const char *reason)
{
	size_t left = cursor_remaining(c);
	return left >= n ? 0 : cursor_fail_value(c, reason, left);
}

/* The list name of prefixes, of max_bits each (32 or 128): RFC 4271 4.3 (length in bits, then
 * the fewest bytes that hold them), the whole of c. */
static int bgp_prefixes(struct packet *p, struct cursor *c, const char *list, unsigned max_bits,
			int *element_out)
{
	int element = packet_element_begin(p, list, FIELD_LIST, 0);
	if (element == PACKET_NONE)
		return DL_ENOMEM;
	if (element_out)
		*element_out = element;
	for (size_t n = 0; !cursor_at_end(c); n++) {
		if (n == BGP_LIST_MAX)
			return cursor_fail_value(c, "more prefixes than the parser takes", n);
		uint8_t bits;
		(void)cursor_peek_u8(c, &bits);
		if (bits > max_bits)
			return cursor_fail_value(c,
						 max_bits == 32 ? "IPv4 prefix length is over 32"
								: "IPv6 prefix length is over 128",
						 bits);
		size_t bytes = (bits + 7u) / 8u;
		if (bgp_need(c, 1 + bytes, "prefix runs past the end of its field") < 0)
			return DL_EPROTO;
		int prefix = packet_element_begin(p, "bgp.prefix", FIELD_ELEMENT, FIELD_REPEATABLE);
		uint32_t o;
		int rc = proto_take(p, c, 1 + bytes, &o);
		if (rc < 0)
			return rc;
		/* bits, not bytes: no relation (bytes = ceil(bits / 8)), still a length to mutate
		 */
		bgp_number(p, "bgp.prefix.length", FIELD_LENGTH, o, 1, 0, NULL);
		bgp_bytes(p, "bgp.prefix.address", FIELD_ADDRESS, o + 1, (uint32_t)bytes,
			  FIELD_KEY);
		packet_element_end(p, prefix);
	}
	packet_element_end(p, element);
	return p->overflow ? DL_ENOMEM : 0;
}

/* The capability lengths RFC 4760 8, RFC 2918 2, RFC 6793 3 and RFC 7911 4 fix. */
static int bgp_capability_check(struct cursor *c, uint8_t code, uint8_t length)
{
	switch (code) {
	case BGP_CAP_MULTIPROTOCOL:
		return length == 4 ? 0
				   : cursor_fail_value(
					     c, "multiprotocol capability length is not 4", length);
	case BGP_CAP_ROUTE_REFRESH:
	case BGP_CAP_ENHANCED_ROUTE_REFRESH:
		return length == 0 ? 0
				   : cursor_fail_value(
					     c, "route refresh capability length is not 0", length);
	case BGP_CAP_AS4:
		return length == 4 ? 0
				   : cursor_fail_value(c, "4-octet AS capability length is not 4",
						       length);
	case BGP_CAP_ADD_PATH:
		return length > 0 && length % 4 == 0
			       ? 0
			       : cursor_fail_value(c, "ADD-PATH capability length is not 4n",
						   length);
	default: return 0;
	}
}

static const char *bgp_capability_name(uint8_t code)
{
	switch (code) {
	case BGP_CAP_MULTIPROTOCOL: return "bgp.capability.multiprotocol";
	case BGP_CAP_ROUTE_REFRESH: return "bgp.capability.route_refresh";
	case BGP_CAP_AS4: return "bgp.capability.as4";
	case BGP_CAP_ADD_PATH: return "bgp.capability.add_path";
	case BGP_CAP_ENHANCED_ROUTE_REFRESH: return "bgp.capability.enhanced_route_refresh";
	default: return "bgp.capability.other";
	}
}

/* The capabilities of one Capabilities optional parameter (RFC 5492 4), the whole of c. */
static int bgp_capabilities(struct packet *p, struct cursor *c)
{
	for (size_t n = 0; !cursor_at_end(c); n++) {
		if (n == BGP_LIST_MAX)
			return cursor_fail_value(c, "more capabilities than the parser takes", n);
		if (bgp_need(c, 2, "capability shorter than its code and length") < 0)
			return DL_EPROTO;
		uint8_t code = c->p[c->offset], length = c->p[c->offset + 1];
		if (length > cursor_remaining(c) - 2)
			return cursor_fail_value(c, "capability length runs past the parameter",
						 length);
		if (bgp_capability_check(c, code, length) < 0)
			return DL_EPROTO;
		int element = packet_element_begin(p, bgp_capability_name(code), FIELD_ELEMENT,
						   FIELD_REPEATABLE);
		uint32_t o;
		int rc = proto_take(p, c, 2, &o);
		if (rc < 0)
			return rc;
		bgp_number(p, "bgp.capability.code", FIELD_ENUM, o, 1, FIELD_KEY,
			   bgp_capability_codes);
		int l = bgp_number(p, "bgp.capability.length", FIELD_LENGTH, o + 1, 1, 0, NULL);
		packet_relate(p, l, element, 1, -2);
		if (code == BGP_CAP_ADD_PATH) {
			for (uint32_t at = 0; at < length; at += 4) {
				int family =
					packet_element_begin(p, "bgp.capability.add_path.family",
							     FIELD_ELEMENT, FIELD_REPEATABLE);
				rc = proto_take(p, c, 4, &o);
				if (rc < 0)
					break;
				bgp_number(p, "bgp.capability.afi", FIELD_ENUM, o, 2, 0, bgp_afis);
				bgp_number(p, "bgp.capability.safi", FIELD_ENUM, o + 2, 1, 0,
					   bgp_safis);
				bgp_number(p, "bgp.capability.send_receive", FIELD_ENUM, o + 3, 1,
					   0, bgp_send_receive);
				packet_element_end(p, family);
			}
		} else if (length) {
			rc = proto_take(p, c, length, &o);
		}
		if (rc < 0)
			return rc;
		switch (code) {
		case BGP_CAP_MULTIPROTOCOL:
			bgp_number(p, "bgp.capability.afi", FIELD_ENUM, o, 2, FIELD_KEY, bgp_afis);
			bgp_number(p, "bgp.capability.reserved", FIELD_UINT, o + 2, 1, 0, NULL);
			bgp_number(p, "bgp.capability.safi", FIELD_ENUM, o + 3, 1, FIELD_KEY,
				   bgp_safis);
			break;
		case BGP_CAP_AS4:
			bgp_number(p, "bgp.capability.asn", FIELD_UINT, o, 4, FIELD_KEY, NULL);
			break;
		case BGP_CAP_ROUTE_REFRESH:
		case BGP_CAP_ENHANCED_ROUTE_REFRESH:
		case BGP_CAP_ADD_PATH: break;
		default:
			if (length)
				bgp_bytes(p, "bgp.capability.data", FIELD_BYTES, o, length, 0);
			break;
		}
		packet_element_end(p, element);
	}
	return p->overflow ? DL_ENOMEM : 0;
}

/* OPEN after the header (RFC 4271 4.2), the whole of c. */
static int bgp_open(struct packet *p, struct cursor *c)
{
	uint32_t o;
	int rc = proto_take(p, c, 10, &o);
	if (rc < 0)
		return rc;
	bgp_number(p, "bgp.open.version", FIELD_ENUM, o, 1, FIELD_KEY, bgp_versions);
	bgp_number(p, "bgp.open.my_as", FIELD_UINT, o + 1, 2, FIELD_KEY, NULL);
	bgp_number(p, "bgp.open.hold_time", FIELD_UINT, o + 3, 2, FIELD_KEY, NULL);
	bgp_bytes(p, "bgp.open.identifier", FIELD_ADDRESS, o + 5, 4, FIELD_KEY);
	int length = bgp_number(p, "bgp.open.parameters_length", FIELD_LENGTH, o + 9, 1, 0, NULL);
	size_t declared = p->bytes[o + 9];
	if (declared != cursor_remaining(c))
		return cursor_fail_at(c, cursor_position(c) - 1,
				      "optional parameters length disagrees with the message "
				      "length",
				      declared, true);
	int list = packet_element_begin(p, "bgp.open.parameters", FIELD_LIST, 0);
	for (size_t n = 0; !cursor_at_end(c); n++) {
		if (n == BGP_LIST_MAX)
			return cursor_fail_value(c, "more parameters than the parser takes", n);
		if (bgp_need(c, 2, "optional parameter shorter than its type and length") < 0)
			return DL_EPROTO;
		uint8_t type = c->p[c->offset], plength = c->p[c->offset + 1];
		if (plength > cursor_remaining(c) - 2)
			return cursor_fail_value(c,
						 "optional parameter length runs past the "
						 "optional parameters",
						 plength);
		bool capabilities = type == BGP_PARAMETER_CAPABILITIES;
		int element = packet_element_begin(
			p, capabilities ? "bgp.parameter.capabilities" : "bgp.parameter.other",
			FIELD_ELEMENT, FIELD_REPEATABLE);
		rc = proto_take(p, c, 2, &o);
		if (rc < 0)
			return rc;
		bgp_number(p, "bgp.parameter.type", FIELD_ENUM, o, 1, FIELD_KEY,
			   bgp_parameter_types);
		int l = bgp_number(p, "bgp.parameter.length", FIELD_LENGTH, o + 1, 1, 0, NULL);
		packet_relate(p, l, element, 1, -2);
		struct cursor value;
		if (cursor_sub(c, plength, &value) < 0)
			return DL_EPROTO;
		if (capabilities) {
			rc = bgp_capabilities(p, &value);
		} else if (plength) {
			rc = proto_take(p, &value, plength, &o);
			if (rc == 0)
				bgp_bytes(p, "bgp.parameter.data", FIELD_BYTES, o, plength, 0);
		}
		if (rc < 0)
			return rc;
		packet_element_end(p, element);
	}
	packet_element_end(p, list);
	packet_relate(p, length, list, 1, 0);
	return p->overflow ? DL_ENOMEM : 0;
}

/* Do AS_PATH segments of asn_size-byte ASNs fill exactly length bytes (RFC 4271 4.3, RFC 6793
 * 4: a speaker without the 4-octet AS capability sends 2-byte ASNs)? */
static bool bgp_as_path_fits(const uint8_t *v, size_t length, size_t asn_size)
{
	size_t at = 0;
	while (at < length) {
		if (length - at < 2)
			return false;
		size_t segment = 2 + v[at + 1] * asn_size;
		if (segment > length - at)
			return false;
		at += segment;
	}
	return true;
}

static int bgp_as_path(struct packet *p, struct cursor *c)
{
	size_t length = cursor_remaining(c);
	const uint8_t *v = c->p + c->offset;
	size_t asn_size = bgp_as_path_fits(v, length, 4)   ? 4
			  : bgp_as_path_fits(v, length, 2) ? 2
							   : 0;
	if (asn_size == 0)
		return cursor_fail_value(c, "AS_PATH segments do not fill the attribute", length);
	while (!cursor_at_end(c)) {
		uint8_t count = c->p[c->offset + 1];
		int segment = packet_element_begin(p, "bgp.as_path.segment", FIELD_ELEMENT,
						   FIELD_REPEATABLE);
		uint32_t o;
		int rc = proto_take(p, c, 2, &o);
		if (rc < 0)
			return rc;
		bgp_number(p, "bgp.as_path.segment_type", FIELD_ENUM, o, 1, 0, bgp_segment_types);
		int n = bgp_number(p, "bgp.as_path.segment_length", FIELD_COUNT, o + 1, 1, 0, NULL);
		packet_relate(p, n, segment, 1, 0);
		for (unsigned i = 0; i < count; i++) {
			int as = packet_element_begin(p, "bgp.as_path.as", FIELD_ELEMENT,
						      FIELD_REPEATABLE);
			rc = proto_take(p, c, asn_size, &o);
			if (rc < 0)
				return rc;
			bgp_number(p, "bgp.as_path.asn", FIELD_UINT, o, (uint32_t)asn_size, 0,
				   NULL);
			packet_element_end(p, as);
		}
		packet_element_end(p, segment);
		if (p->overflow)
			return DL_ENOMEM;
	}
	return 0;
}

/* The prefix bits of an AFI, or 0 when its NLRI are not plain prefixes to this model. */
static unsigned bgp_family_bits(uint16_t afi, uint8_t safi)
{
	if (safi != BGP_SAFI_UNICAST && safi != 2)
		return 0;
	return afi == BGP_AFI_IPV4 ? 32 : afi == BGP_AFI_IPV6 ? 128 : 0;
}

/* MP_REACH_NLRI (RFC 4760 3) or MP_UNREACH_NLRI (4), the whole of c. */
static int bgp_multiprotocol(struct packet *p, struct cursor *c, bool reach)
{
	size_t fixed = reach ? 5 : 3;
	if (bgp_need(c, fixed,
		     reach ? "MP_REACH_NLRI shorter than 5 bytes"
			   : "MP_UNREACH_NLRI shorter than 3 bytes") < 0)
		return DL_EPROTO;
	const uint8_t *v = c->p + c->offset;
	uint16_t afi = (uint16_t)(v[0] << 8 | v[1]);
	uint8_t safi = v[2];
	size_t hop = reach ? v[3] : 0;
	if (reach && hop > cursor_remaining(c) - fixed)
		return cursor_fail_value(c, "next hop length runs past MP_REACH_NLRI", hop);
	uint32_t o;
	int rc = proto_take(p, c, reach ? 4 : 3, &o);
	if (rc < 0)
		return rc;
	bgp_number(p, "bgp.mp.afi", FIELD_ENUM, o, 2, FIELD_KEY, bgp_afis);
	bgp_number(p, "bgp.mp.safi", FIELD_ENUM, o + 2, 1, FIELD_KEY, bgp_safis);
	if (reach) {
		int l = bgp_number(p, "bgp.mp.next_hop_length", FIELD_LENGTH, o + 3, 1, 0, NULL);
		rc = proto_take(p, c, hop + 1, &o);
		if (rc < 0)
			return rc;
		int h = bgp_bytes(p, "bgp.mp.next_hop", FIELD_ADDRESS, o, (uint32_t)hop, FIELD_KEY);
		packet_relate(p, l, h, 1, 0);
		bgp_number(p, "bgp.mp.reserved", FIELD_UINT, o + (uint32_t)hop, 1, 0, NULL);
	}
	const char *list = reach ? "bgp.mp_reach.nlri" : "bgp.mp_unreach.withdrawn";
	unsigned bits = bgp_family_bits(afi, safi);
	if (bits)
		return bgp_prefixes(p, c, list, bits, NULL);
	size_t rest = cursor_remaining(c);
	if (rest == 0)
		return 0;
	rc = proto_take(p, c, rest, &o);
	if (rc == 0)
		bgp_bytes(p, reach ? "bgp.mp_reach.data" : "bgp.mp_unreach.data", FIELD_BYTES, o,
			  (uint32_t)rest, 0);
	return rc;
}

static const char *bgp_attribute_name(uint8_t type)
{
	switch (type) {
	case BGP_ATTR_ORIGIN: return "bgp.attribute.origin";
	case BGP_ATTR_AS_PATH: return "bgp.attribute.as_path";
	case BGP_ATTR_NEXT_HOP: return "bgp.attribute.next_hop";
	case BGP_ATTR_MULTI_EXIT_DISC: return "bgp.attribute.med";
	case BGP_ATTR_LOCAL_PREF: return "bgp.attribute.local_pref";
	case BGP_ATTR_ATOMIC_AGGREGATE: return "bgp.attribute.atomic_aggregate";
	case BGP_ATTR_AGGREGATOR: return "bgp.attribute.aggregator";
	case BGP_ATTR_COMMUNITIES: return "bgp.attribute.communities";
	case BGP_ATTR_MP_REACH_NLRI: return "bgp.attribute.mp_reach";
	case BGP_ATTR_MP_UNREACH_NLRI: return "bgp.attribute.mp_unreach";
	default: return "bgp.attribute.other";
	}
}

/* The attribute lengths RFC 4271 5.1, RFC 6793 4 and RFC 1997 fix (AS_PATH and the
 * multiprotocol attributes are checked as they are walked). */
static int bgp_attribute_check(struct cursor *c, size_t at, uint8_t type, size_t length)
{
	const char *why = NULL;
	switch (type) {
	case BGP_ATTR_ORIGIN:
		if (length != 1)
			why = "ORIGIN length is not 1";
		break;
	case BGP_ATTR_NEXT_HOP:
		if (length != 4)
			why = "NEXT_HOP length is not 4";
		break;
	case BGP_ATTR_MULTI_EXIT_DISC:
		if (length != 4)
			why = "MULTI_EXIT_DISC length is not 4";
		break;
	case BGP_ATTR_LOCAL_PREF:
		if (length != 4)
			why = "LOCAL_PREF length is not 4";
		break;
	case BGP_ATTR_ATOMIC_AGGREGATE:
		if (length != 0)
			why = "ATOMIC_AGGREGATE length is not 0";
		break;
	case BGP_ATTR_AGGREGATOR:
		if (length != 6 && length != 8)
			why = "AGGREGATOR length is not 6 or 8";
		break;
	case BGP_ATTR_COMMUNITIES:
		if (length % 4)
			why = "COMMUNITIES length is not 4n";
		break;
	default: break;
	}
	return why ? cursor_fail_at(c, at, why, length, true) : 0;
}

/* The value of an attribute of type, the whole of c. */
static int bgp_attribute_value(struct packet *p, struct cursor *c, uint8_t type)
{
	size_t length = cursor_remaining(c);
	if (type == BGP_ATTR_AS_PATH)
		return bgp_as_path(p, c);
	if (type == BGP_ATTR_MP_REACH_NLRI || type == BGP_ATTR_MP_UNREACH_NLRI)
		return bgp_multiprotocol(p, c, type == BGP_ATTR_MP_REACH_NLRI);
	if (length == 0)
		return 0;
	uint32_t o;
	int rc = proto_take(p, c, length, &o);
	if (rc < 0)
		return rc;
	switch (type) {
	case BGP_ATTR_ORIGIN:
		bgp_number(p, "bgp.origin", FIELD_ENUM, o, 1, FIELD_KEY, bgp_origins);
		break;
	case BGP_ATTR_NEXT_HOP: bgp_bytes(p, "bgp.next_hop", FIELD_ADDRESS, o, 4, FIELD_KEY); break;
	case BGP_ATTR_MULTI_EXIT_DISC: bgp_number(p, "bgp.med", FIELD_UINT, o, 4, 0, NULL); break;
	case BGP_ATTR_LOCAL_PREF: bgp_number(p, "bgp.local_pref", FIELD_UINT, o, 4, 0, NULL); break;
	case BGP_ATTR_AGGREGATOR: {
		uint32_t as = (uint32_t)length - 4;
		bgp_number(p, "bgp.aggregator.as", FIELD_UINT, o, as, 0, NULL);
		bgp_bytes(p, "bgp.aggregator.address", FIELD_ADDRESS, o + as, 4, 0);
		break;
	}
	case BGP_ATTR_COMMUNITIES:
		for (uint32_t at = 0; at < length; at += 4)
			bgp_number(p, "bgp.community", FIELD_UINT, o + at, 4, 0, NULL);
		break;
	default: bgp_bytes(p, "bgp.attribute.data", FIELD_BYTES, o, (uint32_t)length, 0); break;
	}
	return p->overflow ? DL_ENOMEM : 0;
}

/* The path attributes (RFC 4271 4.3), the whole of c. */
static int bgp_attributes(struct packet *p, struct cursor *c)
{
	for (size_t n = 0; !cursor_at_end(c); n++) {
		if (n == BGP_LIST_MAX)
			return cursor_fail_value(c, "more path attributes than the parser takes",
						 n);
		size_t start = cursor_position(c);
		if (bgp_need(c, 3, "path attribute shorter than its flags, type and length") < 0)
			return DL_EPROTO;
		const uint8_t *h = c->p + c->offset;
		uint8_t flags = h[0], type = h[1];
		size_t header = flags & BGP_ATTR_FLAG_EXTENDED ? 4 : 3;
		if (bgp_need(c, header, "path attribute shorter than its extended length") < 0)
			return DL_EPROTO;
		size_t length = header == 4 ? (size_t)h[2] << 8 | h[3] : h[2];
		if (length > cursor_remaining(c) - header)
			return cursor_fail_at(c, start,
					      "path attribute length runs past the total path "
					      "attribute length",
					      length, true);
		if (bgp_attribute_check(c, start, type, length) < 0)
			return DL_EPROTO;
		int element = packet_element_begin(p, bgp_attribute_name(type), FIELD_ELEMENT,
						   FIELD_REPEATABLE);
		uint32_t o;
		int rc = proto_take(p, c, header, &o);
		if (rc < 0)
			return rc;
		bgp_number(p, "bgp.attribute.flags", FIELD_FLAGS, o, 1, 0, NULL);
		bgp_number(p, "bgp.attribute.type", FIELD_ENUM, o + 1, 1, FIELD_KEY,
			   bgp_attribute_types);
		int l = bgp_number(p, "bgp.attribute.length", FIELD_LENGTH, o + 2,
				   (uint32_t)header - 2, 0, NULL);
		packet_relate(p, l, element, 1, -(int32_t)header);
		struct cursor value;
		if (cursor_sub(c, length, &value) < 0)
			return DL_EPROTO;
		rc = bgp_attribute_value(p, &value, type);
		if (rc < 0)
			return rc;
		packet_element_end(p, element);
	}
	return p->overflow ? DL_ENOMEM : 0;
}

/* UPDATE after the header (RFC 4271 4.3), the whole of c. */
static int bgp_update(struct packet *p, struct cursor *c)
{
	uint32_t o;
	size_t withdrawn = (size_t)c->p[c->offset] << 8 | c->p[c->offset + 1];
	if (withdrawn > cursor_remaining(c) - 4)
		return cursor_fail_value(c, "withdrawn routes length runs past the message",
					 withdrawn);
	int rc = proto_take(p, c, 2, &o);
	if (rc < 0)
		return rc;
	int wl = bgp_number(p, "bgp.update.withdrawn_length", FIELD_LENGTH, o, 2, 0, NULL);
	struct cursor sub;
	if (cursor_sub(c, withdrawn, &sub) < 0)
		return DL_EPROTO;
	int list = PACKET_NONE;
	rc = bgp_prefixes(p, &sub, "bgp.update.withdrawn", 32, &list);
	if (rc < 0)
		return rc;
	packet_relate(p, wl, list, 1, 0);
	size_t total = (size_t)c->p[c->offset] << 8 | c->p[c->offset + 1];
	if (total > cursor_remaining(c) - 2)
		return cursor_fail_value(c, "total path attribute length runs past the message",
					 total);
	rc = proto_take(p, c, 2, &o);
	if (rc < 0)
		return rc;
	int tl = bgp_number(p, "bgp.update.attributes_length", FIELD_LENGTH, o, 2, 0, NULL);
	list = packet_element_begin(p, "bgp.update.attributes", FIELD_LIST, 0);
	if (cursor_sub(c, total, &sub) < 0)
		return DL_EPROTO;
	rc = bgp_attributes(p, &sub);
	if (rc < 0)
		return rc;
	packet_element_end(p, list);
	packet_relate(p, tl, list, 1, 0);
	return bgp_prefixes(p, c, "bgp.update.nlri", 32, NULL);
}

static int bgp_notification(struct packet *p, struct cursor *c)
{
	uint32_t o;
	int rc = proto_take(p, c, 2, &o);
	if (rc < 0)
		return rc;
	uint8_t code = p->bytes[o];
	bgp_number(p, "bgp.notification.code", FIELD_ENUM, o, 1, FIELD_KEY, bgp_error_codes);
	const struct field_value *subcodes = bgp_subcodes(code);
	bgp_number(p, "bgp.notification.subcode", subcodes ? FIELD_ENUM : FIELD_UINT, o + 1, 1,
		   FIELD_KEY, subcodes);
	size_t rest = cursor_remaining(c);
	if (rest == 0)
		return 0;
	rc = proto_take(p, c, rest, &o);
	if (rc == 0)
		bgp_bytes(p, "bgp.notification.data", FIELD_BYTES, o, (uint32_t)rest, 0);
	return rc;
}

static int bgp_route_refresh(struct packet *p, struct cursor *c)
{
	uint32_t o;
	int rc = proto_take(p, c, 4, &o);
	if (rc < 0)
		return rc;
	bgp_number(p, "bgp.route_refresh.afi", FIELD_ENUM, o, 2, FIELD_KEY, bgp_afis);
	bgp_number(p, "bgp.route_refresh.reserved", FIELD_UINT, o + 2, 1, 0, NULL);
	bgp_number(p, "bgp.route_refresh.safi", FIELD_ENUM, o + 3, 1, FIELD_KEY, bgp_safis);
	return 0;
}

/* Is length right for a message of type (RFC 4271 4.2 to 4.5, RFC 2918 3)? The reason if not. */
static const char *bgp_length_wrong(uint8_t type, size_t length)
{
	switch (type) {
	case BGP_OPEN: return length < BGP_OPEN_MIN ? "OPEN shorter than 29 bytes" : NULL;
	case BGP_UPDATE: return length < BGP_UPDATE_MIN ? "UPDATE shorter than 23 bytes" : NULL;
	case BGP_NOTIFICATION:
		return length < BGP_NOTIFICATION_MIN ? "NOTIFICATION shorter than 21 bytes" : NULL;
	case BGP_KEEPALIVE:
		return length != BGP_HEADER_LENGTH ? "KEEPALIVE length is not 19" : NULL;
	case BGP_ROUTE_REFRESH:
		return length != BGP_ROUTE_REFRESH_LENGTH ? "ROUTE-REFRESH length is not 23" : NULL;
	default: return "type is not 1 to 5";
	}
}

/* Declare one message at the cursor as a layer of its own, and close it. */
static int bgp_declare(struct packet *p, struct cursor *c)
{
	size_t avail = cursor_remaining(c);
	if (avail < BGP_HEADER_LENGTH)
		return cursor_fail_value(c, "shorter than the 19-byte BGP header", avail);
	const uint8_t *h = c->p + c->offset;
	for (size_t i = 0; i < BGP_MARKER_LENGTH; i++) {
		if (h[i] != 0xff)
			return cursor_fail_at(c, cursor_position(c) + i,
					      "marker is not all ones (RFC 4271 4.1)", h[i], true);
	}
	size_t length = (size_t)h[16] << 8 | h[17];
	uint8_t type = h[18];
	if (length < BGP_HEADER_LENGTH)
		return cursor_fail_at(c, cursor_position(c) + 16, "length is under 19", length,
				      true);
	if (length > BGP_MESSAGE_MAX)
		return cursor_fail_at(c, cursor_position(c) + 16, "length is over 4096", length,
				      true);
	if (length > avail)
		return cursor_fail_at(c, cursor_position(c) + 16,
				      "length passes the end of the data", length, true);
	const char *wrong = bgp_length_wrong(type, length);
	if (wrong)
		return cursor_fail_at(c, cursor_position(c) + (type >= 1 && type <= 5 ? 16 : 18),
				      wrong, type >= 1 && type <= 5 ? length : type, true);

	int layer = packet_layer_begin(p, &bgp_layer, "bgp");
	if (layer == PACKET_NONE)
		return DL_ENOMEM;
	int element = p->layers[layer].element;
	uint32_t o;
	int rc = proto_take(p, c, BGP_HEADER_LENGTH, &o);
	if (rc < 0)
		return rc;
	bgp_bytes(p, "bgp.marker", FIELD_BYTES, o, BGP_MARKER_LENGTH, 0);
	int l = bgp_number(p, "bgp.length", FIELD_LENGTH, o + 16, 2, 0, NULL);
	packet_relate(p, l, element, 1, 0);
	bgp_number(p, "bgp.type", FIELD_ENUM, o + 18, 1, FIELD_KEY, bgp_types);
	struct cursor body;
	if (cursor_sub(c, length - BGP_HEADER_LENGTH, &body) < 0)
		return DL_EPROTO;
	switch (type) {
	case BGP_OPEN: rc = bgp_open(p, &body); break;
	case BGP_UPDATE: rc = bgp_update(p, &body); break;
	case BGP_NOTIFICATION: rc = bgp_notification(p, &body); break;
	case BGP_ROUTE_REFRESH: rc = bgp_route_refresh(p, &body); break;
	default: rc = 0; break; /* KEEPALIVE: the header alone */
	}
	if (rc < 0)
		return rc;
	packet_element_end(p, element); /* the next message is a sibling */
	return p->overflow ? DL_ENOMEM : 0;
}

/* The builders' message, written byte by byte; full once past 4096 bytes. */
struct bgp_writer {
	uint8_t bytes[BGP_MESSAGE_MAX];
	size_t length;
	bool full;
	uint8_t scratch[BGP_MARKER_LENGTH]; /* where a write past the end goes, to be dropped */
};

/* Room for n bytes (at most 16: a marker or an IPv6 prefix). */
static uint8_t *bgp_put(struct bgp_writer *w, size_t n)
{
	if (n > sizeof(w->bytes) - w->length || n > sizeof(w->scratch)) {
		w->full = true;
		return w->scratch;
	}
	uint8_t *b = w->bytes + w->length;
	w->length += n;
	return b;
}

static void bgp_put8(struct bgp_writer *w, uint8_t v)
{
	*bgp_put(w, 1) = v;
}

static void bgp_put16(struct bgp_writer *w, uint16_t v)
{
	uint8_t *b = bgp_put(w, 2);
	b[0] = (uint8_t)(v >> 8);
	b[1] = (uint8_t)v;
}

static void bgp_put32(struct bgp_writer *w, uint32_t v)
{
	uint8_t *b = bgp_put(w, 4);
	for (int i = 0; i < 4; i++)
		b[i] = (uint8_t)(v >> (24 - 8 * i));
}

static void bgp_put_bytes(struct bgp_writer *w, const void *data, size_t n)
{
	if (n == 0)
		return;
	if (n > sizeof(w->bytes) - w->length) {
		w->full = true;
		return;
	}
	memcpy(w->bytes + w->length, data, n);
	w->length += n;
}

/* The header of a message of type; bgp_write_end() sets its length. */
static void bgp_write_begin(struct bgp_writer *w, uint8_t type)
{
	w->length = 0;
	w->full = false;
	memset(bgp_put(w, BGP_MARKER_LENGTH), 0xff, BGP_MARKER_LENGTH);
	bgp_put16(w, 0);
	bgp_put8(w, type);
}

/* Declare the written message into p. */
static int bgp_write_end(struct packet *p, struct bgp_writer *w)
{
	if (w->full) {
		p->overflow = true;
		return DL_EINVAL;
	}
	w->bytes[16] = (uint8_t)(w->length >> 8);
	w->bytes[17] = (uint8_t)w->length;
	struct cursor c;
	cursor_init(&c, w->bytes, w->length);
	int rc = bgp_declare(p, &c);
	if (rc < 0 || p->overflow) {
		p->overflow = true;
		return rc == DL_EPROTO ? DL_EINVAL : DL_ENOMEM;
	}
	return 0;
}

/* A one-byte length at offset at, of what was written after it. */
static void bgp_put_length8(struct bgp_writer *w, size_t at)
{
	size_t n = w->length - at - 1;
	if (n > 255)
		w->full = true;
	w->bytes[at] = (uint8_t)n;
}

static void bgp_put_length16(struct bgp_writer *w, size_t at)
{
	size_t n = w->length - at - 2;
	w->bytes[at] = (uint8_t)(n >> 8);
	w->bytes[at + 1] = (uint8_t)n;
}

int bgp_build_open(struct packet *p, const struct bgp_open_fields *f)
{
	struct bgp_writer w;
	uint32_t as = f->my_as ? f->my_as : 65001;
	uint8_t caps = f->capabilities ? f->capabilities : BGP_OPEN_CAP_DEFAULT;
	if (as > 0xffff)
		caps = (uint8_t)((caps & ~BGP_OPEN_CAP_NONE) | BGP_OPEN_CAP_AS4);
	struct in_addr id = f->identifier;
	if (id.s_addr == 0)
		id.s_addr = htonl(0xc6120001); /* 198.18.0.1 */
	bgp_write_begin(&w, BGP_OPEN);
	bgp_put8(&w, BGP_VERSION);
	bgp_put16(&w, (uint16_t)(as > 0xffff ? BGP_AS_TRANS : as));
	bgp_put16(&w, f->hold_time ? f->hold_time : 90);
	bgp_put_bytes(&w, &id, 4);
	size_t parameters = w.length;
	bgp_put8(&w, 0);
	if (!(caps & BGP_OPEN_CAP_NONE)) {
		bgp_put8(&w, BGP_PARAMETER_CAPABILITIES);
		size_t parameter = w.length;
		bgp_put8(&w, 0);
		for (uint16_t afi = BGP_AFI_IPV4; afi <= BGP_AFI_IPV6; afi++) {
			if (!(caps & (afi == BGP_AFI_IPV4 ? BGP_OPEN_CAP_IPV4_UNICAST
							  : BGP_OPEN_CAP_IPV6_UNICAST)))
				continue;
			bgp_put8(&w, BGP_CAP_MULTIPROTOCOL);
			bgp_put8(&w, 4);
			bgp_put16(&w, afi);
			bgp_put8(&w, 0);
			bgp_put8(&w, BGP_SAFI_UNICAST);
		}
		if (caps & BGP_OPEN_CAP_ROUTE_REFRESH) {
			bgp_put8(&w, BGP_CAP_ROUTE_REFRESH);
			bgp_put8(&w, 0);
		}
		if (caps & BGP_OPEN_CAP_AS4) {
			bgp_put8(&w, BGP_CAP_AS4);
			bgp_put8(&w, 4);
			bgp_put32(&w, as);
		}
		if (caps & BGP_OPEN_CAP_ADD_PATH) {
			bgp_put8(&w, BGP_CAP_ADD_PATH);
			bgp_put8(&w, 4);
			bgp_put16(&w, BGP_AFI_IPV4);
			bgp_put8(&w, BGP_SAFI_UNICAST);
			bgp_put8(&w, 3); /* send and receive */
		}
		if (caps & BGP_OPEN_CAP_ENHANCED_REFRESH) {
			bgp_put8(&w, BGP_CAP_ENHANCED_ROUTE_REFRESH);
			bgp_put8(&w, 0);
		}
		bgp_put_length8(&w, parameter);
	}
	bgp_put_length8(&w, parameters);
	return bgp_write_end(p, &w);
}

/* A prefix (RFC 4271 4.3): its length in bits, then the fewest bytes, the bits past it 0. */
static void bgp_put_prefix(struct bgp_writer *w, const uint8_t *address, uint8_t bits)
{
	size_t bytes = (bits + 7u) / 8u;
	bgp_put8(w, bits);
	uint8_t *b = bgp_put(w, bytes);
	if (w->full)
		return;
	memcpy(b, address, bytes);
	if (bits % 8)
		b[bytes - 1] &= (uint8_t)(0xff00u >> (bits % 8));
}

/* Start an attribute with a 2-byte length; bgp_attribute_end() shortens it to one byte when the
 * value fits (RFC 4271 4.3: the extended length flag only when needed). */
static size_t bgp_attribute_begin(struct bgp_writer *w, uint8_t flags, uint8_t type)
{
	size_t start = w->length;
	bgp_put8(w, flags | BGP_ATTR_FLAG_EXTENDED);
	bgp_put8(w, type);
	bgp_put16(w, 0);
	return start;
}

static void bgp_attribute_end(struct bgp_writer *w, size_t start)
{
	if (w->full)
		return;
	size_t n = w->length - start - 4;
	if (n > 255) {
		bgp_put_length16(w, start + 2);
		return;
	}
	memmove(w->bytes + start + 3, w->bytes + start + 4, n);
	w->length--;
	w->bytes[start] &= (uint8_t)~BGP_ATTR_FLAG_EXTENDED;
	w->bytes[start + 2] = (uint8_t)n;
}

static bool bgp_update_valid(const struct bgp_update_fields *f)
{
	if (f->withdrawn_count > BGP_UPDATE_PREFIXES_MAX ||
	    f->nlri_count > BGP_UPDATE_PREFIXES_MAX || f->nlri6_count > BGP_UPDATE_PREFIXES_MAX ||
	    f->withdrawn6_count > BGP_UPDATE_PREFIXES_MAX || f->as_path_count > BGP_AS_PATH_MAX ||
	    f->community_count > BGP_COMMUNITIES_MAX)
		return false;
	if ((f->withdrawn_count && !f->withdrawn) || (f->nlri_count && !f->nlri) ||
	    (f->nlri6_count && !f->nlri6) || (f->withdrawn6_count && !f->withdrawn6) ||
	    (f->as_path_count && !f->as_path) || (f->community_count && !f->communities))
		return false;
	for (size_t i = 0; i < f->withdrawn_count; i++)
		if (f->withdrawn[i].length > 32)
			return false;
	for (size_t i = 0; i < f->nlri_count; i++)
		if (f->nlri[i].length > 32)
			return false;
	for (size_t i = 0; i < f->nlri6_count; i++)
		if (f->nlri6[i].length > 128)
			return false;
	for (size_t i = 0; i < f->withdrawn6_count; i++)
		if (f->withdrawn6[i].length > 128)
			return false;
	return true;
}

static void bgp_put_attributes(struct bgp_writer *w, const struct bgp_update_fields *f)
{
	size_t a;
	if (f->nlri_count || f->nlri6_count) {
		a = bgp_attribute_begin(w, BGP_ATTR_FLAG_TRANSITIVE, BGP_ATTR_ORIGIN);
		bgp_put8(w, f->origin);
		bgp_attribute_end(w, a);
		a = bgp_attribute_begin(w, BGP_ATTR_FLAG_TRANSITIVE, BGP_ATTR_AS_PATH);
		if (f->as_path_count) {
			bgp_put8(w, BGP_AS_SEQUENCE);
			bgp_put8(w, (uint8_t)f->as_path_count);
			for (size_t i = 0; i < f->as_path_count; i++)
				bgp_put32(w, f->as_path[i]);
		}
		bgp_attribute_end(w, a);
		if (f->nlri_count) {
			a = bgp_attribute_begin(w, BGP_ATTR_FLAG_TRANSITIVE, BGP_ATTR_NEXT_HOP);
			bgp_put_bytes(w, &f->next_hop, 4);
			bgp_attribute_end(w, a);
		}
		if (f->attributes & BGP_UPDATE_MED) {
			a = bgp_attribute_begin(w, BGP_ATTR_FLAG_OPTIONAL,
						BGP_ATTR_MULTI_EXIT_DISC);
			bgp_put32(w, f->med);
			bgp_attribute_end(w, a);
		}
		if (f->attributes & BGP_UPDATE_LOCAL_PREF) {
			a = bgp_attribute_begin(w, BGP_ATTR_FLAG_TRANSITIVE, BGP_ATTR_LOCAL_PREF);
			bgp_put32(w, f->local_pref);
			bgp_attribute_end(w, a);
		}
		if (f->attributes & BGP_UPDATE_ATOMIC_AGGREGATE) {
			a = bgp_attribute_begin(w, BGP_ATTR_FLAG_TRANSITIVE,
						BGP_ATTR_ATOMIC_AGGREGATE);
			bgp_attribute_end(w, a);
		}
		if (f->attributes & BGP_UPDATE_AGGREGATOR) {
			a = bgp_attribute_begin(w,
						BGP_ATTR_FLAG_OPTIONAL | BGP_ATTR_FLAG_TRANSITIVE,
						BGP_ATTR_AGGREGATOR);
			bgp_put32(w, f->aggregator_as);
			bgp_put_bytes(w, &f->aggregator, 4);
			bgp_attribute_end(w, a);
		}
		if (f->community_count) {
			a = bgp_attribute_begin(w,
						BGP_ATTR_FLAG_OPTIONAL | BGP_ATTR_FLAG_TRANSITIVE,
						BGP_ATTR_COMMUNITIES);
			for (size_t i = 0; i < f->community_count; i++)
				bgp_put32(w, f->communities[i]);
			bgp_attribute_end(w, a);
		}
	}
	if (f->nlri6_count) {
		a = bgp_attribute_begin(w, BGP_ATTR_FLAG_OPTIONAL, BGP_ATTR_MP_REACH_NLRI);
		bgp_put16(w, BGP_AFI_IPV6);
		bgp_put8(w, BGP_SAFI_UNICAST);
		bgp_put8(w, 16);
		bgp_put_bytes(w, &f->next_hop6, 16);
		bgp_put8(w, 0);
		for (size_t i = 0; i < f->nlri6_count; i++)
			bgp_put_prefix(w, f->nlri6[i].address.s6_addr, f->nlri6[i].length);
		bgp_attribute_end(w, a);
	}
	if (f->withdrawn6_count) {
		a = bgp_attribute_begin(w, BGP_ATTR_FLAG_OPTIONAL, BGP_ATTR_MP_UNREACH_NLRI);
		bgp_put16(w, BGP_AFI_IPV6);
		bgp_put8(w, BGP_SAFI_UNICAST);
		for (size_t i = 0; i < f->withdrawn6_count; i++)
			bgp_put_prefix(w, f->withdrawn6[i].address.s6_addr,
				       f->withdrawn6[i].length);
		bgp_attribute_end(w, a);
	}
}

int bgp_build_update(struct packet *p, const struct bgp_update_fields *f)
{
	struct bgp_writer w;
	if (!bgp_update_valid(f)) {
		p->overflow = true;
		return DL_EINVAL;
	}
	bgp_write_begin(&w, BGP_UPDATE);
	size_t withdrawn = w.length;
	bgp_put16(&w, 0);
	for (size_t i = 0; i < f->withdrawn_count; i++)
		bgp_put_prefix(&w, (const uint8_t *)&f->withdrawn[i].address,
			       f->withdrawn[i].length);
	if (!w.full)
		bgp_put_length16(&w, withdrawn);
	size_t attributes = w.length;
	bgp_put16(&w, 0);
	bgp_put_attributes(&w, f);
	if (!w.full)
		bgp_put_length16(&w, attributes);
	for (size_t i = 0; i < f->nlri_count; i++)
		bgp_put_prefix(&w, (const uint8_t *)&f->nlri[i].address, f->nlri[i].length);
	return bgp_write_end(p, &w);
}

int bgp_build_keepalive(struct packet *p)
{
	struct bgp_writer w;
	bgp_write_begin(&w, BGP_KEEPALIVE);
	return bgp_write_end(p, &w);
}

int bgp_build_notification(struct packet *p, uint8_t code, uint8_t subcode, const uint8_t *data,
			   size_t data_length)
{
	struct bgp_writer w;
	if (data_length && !data) {
		p->overflow = true;
		return DL_EINVAL;
	}
	bgp_write_begin(&w, BGP_NOTIFICATION);
	bgp_put8(&w, code);
	bgp_put8(&w, subcode);
	bgp_put_bytes(&w, data, data_length);
	return bgp_write_end(p, &w);
}

int bgp_build_route_refresh(struct packet *p, uint16_t afi, uint8_t safi)
{
	return bgp_build_route_refresh_subtype(p, afi, safi, BGP_REFRESH_REQUEST);
}

int bgp_build_route_refresh_subtype(struct packet *p, uint16_t afi, uint8_t safi, uint8_t subtype)
{
	struct bgp_writer w;
	bgp_write_begin(&w, BGP_ROUTE_REFRESH);
	bgp_put16(&w, afi ? afi : BGP_AFI_IPV4);
	bgp_put8(&w, subtype);
	bgp_put8(&w, safi ? safi : BGP_SAFI_UNICAST);
	return bgp_write_end(p, &w);
}

/* One message; when more bytes follow in the segment, the next message is parsed as
 * another layer (several messages in one segment are normal, RFC 4271 4.1). */
static int bgp_parse(struct packet *p, struct cursor *c, struct layer_parse_result *next)
{
	next->next = LAYER_NEXT_NONE;
	next->value = 0;
	int rc = bgp_declare(p, c);
	if (rc < 0)
		return rc;
	if (!cursor_at_end(c)) {
		next->next = LAYER_NEXT_TCP_PORT;
		next->value = BGP_PORT;
	}
	return 0;
}

const struct proto_layer bgp_layer = {
	.name = "bgp",
	.title = "BGP-4 (RFC 4271) with multiprotocol (RFC 4760), 4-octet AS (RFC 6793), "
		 "route refresh (RFC 2918, enhanced RFC 7313) and ADD-PATH (RFC 7911) "
		 "capabilities",
	.fixup = NULL,
	.parse = bgp_parse,
};
