/* evidence: SHA-256 of files and the sha256sum-format manifest of a campaign folder */
#include "core/compat.h"

#include <dirent.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/atomic-file.h"
#include "core/error.h"
#include "core/evidence.h"
#include "core/text.h"

/* The reports sealed with the evidence; sorted. */
static const char *const report_files[] = {"junit.xml", "report.html", "report.json"};

#define MANIFEST_LINE_MAX 4200
#define SHA256_HEX 65 /* 64 hex digits and the NUL */

int evidence_hash_file(const char *path, bool follow_links, char hex[65], size_t *bytes,
		       struct dl_error *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | (follow_links ? 0 : O_NOFOLLOW));
	if (fd < 0)
		return dl_error_set(err, errno == ENOENT ? DL_ENOTFOUND : DL_EIO,
				    "cannot open %s: %s", path,
				    errno == ELOOP ? "it is a symbolic link" : strerror(errno));
	struct stat st;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return dl_error_set(err, DL_EINVAL, "%s is not a regular file", path);
	}
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	if (!ctx || EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1) {
		EVP_MD_CTX_free(ctx);
		close(fd);
		return dl_error_set(err, DL_ENOMEM, "cannot start SHA-256 for %s", path);
	}
	unsigned char buf[16384];
	size_t total = 0;
	int rc = 0;
	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = dl_error_set(err, DL_EIO, "cannot read %s: %s", path, strerror(errno));
			break;
		}
		if (n == 0)
			break;
		total += (size_t)n;
		if (EVP_DigestUpdate(ctx, buf, (size_t)n) != 1) {
			rc = dl_error_set(err, DL_EIO, "SHA-256 of %s failed", path);
			break;
		}
	}
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int md_len = 0;
	if (!rc && (EVP_DigestFinal_ex(ctx, md, &md_len) != 1 || md_len != 32))
		rc = dl_error_set(err, DL_EIO, "SHA-256 of %s failed", path);
	EVP_MD_CTX_free(ctx);
	close(fd);
	if (rc)
		return rc;
	static const char digits[] = "0123456789abcdef";
	for (unsigned i = 0; i < 32; i++) {
		hex[2 * i] = digits[md[i] >> 4];
		hex[2 * i + 1] = digits[md[i] & 0x0f];
	}
	hex[64] = '\0';
	if (bytes)
		*bytes = total;
	return 0;
}

/* The files a manifest covers, as found on disk. */
struct entry {
	char *path;   /* relative to the campaign folder */
	bool regular; /* false: a link, device, fifo or socket */
	char hex[SHA256_HEX];
};

struct entry_list {
	struct entry *items;
	size_t count, alloc;
};

static void entry_list_release(struct entry_list *list)
{
	for (size_t i = 0; i < list->count; i++)
		free(list->items[i].path);
	free(list->items);
	memset(list, 0, sizeof(*list));
}

static int entry_add(struct entry_list *list, const char *path, bool regular, struct dl_error *err)
{
	if (list->count >= EVIDENCE_MANIFEST_FILES_MAX)
		return dl_error_set(err, DL_ENOMEM,
				    "more than %d files under evidence/; that is more than any "
				    "campaign writes, so look at what is in there",
				    EVIDENCE_MANIFEST_FILES_MAX);
	if (list->count == list->alloc) {
		size_t grow = list->alloc ? list->alloc * 2 : 64;
		struct entry *more = realloc(list->items, grow * sizeof(*more));
		if (!more)
			return dl_error_set(err, DL_ENOMEM, "out of memory listing evidence");
		list->items = more;
		list->alloc = grow;
	}
	struct entry *e = &list->items[list->count];
	memset(e, 0, sizeof(*e));
	e->path = strdup(path);
	if (!e->path)
		return dl_error_set(err, DL_ENOMEM, "out of memory listing evidence");
	e->regular = regular;
	list->count++;
	return 0;
}

/* Walk root/rel (rel under evidence/), depth folders deep. */
static int walk(const char *root, const char *rel, int depth, struct entry_list *list,
		struct dl_error *err)
{
	char dir_path[4096];
	int n = snprintf(dir_path, sizeof(dir_path), "%s/%s", root, rel);
	if (n < 0 || (size_t)n >= sizeof(dir_path))
		return dl_error_set(err, DL_EINVAL, "path %s/%s is too long", root, rel);
	DIR *dir = opendir(dir_path);
	if (!dir)
		return dl_error_set(err, DL_EIO, "cannot read folder %s: %s", dir_path,
				    strerror(errno));
	int rc = 0;
	struct dirent *d;
	errno = 0;
	while (!rc && (d = readdir(dir)) != NULL) {
		if (strcmp(d->d_name, ".") == 0 || strcmp(d->d_name, "..") == 0)
			continue;
		char child[4096];
		n = snprintf(child, sizeof(child), "%s/%s", rel, d->d_name);
		if (n < 0 || (size_t)n >= sizeof(child) - strlen(root) - 1) {
			rc = dl_error_set(err, DL_EINVAL, "path %s/%s/%s is too long", root, rel,
					  d->d_name);
			break;
		}
		if (strcmp(child, EVIDENCE_MANIFEST) == 0)
			continue;
		struct stat st;
		if (fstatat(dirfd(dir), d->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
			rc = dl_error_set(err, DL_EIO, "cannot stat %s/%s: %s", root, child,
					  strerror(errno));
			break;
		}
		if (S_ISDIR(st.st_mode)) {
			if (depth >= EVIDENCE_MANIFEST_DEPTH_MAX)
				rc = dl_error_set(err, DL_EINVAL,
						  "%s/%s is more than %d folders deep under "
						  "evidence/; flatten it",
						  root, child, EVIDENCE_MANIFEST_DEPTH_MAX);
			else
				rc = walk(root, child, depth + 1, list, err);
		} else {
			rc = entry_add(list, child, S_ISREG(st.st_mode), err);
		}
		errno = 0;
	}
	if (!rc && errno != 0)
		rc = dl_error_set(err, DL_EIO, "cannot read folder %s: %s", dir_path,
				  strerror(errno));
	closedir(dir);
	return rc;
}

static int entry_compare(const void *a, const void *b)
{
	return strcmp(((const struct entry *)a)->path, ((const struct entry *)b)->path);
}

/* Every file the manifest covers, sorted; hashed when hash is true. */
static int list_files(const char *dir, bool hash, struct entry_list *list, struct dl_error *err)
{
	memset(list, 0, sizeof(*list));
	char path[4096];
	struct stat st;
	int rc = 0;
	int n = snprintf(path, sizeof(path), "%s/evidence", dir);
	if (n < 0 || (size_t)n >= sizeof(path))
		return dl_error_set(err, DL_EINVAL, "campaign folder path '%s' is too long", dir);
	if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode))
		rc = walk(dir, "evidence", 1, list, err);
	else if (lstat(path, &st) == 0)
		rc = dl_error_set(err, DL_EINVAL, "%s is not a folder", path);
	for (size_t i = 0; !rc && i < DL_ARRAY_SIZE(report_files); i++) {
		n = snprintf(path, sizeof(path), "%s/%s", dir, report_files[i]);
		if (n < 0 || (size_t)n >= sizeof(path))
			rc = dl_error_set(err, DL_EINVAL, "campaign folder path '%s' is too long",
					  dir);
		else if (lstat(path, &st) == 0)
			rc = entry_add(list, report_files[i], S_ISREG(st.st_mode), err);
	}
	if (!rc)
		qsort(list->items, list->count, sizeof(*list->items), entry_compare);
	for (size_t i = 0; !rc && hash && i < list->count; i++) {
		struct entry *e = &list->items[i];
		if (!e->regular)
			continue;
		n = snprintf(path, sizeof(path), "%s/%s", dir, e->path);
		if (n < 0 || (size_t)n >= sizeof(path))
			rc = dl_error_set(err, DL_EINVAL, "path %s/%s is too long", dir, e->path);
		else
			rc = evidence_hash_file(path, false, e->hex, NULL, err);
	}
	if (rc)
		entry_list_release(list);
	return rc;
}

int evidence_manifest_write(const char *campaign_dir, struct dl_error *err)
{
	char evidence_dir[4096], path[4096], tmp[4096];
	int n1 = snprintf(evidence_dir, sizeof(evidence_dir), "%s/evidence", campaign_dir);
	int n2 = snprintf(path, sizeof(path), "%s/%s", campaign_dir, EVIDENCE_MANIFEST);
	int n3 = snprintf(tmp, sizeof(tmp), "%s/.MANIFEST.sha256.tmp", campaign_dir);
	if (n1 < 0 || n2 < 0 || n3 < 0 || (size_t)n2 >= sizeof(path) || (size_t)n3 >= sizeof(tmp))
		return dl_error_set(err, DL_EINVAL, "campaign folder path '%s' is too long",
				    campaign_dir);
	if (mkdir(evidence_dir, 0755) != 0 && errno != EEXIST)
		return dl_error_set(err, DL_EIO, "cannot create %s: %s", evidence_dir,
				    strerror(errno));

	struct entry_list list;
	int rc = list_files(campaign_dir, true, &list, err);
	if (rc)
		return rc;
	for (size_t i = 0; !rc && i < list.count; i++) {
		if (!list.items[i].regular)
			rc = dl_error_set(err, DL_EINVAL,
					  "%s/%s is not a regular file; evidence must be plain "
					  "files (copy what a link points to)",
					  campaign_dir, list.items[i].path);
		else if (strpbrk(list.items[i].path, "\n\r\\"))
			rc = dl_error_set(err, DL_EINVAL,
					  "evidence file name '%s' has a newline or a backslash; "
					  "rename it",
					  list.items[i].path);
	}
	struct atomic_file file = {.out = NULL};
	if (!rc)
		rc = atomic_file_open(&file, path, tmp, err);
	for (size_t i = 0; !rc && i < list.count; i++)
		fprintf(file.out, "%s  %s\n", list.items[i].hex, list.items[i].path);
	rc = atomic_file_finish(&file, rc, err);
	entry_list_release(&list);
	return rc;
}

static bool is_hex64(const char *s)
{
	for (int i = 0; i < 64; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f') ||
		      (s[i] >= 'A' && s[i] <= 'F')))
			return false;
	return true;
}

/* A manifest path we would have written: a report file or a relative path
 * under evidence/ with no "." or ".." component. */
static bool manifest_path_ok(const char *path)
{
	for (size_t i = 0; i < DL_ARRAY_SIZE(report_files); i++)
		if (strcmp(path, report_files[i]) == 0)
			return true;
	return strncmp(path, "evidence/", 9) == 0 && strcmp(path, EVIDENCE_MANIFEST) != 0 &&
	       text_is_contained_path(path);
}

static int read_manifest(const char *dir, struct entry_list *list, struct dl_error *err)
{
	memset(list, 0, sizeof(*list));
	char path[4096];
	int n = snprintf(path, sizeof(path), "%s/%s", dir, EVIDENCE_MANIFEST);
	if (n < 0 || (size_t)n >= sizeof(path))
		return dl_error_set(err, DL_EINVAL, "campaign folder path '%s' is too long", dir);
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	FILE *in = fd >= 0 ? fdopen(fd, "r") : NULL;
	if (!in) {
		int rc = dl_error_set(err, errno == ENOENT ? DL_ENOTFOUND : DL_EIO,
				      "cannot read %s: %s; run 'dutlab report %s' to write it",
				      path, strerror(errno), dir);
		if (fd >= 0)
			close(fd);
		return rc;
	}
	char line[MANIFEST_LINE_MAX];
	size_t lineno = 0;
	int rc = 0;
	while (!rc && fgets(line, sizeof(line), in)) {
		lineno++;
		size_t len = strlen(line);
		if (len == 0 || line[len - 1] != '\n') {
			rc = dl_error_set(err, DL_EINVAL, "%s:%zu: line too long or unterminated",
					  path, lineno);
			break;
		}
		line[--len] = '\0';
		/* "<hex>  <path>" (text mode) or "<hex> *<path>" (binary mode) */
		if (len < 67 || !is_hex64(line) || line[64] != ' ' ||
		    (line[65] != ' ' && line[65] != '*')) {
			rc = dl_error_set(err, DL_EINVAL,
					  "%s:%zu: not '<sha256>  <path>'; the manifest was "
					  "altered",
					  path, lineno);
			break;
		}
		const char *file = line + 66;
		if (!manifest_path_ok(file)) {
			rc = dl_error_set(err, DL_EINVAL,
					  "%s:%zu: '%s' is not a path this manifest covers; the "
					  "manifest was altered",
					  path, lineno, file);
			break;
		}
		rc = entry_add(list, file, true, err);
		if (!rc) {
			struct entry *e = &list->items[list->count - 1];
			for (int i = 0; i < 64; i++)
				e->hex[i] = (char)(line[i] >= 'A' && line[i] <= 'F'
							   ? line[i] - 'A' + 'a'
							   : line[i]);
			e->hex[64] = '\0';
		}
	}
	if (!rc && ferror(in))
		rc = dl_error_set(err, DL_EIO, "cannot read %s: %s", path, strerror(errno));
	fclose(in);
	if (!rc) {
		qsort(list->items, list->count, sizeof(*list->items), entry_compare);
		for (size_t i = 1; !rc && i < list->count; i++)
			if (strcmp(list->items[i - 1].path, list->items[i].path) == 0)
				rc = dl_error_set(err, DL_EINVAL,
						  "%s: '%s' is listed twice; the manifest was "
						  "altered",
						  path, list->items[i].path);
	}
	if (rc)
		entry_list_release(list);
	return rc;
}

static int problem_add(struct evidence_check *out, enum evidence_change change, const char *path,
		       struct dl_error *err)
{
	/* at most one problem per file on disk or in the manifest */
	struct evidence_problem *more =
		realloc(out->problems, (out->problem_count + 1) * sizeof(*more));
	if (!more)
		return dl_error_set(err, DL_ENOMEM, "out of memory verifying evidence");
	out->problems = more;
	char *copy = strdup(path);
	if (!copy)
		return dl_error_set(err, DL_ENOMEM, "out of memory verifying evidence");
	struct evidence_problem *problem = &out->problems[out->problem_count++];
	problem->change = change;
	problem->path = copy;
	return 0;
}

int evidence_manifest_verify(const char *campaign_dir, struct evidence_check *out,
			     struct dl_error *err)
{
	memset(out, 0, sizeof(*out));
	struct entry_list want, have;
	int rc = read_manifest(campaign_dir, &want, err);
	if (rc)
		return rc;
	rc = list_files(campaign_dir, false, &have, err);
	if (rc) {
		entry_list_release(&want);
		return rc;
	}
	size_t i = 0, j = 0;
	char path[4096];
	while (!rc && (i < want.count || j < have.count)) {
		int cmp = i == want.count   ? 1
			  : j == have.count ? -1
					    : strcmp(want.items[i].path, have.items[j].path);
		if (cmp < 0) {
			rc = problem_add(out, EVIDENCE_MISSING, want.items[i++].path, err);
		} else if (cmp > 0) {
			rc = problem_add(out, EVIDENCE_ADDED, have.items[j++].path, err);
		} else {
			struct entry *e = &have.items[j];
			char hex[SHA256_HEX] = "";
			bool same = false;
			if (e->regular) {
				int n = snprintf(path, sizeof(path), "%s/%s", campaign_dir,
						 e->path);
				if (n < 0 || (size_t)n >= sizeof(path))
					rc = dl_error_set(err, DL_EINVAL, "path %s/%s is too long",
							  campaign_dir, e->path);
				else
					rc = evidence_hash_file(path, false, hex, NULL, err);
				same = !rc && strcmp(hex, want.items[i].hex) == 0;
			}
			if (!rc && same)
				out->files_checked++;
			else if (!rc)
				rc = problem_add(out, EVIDENCE_CHANGED, e->path, err);
			i++;
			j++;
		}
	}
	entry_list_release(&want);
	entry_list_release(&have);
	if (rc)
		evidence_check_release(out);
	return rc;
}

void evidence_check_release(struct evidence_check *check)
{
	if (!check)
		return;
	for (size_t i = 0; i < check->problem_count; i++)
		free(check->problems[i].path);
	free(check->problems);
	memset(check, 0, sizeof(*check));
}

const char *evidence_change_name(enum evidence_change change)
{
	switch (change) {
	case EVIDENCE_CHANGED: return "changed";
	case EVIDENCE_MISSING: return "missing";
	case EVIDENCE_ADDED: return "added";
	}
	return "changed";
}
