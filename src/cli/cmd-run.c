/* cmd-run: `dutlab run`: plan a campaign, run it (or print it with --dry-run), resume it, report it
 */
#include "core/compat.h"

#include <getopt.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli/commands.h"
#include "core/catalog.h"
#include "core/error.h"
#include "core/evidence-store.h"
#include "core/plan.h"
#include "core/profile.h"
#include "core/runner.h"
#include "core/store.h"
#include "core/text.h"
#include "report/report.h"

static void run_usage(FILE *out)
{
	fprintf(out,
		"usage: dutlab run --profile FILE [--standard ID] [--level N] [--output DIR]\n"
		"                  [--dry-run] [--quiet | --plain | --json-progress]\n"
		"                  [--timeout-scale X] [--no-report]\n"
		"       dutlab run --resume DIR [--quiet | --plain | --json-progress]\n"
		"\n"
		"  --profile FILE     the DUT profile (docs/profile.md)\n"
		"  --standard ID      taics-ts-0014-1, iot-1006-1 or ncc-ci-ict; default: the\n"
		"                     profile's first target\n"
		"  --level N          target level 1-3; default: the profile's\n"
		"  --output DIR       campaign folder; default campaigns/<model>-<time>\n"
		"  --dry-run          print the plan (destinations, interfaces, checks,\n"
		"                     deadlines) and send nothing\n"
		"  --resume DIR       continue an interrupted campaign where it stopped\n"
		"  --timeout-scale X  multiply every deadline by X (a slow DUT)\n"
		"  --no-report        do not write the reports at the end\n");
}

struct run_args {
	const char *profile_path;
	const char *standard;
	long level;
	const char *output;
	const char *resume;
	bool dry_run;
	bool no_report;
	struct runner_options options;
};

static int parse_run_args(int argc, char **argv, struct run_args *a)
{
	enum { OPT_JSON = 256, OPT_PLAIN, OPT_NO_REPORT, OPT_TIMEOUT_SCALE, OPT_DRY_RUN };
	static const struct option long_options[] = {
		{"profile", required_argument, NULL, 'p'},
		{"standard", required_argument, NULL, 's'},
		{"level", required_argument, NULL, 'l'},
		{"output", required_argument, NULL, 'o'},
		{"resume", required_argument, NULL, 'r'},
		{"dry-run", no_argument, NULL, OPT_DRY_RUN},
		{"quiet", no_argument, NULL, 'q'},
		{"plain", no_argument, NULL, OPT_PLAIN},
		{"json-progress", no_argument, NULL, OPT_JSON},
		{"no-report", no_argument, NULL, OPT_NO_REPORT},
		{"timeout-scale", required_argument, NULL, OPT_TIMEOUT_SCALE},
		{"help", no_argument, NULL, 'h'},
		{0, 0, 0, 0},
	};
	memset(a, 0, sizeof(*a));
	a->options.progress = PROGRESS_AUTO;
	a->options.timeout_scale = 1.0;
	optind = 1;
	int c;
	while ((c = getopt_long(argc, argv, "p:s:l:o:r:qh", long_options, NULL)) != -1) {
		switch (c) {
		case 'p': a->profile_path = optarg; break;
		case 's': a->standard = optarg; break;
		case 'l':
			if (text_parse_long(optarg, 1, 3, &a->level) != 0) {
				fprintf(stderr, "dutlab run: --level must be 1, 2 or 3, not '%s'\n",
					optarg);
				return 2;
			}
			break;
		case 'o': a->output = optarg; break;
		case 'r': a->resume = optarg; break;
		case OPT_DRY_RUN: a->dry_run = true; break;
		case 'q': a->options.progress = PROGRESS_QUIET; break;
		case OPT_PLAIN: a->options.progress = PROGRESS_PLAIN; break;
		case OPT_JSON: a->options.progress = PROGRESS_JSON; break;
		case OPT_NO_REPORT: a->no_report = true; break;
		case OPT_TIMEOUT_SCALE: {
			long percent = 0;
			/* Accept a decimal like 2 or 2.5 without strtod's locale games. */
			char whole[16] = "", *dot;
			text_copy(whole, sizeof(whole), optarg);
			dot = strchr(whole, '.');
			long fraction = 0;
			if (dot) {
				*dot = '\0';
				char digit[2] = {dot[1], '\0'};
				if (dot[1] && text_parse_long(digit, 0, 9, &fraction) != 0)
					fraction = -1;
			}
			if (text_parse_long(whole, 0, 100, &percent) != 0 || fraction < 0 ||
			    (percent == 0 && fraction == 0)) {
				fprintf(stderr,
					"dutlab run: --timeout-scale must be a number from 0.1 to "
					"100, not '%s'\n",
					optarg);
				return 2;
			}
			a->options.timeout_scale = (double)percent + (double)fraction / 10.0;
			break;
		}
		case 'h': run_usage(stdout); return -1;
		default: run_usage(stderr); return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "dutlab run: unexpected argument '%s'\n", argv[optind]);
		return 2;
	}
	if (!a->resume && !a->profile_path) {
		fprintf(stderr, "dutlab run: give --profile FILE, or --resume DIR\n");
		run_usage(stderr);
		return 2;
	}
	if (a->resume && (a->profile_path || a->standard || a->level || a->output || a->dry_run)) {
		fprintf(stderr,
			"dutlab run: --resume DIR takes its profile, standard and level from"
			" the campaign; give no other plan options\n");
		return 2;
	}
	return 0;
}

static int make_folder(const char *path, struct dl_error *err)
{
	char partial[4096];
	if (!text_copy(partial, sizeof(partial), path))
		return dl_error_set(err, DL_EINVAL, "path '%s' is too long", path);
	for (char *p = partial + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(partial, 0755) != 0 && errno != EEXIST)
			return dl_error_set(err, DL_EIO, "cannot create %s: %s", partial,
					    strerror(errno));
		*p = '/';
	}
	if (mkdir(partial, 0755) != 0 && errno != EEXIST)
		return dl_error_set(err, DL_EIO, "cannot create %s: %s", partial, strerror(errno));
	return 0;
}

static void default_output(char *buf, size_t size, const struct profile *profile)
{
	char stamp[32];
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm);
	char model[64] = "dut";
	if (profile->model) {
		size_t n = 0;
		for (const char *p = profile->model; *p && n + 1 < sizeof(model); p++) {
			char ch = *p;
			bool plain = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
				     (ch >= '0' && ch <= '9') || ch == '-' || ch == '_';
			model[n++] = plain ? ch : '-';
		}
		model[n] = '\0';
	}
	snprintf(buf, size, "campaigns/%s-%s", model, stamp);
}

static int finish(struct store *store, const char *campaign_dir, bool no_report, int rc,
		  struct dl_error *err, bool quiet)
{
	store_close(store);
	if (rc == DL_EINTERRUPTED) {
		fprintf(stderr, "dutlab: %s\n", err->message);
		return 130;
	}
	if (rc) {
		fprintf(stderr, "dutlab run: %s\n", err->message);
		return 1;
	}
	if (no_report)
		return 0;
	rc = report_build(campaign_dir, err);
	if (rc) {
		fprintf(stderr,
			"dutlab run: the campaign finished but the report failed: %s\n"
			"rebuild it with 'dutlab report %s'\n",
			err->message, campaign_dir);
		return 1;
	}
	if (!quiet)
		fprintf(stderr,
			"dutlab: campaign finished\n  report: %s/report.html\n  json:   "
			"%s/report.json\n"
			"  junit:  %s/junit.xml\n",
			campaign_dir, campaign_dir, campaign_dir);
	return 0;
}

/* A capability no clause of any standard asks about decides nothing: most
 * likely a typo ("wi_fi") that leaves a conditional clause applicable. */
static void warn_unknown_capabilities(const struct profile *profile, const struct catalog *catalog)
{
	for (size_t i = 0; i < profile->capability_count; i++) {
		const char *name = profile->capabilities[i].name;
		bool used = false;
		for (size_t s = 0; s < catalog->standard_count && !used; s++) {
			const struct catalog_standard *standard = &catalog->standards[s];
			for (size_t c = 0; c < standard->clause_count && !used; c++)
				used = standard->clauses[c].applies_if &&
				       strcmp(standard->clauses[c].applies_if, name) == 0;
		}
		if (!used)
			fprintf(stderr,
				"dutlab run: warning: the profile declares capabilities.%s, which "
				"no"
				" clause of any standard depends on; check its spelling"
				" (docs/catalog.md lists the names)\n",
				name);
	}
}

static int resume_campaign(const struct run_args *a)
{
	struct dl_error err = {0};
	struct store store;
	char campaign_dir[4096];
	if (!realpath(a->resume, campaign_dir)) {
		fprintf(stderr, "dutlab run: cannot resume '%s': %s\n", a->resume, strerror(errno));
		return 2;
	}
	int rc = store_open(&store, campaign_dir, false, &err);
	if (rc) {
		fprintf(stderr, "dutlab run: %s\n", err.message);
		return 2;
	}
	char *profile_path = NULL, *profile_sha = NULL, *state = NULL;
	rc = store_meta_get(&store, "profile_path", &profile_path, &err);
	if (!rc)
		rc = store_meta_get(&store, "profile_sha256", &profile_sha, &err);
	if (!rc)
		rc = store_meta_get(&store, "state", &state, &err);
	if (!rc && !profile_path)
		rc = dl_error_set(&err, DL_EINVAL,
				  "%s records no profile; it was not made by 'dutlab run'",
				  store.path);
	struct profile profile = {0};
	if (!rc && (rc = profile_load(&profile, profile_path, &err)) != 0) {
		fprintf(stderr, "dutlab run: %s\n", err.message);
		free(profile_path);
		free(profile_sha);
		free(state);
		store_close(&store);
		return 2;
	}
	if (!rc && profile_sha) {
		char hex[65];
		if (evidence_sha256_file(profile_path, hex, NULL, &err) == 0 &&
		    strcmp(hex, profile_sha) != 0)
			rc = dl_error_set(
				&err, DL_EINVAL,
				"profile '%s' changed since the campaign started; results would"
				" mix two configurations: restore it or start a new campaign",
				profile_path);
	}
	if (!rc && state && strcmp(state, "finished") == 0 && a->options.progress != PROGRESS_QUIET)
		fprintf(stderr, "dutlab: %s is already finished; rebuilding its report\n",
			campaign_dir);
	if (!rc && a->options.progress != PROGRESS_QUIET && a->options.progress != PROGRESS_JSON)
		fprintf(stderr, "dutlab: resuming %s (state: %s)\n", campaign_dir,
			state ? state : "unknown");
	if (!rc)
		rc = runner_run(&store, &profile, campaign_dir, &a->options, &err);
	int status = finish(&store, campaign_dir, a->no_report, rc, &err,
			    a->options.progress == PROGRESS_QUIET);
	profile_release(&profile);
	free(profile_path);
	free(profile_sha);
	free(state);
	return status;
}

int cmd_run(int argc, char **argv)
{
	struct run_args a;
	int status = parse_run_args(argc, argv, &a);
	if (status)
		return status < 0 ? 0 : status;
	if (a.resume)
		return resume_campaign(&a);

	struct dl_error err = {0};
	struct profile profile = {0};
	struct catalog catalog = {0};
	struct plan plan = {0};
	struct store store = {0};
	char campaign_dir[4096] = "";
	int rc;

	if ((rc = profile_load(&profile, a.profile_path, &err)) != 0) {
		fprintf(stderr, "dutlab run: %s\n", err.message);
		return 2;
	}
	status = 2;
	if ((rc = catalog_load_dir(&catalog, catalog_default_dir(), &err)) != 0) {
		fprintf(stderr, "dutlab run: %s\n", err.message);
		goto out;
	}
	const char *standard = a.standard;
	if (!standard && profile.target_count > 0)
		standard = profile.targets[0].standard;
	if (!standard) {
		fprintf(stderr, "dutlab run: the profile lists no targets; give --standard\n");
		goto out;
	}
	if ((rc = plan_build(&plan, &catalog, &profile, standard, (int)a.level, &err)) != 0) {
		fprintf(stderr, "dutlab run: %s\n", err.message);
		goto out;
	}
	warn_unknown_capabilities(&profile, &catalog);
	if (a.dry_run) {
		/* The plan only: no campaign folder, no socket, nothing sent. */
		plan_print(&plan, &profile, stdout);
		status = 0;
		goto out;
	}

	char chosen[4096];
	if (a.output)
		text_copy(chosen, sizeof(chosen), a.output);
	else
		default_output(chosen, sizeof(chosen), &profile);
	struct stat st;
	char probe[4200];
	snprintf(probe, sizeof(probe), "%s/campaign.db", chosen);
	if (stat(probe, &st) == 0) {
		fprintf(stderr,
			"dutlab run: %s already holds a campaign; continue it with 'dutlab run"
			" --resume %s' or choose another --output\n",
			chosen, chosen);
		goto out;
	}
	if ((rc = make_folder(chosen, &err)) != 0 || !realpath(chosen, campaign_dir)) {
		fprintf(stderr, "dutlab run: %s\n", rc ? err.message : strerror(errno));
		status = 1;
		goto out;
	}
	status = 1;
	if ((rc = store_open(&store, campaign_dir, true, &err)) != 0 ||
	    (rc = runner_record_plan(&store, &plan, &profile, &err)) != 0) {
		fprintf(stderr, "dutlab run: %s\n", err.message);
		store_close(&store);
		goto out;
	}
	char hex[65], absolute_profile[4096];
	if (evidence_sha256_file(a.profile_path, hex, NULL, &err) == 0)
		store_meta_set(&store, "profile_sha256", hex, NULL);
	if (realpath(a.profile_path, absolute_profile))
		store_meta_set(&store, "profile_path", absolute_profile, NULL);
	if (a.options.progress != PROGRESS_QUIET && a.options.progress != PROGRESS_JSON)
		fprintf(stderr, "dutlab: campaign %s: %s, %zu clauses, %zu collectors\n",
			campaign_dir, plan.standard->id, plan.item_count, plan.collector_count);
	rc = runner_run(&store, &profile, campaign_dir, &a.options, &err);
	status = finish(&store, campaign_dir, a.no_report, rc, &err,
			a.options.progress == PROGRESS_QUIET);
out:
	plan_release(&plan);
	catalog_release(&catalog);
	profile_release(&profile);
	return status;
}
