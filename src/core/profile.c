/* profile: the DUT profile's entry point: read the file into struct profile, look things up */
#include "core/compat.h"

#include <fcntl.h>
#include <libfyaml.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/error.h"
#include "core/profile-load.h"
#include "core/profile.h"
#include "core/yaml.h"
#include "net/scope.h"

/* Ceilings: a profile is a page of hand-written YAML; anything far larger
 * is a mistake or an attack on the parser. */
#define PROFILE_FILE_MAX (256 * 1024)
#define PROFILE_MARKS_MAX (PROFILE_FILE_MAX + 16) /* every node takes at least one byte */

static const struct {
	enum product_type type;
	const char *name;
} product_types[] = {
	{PRODUCT_CAMERA, "camera"},
	{PRODUCT_RECORDER, "recorder"},
	{PRODUCT_STORAGE, "storage"},
	{PRODUCT_READER, "reader"},
	{PRODUCT_CONTROLLER, "controller"},
	{PRODUCT_PLATFORM, "platform"},
	{PRODUCT_LOCK, "lock"},
	{PRODUCT_FIREWALL, "firewall"},
	{PRODUCT_SWITCH, "switch"},
	{PRODUCT_ROUTER, "router"},
};

enum product_type product_type_from_name(const char *name)
{
	if (!name)
		return PRODUCT_UNKNOWN;
	for (size_t i = 0; i < DL_ARRAY_SIZE(product_types); i++)
		if (strcmp(product_types[i].name, name) == 0)
			return product_types[i].type;
	return PRODUCT_UNKNOWN;
}

const char *product_type_name(enum product_type type)
{
	for (size_t i = 0; i < DL_ARRAY_SIZE(product_types); i++)
		if (product_types[i].type == type)
			return product_types[i].name;
	return "unknown";
}

/* ---- reading the file --------------------------------------------------- */

static int read_file(struct yaml_doc *doc, char **out, size_t *length)
{
	/* O_NONBLOCK: a FIFO given as the profile must not hang the open. */
	int fd = open(doc->file, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return dl_error_set(doc->err, errno == ENOENT ? DL_ENOTFOUND : DL_EIO,
				    "%s: cannot open the profile: %s; check the path", doc->file,
				    strerror(errno));
	struct stat st;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return dl_error_set(doc->err, DL_EINVAL,
				    "%s: not a regular file; expected a YAML profile file",
				    doc->file);
	}
	char *buffer = malloc(PROFILE_FILE_MAX + 1);
	if (!buffer) {
		close(fd);
		return yaml_fail_memory(doc);
	}
	size_t used = 0;
	/* Reads are bounded by the buffer: at most PROFILE_FILE_MAX + 1 bytes. */
	while (used < PROFILE_FILE_MAX + 1) {
		ssize_t n = read(fd, buffer + used, PROFILE_FILE_MAX + 1 - used);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int saved = errno;
			close(fd);
			free(buffer);
			return dl_error_set(doc->err, DL_EIO, "%s: cannot read the profile: %s",
					    doc->file, strerror(saved));
		}
		if (n == 0)
			break;
		used += (size_t)n;
	}
	close(fd);
	if (used > PROFILE_FILE_MAX) {
		free(buffer);
		return yaml_fail(doc, (struct yaml_pos){1, 1}, NULL,
				 "found a file larger than %d bytes; expected a profile of at most "
				 "%d KiB",
				 PROFILE_FILE_MAX, PROFILE_FILE_MAX / 1024);
	}
	buffer[used] = '\0';
	*out = buffer;
	*length = used;
	return 0;
}

int profile_load(struct profile *out, const char *path, struct dl_error *err)
{
	memset(out, 0, sizeof(*out));
	if (!path || !*path)
		return dl_error_set(err, DL_EINVAL, "no profile path given; expected a YAML file");
	struct yaml_doc doc = {
		.file = path, .what = "profile", .err = err, .marks_max = PROFILE_MARKS_MAX};
	char *text = NULL;
	int rc = read_file(&doc, &text, &doc.length);
	if (rc)
		return rc;
	doc.text = text;
	out->path = strdup(path);
	if (!out->path)
		rc = yaml_fail_memory(&doc);
	out->scope.origin = out->path;
	if (!rc)
		rc = yaml_check_text(&doc);
	if (!rc && doc.length == 0)
		rc = yaml_fail(&doc, (struct yaml_pos){1, 1}, NULL,
			       "found an empty file; expected a profile mapping that starts with "
			       "'dutlab_profile: %d'",
			       PROFILE_FORMAT_VERSION);
	if (!rc)
		rc = yaml_scan(&doc);
	if (!rc && doc.second_document.line > 0)
		rc = yaml_fail(
			&doc, doc.second_document, NULL,
			"found a second YAML document; expected exactly one profile per file");
	if (!rc)
		rc = yaml_parse(&doc);
	if (!rc && !doc.document)
		rc = yaml_fail(
			&doc, (struct yaml_pos){1, 1}, NULL,
			"found no YAML document; expected a profile mapping that starts with "
			"'dutlab_profile: %d'",
			PROFILE_FORMAT_VERSION);
	if (!rc)
		rc = profile_load_document(&doc, out, fy_document_root(doc.document));
	yaml_release(&doc);
	free(text);
	if (rc)
		profile_release(out);
	return rc;
}

static void free_strings(char **strings, size_t count)
{
	for (size_t i = 0; strings && i < count; i++)
		free(strings[i]);
	free(strings);
}

void profile_release(struct profile *p)
{
	if (!p)
		return;
	free(p->path);
	free(p->vendor);
	free(p->model);
	free(p->firmware);
	free(p->serial);
	free(p->product_type_text);
	for (size_t i = 0; p->targets && i < p->target_count; i++)
		free(p->targets[i].standard);
	free(p->targets);
	scope_release(&p->scope);
	free_strings(p->addresses, p->address_count);
	for (size_t i = 0; p->services && i < p->service_count; i++) {
		free(p->services[i].proto);
		free(p->services[i].name);
		free_strings(p->services[i].discloses, p->services[i].discloses_count);
	}
	free(p->services);
	for (size_t i = 0; p->credentials && i < p->credential_count; i++) {
		free(p->credentials[i].role);
		free(p->credentials[i].username);
		free(p->credentials[i].password);
	}
	free(p->credentials);
	for (size_t i = 0; p->adapters && i < p->adapter_count; i++) {
		struct profile_adapter *a = &p->adapters[i];
		free(a->name);
		free(a->driver);
		for (size_t j = 0; a->operations && j < a->operation_count; j++) {
			free(a->operations[j].name);
			free(a->operations[j].command);
		}
		free(a->operations);
		free(a->service_proto);
		for (size_t j = 0; a->options && j < a->option_count; j++) {
			free(a->options[j].name);
			free(a->options[j].value);
		}
		free(a->options);
		for (size_t j = 0; a->actions && j < a->action_count; j++) {
			free(a->actions[j].name);
			free(a->actions[j].request);
		}
		free(a->actions);
	}
	free(p->adapters);
	for (size_t i = 0; p->roles && i < p->role_count; i++) {
		free(p->roles[i].name);
		free(p->roles[i].credential);
		free_strings(p->roles[i].may, p->roles[i].may_count);
	}
	free(p->roles);
	free(p->auth.test_credential);
	free(p->auth.password_warning);
	free(p->auth.password_policy_reference);
	struct profile_robustness *r = &p->robustness;
	for (size_t i = 0; i < r->mix_count; i++)
		free(r->mix[i].protocol);
	free(r->mix);
	for (size_t i = 0; i < r->monitor_count; i++)
		free(r->monitors[i]);
	free(r->monitors);
	free(r->interface);
	free(r->dut_mac);
	free(r->syslog_pattern);
	free(r->flow_out_interface);
	free(r->flow_in_interface);
	free(r->flow_destination);
	free(r->flow_destination6);
	free(r->flow_next_hop_mac);
	free(r->power_cycle);
	free(r->bgp.password);
	free_strings(r->bgp.expect_routes, r->bgp.expect_route_count);
	free_strings(r->bgp.sources, r->bgp.source_count);
	free(r->rip.password);
	free(r->ospf.area);
	free(r->ospf.password);
	free(r->ospf.router_id);
	free(r->ospf.dut_router_id);
	free(r->tls.server_name);
	free(r->rtsp.path);
	free(r->rtsp.user);
	free(r->rtsp.password);
	for (size_t i = 0; p->artifacts && i < p->artifact_count; i++) {
		free(p->artifacts[i].name);
		free(p->artifacts[i].path);
	}
	free(p->artifacts);
	for (size_t i = 0; p->capabilities && i < p->capability_count; i++)
		free(p->capabilities[i].name);
	free(p->capabilities);
	for (size_t i = 0; p->report_fields && i < p->report_field_count; i++) {
		free(p->report_fields[i].name);
		free(p->report_fields[i].value);
	}
	free(p->report_fields);
	free(p->tls_ca_bundle);
	free_strings(p->tls_server_names, p->tls_server_name_count);
	free_strings(p->tls_identity_keys, p->tls_identity_key_count);
	for (size_t i = 0; i < p->tls_client_count; i++) {
		struct profile_tls_client *c = &p->tls_clients[i];
		free(c->name);
		free(c->host);
		free(c->listen_address);
		free(c->trigger);
		free(c->trusted_ca_certificate);
		free(c->trusted_ca_key);
		free_strings(c->carries, c->carries_count);
	}
	free(p->tls_clients);
	for (size_t i = 0; i < p->unit_count; i++) {
		free(p->units[i].serial);
		free(p->units[i].factory_password);
		free_strings(p->units[i].addresses, p->units[i].address_count);
	}
	free(p->units);
	memset(p, 0, sizeof(*p));
}

/* ---- lookups ------------------------------------------------------------ */

const struct profile_service *profile_find_service(const struct profile *p, const char *proto,
						   uint16_t port)
{
	for (size_t i = 0; p && proto && i < p->service_count; i++)
		if (p->services[i].port == port && strcmp(p->services[i].proto, proto) == 0)
			return &p->services[i];
	return NULL;
}

const struct profile_credential *profile_find_credential(const struct profile *p, const char *role)
{
	for (size_t i = 0; p && role && i < p->credential_count; i++)
		if (strcmp(p->credentials[i].role, role) == 0)
			return &p->credentials[i];
	return NULL;
}

const struct profile_operation *profile_find_operation(const struct profile *p, const char *name)
{
	for (size_t i = 0; p && name && i < p->adapter_count; i++)
		for (size_t j = 0; j < p->adapters[i].operation_count; j++)
			if (strcmp(p->adapters[i].operations[j].name, name) == 0)
				return &p->adapters[i].operations[j];
	return NULL;
}

const char *profile_find_artifact(const struct profile *p, const char *name)
{
	for (size_t i = 0; p && name && i < p->artifact_count; i++)
		if (strcmp(p->artifacts[i].name, name) == 0)
			return p->artifacts[i].path;
	return NULL;
}

bool profile_tls_client_carries(const struct profile_tls_client *c, const char *kind)
{
	for (size_t i = 0; i < c->carries_count; i++)
		if (strcmp(c->carries[i], kind) == 0)
			return true;
	return false;
}

int profile_capability(const struct profile *p, const char *name)
{
	for (size_t i = 0; p && name && i < p->capability_count; i++)
		if (strcmp(p->capabilities[i].name, name) == 0)
			return p->capabilities[i].value ? 1 : 0;
	return -1;
}

const struct profile_target *profile_find_target(const struct profile *p, const char *standard)
{
	for (size_t i = 0; p && standard && i < p->target_count; i++)
		if (strcmp(p->targets[i].standard, standard) == 0)
			return &p->targets[i];
	return NULL;
}

const char *profile_adapter_option(const struct profile_adapter *a, const char *name)
{
	for (size_t i = 0; a && name && i < a->option_count; i++)
		if (strcmp(a->options[i].name, name) == 0)
			return a->options[i].value;
	return NULL;
}

const struct profile_action *profile_adapter_action(const struct profile_adapter *a,
						    const char *name)
{
	for (size_t i = 0; a && name && i < a->action_count; i++)
		if (strcmp(a->actions[i].name, name) == 0)
			return &a->actions[i];
	return NULL;
}

bool profile_adapter_is_login(const struct profile_adapter *a)
{
	return a && a->driver && strcmp(a->driver, "exec") != 0;
}
