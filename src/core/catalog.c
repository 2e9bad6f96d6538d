/* catalog: loads and validates the YAML files in catalog/, the three standards as data */
#include "core/compat.h"

#include <dirent.h>
#include <sys/stat.h>

#include <libfyaml.h>

#include "dutlab-config.h"

#include "core/catalog.h"
#include "core/error.h"
#include "core/profile.h"
#include "core/text.h"
#include "core/yaml.h"

/* A catalog file holds one standard: about 1,200 lines today. The ceiling
 * keeps a wrong path (a disk image, /dev/zero) from being read whole. */
#define CATALOG_FILE_MAX (8u * 1024 * 1024)
#define CATALOG_CLAUSES_MAX 4096
#define CATALOG_CHECKS_MAX 64
#define CATALOG_PARAMS_MAX 64
#define CATALOG_NOTES_MAX 256
#define CATALOG_FILES_MAX 64

static const char *const method_names[] = {
	[METHOD_NETWORK] = "network",   [METHOD_INTERACTIVE] = "interactive",
	[METHOD_ARTIFACT] = "artifact", [METHOD_DOCUMENT] = "document",
	[METHOD_PHYSICAL] = "physical",
};

const char *catalog_method_name(enum catalog_method m)
{
	if ((size_t)m >= DL_ARRAY_SIZE(method_names))
		return "unknown";
	return method_names[m];
}

int catalog_method_from_name(const char *name, enum catalog_method *out)
{
	for (size_t i = 0; name && i < DL_ARRAY_SIZE(method_names); i++) {
		if (strcmp(name, method_names[i]) == 0) {
			*out = (enum catalog_method)i;
			return 0;
		}
	}
	return DL_EINVAL;
}

/* What every error needs: the file, the caller's error, and the key being
 * read (the position to report when a value has none of its own). */
struct loader {
	const char *path;
	struct dl_error *err;
	struct fy_node *key;
};

static int node_error(struct loader *ld, struct fy_node *node, const char *format, ...)
	__attribute__((format(printf, 3, 4)));

/* "FILE:LINE:COLUMN: message" (1-based) at node, else at the current key. */
static int node_error(struct loader *ld, struct fy_node *node, const char *format, ...)
{
	char what[768];
	va_list args;
	va_start(args, format);
	vsnprintf(what, sizeof(what), format, args);
	va_end(args);
	struct yaml_pos at = yaml_token_pos(node);
	if (at.line == 0)
		at = yaml_token_pos(ld->key);
	if (at.line == 0)
		return dl_error_set(ld->err, DL_EINVAL, "%s: %s", ld->path, what);
	return dl_error_set(ld->err, DL_EINVAL, "%s:%d:%d: %s", ld->path, at.line, at.column, what);
}

/* The scalar text of node, NUL-terminated by libfyaml, or an error. */
static int scalar(struct loader *ld, struct fy_node *node, const char *key, const char **out)
{
	if (!node || fy_node_get_type(node) != FYNT_SCALAR || fy_node_is_alias(node))
		return node_error(ld, node, "'%s' is %s; expected a scalar", key,
				  node ? yaml_kind(node) : "empty");
	const char *text = fy_node_get_scalar0(node);
	if (!text)
		return dl_error_set(ld->err, DL_ENOMEM, "%s: out of memory reading '%s'", ld->path,
				    key);
	*out = text;
	return 0;
}

static int get_string(struct loader *ld, struct fy_node *node, const char *key, char **out)
{
	const char *text;
	int rc = scalar(ld, node, key, &text);
	if (rc)
		return rc;
	if (!text[0])
		return node_error(ld, node, "'%s' is empty; expected some text", key);
	free(*out);
	*out = text_dup(text);
	if (!*out)
		return dl_error_set(ld->err, DL_ENOMEM, "%s: out of memory", ld->path);
	return 0;
}

static int get_bool(struct loader *ld, struct fy_node *node, const char *key, bool *out)
{
	const char *text;
	int rc = scalar(ld, node, key, &text);
	if (rc)
		return rc;
	if (strcmp(text, "true") == 0)
		*out = true;
	else if (strcmp(text, "false") == 0)
		*out = false;
	else
		return node_error(ld, node, "'%s' is '%s'; expected true or false", key, text);
	return 0;
}

static bool is_clause_id(const char *id)
{
	/* digits separated by single dots: "5.2.2.1" */
	bool digit = false;
	for (const char *p = id; *p; p++) {
		if (*p >= '0' && *p <= '9')
			digit = true;
		else if (*p == '.' && digit)
			digit = false;
		else
			return false;
	}
	return digit;
}

static bool is_identifier(const char *name)
{
	/* snake_case capability names: "online_update" */
	if (!name[0])
		return false;
	for (const char *p = name; *p; p++) {
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_'))
			return false;
	}
	return true;
}

static bool is_standard_id(const char *id)
{
	for (const char *p = id; *p; p++) {
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-'))
			return false;
	}
	return id[0] != '\0';
}

/* Walk a mapping: fn(key, value) for each pair, refusing non-scalar keys. */
typedef int (*mapping_fn)(struct loader *ld, const char *key, struct fy_node *key_node,
			  struct fy_node *value, void *opaque);

static int each_pair(struct loader *ld, struct fy_node *map, const char *what, mapping_fn fn,
		     void *opaque)
{
	if (!map || fy_node_get_type(map) != FYNT_MAPPING)
		return node_error(ld, map, "%s is %s; expected a mapping", what,
				  map ? yaml_kind(map) : "empty");
	void *iter = NULL;
	struct fy_node_pair *pair;
	while ((pair = fy_node_mapping_iterate(map, &iter)) != NULL) {
		struct fy_node *key_node = fy_node_pair_key(pair);
		const char *key;
		int rc = scalar(ld, key_node, "key", &key);
		if (rc)
			return rc;
		struct fy_node *outer = ld->key;
		ld->key = key_node;
		rc = fn(ld, key, key_node, fy_node_pair_value(pair), opaque);
		ld->key = outer;
		if (rc)
			return rc;
	}
	return 0;
}

static int sequence_of(struct loader *ld, struct fy_node *node, const char *key, size_t max,
		       size_t *count)
{
	if (!node || fy_node_get_type(node) != FYNT_SEQUENCE)
		return node_error(ld, node, "'%s' is %s; expected a sequence", key,
				  node ? yaml_kind(node) : "empty");
	int n = fy_node_sequence_item_count(node);
	if (n < 0 || (size_t)n > max)
		return node_error(ld, node, "'%s' has %d items; at most %zu are allowed", key, n,
				  max);
	*count = (size_t)n;
	return 0;
}

/* --- checks: [{id: ..., params: {name: value}}] --- */

struct check_ctx {
	struct catalog_check_ref *ref;
	bool has_id;
};

static int param_pair(struct loader *ld, const char *key, struct fy_node *key_node,
		      struct fy_node *value, void *opaque)
{
	struct catalog_check_ref *ref = opaque;
	if (!is_identifier(key))
		return node_error(ld, key_node,
				  "parameter name '%s' is not snake_case; expected [a-z0-9_]+",
				  key);
	for (size_t i = 0; i < ref->param_count; i++) {
		if (strcmp(ref->params[i].name, key) == 0)
			return node_error(ld, key_node, "parameter '%s' is given twice", key);
	}
	if (ref->param_count >= CATALOG_PARAMS_MAX)
		return node_error(ld, key_node, "more than %d parameters", CATALOG_PARAMS_MAX);
	struct catalog_param *p = &ref->params[ref->param_count];
	const char *text;
	int rc = scalar(ld, value, key, &text);
	if (rc)
		return rc;
	p->name = text_dup(key);
	p->value = text_dup(text);
	ref->param_count++;
	if (!p->name || !p->value)
		return dl_error_set(ld->err, DL_ENOMEM, "%s: out of memory", ld->path);
	return 0;
}

static int check_pair(struct loader *ld, const char *key, struct fy_node *key_node,
		      struct fy_node *value, void *opaque)
{
	struct check_ctx *c = opaque;
	if (strcmp(key, "id") == 0) {
		c->has_id = true;
		return get_string(ld, value, "checks[].id", &c->ref->check_id);
	}
	if (strcmp(key, "params") == 0) {
		if (!value || fy_node_get_type(value) != FYNT_MAPPING)
			return node_error(ld, value, "'params' is %s; expected a mapping",
					  value ? yaml_kind(value) : "empty");
		int n = fy_node_mapping_item_count(value);
		if (n > CATALOG_PARAMS_MAX)
			return node_error(ld, value, "more than %d parameters", CATALOG_PARAMS_MAX);
		free(c->ref->params);
		c->ref->params = calloc((size_t)(n > 0 ? n : 1), sizeof(*c->ref->params));
		if (!c->ref->params)
			return dl_error_set(ld->err, DL_ENOMEM, "%s: out of memory", ld->path);
		return each_pair(ld, value, "'params'", param_pair, c->ref);
	}
	return node_error(ld, key_node, "unknown key '%s' in a check; expected id or params", key);
}

static int load_checks(struct loader *ld, struct fy_node *node, struct catalog_clause *cl)
{
	size_t n;
	int rc = sequence_of(ld, node, "checks", CATALOG_CHECKS_MAX, &n);
	if (rc)
		return rc;
	if (n == 0)
		return 0;
	cl->checks = calloc(n, sizeof(*cl->checks));
	if (!cl->checks)
		return dl_error_set(ld->err, DL_ENOMEM, "%s: out of memory", ld->path);
	void *iter = NULL;
	struct fy_node *item;
	while ((item = fy_node_sequence_iterate(node, &iter)) != NULL) {
		struct check_ctx c = {.ref = &cl->checks[cl->check_count]};
		cl->check_count++;
		rc = each_pair(ld, item, "a check", check_pair, &c);
		if (rc)
			return rc;
		if (!c.has_id)
			return node_error(ld, item,
					  "a check of clause %s has no 'id'; expected "
					  "{id: capability.name, params: {...}}",
					  cl->id);
	}
	return 0;
}

/* --- one clause --- */

enum clause_key {
	CK_ID = 1u << 0,
	CK_SECTION = 1u << 1,
	CK_LEVEL = 1u << 2,
	CK_OPTIONAL = 1u << 3,
	CK_PRODUCT_TYPES = 1u << 4,
	CK_TITLE_ZH = 1u << 5,
	CK_TITLE_EN = 1u << 6,
	CK_TEXT_ZH = 1u << 7,
	CK_METHOD = 1u << 8,
	CK_HOW = 1u << 9,
	CK_NEEDS = 1u << 10,
	CK_DECISION = 1u << 11,
	CK_MANUAL_QUESTION = 1u << 12,
	CK_APPLIES_IF = 1u << 13,
	CK_CHECKS = 1u << 14,
};

static const char *const clause_keys[] = {
	"id",       "section",  "level",           "optional",   "product_types",
	"title_zh", "title_en", "text_zh",         "method",     "how",
	"needs",    "decision", "manual_question", "applies_if", "checks",
};

struct clause_ctx {
	struct catalog_clause *cl;
	const struct catalog_standard *std;
	unsigned seen;
};

static int load_product_types(struct loader *ld, struct fy_node *node, struct catalog_clause *cl)
{
	size_t n;
	int rc = sequence_of(ld, node, "product_types", 32, &n);
	if (rc)
		return rc;
	if (n == 0)
		return node_error(ld, node,
				  "'product_types' is empty; expected at least one of "
				  "camera, recorder, storage, reader, controller, platform, "
				  "lock, firewall, switch, router");
	void *iter = NULL;
	struct fy_node *item;
	while ((item = fy_node_sequence_iterate(node, &iter)) != NULL) {
		const char *name;
		rc = scalar(ld, item, "product_types[]", &name);
		if (rc)
			return rc;
		enum product_type t = product_type_from_name(name);
		if (t == PRODUCT_UNKNOWN)
			return node_error(ld, item,
					  "'%s' is not a product type; expected camera, recorder, "
					  "storage, reader, controller, platform, lock, firewall, "
					  "switch or router",
					  name);
		if (cl->product_types & (unsigned)t)
			return node_error(ld, item, "product type '%s' is listed twice", name);
		cl->product_types |= (unsigned)t;
	}
	return 0;
}

static int clause_pair(struct loader *ld, const char *key, struct fy_node *key_node,
		       struct fy_node *value, void *opaque)
{
	struct clause_ctx *c = opaque;
	struct catalog_clause *cl = c->cl;
	size_t k;
	for (k = 0; k < DL_ARRAY_SIZE(clause_keys); k++) {
		if (strcmp(key, clause_keys[k]) == 0)
			break;
	}
	if (k == DL_ARRAY_SIZE(clause_keys)) {
		char expected[256];
		yaml_join(expected, sizeof(expected), clause_keys, DL_ARRAY_SIZE(clause_keys),
			  " or ");
		return node_error(ld, key_node, "unknown key '%s' in a clause; expected %s", key,
				  expected);
	}
	c->seen |= 1u << k;

	const char *text;
	int rc;
	switch ((enum clause_key)(1u << k)) {
	case CK_ID:
		rc = get_string(ld, value, key, &cl->id);
		if (!rc && !is_clause_id(cl->id))
			rc = node_error(ld, value,
					"clause id '%s' is not a clause number; "
					"expected digits and dots like 5.2.2.1",
					cl->id);
		return rc;
	case CK_SECTION: return get_string(ld, value, key, &cl->section);
	case CK_LEVEL: {
		rc = scalar(ld, value, key, &text);
		if (rc)
			return rc;
		long level;
		long min = c->std->has_levels ? 1 : 0, max = c->std->has_levels ? 3 : 0;
		if (text_parse_long(text, min, max, &level) != 0)
			return node_error(ld, value, "level '%s' is not allowed; expected %s", text,
					  c->std->has_levels ? "1, 2 or 3"
							     : "0 (the standard has no levels)");
		cl->level = (int)level;
		return 0;
	}
	case CK_OPTIONAL: return get_bool(ld, value, key, &cl->optional);
	case CK_PRODUCT_TYPES: return load_product_types(ld, value, cl);
	case CK_TITLE_ZH: return get_string(ld, value, key, &cl->title_zh);
	case CK_TITLE_EN: return get_string(ld, value, key, &cl->title_en);
	case CK_TEXT_ZH: return get_string(ld, value, key, &cl->text_zh);
	case CK_METHOD:
		rc = scalar(ld, value, key, &text);
		if (rc)
			return rc;
		if (catalog_method_from_name(text, &cl->method) != 0)
			return node_error(ld, value,
					  "method '%s' is not known; expected network, "
					  "interactive, artifact, document or physical",
					  text);
		return 0;
	case CK_HOW: return get_string(ld, value, key, &cl->how);
	case CK_NEEDS: return get_string(ld, value, key, &cl->needs);
	case CK_DECISION: return get_string(ld, value, key, &cl->decision);
	case CK_MANUAL_QUESTION: return get_string(ld, value, key, &cl->manual_question);
	case CK_APPLIES_IF:
		rc = get_string(ld, value, key, &cl->applies_if);
		if (!rc && !is_identifier(cl->applies_if))
			rc = node_error(ld, value,
					"applies_if '%s' is not a capability name; expected "
					"snake_case like online_update",
					cl->applies_if);
		return rc;
	case CK_CHECKS: return load_checks(ld, value, cl);
	}
	return node_error(ld, key_node, "key '%s' is not handled", key);
}

static int load_clause(struct loader *ld, struct fy_node *node, struct catalog_standard *std,
		       struct catalog_clause *cl)
{
	struct clause_ctx c = {.cl = cl, .std = std};
	int rc = each_pair(ld, node, "a clause", clause_pair, &c);
	if (rc)
		return rc;
	static const struct {
		unsigned bit;
		const char *name;
	} required[] = {
		{CK_ID, "id"},
		{CK_SECTION, "section"},
		{CK_PRODUCT_TYPES, "product_types"},
		{CK_TITLE_ZH, "title_zh"},
		{CK_TITLE_EN, "title_en"},
		{CK_TEXT_ZH, "text_zh"},
		{CK_METHOD, "method"},
		{CK_CHECKS, "checks"},
	};
	for (size_t i = 0; i < DL_ARRAY_SIZE(required); i++) {
		if (!(c.seen & required[i].bit))
			return node_error(ld, node, "clause %s has no '%s'; every clause needs it",
					  cl->id ? cl->id : "(no id)", required[i].name);
	}
	if (std->has_levels && !(c.seen & CK_LEVEL))
		return node_error(ld, node, "clause %s has no 'level'; expected 1, 2 or 3", cl->id);
	size_t slen = strlen(cl->section);
	if (strncmp(cl->id, cl->section, slen) != 0 || cl->id[slen] != '.')
		return node_error(ld, node, "clause %s is not inside its section '%s'", cl->id,
				  cl->section);
	return 0;
}

/* --- the standard header --- */

struct header_ctx {
	struct catalog_standard *std;
	bool has_levels_seen;
};

static int header_pair(struct loader *ld, const char *key, struct fy_node *key_node,
		       struct fy_node *value, void *opaque)
{
	struct header_ctx *h = opaque;
	struct catalog_standard *s = h->std;
	if (strcmp(key, "id") == 0) {
		int rc = get_string(ld, value, key, &s->id);
		if (!rc && !is_standard_id(s->id))
			rc = node_error(
				ld, value,
				"standard id '%s' is not allowed; expected lower case letters, "
				"digits and '-' like taics-ts-0014-1",
				s->id);
		return rc;
	}
	if (strcmp(key, "title_zh") == 0)
		return get_string(ld, value, key, &s->title_zh);
	if (strcmp(key, "title_en") == 0)
		return get_string(ld, value, key, &s->title_en);
	if (strcmp(key, "version") == 0)
		return get_string(ld, value, key, &s->version);
	if (strcmp(key, "source") == 0)
		return get_string(ld, value, key, &s->source);
	if (strcmp(key, "has_levels") == 0) {
		h->has_levels_seen = true;
		return get_bool(ld, value, key, &s->has_levels);
	}
	if (strcmp(key, "notes") == 0) {
		size_t n;
		int rc = sequence_of(ld, value, "notes", CATALOG_NOTES_MAX, &n);
		if (rc)
			return rc;
		s->notes = calloc(n ? n : 1, sizeof(*s->notes));
		if (!s->notes)
			return dl_error_set(ld->err, DL_ENOMEM, "%s: out of memory", ld->path);
		void *iter = NULL;
		struct fy_node *item;
		while ((item = fy_node_sequence_iterate(value, &iter)) != NULL) {
			rc = get_string(ld, item, "notes[]", &s->notes[s->note_count]);
			if (rc)
				return rc;
			s->note_count++;
		}
		return 0;
	}
	return node_error(ld, key_node,
			  "unknown key '%s' in 'standard'; expected id, title_zh, title_en, "
			  "version, source, has_levels or notes",
			  key);
}

static int load_header(struct loader *ld, struct fy_node *node, struct catalog_standard *s)
{
	struct header_ctx h = {.std = s};
	int rc = each_pair(ld, node, "'standard'", header_pair, &h);
	if (rc)
		return rc;
	const char *missing = !s->id               ? "id"
			      : !s->title_zh       ? "title_zh"
			      : !s->title_en       ? "title_en"
			      : !s->version        ? "version"
			      : !s->source         ? "source"
			      : !h.has_levels_seen ? "has_levels"
						   : NULL;
	if (missing)
		return node_error(ld, node, "'standard' has no '%s'; every standard needs it",
				  missing);
	return 0;
}

static int load_clauses(struct loader *ld, struct fy_node *node, struct catalog_standard *s)
{
	size_t n;
	int rc = sequence_of(ld, node, "clauses", CATALOG_CLAUSES_MAX, &n);
	if (rc)
		return rc;
	if (n == 0)
		return node_error(ld, node, "'clauses' is empty; expected every clause of %s",
				  s->id);
	s->clauses = calloc(n, sizeof(*s->clauses));
	if (!s->clauses)
		return dl_error_set(ld->err, DL_ENOMEM, "%s: out of memory", ld->path);
	void *iter = NULL;
	struct fy_node *item;
	while ((item = fy_node_sequence_iterate(node, &iter)) != NULL) {
		struct catalog_clause *cl = &s->clauses[s->clause_count];
		s->clause_count++;
		rc = load_clause(ld, item, s, cl);
		if (rc)
			return rc;
		for (size_t i = 0; i + 1 < s->clause_count; i++) {
			if (strcmp(s->clauses[i].id, cl->id) == 0)
				return node_error(ld, item, "clause %s appears twice in %s", cl->id,
						  s->id);
		}
	}
	return 0;
}

static int check_file(struct loader *ld)
{
	struct stat st;
	if (stat(ld->path, &st) != 0)
		return dl_error_set(ld->err, errno == ENOENT ? DL_ENOTFOUND : DL_EIO,
				    "catalog '%s': %s", ld->path, strerror(errno));
	if (!S_ISREG(st.st_mode))
		return dl_error_set(ld->err, DL_EINVAL, "catalog '%s' is not a regular file",
				    ld->path);
	if ((uintmax_t)st.st_size > CATALOG_FILE_MAX)
		return dl_error_set(ld->err, DL_EINVAL,
				    "catalog '%s' is %jd bytes; the limit is %u, is it the "
				    "right file?",
				    ld->path, (intmax_t)st.st_size, CATALOG_FILE_MAX);
	return 0;
}

struct top_ctx {
	struct catalog_standard *std;
	struct fy_node *standard, *clauses;
};

static int top_pair(struct loader *ld, const char *key, struct fy_node *key_node,
		    struct fy_node *value, void *opaque)
{
	struct top_ctx *t = opaque;
	if (strcmp(key, "standard") == 0)
		t->standard = value;
	else if (strcmp(key, "clauses") == 0)
		t->clauses = value;
	else
		return node_error(ld, key_node,
				  "unknown key '%s' at the top; expected standard and clauses",
				  key);
	return 0;
}

int catalog_load_file(struct catalog_standard *out, const char *path, struct dl_error *err)
{
	memset(out, 0, sizeof(*out));
	struct loader ld = {.path = path, .err = err};
	int rc = check_file(&ld);
	if (rc)
		return rc;

	struct yaml_doc doc = {.file = path, .what = "catalog", .err = err};
	rc = yaml_load_file(&doc);
	if (rc) {
		yaml_release(&doc);
		return rc;
	}

	struct fy_node *root = fy_document_root(doc.document);
	struct top_ctx t = {.std = out};
	if (!root)
		rc = dl_error_set(err, DL_EINVAL, "%s: empty; expected 'standard' and 'clauses'",
				  path);
	else
		rc = each_pair(&ld, root, "the document", top_pair, &t);
	if (!rc && !t.standard)
		rc = node_error(&ld, root, "no 'standard'; expected the standard's header");
	if (!rc && !t.clauses)
		rc = node_error(&ld, root, "no 'clauses'; expected the list of clauses");
	if (!rc)
		rc = load_header(&ld, t.standard, out);
	if (!rc)
		rc = load_clauses(&ld, t.clauses, out);

	yaml_release(&doc);
	if (rc)
		catalog_standard_release(out);
	return rc;
}

static int compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int catalog_load_dir(struct catalog *out, const char *dir, struct dl_error *err)
{
	memset(out, 0, sizeof(*out));
	DIR *d = opendir(dir);
	if (!d)
		return dl_error_set(err, errno == ENOENT ? DL_ENOTFOUND : DL_EIO,
				    "catalog folder '%s': %s; set DUTLAB_CATALOG to the folder "
				    "with the *.yaml files",
				    dir, strerror(errno));
	char *names[CATALOG_FILES_MAX];
	size_t count = 0;
	int rc = 0;
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		size_t len = strlen(de->d_name);
		if (len <= 5 || de->d_name[0] == '.' || strcmp(de->d_name + len - 5, ".yaml") != 0)
			continue;
		if (count == CATALOG_FILES_MAX) {
			rc = dl_error_set(err, DL_EINVAL,
					  "catalog folder '%s' has more than %d "
					  "*.yaml files",
					  dir, CATALOG_FILES_MAX);
			break;
		}
		if (asprintf(&names[count], "%s/%s", dir, de->d_name) < 0) {
			rc = dl_error_set(err, DL_ENOMEM, "out of memory");
			break;
		}
		count++;
	}
	closedir(d);
	if (!rc && count == 0)
		rc = dl_error_set(err, DL_ENOTFOUND, "catalog folder '%s' has no *.yaml file", dir);
	if (!rc) {
		qsort(names, count, sizeof(names[0]), compare_names);
		out->standards = calloc(count, sizeof(*out->standards));
		if (!out->standards)
			rc = dl_error_set(err, DL_ENOMEM, "out of memory");
	}
	for (size_t i = 0; !rc && i < count; i++) {
		struct catalog_standard *s = &out->standards[out->standard_count];
		rc = catalog_load_file(s, names[i], err);
		if (rc)
			break;
		out->standard_count++;
		for (size_t j = 0; j + 1 < out->standard_count; j++) {
			if (strcmp(out->standards[j].id, s->id) == 0) {
				rc = dl_error_set(err, DL_EINVAL,
						  "%s: standard '%s' is also defined in another "
						  "file of '%s'",
						  names[i], s->id, dir);
				break;
			}
		}
	}
	for (size_t i = 0; i < count; i++)
		free(names[i]);
	if (rc)
		catalog_release(out);
	return rc;
}

static void clause_release(struct catalog_clause *cl)
{
	free(cl->id);
	free(cl->section);
	free(cl->title_zh);
	free(cl->title_en);
	free(cl->text_zh);
	free(cl->how);
	free(cl->needs);
	free(cl->decision);
	free(cl->manual_question);
	free(cl->applies_if);
	for (size_t i = 0; i < cl->check_count; i++) {
		struct catalog_check_ref *r = &cl->checks[i];
		free(r->check_id);
		for (size_t j = 0; j < r->param_count; j++) {
			free(r->params[j].name);
			free(r->params[j].value);
		}
		free(r->params);
	}
	free(cl->checks);
}

void catalog_standard_release(struct catalog_standard *s)
{
	if (!s)
		return;
	free(s->id);
	free(s->title_zh);
	free(s->title_en);
	free(s->version);
	free(s->source);
	for (size_t i = 0; i < s->note_count; i++)
		free(s->notes[i]);
	free(s->notes);
	for (size_t i = 0; i < s->clause_count; i++)
		clause_release(&s->clauses[i]);
	free(s->clauses);
	memset(s, 0, sizeof(*s));
}

void catalog_release(struct catalog *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->standard_count; i++)
		catalog_standard_release(&c->standards[i]);
	free(c->standards);
	memset(c, 0, sizeof(*c));
}

const struct catalog_standard *catalog_find_standard(const struct catalog *c, const char *id)
{
	for (size_t i = 0; c && id && i < c->standard_count; i++) {
		if (strcmp(c->standards[i].id, id) == 0)
			return &c->standards[i];
	}
	return NULL;
}

const struct catalog_clause *catalog_find_clause(const struct catalog_standard *s, const char *id)
{
	for (size_t i = 0; s && id && i < s->clause_count; i++) {
		if (strcmp(s->clauses[i].id, id) == 0)
			return &s->clauses[i];
	}
	return NULL;
}

const char *catalog_default_dir(void)
{
	const char *env = getenv("DUTLAB_CATALOG");
	if (env && env[0])
		return env;
	struct stat st;
	if (stat(DUTLAB_SOURCE_DIR "/catalog", &st) == 0 && S_ISDIR(st.st_mode))
		return DUTLAB_SOURCE_DIR "/catalog";
	return DUTLAB_DATA_DIR "/catalog";
}
