/* cmd-scan: `dutlab scan`: run the discovery.scan collector alone and print what it found */
#include "core/compat.h"

#include <json-c/json.h>
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

#include "checks/check.h"
#include "cli/commands.h"
#include "core/error.h"
#include "core/json-read.h"
#include "core/profile.h"
#include "core/text.h"
#include "net/sock.h"
#include "net/tcp-scan.h"

extern const struct collector collector_discovery_scan;

static void usage(FILE *out)
{
	fprintf(out,
		"usage: dutlab scan --profile FILE [--evidence DIR] [--json] [--ports-only]\n"
		"                   [--timeout SECONDS] [ADDRESS...]\n"
		"\n"
		"Scan TCP ports 1-65535 of each ADDRESS (default: the profile's dut.addresses),\n"
		"identify every open port, send the UDP discovery probes (SNMP, SSDP, mDNS,\n"
		"NTP, TFTP, syslog) and print what answered, with timings. Only addresses and\n"
		"interfaces in the profile's scope are contacted.\n"
		"\n"
		"  --evidence DIR   capture the exchanges as pcapng files under DIR/discovery\n"
		"  --json           print the collector's observation (JSON) instead\n"
		"  --ports-only     only the TCP scan: one line of open ports per address, as\n"
		"                   bench/scan-vs-nmap.sh compares with nmap -sS -p-\n"
		"  --timeout S      give up after S seconds (default: the collector's 300)\n"
		"\n"
		"Exit status: 0 scanned, 1 the scan failed, 2 bad usage or a broken profile.\n");
}

static void print_service(const char *proto, struct json_object *s)
{
	char where[16];
	snprintf(where, sizeof(where), "%s/%" PRId64, proto, json_read_int(s, "port", 0));
	printf("  %-10s %-12s ", where, json_read_text(s, "service", ""));
	cli_put_printable(stdout, json_read_text(s, "product", ""));
	if (*json_read_text(s, "version", "")) {
		putchar(' ');
		cli_put_printable(stdout, json_read_text(s, "version", ""));
	}
	if (json_read_true(s, "tls"))
		printf(" [tls %s]", json_read_text(s, "tls_version", ""));
	if (json_read_true(s, "debug"))
		printf(" [debug]");
	putchar('\n');
	if (*json_read_text(s, "detail", "")) {
		printf("             ");
		cli_put_printable(stdout, json_read_text(s, "detail", ""));
		putchar('\n');
	}
	struct json_object *d = json_read_array(s, "disclosures");
	for (size_t i = 0; i < json_read_length(d); i++) {
		struct json_object *item = json_object_array_get_idx(d, i);
		printf("             discloses %s: ", json_read_text(item, "kind", ""));
		cli_put_printable(stdout, json_read_text(item, "text", ""));
		putchar('\n');
	}
}

static void print_observation(struct json_object *o)
{
	struct json_object *addresses = json_read_array(o, "addresses");
	for (size_t i = 0; i < json_read_length(addresses); i++) {
		struct json_object *a = json_object_array_get_idx(addresses, i);
		struct json_object *tcp = json_read_member(a, "tcp"),
				   *udp = json_read_member(a, "udp");
		struct json_object *open = json_read_array(tcp, "open");
		struct json_object *services = json_read_array(udp, "services");
		printf("%s (%s): tcp %s scan of %" PRId64 " ports in %.3f s: %zu open, %" PRId64
		       " closed, %" PRId64 " filtered%s\n",
		       json_read_text(a, "address", ""), json_read_text(a, "family", ""),
		       json_read_text(tcp, "method", ""), json_read_int(tcp, "ports_scanned", 0),
		       (double)json_read_int(tcp, "duration_ms", 0) / 1000.0,
		       json_read_length(open), json_read_int(tcp, "closed", 0),
		       json_read_int(tcp, "filtered", 0),
		       *json_read_text(tcp, "error", "") ? " (failed)" : "");
		if (*json_read_text(tcp, "error", ""))
			printf("  error: %s\n", json_read_text(tcp, "error", ""));
		for (size_t j = 0; j < json_read_length(open); j++)
			print_service("tcp", json_object_array_get_idx(open, j));
		for (size_t j = 0; j < json_read_length(services); j++)
			print_service("udp", json_object_array_get_idx(services, j));
		printf("  address done in %.3f s\n",
		       (double)json_read_int(a, "duration_ms", 0) / 1000.0);
	}
	struct json_object *notes = json_read_array(o, "notes");
	for (size_t i = 0; i < json_read_length(notes); i++)
		printf("note: %s\n", json_object_get_string(json_object_array_get_idx(notes, i)));
	printf("total %.3f s\n", (double)json_read_int(o, "duration_ms", 0) / 1000.0);
}

/* --ports-only: the TCP scan alone, "ADDRESS open PORT,PORT (method, seconds...)". */
static int scan_ports(const struct check_context *ctx, struct dl_error *err)
{
	const char *interface = sock_interface(ctx->scope);
	for (size_t i = 0; i < ctx->profile->address_count; i++) {
		struct sock_address target;
		if (sock_address_parse(ctx->profile->addresses[i], 0, &target, err) < 0)
			return 2;
		struct tcp_scan_options options = {.retries = 1};
		struct tcp_scan_result r;
		int rc = tcp_scan(ctx->scope, interface, &target, &options, ctx->deadline_ns, &r,
				  err);
		if (rc < 0)
			return rc == DL_ESCOPE || rc == DL_EINVAL ? 2 : 1;
		printf("%s open ", ctx->profile->addresses[i]);
		for (size_t j = 0; j < r.open_count; j++)
			printf("%s%u", j ? "," : "", r.open[j]);
		printf(" (%s scan, %.3f s, %u closed, %u filtered%s)\n",
		       tcp_scan_method_name(r.method), (double)r.duration_ns / 1e9, r.closed,
		       r.filtered, r.complete ? "" : ", cut short by the deadline");
		tcp_scan_result_release(&r);
	}
	return 0;
}

int cmd_scan(int argc, char **argv)
{
	const char *profile_path = NULL, *evidence = NULL;
	bool json = false, ports_only = false;
	long timeout = collector_discovery_scan.timeout_seconds;
	char **addresses = calloc((size_t)argc + 1, sizeof(*addresses));
	size_t address_count = 0;
	if (!addresses)
		return 1;
	int status = 2;
	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i];
		if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
			usage(stdout);
			status = 0;
			goto out;
		} else if (strcmp(arg, "--profile") == 0 && i + 1 < argc) {
			profile_path = argv[++i];
		} else if (strcmp(arg, "--evidence") == 0 && i + 1 < argc) {
			evidence = argv[++i];
		} else if (strcmp(arg, "--timeout") == 0 && i + 1 < argc) {
			if (text_parse_long(argv[++i], 1, 86400, &timeout) != 0) {
				fprintf(stderr, "dutlab scan: --timeout wants seconds (1-86400)\n");
				goto out;
			}
		} else if (strcmp(arg, "--json") == 0) {
			json = true;
		} else if (strcmp(arg, "--ports-only") == 0) {
			ports_only = true;
		} else if (arg[0] == '-') {
			fprintf(stderr, "dutlab scan: unknown option '%s'\n", arg);
			usage(stderr);
			goto out;
		} else {
			addresses[address_count++] = argv[i];
		}
	}
	if (!profile_path) {
		usage(stderr);
		goto out;
	}
	struct profile profile;
	struct dl_error err = {0};
	if (profile_load(&profile, profile_path, &err) < 0) {
		fprintf(stderr, "dutlab scan: %s\n", err.message);
		goto out;
	}
	/* Addresses on the command line replace dut.addresses; the scope
	 * guard still refuses any outside scope.networks. */
	struct profile view = profile;
	if (address_count > 0) {
		view.addresses = addresses;
		view.address_count = address_count;
	}
	char evidence_dir[PATH_MAX] = "", campaign_dir[PATH_MAX] = "";
	if (evidence) {
		if (mkdir(evidence, 0755) < 0 && errno != EEXIST) {
			fprintf(stderr, "dutlab scan: cannot create '%s': %s\n", evidence,
				strerror(errno));
			profile_release(&profile);
			status = 1;
			goto out;
		}
		if (!realpath(evidence, evidence_dir)) {
			fprintf(stderr, "dutlab scan: '%s': %s\n", evidence, strerror(errno));
			profile_release(&profile);
			status = 1;
			goto out;
		}
		snprintf(campaign_dir, sizeof(campaign_dir), "%s", evidence_dir);
	}
	struct check_context ctx = {
		.profile = &view,
		.scope = &profile.scope,
		.campaign_dir = evidence ? campaign_dir : NULL,
		.evidence_dir = evidence ? evidence_dir : NULL,
		.deadline_ns = sock_now_ns() + (int64_t)timeout * 1000000000,
	};
	if (ports_only) {
		status = scan_ports(&ctx, &err);
		if (status != 0)
			fprintf(stderr, "dutlab scan: %s\n", err.message);
		profile_release(&profile);
		goto out;
	}
	struct json_object *observation = NULL;
	int rc = collector_discovery_scan.collect(&ctx, &observation, &err);
	if (rc < 0) {
		fprintf(stderr, "dutlab scan: %s\n", err.message);
		status = rc == DL_ESCOPE || rc == DL_EINVAL ? 2 : 1;
	} else {
		if (json)
			printf("%s\n",
			       json_object_to_json_string_ext(
				       observation,
				       JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
		else
			print_observation(observation);
		json_object_put(observation);
		status = 0;
	}
	profile_release(&profile);
out:
	free(addresses);
	return status;
}
