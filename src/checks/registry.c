/* registry: the one table of every check and collector dutlab knows, sorted by id */
#include "core/compat.h"

#include "checks/check.h"

/* Declared in the capability folders. */
extern const struct collector collector_auth_defaults;
extern const struct collector collector_auth_enumeration;
extern const struct collector collector_auth_lockout;
extern const struct collector collector_auth_masking;
extern const struct collector collector_auth_password_policy;
extern const struct collector collector_auth_replay;
extern const struct collector collector_auth_roles;
extern const struct collector collector_auth_storage;
extern const struct collector collector_auth_unauthenticated;
extern const struct collector collector_discovery_scan;
extern const struct collector collector_keys_factory_reset;
extern const struct collector collector_keys_replace_certificate;
extern const struct collector collector_keys_units;
extern const struct collector collector_robustness_packets;
extern const struct collector collector_robustness_sessions;
extern const struct collector collector_session_idle;
extern const struct collector collector_session_tokens;
extern const struct collector collector_tls_channels;
extern const struct collector collector_tlsclient_matrix;
extern const struct check check_auth_default_credentials;
extern const struct check check_auth_enumeration;
extern const struct check check_auth_error_messages;
extern const struct check check_auth_every_interface;
extern const struct check check_auth_lockout;
extern const struct check check_auth_masking;
extern const struct check check_auth_password_lifetime;
extern const struct check check_auth_password_policy;
extern const struct check check_auth_replay;
extern const struct check check_auth_roles;
extern const struct check check_auth_storage;
extern const struct check check_crypto_approved_only;
extern const struct check check_discovery_debug_services;
extern const struct check check_discovery_device_info_protocols;
extern const struct check check_discovery_unauth_disclosure;
extern const struct check check_discovery_undeclared_services;
extern const struct check check_keys_factory_reset;
extern const struct check check_keys_replace_certificate;
extern const struct check check_keys_units;
extern const struct check check_robustness_packets;
extern const struct check check_robustness_sessions;
extern const struct check check_session_idle_timeout;
extern const struct check check_session_tokens;
extern const struct check check_tls_aes256;
extern const struct check check_tls_certificates;
extern const struct check check_tls_secure_channel;
extern const struct check check_tlsclient_validation;

/* one collector a line, as the checks below */
/* clang-format off */
const struct collector *const collector_registry[] = {
	&collector_auth_defaults,
	&collector_auth_enumeration,
	&collector_auth_lockout,
	&collector_auth_masking,
	&collector_auth_password_policy,
	&collector_auth_replay,
	&collector_auth_roles,
	&collector_auth_storage,
	&collector_auth_unauthenticated,
	&collector_discovery_scan,
	&collector_keys_factory_reset,
	&collector_keys_replace_certificate,
	&collector_keys_units,
	&collector_robustness_packets,
	&collector_robustness_sessions,
	&collector_session_idle,
	&collector_session_tokens,
	&collector_tls_channels,
	&collector_tlsclient_matrix,
	NULL,
};
/* clang-format on */
const size_t collector_registry_count = DL_ARRAY_SIZE(collector_registry) - 1;

const struct check *const check_registry[] = {
	&check_auth_default_credentials,
	&check_auth_enumeration,
	&check_auth_error_messages,
	&check_auth_every_interface,
	&check_auth_lockout,
	&check_auth_masking,
	&check_auth_password_lifetime,
	&check_auth_password_policy,
	&check_auth_replay,
	&check_auth_roles,
	&check_auth_storage,
	&check_crypto_approved_only,
	&check_discovery_debug_services,
	&check_discovery_device_info_protocols,
	&check_discovery_unauth_disclosure,
	&check_discovery_undeclared_services,
	&check_keys_factory_reset,
	&check_keys_replace_certificate,
	&check_keys_units,
	&check_robustness_packets,
	&check_robustness_sessions,
	&check_session_idle_timeout,
	&check_session_tokens,
	&check_tls_aes256,
	&check_tls_certificates,
	&check_tls_secure_channel,
	&check_tlsclient_validation,
	NULL,
};
const size_t check_registry_count = DL_ARRAY_SIZE(check_registry) - 1;
