/* cmd-tls: `dutlab tls`: audit TLS endpoints and print what each offers */
#include "core/compat.h"

#include <json-c/json.h>

#include "checks/tls/tls-audit.h"
#include "cli/commands.h"
#include "core/error.h"
#include "core/json-read.h"
#include "core/profile.h"
#include "core/text.h"
#include "net/scope.h"
#include "net/sock.h"

static void usage(FILE *out)
{
	fprintf(out,
		"usage: dutlab tls [--json] [--sni NAME] [--connections N] [--no-vulnerabilities]\n"
		"                  [--timeout SECONDS] [--ca-bundle FILE]\n"
		"                  (--profile FILE | --scope NETWORK... [--interface IF])\n"
		"                  ADDRESS[:PORT]...\n"
		"\n"
		"Audit each TLS endpoint with dutlab's own ClientHellos: the versions SSLv2 to\n"
		"TLS 1.3, every IANA cipher suite per version in the server's order, the named\n"
		"groups, DH sizes, compression, secure renegotiation, TLS_FALLBACK_SCSV,\n"
		"Heartbleed and CCS injection, and the served certificate chain. PORT defaults\n"
		"to 443; write IPv6 as [fd00:198::2]:443. Only addresses in scope are contacted.\n"
		"\n"
		"  --json                print the audit as JSON (an array for several endpoints)\n"
		"  --sni NAME            send NAME as server_name (default: none)\n"
		"  --connections N       parallel connections per endpoint (default 8)\n"
		"  --no-vulnerabilities  skip the Heartbleed and CCS injection probes\n"
		"  --timeout SECONDS     give up on an endpoint after this long (default 300)\n"
		"  --ca-bundle FILE      PEM trust anchors for the chain (default: the profile's\n"
		"                        tls.ca_bundle, else the system store)\n"
		"  --profile FILE        take the scope, interface, CA bundle and names from it\n"
		"  --scope NETWORK       allow this network (repeatable, or comma-separated)\n"
		"  --interface IF        send from IF only (with --scope)\n"
		"\n"
		"Exit status: 0 audited, 1 an audit failed (or the endpoint could not be\n"
		"reached), 2 bad usage.\n");
}

/* "198.18.1.2", "198.18.1.2:8443", "[fd00::2]:443", "fd00::2" */
static const char *yes_no(struct json_object *v, const char *yes, const char *no)
{
	if (!v)
		return "undecided";
	return json_object_get_boolean(v) ? yes : no;
}

static void print_suites(struct json_object *audit, const char *version)
{
	struct json_object *suites = json_read_member(audit, "suites");
	struct json_object *pref =
		json_read_member(json_read_member(audit, "server_preference"), version);
	size_t count = 0;
	for (size_t i = 0; suites && i < json_object_array_length(suites); i++)
		count += strcmp(json_read_text(json_object_array_get_idx(suites, i), "version", ""),
				version) == 0;
	const char *order = count == 1                      ? "one"
			    : !pref                         ? "order undecided"
			    : json_object_get_boolean(pref) ? "server's order"
							    : "client's order is followed";
	bool header = false;
	for (size_t i = 0; suites && i < json_object_array_length(suites); i++) {
		struct json_object *s = json_object_array_get_idx(suites, i);
		if (strcmp(json_read_text(s, "version", ""), version) != 0)
			continue;
		if (!header) {
			printf("  %s suites (%s):\n", version, order);
			header = true;
		}
		char kx[48];
		struct json_object *group = json_read_member(s, "group"),
				   *bits = json_read_member(s, "kx_bits");
		if (group)
			snprintf(kx, sizeof(kx), "%s %s", json_read_text(s, "kx", "?"),
				 json_object_get_string(group));
		else if (bits)
			snprintf(kx, sizeof(kx), "%s %d", json_read_text(s, "kx", "?"),
				 json_object_get_int(bits));
		else
			snprintf(kx, sizeof(kx), "%s", json_read_text(s, "kx", "?"));
		printf("    %-48s %-20s %3d bits  %-6s approved:%-6s\n",
		       json_read_text(s, "name", "?"), kx,
		       json_object_get_int(json_read_member(s, "bits")),
		       json_object_get_boolean(json_read_member(s, "forward_secrecy")) ? "FS"
										       : "no-FS",
		       json_read_text(s, "approved", "?"));
	}
}

static void print_certificates(struct json_object *c)
{
	if (!c) {
		printf("  certificate: none seen\n");
		return;
	}
	struct json_object *chain = json_read_member(c, "chain");
	for (size_t i = 0; chain && i < json_object_array_length(chain); i++) {
		struct json_object *x = json_object_array_get_idx(chain, i);
		printf("  certificate %zu: ", i);
		cli_put_printable(stdout, json_read_text(x, "subject",
							 json_read_text(x, "parse_error", "?")));
		printf("\n    issuer ");
		cli_put_printable(stdout, json_read_text(x, "issuer", "?"));
		printf("\n    %s %d bits, %s, valid until %s (%d days left)\n",
		       json_read_text(x, "key_type", "?"),
		       json_object_get_int(json_read_member(x, "key_bits")),
		       json_read_text(x, "signature_algorithm", "?"),
		       json_read_text(x, "not_after", "?"),
		       json_object_get_int(json_read_member(x, "days_left")));
		struct json_object *problems = json_read_member(x, "problems");
		if (problems && json_object_array_length(problems) > 0)
			printf("    problems: %s\n",
			       json_object_to_json_string_ext(problems, JSON_C_TO_STRING_PLAIN));
		if (i == 0)
			printf("    sha256 %s\n", json_read_text(x, "sha256", "?"));
	}
	printf("  chain: %s", yes_no(json_read_member(c, "trusted"), "trusted", "not trusted"));
	if (json_read_member(c, "verify_error")) {
		printf(" (");
		cli_put_printable(stdout, json_read_text(c, "verify_error", ""));
		printf(")");
	}
	printf(" against %s\n", json_read_text(c, "trust_store", "?"));
}

static void print_audit(struct json_object *a)
{
	printf("%s port %d%s%s: ", json_read_text(a, "address", "?"),
	       json_object_get_int(json_read_member(a, "port")),
	       json_read_member(a, "server_name") ? " sni " : "",
	       json_read_text(a, "server_name", ""));
	if (!json_object_get_boolean(json_read_member(a, "speaks_tls")))
		printf("does not speak TLS\n");
	else
		printf("TLS\n");
	struct json_object *versions = json_read_member(a, "versions");
	printf("  versions offered:");
	for (size_t i = 0; versions && i < json_object_array_length(versions); i++) {
		struct json_object *v = json_object_array_get_idx(versions, i);
		if (json_object_get_boolean(json_read_member(v, "offered")))
			printf(" %s", json_read_text(v, "name", "?"));
	}
	printf("\n");
	struct json_object *ssl2 = json_read_member(a, "sslv2_ciphers");
	for (size_t i = 0; ssl2 && i < json_object_array_length(ssl2); i++)
		printf("  SSLv2 cipher %s\n",
		       json_read_text(json_object_array_get_idx(ssl2, i), "name", "?"));
	static const char *const order[] = {"TLSv1.3", "TLSv1.2", "TLSv1.1", "TLSv1.0", "SSLv3"};
	for (size_t i = 0; i < DL_ARRAY_SIZE(order); i++)
		print_suites(a, order[i]);
	struct json_object *groups = json_read_member(a, "groups");
	printf("  groups:");
	for (size_t i = 0; groups && i < json_object_array_length(groups); i++)
		printf(" %s", json_read_text(json_object_array_get_idx(groups, i), "name", "?"));
	printf("\n");
	if (json_read_member(a, "dh_bits"))
		printf("  smallest DH prime: %d bits\n",
		       json_object_get_int(json_read_member(a, "dh_bits")));
	printf("  compression: %s; secure renegotiation: %s; TLS_FALLBACK_SCSV: %s\n",
	       yes_no(json_read_member(a, "compression"), "ACCEPTED", "no"),
	       yes_no(json_read_member(a, "secure_renegotiation"), "yes", "NO"),
	       yes_no(json_read_member(a, "fallback_scsv"), "honoured", "IGNORED"));
	static const char *const vulns[] = {"heartbleed", "ccs_injection"};
	for (size_t i = 0; i < DL_ARRAY_SIZE(vulns); i++) {
		struct json_object *v = json_read_member(a, vulns[i]);
		printf("  %s: %s: ", vulns[i],
		       !json_object_get_boolean(json_read_member(v, "tested"))
			       ? "not tested"
			       : yes_no(json_read_member(v, "vulnerable"), "VULNERABLE",
					"not vulnerable"));
		cli_put_printable(stdout, json_read_text(v, "detail", ""));
		printf("\n");
	}
	print_certificates(json_read_member(a, "certificates"));
	printf("  %" PRId64 " connections in %.3f s%s%s\n",
	       json_object_get_int64(json_read_member(a, "connections")),
	       (double)json_object_get_int64(json_read_member(a, "duration_ms")) / 1000.0,
	       json_read_member(a, "incomplete") ? "; INCOMPLETE: " : "",
	       json_read_text(a, "incomplete", ""));
}

struct tls_cli {
	bool json;
	bool vulnerabilities;
	const char *sni;
	const char *profile_path;
	const char *interface;
	const char *ca_bundle;
	long connections;
	long timeout;
	char **endpoints;
	size_t endpoint_count;
	struct scope scope; /* from --scope */
};

static int parse(struct tls_cli *c, int argc, char **argv)
{
	struct dl_error err = {0};
	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i];
		bool more = i + 1 < argc;
		if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
			usage(stdout);
			return 1;
		} else if (strcmp(arg, "--json") == 0) {
			c->json = true;
		} else if (strcmp(arg, "--no-vulnerabilities") == 0) {
			c->vulnerabilities = false;
		} else if (strcmp(arg, "--sni") == 0 && more) {
			c->sni = argv[++i];
		} else if (strcmp(arg, "--profile") == 0 && more) {
			c->profile_path = argv[++i];
		} else if (strcmp(arg, "--interface") == 0 && more) {
			c->interface = argv[++i];
		} else if (strcmp(arg, "--ca-bundle") == 0 && more) {
			c->ca_bundle = argv[++i];
		} else if (strcmp(arg, "--connections") == 0 && more) {
			if (text_parse_long(argv[++i], 1, 64, &c->connections) != 0) {
				fprintf(stderr, "dutlab tls: --connections wants 1 to 64\n");
				return -1;
			}
		} else if (strcmp(arg, "--timeout") == 0 && more) {
			if (text_parse_long(argv[++i], 1, 86400, &c->timeout) != 0) {
				fprintf(stderr, "dutlab tls: --timeout wants seconds (1-86400)\n");
				return -1;
			}
		} else if (strcmp(arg, "--scope") == 0 && more) {
			char list[512];
			snprintf(list, sizeof(list), "%s", argv[++i]);
			char *save = NULL;
			for (char *n = strtok_r(list, ",", &save); n;
			     n = strtok_r(NULL, ",", &save))
				if (scope_add_network(&c->scope, n, &err) < 0) {
					fprintf(stderr, "dutlab tls: --scope: %s\n", err.message);
					return -1;
				}
		} else if (arg[0] == '-') {
			fprintf(stderr, "dutlab tls: unknown option '%s'\n", arg);
			usage(stderr);
			return -1;
		} else {
			c->endpoints[c->endpoint_count++] = argv[i];
		}
	}
	if (c->endpoint_count == 0 || (!c->profile_path) == (c->scope.network_count == 0)) {
		fprintf(stderr,
			"dutlab tls: give ADDRESS[:PORT] and either --profile or --scope\n");
		usage(stderr);
		return -1;
	}
	if (c->interface && !c->profile_path &&
	    scope_add_interface(&c->scope, c->interface, &err) < 0) {
		fprintf(stderr, "dutlab tls: --interface: %s\n", err.message);
		return -1;
	}
	return 0;
}

static int audit_all(const struct tls_cli *c, const struct profile *profile)
{
	const struct scope *scope = profile ? &profile->scope : &c->scope;
	struct tls_audit_options o = {
		.scope = scope,
		.interface = c->interface ? c->interface : sock_interface(scope),
		.server_name = c->sni,
		.connections_max = (unsigned)c->connections,
		.vulnerabilities = c->vulnerabilities,
		.ca_bundle = c->ca_bundle ? c->ca_bundle
			     : profile    ? profile->tls_ca_bundle
					  : NULL,
	};
	if (profile && profile->tls_server_name_count > 0) {
		o.expected_names = (const char *const *)profile->tls_server_names;
		o.expected_name_count = profile->tls_server_name_count;
	}
	struct json_object *all = json_object_new_array();
	int status = all ? 0 : 1;
	for (size_t i = 0; all && i < c->endpoint_count; i++) {
		char address[64];
		uint16_t port;
		struct dl_error parse_err = {0};
		if (sock_endpoint_parse(c->endpoints[i], 443, address, sizeof(address), &port,
					&parse_err) < 0) {
			fprintf(stderr, "dutlab tls: %s\n", parse_err.message);
			json_object_put(all);
			return 2;
		}
		struct dl_error err = {0};
		struct json_object *audit = NULL;
		o.deadline_ns = sock_now_ns() + (int64_t)c->timeout * 1000000000;
		int rc = tls_audit_endpoint(address, port, &o, &audit, &err);
		if (rc < 0) {
			fprintf(stderr, "dutlab tls: %s port %u: %s\n", address, port, err.message);
			status = rc == DL_ESCOPE || rc == DL_EINVAL ? 2 : 1;
			continue;
		}
		/* no TLS because no connection at all: the audit failed */
		if (!json_object_get_boolean(json_read_member(audit, "speaks_tls")) &&
		    json_read_member(audit, "incomplete") && status == 0)
			status = 1;
		if (!c->json) {
			print_audit(audit);
			json_object_put(audit);
		} else {
			json_object_array_add(all, audit);
		}
	}
	if (c->json && all) {
		struct json_object *shown = all;
		if (json_object_array_length(all) == 1)
			shown = json_object_array_get_idx(all, 0);
		printf("%s\n",
		       json_object_to_json_string_ext(
			       shown, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
	}
	json_object_put(all);
	return status;
}

int cmd_tls(int argc, char **argv)
{
	struct tls_cli c = {.vulnerabilities = true, .connections = 8, .timeout = 300};
	c.scope.origin = "--scope";
	c.endpoints = calloc((size_t)argc + 1, sizeof(*c.endpoints));
	if (!c.endpoints)
		return 1;
	int status = parse(&c, argc, argv);
	if (status != 0) {
		status = status > 0 ? 0 : 2;
	} else if (c.profile_path) {
		struct profile profile;
		struct dl_error err = {0};
		if (profile_load(&profile, c.profile_path, &err) < 0) {
			fprintf(stderr, "dutlab tls: %s\n", err.message);
			status = 2;
		} else {
			status = audit_all(&c, &profile);
			profile_release(&profile);
		}
	} else {
		status = audit_all(&c, NULL);
	}
	scope_release(&c.scope);
	free(c.endpoints);
	return status;
}
