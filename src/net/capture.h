/* capture: a libpcap capture thread that files each exchange's packets into its own pcapng */
#ifndef DUTLAB_NET_CAPTURE_H
#define DUTLAB_NET_CAPTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct dl_error;
struct capture;

/* Which packets a sink keeps: TCP or UDP to or from port (0: any port of
 * that protocol); icmp keeps ICMP and ICMPv6 too (port unreachable). */
struct capture_match {
	uint8_t protocol; /* IPPROTO_TCP or IPPROTO_UDP; 0 matches every packet */
	uint16_t port;
};

#define CAPTURE_MATCH_MAX 4

/*
 * Start capturing on interface (NULL: "any") with the BPF filter (e.g.
 * "host 198.18.2.2"), in a thread, keeping snaplen bytes of each packet
 * (0: 2048, enough for probes and banners; at most 65535: whole TLS flights,
 * which a veth hands over as merged segments; the kernel ring holds fewer of
 * them, so a SYN scan keeps the small default). Packets go nowhere until a sink is
 * open. Needs CAP_NET_RAW; DL_EIO with libpcap's reason otherwise.
 */
int capture_start(struct capture **out, const char *interface, const char *filter, uint32_t snaplen,
		  struct dl_error *err);

/*
 * Send the packets that match (any of match[0..match_count), or all when
 * match_count is 0, plus ICMP when icmp) to a new pcapng file at path,
 * cut at snaplen bytes per packet and max_bytes per file (0: no ceiling).
 * comment goes into the file's section header. One sink at a time.
 */
int capture_sink_open(struct capture *c, const char *path, const char *comment, uint32_t snaplen,
		      uint64_t max_bytes, const struct capture_match *match, size_t match_count,
		      bool icmp, struct dl_error *err);

/* Let the open sink keep packets that match m too (a description fetched
 * from the port a LOCATION named). Ignored when full or without a sink. */
void capture_sink_add_match(struct capture *c, const struct capture_match *m);

/* Put comment on the next packet the sink writes (an opt_comment):
 * "dutlab: TLS ClientHello", "dutlab: SNMP GetRequest community public". */
void capture_annotate(struct capture *c, const char *comment);

/* Let the packets still in flight arrive (up to linger_ms), then close the
 * sink's file. *packets (may be NULL) receives the count written. */
int capture_sink_close(struct capture *c, unsigned linger_ms, uint64_t *packets,
		       struct dl_error *err);

/* Stop the thread, close any sink, free c. NULL is fine. */
void capture_stop(struct capture *c);

/* libpcap's count of packets the kernel dropped, or 0. */
uint64_t capture_kernel_drops(struct capture *c);

#endif
