/* health-neighbour: the ARP/ND monitor: the DUT answers an ARP request (IPv4) or a unicast NS
 * (IPv6) */
#include "core/compat.h"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/error.h"
#include "fuzz/health-link.h"
#include "fuzz/health.h"
#include "net/scope.h"
#include "net/sock.h"

int health_link_interface(const char *interface, uint8_t mac[6], int *index, uint32_t *ipv4_be,
			  struct dl_error *err)
{
	if (!interface || strlen(interface) >= IFNAMSIZ)
		return dl_error_set(
			err, DL_EINVAL,
			"no tester interface; declare scope.interfaces (or --interface)");
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return dl_error_set(err, DL_EIO, "socket(): %s", strerror(errno));
	struct ifreq ifr;
	memset(&ifr, 0, sizeof(ifr));
	memcpy(ifr.ifr_name, interface, strlen(interface));
	int rc = 0;
	if (ioctl(fd, SIOCGIFHWADDR, &ifr) < 0)
		rc = dl_error_set(err, DL_ENOTFOUND,
				  "interface '%s': %s; check that it exists in this namespace",
				  interface, strerror(errno));
	else
		memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
	close(fd);
	if (rc)
		return rc;
	*index = (int)if_nametoindex(interface);
	if (!ipv4_be)
		return 0;
	struct ifaddrs *list = NULL;
	if (getifaddrs(&list) < 0)
		return dl_error_set(err, DL_EIO, "getifaddrs: %s", strerror(errno));
	bool found = false;
	for (struct ifaddrs *a = list; a && !found; a = a->ifa_next)
		if (a->ifa_addr && a->ifa_addr->sa_family == AF_INET &&
		    strcmp(a->ifa_name, interface) == 0) {
			*ipv4_be = ((struct sockaddr_in *)a->ifa_addr)->sin_addr.s_addr;
			found = true;
		}
	freeifaddrs(list);
	if (!found)
		return dl_error_set(err, DL_ENOTFOUND,
				    "interface '%s' has no IPv4 address; give it one in the DUT's "
				    "subnet",
				    interface);
	return 0;
}

int health_link_socket(const struct scope *scope, const char *interface, const char *destination,
		       int type, uint16_t ethertype, int *fd_out, struct dl_error *err)
{
	/* opened in src/net, where every sending socket is (scope guard) */
	return sock_packet_open(scope, interface, destination, type, ethertype, fd_out, err);
}

struct neighbour_target {
	struct sock_address address;
	char text[INET6_ADDRSTRLEN];
	int fd;
	bool answered;
	char reason[96];
};

struct neighbour_state {
	struct neighbour_target targets[HEALTH_ADDRESSES_MAX];
	size_t count;
	uint8_t mac[6];
	int index;
	uint32_t ipv4_be; /* ours, the ARP sender address */
	bool in_flight;
	int64_t sent_ns, next_ns;
};

static void neighbour_stop(struct health_probe *p)
{
	struct neighbour_state *s = p->state;
	if (!s)
		return;
	for (size_t i = 0; i < s->count; i++)
		if (s->targets[i].fd >= 0)
			close(s->targets[i].fd);
	free(s);
	p->state = NULL;
}

static int neighbour_start(struct health_probe *p, int64_t now_ns, struct dl_error *err)
{
	const struct health_config *c = p->config;
	if (c->address_count == 0)
		return dl_error_set(err, DL_EINVAL, "no DUT address; declare dut.addresses");
	struct neighbour_state *s = calloc(1, sizeof(*s));
	if (!s)
		return dl_error_set(err, DL_ENOMEM, "out of memory");
	p->state = s;
	s->next_ns = now_ns;
	bool any_v4 = false;
	for (size_t i = 0; i < c->address_count; i++)
		any_v4 = any_v4 || strchr(c->addresses[i], ':') == NULL;
	int rc = health_link_interface(c->interface, s->mac, &s->index, any_v4 ? &s->ipv4_be : NULL,
				       err);
	for (size_t i = 0; i < c->address_count && !rc; i++) {
		struct neighbour_target *t = &s->targets[i];
		t->fd = -1;
		s->count = i + 1;
		rc = sock_address_parse(c->addresses[i], 0, &t->address, err);
		if (rc)
			break;
		sock_address_text(&t->address, t->text, sizeof(t->text));
		if (sock_address_family(&t->address) == AF_INET) {
			rc = health_link_socket(c->scope, c->interface, t->text, SOCK_DGRAM,
						ETH_P_ARP, &t->fd, err);
			continue;
		}
		rc = sock_open(c->scope, &t->address, SOCK_RAW, IPPROTO_ICMPV6, c->interface,
			       &t->fd, err);
		if (rc)
			break;
		int hops = 255; /* RFC 4861 7.1.1: ND messages carry hop limit 255 */
		setsockopt(t->fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &hops, sizeof(hops));
		struct icmp6_filter filter;
		ICMP6_FILTER_SETBLOCKALL(&filter);
		ICMP6_FILTER_SETPASS(ND_NEIGHBOR_ADVERT, &filter);
		setsockopt(t->fd, IPPROTO_ICMPV6, ICMP6_FILTER, &filter, sizeof(filter));
	}
	if (rc) {
		neighbour_stop(p);
		return rc;
	}
	return 0;
}

static void send_request(struct neighbour_state *s, struct neighbour_target *t)
{
	ssize_t sent;
	if (sock_address_family(&t->address) == AF_INET) {
		/* RFC 826 request: Ethernet, IPv4, our MAC and address, the DUT's address */
		uint8_t arp[28] = {0, 1, 8, 0, 6, 4, 0, 1};
		memcpy(arp + 8, s->mac, 6);
		memcpy(arp + 14, &s->ipv4_be, 4);
		memcpy(arp + 24, &((struct sockaddr_in *)&t->address.storage)->sin_addr, 4);
		struct sockaddr_ll to = {.sll_family = AF_PACKET,
					 .sll_protocol = htons(ETH_P_ARP),
					 .sll_ifindex = s->index,
					 .sll_halen = 6,
					 .sll_addr = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff}};
		sent = sendto(t->fd, arp, sizeof(arp), 0, (const struct sockaddr *)&to, sizeof(to));
	} else {
		/* RFC 4861 4.3 NS, unicast as in NUD, with our link-layer address */
		uint8_t ns[32] = {ND_NEIGHBOR_SOLICIT};
		memcpy(ns + 8, &((struct sockaddr_in6 *)&t->address.storage)->sin6_addr, 16);
		ns[24] = ND_OPT_SOURCE_LINKADDR;
		ns[25] = 1;
		memcpy(ns + 26, s->mac, 6);
		sent = sendto(t->fd, ns, sizeof(ns), 0,
			      (const struct sockaddr *)&t->address.storage, t->address.length);
	}
	if (sent < 0)
		snprintf(t->reason, sizeof(t->reason), "send: %s", strerror(errno));
}

static void drain(struct neighbour_target *t)
{
	uint8_t buf[1500];
	bool v4 = sock_address_family(&t->address) == AF_INET;
	/* bounded, but past what an ARP or ND fuzz campaign queues between two polls */
	for (int n = 0; n < 2048 && !t->answered; n++) {
		ssize_t got = recv(t->fd, buf, sizeof(buf), 0);
		if (got < 0)
			return;
		if (v4) {
			/* a reply (oper 2) whose sender protocol address is the DUT's */
			t->answered = got >= 28 && buf[6] == 0 && buf[7] == 2 &&
				      memcmp(buf + 14,
					     &((struct sockaddr_in *)&t->address.storage)->sin_addr,
					     4) == 0;
		} else {
			t->answered =
				got >= 24 && buf[0] == ND_NEIGHBOR_ADVERT &&
				memcmp(buf + 8,
				       &((struct sockaddr_in6 *)&t->address.storage)->sin6_addr,
				       16) == 0;
		}
	}
}

static int neighbour_poll(struct health_probe *p, int64_t now_ns, struct health_sample *out,
			  struct dl_error *err)
{
	(void)err;
	struct neighbour_state *s = p->state;
	if (!s->in_flight) {
		if (now_ns < s->next_ns)
			return 0;
		for (size_t i = 0; i < s->count; i++) {
			s->targets[i].answered = false;
			s->targets[i].reason[0] = '\0';
			send_request(s, &s->targets[i]);
		}
		s->in_flight = true;
		s->sent_ns = now_ns;
		s->next_ns = now_ns + (int64_t)p->interval_ms * 1000000;
	}
	bool all = true;
	for (size_t i = 0; i < s->count; i++) {
		drain(&s->targets[i]);
		all = all && s->targets[i].answered;
	}
	if (all) {
		s->in_flight = false;
		out->outcome = HEALTH_OK;
		snprintf(out->evidence, sizeof(out->evidence), "ARP/ND answered for %zu address%s",
			 s->count, s->count == 1 ? "" : "es");
		return 0;
	}
	if ((now_ns - s->sent_ns) / 1000000 < (int64_t)p->timeout_ms)
		return 0;
	s->in_flight = false;
	out->outcome = HEALTH_FAIL;
	size_t used = 0;
	for (size_t i = 0; i < s->count && used < sizeof(out->evidence); i++) {
		const struct neighbour_target *t = &s->targets[i];
		if (t->answered)
			continue;
		bool v4 = sock_address_family(&t->address) == AF_INET;
		used += (size_t)snprintf(out->evidence + used, sizeof(out->evidence) - used,
					 "%s%s for %s on %s %s%s", used ? "; " : "",
					 v4 ? "ARP request" : "neighbour solicitation", t->text,
					 p->config->interface,
					 t->reason[0] ? "failed: " : "unanswered", t->reason);
	}
	return 0;
}

const struct health_monitor health_monitor_neighbour = {
	.name = "neighbour",
	.summary =
		"the DUT answers ARP (IPv4) and neighbour solicitations (IPv6) on the tester port",
	.threshold = 3,
	.interval_ms = 1000,
	.timeout_ms = 1000,
	.start = neighbour_start,
	.poll = neighbour_poll,
	.stop = neighbour_stop,
};
