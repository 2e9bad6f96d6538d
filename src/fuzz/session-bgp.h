/* session-bgp: what the BGP session plug-in exposes beside session_bgp: the reading of the routes
 * a DUT advertises, which its check uses (and its unit test) */
#ifndef DUTLAB_FUZZ_SESSION_BGP_H
#define DUTLAB_FUZZ_SESSION_BGP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct dl_error;

#define SESSION_BGP_EXPECT_MAX 16 /* routes robustness.bgp.expect_routes may name, checked */

/* A prefix: family AF_INET or AF_INET6, the address (bits past length zero). */
struct session_bgp_route {
	int family;
	uint8_t address[16];
	uint8_t length;
};

/* "198.18.24.128/25" or "fd00:198:0:24:1::/80" into *out. 0 or DL_EINVAL. */
int session_bgp_route_parse(const char *text, struct session_bgp_route *out);
/* *route as text ("198.18.24.128/25"). */
void session_bgp_route_text(const struct session_bgp_route *route, char *text, size_t size);

/*
 * Read one whole BGP message (header included): when it is an UPDATE, set
 * seen[i] for each want[i] it announces (IPv4 NLRI, or IPv6 unicast in
 * MP_REACH_NLRI, RFC 4760 3) and clear it for each it withdraws (withdrawn
 * routes, MP_UNREACH_NLRI); other messages change nothing. 0, or DL_EPROTO
 * with the reason in err when the UPDATE's lengths do not hold.
 */
int session_bgp_update_routes(const uint8_t *message, size_t length,
			      const struct session_bgp_route *want, size_t count, bool *seen,
			      struct dl_error *err);

#endif
