/* ssh-algorithms: SSH algorithm names classified by kind, forward secrecy, SP 800-140C, strength */
#ifndef DUTLAB_PROTO_SSH_ALGORITHMS_H
#define DUTLAB_PROTO_SSH_ALGORITHMS_H

/*
 * The SSH audit (issue 4) looks every name a server offers up here. The
 * rules for each column are in ssh-algorithms.c, next to the table.
 */

#include <stdbool.h>
#include <stddef.h>

enum ssh_algorithm_kind {
	SSH_ALGORITHM_KEX,
	SSH_ALGORITHM_HOST_KEY,
	SSH_ALGORITHM_CIPHER,
	SSH_ALGORITHM_MAC,
	SSH_ALGORITHM_COMPRESSION,
	/* a kex_algorithms entry that signals an extension, not a key exchange
	 * (ext-info-c, kex-strict-s-v00@openssh.com) */
	SSH_ALGORITHM_KEX_EXTENSION,
};

enum ssh_strength {
	SSH_STRENGTH_NOT_APPLICABLE, /* compression, extension markers */
	SSH_STRENGTH_NONE,           /* no protection at all ("none") */
	SSH_STRENGTH_WEAK,           /* below 112 bits, or a broken primitive */
	SSH_STRENGTH_128,            /* 112 to 255 bits: the AES-128 class */
	SSH_STRENGTH_256,            /* 256 bits: the AES-256 class */
};

struct ssh_algorithm {
	const char *name; /* as on the wire */
	enum ssh_algorithm_kind kind;
	bool forward_secrecy; /* key exchange: ephemeral keys on both sides */
	bool approved;        /* NIST SP 800-140C (and 800-140D for key exchange) */
	enum ssh_strength strength;
	const char *note; /* why, when the columns need a reason; or NULL */
};

/* Sorted by name, then kind; (name, kind) is unique. */
extern const struct ssh_algorithm ssh_algorithms[];
extern const size_t ssh_algorithm_count;

/* The entry for name as a kind of algorithm, or NULL if we do not know it. */
const struct ssh_algorithm *ssh_algorithm_find(enum ssh_algorithm_kind kind, const char *name);

/* "kex", "host key", "cipher", "mac", "compression", "kex extension" */
const char *ssh_algorithm_kind_name(enum ssh_algorithm_kind kind);
/* "n/a", "none", "weak", "128", "256" */
const char *ssh_strength_name(enum ssh_strength strength);

#endif
