/* login: the login adapter API as a dispatch over the table of login drivers */
#include "core/compat.h"

#include "adapters/login-common.h"
#include "adapters/login-driver.h"
#include "adapters/login.h"
#include "core/error.h"
#include "core/profile.h"

/* Every login driver, once; a new driver adds one line (login-driver.h). */
static const struct login_driver *const drivers[] = {
	&login_driver_http_form, &login_driver_http_basic,   &login_driver_http_digest,
	&login_driver_http_json, &login_driver_ssh_password, &login_driver_telnet,
	&login_driver_rtsp,      &login_driver_onvif,
};

static const struct login_driver *find_driver(const char *name)
{
	for (size_t i = 0; name && i < DL_ARRAY_SIZE(drivers); i++)
		if (strcmp(drivers[i]->name, name) == 0)
			return drivers[i];
	return NULL;
}

const char *login_outcome_name(enum login_outcome outcome)
{
	switch (outcome) {
	case LOGIN_ACCEPTED: return "accepted";
	case LOGIN_REFUSED: return "refused";
	case LOGIN_CHANGE_REQUIRED: return "change_required";
	case LOGIN_UNREACHABLE: return "unreachable";
	}
	return "unknown";
}

bool login_driver_known(const char *name)
{
	return find_driver(name) != NULL;
}

void login_driver_names(char *out, size_t size)
{
	size_t used = 0;
	if (size == 0)
		return;
	out[0] = '\0';
	for (size_t i = 0; i < DL_ARRAY_SIZE(drivers) && used < size; i++) {
		int n = snprintf(out + used, size - used, "%s%s",
				 i == 0                            ? ""
				 : i + 1 == DL_ARRAY_SIZE(drivers) ? " or "
								   : ", ",
				 drivers[i]->name);
		if (n < 0)
			break;
		used += (size_t)n;
	}
}

/* Nothing measured yet: a driver that returns early leaves "unreachable". */
static void response_reset(struct login_response *out)
{
	memset(out, 0, sizeof(*out));
	out->outcome = LOGIN_UNREACHABLE;
}

/* The driver of a target, with the target's pointers checked. */
static int target_driver(const struct login_target *target, const struct login_driver **driver,
			 struct dl_error *err)
{
	if (!target || !target->adapter || !target->scope || !target->address ||
	    !target->address[0])
		return dl_error_set(
			err, DL_EINVAL,
			"login: no adapter, scope or address given; expected a complete "
			"struct login_target");
	*driver = find_driver(target->adapter->driver);
	if (!*driver)
		return dl_error_set(err, DL_EINVAL,
				    "login: adapter '%s' has the driver '%s', which is not a login "
				    "driver",
				    target->adapter->name ? target->adapter->name : "?",
				    target->adapter->driver ? target->adapter->driver : "none");
	return 0;
}

static int unsupported(const struct profile_adapter *adapter, const char *what,
		       struct dl_error *err)
{
	return dl_error_set(err, DL_EUNSUPPORTED, "login: the %s driver of adapter '%s' cannot %s",
			    adapter->driver, adapter->name, what);
}

int login_attempt(const struct login_target *target, const char *username, const char *password,
		  struct login_response *out, struct login_session **session, struct dl_error *err)
{
	const struct login_driver *driver;
	if (session)
		*session = NULL;
	if (out)
		response_reset(out);
	if (!out || !username || !password)
		return dl_error_set(err, DL_EINVAL,
				    "login: no username, password or response; expected all three");
	int rc = target_driver(target, &driver, err);
	if (rc)
		return rc;
	if (!driver->attempt)
		return unsupported(target->adapter, "log in", err);
	rc = driver->attempt(target, username, password, out, session, err);
	if (session && *session && (rc || out->outcome != LOGIN_ACCEPTED)) {
		/* The contract: a session only for an accepted login. */
		driver->close(*session);
		*session = NULL;
	}
	return rc;
}

static int session_check(struct login_session *session, struct login_response *out,
			 struct dl_error *err)
{
	if (out)
		response_reset(out);
	if (!session || !session->driver || !out)
		return dl_error_set(err, DL_EINVAL, "login: no session or response given");
	return 0;
}

int login_logout(struct login_session *session, struct login_response *out, struct dl_error *err)
{
	int rc = session_check(session, out, err);
	if (rc)
		return rc;
	if (!session->driver->logout ||
	    !(login_capabilities(session->target.adapter) & LOGIN_CAN_LOGOUT))
		return unsupported(session->target.adapter, "log out (no logout configured)", err);
	return session->driver->logout(session, out, err);
}

int login_session_probe(struct login_session *session, struct login_response *out,
			struct dl_error *err)
{
	int rc = session_check(session, out, err);
	if (rc)
		return rc;
	if (!session->driver->probe ||
	    !(login_capabilities(session->target.adapter) & LOGIN_CAN_PROBE))
		return unsupported(session->target.adapter,
				   "probe a session (no whoami configured)", err);
	return session->driver->probe(session, out, err);
}

int login_perform(struct login_session *session, const char *action, struct login_response *out,
		  struct dl_error *err)
{
	int rc = session_check(session, out, err);
	if (rc)
		return rc;
	const struct profile_action *a = profile_adapter_action(session->target.adapter, action);
	if (!a)
		return dl_error_set(err, DL_ENOTFOUND,
				    "login: adapter '%s' declares no action '%s'; expected a name "
				    "of its actions: in the profile",
				    session->target.adapter->name, action ? action : "(none)");
	if (!session->driver->perform)
		return unsupported(session->target.adapter, "perform actions", err);
	return session->driver->perform(session, a, out, err);
}

const char *login_session_token(const struct login_session *session)
{
	if (!session || !session->driver || !session->driver->token)
		return NULL;
	const char *token = session->driver->token(session);
	return token && token[0] ? token : NULL;
}

void login_session_close(struct login_session *session)
{
	if (session && session->driver && session->driver->close)
		session->driver->close(session);
}

int login_token_probe(const struct login_target *target, const char *token,
		      struct login_response *out, struct dl_error *err)
{
	const struct login_driver *driver;
	if (out)
		response_reset(out);
	if (!out || !token)
		return dl_error_set(err, DL_EINVAL, "login: no token or response given");
	int rc = target_driver(target, &driver, err);
	if (rc)
		return rc;
	if (!driver->token_probe || !(login_capabilities(target->adapter) & LOGIN_HAS_TOKEN))
		return unsupported(target->adapter, "probe a session token", err);
	return driver->token_probe(target, token, out, err);
}

int login_replay(const struct login_target *target, const char *exchange,
		 struct login_response *out, struct dl_error *err)
{
	const struct login_driver *driver;
	if (out)
		response_reset(out);
	if (!out || !exchange)
		return dl_error_set(err, DL_EINVAL, "login: no exchange or response given");
	int rc = target_driver(target, &driver, err);
	if (rc)
		return rc;
	if (!driver->replay || !(login_capabilities(target->adapter) & LOGIN_CAN_REPLAY))
		return unsupported(target->adapter, "replay an exchange", err);
	if (!exchange[0])
		return dl_error_set(err, DL_EINVAL,
				    "login: the exchange to replay is empty; expected "
				    "login_response.exchange of an attempt");
	return driver->replay(target, exchange, out, err);
}

int login_change_password(const struct login_target *target, const char *username,
			  const char *old_password, const char *new_password,
			  struct login_response *out, struct dl_error *err)
{
	const struct login_driver *driver;
	if (out)
		response_reset(out);
	if (!out || !username || !old_password || !new_password)
		return dl_error_set(err, DL_EINVAL,
				    "login: no username, old or new password, or response given");
	int rc = target_driver(target, &driver, err);
	if (rc)
		return rc;
	if (!driver->change_password ||
	    !(login_capabilities(target->adapter) & LOGIN_CAN_CHANGE_PASSWORD))
		return unsupported(target->adapter, "change a password (none configured)", err);
	return driver->change_password(target, username, old_password, new_password, out, err);
}

unsigned login_capabilities(const struct profile_adapter *adapter)
{
	const struct login_driver *driver = adapter ? find_driver(adapter->driver) : NULL;
	if (!driver || !driver->capabilities)
		return 0;
	return driver->capabilities(adapter);
}

size_t login_adapters(const struct profile *profile, const struct profile_adapter **out, size_t max)
{
	size_t count = 0;
	for (size_t i = 0; profile && i < profile->adapter_count; i++) {
		if (!find_driver(profile->adapters[i].driver))
			continue;
		if (out && count < max)
			out[count] = &profile->adapters[i];
		count++;
	}
	return count;
}

int login_adapter_validate(const struct profile_adapter *adapter, struct dl_error *err)
{
	if (!adapter)
		return dl_error_set(err, DL_EINVAL, "login: no adapter given");
	const struct login_driver *driver = find_driver(adapter->driver);
	if (!driver) {
		char names[256];
		login_driver_names(names, sizeof(names));
		return dl_error_set(err, DL_EINVAL, "driver: found '%.64s'; expected %s",
				    adapter->driver ? adapter->driver : "nothing", names);
	}
	if (adapter->port == 0)
		return dl_error_set(err, DL_EINVAL, "port: found nothing; expected 1 to 65535");
	for (size_t i = 0; i < adapter->option_count; i++) {
		const char *name = adapter->options[i].name;
		bool known = false;
		for (size_t k = 0; driver->options && driver->options[k] && !known; k++)
			known = strcmp(driver->options[k], name) == 0;
		if (known)
			continue;
		char list[512];
		size_t used = 0;
		list[0] = '\0';
		for (size_t k = 0; driver->options && driver->options[k] && used < sizeof(list);
		     k++) {
			int n = snprintf(list + used, sizeof(list) - used, "%s%s", k ? ", " : "",
					 driver->options[k]);
			if (n < 0)
				break;
			used += (size_t)n;
		}
		return dl_error_set(err, DL_EINVAL,
				    "options.%s: found an option the %s driver does not know; "
				    "expected one of %s",
				    name, driver->name, list[0] ? list : "(none)");
	}
	for (size_t i = 0; i < adapter->action_count; i++)
		if (!adapter->actions[i].request || !adapter->actions[i].request[0])
			return dl_error_set(err, DL_EINVAL,
					    "actions.%s: found nothing; expected the request text",
					    adapter->actions[i].name);
	return driver->validate ? driver->validate(adapter, err) : 0;
}
