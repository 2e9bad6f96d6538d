/* tftp: read-request building and DATA/ERROR/OACK parsing (RFC 1350, RFC 2347) */
#include "core/compat.h"

#include "core/error.h"
#include "core/text.h"
#include "proto/cursor.h"
#include "proto/tftp.h"

const char *tftp_opcode_name(unsigned opcode)
{
	static const char *const names[] = {NULL, "RRQ", "WRQ", "DATA", "ACK", "ERROR", "OACK"};
	return opcode < DL_ARRAY_SIZE(names) ? names[opcode] : NULL;
}

int tftp_build_rrq(uint8_t *buf, size_t cap, size_t *len, const char *file, const char *mode,
		   struct dl_error *err)
{
	size_t fl = strlen(file), ml = strlen(mode);
	if (fl == 0 || fl >= TFTP_TEXT_MAX)
		return dl_error_set(err, DL_EINVAL, "tftp: file name must be 1 to %d bytes",
				    TFTP_TEXT_MAX - 1);
	if (strcasecmp(mode, "octet") != 0 && strcasecmp(mode, "netascii") != 0)
		return dl_error_set(err, DL_EINVAL, "tftp: mode '%s' is not octet or netascii",
				    mode);
	size_t need = 2 + fl + 1 + ml + 1;
	if (need > cap)
		return dl_error_set(err, DL_ENOMEM, "tftp: RRQ needs %zu bytes, buffer has %zu",
				    need, cap);
	buf[0] = 0;
	buf[1] = TFTP_RRQ;
	memcpy(buf + 2, file, fl + 1);
	memcpy(buf + 3 + fl, mode, ml + 1);
	*len = need;
	return 0;
}

/* A NUL-terminated string of at most max bytes (RFC 1350 5). */
static int tftp_string(struct cursor *c, char *out, size_t cap, const char *what)
{
	size_t remaining = cursor_remaining(c);
	const uint8_t *start = c->p + c->offset;
	const uint8_t *nul = memchr(start, 0, remaining);
	if (!nul)
		return cursor_fail(c, what);
	size_t n = (size_t)(nul - start);
	if (n >= cap)
		return cursor_fail_value(c, "string longer than the limit", n);
	cursor_text_printable(out, cap, start, n);
	return cursor_skip(c, n + 1);
}

static int tftp_options(struct cursor *c, struct tftp_packet *out)
{
	while (!cursor_at_end(c)) {
		if (out->option_count == TFTP_OPTIONS_MAX)
			return cursor_fail_value(c, "more options than the limit",
						 TFTP_OPTIONS_MAX);
		struct tftp_option *o = &out->options[out->option_count];
		if (tftp_string(c, o->name, sizeof(o->name), "option name has no NUL") < 0 ||
		    tftp_string(c, o->value, sizeof(o->value), "option value has no NUL") < 0)
			return DL_EPROTO;
		out->option_count++;
	}
	return 0;
}

static int tftp_parse_cursor(struct cursor *c, struct tftp_packet *out)
{
	uint16_t opcode;
	if (cursor_u16be(c, &opcode) < 0)
		return DL_EPROTO;
	out->opcode = (enum tftp_opcode)opcode;
	switch (opcode) {
	case TFTP_RRQ:
	case TFTP_WRQ:
		if (tftp_string(c, out->text, sizeof(out->text), "file name has no NUL") < 0 ||
		    tftp_string(c, out->mode, sizeof(out->mode), "mode has no NUL") < 0)
			return DL_EPROTO;
		return tftp_options(c, out);
	case TFTP_DATA:
		if (cursor_u16be(c, &out->block) < 0)
			return DL_EPROTO;
		out->data_len = cursor_remaining(c);
		return cursor_bytes(c, out->data_len, &out->data);
	case TFTP_ACK:
		if (cursor_u16be(c, &out->block) < 0)
			return DL_EPROTO;
		break;
	case TFTP_ERROR:
		if (cursor_u16be(c, &out->error_code) < 0 ||
		    tftp_string(c, out->text, sizeof(out->text), "error message has no NUL") < 0)
			return DL_EPROTO;
		break;
	case TFTP_OACK:
		if (cursor_at_end(c))
			return cursor_fail(c, "OACK without options");
		return tftp_options(c, out);
	default: return cursor_fail_at(c, 0, "unknown opcode", opcode, true);
	}
	if (!cursor_at_end(c))
		return cursor_fail_value(c, "extra bytes after the packet", cursor_remaining(c));
	return 0;
}

int tftp_parse(const uint8_t *msg, size_t len, struct tftp_packet *out, struct dl_error *err)
{
	memset(out, 0, sizeof(*out));
	if (len > TFTP_MESSAGE_MAX)
		return dl_error_set(err, DL_EPROTO,
				    "tftp packet: %zu bytes exceeds the %d-byte limit", len,
				    TFTP_MESSAGE_MAX);
	struct cursor c;
	cursor_init(&c, msg, len);
	if (tftp_parse_cursor(&c, out) < 0)
		return cursor_error_report(&c, err, "tftp packet");
	return 0;
}
