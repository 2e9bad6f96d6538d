/* http-auth: WWW-Authenticate challenge lists (RFC 7235 4.1, RFC 7617, RFC 7616) */
#include "core/compat.h"

#include <strings.h>

#include "core/error.h"
#include "proto/http-auth.h"

struct reader {
	const char *p;
	size_t length;
	size_t at;
};

/* RFC 7230 3.2.6 tchar. */
static bool is_tchar(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       (c != 0 && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

/* RFC 7235 2.1 token68 characters (before its trailing '='s). */
static bool is_token68(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '.' || c == '_' || c == '~' || c == '+' || c == '/';
}

static void skip_ows(struct reader *r)
{
	while (r->at < r->length && (r->p[r->at] == ' ' || r->p[r->at] == '\t'))
		r->at++;
}

/* Skip OWS and list commas (RFC 7230 7: empty list elements are allowed). */
static void skip_separators(struct reader *r)
{
	while (r->at < r->length &&
	       (r->p[r->at] == ' ' || r->p[r->at] == '\t' || r->p[r->at] == ','))
		r->at++;
}

/* Length of the token at position at (0 if none). */
static size_t token_length(const struct reader *r, size_t at)
{
	size_t n = 0;
	while (at + n < r->length && is_tchar(r->p[at + n]))
		n++;
	return n;
}

static int fail(struct reader *r, struct dl_error *err, const char *reason)
{
	unsigned char c = r->at < r->length ? (unsigned char)r->p[r->at] : 0;
	if (r->at < r->length)
		return dl_error_set(err, DL_EPROTO,
				    "WWW-Authenticate: %s at offset %zu (byte 0x%02x)", reason,
				    r->at, c);
	return dl_error_set(err, DL_EPROTO, "WWW-Authenticate: %s at the end (offset %zu)", reason,
			    r->at);
}

/* Copy n bytes into out (size); the flag when they do not fit. */
static void copy_text(const char *text, size_t n, char *out, size_t size, bool *truncated)
{
	if (n >= size) {
		*truncated = true;
		n = size - 1;
	}
	memcpy(out, text, n);
	out[n] = '\0';
}

/* A quoted-string at r->at (the opening quote), unescaped into out. */
static int read_quoted(struct reader *r, char *out, size_t size, bool *truncated,
		       struct dl_error *err)
{
	size_t used = 0;
	r->at++; /* the opening quote */
	out[0] = '\0';
	while (r->at < r->length) {
		char c = r->p[r->at];
		if (c == '"') {
			r->at++;
			return 0;
		}
		if (c == '\\') {
			if (r->at + 1 >= r->length)
				return fail(r, err, "a quoted-string ends in a backslash");
			c = r->p[++r->at];
		}
		/* qdtext and quoted-pair exclude controls other than HTAB (RFC 7230 3.2.6). */
		if (((unsigned char)c < 0x20 && c != '\t') || c == 0x7f)
			return fail(r, err, "a control character in a quoted-string");
		if (used + 1 < size) {
			out[used++] = c;
			out[used] = '\0';
		} else {
			*truncated = true;
		}
		r->at++;
	}
	return fail(r, err, "an unterminated quoted-string");
}

static void set_qops(struct http_auth_challenge *c)
{
	const char *p = c->qop;
	c->qops = 0;
	while (*p) {
		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		size_t n = strcspn(p, " \t,");
		if (n == 4 && strncasecmp(p, "auth", 4) == 0)
			c->qops |= HTTP_AUTH_QOP_AUTH;
		else if (n == 8 && strncasecmp(p, "auth-int", 8) == 0)
			c->qops |= HTTP_AUTH_QOP_AUTH_INT;
		else if (n > 0)
			c->qops |= HTTP_AUTH_QOP_OTHER;
		p += n;
	}
}

/* Store a parameter the RFCs define; count the rest. */
static void store_param(struct http_auth_challenge *c, const char *name, size_t name_length,
			const char *value, bool *seen)
{
	static const char *const known[] = {"realm",   "nonce", "opaque", "domain",  "algorithm",
					    "charset", "qop",   "stale",  "userhash"};
	size_t which = DL_ARRAY_SIZE(known);
	for (size_t i = 0; i < DL_ARRAY_SIZE(known); i++)
		if (strlen(known[i]) == name_length &&
		    strncasecmp(known[i], name, name_length) == 0)
			which = i;
	c->param_count++;
	if (which == DL_ARRAY_SIZE(known)) {
		c->other_params++;
		return;
	}
	if (seen[which]) {
		c->duplicate_params++;
		return;
	}
	seen[which] = true;
	size_t n = strlen(value);
	switch (which) {
	case 0:
		copy_text(value, n, c->realm, sizeof(c->realm), &c->truncated);
		c->has_realm = true;
		break;
	case 1:
		copy_text(value, n, c->nonce, sizeof(c->nonce), &c->truncated);
		c->has_nonce = true;
		break;
	case 2: copy_text(value, n, c->opaque, sizeof(c->opaque), &c->truncated); break;
	case 3: copy_text(value, n, c->domain, sizeof(c->domain), &c->truncated); break;
	case 4: copy_text(value, n, c->algorithm, sizeof(c->algorithm), &c->truncated); break;
	case 5: copy_text(value, n, c->charset, sizeof(c->charset), &c->truncated); break;
	case 6:
		copy_text(value, n, c->qop, sizeof(c->qop), &c->truncated);
		c->has_qop = true;
		set_qops(c);
		break;
	case 7: c->stale = strcasecmp(value, "true") == 0; break;
	default: c->userhash = strcasecmp(value, "true") == 0; break;
	}
}

/* Is there "token BWS =" at r->at followed by something other than '=' (a parameter, not a
 * token68)? */
static bool param_ahead(const struct reader *r)
{
	size_t n = token_length(r, r->at);
	if (n == 0)
		return false;
	size_t at = r->at + n;
	while (at < r->length && (r->p[at] == ' ' || r->p[at] == '\t'))
		at++;
	if (at >= r->length || r->p[at] != '=')
		return false;
	at++;
	return at < r->length && r->p[at] != '=';
}

/* The parameters of challenge c, up to the start of the next challenge or the end. */
static int read_params(struct reader *r, struct http_auth_challenge *c, struct dl_error *err)
{
	bool seen[9] = {false};
	char value[HTTP_AUTH_VALUE_MAX];
	/* Each pass consumes a parameter or returns: bounded by the length. */
	for (;;) {
		skip_separators(r);
		if (r->at >= r->length || !param_ahead(r))
			return 0;
		const char *name = r->p + r->at;
		size_t name_length = token_length(r, r->at);
		r->at += name_length;
		skip_ows(r);
		r->at++; /* '=' */
		skip_ows(r);
		if (r->at >= r->length)
			return fail(r, err, "a parameter without a value");
		bool truncated = false;
		if (r->p[r->at] == '"') {
			int rc = read_quoted(r, value, sizeof(value), &truncated, err);
			if (rc)
				return rc;
		} else {
			size_t n = token_length(r, r->at);
			if (n == 0)
				return fail(r, err,
					    "a parameter value that is neither a token nor a "
					    "quoted-string");
			copy_text(r->p + r->at, n, value, sizeof(value), &truncated);
			r->at += n;
		}
		c->truncated = c->truncated || truncated;
		store_param(c, name, name_length, value, seen);
		skip_ows(r);
		if (r->at < r->length && r->p[r->at] != ',')
			return fail(r, err, "a parameter not followed by a comma");
	}
}

int http_auth_parse(const char *value, size_t length, struct http_auth_challenges *out,
		    struct dl_error *err)
{
	if (!out || (!value && length > 0))
		return dl_error_set(err, DL_EINVAL, "http-auth: no header value or result given");
	if (length > HTTP_AUTH_HEADER_MAX)
		return dl_error_set(err, DL_EPROTO,
				    "WWW-Authenticate: %zu bytes; expected at most %d", length,
				    HTTP_AUTH_HEADER_MAX);
	struct reader r = {.p = value, .length = length};
	/* Each pass reads one challenge (at least its scheme) or stops. */
	for (;;) {
		skip_separators(&r);
		if (r.at >= r.length)
			return 0;
		size_t n = token_length(&r, r.at);
		if (n == 0)
			return fail(&r, err, "expected an authentication scheme");
		struct http_auth_challenge scratch;
		struct http_auth_challenge *c = &scratch;
		if (out->count < HTTP_AUTH_CHALLENGES_MAX)
			c = &out->items[out->count++];
		else
			out->dropped++;
		memset(c, 0, sizeof(*c));
		copy_text(r.p + r.at, n, c->scheme, sizeof(c->scheme), &c->truncated);
		r.at += n;
		if (r.at < r.length && r.p[r.at] != ' ' && r.p[r.at] != '\t' && r.p[r.at] != ',')
			return fail(&r, err, "a scheme not followed by a space or a comma");
		skip_ows(&r);
		if (r.at >= r.length || r.p[r.at] == ',')
			continue;
		if (!param_ahead(&r)) {
			/* token68: 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"=" */
			size_t start = r.at;
			while (r.at < r.length && is_token68(r.p[r.at]))
				r.at++;
			while (r.at < r.length && r.p[r.at] == '=')
				r.at++;
			if (r.at == start)
				return fail(&r, err, "expected a token68 or a parameter");
			copy_text(r.p + start, r.at - start, c->token68, sizeof(c->token68),
				  &c->truncated);
			skip_ows(&r);
			if (r.at < r.length && r.p[r.at] != ',')
				return fail(&r, err, "a token68 not followed by a comma");
			continue;
		}
		int rc = read_params(&r, c, err);
		if (rc)
			return rc;
	}
}

const struct http_auth_challenge *http_auth_find(const struct http_auth_challenges *list,
						 const char *scheme)
{
	for (size_t i = 0; list && scheme && i < list->count; i++)
		if (strcasecmp(list->items[i].scheme, scheme) == 0)
			return &list->items[i];
	return NULL;
}
