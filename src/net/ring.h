/* ring: AF_PACKET frame I/O on a tester interface, TPACKET_V3 receive ring and TX ring, behind the
 * scope guard */
#ifndef DUTLAB_NET_RING_H
#define DUTLAB_NET_RING_H

/*
 * One struct ring per tester interface. Receive: a TPACKET_V3 ring of
 * blocks the kernel fills and ring_receive() walks without a copy. Send:
 * a TPACKET_V2 TX ring (PACKET_TX_RING) with PACKET_QDISC_BYPASS, so a
 * frame is one memcpy into the ring and one send() kicks a whole batch;
 * where the kernel refuses a TX ring, sendmmsg() batches instead.
 *
 * The scope guard: ring_open() refuses an interface the scope does not
 * list, and ring_send() refuses a frame whose IPv4 or IPv6 destination is
 * outside the scope's networks, unless that destination cannot leave the
 * link (multicast, broadcast, link-local, unspecified, loopback): a
 * router DUT would forward a mutated packet to any routable address, so
 * no frame may carry one the profile did not declare.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct dl_error;
struct scope;
struct ring;

struct ring_options {
	bool receive;         /* open the TPACKET_V3 receive ring */
	bool send;            /* open the TX ring (or the sendmmsg fallback) */
	uint32_t block_size;  /* receive ring block, a power of two from 4096 to 16 MiB; 0: 1 MiB */
	uint32_t block_count; /* receive ring blocks, at most 1024; 0: 16 */
	uint32_t frame_size;  /* TX slot, a power of two from 128 to 16384; 0: 2048; holds
				 a frame of frame_size - 42 bytes (slot and virtio headers) */
	uint32_t frame_count; /* TX slots; 0: 4096 */
	uint16_t protocol;    /* ETH_P_* to receive (host order); 0: ETH_P_ALL */
	bool ignore_outgoing; /* receive: skip our own frames (PACKET_IGNORE_OUTGOING) */
	bool sendmmsg;        /* send: use the sendmmsg batches even where a TX ring works */
};

struct ring_stats {
	uint64_t sent, send_refused; /* frames handed to the kernel; frames the guard refused */
	uint64_t received, dropped;  /* frames the receive ring got (the kernel's tp_packets
					less tp_drops) and frames it dropped when full */
	bool tx_ring;                /* a TX ring; false: the sendmmsg fallback */
};

int ring_open(struct ring **out, const struct scope *scope, const char *interface,
	      const struct ring_options *o, struct dl_error *err);

/* The interface's MAC address and index, read at open. */
void ring_mac(const struct ring *r, uint8_t mac[6]);
int ring_ifindex(const struct ring *r);

/*
 * Queue one frame (Ethernet header on, no FCS; shorter than 60 bytes goes
 * out as it is: a runt is an anomaly too) for the next flush. A full ring
 * flushes first. 0, DL_ESCOPE (the frame's destination, named, by
 * scope_permit_frame), DL_EINVAL (shorter than the 14-byte Ethernet header,
 * or longer than the interface's MTU + 14, + 18 with a VLAN tag: the kernel
 * refuses both), or DL_EIO. Frames sent with the qdisc bypass do not show in
 * captures on the sending host (tcpdump): count them at the receiver.
 */
int ring_send(struct ring *r, const uint8_t *frame, size_t length, struct dl_error *err);
/* Hand every queued frame to the kernel and, with wait, until it has sent them. */
int ring_flush(struct ring *r, bool wait, struct dl_error *err);

/* Called for each frame received: the bytes, the length on the wire, the
 * kernel's timestamp in ns. Return false to stop the walk. */
typedef bool (*ring_frame_cb)(const uint8_t *frame, uint32_t captured, uint32_t wire_length,
			      uint64_t timestamp_ns, void *user);

/*
 * Walk the blocks the kernel has retired, waiting up to timeout_ms for the
 * first; calls cb for each frame and returns blocks to the kernel. *count
 * (may be NULL) receives the frames seen. 0 (also on timeout) or DL_EIO.
 */
int ring_receive(struct ring *r, int timeout_ms, ring_frame_cb cb, void *user, size_t *count,
		 struct dl_error *err);

/* A pollable descriptor for event loops. */
int ring_fd(const struct ring *r);

/* Not const: reading PACKET_STATISTICS resets the kernel's counters, so the
 * ring adds them up. */
void ring_stats(struct ring *r, struct ring_stats *out);

/* Unmap and close; NULL is fine. */
void ring_close(struct ring *r);

#endif
