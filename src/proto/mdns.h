/* mdns: DNS query building and response parsing for multicast DNS and DNS-SD (RFC 1035, 6762, 6763)
 */
#ifndef DUTLAB_PROTO_MDNS_H
#define DUTLAB_PROTO_MDNS_H

/*
 * Used by checks/discovery/udp-probes.c.
 *
 * A query sent by unicast to port 5353 from a source port other than 5353
 * is a "legacy unicast" query (RFC 6762 6.7): the responder answers by
 * unicast to the source port, echoes the query id and the question, and
 * caps TTLs at 10 s. That is how the discovery probe asks one DUT.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct dl_error;

#define MDNS_PORT 5353
#define MDNS_MESSAGE_MAX 9000 /* RFC 6762 17: never larger than 9000 bytes */
#define MDNS_NAME_MAX 256     /* dotted text, RFC 1035 3.1: 255 octets on the wire */
#define MDNS_QUESTIONS_MAX 16
#define MDNS_RECORDS_MAX 64
#define MDNS_POINTERS_MAX 32 /* compression pointers followed per name */
#define MDNS_RDATA_TEXT_MAX 512

#define MDNS_SERVICES_NAME "_services._dns-sd._udp.local"

enum {
	DNS_TYPE_A = 1,
	DNS_TYPE_PTR = 12,
	DNS_TYPE_HINFO = 13,
	DNS_TYPE_TXT = 16,
	DNS_TYPE_AAAA = 28,
	DNS_TYPE_SRV = 33,
	DNS_TYPE_NSEC = 47,
	DNS_TYPE_ANY = 255,
};

enum mdns_section { MDNS_ANSWER, MDNS_AUTHORITY, MDNS_ADDITIONAL };

struct mdns_question {
	char name[MDNS_NAME_MAX];
	uint16_t type;
	uint16_t class_code; /* without the unicast-response bit */
	bool unicast_response;
};

struct mdns_record {
	enum mdns_section section;
	char name[MDNS_NAME_MAX];
	uint16_t type;
	uint16_t class_code; /* without the cache-flush bit */
	bool cache_flush;
	uint32_t ttl;
	uint16_t rdlength;
	/* rdata as text: PTR/SRV target name, A/AAAA address, TXT strings
	 * joined by ' ', HINFO "cpu os", SRV "priority weight port target";
	 * other types "(N bytes)". */
	char text[MDNS_RDATA_TEXT_MAX];
	uint16_t srv_port;          /* SRV only */
	char target[MDNS_NAME_MAX]; /* PTR and SRV target */
};

struct mdns_message {
	uint16_t id;
	uint16_t flags;
	bool response;
	uint16_t qdcount, ancount, nscount, arcount;
	struct mdns_question questions[MDNS_QUESTIONS_MAX];
	size_t question_count;
	struct mdns_record records[MDNS_RECORDS_MAX];
	size_t record_count;
};

const char *mdns_type_name(uint16_t type); /* "PTR", or NULL if not known */

/* A standard query for name/type (class IN); set unicast_response for the
 * QU bit (RFC 6762 5.4). */
int mdns_build_query(uint8_t *buf, size_t cap, size_t *len, uint16_t id, const char *name,
		     uint16_t type, bool unicast_response, struct dl_error *err);
/* PTR _services._dns-sd._udp.local (RFC 6763 9): list the service types. */
int mdns_build_services_query(uint8_t *buf, size_t cap, size_t *len, uint16_t id,
			      struct dl_error *err);

/* Parse a DNS message. At most MDNS_RECORDS_MAX records are kept; more
 * fail. Names are decompressed with backward pointers only, at most
 * MDNS_POINTERS_MAX per name, and rendered in presentation format: '.' and
 * '\' inside a label are escaped with '\', other bytes outside printable
 * ASCII become '?'. */
int mdns_parse(const uint8_t *msg, size_t len, struct mdns_message *out, struct dl_error *err);

#endif
