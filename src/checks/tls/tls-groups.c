/* tls-groups: the named groups a server accepts: TLS <= 1.2 curves, TLS 1.3 key shares */
#include "core/compat.h"

/*
 * One chain per version, like the suites: offer every group, note the one
 * the server picks, offer the rest, until it refuses; accepted + 1 probes
 * instead of one per group. TLS <= 1.2: the server's accepted ECDHE suites
 * only, so a server without a common curve must refuse; the pick is the
 * curve in the ServerKeyExchange (RFC 8422 5.4). TLS 1.3: an empty
 * key_share, which a server answers with a HelloRetryRequest naming the
 * group it wants from our supported_groups (RFC 8446 4.1.4), so each probe
 * costs the server no key exchange at all.
 */

#include "checks/tls/tls-engine.h"
#include "core/error.h"
#include "proto/tls-suites.h"
#include "proto/tls.h"

static bool testable(const struct tls_group *g, bool tls13)
{
	if (tls13)
		return g->kind != TLS_GROUP_OTHER;
	/* the brainpool *tls13 code points exist for TLS 1.3 only (RFC 8734) */
	return g->kind == TLS_GROUP_EC && (g->code < 0x001f || g->code > 0x0021);
}

static size_t group_index(uint16_t code)
{
	for (size_t i = 0; i < tls_group_count && i < TLS_ENGINE_GROUPS_MAX; i++)
		if (tls_groups[i].code == code)
			return i;
	return TLS_ENGINE_GROUPS_MAX;
}

static int group_chain(struct tls_engine *e, bool tls13, struct tls_reply *reply,
		       struct dl_error *err)
{
	enum tls_engine_version v = tls13 ? TLS_ENGINE_TLS13 : tls_engine_best_legacy(e);
	if (v == TLS_ENGINE_VERSIONS || !e->versions[v].offered)
		return 0;
	const struct tls_version_result *vr = &e->versions[v];
	/* TLS <= 1.2 ties an ECDSA certificate's curve to supported_groups too
	 * (RFC 8422 5.1.1): once that curve is picked and taken out, an
	 * ECDHE_ECDSA offer fails for every group left. So the ECDHE_RSA (or
	 * PSK) suites go alone when the server has any; an ECDSA-only server's
	 * chain ends there, its other curves unseen (sslscan, offering one group
	 * at a time, sees only the certificate's). */
	uint16_t offer[TLS_ENGINE_SUITES_MAX];
	size_t n = 0;
	for (size_t pass = 0; pass < 2 && n == 0; pass++) {
		for (size_t i = 0; i < vr->suite_count; i++) {
			const struct tls_suite *s = tls_suite_by_code(vr->suites[i].code);
			bool ecdhe = s && (s->kx == TLS_KX_ECDHE || s->kx == TLS_KX_ECDHE_PSK);
			if (!tls13 && !ecdhe)
				continue;
			if (!tls13 && pass == 0 && s->auth == TLS_AUTH_ECDSA)
				continue; /* first pass: without the certificate's curve tie */
			offer[n++] = vr->suites[i].code;
		}
	}
	if (n == 0)
		return 0;
	const uint16_t *all;
	size_t all_count = tls_offer_groups(tls13, &all);
	uint16_t left[TLS_OFFER_LIST_MAX];
	size_t left_count = 0;
	for (size_t i = 0; i < all_count; i++) {
		const struct tls_group *g = tls_group_by_code(all[i]);
		if (g && testable(g, tls13) && group_index(g->code) < TLS_ENGINE_GROUPS_MAX)
			left[left_count++] = g->code;
	}
	bool *accepted = tls13 ? e->group_tls13 : e->group_tls12;
	/* at most one probe per group, and one more that is refused */
	for (size_t round = 0; round <= all_count && left_count > 0; round++) {
		struct tls_client_hello h;
		enum tls_probe_outcome outcome;
		tls_offer_hello(e, v, offer, n, &h);
		h.groups = left;
		h.group_count = left_count;
		h.x25519_public = NULL; /* TLS 1.3: an empty key_share asks for a retry */
		int rc = tls_engine_probe(e, &h, reply, &outcome, NULL, true, err);
		if (rc < 0)
			return rc;
		if (tls_engine_accepted(reply, outcome, v, offer, n) < 0)
			break;
		uint16_t picked = 0;
		if (tls13 && reply->server_hello.has_key_share)
			picked = reply->server_hello.key_share_group;
		else if (!tls13 && reply->has_server_key_exchange &&
			 reply->server_key_exchange.kind == TLS_SKE_ECDHE)
			picked = reply->server_key_exchange.group;
		size_t at = 0;
		while (at < left_count && left[at] != picked)
			at++;
		if (at == left_count)
			break; /* a group we did not offer: stop rather than loop */
		accepted[group_index(picked)] = true;
		memmove(left + at, left + at + 1, (left_count - at - 1) * sizeof(left[0]));
		left_count--;
	}
	return 0;
}

int tls_group_job(struct tls_engine *e, bool tls13, struct dl_error *err)
{
	struct tls_reply *reply = malloc(sizeof(*reply));
	if (!reply)
		return dl_error_set(err, DL_ENOMEM, "tls audit: out of memory for a reply");
	int rc = group_chain(e, tls13, reply, err);
	free(reply);
	return rc;
}
