/* test-validation: the tlsclient.validation judge on hand-written tlsclient.matrix observations */
#include "core/compat.h"

#include <setjmp.h>
#include <cmocka.h>
#include <json-c/json.h>

#include "checks/check.h"
#include "checks/tlsclient/server.h"
#include "checks/tlsclient/tlsclient.h"
#include "core/error.h"

static const char *const bad_variants[] = {
	"expired",
	"not_yet_valid",
	"wrong_host",
	"sha1_signature",
	"rsa1024",
	"wrong_eku",
	"tampered_signature",
	"revoked",
	"malformed",
	"self_signed",
	"unknown_ca",
	"tls10_11_only",
	"no_forward_secrecy",
};

static struct json_object *attempt(const char *variant, const char *expect, const char *verdict)
{
	struct json_object *a = json_object_new_object();
	json_object_object_add(a, "variant", json_object_new_string(variant));
	json_object_object_add(a, "defect", json_object_new_string("a defect"));
	json_object_object_add(a, "expect", json_object_new_string(expect));
	json_object_object_add(a, "verdict", json_object_new_string(verdict));
	if (strcmp(verdict, "accepted") == 0) {
		json_object_object_add(
			a, "request", json_object_new_string("GET /firmware/latest.json HTTP/1.1"));
		json_object_object_add(a, "version", json_object_new_string("TLSv1.3"));
	} else if (strcmp(verdict, "refused") == 0) {
		json_object_object_add(a, "client_alert", json_object_new_string("unknown CA"));
	}
	json_object_object_add(a, "evidence",
			       json_object_new_string("evidence/tlsclient/update-x.pcapng"));
	return a;
}

/* One channel: the control with control_verdict, every bad variant refused except accept_bad
 * (accepted) and missing (no_connection); NULL for none. */
static struct json_object *observation(const char *control_verdict, const char *accept_bad,
				       const char *missing)
{
	struct json_object *o = json_object_new_object(), *clients = json_object_new_array();
	struct json_object *c = json_object_new_object(), *attempts = json_object_new_array();
	json_object_object_add(o, "clients", clients);
	json_object_array_add(clients, c);
	json_object_object_add(c, "name", json_object_new_string("update"));
	struct json_object *carries = json_object_new_array();
	json_object_array_add(carries, json_object_new_string("update"));
	json_object_array_add(carries, json_object_new_string("sensitive"));
	json_object_object_add(c, "carries", carries);
	json_object_object_add(c, "attempts", attempts);
	json_object_array_add(attempts, attempt("control", "accept", control_verdict));
	for (size_t i = 0; i < DL_ARRAY_SIZE(bad_variants); i++) {
		const char *v = bad_variants[i];
		const char *verdict = "refused";
		if (accept_bad && strstr(accept_bad, v))
			verdict = "accepted";
		if (missing && strcmp(missing, v) == 0)
			verdict = "no_connection";
		json_object_array_add(attempts, attempt(v, "refuse", verdict));
	}
	return o;
}

static enum verdict judge(struct json_object *o, const char *variants, struct check_verdict *v)
{
	struct check_param p = {"variants", variants};
	struct check_params params = {.items = &p, .count = variants ? 1 : 0};
	struct dl_error err = {0};
	memset(v, 0, sizeof(*v));
	assert_int_equal(check_tlsclient_validation.judge(o, &params, NULL, v, &err), 0);
	json_object_put(o);
	return v->verdict;
}

static size_t count(const struct check_verdict *v, enum finding_severity s, const char *text)
{
	size_t n = 0;
	for (size_t i = 0; i < v->finding_count; i++)
		n += v->findings[i].severity == s && (!text || strstr(v->findings[i].text, text));
	return n;
}

static void test_pass(void **state)
{
	(void)state;
	struct check_verdict v;
	assert_int_equal(judge(observation("accepted", NULL, NULL), NULL, &v), VERDICT_PASS);
	assert_int_equal(count(&v, FINDING_PASS, "refused"), 13);
	assert_non_null(strstr(v.summary, "13"));
	check_verdict_release(&v);
}

static void test_fail_names_each_accepted(void **state)
{
	(void)state;
	struct check_verdict v;
	assert_int_equal(judge(observation("accepted", "expired self_signed", NULL), NULL, &v),
			 VERDICT_FAIL);
	assert_int_equal(count(&v, FINDING_FAIL, NULL), 2);
	assert_int_equal(count(&v, FINDING_FAIL, "accepted expired"), 1);
	assert_int_equal(count(&v, FINDING_FAIL, "accepted self_signed"), 1);
	assert_int_equal(count(&v, FINDING_FAIL, "GET /firmware/latest.json"), 2);
	assert_non_null(v.findings[1].evidence);
	check_verdict_release(&v);
}

static void test_control_not_accepted(void **state)
{
	(void)state;
	struct check_verdict v;
	assert_int_equal(judge(observation("refused", NULL, NULL), NULL, &v), VERDICT_INCONCLUSIVE);
	assert_int_equal(count(&v, FINDING_WARNING, "valid control"), 1);
	check_verdict_release(&v);
	assert_int_equal(judge(observation("no_connection", NULL, NULL), NULL, &v),
			 VERDICT_INCONCLUSIVE);
	check_verdict_release(&v);
	/* never a pass, even when every bad one was refused; a fail still shows */
	assert_int_equal(judge(observation("no_connection", "revoked", NULL), NULL, &v),
			 VERDICT_FAIL);
	check_verdict_release(&v);
}

static void test_no_connection(void **state)
{
	(void)state;
	struct check_verdict v;
	assert_int_equal(judge(observation("accepted", NULL, "revoked"), NULL, &v),
			 VERDICT_INCONCLUSIVE);
	assert_int_equal(count(&v, FINDING_WARNING, "did not connect for revoked"), 1);
	check_verdict_release(&v);
}

static void test_missing_variant(void **state)
{
	(void)state;
	struct check_verdict v;
	struct json_object *o = observation("accepted", NULL, NULL);
	struct json_object *attempts = json_object_object_get(
		json_object_array_get_idx(json_object_object_get(o, "clients"), 0), "attempts");
	/* the deadline cut the matrix before the last variant */
	json_object_array_del_idx(attempts, json_object_array_length(attempts) - 1, 1);
	assert_int_equal(judge(o, NULL, &v), VERDICT_INCONCLUSIVE);
	assert_int_equal(count(&v, FINDING_WARNING, "no_forward_secrecy was not tried"), 1);
	check_verdict_release(&v);
}

static void test_variants_param(void **state)
{
	(void)state;
	struct check_verdict v;
	/* a protocol clause ignores the certificate variants */
	assert_int_equal(judge(observation("accepted", "expired", NULL),
			       "tls10_11_only,no_forward_secrecy", &v),
			 VERDICT_PASS);
	assert_int_equal(count(&v, FINDING_PASS, NULL), 2);
	check_verdict_release(&v);
	assert_int_equal(judge(observation("accepted", "no_forward_secrecy", NULL),
			       "tls10_11_only, no_forward_secrecy", &v),
			 VERDICT_FAIL);
	check_verdict_release(&v);
}

static void test_not_applicable_and_error(void **state)
{
	(void)state;
	struct check_verdict v;
	struct json_object *o = json_object_new_object();
	json_object_object_add(o, "clients", json_object_new_array());
	/* No channel declared: dutlab cannot know there is none, so a person answers. */
	assert_int_equal(judge(o, NULL, &v), VERDICT_MANUAL);
	assert_non_null(strstr(v.summary, "declares no tls_clients channel"));
	check_verdict_release(&v);
	o = json_tokener_parse("{\"clients\": [{\"name\": \"update\", \"attempts\": [],"
			       " \"error\": \"cannot open the trusted CA\"}]}");
	assert_int_equal(judge(o, NULL, &v), VERDICT_INCONCLUSIVE);
	assert_int_equal(count(&v, FINDING_WARNING, "cannot open the trusted CA"), 1);
	check_verdict_release(&v);
}

/* carries picks the channels a clause is about; none of that kind is manual. */
static void test_carries(void **state)
{
	(void)state;
	struct check_param p[] = {{"carries", "privacy"}, {"variants", "certificates"}};
	struct check_params params = {.items = p, .count = 2};
	struct dl_error err = {0};
	struct check_verdict v;
	struct json_object *o = observation("accepted", "expired", NULL);
	memset(&v, 0, sizeof(v));
	assert_int_equal(check_tlsclient_validation.judge(o, &params, NULL, &v, &err), 0);
	assert_int_equal(v.verdict, VERDICT_MANUAL);
	assert_non_null(strstr(v.summary, "that carries privacy data"));
	check_verdict_release(&v);
	p[0].value = "update";
	memset(&v, 0, sizeof(v));
	assert_int_equal(check_tlsclient_validation.judge(o, &params, NULL, &v, &err), 0);
	assert_int_equal(v.verdict, VERDICT_FAIL);
	check_verdict_release(&v);
	p[0].value = "secrets";
	memset(&v, 0, sizeof(v));
	assert_int_equal(check_tlsclient_validation.judge(o, &params, NULL, &v, &err), DL_EINVAL);
	check_verdict_release(&v);
	json_object_put(o);
}

static void test_attempt_verdict(void **state)
{
	(void)state;
	struct tlsclient_attempt a = {.variant = FORGE_EXPIRED};
	assert_string_equal(tlsclient_attempt_verdict(&a), "no_connection");
	a.connected = true;
	assert_string_equal(tlsclient_attempt_verdict(&a), "refused");
	a.past_certificate = true; /* a key exchange alone is not acceptance... */
	assert_string_equal(tlsclient_attempt_verdict(&a), "refused");
	a.variant = FORGE_MALFORMED; /* ...except after a certificate nobody can parse */
	assert_string_equal(tlsclient_attempt_verdict(&a), "accepted");
	a.variant = FORGE_EXPIRED;
	a.application_data = true;
	assert_string_equal(tlsclient_attempt_verdict(&a), "accepted");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pass),
		cmocka_unit_test(test_fail_names_each_accepted),
		cmocka_unit_test(test_control_not_accepted),
		cmocka_unit_test(test_no_connection),
		cmocka_unit_test(test_missing_variant),
		cmocka_unit_test(test_variants_param),
		cmocka_unit_test(test_not_applicable_and_error),
		cmocka_unit_test(test_attempt_verdict),
		cmocka_unit_test(test_carries),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
