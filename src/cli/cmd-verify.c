/* cmd-verify: `dutlab verify DIR`: recompute the evidence manifest and name every difference */
#include "core/compat.h"

#include <sys/stat.h>

#include "cli/commands.h"
#include "core/error.h"
#include "core/evidence.h"

static void verify_usage(FILE *out)
{
	fprintf(out, "usage: dutlab verify DIR\n\n"
		     "Recompute the SHA-256 of every file DIR/" EVIDENCE_MANIFEST " seals and name "
		     "each file\nthat changed, is missing or was added. Exit status: 0 intact, 1 "
		     "not intact, 2 bad usage.\n");
}

int cmd_verify(int argc, char **argv)
{
	if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		verify_usage(stdout);
		return 0;
	}
	if (argc != 2 || argv[1][0] == '-') {
		verify_usage(stderr);
		return 2;
	}
	const char *dir = argv[1];
	struct stat st;
	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
		fprintf(stderr, "dutlab verify: '%s' is not a folder; give a campaign folder\n",
			dir);
		return 2;
	}
	struct dl_error err = {0};
	struct evidence_check check;
	if (evidence_manifest_verify(dir, &check, &err) != 0) {
		fprintf(stderr, "dutlab verify: %s\n", err.message);
		return 1;
	}
	for (size_t i = 0; i < check.problem_count; i++)
		printf("%-8s %s\n", evidence_change_name(check.problems[i].change),
		       check.problems[i].path);
	int status = 0;
	if (check.problem_count) {
		fprintf(stderr,
			"dutlab verify: %s is not intact: %zu file%s changed, missing or added "
			"since " EVIDENCE_MANIFEST " was written\n",
			dir, check.problem_count, check.problem_count == 1 ? "" : "s");
		status = 1;
	} else {
		printf("dutlab verify: %s is intact: %zu files match " EVIDENCE_MANIFEST "\n", dir,
		       check.files_checked);
	}
	evidence_check_release(&check);
	return status;
}
