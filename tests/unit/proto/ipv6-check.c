/* ipv6-check: shared helpers of the IPv6 and ICMPv6 model tests (parse a chain, checksums) */
#include "core/compat.h"

#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>

#include "core/error.h"
#include "ipv6-check.h"
#include "proto/cursor.h"
#include "proto/icmpv6.h"
#include "proto/ipv6.h"
#include "proto/layer.h"
#include "proto/packet.h"
#include "proto/udp.h"

struct in6_addr ipv6_check_address(const char *text)
{
	struct in6_addr a;
	assert_int_equal(inet_pton(AF_INET6, text, &a), 1);
	return a;
}

static const struct proto_layer *ipv6_check_next(uint32_t value)
{
	switch (value) {
	case IPV6_NEXT_HOP_BY_HOP: return &ipv6_hop_by_hop_layer;
	case IPV6_NEXT_ROUTING: return &ipv6_routing_layer;
	case IPV6_NEXT_FRAGMENT: return &ipv6_fragment_layer;
	case IPV6_NEXT_DESTINATION_OPTIONS: return &ipv6_destination_options_layer;
	case IPV6_NEXT_ICMPV6: return &icmpv6_layer;
	case IPV6_NEXT_UDP: return &udp_layer;
	default: return NULL;
	}
}

int ipv6_check_parse(struct packet *p, const uint8_t *bytes, size_t length, char *message,
		     size_t message_size)
{
	struct cursor c;
	struct layer_parse_result next = {0};
	struct dl_error err = {0};
	packet_init(p);
	cursor_init(&c, bytes, length);
	int rc = ipv6_layer.parse(p, &c, &next);
	for (int depth = 0; rc == 0 && next.next == LAYER_NEXT_IP_PROTOCOL && depth < 8; depth++) {
		const struct proto_layer *m = ipv6_check_next(next.value);
		if (!m)
			break;
		rc = m->parse(p, &c, &next);
	}
	if (rc < 0) {
		cursor_error_report(&c, &err, "ipv6");
		snprintf(message, message_size, "%s", err.message);
	}
	p->open_count = 0;
	return rc;
}

uint16_t ipv6_check_sum(const uint8_t source[16], const uint8_t destination[16],
			uint8_t next_header, const uint8_t *msg, size_t length)
{
	uint8_t pseudo[40] = {0};
	memcpy(pseudo, source, 16);
	memcpy(pseudo + 16, destination, 16);
	pseudo[32] = (uint8_t)(length >> 24);
	pseudo[33] = (uint8_t)(length >> 16);
	pseudo[34] = (uint8_t)(length >> 8);
	pseudo[35] = (uint8_t)length;
	pseudo[39] = next_header;
	uint64_t sum = 0;
	for (size_t i = 0; i < sizeof(pseudo); i += 2)
		sum += (uint32_t)pseudo[i] << 8 | pseudo[i + 1];
	for (size_t i = 0; i < length; i++)
		sum += i % 2 ? msg[i] : (uint32_t)msg[i] << 8;
	while (sum > 0xffff)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}
