/* test-rip: RIPv2 message build, schema, keyed-MD5 digest and parse against scapy vectors */
#include "core/compat.h"

#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>

#include "core/error.h"
#include "model-check.h"
#include "proto/cursor.h"
#include "proto/ethernet.h"
#include "proto/ipv4.h"
#include "proto/layer.h"
#include "proto/packet.h"
#include "proto/rip.h"
#include "proto/udp.h"

static struct packet built, parsed;

/* RFC 2453 3.9.1: scapy's RIP(cmd=1, version=2)/RIPEntry(AF=0, metric=16), the whole table. */
static const uint8_t request_table[] = {
	0x01, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10,
};

/* RFC 2453 4: scapy's RIP(cmd=2)/RIPEntry(addr=198.18.99.0, mask /24, metric=1)/
 * RIPEntry(RouteTag=7, addr=198.18.98.0, mask /24, nextHop=198.18.24.2, metric=3). */
static const uint8_t response_routes[] = {
	0x02, 0x02, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0xc6, 0x12, 0x63, 0x00, 0xff, 0xff, 0xff,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x02, 0x00, 0x07, 0xc6, 0x12,
	0x62, 0x00, 0xff, 0xff, 0xff, 0x00, 0xc6, 0x12, 0x18, 0x02, 0x00, 0x00, 0x00, 0x03,
};

/* RFC 2453 4.1: scapy's RIP(cmd=2)/RIPAuth(authtype=2, password="LabRip24")/RIPEntry(...). */
static const uint8_t response_simple[] = {
	0x02, 0x02, 0x00, 0x00, 0xff, 0xff, 0x00, 0x02, 0x4c, 0x61, 0x62, 0x52, 0x69, 0x70, 0x32,
	0x34, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0xc6, 0x12,
	0x63, 0x00, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
};

/*
 * RFC 4822 2.2 / RFC 2082: scapy's RIP(cmd=1)/RIPAuth(authtype=3, digestoffset=44, keyid=1,
 * authdatalen=16, seqnum=5)/RIPEntry(AF=0, metric=16), then the trailer ff ff 00 01 and
 * hashlib.md5(those 48 bytes + b"LabRip24" zero-padded to 16).digest(); scapy parses it back
 * as an md5authdata trailer.
 */
static const uint8_t request_md5[] = {
	0x01, 0x02, 0x00, 0x00, 0xff, 0xff, 0x00, 0x03, 0x00, 0x2c, 0x01, 0x10, 0x00,
	0x00, 0x00, 0x05, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x10, 0xff, 0xff, 0x00, 0x01, 0x44, 0x5f, 0x4b, 0x22,
	0xac, 0x30, 0xde, 0x72, 0x09, 0x28, 0x02, 0xbd, 0x88, 0x35, 0x87, 0x9a,
};

static void finish(struct packet *p)
{
	struct dl_error err = {0};
	assert_int_equal(packet_finish(p, &err), 0);
}

static uint64_t value_of(const struct packet *p, const char *name, int from)
{
	return model_get(p, name, from);
}

/* One message in bytes, parsed as the dissector would after UDP; 0 or the error (reason in
 * why). */
static int parse_message(struct packet *p, const uint8_t *bytes, size_t length, char *why,
			 size_t why_size)
{
	struct layer_parse_result next;
	int rc = model_parse_layer(&rip_layer, p, bytes, length, &next, why, why_size);
	if (rc == 0)
		assert_int_equal(next.next, LAYER_NEXT_NONE);
	return rc;
}

static void check_vector(const uint8_t *vector, size_t length)
{
	model_check_vector(&rip_layer, &built, &parsed, vector, length);
}

static struct rip_route route(const char *address, const char *mask, const char *next_hop,
			      uint16_t tag, uint32_t metric)
{
	struct rip_route r = {.tag = tag, .metric = metric};
	assert_int_equal(inet_pton(AF_INET, address, &r.address), 1);
	assert_int_equal(inet_pton(AF_INET, mask, &r.mask), 1);
	assert_int_equal(inet_pton(AF_INET, next_hop, &r.next_hop), 1);
	return r;
}

static void test_request_table(void **state)
{
	(void)state;
	struct rip_fields f = {0};
	packet_init(&built);
	assert_int_equal(rip_build(&built, &f), 0);
	finish(&built);
	check_vector(request_table, sizeof(request_table));
	assert_int_equal(value_of(&built, "rip.command", 0), RIP_REQUEST);
	assert_int_equal(value_of(&built, "rip.route.family", 0), 0);
	assert_int_equal(value_of(&built, "rip.route.metric", 0), RIP_METRIC_INFINITY);
	int c = packet_find(&built, "rip.command", 0);
	assert_true(built.fields[c].flags & FIELD_KEY);
	assert_non_null(built.fields[c].values);
	assert_true(built.fields[packet_find(&built, "rip.version", 0)].flags & FIELD_KEY);
	assert_int_equal(packet_find(&built, "rip.trailer", 0), PACKET_NONE);
}

static void test_response_routes(void **state)
{
	(void)state;
	struct rip_route r[2] = {route("198.18.99.0", "255.255.255.0", "0.0.0.0", 0, 1),
				 route("198.18.98.0", "255.255.255.0", "198.18.24.2", 7, 3)};
	struct rip_fields f = {.command = RIP_RESPONSE, .routes = r, .route_count = 2};
	packet_init(&built);
	assert_int_equal(rip_build(&built, &f), 0);
	finish(&built);
	check_vector(response_routes, sizeof(response_routes));
	int list = packet_find(&built, "rip.entries", 0);
	assert_int_equal(built.fields[list].kind, FIELD_LIST);
	assert_int_equal(built.fields[list].size, 40);
	int second = packet_find(&built, "rip.route", packet_find(&built, "rip.route", 0) + 1);
	assert_int_not_equal(second, PACKET_NONE);
	assert_true(built.fields[second].flags & FIELD_REPEATABLE);
	assert_int_equal(built.fields[second].parent, list);
	assert_int_equal(value_of(&built, "rip.route.tag", second), 7);
	assert_int_equal(value_of(&built, "rip.route.metric", second), 3);
	int a = packet_find(&built, "rip.route.address", second);
	assert_int_equal(built.fields[a].kind, FIELD_ADDRESS);
	assert_true(built.fields[a].flags & FIELD_KEY);
	assert_true(built.fields[packet_find(&built, "rip.route.metric", 0)].flags & FIELD_KEY);
}

static void test_simple_password(void **state)
{
	(void)state;
	struct rip_route r = route("198.18.99.0", "255.255.255.0", "0.0.0.0", 0, 1);
	struct rip_fields f = {.command = RIP_RESPONSE,
			       .routes = &r,
			       .route_count = 1,
			       .auth = RIP_AUTH_SIMPLE,
			       .password = "LabRip24"};
	packet_init(&built);
	assert_int_equal(rip_build(&built, &f), 0);
	finish(&built);
	check_vector(response_simple, sizeof(response_simple));
	assert_int_equal(value_of(&built, "rip.auth.type", 0), RIP_AUTH_SIMPLE);
	int pw = packet_find(&built, "rip.auth.password", 0);
	assert_int_equal(built.fields[pw].size, 16);
}

static void test_md5(void **state)
{
	(void)state;
	struct rip_fields f = {
		.auth = RIP_AUTH_MD5, .password = "LabRip24", .key_id = 1, .sequence = 5};
	packet_init(&built);
	assert_int_equal(rip_build(&built, &f), 0);
	finish(&built);
	check_vector(request_md5, sizeof(request_md5));
	int l = packet_find(&built, "rip.auth.packet_length", 0);
	assert_int_equal(built.fields[l].kind, FIELD_LENGTH);
	assert_int_equal(packet_get(&built, l), 44);
	assert_int_equal(value_of(&built, "rip.auth.key_id", 0), 1);
	assert_int_equal(value_of(&built, "rip.auth.sequence", 0), 5);
	assert_int_equal(value_of(&built, "rip.trailer.type", 0), RIP_AUTH_TRAILER);
	int d = packet_find(&built, "rip.trailer.digest", 0);
	assert_int_equal(built.fields[d].kind, FIELD_CHECKSUM);
	assert_int_equal(built.fields[d].size, RIP_DIGEST_LENGTH);

	/* the public digest agrees with the vector */
	uint8_t digest[RIP_DIGEST_LENGTH];
	struct dl_error err = {0};
	assert_int_equal(rip_md5_digest(request_md5, 48, "LabRip24", digest, &err), 0);
	assert_memory_equal(digest, request_md5 + 48, RIP_DIGEST_LENGTH);
	assert_int_equal(rip_md5_digest(request_md5, 48, "seventeen-bytes-x", digest, &err),
			 DL_EINVAL);
	assert_non_null(strstr(err.message, "at most 16 bytes"));

	/* a mutation (the sequence number) is signed again by packet_finish() */
	packet_put(&built, packet_find(&built, "rip.auth.sequence", 0), 6);
	finish(&built);
	assert_memory_not_equal(built.bytes + 48, request_md5 + 48, RIP_DIGEST_LENGTH);
	assert_int_equal(rip_md5_digest(built.bytes, 48, "LabRip24", digest, &err), 0);
	assert_memory_equal(built.bytes + 48, digest, RIP_DIGEST_LENGTH);
	/* ... and a repeated route entry too: the packet length and the digest follow */
	struct rip_route r = route("198.18.99.0", "255.255.255.0", "0.0.0.0", 0, 1);
	f.command = RIP_RESPONSE;
	f.routes = &r;
	f.route_count = 1;
	packet_init(&built);
	assert_int_equal(rip_build(&built, &f), 0);
	finish(&built);
	int e = packet_find(&built, "rip.route", 0);
	uint32_t at = built.fields[e].offset;
	assert_int_equal(packet_splice(&built, at, 0, built.bytes + at, RIP_ENTRY_LENGTH,
				       packet_find(&built, "rip.entries", 0), &err),
			 0);
	finish(&built);
	assert_int_equal(built.length, 4 + 3 * 20 + 20);
	assert_int_equal(value_of(&built, "rip.auth.packet_length", 0), 64);
	assert_int_equal(rip_md5_digest(built.bytes, 68, "LabRip24", digest, &err), 0);
	assert_memory_equal(built.bytes + 68, digest, RIP_DIGEST_LENGTH);
	char why[DL_ERROR_MESSAGE_MAX];
	assert_int_equal(parse_message(&parsed, built.bytes, built.length, why, sizeof(why)), 0);
	/* a frozen digest (a campaign that asks for it wrong) is left as set */
	packet_put(&built, packet_find(&built, "rip.auth.sequence", 0), 9);
	packet_freeze(&built, d = packet_find(&built, "rip.trailer.digest", 0));
	uint8_t before[RIP_DIGEST_LENGTH];
	memcpy(before, built.bytes + built.fields[d].offset, sizeof(before));
	finish(&built);
	assert_memory_equal(built.bytes + built.fields[d].offset, before, sizeof(before));
}

static void test_build_refusals(void **state)
{
	(void)state;
	struct rip_route r[RIP_ENTRIES_MAX] = {0};
	struct rip_fields f = {.command = RIP_RESPONSE, .routes = r, .route_count = 25};
	packet_init(&built);
	assert_int_equal(rip_build(&built, &f), 0);
	finish(&built);
	assert_int_equal(built.length, 4 + 25 * 20);
	f.auth = RIP_AUTH_MD5;
	f.password = "k";
	packet_init(&built);
	assert_int_equal(rip_build(&built, &f), DL_EINVAL);
	assert_true(built.overflow);
	f.route_count = 24;
	f.password = "a-key-of-17-byte";
	packet_init(&built);
	assert_int_equal(rip_build(&built, &f), 0); /* 16 bytes: the most a key holds */
	f.password = "a-key-of-17-bytes";
	packet_init(&built);
	assert_int_equal(rip_build(&built, &f), DL_EINVAL);
	f.password = NULL;
	packet_init(&built);
	assert_int_equal(rip_build(&built, &f), DL_EINVAL);
	f.auth = 7;
	f.password = "k";
	packet_init(&built);
	assert_int_equal(rip_build(&built, &f), DL_EINVAL);
}

/* Ethernet/IPv4/UDP 520 -> 520 with a signed response, dissected by proto_dissect(). */
static void test_frame(void **state)
{
	(void)state;
	struct ethernet_fields e = {.type = ETHERTYPE_IPV4};
	struct ipv4_fields ip = {.ttl = 1, .protocol = 17};
	assert_int_equal(inet_pton(AF_INET, "198.18.24.10", &ip.source), 1);
	assert_int_equal(inet_pton(AF_INET, "224.0.0.9", &ip.destination), 1);
	struct udp_fields u = {.source_port = RIP_PORT, .destination_port = RIP_PORT};
	struct rip_route r = route("198.18.99.0", "255.255.255.0", "0.0.0.0", 0, 1);
	struct rip_fields f = {.command = RIP_RESPONSE,
			       .routes = &r,
			       .route_count = 1,
			       .auth = RIP_AUTH_MD5,
			       .password = "LabRip24",
			       .key_id = 1,
			       .sequence = 77};
	packet_init(&built);
	assert_int_equal(ethernet_build(&built, &e), 0);
	assert_int_equal(ipv4_build(&built, &ip), 0);
	assert_int_equal(udp_build(&built, &u), 0);
	assert_int_equal(rip_build(&built, &f), 0);
	assert_int_equal(ethernet_pad(&built), 0);
	finish(&built);
	assert_int_equal(built.layer_count, 4);
	int udp = built.layers[2].element;
	assert_int_equal(built.fields[built.layers[3].element].parent, udp);
	assert_int_equal(value_of(&built, "udp.length", 0), 8 + 4 + 2 * 20 + 20);
	struct dl_error err = {0};
	assert_int_equal(proto_dissect(&parsed, built.bytes, built.length, &err), 0);
	model_assert_same(&built, &parsed);
	assert_int_equal(packet_find(&parsed, "udp.payload", 0), PACKET_NONE);
	/* the UDP checksum covers the RIP bytes (the digest written first) */
	uint8_t pseudo[12];
	const uint8_t *d = built.bytes + built.fields[udp].offset;
	memcpy(pseudo, built.bytes + 14 + 12, 8);
	pseudo[8] = 0;
	pseudo[9] = 17;
	pseudo[10] = 0;
	pseudo[11] = (uint8_t)built.fields[udp].size;
	assert_int_equal(model_checksum(d, built.fields[udp].size, pseudo, 12), 0);
	uint8_t digest[RIP_DIGEST_LENGTH];
	uint32_t rip = built.fields[built.layers[3].element].offset;
	assert_int_equal(rip_md5_digest(built.bytes + rip, 48, "LabRip24", digest, &err), 0);
	assert_memory_equal(built.bytes + rip + 48, digest, RIP_DIGEST_LENGTH);

	/* another port stays plain UDP payload; a malformed RIP refuses the frame */
	u.source_port = 40000;
	u.destination_port = 40001;
	packet_init(&built);
	ethernet_build(&built, &e);
	ipv4_build(&built, &ip);
	udp_build(&built, &u);
	rip_build(&built, &f);
	finish(&built);
	assert_int_equal(proto_dissect(&parsed, built.bytes, built.length, &err), 0);
	assert_int_equal(parsed.layer_count, 3);
	assert_int_not_equal(packet_find(&parsed, "udp.payload", 0), PACKET_NONE);
	u.source_port = RIP_PORT;
	packet_init(&built);
	ethernet_build(&built, &e);
	ipv4_build(&built, &ip);
	udp_build(&built, &u);
	rip_build(&built, &f);
	finish(&built);
	built.bytes[14 + 20 + 8] = 9; /* command */
	assert_int_equal(proto_dissect(&parsed, built.bytes, built.length, &err), DL_EPROTO);
	assert_non_null(strstr(err.message, "command is not 1 (request) or 2 (response)"));
}

static void assert_refused(const uint8_t *vector, size_t length, size_t at, const uint8_t *with,
			   size_t n, const char *reason)
{
	model_assert_refused(&rip_layer, vector, length, at, with, n, reason);
}

static void test_malformed(void **state)
{
	(void)state;
	char why[DL_ERROR_MESSAGE_MAX];
	assert_int_equal(parse_message(&parsed, request_table, 3, why, sizeof(why)), DL_EPROTO);
	assert_non_null(strstr(why, "shorter than the 4-byte RIP header (value 3)"));
	assert_int_equal(parse_message(&parsed, request_table, 23, why, sizeof(why)), DL_EPROTO);
	assert_non_null(strstr(why, "not a whole number of 20-byte entries (value 19)"));
	assert_refused(request_table, sizeof(request_table), 0, (const uint8_t *)"\x03", 1,
		       "command is not 1 (request) or 2 (response) (value 3)");
	assert_refused(request_table, sizeof(request_table), 1, (const uint8_t *)"\x00", 1,
		       "offset 1: version is 0");
	assert_refused(response_routes, sizeof(response_routes), 24, (const uint8_t *)"\xff\xff", 2,
		       "offset 24: authentication entry is not the first");
	assert_refused(response_simple, sizeof(response_simple), 6, (const uint8_t *)"\x00\x04", 2,
		       "authentication type is not 2 or 3 (value 4)");
	assert_refused(request_md5, sizeof(request_md5), 8, (const uint8_t *)"\x00\x18", 2,
		       "keyed-MD5 packet length is not where the 20-byte trailer starts");
	assert_refused(request_md5, sizeof(request_md5), 47, (const uint8_t *)"\x02", 1,
		       "offset 44: keyed-MD5 trailer is not family 0xffff type 1");
	/* 26 entries */
	uint8_t big[4 + 26 * 20] = {0x02, 0x02};
	for (int i = 0; i < 26; i++)
		big[4 + i * 20 + 1] = 2;
	assert_int_equal(parse_message(&parsed, big, sizeof(big), why, sizeof(why)), DL_EPROTO);
	assert_non_null(strstr(why, "more than 25 entries (value 26)"));
	assert_int_equal(parse_message(&parsed, big, sizeof(big) - 20, why, sizeof(why)), 0);
	/* a digest not matching the key is no parse error: the parser has no key */
	uint8_t bad[sizeof(request_md5)];
	memcpy(bad, request_md5, sizeof(bad));
	bad[60] ^= 1;
	assert_int_equal(parse_message(&parsed, bad, sizeof(bad), why, sizeof(why)), 0);
	finish(&parsed);
	assert_int_equal(parsed.bytes[60], bad[60]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_request_table),   cmocka_unit_test(test_response_routes),
		cmocka_unit_test(test_simple_password), cmocka_unit_test(test_md5),
		cmocka_unit_test(test_build_refusals),  cmocka_unit_test(test_frame),
		cmocka_unit_test(test_malformed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
