/* test-json-read: the typed member readers: absent keys, wrong types, NULL objects and fallbacks */
#include "core/compat.h"

#include <setjmp.h>
#include <cmocka.h>
#include <json-c/json.h>

#include "core/json-read.h"

/* One member of every JSON type, so each reader meets each wrong type. */
static const char sample[] =
	"{\"text\": \"tcp\", \"empty\": \"\", \"yes\": true, \"no\": false, \"port\": 443,"
	" \"negative\": -7, \"big\": 9007199254740993, \"ratio\": 1.5, \"quoted\": \"443\","
	" \"nothing\": null, \"list\": [1, \"two\", null], \"none\": [],"
	" \"object\": {\"inner\": \"x\"}}";

static const char *const every_key[] = {"text",     "empty", "yes",    "no",     "port",
					"negative", "big",   "ratio",  "quoted", "nothing",
					"list",     "none",  "object", "absent"};

static int setup(void **state)
{
	*state = json_tokener_parse(sample);
	return *state ? 0 : -1;
}

static int teardown(void **state)
{
	json_object_put(*state);
	return 0;
}

static void test_member(void **state)
{
	const struct json_object *o = *state;
	assert_non_null(json_read_member(o, "text"));
	assert_string_equal(json_object_get_string(json_read_member(o, "text")), "tcp");
	assert_ptr_equal(json_read_member(o, "object"), json_object_object_get(o, "object"));
	assert_null(json_read_member(o, "absent"));
	assert_null(json_read_member(o, "nothing")); /* JSON null is no object either */
	assert_null(json_read_member(NULL, "text"));
	assert_null(json_read_member(o, NULL));
	/* A non-object has no members, whatever the key. */
	assert_null(json_read_member(json_read_member(o, "list"), "text"));
	assert_null(json_read_member(json_read_member(o, "text"), "text"));
	/* Chained reads need no test in between. */
	assert_string_equal(json_read_text(json_read_member(o, "object"), "inner", "?"), "x");
	assert_string_equal(json_read_text(json_read_member(o, "absent"), "inner", "?"), "?");
}

static void test_text(void **state)
{
	const struct json_object *o = *state;
	assert_string_equal(json_read_text(o, "text", "fallback"), "tcp");
	assert_string_equal(json_read_text(o, "empty", "fallback"), "");
	assert_string_equal(json_read_text(o, "quoted", NULL), "443");
	assert_null(json_read_text(o, "absent", NULL));
	assert_string_equal(json_read_text(o, "absent", "?"), "?");
	assert_string_equal(json_read_text(NULL, "text", "?"), "?");
	/* Other types are not turned into their JSON text. */
	const char *not_text[] = {"yes", "no", "port", "ratio", "nothing", "list", "object"};
	for (size_t i = 0; i < DL_ARRAY_SIZE(not_text); i++) {
		assert_null(json_read_text(o, not_text[i], NULL));
		assert_string_equal(json_read_text(o, not_text[i], "fb"), "fb");
	}
}

static void test_booleans(void **state)
{
	const struct json_object *o = *state;
	assert_true(json_read_true(o, "yes"));
	assert_false(json_read_false(o, "yes"));
	assert_true(json_read_false(o, "no"));
	assert_false(json_read_true(o, "no"));
	/* Neither true nor false unless a boolean: "1", 443, "" and null are not. */
	for (size_t i = 0; i < DL_ARRAY_SIZE(every_key); i++) {
		const char *k = every_key[i];
		if (strcmp(k, "yes") == 0 || strcmp(k, "no") == 0)
			continue;
		assert_false(json_read_true(o, k));
		assert_false(json_read_false(o, k));
	}
	assert_false(json_read_true(NULL, "yes"));
	assert_false(json_read_false(NULL, "no"));
}

static void test_int(void **state)
{
	const struct json_object *o = *state;
	assert_int_equal(json_read_int(o, "port", -1), 443);
	assert_int_equal(json_read_int(o, "negative", 0), -7);
	assert_true(json_read_int(o, "big", 0) == INT64_C(9007199254740993));
	assert_int_equal(json_read_int(o, "absent", -1), -1);
	assert_int_equal(json_read_int(o, "absent", 0), 0);
	assert_int_equal(json_read_int(NULL, "port", 5), 5);
	/* A number in a string, a double or a boolean is not an integer. */
	const char *not_int[] = {"quoted", "ratio", "yes", "no", "nothing", "list", "object"};
	for (size_t i = 0; i < DL_ARRAY_SIZE(not_int); i++)
		assert_int_equal(json_read_int(o, not_int[i], -1), -1);
}

static void test_array_object_length(void **state)
{
	const struct json_object *o = *state;
	struct json_object *list = json_read_array(o, "list");
	assert_non_null(list);
	assert_int_equal(json_read_length(list), 3);
	assert_non_null(json_read_array(o, "none"));
	assert_int_equal(json_read_length(json_read_array(o, "none")), 0);
	assert_non_null(json_read_object(o, "object"));
	assert_null(json_read_object(o, "list"));
	assert_null(json_read_array(o, "object"));
	for (size_t i = 0; i < DL_ARRAY_SIZE(every_key); i++) {
		const char *k = every_key[i];
		if (strcmp(k, "list") != 0 && strcmp(k, "none") != 0)
			assert_null(json_read_array(o, k));
		if (strcmp(k, "object") != 0)
			assert_null(json_read_object(o, k));
	}
	assert_null(json_read_array(NULL, "list"));
	assert_null(json_read_object(NULL, "object"));
	/* The length of what is not an array is 0, never a crash. */
	assert_int_equal(json_read_length(NULL), 0);
	assert_int_equal(json_read_length(o), 0);
	assert_int_equal(json_read_length(json_read_member(o, "text")), 0);
	assert_int_equal(json_read_length(json_read_member(o, "port")), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_member, setup, teardown),
		cmocka_unit_test_setup_teardown(test_text, setup, teardown),
		cmocka_unit_test_setup_teardown(test_booleans, setup, teardown),
		cmocka_unit_test_setup_teardown(test_int, setup, teardown),
		cmocka_unit_test_setup_teardown(test_array_object_length, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
