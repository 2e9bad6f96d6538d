/* test-yaml: the YAML module reports every value, key and syntax error at its file:line:column */
#include "core/compat.h"

#include <setjmp.h>
#include <cmocka.h>
#include <fcntl.h>
#include <libfyaml.h>
#include <unistd.h>

#include "core/error.h"
#include "core/yaml.h"

static const char sample[] = "name: cam\n"     /* 1 */
			     "ports:\n"        /* 2 */
			     "  - 80\n"        /* 3 */
			     "  - \"443\"\n"   /* 4 */
			     "empty:\n"        /* 5 */
			     "nested:\n"       /* 6 */
			     "  key: value\n"  /* 7 */
			     "flow: {a: 1}\n"; /* 8 */

/* The text route, as the profile loader takes it: check, scan, parse. */
static int parse(struct yaml_doc *doc, const char *text, struct dl_error *err)
{
	*doc = (struct yaml_doc){
		.file = "t.yaml", .what = "test", .text = text, .length = strlen(text), .err = err};
	int rc = yaml_check_text(doc);
	if (!rc)
		rc = yaml_scan(doc);
	if (!rc)
		rc = yaml_parse(doc);
	return rc;
}

static struct yaml_value root_of(const struct yaml_doc *doc)
{
	struct yaml_value root = {.node = fy_document_root(doc->document), .path = ""};
	root.at = yaml_pos(doc, root.node, (struct yaml_pos){1, 1});
	return root;
}

static void assert_at(struct yaml_pos at, int line, int column)
{
	if (at.line != line || at.column != column)
		fail_msg("at %d:%d, expected %d:%d", at.line, at.column, line, column);
}

static void test_positions(void **state)
{
	(void)state;
	struct dl_error err = {0};
	struct yaml_doc doc;
	assert_int_equal(parse(&doc, sample, &err), 0);
	struct yaml_value root = root_of(&doc), v, item;
	bool present = false;
	assert_at(root.at, 1, 1);

	/* a scalar */
	assert_int_equal(yaml_child(&doc, &root, "name", true, &v, &present), 0);
	assert_true(present);
	assert_at(v.at, 1, 7);
	assert_string_equal(v.path, "name");

	/* a sequence item, quoted: the opening quote */
	assert_int_equal(yaml_child(&doc, &root, "ports", true, &v, NULL), 0);
	assert_int_equal(yaml_sequence(&doc, &v, true), 0);
	assert_at(v.at, 3, 3);
	void *iterator = NULL;
	struct fy_node *node = fy_node_sequence_iterate(v.node, &iterator);
	node = fy_node_sequence_iterate(v.node, &iterator);
	yaml_item(&doc, &v, node, 1, &item);
	assert_at(item.at, 4, 5);
	assert_string_equal(item.path, "ports[1]");
	long number = 0;
	assert_int_equal(yaml_integer(&doc, &item, 1, 65535, &number), DL_EINVAL);
	assert_string_equal(err.message, "t.yaml:4:5: ports[1]: found '443'; expected an integer "
					 "from 1 to 65535");

	/* an empty value: at its key */
	assert_int_equal(yaml_child(&doc, &root, "empty", true, &v, &present), 0);
	assert_true(present);
	assert_true(yaml_is_null(v.node));
	assert_at(v.at, 5, 1);
	char *text = NULL;
	assert_int_equal(yaml_string(&doc, &v, 0, &text), DL_EINVAL);
	assert_string_equal(err.message, "t.yaml:5:1: empty: found nothing; expected a string");

	/* a mapping value, block and flow */
	struct yaml_value nested;
	assert_int_equal(yaml_child(&doc, &root, "nested", true, &nested, NULL), 0);
	assert_int_equal(yaml_child(&doc, &nested, "key", true, &v, NULL), 0);
	assert_at(v.at, 7, 8);
	assert_string_equal(v.path, "nested.key");
	assert_int_equal(yaml_string(&doc, &v, 0, &text), 0);
	assert_string_equal(text, "value");
	free(text);
	assert_int_equal(yaml_child(&doc, &root, "flow", true, &v, NULL), 0);
	assert_at(v.at, 8, 7);

	/* a required key that is missing: at the mapping */
	assert_int_equal(yaml_child(&doc, &nested, "other", true, &v, NULL), DL_EINVAL);
	assert_string_equal(err.message,
			    "t.yaml:7:3: nested: found no 'other'; expected a 'other:' key here");
	yaml_release(&doc);
}

static void test_unknown_key(void **state)
{
	(void)state;
	static const char *const allowed[] = {"name", "ports", "nested", "flow", NULL};
	struct dl_error err = {0};
	struct yaml_doc doc;
	assert_int_equal(parse(&doc, sample, &err), 0);
	struct yaml_value root = root_of(&doc);
	assert_int_equal(yaml_mapping(&doc, &root, allowed), DL_EINVAL);
	assert_string_equal(err.message, "t.yaml:5:1: found the unknown key 'empty'; expected one "
					 "of: name, ports, nested, flow");
	assert_int_equal(yaml_mapping(&doc, &root, NULL), 0);
	yaml_release(&doc);

	char list[64];
	yaml_join(list, sizeof(list), allowed, 4, " or ");
	assert_string_equal(list, "name, ports, nested or flow");
	yaml_join(list, sizeof(list), allowed, 1, " or ");
	assert_string_equal(list, "name");
}

static void test_bounded_string(void **state)
{
	(void)state;
	char text[YAML_STRING_MAX + 64];
	int n = snprintf(text, sizeof(text), "long: ");
	memset(text + n, 'x', YAML_STRING_MAX + 1);
	snprintf(text + n + YAML_STRING_MAX + 1, sizeof(text) - (size_t)n - YAML_STRING_MAX - 1,
		 "\nname: 'a b'\nok: 'fine'\n");
	struct dl_error err = {0};
	struct yaml_doc doc;
	assert_int_equal(parse(&doc, text, &err), 0);
	struct yaml_value root = root_of(&doc), v;
	char *out = NULL;

	assert_int_equal(yaml_child(&doc, &root, "long", true, &v, NULL), 0);
	assert_int_equal(yaml_string(&doc, &v, 0, &out), DL_EINVAL);
	assert_string_equal(
		err.message,
		"t.yaml:1:7: long: found a string of 4097 bytes; expected at most 4096");

	assert_int_equal(yaml_child(&doc, &root, "name", true, &v, NULL), 0);
	assert_int_equal(yaml_string(&doc, &v, YAML_NAME, &out), DL_EINVAL);
	assert_string_equal(err.message, "t.yaml:2:7: name: found 'a b'; expected a name made of "
					 "letters, digits, '_', '-' and '.'");
	assert_int_equal(yaml_string(&doc, &v, 0, &out), 0);
	assert_string_equal(out, "a b");
	free(out);

	bool flag;
	assert_int_equal(yaml_child(&doc, &root, "ok", true, &v, NULL), 0);
	assert_int_equal(yaml_bool(&doc, &v, &flag), DL_EINVAL);
	assert_string_equal(err.message, "t.yaml:3:5: ok: found 'fine'; expected true or false");
	yaml_release(&doc);
}

static void test_syntax_error(void **state)
{
	(void)state;
	struct dl_error err = {0};
	struct yaml_doc doc;
	assert_int_equal(parse(&doc, "a: 1\nb: [1, 2\nc: 3\n", &err), DL_EINVAL);
	assert_string_equal(err.message, "t.yaml:4:1: found invalid YAML (flow sequence without a "
					 "closing bracket); expected well-formed YAML");
	yaml_release(&doc);

	assert_int_equal(parse(&doc, "a: 1\nb: c: d\n", &err), DL_EINVAL);
	assert_string_equal(err.message, "t.yaml:2:5: found invalid YAML (invalid nested block "
					 "mapping on the same line); expected well-formed YAML");
	yaml_release(&doc);

	assert_int_equal(parse(&doc, "a: 1\na: 2\n", &err), DL_EINVAL);
	assert_string_equal(err.message, "t.yaml:2:1: found a key that is already set in this "
					 "mapping; expected each key once");
	yaml_release(&doc);

	assert_int_equal(parse(&doc, "a: 1\nb: \x01\n", &err), DL_EINVAL);
	assert_string_equal(err.message, "t.yaml:2:4: found the control character U+0001; "
					 "expected printable UTF-8 text (is this a binary file?)");
	yaml_release(&doc);

	assert_int_equal(parse(&doc, "a: 1\n---\nb: 2\n", &err), 0);
	assert_at(doc.second_document, 2, 1);
	yaml_release(&doc);
}

/* The file route, as the catalog loader takes it. */
static void test_file(void **state)
{
	(void)state;
	char path[] = "/tmp/dutlab-test-yaml-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	static const char text[] = "a:\n  b: [1, 2\n  c: 3\n";
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	struct dl_error err = {0};
	struct yaml_doc doc = {.file = path, .what = "test", .err = &err};
	assert_int_equal(yaml_load_file(&doc), DL_EINVAL);
	yaml_release(&doc);
	char expected[128];
	snprintf(expected, sizeof(expected),
		 "%s:4:1: flow sequence without a closing bracket; expected valid YAML", path);
	assert_string_equal(err.message, expected);

	fd = open(path, O_WRONLY | O_TRUNC);
	assert_true(fd >= 0);
	static const char good[] = "a:\n  b: [1, 2]\n  c: 'x'\nd: {}\n";
	assert_int_equal(write(fd, good, strlen(good)), (ssize_t)strlen(good));
	close(fd);
	doc = (struct yaml_doc){.file = path, .what = "test", .err = &err};
	assert_int_equal(yaml_load_file(&doc), 0);
	struct fy_node *root = fy_document_root(doc.document);
	struct fy_node *a = fy_node_mapping_lookup_by_string(root, "a", 1);
	assert_at(yaml_token_pos(root), 1, 1);
	assert_at(yaml_token_pos(a), 2, 3);
	assert_at(yaml_token_pos(fy_node_mapping_lookup_by_string(a, "c", 1)), 3, 7);
	assert_at(yaml_token_pos(fy_node_mapping_lookup_by_string(root, "d", 1)), 0, 0);
	assert_string_equal(yaml_kind(a), "a mapping");
	yaml_release(&doc);
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_positions),      cmocka_unit_test(test_unknown_key),
		cmocka_unit_test(test_bounded_string), cmocka_unit_test(test_syntax_error),
		cmocka_unit_test(test_file),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
