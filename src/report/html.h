/* html: report.html, one self-contained page for a lab engineer and a vendor */
#ifndef DUTLAB_REPORT_HTML_H
#define DUTLAB_REPORT_HTML_H

#include <stdio.h>

struct dl_error;
struct report_campaign;

/*
 * One UTF-8 file with inline CSS and no external assets or scripts: the
 * NCC 6.1.4 cover (fields from the profile's report: section, "not given"
 * where missing; the report id repeats at the top of every printed page),
 * the summary (level reached, target, what stands in the way, counts), the
 * per-clause table, then per clause its findings with links into evidence/
 * and the verbatim zh-TW text. Every string from campaign.db is escaped.
 */
int report_html_write(const struct report_campaign *campaign, FILE *out, struct dl_error *err);

#endif
