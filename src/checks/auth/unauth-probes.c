/* unauth-probes: RTSP, telnet, SSH, FTP, MQTT and SNMP asked for a function without credentials */
#include "core/compat.h"

#include <libssh/libssh.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <regex.h>

#include "checks/auth/unauth-internal.h"
#include "checks/check.h"
#include "checks/discovery/scan-view.h"
#include "core/error.h"
#include "core/profile.h"
#include "net/sigpipe.h"
#include "net/sock.h"
#include "net/udp.h"
#include "proto/rtsp.h"
#include "proto/snmp.h"
#include "proto/telnet.h"

#define PROBE_ANSWER_MAX 8192
#define PROBE_QUIET_MS 400

/* Stream paths cameras commonly serve (nmap's rtsp-url-brute list, the
 * ONVIF and vendor defaults), after the ones the profile declares. */
static const char *const rtsp_paths[] = {
	"/",     "/stream", "/live",   "/live.sdp",        "/media",      "/video",
	"/h264", "/11",     "/onvif1", "/cam/realmonitor", "/ch0_0.h264", "/Streaming/Channels/101",
};
#define RTSP_PATHS_MAX 16

/* ---- one TCP connection, in clear or inside TLS ---- */

struct stream {
	int fd;
	SSL *ssl;
	int64_t deadline_ns;
};

static bool tls_wait(SSL *ssl, int fd, int result, int64_t deadline_ns)
{
	int e = SSL_get_error(ssl, result);
	short events = e == SSL_ERROR_WANT_READ ? POLLIN : e == SSL_ERROR_WANT_WRITE ? POLLOUT : 0;
	if (!events)
		return false;
	int wait_ms = sock_remaining_ms(deadline_ns, 1000);
	if (wait_ms == 0)
		return false;
	struct pollfd p = {.fd = fd, .events = events};
	return poll(&p, 1, wait_ms) >= 0;
}

static void stream_close(struct stream *st)
{
	if (st->ssl)
		SSL_free(st->ssl);
	if (st->fd >= 0)
		sock_close_reset(st->fd);
	st->ssl = NULL;
	st->fd = -1;
}

/* Connect to the service (with a TLS handshake when tls); false with why. */
static bool stream_open(struct unauth_service *u, bool tls, struct stream *st, char *why,
			size_t why_size)
{
	st->fd = -1;
	st->ssl = NULL;
	st->deadline_ns = sock_now_ns() + (int64_t)UNAUTH_EXCHANGE_MS * 1000000;
	if (st->deadline_ns > u->deadline_ns)
		st->deadline_ns = u->deadline_ns;
	struct sock_address a;
	struct dl_error err = {0};
	if (sock_address_parse(u->service->address, u->service->port, &a, &err) < 0 ||
	    sock_tcp_connect(u->run->ctx->scope, &a, u->run->interface, st->deadline_ns, &st->fd,
			     &err) < 0) {
		unauth_put(why, why_size, "%s", err.message);
		st->fd = -1;
		return false;
	}
	if (!tls)
		return true;
	if (!u->run->tls || !(st->ssl = SSL_new(u->run->tls)) || SSL_set_fd(st->ssl, st->fd) != 1) {
		unauth_put(why, why_size, "OpenSSL: cannot start TLS");
		stream_close(st);
		return false;
	}
	for (;;) {
		struct sigpipe_hold hold; /* OpenSSL writes to the socket itself */
		sigpipe_hold(&hold);
		int rc = SSL_connect(st->ssl);
		sigpipe_release(&hold);
		if (rc == 1)
			return true;
		if (!tls_wait(st->ssl, st->fd, rc, st->deadline_ns)) {
			unauth_put(why, why_size, "the TLS handshake did not complete");
			stream_close(st);
			return false;
		}
	}
}

static bool stream_send(struct stream *st, const void *data, size_t length)
{
	if (!st->ssl) {
		struct dl_error err = {0};
		return sock_send_all(st->fd, data, length, st->deadline_ns, &err) == 0;
	}
	size_t sent = 0;
	while (sent < length) {
		struct sigpipe_hold hold; /* OpenSSL writes to the socket itself */
		sigpipe_hold(&hold);
		int rc = SSL_write(st->ssl, (const uint8_t *)data + sent, (int)(length - sent));
		sigpipe_release(&hold);
		if (rc > 0)
			sent += (size_t)rc;
		else if (!tls_wait(st->ssl, st->fd, rc, st->deadline_ns))
			return false;
	}
	return true;
}

/* Read until cap, the peer closed, the deadline, or quiet_ms of silence
 * after the first byte; appends at *got. */
static void stream_recv(struct stream *st, uint8_t *buf, size_t cap, size_t *got, int quiet_ms)
{
	if (!st->ssl) {
		size_t n = 0;
		struct dl_error err = {0};
		sock_recv_some(st->fd, buf + *got, cap - *got, st->deadline_ns, quiet_ms, &n, &err);
		*got += n;
		return;
	}
	int64_t quiet_until = 0;
	while (*got < cap) {
		struct sigpipe_hold hold; /* OpenSSL writes to the socket itself */
		sigpipe_hold(&hold);
		int rc = SSL_read(st->ssl, buf + *got, (int)(cap - *got));
		sigpipe_release(&hold);
		if (rc > 0) {
			*got += (size_t)rc;
			quiet_until = sock_now_ns() + (int64_t)quiet_ms * 1000000;
			continue;
		}
		int64_t until = quiet_until && quiet_until < st->deadline_ns ? quiet_until
									     : st->deadline_ns;
		if (sock_now_ns() >= until || !tls_wait(st->ssl, st->fd, rc, until))
			return;
	}
}

/* ---- RTSP: DESCRIBE of stream paths (RFC 2326 10.2) ---- */

static void rtsp_path_add(const char **paths, size_t *count, const char *path)
{
	if (!path || path[0] != '/' || *count >= RTSP_PATHS_MAX)
		return;
	for (size_t i = 0; i < *count; i++)
		if (strcmp(paths[i], path) == 0)
			return;
	paths[(*count)++] = path;
}

void unauth_rtsp(struct unauth_service *u, bool tls)
{
	const struct scan_service *s = u->service;
	const struct profile *p = u->run->profile;
	const char *paths[RTSP_PATHS_MAX];
	size_t count = 0;
	for (size_t i = 0; p && i < p->adapter_count; i++)
		if (p->adapters[i].driver && strcmp(p->adapters[i].driver, "rtsp") == 0 &&
		    p->adapters[i].port == s->port)
			rtsp_path_add(paths, &count,
				      profile_adapter_option(&p->adapters[i], "url"));
	for (size_t i = 0; i < DL_ARRAY_SIZE(rtsp_paths); i++)
		rtsp_path_add(paths, &count, rtsp_paths[i]);
	char base[160];
	unauth_base_url(tls ? "rtsps" : "rtsp", s->address, s->port, base, sizeof(base));
	static uint8_t answer[PROBE_ANSWER_MAX];
	for (size_t i = 0; i < count; i++) {
		if (sock_remaining_ms(u->deadline_ns, 1000) <= 0)
			break;
		char url[256], request[UNAUTH_REQUEST_MAX], why[256];
		unauth_put(url, sizeof(url), "%s%s", base, paths[i]);
		unauth_put(request, sizeof(request), "DESCRIBE %s", url);
		uint8_t out[1024];
		size_t out_len = 0;
		struct dl_error err = {0};
		/* the request line carries rtsp:// inside TLS too (RFC 7826 uses rtsps://,
		 * GStreamer and most cameras take either) */
		char wire_url[256];
		unauth_base_url("rtsp", s->address, s->port, wire_url, sizeof(wire_url));
		unauth_put(wire_url + strlen(wire_url), sizeof(wire_url) - strlen(wire_url), "%s",
			   paths[i]);
		if (rtsp_build_describe(out, sizeof(out), &out_len, wire_url, (uint32_t)i + 1,
					&err) < 0)
			continue;
		struct stream st;
		if (!stream_open(u, tls, &st, why, sizeof(why))) {
			unauth_try(u, request, UNAUTH_NO_ANSWER, NULL, 0, (const uint8_t *)why,
				   strlen(why), "could not connect");
			continue;
		}
		size_t got = 0;
		if (stream_send(&st, out, out_len))
			stream_recv(&st, answer, sizeof(answer), &got, PROBE_QUIET_MS);
		stream_close(&st);
		struct rtsp_response r;
		if (got == 0 || rtsp_parse_response(answer, got, &r, &err) < 0) {
			unauth_try(u, request, UNAUTH_NO_ANSWER, NULL, 0, answer, got,
				   got ? err.message : "no answer");
			continue;
		}
		if (r.status == 401 || r.status == 403) {
			unauth_put(why, sizeof(why), "status %d%s%s: credentials are required",
				   r.status, r.www_authenticate[0] ? ", challenge " : "",
				   r.www_authenticate);
			unauth_try(u, request, UNAUTH_AUTHENTICATES, NULL, r.status, answer, got,
				   why);
		} else if (r.status == 200) {
			bool sdp = memmem(answer, got, "m=video", 7) ||
				   memmem(answer, got, "application/sdp", 15);
			unauth_put(why, sizeof(why),
				   "status 200: %s without credentials; a client can PLAY it",
				   sdp ? "the SDP description of a video stream" : "a description");
			unauth_try(u, request, UNAUTH_SERVED, UNAUTH_DATA_PRIVACY, r.status, answer,
				   got, why);
		} else {
			unauth_put(why, sizeof(why), "status %d: no stream there", r.status);
			unauth_try(u, request, UNAUTH_ABSENT, NULL, r.status, answer, got, why);
		}
	}
}

/* ---- telnet: read to the first prompt (RFC 854) ---- */

static bool text_matches(const char *text, const char *pattern)
{
	regex_t re;
	if (regcomp(&re, pattern, REG_EXTENDED | REG_ICASE | REG_NOSUB | REG_NEWLINE) != 0)
		return false;
	bool m = regexec(&re, text, 0, NULL, 0) == 0;
	regfree(&re);
	return m;
}

void unauth_telnet(struct unauth_service *u)
{
	char request[UNAUTH_REQUEST_MAX], why[256];
	unauth_put(request, sizeof(request), "telnet %s %u: connect and read to the first prompt",
		   u->service->address, u->service->port);
	struct stream st;
	if (!stream_open(u, false, &st, why, sizeof(why))) {
		unauth_try(u, request, UNAUTH_NO_ANSWER, NULL, 0, (const uint8_t *)why, strlen(why),
			   "could not connect");
		return;
	}
	struct telnet t;
	struct dl_error err = {0};
	telnet_init(&t, "vt100", &err);
	static uint8_t data[PROBE_ANSWER_MAX];
	size_t data_len = 0;
	uint8_t in[1024], reply[512];
	bool nudged = false;
	for (int rounds = 0; rounds < 16 && data_len + 1 < sizeof(data); rounds++) {
		size_t got = 0;
		stream_recv(&st, in, sizeof(in), &got, PROBE_QUIET_MS);
		if (got == 0) {
			if (nudged || data_len > 0 || sock_now_ns() >= st.deadline_ns)
				break;
			/* some servers print the prompt only after a line; never
			 * once a prompt came, where a line would answer it */
			nudged = true;
			stream_send(&st, "\r\n", 2);
			continue;
		}
		size_t consumed = 0, reply_len = 0;
		telnet_feed(&t, in, got, &consumed, data, sizeof(data) - 1, &data_len, reply,
			    sizeof(reply), &reply_len, &err);
		if (reply_len)
			stream_send(&st, reply, reply_len);
	}
	stream_close(&st);
	data[data_len] = '\0';
	for (size_t i = 0; i < data_len; i++)
		if (data[i] == '\0')
			data[i] = ' ';
	/* The last non-empty line is what waits for input. */
	size_t end = data_len;
	while (end > 0 && (data[end - 1] == '\r' || data[end - 1] == '\n' || data[end - 1] == ' '))
		end--;
	size_t start = end;
	while (start > 0 && data[start - 1] != '\n' && data[start - 1] != '\r')
		start--;
	char last[256];
	size_t last_len = end - start < sizeof(last) - 1 ? end - start : sizeof(last) - 1;
	memcpy(last, data + start, last_len);
	last[last_len] = '\0';
	const char *text = last;
	if (text_matches(text, "(login|username|user name|user)[^:]*: *$") ||
	    text_matches(text, "password[^:]*: *$"))
		unauth_try(u, request, UNAUTH_AUTHENTICATES, NULL, 0, data, data_len,
			   "a login prompt: credentials are asked first");
	else if (text_matches(text, "[$#>%] *$"))
		unauth_try(u, request, UNAUTH_SERVED, UNAUTH_DATA_CONTROL, 0, data, data_len,
			   "a shell prompt without a login prompt: commands run without "
			   "credentials");
	else
		unauth_try(u, request, UNAUTH_NO_ANSWER, NULL, 0, data, data_len,
			   data_len ? "neither a login nor a shell prompt" : "no answer");
}

/* ---- SSH: the "none" method (RFC 4252 5.2) and the methods offered ---- */

void unauth_ssh(struct unauth_service *u)
{
	const struct profile *p = u->run->profile;
	const char *users[4];
	size_t count = 0;
	users[count++] = "root";
	for (size_t i = 0; p && i < p->credential_count && count < DL_ARRAY_SIZE(users); i++) {
		const char *name = p->credentials[i].username;
		bool seen = false;
		for (size_t k = 0; k < count; k++)
			seen |= name && strcmp(users[k], name) == 0;
		if (name && !seen)
			users[count++] = name;
	}
	for (size_t i = 0; i < count; i++) {
		char request[UNAUTH_REQUEST_MAX], why[512];
		unauth_put(request, sizeof(request), "SSH userauth 'none' as '%s' to %s port %u",
			   users[i], u->service->address, u->service->port);
		struct stream st;
		if (!stream_open(u, false, &st, why, sizeof(why))) {
			unauth_try(u, request, UNAUTH_NO_ANSWER, NULL, 0, (const uint8_t *)why,
				   strlen(why), "could not connect");
			continue;
		}
		ssh_session ssh = ssh_new();
		if (!ssh) {
			stream_close(&st);
			return;
		}
		int verbosity = SSH_LOG_NOLOG, process_config = 0;
		long seconds = UNAUTH_EXCHANGE_MS / 1000;
		ssh_options_set(ssh, SSH_OPTIONS_LOG_VERBOSITY, &verbosity);
		ssh_options_set(ssh, SSH_OPTIONS_PROCESS_CONFIG, &process_config);
		ssh_options_set(ssh, SSH_OPTIONS_HOST, u->service->address);
		ssh_options_set(ssh, SSH_OPTIONS_USER, users[i]);
		ssh_options_set(ssh, SSH_OPTIONS_KNOWNHOSTS, "/dev/null");
		ssh_options_set(ssh, SSH_OPTIONS_GLOBAL_KNOWNHOSTS, "/dev/null");
		ssh_options_set(ssh, SSH_OPTIONS_TIMEOUT, &seconds);
		/* libssh adopts the scoped socket and closes it in ssh_free */
		ssh_options_set(ssh, SSH_OPTIONS_FD, &st.fd);
		st.fd = -1;
		ssh_set_blocking(ssh, 1);
		if (ssh_connect(ssh) != SSH_OK) {
			unauth_put(why, sizeof(why), "%s", ssh_get_error(ssh));
			unauth_try(u, request, UNAUTH_NO_ANSWER, NULL, 0, (const uint8_t *)why,
				   strlen(why), "the SSH handshake did not complete");
			ssh_free(ssh);
			continue;
		}
		int rc = ssh_userauth_none(ssh, NULL);
		const char *banner = ssh_get_serverbanner(ssh);
		if (rc == SSH_AUTH_SUCCESS) {
			unauth_put(
				why, sizeof(why),
				"the server accepted the 'none' method: a session as '%s' without "
				"credentials",
				users[i]);
			unauth_try(u, request, UNAUTH_SERVED, UNAUTH_DATA_CONTROL, 0,
				   (const uint8_t *)(banner ? banner : ""),
				   banner ? strlen(banner) : 0, why);
		} else {
			int methods = ssh_userauth_list(ssh, NULL);
			unauth_put(why, sizeof(why), "'none' refused; methods offered:%s%s%s%s%s",
				   methods & SSH_AUTH_METHOD_PASSWORD ? " password" : "",
				   methods & SSH_AUTH_METHOD_PUBLICKEY ? " publickey" : "",
				   methods & SSH_AUTH_METHOD_INTERACTIVE ? " keyboard-interactive"
									 : "",
				   methods & SSH_AUTH_METHOD_HOSTBASED ? " hostbased" : "",
				   methods & SSH_AUTH_METHOD_GSSAPI_MIC ? " gssapi-with-mic" : "");
			unauth_try(u, request, UNAUTH_AUTHENTICATES, NULL, 0,
				   (const uint8_t *)(banner ? banner : ""),
				   banner ? strlen(banner) : 0, why);
		}
		ssh_disconnect(ssh);
		ssh_free(ssh);
	}
}

/* ---- FTP: anonymous login (RFC 959 4.1.1, RFC 1635) ---- */

static int ftp_code(const uint8_t *text, size_t n)
{
	/* the last reply line "NNN " of what came */
	int code = 0;
	for (size_t i = 0; i + 3 < n; i++) {
		bool line_start = i == 0 || text[i - 1] == '\n';
		if (line_start && text[i] >= '1' && text[i] <= '5' && text[i + 1] >= '0' &&
		    text[i + 1] <= '9' && text[i + 2] >= '0' && text[i + 2] <= '9' &&
		    text[i + 3] == ' ')
			code = (text[i] - '0') * 100 + (text[i + 1] - '0') * 10 +
			       (text[i + 2] - '0');
	}
	return code;
}

void unauth_ftp(struct unauth_service *u)
{
	char request[UNAUTH_REQUEST_MAX], why[256];
	unauth_put(request, sizeof(request), "FTP USER anonymous / PASS dutlab@ to %s port %u",
		   u->service->address, u->service->port);
	struct stream st;
	if (!stream_open(u, false, &st, why, sizeof(why))) {
		unauth_try(u, request, UNAUTH_NO_ANSWER, NULL, 0, (const uint8_t *)why, strlen(why),
			   "could not connect");
		return;
	}
	static uint8_t text[PROBE_ANSWER_MAX];
	size_t got = 0;
	stream_recv(&st, text, sizeof(text), &got, PROBE_QUIET_MS);
	int code = 0;
	if (stream_send(&st, "USER anonymous\r\n", 16)) {
		stream_recv(&st, text, sizeof(text), &got, PROBE_QUIET_MS);
		code = ftp_code(text, got);
		if (code == 331 && stream_send(&st, "PASS dutlab@\r\n", 14)) {
			stream_recv(&st, text, sizeof(text), &got, PROBE_QUIET_MS);
			code = ftp_code(text, got);
		}
	}
	stream_send(&st, "QUIT\r\n", 6);
	stream_close(&st);
	if (code == 230)
		unauth_try(u, request, UNAUTH_SERVED, UNAUTH_DATA_STORAGE, code, text, got,
			   "230: an anonymous session on the device's file store");
	else if (code == 530 || code == 331 || code == 332 || code == 421)
		unauth_try(u, request, UNAUTH_AUTHENTICATES, NULL, code, text, got,
			   "anonymous login refused");
	else
		unauth_try(u, request, UNAUTH_NO_ANSWER, NULL, code, text, got,
			   "no reply to tell whether anonymous login works");
}

/* ---- MQTT: CONNECT without user name and password (MQTT 3.1.1 3.1, 3.2) ---- */

void unauth_mqtt(struct unauth_service *u)
{
	static const uint8_t connect[] = {
		0x10, 0x12,                       /* CONNECT, remaining length 18 */
		0x00, 0x04, 'M',  'Q',  'T', 'T', /* protocol name */
		0x04, 0x02, 0x00, 0x3c,           /* level 4, clean session, keep-alive 60 */
		0x00, 0x06, 'd',  'u',  't', 'l', 'a', 'b', /* client identifier */
	};
	char request[UNAUTH_REQUEST_MAX], why[256];
	unauth_put(request, sizeof(request),
		   "MQTT CONNECT without user name and password to %s port %u", u->service->address,
		   u->service->port);
	struct stream st;
	if (!stream_open(u, u->service->tls, &st, why, sizeof(why))) {
		unauth_try(u, request, UNAUTH_NO_ANSWER, NULL, 0, (const uint8_t *)why, strlen(why),
			   "could not connect");
		return;
	}
	uint8_t answer[64];
	size_t got = 0;
	if (stream_send(&st, connect, sizeof(connect)))
		stream_recv(&st, answer, sizeof(answer), &got, PROBE_QUIET_MS);
	stream_send(&st, "\xe0\x00", 2); /* DISCONNECT */
	stream_close(&st);
	if (got >= 4 && answer[0] == 0x20 && answer[1] == 0x02 && answer[3] == 0)
		unauth_try(u, request, UNAUTH_SERVED, UNAUTH_DATA_FUNCTION, 0, answer, got,
			   "CONNACK 0: the broker accepts anonymous clients, who may publish and "
			   "subscribe");
	else if (got >= 4 && answer[0] == 0x20 && (answer[3] == 4 || answer[3] == 5))
		unauth_try(u, request, UNAUTH_AUTHENTICATES, NULL, answer[3], answer, got,
			   "CONNACK refused the client: not authorised");
	else
		unauth_try(u, request, UNAUTH_NO_ANSWER, NULL, 0, answer, got,
			   "no CONNACK to tell whether anonymous clients are accepted");
}

/* ---- SNMP: GetRequest with the well-known communities (RFC 1157, 3416) ---- */

void unauth_snmp(struct unauth_service *u)
{
	static const struct {
		int version;
		const char *community;
	} tries[] = {
		{SNMP_VERSION_2C, "public"},
		{SNMP_VERSION_2C, "private"},
		{SNMP_VERSION_1, "public"},
	};
	struct sock_address a;
	struct dl_error err = {0};
	if (sock_address_parse(u->service->address, u->service->port, &a, &err) < 0)
		return;
	const char *oids[] = {SNMP_OID_SYS_DESCR, SNMP_OID_SYS_NAME};
	for (size_t i = 0; i < DL_ARRAY_SIZE(tries); i++) {
		char request[UNAUTH_REQUEST_MAX], why[256];
		unauth_put(request, sizeof(request),
			   "SNMP%s GetRequest sysDescr.0 community '%s' to %s",
			   tries[i].version == SNMP_VERSION_1 ? "v1" : "v2c", tries[i].community,
			   u->service->address);
		uint8_t out[SNMP_MESSAGE_MAX], in[SNMP_MESSAGE_MAX];
		size_t out_len = 0, got = 0;
		if (snmp_build_get(out, sizeof(out), &out_len, tries[i].version, tries[i].community,
				   (int32_t)(0x4455 + i), oids, DL_ARRAY_SIZE(oids), &err) < 0)
			continue;
		int64_t deadline = sock_now_ns() + 2000000000LL;
		if (deadline > u->deadline_ns)
			deadline = u->deadline_ns;
		enum udp_outcome outcome = UDP_SILENT;
		if (udp_exchange(u->run->ctx->scope, u->run->interface, &a, out, out_len, in,
				 sizeof(in), &got, 2, deadline, &outcome, &err) < 0) {
			unauth_try(u, request, UNAUTH_NO_ANSWER, NULL, 0,
				   (const uint8_t *)err.message, strlen(err.message),
				   "could not send");
			continue;
		}
		struct snmp_message m;
		if (outcome == UDP_ANSWERED && snmp_parse(in, got, &m, &err) == 0 &&
		    m.pdu_type == SNMP_PDU_GET_RESPONSE && m.error_status == 0) {
			const struct snmp_varbind *d = snmp_find(&m, SNMP_OID_SYS_DESCR);
			unauth_put(
				why, sizeof(why),
				"community '%s' answered: the management information base is read "
				"without credentials (sysDescr '%s')",
				tries[i].community, d ? d->text : "");
			unauth_try(u, request, UNAUTH_SERVED, UNAUTH_DATA_FUNCTION, 0,
				   (const uint8_t *)(d ? d->text : ""), d ? strlen(d->text) : 0,
				   why);
		} else if (outcome == UDP_ANSWERED) {
			unauth_try(u, request, UNAUTH_AUTHENTICATES, NULL, 0, in, got,
				   "an error answer: the community gives no access");
		} else {
			unauth_put(
				why, sizeof(why),
				"%s: the community is not accepted (SNMP drops a wrong community "
				"silently)",
				udp_outcome_name(outcome));
			unauth_try(u, request, UNAUTH_AUTHENTICATES, NULL, 0, NULL, 0, why);
		}
	}
}
