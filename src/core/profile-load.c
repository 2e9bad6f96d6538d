/* profile-load: the profile's sections, what keys each has and what they mean */
#include "core/compat.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <libfyaml.h>
#include <limits.h>
#include <netinet/in.h>
#include <regex.h>

#include "adapters/login.h"
#include "core/error.h"
#include "core/profile-load.h"
#include "core/profile.h"
#include "core/text.h"
#include "core/yaml.h"
#include "fuzz/campaign.h"
#include "fuzz/health.h"
#include "fuzz/session.h"
#include "fuzz/template.h"
#include "net/scope.h"

#define PROFILE_TIMEOUT_DEFAULT 60
#define PROFILE_TIMEOUT_MAX 86400
#define PROFILE_TLS_CLIENT_TIMEOUT_DEFAULT 20
#define PROFILE_PREFIX_MIN_IPV4 8
#define PROFILE_PREFIX_MIN_IPV6 16

#define PRODUCT_TYPE_LIST                                                                          \
	"camera, recorder, storage, reader, controller, platform, lock, firewall, switch, router"

static const struct {
	const char *id;
	bool has_levels;
} standards[] = {
	{"taics-ts-0014-1", true},
	{"iot-1006-1", true},
	{"ncc-ci-ict", false},
};

static const char *const disclosure_kinds[] = {"version", "device-info", "content"};
/* {dutlab} is the running binary; {certificate} and {key} are files dutlab
 * made for replace_certificate; {campaign} is the campaign folder. */
static const char *const exec_placeholders[] = {"address", "username", "password", "certificate",
						"key",     "dutlab",   "campaign"};
static const char *const carried_kinds[] = {"sensitive", "privacy", "update"};

/* What every section needs: the document and the profile being filled. */
struct loader {
	struct yaml_doc *doc;
	struct profile *p;
};

/* ---- sections ----------------------------------------------------------- */

static int load_version(struct loader *l, const struct yaml_value *root)
{
	struct yaml_value v;
	long version = 0;
	bool present;
	int rc = yaml_child(l->doc, root, "dutlab_profile", false, &v, &present);
	if (!rc && !present)
		return yaml_fail(
			l->doc, root->at, NULL,
			"found no 'dutlab_profile' key; expected 'dutlab_profile: %d' (the "
			"profile format version) at the top",
			PROFILE_FORMAT_VERSION);
	rc = yaml_integer(l->doc, &v, 0, INT_MAX, &version);
	if (rc)
		return rc;
	if (version != PROFILE_FORMAT_VERSION)
		return yaml_fail(
			l->doc, v.at, v.path,
			"found format version %ld; expected %d, the only version this dutlab "
			"reads",
			version, PROFILE_FORMAT_VERSION);
	return 0;
}

static int load_identity(struct loader *l, const struct yaml_value *root)
{
	static const char *const keys[] = {"vendor", "model",        "firmware",
					   "serial", "product_type", NULL};
	struct profile *p = l->p;
	struct yaml_value section, v;
	bool present;
	int rc = yaml_child(l->doc, root, "identity", true, &section, NULL);
	if (!rc)
		rc = yaml_mapping(l->doc, &section, keys);
	if (!rc)
		rc = yaml_child(l->doc, &section, "vendor", true, &v, NULL);
	if (!rc)
		rc = yaml_string(l->doc, &v, 0, &p->vendor);
	if (!rc)
		rc = yaml_child(l->doc, &section, "model", true, &v, NULL);
	if (!rc)
		rc = yaml_string(l->doc, &v, 0, &p->model);
	if (!rc)
		rc = yaml_child(l->doc, &section, "firmware", true, &v, NULL);
	if (!rc)
		rc = yaml_string(l->doc, &v, 0, &p->firmware);
	if (!rc)
		rc = yaml_child(l->doc, &section, "serial", false, &v, &present);
	if (!rc && present)
		rc = yaml_string(l->doc, &v, 0, &p->serial);
	if (!rc)
		rc = yaml_child(l->doc, &section, "product_type", true, &v, NULL);
	if (!rc)
		rc = yaml_string(l->doc, &v, 0, &p->product_type_text);
	if (rc)
		return rc;
	p->product_type = product_type_from_name(p->product_type_text);
	if (p->product_type == PRODUCT_UNKNOWN)
		return yaml_fail_type(l->doc, &v, "one of " PRODUCT_TYPE_LIST);
	return 0;
}

static int load_target(struct loader *l, const struct yaml_value *v, struct profile_target *t)
{
	static const char *const keys[] = {"standard", "level", NULL};
	struct yaml_value s, level;
	bool present;
	int rc = yaml_mapping(l->doc, v, keys);
	if (!rc)
		rc = yaml_child(l->doc, v, "standard", true, &s, NULL);
	if (!rc)
		rc = yaml_string(l->doc, &s, 0, &t->standard);
	if (rc)
		return rc;
	size_t which = DL_ARRAY_SIZE(standards);
	for (size_t i = 0; i < DL_ARRAY_SIZE(standards); i++)
		if (strcmp(standards[i].id, t->standard) == 0)
			which = i;
	if (which == DL_ARRAY_SIZE(standards))
		return yaml_fail_type(l->doc, &s, "one of taics-ts-0014-1, iot-1006-1, ncc-ci-ict");
	rc = yaml_child(l->doc, v, "level", false, &level, &present);
	if (!rc && !present && standards[which].has_levels)
		return yaml_fail(l->doc, v->at, v->path,
				 "found no 'level'; expected 'level: 1', 2 or 3 (%s has levels)",
				 t->standard);
	long number = 0;
	if (rc || !present)
		return rc;
	if (!standards[which].has_levels) {
		if (yaml_integer(l->doc, &level, 0, 0, &number) != 0)
			return yaml_fail(
				l->doc, level.at, level.path,
				"found a level; expected none, since %s has no levels (omit "
				"'level' or write 0)",
				t->standard);
		return 0;
	}
	rc = yaml_integer(l->doc, &level, 1, 3, &number);
	t->level = (int)number;
	return rc;
}

static int load_targets(struct loader *l, const struct yaml_value *root)
{
	struct profile *p = l->p;
	struct yaml_value section, v;
	int rc = yaml_child(l->doc, root, "targets", true, &section, NULL);
	if (!rc)
		rc = yaml_sequence(l->doc, &section, true);
	if (rc)
		return rc;
	p->targets = calloc(yaml_count(section.node), sizeof(*p->targets));
	if (!p->targets)
		return yaml_fail_memory(l->doc);
	void *iterator = NULL;
	struct fy_node *node;
	while ((node = fy_node_sequence_iterate(section.node, &iterator)) != NULL) {
		yaml_item(l->doc, &section, node, p->target_count, &v);
		rc = load_target(l, &v, &p->targets[p->target_count++]);
		if (rc)
			return rc;
		const struct profile_target *t = &p->targets[p->target_count - 1];
		for (size_t i = 0; i + 1 < p->target_count; i++)
			if (strcmp(p->targets[i].standard, t->standard) == 0)
				return yaml_fail(
					l->doc, v.at, v.path,
					"found %s a second time; expected each standard once "
					"(see targets[%zu])",
					t->standard, i);
	}
	return 0;
}

static bool is_v4_mapped_network(const struct scope_network *n)
{
	static const uint8_t prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
	return n->family == AF_INET6 && n->prefix_length >= 96 &&
	       memcmp(n->address, prefix, sizeof(prefix)) == 0;
}

/* A scope of 0.0.0.0/0 would make the guard a formality: dutlab sends attack
 * traffic, so a scope must be a network someone could own, not the Internet. */
static bool too_wide(const struct scope_network *n)
{
	return n->prefix_length <
	       (unsigned)(n->family == AF_INET ? PROFILE_PREFIX_MIN_IPV4 : PROFILE_PREFIX_MIN_IPV6);
}

static int load_scope(struct loader *l, const struct yaml_value *root)
{
	static const char *const keys[] = {"networks", "interfaces", NULL};
	struct scope *scope = &l->p->scope;
	struct yaml_value section, list, v;
	struct dl_error sub;
	bool present;
	char *text = NULL;
	int rc = yaml_child(l->doc, root, "scope", true, &section, NULL);
	if (!rc)
		rc = yaml_mapping(l->doc, &section, keys);
	if (!rc)
		rc = yaml_child(l->doc, &section, "networks", true, &list, NULL);
	if (!rc)
		rc = yaml_sequence(l->doc, &list, true);
	if (rc)
		return rc;
	void *iterator = NULL;
	struct fy_node *node;
	while ((node = fy_node_sequence_iterate(list.node, &iterator)) != NULL) {
		yaml_item(l->doc, &list, node, scope->network_count, &v);
		rc = yaml_string(l->doc, &v, 0, &text);
		if (rc)
			return rc;
		rc = scope_add_network(scope, text, &sub);
		if (rc == DL_ENOMEM)
			rc = yaml_fail_memory(l->doc);
		else if (rc)
			rc = yaml_fail(l->doc, v.at, v.path,
				       "found '%.64s'; expected a network such as 198.18.1.0/24 or "
				       "fd00:198:0:1::/64 (%s)",
				       text, sub.message);
		else if (is_v4_mapped_network(&scope->networks[scope->network_count - 1]))
			rc = yaml_fail(
				l->doc, v.at, v.path,
				"found the IPv4-mapped network '%s'; expected the IPv4 network "
				"itself (mapped destinations are judged as IPv4)",
				text);
		else if (too_wide(&scope->networks[scope->network_count - 1]))
			rc = yaml_fail(
				l->doc, v.at, v.path,
				"found '%s', which is wider than any DUT's network; expected the "
				"DUT's own networks (a prefix of at least /%d for IPv4, /%d for "
				"IPv6)",
				text, PROFILE_PREFIX_MIN_IPV4, PROFILE_PREFIX_MIN_IPV6);
		free(text);
		text = NULL;
		if (rc)
			return rc;
	}

	rc = yaml_child(l->doc, &section, "interfaces", false, &list, &present);
	if (rc || !present)
		return rc;
	rc = yaml_sequence(l->doc, &list, false);
	if (rc)
		return rc;
	iterator = NULL;
	while ((node = fy_node_sequence_iterate(list.node, &iterator)) != NULL) {
		yaml_item(l->doc, &list, node, scope->interface_count, &v);
		rc = yaml_string(l->doc, &v, 0, &text);
		if (rc)
			return rc;
		for (size_t i = 0; i < scope->interface_count && !rc; i++)
			if (strcmp(scope->interfaces[i], text) == 0)
				rc = yaml_fail(l->doc, v.at, v.path,
					       "found interface '%s' a second time; expected each "
					       "interface once",
					       text);
		if (!rc) {
			rc = scope_add_interface(scope, text, &sub);
			if (rc == DL_ENOMEM)
				rc = yaml_fail_memory(l->doc);
			else if (rc)
				rc = yaml_fail(
					l->doc, v.at, v.path,
					"found '%.64s'; expected a Linux interface name (%s)", text,
					sub.message);
		}
		free(text);
		text = NULL;
		if (rc)
			return rc;
	}
	return 0;
}

/* "198.18.1.0/24, fd00:198:0:1::/64" for messages. */
static void list_networks(const struct scope *scope, char *out, size_t size)
{
	size_t used = 0;
	out[0] = '\0';
	for (size_t i = 0; i < scope->network_count && used < size; i++)
		used += (size_t)snprintf(out + used, size - used, "%s%s", i ? ", " : "",
					 scope->networks[i].text);
}

static int load_address(struct loader *l, const struct yaml_value *v, char **out)
{
	const struct scope *scope = &l->p->scope;
	const char *text;
	size_t length;
	char address[INET6_ADDRSTRLEN + 1];
	uint8_t bytes[16];
	struct dl_error sub;
	int rc = yaml_text(l->doc, v, 0, &text, &length);
	if (rc)
		return rc;
	bool v4 = false;
	if (length < sizeof(address)) {
		memcpy(address, text, length);
		address[length] = '\0';
		v4 = inet_pton(AF_INET, address, bytes) == 1;
	}
	if (length >= sizeof(address) || (!v4 && inet_pton(AF_INET6, address, bytes) != 1))
		return yaml_fail(
			l->doc, v->at, v->path,
			"found '%.*s'; expected one IPv4 or IPv6 address such as 198.18.1.2 "
			"or fd00:198:0:1::2 (an address, not a network)",
			(int)(length > 64 ? 64 : length), text);
	static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
	if (!v4 && memcmp(bytes, mapped, sizeof(mapped)) == 0) {
		/* The DUT is reached over IPv4; keep the address the way sockets use it. */
		if (!inet_ntop(AF_INET, bytes + 12, address, sizeof(address)))
			return yaml_fail_type(l->doc, v, "an IPv4 or IPv6 address");
	}
	rc = scope_permit_text(scope, address, NULL, &sub);
	if (rc == DL_ESCOPE) {
		char networks[512];
		list_networks(scope, networks, sizeof(networks));
		return yaml_fail(
			l->doc, v->at, v->path,
			"found %s, which is outside scope.networks (%s); expected an address "
			"inside them: fix the address or add its network to scope.networks",
			address, networks);
	}
	if (rc)
		return yaml_fail(l->doc, v->at, v->path, "found '%s'; expected an address (%s)",
				 address, sub.message);
	*out = strdup(address);
	return *out ? 0 : yaml_fail_memory(l->doc);
}

static int load_dut(struct loader *l, const struct yaml_value *root)
{
	static const char *const keys[] = {"addresses", NULL};
	struct profile *p = l->p;
	struct yaml_value section, list, v;
	int rc = yaml_child(l->doc, root, "dut", true, &section, NULL);
	if (!rc)
		rc = yaml_mapping(l->doc, &section, keys);
	if (!rc)
		rc = yaml_child(l->doc, &section, "addresses", true, &list, NULL);
	if (!rc)
		rc = yaml_sequence(l->doc, &list, true);
	if (rc)
		return rc;
	p->addresses = calloc(yaml_count(list.node), sizeof(*p->addresses));
	if (!p->addresses)
		return yaml_fail_memory(l->doc);
	void *iterator = NULL;
	struct fy_node *node;
	while ((node = fy_node_sequence_iterate(list.node, &iterator)) != NULL) {
		yaml_item(l->doc, &list, node, p->address_count, &v);
		rc = load_address(l, &v, &p->addresses[p->address_count++]);
		if (rc)
			return rc;
		const char *added = p->addresses[p->address_count - 1];
		for (size_t i = 0; i + 1 < p->address_count; i++)
			if (strcmp(p->addresses[i], added) == 0)
				return yaml_fail(
					l->doc, v.at, v.path,
					"found %s a second time; expected each address once "
					"(see dut.addresses[%zu])",
					added, i);
	}
	return 0;
}

static int load_discloses(struct loader *l, const struct yaml_value *list,
			  struct profile_service *s)
{
	int rc = yaml_sequence(l->doc, list, false);
	if (rc)
		return rc;
	s->discloses = calloc(yaml_count(list->node) + 1, sizeof(*s->discloses));
	if (!s->discloses)
		return yaml_fail_memory(l->doc);
	void *iterator = NULL;
	struct fy_node *node;
	struct yaml_value v;
	while ((node = fy_node_sequence_iterate(list->node, &iterator)) != NULL) {
		yaml_item(l->doc, list, node, s->discloses_count, &v);
		rc = yaml_string(l->doc, &v, 0, &s->discloses[s->discloses_count++]);
		if (rc)
			return rc;
		const char *kind = s->discloses[s->discloses_count - 1];
		bool known = false;
		for (size_t i = 0; i < DL_ARRAY_SIZE(disclosure_kinds); i++)
			known = known || strcmp(kind, disclosure_kinds[i]) == 0;
		if (!known)
			return yaml_fail_type(l->doc, &v, "one of version, device-info, content");
		for (size_t i = 0; i + 1 < s->discloses_count; i++)
			if (strcmp(s->discloses[i], kind) == 0)
				return yaml_fail(
					l->doc, v.at, v.path,
					"found '%s' a second time; expected each kind once", kind);
	}
	return 0;
}

static int load_service(struct loader *l, const struct yaml_value *v, struct profile_service *s)
{
	static const char *const keys[] = {"proto", "port", "name", "discloses", NULL};
	struct yaml_value proto, port, name, discloses;
	bool present;
	long number = 0;
	int rc = yaml_mapping(l->doc, v, keys);
	if (!rc)
		rc = yaml_child(l->doc, v, "proto", true, &proto, NULL);
	if (!rc)
		rc = yaml_string(l->doc, &proto, 0, &s->proto);
	if (rc)
		return rc;
	if (strcmp(s->proto, "tcp") != 0 && strcmp(s->proto, "udp") != 0)
		return yaml_fail_type(l->doc, &proto, "tcp or udp");
	rc = yaml_child(l->doc, v, "port", true, &port, NULL);
	if (!rc)
		rc = yaml_integer(l->doc, &port, 1, 65535, &number);
	if (rc)
		return rc;
	s->port = (uint16_t)number;
	rc = yaml_child(l->doc, v, "name", true, &name, NULL);
	if (!rc)
		rc = yaml_string(l->doc, &name, 0, &s->name);
	if (!rc)
		rc = yaml_child(l->doc, v, "discloses", false, &discloses, &present);
	if (!rc && present)
		rc = load_discloses(l, &discloses, s);
	return rc;
}

static int load_services(struct loader *l, const struct yaml_value *root)
{
	struct profile *p = l->p;
	struct yaml_value section, v;
	bool present;
	int rc = yaml_child(l->doc, root, "services", false, &section, &present);
	if (rc || !present)
		return rc;
	rc = yaml_sequence(l->doc, &section, false);
	if (rc)
		return rc;
	p->services = calloc(yaml_count(section.node) + 1, sizeof(*p->services));
	if (!p->services)
		return yaml_fail_memory(l->doc);
	void *iterator = NULL;
	struct fy_node *node;
	while ((node = fy_node_sequence_iterate(section.node, &iterator)) != NULL) {
		yaml_item(l->doc, &section, node, p->service_count, &v);
		rc = load_service(l, &v, &p->services[p->service_count++]);
		if (rc)
			return rc;
		const struct profile_service *s = &p->services[p->service_count - 1];
		for (size_t i = 0; i + 1 < p->service_count; i++)
			if (p->services[i].port == s->port &&
			    strcmp(p->services[i].proto, s->proto) == 0)
				return yaml_fail(
					l->doc, v.at, v.path,
					"found %s/%u a second time; expected each proto/port "
					"once (see services[%zu], '%s')",
					s->proto, s->port, i, p->services[i].name);
	}
	return 0;
}

static int load_capabilities(struct loader *l, const struct yaml_value *root)
{
	struct profile *p = l->p;
	struct yaml_value section, v;
	bool present;
	int rc = yaml_child(l->doc, root, "capabilities", false, &section, &present);
	if (rc || !present)
		return rc;
	rc = yaml_mapping(l->doc, &section, NULL);
	if (rc)
		return rc;
	p->capabilities = calloc(yaml_count(section.node) + 1, sizeof(*p->capabilities));
	if (!p->capabilities)
		return yaml_fail_memory(l->doc);
	void *iterator = NULL;
	struct fy_node_pair *pair;
	while ((pair = fy_node_mapping_iterate(section.node, &iterator)) != NULL) {
		struct profile_capability *c = &p->capabilities[p->capability_count++];
		rc = yaml_entry(l->doc, &section, pair, &c->name, &v);
		if (!rc)
			rc = yaml_bool(l->doc, &v, &c->value);
		if (rc)
			return rc;
	}
	return 0;
}

static int load_credential(struct loader *l, const struct yaml_value *v,
			   struct profile_credential *c)
{
	static const char *const keys[] = {"role", "username", "password", NULL};
	struct yaml_value field;
	int rc = yaml_mapping(l->doc, v, keys);
	if (!rc)
		rc = yaml_child(l->doc, v, "role", true, &field, NULL);
	if (!rc)
		rc = yaml_string(l->doc, &field, YAML_NAME, &c->role);
	if (!rc)
		rc = yaml_child(l->doc, v, "username", true, &field, NULL);
	if (!rc)
		rc = yaml_string(l->doc, &field, 0, &c->username);
	if (!rc)
		rc = yaml_child(l->doc, v, "password", true, &field, NULL);
	if (!rc)
		rc = yaml_string(l->doc, &field, YAML_MAY_BE_EMPTY, &c->password);
	return rc;
}

static int load_credentials(struct loader *l, const struct yaml_value *root)
{
	struct profile *p = l->p;
	struct yaml_value section, v;
	bool present;
	int rc = yaml_child(l->doc, root, "credentials", false, &section, &present);
	if (rc || !present)
		return rc;
	rc = yaml_sequence(l->doc, &section, false);
	if (rc)
		return rc;
	p->credentials = calloc(yaml_count(section.node) + 1, sizeof(*p->credentials));
	if (!p->credentials)
		return yaml_fail_memory(l->doc);
	void *iterator = NULL;
	struct fy_node *node;
	while ((node = fy_node_sequence_iterate(section.node, &iterator)) != NULL) {
		yaml_item(l->doc, &section, node, p->credential_count, &v);
		rc = load_credential(l, &v, &p->credentials[p->credential_count++]);
		if (rc)
			return rc;
		const struct profile_credential *c = &p->credentials[p->credential_count - 1];
		for (size_t i = 0; i + 1 < p->credential_count; i++)
			if (strcmp(p->credentials[i].role, c->role) == 0 &&
			    strcmp(p->credentials[i].username, c->username) == 0)
				return yaml_fail(
					l->doc, v.at, v.path,
					"found role '%s' with username '%s' a second time; "
					"expected each pair once (see credentials[%zu])",
					c->role, c->username, i);
	}
	return 0;
}

/* The exec driver fills the exec_placeholders in; any
 * other {lowercase_name} is a typo. Other braces (${HOME}) are literal. */
static int check_command(struct loader *l, const struct yaml_value *v, const char *command)
{
	for (const char *open = strchr(command, '{'); open; open = strchr(open + 1, '{')) {
		size_t length = strspn(open + 1, "abcdefghijklmnopqrstuvwxyz_");
		if (length == 0 || open[1 + length] != '}')
			continue;
		bool known = false;
		for (size_t i = 0; i < DL_ARRAY_SIZE(exec_placeholders); i++)
			known = known || (strlen(exec_placeholders[i]) == length &&
					  memcmp(exec_placeholders[i], open + 1, length) == 0);
		if (!known)
			return yaml_fail(
				l->doc, v->at, v->path,
				"found the placeholder '{%.*s}'; expected {address}, {username}, "
				"{password}, {certificate}, {key}, {dutlab} or {campaign}",
				(int)(length > 64 ? 64 : length), open + 1);
	}
	return 0;
}

static int load_operation(struct loader *l, const struct yaml_value *v,
			  struct profile_operation *op)
{
	static const char *const keys[] = {"command", "timeout", NULL};
	struct yaml_value field;
	bool present;
	long timeout = PROFILE_TIMEOUT_DEFAULT;
	int rc = yaml_mapping(l->doc, v, keys);
	if (!rc)
		rc = yaml_child(l->doc, v, "command", true, &field, NULL);
	if (!rc)
		rc = yaml_string(l->doc, &field, 0, &op->command);
	if (!rc)
		rc = check_command(l, &field, op->command);
	if (!rc)
		rc = yaml_child(l->doc, v, "timeout", false, &field, &present);
	if (!rc && present)
		rc = yaml_integer(l->doc, &field, 1, PROFILE_TIMEOUT_MAX, &timeout);
	op->timeout_seconds = (unsigned)timeout;
	return rc;
}

/* The exec driver's operations: command templates, unique across adapters. */
static int load_operations(struct loader *l, const struct yaml_value *v, struct profile_adapter *a)
{
	struct profile *p = l->p;
	struct yaml_value field, operations;
	int rc = yaml_child(l->doc, v, "operations", true, &operations, NULL);
	if (!rc)
		rc = yaml_mapping(l->doc, &operations, NULL);
	if (rc)
		return rc;
	if (yaml_count(operations.node) == 0)
		return yaml_fail(l->doc, operations.at, operations.path,
				 "found no operations; expected at least one, such as "
				 "'health: {command: \"ping -c1 -W1 {address}\", timeout: 5}'");
	a->operations = calloc(yaml_count(operations.node), sizeof(*a->operations));
	if (!a->operations)
		return yaml_fail_memory(l->doc);
	void *iterator = NULL;
	struct fy_node_pair *pair;
	while ((pair = fy_node_mapping_iterate(operations.node, &iterator)) != NULL) {
		struct profile_operation *op = &a->operations[a->operation_count++];
		rc = yaml_entry(l->doc, &operations, pair, &op->name, &field);
		if (!rc)
			rc = load_operation(l, &field, op);
		if (rc)
			return rc;
		/* profile_find_operation() looks across adapters: names must be unique. */
		for (size_t i = 0; i < p->adapter_count; i++) {
			const struct profile_adapter *other = &p->adapters[i];
			for (size_t j = 0; j < other->operation_count; j++)
				if (other != a && strcmp(other->operations[j].name, op->name) == 0)
					return yaml_fail(
						l->doc,
						yaml_pos(l->doc, fy_node_pair_key(pair), field.at),
						operations.path,
						"found operation '%s', which adapter '%s' "
						"already has; expected each operation in one "
						"adapter",
						op->name, other->name);
		}
	}
	return 0;
}

/* A login adapter's options: a mapping of option names to strings. */
static int load_options(struct loader *l, const struct yaml_value *options,
			struct profile_adapter *a)
{
	struct yaml_value v;
	int rc = yaml_mapping(l->doc, options, NULL);
	if (rc)
		return rc;
	a->options = calloc(yaml_count(options->node) + 1, sizeof(*a->options));
	if (!a->options)
		return yaml_fail_memory(l->doc);
	void *iterator = NULL;
	struct fy_node_pair *pair;
	while ((pair = fy_node_mapping_iterate(options->node, &iterator)) != NULL) {
		struct profile_option *o = &a->options[a->option_count++];
		rc = yaml_entry(l->doc, options, pair, &o->name, &v);
		if (!rc)
			rc = yaml_string(l->doc, &v, 0, &o->value);
		if (rc)
			return rc;
	}
	return 0;
}

/* A login adapter's actions: names roles[].may uses, each a request text. */
static int load_actions(struct loader *l, const struct yaml_value *actions,
			struct profile_adapter *a)
{
	struct yaml_value v;
	int rc = yaml_mapping(l->doc, actions, NULL);
	if (rc)
		return rc;
	a->actions = calloc(yaml_count(actions->node) + 1, sizeof(*a->actions));
	if (!a->actions)
		return yaml_fail_memory(l->doc);
	void *iterator = NULL;
	struct fy_node_pair *pair;
	while ((pair = fy_node_mapping_iterate(actions->node, &iterator)) != NULL) {
		struct profile_action *action = &a->actions[a->action_count++];
		rc = yaml_entry(l->doc, actions, pair, &action->name, &v);
		if (!rc)
			rc = yaml_string(l->doc, &v, 0, &action->request);
		if (rc)
			return rc;
	}
	return 0;
}

/*
 * The driver's own verdict on its options (login_adapter_validate). Its
 * message starts with what it is about ("options.login_url: ", "port: ",
 * "actions.read: "); point at that node when the profile has it, else at
 * the adapter.
 */
static int validate_login(struct loader *l, const struct yaml_value *v,
			  const struct profile_adapter *a)
{
	struct dl_error sub = {0};
	int rc = login_adapter_validate(a, &sub);
	if (rc == DL_ENOMEM)
		return yaml_fail_memory(l->doc);
	if (!rc)
		return 0;
	const char *colon = strstr(sub.message, ": ");
	size_t length = colon ? (size_t)(colon - sub.message) : 0;
	char section[16], key[YAML_NAME_MAX + 1];
	const char *dot = memchr(sub.message, '.', length);
	struct yaml_value parent, child;
	bool present = false;
	if (dot && (size_t)(dot - sub.message) < sizeof(section) &&
	    (size_t)(colon - dot) <= sizeof(key)) {
		snprintf(section, sizeof(section), "%.*s", (int)(dot - sub.message), sub.message);
		snprintf(key, sizeof(key), "%.*s", (int)(colon - dot - 1), dot + 1);
		if (yaml_child(l->doc, v, section, false, &parent, &present) == 0 && present &&
		    fy_node_is_mapping(parent.node))
			rc = yaml_child(l->doc, &parent, key, false, &child, &present);
		else
			present = false;
	} else if (length > 0 && length < sizeof(key)) {
		snprintf(key, sizeof(key), "%.*s", (int)length, sub.message);
		rc = yaml_child(l->doc, v, key, false, &child, &present);
	}
	if (present)
		return yaml_fail(l->doc, child.at, child.path, "%s", colon + 2);
	/* Not written in the profile (a required option left out): the message names it. */
	return yaml_fail(l->doc, v->at, v->path, "%s", sub.message);
}

static int load_adapter(struct loader *l, const struct yaml_value *v, struct profile_adapter *a)
{
	static const char *const keys[] = {"name",    "driver",  "port",       "proto",
					   "options", "actions", "operations", NULL};
	static const char *const login_only[] = {"port", "proto", "options", "actions"};
	struct yaml_value field;
	bool present;
	long number = 0;
	int rc = yaml_mapping(l->doc, v, keys);
	if (!rc)
		rc = yaml_child(l->doc, v, "name", true, &field, NULL);
	if (!rc)
		rc = yaml_string(l->doc, &field, YAML_NAME, &a->name);
	if (!rc)
		rc = yaml_child(l->doc, v, "driver", true, &field, NULL);
	if (!rc)
		rc = yaml_string(l->doc, &field, 0, &a->driver);
	if (rc)
		return rc;
	if (strcmp(a->driver, "exec") == 0) {
		for (size_t i = 0; i < DL_ARRAY_SIZE(login_only); i++) {
			rc = yaml_child(l->doc, v, login_only[i], false, &field, &present);
			if (!rc && present)
				rc = yaml_fail(l->doc, field.at, field.path,
					       "found '%s' in an exec adapter; expected it only "
					       "in a login adapter (driver http-form, "
					       "ssh-password, ...)",
					       login_only[i]);
			if (rc)
				return rc;
		}
		return load_operations(l, v, a);
	}
	if (!login_driver_known(a->driver)) {
		char names[256];
		login_driver_names(names, sizeof(names));
		return yaml_fail(l->doc, field.at, field.path,
				 "found the driver '%.64s'; expected exec, %s", a->driver, names);
	}
	rc = yaml_child(l->doc, v, "operations", false, &field, &present);
	if (!rc && present)
		return yaml_fail(l->doc, field.at, field.path,
				 "found operations in a %s adapter; expected them only in an exec "
				 "adapter (a login adapter has actions)",
				 a->driver);
	if (!rc)
		rc = yaml_child(l->doc, v, "port", true, &field, NULL);
	if (!rc)
		rc = yaml_integer(l->doc, &field, 1, 65535, &number);
	if (rc)
		return rc;
	a->port = (uint16_t)number;
	rc = yaml_child(l->doc, v, "proto", false, &field, &present);
	if (!rc && present)
		rc = yaml_string(l->doc, &field, 0, &a->service_proto);
	else if (!rc)
		a->service_proto = strdup("tcp");
	if (rc)
		return rc;
	if (!a->service_proto)
		return yaml_fail_memory(l->doc);
	if (strcmp(a->service_proto, "tcp") != 0 && strcmp(a->service_proto, "udp") != 0)
		return yaml_fail_type(l->doc, &field, "tcp or udp");
	rc = yaml_child(l->doc, v, "options", false, &field, &present);
	if (!rc && present)
		rc = load_options(l, &field, a);
	if (!rc)
		rc = yaml_child(l->doc, v, "actions", false, &field, &present);
	if (!rc && present)
		rc = load_actions(l, &field, a);
	if (!rc)
		rc = validate_login(l, v, a);
	return rc;
}

static int load_adapters(struct loader *l, const struct yaml_value *root)
{
	struct profile *p = l->p;
	struct yaml_value section, v;
	bool present;
	int rc = yaml_child(l->doc, root, "adapters", false, &section, &present);
	if (rc || !present)
		return rc;
	rc = yaml_sequence(l->doc, &section, false);
	if (rc)
		return rc;
	p->adapters = calloc(yaml_count(section.node) + 1, sizeof(*p->adapters));
	if (!p->adapters)
		return yaml_fail_memory(l->doc);
	void *iterator = NULL;
	struct fy_node *node;
	while ((node = fy_node_sequence_iterate(section.node, &iterator)) != NULL) {
		yaml_item(l->doc, &section, node, p->adapter_count, &v);
		rc = load_adapter(l, &v, &p->adapters[p->adapter_count++]);
		if (rc)
			return rc;
		const struct profile_adapter *a = &p->adapters[p->adapter_count - 1];
		for (size_t i = 0; i + 1 < p->adapter_count; i++)
			if (strcmp(p->adapters[i].name, a->name) == 0)
				return yaml_fail(
					l->doc, v.at, v.path,
					"found adapter name '%s' a second time; expected each "
					"name once",
					a->name);
	}
	return 0;
}

/* The profile's folder as an absolute path, so artifacts resolve the same
 * wherever dutlab runs from. */
static int profile_folder(struct loader *l, char *out, size_t size)
{
	const char *slash = strrchr(l->doc->file, '/');
	char folder[PATH_MAX];
	if (!slash)
		text_copy(folder, sizeof(folder), ".");
	else if (slash == l->doc->file)
		text_copy(folder, sizeof(folder), "/");
	else if ((size_t)(slash - l->doc->file) < sizeof(folder))
		snprintf(folder, sizeof(folder), "%.*s", (int)(slash - l->doc->file), l->doc->file);
	else
		return yaml_fail(l->doc, (struct yaml_pos){1, 1}, NULL,
				 "found a profile path too long to resolve artifacts against; "
				 "expected at most %d bytes",
				 PATH_MAX);
	char *resolved = realpath(folder, NULL);
	bool fits = text_copy(out, size, resolved ? resolved : folder);
	free(resolved);
	if (!fits)
		return yaml_fail(l->doc, (struct yaml_pos){1, 1}, NULL,
				 "found a profile folder path too long; expected at most %zu bytes",
				 size - 1);
	return 0;
}

/* v's text as a path, resolved against the profile's folder when relative. */
static int load_path(struct loader *l, const struct yaml_value *v, char **out)
{
	char folder[PATH_MAX];
	const char *text;
	size_t length;
	int rc = yaml_text(l->doc, v, 0, &text, &length);
	if (rc)
		return rc;
	bool absolute = text[0] == '/';
	if (!absolute) {
		rc = profile_folder(l, folder, sizeof(folder));
		if (rc)
			return rc;
	}
	size_t total = (absolute ? 0 : strlen(folder) + 1) + length + 1;
	if (total > PATH_MAX)
		return yaml_fail(
			l->doc, v->at, v->path,
			"found a path that is %zu bytes once resolved; expected at most %d",
			total - 1, PATH_MAX - 1);
	char *path = malloc(total);
	if (!path)
		return yaml_fail_memory(l->doc);
	size_t used = 0;
	if (!absolute) {
		size_t folder_length = strlen(folder);
		memcpy(path, folder, folder_length);
		path[folder_length] = '/';
		used = folder_length + 1;
	}
	memcpy(path + used, text, length);
	path[used + length] = '\0';
	*out = path;
	return 0;
}

static int load_artifacts(struct loader *l, const struct yaml_value *root)
{
	struct profile *p = l->p;
	struct yaml_value section, v;
	bool present;
	int rc = yaml_child(l->doc, root, "artifacts", false, &section, &present);
	if (rc || !present)
		return rc;
	rc = yaml_mapping(l->doc, &section, NULL);
	if (rc)
		return rc;
	p->artifacts = calloc(yaml_count(section.node) + 1, sizeof(*p->artifacts));
	if (!p->artifacts)
		return yaml_fail_memory(l->doc);
	void *iterator = NULL;
	struct fy_node_pair *pair;
	while ((pair = fy_node_mapping_iterate(section.node, &iterator)) != NULL) {
		struct profile_artifact *a = &p->artifacts[p->artifact_count++];
		rc = yaml_entry(l->doc, &section, pair, &a->name, &v);
		if (!rc)
			rc = load_path(l, &v, &a->path);
		if (rc)
			return rc;
	}
	return 0;
}

/* A sequence of strings into a new array; *count set. */
static int load_strings(struct loader *l, const struct yaml_value *list, unsigned flags,
			char ***out, size_t *count)
{
	int rc = yaml_sequence(l->doc, list, false);
	if (rc)
		return rc;
	*out = calloc(yaml_count(list->node) + 1, sizeof(**out));
	if (!*out)
		return yaml_fail_memory(l->doc);
	void *iterator = NULL;
	struct fy_node *node;
	struct yaml_value v;
	while ((node = fy_node_sequence_iterate(list->node, &iterator)) != NULL) {
		yaml_item(l->doc, list, node, *count, &v);
		rc = yaml_string(l->doc, &v, flags, &(*out)[(*count)++]);
		if (rc)
			return rc;
	}
	return 0;
}

/* Does some login adapter declare the action? */
static bool action_declared(const struct profile *p, const char *name)
{
	for (size_t i = 0; i < p->adapter_count; i++)
		if (profile_adapter_is_login(&p->adapters[i]) &&
		    profile_adapter_action(&p->adapters[i], name))
			return true;
	return false;
}

static int load_role(struct loader *l, const struct yaml_value *v, struct profile_role *r)
{
	static const char *const keys[] = {"name", "credential", "may", NULL};
	struct yaml_value field, item;
	int rc = yaml_mapping(l->doc, v, keys);
	if (!rc)
		rc = yaml_child(l->doc, v, "name", true, &field, NULL);
	if (!rc)
		rc = yaml_string(l->doc, &field, YAML_NAME, &r->name);
	if (!rc)
		rc = yaml_child(l->doc, v, "credential", true, &field, NULL);
	if (!rc)
		rc = yaml_string(l->doc, &field, YAML_NAME, &r->credential);
	if (rc)
		return rc;
	if (!profile_find_credential(l->p, r->credential))
		return yaml_fail(l->doc, field.at, field.path,
				 "found the credential '%s', which credentials[] does not have; "
				 "expected the role of a credentials[] entry",
				 r->credential);
	rc = yaml_child(l->doc, v, "may", true, &field, NULL);
	if (!rc)
		rc = load_strings(l, &field, YAML_NAME, &r->may, &r->may_count);
	if (rc)
		return rc;
	for (size_t i = 0; i < r->may_count; i++) {
		if (action_declared(l->p, r->may[i]))
			continue;
		yaml_item(l->doc, &field, fy_node_sequence_get_by_index(field.node, (int)i), i,
			  &item);
		return yaml_fail(l->doc, item.at, item.path,
				 "found the action '%s', which no login adapter declares; "
				 "expected a name of some adapters[].actions",
				 r->may[i]);
	}
	return 0;
}

static int load_roles(struct loader *l, const struct yaml_value *root)
{
	struct profile *p = l->p;
	struct yaml_value section, v;
	bool present;
	int rc = yaml_child(l->doc, root, "roles", false, &section, &present);
	if (rc || !present)
		return rc;
	rc = yaml_sequence(l->doc, &section, false);
	if (rc)
		return rc;
	p->roles = calloc(yaml_count(section.node) + 1, sizeof(*p->roles));
	if (!p->roles)
		return yaml_fail_memory(l->doc);
	void *iterator = NULL;
	struct fy_node *node;
	while ((node = fy_node_sequence_iterate(section.node, &iterator)) != NULL) {
		yaml_item(l->doc, &section, node, p->role_count, &v);
		rc = load_role(l, &v, &p->roles[p->role_count++]);
		if (rc)
			return rc;
		const struct profile_role *r = &p->roles[p->role_count - 1];
		for (size_t i = 0; i + 1 < p->role_count; i++)
			if (strcmp(p->roles[i].name, r->name) == 0)
				return yaml_fail(l->doc, v.at, v.path,
						 "found the role '%s' a second time; expected each "
						 "role once",
						 r->name);
	}
	return 0;
}

/* An optional number of a mapping into *out (left 0 when absent). */
static int load_number(struct loader *l, const struct yaml_value *map, const char *key, long min,
		       long max, unsigned *out)
{
	struct yaml_value v;
	bool present;
	long number = 0;
	int rc = yaml_child(l->doc, map, key, false, &v, &present);
	if (!rc && present)
		rc = yaml_integer(l->doc, &v, min, max, &number);
	/* absent: *out keeps the default the caller put there */
	if (!rc && present)
		*out = (unsigned)number;
	return rc;
}

/* A number a mapping must have, bounded as load_number's. */
static int load_required_number(struct loader *l, const struct yaml_value *map, const char *key,
				long min, long max, unsigned *out)
{
	struct yaml_value v;
	int rc = yaml_child(l->doc, map, key, true, &v, NULL);
	return rc ? rc : load_number(l, map, key, min, max, out);
}

/* An optional string of a mapping (flags as yaml_string's) into *out, left NULL when absent;
 * where it stands into *node (when node is not NULL), for an error about its value. */
static int load_string(struct loader *l, const struct yaml_value *map, const char *key,
		       unsigned flags, char **out, struct yaml_value *node)
{
	struct yaml_value v = {0};
	bool present = false;
	int rc = yaml_child(l->doc, map, key, false, &v, &present);
	if (!rc && present)
		rc = yaml_string(l->doc, &v, flags, out);
	if (node)
		*node = v;
	return rc;
}

/* An optional string of 1 to most characters (a key, a host name); another length is refused
 * as "found a WHAT of N characters; expected EXPECTED". */
static int load_bounded_string(struct loader *l, const struct yaml_value *map, const char *key,
			       size_t most, const char *what, const char *expected, char **out)
{
	struct yaml_value v;
	int rc = load_string(l, map, key, 0, out, &v);
	if (rc || !*out)
		return rc;
	size_t n = strlen(*out);
	if (n == 0 || n > most)
		return yaml_fail(l->doc, v.at, v.path, "found a %s of %zu characters; expected %s",
				 what, n, expected);
	return rc;
}

static int load_password_policy(struct loader *l, const struct yaml_value *v,
				struct profile_auth *a)
{
	static const char *const keys[] = {"min_length",   "classes", "history",   "min_age_days",
					   "max_age_days", "warning", "reference", NULL};
	struct yaml_value field;
	bool present;
	int rc = yaml_mapping(l->doc, v, keys);
	if (!rc)
		rc = load_number(l, v, "min_length", 1, 1024, &a->password_min_length);
	if (!rc)
		rc = load_number(l, v, "classes", 1, 4, &a->password_classes);
	if (!rc)
		rc = load_number(l, v, "history", 0, 1000, &a->password_history);
	if (!rc)
		rc = load_number(l, v, "min_age_days", 0, 36500, &a->password_min_age_days);
	if (!rc)
		rc = load_number(l, v, "max_age_days", 0, 36500, &a->password_max_age_days);
	if (!rc)
		rc = yaml_child(l->doc, v, "warning", false, &field, &present);
	if (!rc && present) {
		rc = yaml_string(l->doc, &field, 0, &a->password_warning);
		regex_t re;
		int code = rc ? 0 : regcomp(&re, a->password_warning, REG_EXTENDED | REG_NOSUB);
		if (!rc && code != 0) {
			char why[128];
			regerror(code, &re, why, sizeof(why));
			return yaml_fail(l->doc, field.at, field.path,
					 "found '%.64s', which is not a POSIX extended regular "
					 "expression (%s); expected one that matches the DUT's "
					 "weak-password warning",
					 a->password_warning, why);
		}
		if (!rc)
			regfree(&re);
	}
	if (!rc)
		rc = yaml_child(l->doc, v, "reference", false, &field, &present);
	if (!rc && present)
		rc = yaml_string(l->doc, &field, 0, &a->password_policy_reference);
	return rc;
}

static int load_auth(struct loader *l, const struct yaml_value *root)
{
	static const char *const keys[] = {"test_credential", "lockout", "idle_timeout",
					   "password_policy", NULL};
	static const char *const lockout_keys[] = {"threshold", "period", "reset", NULL};
	struct profile_auth *a = &l->p->auth;
	struct yaml_value section, field;
	bool present;
	int rc = yaml_child(l->doc, root, "auth", false, &section, &present);
	if (rc || !present)
		return rc;
	rc = yaml_mapping(l->doc, &section, keys);
	if (!rc)
		rc = yaml_child(l->doc, &section, "test_credential", false, &field, &present);
	if (!rc && present) {
		rc = yaml_string(l->doc, &field, YAML_NAME, &a->test_credential);
		if (!rc && !profile_find_credential(l->p, a->test_credential))
			return yaml_fail(l->doc, field.at, field.path,
					 "found the credential '%s', which credentials[] does not "
					 "have; expected the role of the account tests may lock "
					 "and change",
					 a->test_credential);
		/* Lockout and password tests lock and change this account. */
		if (!rc && strcmp(a->test_credential, "admin") == 0)
			return yaml_fail(l->doc, field.at, field.path,
					 "found 'admin'; expected a test account that is not the "
					 "admin (the lockout and password tests lock and change "
					 "it)");
	}
	if (!rc)
		rc = yaml_child(l->doc, &section, "lockout", false, &field, &present);
	if (!rc && present) {
		rc = yaml_mapping(l->doc, &field, lockout_keys);
		if (!rc)
			rc = load_number(l, &field, "threshold", 1, 1000, &a->lockout_threshold);
		if (!rc)
			rc = load_number(l, &field, "period", 1, PROFILE_TIMEOUT_MAX,
					 &a->lockout_period_seconds);
		if (!rc)
			rc = load_number(l, &field, "reset", 1, PROFILE_TIMEOUT_MAX,
					 &a->lockout_reset_seconds);
	}
	if (!rc)
		rc = load_number(l, &section, "idle_timeout", 1, PROFILE_TIMEOUT_MAX,
				 &a->idle_timeout_seconds);
	if (!rc)
		rc = yaml_child(l->doc, &section, "password_policy", false, &field, &present);
	if (!rc && present)
		rc = load_password_policy(l, &field, a);
	return rc;
}

/* ---- robustness ---------------------------------------------------------- */

static bool interface_declared(const struct scope *s, const char *name)
{
	for (size_t i = 0; i < s->interface_count; i++)
		if (strcmp(s->interfaces[i], name) == 0)
			return true;
	return false;
}

/* A string that must name an interface of scope.interfaces. */
static int load_interface(struct loader *l, const struct yaml_value *map, const char *key,
			  bool required, char **out)
{
	struct yaml_value v;
	bool present = false;
	int rc = yaml_child(l->doc, map, key, required, &v, &present);
	if (rc || !present)
		return rc;
	rc = yaml_string(l->doc, &v, YAML_NAME, out);
	if (!rc && !interface_declared(&l->p->scope, *out))
		return yaml_fail(l->doc, v.at, v.path,
				 "found the interface '%s', which scope.interfaces does not list; "
				 "expected a tester interface the profile declares",
				 *out);
	return rc;
}

/* An optional "02:00:5e:10:00:01" MAC address. */
static int load_mac(struct loader *l, const struct yaml_value *map, const char *key, char **out)
{
	struct yaml_value v;
	int rc = load_string(l, map, key, 0, out, &v);
	if (rc || !*out)
		return rc;
	const char *t = *out;
	bool ok = strlen(t) == 17;
	for (size_t i = 0; ok && i < 6; i++)
		ok = isxdigit((unsigned char)t[3 * i]) && isxdigit((unsigned char)t[3 * i + 1]) &&
		     (i == 5 || t[3 * i + 2] == ':');
	if (!ok)
		return yaml_fail(l->doc, v.at, v.path,
				 "found '%.40s'; expected a MAC address like 02:00:5e:10:00:01", t);
	return 0;
}

static int load_mix(struct loader *l, const struct yaml_value *v, struct profile_robustness *r)
{
	int rc = yaml_mapping(l->doc, v, NULL);
	if (rc)
		return rc;
	if (yaml_count(v->node) == 0)
		return yaml_fail(l->doc, v->at, v->path,
				 "found an empty mix; expected protocols and their shares, like "
				 "{ipv4: 1, ipv6: 1, icmpv4: 1, icmpv6: 1}");
	r->mix = calloc(yaml_count(v->node), sizeof(*r->mix));
	if (!r->mix)
		return yaml_fail_memory(l->doc);
	void *iterator = NULL;
	struct fy_node_pair *pair;
	struct yaml_value w;
	while ((pair = fy_node_mapping_iterate(v->node, &iterator)) != NULL) {
		struct profile_robustness_share *s = &r->mix[r->mix_count++];
		long weight = 0;
		rc = yaml_entry(l->doc, v, pair, &s->protocol, &w);
		if (!rc)
			rc = yaml_integer(l->doc, &w, 1, 1000, &weight);
		if (rc)
			return rc;
		s->weight = (unsigned)weight;
		if (session_protocol_find(s->protocol)) {
			/* a session protocol needs its map: whom to peer with, how */
			if (strcmp(s->protocol, "bgp") == 0 && !r->bgp.declared)
				return yaml_fail(
					l->doc, w.at, w.path,
					"found the session protocol 'bgp' without "
					"robustness.bgp; expected robustness.bgp {local_as, "
					"peer_as} (and password, hold_time, port as the DUT "
					"needs) beside the mix");
			if (strcmp(s->protocol, "rip") == 0 && !r->rip.declared)
				return yaml_fail(
					l->doc, w.at, w.path,
					"found the session protocol 'rip' without "
					"robustness.rip; expected robustness.rip {} (and "
					"password, key_id, port as the DUT needs) beside the "
					"mix");
			if (strcmp(s->protocol, "ospf") == 0 && !r->ospf.declared)
				return yaml_fail(
					l->doc, w.at, w.path,
					"found the session protocol 'ospf' without "
					"robustness.ospf; expected robustness.ospf {} (and "
					"password, key_id, auth, hello, dead, area as the DUT "
					"needs) beside the mix");
			continue;
		}
		if (!fuzz_template_protocol_known(s->protocol)) {
			const char *names[32];
			size_t n = fuzz_template_protocols(names, DL_ARRAY_SIZE(names));
			char known[512];
			yaml_join(known, sizeof(known), names, n, " or ");
			return yaml_fail(l->doc, w.at, w.path,
					 "found the protocol '%s', which dutlab has no templates "
					 "for; expected %s or a session protocol (bgp, rip, ospf)",
					 s->protocol, known);
		}
	}
	return 0;
}

/* item: v's i-th element, for a message that points at it. */
static void sequence_item(struct loader *l, const struct yaml_value *v, size_t i,
			  struct yaml_value *item)
{
	void *iterator = NULL;
	struct fy_node *node = NULL;
	for (size_t k = 0; k <= i; k++)
		node = fy_node_sequence_iterate(v->node, &iterator);
	yaml_item(l->doc, v, node, i, item);
}

/* A list of IPv4 or IPv6 prefixes ("198.18.24.128/25"), each checked. */
static int load_prefixes(struct loader *l, const struct yaml_value *v, char ***out, size_t *count)
{
	int rc = load_strings(l, v, 0, out, count);
	for (size_t i = 0; !rc && i < *count; i++) {
		const char *text = (*out)[i];
		const char *slash = strchr(text, '/');
		char address[INET6_ADDRSTRLEN];
		size_t n = slash ? (size_t)(slash - text) : 0;
		uint8_t bytes[16];
		int family = slash && memchr(text, ':', n) ? AF_INET6 : AF_INET;
		unsigned bits = 0, most = family == AF_INET6 ? 128 : 32;
		bool good = slash && n > 0 && n < sizeof(address) && slash[1] != '\0';
		for (const char *c = slash ? slash + 1 : ""; good && *c; c++) {
			good = *c >= '0' && *c <= '9' && bits <= most;
			bits = bits * 10 + (unsigned)(*c - '0');
		}
		if (good) {
			memcpy(address, text, n);
			address[n] = '\0';
			good = bits <= most && inet_pton(family, address, bytes) == 1;
		}
		if (!good) {
			struct yaml_value item;
			sequence_item(l, v, i, &item);
			return yaml_fail(
				l->doc, item.at, item.path,
				"found '%.64s'; expected a prefix like 198.18.24.128/25 or "
				"fd00:198:0:24:1::/80",
				text);
		}
	}
	return rc;
}

/* robustness.bgp.sources: 1 to PROFILE_BGP_SOURCES_MAX IPv4 addresses, none twice. */
static int load_sources(struct loader *l, const struct yaml_value *v, char ***out, size_t *count)
{
	int rc = load_strings(l, v, 0, out, count);
	for (size_t i = 0; !rc && i < *count; i++) {
		struct in_addr a, b;
		const char *why = NULL;
		if (inet_pton(AF_INET, (*out)[i], &a) != 1)
			why = "expected an IPv4 address of the tester like 198.18.24.11";
		else if (i >= PROFILE_BGP_SOURCES_MAX)
			why = "expected at most 64 addresses";
		for (size_t j = 0; !why && j < i; j++)
			if (inet_pton(AF_INET, (*out)[j], &b) == 1 && a.s_addr == b.s_addr)
				why = "expected each address once (one session each)";
		if (why) {
			struct yaml_value item;
			sequence_item(l, v, i, &item);
			return yaml_fail(l->doc, item.at, item.path, "found '%.64s'; %s", (*out)[i],
					 why);
		}
	}
	return rc;
}

static int load_bgp(struct loader *l, const struct yaml_value *v, struct profile_robustness_bgp *b)
{
	static const char *const keys[] = {"local_as", "peer_as",       "password", "hold_time",
					   "port",     "expect_routes", "sources",  NULL};
	struct yaml_value field;
	bool present = false;
	int rc = yaml_mapping(l->doc, v, keys);
	if (rc)
		return rc;
	b->declared = true;
	b->hold_time = 90;
	b->port = 179;
	rc = load_required_number(l, v, "local_as", 1, 4294967295L, &b->local_as);
	if (!rc)
		rc = load_required_number(l, v, "peer_as", 1, 4294967295L, &b->peer_as);
	if (!rc)
		rc = load_number(l, v, "hold_time", 0, 65535, &b->hold_time);
	if (!rc && b->hold_time > 0 && b->hold_time < 3) {
		rc = yaml_child(l->doc, v, "hold_time", true, &field, NULL);
		if (!rc)
			return yaml_fail(l->doc, field.at, field.path,
					 "found a hold time of %u s; expected 0 or 3 to 65535 "
					 "(RFC 4271 4.2)",
					 b->hold_time);
	}
	if (!rc)
		rc = load_number(l, v, "port", 1, 65535, &b->port);
	if (!rc)
		rc = load_bounded_string(l, v, "password", 80, "password",
					 "the DUT's TCP-MD5 key, 1 to 80 characters (RFC 2385)",
					 &b->password);
	if (!rc)
		rc = yaml_child(l->doc, v, "expect_routes", false, &field, &present);
	if (!rc && present)
		rc = load_prefixes(l, &field, &b->expect_routes, &b->expect_route_count);
	present = false;
	if (!rc)
		rc = yaml_child(l->doc, v, "sources", false, &field, &present);
	if (!rc && present)
		rc = load_sources(l, &field, &b->sources, &b->source_count);
	return rc;
}

static int load_rip(struct loader *l, const struct yaml_value *v, struct profile_robustness_rip *r)
{
	static const char *const keys[] = {"password", "key_id", "port", NULL};
	int rc = yaml_mapping(l->doc, v, keys);
	if (rc)
		return rc;
	r->declared = true;
	r->key_id = 1;
	r->port = 520;
	rc = load_number(l, v, "key_id", 0, 255, &r->key_id);
	if (!rc)
		rc = load_number(l, v, "port", 1, 65535, &r->port);
	if (!rc)
		rc = load_bounded_string(
			l, v, "password", 16, "password",
			"the DUT's keyed-MD5 key, 1 to 16 characters (RFC 4822 2.2)", &r->password);
	return rc;
}

/* A dotted IPv4 value of an OSPF map (an area or router id: 32 bits, in no scope). */
static int load_dotted(struct loader *l, const struct yaml_value *map, const char *key, char **out)
{
	struct yaml_value v;
	int rc = load_string(l, map, key, 0, out, &v);
	struct in_addr a;
	if (!rc && *out && inet_pton(AF_INET, *out, &a) != 1)
		return yaml_fail(l->doc, v.at, v.path,
				 "found '%.64s'; expected a dotted 32-bit id such as 0.0.0.0 or "
				 "198.18.24.1 (RFC 2328 C.1)",
				 *out);
	return rc;
}

/* robustness.ospf.network: the DUT's interface type facing the tester (RFC 2328 8.1) */
static int load_ospf_network(struct loader *l, const struct yaml_value *v, bool *broadcast)
{
	struct yaml_value field;
	bool present = false;
	int rc = yaml_child(l->doc, v, "network", false, &field, &present);
	if (rc || !present)
		return rc;
	char *name = NULL;
	rc = yaml_string(l->doc, &field, 0, &name);
	if (rc)
		return rc;
	bool point_to_point = strcmp(name, "point-to-point") == 0;
	*broadcast = strcmp(name, "broadcast") == 0;
	free(name);
	if (!point_to_point && !*broadcast)
		return yaml_fail(l->doc, field.at, field.path,
				 "found an unknown OSPF network type; expected point-to-point or "
				 "broadcast (the DUT's interface type, RFC 2328 8.1)");
	return 0;
}

static int load_ospf(struct loader *l, const struct yaml_value *v,
		     struct profile_robustness_ospf *o)
{
	static const char *const keys[] = {"area", "auth",      "password",      "key_id",  "hello",
					   "dead", "router_id", "dut_router_id", "network", NULL};
	struct yaml_value field;
	bool present = false;
	int rc = yaml_mapping(l->doc, v, keys);
	if (rc)
		return rc;
	o->declared = true;
	o->key_id = 1;
	o->hello = 10;
	o->dead = 40;
	rc = load_number(l, v, "key_id", 0, 255, &o->key_id);
	if (!rc)
		rc = load_number(l, v, "hello", 1, 65535, &o->hello);
	if (!rc)
		rc = load_number(l, v, "dead", 1, 65535, &o->dead);
	if (!rc)
		rc = load_dotted(l, v, "area", &o->area);
	if (!rc)
		rc = load_dotted(l, v, "router_id", &o->router_id);
	if (!rc)
		rc = load_dotted(l, v, "dut_router_id", &o->dut_router_id);
	if (!rc)
		rc = load_ospf_network(l, v, &o->broadcast);
	if (!rc)
		rc = yaml_child(l->doc, v, "password", false, &field, &present);
	if (!rc && present)
		rc = yaml_string(l->doc, &field, 0, &o->password);
	o->auth = o->password ? 2 : 0;
	struct yaml_value kind;
	bool auth_present = false;
	if (!rc)
		rc = yaml_child(l->doc, v, "auth", false, &kind, &auth_present);
	if (!rc && auth_present) {
		static const char *const names[] = {"none", "simple", "md5"};
		char *name = NULL;
		rc = yaml_string(l->doc, &kind, 0, &name);
		unsigned found = 3;
		for (unsigned i = 0; !rc && i < 3; i++)
			if (strcmp(name, names[i]) == 0)
				found = i;
		free(name);
		if (!rc && found == 3)
			return yaml_fail(l->doc, kind.at, kind.path,
					 "found an unknown authentication; expected none, simple "
					 "or md5 (RFC 2328 D.4)");
		o->auth = found;
	}
	size_t n = o->password ? strlen(o->password) : 0;
	size_t most = o->auth == 1 ? 8 : 16;
	if (!rc && o->auth != 0 && (n == 0 || n > most))
		return yaml_fail(l->doc, present ? field.at : v->at, present ? field.path : v->path,
				 "found a password of %zu characters for %s authentication; "
				 "expected the DUT's, 1 to %zu characters (RFC 2328 D.4)",
				 n, o->auth == 1 ? "simple" : "md5", most);
	return rc;
}

/* robustness.tls: optional (a mix naming tls without it handshakes on 443, no SNI) */
static int load_robustness_tls(struct loader *l, const struct yaml_value *v,
			       struct profile_robustness_tls *t)
{
	static const char *const keys[] = {"port", "server_name", NULL};
	int rc = yaml_mapping(l->doc, v, keys);
	if (rc)
		return rc;
	t->declared = true;
	t->port = 443;
	rc = load_number(l, v, "port", 1, 65535, &t->port);
	if (!rc)
		rc = load_bounded_string(l, v, "server_name", 255, "server name",
					 "the DUT's host name, 1 to 255 characters (RFC 6066 3)",
					 &t->server_name);
	return rc;
}

/* robustness.rtsp: optional (without it the RTSP session asks for / on 554, no credentials;
 * tls: true makes it RTSPS, on 322 unless port says) */
static int load_robustness_rtsp(struct loader *l, const struct yaml_value *v,
				struct profile_robustness_rtsp *t)
{
	static const char *const keys[] = {"port", "tls", "path", "user", "password", NULL};
	struct yaml_value field;
	bool present = false;
	int rc = yaml_mapping(l->doc, v, keys);
	if (rc)
		return rc;
	t->declared = true;
	rc = yaml_child(l->doc, v, "tls", false, &field, &present);
	if (!rc && present)
		rc = yaml_bool(l->doc, &field, &t->tls);
	present = false;
	t->port = t->tls ? 322 : 554; /* rtsps:// and rtsp:// (RFC 7826 19.2) */
	if (!rc)
		rc = load_number(l, v, "port", 1, 65535, &t->port);
	if (!rc)
		rc = yaml_child(l->doc, v, "path", false, &field, &present);
	if (!rc && present) {
		rc = yaml_string(l->doc, &field, 0, &t->path);
		size_t n = !rc ? strlen(t->path) : 0;
		if (!rc && (n == 0 || n > 255 || t->path[0] != '/' || strpbrk(t->path, " \r\n")))
			return yaml_fail(l->doc, field.at, field.path,
					 "found '%.64s'; expected the stream's path, such as "
					 "/stream (1 to 255 characters, starting with '/', no "
					 "spaces)",
					 t->path);
	}
	if (!rc)
		rc = load_string(l, v, "user", 0, &t->user, NULL);
	if (!rc)
		rc = load_string(l, v, "password", 0, &t->password, NULL);
	if (!rc && (t->user == NULL) != (t->password == NULL))
		return yaml_fail(l->doc, v->at, v->path,
				 "found %s without %s; expected both (the RTSP account) or "
				 "neither",
				 t->user ? "a user" : "a password",
				 t->user ? "a password" : "a user");
	return rc;
}

static int load_monitors(struct loader *l, const struct yaml_value *v, struct profile_robustness *r)
{
	int rc = load_strings(l, v, YAML_NAME, &r->monitors, &r->monitor_count);
	for (size_t i = 0; !rc && i < r->monitor_count; i++) {
		if (health_monitor_find(r->monitors[i]))
			continue;
		const char *names[HEALTH_MONITORS_MAX];
		size_t n = 0;
		for (size_t k = 0; k < health_monitor_count && n < DL_ARRAY_SIZE(names); k++)
			names[n++] = health_monitors[k]->name;
		char known[256];
		yaml_join(known, sizeof(known), names, n, " or ");
		struct yaml_value item;
		yaml_item(l->doc, v, fy_node_sequence_get_by_index(v->node, (int)i), i, &item);
		return yaml_fail(l->doc, item.at, item.path,
				 "found the health monitor '%s'; expected %s", r->monitors[i],
				 known);
	}
	return rc;
}

/* One address, or a list of an IPv4 and an IPv6 one (a flow of each family). */
static int load_flow_destinations(struct loader *l, const struct yaml_value *v,
				  struct profile_robustness *r)
{
	char **list = NULL;
	size_t count = 0;
	int rc;
	if (fy_node_is_sequence(v->node)) {
		rc = load_strings(l, v, 0, &list, &count);
	} else {
		list = calloc(2, sizeof(*list));
		rc = list ? yaml_string(l->doc, v, 0, &list[0]) : yaml_fail_memory(l->doc);
		count = list && list[0] ? 1 : 0;
	}
	int families[2] = {0, 0};
	for (size_t i = 0; !rc && i < count; i++) {
		struct dl_error why;
		struct in6_addr any;
		families[i < 2 ? i : 1] = inet_pton(AF_INET6, list[i], &any) == 1 ? 6 : 4;
		if (scope_permit_text(&l->p->scope, list[i], NULL, &why) != 0)
			rc = yaml_fail(l->doc, v->at, v->path, "%s", why.message);
	}
	if (!rc && (count == 0 || count > 2 || (count == 2 && families[0] == families[1])))
		rc = yaml_fail(l->doc, v->at, v->path,
			       "found %zu addresses%s; expected one address, or a list of an IPv4 "
			       "and an IPv6 one (a flow of each family)",
			       count, count == 2 ? " of one family" : "");
	if (!rc) {
		r->flow_destination = list[0];
		r->flow_destination6 = count == 2 ? list[1] : NULL;
		list[0] = list[1] = NULL;
	}
	for (size_t i = 0; list && i < count; i++)
		free(list[i]);
	free(list);
	return rc;
}

static int load_flow(struct loader *l, const struct yaml_value *v, struct profile_robustness *r)
{
	static const char *const keys[] = {"out_interface", "in_interface", "destination",
					   "next_hop_mac",  "rate",         NULL};
	struct yaml_value field;
	bool present = false;
	int rc = yaml_mapping(l->doc, v, keys);
	if (!rc)
		rc = load_interface(l, v, "out_interface", true, &r->flow_out_interface);
	if (!rc)
		rc = load_interface(l, v, "in_interface", true, &r->flow_in_interface);
	if (!rc)
		rc = yaml_child(l->doc, v, "destination", false, &field, &present);
	if (!rc && present)
		rc = load_flow_destinations(l, &field, r);
	if (!rc)
		rc = load_mac(l, v, "next_hop_mac", &r->flow_next_hop_mac);
	if (!rc)
		rc = load_number(l, v, "rate", 1, 5000, &r->flow_rate);
	return rc;
}

static int load_robustness(struct loader *l, const struct yaml_value *root)
{
	static const char *const keys[] = {"interface",
					   "dut_mac",
					   "duration",
					   "rate",
					   "level",
					   "seed",
					   "mix",
					   "monitors",
					   "monitor_interval",
					   "monitor_timeout",
					   "tcp_port",
					   "syslog_port",
					   "syslog_pattern",
					   "flow",
					   "recovery",
					   "power_cycle",
					   "max_failures",
					   "session_establish",
					   "session_check",
					   "session_links",
					   "bgp",
					   "rip",
					   "ospf",
					   "tls",
					   "rtsp",
					   NULL};
	struct profile_robustness *r = &l->p->robustness;
	struct yaml_value section, field;
	bool present = false;
	int rc = yaml_child(l->doc, root, "robustness", false, &section, &present);
	if (rc || !present)
		return rc;
	r->declared = true;
	rc = yaml_mapping(l->doc, &section, keys);
	if (!rc)
		rc = load_interface(l, &section, "interface", true, &r->interface);
	if (!rc)
		rc = load_mac(l, &section, "dut_mac", &r->dut_mac);
	if (!rc)
		rc = yaml_child(l->doc, &section, "duration", true, &field, NULL);
	if (!rc)
		rc = load_number(l, &section, "duration", 1, 7 * 24 * 3600, &r->duration_seconds);
	r->rate = 1000;
	r->level = 1;
	if (!rc)
		rc = load_number(l, &section, "rate", 1, 10000000, &r->rate);
	if (!rc)
		rc = load_number(l, &section, "level", 1, 8, &r->level);
	if (!rc)
		rc = load_number(l, &section, "seed", 0, INT_MAX, &r->seed);
	if (!rc)
		rc = yaml_child(l->doc, &section, "bgp", false, &field, &present);
	if (!rc && present)
		rc = load_bgp(l, &field, &r->bgp); /* before the mix, which may name bgp */
	if (!rc)
		rc = yaml_child(l->doc, &section, "rip", false, &field, &present);
	if (!rc && present)
		rc = load_rip(l, &field, &r->rip);
	if (!rc)
		rc = yaml_child(l->doc, &section, "ospf", false, &field, &present);
	if (!rc && present)
		rc = load_ospf(l, &field, &r->ospf);
	if (!rc)
		rc = yaml_child(l->doc, &section, "tls", false, &field, &present);
	if (!rc && present)
		rc = load_robustness_tls(l, &field, &r->tls);
	if (!rc)
		rc = yaml_child(l->doc, &section, "rtsp", false, &field, &present);
	if (!rc && present)
		rc = load_robustness_rtsp(l, &field, &r->rtsp);
	if (!rc)
		rc = yaml_child(l->doc, &section, "mix", true, &field, NULL);
	if (!rc)
		rc = load_mix(l, &field, r);
	if (!rc)
		rc = yaml_child(l->doc, &section, "monitors", false, &field, &present);
	if (!rc && present)
		rc = load_monitors(l, &field, r);
	if (!rc)
		rc = load_number(l, &section, "monitor_interval", 50, 60000,
				 &r->monitor_interval_ms);
	if (!rc)
		rc = load_number(l, &section, "monitor_timeout", 50, 60000, &r->monitor_timeout_ms);
	if (!rc)
		rc = load_number(l, &section, "tcp_port", 1, 65535, &r->tcp_port);
	if (!rc)
		rc = load_number(l, &section, "syslog_port", 1, 65535, &r->syslog_port);
	if (!rc)
		rc = yaml_child(l->doc, &section, "syslog_pattern", false, &field, &present);
	if (!rc && present) {
		rc = yaml_string(l->doc, &field, 0, &r->syslog_pattern);
		regex_t re;
		if (!rc && regcomp(&re, r->syslog_pattern, REG_EXTENDED | REG_NOSUB) != 0)
			return yaml_fail(l->doc, field.at, field.path,
					 "found '%.64s', which is not a POSIX extended regular "
					 "expression; expected one that matches the DUT's failure "
					 "lines",
					 r->syslog_pattern);
		if (!rc)
			regfree(&re);
	}
	if (!rc)
		rc = yaml_child(l->doc, &section, "flow", false, &field, &present);
	if (!rc && present)
		rc = load_flow(l, &field, r);
	if (!rc)
		rc = load_number(l, &section, "recovery", 1, 3600, &r->recovery_seconds);
	if (!rc)
		rc = load_number(l, &section, "max_failures", 1, CAMPAIGN_FAILURES_MAX,
				 &r->max_failures);
	if (!rc)
		rc = load_number(l, &section, "session_establish", 1, 3600,
				 &r->session_establish_seconds);
	if (!rc)
		rc = load_number(l, &section, "session_check", 1, 3600, &r->session_check_seconds);
	if (!rc)
		rc = load_number(l, &section, "session_links", 1, PROFILE_SESSION_LINKS_MAX,
				 &r->session_links);
	if (!rc)
		rc = yaml_child(l->doc, &section, "power_cycle", false, &field, &present);
	if (!rc && present) {
		rc = yaml_string(l->doc, &field, YAML_NAME, &r->power_cycle);
		if (!rc && !profile_find_operation(l->p, r->power_cycle))
			return yaml_fail(
				l->doc, field.at, field.path,
				"found the operation '%s', which no exec adapter declares; "
				"expected the name of adapters[].operations entry that "
				"power-cycles the DUT",
				r->power_cycle);
	}
	return rc;
}

static int load_tls(struct loader *l, const struct yaml_value *root)
{
	static const char *const keys[] = {"ca_bundle", "server_names", "identity_keys", NULL};
	struct profile *p = l->p;
	struct yaml_value section, v;
	bool present;
	int rc = yaml_child(l->doc, root, "tls", false, &section, &present);
	if (rc || !present)
		return rc;
	rc = yaml_mapping(l->doc, &section, keys);
	if (!rc)
		rc = yaml_child(l->doc, &section, "ca_bundle", false, &v, &present);
	if (!rc && present)
		rc = load_path(l, &v, &p->tls_ca_bundle);
	if (!rc)
		rc = yaml_child(l->doc, &section, "server_names", false, &v, &present);
	if (!rc && present)
		rc = load_strings(l, &v, 0, &p->tls_server_names, &p->tls_server_name_count);
	if (!rc)
		rc = yaml_child(l->doc, &section, "identity_keys", false, &v, &present);
	if (!rc && present)
		rc = load_strings(l, &v, 0, &p->tls_identity_keys, &p->tls_identity_key_count);
	return rc;
}

static int load_tls_client(struct loader *l, const struct yaml_value *v,
			   struct profile_tls_client *c)
{
	static const char *const keys[] = {"name",       "host",    "port",    "listen", "trigger",
					   "trusted_ca", "carries", "timeout", NULL};
	static const char *const ca_keys[] = {"certificate", "key", NULL};
	struct yaml_value field, ca;
	bool present;
	long number = 0;
	int rc = yaml_mapping(l->doc, v, keys);
	if (!rc)
		rc = yaml_child(l->doc, v, "name", true, &field, NULL);
	if (!rc)
		rc = yaml_string(l->doc, &field, YAML_NAME, &c->name);
	if (!rc)
		rc = yaml_child(l->doc, v, "host", true, &field, NULL);
	if (!rc)
		rc = yaml_string(l->doc, &field, 0, &c->host);
	if (!rc)
		rc = yaml_child(l->doc, v, "port", true, &field, NULL);
	if (!rc)
		rc = yaml_integer(l->doc, &field, 1, 65535, &number);
	if (rc)
		return rc;
	c->port = (uint16_t)number;
	rc = yaml_child(l->doc, v, "listen", true, &field, NULL);
	if (!rc)
		rc = load_address(l, &field, &c->listen_address);
	if (!rc)
		rc = yaml_child(l->doc, v, "trigger", true, &field, NULL);
	if (!rc)
		rc = yaml_string(l->doc, &field, YAML_NAME, &c->trigger);
	if (rc)
		return rc;
	if (!profile_find_operation(l->p, c->trigger))
		return yaml_fail(l->doc, field.at, field.path,
				 "found the trigger '%s', which no adapter declares; expected an "
				 "operation of adapters[].operations that makes the DUT connect",
				 c->trigger);
	rc = yaml_child(l->doc, v, "trusted_ca", true, &ca, NULL);
	if (!rc)
		rc = yaml_mapping(l->doc, &ca, ca_keys);
	if (!rc)
		rc = yaml_child(l->doc, &ca, "certificate", true, &field, NULL);
	if (!rc)
		rc = load_path(l, &field, &c->trusted_ca_certificate);
	if (!rc)
		rc = yaml_child(l->doc, &ca, "key", true, &field, NULL);
	if (!rc)
		rc = load_path(l, &field, &c->trusted_ca_key);
	if (!rc)
		rc = yaml_child(l->doc, v, "carries", true, &field, NULL);
	if (!rc)
		rc = load_strings(l, &field, 0, &c->carries, &c->carries_count);
	if (rc)
		return rc;
	for (size_t i = 0; i < c->carries_count; i++) {
		bool known = false;
		for (size_t k = 0; k < DL_ARRAY_SIZE(carried_kinds); k++)
			known = known || strcmp(c->carries[i], carried_kinds[k]) == 0;
		if (!known)
			return yaml_fail(l->doc, field.at, field.path,
					 "found '%.64s'; expected sensitive, privacy or update",
					 c->carries[i]);
	}
	number = PROFILE_TLS_CLIENT_TIMEOUT_DEFAULT;
	rc = yaml_child(l->doc, v, "timeout", false, &field, &present);
	if (!rc && present)
		rc = yaml_integer(l->doc, &field, 1, PROFILE_TIMEOUT_MAX, &number);
	c->timeout_seconds = (unsigned)number;
	return rc;
}

static int load_tls_clients(struct loader *l, const struct yaml_value *root)
{
	struct profile *p = l->p;
	struct yaml_value section, v;
	bool present;
	int rc = yaml_child(l->doc, root, "tls_clients", false, &section, &present);
	if (rc || !present)
		return rc;
	rc = yaml_sequence(l->doc, &section, false);
	if (rc)
		return rc;
	p->tls_clients = calloc(yaml_count(section.node) + 1, sizeof(*p->tls_clients));
	if (!p->tls_clients)
		return yaml_fail_memory(l->doc);
	void *iterator = NULL;
	struct fy_node *node;
	while ((node = fy_node_sequence_iterate(section.node, &iterator)) != NULL) {
		yaml_item(l->doc, &section, node, p->tls_client_count, &v);
		rc = load_tls_client(l, &v, &p->tls_clients[p->tls_client_count++]);
		if (rc)
			return rc;
		const struct profile_tls_client *c = &p->tls_clients[p->tls_client_count - 1];
		for (size_t i = 0; i + 1 < p->tls_client_count; i++)
			if (strcmp(p->tls_clients[i].name, c->name) == 0)
				return yaml_fail(l->doc, v.at, v.path,
						 "found the name '%s' a second time; expected each "
						 "client channel once",
						 c->name);
	}
	return 0;
}

static int load_unit(struct loader *l, const struct yaml_value *v, struct profile_unit *u)
{
	static const char *const keys[] = {"serial", "addresses", "factory_password", NULL};
	struct yaml_value field, item;
	bool present = false;
	int rc = yaml_mapping(l->doc, v, keys);
	if (!rc)
		rc = yaml_child(l->doc, v, "serial", true, &field, NULL);
	if (!rc)
		rc = yaml_string(l->doc, &field, 0, &u->serial);
	if (!rc)
		rc = yaml_child(l->doc, v, "addresses", true, &field, NULL);
	if (!rc)
		rc = yaml_sequence(l->doc, &field, true);
	if (rc)
		return rc;
	u->addresses = calloc(yaml_count(field.node), sizeof(*u->addresses));
	if (!u->addresses)
		return yaml_fail_memory(l->doc);
	void *iterator = NULL;
	struct fy_node *node;
	while ((node = fy_node_sequence_iterate(field.node, &iterator)) != NULL) {
		yaml_item(l->doc, &field, node, u->address_count, &item);
		rc = load_address(l, &item, &u->addresses[u->address_count++]);
		if (rc)
			return rc;
	}
	rc = yaml_child(l->doc, v, "factory_password", false, &field, &present);
	if (!rc && present)
		rc = yaml_string(l->doc, &field, 0, &u->factory_password);
	return rc;
}

static int load_units(struct loader *l, const struct yaml_value *root)
{
	struct profile *p = l->p;
	struct yaml_value section, v;
	bool present;
	int rc = yaml_child(l->doc, root, "units", false, &section, &present);
	if (rc || !present)
		return rc;
	rc = yaml_sequence(l->doc, &section, false);
	if (rc)
		return rc;
	p->units = calloc(yaml_count(section.node) + 1, sizeof(*p->units));
	if (!p->units)
		return yaml_fail_memory(l->doc);
	void *iterator = NULL;
	struct fy_node *node;
	while ((node = fy_node_sequence_iterate(section.node, &iterator)) != NULL) {
		yaml_item(l->doc, &section, node, p->unit_count, &v);
		rc = load_unit(l, &v, &p->units[p->unit_count++]);
		if (rc)
			return rc;
	}
	return 0;
}

static int load_report(struct loader *l, const struct yaml_value *root)
{
	struct profile *p = l->p;
	struct yaml_value section, v;
	bool present;
	int rc = yaml_child(l->doc, root, "report", false, &section, &present);
	if (rc || !present)
		return rc;
	rc = yaml_mapping(l->doc, &section, NULL);
	if (rc)
		return rc;
	p->report_fields = calloc(yaml_count(section.node) + 1, sizeof(*p->report_fields));
	if (!p->report_fields)
		return yaml_fail_memory(l->doc);
	void *iterator = NULL;
	struct fy_node_pair *pair;
	while ((pair = fy_node_mapping_iterate(section.node, &iterator)) != NULL) {
		struct profile_report_field *f = &p->report_fields[p->report_field_count++];
		rc = yaml_entry(l->doc, &section, pair, &f->name, &v);
		if (!rc)
			rc = yaml_string(l->doc, &v, YAML_MAY_BE_EMPTY, &f->value);
		if (rc)
			return rc;
	}
	return 0;
}

static int load_document(struct loader *l, struct fy_node *root_node)
{
	static const char *const keys[] = {
		"dutlab_profile", "identity",    "targets",  "scope",     "dut",        "services",
		"capabilities",   "credentials", "adapters", "artifacts", "report",     "tls",
		"tls_clients",    "units",       "roles",    "auth",      "robustness", NULL};
	struct yaml_value root = {.node = root_node, .at = {1, 1}, .path = ""};
	root.at = yaml_pos(l->doc, root_node, root.at);
	if (yaml_is_null(root_node))
		return yaml_fail(l->doc, root.at, NULL,
				 "found an empty document; expected a profile mapping that starts "
				 "with 'dutlab_profile: %d'",
				 PROFILE_FORMAT_VERSION);
	if (!fy_node_is_mapping(root_node)) {
		char found[256];
		return yaml_fail(l->doc, root.at, NULL,
				 "found %s at the top; expected a profile mapping that starts with "
				 "'dutlab_profile: %d'",
				 yaml_describe(root_node, found, sizeof(found)),
				 PROFILE_FORMAT_VERSION);
	}
	/* The version first: a newer format gets "wrong version", not "unknown key". */
	int rc = load_version(l, &root);
	if (!rc)
		rc = yaml_mapping(l->doc, &root, keys);
	if (!rc)
		rc = load_identity(l, &root);
	if (!rc)
		rc = load_targets(l, &root);
	if (!rc)
		rc = load_scope(l, &root);
	if (!rc)
		rc = load_dut(l, &root);
	if (!rc)
		rc = load_services(l, &root);
	if (!rc)
		rc = load_capabilities(l, &root);
	if (!rc)
		rc = load_credentials(l, &root);
	if (!rc)
		rc = load_adapters(l, &root);
	if (!rc)
		rc = load_roles(l, &root); /* after credentials and adapters: names them */
	if (!rc)
		rc = load_auth(l, &root);
	if (!rc)
		rc = load_artifacts(l, &root);
	if (!rc)
		rc = load_report(l, &root);
	if (!rc)
		rc = load_tls(l, &root);
	if (!rc)
		rc = load_tls_clients(l, &root); /* after adapters: a trigger names an operation */
	if (!rc)
		rc = load_units(l, &root);
	if (!rc)
		rc = load_robustness(l, &root); /* after adapters: power_cycle names an operation */
	return rc;
}

int profile_load_document(struct yaml_doc *doc, struct profile *p, struct fy_node *root_node)
{
	struct loader loader = {.doc = doc, .p = p};
	return load_document(&loader, root_node);
}
