/* atomic-file: write a file through a temporary name, fsync and rename, so a reader never sees half
 * of it */
#ifndef DUTLAB_CORE_ATOMIC_FILE_H
#define DUTLAB_CORE_ATOMIC_FILE_H

#include <stdio.h>

struct dl_error;

struct atomic_file {
	FILE *out; /* write here between open and finish */
	char path[4096];
	char tmp[4096];
};

/* Create tmp (truncating it) to become path. */
int atomic_file_open(struct atomic_file *f, const char *path, const char *tmp,
		     struct dl_error *err);

/* When rc is 0: flush, fsync, close and rename tmp over path; otherwise
 * (or when any of that fails) close and remove tmp. Returns rc, or the
 * error of the step that failed. */
int atomic_file_finish(struct atomic_file *f, int rc, struct dl_error *err);

#endif
