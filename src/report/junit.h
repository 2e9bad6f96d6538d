/* junit: junit.xml, each clause a test case, for CI systems */
#ifndef DUTLAB_REPORT_JUNIT_H
#define DUTLAB_REPORT_JUNIT_H

#include <stdio.h>

struct dl_error;
struct report_campaign;

/*
 * One <testsuite> per standard (a campaign tests one), one <testcase> per
 * clause: classname the standard id, name "<clause id> <English title>".
 *   pass                                  no child
 *   fail                                  <failure message=summary> with the findings
 *   error, inconclusive                   <error message=summary> ("inconclusive: ...")
 *   manual, not_tested, not_applicable    <skipped message="<verdict>: summary">
 */
int report_junit_write(const struct report_campaign *campaign, FILE *out, struct dl_error *err);

#endif
