/* tls-engine: what the TLS audit's probe chains find, shared by the files that find it */
#ifndef DUTLAB_CHECKS_TLS_TLS_ENGINE_H
#define DUTLAB_CHECKS_TLS_TLS_ENGINE_H

/*
 * Internal to src/checks/tls. The audit (tls-audit.c) runs in two phases:
 *   A. versions and accepted suites (tls-enumerate.c): per version, the
 *      IANA list in chunks, each chunk one probe chain;
 *   B. what needs the suites: the server's order (tls-preference.c), the
 *      named groups (tls-groups.c), compression and FALLBACK_SCSV
 *      (tls-features.c), Heartbleed and CCS injection
 *      (tls-vulnerabilities.c).
 * Every chain writes only its own slot of these results; what several
 * chains update (the smallest DH prime, the first certificate chain) is
 * under lock.
 */

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "checks/tls/tls-probe.h"
#include "proto/tls.h"

struct dl_error;
struct tls_client_hello;

enum tls_engine_version {
	TLS_ENGINE_SSL2,
	TLS_ENGINE_SSL3,
	TLS_ENGINE_TLS10,
	TLS_ENGINE_TLS11,
	TLS_ENGINE_TLS12,
	TLS_ENGINE_TLS13,
	TLS_ENGINE_VERSIONS,
};

#define TLS_ENGINE_SUITES_MAX 512
#define TLS_ENGINE_GROUPS_MAX 64
#define TLS_ENGINE_CHUNK 128    /* suites per offer: servers may reject bigger hellos */
#define TLS_ENGINE_CHUNK_MIN 64 /* a chunk reset by the server is halved (once) below this */

struct tls_found_suite {
	uint16_t code;
	uint16_t group;   /* ECDHE and TLS 1.3: the group the server chose; 0: none */
	unsigned kx_bits; /* the group's size, or the DHE prime's; 0: unknown or none */
};

enum tls_tristate { TLS_UNKNOWN = -1, TLS_NO = 0, TLS_YES = 1 };

struct tls_version_result {
	uint16_t code; /* TLS_VERSION_* */
	bool offered;
	struct tls_found_suite suites[TLS_ENGINE_SUITES_MAX]; /* in the server's order after B */
	size_t suite_count;
	enum tls_tristate server_preference;
	enum tls_tristate renegotiation_info; /* renegotiation_info in its ServerHellos */
	bool order_incomplete;                /* a probe of the order chain failed */
	/* the server's order, found in phase B while other chains read suites[];
	 * tls_preference_apply() puts suites[] in it once they have all ended */
	struct tls_found_suite ordered[TLS_ENGINE_SUITES_MAX];
	size_t ordered_count;
};

struct tls_vulnerability {
	bool tested;
	bool vulnerable;
	char detail[256];
};

struct tls_engine {
	struct tls_prober prober;
	bool vulnerabilities; /* run Heartbleed and CCS injection */
	struct tls_version_result versions[TLS_ENGINE_VERSIONS];
	uint32_t ssl2_ciphers[TLS_SSL2_CIPHERS_MAX];
	size_t ssl2_cipher_count;
	atomic_bool speaks_tls; /* some probe got TLS records (an alert counts) */
	atomic_uint chains_cut; /* chains that lost an answer twice (tls_engine_probe) */
	/* named groups accepted, by index into tls_groups[] */
	bool group_tls12[TLS_ENGINE_GROUPS_MAX];
	bool group_tls13[TLS_ENGINE_GROUPS_MAX];
	bool groups_tested;
	enum tls_tristate compression;
	enum tls_tristate fallback_scsv;
	struct tls_vulnerability heartbleed;
	struct tls_vulnerability ccs_injection;
	pthread_mutex_t lock;                 /* for what follows */
	unsigned dh_bits_min;                 /* 0: no DHE seen */
	uint8_t *chain[TLS_CERTIFICATES_MAX]; /* the first chain a TLS <= 1.2 server sent; owned */
	size_t chain_len[TLS_CERTIFICATES_MAX];
	size_t chain_count;
	uint16_t chain_version;
};

/* Version codes and the names the JSON uses ("TLSv1.2"), by index. */
uint16_t tls_engine_version_code(enum tls_engine_version v);
const char *tls_engine_version_label(enum tls_engine_version v);

/* tls-offer.c: our default hello for version v offering suites[count]: SNI,
 * supported_groups, ec_point_formats, signature_algorithms, renegotiation_info,
 * and for TLS 1.3 supported_versions with an x25519 key share. The lists are
 * static; h borrows suites. */
void tls_offer_hello(const struct tls_engine *e, enum tls_engine_version v, const uint16_t *suites,
		     size_t count, struct tls_client_hello *h);
/* Every suite we offer for a version: all of the IANA table before TLS 1.3
 * (no signalling values), or the TLS 1.3 ones. Returns the count. */
size_t tls_offer_suites(enum tls_engine_version v, uint16_t *out, size_t cap);
/* The default group order for TLS 1.2 (curves only) or 1.3 (all kinds). */
size_t tls_offer_groups(bool tls13, const uint16_t **out);

/*
 * tls_probe() with one retry of a lost probe (a small DUT under eight
 * connections may drop one): a failed connect always, silence when
 * expect_answer (the server has answered this chain before; on a chain's
 * first probe silence may be how the server refuses). When the retry is
 * lost too the chain is counted as cut, and the audit is incomplete.
 */
int tls_engine_probe(struct tls_engine *e, const struct tls_client_hello *h,
		     struct tls_reply *reply, enum tls_probe_outcome *outcome, int *keep_fd,
		     bool expect_answer, struct dl_error *err);

/* Record the key exchange the reply shows for a suite found with it. */
void tls_engine_note_kx(struct tls_engine *e, const struct tls_reply *reply,
			struct tls_found_suite *found);
/* Keep the reply's certificate chain when it is the first one seen. */
int tls_engine_keep_chain(struct tls_engine *e, const struct tls_reply *reply,
			  struct dl_error *err);
void tls_engine_release(struct tls_engine *e);

/* The server picked one of offered[count] at version v: its index, or -1. */
int tls_engine_accepted(const struct tls_reply *reply, enum tls_probe_outcome outcome,
			enum tls_engine_version v, const uint16_t *offered, size_t count);

/* Phase A: versions and suites. */
int tls_enumerate_suites(struct tls_engine *e, unsigned workers, struct dl_error *err);

/* Phase B jobs (each one chain; tls-audit.c runs them on the pool). */
int tls_preference_job(struct tls_engine *e, enum tls_engine_version v, struct dl_error *err);
void tls_preference_apply(struct tls_engine *e);
/* The groups accepted at TLS 1.3 (tls13) or the best legacy version. */
int tls_group_job(struct tls_engine *e, bool tls13, struct dl_error *err);
int tls_compression_job(struct tls_engine *e, struct dl_error *err);
int tls_fallback_job(struct tls_engine *e, struct dl_error *err);
int tls_heartbleed_job(struct tls_engine *e, struct dl_error *err);
int tls_ccs_injection_job(struct tls_engine *e, struct dl_error *err);

/* The highest legacy version (SSLv3..TLS 1.2) offered, or TLS_ENGINE_VERSIONS. */
enum tls_engine_version tls_engine_best_legacy(const struct tls_engine *e);

/* tls-audit-json.c: the spec's endpoint JSON from the results. certificates
 * (may be NULL: "certificates": null) passes to *out; incomplete NULL means
 * complete. */
struct json_object;
int tls_audit_json(const struct tls_engine *e, const char *address, uint16_t port,
		   int64_t duration_ns, const char *incomplete, struct json_object *certificates,
		   struct json_object **out, struct dl_error *err);

#endif
