/* tls-engine: the audit's shared results: version names, key exchange and chain bookkeeping */
#include "core/compat.h"

#include "checks/tls/tls-engine.h"
#include "core/error.h"
#include "proto/tls-suites.h"
#include "proto/tls.h"

uint16_t tls_engine_version_code(enum tls_engine_version v)
{
	static const uint16_t codes[TLS_ENGINE_VERSIONS] = {
		TLS_VERSION_SSL2,  TLS_VERSION_SSL3,  TLS_VERSION_TLS10,
		TLS_VERSION_TLS11, TLS_VERSION_TLS12, TLS_VERSION_TLS13,
	};
	return v < TLS_ENGINE_VERSIONS ? codes[v] : 0;
}

const char *tls_engine_version_label(enum tls_engine_version v)
{
	static const char *const labels[TLS_ENGINE_VERSIONS] = {
		"SSLv2", "SSLv3", "TLSv1.0", "TLSv1.1", "TLSv1.2", "TLSv1.3",
	};
	return v < TLS_ENGINE_VERSIONS ? labels[v] : "unknown";
}

int tls_engine_probe(struct tls_engine *e, const struct tls_client_hello *h,
		     struct tls_reply *reply, enum tls_probe_outcome *outcome, int *keep_fd,
		     bool expect_answer, struct dl_error *err)
{
	for (int attempt = 0; attempt < 2; attempt++) {
		int rc = tls_probe(&e->prober, h, reply, outcome, keep_fd, err);
		if (rc < 0)
			return rc;
		/* a reply we could not parse still speaks TLS when it came in
		 * well-framed records (a ServerHello with garbage extensions) */
		if (*outcome == TLS_PROBE_ANSWERED ||
		    (*outcome == TLS_PROBE_GARBLED && reply->record_count > 0))
			atomic_store(&e->speaks_tls, true);
		/* a failed connect is never how a TLS server refuses a hello */
		bool lost = *outcome == TLS_PROBE_UNREACHABLE ||
			    (expect_answer && *outcome == TLS_PROBE_SILENT);
		if (!lost)
			return 0;
	}
	atomic_fetch_add(&e->chains_cut, 1);
	return 0;
}

void tls_engine_note_kx(struct tls_engine *e, const struct tls_reply *reply,
			struct tls_found_suite *found)
{
	const struct tls_server_hello *sh = &reply->server_hello;
	found->group = 0;
	found->kx_bits = 0;
	if (sh->version == TLS_VERSION_TLS13) {
		found->group = sh->key_share_group;
	} else if (reply->has_server_key_exchange) {
		const struct tls_server_key_exchange *ske = &reply->server_key_exchange;
		if (ske->kind == TLS_SKE_ECDHE) {
			found->group = ske->group;
		} else if (ske->kind == TLS_SKE_DHE || ske->kind == TLS_SKE_RSA_EXPORT) {
			found->kx_bits = ske->bits;
		}
		if (ske->kind == TLS_SKE_DHE && ske->bits > 0) {
			pthread_mutex_lock(&e->lock);
			if (e->dh_bits_min == 0 || ske->bits < e->dh_bits_min)
				e->dh_bits_min = ske->bits;
			pthread_mutex_unlock(&e->lock);
		}
	}
	if (found->group) {
		const struct tls_group *g = tls_group_by_code(found->group);
		found->kx_bits = g ? g->bits : 0;
	}
}

int tls_engine_keep_chain(struct tls_engine *e, const struct tls_reply *reply, struct dl_error *err)
{
	if (reply->certificate_count == 0)
		return 0;
	int rc = 0;
	pthread_mutex_lock(&e->lock);
	/* the highest version's chain wins: it is what a current client sees */
	if (e->chain_count == 0 || reply->server_hello.version > e->chain_version) {
		for (size_t i = 0; i < e->chain_count; i++)
			free(e->chain[i]);
		e->chain_count = 0;
		for (size_t i = 0; i < reply->certificate_count; i++) {
			const struct tls_certificate *c = &reply->certificates[i];
			e->chain[i] = malloc(c->len);
			if (!e->chain[i]) {
				rc = dl_error_set(
					err, DL_ENOMEM,
					"tls audit: out of memory for the certificate chain");
				break;
			}
			memcpy(e->chain[i], c->der, c->len);
			e->chain_len[i] = c->len;
			e->chain_count++;
		}
		e->chain_version = reply->server_hello.version;
	}
	pthread_mutex_unlock(&e->lock);
	return rc;
}

void tls_engine_release(struct tls_engine *e)
{
	for (size_t i = 0; i < e->chain_count; i++)
		free(e->chain[i]);
	e->chain_count = 0;
	pthread_mutex_destroy(&e->lock);
}

int tls_engine_accepted(const struct tls_reply *reply, enum tls_probe_outcome outcome,
			enum tls_engine_version v, const uint16_t *offered, size_t count)
{
	if (outcome != TLS_PROBE_ANSWERED || !reply->has_server_hello)
		return -1;
	if (reply->server_hello.version != tls_engine_version_code(v))
		return -1;
	for (size_t i = 0; i < count; i++)
		if (offered[i] == reply->server_hello.cipher_suite)
			return (int)i;
	return -1; /* a suite we did not offer: not an acceptance of ours */
}

enum tls_engine_version tls_engine_best_legacy(const struct tls_engine *e)
{
	for (int v = TLS_ENGINE_TLS12; v >= TLS_ENGINE_SSL3; v--)
		if (e->versions[v].offered && e->versions[v].suite_count > 0)
			return (enum tls_engine_version)v;
	return TLS_ENGINE_VERSIONS;
}
