/* endpoint: reading the tls.channels observation back in the judges (labels, versions, names) */
#include "core/compat.h"

#include "checks/check.h"
#include "checks/tls/endpoint.h"
#include "core/error.h"
#include "core/json-read.h"

const char *endpoint_label(const struct json_object *endpoint, char *buf, size_t size)
{
	const char *address = json_read_text(endpoint, "address", "?");
	snprintf(buf, size, strchr(address, ':') ? "[%s] %s/%" PRId64 : "%s %s/%" PRId64, address,
		 json_read_text(endpoint, "proto", "tcp"), json_read_int(endpoint, "port", -1));
	return buf;
}

static const char *const version_names[] = {"SSLv2",   "SSLv3",   "TLSv1.0",
					    "TLSv1.1", "TLSv1.2", "TLSv1.3"};

const char *endpoint_version_name(int rank)
{
	return rank >= 0 && (size_t)rank < DL_ARRAY_SIZE(version_names) ? version_names[rank] : "?";
}

int endpoint_version_rank(const char *name)
{
	const char *const *names = version_names;
	for (size_t i = 0; name && i < DL_ARRAY_SIZE(version_names); i++)
		if (strcmp(name, names[i]) == 0)
			return (int)i;
	return -1;
}

/* 0 with *usable set, or DL_EINVAL when the observation is not a tls.channels one.
 * A scan that failed leaves *why set and *usable false. */
static int endpoint_observation_usable(const struct json_object *observation, bool *usable,
				       const char **why, struct dl_error *err)
{
	*usable = false;
	*why = NULL;
	if (!observation || json_read_int(observation, "version", -1) != 1 ||
	    !json_read_array(observation, "tls") || !json_read_array(observation, "ssh") ||
	    !json_read_array(observation, "plaintext"))
		return dl_error_set(err, DL_EINVAL,
				    "the observation is not a tls.channels one of version 1 "
				    "(tls, ssh and plaintext lists)");
	*why = json_read_text(observation, "scan_error", NULL);
	*usable = *why == NULL;
	return 0;
}

int endpoint_judge_begin(const struct json_object *observation, struct check_verdict *out,
			 bool *decided, struct dl_error *err)
{
	bool usable;
	const char *why;
	*decided = false;
	int rc = endpoint_observation_usable(observation, &usable, &why, err);
	if (rc || usable)
		return rc;
	*decided = true;
	return check_verdict_set(out, VERDICT_INCONCLUSIVE, "no service list to audit: %s", why);
}

void endpoint_names_add(struct endpoint_names *names, const char *name)
{
	size_t used = strlen(names->text);
	if (names->count > 0 && strcmp(names->text + used - (used >= 3 ? 3 : used), "...") == 0)
		return;
	const char *separator = names->count ? ", " : "";
	if (used + strlen(separator) + strlen(name) + 4 >= sizeof(names->text)) {
		snprintf(names->text + used, sizeof(names->text) - used, "%s...", separator);
		names->count++;
		return;
	}
	snprintf(names->text + used, sizeof(names->text) - used, "%s%s", separator, name);
	names->count++;
}
