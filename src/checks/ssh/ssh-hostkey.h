/* ssh-hostkey: fetch an SSH server's host keys, one connection per key type, with libssh */
#ifndef DUTLAB_CHECKS_SSH_HOSTKEY_H
#define DUTLAB_CHECKS_SSH_HOSTKEY_H

/*
 * The KEXINIT only names host-key algorithms; the keys themselves arrive
 * signed in the key exchange. libssh does that exchange for us: one
 * connection per key type, each asking for only that algorithm, on a socket
 * we opened through the scope guard. The fingerprints are written as
 * `ssh-keygen -l` writes them, so a second unit or a factory reset can be
 * compared with what an operator sees.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct dl_error;
struct scope;

#define SSH_HOST_KEYS_MAX 16

struct ssh_host_key {
	char algorithm[64];    /* the host-key algorithm we asked for ("rsa-sha2-512") */
	char key_type[64];     /* the key's own type ("ssh-rsa"); "" when not fetched */
	unsigned bits;         /* modulus or curve size, as ssh-keygen -l prints it */
	char fingerprint[128]; /* "SHA256:" + unpadded base64, like ssh-keygen -l */
	bool fetched;
	char error[192]; /* why not, when !fetched ("libssh does not support ssh-dss") */
};

struct ssh_host_keys {
	size_t count;
	struct ssh_host_key keys[SSH_HOST_KEYS_MAX];
	unsigned connections; /* TCP connections made */
	bool deadline_hit;    /* some algorithms were not tried: deadline_ns passed */
};

/*
 * For each of algorithms (the server's server_host_key_algorithms), fetch
 * the key with one connection that offers only that algorithm; the
 * connections run in parallel, one thread each. The RSA signature variants
 * (rsa-sha2-512, rsa-sha2-256, ssh-rsa) share one key: it is fetched once,
 * with the first of them that works. out->keys has one entry per key type,
 * in the server's order. Certificate
 * algorithms (*-cert-v01@openssh.com) and algorithms libssh lacks are
 * listed as not fetched, with the reason. Each connection ends by
 * deadline_ns. Returns 0 (failures per key are in out), DL_ESCOPE when the
 * scope guard refuses the address, DL_EINVAL for a bad argument.
 */
int ssh_host_keys_fetch(const struct scope *scope, const char *interface, const char *address,
			uint16_t port, const char *const *algorithms, size_t algorithm_count,
			int64_t deadline_ns, struct ssh_host_keys *out, struct dl_error *err);

/*
 * Describe a public key given as in an OpenSSH .pub line ("ssh-ed25519",
 * "AAAAC3Nza..."): key_type, bits and fingerprint, as for a fetched key.
 */
int ssh_host_key_describe_base64(const char *type, const char *base64, struct ssh_host_key *out,
				 struct dl_error *err);

/* The key type an algorithm signs with: "ssh-rsa" for the RSA variants, else the name. */
const char *ssh_host_key_type(const char *algorithm);

/*
 * The size in bits of an SSH public key blob (RFC 4253 6.6, RFC 5656 3.1,
 * RFC 8709): the RSA modulus, the DSA prime, the ECDSA curve, 256 for
 * Ed25519, 456 for Ed448. Fills *key_type (cap bytes) with the blob's type.
 */
int ssh_host_key_blob_bits(const uint8_t *blob, size_t len, char *key_type, size_t cap,
			   unsigned *bits, struct dl_error *err);

#endif
