/* test-bgp: BGP-4 message build, schema and parse against RFC 4271 vectors checked with scapy */
#include "core/compat.h"

#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>

#include "core/error.h"
#include "model-check.h"
#include "proto/bgp.h"
#include "proto/cursor.h"
#include "proto/ethernet.h"
#include "proto/ipv4.h"
#include "proto/layer.h"
#include "proto/packet.h"
#include "proto/tcp.h"

static struct packet built, parsed;

#define MARKER                                                                                     \
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,  \
		0xff

/*
 * RFC 4271 4.1 header and 4.2 OPEN; one Capabilities parameter (RFC 5492 4)
 * holding multiprotocol IPv4 and IPv6 unicast (RFC 4760 8), route refresh
 * (RFC 2918 2) and the 4-octet AS (RFC 6793 3). The capabilities are the
 * bytes of scapy.contrib.bgp's BGPCapMultiprotocol(afi=1, safi=1),
 * BGPCapMultiprotocol(afi=2, safi=1), BGPCapGeneric(code=2),
 * BGPCapFourBytesASN(asn=65001), and scapy's BGPHeader() parses the whole.
 */
static const uint8_t open_default[] = {
	MARKER, 0x00, 0x33, 0x01,                               /* length 51, OPEN */
	0x04,   0xfd, 0xe9, 0x00, 0x5a, 0xc6, 0x12, 0x00, 0x01, /* 4, AS 65001, 90 s, 198.18.0.1 */
	0x16,   0x02, 0x14,                                     /* 22 bytes: capabilities, 20 */
	0x01,   0x04, 0x00, 0x01, 0x00, 0x01, 0x01, 0x04, 0x00, 0x02, 0x00, 0x01, /* MP v4, v6 */
	0x02,   0x00, 0x41, 0x04, 0x00, 0x00, 0xfd, 0xe9, /* route refresh, AS4 65001 */
};

/* AS 4200000001 (RFC 6793 4.1: AS_TRANS in My AS), ADD-PATH IPv4 unicast send/receive (RFC
 * 7911 4): scapy's BGPCapFourBytesASN(asn=4200000001) and BGPCapGeneric(code=69, ...). */
static const uint8_t open_fields[] = {
	MARKER, 0x00, 0x31, 0x01,                               /* length 49, OPEN */
	0x04,   0x5b, 0xa0, 0x00, 0xb4, 0xc6, 0x12, 0x18, 0x01, /* AS_TRANS, 180 s, 198.18.24.1 */
	0x14,   0x02, 0x12, 0x01, 0x04, 0x00, 0x01, 0x00, 0x01, /* MP IPv4 unicast */
	0x41,   0x04, 0xfa, 0x56, 0xea, 0x01,                   /* AS4 4200000001 */
	0x45,   0x04, 0x00, 0x01, 0x01, 0x03,                   /* ADD-PATH IPv4 unicast, both */
};

/* RFC 4724 2: the IPv4 End-of-RIB, an UPDATE with nothing (scapy BGPHeader()/BGPUpdate()). */
static const uint8_t update_default[] = {MARKER, 0x00, 0x17, 0x02, 0x00, 0x00, 0x00, 0x00};

/*
 * RFC 4271 4.3 and 5.1, RFC 1997, RFC 4760 3 and 4: byte for byte what scapy
 * writes for BGPUpdate(withdrawn_routes=[10.1.0.0/16], path_attr=[ORIGIN
 * IGP, AS_PATH (4-byte) AS_SEQUENCE 65001 65000, NEXT_HOP 198.18.24.2, MED
 * 100, LOCAL_PREF 200, ATOMIC_AGGREGATE, AGGREGATOR 65001 198.18.24.2,
 * COMMUNITIES 65001:1, MP_REACH_NLRI IPv6 unicast next hop fd00:198:0:24::2
 * fd00:198:1::/48 2001:db8::/32, MP_UNREACH_NLRI fd00:198:2::/64],
 * nlri=[198.18.100.0/24, 10.0.0.0/8]).
 */
static const uint8_t update_fields[] =
	{
		MARKER, 0x00, 0x8e, 0x02,       /* length 142, UPDATE */
		0x00,   0x03, 0x10, 0x0a, 0x01, /* withdrawn 10.1.0.0/16 */
		0x00,   0x6e,                   /* 110 bytes of attributes */
		0x40,   0x01, 0x01, 0x00,       /* ORIGIN IGP */
		0x40,   0x02, 0x0a, 0x02, 0x02, 0x00, 0x00, 0xfd, 0xe9, 0x00, 0x00,
		0xfd,   0xe8,                               /* AS_PATH */
		0x40,   0x03, 0x04, 0xc6, 0x12, 0x18, 0x02, /* NEXT_HOP */
		0x80,   0x04, 0x04, 0x00, 0x00, 0x00, 0x64, /* MED 100 */
		0x40,   0x05, 0x04, 0x00, 0x00, 0x00, 0xc8, /* LOCAL_PREF 200 */
		0x40,   0x06, 0x00,                         /* ATOMIC_AGGREGATE */
		0xc0,   0x07, 0x08, 0x00, 0x00, 0xfd, 0xe9, 0xc6, 0x12, 0x18, 0x02, /* AGGREGATOR */
		0xc0,   0x08, 0x04, 0xfd, 0xe9, 0x00, 0x01, /* COMMUNITIES */
		0x80,   0x0e, 0x21, 0x00, 0x02, 0x01, 0x10, /* MP_REACH IPv6 */
		0xfd,   0x00, 0x01, 0x98, 0x00, 0x00, 0x00, 0x24, 0x00, 0x00, 0x00,
		0x00,   0x00, 0x00, 0x00, 0x02, 0x00,       /* next hop, reserved */
		0x30,   0xfd, 0x00, 0x01, 0x98, 0x00, 0x01, /* fd00:198:1::/48 */
		0x20,   0x20, 0x01, 0x0d, 0xb8,             /* 2001:db8::/32 */
		0x80,   0x0f, 0x0c, 0x00, 0x02, 0x01,       /* MP_UNREACH IPv6 unicast */
		0x40,   0xfd, 0x00, 0x01, 0x98, 0x00, 0x02, 0x00, 0x00, /* fd00:198:2::/64 */
		0x18,   0xc6, 0x12, 0x64, 0x08, 0x0a, /* 198.18.100.0/24, 10.0.0.0/8 */
};

/* RFC 4271 4.4 and 4.5 (Cease, Administrative Shutdown, RFC 4486 4), RFC 2918 3: scapy's
 * BGPKeepAlive(), BGPNotification(error_code=6, error_subcode=2, data=b"shutdown") and
 * BGPRouteRefresh(afi=2, safi=1). */
static const uint8_t keepalive[] = {MARKER, 0x00, 0x13, 0x04};
static const uint8_t notification[] = {MARKER, 0x00, 0x1d, 0x03, 0x06, 0x02, 's',
				       'h',    'u',  't',  'd',  'o',  'w',  'n'};
static const uint8_t route_refresh[] = {MARKER, 0x00, 0x17, 0x05, 0x00, 0x02, 0x00, 0x01};

static void finish(struct packet *p)
{
	struct dl_error err = {0};
	assert_int_equal(packet_finish(p, &err), 0);
}

/* Every message in bytes, parsed as the dissector would after TCP; 0 or the error (reason in
 * why). */
static int parse_messages(struct packet *p, const uint8_t *bytes, size_t length, char *why,
			  size_t why_size)
{
	struct cursor c;
	packet_init(p);
	cursor_init(&c, bytes, length);
	struct layer_parse_result next = {.next = LAYER_NEXT_TCP_PORT, .value = BGP_PORT};
	int rc = 0;
	for (int n = 0; rc == 0 && next.next == LAYER_NEXT_TCP_PORT && n < PACKET_LAYERS_MAX; n++)
		rc = bgp_layer.parse(p, &c, &next);
	struct dl_error err = {0};
	if (rc < 0 && cursor_failed(&c))
		cursor_error_report(&c, &err, "bgp");
	snprintf(why, why_size, "%s", err.message);
	p->open_count = 0;
	return rc;
}

/* Built bytes equal the vector, and parsing them back gives the same schema with the same
 * relations. */
static void check_vector(const uint8_t *vector, size_t length)
{
	model_assert_bytes(&built, vector, length);
	char why[DL_ERROR_MESSAGE_MAX];
	assert_int_equal(parse_messages(&parsed, vector, length, why, sizeof(why)), 0);
	model_assert_parsed(&built, &parsed);
}

/* Every length and count a relation defines holds after packet_finish(). */
static void check_relations(const struct packet *p)
{
	int related = 0;
	for (int i = 0; i < p->field_count; i++) {
		const struct field *f = &p->fields[i];
		if (f->target < 0)
			continue;
		related++;
		const struct field *t = &p->fields[f->target];
		if (f->kind == FIELD_LENGTH) {
			assert_int_equal(packet_get(p, i),
					 (int64_t)(t->size / f->unit) + f->adjust);
		} else if (f->kind == FIELD_COUNT) {
			uint64_t children = 0;
			for (int j = 0; j < p->field_count; j++)
				if (p->fields[j].parent == f->target &&
				    (p->fields[j].kind == FIELD_ELEMENT ||
				     p->fields[j].kind == FIELD_LIST))
					children++;
			assert_int_equal(packet_get(p, i), children);
		}
	}
	assert_true(related > 0);
}

static int field_of(const struct packet *p, const char *name, int nth)
{
	int at = -1;
	for (int n = 0; n <= nth; n++) {
		at = packet_find(p, name, at + 1);
		assert_int_not_equal(at, PACKET_NONE);
	}
	return at;
}

static uint64_t value_of(const struct packet *p, const char *name, int nth)
{
	return packet_get(p, field_of(p, name, nth));
}

static void assert_address(const struct packet *p, const char *name, int nth, const char *text,
			   int family, size_t size)
{
	uint8_t want[16];
	assert_int_equal(inet_pton(family, text, want), 1);
	const struct field *f = &p->fields[field_of(p, name, nth)];
	assert_int_equal(f->kind, FIELD_ADDRESS);
	assert_int_equal(f->size, size);
	assert_memory_equal(p->bytes + f->offset, want, size);
}

static void test_open_default(void **state)
{
	(void)state;
	struct bgp_open_fields f = {0};
	packet_init(&built);
	assert_int_equal(bgp_build_open(&built, &f), 0);
	finish(&built);
	check_vector(open_default, sizeof(open_default));
	check_relations(&built);
	assert_int_equal(built.layer_count, 1);
	assert_int_equal(built.open_count, 0);
	const struct packet *p = &parsed;
	assert_int_equal(value_of(p, "bgp.length", 0), 51);
	assert_int_equal(value_of(p, "bgp.type", 0), BGP_OPEN);
	assert_int_equal(value_of(p, "bgp.open.version", 0), 4);
	assert_int_equal(value_of(p, "bgp.open.my_as", 0), 65001);
	assert_int_equal(value_of(p, "bgp.open.hold_time", 0), 90);
	assert_address(p, "bgp.open.identifier", 0, "198.18.0.1", AF_INET, 4);
	assert_int_equal(value_of(p, "bgp.open.parameters_length", 0), 22);
	assert_int_equal(value_of(p, "bgp.parameter.type", 0), 2);
	assert_int_equal(value_of(p, "bgp.parameter.length", 0), 20);
	assert_int_equal(value_of(p, "bgp.capability.code", 0), BGP_CAP_MULTIPROTOCOL);
	assert_int_equal(value_of(p, "bgp.capability.length", 0), 4);
	assert_int_equal(value_of(p, "bgp.capability.afi", 0), BGP_AFI_IPV4);
	assert_int_equal(value_of(p, "bgp.capability.safi", 0), BGP_SAFI_UNICAST);
	assert_int_equal(value_of(p, "bgp.capability.afi", 1), BGP_AFI_IPV6);
	assert_int_equal(value_of(p, "bgp.capability.code", 2), BGP_CAP_ROUTE_REFRESH);
	assert_int_equal(value_of(p, "bgp.capability.length", 2), 0);
	assert_int_equal(value_of(p, "bgp.capability.code", 3), BGP_CAP_AS4);
	assert_int_equal(value_of(p, "bgp.capability.asn", 0), 65001);
	assert_int_not_equal(packet_find(p, "bgp.capability.route_refresh", 0), PACKET_NONE);
	assert_true(p->fields[field_of(p, "bgp.capability.as4", 0)].flags & FIELD_REPEATABLE);
	assert_true(p->fields[field_of(p, "bgp.type", 0)].flags & FIELD_KEY);
	assert_ptr_equal(p->layers[0].model, &bgp_layer);
}

static void test_open_fields(void **state)
{
	(void)state;
	struct bgp_open_fields f = {
		.my_as = 4200000001u,
		.hold_time = 180,
		.capabilities = BGP_OPEN_CAP_IPV4_UNICAST | BGP_OPEN_CAP_ADD_PATH,
	};
	assert_int_equal(inet_pton(AF_INET, "198.18.24.1", &f.identifier), 1);
	packet_init(&built);
	assert_int_equal(bgp_build_open(&built, &f), 0); /* the AS forces the AS4 capability */
	finish(&built);
	check_vector(open_fields, sizeof(open_fields));
	check_relations(&built);
	const struct packet *p = &parsed;
	assert_int_equal(value_of(p, "bgp.open.my_as", 0), BGP_AS_TRANS);
	assert_int_equal(value_of(p, "bgp.open.hold_time", 0), 180);
	assert_address(p, "bgp.open.identifier", 0, "198.18.24.1", AF_INET, 4);
	assert_int_equal(value_of(p, "bgp.capability.asn", 0), 4200000001u);
	assert_int_equal(value_of(p, "bgp.capability.code", 2), BGP_CAP_ADD_PATH);
	int family = field_of(p, "bgp.capability.add_path.family", 0);
	assert_int_equal(p->fields[family].size, 4);
	assert_int_equal(value_of(p, "bgp.capability.afi", 1), BGP_AFI_IPV4);
	assert_int_equal(value_of(p, "bgp.capability.safi", 1), BGP_SAFI_UNICAST);
	assert_int_equal(value_of(p, "bgp.capability.send_receive", 0), 3);
	assert_int_equal(p->fields[field_of(p, "bgp.capability.send_receive", 0)].parent, family);

	/* no optional parameter at all (RFC 4271 4.2: length 0) */
	struct bgp_open_fields bare = {.capabilities = BGP_OPEN_CAP_NONE};
	packet_init(&built);
	assert_int_equal(bgp_build_open(&built, &bare), 0);
	finish(&built);
	assert_int_equal(built.length, 29);
	assert_int_equal(value_of(&built, "bgp.open.parameters_length", 0), 0);
}

static void test_update_default(void **state)
{
	(void)state;
	struct bgp_update_fields f = {0};
	packet_init(&built);
	assert_int_equal(bgp_build_update(&built, &f), 0);
	finish(&built);
	check_vector(update_default, sizeof(update_default));
	check_relations(&built);
	assert_int_equal(value_of(&parsed, "bgp.update.withdrawn_length", 0), 0);
	assert_int_equal(value_of(&parsed, "bgp.update.attributes_length", 0), 0);
	assert_int_equal(packet_find(&parsed, "bgp.prefix", 0), PACKET_NONE);
}

static const uint32_t as_path[] = {65001, 65000};
static const uint32_t communities[] = {65001u << 16 | 1};
static struct bgp_prefix4 withdrawn[1], nlri[2];
static struct bgp_prefix6 nlri6[2], withdrawn6[1];

static void update_fill(struct bgp_update_fields *f)
{
	memset(f, 0, sizeof(*f));
	assert_int_equal(inet_pton(AF_INET, "10.1.0.0", &withdrawn[0].address), 1);
	withdrawn[0].length = 16;
	assert_int_equal(inet_pton(AF_INET, "198.18.100.0", &nlri[0].address), 1);
	nlri[0].length = 24;
	assert_int_equal(inet_pton(AF_INET, "10.0.0.0", &nlri[1].address), 1);
	nlri[1].length = 8;
	assert_int_equal(inet_pton(AF_INET6, "fd00:198:1::", &nlri6[0].address), 1);
	nlri6[0].length = 48;
	assert_int_equal(inet_pton(AF_INET6, "2001:db8::", &nlri6[1].address), 1);
	nlri6[1].length = 32;
	assert_int_equal(inet_pton(AF_INET6, "fd00:198:2::", &withdrawn6[0].address), 1);
	withdrawn6[0].length = 64;
	f->withdrawn = withdrawn;
	f->withdrawn_count = 1;
	f->origin = BGP_ORIGIN_IGP;
	f->as_path = as_path;
	f->as_path_count = 2;
	assert_int_equal(inet_pton(AF_INET, "198.18.24.2", &f->next_hop), 1);
	f->attributes = BGP_UPDATE_MED | BGP_UPDATE_LOCAL_PREF | BGP_UPDATE_ATOMIC_AGGREGATE |
			BGP_UPDATE_AGGREGATOR;
	f->med = 100;
	f->local_pref = 200;
	f->aggregator_as = 65001;
	f->aggregator = f->next_hop;
	f->communities = communities;
	f->community_count = 1;
	f->nlri = nlri;
	f->nlri_count = 2;
	assert_int_equal(inet_pton(AF_INET6, "fd00:198:0:24::2", &f->next_hop6), 1);
	f->nlri6 = nlri6;
	f->nlri6_count = 2;
	f->withdrawn6 = withdrawn6;
	f->withdrawn6_count = 1;
}

static void test_update_fields(void **state)
{
	(void)state;
	struct bgp_update_fields f;
	update_fill(&f);
	packet_init(&built);
	assert_int_equal(bgp_build_update(&built, &f), 0);
	finish(&built);
	check_vector(update_fields, sizeof(update_fields));
	check_relations(&built);
	const struct packet *p = &parsed;
	assert_int_equal(value_of(p, "bgp.length", 0), sizeof(update_fields));
	assert_int_equal(value_of(p, "bgp.update.withdrawn_length", 0), 3);
	assert_int_equal(value_of(p, "bgp.update.attributes_length", 0), 110);
	/* prefixes in wire order: withdrawn, MP_REACH (2), MP_UNREACH, NLRI (2) */
	static const uint8_t bits[] = {16, 48, 32, 64, 24, 8};
	for (int i = 0; i < 6; i++)
		assert_int_equal(value_of(p, "bgp.prefix.length", i), bits[i]);
	assert_address(p, "bgp.prefix.address", 0, "10.1.0.0", AF_INET, 2);
	uint8_t v6[16];
	assert_int_equal(inet_pton(AF_INET6, "fd00:198:1::", v6), 1);
	const struct field *a = &p->fields[field_of(p, "bgp.prefix.address", 1)];
	assert_int_equal(a->size, 6);
	assert_memory_equal(p->bytes + a->offset, v6, 6);
	a = &p->fields[field_of(p, "bgp.prefix.address", 4)];
	assert_int_equal(a->size, 3);
	assert_memory_equal(p->bytes + a->offset, "\xc6\x12\x64", 3);
	static const uint8_t types[] = {1, 2, 3, 4, 5, 6, 7, 8, 14, 15};
	static const uint8_t flags[] = {0x40, 0x40, 0x40, 0x80, 0x40, 0x40, 0xc0, 0xc0, 0x80, 0x80};
	static const uint8_t lengths[] = {1, 10, 4, 4, 4, 0, 8, 4, 33, 12};
	for (int i = 0; i < 10; i++) {
		assert_int_equal(value_of(p, "bgp.attribute.type", i), types[i]);
		assert_int_equal(value_of(p, "bgp.attribute.flags", i), flags[i]);
		assert_int_equal(value_of(p, "bgp.attribute.length", i), lengths[i]);
		assert_int_equal(p->fields[field_of(p, "bgp.attribute.length", i)].size, 1);
	}
	assert_int_equal(value_of(p, "bgp.origin", 0), BGP_ORIGIN_IGP);
	assert_int_equal(value_of(p, "bgp.as_path.segment_type", 0), BGP_AS_SEQUENCE);
	assert_int_equal(value_of(p, "bgp.as_path.segment_length", 0), 2);
	assert_int_equal(p->fields[field_of(p, "bgp.as_path.segment_length", 0)].kind, FIELD_COUNT);
	assert_int_equal(value_of(p, "bgp.as_path.asn", 0), 65001);
	assert_int_equal(value_of(p, "bgp.as_path.asn", 1), 65000);
	assert_int_equal(p->fields[field_of(p, "bgp.as_path.asn", 0)].size, 4);
	assert_address(p, "bgp.next_hop", 0, "198.18.24.2", AF_INET, 4);
	assert_int_equal(value_of(p, "bgp.med", 0), 100);
	assert_int_equal(value_of(p, "bgp.local_pref", 0), 200);
	assert_int_not_equal(packet_find(p, "bgp.attribute.atomic_aggregate", 0), PACKET_NONE);
	assert_int_equal(value_of(p, "bgp.aggregator.as", 0), 65001);
	assert_address(p, "bgp.aggregator.address", 0, "198.18.24.2", AF_INET, 4);
	assert_int_equal(value_of(p, "bgp.community", 0), 65001u << 16 | 1);
	assert_int_equal(value_of(p, "bgp.mp.afi", 0), BGP_AFI_IPV6);
	assert_int_equal(value_of(p, "bgp.mp.safi", 0), BGP_SAFI_UNICAST);
	assert_int_equal(value_of(p, "bgp.mp.next_hop_length", 0), 16);
	assert_address(p, "bgp.mp.next_hop", 0, "fd00:198:0:24::2", AF_INET6, 16);
	assert_int_equal(value_of(p, "bgp.mp.afi", 1), BGP_AFI_IPV6);
	assert_int_not_equal(packet_find(p, "bgp.mp_unreach.withdrawn", 0), PACKET_NONE);
	assert_int_not_equal(packet_find(p, "bgp.update.nlri", 0), PACKET_NONE);
}

/* An attribute past 255 bytes takes the extended length flag and a 2-byte length (RFC 4271
 * 4.3); a splice that grows one attribute is followed by every length at packet_finish(). */
static void test_update_lengths(void **state)
{
	(void)state;
	static uint32_t many[BGP_COMMUNITIES_MAX];
	for (size_t i = 0; i < BGP_COMMUNITIES_MAX; i++)
		many[i] = 65001u << 16 | (uint32_t)i;
	struct bgp_update_fields f;
	update_fill(&f);
	f.communities = many;
	f.community_count = BGP_COMMUNITIES_MAX; /* 256 bytes */
	packet_init(&built);
	assert_int_equal(bgp_build_update(&built, &f), 0);
	finish(&built);
	check_relations(&built);
	int flags = field_of(&built, "bgp.attribute.flags", 7);
	assert_int_equal(packet_get(&built, flags), 0xc0 | BGP_ATTR_FLAG_EXTENDED);
	int length = field_of(&built, "bgp.attribute.length", 7);
	assert_int_equal(built.fields[length].size, 2);
	assert_int_equal(packet_get(&built, length), 256);
	char why[DL_ERROR_MESSAGE_MAX];
	assert_int_equal(parse_messages(&parsed, built.bytes, built.length, why, sizeof(why)), 0);
	model_assert_same(&built, &parsed);

	/* repeat the one community: the attribute, the attributes and the message grow by 4 */
	update_fill(&f);
	packet_init(&built);
	assert_int_equal(bgp_build_update(&built, &f), 0);
	finish(&built);
	int community = field_of(&built, "bgp.community", 0);
	uint32_t at = built.fields[community].offset;
	struct dl_error err = {0};
	assert_int_equal(packet_splice(&built, at + 4, 0, built.bytes + at, 4,
				       built.fields[community].parent, &err),
			 0);
	finish(&built);
	check_relations(&built);
	assert_int_equal(value_of(&built, "bgp.length", 0), sizeof(update_fields) + 4);
	assert_int_equal(value_of(&built, "bgp.update.attributes_length", 0), 114);
	assert_int_equal(value_of(&built, "bgp.attribute.length", 7), 8);
	assert_int_equal(parse_messages(&parsed, built.bytes, built.length, why, sizeof(why)), 0);
	assert_int_equal(value_of(&parsed, "bgp.community", 1), 65001u << 16 | 1);
}

static void test_keepalive_notification_route_refresh(void **state)
{
	(void)state;
	packet_init(&built);
	assert_int_equal(bgp_build_keepalive(&built), 0);
	finish(&built);
	check_vector(keepalive, sizeof(keepalive));
	assert_int_equal(value_of(&parsed, "bgp.type", 0), BGP_KEEPALIVE);
	assert_int_equal(value_of(&parsed, "bgp.length", 0), 19);

	packet_init(&built);
	assert_int_equal(
		bgp_build_notification(&built, BGP_ERROR_CEASE, 2, (const uint8_t *)"shutdown", 8),
		0);
	finish(&built);
	check_vector(notification, sizeof(notification));
	check_relations(&built);
	assert_int_equal(value_of(&parsed, "bgp.notification.code", 0), BGP_ERROR_CEASE);
	assert_int_equal(value_of(&parsed, "bgp.notification.subcode", 0), 2);
	const struct field *d = &parsed.fields[field_of(&parsed, "bgp.notification.data", 0)];
	assert_int_equal(d->size, 8);
	assert_memory_equal(parsed.bytes + d->offset, "shutdown", 8);
	assert_non_null(parsed.fields[field_of(&parsed, "bgp.notification.subcode", 0)].values);

	packet_init(&built);
	assert_int_equal(bgp_build_notification(&built, BGP_ERROR_HOLD_TIMER, 0, NULL, 0), 0);
	finish(&built);
	assert_int_equal(built.length, 21);
	assert_int_equal(packet_find(&built, "bgp.notification.data", 0), PACKET_NONE);

	packet_init(&built);
	assert_int_equal(bgp_build_route_refresh(&built, BGP_AFI_IPV6, BGP_SAFI_UNICAST), 0);
	finish(&built);
	check_vector(route_refresh, sizeof(route_refresh));
	assert_int_equal(value_of(&parsed, "bgp.route_refresh.afi", 0), BGP_AFI_IPV6);
	assert_int_equal(value_of(&parsed, "bgp.route_refresh.reserved", 0), 0);
	assert_int_equal(value_of(&parsed, "bgp.route_refresh.safi", 0), BGP_SAFI_UNICAST);
	packet_init(&built);
	assert_int_equal(bgp_build_route_refresh(&built, 0, 0), 0); /* IPv4 unicast */
	finish(&built);
	assert_int_equal(value_of(&built, "bgp.route_refresh.afi", 0), BGP_AFI_IPV4);
}

/* RFC 7313: the enhanced route refresh capability (code 70, length 0) after the others, and the
 * ROUTE-REFRESH Message Subtype in the Reserved byte: BoRR (1) for IPv6 unicast. */
static void test_enhanced_route_refresh(void **state)
{
	(void)state;
	static const uint8_t borr[] = {MARKER, 0x00, 0x17, 0x05, 0x00, 0x02, 0x01, 0x01};
	packet_init(&built);
	assert_int_equal(bgp_build_route_refresh_subtype(&built, BGP_AFI_IPV6, BGP_SAFI_UNICAST,
							 BGP_REFRESH_BORR),
			 0);
	finish(&built);
	check_vector(borr, sizeof(borr));
	assert_int_equal(value_of(&parsed, "bgp.route_refresh.reserved", 0), BGP_REFRESH_BORR);

	struct bgp_open_fields f = {.capabilities =
					    BGP_OPEN_CAP_DEFAULT | BGP_OPEN_CAP_ENHANCED_REFRESH};
	packet_init(&built);
	assert_int_equal(bgp_build_open(&built, &f), 0);
	finish(&built);
	assert_int_equal(built.length, sizeof(open_default) + 2);
	assert_memory_equal(built.bytes + built.length - 2, "\x46\x00", 2);
	char why[256];
	assert_int_equal(parse_messages(&parsed, built.bytes, built.length, why, sizeof(why)), 0);
	assert_int_equal(value_of(&parsed, "bgp.parameter.length", 0), 22);
	assert_int_equal(value_of(&parsed, "bgp.capability.code", 4),
			 BGP_CAP_ENHANCED_ROUTE_REFRESH);
	assert_int_equal(value_of(&parsed, "bgp.capability.length", 4), 0);
	assert_int_not_equal(packet_find(&parsed, "bgp.capability.enhanced_route_refresh", 0),
			     PACKET_NONE);
	/* a length other than 0 is refused, as route refresh's */
	built.bytes[built.length - 1] = 1;
	assert_int_not_equal(parse_messages(&parsed, built.bytes, built.length, why, sizeof(why)),
			     0);
}

/* Several messages back to back, standalone (what a session writes to its socket) and inside
 * Ethernet/IPv4/TCP to port 179, dissected by proto_dissect(). */
static void test_several_and_frame(void **state)
{
	(void)state;
	struct bgp_open_fields o = {0};
	struct bgp_update_fields u;
	update_fill(&u);
	packet_init(&built);
	assert_int_equal(bgp_build_open(&built, &o), 0);
	assert_int_equal(bgp_build_keepalive(&built), 0);
	assert_int_equal(bgp_build_update(&built, &u), 0);
	finish(&built);
	assert_int_equal(built.layer_count, 3);
	for (int l = 0; l < 3; l++) {
		const struct field *e = &built.fields[built.layers[l].element];
		assert_int_equal(e->parent, PACKET_NONE); /* siblings */
	}
	assert_int_equal(built.length,
			 sizeof(open_default) + sizeof(keepalive) + sizeof(update_fields));
	assert_memory_equal(built.bytes + sizeof(open_default), keepalive, sizeof(keepalive));
	check_vector(built.bytes, built.length);

	struct ethernet_fields e = {.type = ETHERTYPE_IPV4};
	struct ipv4_fields ip = {0};
	assert_int_equal(inet_pton(AF_INET, "198.18.24.10", &ip.source), 1);
	assert_int_equal(inet_pton(AF_INET, "198.18.24.1", &ip.destination), 1);
	struct tcp_fields t = {.source_port = 40179,
			       .destination_port = BGP_PORT,
			       .sequence = 1001,
			       .acknowledgment = 5001,
			       .flags = TCP_FLAG_ACK | TCP_FLAG_PSH};
	packet_init(&built);
	assert_int_equal(ethernet_build(&built, &e), 0);
	assert_int_equal(ipv4_build(&built, &ip), 0);
	assert_int_equal(tcp_build(&built, &t), 0);
	assert_int_equal(bgp_build_keepalive(&built), 0);
	assert_int_equal(bgp_build_route_refresh(&built, 0, 0), 0);
	assert_int_equal(bgp_build_notification(&built, BGP_ERROR_CEASE, 2, NULL, 0), 0);
	assert_int_equal(ethernet_pad(&built), 0);
	finish(&built);
	assert_int_equal(built.layer_count, 6);
	int tcp = built.layers[2].element;
	for (int l = 3; l < 6; l++)
		assert_int_equal(built.fields[built.layers[l].element].parent, tcp);
	assert_int_equal(value_of(&built, "ipv4.total_length", 0), 20 + 20 + 19 + 23 + 21);
	struct dl_error err = {0};
	assert_int_equal(proto_dissect(&parsed, built.bytes, built.length, &err), 0);
	model_assert_same(&built, &parsed);
	assert_int_equal(packet_find(&parsed, "tcp.payload", 0), PACKET_NONE);
	assert_int_equal(value_of(&parsed, "bgp.type", 2), BGP_NOTIFICATION);
	/* the checksum tcp_build's fixup wrote covers the BGP bytes: the DUT sees a good segment */
	uint8_t pseudo[12];
	const uint8_t *seg = built.bytes + built.fields[tcp].offset;
	memcpy(pseudo, built.bytes + 14 + 12, 8);
	pseudo[8] = 0;
	pseudo[9] = 6;
	pseudo[10] = 0;
	pseudo[11] = (uint8_t)built.fields[tcp].size;
	assert_int_equal(model_checksum(seg, built.fields[tcp].size, pseudo, 12), 0);

	/* from the DUT's port too; and a segment without payload stays plain TCP */
	t.source_port = BGP_PORT;
	t.destination_port = 40179;
	packet_init(&built);
	ethernet_build(&built, &e);
	ipv4_build(&built, &ip);
	tcp_build(&built, &t);
	assert_int_equal(bgp_build_keepalive(&built), 0);
	finish(&built);
	assert_int_equal(proto_dissect(&parsed, built.bytes, built.length, &err), 0);
	assert_int_equal(parsed.layer_count, 4);
	packet_init(&built);
	ethernet_build(&built, &e);
	ipv4_build(&built, &ip);
	tcp_build(&built, &t);
	finish(&built);
	assert_int_equal(proto_dissect(&parsed, built.bytes, built.length, &err), 0);
	assert_int_equal(parsed.layer_count, 3);
}

/* The vector with bytes [at, at + n) replaced by with, parsed: the refusal names why. */
static void assert_refused(const uint8_t *vector, size_t length, size_t at, const uint8_t *with,
			   size_t n, const char *reason)
{
	uint8_t b[512];
	assert_true(length <= sizeof(b) && at + n <= length);
	memcpy(b, vector, length);
	memcpy(b + at, with, n);
	char why[DL_ERROR_MESSAGE_MAX];
	assert_int_equal(parse_messages(&parsed, b, length, why, sizeof(why)), DL_EPROTO);
	if (!strstr(why, reason))
		fail_msg("'%s' does not say '%s'", why, reason);
}

static void test_malformed(void **state)
{
	(void)state;
	char why[DL_ERROR_MESSAGE_MAX];
	assert_int_equal(parse_messages(&parsed, keepalive, 18, why, sizeof(why)), DL_EPROTO);
	assert_non_null(strstr(why, "shorter than the 19-byte BGP header"));
	assert_refused(keepalive, sizeof(keepalive), 17, (const uint8_t *)"\x12", 1,
		       "length is under 19 (value 18)");
	assert_refused(update_fields, sizeof(update_fields), 16, (const uint8_t *)"\x10\x01", 2,
		       "length is over 4096 (value 4097)");
	assert_refused(keepalive, sizeof(keepalive), 17, (const uint8_t *)"\x14", 1,
		       "length passes the end of the data");
	assert_refused(keepalive, sizeof(keepalive), 5, (const uint8_t *)"\xfe", 1,
		       "bgp: offset 5: marker is not all ones");
	assert_refused(keepalive, sizeof(keepalive), 18, (const uint8_t *)"\x06", 1,
		       "type is not 1 to 5 (value 6)");
	assert_refused(route_refresh, sizeof(route_refresh), 17, (const uint8_t *)"\x18", 1,
		       "length passes the end");
	/* the AGGREGATOR (at 67) says 80 bytes: past the 110 of the attributes */
	assert_refused(update_fields, sizeof(update_fields), 69, (const uint8_t *)"\x50", 1,
		       "offset 67: path attribute length runs past the total path attribute "
		       "length (value 80)");
	assert_refused(update_fields, sizeof(update_fields), 24, (const uint8_t *)"\x00\x7e", 2,
		       "total path attribute length runs past the message (value 126)");
	assert_refused(update_fields, sizeof(update_fields), 19, (const uint8_t *)"\x00\x90", 2,
		       "withdrawn routes length runs past the message (value 144)");
	assert_refused(update_fields, sizeof(update_fields), 136, (const uint8_t *)"\x21", 1,
		       "offset 136: IPv4 prefix length is over 32 (value 33)");
	assert_refused(update_fields, sizeof(update_fields), 109, (const uint8_t *)"\x81", 1,
		       "offset 109: IPv6 prefix length is over 128 (value 129)");
	assert_refused(update_fields, sizeof(update_fields), 136, (const uint8_t *)"\x20", 1,
		       "prefix runs past the end of its field");
	assert_refused(update_fields, sizeof(update_fields), 34, (const uint8_t *)"\x03", 1,
		       "AS_PATH segments do not fill the attribute");
	assert_refused(update_fields, sizeof(update_fields), 52, (const uint8_t *)"\x05", 1,
		       "MULTI_EXIT_DISC length is not 4");
	assert_refused(update_fields, sizeof(update_fields), 91, (const uint8_t *)"\x30", 1,
		       "next hop length runs past MP_REACH_NLRI (value 48)");
	assert_refused(open_default, sizeof(open_default), 28, (const uint8_t *)"\x15", 1,
		       "optional parameters length disagrees with the message length (value 21)");
	assert_refused(open_default, sizeof(open_default), 30, (const uint8_t *)"\x15", 1,
		       "optional parameter length runs past the optional parameters (value 21)");
	assert_refused(open_default, sizeof(open_default), 32, (const uint8_t *)"\x05", 1,
		       "multiprotocol capability length is not 4");
	assert_refused(open_default, sizeof(open_default), 44, (const uint8_t *)"\x07", 1,
		       "capability length runs past the parameter (value 7)");
	assert_refused(notification, sizeof(notification), 17, (const uint8_t *)"\x14", 1,
		       "NOTIFICATION shorter than 21 bytes");
	assert_refused(keepalive, sizeof(keepalive), 18, (const uint8_t *)"\x05", 1,
		       "ROUTE-REFRESH length is not 23");

	/* in a frame, the dissector says where */
	struct ethernet_fields e = {.type = ETHERTYPE_IPV4};
	struct ipv4_fields ip = {0};
	struct tcp_fields t = {.destination_port = BGP_PORT, .flags = TCP_FLAG_ACK | TCP_FLAG_PSH};
	uint8_t bad[sizeof(keepalive)];
	memcpy(bad, keepalive, sizeof(bad));
	bad[0] = 0;
	t.payload = bad;
	t.payload_length = sizeof(bad);
	packet_init(&built);
	ethernet_build(&built, &e);
	ipv4_build(&built, &ip);
	tcp_build(&built, &t);
	finish(&built);
	struct dl_error err = {0};
	assert_int_equal(proto_dissect(&parsed, built.bytes, built.length, &err), DL_EPROTO);
	assert_string_equal(err.message, "frame: offset 54: marker is not all ones (RFC 4271 4.1) "
					 "(value 0)");

	/* the builders refuse what they cannot encode */
	struct bgp_update_fields u = {0};
	struct bgp_prefix4 wide = {.length = 33};
	u.nlri = &wide;
	u.nlri_count = 1;
	packet_init(&built);
	assert_int_equal(bgp_build_update(&built, &u), DL_EINVAL);
	assert_int_equal(packet_finish(&built, &err), DL_ENOMEM);
	static uint8_t big[BGP_MESSAGE_MAX];
	packet_init(&built);
	assert_int_equal(bgp_build_notification(&built, 1, 2, big, sizeof(big)), DL_EINVAL);
	packet_init(&built);
	assert_int_equal(bgp_build_notification(&built, 1, 2, NULL, 3), DL_EINVAL);
}

/* RFC 4271 4.3 with 2-byte ASNs (a speaker without RFC 6793): read as 2-byte when only that
 * fills the attribute; 4-byte otherwise. */
static void test_as_path_two_bytes(void **state)
{
	(void)state;
	static const uint8_t two[] = {
		MARKER, 0x00, 0x29, 0x02, 0x00, 0x00, 0x00, 0x10, /* length 41, attributes 16 */
		0x40,   0x01, 0x01, 0x02,                         /* ORIGIN INCOMPLETE */
		0x40,   0x02, 0x06, 0x01, 0x02, 0xfd, 0xe9, 0xfd, 0xe8, /* AS_SET {65001, 65000} */
		0x40,   0x06, 0x00, 0x08, 0x0a,                         /* ATOMIC, 10.0.0.0/8 */
	};
	char why[DL_ERROR_MESSAGE_MAX];
	assert_int_equal(parse_messages(&parsed, two, sizeof(two), why, sizeof(why)), 0);
	assert_int_equal(value_of(&parsed, "bgp.origin", 0), BGP_ORIGIN_INCOMPLETE);
	assert_int_equal(value_of(&parsed, "bgp.as_path.segment_type", 0), BGP_AS_SET);
	assert_int_equal(value_of(&parsed, "bgp.as_path.asn", 1), 65000);
	assert_int_equal(parsed.fields[field_of(&parsed, "bgp.as_path.asn", 0)].size, 2);
	check_relations(&parsed);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_open_default),
		cmocka_unit_test(test_open_fields),
		cmocka_unit_test(test_update_default),
		cmocka_unit_test(test_update_fields),
		cmocka_unit_test(test_update_lengths),
		cmocka_unit_test(test_keepalive_notification_route_refresh),
		cmocka_unit_test(test_enhanced_route_refresh),
		cmocka_unit_test(test_several_and_frame),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_as_path_two_bytes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
