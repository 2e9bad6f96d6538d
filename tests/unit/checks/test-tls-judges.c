/* test-tls-judges: the tls.channels judges on hand-written observations of a good and a bad camera
 */
#include "core/compat.h"

#include <setjmp.h>
#include <cmocka.h>
#include <json-c/json.h>
#include <regex.h>

#include "checks/check.h"
#include "core/error.h"
#include "core/profile.h"

#define FIXTURES TEST_SOURCE_DIR "/tests/unit/checks/fixtures"

static struct json_object *load(const char *name)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", FIXTURES, name);
	struct json_object *o = json_object_from_file(path);
	assert_non_null(o);
	return o;
}

struct run {
	struct check_verdict verdict;
	struct dl_error err;
	int rc;
};

static void run_check(const char *check_id, const struct json_object *observation,
		      const struct check_param *items, size_t count, const struct profile *profile,
		      struct run *r)
{
	const struct check *c = check_find(check_id);
	assert_non_null(c);
	memset(r, 0, sizeof(*r));
	struct check_params params = {.items = items, .count = count};
	r->rc = c->judge(observation, &params, profile, &r->verdict, &r->err);
}

/* Some finding of severity matches the extended regex. */
static bool has_finding(const struct run *r, enum finding_severity severity, const char *pattern)
{
	regex_t re;
	assert_int_equal(regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB), 0);
	bool found = false;
	for (size_t i = 0; i < r->verdict.finding_count && !found; i++)
		found = r->verdict.findings[i].severity == severity &&
			regexec(&re, r->verdict.findings[i].text, 0, NULL, 0) == 0;
	regfree(&re);
	return found;
}

/* has_finding(), and on a miss the findings there are, to see why. */
static bool expect_finding(const struct run *r, enum finding_severity severity, const char *pattern)
{
	bool found = has_finding(r, severity, pattern);
	if (!found)
		for (size_t i = 0; i < r->verdict.finding_count; i++)
			print_message("  finding %d: %s\n", r->verdict.findings[i].severity,
				      r->verdict.findings[i].text);
	return found;
}

static const struct check_param ts_secure[] = {
	{"min_version", "TLSv1.2"},
	{"forward_secrecy", "every"},
	{"plaintext", "credentials"},
};
static const struct check_param ncc_secure[] = {
	{"min_version", "TLSv1.2"},
	{"forward_secrecy", "no"},
	{"min_strength", "128"},
	{"plaintext", "management"},
};

static void test_secure_channel_good(void **state)
{
	(void)state;
	struct json_object *o = load("tls-channels-good.json");
	struct run r;
	run_check("tls.secure-channel", o, ts_secure, DL_ARRAY_SIZE(ts_secure), NULL, &r);
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.verdict.verdict, VERDICT_PASS);
	assert_true(expect_finding(&r, FINDING_PASS,
				   "198.18.1.2 tcp/443 offers only TLSv1.2, TLSv1.3"));
	assert_true(expect_finding(&r, FINDING_PASS, "tcp/80 .*only redirects to https://"));
	assert_true(expect_finding(&r, FINDING_INFO, "tcp/554 .*privacy"));
	check_verdict_release(&r.verdict);

	/* NCC: the same camera meets AES-128 and has no management in clear. */
	run_check("tls.secure-channel", o, ncc_secure, DL_ARRAY_SIZE(ncc_secure), NULL, &r);
	assert_int_equal(r.verdict.verdict, VERDICT_PASS);
	check_verdict_release(&r.verdict);
	json_object_put(o);
}

static void test_secure_channel_bad(void **state)
{
	(void)state;
	struct json_object *o = load("tls-channels-bad.json");
	struct run r;
	run_check("tls.secure-channel", o, ts_secure, DL_ARRAY_SIZE(ts_secure), NULL, &r);
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.verdict.verdict, VERDICT_FAIL);
	assert_true(expect_finding(&r, FINDING_FAIL,
				   "tcp/443 accepts TLSv1.0, TLSv1.1: versions below "
				   "TLSv1.2 must be refused"));
	assert_true(expect_finding(&r, FINDING_FAIL,
				   "without forward secrecy.*TLS_RSA_WITH_AES_128_CBC_SHA"
				   " \\(TLSv1.0\\)"));
	assert_true(expect_finding(&r, FINDING_FAIL,
				   "tcp/22 \\(SSH\\) offers key exchange without "
				   "forward secrecy: rsa1024-sha1"));
	assert_true(expect_finding(&r, FINDING_FAIL, "tcp/23 \\(telnet\\) is open in clear"));
	/* TS counts credentials only: the web page without a login is not a fail here. */
	assert_false(has_finding(&r, FINDING_FAIL, "tcp/80"));
	check_verdict_release(&r.verdict);

	run_check("tls.secure-channel", o, ncc_secure, DL_ARRAY_SIZE(ncc_secure), NULL, &r);
	assert_int_equal(r.verdict.verdict, VERDICT_FAIL);
	assert_true(expect_finding(&r, FINDING_FAIL,
				   "below the 128-bit class: "
				   "TLS_RSA_WITH_3DES_EDE_CBC_SHA"));
	assert_true(expect_finding(&r, FINDING_FAIL, "ciphers below the 128-bit class: 3des-cbc"));
	assert_true(expect_finding(&r, FINDING_FAIL, "tcp/80 \\(http\\) is open in clear"));
	assert_false(has_finding(&r, FINDING_FAIL, "without forward secrecy"));
	check_verdict_release(&r.verdict);
	json_object_put(o);
}

static const struct check_param privacy_secure[] = {
	{"min_version", "TLSv1.2"},
	{"forward_secrecy", "every"},
	{"plaintext", "privacy"},
};

/* TS 5.5.2.1: video in clear fails; the same video over TLS alone passes. */
static void test_secure_channel_privacy(void **state)
{
	(void)state;
	struct json_object *o = load("tls-channels-good.json");
	struct run r;
	run_check("tls.secure-channel", o, privacy_secure, DL_ARRAY_SIZE(privacy_secure), NULL, &r);
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.verdict.verdict, VERDICT_FAIL);
	assert_true(expect_finding(&r, FINDING_FAIL,
				   "198.18.1.2 tcp/554 \\(rtsp\\) is open in clear by default: "
				   "RTSP in clear"));
	/* The redirect on 80 carries nothing: still no fail. */
	assert_false(has_finding(&r, FINDING_FAIL, "tcp/80"));
	assert_non_null(strstr(r.verdict.summary, "1 finding against"));
	check_verdict_release(&r.verdict);

	/* The camera that streams over RTSPS instead: the stream is one more TLS service and
	 * the only channel in clear is the redirect. */
	struct json_object *tls = json_object_object_get(o, "tls");
	struct json_object *rtsps = NULL;
	assert_int_equal(json_object_deep_copy(json_object_array_get_idx(tls, 0), &rtsps, NULL), 0);
	json_object_object_add(rtsps, "port", json_object_new_int(322));
	json_object_array_add(tls, rtsps);
	assert_int_equal(json_object_array_del_idx(json_object_object_get(o, "plaintext"), 0, 1),
			 0);
	run_check("tls.secure-channel", o, privacy_secure, DL_ARRAY_SIZE(privacy_secure), NULL, &r);
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.verdict.verdict, VERDICT_PASS);
	assert_true(expect_finding(&r, FINDING_PASS, "198.18.1.2 tcp/322 offers only TLSv1.2"));
	assert_false(has_finding(&r, FINDING_FAIL, "."));
	assert_non_null(strstr(r.verdict.summary, "no channel in clear carries credentials or "
						  "video"));
	check_verdict_release(&r.verdict);

	/* A user's credentials in clear fail under privacy too. */
	struct json_object *ch =
		json_object_array_get_idx(json_object_object_get(o, "plaintext"), 0);
	struct json_object *carries = json_object_new_array();
	json_object_array_add(carries, json_object_new_string("credentials"));
	json_object_object_add(ch, "carries", carries);
	json_object_object_add(ch, "redirects_to", NULL);
	run_check("tls.secure-channel", o, privacy_secure, DL_ARRAY_SIZE(privacy_secure), NULL, &r);
	assert_int_equal(r.verdict.verdict, VERDICT_FAIL);
	assert_true(expect_finding(&r, FINDING_FAIL, "tcp/80 \\(http\\) is open in clear"));
	check_verdict_release(&r.verdict);

	static const struct check_param wrong[] = {{"plaintext", "audio"}};
	run_check("tls.secure-channel", o, wrong, 1, NULL, &r);
	assert_int_equal(r.rc, DL_EINVAL);
	assert_non_null(strstr(r.err.message, "privacy"));
	check_verdict_release(&r.verdict);
	json_object_put(o);
}

static void test_secure_channel_unusable(void **state)
{
	(void)state;
	struct json_object *o = load("tls-channels-good.json");
	struct run r;
	/* A failed scan: nothing to audit is inconclusive, never a pass. */
	json_object_object_add(o, "scan_error",
			       json_object_new_string("collector discovery.scan: "
						      "error: timed out"));
	run_check("tls.secure-channel", o, ts_secure, DL_ARRAY_SIZE(ts_secure), NULL, &r);
	assert_int_equal(r.verdict.verdict, VERDICT_INCONCLUSIVE);
	assert_non_null(strstr(r.verdict.summary, "timed out"));
	check_verdict_release(&r.verdict);

	/* An audit that stopped early cannot pass. */
	json_object_object_add(o, "scan_error", NULL);
	struct json_object *endpoint =
		json_object_array_get_idx(json_object_object_get(o, "tls"), 0);
	json_object_object_add(endpoint, "complete", json_object_new_boolean(0));
	json_object_object_add(endpoint, "incomplete", json_object_new_string("deadline"));
	run_check("tls.secure-channel", o, ts_secure, DL_ARRAY_SIZE(ts_secure), NULL, &r);
	assert_int_equal(r.verdict.verdict, VERDICT_INCONCLUSIVE);
	assert_true(expect_finding(&r, FINDING_WARNING, "did not finish \\(deadline\\)"));
	check_verdict_release(&r.verdict);

	/* No channel at all. */
	json_object_object_add(o, "tls", json_object_new_array());
	json_object_object_add(o, "ssh", json_object_new_array());
	run_check("tls.secure-channel", o, ts_secure, DL_ARRAY_SIZE(ts_secure), NULL, &r);
	assert_int_equal(r.verdict.verdict, VERDICT_INCONCLUSIVE);
	check_verdict_release(&r.verdict);

	/* A bad parameter is the catalog's error, not a verdict. */
	static const struct check_param wrong[] = {{"min_version", "TLSv9"}};
	run_check("tls.secure-channel", o, wrong, 1, NULL, &r);
	assert_int_equal(r.rc, DL_EINVAL);
	assert_non_null(strstr(r.err.message, "TLSv9"));
	check_verdict_release(&r.verdict);
	json_object_put(o);
}

static void test_aes256(void **state)
{
	(void)state;
	struct json_object *good = load("tls-channels-good.json");
	struct json_object *bad = load("tls-channels-bad.json");
	static const struct check_param strict[] = {{"equivalent", "no"}};
	struct run r;
	run_check("tls.aes256", good, strict, 1, NULL, &r);
	assert_int_equal(r.verdict.verdict, VERDICT_PASS);
	assert_true(expect_finding(&r, FINDING_PASS, "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384"));
	check_verdict_release(&r.verdict);

	run_check("tls.aes256", bad, strict, 1, NULL, &r);
	assert_int_equal(r.verdict.verdict, VERDICT_FAIL);
	assert_true(expect_finding(&r, FINDING_FAIL,
				   "accepts no AES-256 suite in TLS 1.2 or later; its "
				   "strongest: TLS_RSA_WITH_3DES_EDE_CBC_SHA"));
	check_verdict_release(&r.verdict);

	/* ChaCha20 alone: only "equivalent" lets it count. */
	struct json_object *suites = json_object_new_array();
	struct json_object *chacha = json_object_new_object();
	json_object_object_add(chacha, "version", json_object_new_string("TLSv1.3"));
	json_object_object_add(chacha, "name",
			       json_object_new_string("TLS_CHACHA20_POLY1305_SHA256"));
	json_object_object_add(chacha, "cipher", json_object_new_string("CHACHA20"));
	json_object_object_add(chacha, "bits", json_object_new_int(256));
	json_object_array_add(suites, chacha);
	json_object_object_add(json_object_array_get_idx(json_object_object_get(good, "tls"), 0),
			       "suites", suites);
	run_check("tls.aes256", good, strict, 1, NULL, &r);
	assert_int_equal(r.verdict.verdict, VERDICT_FAIL);
	check_verdict_release(&r.verdict);
	static const struct check_param loose[] = {{"equivalent", "yes"}};
	run_check("tls.aes256", good, loose, 1, NULL, &r);
	assert_int_equal(r.verdict.verdict, VERDICT_PASS);
	check_verdict_release(&r.verdict);
	json_object_put(good);
	json_object_put(bad);
}

static void test_approved_only(void **state)
{
	(void)state;
	struct json_object *good = load("tls-channels-good.json");
	struct json_object *bad = load("tls-channels-bad.json");
	struct run r;
	/* The good camera's OpenSSH still offers curve25519 (not in SP 800-140C r1). */
	run_check("crypto.approved-only", good, NULL, 0, NULL, &r);
	assert_int_equal(r.verdict.verdict, VERDICT_FAIL);
	assert_true(expect_finding(&r, FINDING_FAIL,
				   "\\(SSH\\) offers 1 algorithm outside SP 800-140C "
				   "r1: curve25519-sha256$"));
	assert_true(expect_finding(&r, FINDING_PASS,
				   "tcp/443: every version, suite, key-agreement group and "
				   "certificate"));
	check_verdict_release(&r.verdict);

	run_check("crypto.approved-only", bad, NULL, 0, NULL, &r);
	assert_int_equal(r.verdict.verdict, VERDICT_FAIL);
	assert_true(expect_finding(&r, FINDING_FAIL, "accepts TLSv1.0, TLSv1.1"));
	assert_true(expect_finding(&r, FINDING_FAIL,
				   "outside SP 800-140C r1: "
				   "TLS_RSA_WITH_3DES_EDE_CBC_SHA"));
	assert_true(expect_finding(&r, FINDING_FAIL, "sha1WithRSAEncryption.*RSA-1024"));
	assert_true(expect_finding(&r, FINDING_FAIL, "3des-cbc"));
	assert_true(expect_finding(&r, FINDING_FAIL,
				   "key agreement outside SP 800-56A r3: x25519, "
				   "DHE with a 1024-bit group$"));
	check_verdict_release(&r.verdict);

	/* Without the SSH service the good camera passes. */
	json_object_object_add(good, "ssh", json_object_new_array());
	run_check("crypto.approved-only", good, NULL, 0, NULL, &r);
	assert_int_equal(r.verdict.verdict, VERDICT_PASS);
	check_verdict_release(&r.verdict);
	json_object_put(good);
	json_object_put(bad);
}

static void test_certificates(void **state)
{
	(void)state;
	struct json_object *good = load("tls-channels-good.json");
	struct json_object *bad = load("tls-channels-bad.json");
	struct profile with_ca;
	memset(&with_ca, 0, sizeof(with_ca));
	with_ca.tls_ca_bundle = "/lab/acme-device-ca.pem";
	struct run r;
	run_check("tls.certificates", good, NULL, 0, &with_ca, &r);
	assert_int_equal(r.verdict.verdict, VERDICT_PASS);
	assert_true(expect_finding(&r, FINDING_PASS,
				   "'O=Acme, CN=cam-100-0001' \\(EC 256, "
				   "ecdsa-with-SHA256"));
	check_verdict_release(&r.verdict);

	run_check("tls.certificates", bad, NULL, 0, &with_ca, &r);
	assert_int_equal(r.verdict.verdict, VERDICT_FAIL);
	assert_true(expect_finding(&r, FINDING_FAIL,
				   "has expired, is signed with MD5 or SHA-1, has a key "
				   "shorter than RSA-2048 / ECC-256, does not chain"));
	check_verdict_release(&r.verdict);

	/* Untrusted but no CA declared: cannot be judged, and says why. */
	struct json_object *leaf = json_object_array_get_idx(
		json_object_object_get(
			json_object_object_get(
				json_object_array_get_idx(json_object_object_get(good, "tls"), 0),
				"certificates"),
			"chain"),
		0);
	struct json_object *problems = json_object_new_array();
	json_object_array_add(problems, NULL); /* malformed: skipped, never a crash */
	json_object_array_add(problems, json_object_new_string("untrusted"));
	json_object_object_add(leaf, "problems", problems);
	run_check("tls.certificates", good, NULL, 0, NULL, &r);
	assert_int_equal(r.verdict.verdict, VERDICT_INCONCLUSIVE);
	assert_true(expect_finding(&r, FINDING_WARNING, "declares no tls.ca_bundle"));
	check_verdict_release(&r.verdict);
	json_object_put(good);
	json_object_put(bad);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_secure_channel_good),
		cmocka_unit_test(test_secure_channel_bad),
		cmocka_unit_test(test_secure_channel_privacy),
		cmocka_unit_test(test_secure_channel_unusable),
		cmocka_unit_test(test_aes256),
		cmocka_unit_test(test_approved_only),
		cmocka_unit_test(test_certificates),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
