/* html: write report.html: NCC 6.1.4 cover, summary, clause table, findings, evidence */
#include "core/compat.h"

#include <json-c/json.h>

#include "core/error.h"
#include "core/json-read.h"
#include "dutlab-config.h"
#include "report/html.h"
#include "report/markup.h"
#include "report/report.h"

static const char not_given[] = "not given / 未提供";

static const char style[] =
	":root{--pass:#1a7f37;--fail:#cf222e;--inconclusive:#9a6700;--error:#8250df;"
	"--not_applicable:#57606a;--manual:#0969da;--not_tested:#6e7781}\n"
	"*{box-sizing:border-box}\n"
	"body{font:15px/1.5 system-ui,-apple-system,'Segoe UI','Noto Sans CJK TC','Noto Sans TC',"
	"'Microsoft JhengHei',sans-serif;color:#1f2328;margin:0 auto;max-width:1100px;"
	"padding:0 24px 48px;-webkit-print-color-adjust:exact;print-color-adjust:exact}\n"
	"header.running{position:sticky;top:0;background:#fff;border-bottom:1px solid #d0d7de;"
	"padding:6px 0;font-size:13px;color:#57606a;display:flex;justify-content:space-between;"
	"z-index:1}\n"
	"h1{font-size:26px;margin:28px 0 4px}h2{font-size:20px;border-bottom:2px solid #d0d7de;"
	"padding-bottom:4px;margin-top:36px}h3{font-size:16px;margin:0}\n"
	".subtitle{color:#57606a;margin:0 0 16px}\n"
	"table{border-collapse:collapse;width:100%;margin:8px 0}\n"
	"th,td{border:1px solid #d0d7de;padding:5px 8px;text-align:left;vertical-align:top}\n"
	"th{background:#f6f8fa;font-weight:600}\n"
	"table.cover th{width:30%}\n"
	".missing{color:#9a6700;font-style:italic}\n"
	".v{display:inline-block;padding:1px 8px;border-radius:10px;color:#fff;font-size:12px;"
	"font-weight:600;white-space:nowrap}\n"
	".v-pass{background:var(--pass)}.v-fail{background:var(--fail)}"
	".v-inconclusive{background:var(--inconclusive)}.v-error{background:var(--error)}"
	".v-not_applicable{background:var(--not_applicable)}.v-manual{background:var(--manual)}"
	".v-not_tested{background:var(--not_tested)}\n"
	".result{border:2px solid #d0d7de;border-radius:8px;padding:12px 16px;margin:12px 0}\n"
	".result.pass{border-color:var(--pass)}.result.fail{border-color:var(--fail)}"
	".result.open{border-color:var(--inconclusive)}\n"
	".big{font-size:22px;font-weight:700}\n"
	".clause{border:1px solid #d0d7de;border-radius:8px;padding:10px 14px;margin:12px 0;"
	"break-inside:avoid-page}\n"
	".clause .head{display:flex;gap:10px;align-items:baseline;flex-wrap:wrap}\n"
	".meta{color:#57606a;font-size:13px}\n"
	".sev{font-weight:600;text-transform:uppercase;font-size:12px}\n"
	".sev-fail{color:var(--fail)}.sev-pass{color:var(--pass)}.sev-warning{color:#9a6700}"
	".sev-info{color:#57606a}\n"
	"code,.hash{font-family:ui-monospace,'DejaVu Sans Mono',monospace;font-size:12px;"
	"word-break:break-all}\n"
	"details{margin-top:6px}summary{cursor:pointer;color:#0969da}\n"
	".zh{white-space:pre-wrap;background:#f6f8fa;padding:8px;border-radius:6px}\n"
	".warn{background:#fff8c5;border:1px solid #d4a72c;border-radius:6px;padding:8px 12px}\n"
	".sign{height:48px}\n"
	"a{color:#0969da}\n"
	"@media print{header.running{display:none}body{max-width:none;padding:0}"
	"details::details-content{content-visibility:visible;display:block}"
	"details>summary{color:inherit}h2{break-after:avoid}a{color:inherit}}\n"
	"td.id{white-space:nowrap}td.title{width:30%}td.sum{width:44%}\n";

static void h(FILE *out, const char *text)
{
	markup_escape(out, text);
}

static bool given(const char *text)
{
	return text && text[strspn(text, " \t\r\n")] != '\0';
}

static void value_or_missing(FILE *out, const char *text)
{
	if (given(text))
		h(out, text);
	else
		fprintf(out, "<span class=\"missing\">%s</span>", not_given);
}

static void verdict_badge(FILE *out, enum verdict v)
{
	fprintf(out, "<span class=\"v v-%s\">%s</span>", verdict_name(v), verdict_name(v));
}

/* A CSS string literal: ASCII other than letters, digits and space as hex
 * escapes, so nothing in it can end the string or the style element. */
static void css_string(FILE *out, const char *text)
{
	fputc('"', out);
	for (const unsigned char *p = (const unsigned char *)(text ? text : ""); *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == ' ' || *p >= 0x80)
			fputc(*p, out);
		else
			fprintf(out, "\\%x ", *p);
	}
	fputc('"', out);
}

static const char *report_field(const struct report_campaign *c, const char *key)
{
	return report_profile_text(c, "report", key);
}

/* The report id: the profile's report.report_id, else the campaign id. */
static void report_id(const struct report_campaign *c, char *buf, size_t size)
{
	const char *id = report_field(c, "report_id");
	const char *campaign = report_meta(c, "campaign_id");
	if (given(id))
		snprintf(buf, size, "%s", id);
	else
		snprintf(buf, size, "%s", campaign ? campaign : "unidentified");
}

static void row(FILE *out, const char *label, const char *value)
{
	fprintf(out, "<tr><th>%s</th><td>", label);
	value_or_missing(out, value);
	fputs("</td></tr>\n", out);
}

static void row_pair(FILE *out, const char *label, const char *value, const char *second_label,
		     const char *second)
{
	fprintf(out, "<tr><th>%s</th><td>", label);
	value_or_missing(out, value);
	fprintf(out, "<br><span class=\"meta\">%s:</span> ", second_label);
	value_or_missing(out, second);
	fputs("</td></tr>\n", out);
}

/* Report fields the cover shows by name; the rest are listed after it. */
static const char *const cover_keys[] = {
	"report_id",
	"applicant",
	"applicant_address",
	"laboratory",
	"laboratory_address",
	"manufacturer",
	"manufacturer_address",
	"device_name",
	"brand",
	"photos",
	"test_equipment",
	"nvd_version",
	"received_date",
	"tester",
	"tester_title",
	"signer",
	"signer_title",
};

static void cover(FILE *out, const struct report_campaign *c, const char *id)
{
	const char *vendor = report_profile_text(c, "identity", "vendor");
	const char *brand = report_field(c, "brand");
	const char *manufacturer = report_field(c, "manufacturer");
	fputs("<section id=\"cover\">\n<h1>Security test report · 資安檢測報告</h1>\n"
	      "<p class=\"subtitle\">",
	      out);
	value_or_missing(out, report_meta(c, "standard_title_zh"));
	fputs("<br>", out);
	h(out, report_meta(c, "standard_title_en"));
	fputs("</p>\n<table class=\"cover\">\n", out);
	fputs("<tr><th>(3) Report ID · 報告識別</th><td><strong>", out);
	h(out, id);
	fputs("</strong>", out);
	if (!given(report_field(c, "report_id")))
		fputs(" <span class=\"missing\">(the campaign id: the profile gives no "
		      "report.report_id)</span>",
		      out);
	fputs("</td></tr>\n", out);
	row_pair(out, "(1) Applicant · 申請者", report_field(c, "applicant"), "address 地址",
		 report_field(c, "applicant_address"));
	row_pair(out, "(2) Laboratory · 測試機構", report_field(c, "laboratory"), "address 地址",
		 report_field(c, "laboratory_address"));
	row_pair(out, "(4) Manufacturer · 設備製造商", given(manufacturer) ? manufacturer : vendor,
		 "address 地址", report_field(c, "manufacturer_address"));
	row(out, "(5) Device name · 設備名稱", report_field(c, "device_name"));
	row(out, "(5) Brand · 廠牌", given(brand) ? brand : vendor);
	row(out, "(5) Model · 型號", report_profile_text(c, "identity", "model"));
	row(out, "(5) Firmware · 軟韌體版本", report_profile_text(c, "identity", "firmware"));
	row(out, "(5) Serial · 序號", report_profile_text(c, "identity", "serial"));
	row(out, "(5) Product type · 產品類型", report_profile_text(c, "identity", "product_type"));
	row(out, "(5) Photos (six views) · 照片", report_field(c, "photos"));

	fputs("<tr><th>(6) Test items and criteria · 測試項目及合格標準</th><td>", out);
	value_or_missing(out, report_meta(c, "standard"));
	const char *version = report_meta(c, "standard_version");
	if (given(version)) {
		fputs(" (", out);
		h(out, version);
		fputs(")", out);
	}
	fprintf(out, ", %zu clauses. ", c->clause_count);
	if (c->has_levels)
		fprintf(out,
			"Target level %d. A level N is reached when every mandatory clause of "
			"levels 1..N passed (or does not apply, citing the profile); optional (O) "
			"clauses never block a level.",
			c->grade.target_level);
	else
		fputs("No levels: the device passes when every applicable clause passed.", out);
	fputs("</td></tr>\n", out);
	fputs("<tr><th>(7) Test records and verdicts · 測試紀錄及判定結果</th><td>"
	      "<a href=\"#clauses\">Clauses</a> and <a href=\"#findings\">findings</a> below; "
	      "report.json; the evidence/ folder, sealed by evidence/MANIFEST.sha256.</td></tr>\n",
	      out);
	fputs("<tr><th>(8) Test equipment · 測試設備</th><td>dutlab ", out);
	value_or_missing(out, report_meta(c, "tool_version"));
	fputs(" (report written by dutlab " DUTLAB_VERSION ")<br><span class=\"meta\">other "
	      "equipment:</span> ",
	      out);
	value_or_missing(out, report_field(c, "test_equipment"));
	fputs("<br><span class=\"meta\">NVD version:</span> ", out);
	value_or_missing(out, report_field(c, "nvd_version"));
	fputs("</td></tr>\n", out);
	fputs("<tr><th>(9) Dates · 測試受理及完成日期</th><td><span class=\"meta\">received "
	      "受理:</span> ",
	      out);
	value_or_missing(out, report_field(c, "received_date"));
	fputs("<br><span class=\"meta\">tests started:</span> ", out);
	value_or_missing(out, report_meta(c, "started_at"));
	fputs("<br><span class=\"meta\">tests finished 完成:</span> ", out);
	value_or_missing(out, report_meta(c, "finished_at"));
	fputs(" <span class=\"meta\">(campaign ", out);
	h(out, report_meta(c, "state"));
	fputs(")</span></td></tr>\n", out);
	static const char *const people[][3] = {
		{"(10) Tester · 執行測試人員", "tester", "tester_title"},
		{"(10) Signer · 報告簽署人", "signer", "signer_title"},
	};
	for (size_t i = 0; i < DL_ARRAY_SIZE(people); i++) {
		fprintf(out, "<tr><th>%s</th><td>", people[i][0]);
		value_or_missing(out, report_field(c, people[i][1]));
		fputs("<br><span class=\"meta\">title 職稱:</span> ", out);
		value_or_missing(out, report_field(c, people[i][2]));
		fputs("<br><span class=\"meta\">signature 簽名:</span><div class=\"sign\"></div>"
		      "<span class=\"meta\">date 日期:</span></td></tr>\n",
		      out);
	}
	/* report: fields the cover has no row for are still shown */
	struct json_object *fields = json_read_object(c->profile, "report");
	if (fields) {
		json_object_object_foreach(fields, key, value)
		{
			bool known = false;
			for (size_t i = 0; i < DL_ARRAY_SIZE(cover_keys); i++)
				known = known || strcmp(key, cover_keys[i]) == 0;
			if (known)
				continue;
			fputs("<tr><th>", out);
			h(out, key);
			fputs("</th><td>", out);
			value_or_missing(out, value ? json_object_get_string(value) : NULL);
			fputs("</td></tr>\n", out);
		}
	}
	fputs("</table>\n</section>\n", out);
}

static void clause_link(FILE *out, const struct report_clause *k)
{
	fputs("<a href=\"#c-", out);
	markup_url_path(out, k->id);
	fputs("\">", out);
	h(out, k->id);
	fputs("</a>", out);
}

static void blocker_table(FILE *out, const struct report_campaign *c, const char *title,
			  const struct grade_list *list)
{
	fprintf(out, "<h3>%s</h3>\n", title);
	if (!list->count) {
		fputs("<p>None.</p>\n", out);
		return;
	}
	fputs("<table><tr><th>Verdict</th><th>Clauses</th></tr>\n", out);
	for (size_t v = 0; v < VERDICT_COUNT; v++) {
		if (!list->by_verdict[v])
			continue;
		fputs("<tr><td>", out);
		verdict_badge(out, (enum verdict)v);
		fprintf(out, " %zu</td><td>", list->by_verdict[v]);
		bool first = true;
		for (size_t i = 0; i < list->count; i++) {
			const struct report_clause *k = &c->clauses[list->index[i]];
			if ((size_t)k->verdict != v)
				continue;
			fputs(first ? "" : ", ", out);
			clause_link(out, k);
			if (k->title_en) {
				fputs(" <span class=\"meta\">", out);
				h(out, k->title_en);
				fputs("</span>", out);
			}
			first = false;
		}
		fputs("</td></tr>\n", out);
	}
	fputs("</table>\n", out);
}

static void summary(FILE *out, const struct report_campaign *c)
{
	const struct grade_result *g = &c->grade;
	char explanation[2048];
	grade_explain(g, explanation, sizeof(explanation));
	fputs("<section id=\"summary\">\n<h2>Summary · 摘要</h2>\n", out);
	fprintf(out, "<div class=\"result %s\">", grade_outcome_name(g->outcome));
	if (c->has_levels) {
		if (g->level_reached)
			fprintf(out, "<div class=\"big\">Level reached · 達成等級: %d</div>",
				g->level_reached);
		else
			fputs("<div class=\"big\">No level reached · 未達任何等級</div>", out);
		fprintf(out, "<div>Target level · 目標等級: %d — %s</div>", g->target_level,
			g->outcome == GRADE_PASS ? "met" : "not met");
	} else {
		fprintf(out, "<div class=\"big\">Result · 判定: %s</div>",
			g->outcome == GRADE_PASS   ? "pass"
			: g->outcome == GRADE_FAIL ? "fail"
						   : "not decided (clauses are pending)");
	}
	fputs("<p>", out);
	h(out, explanation);
	fputs("</p></div>\n", out);

	fputs("<table><tr>", out);
	for (size_t v = 0; v < VERDICT_COUNT; v++) {
		fputs("<th>", out);
		verdict_badge(out, (enum verdict)v);
		fputs("</th>", out);
	}
	fputs("<th>total</th></tr>\n<tr>", out);
	for (size_t v = 0; v < VERDICT_COUNT; v++)
		fprintf(out, "<td>%zu</td>", g->counts[v]);
	fprintf(out, "<td>%zu (%zu mandatory, %zu optional)</td></tr></table>\n", c->clause_count,
		g->mandatory_count, g->optional_count);

	char title[160];
	if (c->has_levels) {
		if (g->next_level) {
			snprintf(title, sizeof(title),
				 "What stands in the way of level %d · 阻礙等級 %d 的條款",
				 g->next_level, g->next_level);
			blocker_table(out, c, title, &g->next_blockers);
		}
		if (g->target_level > g->next_level && g->target_blockers.count) {
			snprintf(title, sizeof(title),
				 "What stands in the way of the target level %d · "
				 "阻礙目標等級的條款",
				 g->target_level);
			blocker_table(out, c, title, &g->target_blockers);
		}
	} else {
		blocker_table(out, c, "What stands in the way of a pass · 未通過的條款",
			      &g->next_blockers);
	}
	if (g->optional_open.count)
		blocker_table(out, c, "Optional clauses not met (never block) · 未符合的選擇性條款",
			      &g->optional_open);
	if (g->counts[VERDICT_MANUAL])
		fputs("<p>Clauses marked <span class=\"v v-manual\">manual</span> need a person "
		      "to decide them; until then no level that includes them can be "
		      "reached.</p>\n",
		      out);
	if (c->warning_count) {
		fputs("<div class=\"warn\"><strong>Warnings about the campaign data</strong><ul>",
		      out);
		for (size_t i = 0; i < c->warning_count; i++) {
			fputs("<li>", out);
			h(out, c->warnings[i]);
			fputs("</li>", out);
		}
		if (c->warnings_dropped)
			fprintf(out, "<li>%zu more not listed</li>", c->warnings_dropped);
		fputs("</ul></div>\n", out);
	}
	fputs("</section>\n", out);
}

static void clause_table(FILE *out, const struct report_campaign *c)
{
	fputs("<section id=\"clauses\">\n<h2>Clauses · 條款</h2>\n<table>\n<tr><th>Clause</th>",
	      out);
	if (c->has_levels)
		fputs("<th>Level</th>", out);
	fputs("<th>M/O</th><th>Title · 標題</th><th>Verdict</th><th>Summary</th></tr>\n", out);
	for (size_t i = 0; i < c->clause_count; i++) {
		const struct report_clause *k = &c->clauses[i];
		fputs("<tr><td class=\"id\">", out);
		clause_link(out, k);
		fputs("</td>", out);
		if (c->has_levels)
			fprintf(out, "<td>%d</td>", k->level);
		fprintf(out, "<td>%s</td><td class=\"title\">", k->optional ? "O" : "M");
		h(out, k->title_zh);
		fputs("<br><span class=\"meta\">", out);
		h(out, k->title_en);
		fputs("</span></td><td>", out);
		verdict_badge(out, k->verdict);
		fputs("</td><td class=\"sum\">", out);
		h(out, k->summary);
		fputs("</td></tr>\n", out);
	}
	fputs("</table>\n</section>\n", out);
}

static void evidence_link(FILE *out, const char *path)
{
	if (markup_path_is_safe(path)) {
		fputs("<a href=\"", out);
		markup_url_path(out, path);
		fputs("\"><code>", out);
		h(out, path);
		fputs("</code></a>", out);
	} else {
		fputs("<code>", out);
		h(out, path);
		fputs("</code> <span class=\"missing\">(not a path inside the campaign folder; "
		      "not linked)</span>",
		      out);
	}
}

static void clause_detail(FILE *out, const struct report_campaign *c, const struct report_clause *k)
{
	fputs("<div class=\"clause\" id=\"c-", out);
	h(out, k->id);
	fputs("\">\n<div class=\"head\"><h3>", out);
	h(out, k->id);
	fputs(" ", out);
	h(out, k->title_zh);
	fputs("</h3>", out);
	verdict_badge(out, k->verdict);
	fputs("</div>\n<div class=\"meta\">", out);
	h(out, k->title_en);
	if (c->has_levels)
		fprintf(out, " · level %d", k->level);
	fprintf(out, " · %s · method: ", k->optional ? "optional (O)" : "mandatory");
	h(out, k->method ? k->method : "?");
	fputs(" · planned as: ", out);
	h(out, k->plan_kind ? k->plan_kind : "?");
	if (k->decided_at) {
		fputs(" · decided ", out);
		h(out, k->decided_at);
	}
	fputs("</div>\n<p>", out);
	h(out, k->summary);
	fputs("</p>\n", out);
	if (k->verdict == VERDICT_MANUAL && given(k->manual_question) &&
	    !(k->summary && strstr(k->summary, k->manual_question))) {
		fputs("<p><strong>For a person to decide:</strong> ", out);
		h(out, k->manual_question);
		fputs("</p>\n", out);
	}
	if (given(k->how)) {
		fputs("<p class=\"meta\"><strong>How it is tested:</strong> ", out);
		h(out, k->how);
		fputs("</p>\n", out);
	}
	if (k->check_count) {
		fputs("<table><tr><th>Check</th><th>Verdict</th><th>Summary</th></tr>\n", out);
		for (size_t i = 0; i < k->check_count; i++) {
			fputs("<tr><td><code>", out);
			h(out, k->checks[i].check);
			fputs("</code></td><td>", out);
			h(out, k->checks[i].verdict);
			fputs("</td><td>", out);
			h(out, k->checks[i].summary);
			fputs("</td></tr>\n", out);
		}
		fputs("</table>\n", out);
	}
	if (k->finding_count) {
		fputs("<table><tr><th>Severity</th><th>Finding</th><th>Evidence</th></tr>\n", out);
		for (size_t i = 0; i < k->finding_count; i++) {
			const struct report_finding *f = &k->findings[i];
			fputs("<tr><td class=\"sev sev-", out);
			h(out, f->severity);
			fputs("\">", out);
			h(out, f->severity);
			fputs("</td><td>", out);
			h(out, f->text);
			if (f->check_id) {
				fputs("<br><span class=\"meta\">check <code>", out);
				h(out, f->check_id);
				fputs("</code></span>", out);
			}
			fputs("</td><td>", out);
			if (f->evidence) {
				evidence_link(out, f->evidence);
				fputs("<br><span class=\"hash\">sha256 ", out);
				value_or_missing(out, f->evidence_sha256);
				fputs("</span>", out);
			} else {
				fputs("—", out);
			}
			fputs("</td></tr>\n", out);
		}
		fputs("</table>\n", out);
	}
	fputs("<details><summary>Clause text (zh-TW, verbatim) · 條文原文</summary>"
	      "<div class=\"zh\" lang=\"zh-Hant\">",
	      out);
	value_or_missing(out, k->text_zh);
	fputs("</div></details>\n</div>\n", out);
}

static void evidence_table(FILE *out, const struct report_campaign *c)
{
	fputs("<section id=\"evidence\">\n<h2>Evidence · 佐證資料</h2>\n", out);
	fputs("<p>Every file under evidence/ and the three reports are sealed by "
	      "<code>evidence/MANIFEST.sha256</code>. To check this folder: <code>dutlab verify "
	      ".</code> or <code>sha256sum -c evidence/MANIFEST.sha256</code> in it.</p>\n",
	      out);
	if (!c->evidence_count) {
		fputs("<p>No evidence files were recorded.</p>\n</section>\n", out);
		return;
	}
	fputs("<table><tr><th>File</th><th>SHA-256</th><th>Bytes</th><th>Collector</th>"
	      "<th>Description</th></tr>\n",
	      out);
	for (size_t i = 0; i < c->evidence_count; i++) {
		const struct report_evidence *e = &c->evidence[i];
		fputs("<tr><td>", out);
		evidence_link(out, e->path);
		fputs("</td><td class=\"hash\">", out);
		value_or_missing(out, e->sha256);
		fputs("</td><td>", out);
		if (e->bytes >= 0)
			fprintf(out, "%" PRId64, e->bytes);
		fputs("</td><td><code>", out);
		h(out, e->collector_id);
		fputs("</code></td><td>", out);
		h(out, e->description);
		fputs("</td></tr>\n", out);
	}
	fputs("</table>\n</section>\n", out);
}

/* The catalog's recorded decisions about the standard as a whole (defects
 * in its tables, annex references): a signer must see what was assumed. */
static void interpretations(FILE *out, const struct report_campaign *c)
{
	const char *text = report_meta(c, "standard_notes");
	struct json_object *notes = text ? json_tokener_parse(text) : NULL;
	if (!notes || !json_object_is_type(notes, json_type_array) ||
	    json_object_array_length(notes) == 0) {
		json_object_put(notes);
		return;
	}
	fputs("<section id=\"interpretations\">\n<h2>Interpretations of the standard · "
	      "標準之判定說明</h2>\n<ul>\n",
	      out);
	for (size_t i = 0; i < json_object_array_length(notes); i++) {
		struct json_object *note = json_object_array_get_idx(notes, i);
		if (!json_object_is_type(note, json_type_string))
			continue;
		fputs("<li>", out);
		h(out, json_object_get_string(note));
		fputs("</li>\n", out);
	}
	fputs("</ul>\n</section>\n", out);
	json_object_put(notes);
}

int report_html_write(const struct report_campaign *c, FILE *out, struct dl_error *err)
{
	char id[512];
	report_id(c, id, sizeof(id));
	const char *vendor = report_profile_text(c, "identity", "vendor");
	const char *model = report_profile_text(c, "identity", "model");

	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	      "<title>",
	      out);
	h(out, id);
	fputs(" — ", out);
	h(out, vendor ? vendor : "");
	fputs(" ", out);
	h(out, model ? model : "");
	fputs(" — dutlab report</title>\n<style>\n", out);
	fputs(style, out);
	/* NCC 6.1.4 (3): the report id on every printed page */
	fputs("@page{size:A4;margin:22mm 14mm 18mm;@top-left{content:", out);
	css_string(out, id);
	fputs(";font-size:9pt;color:#57606a}@top-right{content:", out);
	char device[512];
	snprintf(device, sizeof(device), "%s %s", vendor ? vendor : "", model ? model : "");
	css_string(out, device);
	fputs(";font-size:9pt;color:#57606a}@bottom-right{content:counter(page) \" / \" "
	      "counter(pages);font-size:9pt;color:#57606a}}\n</style>\n</head>\n<body>\n",
	      out);
	fputs("<header class=\"running\"><span>Report ", out);
	h(out, id);
	fputs("</span><span>", out);
	h(out, device);
	fputs("</span></header>\n", out);

	cover(out, c, id);
	summary(out, c);
	interpretations(out, c);
	clause_table(out, c);
	fputs("<section id=\"findings\">\n<h2>Findings by clause · 各條款檢測結果</h2>\n", out);
	for (size_t i = 0; i < c->clause_count; i++)
		clause_detail(out, c, &c->clauses[i]);
	fputs("</section>\n", out);
	evidence_table(out, c);
	fputs("<footer class=\"meta\"><p>Written by dutlab " DUTLAB_VERSION
	      " from campaign.db alone; <code>dutlab report</code> rebuilds it.</p></footer>\n"
	      "</body>\n</html>\n",
	      out);
	if (ferror(out))
		return dl_error_set(err, DL_EIO, "cannot write report.html: %s", strerror(errno));
	return 0;
}
