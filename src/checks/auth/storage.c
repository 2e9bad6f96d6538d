/* storage: the auth.storage collector and check: test passwords and stored hashes in every
 * artifact the DUT gives away */
#include "core/compat.h"

#include <dirent.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "adapters/exec.h"
#include "adapters/login.h"
#include "checks/auth/auth-internal.h"
#include "checks/auth/password-policy.h"
#include "checks/auth/password-scan.h"
#include "checks/check.h"
#include "core/error.h"
#include "core/json-read.h"
#include "core/monotonic.h"
#include "core/profile.h"
#include "core/text.h"

/*
 * NCC 5.3.1.6 (stored encrypted or hashed), TS-0014-1 5.2.4.2 (never in
 * clear; an SP 800-140C approved protection), IoT-1006-1 5.3.1.2 (not in
 * clear; 5.3.1.1 algorithms). We set a canary password on the test account
 * through a login adapter, obtain what the profile supplies (artifacts
 * other than documents, and the output of its export_config operation),
 * unpack them with the system's tools (tar for tar and its gzip, xz and
 * bzip2 forms, gzip/xz/bzip2 for a bare stream, unsquashfs for a firmware's
 * squashfs root, unzip; run bounded, no shell, no setuid bits kept), and search every file for the
 * canary, the profile's passwords and the passwords the campaign set (password-scan.c), in clear
 * and in reversible encodings, and for stored hashes, which crypt(3) or PBKDF2 then try to verify
 * against them. Decision #18: a reversible form fails everywhere; an unsalted or legacy hash is a
 * finding for NCC and a fail for TS-0014-1 and IoT-1006-1 (parameter weak_hash).
 */

#define STORAGE_FILE_MAX (64u << 20)        /* bytes scanned of one file */
#define STORAGE_TOTAL_MAX (1024ull << 20)   /* bytes scanned in all */
#define STORAGE_FILES_MAX 20000             /* files walked in all */
#define STORAGE_DEPTH_MAX 4                 /* folders and nested archives */
#define STORAGE_UNPACK_FSIZE (512ull << 20) /* one unpacked file at most */
#define STORAGE_UNPACK_SECONDS 120
#define STORAGE_RESERVE_NS (30 * 1000000000LL)
#define STORAGE_CANARY_LENGTH 16
#define STORAGE_PREFIX_SHOWN 16 /* characters of a stored hash a finding shows */

/* Artifact names that are documents, not device contents. */
static const char *const document_names[] = {"manual",   "sbom",      "guide", "policy",
					     "document", "datasheet", "report"};

struct storage {
	struct auth_run run;
	const struct profile_credential *credential;
	struct pwscan_secret secrets[PWSCAN_SECRETS_MAX];
	char values[PWSCAN_SECRETS_MAX][AUTH_PASSWORD_MAX];
	char labels[PWSCAN_SECRETS_MAX][96];
	bool ambiguous[PWSCAN_SECRETS_MAX]; /* also a user name, or short */
	size_t secret_count;
	struct pwscan *scan;
	struct json_object *files;
	uint64_t total_bytes;
	size_t file_count;
	size_t unpack_count;
	bool truncated;
	struct pwscan_result *result; /* one file's, reused */
};

static void add_secret(struct storage *s, const char *value, const char *label)
{
	if (!value || !value[0] || strlen(value) >= AUTH_PASSWORD_MAX ||
	    s->secret_count >= PWSCAN_SECRETS_MAX)
		return;
	for (size_t i = 0; i < s->secret_count; i++)
		if (strcmp(s->values[i], value) == 0)
			return;
	size_t i = s->secret_count++;
	snprintf(s->values[i], sizeof(s->values[i]), "%s", value);
	snprintf(s->labels[i], sizeof(s->labels[i]), "%s", label);
	const struct profile *p = s->run.profile;
	bool ambiguous = strlen(value) < 6;
	for (size_t c = 0; c < p->credential_count; c++)
		ambiguous = ambiguous || (p->credentials[c].username &&
					  strcmp(p->credentials[c].username, value) == 0);
	s->ambiguous[i] = ambiguous;
	s->secrets[i] = (struct pwscan_secret){.label = s->labels[i], .value = s->values[i]};
}

/* The passwords the campaign set (auth-test-passwords), newest last. */
static void add_campaign_passwords(struct storage *s)
{
	char path[AUTH_PATH_MAX];
	int n = snprintf(path, sizeof(path), "%s/%s", s->run.ctx->campaign_dir,
			 AUTH_TEST_PASSWORDS_FILE);
	if (n < 0 || (size_t)n >= sizeof(path))
		return;
	FILE *f = fopen(path, "re");
	if (!f)
		return;
	char line[AUTH_PASSWORD_MAX + 2];
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		add_secret(s, line, "a test password dutlab set during the campaign");
	}
	fclose(f);
}

/* ---- running tar, unsquashfs, unzip and the decompressors ---------------- */

/* Run argv (no shell) with stdout to out_path (or /dev/null), killed at
 * deadline_ns; its exit status, or -1 when killed or not run. */
static int run_tool(const char *const argv[], const char *out_path, int64_t deadline_ns)
{
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		setpgid(0, 0);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		struct rlimit fsize = {STORAGE_UNPACK_FSIZE, STORAGE_UNPACK_FSIZE};
		setrlimit(RLIMIT_FSIZE, &fsize);
		int in = open("/dev/null", O_RDONLY);
		int out = out_path ? open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0600)
				   : open("/dev/null", O_WRONLY);
		int null_out = open("/dev/null", O_WRONLY);
		if (in < 0 || out < 0 || null_out < 0 || dup2(in, 0) < 0 || dup2(out, 1) < 0 ||
		    dup2(null_out, 2) < 0)
			_exit(127);
		if (close_range(3, ~0u, 0) != 0)
			for (int fd = 3; fd < 1024; fd++)
				close(fd);
		execvp(argv[0], (char *const *)argv);
		_exit(127);
	}
	setpgid(pid, pid);
	int status = 0;
	for (;;) {
		pid_t done = waitpid(pid, &status, WNOHANG);
		if (done == pid)
			break;
		if (done < 0 && errno != EINTR) {
			kill(-pid, SIGKILL);
			return -1;
		}
		if (monotonic_ns() >= deadline_ns) {
			kill(-pid, SIGKILL);
			waitpid(pid, &status, 0);
			return -1;
		}
		struct timespec ts = {0, 10 * 1000000L};
		nanosleep(&ts, NULL);
	}
	kill(-pid, SIGKILL);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

enum packing {
	PACK_NONE,
	PACK_TAR,
	PACK_GZIP,
	PACK_XZ,
	PACK_BZIP2,
	PACK_SQUASHFS,
	PACK_ZIP,
	PACK_OTHER /* known, not unpacked (jffs2) */
};

static enum packing packing_of(const uint8_t *head, size_t n, const char **name)
{
	*name = NULL;
	if (n >= 2 && head[0] == 0x1f && head[1] == 0x8b)
		return PACK_GZIP;
	if (n >= 262 && memcmp(head + 257, "ustar", 5) == 0)
		return PACK_TAR;
	if (n >= 4 && (memcmp(head, "hsqs", 4) == 0 || memcmp(head, "sqsh", 4) == 0))
		return PACK_SQUASHFS;
	if (n >= 4 && memcmp(head, "PK\x03\x04", 4) == 0)
		return PACK_ZIP;
	if (n >= 3 && memcmp(head, "BZh", 3) == 0)
		return PACK_BZIP2;
	if (n >= 6 && memcmp(head,
			     "\xfd"
			     "7zXZ",
			     6) == 0)
		return PACK_XZ;
	if (n >= 4 &&
	    (memcmp(head, "\x85\x19\x03\x20", 4) == 0 || memcmp(head, "\x19\x85\x20\x03", 4) == 0))
		*name = "jffs2";
	return *name ? PACK_OTHER : PACK_NONE;
}

static int scan_path(struct storage *s, const char *path, const char *shown, int depth,
		     struct dl_error *err);

static bool folder_empty(const char *path)
{
	DIR *d = opendir(path);
	if (!d)
		return true;
	bool empty = true;
	for (struct dirent *e; empty && (e = readdir(d)) != NULL;)
		empty = strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0;
	closedir(d);
	return empty;
}

/* Unpack an archive into a new folder under evidence/auth and scan it. */
static int unpack(struct storage *s, const char *path, const char *shown, enum packing packing,
		  struct json_object *entry, int depth, struct dl_error *err)
{
	char dir[AUTH_PATH_MAX], dir_shown[AUTH_PATH_MAX];
	int w = -1;
	/* a resumed campaign keeps the folders of the earlier run: take the next free */
	for (unsigned tries = 0; tries < 10000; tries++) {
		unsigned n = (unsigned)++s->unpack_count;
		w = snprintf(dir, sizeof(dir), "%s/storage-unpacked-%u", s->run.evidence_dir, n);
		if (w < 0 || (size_t)w >= sizeof(dir) || mkdir(dir, 0700) == 0 || errno != EEXIST)
			break;
	}
	struct stat st;
	if (w < 0 || (size_t)w >= sizeof(dir) || lstat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
		return dl_error_set(err, DL_EIO,
				    "auth.storage: cannot create an unpack folder under %s",
				    s->run.evidence_dir);
	snprintf(dir_shown, sizeof(dir_shown), "%s!", shown);
	int64_t deadline = monotonic_ns() + STORAGE_UNPACK_SECONDS * 1000000000LL;
	if (s->run.ctx->deadline_ns > 0 && s->run.ctx->deadline_ns - STORAGE_RESERVE_NS < deadline)
		deadline = s->run.ctx->deadline_ns - STORAGE_RESERVE_NS;
	char root[AUTH_PATH_MAX];
	w = snprintf(root, sizeof(root), "%s/root", dir);
	if (w < 0 || (size_t)w >= sizeof(root))
		return dl_error_set(err, DL_EIO, "auth.storage: path too long");
	int status;
	const char *how;
	if (packing == PACK_SQUASHFS) {
		/* a firmware's root file system (squashfs-tools); no device nodes or owners */
		const char *unsquashfs[] = {"unsquashfs", "-no-progress", "-no-xattrs", "-quiet",
					    "-d",         root,           path,         NULL};
		status = run_tool(unsquashfs, NULL, deadline);
		how = "unsquashfs";
	} else if (packing == PACK_ZIP) {
		const char *unzip[] = {"unzip", "-qq", "-o", path, "-d", dir, NULL};
		status = run_tool(unzip, NULL, deadline);
		how = "unzip";
	} else {
		/* tar reads gzip, xz and bzip2 compressed archives by itself */
		const char *tar[] = {"tar",
				     "-xf",
				     path,
				     "-C",
				     dir,
				     "--no-same-owner",
				     "--no-same-permissions",
				     "--warning=no-unknown-keyword",
				     NULL};
		status = run_tool(tar, NULL, deadline);
		how = "tar";
	}
	static const char *const decompressors[] = {
		[PACK_GZIP] = "gzip", [PACK_XZ] = "xz", [PACK_BZIP2] = "bzip2"};
	/* GNU tar takes a compressed stream that holds no tar for an empty archive */
	if ((status != 0 || folder_empty(dir)) &&
	    (packing == PACK_GZIP || packing == PACK_XZ || packing == PACK_BZIP2)) {
		/* a compressed stream that is not a tar: decompress it alone */
		char out[AUTH_PATH_MAX];
		w = snprintf(out, sizeof(out), "%s/decompressed", dir);
		if (w < 0 || (size_t)w >= sizeof(out))
			return dl_error_set(err, DL_EIO, "auth.storage: path too long");
		how = decompressors[packing];
		const char *decompress[] = {how, "-dc", path, NULL};
		status = run_tool(decompress, out, deadline);
	}
	char note[128];
	snprintf(note, sizeof(note), "%s exit status %d", how, status);
	json_object_object_add(entry, "unpacked", json_object_new_string(status == 0 ? how : note));
	if (status != 0)
		return 0;
	return scan_path(s, dir, dir_shown, depth + 1, err);
}

/* ---- scanning ------------------------------------------------------------ */

static struct json_object *match_json(const struct storage *s, const struct pwscan_match *m)
{
	struct json_object *o = json_object_new_object();
	json_object_object_add(o, "offset", json_object_new_int64((int64_t)m->offset));
	json_object_object_add(o, "encoding",
			       json_object_new_string(pwscan_encoding_name(m->encoding)));
	if (m->encoding == PWSCAN_XOR)
		json_object_object_add(o, "xor_key", json_object_new_int(m->xor_key));
	json_object_object_add(o, "secret", json_object_new_string(s->labels[m->secret]));
	char masked[64];
	pwscan_mask(s->values[m->secret], masked, sizeof(masked));
	json_object_object_add(o, "masked", json_object_new_string(masked));
	/* a secret that is also a user name means nothing outside a password field */
	json_object_object_add(
		o, "ambiguous",
		json_object_new_boolean(s->ambiguous[m->secret] && !m->password_field));
	return o;
}

static struct json_object *hash_json(const struct storage *s, const struct pwscan_hash *h)
{
	struct json_object *o = json_object_new_object();
	json_object_object_add(o, "offset", json_object_new_int64((int64_t)h->offset));
	json_object_object_add(o, "scheme", json_object_new_string(pwscan_scheme_name(h->scheme)));
	json_object_object_add(o, "grade", json_object_new_string(pwscan_grade_name(h->grade)));
	json_object_object_add(o, "salted", json_object_new_boolean(h->salted));
	json_object_object_add(o, "approved", json_object_new_boolean(h->approved));
	json_object_object_add(o, "cost", json_object_new_int64((int64_t)h->cost));
	if (h->account[0])
		json_object_object_add(o, "account", json_object_new_string(h->account));
	/* enough to recognise it, not enough to crack it offline */
	char prefix[STORAGE_PREFIX_SHOWN + 4];
	snprintf(prefix, sizeof(prefix), "%.*s...", STORAGE_PREFIX_SHOWN, h->text);
	json_object_object_add(o, "prefix", json_object_new_string(prefix));
	if (h->secret >= 0)
		json_object_object_add(o, "verified_as",
				       json_object_new_string(s->labels[h->secret]));
	return o;
}

static int scan_file(struct storage *s, const char *path, const char *shown, int depth,
		     struct dl_error *err)
{
	if (s->file_count >= STORAGE_FILES_MAX || s->total_bytes >= STORAGE_TOTAL_MAX) {
		s->truncated = true;
		return 0;
	}
	s->file_count++;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) != 0) {
		if (fd >= 0)
			close(fd);
		return 0;
	}
	size_t size = st.st_size > STORAGE_FILE_MAX ? STORAGE_FILE_MAX : (size_t)st.st_size;
	uint8_t *data = malloc(size ? size : 1);
	if (!data) {
		close(fd);
		return dl_error_set(err, DL_ENOMEM, "auth.storage: out of memory reading %s",
				    shown);
	}
	size_t got = 0;
	while (got < size) {
		ssize_t r = read(fd, data + got, size - got);
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	close(fd);
	s->total_bytes += got;

	struct json_object *entry = json_object_new_object();
	json_object_object_add(entry, "file", json_object_new_string(shown));
	json_object_object_add(entry, "size", json_object_new_int64((int64_t)st.st_size));
	json_object_object_add(entry, "scanned", json_object_new_int64((int64_t)got));
	memset(s->result, 0, sizeof(*s->result));
	pwscan_run(s->scan, data, got, 0, s->result);
	int64_t verify_deadline = s->run.ctx->deadline_ns > 0
					  ? s->run.ctx->deadline_ns - STORAGE_RESERVE_NS
					  : monotonic_ns() + 60 * 1000000000LL;
	pwscan_verify(s->result, s->secrets, s->secret_count, verify_deadline);
	struct json_object *matches = json_object_new_array();
	struct json_object *hashes = json_object_new_array();
	for (size_t i = 0; i < s->result->match_count; i++)
		json_object_array_add(matches, match_json(s, &s->result->matches[i]));
	for (size_t i = 0; i < s->result->hash_count; i++)
		json_object_array_add(hashes, hash_json(s, &s->result->hashes[i]));
	json_object_object_add(entry, "matches", matches);
	json_object_object_add(entry, "hashes", hashes);
	json_object_object_add(entry, "dropped",
			       json_object_new_int64((int64_t)(s->result->matches_dropped +
							       s->result->hashes_dropped)));
	json_object_array_add(s->files, entry);

	const char *other = NULL;
	enum packing packing = packing_of(data, got, &other);
	free(data);
	if (other)
		json_object_object_add(entry, "not_unpacked", json_object_new_string(other));
	if (packing != PACK_NONE && packing != PACK_OTHER && depth < STORAGE_DEPTH_MAX)
		return unpack(s, path, shown, packing, entry, depth, err);
	return 0;
}

/* A file, or every regular file below a folder (symbolic links skipped). */
static int scan_path(struct storage *s, const char *path, const char *shown, int depth,
		     struct dl_error *err)
{
	struct stat st;
	if (lstat(path, &st) != 0 || S_ISLNK(st.st_mode))
		return 0;
	if (S_ISREG(st.st_mode))
		return scan_file(s, path, shown, depth, err);
	if (!S_ISDIR(st.st_mode) || depth > STORAGE_DEPTH_MAX * 4)
		return 0;
	DIR *d = opendir(path);
	if (!d)
		return 0;
	int rc = 0;
	for (struct dirent *e = readdir(d); e && !rc; e = readdir(d)) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		char child[AUTH_PATH_MAX], child_shown[AUTH_PATH_MAX];
		int a = snprintf(child, sizeof(child), "%s/%s", path, e->d_name);
		int b = snprintf(child_shown, sizeof(child_shown), "%s/%s", shown, e->d_name);
		if (a < 0 || (size_t)a >= sizeof(child) || b < 0 ||
		    (size_t)b >= sizeof(child_shown))
			continue;
		rc = scan_path(s, child, child_shown, depth + 1, err);
	}
	closedir(d);
	return rc;
}

/* CAMPAIGN/evidence/auth/storage-<name> into buf; false when too long. */
static bool evidence_path(const struct storage *s, const char *name, char *buf, size_t size)
{
	int n = snprintf(buf, size, "%s/storage-%s", s->run.evidence_dir, name);
	return n >= 0 && (size_t)n < size;
}

/* ---- the canary and the artifacts ---------------------------------------- */

static int run_operation(struct storage *s, const char *operation, const char *password,
			 const char *transcript, struct adapter_exec_result *res,
			 struct dl_error *err)
{
	struct adapter_exec_vars vars = {
		.address = s->run.address,
		.username = s->credential ? s->credential->username : NULL,
		.password = password,
		.campaign = s->run.ctx->campaign_dir,
	};
	return adapter_exec_run(s->run.profile, operation, &vars, transcript,
				s->run.ctx->deadline_ns, res, err);
}

/* Set a canary on the test account; *canary_set says whether it took. */
static int set_canary(struct storage *s, struct json_object *o, struct login_target *target,
		      char *target_path, const struct profile_adapter **adapter_out, char *canary,
		      bool *canary_set, struct dl_error *err)
{
	*canary_set = false;
	struct json_object *c = json_object_new_object();
	json_object_object_add(o, "canary", c);
	const char *why = NULL;
	s->credential = auth_test_credential(s->run.profile, &why);
	const struct profile_adapter *adapter = NULL;
	for (size_t i = 0; s->credential && i < s->run.adapter_count && !adapter; i++)
		if (login_capabilities(s->run.adapters[i]) & LOGIN_CAN_CHANGE_PASSWORD)
			adapter = s->run.adapters[i];
	if (!s->credential || !adapter) {
		json_object_object_add(c, "set", json_object_new_boolean(false));
		json_object_object_add(
			c, "why",
			json_object_new_string(why ? why
						   : "no login adapter can change a password"));
		return 0;
	}
	*adapter_out = adapter;
	auth_target(&s->run, adapter, "storage", target, target_path, AUTH_PATH_MAX, NULL, 0);
	const char *avoid[1] = {s->credential->password};
	if (auth_password_generate(AUTH_CLASS_LOWER | AUTH_CLASS_UPPER | AUTH_CLASS_DIGIT |
					   AUTH_CLASS_SYMBOL,
				   STORAGE_CANARY_LENGTH, s->credential->username, avoid, 1, canary,
				   AUTH_PASSWORD_MAX))
		return dl_error_set(err, DL_EIO, "auth.storage: cannot generate a canary password");
	if (profile_find_operation(s->run.profile, AUTH_OP_AGE)) {
		char path[AUTH_PATH_MAX];
		if (!evidence_path(s, AUTH_OP_AGE ".log", path, sizeof(path)))
			return dl_error_set(err, DL_EINVAL, "auth.storage: evidence path too long");
		struct adapter_exec_result res;
		int rc = run_operation(s, AUTH_OP_AGE, s->credential->password, path, &res, err);
		if (rc)
			return rc;
	}
	struct login_response resp;
	memset(&resp, 0, sizeof(resp));
	int rc = login_change_password(target, s->credential->username, s->credential->password,
				       canary, &resp, err);
	if (rc == DL_ETIMEDOUT)
		return rc;
	if (rc) {
		resp.outcome = LOGIN_UNREACHABLE;
		snprintf(resp.excerpt, sizeof(resp.excerpt), "dutlab: %.200s", err->message);
		dl_error_clear(err);
	}
	json_object_object_add(c, "adapter", json_object_new_string(adapter->name));
	json_object_object_add(c, "account", json_object_new_string(s->credential->username));
	json_object_object_add(c, "outcome",
			       json_object_new_string(login_outcome_name(resp.outcome)));
	*canary_set = resp.outcome == LOGIN_ACCEPTED;
	json_object_object_add(c, "set", json_object_new_boolean(*canary_set));
	if (*canary_set)
		auth_test_passwords_append(s->run.ctx->campaign_dir, canary);
	return 0;
}

/* The profile's password back on the test account. */
static int restore(struct storage *s, struct json_object *o, const struct login_target *target,
		   const char *canary, struct dl_error *err)
{
	struct json_object *r = json_object_new_object();
	json_object_object_add(o, "restore", r);
	bool ok = false;
	if (profile_find_operation(s->run.profile, AUTH_OP_RESTORE)) {
		char path[AUTH_PATH_MAX];
		if (!evidence_path(s, AUTH_OP_RESTORE ".log", path, sizeof(path)))
			return dl_error_set(err, DL_EINVAL, "auth.storage: evidence path too long");
		struct adapter_exec_result res;
		int rc =
			run_operation(s, AUTH_OP_RESTORE, s->credential->password, path, &res, err);
		if (rc)
			return rc;
		ok = !res.timed_out && res.exit_status == 0;
		json_object_object_add(r, "method", json_object_new_string(AUTH_OP_RESTORE));
	} else {
		/* the canary was set moments ago: a minimum age refuses the change
		 * back unless the last change is moved back first */
		if (profile_find_operation(s->run.profile, AUTH_OP_AGE)) {
			char path[AUTH_PATH_MAX];
			if (!evidence_path(s, AUTH_OP_AGE "-restore.log", path, sizeof(path)))
				return dl_error_set(err, DL_EINVAL,
						    "auth.storage: evidence path too long");
			struct adapter_exec_result res;
			int rc = run_operation(s, AUTH_OP_AGE, s->credential->password, path, &res,
					       err);
			if (rc)
				return rc;
		}
		struct login_response resp;
		memset(&resp, 0, sizeof(resp));
		int rc = login_change_password(target, s->credential->username, canary,
					       s->credential->password, &resp, err);
		if (rc)
			return rc;
		ok = resp.outcome == LOGIN_ACCEPTED;
		json_object_object_add(r, "method", json_object_new_string("change back"));
	}
	struct login_response resp;
	memset(&resp, 0, sizeof(resp));
	int rc = auth_attempt(target, s->credential->username, s->credential->password, &resp, NULL,
			      err);
	if (rc)
		return rc;
	json_object_object_add(r, "login_after",
			       json_object_new_string(login_outcome_name(resp.outcome)));
	json_object_object_add(r, "restored",
			       json_object_new_boolean(ok && resp.outcome == LOGIN_ACCEPTED));
	if (!(ok && resp.outcome == LOGIN_ACCEPTED)) {
		char path[AUTH_PATH_MAX];
		snprintf(path, sizeof(path), "%s/auth-test-password-left",
			 s->run.ctx->campaign_dir);
		int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		if (fd >= 0) {
			dprintf(fd, "%s\n", canary);
			close(fd);
		}
		json_object_object_add(r, "left_password_file",
				       json_object_new_string("auth-test-password-left"));
	}
	return 0;
}

/* The export_config operation's standard output, cut from its transcript
 * (the adapter writes a header and a footer around it) into out_path. */
static int export_config(struct storage *s, const char *out_path, struct json_object *entry,
			 struct dl_error *err)
{
	char transcript[AUTH_PATH_MAX];
	if (!evidence_path(s, AUTH_OP_EXPORT ".log", transcript, sizeof(transcript)))
		return dl_error_set(err, DL_EINVAL, "auth.storage: evidence path too long");
	struct adapter_exec_result res;
	const char *password = s->credential ? s->credential->password : NULL;
	int rc = run_operation(s, AUTH_OP_EXPORT, password, transcript, &res, err);
	if (rc)
		return rc;
	json_object_object_add(entry, "exit_status", json_object_new_int(res.exit_status));
	json_object_object_add(entry, "transcript",
			       json_object_new_string("evidence/auth/storage-export_config.log"));
	if (res.timed_out || res.exit_status != 0)
		return DL_EIO;
	/* the header's second line is "$ " and the masked command */
	const struct profile_operation *op = profile_find_operation(s->run.profile, AUTH_OP_EXPORT);
	struct adapter_exec_vars vars = {.address = s->run.address,
					 .username = s->credential ? s->credential->username : NULL,
					 .password = password,
					 .campaign = s->run.ctx->campaign_dir};
	char *masked = malloc(ADAPTER_EXEC_COMMAND_MAX);
	FILE *in = fopen(transcript, "re");
	FILE *out = fopen(out_path, "we");
	uint8_t *data = malloc(STORAGE_FILE_MAX);
	rc = 0;
	if (!masked || !in || !out || !data ||
	    adapter_exec_expand(op->command, &vars, true, masked, ADAPTER_EXEC_COMMAND_MAX, err)) {
		rc = DL_EIO;
		goto done;
	}
	size_t n = fread(data, 1, STORAGE_FILE_MAX, in);
	const uint8_t *first = memchr(data, '\n', n);
	size_t skip = first ? (size_t)(first - data) + 1 + 2 + strlen(masked) + 1 : n;
	if (skip > n || memcmp(data + (first - data) + 1, "$ ", 2) != 0)
		skip = n;
	size_t end = n;
	static const char footer[] = "\n# exit status ";
	for (size_t i = n; i > skip; i--) {
		if (i - 1 + sizeof(footer) - 1 <= n &&
		    memcmp(data + i - 1, footer, sizeof(footer) - 1) == 0) {
			end = i - 1;
			break;
		}
	}
	if (end > skip)
		fwrite(data + skip, 1, end - skip, out);
done:
	free(masked);
	free(data);
	if (in)
		fclose(in);
	if (out)
		fclose(out);
	return rc;
}

static bool document(const char *name)
{
	for (size_t i = 0; i < DL_ARRAY_SIZE(document_names); i++)
		if (strstr(name, document_names[i]))
			return true;
	return false;
}

static int collect_storage(const struct check_context *ctx, struct json_object **observation,
			   struct dl_error *err)
{
	*observation = NULL;
	struct storage *s = calloc(1, sizeof(*s));
	char *canary = calloc(1, AUTH_PASSWORD_MAX);
	char *target_path = calloc(1, AUTH_PATH_MAX);
	if (!s || !canary || !target_path) {
		free(s);
		free(canary);
		free(target_path);
		return dl_error_set(err, DL_ENOMEM, "auth.storage: out of memory");
	}
	struct json_object *o = NULL;
	int rc = auth_run_init(&s->run, ctx, err);
	if (rc)
		goto out;
	s->result = calloc(1, sizeof(*s->result));
	s->files = json_object_new_array();
	o = json_object_new_object();
	if (!s->result || !s->files || !o) {
		json_object_put(s->files);
		rc = dl_error_set(err, DL_ENOMEM, "auth.storage: out of memory");
		goto out;
	}
	json_object_object_add(o, "version", json_object_new_int(1));
	struct login_target target;
	const struct profile_adapter *adapter = NULL;
	bool canary_set = false;
	auth_progress(&s->run, 0, 4, "set a canary password");
	rc = set_canary(s, o, &target, target_path, &adapter, canary, &canary_set, err);
	if (rc)
		goto out;
	if (canary_set) {
		char label[96];
		snprintf(label, sizeof(label), "the canary password of %s",
			 s->credential->username);
		add_secret(s, canary, label);
	}
	const struct profile *p = s->run.profile;
	for (size_t i = 0; i < p->credential_count; i++) {
		char label[96];
		snprintf(label, sizeof(label), "the %s password from the profile",
			 p->credentials[i].role ? p->credentials[i].role : "?");
		add_secret(s, p->credentials[i].password, label);
	}
	add_campaign_passwords(s);
	struct json_object *secrets = json_object_new_array();
	for (size_t i = 0; i < s->secret_count; i++) {
		struct json_object *e = json_object_new_object();
		char masked[64];
		pwscan_mask(s->values[i], masked, sizeof(masked));
		json_object_object_add(e, "label", json_object_new_string(s->labels[i]));
		json_object_object_add(e, "masked", json_object_new_string(masked));
		json_object_object_add(e, "ambiguous", json_object_new_boolean(s->ambiguous[i]));
		json_object_array_add(secrets, e);
	}
	json_object_object_add(o, "secrets", secrets);
	rc = pwscan_new(s->secrets, s->secret_count, &s->scan, err);
	if (rc)
		goto restore;

	/* the artifacts: the profile's files, then the export */
	struct json_object *sources = json_object_new_array();
	json_object_object_add(o, "sources", sources);
	auth_progress(&s->run, 1, 4, "search the artifacts");
	for (size_t i = 0; i < p->artifact_count && !rc; i++) {
		const struct profile_artifact *a = &p->artifacts[i];
		struct json_object *e = json_object_new_object();
		json_object_object_add(e, "name", json_object_new_string(a->name));
		json_object_array_add(sources, e);
		if (document(a->name)) {
			json_object_object_add(e, "skipped",
					       json_object_new_string("a document, not device "
								      "contents"));
			continue;
		}
		char shown[AUTH_PATH_MAX];
		snprintf(shown, sizeof(shown), "artifact:%s", a->name);
		size_t before = s->file_count;
		rc = scan_path(s, a->path, shown, 0, err);
		json_object_object_add(e, "files",
				       json_object_new_int((int)(s->file_count - before)));
	}
	if (!rc && profile_find_operation(p, AUTH_OP_EXPORT)) {
		struct json_object *e = json_object_new_object();
		json_object_object_add(e, "name", json_object_new_string(AUTH_OP_EXPORT));
		json_object_array_add(sources, e);
		char path[AUTH_PATH_MAX];
		struct dl_error export_err = {0};
		int export_rc =
			evidence_path(s, AUTH_OP_EXPORT ".out", path, sizeof(path))
				? export_config(s, path, e, &export_err)
				: dl_error_set(&export_err, DL_EINVAL, "evidence path too long");
		if (export_rc == DL_ETIMEDOUT) {
			rc = export_rc;
			*err = export_err;
		} else if (export_rc) {
			json_object_object_add(
				e, "error",
				json_object_new_string(export_err.message[0]
							       ? export_err.message
							       : "the operation failed"));
		} else {
			size_t before = s->file_count;
			rc = scan_path(s, path, "export_config", 0, err);
			json_object_object_add(e, "files",
					       json_object_new_int((int)(s->file_count - before)));
		}
	}
	json_object_object_add(o, "files", json_object_get(s->files));
	json_object_object_add(o, "file_count", json_object_new_int64((int64_t)s->file_count));
	json_object_object_add(o, "bytes", json_object_new_int64((int64_t)s->total_bytes));
	json_object_object_add(o, "truncated", json_object_new_boolean(s->truncated));
restore:
	if (canary_set) {
		auth_progress(&s->run, 3, 4, "restore the test account");
		struct dl_error restore_err = {0};
		int restore_rc = restore(s, o, &target, canary, &restore_err);
		if (restore_rc && !rc) {
			rc = restore_rc;
			*err = restore_err;
		}
	}
out:
	if (rc) {
		json_object_put(o);
		o = NULL;
	}
	*observation = o;
	json_object_put(s->files);
	pwscan_free(s->scan);
	free(s->result);
	free(s);
	free(canary);
	free(target_path);
	return rc;
}

const struct collector collector_auth_storage = {
	.id = "auth.storage",
	.summary = "a canary password, then every artifact searched for passwords and hashes",
	.needs = NEED_DUT_ADDRESS,
	.timeout_seconds = 900,
	.expected_seconds = 30,
	.changes_dut = true,
	.collect = collect_storage,
};

/* ---- the judge ------------------------------------------------------------ */

static int judge_storage(const struct json_object *o, const struct check_params *params,
			 const struct profile *profile, struct check_verdict *out,
			 struct dl_error *err)
{
	(void)profile;
	const char *weak = check_param_get(params, "weak_hash", "fail");
	if (strcmp(weak, "fail") != 0 && strcmp(weak, "finding") != 0)
		return dl_error_set(err, DL_EINVAL,
				    "auth.storage: parameter weak_hash is '%s'; expected fail or "
				    "finding",
				    weak);
	bool weak_fails = strcmp(weak, "fail") == 0;
	const struct json_object *canary = json_read_object(o, "canary");
	if (json_read_true(canary, "set"))
		check_verdict_add(out, FINDING_INFO, NULL,
				  "canary: a new password was set on '%s' through adapter '%s'",
				  json_read_text(canary, "account", "?"),
				  json_read_text(canary, "adapter", "?"));
	else
		check_verdict_add(
			out, FINDING_WARNING, NULL,
			"no canary password set (%s); searched for the profile's "
			"passwords only",
			json_read_text(canary, "why", json_read_text(canary, "outcome", "?")));
	const struct json_object *restore = json_read_object(o, "restore");
	if (restore && !json_read_true(restore, "restored"))
		check_verdict_add(out, FINDING_WARNING, NULL,
				  "the test account was not restored (%s); its password is in %s",
				  json_read_text(restore, "method", "?"),
				  json_read_text(restore, "left_password_file", "?"));
	const struct json_object *sources = json_read_array(o, "sources");
	for (size_t i = 0; i < json_read_length((struct json_object *)sources); i++) {
		const struct json_object *e =
			json_object_array_get_idx((struct json_object *)sources, i);
		if (json_read_text(e, "error", NULL))
			check_verdict_add(out, FINDING_WARNING, NULL, "%s: not obtained: %s",
					  json_read_text(e, "name", "?"),
					  json_read_text(e, "error", ""));
	}
	const struct json_object *files = json_read_array(o, "files");
	size_t file_count = json_read_length((struct json_object *)files);
	if (file_count == 0)
		return check_verdict_set(
			out, VERDICT_INCONCLUSIVE,
			"nothing to search: the profile supplies no artifact with "
			"device contents (config_backup, firmware, flash_dump) and "
			"no export_config operation");
	size_t recoverable = 0, reversible = 0, weak_count = 0, strong = 0, verified = 0,
	       unapproved = 0;
	char first_fail[256] = "";
	for (size_t f = 0; f < file_count; f++) {
		const struct json_object *file =
			json_object_array_get_idx((struct json_object *)files, f);
		const char *name = json_read_text(file, "file", "?");
		const struct json_object *matches = json_read_array(file, "matches");
		size_t file_ambiguous = 0;
		for (size_t i = 0; i < json_read_length((struct json_object *)matches); i++) {
			const struct json_object *m =
				json_object_array_get_idx((struct json_object *)matches, i);
			if (json_read_true(m, "ambiguous")) {
				/* counted, and summed up once per file below */
				file_ambiguous++;
				continue;
			}
			check_verdict_add(
				out, FINDING_FAIL, NULL, "%s offset %" PRId64 ": %s %s (%s)", name,
				json_read_int(m, "offset", 0), json_read_text(m, "secret", "?"),
				strcmp(json_read_text(m, "encoding", ""), "clear") == 0
					? "in clear"
					: json_read_text(m, "encoding", "?"),
				json_read_text(m, "masked", "***"));
			if (!first_fail[0])
				snprintf(first_fail, sizeof(first_fail), "%s in %s at %" PRId64,
					 json_read_text(m, "encoding", "?"), name,
					 json_read_int(m, "offset", 0));
			recoverable++;
		}
		if (file_ambiguous)
			check_verdict_add(out, FINDING_INFO, NULL,
					  "%s: %zu occurrence%s of a short password or one that is "
					  "also a user name "
					  "outside any password field, not counted",
					  name, file_ambiguous, file_ambiguous == 1 ? "" : "s");
		const struct json_object *hashes = json_read_array(file, "hashes");
		for (size_t i = 0; i < json_read_length((struct json_object *)hashes); i++) {
			const struct json_object *h =
				json_object_array_get_idx((struct json_object *)hashes, i);
			const char *grade = json_read_text(h, "grade", "?");
			const char *as = json_read_text(h, "verified_as", NULL);
			const char *account = json_read_text(h, "account", NULL);
			char cost[48] = "";
			if (json_read_int(h, "cost", 0) > 0)
				snprintf(cost, sizeof(cost), ", cost %" PRId64,
					 json_read_int(h, "cost", 0));
			enum finding_severity sev = FINDING_PASS;
			if (strcmp(grade, "reversible") == 0) {
				reversible++;
				sev = FINDING_FAIL;
			} else if (strcmp(grade, "weak") == 0) {
				weak_count++;
				sev = weak_fails ? FINDING_FAIL : FINDING_WARNING;
			} else {
				strong++;
				unapproved += !json_read_true(h, "approved");
			}
			verified += as != NULL;
			check_verdict_add(
				out, sev, NULL,
				"%s offset %" PRId64 ": %s hash (%s, %s%s%s)%s%s%s%s", name,
				json_read_int(h, "offset", 0), json_read_text(h, "scheme", "?"),
				grade, json_read_true(h, "salted") ? "salted" : "unsalted", cost,
				json_read_true(h, "approved") ? ", SP 800-140C approved" : "",
				account ? " of account " : "", account ? account : "",
				as ? "; verified: it is " : "", as ? as : "");
		}
	}
	if (unapproved)
		check_verdict_add(
			out, FINDING_INFO, NULL,
			"%zu of the strong hashes use a construction outside SP 800-140C "
			"(yescrypt, bcrypt, scrypt, argon2, SHA-crypt): accepted as salted and "
			"slow (issue 5); an approved one is PBKDF2 with SHA-2",
			unapproved);
	if (recoverable || reversible)
		return check_verdict_set(out, VERDICT_FAIL,
					 "%zu place%s a password dutlab knows in a recoverable "
					 "form%s%s%s (%zu file%s searched)",
					 recoverable + reversible,
					 recoverable + reversible == 1 ? " holds" : "s hold",
					 first_fail[0] ? " (first: " : "", first_fail,
					 first_fail[0] ? ")" : "", file_count,
					 file_count == 1 ? "" : "s");
	if (weak_count && weak_fails)
		return check_verdict_set(
			out, VERDICT_FAIL,
			"%zu stored password hash%s use a weak or legacy "
			"construction (unsalted or fast digest, DES- or MD5-crypt); "
			"an approved, salted, iterated construction is required",
			weak_count, weak_count == 1 ? "" : "es");
	if (verified == 0)
		return check_verdict_set(
			out, VERDICT_INCONCLUSIVE,
			"no password dutlab knows appears in clear or in a "
			"reversible form in %zu files, but where the DUT stores it "
			"was not found either (%zu hashes identified, none verified); "
			"supply an artifact holding the credential store",
			file_count, strong + weak_count);
	if (weak_count)
		return check_verdict_set(
			out, VERDICT_PASS,
			"passwords are stored hashed (%zu verified), none in a "
			"recoverable form in %zu files; %zu hash%s weak (a finding, "
			"decision #18)",
			verified, file_count, weak_count, weak_count == 1 ? " is" : "es are");
	return check_verdict_set(
		out, VERDICT_PASS,
		"no password dutlab knows in clear or in a reversible form in %zu "
		"file%s; %zu stored hash%s, all salted and slow, %zu verified against "
		"a known password",
		file_count, file_count == 1 ? "" : "s", strong, strong == 1 ? "" : "es", verified);
}

static const char *const storage_params[] = {"weak_hash", NULL};

const struct check check_auth_storage = {
	.id = "auth.storage",
	.summary = "passwords are stored only as salted slow hashes, never in a recoverable form",
	.collector = &collector_auth_storage,
	.params = storage_params,
	.judge = judge_storage,
};
