/* ssh: SSH transport identification and KEXINIT build and parse (RFC 4253 4.2, 6, 7.1) */
#include "core/compat.h"

#include <sys/random.h>

#include "core/error.h"
#include "proto/cursor.h"
#include "proto/ssh.h"

_Static_assert(SSH_STREAM_MAX < 128 * 1024,
	       "a stream buffer stays small enough for a static array");

static const char *const ssh_name_list_fields[SSH_NAME_LIST_COUNT] = {
	[SSH_KEX_ALGORITHMS] = "kex_algorithms",
	[SSH_HOST_KEY_ALGORITHMS] = "server_host_key_algorithms",
	[SSH_CIPHERS_CLIENT_TO_SERVER] = "encryption_algorithms_client_to_server",
	[SSH_CIPHERS_SERVER_TO_CLIENT] = "encryption_algorithms_server_to_client",
	[SSH_MACS_CLIENT_TO_SERVER] = "mac_algorithms_client_to_server",
	[SSH_MACS_SERVER_TO_CLIENT] = "mac_algorithms_server_to_client",
	[SSH_COMPRESSION_CLIENT_TO_SERVER] = "compression_algorithms_client_to_server",
	[SSH_COMPRESSION_SERVER_TO_CLIENT] = "compression_algorithms_server_to_client",
	[SSH_LANGUAGES_CLIENT_TO_SERVER] = "languages_client_to_server",
	[SSH_LANGUAGES_SERVER_TO_CLIENT] = "languages_server_to_client",
};

const char *ssh_name_list_field(enum ssh_name_list_index index)
{
	if ((unsigned)index >= SSH_NAME_LIST_COUNT)
		return "unknown name-list";
	return ssh_name_list_fields[index];
}

bool ssh_name_list_has(const struct ssh_name_list *list, const char *name)
{
	for (size_t i = 0; i < list->count; i++)
		if (strcmp(list->names[i], name) == 0)
			return true;
	return false;
}

/* Identification */

int ssh_build_ident(uint8_t *buf, size_t cap, size_t *len, struct dl_error *err)
{
	static const char ident[] = SSH_CLIENT_IDENT "\r\n";
	size_t n = sizeof(ident) - 1;
	if (cap < n)
		return dl_error_set(err, DL_ENOMEM,
				    "ssh: identification needs %zu bytes, buffer has %zu", n, cap);
	memcpy(buf, ident, n);
	*len = n;
	return 0;
}

static bool ssh_is_ident_start(const uint8_t *p, size_t avail)
{
	size_t n = avail < 4 ? avail : 4;
	return memcmp(p, "SSH-", n) == 0;
}

/*
 * Fill out from the identification line (without its line end) at absolute
 * offset at. RFC 4253 4.2 forbids '-' in softwareversion, but real servers
 * send "SSH-2.0-Cisco-1.25": protoversion ends at the first '-' and the
 * rest up to a space is the softwareversion, as OpenSSH reads it.
 */
static int ssh_ident_fields(struct cursor *c, const uint8_t *line, size_t n, size_t at,
			    struct ssh_ident *out)
{
	size_t i = 4; /* after "SSH-" */
	size_t proto_start = i;
	while (i < n && line[i] != '-' && line[i] != ' ')
		i++;
	if (i == proto_start || i >= n || line[i] != '-')
		return cursor_fail_at(c, at + i, "identification has no protoversion ending in '-'",
				      0, false);
	if (i - proto_start >= sizeof(out->protoversion))
		return cursor_fail_at(c, at + proto_start, "protoversion too long", i - proto_start,
				      true);
	size_t soft_start = ++i;
	while (i < n && line[i] != ' ')
		i++;
	if (i == soft_start)
		return cursor_fail_at(c, at + i, "identification has an empty softwareversion", 0,
				      false);
	for (size_t k = 0; k < n; k++)
		if (line[k] < 0x20 || line[k] > 0x7e)
			return cursor_fail_at(c, at + k,
					      "identification has a byte outside printable ASCII",
					      line[k], true);
	memcpy(out->protoversion, line + proto_start, soft_start - 1 - proto_start);
	out->protoversion[soft_start - 1 - proto_start] = '\0';
	memcpy(out->softwareversion, line + soft_start, i - soft_start);
	out->softwareversion[i - soft_start] = '\0';
	if (i < n)
		cursor_text_printable(out->comments, sizeof(out->comments), line + i + 1,
				      n - i - 1);
	return 0;
}

/*
 * Step c over the other lines and the identification line. With partial,
 * a line that has not ended yet (and is not yet too long) sets *incomplete
 * and returns 0; without it, that is a failure.
 */
static int ssh_ident_cursor(struct cursor *c, struct ssh_ident *out, bool partial, bool *incomplete)
{
	*incomplete = false;
	for (;;) {
		size_t at = cursor_position(c);
		size_t avail = cursor_remaining(c);
		const uint8_t *p = c->p + c->offset;
		if (avail == 0) {
			if (partial) {
				*incomplete = true;
				return 0;
			}
			return cursor_fail(c, "truncated: expected the identification line");
		}
		bool ident = ssh_is_ident_start(p, avail);
		size_t max = ident ? SSH_IDENT_MAX : SSH_PRE_IDENT_LINE_MAX; /* with CR LF */
		size_t look = avail < max ? avail : max;
		const uint8_t *nl = memchr(p, '\n', look);
		const uint8_t *nul = memchr(p, '\0', nl ? (size_t)(nl - p) : look);
		if (nul)
			return cursor_fail_at(
				c, at + (size_t)(nul - p),
				ident ? "NUL byte in the identification line"
				      : "NUL byte in a line before the identification",
				0, false);
		if (!nl && avail >= max)
			return cursor_fail_at(c, at,
					      ident ? "identification line longer than 255 bytes"
						    : "line before the identification longer than "
						      "1024 bytes",
					      avail, true);
		if (!nl) {
			if (partial) {
				*incomplete = true;
				return 0;
			}
			return cursor_fail_at(c, at, "truncated: line has no end", avail, true);
		}
		size_t total = (size_t)(nl - p) + 1;
		size_t n = total - 1;
		bool crlf = n > 0 && p[n - 1] == '\r';
		if (crlf)
			n--;
		if (!ident) {
			if (++out->lines_before > SSH_PRE_IDENT_LINES_MAX)
				return cursor_fail_at(
					c, at, "more than 32 lines before the identification",
					out->lines_before, true);
			cursor_skip(c, total);
			continue;
		}
		if (n < 4)
			return cursor_fail_at(c, at, "identification line shorter than 'SSH-'", n,
					      true);
		out->crlf = crlf;
		if (ssh_ident_fields(c, p, n, at, out) < 0)
			return DL_EPROTO;
		cursor_skip(c, total);
		out->length = cursor_position(c);
		return 0;
	}
}

int ssh_parse_ident(const uint8_t *buf, size_t len, struct ssh_ident *out, struct dl_error *err)
{
	memset(out, 0, sizeof(*out));
	struct cursor c;
	bool incomplete;
	cursor_init(&c, buf, len);
	if (ssh_ident_cursor(&c, out, false, &incomplete) < 0)
		return cursor_error_report(&c, err, "ssh identification");
	return 0;
}

/* Binary packets */

/*
 * Read packet_length and check it against RFC 4253 6: at most 35000 bytes
 * in all, at least 16, a multiple of 8 (the block size of "none").
 */
static int ssh_packet_length(struct cursor *c, uint32_t *packet_length)
{
	size_t at = cursor_position(c);
	if (cursor_u32be(c, packet_length) < 0)
		return DL_EPROTO;
	if (*packet_length > SSH_PACKET_MAX - 4)
		return cursor_fail_at(c, at, "packet_length above the 35000-byte packet limit",
				      *packet_length, true);
	if (*packet_length < 12)
		return cursor_fail_at(c, at, "packet_length below the 16-byte minimum packet",
				      *packet_length, true);
	if ((*packet_length + 4) % 8 != 0)
		return cursor_fail_at(c, at, "packet is not a multiple of 8 bytes", *packet_length,
				      true);
	return 0;
}

/* Split one name-list (RFC 4251 5) into out; the list's bytes are c's. */
static int ssh_name_list_split(struct cursor *c, struct ssh_name_list *out)
{
	out->count = 0;
	size_t n = cursor_remaining(c);
	if (n == 0)
		return 0;
	const uint8_t *p;
	size_t base = cursor_position(c);
	cursor_bytes(c, n, &p);
	size_t start = 0;
	for (size_t i = 0; i <= n; i++) {
		if (i < n && p[i] != ',') {
			if (p[i] <= 0x20 || p[i] > 0x7e)
				return cursor_fail_at(c, base + i,
						      "algorithm name has a byte outside "
						      "printable ASCII",
						      p[i], true);
			continue;
		}
		size_t len = i - start;
		if (len == 0)
			return cursor_fail_at(c, base + i, "empty name in a name-list", 0, false);
		if (len > SSH_NAME_MAX)
			return cursor_fail_at(c, base + start,
					      "algorithm name longer than 64 characters", len,
					      true);
		if (out->count == SSH_NAMES_MAX)
			return cursor_fail_at(c, base + start, "more than 64 names in a name-list",
					      out->count + 1, true);
		memcpy(out->names[out->count], p + start, len);
		out->names[out->count][len] = '\0';
		out->count++;
		start = i + 1;
	}
	return 0;
}

static int ssh_kexinit_payload(struct cursor *c, struct ssh_kexinit *out)
{
	uint8_t code, follows;
	size_t at = cursor_position(c);
	if (cursor_u8(c, &code) < 0)
		return DL_EPROTO;
	if (code != SSH_MSG_KEXINIT)
		return cursor_fail_at(c, at, "not a KEXINIT message (code 20)", code, true);
	if (cursor_copy(c, out->cookie, SSH_COOKIE_LEN) < 0)
		return DL_EPROTO;
	for (size_t i = 0; i < SSH_NAME_LIST_COUNT; i++) {
		uint32_t n;
		struct cursor list;
		at = cursor_position(c);
		if (cursor_u32be(c, &n) < 0)
			return DL_EPROTO;
		if (n > cursor_remaining(c))
			return cursor_fail_at(c, at, "name-list longer than the packet", n, true);
		if (n > SSH_NAME_LIST_MAX)
			return cursor_fail_at(c, at, "name-list longer than 4096 bytes", n, true);
		cursor_sub(c, n, &list);
		if (ssh_name_list_split(&list, &out->lists[i]) < 0)
			return DL_EPROTO;
	}
	if (cursor_u8(c, &follows) < 0 || cursor_u32be(c, &out->reserved) < 0)
		return DL_EPROTO;
	out->first_kex_packet_follows = follows != 0; /* RFC 4251 5: non-zero is TRUE */
	if (!cursor_at_end(c))
		return cursor_fail_value(c, "bytes after the KEXINIT reserved field",
					 cursor_remaining(c));
	return 0;
}

static int ssh_kexinit_cursor(struct cursor *c, size_t len, struct ssh_kexinit *out)
{
	uint32_t packet_length;
	uint8_t padding_length;
	if (ssh_packet_length(c, &packet_length) < 0)
		return DL_EPROTO;
	if (len - 4 < packet_length)
		return cursor_fail_at(c, 0, "truncated: packet_length exceeds the bytes received",
				      packet_length, true);
	if (len - 4 > packet_length)
		return cursor_fail_at(c, 4 + (size_t)packet_length, "bytes after the packet",
				      len - 4 - packet_length, true);
	cursor_u8(c, &padding_length);
	if (padding_length < SSH_PADDING_MIN)
		return cursor_fail_at(c, 4, "padding shorter than 4 bytes", padding_length, true);
	if ((size_t)padding_length + 1 >= packet_length)
		return cursor_fail_at(c, 4, "padding_length leaves no payload", padding_length,
				      true);
	out->packet_length = packet_length;
	out->padding_length = padding_length;
	struct cursor payload;
	cursor_sub(c, packet_length - padding_length - 1, &payload);
	return ssh_kexinit_payload(&payload, out);
}

int ssh_parse_kexinit(const uint8_t *packet, size_t len, struct ssh_kexinit *out,
		      struct dl_error *err)
{
	memset(out, 0, sizeof(*out));
	if (len > SSH_PACKET_MAX)
		return dl_error_set(err, DL_EPROTO,
				    "ssh packet: %zu bytes exceeds the %d-byte limit", len,
				    SSH_PACKET_MAX);
	struct cursor c;
	cursor_init(&c, packet, len);
	if (ssh_kexinit_cursor(&c, len, out) < 0)
		return cursor_error_report(&c, err, "ssh KEXINIT packet");
	return 0;
}

/* Check one comma-separated list we are about to send; returns its length. */
static int ssh_check_offer_list(const char *list, enum ssh_name_list_index index, size_t *len,
				struct dl_error *err)
{
	const char *field = ssh_name_list_field(index);
	size_t n = strnlen(list, SSH_NAME_LIST_MAX + 1);
	if (n > SSH_NAME_LIST_MAX)
		return dl_error_set(err, DL_EINVAL, "ssh: %s is longer than %d bytes", field,
				    SSH_NAME_LIST_MAX);
	size_t names = 0, start = 0;
	for (size_t i = 0; n > 0 && i <= n; i++) {
		if (i < n && list[i] != ',') {
			if (list[i] <= 0x20 || list[i] > 0x7e)
				return dl_error_set(err, DL_EINVAL,
						    "ssh: %s: byte %zu is not printable ASCII; "
						    "algorithm names are US-ASCII without spaces",
						    field, i);
			continue;
		}
		if (i == start || i - start > SSH_NAME_MAX)
			return dl_error_set(err, DL_EINVAL,
					    "ssh: %s: name at byte %zu is empty or longer than %d "
					    "characters",
					    field, start, SSH_NAME_MAX);
		if (++names > SSH_NAMES_MAX)
			return dl_error_set(err, DL_EINVAL, "ssh: %s has more than %d names", field,
					    SSH_NAMES_MAX);
		start = i + 1;
	}
	*len = n;
	return 0;
}

static void ssh_put_u32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

int ssh_build_kexinit(uint8_t *buf, size_t cap, size_t *len, const struct ssh_kexinit_offer *offer,
		      struct dl_error *err)
{
	size_t lengths[SSH_NAME_LIST_COUNT];
	size_t payload = 1 + SSH_COOKIE_LEN + 1 + 4;
	for (size_t i = 0; i < SSH_NAME_LIST_COUNT; i++) {
		const char *list = offer->lists[i] ? offer->lists[i] : "";
		if (ssh_check_offer_list(list, (enum ssh_name_list_index)i, &lengths[i], err) < 0)
			return DL_EINVAL;
		payload += 4 + lengths[i];
	}
	/* packet_length + padding_length + payload + padding, a multiple of 8 */
	size_t padding = 8 - (4 + 1 + payload) % 8;
	if (padding < SSH_PADDING_MIN)
		padding += 8;
	size_t total = 4 + 1 + payload + padding;
	if (total > SSH_PACKET_MAX)
		return dl_error_set(err, DL_EINVAL,
				    "ssh: KEXINIT of %zu bytes exceeds the %d-byte packet limit; "
				    "offer fewer algorithms",
				    total, SSH_PACKET_MAX);
	if (cap < total)
		return dl_error_set(err, DL_ENOMEM, "ssh: KEXINIT needs %zu bytes, buffer has %zu",
				    total, cap);
	uint8_t *p = buf;
	ssh_put_u32(p, (uint32_t)(total - 4));
	p[4] = (uint8_t)padding;
	p[5] = SSH_MSG_KEXINIT;
	memcpy(p + 6, offer->cookie, SSH_COOKIE_LEN);
	p += 6 + SSH_COOKIE_LEN;
	for (size_t i = 0; i < SSH_NAME_LIST_COUNT; i++) {
		ssh_put_u32(p, (uint32_t)lengths[i]);
		if (lengths[i])
			memcpy(p + 4, offer->lists[i], lengths[i]);
		p += 4 + lengths[i];
	}
	*p++ = offer->first_kex_packet_follows ? 1 : 0;
	ssh_put_u32(p, 0);
	p += 4;
	/* RFC 4253 6: the padding SHOULD be random */
	if (getrandom(p, padding, 0) != (ssize_t)padding)
		return dl_error_set(err, DL_EIO, "ssh: getrandom for the KEXINIT padding: %s",
				    strerror(errno));
	*len = total;
	return 0;
}

/* Stream */

int ssh_stream_scan(const uint8_t *buf, size_t len, struct ssh_stream_view *out,
		    struct dl_error *err)
{
	memset(out, 0, sizeof(*out));
	if (len > SSH_STREAM_MAX)
		return dl_error_set(err, DL_EINVAL,
				    "ssh stream: %zu bytes exceeds the %d-byte scan limit", len,
				    SSH_STREAM_MAX);
	struct ssh_ident ident;
	memset(&ident, 0, sizeof(ident));
	struct cursor c;
	bool incomplete;
	cursor_init(&c, buf, len);
	if (ssh_ident_cursor(&c, &ident, true, &incomplete) < 0)
		return cursor_error_report(&c, err, "ssh stream");
	if (incomplete) {
		out->need = 1;
		return 0;
	}
	out->ident_end = ident.length;
	out->packet_start = ident.length;
	if (cursor_remaining(&c) < 4) {
		out->need = 4 - cursor_remaining(&c);
		return 0;
	}
	uint32_t packet_length;
	if (ssh_packet_length(&c, &packet_length) < 0)
		return cursor_error_report(&c, err, "ssh stream");
	out->packet_len = 4 + (size_t)packet_length;
	size_t have = len - out->packet_start;
	if (have < out->packet_len) {
		out->need = out->packet_len - have;
		return 0;
	}
	out->complete = true;
	return 0;
}
