/* scan: the discovery.scan collector: its observation, its run and the loop over addresses */
#include "core/compat.h"

#include <curl/curl.h>
#include <json-c/json.h>
#include <netinet/in.h>
#include <openssl/ssl.h>
#include <sys/stat.h>

#include "checks/check.h"
#include "checks/discovery/scan-internal.h"
#include "checks/discovery/scan-view.h"
#include "checks/discovery/udp-probes.h"
#include "core/error.h"
#include "core/profile.h"
#include "net/capture.h"
#include "net/sock.h"
#include "net/tcp-scan.h"

/*
 * The observation (json-c), version 1. Paths are relative to the campaign
 * folder; strings from the DUT are printable ASCII with other bytes escaped
 * as \xNN and cut at a bound.
 *
 * {
 *   "version": 1,
 *   "interface": "tcam-bad" | null,     scope.interfaces[0]: every socket is bound to it
 *   "scan_method": "syn" | "connect",
 *   "duration_ms": 12034,
 *   "notes": ["capture on 'x' failed: ..."],   what went wrong without stopping the scan
 *   "addresses": [{
 *     "address": "198.18.2.2", "family": "ipv4" | "ipv6", "duration_ms": 9000,
 *     "tcp": {
 *       "method": "syn", "ports_scanned": 65535, "closed": 65527, "filtered": 0,
 *       "retried": 0, "complete": true, "duration_ms": 210, "window": 2048,
 *       "error": "..." (only when the scan could not run),
 *       "evidence": "evidence/discovery/198.18.2.2-tcp-scan.pcapng" | null,
 *       "open": [{
 *         "port": 23, "service": "telnet", "product": "busybox telnetd", "version": "",
 *         "detail": "one line", "method": "banner" | "probe-reply" | "port",
 *         "banner": "\\xff\\xfd\\x01...", "tls": false,
 *         "tls_version": "TLSv1.3", "tls_cipher": "TLS_AES_256_GCM_SHA384" (when tls),
 *         "debug": true, "debug_reason": "telnet: an unencrypted remote shell",
 *         "http": {"url": "http://198.18.2.2:80/", "status": 200, "bytes": 512,
 *                  "location": "https://198.18.2.2/" (a redirect's target, when one),
 *                  "login_form": false, "www_authenticate": false, "title": "...",
 *                  "content_without_login": true,
 *                  "pages": [{"path": "/status.html", "status": 200, "bytes": 812,
 *                             "content_type": "text/html", "login_form": false,
 *                             "www_authenticate": false, "title": "..."}]},
 *         "disclosures": [{"kind": "version" | "device-info" | "content",
 *                          "source": "banner", "text": "..."}],
 *         "evidence": "evidence/discovery/198.18.2.2-tcp-23.pcapng" | null
 *       }]
 *     },
 *     "udp": {
 *       "probed": [{"port": 161, "service": "snmp", "probe": "snmp-v2c-public",
 *                   "state": "answered" | "closed" | "silent", "evidence": "..."}],
 *       "services": [{
 *         "port": 161, "service": "snmp", "product": "", "version": "",
 *         "detail": "SNMPv2c community 'public' answered: ...", "probe": "snmp-v2c-public",
 *         "debug": false, "disclosures": [...], "evidence": "...",
 *         "upnp": {"location": "http://...", "status": 200, "friendlyName": "...", ...}
 *       }]
 *     }
 *   }]
 * }
 *
 * Serves TS-0014-1 5.2.2.1, 5.3.2.1, 5.3.2.2 and IoT-1006-1 5.2.2.3,
 * 5.4.1.3 through the discovery.* judges. scan-internal.h maps the files
 * the collector is split into, one job each.
 */

#define IDENTIFY_PORTS_MAX 64 /* open ports identified one by one; the rest by port */
#define SCAN_SNAPLEN 96       /* the full scan's capture keeps headers only */
#define SCAN_CAPTURE_MAX (24u << 20)
#define SCAN_CAPTURE_RATE 150000               /* packets per second while the scan is captured */
#define DEADLINE_RESERVE_NS (3 * 1000000000LL) /* to write the observation */

/* Progress units per address: the TCP scan, the identification, the UDP probes. */
#define UNITS_TCP 700
#define UNITS_IDENTIFY 200
#define UNITS_UDP 100
#define UNITS_ADDRESS (UNITS_TCP + UNITS_IDENTIFY + UNITS_UDP)

void scan_progress(struct scan_run *r, uint64_t done, const char *format, ...)
{
	if (!r->ctx->progress)
		return;
	char what[160];
	va_list args;
	va_start(args, format);
	vsnprintf(what, sizeof(what), format, args);
	va_end(args);
	r->ctx->progress(r->ctx->progress_opaque, r->progress_base + done, r->progress_total, what);
}

void scan_note(struct scan_run *r, const char *format, ...)
{
	char text[DL_ERROR_MESSAGE_MAX + 128];
	va_list args;
	va_start(args, format);
	vsnprintf(text, sizeof(text), format, args);
	va_end(args);
	json_object_array_add(r->notes, json_object_new_string(text));
}

bool scan_time_left(int64_t deadline_ns, int64_t need_ns)
{
	return sock_now_ns() + need_ns < deadline_ns;
}

int64_t scan_soon(int64_t deadline_ns, int ms)
{
	int64_t t = sock_now_ns() + (int64_t)ms * 1000000;
	return t < deadline_ns ? t : deadline_ns;
}

/* ---- one address ---- */

static void tcp_progress(void *opaque, uint64_t done, uint64_t total)
{
	struct scan_run *r = opaque;
	scan_progress(r, total ? done * UNITS_TCP / total : 0, "tcp %s %" PRIu64 "/%" PRIu64,
		      r->address, done, total);
}

static int scan_address(struct scan_run *r, const char *address_text, struct json_object *out_list,
			const char **method_used, struct dl_error *err)
{
	const struct check_context *ctx = r->ctx;
	int64_t deadline_ns = ctx->deadline_ns - DEADLINE_RESERVE_NS;
	int64_t started = sock_now_ns();
	struct sock_address target;
	int rc = sock_address_parse(address_text, 0, &target, err);
	if (rc < 0)
		return rc;
	char address[INET6_ADDRSTRLEN];
	sock_address_text(&target, address, sizeof(address));
	r->address = address;

	struct json_object *a = json_object_new_object();
	scan_add_string(a, "address", address);
	scan_add_string(a, "family", sock_address_family(&target) == AF_INET ? "ipv4" : "ipv6");
	json_object_array_add(out_list, a);
	struct json_object *tcp = json_object_new_object();
	struct json_object *open = json_object_new_array();
	json_object_object_add(a, "tcp", tcp);
	struct json_object *udp = json_object_new_object();
	struct json_object *probed = json_object_new_array();
	struct json_object *services = json_object_new_array();
	json_object_object_add(udp, "probed", probed);
	json_object_object_add(udp, "services", services);
	json_object_object_add(a, "udp", udp);

	char filter[96];
	snprintf(filter, sizeof(filter), "host %s", address);
	struct dl_error capture_err = {0};
	r->capture = NULL;
	if (r->evidence_dir[0] &&
	    capture_start(&r->capture, r->interface, filter, 0, &capture_err) < 0) {
		scan_note(r, "no evidence for %s: %s", address, capture_err.message);
		r->capture = NULL;
	}

	/* The full TCP scan. */
	char evidence[256];
	scan_evidence_open(r, "tcp-scan", "dutlab discovery.scan: TCP scan of ports 1-65535",
			   SCAN_SNAPLEN, SCAN_CAPTURE_MAX, NULL, 0, false, evidence,
			   sizeof(evidence));
	struct tcp_scan_options options = {
		.retries = 1,
		/* the capture thread keeps up with this rate on 2 CPUs (measured:
		 * unpaced, 1-40% of the scan's packets were dropped) */
		.max_rate = r->capture ? SCAN_CAPTURE_RATE : 0,
		.progress = tcp_progress,
		.progress_opaque = r,
	};
	struct tcp_scan_result result;
	struct dl_error scan_err = {0};
	rc = tcp_scan(ctx->scope, r->interface, &target, &options, deadline_ns, &result, &scan_err);
	scan_evidence_close(r, evidence);
	json_object_object_add(tcp, "evidence",
			       evidence[0] ? json_object_new_string(evidence) : NULL);
	json_object_object_add(tcp, "open", open);
	if (rc == DL_ESCOPE) {
		capture_stop(r->capture);
		r->capture = NULL;
		if (err)
			*err = scan_err;
		return rc;
	}
	if (rc < 0) {
		scan_add_string(tcp, "error", scan_err.message);
		json_object_object_add(tcp, "complete", json_object_new_boolean(false));
		memset(&result, 0, sizeof(result));
	} else {
		*method_used = tcp_scan_method_name(result.method);
		scan_add_string(tcp, "method", *method_used);
		json_object_object_add(tcp, "ports_scanned", json_object_new_int64(result.scanned));
		json_object_object_add(tcp, "closed", json_object_new_int64(result.closed));
		json_object_object_add(tcp, "filtered", json_object_new_int64(result.filtered));
		json_object_object_add(tcp, "retried", json_object_new_int64(result.retried));
		json_object_object_add(tcp, "complete", json_object_new_boolean(result.complete));
		json_object_object_add(tcp, "window", json_object_new_int64(result.window));
		json_object_object_add(tcp, "duration_ms",
				       json_object_new_int64(result.duration_ns / 1000000));
	}

	/* Each open port. */
	for (size_t i = 0; i < result.open_count; i++) {
		uint16_t port = result.open[i];
		scan_progress(r, UNITS_TCP + UNITS_IDENTIFY * i / result.open_count,
			      "identify %s tcp/%u", address, port);
		if (i >= IDENTIFY_PORTS_MAX)
			json_object_array_add(
				open, scan_unidentified_port(port, "not probed: more open ports "
								   "than dutlab identifies"));
		else if (!scan_time_left(deadline_ns, 2 * EXCHANGE_MS * 1000000LL))
			json_object_array_add(
				open, scan_unidentified_port(port, "not probed: the collector's "
								   "deadline came first"));
		else
			json_object_array_add(open,
					      scan_identify_port(r, &target, port, deadline_ns));
	}
	tcp_scan_result_release(&result);

	/* UDP: each port of the probe table once, in table order. */
	for (size_t i = 0; i < udp_probe_count; i++) {
		bool seen = false;
		for (size_t j = 0; j < i && !seen; j++)
			seen = udp_probes[j].port == udp_probes[i].port;
		if (seen)
			continue;
		scan_progress(r, UNITS_TCP + UNITS_IDENTIFY + UNITS_UDP * i / udp_probe_count,
			      "udp %s %s", address, udp_probes[i].service);
		scan_udp_probe_port(r, &target, udp_probes[i].port, deadline_ns, probed, services);
	}
	if (r->capture) {
		uint64_t drops = capture_kernel_drops(r->capture);
		/* the count for tools that read the observation; the note for the report */
		json_object_object_add(a, "capture_kernel_drops",
				       json_object_new_int64((int64_t)drops));
		if (drops)
			scan_note(r,
				  "capture of %s: the kernel dropped %" PRIu64
				  " packets; the evidence misses them",
				  address, drops);
	}
	capture_stop(r->capture);
	r->capture = NULL;
	json_object_object_add(a, "duration_ms",
			       json_object_new_int64((sock_now_ns() - started) / 1000000));
	return 0;
}

static int make_dir(const char *path, struct dl_error *err)
{
	if (mkdir(path, 0755) < 0 && errno != EEXIST)
		return dl_error_set(err, DL_EIO, "cannot create '%s': %s", path, strerror(errno));
	return 0;
}

static int collect(const struct check_context *ctx, struct json_object **observation,
		   struct dl_error *err)
{
	*observation = NULL;
	const struct profile *profile = ctx->profile;
	if (!profile || profile->address_count == 0)
		return dl_error_set(err, DL_EINVAL,
				    "discovery.scan: the profile names no dut.addresses to scan");
	struct scan_run r = {
		.ctx = ctx,
		.interface = sock_interface(ctx->scope),
		.progress_total = (uint64_t)profile->address_count * UNITS_ADDRESS,
	};
	int rc = 0;
	if (ctx->evidence_dir) {
		snprintf(r.evidence_dir, sizeof(r.evidence_dir), "%s/discovery", ctx->evidence_dir);
		rc = make_dir(r.evidence_dir, err);
		if (rc < 0)
			return rc;
	}
	/* Without an evidence folder nothing is captured (dutlab scan without
	 * --evidence); a campaign always has one. */
	int64_t started = sock_now_ns();
	struct json_object *o = json_object_new_object();
	r.notes = json_object_new_array();
	json_object_object_add(o, "version", json_object_new_int(1));
	json_object_object_add(o, "interface",
			       r.interface ? json_object_new_string(r.interface) : NULL);
	struct json_object *addresses = json_object_new_array();
	json_object_object_add(o, "addresses", addresses);
	json_object_object_add(o, "notes", r.notes);

	curl_global_init(CURL_GLOBAL_DEFAULT);
	r.tls = SSL_CTX_new(TLS_client_method());
	if (r.tls) {
		/* Detection, not judgement: accept any version and cipher. */
		SSL_CTX_set_security_level(r.tls, 0);
		SSL_CTX_set_min_proto_version(r.tls, 0);
		SSL_CTX_set_cipher_list(r.tls, "ALL:@SECLEVEL=0");
		SSL_CTX_set_verify(r.tls, SSL_VERIFY_NONE, NULL);
	} else {
		scan_note(&r,
			  "OpenSSL: cannot create a TLS context; TLS services are not recognised");
	}
	const char *method = "syn";
	for (size_t i = 0; i < profile->address_count && rc == 0; i++) {
		r.progress_base = (uint64_t)i * UNITS_ADDRESS;
		rc = scan_address(&r, profile->addresses[i], addresses, &method, err);
	}
	json_object_object_add(o, "scan_method", json_object_new_string(method));
	json_object_object_add(o, "duration_ms",
			       json_object_new_int64((sock_now_ns() - started) / 1000000));
	SSL_CTX_free(r.tls);
	curl_global_cleanup();
	if (rc < 0) {
		json_object_put(o);
		return rc;
	}
	if (ctx->progress)
		ctx->progress(ctx->progress_opaque, r.progress_total, r.progress_total, "done");
	*observation = o;
	return 0;
}

const struct collector collector_discovery_scan = {
	.id = "discovery.scan",
	.summary = "TCP scan of ports 1-65535, service identification and UDP discovery probes",
	.needs = NEED_DUT_ADDRESS | NEED_CAPTURE,
	.timeout_seconds = 300,
	.expected_seconds = 20,
	.collect = collect,
};
