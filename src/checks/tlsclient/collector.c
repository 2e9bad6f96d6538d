/* collector: tlsclient.matrix: play every tls_clients server with the certificate matrix */
#include "core/compat.h"

#include <json-c/json.h>
#include <sys/stat.h>

#include "adapters/exec.h"
#include "checks/check.h"
#include "checks/tlsclient/forge.h"
#include "checks/tlsclient/server.h"
#include "checks/tlsclient/tlsclient.h"
#include "core/error.h"
#include "core/profile.h"
#include "net/capture.h"
#include "net/sock.h"

#define TLSCLIENT_DEFAULT_WAIT_S 20
#define TLSCLIENT_PATH_MAX 4400

/* The order the attempts run in: the control first, so a DUT that cannot even take the good
 * certificate shows at once; the protocol variants last. */
static const enum forge_variant tlsclient_order[FORGE_VARIANT_COUNT] = {
	FORGE_CONTROL,        FORGE_EXPIRED,
	FORGE_NOT_YET_VALID,  FORGE_WRONG_HOST,
	FORGE_SHA1_SIGNATURE, FORGE_RSA1024,
	FORGE_WRONG_EKU,      FORGE_TAMPERED_SIGNATURE,
	FORGE_REVOKED,        FORGE_MALFORMED,
	FORGE_SELF_SIGNED,    FORGE_UNKNOWN_CA,
	FORGE_TLS10_11_ONLY,  FORGE_NO_FORWARD_SECRECY,
};

struct tlsclient_trigger_ctx {
	const struct check_context *ctx;
	const struct profile_tls_client *client;
	const char *transcript_dir; /* NULL: transcripts go to /dev/null */
};

/* The trigger: the profile's adapter operation (exec driver), one run per attempt. */
static int tlsclient_trigger(void *opaque, enum forge_variant variant, int64_t deadline_ns,
			     int *exit_status, struct dl_error *err)
{
	const struct tlsclient_trigger_ctx *t = opaque;
	const struct profile *p = t->ctx->profile;
	char transcript[TLSCLIENT_PATH_MAX] = "/dev/null";
	if (t->transcript_dir)
		snprintf(transcript, sizeof(transcript), "%s/%s-%s.trigger.txt", t->transcript_dir,
			 t->client->name, forge_variant_name(variant));
	const struct profile_credential *admin = profile_find_credential(p, "admin");
	struct adapter_exec_vars vars = {
		.address = p->address_count > 0 ? p->addresses[0] : NULL,
		.username = admin ? admin->username : NULL,
		.password = admin ? admin->password : NULL,
		.campaign = t->ctx->campaign_dir,
	};
	struct adapter_exec_result r;
	int rc = adapter_exec_run(p, t->client->trigger, &vars, transcript, deadline_ns, &r, err);
	if (rc < 0)
		return rc;
	*exit_status = r.timed_out ? -1 : r.exit_status;
	return 0;
}

static void tlsclient_put_string(struct json_object *o, const char *key, const char *value)
{
	json_object_object_add(o, key, value && value[0] ? json_object_new_string(value) : NULL);
}

static struct json_object *tlsclient_attempt_json(const struct tlsclient_attempt *a)
{
	struct json_object *o = json_object_new_object();
	json_object_object_add(o, "variant",
			       json_object_new_string(forge_variant_name(a->variant)));
	json_object_object_add(o, "defect",
			       json_object_new_string(forge_variant_defect(a->variant)));
	json_object_object_add(o, "expect",
			       json_object_new_string(forge_variant_expect_accept(a->variant)
							      ? "accept"
							      : "refuse"));
	json_object_object_add(o, "connected", json_object_new_boolean(a->connected));
	json_object_object_add(o, "handshake", json_object_new_boolean(a->handshake));
	tlsclient_put_string(o, "version", a->version);
	tlsclient_put_string(o, "cipher", a->cipher);
	tlsclient_put_string(o, "client_alert", a->client_alert);
	json_object_object_add(o, "past_certificate", json_object_new_boolean(a->past_certificate));
	json_object_object_add(o, "application_data", json_object_new_boolean(a->application_data));
	tlsclient_put_string(o, "request", a->request);
	json_object_object_add(o, "ocsp_stapled", json_object_new_boolean(a->ocsp_stapled));
	json_object_object_add(o, "ocsp_requests", json_object_new_int64(a->ocsp_requests));
	json_object_object_add(o, "crl_requests", json_object_new_int64(a->crl_requests));
	json_object_object_add(o, "connections", json_object_new_int64(a->connections));
	if (a->refused_peers)
		json_object_object_add(o, "refused_peers", json_object_new_int64(a->refused_peers));
	json_object_object_add(o, "trigger_exit", json_object_new_int(a->trigger_exit));
	json_object_object_add(o, "verdict", json_object_new_string(tlsclient_attempt_verdict(a)));
	tlsclient_put_string(o, "evidence", a->evidence);
	tlsclient_put_string(o, "note", a->note);
	return o;
}

static int tlsclient_mkdir(const char *path, struct dl_error *err)
{
	if (mkdir(path, 0755) < 0 && errno != EEXIST)
		return dl_error_set(err, DL_EIO, "tlsclient: cannot create '%s': %s", path,
				    strerror(errno));
	return 0;
}

/* Run the matrix for one client into c (the JSON object of that client). */
static int tlsclient_client(const struct check_context *ctx, const struct profile_tls_client *pc,
			    const char *evidence_dir, struct json_object *c, struct dl_error *err)
{
	struct forge_ca ca;
	struct forge_set set;
	int rc = forge_ca_load(&ca, pc->trusted_ca_certificate, pc->trusted_ca_key, err);
	if (rc < 0)
		return rc;
	uint16_t revocation_port =
		pc->port < 65535 ? (uint16_t)(pc->port + 1) : (uint16_t)(pc->port - 1);
	char base[160];
	bool v6 = strchr(pc->listen_address, ':') != NULL;
	snprintf(base, sizeof(base), v6 ? "http://[%s]:%u" : "http://%s:%u", pc->listen_address,
		 revocation_port);
	struct forge_request request = {.host = pc->host, .revocation_base_url = base};
	rc = forge_set_build(&set, &ca, &request, err);
	if (rc < 0)
		return rc;
	json_object_object_add(c, "revocation", json_object_new_string(base));

	const char *interface = sock_interface(ctx->scope);
	struct capture *capture = NULL;
	char prefix[TLSCLIENT_PATH_MAX] = "";
	if (evidence_dir) {
		char filter[128];
		struct dl_error cerr = {0};
		snprintf(filter, sizeof(filter), "host %s", pc->listen_address);
		if (capture_start(&capture, interface, filter, 65535, &cerr) < 0) {
			capture = NULL;
			json_object_object_add(c, "evidence_error",
					       json_object_new_string(cerr.message));
		}
		snprintf(prefix, sizeof(prefix), "evidence/tlsclient/%s", pc->name);
	}
	struct tlsclient_server_options o = {
		.scope = ctx->scope,
		.interface = interface,
		.listen_address = pc->listen_address,
		.port = pc->port,
		.revocation_port = revocation_port,
		.dut_addresses = ctx->profile->addresses,
		.dut_address_count = ctx->profile->address_count,
		.capture = capture,
		.evidence_dir = evidence_dir,
		.evidence_prefix = evidence_dir ? prefix : NULL,
	};
	struct tlsclient_server *server = NULL;
	rc = tlsclient_server_open(&server, &o, &set, err);
	if (rc < 0) {
		capture_stop(capture);
		forge_set_release(&set);
		return rc;
	}
	struct tlsclient_trigger_ctx t = {.ctx = ctx, .client = pc, .transcript_dir = evidence_dir};
	struct json_object *attempts = json_object_new_array();
	json_object_object_add(c, "attempts", attempts);
	unsigned wait_s = pc->timeout_seconds ? pc->timeout_seconds : TLSCLIENT_DEFAULT_WAIT_S;
	for (size_t i = 0; i < FORGE_VARIANT_COUNT; i++) {
		enum forge_variant v = tlsclient_order[i];
		if (sock_now_ns() >= ctx->deadline_ns) {
			json_object_object_add(c, "incomplete",
					       json_object_new_string("the deadline passed before "
								      "every variant was tried"));
			break;
		}
		if (ctx->progress)
			ctx->progress(ctx->progress_opaque, i, FORGE_VARIANT_COUNT,
				      forge_variant_name(v));
		struct tlsclient_attempt a;
		rc = tlsclient_server_attempt(server, v, tlsclient_trigger, &t, (int)wait_s * 1000,
					      ctx->deadline_ns, &a, err);
		if (rc < 0)
			break;
		struct json_object *aj = tlsclient_attempt_json(&a);
		if (evidence_dir) {
			char transcript[TLSCLIENT_PATH_MAX];
			snprintf(transcript, sizeof(transcript),
				 "evidence/tlsclient/%s-%s.trigger.txt", pc->name,
				 forge_variant_name(v));
			json_object_object_add(aj, "trigger_transcript",
					       json_object_new_string(transcript));
		}
		json_object_array_add(attempts, aj);
		/* A DUT that does not even connect for the good server will not for the bad
		 * ones either: waiting for each would only spend the campaign's time. */
		if (v == FORGE_CONTROL && !a.connected) {
			json_object_object_add(
				c, "incomplete",
				json_object_new_string(
					"the DUT did not connect for the control; the "
					"other variants were not tried"));
			break;
		}
	}
	unsigned ocsp, crl;
	tlsclient_server_counts(server, &ocsp, &crl);
	json_object_object_add(c, "ocsp_requests", json_object_new_int64(ocsp));
	json_object_object_add(c, "crl_requests", json_object_new_int64(crl));
	tlsclient_server_close(server);
	capture_stop(capture);
	forge_set_release(&set);
	return rc;
}

static int tlsclient_collect(const struct check_context *ctx, struct json_object **observation,
			     struct dl_error *err)
{
	const struct profile *p = ctx->profile;
	char evidence[TLSCLIENT_PATH_MAX];
	const char *evidence_dir = NULL;
	if (ctx->evidence_dir) {
		snprintf(evidence, sizeof(evidence), "%s/tlsclient", ctx->evidence_dir);
		int rc = tlsclient_mkdir(evidence, err);
		if (rc < 0)
			return rc;
		evidence_dir = evidence;
	}
	struct json_object *o = json_object_new_object();
	struct json_object *clients = json_object_new_array();
	if (!o || !clients) {
		json_object_put(o);
		json_object_put(clients);
		return dl_error_set(err, DL_ENOMEM, "tlsclient: out of memory");
	}
	json_object_object_add(o, "clients", clients);
	for (size_t i = 0; i < p->tls_client_count; i++) {
		const struct profile_tls_client *pc = &p->tls_clients[i];
		struct json_object *c = json_object_new_object();
		json_object_array_add(clients, c);
		json_object_object_add(c, "name", json_object_new_string(pc->name));
		json_object_object_add(c, "host", json_object_new_string(pc->host));
		json_object_object_add(c, "port", json_object_new_int(pc->port));
		json_object_object_add(c, "listen", json_object_new_string(pc->listen_address));
		json_object_object_add(c, "trigger", json_object_new_string(pc->trigger));
		struct json_object *carries = json_object_new_array();
		for (size_t j = 0; j < pc->carries_count; j++)
			json_object_array_add(carries, json_object_new_string(pc->carries[j]));
		json_object_object_add(c, "carries", carries);
		struct dl_error e = {0};
		int rc = tlsclient_client(ctx, pc, evidence_dir, c, &e);
		if (rc == DL_ESCOPE || rc == DL_ENOMEM || rc == DL_EINTERRUPTED) {
			json_object_put(o);
			*err = e;
			return rc;
		}
		/* A client whose server could not be set up (its CA missing, the port taken) is
		 * reported in the observation; the judge says inconclusive with the reason. */
		if (rc < 0)
			json_object_object_add(c, "error", json_object_new_string(e.message));
		if (!json_object_object_get_ex(c, "attempts", NULL))
			json_object_object_add(c, "attempts", json_object_new_array());
	}
	*observation = o;
	return 0;
}

const struct collector collector_tlsclient_matrix = {
	.id = "tlsclient.matrix",
	.summary = "play the servers the DUT connects to with bad certificates and weak TLS, "
		   "one attempt each",
	.needs = NEED_DUT_ADDRESS | NEED_TESTER_INTERFACE,
	.timeout_seconds = 300,
	.expected_seconds = 60,
	.collect = tlsclient_collect,
};
