/* test-scope-frame: the per-frame scope guard of the packet ring, through VLAN tags and SNAP */
#include "core/compat.h"

#include <setjmp.h>
#include <cmocka.h>

#include "core/error.h"
#include "net/scope.h"

static struct scope scope;

static int setup(void **state)
{
	(void)state;
	struct dl_error err = {0};
	memset(&scope, 0, sizeof(scope));
	if (scope_add_network(&scope, "198.18.18.0/24", &err) ||
	    scope_add_network(&scope, "fd00:198:0:18::/64", &err) ||
	    scope_add_interface(&scope, "dl-ring-a", &err))
		return -1;
	scope.origin = "profile 'ring.yaml'";
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	scope_release(&scope);
	return 0;
}

/* A frame builder: Ethernet, then tags (each a TPID), then an EtherType and
 * an IP header with the destination; returns the length. */
struct frame {
	uint8_t bytes[512];
	size_t length;
};

static void put_type(struct frame *f, unsigned type)
{
	f->bytes[f->length++] = (uint8_t)(type >> 8);
	f->bytes[f->length++] = (uint8_t)type;
}

static void ethernet(struct frame *f)
{
	memset(f, 0, sizeof(*f));
	memset(f->bytes, 0xff, 6); /* broadcast MAC: the guard judges the IP destination */
	memcpy(f->bytes + 6, "\x02\x00\x00\x00\x00\x01", 6);
	f->length = 12;
}

static void tag(struct frame *f, unsigned tpid, unsigned vid)
{
	put_type(f, tpid);
	put_type(f, vid);
}

static void ipv4(struct frame *f, const uint8_t destination[4])
{
	put_type(f, 0x0800);
	uint8_t *ip = f->bytes + f->length;
	ip[0] = 0x45;
	ip[9] = 17;
	memcpy(ip + 12, "\xc6\x12\x12\x01", 4);
	memcpy(ip + 16, destination, 4);
	f->length += 28; /* IPv4 + UDP headers */
}

static void ipv6(struct frame *f, const uint8_t destination[16])
{
	put_type(f, 0x86dd);
	uint8_t *ip = f->bytes + f->length;
	ip[0] = 0x60;
	ip[6] = 58;
	memcpy(ip + 24, destination, 16);
	f->length += 48;
}

#define V4(w, x, y, z) ((const uint8_t[4]){w, x, y, z})

static int check4(const uint8_t destination[4], struct dl_error *err)
{
	struct frame f;
	ethernet(&f);
	ipv4(&f, destination);
	return scope_permit_frame(&scope, f.bytes, f.length, "dl-ring-a", err);
}

static int check6(const char *text, struct dl_error *err)
{
	struct scope_network n;
	struct dl_error parse = {0};
	assert_int_equal(scope_parse_network(text, &n, &parse), 0);
	struct frame f;
	ethernet(&f);
	ipv6(&f, n.address);
	return scope_permit_frame(&scope, f.bytes, f.length, "dl-ring-a", err);
}

static void test_ipv4_in_and_out_of_scope(void **state)
{
	(void)state;
	struct dl_error err = {0};
	assert_int_equal(check4(V4(198, 18, 18, 2), &err), 0);
	assert_int_equal(check4(V4(198, 18, 18, 255), &err), 0); /* directed broadcast, in scope */
	assert_int_equal(check4(V4(198, 18, 19, 2), &err), DL_ESCOPE);
	assert_non_null(strstr(err.message, "198.18.19.2"));
	assert_non_null(strstr(err.message, "'dl-ring-a'"));
	assert_non_null(strstr(err.message, "profile 'ring.yaml'"));
	assert_int_equal(check4(V4(8, 8, 8, 8), &err), DL_ESCOPE);
	assert_non_null(strstr(err.message, "8.8.8.8"));
}

static void test_ipv4_link_scoped(void **state)
{
	(void)state;
	struct dl_error err = {0};
	assert_int_equal(check4(V4(255, 255, 255, 255), &err), 0);
	assert_int_equal(check4(V4(0, 0, 0, 0), &err), 0);
	assert_int_equal(check4(V4(224, 0, 0, 1), &err), 0);
	assert_int_equal(check4(V4(224, 0, 0, 251), &err), 0); /* mDNS */
	assert_int_equal(check4(V4(169, 254, 1, 2), &err), 0);
	assert_int_equal(check4(V4(127, 0, 0, 1), &err), 0);
	/* Global multicast and a broadcast-looking routable address are refused. */
	assert_int_equal(check4(V4(224, 0, 1, 1), &err), DL_ESCOPE);
	assert_non_null(strstr(err.message, "224.0.1.1"));
	assert_int_equal(check4(V4(239, 255, 255, 250), &err), DL_ESCOPE); /* SSDP */
	assert_int_equal(check4(V4(169, 255, 0, 1), &err), DL_ESCOPE);
	assert_int_equal(check4(V4(10, 255, 255, 255), &err), DL_ESCOPE);
}

static void test_ipv6_classes(void **state)
{
	(void)state;
	struct dl_error err = {0};
	assert_int_equal(check6("fd00:198:0:18::2", &err), 0);
	assert_int_equal(check6("ff02::1", &err), 0);
	assert_int_equal(check6("ff02::1:ff00:2", &err), 0); /* solicited-node */
	assert_int_equal(check6("ff01::2", &err), 0);
	assert_int_equal(check6("ff12::1234", &err), 0); /* transient, link scope */
	assert_int_equal(check6("fe80::1", &err), 0);
	assert_int_equal(check6("febf::1", &err), 0); /* still fe80::/10 */
	assert_int_equal(check6("::", &err), 0);
	assert_int_equal(check6("::1", &err), 0);
	assert_int_equal(check6("::ffff:198.18.18.2", &err), 0); /* mapped, judged as IPv4 */

	assert_int_equal(check6("fd00:198:0:19::2", &err), DL_ESCOPE);
	assert_non_null(strstr(err.message, "fd00:198:0:19::2"));
	assert_int_equal(check6("2001:db8::1", &err), DL_ESCOPE);
	assert_int_equal(check6("ff05::2", &err), DL_ESCOPE); /* site-local scope */
	assert_int_equal(check6("ff0e::1", &err), DL_ESCOPE); /* global scope */
	assert_non_null(strstr(err.message, "ff0e::1"));
	assert_int_equal(check6("fec0::1", &err), DL_ESCOPE); /* not fe80::/10 */
	assert_int_equal(check6("::2", &err), DL_ESCOPE);
	assert_int_equal(check6("::ffff:8.8.8.8", &err), DL_ESCOPE);
	assert_non_null(strstr(err.message, "8.8.8.8"));
}

static void test_vlan_and_qinq(void **state)
{
	(void)state;
	struct dl_error err = {0};
	struct frame f;
	/* 802.1Q */
	ethernet(&f);
	tag(&f, 0x8100, 18);
	ipv4(&f, V4(198, 18, 18, 2));
	assert_int_equal(scope_permit_frame(&scope, f.bytes, f.length, NULL, &err), 0);
	ethernet(&f);
	tag(&f, 0x8100, 18);
	ipv4(&f, V4(192, 0, 2, 1));
	assert_int_equal(scope_permit_frame(&scope, f.bytes, f.length, NULL, &err), DL_ESCOPE);
	assert_non_null(strstr(err.message, "192.0.2.1"));
	/* QinQ: 802.1ad outer, 802.1Q inner, and the old 0x9100 */
	ethernet(&f);
	tag(&f, 0x88a8, 100);
	tag(&f, 0x8100, 18);
	ipv6(&f, (const uint8_t[16]){0x20, 0x01, 0x0d, 0xb8, [15] = 1});
	assert_int_equal(scope_permit_frame(&scope, f.bytes, f.length, NULL, &err), DL_ESCOPE);
	assert_non_null(strstr(err.message, "2001:db8::1"));
	ethernet(&f);
	tag(&f, 0x9100, 100);
	tag(&f, 0x88a8, 101);
	tag(&f, 0x8100, 18);
	ipv4(&f, V4(198, 18, 18, 7));
	assert_int_equal(scope_permit_frame(&scope, f.bytes, f.length, NULL, &err), 0);
	/* 8 tags deep is judged; 9 is refused as too deep to check. */
	ethernet(&f);
	for (int i = 0; i < 8; i++)
		tag(&f, 0x8100, 1);
	ipv4(&f, V4(8, 8, 4, 4));
	assert_int_equal(scope_permit_frame(&scope, f.bytes, f.length, NULL, &err), DL_ESCOPE);
	assert_non_null(strstr(err.message, "8.8.4.4"));
	ethernet(&f);
	for (int i = 0; i < 9; i++)
		tag(&f, 0x8100, 1);
	ipv4(&f, V4(198, 18, 18, 2));
	assert_int_equal(scope_permit_frame(&scope, f.bytes, f.length, NULL, &err), DL_ESCOPE);
	assert_non_null(strstr(err.message, "more than 8 VLAN tags"));
}

static void test_snap_and_non_ip(void **state)
{
	(void)state;
	struct dl_error err = {0};
	struct frame f;
	/* 802.3 length + LLC/SNAP carrying IPv4 to a routable address */
	ethernet(&f);
	put_type(&f, 46);
	memcpy(f.bytes + f.length, "\xaa\xaa\x03\x00\x00\x00", 6);
	f.length += 6;
	ipv4(&f, V4(203, 0, 113, 9));
	assert_int_equal(scope_permit_frame(&scope, f.bytes, f.length, NULL, &err), DL_ESCOPE);
	assert_non_null(strstr(err.message, "203.0.113.9"));
	/* 802.3 with an LLC that is not SNAP (STP): not routed, passes */
	ethernet(&f);
	put_type(&f, 39);
	memcpy(f.bytes + f.length, "\x42\x42\x03\x00\x00\x00\x00\x00", 8);
	f.length += 30;
	assert_int_equal(scope_permit_frame(&scope, f.bytes, f.length, NULL, &err), 0);
	/* ARP, LLDP, PAUSE pass on a declared interface... */
	unsigned types[] = {0x0806, 0x88cc, 0x8808};
	for (size_t i = 0; i < DL_ARRAY_SIZE(types); i++) {
		ethernet(&f);
		put_type(&f, types[i]);
		f.length += 46;
		assert_int_equal(scope_permit_frame(&scope, f.bytes, f.length, "dl-ring-a", &err),
				 0);
	}
	/* ...and not on another one. */
	assert_int_equal(scope_permit_frame(&scope, f.bytes, f.length, "eth0", &err), DL_ESCOPE);
	assert_non_null(strstr(err.message, "'eth0'"));
	assert_int_equal(scope_permit_frame(NULL, f.bytes, f.length, NULL, &err), DL_ESCOPE);
}

static void test_truncated(void **state)
{
	(void)state;
	struct dl_error err = {0};
	struct frame f;
	ethernet(&f);
	ipv4(&f, V4(8, 8, 8, 8));
	/* Cut anywhere before the destination's last byte: nothing routable is
	 * left, so it passes; with the destination whole it is judged. */
	for (size_t length = 0; length < 14 + 20; length++)
		assert_int_equal(scope_permit_frame(&scope, f.bytes, length, NULL, &err), 0);
	assert_int_equal(scope_permit_frame(&scope, f.bytes, 14 + 20, NULL, &err), DL_ESCOPE);
	ethernet(&f);
	ipv6(&f, (const uint8_t[16]){0x20, 0x01, 0x0d, 0xb8, [15] = 1});
	for (size_t length = 0; length < 14 + 40; length++)
		assert_int_equal(scope_permit_frame(&scope, f.bytes, length, NULL, &err), 0);
	assert_int_equal(scope_permit_frame(&scope, f.bytes, 14 + 40, NULL, &err), DL_ESCOPE);
	/* A tag cut in half, a SNAP header cut short */
	ethernet(&f);
	tag(&f, 0x8100, 1);
	assert_int_equal(scope_permit_frame(&scope, f.bytes, 15, NULL, &err), 0);
	assert_int_equal(scope_permit_frame(&scope, f.bytes, 17, NULL, &err), 0);
	ethernet(&f);
	put_type(&f, 46);
	memcpy(f.bytes + f.length, "\xaa\xaa\x03", 3);
	assert_int_equal(scope_permit_frame(&scope, f.bytes, 17, NULL, &err), 0);
}

/* An IPv4 header of protocol with options (a multiple of 4 bytes); the
 * caller writes the EtherType first when it is not a tunnel's inner packet. */
static void raw_ipv4(struct frame *f, unsigned protocol, const uint8_t destination[4],
		     const uint8_t *options, size_t option_length, unsigned fragment_offset)
{
	uint8_t *ip = f->bytes + f->length;
	ip[0] = (uint8_t)(0x40 | (20 + option_length) / 4);
	ip[6] = (uint8_t)(fragment_offset >> 8);
	ip[7] = (uint8_t)fragment_offset;
	ip[8] = 64;
	ip[9] = (uint8_t)protocol;
	memcpy(ip + 12, "\xc6\x12\x12\x01", 4);
	memcpy(ip + 16, destination, 4);
	if (option_length)
		memcpy(ip + 20, options, option_length);
	f->length += 20 + option_length;
}

static void append(struct frame *f, const void *bytes, size_t length)
{
	memcpy(f->bytes + f->length, bytes, length);
	f->length += length;
}

static void ipv6_header(struct frame *f, unsigned next, const uint8_t destination[16])
{
	uint8_t ip[40] = {0x60, [6] = (uint8_t)next, [7] = 64};
	memcpy(ip + 24, destination, 16);
	append(f, ip, sizeof(ip));
}

static const uint8_t in6[16] = {0xfd, 0x00, 0x01, 0x98, 0, 0, 0, 0x18, [15] = 5};
static const uint8_t out6[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 9};

static int judge(const struct frame *f, struct dl_error *err)
{
	return scope_permit_frame(&scope, f->bytes, f->length, "dl-ring-a", err);
}

static void expect_refused(const struct frame *f, const char *address, const char *what)
{
	struct dl_error err = {0};
	assert_int_equal(judge(f, &err), DL_ESCOPE);
	if (!strstr(err.message, address) || !strstr(err.message, what))
		fail_msg("the refusal names neither '%s' nor '%s': %s", address, what, err.message);
}

/* Every hop of an IPv4 source route is a destination (RFC 791 3.1). */
static void test_ipv4_source_route(void **state)
{
	(void)state;
	struct dl_error err = {0};
	struct frame f;
	for (unsigned type = 0x83; type <= 0x89; type += 6) { /* LSRR, then SSRR */
		uint8_t route[12] = {1, (uint8_t)type, 11, 4, 198, 18, 18, 7, 8, 8, 8, 8};
		ethernet(&f);
		put_type(&f, 0x0800);
		raw_ipv4(&f, 17, V4(198, 18, 18, 2), route, sizeof(route), 0);
		f.length += 8;
		expect_refused(&f, "8.8.8.8", "source-route hop");
		memcpy(route + 8, "\xc6\x12\x12\x09", 4);
		ethernet(&f);
		put_type(&f, 0x0800);
		raw_ipv4(&f, 17, V4(198, 18, 18, 2), route, sizeof(route), 0);
		f.length += 8;
		assert_int_equal(judge(&f, &err), 0);
	}
	/* record route carries addresses that are not hops: it passes */
	uint8_t record[8] = {7, 7, 4, 8, 8, 8, 8, 0};
	ethernet(&f);
	put_type(&f, 0x0800);
	raw_ipv4(&f, 17, V4(198, 18, 18, 2), record, sizeof(record), 0);
	assert_int_equal(judge(&f, &err), 0);
	/* a route whose length runs past the header is malformed: nobody forwards on it */
	uint8_t overrun[8] = {0x83, 40, 4, 8, 8, 8, 8, 0};
	ethernet(&f);
	put_type(&f, 0x0800);
	raw_ipv4(&f, 17, V4(198, 18, 18, 2), overrun, sizeof(overrun), 0);
	assert_int_equal(judge(&f, &err), 0);
}

/* Every address of an IPv6 routing header (RFC 8200 4.4, RFC 8754). */
static void test_ipv6_routing_header(void **state)
{
	(void)state;
	struct dl_error err = {0};
	struct frame f;
	/* an SRH (type 4) of two segments behind a hop-by-hop header */
	uint8_t hop_by_hop[8] = {43, 0, 1, 4, 0, 0, 0, 0};
	uint8_t srh[8] = {59, 4, 4, 1, 1, 0, 0, 0};
	ethernet(&f);
	put_type(&f, 0x86dd);
	ipv6_header(&f, 0, in6);
	append(&f, hop_by_hop, 8);
	append(&f, srh, 8);
	append(&f, in6, 16);
	append(&f, out6, 16);
	expect_refused(&f, "2001:db8::9", "routing-header address");
	memcpy(f.bytes + f.length - 16, in6, 16);
	assert_int_equal(judge(&f, &err), 0);
	/* type 2 (mobile IPv6 home address) */
	uint8_t type2[8] = {59, 2, 2, 1, 0, 0, 0, 0};
	ethernet(&f);
	put_type(&f, 0x86dd);
	ipv6_header(&f, 43, in6);
	append(&f, type2, 8);
	append(&f, out6, 16);
	expect_refused(&f, "2001:db8::9", "routing-header address");
	/* type 3 (RPL, compressed addresses) with segments left cannot be read */
	uint8_t type3[8] = {59, 0, 3, 1, 0, 0, 0, 0};
	ethernet(&f);
	put_type(&f, 0x86dd);
	ipv6_header(&f, 43, in6);
	append(&f, type3, 8);
	expect_refused(&f, "type 3", "cannot read");
	f.bytes[14 + 40 + 3] = 0; /* segments left 0: the header is spent, not followed */
	assert_int_equal(judge(&f, &err), 0);
}

/* The inner packet of a tunnel is a destination too. */
static void test_tunnels(void **state)
{
	(void)state;
	struct dl_error err = {0};
	struct frame f;
	/* IP in IP */
	ethernet(&f);
	put_type(&f, 0x0800);
	raw_ipv4(&f, 4, V4(198, 18, 18, 2), NULL, 0, 0);
	raw_ipv4(&f, 17, V4(192, 0, 2, 7), NULL, 0, 0);
	expect_refused(&f, "192.0.2.7", "tunnelled destination");
	/* the same as a later fragment: no inner header in it */
	f.bytes[14 + 6] = 0x00, f.bytes[14 + 7] = 0x10;
	assert_int_equal(judge(&f, &err), 0);
	/* IPv6 in IPv6 */
	ethernet(&f);
	put_type(&f, 0x86dd);
	ipv6_header(&f, 41, in6);
	ipv6_header(&f, 59, out6);
	expect_refused(&f, "2001:db8::9", "tunnelled destination");
	/* GRE with a key, carrying IPv6, inside IPv4 */
	ethernet(&f);
	put_type(&f, 0x0800);
	raw_ipv4(&f, 47, V4(198, 18, 18, 2), NULL, 0, 0);
	append(&f, "\x20\x00\x86\xdd\x00\x00\x00\x2a", 8);
	ipv6_header(&f, 59, out6);
	expect_refused(&f, "2001:db8::9", "tunnelled destination");
	/* GRE bridging Ethernet, and VXLAN: an inner frame, walked like the outer one */
	ethernet(&f);
	put_type(&f, 0x0800);
	raw_ipv4(&f, 47, V4(198, 18, 18, 2), NULL, 0, 0);
	append(&f, "\x00\x00\x65\x58", 4);
	append(&f, "\xff\xff\xff\xff\xff\xff\x02\x00\x00\x00\x00\x02", 12);
	put_type(&f, 0x0800);
	raw_ipv4(&f, 17, V4(203, 0, 113, 1), NULL, 0, 0);
	expect_refused(&f, "203.0.113.1", "tunnelled destination");
	ethernet(&f);
	put_type(&f, 0x86dd);
	ipv6_header(&f, 17, in6);
	append(&f, "\xc0\x00\x12\xb5\x00\x40\x00\x00", 8); /* UDP to 4789 */
	append(&f, "\x08\x00\x00\x00\x00\x00\x64\x00", 8); /* VNI 100 */
	append(&f, "\xff\xff\xff\xff\xff\xff\x02\x00\x00\x00\x00\x02", 12);
	tag(&f, 0x8100, 5);
	put_type(&f, 0x0800);
	raw_ipv4(&f, 17, V4(198, 18, 18, 3), NULL, 0, 0);
	assert_int_equal(judge(&f, &err), 0);
	f.bytes[f.length - 1] = 200; /* 198.18.18.200 is inside 198.18.18.0/24 still */
	assert_int_equal(judge(&f, &err), 0);
	f.bytes[f.length - 2] = 19; /* 198.18.19.200 is not */
	expect_refused(&f, "198.18.19.200", "tunnelled destination");
	/* tunnels nested five deep are refused unread */
	ethernet(&f);
	put_type(&f, 0x86dd);
	for (int i = 0; i < 6; i++)
		ipv6_header(&f, 41, in6);
	expect_refused(&f, "nested more than 4", "too deep");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ipv4_in_and_out_of_scope),
		cmocka_unit_test(test_ipv4_link_scoped),
		cmocka_unit_test(test_ipv6_classes),
		cmocka_unit_test(test_vlan_and_qinq),
		cmocka_unit_test(test_snap_and_non_ip),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_ipv4_source_route),
		cmocka_unit_test(test_ipv6_routing_header),
		cmocka_unit_test(test_tunnels),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
