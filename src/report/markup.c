/* markup: UTF-8 repair, HTML/XML escaping and URL paths for the report writers */
#include "core/compat.h"

#include "core/text.h"
#include "report/markup.h"

static const char replacement[] = "\xef\xbf\xbd"; /* U+FFFD */

/* Length of the valid UTF-8 sequence at p (1-4), or 0 when it is invalid
 * or a code point XML cannot carry (surrogates, U+FFFE, U+FFFF). */
static size_t utf8_valid_length(const unsigned char *p)
{
	if (p[0] < 0x80)
		return 1;
	size_t len;
	unsigned cp;
	if ((p[0] & 0xe0) == 0xc0) {
		len = 2;
		cp = p[0] & 0x1fu;
	} else if ((p[0] & 0xf0) == 0xe0) {
		len = 3;
		cp = p[0] & 0x0fu;
	} else if ((p[0] & 0xf8) == 0xf0) {
		len = 4;
		cp = p[0] & 0x07u;
	} else {
		return 0;
	}
	for (size_t i = 1; i < len; i++) {
		/* stops at the terminating NUL, which is not a continuation byte */
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (p[i] & 0x3fu);
	}
	static const unsigned min_for_length[5] = {0, 0, 0x80, 0x800, 0x10000};
	if (cp < min_for_length[len] || cp > 0x10ffff)
		return 0; /* overlong or beyond Unicode */
	if ((cp >= 0xd800 && cp <= 0xdfff) || cp == 0xfffe || cp == 0xffff)
		return 0;
	return len;
}

char *markup_utf8_dup(const char *text)
{
	if (!text)
		return NULL;
	size_t in_len = strlen(text);
	/* worst case: every byte becomes three */
	if (in_len > (SIZE_MAX - 1) / 3)
		return NULL;
	char *out = malloc(in_len * 3 + 1);
	if (!out)
		return NULL;
	const unsigned char *p = (const unsigned char *)text;
	size_t o = 0;
	while (*p) {
		size_t len = utf8_valid_length(p);
		if (len == 0) {
			memcpy(out + o, replacement, 3);
			o += 3;
			p++;
			continue;
		}
		memcpy(out + o, p, len);
		o += len;
		p += len;
	}
	out[o] = '\0';
	char *shrunk = realloc(out, o + 1);
	return shrunk ? shrunk : out;
}

void markup_escape(FILE *out, const char *text)
{
	if (!text)
		return;
	for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
		switch (*p) {
		case '&': fputs("&amp;", out); break;
		case '<': fputs("&lt;", out); break;
		case '>': fputs("&gt;", out); break;
		case '"': fputs("&quot;", out); break;
		case '\'': fputs("&#39;", out); break;
		case '\t':
		case '\n':
		case '\r': fputc(*p, out); break;
		default:
			if (*p < 0x20 || *p == 0x7f)
				fputs(replacement, out);
			else
				fputc(*p, out);
		}
	}
}

static bool url_unreserved(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '.' || c == '_' || c == '~' || c == '/';
}

void markup_url_path(FILE *out, const char *path)
{
	static const char hex[] = "0123456789ABCDEF";
	for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
		if (url_unreserved(*p)) {
			fputc(*p, out);
		} else {
			fputc('%', out);
			fputc(hex[*p >> 4], out);
			fputc(hex[*p & 0x0f], out);
		}
	}
}

bool markup_path_is_safe(const char *path)
{
	return text_is_contained_path(path);
}
