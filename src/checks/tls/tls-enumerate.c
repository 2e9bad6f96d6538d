/* tls-enumerate: phase A: the versions a server speaks and every suite it accepts in each */
#include "core/compat.h"

/*
 * Per version, the IANA list is offered in chunks of at most
 * TLS_ENGINE_CHUNK suites (a hello of ~450 suites is ~1 KiB, but some
 * servers reset hellos over 255 or 511 bytes; a chunk that gets a reset is
 * halved down to TLS_ENGINE_CHUNK_MIN before we believe it). Each chunk is
 * one chain: offer it, note the suite the server picked, offer the rest,
 * until the server refuses. The chunks interleave the list (chunk k holds
 * every nth suite from k), so the accepted suites, which cluster in the
 * 0xc0xx range, spread over the chains and the chains run in parallel in
 * about equal time.
 */

#include "checks/tls/tls-engine.h"
#include "checks/tls/tls-workers.h"
#include "core/error.h"
#include "proto/tls-suites.h"
#include "proto/tls.h"

struct chunk_job {
	enum tls_engine_version version; /* TLS_ENGINE_SSL2: the one SSLv2 probe */
	size_t chunk;                    /* which chunk of the version's list */
	uint16_t offer[TLS_ENGINE_CHUNK];
	size_t offer_count;
	struct tls_found_suite found[TLS_ENGINE_CHUNK];
	size_t found_count;
	enum tls_tristate renegotiation_info;
};

struct phase_a {
	struct tls_engine *e;
	struct chunk_job *jobs;
	size_t job_count;
	/* set when a version's first chunk was refused for the version itself
	 * (protocol_version, or a ServerHello of another version): its later
	 * chunks need not be offered */
	atomic_bool refused[TLS_ENGINE_VERSIONS];
};

/* The server refused the version, whatever the suites. */
static bool version_refused(const struct tls_reply *reply, enum tls_probe_outcome outcome,
			    enum tls_engine_version v)
{
	if (outcome != TLS_PROBE_ANSWERED)
		return false;
	if (reply->has_server_hello)
		return reply->server_hello.version != tls_engine_version_code(v);
	return reply->has_alert && reply->alert.description == 70; /* protocol_version */
}

struct range {
	size_t start;
	size_t count;
};

static int chunk_chain(struct phase_a *a, struct chunk_job *job, struct tls_reply *reply,
		       struct dl_error *err)
{
	struct tls_engine *e = a->e;
	if (job->chunk > 0 && atomic_load(&a->refused[job->version]))
		return 0;
	struct range stack[16];
	size_t depth = 0;
	stack[depth++] = (struct range){0, job->offer_count};
	/* each range is probed at most count+1 times; halving makes at most
	 * 2 * TLS_ENGINE_CHUNK / TLS_ENGINE_CHUNK_MIN ranges */
	while (depth > 0) {
		struct range r = stack[--depth];
		uint16_t left[TLS_ENGINE_CHUNK];
		size_t n = r.count;
		memcpy(left, job->offer + r.start, n * sizeof(left[0]));
		for (size_t round = 0; round <= r.count && n > 0; round++) {
			struct tls_client_hello h;
			enum tls_probe_outcome outcome;
			tls_offer_hello(e, job->version, left, n, &h);
			int rc = tls_engine_probe(e, &h, reply, &outcome, NULL, round > 0, err);
			if (rc < 0)
				return rc;
			int at = tls_engine_accepted(reply, outcome, job->version, left, n);
			if (round == 0 && job->chunk == 0 &&
			    version_refused(reply, outcome, job->version))
				atomic_store(&a->refused[job->version], true);
			if (at < 0) {
				bool reset = outcome == TLS_PROBE_CLOSED;
				if (round == 0 && reset && r.count > TLS_ENGINE_CHUNK_MIN &&
				    depth + 2 <= DL_ARRAY_SIZE(stack)) {
					size_t half = r.count / 2;
					stack[depth++] = (struct range){r.start, half};
					stack[depth++] =
						(struct range){r.start + half, r.count - half};
				}
				break;
			}
			struct tls_found_suite *f = &job->found[job->found_count++];
			f->code = left[at];
			tls_engine_note_kx(e, reply, f);
			if (job->version != TLS_ENGINE_TLS13) {
				bool reneg = reply->server_hello.has_renegotiation_info;
				if (job->renegotiation_info != TLS_YES)
					job->renegotiation_info = reneg ? TLS_YES : TLS_NO;
				if ((rc = tls_engine_keep_chain(e, reply, err)) < 0)
					return rc;
			}
			memmove(left + at, left + at + 1, (n - (size_t)at - 1) * sizeof(left[0]));
			n--;
		}
	}
	return 0;
}

/* SSL 2.0: one CLIENT-HELLO with every cipher kind; the SERVER-HELLO lists
 * the ones the server shares with us, so no chain is needed. */
static int ssl2_probe(struct tls_engine *e, struct tls_reply *reply, struct dl_error *err)
{
	static const uint32_t kinds[] = {
		TLS_SSL2_RC4_128_WITH_MD5,          TLS_SSL2_RC4_128_EXPORT40_WITH_MD5,
		TLS_SSL2_RC2_128_CBC_WITH_MD5,      TLS_SSL2_RC2_128_CBC_EXPORT40_WITH_MD5,
		TLS_SSL2_IDEA_128_CBC_WITH_MD5,     TLS_SSL2_DES_64_CBC_WITH_MD5,
		TLS_SSL2_DES_192_EDE3_CBC_WITH_MD5,
	};
	struct tls_client_hello h;
	enum tls_probe_outcome outcome;
	tls_offer_hello(e, TLS_ENGINE_SSL2, NULL, 0, &h);
	h.ssl2_ciphers = kinds;
	h.ssl2_cipher_count = DL_ARRAY_SIZE(kinds);
	int rc = tls_engine_probe(e, &h, reply, &outcome, NULL, false, err);
	if (rc < 0)
		return rc;
	if (outcome != TLS_PROBE_ANSWERED || !reply->ssl2 || reply->ssl2_error)
		return 0;
	for (size_t i = 0; i < reply->ssl2_hello.cipher_count; i++) {
		uint32_t kind = reply->ssl2_hello.ciphers[i];
		for (size_t j = 0; j < DL_ARRAY_SIZE(kinds); j++)
			if (kind == kinds[j] && e->ssl2_cipher_count < TLS_SSL2_CIPHERS_MAX)
				e->ssl2_ciphers[e->ssl2_cipher_count++] = kind;
	}
	e->versions[TLS_ENGINE_SSL2].offered = e->ssl2_cipher_count > 0;
	return 0;
}

static int phase_a_job(void *context, size_t index, struct dl_error *err)
{
	struct phase_a *a = context;
	struct tls_reply *reply = malloc(sizeof(*reply));
	if (!reply)
		return dl_error_set(err, DL_ENOMEM, "tls audit: out of memory for a reply");
	struct chunk_job *job = &a->jobs[index];
	int rc = job->version == TLS_ENGINE_SSL2 ? ssl2_probe(a->e, reply, err)
						 : chunk_chain(a, job, reply, err);
	free(reply);
	return rc;
}

static int compare_found(const void *x, const void *y)
{
	const struct tls_found_suite *a = x, *b = y;
	return (int)a->code - (int)b->code;
}

int tls_enumerate_suites(struct tls_engine *e, unsigned workers, struct dl_error *err)
{
	/* 4 legacy versions of ~450 suites, TLS 1.3's few, SSLv2: 4 * 4 + 2 */
	enum { JOBS_MAX = 24 };
	struct phase_a a = {.e = e};
	a.jobs = calloc(JOBS_MAX, sizeof(*a.jobs));
	if (!a.jobs)
		return dl_error_set(err, DL_ENOMEM,
				    "tls audit: out of memory for the suite chains");
	for (int v = 0; v < TLS_ENGINE_VERSIONS; v++)
		atomic_init(&a.refused[v], false);
	/* Every version's first chunk first (TLS 1.2, the likeliest with the
	 * most suites, leading), SSLv2, then the other chunks: by the time a
	 * worker takes a later chunk, the first one has usually told whether
	 * the version is spoken at all, and a refused version's later chunks
	 * cost no connection. */
	static const enum tls_engine_version order[] = {TLS_ENGINE_TLS12, TLS_ENGINE_TLS13,
							TLS_ENGINE_TLS10, TLS_ENGINE_TLS11,
							TLS_ENGINE_SSL3};
	for (size_t pass = 0; pass < 2; pass++) {
		for (size_t o = 0; o < DL_ARRAY_SIZE(order); o++) {
			enum tls_engine_version v = order[o];
			uint16_t all[TLS_ENGINE_SUITES_MAX];
			size_t n = tls_offer_suites(v, all, DL_ARRAY_SIZE(all));
			size_t chunks = (n + TLS_ENGINE_CHUNK - 1) / TLS_ENGINE_CHUNK;
			for (size_t k = pass;
			     k < (pass == 0 ? 1 : chunks) && a.job_count < JOBS_MAX; k++) {
				struct chunk_job *job = &a.jobs[a.job_count++];
				job->version = v;
				job->chunk = k;
				job->renegotiation_info = TLS_UNKNOWN;
				for (size_t i = k; i < n && job->offer_count < TLS_ENGINE_CHUNK;
				     i += chunks)
					job->offer[job->offer_count++] = all[i];
			}
		}
		if (pass == 0 && a.job_count < JOBS_MAX)
			a.jobs[a.job_count++] = (struct chunk_job){.version = TLS_ENGINE_SSL2};
	}
	int rc = tls_workers_run(a.job_count, workers, phase_a_job, &a, err);
	for (size_t i = 0; rc == 0 && i < a.job_count; i++) {
		const struct chunk_job *job = &a.jobs[i];
		struct tls_version_result *vr = &e->versions[job->version];
		for (size_t j = 0; j < job->found_count && vr->suite_count < TLS_ENGINE_SUITES_MAX;
		     j++)
			vr->suites[vr->suite_count++] = job->found[j];
		if (job->renegotiation_info != TLS_UNKNOWN && vr->renegotiation_info != TLS_YES)
			vr->renegotiation_info = job->renegotiation_info;
	}
	for (int v = TLS_ENGINE_SSL3; v < TLS_ENGINE_VERSIONS; v++) {
		struct tls_version_result *vr = &e->versions[v];
		vr->offered = vr->suite_count > 0;
		qsort(vr->suites, vr->suite_count, sizeof(vr->suites[0]), compare_found);
	}
	free(a.jobs);
	return rc;
}
