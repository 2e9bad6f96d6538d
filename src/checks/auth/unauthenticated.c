/* unauthenticated: the auth.unauthenticated collector: every service discovery found, asked without
 * credentials */
#include "core/compat.h"

#include <curl/curl.h>
#include <json-c/json.h>
#include <openssl/ssl.h>
#include <sys/stat.h>

#include "checks/auth/unauth-internal.h"
#include "checks/check.h"
#include "checks/discovery/scan-view.h"
#include "core/error.h"
#include "core/profile.h"
#include "net/sock.h"

/*
 * IoT-1006-1 5.1.1.9 (identification and authentication on every access
 * interface), TS-0014-1 5.2.4.1 (stored sensitive data) and 5.5.1.1
 * (stored privacy data) through auth.every-interface.
 *
 * For every service discovery.scan found, requests that ask for a function
 * or data, without credentials: web pages and APIs, RTSP DESCRIBE of
 * stream paths, a telnet session up to its first prompt, the SSH "none"
 * method, FTP anonymous, MQTT CONNECT, SNMP with public/private, ONVIF
 * operations without a UsernameToken. Debug services discovery identified
 * by their answer (gdbserver, adb) answered it without credentials.
 *
 * The observation, version 1:
 * {
 *   "version": 1,
 *   "scan_error": null | "why discovery.scan gave nothing",
 *   "scan_complete": true,
 *   "services": [{"address": "198.18.2.2", "proto": "tcp", "port": 554,
 *                 "service": "rtsp", "tls": false,
 *                 "evidence": "evidence/auth/unauth-198.18.2.2-tcp-554.log" | null,
 *                 "tries": [{"request": "DESCRIBE rtsp://198.18.2.2:554/live",
 *                            "result": "served" | "authenticates" | "login-page" |
 *                                      "absent" | "no-answer",
 *                            "data": "privacy" | null, "status": 200,
 *                            "answer": "RTSP/1.0 200 OK\r\n...", "why": "..."}],
 *                 "skipped": null | "why no request was made"}],
 *   "notes": ["..."]
 * }
 */

#define UNAUTH_RESERVE_NS (2 * 1000000000LL)
#define UNAUTH_SERVICE_MAX_NS (45 * 1000000000LL)

static const char *const inputs[] = {"discovery.scan", NULL};

static void note(struct json_object *notes, const char *format, ...)
	__attribute__((format(printf, 2, 3)));
static void note(struct json_object *notes, const char *format, ...)
{
	char text[DL_ERROR_MESSAGE_MAX + 128];
	va_list args;
	va_start(args, format);
	vsnprintf(text, sizeof(text), format, args);
	va_end(args);
	json_object_array_add(notes, json_object_new_string(text));
}

/* Bytes from the DUT as printable ASCII, \r \n \t and \xNN escaped, cut. */
static void printable(const uint8_t *p, size_t n, char *out, size_t size)
{
	size_t o = 0;
	for (size_t i = 0; i < n && o + 5 < size; i++) {
		uint8_t c = p[i];
		if (c == '\r' || c == '\n' || c == '\t') {
			out[o++] = '\\';
			out[o++] = c == '\r' ? 'r' : c == '\n' ? 'n' : 't';
		} else if (c == '\\') {
			out[o++] = '\\';
			out[o++] = '\\';
		} else if (c >= 0x20 && c < 0x7f) {
			out[o++] = (char)c;
		} else {
			o += (size_t)snprintf(out + o, size - o, "\\x%02x", c);
		}
	}
	out[o < size ? o : size - 1] = '\0';
}

void unauth_try(struct unauth_service *u, const char *request, const char *result, const char *data,
		int status, const uint8_t *answer, size_t answer_len, const char *why)
{
	char excerpt[UNAUTH_EXCERPT_MAX];
	printable(answer, answer_len, excerpt, sizeof(excerpt));
	struct json_object *t = json_object_new_object();
	json_object_object_add(t, "request", json_object_new_string(request));
	json_object_object_add(t, "result", json_object_new_string(result));
	json_object_object_add(t, "data", data ? json_object_new_string(data) : NULL);
	json_object_object_add(t, "status", json_object_new_int(status));
	json_object_object_add(t, "answer", json_object_new_string(excerpt));
	json_object_object_add(t, "why", json_object_new_string(why ? why : ""));
	json_object_array_add(u->tries, t);
	if (u->transcript) {
		fprintf(u->transcript, ">>> %s\n<<< %s\n=== %s%s%s: %s\n\n", request, excerpt,
			result, data ? " " : "", data ? data : "", why ? why : "");
		fflush(u->transcript);
	}
}

void unauth_put(char *dst, size_t size, const char *format, ...)
{
	va_list args;
	va_start(args, format);
	vsnprintf(dst, size, format, args);
	va_end(args);
}

void unauth_base_url(const char *scheme, const char *address, uint16_t port, char *buf, size_t size)
{
	snprintf(buf, size, strchr(address, ':') ? "%s://[%s]:%u" : "%s://%s:%u", scheme, address,
		 port);
}

const char *unauth_data_kind(const char *text)
{
	static const char *const privacy[] = {"snapshot", "snap", "image",  "jpg",    "jpeg",
					      "video",    "mjpg", "record", "stream", "media"};
	static const char *const sensitive[] = {"config",   "backup", "export", "user", "passwd",
						"password", "secret", "key",    "cert", "account"};
	for (size_t i = 0; i < DL_ARRAY_SIZE(privacy); i++)
		if (strcasestr(text, privacy[i]))
			return UNAUTH_DATA_PRIVACY;
	for (size_t i = 0; i < DL_ARRAY_SIZE(sensitive); i++)
		if (strcasestr(text, sensitive[i]))
			return UNAUTH_DATA_SENSITIVE;
	return UNAUTH_DATA_FUNCTION;
}

/* "fd00:198::2" -> "fd00_198__2": no ':' in file names. */
static void file_address(const char *address, char *out, size_t size)
{
	size_t i = 0;
	for (; address[i] && i + 1 < size; i++)
		out[i] = address[i] == ':' ? '_' : address[i];
	out[i] = '\0';
}

static bool name_is(const char *name, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(name, list[i]) == 0)
			return true;
	return false;
}

/* A debug service discovery identified by its answer to a probe answered
 * that probe without credentials: that is the evidence. */
static bool debug_answered(struct unauth_service *u)
{
	const struct scan_service *s = u->service;
	static const char *const control[] = {"gdbserver", "adb", "debug-console", "ser2net",
					      "rfc2217"};
	static const char *const function[] = {"redis"};
	bool is_control = name_is(s->service, control, DL_ARRAY_SIZE(control));
	if (!is_control && !name_is(s->service, function, DL_ARRAY_SIZE(function)))
		return false;
	const char *detail = s->detail;
	char request[UNAUTH_REQUEST_MAX];
	snprintf(request, sizeof(request), "(discovery.scan) %s identification probe on %s/%u",
		 s->service, s->proto, s->port);
	bool refused = strcasestr(detail, "NOAUTH") || strcasestr(detail, "refused") ||
		       strcasestr(detail, "denied") || strcasestr(detail, "password");
	if (refused)
		unauth_try(u, request, UNAUTH_AUTHENTICATES, NULL, 0, (const uint8_t *)detail,
			   strlen(detail), "the service asked for credentials");
	else
		unauth_try(u, request, UNAUTH_SERVED,
			   is_control ? UNAUTH_DATA_CONTROL : UNAUTH_DATA_FUNCTION, 0,
			   (const uint8_t *)detail, strlen(detail),
			   is_control ? "a debug service answered its protocol without "
					"credentials: it controls the device"
				      : "the service answered a command without credentials");
	return true;
}

/* Try one service; returns the reason it was skipped, or NULL. */
static const char *try_service(struct unauth_service *u)
{
	const struct scan_service *s = u->service;
	const char *n = s->service;
	if (strcmp(s->proto, "udp") == 0) {
		static const char *const announce[] = {"mdns", "ssdp", "ws-discovery", "ntp",
						       "syslog"};
		if (strcmp(n, "snmp") == 0) {
			unauth_snmp(u);
			return NULL;
		}
		if (name_is(n, announce, DL_ARRAY_SIZE(announce)))
			return "a discovery, time or log protocol: it announces or receives, it "
			       "serves no function to ask for";
		return "no unauthenticated request for this UDP service";
	}
	if (debug_answered(u))
		return NULL;
	static const char *const web[] = {"http", "https", "http-alt", "https-alt", "cwmp"};
	static const char *const rtsp[] = {"rtsp", "rtsps", "rtsp-alt"};
	if (name_is(n, web, DL_ARRAY_SIZE(web)))
		unauth_http(u, s->tls || strncmp(n, "https", 5) == 0);
	else if (name_is(n, rtsp, DL_ARRAY_SIZE(rtsp)))
		unauth_rtsp(u, s->tls || strcmp(n, "rtsps") == 0);
	else if (strcmp(n, "telnet") == 0)
		unauth_telnet(u);
	else if (strcmp(n, "ssh") == 0)
		unauth_ssh(u);
	else if (strcmp(n, "ftp") == 0)
		unauth_ftp(u);
	else if (strcmp(n, "mqtt") == 0)
		unauth_mqtt(u);
	else
		return "no unauthenticated request for this service";
	return NULL;
}

static int collect(const struct check_context *ctx, struct json_object **observation,
		   struct dl_error *err)
{
	*observation = NULL;
	struct unauth_run run = {
		.ctx = ctx,
		.profile = ctx->profile,
		.interface = sock_interface(ctx->scope),
	};
	if (ctx->evidence_dir) {
		snprintf(run.evidence_dir, sizeof(run.evidence_dir), "%s/auth", ctx->evidence_dir);
		if (mkdir(run.evidence_dir, 0755) < 0 && errno != EEXIST)
			return dl_error_set(err, DL_EIO,
					    "auth.unauthenticated: cannot create %s: %s",
					    run.evidence_dir, strerror(errno));
	}
	struct json_object *o = json_object_new_object();
	struct json_object *notes = json_object_new_array();
	struct json_object *services = json_object_new_array();
	json_object_object_add(o, "version", json_object_new_int(1));

	const char *scan_error = NULL;
	const struct json_object *scan = check_context_input(ctx, "discovery.scan", &scan_error);
	struct scan_view view = {0};
	struct dl_error sub = {0};
	if (scan && scan_view_load(scan, &view, &sub) < 0) {
		scan = NULL;
		scan_error = sub.message;
	}
	run.scan = scan;
	json_object_object_add(o, "scan_error",
			       scan ? NULL : json_object_new_string(scan_error ? scan_error : "?"));
	json_object_object_add(o, "scan_complete", json_object_new_boolean(scan && view.complete));
	json_object_object_add(o, "services", services);
	json_object_object_add(o, "notes", notes);

	curl_global_init(CURL_GLOBAL_DEFAULT);
	run.tls = SSL_CTX_new(TLS_client_method());
	if (run.tls) {
		SSL_CTX_set_security_level(run.tls, 0);
		SSL_CTX_set_min_proto_version(run.tls, 0);
		SSL_CTX_set_verify(run.tls, SSL_VERIFY_NONE, NULL);
	} else {
		note(notes, "OpenSSL: cannot create a TLS context; TLS services are not asked");
	}
	for (size_t i = 0; scan && i < view.service_count; i++) {
		const struct scan_service *s = &view.services[i];
		if (ctx->progress) {
			char what[128];
			snprintf(what, sizeof(what), "%s %s/%u", s->address, s->proto, s->port);
			ctx->progress(ctx->progress_opaque, i, view.service_count, what);
		}
		struct json_object *js = json_object_new_object();
		json_object_object_add(js, "address", json_object_new_string(s->address));
		json_object_object_add(js, "proto", json_object_new_string(s->proto));
		json_object_object_add(js, "port", json_object_new_int(s->port));
		json_object_object_add(js, "service", json_object_new_string(s->service));
		json_object_object_add(js, "tls", json_object_new_boolean(s->tls));
		struct json_object *tries = json_object_new_array();
		json_object_object_add(js, "tries", tries);
		json_object_array_add(services, js);
		struct unauth_service u = {
			.run = &run,
			.service = s,
			.tries = tries,
			.deadline_ns = sock_now_ns() + UNAUTH_SERVICE_MAX_NS,
		};
		if (u.deadline_ns > ctx->deadline_ns - UNAUTH_RESERVE_NS)
			u.deadline_ns = ctx->deadline_ns - UNAUTH_RESERVE_NS;
		if (sock_now_ns() >= u.deadline_ns) {
			json_object_object_add(
				js, "skipped",
				json_object_new_string("the collector's deadline came "
						       "first"));
			json_object_object_add(js, "evidence", NULL);
			continue;
		}
		char relative[256] = "", path[4400];
		if (run.evidence_dir[0]) {
			char name[64];
			file_address(s->address, name, sizeof(name));
			snprintf(relative, sizeof(relative), "evidence/auth/unauth-%s-%s-%u.log",
				 name, s->proto, s->port);
			snprintf(path, sizeof(path), "%s/unauth-%s-%s-%u.log", run.evidence_dir,
				 name, s->proto, s->port);
			u.transcript = fopen(path, "w");
			if (!u.transcript) {
				note(notes, "evidence %s: %s", relative, strerror(errno));
				relative[0] = '\0';
			} else {
				fprintf(u.transcript,
					"dutlab auth.unauthenticated: %s %s/%u (%s), requests "
					"without "
					"credentials\n\n",
					s->address, s->proto, s->port, s->service);
			}
		}
		const char *skipped = try_service(&u);
		if (u.transcript) {
			if (skipped)
				fprintf(u.transcript, "not asked: %s\n", skipped);
			fclose(u.transcript);
		}
		json_object_object_add(js, "skipped",
				       skipped ? json_object_new_string(skipped) : NULL);
		json_object_object_add(js, "evidence",
				       relative[0] ? json_object_new_string(relative) : NULL);
	}
	SSL_CTX_free(run.tls);
	curl_global_cleanup();
	scan_view_release(&view);
	if (ctx->progress)
		ctx->progress(ctx->progress_opaque, 1, 1, "done");
	*observation = o;
	return 0;
}

const struct collector collector_auth_unauthenticated = {
	.id = "auth.unauthenticated",
	.summary = "ask every service discovery found for a function or data without credentials",
	.needs = NEED_DUT_ADDRESS,
	.timeout_seconds = 600,
	.expected_seconds = 30,
	.inputs = inputs,
	.collect = collect,
};
