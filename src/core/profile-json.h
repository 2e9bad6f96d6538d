/* profile-json: the profile as JSON, as stored in campaign.db for reports */
#ifndef DUTLAB_CORE_PROFILE_JSON_H
#define DUTLAB_CORE_PROFILE_JSON_H

struct json_object;
struct profile;

/* A new object (caller puts it): identity, targets, scope, addresses,
 * services, capabilities, adapters (operation names only), artifacts and
 * report fields. Passwords are never included. NULL when out of memory. */
struct json_object *profile_to_json(const struct profile *p);

#endif
