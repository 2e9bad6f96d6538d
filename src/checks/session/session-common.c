/* session-common: the login targets, JSON records and waits the session collectors and judges share
 */
#include "core/compat.h"

#include <json-c/json.h>
#include <sys/stat.h>
#include <time.h>

#include "adapters/login.h"
#include "checks/check.h"
#include "checks/session/session.h"
#include "core/error.h"
#include "core/json-read.h"
#include "core/profile.h"
#include "net/sock.h"

/* Whom the collectors log in as: the account tests may use, else the admin,
 * else the first credential that is not the factory default. A thousand
 * logins touch no password and lock nothing, but the test account keeps
 * them out of the admin's records. */
static const struct profile_credential *pick_credential(const struct profile *p)
{
	const struct profile_credential *c = NULL;
	if (p->auth.test_credential)
		c = profile_find_credential(p, p->auth.test_credential);
	if (!c)
		c = profile_find_credential(p, "admin");
	for (size_t i = 0; !c && i < p->credential_count; i++)
		if (strcmp(p->credentials[i].role, "factory_default") != 0)
			c = &p->credentials[i];
	return c;
}

int session_run_init(struct session_run *r, const struct check_context *ctx, struct dl_error *err)
{
	memset(r, 0, sizeof(*r));
	r->ctx = ctx;
	const struct profile *p = ctx->profile;
	if (!p || p->address_count == 0)
		return dl_error_set(err, DL_EINVAL,
				    "session: the profile declares no dut.addresses; add the DUT's "
				    "management address");
	r->address = p->addresses[0];
	r->credential = pick_credential(p);
	if (!r->credential)
		return dl_error_set(err, DL_EINVAL,
				    "session: the profile declares no credential to log in with; "
				    "add credentials (role test or admin)");
	r->adapter_count = login_adapters(p, r->adapters, SESSION_ADAPTERS_MAX);
	if (r->adapter_count > SESSION_ADAPTERS_MAX)
		r->adapter_count = SESSION_ADAPTERS_MAX;
	if (!ctx->evidence_dir)
		return dl_error_set(err, DL_EINVAL, "session: no evidence folder");
	int n = snprintf(r->evidence_dir, sizeof(r->evidence_dir), "%s/session", ctx->evidence_dir);
	if (n < 0 || (size_t)n >= sizeof(r->evidence_dir))
		return dl_error_set(err, DL_EINVAL, "session: evidence folder path too long");
	if (mkdir(r->evidence_dir, 0755) != 0 && errno != EEXIST)
		return dl_error_set(err, DL_EIO, "session: cannot create %s: %s", r->evidence_dir,
				    strerror(errno));
	return 0;
}

int session_credential_ready(struct session_run *r, const struct profile_adapter *a,
			     const char **note, struct dl_error *err)
{
	*note = NULL;
	struct login_target t;
	session_target(r, a, NULL, NULL, 0, &t);
	const struct profile *p = r->ctx->profile;
	for (int round = 0; round < 3; round++) {
		struct login_response resp;
		int rc = login_attempt(&t, r->credential->username, r->credential->password, &resp,
				       NULL, err);
		if (rc)
			return rc;
		if (resp.outcome != LOGIN_REFUSED)
			return 0; /* accepted, or a result the collector records itself */
		if (round == 0 && p->auth.lockout_period_seconds > 0) {
			unsigned wait = p->auth.lockout_period_seconds + 5;
			*note = "the test account was refused (locked by an earlier test?): waited "
				"for the declared lockout period and tried again";
			session_sleep_until(r, sock_now_ns() + (int64_t)(wait < 120 ? wait : 120) *
								       1000000000LL);
			continue;
		}
		const struct profile_credential *admin = profile_find_credential(p, "admin");
		if (!admin || admin == r->credential)
			return 0;
		r->credential = admin;
		*note = "the test account was refused: the admin's credential was used instead";
	}
	return 0;
}

void session_target(const struct session_run *r, const struct profile_adapter *a,
		    const char *transcript_name, char *path, size_t path_size,
		    struct login_target *t)
{
	memset(t, 0, sizeof(*t));
	t->profile = r->ctx->profile;
	t->adapter = a;
	t->scope = r->ctx->scope;
	t->address = r->address;
	t->deadline_ns = r->ctx->deadline_ns;
	if (transcript_name && path_size > 0) {
		int n = snprintf(path, path_size, "%s/%s", r->evidence_dir, transcript_name);
		if (n > 0 && (size_t)n < path_size)
			t->transcript_path = path;
	}
}

struct json_object *session_interface_json(const struct profile_adapter *a)
{
	static const struct {
		unsigned flag;
		const char *name;
	} caps[] = {
		{LOGIN_CAN_LOGOUT, "logout"},   {LOGIN_CAN_PROBE, "probe"},
		{LOGIN_CAN_PERFORM, "perform"}, {LOGIN_CAN_CHANGE_PASSWORD, "change_password"},
		{LOGIN_HAS_TOKEN, "token"},     {LOGIN_CAN_REPLAY, "replay"},
	};
	struct json_object *o = json_object_new_object();
	struct json_object *list = json_object_new_array();
	if (!o || !list) {
		json_object_put(o);
		json_object_put(list);
		return NULL;
	}
	unsigned have = login_capabilities(a);
	for (size_t i = 0; i < DL_ARRAY_SIZE(caps); i++)
		if (have & caps[i].flag)
			json_object_array_add(list, json_object_new_string(caps[i].name));
	json_object_object_add(o, "adapter", json_object_new_string(a->name ? a->name : ""));
	json_object_object_add(o, "driver", json_object_new_string(a->driver ? a->driver : ""));
	json_object_object_add(o, "port", json_object_new_int(a->port));
	json_object_object_add(o, "proto",
			       json_object_new_string(a->service_proto ? a->service_proto : "tcp"));
	json_object_object_add(o, "capabilities", list);
	json_object_object_add(o, "skipped", NULL);
	return o;
}

struct json_object *session_response_json(const struct login_response *r)
{
	struct json_object *o = json_object_new_object();
	if (!o)
		return NULL;
	json_object_object_add(o, "outcome",
			       json_object_new_string(login_outcome_name(r->outcome)));
	json_object_object_add(o, "status", json_object_new_int(r->status));
	json_object_object_add(o, "fingerprint", json_object_new_string(r->fingerprint));
	json_object_object_add(o, "excerpt", json_object_new_string(r->excerpt));
	json_object_object_add(o, "latency_ms", json_object_new_int64(r->latency_ns / 1000000));
	json_object_object_add(o, "encrypted", json_object_new_boolean(r->encrypted));
	json_object_object_add(o, "challenge_response",
			       json_object_new_boolean(r->challenge_response));
	return o;
}

void session_progress(const struct session_run *r, uint64_t done, uint64_t total, const char *what)
{
	if (r->ctx->progress)
		r->ctx->progress(r->ctx->progress_opaque, done, total, what);
}

bool session_sleep_until(const struct session_run *r, int64_t when_ns)
{
	int64_t deadline = r->ctx->deadline_ns;
	if (deadline > 0 && when_ns > deadline)
		return false;
	/* bounded: one wait never exceeds the longest idle wait plus a minute */
	int64_t cap = sock_now_ns() + (int64_t)(SESSION_IDLE_WAIT_MAX_SECONDS + 60) * 1000000000LL;
	if (when_ns > cap)
		when_ns = cap;
	for (int i = 0; i < 100000; i++) {
		int64_t left = when_ns - sock_now_ns();
		if (left <= 0)
			return true;
		struct timespec ts = {.tv_sec = (time_t)(left / 1000000000LL),
				      .tv_nsec = (long)(left % 1000000000LL)};
		nanosleep(&ts, NULL);
	}
	return sock_now_ns() >= when_ns;
}

const char *session_label(const struct json_object *interface, char *buf, size_t size)
{
	snprintf(buf, size, "%s (%s, %s/%" PRId64 ")", json_read_text(interface, "adapter", "?"),
		 json_read_text(interface, "driver", "?"),
		 json_read_text(interface, "proto", "tcp"), json_read_int(interface, "port", 0));
	return buf;
}

bool session_outcome_is(const struct json_object *response, const char *name)
{
	const char *o = json_read_text(response, "outcome", NULL);
	return o && strcmp(o, name) == 0;
}

bool session_driver_listed(const char *drivers, const char *driver)
{
	if (!drivers || !drivers[0] || strcmp(drivers, "all") == 0)
		return true;
	size_t n = strlen(driver);
	for (const char *p = drivers; *p;) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		if (len == n && strncmp(p, driver, n) == 0)
			return true;
		if (!end)
			break;
		p = end + 1;
	}
	return false;
}
