/* child: run one collector in a forked child with a deadline, its progress piped back */
#ifndef DUTLAB_CORE_CHILD_H
#define DUTLAB_CORE_CHILD_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

struct check_context;
struct collector;
struct progress;

enum child_outcome { CHILD_DONE, CHILD_ERROR, CHILD_INTERRUPTED };

/*
 * Fork, run the collector in the child (its own process group, killed if
 * dutlab dies), read its progress lines into p, and enforce deadline_ns
 * plus a short grace by killing the group. *stop set by a signal handler
 * kills it at once. On CHILD_DONE *observation is the JSON text (caller
 * frees); otherwise message says why.
 */
enum child_outcome child_run_collector(const struct collector *collector,
				       const struct check_context *base, struct progress *p,
				       int64_t deadline_ns, volatile sig_atomic_t *stop,
				       char **observation, char *message, size_t message_size);

#endif
