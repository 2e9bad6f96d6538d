/* http-auth: WWW-Authenticate challenge lists (RFC 7235 4.1, RFC 7617, RFC 7616) */
#ifndef DUTLAB_PROTO_HTTP_AUTH_H
#define DUTLAB_PROTO_HTTP_AUTH_H

/*
 * The challenges a server offers, read the way RFC 7235 2.1 writes them:
 *   challenge = auth-scheme [ 1*SP ( token68 / #auth-param ) ]
 *   auth-param = token BWS "=" BWS ( token / quoted-string )
 * in a comma-separated list, where a comma also separates the parameters
 * of one challenge. The parameters Basic (RFC 7617) and Digest (RFC 7616
 * 3.3) define are kept; others are counted. Used by the HTTP and RTSP
 * login drivers to say what a DUT asks for (and whether its digest is a
 * fresh challenge-response), and fuzzed (tests/fuzz/fuzz-http-auth.c).
 */

#include <stdbool.h>
#include <stddef.h>

struct dl_error;

#define HTTP_AUTH_CHALLENGES_MAX 8
#define HTTP_AUTH_VALUE_MAX 256
#define HTTP_AUTH_HEADER_MAX 8192 /* bytes of one header value read */

enum http_auth_qop {
	HTTP_AUTH_QOP_AUTH = 1u << 0,
	HTTP_AUTH_QOP_AUTH_INT = 1u << 1,
	HTTP_AUTH_QOP_OTHER = 1u << 2,
};

struct http_auth_challenge {
	char scheme[32]; /* as sent ("Digest"); compare with strcasecmp */
	char realm[HTTP_AUTH_VALUE_MAX];
	char nonce[HTTP_AUTH_VALUE_MAX];
	char opaque[HTTP_AUTH_VALUE_MAX];
	char domain[HTTP_AUTH_VALUE_MAX];
	char algorithm[32]; /* "MD5", "SHA-256", "MD5-sess"; empty: MD5 (RFC 7616 3.3) */
	char charset[16];
	char qop[64];  /* the list as sent */
	unsigned qops; /* enum http_auth_qop */
	bool stale;    /* stale=true: the nonce expired, the credentials were right */
	bool userhash;
	char token68[HTTP_AUTH_VALUE_MAX]; /* the token68 form (Negotiate, some Bearer) */
	bool has_realm, has_nonce, has_qop;
	size_t param_count;
	size_t other_params;     /* parameters neither RFC defines */
	size_t duplicate_params; /* repeated names (RFC 7235 2.1: MUST NOT); the first kept */
	bool truncated;          /* a value longer than its buffer */
};

struct http_auth_challenges {
	struct http_auth_challenge items[HTTP_AUTH_CHALLENGES_MAX];
	size_t count;
	size_t dropped; /* challenges beyond HTTP_AUTH_CHALLENGES_MAX */
};

/*
 * Append the challenges of one header value (the text after
 * "WWW-Authenticate:") to *out, which the caller zeroes before the first
 * header. DL_EPROTO with the reason and the byte offset for a value that
 * breaks the grammar (an unterminated quoted string, a parameter without
 * a value, a control character); the challenges read before it stay.
 */
int http_auth_parse(const char *value, size_t length, struct http_auth_challenges *out,
		    struct dl_error *err);

/* The first challenge of scheme (case-insensitive), or NULL. */
const struct http_auth_challenge *http_auth_find(const struct http_auth_challenges *list,
						 const char *scheme);

#endif
