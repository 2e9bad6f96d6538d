/* evidence: SHA-256 of evidence files and the manifest that seals a campaign folder */
#ifndef DUTLAB_CORE_EVIDENCE_H
#define DUTLAB_CORE_EVIDENCE_H

#include <stdbool.h>
#include <stddef.h>

struct dl_error;

/*
 * evidence/MANIFEST.sha256 is in `sha256sum` format, so anyone can check a
 * campaign folder without dutlab:
 *
 *   cd CAMPAIGN && sha256sum -c evidence/MANIFEST.sha256
 *
 * (evidence-store.c records each file's SHA-256 in campaign.db as it is
 * written; this seals the folder as a whole once the reports exist.)
 *
 * One line per file, "<64 lower-case hex>  <path>", paths relative to the
 * campaign folder, sorted by byte value. It covers every regular file under
 * evidence/ (at most EVIDENCE_MANIFEST_DEPTH_MAX folders deep) and report.json,
 * report.html and junit.xml, but not itself and not campaign.db (which a
 * resumed or rebuilt campaign rewrites).
 */

#define EVIDENCE_MANIFEST "evidence/MANIFEST.sha256"

/* SHA-256 of the regular file at path as 64 lower-case hex digits and a NUL;
 * *bytes (may be NULL) gets its size. Without follow_links a symbolic link
 * is refused, so the manifest never seals anything outside the folder. */
int evidence_hash_file(const char *path, bool follow_links, char hex[65], size_t *bytes,
		       struct dl_error *err);
#define EVIDENCE_MANIFEST_FILES_MAX 100000
#define EVIDENCE_MANIFEST_DEPTH_MAX 16

/* Write campaign_dir/evidence/MANIFEST.sha256 (creating evidence/ if it is
 * missing) through a temporary file and a rename. Fails on a file under
 * evidence/ that is not a regular file or whose name has a newline or a
 * backslash, rather than leave it out. */
int evidence_manifest_write(const char *campaign_dir, struct dl_error *err);

enum evidence_change {
	EVIDENCE_CHANGED, /* its SHA-256 differs, or it is no longer a regular file */
	EVIDENCE_MISSING, /* in the manifest, not on disk */
	EVIDENCE_ADDED,   /* on disk, not in the manifest */
};

struct evidence_problem {
	enum evidence_change change;
	char *path; /* relative to the campaign folder; owned */
};

struct evidence_check {
	size_t files_checked;              /* manifest lines whose file matched */
	struct evidence_problem *problems; /* sorted by path */
	size_t problem_count;
};

/* Recompute the manifest of campaign_dir and compare. Returns 0 when it
 * could compare (then out lists every problem; none means intact), or an
 * error when the manifest is missing or malformed or the folder cannot be
 * read. Release out with evidence_check_release(). */
int evidence_manifest_verify(const char *campaign_dir, struct evidence_check *out,
			     struct dl_error *err);
void evidence_check_release(struct evidence_check *check);

const char *evidence_change_name(enum evidence_change change); /* "changed", "missing", "added" */

#endif
