/* tls-audit: audit one TLS endpoint: suites, order, groups, features, flaws, certificates */
#ifndef DUTLAB_CHECKS_TLS_TLS_AUDIT_H
#define DUTLAB_CHECKS_TLS_TLS_AUDIT_H

/*
 * The server side of issue 4, enumerated with our own ClientHellos
 * (src/proto/tls.c), so what a distribution's OpenSSL build cannot offer
 * (SSLv2, SSLv3, export and NULL suites) is still tested. The JSON shape is
 * /work/notes/tls-audit-spec.md's "TLS endpoint JSON".
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct dl_error;
struct json_object;
struct scope;

struct tls_audit_options {
	const struct scope *scope;
	const char *interface; /* bind to it (sock_interface(scope)); NULL: let the kernel route */
	const char *server_name;   /* SNI; NULL: none */
	unsigned connections_max;  /* parallel connections to this endpoint; 0 -> 8 */
	unsigned probe_timeout_ms; /* per connection; 0 -> 3000 */
	int64_t deadline_ns;       /* CLOCK_MONOTONIC; the audit returns what it has by then, marked
				      incomplete */
	bool vulnerabilities;      /* heartbleed, CCS injection */
	const char *ca_bundle;     /* for the chain trust verdict; NULL: system default store */
	const char *const *expected_names; /* names/addresses the leaf must match (SAN) */
	size_t expected_name_count;
	void (*progress)(void *opaque, uint64_t done, uint64_t total, const char *what);
	void *progress_opaque;
};

/* Audit one TLS endpoint; *out is a new JSON object of the shape below. Returns 0 also when the
 * endpoint does not speak TLS or stops answering (that is in the JSON); an error only for a
 * bad argument, the scope guard, or out of memory. */
int tls_audit_endpoint(const char *address, uint16_t port, const struct tls_audit_options *o,
		       struct json_object **out, struct dl_error *err);

#endif
