/* junit: write junit.xml (JUnit XML as Jenkins, GitLab and GitHub read it) */
#include "core/compat.h"

#include "core/error.h"
#include "report/junit.h"
#include "report/markup.h"
#include "report/report.h"

static void attr(FILE *out, const char *name, const char *value)
{
	fprintf(out, " %s=\"", name);
	markup_escape(out, value ? value : "");
	fputc('"', out);
}

static void findings_text(FILE *out, const struct report_clause *k)
{
	markup_escape(out, k->summary);
	fputc('\n', out);
	for (size_t i = 0; i < k->finding_count; i++) {
		const struct report_finding *f = &k->findings[i];
		fputs("[", out);
		markup_escape(out, f->severity);
		fputs("] ", out);
		markup_escape(out, f->text);
		if (f->evidence) {
			fputs(" (evidence: ", out);
			markup_escape(out, f->evidence);
			if (f->evidence_sha256) {
				fputs(" sha256 ", out);
				markup_escape(out, f->evidence_sha256);
			}
			fputc(')', out);
		}
		fputc('\n', out);
	}
}

int report_junit_write(const struct report_campaign *c, FILE *out, struct dl_error *err)
{
	const char *standard = report_meta(c, "standard");
	if (!standard)
		standard = "unknown-standard";
	const size_t *n = c->grade.counts;
	size_t failures = n[VERDICT_FAIL];
	size_t errors = n[VERDICT_ERROR] + n[VERDICT_INCONCLUSIVE];
	size_t skipped = n[VERDICT_MANUAL] + n[VERDICT_NOT_TESTED] + n[VERDICT_NOT_APPLICABLE];

	fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites", out);
	attr(out, "name", "dutlab");
	fprintf(out, " tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" skipped=\"%zu\">\n",
		c->clause_count, failures, errors, skipped);
	fputs("  <testsuite", out);
	attr(out, "name", standard);
	fprintf(out, " tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" skipped=\"%zu\"",
		c->clause_count, failures, errors, skipped);
	const char *started = report_meta(c, "started_at");
	if (started)
		attr(out, "timestamp", started);
	fputs(">\n    <properties>\n", out);
	static const char *const meta_keys[] = {"campaign_id", "tool_version", "target_level",
						"state", "finished_at"};
	for (size_t i = 0; i < DL_ARRAY_SIZE(meta_keys); i++) {
		fputs("      <property", out);
		attr(out, "name", meta_keys[i]);
		attr(out, "value", report_meta(c, meta_keys[i]));
		fputs("/>\n", out);
	}
	char explanation[2048];
	grade_explain(&c->grade, explanation, sizeof(explanation));
	fputs("      <property", out);
	attr(out, "name", "result");
	attr(out, "value", explanation);
	fputs("/>\n    </properties>\n", out);

	for (size_t i = 0; i < c->clause_count; i++) {
		const struct report_clause *k = &c->clauses[i];
		fputs("    <testcase", out);
		attr(out, "classname", standard);
		fputs(" name=\"", out);
		markup_escape(out, k->id);
		if (k->title_en) {
			fputc(' ', out);
			markup_escape(out, k->title_en);
		}
		fputc('"', out);
		switch (k->verdict) {
		case VERDICT_PASS: fputs("/>\n", out); continue;
		case VERDICT_FAIL: fputs(">\n      <failure", out); break;
		case VERDICT_ERROR:
		case VERDICT_INCONCLUSIVE: fputs(">\n      <error", out); break;
		case VERDICT_MANUAL:
		case VERDICT_NOT_TESTED:
		case VERDICT_NOT_APPLICABLE: fputs(">\n      <skipped", out); break;
		}
		fputs(" message=\"", out);
		if (k->verdict != VERDICT_FAIL && k->verdict != VERDICT_ERROR) {
			markup_escape(out, verdict_name(k->verdict));
			fputs(": ", out);
		}
		markup_escape(out, k->summary);
		fputc('"', out);
		attr(out, "type", verdict_name(k->verdict));
		fputs(">", out);
		findings_text(out, k);
		switch (k->verdict) {
		case VERDICT_FAIL: fputs("</failure>\n", out); break;
		case VERDICT_ERROR:
		case VERDICT_INCONCLUSIVE: fputs("</error>\n", out); break;
		default: fputs("</skipped>\n", out); break;
		}
		fputs("    </testcase>\n", out);
	}
	fputs("  </testsuite>\n</testsuites>\n", out);
	if (ferror(out))
		return dl_error_set(err, DL_EIO, "cannot write junit.xml: %s", strerror(errno));
	return 0;
}
