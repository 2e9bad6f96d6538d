/* test-html-form: login pages' forms and inputs: CSRF tokens, password fields, formless pages */
#include "core/compat.h"

#include <setjmp.h>
#include <cmocka.h>

#include "core/error.h"
#include "proto/html-form.h"

static struct html_forms *parse(const char *page)
{
	struct html_forms *forms = malloc(sizeof(*forms));
	assert_non_null(forms);
	struct dl_error err = {0};
	assert_int_equal(html_form_parse(page, strlen(page), forms, &err), 0);
	return forms;
}

/* A login form with a CSRF token, among a decoy in a script, a comment and a second form. */
static void test_login_with_csrf(void **state)
{
	(void)state;
	struct html_forms *forms = parse(
		"<!DOCTYPE html><html><head><title>Login <form></title>\n"
		"<script>var s = \"<input type=password name=fake>\";</script></head>\n"
		"<body><!-- <form action=/old><input type=password name=old> -->\n"
		"<form action=\"/login?next=%2F&amp;x=1\" method=POST id=login "
		"autocomplete=\"off\">\n"
		"<input type=\"hidden\" name=\"csrf_token\" value=\"a1b2&#x43;&#68;&quot;e\">\n"
		"<input name=user autocomplete=username>\n"
		"<INPUT TYPE=\"Password\" NAME='pass' autocomplete=\"current-password\"/>\n"
		"<input type=submit value=\"Log in\">\n"
		"</form>\n"
		"<form action=/search><input type=text name=q></form></body></html>\n");
	assert_int_equal(forms->form_count, 2);
	const struct html_form *login = html_forms_login(forms);
	assert_ptr_equal(login, &forms->forms[0]);
	assert_string_equal(login->action, "/login?next=%2F&x=1");
	assert_string_equal(login->method, "post");
	assert_string_equal(login->id, "login");
	assert_string_equal(login->autocomplete, "off");
	assert_false(login->implicit);
	assert_int_equal(login->input_count, 4);
	const struct html_input *csrf = html_form_input(login, "csrf_token");
	assert_non_null(csrf);
	assert_string_equal(csrf->type, "hidden");
	assert_string_equal(csrf->value, "a1b2CD\"e");
	assert_true(csrf->has_value);
	const struct html_input *user = html_form_input(login, "user");
	assert_string_equal(user->type, "text"); /* HTML's default */
	assert_string_equal(user->autocomplete, "username");
	assert_false(user->has_value);
	const struct html_input *pass = html_form_password_input(login);
	assert_non_null(pass);
	assert_string_equal(pass->name, "pass");
	assert_string_equal(pass->type, "password");
	assert_string_equal(pass->autocomplete, "current-password");
	assert_null(html_form_input(login, "fake"));
	assert_null(html_form_input(login, "old"));
	assert_null(html_form_password_input(&forms->forms[1]));
	free(forms);
}

/* Cockpit-style: the inputs are not in a form; a textarea's content is not markup. */
static void test_inputs_outside_forms(void **state)
{
	(void)state;
	struct html_forms *forms = parse(
		"<div id=\"login\"><label>User <input id=\"login-user-input\" type=\"text\" "
		"autocomplete=\"username\"></label>\n"
		"<label>Password <input id=\"login-password-input\" type=\"password\"></label>\n"
		"<textarea><input type=password name=notreal></textarea>\n"
		"<button id=\"login-button\">Log In</button></div>\n");
	assert_int_equal(forms->form_count, 1);
	assert_true(forms->forms[0].implicit);
	assert_int_equal(forms->forms[0].input_count, 2);
	const struct html_input *pass = html_form_password_input(html_forms_login(forms));
	assert_non_null(pass);
	assert_string_equal(pass->id, "login-password-input");
	assert_string_equal(pass->name, "");
	free(forms);
}

/* NCC 5.3.1.5's failure: the password typed into a text input. */
static void test_password_in_text_input(void **state)
{
	(void)state;
	struct html_forms *forms = parse(
		"<form method=\"post\" action=\"/cgi-bin/login\"><input type=text name=username>"
		"<input type=text name=password value=\"\"><input type=submit></form>");
	assert_int_equal(forms->form_count, 1);
	assert_null(html_forms_login(forms));
	const struct html_input *pass = html_form_input(&forms->forms[0], "password");
	assert_non_null(pass);
	assert_string_equal(pass->type, "text");
	assert_true(pass->has_value);
	assert_string_equal(pass->value, "");
	free(forms);
}

/* Broken markup and bad references never fail; ceilings are counted. */
static void test_malformed_and_limits(void **state)
{
	(void)state;
	struct html_forms *forms = parse("<form><input type=\"hidden\" name=\"a\" "
					 "value=\"&#1114112;&#xD800;&#0;&amp&#x41;\"><input "
					 "name=b value='unterminated");
	assert_int_equal(forms->form_count, 1);
	assert_int_equal(forms->forms[0].input_count, 2);
	/* Out-of-range and surrogate references become U+FFFD; "&amp" without ';' stays. */
	assert_string_equal(forms->forms[0].inputs[0].value,
			    "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd&ampA");
	assert_string_equal(forms->forms[0].inputs[1].value, "unterminated");
	free(forms);

	size_t size = 64 * 1024, used = 0;
	char *page = malloc(size);
	assert_non_null(page);
	for (int i = 0; i < 10; i++)
		used += (size_t)snprintf(page + used, size - used, "<form id=f%d>", i);
	for (int i = 0; i < 40; i++)
		used += (size_t)snprintf(page + used, size - used, "<input name=i%d>", i);
	snprintf(page + used, size - used, "<input name=\"%0600d\" value=\"%0700d\">", 1, 2);
	forms = parse(page);
	assert_int_equal(forms->form_count, 1); /* nested forms are ignored, like browsers do */
	assert_int_equal(forms->forms[0].input_count, HTML_INPUTS_MAX);
	assert_int_equal(forms->forms[0].inputs_dropped, 9);
	free(forms);
	used = 0;
	for (int i = 0; i < 10; i++)
		used += (size_t)snprintf(page + used, size - used,
					 "<form id=f%d><input name=x%d></form>", i, i);
	snprintf(page + used, size - used, "<input name=\"%0100d\" value=\"%0700d\">", 1, 2);
	forms = parse(page);
	assert_int_equal(forms->form_count, HTML_FORMS_MAX);
	assert_int_equal(forms->forms_dropped, 3); /* two <form>s and the implicit one */
	free(forms);
	free(page);

	struct html_forms *empty = malloc(sizeof(*empty));
	assert_non_null(empty);
	assert_int_equal(html_form_parse("", 0, empty, NULL), 0);
	assert_int_equal(empty->form_count, 0);
	assert_int_equal(html_form_parse(NULL, 1, empty, NULL), DL_EINVAL);
	free(empty);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_login_with_csrf),
		cmocka_unit_test(test_inputs_outside_forms),
		cmocka_unit_test(test_password_in_text_input),
		cmocka_unit_test(test_malformed_and_limits),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
