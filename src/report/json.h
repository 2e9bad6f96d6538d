/* json: report.json, the machine-readable report (schema in docs/report.md) */
#ifndef DUTLAB_REPORT_JSON_H
#define DUTLAB_REPORT_JSON_H

#include <stdio.h>

struct dl_error;
struct json_object;
struct report_campaign;

/* The whole report as a new JSON object (caller puts it), or NULL when out
 * of memory. */
struct json_object *report_json_build(const struct report_campaign *campaign);

/* Write report_json_build() pretty-printed, UTF-8, to out. */
int report_json_write(const struct report_campaign *campaign, FILE *out, struct dl_error *err);

#endif
