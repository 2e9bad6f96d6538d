/* test-markup: UTF-8 repair, HTML/XML escaping, URL paths and safe evidence paths */
#include "core/compat.h"

#include <setjmp.h>
#include <cmocka.h>

#include "report/markup.h"

static char *escaped(void (*writer)(FILE *, const char *), const char *text)
{
	char *buf = NULL;
	size_t size = 0;
	FILE *out = open_memstream(&buf, &size);
	assert_non_null(out);
	writer(out, text);
	assert_int_equal(fclose(out), 0);
	return buf;
}

static void test_utf8_dup(void **state)
{
	(void)state;
	static const struct {
		const char *in, *out;
	} cases[] = {
		{"plain", "plain"},
		{"資安 ok", "資安 ok"},
		{"bad \xff byte", "bad \xef\xbf\xbd byte"},
		{"cut \xe8\xb3", "cut \xef\xbf\xbd\xef\xbf\xbd"},
		{"overlong \xc0\xaf", "overlong \xef\xbf\xbd\xef\xbf\xbd"},
		{"surrogate \xed\xa0\x80", "surrogate \xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"},
		{"nonchar \xef\xbf\xbe", "nonchar \xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"},
		{"beyond \xf4\x90\x80\x80",
		 "beyond \xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"},
		{"emoji \xf0\x9f\x93\xb7", "emoji \xf0\x9f\x93\xb7"},
		{"", ""},
	};
	for (size_t i = 0; i < DL_ARRAY_SIZE(cases); i++) {
		char *got = markup_utf8_dup(cases[i].in);
		assert_non_null(got);
		assert_string_equal(got, cases[i].out);
		free(got);
	}
	assert_null(markup_utf8_dup(NULL));
}

static void test_escape(void **state)
{
	(void)state;
	char *got = escaped(markup_escape, "<script>alert('x')</script> & \"q\"");
	assert_string_equal(got,
			    "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;");
	free(got);
	got = escaped(markup_escape, "tab\there\nbell\x07 esc\x1b del\x7f");
	assert_string_equal(got, "tab\there\nbell\xef\xbf\xbd esc\xef\xbf\xbd del\xef\xbf\xbd");
	free(got);
	got = escaped(markup_escape, NULL);
	assert_string_equal(got, "");
	free(got);
}

static void test_url_path(void **state)
{
	(void)state;
	char *got = escaped(markup_url_path, "evidence/scan 1.pcapng");
	assert_string_equal(got, "evidence/scan%201.pcapng");
	free(got);
	got = escaped(markup_url_path, "evidence/\"><x>#?.txt");
	assert_string_equal(got, "evidence/%22%3E%3Cx%3E%23%3F.txt");
	free(got);
	got = escaped(markup_url_path, "evidence/資.txt");
	assert_string_equal(got, "evidence/%E8%B3%87.txt");
	free(got);
}

static void test_path_is_safe(void **state)
{
	(void)state;
	assert_true(markup_path_is_safe("evidence/scan.pcapng"));
	assert_true(markup_path_is_safe("evidence/tcp/198.18.1.2.txt"));
	assert_true(markup_path_is_safe("evidence/..hidden"));
	assert_false(markup_path_is_safe("/etc/passwd"));
	assert_false(markup_path_is_safe("evidence/../../etc/passwd"));
	assert_false(markup_path_is_safe(".."));
	assert_false(markup_path_is_safe("./evidence/x"));
	assert_false(markup_path_is_safe("evidence//x"));
	assert_false(markup_path_is_safe("evidence/x/"));
	assert_false(markup_path_is_safe("evidence\\x"));
	assert_false(markup_path_is_safe(""));
	assert_false(markup_path_is_safe(NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_utf8_dup),
		cmocka_unit_test(test_escape),
		cmocka_unit_test(test_url_path),
		cmocka_unit_test(test_path_is_safe),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
