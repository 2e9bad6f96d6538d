/* login-rtsp: the rtsp login driver: DESCRIBE with Basic or Digest as the camera asks, and its
 * replay */
#include "core/compat.h"

#include <curl/curl.h>
#include <time.h>

#include "adapters/login-common.h"
#include "adapters/login-driver.h"
#include "adapters/login-transfer.h"
#include "core/error.h"
#include "core/profile.h"
#include "core/text.h"
#include "net/sock.h"

/*
 * A media player's login: DESCRIBE (RFC 2326 10.2) of the stream, answered
 * 401 with a WWW-Authenticate challenge, then again with the Authorization
 * libcurl computes for the scheme the camera named (Basic, RFC 7617, or
 * Digest, RFC 2617 as RTSP 1.0 uses it). 2xx is accepted, 401 and 403
 * refused. The Authorization sent is the exchange login_replay sends
 * verbatim on a new connection: a Digest answer bound to a nonce the server
 * must not take twice (TS-0014-1 5.4.1.1).
 */

struct rtsp_login_session {
	struct login_session base;
	char username[128];
	char password[256];
};

static const char *const rtsp_login_options[] = {"tls", "timeout", "url", NULL};

/* One DESCRIBE: with credentials (username non-NULL) or with a recorded Authorization line. */
static int rtsp_describe_once(const struct login_target *target, const char *username,
			      const char *password, const char *authorization,
			      struct login_response *out, struct dl_error *err)
{
	int64_t deadline_ns;
	int rc = login_deadline(target, &deadline_ns, err);
	if (rc < 0)
		return rc;
	char url[512];
	rc = login_transfer_url("rtsp", target->address, target->adapter->port,
				login_option(target->adapter, "url", "/"), url, sizeof(url), err);
	if (rc < 0)
		return rc;
	CURL *curl = curl_easy_init();
	if (!curl)
		return dl_error_set(err, DL_ENOMEM, "rtsp: libcurl cannot start a transfer");
	struct login_transfer *t = calloc(1, sizeof(*t));
	struct curl_slist *headers = NULL;
	if (!t) {
		curl_easy_cleanup(curl);
		return dl_error_set(err, DL_ENOMEM, "rtsp: out of memory");
	}
	t->target = target;
	rc = login_transfer_setup(curl, t, deadline_ns, err);
	if (rc < 0)
		goto out;
	curl_easy_setopt(curl, CURLOPT_URL, url);
	curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "rtsp");
	curl_easy_setopt(curl, CURLOPT_RTSP_STREAM_URI, url);
	curl_easy_setopt(curl, CURLOPT_RTSP_REQUEST, (long)CURL_RTSPREQ_DESCRIBE);
	if (username) {
		/* libcurl asks without credentials first and answers the scheme challenged */
		curl_easy_setopt(curl, CURLOPT_HTTPAUTH, (long)(CURLAUTH_BASIC | CURLAUTH_DIGEST));
		curl_easy_setopt(curl, CURLOPT_USERNAME, username);
		curl_easy_setopt(curl, CURLOPT_PASSWORD, password);
	} else {
		headers = curl_slist_append(NULL, authorization);
		if (!headers) {
			rc = dl_error_set(err, DL_ENOMEM, "rtsp: out of memory");
			goto out;
		}
		curl_easy_setopt(curl, CURLOPT_RTSPHEADER, headers);
	}
	int64_t start = sock_now_ns();
	rc = login_transfer_perform(curl, t, err);
	if (rc < 0)
		goto out;
	int64_t end = sock_now_ns();
	out->status = (int)t->status;
	out->encrypted = false; /* libcurl has no RTSP over TLS; validate refuses tls */
	int64_t from = t->credentials_ns ? t->credentials_ns : start;
	out->latency_ns = end > from ? end - from : 0;
	if (t->status == 0) {
		out->outcome = LOGIN_UNREACHABLE;
		login_excerpt(out->excerpt, sizeof(out->excerpt), t->curl_error,
			      strlen(t->curl_error));
		goto out;
	}
	if (t->status >= 200 && t->status < 300)
		out->outcome = LOGIN_ACCEPTED;
	else if (t->status >= 500)
		out->outcome = LOGIN_UNREACHABLE; /* the server cannot answer now: no verdict */
	else
		out->outcome = LOGIN_REFUSED; /* 401, 403; any other 4xx is no login either */
	const char *auth = username ? t->authorization : authorization;
	if (auth && *auth) {
		text_copy(out->exchange, sizeof(out->exchange), auth);
		out->challenge_response =
			strncasecmp(auth + 14 + strspn(auth + 14, " "), "Digest", 6) == 0;
	}
	const char *secrets[] = {password, auth};
	login_transcript(target, "rtsp request", t->sent, strlen(t->sent), secrets, 2, err);
	login_transcript(target, "rtsp response", t->received, t->received_length, NULL, 0, err);
	char text[LOGIN_TRANSFER_HEADERS_MAX + 512];
	snprintf(text, sizeof(text), "%s%.*s", t->received, 256, t->body ? t->body : "");
	login_excerpt(out->excerpt, sizeof(out->excerpt), text, strlen(text));
	login_fingerprint(out, out->status, t->received, t->received_length, t->body,
			  t->body ? t->body_length : 0);
out:
	curl_slist_free_all(headers);
	login_transfer_release(t);
	free(t);
	curl_easy_cleanup(curl);
	return rc;
}

/*
 * GStreamer answers 503 while the shared media of the previous DESCRIBE is
 * still being torn down: one more try half a second later, within the
 * deadline, so a probe right after a login is not taken for a refusal.
 */
static int rtsp_describe(const struct login_target *target, const char *username,
			 const char *password, const char *authorization,
			 struct login_response *out, struct dl_error *err)
{
	int rc = rtsp_describe_once(target, username, password, authorization, out, err);
	if (rc == 0 && out->status == 503) {
		struct timespec pause = {.tv_nsec = 500 * 1000 * 1000};
		nanosleep(&pause, NULL);
		memset(out, 0, sizeof(*out));
		out->outcome = LOGIN_UNREACHABLE;
		rc = rtsp_describe_once(target, username, password, authorization, out, err);
	}
	return rc;
}

static int rtsp_login_attempt(const struct login_target *target, const char *username,
			      const char *password, struct login_response *out,
			      struct login_session **session, struct dl_error *err)
{
	int rc = rtsp_describe(target, username, password, NULL, out, err);
	if (rc < 0 || out->outcome != LOGIN_ACCEPTED || !session)
		return rc;
	/* RTSP has no login state: the session keeps the credentials for the probe */
	struct rtsp_login_session *s = calloc(1, sizeof(*s));
	if (!s)
		return dl_error_set(err, DL_ENOMEM, "rtsp: out of memory for a session");
	login_session_init(&s->base, &login_driver_rtsp, target);
	if (!text_copy(s->username, sizeof(s->username), username) ||
	    !text_copy(s->password, sizeof(s->password), password)) {
		free(s);
		return dl_error_set(err, DL_EINVAL, "rtsp: user name or password too long");
	}
	*session = &s->base;
	return 0;
}

static int rtsp_login_probe(struct login_session *session, struct login_response *out,
			    struct dl_error *err)
{
	struct rtsp_login_session *s = (struct rtsp_login_session *)session;
	return rtsp_describe(&s->base.target, s->username, s->password, NULL, out, err);
}

static void rtsp_login_close(struct login_session *session)
{
	if (!session)
		return;
	struct rtsp_login_session *s = (struct rtsp_login_session *)session;
	/* the password does not outlive the session in memory */
	memset(s->password, 0, sizeof(s->password));
	free(s);
}

static int rtsp_login_replay(const struct login_target *target, const char *exchange,
			     struct login_response *out, struct dl_error *err)
{
	if (!exchange || strncasecmp(exchange, "Authorization:", 14) != 0 ||
	    strpbrk(exchange, "\r\n"))
		return dl_error_set(err, DL_EINVAL,
				    "rtsp replay: the exchange must be one Authorization header "
				    "line as login_attempt recorded it");
	return rtsp_describe(target, NULL, NULL, exchange, out, err);
}

static int rtsp_login_validate(const struct profile_adapter *adapter, struct dl_error *err)
{
	int rc = login_check_timeout(adapter, err);
	if (rc == 0)
		rc = login_check_bool(adapter, "tls", err);
	if (rc == 0 && profile_adapter_option(adapter, "url"))
		rc = login_check_path(adapter, "url", err);
	if (rc == 0 && login_option_bool(adapter, "tls", false))
		return dl_error_set(
			err, DL_EUNSUPPORTED,
			"options.tls: found 'true'; expected 'false' (libcurl has no "
			"RTSP over TLS, so the rtsp driver logs in on plain RTSP only)");
	return rc;
}

static unsigned rtsp_login_capabilities(const struct profile_adapter *adapter)
{
	(void)adapter;
	return LOGIN_CAN_PROBE | LOGIN_CAN_REPLAY;
}

const struct login_driver login_driver_rtsp = {
	.name = "rtsp",
	.options = rtsp_login_options,
	.validate = rtsp_login_validate,
	.capabilities = rtsp_login_capabilities,
	.attempt = rtsp_login_attempt,
	.probe = rtsp_login_probe,
	.close = rtsp_login_close,
	.replay = rtsp_login_replay,
};
