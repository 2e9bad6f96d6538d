/* mutate-fragment: the multi-frame anomalies, IPv4 and IPv6 fragments that overlap or leave gaps */
#include "core/compat.h"

#include "core/error.h"
#include "fuzz/mutate.h"
#include "fuzz/random.h"
#include "proto/ipv4.h"
#include "proto/ipv6.h"
#include "proto/packet.h"

/*
 * The models split a datagram along byte ranges we choose (ipv4_fragment(),
 * ipv6_fragment()); this file only chooses the ranges. It starts from the
 * plain split a router would make (2 to 4 pieces of a multiple of 8 bytes)
 * and spoils it one way: a piece reaching back into the one before, a
 * piece reaching into the next, a small piece repeated over the start
 * (overlaps, RFC 1858 and RFC 5722); a piece dropped from the middle, the
 * first or the last, or one cut short (gaps: reassembly that never ends).
 */

#define FRAGMENT_RANGES_MAX 6

struct range {
	uint32_t offset, length;
	uint8_t more; /* IPV4_FRAGMENT_MORE / _LAST, equal to IPV6's */
};

_Static_assert(IPV4_FRAGMENT_MORE == IPV6_FRAGMENT_MORE && IPV4_FRAGMENT_LAST == IPV6_FRAGMENT_LAST,
	       "one range type serves both families");

bool mutate_fragment_layer(const struct packet *p, int layer);
int mutate_fragment(struct packet *frames, size_t max, int layer, enum anomaly a,
		    struct random_state *r, struct mutation *m, size_t *frame_count,
		    struct dl_error *err);

/* The first layer of its model: the one the models' fragmenters split. */
bool mutate_fragment_layer(const struct packet *p, int layer)
{
	if (layer < 0 || layer >= p->layer_count)
		return false;
	const struct proto_layer *model = p->layers[layer].model;
	if (model != &ipv4_layer && model != &ipv6_layer)
		return false;
	for (int l = 0; l < layer; l++)
		if (p->layers[l].model == model)
			return false;
	return true;
}

static int split_even(const struct packet *whole, bool v6, uint32_t size, struct range *out,
		      size_t max, size_t *count, struct dl_error *err)
{
	int rc;
	if (v6) {
		struct ipv6_fragment_range r6[FRAGMENT_RANGES_MAX];
		rc = ipv6_fragment_even(whole, size, r6, max, count, err);
		for (size_t i = 0; rc == 0 && i < *count; i++)
			out[i] = (struct range){r6[i].offset, r6[i].length, r6[i].more};
	} else {
		struct ipv4_fragment_range r4[FRAGMENT_RANGES_MAX];
		rc = ipv4_fragment_even(whole, size, r4, max, count, err);
		for (size_t i = 0; rc == 0 && i < *count; i++)
			out[i] = (struct range){r4[i].offset, r4[i].length, r4[i].more};
	}
	return rc;
}

/* Spoil an even split; returns what was done, for the record. */
static const char *spoil(struct range *g, size_t *count, uint32_t total, enum anomaly a,
			 struct random_state *r)
{
	size_t n = *count;
	if (n == 1) {
		/* one piece (8 bytes or less): repeat it, or send it alone as not the last */
		g[0].more = IPV4_FRAGMENT_MORE;
		if (a == ANOMALY_FRAGMENT_GAP)
			return "the last fragment missing";
		g[1] = (struct range){0, total, IPV4_FRAGMENT_LAST};
		*count = 2;
		return "the whole payload sent twice";
	}
	if (a == ANOMALY_FRAGMENT_OVERLAP) {
		switch (random_below(r, 3)) {
		case 0: {
			size_t i = 1 + random_below(r, n - 1);
			g[i].offset -= 8;
			g[i].length += 8;
			return "a fragment reaching back 8 bytes into the one before";
		}
		case 1: {
			size_t i = random_below(r, n - 1);
			uint32_t end = g[i].offset + g[i].length;
			uint32_t grow = total - end < 8 ? total - end : 8;
			g[i].length += grow;
			g[i].more = IPV4_FRAGMENT_MORE;
			return "a fragment reaching 8 bytes into the next";
		}
		default:
			g[n] = (struct range){0, g[0].length > 8 ? 8 : g[0].length,
					      IPV4_FRAGMENT_MORE};
			*count = n + 1;
			return "the start sent again inside the first fragment";
		}
	}
	switch (n >= 3 ? random_below(r, 4) : 1 + random_below(r, 3)) {
	case 0: {
		size_t i = 1 + random_below(r, n - 2);
		memmove(&g[i], &g[i + 1], (n - i - 1) * sizeof(g[0]));
		*count = n - 1;
		return "a middle fragment missing";
	}
	case 1:
		*count = n - 1;
		g[n - 2].more = IPV4_FRAGMENT_MORE;
		return "the last fragment missing";
	case 2:
		memmove(&g[0], &g[1], (n - 1) * sizeof(g[0]));
		*count = n - 1;
		return "the first fragment missing";
	default: {
		size_t i = random_below(r, n - 1);
		if (g[i].length > 8) {
			g[i].length -= 8;
			return "a fragment 8 bytes short: a hole";
		}
		*count = n - 1;
		g[n - 2].more = IPV4_FRAGMENT_MORE;
		return "the last fragment missing";
	}
	}
}

/* The models refuse (DL_EINVAL) a datagram an earlier anomaly spoiled (its payload removed, its
 * header cut): the case then goes without the fragment anomaly (1), not failed. */
static int fragment_refused(int rc, struct dl_error *err)
{
	if (rc != DL_EINVAL)
		return rc;
	dl_error_clear(err);
	return 1;
}

int mutate_fragment(struct packet *frames, size_t max, int layer, enum anomaly a,
		    struct random_state *r, struct mutation *m, size_t *frame_count,
		    struct dl_error *err)
{
	/* the whole datagram, copied out of frames[0], which receives the first fragment */
	struct packet whole;
	packet_copy(&whole, &frames[0]);
	bool v6 = whole.layers[layer].model == &ipv6_layer;
	struct range g[FRAGMENT_RANGES_MAX];
	size_t n = 0;
	/* one range as long as the payload tells its length */
	int rc = split_even(&whole, v6, PACKET_BYTES_MAX & ~7u, g, FRAGMENT_RANGES_MAX, &n, err);
	if (rc)
		return fragment_refused(rc, err);
	uint32_t total = n ? g[0].length : 0;
	if (n != 1 || total == 0)
		return 1;
	uint32_t pieces = 2 + (uint32_t)random_below(r, 3);
	uint32_t size = (total / pieces + 7) & ~7u;
	if (size < 8)
		size = 8;
	rc = split_even(&whole, v6, size, g, FRAGMENT_RANGES_MAX - 1, &n, err);
	if (rc)
		return fragment_refused(rc, err);
	m->before = n;
	m->detail = spoil(g, &n, total, a, r);
	if (n > max)
		n = max;
	if (v6) {
		struct ipv6_fragment_range r6[FRAGMENT_RANGES_MAX];
		for (size_t i = 0; i < n; i++)
			r6[i] = (struct ipv6_fragment_range){g[i].offset, g[i].length, g[i].more};
		rc = ipv6_fragment(&whole, r6, n, (uint32_t)random_next(r), frames, max,
				   frame_count, err);
	} else {
		struct ipv4_fragment_range r4[FRAGMENT_RANGES_MAX];
		for (size_t i = 0; i < n; i++)
			r4[i] = (struct ipv4_fragment_range){g[i].offset, g[i].length, g[i].more};
		rc = ipv4_fragment(&whole, r4, n, frames, max, frame_count, err);
	}
	if (rc == DL_EINVAL) {
		packet_copy(&frames[0], &whole); /* the case goes out whole */
		*frame_count = 1;
	}
	if (rc)
		return fragment_refused(rc, err);
	m->after = *frame_count;
	return 0;
}
