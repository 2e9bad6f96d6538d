/* factory-reset: the keys.factory-reset collector: fingerprints before and after two factory resets
 */
#include "core/compat.h"

#include <json-c/json.h>

#include "checks/check.h"
#include "checks/keys/keys-internal.h"
#include "checks/keys/keys.h"
#include "core/error.h"
#include "core/profile.h"

/*
 * TS-0014-1 5.4.1.4: "Record SSH host-key and TLS public-key fingerprints,
 * factory-reset twice and re-read them; pass if all keys differ after each
 * reset." Two resets, because a DUT that picks its "new" key from a short
 * list, or resets to one key a second time, shows it only then. Factory
 * identity certificates the profile declares are the judge's business: the
 * observation records every key.
 */

#define RESETS 2
#define OPERATION "factory_reset"

static int collect_factory_reset(const struct check_context *ctx, struct json_object **observation,
				 struct dl_error *err)
{
	*observation = NULL;
	if (!profile_find_operation(ctx->profile, OPERATION)) {
		*observation = keys_undeclared(OPERATION, "a factory reset (TS-0014-1 5.4.1.4)");
		return *observation ? 0 : dl_error_set(err, DL_ENOMEM, "keys: out of memory");
	}
	struct keys_run r;
	int rc = keys_run_init(&r, ctx, err);
	if (rc)
		return rc;

	struct json_object *o = json_object_new_object();
	struct json_object *snapshots = json_object_new_array();
	struct json_object *resets = json_object_new_array();
	if (!o || !snapshots || !resets) {
		json_object_put(o);
		json_object_put(snapshots);
		json_object_put(resets);
		return dl_error_set(err, DL_ENOMEM, "keys: out of memory");
	}
	json_object_object_add(o, "operation_declared", json_object_new_boolean(true));
	json_object_object_add(o, "address", json_object_new_string(r.address));
	json_object_object_add(o, "ports", keys_ports_json(&r.ports));
	json_object_object_add(o, "snapshots", snapshots);
	json_object_object_add(o, "resets", resets);
	const char *stopped = NULL;

	const uint64_t total = 2 * RESETS + 1;
	for (int step = 0; step <= RESETS && !rc && !stopped; step++) {
		char what[128];
		if (step > 0) {
			snprintf(what, sizeof(what), "factory reset %d of %d", step, RESETS);
			keys_progress(&r, (uint64_t)(2 * step - 1), total, what);
			char transcript[64];
			snprintf(transcript, sizeof(transcript), "factory-reset-%d.log", step);
			struct json_object *reset = NULL;
			rc = keys_run_operation(&r, OPERATION, NULL, transcript, &reset, err);
			if (rc)
				break;
			json_object_array_add(resets, reset);
			if (!json_object_get_boolean(
				    json_object_object_get(reset, "services_back")))
				/* Still snapshot: which keys are readable is itself the result. */
				stopped =
					"the services did not answer again within the operation's "
					"timeout after a reset";
		}
		snprintf(what, sizeof(what), "key snapshot %d of %d of %s", step + 1, RESETS + 1,
			 r.address);
		keys_progress(&r, (uint64_t)(2 * step), total, what);
		struct json_object *snap = NULL;
		rc = keys_snapshot(&r.options, r.address, &r.ports, &snap, err);
		if (!rc)
			json_object_array_add(snapshots, snap);
	}
	if (rc) {
		json_object_put(o);
		return rc;
	}
	json_object_object_add(o, "stopped", stopped ? json_object_new_string(stopped) : NULL);
	keys_progress(&r, total, total, "done");
	*observation = o;
	return 0;
}

static const char *const keys_inputs[] = {KEYS_INPUT_SCAN, NULL};

const struct collector collector_keys_factory_reset = {
	.id = "keys.factory-reset",
	.summary =
		"TLS and SSH key fingerprints before and after two factory resets (exec adapter)",
	.needs = NEED_DUT_ADDRESS,
	.timeout_seconds = 600,
	.expected_seconds = 30,
	.inputs = keys_inputs,
	.changes_dut = true,
	.collect = collect_factory_reset,
};
