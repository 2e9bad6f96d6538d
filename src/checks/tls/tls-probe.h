/* tls-probe: one probe = one TCP connection, one ClientHello, the reply by a deadline */
#ifndef DUTLAB_CHECKS_TLS_TLS_PROBE_H
#define DUTLAB_CHECKS_TLS_TLS_PROBE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net/sock.h"

struct dl_error;
struct scope;
struct tls_client_hello;
struct tls_reply;

/*
 * The endpoint and the limits every probe of one audit shares. Counters are
 * atomic because the worker pool (tls-workers.c) runs probes from several
 * threads; everything else is set before the pool starts and read-only after.
 */
struct tls_prober {
	const struct scope *scope;
	const char *interface; /* NULL: let the kernel route */
	struct sock_address address;
	const char *server_name;          /* SNI for every hello; NULL: none */
	unsigned timeout_ms;              /* per probe: connect, send and reply */
	int64_t deadline_ns;              /* the whole audit's */
	atomic_uint_fast64_t connections; /* TCP connections made */
	atomic_uint_fast64_t lost;        /* probes that timed out or failed to connect */
	atomic_uint_fast64_t unreachable; /* connects refused or unanswered */
	atomic_bool deadline_passed;      /* a probe was skipped: the audit is incomplete */
};

enum tls_probe_outcome {
	TLS_PROBE_ANSWERED,    /* TLS records (or an SSLv2 message) arrived: see the reply */
	TLS_PROBE_CLOSED,      /* connected, then closed or reset before any byte */
	TLS_PROBE_SILENT,      /* connected, nothing before the probe's deadline */
	TLS_PROBE_GARBLED,     /* bytes that are not TLS */
	TLS_PROBE_UNREACHABLE, /* the connection failed (refused, unanswered) */
	TLS_PROBE_SKIPPED,     /* the audit's deadline had passed; nothing sent */
};

const char *tls_probe_outcome_name(enum tls_probe_outcome o); /* "closed" */

/* Set up p for address (numeric) and port; counters start at zero. */
int tls_prober_init(struct tls_prober *p, const struct scope *scope, const char *interface,
		    const char *address, uint16_t port, const char *server_name,
		    unsigned timeout_ms, int64_t deadline_ns, struct dl_error *err);

/*
 * Connect, send hello, and read until tls_parse_reply() says the server
 * has said all it will before our next flight (complete), an alert came,
 * the peer closed, or the probe's deadline (timeout_ms, never past the
 * audit's deadline) passed. *outcome says which; reply (large: allocate it)
 * holds what was parsed when the outcome is TLS_PROBE_ANSWERED, also a
 * partial reply cut by a close or the deadline (an SSLv2 SERVER-HELLO's
 * certificate pointer is cleared: it pointed into the read buffer).
 *
 * keep_fd: NULL closes the connection (with a reset, leaving no TIME_WAIT);
 * otherwise an answered connection stays open in *keep_fd (-1 if none) for
 * a follow-up (Heartbleed, CCS injection); the caller closes it with
 * sock_close_reset().
 *
 * Returns 0 whatever the server did; DL_ESCOPE when the scope guard refuses,
 * DL_EINVAL when the hello cannot be built, DL_ENOMEM, DL_EIO (no socket).
 */
int tls_probe(struct tls_prober *p, const struct tls_client_hello *hello, struct tls_reply *reply,
	      enum tls_probe_outcome *outcome, int *keep_fd, struct dl_error *err);

/* The same with the hello already encoded (len bytes). */
int tls_probe_raw(struct tls_prober *p, const uint8_t *hello, size_t len, struct tls_reply *reply,
		  enum tls_probe_outcome *outcome, int *keep_fd, struct dl_error *err);

/* Send data on a kept connection and read until a record of type `type`
 * arrives, the peer closes, or timeout_ms passes. buf/cap receive the raw
 * bytes (*got). *closed is set when the peer closed or reset. 0 or DL_EIO. */
int tls_probe_follow_up(struct tls_prober *p, int fd, const uint8_t *data, size_t len, uint8_t type,
			uint8_t *buf, size_t cap, size_t *got, bool *closed, struct dl_error *err);

#endif
