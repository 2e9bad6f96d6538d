/* health-syslog: the syslog datagram parser (RFC 5424, RFC 3164) the syslog monitor reads with */
#include "core/compat.h"

#include "core/error.h"
#include "fuzz/health.h"

struct reader {
	const uint8_t *p;
	size_t length, at;
};

static int refuse(struct dl_error *err, const char *what, size_t at)
{
	return dl_error_set(err, DL_EPROTO,
			    "syslog: %s at offset %zu; not an RFC 5424 or 3164 line", what, at);
}

static bool is_digit(uint8_t c)
{
	return c >= '0' && c <= '9';
}

/* RFC 5424 6.1 PRINTUSASCII */
static bool is_print_ascii(uint8_t c)
{
	return c >= 33 && c <= 126;
}

/* Copy n bytes as text: control characters, DEL and non-ASCII become '?'
 * (the evidence goes to JSON and terminals); cut to size. */
static void copy_text(char *dst, size_t size, const uint8_t *src, size_t n)
{
	size_t k = n < size - 1 ? n : size - 1;
	for (size_t i = 0; i < k; i++)
		dst[i] = src[i] >= 0x20 && src[i] < 0x7f ? (char)src[i] : '?';
	dst[k] = '\0';
}

/* <PRI>: RFC 5424 6.2.1 (1-3 digits, no leading zero, at most 191); RFC 3164 4.1.1 alike. */
static int read_pri(struct reader *r, struct health_syslog_message *m, struct dl_error *err)
{
	if (r->length == 0 || r->p[0] != '<')
		return refuse(err, "no '<' opening the PRI", 0);
	size_t at = 1;
	unsigned value = 0, digits = 0;
	while (at < r->length && is_digit(r->p[at]) && digits < 4) {
		value = value * 10 + (unsigned)(r->p[at] - '0');
		digits++;
		at++;
	}
	if (digits == 0 || digits > 3)
		return refuse(err, "PRI is not 1 to 3 digits", 1);
	if (digits > 1 && r->p[1] == '0')
		return refuse(err, "PRI has a leading zero", 1);
	if (value > 191)
		return refuse(err, "PRI is above 191", 1);
	if (at >= r->length || r->p[at] != '>')
		return refuse(err, "no '>' closing the PRI", at);
	m->facility = value / 8;
	m->severity = value % 8;
	r->at = at + 1;
	return 0;
}

/* An RFC 5424 header field: 1..max PRINTUSASCII then SP; "-" is the NILVALUE (""). */
static int read_field(struct reader *r, char *dst, size_t size, size_t max, const char *name,
		      struct dl_error *err)
{
	size_t start = r->at, n = 0;
	while (r->at < r->length && is_print_ascii(r->p[r->at])) {
		if (++n > max) {
			char what[64];
			snprintf(what, sizeof(what), "%s longer than %zu", name, max);
			return refuse(err, what, start);
		}
		r->at++;
	}
	if (n == 0 || r->at >= r->length || r->p[r->at] != ' ') {
		char what[64];
		snprintf(what, sizeof(what), "%s not followed by a space", name);
		return refuse(err, n == 0 ? "empty header field" : what, r->at);
	}
	if (n == 1 && r->p[start] == '-')
		dst[0] = '\0';
	else
		copy_text(dst, size, r->p + start, n);
	r->at++; /* the SP */
	return 0;
}

/* STRUCTURED-DATA (RFC 5424 6.3): "-" or SD-ELEMENTs, each "[" SD-ID *(SP
 * NAME="VALUE") "]" with \" \\ \] escaped in values. */
static int read_structured_data(struct reader *r, struct health_syslog_message *m,
				struct dl_error *err)
{
	if (r->at < r->length && r->p[r->at] == '-') {
		r->at++;
		return 0;
	}
	if (r->at >= r->length || r->p[r->at] != '[')
		return refuse(err, "STRUCTURED-DATA is neither '-' nor '['", r->at);
	/* every step consumes a byte: bounded by the datagram's length */
	while (r->at < r->length && r->p[r->at] == '[') {
		r->at++;
		size_t id = 0;
		while (r->at < r->length && is_print_ascii(r->p[r->at]) && r->p[r->at] != '=' &&
		       r->p[r->at] != ']' && r->p[r->at] != '"')
			id++, r->at++;
		if (id == 0 || id > 32)
			return refuse(err, "SD-ID is not 1 to 32 characters", r->at);
		while (r->at < r->length && r->p[r->at] == ' ') {
			r->at++;
			size_t name = 0;
			while (r->at < r->length && is_print_ascii(r->p[r->at]) &&
			       r->p[r->at] != '=' && r->p[r->at] != ']' && r->p[r->at] != '"')
				name++, r->at++;
			if (name == 0 || name > 32)
				return refuse(err, "PARAM-NAME is not 1 to 32 characters", r->at);
			if (r->length - r->at < 2 || r->p[r->at] != '=' || r->p[r->at + 1] != '"')
				return refuse(err, "PARAM-NAME not followed by =\"", r->at);
			r->at += 2;
			bool closed = false;
			while (r->at < r->length && !closed) {
				uint8_t c = r->p[r->at++];
				if (c == '\\' && r->at < r->length)
					r->at++; /* an escaped character, whatever it is */
				else if (c == '"')
					closed = true;
			}
			if (!closed)
				return refuse(err, "PARAM-VALUE not closed by '\"'", r->at);
		}
		if (r->at >= r->length || r->p[r->at] != ']')
			return refuse(err, "SD-ELEMENT not closed by ']'", r->at);
		r->at++;
	}
	m->has_structured_data = true;
	return 0;
}

static int parse_5424(struct reader *r, struct health_syslog_message *m, struct dl_error *err)
{
	m->format = HEALTH_SYSLOG_RFC5424;
	if (r->p[r->at] != '1' || r->at + 1 >= r->length || r->p[r->at + 1] != ' ')
		return refuse(err, "VERSION is not 1", r->at);
	r->at += 2;
	int rc = read_field(r, m->timestamp, sizeof(m->timestamp), sizeof(m->timestamp) - 1,
			    "TIMESTAMP", err);
	if (!rc)
		rc = read_field(r, m->hostname, sizeof(m->hostname), 255, "HOSTNAME", err);
	if (!rc)
		rc = read_field(r, m->app_name, sizeof(m->app_name), 48, "APP-NAME", err);
	if (!rc)
		rc = read_field(r, m->procid, sizeof(m->procid), 128, "PROCID", err);
	if (!rc)
		rc = read_field(r, m->msgid, sizeof(m->msgid), 32, "MSGID", err);
	if (!rc)
		rc = read_structured_data(r, m, err);
	if (rc)
		return rc;
	if (r->at == r->length)
		return 0;
	if (r->p[r->at] != ' ')
		return refuse(err, "STRUCTURED-DATA not followed by a space", r->at);
	r->at++;
	static const uint8_t bom[] = {0xef, 0xbb, 0xbf}; /* RFC 5424 6.4 MSG-UTF8 */
	if (r->length - r->at >= sizeof(bom) && memcmp(r->p + r->at, bom, sizeof(bom)) == 0)
		r->at += sizeof(bom);
	copy_text(m->msg, sizeof(m->msg), r->p + r->at, r->length - r->at);
	return 0;
}

/* RFC 3164 4.1.2 TIMESTAMP "Mmm dd hh:mm:ss", the day space-padded. */
static bool is_3164_timestamp(const uint8_t *p, size_t n)
{
	static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	if (n < 16 || p[15] != ' ' || p[3] != ' ' || p[6] != ' ' || p[9] != ':' || p[12] != ':')
		return false;
	bool month = false;
	for (size_t i = 0; i + 3 <= sizeof(months) - 1 && !month; i += 3)
		month = memcmp(p, months + i, 3) == 0;
	if (!month || !(p[4] == ' ' || is_digit(p[4])) || !is_digit(p[5]))
		return false;
	static const size_t time_digits[] = {7, 8, 10, 11, 13, 14};
	for (size_t i = 0; i < DL_ARRAY_SIZE(time_digits); i++)
		if (!is_digit(p[time_digits[i]]))
			return false;
	return true;
}

static bool is_tag_char(uint8_t c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c) || c == '_' ||
	       c == '-' || c == '.' || c == '/';
}

static void parse_3164(struct reader *r, struct health_syslog_message *m)
{
	m->format = HEALTH_SYSLOG_RFC3164;
	const uint8_t *p = r->p + r->at;
	size_t n = r->length - r->at;
	if (is_3164_timestamp(p, n)) {
		copy_text(m->timestamp, sizeof(m->timestamp), p, 15);
		p += 16, n -= 16;
		size_t host = 0;
		while (host < n && host < 255 && is_print_ascii(p[host]))
			host++;
		if (host > 0 && host < n && p[host] == ' ') {
			copy_text(m->hostname, sizeof(m->hostname), p, host);
			p += host + 1, n -= host + 1;
		}
	}
	/* RFC 3164 4.1.3: TAG (at most 32 characters), then "[pid]:" or ":" */
	size_t tag = 0;
	while (tag < n && tag < 32 && is_tag_char(p[tag]))
		tag++;
	size_t at = tag, pid_start = 0, pid_length = 0;
	if (tag > 0 && at < n && p[at] == '[') {
		pid_start = ++at;
		while (at < n && at - pid_start < 128 && is_print_ascii(p[at]) && p[at] != ']')
			at++;
		pid_length = at - pid_start;
		at = at < n && p[at] == ']' ? at + 1 : n + 1; /* n + 1: not a tag */
	}
	if (tag > 0 && at < n && p[at] == ':') {
		copy_text(m->app_name, sizeof(m->app_name), p, tag);
		copy_text(m->procid, sizeof(m->procid), p + pid_start, pid_length);
		at++;
		if (at < n && p[at] == ' ')
			at++;
		p += at, n -= at;
	}
	copy_text(m->msg, sizeof(m->msg), p, n);
}

int health_syslog_parse(const uint8_t *data, size_t length, struct health_syslog_message *out,
			struct dl_error *err)
{
	memset(out, 0, sizeof(*out));
	/* senders end lines with LF, CRLF or a NUL; none is part of the message */
	while (length > 0 &&
	       (data[length - 1] == '\n' || data[length - 1] == '\r' || data[length - 1] == '\0'))
		length--;
	struct reader r = {.p = data, .length = length};
	int rc = read_pri(&r, out, err);
	if (rc)
		return rc;
	/* RFC 5424 has a VERSION digit and a space right after the PRI; 3164 a month name */
	if (r.at + 1 < r.length && is_digit(r.p[r.at]) && r.p[r.at + 1] == ' ')
		return parse_5424(&r, out, err);
	if (r.at + 2 < r.length && is_digit(r.p[r.at]) && is_digit(r.p[r.at + 1]) &&
	    r.p[r.at + 2] == ' ')
		return refuse(err, "VERSION is not 1", r.at);
	parse_3164(&r, out);
	return 0;
}
