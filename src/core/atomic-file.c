/* atomic-file: write a file through a temporary name, fsync and rename, so a reader never sees half
 * of it */
#include "core/compat.h"

#include <fcntl.h>
#include <unistd.h>

#include "core/atomic-file.h"
#include "core/error.h"
#include "core/text.h"

int atomic_file_open(struct atomic_file *f, const char *path, const char *tmp, struct dl_error *err)
{
	f->out = NULL;
	if (!text_copy(f->path, sizeof(f->path), path) || !text_copy(f->tmp, sizeof(f->tmp), tmp))
		return dl_error_set(err, DL_EINVAL, "path '%s' is too long", path);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return dl_error_set(err, DL_EIO, "cannot create %s: %s", tmp, strerror(errno));
	f->out = fdopen(fd, "w");
	if (!f->out) {
		int rc = dl_error_set(err, DL_EIO, "cannot write %s: %s", tmp, strerror(errno));
		close(fd);
		unlink(tmp);
		return rc;
	}
	return 0;
}

int atomic_file_finish(struct atomic_file *f, int rc, struct dl_error *err)
{
	if (!f->out)
		return rc;
	if (!rc && (fflush(f->out) != 0 || ferror(f->out) || fsync(fileno(f->out)) != 0))
		rc = dl_error_set(err, DL_EIO, "cannot write %s: %s", f->tmp, strerror(errno));
	if (fclose(f->out) != 0 && !rc)
		rc = dl_error_set(err, DL_EIO, "cannot write %s: %s", f->tmp, strerror(errno));
	f->out = NULL;
	if (!rc && rename(f->tmp, f->path) != 0)
		rc = dl_error_set(err, DL_EIO, "cannot rename %s to %s: %s", f->tmp, f->path,
				  strerror(errno));
	if (rc)
		unlink(f->tmp);
	return rc;
}
