/* tls-preference: whether the server imposes its suite order, and that order, for one version */
#include "core/compat.h"

/*
 * Offer the accepted suites in one order and then reversed. A server that
 * follows the client picks the first each time; one that imposes its own
 * order picks the same suite both times, and its whole order comes from
 * offering what is left after each pick (n - 1 probes more). Anything else
 * (a server that ranks by something we do not vary, such as OpenSSL's
 * ChaCha20 priority for clients that prefer it) is undecidable: null.
 */

#include "checks/tls/tls-engine.h"
#include "core/error.h"
#include "proto/tls.h"

static int pick(struct tls_engine *e, enum tls_engine_version v, const uint16_t *offer, size_t n,
		struct tls_reply *reply, int *at, struct dl_error *err)
{
	struct tls_client_hello h;
	enum tls_probe_outcome outcome;
	tls_offer_hello(e, v, offer, n, &h);
	int rc = tls_engine_probe(e, &h, reply, &outcome, NULL, true, err);
	if (rc < 0)
		return rc;
	*at = tls_engine_accepted(reply, outcome, v, offer, n);
	return 0;
}

/* Append the found entry of code to ordered (it is always there: the
 * offers are built from vr's own suites). */
static void append(const struct tls_version_result *vr, uint16_t code,
		   struct tls_found_suite *ordered, size_t *done)
{
	for (size_t i = 0; i < vr->suite_count; i++)
		if (vr->suites[i].code == code && *done < TLS_ENGINE_SUITES_MAX) {
			ordered[(*done)++] = vr->suites[i];
			return;
		}
}

static int order_chain(struct tls_engine *e, enum tls_engine_version v, struct tls_reply *reply,
		       struct dl_error *err)
{
	struct tls_version_result *vr = &e->versions[v];
	size_t n = vr->suite_count;
	if (n < 2)
		return 0; /* one suite: no order to speak of (null) */
	uint16_t forward[TLS_ENGINE_SUITES_MAX], reverse[TLS_ENGINE_SUITES_MAX];
	for (size_t i = 0; i < n; i++) {
		forward[i] = vr->suites[i].code;
		reverse[n - 1 - i] = vr->suites[i].code;
	}
	int a, b, rc;
	if ((rc = pick(e, v, forward, n, reply, &a, err)) < 0 ||
	    (rc = pick(e, v, reverse, n, reply, &b, err)) < 0)
		return rc;
	if (a < 0 || b < 0) {
		vr->order_incomplete = true;
		return 0;
	}
	if (a == 0 && b == 0) {
		vr->server_preference = TLS_NO;
		return 0;
	}
	if (forward[a] != reverse[b])
		return 0; /* neither follows us nor picks the same: undecidable */
	vr->server_preference = TLS_YES;
	/* the server's order by repeated removal */
	struct tls_found_suite *ordered = vr->ordered;
	size_t done = 0, left_count = n;
	uint16_t *left = forward;
	int at = a;
	for (size_t round = 0; round < n; round++) {
		append(vr, left[at], ordered, &done);
		memmove(left + at, left + at + 1, (left_count - (size_t)at - 1) * sizeof(left[0]));
		left_count--;
		if (left_count == 1) {
			append(vr, left[0], ordered, &done);
			left_count = 0;
		}
		if (left_count == 0)
			break;
		if ((rc = pick(e, v, left, left_count, reply, &at, err)) < 0)
			return rc;
		if (at < 0) {
			/* lost a probe: keep what is known, the rest in table order */
			vr->order_incomplete = true;
			for (size_t i = 0; i < left_count; i++)
				append(vr, left[i], ordered, &done);
			break;
		}
	}
	vr->ordered_count = done;
	return 0;
}

void tls_preference_apply(struct tls_engine *e)
{
	for (int v = 0; v < TLS_ENGINE_VERSIONS; v++) {
		struct tls_version_result *vr = &e->versions[v];
		if (vr->ordered_count == vr->suite_count && vr->suite_count > 0)
			memcpy(vr->suites, vr->ordered, vr->suite_count * sizeof(vr->suites[0]));
	}
}

int tls_preference_job(struct tls_engine *e, enum tls_engine_version v, struct dl_error *err)
{
	struct tls_reply *reply = malloc(sizeof(*reply));
	if (!reply)
		return dl_error_set(err, DL_ENOMEM, "tls audit: out of memory for a reply");
	int rc = order_chain(e, v, reply, err);
	free(reply);
	return rc;
}
