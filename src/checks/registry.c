/* registry: the one table of every check and collector dutlab knows, sorted by id */
#include "core/compat.h"

#include "checks/check.h"

/* Declared in the capability folders. */
extern const struct collector collector_discovery_scan;
extern const struct check check_discovery_debug_services;
extern const struct check check_discovery_device_info_protocols;
extern const struct check check_discovery_unauth_disclosure;
extern const struct check check_discovery_undeclared_services;

const struct collector *const collector_registry[] = {
	&collector_discovery_scan,
	NULL,
};
const size_t collector_registry_count = DL_ARRAY_SIZE(collector_registry) - 1;

const struct check *const check_registry[] = {
	&check_discovery_debug_services,
	&check_discovery_device_info_protocols,
	&check_discovery_unauth_disclosure,
	&check_discovery_undeclared_services,
	NULL,
};
const size_t check_registry_count = DL_ARRAY_SIZE(check_registry) - 1;
