/* ring-try: count frames on an interface through the TPACKET_V3 receive ring, for tests/lab/packet
 * and bench */
#include "core/compat.h"

#include <signal.h>
#include <time.h>

#include "core/error.h"
#include "core/text.h"
#include "net/ring.h"
#include "net/scope.h"

/*
 * ring-try --interface NAME [--seconds S] [--expect N] [--udp-port P]
 *          [--max-macs M] [--quiet-ms Q]
 * Receives until N matching frames came, S seconds passed (default 10), or
 * (after the first frame) nothing came for Q ms (default 1000), then
 * prints one line:
 *   frames N distinct_macs M seconds T pps R dropped D
 * frames counts those matching (--udp-port: IPv4 or IPv6 UDP to that port, through
 * any 802.1Q tags; otherwise every frame), distinct_macs their distinct
 * source MACs (exact, up to --max-macs, default 4194304), seconds the span
 * from the first to the last matching frame (kernel timestamps), dropped
 * the ring's drops. Exit 0, or 2 on bad usage / an error.
 */

struct counter {
	long udp_port;
	uint64_t frames;
	uint64_t first_ns, last_ns;
	uint64_t *macs; /* open addressing; 0 is empty, a MAC is stored + 1 */
	size_t mac_slots, mac_count;
	bool macs_full;
};

static volatile sig_atomic_t stop;

static void on_signal(int signal_number)
{
	(void)signal_number;
	stop = 1;
}

static bool matches(const struct counter *c, const uint8_t *f, uint32_t length)
{
	if (c->udp_port < 0)
		return true;
	size_t offset = 12;
	for (int tags = 0;
	     tags < 2 && offset + 2 <= length && (f[offset] << 8 | f[offset + 1]) == 0x8100; tags++)
		offset += 4;
	unsigned type = offset + 2 <= length ? (unsigned)(f[offset] << 8 | f[offset + 1]) : 0;
	const uint8_t *ip = f + offset + 2;
	if (type == 0x86dd) {
		if (offset + 2 + 40 + 4 > length || ip[6] != 17)
			return false;
		return (ip[42] << 8 | ip[43]) == c->udp_port;
	}
	if (offset + 2 + 24 > length || type != 0x0800)
		return false;
	size_t header = (size_t)(ip[0] & 0x0f) * 4;
	if (ip[9] != 17 || header < 20 || offset + 2 + header + 4 > length)
		return false;
	return (ip[header + 2] << 8 | ip[header + 3]) == c->udp_port;
}

static void add_mac(struct counter *c, const uint8_t *mac)
{
	uint64_t key = 1;
	for (int i = 0; i < 6; i++)
		key += (uint64_t)mac[i] << (8 * i);
	size_t mask = c->mac_slots - 1;
	size_t i = (size_t)((key * 0x9e3779b97f4a7c15ull) >> 20) & mask;
	for (size_t probes = 0; probes < c->mac_slots; probes++, i = (i + 1) & mask) {
		if (c->macs[i] == key)
			return;
		if (c->macs[i] == 0) {
			/* Keep the table at most half full: probes stay short. */
			if (c->mac_count * 2 >= c->mac_slots) {
				c->macs_full = true;
				return;
			}
			c->macs[i] = key;
			c->mac_count++;
			return;
		}
	}
}

static bool on_frame(const uint8_t *frame, uint32_t captured, uint32_t wire_length,
		     uint64_t timestamp_ns, void *user)
{
	struct counter *c = user;
	(void)wire_length;
	if (captured < 14 || !matches(c, frame, captured))
		return true;
	if (c->frames == 0)
		c->first_ns = timestamp_ns;
	c->last_ns = timestamp_ns;
	c->frames++;
	add_mac(c, frame + 6);
	return true;
}

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

int main(int argc, char **argv)
{
	const char *interface = NULL;
	long seconds = 10, quiet_ms = 1000, max_macs = 1 << 22;
	uint64_t expect = 0;
	struct counter c = {.udp_port = -1};
	for (int i = 1; i + 1 < argc; i += 2) {
		int bad = 0;
		if (strcmp(argv[i], "--interface") == 0)
			interface = argv[i + 1];
		else if (strcmp(argv[i], "--seconds") == 0)
			bad = text_parse_long(argv[i + 1], 1, 3600, &seconds);
		else if (strcmp(argv[i], "--quiet-ms") == 0)
			bad = text_parse_long(argv[i + 1], 10, 600000, &quiet_ms);
		else if (strcmp(argv[i], "--expect") == 0)
			bad = text_parse_u64(argv[i + 1], UINT64_MAX, &expect);
		else if (strcmp(argv[i], "--udp-port") == 0)
			bad = text_parse_long(argv[i + 1], 0, 65535, &c.udp_port);
		else if (strcmp(argv[i], "--max-macs") == 0)
			bad = text_parse_long(argv[i + 1], 1, 1L << 26, &max_macs);
		else
			bad = 1;
		if (bad) {
			fprintf(stderr, "ring-try: bad option '%s %s'\n", argv[i], argv[i + 1]);
			return 2;
		}
	}
	if (!interface || argc % 2 == 0) {
		fprintf(stderr, "usage: ring-try --interface NAME [--seconds S] [--expect N] "
				"[--udp-port P] [--max-macs M] [--quiet-ms Q]\n");
		return 2;
	}
	c.mac_slots = 2;
	while (c.mac_slots < (size_t)max_macs * 2)
		c.mac_slots <<= 1;
	c.macs = calloc(c.mac_slots, sizeof(*c.macs));
	if (!c.macs) {
		fprintf(stderr, "ring-try: out of memory for %ld MACs\n", max_macs);
		return 2;
	}
	struct scope scope = {.origin = "ring-try"};
	struct dl_error err = {0};
	struct ring *r = NULL;
	struct ring_options options = {.receive = true, .block_count = 64};
	if (scope_add_interface(&scope, interface, &err) < 0 ||
	    ring_open(&r, &scope, interface, &options, &err) < 0) {
		fprintf(stderr, "ring-try: %s\n", err.message);
		free(c.macs);
		scope_release(&scope);
		return 2;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	/* Ready: the caller may start sending once this line is out. */
	fprintf(stderr, "ring-try: listening on %s\n", interface);
	uint64_t deadline = now_ns() + (uint64_t)seconds * 1000000000u, last_frame = 0;
	int status = 0;
	while (!stop && now_ns() < deadline && (expect == 0 || c.frames < expect)) {
		uint64_t before = c.frames;
		if (ring_receive(r, 50, on_frame, &c, NULL, &err) < 0) {
			fprintf(stderr, "ring-try: %s\n", err.message);
			status = 2;
			break;
		}
		if (c.frames != before)
			last_frame = now_ns();
		else if (last_frame && now_ns() - last_frame > (uint64_t)quiet_ms * 1000000u)
			break;
	}
	struct ring_stats stats;
	ring_stats(r, &stats);
	double span = c.frames > 1 ? (double)(c.last_ns - c.first_ns) / 1e9 : 0;
	printf("frames %" PRIu64 " distinct_macs %zu%s seconds %.6f pps %.0f dropped %" PRIu64 "\n",
	       c.frames, c.mac_count, c.macs_full ? "+" : "", span,
	       span > 0 ? (double)(c.frames - 1) / span : 0, stats.dropped);
	ring_close(r);
	scope_release(&scope);
	free(c.macs);
	return status;
}
