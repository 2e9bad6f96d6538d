/* ring: AF_PACKET frame I/O on a tester interface, TPACKET_V3 receive ring and TX ring, behind the
 * scope guard */
#include "core/compat.h"

#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/virtio_net.h>
#include <net/if.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "core/error.h"
#include "net/ring.h"
#include "net/scope.h"

/* Frames per sendmmsg() call in the fallback: enough to amortise the call,
 * few enough to stay in the cache. */
#define RING_BATCH 256u

/* How long a send may wait for the kernel to drain the ring or the socket
 * buffer (SO_SNDTIMEO) before ring_send/ring_flush report the interface stuck. */
#define RING_SEND_TIMEOUT_S 2

/* Where a TPACKET_V2 TX frame's bytes start in its slot (no PACKET_TX_HAS_OFF):
 * packet_mmap.rst, "TX_RING". */
#define RING_TX_DATA_OFFSET (TPACKET2_HDRLEN - sizeof(struct sockaddr_ll))

struct ring {
	const struct scope *scope;
	char interface[IFNAMSIZ];
	int ifindex;
	uint8_t mac[6];
	uint32_t mtu;
	int rx_fd, tx_fd;

	/* receive: block_count blocks of block_size bytes */
	uint8_t *rx_map;
	size_t rx_map_size;
	uint32_t block_size, block_count;
	uint32_t rx_block;  /* the block ring_receive reads next */
	uint32_t rx_packet; /* frames of rx_block already walked (a callback stopped) */
	uint32_t rx_offset; /* offset of the next frame in rx_block, when rx_packet > 0 */

	/* send, TX ring: frame_count slots of frame_size bytes */
	uint8_t *tx_map;
	size_t tx_map_size;
	uint32_t frame_size, frame_count;
	uint32_t tx_head;   /* the slot ring_send fills next */
	uint32_t tx_queued; /* slots filled since the last kick */
	uint32_t tx_vnet;   /* bytes of virtio_net_hdr before each frame (0 or 10) */

	/* send, sendmmsg fallback */
	struct mmsghdr *msgs;
	struct iovec *iovs;
	uint8_t *batch;
	uint32_t batch_count;

	size_t max_frame; /* the largest frame the slots and the MTU allow */
	struct ring_stats stats;
};

static bool power_of_two(uint32_t v)
{
	return v && (v & (v - 1)) == 0;
}

static int io_error(const struct ring *r, const char *what, int e, struct dl_error *err)
{
	return dl_error_set(err, DL_EIO, "interface '%s': %s: %s%s", r->interface, what,
			    strerror(e),
			    e == EPERM || e == EACCES
				    ? "; AF_PACKET needs root or CAP_NET_RAW (and CAP_NET_ADMIN)"
				    : "");
}

/* The interface's MAC address and MTU. */
static int read_interface(struct ring *r, int fd, struct dl_error *err)
{
	struct ifreq ifr;
	memset(&ifr, 0, sizeof(ifr));
	memcpy(ifr.ifr_name, r->interface, strlen(r->interface) + 1);
	if (ioctl(fd, SIOCGIFHWADDR, &ifr) < 0)
		return io_error(r, "reading its MAC address", errno, err);
	memcpy(r->mac, ifr.ifr_hwaddr.sa_data, sizeof(r->mac));
	if (ioctl(fd, SIOCGIFMTU, &ifr) < 0)
		return io_error(r, "reading its MTU", errno, err);
	r->mtu = ifr.ifr_mtu > 0 ? (uint32_t)ifr.ifr_mtu : 1500;
	return 0;
}

static int bind_to(const struct ring *r, int fd, uint16_t protocol, struct dl_error *err)
{
	struct sockaddr_ll a = {.sll_family = AF_PACKET,
				.sll_protocol = htons(protocol),
				.sll_ifindex = r->ifindex};
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0)
		return io_error(r, "bind", errno, err);
	return 0;
}

static int open_receive(struct ring *r, const struct ring_options *o, struct dl_error *err)
{
	r->block_size = o->block_size ? o->block_size : 1u << 20;
	r->block_count = o->block_count ? o->block_count : 16;
	if (!power_of_two(r->block_size) || r->block_size < 4096 || r->block_size > 1u << 24)
		return dl_error_set(
			err, DL_EINVAL,
			"ring block size %u: must be a power of two from 4096 to 16 MiB",
			r->block_size);
	if (r->block_count > 1024)
		return dl_error_set(err, DL_EINVAL, "ring block count %u: at most 1024",
				    r->block_count);
	/* Protocol 0 until bound: nothing is queued before the ring exists. */
	r->rx_fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (r->rx_fd < 0)
		return io_error(r, "socket(AF_PACKET)", errno, err);
	int version = TPACKET_V3;
	if (setsockopt(r->rx_fd, SOL_PACKET, PACKET_VERSION, &version, sizeof(version)) < 0)
		return io_error(r, "PACKET_VERSION TPACKET_V3", errno, err);
	if (o->ignore_outgoing) {
		int one = 1;
		if (setsockopt(r->rx_fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof(one)) < 0)
			return io_error(r, "PACKET_IGNORE_OUTGOING", errno, err);
	}
	/* A block is handed over when full or after 10 ms, so a slow trickle
	 * of frames still reaches ring_receive promptly. */
	struct tpacket_req3 req = {
		.tp_block_size = r->block_size,
		.tp_block_nr = r->block_count,
		.tp_frame_size = 2048,
		.tp_frame_nr = r->block_size / 2048 * r->block_count,
		.tp_retire_blk_tov = 10,
	};
	if (setsockopt(r->rx_fd, SOL_PACKET, PACKET_RX_RING, &req, sizeof(req)) < 0)
		return io_error(r, "PACKET_RX_RING", errno, err);
	r->rx_map_size = (size_t)r->block_size * r->block_count;
	void *map = mmap(NULL, r->rx_map_size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE,
			 r->rx_fd, 0);
	if (map == MAP_FAILED)
		return io_error(r, "mmap of the receive ring", errno, err);
	r->rx_map = map;
	return bind_to(r, r->rx_fd, o->protocol ? o->protocol : ETH_P_ALL, err);
}

/* The TX ring; false (errno set) when the kernel refuses it. */
static bool open_tx_ring(struct ring *r)
{
	int version = TPACKET_V2, one = 1;
	if (setsockopt(r->tx_fd, SOL_PACKET, PACKET_VERSION, &version, sizeof(version)) < 0)
		return false;
	/* The kernel builds a TX ring frame's skb from the first hdr_len bytes
	 * copied and the rest as fragments of the ring's pages; a veth peer (and
	 * any device that cannot hold on to user pages) then copies those into
	 * a freshly allocated page per frame (skb_copy_ubufs). A virtio_net_hdr
	 * whose hdr_len covers the whole frame makes it one linear copy: 1.4
	 * times the frame rate on veth for 64-byte frames. Without the option
	 * (an old kernel) the ring works as it is. */
	if (setsockopt(r->tx_fd, SOL_PACKET, PACKET_VNET_HDR, &one, sizeof(one)) == 0)
		r->tx_vnet = sizeof(struct virtio_net_hdr);
	/* A frame the kernel cannot send (too long) is skipped and its slot
	 * freed, instead of stopping the ring at TP_STATUS_WRONG_FORMAT. */
	if (setsockopt(r->tx_fd, SOL_PACKET, PACKET_LOSS, &one, sizeof(one)) < 0)
		return false;
	uint32_t block_size = r->frame_size > 4096 ? r->frame_size : 4096;
	uint32_t per_block = block_size / r->frame_size;
	r->frame_count = (r->frame_count + per_block - 1) / per_block * per_block;
	struct tpacket_req req = {.tp_block_size = block_size,
				  .tp_block_nr = r->frame_count / per_block,
				  .tp_frame_size = r->frame_size,
				  .tp_frame_nr = r->frame_count};
	if (setsockopt(r->tx_fd, SOL_PACKET, PACKET_TX_RING, &req, sizeof(req)) < 0)
		return false;
	r->tx_map_size = (size_t)r->frame_size * r->frame_count;
	void *map = mmap(NULL, r->tx_map_size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE,
			 r->tx_fd, 0);
	if (map == MAP_FAILED) {
		int e = errno;
		struct tpacket_req none = {0};
		setsockopt(r->tx_fd, SOL_PACKET, PACKET_TX_RING, &none, sizeof(none));
		errno = e;
		return false;
	}
	r->tx_map = map;
	return true;
}

static int open_send(struct ring *r, const struct ring_options *o, struct dl_error *err)
{
	r->frame_size = o->frame_size ? o->frame_size : 2048;
	r->frame_count = o->frame_count ? o->frame_count : 4096;
	if (!power_of_two(r->frame_size) || r->frame_size < 128 || r->frame_size > 16384)
		return dl_error_set(err, DL_EINVAL,
				    "TX frame size %u: must be a power of two from 128 to 16384",
				    r->frame_size);
	if (r->frame_count > 1u << 20)
		return dl_error_set(err, DL_EINVAL, "TX frame count %u: at most 1048576",
				    r->frame_count);
	/* Protocol 0: this socket receives nothing, so sending costs no copies back. */
	r->tx_fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (r->tx_fd < 0)
		return io_error(r, "socket(AF_PACKET)", errno, err);
	/* Straight to the driver: no qdisc, and no copy to local taps. An
	 * old kernel without it still sends, through the qdisc. */
	int one = 1;
	(void)setsockopt(r->tx_fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof(one));
	/* Room for a whole ring or batch in flight; SO_SNDBUFFORCE passes
	 * net.core.wmem_max where we may (CAP_NET_ADMIN). */
	int buffer = 8 << 20;
	if (setsockopt(r->tx_fd, SOL_SOCKET, SO_SNDBUFFORCE, &buffer, sizeof(buffer)) < 0)
		(void)setsockopt(r->tx_fd, SOL_SOCKET, SO_SNDBUF, &buffer, sizeof(buffer));
	struct timeval timeout = {.tv_sec = RING_SEND_TIMEOUT_S};
	if (setsockopt(r->tx_fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof(timeout)) < 0)
		return io_error(r, "SO_SNDTIMEO", errno, err);
	r->stats.tx_ring = !o->sendmmsg && open_tx_ring(r);
	if (r->stats.tx_ring) {
		r->max_frame = r->frame_size - RING_TX_DATA_OFFSET - r->tx_vnet;
	} else {
		r->msgs = calloc(RING_BATCH, sizeof(*r->msgs));
		r->iovs = calloc(RING_BATCH, sizeof(*r->iovs));
		r->batch = malloc((size_t)RING_BATCH * r->frame_size);
		if (!r->msgs || !r->iovs || !r->batch)
			return dl_error_set(err, DL_ENOMEM, "out of memory for the send batch");
		for (uint32_t i = 0; i < RING_BATCH; i++) {
			r->iovs[i].iov_base = r->batch + (size_t)i * r->frame_size;
			r->msgs[i].msg_hdr.msg_iov = &r->iovs[i];
			r->msgs[i].msg_hdr.msg_iovlen = 1;
		}
		r->max_frame = r->frame_size;
	}
	return bind_to(r, r->tx_fd, 0, err);
}

int ring_open(struct ring **out, const struct scope *scope, const char *interface,
	      const struct ring_options *o, struct dl_error *err)
{
	*out = NULL;
	if (!interface || !*interface)
		return dl_error_set(err, DL_EINVAL, "no interface given for the packet ring");
	int rc = scope_permit(scope, NULL, 0, interface, err);
	if (rc)
		return rc;
	if (strlen(interface) >= IFNAMSIZ)
		return dl_error_set(err, DL_EINVAL, "interface name '%s' is too long", interface);
	if (!o->receive && !o->send)
		return dl_error_set(err, DL_EINVAL,
				    "a packet ring needs receive, send or both in its options");
	struct ring *r = calloc(1, sizeof(*r));
	if (!r)
		return dl_error_set(err, DL_ENOMEM, "out of memory for a packet ring");
	r->scope = scope;
	r->rx_fd = r->tx_fd = -1;
	memcpy(r->interface, interface, strlen(interface) + 1);
	r->ifindex = (int)if_nametoindex(interface);
	if (r->ifindex <= 0)
		rc = dl_error_set(err, DL_ENOTFOUND,
				  "interface '%s' does not exist in this network namespace; run "
				  "dutlab where the tester interface is (ip netns exec ...)",
				  interface);
	if (rc == 0 && o->receive)
		rc = open_receive(r, o, err);
	if (rc == 0 && o->send)
		rc = open_send(r, o, err);
	if (rc == 0)
		rc = read_interface(r, r->rx_fd >= 0 ? r->rx_fd : r->tx_fd, err);
	if (rc) {
		ring_close(r);
		return rc;
	}
	*out = r;
	return 0;
}

void ring_mac(const struct ring *r, uint8_t mac[6])
{
	memcpy(mac, r->mac, 6);
}

int ring_ifindex(const struct ring *r)
{
	return r->ifindex;
}

int ring_fd(const struct ring *r)
{
	return r->rx_fd >= 0 ? r->rx_fd : r->tx_fd;
}

static struct tpacket2_hdr *tx_slot(const struct ring *r, uint32_t index)
{
	return (struct tpacket2_hdr *)(void *)(r->tx_map + (size_t)index * r->frame_size);
}

/* Hand the queued slots to the kernel; with wait, block (SO_SNDTIMEO at
 * most) until it has sent every one. The kernel stops a pass early when
 * the driver drops a frame (ENOBUFS from a full peer backlog): the
 * remaining slots stay queued for the next kick. */
static int kick(struct ring *r, bool wait, struct dl_error *err)
{
	r->stats.sent += r->tx_queued;
	r->tx_queued = 0;
	for (;;) {
		if (send(r->tx_fd, NULL, 0, wait ? 0 : MSG_DONTWAIT) >= 0)
			return 0;
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN || errno == ENOBUFS)
			return 0;
		if (errno == ETIMEDOUT)
			return dl_error_set(err, DL_EIO,
					    "interface '%s': the kernel did not send the TX ring "
					    "in %d s; is the link up?",
					    r->interface, RING_SEND_TIMEOUT_S);
		return io_error(r, "send from the TX ring", errno, err);
	}
}

static uint32_t slot_status(const struct tpacket2_hdr *h)
{
	return __atomic_load_n(&h->tp_status, __ATOMIC_ACQUIRE);
}

/* Wait for the slot at tx_head to come back from the kernel. */
static int wait_for_slot(struct ring *r, struct dl_error *err)
{
	struct tpacket2_hdr *h = tx_slot(r, r->tx_head);
	struct timespec start, now;
	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		int rc = kick(r, true, err);
		if (rc)
			return rc;
		uint32_t status = slot_status(h);
		if (status == TP_STATUS_AVAILABLE)
			return 0;
		if (status & TP_STATUS_WRONG_FORMAT) {
			__atomic_store_n(&h->tp_status, TP_STATUS_AVAILABLE, __ATOMIC_RELEASE);
			return 0;
		}
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec - start.tv_sec > RING_SEND_TIMEOUT_S)
			return dl_error_set(err, DL_EIO,
					    "interface '%s': the TX ring stays full after %d s; is "
					    "the link up?",
					    r->interface, RING_SEND_TIMEOUT_S);
		struct pollfd p = {.fd = r->tx_fd, .events = POLLOUT};
		(void)poll(&p, 1, 1);
	}
}

static int send_batch(struct ring *r, struct dl_error *err)
{
	uint32_t done = 0;
	struct timespec start, now;
	clock_gettime(CLOCK_MONOTONIC, &start);
	while (done < r->batch_count) {
		/* Blocking, bounded by SO_SNDTIMEO: the socket buffer drains as
		 * the driver takes frames. */
		int n = sendmmsg(r->tx_fd, r->msgs + done, r->batch_count - done, 0);
		if (n > 0) {
			done += (uint32_t)n;
			r->stats.sent += (uint64_t)n;
			continue;
		}
		if (n < 0 && errno != EINTR && errno != EAGAIN && errno != ENOBUFS)
			return io_error(r, "sendmmsg", errno, err);
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec - start.tv_sec > RING_SEND_TIMEOUT_S)
			return dl_error_set(err, DL_EIO,
					    "interface '%s': %u frames not sent after %d s; is the "
					    "link up?",
					    r->interface, r->batch_count - done,
					    RING_SEND_TIMEOUT_S);
		if (n < 0 && errno == ENOBUFS) {
			/* The driver dropped the frame (a full queue); it is gone. */
			done++;
		}
	}
	r->batch_count = 0;
	return 0;
}

static bool vlan_tagged(const uint8_t *frame)
{
	unsigned type = (unsigned)frame[12] << 8 | frame[13];
	return type == 0x8100 || type == 0x88a8;
}

int ring_send(struct ring *r, const uint8_t *frame, size_t length, struct dl_error *err)
{
	if (r->tx_fd < 0)
		return dl_error_set(err, DL_EINVAL,
				    "interface '%s': the packet ring was opened without send",
				    r->interface);
	if (length < 14)
		return dl_error_set(err, DL_EINVAL,
				    "a frame of %zu bytes: the kernel sends nothing shorter than "
				    "the 14-byte Ethernet header",
				    length);
	size_t limit = r->mtu + 14u + (vlan_tagged(frame) ? 4u : 0u);
	if (length > limit || length > r->max_frame)
		return dl_error_set(err, DL_EINVAL,
				    "a frame of %zu bytes: longer than interface '%s' sends (MTU "
				    "%u, TX slots of %u bytes)",
				    length, r->interface, r->mtu, r->frame_size);
	int rc = scope_permit_frame(r->scope, frame, length, r->interface, err);
	if (rc) {
		r->stats.send_refused++;
		return rc;
	}
	if (!r->stats.tx_ring) {
		if (r->batch_count == RING_BATCH && (rc = send_batch(r, err)) != 0)
			return rc;
		memcpy(r->iovs[r->batch_count].iov_base, frame, length);
		r->iovs[r->batch_count].iov_len = length;
		r->batch_count++;
		return 0;
	}
	struct tpacket2_hdr *h = tx_slot(r, r->tx_head);
	if (slot_status(h) != TP_STATUS_AVAILABLE && (rc = wait_for_slot(r, err)) != 0)
		return rc;
	uint8_t *data = (uint8_t *)h + RING_TX_DATA_OFFSET;
	if (r->tx_vnet) {
		/* No offloads; hdr_len = all of it, in host order (AF_PACKET
		 * speaks the legacy virtio header, host-endian). */
		uint16_t header_length = (uint16_t)length;
		memset(data, 0, r->tx_vnet);
		memcpy(data + offsetof(struct virtio_net_hdr, hdr_len), &header_length,
		       sizeof(header_length));
	}
	memcpy(data + r->tx_vnet, frame, length);
	h->tp_len = (uint32_t)(length + r->tx_vnet);
	__atomic_store_n(&h->tp_status, TP_STATUS_SEND_REQUEST, __ATOMIC_RELEASE);
	r->tx_head = r->tx_head + 1 == r->frame_count ? 0 : r->tx_head + 1;
	r->tx_queued++;
	return 0;
}

int ring_flush(struct ring *r, bool wait, struct dl_error *err)
{
	if (r->tx_fd < 0)
		return 0;
	if (!r->stats.tx_ring)
		return r->batch_count ? send_batch(r, err) : 0;
	if (r->tx_queued == 0 && !wait)
		return 0;
	return kick(r, wait, err);
}

static struct tpacket_block_desc *rx_block(const struct ring *r, uint32_t index)
{
	return (struct tpacket_block_desc *)(void *)(r->rx_map + (size_t)index * r->block_size);
}

int ring_receive(struct ring *r, int timeout_ms, ring_frame_cb cb, void *user, size_t *count,
		 struct dl_error *err)
{
	size_t seen = 0;
	if (count)
		*count = 0;
	if (!r->rx_map)
		return dl_error_set(err, DL_EINVAL,
				    "interface '%s': the packet ring was opened without receive",
				    r->interface);
	/* At most one lap of the ring per call, and one wait, for the first block. */
	for (uint32_t walked = 0; walked < r->block_count;) {
		struct tpacket_block_desc *b = rx_block(r, r->rx_block);
		uint32_t status = __atomic_load_n(&b->hdr.bh1.block_status, __ATOMIC_ACQUIRE);
		if (!(status & TP_STATUS_USER)) {
			if (seen || walked || timeout_ms <= 0)
				break;
			struct pollfd p = {.fd = r->rx_fd, .events = POLLIN | POLLERR};
			int n = poll(&p, 1, timeout_ms);
			if (n < 0 && errno != EINTR)
				return io_error(r, "poll on the receive ring", errno, err);
			timeout_ms = 0; /* look once more, then return */
			continue;
		}
		uint32_t frames = b->hdr.bh1.num_pkts;
		uint32_t offset = r->rx_packet ? r->rx_offset : b->hdr.bh1.offset_to_first_pkt;
		bool stop = false;
		while (r->rx_packet < frames && !stop) {
			/* The kernel wrote these offsets, but a bad one must not
			 * walk us out of the block. */
			if (offset < sizeof(*b) ||
			    offset > r->block_size - sizeof(struct tpacket3_hdr))
				break;
			const struct tpacket3_hdr *h =
				(const struct tpacket3_hdr *)(const void *)((const uint8_t *)b +
									    offset);
			if (h->tp_mac > r->block_size - offset ||
			    h->tp_snaplen > r->block_size - offset - h->tp_mac)
				break;
			seen++;
			r->rx_packet++;
			if (cb)
				stop = !cb((const uint8_t *)h + h->tp_mac, h->tp_snaplen, h->tp_len,
					   (uint64_t)h->tp_sec * 1000000000u + h->tp_nsec, user);
			if (h->tp_next_offset == 0)
				r->rx_packet = frames; /* the last frame of the block */
			offset += h->tp_next_offset;
		}
		if (stop && r->rx_packet < frames) {
			r->rx_offset = offset;
			break;
		}
		__atomic_store_n(&b->hdr.bh1.block_status, TP_STATUS_KERNEL, __ATOMIC_RELEASE);
		r->rx_packet = 0;
		r->rx_block = r->rx_block + 1 == r->block_count ? 0 : r->rx_block + 1;
		walked++;
		if (stop)
			break;
	}
	if (count)
		*count = seen;
	return 0;
}

void ring_stats(struct ring *r, struct ring_stats *out)
{
	if (r->rx_fd >= 0) {
		struct tpacket_stats_v3 st;
		socklen_t length = sizeof(st);
		memset(&st, 0, sizeof(st));
		/* tp_packets counts the dropped frames too (af_packet.c). */
		if (getsockopt(r->rx_fd, SOL_PACKET, PACKET_STATISTICS, &st, &length) == 0) {
			r->stats.received += st.tp_packets - st.tp_drops;
			r->stats.dropped += st.tp_drops;
		}
	}
	*out = r->stats;
}

void ring_close(struct ring *r)
{
	if (!r)
		return;
	if (r->rx_map)
		munmap(r->rx_map, r->rx_map_size);
	if (r->tx_map)
		munmap(r->tx_map, r->tx_map_size);
	if (r->rx_fd >= 0)
		close(r->rx_fd);
	if (r->tx_fd >= 0)
		close(r->tx_fd);
	free(r->msgs);
	free(r->iovs);
	free(r->batch);
	free(r);
}
