/* every-interface: the auth.every-interface check: nothing served without credentials, on any
 * service */
#include "core/compat.h"

#include <json-c/json.h>

#include "checks/auth/unauth-internal.h"
#include "checks/check.h"
#include "core/error.h"
#include "core/json-read.h"

/*
 * IoT-1006-1 5.1.1.9: every access interface identifies and authenticates
 * its user (data=any: any function or data served without credentials
 * fails). TS-0014-1 5.2.4.1: stored sensitive data only to authorised
 * entities (data=sensitive: configuration, user lists, keys). TS-0014-1
 * 5.5.1.1: stored privacy data only to authorised entities
 * (data=privacy: video streams, snapshots, recordings). A file store
 * (FTP anonymous) and a shell or debugger reached without credentials
 * give away both kinds, so they decide every clause.
 *
 * Reads the auth.unauthenticated observation (unauthenticated.c).
 */

extern const struct collector collector_auth_unauthenticated;

/* Does a served answer of this data kind decide the clause? */
static bool decides(const char *selected, const char *data)
{
	if (strcmp(selected, "any") == 0)
		return true;
	if (strcmp(data, UNAUTH_DATA_STORAGE) == 0 || strcmp(data, UNAUTH_DATA_CONTROL) == 0)
		return true;
	return strcmp(selected, data) == 0;
}

static const char *selected_words(const char *selected)
{
	if (strcmp(selected, "privacy") == 0)
		return "privacy data (video, snapshots, recordings)";
	if (strcmp(selected, "sensitive") == 0)
		return "sensitive data (configuration, user lists, keys)";
	return "any function or data";
}

static int judge(const struct json_object *observation, const struct check_params *params,
		 const struct profile *profile, struct check_verdict *out, struct dl_error *err)
{
	(void)profile;
	const char *selected = check_param_get(params, "data", "any");
	if (strcmp(selected, "any") != 0 && strcmp(selected, "privacy") != 0 &&
	    strcmp(selected, "sensitive") != 0)
		return dl_error_set(err, DL_EINVAL,
				    "auth.every-interface: data is '%s'; expected any, privacy or "
				    "sensitive",
				    selected);
	if (json_read_int(observation, "version", 0) != 1)
		return dl_error_set(err, DL_EINVAL,
				    "auth.every-interface: the observation is not version 1 of "
				    "auth.unauthenticated");
	const char *scan_error = json_read_text(observation, "scan_error", NULL);
	if (scan_error)
		return check_verdict_set(out, VERDICT_INCONCLUSIVE,
					 "discovery found no services to ask: %s", scan_error);

	struct json_object *services = json_read_array(observation, "services");
	size_t served = 0, other_served = 0, undecided = 0, asked = 0, neutral = 0;
	int rc = 0;
	char failing[512] = "", label[96];
	size_t failing_len = 0;
	for (size_t i = 0; i < json_read_length(services) && rc == 0; i++) {
		struct json_object *s = json_object_array_get_idx(services, i);
		const char *address = json_read_text(s, "address", "?");
		const char *evidence = json_read_text(s, "evidence", NULL);
		snprintf(label, sizeof(label), "%s/%" PRId64 " (%s)",
			 json_read_text(s, "proto", "?"), json_read_int(s, "port", 0),
			 json_read_text(s, "service", "?"));
		const char *skipped = json_read_text(s, "skipped", NULL);
		if (skipped) {
			bool announce = strstr(skipped, "serves no function") != NULL;
			if (announce)
				neutral++;
			else
				undecided++;
			rc = check_verdict_add(out, announce ? FINDING_INFO : FINDING_WARNING,
					       evidence, "%s on %s was not asked: %s", label,
					       address, skipped);
			continue;
		}
		asked++;
		struct json_object *tries = json_read_array(s, "tries");
		size_t auth = 0, absent = 0, unknown = 0, fails_here = 0, other_here = 0;
		for (size_t k = 0; k < json_read_length(tries) && rc == 0; k++) {
			struct json_object *t = json_object_array_get_idx(tries, k);
			const char *result = json_read_text(t, "result", "");
			if (strcmp(result, UNAUTH_SERVED) == 0) {
				const char *data = json_read_text(t, "data", UNAUTH_DATA_FUNCTION);
				bool counts = decides(selected, data);
				if (counts) {
					served++;
					fails_here++;
				} else {
					other_served++;
					other_here++;
				}
				rc = check_verdict_add(
					out, counts ? FINDING_FAIL : FINDING_WARNING, evidence,
					"%s on %s serves %s without credentials: %s -> '%s' (%s)",
					label, address, data, json_read_text(t, "request", "?"),
					json_read_text(t, "answer", ""),
					json_read_text(t, "why", ""));
			} else if (strcmp(result, UNAUTH_AUTHENTICATES) == 0 ||
				   strcmp(result, UNAUTH_LOGIN_PAGE) == 0) {
				auth++;
			} else if (strcmp(result, UNAUTH_ABSENT) == 0) {
				absent++;
			} else {
				unknown++;
			}
		}
		if (rc < 0 || fails_here || other_here)
			goto next;
		if (auth > 0) {
			rc = check_verdict_add(
				out, FINDING_PASS, evidence,
				"%s on %s asks for credentials: %zu of %zu requests "
				"authenticated, %zu found nothing, none served anything",
				label, address, auth, json_read_length(tries), absent);
		} else if (absent > 0 && unknown == 0) {
			rc = check_verdict_add(
				out, FINDING_PASS, evidence,
				"%s on %s served nothing of the %zu requests without "
				"credentials",
				label, address, absent);
		} else {
			undecided++;
			struct json_object *first = json_object_array_get_idx(tries, 0);
			rc = check_verdict_add(out, FINDING_WARNING, evidence,
					       "%s on %s: could not tell whether it authenticates "
					       "(%zu requests; first: %s -> '%s')",
					       label, address, json_read_length(tries),
					       json_read_text(first, "request", "none"),
					       json_read_text(first, "answer", ""));
		}
	next:
		if (fails_here && failing_len + 1 < sizeof(failing)) {
			int n = snprintf(failing + failing_len, sizeof(failing) - failing_len,
					 "%s%s %s", failing_len ? ", " : "", address, label);
			if (n > 0)
				failing_len += (size_t)n < sizeof(failing) - failing_len
						       ? (size_t)n
						       : sizeof(failing) - failing_len - 1;
		}
	}
	if (rc < 0)
		return dl_error_set(err, rc, "auth.every-interface: out of memory");
	if (served > 0)
		return check_verdict_set(out, VERDICT_FAIL,
					 "%zu request%s without credentials served %s: %s", served,
					 served == 1 ? "" : "s", selected_words(selected), failing);
	if (!json_read_true(observation, "scan_complete"))
		return check_verdict_set(
			out, VERDICT_INCONCLUSIVE,
			"discovery did not scan every port; the %zu services asked "
			"serve no %s without credentials",
			asked, selected_words(selected));
	if (undecided > 0)
		return check_verdict_set(
			out, VERDICT_INCONCLUSIVE,
			"%zu service%s could not be decided; the other %zu serve no "
			"%s without credentials",
			undecided, undecided == 1 ? "" : "s",
			json_read_length(services) - undecided, selected_words(selected));
	if (asked == 0)
		return check_verdict_set(out, VERDICT_INCONCLUSIVE,
					 "discovery found no service to ask");
	return check_verdict_set(out, VERDICT_PASS,
				 "%zu service%s asked without credentials: none serves %s%s", asked,
				 asked == 1 ? "" : "s", selected_words(selected),
				 other_served ? " (other data served is listed as a warning)" : "");
}

static const char *const params_list[] = {"data", NULL};

const struct check check_auth_every_interface = {
	.id = "auth.every-interface",
	.summary = "every service found asks for credentials before it serves a function or data",
	.collector = &collector_auth_unauthenticated,
	.params = params_list,
	.judge = judge,
};
