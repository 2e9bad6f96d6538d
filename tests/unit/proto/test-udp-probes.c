/* test-udp-probes: each UDP probe builds a valid request and describes the real daemon's reply */
#include "core/compat.h"

#include <setjmp.h>
#include <cmocka.h>

#include "checks/discovery/udp-probes.h"
#include "core/error.h"
#include "vectors.h"

static const struct udp_probe *probe_named(const char *name)
{
	for (size_t i = 0; i < udp_probe_count; i++)
		if (strcmp(udp_probes[i].name, name) == 0)
			return &udp_probes[i];
	fail_msg("no probe '%s'", name);
	return NULL;
}

static bool has_disclosure(const struct udp_probe_result *r, const char *kind, const char *part)
{
	for (size_t i = 0; i < r->disclosure_count; i++)
		if (strcmp(r->disclosures[i].kind, kind) == 0 &&
		    strstr(r->disclosures[i].text, part))
			return true;
	return false;
}

static void describe_vector(const char *probe, const char *vector, struct udp_probe_result *r)
{
	static uint8_t buf[VECTOR_MAX];
	size_t len = vector_load(vector, buf);
	struct dl_error err = {0};
	const struct udp_probe *p = probe_named(probe);
	int rc = p->describe(buf, len, r, &err);
	if (rc != 0)
		fail_msg("%s on %s: %s", probe, vector, err.message);
}

static void test_table(void **state)
{
	(void)state;
	const char *services[] = {"snmp", "ssdp", "mdns", "ntp", "tftp", "syslog"};
	const uint16_t ports[] = {161, 1900, 5353, 123, 69, 514};
	for (size_t s = 0; s < DL_ARRAY_SIZE(services); s++) {
		bool found = false;
		for (size_t i = 0; i < udp_probe_count; i++)
			if (strcmp(udp_probes[i].service, services[s]) == 0) {
				found = true;
				assert_int_equal(udp_probes[i].port, ports[s]);
			}
		assert_true(found);
	}
	assert_null(probe_named("syslog-notice")->describe);
	for (size_t i = 0; i < udp_probe_count; i++) {
		uint8_t buf[UDP_PROBE_PAYLOAD_MAX];
		size_t len = 0;
		struct dl_error err = {0};
		assert_int_equal(udp_probes[i].build(buf, sizeof(buf), &len, "198.18.1.2", &err),
				 0);
		assert_true(len > 0 && len <= sizeof(buf));
		for (size_t j = i + 1; j < udp_probe_count; j++)
			assert_string_not_equal(udp_probes[i].name, udp_probes[j].name);
		/* a buffer too small fails instead of overflowing */
		assert_true(udp_probes[i].build(buf, 8, &len, "198.18.1.2", &err) < 0);
	}
}

static void test_snmp(void **state)
{
	(void)state;
	struct udp_probe_result r;
	describe_vector("snmp-v2c-public", "snmp-v2c-reply", &r);
	assert_string_equal(r.service, "snmp");
	assert_string_equal(r.summary,
			    "SNMPv2c community 'public' answered: sysDescr 'Linux cam-bad "
			    "6.1.0-28-amd64 #1 SMP PREEMPT_DYNAMIC Debian 6.1.119-1 x86_64'");
	assert_string_equal(r.product, "Linux");
	assert_string_equal(r.version, "6.1.0-28-amd64");
	assert_true(has_disclosure(&r, "version", "Linux 6.1.0-28-amd64"));
	assert_true(has_disclosure(&r, "device-info", "sysName = 'cam-bad'"));
	assert_true(has_disclosure(&r, "device-info", "sysLocation = 'Lab rack 3'"));
	assert_true(has_disclosure(&r, "device-info", "sysContact = 'lab@example.test'"));
	describe_vector("snmp-v1-public", "snmp-v1-reply", &r);
	assert_true(strncmp(r.summary, "SNMPv1 community 'public' answered", 34) == 0);
	/* our own request is not a GetResponse */
	uint8_t buf[UDP_PROBE_PAYLOAD_MAX];
	size_t len;
	struct dl_error err = {0};
	const struct udp_probe *p = probe_named("snmp-v2c-public");
	assert_int_equal(p->build(buf, sizeof(buf), &len, "198.18.1.2", &err), 0);
	assert_int_equal(p->describe(buf, len, &r, &err), DL_EPROTO);
	assert_non_null(strstr(err.message, "not a GetResponse"));
}

static void test_ssdp(void **state)
{
	(void)state;
	struct udp_probe_result r;
	describe_vector("ssdp-msearch", "ssdp-reply", &r);
	assert_string_equal(r.product, "MiniUPnPd");
	assert_string_equal(r.version, "2.3.1");
	assert_true(has_disclosure(&r, "version", "MiniUPnPd/2.3.1"));
	assert_true(has_disclosure(&r, "device-info", "http://198.18.250.2:5000/rootDesc.xml"));
	assert_non_null(strstr(r.summary, "SSDP answered M-SEARCH (status 200)"));
}

static void test_mdns(void **state)
{
	(void)state;
	struct udp_probe_result r;
	describe_vector("mdns-services", "mdns-services-reply", &r);
	assert_string_equal(
		r.summary,
		"mDNS answered (2 records): services _rtsp._tcp.local, _http._tcp.local");
	assert_true(has_disclosure(&r, "device-info", "_http._tcp.local"));
	describe_vector("mdns-services", "mdns-a-reply", &r);
	assert_true(has_disclosure(&r, "device-info", "cam-bad.local"));
}

static void test_ntp_and_tftp(void **state)
{
	(void)state;
	struct udp_probe_result r;
	describe_vector("ntp-client", "ntp-reply", &r);
	assert_string_equal(r.summary,
			    "NTPv4 server answered: stratum 8, refid '127.127.1.1', leap 0");
	assert_true(has_disclosure(&r, "device-info", "127.127.1.1"));
	describe_vector("tftp-rrq", "tftp-error-reply", &r);
	assert_string_equal(r.summary,
			    "TFTP answered RRQ 'dutlab-probe' with error 1 'File not found'");
	assert_int_equal(r.disclosure_count, 0);
	describe_vector("tftp-rrq", "tftp-data-reply", &r);
	assert_true(has_disclosure(&r, "content", "serves files to anyone"));
	/* a malformed reply fails with a reason and an offset */
	const uint8_t short_ntp[] = {0x24, 0x02};
	struct dl_error err = {0};
	assert_int_equal(probe_named("ntp-client")->describe(short_ntp, 2, &r, &err), DL_EPROTO);
	assert_string_equal(err.message,
			    "ntp packet: offset 0: shorter than the 48-byte NTP header (value 2)");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),        cmocka_unit_test(test_snmp),
		cmocka_unit_test(test_ssdp),         cmocka_unit_test(test_mdns),
		cmocka_unit_test(test_ntp_and_tftp),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
