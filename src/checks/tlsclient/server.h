/* server: the TLS server dutlab plays for a DUT that is a TLS client, one certificate variant per
 * attempt */
#ifndef DUTLAB_CHECKS_TLSCLIENT_SERVER_H
#define DUTLAB_CHECKS_TLSCLIENT_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "checks/tlsclient/forge.h"

struct capture;
struct dl_error;
struct scope;

/*
 * Makes the DUT connect (runs the profile's trigger operation). Runs in a thread of its own
 * while the server waits for the connection; *exit_status is the operation's exit status (-1:
 * killed or timed out). Return 0 or a DL_E* code with err filled.
 */
typedef int (*tlsclient_trigger_cb)(void *opaque, enum forge_variant variant, int64_t deadline_ns,
				    int *exit_status, struct dl_error *err);

struct tlsclient_server_options {
	const struct scope *scope;
	const char *interface;      /* bind to it (SO_BINDTODEVICE); NULL: any */
	const char *listen_address; /* the tester's own address; must be in scope */
	uint16_t port;              /* the TLS port */
	uint16_t revocation_port;   /* the CRL/OCSP HTTP responder's port on the same address */
	/* The DUT's addresses: only connections from one of them (and in scope) are served. */
	char *const *dut_addresses;
	size_t dut_address_count;
	struct capture *capture;     /* NULL: no evidence */
	const char *evidence_dir;    /* absolute folder for the pcapng files; NULL: none */
	const char *evidence_prefix; /* relative path recorded: "evidence/tlsclient/update" */
};

#define TLSCLIENT_TEXT_MAX 256

/* What one attempt (one variant) observed. */
struct tlsclient_attempt {
	enum forge_variant variant;
	bool connected;        /* a TCP connection from the DUT arrived */
	bool handshake;        /* the TLS handshake completed */
	bool past_certificate; /* TLS <= 1.2: the client sent its key exchange after our Certificate
				*/
	bool application_data; /* the client sent data after the handshake */
	bool ocsp_stapled;     /* the client asked for status and we stapled a response */
	unsigned connections;  /* accepted connections from the DUT */
	unsigned refused_peers; /* connections dropped: not from a DUT address in scope */
	unsigned ocsp_requests, crl_requests; /* fetched from the responder during the attempt */
	int trigger_exit;                     /* the trigger's exit status; -1: killed or none */
	char version[16];                     /* "TLSv1.3"; "" before a handshake */
	char cipher[64];                      /* IANA name; "" before a handshake */
	char client_alert[64];             /* the alert the client sent ("unknown CA"); "" none */
	char request[TLSCLIENT_TEXT_MAX];  /* its first request line, printable only */
	char evidence[TLSCLIENT_TEXT_MAX]; /* relative pcapng path; "" without capture */
	char note[TLSCLIENT_TEXT_MAX];     /* a trigger or server failure, for the report */
};

/* "accepted", "refused" or "no_connection" (malformed: past_certificate also counts as
 * accepted, since its handshake cannot finish after the client read a broken certificate). */
const char *tlsclient_attempt_verdict(const struct tlsclient_attempt *a);

struct tlsclient_server;

/* Listen on listen_address:port and :revocation_port (after the scope guard allowed the
 * address) and start the revocation responder. set stays the caller's and must outlive s. */
int tlsclient_server_open(struct tlsclient_server **out, const struct tlsclient_server_options *o,
			  const struct forge_set *set, struct dl_error *err);

/*
 * One attempt: serve variant, call trigger in a thread, wait until the DUT connected and its
 * connection ended, or wait_ms passed without a connection, or deadline_ns. Returns 0 with *out
 * filled whatever the DUT did; an error only when the attempt could not be run at all.
 */
int tlsclient_server_attempt(struct tlsclient_server *s, enum forge_variant variant,
			     tlsclient_trigger_cb trigger, void *opaque, int wait_ms,
			     int64_t deadline_ns, struct tlsclient_attempt *out,
			     struct dl_error *err);

/* Requests the revocation responder answered since open. */
void tlsclient_server_counts(struct tlsclient_server *s, unsigned *ocsp, unsigned *crl);

void tlsclient_server_close(struct tlsclient_server *s);

#endif
