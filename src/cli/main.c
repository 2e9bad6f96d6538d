/* main: the dutlab command; the only main() of the tool, dispatching to one subcommand */
#include "core/compat.h"

#include "cli/commands.h"
#include "dutlab-config.h"

struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
};

/* Sorted by name; `dutlab help` prints them in this order. */
static const struct command commands[] = {
	{"catalog", cmd_catalog, "list and show the clauses of the three standards"},
	{"checks", cmd_checks, "list the checks and collectors this dutlab knows"},
	{"fuzz", cmd_fuzz, NULL},     /* hidden until the campaign lands: templates and cases */
	{"health", cmd_health, NULL}, /* hidden: the campaign's health monitors alone */
	{"lab", cmd_lab, "bring the virtual lab's reference DUTs up and down"},
	{"login", cmd_login, NULL}, /* hidden: a lab engineer's tool (docs/auth.md) */
	/* hidden: raw frames for bench/l2-vs-trafgen.sh and tests/lab/packet */
	{"packets", cmd_packets, NULL},
	{"profile", cmd_profile, "validate a DUT profile and print what it declares"},
	{"report", cmd_report, "rebuild report.json, report.html and junit.xml from campaign.db"},
	{"run", cmd_run, "plan and run a campaign against a DUT (or --dry-run, --resume)"},
	{"scan", cmd_scan, "scan a DUT's TCP and UDP services (the discovery collector alone)"},
	{"ssh", cmd_ssh, "audit SSH endpoints: key exchange, host key, cipher, MAC, fingerprints"},
	{"tls", cmd_tls,
	 "audit TLS endpoints: versions, suites, groups, vulnerabilities, certificates"},
	{"tlsclient", cmd_tlsclient,
	 "play the servers the DUT connects to: does it refuse bad certificates?"},
	{"verify", cmd_verify, "check a campaign's evidence against its SHA-256 manifest"},
};

static void usage(FILE *out)
{
	fprintf(out, "usage: dutlab <command> [options]\n\ncommands:\n");
	for (size_t i = 0; i < DL_ARRAY_SIZE(commands); i++)
		if (commands[i].summary)
			fprintf(out, "  %-8s %s\n", commands[i].name, commands[i].summary);
	fprintf(out, "\n'dutlab <command> --help' tells more. dutlab %s\n", DUTLAB_VERSION);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	const char *name = argv[1];
	if (strcmp(name, "help") == 0 || strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(name, "--version") == 0 || strcmp(name, "version") == 0) {
		printf("dutlab %s\n", DUTLAB_VERSION);
		return 0;
	}
	for (size_t i = 0; i < DL_ARRAY_SIZE(commands); i++)
		if (strcmp(commands[i].name, name) == 0)
			return commands[i].run(argc - 1, argv + 1);
	fprintf(stderr, "dutlab: '%s' is not a dutlab command; see 'dutlab help'\n", name);
	return 2;
}
