/* evidence-store: record every new evidence file in campaign.db with its SHA-256, as soon as it
 * exists */
#include "core/compat.h"

#include <dirent.h>
#include <sqlite3.h>
#include <sys/stat.h>

#include "core/error.h"
#include "core/evidence.h"
#include "core/evidence-store.h"
#include "core/store.h"

#define EVIDENCE_DEPTH_MAX 8
#define EVIDENCE_FILES_MAX 100000

int evidence_sha256_file(const char *path, char hex[65], size_t *bytes, struct dl_error *err)
{
	return evidence_hash_file(path, true, hex, bytes, err);
}

struct walk {
	struct store *store;
	const char *campaign_dir;
	size_t campaign_dir_length;
	const char *collector_id;
	sqlite3_stmt *known;
	sqlite3_stmt *insert;
	size_t files;
};

static int register_file(struct walk *w, const char *path, struct dl_error *err)
{
	const char *relative = path + w->campaign_dir_length + 1;
	sqlite3_reset(w->known);
	sqlite3_bind_text(w->known, 1, relative, -1, SQLITE_STATIC);
	if (sqlite3_step(w->known) == SQLITE_ROW)
		return 0;
	char hex[65];
	size_t bytes = 0;
	int rc = evidence_sha256_file(path, hex, &bytes, err);
	if (rc)
		return rc;
	sqlite3_reset(w->insert);
	sqlite3_bind_text(w->insert, 1, relative, -1, SQLITE_STATIC);
	sqlite3_bind_text(w->insert, 2, hex, -1, SQLITE_STATIC);
	sqlite3_bind_int64(w->insert, 3, (sqlite3_int64)bytes);
	sqlite3_bind_text(w->insert, 4, w->collector_id, -1, SQLITE_STATIC);
	if (sqlite3_step(w->insert) != SQLITE_DONE)
		return dl_error_set(err, DL_EIO, "%s: recording evidence %s: %s", w->store->path,
				    relative, sqlite3_errmsg(w->store->db));
	return 0;
}

static int walk_folder(struct walk *w, const char *folder, int depth, struct dl_error *err)
{
	if (depth > EVIDENCE_DEPTH_MAX)
		return dl_error_set(err, DL_EINVAL, "%s: evidence folders nest deeper than %d",
				    folder, EVIDENCE_DEPTH_MAX);
	DIR *dir = opendir(folder);
	if (!dir)
		return errno == ENOENT ? 0
				       : dl_error_set(err, DL_EIO, "cannot list %s: %s", folder,
						      strerror(errno));
	int rc = 0;
	struct dirent *entry;
	while (!rc && (entry = readdir(dir))) {
		if (entry->d_name[0] == '.')
			continue; /* ".", "..", and half-written ".tmp" files */
		char path[4096];
		int n = snprintf(path, sizeof(path), "%s/%s", folder, entry->d_name);
		if (n < 0 || (size_t)n >= sizeof(path)) {
			rc = dl_error_set(err, DL_EINVAL, "evidence path under %s is too long",
					  folder);
			break;
		}
		struct stat st;
		if (lstat(path, &st) != 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			rc = walk_folder(w, path, depth + 1, err);
		} else if (S_ISREG(st.st_mode)) {
			if (++w->files > EVIDENCE_FILES_MAX)
				rc = dl_error_set(err, DL_ENOMEM, "more than %d evidence files",
						  EVIDENCE_FILES_MAX);
			else if (strcmp(entry->d_name, "MANIFEST.sha256") != 0)
				rc = register_file(w, path, err);
		}
	}
	closedir(dir);
	return rc;
}

int evidence_register_new(struct store *store, const char *campaign_dir, const char *collector_id,
			  struct dl_error *err)
{
	struct walk w = {
		.store = store,
		.campaign_dir = campaign_dir,
		.campaign_dir_length = strlen(campaign_dir),
		.collector_id = collector_id,
	};
	if (sqlite3_prepare_v2(store->db, "SELECT 1 FROM evidence WHERE path=?1", -1, &w.known,
			       NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(
		    store->db,
		    "INSERT INTO evidence(path, sha256, bytes, collector_id) VALUES(?1,?2,?3,?4)",
		    -1, &w.insert, NULL) != SQLITE_OK) {
		sqlite3_finalize(w.known);
		return dl_error_set(err, DL_EIO, "%s: %s", store->path, sqlite3_errmsg(store->db));
	}
	char folder[4096];
	snprintf(folder, sizeof(folder), "%s/evidence", campaign_dir);
	int rc = walk_folder(&w, folder, 0, err);
	sqlite3_finalize(w.known);
	sqlite3_finalize(w.insert);
	return rc;
}
