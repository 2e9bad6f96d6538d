/* idle-collect: the session.idle collector: one session per login interface, left idle past the
 * timeout, then used again (NCC 5.3.1.1, TS-0014-1 5.4.3.2) */
#include "core/compat.h"

#include <json-c/json.h>

#include "adapters/exec.h"
#include "adapters/login.h"
#include "checks/check.h"
#include "checks/session/session.h"
#include "checks/session/tokens.h"
#include "core/error.h"
#include "core/profile.h"
#include "net/sock.h"

/*
 * Every interface whose session dutlab can probe (LOGIN_CAN_PROBE: a
 * whoami_url, the open SSH or telnet shell) is logged in and probed once
 * (must be accepted); then all of them wait together, each until its own
 * first probe plus auth.idle_timeout plus a margin, so the wait is paid
 * once; then each is probed again: refused or unreachable means the DUT
 * ended the session. When the profile declares an exec operation
 * set_idle_timeout (its command sets the DUT's timeout to auth.idle_timeout),
 * it runs first: TS-0014-1 5.4.3.2 wants the limit settable.
 */

#define SET_OPERATION "set_idle_timeout"

struct idle_slot {
	struct json_object *entry;
	struct login_session *session;
	struct login_target target;
	char transcript[SESSION_PATH_MAX + 64];
	int64_t first_at, due;
	char token[TOKENS_MAX_LENGTH + 1]; /* the session's identifier, or empty */
};

/* Use the session again: by its token alone on a new connection where it has
 * one (as a browser's next request does; a probe on the login's own HTTP
 * handle could send the Basic credentials again and log in anew), else on
 * the open session (the shell). */
static int probe(struct idle_slot *s, struct login_response *out, struct dl_error *err)
{
	if (s->token[0])
		return login_token_probe(&s->target, s->token, out, err);
	return login_session_probe(s->session, out, err);
}

static struct json_object *run_set_operation(const struct session_run *r, struct dl_error *err)
{
	const struct profile *p = r->ctx->profile;
	struct json_object *o = json_object_new_object();
	if (!o)
		return NULL;
	if (!profile_find_operation(p, SET_OPERATION)) {
		json_object_object_add(o, "declared", json_object_new_boolean(false));
		return o;
	}
	const struct profile_credential *admin = profile_find_credential(p, "admin");
	struct adapter_exec_vars vars = {
		.address = r->address,
		.username = admin ? admin->username : r->credential->username,
		.password = admin ? admin->password : r->credential->password,
		.campaign = r->ctx->campaign_dir,
	};
	char path[SESSION_PATH_MAX + 64];
	snprintf(path, sizeof(path), "%s/set-idle-timeout.log", r->evidence_dir);
	struct adapter_exec_result result;
	json_object_object_add(o, "declared", json_object_new_boolean(true));
	if (adapter_exec_run(p, SET_OPERATION, &vars, path, r->ctx->deadline_ns, &result, err) !=
	    0) {
		json_object_object_add(o, "exit_status", json_object_new_int(-1));
		json_object_object_add(o, "output_tail", json_object_new_string(err->message));
		return o;
	}
	json_object_object_add(o, "exit_status", json_object_new_int(result.exit_status));
	json_object_object_add(o, "timed_out", json_object_new_boolean(result.timed_out));
	json_object_object_add(o, "output_tail", json_object_new_string(result.output_tail));
	json_object_object_add(o, "transcript",
			       json_object_new_string("evidence/session/set-idle-timeout.log"));
	return o;
}

/* Drivers that send the credentials with every request keep no session:
 * their probe logs in again, and an accepted probe after the wait would say
 * nothing about an idle timeout. */
static const char *no_session(const struct profile_adapter *a, bool *stateless)
{
	const char *d = a->driver ? a->driver : "";
	*stateless = true;
	if (strcmp(d, "rtsp") == 0 || strcmp(d, "onvif") == 0)
		return "the protocol sends the credentials with every request: there is no "
		       "session to time out";
	if ((strcmp(d, "http-basic") == 0 || strcmp(d, "http-digest") == 0) &&
	    !(login_capabilities(a) & LOGIN_HAS_TOKEN))
		return "every request carries the Authorization header and the profile names no "
		       "session cookie (session_cookie, whoami_url): there is no session to time "
		       "out";
	*stateless = false;
	if (!(login_capabilities(a) & LOGIN_CAN_PROBE))
		return "the driver keeps no session dutlab can probe (no whoami_url is given)";
	return NULL;
}

static void skip(struct json_object *entry, const char *why)
{
	json_object_object_add(entry, "skipped", json_object_new_string(why));
}

static int collect_idle(const struct check_context *ctx, struct json_object **observation,
			struct dl_error *err)
{
	*observation = NULL;
	struct session_run r;
	int rc = session_run_init(&r, ctx, err);
	if (rc)
		return rc;
	const struct profile *p = ctx->profile;
	unsigned idle = p->auth.idle_timeout_seconds;
	struct json_object *o = json_object_new_object();
	struct json_object *list = json_object_new_array();
	struct idle_slot *slots = calloc(SESSION_ADAPTERS_MAX, sizeof(*slots));
	if (!o || !list || !slots) {
		json_object_put(o);
		json_object_put(list);
		free(slots);
		return dl_error_set(err, DL_ENOMEM, "session.idle: out of memory");
	}
	json_object_object_add(o, "credential_role", json_object_new_string(r.credential->role));
	json_object_object_add(o, "idle_timeout", json_object_new_int((int)idle));
	json_object_object_add(o, "margin_s", json_object_new_int(SESSION_IDLE_MARGIN_SECONDS));
	json_object_object_add(o, "interfaces", list);
	struct dl_error set_err = {0};
	json_object_object_add(o, "set_operation", run_set_operation(&r, &set_err));

	const char *not_waiting = NULL;
	if (idle == 0)
		not_waiting = "the profile declares no auth.idle_timeout";
	else if (idle + SESSION_IDLE_MARGIN_SECONDS > SESSION_IDLE_WAIT_MAX_SECONDS)
		not_waiting = "the declared auth.idle_timeout is longer than dutlab waits (600 s)";
	uint64_t total = r.adapter_count * 2, done = 0;
	for (size_t i = 0; i < r.adapter_count && !rc; i++) {
		struct idle_slot *s = &slots[i];
		const struct profile_adapter *a = r.adapters[i];
		s->entry = session_interface_json(a);
		if (!s->entry) {
			rc = dl_error_set(err, DL_ENOMEM, "session.idle: out of memory");
			break;
		}
		json_object_array_add(list, s->entry);
		bool stateless = false;
		const char *why = no_session(a, &stateless);
		if (why) {
			skip(s->entry, why);
			/* each request authenticates anew: recorded for the judge */
			json_object_object_add(s->entry, "stateless",
					       json_object_new_boolean(stateless));
			continue;
		}
		if (not_waiting) {
			skip(s->entry, not_waiting);
			continue;
		}
		char name[128];
		snprintf(name, sizeof(name), "idle-%s.log", a->name);
		session_target(&r, a, name, s->transcript, sizeof(s->transcript), &s->target);
		char relative[192];
		snprintf(relative, sizeof(relative), "evidence/session/%s", name);
		json_object_object_add(s->entry, "evidence", json_object_new_string(relative));
		const char *note = NULL;
		rc = session_credential_ready(&r, a, &note, err);
		if (rc == DL_ENOMEM)
			break;
		rc = 0;
		if (note)
			json_object_object_add(s->entry, "credential_note",
					       json_object_new_string(note));
		char what[160];
		snprintf(what, sizeof(what), "%s: log in and probe", a->name);
		session_progress(&r, done++, total, what);
		struct login_response login, first;
		rc = login_attempt(&s->target, r.credential->username, r.credential->password,
				   &login, &s->session, err);
		if (rc == 0) {
			json_object_object_add(s->entry, "login", session_response_json(&login));
			if (login.outcome != LOGIN_ACCEPTED || !s->session)
				continue;
			const char *token = (login_capabilities(a) & LOGIN_HAS_TOKEN)
						    ? login_session_token(s->session)
						    : NULL;
			if (token && strlen(token) <= TOKENS_MAX_LENGTH)
				snprintf(s->token, sizeof(s->token), "%s", token);
			json_object_object_add(
				s->entry, "probe",
				json_object_new_string(s->token[0]
							       ? "session token on a new connection"
							       : "the open session"));
			rc = probe(s, &first, err);
		}
		if (rc && rc != DL_ENOMEM) {
			/* dutlab's own failure on this interface: said there, the others go on */
			json_object_object_add(s->entry, "error",
					       json_object_new_string(err->message));
			rc = 0;
			continue;
		}
		if (rc)
			break;
		s->first_at = sock_now_ns();
		json_object_object_add(s->entry, "first", session_response_json(&first));
		if (first.outcome == LOGIN_ACCEPTED)
			s->due = s->first_at +
				 (int64_t)(idle + SESSION_IDLE_MARGIN_SECONDS) * 1000000000LL;
	}
	/* the waits, earliest first, all overlapping */
	for (size_t round = 0; round < r.adapter_count && !rc; round++) {
		struct idle_slot *next = NULL;
		for (size_t i = 0; i < r.adapter_count; i++)
			if (slots[i].due && (!next || slots[i].due < next->due))
				next = &slots[i];
		if (!next)
			break;
		char what[160];
		snprintf(what, sizeof(what), "idle for %u s + %d s, then probe again", idle,
			 SESSION_IDLE_MARGIN_SECONDS);
		session_progress(&r, done++, total, what);
		int64_t due = next->due;
		next->due = 0;
		if (!session_sleep_until(&r, due)) {
			json_object_object_add(
				next->entry, "stopped",
				json_object_new_string("the collector's deadline came "
						       "before the idle time ran out"));
			continue;
		}
		struct login_response second;
		rc = probe(next, &second, err);
		if (rc && rc != DL_ENOMEM) {
			json_object_object_add(next->entry, "stopped",
					       json_object_new_string(err->message));
			rc = 0;
			continue;
		}
		if (rc)
			break;
		json_object_object_add(
			next->entry, "waited_s",
			json_object_new_int64((sock_now_ns() - next->first_at) / 1000000000LL));
		json_object_object_add(next->entry, "second", session_response_json(&second));
		/* Ended, or is the interface down? A new login must work. */
		if (second.outcome != LOGIN_ACCEPTED) {
			struct login_response relogin;
			rc = login_attempt(&next->target, r.credential->username,
					   r.credential->password, &relogin, NULL, err);
			if (rc && rc != DL_ENOMEM) {
				json_object_object_add(next->entry, "stopped",
						       json_object_new_string(err->message));
				rc = 0;
				continue;
			}
			if (!rc)
				json_object_object_add(next->entry, "relogin",
						       session_response_json(&relogin));
		}
	}
	for (size_t i = 0; i < SESSION_ADAPTERS_MAX; i++)
		login_session_close(slots[i].session);
	free(slots);
	if (rc) {
		json_object_put(o);
		return rc;
	}
	session_progress(&r, total, total, "done");
	*observation = o;
	return 0;
}

const struct collector collector_session_idle = {
	.id = "session.idle",
	.summary = "one session per login interface left idle past auth.idle_timeout, then used "
		   "again",
	.needs = NEED_DUT_ADDRESS | NEED_LOGIN_ADAPTER,
	.timeout_seconds = 900,
	.expected_seconds = 60,
	/* it runs the profile's set_idle_timeout operation when there is one */
	.changes_dut = true,
	.collect = collect_idle,
};
