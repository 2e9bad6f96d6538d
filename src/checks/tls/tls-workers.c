/* tls-workers: a small thread pool that runs an audit's independent probe chains in parallel */
#include "core/compat.h"

/*
 * Why threads and not one poll() loop over non-blocking sockets: most of an
 * audit is chains of dependent probes (offer a list, see which suite the
 * server picked, offer the rest), which read naturally as sequential code
 * per chain; a poll() state machine would have to turn every chain inside
 * out. Each worker runs one chain at a time and each chain holds at most
 * one connection, so `workers` threads bound the open connections exactly
 * to the per-target limit; the probes are I/O bound, so a handful of
 * threads costs nothing. Every probe carries its own deadline
 * (tls-probe.c), so a worker never blocks past it.
 */

#include <pthread.h>
#include <stdatomic.h>

#include "checks/tls/tls-workers.h"
#include "core/error.h"

#define TLS_WORKERS_MAX 64

struct pool {
	size_t count;
	tls_job_fn job;
	void *context;
	atomic_size_t next;
	atomic_bool stop;
	pthread_mutex_t lock;
	int rc;
	struct dl_error err;
};

static void *worker(void *arg)
{
	struct pool *pool = arg;
	for (;;) {
		if (atomic_load(&pool->stop))
			break;
		size_t i = atomic_fetch_add(&pool->next, 1);
		if (i >= pool->count)
			break;
		struct dl_error err = {0};
		int rc = pool->job(pool->context, i, &err);
		if (rc < 0) {
			pthread_mutex_lock(&pool->lock);
			if (pool->rc == 0) {
				pool->rc = rc;
				pool->err = err;
			}
			pthread_mutex_unlock(&pool->lock);
			atomic_store(&pool->stop, true);
		}
	}
	return NULL;
}

int tls_workers_run(size_t count, unsigned workers, tls_job_fn job, void *context,
		    struct dl_error *err)
{
	struct pool pool = {.count = count, .job = job, .context = context};
	atomic_init(&pool.next, 0);
	atomic_init(&pool.stop, false);
	if (count == 0)
		return 0;
	if (workers == 0)
		workers = 1;
	if (workers > TLS_WORKERS_MAX)
		workers = TLS_WORKERS_MAX;
	if (workers > count)
		workers = (unsigned)count;
	pthread_mutex_init(&pool.lock, NULL);
	pthread_t threads[TLS_WORKERS_MAX];
	unsigned started = 0;
	/* the calling thread is a worker too, so one worker needs no thread */
	for (unsigned i = 1; i < workers; i++) {
		if (pthread_create(&threads[started], NULL, worker, &pool) != 0)
			break; /* fewer threads is slower, not wrong */
		started++;
	}
	worker(&pool);
	for (unsigned i = 0; i < started; i++)
		pthread_join(threads[i], NULL);
	pthread_mutex_destroy(&pool.lock);
	if (pool.rc < 0) {
		if (err)
			*err = pool.err;
		return pool.rc;
	}
	return 0;
}
