/* fuzz-profile: libFuzzer target for profile_load(): any bytes give 0 or an error, never a crash */
#include "core/compat.h"

#include <sys/mman.h>
#include <unistd.h>

#include "core/error.h"
#include "core/profile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
const char *__lsan_default_suppressions(void);
const char *__asan_default_options(void);

/* libfyaml 0.7.12 (Debian 12) leaks its chunk array when it unescapes a
 * single-quoted scalar with eight or more '' escapes (fy_atom_format_text
 * never calls fy_atom_iter_finish). Not ours to fix; everything else leaking
 * still fails the run. */
const char *__lsan_default_suppressions(void)
{
	return "leak:fy_atom_format_text\n";
}

/* libfyaml is built without frame pointers: only the slow unwinder sees
 * fy_atom_format_text on the stack for the suppression to match. */
const char *__asan_default_options(void)
{
	return "fast_unwind_on_malloc=0";
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* One memory file for the whole run, rewritten for each input. */
	static int fd = -1;
	static char path[64];
	if (fd < 0) {
		fd = memfd_create("fuzz-profile.yaml", MFD_CLOEXEC);
		if (fd < 0)
			abort();
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	}
	if (ftruncate(fd, 0) != 0)
		abort();
	size_t done = 0;
	while (done < size) {
		ssize_t n = pwrite(fd, data + done, size - done, (off_t)done);
		if (n <= 0)
			abort();
		done += (size_t)n;
	}

	struct profile p;
	struct dl_error err = {0};
	int rc = profile_load(&p, path, &err);
	if (rc == 0) {
		/* Exercise the lookups on whatever loaded. */
		for (size_t i = 0; i < p.service_count; i++)
			if (profile_find_service(&p, p.services[i].proto, p.services[i].port) ==
			    NULL)
				abort();
		for (size_t i = 0; i < p.address_count; i++)
			if (scope_permit_text(&p.scope, p.addresses[i], NULL, NULL) != 0)
				abort();
		profile_release(&p);
	} else if (rc == DL_EINVAL) {
		/* Every refusal of bad input names the file and a position. */
		size_t length = strlen(path);
		if (strncmp(err.message, path, length) != 0 || err.message[length] != ':')
			abort();
	}
	return 0;
}
