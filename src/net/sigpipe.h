/* sigpipe: SIGPIPE held back from the calling thread while a library writes to a socket */
#ifndef DUTLAB_NET_SIGPIPE_H
#define DUTLAB_NET_SIGPIPE_H

#include <signal.h>
#include <stdbool.h>

/*
 * OpenSSL's socket BIO writes with write(): to a peer that reset the connection (a DUT's
 * BGP port answering a TLS probe with a RST) that raises SIGPIPE, which kills dutlab.
 * Between sigpipe_hold() and sigpipe_release() the signal is blocked for this thread, such
 * a write fails with EPIPE as our own sends (MSG_NOSIGNAL) do, and a SIGPIPE it left
 * pending is taken back, not delivered. One that was pending before stays pending.
 */
struct sigpipe_hold {
	sigset_t old_mask;
	bool was_pending;
};

void sigpipe_hold(struct sigpipe_hold *hold);
void sigpipe_release(const struct sigpipe_hold *hold);

#endif
