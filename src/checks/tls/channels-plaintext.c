/* channels-plaintext: which services discovery found in clear carry credentials, video or
 * management */
#include "core/compat.h"

#include <json-c/json.h>
#include <strings.h>

#include "checks/check.h"
#include "checks/discovery/scan-view.h"
#include "checks/tls/channels.h"
#include "core/error.h"
#include "core/json-read.h"
#include "net/sock.h"
#include "proto/rtsp.h"

#define RTSP_DESCRIBE_MS 3000

/* The discovery observation's object for an open TCP port, or NULL. */
static struct json_object *find_open_port(const struct json_object *scan, const char *address,
					  uint16_t port)
{
	struct json_object *addresses = json_read_array(scan, "addresses");
	for (size_t i = 0; i < json_read_length(addresses); i++) {
		struct json_object *a = json_object_array_get_idx(addresses, i);
		if (strcmp(json_read_text(a, "address", ""), address) != 0)
			continue;
		struct json_object *open = json_read_array(json_read_member(a, "tcp"), "open");
		if (!open)
			return NULL;
		for (size_t k = 0; k < json_object_array_length(open); k++) {
			struct json_object *o = json_object_array_get_idx(open, k);
			if (json_read_int(o, "port", -1) == port)
				return o;
		}
	}
	return NULL;
}

/* Does the web service ask for credentials anywhere discovery looked? */
static bool http_asks_credentials(struct json_object *http)
{
	if (json_read_true(http, "login_form") || json_read_true(http, "www_authenticate"))
		return true;
	struct json_object *pages = json_read_array(http, "pages");
	for (size_t i = 0; i < json_read_length(pages); i++) {
		struct json_object *page = json_object_array_get_idx(pages, i);
		if (json_read_true(page, "login_form") || json_read_true(page, "www_authenticate"))
			return true;
	}
	return false;
}

/* DESCRIBE rtsp://address:port/: the status, or 0 when nothing usable came. */
static int rtsp_describe_status(const struct check_context *ctx, const char *address, uint16_t port)
{
	struct sock_address target;
	struct dl_error err = {0};
	if (sock_address_parse(address, port, &target, &err) < 0)
		return 0;
	char url[128];
	snprintf(url, sizeof(url), strchr(address, ':') ? "rtsp://[%s]:%u/" : "rtsp://%s:%u/",
		 address, port);
	uint8_t request[512];
	size_t length = 0;
	if (rtsp_build_describe(request, sizeof(request), &length, url, 1, &err) < 0)
		return 0;
	int64_t deadline = sock_now_ns() + (int64_t)RTSP_DESCRIBE_MS * 1000000;
	if (deadline > ctx->deadline_ns)
		deadline = ctx->deadline_ns;
	int fd = -1;
	if (sock_tcp_connect(ctx->scope, &target, sock_interface(ctx->scope), deadline, &fd, &err) <
	    0)
		return 0;
	static uint8_t reply[RTSP_HEADER_MAX];
	size_t got = 0;
	int status = 0;
	struct rtsp_response response;
	if (sock_send_all(fd, request, length, deadline, &err) == 0 &&
	    sock_recv_some(fd, reply, sizeof(reply), deadline, 300, &got, &err) == 0 &&
	    rtsp_parse_response(reply, got, &response, &err) == 0)
		status = response.status;
	sock_close_reset(fd);
	return status;
}

static void add_channel(struct json_object *plaintext, const struct scan_service *s,
			const char *const *carries, size_t carries_count, const char *reason,
			const char *redirects_to)
{
	struct json_object *o = json_object_new_object();
	json_object_object_add(o, "address", json_object_new_string(s->address));
	json_object_object_add(o, "port", json_object_new_int(s->port));
	json_object_object_add(o, "proto", json_object_new_string(s->proto));
	json_object_object_add(o, "service", json_object_new_string(s->service));
	struct json_object *list = json_object_new_array();
	for (size_t i = 0; i < carries_count; i++)
		json_object_array_add(list, json_object_new_string(carries[i]));
	json_object_object_add(o, "carries", list);
	json_object_object_add(o, "reason", json_object_new_string(reason));
	json_object_object_add(o, "redirects_to",
			       redirects_to ? json_object_new_string(redirects_to) : NULL);
	json_object_object_add(o, "evidence",
			       s->evidence ? json_object_new_string(s->evidence) : NULL);
	json_object_array_add(plaintext, o);
}

static void classify_web(const struct json_object *scan, const struct scan_service *s,
			 struct json_object *plaintext)
{
	static const char *const login[] = {"credentials", "management"};
	static const char *const pages[] = {"management"};
	struct json_object *http =
		json_read_member(find_open_port(scan, s->address, s->port), "http");
	if (!http) {
		add_channel(plaintext, s, pages, 1,
			    "plain HTTP; discovery fetched no page to tell whether it redirects",
			    NULL);
		return;
	}
	const char *location = json_read_text(http, "location", "");
	if (strncasecmp(location, "https://", 8) == 0) {
		add_channel(plaintext, s, NULL, 0, "plain HTTP that redirects to HTTPS", location);
		return;
	}
	if (http_asks_credentials(http))
		add_channel(plaintext, s, login, 2,
			    "plain HTTP asks for credentials (a login form or an authentication "
			    "challenge) without redirecting to HTTPS",
			    NULL);
	else
		add_channel(plaintext, s, pages, 1,
			    "plain HTTP serves the web interface without redirecting to HTTPS",
			    NULL);
}

int channels_plaintext(const struct check_context *ctx, const struct json_object *scan,
		       const struct scan_view *view, struct json_object *plaintext,
		       struct json_object *notes, struct dl_error *err)
{
	(void)notes;
	(void)err;
	static const char *const shell[] = {"credentials", "management"};
	static const char *const credentials[] = {"credentials"};
	static const char *const video[] = {"video"};
	static const char *const video_login[] = {"credentials", "video"};
	for (size_t i = 0; i < view->service_count; i++) {
		const struct scan_service *s = &view->services[i];
		if (s->tls)
			continue;
		const char *name = s->service;
		if (strcmp(s->proto, "udp") == 0) {
			if (strcmp(name, "snmp") == 0)
				add_channel(plaintext, s, shell, 2,
					    "SNMPv1/v2c answered: the community string travels in "
					    "clear",
					    NULL);
			continue;
		}
		if (strcmp(name, "telnet") == 0)
			add_channel(plaintext, s, shell, 2, "telnet: a login in clear", NULL);
		else if (strcmp(name, "ftp") == 0)
			add_channel(plaintext, s, credentials, 1, "FTP: USER and PASS in clear",
				    NULL);
		else if (strcmp(name, "mqtt") == 0)
			add_channel(plaintext, s, credentials, 1,
				    "MQTT without TLS: CONNECT credentials and messages in clear",
				    NULL);
		else if (strncmp(name, "http", 4) == 0)
			classify_web(scan, s, plaintext);
		else if (strncmp(name, "rtsp", 4) == 0) {
			int status = rtsp_describe_status(ctx, s->address, s->port);
			if (status == 401)
				add_channel(
					plaintext, s, video_login, 2,
					"RTSP in clear: DESCRIBE asks for credentials (401) on "
					"the plaintext channel, and the stream follows in clear",
					NULL);
			else
				add_channel(plaintext, s, video, 1,
					    "RTSP in clear: video travels without encryption",
					    NULL);
		}
	}
	return 0;
}
