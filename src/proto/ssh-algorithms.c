/* ssh-algorithms: the SSH algorithm table and its lookup by name */
#include "core/compat.h"

#include "proto/ssh-algorithms.h"

/*
 * How each column is decided (issue 4: one table we maintain in the repo).
 *
 * approved: listed as an approved security function in NIST SP 800-140C
 * (block ciphers, modes, hashes, MACs, signatures) or, for key exchange,
 * in its companion SP 800-140D (SP 800-56A r3 and 56B r2 schemes), with the
 * transitions of SP 800-131A r2 applied (no SHA-1 signatures, no TDEA
 * encryption after 2023, no DSA signing since FIPS 186-5).
 *
 * strength: the security strength of SP 800-57 Part 1 r5 table 2, in
 * classes: 256 from 256 bits up (AES-256, P-521, HMAC-SHA-256), 128 from 112
 * to 255 bits (AES-128, 2048-bit DH, P-256, P-384), weak below 112 bits or
 * when the primitive is broken in SSH's use (RC4, 64-bit blocks, MD5,
 * SHA-1 signatures), none for "none". A host-key name does not carry its
 * key size: rsa-sha2-256 is 128 here for a modulus of 2048 bits or more, and
 * the audit must check the served key.
 *
 * chacha20-poly1305@openssh.com is approved = false, strength 256: neither
 * ChaCha20 nor Poly1305 is in SP 800-140C, so a clause asking for approved
 * algorithms only fails on it; but its 256-bit key has no attack better
 * than brute force, so a clause asking for "AES-256 class" strength counts
 * it, as testssl.sh and ssh-audit do for TLS and SSH.
 *
 * curve25519-sha256 is approved = false, strength 128, forward secrecy:
 * SP 800-186 names Curve25519, but SP 800-56A r3 (the key-agreement schemes
 * SP 800-140D approves) allows only the P-curves and the FFC groups, not
 * X25519. X25519 gives about 128 bits. mlkem768x25519-sha256 is approved:
 * ML-KEM-768 (FIPS 203) is approved, and SP 800-56C r2 allows a shared
 * secret that concatenates an approved one with another (the hybrid stays
 * as strong as its approved part).
 */

#define X25519_NOTE "X25519 is not an SP 800-56A r3 key-agreement scheme; about 128 bits"
#define SNTRUP_NOTE "neither Streamlined NTRU Prime nor X25519 is NIST approved"
#define MLKEM_NOTE "ML-KEM-768 (FIPS 203) is the approved part (SP 800-56C r2 hybrid)"
#define SHA1_HASH_NOTE "SHA-1 exchange hash, signed by the host key (SP 800-131A r2 disallows)"
#define GEX_NOTE                                                                                   \
	"the server picks the group, not one of SP 800-56A r3's named groups; its size shows "     \
	"only in the exchange"
#define STRICT_NOTE "strict key exchange: the Terrapin (CVE-2023-48795) countermeasure"
#define EDDSA_NOTE "EdDSA, approved by FIPS 186-5"
#define RSA_NOTE "strength depends on the modulus: 2048 bits is 112, below is weak"
#define SSH_RSA_NOTE "SHA-1 signatures (SP 800-131A r2 disallows)"
#define DSS_NOTE "1024-bit DSA; FIPS 186-5 no longer approves DSA signing"
#define TDEA_NOTE "64-bit block (Sweet32); SP 800-131A r2 disallows TDEA encryption after 2023"
#define CBC_NOTE "SSH's CBC mode leaks plaintext (CVE-2008-5161); prefer CTR or GCM"
#define RC4_NOTE "RC4: broken, and RFC 8758 forbids it"
#define CHACHA_NOTE                                                                                \
	"ChaCha20-Poly1305 is not in SP 800-140C; its 256-bit key is of the AES-256 class"
#define MD5_NOTE "MD5 is not approved"
#define HMAC_SHA1_NOTE "HMAC-SHA-1 stays approved for MACs: SHA-1 collisions do not break HMAC"

#define ALGORITHM(n, k, fs, ok, s, why)                                                            \
	{                                                                                          \
		.name = n, .kind = SSH_ALGORITHM_##k, .forward_secrecy = fs, .approved = ok,       \
		.strength = SSH_STRENGTH_##s, .note = why                                          \
	}
#define KEX_EXTENSION(n, why)                                                                      \
	{                                                                                          \
		.name = n, .kind = SSH_ALGORITHM_KEX_EXTENSION,                                    \
		.strength = SSH_STRENGTH_NOT_APPLICABLE, .note = why                               \
	}
#define COMPRESSION(n)                                                                             \
	{                                                                                          \
		.name = n, .kind = SSH_ALGORITHM_COMPRESSION,                                      \
		.strength = SSH_STRENGTH_NOT_APPLICABLE, .note = NULL                              \
	}

/* Sorted by name (strcmp), then kind: ssh_algorithm_find() searches it in halves. */
const struct ssh_algorithm ssh_algorithms[] = {
	ALGORITHM("3des-cbc", CIPHER, false, false, WEAK, TDEA_NOTE),
	ALGORITHM("AEAD_AES_128_GCM", CIPHER, false, true, 128, "RFC 5647"),
	ALGORITHM("AEAD_AES_256_GCM", CIPHER, false, true, 256, "RFC 5647"),
	ALGORITHM("aes128-cbc", CIPHER, false, true, 128, CBC_NOTE),
	ALGORITHM("aes128-ctr", CIPHER, false, true, 128, NULL),
	ALGORITHM("aes128-gcm@openssh.com", CIPHER, false, true, 128, NULL),
	ALGORITHM("aes192-cbc", CIPHER, false, true, 128, CBC_NOTE),
	ALGORITHM("aes192-ctr", CIPHER, false, true, 128, NULL),
	ALGORITHM("aes256-cbc", CIPHER, false, true, 256, CBC_NOTE),
	ALGORITHM("aes256-ctr", CIPHER, false, true, 256, NULL),
	ALGORITHM("aes256-gcm@openssh.com", CIPHER, false, true, 256, NULL),
	ALGORITHM("arcfour", CIPHER, false, false, WEAK, RC4_NOTE),
	ALGORITHM("arcfour128", CIPHER, false, false, WEAK, RC4_NOTE),
	ALGORITHM("arcfour256", CIPHER, false, false, WEAK, RC4_NOTE),
	ALGORITHM("blowfish-cbc", CIPHER, false, false, WEAK, "64-bit block (Sweet32)"),
	ALGORITHM("cast128-cbc", CIPHER, false, false, WEAK, "64-bit block (Sweet32)"),
	ALGORITHM("chacha20-poly1305@openssh.com", CIPHER, false, false, 256, CHACHA_NOTE),
	ALGORITHM("curve25519-sha256", KEX, true, false, 128, X25519_NOTE),
	ALGORITHM("curve25519-sha256@libssh.org", KEX, true, false, 128, X25519_NOTE),
	ALGORITHM("curve448-sha512", KEX, true, false, 128,
		  "X448 is not an SP 800-56A r3 scheme; about 224 bits"),
	ALGORITHM("diffie-hellman-group-exchange-sha1", KEX, true, false, WEAK, SHA1_HASH_NOTE),
	ALGORITHM("diffie-hellman-group-exchange-sha256", KEX, true, false, 128, GEX_NOTE),
	ALGORITHM("diffie-hellman-group1-sha1", KEX, true, false, WEAK,
		  "1024-bit MODP group (80 bits) and SHA-1"),
	ALGORITHM("diffie-hellman-group14-sha1", KEX, true, false, WEAK, SHA1_HASH_NOTE),
	ALGORITHM("diffie-hellman-group14-sha256", KEX, true, true, 128,
		  "2048-bit MODP group: 112 bits"),
	ALGORITHM("diffie-hellman-group15-sha512", KEX, true, true, 128,
		  "3072-bit MODP group: 128 bits"),
	ALGORITHM("diffie-hellman-group16-sha512", KEX, true, true, 128,
		  "4096-bit MODP group: about 150 bits"),
	ALGORITHM("diffie-hellman-group17-sha512", KEX, true, true, 128,
		  "6144-bit MODP group: about 175 bits"),
	ALGORITHM("diffie-hellman-group18-sha512", KEX, true, true, 128,
		  "8192-bit MODP group: about 200 bits"),
	ALGORITHM("ecdh-sha2-nistp256", KEX, true, true, 128, NULL),
	ALGORITHM("ecdh-sha2-nistp384", KEX, true, true, 128, "P-384: 192 bits"),
	ALGORITHM("ecdh-sha2-nistp521", KEX, true, true, 256, NULL),
	ALGORITHM("ecdsa-sha2-nistp256", HOST_KEY, false, true, 128, NULL),
	ALGORITHM("ecdsa-sha2-nistp256-cert-v01@openssh.com", HOST_KEY, false, true, 128, NULL),
	ALGORITHM("ecdsa-sha2-nistp384", HOST_KEY, false, true, 128, "P-384: 192 bits"),
	ALGORITHM("ecdsa-sha2-nistp384-cert-v01@openssh.com", HOST_KEY, false, true, 128,
		  "P-384: 192 bits"),
	ALGORITHM("ecdsa-sha2-nistp521", HOST_KEY, false, true, 256, NULL),
	ALGORITHM("ecdsa-sha2-nistp521-cert-v01@openssh.com", HOST_KEY, false, true, 256, NULL),
	KEX_EXTENSION("ext-info-c", "RFC 8308: the client accepts SSH_MSG_EXT_INFO"),
	KEX_EXTENSION("ext-info-s", "RFC 8308: the server accepts SSH_MSG_EXT_INFO"),
	ALGORITHM("hmac-md5", MAC, false, false, WEAK, MD5_NOTE),
	ALGORITHM("hmac-md5-96", MAC, false, false, WEAK, MD5_NOTE),
	ALGORITHM("hmac-md5-96-etm@openssh.com", MAC, false, false, WEAK, MD5_NOTE),
	ALGORITHM("hmac-md5-etm@openssh.com", MAC, false, false, WEAK, MD5_NOTE),
	ALGORITHM("hmac-ripemd160", MAC, false, false, 128, "RIPEMD-160 is not a NIST hash"),
	ALGORITHM("hmac-ripemd160-etm@openssh.com", MAC, false, false, 128,
		  "RIPEMD-160 is not a NIST hash"),
	ALGORITHM("hmac-ripemd160@openssh.com", MAC, false, false, 128,
		  "RIPEMD-160 is not a NIST hash"),
	ALGORITHM("hmac-sha1", MAC, false, true, 128, HMAC_SHA1_NOTE),
	ALGORITHM("hmac-sha1-96", MAC, false, true, 128, HMAC_SHA1_NOTE),
	ALGORITHM("hmac-sha1-96-etm@openssh.com", MAC, false, true, 128, HMAC_SHA1_NOTE),
	ALGORITHM("hmac-sha1-etm@openssh.com", MAC, false, true, 128, HMAC_SHA1_NOTE),
	ALGORITHM("hmac-sha2-256", MAC, false, true, 256, NULL),
	ALGORITHM("hmac-sha2-256-etm@openssh.com", MAC, false, true, 256, NULL),
	ALGORITHM("hmac-sha2-512", MAC, false, true, 256, NULL),
	ALGORITHM("hmac-sha2-512-etm@openssh.com", MAC, false, true, 256, NULL),
	KEX_EXTENSION("kex-strict-c-v00@openssh.com", STRICT_NOTE),
	KEX_EXTENSION("kex-strict-s-v00@openssh.com", STRICT_NOTE),
	ALGORITHM("mlkem768x25519-sha256", KEX, true, true, 128, MLKEM_NOTE),
	ALGORITHM("none", CIPHER, false, false, NONE, "no encryption"),
	ALGORITHM("none", MAC, false, false, NONE, "no integrity"),
	COMPRESSION("none"),
	ALGORITHM("rijndael-cbc@lysator.liu.se", CIPHER, false, true, 256,
		  "AES-256-CBC under its old name; " CBC_NOTE),
	ALGORITHM("rsa-sha2-256", HOST_KEY, false, true, 128, RSA_NOTE),
	ALGORITHM("rsa-sha2-256-cert-v01@openssh.com", HOST_KEY, false, true, 128, RSA_NOTE),
	ALGORITHM("rsa-sha2-512", HOST_KEY, false, true, 128, RSA_NOTE),
	ALGORITHM("rsa-sha2-512-cert-v01@openssh.com", HOST_KEY, false, true, 128, RSA_NOTE),
	ALGORITHM("rsa1024-sha1", KEX, false, false, WEAK,
		  "RSA key transport (RFC 4432): no forward secrecy"),
	ALGORITHM("rsa2048-sha256", KEX, false, true, 128,
		  "RSA key transport (RFC 4432, SP 800-56B): no forward secrecy"),
	ALGORITHM("sk-ecdsa-sha2-nistp256-cert-v01@openssh.com", HOST_KEY, false, true, 128, NULL),
	ALGORITHM("sk-ecdsa-sha2-nistp256@openssh.com", HOST_KEY, false, true, 128, NULL),
	ALGORITHM("sk-ssh-ed25519-cert-v01@openssh.com", HOST_KEY, false, true, 128, EDDSA_NOTE),
	ALGORITHM("sk-ssh-ed25519@openssh.com", HOST_KEY, false, true, 128, EDDSA_NOTE),
	ALGORITHM("sntrup761x25519-sha512", KEX, true, false, 128, SNTRUP_NOTE),
	ALGORITHM("sntrup761x25519-sha512@openssh.com", KEX, true, false, 128, SNTRUP_NOTE),
	ALGORITHM("ssh-dss", HOST_KEY, false, false, WEAK, DSS_NOTE),
	ALGORITHM("ssh-dss-cert-v01@openssh.com", HOST_KEY, false, false, WEAK, DSS_NOTE),
	ALGORITHM("ssh-ed25519", HOST_KEY, false, true, 128, EDDSA_NOTE),
	ALGORITHM("ssh-ed25519-cert-v01@openssh.com", HOST_KEY, false, true, 128, EDDSA_NOTE),
	ALGORITHM("ssh-ed448", HOST_KEY, false, true, 128, EDDSA_NOTE),
	ALGORITHM("ssh-rsa", HOST_KEY, false, false, WEAK, SSH_RSA_NOTE),
	ALGORITHM("ssh-rsa-cert-v01@openssh.com", HOST_KEY, false, false, WEAK, SSH_RSA_NOTE),
	ALGORITHM("umac-128-etm@openssh.com", MAC, false, false, 128, "UMAC is not a NIST MAC"),
	ALGORITHM("umac-128@openssh.com", MAC, false, false, 128, "UMAC is not a NIST MAC"),
	ALGORITHM("umac-64-etm@openssh.com", MAC, false, false, WEAK,
		  "64-bit tag; UMAC is not a NIST MAC"),
	ALGORITHM("umac-64@openssh.com", MAC, false, false, WEAK,
		  "64-bit tag; UMAC is not a NIST MAC"),
	COMPRESSION("zlib"),
	COMPRESSION("zlib@openssh.com"),
};

const size_t ssh_algorithm_count = DL_ARRAY_SIZE(ssh_algorithms);

static int ssh_algorithm_compare(enum ssh_algorithm_kind kind, const char *name,
				 const struct ssh_algorithm *entry)
{
	int order = strcmp(name, entry->name);
	if (order != 0)
		return order;
	return (int)kind - (int)entry->kind;
}

const struct ssh_algorithm *ssh_algorithm_find(enum ssh_algorithm_kind kind, const char *name)
{
	size_t low = 0, high = ssh_algorithm_count;
	while (low < high) {
		size_t mid = low + (high - low) / 2;
		int order = ssh_algorithm_compare(kind, name, &ssh_algorithms[mid]);
		if (order == 0)
			return &ssh_algorithms[mid];
		if (order < 0)
			high = mid;
		else
			low = mid + 1;
	}
	return NULL;
}

const char *ssh_algorithm_kind_name(enum ssh_algorithm_kind kind)
{
	switch (kind) {
	case SSH_ALGORITHM_KEX: return "kex";
	case SSH_ALGORITHM_HOST_KEY: return "host key";
	case SSH_ALGORITHM_CIPHER: return "cipher";
	case SSH_ALGORITHM_MAC: return "mac";
	case SSH_ALGORITHM_COMPRESSION: return "compression";
	case SSH_ALGORITHM_KEX_EXTENSION: return "kex extension";
	}
	return "unknown";
}

const char *ssh_strength_name(enum ssh_strength strength)
{
	switch (strength) {
	case SSH_STRENGTH_NOT_APPLICABLE: return "n/a";
	case SSH_STRENGTH_NONE: return "none";
	case SSH_STRENGTH_WEAK: return "weak";
	case SSH_STRENGTH_128: return "128";
	case SSH_STRENGTH_256: return "256";
	}
	return "unknown";
}
