/* tls-audit: audit one TLS endpoint: suites, order, groups, features, flaws, certificates */
#include "core/compat.h"

#include <arpa/inet.h>
#include <json-c/json.h>

#include "checks/tls/tls-audit.h"
#include "checks/tls/tls-certificate.h"
#include "checks/tls/tls-engine.h"
#include "checks/tls/tls-workers.h"
#include "core/error.h"
#include "net/sock.h"
#include "proto/tls-suites.h"

enum job_kind {
	JOB_PREFERENCE,
	JOB_HEARTBLEED,
	JOB_CCS,
	JOB_CHAIN,
	JOB_COMPRESSION,
	JOB_FALLBACK,
	JOB_GROUP12,
	JOB_GROUP13,
};

struct job {
	enum job_kind kind;
	size_t param; /* a version or a group index */
};

/* phase B: 5 orders, 2 group chains and a few single probes */
#define PHASE_B_MAX 16

struct phase_b {
	struct tls_engine *e;
	struct job jobs[PHASE_B_MAX];
	size_t count;
	const char *address;
	uint16_t port;
	struct tls_chain chain; /* JOB_CHAIN: fetched by an OpenSSL handshake */
	int chain_rc;
	char chain_error[DL_ERROR_MESSAGE_MAX];
};

static int chain_job(struct phase_b *b)
{
	struct tls_engine *e = b->e;
	struct dl_error err = {0};
	atomic_fetch_add(&e->prober.connections, 1);
	b->chain_rc = tls_chain_fetch(
		e->prober.scope, e->prober.interface, b->address, b->port, e->prober.server_name,
		sock_now_ns() + (int64_t)e->prober.timeout_ms * 1000000, &b->chain, &err);
	if (b->chain_rc < 0)
		snprintf(b->chain_error, sizeof(b->chain_error), "%s", err.message);
	return b->chain_rc == DL_ESCOPE || b->chain_rc == DL_ENOMEM ? b->chain_rc : 0;
}

static int phase_b_job(void *context, size_t index, struct dl_error *err)
{
	struct phase_b *b = context;
	const struct job *j = &b->jobs[index];
	switch (j->kind) {
	case JOB_PREFERENCE:
		return tls_preference_job(b->e, (enum tls_engine_version)j->param, err);
	case JOB_HEARTBLEED: return tls_heartbleed_job(b->e, err);
	case JOB_CCS: return tls_ccs_injection_job(b->e, err);
	case JOB_CHAIN: return chain_job(b);
	case JOB_COMPRESSION: return tls_compression_job(b->e, err);
	case JOB_FALLBACK: return tls_fallback_job(b->e, err);
	case JOB_GROUP12: return tls_group_job(b->e, false, err);
	case JOB_GROUP13: return tls_group_job(b->e, true, err);
	}
	return 0;
}

static void add_job(struct phase_b *b, enum job_kind kind, size_t param)
{
	if (b->count < PHASE_B_MAX)
		b->jobs[b->count++] = (struct job){kind, param};
}

static bool has_ecdhe(const struct tls_version_result *vr)
{
	for (size_t i = 0; i < vr->suite_count; i++) {
		const struct tls_suite *s = tls_suite_by_code(vr->suites[i].code);
		if (s && (s->kx == TLS_KX_ECDHE || s->kx == TLS_KX_ECDHE_PSK))
			return true;
	}
	return false;
}

static void plan_phase_b(struct phase_b *b, bool fetch_chain)
{
	struct tls_engine *e = b->e;
	/* the long chains (the server's order: one probe per suite) first */
	for (int v = TLS_ENGINE_TLS12; v >= TLS_ENGINE_SSL3; v--)
		if (e->versions[v].suite_count >= 2)
			add_job(b, JOB_PREFERENCE, (size_t)v);
	if (e->versions[TLS_ENGINE_TLS13].suite_count >= 2)
		add_job(b, JOB_PREFERENCE, TLS_ENGINE_TLS13);
	/* then the group chains (accepted + 1 probes each), then single probes */
	enum tls_engine_version best = tls_engine_best_legacy(e);
	bool tls12 = best != TLS_ENGINE_VERSIONS && has_ecdhe(&e->versions[best]);
	bool tls13 = e->versions[TLS_ENGINE_TLS13].offered;
	e->groups_tested = tls12 || tls13;
	if (tls13)
		add_job(b, JOB_GROUP13, 0);
	if (tls12)
		add_job(b, JOB_GROUP12, 0);
	if (fetch_chain)
		add_job(b, JOB_CHAIN, 0);
	if (e->vulnerabilities) {
		add_job(b, JOB_HEARTBLEED, 0);
		add_job(b, JOB_CCS, 0);
	}
	add_job(b, JOB_COMPRESSION, 0);
	add_job(b, JOB_FALLBACK, 0);
}

static bool is_ip_address(const char *name)
{
	uint8_t buf[16];
	return inet_pton(AF_INET, name, buf) == 1 || inet_pton(AF_INET6, name, buf) == 1;
}

/* The certificate facts of the chain the audit saw, or the fetched one. */
static int certificates_json(const struct tls_engine *e, const struct phase_b *b,
			     const char *address, const struct tls_audit_options *o,
			     struct json_object **out, struct dl_error *err)
{
	const unsigned char *der[TLS_CERTIFICATES_MAX];
	size_t len[TLS_CERTIFICATES_MAX], count = 0;
	*out = NULL;
	if (e->chain_count > 0) {
		for (size_t i = 0; i < e->chain_count; i++) {
			der[i] = e->chain[i];
			len[i] = e->chain_len[i];
		}
		count = e->chain_count;
	} else if (b->chain_rc == 0 && b->chain.count > 0) {
		for (size_t i = 0; i < b->chain.count && i < TLS_CERTIFICATES_MAX; i++) {
			der[i] = b->chain.der[i];
			len[i] = b->chain.der_len[i];
			count++;
		}
	}
	if (count == 0)
		return 0;
	/* without names from the profile, the leaf must match what we connected to */
	const char *fallback[2];
	size_t fallback_count = 0;
	if (o->server_name)
		fallback[fallback_count++] = o->server_name;
	if (!o->server_name || is_ip_address(address))
		fallback[fallback_count++] = address;
	struct tls_certificate_options co = {
		.ca_bundle = o->ca_bundle,
		.expected_names = o->expected_name_count ? o->expected_names : fallback,
		.expected_name_count =
			o->expected_name_count ? o->expected_name_count : fallback_count,
	};
	int rc = tls_certificate_facts(der, len, count, &co, out, err);
	if (rc == DL_EINVAL) {
		/* a bad CA bundle or a too-long chain is a finding about this
		 * endpoint's JSON, not a reason to lose the whole audit */
		*out = json_object_new_object();
		if (!*out)
			return dl_error_set(err, DL_ENOMEM, "tls audit: out of memory");
		json_object_object_add(*out, "error", json_object_new_string(err->message));
		return 0;
	}
	return rc;
}

static void progress(const struct tls_audit_options *o, uint64_t done, uint64_t total,
		     const char *what)
{
	if (o->progress)
		o->progress(o->progress_opaque, done, total, what);
}

static void init_engine(struct tls_engine *e, const struct tls_audit_options *o)
{
	pthread_mutex_init(&e->lock, NULL);
	e->vulnerabilities = o->vulnerabilities;
	atomic_init(&e->speaks_tls, false);
	atomic_init(&e->chains_cut, 0);
	for (int v = 0; v < TLS_ENGINE_VERSIONS; v++) {
		e->versions[v].code = tls_engine_version_code(v);
		e->versions[v].server_preference = TLS_UNKNOWN;
		e->versions[v].renegotiation_info = TLS_UNKNOWN;
	}
	e->compression = TLS_UNKNOWN;
	e->fallback_scsv = TLS_UNKNOWN;
}

/* Why the result is not complete, or NULL. */
static const char *incompleteness(const struct tls_engine *e, char *buf, size_t size)
{
	if (atomic_load(&e->prober.deadline_passed))
		return "the audit's deadline passed before every probe ran";
	uint64_t unreachable = atomic_load(&e->prober.unreachable);
	if (unreachable > 0 && !atomic_load(&e->speaks_tls)) {
		snprintf(buf, size, "no connection to the endpoint (%" PRIu64 " attempts failed)",
			 unreachable);
		return buf;
	}
	unsigned cut = atomic_load(&e->chains_cut);
	if (cut > 0) {
		snprintf(buf, size,
			 "%u probe chains lost an answer twice (the server stopped answering); "
			 "suites or groups may be missing",
			 cut);
		return buf;
	}
	for (int v = 0; v < TLS_ENGINE_VERSIONS; v++)
		if (e->versions[v].order_incomplete) {
			snprintf(buf, size, "the %s suite order lost a probe",
				 tls_engine_version_label(v));
			return buf;
		}
	return NULL;
}

int tls_audit_endpoint(const char *address, uint16_t port, const struct tls_audit_options *o,
		       struct json_object **out, struct dl_error *err)
{
	if (!address || !o || !out || !o->scope || port == 0)
		return dl_error_set(err, DL_EINVAL,
				    "tls audit: needs an address, a port, options and a scope");
	*out = NULL;
	int64_t start = sock_now_ns();
	/* without a deadline from the caller: ten minutes, a bound all the same */
	int64_t deadline = o->deadline_ns ? o->deadline_ns : start + 600 * (int64_t)1000000000;
	unsigned workers = o->connections_max ? o->connections_max : 8;
	struct tls_engine *e = calloc(1, sizeof(*e));
	struct phase_b *b = calloc(1, sizeof(*b));
	if (!e || !b) {
		free(e);
		free(b);
		return dl_error_set(err, DL_ENOMEM, "tls audit: out of memory");
	}
	init_engine(e, o);
	int rc = tls_prober_init(&e->prober, o->scope, o->interface, address, port, o->server_name,
				 o->probe_timeout_ms, deadline, err);
	if (rc == 0) {
		progress(o, 0, 2, "versions and cipher suites");
		rc = tls_enumerate_suites(e, workers, err);
	}
	if (rc == 0 && atomic_load(&e->speaks_tls)) {
		progress(o, 1, 2, "suite order, groups, features, vulnerabilities, certificates");
		b->e = e;
		b->address = address;
		b->port = port;
		bool any_tls = false;
		for (int v = TLS_ENGINE_SSL3; v < TLS_ENGINE_VERSIONS; v++)
			any_tls = any_tls || e->versions[v].offered;
		plan_phase_b(b, any_tls && e->chain_count == 0);
		rc = tls_workers_run(b->count, workers, phase_b_job, b, err);
		tls_preference_apply(e);
	}
	struct json_object *certificates = NULL;
	if (rc == 0)
		rc = certificates_json(e, b, address, o, &certificates, err);
	if (rc == 0) {
		char why[256];
		progress(o, 2, 2, "done");
		rc = tls_audit_json(e, address, port, sock_now_ns() - start,
				    incompleteness(e, why, sizeof(why)), certificates, out, err);
		if (rc == 0 && !certificates && b->chain_rc < 0)
			json_object_object_add(*out, "certificates_error",
					       json_object_new_string(b->chain_error));
	} else {
		json_object_put(certificates);
	}
	tls_chain_release(&b->chain);
	tls_engine_release(e);
	free(b);
	free(e);
	return rc;
}
