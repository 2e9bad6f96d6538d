/* fuzz-http-auth: libFuzzer target for http_auth_parse: challenge lists as a DUT may send them */
#include "core/compat.h"

#include <strings.h>

#include "core/error.h"
#include "proto/http-auth.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Every copied field is NUL-terminated inside its buffer. */
static void check_terminated(const char *field, size_t size)
{
	if (!memchr(field, '\0', size))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > HTTP_AUTH_HEADER_MAX + 16)
		return 0;
	/* The input is split at the first newline into two header values, as two
	 * WWW-Authenticate lines append to one list. */
	const char *text = (const char *)data;
	const char *newline = memchr(text, '\n', size);
	size_t first = newline ? (size_t)(newline - text) : size;
	struct http_auth_challenges list;
	struct dl_error err;
	memset(&list, 0, sizeof(list));
	int rc = http_auth_parse(text, first, &list, &err);
	if (rc != 0 && rc != DL_EPROTO)
		abort();
	if (newline) {
		int second = http_auth_parse(newline + 1, size - first - 1, &list, &err);
		if (second != 0 && second != DL_EPROTO)
			abort();
	}
	if (list.count > HTTP_AUTH_CHALLENGES_MAX)
		abort();
	for (size_t i = 0; i < list.count; i++) {
		const struct http_auth_challenge *c = &list.items[i];
		check_terminated(c->scheme, sizeof(c->scheme));
		check_terminated(c->realm, sizeof(c->realm));
		check_terminated(c->nonce, sizeof(c->nonce));
		check_terminated(c->opaque, sizeof(c->opaque));
		check_terminated(c->domain, sizeof(c->domain));
		check_terminated(c->algorithm, sizeof(c->algorithm));
		check_terminated(c->charset, sizeof(c->charset));
		check_terminated(c->qop, sizeof(c->qop));
		check_terminated(c->token68, sizeof(c->token68));
		/* A scheme is a non-empty token (RFC 7235 2.1). */
		if (c->scheme[0] == '\0' || strpbrk(c->scheme, " \t,=\""))
			abort();
		if (c->other_params + c->duplicate_params > c->param_count)
			abort();
		if (c->qops && !c->has_qop)
			abort();
		if (http_auth_find(&list, c->scheme) == NULL)
			abort();
	}
	return 0;
}
