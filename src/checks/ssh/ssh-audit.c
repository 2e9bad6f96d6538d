/* ssh-audit: what an SSH server offers, from its identification and KEXINIT, classified */
#include "core/compat.h"

#include <json-c/json.h>
#include <poll.h>
#include <sys/random.h>
#include <sys/socket.h>

#include "checks/ssh/ssh-audit.h"
#include "checks/ssh/ssh-hostkey.h"
#include "core/error.h"
#include "core/text.h"
#include "net/sock.h"
#include "proto/ssh-algorithms.h"
#include "proto/ssh.h"

#define AUDIT_PROBE_TIMEOUT_MS 3000
#define AUDIT_DEFAULT_DEADLINE_NS (30 * (int64_t)1000000000)
#define AUDIT_HELLO_MAX 16384 /* our identification and KEXINIT: about 5 KiB */
#define AUDIT_READS_MAX 4096  /* recv calls per exchange; the deadline bounds them in time too */
/* an error message with our context in front of it */
#define AUDIT_WHY_MAX (DL_ERROR_MESSAGE_MAX + 256)
#define AUDIT_UNKNOWN_NOTE "not in dutlab's SSH algorithm table (src/proto/ssh-algorithms.c)"

/* What the KEXINIT exchange gave: each stage depends on the one before. */
struct audit_exchange {
	bool connected;
	bool ident_seen; /* an identification line arrived and parsed */
	bool kexinit_seen;
	struct ssh_ident ident;
	char incomplete[AUDIT_WHY_MAX]; /* why we stopped early; "" when we did not */
};

/* Our offer: every name of one kind in the table, so any server finds a match. */
static int audit_offer_list(enum ssh_algorithm_kind kind, char *buf, size_t cap)
{
	size_t used = 0, names = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < ssh_algorithm_count; i++) {
		const struct ssh_algorithm *a = &ssh_algorithms[i];
		if (a->kind != kind || a->strength == SSH_STRENGTH_NONE)
			continue;
		size_t n = strlen(a->name);
		if (names == SSH_NAMES_MAX || used + n + 2 > cap)
			break;
		if (used > 0)
			buf[used++] = ',';
		memcpy(buf + used, a->name, n + 1);
		used += n;
		names++;
	}
	return names > 0 ? 0 : DL_EINVAL;
}

static int audit_build_hello(uint8_t *buf, size_t cap, size_t *len, struct dl_error *err)
{
	char kex[SSH_NAME_LIST_MAX], host_key[SSH_NAME_LIST_MAX];
	char cipher[SSH_NAME_LIST_MAX], mac[SSH_NAME_LIST_MAX];
	struct ssh_kexinit_offer offer = {0};
	if (audit_offer_list(SSH_ALGORITHM_KEX, kex, sizeof(kex)) < 0 ||
	    audit_offer_list(SSH_ALGORITHM_HOST_KEY, host_key, sizeof(host_key)) < 0 ||
	    audit_offer_list(SSH_ALGORITHM_CIPHER, cipher, sizeof(cipher)) < 0 ||
	    audit_offer_list(SSH_ALGORITHM_MAC, mac, sizeof(mac)) < 0)
		return dl_error_set(err, DL_EINVAL, "ssh audit: the algorithm table lacks a kind");
	offer.lists[SSH_KEX_ALGORITHMS] = kex;
	offer.lists[SSH_HOST_KEY_ALGORITHMS] = host_key;
	offer.lists[SSH_CIPHERS_CLIENT_TO_SERVER] = cipher;
	offer.lists[SSH_CIPHERS_SERVER_TO_CLIENT] = cipher;
	offer.lists[SSH_MACS_CLIENT_TO_SERVER] = mac;
	offer.lists[SSH_MACS_SERVER_TO_CLIENT] = mac;
	offer.lists[SSH_COMPRESSION_CLIENT_TO_SERVER] = "none";
	offer.lists[SSH_COMPRESSION_SERVER_TO_CLIENT] = "none";
	if (getrandom(offer.cookie, sizeof(offer.cookie), 0) != (ssize_t)sizeof(offer.cookie))
		return dl_error_set(err, DL_EIO, "ssh audit: getrandom: %s", strerror(errno));
	size_t ident_len, kexinit_len;
	int rc = ssh_build_ident(buf, cap, &ident_len, err);
	if (rc < 0)
		return rc;
	rc = ssh_build_kexinit(buf + ident_len, cap - ident_len, &kexinit_len, &offer, err);
	if (rc < 0)
		return rc;
	*len = ident_len + kexinit_len;
	return 0;
}

/* One recv of what is there, waiting until deadline_ns: *got 0 means closed or timed out. */
static int audit_recv(int fd, uint8_t *buf, size_t size, int64_t deadline_ns, size_t *got,
		      bool *timed_out, struct dl_error *err)
{
	*got = 0;
	*timed_out = false;
	for (unsigned spins = 0; spins < AUDIT_READS_MAX; spins++) {
		int wait_ms = sock_remaining_ms(deadline_ns, 1000);
		if (wait_ms == 0) {
			*timed_out = true;
			return 0;
		}
		struct pollfd pfd = {.fd = fd, .events = POLLIN};
		int n = poll(&pfd, 1, wait_ms);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return dl_error_set(err, DL_EIO, "poll: %s", strerror(errno));
		if (n == 0)
			continue;
		ssize_t r = recv(fd, buf, size, 0);
		if (r < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK))
			continue;
		if (r < 0)
			return dl_error_set(err, DL_EIO, "recv: %s", strerror(errno));
		*got = (size_t)r;
		return 0;
	}
	*timed_out = true;
	return 0;
}

/*
 * Read the server's identification and first packet into buf. Fills ex and
 * kexinit; every way of stopping early is written to ex->incomplete.
 */
static void audit_read_server(int fd, int64_t deadline_ns, uint8_t *buf, size_t cap,
			      struct audit_exchange *ex, struct ssh_kexinit *kexinit)
{
	struct dl_error local = {0};
	struct ssh_stream_view view = {0};
	size_t len = 0;
	for (unsigned reads = 0; reads < AUDIT_READS_MAX; reads++) {
		size_t want = cap - len;
		/* once the packet's length is known, read no byte beyond it */
		if (view.ident_end > 0 && view.need > 0 && view.need < want)
			want = view.need;
		size_t got;
		bool timed_out;
		if (audit_recv(fd, buf + len, want, deadline_ns, &got, &timed_out, &local) < 0) {
			snprintf(ex->incomplete, sizeof(ex->incomplete), "after %zu bytes: %s", len,
				 local.message);
			return;
		}
		if (got == 0) {
			snprintf(ex->incomplete, sizeof(ex->incomplete),
				 "the server %s after %zu bytes, before its %s",
				 timed_out ? "went quiet until the deadline"
					   : "closed the connection",
				 len, ex->ident_seen ? "KEXINIT" : "identification");
			return;
		}
		len += got;
		if (ssh_stream_scan(buf, len, &view, &local) < 0) {
			snprintf(ex->incomplete, sizeof(ex->incomplete), "%s", local.message);
			return;
		}
		if (!ex->ident_seen && view.ident_end > 0) {
			if (ssh_parse_ident(buf, len, &ex->ident, &local) < 0) {
				snprintf(ex->incomplete, sizeof(ex->incomplete), "%s",
					 local.message);
				return;
			}
			ex->ident_seen = true;
			/* RFC 4253 5.1: 1.99 also speaks 2.0; anything else is SSH 1 only */
			if (strcmp(ex->ident.protoversion, "2.0") != 0 &&
			    strcmp(ex->ident.protoversion, "1.99") != 0) {
				snprintf(ex->incomplete, sizeof(ex->incomplete),
					 "protocol version %s: SSH 1 only, no KEXINIT to read",
					 ex->ident.protoversion);
				return;
			}
		}
		if (view.complete)
			break;
		if (len == cap) {
			snprintf(ex->incomplete, sizeof(ex->incomplete),
				 "no KEXINIT within the first %zu bytes", cap);
			return;
		}
	}
	if (!view.complete) {
		snprintf(ex->incomplete, sizeof(ex->incomplete),
			 "the server sent its bytes in over %d pieces", AUDIT_READS_MAX);
		return;
	}
	if (ssh_parse_kexinit(buf + view.packet_start, view.packet_len, kexinit, &local) < 0) {
		snprintf(ex->incomplete, sizeof(ex->incomplete), "%s", local.message);
		return;
	}
	ex->kexinit_seen = true;
}

/* JSON building; json-c's calls fail only out of memory, checked once per object. */

static struct json_object *audit_string_or_null(const char *text)
{
	return text && *text ? json_object_new_string(text) : NULL;
}

static struct json_object *audit_algorithm_json(enum ssh_algorithm_kind kind, const char *name)
{
	const struct ssh_algorithm *a = ssh_algorithm_find(kind, name);
	if (!a && kind == SSH_ALGORITHM_KEX)
		a = ssh_algorithm_find(SSH_ALGORITHM_KEX_EXTENSION, name);
	struct json_object *o = json_object_new_object();
	if (!o)
		return NULL;
	json_object_object_add(o, "name", json_object_new_string(name));
	json_object_object_add(o, "known", json_object_new_boolean(a != NULL));
	if (kind == SSH_ALGORITHM_COMPRESSION)
		return o;
	if (a && a->kind == SSH_ALGORITHM_KEX_EXTENSION) {
		/* a signal inside kex_algorithms, not a key exchange: no column applies */
		json_object_object_add(o, "extension", json_object_new_boolean(true));
		json_object_object_add(o, "forward_secrecy", NULL);
		json_object_object_add(o, "approved", NULL);
		json_object_object_add(o, "strength", json_object_new_string("n/a"));
		json_object_object_add(o, "note", audit_string_or_null(a->note));
		return o;
	}
	/* an unknown name is not approved and not forward-secret until the table says so */
	if (kind == SSH_ALGORITHM_KEX)
		json_object_object_add(o, "forward_secrecy",
				       json_object_new_boolean(a && a->forward_secrecy));
	json_object_object_add(o, "approved", json_object_new_boolean(a && a->approved));
	json_object_object_add(
		o, "strength",
		json_object_new_string(a ? ssh_strength_name(a->strength) : "unknown"));
	json_object_object_add(o, "note", audit_string_or_null(a ? a->note : AUDIT_UNKNOWN_NOTE));
	return o;
}

static struct json_object *audit_list_json(enum ssh_algorithm_kind kind,
					   const struct ssh_name_list *list)
{
	struct json_object *a = json_object_new_array();
	for (size_t i = 0; a && i < list->count; i++) {
		struct json_object *entry = audit_algorithm_json(kind, list->names[i]);
		if (!entry || json_object_array_add(a, entry) < 0) {
			json_object_put(entry);
			json_object_put(a);
			return NULL;
		}
	}
	return a;
}

static bool audit_lists_equal(const struct ssh_name_list *x, const struct ssh_name_list *y)
{
	if (x->count != y->count)
		return false;
	for (size_t i = 0; i < x->count; i++)
		if (strcmp(x->names[i], y->names[i]) != 0)
			return false;
	return true;
}

/* key "cipher" (both directions), and the two directions when they differ. */
static int audit_add_directions(struct json_object *algorithms, const char *key,
				enum ssh_algorithm_kind kind, const struct ssh_name_list *c2s,
				const struct ssh_name_list *s2c)
{
	char name[48];
	if (audit_lists_equal(c2s, s2c)) {
		struct json_object *list = audit_list_json(kind, s2c);
		if (!list)
			return DL_ENOMEM;
		json_object_object_add(algorithms, key, list);
		return 0;
	}
	/* "cipher" is then the union: client-to-server's order, then what only s2c has */
	struct ssh_name_list both = *c2s; /* 4 KiB */
	for (size_t i = 0; i < s2c->count && both.count < SSH_NAMES_MAX; i++)
		if (!ssh_name_list_has(&both, s2c->names[i]))
			memcpy(both.names[both.count++], s2c->names[i], sizeof(both.names[0]));
	struct json_object *list = audit_list_json(kind, &both);
	struct json_object *up = audit_list_json(kind, c2s);
	struct json_object *down = audit_list_json(kind, s2c);
	if (!list || !up || !down) {
		json_object_put(list);
		json_object_put(up);
		json_object_put(down);
		return DL_ENOMEM;
	}
	json_object_object_add(algorithms, key, list);
	snprintf(name, sizeof(name), "%s_client_to_server", key);
	json_object_object_add(algorithms, name, up);
	snprintf(name, sizeof(name), "%s_server_to_client", key);
	json_object_object_add(algorithms, name, down);
	return 0;
}

struct json_object *ssh_audit_algorithms_json(const struct ssh_kexinit *k)
{
	struct json_object *o = json_object_new_object();
	if (!o)
		return NULL;
	struct json_object *kex = audit_list_json(SSH_ALGORITHM_KEX, &k->lists[SSH_KEX_ALGORITHMS]);
	struct json_object *host_key =
		audit_list_json(SSH_ALGORITHM_HOST_KEY, &k->lists[SSH_HOST_KEY_ALGORITHMS]);
	if (!kex || !host_key) {
		json_object_put(kex);
		json_object_put(host_key);
		json_object_put(o);
		return NULL;
	}
	json_object_object_add(o, "kex", kex);
	json_object_object_add(o, "host_key", host_key);
	if (audit_add_directions(o, "cipher", SSH_ALGORITHM_CIPHER,
				 &k->lists[SSH_CIPHERS_CLIENT_TO_SERVER],
				 &k->lists[SSH_CIPHERS_SERVER_TO_CLIENT]) < 0 ||
	    audit_add_directions(o, "mac", SSH_ALGORITHM_MAC, &k->lists[SSH_MACS_CLIENT_TO_SERVER],
				 &k->lists[SSH_MACS_SERVER_TO_CLIENT]) < 0 ||
	    audit_add_directions(o, "compression", SSH_ALGORITHM_COMPRESSION,
				 &k->lists[SSH_COMPRESSION_CLIENT_TO_SERVER],
				 &k->lists[SSH_COMPRESSION_SERVER_TO_CLIENT]) < 0) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

struct json_object *ssh_audit_ident_json(const struct ssh_ident *ident)
{
	struct json_object *o = json_object_new_object();
	if (!o)
		return NULL;
	json_object_object_add(o, "protoversion", json_object_new_string(ident->protoversion));
	json_object_object_add(o, "software", json_object_new_string(ident->softwareversion));
	json_object_object_add(o, "comments", audit_string_or_null(ident->comments));
	json_object_object_add(o, "lines_before",
			       json_object_new_int64((int64_t)ident->lines_before));
	json_object_object_add(o, "crlf", json_object_new_boolean(ident->crlf));
	return o;
}

const char *ssh_audit_key_strength(const char *key_type, unsigned bits)
{
	if (strcmp(key_type, "ssh-rsa") == 0 || strcmp(key_type, "ssh-dss") == 0) {
		if (bits < 2048)
			return "weak";
		return bits < 15360 ? "128" : "256"; /* SP 800-57: 15360 bits for 256 */
	}
	if (text_starts_with(key_type, "ecdsa-sha2-") ||
	    text_starts_with(key_type, "sk-ecdsa-sha2-")) {
		if (bits < 224)
			return "weak";
		return bits < 512 ? "128" : "256";
	}
	if (strcmp(key_type, "ssh-ed25519") == 0 ||
	    strcmp(key_type, "sk-ssh-ed25519@openssh.com") == 0 ||
	    strcmp(key_type, "ssh-ed448") == 0)
		return "128";
	return "unknown";
}

struct json_object *ssh_audit_host_keys_json(const struct ssh_host_keys *keys)
{
	struct json_object *a = json_object_new_array();
	for (size_t i = 0; a && i < keys->count; i++) {
		const struct ssh_host_key *k = &keys->keys[i];
		struct json_object *o = json_object_new_object();
		if (!o || json_object_array_add(a, o) < 0) {
			json_object_put(o);
			json_object_put(a);
			return NULL;
		}
		json_object_object_add(o, "algorithm", json_object_new_string(k->algorithm));
		json_object_object_add(o, "fetched", json_object_new_boolean(k->fetched));
		if (!k->fetched) {
			json_object_object_add(o, "error", json_object_new_string(k->error));
			continue;
		}
		json_object_object_add(o, "key_type", json_object_new_string(k->key_type));
		json_object_object_add(o, "bits", json_object_new_int64(k->bits));
		json_object_object_add(
			o, "strength",
			json_object_new_string(ssh_audit_key_strength(k->key_type, k->bits)));
		json_object_object_add(o, "fingerprint", json_object_new_string(k->fingerprint));
	}
	return a;
}

/* The server's host-key names as the fetcher wants them. */
static size_t audit_host_key_names(const struct ssh_kexinit *k, const char **names, size_t cap)
{
	const struct ssh_name_list *list = &k->lists[SSH_HOST_KEY_ALGORITHMS];
	size_t n = 0;
	for (size_t i = 0; i < list->count && n < cap; i++)
		names[n++] = list->names[i];
	return n;
}

static int audit_result(struct json_object *o, const char *address, uint16_t port,
			const struct audit_exchange *ex, const struct ssh_kexinit *kexinit,
			const struct ssh_host_keys *keys, const char *incomplete,
			unsigned connections, int64_t started_ns)
{
	json_object_object_add(o, "address", json_object_new_string(address));
	json_object_object_add(o, "port", json_object_new_int(port));
	json_object_object_add(o, "speaks_ssh", json_object_new_boolean(ex->ident_seen));
	json_object_object_add(o, "complete", json_object_new_boolean(*incomplete == '\0'));
	json_object_object_add(o, "incomplete", audit_string_or_null(incomplete));
	json_object_object_add(o, "ident",
			       ex->ident_seen ? ssh_audit_ident_json(&ex->ident) : NULL);
	struct json_object *algorithms = NULL, *host_keys = NULL;
	if (ex->kexinit_seen) {
		algorithms = ssh_audit_algorithms_json(kexinit);
		if (!algorithms)
			return DL_ENOMEM;
	}
	json_object_object_add(o, "algorithms", algorithms);
	json_object_object_add(o, "strict_kex",
			       ex->kexinit_seen ? json_object_new_boolean(ssh_name_list_has(
							  &kexinit->lists[SSH_KEX_ALGORITHMS],
							  "kex-strict-s-v00@openssh.com"))
						: NULL);
	host_keys = keys ? ssh_audit_host_keys_json(keys) : json_object_new_array();
	if (!host_keys)
		return DL_ENOMEM;
	json_object_object_add(o, "host_keys", host_keys);
	json_object_object_add(o, "connections", json_object_new_int64(connections));
	json_object_object_add(o, "duration_ms",
			       json_object_new_int64((sock_now_ns() - started_ns) / 1000000));
	json_object_object_add(o, "evidence", NULL);
	return 0;
}

int ssh_audit_endpoint(const char *address, uint16_t port, const struct ssh_audit_options *o,
		       struct json_object **out, struct dl_error *err)
{
	*out = NULL;
	if (!address || !o || !o->scope || port == 0)
		return dl_error_set(err, DL_EINVAL,
				    "ssh audit: give an address, a port (1-65535) and a scope");
	int64_t started = sock_now_ns();
	int64_t deadline = o->deadline_ns ? o->deadline_ns : started + AUDIT_DEFAULT_DEADLINE_NS;
	unsigned probe_ms = o->probe_timeout_ms ? o->probe_timeout_ms : AUDIT_PROBE_TIMEOUT_MS;
	int64_t probe_deadline = started + (int64_t)probe_ms * 1000000;
	if (probe_deadline > deadline)
		probe_deadline = deadline;
	struct sock_address destination;
	int rc = sock_address_parse(address, port, &destination, err);
	if (rc < 0)
		return rc;

	uint8_t hello[AUDIT_HELLO_MAX];
	size_t hello_len = 0;
	rc = audit_build_hello(hello, sizeof(hello), &hello_len, err);
	if (rc < 0)
		return rc;
	uint8_t *buf = malloc(SSH_STREAM_MAX);
	struct ssh_kexinit *kexinit = malloc(sizeof(*kexinit));
	struct ssh_host_keys *keys = NULL;
	struct json_object *result = json_object_new_object();
	struct audit_exchange ex = {0};
	char incomplete[AUDIT_WHY_MAX] = "";
	unsigned connections = 0;
	if (!buf || !kexinit || !result) {
		rc = dl_error_set(err, DL_ENOMEM, "ssh audit of %s port %u: out of memory", address,
				  port);
		goto out;
	}

	int fd = -1;
	struct dl_error local = {0};
	rc = sock_tcp_connect(o->scope, &destination, o->interface, probe_deadline, &fd, &local);
	if (rc == DL_ESCOPE || rc == DL_EINVAL) {
		if (err)
			*err = local;
		goto out;
	}
	connections++;
	if (rc < 0) {
		snprintf(incomplete, sizeof(incomplete), "cannot connect: %s", local.message);
	} else {
		ex.connected = true;
		if (sock_send_all(fd, hello, hello_len, probe_deadline, &local) < 0)
			snprintf(ex.incomplete, sizeof(ex.incomplete),
				 "sending our identification and KEXINIT: %s", local.message);
		else
			audit_read_server(fd, probe_deadline, buf, SSH_STREAM_MAX, &ex, kexinit);
		sock_close_reset(fd);
		snprintf(incomplete, sizeof(incomplete), "%s", ex.incomplete);
	}

	if (ex.kexinit_seen && !o->skip_host_keys) {
		keys = malloc(sizeof(*keys));
		if (!keys) {
			rc = dl_error_set(err, DL_ENOMEM, "ssh audit: out of memory");
			goto out;
		}
		const char *names[SSH_NAMES_MAX];
		size_t count = audit_host_key_names(kexinit, names, DL_ARRAY_SIZE(names));
		rc = ssh_host_keys_fetch(o->scope, o->interface, address, port, names, count,
					 deadline, keys, err);
		if (rc < 0)
			goto out;
		connections += keys->connections;
		if (keys->deadline_hit)
			snprintf(incomplete, sizeof(incomplete),
				 "the deadline passed before every host key was fetched");
	}
	rc = audit_result(result, address, port, &ex, kexinit, keys, incomplete, connections,
			  started);
	if (rc < 0) {
		dl_error_set(err, rc, "ssh audit of %s port %u: out of memory", address, port);
		goto out;
	}
	*out = result;
	result = NULL;
	rc = 0;
out:
	json_object_put(result);
	free(keys);
	free(kexinit);
	free(buf);
	return rc;
}
