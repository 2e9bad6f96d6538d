/* markup: text from campaign.db made safe for JSON, HTML and XML */
#ifndef DUTLAB_REPORT_MARKUP_H
#define DUTLAB_REPORT_MARKUP_H

#include <stdbool.h>
#include <stdio.h>

/* A malloc'd copy of text that is valid UTF-8: each byte of an invalid
 * sequence, a surrogate, U+FFFE and U+FFFF become U+FFFD. NULL in gives
 * NULL out; NULL for non-NULL text means out of memory. */
char *markup_utf8_dup(const char *text);

/* Write valid UTF-8 text escaped for HTML and XML 1.0 element content and
 * quoted attribute values: & < > " ' become references; control characters
 * other than tab, newline and carriage return, which XML 1.0 cannot carry,
 * become U+FFFD. NULL writes nothing. */
void markup_escape(FILE *out, const char *text);

/* Write a relative path as a URL path: unreserved bytes and '/' as they
 * are, everything else percent-encoded (so it also sits safely inside a
 * quoted attribute). */
void markup_url_path(FILE *out, const char *path);

/* True when path is relative, has no ".." or "." component, no empty
 * component and no backslash: safe to link to from the campaign folder. */
bool markup_path_is_safe(const char *path);

#endif
