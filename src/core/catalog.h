/* catalog: the three standards as data (the YAML files in catalog/), loaded and validated */
#ifndef DUTLAB_CORE_CATALOG_H
#define DUTLAB_CORE_CATALOG_H

#include <stdbool.h>
#include <stddef.h>

struct dl_error;

enum catalog_method {
	METHOD_NETWORK,     /* verdict from traffic alone */
	METHOD_INTERACTIVE, /* needs an adapter operation on the DUT */
	METHOD_ARTIFACT,    /* from a vendor artifact (firmware, SBOM, backup) */
	METHOD_DOCUMENT,    /* a person reviews a document */
	METHOD_PHYSICAL,    /* a person handles the device */
};

const char *catalog_method_name(enum catalog_method m); /* "network", ... */
int catalog_method_from_name(const char *name, enum catalog_method *out);

struct catalog_param {
	char *name;
	char *value;
};

struct catalog_check_ref {
	char *check_id; /* a registry id, "discovery.undeclared-services" */
	struct catalog_param *params;
	size_t param_count;
};

struct catalog_clause {
	char *id;               /* "5.2.2.1" */
	char *section;          /* "5.2.2" */
	int level;              /* 1..3; 0 where the standard has no levels (NCC) */
	bool optional;          /* the (O) mark */
	unsigned product_types; /* PRODUCT_* bits from core/profile.h it applies to */
	char *title_zh, *title_en;
	char *text_zh; /* the original text, verbatim */
	enum catalog_method method;
	char *how;             /* how a test decides it (en) */
	char *needs;           /* what deciding it needs (en) */
	char *decision;        /* recorded interpretation(s), or NULL */
	char *manual_question; /* what a person must answer when it is planned manual */
	/* A profile capability that makes the clause apply: "wifi", "onvif"...
	 * When the profile declares it false the clause is not_applicable,
	 * citing the declaration; undeclared means it applies. */
	char *applies_if;
	struct catalog_check_ref *checks;
	size_t check_count;
};

struct catalog_standard {
	char *id; /* "taics-ts-0014-1" */
	char *title_zh, *title_en;
	char *version; /* "v2", "V2.0" */
	char *source;  /* the text it was read from */
	bool has_levels;
	/* Decisions about the standard as a whole (defects, scope), in order. */
	char **notes;
	size_t note_count;
	struct catalog_clause *clauses;
	size_t clause_count;
};

struct catalog {
	struct catalog_standard *standards;
	size_t standard_count;
};

/* Load one file / every *.yaml in dir. Bad input: DL_EINVAL with
 * "FILE:LINE:COLUMN: ..." in err. */
int catalog_load_file(struct catalog_standard *out, const char *path, struct dl_error *err);
int catalog_load_dir(struct catalog *out, const char *dir, struct dl_error *err);
void catalog_release(struct catalog *c);
void catalog_standard_release(struct catalog_standard *s);

const struct catalog_standard *catalog_find_standard(const struct catalog *c, const char *id);
const struct catalog_clause *catalog_find_clause(const struct catalog_standard *s, const char *id);

/* The folder the catalog is read from: $DUTLAB_CATALOG, else the source
 * tree's catalog/ baked in at build time, else the installed data dir. */
const char *catalog_default_dir(void);

#endif
