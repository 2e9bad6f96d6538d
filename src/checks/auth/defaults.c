/* defaults: the auth.defaults collector and auth.default-credentials check (TS 5.4.2.1,
 * IoT 5.1.1.1) */
#include "core/compat.h"

#include <json-c/json.h>
#include <unistd.h>

#include "adapters/exec.h"
#include "adapters/login.h"
#include "checks/auth/auth-internal.h"
#include "checks/check.h"
#include "core/error.h"
#include "core/json-read.h"
#include "core/profile.h"
#include "core/text.h"
#include "net/sock.h"

/*
 * TS-0014-1 5.4.2.1 / IoT-1006-1 5.1.1.1: the default passwords of every
 * unit differ, or the first authorised access must force a change of the
 * default. Two phases:
 *
 *   1. As delivered: the vendor's factory default (credentials role
 *      factory_default) and the well-known IoT defaults (default-list.c) on
 *      every login adapter, paced so no account is ever locked: at most
 *      auth.lockout.threshold - 1 wrong tries per user name (over all
 *      interfaces, since one account serves them all) per lockout reset
 *      window; what the budget leaves untried is counted, never hidden.
 *   2. When the profile declares the exec operation factory_reset: reset,
 *      log in with the factory default on every interface once and record
 *      whether the DUT forces a change (LOGIN_CHANGE_REQUIRED, or an
 *      accepted login whose admin action the DUT refuses), then ALWAYS put
 *      the admin password back (the change the DUT asks for, or the exec
 *      operation restore_password) and verify it on every interface, so the
 *      rest of the campaign logs in.
 *
 *   3. When units[] declare their own defaults (factory_password): the
 *      other branch, "the defaults differ between units": each unit's
 *      default differs from the DUT's and the others', the DUT's default
 *      does not get into the unit, and the unit's own does (try_units).
 */

#define COLLECTOR "defaults"
#define LIST_BUDGET_SECONDS 60 /* phase 1 stops waiting for windows after this */
#define ATTEMPTS_MAX 2048
#define USERS_MAX 128
#define RESET_OPERATION "factory_reset"
#define RESTORE_OPERATION "restore_password"

struct attempt {
	size_t adapter;
	const char *username;
	const char *password;
	bool factory; /* the profile's factory_default, else the list */
	bool done;
};

struct user_budget {
	const char *username;
	unsigned tries;  /* wrong tries since its window began */
	int64_t last_ns; /* when the last of them ended */
};

static bool reads_only(const char *action)
{
	static const char *const verbs[] = {"read", "get", "view", "show", "list"};
	for (size_t i = 0; i < DL_ARRAY_SIZE(verbs); i++)
		if (text_starts_with(action, verbs[i]))
			return true;
	return false;
}

/* An action of the admin role this adapter declares whose name says it only
 * reads ("read_secrets", "list_users"), or NULL: proving that a default
 * login is usable must change nothing on the DUT, so an interface whose
 * admin actions all write is judged by its login alone. */
static const char *admin_action(const struct profile *p, const struct profile_adapter *a)
{
	for (size_t i = 0; i < p->role_count; i++) {
		const struct profile_role *role = &p->roles[i];
		if (!role->credential || strcmp(role->credential, "admin") != 0)
			continue;
		for (size_t k = 0; k < role->may_count; k++)
			if (profile_adapter_action(a, role->may[k]) && reads_only(role->may[k]))
				return role->may[k];
	}
	return NULL;
}

static struct json_object *adapter_head(const struct profile_adapter *a)
{
	struct json_object *o = json_object_new_object();
	if (!o)
		return NULL;
	json_object_object_add(o, "name", json_object_new_string(a->name));
	json_object_object_add(o, "driver", json_object_new_string(a->driver));
	json_object_object_add(o, "port", json_object_new_int(a->port));
	json_object_object_add(o, "proto",
			       json_object_new_string(a->service_proto ? a->service_proto : "tcp"));
	return o;
}

/*
 * One login with username/password; an accepted login is kept open to try
 * the admin action in it (does the DUT let the default do anything?). Fills
 * o with outcome, status, excerpt, action, action_outcome.
 */
static int login_and_use(const struct auth_run *r, const struct login_target *t,
			 const char *username, const char *password, struct json_object *o,
			 enum login_outcome *outcome, struct dl_error *err)
{
	struct login_response resp;
	struct login_session *session = NULL;
	int rc = auth_attempt(t, username, password, &resp, &session, err);
	if (rc)
		return rc;
	*outcome = resp.outcome;
	json_object_object_add(o, "outcome",
			       json_object_new_string(login_outcome_name(resp.outcome)));
	json_object_object_add(o, "status", json_object_new_int(resp.status));
	json_object_object_add(o, "excerpt", json_object_new_string(resp.excerpt));
	const char *action = admin_action(r->profile, t->adapter);
	if (resp.outcome == LOGIN_ACCEPTED && session && action) {
		struct login_response act;
		memset(&act, 0, sizeof(act));
		struct dl_error e = {0};
		int arc = login_perform(session, action, &act, &e);
		json_object_object_add(o, "action", json_object_new_string(action));
		json_object_object_add(
			o, "action_outcome",
			json_object_new_string(arc ? "error" : login_outcome_name(act.outcome)));
		json_object_object_add(o, "action_excerpt",
				       json_object_new_string(arc ? e.message : act.excerpt));
	}
	if (session)
		login_session_close(session);
	return 0;
}

static struct user_budget *budget_of(struct user_budget *users, size_t *count, const char *name)
{
	for (size_t i = 0; i < *count; i++)
		if (strcmp(users[i].username, name) == 0)
			return &users[i];
	if (*count >= USERS_MAX)
		return NULL;
	users[*count] = (struct user_budget){.username = name};
	return &users[(*count)++];
}

/* Phase 1: the factory default and the list on every adapter, paced. */
static int try_defaults(const struct auth_run *r, const struct auth_pacing *pacing,
			const struct profile_credential *factory, struct json_object *o,
			struct dl_error *err)
{
	struct attempt *attempts = calloc(ATTEMPTS_MAX, sizeof(*attempts));
	struct user_budget *users = calloc(USERS_MAX, sizeof(*users));
	struct json_object *per_adapter[AUTH_ADAPTERS_MAX] = {0};
	struct login_target targets[AUTH_ADAPTERS_MAX];
	static char paths[AUTH_ADAPTERS_MAX][AUTH_PATH_MAX + 64];
	size_t tried[AUTH_ADAPTERS_MAX] = {0}, unreachable[AUTH_ADAPTERS_MAX] = {0};
	size_t user_count = 0, count = 0;
	int rc = 0;
	if (!attempts || !users) {
		rc = dl_error_set(err, DL_ENOMEM, "auth: out of memory");
		goto out;
	}
	struct json_object *adapters = json_object_new_array();
	json_object_object_add(o, "adapters", adapters);
	for (size_t a = 0; a < r->adapter_count; a++) {
		char relative[256];
		auth_target(r, r->adapters[a], COLLECTOR, &targets[a], paths[a], sizeof(paths[a]),
			    relative, sizeof(relative));
		per_adapter[a] = adapter_head(r->adapters[a]);
		json_object_object_add(per_adapter[a], "transcript",
				       json_object_new_string(relative));
		json_object_object_add(per_adapter[a], "accepted", json_object_new_array());
		json_object_array_add(adapters, per_adapter[a]);
		if (factory && count < ATTEMPTS_MAX)
			attempts[count++] = (struct attempt){a, factory->username,
							     factory->password, true, false};
	}
	for (size_t i = 0; i < auth_default_list_count; i++) {
		const struct auth_default_pair *d = &auth_default_list[i];
		if (factory && strcmp(d->username, factory->username) == 0 &&
		    strcmp(d->password, factory->password) == 0)
			continue;
		for (size_t a = 0; a < r->adapter_count && count < ATTEMPTS_MAX; a++)
			attempts[count++] =
				(struct attempt){a, d->username, d->password, false, false};
	}

	const int64_t started = sock_now_ns();
	const int64_t list_end = started + (int64_t)LIST_BUDGET_SECONDS * 1000000000LL;
	const int64_t window_ns = (int64_t)pacing->window_seconds * 1000000000LL;
	size_t remaining = count, pauses = 0, done_count = 0;
	const char *stopped = NULL;
	/* Each pass tries what the pacing allows now; a pass that can try
	 * nothing sleeps until the first user name's window has passed since
	 * its last wrong try (a counter that resets a time after the last
	 * failure, as well as one that counts failures in a sliding interval,
	 * then holds at most tries_per_window). */
	while (remaining > 0 && !rc && !stopped) {
		bool progress = false;
		int64_t next = INT64_MAX; /* when the first waiting user name may go on */
		for (size_t i = 0; i < count && !rc && !stopped; i++) {
			struct attempt *at = &attempts[i];
			if (at->done)
				continue;
			struct user_budget *b = budget_of(users, &user_count, at->username);
			if (!b)
				continue;
			int64_t now = sock_now_ns();
			if (b->tries >= pacing->tries_per_window) {
				if (now - b->last_ns < window_ns) {
					if (b->last_ns + window_ns < next)
						next = b->last_ns + window_ns;
					continue;
				}
				b->tries = 0;
			}
			if (now > list_end) {
				stopped = "the lockout pacing budget of this phase ran out";
				break;
			}
			progress = true;
			char what[160];
			snprintf(what, sizeof(what), "%s: %s/%s", r->adapters[at->adapter]->name,
				 at->username, at->factory ? "(factory default)" : "(list)");
			auth_progress(r, done_count, count, what);
			struct json_object *e = json_object_new_object();
			enum login_outcome outcome = LOGIN_UNREACHABLE;
			rc = login_and_use(r, &targets[at->adapter], at->username, at->password, e,
					   &outcome, err);
			at->done = true;
			remaining--;
			done_count++;
			tried[at->adapter]++;
			if (rc) {
				json_object_put(e);
				break;
			}
			if (outcome != LOGIN_ACCEPTED && outcome != LOGIN_CHANGE_REQUIRED) {
				/* A wrong try (or one that may have counted as one). */
				b->tries++;
				b->last_ns = sock_now_ns();
				if (outcome == LOGIN_UNREACHABLE && unreachable[at->adapter]++ == 0)
					json_object_object_add(
						per_adapter[at->adapter], "first_unreachable",
						json_object_get(
							json_object_object_get(e, "excerpt")));
				json_object_put(e);
				continue;
			}
			/* Accepted (or accepted only to change it): this user name
			 * is done on this interface. */
			json_object_object_add(e, "username", json_object_new_string(at->username));
			json_object_object_add(e, "password", json_object_new_string(at->password));
			json_object_object_add(
				e, "source",
				json_object_new_string(at->factory ? "factory_default" : "list"));
			json_object_array_add(
				json_object_object_get(per_adapter[at->adapter], "accepted"), e);
			for (size_t k = i + 1; k < count; k++)
				if (!attempts[k].done && attempts[k].adapter == at->adapter &&
				    strcmp(attempts[k].username, at->username) == 0) {
					attempts[k].done = true;
					remaining--;
				}
		}
		if (rc || remaining == 0 || stopped || progress)
			continue;
		/* Nothing allowed now: sleep until the earliest pending user
		 * name's window ends. */
		if (next == INT64_MAX)
			break; /* cannot happen: a pending attempt has a user */
		if (next > list_end) {
			stopped = "the lockout pacing budget of this phase ran out";
			break;
		}
		pauses++;
		if (!auth_sleep_until(r, next))
			stopped = "the collector's deadline came first";
	}
	for (size_t a = 0; a < r->adapter_count && per_adapter[a]; a++) {
		size_t left = 0;
		for (size_t i = 0; i < count; i++)
			if (attempts[i].adapter == a && !attempts[i].done)
				left++;
		json_object_object_add(per_adapter[a], "tried",
				       json_object_new_int64((int64_t)tried[a]));
		json_object_object_add(per_adapter[a], "unreachable",
				       json_object_new_int64((int64_t)unreachable[a]));
		json_object_object_add(per_adapter[a], "untried",
				       json_object_new_int64((int64_t)left));
	}
	json_object_object_add(o, "pauses", json_object_new_int64((int64_t)pauses));
	json_object_object_add(o, "list_seconds",
			       json_object_new_int64((sock_now_ns() - started) / 1000000000LL));
	json_object_object_add(o, "stopped", stopped ? json_object_new_string(stopped) : NULL);
out:
	free(attempts);
	free(users);
	return rc;
}

/* Wait until every login adapter's port takes a TCP connection again. */
static bool wait_services(const struct auth_run *r, int64_t until_ns)
{
	if (r->ctx->deadline_ns > 0 && until_ns > r->ctx->deadline_ns)
		until_ns = r->ctx->deadline_ns;
	const char *ifname = sock_interface(r->ctx->scope);
	for (size_t a = 0; a < r->adapter_count; a++) {
		bool up = false;
		while (!up && sock_now_ns() < until_ns) {
			struct sock_address dest;
			struct dl_error e = {0};
			if (sock_address_parse(r->address, r->adapters[a]->port, &dest, &e) != 0)
				return false;
			int fd = -1;
			int64_t attempt_end = sock_now_ns() + 2000000000LL;
			if (sock_tcp_connect(r->ctx->scope, &dest, ifname,
					     attempt_end < until_ns ? attempt_end : until_ns, &fd,
					     &e) == 0) {
				close(fd);
				up = true;
			} else {
				auth_sleep_until(r, sock_now_ns() + 1000000000LL);
			}
		}
		if (!up)
			return false;
	}
	/* A port that listens may still be starting its login service. */
	auth_sleep_until(r, sock_now_ns() + 2000000000LL);
	return true;
}

static int run_exec(const struct auth_run *r, const char *operation, const char *username,
		    const char *password, struct json_object *o, struct dl_error *err)
{
	char path[AUTH_PATH_MAX + 64], relative[128];
	snprintf(path, sizeof(path), "%s/defaults-%s.log", r->evidence_dir, operation);
	snprintf(relative, sizeof(relative), "evidence/auth/defaults-%s.log", operation);
	struct adapter_exec_vars v = {.address = r->address,
				      .username = username,
				      .password = password,
				      .campaign = r->ctx->campaign_dir};
	struct adapter_exec_result result;
	int rc = adapter_exec_run(r->profile, operation, &v, path, r->ctx->deadline_ns, &result,
				  err);
	if (rc)
		return rc;
	json_object_object_add(o, "exit_status", json_object_new_int(result.exit_status));
	json_object_object_add(o, "timed_out", json_object_new_boolean(result.timed_out));
	json_object_object_add(o, "duration_ms", json_object_new_int64(result.duration_ms));
	json_object_object_add(o, "transcript", json_object_new_string(relative));
	return 0;
}

/* Put the admin password back after the reset, and check it on every interface. */
static int restore_admin(const struct auth_run *r, const struct profile_credential *factory,
			 const struct login_target *targets, size_t preferred,
			 struct json_object *restore, struct dl_error *err)
{
	const struct profile_credential *admin = profile_find_credential(r->profile, "admin");
	if (!admin || !admin->username || !admin->password) {
		json_object_object_add(restore, "method", json_object_new_string("none"));
		json_object_object_add(
			restore, "note",
			json_object_new_string("the profile has no admin credential to restore"));
		return 0;
	}
	const char *method = "none";
	bool changed = false;
	if (strcmp(admin->username, factory->username) == 0 &&
	    strcmp(admin->password, factory->password) == 0) {
		/* The admin's password in service is the default itself. */
		method = "none needed";
		changed = true;
	}
	/* The DUT's own way first: the forced change, or its change-password path. */
	if (!changed && strcmp(admin->username, factory->username) == 0) {
		for (size_t n = 0; n < r->adapter_count && !changed; n++) {
			size_t a = (preferred + n) % r->adapter_count;
			if (!(login_capabilities(r->adapters[a]) & LOGIN_CAN_CHANGE_PASSWORD))
				continue;
			struct login_response resp;
			memset(&resp, 0, sizeof(resp));
			struct dl_error e = {0};
			int rc = login_change_password(&targets[a], factory->username,
						       factory->password, admin->password, &resp,
						       &e);
			if (rc == DL_ETIMEDOUT) {
				*err = e;
				return rc;
			}
			struct json_object *step = json_object_new_object();
			json_object_object_add(step, "adapter",
					       json_object_new_string(r->adapters[a]->name));
			json_object_object_add(
				step, "outcome",
				json_object_new_string(rc ? "error"
							  : login_outcome_name(resp.outcome)));
			json_object_object_add(
				step, "excerpt",
				json_object_new_string(rc ? e.message : resp.excerpt));
			json_object_object_add(restore, "change_password", step);
			if (rc == 0 && resp.outcome == LOGIN_ACCEPTED) {
				changed = true;
				method = "change_password";
			}
		}
	}
	if (!changed && profile_find_operation(r->profile, RESTORE_OPERATION)) {
		struct json_object *step = json_object_new_object();
		json_object_object_add(restore, RESTORE_OPERATION, step);
		int rc =
			run_exec(r, RESTORE_OPERATION, admin->username, admin->password, step, err);
		if (rc == DL_ETIMEDOUT)
			return rc;
		if (rc == 0 && json_read_int(step, "exit_status", -1) == 0) {
			changed = true;
			method = RESTORE_OPERATION;
		}
	}
	json_object_object_add(restore, "method", json_object_new_string(method));

	/* Verify: the admin logs in everywhere, and so does the test account. */
	struct json_object *verified = json_object_new_array();
	json_object_object_add(restore, "verified", verified);
	bool all = true;
	const char *why = NULL;
	const struct profile_credential *test = auth_test_credential(r->profile, &why);
	for (size_t a = 0; a < r->adapter_count; a++) {
		struct login_response resp;
		int rc = auth_attempt(&targets[a], admin->username, admin->password, &resp, NULL,
				      err);
		if (rc)
			return rc;
		struct json_object *v = json_object_new_object();
		json_object_object_add(v, "adapter", json_object_new_string(r->adapters[a]->name));
		json_object_object_add(v, "admin",
				       json_object_new_string(login_outcome_name(resp.outcome)));
		if (resp.outcome != LOGIN_ACCEPTED)
			all = false;
		if (test) {
			rc = auth_attempt(&targets[a], test->username, test->password, &resp, NULL,
					  err);
			if (rc)
				return rc;
			json_object_object_add(
				v, "test",
				json_object_new_string(login_outcome_name(resp.outcome)));
		}
		json_object_array_add(verified, v);
	}
	json_object_object_add(restore, "restored", json_object_new_boolean(changed && all));
	return 0;
}

/* Phase 2: factory reset, one default login per interface, restore. */
static int reset_and_login(const struct auth_run *r, const struct profile_credential *factory,
			   struct json_object *reset, struct dl_error *err)
{
	int rc = run_exec(r, RESET_OPERATION, NULL, NULL, reset, err);
	if (rc == DL_EINVAL) {
		/* The template wants the admin's credentials: give them. */
		const struct profile_credential *admin =
			profile_find_credential(r->profile, "admin");
		dl_error_clear(err);
		rc = run_exec(r, RESET_OPERATION, admin ? admin->username : NULL,
			      admin ? admin->password : NULL, reset, err);
	}
	if (rc)
		return rc;
	if (json_read_int(reset, "exit_status", -1) != 0 || json_read_true(reset, "timed_out")) {
		/* No reset happened (or half of one): logging in with the
		 * default proves nothing; the judge says why, with the transcript. */
		json_object_object_add(reset, "failed", json_object_new_boolean(true));
		return 0;
	}
	const struct profile_operation *op = profile_find_operation(r->profile, RESET_OPERATION);
	int64_t wait_until =
		sock_now_ns() +
		(int64_t)(op && op->timeout_seconds ? op->timeout_seconds : 60) * 1000000000LL;
	bool back = wait_services(r, wait_until);
	json_object_object_add(reset, "services_back", json_object_new_boolean(back));

	struct login_target targets[AUTH_ADAPTERS_MAX];
	static char paths[AUTH_ADAPTERS_MAX][AUTH_PATH_MAX + 64];
	struct json_object *logins = json_object_new_array();
	json_object_object_add(reset, "logins", logins);
	size_t preferred = 0;
	for (size_t a = 0; a < r->adapter_count; a++) {
		auth_target(r, r->adapters[a], "defaults-reset", &targets[a], paths[a],
			    sizeof(paths[a]), NULL, 0);
		struct json_object *e = adapter_head(r->adapters[a]);
		json_object_array_add(logins, e);
		enum login_outcome outcome = LOGIN_UNREACHABLE;
		auth_progress(r, a, r->adapter_count, "default login after the factory reset");
		rc = login_and_use(r, &targets[a], factory->username, factory->password, e,
				   &outcome, err);
		if (rc)
			break;
		if (outcome == LOGIN_CHANGE_REQUIRED && preferred == 0)
			preferred = a;
	}
	/* Restore even when a login failed: the campaign must go on logging in. */
	struct json_object *restore = json_object_new_object();
	json_object_object_add(reset, "restore", restore);
	struct dl_error restore_err = {0};
	int restore_rc = restore_admin(r, factory, targets, preferred, restore, &restore_err);
	if (restore_rc)
		json_object_object_add(restore, "error",
				       json_object_new_string(restore_err.message));
	if (rc)
		return rc;
	if (restore_rc) {
		*err = restore_err;
		return restore_rc;
	}
	return 0;
}

/*
 * The other units' defaults (units[].factory_password): on every login
 * interface of each unit, the DUT's own factory default (a shared default
 * would get in) and the unit's declared one (it must get in, or be forced
 * to change: the declaration is true). One wrong try per unit and
 * interface: no lockout is near.
 */
static int try_units(const struct auth_run *r, const struct profile_credential *factory,
		     struct json_object *units, struct dl_error *err)
{
	struct json_object *list = json_object_new_array();
	json_object_object_add(units, "entries", list);
	int rc = 0;
	for (size_t u = 0; u < r->profile->unit_count && !rc; u++) {
		const struct profile_unit *unit = &r->profile->units[u];
		if (!unit->factory_password)
			continue;
		struct json_object *e = json_object_new_object();
		json_object_array_add(list, e);
		json_object_object_add(e, "serial", json_object_new_string(unit->serial));
		/* a unit's label default is printed on it: public, as the DUT's is */
		json_object_object_add(e, "factory_password",
				       json_object_new_string(unit->factory_password));
		bool differs = strcmp(unit->factory_password, factory->password) != 0;
		for (size_t k = 0; k < r->profile->unit_count && differs; k++)
			differs = k == u || !r->profile->units[k].factory_password ||
				  strcmp(unit->factory_password,
					 r->profile->units[k].factory_password) != 0;
		json_object_object_add(e, "differs", json_object_new_boolean(differs));
		if (unit->address_count == 0)
			continue;
		json_object_object_add(e, "address", json_object_new_string(unit->addresses[0]));
		struct json_object *logins = json_object_new_array();
		json_object_object_add(e, "logins", logins);
		for (size_t a = 0; a < r->adapter_count && !rc; a++) {
			struct login_target t;
			char path[AUTH_PATH_MAX + 64];
			auth_target(r, r->adapters[a], "defaults-units", &t, path, sizeof(path),
				    NULL, 0);
			t.address = unit->addresses[0];
			struct json_object *l = adapter_head(r->adapters[a]);
			json_object_array_add(logins, l);
			auth_progress(r, u, r->profile->unit_count, "the other units' defaults");
			struct login_response resp;
			rc = auth_attempt(&t, factory->username, factory->password, &resp, NULL,
					  err);
			if (rc)
				break;
			json_object_object_add(
				l, "dut_default",
				json_object_new_string(login_outcome_name(resp.outcome)));
			rc = auth_attempt(&t, factory->username, unit->factory_password, &resp,
					  NULL, err);
			if (!rc)
				json_object_object_add(
					l, "own_default",
					json_object_new_string(login_outcome_name(resp.outcome)));
		}
	}
	return rc;
}

static int collect_defaults(const struct check_context *ctx, struct json_object **observation,
			    struct dl_error *err)
{
	*observation = NULL;
	struct auth_run r;
	int rc = auth_run_init(&r, ctx, err);
	if (rc)
		return rc;
	struct auth_pacing pacing;
	auth_pacing_from_profile(r.profile, &pacing);
	const struct profile_credential *factory =
		profile_find_credential(r.profile, "factory_default");
	if (factory && (!factory->username || !factory->password))
		factory = NULL;

	struct json_object *o = json_object_new_object();
	if (!o)
		return dl_error_set(err, DL_ENOMEM, "auth: out of memory");
	json_object_object_add(o, "version", json_object_new_int(1));
	json_object_object_add(o, "address", json_object_new_string(r.address));
	json_object_object_add(o, "pacing", auth_pacing_json(&pacing));
	struct json_object *list = json_object_new_object();
	json_object_object_add(list, "source", json_object_new_string(auth_default_list_source));
	json_object_object_add(list, "pairs",
			       json_object_new_int64((int64_t)auth_default_list_count));
	json_object_object_add(o, "list", list);
	struct json_object *fd = json_object_new_object();
	json_object_object_add(fd, "declared", json_object_new_boolean(factory != NULL));
	if (factory) {
		/* The vendor's published default: public, so it may be shown. */
		json_object_object_add(fd, "username", json_object_new_string(factory->username));
		json_object_object_add(fd, "password", json_object_new_string(factory->password));
	}
	json_object_object_add(o, "factory_default", fd);
	struct json_object *units = json_object_new_object();
	json_object_object_add(units, "count",
			       json_object_new_int64((int64_t)r.profile->unit_count));
	bool per_unit = false;
	for (size_t u = 0; u < r.profile->unit_count; u++)
		per_unit = per_unit || r.profile->units[u].factory_password;
	per_unit = per_unit && factory;
	json_object_object_add(units, "per_unit_defaults", json_object_new_boolean(per_unit));
	json_object_object_add(o, "units", units);

	rc = try_defaults(&r, &pacing, factory, o, err);
	if (!rc && per_unit)
		rc = try_units(&r, factory, units, err);
	if (rc) {
		json_object_put(o);
		return rc;
	}
	struct json_object *reset = json_object_new_object();
	json_object_object_add(o, "reset", reset);
	bool declared = profile_find_operation(r.profile, RESET_OPERATION) != NULL;
	json_object_object_add(reset, "declared", json_object_new_boolean(declared));
	if (declared && factory && r.adapter_count > 0) {
		rc = reset_and_login(&r, factory, reset, err);
		if (rc) {
			json_object_put(o);
			return rc;
		}
	}
	auth_progress(&r, 1, 1, "done");
	*observation = o;
	return 0;
}

/* ---- the judge ---- */

/* Was this accepted login usable, or did the DUT force the change first? */
static bool forced(const struct json_object *e)
{
	const char *outcome = json_read_text(e, "outcome", "");
	if (strcmp(outcome, "change_required") == 0)
		return true;
	return strcmp(outcome, "accepted") == 0 &&
	       strcmp(json_read_text(e, "action_outcome", ""), "refused") == 0;
}

static const char *use_text(const struct json_object *e, char *buf, size_t size)
{
	const char *action = json_read_text(e, "action", NULL);
	const char *ao = json_read_text(e, "action_outcome", "");
	if (strcmp(json_read_text(e, "outcome", ""), "change_required") == 0)
		snprintf(buf, size, "accepted only to change the password first");
	else if (action && strcmp(ao, "refused") == 0)
		snprintf(buf, size, "accepted, but the admin action '%s' was refused", action);
	else if (action && strcmp(ao, "accepted") == 0)
		snprintf(buf, size, "accepted, and the admin action '%s' was performed", action);
	else if (action)
		snprintf(buf, size, "accepted (the admin action '%s' gave %s)", action, ao);
	else
		snprintf(buf, size, "accepted without asking for a change");
	return buf;
}

static void label(const struct json_object *a, char *buf, size_t size)
{
	snprintf(buf, size, "%s (%s, %s/%" PRId64 ")", json_read_text(a, "name", "?"),
		 json_read_text(a, "driver", "?"), json_read_text(a, "proto", "tcp"),
		 json_read_int(a, "port", 0));
}

static int judge_default_credentials(const struct json_object *observation,
				     const struct check_params *params,
				     const struct profile *profile, struct check_verdict *out,
				     struct dl_error *err)
{
	(void)profile;
	struct json_object *adapters = json_read_array(observation, "adapters");
	const struct json_object *reset = json_read_object(observation, "reset");
	if (!adapters || !reset)
		return dl_error_set(
			err, DL_EINVAL,
			"auth.default-credentials: the observation lacks adapters or reset");
	size_t n = json_read_length(adapters);
	if (n == 0)
		return check_verdict_set(
			out, VERDICT_NOT_APPLICABLE,
			"the profile declares no login adapter to try defaults on");
	const struct json_object *factory = json_read_object(observation, "factory_default");
	bool factory_declared = json_read_true(factory, "declared");
	const char *fuser = json_read_text(factory, "username", "?");
	const char *fpass = json_read_text(factory, "password", "?");
	int rc = 0;
	size_t usable = 0, untried = 0, dead = 0, tried = 0;
	char where[192], use[192], first_fail[512] = "";

	/* Phase 3 (judged first: it decides how phases 1 and 2 read): the other units. */
	const struct json_object *units = json_read_object(observation, "units");
	bool per_unit = json_read_true(units, "per_unit_defaults");
	struct json_object *entries = json_read_array(units, "entries");
	size_t unit_count = json_read_length(entries), units_own = 0;
	for (size_t i = 0; i < unit_count && !rc; i++) {
		struct json_object *e = json_object_array_get_idx(entries, i);
		const char *serial = json_read_text(e, "serial", "?");
		struct json_object *logins = json_read_array(e, "logins");
		bool own = json_read_true(e, "differs") && json_read_length(logins) > 0;
		if (!json_read_true(e, "differs"))
			rc = check_verdict_add(
				out, FINDING_WARNING, NULL,
				"unit %s declares the default %s, the DUT's or another "
				"unit's",
				serial, json_read_text(e, "factory_password", "?"));
		else if (json_read_length(logins) == 0)
			rc = check_verdict_add(
				out, FINDING_WARNING, NULL,
				"unit %s has no address, so its default was not tried", serial);
		for (size_t k = 0; k < json_read_length(logins) && !rc; k++) {
			struct json_object *l = json_object_array_get_idx(logins, k);
			label(l, where, sizeof(where));
			const char *dut = json_read_text(l, "dut_default", "");
			const char *mine = json_read_text(l, "own_default", "");
			bool shared =
				strcmp(dut, "accepted") == 0 || strcmp(dut, "change_required") == 0;
			bool confirmed = strcmp(mine, "accepted") == 0 ||
					 strcmp(mine, "change_required") == 0;
			if (shared)
				rc = check_verdict_add(
					out, FINDING_WARNING, NULL,
					"unit %s (%s) %s accepts the DUT's default %s/%s: "
					"the default is shared",
					serial, json_read_text(e, "address", "?"), where, fuser,
					fpass);
			else if (!confirmed)
				rc = check_verdict_add(
					out, FINDING_WARNING, NULL,
					"unit %s (%s) %s answered its declared default "
					"%s with '%s': the declaration is not confirmed",
					serial, json_read_text(e, "address", "?"), where,
					json_read_text(e, "factory_password", "?"), mine);
			own = own && !shared && confirmed && strcmp(dut, "refused") == 0;
		}
		if (!rc && own) {
			units_own++;
			rc = check_verdict_add(
				out, FINDING_PASS, NULL,
				"unit %s (%s) has its own default: the DUT's %s/%s is "
				"refused on its %zu interfaces, its own %s gets in",
				serial, json_read_text(e, "address", "?"), fuser, fpass,
				json_read_length(logins),
				json_read_text(e, "factory_password", "?"));
		}
	}
	/* "the default passwords of every unit differ": the other branch of the clause */
	bool units_differ = per_unit && unit_count > 0 && units_own == unit_count;

	/* Phase 1: as delivered. */
	for (size_t i = 0; i < n && !rc; i++) {
		struct json_object *a = json_object_array_get_idx(adapters, i);
		label(a, where, sizeof(where));
		tried += (size_t)json_read_int(a, "tried", 0);
		untried += (size_t)json_read_int(a, "untried", 0);
		int64_t unreachable = json_read_int(a, "unreachable", 0);
		if (unreachable > 0 && unreachable == json_read_int(a, "tried", 0)) {
			dead++;
			rc = check_verdict_add(
				out, FINDING_WARNING, json_read_text(a, "transcript", NULL),
				"%s gave no usable answer to any of %" PRId64 " default logins: %s",
				where, unreachable, json_read_text(a, "first_unreachable", ""));
		}
		struct json_object *acc = json_read_array(a, "accepted");
		for (size_t k = 0; k < json_read_length(acc) && !rc; k++) {
			struct json_object *e = json_object_array_get_idx(acc, k);
			bool is_factory =
				strcmp(json_read_text(e, "source", ""), "factory_default") == 0;
			const char *u = json_read_text(e, "username", "?");
			const char *p = json_read_text(e, "password", "?");
			if (forced(e)) {
				rc = check_verdict_add(
					out, FINDING_PASS, json_read_text(a, "transcript", NULL),
					"%s: the %s %s/%s was %s", where,
					is_factory ? "factory default" : "well-known default", u,
					*p ? p : "(empty)", use_text(e, use, sizeof(use)));
				continue;
			}
			if (is_factory && units_differ) {
				/* a per-unit default: this unit's own, not another's */
				rc = check_verdict_add(
					out, FINDING_PASS, json_read_text(a, "transcript", NULL),
					"%s: the factory default %s/%s is this unit's own (the "
					"units' defaults differ): %s",
					where, u, *p ? p : "(empty)",
					use_text(e, use, sizeof(use)));
				continue;
			}
			usable++;
			if (!first_fail[0])
				snprintf(first_fail, sizeof(first_fail),
					 "%s accepts the %s %s/%s for normal use", where,
					 is_factory ? "factory default" : "well-known default", u,
					 *p ? p : "(empty)");
			rc = check_verdict_add(
				out, FINDING_FAIL, json_read_text(a, "transcript", NULL),
				"%s accepts the %s %s/%s as delivered: %s", where,
				is_factory ? "factory default"
					   : "well-known default ("
					     "list"
					     ")",
				u, *p ? p : "(empty)", use_text(e, use, sizeof(use)));
		}
	}
	if (rc)
		return rc;
	const struct json_object *pacing = json_read_object(observation, "pacing");
	if (untried > 0)
		rc = check_verdict_add(
			out, FINDING_WARNING, NULL,
			"%zu of %zu default logins were left untried: %s (at most %" PRId64
			" wrong tries per user name per %" PRId64 " s window, so "
			"no account locks)",
			untried, untried + tried, json_read_text(observation, "stopped", "stopped"),
			json_read_int(pacing, "tries_per_window", 0),
			json_read_int(pacing, "window_seconds", 0));
	else
		rc = check_verdict_add(
			out, FINDING_INFO, NULL,
			"%zu default logins tried on %zu interfaces (the factory "
			"default and %" PRId64 " well-known pairs: %s), at most %" PRId64
			" wrong tries per user name per %" PRId64 " s window",
			tried, n, json_read_int(json_read_object(observation, "list"), "pairs", 0),
			json_read_text(json_read_object(observation, "list"), "source", ""),
			json_read_int(pacing, "tries_per_window", 0),
			json_read_int(pacing, "window_seconds", 0));
	if (rc)
		return rc;

	/* Phase 2: after a factory reset. */
	bool reset_declared = json_read_true(reset, "declared");
	struct json_object *logins = json_read_array(reset, "logins");
	size_t reset_forced = 0, reset_usable = 0, reset_dead = 0;
	for (size_t i = 0; i < json_read_length(logins) && !rc; i++) {
		struct json_object *e = json_object_array_get_idx(logins, i);
		label(e, where, sizeof(where));
		const char *outcome = json_read_text(e, "outcome", "");
		const char *transcript = json_read_text(reset, "transcript", NULL);
		if (strcmp(outcome, "unreachable") == 0) {
			reset_dead++;
			rc = check_verdict_add(
				out, FINDING_WARNING, transcript,
				"after the factory reset %s gave no usable answer: %s", where,
				json_read_text(e, "excerpt", ""));
		} else if (strcmp(outcome, "refused") == 0) {
			reset_forced++;
			rc = check_verdict_add(out, FINDING_PASS, transcript,
					       "after the factory reset %s refuses the factory "
					       "default %s/%s",
					       where, fuser, fpass);
		} else if (forced(e)) {
			reset_forced++;
			rc = check_verdict_add(out, FINDING_PASS, transcript,
					       "after the factory reset %s: the factory default "
					       "%s/%s was %s",
					       where, fuser, fpass, use_text(e, use, sizeof(use)));
		} else if (units_differ) {
			/* no forced change, but every unit has its own default */
			rc = check_verdict_add(
				out, FINDING_INFO, transcript,
				"after the factory reset %s accepts the factory default "
				"%s/%s without forcing a change (this unit's own)",
				where, fuser, fpass);
		} else {
			reset_usable++;
			if (!first_fail[0])
				snprintf(first_fail, sizeof(first_fail),
					 "after the factory reset %s accepts the factory default "
					 "%s/%s without forcing a change",
					 where, fuser, fpass);
			rc = check_verdict_add(
				out, FINDING_FAIL, transcript,
				"after the factory reset %s accepts the factory default "
				"%s/%s without forcing a change: %s",
				where, fuser, fpass, use_text(e, use, sizeof(use)));
		}
	}
	const struct json_object *restore = json_read_object(reset, "restore");
	if (!rc && restore) {
		if (json_read_true(restore, "restored"))
			rc = check_verdict_add(
				out, FINDING_INFO, NULL,
				"the admin password was restored after the reset (%s) "
				"and logs in on every interface",
				json_read_text(restore, "method", "?"));
		else
			rc = check_verdict_add(
				out, FINDING_WARNING, NULL,
				"the admin password could not be restored after the "
				"reset (method: %s%s%s): later checks may not log in",
				json_read_text(restore, "method", "none"),
				json_read_text(restore, "error", NULL) ? "; " : "",
				json_read_text(restore, "error", ""));
	}
	if (!rc && !per_unit && json_read_int(units, "count", 0) > 0)
		rc = check_verdict_add(out, FINDING_INFO, NULL,
				       "the profile lists %" PRId64
				       " units but no per-unit factory "
				       "default (units[].factory_password), so the branch "
				       "'defaults differ between units' is not tested",
				       json_read_int(units, "count", 0));
	if (!rc && strcmp(check_param_get(params, "secrets", "passwords"), "passwords") != 0)
		rc = check_verdict_add(
			out, FINDING_INFO, NULL,
			"default keys are judged where they are read: unique per unit "
			"(IoT 5.2.1.3, keys.units) and regenerated at a reset "
			"(keys.factory-reset); this check decides the default passwords");
	if (rc)
		return rc;

	if (usable + reset_usable > 0)
		return check_verdict_set(out, VERDICT_FAIL, "%s%s", first_fail,
					 usable + reset_usable > 1 ? " (and more: see the findings)"
								   : "");
	if (units_differ)
		return check_verdict_set(
			out, VERDICT_PASS,
			"the default passwords differ between the units: on each "
			"of the %zu other units the DUT's default %s/%s is refused "
			"and its own gets in; none of %zu default logins was usable "
			"as delivered",
			unit_count, fuser, fpass, tried);
	if (!reset_declared)
		return check_verdict_set(
			out, VERDICT_MANUAL,
			"no interface accepted any of %zu default logins, but the profile declares "
			"no factory_reset operation, so whether the first login after a reset is "
			"forced to change the default is for a person to test",
			tried);
	if (!factory_declared)
		return check_verdict_set(out, VERDICT_MANUAL,
					 "no interface accepted any of %zu well-known defaults; "
					 "the profile declares "
					 "no factory_default credential, so the vendor's own "
					 "default after a reset is "
					 "for a person to test",
					 tried);
	if (json_read_true(reset, "failed"))
		return check_verdict_set(
			out, VERDICT_INCONCLUSIVE,
			"the factory_reset operation failed (exit status %" PRId64
			"%s; see %s), so the first login after a reset was not seen; "
			"none of %zu default logins was usable as delivered",
			json_read_int(reset, "exit_status", -1),
			json_read_true(reset, "timed_out") ? ", timed out" : "",
			json_read_text(reset, "transcript", "its transcript"), tried);
	if (json_read_length(logins) == 0 || reset_dead > 0 || dead == n)
		return check_verdict_set(
			out, VERDICT_INCONCLUSIVE,
			"%zu of %zu interfaces gave no usable answer to the default "
			"login after the factory reset",
			reset_dead, json_read_length(logins));
	return check_verdict_set(
		out, VERDICT_PASS,
		"after a factory reset every interface (%zu) forced a change of the "
		"default %s/%s or refused it, and none of %zu default logins was "
		"usable as delivered",
		reset_forced, fuser, fpass, tried);
}

static const char *const default_credentials_params[] = {"secrets", NULL};

const struct collector collector_auth_defaults = {
	.id = "auth.defaults",
	.summary = "factory and well-known default logins on every login adapter, paced under "
		   "the lockout; a factory reset, the default login, and the admin restored",
	.needs = NEED_DUT_ADDRESS | NEED_LOGIN_ADAPTER,
	.timeout_seconds = 900,
	.expected_seconds = 300,
	.changes_dut = true,
	.collect = collect_defaults,
};

const struct check check_auth_default_credentials = {
	.id = "auth.default-credentials",
	.summary = "no interface is usable with a default password: changed before use after a "
		   "factory reset (TS 5.4.2.1, IoT 5.1.1.1)",
	.collector = &collector_auth_defaults,
	.params = default_credentials_params,
	.judge = judge_default_credentials,
};
