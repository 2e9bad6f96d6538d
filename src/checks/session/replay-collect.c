/* replay-collect: the auth.replay collector: each interface's login exchange, replayed verbatim
 * after its session ended (TS-0014-1 5.4.1.1, 5.2.6.1) */
#include "core/compat.h"

#include <json-c/json.h>
#include <openssl/rand.h>

#include "adapters/login.h"
#include "checks/check.h"
#include "checks/session/session.h"
#include "core/error.h"
#include "core/profile.h"
#include "net/sock.h"

/*
 * One login per interface, the session ended by the driver (logout where it
 * can, then the connection closed). The exchange that carried the
 * credentials (login_response.exchange: a digest Authorization header, a
 * WS-Security header, a Basic header, a form body) stays in memory only,
 * never in the observation or the evidence. It is sent again verbatim on a
 * new connection right after the session ended and, while accepted, again
 * after REPLAY_DELAYS seconds: the window observed (a static credential in
 * the clear, a fail by itself, is replayed once). Replayed are the
 * challenge-response exchanges (the clause's question) and the static ones
 * sent in the clear (evidence for their fail); static credentials inside
 * TLS or SSH are not.
 * ONVIF interfaces also get two refused logins for the known user and two
 * for an unknown one (TS 5.2.6.1 refers to 5.4.1.2).
 */

static const int REPLAY_DELAYS[] = {0, 10, 60};
#define ENUMERATION_TRIES 2

struct replay_slot {
	struct json_object *entry;
	struct json_object *replays;
	struct login_target target;
	char transcript[SESSION_PATH_MAX + 64];
	char exchange[LOGIN_EXCHANGE_MAX];
	int64_t ended_at;
	bool pending;
	bool window; /* a challenge-response exchange: replayed while accepted */
};

static void note(struct json_object *entry, const char *key, const char *text)
{
	json_object_object_add(entry, key, json_object_new_string(text));
}

/* Refused logins for the known user and an unknown one, interleaved. */
static int compare_users(const struct session_run *r, struct replay_slot *s, struct dl_error *err)
{
	struct json_object *en = json_object_new_object();
	struct json_object *known = json_object_new_array();
	struct json_object *unknown = json_object_new_array();
	if (!en || !known || !unknown) {
		json_object_put(en);
		json_object_put(known);
		json_object_put(unknown);
		return dl_error_set(err, DL_ENOMEM, "auth.replay: out of memory");
	}
	json_object_object_add(en, "known", known);
	json_object_object_add(en, "unknown", unknown);
	json_object_object_add(s->entry, "enumeration", en);
	unsigned char random[6];
	if (RAND_bytes(random, sizeof(random)) != 1)
		memset(random, 0x5a, sizeof(random));
	char wrong[48], nobody[48];
	snprintf(wrong, sizeof(wrong), "dl-Wrong-%02x%02x%02x%02x", random[0], random[1], random[2],
		 random[3]);
	snprintf(nobody, sizeof(nobody), "dlnouser%02x%02x", random[4], random[5]);
	json_object_object_add(en, "unknown_user", json_object_new_string(nobody));
	for (int i = 0; i < ENUMERATION_TRIES; i++) {
		for (int k = 0; k < 2; k++) {
			struct login_response resp;
			int rc = login_attempt(&s->target, k ? nobody : r->credential->username,
					       wrong, &resp, NULL, err);
			if (rc)
				return rc;
			json_object_array_add(k ? unknown : known, session_response_json(&resp));
		}
	}
	return 0;
}

static int login_once(const struct session_run *r, struct replay_slot *s, struct dl_error *err)
{
	const struct profile_adapter *a = s->target.adapter;
	struct login_response *resp = calloc(1, sizeof(*resp));
	if (!resp)
		return dl_error_set(err, DL_ENOMEM, "auth.replay: out of memory");
	/* no session wanted: the driver logs out where it can and closes */
	int rc = login_attempt(&s->target, r->credential->username, r->credential->password, resp,
			       NULL, err);
	s->ended_at = sock_now_ns();
	if (rc) {
		free(resp);
		return rc;
	}
	json_object_object_add(s->entry, "login", session_response_json(resp));
	json_object_object_add(s->entry, "exchange_recorded",
			       json_object_new_boolean(resp->exchange[0] != '\0'));
	json_object_object_add(s->entry, "session_ended",
			       json_object_new_string(login_capabilities(a) & LOGIN_CAN_LOGOUT
							      ? "logout"
							      : "connection closed"));
	bool wanted = resp->challenge_response || !resp->encrypted;
	if (resp->outcome != LOGIN_ACCEPTED)
		note(s->entry, "replay_note", "the login was not accepted");
	else if (!wanted)
		note(s->entry, "replay_note", "static credentials inside TLS or SSH: not replayed");
	else if (!(login_capabilities(a) & LOGIN_CAN_REPLAY))
		note(s->entry, "replay_note", "the driver cannot replay an exchange");
	else if (!resp->exchange[0])
		note(s->entry, "replay_note", "the driver recorded no exchange");
	else {
		memcpy(s->exchange, resp->exchange, sizeof(s->exchange));
		s->exchange[sizeof(s->exchange) - 1] = '\0';
		s->pending = true;
		s->window = resp->challenge_response;
	}
	OPENSSL_cleanse(resp->exchange, sizeof(resp->exchange));
	free(resp);
	return 0;
}

static int collect_replay(const struct check_context *ctx, struct json_object **observation,
			  struct dl_error *err)
{
	*observation = NULL;
	struct session_run r;
	int rc = session_run_init(&r, ctx, err);
	if (rc)
		return rc;
	struct json_object *o = json_object_new_object();
	struct json_object *list = json_object_new_array();
	struct replay_slot *slots = calloc(SESSION_ADAPTERS_MAX, sizeof(*slots));
	if (!o || !list || !slots) {
		json_object_put(o);
		json_object_put(list);
		free(slots);
		return dl_error_set(err, DL_ENOMEM, "auth.replay: out of memory");
	}
	json_object_object_add(o, "credential_role", json_object_new_string(r.credential->role));
	json_object_object_add(o, "interfaces", list);
	uint64_t total = r.adapter_count * 2, done = 0;
	for (size_t i = 0; i < r.adapter_count && !rc; i++) {
		struct replay_slot *s = &slots[i];
		const struct profile_adapter *a = r.adapters[i];
		s->entry = session_interface_json(a);
		s->replays = json_object_new_array();
		if (!s->entry || !s->replays) {
			json_object_put(s->replays);
			s->replays = NULL;
			rc = dl_error_set(err, DL_ENOMEM, "auth.replay: out of memory");
			break;
		}
		json_object_array_add(list, s->entry);
		json_object_object_add(s->entry, "replays", s->replays);
		char name[128];
		snprintf(name, sizeof(name), "replay-%s.log", a->name);
		session_target(&r, a, name, s->transcript, sizeof(s->transcript), &s->target);
		char relative[192];
		snprintf(relative, sizeof(relative), "evidence/session/%s", name);
		json_object_object_add(s->entry, "evidence", json_object_new_string(relative));
		char what[160];
		snprintf(what, sizeof(what), "%s: log in, end the session", a->name);
		session_progress(&r, done++, total, what);
		rc = login_once(&r, s, err);
		if (!rc && a->driver && strcmp(a->driver, "onvif") == 0)
			rc = compare_users(&r, s, err);
		if (rc && rc != DL_ENOMEM) {
			note(s->entry, "error", err->message);
			s->pending = false;
			rc = 0;
		}
	}
	/* the replays, interleaved over the interfaces by due time */
	for (size_t d = 0; d < DL_ARRAY_SIZE(REPLAY_DELAYS) && !rc; d++) {
		for (size_t i = 0; i < r.adapter_count && !rc; i++) {
			struct replay_slot *s = &slots[i];
			if (!s->pending)
				continue;
			/* a static credential in clear fails by itself: one replay shows it */
			if (d > 0 && !s->window) {
				s->pending = false;
				continue;
			}
			int64_t due = s->ended_at + (int64_t)REPLAY_DELAYS[d] * 1000000000LL;
			char what[160];
			snprintf(what, sizeof(what), "%s: replay %d s after the session ended",
				 s->target.adapter->name, REPLAY_DELAYS[d]);
			session_progress(&r, done, total, what);
			if (!session_sleep_until(&r, due)) {
				s->pending = false;
				continue;
			}
			struct login_response resp;
			int64_t at = sock_now_ns();
			rc = login_replay(&s->target, s->exchange, &resp, err);
			if (rc && rc != DL_ENOMEM) {
				note(s->entry, "replay_note", err->message);
				s->pending = false;
				rc = 0;
				continue;
			}
			if (rc)
				break;
			struct json_object *one = json_object_new_object();
			if (!one) {
				rc = dl_error_set(err, DL_ENOMEM, "auth.replay: out of memory");
				break;
			}
			json_object_object_add(
				one, "after_s",
				json_object_new_int64((at - s->ended_at) / 1000000000LL));
			json_object_object_add(one, "response", session_response_json(&resp));
			json_object_array_add(s->replays, one);
			OPENSSL_cleanse(resp.exchange, sizeof(resp.exchange));
			if (resp.outcome != LOGIN_ACCEPTED)
				s->pending = false;
		}
	}
	for (size_t i = 0; i < SESSION_ADAPTERS_MAX; i++)
		OPENSSL_cleanse(slots[i].exchange, sizeof(slots[i].exchange));
	free(slots);
	if (rc) {
		json_object_put(o);
		return rc;
	}
	session_progress(&r, total, total, "done");
	*observation = o;
	return 0;
}

const struct collector collector_auth_replay = {
	.id = "auth.replay",
	.summary = "each login interface's credential exchange, replayed verbatim after its "
		   "session ended",
	.needs = NEED_DUT_ADDRESS | NEED_LOGIN_ADAPTER,
	.timeout_seconds = 300,
	.expected_seconds = 70,
	.collect = collect_replay,
};
