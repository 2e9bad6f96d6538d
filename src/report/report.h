/* report: load campaign.db into one model and write report.json, report.html, junit.xml */
#ifndef DUTLAB_REPORT_REPORT_H
#define DUTLAB_REPORT_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "checks/check.h"
#include "report/grade.h"

struct dl_error;
struct json_object;

/* Version of the report.json schema (docs/report.md). Bump it on any change
 * a reader could notice; additions that old readers can ignore bump the
 * minor part, which is not in this number but in docs/report.md. */
#define REPORT_SCHEMA_VERSION 1

/* Ceilings on what one campaign.db may hold, so a damaged or hostile
 * database cannot exhaust memory. */
#define REPORT_CLAUSES_MAX 4096
#define REPORT_FINDINGS_MAX 200000
#define REPORT_EVIDENCE_MAX 100000
#define REPORT_META_MAX 256
#define REPORT_WARNINGS_MAX 1000

/* Every string below is valid UTF-8 (markup_utf8_dup) and owned by the
 * campaign; report_release() frees all of it. */

struct report_check {
	char *check;   /* check id */
	char *verdict; /* as recorded */
	char *summary;
};

struct report_finding {
	int64_t id;     /* finding.id */
	char *check_id; /* may be NULL */
	char *severity; /* info|pass|fail|warning, as recorded */
	char *text;
	char *evidence;        /* path relative to the campaign folder, or NULL */
	char *evidence_sha256; /* from the evidence table; NULL when it has no row */
};

struct report_clause {
	char *id;
	int level; /* 0 for a standard without levels */
	bool optional;
	char *title_zh, *title_en, *text_zh, *method, *how, *decision, *manual_question;
	char *plan_kind;      /* check|manual|not_tested|not_applicable */
	char *plan_reason;    /* may be NULL */
	char *planned_checks; /* JSON text of plan_item.checks */
	bool recorded;        /* a clause_result row exists */
	enum verdict verdict; /* not_tested "no result recorded" when !recorded */
	char *summary;
	char *decided_at; /* NULL when not recorded */
	struct report_check *checks;
	size_t check_count;
	struct report_finding *findings;
	size_t finding_count, finding_alloc;
};

struct report_evidence {
	char *path; /* relative to the campaign folder */
	char *sha256;
	int64_t bytes; /* -1 when not recorded */
	char *collector_id, *description;
};

struct report_meta {
	char *key, *value;
};

struct report_campaign {
	struct report_meta *meta;
	size_t meta_count;
	struct json_object *profile; /* meta profile_json; NULL when absent or unreadable */
	bool has_levels;
	int target_level;              /* 0 when not given or without levels */
	struct report_clause *clauses; /* in catalog (plan) order */
	size_t clause_count;
	struct report_evidence *evidence; /* sorted by path */
	size_t evidence_count;
	/* Things in campaign.db that do not add up (a result for an unplanned
	 * clause, a finding citing missing evidence): shown in every report. */
	char **warnings;
	size_t warning_count;
	size_t warnings_dropped;            /* past REPORT_WARNINGS_MAX; counted, not kept */
	struct grade_clause *grade_clauses; /* parallel to clauses */
	struct grade_result grade;
};

/* Read campaign_dir/campaign.db (read-only) and grade it. Fails only when
 * the database cannot be read; whatever is odd in it becomes a warning. */
int report_load(const char *campaign_dir, struct report_campaign *out, struct dl_error *err);
void report_release(struct report_campaign *campaign);

/* The meta value of key, or NULL when absent. */
const char *report_meta(const struct report_campaign *campaign, const char *key);
/* A string from profile_json: section.key ("identity", "vendor"), or the
 * top-level key when section is NULL. NULL when absent or not a scalar. */
const char *report_profile_text(const struct report_campaign *campaign, const char *section,
				const char *key);

/* Write report.json, report.html and junit.xml into campaign_dir from
 * campaign.db alone, then evidence/MANIFEST.sha256. Each file is written
 * to a temporary name and renamed, so a reader never sees half a report. */
int report_build(const char *campaign_dir, struct dl_error *err);

#endif
