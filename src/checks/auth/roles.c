/* roles: the auth.roles collector and check: every role tries every action, against the documented
 * matrix */
#include "core/compat.h"

#include <json-c/json.h>

#include "adapters/login.h"
#include "checks/auth/auth-internal.h"
#include "checks/check.h"
#include "core/error.h"
#include "core/json-read.h"
#include "core/profile.h"
#include "net/sock.h"

/*
 * NCC 5.3.1.3: at least two account roles with different authorisations;
 * TS-0014-1 5.4.3.1: roles separated as documented (at least a user and an
 * administrator), the observed permissions equal to the documented ones;
 * TS-0014-1 5.2.6.3: the same over the ONVIF interface.
 *
 * The collector logs in as each role of the profile (roles:, with the
 * account of its credential) on every login adapter that declares actions
 * and performs EVERY action of that adapter, not only the documented ones:
 * a permission beyond the documentation shows only when it is tried. The
 * profile's actions must be harmless or undo themselves (docs/auth.md).
 *
 * The observation, version 1:
 * {
 *   "version": 1, "address": "198.18.7.2",
 *   "roles": [{"name": "admin", "credential": "admin", "username": "admin",
 *              "may": ["read_secrets"]}],
 *   "adapters": [{"name": "shell", "driver": "ssh-password", "port": 22,
 *                 "actions": [{"name": "read_secrets", "request": "cat ..."}]}],
 *   "cells": [{"role": "admin", "adapter": "shell",
 *              "login": {"outcome": "accepted", "status": 0, "excerpt": "..."},
 *              "evidence": "evidence/auth/roles-admin-shell.log",
 *              "actions": [{"action": "read_secrets", "outcome": "accepted" | "refused" |
 *                           "unreachable" | "not_tried", "status": 0, "excerpt": "...",
 *                           "error": "why not tried"}]}],
 *   "notes": ["..."]
 * }
 */

#define ROLES_CELL_MAX_NS (120 * 1000000000LL) /* one role on one adapter */

static const char *const no_inputs[] = {NULL};

static void note(struct json_object *notes, const char *format, ...)
	__attribute__((format(printf, 2, 3)));
static void note(struct json_object *notes, const char *format, ...)
{
	char text[DL_ERROR_MESSAGE_MAX + 128];
	va_list args;
	va_start(args, format);
	vsnprintf(text, sizeof(text), format, args);
	va_end(args);
	json_object_array_add(notes, json_object_new_string(text));
}

static struct json_object *string_or_empty(const char *s)
{
	return json_object_new_string(s ? s : "");
}

/* "admin", "oper ator" -> file-name safe "oper_ator". */
static void safe_name(const char *in, char *out, size_t size)
{
	size_t o = 0;
	for (; in && *in && o + 1 < size; in++) {
		char c = *in;
		bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			  (c >= '0' && c <= '9') || c == '-' || c == '.';
		out[o++] = ok ? c : '_';
	}
	out[o] = '\0';
}

static struct json_object *action_result(const char *action, const char *outcome, int status,
					 const char *excerpt, const char *error)
{
	struct json_object *a = json_object_new_object();
	json_object_object_add(a, "action", json_object_new_string(action));
	json_object_object_add(a, "outcome", json_object_new_string(outcome));
	json_object_object_add(a, "status", json_object_new_int(status));
	json_object_object_add(a, "excerpt", string_or_empty(excerpt));
	if (error)
		json_object_object_add(a, "error", json_object_new_string(error));
	return a;
}

/* Log in as one role on one adapter and try every action there. */
static int roles_cell(const struct auth_run *r, const struct profile_role *role,
		      const struct profile_credential *cred, const struct profile_adapter *adapter,
		      struct json_object *cell, struct dl_error *err)
{
	char collector[96], role_name[64];
	safe_name(role->name, role_name, sizeof(role_name));
	snprintf(collector, sizeof(collector), "roles-%s", role_name);
	struct login_target target;
	char path[AUTH_PATH_MAX], relative[AUTH_PATH_MAX];
	auth_target(r, adapter, collector, &target, path, sizeof(path), relative, sizeof(relative));
	int64_t cell_deadline = sock_now_ns() + ROLES_CELL_MAX_NS;
	if (target.deadline_ns == 0 || cell_deadline < target.deadline_ns)
		target.deadline_ns = cell_deadline;
	json_object_object_add(cell, "evidence", json_object_new_string(relative));
	struct json_object *actions = json_object_new_array();
	json_object_object_add(cell, "actions", actions);

	struct login_response resp;
	struct login_session *session = NULL;
	int rc = auth_attempt(&target, cred->username, cred->password, &resp, &session, err);
	if (rc < 0)
		return rc;
	json_object_object_add(cell, "login", auth_response_json(&resp));
	bool logged_in = resp.outcome == LOGIN_ACCEPTED && session;
	bool relogged = false;
	for (size_t i = 0; i < adapter->action_count; i++) {
		const char *name = adapter->actions[i].name;
		if (!logged_in) {
			json_object_array_add(actions, action_result(name, "not_tried", 0, "",
								     "the login was not accepted"));
			continue;
		}
		struct dl_error e = {0};
		struct login_response a;
		memset(&a, 0, sizeof(a));
		int prc = login_perform(session, name, &a, &e);
		if (prc == 0 && a.outcome == LOGIN_UNREACHABLE && !relogged) {
			/* The session broke (an action that logs out, a reset
			 * connection): log in once more and try again. */
			relogged = true;
			login_session_close(session);
			session = NULL;
			rc = auth_attempt(&target, cred->username, cred->password, &resp, &session,
					  err);
			if (rc < 0)
				return rc;
			if (resp.outcome == LOGIN_ACCEPTED && session) {
				memset(&a, 0, sizeof(a));
				prc = login_perform(session, name, &a, &e);
			} else {
				logged_in = false;
			}
		}
		if (prc == DL_ETIMEDOUT || prc == DL_EINTERRUPTED || prc == DL_ENOMEM) {
			login_session_close(session);
			if (err)
				*err = e;
			return prc;
		}
		if (prc < 0)
			json_object_array_add(actions,
					      action_result(name, "not_tried", 0, "", e.message));
		else
			json_object_array_add(actions,
					      action_result(name, login_outcome_name(a.outcome),
							    a.status, a.excerpt, NULL));
	}
	if (session) {
		struct login_response out;
		struct dl_error ignored = {0};
		if (login_capabilities(adapter) & LOGIN_CAN_LOGOUT)
			login_logout(session, &out, &ignored);
		login_session_close(session);
	}
	return 0;
}

static int collect(const struct check_context *ctx, struct json_object **observation,
		   struct dl_error *err)
{
	*observation = NULL;
	struct auth_run r;
	int rc = auth_run_init(&r, ctx, err);
	if (rc < 0)
		return rc;
	const struct profile *p = r.profile;
	struct json_object *o = json_object_new_object();
	struct json_object *notes = json_object_new_array();
	struct json_object *roles = json_object_new_array();
	struct json_object *adapters = json_object_new_array();
	struct json_object *cells = json_object_new_array();
	json_object_object_add(o, "version", json_object_new_int(1));
	json_object_object_add(o, "address", json_object_new_string(r.address));
	json_object_object_add(o, "roles", roles);
	json_object_object_add(o, "adapters", adapters);
	json_object_object_add(o, "cells", cells);
	json_object_object_add(o, "notes", notes);

	for (size_t i = 0; i < p->role_count; i++) {
		const struct profile_role *role = &p->roles[i];
		const struct profile_credential *cred =
			profile_find_credential(p, role->credential);
		struct json_object *jr = json_object_new_object();
		json_object_object_add(jr, "name", json_object_new_string(role->name));
		json_object_object_add(jr, "credential", string_or_empty(role->credential));
		json_object_object_add(jr, "username",
				       string_or_empty(cred ? cred->username : NULL));
		struct json_object *may = json_object_new_array();
		for (size_t m = 0; m < role->may_count; m++)
			json_object_array_add(may, json_object_new_string(role->may[m]));
		json_object_object_add(jr, "may", may);
		json_object_array_add(roles, jr);
		if (!cred)
			note(notes, "role '%s': credentials has no entry with role '%s'",
			     role->name, role->credential ? role->credential : "");
	}
	size_t with_actions = 0;
	for (size_t a = 0; a < r.adapter_count; a++) {
		const struct profile_adapter *ad = r.adapters[a];
		if (ad->action_count == 0)
			continue;
		with_actions++;
		struct json_object *ja = json_object_new_object();
		json_object_object_add(ja, "name", json_object_new_string(ad->name));
		json_object_object_add(ja, "driver", json_object_new_string(ad->driver));
		json_object_object_add(ja, "port", json_object_new_int(ad->port));
		struct json_object *list = json_object_new_array();
		for (size_t k = 0; k < ad->action_count; k++) {
			struct json_object *act = json_object_new_object();
			json_object_object_add(act, "name",
					       json_object_new_string(ad->actions[k].name));
			json_object_object_add(act, "request",
					       string_or_empty(ad->actions[k].request));
			json_object_array_add(list, act);
		}
		json_object_object_add(ja, "actions", list);
		json_object_array_add(adapters, ja);
	}
	uint64_t total = (uint64_t)p->role_count * with_actions, done = 0;
	for (size_t i = 0; i < p->role_count && rc == 0; i++) {
		const struct profile_role *role = &p->roles[i];
		const struct profile_credential *cred =
			profile_find_credential(p, role->credential);
		if (!cred)
			continue;
		for (size_t a = 0; a < r.adapter_count && rc == 0; a++) {
			const struct profile_adapter *ad = r.adapters[a];
			if (ad->action_count == 0)
				continue;
			char what[160];
			snprintf(what, sizeof(what), "role %s on %s", role->name, ad->name);
			auth_progress(&r, done++, total, what);
			struct json_object *cell = json_object_new_object();
			json_object_object_add(cell, "role", json_object_new_string(role->name));
			json_object_object_add(cell, "adapter", json_object_new_string(ad->name));
			json_object_array_add(cells, cell);
			rc = roles_cell(&r, role, cred, ad, cell, err);
		}
	}
	if (rc < 0) {
		json_object_put(o);
		return rc;
	}
	auth_progress(&r, total, total, "done");
	*observation = o;
	return 0;
}

const struct collector collector_auth_roles = {
	.id = "auth.roles",
	.summary = "log in as every documented role on every login adapter with actions and try "
		   "every action",
	.needs = NEED_DUT_ADDRESS | NEED_LOGIN_ADAPTER,
	.timeout_seconds = 600,
	.expected_seconds = 30,
	.inputs = no_inputs,
	/* the profile's actions may change state, undone by their author */
	.changes_dut = true,
	.collect = collect,
};

/* ---- the judge ---- */

#define ROLES_MAX 32
#define ROLE_ACTIONS_MAX 64

struct judged_role {
	const char *name;
	struct json_object *may; /* array of action names */
	bool logged_in;          /* on at least one adapter that counts */
	size_t allowed, refused; /* observed, over the counted adapters */
};

static bool role_may(const struct judged_role *role, const char *action)
{
	size_t n = json_read_length(role->may);
	for (size_t i = 0; i < n; i++) {
		const char *m = json_object_get_string(json_object_array_get_idx(role->may, i));
		if (m && strcmp(m, action) == 0)
			return true;
	}
	return false;
}

static struct json_object *find_adapter(const struct json_object *observation, const char *name)
{
	struct json_object *list = json_read_array(observation, "adapters");
	size_t n = json_read_length(list);
	for (size_t i = 0; i < n; i++) {
		struct json_object *a = json_object_array_get_idx(list, i);
		if (strcmp(json_read_text(a, "name", ""), name) == 0)
			return a;
	}
	return NULL;
}

static const char *action_request(const struct json_object *adapter, const char *action)
{
	struct json_object *list = json_read_array(adapter, "actions");
	size_t n = json_read_length(list);
	for (size_t i = 0; i < n; i++) {
		struct json_object *a = json_object_array_get_idx(list, i);
		if (strcmp(json_read_text(a, "name", ""), action) == 0)
			return json_read_text(a, "request", "");
	}
	return "";
}

/* Does the adapter count for this clause (drivers=any, or its driver)? */
static bool adapter_counts(const struct json_object *adapter, const char *drivers)
{
	return adapter && (strcmp(drivers, "any") == 0 ||
			   strcmp(json_read_text(adapter, "driver", ""), drivers) == 0);
}

static struct judged_role *find_role(struct judged_role *roles, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(roles[i].name, name) == 0)
			return &roles[i];
	return NULL;
}

/* The observed permission of one role for one action on one adapter. */
struct cell_view {
	const char *role, *adapter, *action, *outcome, *excerpt, *evidence;
	int status;
	bool logged_in;
};

/* Append "name=yes" to a role's matrix line. */
static void line_add(char *line, size_t size, const char *adapter, const char *action,
		     const char *outcome)
{
	size_t n = strlen(line);
	if (n + 1 >= size)
		return;
	const char *mark = strcmp(outcome, "accepted") == 0  ? "allowed"
			   : strcmp(outcome, "refused") == 0 ? "refused"
							     : outcome;
	snprintf(line + n, size - n, "%s%s/%s %s", n ? ", " : "", adapter, action, mark);
}

static int judge(const struct json_object *observation, const struct check_params *params,
		 const struct profile *profile, struct check_verdict *out, struct dl_error *err)
{
	const char *require = check_param_get(params, "require", "matrix");
	const char *drivers = check_param_get(params, "drivers", "any");
	bool separation = strcmp(require, "separation") == 0;
	if (!separation && strcmp(require, "matrix") != 0)
		return dl_error_set(err, DL_EINVAL,
				    "auth.roles: require is '%s'; expected matrix or separation",
				    require);
	if (json_read_int(observation, "version", 0) != 1)
		return dl_error_set(err, DL_EINVAL,
				    "auth.roles: the observation is not version 1 of auth.roles");

	/* Which adapters count. */
	struct json_object *adapters = json_read_array(observation, "adapters");
	size_t counted = 0;
	for (size_t i = 0; i < json_read_length(adapters); i++)
		counted += adapter_counts(json_object_array_get_idx(adapters, i), drivers);
	if (counted == 0) {
		if (strcmp(drivers, "any") != 0 &&
		    (!profile || profile_capability(profile, drivers) != 1))
			return check_verdict_set(
				out, VERDICT_NOT_APPLICABLE,
				"the profile declares no %s interface (capability "
				"%s is not true and no %s login adapter has actions)",
				drivers, drivers, drivers);
		return check_verdict_set(
			out, VERDICT_INCONCLUSIVE,
			"no %s%slogin adapter declares actions: add the documented "
			"privileged operations as adapters[].actions and the roles "
			"that may do them as roles[].may (docs/auth.md)",
			strcmp(drivers, "any") == 0 ? "" : drivers,
			strcmp(drivers, "any") == 0 ? "" : " ");
	}

	struct judged_role roles[ROLES_MAX];
	size_t role_count = 0;
	struct json_object *jroles = json_read_array(observation, "roles");
	for (size_t i = 0; i < json_read_length(jroles) && role_count < ROLES_MAX; i++) {
		struct json_object *jr = json_object_array_get_idx(jroles, i);
		roles[role_count++] = (struct judged_role){
			.name = json_read_text(jr, "name", "?"),
			.may = json_read_array(jr, "may"),
		};
	}
	if (role_count < 2)
		return check_verdict_set(
			out, VERDICT_INCONCLUSIVE,
			"the profile declares %zu role%s; declare the documented "
			"roles (at least a user and an administrator) in roles: with "
			"a credential each",
			role_count, role_count == 1 ? "" : "s");

	size_t excess = 0, missing = 0, undecided = 0, cells_total = 0;
	int rc = 0;
	struct json_object *cells = json_read_array(observation, "cells");
	char matrix[ROLES_MAX][768];
	memset(matrix, 0, sizeof(matrix));
	for (size_t c = 0; c < json_read_length(cells) && rc == 0; c++) {
		struct json_object *cell = json_object_array_get_idx(cells, c);
		const char *role_name = json_read_text(cell, "role", "?");
		const char *adapter_name = json_read_text(cell, "adapter", "?");
		struct json_object *adapter = find_adapter(observation, adapter_name);
		if (!adapter_counts(adapter, drivers))
			continue;
		struct judged_role *role = find_role(roles, role_count, role_name);
		if (!role)
			continue;
		size_t ri = (size_t)(role - roles);
		struct json_object *login = json_read_object(cell, "login");
		const char *login_outcome = json_read_text(login, "outcome", "unreachable");
		const char *evidence = json_read_text(cell, "evidence", NULL);
		bool logged_in = strcmp(login_outcome, "accepted") == 0;
		role->logged_in |= logged_in;
		if (!logged_in) {
			/* A role that cannot log in here is refused everything
			 * here; that contradicts the documentation only if it
			 * may do something here, and then the credential may be
			 * wrong: undecided, not failed. */
			struct json_object *acts = json_read_array(adapter, "actions");
			bool documented_here = false;
			for (size_t k = 0; k < json_read_length(acts); k++)
				documented_here |= role_may(
					role, json_read_text(json_object_array_get_idx(acts, k),
							     "name", ""));
			if (documented_here) {
				undecided++;
				rc = check_verdict_add(
					out, FINDING_WARNING, evidence,
					"role %s could not log in on %s (%s: %s), where it is "
					"documented to act: check the role's credential",
					role_name, adapter_name, login_outcome,
					json_read_text(login, "excerpt", ""));
			} else {
				rc = check_verdict_add(out, FINDING_INFO, evidence,
						       "role %s was refused the login on %s (%s), "
						       "where it is documented to do nothing",
						       role_name, adapter_name, login_outcome);
			}
			for (size_t k = 0; k < json_read_length(acts); k++)
				line_add(matrix[ri], sizeof(matrix[ri]), adapter_name,
					 json_read_text(json_object_array_get_idx(acts, k), "name",
							"?"),
					 logged_in ? "?" : "refused (no login)");
			continue;
		}
		struct json_object *acts = json_read_array(cell, "actions");
		for (size_t k = 0; k < json_read_length(acts) && rc == 0; k++) {
			struct json_object *a = json_object_array_get_idx(acts, k);
			struct cell_view v = {
				.role = role_name,
				.adapter = adapter_name,
				.action = json_read_text(a, "action", "?"),
				.outcome = json_read_text(a, "outcome", "not_tried"),
				.excerpt = json_read_text(a, "excerpt", ""),
				.evidence = evidence,
				.status = (int)json_read_int(a, "status", 0),
			};
			const char *request = action_request(adapter, v.action);
			bool documented = role_may(role, v.action);
			bool accepted = strcmp(v.outcome, "accepted") == 0;
			bool refused = strcmp(v.outcome, "refused") == 0;
			cells_total++;
			line_add(matrix[ri], sizeof(matrix[ri]), adapter_name, v.action, v.outcome);
			if (accepted)
				role->allowed++;
			if (refused)
				role->refused++;
			if (accepted && !documented) {
				excess++;
				rc = check_verdict_add(
					out, FINDING_FAIL, v.evidence,
					"role %s was allowed %s on %s ('%s' answered %s, status "
					"%d: '%s'), which the documentation does not give it",
					v.role, v.action, v.adapter, request, v.outcome, v.status,
					v.excerpt);
			} else if (refused && documented) {
				missing++;
				rc = check_verdict_add(
					out, separation ? FINDING_WARNING : FINDING_FAIL,
					v.evidence,
					"role %s was refused %s on %s ('%s' answered status %d: "
					"'%s'), which the documentation gives it",
					v.role, v.action, v.adapter, request, v.status, v.excerpt);
			} else if (!accepted && !refused) {
				undecided++;
				rc = check_verdict_add(out, FINDING_WARNING, v.evidence,
						       "role %s, %s on %s: %s (%s)", v.role,
						       v.action, v.adapter, v.outcome,
						       json_read_text(a, "error", v.excerpt));
			} else {
				rc = check_verdict_add(out, FINDING_PASS, v.evidence,
						       "role %s was %s %s on %s as documented "
						       "('%s', status %d)",
						       v.role, accepted ? "allowed" : "refused",
						       v.action, v.adapter, request, v.status);
			}
		}
	}
	for (size_t i = 0; i < role_count && rc == 0; i++)
		rc = check_verdict_add(out, FINDING_INFO, NULL, "observed matrix, role %s: %s",
				       roles[i].name, matrix[i][0] ? matrix[i] : "nothing tried");
	if (rc < 0)
		return dl_error_set(err, rc, "auth.roles: out of memory");

	/* Which action separates two roles that both logged in? */
	char separating[256] = "";
	for (size_t c = 0; c < json_read_length(cells) && !separating[0]; c++) {
		struct json_object *cell = json_object_array_get_idx(cells, c);
		if (!adapter_counts(find_adapter(observation, json_read_text(cell, "adapter", "")),
				    drivers) ||
		    strcmp(json_read_text(json_read_object(cell, "login"), "outcome", ""),
			   "accepted") != 0)
			continue;
		struct json_object *acts = json_read_array(cell, "actions");
		for (size_t k = 0; k < json_read_length(acts) && !separating[0]; k++) {
			struct json_object *a = json_object_array_get_idx(acts, k);
			if (strcmp(json_read_text(a, "outcome", ""), "accepted") != 0)
				continue;
			/* another role logged in on the same adapter and refused it */
			for (size_t d = 0; d < json_read_length(cells) && !separating[0]; d++) {
				struct json_object *other = json_object_array_get_idx(cells, d);
				if (d == c || strcmp(json_read_text(other, "adapter", ""),
						     json_read_text(cell, "adapter", "")) != 0)
					continue;
				if (strcmp(json_read_text(json_read_object(other, "login"),
							  "outcome", ""),
					   "accepted") != 0)
					continue;
				struct json_object *oa = json_read_array(other, "actions");
				for (size_t m = 0; m < json_read_length(oa); m++) {
					struct json_object *x = json_object_array_get_idx(oa, m);
					if (strcmp(json_read_text(x, "action", ""),
						   json_read_text(a, "action", "")) == 0 &&
					    strcmp(json_read_text(x, "outcome", ""), "refused") ==
						    0) {
						snprintf(separating, sizeof(separating),
							 "%s on %s is allowed for %s and refused "
							 "for %s",
							 json_read_text(a, "action", ""),
							 json_read_text(cell, "adapter", ""),
							 json_read_text(cell, "role", ""),
							 json_read_text(other, "role", ""));
						break;
					}
				}
			}
		}
	}
	size_t logged = 0;
	for (size_t i = 0; i < role_count; i++)
		logged += roles[i].logged_in;
	/* Does the documentation give some role less than another? */
	bool documented_separation = false;
	for (size_t i = 0; i < role_count && !documented_separation; i++)
		for (size_t j = 0; j < role_count && !documented_separation; j++) {
			if (i == j)
				continue;
			size_t ni = json_read_length(roles[i].may);
			for (size_t k = 0; k < ni; k++) {
				const char *m = json_object_get_string(
					json_object_array_get_idx(roles[i].may, k));
				if (m && !role_may(&roles[j], m)) {
					documented_separation = true;
					break;
				}
			}
		}

	if (excess > 0)
		return check_verdict_set(
			out, VERDICT_FAIL,
			"%zu permission%s beyond the documented roles (of %zu tried): "
			"a role did what only another role may do",
			excess, excess == 1 ? "" : "s", cells_total);
	if (!separation && missing > 0)
		return check_verdict_set(out, VERDICT_FAIL,
					 "the observed matrix differs from the documented one: %zu "
					 "documented permission%s refused (of %zu tried)",
					 missing, missing == 1 ? " was" : "s were", cells_total);
	if (!separation && !documented_separation)
		return check_verdict_set(out, VERDICT_FAIL,
					 "the %zu documented roles have the same permissions: no "
					 "user role is separated from the administrator",
					 role_count);
	if (logged < 2)
		return check_verdict_set(
			out, VERDICT_INCONCLUSIVE,
			"%zu of %zu roles logged in; two roles must log in to compare "
			"their permissions",
			logged, role_count);
	if (separation && !separating[0])
		return check_verdict_set(
			out, undecided ? VERDICT_INCONCLUSIVE : VERDICT_FAIL,
			"no action tried separates two roles: every role that logged "
			"in was allowed and refused the same (%zu actions tried)",
			cells_total);
	if (undecided > 0)
		return check_verdict_set(
			out, VERDICT_INCONCLUSIVE,
			"%zu permission%s could not be decided; the %zu decided ones "
			"match the documentation",
			undecided, undecided == 1 ? "" : "s", cells_total - undecided);
	if (separation)
		return check_verdict_set(out, VERDICT_PASS,
					 "%zu roles log in with different authorisations: %s; no "
					 "permission beyond the documented ones (%zu tried)",
					 logged, separating, cells_total);
	return check_verdict_set(
		out, VERDICT_PASS,
		"the observed permissions of %zu roles equal the documented matrix "
		"(%zu role-action pairs tried%s%s)",
		role_count, cells_total, separating[0] ? "; " : "", separating);
}

static const char *const roles_params[] = {"require", "drivers", NULL};

const struct check check_auth_roles = {
	.id = "auth.roles",
	.summary = "roles have the documented permissions and no more; two roles differ",
	.collector = &collector_auth_roles,
	.params = roles_params,
	.judge = judge,
};
