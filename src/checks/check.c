/* check: verdict names, findings and clause parameters shared by every check */
#include "core/compat.h"

#include "checks/check.h"
#include "core/error.h"
#include "core/profile.h"

static const char *const verdict_names[VERDICT_COUNT] = {
	[VERDICT_PASS] = "pass",
	[VERDICT_FAIL] = "fail",
	[VERDICT_INCONCLUSIVE] = "inconclusive",
	[VERDICT_ERROR] = "error",
	[VERDICT_NOT_APPLICABLE] = "not_applicable",
	[VERDICT_MANUAL] = "manual",
	[VERDICT_NOT_TESTED] = "not_tested",
};

const char *verdict_name(enum verdict v)
{
	if ((unsigned)v >= VERDICT_COUNT)
		return "error";
	return verdict_names[v];
}

int verdict_from_name(const char *name, enum verdict *out)
{
	for (size_t i = 0; i < VERDICT_COUNT; i++) {
		if (strcmp(name, verdict_names[i]) == 0) {
			*out = (enum verdict)i;
			return 0;
		}
	}
	return DL_EINVAL;
}

const char *collector_unmet_need(const struct collector *collector, const struct profile *profile,
				 uint32_t mask)
{
	uint32_t needs = collector->needs & mask;
	if ((needs & NEED_DUT_ADDRESS) && profile->address_count == 0)
		return "needs at least one DUT address; the profile's dut.addresses is empty";
	if ((needs & NEED_TESTER_INTERFACE) && profile->scope.interface_count == 0)
		return "needs a tester interface; the profile's scope.interfaces is empty";
	if ((needs & NEED_DECLARED_SERVICES) && profile->service_count == 0)
		return "needs the vendor's declared services; the profile's services list is empty";
	if ((needs & NEED_LOGIN_ADAPTER) && profile->credential_count == 0)
		return "needs login credentials and a login adapter; the profile declares none";
	if ((needs & NEED_ROBUSTNESS) && !profile->robustness.declared)
		return "needs the profile's robustness section (the campaign's interface, "
		       "duration, mix and health monitors; docs/profile.md), and the profile has "
		       "none";
	return NULL;
}

static char *format_text(const char *format, va_list args)
{
	char *text = NULL;
	if (vasprintf(&text, format, args) < 0)
		return NULL;
	return text;
}

int check_verdict_add(struct check_verdict *v, enum finding_severity severity, const char *evidence,
		      const char *format, ...)
{
	if (v->finding_count >= CHECK_FINDINGS_MAX)
		return DL_ENOMEM;
	va_list args;
	va_start(args, format);
	char *text = format_text(format, args);
	va_end(args);
	if (!text)
		return DL_ENOMEM;
	char *evidence_copy = NULL;
	if (evidence) {
		evidence_copy = strdup(evidence);
		if (!evidence_copy) {
			free(text);
			return DL_ENOMEM;
		}
	}
	struct finding *f = &v->findings[v->finding_count++];
	f->severity = severity;
	f->text = text;
	f->evidence = evidence_copy;
	return 0;
}

int check_verdict_set(struct check_verdict *v, enum verdict verdict, const char *format, ...)
{
	va_list args;
	va_start(args, format);
	char *summary = format_text(format, args);
	va_end(args);
	if (!summary)
		return DL_ENOMEM;
	free(v->summary);
	v->summary = summary;
	v->verdict = verdict;
	return 0;
}

void check_verdict_release(struct check_verdict *v)
{
	if (!v)
		return;
	for (size_t i = 0; i < v->finding_count; i++) {
		free(v->findings[i].text);
		free(v->findings[i].evidence);
	}
	v->finding_count = 0;
	free(v->summary);
	v->summary = NULL;
}

const char *check_param_get(const struct check_params *p, const char *name, const char *fallback)
{
	if (!p)
		return fallback;
	for (size_t i = 0; i < p->count; i++)
		if (strcmp(p->items[i].name, name) == 0)
			return p->items[i].value;
	return fallback;
}

const struct check *check_find(const char *id)
{
	for (size_t i = 0; i < check_registry_count; i++)
		if (strcmp(check_registry[i]->id, id) == 0)
			return check_registry[i];
	return NULL;
}

const struct collector *collector_find(const char *id)
{
	for (size_t i = 0; i < collector_registry_count; i++)
		if (strcmp(collector_registry[i]->id, id) == 0)
			return collector_registry[i];
	return NULL;
}

const struct json_object *check_context_input(const struct check_context *ctx,
					      const char *collector_id, const char **error)
{
	for (size_t i = 0; ctx && i < ctx->input_count; i++) {
		const struct check_input *in = &ctx->inputs[i];
		if (strcmp(in->collector_id, collector_id) != 0)
			continue;
		if (error)
			*error = in->observation ? NULL : in->error;
		return in->observation;
	}
	if (error)
		*error = "not an input of this collector";
	return NULL;
}
