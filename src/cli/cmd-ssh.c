/* cmd-ssh: `dutlab ssh`: audit SSH endpoints' algorithms and host keys and print them */
#include "core/compat.h"

#include <json-c/json.h>

#include "checks/ssh/ssh-audit.h"
#include "cli/commands.h"
#include "core/error.h"
#include "core/profile.h"
#include "core/text.h"
#include "net/scope.h"
#include "net/sock.h"
#include "proto/ssh.h"

#define SSH_CMD_ADDRESS_MAX 64 /* "[fd00:198:0:6::2]:2222" and more */

static void usage(FILE *out)
{
	fprintf(out,
		"usage: dutlab ssh [--json] (--profile FILE | --scope NETWORK... [--interface "
		"IF])\n"
		"                  [--timeout SECONDS] [--probe-timeout MS] [--no-host-keys]\n"
		"                  ADDRESS[:PORT]...\n"
		"\n"
		"Audit each SSH endpoint (port 22 unless given; IPv6 as [ADDRESS]:PORT): read the\n"
		"server's identification and KEXINIT, classify every key exchange, host-key,\n"
		"cipher and MAC algorithm (forward secrecy, NIST SP 800-140C approval, strength\n"
		"class) and fetch each host key's SHA256 fingerprint, one connection per key "
		"type.\n"
		"Only addresses inside the profile's scope, or the --scope networks, are "
		"contacted.\n"
		"With --profile and no ADDRESS, the profile's dut.addresses are audited.\n"
		"\n"
		"  --json              print the audit as JSON: one endpoint's object, or an "
		"array\n"
		"                      of them when several ADDRESSes are given\n"
		"  --scope NETWORK     allow this network (CIDR or address); repeat for more\n"
		"  --interface IF      send only through IF (with --scope)\n"
		"  --timeout S         give up on an endpoint after S seconds (default 30)\n"
		"  --probe-timeout MS  per connection (default 3000)\n"
		"  --no-host-keys      read the KEXINIT only: one connection per endpoint\n"
		"\n"
		"Exit status: 0 every endpoint audited, 1 one did not speak SSH or was cut short,\n"
		"2 bad usage, a broken profile or an address outside the scope.\n");
}

/* "198.18.6.2", "198.18.6.2:2222", "fd00:198:0:6::2", "[fd00:198:0:6::2]:2222" */
static int parse_endpoint(const char *text, char *address, size_t cap, uint16_t *port)
{
	const char *colon = strrchr(text, ':');
	*port = SSH_PORT;
	if (text[0] == '[') {
		const char *close = strchr(text, ']');
		if (!close || (close[1] != '\0' && close[1] != ':'))
			return DL_EINVAL;
		size_t n = (size_t)(close - text - 1);
		if (n == 0 || n >= cap)
			return DL_EINVAL;
		memcpy(address, text + 1, n);
		address[n] = '\0';
		colon = close[1] == ':' ? close + 1 : NULL;
	} else if (colon && strchr(text, ':') == colon) {
		size_t n = (size_t)(colon - text);
		if (n == 0 || n >= cap)
			return DL_EINVAL;
		memcpy(address, text, n);
		address[n] = '\0';
	} else {
		/* no colon, or a bare IPv6 address: no port */
		if (!text_copy(address, cap, text))
			return DL_EINVAL;
		colon = NULL;
	}
	if (colon) {
		long value;
		if (text_parse_long(colon + 1, 1, 65535, &value) != 0)
			return DL_EINVAL;
		*port = (uint16_t)value;
	}
	return 0;
}

static const char *member(struct json_object *o, const char *key)
{
	struct json_object *v = NULL;
	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
		return "";
	return json_object_get_string(v);
}

static int64_t number(struct json_object *o, const char *key)
{
	struct json_object *v = NULL;
	if (!json_object_object_get_ex(o, key, &v))
		return 0;
	return json_object_get_int64(v);
}

/* "yes", "no" or "-" (not applicable: JSON null or absent) */
static const char *yes_no(struct json_object *o, const char *key)
{
	struct json_object *v = NULL;
	if (!json_object_object_get_ex(o, key, &v) || !v)
		return "-";
	return json_object_get_boolean(v) ? "yes" : "no";
}

static void put_printable(const char *text)
{
	for (const unsigned char *c = (const unsigned char *)text; *c; c++)
		fputc(*c < 0x20 || *c == 0x7f ? '?' : *c, stdout);
}

static void print_list(struct json_object *algorithms, const char *key, const char *label)
{
	struct json_object *list = NULL;
	if (!json_object_object_get_ex(algorithms, key, &list) || !list)
		return;
	for (size_t i = 0; i < json_object_array_length(list); i++) {
		struct json_object *a = json_object_array_get_idx(list, i);
		printf("  %-12s %-36s fs %-3s approved %-3s %-7s", label, member(a, "name"),
		       yes_no(a, "forward_secrecy"), yes_no(a, "approved"),
		       *member(a, "strength") ? member(a, "strength") : "-");
		if (*member(a, "note")) {
			printf(" ");
			put_printable(member(a, "note"));
		}
		putchar('\n');
	}
}

static void print_endpoint(struct json_object *e)
{
	struct json_object *speaks = NULL, *ident = NULL, *algorithms = NULL, *keys = NULL,
			   *strict = NULL;
	json_object_object_get_ex(e, "speaks_ssh", &speaks);
	json_object_object_get_ex(e, "ident", &ident);
	json_object_object_get_ex(e, "algorithms", &algorithms);
	json_object_object_get_ex(e, "host_keys", &keys);
	json_object_object_get_ex(e, "strict_kex", &strict);
	printf("%s port %" PRId64 ": ", member(e, "address"), number(e, "port"));
	if (!json_object_get_boolean(speaks)) {
		printf("does not speak SSH: ");
		put_printable(member(e, "incomplete"));
		putchar('\n');
		return;
	}
	printf("SSH-%s-", member(ident, "protoversion"));
	put_printable(member(ident, "software"));
	if (*member(ident, "comments")) {
		putchar(' ');
		put_printable(member(ident, "comments"));
	}
	if (strict)
		printf(json_object_get_boolean(strict) ? " (strict kex)" : " (no strict kex)");
	putchar('\n');
	if (algorithms) {
		print_list(algorithms, "kex", "kex");
		print_list(algorithms, "host_key", "host key");
		print_list(algorithms, "cipher", "cipher");
		print_list(algorithms, "cipher_client_to_server", "cipher c->s");
		print_list(algorithms, "cipher_server_to_client", "cipher s->c");
		print_list(algorithms, "mac", "mac");
		print_list(algorithms, "mac_client_to_server", "mac c->s");
		print_list(algorithms, "mac_server_to_client", "mac s->c");
		struct json_object *compression = NULL;
		if (json_object_object_get_ex(algorithms, "compression", &compression)) {
			printf("  %-12s ", "compression");
			for (size_t i = 0; i < json_object_array_length(compression); i++) {
				printf("%s", i ? ", " : "");
				put_printable(
					member(json_object_array_get_idx(compression, i), "name"));
			}
			putchar('\n');
		}
	}
	for (size_t i = 0; keys && i < json_object_array_length(keys); i++) {
		struct json_object *k = json_object_array_get_idx(keys, i);
		printf("  %-12s %-24s ", "host key", member(k, "algorithm"));
		if (strcmp(yes_no(k, "fetched"), "yes") == 0)
			printf("%" PRId64 " bits (%s) %s\n", number(k, "bits"),
			       member(k, "strength"), member(k, "fingerprint"));
		else {
			printf("not fetched: ");
			put_printable(member(k, "error"));
			putchar('\n');
		}
	}
	if (*member(e, "incomplete")) {
		printf("  incomplete: ");
		put_printable(member(e, "incomplete"));
		putchar('\n');
	}
	printf("  %" PRId64 " connections in %.3f s\n", number(e, "connections"),
	       (double)number(e, "duration_ms") / 1000.0);
}

static bool endpoint_complete(struct json_object *e)
{
	struct json_object *speaks = NULL, *complete = NULL;
	json_object_object_get_ex(e, "speaks_ssh", &speaks);
	json_object_object_get_ex(e, "complete", &complete);
	return json_object_get_boolean(speaks) && json_object_get_boolean(complete);
}

int cmd_ssh(int argc, char **argv)
{
	const char *profile_path = NULL, *interface = NULL;
	bool json = false, skip_host_keys = false, have_scope = false;
	long timeout = 30, probe_ms = 3000;
	const char **endpoints = calloc((size_t)argc + 1, sizeof(*endpoints));
	size_t endpoint_count = 0;
	struct scope scope = {.origin = "the --scope options"};
	struct profile profile;
	bool profile_loaded = false;
	struct dl_error err = {0};
	struct json_object *all = NULL;
	int status = 2;
	if (!endpoints)
		return 1;
	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i];
		if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
			usage(stdout);
			status = 0;
			goto out;
		} else if (strcmp(arg, "--profile") == 0 && i + 1 < argc) {
			profile_path = argv[++i];
		} else if (strcmp(arg, "--scope") == 0 && i + 1 < argc) {
			if (scope_add_network(&scope, argv[++i], &err) < 0) {
				fprintf(stderr, "dutlab ssh: --scope: %s\n", err.message);
				goto out;
			}
			have_scope = true;
		} else if (strcmp(arg, "--interface") == 0 && i + 1 < argc) {
			interface = argv[++i];
		} else if (strcmp(arg, "--timeout") == 0 && i + 1 < argc) {
			if (text_parse_long(argv[++i], 1, 86400, &timeout) != 0) {
				fprintf(stderr, "dutlab ssh: --timeout wants seconds (1-86400)\n");
				goto out;
			}
		} else if (strcmp(arg, "--probe-timeout") == 0 && i + 1 < argc) {
			if (text_parse_long(argv[++i], 1, 600000, &probe_ms) != 0) {
				fprintf(stderr,
					"dutlab ssh: --probe-timeout wants ms (1-600000)\n");
				goto out;
			}
		} else if (strcmp(arg, "--json") == 0) {
			json = true;
		} else if (strcmp(arg, "--no-host-keys") == 0) {
			skip_host_keys = true;
		} else if (arg[0] == '-') {
			fprintf(stderr, "dutlab ssh: unknown option '%s'\n", arg);
			usage(stderr);
			goto out;
		} else {
			endpoints[endpoint_count++] = arg;
		}
	}
	if (!profile_path == !have_scope) {
		fprintf(stderr, "dutlab ssh: give either --profile or --scope\n");
		usage(stderr);
		goto out;
	}
	if (interface && !have_scope) {
		fprintf(stderr, "dutlab ssh: --interface goes with --scope (a profile names its "
				"interfaces)\n");
		goto out;
	}
	const struct scope *use_scope = &scope;
	if (profile_path) {
		if (profile_load(&profile, profile_path, &err) < 0) {
			fprintf(stderr, "dutlab ssh: %s\n", err.message);
			goto out;
		}
		profile_loaded = true;
		use_scope = &profile.scope;
		interface = sock_interface(&profile.scope);
		if (endpoint_count == 0)
			for (size_t i = 0; i < profile.address_count; i++)
				endpoints[endpoint_count++] = profile.addresses[i];
	} else if (interface && scope_add_interface(&scope, interface, &err) < 0) {
		fprintf(stderr, "dutlab ssh: --interface: %s\n", err.message);
		goto out;
	}
	if (endpoint_count == 0) {
		fprintf(stderr, "dutlab ssh: no ADDRESS to audit\n");
		usage(stderr);
		goto out;
	}
	all = json_object_new_array();
	if (!all) {
		status = 1;
		goto out;
	}
	status = 0;
	for (size_t i = 0; i < endpoint_count; i++) {
		char address[SSH_CMD_ADDRESS_MAX];
		uint16_t port;
		if (parse_endpoint(endpoints[i], address, sizeof(address), &port) < 0) {
			fprintf(stderr,
				"dutlab ssh: '%s' is not ADDRESS[:PORT] (IPv6: [ADDRESS]:PORT)\n",
				endpoints[i]);
			status = 2;
			goto out;
		}
		struct ssh_audit_options options = {
			.scope = use_scope,
			.interface = interface,
			.probe_timeout_ms = (unsigned)probe_ms,
			.deadline_ns = sock_now_ns() + (int64_t)timeout * 1000000000,
			.skip_host_keys = skip_host_keys,
		};
		struct json_object *result = NULL;
		int rc = ssh_audit_endpoint(address, port, &options, &result, &err);
		if (rc < 0) {
			fprintf(stderr, "dutlab ssh: %s\n", err.message);
			status = rc == DL_ESCOPE || rc == DL_EINVAL ? 2 : 1;
			goto out;
		}
		if (!endpoint_complete(result))
			status = 1;
		if (!json)
			print_endpoint(result);
		json_object_array_add(all, result);
	}
	if (json) {
		struct json_object *shown =
			endpoint_count == 1 ? json_object_array_get_idx(all, 0) : all;
		printf("%s\n",
		       json_object_to_json_string_ext(
			       shown, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
	}
out:
	json_object_put(all);
	if (profile_loaded)
		profile_release(&profile);
	scope_release(&scope);
	free(endpoints);
	return status;
}
