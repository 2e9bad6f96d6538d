/* profile: load and validate a DUT profile (YAML) into struct profile */
#include "core/compat.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <libfyaml.h>
#include <limits.h>
#include <netinet/in.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/error.h"
#include "core/profile.h"
#include "core/text.h"
#include "net/scope.h"

/* Ceilings: a profile is a page of hand-written YAML; anything far larger
 * is a mistake or an attack on the parser. */
#define PROFILE_FILE_MAX (256 * 1024)
#define PROFILE_STRING_MAX 4096 /* bytes in one string value */
#define PROFILE_NAME_MAX 64     /* bytes in a name used as a key */
#define PROFILE_ENTRIES_MAX 1024
#define PROFILE_MARKS_MAX (PROFILE_FILE_MAX + 16) /* every node takes at least one byte */
#define PROFILE_DEPTH_MAX 256                     /* libfyaml stops at 64 */
#define PROFILE_TIMEOUT_DEFAULT 60
#define PROFILE_TIMEOUT_MAX 86400
#define PROFILE_FORMAT_VERSION 1
#define PROFILE_PREFIX_MIN_IPV4 8
#define PROFILE_PREFIX_MIN_IPV6 16

static const struct {
	enum product_type type;
	const char *name;
} product_types[] = {
	{PRODUCT_CAMERA, "camera"},
	{PRODUCT_RECORDER, "recorder"},
	{PRODUCT_STORAGE, "storage"},
	{PRODUCT_READER, "reader"},
	{PRODUCT_CONTROLLER, "controller"},
	{PRODUCT_PLATFORM, "platform"},
	{PRODUCT_LOCK, "lock"},
	{PRODUCT_FIREWALL, "firewall"},
	{PRODUCT_SWITCH, "switch"},
	{PRODUCT_ROUTER, "router"},
};

#define PRODUCT_TYPE_LIST                                                                          \
	"camera, recorder, storage, reader, controller, platform, lock, firewall, switch, router"

static const struct {
	const char *id;
	bool has_levels;
} standards[] = {
	{"taics-ts-0014-1", true},
	{"iot-1006-1", true},
	{"ncc-ci-ict", false},
};

static const char *const disclosure_kinds[] = {"version", "device-info", "content"};
static const char *const exec_placeholders[] = {"address", "username", "password"};

enum product_type product_type_from_name(const char *name)
{
	if (!name)
		return PRODUCT_UNKNOWN;
	for (size_t i = 0; i < DL_ARRAY_SIZE(product_types); i++)
		if (strcmp(product_types[i].name, name) == 0)
			return product_types[i].type;
	return PRODUCT_UNKNOWN;
}

const char *product_type_name(enum product_type type)
{
	for (size_t i = 0; i < DL_ARRAY_SIZE(product_types); i++)
		if (product_types[i].type == type)
			return product_types[i].name;
	return "unknown";
}

/* ---- positions ---------------------------------------------------------- */

/* 1-based; line 0 means "not known". */
struct pos {
	int line, column;
};

/*
 * libfyaml 0.7 (Debian 12) has no fy_node_get_start_mark(), and only
 * non-empty scalars carry a token with a mark. The event stream, however,
 * has a start mark for every collection and scalar, and a document's nodes
 * in pre-order are exactly its node events in order. So we parse twice:
 * events for the marks, the document for the tree, and pair them up.
 */
struct node_mark {
	uintptr_t node;
	int event_type;
	struct pos at;
};

struct loader {
	const char *file; /* the path as given, the prefix of every message */
	const char *text;
	size_t length;
	struct profile *p;
	struct dl_error *err;
	struct node_mark *marks; /* sorted by node once paired */
	size_t mark_count;
	bool marks_paired;
	struct pos second_document;
};

/* A value being validated: its node (NULL when a key has no value), where it
 * is, and its path in the profile ("services[2].port") for messages. */
struct value {
	struct fy_node *node;
	struct pos at;
	char path[192];
};

/* libfyaml marks a quoted scalar at its first character inside the quotes;
 * point at the opening quote, where the value starts in the file. */
static struct pos mark_pos(const struct loader *l, const struct fy_mark *mark,
			   struct fy_token *scalar)
{
	if (!mark || mark->line < 0 || mark->column < 0)
		return (struct pos){0, 0};
	struct pos at = {mark->line + 1, mark->column + 1};
	enum fy_scalar_style style = scalar ? fy_token_scalar_style(scalar) : FYSS_ANY;
	char quote = style == FYSS_DOUBLE_QUOTED ? '"' : style == FYSS_SINGLE_QUOTED ? '\'' : 0;
	if (quote && at.column > 1 && mark->input_pos > 0 && mark->input_pos <= l->length &&
	    l->text[mark->input_pos - 1] == quote)
		at.column--;
	return at;
}

static int compare_marks(const void *a, const void *b)
{
	uintptr_t x = ((const struct node_mark *)a)->node, y = ((const struct node_mark *)b)->node;
	return x < y ? -1 : x > y;
}

static struct pos pos_of(const struct loader *l, struct fy_node *node, struct pos fallback)
{
	if (!node)
		return fallback;
	if (l->marks_paired) {
		struct node_mark key = {.node = (uintptr_t)node};
		const struct node_mark *found =
			bsearch(&key, l->marks, l->mark_count, sizeof(*l->marks), compare_marks);
		if (found && found->at.line > 0)
			return found->at;
	}
	struct fy_token *token = fy_node_get_scalar_token(node);
	struct pos at = mark_pos(l, token ? fy_token_start_mark(token) : NULL, token);
	return at.line > 0 ? at : fallback;
}

static int fail(struct loader *l, struct pos at, const char *path, const char *format, ...)
	__attribute__((format(printf, 4, 5)));

static int fail(struct loader *l, struct pos at, const char *path, const char *format, ...)
{
	char message[DL_ERROR_MESSAGE_MAX];
	va_list args;
	va_start(args, format);
	vsnprintf(message, sizeof(message), format, args);
	va_end(args);
	if (at.line <= 0)
		at = (struct pos){1, 1};
	return dl_error_set(l->err, DL_EINVAL, "%s:%d:%d: %s%s%s", l->file, at.line, at.column,
			    path && *path ? path : "", path && *path ? ": " : "", message);
}

static int fail_memory(struct loader *l)
{
	return dl_error_set(l->err, DL_ENOMEM, "%s: out of memory while loading the profile",
			    l->file);
}

/* ---- reading the file and checking it is text --------------------------- */

static int read_file(struct loader *l, char **out, size_t *length)
{
	/* O_NONBLOCK: a FIFO given as the profile must not hang the open. */
	int fd = open(l->file, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return dl_error_set(l->err, errno == ENOENT ? DL_ENOTFOUND : DL_EIO,
				    "%s: cannot open the profile: %s; check the path", l->file,
				    strerror(errno));
	struct stat st;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return dl_error_set(l->err, DL_EINVAL,
				    "%s: not a regular file; expected a YAML profile file",
				    l->file);
	}
	char *buffer = malloc(PROFILE_FILE_MAX + 1);
	if (!buffer) {
		close(fd);
		return fail_memory(l);
	}
	size_t used = 0;
	/* Reads are bounded by the buffer: at most PROFILE_FILE_MAX + 1 bytes. */
	while (used < PROFILE_FILE_MAX + 1) {
		ssize_t n = read(fd, buffer + used, PROFILE_FILE_MAX + 1 - used);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int saved = errno;
			close(fd);
			free(buffer);
			return dl_error_set(l->err, DL_EIO, "%s: cannot read the profile: %s",
					    l->file, strerror(saved));
		}
		if (n == 0)
			break;
		used += (size_t)n;
	}
	close(fd);
	if (used > PROFILE_FILE_MAX) {
		free(buffer);
		return fail(l, (struct pos){1, 1}, NULL,
			    "found a file larger than %d bytes; expected a profile of at most "
			    "%d KiB",
			    PROFILE_FILE_MAX, PROFILE_FILE_MAX / 1024);
	}
	buffer[used] = '\0';
	*out = buffer;
	*length = used;
	return 0;
}

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
static bool yaml_printable(uint32_t cp)
{
	return cp == 0x09 || cp == 0x0a || cp == 0x0d || (cp >= 0x20 && cp <= 0x7e) || cp == 0x85 ||
	       (cp >= 0xa0 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0xfffd) ||
	       (cp >= 0x10000 && cp <= 0x10ffff);
}

/* Refuse binary data before libfyaml sees it, naming where it starts. */
static int check_text(struct loader *l)
{
	const unsigned char *s = (const unsigned char *)l->text;
	struct pos at = {1, 1};
	for (size_t i = 0; i < l->length;) {
		uint32_t cp = 0;
		size_t len = utf8_decode(s + i, l->length - i, &cp);
		if (len == 0)
			return fail(l, at, NULL,
				    "found byte 0x%02x, which is not UTF-8; expected a UTF-8 YAML "
				    "text file (is this a binary file?)",
				    s[i]);
		if (!yaml_printable(cp))
			return fail(l, at, NULL,
				    "found the control character U+%04" PRIX32
				    "; expected printable UTF-8 text (is this a binary file?)",
				    cp);
		i += len;
		if (cp == '\n' || (cp == '\r' && (i >= l->length || s[i] != '\n'))) {
			at.line++;
			at.column = 1;
		} else if (cp != '\r') {
			at.column++;
		}
	}
	return 0;
}

/* ---- YAML parsing ------------------------------------------------------- */

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
static int fail_yaml(struct loader *l, struct fy_diag *diag)
{
	void *iterator = NULL;
	struct fy_diag_error *e;
	while ((e = fy_diag_errors_iterate(diag, &iterator)) != NULL) {
		if (e->type < FYET_ERROR)
			continue;
		struct pos at = {e->line > 0 ? e->line : 1, e->column > 0 ? e->column : 1};
		const char *what = e->msg ? e->msg : "unknown error";
		if (strcmp(what, "duplicate key") == 0)
			return fail(l, at, NULL,
				    "found a key that is already set in this mapping; expected "
				    "each key once");
		return fail(l, at, NULL, "found invalid YAML (%s); expected well-formed YAML",
			    what);
	}
	return fail(l, (struct pos){1, 1}, NULL,
		    "found input libfyaml cannot parse; expected well-formed YAML");
}

static struct fy_parser *parser_create(struct loader *l, struct fy_diag *diag)
{
	struct fy_parse_cfg cfg = {
		.flags = FYPCF_QUIET | FYPCF_DEFAULT_VERSION_1_2 | FYPCF_JSON_NONE,
		.diag = diag,
	};
	struct fy_parser *parser = fy_parser_create(&cfg);
	if (parser && fy_parser_set_string(parser, l->text, l->length) != 0) {
		fy_parser_destroy(parser);
		return NULL;
	}
	return parser;
}

/* Pass 1: the event stream. Finds syntax errors anywhere in the stream,
 * a second document, and the start mark of every node of the first. */
static int scan_events(struct loader *l)
{
	struct fy_diag *diag = diag_create();
	struct fy_parser *parser = diag ? parser_create(l, diag) : NULL;
	if (!parser) {
		if (diag)
			diag_release(diag);
		return fail_memory(l);
	}
	int rc = 0, documents = 0;
	bool overflow = false;
	size_t capacity = 0;
	struct fy_event *event;
	/* Every event consumes input, so the loop ends with the input. */
	while ((event = fy_parser_parse(parser)) != NULL) {
		struct pos at = mark_pos(l, fy_event_start_mark(event),
					 event->type == FYET_SCALAR ? event->scalar.value : NULL);
		switch (event->type) {
		case FYET_DOCUMENT_START:
			if (++documents == 2)
				l->second_document = at;
			break;
		case FYET_MAPPING_START:
		case FYET_SEQUENCE_START:
		case FYET_SCALAR:
		case FYET_ALIAS:
			if (documents != 1)
				break;
			if (overflow || l->mark_count == PROFILE_MARKS_MAX) {
				overflow = true;
				break;
			}
			if (l->mark_count == capacity) {
				size_t grown_capacity = capacity ? capacity * 2 : 256;
				struct node_mark *grown =
					realloc(l->marks, grown_capacity * sizeof(*grown));
				if (!grown) {
					rc = fail_memory(l);
					overflow = true;
					break;
				}
				l->marks = grown;
				capacity = grown_capacity;
			}
			l->marks[l->mark_count++] =
				(struct node_mark){.node = 0, .event_type = event->type, .at = at};
			break;
		default: break;
		}
		fy_parser_event_free(parser, event);
	}
	if (!rc && (fy_parser_get_stream_error(parser) || fy_diag_got_error(diag)))
		rc = fail_yaml(l, diag);
	if (overflow)
		l->mark_count = 0;
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
static bool pair_marks(struct loader *l, struct fy_node *node, size_t *next, unsigned depth)
{
	if (depth > PROFILE_DEPTH_MAX || *next >= l->mark_count)
		return false;
	if (!node) {
		/* A key without a value: the stream has an empty scalar. */
		return l->marks[(*next)++].event_type == FYET_SCALAR;
	}
	if (!event_matches(l->marks[*next].event_type, node))
		return false;
	l->marks[(*next)++].node = (uintptr_t)node;
	void *iterator = NULL;
	if (fy_node_is_mapping(node)) {
		struct fy_node_pair *pair;
		while ((pair = fy_node_mapping_iterate(node, &iterator)) != NULL)
			if (!pair_marks(l, fy_node_pair_key(pair), next, depth + 1) ||
			    !pair_marks(l, fy_node_pair_value(pair), next, depth + 1))
				return false;
	} else if (fy_node_is_sequence(node)) {
		struct fy_node *item;
		while ((item = fy_node_sequence_iterate(node, &iterator)) != NULL)
			if (!pair_marks(l, item, next, depth + 1))
				return false;
	}
	return true;
}

static void index_marks(struct loader *l, struct fy_node *root)
{
	size_t next = 0;
	if (!root || !pair_marks(l, root, &next, 0) || next != l->mark_count)
		return;
	/* Drop the empty scalars that belong to no node, then sort for bsearch. */
	size_t kept = 0;
	for (size_t i = 0; i < l->mark_count; i++)
		if (l->marks[i].node)
			l->marks[kept++] = l->marks[i];
	l->mark_count = kept;
	qsort(l->marks, l->mark_count, sizeof(*l->marks), compare_marks);
	l->marks_paired = true;
}

/* ---- typed access to values --------------------------------------------- */

static bool is_alias(struct fy_node *node)
{
	return node && fy_node_is_alias(node);
}

static bool is_null(struct fy_node *node)
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
static const char *describe(struct fy_node *node, char *buffer, size_t size)
{
	if (is_null(node))
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

static int fail_type(struct loader *l, const struct value *v, const char *expected)
{
	char found[256];
	return fail(l, v->at, v->path, "found %s; expected %s",
		    describe(v->node, found, sizeof(found)), expected);
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
	if (!text || *length > PROFILE_NAME_MAX || memchr(text, '\0', *length))
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
static int want_mapping(struct loader *l, const struct value *v, const char *const *allowed)
{
	if (!v->node || !fy_node_is_mapping(v->node))
		return fail_type(l, v, "a mapping of key: value lines");
	int count = fy_node_mapping_item_count(v->node);
	if (count > PROFILE_ENTRIES_MAX)
		return fail(l, v->at, v->path, "found %d entries; expected at most %d", count,
			    PROFILE_ENTRIES_MAX);
	void *iterator = NULL;
	struct fy_node_pair *pair;
	while ((pair = fy_node_mapping_iterate(v->node, &iterator)) != NULL) {
		struct fy_node *key = fy_node_pair_key(pair);
		struct pos at = pos_of(l, key, v->at);
		size_t length = 0;
		const char *text = key_text(key, &length);
		char found[256];
		if (!text || length == 0)
			return fail(l, at, v->path,
				    "found %s where a key should be; expected a name of 1 to %d "
				    "characters",
				    describe(key, found, sizeof(found)), PROFILE_NAME_MAX);
		if (!allowed)
			continue;
		bool known = false;
		for (size_t i = 0; allowed[i] && !known; i++)
			known = length == strlen(allowed[i]) &&
				memcmp(text, allowed[i], length) == 0;
		if (known)
			continue;
		char list[512];
		size_t used = 0;
		for (size_t i = 0; allowed[i] && used < sizeof(list); i++)
			used += (size_t)snprintf(list + used, sizeof(list) - used, "%s%s",
						 i ? ", " : "", allowed[i]);
		return fail(l, at, v->path, "found the unknown key '%.*s'; expected one of: %s",
			    (int)length, text, list);
	}
	return 0;
}

static int want_sequence(struct loader *l, const struct value *v, bool non_empty)
{
	if (!v->node || !fy_node_is_sequence(v->node))
		return fail_type(l, v, non_empty ? "a list with at least one item" : "a list");
	int count = fy_node_sequence_item_count(v->node);
	if (count > PROFILE_ENTRIES_MAX)
		return fail(l, v->at, v->path, "found %d items; expected at most %d", count,
			    PROFILE_ENTRIES_MAX);
	if (non_empty && count == 0)
		return fail(l, v->at, v->path,
			    "found an empty list; expected a list with at least one item");
	return 0;
}

/*
 * Look key up in the mapping v. Missing and required: an error at the
 * mapping. Missing and optional: 0 with out->node NULL and *present false.
 */
static int child(struct loader *l, const struct value *v, const char *key, bool required,
		 struct value *out, bool *present)
{
	void *iterator = NULL;
	struct fy_node_pair *pair;
	child_path(out->path, sizeof(out->path), v->path, key);
	out->node = NULL;
	out->at = v->at;
	while ((pair = fy_node_mapping_iterate(v->node, &iterator)) != NULL) {
		if (!key_equals(fy_node_pair_key(pair), key))
			continue;
		struct pos key_at = pos_of(l, fy_node_pair_key(pair), v->at);
		out->node = fy_node_pair_value(pair);
		out->at = pos_of(l, out->node, key_at);
		if (is_null(out->node))
			/* "key:" with nothing after it: point at the key. */
			out->at = key_at;
		if (present)
			*present = true;
		return 0;
	}
	if (present)
		*present = false;
	if (required)
		return fail(l, v->at, v->path, "found no '%s'; expected a '%s:' key here", key,
			    key);
	return 0;
}

static void item(const struct loader *l, const struct value *sequence, struct fy_node *node,
		 size_t index, struct value *out)
{
	item_path(out->path, sizeof(out->path), sequence->path, index);
	out->node = node;
	out->at = pos_of(l, node, sequence->at);
}

enum {
	STRING_MAY_BE_EMPTY = 1 << 0,
	STRING_NAME = 1 << 1, /* a name: [A-Za-z0-9_.-], at most PROFILE_NAME_MAX */
};

/* The text of a scalar string value, checked; points into the document. */
static int want_text(struct loader *l, const struct value *v, unsigned flags, const char **text,
		     size_t *length)
{
	if (is_null(v->node) || !fy_node_is_scalar(v->node) || is_alias(v->node))
		return fail_type(l, v,
				 flags & STRING_NAME ? "a name"
				 : flags & STRING_MAY_BE_EMPTY
					 ? "a string (write \"\" for an empty one)"
					 : "a string");
	*text = fy_node_get_scalar(v->node, length);
	if (!*text)
		return fail_type(l, v, "a string");
	size_t max = flags & STRING_NAME ? PROFILE_NAME_MAX : PROFILE_STRING_MAX;
	if (*length > max)
		return fail(l, v->at, v->path, "found a string of %zu bytes; expected at most %zu",
			    *length, max);
	if (memchr(*text, '\0', *length))
		return fail(l, v->at, v->path,
			    "found a NUL character in the string; expected text without one");
	if (*length == 0 && !(flags & STRING_MAY_BE_EMPTY))
		return fail(l, v->at, v->path, "found an empty string; expected a non-empty one");
	if (flags & STRING_NAME)
		for (size_t i = 0; i < *length; i++) {
			unsigned char c = (unsigned char)(*text)[i];
			if (!(c >= 'a' && c <= 'z') && !(c >= 'A' && c <= 'Z') &&
			    !(c >= '0' && c <= '9') && c != '_' && c != '-' && c != '.')
				return fail(
					l, v->at, v->path,
					"found '%.*s'; expected a name made of letters, digits, "
					"'_', '-' and '.'",
					(int)*length, *text);
		}
	return 0;
}

static int want_string(struct loader *l, const struct value *v, unsigned flags, char **out)
{
	const char *text;
	size_t length;
	int rc = want_text(l, v, flags, &text, &length);
	if (rc)
		return rc;
	*out = strndup(text, length);
	return *out ? 0 : fail_memory(l);
}

static int want_integer(struct loader *l, const struct value *v, long min, long max, long *out)
{
	char expected[96];
	snprintf(expected, sizeof(expected), "an integer from %ld to %ld", min, max);
	if (is_null(v->node) || !fy_node_is_scalar(v->node) || is_alias(v->node) ||
	    fy_node_get_style(v->node) != FYNS_PLAIN)
		return fail_type(l, v, expected);
	size_t length = 0;
	const char *text = fy_node_get_scalar(v->node, &length);
	char digits[32];
	if (!text || length >= sizeof(digits))
		return fail_type(l, v, expected);
	memcpy(digits, text, length);
	digits[length] = '\0';
	if (text_parse_long(digits, min, max, out) != 0)
		return fail_type(l, v, expected);
	return 0;
}

static int want_bool(struct loader *l, const struct value *v, bool *out)
{
	static const char *const yes[] = {"true", "True", "TRUE"};
	static const char *const no[] = {"false", "False", "FALSE"};
	if (!is_null(v->node) && fy_node_is_scalar(v->node) && !is_alias(v->node) &&
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
	return fail_type(l, v, "true or false");
}

/* Iterate a mapping's pairs as (name, value). */
static int entry(struct loader *l, const struct value *map, struct fy_node_pair *pair, char **name,
		 struct value *out)
{
	struct value key = {.node = fy_node_pair_key(pair)};
	key.at = pos_of(l, key.node, map->at);
	snprintf(key.path, sizeof(key.path), "%s", map->path);
	int rc = want_string(l, &key, STRING_NAME, name);
	if (rc)
		return rc;
	child_path(out->path, sizeof(out->path), map->path, *name);
	out->node = fy_node_pair_value(pair);
	out->at = is_null(out->node) ? key.at : pos_of(l, out->node, key.at);
	return 0;
}

static size_t count_of(struct fy_node *node)
{
	if (fy_node_is_sequence(node))
		return (size_t)fy_node_sequence_item_count(node);
	return (size_t)fy_node_mapping_item_count(node);
}

/* ---- sections ----------------------------------------------------------- */

static int load_version(struct loader *l, const struct value *root)
{
	struct value v;
	long version = 0;
	bool present;
	int rc = child(l, root, "dutlab_profile", false, &v, &present);
	if (!rc && !present)
		return fail(l, root->at, NULL,
			    "found no 'dutlab_profile' key; expected 'dutlab_profile: %d' (the "
			    "profile format version) at the top",
			    PROFILE_FORMAT_VERSION);
	rc = want_integer(l, &v, 0, INT_MAX, &version);
	if (rc)
		return rc;
	if (version != PROFILE_FORMAT_VERSION)
		return fail(l, v.at, v.path,
			    "found format version %ld; expected %d, the only version this dutlab "
			    "reads",
			    version, PROFILE_FORMAT_VERSION);
	return 0;
}

static int load_identity(struct loader *l, const struct value *root)
{
	static const char *const keys[] = {"vendor", "model",        "firmware",
					   "serial", "product_type", NULL};
	struct profile *p = l->p;
	struct value section, v;
	bool present;
	int rc = child(l, root, "identity", true, &section, NULL);
	if (!rc)
		rc = want_mapping(l, &section, keys);
	if (!rc)
		rc = child(l, &section, "vendor", true, &v, NULL);
	if (!rc)
		rc = want_string(l, &v, 0, &p->vendor);
	if (!rc)
		rc = child(l, &section, "model", true, &v, NULL);
	if (!rc)
		rc = want_string(l, &v, 0, &p->model);
	if (!rc)
		rc = child(l, &section, "firmware", true, &v, NULL);
	if (!rc)
		rc = want_string(l, &v, 0, &p->firmware);
	if (!rc)
		rc = child(l, &section, "serial", false, &v, &present);
	if (!rc && present)
		rc = want_string(l, &v, 0, &p->serial);
	if (!rc)
		rc = child(l, &section, "product_type", true, &v, NULL);
	if (!rc)
		rc = want_string(l, &v, 0, &p->product_type_text);
	if (rc)
		return rc;
	p->product_type = product_type_from_name(p->product_type_text);
	if (p->product_type == PRODUCT_UNKNOWN)
		return fail_type(l, &v, "one of " PRODUCT_TYPE_LIST);
	return 0;
}

static int load_target(struct loader *l, const struct value *v, struct profile_target *t)
{
	static const char *const keys[] = {"standard", "level", NULL};
	struct value s, level;
	bool present;
	int rc = want_mapping(l, v, keys);
	if (!rc)
		rc = child(l, v, "standard", true, &s, NULL);
	if (!rc)
		rc = want_string(l, &s, 0, &t->standard);
	if (rc)
		return rc;
	size_t which = DL_ARRAY_SIZE(standards);
	for (size_t i = 0; i < DL_ARRAY_SIZE(standards); i++)
		if (strcmp(standards[i].id, t->standard) == 0)
			which = i;
	if (which == DL_ARRAY_SIZE(standards))
		return fail_type(l, &s, "one of taics-ts-0014-1, iot-1006-1, ncc-ci-ict");
	rc = child(l, v, "level", false, &level, &present);
	if (!rc && !present && standards[which].has_levels)
		return fail(l, v->at, v->path,
			    "found no 'level'; expected 'level: 1', 2 or 3 (%s has levels)",
			    t->standard);
	long number = 0;
	if (rc || !present)
		return rc;
	if (!standards[which].has_levels) {
		if (want_integer(l, &level, 0, 0, &number) != 0)
			return fail(l, level.at, level.path,
				    "found a level; expected none, since %s has no levels (omit "
				    "'level' or write 0)",
				    t->standard);
		return 0;
	}
	rc = want_integer(l, &level, 1, 3, &number);
	t->level = (int)number;
	return rc;
}

static int load_targets(struct loader *l, const struct value *root)
{
	struct profile *p = l->p;
	struct value section, v;
	int rc = child(l, root, "targets", true, &section, NULL);
	if (!rc)
		rc = want_sequence(l, &section, true);
	if (rc)
		return rc;
	p->targets = calloc(count_of(section.node), sizeof(*p->targets));
	if (!p->targets)
		return fail_memory(l);
	void *iterator = NULL;
	struct fy_node *node;
	while ((node = fy_node_sequence_iterate(section.node, &iterator)) != NULL) {
		item(l, &section, node, p->target_count, &v);
		rc = load_target(l, &v, &p->targets[p->target_count++]);
		if (rc)
			return rc;
		const struct profile_target *t = &p->targets[p->target_count - 1];
		for (size_t i = 0; i + 1 < p->target_count; i++)
			if (strcmp(p->targets[i].standard, t->standard) == 0)
				return fail(l, v.at, v.path,
					    "found %s a second time; expected each standard once "
					    "(see targets[%zu])",
					    t->standard, i);
	}
	return 0;
}

static bool is_v4_mapped_network(const struct scope_network *n)
{
	static const uint8_t prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
	return n->family == AF_INET6 && n->prefix_length >= 96 &&
	       memcmp(n->address, prefix, sizeof(prefix)) == 0;
}

/* A scope of 0.0.0.0/0 would make the guard a formality: dutlab sends attack
 * traffic, so a scope must be a network someone could own, not the Internet. */
static bool too_wide(const struct scope_network *n)
{
	return n->prefix_length <
	       (unsigned)(n->family == AF_INET ? PROFILE_PREFIX_MIN_IPV4 : PROFILE_PREFIX_MIN_IPV6);
}

static int load_scope(struct loader *l, const struct value *root)
{
	static const char *const keys[] = {"networks", "interfaces", NULL};
	struct scope *scope = &l->p->scope;
	struct value section, list, v;
	struct dl_error sub;
	bool present;
	char *text = NULL;
	int rc = child(l, root, "scope", true, &section, NULL);
	if (!rc)
		rc = want_mapping(l, &section, keys);
	if (!rc)
		rc = child(l, &section, "networks", true, &list, NULL);
	if (!rc)
		rc = want_sequence(l, &list, true);
	if (rc)
		return rc;
	void *iterator = NULL;
	struct fy_node *node;
	while ((node = fy_node_sequence_iterate(list.node, &iterator)) != NULL) {
		item(l, &list, node, scope->network_count, &v);
		rc = want_string(l, &v, 0, &text);
		if (rc)
			return rc;
		rc = scope_add_network(scope, text, &sub);
		if (rc == DL_ENOMEM)
			rc = fail_memory(l);
		else if (rc)
			rc = fail(l, v.at, v.path,
				  "found '%.64s'; expected a network such as 198.18.1.0/24 or "
				  "fd00:198:0:1::/64 (%s)",
				  text, sub.message);
		else if (is_v4_mapped_network(&scope->networks[scope->network_count - 1]))
			rc = fail(l, v.at, v.path,
				  "found the IPv4-mapped network '%s'; expected the IPv4 network "
				  "itself (mapped destinations are judged as IPv4)",
				  text);
		else if (too_wide(&scope->networks[scope->network_count - 1]))
			rc = fail(l, v.at, v.path,
				  "found '%s', which is wider than any DUT's network; expected the "
				  "DUT's own networks (a prefix of at least /%d for IPv4, /%d for "
				  "IPv6)",
				  text, PROFILE_PREFIX_MIN_IPV4, PROFILE_PREFIX_MIN_IPV6);
		free(text);
		text = NULL;
		if (rc)
			return rc;
	}

	rc = child(l, &section, "interfaces", false, &list, &present);
	if (rc || !present)
		return rc;
	rc = want_sequence(l, &list, false);
	if (rc)
		return rc;
	iterator = NULL;
	while ((node = fy_node_sequence_iterate(list.node, &iterator)) != NULL) {
		item(l, &list, node, scope->interface_count, &v);
		rc = want_string(l, &v, 0, &text);
		if (rc)
			return rc;
		for (size_t i = 0; i < scope->interface_count && !rc; i++)
			if (strcmp(scope->interfaces[i], text) == 0)
				rc = fail(l, v.at, v.path,
					  "found interface '%s' a second time; expected each "
					  "interface once",
					  text);
		if (!rc) {
			rc = scope_add_interface(scope, text, &sub);
			if (rc == DL_ENOMEM)
				rc = fail_memory(l);
			else if (rc)
				rc = fail(l, v.at, v.path,
					  "found '%.64s'; expected a Linux interface name (%s)",
					  text, sub.message);
		}
		free(text);
		text = NULL;
		if (rc)
			return rc;
	}
	return 0;
}

/* "198.18.1.0/24, fd00:198:0:1::/64" for messages. */
static void list_networks(const struct scope *scope, char *out, size_t size)
{
	size_t used = 0;
	out[0] = '\0';
	for (size_t i = 0; i < scope->network_count && used < size; i++)
		used += (size_t)snprintf(out + used, size - used, "%s%s", i ? ", " : "",
					 scope->networks[i].text);
}

static int load_address(struct loader *l, const struct value *v, char **out)
{
	const struct scope *scope = &l->p->scope;
	const char *text;
	size_t length;
	char address[INET6_ADDRSTRLEN + 1];
	uint8_t bytes[16];
	struct dl_error sub;
	int rc = want_text(l, v, 0, &text, &length);
	if (rc)
		return rc;
	bool v4 = false;
	if (length < sizeof(address)) {
		memcpy(address, text, length);
		address[length] = '\0';
		v4 = inet_pton(AF_INET, address, bytes) == 1;
	}
	if (length >= sizeof(address) || (!v4 && inet_pton(AF_INET6, address, bytes) != 1))
		return fail(l, v->at, v->path,
			    "found '%.*s'; expected one IPv4 or IPv6 address such as 198.18.1.2 "
			    "or fd00:198:0:1::2 (an address, not a network)",
			    (int)(length > 64 ? 64 : length), text);
	static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
	if (!v4 && memcmp(bytes, mapped, sizeof(mapped)) == 0) {
		/* The DUT is reached over IPv4; keep the address the way sockets use it. */
		if (!inet_ntop(AF_INET, bytes + 12, address, sizeof(address)))
			return fail_type(l, v, "an IPv4 or IPv6 address");
	}
	rc = scope_permit_text(scope, address, NULL, &sub);
	if (rc == DL_ESCOPE) {
		char networks[512];
		list_networks(scope, networks, sizeof(networks));
		return fail(l, v->at, v->path,
			    "found %s, which is outside scope.networks (%s); expected an address "
			    "inside them: fix the address or add its network to scope.networks",
			    address, networks);
	}
	if (rc)
		return fail(l, v->at, v->path, "found '%s'; expected an address (%s)", address,
			    sub.message);
	*out = strdup(address);
	return *out ? 0 : fail_memory(l);
}

static int load_dut(struct loader *l, const struct value *root)
{
	static const char *const keys[] = {"addresses", NULL};
	struct profile *p = l->p;
	struct value section, list, v;
	int rc = child(l, root, "dut", true, &section, NULL);
	if (!rc)
		rc = want_mapping(l, &section, keys);
	if (!rc)
		rc = child(l, &section, "addresses", true, &list, NULL);
	if (!rc)
		rc = want_sequence(l, &list, true);
	if (rc)
		return rc;
	p->addresses = calloc(count_of(list.node), sizeof(*p->addresses));
	if (!p->addresses)
		return fail_memory(l);
	void *iterator = NULL;
	struct fy_node *node;
	while ((node = fy_node_sequence_iterate(list.node, &iterator)) != NULL) {
		item(l, &list, node, p->address_count, &v);
		rc = load_address(l, &v, &p->addresses[p->address_count++]);
		if (rc)
			return rc;
		const char *added = p->addresses[p->address_count - 1];
		for (size_t i = 0; i + 1 < p->address_count; i++)
			if (strcmp(p->addresses[i], added) == 0)
				return fail(l, v.at, v.path,
					    "found %s a second time; expected each address once "
					    "(see dut.addresses[%zu])",
					    added, i);
	}
	return 0;
}

static int load_discloses(struct loader *l, const struct value *list, struct profile_service *s)
{
	int rc = want_sequence(l, list, false);
	if (rc)
		return rc;
	s->discloses = calloc(count_of(list->node) + 1, sizeof(*s->discloses));
	if (!s->discloses)
		return fail_memory(l);
	void *iterator = NULL;
	struct fy_node *node;
	struct value v;
	while ((node = fy_node_sequence_iterate(list->node, &iterator)) != NULL) {
		item(l, list, node, s->discloses_count, &v);
		rc = want_string(l, &v, 0, &s->discloses[s->discloses_count++]);
		if (rc)
			return rc;
		const char *kind = s->discloses[s->discloses_count - 1];
		bool known = false;
		for (size_t i = 0; i < DL_ARRAY_SIZE(disclosure_kinds); i++)
			known = known || strcmp(kind, disclosure_kinds[i]) == 0;
		if (!known)
			return fail_type(l, &v, "one of version, device-info, content");
		for (size_t i = 0; i + 1 < s->discloses_count; i++)
			if (strcmp(s->discloses[i], kind) == 0)
				return fail(l, v.at, v.path,
					    "found '%s' a second time; expected each kind once",
					    kind);
	}
	return 0;
}

static int load_service(struct loader *l, const struct value *v, struct profile_service *s)
{
	static const char *const keys[] = {"proto", "port", "name", "discloses", NULL};
	struct value proto, port, name, discloses;
	bool present;
	long number = 0;
	int rc = want_mapping(l, v, keys);
	if (!rc)
		rc = child(l, v, "proto", true, &proto, NULL);
	if (!rc)
		rc = want_string(l, &proto, 0, &s->proto);
	if (rc)
		return rc;
	if (strcmp(s->proto, "tcp") != 0 && strcmp(s->proto, "udp") != 0)
		return fail_type(l, &proto, "tcp or udp");
	rc = child(l, v, "port", true, &port, NULL);
	if (!rc)
		rc = want_integer(l, &port, 1, 65535, &number);
	if (rc)
		return rc;
	s->port = (uint16_t)number;
	rc = child(l, v, "name", true, &name, NULL);
	if (!rc)
		rc = want_string(l, &name, 0, &s->name);
	if (!rc)
		rc = child(l, v, "discloses", false, &discloses, &present);
	if (!rc && present)
		rc = load_discloses(l, &discloses, s);
	return rc;
}

static int load_services(struct loader *l, const struct value *root)
{
	struct profile *p = l->p;
	struct value section, v;
	bool present;
	int rc = child(l, root, "services", false, &section, &present);
	if (rc || !present)
		return rc;
	rc = want_sequence(l, &section, false);
	if (rc)
		return rc;
	p->services = calloc(count_of(section.node) + 1, sizeof(*p->services));
	if (!p->services)
		return fail_memory(l);
	void *iterator = NULL;
	struct fy_node *node;
	while ((node = fy_node_sequence_iterate(section.node, &iterator)) != NULL) {
		item(l, &section, node, p->service_count, &v);
		rc = load_service(l, &v, &p->services[p->service_count++]);
		if (rc)
			return rc;
		const struct profile_service *s = &p->services[p->service_count - 1];
		for (size_t i = 0; i + 1 < p->service_count; i++)
			if (p->services[i].port == s->port &&
			    strcmp(p->services[i].proto, s->proto) == 0)
				return fail(l, v.at, v.path,
					    "found %s/%u a second time; expected each proto/port "
					    "once (see services[%zu], '%s')",
					    s->proto, s->port, i, p->services[i].name);
	}
	return 0;
}

static int load_capabilities(struct loader *l, const struct value *root)
{
	struct profile *p = l->p;
	struct value section, v;
	bool present;
	int rc = child(l, root, "capabilities", false, &section, &present);
	if (rc || !present)
		return rc;
	rc = want_mapping(l, &section, NULL);
	if (rc)
		return rc;
	p->capabilities = calloc(count_of(section.node) + 1, sizeof(*p->capabilities));
	if (!p->capabilities)
		return fail_memory(l);
	void *iterator = NULL;
	struct fy_node_pair *pair;
	while ((pair = fy_node_mapping_iterate(section.node, &iterator)) != NULL) {
		struct profile_capability *c = &p->capabilities[p->capability_count++];
		rc = entry(l, &section, pair, &c->name, &v);
		if (!rc)
			rc = want_bool(l, &v, &c->value);
		if (rc)
			return rc;
	}
	return 0;
}

static int load_credential(struct loader *l, const struct value *v, struct profile_credential *c)
{
	static const char *const keys[] = {"role", "username", "password", NULL};
	struct value field;
	int rc = want_mapping(l, v, keys);
	if (!rc)
		rc = child(l, v, "role", true, &field, NULL);
	if (!rc)
		rc = want_string(l, &field, STRING_NAME, &c->role);
	if (!rc)
		rc = child(l, v, "username", true, &field, NULL);
	if (!rc)
		rc = want_string(l, &field, 0, &c->username);
	if (!rc)
		rc = child(l, v, "password", true, &field, NULL);
	if (!rc)
		rc = want_string(l, &field, STRING_MAY_BE_EMPTY, &c->password);
	return rc;
}

static int load_credentials(struct loader *l, const struct value *root)
{
	struct profile *p = l->p;
	struct value section, v;
	bool present;
	int rc = child(l, root, "credentials", false, &section, &present);
	if (rc || !present)
		return rc;
	rc = want_sequence(l, &section, false);
	if (rc)
		return rc;
	p->credentials = calloc(count_of(section.node) + 1, sizeof(*p->credentials));
	if (!p->credentials)
		return fail_memory(l);
	void *iterator = NULL;
	struct fy_node *node;
	while ((node = fy_node_sequence_iterate(section.node, &iterator)) != NULL) {
		item(l, &section, node, p->credential_count, &v);
		rc = load_credential(l, &v, &p->credentials[p->credential_count++]);
		if (rc)
			return rc;
		const struct profile_credential *c = &p->credentials[p->credential_count - 1];
		for (size_t i = 0; i + 1 < p->credential_count; i++)
			if (strcmp(p->credentials[i].role, c->role) == 0 &&
			    strcmp(p->credentials[i].username, c->username) == 0)
				return fail(l, v.at, v.path,
					    "found role '%s' with username '%s' a second time; "
					    "expected each pair once (see credentials[%zu])",
					    c->role, c->username, i);
	}
	return 0;
}

/* {address} {username} {password} are filled in by the exec driver; any
 * other {lowercase_name} is a typo. Other braces (${HOME}) are literal. */
static int check_command(struct loader *l, const struct value *v, const char *command)
{
	for (const char *open = strchr(command, '{'); open; open = strchr(open + 1, '{')) {
		size_t length = strspn(open + 1, "abcdefghijklmnopqrstuvwxyz_");
		if (length == 0 || open[1 + length] != '}')
			continue;
		bool known = false;
		for (size_t i = 0; i < DL_ARRAY_SIZE(exec_placeholders); i++)
			known = known || (strlen(exec_placeholders[i]) == length &&
					  memcmp(exec_placeholders[i], open + 1, length) == 0);
		if (!known)
			return fail(
				l, v->at, v->path,
				"found the placeholder '{%.*s}'; expected {address}, {username} "
				"or {password}",
				(int)(length > 64 ? 64 : length), open + 1);
	}
	return 0;
}

static int load_operation(struct loader *l, const struct value *v, struct profile_operation *op)
{
	static const char *const keys[] = {"command", "timeout", NULL};
	struct value field;
	bool present;
	long timeout = PROFILE_TIMEOUT_DEFAULT;
	int rc = want_mapping(l, v, keys);
	if (!rc)
		rc = child(l, v, "command", true, &field, NULL);
	if (!rc)
		rc = want_string(l, &field, 0, &op->command);
	if (!rc)
		rc = check_command(l, &field, op->command);
	if (!rc)
		rc = child(l, v, "timeout", false, &field, &present);
	if (!rc && present)
		rc = want_integer(l, &field, 1, PROFILE_TIMEOUT_MAX, &timeout);
	op->timeout_seconds = (unsigned)timeout;
	return rc;
}

static int load_adapter(struct loader *l, const struct value *v, struct profile_adapter *a)
{
	static const char *const keys[] = {"name", "driver", "operations", NULL};
	struct profile *p = l->p;
	struct value field, operations;
	int rc = want_mapping(l, v, keys);
	if (!rc)
		rc = child(l, v, "name", true, &field, NULL);
	if (!rc)
		rc = want_string(l, &field, STRING_NAME, &a->name);
	if (!rc)
		rc = child(l, v, "driver", true, &field, NULL);
	if (!rc)
		rc = want_string(l, &field, 0, &a->driver);
	if (rc)
		return rc;
	if (strcmp(a->driver, "exec") != 0)
		return fail(l, field.at, field.path,
			    "found the driver '%.64s'; expected exec, the only driver this "
			    "dutlab has",
			    a->driver);
	rc = child(l, v, "operations", true, &operations, NULL);
	if (!rc)
		rc = want_mapping(l, &operations, NULL);
	if (rc)
		return rc;
	if (count_of(operations.node) == 0)
		return fail(l, operations.at, operations.path,
			    "found no operations; expected at least one, such as "
			    "'health: {command: \"ping -c1 -W1 {address}\", timeout: 5}'");
	a->operations = calloc(count_of(operations.node), sizeof(*a->operations));
	if (!a->operations)
		return fail_memory(l);
	void *iterator = NULL;
	struct fy_node_pair *pair;
	while ((pair = fy_node_mapping_iterate(operations.node, &iterator)) != NULL) {
		struct profile_operation *op = &a->operations[a->operation_count++];
		rc = entry(l, &operations, pair, &op->name, &field);
		if (!rc)
			rc = load_operation(l, &field, op);
		if (rc)
			return rc;
		/* profile_find_operation() looks across adapters: names must be unique. */
		for (size_t i = 0; i < p->adapter_count; i++) {
			const struct profile_adapter *other = &p->adapters[i];
			for (size_t j = 0; j < other->operation_count; j++)
				if (other != a && strcmp(other->operations[j].name, op->name) == 0)
					return fail(l, pos_of(l, fy_node_pair_key(pair), field.at),
						    operations.path,
						    "found operation '%s', which adapter '%s' "
						    "already has; expected each operation in one "
						    "adapter",
						    op->name, other->name);
		}
	}
	return 0;
}

static int load_adapters(struct loader *l, const struct value *root)
{
	struct profile *p = l->p;
	struct value section, v;
	bool present;
	int rc = child(l, root, "adapters", false, &section, &present);
	if (rc || !present)
		return rc;
	rc = want_sequence(l, &section, false);
	if (rc)
		return rc;
	p->adapters = calloc(count_of(section.node) + 1, sizeof(*p->adapters));
	if (!p->adapters)
		return fail_memory(l);
	void *iterator = NULL;
	struct fy_node *node;
	while ((node = fy_node_sequence_iterate(section.node, &iterator)) != NULL) {
		item(l, &section, node, p->adapter_count, &v);
		rc = load_adapter(l, &v, &p->adapters[p->adapter_count++]);
		if (rc)
			return rc;
		const struct profile_adapter *a = &p->adapters[p->adapter_count - 1];
		for (size_t i = 0; i + 1 < p->adapter_count; i++)
			if (strcmp(p->adapters[i].name, a->name) == 0)
				return fail(l, v.at, v.path,
					    "found adapter name '%s' a second time; expected each "
					    "name once",
					    a->name);
	}
	return 0;
}

/* The profile's folder as an absolute path, so artifacts resolve the same
 * wherever dutlab runs from. */
static int profile_folder(struct loader *l, char *out, size_t size)
{
	const char *slash = strrchr(l->file, '/');
	char folder[PATH_MAX];
	if (!slash)
		text_copy(folder, sizeof(folder), ".");
	else if (slash == l->file)
		text_copy(folder, sizeof(folder), "/");
	else if ((size_t)(slash - l->file) < sizeof(folder))
		snprintf(folder, sizeof(folder), "%.*s", (int)(slash - l->file), l->file);
	else
		return fail(l, (struct pos){1, 1}, NULL,
			    "found a profile path too long to resolve artifacts against; "
			    "expected at most %d bytes",
			    PATH_MAX);
	char *resolved = realpath(folder, NULL);
	bool fits = text_copy(out, size, resolved ? resolved : folder);
	free(resolved);
	if (!fits)
		return fail(l, (struct pos){1, 1}, NULL,
			    "found a profile folder path too long; expected at most %zu bytes",
			    size - 1);
	return 0;
}

static int load_artifacts(struct loader *l, const struct value *root)
{
	struct profile *p = l->p;
	struct value section, v;
	bool present;
	char folder[PATH_MAX];
	int rc = child(l, root, "artifacts", false, &section, &present);
	if (rc || !present)
		return rc;
	rc = want_mapping(l, &section, NULL);
	if (!rc)
		rc = profile_folder(l, folder, sizeof(folder));
	if (rc)
		return rc;
	p->artifacts = calloc(count_of(section.node) + 1, sizeof(*p->artifacts));
	if (!p->artifacts)
		return fail_memory(l);
	void *iterator = NULL;
	struct fy_node_pair *pair;
	while ((pair = fy_node_mapping_iterate(section.node, &iterator)) != NULL) {
		struct profile_artifact *a = &p->artifacts[p->artifact_count++];
		const char *text;
		size_t length;
		rc = entry(l, &section, pair, &a->name, &v);
		if (!rc)
			rc = want_text(l, &v, 0, &text, &length);
		if (rc)
			return rc;
		bool absolute = text[0] == '/';
		size_t total = (absolute ? 0 : strlen(folder) + 1) + length + 1;
		if (total > PATH_MAX)
			return fail(
				l, v.at, v.path,
				"found a path that is %zu bytes once resolved; expected at most "
				"%d",
				total - 1, PATH_MAX - 1);
		a->path = malloc(total);
		if (!a->path)
			return fail_memory(l);
		size_t used = 0;
		if (!absolute) {
			size_t folder_length = strlen(folder);
			memcpy(a->path, folder, folder_length);
			a->path[folder_length] = '/';
			used = folder_length + 1;
		}
		memcpy(a->path + used, text, length);
		a->path[used + length] = '\0';
	}
	return 0;
}

static int load_report(struct loader *l, const struct value *root)
{
	struct profile *p = l->p;
	struct value section, v;
	bool present;
	int rc = child(l, root, "report", false, &section, &present);
	if (rc || !present)
		return rc;
	rc = want_mapping(l, &section, NULL);
	if (rc)
		return rc;
	p->report_fields = calloc(count_of(section.node) + 1, sizeof(*p->report_fields));
	if (!p->report_fields)
		return fail_memory(l);
	void *iterator = NULL;
	struct fy_node_pair *pair;
	while ((pair = fy_node_mapping_iterate(section.node, &iterator)) != NULL) {
		struct profile_report_field *f = &p->report_fields[p->report_field_count++];
		rc = entry(l, &section, pair, &f->name, &v);
		if (!rc)
			rc = want_string(l, &v, STRING_MAY_BE_EMPTY, &f->value);
		if (rc)
			return rc;
	}
	return 0;
}

static int load_document(struct loader *l, struct fy_node *root_node)
{
	static const char *const keys[] = {
		"dutlab_profile", "identity",    "targets",  "scope",     "dut",    "services",
		"capabilities",   "credentials", "adapters", "artifacts", "report", NULL};
	struct value root = {.node = root_node, .at = {1, 1}, .path = ""};
	root.at = pos_of(l, root_node, root.at);
	if (is_null(root_node))
		return fail(l, root.at, NULL,
			    "found an empty document; expected a profile mapping that starts "
			    "with 'dutlab_profile: %d'",
			    PROFILE_FORMAT_VERSION);
	if (!fy_node_is_mapping(root_node)) {
		char found[256];
		return fail(l, root.at, NULL,
			    "found %s at the top; expected a profile mapping that starts with "
			    "'dutlab_profile: %d'",
			    describe(root_node, found, sizeof(found)), PROFILE_FORMAT_VERSION);
	}
	/* The version first: a newer format gets "wrong version", not "unknown key". */
	int rc = load_version(l, &root);
	if (!rc)
		rc = want_mapping(l, &root, keys);
	if (!rc)
		rc = load_identity(l, &root);
	if (!rc)
		rc = load_targets(l, &root);
	if (!rc)
		rc = load_scope(l, &root);
	if (!rc)
		rc = load_dut(l, &root);
	if (!rc)
		rc = load_services(l, &root);
	if (!rc)
		rc = load_capabilities(l, &root);
	if (!rc)
		rc = load_credentials(l, &root);
	if (!rc)
		rc = load_adapters(l, &root);
	if (!rc)
		rc = load_artifacts(l, &root);
	if (!rc)
		rc = load_report(l, &root);
	return rc;
}

/* Pass 2: the first document as a tree, then validation. */
static int parse_and_load(struct loader *l)
{
	struct fy_diag *diag = diag_create();
	struct fy_parser *parser = diag ? parser_create(l, diag) : NULL;
	if (!parser) {
		if (diag)
			diag_release(diag);
		return fail_memory(l);
	}
	int rc;
	struct fy_document *document = fy_parse_load_document(parser);
	if (!document && (fy_parser_get_stream_error(parser) || fy_diag_got_error(diag)))
		rc = fail_yaml(l, diag);
	else if (!document)
		rc = fail(l, (struct pos){1, 1}, NULL,
			  "found no YAML document; expected a profile mapping that starts with "
			  "'dutlab_profile: %d'",
			  PROFILE_FORMAT_VERSION);
	else {
		index_marks(l, fy_document_root(document));
		rc = load_document(l, fy_document_root(document));
	}
	if (document)
		fy_parse_document_destroy(parser, document);
	fy_parser_destroy(parser);
	diag_release(diag);
	return rc;
}

int profile_load(struct profile *out, const char *path, struct dl_error *err)
{
	memset(out, 0, sizeof(*out));
	if (!path || !*path)
		return dl_error_set(err, DL_EINVAL, "no profile path given; expected a YAML file");
	struct loader l = {.file = path, .p = out, .err = err};
	char *text = NULL;
	int rc = read_file(&l, &text, &l.length);
	if (rc)
		return rc;
	l.text = text;
	out->path = strdup(path);
	if (!out->path)
		rc = fail_memory(&l);
	out->scope.origin = out->path;
	if (!rc)
		rc = check_text(&l);
	if (!rc && l.length == 0)
		rc = fail(&l, (struct pos){1, 1}, NULL,
			  "found an empty file; expected a profile mapping that starts with "
			  "'dutlab_profile: %d'",
			  PROFILE_FORMAT_VERSION);
	if (!rc)
		rc = scan_events(&l);
	if (!rc && l.second_document.line > 0)
		rc = fail(&l, l.second_document, NULL,
			  "found a second YAML document; expected exactly one profile per file");
	if (!rc)
		rc = parse_and_load(&l);
	free(l.marks);
	free(text);
	if (rc)
		profile_release(out);
	return rc;
}

static void free_strings(char **strings, size_t count)
{
	for (size_t i = 0; strings && i < count; i++)
		free(strings[i]);
	free(strings);
}

void profile_release(struct profile *p)
{
	if (!p)
		return;
	free(p->path);
	free(p->vendor);
	free(p->model);
	free(p->firmware);
	free(p->serial);
	free(p->product_type_text);
	for (size_t i = 0; p->targets && i < p->target_count; i++)
		free(p->targets[i].standard);
	free(p->targets);
	scope_release(&p->scope);
	free_strings(p->addresses, p->address_count);
	for (size_t i = 0; p->services && i < p->service_count; i++) {
		free(p->services[i].proto);
		free(p->services[i].name);
		free_strings(p->services[i].discloses, p->services[i].discloses_count);
	}
	free(p->services);
	for (size_t i = 0; p->credentials && i < p->credential_count; i++) {
		free(p->credentials[i].role);
		free(p->credentials[i].username);
		free(p->credentials[i].password);
	}
	free(p->credentials);
	for (size_t i = 0; p->adapters && i < p->adapter_count; i++) {
		struct profile_adapter *a = &p->adapters[i];
		free(a->name);
		free(a->driver);
		for (size_t j = 0; a->operations && j < a->operation_count; j++) {
			free(a->operations[j].name);
			free(a->operations[j].command);
		}
		free(a->operations);
	}
	free(p->adapters);
	for (size_t i = 0; p->artifacts && i < p->artifact_count; i++) {
		free(p->artifacts[i].name);
		free(p->artifacts[i].path);
	}
	free(p->artifacts);
	for (size_t i = 0; p->capabilities && i < p->capability_count; i++)
		free(p->capabilities[i].name);
	free(p->capabilities);
	for (size_t i = 0; p->report_fields && i < p->report_field_count; i++) {
		free(p->report_fields[i].name);
		free(p->report_fields[i].value);
	}
	free(p->report_fields);
	memset(p, 0, sizeof(*p));
}

/* ---- lookups ------------------------------------------------------------ */

const struct profile_service *profile_find_service(const struct profile *p, const char *proto,
						   uint16_t port)
{
	for (size_t i = 0; p && proto && i < p->service_count; i++)
		if (p->services[i].port == port && strcmp(p->services[i].proto, proto) == 0)
			return &p->services[i];
	return NULL;
}

const struct profile_credential *profile_find_credential(const struct profile *p, const char *role)
{
	for (size_t i = 0; p && role && i < p->credential_count; i++)
		if (strcmp(p->credentials[i].role, role) == 0)
			return &p->credentials[i];
	return NULL;
}

const struct profile_operation *profile_find_operation(const struct profile *p, const char *name)
{
	for (size_t i = 0; p && name && i < p->adapter_count; i++)
		for (size_t j = 0; j < p->adapters[i].operation_count; j++)
			if (strcmp(p->adapters[i].operations[j].name, name) == 0)
				return &p->adapters[i].operations[j];
	return NULL;
}

const char *profile_find_artifact(const struct profile *p, const char *name)
{
	for (size_t i = 0; p && name && i < p->artifact_count; i++)
		if (strcmp(p->artifacts[i].name, name) == 0)
			return p->artifacts[i].path;
	return NULL;
}

int profile_capability(const struct profile *p, const char *name)
{
	for (size_t i = 0; p && name && i < p->capability_count; i++)
		if (strcmp(p->capabilities[i].name, name) == 0)
			return p->capabilities[i].value ? 1 : 0;
	return -1;
}

const struct profile_target *profile_find_target(const struct profile *p, const char *standard)
{
	for (size_t i = 0; p && standard && i < p->target_count; i++)
		if (strcmp(p->targets[i].standard, standard) == 0)
			return &p->targets[i];
	return NULL;
}
