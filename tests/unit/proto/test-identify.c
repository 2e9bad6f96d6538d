/* test-identify: service identification from real banners (sshd, busybox telnetd, nginx, gdbserver,
 * GStreamer) */
#include "core/compat.h"

#include <setjmp.h>
#include <cmocka.h>

#include "checks/discovery/identify.h"
#include "core/error.h"
#include "vectors.h"

static bool has_disclosure(const struct service_identity *id, const char *kind, const char *part)
{
	for (size_t i = 0; i < id->disclosure_count; i++)
		if (strcmp(id->disclosures[i].kind, kind) == 0 &&
		    strstr(id->disclosures[i].text, part))
			return true;
	return false;
}

static void identify_vector(const char *name, uint16_t port, struct service_identity *id)
{
	static uint8_t buf[VECTOR_MAX];
	size_t len = vector_load(name, buf);
	assert_int_equal(identify_service(port, buf, len, false, id), 0);
}

static void test_openssh(void **state)
{
	(void)state;
	struct service_identity id;
	identify_vector("ssh-banner", 22, &id);
	assert_string_equal(id.service, "ssh");
	assert_string_equal(id.product, "OpenSSH");
	assert_string_equal(id.version, "9.2p1");
	assert_false(id.debug);
	assert_string_equal(id.method, "banner");
	assert_true(has_disclosure(&id, "version", "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u10"));
	assert_int_equal(id.disclosure_count, 1); /* the version, comment included; nothing else */
	/* dropbear on another port */
	const char dropbear[] = "SSH-2.0-dropbear_2022.83\r\n";
	assert_int_equal(
		identify_service(2222, (const uint8_t *)dropbear, sizeof(dropbear) - 1, false, &id),
		0);
	assert_string_equal(id.product, "dropbear");
	assert_string_equal(id.version, "2022.83");
}

static void test_busybox_telnetd(void **state)
{
	(void)state;
	struct service_identity id;
	identify_vector("telnet-banner", 23, &id);
	assert_string_equal(id.service, "telnet");
	assert_true(id.debug);
	assert_non_null(strstr(id.detail, "Debian GNU/Linux 12"));
	assert_true(has_disclosure(&id, "device-info", "Debian GNU/Linux 12"));
	/* the same negotiation on an unusual port is still telnet */
	identify_vector("telnet-banner", 9999, &id);
	assert_string_equal(id.service, "telnet");
	assert_true(id.debug);
	/* A greeting naming BusyBox "v1.22.1": the version without its 'v'. */
	const uint8_t greeting[] = "\xff\xfd\x01\xff\xfb\x01\r\nAcme CAM-100 firmware 1.0.4 "
				   "(BusyBox v1.22.1) cam-100-0002 login: ";
	assert_int_equal(identify_service(23, greeting, sizeof(greeting) - 1, false, &id), 0);
	assert_string_equal(id.product, "BusyBox");
	assert_string_equal(id.version, "1.22.1");
	assert_true(has_disclosure(&id, "version", "BusyBox 1.22.1"));
	/* RFC 2217: WILL COM-PORT-OPTION */
	const uint8_t com[] = {0xff, 0xfb, 44, 0xff, 0xfb, 1};
	assert_int_equal(identify_service(7000, com, sizeof(com), false, &id), 0);
	assert_string_equal(id.service, "rfc2217");
	assert_true(id.debug);
}

static void test_nginx(void **state)
{
	(void)state;
	struct service_identity id;
	identify_vector("http-reply", 80, &id);
	assert_string_equal(id.service, "http");
	assert_string_equal(id.product, "nginx");
	assert_string_equal(id.version, "1.22.1");
	assert_true(has_disclosure(&id, "version", "nginx/1.22.1"));
	assert_int_equal(id.disclosure_count,
			 1); /* a 200 alone is not content: it may be a login */
	identify_vector("http-reply", 443, &id);
	assert_int_equal(identify_service(443,
					  (const uint8_t *)"HTTP/1.1 401 Unauthorized\r\n"
							   "Server: nginx\r\n\r\n",
					  44, true, &id),
			 0);
	assert_string_equal(id.service, "https");
	assert_string_equal(id.product, "nginx");
	assert_string_equal(id.version, "");
	assert_int_equal(id.disclosure_count, 0);
}

static void test_gdbserver(void **state)
{
	(void)state;
	struct service_identity id;
	identify_vector("gdbserver-reply", 2345, &id);
	assert_string_equal(id.service, "gdbserver");
	assert_true(id.debug);
	assert_string_equal(id.method, "probe-reply");
	assert_non_null(strstr(id.detail, "PacketSize=47ff"));
	/* a bad checksum is not gdb */
	const char bad[] = "+$OK#00";
	assert_int_equal(identify_service(2345, (const uint8_t *)bad, sizeof(bad) - 1, false, &id),
			 0);
	assert_string_equal(id.method, "port"); /* named after the port, not the reply */
	assert_true(id.debug);                  /* 2345 is a known debug port */
	const char ok[] = "+$OK#9a";
	assert_int_equal(identify_service(1, (const uint8_t *)ok, sizeof(ok) - 1, false, &id), 0);
	assert_string_equal(id.service, "gdbserver");
}

static void test_gstreamer_rtsp(void **state)
{
	(void)state;
	struct service_identity id;
	identify_vector("rtsp-options-reply", 554, &id);
	assert_string_equal(id.service, "rtsp");
	assert_string_equal(id.product, "GStreamer");
	assert_false(id.debug);
	assert_non_null(strstr(id.detail, "DESCRIBE"));
	const char hik[] = "RTSP/1.0 401 Unauthorized\r\nCSeq: 1\r\nServer: Hikvision-Webs/2.0\r\n"
			   "WWW-Authenticate: Digest realm=\"x\"\r\n\r\n";
	assert_int_equal(identify_service(554, (const uint8_t *)hik, sizeof(hik) - 1, false, &id),
			 0);
	assert_string_equal(id.product, "Hikvision-Webs");
	assert_string_equal(id.version, "2.0");
	assert_true(has_disclosure(&id, "version", "Hikvision-Webs/2.0"));

	/* The same reply read inside TLS: RTSP over TLS (RTSPS). */
	static uint8_t buf[VECTOR_MAX];
	size_t len = vector_load("rtsp-options-reply", buf);
	assert_int_equal(identify_service(322, buf, len, true, &id), 0);
	assert_string_equal(id.service, "rtsps");
	assert_string_equal(id.product, "GStreamer");
}

static void test_other_services(void **state)
{
	(void)state;
	struct service_identity id;
	const uint8_t tls[] = {0x16, 0x03, 0x03, 0x00, 0x7a, 0x02};
	assert_int_equal(identify_service(8443, tls, sizeof(tls), false, &id), 0);
	assert_string_equal(id.service, "tls");
	/* ADB CNXN reply (protocol.txt) */
	uint8_t adb[64] = {'C', 'N', 'X', 'N', 0, 0, 0, 1, 0, 0, 4, 0, 34, 0, 0, 0};
	memcpy(adb + 24, "device::ro.product.name=cam100;", 31);
	assert_int_equal(identify_service(5555, adb, 24 + 31, false, &id), 0);
	assert_string_equal(id.service, "adb");
	assert_true(id.debug);
	assert_true(has_disclosure(&id, "device-info", "ro.product.name=cam100"));
	const char ftp[] = "220 (vsFTPd 3.0.3)\r\n";
	assert_int_equal(identify_service(21, (const uint8_t *)ftp, sizeof(ftp) - 1, false, &id),
			 0);
	assert_string_equal(id.service, "ftp");
	assert_string_equal(id.product, "vsFTPd");
	assert_string_equal(id.version, "3.0.3");
	const char smtp[] = "220 mail.example.test ESMTP Postfix (Debian/GNU)\r\n";
	assert_int_equal(identify_service(25, (const uint8_t *)smtp, sizeof(smtp) - 1, false, &id),
			 0);
	assert_string_equal(id.service, "smtp");
	const char vnc[] = "RFB 003.008\n";
	assert_int_equal(identify_service(5900, (const uint8_t *)vnc, sizeof(vnc) - 1, false, &id),
			 0);
	assert_string_equal(id.service, "vnc");
	assert_string_equal(id.version, "3.8");
	const uint8_t connack[] = {0x20, 0x02, 0x00, 0x00};
	assert_int_equal(identify_service(1883, connack, sizeof(connack), false, &id), 0);
	assert_string_equal(id.service, "mqtt");
	assert_true(has_disclosure(&id, "content", "anonymous"));
	const char redis[] = "-NOAUTH Authentication required.\r\n";
	assert_int_equal(
		identify_service(6379, (const uint8_t *)redis, sizeof(redis) - 1, false, &id), 0);
	assert_string_equal(id.service, "redis");
	/* MariaDB handshake v10 */
	uint8_t mysql[64] = {0x30, 0, 0, 0, 0x0a};
	memcpy(mysql + 5, "5.5.5-10.11.6-MariaDB-0+deb12u1", 32);
	assert_int_equal(identify_service(3306, mysql, 4 + 0x30, false, &id), 0);
	assert_string_equal(id.service, "mysql");
	assert_string_equal(id.product, "MariaDB");
	const char ser2net[] = "ser2net port 2000 device /dev/ttyS0 [115200 N81]\r\n";
	assert_int_equal(
		identify_service(2000, (const uint8_t *)ser2net, sizeof(ser2net) - 1, false, &id),
		0);
	assert_string_equal(id.service, "ser2net");
	assert_true(id.debug);
}

static void test_silent_and_unknown(void **state)
{
	(void)state;
	struct service_identity id;
	assert_int_equal(identify_service(9527, NULL, 0, false, &id), 0);
	assert_true(id.debug);
	assert_string_equal(id.method, "port");
	assert_non_null(strstr(id.detail, "vendor debug console"));
	assert_int_equal(identify_service(40000, NULL, 0, false, &id), 0);
	assert_string_equal(id.service, "unknown");
	assert_false(id.debug);
	const char junk[] = "\x01\x02hello";
	assert_int_equal(identify_service(40000, (const uint8_t *)junk, 7, false, &id), 0);
	assert_string_equal(id.service, "unknown");
	assert_non_null(strstr(id.detail, "..hello"));
	assert_int_equal(identify_service(1, NULL, 0, false, NULL), DL_EINVAL);
}

static void test_probes_and_hints(void **state)
{
	(void)state;
	const struct identify_probe *p = identify_probe_for(554);
	assert_non_null(p);
	assert_memory_equal(p->bytes, "OPTIONS * RTSP/1.0\r\nCSeq: 1\r\n", 29);
	p = identify_probe_for(2345);
	assert_int_equal(p->len, 15);
	assert_memory_equal(p->bytes, "+$qSupported#37", 15);
	assert_int_equal(identify_probe_for(80)->bytes[0], 'G');
	assert_ptr_equal(identify_probe_for(322), identify_probe_for(554));
	assert_string_equal(identify_port_hint("tcp", 322), "rtsps");
	assert_int_equal(identify_probe_for(5555)->len, 31);
	assert_null(identify_probe_for(22));
	assert_null(identify_probe_for(23));
	assert_string_equal(identify_port_hint("tcp", 22), "ssh");
	assert_string_equal(identify_port_hint("udp", 161), "snmp");
	assert_string_equal(identify_port_hint("udp", 5353), "mdns");
	assert_null(identify_port_hint("udp", 22));
	assert_null(identify_port_hint("sctp", 22));
	assert_non_null(identify_debug_port_reason(5555));
	assert_null(identify_debug_port_reason(443));
}

static void test_disclosure_list_is_bounded(void **state)
{
	(void)state;
	struct disclosure list[DISCLOSURES_MAX];
	size_t count = 0;
	char big[400];
	memset(big, 'v', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	for (int i = 0; i < 20; i++)
		identify_add_disclosure(list, &count, DISCLOSURE_KIND_VERSION, big);
	assert_int_equal(count, DISCLOSURES_MAX);
	assert_int_equal(strlen(list[0].text), DISCLOSURE_TEXT_MAX - 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_openssh),
		cmocka_unit_test(test_busybox_telnetd),
		cmocka_unit_test(test_nginx),
		cmocka_unit_test(test_gdbserver),
		cmocka_unit_test(test_gstreamer_rtsp),
		cmocka_unit_test(test_other_services),
		cmocka_unit_test(test_silent_and_unknown),
		cmocka_unit_test(test_probes_and_hints),
		cmocka_unit_test(test_disclosure_list_is_bounded),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
