/* snmp: SNMPv1/v2c GetRequest building and GetResponse parsing (BER, RFC 1157, RFC 3416) */
#ifndef DUTLAB_PROTO_SNMP_H
#define DUTLAB_PROTO_SNMP_H

/* Used by checks/discovery/udp-probes.c. */

#include <stddef.h>
#include <stdint.h>

struct dl_error;

#define SNMP_VERSION_1 0
#define SNMP_VERSION_2C 1

#define SNMP_PDU_GET_REQUEST 0xa0
#define SNMP_PDU_GET_NEXT_REQUEST 0xa1
#define SNMP_PDU_GET_RESPONSE 0xa2
#define SNMP_PDU_SET_REQUEST 0xa3
#define SNMP_PDU_GET_BULK_REQUEST 0xa5
#define SNMP_PDU_REPORT 0xa8

#define SNMP_OID_SYS_DESCR "1.3.6.1.2.1.1.1.0"
#define SNMP_OID_SYS_OBJECT_ID "1.3.6.1.2.1.1.2.0"
#define SNMP_OID_SYS_UPTIME "1.3.6.1.2.1.1.3.0"
#define SNMP_OID_SYS_CONTACT "1.3.6.1.2.1.1.4.0"
#define SNMP_OID_SYS_NAME "1.3.6.1.2.1.1.5.0"
#define SNMP_OID_SYS_LOCATION "1.3.6.1.2.1.1.6.0"

/* The five system-group objects the discovery probe asks for. */
extern const char *const snmp_system_oids[];
extern const size_t snmp_system_oid_count;

#define SNMP_MESSAGE_MAX 1472 /* one unfragmented UDP payload on Ethernet */
#define SNMP_COMMUNITY_MAX 64
#define SNMP_OID_TEXT_MAX 160
#define SNMP_OID_ARCS_MAX 64
#define SNMP_VALUE_TEXT_MAX 256
#define SNMP_VARBINDS_MAX 16
#define SNMP_DEPTH_MAX 8

enum snmp_value_type {
	SNMP_VALUE_NULL,
	SNMP_VALUE_INTEGER,
	SNMP_VALUE_STRING, /* OCTET STRING */
	SNMP_VALUE_OID,
	SNMP_VALUE_IPADDRESS,
	SNMP_VALUE_COUNTER32,
	SNMP_VALUE_GAUGE32,
	SNMP_VALUE_TIMETICKS,
	SNMP_VALUE_OPAQUE,
	SNMP_VALUE_COUNTER64,
	SNMP_VALUE_NO_SUCH_OBJECT,
	SNMP_VALUE_NO_SUCH_INSTANCE,
	SNMP_VALUE_END_OF_MIB_VIEW,
};

const char *snmp_value_type_name(enum snmp_value_type t); /* "string", "timeticks" */

struct snmp_varbind {
	char oid[SNMP_OID_TEXT_MAX]; /* dotted: "1.3.6.1.2.1.1.1.0" */
	enum snmp_value_type type;
	/* The value as text: strings as printable ASCII ('.' for other bytes),
	 * numbers in decimal, OIDs dotted, IpAddress dotted quad. */
	char text[SNMP_VALUE_TEXT_MAX];
	int64_t integer; /* INTEGER, Counter32, Gauge32, TimeTicks, Counter64 (low 63 bits) */
	uint64_t unsigned_value;
	size_t raw_length; /* length of the value on the wire (strings may be cut in text) */
};

struct snmp_message {
	int version;                        /* SNMP_VERSION_1 or SNMP_VERSION_2C */
	char community[SNMP_COMMUNITY_MAX]; /* printable */
	uint8_t pdu_type;                   /* SNMP_PDU_* */
	int32_t request_id;
	int32_t error_status;
	int32_t error_index;
	struct snmp_varbind varbinds[SNMP_VARBINDS_MAX];
	size_t varbind_count;
};

/*
 * Encode a GetRequest for oids (dotted text) with community and
 * request_id into buf (cap bytes); *len receives the size.
 */
int snmp_build_get(uint8_t *buf, size_t cap, size_t *len, int version, const char *community,
		   int32_t request_id, const char *const *oids, size_t oid_count,
		   struct dl_error *err);

/* Parse one SNMPv1/v2c message (any PDU but Trap-v1). Fails with
 * "snmp message: offset N: reason (value V)". */
int snmp_parse(const uint8_t *msg, size_t len, struct snmp_message *out, struct dl_error *err);

/* The varbind for oid in m, or NULL. */
const struct snmp_varbind *snmp_find(const struct snmp_message *m, const char *oid);

/* Encode dotted OID text into BER content octets (no tag/length). */
int snmp_oid_encode(const char *text, uint8_t *out, size_t cap, size_t *len, struct dl_error *err);

#endif
