/* judge: turn stored observations into clause verdicts and findings, in the caller's transaction */
#ifndef DUTLAB_CORE_JUDGE_H
#define DUTLAB_CORE_JUDGE_H

#include "checks/check.h"

struct dl_error;
struct profile;
struct store;

/* Told about each clause as its verdict is stored (for progress). */
struct judge_listener {
	void (*on_clause)(void *opaque, const char *clause_id, enum verdict verdict);
	void *opaque;
};

/* Store (or replace) one clause's verdict, summary and per-check results
 * (a JSON array as text). */
int judge_record_verdict(struct store *store, const char *clause_id, enum verdict verdict,
			 const char *summary, const char *checks_json, struct dl_error *err);

/*
 * Judge every clause planned as 'check' that has no verdict yet and whose
 * collectors have all finished: run each cited check's judge on its
 * collector's stored observation with the clause's parameters, combine
 * (fail > error > inconclusive > manual > not_tested > pass >
 * not_applicable), and store the verdict and findings. Judges are pure, so
 * a resumed campaign decides exactly as an uninterrupted one.
 */
int judge_ready_clauses(struct store *store, const struct profile *profile,
			const struct judge_listener *listener, struct dl_error *err);

#endif
