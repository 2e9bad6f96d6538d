/* login-onvif: the onvif login driver: SOAP 1.2 with a WS-Security UsernameToken digest, and its
 * replay */
#include "core/compat.h"

#include <curl/curl.h>
#include <openssl/rand.h>
#include <time.h>

#include "adapters/login-common.h"
#include "adapters/login-driver.h"
#include "adapters/login-transfer.h"
#include "core/error.h"
#include "core/profile.h"
#include "core/text.h"
#include "net/sock.h"
#include "proto/soap.h"

/*
 * ONVIF Core Specification 5.12: every request carries a UsernameToken
 * (WS-Security UsernameToken Profile 1.0) with PasswordDigest =
 * Base64(SHA-1(nonce + created + password)), a fresh 16-byte nonce and the
 * UTC creation time. The login is GetDeviceInformation; an answer is
 * accepted, a SOAP fault ter:NotAuthorized (or HTTP 401) refused. The
 * envelope as sent is the exchange: login_replay posts it again unchanged,
 * which a device must refuse (the nonce was used).
 */

#define ONVIF_ENVELOPE_MAX LOGIN_EXCHANGE_MAX
#define ONVIF_NONCE_BYTES 16
#define ONVIF_WSSE                                                                                 \
	"http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
#define ONVIF_WSU                                                                                  \
	"http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"
#define ONVIF_TOKEN_PROFILE                                                                        \
	"http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0"
#define ONVIF_DEVICE "http://www.onvif.org/ver10/device/wsdl"

struct onvif_login_session {
	struct login_session base;
	char username[128];
	char password[256];
};

static const char *const onvif_login_options[] = {"tls", "timeout", "path", NULL};

/* The SOAP envelope of body (one element), with a fresh UsernameToken for the credentials. */
static int onvif_envelope(const char *username, const char *password, const char *body, char *out,
			  size_t size, struct dl_error *err)
{
	uint8_t nonce[ONVIF_NONCE_BYTES];
	if (RAND_bytes(nonce, sizeof(nonce)) != 1)
		return dl_error_set(err, DL_EIO, "onvif: OpenSSL has no random bytes for a nonce");
	char nonce64[32], created[32], digest[SOAP_DIGEST_MAX], user[512];
	if (!login_base64(nonce, sizeof(nonce), nonce64, sizeof(nonce64)))
		return dl_error_set(err, DL_EIO, "onvif: cannot encode the nonce");
	time_t now = time(NULL);
	struct tm utc;
	if (!gmtime_r(&now, &utc) ||
	    strftime(created, sizeof(created), "%Y-%m-%dT%H:%M:%SZ", &utc) == 0)
		return dl_error_set(err, DL_EIO, "onvif: cannot format the creation time");
	int rc = soap_password_digest(nonce, sizeof(nonce), created, password, digest,
				      sizeof(digest), err);
	if (rc < 0)
		return rc;
	struct login_vars vars = {.username = username};
	rc = login_expand("{username}", &vars, LOGIN_XML, user, sizeof(user), err);
	if (rc < 0)
		return rc;
	int n = snprintf(
		out, size,
		"<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
		"<s:Envelope xmlns:s=\"http://www.w3.org/2003/05/soap-envelope\">"
		"<s:Header><wsse:Security s:mustUnderstand=\"1\" xmlns:wsse=\"" ONVIF_WSSE "\" "
		"xmlns:wsu=\"" ONVIF_WSU "\"><wsse:UsernameToken>"
		"<wsse:Username>%s</wsse:Username>"
		"<wsse:Password Type=\"" ONVIF_TOKEN_PROFILE "#PasswordDigest\">%s</wsse:Password>"
		"<wsse:Nonce EncodingType=\"http://docs.oasis-open.org/wss/2004/01/"
		"oasis-200401-wss-soap-message-security-1.0#Base64Binary\">%s</wsse:Nonce>"
		"<wsu:Created>%s</wsu:Created></wsse:UsernameToken></wsse:Security></s:Header>"
		"<s:Body xmlns:tds=\"" ONVIF_DEVICE "\">%s</s:Body></s:Envelope>",
		user, digest, nonce64, created, body);
	if (n < 0 || (size_t)n >= size)
		return dl_error_set(err, DL_EINVAL, "onvif: the envelope exceeds %zu bytes", size);
	return 0;
}

/* "SystemReboot" is <tds:SystemReboot/>; a request starting with '<' is the body element. */
static int onvif_body(const char *request, char *out, size_t size, struct dl_error *err)
{
	int n;
	if (request[0] == '<') {
		n = snprintf(out, size, "%s", request);
	} else {
		for (const char *p = request; *p; p++)
			if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
			      (*p >= '0' && *p <= '9') || *p == '_'))
				return dl_error_set(
					err, DL_EINVAL,
					"found '%s'; expected an ONVIF device operation "
					"name or a body element",
					request);
		n = snprintf(out, size, "<tds:%s/>", request);
	}
	if (n < 0 || (size_t)n >= size)
		return dl_error_set(err, DL_EINVAL, "a request of %zu bytes is too long",
				    strlen(request));
	return 0;
}

/* POST envelope to the device service and judge the answer. */
static int onvif_post(const struct login_target *target, const char *envelope,
		      const char *const *secrets, size_t secret_count, struct login_response *out,
		      struct dl_error *err)
{
	int64_t deadline_ns;
	int rc = login_deadline(target, &deadline_ns, err);
	if (rc < 0)
		return rc;
	bool tls = login_option_bool(target->adapter, "tls", false);
	char url[512];
	rc = login_transfer_url(tls ? "https" : "http", target->address, target->adapter->port,
				login_option(target->adapter, "path", "/onvif/device_service"), url,
				sizeof(url), err);
	if (rc < 0)
		return rc;
	CURL *curl = curl_easy_init();
	struct login_transfer *t = calloc(1, sizeof(*t));
	struct curl_slist *headers =
		curl_slist_append(NULL, "Content-Type: application/soap+xml; charset=utf-8");
	if (!curl || !t || !headers) {
		rc = dl_error_set(err, DL_ENOMEM, "onvif: out of memory for a request");
		goto out;
	}
	t->target = target;
	rc = login_transfer_setup(curl, t, deadline_ns, err);
	if (rc < 0)
		goto out;
	curl_easy_setopt(curl, CURLOPT_URL, url);
	curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(curl, CURLOPT_POSTFIELDS, envelope);
	curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, (long)strlen(envelope));
	int64_t start = sock_now_ns();
	rc = login_transfer_perform(curl, t, err);
	if (rc < 0)
		goto out;
	out->latency_ns = sock_now_ns() - start;
	out->status = (int)t->status;
	out->encrypted = tls;
	out->challenge_response = true; /* a digest over a fresh nonce, not the password */
	text_copy(out->exchange, sizeof(out->exchange), envelope);
	login_transcript(target, "onvif request", envelope, strlen(envelope), secrets, secret_count,
			 err);
	login_transcript(target, "onvif response", t->body ? t->body : "",
			 t->body ? t->body_length : 0, NULL, 0, err);
	if (t->status == 0) {
		out->outcome = LOGIN_UNREACHABLE;
		login_excerpt(out->excerpt, sizeof(out->excerpt), t->curl_error,
			      strlen(t->curl_error));
		goto out;
	}
	login_fingerprint(out, out->status, t->received, t->received_length, t->body,
			  t->body ? t->body_length : 0);
	struct soap_message m;
	struct dl_error parse = {0};
	bool soap = t->body &&
		    soap_parse((const uint8_t *)t->body, t->body_length, &m, &parse) == 0 &&
		    m.version != SOAP_VERSION_NONE && m.has_body;
	if (soap && !m.is_fault && t->status >= 200 && t->status < 300) {
		out->outcome = LOGIN_ACCEPTED;
		snprintf(out->excerpt, sizeof(out->excerpt), "HTTP %ld: %s", t->status,
			 m.body_element);
	} else if (soap && m.is_fault) {
		/* ter:NotAuthorized, or any other fault: the DUT did not do it */
		out->outcome = LOGIN_REFUSED;
		if (snprintf(out->excerpt, sizeof(out->excerpt), "HTTP %ld: fault %s / %s: %s",
			     t->status, m.code, m.subcode[0] ? m.subcode : "-", m.reason) < 0)
			out->excerpt[0] = '\0';
	} else {
		/* 401 of an HTTP authentication layer, an error page, no SOAP */
		out->outcome = LOGIN_REFUSED;
		char text[LOGIN_TRANSFER_HEADERS_MAX + 512];
		snprintf(text, sizeof(text), "%s%.*s", t->received, 256, t->body ? t->body : "");
		login_excerpt(out->excerpt, sizeof(out->excerpt), text, strlen(text));
	}
out:
	curl_slist_free_all(headers);
	if (t)
		login_transfer_release(t);
	free(t);
	if (curl)
		curl_easy_cleanup(curl);
	return rc;
}

static int onvif_call(const struct login_target *target, const char *username, const char *password,
		      const char *request, struct login_response *out, struct dl_error *err)
{
	char body[1024];
	int rc = onvif_body(request, body, sizeof(body), err);
	if (rc < 0)
		return rc;
	char *envelope = malloc(ONVIF_ENVELOPE_MAX);
	if (!envelope)
		return dl_error_set(err, DL_ENOMEM, "onvif: out of memory");
	rc = onvif_envelope(username, password, body, envelope, ONVIF_ENVELOPE_MAX, err);
	const char *secrets[] = {password};
	if (rc == 0)
		rc = onvif_post(target, envelope, secrets, 1, out, err);
	free(envelope);
	return rc;
}

static int onvif_login_attempt(const struct login_target *target, const char *username,
			       const char *password, struct login_response *out,
			       struct login_session **session, struct dl_error *err)
{
	int rc = onvif_call(target, username, password, "GetDeviceInformation", out, err);
	if (rc < 0 || out->outcome != LOGIN_ACCEPTED || !session)
		return rc;
	/* every ONVIF request carries its own token: the session keeps the credentials */
	struct onvif_login_session *s = calloc(1, sizeof(*s));
	if (!s)
		return dl_error_set(err, DL_ENOMEM, "onvif: out of memory for a session");
	login_session_init(&s->base, &login_driver_onvif, target);
	if (!text_copy(s->username, sizeof(s->username), username) ||
	    !text_copy(s->password, sizeof(s->password), password)) {
		free(s);
		return dl_error_set(err, DL_EINVAL, "onvif: user name or password too long");
	}
	*session = &s->base;
	return 0;
}

static int onvif_login_probe(struct login_session *session, struct login_response *out,
			     struct dl_error *err)
{
	struct onvif_login_session *s = (struct onvif_login_session *)session;
	return onvif_call(&s->base.target, s->username, s->password, "GetDeviceInformation", out,
			  err);
}

static int onvif_login_perform(struct login_session *session, const struct profile_action *action,
			       struct login_response *out, struct dl_error *err)
{
	struct onvif_login_session *s = (struct onvif_login_session *)session;
	int rc = onvif_call(&s->base.target, s->username, s->password, action->request, out, err);
	if (rc == DL_EINVAL)
		return dl_error_prefix(err, "actions.%s", action->name);
	return rc;
}

static void onvif_login_close(struct login_session *session)
{
	if (!session)
		return;
	struct onvif_login_session *s = (struct onvif_login_session *)session;
	memset(s->password, 0, sizeof(s->password));
	free(s);
}

static int onvif_login_replay(const struct login_target *target, const char *exchange,
			      struct login_response *out, struct dl_error *err)
{
	if (!exchange || !strstr(exchange, "UsernameToken"))
		return dl_error_set(err, DL_EINVAL,
				    "onvif replay: the exchange must be an envelope with a "
				    "UsernameToken as login_attempt recorded it");
	return onvif_post(target, exchange, NULL, 0, out, err);
}

static int onvif_login_validate(const struct profile_adapter *adapter, struct dl_error *err)
{
	int rc = login_check_timeout(adapter, err);
	if (rc == 0)
		rc = login_check_bool(adapter, "tls", err);
	if (rc == 0 && profile_adapter_option(adapter, "path"))
		rc = login_check_path(adapter, "path", err);
	for (size_t i = 0; rc == 0 && i < adapter->action_count; i++) {
		char body[1024];
		rc = onvif_body(adapter->actions[i].request, body, sizeof(body), err);
		if (rc < 0)
			dl_error_prefix(err, "actions.%s", adapter->actions[i].name);
	}
	return rc;
}

static unsigned onvif_login_capabilities(const struct profile_adapter *adapter)
{
	(void)adapter;
	return LOGIN_CAN_PROBE | LOGIN_CAN_PERFORM | LOGIN_CAN_REPLAY;
}

const struct login_driver login_driver_onvif = {
	.name = "onvif",
	.options = onvif_login_options,
	.validate = onvif_login_validate,
	.capabilities = onvif_login_capabilities,
	.attempt = onvif_login_attempt,
	.probe = onvif_login_probe,
	.perform = onvif_login_perform,
	.close = onvif_login_close,
	.replay = onvif_login_replay,
};
