/* ssh-audit: what an SSH server offers, from its identification and KEXINIT, classified */
#ifndef DUTLAB_CHECKS_SSH_AUDIT_H
#define DUTLAB_CHECKS_SSH_AUDIT_H

/*
 * Issue 4, SSH remote access: we send our identification and a KEXINIT
 * (proto/ssh.c), read the server's, classify every algorithm it names
 * (proto/ssh-algorithms.c: forward secrecy, SP 800-140C, strength class)
 * and fetch its host keys (ssh-hostkey.c). The JSON is the SSH endpoint
 * shape of notes/tls-audit-spec.md; `dutlab ssh --json` prints it.
 */

#include <stdbool.h>
#include <stdint.h>

struct dl_error;
struct json_object;
struct scope;
struct ssh_host_keys;
struct ssh_ident;
struct ssh_kexinit;

struct ssh_audit_options {
	const struct scope *scope;
	const char *interface;     /* bind to it; NULL: let the kernel route */
	unsigned probe_timeout_ms; /* per connection; 0 -> 3000 */
	int64_t deadline_ns; /* CLOCK_MONOTONIC; 0 -> now + 30 s; returns what it has by then */
	bool skip_host_keys; /* only the KEXINIT: one connection */
};

/*
 * Audit one SSH endpoint; *out is a new JSON object (the caller puts it).
 * Returns 0 also when the endpoint does not speak SSH, refuses the
 * connection or stops answering: "speaks_ssh", "complete" and "incomplete"
 * say so. An error only for a bad argument (DL_EINVAL), the scope guard
 * (DL_ESCOPE) or out of memory.
 */
int ssh_audit_endpoint(const char *address, uint16_t port, const struct ssh_audit_options *o,
		       struct json_object **out, struct dl_error *err);

/*
 * The "algorithms" object for a server's KEXINIT: kex, host_key, cipher,
 * mac, compression, each a list of classified entries in the server's
 * order; cipher_client_to_server / cipher_server_to_client (and the same
 * for mac and compression) only when the two directions differ. NULL when
 * out of memory.
 */
struct json_object *ssh_audit_algorithms_json(const struct ssh_kexinit *kexinit);

/* The "ident" object: protoversion, software, comments (null when none). */
struct json_object *ssh_audit_ident_json(const struct ssh_ident *ident);

/* The "host_keys" array (fetched and not fetched keys). */
struct json_object *ssh_audit_host_keys_json(const struct ssh_host_keys *keys);

/* The strength class of a served key ("weak", "128", "256"): SP 800-57 Part 1 table 2. */
const char *ssh_audit_key_strength(const char *key_type, unsigned bits);

#endif
