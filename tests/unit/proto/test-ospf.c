/* test-ospf: OSPFv2 packet build, schema, checksums, keyed-MD5 digest and parse against scapy
 * vectors */
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
#include "proto/ospf.h"
#include "proto/packet.h"

static struct packet built, parsed;

/*
 * The vectors are scapy's (scapy.contrib.ospf, /usr/bin/python3), from router id 198.18.24.1
 * in area 0, bytes(...) of:
 * hello_null: OSPF_Hdr()/OSPF_Hello(mask=255.255.255.0, hellointerval=2, options=0x02, prio=1,
 *   deadinterval=8, router=0.0.0.0, backup=0.0.0.0, neighbors=["198.18.24.2"]);
 * hello_simple: OSPF_Hdr(authtype=1, authdata="LabOspf2")/the same hello without neighbours;
 * hello_md5: OSPF_Hdr(authtype=2, keyid=1, authdatalen=16, seq=5)/hello_null's hello, then
 *   hashlib.md5(those 48 bytes + b"LabOspf24" zero-padded to 16).digest() (RFC 2328 D.4.3);
 * dd_header: OSPF_DBDesc(mtu=1500, options=0x02, dbdescr=0x07 (I, M, MS), ddseq=0x1234,
 *   one OSPF_LSA_Hdr(age=3, options=0x02, type=1, id=adrouter=198.18.24.2, seq=0x80000005,
 *   chksum=0xabcd, len=48));
 * lsr_two: OSPF_LSReq of (1, 198.18.24.2, 198.18.24.2) and (5, 198.18.97.0, 198.18.24.2);
 * lsu_all: OSPF_LSUpd of a router LSA (flags E, links ptp 198.18.24.2/198.18.24.1 metric 10
 *   and stub 198.18.24.0/255.255.255.0 metric 10), a network LSA (/24, routers .1 and .2),
 *   summary 3 (198.18.96.0/24 metric 20), summary 4 (198.18.24.9 metric 30), AS-external
 *   (198.18.97.0/24, E, metric 20, tag 65001) and NSSA (options NP, 198.18.95.0/24, metric 5,
 *   forwarding 198.18.24.1, tag 7), all age 1, seq 0x80000001, advertised by 198.18.24.1:
 *   scapy computed the six LSA checksums;
 * lsack_two: OSPF_LSAck of dd_header's LSA header and (age 3600, type 5, 198.18.97.0,
 *   198.18.24.1, seq 0x80000002, chksum 0x1111, len 36).
 */
static const uint8_t hello_null[] = {
	0x02, 0x01, 0x00, 0x30, 0xc6, 0x12, 0x18, 0x01, 0x00, 0x00, 0x00, 0x00,
	0x40, 0x9a, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0xff, 0xff, 0xff, 0x00, 0x00, 0x02, 0x02, 0x01, 0x00, 0x00, 0x00, 0x08,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xc6, 0x12, 0x18, 0x02,
};
static const uint8_t hello_simple[] = {
	0x02, 0x01, 0x00, 0x2c, 0xc6, 0x12, 0x18, 0x01, 0x00, 0x00, 0x00, 0x00, 0x1e, 0xb2, 0x00,
	0x01, 0x4c, 0x61, 0x62, 0x4f, 0x73, 0x70, 0x66, 0x32, 0xff, 0xff, 0xff, 0x00, 0x00, 0x02,
	0x02, 0x01, 0x00, 0x00, 0x00, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
};
static const uint8_t hello_md5[] = {
	0x02, 0x01, 0x00, 0x30, 0xc6, 0x12, 0x18, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x02, 0x00, 0x00, 0x01, 0x10, 0x00, 0x00, 0x00, 0x05, 0xff, 0xff,
	0xff, 0x00, 0x00, 0x02, 0x02, 0x01, 0x00, 0x00, 0x00, 0x08, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0xc6, 0x12, 0x18, 0x02, 0xc4, 0x46, 0xfc, 0x74,
	0x63, 0xa4, 0xed, 0xfb, 0x3f, 0xda, 0x05, 0x45, 0x87, 0x6e, 0x5a, 0xf9,
};
static const uint8_t dd_header[] = {
	0x02, 0x02, 0x00, 0x34, 0xc6, 0x12, 0x18, 0x01, 0x00, 0x00, 0x00, 0x00, 0x1b,
	0x6e, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x05, 0xdc,
	0x02, 0x07, 0x00, 0x00, 0x12, 0x34, 0x00, 0x03, 0x02, 0x01, 0xc6, 0x12, 0x18,
	0x02, 0xc6, 0x12, 0x18, 0x02, 0x80, 0x00, 0x00, 0x05, 0xab, 0xcd, 0x00, 0x30,
};
static const uint8_t lsr_two[] = {
	0x02, 0x03, 0x00, 0x30, 0xc6, 0x12, 0x18, 0x01, 0x00, 0x00, 0x00, 0x00,
	0x5e, 0x61, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x01, 0xc6, 0x12, 0x18, 0x02, 0xc6, 0x12, 0x18, 0x02,
	0x00, 0x00, 0x00, 0x05, 0xc6, 0x12, 0x61, 0x00, 0xc6, 0x12, 0x18, 0x02,
};
static const uint8_t lsu_all[] = {
	0x02, 0x04, 0x00, 0xec, 0xc6, 0x12, 0x18, 0x01, 0x00, 0x00, 0x00, 0x00, 0x42, 0xcc, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x06, 0x00, 0x01,
	0x02, 0x01, 0xc6, 0x12, 0x18, 0x01, 0xc6, 0x12, 0x18, 0x01, 0x80, 0x00, 0x00, 0x01, 0x7f,
	0xf5, 0x00, 0x30, 0x02, 0x00, 0x00, 0x02, 0xc6, 0x12, 0x18, 0x02, 0xc6, 0x12, 0x18, 0x01,
	0x01, 0x00, 0x00, 0x0a, 0xc6, 0x12, 0x18, 0x00, 0xff, 0xff, 0xff, 0x00, 0x03, 0x00, 0x00,
	0x0a, 0x00, 0x01, 0x02, 0x02, 0xc6, 0x12, 0x18, 0x01, 0xc6, 0x12, 0x18, 0x01, 0x80, 0x00,
	0x00, 0x01, 0xdc, 0xb4, 0x00, 0x20, 0xff, 0xff, 0xff, 0x00, 0xc6, 0x12, 0x18, 0x01, 0xc6,
	0x12, 0x18, 0x02, 0x00, 0x01, 0x02, 0x03, 0xc6, 0x12, 0x60, 0x00, 0xc6, 0x12, 0x18, 0x01,
	0x80, 0x00, 0x00, 0x01, 0xe2, 0x3b, 0x00, 0x1c, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00,
	0x14, 0x00, 0x01, 0x02, 0x04, 0xc6, 0x12, 0x18, 0x09, 0xc6, 0x12, 0x18, 0x01, 0x80, 0x00,
	0x00, 0x01, 0xf9, 0x58, 0x00, 0x1c, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x1e, 0x00,
	0x01, 0x02, 0x05, 0xc6, 0x12, 0x61, 0x00, 0xc6, 0x12, 0x18, 0x01, 0x80, 0x00, 0x00, 0x01,
	0x9f, 0x0b, 0x00, 0x24, 0xff, 0xff, 0xff, 0x00, 0x80, 0x00, 0x00, 0x14, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0xfd, 0xe9, 0x00, 0x01, 0x08, 0x07, 0xc6, 0x12, 0x5f, 0x00, 0xc6, 0x12,
	0x18, 0x01, 0x80, 0x00, 0x00, 0x01, 0xfd, 0x25, 0x00, 0x24, 0xff, 0xff, 0xff, 0x00, 0x00,
	0x00, 0x00, 0x05, 0xc6, 0x12, 0x18, 0x01, 0x00, 0x00, 0x00, 0x07,
};
static const uint8_t lsack_two[] = {
	0x02, 0x05, 0x00, 0x40, 0xc6, 0x12, 0x18, 0x01, 0x00, 0x00, 0x00, 0x00, 0x8f,
	0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03,
	0x02, 0x01, 0xc6, 0x12, 0x18, 0x02, 0xc6, 0x12, 0x18, 0x02, 0x80, 0x00, 0x00,
	0x05, 0xab, 0xcd, 0x00, 0x30, 0x0e, 0x10, 0x02, 0x05, 0xc6, 0x12, 0x61, 0x00,
	0xc6, 0x12, 0x18, 0x01, 0x80, 0x00, 0x00, 0x02, 0x11, 0x11, 0x00, 0x24,
};

static struct in_addr ip(const char *text)
{
	struct in_addr a;
	assert_int_equal(inet_pton(AF_INET, text, &a), 1);
	return a;
}

static void finish(struct packet *p)
{
	struct dl_error err = {0};
	assert_int_equal(packet_finish(p, &err), 0);
}

/* One packet in bytes, parsed as the dissector would after IPv4; 0 or the error (reason in
 * why). */
static int parse_packet(struct packet *p, const uint8_t *bytes, size_t length, char *why,
			size_t why_size)
{
	struct layer_parse_result next;
	int rc = model_parse_layer(&ospf_layer, p, bytes, length, &next, why, why_size);
	if (rc == 0)
		assert_int_equal(next.next, LAYER_NEXT_NONE);
	return rc;
}

static void check_vector(const uint8_t *vector, size_t length)
{
	model_check_vector(&ospf_layer, &built, &parsed, vector, length);
	/* finishing the parsed packet again changes nothing: its derived fields were right */
	finish(&parsed);
	assert_memory_equal(parsed.bytes, vector, length);
}

static struct ospf_fields header(uint8_t type)
{
	return (struct ospf_fields){.type = type, .router_id = ip("198.18.24.1")};
}

static struct ospf_fields lab_hello(void)
{
	struct ospf_fields f = header(OSPF_HELLO);
	f.mask = ip("255.255.255.0");
	f.hello_interval = 2;
	f.options = OSPF_OPTION_E;
	f.priority = 1;
	f.dead_interval = 8;
	return f;
}

static bool key_flag(const struct packet *p, const char *name)
{
	int f = packet_find(p, name, 0);
	assert_int_not_equal(f, PACKET_NONE);
	return p->fields[f].flags & FIELD_KEY;
}

static void test_hello_null(void **state)
{
	(void)state;
	struct in_addr n = ip("198.18.24.2");
	struct ospf_fields f = lab_hello();
	f.neighbors = &n;
	f.neighbor_count = 1;
	packet_init(&built);
	assert_int_equal(ospf_build(&built, &f), 0);
	finish(&built);
	check_vector(hello_null, sizeof(hello_null));
	assert_int_equal(model_get(&built, "ospf.type", 0), OSPF_HELLO);
	assert_int_equal(model_get(&built, "ospf.packet_length", 0), 48);
	assert_int_equal(model_get(&built, "ospf.checksum", 0), 0x409a);
	assert_int_equal(model_get(&built, "ospf.hello.interval", 0), 2);
	assert_int_equal(model_get(&built, "ospf.hello.dead_interval", 0), 8);
	assert_true(key_flag(&built, "ospf.type") && key_flag(&built, "ospf.version"));
	assert_true(key_flag(&built, "ospf.router_id") && key_flag(&built, "ospf.area_id"));
	assert_true(key_flag(&built, "ospf.auth_type") && key_flag(&built, "ospf.hello.interval"));
	int l = packet_find(&built, "ospf.packet_length", 0);
	assert_int_equal(built.fields[l].kind, FIELD_LENGTH);
	assert_int_equal(built.fields[l].target, built.layers[0].element);
	int list = packet_find(&built, "ospf.hello.neighbors", 0);
	assert_int_equal(built.fields[list].kind, FIELD_LIST);
	int e = packet_find(&built, "ospf.hello.neighbor", 0);
	assert_true(built.fields[e].flags & FIELD_REPEATABLE);
	assert_int_equal(built.fields[e].parent, list);
	assert_int_not_equal(packet_find(&built, "ospf.auth.data", 0), PACKET_NONE);
	/* a mutation (a second neighbour, the dead interval) is checksummed again */
	struct dl_error err = {0};
	assert_int_equal(packet_splice(&built, built.fields[e].offset, 0,
				       built.bytes + built.fields[e].offset, 4, list, &err),
			 0);
	packet_put(&built, packet_find(&built, "ospf.hello.dead_interval", 0), 40);
	finish(&built);
	assert_int_equal(built.length, 52);
	assert_int_equal(model_get(&built, "ospf.packet_length", 0), 52);
	uint8_t without_auth[52];
	memcpy(without_auth, built.bytes, 52);
	memset(without_auth + 16, 0, 8);
	assert_int_equal(model_checksum(without_auth, 52, NULL, 0), 0);
}

static void test_hello_simple(void **state)
{
	(void)state;
	struct ospf_fields f = lab_hello();
	f.auth = OSPF_AUTH_SIMPLE;
	f.password = "LabOspf2";
	packet_init(&built);
	assert_int_equal(ospf_build(&built, &f), 0);
	finish(&built);
	check_vector(hello_simple, sizeof(hello_simple));
	int pw = packet_find(&built, "ospf.auth.password", 0);
	assert_int_equal(built.fields[pw].size, 8);
	assert_memory_equal(built.bytes + 16, "LabOspf2", 8);
	/* the checksum leaves the password out (D.4.1): another password, the same checksum */
	uint64_t sum = model_get(&built, "ospf.checksum", 0);
	f.password = "other";
	packet_init(&built);
	assert_int_equal(ospf_build(&built, &f), 0);
	finish(&built);
	assert_int_equal(model_get(&built, "ospf.checksum", 0), sum);
}

static void test_hello_md5(void **state)
{
	(void)state;
	struct in_addr n = ip("198.18.24.2");
	struct ospf_fields f = lab_hello();
	f.neighbors = &n;
	f.neighbor_count = 1;
	f.auth = OSPF_AUTH_CRYPTO;
	f.password = "LabOspf24";
	f.key_id = 1;
	f.sequence = 5;
	packet_init(&built);
	assert_int_equal(ospf_build(&built, &f), 0);
	finish(&built);
	check_vector(hello_md5, sizeof(hello_md5));
	assert_int_equal(model_get(&built, "ospf.packet_length", 0), 48);
	assert_int_equal(model_get(&built, "ospf.checksum", 0), 0);
	assert_int_equal(model_get(&built, "ospf.auth.key_id", 0), 1);
	assert_int_equal(model_get(&built, "ospf.auth.data_length", 0), 16);
	assert_int_equal(model_get(&built, "ospf.auth.sequence", 0), 5);
	int d = packet_find(&built, "ospf.trailer.digest", 0);
	assert_int_equal(built.fields[d].kind, FIELD_CHECKSUM);
	assert_int_equal(built.fields[d].offset, 48);
	int l = packet_find(&built, "ospf.packet_length", 0);
	assert_int_equal(built.fields[l].adjust, -16);

	uint8_t digest[OSPF_DIGEST_LENGTH];
	struct dl_error err = {0};
	assert_int_equal(ospf_md5_digest(hello_md5, 48, "LabOspf24", digest, &err), 0);
	assert_memory_equal(digest, hello_md5 + 48, OSPF_DIGEST_LENGTH);
	assert_int_equal(ospf_md5_digest(hello_md5, 48, "seventeen-bytes-x", digest, &err),
			 DL_EINVAL);
	assert_non_null(strstr(err.message, "at most 16 bytes"));

	/* a mutation (the sequence) is signed again; a repeated neighbour moves the digest */
	packet_put(&built, packet_find(&built, "ospf.auth.sequence", 0), 6);
	finish(&built);
	assert_int_equal(ospf_md5_digest(built.bytes, 48, "LabOspf24", digest, &err), 0);
	assert_memory_equal(built.bytes + 48, digest, OSPF_DIGEST_LENGTH);
	assert_memory_not_equal(built.bytes + 48, hello_md5 + 48, OSPF_DIGEST_LENGTH);
	int e = packet_find(&built, "ospf.hello.neighbor", 0);
	assert_int_equal(packet_splice(&built, built.fields[e].offset, 0,
				       built.bytes + built.fields[e].offset, 4,
				       packet_find(&built, "ospf.hello.neighbors", 0), &err),
			 0);
	finish(&built);
	assert_int_equal(built.length, 68);
	assert_int_equal(model_get(&built, "ospf.packet_length", 0), 52);
	assert_int_equal(model_get(&built, "ospf.checksum", 0), 0);
	assert_int_equal(ospf_md5_digest(built.bytes, 52, "LabOspf24", digest, &err), 0);
	assert_memory_equal(built.bytes + 52, digest, OSPF_DIGEST_LENGTH);
	char why[DL_ERROR_MESSAGE_MAX];
	assert_int_equal(parse_packet(&parsed, built.bytes, built.length, why, sizeof(why)), 0);
	/* a frozen digest (a campaign that asks for it wrong) is left as set */
	d = packet_find(&built, "ospf.trailer.digest", 0);
	packet_put(&built, packet_find(&built, "ospf.auth.sequence", 0), 9);
	packet_freeze(&built, d);
	uint8_t before[OSPF_DIGEST_LENGTH];
	memcpy(before, built.bytes + built.fields[d].offset, sizeof(before));
	finish(&built);
	assert_memory_equal(built.bytes + built.fields[d].offset, before, sizeof(before));
	/* a packet length mutated shorter: signed where a receiver looks (after that length),
	 * so it authenticates and its parser reads the short packet */
	packet_init(&built);
	assert_int_equal(ospf_build(&built, &f), 0);
	finish(&built);
	l = packet_find(&built, "ospf.packet_length", 0);
	packet_put(&built, l, 44);
	packet_freeze(&built, l);
	finish(&built);
	assert_int_equal(built.length, 64);
	assert_int_equal(ospf_md5_digest(built.bytes, 44, "LabOspf24", digest, &err), 0);
	assert_memory_equal(built.bytes + 44, digest, OSPF_DIGEST_LENGTH);
	/* one past the layer: the digest field signs the bytes before it */
	packet_put(&built, l, 60);
	finish(&built);
	assert_int_equal(ospf_md5_digest(built.bytes, 48, "LabOspf24", digest, &err), 0);
	assert_memory_equal(built.bytes + 48, digest, OSPF_DIGEST_LENGTH);
	/* a parsed packet has no key: its digest stays as received, even a wrong one */
	uint8_t bad[sizeof(hello_md5)];
	memcpy(bad, hello_md5, sizeof(bad));
	bad[60] ^= 1;
	assert_int_equal(parse_packet(&parsed, bad, sizeof(bad), why, sizeof(why)), 0);
	finish(&parsed);
	assert_int_equal(parsed.bytes[60], bad[60]);
}

static struct ospf_lsa lsa_header(uint8_t type, const char *id, const char *router,
				  uint32_t sequence, uint16_t age, uint16_t checksum,
				  uint16_t length)
{
	return (struct ospf_lsa){.age = age,
				 .options = OSPF_OPTION_E,
				 .type = type,
				 .id = ip(id),
				 .advertising_router = ip(router),
				 .sequence = sequence,
				 .checksum = checksum,
				 .length = length};
}

static void test_dd(void **state)
{
	(void)state;
	struct ospf_lsa h = lsa_header(1, "198.18.24.2", "198.18.24.2", 0x80000005, 3, 0xabcd, 48);
	struct ospf_fields f = header(OSPF_DD);
	f.mtu = 1500;
	f.options = OSPF_OPTION_E;
	f.dd_flags = OSPF_DD_I | OSPF_DD_M | OSPF_DD_MS;
	f.dd_sequence = 0x1234;
	f.lsas = &h;
	f.lsa_count = 1;
	packet_init(&built);
	assert_int_equal(ospf_build(&built, &f), 0);
	finish(&built);
	check_vector(dd_header, sizeof(dd_header));
	assert_int_equal(model_get(&built, "ospf.dd.flags", 0), 7);
	assert_int_equal(model_get(&built, "ospf.dd.sequence", 0), 0x1234);
	assert_true(key_flag(&built, "ospf.dd.flags") && key_flag(&built, "ospf.dd.sequence"));
	/* a header's checksum and length are the LSA's, not derived here */
	int c = packet_find(&built, "ospf.lsa.checksum", 0);
	assert_int_equal(built.fields[c].kind, FIELD_UINT);
	assert_int_equal(packet_get(&built, c), 0xabcd);
	assert_int_equal(built.fields[packet_find(&built, "ospf.lsa.length", 0)].kind, FIELD_UINT);
	assert_int_equal(built.fields[packet_find(&built, "ospf.dd.lsas", 0)].kind, FIELD_LIST);
}

static void test_lsr(void **state)
{
	(void)state;
	struct ospf_request r[2] = {
		{.type = 1, .id = ip("198.18.24.2"), .advertising_router = ip("198.18.24.2")},
		{.type = 5, .id = ip("198.18.97.0"), .advertising_router = ip("198.18.24.2")},
	};
	struct ospf_fields f = header(OSPF_LSR);
	f.requests = r;
	f.request_count = 2;
	packet_init(&built);
	assert_int_equal(ospf_build(&built, &f), 0);
	finish(&built);
	check_vector(lsr_two, sizeof(lsr_two));
	int second = packet_find(&built, "ospf.lsr.request",
				 packet_find(&built, "ospf.lsr.request", 0) + 1);
	assert_int_not_equal(second, PACKET_NONE);
	assert_int_equal(model_get(&built, "ospf.lsr.request.type", second), 5);
	assert_true(key_flag(&built, "ospf.lsr.request.type"));
}

/* lsu_all's six LSAs, as the session plug-in describes its own. */
static void lab_lsas(struct ospf_lsa a[6], struct ospf_link links[2], struct in_addr routers[2])
{
	links[0] = (struct ospf_link){.id = ip("198.18.24.2"),
				      .data = ip("198.18.24.1"),
				      .type = OSPF_LINK_PTP,
				      .metric = 10};
	links[1] = (struct ospf_link){.id = ip("198.18.24.0"),
				      .data = ip("255.255.255.0"),
				      .type = OSPF_LINK_STUB,
				      .metric = 10};
	routers[0] = ip("198.18.24.1");
	routers[1] = ip("198.18.24.2");
	const char *me = "198.18.24.1";
	a[0] = lsa_header(OSPF_LSA_ROUTER, me, me, 0, 1, 0, 0);
	a[0].flags = 0x02;
	a[0].links = links;
	a[0].link_count = 2;
	a[1] = lsa_header(OSPF_LSA_NETWORK, me, me, 0, 1, 0, 0);
	a[1].mask = ip("255.255.255.0");
	a[1].routers = routers;
	a[1].router_count = 2;
	a[2] = lsa_header(OSPF_LSA_SUMMARY, "198.18.96.0", me, 0, 1, 0, 0);
	a[2].mask = ip("255.255.255.0");
	a[2].metric = 20;
	a[3] = lsa_header(OSPF_LSA_SUMMARY_ASBR, "198.18.24.9", me, 0, 1, 0, 0);
	a[3].metric = 30;
	a[4] = lsa_header(OSPF_LSA_EXTERNAL, "198.18.97.0", me, 0, 1, 0, 0);
	a[4].mask = ip("255.255.255.0");
	a[4].external_e = true;
	a[4].metric = 20;
	a[4].tag = 65001;
	a[5] = lsa_header(OSPF_LSA_NSSA, "198.18.95.0", me, 0, 1, 0, 0);
	a[5].options = OSPF_OPTION_NP;
	a[5].mask = ip("255.255.255.0");
	a[5].metric = 5;
	a[5].forwarding = ip(me);
	a[5].tag = 7;
}

/* The Fletcher check of RFC 905 annex B: both sums over the LSA (from byte 2) are zero. */
static bool lsa_sums_zero(const uint8_t *lsa, size_t length)
{
	unsigned c0 = 0, c1 = 0;
	for (size_t i = 2; i < length; i++) {
		c0 = (c0 + lsa[i]) % 255;
		c1 = (c1 + c0) % 255;
	}
	return c0 == 0 && c1 == 0;
}

static void test_lsu(void **state)
{
	(void)state;
	struct ospf_lsa a[6];
	struct ospf_link links[2];
	struct in_addr routers[2];
	lab_lsas(a, links, routers);
	struct ospf_fields f = header(OSPF_LSU);
	f.lsas = a;
	f.lsa_count = 6;
	packet_init(&built);
	assert_int_equal(ospf_build(&built, &f), 0);
	finish(&built);
	check_vector(lsu_all, sizeof(lsu_all));
	assert_int_equal(model_get(&built, "ospf.lsu.count", 0), 6);
	int count = packet_find(&built, "ospf.lsu.count", 0);
	assert_int_equal(built.fields[count].kind, FIELD_COUNT);
	assert_int_equal(built.fields[count].target, packet_find(&built, "ospf.lsu.lsas", 0));
	/* every LSA type has its body's fields */
	const char *names[] = {"ospf.router.link.id", "ospf.router.link_count",
			       "ospf.network.mask",   "ospf.network.router.id",
			       "ospf.summary.metric", "ospf.external.metric",
			       "ospf.external.tag",   "ospf.nssa.forwarding",
			       "ospf.nssa.metric",    "ospf.router.link.type"};
	for (size_t i = 0; i < DL_ARRAY_SIZE(names); i++)
		assert_int_not_equal(packet_find(&built, names[i], 0), PACKET_NONE);
	assert_int_equal(model_get(&built, "ospf.router.link_count", 0), 2);
	assert_int_equal(model_get(&built, "ospf.external.tag", 0), 65001);
	assert_int_equal(model_get(&built, "ospf.external.flags", 0), OSPF_EXTERNAL_E);
	assert_int_equal(model_get(&built, "ospf.nssa.flags", 0), 0);
	assert_int_equal(packet_find(&built, "ospf.router.link.tos", 0), PACKET_NONE);
	/* each LSA's checksum is derived, the Fletcher sums of each LSA zero */
	int lsa = -1;
	for (int i = 0; i < 6; i++) {
		lsa = packet_find(&built, "ospf.lsa", lsa + 1);
		assert_int_not_equal(lsa, PACKET_NONE);
		const struct field *e = &built.fields[lsa];
		assert_true(lsa_sums_zero(built.bytes + e->offset, e->size));
		assert_int_equal(ospf_lsa_checksum(built.bytes + e->offset, e->size),
				 packet_read_be(&built, e->offset + 16, 2));
		int c = packet_find(&built, "ospf.lsa.checksum", lsa);
		assert_int_equal(built.fields[c].kind, FIELD_CHECKSUM);
		assert_int_equal(built.fields[c].target, lsa);
		assert_int_equal(built.fields[packet_find(&built, "ospf.lsa.length", lsa)].kind,
				 FIELD_LENGTH);
	}
	/* a mutated external metric: that LSA's checksum and the packet's follow */
	int m = packet_find(&built, "ospf.external.metric", 0);
	packet_put(&built, m, 0xfffffe);
	finish(&built);
	int ext = built.fields[m].parent;
	assert_true(lsa_sums_zero(built.bytes + built.fields[ext].offset, built.fields[ext].size));
	uint8_t copy[sizeof(lsu_all)];
	memcpy(copy, built.bytes, sizeof(copy));
	memset(copy + 16, 0, 8);
	assert_int_equal(model_checksum(copy, sizeof(copy), NULL, 0), 0);
	/* a repeated router link: the link count, the LSA length and the LSU length follow */
	struct dl_error err = {0};
	int link = packet_find(&built, "ospf.router.link", 0);
	assert_int_equal(packet_splice(&built, built.fields[link].offset, 0,
				       built.bytes + built.fields[link].offset, 12,
				       packet_find(&built, "ospf.router.links", 0), &err),
			 0);
	finish(&built);
	/* (bytes spliced in are no element of the schema: the count stays the elements') */
	assert_int_equal(model_get(&built, "ospf.router.link_count", 0), 2);
	assert_int_equal(model_get(&built, "ospf.lsa.length", 0), 60);
	assert_int_equal(model_get(&built, "ospf.packet_length", 0), sizeof(lsu_all) + 12);
	int router = packet_find(&built, "ospf.lsa", 0);
	assert_true(lsa_sums_zero(built.bytes + built.fields[router].offset, 60));
	char why[DL_ERROR_MESSAGE_MAX];
	assert_int_equal(parse_packet(&parsed, built.bytes, built.length, why, sizeof(why)),
			 DL_EPROTO);
	assert_non_null(strstr(why, "router LSA links do not fill the LSA (value 12)"));
	int links_count = packet_find(&built, "ospf.router.link_count", 0);
	packet_put(&built, links_count, 3);
	packet_freeze(&built, links_count);
	finish(&built);
	assert_int_equal(parse_packet(&parsed, built.bytes, built.length, why, sizeof(why)), 0);
	assert_true(lsa_sums_zero(built.bytes + built.fields[router].offset, 60));
}

static void test_lsack(void **state)
{
	(void)state;
	struct ospf_lsa h[2] = {
		lsa_header(1, "198.18.24.2", "198.18.24.2", 0x80000005, 3, 0xabcd, 48),
		lsa_header(5, "198.18.97.0", "198.18.24.1", 0x80000002, 3600, 0x1111, 36),
	};
	struct ospf_fields f = header(OSPF_LSACK);
	f.lsas = h;
	f.lsa_count = 2;
	packet_init(&built);
	assert_int_equal(ospf_build(&built, &f), 0);
	finish(&built);
	check_vector(lsack_two, sizeof(lsack_two));
	assert_int_equal(built.fields[packet_find(&built, "ospf.lsack.lsas", 0)].kind, FIELD_LIST);
	int second = packet_find(&built, "ospf.lsa", packet_find(&built, "ospf.lsa", 0) + 1);
	assert_int_equal(model_get(&built, "ospf.lsa.age", second), 3600);
	assert_true(built.fields[second].flags & FIELD_REPEATABLE);
}

static void test_build_refusals(void **state)
{
	(void)state;
	struct ospf_fields f = lab_hello();
	f.auth = OSPF_AUTH_SIMPLE;
	f.password = "nine-byte";
	packet_init(&built);
	assert_int_equal(ospf_build(&built, &f), DL_EINVAL);
	assert_true(built.overflow);
	f.password = "eight-by";
	packet_init(&built);
	assert_int_equal(ospf_build(&built, &f), 0);
	f.auth = OSPF_AUTH_CRYPTO;
	f.password = "a-key-of-17-bytes";
	packet_init(&built);
	assert_int_equal(ospf_build(&built, &f), DL_EINVAL);
	f.password = NULL;
	packet_init(&built);
	assert_int_equal(ospf_build(&built, &f), DL_EINVAL);
	f.auth = 3;
	f.password = "k";
	packet_init(&built);
	assert_int_equal(ospf_build(&built, &f), DL_EINVAL);
	f = lab_hello();
	f.neighbor_count = OSPF_NEIGHBORS_MAX + 1;
	struct in_addr many[OSPF_NEIGHBORS_MAX + 1] = {0};
	f.neighbors = many;
	packet_init(&built);
	assert_int_equal(ospf_build(&built, &f), DL_EINVAL);
	f.neighbor_count = OSPF_NEIGHBORS_MAX;
	packet_init(&built);
	assert_int_equal(ospf_build(&built, &f), 0);
	f = header(6);
	packet_init(&built);
	assert_int_equal(ospf_build(&built, &f), DL_EINVAL);
}

/* Ethernet/IPv4 protocol 89 to 224.0.0.5 with a signed LSU, dissected by proto_dissect(). */
static void test_frame(void **state)
{
	(void)state;
	struct ethernet_fields e = {.type = ETHERTYPE_IPV4};
	struct ipv4_fields v4 = {.ttl = 1, .protocol = OSPF_PROTOCOL};
	v4.source = ip("198.18.24.1");
	v4.destination = ip("224.0.0.5");
	struct ospf_lsa a[6];
	struct ospf_link links[2];
	struct in_addr routers[2];
	lab_lsas(a, links, routers);
	struct ospf_fields f = header(OSPF_LSU);
	f.lsas = a;
	f.lsa_count = 6;
	f.auth = OSPF_AUTH_CRYPTO;
	f.password = "LabOspf24";
	f.key_id = 1;
	f.sequence = 77;
	packet_init(&built);
	assert_int_equal(ethernet_build(&built, &e), 0);
	assert_int_equal(ipv4_build(&built, &v4), 0);
	assert_int_equal(ospf_build(&built, &f), 0);
	finish(&built);
	assert_int_equal(built.layer_count, 3);
	assert_int_equal(model_get(&built, "ipv4.total_length", 0), 20 + sizeof(lsu_all) + 16);
	struct dl_error err = {0};
	assert_int_equal(proto_dissect(&parsed, built.bytes, built.length, &err), 0);
	model_assert_same(&built, &parsed);
	assert_int_equal(packet_find(&parsed, "ipv4.payload", 0), PACKET_NONE);
	uint32_t o = built.fields[built.layers[2].element].offset;
	uint8_t digest[OSPF_DIGEST_LENGTH];
	assert_int_equal(
		ospf_md5_digest(built.bytes + o, sizeof(lsu_all), "LabOspf24", digest, &err), 0);
	assert_memory_equal(built.bytes + o + sizeof(lsu_all), digest, OSPF_DIGEST_LENGTH);
	/* the LSAs are scapy's whatever the authentication */
	assert_memory_equal(built.bytes + o + 24, lsu_all + 24, sizeof(lsu_all) - 24);
	/* a malformed OSPF packet refuses the frame, with the reason */
	built.bytes[o + 1] = 9;
	assert_int_equal(proto_dissect(&parsed, built.bytes, built.length, &err), DL_EPROTO);
	assert_non_null(strstr(err.message, "type is not 1 to 5"));
	/* OSPFv3's version keeps its bytes whole */
	built.bytes[o] = 3;
	assert_int_equal(proto_dissect(&parsed, built.bytes, built.length, &err), 0);
	assert_int_not_equal(packet_find(&parsed, "ospf.data", 0), PACKET_NONE);
}

static void assert_refused(const uint8_t *vector, size_t length, size_t at, const uint8_t *with,
			   size_t n, const char *reason)
{
	model_assert_refused(&ospf_layer, vector, length, at, with, n, reason);
}

static void test_malformed(void **state)
{
	(void)state;
	char why[DL_ERROR_MESSAGE_MAX];
	assert_int_equal(parse_packet(&parsed, hello_null, 23, why, sizeof(why)), DL_EPROTO);
	assert_non_null(strstr(why, "shorter than the 24-byte OSPF header (value 23)"));
	assert_refused(hello_null, sizeof(hello_null), 0, (const uint8_t *)"\x01", 1,
		       "version is not 2 (value 1)");
	assert_refused(hello_null, sizeof(hello_null), 1, (const uint8_t *)"\x06", 1,
		       "offset 1: type is not 1 to 5 (value 6)");
	assert_refused(hello_null, sizeof(hello_null), 2, (const uint8_t *)"\x00\x31", 2,
		       "packet length is under 24 or past the datagram (value 49)");
	assert_refused(hello_null, sizeof(hello_null), 2, (const uint8_t *)"\x00\x17", 2,
		       "packet length is under 24");
	assert_refused(hello_null, sizeof(hello_null), 2, (const uint8_t *)"\x00\x2c", 2,
		       "bytes after the packet length without cryptographic");
	assert_refused(
		hello_md5, sizeof(hello_md5), 19, (const uint8_t *)"\x14", 1,
		"cryptographic data length is not the bytes after the packet (RFC 2328 D.3)");
	assert_refused(hello_null, sizeof(hello_null), 2, (const uint8_t *)"\x00\x2e", 2,
		       "bytes after the packet length");
	/* bodies not their type's size */
	assert_int_equal(parse_packet(&parsed, hello_null, 46, why, sizeof(why)), DL_EPROTO);
	uint8_t b[sizeof(lsu_all)];
	memcpy(b, hello_null, sizeof(hello_null));
	b[3] = 46;
	assert_int_equal(parse_packet(&parsed, b, 46, why, sizeof(why)), DL_EPROTO);
	assert_non_null(strstr(why, "hello body is not 20 bytes and 4-byte neighbours (value 22)"));
	memcpy(b, dd_header, sizeof(dd_header));
	b[3] = 50;
	assert_int_equal(parse_packet(&parsed, b, 50, why, sizeof(why)), DL_EPROTO);
	assert_non_null(strstr(why, "database description body is not 8 bytes and 20-byte"));
	memcpy(b, lsr_two, sizeof(lsr_two));
	b[3] = 44;
	assert_int_equal(parse_packet(&parsed, b, 44, why, sizeof(why)), DL_EPROTO);
	assert_non_null(strstr(why, "link state request body is not 12-byte entries"));
	memcpy(b, lsack_two, sizeof(lsack_two));
	b[3] = 54;
	assert_int_equal(parse_packet(&parsed, b, 54, why, sizeof(why)), DL_EPROTO);
	assert_non_null(strstr(why, "acknowledgment body is not 20-byte LSA headers"));
	/* LSU: the count, an LSA length, a router LSA's links */
	assert_refused(lsu_all, sizeof(lsu_all), 24, (const uint8_t *)"\x00\x00\x00\x05", 4,
		       "LSA count is not the number of LSAs the update holds (value 5)");
	assert_refused(lsu_all, sizeof(lsu_all), 28 + 18, (const uint8_t *)"\x00\x13", 2,
		       "offset 46: LSA length is under 20 or past the packet (value 19)");
	assert_refused(lsu_all, sizeof(lsu_all), 28 + 18, (const uint8_t *)"\x01\x00", 2,
		       "LSA length is under 20 or past the packet (value 256)");
	assert_refused(lsu_all, sizeof(lsu_all), 28 + 22, (const uint8_t *)"\x00\x03", 2,
		       "router LSA links pass the LSA's length");
	assert_refused(lsu_all, sizeof(lsu_all), 28 + 22, (const uint8_t *)"\x00\x01", 2,
		       "router LSA links do not fill the LSA (value 12)");
	assert_refused(lsu_all, sizeof(lsu_all), 28 + 45, (const uint8_t *)"\x01", 1,
		       "router LSA TOS metrics pass the LSA's length");
	/* an unknown LSA type keeps its body as bytes */
	memcpy(b, lsu_all, sizeof(lsu_all));
	b[28 + 3] = 10;
	assert_int_equal(parse_packet(&parsed, b, sizeof(lsu_all), why, sizeof(why)), 0);
	assert_int_not_equal(packet_find(&parsed, "ospf.lsa.data", 0), PACKET_NONE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hello_null), cmocka_unit_test(test_hello_simple),
		cmocka_unit_test(test_hello_md5),  cmocka_unit_test(test_dd),
		cmocka_unit_test(test_lsr),        cmocka_unit_test(test_lsu),
		cmocka_unit_test(test_lsack),      cmocka_unit_test(test_build_refusals),
		cmocka_unit_test(test_frame),      cmocka_unit_test(test_malformed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
