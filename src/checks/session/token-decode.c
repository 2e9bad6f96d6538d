/* token-decode: the varying part of session tokens, with base64 layers around text and constant
 * affixes removed */
#include "core/compat.h"

#include "checks/session/token-decode.h"
#include "core/error.h"

/* 0..63, or -1 for a character of neither base64 alphabet. */
static int base64_value(int c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+' || c == '-')
		return 62;
	if (c == '/' || c == '_')
		return 63;
	return -1;
}

long token_decode_base64(const char *text, unsigned char *out, size_t size)
{
	size_t len = strlen(text);
	while (len > 0 && text[len - 1] == '=')
		len--;
	if (len == 0 || len % 4 == 1 || strlen(text) - len > 2)
		return -1;
	bool url = false, std = false;
	uint32_t acc = 0;
	unsigned bits = 0;
	size_t n = 0;
	for (size_t i = 0; i < len; i++) {
		int c = (unsigned char)text[i];
		int v = base64_value(c);
		if (v < 0)
			return -1;
		url = url || c == '-' || c == '_';
		std = std || c == '+' || c == '/';
		if (url && std)
			return -1; /* one token mixes the two alphabets */
		acc = acc << 6 | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (n >= size)
				return -1;
			out[n++] = (unsigned char)(acc >> bits);
			acc &= (1u << bits) - 1;
		}
	}
	/* the leftover bits of the last character must be zero (canonical form) */
	if (acc != 0)
		return -1;
	return (long)n;
}

static bool printable(const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] < 0x20 || p[i] > 0x7e)
			return false;
	return n > 0;
}

/* Replace every token by its base64 decoding if each is base64 of printable
 * text; *peeled false (tokens unchanged) otherwise. */
static int peel_base64(char **tokens, size_t count, bool *peeled, struct dl_error *err)
{
	*peeled = false;
	char **next = calloc(count, sizeof(*next));
	if (!next)
		return dl_error_set(err, DL_ENOMEM, "tokens: out of memory decoding base64");
	bool all = true, nomem = false;
	for (size_t i = 0; i < count && all; i++) {
		size_t cap = strlen(tokens[i]) * 3 / 4 + 3;
		next[i] = malloc(cap + 1);
		if (!next[i]) {
			nomem = true;
			break;
		}
		long n = token_decode_base64(tokens[i], (unsigned char *)next[i], cap);
		all = n > 0 && printable((unsigned char *)next[i], (size_t)n);
		if (all)
			next[i][n] = '\0';
	}
	bool swap = all && !nomem;
	for (size_t i = 0; i < count; i++) {
		if (swap) {
			free(tokens[i]);
			tokens[i] = next[i];
		} else {
			free(next[i]);
		}
	}
	free(next);
	if (nomem)
		return dl_error_set(err, DL_ENOMEM, "tokens: out of memory decoding base64");
	*peeled = swap;
	return 0;
}

static void shown(char *dst, const char *src, size_t len)
{
	size_t n = len < TOKEN_DECODE_AFFIX_SHOWN ? len : TOKEN_DECODE_AFFIX_SHOWN;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

/* Cut the longest prefix and then suffix every token shares, leaving each
 * token at least one character. */
static void cut_affixes(char **tokens, size_t count, struct token_decode *out)
{
	size_t shortest = SIZE_MAX;
	for (size_t i = 0; i < count; i++) {
		size_t len = strlen(tokens[i]);
		if (len < shortest)
			shortest = len;
	}
	if (count < 2 || shortest < 2)
		return;
	size_t prefix = 0;
	while (prefix + 1 < shortest) {
		bool same = true;
		for (size_t i = 1; i < count && same; i++)
			same = tokens[i][prefix] == tokens[0][prefix];
		if (!same)
			break;
		prefix++;
	}
	size_t suffix = 0;
	while (prefix + suffix + 1 < shortest) {
		size_t l0 = strlen(tokens[0]);
		bool same = true;
		for (size_t i = 1; i < count && same; i++) {
			size_t li = strlen(tokens[i]);
			same = tokens[i][li - 1 - suffix] == tokens[0][l0 - 1 - suffix];
		}
		if (!same)
			break;
		suffix++;
	}
	out->prefix_length = prefix;
	out->suffix_length = suffix;
	shown(out->prefix, tokens[0], prefix);
	shown(out->suffix, tokens[0] + strlen(tokens[0]) - suffix, suffix);
	for (size_t i = 0; i < count; i++) {
		size_t len = strlen(tokens[i]);
		memmove(tokens[i], tokens[i] + prefix, len - prefix - suffix);
		tokens[i][len - prefix - suffix] = '\0';
	}
}

int token_decode(const char *const *tokens, size_t count, struct token_decode *out,
		 struct dl_error *err)
{
	memset(out, 0, sizeof(*out));
	if (!tokens || count == 0)
		return dl_error_set(err, DL_EINVAL, "tokens: no tokens to decode");
	out->tokens = calloc(count, sizeof(*out->tokens));
	if (!out->tokens)
		return dl_error_set(err, DL_ENOMEM, "tokens: out of memory for %zu tokens", count);
	out->count = count;
	for (size_t i = 0; i < count; i++) {
		if (!tokens[i] || !tokens[i][0]) {
			token_decode_release(out);
			return dl_error_set(err, DL_EINVAL, "tokens: token %zu is empty", i);
		}
		out->tokens[i] = strdup(tokens[i]);
		if (!out->tokens[i]) {
			token_decode_release(out);
			return dl_error_set(err, DL_ENOMEM, "tokens: out of memory copying tokens");
		}
	}
	for (unsigned layer = 0; layer < TOKEN_DECODE_LAYERS_MAX; layer++) {
		bool peeled = false;
		int rc = peel_base64(out->tokens, count, &peeled, err);
		if (rc < 0) {
			token_decode_release(out);
			return rc;
		}
		if (!peeled)
			break;
		out->base64_layers++;
	}
	cut_affixes(out->tokens, count, out);
	return 0;
}

void token_decode_release(struct token_decode *d)
{
	for (size_t i = 0; d->tokens && i < d->count; i++)
		free(d->tokens[i]);
	free(d->tokens);
	memset(d, 0, sizeof(*d));
}
