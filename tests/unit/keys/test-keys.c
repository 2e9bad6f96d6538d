/* test-keys: key snapshots, the lab certificate issuer and the keys.* judges */
#include "core/compat.h"

#include <setjmp.h>
#include <cmocka.h>
#include <json-c/json.h>
#include <netinet/in.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "checks/check.h"
#include "checks/keys/issue.h"
#include "checks/keys/keys.h"
#include "checks/keys/snapshot.h"
#include "checks/tls/tls-certificate.h"
#include "core/error.h"
#include "core/monotonic.h"
#include "core/profile.h"
#include "net/scope.h"
#include "proto/ssh.h"

/* ---- ports from a discovery.scan observation ---- */

#define OPEN(port, service, tls)                                                                   \
	"{\"port\": " #port ", \"service\": \"" service "\", \"tls\": " tls ", \"debug\": false,"  \
	" \"disclosures\": []}"
#define ADDRESS(a, family, open)                                                                   \
	"{\"address\": \"" a "\", \"family\": \"" family "\", \"tcp\": {\"method\": \"syn\","      \
	" \"ports_scanned\": 65535, \"closed\": 65530, \"filtered\": 0, \"complete\": true,"       \
	" \"open\": [" open "]}, \"udp\": {\"probed\": [], \"services\": []}}"

static const char scan_text[] = "{\"version\": 1, \"addresses\": [" ADDRESS(
	"198.18.1.2", "ipv4",
	OPEN(8443, "https", "true") "," OPEN(22, "ssh", "false") "," OPEN(
		443, "https", "true") "," OPEN(554, "rtsp",
					       "false")) "," ADDRESS("fd00:198:0:1::2", "ipv6",
								     OPEN(2222, "ssh",
									  "false")) "]}";

static void test_ports_from_scan(void **state)
{
	(void)state;
	struct json_object *scan = json_tokener_parse(scan_text);
	assert_non_null(scan);
	struct keys_ports ports;
	struct dl_error err = {0};
	assert_int_equal(keys_ports_from_scan(scan, "198.18.1.2", &ports, &err), 0);
	/* TLS ports sorted, RTSP and the other address's SSH port left out. */
	assert_int_equal(ports.tls_count, 2);
	assert_int_equal(ports.tls[0], 443);
	assert_int_equal(ports.tls[1], 8443);
	assert_int_equal(ports.ssh_count, 1);
	assert_int_equal(ports.ssh[0], 22);

	/* An address the scan did not cover (another unit) gets every port found. */
	assert_int_equal(keys_ports_from_scan(scan, "198.18.1.3", &ports, &err), 0);
	assert_int_equal(ports.tls_count, 2);
	assert_int_equal(ports.ssh_count, 2);
	assert_int_equal(ports.ssh[0], 22);
	assert_int_equal(ports.ssh[1], 2222);
	json_object_put(scan);

	struct json_object *bad = json_tokener_parse("{\"version\": 1}");
	assert_int_not_equal(keys_ports_from_scan(bad, NULL, &ports, &err), 0);
	assert_non_null(strstr(err.message, "discovery.scan observation"));
	json_object_put(bad);
}

/* ---- the lab certificate ---- */

static void temp_dir(char *out, size_t size)
{
	snprintf(out, size, "/tmp/dutlab-test-keys-XXXXXX");
	assert_non_null(mkdtemp(out));
}

static X509 *read_cert(const char *path)
{
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	X509 *x = PEM_read_X509(f, NULL, NULL, NULL);
	fclose(f);
	assert_non_null(x);
	return x;
}

static void remove_issued(const char *dir)
{
	static const char *const names[] = {"lab-ca.pem", "lab-leaf.pem", "lab-leaf.key"};
	char path[256];
	for (size_t i = 0; i < DL_ARRAY_SIZE(names); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		unlink(path);
	}
	rmdir(dir);
}

static void test_issue(void **state)
{
	(void)state;
	char dir[64];
	temp_dir(dir, sizeof(dir));
	const char *addresses[] = {"198.18.1.2", "fd00:198:0:1::2"};
	const char *names[] = {"cam-100-0001"};
	struct keys_issued issued;
	struct dl_error err = {0};
	assert_int_equal(keys_issue_lab_certificate(dir, addresses, 2, names, 1, KEYS_ISSUE_EC_P256,
						    0, &issued, &err),
			 0);

	/* The leaf chains to the CA, for a TLS server, and names what we asked for. */
	X509 *ca = read_cert(issued.ca_certificate);
	X509 *leaf = read_cert(issued.certificate);
	X509_STORE *store = X509_STORE_new();
	X509_STORE_add_cert(store, ca);
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	X509_STORE_CTX_init(ctx, store, leaf, NULL);
	X509_STORE_CTX_set_purpose(ctx, X509_PURPOSE_SSL_SERVER);
	assert_int_equal(X509_verify_cert(ctx), 1);
	X509_STORE_CTX_free(ctx);
	X509_STORE_free(store);
	assert_int_equal(X509_check_ip_asc(leaf, "198.18.1.2", 0), 1);
	assert_int_equal(X509_check_ip_asc(leaf, "fd00:198:0:1::2", 0), 1);
	assert_int_equal(X509_check_host(leaf, "cam-100-0001", 0, 0, NULL), 1);
	assert_int_equal(X509_check_ip_asc(leaf, "198.18.1.3", 0), 0);
	EVP_PKEY *pub = X509_get0_pubkey(leaf);
	assert_int_equal(EVP_PKEY_get_base_id(pub), EVP_PKEY_EC);
	assert_int_equal(EVP_PKEY_get_bits(pub), 256);

	/* The recorded fingerprints are the certificate's. */
	unsigned char *der = NULL;
	int len = i2d_X509(leaf, &der);
	char sha256[65], spki[65];
	assert_int_equal(tls_certificate_fingerprints(der, (size_t)len, sha256, spki, &err), 0);
	assert_string_equal(sha256, issued.sha256);
	assert_string_equal(spki, issued.spki_sha256);
	assert_string_equal(issued.subject, "O=dutlab lab, CN=cam-100-0001");
	OPENSSL_free(der);

	/* The key is the leaf's and nobody else may read it. */
	struct stat st;
	assert_int_equal(stat(issued.key, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	FILE *f = fopen(issued.key, "r");
	assert_non_null(f);
	EVP_PKEY *key = PEM_read_PrivateKey(f, NULL, NULL, NULL);
	fclose(f);
	assert_non_null(key);
	assert_int_equal(X509_check_private_key(leaf, key), 1);
	EVP_PKEY_free(key);

	/* Each run makes new keys. */
	struct keys_issued again;
	assert_int_equal(keys_issue_lab_certificate(dir, addresses, 1, NULL, 0, KEYS_ISSUE_RSA,
						    1024, &again, &err),
			 0);
	assert_string_not_equal(again.spki_sha256, issued.spki_sha256);
	assert_string_equal(again.subject, "O=dutlab lab, CN=198.18.1.2");
	/* An RSA leaf for a DUT that serves RSA: never under 2048 bits, and for static-RSA
	 * suites its key may encrypt. */
	X509 *rsa = read_cert(again.certificate);
	assert_int_equal(EVP_PKEY_get_base_id(X509_get0_pubkey(rsa)), EVP_PKEY_RSA);
	assert_int_equal(EVP_PKEY_get_bits(X509_get0_pubkey(rsa)), 2048);
	assert_true((X509_get_key_usage(rsa) & KU_KEY_ENCIPHERMENT) != 0);
	X509_free(rsa);

	/* What cannot go into a SAN is refused, not smuggled in. */
	const char *evil[] = {"198.18.1.2,DNS:evil.example"};
	assert_int_equal(keys_issue_lab_certificate(dir, evil, 1, NULL, 0, KEYS_ISSUE_EC_P256, 0,
						    &again, &err),
			 DL_EINVAL);
	assert_int_equal(keys_issue_lab_certificate(dir, NULL, 0, NULL, 0, KEYS_ISSUE_EC_P256, 0,
						    &again, &err),
			 DL_EINVAL);
	X509_free(leaf);
	X509_free(ca);
	remove_issued(dir);
}

/* ---- a snapshot of a TLS server on loopback ---- */

struct server {
	int listen_fd;
	SSL_CTX *ctx;
	uint16_t port;
	int handshakes;
};

static void *serve(void *opaque)
{
	struct server *s = opaque;
	for (int i = 0; i < s->handshakes; i++) {
		int fd = accept(s->listen_fd, NULL, NULL);
		if (fd < 0)
			break;
		SSL *ssl = SSL_new(s->ctx);
		SSL_set_fd(ssl, fd);
		if (SSL_accept(ssl) == 1)
			SSL_shutdown(ssl);
		SSL_free(ssl);
		close(fd);
	}
	return NULL;
}

static uint16_t listen_loopback(int *fd_out)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(fd >= 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(fd, 4), 0);
	socklen_t len = sizeof(a);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
	*fd_out = fd;
	return ntohs(a.sin_port);
}

static void test_snapshot_tls(void **state)
{
	(void)state;
	char dir[64];
	temp_dir(dir, sizeof(dir));
	const char *addresses[] = {"127.0.0.1"};
	struct keys_issued issued;
	struct dl_error err = {0};
	assert_int_equal(keys_issue_lab_certificate(dir, addresses, 1, NULL, 0, KEYS_ISSUE_EC_P256,
						    0, &issued, &err),
			 0);

	struct server s = {.ctx = SSL_CTX_new(TLS_server_method()), .handshakes = 1};
	assert_int_equal(SSL_CTX_use_certificate_file(s.ctx, issued.certificate, SSL_FILETYPE_PEM),
			 1);
	assert_int_equal(SSL_CTX_use_PrivateKey_file(s.ctx, issued.key, SSL_FILETYPE_PEM), 1);
	s.port = listen_loopback(&s.listen_fd);
	/* A port nothing listens on: bound, then closed. */
	int closed_fd;
	uint16_t closed = listen_loopback(&closed_fd);
	close(closed_fd);
	pthread_t thread;
	assert_int_equal(pthread_create(&thread, NULL, serve, &s), 0);

	struct scope scope = {.origin = "test"};
	assert_int_equal(scope_add_network(&scope, "127.0.0.0/8", &err), 0);
	struct keys_snapshot_options o = {.scope = &scope,
					  .deadline_ns = monotonic_ns() + 10000000000LL,
					  .port_timeout_ms = 3000};
	struct keys_ports ports = {.tls = {s.port, closed}, .tls_count = 2};
	struct json_object *snap = NULL;
	assert_int_equal(keys_snapshot(&o, "127.0.0.1", &ports, &snap, &err), 0);
	pthread_join(thread, NULL);

	struct json_object *tls = json_object_object_get(snap, "tls");
	assert_int_equal(json_object_array_length(tls), 1);
	struct json_object *e = json_object_array_get_idx(tls, 0);
	assert_int_equal(json_object_get_int(json_object_object_get(e, "port")), s.port);
	assert_string_equal(json_object_get_string(json_object_object_get(e, "sha256")),
			    issued.sha256);
	assert_string_equal(json_object_get_string(json_object_object_get(e, "spki_sha256")),
			    issued.spki_sha256);
	assert_string_equal(json_object_get_string(json_object_object_get(e, "subject")),
			    "O=dutlab lab, CN=127.0.0.1");
	/* The closed port is recorded as unreadable, not skipped. */
	struct json_object *errors = json_object_object_get(snap, "errors");
	assert_int_equal(json_object_array_length(errors), 1);
	e = json_object_array_get_idx(errors, 0);
	assert_int_equal(json_object_get_int(json_object_object_get(e, "port")), closed);
	assert_string_equal(json_object_get_string(json_object_object_get(e, "service")), "tls");
	json_object_put(snap);

	/* An address outside the scope is refused before anything is sent. */
	assert_int_equal(keys_snapshot(&o, "198.18.1.2", &ports, &snap, &err), DL_ESCOPE);
	assert_null(snap);

	scope_release(&scope);
	close(s.listen_fd);
	SSL_CTX_free(s.ctx);
	remove_issued(dir);
}

/* ---- a snapshot of an SSH server that only greets ---- */

/* Sends its identification and a KEXINIT offering two host-key algorithms,
 * then hangs up: dutlab reads the offer; libssh gets no key from it. */
struct greeter {
	int listen_fd;
	int connections;
};

static void *greet(void *opaque)
{
	struct greeter *g = opaque;
	uint8_t packet[2048];
	size_t len = 0;
	struct ssh_kexinit_offer offer = {
		.lists = {[SSH_KEX_ALGORITHMS] = "curve25519-sha256",
			  [SSH_HOST_KEY_ALGORITHMS] = "ssh-ed25519,ecdsa-sha2-nistp256",
			  [SSH_CIPHERS_CLIENT_TO_SERVER] = "aes128-ctr",
			  [SSH_CIPHERS_SERVER_TO_CLIENT] = "aes128-ctr",
			  [SSH_MACS_CLIENT_TO_SERVER] = "hmac-sha2-256",
			  [SSH_MACS_SERVER_TO_CLIENT] = "hmac-sha2-256",
			  [SSH_COMPRESSION_CLIENT_TO_SERVER] = "none",
			  [SSH_COMPRESSION_SERVER_TO_CLIENT] = "none"}};
	struct dl_error err = {0};
	if (ssh_build_kexinit(packet, sizeof(packet), &len, &offer, &err) != 0)
		return NULL;
	for (;;) {
		struct pollfd pfd = {.fd = g->listen_fd, .events = POLLIN};
		/* Done once nobody has connected for a while. */
		if (poll(&pfd, 1, 1500) <= 0)
			break;
		int fd = accept(g->listen_fd, NULL, NULL);
		if (fd < 0)
			break;
		g->connections++;
		static const char ident[] = "SSH-2.0-Greeter_1.0\r\n";
		if (write(fd, ident, sizeof(ident) - 1) > 0 && write(fd, packet, len) > 0) {
			/* Let the client's bytes arrive, so the close is a FIN, not a reset. */
			char buf[512];
			struct pollfd in = {.fd = fd, .events = POLLIN};
			ssize_t ignored = poll(&in, 1, 200) > 0 ? read(fd, buf, sizeof(buf)) : 0;
			(void)ignored;
		}
		close(fd);
	}
	return NULL;
}

static void test_snapshot_ssh_offer(void **state)
{
	(void)state;
	struct greeter g = {0};
	uint16_t port = listen_loopback(&g.listen_fd);
	pthread_t thread;
	assert_int_equal(pthread_create(&thread, NULL, greet, &g), 0);
	struct dl_error err = {0};
	struct scope scope = {.origin = "test"};
	assert_int_equal(scope_add_network(&scope, "127.0.0.0/8", &err), 0);
	struct keys_snapshot_options o = {.scope = &scope,
					  .deadline_ns = monotonic_ns() + 10000000000LL,
					  .port_timeout_ms = 2000};
	struct keys_ports ports = {.ssh = {port}, .ssh_count = 1};
	struct json_object *snap = NULL;
	assert_int_equal(keys_snapshot(&o, "127.0.0.1", &ports, &snap, &err), 0);
	pthread_join(thread, NULL);
	close(g.listen_fd);
	scope_release(&scope);

	/* No key came, and each offered algorithm is named as not read, none left out. */
	assert_int_equal(json_object_array_length(json_object_object_get(snap, "ssh")), 0);
	struct json_object *errors = json_object_object_get(snap, "errors");
	bool ed25519 = false, ecdsa = false;
	for (size_t i = 0; i < json_object_array_length(errors); i++) {
		struct json_object *e = json_object_array_get_idx(errors, i);
		const char *a = json_object_get_string(json_object_object_get(e, "algorithm"));
		assert_int_equal(json_object_get_int(json_object_object_get(e, "port")), port);
		ed25519 = ed25519 || (a && strcmp(a, "ssh-ed25519") == 0);
		ecdsa = ecdsa || (a && strcmp(a, "ecdsa-sha2-nistp256") == 0);
	}
	assert_true(ed25519);
	assert_true(ecdsa);
	/* Our KEXINIT read, then one libssh connection per algorithm at least. */
	assert_true(g.connections >= 2);
	json_object_put(snap);
}

/* ---- judges ---- */

struct judged {
	enum verdict verdict;
	char summary[512];
	size_t fails;
	char findings[4096];
};

static struct judged judge(const struct check *c, const char *text, const char *exclude)
{
	struct json_object *o = json_tokener_parse(text);
	assert_non_null(o);
	struct check_params params = {.items = NULL, .count = 0};
	struct check_verdict v;
	memset(&v, 0, sizeof(v));
	struct dl_error err = {0};
	/* exclude: the profile's tls.identity_keys, comma-separated here. */
	char list[256] = "";
	char *identity[8];
	struct profile profile;
	memset(&profile, 0, sizeof(profile));
	snprintf(list, sizeof(list), "%s", exclude ? exclude : "");
	for (char *save = NULL, *t = strtok_r(list, ", ", &save);
	     t && profile.tls_identity_key_count < 8; t = strtok_r(NULL, ", ", &save))
		identity[profile.tls_identity_key_count++] = t;
	profile.tls_identity_keys = identity;
	assert_int_equal(c->judge(o, &params, &profile, &v, &err), 0);
	struct judged j = {.verdict = v.verdict};
	snprintf(j.summary, sizeof(j.summary), "%s", v.summary ? v.summary : "");
	size_t used = 0;
	for (size_t i = 0; i < v.finding_count; i++) {
		if (v.findings[i].severity == FINDING_FAIL)
			j.fails++;
		int n = snprintf(j.findings + used, sizeof(j.findings) - used, "%s\n",
				 v.findings[i].text);
		if (n > 0 && (size_t)n < sizeof(j.findings) - used)
			used += (size_t)n;
	}
	check_verdict_release(&v);
	json_object_put(o);
	return j;
}

#define SNAP(tls_fp, ed_fp)                                                                        \
	"{\"address\": \"198.18.1.2\", \"tls\": [{\"port\": 443, \"spki_sha256\": \"" tls_fp       \
	"\", \"sha256\": \"c" tls_fp "\", \"subject\": \"CN=x\"}], \"ssh\": [{\"port\": 22,"       \
	" \"algorithm\": \"ssh-ed25519\", \"fingerprint\": \"" ed_fp "\"}], \"errors\": []}"
#define RESET_OK                                                                                   \
	"{\"exit_status\": 0, \"timed_out\": false, \"duration_ms\": 100, \"services_back\": "     \
	"true,"                                                                                    \
	" \"transcript\": \"evidence/keys/factory-reset-1.log\"}"
#define RESETS(s0, s1, s2, r)                                                                      \
	"{\"operation_declared\": true, \"snapshots\": [" s0 "," s1 "," s2 "], \"resets\": [" r    \
	"," RESET_OK "]}"

static void test_judge_factory_reset(void **state)
{
	(void)state;
	const struct check *c = &check_keys_factory_reset;
	struct judged j = judge(c,
				RESETS(SNAP("aa", "SHA256:A"), SNAP("bb", "SHA256:B"),
				       SNAP("cc", "SHA256:C"), RESET_OK),
				NULL);
	assert_int_equal(j.verdict, VERDICT_PASS);

	/* A vendor that keeps its keys (camera-bad). */
	j = judge(c,
		  RESETS(SNAP("aa", "SHA256:A"), SNAP("aa", "SHA256:A"), SNAP("aa", "SHA256:A"),
			 RESET_OK),
		  NULL);
	assert_int_equal(j.verdict, VERDICT_FAIL);
	assert_int_equal(j.fails, 4);
	assert_string_equal(j.summary, "2 of 2 keys did not change at every factory reset: tcp/443 "
				       "TLS key, tcp/22 SSH ssh-ed25519 host key");
	assert_non_null(strstr(j.findings, "tcp/22 SSH ssh-ed25519 host key is unchanged by "
					   "factory reset 1: SHA256:A"));

	/* Only the TLS key stays: a factory identity the profile declares is left out. */
	const char *tls_kept = RESETS(SNAP("aa", "SHA256:A"), SNAP("aa", "SHA256:B"),
				      SNAP("aa", "SHA256:C"), RESET_OK);
	j = judge(c, tls_kept, NULL);
	assert_int_equal(j.verdict, VERDICT_FAIL);
	assert_int_equal(j.fails, 2);
	j = judge(c, tls_kept, "zz, aa");
	assert_int_equal(j.verdict, VERDICT_PASS);

	/* Two keys taking turns: each reset "changes" it, the second brings the first back. */
	j = judge(c,
		  RESETS(SNAP("aa", "SHA256:A"), SNAP("bb", "SHA256:B"), SNAP("cc", "SHA256:A"),
			 RESET_OK),
		  NULL);
	assert_int_equal(j.verdict, VERDICT_FAIL);
	assert_non_null(strstr(j.findings, "is a key served before the first: SHA256:A"));

	/* A key not readable after a reset: nothing to decide on. */
	j = judge(c,
		  RESETS(SNAP("aa", "SHA256:A"),
			 "{\"tls\": [], \"ssh\": [{\"port\": 22, \"algorithm\": \"ssh-ed25519\","
			 " \"fingerprint\": \"SHA256:B\"}], \"errors\": [{\"port\": 443,"
			 " \"service\": \"tls\", \"error\": \"connection refused\"}]}",
			 SNAP("cc", "SHA256:C"), RESET_OK),
		  NULL);
	assert_int_equal(j.verdict, VERDICT_INCONCLUSIVE);

	/* A reset that failed. */
	j = judge(c,
		  RESETS(SNAP("aa", "SHA256:A"), SNAP("aa", "SHA256:A"), SNAP("aa", "SHA256:A"),
			 "{\"exit_status\": 1, \"timed_out\": false, \"services_back\": true}"),
		  NULL);
	assert_int_equal(j.verdict, VERDICT_INCONCLUSIVE);
	assert_non_null(strstr(j.summary, "factory reset 1 did not complete"));

	/* No operation declared: a person has to do it. */
	j = judge(c,
		  "{\"operation_declared\": false, \"operation\": \"factory_reset\","
		  " \"note\": \"the profile declares no adapter operation 'factory_reset'\"}",
		  NULL);
	assert_int_equal(j.verdict, VERDICT_MANUAL);
	assert_non_null(strstr(j.summary, "'factory_reset'"));
}

#define REPLACE(serving, not_serving, after_tls)                                                   \
	"{\"operation_declared\": true, \"issued\": {\"sha256\": \"new\", \"certificate\": "       \
	"\"evidence/keys/lab-leaf.pem\"}, \"replace\": " RESET_OK ", \"after\": {\"tls\": "        \
	"[" after_tls "], \"ssh\": [], \"errors\": []}, \"ports_serving_issued\": [" serving       \
	"], \"ports_not_serving_issued\": [" not_serving "]}"

static void test_judge_replace_certificate(void **state)
{
	(void)state;
	const struct check *c = &check_keys_replace_certificate;
	struct judged j = judge(
		c,
		REPLACE("443", "", "{\"port\": 443, \"sha256\": \"new\", \"spki_sha256\": \"k\"}"),
		NULL);
	assert_int_equal(j.verdict, VERDICT_PASS);
	j = judge(c,
		  REPLACE("443", "8443",
			  "{\"port\": 443, \"sha256\": \"new\", \"spki_sha256\": \"k\"},"
			  "{\"port\": 8443, \"sha256\": \"old\", \"spki_sha256\": \"o\","
			  " \"subject\": \"CN=factory\"}"),
		  NULL);
	assert_int_equal(j.verdict, VERDICT_FAIL);
	assert_non_null(strstr(j.findings, "tcp/8443 still serves 'CN=factory' (SHA-256 old)"));
	j = judge(c, REPLACE("", "443", ""), NULL);
	assert_int_equal(j.verdict, VERDICT_INCONCLUSIVE);
}

#define UNIT(serial, snap) "{\"serial\": \"" serial "\", \"snapshots\": [" snap "]}"

static void test_judge_units(void **state)
{
	(void)state;
	const struct check *c = &check_keys_units;
	struct judged j = judge(c,
				"{\"units\": [" UNIT("S1", SNAP("aa", "SHA256:A")) "," UNIT(
					"S2", SNAP("bb", "SHA256:B")) "], \"firmware_keys\": \"not "
								      "examined\"}",
				NULL);
	/* Distinct on the network, firmware not searched: a person answers the rest. */
	assert_int_equal(j.verdict, VERDICT_MANUAL);
	assert_non_null(strstr(j.findings, "firmware image: not examined"));
	j = judge(c,
		  "{\"units\": [" UNIT("S1", SNAP("aa", "SHA256:A")) "," UNIT(
			  "S2", SNAP("bb", "SHA256:B")) "]}",
		  NULL);
	assert_int_equal(j.verdict, VERDICT_PASS);
	j = judge(c,
		  "{\"units\": [" UNIT("S1", SNAP("aa", "SHA256:A")) "," UNIT(
			  "S2", SNAP("bb", "SHA256:A")) "]}",
		  NULL);
	assert_int_equal(j.verdict, VERDICT_FAIL);
	assert_non_null(strstr(j.findings, "units S1 and S2 share the tcp/22 SSH ssh-ed25519 host "
					   "key: SHA256:A"));
	j = judge(c, "{\"units\": [" UNIT("S1", SNAP("aa", "SHA256:A")) "]}", NULL);
	assert_int_equal(j.verdict, VERDICT_MANUAL);
}

int main(void)
{
	/* The test's server may write its close_notify to a client that already reset. */
	signal(SIGPIPE, SIG_IGN);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ports_from_scan),
		cmocka_unit_test(test_issue),
		cmocka_unit_test(test_snapshot_tls),
		cmocka_unit_test(test_snapshot_ssh_offer),
		cmocka_unit_test(test_judge_factory_reset),
		cmocka_unit_test(test_judge_replace_certificate),
		cmocka_unit_test(test_judge_units),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
