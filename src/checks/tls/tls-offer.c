/* tls-offer: the ClientHellos the TLS audit sends: suites, groups, extensions per version */
#include "core/compat.h"

#include <openssl/rand.h>
#include <pthread.h>

#include "checks/tls/tls-engine.h"
#include "proto/tls-suites.h"
#include "proto/tls.h"

/* RFC 7748 6.1's x25519 public key: a valid point, so a TLS 1.3 server
 * computes a shared secret and answers with its ServerHello (we never need
 * the secret: the enumeration stops at the ServerHello). */
static const uint8_t x25519_public[32] = {
	0x85, 0x20, 0xf0, 0x09, 0x89, 0x30, 0xa7, 0x54, 0x74, 0x8b, 0x7d,
	0xdc, 0xb4, 0x3e, 0xf7, 0x5a, 0x0d, 0xbf, 0x3a, 0x0d, 0x26, 0x38,
	0x1a, 0xf4, 0xeb, 0xa4, 0xa9, 0x8e, 0xaa, 0x9b, 0x4e, 0x6a,
};

/* What a current browser prefers comes first, so a server that follows the
 * client's group order picks what it would pick in use (the group reported
 * per suite); every other group follows, so a server with only odd curves
 * still finds one and its ECDHE suites are found. */
static const uint16_t preferred_groups[] = {0x001d, 0x0017, 0x0018, 0x0019, 0x001e,
					    0x0100, 0x0101, 0x0102, 0x0103, 0x0104};

struct group_lists {
	uint16_t tls12[TLS_OFFER_LIST_MAX];
	size_t tls12_count;
	uint16_t tls13[TLS_OFFER_LIST_MAX];
	size_t tls13_count;
	uint16_t schemes[TLS_OFFER_LIST_MAX];
	size_t scheme_count;
};

static bool listed(const uint16_t *list, size_t n, uint16_t code)
{
	for (size_t i = 0; i < n; i++)
		if (list[i] == code)
			return true;
	return false;
}

static void add(uint16_t *list, size_t *n, uint16_t code)
{
	if (*n < TLS_OFFER_LIST_MAX && !listed(list, *n, code))
		list[(*n)++] = code;
}

static struct group_lists built;
static pthread_once_t built_once = PTHREAD_ONCE_INIT;

static void build_lists(void)
{
	struct group_lists *l = &built;
	for (size_t i = 0; i < DL_ARRAY_SIZE(preferred_groups); i++) {
		const struct tls_group *g = tls_group_by_code(preferred_groups[i]);
		/* TLS 1.2: curves only; an ffdhe group there would make an RFC 7919
		 * server replace its configured DH prime, which we report */
		if (g && g->kind == TLS_GROUP_EC)
			add(l->tls12, &l->tls12_count, g->code);
		if (g)
			add(l->tls13, &l->tls13_count, g->code);
	}
	for (size_t i = 0; i < tls_group_count; i++) {
		const struct tls_group *g = &tls_groups[i];
		if (g->kind == TLS_GROUP_EC)
			add(l->tls12, &l->tls12_count, g->code);
		if (g->kind != TLS_GROUP_OTHER)
			add(l->tls13, &l->tls13_count, g->code);
	}
	for (size_t i = 0; i < tls_signature_scheme_count; i++)
		add(l->schemes, &l->scheme_count, tls_signature_schemes[i].code);
}

/* built once; pthread_once keeps the pool's threads from racing */
static const struct group_lists *lists(void)
{
	pthread_once(&built_once, build_lists);
	return &built;
}

size_t tls_offer_groups(bool tls13, const uint16_t **out)
{
	const struct group_lists *l = lists();
	*out = tls13 ? l->tls13 : l->tls12;
	return tls13 ? l->tls13_count : l->tls12_count;
}

size_t tls_offer_suites(enum tls_engine_version v, uint16_t *out, size_t cap)
{
	size_t n = 0;
	for (size_t i = 0; i < tls_suite_count && n < cap; i++) {
		const struct tls_suite *s = &tls_suites[i];
		if (s->kx == TLS_KX_SCSV)
			continue;
		/* TLS 1.3 suites are never offered in a hello before 1.3 */
		if (s->tls13_only != (v == TLS_ENGINE_TLS13))
			continue;
		out[n++] = s->code;
	}
	return n;
}

void tls_offer_hello(const struct tls_engine *e, enum tls_engine_version v, const uint16_t *suites,
		     size_t count, struct tls_client_hello *h)
{
	const struct group_lists *l = lists();
	memset(h, 0, sizeof(*h));
	/* a fresh-looking random per hello; servers do not check it, and a fixed
	 * pattern would be a fingerprint of dutlab in the DUT's logs */
	if (RAND_bytes(h->random, (int)sizeof(h->random)) != 1)
		memset(h->random, 0x5a, sizeof(h->random)); /* still a valid hello */
	h->suites = suites;
	h->suite_count = count;
	h->server_name = e->prober.server_name;
	h->signature_schemes = l->schemes;
	h->signature_scheme_count = l->scheme_count;
	h->renegotiation_info = v != TLS_ENGINE_TLS13;
	switch (v) {
	case TLS_ENGINE_SSL2:
		h->ssl2_format = true;
		h->client_version = TLS_VERSION_SSL2;
		h->server_name = NULL;
		h->signature_scheme_count = 0;
		h->renegotiation_info = false;
		return;
	case TLS_ENGINE_SSL3:
		h->record_version = TLS_VERSION_SSL3;
		h->client_version = TLS_VERSION_SSL3;
		break;
	case TLS_ENGINE_TLS10: h->client_version = TLS_VERSION_TLS10; break;
	case TLS_ENGINE_TLS11: h->client_version = TLS_VERSION_TLS11; break;
	case TLS_ENGINE_TLS12: h->client_version = TLS_VERSION_TLS12; break;
	case TLS_ENGINE_TLS13:
	case TLS_ENGINE_VERSIONS: {
		static const uint16_t tls13[] = {TLS_VERSION_TLS13};
		h->client_version = TLS_VERSION_TLS12; /* RFC 8446 4.1.2 legacy_version */
		h->supported_versions = tls13;
		h->supported_version_count = 1;
		h->groups = l->tls13;
		h->group_count = l->tls13_count;
		h->key_share = true;
		h->x25519_public = x25519_public;
		return;
	}
	}
	h->groups = l->tls12;
	h->group_count = l->tls12_count;
	h->ec_point_formats = true;
}
