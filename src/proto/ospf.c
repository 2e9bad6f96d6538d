/* ospf: OSPFv2 (RFC 2328) packet build, parse and field schema, with RFC 2328 D.3 keyed MD5 */
#include "core/compat.h"

#include <openssl/evp.h>

#include "core/error.h"
#include "proto/cursor.h"
#include "proto/keys.h"
#include "proto/layer.h"
#include "proto/ospf.h"
#include "proto/packet.h"

/*
 * The builder serialises a packet into a buffer and declares it through the
 * parser's walker (ospf_declare()), so a built packet and the same bytes
 * parsed back have one schema by construction (as rip.c and bgp.c do).
 */

#define OSPF_SLOT_CHECKSUM 0 /* ospf.checksum */
#define OSPF_SLOT_DIGEST 1   /* ospf.trailer.digest, or PACKET_NONE */
#define OSPF_SLOT_KEY 2      /* the key's index (proto/keys.h), or PACKET_NONE (parsed) */
#define OSPF_SLOT_AUTH 3     /* ospf.auth_type */
#define OSPF_SLOT_LENGTH 4   /* ospf.packet_length */
#define OSPF_TRAILER_MAX 255 /* the data length is one byte */
#define OSPF_HELLO_LENGTH 20
#define OSPF_DD_LENGTH 8
#define OSPF_LSR_LENGTH 12

static const struct field_value ospf_versions[] = {{2, "OSPFv2"}, {3, "OSPFv3"}, {0, NULL}};

static const struct field_value ospf_types[] = {
	{OSPF_HELLO, "hello"},
	{OSPF_DD, "database description"},
	{OSPF_LSR, "link state request"},
	{OSPF_LSU, "link state update"},
	{OSPF_LSACK, "link state acknowledgment"},
	{0, NULL},
};

static const struct field_value ospf_auth_types[] = {
	{OSPF_AUTH_NONE, "null"},
	{OSPF_AUTH_SIMPLE, "simple password"},
	{OSPF_AUTH_CRYPTO, "cryptographic"},
	{0, NULL},
};

static const struct field_value ospf_lsa_types[] = {
	{OSPF_LSA_ROUTER, "router"},
	{OSPF_LSA_NETWORK, "network"},
	{OSPF_LSA_SUMMARY, "summary (network)"},
	{OSPF_LSA_SUMMARY_ASBR, "summary (ASBR)"},
	{OSPF_LSA_EXTERNAL, "AS-external"},
	{OSPF_LSA_NSSA, "NSSA external"},
	{0, NULL},
};

static const struct field_value ospf_link_types[] = {
	{OSPF_LINK_PTP, "point-to-point"},
	{OSPF_LINK_TRANSIT, "transit network"},
	{OSPF_LINK_STUB, "stub network"},
	{OSPF_LINK_VIRTUAL, "virtual link"},
	{0, NULL},
};

_Static_assert(OSPF_KEY_LENGTH == PROTO_KEY_LENGTH, "the keys table holds OSPF's keys");

static int ospf_md5(const uint8_t *packet, size_t length, const uint8_t key[OSPF_KEY_LENGTH],
		    uint8_t digest[OSPF_DIGEST_LENGTH])
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned int n = 0;
	bool ok = ctx && EVP_DigestInit_ex(ctx, EVP_md5(), NULL) == 1 &&
		  EVP_DigestUpdate(ctx, packet, length) == 1 &&
		  EVP_DigestUpdate(ctx, key, OSPF_KEY_LENGTH) == 1 &&
		  EVP_DigestFinal_ex(ctx, digest, &n) == 1 && n == OSPF_DIGEST_LENGTH;
	EVP_MD_CTX_free(ctx);
	return ok ? 0 : DL_EINVAL;
}

int ospf_md5_digest(const uint8_t *packet, size_t length, const char *key,
		    uint8_t digest[OSPF_DIGEST_LENGTH], struct dl_error *err)
{
	uint8_t padded[OSPF_KEY_LENGTH] = {0};
	size_t key_length = key ? strlen(key) : 0;
	if (!key || key_length > OSPF_KEY_LENGTH)
		return dl_error_set(err, DL_EINVAL,
				    "ospf: an MD5 key must be given and at most 16 bytes (RFC 2328 "
				    "D.3), not %zu",
				    key_length);
	memcpy(padded, key, key_length);
	if (ospf_md5(packet, length, padded, digest) < 0)
		return dl_error_set(err, DL_EINVAL,
				    "ospf: OpenSSL could not compute MD5 (is the default provider "
				    "loaded?)");
	return 0;
}

uint16_t ospf_lsa_checksum(const uint8_t *lsa, size_t length)
{
	/* ISO 8473 annex C over bytes 2..length-1 with the checksum (at 16) as zero; the two
	 * check bytes make both running sums zero (RFC 905 annex B) */
	if (length < OSPF_LSA_HEADER_LENGTH)
		return 0;
	int32_t c0 = 0, c1 = 0;
	for (size_t i = 2; i < length; i++) {
		uint8_t b = (i == 16 || i == 17) ? 0 : lsa[i];
		c0 = (c0 + b) % 255;
		c1 = (c1 + c0) % 255;
	}
	int32_t position = 16 - 2 + 1; /* the first check byte's place, from 1 */
	int32_t n = (int32_t)(length - 2);
	int32_t x = (int32_t)(((int64_t)(n - position) * c0 - c1) % 255);
	if (x <= 0)
		x += 255;
	int32_t y = 510 - c0 - x;
	if (y > 255)
		y -= 255;
	return (uint16_t)((x & 0xff) << 8 | (y & 0xff));
}

/* A numeric field over bytes already taken, with its defined values when an enum. */
static int ospf_number(struct packet *p, const char *name, enum field_kind kind, uint32_t at,
		       uint32_t size, uint8_t flags, const struct field_value *values)
{
	int f = packet_field_present(p, name, kind, at, size, flags);
	if (values)
		packet_values(p, f, values);
	return f;
}

static int ospf_bytes(struct packet *p, const char *name, enum field_kind kind, uint32_t at,
		      uint32_t size, uint8_t flags)
{
	return packet_field_bytes(p, name, kind, at, p->bytes + at, size, flags);
}

static uint32_t ospf_be(const uint8_t *b, size_t n)
{
	uint32_t v = 0;
	for (size_t i = 0; i < n; i++)
		v = v << 8 | b[i];
	return v;
}

/* Take n bytes of the cursor into the packet; *o where they are. */
static int ospf_take(struct packet *p, struct cursor *c, size_t n, uint32_t *o)
{
	return proto_take(p, c, n, o);
}

/* The 20-byte LSA header at o (taken); whole: an LSU's LSA (checksum and length derived). */
static void ospf_lsa_header(struct packet *p, uint32_t o, int element, bool whole)
{
	ospf_number(p, "ospf.lsa.age", FIELD_UINT, o, 2, 0, NULL);
	ospf_number(p, "ospf.lsa.options", FIELD_FLAGS, o + 2, 1, 0, NULL);
	ospf_number(p, "ospf.lsa.type", FIELD_ENUM, o + 3, 1, FIELD_KEY, ospf_lsa_types);
	ospf_bytes(p, "ospf.lsa.id", FIELD_ADDRESS, o + 4, 4, FIELD_KEY);
	ospf_bytes(p, "ospf.lsa.advertising_router", FIELD_ADDRESS, o + 8, 4, FIELD_KEY);
	ospf_number(p, "ospf.lsa.sequence", FIELD_IDENTIFIER, o + 12, 4, 0, NULL);
	int sum = ospf_number(p, "ospf.lsa.checksum", whole ? FIELD_CHECKSUM : FIELD_UINT, o + 16,
			      2, 0, NULL);
	int length = ospf_number(p, "ospf.lsa.length", whole ? FIELD_LENGTH : FIELD_UINT, o + 18, 2,
				 0, NULL);
	if (whole) {
		packet_relate(p, sum, element, 1, 0);
		packet_relate(p, length, element, 1, 0);
	}
}

/* A list of LSA headers (DD, LSAck): the rest of the cursor, 20 bytes each (checked). */
static int ospf_lsa_headers(struct packet *p, struct cursor *c, const char *list_name)
{
	size_t n = cursor_remaining(c) / OSPF_LSA_HEADER_LENGTH;
	if (n > OSPF_LSAS_MAX)
		return cursor_fail_value(c, "more LSA headers than dutlab models", n);
	int list = packet_element_begin(p, list_name, FIELD_LIST, 0);
	for (size_t i = 0; i < n; i++) {
		int e = packet_element_begin(p, "ospf.lsa", FIELD_ELEMENT, FIELD_REPEATABLE);
		uint32_t o;
		int rc = ospf_take(p, c, OSPF_LSA_HEADER_LENGTH, &o);
		if (rc < 0)
			return rc;
		ospf_lsa_header(p, o, e, false);
		packet_element_end(p, e);
	}
	packet_element_end(p, list);
	return 0;
}

/* TOS entries of size each at the end of an LSA body: a BYTES field, when any. */
static int ospf_tos(struct packet *p, struct cursor *c, size_t n, const char *name, int *field)
{
	*field = PACKET_NONE;
	if (n == 0)
		return 0;
	uint32_t o;
	int rc = ospf_take(p, c, n, &o);
	if (rc < 0)
		return rc;
	*field = ospf_bytes(p, name, FIELD_BYTES, o, (uint32_t)n, 0);
	return 0;
}

static int ospf_router_lsa(struct packet *p, struct cursor *c)
{
	size_t avail = cursor_remaining(c);
	const uint8_t *b = c->p + c->offset;
	if (avail < 4)
		return cursor_fail_value(c, "router LSA body shorter than 4 bytes", avail);
	size_t links = ospf_be(b + 2, 2), at = 4;
	for (size_t i = 0; i < links; i++) {
		if (at + 12 > avail)
			return cursor_fail_value(c, "router LSA links pass the LSA's length",
						 links);
		size_t tos = b[at + 9];
		at += 12 + 4 * tos;
		if (at > avail)
			return cursor_fail_value(c, "router LSA TOS metrics pass the LSA's length",
						 tos);
	}
	if (at != avail)
		return cursor_fail_value(c, "router LSA links do not fill the LSA", avail - at);
	uint32_t o;
	int rc = ospf_take(p, c, 4, &o);
	if (rc < 0)
		return rc;
	ospf_number(p, "ospf.router.flags", FIELD_FLAGS, o, 1, 0, NULL);
	ospf_number(p, "ospf.router.zero", FIELD_UINT, o + 1, 1, 0, NULL);
	int count = ospf_number(p, "ospf.router.link_count", FIELD_COUNT, o + 2, 2, 0, NULL);
	int list = packet_element_begin(p, "ospf.router.links", FIELD_LIST, 0);
	packet_relate(p, count, list, 1, 0);
	for (size_t i = 0; i < links && rc == 0; i++) {
		int e = packet_element_begin(p, "ospf.router.link", FIELD_ELEMENT,
					     FIELD_REPEATABLE);
		rc = ospf_take(p, c, 12, &o);
		if (rc < 0)
			return rc;
		ospf_bytes(p, "ospf.router.link.id", FIELD_ADDRESS, o, 4, FIELD_KEY);
		ospf_bytes(p, "ospf.router.link.data", FIELD_ADDRESS, o + 4, 4, 0);
		ospf_number(p, "ospf.router.link.type", FIELD_ENUM, o + 8, 1, FIELD_KEY,
			    ospf_link_types);
		size_t tos = p->bytes[o + 9];
		int tos_count = ospf_number(p, "ospf.router.link.tos_count",
					    tos ? FIELD_LENGTH : FIELD_UINT, o + 9, 1, 0, NULL);
		ospf_number(p, "ospf.router.link.metric", FIELD_UINT, o + 10, 2, FIELD_KEY, NULL);
		int metrics;
		rc = ospf_tos(p, c, 4 * tos, "ospf.router.link.tos", &metrics);
		if (metrics != PACKET_NONE)
			packet_relate(p, tos_count, metrics, 4, 0);
		packet_element_end(p, e);
	}
	packet_element_end(p, list);
	return rc;
}

static int ospf_network_lsa(struct packet *p, struct cursor *c)
{
	size_t avail = cursor_remaining(c);
	if (avail < 4 || avail % 4)
		return cursor_fail_value(c, "network LSA body is not a mask and 4-byte router ids",
					 avail);
	uint32_t o;
	int rc = ospf_take(p, c, 4, &o);
	if (rc < 0)
		return rc;
	ospf_bytes(p, "ospf.network.mask", FIELD_ADDRESS, o, 4, FIELD_KEY);
	int list = packet_element_begin(p, "ospf.network.routers", FIELD_LIST, 0);
	for (size_t i = 0; i < (avail - 4) / 4 && rc == 0; i++) {
		int e = packet_element_begin(p, "ospf.network.router", FIELD_ELEMENT,
					     FIELD_REPEATABLE);
		rc = ospf_take(p, c, 4, &o);
		if (rc == 0)
			ospf_bytes(p, "ospf.network.router.id", FIELD_ADDRESS, o, 4, 0);
		packet_element_end(p, e);
	}
	packet_element_end(p, list);
	return rc;
}

static int ospf_summary_lsa(struct packet *p, struct cursor *c)
{
	size_t avail = cursor_remaining(c);
	if (avail < 8 || avail % 4)
		return cursor_fail_value(
			c, "summary LSA body is not 8 bytes and 4-byte TOS metrics", avail);
	uint32_t o;
	int rc = ospf_take(p, c, 8, &o);
	if (rc < 0)
		return rc;
	ospf_bytes(p, "ospf.summary.mask", FIELD_ADDRESS, o, 4, FIELD_KEY);
	ospf_number(p, "ospf.summary.zero", FIELD_UINT, o + 4, 1, 0, NULL);
	ospf_number(p, "ospf.summary.metric", FIELD_UINT, o + 5, 3, FIELD_KEY, NULL);
	int tos;
	return ospf_tos(p, c, avail - 8, "ospf.summary.tos", &tos);
}

/* AS-external (5) and NSSA (7): one layout (RFC 3101 2.3), two sets of names. */
struct ospf_external_names {
	const char *mask, *flags, *metric, *forwarding, *tag, *tos;
};

static const struct ospf_external_names ospf_external_names = {
	"ospf.external.mask",       "ospf.external.flags", "ospf.external.metric",
	"ospf.external.forwarding", "ospf.external.tag",   "ospf.external.tos",
};

static const struct ospf_external_names ospf_nssa_names = {
	"ospf.nssa.mask",       "ospf.nssa.flags", "ospf.nssa.metric",
	"ospf.nssa.forwarding", "ospf.nssa.tag",   "ospf.nssa.tos",
};

static int ospf_external_lsa(struct packet *p, struct cursor *c,
			     const struct ospf_external_names *n)
{
	size_t avail = cursor_remaining(c);
	if (avail < 16 || (avail - 16) % 12)
		return cursor_fail_value(c,
					 "external LSA body is not 16 bytes and 12-byte TOS "
					 "entries",
					 avail);
	uint32_t o;
	int rc = ospf_take(p, c, 16, &o);
	if (rc < 0)
		return rc;
	ospf_bytes(p, n->mask, FIELD_ADDRESS, o, 4, FIELD_KEY);
	ospf_number(p, n->flags, FIELD_FLAGS, o + 4, 1, 0, NULL);
	ospf_number(p, n->metric, FIELD_UINT, o + 5, 3, FIELD_KEY, NULL);
	ospf_bytes(p, n->forwarding, FIELD_ADDRESS, o + 8, 4, 0);
	ospf_number(p, n->tag, FIELD_UINT, o + 12, 4, 0, NULL);
	int tos;
	return ospf_tos(p, c, avail - 16, n->tos, &tos);
}

/* The LSAs of an LSU: count of them, each whole; the rest of the cursor. */
static int ospf_lsu(struct packet *p, struct cursor *c)
{
	size_t avail = cursor_remaining(c);
	const uint8_t *b = c->p + c->offset;
	if (avail < 4)
		return cursor_fail_value(c, "link state update shorter than its 4-byte count",
					 avail);
	uint32_t count = ospf_be(b, 4);
	size_t at = 4, found = 0;
	while (at < avail && found <= OSPF_LSAS_MAX) {
		if (avail - at < OSPF_LSA_HEADER_LENGTH)
			return cursor_fail_value(c, "LSA header cut short by the packet length",
						 avail - at);
		size_t length = ospf_be(b + at + 18, 2);
		if (length < OSPF_LSA_HEADER_LENGTH || length > avail - at)
			return cursor_fail_at(c, cursor_position(c) + at + 18,
					      "LSA length is under 20 or past the packet", length,
					      true);
		at += length;
		found++;
	}
	if (found > OSPF_LSAS_MAX)
		return cursor_fail_value(c, "more LSAs than dutlab models", found);
	if (count != found)
		return cursor_fail_value(c, "LSA count is not the number of LSAs the update holds",
					 count);
	uint32_t o;
	int rc = ospf_take(p, c, 4, &o);
	if (rc < 0)
		return rc;
	int n = ospf_number(p, "ospf.lsu.count", FIELD_COUNT, o, 4, 0, NULL);
	int list = packet_element_begin(p, "ospf.lsu.lsas", FIELD_LIST, 0);
	packet_relate(p, n, list, 1, 0);
	for (size_t i = 0; i < found; i++) {
		size_t length = ospf_be(c->p + c->offset + 18, 2);
		uint8_t type = c->p[c->offset + 3];
		struct cursor body;
		int e = packet_element_begin(p, "ospf.lsa", FIELD_ELEMENT, FIELD_REPEATABLE);
		rc = ospf_take(p, c, OSPF_LSA_HEADER_LENGTH, &o);
		if (rc < 0)
			return rc;
		ospf_lsa_header(p, o, e, true);
		rc = cursor_sub(c, length - OSPF_LSA_HEADER_LENGTH, &body);
		if (rc < 0)
			return rc;
		switch (type) {
		case OSPF_LSA_ROUTER: rc = ospf_router_lsa(p, &body); break;
		case OSPF_LSA_NETWORK: rc = ospf_network_lsa(p, &body); break;
		case OSPF_LSA_SUMMARY:
		case OSPF_LSA_SUMMARY_ASBR: rc = ospf_summary_lsa(p, &body); break;
		case OSPF_LSA_EXTERNAL:
			rc = ospf_external_lsa(p, &body, &ospf_external_names);
			break;
		case OSPF_LSA_NSSA: rc = ospf_external_lsa(p, &body, &ospf_nssa_names); break;
		default: {
			int data;
			rc = ospf_tos(p, &body, cursor_remaining(&body), "ospf.lsa.data", &data);
			break;
		}
		}
		if (rc < 0)
			return rc;
		packet_element_end(p, e);
	}
	packet_element_end(p, list);
	return 0;
}

static int ospf_hello(struct packet *p, struct cursor *c)
{
	size_t avail = cursor_remaining(c);
	if (avail < OSPF_HELLO_LENGTH || (avail - OSPF_HELLO_LENGTH) % 4)
		return cursor_fail_value(c, "hello body is not 20 bytes and 4-byte neighbours",
					 avail);
	size_t n = (avail - OSPF_HELLO_LENGTH) / 4;
	if (n > OSPF_NEIGHBORS_MAX)
		return cursor_fail_value(c, "more hello neighbours than dutlab models", n);
	uint32_t o;
	int rc = ospf_take(p, c, OSPF_HELLO_LENGTH, &o);
	if (rc < 0)
		return rc;
	ospf_bytes(p, "ospf.hello.mask", FIELD_ADDRESS, o, 4, 0);
	ospf_number(p, "ospf.hello.interval", FIELD_UINT, o + 4, 2, FIELD_KEY, NULL);
	ospf_number(p, "ospf.hello.options", FIELD_FLAGS, o + 6, 1, 0, NULL);
	ospf_number(p, "ospf.hello.priority", FIELD_UINT, o + 7, 1, 0, NULL);
	ospf_number(p, "ospf.hello.dead_interval", FIELD_UINT, o + 8, 4, FIELD_KEY, NULL);
	ospf_bytes(p, "ospf.hello.dr", FIELD_ADDRESS, o + 12, 4, 0);
	ospf_bytes(p, "ospf.hello.bdr", FIELD_ADDRESS, o + 16, 4, 0);
	int list = packet_element_begin(p, "ospf.hello.neighbors", FIELD_LIST, 0);
	for (size_t i = 0; i < n && rc == 0; i++) {
		int e = packet_element_begin(p, "ospf.hello.neighbor", FIELD_ELEMENT,
					     FIELD_REPEATABLE);
		rc = ospf_take(p, c, 4, &o);
		if (rc == 0)
			ospf_bytes(p, "ospf.hello.neighbor.id", FIELD_ADDRESS, o, 4, FIELD_KEY);
		packet_element_end(p, e);
	}
	packet_element_end(p, list);
	return rc;
}

static int ospf_dd(struct packet *p, struct cursor *c)
{
	size_t avail = cursor_remaining(c);
	if (avail < OSPF_DD_LENGTH || (avail - OSPF_DD_LENGTH) % OSPF_LSA_HEADER_LENGTH)
		return cursor_fail_value(c,
					 "database description body is not 8 bytes and 20-byte "
					 "LSA headers",
					 avail);
	uint32_t o;
	int rc = ospf_take(p, c, OSPF_DD_LENGTH, &o);
	if (rc < 0)
		return rc;
	ospf_number(p, "ospf.dd.mtu", FIELD_UINT, o, 2, 0, NULL);
	ospf_number(p, "ospf.dd.options", FIELD_FLAGS, o + 2, 1, 0, NULL);
	ospf_number(p, "ospf.dd.flags", FIELD_FLAGS, o + 3, 1, FIELD_KEY, NULL);
	ospf_number(p, "ospf.dd.sequence", FIELD_IDENTIFIER, o + 4, 4, FIELD_KEY, NULL);
	return ospf_lsa_headers(p, c, "ospf.dd.lsas");
}

static int ospf_lsr(struct packet *p, struct cursor *c)
{
	size_t avail = cursor_remaining(c);
	if (avail % OSPF_LSR_LENGTH)
		return cursor_fail_value(c, "link state request body is not 12-byte entries",
					 avail);
	if (avail / OSPF_LSR_LENGTH > OSPF_LSAS_MAX)
		return cursor_fail_value(c, "more requests than dutlab models",
					 avail / OSPF_LSR_LENGTH);
	int list = packet_element_begin(p, "ospf.lsr.requests", FIELD_LIST, 0);
	int rc = 0;
	for (size_t i = 0; i < avail / OSPF_LSR_LENGTH && rc == 0; i++) {
		int e = packet_element_begin(p, "ospf.lsr.request", FIELD_ELEMENT,
					     FIELD_REPEATABLE);
		uint32_t o;
		rc = ospf_take(p, c, OSPF_LSR_LENGTH, &o);
		if (rc < 0)
			return rc;
		ospf_number(p, "ospf.lsr.request.type", FIELD_ENUM, o, 4, FIELD_KEY,
			    ospf_lsa_types);
		ospf_bytes(p, "ospf.lsr.request.id", FIELD_ADDRESS, o + 4, 4, FIELD_KEY);
		ospf_bytes(p, "ospf.lsr.request.advertising_router", FIELD_ADDRESS, o + 8, 4, 0);
		packet_element_end(p, e);
	}
	packet_element_end(p, list);
	return rc;
}

static int ospf_lsack(struct packet *p, struct cursor *c)
{
	size_t avail = cursor_remaining(c);
	if (avail % OSPF_LSA_HEADER_LENGTH)
		return cursor_fail_value(c, "acknowledgment body is not 20-byte LSA headers",
					 avail);
	return ospf_lsa_headers(p, c, "ospf.lsack.lsas");
}

/* OSPFv3 (RFC 5340, on IPv6) shares protocol 89: its bytes stay one field. */
static int ospf_v3(struct packet *p, struct cursor *c, int *layer_out)
{
	int layer = packet_layer_begin(p, &ospf_layer, "ospf");
	if (layer == PACKET_NONE)
		return DL_ENOMEM;
	for (int i = 0; i < 6; i++)
		p->layers[layer].slots[i] = PACKET_NONE;
	uint32_t o;
	size_t n = cursor_remaining(c);
	int rc = ospf_take(p, c, n, &o);
	if (rc < 0)
		return rc;
	ospf_number(p, "ospf.version", FIELD_ENUM, o, 1, FIELD_KEY, ospf_versions);
	ospf_bytes(p, "ospf.data", FIELD_BYTES, o + 1, (uint32_t)(n - 1), 0);
	packet_element_end(p, p->layers[layer].element);
	*layer_out = layer;
	return p->overflow ? DL_ENOMEM : 0;
}

/* Check the header and declare one packet, the whole of the cursor, as a layer of its own. */
static int ospf_declare(struct packet *p, struct cursor *c, int *layer_out)
{
	size_t avail = cursor_remaining(c);
	size_t base = cursor_position(c);
	const uint8_t *h = c->p + c->offset;
	if (avail < OSPF_HEADER_LENGTH)
		return cursor_fail_value(c, "shorter than the 24-byte OSPF header", avail);
	if (h[0] == 3)
		return ospf_v3(p, c, layer_out);
	if (h[0] != OSPF_VERSION)
		return cursor_fail_at(c, base, "version is not 2", h[0], true);
	if (h[1] < OSPF_HELLO || h[1] > OSPF_LSACK)
		return cursor_fail_at(c, base + 1, "type is not 1 to 5", h[1], true);
	size_t length = ospf_be(h + 2, 2);
	if (length < OSPF_HEADER_LENGTH || length > avail)
		return cursor_fail_at(c, base + 2, "packet length is under 24 or past the datagram",
				      length, true);
	unsigned auth = ospf_be(h + 14, 2);
	size_t trailer = avail - length;
	if (auth == OSPF_AUTH_CRYPTO && trailer != h[19])
		return cursor_fail_at(c, base + 19,
				      "cryptographic data length is not the bytes after the packet "
				      "(RFC 2328 D.3)",
				      h[19], true);
	if (auth != OSPF_AUTH_CRYPTO && trailer)
		return cursor_fail_at(c, base + length,
				      "bytes after the packet length without cryptographic "
				      "authentication",
				      trailer, true);
	int layer = packet_layer_begin(p, &ospf_layer, "ospf");
	if (layer == PACKET_NONE)
		return DL_ENOMEM;
	int element = p->layers[layer].element;
	for (int i = 0; i < 6; i++)
		p->layers[layer].slots[i] = PACKET_NONE;
	uint32_t o;
	int rc = ospf_take(p, c, OSPF_HEADER_LENGTH, &o);
	if (rc < 0)
		return rc;
	ospf_number(p, "ospf.version", FIELD_ENUM, o, 1, FIELD_KEY, ospf_versions);
	ospf_number(p, "ospf.type", FIELD_ENUM, o + 1, 1, FIELD_KEY, ospf_types);
	int l = ospf_number(p, "ospf.packet_length", FIELD_LENGTH, o + 2, 2, 0, NULL);
	packet_relate(p, l, element, 1, -(int32_t)trailer);
	ospf_bytes(p, "ospf.router_id", FIELD_ADDRESS, o + 4, 4, FIELD_KEY);
	ospf_bytes(p, "ospf.area_id", FIELD_ADDRESS, o + 8, 4, FIELD_KEY);
	int sum = ospf_number(p, "ospf.checksum", FIELD_CHECKSUM, o + 12, 2, 0, NULL);
	packet_relate(p, sum, element, 1, 0);
	int type =
		ospf_number(p, "ospf.auth_type", FIELD_ENUM, o + 14, 2, FIELD_KEY, ospf_auth_types);
	if (auth == OSPF_AUTH_CRYPTO) {
		ospf_number(p, "ospf.auth.zero", FIELD_UINT, o + 16, 2, 0, NULL);
		ospf_number(p, "ospf.auth.key_id", FIELD_UINT, o + 18, 1, FIELD_KEY, NULL);
		ospf_number(p, "ospf.auth.data_length", FIELD_UINT, o + 19, 1, 0, NULL);
		ospf_number(p, "ospf.auth.sequence", FIELD_UINT, o + 20, 4, 0, NULL);
	} else {
		ospf_bytes(p, auth == OSPF_AUTH_SIMPLE ? "ospf.auth.password" : "ospf.auth.data",
			   FIELD_BYTES, o + 16, 8, 0);
	}
	p->layers[layer].slots[OSPF_SLOT_CHECKSUM] = (int16_t)sum;
	p->layers[layer].slots[OSPF_SLOT_AUTH] = (int16_t)type;
	p->layers[layer].slots[OSPF_SLOT_LENGTH] = (int16_t)l;
	static const char *const bodies[] = {"ospf.hello", "ospf.dd", "ospf.lsr", "ospf.lsu",
					     "ospf.lsack"};
	struct cursor body;
	rc = cursor_sub(c, length - OSPF_HEADER_LENGTH, &body);
	if (rc < 0)
		return rc;
	int e = packet_element_begin(p, bodies[h[1] - 1], FIELD_ELEMENT, 0);
	switch (h[1]) {
	case OSPF_HELLO: rc = ospf_hello(p, &body); break;
	case OSPF_DD: rc = ospf_dd(p, &body); break;
	case OSPF_LSR: rc = ospf_lsr(p, &body); break;
	case OSPF_LSU: rc = ospf_lsu(p, &body); break;
	default: rc = ospf_lsack(p, &body); break;
	}
	if (rc < 0)
		return rc;
	packet_element_end(p, e);
	if (trailer) {
		int t = packet_element_begin(p, "ospf.trailer", FIELD_ELEMENT, 0);
		rc = ospf_take(p, c, trailer, &o);
		if (rc < 0)
			return rc;
		int d = ospf_bytes(p, "ospf.trailer.digest", FIELD_CHECKSUM, o, (uint32_t)trailer,
				   0);
		packet_relate(p, d, element, 1, 0);
		p->layers[layer].slots[OSPF_SLOT_DIGEST] = (int16_t)d;
		packet_element_end(p, t);
	}
	packet_element_end(p, element); /* a standalone packet is closed, like rip's */
	*layer_out = layer;
	return p->overflow ? DL_ENOMEM : 0;
}

/* ---- the builder ---- */

struct ospf_writer {
	uint8_t b[OSPF_PACKET_MAX + OSPF_DIGEST_LENGTH];
	size_t n;
	bool full;
};

static uint8_t *ospf_room(struct ospf_writer *w, size_t n)
{
	if (w->full || n > OSPF_PACKET_MAX - w->n) {
		w->full = true;
		return NULL;
	}
	uint8_t *at = w->b + w->n;
	w->n += n;
	return at;
}

static void ospf_put(uint8_t *b, uint32_t v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		b[i] = (uint8_t)(v >> (8 * (n - 1 - i)));
}

static void ospf_put_address(struct ospf_writer *w, struct in_addr a)
{
	uint8_t *b = ospf_room(w, 4);
	if (b)
		memcpy(b, &a, 4);
}

static void ospf_put_number(struct ospf_writer *w, uint32_t v, size_t n)
{
	uint8_t *b = ospf_room(w, n);
	if (b)
		ospf_put(b, v, n);
}

/* An LSA header; whole: the body too (the length and checksum written by packet_finish). */
static void ospf_write_lsa(struct ospf_writer *w, const struct ospf_lsa *a, bool whole)
{
	size_t start = w->n;
	ospf_put_number(w, a->age, 2);
	ospf_put_number(w, a->options, 1);
	ospf_put_number(w, a->type, 1);
	ospf_put_address(w, a->id);
	ospf_put_address(w, a->advertising_router);
	ospf_put_number(w, a->sequence ? a->sequence : OSPF_INITIAL_SEQUENCE, 4);
	ospf_put_number(w, whole ? 0 : a->checksum, 2);
	ospf_put_number(w, whole ? 0 : (a->length ? a->length : OSPF_LSA_HEADER_LENGTH), 2);
	if (!whole)
		return;
	switch (a->type) {
	case OSPF_LSA_ROUTER:
		ospf_put_number(w, a->flags, 1);
		ospf_put_number(w, 0, 1);
		ospf_put_number(w, (uint32_t)a->link_count, 2);
		for (size_t i = 0; i < a->link_count && a->links; i++) {
			ospf_put_address(w, a->links[i].id);
			ospf_put_address(w, a->links[i].data);
			ospf_put_number(w, a->links[i].type, 1);
			ospf_put_number(w, 0, 1);
			ospf_put_number(w, a->links[i].metric, 2);
		}
		break;
	case OSPF_LSA_NETWORK:
		ospf_put_address(w, a->mask);
		for (size_t i = 0; i < a->router_count && a->routers; i++)
			ospf_put_address(w, a->routers[i]);
		break;
	case OSPF_LSA_SUMMARY:
	case OSPF_LSA_SUMMARY_ASBR:
		ospf_put_address(w, a->mask);
		ospf_put_number(w, a->metric & 0xffffff, 4);
		break;
	case OSPF_LSA_EXTERNAL:
	case OSPF_LSA_NSSA:
		ospf_put_address(w, a->mask);
		ospf_put_number(w,
				(a->external_e ? (uint32_t)OSPF_EXTERNAL_E << 24 : 0) |
					(a->metric & 0xffffff),
				4);
		ospf_put_address(w, a->forwarding);
		ospf_put_number(w, a->tag, 4);
		break;
	default: break;
	}
	if (!w->full)
		ospf_put(w->b + start + 18, (uint32_t)(w->n - start), 2);
}

static int ospf_refuse(struct packet *p, int rc)
{
	p->overflow = true;
	return rc;
}

int ospf_build(struct packet *p, const struct ospf_fields *f)
{
	uint8_t type = f->type ? f->type : OSPF_HELLO;
	size_t password_length = f->password ? strlen(f->password) : 0;
	bool crypto = f->auth == OSPF_AUTH_CRYPTO;
	if (f->auth > OSPF_AUTH_CRYPTO || (f->auth != OSPF_AUTH_NONE && !f->password) ||
	    password_length > (crypto ? OSPF_KEY_LENGTH : 8u) ||
	    f->neighbor_count > OSPF_NEIGHBORS_MAX || f->lsa_count > OSPF_LSAS_MAX ||
	    f->request_count > OSPF_LSAS_MAX || (f->neighbor_count && !f->neighbors) ||
	    (f->lsa_count && !f->lsas) || (f->request_count && !f->requests) || type > OSPF_LSACK)
		return ospf_refuse(p, DL_EINVAL);
	struct ospf_writer *w = calloc(1, sizeof(*w));
	if (!w)
		return ospf_refuse(p, DL_ENOMEM);
	uint8_t *h = ospf_room(w, OSPF_HEADER_LENGTH);
	if (!h) {
		free(w);
		return ospf_refuse(p, DL_ENOMEM);
	}
	h[0] = f->version ? f->version : OSPF_VERSION;
	h[1] = type;
	memcpy(h + 4, &f->router_id, 4);
	memcpy(h + 8, &f->area_id, 4);
	ospf_put(h + 14, f->auth, 2);
	uint8_t key[OSPF_KEY_LENGTH] = {0};
	memcpy(key, f->password ? f->password : "", password_length);
	if (crypto) {
		h[18] = f->key_id;
		h[19] = f->data_length ? f->data_length : OSPF_DIGEST_LENGTH;
		ospf_put(h + 20, f->sequence, 4);
	} else if (f->auth == OSPF_AUTH_SIMPLE) {
		memcpy(h + 16, key, 8);
	}
	switch (type) {
	case OSPF_HELLO:
		ospf_put_address(w, f->mask);
		ospf_put_number(w, f->hello_interval ? f->hello_interval : 10, 2);
		ospf_put_number(w, f->options, 1);
		ospf_put_number(w, f->priority, 1);
		ospf_put_number(w, f->dead_interval ? f->dead_interval : 40, 4);
		ospf_put_address(w, f->dr);
		ospf_put_address(w, f->bdr);
		for (size_t i = 0; i < f->neighbor_count; i++)
			ospf_put_address(w, f->neighbors[i]);
		break;
	case OSPF_DD:
		ospf_put_number(w, f->mtu, 2);
		ospf_put_number(w, f->options, 1);
		ospf_put_number(w, f->dd_flags, 1);
		ospf_put_number(w, f->dd_sequence, 4);
		for (size_t i = 0; i < f->lsa_count; i++)
			ospf_write_lsa(w, &f->lsas[i], false);
		break;
	case OSPF_LSR:
		for (size_t i = 0; i < f->request_count; i++) {
			ospf_put_number(w, f->requests[i].type, 4);
			ospf_put_address(w, f->requests[i].id);
			ospf_put_address(w, f->requests[i].advertising_router);
		}
		break;
	case OSPF_LSU:
		ospf_put_number(w, (uint32_t)f->lsa_count, 4);
		for (size_t i = 0; i < f->lsa_count; i++)
			ospf_write_lsa(w, &f->lsas[i], true);
		break;
	default:
		for (size_t i = 0; i < f->lsa_count; i++)
			ospf_write_lsa(w, &f->lsas[i], false);
		break;
	}
	int rc = w->full ? DL_ENOMEM : 0;
	ospf_put(w->b + 2, (uint32_t)w->n, 2);
	int key_index = PACKET_NONE;
	if (rc == 0 && crypto) {
		w->n += h[19]; /* the digest: packet_finish(); the writer keeps room for 16 */
		if (h[19] > OSPF_DIGEST_LENGTH)
			rc = DL_EINVAL;
		key_index = proto_key_add(key);
		if (key_index == PACKET_NONE)
			rc = DL_EINVAL;
	}
	int layer = PACKET_NONE;
	if (rc == 0) {
		struct cursor c;
		cursor_init(&c, w->b, w->n);
		rc = ospf_declare(p, &c, &layer);
		if (rc == DL_EPROTO)
			rc = DL_EINVAL;
	}
	free(w);
	if (rc < 0 || p->overflow)
		return ospf_refuse(p, rc < 0 ? rc : DL_ENOMEM);
	p->layers[layer].slots[OSPF_SLOT_KEY] = (int16_t)key_index;
	return 0;
}

/* ---- derived fields ---- */

static bool ospf_usable(const struct packet *p, int f)
{
	return f != PACKET_NONE && f < p->field_count && !(p->fields[f].flags & FIELD_REMOVED) &&
	       !packet_frozen(p, f) && p->fields[f].offset + p->fields[f].size <= p->length;
}

/* Each whole LSA's Fletcher checksum (an LSU's), over the LSA as it is now. */
static void ospf_fix_lsas(struct packet *p, int layer)
{
	for (int i = p->layers[layer].element + 1; i < p->field_count; i++) {
		const struct field *f = &p->fields[i];
		if (f->layer != layer || f->kind != FIELD_CHECKSUM || f->size != 2 ||
		    strcmp(f->name, "ospf.lsa.checksum") != 0 || !ospf_usable(p, i) ||
		    f->target == PACKET_NONE)
			continue;
		const struct field *e = &p->fields[f->target];
		if ((e->flags & FIELD_REMOVED) || e->offset + e->size > p->length ||
		    e->size < OSPF_LSA_HEADER_LENGTH || f->offset != e->offset + 16)
			continue;
		packet_put_derived(p, i, ospf_lsa_checksum(p->bytes + e->offset, e->size));
	}
}

/*
 * The packet checksum over the layer's bytes but the 8 authentication bytes (D.4.1), or 0
 * under cryptographic authentication (D.4.3); then the digest, written where a receiver looks
 * for it: over the packet length's bytes and right after them (a packet length mutated
 * shorter is then authentic and its parser runs; one past the layer leaves the digest field
 * signing the bytes before it).
 */
static void ospf_fixup(struct packet *p, int layer)
{
	ospf_fix_lsas(p, layer);
	const struct field *e = &p->fields[p->layers[layer].element];
	int sum = p->layers[layer].slots[OSPF_SLOT_CHECKSUM];
	int digest = p->layers[layer].slots[OSPF_SLOT_DIGEST];
	int type = p->layers[layer].slots[OSPF_SLOT_AUTH];
	uint32_t end = e->offset + e->size;
	if (digest != PACKET_NONE && digest < p->field_count &&
	    !(p->fields[digest].flags & FIELD_REMOVED))
		end = p->fields[digest].offset;
	bool crypto = type != PACKET_NONE && type < p->field_count &&
		      !(p->fields[type].flags & FIELD_REMOVED) &&
		      packet_get(p, type) == OSPF_AUTH_CRYPTO;
	if (ospf_usable(p, sum) && end <= p->length && end >= e->offset + OSPF_HEADER_LENGTH) {
		uint16_t v = 0;
		if (!crypto) {
			/* the checksum itself counted as zero */
			uint32_t s = packet_inet_sum(p->bytes + e->offset, 12, 0);
			s = packet_inet_sum(p->bytes + e->offset + 14, 2, s);
			v = packet_inet_checksum(p->bytes + e->offset + OSPF_HEADER_LENGTH,
						 end - e->offset - OSPF_HEADER_LENGTH, s);
		}
		packet_put_derived(p, sum, v);
	}
	uint8_t key[OSPF_KEY_LENGTH];
	if (!ospf_usable(p, digest) || !proto_key_get(p->layers[layer].slots[OSPF_SLOT_KEY], key))
		return;
	const struct field *d = &p->fields[digest];
	if (d->size != OSPF_DIGEST_LENGTH || d->offset < e->offset)
		return;
	/* where a receiver reads it: after the packet length says the packet ends (FRR's and
	 * BIRD's check), when the layer holds it there; else after the bytes before the field */
	uint32_t at = d->offset;
	int l = p->layers[layer].slots[OSPF_SLOT_LENGTH];
	if (l != PACKET_NONE && l < p->field_count && !(p->fields[l].flags & FIELD_REMOVED)) {
		uint64_t said = packet_get(p, l);
		if (said >= OSPF_HEADER_LENGTH && said + OSPF_DIGEST_LENGTH <= e->size &&
		    e->offset + said + OSPF_DIGEST_LENGTH <= p->length)
			at = e->offset + (uint32_t)said;
	}
	uint8_t md[OSPF_DIGEST_LENGTH];
	if (ospf_md5(p->bytes + e->offset, at - e->offset, key, md) == 0)
		memcpy(p->bytes + at, md, OSPF_DIGEST_LENGTH);
}

/* The whole IP payload is one packet (RFC 2328 A.1). */
static int ospf_parse(struct packet *p, struct cursor *c, struct layer_parse_result *next)
{
	next->next = LAYER_NEXT_NONE;
	next->value = 0;
	int layer = PACKET_NONE;
	return ospf_declare(p, c, &layer);
}

const struct proto_layer ospf_layer = {
	.name = "ospf",
	.title = "OSPFv2 (RFC 2328) hello, DD, LSR, LSU (router, network, summary, AS-external, "
		 "NSSA LSAs) and LSAck, with null, simple and keyed-MD5 authentication",
	.fixup = ospf_fixup,
	.parse = ospf_parse,
};
