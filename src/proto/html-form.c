/* html-form: a login page's <form> elements and <input> fields (HTML Living Standard 4.10) */
#include "core/compat.h"

#include "core/error.h"
#include "proto/html-form.h"

/* A read position in the page; every step checks it against the end. */
struct scan {
	const char *p;
	size_t length;
	size_t at;
};

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

static char lower(char c)
{
	return (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c;
}

/* Does the page at position at start with word, ignoring ASCII case? */
static bool starts_with_ci(const struct scan *s, size_t at, const char *word)
{
	size_t n = strlen(word);
	if (at > s->length || n > s->length - at)
		return false;
	for (size_t i = 0; i < n; i++)
		if (lower(s->p[at + i]) != word[i])
			return false;
	return true;
}

/* Position of the first occurrence of needle (case-insensitive) at or after at, or length. */
static size_t find_ci(const struct scan *s, size_t at, const char *needle)
{
	for (size_t i = at; i < s->length; i++)
		if (starts_with_ci(s, i, needle))
			return i;
	return s->length;
}

/* Append c to out (size bytes, NUL-terminated); *truncated when it does not fit. */
static void put(char *out, size_t size, size_t *used, char c, bool *truncated)
{
	if (*used + 1 >= size) {
		*truncated = true;
		return;
	}
	out[(*used)++] = c;
	out[*used] = '\0';
}

/* A UTF-8 encoding of a code point from a character reference. */
static void put_code_point(char *out, size_t size, size_t *used, unsigned long cp, bool *truncated)
{
	if (cp == 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		cp = 0xfffd;
	if (cp < 0x80) {
		put(out, size, used, (char)cp, truncated);
	} else if (cp < 0x800) {
		put(out, size, used, (char)(0xc0 | (cp >> 6)), truncated);
		put(out, size, used, (char)(0x80 | (cp & 0x3f)), truncated);
	} else if (cp < 0x10000) {
		put(out, size, used, (char)(0xe0 | (cp >> 12)), truncated);
		put(out, size, used, (char)(0x80 | ((cp >> 6) & 0x3f)), truncated);
		put(out, size, used, (char)(0x80 | (cp & 0x3f)), truncated);
	} else {
		put(out, size, used, (char)(0xf0 | (cp >> 18)), truncated);
		put(out, size, used, (char)(0x80 | ((cp >> 12) & 0x3f)), truncated);
		put(out, size, used, (char)(0x80 | ((cp >> 6) & 0x3f)), truncated);
		put(out, size, used, (char)(0x80 | (cp & 0x3f)), truncated);
	}
}

/*
 * Copy value[0..length) into out, decoding the character references a
 * token or a field name plausibly holds: &amp; &lt; &gt; &quot; &apos;
 * &#NNN; &#xHH;. Others stay as written.
 */
static void copy_decoded(const char *value, size_t length, char *out, size_t size, bool *truncated)
{
	static const struct {
		const char *name;
		char c;
	} named[] = {{"amp;", '&'}, {"lt;", '<'}, {"gt;", '>'}, {"quot;", '"'}, {"apos;", '\''}};
	size_t used = 0;
	out[0] = '\0';
	for (size_t i = 0; i < length;) {
		if (value[i] != '&') {
			put(out, size, &used, value[i++], truncated);
			continue;
		}
		size_t rest = length - i - 1;
		const char *r = value + i + 1;
		bool done = false;
		for (size_t k = 0; k < DL_ARRAY_SIZE(named) && !done; k++) {
			size_t n = strlen(named[k].name);
			if (rest >= n && memcmp(r, named[k].name, n) == 0) {
				put(out, size, &used, named[k].c, truncated);
				i += 1 + n;
				done = true;
			}
		}
		if (!done && rest >= 3 && r[0] == '#') {
			bool hex = r[1] == 'x' || r[1] == 'X';
			size_t j = hex ? 2 : 1;
			unsigned long cp = 0;
			size_t digits = 0;
			/* At most 8 digits: no overflow, and 0x10ffff fits. */
			while (j < rest && digits < 8) {
				char c = r[j];
				int d = (c >= '0' && c <= '9')        ? c - '0'
					: hex && c >= 'a' && c <= 'f' ? c - 'a' + 10
					: hex && c >= 'A' && c <= 'F' ? c - 'A' + 10
								      : -1;
				if (d < 0)
					break;
				cp = cp * (hex ? 16 : 10) + (unsigned long)d;
				digits++;
				j++;
			}
			if (digits > 0 && j < rest && r[j] == ';') {
				put_code_point(out, size, &used, cp, truncated);
				i += 1 + j + 1;
				done = true;
			}
		}
		if (!done)
			put(out, size, &used, value[i++], truncated);
	}
}

/* One attribute of a tag: name lowercased, value as a slice of the page. */
struct attribute {
	char name[32];
	const char *value;
	size_t value_length;
	bool has_value;
};

/*
 * Read the next attribute of the tag at s->at; false at the tag's end
 * ('>' consumed) or the page's end. Attribute syntax per HTML 13.1.2.3:
 * name, optional '=' and an unquoted, single- or double-quoted value.
 */
static bool next_attribute(struct scan *s, struct attribute *a)
{
	while (s->at < s->length && (is_space(s->p[s->at]) || s->p[s->at] == '/'))
		s->at++;
	if (s->at >= s->length)
		return false;
	if (s->p[s->at] == '>') {
		s->at++;
		return false;
	}
	size_t used = 0;
	bool truncated = false;
	a->name[0] = '\0';
	/* A name is at least one byte, so the scan always advances. */
	do {
		put(a->name, sizeof(a->name), &used, lower(s->p[s->at]), &truncated);
		s->at++;
	} while (s->at < s->length && !is_space(s->p[s->at]) && s->p[s->at] != '=' &&
		 s->p[s->at] != '>' && s->p[s->at] != '/');
	a->has_value = false;
	a->value = NULL;
	a->value_length = 0;
	size_t look = s->at;
	while (look < s->length && is_space(s->p[look]))
		look++;
	if (look >= s->length || s->p[look] != '=')
		return true;
	s->at = look + 1;
	while (s->at < s->length && is_space(s->p[s->at]))
		s->at++;
	if (s->at >= s->length)
		return true;
	a->has_value = true;
	char quote = s->p[s->at];
	if (quote == '"' || quote == '\'') {
		size_t start = ++s->at;
		while (s->at < s->length && s->p[s->at] != quote)
			s->at++;
		a->value = s->p + start;
		a->value_length = s->at - start;
		if (s->at < s->length)
			s->at++; /* the closing quote */
		return true;
	}
	size_t start = s->at;
	while (s->at < s->length && !is_space(s->p[s->at]) && s->p[s->at] != '>')
		s->at++;
	a->value = s->p + start;
	a->value_length = s->at - start;
	return true;
}

static void copy_lower(const struct attribute *a, char *out, size_t size, bool *truncated)
{
	copy_decoded(a->value, a->value_length, out, size, truncated);
	for (char *c = out; *c; c++)
		*c = lower(*c);
}

/* The form inputs go to: the open <form>, else the implicit one (made on demand). */
static struct html_form *current_form(struct html_forms *out, struct html_form *open)
{
	if (open)
		return open;
	for (size_t i = 0; i < out->form_count; i++)
		if (out->forms[i].implicit)
			return &out->forms[i];
	if (out->form_count == HTML_FORMS_MAX) {
		out->forms_dropped++;
		return NULL;
	}
	struct html_form *f = &out->forms[out->form_count++];
	f->implicit = true;
	snprintf(f->method, sizeof(f->method), "get");
	return f;
}

static void read_input(struct scan *s, size_t tag_offset, struct html_forms *out,
		       struct html_form *open)
{
	struct html_form *form = current_form(out, open);
	struct html_input scratch;
	struct html_input *in = &scratch;
	if (form && form->input_count < HTML_INPUTS_MAX)
		in = &form->inputs[form->input_count++];
	else if (form)
		form->inputs_dropped++;
	memset(in, 0, sizeof(*in));
	in->offset = tag_offset;
	snprintf(in->type, sizeof(in->type), "text");
	struct attribute a;
	while (next_attribute(s, &a)) {
		if (!a.has_value)
			continue;
		if (strcmp(a.name, "type") == 0)
			copy_lower(&a, in->type, sizeof(in->type), &in->truncated);
		else if (strcmp(a.name, "name") == 0)
			copy_decoded(a.value, a.value_length, in->name, sizeof(in->name),
				     &in->truncated);
		else if (strcmp(a.name, "id") == 0)
			copy_decoded(a.value, a.value_length, in->id, sizeof(in->id),
				     &in->truncated);
		else if (strcmp(a.name, "autocomplete") == 0)
			copy_lower(&a, in->autocomplete, sizeof(in->autocomplete), &in->truncated);
		else if (strcmp(a.name, "value") == 0) {
			copy_decoded(a.value, a.value_length, in->value, sizeof(in->value),
				     &in->truncated);
			in->has_value = true;
		}
	}
	if (!in->type[0])
		snprintf(in->type, sizeof(in->type), "text");
}

/* Step over a tag we do not read: its attributes, quotes included. */
static void skip_tag(struct scan *s)
{
	struct attribute a;
	while (next_attribute(s, &a))
		;
}

/* A <form> start tag: the next form, or NULL when HTML_FORMS_MAX are taken. */
static struct html_form *read_form(struct scan *s, struct html_forms *out)
{
	if (out->form_count == HTML_FORMS_MAX) {
		out->forms_dropped++;
		skip_tag(s);
		return NULL;
	}
	struct html_form *f = &out->forms[out->form_count++];
	memset(f, 0, sizeof(*f));
	snprintf(f->method, sizeof(f->method), "get");
	bool truncated = false;
	struct attribute a;
	while (next_attribute(s, &a)) {
		if (!a.has_value)
			continue;
		if (strcmp(a.name, "action") == 0)
			copy_decoded(a.value, a.value_length, f->action, sizeof(f->action),
				     &truncated);
		else if (strcmp(a.name, "method") == 0)
			copy_lower(&a, f->method, sizeof(f->method), &truncated);
		else if (strcmp(a.name, "id") == 0)
			copy_decoded(a.value, a.value_length, f->id, sizeof(f->id), &truncated);
		else if (strcmp(a.name, "autocomplete") == 0)
			copy_lower(&a, f->autocomplete, sizeof(f->autocomplete), &truncated);
	}
	return f;
}

/* The tag name at s->at, lowercased into name; s->at after it. */
static void tag_name(struct scan *s, char *name, size_t size)
{
	size_t used = 0;
	bool truncated = false;
	name[0] = '\0';
	while (s->at < s->length && !is_space(s->p[s->at]) && s->p[s->at] != '>' &&
	       s->p[s->at] != '/') {
		put(name, size, &used, lower(s->p[s->at]), &truncated);
		s->at++;
	}
}

int html_form_parse(const char *page, size_t length, struct html_forms *out, struct dl_error *err)
{
	if (!out || (!page && length > 0))
		return dl_error_set(err, DL_EINVAL, "html-form: no page or result given");
	memset(out, 0, sizeof(*out));
	if (length > HTML_FORM_INPUT_MAX) {
		length = HTML_FORM_INPUT_MAX;
		out->page_truncated = true;
	}
	struct scan s = {.p = page, .length = length};
	struct html_form *open = NULL;
	bool in_dropped = false; /* inside a <form> beyond HTML_FORMS_MAX */
	/* Every pass moves s.at forward by at least one byte. */
	while (s.at < s.length) {
		const char *lt = memchr(s.p + s.at, '<', s.length - s.at);
		if (!lt)
			break;
		size_t tag_offset = (size_t)(lt - s.p);
		s.at = tag_offset + 1;
		if (starts_with_ci(&s, s.at, "!--")) {
			size_t end = find_ci(&s, s.at + 3, "-->");
			s.at = end < s.length ? end + 3 : s.length;
			continue;
		}
		if (s.at < s.length && (s.p[s.at] == '!' || s.p[s.at] == '?')) {
			const char *gt = memchr(s.p + s.at, '>', s.length - s.at);
			s.at = gt ? (size_t)(gt - s.p) + 1 : s.length;
			continue;
		}
		bool closing = s.at < s.length && s.p[s.at] == '/';
		if (closing)
			s.at++;
		char name[16];
		tag_name(&s, name, sizeof(name));
		if (!name[0])
			continue; /* a bare '<' in text */
		out->tags_seen++;
		if (closing) {
			if (strcmp(name, "form") == 0) {
				open = NULL;
				in_dropped = false;
			}
			skip_tag(&s);
			continue;
		}
		if (strcmp(name, "form") == 0) {
			/* A <form> inside a form is ignored by browsers; so here. */
			if (!open && !in_dropped) {
				open = read_form(&s, out);
				in_dropped = open == NULL;
			} else {
				skip_tag(&s);
			}
		} else if (strcmp(name, "input") == 0 && in_dropped) {
			skip_tag(&s);
		} else if (strcmp(name, "input") == 0) {
			read_input(&s, tag_offset, out, open);
		} else {
			skip_tag(&s);
			/* Raw text elements: their content is not markup. */
			static const char *const raw[] = {"script", "style", "textarea", "title"};
			for (size_t i = 0; i < DL_ARRAY_SIZE(raw); i++) {
				if (strcmp(name, raw[i]) != 0)
					continue;
				char end[16];
				snprintf(end, sizeof(end), "</%s", raw[i]);
				s.at = find_ci(&s, s.at, end);
			}
		}
	}
	return 0;
}

const struct html_input *html_form_input(const struct html_form *form, const char *name)
{
	for (size_t i = 0; form && name && i < form->input_count; i++)
		if (strcmp(form->inputs[i].name, name) == 0)
			return &form->inputs[i];
	return NULL;
}

const struct html_input *html_form_password_input(const struct html_form *form)
{
	for (size_t i = 0; form && i < form->input_count; i++)
		if (strcmp(form->inputs[i].type, "password") == 0)
			return &form->inputs[i];
	return NULL;
}

const struct html_form *html_forms_login(const struct html_forms *forms)
{
	for (size_t i = 0; forms && i < forms->form_count; i++)
		if (html_form_password_input(&forms->forms[i]))
			return &forms->forms[i];
	return NULL;
}
