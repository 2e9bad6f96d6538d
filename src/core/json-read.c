/* json-read: typed, NULL-safe reads of json-c object members with a fallback */
#include "core/compat.h"

#include <json-c/json.h>

#include "core/json-read.h"

struct json_object *json_read_member(const struct json_object *o, const char *key)
{
	struct json_object *v = NULL;
	/* json_object_object_get_ex is false for a non-object; NULL is checked here
	 * so the contract does not rest on that. */
	if (!o || !key || !json_object_object_get_ex(o, key, &v))
		return NULL;
	return v;
}

struct json_object *json_read_array(const struct json_object *o, const char *key)
{
	struct json_object *v = json_read_member(o, key);
	return json_object_is_type(v, json_type_array) ? v : NULL;
}

struct json_object *json_read_object(const struct json_object *o, const char *key)
{
	struct json_object *v = json_read_member(o, key);
	return json_object_is_type(v, json_type_object) ? v : NULL;
}

const char *json_read_text(const struct json_object *o, const char *key, const char *fallback)
{
	struct json_object *v = json_read_member(o, key);
	return json_object_is_type(v, json_type_string) ? json_object_get_string(v) : fallback;
}

bool json_read_true(const struct json_object *o, const char *key)
{
	struct json_object *v = json_read_member(o, key);
	return json_object_is_type(v, json_type_boolean) && json_object_get_boolean(v);
}

bool json_read_false(const struct json_object *o, const char *key)
{
	struct json_object *v = json_read_member(o, key);
	return json_object_is_type(v, json_type_boolean) && !json_object_get_boolean(v);
}

int64_t json_read_int(const struct json_object *o, const char *key, int64_t fallback)
{
	struct json_object *v = json_read_member(o, key);
	return json_object_is_type(v, json_type_int) ? json_object_get_int64(v) : fallback;
}

size_t json_read_length(const struct json_object *array)
{
	return json_object_is_type(array, json_type_array) ? json_object_array_length(array) : 0;
}
