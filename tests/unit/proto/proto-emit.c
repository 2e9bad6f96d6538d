/* proto-emit: write one builder's output to stdout, for the tshark dissection test and vector
 * capture */
#include "core/compat.h"

#include <arpa/inet.h>
#include <unistd.h>

#include "checks/discovery/identify.h"
#include "checks/discovery/udp-probes.h"
#include "core/error.h"
#include "proto/bgp.h"
#include "proto/ethernet.h"
#include "proto/ipv4.h"
#include "proto/layer.h"
#include "proto/mdns.h"
#include "proto/ospf.h"
#include "proto/packet.h"
#include "proto/rip.h"
#include "proto/rtsp-message.h"
#include "proto/rtsp.h"
#include "proto/ssh.h"
#include "proto/tls-suites.h"
#include "proto/tcp.h"
#include "proto/tls-record.h"
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
 * BGP messages (RFC 4271 4) appended to p by the builders (standalone or inside a TCP layer):
 * "bgp-open", "bgp-open-as4" (AS 4200000001, ADD-PATH), "bgp-update" (IPv4 and IPv6
 * routes, every attribute the model builds), "bgp-update-eor", "bgp-keepalive",
 * "bgp-notification", "bgp-route-refresh", "bgp-open-enhanced" (enhanced route refresh,
 * RFC 7313), "bgp-refresh-barrier" (an UPDATE, a ROUTE-REFRESH request, BoRR, EoRR), and
 * "bgp-session" (OPEN, KEEPALIVE, UPDATE and ROUTE-REFRESH in one segment).
 */
static int bgp_append(struct packet *p, const char *name)
{
	static const uint32_t as_path[] = {65001, 65000};
	static const uint32_t communities[] = {65001u << 16 | 1, 0xffffff01u};
	struct bgp_prefix4 withdrawn = {.length = 16}, nlri[2] = {{.length = 24}, {.length = 8}};
	struct bgp_prefix6 nlri6 = {.length = 48}, withdrawn6 = {.length = 64};
	inet_pton(AF_INET, "10.1.0.0", &withdrawn.address);
	inet_pton(AF_INET, "198.18.100.0", &nlri[0].address);
	inet_pton(AF_INET, "10.0.0.0", &nlri[1].address);
	inet_pton(AF_INET6, "fd00:198:1::", &nlri6.address);
	inet_pton(AF_INET6, "fd00:198:2::", &withdrawn6.address);
	struct bgp_update_fields u = {
		.withdrawn = &withdrawn,
		.withdrawn_count = 1,
		.as_path = as_path,
		.as_path_count = 2,
		.attributes = BGP_UPDATE_MED | BGP_UPDATE_LOCAL_PREF | BGP_UPDATE_ATOMIC_AGGREGATE |
			      BGP_UPDATE_AGGREGATOR,
		.med = 100,
		.local_pref = 200,
		.aggregator_as = 65001,
		.communities = communities,
		.community_count = 2,
		.nlri = nlri,
		.nlri_count = 2,
		.nlri6 = &nlri6,
		.nlri6_count = 1,
		.withdrawn6 = &withdrawn6,
		.withdrawn6_count = 1,
	};
	inet_pton(AF_INET, "198.18.24.2", &u.next_hop);
	u.aggregator = u.next_hop;
	inet_pton(AF_INET6, "fd00:198:0:24::2", &u.next_hop6);
	struct bgp_open_fields o = {0};
	int rc = DL_ENOTFOUND;
	if (strcmp(name, "bgp-open") == 0) {
		rc = bgp_build_open(p, &o);
	} else if (strcmp(name, "bgp-open-as4") == 0) {
		o.my_as = 4200000001u;
		o.capabilities = BGP_OPEN_CAP_DEFAULT | BGP_OPEN_CAP_ADD_PATH;
		rc = bgp_build_open(p, &o);
	} else if (strcmp(name, "bgp-update") == 0) {
		rc = bgp_build_update(p, &u);
	} else if (strcmp(name, "bgp-update-eor") == 0) {
		struct bgp_update_fields eor = {0};
		rc = bgp_build_update(p, &eor);
	} else if (strcmp(name, "bgp-keepalive") == 0) {
		rc = bgp_build_keepalive(p);
	} else if (strcmp(name, "bgp-notification") == 0) {
		rc = bgp_build_notification(p, BGP_ERROR_CEASE, 2, (const uint8_t *)"maintenance",
					    11);
	} else if (strcmp(name, "bgp-route-refresh") == 0) {
		rc = bgp_build_route_refresh(p, BGP_AFI_IPV6, BGP_SAFI_UNICAST);
	} else if (strcmp(name, "bgp-open-enhanced") == 0) {
		o.capabilities = BGP_OPEN_CAP_DEFAULT | BGP_OPEN_CAP_ENHANCED_REFRESH;
		rc = bgp_build_open(p, &o);
	} else if (strcmp(name, "bgp-refresh-barrier") == 0) {
		/* a case, the session's barrier behind it, the DUT's BoRR and EoRR (RFC 7313) */
		rc = bgp_build_update(p, &u);
		if (rc == 0)
			rc = bgp_build_route_refresh_subtype(p, BGP_AFI_IPV6, BGP_SAFI_UNICAST,
							     BGP_REFRESH_REQUEST);
		if (rc == 0)
			rc = bgp_build_route_refresh_subtype(p, BGP_AFI_IPV6, BGP_SAFI_UNICAST,
							     BGP_REFRESH_BORR);
		if (rc == 0)
			rc = bgp_build_route_refresh_subtype(p, BGP_AFI_IPV6, BGP_SAFI_UNICAST,
							     BGP_REFRESH_EORR);
	} else if (strcmp(name, "bgp-session") == 0) {
		rc = bgp_build_open(p, &o);
		if (rc == 0)
			rc = bgp_build_keepalive(p);
		if (rc == 0)
			rc = bgp_build_update(p, &u);
		if (rc == 0)
			rc = bgp_build_route_refresh(p, 0, 0);
	}
	return rc;
}

/* Standalone: the packet holds only the BGP bytes, as a session writes them to its socket. */
static int bgp_emit(const char *name, uint8_t *buf, size_t cap, size_t *len, struct dl_error *err)
{
	static struct packet p;
	packet_init(&p);
	int rc = bgp_append(&p, name);
	if (rc == DL_ENOTFOUND)
		return rc;
	if (rc < 0 || packet_finish(&p, err) < 0 || p.length > cap)
		return dl_error_set(err, DL_EINVAL, "%s: the BGP builder failed", name);
	memcpy(buf, p.bytes, p.length);
	*len = p.length;
	return 0;
}

static void bgp_put32(FILE *out, uint32_t v)
{
	fwrite(&v, 4, 1, out);
}

/* One frame of a BGP session 198.18.24.10:40179 (tester) <-> 198.18.24.1:179 (DUT) built by
 * the models, each message type after a handshake (what: 0 none, else bgp-<name>), as a pcap
 * record; dissected back by proto_dissect() first. */
static int bgp_frame(FILE *out, bool from_dut, uint16_t flags, uint32_t *seq, uint32_t ack,
		     const char *what, struct dl_error *err)
{
	static struct packet p, back;
	static uint32_t second;
	static const uint8_t tester[6] = {0x02, 0xdd, 0, 0, 0, 0x01};
	static const uint8_t dut[6] = {0x02, 0xdd, 0, 0, 0, 0x02};
	struct ethernet_fields e = {.type = ETHERTYPE_IPV4};
	memcpy(e.destination, from_dut ? tester : dut, 6);
	memcpy(e.source, from_dut ? dut : tester, 6);
	struct ipv4_fields ip = {.flags = IPV4_FLAG_DF, .identification = (uint16_t)second};
	inet_pton(AF_INET, from_dut ? "198.18.24.1" : "198.18.24.10", &ip.source);
	inet_pton(AF_INET, from_dut ? "198.18.24.10" : "198.18.24.1", &ip.destination);
	struct tcp_fields t = {.source_port = from_dut ? BGP_PORT : 40179,
			       .destination_port = from_dut ? 40179 : BGP_PORT,
			       .sequence = *seq,
			       .acknowledgment = ack,
			       .flags = flags};
	packet_init(&p);
	if (ethernet_build(&p, &e) < 0 || ipv4_build(&p, &ip) < 0 || tcp_build(&p, &t) < 0)
		return dl_error_set(err, DL_EINVAL, "bgp-frames: the TCP/IP builders failed");
	uint32_t start = p.length;
	if (what && bgp_append(&p, what) < 0) /* inside the open TCP layer */
		return dl_error_set(err, DL_EINVAL, "bgp-frames: %s: the BGP builder failed", what);
	*seq += (flags & TCP_FLAG_SYN) ? 1 : p.length - start;
	if (ethernet_pad(&p) < 0 || packet_finish(&p, err) < 0)
		return DL_EINVAL;
	if (proto_dissect(&back, p.bytes, p.length, err) < 0)
		return DL_EINVAL;
	bgp_put32(out, 1764000000 + second++);
	bgp_put32(out, 0);
	bgp_put32(out, p.length);
	bgp_put32(out, p.length);
	fwrite(p.bytes, 1, p.length, out);
	return 0;
}

/* "bgp-frames": a pcap file of a whole session's frames, built by the Ethernet, IPv4, TCP and
 * BGP models (not wrapped by pcap-wrap.py): handshake, every message type to port 179, the
 * DUT's OPEN and KEEPALIVE from port 179, and the DUT's ACK. */
static int bgp_frames(struct dl_error *err)
{
	static const char *const messages[] = {
		"bgp-open",     "bgp-keepalive",     "bgp-update",       "bgp-update-eor",
		"bgp-open-as4", "bgp-route-refresh", "bgp-notification",
	};
	FILE *out = stdout;
	fwrite("\xd4\xc3\xb2\xa1\x02\x00\x04\x00", 1, 8, out); /* pcap 2.4, little-endian */
	bgp_put32(out, 0);
	bgp_put32(out, 0);
	bgp_put32(out, 65535);
	bgp_put32(out, 1); /* Ethernet */
	uint32_t tester = 1000, dut = 5000;
	int rc = bgp_frame(out, false, TCP_FLAG_SYN, &tester, 0, NULL, err);
	if (rc == 0)
		rc = bgp_frame(out, true, TCP_FLAG_SYN | TCP_FLAG_ACK, &dut, tester, NULL, err);
	if (rc == 0)
		rc = bgp_frame(out, false, TCP_FLAG_ACK, &tester, dut, NULL, err);
	for (size_t i = 0; rc == 0 && i < DL_ARRAY_SIZE(messages); i++)
		rc = bgp_frame(out, false, TCP_FLAG_ACK | TCP_FLAG_PSH, &tester, dut, messages[i],
			       err);
	if (rc == 0)
		rc = bgp_frame(out, true, TCP_FLAG_ACK | TCP_FLAG_PSH, &dut, tester, "bgp-session",
			       err);
	if (rc == 0)
		rc = bgp_frame(out, false, TCP_FLAG_ACK, &tester, dut, NULL, err);
	return fflush(out) == 0 ? rc : DL_EIO;
}

/* RIPv2 messages (RFC 2453 4) as a session writes them to its UDP socket: "rip-request" (the
 * whole table), "rip-response" (two routes), "rip-response-simple" (password), and
 * "rip-request-md5", "rip-response-md5" (keyed MD5, RFC 4822, key "LabRip24" id 1). */
static int rip_emit(const char *name, uint8_t *buf, size_t cap, size_t *len, struct dl_error *err)
{
	static struct packet p;
	struct rip_route routes[2] = {{.metric = 1}, {.tag = 7, .metric = 3}};
	inet_pton(AF_INET, "198.18.99.0", &routes[0].address);
	inet_pton(AF_INET, "255.255.255.0", &routes[0].mask);
	inet_pton(AF_INET, "198.18.98.0", &routes[1].address);
	inet_pton(AF_INET, "255.255.255.0", &routes[1].mask);
	inet_pton(AF_INET, "198.18.24.2", &routes[1].next_hop);
	struct rip_fields f = {.password = "LabRip24", .key_id = 1, .sequence = 1764000000};
	if (strcmp(name, "rip-request") == 0) {
		f.password = NULL;
	} else if (strcmp(name, "rip-request-md5") == 0) {
		f.auth = RIP_AUTH_MD5;
	} else if (strncmp(name, "rip-response", 12) == 0) {
		f.command = RIP_RESPONSE;
		f.routes = routes;
		f.route_count = 2;
		if (strcmp(name, "rip-response-simple") == 0)
			f.auth = RIP_AUTH_SIMPLE;
		else if (strcmp(name, "rip-response-md5") == 0)
			f.auth = RIP_AUTH_MD5;
		else if (strcmp(name, "rip-response") != 0)
			return DL_ENOTFOUND;
	} else {
		return DL_ENOTFOUND;
	}
	packet_init(&p);
	if (rip_build(&p, &f) < 0 || packet_finish(&p, err) < 0 || p.length > cap)
		return dl_error_set(err, DL_EINVAL, "%s: the RIP builder failed", name);
	memcpy(buf, p.bytes, p.length);
	*len = p.length;
	return 0;
}

/* RTSP requests of the text model (src/proto/rtsp-message.c) as the session plug-in sends
 * them: "rtsp-message-options", -describe, -setup, -play, -pause, -get-parameter,
 * -set-parameter, -teardown, -announce. */
static int rtsp_message_emit(const char *name, const char *url, uint8_t *buf, size_t cap,
			     size_t *len, struct dl_error *err)
{
	static struct packet p;
	static const struct rtsp_transport t = {.protocol = "RTP/AVP/TCP",
						.cast = "unicast",
						.interleaved = true,
						.rtp_channel = 0,
						.rtcp_channel = 1};
	static const char sdp[] = "v=0\r\no=- 1 1 IN IP4 198.18.27.1\r\ns=dutlab\r\n"
				  "c=IN IP4 198.18.27.1\r\nt=0 0\r\nm=video 0 RTP/AVP 26\r\n";
	static const char parameters[] = "barparam: barstuff\r\n";
	static const struct rtsp_header range[] = {{"Range", "npt=0.000-"}};
	struct rtsp_message_fields f = {.uri = url, .cseq = 3, .session = "4F1B2C3D5E6F7A8B"};
	const char *what = name + strlen("rtsp-message-");
	if (strcmp(what, "options") == 0) {
		f.method = "OPTIONS";
	} else if (strcmp(what, "describe") == 0) {
		static const struct rtsp_header accept[] = {{"Accept", "application/sdp"}};
		f.method = "DESCRIBE";
		f.session = NULL;
		f.headers = accept;
		f.header_count = 1;
	} else if (strcmp(what, "setup") == 0) {
		f.method = "SETUP";
		f.transport = &t;
	} else if (strcmp(what, "play") == 0) {
		f.method = "PLAY";
		f.headers = range;
		f.header_count = 1;
	} else if (strcmp(what, "pause") == 0) {
		f.method = "PAUSE";
	} else if (strcmp(what, "get-parameter") == 0 || strcmp(what, "set-parameter") == 0) {
		f.method = what[0] == 'g' ? "GET_PARAMETER" : "SET_PARAMETER";
		f.content_type = "text/parameters";
		f.body = (const uint8_t *)parameters;
		f.body_length = strlen(parameters);
	} else if (strcmp(what, "teardown") == 0) {
		f.method = "TEARDOWN";
	} else if (strcmp(what, "announce") == 0) {
		f.method = "ANNOUNCE";
		f.content_type = "application/sdp";
		f.body = (const uint8_t *)sdp;
		f.body_length = strlen(sdp);
	} else {
		return DL_ENOTFOUND;
	}
	packet_init(&p);
	if (rtsp_message_build(&p, &f, err) < 0 || packet_finish(&p, err) < 0 || p.length > cap)
		return dl_error_set(err, DL_EINVAL, "%s: the RTSP builder failed", name);
	memcpy(buf, p.bytes, p.length);
	*len = p.length;
	return 0;
}

/*
 * The TLS record model's builders (proto/tls-record.c), one record or a flight: "tlsrec-hello-1.2"
 * (SNI, groups, signature algorithms, heartbeat, renegotiation_info, ALPN http/1.1),
 * "tlsrec-hello-1.3" (supported_versions, RFC 7748 6.1's X25519 share, ALPN h2 and http/1.1),
 * "tlsrec-flight" (ClientKeyExchange with that point, ChangeCipherSpec, Finished),
 * "tlsrec-alert", "tlsrec-heartbeat" (payload_length 16, 16 bytes of padding), "tlsrec-sslv2".
 */
static int tls_record_emit(const char *name, uint8_t *buf, size_t cap, size_t *len,
			   struct dl_error *err)
{
	static const uint8_t point[32] = {
		0x85, 0x20, 0xf0, 0x09, 0x89, 0x30, 0xa7, 0x54, 0x74, 0x8b, 0x7d,
		0xdc, 0xb4, 0x3e, 0xf7, 0x5a, 0x0d, 0xbf, 0x3a, 0x0d, 0x26, 0x38,
		0x1a, 0xf4, 0xeb, 0xa4, 0xa9, 0x8e, 0xaa, 0x9b, 0x4e, 0x6a,
	};
	static const uint16_t suites[] = {0x1301, 0x1302, 0xc02f, 0xc030, 0xc02b, 0xcca8, 0x009c};
	static const uint8_t compressions[] = {0};
	static const uint16_t groups[] = {0x001d, 0x0017, 0x0018};
	static const uint16_t schemes[] = {0x0403, 0x0804, 0x0401, 0x0807};
	static const uint16_t versions[] = {TLS_VERSION_TLS13, TLS_VERSION_TLS12};
	static const uint8_t verify[12] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
	struct tls_record_hello h = {
		.hello = {.record_version = TLS_VERSION_TLS10,
			  .client_version = TLS_VERSION_TLS12,
			  .suites = suites,
			  .suite_count = DL_ARRAY_SIZE(suites),
			  .compressions = compressions,
			  .compression_count = 1,
			  .server_name = "str-200-0001",
			  .groups = groups,
			  .group_count = DL_ARRAY_SIZE(groups),
			  .signature_schemes = schemes,
			  .signature_scheme_count = DL_ARRAY_SIZE(schemes)},
		.alpn = {"http/1.1"},
		.alpn_count = 1,
	};
	for (size_t i = 0; i < sizeof(h.hello.random); i++)
		h.hello.random[i] = (uint8_t)(0xa0 + i);
	struct packet *p = malloc(sizeof(*p));
	if (!p)
		return dl_error_set(err, DL_ENOMEM, "tls-record: out of memory");
	packet_init(p);
	int rc = DL_ENOTFOUND;
	if (strcmp(name, "tlsrec-hello-1.2") == 0) {
		h.hello.heartbeat = h.hello.renegotiation_info = h.hello.ec_point_formats = true;
		rc = tls_record_build_client_hello(p, &h);
	} else if (strcmp(name, "tlsrec-hello-1.3") == 0) {
		h.hello.supported_versions = versions;
		h.hello.supported_version_count = DL_ARRAY_SIZE(versions);
		h.hello.key_share = true;
		h.hello.x25519_public = point;
		h.alpn[0] = "h2";
		h.alpn[1] = "http/1.1";
		h.alpn_count = 2;
		rc = tls_record_build_client_hello(p, &h);
	} else if (strcmp(name, "tlsrec-flight") == 0) {
		rc = tls_record_build_client_key_exchange(p, 0, point, sizeof(point));
		if (!rc)
			rc = tls_record_build_change_cipher_spec(p, 0);
		if (!rc)
			rc = tls_record_build_finished(p, 0, verify, sizeof(verify));
	} else if (strcmp(name, "tlsrec-alert") == 0) {
		rc = tls_record_build_alert(p, 0, 2, 40);
	} else if (strcmp(name, "tlsrec-heartbeat") == 0) {
		rc = tls_record_build_heartbeat(p, 0, verify, 12, 16);
	} else if (strcmp(name, "tlsrec-sslv2") == 0) {
		h.hello.ssl2_format = true;
		h.hello.server_name = NULL;
		h.hello.group_count = h.hello.signature_scheme_count = 0;
		h.hello.compression_count = 0;
		h.alpn_count = 0;
		rc = tls_record_build_client_hello(p, &h);
	}
	if (rc == 0)
		rc = packet_finish(p, err);
	else if (rc != DL_ENOTFOUND)
		rc = dl_error_set(err, rc, "tls-record: %s does not build", name);
	if (rc == 0 && p->length > cap)
		rc = dl_error_set(err, DL_ENOMEM, "tls-record: %s is too long", name);
	if (rc == 0) {
		memcpy(buf, p->bytes, p->length);
		*len = p->length;
	}
	free(p);
	return rc;
}

/* One OSPF packet of "ospf-frames" (kind: 0 hello, 1 hello with simple password, 2 hello with
 * keyed MD5, 3 DD, 4 LSR, 5 LSU of every LSA type, 6 the same with MD5, 7 LSAck) in an
 * Ethernet/IPv4 frame from 198.18.24.1 to 224.0.0.5 (TTL 1, protocol 89), dissected back by
 * proto_dissect() first, as a pcap record. */
static int ospf_frame(FILE *out, int kind, struct dl_error *err)
{
	static struct packet p, back;
	struct ethernet_fields e = {.destination = {0x01, 0x00, 0x5e, 0, 0, 0x05},
				    .source = {0x02, 0xdd, 0, 0, 0, 0x01},
				    .type = ETHERTYPE_IPV4};
	struct ipv4_fields ip = {.ttl = 1, .dscp = 48, .protocol = OSPF_PROTOCOL};
	inet_pton(AF_INET, "198.18.24.1", &ip.source);
	inet_pton(AF_INET, "224.0.0.5", &ip.destination);
	struct in_addr me, dut, mask, net;
	inet_pton(AF_INET, "198.18.24.1", &me);
	inet_pton(AF_INET, "198.18.24.2", &dut);
	inet_pton(AF_INET, "255.255.255.0", &mask);
	inet_pton(AF_INET, "198.18.97.0", &net);
	struct ospf_link links[1] = {{.id = dut, .data = me, .type = OSPF_LINK_PTP, .metric = 10}};
	struct in_addr routers[2] = {me, dut};
	struct ospf_lsa a[6] = {
		{.type = OSPF_LSA_ROUTER, .links = links, .link_count = 1},
		{.type = OSPF_LSA_NETWORK, .mask = mask, .routers = routers, .router_count = 2},
		{.type = OSPF_LSA_SUMMARY, .id = net, .mask = mask, .metric = 20},
		{.type = OSPF_LSA_SUMMARY_ASBR, .id = dut, .metric = 30},
		{.type = OSPF_LSA_EXTERNAL,
		 .id = net,
		 .mask = mask,
		 .external_e = true,
		 .metric = 20,
		 .tag = 65001},
		{.type = OSPF_LSA_NSSA,
		 .options = OSPF_OPTION_NP,
		 .id = net,
		 .mask = mask,
		 .metric = 5,
		 .forwarding = me},
	};
	for (size_t i = 0; i < 6; i++) {
		a[i].age = 1;
		a[i].options |= OSPF_OPTION_E;
		a[i].advertising_router = me;
		if (i == 0)
			a[i].id = me;
		if (i == 1)
			a[i].id = me;
	}
	struct ospf_lsa headers[2] = {a[2], a[4]};
	headers[0].length = 28;
	headers[0].checksum = 0x1234;
	headers[1].length = 36;
	headers[1].checksum = 0x5678;
	struct ospf_request request = {
		.type = OSPF_LSA_ROUTER, .id = dut, .advertising_router = dut};
	struct ospf_fields f = {.router_id = me,
				.mask = mask,
				.hello_interval = 2,
				.dead_interval = 8,
				.options = OSPF_OPTION_E,
				.priority = 1,
				.neighbors = &dut,
				.neighbor_count = 1,
				.key_id = 1,
				.sequence = 1764000000};
	switch (kind) {
	case 1:
		f.auth = OSPF_AUTH_SIMPLE;
		f.password = "LabOspf2";
		break;
	case 2:
	case 6:
		f.auth = OSPF_AUTH_CRYPTO;
		f.password = "LabOspf24";
		break;
	default: break;
	}
	if (kind == 3) {
		f.type = OSPF_DD;
		f.mtu = 1500;
		f.dd_flags = OSPF_DD_I | OSPF_DD_M | OSPF_DD_MS;
		f.dd_sequence = 0x1234;
		f.lsas = headers;
		f.lsa_count = 2;
	} else if (kind == 4) {
		f.type = OSPF_LSR;
		f.requests = &request;
		f.request_count = 1;
	} else if (kind == 5 || kind == 6) {
		f.type = OSPF_LSU;
		f.lsas = a;
		f.lsa_count = 6;
	} else if (kind == 7) {
		f.type = OSPF_LSACK;
		f.lsas = headers;
		f.lsa_count = 2;
	}
	packet_init(&p);
	if (ethernet_build(&p, &e) < 0 || ipv4_build(&p, &ip) < 0 || ospf_build(&p, &f) < 0 ||
	    ethernet_pad(&p) < 0 || packet_finish(&p, err) < 0)
		return dl_error_set(err, DL_EINVAL, "ospf-frames: frame %d: the builders failed",
				    kind);
	if (proto_dissect(&back, p.bytes, p.length, err) < 0)
		return DL_EINVAL;
	bgp_put32(out, 1764000000 + (uint32_t)kind);
	bgp_put32(out, 0);
	bgp_put32(out, p.length);
	bgp_put32(out, p.length);
	fwrite(p.bytes, 1, p.length, out);
	return 0;
}

/* "ospf-frames": a pcap file of eight OSPF frames (ospf_frame()). */
static int ospf_frames(struct dl_error *err)
{
	FILE *out = stdout;
	fwrite("\xd4\xc3\xb2\xa1\x02\x00\x04\x00", 1, 8, out); /* pcap 2.4, little-endian */
	bgp_put32(out, 0);
	bgp_put32(out, 0);
	bgp_put32(out, 65535);
	bgp_put32(out, 1); /* Ethernet */
	int rc = 0;
	for (int kind = 0; rc == 0 && kind < 8; kind++)
		rc = ospf_frame(out, kind, err);
	return rc == 0 && fflush(out) != 0 ? DL_EIO : rc;
}

/*
 * Usage: proto-emit NAME [TARGET]
 *   NAME is a udp_probes[] name ("snmp-v2c-public", "ssdp-msearch", ...),
 *   "rtsp-options", "rtsp-describe", "mdns-a-query", or "identify:PORT"
 *   for identify_probe_for(PORT), an "rtsp-message-*" request (rtsp_message_emit()),
 *   a "rip-*" message (rip_emit()), or a "bgp-*" message
 *   (bgp_append()); "bgp-frames" ("ospf-frames")
 *   writes a pcap file of a whole BGP session's frames. TARGET defaults to 198.18.250.2.
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
	if (strncmp(name, "tlsrec-", 7) == 0)
		rc = tls_record_emit(name, buf, sizeof(buf), &len, &err);
	if (strcmp(name, "ssh-kexinit") == 0)
		rc = ssh_emit(buf, sizeof(buf), &len, &err);
	if (strncmp(name, "bgp-", 4) == 0)
		rc = bgp_emit(name, buf, sizeof(buf), &len, &err);
	if (strncmp(name, "rip-", 4) == 0)
		rc = rip_emit(name, buf, sizeof(buf), &len, &err);
	if (strncmp(name, "rtsp-message-", 13) == 0)
		rc = rtsp_message_emit(name, url, buf, sizeof(buf), &len, &err);
	if (strcmp(name, "bgp-frames") == 0)
		rc = bgp_frames(&err); /* written already, len stays 0 */
	if (strcmp(name, "ospf-frames") == 0)
		rc = ospf_frames(&err); /* written already, len stays 0 */
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
