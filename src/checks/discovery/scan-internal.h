/* scan-internal: what the files of the discovery.scan collector share, private to them */
#ifndef DUTLAB_CHECKS_DISCOVERY_SCAN_INTERNAL_H
#define DUTLAB_CHECKS_DISCOVERY_SCAN_INTERNAL_H

/*
 * The collector (scan.c) owns one struct scan_run and walks the addresses;
 * scan-tcp.c identifies an open TCP port, scan-web.c fetches what a web
 * service serves without credentials through scan-http.c, scan-udp.c probes
 * one UDP port and scan-upnp.c reads the description an SSDP answer names;
 * scan-evidence.c keeps each service's packets and scan-json.c bounds the
 * observation's fields. The observation's shape is documented in scan.c.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct capture;
struct capture_match;
struct check_context;
struct disclosure;
struct dl_error;
struct json_object;
struct sock_address;
struct ssl_ctx_st; /* OpenSSL's SSL_CTX */

#define EXCHANGE_MS 2000    /* connect + TLS handshake, or a probe's answer */
#define HTTP_MS 4000        /* one libcurl GET */
#define BANNER_JSON_MAX 256 /* raw bytes of a banner kept in the observation */
#define HTTP_BODY_MAX 65536 /* bytes of a page kept for the login-form test */
#define SERVICE_CAPTURE_MAX (4u << 20)
#define SCAN_HTTP_ERROR_MAX 256 /* CURL_ERROR_SIZE, checked in scan-http.c */

/* One run of the collector, owned by collect() in scan.c. */
struct scan_run {
	const struct check_context *ctx;
	const char *interface;
	struct capture *capture; /* of the address being scanned; NULL without capture */
	struct ssl_ctx_st *tls;
	struct json_object *notes;
	char evidence_dir[4096]; /* absolute: <campaign>/evidence/discovery */
	uint64_t progress_total;
	uint64_t progress_base; /* units done by earlier addresses */
	const char *address;    /* being scanned, for progress */
};

/* scan.c: the run's progress, its notes and its deadline. */
void scan_progress(struct scan_run *r, uint64_t done, const char *format, ...)
	__attribute__((format(printf, 3, 4)));
/* What went wrong without stopping the scan, into the observation's "notes". */
void scan_note(struct scan_run *r, const char *format, ...) __attribute__((format(printf, 2, 3)));
bool scan_time_left(int64_t deadline_ns, int64_t need_ns);
/* ms from now, but never after deadline_ns. */
int64_t scan_soon(int64_t deadline_ns, int ms);

/* scan-json.c */
/* snprintf whose cut text is intended: every field of the observation is bounded. */
void scan_put(char *dst, size_t size, const char *format, ...)
	__attribute__((format(printf, 3, 4)));
/* Bytes from the DUT as printable ASCII: \r \n \t \\ and \xNN escapes. */
struct json_object *scan_printable(const uint8_t *p, size_t n, size_t max);
/* value, or "" for NULL. */
void scan_add_string(struct json_object *o, const char *key, const char *value);
void scan_add_disclosures(struct json_object *list, const struct disclosure *d, size_t n,
			  const char *source);
void scan_add_disclosure(struct json_object *list, const char *kind, const char *source,
			 const char *text);

/* scan-evidence.c */
/* Open a sink for name (e.g. "tcp-23") of the current address; fills
 * relative with the path the observation records, or "" without capture. */
void scan_evidence_open(struct scan_run *r, const char *name, const char *comment, uint32_t snaplen,
			uint64_t max_bytes, const struct capture_match *match, size_t match_count,
			bool icmp, char *relative, size_t relative_size);
/* Close the open sink; relative becomes "" when it could not be written. */
void scan_evidence_close(struct scan_run *r, char *relative);
/* A comment on the evidence being written: what dutlab does next. */
void scan_annotate(struct scan_run *r, const char *comment);

/* scan-tcp.c */
/* Identify one open TCP port and describe it as JSON. */
struct json_object *scan_identify_port(struct scan_run *r, const struct sock_address *target,
				       uint16_t port, int64_t deadline_ns);
/* An open port we had no time or room to talk to: named by its port. */
struct json_object *scan_unidentified_port(uint16_t port, const char *why);

/* scan-http.c */
struct scan_http_fetch {
	struct scan_run *run;
	char body[HTTP_BODY_MAX + 1];
	size_t bytes;   /* kept in body */
	uint64_t total; /* received */
	bool www_authenticate;
	long status;
	char content_type[64];
	char location[256]; /* a redirect's target, "" without one (or too long to keep) */
	char error[SCAN_HTTP_ERROR_MAX];
};

/* GET url within deadline_ns; 0 with f filled, or DL_ESCOPE/DL_EIO with err. */
int scan_http_get(struct scan_run *r, const char *url, int64_t deadline_ns,
		  struct scan_http_fetch *f, struct dl_error *err);
/* Copy the text between <tag> and </tag> (first one, case-insensitive),
 * printable, into out. */
bool scan_xml_field(const char *doc, const char *tag, char *out, size_t size);

/* scan-web.c */
/* Fetch a web service's landing page, the pages it links to and a few
 * well-known paths without credentials; adds "http" to service. */
void scan_web_content(struct scan_run *r, const struct sock_address *a, uint16_t port, bool tls,
		      int64_t deadline_ns, struct json_object *service,
		      struct json_object *disclosures);

/* scan-upnp.c */
/* The UPnP device description location names; adds "upnp" to service. */
void scan_upnp_description(struct scan_run *r, const char *location, int64_t deadline_ns,
			   struct json_object *service, struct json_object *disclosures);

/* scan-udp.c */
/* Send the probes of udp_probes[] for port until one is answered; appends
 * to probed, and to services when one was. */
void scan_udp_probe_port(struct scan_run *r, const struct sock_address *target, uint16_t port,
			 int64_t deadline_ns, struct json_object *probed,
			 struct json_object *services);

#endif
