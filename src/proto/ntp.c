/* ntp: NTPv4 client request building and server reply parsing (RFC 5905 7.3) */
#include "core/compat.h"

#include "core/error.h"
#include "proto/cursor.h"
#include "proto/ntp.h"

#define NTP_UNIX_OFFSET 2208988800u /* seconds from 1900 to 1970 */

int ntp_build_request(uint8_t *buf, size_t cap, size_t *len, uint64_t transmit_time,
		      struct dl_error *err)
{
	if (cap < NTP_HEADER_LEN)
		return dl_error_set(err, DL_ENOMEM, "ntp: request needs %d bytes, buffer has %zu",
				    NTP_HEADER_LEN, cap);
	memset(buf, 0, NTP_HEADER_LEN);
	buf[0] = (0u << 6) | (4u << 3) | 3u; /* LI 0, VN 4, mode 3 (client) */
	for (int i = 0; i < 8; i++)
		buf[40 + i] = (uint8_t)(transmit_time >> (56 - 8 * i));
	*len = NTP_HEADER_LEN;
	return 0;
}

static int ntp_timestamp(struct cursor *c, uint64_t *out)
{
	uint32_t seconds, fraction;
	if (cursor_u32be(c, &seconds) < 0 || cursor_u32be(c, &fraction) < 0)
		return DL_EPROTO;
	*out = ((uint64_t)seconds << 32) | fraction;
	return 0;
}

static int ntp_parse_cursor(struct cursor *c, struct ntp_packet *out)
{
	uint8_t first, stratum, poll, precision;
	if (cursor_remaining(c) < NTP_HEADER_LEN)
		return cursor_fail_value(c, "shorter than the 48-byte NTP header",
					 cursor_remaining(c));
	cursor_u8(c, &first);
	out->leap = first >> 6;
	out->version = (first >> 3) & 7;
	out->mode = first & 7;
	if (out->version < 1 || out->version > 4)
		return cursor_fail_at(c, 0, "version is not 1 to 4", out->version, true);
	if (out->mode == 0 || out->mode == 7)
		return cursor_fail_at(c, 0, "mode 0 and 7 (private) are not NTP packets", out->mode,
				      true);
	cursor_u8(c, &stratum);
	cursor_u8(c, &poll);
	cursor_u8(c, &precision);
	out->stratum = stratum;
	out->poll = (int8_t)poll;
	out->precision = (int8_t)precision;
	cursor_u32be(c, &out->root_delay);
	cursor_u32be(c, &out->root_dispersion);
	cursor_copy(c, out->refid, 4);
	if (stratum <= 1) {
		cursor_text_printable(out->refid_text, sizeof(out->refid_text), out->refid,
				      strnlen((const char *)out->refid, 4));
	} else {
		snprintf(out->refid_text, sizeof(out->refid_text), "%u.%u.%u.%u", out->refid[0],
			 out->refid[1], out->refid[2], out->refid[3]);
	}
	ntp_timestamp(c, &out->reference_time);
	ntp_timestamp(c, &out->origin_time);
	ntp_timestamp(c, &out->receive_time);
	ntp_timestamp(c, &out->transmit_time);
	out->extension_length = cursor_remaining(c);
	/* RFC 7822: extension fields are 4-byte aligned; a MAC is 20 or 24 bytes */
	if (out->extension_length % 4 != 0)
		return cursor_fail_value(c, "bytes after the header are not 4-byte aligned",
					 out->extension_length);
	return 0;
}

int ntp_parse(const uint8_t *msg, size_t len, struct ntp_packet *out, struct dl_error *err)
{
	memset(out, 0, sizeof(*out));
	if (len > NTP_MESSAGE_MAX)
		return dl_error_set(err, DL_EPROTO,
				    "ntp packet: %zu bytes exceeds the %d-byte limit", len,
				    NTP_MESSAGE_MAX);
	struct cursor c;
	cursor_init(&c, msg, len);
	if (ntp_parse_cursor(&c, out) < 0)
		return cursor_error_report(&c, err, "ntp packet");
	return 0;
}

int64_t ntp_to_unix(uint64_t ntp_time)
{
	if (ntp_time == 0)
		return 0;
	return (int64_t)(ntp_time >> 32) - (int64_t)NTP_UNIX_OFFSET;
}
