/* health-lldp: the LLDP monitor: the DUT's LLDPDU is seen again within the TTL it advertised */
#include "core/compat.h"

#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/error.h"
#include "fuzz/health-link.h"
#include "fuzz/health.h"

#define ETH_P_LLDP_TYPE 0x88cc

int health_lldp_read(const uint8_t *frame, size_t length, char *chassis, size_t chassis_size,
		     unsigned *ttl_seconds, struct dl_error *err)
{
	if (chassis_size)
		chassis[0] = '\0';
	if (length < 14 || frame[12] != 0x88 || frame[13] != 0xcc)
		return dl_error_set(err, DL_EPROTO, "lldp: not an Ethernet frame of type 0x88cc");
	size_t at = 14;
	bool have_chassis = false, have_ttl = false;
	/* 802.1AB 8.5.1: a 7-bit type and a 9-bit length; Chassis ID, Port ID
	 * and TTL come first, End (type 0) closes. At most one TLV per 2 bytes. */
	for (size_t n = 0; n < length && at + 2 <= length; n++) {
		unsigned type = frame[at] >> 1;
		size_t tlv_length = (size_t)(frame[at] & 1) << 8 | frame[at + 1];
		at += 2;
		if (tlv_length > length - at)
			return dl_error_set(
				err, DL_EPROTO,
				"lldp: TLV type %u at offset %zu says %zu bytes, %zu left", type,
				at - 2, tlv_length, length - at);
		const uint8_t *v = frame + at;
		at += tlv_length;
		if (type == 0)
			break;
		if (type == 1 && tlv_length >= 2 && chassis_size > 0) {
			size_t used = 0;
			bool mac = v[0] == 4 && tlv_length == 7; /* subtype 4: a MAC address */
			for (size_t i = 1; i < tlv_length && used + 4 < chassis_size; i++) {
				if (mac)
					used += (size_t)snprintf(chassis + used,
								 chassis_size - used, "%s%02x",
								 i > 1 ? ":" : "", v[i]);
				else
					chassis[used++] =
						v[i] >= 0x20 && v[i] < 0x7f ? (char)v[i] : '?';
			}
			chassis[used] = '\0';
			have_chassis = true;
		} else if (type == 3) {
			if (tlv_length < 2)
				return dl_error_set(err, DL_EPROTO, "lldp: TTL TLV of %zu bytes",
						    tlv_length);
			*ttl_seconds = (unsigned)(v[0] << 8 | v[1]);
			have_ttl = true;
		}
	}
	if (!have_chassis || !have_ttl)
		return dl_error_set(err, DL_EPROTO, "lldp: no %s TLV",
				    have_chassis ? "TTL" : "Chassis ID");
	return 0;
}

struct lldp_state {
	int fd;
	uint8_t own_mac[6];
	bool seen;
	char chassis[80];
	unsigned ttl;
	int64_t last_ns, expires_ns, next_ok_ns;
	const char *interface;
};

static void lldp_stop(struct health_probe *p)
{
	struct lldp_state *s = p->state;
	if (!s)
		return;
	if (s->fd >= 0)
		close(s->fd);
	free(s);
	p->state = NULL;
}

static int lldp_start(struct health_probe *p, int64_t now_ns, struct dl_error *err)
{
	const struct health_config *c = p->config;
	struct lldp_state *s = calloc(1, sizeof(*s));
	if (!s)
		return dl_error_set(err, DL_ENOMEM, "out of memory");
	s->fd = -1;
	s->interface = c->lldp_interface ? c->lldp_interface : c->interface;
	p->state = s;
	unsigned wait = c->lldp_wait_seconds ? c->lldp_wait_seconds : 35;
	s->expires_ns = now_ns + (int64_t)wait * 1000000000;
	s->next_ok_ns = now_ns;
	int index = 0;
	int rc = health_link_interface(s->interface, s->own_mac, &index, NULL, err);
	if (!rc)
		rc = health_link_socket(c->scope, s->interface, NULL, SOCK_RAW, ETH_P_LLDP_TYPE,
					&s->fd, err);
	if (rc) {
		lldp_stop(p);
		return rc;
	}
	/* 01:80:c2:00:00:0e is link-local multicast: ask the NIC to pass it up */
	struct packet_mreq mreq = {.mr_ifindex = index,
				   .mr_type = PACKET_MR_MULTICAST,
				   .mr_alen = 6,
				   .mr_address = {0x01, 0x80, 0xc2, 0x00, 0x00, 0x0e}};
	setsockopt(s->fd, SOL_PACKET, PACKET_ADD_MEMBERSHIP, &mreq, sizeof(mreq));
	return 0;
}

static int lldp_poll(struct health_probe *p, int64_t now_ns, struct health_sample *out,
		     struct dl_error *err)
{
	(void)err;
	struct lldp_state *s = p->state;
	uint8_t frame[1600];
	for (int n = 0; n < 2048; n++) { /* an LLDP fuzz campaign shares the port */
		ssize_t got = recv(s->fd, frame, sizeof(frame), 0);
		if (got < 0)
			break;
		if (got < 14 || memcmp(frame + 6, s->own_mac, 6) == 0)
			continue; /* ours, or a runt */
		unsigned ttl = 0;
		char chassis[80];
		if (health_lldp_read(frame, (size_t)got, chassis, sizeof(chassis), &ttl, NULL))
			continue;
		if (ttl == 0) { /* 802.1AB 9.2.7.7.3: a shutdown LLDPDU withdraws the neighbour */
			out->outcome = HEALTH_FAIL;
			out->decisive = true;
			snprintf(out->evidence, sizeof(out->evidence),
				 "LLDP: chassis %s sent a shutdown LLDPDU (TTL 0) on %s", chassis,
				 s->interface);
			s->seen = false;
			s->expires_ns = now_ns;
			return 0;
		}
		s->seen = true;
		s->ttl = ttl;
		snprintf(s->chassis, sizeof(s->chassis), "%s", chassis);
		s->last_ns = now_ns;
		s->expires_ns = now_ns + (int64_t)ttl * 1000000000;
	}
	if (now_ns > s->expires_ns) {
		out->outcome = HEALTH_FAIL;
		if (s->seen)
			snprintf(out->evidence, sizeof(out->evidence),
				 "LLDP: no LLDPDU from chassis %s on %s within its TTL of %u s",
				 s->chassis, s->interface, s->ttl);
		else
			snprintf(out->evidence, sizeof(out->evidence),
				 "LLDP: no LLDPDU from the DUT on %s", s->interface);
		return 0;
	}
	if (s->seen && now_ns >= s->next_ok_ns) {
		s->next_ok_ns = now_ns + (int64_t)p->interval_ms * 1000000;
		out->outcome = HEALTH_OK;
		snprintf(out->evidence, sizeof(out->evidence),
			 "LLDP: chassis %s advertised on %s (TTL %u s)", s->chassis, s->interface,
			 s->ttl);
	}
	return 0;
}

const struct health_monitor health_monitor_lldp = {
	.name = "lldp",
	.summary = "the DUT's LLDPDU is seen on the tester port within its advertised TTL",
	.threshold = 1,
	.interval_ms = 1000,
	.timeout_ms = 1000,
	.start = lldp_start,
	.poll = lldp_poll,
	.stop = lldp_stop,
};
