/* scan-json: the observation's bounded fields: cut text, DUT bytes made printable, disclosures */
#include "core/compat.h"

#include <json-c/json.h>

#include "checks/discovery/identify.h"
#include "checks/discovery/scan-internal.h"

/* snprintf whose cut text is intended: every field of the observation is bounded. */
void scan_put(char *dst, size_t size, const char *format, ...)
{
	va_list args;
	va_start(args, format);
	vsnprintf(dst, size, format, args);
	va_end(args);
}

/* Bytes from the DUT as printable ASCII: \r \n \t \\ and \xNN escapes. */
struct json_object *scan_printable(const uint8_t *p, size_t n, size_t max)
{
	char out[BANNER_JSON_MAX * 4 + 8];
	size_t o = 0;
	if (n > max)
		n = max;
	for (size_t i = 0; i < n && o + 5 < sizeof(out); i++) {
		uint8_t c = p[i];
		if (c == '\\') {
			out[o++] = '\\';
			out[o++] = '\\';
		} else if (c == '\r' || c == '\n' || c == '\t') {
			out[o++] = '\\';
			out[o++] = c == '\r' ? 'r' : c == '\n' ? 'n' : 't';
		} else if (c >= 0x20 && c < 0x7f) {
			out[o++] = (char)c;
		} else {
			static const char hex[] = "0123456789abcdef";
			out[o++] = '\\';
			out[o++] = 'x';
			out[o++] = hex[c >> 4];
			out[o++] = hex[c & 15];
		}
	}
	return json_object_new_string_len(out, (int)o);
}

void scan_add_string(struct json_object *o, const char *key, const char *value)
{
	json_object_object_add(o, key, json_object_new_string(value ? value : ""));
}

void scan_add_disclosures(struct json_object *list, const struct disclosure *d, size_t n,
			  const char *source)
{
	for (size_t i = 0; i < n; i++) {
		struct json_object *item = json_object_new_object();
		scan_add_string(item, "kind", d[i].kind);
		scan_add_string(item, "source", source);
		scan_add_string(item, "text", d[i].text);
		json_object_array_add(list, item);
	}
}

void scan_add_disclosure(struct json_object *list, const char *kind, const char *source,
			 const char *text)
{
	struct disclosure d = {.kind = kind};
	snprintf(d.text, sizeof(d.text), "%s", text);
	scan_add_disclosures(list, &d, 1, source);
}
