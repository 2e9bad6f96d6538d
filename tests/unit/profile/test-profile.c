/* test-profile: the example profiles load, every broken profile is refused with file:line:column,
 * and the lookups answer */
#include "core/compat.h"

#include <dirent.h>
#include <json-c/json.h>
#include <setjmp.h>
#include <cmocka.h>
#include <unistd.h>

#include "core/error.h"
#include "core/profile-json.h"
#include "core/profile.h"
#include "net/scope.h"

#define EXAMPLES TEST_SOURCE_DIR "/profiles/examples"
#define BAD TEST_SOURCE_DIR "/tests/unit/profile/bad"

static const char *const all_types[] = {"camera",   "recorder", "storage",  "reader", "controller",
					"platform", "lock",     "firewall", "switch", "router"};

/* A profile written to a temporary file; *path receives its name. */
static void write_temp(const char *text, size_t length, char *path, size_t size)
{
	snprintf(path, size, "/tmp/dutlab-test-profile-XXXXXX");
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	size_t done = 0;
	while (done < length) {
		ssize_t n = write(fd, text + done, length - done);
		assert_true(n > 0);
		done += (size_t)n;
	}
	assert_int_equal(close(fd), 0);
}

/* Load text as a profile from a temporary file; returns profile_load's code. */
static int load_text(const char *text, struct profile *p, struct dl_error *err, char *path,
		     size_t size)
{
	write_temp(text, strlen(text), path, size);
	int rc = profile_load(p, path, err);
	unlink(path);
	return rc;
}

static const char good[] = "dutlab_profile: 1\n"
			   "identity: {vendor: Acme, model: M, firmware: '1', product_type: lock}\n"
			   "targets: [{standard: iot-1006-1, level: 1}]\n"
			   "scope:\n"
			   "  networks: [198.18.7.0/24, 'fd00:198:0:7::/64']\n"
			   "dut:\n"
			   "  addresses: [%s]\n";

static int load_with_address(const char *address, struct profile *p, struct dl_error *err)
{
	char text[1024], path[64];
	snprintf(text, sizeof(text), good, address);
	return load_text(text, p, err, path, sizeof(path));
}

static void test_examples_load(void **state)
{
	(void)state;
	DIR *dir = opendir(EXAMPLES);
	assert_non_null(dir);
	struct dirent *d;
	unsigned seen = 0, files = 0;
	while ((d = readdir(dir)) != NULL) {
		size_t length = strlen(d->d_name);
		if (length < 6 || strcmp(d->d_name + length - 5, ".yaml") != 0)
			continue;
		char path[512], type[64];
		struct profile p;
		struct dl_error err = {0};
		snprintf(path, sizeof(path), "%s/%s", EXAMPLES, d->d_name);
		int rc = profile_load(&p, path, &err);
		if (rc)
			print_error("%s\n", err.message);
		assert_int_equal(rc, 0);
		/* profiles/examples/<type>.yaml describes a <type>. */
		snprintf(type, sizeof(type), "%.*s", (int)(length - 5), d->d_name);
		assert_string_equal(product_type_name(p.product_type), type);
		assert_string_equal(p.product_type_text, type);
		assert_true(p.target_count >= 1);
		assert_true(p.scope.network_count >= 1);
		assert_true(p.address_count >= 1);
		/* Examples use only the lab ranges 198.18.0.0/15 and fd00:198::/48. */
		struct scope lab = {0};
		assert_int_equal(scope_add_network(&lab, "198.18.0.0/15", NULL), 0);
		assert_int_equal(scope_add_network(&lab, "fd00:198::/48", NULL), 0);
		for (size_t i = 0; i < p.scope.network_count; i++) {
			const struct scope_network *n = &p.scope.networks[i];
			bool inside = false;
			for (size_t j = 0; j < lab.network_count; j++)
				inside = inside ||
					 (scope_contains(&lab.networks[j], n->family, n->address) &&
					  n->prefix_length >= lab.networks[j].prefix_length);
			assert_true(inside);
		}
		scope_release(&lab);
		seen |= p.product_type;
		files++;
		profile_release(&p);
		assert_null(p.path);
	}
	closedir(dir);
	assert_int_equal(files, DL_ARRAY_SIZE(all_types));
	assert_int_equal(seen, (1u << DL_ARRAY_SIZE(all_types)) - 1);
}

struct bad_case {
	const char *file;
	const char *line_column; /* "LINE:COLUMN" */
	const char *phrase;
};

static const struct bad_case bad_cases[] = {
	{"syntax.yaml", "5:17", "invalid YAML (invalid nested block mapping"},
	{"tab-indent.yaml", "5:2", "invalid YAML (invalid tab"},
	{"duplicate-key.yaml", "6:3", "already set in this mapping"},
	{"wrong-type.yaml", "3:11", "identity: found a list; expected a mapping"},
	{"unknown-key.yaml", "15:1", "unknown key 'servics'; expected one of: dutlab_profile,"},
	{"bad-cidr.yaml", "11:29", "scope.networks[1]: found 'fd00:198:0:1::/129'"},
	{"mapped-network.yaml", "11:29", "IPv4-mapped network"},
	{"outside-scope.yaml", "14:27", "found fd00:198:0:2::2, which is outside scope.networks"},
	{"address-network.yaml", "14:15", "an address, not a network"},
	{"bad-port.yaml", "16:24",
	 "services[0].port: found '70000'; expected an integer from 1 to "
	 "65535"},
	{"duplicate-service.yaml", "17:5", "found tcp/443 a second time"},
	{"unknown-product-type.yaml", "7:17", "found 'toaster'; expected one of camera,"},
	{"missing-level.yaml", "9:5", "targets[0]: found no 'level'"},
	{"ncc-level.yaml", "9:35", "ncc-ci-ict has no levels"},
	{"bad-interface.yaml", "12:16", "scope.interfaces[0]: found 'tester-interface-0'"},
	{"huge-string.yaml", "4:11", "found a string of 5000 bytes; expected at most 4096"},
	{"empty.yaml", "1:1", "found an empty file"},
	{"binary.bin", "2:1", "is this a binary file?"},
	{"unknown-driver.yaml", "22:13", "found the driver 'http'; expected exec"},
	{"bad-placeholder.yaml", "24:25", "found the placeholder '{adress}'"},
	{"version.yaml", "2:17", "found format version 2; expected 1"},
	{"second-document.yaml", "25:1", "found a second YAML document"},
	{"alias.yaml", "5:11", "found the alias *v"},
	{"missing-key.yaml", "4:3", "identity: found no 'firmware'"},
	{"bad-bool.yaml", "21:9", "capabilities.wifi: found 'yes'; expected true or false"},
	{"bad-timeout.yaml", "24:60", "found '0'; expected an integer from 1 to 86400"},
	{"empty-value.yaml", "4:3", "identity.vendor: found nothing; expected a string"},
	{"unknown-trigger.yaml", "30:14", "found the trigger 'check_updates', which no adapter"},
	{"listen-outside-scope.yaml", "29:13", "found 198.18.7.1, which is outside scope.networks"},
	{"unknown-carries.yaml", "32:14", "found 'secrets'; expected sensitive, privacy or update"},
	{"root-list.yaml", "2:1", "found a list at the top"},
	{"login-unknown-option.yaml", "26:17",
	 "adapters[0].options.login_ur: found an option the http-basic driver does not know; "
	 "expected one of tls, timeout, login_url,"},
	{"login-missing-url.yaml", "21:5", "adapters[0]: options.login_url: found nothing;"},
	{"login-no-port.yaml", "21:5", "adapters[0]: found no 'port'"},
	{"login-bad-regex.yaml", "28:22",
	 "adapters[0].options.failure_match: found '[invalid', which does not compile"},
	{"login-bad-action.yaml", "26:19",
	 "adapters[0].actions.list_users: found 'users please'; expected \"METHOD /path"},
	{"exec-with-port.yaml", "23:11", "found 'port' in an exec adapter"},
	{"role-unknown-credential.yaml", "29:32",
	 "roles[1].credential: found the credential 'viewer', which credentials[] does not"},
	{"role-unknown-action.yaml", "28:56",
	 "roles[0].may[1]: found the action 'delete_users', which no login adapter"},
	{"auth-admin-test.yaml", "28:20", "auth.test_credential: found 'admin'; expected a test"},
	{"auth-unknown-test.yaml", "28:20", "found the credential 'test', which credentials[]"},
	{"auth-bad-warning.yaml", "29:57",
	 "auth.password_policy.warning: found 'weak(password', which is not a POSIX"},
	{"auth-bad-classes.yaml", "28:45",
	 "auth.password_policy.classes: found '5'; expected an integer from 1 to 4"},
};

static void test_bad_profiles(void **state)
{
	(void)state;
	for (size_t i = 0; i < DL_ARRAY_SIZE(bad_cases); i++) {
		const struct bad_case *c = &bad_cases[i];
		char path[512], prefix[600];
		struct profile p;
		struct dl_error err = {0};
		snprintf(path, sizeof(path), "%s/%s", BAD, c->file);
		snprintf(prefix, sizeof(prefix), "%s:%s: ", path, c->line_column);
		int rc = profile_load(&p, path, &err);
		if (rc != DL_EINVAL || strncmp(err.message, prefix, strlen(prefix)) != 0 ||
		    !strstr(err.message, c->phrase))
			print_error("%s: got %d '%s'; expected prefix '%s' and '%s'\n", c->file, rc,
				    err.message, prefix, c->phrase);
		assert_int_equal(rc, DL_EINVAL);
		assert_int_equal(err.code, DL_EINVAL);
		assert_true(strncmp(err.message, prefix, strlen(prefix)) == 0);
		assert_non_null(strstr(err.message, c->phrase));
		/* A failed load leaves nothing to free. */
		assert_null(p.path);
		assert_null(p.vendor);
		assert_int_equal(p.scope.network_count, 0);
	}
}

/* Generated inputs that would be silly as files: too big, too deep, too many. */
static void test_limits(void **state)
{
	(void)state;
	struct profile p;
	struct dl_error err = {0};
	char path[64];

	/* A file over 256 KiB. */
	size_t size = 300 * 1024;
	char *big = malloc(size + 1);
	assert_non_null(big);
	memset(big, '#', size);
	big[size] = '\0';
	assert_int_equal(load_text(big, &p, &err, path, sizeof(path)), DL_EINVAL);
	assert_non_null(strstr(err.message, ":1:1: found a file larger than"));

	/* Nesting far deeper than libfyaml's limit. */
	size_t depth = 5000, used = 0;
	used += (size_t)snprintf(big + used, size - used, "dutlab_profile: 1\nreport: ");
	for (size_t i = 0; i < depth; i++)
		big[used++] = '[';
	for (size_t i = 0; i < depth; i++)
		big[used++] = ']';
	big[used] = '\0';
	assert_int_equal(load_text(big, &p, &err, path, sizeof(path)), DL_EINVAL);
	assert_non_null(strstr(err.message, ":2:"));

	/* More than 1024 services. */
	snprintf(big, size, good, "198.18.7.2");
	used = strlen(big);
	used += (size_t)snprintf(big + used, size - used, "services:\n");
	for (unsigned port = 1; port <= 1100; port++)
		used += (size_t)snprintf(big + used, size - used,
					 "  - {proto: tcp, port: %u, name: s%u}\n", port, port);
	assert_int_equal(load_text(big, &p, &err, path, sizeof(path)), DL_EINVAL);
	assert_non_null(strstr(err.message, "services: found 1100 items; expected at most 1024"));

	/* A NUL written as an escape inside a string. */
	snprintf(big, size, good, "198.18.7.2");
	used = strlen(big);
	snprintf(big + used, size - used, "report: {applicant: \"Acme\\0Ltd\"}\n");
	assert_int_equal(load_text(big, &p, &err, path, sizeof(path)), DL_EINVAL);
	assert_non_null(strstr(err.message, "report.applicant: found a NUL character"));
	free(big);

	/* A missing file is not "bad input" but says which file. */
	assert_int_equal(profile_load(&p, BAD "/no-such-profile.yaml", &err), DL_ENOTFOUND);
	assert_non_null(strstr(err.message, "no-such-profile.yaml: cannot open"));
	/* A folder is not a profile. */
	assert_int_equal(profile_load(&p, BAD, &err), DL_EINVAL);
	assert_non_null(strstr(err.message, "not a regular file"));
}

/* Every prefix of a valid profile either loads or is refused with a
 * position: truncation exercises every parser state without a crash. */
static void test_truncations(void **state)
{
	(void)state;
	FILE *f = fopen(EXAMPLES "/camera.yaml", "rb");
	assert_non_null(f);
	char text[8192];
	size_t length = fread(text, 1, sizeof(text), f);
	fclose(f);
	assert_true(length > 100 && length < sizeof(text));
	unsigned loaded = 0;
	for (size_t cut = 0; cut <= length; cut++) {
		char path[64], prefix[80];
		struct profile p;
		struct dl_error err = {0};
		write_temp(text, cut, path, sizeof(path));
		int rc = profile_load(&p, path, &err);
		unlink(path);
		if (rc == 0) {
			loaded++;
			profile_release(&p);
			continue;
		}
		assert_int_equal(rc, DL_EINVAL);
		snprintf(prefix, sizeof(prefix), "%s:", path);
		assert_true(strncmp(err.message, prefix, strlen(prefix)) == 0);
		/* "FILE:LINE:COLUMN: " with numbers */
		const char *rest = err.message + strlen(prefix);
		assert_true(*rest >= '1' && *rest <= '9');
	}
	/* The whole file loads, and so do cuts inside the trailing report fields. */
	assert_true(loaded >= 1);
}

static void test_addresses(void **state)
{
	(void)state;
	struct profile p;
	struct dl_error err = {0};

	assert_int_equal(load_with_address("'fd00:198:0:7::2'", &p, &err), 0);
	assert_string_equal(p.addresses[0], "fd00:198:0:7::2");
	profile_release(&p);

	/* A v4-mapped address is judged, and kept, as the IPv4 address it carries. */
	assert_int_equal(load_with_address("'::ffff:198.18.7.9'", &p, &err), 0);
	assert_string_equal(p.addresses[0], "198.18.7.9");
	profile_release(&p);
	assert_int_equal(load_with_address("'::ffff:198.18.8.9'", &p, &err), DL_EINVAL);
	assert_non_null(strstr(err.message, "found 198.18.8.9, which is outside scope.networks"));

	/* IPv6 outside the /64, IPv4 outside the /24. */
	assert_int_equal(load_with_address("'fd00:198:0:8::2'", &p, &err), DL_EINVAL);
	assert_non_null(strstr(err.message, ":7:15: dut.addresses[0]: found fd00:198:0:8::2"));
	assert_int_equal(load_with_address("198.18.6.255", &p, &err), DL_EINVAL);
	assert_non_null(
		strstr(err.message, "outside scope.networks (198.18.7.0/24, fd00:198:0:7::/64)"));

	/* A scope as wide as the Internet is refused. */
	char text[1024], path[64];
	snprintf(text, sizeof(text), good, "198.18.7.2");
	char *wide = strstr(text, "198.18.7.0/24");
	assert_non_null(wide);
	memcpy(wide, "0.0.0.0/0    ", 13);
	assert_int_equal(load_text(text, &p, &err, path, sizeof(path)), DL_EINVAL);
	assert_non_null(strstr(err.message, ":5:14: scope.networks[0]: found '0.0.0.0/0', which "
					    "is wider than any DUT's network"));

	/* Not addresses at all. */
	assert_int_equal(load_with_address("198.18.7", &p, &err), DL_EINVAL);
	assert_non_null(strstr(err.message, "expected one IPv4 or IPv6 address"));
	assert_int_equal(load_with_address("'fd00:198:0:7::2/128'", &p, &err), DL_EINVAL);
	assert_non_null(strstr(err.message, "an address, not a network"));
	assert_int_equal(load_with_address("[198.18.7.2]", &p, &err), DL_EINVAL);
	assert_non_null(strstr(err.message, "dut.addresses[0]: found a list; expected a string"));

	/* The same address twice, once written as v4-mapped. */
	assert_int_equal(load_with_address("198.18.7.2, '::ffff:198.18.7.2'", &p, &err), DL_EINVAL);
	assert_non_null(strstr(err.message, "found 198.18.7.2 a second time"));
}

static void test_lookups(void **state)
{
	(void)state;
	struct profile p;
	struct dl_error err = {0};
	assert_int_equal(profile_load(&p, EXAMPLES "/camera.yaml", &err), 0);

	assert_string_equal(p.vendor, "Acme");
	assert_string_equal(p.model, "CAM-100");
	assert_string_equal(p.firmware, "1.2.3");
	assert_string_equal(p.serial, "SN0001");
	assert_int_equal(p.product_type, PRODUCT_CAMERA);

	const struct profile_service *s = profile_find_service(&p, "tcp", 22);
	assert_non_null(s);
	assert_string_equal(s->name, "ssh");
	assert_int_equal(s->discloses_count, 1);
	assert_string_equal(s->discloses[0], "version");
	assert_non_null(profile_find_service(&p, "udp", 161));
	assert_null(profile_find_service(&p, "udp", 443));
	assert_null(profile_find_service(&p, "tcp", 23));

	const struct profile_credential *c = profile_find_credential(&p, "factory_default");
	assert_non_null(c);
	assert_string_equal(c->username, "admin");
	assert_string_equal(c->password, "admin");
	assert_string_equal(profile_find_credential(&p, "admin")->password, "S3cure!pass");
	assert_null(profile_find_credential(&p, "root"));

	const struct profile_operation *op = profile_find_operation(&p, "factory_reset");
	assert_non_null(op);
	assert_int_equal(op->timeout_seconds, 120);
	assert_string_equal(op->command, "lab/bin/dutctl reset {address}");
	assert_int_equal(profile_find_operation(&p, "health")->timeout_seconds, 5);
	assert_null(profile_find_operation(&p, "power_cycle"));

	/* Artifacts resolve against the profile's folder, as absolute paths. */
	const char *firmware = profile_find_artifact(&p, "firmware");
	assert_non_null(firmware);
	assert_true(firmware[0] == '/');
	const char *tail = "/profiles/examples/fw/cam-100-1.2.3.bin";
	assert_true(strlen(firmware) > strlen(tail));
	assert_string_equal(firmware + strlen(firmware) - strlen(tail), tail);
	assert_null(profile_find_artifact(&p, "sbom"));

	assert_int_equal(profile_capability(&p, "wifi"), 0);
	assert_int_equal(profile_capability(&p, "onvif"), 1);
	assert_int_equal(profile_capability(&p, "bluetooth"), -1);

	const struct profile_target *t = profile_find_target(&p, "taics-ts-0014-1");
	assert_non_null(t);
	assert_int_equal(t->level, 3);
	assert_null(profile_find_target(&p, "iot-1006-1"));

	assert_int_equal(p.report_field_count, 6);
	assert_string_equal(p.report_fields[0].name, "applicant");
	assert_string_equal(p.report_fields[0].value, "Acme Ltd.");

	assert_int_equal(p.tls_server_name_count, 1);
	assert_string_equal(p.tls_server_names[0], "cam-100-0001.acme.test");
	assert_non_null(strstr(p.tls_ca_bundle, "/profiles/examples/certs/acme-device-ca.pem"));
	assert_int_equal(p.tls_client_count, 1);
	const struct profile_tls_client *client = &p.tls_clients[0];
	assert_string_equal(client->host, "update.acme.test");
	assert_int_equal(client->port, 8443);
	assert_string_equal(client->listen_address, "198.18.1.1");
	assert_non_null(profile_find_operation(&p, client->trigger));
	assert_true(client->trusted_ca_key[0] == '/');
	assert_true(profile_tls_client_carries(client, "update"));
	assert_false(profile_tls_client_carries(client, "privacy"));
	assert_int_equal(client->timeout_seconds, 20);
	assert_int_equal(p.unit_count, 1);
	assert_string_equal(p.units[0].addresses[0], "198.18.1.3");
	assert_string_equal(profile_find_operation(&p, "replace_certificate")->command,
			    "lab/bin/dutctl install-cert {address} {certificate} {key}");

	/* The loaded scope guards sends. */
	assert_int_equal(scope_permit_text(&p.scope, "198.18.1.77", "tcam0", &err), 0);
	assert_int_equal(scope_permit_text(&p.scope, "fd00:198:0:1::99", NULL, &err), 0);
	assert_int_equal(scope_permit_text(&p.scope, "::ffff:198.18.1.3", NULL, &err), 0);
	assert_int_equal(scope_permit_text(&p.scope, "198.18.2.1", NULL, &err), DL_ESCOPE);
	assert_non_null(strstr(err.message, "camera.yaml"));
	assert_int_equal(scope_permit_text(&p.scope, "198.18.1.2", "eth0", &err), DL_ESCOPE);

	profile_release(&p);
	profile_release(&p); /* idempotent */
	assert_null(profile_find_service(NULL, "tcp", 22));
	assert_int_equal(profile_capability(NULL, "wifi"), -1);
}

static void test_defaults(void **state)
{
	(void)state;
	struct profile p;
	struct dl_error err = {0};
	char path[64];
	static const char text[] =
		"dutlab_profile: 1\n"
		"identity: {vendor: V, model: M, firmware: 2.0, product_type: router}\n"
		"targets: [{standard: ncc-ci-ict}]\n"
		"scope: {networks: ['fd00:198:0:11::/64']}\n"
		"dut: {addresses: ['fd00:198:0:11::1']}\n"
		"adapters:\n"
		"  - name: lab\n"
		"    driver: exec\n"
		"    operations: {health: {command: 'ping -c1 {address} ${HOME}'}}\n"
		"artifacts: {manual: /srv/manual.pdf}\n";
	assert_int_equal(load_text(text, &p, &err, path, sizeof(path)), 0);
	assert_null(p.serial);
	assert_string_equal(p.firmware, "2.0");
	assert_int_equal(p.targets[0].level, 0);
	assert_int_equal(p.service_count, 0);
	assert_int_equal(p.credential_count, 0);
	assert_int_equal(p.scope.interface_count, 0);
	assert_int_equal(profile_find_operation(&p, "health")->timeout_seconds, 60);
	assert_string_equal(profile_find_artifact(&p, "manual"), "/srv/manual.pdf");
	assert_int_equal(profile_capability(&p, "wifi"), -1);
	profile_release(&p);
}

/* adapters (login drivers), roles and auth: loaded as written, looked up, released. */
static void test_login_sections(void **state)
{
	(void)state;
	struct profile p;
	struct dl_error err = {0};
	char path[64];
	static const char text[] =
		"dutlab_profile: 1\n"
		"identity: {vendor: V, model: M, firmware: '1', product_type: platform}\n"
		"targets: [{standard: iot-1006-1, level: 3}]\n"
		"scope: {networks: [198.18.7.0/24]}\n"
		"dut: {addresses: [198.18.7.2]}\n"
		"credentials:\n"
		"  - {role: admin, username: admin, password: 'Adm1n!pw'}\n"
		"  - {role: operator, username: oper, password: 'Op3r!pw'}\n"
		"  - {role: test, username: dltest, password: 'T3st!pw'}\n"
		"adapters:\n"
		"  - name: lab\n"
		"    driver: exec\n"
		"    operations: {factory_reset: {command: 'true', timeout: 60}}\n"
		"  - name: web\n"
		"    driver: http-basic\n"
		"    port: 9090\n"
		"    options:\n"
		"      tls: 'true'\n"
		"      login_url: /cockpit/login\n"
		"      session_cookie: cockpit\n"
		"      whoami_url: /cockpit/login\n"
		"      timeout: 5\n"
		"    actions:\n"
		"      read_config: 'GET /cockpit/config'\n"
		"  - name: api\n"
		"    driver: http-json\n"
		"    port: 8443\n"
		"    proto: tcp\n"
		"    options:\n"
		"      login_url: /api/login\n"
		"      body: '{\"user\":\"{username}\",\"pass\":\"{password}\"}'\n"
		"      token_json: data.token\n"
		"      whoami_url: /api/me\n"
		"    actions:\n"
		"      add_user: 'POST /api/users {\"name\":\"dltmp\"}'\n"
		"roles:\n"
		"  - {name: admin, credential: admin, may: [read_config, add_user]}\n"
		"  - {name: operator, credential: operator, may: []}\n"
		"auth:\n"
		"  test_credential: test\n"
		"  lockout: {threshold: 5, period: 30, reset: 60}\n"
		"  idle_timeout: 20\n"
		"  password_policy: {min_length: 9, classes: 3, history: 3, min_age_days: 1,\n"
		"                    max_age_days: 90, warning: 'weak|[Ss]imple',\n"
		"                    reference: NIST SP 800-63B}\n";
	int rc = load_text(text, &p, &err, path, sizeof(path));
	if (rc)
		print_error("%s\n", err.message);
	assert_int_equal(rc, 0);
	assert_int_equal(p.adapter_count, 3);
	const struct profile_adapter *lab = &p.adapters[0], *web = &p.adapters[1],
				     *api = &p.adapters[2];
	assert_false(profile_adapter_is_login(lab));
	assert_true(profile_adapter_is_login(web));
	assert_true(profile_adapter_is_login(api));
	assert_false(profile_adapter_is_login(NULL));
	assert_int_equal(lab->port, 0);
	assert_null(lab->service_proto);
	assert_int_equal(web->port, 9090);
	assert_string_equal(web->service_proto, "tcp"); /* the default */
	assert_int_equal(web->option_count, 5);
	assert_string_equal(profile_adapter_option(web, "tls"), "true");
	assert_string_equal(profile_adapter_option(web, "timeout"), "5"); /* a string */
	assert_string_equal(profile_adapter_option(web, "session_cookie"), "cockpit");
	assert_null(profile_adapter_option(web, "logout_url"));
	assert_null(profile_adapter_option(NULL, "tls"));
	assert_string_equal(profile_adapter_action(web, "read_config")->request,
			    "GET /cockpit/config");
	assert_null(profile_adapter_action(web, "add_user"));
	assert_string_equal(profile_adapter_option(api, "body"),
			    "{\"user\":\"{username}\",\"pass\":\"{password}\"}");
	assert_string_equal(profile_adapter_action(api, "add_user")->request,
			    "POST /api/users {\"name\":\"dltmp\"}");
	assert_non_null(profile_find_operation(&p, "factory_reset"));

	assert_int_equal(p.role_count, 2);
	assert_string_equal(p.roles[0].name, "admin");
	assert_string_equal(p.roles[0].credential, "admin");
	assert_int_equal(p.roles[0].may_count, 2);
	assert_string_equal(p.roles[0].may[1], "add_user");
	assert_int_equal(p.roles[1].may_count, 0);

	assert_string_equal(p.auth.test_credential, "test");
	assert_int_equal(p.auth.lockout_threshold, 5);
	assert_int_equal(p.auth.lockout_period_seconds, 30);
	assert_int_equal(p.auth.lockout_reset_seconds, 60);
	assert_int_equal(p.auth.idle_timeout_seconds, 20);
	assert_int_equal(p.auth.password_min_length, 9);
	assert_int_equal(p.auth.password_classes, 3);
	assert_int_equal(p.auth.password_history, 3);
	assert_int_equal(p.auth.password_min_age_days, 1);
	assert_int_equal(p.auth.password_max_age_days, 90);
	assert_string_equal(p.auth.password_warning, "weak|[Ss]imple");
	assert_string_equal(p.auth.password_policy_reference, "NIST SP 800-63B");
	profile_release(&p);
	assert_null(p.roles);
	assert_null(p.auth.test_credential);

	/* Without the sections: nothing declared, every number 0. */
	assert_int_equal(load_with_address("198.18.7.2", &p, &err), 0);
	assert_int_equal(p.role_count, 0);
	assert_null(p.auth.test_credential);
	assert_int_equal(p.auth.lockout_threshold, 0);
	assert_null(p.auth.password_warning);
	profile_release(&p);
}

/* The profile as JSON (reports): login adapters, roles and auth, never a password. */
static void test_json(void **state)
{
	(void)state;
	struct profile p;
	struct dl_error err = {0};
	assert_int_equal(profile_load(&p, EXAMPLES "/platform.yaml", &err), 0);
	struct json_object *root = profile_to_json(&p);
	assert_non_null(root);
	const char *text = json_object_to_json_string_ext(
		root, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	assert_non_null(strstr(text,
			       "\"name\":\"web\",\"driver\":\"http-form\",\"operations\":[],"
			       "\"port\":443,\"proto\":\"tcp\",\"options\":{\"tls\":\"true\""));
	assert_non_null(strstr(text, "\"actions\":{\"list_users\":\"GET /api/users\""));
	assert_non_null(strstr(text, "\"roles\":[{\"name\":\"admin\",\"credential\":\"admin\","
				     "\"may\":[\"list_users\",\"add_user\",\"read_audit_log\"]}"));
	assert_non_null(strstr(text, "\"auth\":{\"test_credential\":\"test\",\"lockout\":{"
				     "\"threshold\":5,\"period\":300,\"reset\":900},"
				     "\"idle_timeout\":600"));
	assert_non_null(strstr(text, "\"reference\":\"NIST SP 800-63B\""));
	assert_null(strstr(text, "Pl4tform!admin"));
	assert_null(strstr(text, "Dlt3st!pass"));
	assert_null(strstr(text, "dltest")); /* not even the test account's name */
	json_object_put(root);
	profile_release(&p);
}

static char *read_whole(const char *path)
{
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	size_t size = 256 * 1024, used = 0;
	char *text = malloc(size + 1);
	assert_non_null(text);
	used = fread(text, 1, size, f);
	assert_true(used < size);
	text[used] = '\0';
	fclose(f);
	return text;
}

/* docs/profile.md shows every example exactly as profiles/examples has it. */
static void test_docs_show_examples(void **state)
{
	(void)state;
	char *doc = read_whole(TEST_SOURCE_DIR "/docs/profile.md");
	for (size_t i = 0; i < DL_ARRAY_SIZE(all_types); i++) {
		char marker[96], path[512];
		snprintf(marker, sizeof(marker), "<!-- example: %s -->\n```yaml\n", all_types[i]);
		snprintf(path, sizeof(path), "%s/%s.yaml", EXAMPLES, all_types[i]);
		const char *start = strstr(doc, marker);
		if (!start)
			print_error("docs/profile.md has no example for %s\n", all_types[i]);
		assert_non_null(start);
		start += strlen(marker);
		const char *end = strstr(start, "```\n");
		assert_non_null(end);
		char *file = read_whole(path);
		if (strlen(file) != (size_t)(end - start) || memcmp(file, start, strlen(file)) != 0)
			print_error("docs/profile.md differs from %s\n", path);
		assert_int_equal(strlen(file), (size_t)(end - start));
		assert_memory_equal(file, start, strlen(file));
		free(file);
	}
	free(doc);
}

static void test_product_types(void **state)
{
	(void)state;
	for (size_t i = 0; i < DL_ARRAY_SIZE(all_types); i++) {
		enum product_type type = product_type_from_name(all_types[i]);
		assert_int_equal(type, 1u << i);
		assert_string_equal(product_type_name(type), all_types[i]);
	}
	assert_int_equal(product_type_from_name("toaster"), PRODUCT_UNKNOWN);
	assert_int_equal(product_type_from_name("Camera"), PRODUCT_UNKNOWN);
	assert_int_equal(product_type_from_name(""), PRODUCT_UNKNOWN);
	assert_int_equal(product_type_from_name(NULL), PRODUCT_UNKNOWN);
	assert_string_equal(product_type_name(PRODUCT_UNKNOWN), "unknown");
	assert_string_equal(product_type_name(PRODUCT_CAMERA | PRODUCT_LOCK), "unknown");
}

/* The robustness section (NCC 5.4.1.6, 5.4.2.4, 5.4.3.2): a full one loads
 * into its fields; each mistake is refused where it is, saying what to write. */
static const char robustness_base[] =
	"dutlab_profile: 1\n"
	"identity: {vendor: Acme, model: FW, firmware: '1', product_type: firewall}\n"
	"targets: [{standard: ncc-ci-ict}]\n"
	"scope:\n"
	"  networks: [198.18.12.0/25, 'fd00:198:0:12::/80', 198.18.13.0/25]\n"
	"  interfaces: [tndfw-good, tndfw-good-b]\n"
	"dut:\n"
	"  addresses: [198.18.12.2]\n"
	"adapters:\n"
	"  - name: lab\n"
	"    driver: exec\n"
	"    operations:\n"
	"      power_cycle: {command: 'true', timeout: 60}\n"
	"robustness:\n";

static int load_robustness(const char *section, struct profile *p, struct dl_error *err)
{
	char text[2048], path[64];
	snprintf(text, sizeof(text), "%s%s", robustness_base, section);
	return load_text(text, p, err, path, sizeof(path));
}

/* A robustness section on the lab's interface for a minute, with mix (a YAML map's inside). */
#define MIX(mix) "  interface: tndfw-good\n  duration: 60\n  mix: {" mix "}\n"

/* section loads (else fails with the loader's message). */
static void load_ok(const char *section, struct profile *p)
{
	struct dl_error err = {0};
	if (load_robustness(section, p, &err))
		fail_msg("%s", err.message);
}

/* A robustness section with one mistake, and a phrase the refusal must say. */
struct bad_section {
	const char *section, *phrase;
};

/* Each section is refused as invalid, naming robustness and saying its phrase. */
static void expect_refused(const struct bad_section *bad, size_t count)
{
	for (size_t i = 0; i < count; i++) {
		struct profile p;
		struct dl_error err = {0};
		int rc = load_robustness(bad[i].section, &p, &err);
		if (rc != DL_EINVAL || !strstr(err.message, bad[i].phrase) ||
		    !strstr(err.message, "robustness"))
			fail_msg("case %zu: got %d '%s'; expected robustness... '%s'", i, rc,
				 err.message, bad[i].phrase);
	}
}

static void test_robustness_section(void **state)
{
	(void)state;
	struct profile p;
	load_ok("  interface: tndfw-good\n"
		"  duration: 28800\n"
		"  rate: 2000\n"
		"  level: 3\n"
		"  seed: 7\n"
		"  dut_mac: '02:98:e2:52:f1:f5'\n"
		"  mix: {ipv4: 3, icmpv6: 1}\n"
		"  monitors: [tcp, syslog, flow]\n"
		"  monitor_interval: 200\n"
		"  monitor_timeout: 400\n"
		"  syslog_port: 5514\n"
		"  syslog_pattern: 'panic|watchdog'\n"
		"  recovery: 5\n"
		"  max_failures: 2\n"
		"  power_cycle: power_cycle\n"
		"  flow: {out_interface: tndfw-good, in_interface: tndfw-good-b, "
		"destination: 198.18.13.100, rate: 50}\n",
		&p);
	const struct profile_robustness *r = &p.robustness;
	assert_true(r->declared);
	assert_string_equal(r->interface, "tndfw-good");
	assert_int_equal(r->duration_seconds, 28800);
	assert_int_equal(r->rate, 2000);
	assert_int_equal(r->level, 3);
	assert_int_equal(r->seed, 7);
	assert_string_equal(r->dut_mac, "02:98:e2:52:f1:f5");
	assert_int_equal(r->mix_count, 2);
	assert_string_equal(r->mix[0].protocol, "ipv4");
	assert_int_equal(r->mix[0].weight, 3);
	assert_string_equal(r->mix[1].protocol, "icmpv6");
	assert_int_equal(r->monitor_count, 3);
	assert_string_equal(r->monitors[1], "syslog");
	assert_int_equal(r->monitor_interval_ms, 200);
	assert_int_equal(r->monitor_timeout_ms, 400);
	assert_int_equal(r->syslog_port, 5514);
	assert_string_equal(r->syslog_pattern, "panic|watchdog");
	assert_int_equal(r->recovery_seconds, 5);
	assert_int_equal(r->max_failures, 2);
	assert_string_equal(r->power_cycle, "power_cycle");
	assert_string_equal(r->flow_in_interface, "tndfw-good-b");
	assert_string_equal(r->flow_destination, "198.18.13.100");
	assert_int_equal(r->flow_rate, 50);
	profile_release(&p);
	/* the defaults: 1000 cases/s, one anomaly a case */
	load_ok(MIX("arp: 1"), &p);
	assert_int_equal(p.robustness.rate, 1000);
	assert_int_equal(p.robustness.level, 1);
	assert_null(p.robustness.dut_mac);
	assert_int_equal(p.robustness.monitor_interval_ms, 0); /* each monitor's own */
	assert_int_equal(p.robustness.monitor_timeout_ms, 0);
	profile_release(&p);

	static const struct bad_section bad[] = {
		{"  interface: eth0\n  duration: 60\n  mix: {arp: 1}\n",
		 "found the interface 'eth0', which scope.interfaces does not list"},
		{"  interface: tndfw-good\n  mix: {arp: 1}\n", "duration"},
		{"  interface: tndfw-good\n  duration: 0\n  mix: {arp: 1}\n",
		 "expected an integer from 1 to 604800"},
		{"  interface: tndfw-good\n  duration: 60\n", "mix"},
		{MIX(""), "found an empty mix"},
		{MIX("isis: 1"),
		 "found the protocol 'isis', which dutlab has no templates for; expected"},
		{MIX("rip: 1"), "found the session protocol 'rip' without robustness.rip"},
		{MIX("arp: 0"), "expected an integer from 1 to 1000"},
		{MIX("arp: 1") "  level: 9\n", "expected an integer from 1 to 8"},
		{MIX("arp: 1") "  monitors: [smoke]\n",
		 "found the health monitor 'smoke'; expected"},
		{MIX("arp: 1") "  dut_mac: 02:98\n",
		 "expected a MAC address like 02:00:5e:10:00:01"},
		{MIX("arp: 1") "  syslog_pattern: "
			       "'('\n",
		 "not a POSIX extended regular expression"},
		{MIX("arp: 1") "  flow: {out_interface: tndfw-good, in_interface: tndfw-good-b, "
			       "destination: 192.0.2.1}\n",
		 "192.0.2.1"},
		{MIX("arp: 1") "  flow: {out_interface: tndfw-good, in_interface: eth9}\n",
		 "found the interface 'eth9'"},
		{MIX("arp: 1") "  flow: {out_interface: tndfw-good, in_interface: tndfw-good-b, "
			       "next_hop_mac: zz}\n",
		 "expected a MAC address"},
		{MIX("arp: 1") "  power_cycle: "
			       "reboot\n",
		 "found the operation 'reboot', which no exec adapter declares"},
		{MIX("arp: 1") "  max_failures: 0\n", "expected an integer from 1 to 16"},
		{MIX("arp: 1") "  monitor_interval: 10\n", "expected an integer from 50 to 60000"},
		{MIX("arp: 1") "  monitor_timeout: 60001\n",
		 "expected an integer from 50 to 60000"},
		{"  interface: tndfw-good\n  duraton: 60\n  mix: {arp: 1}\n",
		 "unknown key 'duraton'"},
	};
	expect_refused(bad, DL_ARRAY_SIZE(bad));
}

/* robustness.tls: the TLS server of the session campaign, its port and SNI; tls in the mix without
 * the map handshakes on 443 */
static void test_robustness_tls(void **state)
{
	(void)state;
	struct profile p;
	load_ok(MIX("tls: 1") "  tls: {port: 8443, server_name: str-200-0001}\n", &p);
	assert_true(p.robustness.tls.declared);
	assert_int_equal(p.robustness.tls.port, 8443);
	assert_string_equal(p.robustness.tls.server_name, "str-200-0001");
	assert_string_equal(p.robustness.mix[0].protocol, "tls");
	profile_release(&p);
	load_ok(MIX("tls: 1"), &p);
	assert_false(p.robustness.tls.declared);
	assert_null(p.robustness.tls.server_name);
	profile_release(&p);
	load_ok(MIX("tls: 1") "  tls: {}\n", &p);
	assert_int_equal(p.robustness.tls.port, 443);
	profile_release(&p);
	static const struct bad_section bad[] = {
		{MIX("tls: 1") "  tls: {port: 70000}\n", "expected an integer from 1 to 65535"},
		{MIX("tls: 1") "  tls: {sni: x}\n", "unknown key 'sni'"},
	};
	expect_refused(bad, DL_ARRAY_SIZE(bad));
}

/* robustness.rip: the RIPv2 exchange of the session campaign, its key and defaults */
static void test_robustness_rip(void **state)
{
	(void)state;
	struct profile p;
	load_ok(MIX("arp: 1") "  rip: {password: LabRip24, key_id: 7, port: 1520}\n", &p);
	const struct profile_robustness_rip *r = &p.robustness.rip;
	assert_true(r->declared);
	assert_string_equal(r->password, "LabRip24");
	assert_int_equal(r->key_id, 7);
	assert_int_equal(r->port, 1520);
	profile_release(&p);
	/* the mix's "rip" with the map; the defaults: key id 1, port 520, no authentication */
	load_ok(MIX("rip: 2, bgp: 1") "  rip: {}\n  bgp: {local_as: 65001, peer_as: 65000}\n", &p);
	assert_true(p.robustness.rip.declared);
	assert_int_equal(p.robustness.rip.key_id, 1);
	assert_int_equal(p.robustness.rip.port, 520);
	assert_null(p.robustness.rip.password);
	assert_int_equal(p.robustness.mix_count, 2);
	assert_string_equal(p.robustness.mix[0].protocol, "rip");
	assert_int_equal(p.robustness.mix[0].weight, 2);
	profile_release(&p);

	static const struct bad_section bad[] = {
		{MIX("arp: 1") "  rip: {password: 17-characters-xxx}\n",
		 "found a password of 17 characters; expected the DUT's keyed-MD5 key, 1 to 16"},
		{MIX("arp: 1") "  rip: {password: ''}\n", "found an empty string"},
		{MIX("arp: 1") "  rip: {key_id: 256}\n", "expected an integer from 0 to 255"},
		{MIX("arp: 1") "  rip: {port: 0}\n", "expected an integer from 1 to 65535"},
		{MIX("arp: 1") "  rip: {key: x}\n", "unknown key 'key'"},
		{MIX("arp: 1") "  rip: [1]\n", "robustness.rip"},
	};
	expect_refused(bad, DL_ARRAY_SIZE(bad));
}

/* robustness.ospf: the OSPFv2 adjacency of the session campaign, its keys and defaults */
static void test_robustness_ospf(void **state)
{
	(void)state;
	struct profile p;
	load_ok(MIX("ospf: 1") "  ospf: {password: LabOspf24, key_id: 7, hello: 2, dead: 8, "
			       "area: 0.0.0.1, router_id: 198.18.1.9, dut_router_id: 10.0.0.1, "
			       "network: broadcast}\n",
		&p);
	const struct profile_robustness_ospf *o = &p.robustness.ospf;
	assert_true(o->declared);
	assert_true(o->broadcast);
	assert_int_equal(o->auth, 2); /* md5, with a password */
	assert_string_equal(o->password, "LabOspf24");
	assert_int_equal(o->key_id, 7);
	assert_int_equal(o->hello, 2);
	assert_int_equal(o->dead, 8);
	assert_string_equal(o->area, "0.0.0.1");
	assert_string_equal(o->router_id, "198.18.1.9");
	assert_string_equal(o->dut_router_id, "10.0.0.1");
	profile_release(&p);
	/* the defaults: null authentication, key id 1, hello 10, dead 40, ids from the addresses */
	load_ok(MIX("ospf: 1") "  ospf: {}\n", &p);
	o = &p.robustness.ospf;
	assert_int_equal(o->auth, 0);
	assert_int_equal(o->key_id, 1);
	assert_int_equal(o->hello, 10);
	assert_int_equal(o->dead, 40);
	assert_null(o->area);
	assert_null(o->router_id);
	assert_null(o->password);
	assert_false(o->broadcast); /* point-to-point */
	profile_release(&p);
	load_ok(MIX("ospf: 1") "  ospf: {network: point-to-point}\n", &p);
	assert_false(p.robustness.ospf.broadcast);
	profile_release(&p);
	load_ok(MIX("arp: 1") "  ospf: {auth: simple, password: LabOspf}\n", &p);
	assert_int_equal(p.robustness.ospf.auth, 1);
	profile_release(&p);

	static const struct bad_section bad[] = {
		{MIX("ospf: 1"), "found the session protocol 'ospf' without robustness.ospf"},
		{MIX("arp: 1") "  ospf: {password: 17-characters-xxx}\n",
		 "found a password of 17 characters for md5 authentication"},
		{MIX("arp: 1") "  ospf: {auth: simple, password: nine-char}\n",
		 "found a password of 9 characters for simple authentication"},
		{MIX("arp: 1") "  ospf: {auth: md5}\n", "found a password of 0 characters for md5"},
		{MIX("arp: 1") "  ospf: {auth: sha}\n", "expected none, simple or md5"},
		{MIX("arp: 1") "  ospf: {area: "
			       "1.2.3}\n",
		 "expected a dotted 32-bit id"},
		{MIX("arp: 1") "  ospf: {hello: 0}\n", "expected an integer from 1 to 65535"},
		{MIX("arp: 1") "  ospf: {key: x}\n", "unknown key 'key'"},
		{MIX("arp: 1") "  ospf: {network: nbma}\n",
		 "found an unknown OSPF network type; expected point-to-point or broadcast"},
	};
	expect_refused(bad, DL_ARRAY_SIZE(bad));
}

/* robustness.rtsp: the RTSP session of the rtsp (rtp, rtcp) plug-ins; optional */
static void test_robustness_rtsp(void **state)
{
	(void)state;
	struct profile p;
	load_ok(MIX("rtsp: 1") "  rtsp: {port: 8554, path: /stream, user: admin, password: pw}\n",
		&p);
	const struct profile_robustness_rtsp *r = &p.robustness.rtsp;
	assert_true(r->declared);
	assert_int_equal(r->port, 8554);
	assert_string_equal(r->path, "/stream");
	assert_string_equal(r->user, "admin");
	assert_string_equal(r->password, "pw");
	profile_release(&p);
	/* without the map: not declared (the link asks for / on 554, no credentials) */
	load_ok(MIX("rtsp: 1"), &p);
	assert_false(p.robustness.rtsp.declared);
	profile_release(&p);
	load_ok(MIX("rtsp: 1") "  rtsp: {}\n", &p);
	assert_int_equal(p.robustness.rtsp.port, 554);
	assert_false(p.robustness.rtsp.tls);
	assert_null(p.robustness.rtsp.path);
	profile_release(&p);
	/* RTSPS: 322 unless the port says otherwise; the UDP plug-ins read the same map */
	load_ok(MIX("rtsp: 1, rtp-udp: 1, rtcp-udp: 1") "  rtsp: {tls: true}\n", &p);
	assert_true(p.robustness.rtsp.tls);
	assert_int_equal(p.robustness.rtsp.port, 322);
	profile_release(&p);
	load_ok(MIX("rtsp: 1") "  rtsp: {tls: true, port: 8322}\n", &p);
	assert_int_equal(p.robustness.rtsp.port, 8322);
	profile_release(&p);
	static const struct bad_section bad[] = {
		{MIX("rtsp: 1") "  rtsp: {tls: maybe}\n", "true or false"},
		{MIX("rtsp: 1") "  rtsp: {user: "
				"admin}\n",
		 "found a user without a password"},
		{MIX("rtsp: 1") "  rtsp: {path: "
				"stream}\n",
		 "expected the stream's path, such as /stream"},
		{MIX("rtsp: 1") "  rtsp: {port: 0}\n", "expected an integer from 1 to 65535"},
		{MIX("rtsp: 1") "  rtsp: {url: x}\n", "unknown key 'url'"},
	};
	expect_refused(bad, DL_ARRAY_SIZE(bad));
}

/* robustness.bgp: the BGP session the session campaign opens, and the mix's "bgp" */
static void test_robustness_bgp(void **state)
{
	(void)state;
	struct profile p;
	load_ok("  interface: tndfw-good\n"
		"  duration: 60\n"
		"  mix: {bgp: 2, ipv4: 1}\n"
		"  bgp: {local_as: 4200000001, peer_as: 65000, password: Lab-Bgp-Md5-24, "
		"hold_time: 30, port: 1179}\n",
		&p);
	const struct profile_robustness_bgp *b = &p.robustness.bgp;
	assert_true(b->declared);
	assert_int_equal(b->local_as, 4200000001u);
	assert_int_equal(b->peer_as, 65000);
	assert_string_equal(b->password, "Lab-Bgp-Md5-24");
	assert_int_equal(b->hold_time, 30);
	assert_int_equal(b->port, 1179);
	assert_int_equal(p.robustness.mix_count, 2);
	assert_string_equal(p.robustness.mix[0].protocol, "bgp");
	assert_int_equal(p.robustness.mix[0].weight, 2);
	profile_release(&p);
	/* the defaults: hold time 90, port 179, no password; a profile without bgp has none */
	load_ok(MIX("bgp: 1") "  bgp: {local_as: 65001, peer_as: 65000}\n", &p);
	assert_int_equal(p.robustness.bgp.hold_time, 90);
	assert_int_equal(p.robustness.bgp.port, 179);
	assert_null(p.robustness.bgp.password);
	assert_int_equal(p.robustness.bgp.expect_route_count, 0);
	assert_int_equal(p.robustness.session_establish_seconds, 0);
	assert_int_equal(p.robustness.session_check_seconds, 0);
	assert_int_equal(p.robustness.session_links, 0);
	profile_release(&p);
	/* the session campaign's bounds and the routes the DUT must keep advertising */
	load_ok(MIX("bgp: 1") "  session_establish: 75\n  session_check: 5\n  session_links: 4\n"
			      "  bgp: {local_as: 65001, peer_as: 65000,\n"
			      "        expect_routes: [198.18.24.128/25, "
			      "'fd00:198:0:24:1::/80'],\n"
			      "        sources: [198.18.24.11, 198.18.24.12]}\n",
		&p);
	assert_int_equal(p.robustness.bgp.source_count, 2);
	assert_string_equal(p.robustness.bgp.sources[1], "198.18.24.12");
	assert_int_equal(p.robustness.session_establish_seconds, 75);
	assert_int_equal(p.robustness.session_check_seconds, 5);
	assert_int_equal(p.robustness.session_links, 4);
	assert_int_equal(p.robustness.bgp.expect_route_count, 2);
	assert_string_equal(p.robustness.bgp.expect_routes[0], "198.18.24.128/25");
	assert_string_equal(p.robustness.bgp.expect_routes[1], "fd00:198:0:24:1::/80");
	profile_release(&p);
	load_ok(MIX("arp: 1"), &p);
	assert_false(p.robustness.bgp.declared);
	profile_release(&p);

	static const struct bad_section bad[] = {
		{MIX("bgp: 1"), "found the session protocol 'bgp' without robustness.bgp"},
		{MIX("eigrp: 1"), "found the protocol 'eigrp', which dutlab has no templates for"},
		{MIX("bgp: 1") "  bgp: {local_as: 65001, peer_as: 65000, expect_routes: "
			       "[198.18.24.0]}\n",
		 "found '198.18.24.0'; expected a prefix like 198.18.24.128/25"},
		{MIX("bgp: 1") "  bgp: {local_as: 65001, peer_as: 65000, expect_routes: "
			       "[10.0.0.0/8, "
			       "198.18.24.0/33]}\n",
		 "found '198.18.24.0/33'"},
		{MIX("bgp: 1") "  bgp: {local_as: 65001, peer_as: 65000, expect_routes: "
			       "[fd00::/129]}\n",
		 "found 'fd00::/129'"},
		{MIX("bgp: 1") "  bgp: {local_as: 65001, peer_as: 65000, expect_routes: "
			       "[fd00:/x]}\n",
		 "found 'fd00:/x'"},
		{MIX("bgp: 1") "  bgp: {local_as: 65001, peer_as: 65000, expect_routes: "
			       "198.18.24.0/24}\n",
		 "robustness.bgp.expect_routes"},
		{MIX("bgp: 1") "  bgp: {local_as: 65001, peer_as: 65000, sources: "
			       "[198.18.24.11, 198.18.24.300]}\n",
		 "found '198.18.24.300'; expected an IPv4 address of the tester"},
		{MIX("bgp: 1") "  bgp: {local_as: 65001, peer_as: 65000, sources: "
			       "[198.18.24.11, 198.18.24.11]}\n",
		 "found '198.18.24.11'; expected each address once"},
		{MIX("bgp: 1") "  bgp: {local_as: 65001, peer_as: 65000, sources: [fd00::1]}\n",
		 "found 'fd00::1'; expected an IPv4 address"},
		{MIX("bgp: 1") "  bgp: {local_as: 65001, peer_as: 65000}\n  session_establish: 0\n",
		 "expected an integer from 1 to 3600"},
		{MIX("bgp: 1") "  bgp: {local_as: 65001, peer_as: 65000}\n  session_check: 3601\n",
		 "expected an integer from 1 to 3600"},
		{MIX("bgp: 1") "  bgp: {local_as: 65001, peer_as: 65000}\n  session_links: 0\n",
		 "expected an integer from 1 to 64"},
		{MIX("bgp: 1") "  bgp: {local_as: 65001, peer_as: 65000}\n  session_links: 65\n",
		 "expected an integer from 1 to 64"},
		{MIX("bgp: 1") "  bgp: {peer_as: 65000}\n", "local_as"},
		{MIX("bgp: 1") "  bgp: {local_as: 65001}\n", "peer_as"},
		{MIX("bgp: 1") "  bgp: {local_as: 0, peer_as: 65000}\n",
		 "expected an integer from 1 to 4294967295"},
		{MIX("bgp: 1") "  bgp: {local_as: 4294967296, peer_as: 65000}\n",
		 "expected an integer from 1 to 4294967295"},
		{MIX("bgp: 1") "  bgp: {local_as: 65001, peer_as: 65000, hold_time: 2}\n",
		 "expected 0 or 3 to 65535"},
		{MIX("bgp: 1") "  bgp: {local_as: 65001, peer_as: 65000, port: 0}\n",
		 "expected an integer from 1 to 65535"},
		{MIX("bgp: 1") "  bgp: {local_as: 65001, peer_as: 65000, password: ''}\n",
		 "found an empty string"},
		{MIX("bgp: 1") "  bgp: {local_as: 65001, peer_as: 65000, password: "
			       "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk"
			       "kkkkkkkkkkkkkk"
			       "}\n",
		 "found a password of 81 characters; expected the DUT's TCP-MD5 key, 1 to 80"},
		{MIX("bgp: 1") "  bgp: {local_as: 65001, peer_as: 65000, passwd: x}\n",
		 "unknown key 'passwd'"},
		{MIX("bgp: 1") "  bgp: [65001]\n", "robustness.bgp"},
	};
	expect_refused(bad, DL_ARRAY_SIZE(bad));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_examples_load),
		cmocka_unit_test(test_bad_profiles),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_truncations),
		cmocka_unit_test(test_addresses),
		cmocka_unit_test(test_lookups),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_login_sections),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_product_types),
		cmocka_unit_test(test_robustness_section),
		cmocka_unit_test(test_robustness_bgp),
		cmocka_unit_test(test_robustness_rip),
		cmocka_unit_test(test_robustness_ospf),
		cmocka_unit_test(test_robustness_tls),
		cmocka_unit_test(test_robustness_rtsp),
		cmocka_unit_test(test_docs_show_examples),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
