/* mdns: DNS query building and message parsing for mDNS/DNS-SD (RFC 1035 4, RFC 6762, RFC 6763) */
#include "core/compat.h"

#include <arpa/inet.h>

#include "core/error.h"
#include "core/text.h"
#include "proto/cursor.h"
#include "proto/mdns.h"

const char *mdns_type_name(uint16_t type)
{
	switch (type) {
	case DNS_TYPE_A: return "A";
	case DNS_TYPE_PTR: return "PTR";
	case DNS_TYPE_HINFO: return "HINFO";
	case DNS_TYPE_TXT: return "TXT";
	case DNS_TYPE_AAAA: return "AAAA";
	case DNS_TYPE_SRV: return "SRV";
	case DNS_TYPE_NSEC: return "NSEC";
	case DNS_TYPE_ANY: return "ANY";
	}
	return NULL;
}

/* Encode a dotted name as labels (RFC 1035 3.1); no compression on output. */
static int dns_put_name(uint8_t *buf, size_t cap, size_t *at, const char *name,
			struct dl_error *err)
{
	size_t start = *at;
	const char *p = name;
	while (*p) {
		const char *dot = strchr(p, '.');
		size_t label = dot ? (size_t)(dot - p) : strlen(p);
		if (label == 0 || label > 63)
			return dl_error_set(err, DL_EINVAL,
					    "dns name '%s': a label is empty or longer than 63",
					    name);
		if (*at + 1 + label > cap)
			return dl_error_set(err, DL_ENOMEM, "dns query does not fit in %zu bytes",
					    cap);
		buf[(*at)++] = (uint8_t)label;
		memcpy(buf + *at, p, label);
		*at += label;
		p += label;
		if (*p == '.')
			p++;
	}
	if (*at + 1 > cap)
		return dl_error_set(err, DL_ENOMEM, "dns query does not fit in %zu bytes", cap);
	buf[(*at)++] = 0;
	if (*at - start > 255)
		return dl_error_set(err, DL_EINVAL, "dns name '%s' is longer than 255 octets",
				    name);
	return 0;
}

int mdns_build_query(uint8_t *buf, size_t cap, size_t *len, uint16_t id, const char *name,
		     uint16_t type, bool unicast_response, struct dl_error *err)
{
	if (cap < 12)
		return dl_error_set(err, DL_ENOMEM, "dns query does not fit in %zu bytes", cap);
	/* header (RFC 1035 4.1.1): id, flags 0 (standard query), QDCOUNT 1 */
	const uint8_t header[12] = {(uint8_t)(id >> 8), (uint8_t)id, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0};
	memcpy(buf, header, sizeof(header));
	size_t at = sizeof(header);
	int rc = dns_put_name(buf, cap, &at, name, err);
	if (rc < 0)
		return rc;
	if (at + 4 > cap)
		return dl_error_set(err, DL_ENOMEM, "dns query does not fit in %zu bytes", cap);
	uint16_t qclass = 1 | (unicast_response ? 0x8000 : 0);
	buf[at++] = (uint8_t)(type >> 8);
	buf[at++] = (uint8_t)type;
	buf[at++] = (uint8_t)(qclass >> 8);
	buf[at++] = (uint8_t)qclass;
	*len = at;
	return 0;
}

int mdns_build_services_query(uint8_t *buf, size_t cap, size_t *len, uint16_t id,
			      struct dl_error *err)
{
	return mdns_build_query(buf, cap, len, id, MDNS_SERVICES_NAME, DNS_TYPE_PTR, false, err);
}

/*
 * Read a possibly compressed name (RFC 1035 4.1.4) into out. Pointers must
 * point strictly before the label that holds them, which rules out loops;
 * the count of pointers is bounded as well. c is left after the name as it
 * appears in place.
 */
static int dns_read_name(struct cursor *c, char *out, size_t cap)
{
	struct cursor jump;
	struct cursor *r = c;
	size_t used = 0;
	size_t wire = 0;
	unsigned pointers = 0;
	out[0] = '\0';
	for (;;) {
		size_t label_at = cursor_position(r);
		uint8_t len;
		if (cursor_u8(r, &len) < 0)
			return DL_EPROTO;
		if (len == 0)
			break;
		if ((len & 0xc0) == 0xc0) {
			uint8_t low;
			if (cursor_u8(r, &low) < 0)
				return DL_EPROTO;
			size_t target = ((size_t)(len & 0x3f) << 8) | low;
			if (++pointers > MDNS_POINTERS_MAX)
				return cursor_fail_at(r, label_at, "too many compression pointers",
						      pointers, true);
			if (target >= label_at)
				return cursor_fail_at(r, label_at,
						      "compression pointer does not point backward",
						      target, true);
			if (cursor_root_at(r, target, &jump) < 0)
				return DL_EPROTO;
			r = &jump;
			continue;
		}
		if (len & 0xc0)
			return cursor_fail_at(r, label_at, "reserved label type", len, true);
		wire += 1u + len;
		if (wire + 1 > 255) /* with the root label, at most 255 octets (RFC 1035 3.1) */
			return cursor_fail_at(r, label_at, "name longer than 255 octets", wire,
					      true);
		const uint8_t *label;
		if (cursor_bytes(r, len, &label) < 0)
			return DL_EPROTO;
		/* presentation format (RFC 4343 2.1): '.' and '\\' inside a label are
		 * escaped, so the text splits back into the same labels; bytes that
		 * are not printable ASCII become '?' */
		size_t need = len;
		for (size_t i = 0; i < len; i++)
			need += label[i] == '.' || label[i] == '\\';
		if (used + need + 2 > cap)
			return cursor_fail_at(r, label_at, "name too long to render", used + need,
					      true);
		if (used)
			out[used++] = '.';
		for (size_t i = 0; i < len; i++) {
			uint8_t b = label[i];
			if (b == '.' || b == '\\')
				out[used++] = '\\';
			out[used++] = (b >= 0x20 && b < 0x7f) ? (char)b : '?';
		}
		out[used] = '\0';
	}
	return 0;
}

static void text_append(char *dst, size_t cap, const char *src, size_t n)
{
	size_t used = strlen(dst);
	if (used + 1 >= cap)
		return;
	if (n > cap - used - 1)
		n = cap - used - 1;
	memcpy(dst + used, src, n);
	dst[used + n] = '\0';
}

/* Character strings (RFC 1035 3.3): length-prefixed, joined by ' '. */
static int dns_character_strings(struct cursor *rd, char *out, size_t cap, size_t max_count)
{
	size_t count = 0;
	out[0] = '\0';
	while (!cursor_at_end(rd)) {
		uint8_t n;
		const uint8_t *s;
		if (++count > max_count)
			return cursor_fail_value(rd, "more character strings than expected", count);
		if (cursor_u8(rd, &n) < 0 || cursor_bytes(rd, n, &s) < 0)
			return DL_EPROTO;
		char piece[256];
		cursor_text_printable(piece, sizeof(piece), s, n);
		if (count > 1)
			text_append(out, cap, " ", 1);
		text_append(out, cap, piece, strlen(piece));
	}
	return 0;
}

static int mdns_rdata(struct cursor *rd, struct mdns_record *r)
{
	const uint8_t *b;
	char address[INET6_ADDRSTRLEN];
	switch (r->type) {
	case DNS_TYPE_A:
	case DNS_TYPE_AAAA: {
		size_t want = r->type == DNS_TYPE_A ? 4 : 16;
		if (r->rdlength != want)
			return cursor_fail_value(rd, "address record has the wrong length",
						 r->rdlength);
		cursor_bytes(rd, want, &b);
		inet_ntop(r->type == DNS_TYPE_A ? AF_INET : AF_INET6, b, address, sizeof(address));
		text_copy(r->text, sizeof(r->text), address);
		return 0;
	}
	case DNS_TYPE_PTR:
		if (dns_read_name(rd, r->target, sizeof(r->target)) < 0)
			return DL_EPROTO;
		text_copy(r->text, sizeof(r->text), r->target);
		break;
	case DNS_TYPE_SRV: {
		uint16_t priority, weight;
		if (cursor_u16be(rd, &priority) < 0 || cursor_u16be(rd, &weight) < 0 ||
		    cursor_u16be(rd, &r->srv_port) < 0)
			return DL_EPROTO;
		if (dns_read_name(rd, r->target, sizeof(r->target)) < 0)
			return DL_EPROTO;
		char numbers[24];
		snprintf(numbers, sizeof(numbers), "%u %u %u ", priority, weight, r->srv_port);
		text_copy(r->text, sizeof(r->text), numbers);
		text_append(r->text, sizeof(r->text), r->target, strlen(r->target));
		break;
	}
	case DNS_TYPE_TXT: return dns_character_strings(rd, r->text, sizeof(r->text), 64);
	case DNS_TYPE_HINFO:
		if (dns_character_strings(rd, r->text, sizeof(r->text), 2) < 0)
			return DL_EPROTO;
		break;
	default:
		snprintf(r->text, sizeof(r->text), "(%u bytes)", r->rdlength);
		cursor_skip(rd, r->rdlength);
		return 0;
	}
	if (!cursor_at_end(rd))
		return cursor_fail_value(rd, "extra bytes after the rdata", cursor_remaining(rd));
	return 0;
}

static int mdns_parse_cursor(struct cursor *c, struct mdns_message *out)
{
	uint16_t counts[4];
	if (cursor_u16be(c, &out->id) < 0 || cursor_u16be(c, &out->flags) < 0)
		return DL_EPROTO;
	for (size_t i = 0; i < 4; i++)
		if (cursor_u16be(c, &counts[i]) < 0)
			return DL_EPROTO;
	out->response = out->flags & 0x8000;
	out->qdcount = counts[0];
	out->ancount = counts[1];
	out->nscount = counts[2];
	out->arcount = counts[3];
	if (counts[0] > MDNS_QUESTIONS_MAX)
		return cursor_fail_at(c, 4, "more questions than the limit", counts[0], true);
	if ((size_t)counts[1] + counts[2] + counts[3] > MDNS_RECORDS_MAX)
		return cursor_fail_at(c, 6, "more records than the limit",
				      (uint64_t)counts[1] + counts[2] + counts[3], true);
	for (size_t i = 0; i < counts[0]; i++) {
		struct mdns_question *q = &out->questions[i];
		uint16_t qclass;
		if (dns_read_name(c, q->name, sizeof(q->name)) < 0 ||
		    cursor_u16be(c, &q->type) < 0 || cursor_u16be(c, &qclass) < 0)
			return DL_EPROTO;
		q->class_code = qclass & 0x7fff;
		q->unicast_response = qclass & 0x8000;
		out->question_count++;
	}
	for (size_t s = 0; s < 3; s++) {
		for (size_t i = 0; i < counts[1 + s]; i++) {
			struct mdns_record *r = &out->records[out->record_count];
			r->section = (enum mdns_section)s;
			uint16_t rclass;
			struct cursor rd;
			if (dns_read_name(c, r->name, sizeof(r->name)) < 0 ||
			    cursor_u16be(c, &r->type) < 0 || cursor_u16be(c, &rclass) < 0 ||
			    cursor_u32be(c, &r->ttl) < 0 || cursor_u16be(c, &r->rdlength) < 0)
				return DL_EPROTO;
			r->class_code = rclass & 0x7fff;
			r->cache_flush = rclass & 0x8000;
			if (cursor_sub(c, r->rdlength, &rd) < 0)
				return DL_EPROTO;
			if (mdns_rdata(&rd, r) < 0)
				return DL_EPROTO;
			out->record_count++;
		}
	}
	if (!cursor_at_end(c))
		return cursor_fail_value(c, "extra bytes after the last record",
					 cursor_remaining(c));
	return 0;
}

int mdns_parse(const uint8_t *msg, size_t len, struct mdns_message *out, struct dl_error *err)
{
	memset(out, 0, sizeof(*out));
	if (len > MDNS_MESSAGE_MAX)
		return dl_error_set(err, DL_EPROTO,
				    "mdns message: %zu bytes exceeds the %d-byte limit", len,
				    MDNS_MESSAGE_MAX);
	struct cursor c;
	cursor_init(&c, msg, len);
	if (mdns_parse_cursor(&c, out) < 0)
		return cursor_error_report(&c, err, "mdns message");
	return 0;
}
