/* endpoint: reading the tls.channels observation back in the judges (members, labels, lists) */
#ifndef DUTLAB_CHECKS_TLS_ENDPOINT_H
#define DUTLAB_CHECKS_TLS_ENDPOINT_H

#include <stdbool.h>
#include <stddef.h>

struct dl_error;
struct json_object;

/* The observation's arrays: "tls", "ssh" or "plaintext"; NULL when the
 * observation has no such array. */
struct json_object *endpoint_list(const struct json_object *observation, const char *name);

/* Members; fallback / false / -1 when absent or of another type. */
const char *endpoint_text(const struct json_object *o, const char *key, const char *fallback);
bool endpoint_true(const struct json_object *o, const char *key);
bool endpoint_false(const struct json_object *o, const char *key); /* present and false */
long endpoint_number(const struct json_object *o, const char *key);
struct json_object *endpoint_member(const struct json_object *o, const char *key);

/* "198.18.1.2 tcp/443", "[fd00:198:0:1::2] tcp/22" into buf. */
const char *endpoint_label(const struct json_object *endpoint, char *buf, size_t size);

/* The TLS version rank of "SSLv2".."TLSv1.3": 0..5, or -1 for another name. */
int endpoint_version_rank(const char *name);
const char *endpoint_version_name(int rank); /* "TLSv1.2"; "?" out of range */

/* The observation's own verdict on whether there is anything to judge:
 * 0 with *usable set, or DL_EINVAL when it is not a tls.channels one. A
 * scan that failed leaves *why set and *usable false. */
int endpoint_observation_usable(const struct json_object *observation, bool *usable,
				const char **why, struct dl_error *err);

/* A bounded ", "-joined list for findings; "..." marks a cut. */
struct endpoint_names {
	char text[768];
	size_t count;
};
void endpoint_names_add(struct endpoint_names *names, const char *name);

#endif
