/* cmd-tlsclient: `dutlab tlsclient`: run the tlsclient.matrix collector alone and judge it */
#include "core/compat.h"

#include <json-c/json.h>
#include <json-c/json_util.h>
#include <limits.h>
#include <sys/stat.h>

#include "checks/check.h"
#include "checks/tlsclient/tlsclient.h"
#include "cli/commands.h"
#include "core/error.h"
#include "core/json-read.h"
#include "core/profile.h"
#include "core/text.h"
#include "net/sock.h"

static void usage(FILE *out)
{
	fprintf(out,
		"usage: dutlab tlsclient --profile FILE [--evidence DIR] [--json] [--observation "
		"FILE]\n"
		"                        [--timeout S]\n"
		"\n"
		"For every tls_clients channel of the profile, play the server the DUT connects\n"
		"to: run the channel's trigger operation once per certificate variant (the valid\n"
		"control, then expired, not yet valid, wrong host, SHA-1, RSA-1024, wrong EKU,\n"
		"tampered signature, revoked, malformed, self-signed, unknown CA, and servers\n"
		"offering only TLS 1.0/1.1 or only static-RSA suites) and print whether the DUT\n"
		"refused or accepted each, then the tlsclient.validation verdict.\n"
		"\n"
		"  --evidence DIR   capture each attempt as DIR/tlsclient/NAME-VARIANT.pcapng\n"
		"  --json           print the collector's observation (JSON) instead\n"
		"  --observation F  also write the observation (JSON) to F\n"
		"  --timeout S      give up after S seconds (default: the collector's 300)\n"
		"\n"
		"Exit status: 0 the matrix ran, 1 it could not run, 2 bad usage or a broken "
		"profile.\n");
}

static void print_observation(struct json_object *o)
{
	struct json_object *clients = json_read_array(o, "clients");
	for (size_t i = 0; i < json_read_length(clients); i++) {
		struct json_object *c = json_object_array_get_idx(clients, i);
		printf("channel %s: %s:%s via %s, trigger %s\n", json_read_text(c, "name", "?"),
		       json_read_text(c, "host", "?"),
		       json_object_get_string(json_read_member(c, "port")),
		       json_read_text(c, "listen", "?"), json_read_text(c, "trigger", "?"));
		if (json_read_text(c, "error", NULL))
			printf("  error: %s\n", json_read_text(c, "error", ""));
		struct json_object *attempts = json_read_array(c, "attempts");
		for (size_t j = 0; j < json_read_length(attempts); j++) {
			struct json_object *a = json_object_array_get_idx(attempts, j);
			printf("  %-19s expect %-6s -> %-13s %-8s %-40s alert: %-22s request: %s\n",
			       json_read_text(a, "variant", "?"), json_read_text(a, "expect", "?"),
			       json_read_text(a, "verdict", "?"), json_read_text(a, "version", "-"),
			       json_read_text(a, "cipher", "-"),
			       json_read_text(a, "client_alert", "-"),
			       json_read_text(a, "request", "-"));
			if (json_read_text(a, "note", NULL))
				printf("  %-19s note: %s\n", "", json_read_text(a, "note", ""));
		}
		printf("  revocation responder: %s ocsp requests, %s crl requests\n",
		       json_object_get_string(json_read_member(c, "ocsp_requests")),
		       json_object_get_string(json_read_member(c, "crl_requests")));
	}
}

static int judge_and_print(struct json_object *o, const struct profile *p)
{
	struct check_verdict v;
	memset(&v, 0, sizeof(v));
	struct dl_error err = {0};
	struct check_params params = {0};
	if (check_tlsclient_validation.judge(o, &params, p, &v, &err) < 0) {
		fprintf(stderr, "dutlab tlsclient: %s\n", err.message);
		return 1;
	}
	printf("tlsclient.validation: %s: %s\n", verdict_name(v.verdict),
	       v.summary ? v.summary : "");
	for (size_t i = 0; i < v.finding_count; i++)
		if (v.findings[i].severity == FINDING_FAIL ||
		    v.findings[i].severity == FINDING_WARNING)
			printf("  %s: %s\n",
			       v.findings[i].severity == FINDING_FAIL ? "fail" : "warning",
			       v.findings[i].text);
	check_verdict_release(&v);
	return 0;
}

int cmd_tlsclient(int argc, char **argv)
{
	const char *profile_path = NULL, *evidence = NULL, *observation_path = NULL;
	bool json = false;
	long timeout = collector_tlsclient_matrix.timeout_seconds;
	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i];
		if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
			usage(stdout);
			return 0;
		} else if (strcmp(arg, "--profile") == 0 && i + 1 < argc) {
			profile_path = argv[++i];
		} else if (strcmp(arg, "--evidence") == 0 && i + 1 < argc) {
			evidence = argv[++i];
		} else if (strcmp(arg, "--timeout") == 0 && i + 1 < argc) {
			if (text_parse_long(argv[++i], 1, 86400, &timeout) != 0) {
				fprintf(stderr,
					"dutlab tlsclient: --timeout wants seconds (1-86400)\n");
				return 2;
			}
		} else if (strcmp(arg, "--observation") == 0 && i + 1 < argc) {
			observation_path = argv[++i];
		} else if (strcmp(arg, "--json") == 0) {
			json = true;
		} else {
			fprintf(stderr, "dutlab tlsclient: unknown argument '%s'\n", arg);
			usage(stderr);
			return 2;
		}
	}
	if (!profile_path) {
		usage(stderr);
		return 2;
	}
	struct profile profile;
	struct dl_error err = {0};
	if (profile_load(&profile, profile_path, &err) < 0) {
		fprintf(stderr, "dutlab tlsclient: %s\n", err.message);
		return 2;
	}
	char evidence_dir[PATH_MAX] = "", campaign_dir[PATH_MAX] = "";
	if (evidence) {
		if ((mkdir(evidence, 0755) < 0 && errno != EEXIST) ||
		    !realpath(evidence, campaign_dir)) {
			fprintf(stderr, "dutlab tlsclient: '%s': %s\n", evidence, strerror(errno));
			profile_release(&profile);
			return 1;
		}
		snprintf(evidence_dir, sizeof(evidence_dir), "%s/evidence", campaign_dir);
		if (mkdir(evidence_dir, 0755) < 0 && errno != EEXIST) {
			fprintf(stderr, "dutlab tlsclient: '%s': %s\n", evidence_dir,
				strerror(errno));
			profile_release(&profile);
			return 1;
		}
	}
	struct check_context ctx = {
		.profile = &profile,
		.scope = &profile.scope,
		.campaign_dir = evidence ? campaign_dir : NULL,
		.evidence_dir = evidence ? evidence_dir : NULL,
		.deadline_ns = sock_now_ns() + (int64_t)timeout * 1000000000,
	};
	struct json_object *observation = NULL;
	int status = 0;
	if (collector_tlsclient_matrix.collect(&ctx, &observation, &err) < 0) {
		fprintf(stderr, "dutlab tlsclient: %s\n", err.message);
		status = 1;
	} else {
		if (observation_path &&
		    json_object_to_file_ext(observation_path, observation,
					    JSON_C_TO_STRING_PRETTY |
						    JSON_C_TO_STRING_NOSLASHESCAPE) < 0) {
			fprintf(stderr, "dutlab tlsclient: cannot write '%s': %s\n",
				observation_path, json_util_get_last_err());
			status = 1;
		}
		if (json)
			printf("%s\n",
			       json_object_to_json_string_ext(
				       observation,
				       JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
		else {
			print_observation(observation);
			if (judge_and_print(observation, &profile) != 0)
				status = 1;
		}
		json_object_put(observation);
	}
	profile_release(&profile);
	return status;
}
