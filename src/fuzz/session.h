/* session: a stateful robustness campaign: bring a protocol's session to the state where its
 * parser runs, then send mutated messages of that state, the session and the DUT watched */
#ifndef DUTLAB_FUZZ_SESSION_H
#define DUTLAB_FUZZ_SESSION_H

/*
 * A mutation dropped at the first state check tests nothing: a BGP
 * speaker reads an UPDATE only in Established. A protocol is a plug-in
 * (struct session_protocol, listed in session_protocols[]): establish
 * connects and walks the protocol to the state a template is sent in,
 * recording what it sent (the state-building prefix); its templates build
 * the messages of each state; tend keeps the session (keepalives) and
 * reads how the DUT reacted; close ends it; an optional send patches what
 * only the session knows into each case, an optional check says whether the
 * protocol is still healthy.
 *
 * Case i of a campaign with seed S is template T(S, i) (drawn by the
 * mix's shares, as the packet campaign draws) mutated as mutate_planned(S,
 * i): any case can be rebuilt from the seed and its index. The loop, at
 * profile.robustness.rate: ensure a session in the template's state (a DUT
 * that answered the last case with a NOTIFICATION and a reset did the
 * right thing, RFC 4271 6.3, RFC 7606: counted as a reset, never a
 * failure), send the case (into sessions-sent.pcapng too, as sent), read the
 * reaction (until the DUT's answer is whole, it reacts, or 20 ms), tend
 * every other open link without waiting, poll the health set (with
 * robustness.session_links N a parallel protocol keeps N links, each
 * carrying one case at a time: the engine reads a link's reaction when it
 * comes back to it); every robustness.session_check
 * seconds each protocol's check; every CAMPAIGN_CHECKPOINT_SECONDS a
 * checkpoint (a killed campaign resumes there). A failure is a monitor
 * failing (polled between re-establish attempts too), a session that
 * cannot be re-established within robustness.session_establish seconds,
 * or a check unhealthy for as long. Then: recover (wait
 * robustness.recovery for the monitors, the session and its check, else
 * power_cycle and wait again); the window (every case sent since the
 * failure time less the monitors' lead, as the packet campaign's) replayed
 * in index order, each case on its protocol's session in its state, to
 * confirm the failure, then bisected (fuzz/bisect.h) to the culprit, or the
 * smallest range that still fails; save the prefix and the culprit (or the
 * range's cases; each as its replay sent it) as a pcapng reproducer
 * (Ethernet/IPv4 frames of one TCP stream with plausible sequence numbers,
 * or UDP, or the raw IP protocol; each frame commented with its case).
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

#define SESSION_ESTABLISH_SECONDS 20 /* robustness.session_establish's default */
#define SESSION_CHECK_SECONDS 10     /* robustness.session_check's default */
#define SESSION_CONNECT_MS 3000      /* one attempt's connect and handshake */
#define SESSION_NEWEST_TRIES 4       /* newest cases replayed alone before bisecting a window */
#define SESSION_PREFIX_MAX 16        /* messages in the state-building prefix */
#define SESSION_PREFIX_BYTES 8192
#define SESSION_INPUT_BYTES 16384
#define SESSION_MESSAGE_MAX 4096 /* the longest message a mutation may grow (BGP's) */
#define SESSION_PROTOCOLS_MAX 8
#define SESSION_STATE_BYTES 16384 /* the most per-link protocol state (state_size) */
#define SESSION_EVIDENCE_MAX 512  /* a check's evidence, with its terminating NUL */
#define SESSION_TRAILER_MAX 64    /* what a protocol may write behind a case (trailer) */
/* a case frame as a send hook wrote it: the message and what the session patched in (RTSP's
 * Digest line, a long control URL) */
#define SESSION_SENT_BYTES (SESSION_MESSAGE_MAX + 2048)
#define SESSION_CHECKPOINT_KEY "robustness.sessions.checkpoint" /* in campaign.db */

/* What a protocol needs to reach the DUT. */
struct session_peer {
	const struct scope *scope;
	const char *interface;                       /* the tester port (robustness.interface) */
	struct in_addr dut4, tester4;                /* the DUT and the tester on that port */
	struct in6_addr tester6;                     /* the tester's IPv6 address there, or :: */
	const struct profile_robustness *robustness; /* the protocol's map (bgp) */
	/* the frames plug-ins' (ipv4, ipv6: whole Ethernet frames, session-frames.c) addresses:
	 * both MACs, the DUT's IPv4 and IPv6 (dut.addresses) and the tester's; zero until their
	 * prepare hook learnt them (campaign_addresses) */
	struct template_addresses frame;
	/* tester4's network mask on the port (its prefix: OSPF's hellos carry it), or 0.0.0.0:
	 * unknown */
	struct in_addr tester4_mask;
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
	/* the DUT's whole answer to the case has been read (an RTSP response to the
	 * request): the engine need not wait longer for this case's reaction */
	bool complete;
	/* the answer moved the session to protocol state `state` on the same connection
	 * (RTSP: a PLAY answered 200 in Ready plays, a PAUSE 200 readies, a TEARDOWN 200
	 * leaves the connection described): the engine's l->state follows, and a
	 * spends_session case so answered is not closed */
	bool moved;
	unsigned state;
	/* the DUT refused the case in its answer and kept the session as it was (RTSP: a 4xx,
	 * RFC 2326 7.1.1: the request was not carried out): a spends_session case so answered
	 * has not spent it, and the link goes on in its state */
	bool kept;
};

/* One session with the DUT; the protocol keeps its state in it. */
struct session_link {
	const struct session_peer *peer;
	unsigned index;         /* which of its protocol's links it is (0: the first, the one
				   replays and checks use) */
	struct in_addr source4; /* session_link_connect's local address (0: the kernel's) */
	int fd;                 /* -1: no session */
	unsigned state;         /* the protocol state establish reached (valid while fd >= 0) */
	/* the state-building prefix: what establish sent, message by message (messages past
	 * SESSION_PREFIX_MAX or SESSION_PREFIX_BYTES are sent, not recorded: prefix_full) */
	uint8_t prefix[SESSION_PREFIX_BYTES];
	size_t prefix_length, prefix_ends[SESSION_PREFIX_MAX], prefix_count;
	bool prefix_full;
	/* what the DUT sent, not yet read as messages */
	uint8_t input[SESSION_INPUT_BYTES];
	size_t input_length;
	/* the engine's one poll of every link before a case found nothing to read on this one:
	 * a read that would not wait skips a poll of its own (the engine's, session.c) */
	bool quiet;
	/* the engine replays a failure's window on this link: establish builds the whole
	 * state-building prefix, no shortcut the campaign takes for its pace (RTSP's SETUP
	 * without a DESCRIBE on the connection): the reproducer shows the full way in */
	bool replaying;
	bool datagram;         /* a UDP (or raw IP) socket: each read takes one datagram */
	bool connected;        /* connected to the DUT (else sendto, reads filtered on the DUT) */
	uint8_t ip_protocol;   /* a raw IP link's protocol (OSPF's 89) for the reproducer's
				  frames; 0: TCP, or UDP when datagram */
	struct in_addr local4; /* the connection's own address and port (the reproducer's) */
	uint16_t local_port, remote_port;
	/* the messages are whole Ethernet frames (ipv4, ipv6): the reproducer and the sent log
	 * write them as they are */
	bool frames;
	/* what the protocol writes behind a case on this session (BGP: a ROUTE-REFRESH whose
	 * answer proves the case was read, session-bgp.c), set by establish; the protocol's
	 * trailer hook says which cases it follows; 0: none. The reproducer writes it too. */
	uint8_t trailer[SESSION_TRAILER_MAX];
	size_t trailer_length;
	/* the case frame the send hook last wrote, when it wrote a patched copy (RTSP's CSeq,
	 * Session and Digest answer): session_link_sent() notes it and the engine records it, in
	 * the sent log and the reproducer, in place of the mutated frame; 0: the frame went as
	 * given. The engine zeroes sent_length before each send. */
	uint8_t sent[SESSION_SENT_BYTES];
	size_t sent_length;
	unsigned hold_time;   /* negotiated, seconds; 0: no keepalives */
	int64_t keepalive_ns; /* when the next keepalive is due */
	/*
	 * The protocol's own per-link state: state_size bytes (at most
	 * SESSION_STATE_BYTES) the plug-in casts and owns the meaning of.
	 * session_link_init points it at protocol_storage and zeroes it; it
	 * lives as long as the link, across its sessions (establish resets
	 * what a new session must not inherit); the engine frees nothing in
	 * it: whatever a plug-in allocates there, its close frees. A link is
	 * never copied (the pointer is into the link itself).
	 */
	void *protocol_state;
	_Alignas(max_align_t) uint8_t protocol_storage[SESSION_STATE_BYTES];
};

/* A message valid in one protocol state. */
struct session_template {
	/* name, protocol and title: what the mutation engine and coverage read
	 * (base.build is NULL: a session message is built from the peer) */
	struct fuzz_template base;
	/* Build the message, standalone (p->bytes is what goes on the socket),
	 * and packet_finish() it. 0, DL_ENOMEM or DL_EINVAL. */
	int (*build)(struct packet *p, const struct session_peer *peer, struct dl_error *err);
	/* the protocol state the message is sent in: the plug-in's own
	 * numbering, 0 its main fuzzing state (BGP Established) */
	unsigned state;
	/* the session cannot go on after it (a TLS handshake message): the
	 * engine closes the link after the case's reaction is read, unless that
	 * moved the session or refused the case and kept it (session_reaction) */
	bool spends_session;
	/* the longest a growing anomaly may make the message; 0: SESSION_MESSAGE_MAX (a frame:
	 * the port's MTU and Ethernet header, MUTATION_FRAME_DEFAULT, as the packet campaign) */
	uint32_t frame_max;
	/* the multi-frame anomalies are drawn too (mutation_options.fragments: IPv4/IPv6
	 * fragments that overlap or leave gaps, the frames plug-ins): a case may be up to
	 * MUTATION_FRAMES_MAX messages, which the engine sends in order (the send hook once
	 * each), logs, replays and writes to the reproducer together, as one case */
	bool fragments;
};

/*
 * The engine's rule: before a case, if the link is down or l->state is
 * not the template's state, advance it there (when the protocol can) or
 * close it and establish a fresh one at the template's state; send the
 * case (send, or session_link_send); read the reaction (tend: its answer
 * may move l->state); after a spends_session case not so moved (nor refused
 * with the session kept), close.
 */
struct session_protocol {
	const char *name;  /* "bgp": the mix's name */
	const char *title; /* "BGP-4 in Established" */
	const struct session_template *const *templates;
	size_t template_count;
	/* Connect a fresh link and bring it to state before deadline_ns,
	 * recording the prefix (session_link_send with prefix true). 0 up (the
	 * engine then sets l->state); DL_ESCOPE and DL_ENOMEM are dutlab's own;
	 * any other error is the DUT's (refused, silent, a NOTIFICATION), with
	 * the reason in err. */
	int (*establish)(struct session_link *l, unsigned state, int64_t deadline_ns,
			 struct dl_error *err);
	/* Optional: bring an open session from l->state to state on the same connection
	 * by valid messages (RTSP: PLAY, SETUP, TEARDOWN), each recorded after the prefix
	 * (session_link_send with prefix true), before deadline_ns. Cheaper for the DUT
	 * than a new session (GStreamer's cost is the bytes it reads, one per system
	 * call, and the session it builds and tears down). 0 (the engine then sets
	 * l->state); DL_EUNSUPPORTED: not this way (the prefix has no room left
	 * to record it: a fresh session's prefix stays whole); DL_ESCOPE and DL_ENOMEM are
	 * dutlab's own; any other error is the DUT's (a status not 200), the reason
	 * in err. On any error the engine closes the link and establishes afresh. */
	int (*advance)(struct session_link *l, unsigned state, int64_t deadline_ns,
		       struct dl_error *err);
	/* Keep the session (keepalives when due) and read what the DUT said for
	 * up to wait_ms (0: only what is there; the engine tends every idle link
	 * so, every case). It may return before wait_ms once it has the whole
	 * answer (out->complete): the engine's wait for the case ends there; a
	 * return before wait_ms without it is called again for the rest. 0 with
	 * *out, or DL_EIO when our own sending failed (then *out is
	 * SESSION_CLOSED too). */
	int (*tend)(struct session_link *l, unsigned wait_ms, struct session_reaction *out,
		    struct dl_error *err);
	/* End the session (and free what establish allocated in protocol_state);
	 * called on a closed link too. */
	void (*close)(struct session_link *l);
	/* Optional (NULL: session_link_send(l, data, length, false, err)): send
	 * one case (t's message, mutated) on an established link; patches what
	 * only this session knows into a copy (RTSP's Session ID and CSeq), and
	 * notes that copy (session_link_sent()): the sent log and the reproducer
	 * record what went on the wire. 0, or DL_EIO when the session is gone
	 * (the engine counts a reset). */
	int (*send)(struct session_link *l, const struct session_template *t, const uint8_t *data,
		    size_t length, struct dl_error *err);
	/* Optional: the protocol's own health, on a fresh link the engine gives
	 * it (fd -1; the engine closes the fuzzing link first, and calls close on
	 * this one after): BGP: the DUT advertises the routes the profile
	 * expects; OSPF: the neighbour reaches Full; RTSP: OPTIONS answers and
	 * PLAY streams; TLS: a full handshake completes. 0 with *healthy and
	 * evidence ("bgp: 198.18.24.128/25 advertised"; at most
	 * SESSION_EVIDENCE_MAX is kept); a DUT that cannot be reached is 0 with
	 * *healthy false; DL_ESCOPE and DL_ENOMEM are dutlab's own errors.
	 * Called every robustness.session_check seconds and when deciding
	 * whether a DUT has recovered. */
	int (*check)(struct session_link *l, int64_t deadline_ns, bool *healthy, char *evidence,
		     size_t size, struct dl_error *err);
	/* bytes of per-link protocol state at l->protocol_state (at most
	 * SESSION_STATE_BYTES); 0: none */
	size_t state_size;
	/* how long one establish attempt may take; 0: SESSION_CONNECT_MS */
	unsigned establish_ms;
	/* the DUT takes several sessions from one tester address at once (RTSP's TCP
	 * connections, TLS): robustness.session_links of them are kept, a case going on one
	 * with no case pending (one already in the template's state first) without waiting for
	 * its reaction (read when the engine comes back to that link, or while it is idle: one
	 * case outstanding per link). false (BGP: one session per peer address; RIP's port 520;
	 * OSPF's one adjacency): one link */
	bool parallel;
	/* establish touches nothing but the link it is given (and reads the peer): with several
	 * links, the engine sets sessions up ahead, in threads of their own, in the states the
	 * next cases want, on links the DUT closed, while it sends cases on the others (RTSP: a new
	 * session is four round trips the engine would otherwise wait out alone); a case finding
	 * its link closed hands it to a thread too, and waits (at most a way in) for a link of
	 * its state rather than setting one up or advancing one itself */
	bool ready_ahead;
	/* Optional: called once before the campaign builds the protocol's templates, to learn
	 * what they need from the DUT into peer (the frames plug-ins: the MACs, by ARP, and the
	 * DUT's IPv6 address). 0, or an error that stops the campaign (dutlab's or the
	 * profile's: a DUT that answers no ARP). */
	int (*prepare)(struct session_peer *peer, const struct campaign_config *c,
		       struct dl_error *err);
	/* Optional: add link l's own counts to the protocol's observation po, adding to what
	 * is there (several links: each adds its own); the frames plug-ins: frames_sent,
	 * frames_refused (by the scope guard, or longer than the port takes) */
	void (*observe)(const struct session_link *l, struct json_object *po);
	/* Optional: how many bytes of l->trailer its send wrote behind the case data (0: none),
	 * decided from l's generic fields and the case alone (the reproducer asks on a session
	 * that kept no protocol state): the reproducer writes them after the case */
	size_t (*trailer)(const struct session_link *l, const uint8_t *data, size_t length);
	/* Optional: how many links it keeps with this peer, whatever parallel says (BGP: one per
	 * tester address robustness.bgp.sources names, the DUT keeping one session per peer
	 * address); NULL: robustness.session_links when parallel, else 1 */
	size_t (*links)(const struct session_peer *peer);
};

extern const struct session_protocol session_bgp;
extern const struct session_protocol session_rip;
extern const struct session_protocol session_ospf;
extern const struct session_protocol session_tls;
extern const struct session_protocol session_rtsp;
extern const struct session_protocol session_rtp;
extern const struct session_protocol session_rtcp;
extern const struct session_protocol session_rtp_udp; /* session-rtp.c: RTP, RTCP by UDP */
extern const struct session_protocol session_rtcp_udp;
extern const struct session_protocol session_ipv4; /* session-frames.c */
extern const struct session_protocol session_ipv6;
extern const struct session_protocol *const session_protocols[];
extern const size_t session_protocol_count;
const struct session_protocol *session_protocol_find(const char *name);

/* ---- what the protocols use ---- */

/* A fresh link (fd -1, nothing recorded, state 0, protocol_state pointing at its zeroed
 * storage). */
void session_link_init(struct session_link *l, const struct session_peer *peer);
/* Connect by TCP to the DUT's port (md5_key: TCP-MD5, RFC 2385, or NULL) from l->source4
 * when it is set, note the local address and port. */
int session_link_connect(struct session_link *l, uint16_t port, const char *md5_key,
			 int64_t deadline_ns, struct dl_error *err);
/* Open a UDP socket from the tester's address and local_port (RIP answers only from and to
 * port 520, RFC 2453 3.9.2) to the DUT's port, through sock_open() (the scope guard): a
 * connected one, or with group (RIP's 224.0.0.9) one bound to any address on the tester
 * port that also takes what the DUT sends to that group (reads keep the DUT's datagrams
 * only). 0, DL_ESCOPE or DL_EIO (the port taken, or no right to bind it). */
int session_link_open_udp(struct session_link *l, uint16_t local_port, uint16_t port,
			  const struct in_addr *group, struct dl_error *err);
/* data as the next prefix message, while the prefix has room (else prefix_full): a message a
 * protocol sent its own way (through TLS), or a case whose answer moved the session. */
void session_link_prefix_add(struct session_link *l, const uint8_t *data, size_t length);
/* Send data; with prefix true it is recorded as a prefix message (while the prefix has room,
 * else prefix_full). 0 or DL_EIO. */
int session_link_send(struct session_link *l, const uint8_t *data, size_t length, bool prefix,
		      struct dl_error *err);
/* A send hook's note: data is what it wrote for the case frame it was given (a patched copy),
 * recorded as the case was sent (l->sent). A copy longer than SESSION_SENT_BYTES is not noted:
 * the frame is recorded as mutated. */
void session_link_sent(struct session_link *l, const uint8_t *data, size_t length);
/* Read what arrived within wait_ms into l->input (a datagram link: one datagram at most,
 * appended). *closed: the peer closed or reset (UDP: its port is closed, ICMP port
 * unreachable). 0 or DL_EIO. */
int session_link_read(struct session_link *l, unsigned wait_ms, bool *closed, struct dl_error *err);
/* As session_link_read, but once something came only what is there at once is taken, with
 * no 2 ms wait for what may follow: for a reader that loops until its message is whole (BGP's,
 * whose establish and reaction reads each lost 2 ms a message to that wait). */
int session_link_read_some(struct session_link *l, unsigned wait_ms, bool *closed,
			   struct dl_error *err);
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
