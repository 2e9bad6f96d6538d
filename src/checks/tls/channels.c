/* channels: the tls.channels collector: every TLS and SSH service discovery found, audited, and the
 * plaintext channels beside them */
#include "core/compat.h"

#include <json-c/json.h>
#include <netinet/in.h>
#include <sys/stat.h>

#include "checks/check.h"
#include "checks/discovery/scan-view.h"
#include "checks/ssh/ssh-audit.h"
#include "checks/tls/channels.h"
#include "checks/tls/tls-audit.h"
#include "core/error.h"
#include "core/profile.h"
#include "net/capture.h"
#include "net/sock.h"

/*
 * The observation, version 1 (paths relative to the campaign folder):
 *
 * {
 *   "version": 1,
 *   "interface": "tcam-good" | null,
 *   "scan_error": null | "why discovery.scan gave nothing to audit",
 *   "scan_complete": true,        discovery saw every port of every address
 *   "tls": [ENDPOINT],            checks/tls/tls-audit.h's JSON, plus "evidence"
 *   "ssh": [ENDPOINT],            checks/ssh/ssh-audit.h's JSON, plus "evidence"
 *   "plaintext": [PLAINTEXT],     channels-plaintext.c
 *   "notes": ["..."]              what went wrong without stopping the audit
 * }
 *
 * Every TLS-speaking port discovery found is audited (HTTPS, RTSPS,
 * MQTT-TLS, syslog-TLS, ONVIF), not a list of well-known ports: the
 * standards ask about every channel that carries sensitive data.
 */

#define CHANNELS_ENDPOINTS_MAX 64
#define CHANNELS_RESERVE_NS (2 * 1000000000LL) /* to write the observation */
#define CHANNELS_SNAPLEN 65535                 /* whole handshakes, certificates included */
#define CHANNELS_CAPTURE_MAX (16u << 20)

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

/* "fd00:198::2" -> "fd00_198__2": no ':' in file names. */
static void file_address(const char *address, char *out, size_t size)
{
	size_t i = 0;
	for (; address[i] && i + 1 < size; i++)
		out[i] = address[i] == ':' ? '_' : address[i];
	out[i] = '\0';
}

/* Open the evidence file of one endpoint; relative gets the path the
 * observation records, or "" without capture. */
static void evidence_open(struct capture *capture, const struct check_context *ctx,
			  const char *kind, const char *address, uint16_t port,
			  struct json_object *notes, char *relative, size_t relative_size)
{
	relative[0] = '\0';
	if (!capture)
		return;
	char name[64], file[160], path[4400];
	file_address(address, name, sizeof(name));
	snprintf(file, sizeof(file), "%s-%s-%u.pcapng", name, kind, port);
	snprintf(path, sizeof(path), "%s/tls/%s", ctx->evidence_dir, file);
	struct capture_match match = {.protocol = IPPROTO_TCP, .port = port};
	char comment[160];
	snprintf(comment, sizeof(comment), "dutlab tls.channels: %s audit of %s port %u", kind,
		 address, port);
	struct dl_error err = {0};
	if (capture_sink_open(capture, path, comment, CHANNELS_SNAPLEN, CHANNELS_CAPTURE_MAX,
			      &match, 1, false, &err) < 0) {
		note(notes, "evidence %s: %s", file, err.message);
		return;
	}
	snprintf(relative, relative_size, "evidence/tls/%s", file);
}

static void evidence_close(struct capture *capture, struct json_object *endpoint,
			   struct json_object *notes, char *relative)
{
	if (capture && relative[0]) {
		struct dl_error err = {0};
		if (capture_sink_close(capture, 60, NULL, &err) < 0) {
			note(notes, "evidence %s: %s", relative, err.message);
			relative[0] = '\0';
		}
	}
	json_object_object_add(endpoint, "evidence",
			       relative[0] ? json_object_new_string(relative) : NULL);
}

/* The names a DUT certificate must carry: the profile's, then the address. */
static size_t expected_names(const struct profile *p, const char *address, const char **names,
			     size_t cap)
{
	size_t n = 0;
	for (size_t i = 0; i < p->tls_server_name_count && n + 1 < cap; i++)
		names[n++] = p->tls_server_names[i];
	names[n++] = address;
	return n;
}

/* A fair share of what is left for one of remaining endpoints. */
static int64_t share_deadline(int64_t deadline_ns, size_t remaining)
{
	int64_t now = sock_now_ns();
	if (deadline_ns <= now || remaining == 0)
		return deadline_ns;
	return now + (deadline_ns - now) / (int64_t)remaining;
}

static bool is_ssh(const struct scan_service *s)
{
	return strcmp(s->proto, "tcp") == 0 && !s->tls && strcmp(s->service, "ssh") == 0;
}

static bool is_tls(const struct scan_service *s)
{
	return strcmp(s->proto, "tcp") == 0 && s->tls;
}

static int audit_all(const struct check_context *ctx, const struct scan_view *view,
		     struct capture *capture, struct json_object *tls, struct json_object *ssh,
		     struct json_object *notes, struct dl_error *err)
{
	const struct profile *p = ctx->profile;
	const char *interface = sock_interface(ctx->scope);
	int64_t deadline_ns = ctx->deadline_ns - CHANNELS_RESERVE_NS;
	size_t total = 0, done = 0;
	for (size_t i = 0; i < view->service_count; i++)
		total += is_tls(&view->services[i]) || is_ssh(&view->services[i]);
	if (total > CHANNELS_ENDPOINTS_MAX) {
		note(notes, "%zu TLS and SSH services found; auditing the first %d", total,
		     CHANNELS_ENDPOINTS_MAX);
		total = CHANNELS_ENDPOINTS_MAX;
	}
	for (size_t i = 0; i < view->service_count && done < total; i++) {
		const struct scan_service *s = &view->services[i];
		bool tls_service = is_tls(s), ssh_service = is_ssh(s);
		if (!tls_service && !ssh_service)
			continue;
		char what[160];
		snprintf(what, sizeof(what), "%s %s port %u", tls_service ? "tls" : "ssh",
			 s->address, s->port);
		if (ctx->progress)
			ctx->progress(ctx->progress_opaque, done, total, what);
		char evidence[256];
		evidence_open(capture, ctx, tls_service ? "tls" : "ssh", s->address, s->port, notes,
			      evidence, sizeof(evidence));
		struct json_object *endpoint = NULL;
		struct dl_error sub = {0};
		int rc;
		if (tls_service) {
			const char *names[16];
			struct tls_audit_options o = {
				.scope = ctx->scope,
				.interface = interface,
				.deadline_ns = share_deadline(deadline_ns, total - done),
				.vulnerabilities = true,
				.ca_bundle = p->tls_ca_bundle,
				.expected_names = names,
				.expected_name_count =
					expected_names(p, s->address, names, DL_ARRAY_SIZE(names)),
			};
			rc = tls_audit_endpoint(s->address, s->port, &o, &endpoint, &sub);
		} else {
			struct ssh_audit_options o = {
				.scope = ctx->scope,
				.interface = interface,
				.deadline_ns = share_deadline(deadline_ns, total - done),
			};
			rc = ssh_audit_endpoint(s->address, s->port, &o, &endpoint, &sub);
		}
		if (rc == DL_ESCOPE || rc == DL_ENOMEM) {
			if (capture && evidence[0])
				capture_sink_close(capture, 0, NULL, NULL);
			return dl_error_set(err, rc, "%s: %s", what, sub.message);
		}
		if (rc < 0) {
			/* One endpoint that cannot be audited is a note, and the judges
			 * see it missing its verdict fields: never a silent pass. */
			endpoint = json_object_new_object();
			json_object_object_add(endpoint, "address",
					       json_object_new_string(s->address));
			json_object_object_add(endpoint, "port", json_object_new_int(s->port));
			json_object_object_add(endpoint, "complete", json_object_new_boolean(0));
			json_object_object_add(endpoint, "incomplete",
					       json_object_new_string(sub.message));
			note(notes, "%s: %s", what, sub.message);
		}
		evidence_close(capture, endpoint, notes, evidence);
		json_object_array_add(tls_service ? tls : ssh, endpoint);
		done++;
	}
	if (ctx->progress)
		ctx->progress(ctx->progress_opaque, total, total, "done");
	return 0;
}

static struct capture *start_capture(const struct check_context *ctx, struct json_object *notes)
{
	const struct profile *p = ctx->profile;
	char filter[2048] = "";
	size_t used = 0;
	for (size_t i = 0; i < p->address_count && used + 64 < sizeof(filter); i++)
		used += (size_t)snprintf(filter + used, sizeof(filter) - used, "%shost %s",
					 i ? " or " : "", p->addresses[i]);
	char directory[4200];
	snprintf(directory, sizeof(directory), "%s/tls", ctx->evidence_dir);
	if (mkdir(directory, 0755) != 0 && errno != EEXIST) {
		note(notes, "no evidence: cannot create %s: %s", directory, strerror(errno));
		return NULL;
	}
	struct capture *capture = NULL;
	struct dl_error err = {0};
	if (capture_start(&capture, sock_interface(ctx->scope), filter, CHANNELS_SNAPLEN, &err) <
	    0) {
		note(notes, "no evidence: %s", err.message);
		return NULL;
	}
	return capture;
}

static int collect(const struct check_context *ctx, struct json_object **observation,
		   struct dl_error *err)
{
	struct json_object *o = json_object_new_object();
	struct json_object *notes = json_object_new_array();
	struct json_object *tls = json_object_new_array();
	struct json_object *ssh = json_object_new_array();
	struct json_object *plaintext = json_object_new_array();
	const char *interface = sock_interface(ctx->scope);
	json_object_object_add(o, "version", json_object_new_int(1));
	json_object_object_add(o, "interface",
			       interface ? json_object_new_string(interface) : NULL);

	const char *scan_error = NULL;
	const struct json_object *scan = check_context_input(ctx, "discovery.scan", &scan_error);
	struct scan_view view = {0};
	struct dl_error sub = {0};
	int rc = 0;
	if (scan && scan_view_load(scan, &view, &sub) < 0) {
		scan = NULL;
		scan_error = sub.message;
	}
	json_object_object_add(o, "scan_error",
			       scan ? NULL : json_object_new_string(scan_error ? scan_error : "?"));
	json_object_object_add(o, "scan_complete", json_object_new_boolean(scan && view.complete));
	if (scan) {
		struct capture *capture = start_capture(ctx, notes);
		rc = audit_all(ctx, &view, capture, tls, ssh, notes, err);
		capture_stop(capture);
		if (!rc)
			rc = channels_plaintext(ctx, scan, &view, plaintext, notes, err);
	}
	scan_view_release(&view);
	json_object_object_add(o, "tls", tls);
	json_object_object_add(o, "ssh", ssh);
	json_object_object_add(o, "plaintext", plaintext);
	json_object_object_add(o, "notes", notes);
	if (rc < 0) {
		json_object_put(o);
		return rc;
	}
	*observation = o;
	return 0;
}

const struct collector collector_tls_channels = {
	.id = "tls.channels",
	.summary = "audit every TLS and SSH service discovery found (versions, suites, groups, "
		   "certificates, algorithms) and list the plaintext channels",
	.needs = NEED_DUT_ADDRESS,
	.timeout_seconds = 600,
	.expected_seconds = 15,
	.collect = collect,
	.inputs = inputs,
};
