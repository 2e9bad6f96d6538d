/* cmd-report: `dutlab report DIR`: rebuild the reports and the evidence manifest from campaign.db
 */
#include "core/compat.h"

#include <sys/stat.h>

#include "cli/commands.h"
#include "core/error.h"
#include "report/report.h"

static void report_usage(FILE *out)
{
	fprintf(out, "usage: dutlab report DIR\n\n"
		     "Rebuild DIR/report.json, DIR/report.html and DIR/junit.xml from "
		     "DIR/campaign.db alone,\nthen seal them with the evidence in "
		     "DIR/evidence/MANIFEST.sha256.\n");
}

int cmd_report(int argc, char **argv)
{
	if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		report_usage(stdout);
		return 0;
	}
	if (argc != 2 || argv[1][0] == '-') {
		report_usage(stderr);
		return 2;
	}
	const char *dir = argv[1];
	struct stat st;
	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
		fprintf(stderr, "dutlab report: '%s' is not a folder; give a campaign folder\n",
			dir);
		return 2;
	}
	struct dl_error err = {0};
	int rc = report_build(dir, &err);
	if (rc) {
		fprintf(stderr, "dutlab report: %s\n", err.message);
		return rc == DL_ENOTFOUND ? 2 : 1;
	}
	struct report_campaign campaign;
	if (report_load(dir, &campaign, &err) == 0) {
		char explanation[2048];
		grade_explain(&campaign.grade, explanation, sizeof(explanation));
		printf("%s\n", explanation);
		if (campaign.warning_count)
			printf("%zu warning%s about the campaign data; see the report\n",
			       campaign.warning_count + campaign.warnings_dropped,
			       campaign.warning_count + campaign.warnings_dropped == 1 ? "" : "s");
		report_release(&campaign);
	}
	printf("  report: %s/report.html\n  json:   %s/report.json\n  junit:  %s/junit.xml\n"
	       "  seal:   %s/evidence/MANIFEST.sha256\n",
	       dir, dir, dir, dir);
	return 0;
}
