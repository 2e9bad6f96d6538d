/* login-common: what the login drivers share: fingerprints, excerpts, transcripts, templates */
#include "core/compat.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <regex.h>
#include <strings.h>
#include <unistd.h>

#include "adapters/login-common.h"
#include "adapters/login.h"
#include "core/error.h"
#include "core/monotonic.h"
#include "core/profile.h"
#include "core/text.h"

void login_session_init(struct login_session *s, const struct login_driver *driver,
			const struct login_target *target)
{
	s->driver = driver;
	s->target = *target;
	text_copy(s->address, sizeof(s->address), target->address);
	s->target.address = s->address;
}

/* ---- normalisation ---------------------------------------------------------- */

typedef void (*login_emit_cb)(void *context, const char *bytes, size_t length);

static bool is_run_byte(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '+' || c == '/' || c == '=' || c == '-' || c == '_';
}

static bool is_hex(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* A run of token bytes: a nonce or a session id becomes a mark, a number
 * becomes '#', anything else stays. */
static void normalise_run(const char *run, size_t length, login_emit_cb emit, void *context)
{
	bool all_hex = true, letter = false, digit = false;
	for (size_t i = 0; i < length; i++) {
		unsigned char c = (unsigned char)run[i];
		all_hex = all_hex && is_hex(c);
		letter = letter || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
		digit = digit || (c >= '0' && c <= '9');
	}
	if (all_hex && length >= 16) {
		emit(context, "<hex>", 5);
		return;
	}
	if (length >= 20 && letter && digit) {
		emit(context, "<b64>", 5);
		return;
	}
	size_t i = 0;
	while (i < length) {
		size_t start = i;
		if (run[i] >= '0' && run[i] <= '9') {
			while (i < length && run[i] >= '0' && run[i] <= '9')
				i++;
			emit(context, "#", 1);
			continue;
		}
		while (i < length && !(run[i] >= '0' && run[i] <= '9'))
			i++;
		emit(context, run + start, i - start);
	}
}

static void normalise(const char *text, size_t length, login_emit_cb emit, void *context)
{
	size_t i = 0;
	while (i < length) {
		size_t start = i;
		if (is_run_byte((unsigned char)text[i])) {
			while (i < length && is_run_byte((unsigned char)text[i]))
				i++;
			normalise_run(text + start, i - start, emit, context);
			continue;
		}
		while (i < length && !is_run_byte((unsigned char)text[i]))
			i++;
		emit(context, text + start, i - start);
	}
}

struct buffer_sink {
	char *out;
	size_t size, used;
};

static void buffer_emit(void *context, const char *bytes, size_t length)
{
	struct buffer_sink *b = context;
	if (b->used + 1 >= b->size)
		return;
	size_t room = b->size - 1 - b->used;
	size_t n = length < room ? length : room;
	memcpy(b->out + b->used, bytes, n);
	b->used += n;
}

size_t login_normalise(const char *text, size_t length, char *out, size_t size)
{
	struct buffer_sink b = {.out = out, .size = size};
	if (size == 0)
		return 0;
	if (text)
		normalise(text, length, buffer_emit, &b);
	out[b.used] = '\0';
	return b.used;
}

static void digest_emit(void *context, const char *bytes, size_t length)
{
	EVP_DigestUpdate(context, bytes, length);
}

/* Headers whose values change from one answer to the next by design. */
static bool volatile_header(const char *name, size_t length)
{
	static const char *const names[] = {"date",        "set-cookie",         "content-length",
					    "expires",     "last-modified",      "etag",
					    "age",         "keep-alive",         "x-request-id",
					    "request-id",  "x-runtime",          "x-trace-id",
					    "traceparent", "authentication-info"};
	for (size_t i = 0; i < DL_ARRAY_SIZE(names); i++)
		if (strlen(names[i]) == length && strncasecmp(names[i], name, length) == 0)
			return true;
	return false;
}

/* A challenge header's value with its nonce and opaque values replaced by '*':
 * they change with every answer by design (RFC 7616 3.3). */
static void digest_challenge(EVP_MD_CTX *md, const char *value, size_t length)
{
	static const char *const names[] = {"nonce", "opaque", "nextnonce"};
	size_t i = 0, start = 0;
	while (i < length) {
		size_t matched = 0;
		bool boundary = i == 0 || value[i - 1] == ' ' || value[i - 1] == ',' ||
				value[i - 1] == '\t';
		for (size_t k = 0; boundary && k < DL_ARRAY_SIZE(names) && !matched; k++) {
			size_t n = strlen(names[k]);
			if (length - i > n && strncasecmp(value + i, names[k], n) == 0 &&
			    value[i + n] == '=')
				matched = n + 1;
		}
		if (!matched) {
			i++;
			continue;
		}
		normalise(value + start, i + matched - start, digest_emit, md);
		EVP_DigestUpdate(md, "*", 1);
		i += matched;
		if (i < length && value[i] == '"') {
			/* A quoted-string, escapes included. */
			i++;
			while (i < length && value[i] != '"')
				i += (value[i] == '\\' && i + 1 < length) ? 2 : 1;
			if (i < length)
				i++;
		} else {
			while (i < length && value[i] != ',' && value[i] != ' ')
				i++;
		}
		start = i;
	}
	normalise(value + start, length - start, digest_emit, md);
}

static bool challenge_header(const char *name, size_t length)
{
	return (length == 16 && strncasecmp(name, "www-authenticate", 16) == 0) ||
	       (length == 18 && strncasecmp(name, "proxy-authenticate", 18) == 0);
}

static void digest_headers(EVP_MD_CTX *md, const char *headers, size_t length)
{
	size_t i = 0;
	while (i < length) {
		size_t end = i;
		while (end < length && headers[end] != '\n')
			end++;
		size_t line_end = end;
		if (line_end > i && headers[line_end - 1] == '\r')
			line_end--;
		const char *line = headers + i;
		size_t line_length = line_end - i;
		const char *colon = memchr(line, ':', line_length);
		if (line_length > 0 && colon) {
			size_t name_length = (size_t)(colon - line);
			char lower[64];
			size_t n = name_length < sizeof(lower) ? name_length : sizeof(lower);
			for (size_t k = 0; k < n; k++)
				lower[k] = (char)((line[k] >= 'A' && line[k] <= 'Z') ? line[k] + 32
										     : line[k]);
			EVP_DigestUpdate(md, lower, n);
			EVP_DigestUpdate(md, ":", 1);
			if (challenge_header(line, name_length))
				digest_challenge(md, colon + 1, line_length - name_length - 1);
			else if (!volatile_header(line, name_length))
				normalise(colon + 1, line_length - name_length - 1, digest_emit,
					  md);
			EVP_DigestUpdate(md, "\n", 1);
		} else if (line_length > 0) {
			/* A status line: its text, numbers marked (the status is hashed apart). */
			normalise(line, line_length, digest_emit, md);
			EVP_DigestUpdate(md, "\n", 1);
		}
		i = end + 1;
	}
}

void login_fingerprint(struct login_response *out, int status, const char *headers,
		       size_t headers_length, const char *body, size_t body_length)
{
	unsigned char hash[EVP_MAX_MD_SIZE];
	unsigned int hash_length = 0;
	char line[32];
	out->fingerprint[0] = '\0';
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	if (!md)
		return;
	if (EVP_DigestInit_ex(md, EVP_sha256(), NULL) == 1) {
		int n = snprintf(line, sizeof(line), "status %d\n", status);
		EVP_DigestUpdate(md, line, (size_t)n);
		if (headers)
			digest_headers(md, headers, headers_length);
		EVP_DigestUpdate(md, "\n", 1);
		if (body)
			normalise(body, body_length, digest_emit, md);
		if (EVP_DigestFinal_ex(md, hash, &hash_length) == 1)
			for (unsigned i = 0; i < hash_length && i < 32; i++)
				snprintf(out->fingerprint + 2 * i, 3, "%02x", hash[i]);
	}
	EVP_MD_CTX_free(md);
}

void login_excerpt(char *out, size_t size, const char *text, size_t length)
{
	size_t used = 0;
	bool space = true; /* no leading space */
	if (size == 0)
		return;
	for (size_t i = 0; text && i < length && used + 1 < size; i++) {
		unsigned char c = (unsigned char)text[i];
		if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v') {
			if (!space)
				out[used++] = ' ';
			space = true;
			continue;
		}
		out[used++] = (c >= 0x21 && c < 0x7f) ? (char)c : '.';
		space = false;
	}
	while (used > 0 && out[used - 1] == ' ')
		used--;
	out[used] = '\0';
}

/* ---- transcript ---------------------------------------------------------------- */

struct writer {
	int fd;
	char buffer[4096];
	size_t used;
	bool failed;
};

static void writer_flush(struct writer *w)
{
	size_t done = 0;
	while (done < w->used && !w->failed) {
		ssize_t n = write(w->fd, w->buffer + done, w->used - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			w->failed = true;
		else
			done += (size_t)n;
	}
	w->used = 0;
}

static void writer_put(struct writer *w, const char *bytes, size_t length)
{
	for (size_t i = 0; i < length; i++) {
		if (w->used == sizeof(w->buffer))
			writer_flush(w);
		w->buffer[w->used++] = bytes[i];
	}
}

int login_transcript(const struct login_target *target, const char *label, const char *text,
		     size_t length, const char *const *secrets, size_t secret_count,
		     struct dl_error *err)
{
	if (!target || !target->transcript_path)
		return 0;
	struct writer w = {.fd = open(target->transcript_path,
				      O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0600)};
	if (w.fd < 0)
		return dl_error_set(err, DL_EIO, "login: cannot open the transcript %s: %s",
				    target->transcript_path, strerror(errno));
	char head[160];
	int n = snprintf(head, sizeof(head), "== %s (%zu bytes)\n", label ? label : "", length);
	writer_put(&w, head, n > 0 ? (size_t)n : 0);
	bool newline = true;
	for (size_t i = 0; text && i < length;) {
		size_t matched = 0;
		for (size_t k = 0; k < secret_count && !matched; k++) {
			size_t s = secrets[k] ? strlen(secrets[k]) : 0;
			if (s > 0 && s <= length - i && memcmp(text + i, secrets[k], s) == 0)
				matched = s;
		}
		if (matched) {
			writer_put(&w, "***", 3);
			i += matched;
			newline = false;
			continue;
		}
		unsigned char c = (unsigned char)text[i++];
		if (c == '\r')
			continue;
		if (c == '\n' || c == '\t' || (c >= 0x20 && c < 0x7f)) {
			char one = (char)c;
			writer_put(&w, &one, 1);
		} else {
			char escaped[8];
			snprintf(escaped, sizeof(escaped), "\\x%02x", c);
			writer_put(&w, escaped, 4);
		}
		newline = c == '\n';
	}
	if (!newline)
		writer_put(&w, "\n", 1);
	writer_flush(&w);
	bool failed = w.failed;
	if (close(w.fd) != 0)
		failed = true;
	if (failed)
		return dl_error_set(err, DL_EIO, "login: cannot write the transcript %s: %s",
				    target->transcript_path, strerror(errno));
	return 0;
}

/* ---- time ------------------------------------------------------------------------ */

int login_deadline(const struct login_target *target, int64_t *deadline_ns, struct dl_error *err)
{
	int64_t now = monotonic_ns();
	int64_t own = now + (int64_t)login_option_timeout(target->adapter) * 1000000000;
	if (target->deadline_ns != 0 && target->deadline_ns <= now)
		return dl_error_set(err, DL_ETIMEDOUT,
				    "login: the deadline passed before adapter '%s' could start",
				    target->adapter->name);
	*deadline_ns =
		(target->deadline_ns != 0 && target->deadline_ns < own) ? target->deadline_ns : own;
	return 0;
}

long login_remaining_ms(int64_t deadline_ns)
{
	int64_t left = deadline_ns - monotonic_ns();
	if (left <= 0)
		return 0;
	return (long)((left + 999999) / 1000000);
}

/* ---- options --------------------------------------------------------------------- */

const char *login_option(const struct profile_adapter *a, const char *name, const char *fallback)
{
	const char *value = profile_adapter_option(a, name);
	return value ? value : fallback;
}

bool login_option_bool(const struct profile_adapter *a, const char *name, bool fallback)
{
	const char *value = profile_adapter_option(a, name);
	if (!value)
		return fallback;
	return strcmp(value, "true") == 0;
}

unsigned login_option_timeout(const struct profile_adapter *a)
{
	long seconds = 0;
	const char *value = profile_adapter_option(a, "timeout");
	if (!value || text_parse_long(value, 1, LOGIN_TIMEOUT_MAX_SECONDS, &seconds) != 0)
		return LOGIN_DEFAULT_TIMEOUT_SECONDS;
	return (unsigned)seconds;
}

int login_check_required(const struct profile_adapter *a, const char *name, const char *expected,
			 struct dl_error *err)
{
	if (profile_adapter_option(a, name))
		return 0;
	return dl_error_set(err, DL_EINVAL,
			    "options.%s: found nothing; expected %s (the %s driver "
			    "needs it)",
			    name, expected, a->driver);
}

int login_check_bool(const struct profile_adapter *a, const char *name, struct dl_error *err)
{
	const char *value = profile_adapter_option(a, name);
	if (!value || strcmp(value, "true") == 0 || strcmp(value, "false") == 0)
		return 0;
	return dl_error_set(err, DL_EINVAL,
			    "options.%s: found '%.64s'; expected \"true\" or "
			    "\"false\"",
			    name, value);
}

int login_check_timeout(const struct profile_adapter *a, struct dl_error *err)
{
	long seconds;
	const char *value = profile_adapter_option(a, "timeout");
	if (!value || text_parse_long(value, 1, LOGIN_TIMEOUT_MAX_SECONDS, &seconds) == 0)
		return 0;
	return dl_error_set(err, DL_EINVAL,
			    "options.timeout: found '%.64s'; expected seconds from 1 to %d", value,
			    LOGIN_TIMEOUT_MAX_SECONDS);
}

int login_check_path(const struct profile_adapter *a, const char *name, struct dl_error *err)
{
	const char *value = profile_adapter_option(a, name);
	if (!value)
		return 0;
	bool ok = value[0] == '/';
	for (const char *c = value; ok && *c; c++)
		ok = (unsigned char)*c > 0x20 && (unsigned char)*c < 0x7f;
	if (ok)
		return 0;
	return dl_error_set(err, DL_EINVAL,
			    "options.%s: found '%.64s'; expected a path such as /login (starting "
			    "with '/', printable, no spaces)",
			    name, value);
}

int login_check_regex(const struct profile_adapter *a, const char *name, struct dl_error *err)
{
	const char *value = profile_adapter_option(a, name);
	if (!value)
		return 0;
	regex_t re;
	int code = regcomp(&re, value, REG_EXTENDED | REG_NOSUB);
	if (code == 0) {
		regfree(&re);
		return 0;
	}
	char why[128];
	regerror(code, &re, why, sizeof(why));
	return dl_error_set(err, DL_EINVAL,
			    "options.%s: found '%.64s', which does not compile (%s); expected a "
			    "POSIX extended regular expression",
			    name, value, why);
}

int login_check_template(const struct profile_adapter *a, const char *name,
			 const char *const *allowed, struct dl_error *err)
{
	const char *value = profile_adapter_option(a, name);
	if (!value)
		return 0;
	for (const char *open = strchr(value, '{'); open; open = strchr(open + 1, '{')) {
		size_t length = strspn(open + 1, "abcdefghijklmnopqrstuvwxyz_");
		if (length == 0 || open[1 + length] != '}')
			continue;
		bool known = false;
		for (size_t i = 0; allowed[i] && !known; i++)
			known = strlen(allowed[i]) == length &&
				memcmp(allowed[i], open + 1, length) == 0;
		if (known)
			continue;
		char list[160];
		size_t used = 0;
		list[0] = '\0';
		for (size_t i = 0; allowed[i] && used < sizeof(list); i++) {
			int n = snprintf(list + used, sizeof(list) - used, "%s{%s}", i ? " " : "",
					 allowed[i]);
			if (n < 0)
				break;
			used += (size_t)n;
		}
		return dl_error_set(
			err, DL_EINVAL,
			"options.%s: found the placeholder '{%.*s}'; expected one of %s", name,
			(int)(length > 64 ? 64 : length), open + 1, list);
	}
	return 0;
}

/* ---- templates ------------------------------------------------------------------- */

struct out_buffer {
	char *out;
	size_t size, used;
	bool overflow;
};

static void out_put(struct out_buffer *b, const char *bytes, size_t length)
{
	if (b->used + length >= b->size) {
		b->overflow = true;
		return;
	}
	memcpy(b->out + b->used, bytes, length);
	b->used += length;
	b->out[b->used] = '\0';
}

static void out_encoded(struct out_buffer *b, const char *value, enum login_encoding encoding)
{
	static const char hex[] = "0123456789ABCDEF";
	for (const unsigned char *c = (const unsigned char *)value; *c && !b->overflow; c++) {
		char piece[8];
		size_t n = 1;
		piece[0] = (char)*c;
		switch (encoding) {
		case LOGIN_RAW: break;
		case LOGIN_URL:
			if (!((*c >= 'A' && *c <= 'Z') || (*c >= 'a' && *c <= 'z') ||
			      (*c >= '0' && *c <= '9') || *c == '-' || *c == '.' || *c == '_' ||
			      *c == '~')) {
				piece[0] = '%';
				piece[1] = hex[*c >> 4];
				piece[2] = hex[*c & 15];
				n = 3;
			}
			break;
		case LOGIN_JSON:
			if (*c == '"' || *c == '\\') {
				piece[0] = '\\';
				piece[1] = (char)*c;
				n = 2;
			} else if (*c < 0x20) {
				n = (size_t)snprintf(piece, sizeof(piece), "\\u%04x", *c);
			}
			break;
		case LOGIN_XML:
			if (*c == '&')
				n = (size_t)snprintf(piece, sizeof(piece), "&amp;");
			else if (*c == '<')
				n = (size_t)snprintf(piece, sizeof(piece), "&lt;");
			else if (*c == '>')
				n = (size_t)snprintf(piece, sizeof(piece), "&gt;");
			else if (*c == '"')
				n = (size_t)snprintf(piece, sizeof(piece), "&quot;");
			else if (*c == '\'')
				n = (size_t)snprintf(piece, sizeof(piece), "&apos;");
			break;
		}
		out_put(b, piece, n);
	}
}

int login_expand(const char *template_text, const struct login_vars *vars,
		 enum login_encoding encoding, char *out, size_t size, struct dl_error *err)
{
	struct out_buffer b = {.out = out, .size = size};
	if (size == 0)
		return dl_error_set(err, DL_ENOMEM, "login: no room to expand a template");
	out[0] = '\0';
	const struct {
		const char *name;
		const char *value;
	} names[] = {
		{"username", vars->username},         {"password", vars->password},
		{"new_password", vars->new_password}, {"token", vars->token},
		{"address", vars->address},
	};
	const char *c = template_text;
	while (*c && !b.overflow) {
		if (*c == '{') {
			size_t length = strspn(c + 1, "abcdefghijklmnopqrstuvwxyz_");
			if (length > 0 && c[1 + length] == '}') {
				size_t which = DL_ARRAY_SIZE(names);
				for (size_t i = 0; i < DL_ARRAY_SIZE(names); i++)
					if (strlen(names[i].name) == length &&
					    memcmp(names[i].name, c + 1, length) == 0)
						which = i;
				if (which < DL_ARRAY_SIZE(names)) {
					if (!names[which].value)
						return dl_error_set(
							err, DL_EINVAL,
							"login: the template uses {%s}, which has "
							"no value here",
							names[which].name);
					out_encoded(&b, names[which].value, encoding);
					c += length + 2;
					continue;
				}
			}
		}
		out_put(&b, c, 1);
		c++;
	}
	if (b.overflow)
		return dl_error_set(err, DL_ENOMEM,
				    "login: the expanded template is longer than %zu bytes",
				    size - 1);
	return 0;
}

int login_match(const char *pattern, const char *text, struct dl_error *err)
{
	regex_t re;
	int code = regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB);
	if (code != 0)
		return dl_error_set(err, DL_EINVAL, "login: '%.64s' is not a regular expression",
				    pattern);
	int matched = regexec(&re, text, 0, NULL, 0) == 0;
	regfree(&re);
	return matched;
}

bool login_base64(const void *data, size_t length, char *out, size_t size)
{
	if (size < 4 * ((length + 2) / 3) + 1 || length > INT32_MAX)
		return false;
	EVP_EncodeBlock((unsigned char *)out, data, (int)length);
	return true;
}
