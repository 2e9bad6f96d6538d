/* fuzz-html-form: libFuzzer target for html_form_parse: login pages as a DUT may serve them */
#include "core/compat.h"

#include "core/error.h"
#include "proto/html-form.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_terminated(const char *field, size_t size)
{
	if (!memchr(field, '\0', size))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct html_forms forms;
	struct dl_error err;
	if (html_form_parse((const char *)data, size, &forms, &err) != 0)
		abort(); /* malformed HTML is never an error */
	if (forms.form_count > HTML_FORMS_MAX)
		abort();
	size_t implicit = 0;
	for (size_t i = 0; i < forms.form_count; i++) {
		const struct html_form *f = &forms.forms[i];
		implicit += f->implicit;
		check_terminated(f->action, sizeof(f->action));
		check_terminated(f->method, sizeof(f->method));
		if (f->input_count > HTML_INPUTS_MAX)
			abort();
		for (size_t k = 0; k < f->input_count; k++) {
			const struct html_input *in = &f->inputs[k];
			check_terminated(in->type, sizeof(in->type));
			check_terminated(in->name, sizeof(in->name));
			check_terminated(in->value, sizeof(in->value));
			check_terminated(in->autocomplete, sizeof(in->autocomplete));
			/* Every input came from a tag: its offset is a '<' of the page. */
			if (in->offset >= size || data[in->offset] != '<')
				abort();
			if (in->type[0] == '\0')
				abort();
		}
		const struct html_input *password = html_form_password_input(f);
		if (password && strcmp(password->type, "password") != 0)
			abort();
	}
	if (implicit > 1)
		abort(); /* inputs outside forms share one implicit form */
	const struct html_form *login = html_forms_login(&forms);
	if (login && !html_form_password_input(login))
		abort();
	return 0;
}
