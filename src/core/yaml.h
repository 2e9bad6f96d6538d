/* yaml: positions, typed values and syntax diagnostics for the YAML loaders (libfyaml 0.7) */
#ifndef DUTLAB_CORE_YAML_H
#define DUTLAB_CORE_YAML_H

#include <stdbool.h>
#include <stddef.h>

struct dl_error;
struct fy_diag;
struct fy_document;
struct fy_node;
struct fy_node_pair;
struct fy_parser;
struct yaml_mark;

/*
 * Every function that can fail returns 0 or a negative DL_E* and fills the
 * document's struct dl_error with "FILE:LINE:COLUMN: ...".
 *
 * Two ways in. From text in memory (yaml_check_text, yaml_scan, yaml_parse):
 * libfyaml 0.7 has no fy_node_get_start_mark() and only non-empty scalars
 * carry a token with a mark, so the text is parsed twice, events for the
 * marks and the document for the tree, and yaml_pos() knows where every node
 * starts. From a file (yaml_load_file): one pass; yaml_token_pos() gives
 * what the tokens know, and a syntax error is libfyaml's own message.
 */

#define YAML_NAME_MAX 64     /* bytes in a name used as a key */
#define YAML_STRING_MAX 4096 /* bytes in one string value */
#define YAML_ENTRIES_MAX 1024
#define YAML_DEPTH_MAX 256 /* libfyaml stops at 64 */

/* 1-based; line 0 means "not known". */
struct yaml_pos {
	int line, column;
};

/* One YAML text. The caller sets file, what, err and either text/length or
 * nothing (yaml_load_file); yaml_release() frees what the module made, never
 * text. */
struct yaml_doc {
	const char *file; /* the path as given, the prefix of every message */
	const char *what; /* "profile": for "out of memory while loading the profile" */
	const char *text; /* borrowed */
	size_t length;
	struct dl_error *err;
	size_t marks_max;        /* 0: no ceiling */
	struct yaml_mark *marks; /* sorted by node once paired */
	size_t mark_count;
	bool marks_paired;
	struct yaml_pos second_document; /* line 0: the text has one document */
	struct fy_diag *diag;
	struct fy_parser *parser;
	struct fy_document *document; /* NULL after yaml_parse(): no document */
	char syntax_error[512];       /* yaml_load_file(): libfyaml's first error line */
};

/* A value being validated: its node (NULL when a key has no value), where it
 * is, and its path in the document ("services[2].port") for messages. */
struct yaml_value {
	struct fy_node *node;
	struct yaml_pos at;
	char path[192];
};

enum yaml_string_flags {
	YAML_MAY_BE_EMPTY = 1 << 0,
	YAML_NAME = 1 << 1, /* [A-Za-z0-9_.-], at most YAML_NAME_MAX bytes */
};

void yaml_release(struct yaml_doc *doc);

/* ---- errors ---- */

/* "FILE:LINE:COLUMN: PATH: message"; an unknown position is 1:1. */
int yaml_fail(struct yaml_doc *doc, struct yaml_pos at, const char *path, const char *format, ...)
	__attribute__((format(printf, 4, 5)));
int yaml_fail_memory(struct yaml_doc *doc);
/* "found <what v is>; expected <expected>" at v. */
int yaml_fail_type(struct yaml_doc *doc, const struct yaml_value *v, const char *expected);

/* ---- from text: check, scan, parse ---- */

/* Refuse bytes that are not UTF-8 or not YAML-printable, naming where. */
int yaml_check_text(struct yaml_doc *doc);
/* Pass 1: syntax errors anywhere, a second document, and the marks. */
int yaml_scan(struct yaml_doc *doc);
/* Pass 2: the first document as a tree, with the marks paired to its nodes. */
int yaml_parse(struct yaml_doc *doc);

/* ---- from a file ---- */

/* Build doc->document from doc->file; a syntax error becomes
 * "FILE:LINE:COLUMN: what; expected valid YAML" as libfyaml reports it. */
int yaml_load_file(struct yaml_doc *doc);

/* ---- positions ---- */

/* Where node starts (from the marks, else its token), or fallback. */
struct yaml_pos yaml_pos(const struct yaml_doc *doc, struct fy_node *node,
			 struct yaml_pos fallback);
/* What the tokens alone know: a scalar's token, a collection's first key or
 * item, as libfyaml marks them; line 0 for an empty collection or NULL. */
struct yaml_pos yaml_token_pos(struct fy_node *node);

/* ---- typed access ---- */

bool yaml_is_null(struct fy_node *node);
/* "a scalar", "a sequence", "a mapping" */
const char *yaml_kind(struct fy_node *node);
/* For "found ...": "nothing", "a list", "'abc'". */
const char *yaml_describe(struct fy_node *node, char *buffer, size_t size);
size_t yaml_count(struct fy_node *node);
/* items joined with ", ", the last with last (", ", " or "), for "expected
 * ..." lists; cut short where out ends. */
void yaml_join(char *out, size_t size, const char *const *items, size_t count, const char *last);

/* v is a mapping whose keys are all in allowed (NULL-terminated; NULL allows
 * any name-like key). */
int yaml_mapping(struct yaml_doc *doc, const struct yaml_value *v, const char *const *allowed);
int yaml_sequence(struct yaml_doc *doc, const struct yaml_value *v, bool non_empty);
/* Look key up in the mapping v. Missing and required: an error at the
 * mapping. Missing and optional: 0 with out->node NULL and *present false. */
int yaml_child(struct yaml_doc *doc, const struct yaml_value *v, const char *key, bool required,
	       struct yaml_value *out, bool *present);
void yaml_item(const struct yaml_doc *doc, const struct yaml_value *sequence, struct fy_node *node,
	       size_t index, struct yaml_value *out);
/* A mapping's pair as (name, value); *name is the caller's to free. */
int yaml_entry(struct yaml_doc *doc, const struct yaml_value *map, struct fy_node_pair *pair,
	       char **name, struct yaml_value *out);
/* The text of a scalar string value, checked; points into the document. */
int yaml_text(struct yaml_doc *doc, const struct yaml_value *v, unsigned flags, const char **text,
	      size_t *length);
/* yaml_text(), copied; *out is the caller's to free. */
int yaml_string(struct yaml_doc *doc, const struct yaml_value *v, unsigned flags, char **out);
int yaml_integer(struct yaml_doc *doc, const struct yaml_value *v, long min, long max, long *out);
int yaml_bool(struct yaml_doc *doc, const struct yaml_value *v, bool *out);

#endif
