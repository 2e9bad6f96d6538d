/* udp-probes: the UDP discovery probes as one const table: request builders and reply describers */
#include "core/compat.h"

#include <time.h>

#include "checks/discovery/udp-probes.h"
#include "core/error.h"
#include "core/text.h"
#include "proto/mdns.h"
#include "proto/ntp.h"
#include "proto/snmp.h"
#include "proto/ssdp.h"
#include "proto/tftp.h"

/* snprintf whose cut text is intended: reports and summaries are one bounded line */
static void put(char *dst, size_t cap, const char *format, ...)
	__attribute__((format(printf, 3, 4)));

static void put(char *dst, size_t cap, const char *format, ...)
{
	va_list args;
	va_start(args, format);
	vsnprintf(dst, cap, format, args);
	va_end(args);
}

static void result_start(struct udp_probe_result *out, const char *service)
{
	memset(out, 0, sizeof(*out));
	text_copy(out->service, sizeof(out->service), service);
}

static void result_disclose(struct udp_probe_result *out, const char *kind, const char *format, ...)
	__attribute__((format(printf, 3, 4)));

static void result_disclose(struct udp_probe_result *out, const char *kind, const char *format, ...)
{
	char text[DISCLOSURE_TEXT_MAX];
	va_list args;
	va_start(args, format);
	vsnprintf(text, sizeof(text), format, args);
	va_end(args);
	identify_add_disclosure(out->disclosures, &out->disclosure_count, kind, text);
}

/* "Name/1.2" -> product, version; false if token has no '/' followed by a digit. */
static bool token_product(const char *token, size_t n, struct udp_probe_result *out)
{
	const char *slash = memchr(token, '/', n);
	if (!slash || slash == token || (size_t)(slash - token) + 1 >= n || slash[1] < '0' ||
	    slash[1] > '9')
		return false;
	size_t pl = (size_t)(slash - token);
	size_t vl = n - pl - 1;
	if (pl >= sizeof(out->product))
		pl = sizeof(out->product) - 1;
	if (vl >= sizeof(out->version))
		vl = sizeof(out->version) - 1;
	memcpy(out->product, token, pl);
	out->product[pl] = '\0';
	memcpy(out->version, slash + 1, vl);
	out->version[vl] = '\0';
	return true;
}

/* ---- SNMP (RFC 3416): GetRequest for the system group ---- */

static int snmp_build_version(uint8_t *buf, size_t cap, size_t *len, int version,
			      struct dl_error *err)
{
	return snmp_build_get(buf, cap, len, version, "public", UDP_PROBE_SNMP_REQUEST_ID,
			      snmp_system_oids, snmp_system_oid_count, err);
}

static int probe_snmp_v2c_build(uint8_t *buf, size_t cap, size_t *len, const char *target,
				struct dl_error *err)
{
	(void)target;
	return snmp_build_version(buf, cap, len, SNMP_VERSION_2C, err);
}

static int probe_snmp_v1_build(uint8_t *buf, size_t cap, size_t *len, const char *target,
			       struct dl_error *err)
{
	(void)target;
	return snmp_build_version(buf, cap, len, SNMP_VERSION_1, err);
}

static const char *snmp_object_name(const char *oid)
{
	static const struct {
		const char *oid, *name;
	} names[] = {
		{SNMP_OID_SYS_DESCR, "sysDescr"},   {SNMP_OID_SYS_OBJECT_ID, "sysObjectID"},
		{SNMP_OID_SYS_UPTIME, "sysUpTime"}, {SNMP_OID_SYS_CONTACT, "sysContact"},
		{SNMP_OID_SYS_NAME, "sysName"},     {SNMP_OID_SYS_LOCATION, "sysLocation"},
	};
	for (size_t i = 0; i < DL_ARRAY_SIZE(names); i++)
		if (strcmp(names[i].oid, oid) == 0)
			return names[i].name;
	return NULL;
}

static int probe_snmp_describe(const uint8_t *reply, size_t len, struct udp_probe_result *out,
			       struct dl_error *err)
{
	result_start(out, "snmp");
	struct snmp_message m;
	int rc = snmp_parse(reply, len, &m, err);
	if (rc < 0)
		return rc;
	const char *version = m.version == SNMP_VERSION_1 ? "SNMPv1" : "SNMPv2c";
	if (m.pdu_type != SNMP_PDU_GET_RESPONSE)
		return dl_error_set(err, DL_EPROTO,
				    "snmp reply: PDU type 0x%02x is not a GetResponse (0xa2)",
				    m.pdu_type);
	if (m.error_status != 0) {
		put(out->summary, sizeof(out->summary),
		    "%s community '%s' answered with error-status %d (index %d)", version,
		    m.community, m.error_status, m.error_index);
		return 0;
	}
	const struct snmp_varbind *descr = snmp_find(&m, SNMP_OID_SYS_DESCR);
	bool has_descr = descr && descr->type == SNMP_VALUE_STRING;
	put(out->summary, sizeof(out->summary), "%s community '%s' answered: sysDescr '%s'",
	    version, m.community, has_descr ? descr->text : "(not returned)");
	if (has_descr) {
		/* "Linux cam 6.1.0-13-amd64 #1 SMP ...": the OS and its release */
		const char *p = descr->text;
		size_t first = strcspn(p, " ");
		const char *word = p;
		for (int i = 0; i < 4 && *word; i++) {
			size_t wl = strcspn(word, " ");
			if (word[0] >= '0' && word[0] <= '9' && i > 0) {
				size_t pl = first < sizeof(out->product) ? first
									 : sizeof(out->product) - 1;
				memcpy(out->product, p, pl);
				out->product[pl] = '\0';
				size_t vl =
					wl < sizeof(out->version) ? wl : sizeof(out->version) - 1;
				memcpy(out->version, word, vl);
				out->version[vl] = '\0';
				break;
			}
			word += wl;
			while (*word == ' ')
				word++;
		}
		if (out->version[0])
			result_disclose(out, DISCLOSURE_KIND_VERSION, "SNMP sysDescr names %s %s",
					out->product, out->version);
	}
	for (size_t i = 0; i < m.varbind_count; i++) {
		const struct snmp_varbind *vb = &m.varbinds[i];
		const char *name = snmp_object_name(vb->oid);
		if (vb->type >= SNMP_VALUE_NO_SUCH_OBJECT || vb->type == SNMP_VALUE_NULL ||
		    !vb->text[0])
			continue;
		result_disclose(out, DISCLOSURE_KIND_DEVICE_INFO, "SNMP %s = '%s'",
				name ? name : vb->oid, vb->text);
	}
	return 0;
}

/* ---- SSDP (UDA 2.0 1.3): unicast M-SEARCH ssdp:all ---- */

static int probe_ssdp_build(uint8_t *buf, size_t cap, size_t *len, const char *target,
			    struct dl_error *err)
{
	return ssdp_build_msearch(buf, cap, len, target, "ssdp:all", 1, err);
}

static int probe_ssdp_describe(const uint8_t *reply, size_t len, struct udp_probe_result *out,
			       struct dl_error *err)
{
	result_start(out, "ssdp");
	struct ssdp_response r;
	int rc = ssdp_parse_response(reply, len, &r, err);
	if (rc < 0)
		return rc;
	/* SERVER: "OS/version UPnP/2.0 product/version" (UDA 2.0 1.3.3) */
	const char *s = r.server;
	const char *last = NULL;
	size_t last_len = 0;
	while (*s) {
		size_t n = strcspn(s, " ");
		if (n && strncasecmp(s, "UPnP/", 5) != 0) {
			last = s;
			last_len = n;
		}
		s += n;
		while (*s == ' ')
			s++;
	}
	if (last)
		token_product(last, last_len, out);
	put(out->summary, sizeof(out->summary),
	    "SSDP answered M-SEARCH (status %d): SERVER '%s', LOCATION '%s', ST '%s'", r.status,
	    r.server, r.location, r.st);
	if (r.server[0])
		result_disclose(out, DISCLOSURE_KIND_VERSION, "SSDP SERVER header '%s'", r.server);
	if (r.location[0])
		result_disclose(out, DISCLOSURE_KIND_DEVICE_INFO,
				"UPnP device description offered at '%s'", r.location);
	if (r.usn[0])
		result_disclose(out, DISCLOSURE_KIND_DEVICE_INFO, "SSDP USN '%s'", r.usn);
	return 0;
}

/* ---- mDNS (RFC 6762 6.7 legacy unicast, RFC 6763 9 service enumeration) ---- */

static int probe_mdns_build(uint8_t *buf, size_t cap, size_t *len, const char *target,
			    struct dl_error *err)
{
	(void)target;
	return mdns_build_services_query(buf, cap, len, UDP_PROBE_MDNS_ID, err);
}

static void append_item(char *dst, size_t cap, const char *item)
{
	size_t used = strlen(dst);
	if (strstr(dst, item))
		return;
	snprintf(dst + used, cap - used, "%s%s", used ? ", " : "", item);
}

static int probe_mdns_describe(const uint8_t *reply, size_t len, struct udp_probe_result *out,
			       struct dl_error *err)
{
	result_start(out, "mdns");
	struct mdns_message m;
	int rc = mdns_parse(reply, len, &m, err);
	if (rc < 0)
		return rc;
	if (!m.response)
		return dl_error_set(err, DL_EPROTO,
				    "mdns reply: QR bit clear; a query, not a response");
	char services[256] = "", hosts[160] = "";
	for (size_t i = 0; i < m.record_count; i++) {
		const struct mdns_record *r = &m.records[i];
		if (r->type == DNS_TYPE_PTR && strcmp(r->name, MDNS_SERVICES_NAME) == 0)
			append_item(services, sizeof(services), r->target);
		else if (r->type == DNS_TYPE_PTR)
			append_item(services, sizeof(services), r->target);
		else if (r->type == DNS_TYPE_A || r->type == DNS_TYPE_AAAA)
			append_item(hosts, sizeof(hosts), r->name);
		else if (r->type == DNS_TYPE_SRV)
			append_item(hosts, sizeof(hosts), r->target);
		else if (r->type == DNS_TYPE_HINFO)
			result_disclose(out, DISCLOSURE_KIND_DEVICE_INFO, "mDNS HINFO of %s: '%s'",
					r->name, r->text);
		else if (r->type == DNS_TYPE_TXT && r->text[0])
			result_disclose(out, DISCLOSURE_KIND_DEVICE_INFO, "mDNS TXT of %s: '%s'",
					r->name, r->text);
	}
	put(out->summary, sizeof(out->summary), "mDNS answered (%zu records): services %s%s%s",
	    m.record_count, services[0] ? services : "(none)", hosts[0] ? "; hosts " : "", hosts);
	if (services[0])
		result_disclose(out, DISCLOSURE_KIND_DEVICE_INFO, "mDNS advertises services %s",
				services);
	if (hosts[0])
		result_disclose(out, DISCLOSURE_KIND_DEVICE_INFO, "mDNS names hosts %s", hosts);
	return 0;
}

/* ---- NTP (RFC 5905): mode-3 client request ---- */

static int probe_ntp_build(uint8_t *buf, size_t cap, size_t *len, const char *target,
			   struct dl_error *err)
{
	(void)target;
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	uint64_t seconds = (uint64_t)now.tv_sec + 2208988800u;
	uint64_t fraction = ((uint64_t)now.tv_nsec << 32) / 1000000000u;
	return ntp_build_request(buf, cap, len, (seconds << 32) | fraction, err);
}

static int probe_ntp_describe(const uint8_t *reply, size_t len, struct udp_probe_result *out,
			      struct dl_error *err)
{
	result_start(out, "ntp");
	struct ntp_packet p;
	int rc = ntp_parse(reply, len, &p, err);
	if (rc < 0)
		return rc;
	if (p.mode != 4)
		return dl_error_set(err, DL_EPROTO, "ntp reply: mode %u is not 4 (server)", p.mode);
	put(out->summary, sizeof(out->summary),
	    "NTPv%u server answered: stratum %u, refid '%s', leap %u%s", p.version, p.stratum,
	    p.refid_text, p.leap, p.leap == 3 ? " (unsynchronised)" : "");
	if (p.stratum >= 2 && p.stratum <= 15)
		result_disclose(out, DISCLOSURE_KIND_DEVICE_INFO,
				"NTP refid %s names the device's upstream time source",
				p.refid_text);
	return 0;
}

/* ---- TFTP (RFC 1350): RRQ for a file that should not exist ---- */

static int probe_tftp_build(uint8_t *buf, size_t cap, size_t *len, const char *target,
			    struct dl_error *err)
{
	(void)target;
	return tftp_build_rrq(buf, cap, len, UDP_PROBE_TFTP_FILE, "octet", err);
}

static int probe_tftp_describe(const uint8_t *reply, size_t len, struct udp_probe_result *out,
			       struct dl_error *err)
{
	result_start(out, "tftp");
	struct tftp_packet p;
	int rc = tftp_parse(reply, len, &p, err);
	if (rc < 0)
		return rc;
	switch (p.opcode) {
	case TFTP_ERROR:
		put(out->summary, sizeof(out->summary), "TFTP answered RRQ '%s' with error %u '%s'",
		    UDP_PROBE_TFTP_FILE, p.error_code, p.text);
		return 0;
	case TFTP_DATA:
		put(out->summary, sizeof(out->summary),
		    "TFTP served '%s' without authentication (block %u, %zu bytes)",
		    UDP_PROBE_TFTP_FILE, p.block, p.data_len);
		result_disclose(out, DISCLOSURE_KIND_CONTENT,
				"TFTP serves files to anyone (read '%s')", UDP_PROBE_TFTP_FILE);
		return 0;
	case TFTP_OACK:
		put(out->summary, sizeof(out->summary),
		    "TFTP acknowledged options for RRQ '%s' (%zu options)", UDP_PROBE_TFTP_FILE,
		    p.option_count);
		return 0;
	default:
		return dl_error_set(err, DL_EPROTO,
				    "tftp reply: opcode %u is not DATA, ERROR or OACK", p.opcode);
	}
}

/* ---- syslog (RFC 5424 6): a notice the DUT may log; no reply expected ---- */

static int probe_syslog_build(uint8_t *buf, size_t cap, size_t *len, const char *target,
			      struct dl_error *err)
{
	(void)target;
	/* PRI <13> = facility user (1), severity notice (5); NILVALUE timestamp and host */
	static const char message[] = "<13>1 - - dutlab - - - dutlab discovery probe";
	if (cap < sizeof(message) - 1)
		return dl_error_set(err, DL_ENOMEM, "syslog: probe needs %zu bytes",
				    sizeof(message) - 1);
	memcpy(buf, message, sizeof(message) - 1);
	*len = sizeof(message) - 1;
	return 0;
}

const struct udp_probe udp_probes[] = {
	{.service = "snmp",
	 .name = "snmp-v2c-public",
	 .port = 161,
	 .build = probe_snmp_v2c_build,
	 .describe = probe_snmp_describe},
	{.service = "snmp",
	 .name = "snmp-v1-public",
	 .port = 161,
	 .build = probe_snmp_v1_build,
	 .describe = probe_snmp_describe},
	{.service = "ssdp",
	 .name = "ssdp-msearch",
	 .port = 1900,
	 .build = probe_ssdp_build,
	 .describe = probe_ssdp_describe},
	{.service = "mdns",
	 .name = "mdns-services",
	 .port = 5353,
	 .build = probe_mdns_build,
	 .describe = probe_mdns_describe},
	{.service = "ntp",
	 .name = "ntp-client",
	 .port = 123,
	 .build = probe_ntp_build,
	 .describe = probe_ntp_describe},
	{.service = "tftp",
	 .name = "tftp-rrq",
	 .port = 69,
	 .build = probe_tftp_build,
	 .describe = probe_tftp_describe},
	{.service = "syslog",
	 .name = "syslog-notice",
	 .port = 514,
	 .build = probe_syslog_build,
	 .describe = NULL},
};
const size_t udp_probe_count = DL_ARRAY_SIZE(udp_probes);
