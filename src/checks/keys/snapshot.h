/* snapshot: the TLS and SSH key fingerprints a DUT address serves at one moment */
#ifndef DUTLAB_CHECKS_KEYS_SNAPSHOT_H
#define DUTLAB_CHECKS_KEYS_SNAPSHOT_H

/*
 * A snapshot is what the key checks compare: before and after a factory
 * reset (TS-0014-1 5.4.1.4), across units of one model (IoT-1006-1
 * 5.2.1.3), and against a certificate we installed (TS-0014-1 5.4.1.3).
 * The ports come from the discovery.scan observation: every port it found
 * speaking TLS and every port it identified as SSH.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct dl_error;
struct json_object;
struct scope;

#define KEYS_PORTS_MAX 64

struct keys_ports {
	uint16_t tls[KEYS_PORTS_MAX];
	size_t tls_count;
	uint16_t ssh[KEYS_PORTS_MAX];
	size_t ssh_count;
};

/*
 * The TLS and SSH ports of a discovery.scan observation (scan_view_load)
 * found on address, or on any address when address is NULL or the scan did
 * not scan it (each port once, ascending). 0, or DL_EINVAL when the
 * observation is malformed.
 */
int keys_ports_from_scan(const struct json_object *scan, const char *address,
			 struct keys_ports *out, struct dl_error *err);

struct keys_snapshot_options {
	const struct scope *scope;
	const char *interface;    /* sock_interface(scope) */
	int64_t deadline_ns;      /* CLOCK_MONOTONIC; nothing waits past it */
	unsigned port_timeout_ms; /* per port; 0 -> 5000 */
};

/*
 * Connect to every port of address and record the keys it serves:
 *   {"address": "198.18.1.2",
 *    "tls": [{"port": 443, "spki_sha256": "..", "sha256": "..", "subject": "O=Acme, CN=.."}],
 *    "ssh": [{"port": 22, "algorithm": "ssh-ed25519", "fingerprint": "SHA256:.."}],
 *    "errors": [{"port": 443, "service": "tls", "error": "why"}]}
 * A port that does not answer, or an SSH host-key algorithm whose key could
 * not be fetched, is an entry of "errors", not a failure: a comparison must
 * see that something was not read rather than miss it. Returns 0, DL_ESCOPE
 * when the scope guard refuses the address, DL_EINVAL or DL_ENOMEM.
 */
int keys_snapshot(const struct keys_snapshot_options *o, const char *address,
		  const struct keys_ports *ports, struct json_object **out, struct dl_error *err);

/* Whether every port answers a TCP connect (through the scope guard);
 * polls until deadline_ns. true as soon as they all did once. */
bool keys_wait_ports(const struct keys_snapshot_options *o, const char *address,
		     const struct keys_ports *ports, int64_t deadline_ns);

#endif
