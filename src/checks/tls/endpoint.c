/* endpoint: reading the tls.channels observation back in the judges (members, labels, lists) */
#include "core/compat.h"

#include <json-c/json.h>

#include "checks/tls/endpoint.h"
#include "core/error.h"

struct json_object *endpoint_member(const struct json_object *o, const char *key)
{
	struct json_object *v = NULL;
	if (!o || !json_object_object_get_ex(o, key, &v))
		return NULL;
	return v;
}

struct json_object *endpoint_list(const struct json_object *observation, const char *name)
{
	struct json_object *v = endpoint_member(observation, name);
	return v && json_object_is_type(v, json_type_array) ? v : NULL;
}

const char *endpoint_text(const struct json_object *o, const char *key, const char *fallback)
{
	struct json_object *v = endpoint_member(o, key);
	return v && json_object_is_type(v, json_type_string) ? json_object_get_string(v) : fallback;
}

bool endpoint_true(const struct json_object *o, const char *key)
{
	struct json_object *v = endpoint_member(o, key);
	return v && json_object_is_type(v, json_type_boolean) && json_object_get_boolean(v);
}

bool endpoint_false(const struct json_object *o, const char *key)
{
	struct json_object *v = endpoint_member(o, key);
	return v && json_object_is_type(v, json_type_boolean) && !json_object_get_boolean(v);
}

long endpoint_number(const struct json_object *o, const char *key)
{
	struct json_object *v = endpoint_member(o, key);
	return v && json_object_is_type(v, json_type_int) ? (long)json_object_get_int64(v) : -1;
}

const char *endpoint_label(const struct json_object *endpoint, char *buf, size_t size)
{
	const char *address = endpoint_text(endpoint, "address", "?");
	snprintf(buf, size, strchr(address, ':') ? "[%s] %s/%ld" : "%s %s/%ld", address,
		 endpoint_text(endpoint, "proto", "tcp"), endpoint_number(endpoint, "port"));
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

int endpoint_observation_usable(const struct json_object *observation, bool *usable,
				const char **why, struct dl_error *err)
{
	*usable = false;
	*why = NULL;
	if (!observation || endpoint_number(observation, "version") != 1 ||
	    !endpoint_list(observation, "tls") || !endpoint_list(observation, "ssh") ||
	    !endpoint_list(observation, "plaintext"))
		return dl_error_set(err, DL_EINVAL,
				    "the observation is not a tls.channels one of version 1 "
				    "(tls, ssh and plaintext lists)");
	*why = endpoint_text(observation, "scan_error", NULL);
	*usable = *why == NULL;
	return 0;
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
