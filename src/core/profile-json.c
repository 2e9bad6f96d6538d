/* profile-json: the profile as JSON, as stored in campaign.db for reports */
#include "core/compat.h"

#include <json-c/json.h>

#include "core/profile.h"
#include "core/profile-json.h"

static void add_string(struct json_object *o, const char *key, const char *value)
{
	json_object_object_add(o, key, value ? json_object_new_string(value) : NULL);
}

struct json_object *profile_to_json(const struct profile *p)
{
	struct json_object *root = json_object_new_object();
	if (!root)
		return NULL;
	add_string(root, "path", p->path);

	struct json_object *identity = json_object_new_object();
	add_string(identity, "vendor", p->vendor);
	add_string(identity, "model", p->model);
	add_string(identity, "firmware", p->firmware);
	add_string(identity, "serial", p->serial);
	add_string(identity, "product_type", product_type_name(p->product_type));
	json_object_object_add(root, "identity", identity);

	struct json_object *targets = json_object_new_array();
	for (size_t i = 0; i < p->target_count; i++) {
		struct json_object *t = json_object_new_object();
		add_string(t, "standard", p->targets[i].standard);
		json_object_object_add(t, "level", json_object_new_int(p->targets[i].level));
		json_object_array_add(targets, t);
	}
	json_object_object_add(root, "targets", targets);

	struct json_object *scope = json_object_new_object();
	struct json_object *networks = json_object_new_array();
	for (size_t i = 0; i < p->scope.network_count; i++)
		json_object_array_add(networks, json_object_new_string(p->scope.networks[i].text));
	json_object_object_add(scope, "networks", networks);
	struct json_object *interfaces = json_object_new_array();
	for (size_t i = 0; i < p->scope.interface_count; i++)
		json_object_array_add(interfaces, json_object_new_string(p->scope.interfaces[i]));
	json_object_object_add(scope, "interfaces", interfaces);
	json_object_object_add(root, "scope", scope);

	struct json_object *addresses = json_object_new_array();
	for (size_t i = 0; i < p->address_count; i++)
		json_object_array_add(addresses, json_object_new_string(p->addresses[i]));
	json_object_object_add(root, "addresses", addresses);

	struct json_object *services = json_object_new_array();
	for (size_t i = 0; i < p->service_count; i++) {
		const struct profile_service *s = &p->services[i];
		struct json_object *o = json_object_new_object();
		add_string(o, "proto", s->proto);
		json_object_object_add(o, "port", json_object_new_int(s->port));
		add_string(o, "name", s->name);
		struct json_object *discloses = json_object_new_array();
		for (size_t d = 0; d < s->discloses_count; d++)
			json_object_array_add(discloses, json_object_new_string(s->discloses[d]));
		json_object_object_add(o, "discloses", discloses);
		json_object_array_add(services, o);
	}
	json_object_object_add(root, "services", services);

	struct json_object *capabilities = json_object_new_object();
	for (size_t i = 0; i < p->capability_count; i++)
		json_object_object_add(capabilities, p->capabilities[i].name,
				       json_object_new_boolean(p->capabilities[i].value));
	json_object_object_add(root, "capabilities", capabilities);

	struct json_object *adapters = json_object_new_array();
	for (size_t i = 0; i < p->adapter_count; i++) {
		const struct profile_adapter *a = &p->adapters[i];
		struct json_object *o = json_object_new_object();
		add_string(o, "name", a->name);
		add_string(o, "driver", a->driver);
		struct json_object *operations = json_object_new_array();
		for (size_t k = 0; k < a->operation_count; k++)
			json_object_array_add(operations,
					      json_object_new_string(a->operations[k].name));
		json_object_object_add(o, "operations", operations);
		if (profile_adapter_is_login(a)) {
			json_object_object_add(o, "port", json_object_new_int(a->port));
			add_string(o, "proto", a->service_proto);
			/* Options name paths, fields and patterns, never credentials. */
			struct json_object *options = json_object_new_object();
			for (size_t k = 0; k < a->option_count; k++)
				add_string(options, a->options[k].name, a->options[k].value);
			json_object_object_add(o, "options", options);
			struct json_object *actions = json_object_new_object();
			for (size_t k = 0; k < a->action_count; k++)
				add_string(actions, a->actions[k].name, a->actions[k].request);
			json_object_object_add(o, "actions", actions);
		}
		json_object_array_add(adapters, o);
	}
	json_object_object_add(root, "adapters", adapters);

	struct json_object *roles = json_object_new_array();
	for (size_t i = 0; i < p->role_count; i++) {
		const struct profile_role *r = &p->roles[i];
		struct json_object *o = json_object_new_object();
		add_string(o, "name", r->name);
		add_string(o, "credential", r->credential);
		struct json_object *may = json_object_new_array();
		for (size_t k = 0; k < r->may_count; k++)
			json_object_array_add(may, json_object_new_string(r->may[k]));
		json_object_object_add(o, "may", may);
		json_object_array_add(roles, o);
	}
	json_object_object_add(root, "roles", roles);

	/* The test account by its role only: credentials never go into reports. */
	const struct profile_auth *pa = &p->auth;
	struct json_object *auth = json_object_new_object();
	add_string(auth, "test_credential", pa->test_credential);
	struct json_object *lockout = json_object_new_object();
	json_object_object_add(lockout, "threshold", json_object_new_int64(pa->lockout_threshold));
	json_object_object_add(lockout, "period",
			       json_object_new_int64(pa->lockout_period_seconds));
	json_object_object_add(lockout, "reset", json_object_new_int64(pa->lockout_reset_seconds));
	json_object_object_add(auth, "lockout", lockout);
	json_object_object_add(auth, "idle_timeout",
			       json_object_new_int64(pa->idle_timeout_seconds));
	struct json_object *policy = json_object_new_object();
	json_object_object_add(policy, "min_length",
			       json_object_new_int64(pa->password_min_length));
	json_object_object_add(policy, "classes", json_object_new_int64(pa->password_classes));
	json_object_object_add(policy, "history", json_object_new_int64(pa->password_history));
	json_object_object_add(policy, "min_age_days",
			       json_object_new_int64(pa->password_min_age_days));
	json_object_object_add(policy, "max_age_days",
			       json_object_new_int64(pa->password_max_age_days));
	add_string(policy, "warning", pa->password_warning);
	add_string(policy, "reference", pa->password_policy_reference);
	json_object_object_add(auth, "password_policy", policy);
	json_object_object_add(root, "auth", auth);

	struct json_object *artifacts = json_object_new_object();
	for (size_t i = 0; i < p->artifact_count; i++)
		add_string(artifacts, p->artifacts[i].name, p->artifacts[i].path);
	json_object_object_add(root, "artifacts", artifacts);

	struct json_object *report = json_object_new_object();
	for (size_t i = 0; i < p->report_field_count; i++)
		add_string(report, p->report_fields[i].name, p->report_fields[i].value);
	json_object_object_add(root, "report", report);

	struct json_object *tls = json_object_new_object();
	add_string(tls, "ca_bundle", p->tls_ca_bundle);
	struct json_object *names = json_object_new_array();
	for (size_t i = 0; i < p->tls_server_name_count; i++)
		json_object_array_add(names, json_object_new_string(p->tls_server_names[i]));
	json_object_object_add(tls, "server_names", names);
	struct json_object *identity_keys = json_object_new_array();
	for (size_t i = 0; i < p->tls_identity_key_count; i++)
		json_object_array_add(identity_keys,
				      json_object_new_string(p->tls_identity_keys[i]));
	json_object_object_add(tls, "identity_keys", identity_keys);
	json_object_object_add(root, "tls", tls);

	struct json_object *clients = json_object_new_array();
	for (size_t i = 0; i < p->tls_client_count; i++) {
		const struct profile_tls_client *c = &p->tls_clients[i];
		struct json_object *o = json_object_new_object();
		add_string(o, "name", c->name);
		add_string(o, "host", c->host);
		json_object_object_add(o, "port", json_object_new_int(c->port));
		add_string(o, "listen", c->listen_address);
		add_string(o, "trigger", c->trigger);
		add_string(o, "trusted_ca", c->trusted_ca_certificate);
		struct json_object *carries = json_object_new_array();
		for (size_t k = 0; k < c->carries_count; k++)
			json_object_array_add(carries, json_object_new_string(c->carries[k]));
		json_object_object_add(o, "carries", carries);
		json_object_array_add(clients, o);
	}
	json_object_object_add(root, "tls_clients", clients);

	struct json_object *units = json_object_new_array();
	for (size_t i = 0; i < p->unit_count; i++) {
		struct json_object *o = json_object_new_object();
		add_string(o, "serial", p->units[i].serial);
		struct json_object *unit_addresses = json_object_new_array();
		for (size_t k = 0; k < p->units[i].address_count; k++)
			json_object_array_add(unit_addresses,
					      json_object_new_string(p->units[i].addresses[k]));
		json_object_object_add(o, "addresses", unit_addresses);
		json_object_array_add(units, o);
	}
	json_object_object_add(root, "units", units);
	return root;
}
