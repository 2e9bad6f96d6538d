/* identify: which service a TCP port runs, from its banner or its answer to one probe
 * (nmap-service-probes style) */
#include "core/compat.h"

#include "checks/discovery/identify.h"
#include "core/error.h"
#include "core/text.h"
#include "proto/cursor.h"
#include "proto/rtsp.h"

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

/* ---- probes ---- */

static const uint8_t probe_rtsp[] =
	"OPTIONS * RTSP/1.0\r\nCSeq: 1\r\nUser-Agent: dutlab/0.1\r\n\r\n";
static const uint8_t probe_http[] = "GET / HTTP/1.0\r\nUser-Agent: dutlab/0.1\r\n\r\n";
/* gdb remote serial protocol (GDB manual E.1): ack, then $packet#checksum */
static const uint8_t probe_gdb[] = "+$qSupported#37";
static const uint8_t probe_redis[] = "PING\r\n";
/* ADB host CNXN (system/core/adb/protocol.txt): version 0x01000000,
 * maxdata 256 KiB, payload "host::\0", checksum = byte sum, magic = ~command */
static const uint8_t probe_adb[] = {
	'C',  'N',  'X',  'N',  0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x04,
	0x00, 0x07, 0x00, 0x00, 0x00, 0x32, 0x02, 0x00, 0x00, 0xbc, 0xb1,
	0xa7, 0xb1, 'h',  'o',  's',  't',  ':',  ':',  0x00,
};
/* MQTT 3.1.1 CONNECT (OASIS 3.1), clean session, keep-alive 60, empty client id */
static const uint8_t probe_mqtt[] = {0x10, 0x0c, 0x00, 0x04, 'M',  'Q',  'T',
				     'T',  0x04, 0x02, 0x00, 0x3c, 0x00, 0x00};

static const struct identify_probe probes[] = {
	{"rtsp-options", probe_rtsp, sizeof(probe_rtsp) - 1},
	{"http-get", probe_http, sizeof(probe_http) - 1},
	{"gdb-qsupported", probe_gdb, sizeof(probe_gdb) - 1},
	{"redis-ping", probe_redis, sizeof(probe_redis) - 1},
	{"adb-cnxn", probe_adb, sizeof(probe_adb)},
	{"mqtt-connect", probe_mqtt, sizeof(probe_mqtt)},
};
enum { PROBE_RTSP, PROBE_HTTP, PROBE_GDB, PROBE_REDIS, PROBE_ADB, PROBE_MQTT };

struct port_probe {
	uint16_t port;
	uint8_t probe;
};

static const struct port_probe port_probes[] = {
	{80, PROBE_HTTP},    {81, PROBE_HTTP},   {443, PROBE_HTTP},   {554, PROBE_RTSP},
	{1234, PROBE_GDB},   {1883, PROBE_MQTT}, {2345, PROBE_GDB},   {3333, PROBE_GDB},
	{5000, PROBE_HTTP},  {5555, PROBE_ADB},  {6379, PROBE_REDIS}, {7547, PROBE_HTTP},
	{8000, PROBE_HTTP},  {8008, PROBE_HTTP}, {8080, PROBE_HTTP},  {8081, PROBE_HTTP},
	{8443, PROBE_HTTP},  {8554, PROBE_RTSP}, {8888, PROBE_HTTP},  {9000, PROBE_HTTP},
	{10554, PROBE_RTSP}, {322, PROBE_RTSP}, /* RTSPS: the OPTIONS goes inside TLS */
};

const struct identify_probe *identify_probe_for(uint16_t port)
{
	for (size_t i = 0; i < DL_ARRAY_SIZE(port_probes); i++)
		if (port_probes[i].port == port)
			return &probes[port_probes[i].probe];
	return NULL;
}

/* ---- port tables ---- */

struct port_name {
	uint16_t port;
	const char *name;
};

/* IANA service names (service-names-port-numbers registry), plus the
 * de-facto names of unregistered ports cameras use (adb, gdbserver). */
static const struct port_name tcp_names[] = {
	{21, "ftp"},
	{22, "ssh"},
	{23, "telnet"},
	{25, "smtp"},
	{53, "domain"},
	{80, "http"},
	{110, "pop3"},
	{111, "sunrpc"},
	{139, "netbios-ssn"},
	{143, "imap"},
	{322, "rtsps"},
	{443, "https"},
	{445, "microsoft-ds"},
	{465, "submissions"},
	{554, "rtsp"},
	{587, "submission"},
	{993, "imaps"},
	{1234, "gdbserver"},
	{1883, "mqtt"},
	{2217, "rfc2217"},
	{2323, "telnet"},
	{2345, "gdbserver"},
	{3306, "mysql"},
	{3389, "ms-wbt-server"},
	{5000, "http"},
	{5555, "adb"},
	{5900, "rfb"},
	{6379, "redis"},
	{7547, "cwmp"},
	{8000, "http-alt"},
	{8080, "http-alt"},
	{8443, "https-alt"},
	{8554, "rtsp-alt"},
	{8883, "secure-mqtt"},
	{9527, "debug-console"},
};

static const struct port_name udp_names[] = {
	{53, "domain"},  {67, "bootps"},      {68, "bootpc"}, {69, "tftp"},
	{123, "ntp"},    {137, "netbios-ns"}, {161, "snmp"},  {162, "snmptrap"},
	{500, "isakmp"}, {514, "syslog"},     {1900, "ssdp"}, {3702, "ws-discovery"},
	{5353, "mdns"},  {5683, "coap"},
};

const char *identify_port_hint(const char *proto, uint16_t port)
{
	const struct port_name *table;
	size_t n;
	if (proto && strcmp(proto, "udp") == 0) {
		table = udp_names;
		n = DL_ARRAY_SIZE(udp_names);
	} else if (proto && strcmp(proto, "tcp") == 0) {
		table = tcp_names;
		n = DL_ARRAY_SIZE(tcp_names);
	} else {
		return NULL;
	}
	for (size_t i = 0; i < n; i++)
		if (table[i].port == port)
			return table[i].name;
	return NULL;
}

struct debug_port {
	uint16_t port;
	const char *reason;
};

/* Ports that mean a debug or shell service (TS-0014-1 5.3.2.2) even when
 * the banner says nothing. */
static const struct debug_port debug_ports[] = {
	{23, "telnet: an unencrypted remote shell"},
	{2323, "telnet on an alternative port: an unencrypted remote shell"},
	{1234, "gdbserver's customary port: remote debugging of a process"},
	{2345, "gdbserver's customary port: remote debugging of a process"},
	{3333, "OpenOCD's GDB port: JTAG debugging over the network"},
	{4444, "OpenOCD's telnet port: JTAG debug console"},
	{5555, "Android Debug Bridge (adb) over TCP: a root-capable shell"},
	{2217, "RFC 2217 serial-over-IP (telnet COM port control)"},
	{2001, "ser2net's customary port: a serial console over TCP"},
	{3001, "ser2net's customary port: a serial console over TCP"},
	{9527, "vendor debug console (HiSilicon/XiongMai firmware)"},
	{9530, "vendor telnet enabler (XiongMai firmware)"},
};

const char *identify_debug_port_reason(uint16_t port)
{
	for (size_t i = 0; i < DL_ARRAY_SIZE(debug_ports); i++)
		if (debug_ports[i].port == port)
			return debug_ports[i].reason;
	return NULL;
}

void identify_add_disclosure(struct disclosure *list, size_t *count, const char *kind,
			     const char *text)
{
	if (*count >= DISCLOSURES_MAX)
		return;
	list[*count].kind = kind;
	text_copy(list[*count].text, sizeof(list[*count].text), text);
	(*count)++;
}

/* ---- helpers ---- */

static void set_service(struct service_identity *out, const char *service, const char *method)
{
	text_copy(out->service, sizeof(out->service), service);
	text_copy(out->method, sizeof(out->method), method);
}

static void disclose(struct service_identity *out, const char *kind, const char *format, ...)
	__attribute__((format(printf, 3, 4)));

static void disclose(struct service_identity *out, const char *kind, const char *format, ...)
{
	char text[DISCLOSURE_TEXT_MAX];
	va_list args;
	va_start(args, format);
	vsnprintf(text, sizeof(text), format, args);
	va_end(args);
	identify_add_disclosure(out->disclosures, &out->disclosure_count, kind, text);
}

static bool has_prefix(const uint8_t *b, size_t n, const char *prefix)
{
	size_t pl = strlen(prefix);
	return n >= pl && memcmp(b, prefix, pl) == 0;
}

/* The first line of b (without CR LF), printable, into dst. */
static void first_line(char *dst, size_t cap, const uint8_t *b, size_t n)
{
	size_t end = 0;
	while (end < n && b[end] != '\r' && b[end] != '\n')
		end++;
	cursor_text_printable(dst, cap, b, end);
}

static bool case_contains(const char *text, const char *word)
{
	return strcasestr(text, word) != NULL;
}

static bool is_version_char(char ch)
{
	return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
	       ch == '.' || ch == '-' || ch == '_' || ch == '+' || ch == '~';
}

/*
 * Split "nginx/1.22.1", "OpenSSH_9.2p1", "vsFTPd 3.0.3" or "dropbear_2022.83"
 * at its first separator that is followed by a digit. True if a version
 * was found.
 */
static bool split_product_version(const char *token, char *product, size_t pcap, char *version,
				  size_t vcap)
{
	size_t n = strlen(token);
	for (size_t i = 1; i + 1 < n; i++) {
		char sep = token[i];
		if ((sep == '/' || sep == '_' || sep == ' ' || sep == '-') && token[i + 1] >= '0' &&
		    token[i + 1] <= '9') {
			size_t pl = i < pcap ? i : pcap - 1;
			memcpy(product, token, pl);
			product[pl] = '\0';
			size_t v = 0;
			for (size_t j = i + 1; j < n && is_version_char(token[j]) && v + 1 < vcap;
			     j++)
				version[v++] = token[j];
			version[v] = '\0';
			return true;
		}
	}
	return false;
}

/* Find "Name/1.2", "Name_1.2" or "Name 1.2" for one of the known product
 * names in text; fills product/version. */
static bool find_known_product(const char *text, const char *const *names, size_t count,
			       struct service_identity *out)
{
	for (size_t i = 0; i < count; i++) {
		const char *at = strcasestr(text, names[i]);
		if (!at)
			continue;
		text_copy(out->product, sizeof(out->product), names[i]);
		const char *p = at + strlen(names[i]);
		while (*p == ' ' || *p == '/' || *p == '_' || *p == '(')
			p++;
		/* "BusyBox v1.22.1": a 'v' before the digits is not part of it. */
		if ((*p == 'v' || *p == 'V') && p[1] >= '0' && p[1] <= '9')
			p++;
		size_t v = 0;
		if (*p >= '0' && *p <= '9')
			while (is_version_char(p[v]) && v + 1 < sizeof(out->version)) {
				out->version[v] = p[v];
				v++;
			}
		out->version[v] = '\0';
		return true;
	}
	return false;
}

static void disclose_product(struct service_identity *out, const char *where)
{
	if (out->product[0] && out->version[0])
		disclose(out, DISCLOSURE_KIND_VERSION, "%s %s in the %s", out->product,
			 out->version, where);
}

/* ---- matchers: each returns true when it recognised the banner ---- */

static bool match_ssh(const uint8_t *b, size_t n, struct service_identity *out)
{
	/* RFC 4253 4.2: SSH-protoversion-softwareversion SP comments CR LF */
	if (!has_prefix(b, n, "SSH-"))
		return false;
	char line[256];
	first_line(line, sizeof(line), b, n);
	set_service(out, "ssh", "banner");
	const char *software = strchr(line + 4, '-');
	if (software) {
		software++;
		char token[128];
		size_t t = 0;
		while (software[t] && software[t] != ' ' && t + 1 < sizeof(token)) {
			token[t] = software[t];
			t++;
		}
		token[t] = '\0';
		if (!split_product_version(token, out->product, sizeof(out->product), out->version,
					   sizeof(out->version)))
			text_copy(out->product, sizeof(out->product), token);
		/* the comment ("Debian-2+deb12u10") is part of the version the banner discloses */
	}
	put(out->detail, sizeof(out->detail), "SSH banner '%s'", line);
	if (out->version[0])
		disclose(out, DISCLOSURE_KIND_VERSION, "SSH banner '%s'", line);
	return true;
}

/* Telnet (RFC 854): IAC (255) followed by WILL/WONT/DO/DONT (251-254). */
static bool match_telnet(uint16_t port, const uint8_t *b, size_t n, struct service_identity *out)
{
	if (n < 3 || b[0] != 0xff || b[1] < 0xfb || b[1] > 0xfe)
		return false;
	bool com_port = false;
	char text[160];
	size_t t = 0;
	for (size_t i = 0; i < n;) {
		if (b[i] == 0xff && i + 1 < n) {
			if (b[i + 1] >= 0xfb && b[i + 1] <= 0xfe && i + 2 < n) {
				if (b[i + 2] == 44) /* COM-PORT-OPTION, RFC 2217 */
					com_port = true;
				i += 3;
			} else if (b[i + 1] == 0xfa) { /* subnegotiation up to IAC SE */
				i += 2;
				while (i + 1 < n && !(b[i] == 0xff && b[i + 1] == 0xf0))
					i++;
				i += 2;
			} else {
				i += 2;
			}
			continue;
		}
		if (b[i] >= 0x20 && b[i] < 0x7f && t + 1 < sizeof(text))
			text[t++] = (char)b[i];
		else if ((b[i] == '\n' || b[i] == '\r') && t > 0 && text[t - 1] != ' ' &&
			 t + 1 < sizeof(text))
			text[t++] = ' ';
		i++;
	}
	while (t > 0 && text[t - 1] == ' ')
		t--;
	text[t] = '\0';
	out->debug = true;
	if (com_port || port == 2217) {
		set_service(out, "rfc2217", "banner");
		put(out->detail, sizeof(out->detail),
		    "telnet with COM-PORT-OPTION (RFC 2217): a serial port over IP%s%s",
		    t ? "; says: " : "", text);
		return true;
	}
	set_service(out, "telnet", "banner");
	put(out->detail, sizeof(out->detail), "telnet negotiation (IAC)%s%s", t ? "; prompt: " : "",
	    text);
	if (t) {
		/* an /etc/issue greeting or a "host login:" prompt, before any login */
		disclose(out, DISCLOSURE_KIND_DEVICE_INFO, "telnet greeting before login: '%s'",
			 text);
		static const char *const products[] = {"BusyBox", "Debian", "Ubuntu", "Linux"};
		if (find_known_product(text, products, DL_ARRAY_SIZE(products), out))
			disclose_product(out, "telnet greeting");
	}
	return true;
}

static bool match_ser2net(const uint8_t *b, size_t n, struct service_identity *out)
{
	char line[200];
	first_line(line, sizeof(line), b, n);
	if (!case_contains(line, "ser2net"))
		return false;
	set_service(out, "ser2net", "banner");
	out->debug = true;
	put(out->detail, sizeof(out->detail), "ser2net serial console: '%s'", line);
	disclose(out, DISCLOSURE_KIND_DEVICE_INFO, "ser2net banner '%s'", line);
	return true;
}

/* gdb remote serial protocol: '+' acks and $data#xx packets. */
static bool match_gdb(const uint8_t *b, size_t n, struct service_identity *out)
{
	size_t i = 0;
	while (i < n && b[i] == '+')
		i++;
	if (i >= n || b[i] != '$')
		return false;
	const uint8_t *hash = memchr(b + i, '#', n - i);
	if (!hash || (size_t)(hash - b) + 2 >= n)
		return false;
	unsigned sum = 0;
	for (const uint8_t *p = b + i + 1; p < hash; p++)
		sum += *p;
	char expect[3];
	snprintf(expect, sizeof(expect), "%02x", sum & 0xff);
	if (strncasecmp((const char *)hash + 1, expect, 2) != 0)
		return false;
	set_service(out, "gdbserver", "probe-reply");
	out->debug = true;
	char packet[180];
	cursor_text_printable(packet, sizeof(packet), b + i + 1, (size_t)(hash - b) - i - 1);
	put(out->detail, sizeof(out->detail), "gdb remote protocol: qSupported -> '%s'", packet);
	if (strstr(packet, "PacketSize="))
		disclose(out, DISCLOSURE_KIND_DEVICE_INFO, "gdbserver features '%s'", packet);
	return true;
}

/* ADB (protocol.txt): 24-byte little-endian header, command "CNXN". */
static bool match_adb(const uint8_t *b, size_t n, struct service_identity *out)
{
	if (n < 24 || !has_prefix(b, n, "CNXN"))
		return false;
	uint32_t data_len = (uint32_t)b[12] | (uint32_t)b[13] << 8 | (uint32_t)b[14] << 16 |
			    (uint32_t)b[15] << 24;
	set_service(out, "adb", "probe-reply");
	out->debug = true;
	char banner[200] = "";
	size_t avail = n - 24;
	if (data_len < avail)
		avail = data_len;
	cursor_text_printable(banner, sizeof(banner), b + 24, avail);
	put(out->detail, sizeof(out->detail), "Android Debug Bridge answered CNXN: '%s'", banner);
	if (strstr(banner, "ro.product"))
		disclose(out, DISCLOSURE_KIND_DEVICE_INFO, "adb banner '%s'", banner);
	return true;
}

/* Read the HTTP/RTSP header block through the cursor; fill Server and friends. */
struct http_headers {
	int status;
	char server[128];
	char powered_by[128];
	char authenticate[128];
};

static bool parse_http(const uint8_t *b, size_t n, struct http_headers *h)
{
	memset(h, 0, sizeof(*h));
	struct cursor c;
	cursor_init(&c, b, n);
	const uint8_t *line;
	size_t ll;
	if (cursor_line(&c, 1024, &line, &ll) < 0 || ll < 12 || line[8] != ' ')
		return false;
	for (size_t i = 9; i < 12; i++) {
		if (line[i] < '0' || line[i] > '9')
			return false;
		h->status = h->status * 10 + (line[i] - '0');
	}
	for (size_t count = 0; count < 64; count++) {
		const uint8_t *name, *value;
		size_t nl, vl;
		bool end;
		/* a banner cut at the read limit still yields the headers seen */
		if (cursor_at_end(&c) ||
		    cursor_header(&c, 1024, &name, &nl, &value, &vl, &end) < 0 || end)
			break;
		if (cursor_span_equals(name, nl, "Server"))
			cursor_text_printable(h->server, sizeof(h->server), value, vl);
		else if (cursor_span_equals(name, nl, "X-Powered-By"))
			cursor_text_printable(h->powered_by, sizeof(h->powered_by), value, vl);
		else if (cursor_span_equals(name, nl, "WWW-Authenticate"))
			cursor_text_printable(h->authenticate, sizeof(h->authenticate), value, vl);
	}
	return true;
}

static void product_from_server(struct service_identity *out, const char *server)
{
	char token[128];
	size_t t = 0;
	while (server[t] && server[t] != ' ' && t + 1 < sizeof(token)) {
		token[t] = server[t];
		t++;
	}
	token[t] = '\0';
	if (!split_product_version(token, out->product, sizeof(out->product), out->version,
				   sizeof(out->version)))
		text_copy(out->product, sizeof(out->product), token);
}

static bool match_http(const uint8_t *b, size_t n, bool tls, struct service_identity *out)
{
	if (!has_prefix(b, n, "HTTP/1."))
		return false;
	struct http_headers h;
	if (!parse_http(b, n, &h))
		return false;
	set_service(out, tls ? "https" : "http", "probe-reply");
	if (h.server[0]) {
		product_from_server(out, h.server);
		if (out->version[0])
			disclose(out, DISCLOSURE_KIND_VERSION, "HTTP Server header '%s'", h.server);
	}
	if (h.powered_by[0])
		disclose(out, DISCLOSURE_KIND_VERSION, "HTTP X-Powered-By header '%s'",
			 h.powered_by);
	/* whether GET / serves content without login needs the body (a login form
	 * also answers 200); the collector judges that, not the banner */
	put(out->detail, sizeof(out->detail), "HTTP status %d%s%s%s%s", h.status,
	    h.server[0] ? ", Server '" : "", h.server, h.server[0] ? "'" : "",
	    h.authenticate[0] ? ", asks for authentication" : "");
	return true;
}

static bool match_rtsp(const uint8_t *b, size_t n, bool tls, struct service_identity *out)
{
	if (!has_prefix(b, n, "RTSP/1.0 "))
		return false;
	struct rtsp_response r;
	set_service(out, tls ? "rtsps" : "rtsp", "probe-reply");
	if (rtsp_parse_response(b, n, &r, NULL) < 0) {
		char line[128];
		first_line(line, sizeof(line), b, n);
		put(out->detail, sizeof(out->detail), "RTSP reply, malformed headers: '%s'", line);
		return true;
	}
	if (r.server[0]) {
		product_from_server(out, r.server);
		if (out->version[0])
			disclose(out, DISCLOSURE_KIND_VERSION, "RTSP Server header '%s'", r.server);
	}
	put(out->detail, sizeof(out->detail), "RTSP status %d%s%s%s; methods: %s", r.status,
	    r.server[0] ? ", Server '" : "", r.server, r.server[0] ? "'" : "",
	    r.public_methods[0] ? r.public_methods : "(none listed)");
	return true;
}

/* TLS record (RFC 8446 5.1): handshake (22) or alert (21), version 3.x. */
static bool match_tls(const uint8_t *b, size_t n, struct service_identity *out)
{
	if (n < 5 || (b[0] != 0x16 && b[0] != 0x15) || b[1] != 0x03 || b[2] > 0x04)
		return false;
	set_service(out, "tls", "probe-reply");
	put(out->detail, sizeof(out->detail),
	    "TLS record (%s, version 3.%u): a TLS service; identify it through a handshake",
	    b[0] == 0x16 ? "handshake" : "alert", b[2]);
	return true;
}

static bool match_220(uint16_t port, const uint8_t *b, size_t n, struct service_identity *out)
{
	if (n < 4 || memcmp(b, "220", 3) != 0 || (b[3] != ' ' && b[3] != '-'))
		return false;
	char line[200];
	first_line(line, sizeof(line), b, n);
	bool smtp = case_contains(line, "SMTP") || case_contains(line, "Postfix") ||
		    (!case_contains(line, "FTP") && (port == 25 || port == 465 || port == 587));
	set_service(out, smtp ? "smtp" : "ftp", "banner");
	static const char *const products[] = {
		"vsFTPd", "ProFTPD",  "Pure-FTPd", "FileZilla", "Postfix",
		"Exim",   "Sendmail", "BusyBox",   "OpenSMTPD", "Microsoft FTP"};
	if (find_known_product(line + 4, products, DL_ARRAY_SIZE(products), out))
		disclose_product(out, smtp ? "SMTP greeting" : "FTP greeting");
	put(out->detail, sizeof(out->detail), "%s greeting '%s'", smtp ? "SMTP" : "FTP", line);
	return true;
}

/* MQTT CONNACK (OASIS MQTT 3.1.1 3.2): 0x20 0x02 flags code. */
static bool match_mqtt(const uint8_t *b, size_t n, struct service_identity *out)
{
	if (n < 4 || b[0] != 0x20 || b[1] != 0x02 || b[2] > 1)
		return false;
	set_service(out, "mqtt", "probe-reply");
	if (b[3] == 0) {
		put(out->detail, sizeof(out->detail),
		    "MQTT broker accepted a CONNECT without credentials");
		disclose(out, DISCLOSURE_KIND_CONTENT,
			 "MQTT broker accepts anonymous clients (CONNACK code 0)");
	} else {
		put(out->detail, sizeof(out->detail), "MQTT broker refused CONNECT (code %u)",
		    b[3]);
	}
	return true;
}

/* RFB (RFC 6143 7.1.1): "RFB 003.008\n". */
static bool match_vnc(const uint8_t *b, size_t n, struct service_identity *out)
{
	if (n < 12 || !has_prefix(b, n, "RFB ") || b[7] != '.' || b[11] != '\n')
		return false;
	for (size_t i = 4; i < 11; i++)
		if (i != 7 && (b[i] < '0' || b[i] > '9'))
			return false;
	set_service(out, "vnc", "banner");
	text_copy(out->product, sizeof(out->product), "RFB");
	snprintf(out->version, sizeof(out->version), "%d.%d",
		 (b[4] - '0') * 100 + (b[5] - '0') * 10 + (b[6] - '0'),
		 (b[8] - '0') * 100 + (b[9] - '0') * 10 + (b[10] - '0'));
	put(out->detail, sizeof(out->detail), "VNC server, RFB protocol %s", out->version);
	return true;
}

static bool match_redis(const uint8_t *b, size_t n, struct service_identity *out)
{
	char line[160];
	first_line(line, sizeof(line), b, n);
	bool pong = strcmp(line, "+PONG") == 0;
	bool noauth = text_starts_with(line, "-NOAUTH") || text_starts_with(line, "-DENIED Redis");
	if (!pong && !noauth)
		return false;
	set_service(out, "redis", "probe-reply");
	if (pong) {
		put(out->detail, sizeof(out->detail), "Redis answered PING without credentials");
		disclose(out, DISCLOSURE_KIND_CONTENT,
			 "Redis answers commands without credentials");
	} else {
		put(out->detail, sizeof(out->detail), "Redis refused PING: '%s'", line);
	}
	return true;
}

/* MySQL protocol (client/server protocol, Connection Phase): 3-byte
 * length, sequence 0, then HandshakeV10 (0x0a) or an ERR packet (0xff). */
static bool match_mysql(const uint8_t *b, size_t n, struct service_identity *out)
{
	if (n < 7 || b[3] != 0)
		return false;
	size_t len = (size_t)b[0] | (size_t)b[1] << 8 | (size_t)b[2] << 16;
	if (len < 3 || len > 1024 || len + 4 > n + 64)
		return false;
	size_t body = len < n - 4 ? len : n - 4;
	if (b[4] == 0x0a) {
		const uint8_t *nul = memchr(b + 5, 0, body - 1);
		if (!nul)
			return false;
		set_service(out, "mysql", "banner");
		char version[64];
		cursor_text_printable(version, sizeof(version), b + 5, (size_t)(nul - b) - 5);
		text_copy(out->product, sizeof(out->product),
			  strstr(version, "MariaDB") ? "MariaDB" : "MySQL");
		text_copy(out->version, sizeof(out->version), version);
		put(out->detail, sizeof(out->detail), "MySQL handshake v10, server '%s'", version);
		disclose(out, DISCLOSURE_KIND_VERSION, "MySQL handshake server version '%s'",
			 version);
		return true;
	}
	if (b[4] == 0xff && body > 3) {
		set_service(out, "mysql", "banner");
		char message[160];
		cursor_text_printable(message, sizeof(message), b + 7, body - 3);
		put(out->detail, sizeof(out->detail), "MySQL refused the connection: '%s'",
		    message);
		return true;
	}
	return false;
}

static void by_port(uint16_t port, const uint8_t *b, size_t n, struct service_identity *out)
{
	const char *hint = identify_port_hint("tcp", port);
	set_service(out, hint ? hint : "unknown", hint ? "port" : "banner");
	if (n == 0) {
		put(out->detail, sizeof(out->detail), "no banner%s%s",
		    hint ? "; port suggests " : "", hint ? hint : "");
		return;
	}
	char line[160];
	first_line(line, sizeof(line), b, n);
	put(out->detail, sizeof(out->detail), "unrecognised banner '%s' (%zu bytes)", line, n);
}

int identify_service(uint16_t port, const uint8_t *banner, size_t banner_len, bool tls,
		     struct service_identity *out)
{
	if (!out)
		return DL_EINVAL;
	memset(out, 0, sizeof(*out));
	if (!banner)
		banner_len = 0;
	if (banner_len > IDENTIFY_BANNER_MAX)
		banner_len = IDENTIFY_BANNER_MAX;
	const uint8_t *b = banner;
	size_t n = banner_len;
	bool matched =
		n > 0 &&
		(match_ssh(b, n, out) || match_telnet(port, b, n, out) ||
		 match_rtsp(b, n, tls, out) || match_http(b, n, tls, out) || match_tls(b, n, out) ||
		 match_adb(b, n, out) || match_gdb(b, n, out) || match_vnc(b, n, out) ||
		 match_mqtt(b, n, out) || match_redis(b, n, out) || match_220(port, b, n, out) ||
		 match_ser2net(b, n, out) || match_mysql(b, n, out));
	if (!matched)
		by_port(port, b, n, out);
	const char *reason = identify_debug_port_reason(port);
	if (reason && !matched) {
		/* a silent or unrecognised service on a known debug port */
		out->debug = true;
		size_t used = strlen(out->detail);
		snprintf(out->detail + used, sizeof(out->detail) - used, "; port %u: %s", port,
			 reason);
	}
	return 0;
}
