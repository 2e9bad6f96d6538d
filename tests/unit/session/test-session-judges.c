/* test-session-judges: the session.tokens, session.idle-timeout and auth.replay judges on canned
 * observations, and the token decoder */
#include "core/compat.h"

#include <setjmp.h>
#include <cmocka.h>
#include <json-c/json.h>
#include <openssl/sha.h>

#include "checks/check.h"
#include "checks/session/token-decode.h"
#include "core/error.h"

/* ---- helpers ---- */

static struct check_verdict *judge(const char *check_id, struct json_object *observation,
				   const struct check_param *params, size_t param_count)
{
	const struct check *c = check_find(check_id);
	assert_non_null(c);
	struct check_verdict *v = calloc(1, sizeof(*v));
	assert_non_null(v);
	struct check_params p = {.items = params, .count = param_count};
	struct dl_error err = {0};
	int rc = c->judge(observation, &p, NULL, v, &err);
	if (rc)
		fail_msg("%s: %s", check_id, err.message);
	json_object_put(observation);
	print_message("    %s: %s\n", verdict_name(v->verdict), v->summary);
	return v;
}

static void verdict_free(struct check_verdict *v)
{
	check_verdict_release(v);
	free(v);
}

static bool finding_has(const struct check_verdict *v, enum finding_severity s, const char *text)
{
	for (size_t i = 0; i < v->finding_count; i++)
		if (v->findings[i].severity == s && strstr(v->findings[i].text, text))
			return true;
	return false;
}

static void expect(const struct check_verdict *v, enum verdict verdict, const char *summary_part)
{
	if (v->verdict != verdict)
		fail_msg("verdict %s, expected %s: %s", verdict_name(v->verdict),
			 verdict_name(verdict), v->summary);
	if (summary_part && !strstr(v->summary, summary_part))
		fail_msg("summary lacks '%s': %s", summary_part, v->summary);
}

static struct json_object *parse(const char *text)
{
	struct json_object *o = json_tokener_parse(text);
	assert_non_null(o);
	return o;
}

static struct json_object *response(const char *outcome, int status)
{
	struct json_object *r = json_object_new_object();
	json_object_object_add(r, "outcome", json_object_new_string(outcome));
	json_object_object_add(r, "status", json_object_new_int(status));
	json_object_object_add(r, "fingerprint", json_object_new_string("f"));
	json_object_object_add(r, "excerpt", json_object_new_string(""));
	return r;
}

/* ---- session tokens ---- */

/* Reproducible random bytes: SHA-256 of (seed, counter). */
static void random_bytes(uint32_t seed, uint32_t counter, unsigned char out[32])
{
	unsigned char in[8];
	memcpy(in, &seed, 4);
	memcpy(in + 4, &counter, 4);
	SHA256(in, sizeof(in), out);
}

enum token_kind { COCKPIT, COUNTER, DUPLICATES };

/* Cockpit's cookie: base64("v=2;k=" + 64 hex digits of an HMAC). */
static void make_token(enum token_kind kind, uint32_t i, char *out, size_t size)
{
	static const char b64[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char text[80];
	if (kind == COUNTER) {
		snprintf(out, size, "sess%010u", 4000000u + i);
		return;
	}
	unsigned char r[32];
	random_bytes(7, kind == DUPLICATES ? i % 600 : i, r);
	int n = snprintf(text, sizeof(text), "v=2;k=");
	for (int k = 0; k < 32; k++)
		n += snprintf(text + n, sizeof(text) - (size_t)n, "%02x", r[k]);
	size_t len = (size_t)n, o = 0;
	for (size_t k = 0; k < len; k += 3) {
		uint32_t v = (uint32_t)(unsigned char)text[k] << 16;
		if (k + 1 < len)
			v |= (uint32_t)(unsigned char)text[k + 1] << 8;
		if (k + 2 < len)
			v |= (unsigned char)text[k + 2];
		out[o++] = b64[(v >> 18) & 63];
		out[o++] = b64[(v >> 12) & 63];
		out[o++] = k + 1 < len ? b64[(v >> 6) & 63] : '=';
		out[o++] = k + 2 < len ? b64[v & 63] : '=';
	}
	out[o] = '\0';
	assert_true(o < size);
}

struct token_obs {
	enum token_kind kind;
	size_t count;
	const char *after_logout; /* outcome of the token after logout */
	const char *control;      /* outcome of the live token */
	bool logout;
	int idle;                 /* 0: expiry not tested */
	const char *after_expiry; /* outcome after the idle wait */
	bool skipped;
};

static struct json_object *token_observation(const struct token_obs *t)
{
	struct json_object *e = json_object_new_object();
	json_object_object_add(e, "adapter", json_object_new_string("web"));
	json_object_object_add(e, "driver", json_object_new_string("http-form"));
	json_object_object_add(e, "port", json_object_new_int(9090));
	json_object_object_add(e, "proto", json_object_new_string("tcp"));
	if (t->skipped) {
		json_object_object_add(e, "driver", json_object_new_string("ssh-password"));
		json_object_object_add(
			e, "skipped", json_object_new_string("the driver issues no session token"));
	} else {
		struct json_object *tokens = json_object_new_array();
		for (size_t i = 0; i < t->count; i++) {
			char buf[160];
			make_token(t->kind, (uint32_t)i, buf, sizeof(buf));
			json_object_array_add(tokens, json_object_new_string(buf));
		}
		json_object_object_add(e, "tokens", tokens);
		json_object_object_add(e, "ordered", json_object_new_int(20));
		json_object_object_add(e, "target", json_object_new_int(1000));
		json_object_object_add(e, "evidence",
				       json_object_new_string("evidence/session/tokens-web.txt"));
		json_object_object_add(e, "tokens_per_second", json_object_new_double(12.5));
		struct json_object *logout = json_object_new_object();
		json_object_object_add(logout, "supported", json_object_new_boolean(t->logout));
		json_object_object_add(logout, "ok", json_object_new_int(t->logout ? 1000 : 0));
		json_object_object_add(logout, "failed", json_object_new_int(0));
		json_object_object_add(e, "logout", logout);
		struct json_object *pairs = json_object_new_array();
		for (int i = 0; t->logout && i < 20; i++) {
			struct json_object *p = json_object_new_object();
			json_object_object_add(p, "index", json_object_new_int(i));
			json_object_object_add(p, "before", response(t->control, 200));
			json_object_object_add(
				p, "after",
				response(t->after_logout,
					 strcmp(t->after_logout, "accepted") == 0 ? 200 : 401));
			json_object_array_add(pairs, p);
		}
		json_object_object_add(e, "after_logout", pairs);
		struct json_object *x = json_object_new_object();
		if (t->idle) {
			json_object_object_add(x, "tested", json_object_new_boolean(true));
			json_object_object_add(x, "idle_timeout", json_object_new_int(t->idle));
			json_object_object_add(x, "waited_s", json_object_new_int(t->idle + 10));
			struct json_object *probes = json_object_new_array();
			for (int i = 0; i < 2; i++) {
				struct json_object *p = json_object_new_object();
				json_object_object_add(p, "before", response("accepted", 200));
				json_object_object_add(p, "after", response(t->after_expiry, 401));
				json_object_array_add(probes, p);
			}
			json_object_object_add(x, "probes", probes);
		} else {
			json_object_object_add(x, "tested", json_object_new_boolean(false));
			json_object_object_add(
				x, "reason",
				json_object_new_string(
					"the profile declares no auth.idle_timeout"));
		}
		json_object_object_add(e, "expiry", x);
	}
	struct json_object *o = json_object_new_object();
	struct json_object *list = json_object_new_array();
	json_object_array_add(list, e);
	json_object_object_add(o, "interfaces", list);
	return o;
}

static const struct token_obs GOOD = {
	.kind = COCKPIT,
	.count = 1000,
	.after_logout = "refused",
	.control = "accepted",
	.logout = true,
	.idle = 20,
	.after_expiry = "refused",
};

static void test_tokens_pass(void **state)
{
	(void)state;
	struct check_verdict *v = judge("session.tokens", token_observation(&GOOD), NULL, 0);
	expect(v, VERDICT_PASS, "bits of min-entropy per token (>= 64)");
	assert_non_null(strstr(v->summary, "web (http-form, tcp/9090)"));
	/* the cookie's base64 layer and its constant prefix were removed first */
	assert_true(finding_has(v, FINDING_INFO,
				"1 base64 layer of text removed, constant "
				"prefix 'v=2;k='"));
	assert_true(finding_has(v, FINDING_INFO, "FIPS 140-2 4.9.1 on 20,000 bits: monobit"));
	assert_true(finding_has(v, FINDING_INFO, "SP 800-22 on"));
	assert_true(finding_has(v, FINDING_PASS,
				"20 of 20 session tokens refused right after "
				"logout (status 401)"));
	assert_true(finding_has(v, FINDING_PASS, "2 of 2 session tokens refused after 30 s idle"));
	verdict_free(v);
}

static void test_tokens_counter(void **state)
{
	(void)state;
	struct token_obs t = GOOD;
	t.kind = COUNTER;
	struct check_verdict *v = judge("session.tokens", token_observation(&t), NULL, 0);
	expect(v, VERDICT_FAIL, "sequential");
	verdict_free(v);
}

static void test_tokens_duplicates(void **state)
{
	(void)state;
	struct token_obs t = GOOD;
	t.kind = DUPLICATES;
	struct check_verdict *v = judge("session.tokens", token_observation(&t), NULL, 0);
	expect(v, VERDICT_FAIL, "400 of 1000 tokens repeat an earlier one");
	verdict_free(v);
}

static void test_tokens_valid_after_logout(void **state)
{
	(void)state;
	struct token_obs t = GOOD;
	t.after_logout = "accepted";
	struct check_verdict *v = judge("session.tokens", token_observation(&t), NULL, 0);
	expect(v, VERDICT_FAIL, "20 of 20 session tokens were still accepted after logout");
	verdict_free(v);
}

static void test_tokens_never_expire(void **state)
{
	(void)state;
	struct token_obs t = GOOD;
	t.after_expiry = "accepted";
	struct check_verdict *v = judge("session.tokens", token_observation(&t), NULL, 0);
	expect(v, VERDICT_FAIL, "still accepted after 30 s idle (declared idle timeout 20 s)");
	verdict_free(v);
}

static void test_tokens_small_sample(void **state)
{
	(void)state;
	struct token_obs t = GOOD;
	t.count = 300;
	struct check_verdict *v = judge("session.tokens", token_observation(&t), NULL, 0);
	expect(v, VERDICT_INCONCLUSIVE, "only 300 of 1000 session tokens collected");
	verdict_free(v);
	/* two tokens always "go one way": no sequence verdict on a handful */
	t.count = 2;
	v = judge("session.tokens", token_observation(&t), NULL, 0);
	expect(v, VERDICT_INCONCLUSIVE,
	       "only 2 of 1000 session tokens collected: too few to "
	       "judge their randomness");
	verdict_free(v);
	t.count = 300;
	/* a catalog may ask for fewer */
	struct check_param p[] = {{"count", "300"}};
	v = judge("session.tokens", token_observation(&t), p, 1);
	expect(v, VERDICT_PASS, NULL);
	verdict_free(v);
}

static void test_tokens_expiry_untested(void **state)
{
	(void)state;
	struct token_obs t = GOOD;
	t.idle = 0;
	struct check_verdict *v = judge("session.tokens", token_observation(&t), NULL, 0);
	expect(v, VERDICT_INCONCLUSIVE,
	       "expiry not tested: the profile declares no auth.idle_timeout");
	verdict_free(v);
}

static void test_tokens_probe_blind(void **state)
{
	(void)state;
	struct token_obs t = GOOD;
	t.control = "refused";
	struct check_verdict *v = judge("session.tokens", token_observation(&t), NULL, 0);
	expect(v, VERDICT_INCONCLUSIVE, "did not accept even a live session's token");
	verdict_free(v);
	t = GOOD;
	t.after_logout = "unreachable";
	v = judge("session.tokens", token_observation(&t), NULL, 0);
	expect(v, VERDICT_INCONCLUSIVE, "20 of 20 tokens presented after logout got no answer");
	verdict_free(v);
	t = GOOD;
	t.logout = false;
	v = judge("session.tokens", token_observation(&t), NULL, 0);
	expect(v, VERDICT_MANUAL,
	       "confirm by hand that logging out invalidates the session identifier at once");
	assert_true(finding_has(v, FINDING_PASS, "bits of min-entropy per token (>= 64)"));
	verdict_free(v);
}

static void test_tokens_no_token_interface(void **state)
{
	(void)state;
	struct token_obs t = GOOD;
	t.skipped = true;
	struct check_verdict *v = judge("session.tokens", token_observation(&t), NULL, 0);
	expect(v, VERDICT_NOT_APPLICABLE, "no login interface of the profile issues a session");
	verdict_free(v);
}

/* Concurrent logins scramble the order; the ordered head still shows a counter. */
static void test_tokens_ordered_head(void **state)
{
	(void)state;
	struct json_object *o = token_observation(&GOOD);
	struct json_object *e =
		json_object_array_get_idx(json_object_object_get(o, "interfaces"), 0);
	struct json_object *tokens = json_object_new_array();
	for (uint32_t i = 0; i < 1000; i++) {
		char buf[64];
		if (i < 20) {
			snprintf(buf, sizeof(buf), "%016x", 0x1000u + i);
		} else {
			unsigned char r[32];
			random_bytes(9, i, r);
			for (int k = 0; k < 8; k++)
				snprintf(buf + 2 * k, 3, "%02x", r[k]);
		}
		json_object_array_add(tokens, json_object_new_string(buf));
	}
	json_object_object_add(e, "tokens", tokens);
	struct check_verdict *v = judge("session.tokens", o, NULL, 0);
	expect(v, VERDICT_FAIL, "the first 20 tokens, issued one login at a time, are sequential");
	verdict_free(v);
}

/* ---- token decoding ---- */

static void test_decode(void **state)
{
	(void)state;
	unsigned char out[64];
	assert_int_equal(token_decode_base64("Zm9vYmE=", out, sizeof(out)), 5);
	assert_memory_equal(out, "fooba", 5);
	assert_int_equal(token_decode_base64("Zm9vYmE", out, sizeof(out)), 5);
	assert_int_equal(token_decode_base64("-_8", out, sizeof(out)), 2);
	assert_int_equal(token_decode_base64("a+b-", out, sizeof(out)), -1);  /* mixed */
	assert_int_equal(token_decode_base64("Zm9vY", out, sizeof(out)), -1); /* 5 chars */
	assert_int_equal(token_decode_base64("Zm9=", out, sizeof(out)), -1);  /* not canonical */
	assert_int_equal(token_decode_base64("Zm9v", out, 2), -1);            /* does not fit */

	/* Cockpit-style: one layer off, the constant prefix cut, 64 hex digits left */
	const char *t[3];
	char a[3][160];
	for (int i = 0; i < 3; i++) {
		make_token(COCKPIT, (uint32_t)i, a[i], sizeof(a[i]));
		t[i] = a[i];
	}
	struct token_decode d;
	struct dl_error err = {0};
	assert_int_equal(token_decode(t, 3, &d, &err), 0);
	assert_int_equal(d.base64_layers, 1);
	assert_string_equal(d.prefix, "v=2;k=");
	for (int i = 0; i < 3; i++)
		assert_true(strlen(d.tokens[i]) >= 60 && strlen(d.tokens[i]) <= 64);
	token_decode_release(&d);

	/* random hex is not base64 of text: left as issued, nothing cut */
	const char *h[2] = {"9f86d081884c7d659a2feaa0c55ad015", "3a7bd3e2360a3d29eea436fcfb7e44c7"};
	assert_int_equal(token_decode(h, 2, &d, &err), 0);
	assert_int_equal(d.base64_layers, 0);
	assert_int_equal(d.prefix_length, 0);
	assert_string_equal(d.tokens[1], h[1]);
	token_decode_release(&d);

	/* identical tokens keep one character */
	const char *same[2] = {"abc", "abc"};
	assert_int_equal(token_decode(same, 2, &d, &err), 0);
	assert_string_equal(d.tokens[0], "c");
	token_decode_release(&d);
}

/* ---- idle timeout ---- */

static const char IDLE_OK[] =
	"{\"idle_timeout\": 20, \"set_operation\": {\"declared\": false}, \"interfaces\": ["
	"{\"adapter\": \"web\", \"driver\": \"http-form\", \"port\": 9090, \"proto\": \"tcp\","
	" \"login\": {\"outcome\": \"accepted\", \"status\": 200},"
	" \"first\": {\"outcome\": \"accepted\", \"status\": 200}, \"waited_s\": 30,"
	" \"second\": {\"outcome\": \"refused\", \"status\": 401},"
	" \"relogin\": {\"outcome\": \"accepted\", \"status\": 200}},"
	"{\"adapter\": \"shell\", \"driver\": \"ssh-password\", \"port\": 22, \"proto\": \"tcp\","
	" \"login\": {\"outcome\": \"accepted\", \"status\": 0},"
	" \"first\": {\"outcome\": \"accepted\", \"status\": 0}, \"waited_s\": 31,"
	" \"second\": {\"outcome\": \"unreachable\", \"status\": 0},"
	" \"relogin\": {\"outcome\": \"accepted\", \"status\": 0}},"
	"{\"adapter\": \"cam\", \"driver\": \"rtsp\", \"port\": 554, \"proto\": \"tcp\","
	" \"skipped\": \"the driver keeps no session dutlab can probe\"}]}";

static void test_idle_pass(void **state)
{
	(void)state;
	struct check_verdict *v = judge("session.idle-timeout", parse(IDLE_OK), NULL, 0);
	expect(v, VERDICT_PASS,
	       "web (http-form, tcp/9090): the session was ended after 30 s idle (idle timeout 20 "
	       "s)");
	assert_true(finding_has(v, FINDING_PASS,
				"shell (ssh-password, tcp/22): the session was "
				"ended after 31 s idle"));
	assert_true(finding_has(v, FINDING_INFO, "cam (rtsp, tcp/554): not tested"));
	verdict_free(v);
}

static void test_idle_fail(void **state)
{
	(void)state;
	char text[sizeof(IDLE_OK)];
	snprintf(text, sizeof(text), "%s", IDLE_OK);
	char *second = strstr(text, "\"unreachable\"");
	assert_non_null(second);
	memcpy(second, "\"accepted\"   ", 13);
	struct check_verdict *v = judge("session.idle-timeout", parse(text), NULL, 0);
	expect(v, VERDICT_FAIL,
	       "shell (ssh-password, tcp/22): the session still worked after 31 s idle (idle "
	       "timeout 20 s");
	verdict_free(v);
}

static void test_idle_settable(void **state)
{
	(void)state;
	struct check_param ts[] = {{"settable", "required"}};
	struct check_verdict *v = judge("session.idle-timeout", parse(IDLE_OK), ts, 1);
	expect(v, VERDICT_MANUAL, "settability is not verified");
	verdict_free(v);

	struct json_object *o = parse(IDLE_OK);
	json_object_object_add(o, "set_operation",
			       parse("{\"declared\": true, \"exit_status\": 0, \"timed_out\": "
				     "false, \"transcript\": \"evidence/session/x.log\"}"));
	v = judge("session.idle-timeout", o, ts, 1);
	expect(v, VERDICT_PASS, "set through the profile's set_idle_timeout operation");
	verdict_free(v);

	o = parse(IDLE_OK);
	json_object_object_add(o, "set_operation",
			       parse("{\"declared\": true, \"exit_status\": 3, \"timed_out\": "
				     "false, \"output_tail\": \"no such setting\"}"));
	v = judge("session.idle-timeout", o, ts, 1);
	expect(v, VERDICT_INCONCLUSIVE, "set_idle_timeout operation failed");
	verdict_free(v);
}

static void test_idle_inconclusive(void **state)
{
	(void)state;
	struct json_object *o = parse(IDLE_OK);
	json_object_object_add(o, "idle_timeout", json_object_new_int(0));
	struct check_verdict *v = judge("session.idle-timeout", o, NULL, 0);
	expect(v, VERDICT_INCONCLUSIVE, "declares no auth.idle_timeout");
	verdict_free(v);

	char text[sizeof(IDLE_OK)];
	snprintf(text, sizeof(text), "%s", IDLE_OK);
	char *first = strstr(text, "\"first\": {\"outcome\": \"accepted\"");
	memcpy(first + strlen("\"first\": {\"outcome\": "), "\"refused\" ", 10);
	v = judge("session.idle-timeout", parse(text), NULL, 0);
	expect(v, VERDICT_INCONCLUSIVE, "the session probe right after login was refused");
	verdict_free(v);

	/* the probe failed after the wait, and so did a new login: the DUT went */
	o = parse(IDLE_OK);
	json_object_object_add(
		json_object_array_get_idx(json_object_object_get(o, "interfaces"), 0), "relogin",
		response("unreachable", 0));
	v = judge("session.idle-timeout", o, NULL, 0);
	expect(v, VERDICT_INCONCLUSIVE,
	       "after 30 s idle the probe was refused, but a new login was unreachable too");
	verdict_free(v);

	v = judge("session.idle-timeout",
		  parse("{\"idle_timeout\": 20, \"interfaces\": [{\"adapter\": \"cam\", "
			"\"driver\": \"rtsp\", \"port\": 554, \"skipped\": \"no session\"}]}"),
		  NULL, 0);
	expect(v, VERDICT_INCONCLUSIVE, "no login interface keeps a session dutlab can probe");
	verdict_free(v);
}

/* TS 5.2.6.3: the ONVIF interface keeps no session */
static void test_idle_onvif(void **state)
{
	(void)state;
	struct check_param onvif[] = {{"settable", "required"}, {"drivers", "onvif"}};
	struct check_verdict *v = judge(
		"session.idle-timeout",
		parse("{\"idle_timeout\": 20, \"interfaces\": [{\"adapter\": \"onvif\", "
		      "\"driver\": \"onvif\", \"port\": 80, \"stateless\": true, \"skipped\": "
		      "\"the protocol sends the credentials with every request: there is no "
		      "session to time out\"}]}"),
		onvif, 2);
	expect(v, VERDICT_PASS, "every onvif interface (1) authenticates each request");
	verdict_free(v);
	v = judge("session.idle-timeout", parse(IDLE_OK), onvif, 2);
	expect(v, VERDICT_NOT_APPLICABLE, "no login adapter with driver onvif");
	verdict_free(v);
	/* unfiltered, a stateless interface alone decides nothing */
	v = judge("session.idle-timeout",
		  parse("{\"idle_timeout\": 20, \"interfaces\": [{\"adapter\": \"cam\", "
			"\"driver\": \"rtsp\", \"port\": 554, \"stateless\": true, "
			"\"skipped\": \"no session to time out\"}]}"),
		  NULL, 0);
	expect(v, VERDICT_INCONCLUSIVE, "no login interface keeps a session");
	verdict_free(v);
}

/* ---- replay ---- */

static struct json_object *replay_interface(const char *adapter, const char *driver, int port,
					    bool encrypted, bool challenge,
					    const char *const *replays, size_t replay_count)
{
	struct json_object *e = json_object_new_object();
	json_object_object_add(e, "adapter", json_object_new_string(adapter));
	json_object_object_add(e, "driver", json_object_new_string(driver));
	json_object_object_add(e, "port", json_object_new_int(port));
	json_object_object_add(e, "proto", json_object_new_string("tcp"));
	struct json_object *login = response("accepted", 200);
	json_object_object_add(login, "encrypted", json_object_new_boolean(encrypted));
	json_object_object_add(login, "challenge_response", json_object_new_boolean(challenge));
	json_object_object_add(e, "login", login);
	struct json_object *list = json_object_new_array();
	static const int after[] = {0, 10, 60};
	for (size_t i = 0; i < replay_count && i < 3; i++) {
		struct json_object *r = json_object_new_object();
		json_object_object_add(r, "after_s", json_object_new_int(after[i]));
		json_object_object_add(
			r, "response",
			response(replays[i], strcmp(replays[i], "accepted") == 0 ? 200 : 401));
		json_object_array_add(list, r);
	}
	json_object_object_add(e, "replays", list);
	return e;
}

static struct json_object *replay_observation(struct json_object *a, struct json_object *b)
{
	struct json_object *o = json_object_new_object();
	struct json_object *list = json_object_new_array();
	json_object_array_add(list, a);
	if (b)
		json_object_array_add(list, b);
	json_object_object_add(o, "interfaces", list);
	return o;
}

static void test_replay_cleartext(void **state)
{
	(void)state;
	const char *ok3[] = {"accepted", "accepted", "accepted"};
	struct check_verdict *v =
		judge("auth.replay",
		      replay_observation(
			      replay_interface("web", "http-basic", 80, false, false, ok3, 3),
			      replay_interface("shell", "ssh-password", 22, true, false, NULL, 0)),
		      NULL, 0);
	expect(v, VERDICT_FAIL,
	       "web (http-basic, tcp/80): static credentials are sent in the clear (no TLS, no "
	       "challenge-response); verbatim replays were accepted up to 60 s after the "
	       "session ended (status 200), the last try included");
	assert_true(finding_has(v, FINDING_PASS,
				"shell (ssh-password, tcp/22): the credentials "
				"travel only inside SSH"));
	verdict_free(v);
}

static void test_replay_tls_and_digest(void **state)
{
	(void)state;
	const char *refused[] = {"refused"};
	struct check_verdict *v = judge(
		"auth.replay",
		replay_observation(replay_interface("web", "http-form", 9090, true, false, NULL, 0),
				   replay_interface("cam", "rtsp", 554, false, true, refused, 1)),
		NULL, 0);
	expect(v, VERDICT_PASS,
	       "web (http-form, tcp/9090): the credentials travel only inside "
	       "TLS");
	assert_true(finding_has(v, FINDING_PASS,
				"cam (rtsp, tcp/554): a verbatim replay of the "
				"challenge-response exchange was refused 0 s"));
	verdict_free(v);

	/* a digest exchange that replays is a fail, inside TLS too */
	const char *window[] = {"accepted", "accepted", "refused"};
	v = judge("auth.replay",
		  replay_observation(replay_interface("cam", "rtsp", 322, true, true, window, 3),
				     NULL),
		  NULL, 0);
	expect(v, VERDICT_FAIL,
	       "cam (rtsp, tcp/322): the challenge-response exchange (inside TLS) is replayable; "
	       "a verbatim replay was accepted up to 10 s after the session ended (status 200) "
	       "and refused at 60 s");
	verdict_free(v);
}

static void test_replay_onvif(void **state)
{
	(void)state;
	const char *refused[] = {"refused"};
	struct check_param onvif[] = {{"drivers", "onvif"}, {"enumeration", "yes"}};
	/* no onvif adapter: not applicable */
	struct check_verdict *v = judge(
		"auth.replay",
		replay_observation(replay_interface("web", "http-form", 443, true, false, NULL, 0),
				   NULL),
		onvif, 2);
	expect(v, VERDICT_NOT_APPLICABLE, "no login adapter with driver onvif");
	verdict_free(v);

	struct json_object *e = replay_interface("onvif", "onvif", 80, false, true, refused, 1);
	json_object_object_add(
		e, "enumeration",
		parse("{\"known\": [{\"outcome\": \"refused\", \"status\": 400, \"fingerprint\": "
		      "\"aa\"}], \"unknown\": [{\"outcome\": \"refused\", \"status\": 400, "
		      "\"fingerprint\": \"aa\"}]}"));
	v = judge("auth.replay", replay_observation(e, NULL), onvif, 2);
	expect(v, VERDICT_PASS, "onvif (onvif, tcp/80): a verbatim replay");
	assert_true(finding_has(v, FINDING_PASS, "same status (400) and content fingerprint"));
	verdict_free(v);

	e = replay_interface("onvif", "onvif", 80, false, true, refused, 1);
	json_object_object_add(
		e, "enumeration",
		parse("{\"known\": [{\"outcome\": \"refused\", \"status\": 400, \"fingerprint\": "
		      "\"aa\", \"excerpt\": \"wrong password\"}], \"unknown\": [{\"outcome\": "
		      "\"refused\", \"status\": 400, \"fingerprint\": \"bb\", \"excerpt\": "
		      "\"unknown user\"}]}"));
	v = judge("auth.replay", replay_observation(e, NULL), onvif, 2);
	expect(v, VERDICT_FAIL, "the refusal for an unknown user differs");
	verdict_free(v);
}

static void test_replay_login_refused(void **state)
{
	(void)state;
	struct json_object *e = replay_interface("web", "http-digest", 80, false, true, NULL, 0);
	json_object_object_add(e, "login", response("refused", 401));
	struct check_verdict *v = judge("auth.replay", replay_observation(e, NULL), NULL, 0);
	expect(v, VERDICT_INCONCLUSIVE, "web (http-digest, tcp/80): the login was refused");
	verdict_free(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tokens_pass),
		cmocka_unit_test(test_tokens_counter),
		cmocka_unit_test(test_tokens_duplicates),
		cmocka_unit_test(test_tokens_valid_after_logout),
		cmocka_unit_test(test_tokens_never_expire),
		cmocka_unit_test(test_tokens_small_sample),
		cmocka_unit_test(test_tokens_expiry_untested),
		cmocka_unit_test(test_tokens_probe_blind),
		cmocka_unit_test(test_tokens_no_token_interface),
		cmocka_unit_test(test_tokens_ordered_head),
		cmocka_unit_test(test_decode),
		cmocka_unit_test(test_idle_pass),
		cmocka_unit_test(test_idle_fail),
		cmocka_unit_test(test_idle_settable),
		cmocka_unit_test(test_idle_inconclusive),
		cmocka_unit_test(test_idle_onvif),
		cmocka_unit_test(test_replay_cleartext),
		cmocka_unit_test(test_replay_tls_and_digest),
		cmocka_unit_test(test_replay_onvif),
		cmocka_unit_test(test_replay_login_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
