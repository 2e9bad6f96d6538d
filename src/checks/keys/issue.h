/* issue: a lab CA and a server certificate it signs, to install on a DUT (TS-0014-1 5.4.1.3) */
#ifndef DUTLAB_CHECKS_KEYS_ISSUE_H
#define DUTLAB_CHECKS_KEYS_ISSUE_H

#include <stddef.h>

struct dl_error;

#define KEYS_ISSUE_PATH_MAX 4200

/* The leaf's key: what the DUT serves now, so a DUT that only offers RSA
 * suites can serve the new certificate. The CA is always EC P-256. */
enum keys_issue_key {
	KEYS_ISSUE_EC_P256,
	KEYS_ISSUE_RSA, /* rsa_bits, at least 2048 */
};

struct keys_issued {
	char ca_certificate[KEYS_ISSUE_PATH_MAX]; /* DIR/lab-ca.pem */
	char certificate[KEYS_ISSUE_PATH_MAX];    /* DIR/lab-leaf.pem: the leaf alone */
	char key[KEYS_ISSUE_PATH_MAX];            /* DIR/lab-leaf.key: its PKCS#8 PEM key */
	char sha256[65];                          /* of the leaf's DER */
	char spki_sha256[65];                     /* of its SubjectPublicKeyInfo */
	char subject[256];                        /* "O=dutlab lab, CN=..." */
};

/*
 * Make a fresh CA (EC P-256, CA:TRUE, keyCertSign) and a leaf it signs (key
 * as key_type says, serverAuth, digitalSignature and for RSA keyEncipherment), both valid from an
 * hour ago, in dir. The CA's key is not kept: nothing else is ever signed with it. The leaf's SAN
 * holds every address as an IP entry and every dns_names as a DNS entry; its CN is the first DNS
 * name, else the first address. The keys are written 0600. 0, DL_EINVAL (no name, a bad address),
 * DL_EIO (a file) or DL_ENOMEM.
 */
int keys_issue_lab_certificate(const char *dir, const char *const *addresses, size_t address_count,
			       const char *const *dns_names, size_t dns_count,
			       enum keys_issue_key key_type, unsigned rsa_bits,
			       struct keys_issued *out, struct dl_error *err);

#endif
