/* evidence-store: record every new evidence file in campaign.db with its SHA-256, as soon as it
 * exists */
#ifndef DUTLAB_CORE_EVIDENCE_STORE_H
#define DUTLAB_CORE_EVIDENCE_STORE_H

#include <stddef.h>

struct dl_error;
struct store;

/* SHA-256 of a file, following links (evidence_hash_file in core/evidence.h). */
int evidence_sha256_file(const char *path, char hex[65], size_t *bytes, struct dl_error *err);

/* Hash every regular file under campaign_dir/evidence that the evidence
 * table does not list yet and insert it, attributed to collector_id. Runs
 * inside the caller's transaction. Files are visited to a bounded depth. */
int evidence_register_new(struct store *store, const char *campaign_dir, const char *collector_id,
			  struct dl_error *err);

#endif
