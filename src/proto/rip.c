/* rip: RIPv2 (RFC 2453) message build, parse and field schema, with RFC 4822 keyed-MD5 */
#include "core/compat.h"

#include <openssl/evp.h>

#include "core/error.h"
#include "proto/cursor.h"
#include "proto/keys.h"
#include "proto/layer.h"
#include "proto/packet.h"
#include "proto/rip.h"

/*
 * The builder serialises a message into a buffer and declares it through the
 * parser's walker (rip_declare()), so a built message and the same bytes
 * parsed back have one schema by construction (as bgp.c does).
 */

#define RIP_SLOT_DIGEST 0 /* the trailer's digest field, or PACKET_NONE */
#define RIP_SLOT_KEY 1    /* the key's index (proto/keys.h), or PACKET_NONE (parsed) */
#define RIP_MESSAGE_MAX                                                                            \
	(RIP_HEADER_LENGTH + RIP_ENTRIES_MAX * RIP_ENTRY_LENGTH + RIP_TRAILER_LENGTH)

static const struct field_value rip_commands[] = {
	{RIP_REQUEST, "request"},
	{RIP_RESPONSE, "response"},
	{0, NULL},
};

static const struct field_value rip_versions[] = {{1, "RIP-1"}, {2, "RIP-2"}, {0, NULL}};

static const struct field_value rip_families[] = {
	{0, "unspecified (whole table)"},
	{RIP_FAMILY_INET, "IP"},
	{RIP_FAMILY_AUTH, "authentication"},
	{0, NULL},
};

static const struct field_value rip_auth_families[] = {{RIP_FAMILY_AUTH, "authentication"},
						       {0, NULL}};

static const struct field_value rip_auth_types[] = {
	{RIP_AUTH_SIMPLE, "simple password"},
	{RIP_AUTH_MD5, "keyed MD5"},
	{0, NULL},
};

static const struct field_value rip_trailer_types[] = {{RIP_AUTH_TRAILER, "trailer"}, {0, NULL}};

_Static_assert(RIP_KEY_LENGTH == PROTO_KEY_LENGTH, "the keys table holds RIP's keys");

static int rip_md5(const uint8_t *message, size_t length, const uint8_t key[RIP_KEY_LENGTH],
		   uint8_t digest[RIP_DIGEST_LENGTH])
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned int n = 0;
	bool ok = ctx && EVP_DigestInit_ex(ctx, EVP_md5(), NULL) == 1 &&
		  EVP_DigestUpdate(ctx, message, length) == 1 &&
		  EVP_DigestUpdate(ctx, key, RIP_KEY_LENGTH) == 1 &&
		  EVP_DigestFinal_ex(ctx, digest, &n) == 1 && n == RIP_DIGEST_LENGTH;
	EVP_MD_CTX_free(ctx);
	return ok ? 0 : DL_EINVAL;
}

int rip_md5_digest(const uint8_t *message, size_t length, const char *key,
		   uint8_t digest[RIP_DIGEST_LENGTH], struct dl_error *err)
{
	uint8_t padded[RIP_KEY_LENGTH] = {0};
	size_t key_length = key ? strlen(key) : 0;
	if (!key || key_length > RIP_KEY_LENGTH)
		return dl_error_set(err, DL_EINVAL,
				    "rip: a keyed-MD5 key must be given and at most 16 bytes "
				    "(RFC 4822 2.2), not %zu",
				    key_length);
	memcpy(padded, key, key_length);
	if (rip_md5(message, length, padded, digest) < 0)
		return dl_error_set(err, DL_EINVAL,
				    "rip: OpenSSL could not compute MD5 (is the default "
				    "provider loaded?)");
	return 0;
}

/* A numeric field over bytes already taken, with its defined values when an enum. */
static int rip_number(struct packet *p, const char *name, enum field_kind kind, uint32_t at,
		      uint32_t size, uint8_t flags, const struct field_value *values)
{
	int f = packet_field_present(p, name, kind, at, size, flags);
	if (values)
		packet_values(p, f, values);
	return f;
}

static int rip_bytes(struct packet *p, const char *name, enum field_kind kind, uint32_t at,
		     uint32_t size, uint8_t flags)
{
	return packet_field_bytes(p, name, kind, at, p->bytes + at, size, flags);
}

static void rip_route(struct packet *p, uint32_t o)
{
	rip_number(p, "rip.route.family", FIELD_ENUM, o, 2, 0, rip_families);
	rip_number(p, "rip.route.tag", FIELD_UINT, o + 2, 2, 0, NULL);
	rip_bytes(p, "rip.route.address", FIELD_ADDRESS, o + 4, 4, FIELD_KEY);
	rip_bytes(p, "rip.route.mask", FIELD_ADDRESS, o + 8, 4, 0);
	rip_bytes(p, "rip.route.next_hop", FIELD_ADDRESS, o + 12, 4, 0);
	rip_number(p, "rip.route.metric", FIELD_UINT, o + 16, 4, FIELD_KEY, NULL);
}

static void rip_auth(struct packet *p, uint32_t o, int layer_element)
{
	uint8_t type = p->bytes[o + 3];
	rip_number(p, "rip.auth.family", FIELD_ENUM, o, 2, 0, rip_auth_families);
	rip_number(p, "rip.auth.type", FIELD_ENUM, o + 2, 2, FIELD_KEY, rip_auth_types);
	if (type == RIP_AUTH_SIMPLE) {
		rip_bytes(p, "rip.auth.password", FIELD_BYTES, o + 4, 16, 0);
	} else {
		int l = rip_number(p, "rip.auth.packet_length", FIELD_LENGTH, o + 4, 2, 0, NULL);
		packet_relate(p, l, layer_element, 1, -RIP_TRAILER_LENGTH);
		rip_number(p, "rip.auth.key_id", FIELD_UINT, o + 6, 1, FIELD_KEY, NULL);
		rip_number(p, "rip.auth.data_length", FIELD_UINT, o + 7, 1, 0, NULL);
		rip_number(p, "rip.auth.sequence", FIELD_UINT, o + 8, 4, 0, NULL);
		rip_bytes(p, "rip.auth.reserved", FIELD_BYTES, o + 12, 8, 0);
	}
}

/* Check the message at the cursor (all of it) before declaring anything; the reason if not. */
static int rip_check(struct cursor *c, size_t *entries_out, bool *trailer_out)
{
	size_t avail = cursor_remaining(c);
	size_t base = cursor_position(c);
	const uint8_t *h = c->p + c->offset;
	if (avail < RIP_HEADER_LENGTH)
		return cursor_fail_value(c, "shorter than the 4-byte RIP header", avail);
	if (h[0] != RIP_REQUEST && h[0] != RIP_RESPONSE)
		return cursor_fail_at(c, base, "command is not 1 (request) or 2 (response)", h[0],
				      true);
	if (h[1] == 0)
		return cursor_fail_at(c, base + 1, "version is 0 (RFC 2453 3.9: discarded)", 0,
				      true);
	size_t body = avail - RIP_HEADER_LENGTH;
	if (body % RIP_ENTRY_LENGTH)
		return cursor_fail_value(c, "body is not a whole number of 20-byte entries", body);
	size_t count = body / RIP_ENTRY_LENGTH;
	bool md5 = count > 0 && h[4] == 0xff && h[5] == 0xff && h[7] == RIP_AUTH_MD5 && h[6] == 0;
	bool trailer = false;
	if (md5) {
		size_t said = (size_t)h[8] << 8 | h[9];
		if (said < RIP_HEADER_LENGTH + RIP_ENTRY_LENGTH || said > avail ||
		    (said - RIP_HEADER_LENGTH) % RIP_ENTRY_LENGTH ||
		    said + RIP_TRAILER_LENGTH != avail)
			return cursor_fail_at(c, base + 8,
					      "keyed-MD5 packet length is not where the 20-byte "
					      "trailer starts (RFC 4822 2.2)",
					      said, true);
		const uint8_t *t = h + said;
		if (t[0] != 0xff || t[1] != 0xff || t[2] != 0 || t[3] != RIP_AUTH_TRAILER)
			return cursor_fail_at(c, base + said,
					      "keyed-MD5 trailer is not family 0xffff type 1", t[3],
					      true);
		trailer = true;
		count--;
	}
	if (count > RIP_ENTRIES_MAX)
		return cursor_fail_value(c, "more than 25 entries", count);
	for (size_t i = 0; i < count; i++) {
		const uint8_t *e = h + RIP_HEADER_LENGTH + i * RIP_ENTRY_LENGTH;
		if (e[0] != 0xff || e[1] != 0xff)
			continue;
		size_t at = base + RIP_HEADER_LENGTH + i * RIP_ENTRY_LENGTH;
		if (i > 0)
			return cursor_fail_at(c, at, "authentication entry is not the first", i,
					      true);
		unsigned type = (unsigned)e[2] << 8 | e[3];
		if (type != RIP_AUTH_SIMPLE && type != RIP_AUTH_MD5)
			return cursor_fail_at(c, at + 2, "authentication type is not 2 or 3", type,
					      true);
	}
	*entries_out = count;
	*trailer_out = trailer;
	return 0;
}

/* Declare one message, the whole of the cursor, as a layer of its own, and close it. */
static int rip_declare(struct packet *p, struct cursor *c, int *layer_out)
{
	size_t count = 0;
	bool trailer = false;
	int rc = rip_check(c, &count, &trailer);
	if (rc < 0)
		return rc;
	int layer = packet_layer_begin(p, &rip_layer, "rip");
	if (layer == PACKET_NONE)
		return DL_ENOMEM;
	int element = p->layers[layer].element;
	uint32_t o;
	rc = proto_take(p, c, RIP_HEADER_LENGTH, &o);
	if (rc < 0)
		return rc;
	rip_number(p, "rip.command", FIELD_ENUM, o, 1, FIELD_KEY, rip_commands);
	rip_number(p, "rip.version", FIELD_ENUM, o + 1, 1, FIELD_KEY, rip_versions);
	rip_number(p, "rip.zero", FIELD_UINT, o + 2, 2, 0, NULL);
	int list = packet_element_begin(p, "rip.entries", FIELD_LIST, 0);
	for (size_t i = 0; i < count; i++) {
		bool auth = c->p[c->offset] == 0xff && c->p[c->offset + 1] == 0xff;
		int e = packet_element_begin(p, auth ? "rip.auth" : "rip.route", FIELD_ELEMENT,
					     FIELD_REPEATABLE);
		rc = proto_take(p, c, RIP_ENTRY_LENGTH, &o);
		if (rc < 0)
			return rc;
		if (auth)
			rip_auth(p, o, element);
		else
			rip_route(p, o);
		packet_element_end(p, e);
	}
	packet_element_end(p, list);
	if (trailer) {
		int t = packet_element_begin(p, "rip.trailer", FIELD_ELEMENT, 0);
		rc = proto_take(p, c, RIP_TRAILER_LENGTH, &o);
		if (rc < 0)
			return rc;
		rip_number(p, "rip.trailer.family", FIELD_ENUM, o, 2, 0, rip_auth_families);
		rip_number(p, "rip.trailer.type", FIELD_ENUM, o + 2, 2, 0, rip_trailer_types);
		int d = rip_bytes(p, "rip.trailer.digest", FIELD_CHECKSUM, o + 4, RIP_DIGEST_LENGTH,
				  0);
		packet_relate(p, d, element, 1, 0);
		p->layers[layer].slots[RIP_SLOT_DIGEST] = (int16_t)d;
		packet_element_end(p, t);
	}
	packet_element_end(p, element); /* a standalone message is closed, like bgp's */
	*layer_out = layer;
	return p->overflow ? DL_ENOMEM : 0;
}

static void rip_put16(uint8_t *b, uint32_t v)
{
	b[0] = (uint8_t)(v >> 8);
	b[1] = (uint8_t)v;
}

static void rip_put32(uint8_t *b, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		b[i] = (uint8_t)(v >> (24 - 8 * i));
}

static int rip_refuse(struct packet *p)
{
	p->overflow = true;
	return DL_EINVAL;
}

int rip_build(struct packet *p, const struct rip_fields *f)
{
	uint8_t m[RIP_MESSAGE_MAX] = {0};
	size_t n = RIP_HEADER_LENGTH;
	size_t password_length = f->password ? strlen(f->password) : 0;
	bool authed = f->auth == RIP_AUTH_SIMPLE || f->auth == RIP_AUTH_MD5;
	if ((f->auth != RIP_AUTH_NONE && !authed) || (authed && !f->password) ||
	    password_length > RIP_KEY_LENGTH || (f->route_count && !f->routes) ||
	    f->route_count + (authed ? 1 : 0) > RIP_ENTRIES_MAX)
		return rip_refuse(p);
	uint8_t command = f->command ? f->command : RIP_REQUEST;
	m[0] = command;
	m[1] = f->version ? f->version : RIP_VERSION;
	uint8_t key[RIP_KEY_LENGTH] = {0};
	memcpy(key, f->password ? f->password : "", password_length);
	if (authed) {
		uint8_t *e = m + n;
		rip_put16(e, RIP_FAMILY_AUTH);
		rip_put16(e + 2, f->auth);
		if (f->auth == RIP_AUTH_SIMPLE) {
			memcpy(e + 4, key, RIP_KEY_LENGTH);
		} else {
			e[6] = f->key_id;
			e[7] = f->data_length ? f->data_length : RIP_DIGEST_LENGTH;
			rip_put32(e + 8, f->sequence);
		}
		n += RIP_ENTRY_LENGTH;
	}
	if (command == RIP_REQUEST && f->route_count == 0) {
		/* RFC 2453 3.9.1: the whole table, one entry of family 0 and metric 16 */
		rip_put32(m + n + 16, RIP_METRIC_INFINITY);
		n += RIP_ENTRY_LENGTH;
	}
	for (size_t i = 0; i < f->route_count; i++) {
		const struct rip_route *r = &f->routes[i];
		uint8_t *e = m + n;
		rip_put16(e, r->family ? r->family : RIP_FAMILY_INET);
		rip_put16(e + 2, r->tag);
		memcpy(e + 4, &r->address, 4);
		memcpy(e + 8, &r->mask, 4);
		memcpy(e + 12, &r->next_hop, 4);
		rip_put32(e + 16, r->metric);
		n += RIP_ENTRY_LENGTH;
	}
	int key_index = PACKET_NONE;
	if (f->auth == RIP_AUTH_MD5) {
		rip_put16(m + RIP_HEADER_LENGTH + 4, (uint32_t)n);
		rip_put16(m + n, RIP_FAMILY_AUTH);
		rip_put16(m + n + 2, RIP_AUTH_TRAILER);
		n += RIP_TRAILER_LENGTH; /* the digest: packet_finish() */
		key_index = proto_key_add(key);
		if (key_index == PACKET_NONE)
			return rip_refuse(p);
	}
	struct cursor c;
	cursor_init(&c, m, n);
	int layer = PACKET_NONE;
	int rc = rip_declare(p, &c, &layer);
	if (rc < 0 || p->overflow) {
		p->overflow = true;
		return rc == DL_EPROTO ? DL_EINVAL : DL_ENOMEM;
	}
	p->layers[layer].slots[RIP_SLOT_KEY] = (int16_t)key_index;
	return 0;
}

/* The digest over the message as it is now, mutated or not: what a receiver checks (RFC 4822
 * 3.2.2) is the bytes up to the trailer's digest, whatever the packet length says. */
static void rip_fixup(struct packet *p, int layer)
{
	int d = p->layers[layer].slots[RIP_SLOT_DIGEST];
	uint8_t key[RIP_KEY_LENGTH];
	if (d == PACKET_NONE || d >= p->field_count ||
	    !proto_key_get(p->layers[layer].slots[RIP_SLOT_KEY], key))
		return;
	const struct field *f = &p->fields[d];
	const struct field *e = &p->fields[p->layers[layer].element];
	if ((f->flags & FIELD_REMOVED) || packet_frozen(p, d) || f->size != RIP_DIGEST_LENGTH ||
	    f->offset < e->offset || f->offset + f->size > p->length)
		return;
	uint8_t digest[RIP_DIGEST_LENGTH];
	if (rip_md5(p->bytes + e->offset, f->offset - e->offset, key, digest) == 0)
		memcpy(p->bytes + f->offset, digest, RIP_DIGEST_LENGTH);
}

/* The whole UDP payload is one message (RFC 2453 3.6). */
static int rip_parse(struct packet *p, struct cursor *c, struct layer_parse_result *next)
{
	next->next = LAYER_NEXT_NONE;
	next->value = 0;
	int layer = PACKET_NONE;
	return rip_declare(p, c, &layer);
}

const struct proto_layer rip_layer = {
	.name = "rip",
	.title = "RIPv2 (RFC 2453) with simple password and keyed-MD5 (RFC 4822, RFC 2082) "
		 "authentication",
	.fixup = rip_fixup,
	.parse = rip_parse,
};
