/* snmp: SNMPv1/v2c GetRequest building and message parsing (BER per X.690, RFC 1157, RFC 3416) */
#include "core/compat.h"

#include "core/error.h"
#include "core/text.h"
#include "proto/cursor.h"
#include "proto/snmp.h"

const char *const snmp_system_oids[] = {
	SNMP_OID_SYS_DESCR, SNMP_OID_SYS_OBJECT_ID, SNMP_OID_SYS_CONTACT,
	SNMP_OID_SYS_NAME,  SNMP_OID_SYS_LOCATION,
};
const size_t snmp_system_oid_count = DL_ARRAY_SIZE(snmp_system_oids);

/* BER tags (X.690 8.1.2; SNMP application tags RFC 2578 7.1) */
enum {
	BER_INTEGER = 0x02,
	BER_OCTET_STRING = 0x04,
	BER_NULL = 0x05,
	BER_OID = 0x06,
	BER_SEQUENCE = 0x30,
	BER_IPADDRESS = 0x40,
	BER_COUNTER32 = 0x41,
	BER_GAUGE32 = 0x42,
	BER_TIMETICKS = 0x43,
	BER_OPAQUE = 0x44,
	BER_COUNTER64 = 0x46,
	BER_NO_SUCH_OBJECT = 0x80,
	BER_NO_SUCH_INSTANCE = 0x81,
	BER_END_OF_MIB_VIEW = 0x82,
};

const char *snmp_value_type_name(enum snmp_value_type t)
{
	switch (t) {
	case SNMP_VALUE_NULL: return "null";
	case SNMP_VALUE_INTEGER: return "integer";
	case SNMP_VALUE_STRING: return "string";
	case SNMP_VALUE_OID: return "oid";
	case SNMP_VALUE_IPADDRESS: return "ipaddress";
	case SNMP_VALUE_COUNTER32: return "counter32";
	case SNMP_VALUE_GAUGE32: return "gauge32";
	case SNMP_VALUE_TIMETICKS: return "timeticks";
	case SNMP_VALUE_OPAQUE: return "opaque";
	case SNMP_VALUE_COUNTER64: return "counter64";
	case SNMP_VALUE_NO_SUCH_OBJECT: return "noSuchObject";
	case SNMP_VALUE_NO_SUCH_INSTANCE: return "noSuchInstance";
	case SNMP_VALUE_END_OF_MIB_VIEW: return "endOfMibView";
	}
	return "unknown";
}

/* ---- encoding: written back to front so every length is known when its header is written ---- */

struct ber_writer {
	uint8_t *buf;
	size_t cap;
	size_t used; /* bytes at the end of buf */
	bool overflow;
};

static void ber_put(struct ber_writer *w, const void *data, size_t n)
{
	if (w->overflow || n > w->cap - w->used) {
		w->overflow = true;
		return;
	}
	w->used += n;
	memcpy(w->buf + w->cap - w->used, data, n);
}

static void ber_put_header(struct ber_writer *w, uint8_t tag, size_t length)
{
	uint8_t h[6];
	size_t n = 0;
	if (length < 0x80) {
		h[n++] = tag;
		h[n++] = (uint8_t)length;
	} else {
		uint8_t digits[4];
		size_t d = 0;
		for (size_t v = length; v && d < sizeof(digits); v >>= 8)
			digits[d++] = (uint8_t)(v & 0xff);
		h[n++] = tag;
		h[n++] = (uint8_t)(0x80 | d);
		while (d)
			h[n++] = digits[--d];
	}
	ber_put(w, h, n);
}

static void ber_put_integer(struct ber_writer *w, int64_t value)
{
	uint8_t b[8];
	size_t n = 0;
	/* minimal two's complement (X.690 8.3.2) */
	uint64_t u = (uint64_t)value;
	for (int i = 7; i >= 0; i--)
		b[7 - i] = (uint8_t)(u >> (i * 8));
	size_t start = 0;
	while (start < 7 && ((b[start] == 0x00 && !(b[start + 1] & 0x80)) ||
			     (b[start] == 0xff && (b[start + 1] & 0x80))))
		start++;
	n = 8 - start;
	ber_put(w, b + start, n);
	ber_put_header(w, BER_INTEGER, n);
}

int snmp_oid_encode(const char *text, uint8_t *out, size_t cap, size_t *len, struct dl_error *err)
{
	uint32_t arcs[SNMP_OID_ARCS_MAX];
	size_t count = 0;
	const char *p = text;
	while (*p) {
		if (count == SNMP_OID_ARCS_MAX)
			return dl_error_set(err, DL_EINVAL, "oid '%s': more than %d arcs", text,
					    SNMP_OID_ARCS_MAX);
		uint64_t v = 0;
		if (*p < '0' || *p > '9')
			return dl_error_set(err, DL_EINVAL,
					    "oid '%s': expected a digit at '%s'; write it dotted "
					    "like 1.3.6.1.2.1.1.1.0",
					    text, p);
		while (*p >= '0' && *p <= '9') {
			v = v * 10 + (uint64_t)(*p - '0');
			if (v > UINT32_MAX)
				return dl_error_set(err, DL_EINVAL, "oid '%s': arc too large",
						    text);
			p++;
		}
		arcs[count++] = (uint32_t)v;
		if (*p == '.') {
			p++;
			if (!*p)
				return dl_error_set(err, DL_EINVAL, "oid '%s': ends with a dot",
						    text);
		} else if (*p) {
			return dl_error_set(err, DL_EINVAL, "oid '%s': unexpected '%c'", text, *p);
		}
	}
	if (count < 2 || arcs[0] > 2 || (arcs[0] < 2 && arcs[1] > 39))
		return dl_error_set(err, DL_EINVAL, "oid '%s': needs at least two valid arcs",
				    text);
	size_t n = 0;
	for (size_t i = 1; i < count; i++) {
		uint64_t v = i == 1 ? (uint64_t)arcs[0] * 40 + arcs[1] : arcs[i];
		/* the first two arcs share one subidentifier (X.690 8.19.4) */
		uint8_t tmp[10];
		size_t t = 0;
		do {
			tmp[t++] = (uint8_t)(v & 0x7f);
			v >>= 7;
		} while (v);
		if (n + t > cap)
			return dl_error_set(err, DL_ENOMEM, "oid '%s': encoding exceeds %zu bytes",
					    text, cap);
		while (t) {
			t--;
			out[n++] = (uint8_t)(tmp[t] | (t ? 0x80 : 0));
		}
	}
	*len = n;
	return 0;
}

int snmp_build_get(uint8_t *buf, size_t cap, size_t *len, int version, const char *community,
		   int32_t request_id, const char *const *oids, size_t oid_count,
		   struct dl_error *err)
{
	if (version != SNMP_VERSION_1 && version != SNMP_VERSION_2C)
		return dl_error_set(err, DL_EINVAL, "snmp: version %d is not v1 (0) or v2c (1)",
				    version);
	size_t community_len = strlen(community);
	if (community_len >= SNMP_COMMUNITY_MAX)
		return dl_error_set(err, DL_EINVAL, "snmp: community longer than %d bytes",
				    SNMP_COMMUNITY_MAX - 1);
	if (oid_count == 0 || oid_count > SNMP_VARBINDS_MAX)
		return dl_error_set(err, DL_EINVAL, "snmp: %zu oids; ask for 1 to %d", oid_count,
				    SNMP_VARBINDS_MAX);
	struct ber_writer w = {.buf = buf, .cap = cap};
	/* varbind list, last varbind first */
	for (size_t i = oid_count; i-- > 0;) {
		uint8_t oid[SNMP_OID_ARCS_MAX * 5];
		size_t oid_len;
		int rc = snmp_oid_encode(oids[i], oid, sizeof(oid), &oid_len, err);
		if (rc < 0)
			return rc;
		size_t before = w.used;
		ber_put_header(&w, BER_NULL, 0);
		ber_put(&w, oid, oid_len);
		ber_put_header(&w, BER_OID, oid_len);
		ber_put_header(&w, BER_SEQUENCE, w.used - before);
	}
	ber_put_header(&w, BER_SEQUENCE, w.used); /* the varbind list */
	ber_put_integer(&w, 0);                   /* error-index */
	ber_put_integer(&w, 0);                   /* error-status */
	ber_put_integer(&w, request_id);
	ber_put_header(&w, SNMP_PDU_GET_REQUEST, w.used);
	ber_put(&w, community, community_len);
	ber_put_header(&w, BER_OCTET_STRING, community_len);
	ber_put_integer(&w, version);
	ber_put_header(&w, BER_SEQUENCE, w.used);
	if (w.overflow)
		return dl_error_set(
			err, DL_ENOMEM,
			"snmp: GetRequest does not fit in %zu bytes; ask for fewer oids", cap);
	memmove(buf, buf + cap - w.used, w.used);
	*len = w.used;
	return 0;
}

/* ---- decoding ---- */

struct ber_tlv {
	uint8_t tag;
	size_t length;
	size_t offset; /* absolute offset of the tag */
	struct cursor content;
};

/* Read one TLV: single-octet tags, definite lengths in short or long form
 * (at most 4 length octets), the content must fit in c. */
static int ber_read(struct cursor *c, struct ber_tlv *t)
{
	t->offset = cursor_position(c);
	if (cursor_u8(c, &t->tag) < 0)
		return DL_EPROTO;
	if ((t->tag & 0x1f) == 0x1f)
		return cursor_fail_at(c, t->offset, "high-tag-number form is not used by SNMP",
				      t->tag, true);
	uint8_t first;
	if (cursor_u8(c, &first) < 0)
		return DL_EPROTO;
	size_t length = first;
	if (first == 0x80)
		return cursor_fail_value(c, "indefinite length is not allowed in SNMP", first);
	if (first & 0x80) {
		size_t octets = first & 0x7f;
		if (octets > 4)
			return cursor_fail_value(c, "length of length exceeds 4 octets", octets);
		length = 0;
		for (size_t i = 0; i < octets; i++) {
			uint8_t b;
			if (cursor_u8(c, &b) < 0)
				return DL_EPROTO;
			length = (length << 8) | b;
		}
	}
	if (length > cursor_remaining(c))
		return cursor_fail_value(c, "length exceeds the enclosing data", length);
	return cursor_sub(c, length, &t->content);
}

static int ber_expect(struct cursor *c, uint8_t tag, struct ber_tlv *t, const char *reason)
{
	if (ber_read(c, t) < 0)
		return DL_EPROTO;
	if (t->tag != tag)
		return cursor_fail_at(c, t->offset, reason, t->tag, true);
	return 0;
}

static int ber_integer(struct ber_tlv *t, int64_t *out)
{
	size_t n = t->length = cursor_remaining(&t->content);
	if (n == 0 || n > 8)
		return cursor_fail_at(&t->content, t->offset, "integer length is not 1 to 8", n,
				      true);
	uint8_t b;
	cursor_u8(&t->content, &b);
	int64_t v = (int8_t)b;
	for (size_t i = 1; i < n; i++) {
		cursor_u8(&t->content, &b);
		v = (int64_t)(((uint64_t)v << 8) | b);
	}
	*out = v;
	return 0;
}

static int ber_unsigned(struct ber_tlv *t, size_t max_octets, uint64_t *out)
{
	size_t n = cursor_remaining(&t->content);
	if (n == 0 || n > max_octets + 1)
		return cursor_fail_at(&t->content, t->offset, "unsigned length out of range", n,
				      true);
	uint64_t v = 0;
	for (size_t i = 0; i < n; i++) {
		uint8_t b;
		cursor_u8(&t->content, &b);
		if (i == 0 && n == max_octets + 1 && b != 0)
			return cursor_fail_at(&t->content, t->offset, "unsigned value too large", b,
					      true);
		v = (v << 8) | b;
	}
	*out = v;
	return 0;
}

static int ber_int32(struct cursor *c, int32_t *out, const char *what)
{
	struct ber_tlv t;
	if (ber_expect(c, BER_INTEGER, &t, what) < 0)
		return DL_EPROTO;
	int64_t v;
	if (ber_integer(&t, &v) < 0)
		return DL_EPROTO;
	if (v < INT32_MIN || v > INT32_MAX)
		return cursor_fail_at(c, t.offset, "integer exceeds 32 bits", (uint64_t)v, true);
	*out = (int32_t)v;
	return 0;
}

static int ber_oid_text(struct ber_tlv *t, char *out, size_t cap)
{
	size_t n = cursor_remaining(&t->content);
	if (n == 0 || n > SNMP_OID_ARCS_MAX * 5)
		return cursor_fail_at(&t->content, t->offset, "oid length out of range", n, true);
	size_t used = 0;
	size_t arcs = 0;
	out[0] = '\0';
	while (!cursor_at_end(&t->content)) {
		uint64_t v = 0;
		uint8_t b;
		size_t octets = 0;
		do {
			if (cursor_u8(&t->content, &b) < 0)
				return DL_EPROTO;
			if (++octets > 5)
				return cursor_fail_value(&t->content, "oid arc exceeds 32 bits",
							 octets);
			v = (v << 7) | (b & 0x7f);
		} while (b & 0x80);
		if (v > UINT32_MAX)
			return cursor_fail_value(&t->content, "oid arc exceeds 32 bits", v);
		if (arcs + (arcs == 0 ? 2 : 1) > SNMP_OID_ARCS_MAX)
			return cursor_fail_at(&t->content, t->offset,
					      "oid has more arcs than the limit", SNMP_OID_ARCS_MAX,
					      true);
		int w;
		if (arcs == 0) {
			uint64_t first = v < 40 ? 0 : v < 80 ? 1 : 2;
			w = snprintf(out + used, cap - used, "%" PRIu64 ".%" PRIu64, first,
				     v - first * 40);
			arcs += 2;
		} else {
			w = snprintf(out + used, cap - used, ".%" PRIu64, v);
			arcs++;
		}
		if (w < 0 || (size_t)w >= cap - used)
			return cursor_fail_at(&t->content, t->offset, "oid too long to render",
					      arcs, true);
		used += (size_t)w;
	}
	return 0;
}

/* Validate a constructed value we do not interpret, bounded in depth. */
static int ber_skip_nested(struct cursor *c, unsigned depth)
{
	if (depth > SNMP_DEPTH_MAX)
		return cursor_fail_value(c, "nesting deeper than the limit", depth);
	size_t items = 0;
	while (!cursor_at_end(c)) {
		struct ber_tlv t;
		if (ber_read(c, &t) < 0)
			return DL_EPROTO;
		if (++items > 256)
			return cursor_fail_value(c, "too many nested elements", items);
		if ((t.tag & 0x20) && ber_skip_nested(&t.content, depth + 1) < 0)
			return DL_EPROTO;
	}
	return 0;
}

static int snmp_value(struct cursor *c, struct snmp_varbind *vb)
{
	struct ber_tlv t;
	if (ber_read(c, &t) < 0)
		return DL_EPROTO;
	size_t n = cursor_remaining(&t.content);
	vb->raw_length = n;
	vb->text[0] = '\0';
	int64_t i = 0;
	uint64_t u = 0;
	const uint8_t *bytes = NULL;
	switch (t.tag) {
	case BER_NULL:
		vb->type = SNMP_VALUE_NULL;
		if (n != 0)
			return cursor_fail_at(c, t.offset, "NULL with content", n, true);
		return 0;
	case BER_INTEGER:
		vb->type = SNMP_VALUE_INTEGER;
		if (ber_integer(&t, &i) < 0)
			return DL_EPROTO;
		vb->integer = i;
		vb->unsigned_value = (uint64_t)i;
		snprintf(vb->text, sizeof(vb->text), "%" PRId64, i);
		return 0;
	case BER_OCTET_STRING:
	case BER_OPAQUE:
		vb->type = t.tag == BER_OPAQUE ? SNMP_VALUE_OPAQUE : SNMP_VALUE_STRING;
		cursor_bytes(&t.content, n, &bytes);
		cursor_text_printable(vb->text, sizeof(vb->text), bytes, n);
		return 0;
	case BER_OID:
		vb->type = SNMP_VALUE_OID;
		return ber_oid_text(&t, vb->text, sizeof(vb->text));
	case BER_IPADDRESS:
		vb->type = SNMP_VALUE_IPADDRESS;
		if (n != 4)
			return cursor_fail_at(c, t.offset, "IpAddress is not 4 octets", n, true);
		cursor_bytes(&t.content, 4, &bytes);
		snprintf(vb->text, sizeof(vb->text), "%u.%u.%u.%u", bytes[0], bytes[1], bytes[2],
			 bytes[3]);
		return 0;
	case BER_COUNTER32:
	case BER_GAUGE32:
	case BER_TIMETICKS:
	case BER_COUNTER64:
		vb->type = t.tag == BER_COUNTER32   ? SNMP_VALUE_COUNTER32
			   : t.tag == BER_GAUGE32   ? SNMP_VALUE_GAUGE32
			   : t.tag == BER_TIMETICKS ? SNMP_VALUE_TIMETICKS
						    : SNMP_VALUE_COUNTER64;
		if (ber_unsigned(&t, t.tag == BER_COUNTER64 ? 8 : 4, &u) < 0)
			return DL_EPROTO;
		vb->unsigned_value = u;
		vb->integer = (int64_t)(u & INT64_MAX);
		if (t.tag == BER_TIMETICKS)
			snprintf(vb->text, sizeof(vb->text),
				 "%" PRIu64 " (%" PRIu64 "d %02" PRIu64 ":%02" PRIu64 ":%02" PRIu64
				 ")",
				 u, u / 8640000, u / 360000 % 24, u / 6000 % 60, u / 100 % 60);
		else
			snprintf(vb->text, sizeof(vb->text), "%" PRIu64, u);
		return 0;
	case BER_NO_SUCH_OBJECT:
	case BER_NO_SUCH_INSTANCE:
	case BER_END_OF_MIB_VIEW:
		vb->type = t.tag == BER_NO_SUCH_OBJECT     ? SNMP_VALUE_NO_SUCH_OBJECT
			   : t.tag == BER_NO_SUCH_INSTANCE ? SNMP_VALUE_NO_SUCH_INSTANCE
							   : SNMP_VALUE_END_OF_MIB_VIEW;
		if (n != 0)
			return cursor_fail_at(c, t.offset, "exception value with content", n, true);
		text_copy(vb->text, sizeof(vb->text), snmp_value_type_name(vb->type));
		return 0;
	}
	if (t.tag & 0x20)
		return ber_skip_nested(&t.content, 2) < 0
			       ? DL_EPROTO
			       : cursor_fail_at(c, t.offset, "constructed varbind value", t.tag,
						true);
	return cursor_fail_at(c, t.offset, "unknown varbind value type", t.tag, true);
}

static int snmp_parse_cursor(struct cursor *c, struct snmp_message *out)
{
	struct ber_tlv message;
	if (ber_expect(c, BER_SEQUENCE, &message, "message is not a SEQUENCE") < 0)
		return DL_EPROTO;
	struct cursor *m = &message.content;
	int32_t version;
	if (ber_int32(m, &version, "version is not an INTEGER") < 0)
		return DL_EPROTO;
	if (version != SNMP_VERSION_1 && version != SNMP_VERSION_2C)
		return cursor_fail_value(m, "version is not v1 (0) or v2c (1)",
					 (uint64_t)(int64_t)version);
	out->version = version;
	struct ber_tlv community;
	if (ber_expect(m, BER_OCTET_STRING, &community, "community is not an OCTET STRING") < 0)
		return DL_EPROTO;
	size_t cl = cursor_remaining(&community.content);
	if (cl >= SNMP_COMMUNITY_MAX)
		return cursor_fail_at(m, community.offset, "community too long", cl, true);
	const uint8_t *bytes;
	cursor_bytes(&community.content, cl, &bytes);
	cursor_text_printable(out->community, sizeof(out->community), bytes, cl);

	struct ber_tlv pdu;
	if (ber_read(m, &pdu) < 0)
		return DL_EPROTO;
	if (pdu.tag < SNMP_PDU_GET_REQUEST || pdu.tag > SNMP_PDU_REPORT || pdu.tag == 0xa4)
		return cursor_fail_at(m, pdu.offset, "PDU type is not a v1/v2c request or response",
				      pdu.tag, true);
	out->pdu_type = pdu.tag;
	struct cursor *p = &pdu.content;
	if (ber_int32(p, &out->request_id, "request-id is not an INTEGER") < 0 ||
	    ber_int32(p, &out->error_status, "error-status is not an INTEGER") < 0 ||
	    ber_int32(p, &out->error_index, "error-index is not an INTEGER") < 0)
		return DL_EPROTO;
	struct ber_tlv list;
	if (ber_expect(p, BER_SEQUENCE, &list, "varbind list is not a SEQUENCE") < 0)
		return DL_EPROTO;
	while (!cursor_at_end(&list.content)) {
		if (out->varbind_count == SNMP_VARBINDS_MAX)
			return cursor_fail_value(&list.content, "more varbinds than the limit",
						 SNMP_VARBINDS_MAX);
		struct snmp_varbind *vb = &out->varbinds[out->varbind_count];
		struct ber_tlv pair, name;
		if (ber_expect(&list.content, BER_SEQUENCE, &pair, "varbind is not a SEQUENCE") < 0)
			return DL_EPROTO;
		if (ber_expect(&pair.content, BER_OID, &name, "varbind name is not an OID") < 0)
			return DL_EPROTO;
		if (ber_oid_text(&name, vb->oid, sizeof(vb->oid)) < 0)
			return DL_EPROTO;
		if (snmp_value(&pair.content, vb) < 0)
			return DL_EPROTO;
		if (!cursor_at_end(&pair.content))
			return cursor_fail_value(&pair.content,
						 "extra bytes after the varbind value",
						 cursor_remaining(&pair.content));
		out->varbind_count++;
	}
	if (!cursor_at_end(p))
		return cursor_fail_value(p, "extra bytes after the varbind list",
					 cursor_remaining(p));
	if (!cursor_at_end(m))
		return cursor_fail_value(m, "extra bytes after the PDU", cursor_remaining(m));
	if (!cursor_at_end(c))
		return cursor_fail_value(c, "extra bytes after the message", cursor_remaining(c));
	return 0;
}

int snmp_parse(const uint8_t *msg, size_t len, struct snmp_message *out, struct dl_error *err)
{
	memset(out, 0, sizeof(*out));
	if (len > 65507) /* the largest UDP payload */
		return dl_error_set(err, DL_EPROTO,
				    "snmp message: %zu bytes is larger than UDP allows", len);
	struct cursor c;
	cursor_init(&c, msg, len);
	if (snmp_parse_cursor(&c, out) < 0)
		return cursor_error_report(&c, err, "snmp message");
	return 0;
}

const struct snmp_varbind *snmp_find(const struct snmp_message *m, const char *oid)
{
	for (size_t i = 0; i < m->varbind_count; i++)
		if (strcmp(m->varbinds[i].oid, oid) == 0)
			return &m->varbinds[i];
	return NULL;
}
