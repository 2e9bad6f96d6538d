/* ipv6: IPv6 (RFC 8200) fixed header build, parse, field schema and fragmentation */
#include "core/compat.h"

#include "core/error.h"
#include "proto/cursor.h"
#include "proto/ipv6-internal.h"
#include "proto/ipv6.h"
#include "proto/layer.h"
#include "proto/packet.h"

/*
 * The builder writes the 40-byte header into a buffer and declares it
 * through the walker the parser uses (ipv6_declare()), so a built packet
 * and the same bytes parsed back have one schema by construction.
 */

static const struct field_value ipv6_versions[] = {{6, "IPv6"}, {0, NULL}};

/* IANA "Assigned Internet Protocol Numbers" an IPv6 header chains with */
const struct field_value ipv6_next_headers[] = {
	{0, "HOPOPT"},      {4, "IPv4"},         {6, "TCP"},          {17, "UDP"},  {41, "IPv6"},
	{43, "IPv6-Route"}, {44, "IPv6-Frag"},   {47, "GRE"},         {50, "ESP"},  {51, "AH"},
	{58, "IPv6-ICMP"},  {59, "IPv6-NoNxt"},  {60, "IPv6-Opts"},   {89, "OSPF"}, {103, "PIM"},
	{112, "VRRP"},      {132, "SCTP"},       {135, "Mobility"},   {139, "HIP"}, {140, "Shim6"},
	{143, "Ethernet"},  {253, "experiment"}, {254, "experiment"}, {0, NULL},
};

/* Is element ancestor, or does it hold element? */
static bool ipv6_holds(const struct packet *p, int ancestor, int element)
{
	for (int i = 0; element >= 0 && element < p->field_count && i < PACKET_FIELDS_MAX; i++) {
		if (element == ancestor)
			return true;
		element = p->fields[element].parent;
	}
	return false;
}

int ipv6_layer_first(const struct packet *p)
{
	for (int i = 0; i < p->layer_count; i++) {
		if (p->layers[i].model == &ipv6_layer)
			return i;
	}
	return PACKET_NONE;
}

int ipv6_layer_enclosing(const struct packet *p, int layer)
{
	for (int i = layer - 1; i >= 0 && i < p->layer_count; i--) {
		if (p->layers[i].model == &ipv6_layer)
			return i;
	}
	return PACKET_NONE;
}

/* The protocol number of a model layer, or -1 for a model IPv6 does not chain to. */
static int ipv6_number_of(const struct proto_layer *m)
{
	static const struct {
		const char *name;
		uint8_t number;
	} map[] = {
		{"ipv6-hop-by-hop", IPV6_NEXT_HOP_BY_HOP},
		{"icmpv4", 1},
		{"ipv4", 4},
		{"tcp", IPV6_NEXT_TCP},
		{"udp", IPV6_NEXT_UDP},
		{"ipv6", IPV6_NEXT_IPV6},
		{"ipv6-routing", IPV6_NEXT_ROUTING},
		{"ipv6-fragment", IPV6_NEXT_FRAGMENT},
		{"icmpv6", IPV6_NEXT_ICMPV6},
		{"ipv6-destination-options", IPV6_NEXT_DESTINATION_OPTIONS},
	};
	for (size_t i = 0; m && m->name && i < DL_ARRAY_SIZE(map); i++) {
		if (strcmp(m->name, map[i].name) == 0)
			return map[i].number;
	}
	return -1;
}

void ipv6_next_header_fixup(struct packet *p, int layer, int field)
{
	if (field == PACKET_NONE || layer + 1 >= p->layer_count)
		return;
	/* only a layer inside this one follows it; a removed one leaves its number behind, so
	 * the header that is gone is still announced */
	const struct packet_layer *next = &p->layers[layer + 1];
	if (!ipv6_holds(p, p->layers[layer].element, next->element) ||
	    (p->fields[next->element].flags & FIELD_REMOVED))
		return;
	int number = ipv6_number_of(next->model);
	if (number >= 0)
		packet_put_derived(p, field, (uint64_t)number);
}

/* Declare one IPv6 fixed header read from c (the builder's buffer or the wire) and open
 * ipv6.payload. */
static int ipv6_declare(struct packet *p, struct cursor *c, bool build, bool derive,
			struct layer_parse_result *next)
{
	size_t avail = cursor_remaining(c);
	if (avail < IPV6_HEADER_LENGTH)
		return cursor_fail_value(c, "shorter than the 40-byte IPv6 header", avail);
	const uint8_t *h = c->p + c->offset;
	unsigned version = h[0] >> 4;
	uint32_t payload = (uint32_t)h[4] << 8 | h[5];
	uint8_t next_header = h[6];
	if (version != 6)
		return cursor_fail_value(c, "version is not 6", version);
	if (!build) {
		uint32_t rest = (uint32_t)(avail - IPV6_HEADER_LENGTH);
		/* RFC 2675: a jumbogram says 0 here and its length in a hop-by-hop option */
		bool jumbo = payload == 0 && next_header == IPV6_NEXT_HOP_BY_HOP;
		if (payload > rest)
			return cursor_fail_value(c, "payload length passes the end of the frame",
						 payload);
		if (jumbo)
			payload = rest;
	}

	int layer = packet_layer_begin(p, &ipv6_layer, "ipv6");
	if (layer == PACKET_NONE)
		return DL_ENOMEM;
	uint32_t o;
	int rc = proto_take(p, c, IPV6_HEADER_LENGTH, &o);
	if (rc < 0)
		return rc;
	uint32_t word = (uint32_t)packet_read_be(p, o, 4);
	int f = packet_field_bits(p, "ipv6.version", FIELD_ENUM, o, 4, 28, 4, version, 0);
	packet_values(p, f, ipv6_versions);
	packet_field_bits(p, "ipv6.traffic_class", FIELD_UINT, o, 4, 20, 8, (word >> 20) & 0xffu,
			  0);
	packet_field_bits(p, "ipv6.flow_label", FIELD_IDENTIFIER, o, 4, 0, 20, word & 0xfffffu, 0);
	int length =
		packet_field_present(p, "ipv6.payload_length", FIELD_LENGTH, o + 4, 2, FIELD_KEY);
	int nh = packet_field_present(p, "ipv6.next_header", FIELD_ENUM, o + 6, 1, FIELD_KEY);
	packet_values(p, nh, ipv6_next_headers);
	packet_field_present(p, "ipv6.hop_limit", FIELD_UINT, o + 7, 1, 0);
	int source = packet_field_bytes(p, "ipv6.source", FIELD_ADDRESS, o + 8, p->bytes + o + 8,
					16, FIELD_KEY);
	int destination = packet_field_bytes(p, "ipv6.destination", FIELD_ADDRESS, o + 24,
					     p->bytes + o + 24, 16, FIELD_KEY);
	int element = packet_element_begin(p, "ipv6.payload", FIELD_ELEMENT, 0);
	if (p->overflow)
		return DL_ENOMEM;
	packet_relate(p, length, element, 1, 0);
	int16_t *slots = p->layers[layer].slots;
	slots[IPV6_SLOT_SOURCE] = (int16_t)source;
	slots[IPV6_SLOT_FINAL_DESTINATION] = (int16_t)destination;
	slots[IPV6_SLOT_NEXT_HEADER] = (int16_t)nh;
	slots[IPV6_SLOT_PAYLOAD] = (int16_t)element;
	slots[IPV6_SLOT_DESTINATION] = (int16_t)destination;
	slots[IPV6_SLOT_DERIVE] = (int16_t)(derive ? nh : PACKET_NONE);

	if (!build) /* what follows the packet (Ethernet padding) is not its payload */
		c->len = c->offset + payload;
	if (next) {
		next->next =
			next_header == IPV6_NEXT_NONE ? LAYER_NEXT_NONE : LAYER_NEXT_IP_PROTOCOL;
		next->value = next_header;
	}
	return 0;
}

int ipv6_build(struct packet *p, const struct ipv6_fields *f)
{
	uint8_t b[IPV6_HEADER_LENGTH] = {0};
	uint32_t word = 6u << 28 | (uint32_t)f->traffic_class << 20 | (f->flow_label & 0xfffffu);
	for (int i = 0; i < 4; i++)
		b[i] = (uint8_t)(word >> (24 - 8 * i));
	/* b[4..5]: the payload length, set by packet_finish() */
	b[6] = f->next_header ? f->next_header : IPV6_NEXT_NONE;
	b[7] = f->hop_limit ? f->hop_limit : 64;
	memcpy(b + 8, &f->source, 16);
	memcpy(b + 24, &f->destination, 16);
	struct cursor c;
	cursor_init(&c, b, sizeof(b));
	int rc = ipv6_declare(p, &c, true, f->next_header == 0, NULL);
	if (rc < 0) {
		p->overflow = true;
		return DL_ENOMEM;
	}
	return 0;
}

static int ipv6_parse(struct packet *p, struct cursor *c, struct layer_parse_result *next)
{
	return ipv6_declare(p, c, false, false, next);
}

static void ipv6_fixup(struct packet *p, int layer)
{
	ipv6_next_header_fixup(p, layer, p->layers[layer].slots[IPV6_SLOT_DERIVE]);
}

/* Is model one of the extension headers a fragment's unfragmentable part may hold? */
static bool ipv6_unfragmentable_model(const struct proto_layer *m, bool *ends)
{
	*ends = m == &ipv6_hop_by_hop_layer || m == &ipv6_routing_layer;
	return *ends || m == &ipv6_destination_options_layer;
}

/*
 * Where whole's fragmentable part lies (RFC 8200 4.5): after the IPv6
 * header, the hop-by-hop header, and the routing header with the
 * destination options before it. *last is the layer whose header ends
 * the unfragmentable part (the ipv6 layer itself when none).
 */
static int ipv6_fragmentable(const struct packet *w, int *layer, int *last, uint32_t *start,
			     uint32_t *end, struct dl_error *err)
{
	*layer = ipv6_layer_first(w);
	if (*layer == PACKET_NONE)
		return dl_error_set(err, DL_EINVAL, "ipv6: fragment: the frame has no IPv6 layer");
	const int16_t *slots = w->layers[*layer].slots;
	int payload = slots[IPV6_SLOT_PAYLOAD];
	if (payload < 0 || payload >= w->field_count || slots[IPV6_SLOT_NEXT_HEADER] < 0 ||
	    (w->fields[payload].flags & FIELD_REMOVED))
		return dl_error_set(err, DL_EINVAL,
				    "ipv6: fragment: the IPv6 layer has no payload element");
	*last = *layer;
	*start = w->fields[payload].offset;
	*end = *start + w->fields[payload].size;
	for (int i = *layer + 1; i < w->layer_count; i++) {
		bool ends;
		const struct packet_layer *l = &w->layers[i];
		if (!ipv6_unfragmentable_model(l->model, &ends) ||
		    !ipv6_holds(w, payload, l->element) ||
		    (w->fields[l->element].flags & FIELD_REMOVED))
			break;
		int header = l->slots[IPV6_EXT_SLOT_HEADER];
		if (!ends)
			continue;
		if (header < 0 || header >= w->field_count ||
		    l->slots[IPV6_EXT_SLOT_NEXT_HEADER] < 0)
			return dl_error_set(
				err, DL_EINVAL,
				"ipv6: fragment: extension header layer %d is malformed", i);
		*last = i;
		*start = w->fields[header].offset + w->fields[header].size;
	}
	if (*end < *start || *end > w->length)
		return dl_error_set(err, DL_EINVAL, "ipv6: fragment: the IPv6 layer is malformed");
	return 0;
}

/* Cut a copy of whole down to its unfragmentable part, the elements that hold the rest left
 * open, so a Fragment header layer can be appended inside them. */
static void ipv6_fragment_truncate(struct packet *fr, const struct packet *whole, int layer,
				   int last, uint32_t start)
{
	bool container[PACKET_FIELDS_MAX] = {false};
	int from = last == layer ? whole->layers[layer].slots[IPV6_SLOT_PAYLOAD]
				 : whole->layers[last].element;
	for (int e = from, n = 0; e >= 0 && e < whole->field_count && n < PACKET_FIELDS_MAX;
	     e = whole->fields[e].parent, n++)
		container[e] = true;
	int keep = 0;
	for (; keep < whole->field_count; keep++) {
		const struct field *f = &whole->fields[keep];
		if (container[keep] || f->offset < start)
			continue;
		/* a point at the cut (an empty list ending a header) belongs to that header */
		int parent = f->parent;
		if (f->size == 0 && f->offset == start && parent >= 0 && !container[parent])
			continue;
		break;
	}
	packet_copy(fr, whole);
	fr->length = start;
	fr->field_count = (uint16_t)keep;
	fr->overflow = false;
	fr->open_count = 0;
	for (int i = 0; i < keep; i++) {
		struct field *f = &fr->fields[i];
		if (f->target >= keep)
			f->target = PACKET_NONE;
		if (container[i] && fr->open_count < PACKET_OPEN_MAX) {
			f->size = start - f->offset;
			fr->open[fr->open_count++] = (int16_t)i;
		}
	}
	for (int i = keep; i < PACKET_FIELDS_MAX; i++)
		fr->frozen[i / 64] &= ~(UINT64_C(1) << (i % 64));
	int layers = 0;
	while (layers < fr->layer_count && fr->layers[layers].element < keep)
		layers++;
	fr->layer_count = (uint8_t)layers;
	for (int l = 0; l < layers; l++) {
		for (size_t s = 0; s < DL_ARRAY_SIZE(fr->layers[l].slots); s++) {
			if (fr->layers[l].slots[s] >= keep)
				fr->layers[l].slots[s] = PACKET_NONE;
		}
	}
}

int ipv6_fragment(const struct packet *whole, const struct ipv6_fragment_range *ranges,
		  size_t range_count, uint32_t identification, struct packet *frames, size_t max,
		  size_t *count, struct dl_error *err)
{
	*count = 0;
	int layer, last;
	uint32_t start, end;
	int rc = ipv6_fragmentable(whole, &layer, &last, &start, &end, err);
	if (rc < 0)
		return rc;
	if (range_count > max)
		return dl_error_set(err, DL_EINVAL,
				    "ipv6: fragment: %zu ranges for room of %zu frames",
				    range_count, max);
	uint32_t part = end - start;
	for (size_t i = 0; i < range_count; i++) {
		const struct ipv6_fragment_range *r = &ranges[i];
		if (r->offset % 8 || r->offset > part || r->length > part - r->offset ||
		    r->offset / 8 > 0x1fff)
			return dl_error_set(err, DL_EINVAL,
					    "ipv6: fragment %zu: bytes %" PRIu32 "..%" PRIu32
					    " do not fit a %" PRIu32
					    "-byte fragmentable part at a multiple of 8; choose "
					    "another range",
					    i, r->offset, r->offset + r->length, part);
	}
	int nh = last == layer ? whole->layers[layer].slots[IPV6_SLOT_NEXT_HEADER]
			       : whole->layers[last].slots[IPV6_EXT_SLOT_NEXT_HEADER];
	uint8_t first = (uint8_t)packet_get(whole, nh);
	for (size_t i = 0; i < range_count; i++) {
		const struct ipv6_fragment_range *r = &ranges[i];
		struct packet *fr = &frames[i];
		ipv6_fragment_truncate(fr, whole, layer, last, start);
		packet_put_derived(fr, nh, IPV6_NEXT_FRAGMENT);
		struct ipv6_fragment_fields ff = {
			.next_header = first,
			.offset = (uint16_t)(r->offset / 8),
			.more = r->more == IPV6_FRAGMENT_MORE ||
				(r->more == 0 && r->offset + r->length < part),
			.identification = identification,
		};
		rc = ipv6_fragment_build(fr, &ff, whole->bytes + start + r->offset, r->length);
		if (rc == 0)
			rc = packet_finish(fr, err);
		else
			rc = dl_error_set(
				err, rc,
				"ipv6: fragment %zu: the frame has no room for a Fragment "
				"header and %" PRIu32 " bytes",
				i, r->length);
		if (rc < 0)
			return rc;
		*count = i + 1;
	}
	return 0;
}

int ipv6_fragment_even(const struct packet *whole, uint32_t size,
		       struct ipv6_fragment_range *ranges, size_t max, size_t *count,
		       struct dl_error *err)
{
	*count = 0;
	int layer, last;
	uint32_t start, end;
	int rc = ipv6_fragmentable(whole, &layer, &last, &start, &end, err);
	if (rc < 0)
		return rc;
	if (size == 0 || size % 8)
		return dl_error_set(
			err, DL_EINVAL,
			"ipv6: fragment size %" PRIu32 " is not a positive multiple of 8", size);
	uint32_t part = end - start;
	for (uint32_t at = 0; at < part || (at == 0 && part == 0); at += size) {
		if (*count >= max)
			return dl_error_set(err, DL_EINVAL,
					    "ipv6: a %" PRIu32 "-byte fragmentable part in %" PRIu32
					    "-byte fragments needs more than %zu",
					    part, size, max);
		ranges[*count].offset = at;
		ranges[*count].length = part - at < size ? part - at : size;
		ranges[*count].more = 0;
		(*count)++;
		if (part == 0)
			break;
	}
	return 0;
}

const struct proto_layer ipv6_layer = {
	.name = "ipv6",
	.title = "IPv6 (RFC 8200) with extension headers and fragments",
	.fixup = ipv6_fixup,
	.parse = ipv6_parse,
};
