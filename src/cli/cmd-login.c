/* cmd-login: `dutlab login`: try a profile's login adapter by hand, print its answers as JSON */
#include "core/compat.h"

#include <json-c/json.h>
#include <strings.h>
#include <time.h>

#include "adapters/login.h"
#include "cli/commands.h"
#include "core/error.h"
#include "core/profile.h"
#include "core/text.h"

static void usage(FILE *out)
{
	fprintf(out,
		"usage: dutlab login --profile FILE --adapter NAME [--address ADDRESS]\n"
		"                    [--credential ROLE | --user USER --password PASSWORD]\n"
		"                    [--transcript FILE] [--wait SECONDS]\n"
		"                    [--attempt | --probe | --logout | --perform ACTION | --replay "
		"|\n"
		"                     --token-probe | --change NEW_PASSWORD]\n"
		"\n"
		"Log in through the login adapter NAME of the profile (adapters[] with a login\n"
		"driver: http-form, http-basic, http-digest, http-json, ssh-password, telnet,\n"
		"rtsp, onvif) the way the authentication checks do, and print each step's\n"
		"answer as JSON: outcome, status, fingerprint, excerpt, latency, whether it was\n"
		"encrypted or a challenge-response, and the exchange sent (passwords masked).\n"
		"\n"
		"  --address A        the DUT address to use (default: the first dut.addresses)\n"
		"  --credential ROLE  the credentials[] entry to use (default: admin)\n"
		"  --user, --password log in with these instead\n"
		"  --transcript FILE  append the whole exchange to FILE, passwords masked\n"
		"  --wait SECONDS     wait this long after the login before the next step (an\n"
		"                     idle session, an old exchange); 0 to 3600\n"
		"  --attempt          log in once, then log out where the adapter can (default)\n"
		"  --probe            log in, then use the session again (whoami)\n"
		"  --logout           log in, log out, then try the session again\n"
		"  --perform ACTION   log in, then do the adapter's action ACTION\n"
		"  --replay           log in, then send the recorded exchange again on a new\n"
		"                     connection (accepted = the exchange can be replayed)\n"
		"  --token-probe      log in, log out (if the adapter can), then present the\n"
		"                     session token alone on a new connection\n"
		"  --change NEW       change the password to NEW (and nothing else: restore it\n"
		"                     yourself)\n"
		"\n"
		"Exit status: 0 the steps ran (whatever the DUT answered), 1 dutlab could not\n"
		"run them, 2 bad usage or a broken profile. docs/auth.md describes the drivers.\n");
}

enum login_mode {
	MODE_ATTEMPT,
	MODE_PROBE,
	MODE_LOGOUT,
	MODE_PERFORM,
	MODE_REPLAY,
	MODE_TOKEN,
	MODE_CHANGE
};

struct login_args {
	const char *profile, *adapter, *address, *credential, *user, *password, *transcript;
	const char *action, *new_password, *wait;
	long wait_seconds;
	enum login_mode mode;
	int modes;
};

/* Percent-encoding of text as forms send it, for masking. */
static void url_encode(const char *text, char *out, size_t size)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t used = 0;
	for (const unsigned char *c = (const unsigned char *)text; *c && used + 4 < size; c++) {
		if ((*c >= 'A' && *c <= 'Z') || (*c >= 'a' && *c <= 'z') ||
		    (*c >= '0' && *c <= '9') || *c == '-' || *c == '.' || *c == '_' || *c == '~') {
			out[used++] = (char)*c;
		} else {
			out[used++] = '%';
			out[used++] = hex[*c >> 4];
			out[used++] = hex[*c & 15];
		}
	}
	out[used] = '\0';
}

/* The exchange for printing: Basic credentials and the passwords as ***. */
static void mask_exchange(const char *exchange, const char *const *secrets, size_t count, char *out,
			  size_t size)
{
	size_t used = 0;
	const char *p = exchange;
	while (*p && used + 4 < size) {
		bool line_start = p == exchange || p[-1] == '\n';
		static const char basic[] = "Authorization: Basic ";
		if (line_start && strncasecmp(p, basic, sizeof(basic) - 1) == 0) {
			used += (size_t)snprintf(out + used, size - used, "%s***", basic);
			p += strcspn(p, "\r\n");
			continue;
		}
		size_t matched = 0;
		for (size_t i = 0; i < count && !matched; i++) {
			size_t n = strlen(secrets[i]);
			if (n > 0 && strncmp(p, secrets[i], n) == 0)
				matched = n;
		}
		if (matched) {
			used += (size_t)snprintf(out + used, size - used, "***");
			p += matched;
			continue;
		}
		out[used++] = *p++;
	}
	out[used < size ? used : size - 1] = '\0';
}

static struct json_object *response_json(const char *step, const struct login_response *r,
					 const char *const *secrets, size_t count)
{
	struct json_object *o = json_object_new_object();
	json_object_object_add(o, "step", json_object_new_string(step));
	json_object_object_add(o, "outcome",
			       json_object_new_string(login_outcome_name(r->outcome)));
	json_object_object_add(o, "status", json_object_new_int(r->status));
	json_object_object_add(o, "fingerprint", json_object_new_string(r->fingerprint));
	json_object_object_add(o, "excerpt", json_object_new_string(r->excerpt));
	json_object_object_add(o, "warning", json_object_new_string(r->warning));
	json_object_object_add(o, "latency_ms",
			       json_object_new_double((double)r->latency_ns / 1e6));
	json_object_object_add(o, "encrypted", json_object_new_boolean(r->encrypted));
	json_object_object_add(o, "password_echoed", json_object_new_boolean(r->password_echoed));
	json_object_object_add(o, "challenge_response",
			       json_object_new_boolean(r->challenge_response));
	char masked[LOGIN_EXCHANGE_MAX + 64];
	mask_exchange(r->exchange, secrets, count, masked, sizeof(masked));
	json_object_object_add(o, "exchange", json_object_new_string(masked));
	return o;
}

static int parse_args(int argc, char **argv, struct login_args *a)
{
	memset(a, 0, sizeof(*a));
	for (int i = 1; i < argc; i++) {
		const char *opt = argv[i];
		const char **value = NULL;
		enum login_mode mode = MODE_ATTEMPT;
		bool is_mode = true;
		if (strcmp(opt, "--attempt") == 0)
			mode = MODE_ATTEMPT;
		else if (strcmp(opt, "--probe") == 0)
			mode = MODE_PROBE;
		else if (strcmp(opt, "--logout") == 0)
			mode = MODE_LOGOUT;
		else if (strcmp(opt, "--replay") == 0)
			mode = MODE_REPLAY;
		else if (strcmp(opt, "--token-probe") == 0)
			mode = MODE_TOKEN;
		else if (strcmp(opt, "--perform") == 0) {
			mode = MODE_PERFORM;
			value = &a->action;
		} else if (strcmp(opt, "--change") == 0) {
			mode = MODE_CHANGE;
			value = &a->new_password;
		} else {
			is_mode = false;
			if (strcmp(opt, "--profile") == 0)
				value = &a->profile;
			else if (strcmp(opt, "--adapter") == 0)
				value = &a->adapter;
			else if (strcmp(opt, "--address") == 0)
				value = &a->address;
			else if (strcmp(opt, "--credential") == 0)
				value = &a->credential;
			else if (strcmp(opt, "--user") == 0)
				value = &a->user;
			else if (strcmp(opt, "--password") == 0)
				value = &a->password;
			else if (strcmp(opt, "--transcript") == 0)
				value = &a->transcript;
			else if (strcmp(opt, "--wait") == 0)
				value = &a->wait;
			else {
				fprintf(stderr,
					"dutlab login: unknown option '%s'; see 'dutlab "
					"login --help'\n",
					opt);
				return 2;
			}
		}
		if (is_mode) {
			a->mode = mode;
			a->modes++;
		}
		if (value) {
			if (i + 1 >= argc) {
				fprintf(stderr, "dutlab login: %s needs a value\n", opt);
				return 2;
			}
			*value = argv[++i];
		}
	}
	if (!a->profile || !a->adapter) {
		fprintf(stderr, "dutlab login: --profile and --adapter are required; see 'dutlab "
				"login --help'\n");
		return 2;
	}
	if (a->modes > 1) {
		fprintf(stderr, "dutlab login: give one of --attempt, --probe, --logout, "
				"--perform, --replay, --token-probe, --change\n");
		return 2;
	}
	if (a->wait && text_parse_long(a->wait, 0, 3600, &a->wait_seconds) != 0) {
		fprintf(stderr, "dutlab login: --wait takes seconds from 0 to 3600\n");
		return 2;
	}
	if ((a->user != NULL) != (a->password != NULL) || (a->user && a->credential)) {
		fprintf(stderr, "dutlab login: give --user and --password together, or "
				"--credential\n");
		return 2;
	}
	return 0;
}

/* Run the steps of the mode; each answer is added to steps. */
static int run_steps(const struct login_args *a, const struct login_target *target,
		     const char *user, const char *password, struct json_object *root,
		     const char *const *secrets, size_t count, struct dl_error *err)
{
	struct json_object *steps = json_object_new_array();
	json_object_object_add(root, "steps", steps);
	struct login_response r;
	if (a->mode == MODE_CHANGE) {
		int rc = login_change_password(target, user, password, a->new_password, &r, err);
		if (!rc)
			json_object_array_add(steps, response_json("change", &r, secrets, count));
		return rc;
	}
	struct login_session *session = NULL;
	bool keep = a->mode != MODE_ATTEMPT && a->mode != MODE_REPLAY;
	int rc = login_attempt(target, user, password, &r, keep ? &session : NULL, err);
	if (rc)
		return rc;
	json_object_array_add(steps, response_json("login", &r, secrets, count));
	if (a->wait_seconds > 0 && (session || a->mode == MODE_REPLAY)) {
		struct timespec pause = {.tv_sec = a->wait_seconds};
		while (nanosleep(&pause, &pause) != 0 && errno == EINTR)
			;
	}
	if (a->mode == MODE_REPLAY) {
		struct login_response replay;
		rc = login_replay(target, r.exchange, &replay, err);
		if (!rc)
			json_object_array_add(steps,
					      response_json("replay", &replay, secrets, count));
		return rc;
	}
	if (!session)
		return 0; /* not accepted: nothing more to try */
	const char *token = login_session_token(session);
	char token_copy[1024] = "";
	if (token)
		snprintf(token_copy, sizeof(token_copy), "%s", token);
	json_object_object_add(root, "token", token ? json_object_new_string(token_copy) : NULL);
	switch (a->mode) {
	case MODE_PROBE:
		rc = login_session_probe(session, &r, err);
		if (!rc)
			json_object_array_add(steps, response_json("probe", &r, secrets, count));
		break;
	case MODE_PERFORM:
		rc = login_perform(session, a->action, &r, err);
		if (!rc)
			json_object_array_add(steps, response_json("perform", &r, secrets, count));
		break;
	case MODE_LOGOUT:
	case MODE_TOKEN:
		if (login_capabilities(target->adapter) & LOGIN_CAN_LOGOUT) {
			rc = login_logout(session, &r, err);
			if (!rc)
				json_object_array_add(steps,
						      response_json("logout", &r, secrets, count));
		}
		if (!rc && a->mode == MODE_LOGOUT &&
		    (login_capabilities(target->adapter) & LOGIN_CAN_PROBE)) {
			rc = login_session_probe(session, &r, err);
			if (!rc)
				json_object_array_add(steps, response_json("probe_after_logout", &r,
									   secrets, count));
		}
		if (!rc && a->mode == MODE_TOKEN) {
			if (!token_copy[0]) {
				rc = dl_error_set(err, DL_EUNSUPPORTED,
						  "login: the session has no token to present");
				break;
			}
			rc = login_token_probe(target, token_copy, &r, err);
			if (!rc)
				json_object_array_add(
					steps, response_json("token_probe", &r, secrets, count));
		}
		break;
	default: break;
	}
	login_session_close(session);
	return rc;
}

int cmd_login(int argc, char **argv)
{
	if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		usage(stdout);
		return 0;
	}
	struct login_args a;
	int status = parse_args(argc, argv, &a);
	if (status)
		return status;
	struct profile p;
	struct dl_error err = {0};
	if (profile_load(&p, a.profile, &err) != 0) {
		fputs("dutlab login: ", stderr);
		cli_put_printable(stderr, err.message);
		fputc('\n', stderr);
		return 2;
	}
	const struct profile_adapter *adapter = NULL;
	for (size_t i = 0; i < p.adapter_count; i++)
		if (strcmp(p.adapters[i].name, a.adapter) == 0)
			adapter = &p.adapters[i];
	const char *user = a.user, *password = a.password;
	const struct profile_credential *credential =
		user ? NULL : profile_find_credential(&p, a.credential ? a.credential : "admin");
	if (credential) {
		user = credential->username;
		password = credential->password;
	}
	status = 2;
	if (!adapter || !profile_adapter_is_login(adapter))
		fprintf(stderr, "dutlab login: the profile has no login adapter '%s'\n", a.adapter);
	else if (!user)
		fprintf(stderr,
			"dutlab login: the profile has no credential '%s'; give --user "
			"and --password\n",
			a.credential ? a.credential : "admin");
	else if (!a.address && p.address_count == 0)
		fprintf(stderr, "dutlab login: no address; give --address\n");
	else
		status = 0;
	if (status) {
		profile_release(&p);
		return status;
	}
	struct login_target target = {
		.profile = &p,
		.adapter = adapter,
		.scope = &p.scope,
		.address = a.address ? a.address : p.addresses[0],
		.transcript_path = a.transcript,
	};
	char encoded[2][1024];
	url_encode(password, encoded[0], sizeof(encoded[0]));
	url_encode(a.new_password ? a.new_password : "", encoded[1], sizeof(encoded[1]));
	const char *secrets[] = {password, encoded[0], a.new_password ? a.new_password : "",
				 encoded[1]};
	struct json_object *root = json_object_new_object();
	json_object_object_add(root, "adapter", json_object_new_string(adapter->name));
	json_object_object_add(root, "driver", json_object_new_string(adapter->driver));
	json_object_object_add(root, "address", json_object_new_string(target.address));
	json_object_object_add(root, "port", json_object_new_int(adapter->port));
	json_object_object_add(root, "username", json_object_new_string(user));
	int rc =
		run_steps(&a, &target, user, password, root, secrets, DL_ARRAY_SIZE(secrets), &err);
	if (rc) {
		json_object_object_add(root, "error", json_object_new_string(err.message));
		fputs("dutlab login: ", stderr);
		cli_put_printable(stderr, err.message);
		fputc('\n', stderr);
	}
	puts(json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY |
							  JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(root);
	profile_release(&p);
	if (fflush(stdout) != 0)
		return 1;
	return rc == DL_EINVAL ? 2 : rc ? 1 : 0;
}
