/* test-discovery: the four discovery judges on hand-written discovery.scan observations */
#include "core/compat.h"

#include <setjmp.h>
#include <cmocka.h>
#include <json-c/json.h>
#include <regex.h>

#include "checks/check.h"
#include "core/error.h"
#include "core/profile.h"

/* ---- a camera profile declaring https/443, ssh/22 (discloses version), rtsp/554 ---- */

static char *ssh_discloses[] = {"version"};
static struct profile_service declared_services[] = {
	{.proto = "tcp", .port = 443, .name = "https"},
	{.proto = "tcp",
	 .port = 22,
	 .name = "ssh",
	 .discloses = ssh_discloses,
	 .discloses_count = 1},
	{.proto = "tcp", .port = 554, .name = "rtsp"},
};
static char *dut_addresses[] = {"198.18.2.2", "fd00:198:0:2::2"};

static struct profile camera_profile(void)
{
	struct profile p;
	memset(&p, 0, sizeof(p));
	p.services = declared_services;
	p.service_count = DL_ARRAY_SIZE(declared_services);
	p.addresses = dut_addresses;
	p.address_count = 2;
	return p;
}

/* ---- observations ---- */

#define SERVICE_SSH                                                                                \
	"{\"port\": 22, \"service\": \"ssh\", \"product\": \"OpenSSH\", \"version\": \"9.2p1\","   \
	" \"tls\": false, \"debug\": false, \"evidence\": "                                        \
	"\"evidence/discovery/ADDR-tcp-22.pcapng\","                                               \
	" \"disclosures\": [{\"kind\": \"version\", \"source\": \"banner\","                       \
	" \"text\": \"SSH banner 'SSH-2.0-OpenSSH_9.2p1'\"}]}"
#define SERVICE_HTTPS                                                                              \
	"{\"port\": 443, \"service\": \"https\", \"product\": \"nginx\", \"version\": \"\","       \
	" \"tls\": true, \"debug\": false, \"disclosures\": [],"                                   \
	" \"evidence\": \"evidence/discovery/ADDR-tcp-443.pcapng\"}"
#define SERVICE_RTSP                                                                               \
	"{\"port\": 554, \"service\": \"rtsp\", \"product\": \"GStreamer\", \"tls\": false,"       \
	" \"debug\": false, \"disclosures\": []}"
#define SERVICE_TELNET                                                                             \
	"{\"port\": 23, \"service\": \"telnet\", \"product\": \"busybox telnetd\", \"tls\": "      \
	"false,"                                                                                   \
	" \"debug\": true, \"debug_reason\": \"telnet: an unencrypted remote shell\","             \
	" \"evidence\": \"evidence/discovery/198.18.2.2-tcp-23.pcapng\","                          \
	" \"disclosures\": [{\"kind\": \"device-info\", \"source\": \"banner\","                   \
	" \"text\": \"telnet greeting 'cam-100-0002 login:'\"}]}"
#define SERVICE_SNMP                                                                               \
	"{\"port\": 161, \"service\": \"snmp\", \"product\": \"\", \"debug\": false,"              \
	" \"detail\": \"SNMPv2c community 'public' answered\","                                    \
	" \"evidence\": \"evidence/discovery/fd00_198_0_2__2-udp-161.pcapng\","                    \
	" \"disclosures\": [{\"kind\": \"device-info\", \"source\": \"reply to snmp-v2c-public\"," \
	" \"text\": \"SNMP sysDescr = 'Acme CAM-100'\"}]}"

#define PROBES_CLOSED                                                                              \
	"[{\"port\": 161, \"service\": \"snmp\", \"probe\": \"snmp-v2c-public\","                  \
	" \"state\": \"closed\"},"                                                                 \
	" {\"port\": 1900, \"service\": \"ssdp\", \"probe\": \"ssdp-msearch\", \"state\": "        \
	"\"closed\"},"                                                                             \
	" {\"port\": 5353, \"service\": \"mdns\", \"probe\": \"mdns-services\", \"state\": "       \
	"\"silent\"}]"

#define TCP(open_list, complete)                                                                   \
	"{\"method\": \"syn\", \"ports_scanned\": 65535, \"closed\": 65532, \"filtered\": 0,"      \
	" \"complete\": " complete ", \"open\": [" open_list "]}"

static const char good_camera[] =
	"{\"version\": 1, \"addresses\": [{\"address\": \"198.18.1.2\", \"family\": \"ipv4\","
	" \"tcp\": " TCP(SERVICE_SSH "," SERVICE_HTTPS "," SERVICE_RTSP,
			 "true") ","
				 " \"udp\": {\"probed\": " PROBES_CLOSED ", \"services\": []}}]}";

static const char bad_camera[] =
	"{\"version\": 1, \"addresses\": ["
	"{\"address\": \"198.18.2.2\", \"family\": \"ipv4\","
	" \"tcp\": " TCP(
		SERVICE_SSH "," SERVICE_TELNET "," SERVICE_HTTPS "," SERVICE_RTSP,
		"true") ","
			" \"udp\": {\"probed\": " PROBES_CLOSED ", \"services\": []}},"
			"{\"address\": \"fd00:198:0:2::2\", \"family\": \"ipv6\","
			" \"tcp\": " TCP(
				SERVICE_SSH,
				"true") ","
					" \"udp\": {\"probed\": [{\"port\": 161, \"service\": "
					"\"snmp\", \"probe\": \"snmp-v2c-public\","
					" \"state\": \"answered\"}], \"services\": [" SERVICE_SNMP
					"]}}]}";

static const char cut_short[] =
	"{\"version\": 1, \"addresses\": [{\"address\": \"198.18.1.2\", \"family\": \"ipv4\","
	" \"tcp\": " TCP(SERVICE_SSH, "false") ","
					       " \"udp\": {\"probed\": [], \"services\": []}}]}";

static const char no_addresses[] = "{\"version\": 1, \"addresses\": []}";

/* The DUT was down: no open or closed TCP port, every UDP probe silent. */
static const char silent_dut[] =
	"{\"version\": 1, \"addresses\": [{\"address\": \"198.18.1.2\", \"family\": \"ipv4\","
	" \"tcp\": {\"method\": \"syn\", \"ports_scanned\": 65535, \"closed\": 0,"
	" \"filtered\": 65535, \"complete\": true, \"open\": []},"
	" \"udp\": {\"probed\": [{\"port\": 161, \"service\": \"snmp\", \"state\": \"silent\"}],"
	" \"services\": []}}]}";

static const char port_missing[] =
	"{\"version\": 1, \"addresses\": [{\"address\": \"198.18.1.2\","
	" \"tcp\": {\"complete\": true, \"open\": [{\"service\": \"ssh\"}]},"
	" \"udp\": {\"probed\": [], \"services\": []}}]}";

static const char udp_missing[] = "{\"version\": 1, \"addresses\": [{\"address\": \"198.18.1.2\","
				  " \"tcp\": {\"complete\": true, \"open\": []}}]}";

/* ---- helpers ---- */

struct judged {
	struct check_verdict verdict;
	struct dl_error err;
	int rc;
};

static struct judged *judge(const char *check_id, const char *observation_text,
			    const struct profile *profile)
{
	const struct check *c = check_find(check_id);
	assert_non_null(c);
	struct judged *j = calloc(1, sizeof(*j));
	assert_non_null(j);
	struct json_object *observation =
		observation_text ? json_tokener_parse(observation_text) : NULL;
	if (observation_text)
		assert_non_null(observation);
	j->rc = c->judge(observation, NULL, profile, &j->verdict, &j->err);
	json_object_put(observation);
	return j;
}

static void judged_free(struct judged *j)
{
	check_verdict_release(&j->verdict);
	free(j);
}

static bool matches(const char *text, const char *pattern)
{
	regex_t re;
	assert_int_equal(regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB), 0);
	bool ok = regexec(&re, text, 0, NULL, 0) == 0;
	regfree(&re);
	return ok;
}

/* The finding of severity whose text matches pattern, or NULL. */
static const struct finding *find(const struct judged *j, enum finding_severity severity,
				  const char *pattern)
{
	for (size_t i = 0; i < j->verdict.finding_count; i++)
		if (j->verdict.findings[i].severity == severity &&
		    matches(j->verdict.findings[i].text, pattern))
			return &j->verdict.findings[i];
	return NULL;
}

static size_t count(const struct judged *j, enum finding_severity severity)
{
	size_t n = 0;
	for (size_t i = 0; i < j->verdict.finding_count; i++)
		n += j->verdict.findings[i].severity == severity;
	return n;
}

static void assert_matches(const char *text, const char *pattern)
{
	if (!matches(text, pattern))
		fail_msg("'%s' does not match /%s/", text, pattern);
}

/* ---- undeclared-services ---- */

static void test_undeclared_pass(void **state)
{
	(void)state;
	struct profile p = camera_profile();
	struct judged *j = judge("discovery.undeclared-services", good_camera, &p);
	assert_int_equal(j->rc, 0);
	assert_int_equal(j->verdict.verdict, VERDICT_PASS);
	assert_matches(j->verdict.summary, "^found 3 services on 1 address, all declared: tcp/22 "
					   "ssh, tcp/443 https, tcp/554 rtsp$");
	assert_int_equal(count(j, FINDING_FAIL), 0);
	assert_int_equal(count(j, FINDING_PASS), 3);
	judged_free(j);
}

static void test_undeclared_fail(void **state)
{
	(void)state;
	struct profile p = camera_profile();
	struct judged *j = judge("discovery.undeclared-services", bad_camera, &p);
	assert_int_equal(j->rc, 0);
	assert_int_equal(j->verdict.verdict, VERDICT_FAIL);
	assert_matches(j->verdict.summary,
		       "^2 of 5 services found on 2 addresses are not declared in the "
		       "profile: tcp/23, udp/161$");
	const struct finding *telnet =
		find(j, FINDING_FAIL,
		     "^tcp/23 \\(telnet, busybox telnetd\\) is open on 198\\.18\\.2\\.2 but not "
		     "declared in the profile's services$");
	assert_non_null(telnet);
	assert_string_equal(telnet->evidence, "evidence/discovery/198.18.2.2-tcp-23.pcapng");
	/* IPv6 and UDP: the wording says "answers" */
	const struct finding *snmp = find(
		j, FINDING_FAIL, "^udp/161 \\(snmp\\) answers on fd00:198:0:2::2 but not declared");
	assert_non_null(snmp);
	assert_string_equal(snmp->evidence, "evidence/discovery/fd00_198_0_2__2-udp-161.pcapng");
	/* declared services found are supporting findings, not failures */
	assert_non_null(find(j, FINDING_PASS,
			     "^tcp/22 \\(ssh, OpenSSH 9\\.2p1\\) is open on "
			     "fd00:198:0:2::2 and is declared"));
	judged_free(j);
}

static void test_undeclared_declared_missing(void **state)
{
	(void)state;
	struct profile p = camera_profile();
	/* only ssh found: https and rtsp are declared but missing */
	struct judged *j = judge("discovery.undeclared-services", cut_short, &p);
	assert_int_equal(j->rc, 0);
	/* the scan was cut short, so no pass */
	assert_int_equal(j->verdict.verdict, VERDICT_INCONCLUSIVE);
	assert_matches(j->verdict.summary, "did not finish");
	assert_non_null(find(j, FINDING_WARNING,
			     "^tcp/443 \\(https\\) is declared in the "
			     "profile's services but was not found"));
	assert_non_null(find(j, FINDING_WARNING, "^tcp/554 \\(rtsp\\) is declared"));
	judged_free(j);

	/* a complete scan with declared services missing still passes, with warnings */
	static const char only_ssh[] =
		"{\"version\": 1, \"addresses\": [{\"address\": \"198.18.1.2\","
		" \"tcp\": " TCP(SERVICE_SSH,
				 "true") ","
					 " \"udp\": {\"probed\": [], \"services\": []}}]}";
	j = judge("discovery.undeclared-services", only_ssh, &p);
	assert_int_equal(j->verdict.verdict, VERDICT_PASS);
	assert_matches(j->verdict.summary,
		       "^found 1 service on 1 address, all declared: tcp/22 ssh \\(declared "
		       "services missing: see the warnings\\)$");
	assert_int_equal(count(j, FINDING_WARNING), 2);
	judged_free(j);
}

static void test_undeclared_empty_and_broken(void **state)
{
	(void)state;
	struct profile p = camera_profile();
	struct judged *j = judge("discovery.undeclared-services", no_addresses, &p);
	assert_int_equal(j->rc, 0);
	assert_int_equal(j->verdict.verdict, VERDICT_INCONCLUSIVE);
	assert_matches(j->verdict.summary, "no address");
	judged_free(j);

	/* A DUT that answered nothing proves nothing: no judge may pass on it. */
	const char *const judges[] = {"discovery.undeclared-services", "discovery.debug-services",
				      "discovery.unauth-disclosure"};
	for (size_t k = 0; k < DL_ARRAY_SIZE(judges); k++) {
		j = judge(judges[k], silent_dut, &p);
		assert_int_equal(j->rc, 0);
		assert_int_equal(j->verdict.verdict, VERDICT_INCONCLUSIVE);
		assert_matches(j->verdict.summary, "198.18.1.2 answered nothing");
		judged_free(j);
	}
	/* ... and cannot be said to run no UPnP, SNMP or Bonjour either. */
	j = judge("discovery.device-info-protocols", silent_dut, &p);
	assert_int_equal(j->verdict.verdict, VERDICT_MANUAL);
	assert_matches(j->verdict.summary, "^could not tell which of UPnP, SNMP, Bonjour run: "
					   "198.18.1.2 answered nothing");
	judged_free(j);

	j = judge("discovery.undeclared-services", "{}", &p);
	assert_int_equal(j->rc, DL_EINVAL);
	assert_matches(j->err.message, "'addresses' is missing");
	judged_free(j);

	j = judge("discovery.undeclared-services", port_missing, &p);
	assert_int_equal(j->rc, DL_EINVAL);
	assert_matches(j->err.message, "addresses\\[0\\]\\.tcp\\.open\\[0\\]: 'port' is missing");
	judged_free(j);

	j = judge("discovery.undeclared-services", udp_missing, &p);
	assert_int_equal(j->rc, DL_EINVAL);
	assert_matches(j->err.message, "addresses\\[0\\]: 'udp' is missing");
	judged_free(j);

	j = judge("discovery.undeclared-services", NULL, &p);
	assert_int_equal(j->rc, DL_EINVAL);
	judged_free(j);

	j = judge("discovery.undeclared-services", "[1, 2]", &p);
	assert_int_equal(j->rc, DL_EINVAL);
	judged_free(j);

	/* the catalog's parameter: only the profile's declaration is a reference */
	const struct check *c = check_find("discovery.undeclared-services");
	struct json_object *o = json_tokener_parse(good_camera);
	struct check_param declared = {"reference", "declared"}, other = {"reference", "nmap"};
	struct check_params params = {&declared, 1};
	struct check_verdict v;
	memset(&v, 0, sizeof(v));
	struct dl_error err = {0};
	assert_int_equal(c->judge(o, &params, &p, &v, &err), 0);
	assert_int_equal(v.verdict, VERDICT_PASS);
	check_verdict_release(&v);
	params.items = &other;
	assert_int_equal(c->judge(o, &params, &p, &v, &err), DL_EINVAL);
	assert_matches(err.message, "reference 'nmap' is not known");
	check_verdict_release(&v);
	json_object_put(o);
}

/* A service found on two addresses is named once in a summary. */
static void test_summary_lists_once(void **state)
{
	(void)state;
	struct profile p = camera_profile();
	static const char twice[] =
		"{\"version\": 1, \"addresses\": ["
		"{\"address\": \"198.18.2.2\", \"tcp\": " TCP(
			SERVICE_TELNET,
			"true") ","
				" \"udp\": {\"probed\": [], \"services\": []}},"
				"{\"address\": \"fd00:198:0:2::2\", \"tcp\": " TCP(
					SERVICE_TELNET,
					"true") ","
						" \"udp\": {\"probed\": [], \"services\": []}}]}";
	struct judged *j = judge("discovery.debug-services", twice, &p);
	assert_int_equal(j->verdict.verdict, VERDICT_FAIL);
	assert_matches(j->verdict.summary, "^1 debug or shell service is reachable over the "
					   "network \\(2 addresses scanned\\): tcp/23 telnet$");
	assert_int_equal(count(j, FINDING_FAIL), 2);
	assert_non_null(find(j, FINDING_FAIL, "on fd00:198:0:2::2 is a debug"));
	judged_free(j);
	j = judge("discovery.undeclared-services", twice, &p);
	assert_matches(j->verdict.summary, "^1 of 1 service found on 2 addresses is not "
					   "declared in the profile: tcp/23$");
	judged_free(j);
}

/* ---- debug-services ---- */

static void test_debug(void **state)
{
	(void)state;
	struct profile p = camera_profile();
	struct judged *j = judge("discovery.debug-services", good_camera, &p);
	assert_int_equal(j->rc, 0);
	assert_int_equal(j->verdict.verdict, VERDICT_PASS);
	assert_matches(j->verdict.summary,
		       "^no debug or shell service among the 3 services "
		       "examined on 1 address: tcp/22 ssh, tcp/443 https, tcp/554 rtsp$");
	judged_free(j);

	j = judge("discovery.debug-services", bad_camera, &p);
	assert_int_equal(j->verdict.verdict, VERDICT_FAIL);
	assert_matches(j->verdict.summary, "^1 debug or shell service is reachable over the "
					   "network \\(2 addresses scanned\\): tcp/23 telnet$");
	const struct finding *f =
		find(j, FINDING_FAIL,
		     "^tcp/23 \\(telnet, busybox telnetd\\) on 198\\.18\\.2\\.2 is "
		     "a debug or shell service reachable over the network: "
		     "telnet: an unencrypted remote shell$");
	assert_non_null(f);
	assert_string_equal(f->evidence, "evidence/discovery/198.18.2.2-tcp-23.pcapng");
	judged_free(j);

	j = judge("discovery.debug-services", cut_short, &p);
	assert_int_equal(j->verdict.verdict, VERDICT_INCONCLUSIVE);
	judged_free(j);

	j = judge("discovery.debug-services", port_missing, &p);
	assert_int_equal(j->rc, DL_EINVAL);
	judged_free(j);
}

/* ---- device-info-protocols ---- */

static void test_device_info(void **state)
{
	(void)state;
	struct profile p = camera_profile();
	struct judged *j = judge("discovery.device-info-protocols", bad_camera, &p);
	assert_int_equal(j->rc, 0);
	assert_int_equal(j->verdict.verdict, VERDICT_MANUAL);
	assert_matches(j->verdict.summary,
		       "^detected: SNMP; the on/off toggle needs an adapter: confirm that the "
		       "user can switch off UPnP, SNMP and Bonjour$");
	const struct finding *snmp =
		find(j, FINDING_INFO, "^SNMP answered on fd00:198:0:2::2 udp/161: SNMPv2c");
	assert_non_null(snmp);
	assert_string_equal(snmp->evidence, "evidence/discovery/fd00_198_0_2__2-udp-161.pcapng");
	assert_non_null(find(j, FINDING_INFO,
			     "^UPnP/SSDP did not answer on 198\\.18\\.2\\.2 "
			     "udp/1900 \\(port closed"));
	assert_non_null(find(j, FINDING_INFO,
			     "^Bonjour/mDNS did not answer on 198\\.18\\.2\\.2 "
			     "udp/5353 \\(no reply\\)$"));
	assert_int_equal(count(j, FINDING_FAIL), 0);
	judged_free(j);

	j = judge("discovery.device-info-protocols", good_camera, &p);
	assert_int_equal(j->verdict.verdict, VERDICT_MANUAL);
	assert_matches(j->verdict.summary, "^detected: none of UPnP, SNMP, Bonjour;");
	judged_free(j);

	/* nothing probed: say so instead of implying silence */
	j = judge("discovery.device-info-protocols", no_addresses, &p);
	assert_int_equal(j->verdict.verdict, VERDICT_MANUAL);
	assert_int_equal(count(j, FINDING_WARNING), 3);
	judged_free(j);

	j = judge("discovery.device-info-protocols", "{\"addresses\": 3}", &p);
	assert_int_equal(j->rc, DL_EINVAL);
	judged_free(j);
}

/* ---- unauth-disclosure ---- */

static void test_unauth_disclosure(void **state)
{
	(void)state;
	struct profile p = camera_profile();
	struct judged *j = judge("discovery.unauth-disclosure", good_camera, &p);
	assert_int_equal(j->rc, 0);
	assert_int_equal(j->verdict.verdict, VERDICT_PASS);
	assert_matches(j->verdict.summary,
		       "^examined 3 services on 1 address; 1 disclosure, all declared: ");
	assert_non_null(find(j, FINDING_PASS,
			     "^tcp/22 \\(ssh, OpenSSH 9\\.2p1\\) on 198\\.18\\.1\\.2 "
			     "tells an unauthenticated party its software version "
			     "\\(banner: SSH banner 'SSH-2\\.0-OpenSSH_9\\.2p1'\\), as "
			     "its declaration allows: 'version'$"));
	judged_free(j);

	j = judge("discovery.unauth-disclosure", bad_camera, &p);
	assert_int_equal(j->verdict.verdict, VERDICT_FAIL);
	assert_matches(j->verdict.summary, "^2 undeclared disclosures to an unauthenticated "
					   "party, by tcp/23 telnet, udp/161 snmp$");
	const struct finding *snmp = find(
		j, FINDING_FAIL,
		"^udp/161 \\(snmp\\) on fd00:198:0:2::2 tells an unauthenticated party device "
		"information \\(reply to snmp-v2c-public: SNMP sysDescr = 'Acme CAM-100'\\); the "
		"service is not declared in the profile at all$");
	assert_non_null(snmp);
	assert_string_equal(snmp->evidence, "evidence/discovery/fd00_198_0_2__2-udp-161.pcapng");
	judged_free(j);

	/* a declared service disclosing what it did not declare */
	static const char https_content[] =
		"{\"version\": 1, \"addresses\": [{\"address\": \"198.18.1.2\","
		" \"tcp\": " TCP("{\"port\": 443, \"service\": \"https\", \"tls\": true,"
				 " \"disclosures\": [{\"kind\": \"content\", \"source\": \"GET / "
				 "without credentials\", \"text\": \"200 with 512 bytes\"}]}",
				 "true") ","
					 " \"udp\": {\"probed\": [], \"services\": []}}]}";
	j = judge("discovery.unauth-disclosure", https_content, &p);
	assert_int_equal(j->verdict.verdict, VERDICT_FAIL);
	assert_non_null(find(j, FINDING_FAIL,
			     "content without a login .*the profile does not "
			     "declare that this service discloses 'content'$"));
	judged_free(j);

	static const char bad_disclosure[] =
		"{\"version\": 1, \"addresses\": [{\"address\": \"198.18.1.2\","
		" \"tcp\": " TCP("{\"port\": 22, \"disclosures\": [{\"text\": \"no kind\"}]}",
				 "true") ","
					 " \"udp\": {\"probed\": [], \"services\": []}}]}";
	j = judge("discovery.unauth-disclosure", bad_disclosure, &p);
	assert_int_equal(j->rc, DL_EINVAL);
	assert_matches(j->err.message, "disclosures\\[0\\]: 'kind' is missing");
	judged_free(j);

	j = judge("discovery.unauth-disclosure", no_addresses, &p);
	assert_int_equal(j->verdict.verdict, VERDICT_INCONCLUSIVE);
	judged_free(j);
}

static void test_registry(void **state)
{
	(void)state;
	const struct collector *scan = collector_find("discovery.scan");
	assert_non_null(scan);
	assert_non_null(scan->collect);
	assert_true(scan->timeout_seconds >= scan->expected_seconds);
	static const char *const ids[] = {
		"discovery.debug-services",
		"discovery.device-info-protocols",
		"discovery.unauth-disclosure",
		"discovery.undeclared-services",
	};
	for (size_t i = 0; i < DL_ARRAY_SIZE(ids); i++) {
		const struct check *c = check_find(ids[i]);
		assert_non_null(c);
		assert_ptr_equal(c->collector, scan);
		assert_non_null(c->params);
		assert_non_null(c->judge);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_undeclared_pass),
		cmocka_unit_test(test_undeclared_fail),
		cmocka_unit_test(test_undeclared_declared_missing),
		cmocka_unit_test(test_undeclared_empty_and_broken),
		cmocka_unit_test(test_debug),
		cmocka_unit_test(test_device_info),
		cmocka_unit_test(test_unauth_disclosure),
		cmocka_unit_test(test_summary_lists_once),
		cmocka_unit_test(test_registry),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
