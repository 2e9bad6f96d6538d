/* keys-common: what the three key collectors share: their ports, evidence folder and adapter runs
 */
#include "core/compat.h"

#include <json-c/json.h>
#include <sys/stat.h>

#include "adapters/exec.h"
#include "checks/check.h"
#include "checks/keys/keys-internal.h"
#include "core/error.h"
#include "core/profile.h"
#include "net/sock.h"

int keys_run_init(struct keys_run *r, const struct check_context *ctx, struct dl_error *err)
{
	memset(r, 0, sizeof(*r));
	r->ctx = ctx;
	const struct profile *p = ctx->profile;
	if (!p || p->address_count == 0)
		return dl_error_set(err, DL_EINVAL,
				    "keys: the profile declares no dut.addresses; add the DUT's "
				    "management address");
	r->address = p->addresses[0];
	const char *why = NULL;
	const struct json_object *scan = check_context_input(ctx, KEYS_INPUT_SCAN, &why);
	if (!scan)
		return dl_error_set(
			err, DL_ENOTFOUND,
			"keys: no %s observation to take the TLS and SSH ports from (%s); "
			"run the discovery scan first",
			KEYS_INPUT_SCAN, why ? why : "unknown reason");
	int rc = keys_ports_from_scan(scan, r->address, &r->ports, err);
	if (rc)
		return rc;
	r->options.scope = ctx->scope;
	r->options.interface = sock_interface(ctx->scope);
	r->options.deadline_ns = ctx->deadline_ns;
	if (!ctx->evidence_dir)
		return dl_error_set(err, DL_EINVAL, "keys: no evidence folder");
	int n = snprintf(r->evidence_dir, sizeof(r->evidence_dir), "%s/keys", ctx->evidence_dir);
	if (n < 0 || (size_t)n >= sizeof(r->evidence_dir))
		return dl_error_set(err, DL_EINVAL, "keys: evidence folder path too long");
	if (mkdir(r->evidence_dir, 0755) != 0 && errno != EEXIST)
		return dl_error_set(err, DL_EIO, "keys: cannot create %s: %s", r->evidence_dir,
				    strerror(errno));
	return 0;
}

static struct json_object *port_array(const uint16_t *ports, size_t count)
{
	struct json_object *a = json_object_new_array();
	for (size_t i = 0; a && i < count; i++)
		json_object_array_add(a, json_object_new_int(ports[i]));
	return a;
}

struct json_object *keys_ports_json(const struct keys_ports *ports)
{
	struct json_object *o = json_object_new_object();
	if (!o)
		return NULL;
	json_object_object_add(o, "tls", port_array(ports->tls, ports->tls_count));
	json_object_object_add(o, "ssh", port_array(ports->ssh, ports->ssh_count));
	return o;
}

void keys_progress(const struct keys_run *r, uint64_t done, uint64_t total, const char *what)
{
	if (r->ctx->progress)
		r->ctx->progress(r->ctx->progress_opaque, done, total, what);
}

int keys_run_operation(struct keys_run *r, const char *operation,
		       const struct adapter_exec_vars *vars, const char *transcript_name,
		       struct json_object **out, struct dl_error *err)
{
	*out = NULL;
	const struct profile *p = r->ctx->profile;
	const struct profile_operation *op = profile_find_operation(p, operation);
	struct adapter_exec_vars v = {0};
	if (vars)
		v = *vars;
	const struct profile_credential *admin = profile_find_credential(p, "admin");
	if (!v.address)
		v.address = r->address;
	if (!v.username && admin)
		v.username = admin->username;
	if (!v.password && admin)
		v.password = admin->password;
	if (!v.campaign)
		v.campaign = r->ctx->campaign_dir;

	char path[KEYS_PATH_MAX + 64];
	snprintf(path, sizeof(path), "%s/%s", r->evidence_dir, transcript_name);
	struct adapter_exec_result result;
	int rc = adapter_exec_run(p, operation, &v, path, r->ctx->deadline_ns, &result, err);
	if (rc)
		return rc;

	/* The services come back when the operation says, or within its timeout. */
	int64_t wait_until =
		sock_now_ns() + (int64_t)(op ? op->timeout_seconds : 30) * 1000000000LL;
	if (r->ctx->deadline_ns > 0 && r->ctx->deadline_ns < wait_until)
		wait_until = r->ctx->deadline_ns;
	bool back = keys_wait_ports(&r->options, r->address, &r->ports, wait_until);

	struct json_object *o = json_object_new_object();
	if (!o)
		return dl_error_set(err, DL_ENOMEM, "keys: out of memory");
	char relative[256];
	snprintf(relative, sizeof(relative), "evidence/keys/%s", transcript_name);
	json_object_object_add(o, "operation", json_object_new_string(operation));
	json_object_object_add(o, "exit_status", json_object_new_int(result.exit_status));
	json_object_object_add(o, "timed_out", json_object_new_boolean(result.timed_out));
	json_object_object_add(o, "duration_ms", json_object_new_int64(result.duration_ms));
	json_object_object_add(o, "services_back", json_object_new_boolean(back));
	json_object_object_add(o, "output_tail", json_object_new_string(result.output_tail));
	json_object_object_add(o, "transcript", json_object_new_string(relative));
	*out = o;
	return 0;
}

struct json_object *keys_undeclared(const char *operation, const char *clause)
{
	struct json_object *o = json_object_new_object();
	if (!o)
		return NULL;
	char note[512];
	snprintf(note, sizeof(note),
		 "the profile declares no adapter operation '%s', so dutlab cannot drive the DUT "
		 "through %s; declare it (exec driver) or test it by hand",
		 operation, clause);
	json_object_object_add(o, "operation_declared", json_object_new_boolean(false));
	json_object_object_add(o, "operation", json_object_new_string(operation));
	json_object_object_add(o, "note", json_object_new_string(note));
	return o;
}
