/* soap: SOAP 1.2 / 1.1 envelope reading (Body, Fault code, subcode, reason) and WS-Security digests
 */
#include "core/compat.h"

#include <openssl/evp.h>
#include <openssl/sha.h>

#include "core/error.h"
#include "proto/soap.h"

#define SOAP_NS_12 "http://www.w3.org/2003/05/soap-envelope"
#define SOAP_NS_11 "http://schemas.xmlsoap.org/soap/envelope/"
#define SOAP_ATTRIBUTES_MAX 64 /* per element */

/* Which field of the message the text of the element being read goes to. */
struct soap_capture {
	char *buf;
	size_t cap;
	size_t len;
	size_t depth; /* the element's depth; the capture ends with its end tag */
	bool active;
};

struct soap_parser {
	const uint8_t *p;
	size_t len;
	size_t i;
	char stack[SOAP_DEPTH_MAX][SOAP_NAME_MAX]; /* qualified names of the open elements */
	size_t depth;
	bool root_seen;
	bool root_closed;
	bool subcode_seen;
	struct soap_message *out;
	struct soap_capture capture;
	struct dl_error *err;
};

const char *soap_local_name(const char *qname)
{
	const char *colon = strrchr(qname, ':');
	return colon ? colon + 1 : qname;
}

static int soap_fail(struct soap_parser *s, const char *what)
{
	return dl_error_set(s->err, DL_EPROTO, "soap: %s at offset %zu", what, s->i);
}

static bool soap_space(uint8_t c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* XML 1.0 names, simplified to ASCII letters, digits and . - _ : plus any byte >= 0x80. */
static bool soap_name_byte(uint8_t c, bool first)
{
	if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_' || c == ':' || c >= 0x80)
		return true;
	return !first && ((c >= '0' && c <= '9') || c == '-' || c == '.');
}

static int soap_name(struct soap_parser *s, char *name, size_t size)
{
	size_t n = 0;
	while (s->i < s->len && soap_name_byte(s->p[s->i], n == 0)) {
		if (n + 1 >= size)
			return soap_fail(s, "name too long");
		name[n++] = (char)s->p[s->i++];
	}
	if (n == 0)
		return soap_fail(s, "name expected");
	name[n] = '\0';
	return 0;
}

static void soap_skip_space(struct soap_parser *s)
{
	while (s->i < s->len && soap_space(s->p[s->i]))
		s->i++;
}

static bool soap_starts(const struct soap_parser *s, const char *text)
{
	size_t n = strlen(text);
	return s->len - s->i >= n && memcmp(s->p + s->i, text, n) == 0;
}

/* Step past the next occurrence of end; fail when there is none. */
static int soap_skip_past(struct soap_parser *s, const char *end, const char *what)
{
	const void *at = memmem(s->p + s->i, s->len - s->i, end, strlen(end));
	if (!at)
		return soap_fail(s, what);
	s->i = (size_t)((const uint8_t *)at - s->p) + strlen(end);
	return 0;
}

static void soap_capture_byte(struct soap_parser *s, uint8_t c)
{
	struct soap_capture *k = &s->capture;
	if (k->active && k->len + 1 < k->cap)
		k->buf[k->len++] = (char)c;
}

static void soap_capture_code_point(struct soap_parser *s, uint32_t cp)
{
	if (cp < 0x80) {
		soap_capture_byte(s, (uint8_t)cp);
	} else if (cp < 0x800) {
		soap_capture_byte(s, (uint8_t)(0xc0 | (cp >> 6)));
		soap_capture_byte(s, (uint8_t)(0x80 | (cp & 0x3f)));
	} else if (cp < 0x10000) {
		soap_capture_byte(s, (uint8_t)(0xe0 | (cp >> 12)));
		soap_capture_byte(s, (uint8_t)(0x80 | ((cp >> 6) & 0x3f)));
		soap_capture_byte(s, (uint8_t)(0x80 | (cp & 0x3f)));
	} else {
		soap_capture_byte(s, (uint8_t)(0xf0 | (cp >> 18)));
		soap_capture_byte(s, (uint8_t)(0x80 | ((cp >> 12) & 0x3f)));
		soap_capture_byte(s, (uint8_t)(0x80 | ((cp >> 6) & 0x3f)));
		soap_capture_byte(s, (uint8_t)(0x80 | (cp & 0x3f)));
	}
}

/* &lt; &gt; &amp; &quot; &apos; &#N; &#xH; (XML 1.0 4.1, 4.6); s->i is at '&'. */
static int soap_reference(struct soap_parser *s, bool capture)
{
	static const struct {
		const char *name;
		char c;
	} predefined[] = {
		{"&lt;", '<'}, {"&gt;", '>'}, {"&amp;", '&'}, {"&quot;", '"'}, {"&apos;", '\''}};
	for (size_t k = 0; k < DL_ARRAY_SIZE(predefined); k++) {
		if (soap_starts(s, predefined[k].name)) {
			if (capture)
				soap_capture_byte(s, (uint8_t)predefined[k].c);
			s->i += strlen(predefined[k].name);
			return 0;
		}
	}
	if (!soap_starts(s, "&#"))
		return soap_fail(s, "unknown entity reference (no DTD is read)");
	s->i += 2;
	bool hex = s->i < s->len && s->p[s->i] == 'x';
	if (hex)
		s->i++;
	uint32_t cp = 0;
	size_t digits = 0;
	while (s->i < s->len && s->p[s->i] != ';') {
		uint8_t c = s->p[s->i];
		uint32_t v;
		if (c >= '0' && c <= '9')
			v = c - '0';
		else if (hex && c >= 'a' && c <= 'f')
			v = c - 'a' + 10u;
		else if (hex && c >= 'A' && c <= 'F')
			v = c - 'A' + 10u;
		else
			return soap_fail(s, "bad character reference");
		cp = cp * (hex ? 16u : 10u) + v;
		if (cp > 0x10ffff || ++digits > 8)
			return soap_fail(s, "character reference out of range");
		s->i++;
	}
	if (s->i >= s->len || digits == 0 || cp == 0 || (cp >= 0xd800 && cp <= 0xdfff))
		return soap_fail(s, "bad character reference");
	s->i++; /* ';' */
	if (capture)
		soap_capture_code_point(s, cp);
	return 0;
}

/* Which message field an element at this place feeds, or NULL. */
static char *soap_capture_target(struct soap_parser *s, const char *local, size_t *cap)
{
	struct soap_message *m = s->out;
	if (!m->is_fault || s->depth < 3)
		return NULL;
	const char *parent = soap_local_name(s->stack[s->depth - 1]);
	*cap = SOAP_NAME_MAX;
	if (m->version == SOAP_VERSION_11 && s->depth == 3) {
		if (strcmp(local, "faultcode") == 0 && !m->code[0])
			return m->code;
		if (strcmp(local, "faultstring") == 0 && !m->reason[0]) {
			*cap = SOAP_TEXT_MAX;
			return m->reason;
		}
		return NULL;
	}
	if (s->depth == 4 && strcmp(parent, "Code") == 0 && strcmp(local, "Value") == 0 &&
	    !m->code[0])
		return m->code;
	if (s->depth == 5 && strcmp(parent, "Subcode") == 0 && strcmp(local, "Value") == 0 &&
	    !s->subcode_seen) {
		s->subcode_seen = true;
		return m->subcode;
	}
	if (s->depth == 4 && strcmp(parent, "Reason") == 0 && strcmp(local, "Text") == 0 &&
	    !m->reason[0]) {
		*cap = SOAP_TEXT_MAX;
		return m->reason;
	}
	return NULL;
}

/* The Envelope's namespace: the xmlns (or xmlns:prefix) declaring its own prefix. */
static void soap_envelope_namespace(struct soap_parser *s, const char *qname, const char *attr,
				    const char *value)
{
	const char *colon = strchr(qname, ':');
	bool declares;
	if (colon)
		declares = strncmp(attr, "xmlns:", 6) == 0 &&
			   strlen(attr + 6) == (size_t)(colon - qname) &&
			   strncmp(attr + 6, qname, (size_t)(colon - qname)) == 0;
	else
		declares = strcmp(attr, "xmlns") == 0;
	if (!declares)
		return;
	if (strcmp(value, SOAP_NS_12) == 0)
		s->out->version = SOAP_VERSION_12;
	else if (strcmp(value, SOAP_NS_11) == 0)
		s->out->version = SOAP_VERSION_11;
}

/* name="value" or name='value'; the value's first SOAP_TEXT_MAX-1 bytes in value. */
static int soap_attribute(struct soap_parser *s, char *name, char *value)
{
	int rc = soap_name(s, name, SOAP_NAME_MAX);
	if (rc < 0)
		return rc;
	soap_skip_space(s);
	if (s->i >= s->len || s->p[s->i] != '=')
		return soap_fail(s, "attribute without '='");
	s->i++;
	soap_skip_space(s);
	if (s->i >= s->len || (s->p[s->i] != '"' && s->p[s->i] != '\''))
		return soap_fail(s, "attribute value not quoted");
	uint8_t quote = s->p[s->i++];
	size_t n = 0;
	while (s->i < s->len && s->p[s->i] != quote) {
		if (s->p[s->i] == '<')
			return soap_fail(s, "'<' in an attribute value");
		if (s->p[s->i] == '&') {
			rc = soap_reference(s, false);
			if (rc < 0)
				return rc;
			continue;
		}
		if (n + 1 < SOAP_TEXT_MAX)
			value[n++] = (char)s->p[s->i];
		s->i++;
	}
	if (s->i >= s->len)
		return soap_fail(s, "attribute value not closed");
	s->i++;
	value[n] = '\0';
	return 0;
}

static void soap_element_opened(struct soap_parser *s, const char *qname)
{
	struct soap_message *m = s->out;
	const char *local = soap_local_name(qname);
	m->elements++;
	if (s->depth == 2 && m->version != SOAP_VERSION_NONE) {
		const char *here = soap_local_name(s->stack[1]);
		if (strcmp(here, "Body") == 0 && !m->body_element[0]) {
			snprintf(m->body_element, sizeof(m->body_element), "%s", local);
			m->is_fault = strcmp(local, "Fault") == 0;
		}
	}
	if (s->depth == 1 && m->version != SOAP_VERSION_NONE) {
		if (strcmp(local, "Header") == 0)
			m->has_header = true;
		else if (strcmp(local, "Body") == 0)
			m->has_body = true;
	}
	if (!s->capture.active && m->version != SOAP_VERSION_NONE) {
		/* a Fault that is the Body's first child only */
		size_t cap = 0;
		char *target = NULL;
		if (s->depth >= 3 && strcmp(soap_local_name(s->stack[2]), "Fault") == 0 &&
		    strcmp(m->body_element, "Fault") == 0)
			target = soap_capture_target(s, local, &cap);
		if (target) {
			s->capture.buf = target;
			s->capture.cap = cap;
			s->capture.len = 0;
			s->capture.depth = s->depth;
			s->capture.active = true;
		}
	}
}

/* Fold whitespace runs to one space and trim, in place. */
static void soap_fold(char *text)
{
	size_t w = 0;
	bool space = true;
	for (size_t r = 0; text[r]; r++) {
		if (soap_space((uint8_t)text[r])) {
			if (!space)
				text[w++] = ' ';
			space = true;
		} else {
			text[w++] = text[r];
			space = false;
		}
	}
	if (w > 0 && text[w - 1] == ' ')
		w--;
	text[w] = '\0';
}

static int soap_start_tag(struct soap_parser *s)
{
	char qname[SOAP_NAME_MAX];
	s->i++; /* '<' */
	int rc = soap_name(s, qname, sizeof(qname));
	if (rc < 0)
		return rc;
	if (s->root_closed)
		return soap_fail(s, "a second root element");
	if (s->depth >= SOAP_DEPTH_MAX)
		return soap_fail(s, "elements nested deeper than 32");
	bool is_root = s->depth == 0;
	bool envelope = is_root && strcmp(soap_local_name(qname), "Envelope") == 0;
	size_t attributes = 0;
	for (;;) {
		size_t before = s->i;
		soap_skip_space(s);
		if (s->i >= s->len)
			return soap_fail(s, "tag not closed");
		uint8_t c = s->p[s->i];
		if (c == '>' || c == '/')
			break;
		if (s->i == before)
			return soap_fail(s, "no space before an attribute");
		if (++attributes > SOAP_ATTRIBUTES_MAX)
			return soap_fail(s, "more than 64 attributes");
		char name[SOAP_NAME_MAX], value[SOAP_TEXT_MAX];
		rc = soap_attribute(s, name, value);
		if (rc < 0)
			return rc;
		if (envelope)
			soap_envelope_namespace(s, qname, name, value);
	}
	bool empty = s->p[s->i] == '/';
	if (empty) {
		s->i++;
		if (s->i >= s->len || s->p[s->i] != '>')
			return soap_fail(s, "'/' not followed by '>'");
	}
	s->i++; /* '>' */
	s->root_seen = true;
	memcpy(s->stack[s->depth], qname, sizeof(qname));
	soap_element_opened(s, qname);
	s->depth++;
	if (empty) {
		s->depth--;
		if (s->capture.active && s->capture.depth == s->depth)
			s->capture.active = false;
		if (s->depth == 0)
			s->root_closed = true;
	}
	return 0;
}

static int soap_end_tag(struct soap_parser *s)
{
	char qname[SOAP_NAME_MAX];
	s->i += 2; /* "</" */
	int rc = soap_name(s, qname, sizeof(qname));
	if (rc < 0)
		return rc;
	soap_skip_space(s);
	if (s->i >= s->len || s->p[s->i] != '>')
		return soap_fail(s, "end tag not closed");
	if (s->depth == 0 || strcmp(s->stack[s->depth - 1], qname) != 0)
		return soap_fail(s, "end tag does not match the open element");
	s->i++;
	s->depth--;
	if (s->capture.active && s->capture.depth == s->depth) {
		s->capture.buf[s->capture.len] = '\0';
		soap_fold(s->capture.buf);
		s->capture.active = false;
	}
	if (s->depth == 0)
		s->root_closed = true;
	return 0;
}

static int soap_text(struct soap_parser *s)
{
	while (s->i < s->len && s->p[s->i] != '<') {
		uint8_t c = s->p[s->i];
		if (c == '&') {
			int rc = soap_reference(s, true);
			if (rc < 0)
				return rc;
			continue;
		}
		if (c == 0)
			return soap_fail(s, "NUL byte in the document");
		if (s->depth == 0 && !soap_space(c))
			return soap_fail(s, "text outside the root element");
		soap_capture_byte(s, c);
		s->i++;
	}
	return 0;
}

int soap_parse(const uint8_t *xml, size_t len, struct soap_message *out, struct dl_error *err)
{
	memset(out, 0, sizeof(*out));
	if (len > SOAP_DOCUMENT_MAX)
		return dl_error_set(err, DL_EPROTO, "soap: document of %zu bytes (at most %u read)",
				    len, SOAP_DOCUMENT_MAX);
	struct soap_parser *s = calloc(1, sizeof(*s));
	if (!s)
		return dl_error_set(err, DL_ENOMEM, "soap: out of memory for the parser");
	s->p = xml;
	s->len = len;
	s->out = out;
	s->err = err;
	int rc = 0;
	/* a UTF-8 byte order mark may come first */
	if (soap_starts(s, "\xef\xbb\xbf"))
		s->i = 3;
	while (rc == 0 && s->i < s->len) {
		if (s->p[s->i] != '<') {
			rc = soap_text(s);
		} else if (soap_starts(s, "<?")) {
			rc = soap_skip_past(s, "?>", "processing instruction not closed");
		} else if (soap_starts(s, "<!--")) {
			rc = soap_skip_past(s, "-->", "comment not closed");
		} else if (soap_starts(s, "<![CDATA[")) {
			if (s->depth == 0) {
				rc = soap_fail(s, "CDATA outside the root element");
				break;
			}
			size_t from = s->i + 9;
			rc = soap_skip_past(s, "]]>", "CDATA section not closed");
			for (size_t k = from; rc == 0 && k + 3 < s->i; k++)
				soap_capture_byte(s, s->p[k]);
		} else if (soap_starts(s, "<!")) {
			rc = soap_fail(s, "DTD or declaration refused");
		} else if (soap_starts(s, "</")) {
			rc = soap_end_tag(s);
		} else {
			rc = soap_start_tag(s);
		}
	}
	if (rc == 0 && !s->root_seen)
		rc = soap_fail(s, "no element");
	else if (rc == 0 && s->depth > 0)
		rc = soap_fail(s, "document ends inside an element");
	if (rc == 0 && strcmp(soap_local_name(s->stack[0]), "Envelope") != 0)
		out->version = SOAP_VERSION_NONE;
	if (rc < 0) {
		int code = rc;
		memset(out, 0, sizeof(*out));
		rc = code;
	}
	free(s);
	return rc;
}

int soap_password_digest(const uint8_t *nonce, size_t nonce_len, const char *created,
			 const char *password, char *digest, size_t size, struct dl_error *err)
{
	if (!nonce || nonce_len == 0 || nonce_len > 64 || !created || !password)
		return dl_error_set(err, DL_EINVAL,
				    "soap digest: a nonce of 1 to 64 bytes, a created time and a "
				    "password are needed");
	if (size < SOAP_DIGEST_MAX)
		return dl_error_set(err, DL_EINVAL, "soap digest: buffer of %zu bytes (need %d)",
				    size, SOAP_DIGEST_MAX);
	uint8_t hash[SHA_DIGEST_LENGTH];
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	bool ok = ctx && EVP_DigestInit_ex(ctx, EVP_sha1(), NULL) == 1 &&
		  EVP_DigestUpdate(ctx, nonce, nonce_len) == 1 &&
		  EVP_DigestUpdate(ctx, created, strlen(created)) == 1 &&
		  EVP_DigestUpdate(ctx, password, strlen(password)) == 1 &&
		  EVP_DigestFinal_ex(ctx, hash, NULL) == 1;
	EVP_MD_CTX_free(ctx);
	if (!ok)
		return dl_error_set(err, DL_EIO, "soap digest: OpenSSL SHA-1 failed");
	/* 20 bytes are 28 base64 characters and a terminator */
	EVP_EncodeBlock((unsigned char *)digest, hash, sizeof(hash));
	return 0;
}
