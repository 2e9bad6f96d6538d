/* test-soap: SOAP envelopes and faults as ONVIF devices send them, malformed XML, and the
 * WS-Security digest */
#include "core/compat.h"

#include <setjmp.h>
#include <cmocka.h>

#include "core/error.h"
#include "proto/soap.h"

static int parse(const char *xml, struct soap_message *m, struct dl_error *err)
{
	return soap_parse((const uint8_t *)xml, strlen(xml), m, err);
}

/* the fault the ONVIF Core Specification (5.11.2.2) gives for a bad UsernameToken */
static const char not_authorized[] =
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	"<env:Envelope xmlns:env=\"http://www.w3.org/2003/05/soap-envelope\"\n"
	"  xmlns:ter=\"http://www.onvif.org/ver10/error\">\n"
	"<env:Body><env:Fault>\n"
	"  <env:Code><env:Value>env:Sender</env:Value>\n"
	"    <env:Subcode><env:Value>ter:NotAuthorized</env:Value>\n"
	"      <env:Subcode><env:Value>ter:Deeper</env:Value></env:Subcode>\n"
	"    </env:Subcode></env:Code>\n"
	"  <env:Reason><env:Text xml:lang=\"en\">Sender not\n   authorized &amp; &#x263A;"
	"</env:Text><env:Text xml:lang=\"de\">nein</env:Text></env:Reason>\n"
	"</env:Fault></env:Body></env:Envelope>\n";

static void test_fault_12(void **state)
{
	(void)state;
	struct soap_message m;
	struct dl_error err = {0};
	assert_int_equal(parse(not_authorized, &m, &err), 0);
	assert_int_equal(m.version, SOAP_VERSION_12);
	assert_true(m.has_body);
	assert_false(m.has_header);
	assert_true(m.is_fault);
	assert_string_equal(m.body_element, "Fault");
	assert_string_equal(m.code, "env:Sender");
	assert_string_equal(m.subcode, "ter:NotAuthorized"); /* the first, not the deepest */
	assert_string_equal(soap_local_name(m.subcode), "NotAuthorized");
	assert_string_equal(m.reason, "Sender not authorized & \xe2\x98\xba");
}

static void test_response(void **state)
{
	(void)state;
	const char *xml = "<s:Envelope xmlns:s='http://www.w3.org/2003/05/soap-envelope' "
			  "xmlns:tds=\"http://www.onvif.org/ver10/device/wsdl\"><s:Header/>"
			  "<s:Body><tds:GetDeviceInformationResponse><tds:Manufacturer>dutlab"
			  "</tds:Manufacturer><tds:Model>fixture</tds:Model>"
			  "</tds:GetDeviceInformationResponse></s:Body></s:Envelope>";
	struct soap_message m;
	struct dl_error err = {0};
	assert_int_equal(parse(xml, &m, &err), 0);
	assert_int_equal(m.version, SOAP_VERSION_12);
	assert_true(m.has_header);
	assert_false(m.is_fault);
	assert_string_equal(m.body_element, "GetDeviceInformationResponse");
	assert_string_equal(m.code, "");
	assert_int_equal(m.elements, 6);
}

static void test_fault_11(void **state)
{
	(void)state;
	const char *xml = "<SOAP-ENV:Envelope xmlns:SOAP-ENV=\"http://schemas.xmlsoap.org/soap/"
			  "envelope/\"><SOAP-ENV:Body><SOAP-ENV:Fault><faultcode>SOAP-ENV:Client"
			  "</faultcode><faultstring><![CDATA[Bad <user>]]></faultstring>"
			  "</SOAP-ENV:Fault></SOAP-ENV:Body></SOAP-ENV:Envelope>";
	struct soap_message m;
	struct dl_error err = {0};
	assert_int_equal(parse(xml, &m, &err), 0);
	assert_int_equal(m.version, SOAP_VERSION_11);
	assert_true(m.is_fault);
	assert_string_equal(m.code, "SOAP-ENV:Client");
	assert_string_equal(m.reason, "Bad <user>");
}

/* well-formed, but not SOAP: an HTML error page, a wrong namespace */
static void test_not_soap(void **state)
{
	(void)state;
	struct soap_message m;
	struct dl_error err = {0};
	assert_int_equal(parse("<html><body><Fault>x</Fault></body></html>", &m, &err), 0);
	assert_int_equal(m.version, SOAP_VERSION_NONE);
	assert_false(m.is_fault);
	assert_int_equal(parse("<e:Envelope xmlns:e='urn:other'><e:Body><e:Fault/></e:Body>"
			       "</e:Envelope>",
			       &m, &err),
			 0);
	assert_int_equal(m.version, SOAP_VERSION_NONE);
	assert_false(m.is_fault);
	/* the namespace of another prefix does not count */
	assert_int_equal(parse("<e:Envelope xmlns:f='http://www.w3.org/2003/05/soap-envelope'>"
			       "<e:Body/></e:Envelope>",
			       &m, &err),
			 0);
	assert_int_equal(m.version, SOAP_VERSION_NONE);
	/* a default namespace does */
	assert_int_equal(parse("<Envelope xmlns=\"http://www.w3.org/2003/05/soap-envelope\">"
			       "<Body><Fault><Code><Value>Receiver</Value></Code></Fault></Body>"
			       "</Envelope>",
			       &m, &err),
			 0);
	assert_int_equal(m.version, SOAP_VERSION_12);
	assert_string_equal(m.code, "Receiver");
}

static void expect_error(const char *xml, const char *reason)
{
	struct soap_message m;
	struct dl_error err = {0};
	assert_int_equal(parse(xml, &m, &err), DL_EPROTO);
	if (!strstr(err.message, reason))
		fail_msg("'%s': message '%s' lacks '%s'", xml, err.message, reason);
	assert_int_equal(m.version, SOAP_VERSION_NONE);
}

static void test_malformed(void **state)
{
	(void)state;
	expect_error("", "no element");
	expect_error("   ", "no element");
	expect_error("<a>", "ends inside an element");
	expect_error("<a></b>", "does not match");
	expect_error("<a><b></a></b>", "does not match");
	expect_error("<a", "tag not closed");
	expect_error("<a x='1></a>", "'<' in an attribute");
	expect_error("<a x='1", "value not closed");
	expect_error("<a x=1></a>", "not quoted");
	expect_error("<a x></a>", "without '='");
	expect_error("<a x='1'y='2'></a>", "no space before");
	expect_error("<!DOCTYPE a [<!ENTITY e 'x'>]><a>&e;</a>", "DTD");
	expect_error("<a>&e;</a>", "unknown entity");
	expect_error("<a>&#0;</a>", "character reference");
	expect_error("<a>&#xD800;</a>", "character reference");
	expect_error("<a>&#99999999;</a>", "out of range");
	expect_error("<a>&#12</a>", "character reference");
	expect_error("<a/><b/>", "second root");
	expect_error("x<a/>", "outside the root");
	expect_error("<a><!-- x </a>", "comment not closed");
	expect_error("<a/ >", "'/' not followed");
	expect_error("<1a/>", "name expected");
	char deep[33 * 3 + 1];
	for (int i = 0; i < 33; i++)
		memcpy(deep + 3 * i, "<a>", 3);
	deep[33 * 3] = '\0';
	expect_error(deep, "deeper than 32");
	char name[100] = "<";
	memset(name + 1, 'n', 80);
	name[81] = '/';
	name[82] = '>';
	name[83] = '\0';
	expect_error(name, "name too long");
	/* every prefix of a valid fault fails or parses, never reads past its end */
	size_t n = strlen(not_authorized);
	for (size_t k = 0; k < n; k++) {
		char *copy = malloc(k ? k : 1);
		assert_non_null(copy);
		memcpy(copy, not_authorized, k);
		struct soap_message m;
		struct dl_error err = {0};
		int rc = soap_parse((const uint8_t *)copy, k, &m, &err);
		if (rc == 0)
			assert_true(k >= n - 1); /* only the trailing newline may go */
		else
			assert_non_null(strstr(err.message, "soap: "));
		free(copy);
	}
}

static void test_limits(void **state)
{
	(void)state;
	struct soap_message m;
	struct dl_error err = {0};
	assert_int_equal(soap_parse((const uint8_t *)"<a/>", SOAP_DOCUMENT_MAX + 1, &m, &err),
			 DL_EPROTO);
	assert_non_null(strstr(err.message, "at most"));
	/* a reason longer than the field is cut, still terminated */
	char *xml = malloc(4096);
	assert_non_null(xml);
	int at = snprintf(xml, 4096, "%s",
			  "<e:Envelope xmlns:e='http://www.w3.org/2003/05/soap-envelope'><e:Body>"
			  "<e:Fault><e:Reason><e:Text>");
	memset(xml + at, 'r', 1000);
	snprintf(xml + at + 1000, 4096 - (size_t)at - 1000, "%s",
		 "</e:Text></e:Reason></e:Fault></e:Body></e:Envelope>");
	assert_int_equal(parse(xml, &m, &err), 0);
	assert_int_equal(strlen(m.reason), SOAP_TEXT_MAX - 1);
	free(xml);
}

/* the example of the ONVIF Application Programmer's Guide (6.1.1.3) */
static void test_digest(void **state)
{
	(void)state;
	const uint8_t nonce[] = {0x2c, 0xaa, 0x88, 0xe8, 0x6f, 0xc0, 0x8a, 0x42,
				 0x82, 0x42, 0xb3, 0x74, 0xce, 0xa6, 0x45, 0x96};
	char digest[SOAP_DIGEST_MAX];
	struct dl_error err = {0};
	assert_int_equal(soap_password_digest(nonce, sizeof(nonce), "2010-09-16T07:50:45Z",
					      "userpassword", digest, sizeof(digest), &err),
			 0);
	assert_string_equal(digest, "tuOSpGlFlIXsozq4HFNeeGeFLEI=");
	assert_int_equal(soap_password_digest(nonce, 0, "x", "y", digest, sizeof(digest), &err),
			 DL_EINVAL);
	assert_int_equal(soap_password_digest(nonce, 16, "x", "y", digest, 8, &err), DL_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fault_12),  cmocka_unit_test(test_response),
		cmocka_unit_test(test_fault_11),  cmocka_unit_test(test_not_soap),
		cmocka_unit_test(test_malformed), cmocka_unit_test(test_limits),
		cmocka_unit_test(test_digest),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
