/* unauth-internal: what the files of the auth.unauthenticated collector share, private to them */
#ifndef DUTLAB_CHECKS_AUTH_UNAUTH_INTERNAL_H
#define DUTLAB_CHECKS_AUTH_UNAUTH_INTERNAL_H

/*
 * unauthenticated.c owns the run and walks the services discovery.scan
 * found; unauth-http.c asks web and ONVIF services, unauth-probes.c the
 * others (RTSP, telnet, SSH, FTP, MQTT, SNMP). Each request is recorded
 * with unauth_try(): what was sent, what came back, and what it shows.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct check_context;
struct json_object;
struct profile;
struct scan_service;
struct ssl_ctx_st; /* OpenSSL's SSL_CTX */

/* What one request without credentials showed (the observation's "result"). */
#define UNAUTH_SERVED "served"               /* function or data without a login */
#define UNAUTH_AUTHENTICATES "authenticates" /* a challenge, 401/403, a login prompt */
#define UNAUTH_LOGIN_PAGE "login-page"       /* the login page itself: fine */
#define UNAUTH_ABSENT "absent"               /* not there (404), nothing served */
#define UNAUTH_NO_ANSWER "no-answer"         /* nothing usable came back */

/* What a served answer gave away (the observation's "data"): the judge's
 * `data` parameter selects which decide (every-interface.c). */
#define UNAUTH_DATA_FUNCTION "function"   /* a function or device data */
#define UNAUTH_DATA_PRIVACY "privacy"     /* video, snapshots, recordings */
#define UNAUTH_DATA_SENSITIVE "sensitive" /* configuration, users, keys */
#define UNAUTH_DATA_STORAGE "storage"     /* a file store: whatever it holds */
#define UNAUTH_DATA_CONTROL "control"     /* a shell or debugger: everything */

#define UNAUTH_EXCERPT_MAX 240
#define UNAUTH_REQUEST_MAX 256
#define UNAUTH_EXCHANGE_MS 4000

struct unauth_run {
	const struct check_context *ctx;
	const struct profile *profile;
	const char *interface;
	struct ssl_ctx_st *tls;         /* detection only: any version, no verification */
	const struct json_object *scan; /* the discovery.scan observation */
	char evidence_dir[4096];
};

/* One service being tried: its tries and its transcript. */
struct unauth_service {
	struct unauth_run *run;
	const struct scan_service *service;
	struct json_object *tries;
	FILE *transcript; /* NULL without evidence */
	int64_t deadline_ns;
};

/* Record one request: result is UNAUTH_*, data an UNAUTH_DATA_* (NULL
 * unless served), status the protocol's code (0 without one), answer the
 * bytes that came back (made printable and cut), why one line. */
void unauth_try(struct unauth_service *u, const char *request, const char *result, const char *data,
		int status, const uint8_t *answer, size_t answer_len, const char *why);

/* snprintf whose cut text is intended: every text recorded is bounded. */
void unauth_put(char *dst, size_t size, const char *format, ...)
	__attribute__((format(printf, 3, 4)));

/* "http://198.18.1.2:80" or "https://[fd00:198:0:1::2]:443" into buf. */
void unauth_base_url(const char *scheme, const char *address, uint16_t port, char *buf,
		     size_t size);

/* The data kind of a path or an action name by its words: snapshot,
 * video, record -> privacy; config, backup, user, key, secret -> sensitive;
 * otherwise function. */
const char *unauth_data_kind(const char *text);

/* unauth-http.c: GET /, the declared whoami and GET action URLs of the
 * login adapters on this port, well-known sensitive and privacy paths,
 * and ONVIF operations when an onvif adapter points here. */
void unauth_http(struct unauth_service *u, bool tls);

/* unauth-probes.c */
void unauth_rtsp(struct unauth_service *u, bool tls);
void unauth_telnet(struct unauth_service *u);
void unauth_ssh(struct unauth_service *u);
void unauth_ftp(struct unauth_service *u);
void unauth_mqtt(struct unauth_service *u);
void unauth_snmp(struct unauth_service *u);

#endif
