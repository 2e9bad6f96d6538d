/* cmd-ssh: `dutlab ssh`: audit SSH endpoints' algorithms and host keys and print them */
#include "core/compat.h"

#include <json-c/json.h>

#include "checks/ssh/ssh-audit.h"
#include "cli/commands.h"
#include "core/error.h"
#include "core/json-read.h"
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
/* "yes", "no" or "-" (not applicable: JSON null or absent) */
static const char *yes_no(struct json_object *o, const char *key)
{
	struct json_object *v = json_read_member(o, key);
	if (!v)
		return "-";
	return json_object_get_boolean(v) ? "yes" : "no";
}

static void print_list(struct json_object *algorithms, const char *key, const char *label)
{
	struct json_object *list = json_read_array(algorithms, key);
	for (size_t i = 0; i < json_read_length(list); i++) {
		struct json_object *a = json_object_array_get_idx(list, i);
		printf("  %-12s %-36s fs %-3s approved %-3s %-7s", label,
		       json_read_text(a, "name", ""), yes_no(a, "forward_secrecy"),
		       yes_no(a, "approved"),
		       *json_read_text(a, "strength", "") ? json_read_text(a, "strength", "")
							  : "-");
		if (*json_read_text(a, "note", "")) {
			printf(" ");
			cli_put_printable(stdout, json_read_text(a, "note", ""));
		}
		putchar('\n');
	}
}

static void print_endpoint(struct json_object *e)
{
	struct json_object *ident = json_read_member(e, "ident");
	struct json_object *algorithms = json_read_member(e, "algorithms");
	struct json_object *keys = json_read_array(e, "host_keys");
	struct json_object *strict = json_read_member(e, "strict_kex");
	printf("%s port %" PRId64 ": ", json_read_text(e, "address", ""),
	       json_read_int(e, "port", 0));
	if (!json_read_true(e, "speaks_ssh")) {
		printf("does not speak SSH: ");
		cli_put_printable(stdout, json_read_text(e, "incomplete", ""));
		putchar('\n');
		return;
	}
	printf("SSH-%s-", json_read_text(ident, "protoversion", ""));
	cli_put_printable(stdout, json_read_text(ident, "software", ""));
	if (*json_read_text(ident, "comments", "")) {
		putchar(' ');
		cli_put_printable(stdout, json_read_text(ident, "comments", ""));
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
		struct json_object *compression = json_read_array(algorithms, "compression");
		if (compression) {
			printf("  %-12s ", "compression");
			for (size_t i = 0; i < json_object_array_length(compression); i++) {
				printf("%s", i ? ", " : "");
				cli_put_printable(stdout, json_read_text(json_object_array_get_idx(
										 compression, i),
									 "name", ""));
			}
			putchar('\n');
		}
	}
	for (size_t i = 0; i < json_read_length(keys); i++) {
		struct json_object *k = json_object_array_get_idx(keys, i);
		printf("  %-12s %-24s ", "host key", json_read_text(k, "algorithm", ""));
		if (strcmp(yes_no(k, "fetched"), "yes") == 0)
			printf("%" PRId64 " bits (%s) %s\n", json_read_int(k, "bits", 0),
			       json_read_text(k, "strength", ""),
			       json_read_text(k, "fingerprint", ""));
		else {
			printf("not fetched: ");
			cli_put_printable(stdout, json_read_text(k, "error", ""));
			putchar('\n');
		}
	}
	if (*json_read_text(e, "incomplete", "")) {
		printf("  incomplete: ");
		cli_put_printable(stdout, json_read_text(e, "incomplete", ""));
		putchar('\n');
	}
	printf("  %" PRId64 " connections in %.3f s\n", json_read_int(e, "connections", 0),
	       (double)json_read_int(e, "duration_ms", 0) / 1000.0);
}

static bool endpoint_complete(struct json_object *e)
{
	return json_read_true(e, "speaks_ssh") && json_read_true(e, "complete");
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
		struct dl_error parse_err = {0};
		if (sock_endpoint_parse(endpoints[i], SSH_PORT, address, sizeof(address), &port,
					&parse_err) < 0) {
			fprintf(stderr, "dutlab ssh: %s\n", parse_err.message);
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
