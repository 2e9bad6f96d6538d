/* tls-workers: a small thread pool that runs an audit's independent probe chains in parallel */
#ifndef DUTLAB_CHECKS_TLS_TLS_WORKERS_H
#define DUTLAB_CHECKS_TLS_TLS_WORKERS_H

#include <stddef.h>

struct dl_error;

/*
 * A job is one chain of dependent probes (offer, see what the server
 * picked, offer the rest, ...); it runs on one worker and makes at most one
 * connection at a time. Returns 0, or a negative DL_E* that stops the
 * other workers from starting new jobs (the scope guard refused, out of
 * memory); the first such error is copied to the caller's err.
 */
typedef int (*tls_job_fn)(void *context, size_t index, struct dl_error *err);

/*
 * Run job(context, i) for i in [0, count) on at most `workers` threads, so
 * no more than `workers` connections are open at once. workers 1 (or a
 * count of 1) runs them in the calling thread. Returns the first job's
 * error, or 0.
 */
int tls_workers_run(size_t count, unsigned workers, tls_job_fn job, void *context,
		    struct dl_error *err);

#endif
