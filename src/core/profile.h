/* profile: the DUT profile (YAML): identity, scope, declared services, credentials, adapters,
 * artifacts */
#ifndef DUTLAB_CORE_PROFILE_H
#define DUTLAB_CORE_PROFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net/scope.h"

struct dl_error;

/* The format is documented in docs/profile.md; this mirrors it. Every
 * string is owned by the profile and freed by profile_release(). */

enum product_type {
	PRODUCT_UNKNOWN = 0,
	/* TS-0014-1 video surveillance */
	PRODUCT_CAMERA = 1u << 0,
	PRODUCT_RECORDER = 1u << 1,
	PRODUCT_STORAGE = 1u << 2,
	/* IoT-1006-1 access control */
	PRODUCT_READER = 1u << 3,
	PRODUCT_CONTROLLER = 1u << 4,
	PRODUCT_PLATFORM = 1u << 5,
	PRODUCT_LOCK = 1u << 6,
	/* NCC critical telecom equipment */
	PRODUCT_FIREWALL = 1u << 7,
	PRODUCT_SWITCH = 1u << 8,
	PRODUCT_ROUTER = 1u << 9,
};

/* "camera" -> PRODUCT_CAMERA; PRODUCT_UNKNOWN if not a product type. */
enum product_type product_type_from_name(const char *name);
const char *product_type_name(enum product_type type);

struct profile_target {
	char *standard; /* catalog id: "taics-ts-0014-1", "iot-1006-1", "ncc-ci-ict" */
	int level;      /* 1..3; 0 for ncc-ci-ict */
};

struct profile_service {
	char *proto; /* "tcp" or "udp" */
	uint16_t port;
	char *name; /* "https", "rtsp": the vendor's word */
	/* What the vendor declares this service necessarily tells an
	 * unauthenticated party: "version", "device-info", "content". */
	char **discloses;
	size_t discloses_count;
};

struct profile_credential {
	char *role; /* "admin", "user", "factory_default", or a vendor role */
	char *username;
	char *password;
};

struct profile_operation {
	char *name;    /* "factory_reset", "health", "power_cycle" */
	char *command; /* exec driver: template with {address} {username} {password} */
	unsigned timeout_seconds;
};

/* A driver option of a login adapter, as written: "login_url", "success.status". */
struct profile_option {
	char *name;
	char *value;
};

/* Something a role may or may not do through a login adapter (TS-0014-1
 * 5.4.3.1, NCC 5.3.1.3): the request is driver-specific ("GET /api/users",
 * "POST /api/config {...}" for the HTTP drivers, a shell command for
 * ssh-password and telnet, a SOAP action for onvif). */
struct profile_action {
	char *name;    /* "read_config": the name roles[].may lists */
	char *request; /* the driver's request text, {placeholders} allowed */
};

struct profile_adapter {
	char *name;   /* the profile's name for it */
	char *driver; /* "exec", or a login driver: "http-form", "http-basic", "http-digest",
		       * "http-json", "ssh-password", "telnet", "rtsp", "onvif" */
	struct profile_operation *operations; /* exec driver: command templates */
	size_t operation_count;
	/* Login drivers: the service this adapter logs in to (the port
	 * discovery sees it on) and the driver's options, checked at load time
	 * by the driver (src/adapters/login.c, docs/profile.md). */
	uint16_t port;
	char *service_proto; /* "tcp" (or "udp") */
	struct profile_option *options;
	size_t option_count;
	struct profile_action *actions;
	size_t action_count;
};

/* A role the vendor documents, and what it may do (roles:). */
struct profile_role {
	char *name;       /* "admin", "operator", "viewer" */
	char *credential; /* the credentials[].role whose account has this role */
	char **may;       /* action names (adapters[].actions) this role is documented to do */
	size_t may_count;
};

/* How the DUT is configured for the authentication tests (auth:). 0 means
 * "not declared" for every number. */
struct profile_auth {
	/* The credentials[].role of the account the lockout, password and
	 * session tests may lock, change and restore; never the admin. */
	char *test_credential;
	unsigned lockout_threshold;      /* failures that lock (NCC 5.3.1.2's N) */
	unsigned lockout_period_seconds; /* how long the lock lasts (NCC's T) */
	unsigned lockout_reset_seconds;  /* when the failure counter resets */
	unsigned idle_timeout_seconds;   /* the idle timeout as configured for the test */
	/* Password policy as declared (TS-0014-1 5.4.2, IoT-1006-1 5.1.1.7, 5.1.3.1). */
	unsigned password_min_length;
	unsigned password_classes; /* of upper, lower, digit, symbol */
	unsigned password_history; /* remembered previous passwords */
	unsigned password_min_age_days;
	unsigned password_max_age_days;
	/* POSIX extended regex matching the DUT's weak-password warning, when
	 * it warns instead of refusing (decision #9); NULL: refusals only. */
	char *password_warning;
	/* A recognised policy the vendor follows instead (decision #10):
	 * "NIST SP 800-63B"; NULL: none. */
	char *password_policy_reference;
};

/* One protocol of a robustness campaign's mix and its share ("arp": 1). */
struct profile_robustness_share {
	char *protocol; /* a fuzz template protocol: "arp", "lldp", "ipv4", "icmpv6" */
	unsigned weight;
};

/* robustness.bgp: the BGP session the session campaign opens (NCC 5.4.3.2). */
struct profile_robustness_bgp {
	bool declared;
	unsigned local_as, peer_as; /* the tester's AS and the DUT's */
	char *password;             /* TCP-MD5 (RFC 2385) key; NULL: none */
	unsigned hold_time;         /* offered, seconds (0 or 3..65535); default 90 */
	unsigned port;              /* default 179 */
	/* the prefixes the DUT must advertise to us ("198.18.24.128/25",
	 * "fd00:198:0:24:1::/80"): the session's health check; none: no check */
	char **expect_routes;
	size_t expect_route_count;
	/* the tester's IPv4 addresses on the port to hold one session from each, at once (a DUT
	 * keeps one session per peer address); none: one session from the port's address */
	char **sources;
	size_t source_count;
};

#define PROFILE_SESSION_LINKS_MAX 64                      /* robustness.session_links */
#define PROFILE_BGP_SOURCES_MAX PROFILE_SESSION_LINKS_MAX /* robustness.bgp.sources */

/* robustness.rip: the RIPv2 exchange the session campaign holds with the DUT (NCC 5.4.3.2). */
struct profile_robustness_rip {
	bool declared;
	char *password;  /* keyed-MD5 key (RFC 4822, at most 16 bytes); NULL: no authentication */
	unsigned key_id; /* the DUT's key id for it, 0..255; default 1 */
	unsigned port;   /* default 520 (RFC 2453 3.9.2: responses are taken from 520 only) */
};

/* robustness.ospf: the OSPFv2 adjacency the session campaign holds with the DUT (NCC 5.4.3.2).
 * Addresses are dotted IPv4 text, checked when loaded. */
struct profile_robustness_ospf {
	bool declared;
	char *area;          /* the area id; NULL: 0.0.0.0 (the backbone) */
	unsigned auth;       /* 0 null, 1 simple, 2 md5 (RFC 2328 D.4); default md5 with a
				password, else null */
	char *password;      /* simple: at most 8 bytes; md5: the key, at most 16 */
	unsigned key_id;     /* md5: the DUT's key id, 0..255; default 1 */
	unsigned hello;      /* HelloInterval, seconds, as the DUT's; default 10 */
	unsigned dead;       /* RouterDeadInterval, seconds, as the DUT's; default 40 */
	char *router_id;     /* ours; NULL: the tester's address */
	char *dut_router_id; /* the DUT's; NULL: its address */
	bool broadcast;      /* network: broadcast (RFC 2328 9: a DR and BDR elected); default
				point-to-point */
};

/* robustness.tls: the TLS server the session campaign handshakes with (TS-0014-1 5.3.2.3). */
struct profile_robustness_tls {
	bool declared;
	unsigned port;     /* default 443 */
	char *server_name; /* sent as SNI (RFC 6066) and checked for nothing; NULL: none */
};

/* robustness.rtsp: the RTSP session the rtsp, rtp and rtcp plug-ins hold with the DUT
 * (TS-0014-1 5.3.2.3): OPTIONS, DESCRIBE (Digest or Basic when asked), SETUP, PLAY. */
struct profile_robustness_rtsp {
	bool declared;
	unsigned port;  /* default 554, 322 with tls */
	bool tls;       /* RTSPS: the session runs inside TLS (the certificate not verified) */
	char *path;     /* the stream's path, "/stream"; NULL: "/" */
	char *user;     /* NULL: no credentials (a 401 is then the DUT's refusal) */
	char *password; /* with user */
};

/*
 * robustness: how the packet-level robustness campaign runs (NCC 5.4.1.6,
 * 5.4.2.4; TS-0014-1 5.3.2.3): where it sends, how long, how fast, which
 * protocols in what shares, and how the DUT's health is watched.
 */
struct profile_robustness {
	bool declared;
	char *interface;           /* the tester port facing the DUT (scope.interfaces) */
	char *dut_mac;             /* the DUT's MAC on it, "02:00:..."; NULL: learnt by ARP/ND */
	unsigned duration_seconds; /* the run; the standards ask 8 h (28800) */
	unsigned rate;             /* test cases per second */
	unsigned level;            /* anomalies stacked per case, 1..8 */
	unsigned seed;             /* 0: drawn at the start and recorded */
	struct profile_robustness_share *mix;
	size_t mix_count;
	char **monitors; /* health monitors: "icmp", "tcp", "neighbour", "lldp", ... */
	size_t monitor_count;
	unsigned tcp_port;    /* "tcp": the management port; 0: found from services */
	unsigned syslog_port; /* "syslog": the UDP port dutlab listens on; 0: 514 */
	char *syslog_pattern; /* "syslog": what counts as a failure; NULL: the default */
	/* "flow": the background flow through the DUT */
	char *flow_out_interface, *flow_in_interface, *flow_destination, *flow_next_hop_mac;
	char *flow_destination6; /* a second flow, of the other family, or NULL */
	unsigned flow_rate;
	unsigned recovery_seconds; /* waited for recovery before power_cycle; 0: 60 */
	/* every monitor's probe interval and answer timeout; 0: each monitor's own */
	unsigned monitor_interval_ms, monitor_timeout_ms;
	unsigned max_failures; /* the campaign stops after this many; 0: 8 */
	char *power_cycle;     /* the exec operation that power-cycles the DUT; NULL: none */
	unsigned session_establish_seconds; /* a session not back within this fails; 0: 20 */
	unsigned session_check_seconds;     /* a session protocol's health check; 0: 10 */
	unsigned session_links; /* sessions kept at once per protocol that allows it; 0: 1 */
	struct profile_robustness_bgp bgp;   /* mix protocol "bgp" needs it */
	struct profile_robustness_rip rip;   /* mix protocol "rip" needs it */
	struct profile_robustness_tls tls;   /* mix protocol "tls" needs it */
	struct profile_robustness_ospf ospf; /* mix protocol "ospf" needs it */
	struct profile_robustness_rtsp rtsp; /* mix rtsp, rtp, rtcp, rtp-udp, rtcp-udp read it */
};

struct profile_artifact {
	char *name; /* "firmware", "sbom", "config_backup", "manual" */
	char *path; /* resolved against the profile's folder */
};

/* A yes/no declaration that decides whether a conditional clause applies:
 * wifi, onvif, online_update, offline_update, remote_access, ... */
struct profile_capability {
	char *name;
	bool value;
};

/* A channel on which the DUT is a TLS client (its update server, recorder,
 * cloud): dutlab plays that server (TS-0014-1 5.3.1.2, 5.5.2.2, 5.2.3.3;
 * IoT-1006-1 5.1.1.4). */
struct profile_tls_client {
	char *name;    /* "update", "nvr", "cloud" */
	char *host;    /* the DNS name the DUT connects to; the valid certificate carries it */
	uint16_t port; /* the port dutlab listens on */
	char *listen_address; /* the tester's own address the DUT's connection reaches */
	char *trigger;        /* the adapter operation that makes the DUT connect */
	/* A CA the DUT trusts (installed by the lab): dutlab issues the valid
	 * control and the one-defect certificates with it. Absolute paths. */
	char *trusted_ca_certificate;
	char *trusted_ca_key;
	char **carries; /* "sensitive", "privacy", "update" */
	size_t carries_count;
	unsigned timeout_seconds; /* wait for the DUT's connection after the trigger */
};

/* Another unit of the same model (IoT-1006-1 5.2.1.3: keys unique per unit). */
struct profile_unit {
	char *serial;
	char **addresses;
	size_t address_count;
	/* the default password on this unit's label, when defaults differ per unit
	 * (TS-0014-1 5.4.2.1, IoT-1006-1 5.1.1.1); NULL: not declared */
	char *factory_password;
};

/* Free-form key/values for the report's cover page (NCC 6.1.4): applicant,
 * laboratory, tester, signer, report_id... */
struct profile_report_field {
	char *name;
	char *value;
};

struct profile {
	char *path; /* as given */
	/* identity */
	char *vendor, *model, *firmware, *serial;
	enum product_type product_type;
	char *product_type_text;

	struct profile_target *targets;
	size_t target_count;

	struct scope scope; /* scope.networks and scope.interfaces */

	char **addresses; /* dut.addresses: the DUT's management addresses */
	size_t address_count;

	struct profile_service *services;
	size_t service_count;
	struct profile_credential *credentials;
	size_t credential_count;
	struct profile_adapter *adapters;
	size_t adapter_count;
	struct profile_artifact *artifacts;
	size_t artifact_count;
	struct profile_capability *capabilities;
	size_t capability_count;
	struct profile_report_field *report_fields;
	size_t report_field_count;

	/* tls: what the DUT's server certificates are judged against */
	char *tls_ca_bundle;     /* PEM CAs they must chain to; NULL: none declared */
	char **tls_server_names; /* DNS names they must carry, besides the addresses */
	size_t tls_server_name_count;
	/* Factory identity keys that survive a reset by design (a device
	 * certificate): TLS spki_sha256 hex or SSH "SHA256:..." fingerprints,
	 * left out of the key comparisons (inventory decision #24). */
	char **tls_identity_keys;
	size_t tls_identity_key_count;
	struct profile_tls_client *tls_clients;
	size_t tls_client_count;
	struct profile_unit *units;
	size_t unit_count;

	struct profile_role *roles;
	size_t role_count;
	struct profile_auth auth;
	struct profile_robustness robustness;
};

/*
 * Load and validate a profile. On bad input returns DL_EINVAL and err says
 * "FILE:LINE:COLUMN: what was found; what was expected". Every address in
 * dut.addresses must lie inside scope.networks.
 */
int profile_load(struct profile *out, const char *path, struct dl_error *err);
void profile_release(struct profile *p);

/* Lookups; NULL or -1 when absent. */
const struct profile_service *profile_find_service(const struct profile *p, const char *proto,
						   uint16_t port);
const struct profile_credential *profile_find_credential(const struct profile *p, const char *role);
const struct profile_operation *profile_find_operation(const struct profile *p, const char *name);
const char *profile_find_artifact(const struct profile *p, const char *name);
/* 1 declared true, 0 declared false, -1 not declared. */
int profile_capability(const struct profile *p, const char *name);
/* 1 if the tls_clients entry carries kind ("sensitive", "privacy", "update"). */
bool profile_tls_client_carries(const struct profile_tls_client *c, const char *kind);
const struct profile_target *profile_find_target(const struct profile *p, const char *standard);
/* A login adapter's option value, or NULL when the profile does not set it. */
const char *profile_adapter_option(const struct profile_adapter *a, const char *name);
const struct profile_action *profile_adapter_action(const struct profile_adapter *a,
						    const char *name);
/* True when the adapter is a login driver (not "exec"). */
bool profile_adapter_is_login(const struct profile_adapter *a);

#endif
