/* cmd-catalog: `dutlab catalog list|show`: the clauses of the three standards, from the catalog */
#include "core/compat.h"

#include "cli/commands.h"
#include "core/catalog.h"
#include "core/error.h"
#include "core/profile.h"
#include "core/text.h"

static void usage(FILE *out)
{
	fprintf(out,
		"usage: dutlab catalog list [--standard S] [--level N] [--method M]\n"
		"       dutlab catalog show CLAUSE [--standard S]\n"
		"\n"
		"  list    one line per clause: standard, id, level, M(andatory)/O(ptional),\n"
		"          method, number of checks, English and Chinese titles\n"
		"  show    everything the catalog says about one clause (every standard that\n"
		"          has that id, unless --standard picks one)\n"
		"\n"
		"  --standard S   iot-1006-1, taics-ts-0014-1 or ncc-ci-ict\n"
		"  --level N      the clauses a product must pass for level N (levels 1..N);\n"
		"                 standards without levels (ncc-ci-ict) are left out\n"
		"  --method M     network, interactive, artifact, document or physical\n"
		"\n"
		"The catalog is read from $DUTLAB_CATALOG, else %s.\n",
		catalog_default_dir());
}

struct catalog_args {
	const char *standard;
	const char *clause;
	long level; /* 0: any */
	bool has_method;
	enum catalog_method method;
};

/* "--name value" or "--name=value"; advances *i past what it used. */
static const char *option_value(int argc, char **argv, int *i, const char *name, bool *matched)
{
	size_t len = strlen(name);
	*matched = false;
	if (strncmp(argv[*i], name, len) != 0)
		return NULL;
	if (argv[*i][len] == '=') {
		*matched = true;
		return argv[*i] + len + 1;
	}
	if (argv[*i][len] != '\0')
		return NULL;
	*matched = true;
	if (*i + 1 >= argc)
		return NULL;
	(*i)++;
	return argv[*i];
}

static int parse_args(int argc, char **argv, bool show, struct catalog_args *a)
{
	for (int i = 2; i < argc; i++) {
		bool matched;
		const char *v = option_value(argc, argv, &i, "--standard", &matched);
		if (matched) {
			if (!v || !v[0]) {
				fprintf(stderr, "dutlab catalog: --standard needs a standard id\n");
				return 2;
			}
			a->standard = v;
			continue;
		}
		v = show ? NULL : option_value(argc, argv, &i, "--level", &matched);
		if (matched) {
			if (!v || text_parse_long(v, 1, 3, &a->level) != 0) {
				fprintf(stderr, "dutlab catalog: --level '%s' is not 1, 2 or 3\n",
					v ? v : "");
				return 2;
			}
			continue;
		}
		v = show ? NULL : option_value(argc, argv, &i, "--method", &matched);
		if (matched) {
			if (!v || catalog_method_from_name(v, &a->method) != 0) {
				fprintf(stderr,
					"dutlab catalog: --method '%s' is not network, "
					"interactive, "
					"artifact, document or physical\n",
					v ? v : "");
				return 2;
			}
			a->has_method = true;
			continue;
		}
		if (show && !a->clause && argv[i][0] != '-') {
			a->clause = argv[i];
			continue;
		}
		fprintf(stderr, "dutlab catalog %s: unexpected argument '%s'\n", argv[1], argv[i]);
		usage(stderr);
		return 2;
	}
	if (show && !a->clause) {
		fprintf(stderr, "dutlab catalog show: which clause? e.g. 'dutlab catalog show "
				"5.2.2.1 --standard taics-ts-0014-1'\n");
		return 2;
	}
	return 0;
}

static int unknown_standard(const struct catalog *c, const char *id)
{
	fprintf(stderr, "dutlab catalog: standard '%s' is not in the catalog; it has:", id);
	for (size_t i = 0; i < c->standard_count; i++)
		fprintf(stderr, " %s", c->standards[i].id);
	fprintf(stderr, "\n");
	return 1;
}

static int list(const struct catalog *c, const struct catalog_args *a)
{
	printf("%-15s %-9s %-5s %-3s %-11s %-6s %s\n", "standard", "clause", "level", "M/O",
	       "method", "checks", "title (en / zh-TW)");
	size_t shown = 0;
	for (size_t s = 0; s < c->standard_count; s++) {
		const struct catalog_standard *std = &c->standards[s];
		if (a->standard && strcmp(std->id, a->standard) != 0)
			continue;
		if (a->level && !std->has_levels)
			continue;
		for (size_t i = 0; i < std->clause_count; i++) {
			const struct catalog_clause *cl = &std->clauses[i];
			if (a->level && cl->level > a->level)
				continue;
			if (a->has_method && cl->method != a->method)
				continue;
			char level[8] = "-";
			if (std->has_levels)
				snprintf(level, sizeof(level), "%d", cl->level);
			printf("%-15s %-9s %-5s %-3s %-11s %-6zu %s / %s\n", std->id, cl->id, level,
			       cl->optional ? "O" : "M", catalog_method_name(cl->method),
			       cl->check_count, cl->title_en, cl->title_zh);
			shown++;
		}
	}
	printf("%zu clause%s\n", shown, shown == 1 ? "" : "s");
	return 0;
}

/* Print a multi-line text with every line indented. */
static void print_indented(const char *label, const char *text)
{
	printf("%s:\n", label);
	const char *p = text;
	while (*p) {
		size_t n = strcspn(p, "\n");
		if (n)
			printf("    %.*s\n", (int)n, p);
		else
			printf("\n");
		p += n;
		if (*p == '\n')
			p++;
	}
}

static void show_clause(const struct catalog_standard *std, const struct catalog_clause *cl)
{
	printf("%s %s\n", std->id, cl->id);
	printf("title (en):    %s\n", cl->title_en);
	printf("title (zh-TW): %s\n", cl->title_zh);
	printf("standard:      %s (%s), version %s\n", std->title_zh, std->title_en, std->version);
	printf("section:       %s\n", cl->section);
	if (std->has_levels)
		printf("level:         %d, %s\n", cl->level,
		       cl->optional ? "optional (O)" : "mandatory");
	else
		printf("level:         none (the standard has no levels), mandatory\n");
	printf("product types:");
	for (unsigned bit = 1; bit && bit <= PRODUCT_ROUTER; bit <<= 1) {
		if (cl->product_types & bit)
			printf(" %s", product_type_name((enum product_type)bit));
	}
	printf("\n");
	printf("method:        %s\n", catalog_method_name(cl->method));
	printf("applies if:    %s\n",
	       cl->applies_if ? cl->applies_if : "always (no capability makes it conditional)");
	print_indented("text (zh-TW, verbatim)", cl->text_zh);
	printf("how:           %s\n", cl->how ? cl->how : "-");
	printf("needs:         %s\n", cl->needs ? cl->needs : "-");
	printf("decision:      %s\n", cl->decision ? cl->decision : "-");
	printf("question:      %s\n", cl->manual_question ? cl->manual_question : "-");
	if (cl->check_count == 0)
		printf("checks:        none yet (planned as manual or not_tested)\n");
	else
		printf("checks:\n");
	for (size_t i = 0; i < cl->check_count; i++) {
		const struct catalog_check_ref *r = &cl->checks[i];
		printf("    %s", r->check_id);
		for (size_t j = 0; j < r->param_count; j++)
			printf("%s%s=%s", j ? ", " : " {", r->params[j].name, r->params[j].value);
		printf("%s\n", r->param_count ? "}" : "");
	}
}

static int show(const struct catalog *c, const struct catalog_args *a)
{
	size_t found = 0;
	for (size_t s = 0; s < c->standard_count; s++) {
		const struct catalog_standard *std = &c->standards[s];
		if (a->standard && strcmp(std->id, a->standard) != 0)
			continue;
		const struct catalog_clause *cl = catalog_find_clause(std, a->clause);
		if (!cl)
			continue;
		if (found)
			printf("\n");
		show_clause(std, cl);
		found++;
	}
	if (!found) {
		fprintf(stderr,
			"dutlab catalog show: no clause %s in %s; see 'dutlab catalog list%s%s'\n",
			a->clause, a->standard ? a->standard : "the catalog",
			a->standard ? " --standard " : "", a->standard ? a->standard : "");
		return 1;
	}
	return 0;
}

int cmd_catalog(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return 0;
	}
	bool is_show = strcmp(argv[1], "show") == 0;
	if (!is_show && strcmp(argv[1], "list") != 0) {
		fprintf(stderr, "dutlab catalog: '%s' is not list or show\n", argv[1]);
		usage(stderr);
		return 2;
	}
	struct catalog_args a = {0};
	int rc = parse_args(argc, argv, is_show, &a);
	if (rc)
		return rc;

	struct catalog c;
	struct dl_error err = {0};
	if (catalog_load_dir(&c, catalog_default_dir(), &err) != 0) {
		fprintf(stderr, "dutlab catalog: %s\n", err.message);
		return 2;
	}
	if (a.standard && !catalog_find_standard(&c, a.standard))
		rc = unknown_standard(&c, a.standard);
	else
		rc = is_show ? show(&c, &a) : list(&c, &a);
	catalog_release(&c);
	return rc;
}
