/* cmd-profile: `dutlab profile check FILE`: validate a DUT profile and print what it declares */
#include "core/compat.h"

#include <sys/stat.h>

#include "cli/commands.h"
#include "core/error.h"
#include "core/profile.h"

static void usage(FILE *out)
{
	fprintf(out,
		"usage: dutlab profile check FILE\n"
		"\n"
		"  check   load and validate the DUT profile FILE (YAML) and print a summary:\n"
		"          identity, targets, scope, addresses, services, credentials (roles\n"
		"          only), adapters (login adapters with their options and\n"
		"          actions), roles, auth, artifacts, capabilities and report fields.\n"
		"\n"
		"Exit status: 0 valid, 2 bad usage or a broken profile (the message says\n"
		"FILE:LINE:COLUMN, what was found and what was expected).\n"
		"The format is described in docs/profile.md.\n");
}

/* Profile strings may hold any Unicode text, including control characters
 * written as YAML escapes: never send those to the terminal. */
static void put_field(FILE *out, const char *label, const char *text)
{
	fprintf(out, "%-13s ", label);
	cli_put_printable(out, text ? text : "-");
	fputc('\n', out);
}

/* A heading over an indented list, or "none" beside it. */
static void put_heading(FILE *out, const char *label, bool empty)
{
	if (empty)
		fprintf(out, "%-13s none\n", label);
	else
		fprintf(out, "%s\n", label);
}

/* auth: only what the profile declares; 0 is "not declared". */
static void print_auth(FILE *out, const struct profile_auth *a)
{
	if (!a->test_credential && !a->lockout_threshold && !a->lockout_period_seconds &&
	    !a->lockout_reset_seconds && !a->idle_timeout_seconds && !a->password_min_length &&
	    !a->password_classes && !a->password_history && !a->password_min_age_days &&
	    !a->password_max_age_days && !a->password_warning && !a->password_policy_reference)
		return;
	put_heading(out, "auth:", false);
	if (a->test_credential)
		fprintf(out, "  test account: credential %s\n", a->test_credential);
	if (a->lockout_threshold || a->lockout_period_seconds || a->lockout_reset_seconds)
		fprintf(out, "  lockout: %u failures, locked %u s, counter reset after %u s\n",
			a->lockout_threshold, a->lockout_period_seconds, a->lockout_reset_seconds);
	if (a->idle_timeout_seconds)
		fprintf(out, "  idle timeout: %u s\n", a->idle_timeout_seconds);
	if (a->password_min_length || a->password_classes || a->password_history ||
	    a->password_min_age_days || a->password_max_age_days)
		fprintf(out,
			"  password policy: min length %u, %u classes, history %u, age %u to %u "
			"days\n",
			a->password_min_length, a->password_classes, a->password_history,
			a->password_min_age_days, a->password_max_age_days);
	if (a->password_warning) {
		fputs("  weak-password warning: ", out);
		cli_put_printable(out, a->password_warning);
		fputc('\n', out);
	}
	if (a->password_policy_reference) {
		fputs("  policy reference: ", out);
		cli_put_printable(out, a->password_policy_reference);
		fputc('\n', out);
	}
}

static void print_summary(FILE *out, const struct profile *p)
{
	put_field(out, "profile:", p->path);
	fprintf(out, "%-13s ", "identity:");
	cli_put_printable(out, p->vendor);
	fputc(' ', out);
	cli_put_printable(out, p->model);
	fputs(", firmware ", out);
	cli_put_printable(out, p->firmware);
	if (p->serial) {
		fputs(", serial ", out);
		cli_put_printable(out, p->serial);
	}
	fprintf(out, ", product type %s\n", product_type_name(p->product_type));

	fprintf(out, "%-13s ", "targets:");
	for (size_t i = 0; i < p->target_count; i++) {
		fprintf(out, "%s%s", i ? ", " : "", p->targets[i].standard);
		if (p->targets[i].level)
			fprintf(out, " level %d", p->targets[i].level);
	}
	fputc('\n', out);

	fprintf(out, "%-13s networks ", "scope:");
	for (size_t i = 0; i < p->scope.network_count; i++)
		fprintf(out, "%s%s", i ? ", " : "", p->scope.networks[i].text);
	fputs("; interfaces ", out);
	if (p->scope.interface_count == 0)
		fputs("(any: the kernel routes)", out);
	for (size_t i = 0; i < p->scope.interface_count; i++)
		fprintf(out, "%s%s", i ? ", " : "", p->scope.interfaces[i]);
	fputc('\n', out);

	fprintf(out, "%-13s ", "addresses:");
	for (size_t i = 0; i < p->address_count; i++)
		fprintf(out, "%s%s", i ? ", " : "", p->addresses[i]);
	fputc('\n', out);

	fprintf(out, "%-13s %zu declared%s\n", "services:", p->service_count,
		p->service_count ? ":" : "");
	for (size_t i = 0; i < p->service_count; i++) {
		const struct profile_service *s = &p->services[i];
		fprintf(out, "  %s/%-5u ", s->proto, s->port);
		cli_put_printable(out, s->name);
		for (size_t j = 0; j < s->discloses_count; j++)
			fprintf(out, "%s%s", j ? ", " : " (discloses ", s->discloses[j]);
		fputs(s->discloses_count ? ")\n" : "\n", out);
	}

	fprintf(out, "%-13s ", "credentials:");
	if (p->credential_count == 0)
		fputs("none", out);
	for (size_t i = 0; i < p->credential_count; i++) {
		fprintf(out, "%s%s (", i ? ", " : "", p->credentials[i].role);
		cli_put_printable(out, p->credentials[i].username);
		fputc(')', out);
	}
	fputc('\n', out);

	put_heading(out, "adapters:", p->adapter_count == 0);
	for (size_t i = 0; i < p->adapter_count; i++) {
		const struct profile_adapter *a = &p->adapters[i];
		for (size_t j = 0; j < a->operation_count; j++)
			fprintf(out, "  %s (%s) %s: %u s\n", a->name, a->driver,
				a->operations[j].name, a->operations[j].timeout_seconds);
		if (!profile_adapter_is_login(a))
			continue;
		fprintf(out, "  %s (%s) login on %s/%u", a->name, a->driver, a->service_proto,
			a->port);
		for (size_t j = 0; j < a->option_count; j++) {
			fprintf(out, "%s%s=", j ? ", " : "; options ", a->options[j].name);
			cli_put_printable(out, a->options[j].value);
		}
		fputc('\n', out);
		for (size_t j = 0; j < a->action_count; j++) {
			fprintf(out, "    action %s: ", a->actions[j].name);
			cli_put_printable(out, a->actions[j].request);
			fputc('\n', out);
		}
	}

	if (p->role_count)
		put_heading(out, "roles:", false);
	for (size_t i = 0; i < p->role_count; i++) {
		const struct profile_role *r = &p->roles[i];
		fprintf(out, "  %s (credential %s) may: ", r->name, r->credential);
		if (r->may_count == 0)
			fputs("nothing beyond logging in", out);
		for (size_t j = 0; j < r->may_count; j++)
			fprintf(out, "%s%s", j ? ", " : "", r->may[j]);
		fputc('\n', out);
	}
	print_auth(out, &p->auth);

	put_heading(out, "artifacts:", p->artifact_count == 0);
	for (size_t i = 0; i < p->artifact_count; i++) {
		struct stat st;
		fprintf(out, "  %s: ", p->artifacts[i].name);
		cli_put_printable(out, p->artifacts[i].path);
		/* Not an error here: the checks that need the file say so. */
		fputs(stat(p->artifacts[i].path, &st) == 0 ? "\n" : " (not found)\n", out);
	}

	fprintf(out, "%-13s ", "capabilities:");
	if (p->capability_count == 0)
		fputs("none declared", out);
	for (size_t i = 0; i < p->capability_count; i++)
		fprintf(out, "%s%s=%s", i ? ", " : "", p->capabilities[i].name,
			p->capabilities[i].value ? "yes" : "no");
	fputc('\n', out);

	if (p->tls_ca_bundle || p->tls_server_name_count) {
		fprintf(out, "%-13s ", "tls:");
		if (p->tls_ca_bundle) {
			fputs("CA bundle ", out);
			cli_put_printable(out, p->tls_ca_bundle);
		}
		for (size_t i = 0; i < p->tls_server_name_count; i++) {
			fputs(i == 0 ? (p->tls_ca_bundle ? "; names " : "names ") : ", ", out);
			cli_put_printable(out, p->tls_server_names[i]);
		}
		fputc('\n', out);
	}
	if (p->tls_client_count)
		put_heading(out, "tls clients:", false);
	for (size_t i = 0; i < p->tls_client_count; i++) {
		const struct profile_tls_client *c = &p->tls_clients[i];
		fprintf(out, "  %s: ", c->name);
		cli_put_printable(out, c->host);
		fprintf(out, ":%u reaches %s, made to connect by '%s'; carries", c->port,
			c->listen_address, c->trigger);
		for (size_t k = 0; k < c->carries_count; k++)
			fprintf(out, "%s %s", k ? "," : "", c->carries[k]);
		fputc('\n', out);
	}
	for (size_t i = 0; i < p->unit_count; i++) {
		fprintf(out, "%-13s ", i == 0 ? "other units:" : "");
		cli_put_printable(out, p->units[i].serial);
		for (size_t k = 0; k < p->units[i].address_count; k++)
			fprintf(out, "%s %s", k ? "," : "", p->units[i].addresses[k]);
		fputc('\n', out);
	}

	put_heading(out, "report:", p->report_field_count == 0);
	for (size_t i = 0; i < p->report_field_count; i++) {
		fprintf(out, "  %s: ", p->report_fields[i].name);
		cli_put_printable(out, p->report_fields[i].value);
		fputc('\n', out);
	}
}

static int profile_check(const char *path)
{
	struct profile p;
	struct dl_error err = {0};
	int rc = profile_load(&p, path, &err);
	if (rc) {
		fprintf(stderr, "dutlab profile: ");
		cli_put_printable(stderr, err.message);
		fputc('\n', stderr);
		return 2;
	}
	print_summary(stdout, &p);
	printf("ok: the profile is valid\n");
	profile_release(&p);
	return fflush(stdout) == 0 ? 0 : 1;
}

int cmd_profile(int argc, char **argv)
{
	if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
			  strcmp(argv[1], "help") == 0)) {
		usage(stdout);
		return 0;
	}
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (strcmp(argv[1], "check") != 0) {
		fprintf(stderr,
			"dutlab profile: '%s' is not a profile command; see 'dutlab "
			"profile --help'\n",
			argv[1]);
		return 2;
	}
	if (argc != 3) {
		fprintf(stderr, "dutlab profile check: expected exactly one FILE; see 'dutlab "
				"profile --help'\n");
		return 2;
	}
	return profile_check(argv[2]);
}
