/* cmd-lab: `dutlab lab up|down|list|status NAME`: hands over to the lab's shell script */
#include "core/compat.h"

#include <unistd.h>

#include "cli/commands.h"
#include "dutlab-config.h"

/* The lab is shell around ip-netns and real daemons (lab/lab); dutlab only
 * finds it: $DUTLAB_LAB, else the source tree it was built from. */
int cmd_lab(int argc, char **argv)
{
	char path[4096];
	const char *from_env = getenv("DUTLAB_LAB");
	snprintf(path, sizeof(path), "%s", from_env ? from_env : DUTLAB_SOURCE_DIR "/lab/lab");
	if (access(path, X_OK) != 0) {
		fprintf(stderr, "dutlab lab: cannot run %s: %s; set DUTLAB_LAB to the lab script\n",
			path, strerror(errno));
		return 2;
	}
	char *args[16];
	int n = 0;
	args[n++] = path;
	for (int i = 1; i < argc && n < (int)DL_ARRAY_SIZE(args) - 1; i++)
		args[n++] = argv[i];
	args[n] = NULL;
	fflush(NULL);
	execv(path, args);
	fprintf(stderr, "dutlab lab: cannot run %s: %s\n", path, strerror(errno));
	return 2;
}
