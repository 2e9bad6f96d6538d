/* capture: a libpcap capture thread that files each exchange's packets into its own pcapng */
#include "core/compat.h"

#include <netinet/in.h>
#include <pcap/pcap.h>
#include <pthread.h>
#include <stdatomic.h>
#include <time.h>
#include <unistd.h>

#include "core/error.h"
#include "net/capture.h"
#include "net/pcapng.h"

#define CAPTURE_SNAPLEN_DEFAULT 2048 /* every probe and banner exchange */
#define CAPTURE_SNAPLEN_MAX 65535
#define CAPTURE_BUFFER (8u << 20) /* the kernel ring; counts in RSS once touched */
#define CAPTURE_COMMENT_MAX 256

struct capture {
	pcap_t *pcap;
	int linktype;
	char interface[32];
	uint32_t snaplen; /* what libpcap keeps of each packet; sinks keep at most this */
	pthread_t thread;
	bool thread_started;
	atomic_bool stop;
	pthread_mutex_t lock; /* guards everything below */
	bool sink_open;
	struct pcapng_writer writer;
	struct capture_match match[CAPTURE_MATCH_MAX];
	size_t match_count;
	bool icmp;
	char annotation[CAPTURE_COMMENT_MAX];
	struct dl_error write_error;
	bool write_failed;
};

static uint16_t be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* Find the IP protocol and ports of a captured frame; false when it is
 * not IPv4/IPv6 or too short to say. Every offset is checked against n. */
static bool classify(int linktype, const uint8_t *p, size_t n, uint8_t *protocol, uint16_t *sport,
		     uint16_t *dport)
{
	size_t offset;
	uint16_t ethertype;
	switch (linktype) {
	case DLT_EN10MB:
		if (n < 14)
			return false;
		ethertype = be16(p + 12);
		offset = 14;
		if (ethertype == 0x8100 && n >= 18) { /* one 802.1Q tag */
			ethertype = be16(p + 16);
			offset = 18;
		}
		break;
	case DLT_LINUX_SLL:
		if (n < 16)
			return false;
		ethertype = be16(p + 14);
		offset = 16;
		break;
	case DLT_LINUX_SLL2:
		if (n < 20)
			return false;
		ethertype = be16(p);
		offset = 20;
		break;
	case DLT_RAW:
		if (n < 1)
			return false;
		ethertype = (p[0] >> 4) == 6 ? 0x86dd : 0x0800;
		offset = 0;
		break;
	default: return false;
	}
	size_t l4;
	if (ethertype == 0x0800) {
		if (n < offset + 20)
			return false;
		*protocol = p[offset + 9];
		l4 = offset + (size_t)(p[offset] & 0x0f) * 4;
	} else if (ethertype == 0x86dd) {
		if (n < offset + 40)
			return false;
		*protocol = p[offset + 6];
		l4 = offset + 40;
	} else {
		return false;
	}
	*sport = *dport = 0;
	if ((*protocol == IPPROTO_TCP || *protocol == IPPROTO_UDP) && n >= l4 + 4) {
		*sport = be16(p + l4);
		*dport = be16(p + l4 + 2);
	}
	return true;
}

static bool wanted(const struct capture *c, const uint8_t *p, size_t n)
{
	if (c->match_count == 0)
		return true;
	uint8_t protocol = 0;
	uint16_t sport = 0, dport = 0;
	if (!classify(c->linktype, p, n, &protocol, &sport, &dport))
		return false;
	if (c->icmp && (protocol == IPPROTO_ICMP || protocol == IPPROTO_ICMPV6))
		return true;
	for (size_t i = 0; i < c->match_count; i++) {
		const struct capture_match *m = &c->match[i];
		if (m->protocol == 0)
			return true;
		if (m->protocol == protocol &&
		    (m->port == 0 || m->port == sport || m->port == dport))
			return true;
	}
	return false;
}

static void on_packet(u_char *opaque, const struct pcap_pkthdr *h, const u_char *bytes)
{
	struct capture *c = (struct capture *)opaque;
	pthread_mutex_lock(&c->lock);
	if (c->sink_open && !c->write_failed && wanted(c, bytes, h->caplen)) {
		const char *comment = c->annotation[0] ? c->annotation : NULL;
		if (pcapng_write_packet(&c->writer, h->ts.tv_sec, (uint32_t)h->ts.tv_usec, bytes,
					h->caplen, h->len, comment, &c->write_error) < 0)
			c->write_failed = true;
		c->annotation[0] = '\0';
	}
	pthread_mutex_unlock(&c->lock);
}

static void *capture_run(void *opaque)
{
	struct capture *c = opaque;
	while (!atomic_load(&c->stop)) {
		int n = pcap_dispatch(c->pcap, 256, on_packet, (u_char *)c);
		if (n == PCAP_ERROR || n == PCAP_ERROR_BREAK)
			break;
	}
	return NULL;
}

int capture_start(struct capture **out, const char *interface, const char *filter, uint32_t snaplen,
		  struct dl_error *err)
{
	*out = NULL;
	char errbuf[PCAP_ERRBUF_SIZE] = "";
	struct capture *c = calloc(1, sizeof(*c));
	if (!c)
		return dl_error_set(err, DL_ENOMEM, "capture: out of memory");
	pthread_mutex_init(&c->lock, NULL);
	const char *device = interface ? interface : "any";
	snprintf(c->interface, sizeof(c->interface), "%s", device);
	c->snaplen = snaplen == 0                    ? CAPTURE_SNAPLEN_DEFAULT
		     : snaplen > CAPTURE_SNAPLEN_MAX ? CAPTURE_SNAPLEN_MAX
						     : snaplen;
	int rc = 0;
	c->pcap = pcap_create(device, errbuf);
	if (!c->pcap) {
		rc = dl_error_set(err, DL_EIO, "capture on '%s': %s", device, errbuf);
		goto fail;
	}
	pcap_set_snaplen(c->pcap, (int)c->snaplen);
	pcap_set_promisc(c->pcap, 0);
	pcap_set_timeout(c->pcap, 50);
	pcap_set_immediate_mode(c->pcap, 1);
	pcap_set_buffer_size(c->pcap, CAPTURE_BUFFER);
	int status = pcap_activate(c->pcap);
	if (status < 0) {
		rc = dl_error_set(err, DL_EIO,
				  "capture on '%s': %s; dutlab needs CAP_NET_RAW and an existing "
				  "interface",
				  device, pcap_geterr(c->pcap));
		goto fail;
	}
	c->linktype = pcap_datalink(c->pcap);
	if (filter && *filter) {
		struct bpf_program program;
		if (pcap_compile(c->pcap, &program, filter, 1, PCAP_NETMASK_UNKNOWN) < 0) {
			rc = dl_error_set(err, DL_EINVAL, "capture filter '%s': %s", filter,
					  pcap_geterr(c->pcap));
			goto fail;
		}
		int set = pcap_setfilter(c->pcap, &program);
		pcap_freecode(&program);
		if (set < 0) {
			rc = dl_error_set(err, DL_EIO, "capture filter '%s': %s", filter,
					  pcap_geterr(c->pcap));
			goto fail;
		}
	}
	if (pthread_create(&c->thread, NULL, capture_run, c) != 0) {
		rc = dl_error_set(err, DL_EIO, "capture: cannot start its thread");
		goto fail;
	}
	c->thread_started = true;
	*out = c;
	return 0;
fail:
	if (c->pcap)
		pcap_close(c->pcap);
	pthread_mutex_destroy(&c->lock);
	free(c);
	return rc;
}

int capture_sink_open(struct capture *c, const char *path, const char *comment, uint32_t snaplen,
		      uint64_t max_bytes, const struct capture_match *match, size_t match_count,
		      bool icmp, struct dl_error *err)
{
	if (match_count > CAPTURE_MATCH_MAX)
		return dl_error_set(err, DL_EINVAL, "capture: at most %d matches per sink",
				    CAPTURE_MATCH_MAX);
	pthread_mutex_lock(&c->lock);
	int rc = 0;
	if (c->sink_open) {
		rc = dl_error_set(err, DL_EINVAL, "capture: a sink is already open");
		goto out;
	}
	rc = pcapng_open(&c->writer, path, c->linktype,
			 snaplen && snaplen < c->snaplen ? snaplen : c->snaplen, c->interface,
			 comment, max_bytes, err);
	if (rc < 0)
		goto out;
	if (match_count)
		memcpy(c->match, match, match_count * sizeof(*match));
	c->match_count = match_count;
	c->icmp = icmp;
	c->annotation[0] = '\0';
	c->write_failed = false;
	c->sink_open = true;
out:
	pthread_mutex_unlock(&c->lock);
	return rc;
}

void capture_sink_add_match(struct capture *c, const struct capture_match *m)
{
	if (!c)
		return;
	pthread_mutex_lock(&c->lock);
	if (c->sink_open && c->match_count > 0 && c->match_count < CAPTURE_MATCH_MAX)
		c->match[c->match_count++] = *m;
	pthread_mutex_unlock(&c->lock);
}

void capture_annotate(struct capture *c, const char *comment)
{
	if (!c)
		return;
	pthread_mutex_lock(&c->lock);
	snprintf(c->annotation, sizeof(c->annotation), "%s", comment ? comment : "");
	pthread_mutex_unlock(&c->lock);
}

int capture_sink_close(struct capture *c, unsigned linger_ms, uint64_t *packets,
		       struct dl_error *err)
{
	if (linger_ms > 0) {
		struct timespec ts = {.tv_sec = linger_ms / 1000,
				      .tv_nsec = (long)(linger_ms % 1000) * 1000000};
		nanosleep(&ts, NULL);
	}
	pthread_mutex_lock(&c->lock);
	int rc = 0;
	if (c->sink_open) {
		if (packets)
			*packets = c->writer.packets;
		if (c->write_failed) {
			if (err)
				*err = c->write_error;
			rc = c->write_error.code ? c->write_error.code : DL_EIO;
			pcapng_close(&c->writer, NULL);
		} else {
			rc = pcapng_close(&c->writer, err);
		}
		c->sink_open = false;
	}
	pthread_mutex_unlock(&c->lock);
	return rc;
}

uint64_t capture_kernel_drops(struct capture *c)
{
	struct pcap_stat st;
	if (!c || pcap_stats(c->pcap, &st) < 0)
		return 0;
	return st.ps_drop;
}

void capture_stop(struct capture *c)
{
	if (!c)
		return;
	atomic_store(&c->stop, true);
	pcap_breakloop(c->pcap);
	if (c->thread_started)
		pthread_join(c->thread, NULL);
	capture_sink_close(c, 0, NULL, NULL);
	pcap_close(c->pcap);
	pthread_mutex_destroy(&c->lock);
	free(c);
}
