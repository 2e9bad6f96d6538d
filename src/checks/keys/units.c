/* units: the keys.units collector: the key fingerprints of every unit of the model the profile
 * lists
 */
#include "core/compat.h"

#include <json-c/json.h>

#include "checks/check.h"
#include "checks/keys/keys-internal.h"
#include "checks/keys/keys.h"
#include "core/error.h"
#include "core/profile.h"

/*
 * IoT-1006-1 5.2.1.3: keys must be unique per unit. We read what each unit
 * serves on the network; two units of one model that share a TLS or SSH
 * key fail. The other half of the clause, private keys embedded in the
 * firmware image, needs an image search this collector does not do yet.
 */

#define FIRMWARE_NOTE                                                                              \
	"not examined: dutlab does not search the firmware image for embedded private keys yet; "  \
	"examine the image by hand"

/* A snapshot of each address of one unit into a new entry of units. */
static int snapshot_unit(struct keys_run *r, const char *serial, bool dut, char *const *addresses,
			 size_t address_count, struct json_object *units, uint64_t *done,
			 uint64_t total, struct dl_error *err)
{
	struct json_object *unit = json_object_new_object();
	struct json_object *snapshots = json_object_new_array();
	if (!unit || !snapshots) {
		json_object_put(unit);
		json_object_put(snapshots);
		return dl_error_set(err, DL_ENOMEM, "keys: out of memory");
	}
	json_object_object_add(unit, "serial", serial ? json_object_new_string(serial) : NULL);
	json_object_object_add(unit, "dut", json_object_new_boolean(dut));
	json_object_object_add(unit, "snapshots", snapshots);
	json_object_array_add(units, unit);
	for (size_t i = 0; i < address_count; i++) {
		char what[160];
		snprintf(what, sizeof(what), "key snapshot of %s (%s)", addresses[i],
			 serial ? serial : "unit");
		keys_progress(r, (*done)++, total, what);
		struct json_object *snap = NULL;
		int rc = keys_snapshot(&r->options, addresses[i], &r->ports, &snap, err);
		if (rc)
			return rc;
		json_object_array_add(snapshots, snap);
	}
	return 0;
}

static int collect_units(const struct check_context *ctx, struct json_object **observation,
			 struct dl_error *err)
{
	*observation = NULL;
	struct keys_run r;
	int rc = keys_run_init(&r, ctx, err);
	if (rc)
		return rc;
	const struct profile *p = ctx->profile;
	struct json_object *o = json_object_new_object();
	struct json_object *units = json_object_new_array();
	if (!o || !units) {
		json_object_put(o);
		json_object_put(units);
		return dl_error_set(err, DL_ENOMEM, "keys: out of memory");
	}
	json_object_object_add(o, "ports", keys_ports_json(&r.ports));
	json_object_object_add(o, "units", units);
	json_object_object_add(o, "firmware_keys", json_object_new_string(FIRMWARE_NOTE));

	uint64_t total = p->address_count, done = 0;
	for (size_t i = 0; i < p->unit_count; i++)
		total += p->units[i].address_count;
	/* Units of one model serve the same ports: the DUT's scan stands for all. */
	rc = snapshot_unit(&r, p->serial, true, p->addresses, p->address_count, units, &done, total,
			   err);
	for (size_t i = 0; i < p->unit_count && !rc; i++)
		rc = snapshot_unit(&r, p->units[i].serial, false, p->units[i].addresses,
				   p->units[i].address_count, units, &done, total, err);
	if (rc) {
		json_object_put(o);
		return rc;
	}
	keys_progress(&r, total, total, "done");
	*observation = o;
	return 0;
}

static const char *const keys_inputs[] = {KEYS_INPUT_SCAN, NULL};

const struct collector collector_keys_units = {
	.id = "keys.units",
	.summary = "TLS and SSH key fingerprints of the DUT and the other units the profile lists",
	.needs = NEED_DUT_ADDRESS,
	.timeout_seconds = 300,
	.expected_seconds = 10,
	.inputs = keys_inputs,
	.collect = collect_units,
};
