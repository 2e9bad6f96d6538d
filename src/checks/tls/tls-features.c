/* tls-features: TLS compression (CRIME) and TLS_FALLBACK_SCSV (RFC 7507), one probe each */
#include "core/compat.h"

#include "checks/tls/tls-engine.h"
#include "core/error.h"
#include "proto/tls.h"

static int probe_version(struct tls_engine *e, enum tls_engine_version v, bool deflate,
			 bool fallback, struct tls_reply *reply, int *accepted,
			 enum tls_probe_outcome *outcome, struct dl_error *err)
{
	static const uint8_t deflate_null[] = {1, 0}; /* RFC 3749: DEFLATE, then null */
	const struct tls_version_result *vr = &e->versions[v];
	uint16_t offer[TLS_ENGINE_SUITES_MAX];
	for (size_t i = 0; i < vr->suite_count; i++)
		offer[i] = vr->suites[i].code;
	struct tls_client_hello h;
	tls_offer_hello(e, v, offer, vr->suite_count, &h);
	if (deflate) {
		h.compressions = deflate_null;
		h.compression_count = sizeof(deflate_null);
	}
	h.fallback_scsv = fallback;
	int rc = tls_engine_probe(e, &h, reply, outcome, NULL, true, err);
	if (rc < 0)
		return rc;
	*accepted = tls_engine_accepted(reply, *outcome, v, offer, vr->suite_count);
	return 0;
}

int tls_compression_job(struct tls_engine *e, struct dl_error *err)
{
	enum tls_engine_version v = tls_engine_best_legacy(e);
	e->compression = TLS_NO; /* TLS 1.3 has none (RFC 8446 4.1.2) */
	if (v == TLS_ENGINE_VERSIONS)
		return 0;
	struct tls_reply *reply = malloc(sizeof(*reply));
	if (!reply)
		return dl_error_set(err, DL_ENOMEM, "tls audit: out of memory for a reply");
	int accepted;
	enum tls_probe_outcome outcome;
	int rc = probe_version(e, v, true, false, reply, &accepted, &outcome, err);
	if (rc == 0) {
		if (accepted < 0)
			e->compression = TLS_UNKNOWN;
		else
			e->compression = reply->server_hello.compression == 1 ? TLS_YES : TLS_NO;
	}
	free(reply);
	return rc;
}

/* RFC 7507 3: a server that supports a higher version than the client's
 * and sees TLS_FALLBACK_SCSV answers inappropriate_fallback (86). */
int tls_fallback_job(struct tls_engine *e, struct dl_error *err)
{
	e->fallback_scsv = TLS_UNKNOWN;
	int highest = -1, lower = -1;
	for (int v = TLS_ENGINE_TLS13; v >= TLS_ENGINE_SSL3; v--) {
		if (!e->versions[v].offered)
			continue;
		if (highest < 0)
			highest = v;
		else if (lower < 0)
			lower = v;
	}
	if (lower < 0)
		return 0; /* one version: no downgrade to refuse */
	struct tls_reply *reply = malloc(sizeof(*reply));
	if (!reply)
		return dl_error_set(err, DL_ENOMEM, "tls audit: out of memory for a reply");
	int accepted;
	enum tls_probe_outcome outcome;
	int rc = probe_version(e, (enum tls_engine_version)lower, false, true, reply, &accepted,
			       &outcome, err);
	if (rc == 0) {
		if (accepted >= 0)
			e->fallback_scsv = TLS_NO;
		else if (outcome == TLS_PROBE_ANSWERED && reply->has_alert &&
			 reply->alert.description == 86)
			e->fallback_scsv = TLS_YES;
	}
	free(reply);
	return rc;
}
