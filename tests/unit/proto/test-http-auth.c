/* test-http-auth: WWW-Authenticate challenge lists from RFC 7235, RFC 7616 and real servers */
#include "core/compat.h"

#include <setjmp.h>
#include <cmocka.h>

#include "core/error.h"
#include "proto/http-auth.h"

static int parse(const char *value, struct http_auth_challenges *list, struct dl_error *err)
{
	return http_auth_parse(value, strlen(value), list, err);
}

/* lighttpd 1.4.69 mod_auth, as tests/lab/adapters/http-drivers.sh sees it. */
static void test_lighttpd_digest(void **state)
{
	(void)state;
	struct http_auth_challenges list = {0};
	struct dl_error err = {0};
	assert_int_equal(parse("Digest realm=\"dutlab digest\", charset=\"UTF-8\", algorithm=MD5, "
			       "nonce=\"6b075318:5c93a7e0575aa15d33bffae0cee38f7a\", qop=\"auth\"",
			       &list, &err),
			 0);
	assert_int_equal(list.count, 1);
	const struct http_auth_challenge *c = http_auth_find(&list, "digest");
	assert_non_null(c);
	assert_string_equal(c->scheme, "Digest");
	assert_string_equal(c->realm, "dutlab digest");
	assert_string_equal(c->charset, "UTF-8");
	assert_string_equal(c->algorithm, "MD5");
	assert_string_equal(c->nonce, "6b075318:5c93a7e0575aa15d33bffae0cee38f7a");
	assert_int_equal(c->qops, HTTP_AUTH_QOP_AUTH);
	assert_true(c->has_realm && c->has_nonce && c->has_qop);
	assert_false(c->stale);
	assert_int_equal(c->param_count, 5);
	assert_int_equal(c->other_params, 0);
	assert_null(http_auth_find(&list, "Basic"));
}

/* RFC 7235 4.1's example: two challenges in one value, an escaped quote in a parameter. */
static void test_rfc7235_example(void **state)
{
	(void)state;
	struct http_auth_challenges list = {0};
	struct dl_error err = {0};
	assert_int_equal(
		parse("Newauth realm=\"apps\", type=1,\n"
		      "                       title=\"Login to \\\"apps\\\"\", Basic "
		      "realm=\"simple\"",
		      &list, &err),
		DL_EPROTO); /* a raw newline is not OWS: obs-fold is gone (RFC 7230 3.2.4) */
	memset(&list, 0, sizeof(list));
	assert_int_equal(parse("Newauth realm=\"apps\", type=1, title=\"Login to \\\"apps\\\"\", "
			       "Basic realm=\"simple\"",
			       &list, &err),
			 0);
	assert_int_equal(list.count, 2);
	assert_string_equal(list.items[0].scheme, "Newauth");
	assert_string_equal(list.items[0].realm, "apps");
	assert_int_equal(list.items[0].param_count, 3);
	assert_int_equal(list.items[0].other_params, 2); /* type, title */
	assert_string_equal(list.items[1].scheme, "Basic");
	assert_string_equal(list.items[1].realm, "simple");
}

/* RFC 7616 3.9.1: SHA-256 and MD5 offered in two header lines, appended to one list. */
static void test_rfc7616_two_lines(void **state)
{
	(void)state;
	struct http_auth_challenges list = {0};
	struct dl_error err = {0};
	assert_int_equal(parse("Digest realm=\"http-auth@example.org\", qop=\"auth, auth-int\", "
			       "algorithm=SHA-256, "
			       "nonce=\"7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v\", "
			       "opaque=\"FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS\"",
			       &list, &err),
			 0);
	assert_int_equal(
		parse("Digest realm=\"http-auth@example.org\", qop=\"auth, auth-int\", "
		      "algorithm=MD5, nonce=\"7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v\"",
		      &list, &err),
		0);
	assert_int_equal(list.count, 2);
	assert_string_equal(list.items[0].algorithm, "SHA-256");
	assert_string_equal(list.items[0].opaque, "FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS");
	assert_int_equal(list.items[0].qops, HTTP_AUTH_QOP_AUTH | HTTP_AUTH_QOP_AUTH_INT);
	assert_string_equal(list.items[1].algorithm, "MD5");
	assert_string_equal(list.items[1].opaque, "");
}

/* token68 challenges (Negotiate), a bare scheme, flags and a duplicate parameter. */
static void test_token68_and_flags(void **state)
{
	(void)state;
	struct http_auth_challenges list = {0};
	struct dl_error err = {0};
	assert_int_equal(parse("Negotiate YIIBzAYGKwYBBQUCoA==, NTLM, Digest realm=\"cam\", "
			       "nonce=\"abc\", stale=TRUE, userhash=true, realm=\"other\", "
			       "qop=\"auth,x-custom\"",
			       &list, &err),
			 0);
	assert_int_equal(list.count, 3);
	assert_string_equal(list.items[0].token68, "YIIBzAYGKwYBBQUCoA==");
	assert_string_equal(list.items[1].scheme, "NTLM");
	assert_int_equal(list.items[1].param_count, 0);
	const struct http_auth_challenge *d = &list.items[2];
	assert_true(d->stale);
	assert_true(d->userhash);
	assert_string_equal(d->realm, "cam"); /* the first of two */
	assert_int_equal(d->duplicate_params, 1);
	assert_int_equal(d->qops, HTTP_AUTH_QOP_AUTH | HTTP_AUTH_QOP_OTHER);
	/* Token values and spaces around '=' (BWS). */
	memset(&list, 0, sizeof(list));
	assert_int_equal(parse("Basic realm = simple , charset=UTF-8", &list, &err), 0);
	assert_string_equal(list.items[0].realm, "simple");
	assert_string_equal(list.items[0].charset, "UTF-8");
}

/* Broken values: a reason and an offset, and what parsed before stays. */
static void test_malformed(void **state)
{
	(void)state;
	static const struct {
		const char *value;
		const char *phrase;
	} cases[] = {
		{"Digest realm=\"unterminated", "unterminated quoted-string"},
		{"Digest realm= ", "a parameter without a value"},
		{"Digest realm=, nonce=x", "neither a token nor a quoted-string"},
		{"Digest realm=\"a\" nonce=\"b\"", "not followed by a comma"},
		{"Digest realm=\"a\x01\"", "control character"},
		{"Digest realm=\"a\\", "ends in a backslash"},
		{"\"quoted\"", "expected an authentication scheme"},
		{"Basic\"x\"", "a scheme not followed by a space"},
		{"Digest realm=@", "neither a token nor a quoted-string"},
	};
	for (size_t i = 0; i < DL_ARRAY_SIZE(cases); i++) {
		struct http_auth_challenges list = {0};
		struct dl_error err = {0};
		assert_int_equal(parse(cases[i].value, &list, &err), DL_EPROTO);
		if (!strstr(err.message, cases[i].phrase))
			print_error("%s: %s\n", cases[i].value, err.message);
		assert_non_null(strstr(err.message, cases[i].phrase));
		assert_non_null(strstr(err.message, "offset"));
	}
	struct http_auth_challenges list = {0};
	struct dl_error err = {0};
	assert_int_equal(parse("Basic realm=\"ok\", Digest realm=\"broken", &list, &err),
			 DL_EPROTO);
	assert_int_equal(list.count, 2);
	assert_string_equal(list.items[0].realm, "ok");
}

/* Ceilings: more challenges than kept, a value longer than its buffer, an empty list. */
static void test_limits(void **state)
{
	(void)state;
	struct http_auth_challenges list = {0};
	struct dl_error err = {0};
	char text[HTTP_AUTH_HEADER_MAX + 2];
	size_t used = 0;
	for (int i = 0; i < 12; i++)
		used += (size_t)snprintf(text + used, sizeof(text) - used, "%sS%d realm=r%d",
					 i ? ", " : "", i, i);
	assert_int_equal(parse(text, &list, &err), 0);
	assert_int_equal(list.count, HTTP_AUTH_CHALLENGES_MAX);
	assert_int_equal(list.dropped, 4);
	memset(&list, 0, sizeof(list));
	used = (size_t)snprintf(text, sizeof(text), "Digest nonce=\"");
	memset(text + used, 'n', 1000);
	snprintf(text + used + 1000, sizeof(text) - used - 1000, "\"");
	assert_int_equal(parse(text, &list, &err), 0);
	assert_true(list.items[0].truncated);
	assert_int_equal(strlen(list.items[0].nonce), HTTP_AUTH_VALUE_MAX - 1);
	memset(&list, 0, sizeof(list));
	assert_int_equal(parse(" , ,", &list, &err), 0);
	assert_int_equal(list.count, 0);
	memset(text, 'a', HTTP_AUTH_HEADER_MAX + 1);
	text[HTTP_AUTH_HEADER_MAX + 1] = '\0';
	assert_int_equal(parse(text, &list, &err), DL_EPROTO);
	assert_int_equal(http_auth_parse(NULL, 3, &list, &err), DL_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lighttpd_digest),   cmocka_unit_test(test_rfc7235_example),
		cmocka_unit_test(test_rfc7616_two_lines), cmocka_unit_test(test_token68_and_flags),
		cmocka_unit_test(test_malformed),         cmocka_unit_test(test_limits),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
