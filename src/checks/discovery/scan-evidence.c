/* scan-evidence: one pcapng evidence file per service of the address being scanned, annotated */
#include "core/compat.h"

#include "checks/discovery/scan-internal.h"
#include "core/error.h"
#include "net/capture.h"

/* "198.18.2.2" -> "198.18.2.2"; "fd00:198::2" -> "fd00_198__2" (no ':' in file names). */
static void file_address(const char *address, char *out, size_t size)
{
	size_t i = 0;
	for (; address[i] && i + 1 < size; i++)
		out[i] = address[i] == ':' ? '_' : address[i];
	out[i] = '\0';
}

/* Open a sink for name (e.g. "tcp-23") of the current address; fills
 * relative with the path the observation records, or "" without capture. */
void scan_evidence_open(struct scan_run *r, const char *name, const char *comment, uint32_t snaplen,
			uint64_t max_bytes, const struct capture_match *match, size_t match_count,
			bool icmp, char *relative, size_t relative_size)
{
	relative[0] = '\0';
	if (!r->capture || !r->evidence_dir[0])
		return;
	char address[64], file[160], path[4400];
	file_address(r->address, address, sizeof(address));
	snprintf(file, sizeof(file), "%s-%s.pcapng", address, name);
	snprintf(path, sizeof(path), "%s/%s", r->evidence_dir, file);
	struct dl_error err = {0};
	if (capture_sink_open(r->capture, path, comment, snaplen, max_bytes, match, match_count,
			      icmp, &err) < 0) {
		scan_note(r, "evidence %s: %s", file, err.message);
		return;
	}
	snprintf(relative, relative_size, "evidence/discovery/%s", file);
}

void scan_evidence_close(struct scan_run *r, char *relative)
{
	if (!r->capture || !relative[0])
		return;
	struct dl_error err = {0};
	uint64_t packets = 0;
	if (capture_sink_close(r->capture, 60, &packets, &err) < 0) {
		scan_note(r, "evidence %s: %s", relative, err.message);
		relative[0] = '\0';
	}
}

void scan_annotate(struct scan_run *r, const char *comment)
{
	capture_annotate(r->capture, comment);
}
