/* html-form: a login page's <form> elements and <input> fields (HTML Living Standard 4.10) */
#ifndef DUTLAB_PROTO_HTML_FORM_H
#define DUTLAB_PROTO_HTML_FORM_H

/*
 * Not an HTML parser: a tag scanner that finds what a login page's forms
 * ask for, for the http-form login driver (the CSRF token, the field names)
 * and the masking check (NCC 5.3.1.5: is the password input
 * type=password?). It reads start and end tags with their attributes,
 * skips comments and the content of <script>, <style>, <textarea> and
 * <title>, and decodes character references in attribute values. Inputs
 * outside any <form> (pages built by JavaScript) land in one implicit form.
 * Everything is bounded: a page larger than HTML_FORM_INPUT_MAX bytes is
 * read up to there, and copies are cut at their buffer with a flag.
 */

#include <stdbool.h>
#include <stddef.h>

struct dl_error;

#define HTML_FORM_INPUT_MAX (1024 * 1024) /* bytes of page read */
#define HTML_FORMS_MAX 8
#define HTML_INPUTS_MAX 32
#define HTML_NAME_MAX 64
#define HTML_VALUE_MAX 512
#define HTML_ATTRIBUTE_MAX 256

struct html_input {
	char type[16]; /* lowercased; "text" when absent (HTML's default) */
	char name[HTML_NAME_MAX];
	char id[HTML_NAME_MAX];
	char value[HTML_VALUE_MAX]; /* character references decoded */
	char autocomplete[32];      /* lowercased, as written */
	bool has_value;
	bool truncated; /* a value or name was longer than its buffer */
	size_t offset;  /* of the '<' of the tag in the page */
};

struct html_form {
	char action[HTML_ATTRIBUTE_MAX]; /* as written, decoded; empty when absent */
	char method[8];                  /* lowercased; "get" when absent */
	char id[HTML_NAME_MAX];
	char autocomplete[32];
	bool implicit; /* not a <form>: the inputs found outside any */
	struct html_input inputs[HTML_INPUTS_MAX];
	size_t input_count;
	size_t inputs_dropped; /* beyond HTML_INPUTS_MAX */
};

struct html_forms {
	struct html_form forms[HTML_FORMS_MAX];
	size_t form_count;
	size_t forms_dropped; /* beyond HTML_FORMS_MAX */
	size_t tags_seen;
	bool page_truncated; /* the page was longer than HTML_FORM_INPUT_MAX */
};

/* Find the forms of page into *out (the caller's; about 190 KiB, so heap).
 * Never fails on malformed HTML (browsers do not either); DL_EINVAL only
 * for NULL arguments. */
int html_form_parse(const char *page, size_t length, struct html_forms *out, struct dl_error *err);

/* The input named name in form (case-sensitive, as browsers submit), or NULL. */
const struct html_input *html_form_input(const struct html_form *form, const char *name);

/* The first form with an input of type password, or NULL. */
const struct html_form *html_forms_login(const struct html_forms *forms);

/* The first input of type password in form, or NULL. */
const struct html_input *html_form_password_input(const struct html_form *form);

#endif
