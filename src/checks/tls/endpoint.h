/* endpoint: reading the tls.channels observation back in the judges (labels, versions, names) */
#ifndef DUTLAB_CHECKS_TLS_ENDPOINT_H
#define DUTLAB_CHECKS_TLS_ENDPOINT_H

#include <stdbool.h>
#include <stddef.h>

struct check_verdict;
struct dl_error;
struct json_object;

/* The generic member readers (text, booleans, numbers, lists) are core/json-read.h. */

/* "198.18.1.2 tcp/443", "[fd00:198:0:1::2] tcp/22" into buf. */
const char *endpoint_label(const struct json_object *endpoint, char *buf, size_t size);

/* The TLS version rank of "SSLv2".."TLSv1.3": 0..5, or -1 for another name. */
int endpoint_version_rank(const char *name);
const char *endpoint_version_name(int rank); /* "TLSv1.2"; "?" out of range */

/* Every judge's start: 0 with *decided false when there are services to judge;
 * 0 (or check_verdict_set's error) with *decided true and out set inconclusive
 * with the scan's error when the scan failed; DL_EINVAL (err filled) when the
 * observation is not a tls.channels one of version 1. */
int endpoint_judge_begin(const struct json_object *observation, struct check_verdict *out,
			 bool *decided, struct dl_error *err);

/* A bounded ", "-joined list for findings; "..." marks a cut. */
struct endpoint_names {
	char text[768];
	size_t count;
};
void endpoint_names_add(struct endpoint_names *names, const char *name);

#endif
