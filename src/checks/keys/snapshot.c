/* snapshot: the TLS and SSH key fingerprints a DUT address serves at one moment */
#include "core/compat.h"

#include <json-c/json.h>
#include <openssl/x509.h>
#include <time.h>
#include <unistd.h>

#include "checks/discovery/scan-view.h"
#include "checks/keys/snapshot.h"
#include "checks/ssh/ssh-hostkey.h"
#include "checks/tls/tls-certificate.h"
#include "core/error.h"
#include "net/sock.h"
#include "proto/ssh.h"

#define PORT_TIMEOUT_DEFAULT_MS 5000
#define SSH_READ_ROUNDS_MAX 64 /* reads to get the identification and KEXINIT */
#define WAIT_POLL_NS (250 * 1000000LL)

static void ports_add(uint16_t *list, size_t *count, uint16_t port)
{
	size_t i = 0;
	while (i < *count && list[i] < port)
		i++;
	if ((i < *count && list[i] == port) || *count == KEYS_PORTS_MAX)
		return;
	memmove(list + i + 1, list + i, (*count - i) * sizeof(*list));
	list[i] = port;
	(*count)++;
}

static void ports_collect(const struct scan_view *v, const char *address, struct keys_ports *out)
{
	for (size_t i = 0; i < v->service_count; i++) {
		const struct scan_service *s = &v->services[i];
		if (strcmp(s->proto, "tcp") != 0 || (address && strcmp(s->address, address) != 0))
			continue;
		if (s->tls)
			ports_add(out->tls, &out->tls_count, s->port);
		else if (strcmp(s->service, "ssh") == 0)
			ports_add(out->ssh, &out->ssh_count, s->port);
	}
}

int keys_ports_from_scan(const struct json_object *scan, const char *address,
			 struct keys_ports *out, struct dl_error *err)
{
	memset(out, 0, sizeof(*out));
	struct scan_view v;
	int rc = scan_view_load(scan, &v, err);
	if (rc)
		return dl_error_prefix(err, "discovery.scan observation");
	bool scanned = false;
	for (size_t i = 0; address && i < v.service_count; i++)
		if (strcmp(v.services[i].address, address) == 0)
			scanned = true;
	/* Units of one model serve the same ports: an address the scan did not
	 * cover is read on the ports found anywhere. */
	ports_collect(&v, scanned ? address : NULL, out);
	scan_view_release(&v);
	return 0;
}

static int64_t port_deadline(const struct keys_snapshot_options *o)
{
	unsigned ms = o->port_timeout_ms ? o->port_timeout_ms : PORT_TIMEOUT_DEFAULT_MS;
	int64_t d = sock_now_ns() + (int64_t)ms * 1000000LL;
	return o->deadline_ns > 0 && o->deadline_ns < d ? o->deadline_ns : d;
}

static int add_error(struct json_object *errors, uint16_t port, const char *service,
		     const char *algorithm, const char *text)
{
	struct json_object *e = json_object_new_object();
	if (!e)
		return DL_ENOMEM;
	json_object_object_add(e, "port", json_object_new_int(port));
	json_object_object_add(e, "service", json_object_new_string(service));
	if (algorithm)
		json_object_object_add(e, "algorithm", json_object_new_string(algorithm));
	json_object_object_add(e, "error", json_object_new_string(text));
	return json_object_array_add(errors, e) == 0 ? 0 : DL_ENOMEM;
}

/* "O=Acme, CN=cam-100-0001", the way the certificate facts write it. */
static void leaf_subject(const unsigned char *der, size_t len, char *out, size_t size)
{
	out[0] = '\0';
	const unsigned char *p = der;
	X509 *x = d2i_X509(NULL, &p, (long)len);
	BIO *bio = x ? BIO_new(BIO_s_mem()) : NULL;
	if (bio &&
	    X509_NAME_print_ex(bio, X509_get_subject_name(x), 0,
			       XN_FLAG_SEP_CPLUS_SPC | XN_FLAG_FN_SN |
				       (ASN1_STRFLGS_RFC2253 & ~ASN1_STRFLGS_ESC_MSB)) >= 0) {
		int n = BIO_read(bio, out, (int)size - 1);
		out[n > 0 ? n : 0] = '\0';
	}
	BIO_free(bio);
	X509_free(x);
}

static int snapshot_tls(const struct keys_snapshot_options *o, const char *address, uint16_t port,
			struct json_object *tls, struct json_object *errors, struct dl_error *err)
{
	struct tls_chain chain = {0};
	struct dl_error fetch_err = {0};
	int rc = tls_chain_fetch(o->scope, o->interface, address, port, NULL, port_deadline(o),
				 &chain, &fetch_err);
	if (rc == DL_ESCOPE || rc == DL_ENOMEM || rc == DL_EINVAL) {
		tls_chain_release(&chain);
		*err = fetch_err;
		return rc;
	}
	if (rc || chain.count == 0) {
		tls_chain_release(&chain);
		return add_error(errors, port, "tls", NULL,
				 fetch_err.message[0] ? fetch_err.message
						      : "no certificate served");
	}
	char sha256[65], spki[65], subject[512];
	rc = tls_certificate_fingerprints(chain.der[0], chain.der_len[0], sha256, spki, &fetch_err);
	if (rc) {
		leaf_subject(chain.der[0], chain.der_len[0], subject, sizeof(subject));
		tls_chain_release(&chain);
		return rc == DL_ENOMEM ? dl_error_set(err, rc, "%s", fetch_err.message)
				       : add_error(errors, port, "tls", NULL, fetch_err.message);
	}
	leaf_subject(chain.der[0], chain.der_len[0], subject, sizeof(subject));
	tls_chain_release(&chain);
	struct json_object *e = json_object_new_object();
	if (!e)
		return dl_error_set(err, DL_ENOMEM, "keys: out of memory");
	json_object_object_add(e, "port", json_object_new_int(port));
	json_object_object_add(e, "spki_sha256", json_object_new_string(spki));
	json_object_object_add(e, "sha256", json_object_new_string(sha256));
	json_object_object_add(e, "subject", json_object_new_string(subject));
	if (json_object_array_add(tls, e) != 0) {
		json_object_put(e);
		return dl_error_set(err, DL_ENOMEM, "keys: out of memory");
	}
	return 0;
}

/*
 * The server's host-key algorithms, from its KEXINIT: it sends it right
 * after our identification (RFC 4253 7.1), so we need not send ours.
 */
static int ssh_offered_host_keys(const struct keys_snapshot_options *o, const char *address,
				 uint16_t port, struct ssh_name_list *out, struct dl_error *err)
{
	struct sock_address dest;
	int rc = sock_address_parse(address, port, &dest, err);
	if (rc)
		return rc;
	int64_t deadline = port_deadline(o);
	int fd = -1;
	rc = sock_tcp_connect(o->scope, &dest, o->interface, deadline, &fd, err);
	if (rc)
		return rc;
	uint8_t *buf = malloc(SSH_STREAM_MAX);
	struct ssh_kexinit *kexinit = malloc(sizeof(*kexinit));
	uint8_t ident[SSH_IDENT_MAX + 2];
	size_t ident_len = 0;
	if (!buf || !kexinit) {
		rc = dl_error_set(err, DL_ENOMEM, "keys: out of memory");
		goto out;
	}
	rc = ssh_build_ident(ident, sizeof(ident), &ident_len, err);
	if (!rc)
		rc = sock_send_all(fd, ident, ident_len, deadline, err);
	if (rc)
		goto out;
	size_t len = 0;
	struct ssh_stream_view view = {0};
	for (int round = 0; round < SSH_READ_ROUNDS_MAX; round++) {
		rc = ssh_stream_scan(buf, len, &view, err);
		if (rc || view.complete)
			break;
		size_t want = view.need ? view.need : 1;
		if (want > SSH_STREAM_MAX - len) {
			rc = dl_error_set(err, DL_EPROTO, "the server's greeting exceeds %u bytes",
					  (unsigned)SSH_STREAM_MAX);
			break;
		}
		size_t got = 0;
		rc = sock_recv_some(fd, buf + len, want, deadline, 0, &got, err);
		if (rc)
			break;
		len += got;
		if (got < want) {
			rc = dl_error_set(err, sock_now_ns() >= deadline ? DL_ETIMEDOUT : DL_EPROTO,
					  "the server %s before its KEXINIT",
					  sock_now_ns() >= deadline ? "went quiet" : "closed");
			break;
		}
	}
	if (!rc && !view.complete)
		rc = dl_error_set(err, DL_EPROTO, "no KEXINIT after %d reads", SSH_READ_ROUNDS_MAX);
	if (!rc)
		rc = ssh_parse_kexinit(buf + view.packet_start, view.packet_len, kexinit, err);
	if (!rc)
		*out = kexinit->lists[SSH_HOST_KEY_ALGORITHMS];
out:
	free(kexinit);
	free(buf);
	sock_close_reset(fd);
	return rc;
}

static int snapshot_ssh(const struct keys_snapshot_options *o, const char *address, uint16_t port,
			struct json_object *ssh, struct json_object *errors, struct dl_error *err)
{
	struct dl_error port_err = {0};
	struct ssh_name_list *offered = malloc(sizeof(*offered));
	struct ssh_host_keys *keys = malloc(sizeof(*keys));
	const char *names[SSH_NAMES_MAX];
	int rc = 0;
	if (!offered || !keys) {
		rc = dl_error_set(err, DL_ENOMEM, "keys: out of memory");
		goto out;
	}
	rc = ssh_offered_host_keys(o, address, port, offered, &port_err);
	if (rc == DL_ESCOPE || rc == DL_ENOMEM) {
		*err = port_err;
		goto out;
	}
	if (rc) {
		rc = add_error(errors, port, "ssh", NULL, port_err.message);
		goto out;
	}
	for (size_t i = 0; i < offered->count; i++)
		names[i] = offered->names[i];
	memset(keys, 0, sizeof(*keys));
	/* Every algorithm is its own connection: twice a port's time covers them all. */
	int64_t deadline = port_deadline(o);
	deadline += deadline - sock_now_ns();
	if (o->deadline_ns > 0 && deadline > o->deadline_ns)
		deadline = o->deadline_ns;
	rc = ssh_host_keys_fetch(o->scope, o->interface, address, port, names, offered->count,
				 deadline, keys, &port_err);
	if (rc) {
		*err = port_err;
		goto out;
	}
	for (size_t i = 0; i < keys->count && !rc; i++) {
		const struct ssh_host_key *k = &keys->keys[i];
		/* Certificates and algorithms libssh lacks carry no key of their own to compare. */
		if (!k->fetched) {
			rc = add_error(errors, port, "ssh", k->algorithm, k->error);
			continue;
		}
		struct json_object *e = json_object_new_object();
		if (!e) {
			rc = DL_ENOMEM;
			break;
		}
		json_object_object_add(e, "port", json_object_new_int(port));
		json_object_object_add(e, "algorithm", json_object_new_string(k->algorithm));
		json_object_object_add(e, "key_type", json_object_new_string(k->key_type));
		json_object_object_add(e, "bits", json_object_new_int((int)k->bits));
		json_object_object_add(e, "fingerprint", json_object_new_string(k->fingerprint));
		if (json_object_array_add(ssh, e) != 0) {
			json_object_put(e);
			rc = DL_ENOMEM;
		}
	}
	if (!rc && keys->deadline_hit)
		rc = add_error(errors, port, "ssh", NULL,
			       "the deadline passed before every host-key algorithm was tried");
	if (rc == DL_ENOMEM)
		dl_error_set(err, rc, "keys: out of memory");
out:
	free(keys);
	free(offered);
	return rc;
}

int keys_snapshot(const struct keys_snapshot_options *o, const char *address,
		  const struct keys_ports *ports, struct json_object **out, struct dl_error *err)
{
	struct dl_error local = {0};
	if (!err)
		err = &local;
	*out = NULL;
	if (!o || !address || !ports)
		return dl_error_set(err, DL_EINVAL, "keys: snapshot without an address or ports");
	struct json_object *snap = json_object_new_object();
	struct json_object *tls = json_object_new_array();
	struct json_object *ssh = json_object_new_array();
	struct json_object *errors = json_object_new_array();
	if (!snap || !tls || !ssh || !errors) {
		json_object_put(snap);
		json_object_put(tls);
		json_object_put(ssh);
		json_object_put(errors);
		return dl_error_set(err, DL_ENOMEM, "keys: out of memory");
	}
	json_object_object_add(snap, "address", json_object_new_string(address));
	json_object_object_add(snap, "tls", tls);
	json_object_object_add(snap, "ssh", ssh);
	json_object_object_add(snap, "errors", errors);
	int rc = 0;
	for (size_t i = 0; i < ports->tls_count && !rc; i++)
		rc = snapshot_tls(o, address, ports->tls[i], tls, errors, err);
	for (size_t i = 0; i < ports->ssh_count && !rc; i++)
		rc = snapshot_ssh(o, address, ports->ssh[i], ssh, errors, err);
	if (rc) {
		json_object_put(snap);
		if (rc == DL_ENOMEM && !err->message[0])
			dl_error_set(err, rc, "keys: out of memory");
		return dl_error_prefix(err, "keys: snapshot of %s", address);
	}
	*out = snap;
	return 0;
}

static bool port_answers(const struct keys_snapshot_options *o, const char *address, uint16_t port,
			 int64_t deadline_ns)
{
	struct sock_address dest;
	struct dl_error err = {0};
	if (sock_address_parse(address, port, &dest, &err))
		return false;
	int64_t d = sock_now_ns() + 1000000000LL;
	int fd = -1;
	if (sock_tcp_connect(o->scope, &dest, o->interface, d < deadline_ns ? d : deadline_ns, &fd,
			     &err))
		return false;
	sock_close_reset(fd);
	return true;
}

bool keys_wait_ports(const struct keys_snapshot_options *o, const char *address,
		     const struct keys_ports *ports, int64_t deadline_ns)
{
	uint16_t all[2 * KEYS_PORTS_MAX];
	size_t count = 0;
	for (size_t i = 0; i < ports->tls_count; i++)
		all[count++] = ports->tls[i];
	for (size_t i = 0; i < ports->ssh_count; i++)
		all[count++] = ports->ssh[i];
	size_t next = 0; /* ports before next have answered */
	while (next < count) {
		if (port_answers(o, address, all[next], deadline_ns)) {
			next++;
			continue;
		}
		if (sock_now_ns() + WAIT_POLL_NS >= deadline_ns)
			return false;
		struct timespec ts = {.tv_sec = 0, .tv_nsec = WAIT_POLL_NS};
		nanosleep(&ts, NULL);
	}
	return true;
}
