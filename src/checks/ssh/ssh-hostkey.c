/* ssh-hostkey: fetch an SSH server's host keys, one connection per key type, with libssh */
#include "core/compat.h"

#include <libssh/libssh.h>
#include <pthread.h>
#include <openssl/evp.h>

#include "checks/ssh/ssh-hostkey.h"
#include "core/error.h"
#include "core/text.h"
#include "net/sock.h"
#include "proto/cursor.h"

/*
 * What libssh may negotiate besides the host key: everything it knows, old
 * ones included, so a DUT that offers only diffie-hellman-group1-sha1 and
 * 3des-cbc still shows its key. libssh drops the names it was built
 * without (ssh_keep_known_algos), so the lists can be generous.
 */
#define HOSTKEY_KEX                                                                                \
	"curve25519-sha256,curve25519-sha256@libssh.org,ecdh-sha2-nistp256,ecdh-sha2-nistp384,"    \
	"ecdh-sha2-nistp521,diffie-hellman-group18-sha512,diffie-hellman-group16-sha512,"          \
	"diffie-hellman-group-exchange-sha256,diffie-hellman-group14-sha256,"                      \
	"diffie-hellman-group14-sha1,diffie-hellman-group-exchange-sha1,"                          \
	"diffie-hellman-group1-sha1"
#define HOSTKEY_CIPHERS                                                                            \
	"aes256-gcm@openssh.com,aes128-gcm@openssh.com,chacha20-poly1305@openssh.com,aes256-ctr,"  \
	"aes192-ctr,aes128-ctr,aes256-cbc,aes192-cbc,aes128-cbc,3des-cbc,blowfish-cbc"
#define HOSTKEY_MACS                                                                               \
	"hmac-sha2-256-etm@openssh.com,hmac-sha2-512-etm@openssh.com,hmac-sha1-etm@openssh.com,"   \
	"hmac-sha2-256,hmac-sha2-512,hmac-sha1"

/* A key blob's base64 (ssh_pki_export_pubkey_base64) stays far below this: RSA-16384 is 2.8 KB. */
#define HOSTKEY_BLOB_MAX 8192

const char *ssh_host_key_type(const char *algorithm)
{
	if (strcmp(algorithm, "rsa-sha2-256") == 0 || strcmp(algorithm, "rsa-sha2-512") == 0)
		return "ssh-rsa";
	return algorithm;
}

static unsigned hostkey_mpint_bits(const uint8_t *p, size_t n)
{
	while (n > 0 && *p == 0) {
		p++;
		n--;
	}
	if (n == 0)
		return 0;
	unsigned bits = (unsigned)(n - 1) * 8;
	for (uint8_t top = *p; top; top >>= 1)
		bits++;
	return bits;
}

/* An RFC 4251 5 string: uint32 length, then that many bytes. */
static int hostkey_string(struct cursor *c, const uint8_t **p, size_t *n)
{
	uint32_t length;
	if (cursor_u32be(c, &length) < 0)
		return DL_EPROTO;
	if (cursor_bytes(c, length, p) < 0)
		return DL_EPROTO;
	*n = length;
	return 0;
}

static bool hostkey_equals(const uint8_t *p, size_t n, const char *text)
{
	return n == strlen(text) && memcmp(p, text, n) == 0;
}

int ssh_host_key_blob_bits(const uint8_t *blob, size_t len, char *key_type, size_t cap,
			   unsigned *bits, struct dl_error *err)
{
	struct cursor c;
	cursor_init(&c, blob, len);
	const uint8_t *type, *p;
	size_t type_len, n;
	*bits = 0;
	if (hostkey_string(&c, &type, &type_len) < 0)
		return dl_error_set(err, DL_EPROTO,
				    "ssh host key: blob of %zu bytes has no key type", len);
	if (type_len == 0 || type_len >= cap)
		return dl_error_set(err, DL_EPROTO,
				    "ssh host key: key type of %zu bytes (1 to %zu allowed)",
				    type_len, cap - 1);
	memcpy(key_type, type, type_len);
	key_type[type_len] = '\0';
	if (strcmp(key_type, "ssh-rsa") == 0) {
		/* RFC 4253 6.6: e, then n */
		if (hostkey_string(&c, &p, &n) < 0 || hostkey_string(&c, &p, &n) < 0)
			goto truncated;
		*bits = hostkey_mpint_bits(p, n);
	} else if (strcmp(key_type, "ssh-dss") == 0) {
		if (hostkey_string(&c, &p, &n) < 0) /* p */
			goto truncated;
		*bits = hostkey_mpint_bits(p, n);
	} else if (text_starts_with(key_type, "ecdsa-sha2-") ||
		   text_starts_with(key_type, "sk-ecdsa-sha2-")) {
		/* RFC 5656 3.1: the curve identifier, then Q */
		if (hostkey_string(&c, &p, &n) < 0)
			goto truncated;
		if (hostkey_equals(p, n, "nistp256"))
			*bits = 256;
		else if (hostkey_equals(p, n, "nistp384"))
			*bits = 384;
		else if (hostkey_equals(p, n, "nistp521"))
			*bits = 521;
	} else if (strcmp(key_type, "ssh-ed25519") == 0 ||
		   strcmp(key_type, "sk-ssh-ed25519@openssh.com") == 0) {
		*bits = 256;
	} else if (strcmp(key_type, "ssh-ed448") == 0) {
		*bits = 456;
	}
	return 0;
truncated:
	return dl_error_set(err, DL_EPROTO,
			    "ssh host key: %s blob of %zu bytes ends at offset %zu inside a field",
			    key_type, len, cursor_position(&c));
}

/* The fingerprint (as ssh-keygen -l) and the size of a public key. */
static int hostkey_describe_key(ssh_key key, struct ssh_host_key *out, struct dl_error *err)
{
	unsigned char *hash = NULL;
	size_t hash_len = 0;
	char *fingerprint = NULL, *base64 = NULL;
	uint8_t *blob = NULL;
	int rc = DL_EIO;
	if (ssh_get_publickey_hash(key, SSH_PUBLICKEY_HASH_SHA256, &hash, &hash_len) != 0) {
		dl_error_set(err, DL_EIO, "libssh cannot hash the server key");
		goto out;
	}
	fingerprint = ssh_get_fingerprint_hash(SSH_PUBLICKEY_HASH_SHA256, hash, hash_len);
	if (!fingerprint || !text_copy(out->fingerprint, sizeof(out->fingerprint), fingerprint)) {
		dl_error_set(err, DL_ENOMEM, "libssh cannot format the key's fingerprint");
		goto out;
	}
	if (ssh_pki_export_pubkey_base64(key, &base64) != SSH_OK || !base64) {
		dl_error_set(err, DL_EIO, "libssh cannot export the server key");
		goto out;
	}
	size_t b64_len = strlen(base64);
	if (b64_len == 0 || b64_len % 4 != 0 || b64_len / 4 * 3 > HOSTKEY_BLOB_MAX) {
		dl_error_set(err, DL_EPROTO, "the server key's base64 has %zu characters", b64_len);
		goto out;
	}
	blob = malloc(b64_len / 4 * 3);
	if (!blob) {
		dl_error_set(err, DL_ENOMEM, "out of memory for a host key");
		goto out;
	}
	int decoded = EVP_DecodeBlock(blob, (const unsigned char *)base64, (int)b64_len);
	if (decoded < 0) {
		dl_error_set(err, DL_EPROTO, "the server key's base64 does not decode");
		goto out;
	}
	/* EVP_DecodeBlock counts the bytes the '=' padding stands for */
	size_t blob_len = (size_t)decoded;
	for (size_t i = b64_len; i > 0 && base64[i - 1] == '=' && blob_len > 0; i--)
		blob_len--;
	rc = ssh_host_key_blob_bits(blob, blob_len, out->key_type, sizeof(out->key_type),
				    &out->bits, err);
out:
	free(blob);
	ssh_string_free_char(base64);
	ssh_string_free_char(fingerprint);
	ssh_clean_pubkey_hash(&hash);
	return rc;
}

int ssh_host_key_describe_base64(const char *type, const char *base64, struct ssh_host_key *out,
				 struct dl_error *err)
{
	ssh_key key = NULL;
	enum ssh_keytypes_e key_type = ssh_key_type_from_name(type);
	if (key_type == SSH_KEYTYPE_UNKNOWN)
		return dl_error_set(err, DL_EUNSUPPORTED, "libssh %s does not know key type %s",
				    ssh_version(0), type);
	if (ssh_pki_import_pubkey_base64(base64, key_type, &key) != SSH_OK)
		return dl_error_set(err, DL_EPROTO, "not a %s public key in base64", type);
	int rc = hostkey_describe_key(key, out, err);
	ssh_key_free(key);
	return rc;
}

/* The key the server signed the exchange with. */
static int hostkey_describe(ssh_session session, struct ssh_host_key *out, struct dl_error *err)
{
	ssh_key key = NULL;
	if (ssh_get_server_publickey(session, &key) != SSH_OK)
		return dl_error_set(err, DL_EIO, "libssh has no server key after the exchange: %s",
				    ssh_get_error(session));
	int rc = hostkey_describe_key(key, out, err);
	ssh_key_free(key);
	return rc;
}

/* Everything but the socket and the timeout; DL_EUNSUPPORTED when libssh lacks algorithm. */
static int hostkey_options(ssh_session session, const char *address, const char *algorithm,
			   struct dl_error *err)
{
	int verbosity = SSH_LOG_NOLOG;
	bool process_config = false; /* never read ~/.ssh/config or /etc/ssh/ssh_config */
	if (ssh_options_set(session, SSH_OPTIONS_LOG_VERBOSITY, &verbosity) < 0 ||
	    ssh_options_set(session, SSH_OPTIONS_PROCESS_CONFIG, &process_config) < 0 ||
	    ssh_options_set(session, SSH_OPTIONS_HOST, address) < 0 ||
	    ssh_options_set(session, SSH_OPTIONS_KNOWNHOSTS, "/dev/null") < 0 ||
	    ssh_options_set(session, SSH_OPTIONS_GLOBAL_KNOWNHOSTS, "/dev/null") < 0 ||
	    ssh_options_set(session, SSH_OPTIONS_KEY_EXCHANGE, HOSTKEY_KEX) < 0 ||
	    ssh_options_set(session, SSH_OPTIONS_CIPHERS_C_S, HOSTKEY_CIPHERS) < 0 ||
	    ssh_options_set(session, SSH_OPTIONS_CIPHERS_S_C, HOSTKEY_CIPHERS) < 0 ||
	    ssh_options_set(session, SSH_OPTIONS_HMAC_C_S, HOSTKEY_MACS) < 0 ||
	    ssh_options_set(session, SSH_OPTIONS_HMAC_S_C, HOSTKEY_MACS) < 0)
		return dl_error_set(err, DL_EIO, "libssh refuses an option: %s",
				    ssh_get_error(session));
	/* libssh drops names it does not know and fails when none is left */
	if (ssh_options_set(session, SSH_OPTIONS_HOSTKEYS, algorithm) < 0)
		return dl_error_set(err, DL_EUNSUPPORTED, "libssh %s does not support %s",
				    ssh_version(0), algorithm);
	return 0;
}

/* The connected socket, and a blocking wait in ssh_connect() that ends by deadline_ns. */
static int hostkey_attach(ssh_session session, int fd, int64_t deadline_ns, struct dl_error *err)
{
	int timeout_ms = sock_remaining_ms(deadline_ns, 600000);
	long seconds = 0, microseconds = (long)(timeout_ms < 1 ? 1 : timeout_ms) * 1000;
	if (ssh_options_set(session, SSH_OPTIONS_TIMEOUT, &seconds) < 0 ||
	    ssh_options_set(session, SSH_OPTIONS_TIMEOUT_USEC, &microseconds) < 0 ||
	    ssh_options_set(session, SSH_OPTIONS_FD, &fd) < 0)
		return dl_error_set(err, DL_EIO, "libssh refuses the socket or timeout: %s",
				    ssh_get_error(session));
	ssh_set_blocking(session, 1);
	return 0;
}

/*
 * Who closes fd: libssh adopts it in ssh_connect(), closes it itself on some
 * error paths, and leaves it open in ssh_disconnect() (libssh 0.10: "You're
 * responsible for closing the socket"). So while libssh still holds it we
 * disconnect and close it ourselves (with a reset, as every probe does);
 * when libssh no longer holds it, libssh has closed it, except when
 * ssh_connect() failed on its options before adopting it.
 */
static void hostkey_release(ssh_session session, int fd, bool connect_called)
{
	if (!connect_called) {
		ssh_free(session);
		sock_close_reset(fd);
		return;
	}
	if (ssh_get_fd(session) == fd) {
		ssh_disconnect(session);
		ssh_free(session);
		sock_close_reset(fd);
		return;
	}
	const char *why = ssh_get_error(session);
	bool adopted = !(text_starts_with(why, "Couldn't apply options") ||
			 text_starts_with(why, "Failed to process system configuration"));
	ssh_free(session);
	if (!adopted)
		sock_close_reset(fd);
}

static int hostkey_fetch_one(const struct scope *scope, const char *interface, const char *address,
			     const struct sock_address *destination, int64_t deadline_ns,
			     struct ssh_host_key *key, unsigned *connections, struct dl_error *err)
{
	struct dl_error local = {0};
	ssh_session session = ssh_new();
	if (!session)
		return dl_error_set(err, DL_ENOMEM, "ssh_new: out of memory");
	/* an algorithm libssh lacks costs no connection */
	if (hostkey_options(session, address, key->algorithm, &local) < 0) {
		text_copy(key->error, sizeof(key->error), local.message);
		ssh_free(session);
		return 0;
	}
	int fd = -1;
	int rc = sock_tcp_connect(scope, destination, interface, deadline_ns, &fd, &local);
	if (rc == DL_ESCOPE || rc == DL_EINVAL) {
		ssh_free(session);
		if (err)
			*err = local;
		return rc;
	}
	(*connections)++;
	if (rc < 0) {
		text_copy(key->error, sizeof(key->error), local.message);
		ssh_free(session);
		return 0;
	}
	bool connect_called = false;
	if (hostkey_attach(session, fd, deadline_ns, &local) < 0) {
		text_copy(key->error, sizeof(key->error), local.message);
	} else {
		connect_called = true;
		if (ssh_connect(session) != SSH_OK) {
			snprintf(key->error, sizeof(key->error), "key exchange for %s failed: %s",
				 key->algorithm, ssh_get_error(session));
		} else if (hostkey_describe(session, key, &local) < 0) {
			text_copy(key->error, sizeof(key->error), local.message);
		} else {
			key->fetched = true;
		}
	}
	hostkey_release(session, fd, connect_called);
	return 0;
}

/* One key type: the algorithms that fetch it, in the server's order, and the next to try. */
struct hostkey_plan {
	const char *variants[4]; /* rsa-sha2-512, rsa-sha2-256, ssh-rsa share one key */
	size_t variant_count;
	size_t next;
	bool fetchable; /* not a certificate, name not too long */
};

/* One connection, run on its own thread. */
struct hostkey_job {
	const struct scope *scope;
	const char *interface;
	const char *address;
	const struct sock_address *destination;
	int64_t deadline_ns;
	struct ssh_host_key *key;
	unsigned connections;
	int rc;
	struct dl_error err;
	pthread_t thread;
	bool threaded;
};

static void *hostkey_job_run(void *opaque)
{
	struct hostkey_job *job = opaque;
	job->rc = hostkey_fetch_one(job->scope, job->interface, job->address, job->destination,
				    job->deadline_ns, job->key, &job->connections, &job->err);
	return NULL;
}

/* Group the algorithms by key type, one entry of out per type, in the server's order. */
static void hostkey_plan_keys(const char *const *algorithms, size_t algorithm_count,
			      struct ssh_host_keys *out, struct hostkey_plan *plans)
{
	for (size_t i = 0; i < algorithm_count; i++) {
		const char *algorithm = algorithms[i];
		if (!algorithm)
			continue;
		const char *type = ssh_host_key_type(algorithm);
		size_t j = 0;
		while (j < out->count && strcmp(ssh_host_key_type(plans[j].variants[0]), type) != 0)
			j++;
		if (j < out->count) {
			if (plans[j].variant_count < DL_ARRAY_SIZE(plans[j].variants))
				plans[j].variants[plans[j].variant_count++] = algorithm;
			continue;
		}
		if (out->count == SSH_HOST_KEYS_MAX)
			continue;
		struct ssh_host_key *key = &out->keys[out->count];
		struct hostkey_plan *plan = &plans[out->count++];
		plan->variants[plan->variant_count++] = algorithm;
		plan->fetchable = true;
		if (!text_copy(key->algorithm, sizeof(key->algorithm), algorithm)) {
			snprintf(key->error, sizeof(key->error), "algorithm name too long");
			plan->fetchable = false;
		} else if (strstr(algorithm, "-cert-")) {
			/* the certificate, not the key: ssh-audit skips these too */
			snprintf(key->error, sizeof(key->error),
				 "a host certificate: its key is listed under the plain algorithm");
			plan->fetchable = false;
		}
	}
}

int ssh_host_keys_fetch(const struct scope *scope, const char *interface, const char *address,
			uint16_t port, const char *const *algorithms, size_t algorithm_count,
			int64_t deadline_ns, struct ssh_host_keys *out, struct dl_error *err)
{
	memset(out, 0, sizeof(*out));
	if (!scope || !address || (algorithm_count > 0 && !algorithms))
		return dl_error_set(err, DL_EINVAL,
				    "ssh host keys: no scope, address or algorithms");
	struct sock_address destination;
	int rc = sock_address_parse(address, port, &destination, err);
	if (rc < 0)
		return rc;
	struct hostkey_plan plans[SSH_HOST_KEYS_MAX];
	memset(plans, 0, sizeof(plans));
	hostkey_plan_keys(algorithms, algorithm_count, out, plans);
	/*
	 * Each round fetches every key type still missing, one thread per
	 * connection: a key costs the server a signature, so the round takes as
	 * long as the slowest key, not their sum. A type whose algorithm failed
	 * is tried again with its next variant (ssh-rsa after rsa-sha2-256).
	 */
	for (size_t round = 0; round < DL_ARRAY_SIZE(plans[0].variants); round++) {
		struct hostkey_job jobs[SSH_HOST_KEYS_MAX];
		size_t job_count = 0;
		for (size_t i = 0; i < out->count; i++) {
			struct ssh_host_key *key = &out->keys[i];
			struct hostkey_plan *plan = &plans[i];
			if (!plan->fetchable || key->fetched || plan->next == plan->variant_count)
				continue;
			const char *algorithm = plan->variants[plan->next++];
			memset(key, 0, sizeof(*key));
			text_copy(key->algorithm, sizeof(key->algorithm), algorithm);
			if (sock_now_ns() >= deadline_ns) {
				out->deadline_hit = true;
				plan->next = plan->variant_count;
				snprintf(key->error, sizeof(key->error),
					 "not tried: the deadline passed");
				continue;
			}
			struct hostkey_job *job = &jobs[job_count++];
			memset(job, 0, sizeof(*job));
			job->scope = scope;
			job->interface = interface;
			job->address = address;
			job->destination = &destination;
			job->deadline_ns = deadline_ns;
			job->key = key;
			job->threaded =
				pthread_create(&job->thread, NULL, hostkey_job_run, job) == 0;
			if (!job->threaded)
				hostkey_job_run(job); /* no thread to be had: one after another */
		}
		if (job_count == 0)
			break;
		rc = 0;
		for (size_t j = 0; j < job_count; j++) {
			if (jobs[j].threaded)
				pthread_join(jobs[j].thread, NULL);
			out->connections += jobs[j].connections;
			if (jobs[j].rc < 0 && rc == 0) {
				rc = jobs[j].rc;
				if (err)
					*err = jobs[j].err;
			}
		}
		if (rc < 0)
			return rc;
	}
	return 0;
}
