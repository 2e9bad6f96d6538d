/* yaml: positions, typed values and syntax diagnostics for the YAML loaders (libfyaml 0.7) */
#include "core/compat.h"

#include <libfyaml.h>

#include "core/error.h"
#include "core/text.h"
#include "core/yaml.h"

/* A node's start as the event stream saw it (see yaml.h). */
struct yaml_mark {
	uintptr_t node;
	int event_type;
	struct yaml_pos at;
};

/* ---- errors and positions ------------------------------------------------ */

/* libfyaml marks a quoted scalar at its first character inside the quotes;
 * point at the opening quote, where the value starts in the file. */
static struct yaml_pos mark_pos(const struct yaml_doc *doc, const struct fy_mark *mark,
				struct fy_token *scalar)
{
	if (!mark || mark->line < 0 || mark->column < 0)
		return (struct yaml_pos){0, 0};
	struct yaml_pos at = {mark->line + 1, mark->column + 1};
	enum fy_scalar_style style = scalar ? fy_token_scalar_style(scalar) : FYSS_ANY;
	char quote = style == FYSS_DOUBLE_QUOTED ? '"' : style == FYSS_SINGLE_QUOTED ? '\'' : 0;
	if (quote && at.column > 1 && mark->input_pos > 0 && mark->input_pos <= doc->length &&
	    doc->text[mark->input_pos - 1] == quote)
		at.column--;
	return at;
}

static int compare_marks(const void *a, const void *b)
{
	uintptr_t x = ((const struct yaml_mark *)a)->node, y = ((const struct yaml_mark *)b)->node;
	return x < y ? -1 : x > y;
}

struct yaml_pos yaml_pos(const struct yaml_doc *doc, struct fy_node *node, struct yaml_pos fallback)
{
	if (!node)
		return fallback;
	if (doc->marks_paired) {
		struct yaml_mark key = {.node = (uintptr_t)node};
		const struct yaml_mark *found = bsearch(&key, doc->marks, doc->mark_count,
							sizeof(*doc->marks), compare_marks);
		if (found && found->at.line > 0)
			return found->at;
	}
	struct fy_token *token = fy_node_get_scalar_token(node);
	struct yaml_pos at = mark_pos(doc, token ? fy_token_start_mark(token) : NULL, token);
	return at.line > 0 ? at : fallback;
}

int yaml_fail(struct yaml_doc *doc, struct yaml_pos at, const char *path, const char *format, ...)
{
	char message[DL_ERROR_MESSAGE_MAX];
	va_list args;
	va_start(args, format);
	vsnprintf(message, sizeof(message), format, args);
	va_end(args);
	if (at.line <= 0)
		at = (struct yaml_pos){1, 1};
	return dl_error_set(doc->err, DL_EINVAL, "%s:%d:%d: %s%s%s", doc->file, at.line, at.column,
			    path && *path ? path : "", path && *path ? ": " : "", message);
}

int yaml_fail_memory(struct yaml_doc *doc)
{
	return dl_error_set(doc->err, DL_ENOMEM, "%s: out of memory while loading the %s",
			    doc->file, doc->what);
}

/* ---- checking the text ---------------------------------------------------- */

/* Decode one UTF-8 sequence at s (n bytes left); 0 on malformed input. */
static size_t utf8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
	static const uint32_t minimum[] = {0, 0, 0x80, 0x800, 0x10000};
	size_t len;
	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	} else if ((s[0] & 0xe0) == 0xc0) {
		len = 2;
		*cp = s[0] & 0x1f;
	} else if ((s[0] & 0xf0) == 0xe0) {
		len = 3;
		*cp = s[0] & 0x0f;
	} else if ((s[0] & 0xf8) == 0xf0) {
		len = 4;
		*cp = s[0] & 0x07;
	} else {
		return 0;
	}
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		*cp = (*cp << 6) | (s[i] & 0x3f);
	}
	if (*cp < minimum[len] || *cp > 0x10ffff || (*cp >= 0xd800 && *cp <= 0xdfff))
		return 0;
	return len;
}

/* YAML 1.2 c-printable: what a YAML file may contain at all. */
static bool printable(uint32_t cp)
{
	return cp == 0x09 || cp == 0x0a || cp == 0x0d || (cp >= 0x20 && cp <= 0x7e) || cp == 0x85 ||
	       (cp >= 0xa0 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0xfffd) ||
	       (cp >= 0x10000 && cp <= 0x10ffff);
}

/* Refuse binary data before libfyaml sees it, naming where it starts. */
int yaml_check_text(struct yaml_doc *doc)
{
	const unsigned char *s = (const unsigned char *)doc->text;
	struct yaml_pos at = {1, 1};
	for (size_t i = 0; i < doc->length;) {
		uint32_t cp = 0;
		size_t len = utf8_decode(s + i, doc->length - i, &cp);
		if (len == 0)
			return yaml_fail(
				doc, at, NULL,
				"found byte 0x%02x, which is not UTF-8; expected a UTF-8 YAML "
				"text file (is this a binary file?)",
				s[i]);
		if (!printable(cp))
			return yaml_fail(doc, at, NULL,
					 "found the control character U+%04" PRIX32
					 "; expected printable UTF-8 text (is this a binary file?)",
					 cp);
		i += len;
		if (cp == '\n' || (cp == '\r' && (i >= doc->length || s[i] != '\n'))) {
			at.line++;
			at.column = 1;
		} else if (cp != '\r') {
			at.column++;
		}
	}
	return 0;
}

/* ---- from text: two passes ----------------------------------------------- */

/* libfyaml's diagnostics go here instead of stderr. */
static void diag_discard(struct fy_diag *diag, void *user, const char *buffer, size_t length)
{
	(void)diag;
	(void)user;
	(void)buffer;
	(void)length;
}

static struct fy_diag *diag_create(void)
{
	struct fy_diag_cfg cfg;
	fy_diag_cfg_default(&cfg);
	cfg.fp = NULL;
	cfg.output_fn = diag_discard;
	cfg.user = NULL;
	cfg.colorize = false;
	struct fy_diag *diag = fy_diag_create(&cfg);
	if (diag)
		fy_diag_set_collect_errors(diag, true);
	return diag;
}

/* fy_diag_unref() would leak the collected errors; fy_diag_destroy() frees
 * them. Called after the parser that holds the other reference is gone. */
static void diag_release(struct fy_diag *diag)
{
	fy_diag_destroy(diag);
}

/* Turn libfyaml's first collected error into our message. */
static int fail_yaml(struct yaml_doc *doc, struct fy_diag *diag)
{
	void *iterator = NULL;
	struct fy_diag_error *e;
	while ((e = fy_diag_errors_iterate(diag, &iterator)) != NULL) {
		if (e->type < FYET_ERROR)
			continue;
		struct yaml_pos at = {e->line > 0 ? e->line : 1, e->column > 0 ? e->column : 1};
		const char *what = e->msg ? e->msg : "unknown error";
		if (strcmp(what, "duplicate key") == 0)
			return yaml_fail(
				doc, at, NULL,
				"found a key that is already set in this mapping; expected "
				"each key once");
		return yaml_fail(doc, at, NULL,
				 "found invalid YAML (%s); expected well-formed YAML", what);
	}
	return yaml_fail(doc, (struct yaml_pos){1, 1}, NULL,
			 "found input libfyaml cannot parse; expected well-formed YAML");
}

static struct fy_parser *parser_create(struct yaml_doc *doc, struct fy_diag *diag)
{
	struct fy_parse_cfg cfg = {
		.flags = FYPCF_QUIET | FYPCF_DEFAULT_VERSION_1_2 | FYPCF_JSON_NONE,
		.diag = diag,
	};
	struct fy_parser *parser = fy_parser_create(&cfg);
	if (parser && fy_parser_set_string(parser, doc->text, doc->length) != 0) {
		fy_parser_destroy(parser);
		return NULL;
	}
	return parser;
}

/* Pass 1: the event stream. Finds syntax errors anywhere in the stream,
 * a second document, and the start mark of every node of the first. */
int yaml_scan(struct yaml_doc *doc)
{
	struct fy_diag *diag = diag_create();
	struct fy_parser *parser = diag ? parser_create(doc, diag) : NULL;
	if (!parser) {
		if (diag)
			diag_release(diag);
		return yaml_fail_memory(doc);
	}
	int rc = 0, documents = 0;
	bool overflow = false;
	size_t capacity = 0;
	struct fy_event *event;
	/* Every event consumes input, so the loop ends with the input. */
	while ((event = fy_parser_parse(parser)) != NULL) {
		struct yaml_pos at =
			mark_pos(doc, fy_event_start_mark(event),
				 event->type == FYET_SCALAR ? event->scalar.value : NULL);
		switch (event->type) {
		case FYET_DOCUMENT_START:
			if (++documents == 2)
				doc->second_document = at;
			break;
		case FYET_MAPPING_START:
		case FYET_SEQUENCE_START:
		case FYET_SCALAR:
		case FYET_ALIAS:
			if (documents != 1)
				break;
			if (overflow || (doc->marks_max && doc->mark_count == doc->marks_max)) {
				overflow = true;
				break;
			}
			if (doc->mark_count == capacity) {
				size_t grown_capacity = capacity ? capacity * 2 : 256;
				struct yaml_mark *grown =
					realloc(doc->marks, grown_capacity * sizeof(*grown));
				if (!grown) {
					rc = yaml_fail_memory(doc);
					overflow = true;
					break;
				}
				doc->marks = grown;
				capacity = grown_capacity;
			}
			doc->marks[doc->mark_count++] =
				(struct yaml_mark){.node = 0, .event_type = event->type, .at = at};
			break;
		default: break;
		}
		fy_parser_event_free(parser, event);
	}
	if (!rc && (fy_parser_get_stream_error(parser) || fy_diag_got_error(diag)))
		rc = fail_yaml(doc, diag);
	if (overflow)
		doc->mark_count = 0;
	fy_parser_destroy(parser);
	diag_release(diag);
	return rc;
}

static bool event_matches(int event_type, struct fy_node *node)
{
	switch (event_type) {
	case FYET_MAPPING_START: return fy_node_is_mapping(node);
	case FYET_SEQUENCE_START: return fy_node_is_sequence(node);
	case FYET_ALIAS: return fy_node_is_alias(node);
	case FYET_SCALAR: return fy_node_is_scalar(node) && !fy_node_is_alias(node);
	}
	return false;
}

/* Give node and its descendants their marks in pre-order; false when the
 * document and the event stream disagree (then only token marks are used). */
static bool pair_marks(struct yaml_doc *doc, struct fy_node *node, size_t *next, unsigned depth)
{
	if (depth > YAML_DEPTH_MAX || *next >= doc->mark_count)
		return false;
	if (!node) {
		/* A key without a value: the stream has an empty scalar. */
		return doc->marks[(*next)++].event_type == FYET_SCALAR;
	}
	if (!event_matches(doc->marks[*next].event_type, node))
		return false;
	doc->marks[(*next)++].node = (uintptr_t)node;
	void *iterator = NULL;
	if (fy_node_is_mapping(node)) {
		struct fy_node_pair *pair;
		while ((pair = fy_node_mapping_iterate(node, &iterator)) != NULL)
			if (!pair_marks(doc, fy_node_pair_key(pair), next, depth + 1) ||
			    !pair_marks(doc, fy_node_pair_value(pair), next, depth + 1))
				return false;
	} else if (fy_node_is_sequence(node)) {
		struct fy_node *item;
		while ((item = fy_node_sequence_iterate(node, &iterator)) != NULL)
			if (!pair_marks(doc, item, next, depth + 1))
				return false;
	}
	return true;
}

static void index_marks(struct yaml_doc *doc, struct fy_node *root)
{
	size_t next = 0;
	if (!root || !pair_marks(doc, root, &next, 0) || next != doc->mark_count)
		return;
	/* Drop the empty scalars that belong to no node, then sort for bsearch. */
	size_t kept = 0;
	for (size_t i = 0; i < doc->mark_count; i++)
		if (doc->marks[i].node)
			doc->marks[kept++] = doc->marks[i];
	doc->mark_count = kept;
	qsort(doc->marks, doc->mark_count, sizeof(*doc->marks), compare_marks);
	doc->marks_paired = true;
}

/* Pass 2: the first document as a tree, its nodes paired with the marks. */
int yaml_parse(struct yaml_doc *doc)
{
	doc->diag = diag_create();
	doc->parser = doc->diag ? parser_create(doc, doc->diag) : NULL;
	if (!doc->parser)
		return yaml_fail_memory(doc);
	doc->document = fy_parse_load_document(doc->parser);
	if (!doc->document &&
	    (fy_parser_get_stream_error(doc->parser) || fy_diag_got_error(doc->diag)))
		return fail_yaml(doc, doc->diag);
	if (doc->document)
		index_marks(doc, fy_document_root(doc->document));
	return 0;
}

/* ---- from a file ---------------------------------------------------------- */

/*
 * libfyaml reports syntax errors through a diag object whose output
 * function gets "FILE:LINE:COLUMN: error: what" first, then the source line
 * and a caret. Version 0.7 does not collect them (fy_diag_errors_iterate()
 * stays empty), so keep the first such line.
 */
static void diag_capture(struct fy_diag *diag, void *user, const char *buf, size_t len)
{
	(void)diag;
	struct yaml_doc *doc = user;
	char *first = doc->syntax_error;
	if (first[0] || len == 0 || !memmem(buf, len, ": error: ", 9))
		return;
	if (len >= sizeof(doc->syntax_error))
		len = sizeof(doc->syntax_error) - 1;
	memcpy(first, buf, len);
	first[len] = '\0';
	first[strcspn(first, "\n")] = '\0';
}

static int fail_syntax(struct yaml_doc *doc)
{
	const char *first = doc->syntax_error;
	const char *sep = strstr(first, ": error: ");
	if (!sep)
		return dl_error_set(doc->err, DL_EINVAL, "%s: not valid YAML", doc->file);
	return dl_error_set(doc->err, DL_EINVAL, "%.*s: %s; expected valid YAML",
			    (int)(sep - first), first, sep + 9);
}

int yaml_load_file(struct yaml_doc *doc)
{
	struct fy_diag_cfg dcfg;
	fy_diag_cfg_default(&dcfg);
	doc->syntax_error[0] = '\0';
	dcfg.fp = NULL;
	dcfg.output_fn = diag_capture;
	dcfg.user = doc;
	dcfg.colorize = false;
	doc->diag = fy_diag_create(&dcfg);
	if (!doc->diag)
		return dl_error_set(doc->err, DL_ENOMEM, "%s: cannot create a YAML diagnostic",
				    doc->file);
	struct fy_parse_cfg cfg = {
		.flags = FYPCF_QUIET | FYPCF_COLLECT_DIAG | FYPCF_DEFAULT_VERSION_1_2,
		.diag = doc->diag,
	};
	doc->document = fy_document_build_from_file(&cfg, doc->file);
	if (!doc->document)
		return fail_syntax(doc);
	return 0;
}

void yaml_release(struct yaml_doc *doc)
{
	if (!doc)
		return;
	if (doc->document && doc->parser)
		fy_parse_document_destroy(doc->parser, doc->document);
	else if (doc->document)
		fy_document_destroy(doc->document);
	if (doc->parser)
		fy_parser_destroy(doc->parser);
	if (doc->diag)
		diag_release(doc->diag);
	free(doc->marks);
	doc->document = NULL;
	doc->parser = NULL;
	doc->diag = NULL;
	doc->marks = NULL;
	doc->mark_count = 0;
	doc->marks_paired = false;
}

/* ---- positions from tokens ------------------------------------------------ */

/*
 * libfyaml 0.7 has no fy_node_get_start_mark(), so a scalar gives its
 * token's mark and a collection the mark of its first key or item; an empty
 * collection has none.
 */
static const struct fy_mark *token_mark(struct fy_node *node)
{
	for (int depth = 0; node && depth < 64; depth++) {
		switch (fy_node_get_type(node)) {
		case FYNT_SCALAR: {
			struct fy_token *t = fy_node_get_scalar_token(node);
			return t ? fy_token_start_mark(t) : NULL;
		}
		case FYNT_MAPPING: {
			void *iter = NULL;
			struct fy_node_pair *pair = fy_node_mapping_iterate(node, &iter);
			node = pair ? fy_node_pair_key(pair) : NULL;
			break;
		}
		case FYNT_SEQUENCE: {
			void *iter = NULL;
			node = fy_node_sequence_iterate(node, &iter);
			break;
		}
		default: return NULL;
		}
	}
	return NULL;
}

struct yaml_pos yaml_token_pos(struct fy_node *node)
{
	const struct fy_mark *mark = token_mark(node);
	if (!mark)
		return (struct yaml_pos){0, 0};
	return (struct yaml_pos){mark->line + 1, mark->column + 1};
}

const char *yaml_kind(struct fy_node *node)
{
	switch (fy_node_get_type(node)) {
	case FYNT_SCALAR: return "a scalar";
	case FYNT_SEQUENCE: return "a sequence";
	case FYNT_MAPPING: return "a mapping";
	}
	return "an unknown node";
}

/* ---- typed access to values --------------------------------------------- */

static bool is_alias(struct fy_node *node)
{
	return node && fy_node_is_alias(node);
}

bool yaml_is_null(struct fy_node *node)
{
	if (!node)
		return true;
	if (!fy_node_is_scalar(node) || is_alias(node) || fy_node_get_style(node) != FYNS_PLAIN)
		return false;
	size_t length = 0;
	const char *text = fy_node_get_scalar(node, &length);
	if (!text || length == 0)
		return true;
	static const char *const nulls[] = {"~", "null", "Null", "NULL"};
	for (size_t i = 0; i < DL_ARRAY_SIZE(nulls); i++)
		if (length == strlen(nulls[i]) && memcmp(text, nulls[i], length) == 0)
			return true;
	return false;
}

/* What a node is, for "found ...": "nothing", "a list", "'abc'". */
const char *yaml_describe(struct fy_node *node, char *buffer, size_t size)
{
	if (yaml_is_null(node))
		return "nothing";
	if (fy_node_is_mapping(node))
		return "a mapping";
	if (fy_node_is_sequence(node))
		return "a list";
	size_t length = 0;
	const char *text = fy_node_get_scalar(node, &length);
	if (!text)
		text = "";
	enum { SHOWN = 48 };
	char shown[SHOWN * 4 + 1];
	size_t used = 0, i;
	for (i = 0; i < length && i < SHOWN; i++) {
		unsigned char c = (unsigned char)text[i];
		shown[used++] = c < 0x20 || c == 0x7f ? '?' : (char)c;
	}
	shown[used] = '\0';
	if (is_alias(node))
		snprintf(buffer, size, "the alias *%s%s (anchors and aliases are not supported)",
			 shown, i < length ? "..." : "");
	else
		snprintf(buffer, size, "'%s%s'", shown, i < length ? "..." : "");
	return buffer;
}

int yaml_fail_type(struct yaml_doc *doc, const struct yaml_value *v, const char *expected)
{
	char found[256];
	return yaml_fail(doc, v->at, v->path, "found %s; expected %s",
			 yaml_describe(v->node, found, sizeof(found)), expected);
}

void yaml_join(char *out, size_t size, const char *const *items, size_t count, const char *last)
{
	size_t used = 0;
	out[0] = '\0';
	for (size_t i = 0; i < count && used < size; i++)
		used += (size_t)snprintf(out + used, size - used, "%s%s",
					 i == 0          ? ""
					 : i + 1 < count ? ", "
							 : last,
					 items[i]);
}

/* Paths are for messages: a path too long for its buffer ends in "...". */
static void path_truncated(char *out, size_t size, int written)
{
	if (written < 0 || (size_t)written >= size)
		memcpy(out + size - 4, "...", 4);
}

static void child_path(char *out, size_t size, const char *parent, const char *key)
{
	path_truncated(out, size, snprintf(out, size, "%s%s%s", parent, *parent ? "." : "", key));
}

static void item_path(char *out, size_t size, const char *parent, size_t index)
{
	path_truncated(out, size, snprintf(out, size, "%s[%zu]", parent, index));
}

/* A scalar key's text; NULL for a collection, alias or over-long key. */
static const char *key_text(struct fy_node *key, size_t *length)
{
	if (!key || !fy_node_is_scalar(key) || is_alias(key))
		return NULL;
	const char *text = fy_node_get_scalar(key, length);
	if (!text || *length > YAML_NAME_MAX || memchr(text, '\0', *length))
		return NULL;
	return text;
}

static bool key_equals(struct fy_node *key, const char *name)
{
	size_t length = 0;
	const char *text = key_text(key, &length);
	return text && length == strlen(name) && memcmp(text, name, length) == 0;
}

/* Check that v is a mapping whose keys are all in allowed (NULL-terminated;
 * NULL allowed means any name-like key). */
int yaml_mapping(struct yaml_doc *doc, const struct yaml_value *v, const char *const *allowed)
{
	if (!v->node || !fy_node_is_mapping(v->node))
		return yaml_fail_type(doc, v, "a mapping of key: value lines");
	int count = fy_node_mapping_item_count(v->node);
	if (count > YAML_ENTRIES_MAX)
		return yaml_fail(doc, v->at, v->path, "found %d entries; expected at most %d",
				 count, YAML_ENTRIES_MAX);
	void *iterator = NULL;
	struct fy_node_pair *pair;
	while ((pair = fy_node_mapping_iterate(v->node, &iterator)) != NULL) {
		struct fy_node *key = fy_node_pair_key(pair);
		struct yaml_pos at = yaml_pos(doc, key, v->at);
		size_t length = 0;
		const char *text = key_text(key, &length);
		char found[256];
		if (!text || length == 0)
			return yaml_fail(
				doc, at, v->path,
				"found %s where a key should be; expected a name of 1 to %d "
				"characters",
				yaml_describe(key, found, sizeof(found)), YAML_NAME_MAX);
		if (!allowed)
			continue;
		bool known = false;
		for (size_t i = 0; allowed[i] && !known; i++)
			known = length == strlen(allowed[i]) &&
				memcmp(text, allowed[i], length) == 0;
		if (known)
			continue;
		size_t allowed_count = 0;
		while (allowed[allowed_count])
			allowed_count++;
		char list[512];
		yaml_join(list, sizeof(list), allowed, allowed_count, ", ");
		return yaml_fail(doc, at, v->path,
				 "found the unknown key '%.*s'; expected one of: %s", (int)length,
				 text, list);
	}
	return 0;
}

int yaml_sequence(struct yaml_doc *doc, const struct yaml_value *v, bool non_empty)
{
	if (!v->node || !fy_node_is_sequence(v->node))
		return yaml_fail_type(doc, v,
				      non_empty ? "a list with at least one item" : "a list");
	int count = fy_node_sequence_item_count(v->node);
	if (count > YAML_ENTRIES_MAX)
		return yaml_fail(doc, v->at, v->path, "found %d items; expected at most %d", count,
				 YAML_ENTRIES_MAX);
	if (non_empty && count == 0)
		return yaml_fail(doc, v->at, v->path,
				 "found an empty list; expected a list with at least one item");
	return 0;
}

/*
 * Look key up in the mapping v. Missing and required: an error at the
 * mapping. Missing and optional: 0 with out->node NULL and *present false.
 */
int yaml_child(struct yaml_doc *doc, const struct yaml_value *v, const char *key, bool required,
	       struct yaml_value *out, bool *present)
{
	void *iterator = NULL;
	struct fy_node_pair *pair;
	child_path(out->path, sizeof(out->path), v->path, key);
	out->node = NULL;
	out->at = v->at;
	while ((pair = fy_node_mapping_iterate(v->node, &iterator)) != NULL) {
		if (!key_equals(fy_node_pair_key(pair), key))
			continue;
		struct yaml_pos key_at = yaml_pos(doc, fy_node_pair_key(pair), v->at);
		out->node = fy_node_pair_value(pair);
		out->at = yaml_pos(doc, out->node, key_at);
		if (yaml_is_null(out->node))
			/* "key:" with nothing after it: point at the key. */
			out->at = key_at;
		if (present)
			*present = true;
		return 0;
	}
	if (present)
		*present = false;
	if (required)
		return yaml_fail(doc, v->at, v->path, "found no '%s'; expected a '%s:' key here",
				 key, key);
	return 0;
}

void yaml_item(const struct yaml_doc *doc, const struct yaml_value *sequence, struct fy_node *node,
	       size_t index, struct yaml_value *out)
{
	item_path(out->path, sizeof(out->path), sequence->path, index);
	out->node = node;
	out->at = yaml_pos(doc, node, sequence->at);
}

/* The text of a scalar string value, checked; points into the document. */
int yaml_text(struct yaml_doc *doc, const struct yaml_value *v, unsigned flags, const char **text,
	      size_t *length)
{
	if (yaml_is_null(v->node) || !fy_node_is_scalar(v->node) || is_alias(v->node))
		return yaml_fail_type(doc, v,
				      flags & YAML_NAME ? "a name"
				      : flags & YAML_MAY_BE_EMPTY
					      ? "a string (write \"\" for an empty one)"
					      : "a string");
	*text = fy_node_get_scalar(v->node, length);
	if (!*text)
		return yaml_fail_type(doc, v, "a string");
	size_t max = flags & YAML_NAME ? YAML_NAME_MAX : YAML_STRING_MAX;
	if (*length > max)
		return yaml_fail(doc, v->at, v->path,
				 "found a string of %zu bytes; expected at most %zu", *length, max);
	if (memchr(*text, '\0', *length))
		return yaml_fail(doc, v->at, v->path,
				 "found a NUL character in the string; expected text without one");
	if (*length == 0 && !(flags & YAML_MAY_BE_EMPTY))
		return yaml_fail(doc, v->at, v->path,
				 "found an empty string; expected a non-empty one");
	if (flags & YAML_NAME)
		for (size_t i = 0; i < *length; i++) {
			unsigned char c = (unsigned char)(*text)[i];
			if (!(c >= 'a' && c <= 'z') && !(c >= 'A' && c <= 'Z') &&
			    !(c >= '0' && c <= '9') && c != '_' && c != '-' && c != '.')
				return yaml_fail(
					doc, v->at, v->path,
					"found '%.*s'; expected a name made of letters, digits, "
					"'_', '-' and '.'",
					(int)*length, *text);
		}
	return 0;
}

int yaml_string(struct yaml_doc *doc, const struct yaml_value *v, unsigned flags, char **out)
{
	const char *text;
	size_t length;
	int rc = yaml_text(doc, v, flags, &text, &length);
	if (rc)
		return rc;
	*out = strndup(text, length);
	return *out ? 0 : yaml_fail_memory(doc);
}

int yaml_integer(struct yaml_doc *doc, const struct yaml_value *v, long min, long max, long *out)
{
	char expected[96];
	snprintf(expected, sizeof(expected), "an integer from %ld to %ld", min, max);
	if (yaml_is_null(v->node) || !fy_node_is_scalar(v->node) || is_alias(v->node) ||
	    fy_node_get_style(v->node) != FYNS_PLAIN)
		return yaml_fail_type(doc, v, expected);
	size_t length = 0;
	const char *text = fy_node_get_scalar(v->node, &length);
	char digits[32];
	if (!text || length >= sizeof(digits))
		return yaml_fail_type(doc, v, expected);
	memcpy(digits, text, length);
	digits[length] = '\0';
	if (text_parse_long(digits, min, max, out) != 0)
		return yaml_fail_type(doc, v, expected);
	return 0;
}

int yaml_bool(struct yaml_doc *doc, const struct yaml_value *v, bool *out)
{
	static const char *const yes[] = {"true", "True", "TRUE"};
	static const char *const no[] = {"false", "False", "FALSE"};
	if (!yaml_is_null(v->node) && fy_node_is_scalar(v->node) && !is_alias(v->node) &&
	    fy_node_get_style(v->node) == FYNS_PLAIN) {
		size_t length = 0;
		const char *text = fy_node_get_scalar(v->node, &length);
		for (size_t i = 0; text && i < DL_ARRAY_SIZE(yes); i++) {
			if (length == strlen(yes[i]) && memcmp(text, yes[i], length) == 0) {
				*out = true;
				return 0;
			}
			if (length == strlen(no[i]) && memcmp(text, no[i], length) == 0) {
				*out = false;
				return 0;
			}
		}
	}
	return yaml_fail_type(doc, v, "true or false");
}

/* Iterate a mapping's pairs as (name, value). */
int yaml_entry(struct yaml_doc *doc, const struct yaml_value *map, struct fy_node_pair *pair,
	       char **name, struct yaml_value *out)
{
	struct yaml_value key = {.node = fy_node_pair_key(pair)};
	key.at = yaml_pos(doc, key.node, map->at);
	snprintf(key.path, sizeof(key.path), "%s", map->path);
	int rc = yaml_string(doc, &key, YAML_NAME, name);
	if (rc)
		return rc;
	child_path(out->path, sizeof(out->path), map->path, *name);
	out->node = fy_node_pair_value(pair);
	out->at = yaml_is_null(out->node) ? key.at : yaml_pos(doc, out->node, key.at);
	return 0;
}

size_t yaml_count(struct fy_node *node)
{
	if (fy_node_is_sequence(node))
		return (size_t)fy_node_sequence_item_count(node);
	return (size_t)fy_node_mapping_item_count(node);
}
