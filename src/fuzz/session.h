/* session: a stateful robustness campaign: bring a protocol's session to the state where its
 * parser runs, then send mutated messages of that state, the session and the DUT watched */
#ifndef DUTLAB_FUZZ_SESSION_H
#define DUTLAB_FUZZ_SESSION_H

/*
 * A mutation dropped at the first state check tests nothing: a BGP
 * speaker reads an UPDATE only in Established. A protocol is a plug-in
 * (struct session_protocol, listed in session_protocols[]): establish
 * connects and walks the protocol to its fuzzing state, recording what it
 * sent (the state-building prefix); its templates build the messages valid
 * in that state; tend keeps the session (keepalives) and reads how the DUT
 * reacted; close ends it.
 *
 * Case i of a campaign with seed S is template T(S, i) (drawn by the
 * mix's shares, as the packet campaign draws) mutated as mutate_planned(S,
 * i): any case can be rebuilt from the seed and its index. The loop, at
 * profile.robustness.rate: ensure a session (a DUT that answered the last
 * case with a NOTIFICATION and a reset did the right thing, RFC 4271 6.3,
 * RFC 7606: counted as a reset, never a failure), send the case, read the
 * reaction briefly, poll the health set. A failure is a monitor failing or
 * a session that cannot be re-established within SESSION_ESTABLISH_SECONDS.
 * Then: recover (wait robustness.recovery for the monitors and the
 * session, else power_cycle and wait again), replay the recent cases
 * newest first, each in a fresh session, until one fails the DUT again
 * (the culprit), and save the prefix and the culprit as a pcapng reproducer
 * (Ethernet/IPv4/TCP frames with plausible sequence numbers, each frame
 * commented with its case).
 */

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fuzz/template.h"
#include "net/sock.h"

struct campaign_config;
struct dl_error;
struct json_object;
struct packet;
struct profile_robustness;
struct scope;

#define SESSION_ESTABLISH_SECONDS 20 /* a session not back within this is a failure */
#define SESSION_CONNECT_MS 3000      /* one attempt's connect and handshake */
#define SESSION_REPLAY_MAX 16        /* recent cases replayed to find a culprit */
#define SESSION_PREFIX_MAX 4         /* messages in the state-building prefix */
#define SESSION_PREFIX_BYTES 2048
#define SESSION_INPUT_BYTES 16384
#define SESSION_MESSAGE_MAX 4096 /* the longest message a mutation may grow (BGP's) */
#define SESSION_PROTOCOLS_MAX 8

/* What a protocol needs to reach the DUT. */
struct session_peer {
	const struct scope *scope;
	const char *interface;                       /* the tester port (robustness.interface) */
	struct in_addr dut4, tester4;                /* the DUT and the tester on that port */
	struct in6_addr tester6;                     /* the tester's IPv6 address there, or :: */
	const struct profile_robustness *robustness; /* the protocol's map (bgp) */
};

/* How the DUT reacted to what it was sent. */
enum session_reaction_kind {
	SESSION_ALIVE,    /* nothing said, or an ordinary message: the session stands */
	SESSION_NOTIFIED, /* an error message (BGP NOTIFICATION code/subcode); it will close */
	SESSION_CLOSED,   /* the connection closed or was reset without a word */
};

struct session_reaction {
	enum session_reaction_kind kind;
	uint8_t code, subcode;
};

/* One session with the DUT; the protocol keeps its state in it. */
struct session_link {
	const struct session_peer *peer;
	int fd; /* -1: no session */
	/* the state-building prefix: what establish sent, message by message */
	uint8_t prefix[SESSION_PREFIX_BYTES];
	size_t prefix_length, prefix_ends[SESSION_PREFIX_MAX], prefix_count;
	/* what the DUT sent, not yet read as messages */
	uint8_t input[SESSION_INPUT_BYTES];
	size_t input_length;
	bool datagram;         /* a UDP socket (RIP): each read takes one datagram */
	bool connected;        /* connected to the DUT (else sendto, reads filtered on the DUT) */
	struct in_addr local4; /* the connection's own address and port (the reproducer's) */
	uint16_t local_port, remote_port;
	unsigned hold_time;   /* negotiated, seconds; 0: no keepalives */
	int64_t keepalive_ns; /* when the next keepalive is due */
};

/* A message valid in the fuzzing state. */
struct session_template {
	/* name, protocol and title: what the mutation engine and coverage read
	 * (base.build is NULL: a session message is built from the peer) */
	struct fuzz_template base;
	/* Build the message, standalone (p->bytes is what goes on the socket),
	 * and packet_finish() it. 0, DL_ENOMEM or DL_EINVAL. */
	int (*build)(struct packet *p, const struct session_peer *peer, struct dl_error *err);
};

struct session_protocol {
	const char *name;  /* "bgp": the mix's name */
	const char *title; /* "BGP-4 in Established" */
	const struct session_template *const *templates;
	size_t template_count;
	/* Connect and bring the session to the fuzzing state before deadline_ns,
	 * recording the prefix (session_link_send with prefix true). 0 up;
	 * DL_ESCOPE is dutlab's own refusal; any other error is the DUT's
	 * (refused, silent, a NOTIFICATION), with the reason in err. */
	int (*establish)(struct session_link *l, int64_t deadline_ns, struct dl_error *err);
	/* Keep the session (keepalives when due) and read what the DUT said for
	 * up to wait_ms. 0 with *out, or DL_EIO when our own sending failed
	 * (then *out is SESSION_CLOSED too). */
	int (*tend)(struct session_link *l, unsigned wait_ms, struct session_reaction *out,
		    struct dl_error *err);
	void (*close)(struct session_link *l);
	/* how long one establish attempt may take; 0: SESSION_CONNECT_MS */
	unsigned establish_ms;
};

extern const struct session_protocol session_bgp;
extern const struct session_protocol session_rip;
extern const struct session_protocol *const session_protocols[];
extern const size_t session_protocol_count;
const struct session_protocol *session_protocol_find(const char *name);

/* ---- what the protocols use ---- */

/* A fresh link (fd -1, nothing recorded). */
void session_link_init(struct session_link *l, const struct session_peer *peer);
/* Connect by TCP to the DUT's port (md5_key: TCP-MD5, RFC 2385, or NULL),
 * note the local address and port. */
int session_link_connect(struct session_link *l, uint16_t port, const char *md5_key,
			 int64_t deadline_ns, struct dl_error *err);
/* Open a UDP socket from the tester's address and local_port (RIP answers only from and to
 * port 520, RFC 2453 3.9.2) to the DUT's port, through sock_open() (the scope guard): a
 * connected one, or with group (RIP's 224.0.0.9) one bound to any address on the tester
 * port that also takes what the DUT sends to that group (reads keep the DUT's datagrams
 * only). 0, DL_ESCOPE or DL_EIO (the port taken, or no right to bind it). */
int session_link_open_udp(struct session_link *l, uint16_t local_port, uint16_t port,
			  const struct in_addr *group, struct dl_error *err);
/* Send data; with prefix true it is recorded as a prefix message. 0 or DL_EIO. */
int session_link_send(struct session_link *l, const uint8_t *data, size_t length, bool prefix,
		      struct dl_error *err);
/* Read what arrived within wait_ms into l->input (a datagram link: one datagram at most,
 * appended). *closed: the peer closed or reset (UDP: its port is closed, ICMP port
 * unreachable). 0 or DL_EIO. */
int session_link_read(struct session_link *l, unsigned wait_ms, bool *closed, struct dl_error *err);
/* Drop the first n bytes of l->input (a message read). */
void session_link_consume(struct session_link *l, size_t n);
/* Close with a reset; the prefix is kept until the next connect. */
void session_link_close(struct session_link *l);

/*
 * Build the reproducer frames: the prefix messages and then message as
 * Ethernet/IPv4/TCP frames (UDP for a datagram link) from l's local address
 * and port to the DUT's, TCP sequence numbers following on from isn, written to w with comments
 * (prefix_comment for the prefix, comment for the message). Exposed for
 * the unit test; session_run() calls it.
 */
struct pcapng_writer;
int session_write_frames(struct pcapng_writer *w, const struct session_link *l, uint32_t isn,
			 const uint8_t *message, size_t length, const char *prefix_comment,
			 const char *comment, struct dl_error *err);

/*
 * Run the session campaign over the session protocols of the profile's
 * robustness.mix (the packet protocols are robustness.packets'). The
 * observation is shaped like campaign_run()'s: seed, rate, duration_s,
 * seconds_run, completed/stopped, cases, protocols {name: {weight, cases,
 * offered, hit, templates, sessions, resets, notifications}}, monitors,
 * health_events, failures (each with its culprit case and reproducer).
 * A DUT that fails is 0 with the failure in the observation.
 */
int session_run(const struct campaign_config *c, struct json_object **observation,
		struct dl_error *err);

#endif
