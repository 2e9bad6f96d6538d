/* identify: which service a TCP port runs, from its banner or its answer to one probe */
#ifndef DUTLAB_CHECKS_DISCOVERY_IDENTIFY_H
#define DUTLAB_CHECKS_DISCOVERY_IDENTIFY_H

/*
 * Called by the discovery.scan collector (checks/discovery/scan-tcp.c) for
 * every open TCP port. Pure functions: no I/O, no
 * allocation; every result lives in the caller's struct.
 *
 * Use: connect, send identify_probe_for(port) if it is not NULL (otherwise
 * wait for what the service says first), read up to IDENTIFY_BANNER_MAX
 * bytes with a deadline, then call identify_service() with what came back
 * (possibly nothing). Serves TS-0014-1 5.3.2.2 (debug and shell services)
 * and IoT-1006-1 5.2.2.3 / 5.4.1.3 (what a banner tells an unauthenticated
 * party).
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define IDENTIFY_BANNER_MAX 4096

/* Disclosure kinds: exactly these words, as they appear in observations. */
#define DISCLOSURE_KIND_VERSION "version"         /* software name and version */
#define DISCLOSURE_KIND_DEVICE_INFO "device-info" /* model, host name, OS, serial, location */
#define DISCLOSURE_KIND_CONTENT "content"         /* data served without login */

#define DISCLOSURE_TEXT_MAX 200
#define DISCLOSURES_MAX 8

struct disclosure {
	const char *kind; /* one of the DISCLOSURE_KIND_* strings (static) */
	char text[DISCLOSURE_TEXT_MAX];
};

struct service_identity {
	char service[32]; /* "ssh", "telnet", "http", "rtsp", "tls", "unknown" */
	char product[64]; /* "OpenSSH", "nginx" */
	char version[64]; /* "9.2p1", "1.22.1" */
	char detail[256]; /* one line for a report */
	bool debug;       /* a debug or shell service (TS-0014-1 5.3.2.2) */
	struct disclosure disclosures[DISCLOSURES_MAX];
	size_t disclosure_count;
	char method[16]; /* how it was decided: "banner", "probe-reply" or "port" */
};

struct identify_probe {
	const char *name;     /* "rtsp-options", "http-get", "gdb-qsupported" */
	const uint8_t *bytes; /* what to send (may contain NUL bytes) */
	size_t len;
};

/* The probe to send to port, or NULL for services that speak first (ssh,
 * telnet, ftp, smtp, vnc, mysql) and for unknown ports. */
const struct identify_probe *identify_probe_for(uint16_t port);

/*
 * Identify what sent banner (banner_len bytes, 0 if the port stayed
 * silent) on TCP port. tls says the caller completed a TLS handshake and
 * banner is what came through it. Always fills out; returns 0, or
 * DL_EINVAL for a NULL out. A service nothing matched is "unknown" (or the
 * port hint with method "port").
 */
int identify_service(uint16_t port, const uint8_t *banner, size_t banner_len, bool tls,
		     struct service_identity *out);

/* The service name usually on proto ("tcp"/"udp") port, or NULL. */
const char *identify_port_hint(const char *proto, uint16_t port);

/* Why port is a known debug/shell port, or NULL (TS-0014-1 5.3.2.2). */
const char *identify_debug_port_reason(uint16_t port);

/* Append a disclosure to out (ignored when full); text is cut to fit. */
void identify_add_disclosure(struct disclosure *list, size_t *count, const char *kind,
			     const char *text);

#endif
