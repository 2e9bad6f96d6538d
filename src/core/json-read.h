/* json-read: typed, NULL-safe reads of json-c object members with a fallback */
#ifndef DUTLAB_CORE_JSON_READ_H
#define DUTLAB_CORE_JSON_READ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct json_object;

/*
 * Observations are JSON a collector wrote and a judge, a report or the CLI reads
 * back, possibly from an older dutlab. Every reader here takes a NULL or
 * non-object o and a missing or mistyped member in its stride, so a caller can
 * chain them (json_read_array(json_read_member(e, "certificates"), "chain"))
 * and test once. Returned objects and strings belong to o: they live as long as
 * o does, and the caller must not put them.
 */

/* The member key of o; NULL when o is NULL, not an object, has no such member
 * or the member is JSON null. */
struct json_object *json_read_member(const struct json_object *o, const char *key);

/* The member if it is an array / an object, else NULL. */
struct json_object *json_read_array(const struct json_object *o, const char *key);
struct json_object *json_read_object(const struct json_object *o, const char *key);

/* The member's string if it is a string, else fallback (which may be NULL). */
const char *json_read_text(const struct json_object *o, const char *key, const char *fallback);

/* The member is present, a boolean, and true / false. Both are false when it
 * is absent or of another type, so !json_read_true is not json_read_false. */
bool json_read_true(const struct json_object *o, const char *key);
bool json_read_false(const struct json_object *o, const char *key);

/* The member's value if it is an integer, else fallback. */
int64_t json_read_int(const struct json_object *o, const char *key, int64_t fallback);

/* The number of elements of array; 0 when it is NULL or not an array. */
size_t json_read_length(const struct json_object *array);

#endif
