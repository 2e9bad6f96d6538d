/* proto-emit: write one builder's output to stdout, for the tshark dissection test and vector
 * capture */
#include "core/compat.h"

#include <unistd.h>

#include "checks/discovery/identify.h"
#include "checks/discovery/udp-probes.h"
#include "core/error.h"
#include "proto/mdns.h"
#include "proto/rtsp.h"
#include "proto/ssh.h"
#include "proto/tls-suites.h"
#include "proto/tls.h"

/* TLS ClientHellos ("tls-1.2", "tls-1.3", "tls-1.3-hrr", "tls-1.0", "tls-1.1-fallback",
 * "tls-ssl3", "tls-ssl2"), a heartbeat request ("tls-heartbeat") and a ChangeCipherSpec
 * ("tls-ccs"), with a fixed random and RFC 7748 6.1's x25519 public key so
 * the bytes are reproducible; test-tls.c and the vectors use the same hellos. */
static int tls_emit(const char *name, uint8_t *buf, size_t cap, size_t *len, struct dl_error *err)
{
	static const uint8_t x25519_public[32] = {
		0x85, 0x20, 0xf0, 0x09, 0x89, 0x30, 0xa7, 0x54, 0x74, 0x8b, 0x7d,
		0xdc, 0xb4, 0x3e, 0xf7, 0x5a, 0x0d, 0xbf, 0x3a, 0x0d, 0x26, 0x38,
		0x1a, 0xf4, 0xeb, 0xa4, 0xa9, 0x8e, 0xaa, 0x9b, 0x4e, 0x6a,
	};
	static const uint16_t tls13_suites[] = {0x1301, 0x1302, 0x1303, 0x1304, 0x1305};
	static const uint16_t tls13_versions[] = {TLS_VERSION_TLS13};
	static const uint16_t groups[] = {0x001d, 0x0017, 0x0018, 0x0019, 0x001e, 0x0100, 0x0101};
	static const uint16_t hrr_groups[] = {0x0017, 0x001d};
	static const uint16_t schemes[] = {0x0403, 0x0503, 0x0603, 0x0807, 0x0808, 0x0804,
					   0x0805, 0x0806, 0x0401, 0x0501, 0x0601, 0x0201};
	static const uint32_t ssl2_ciphers[] = {
		TLS_SSL2_RC4_128_WITH_MD5,          TLS_SSL2_RC4_128_EXPORT40_WITH_MD5,
		TLS_SSL2_RC2_128_CBC_WITH_MD5,      TLS_SSL2_RC2_128_CBC_EXPORT40_WITH_MD5,
		TLS_SSL2_IDEA_128_CBC_WITH_MD5,     TLS_SSL2_DES_64_CBC_WITH_MD5,
		TLS_SSL2_DES_192_EDE3_CBC_WITH_MD5,
	};
	if (strcmp(name, "tls-heartbeat") == 0) { /* RFC 6520 4: well formed, padded */
		static const uint8_t payload[] = {'d', 'u', 't', 'l', 'a', 'b'};
		return tls_build_heartbeat_request(buf, cap, len, TLS_VERSION_TLS12,
						   sizeof(payload), payload, sizeof(payload), true,
						   err);
	}
	if (strcmp(name, "tls-ccs") == 0)
		return tls_build_change_cipher_spec(buf, cap, len, TLS_VERSION_TLS12, err);
	static uint16_t legacy[TLS_OFFER_SUITES_MAX]; /* every suite before TLS 1.3 */
	size_t legacy_count = 0;
	for (size_t i = 0; i < tls_suite_count; i++)
		if (!tls_suites[i].tls13_only && tls_suites[i].kx != TLS_KX_SCSV)
			legacy[legacy_count++] = tls_suites[i].code;
	struct tls_client_hello h = {.client_version = TLS_VERSION_TLS12};
	for (size_t i = 0; i < sizeof(h.random); i++)
		h.random[i] = (uint8_t)i;
	if (strcmp(name, "tls-1.2") == 0 || strcmp(name, "tls-1.0") == 0 ||
	    strcmp(name, "tls-1.1-fallback") == 0) {
		h.suites = legacy;
		h.suite_count = legacy_count;
		h.server_name = "cam-bad.lab";
		h.groups = groups;
		h.group_count = DL_ARRAY_SIZE(groups);
		h.ec_point_formats = true;
		if (strcmp(name, "tls-1.2") == 0) {
			h.signature_schemes = schemes;
			h.signature_scheme_count = DL_ARRAY_SIZE(schemes);
			h.renegotiation_info = true;
			h.extended_master_secret = true;
		} else if (strcmp(name, "tls-1.0") == 0) {
			h.client_version = TLS_VERSION_TLS10;
			h.renegotiation_scsv = true;
		} else {
			h.client_version = TLS_VERSION_TLS11;
			h.fallback_scsv = true;
		}
	} else if (strcmp(name, "tls-1.3") == 0 || strcmp(name, "tls-1.3-hrr") == 0) {
		h.suites = tls13_suites;
		h.suite_count = DL_ARRAY_SIZE(tls13_suites);
		h.server_name = "cam-good.lab";
		h.supported_versions = tls13_versions;
		h.supported_version_count = 1;
		h.groups = groups;
		h.group_count = DL_ARRAY_SIZE(groups);
		h.signature_schemes = schemes;
		h.signature_scheme_count = DL_ARRAY_SIZE(schemes);
		h.key_share = true;
		h.x25519_public = x25519_public;
		if (strcmp(name, "tls-1.3-hrr") == 0) {
			h.groups = hrr_groups;
			h.group_count = DL_ARRAY_SIZE(hrr_groups);
			h.x25519_public = NULL;
		}
	} else if (strcmp(name, "tls-ssl3") == 0) {
		h.record_version = TLS_VERSION_SSL3;
		h.client_version = TLS_VERSION_SSL3;
		h.suites = legacy;
		h.suite_count = 64; /* codes up to 0x0041: what SSL 3.0 stacks know */
		h.renegotiation_scsv = true;
	} else if (strcmp(name, "tls-ssl2") == 0) {
		h.ssl2_format = true;
		h.client_version = TLS_VERSION_SSL2;
		h.ssl2_ciphers = ssl2_ciphers;
		h.ssl2_cipher_count = DL_ARRAY_SIZE(ssl2_ciphers);
	} else {
		return DL_ENOTFOUND;
	}
	return tls_build_client_hello(buf, cap, len, &h, err);
}

/* "ssh-kexinit": our identification and a KEXINIT offering what OpenSSH 9.2's client does */
static int ssh_emit(uint8_t *buf, size_t cap, size_t *len, struct dl_error *err)
{
	static const char *const macs = "hmac-sha2-256-etm@openssh.com,hmac-sha2-512-etm@openssh."
					"com,hmac-sha2-256,hmac-sha2-512,hmac-sha1";
	static const char *const ciphers = "chacha20-poly1305@openssh.com,aes128-ctr,aes256-ctr,"
					   "aes128-gcm@openssh.com,aes256-gcm@openssh.com";
	struct ssh_kexinit_offer offer = {
		.cookie = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16},
		.lists = {"curve25519-sha256,ecdh-sha2-nistp256,diffie-hellman-group14-sha256,"
			  "ext-info-c,kex-strict-c-v00@openssh.com",
			  "ssh-ed25519,ecdsa-sha2-nistp256,rsa-sha2-512,rsa-sha2-256", ciphers,
			  ciphers, macs, macs, "none", "none", "", ""},
	};
	size_t ident_len, packet_len;
	if (ssh_build_ident(buf, cap, &ident_len, err) < 0 ||
	    ssh_build_kexinit(buf + ident_len, cap - ident_len, &packet_len, &offer, err) < 0)
		return DL_EINVAL;
	*len = ident_len + packet_len;
	return 0;
}

/*
 * Usage: proto-emit NAME [TARGET]
 *   NAME is a udp_probes[] name ("snmp-v2c-public", "ssdp-msearch", ...),
 *   "rtsp-options", "rtsp-describe", "mdns-a-query", or "identify:PORT"
 *   for identify_probe_for(PORT). TARGET defaults to 198.18.250.2.
 *   "list" prints the names, one a line.
 */
int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: proto-emit NAME [TARGET]\n");
		return 2;
	}
	const char *name = argv[1];
	const char *target = argc > 2 ? argv[2] : "198.18.250.2";
	uint8_t buf[UDP_PROBE_PAYLOAD_MAX];
	size_t len = 0;
	struct dl_error err = {0};
	int rc = DL_ENOTFOUND;
	char url[128];
	snprintf(url, sizeof(url), "rtsp://%s:554/stream", target);
	if (strcmp(name, "list") == 0) {
		for (size_t i = 0; i < udp_probe_count; i++)
			printf("%s %u\n", udp_probes[i].name, udp_probes[i].port);
		return 0;
	}
	for (size_t i = 0; i < udp_probe_count; i++)
		if (strcmp(udp_probes[i].name, name) == 0)
			rc = udp_probes[i].build(buf, sizeof(buf), &len, target, &err);
	if (strcmp(name, "rtsp-options") == 0)
		rc = rtsp_build_options(buf, sizeof(buf), &len, url, 1, &err);
	else if (strcmp(name, "rtsp-describe") == 0)
		rc = rtsp_build_describe(buf, sizeof(buf), &len, url, 2, &err);
	else if (strcmp(name, "mdns-a-query") == 0)
		rc = mdns_build_query(buf, sizeof(buf), &len, 0x1234, "cam-bad.local", DNS_TYPE_A,
				      true, &err);
	else if (strncmp(name, "identify:", 9) == 0) {
		uint16_t port = 0;
		for (const char *p = name + 9; *p >= '0' && *p <= '9'; p++)
			port = (uint16_t)(port * 10 + (*p - '0'));
		const struct identify_probe *probe = identify_probe_for(port);
		if (probe) {
			memcpy(buf, probe->bytes, probe->len);
			len = probe->len;
		}
		rc = 0;
	}
	if (strncmp(name, "tls-", 4) == 0)
		rc = tls_emit(name, buf, sizeof(buf), &len, &err);
	if (strcmp(name, "ssh-kexinit") == 0)
		rc = ssh_emit(buf, sizeof(buf), &len, &err);
	if (rc == DL_ENOTFOUND) {
		fprintf(stderr, "proto-emit: unknown name '%s'; try 'proto-emit list'\n", name);
		return 2;
	}
	if (rc < 0) {
		fprintf(stderr, "proto-emit: %s\n", err.message);
		return 1;
	}
	if (write(STDOUT_FILENO, buf, len) != (ssize_t)len)
		return 1;
	return 0;
}
