/* registry: the one table of every check and collector dutlab knows, sorted by id */
#include "core/compat.h"

#include "checks/check.h"

/* Declared in the capability folders. */
extern const struct collector collector_discovery_scan;
extern const struct collector collector_keys_factory_reset;
extern const struct collector collector_keys_replace_certificate;
extern const struct collector collector_keys_units;
extern const struct collector collector_tls_channels;
extern const struct collector collector_tlsclient_matrix;
extern const struct check check_crypto_approved_only;
extern const struct check check_discovery_debug_services;
extern const struct check check_discovery_device_info_protocols;
extern const struct check check_discovery_unauth_disclosure;
extern const struct check check_discovery_undeclared_services;
extern const struct check check_keys_factory_reset;
extern const struct check check_keys_replace_certificate;
extern const struct check check_keys_units;
extern const struct check check_tls_aes256;
extern const struct check check_tls_certificates;
extern const struct check check_tls_secure_channel;
extern const struct check check_tlsclient_validation;

const struct collector *const collector_registry[] = {
	&collector_discovery_scan,
	&collector_keys_factory_reset,
	&collector_keys_replace_certificate,
	&collector_keys_units,
	&collector_tls_channels,
	&collector_tlsclient_matrix,
	NULL,
};
const size_t collector_registry_count = DL_ARRAY_SIZE(collector_registry) - 1;

const struct check *const check_registry[] = {
	&check_crypto_approved_only,
	&check_discovery_debug_services,
	&check_discovery_device_info_protocols,
	&check_discovery_unauth_disclosure,
	&check_discovery_undeclared_services,
	&check_keys_factory_reset,
	&check_keys_replace_certificate,
	&check_keys_units,
	&check_tls_aes256,
	&check_tls_certificates,
	&check_tls_secure_channel,
	&check_tlsclient_validation,
	NULL,
};
const size_t check_registry_count = DL_ARRAY_SIZE(check_registry) - 1;
