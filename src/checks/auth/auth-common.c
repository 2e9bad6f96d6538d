/* auth-common: what the auth collectors share: targets, pacing, evidence and JSON of answers */
#include "core/compat.h"

#include <json-c/json.h>
#include <sys/stat.h>
#include <time.h>

#include "adapters/login.h"
#include "checks/auth/auth-internal.h"
#include "checks/check.h"
#include "core/error.h"
#include "core/profile.h"
#include "net/sock.h"

int auth_run_init(struct auth_run *r, const struct check_context *ctx, struct dl_error *err)
{
	memset(r, 0, sizeof(*r));
	r->ctx = ctx;
	r->profile = ctx->profile;
	if (!r->profile || r->profile->address_count == 0)
		return dl_error_set(err, DL_EINVAL,
				    "auth: the profile declares no dut.addresses; add the DUT's "
				    "management address");
	r->address = r->profile->addresses[0];
	r->adapter_count = login_adapters(r->profile, r->adapters, AUTH_ADAPTERS_MAX);
	if (r->adapter_count > AUTH_ADAPTERS_MAX)
		r->adapter_count = AUTH_ADAPTERS_MAX;
	if (!ctx->evidence_dir)
		return dl_error_set(err, DL_EINVAL, "auth: no evidence folder");
	int n = snprintf(r->evidence_dir, sizeof(r->evidence_dir), "%s/auth", ctx->evidence_dir);
	if (n < 0 || (size_t)n >= sizeof(r->evidence_dir))
		return dl_error_set(err, DL_EINVAL, "auth: evidence folder path too long");
	if (mkdir(r->evidence_dir, 0755) != 0 && errno != EEXIST)
		return dl_error_set(err, DL_EIO, "auth: cannot create %s: %s", r->evidence_dir,
				    strerror(errno));
	return 0;
}

void auth_target(const struct auth_run *r, const struct profile_adapter *adapter,
		 const char *collector, struct login_target *out, char *path_buf, size_t path_size,
		 char *relative_buf, size_t relative_size)
{
	snprintf(path_buf, path_size, "%s/%s-%s.log", r->evidence_dir, collector, adapter->name);
	if (relative_buf)
		snprintf(relative_buf, relative_size, "evidence/auth/%s-%s.log", collector,
			 adapter->name);
	*out = (struct login_target){
		.profile = r->profile,
		.adapter = adapter,
		.scope = r->ctx->scope,
		.address = r->address,
		.transcript_path = path_buf,
		.deadline_ns = r->ctx->deadline_ns,
	};
}

/* Margin on every declared lockout time: the DUT's clock ticks in whole
 * seconds and the answer to the last try takes time. */
#define PACING_MARGIN_SECONDS 3

void auth_pacing_from_profile(const struct profile *p, struct auth_pacing *out)
{
	memset(out, 0, sizeof(*out));
	const struct profile_auth *a = p ? &p->auth : NULL;
	out->declared = a && a->lockout_threshold > 0;
	out->threshold = out->declared ? a->lockout_threshold : 5;
	out->period_seconds = a ? a->lockout_period_seconds : 0;
	out->reset_seconds = a ? a->lockout_reset_seconds : 0;
	/* Undeclared: a DUT may lock at 3, as many do; stay at 2 then. */
	out->tries_per_window = out->declared ? out->threshold - 1 : 2;
	if (out->tries_per_window == 0)
		out->tries_per_window = 1; /* threshold 1: one wrong try locks; see the note */
	unsigned window = out->reset_seconds    ? out->reset_seconds
			  : out->period_seconds ? out->period_seconds
						: 60;
	out->window_seconds = window + PACING_MARGIN_SECONDS;
}

struct json_object *auth_pacing_json(const struct auth_pacing *pacing)
{
	struct json_object *o = json_object_new_object();
	if (!o)
		return NULL;
	json_object_object_add(o, "declared", json_object_new_boolean(pacing->declared));
	json_object_object_add(o, "threshold", json_object_new_int((int)pacing->threshold));
	json_object_object_add(o, "tries_per_window",
			       json_object_new_int((int)pacing->tries_per_window));
	json_object_object_add(o, "window_seconds",
			       json_object_new_int((int)pacing->window_seconds));
	json_object_object_add(o, "period_seconds",
			       json_object_new_int((int)pacing->period_seconds));
	json_object_object_add(o, "reset_seconds", json_object_new_int((int)pacing->reset_seconds));
	return o;
}

const struct profile_credential *auth_test_credential(const struct profile *p, const char **why)
{
	*why = NULL;
	if (!p || !p->auth.test_credential) {
		*why = "the profile declares no auth.test_credential (the account tests may lock "
		       "and change)";
		return NULL;
	}
	if (strcmp(p->auth.test_credential, "admin") == 0) {
		*why = "auth.test_credential names the admin; dutlab never locks the admin";
		return NULL;
	}
	const struct profile_credential *c = profile_find_credential(p, p->auth.test_credential);
	if (!c || !c->username || !c->password) {
		*why = "auth.test_credential names no credentials[] entry with a username and "
		       "password";
		return NULL;
	}
	const struct profile_credential *admin = profile_find_credential(p, "admin");
	if (admin && admin->username && strcmp(admin->username, c->username) == 0) {
		*why = "auth.test_credential's account is the admin's; dutlab never locks the "
		       "admin";
		return NULL;
	}
	return c;
}

int64_t auth_time_left(const struct auth_run *r)
{
	if (r->ctx->deadline_ns <= 0)
		return INT64_MAX;
	int64_t left = r->ctx->deadline_ns - sock_now_ns();
	return left > 0 ? left : 0;
}

bool auth_sleep_until(const struct auth_run *r, int64_t until_ns)
{
	bool cut = false;
	if (r->ctx->deadline_ns > 0 && until_ns > r->ctx->deadline_ns) {
		until_ns = r->ctx->deadline_ns;
		cut = true;
	}
	/* Bounded: at most one nap per 200 ms up to until_ns. */
	for (int64_t now = sock_now_ns(); now < until_ns; now = sock_now_ns()) {
		int64_t nap = until_ns - now;
		if (nap > 200000000LL)
			nap = 200000000LL;
		struct timespec ts = {.tv_sec = 0, .tv_nsec = (long)nap};
		nanosleep(&ts, NULL);
	}
	return !cut;
}

struct json_object *auth_response_json(const struct login_response *resp)
{
	struct json_object *o = json_object_new_object();
	if (!o)
		return NULL;
	json_object_object_add(o, "outcome",
			       json_object_new_string(login_outcome_name(resp->outcome)));
	json_object_object_add(o, "status", json_object_new_int(resp->status));
	json_object_object_add(o, "fingerprint", json_object_new_string(resp->fingerprint));
	json_object_object_add(o, "excerpt", json_object_new_string(resp->excerpt));
	json_object_object_add(o, "latency_ms",
			       json_object_new_double((double)resp->latency_ns / 1e6));
	return o;
}

void auth_progress(const struct auth_run *r, uint64_t done, uint64_t total, const char *what)
{
	if (r->ctx->progress)
		r->ctx->progress(r->ctx->progress_opaque, done, total, what);
}

int auth_attempt(const struct login_target *t, const char *username, const char *password,
		 struct login_response *resp, struct login_session **session, struct dl_error *err)
{
	memset(resp, 0, sizeof(*resp));
	if (session)
		*session = NULL;
	if (t->deadline_ns > 0 && sock_now_ns() >= t->deadline_ns)
		return dl_error_set(err, DL_ETIMEDOUT, "auth: the collector's deadline passed");
	struct dl_error e = {0};
	int rc = login_attempt(t, username, password, resp, session, &e);
	if (rc == 0)
		return 0;
	if (rc == DL_ETIMEDOUT || rc == DL_EINTERRUPTED || rc == DL_ENOMEM) {
		*err = e;
		return rc;
	}
	/* Another failure (a bad option, a library error) is this attempt's
	 * result: recorded, not the end of the campaign. */
	memset(resp, 0, sizeof(*resp));
	resp->outcome = LOGIN_UNREACHABLE;
	snprintf(resp->excerpt, sizeof(resp->excerpt), "dutlab error: %.240s", e.message);
	return 0;
}
