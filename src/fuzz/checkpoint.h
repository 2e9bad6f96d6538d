/* checkpoint: where a robustness campaign is, saved in campaign.db's meta table and read back */
#ifndef DUTLAB_FUZZ_CHECKPOINT_H
#define DUTLAB_FUZZ_CHECKPOINT_H

/*
 * A campaign is deterministic from its seed (case i is rebuilt from the
 * seed and i), so where it is fits a small JSON object: the seed, the next
 * case, the seconds run and the failures found, plus what the campaign
 * cannot rebuild (the session campaign's session and reset counts), saved
 * under the campaign's key every few seconds: a campaign killed at hour 5
 * resumes at hour 5.
 */

#include <stdbool.h>
#include <stdint.h>

struct json_object;
struct profile_robustness;

struct checkpoint_place {
	uint64_t seed, next_index;
	double seconds_run;
};

/* A new checkpoint object: the place and (a reference to) failures. */
struct json_object *checkpoint_new(const struct checkpoint_place *at, struct json_object *failures);
/* Save o under key in campaign_dir's campaign.db; best effort (a checkpoint
 * that cannot be written costs only the resumption): false when it failed. */
bool checkpoint_save(const char *campaign_dir, const char *key, struct json_object *o);
/*
 * The checkpoint under key, when there is one for this campaign: its seed
 * set, and equal to seed when seed is not 0 (a profile that names its
 * seed resumes only its own campaign). A new object (the caller puts it)
 * with *at filled and its failures appended to failures; NULL when none.
 */
struct json_object *checkpoint_load(const char *campaign_dir, const char *key, uint64_t seed,
				    struct checkpoint_place *at, struct json_object *failures);

/*
 * The head of a campaign's observation: version, interface, seed, rate,
 * level, duration_s, seconds_run (at's), seconds_total, completed (stopped
 * empty) or stopped, and resumed_at_index when the run resumed there. A new
 * object (the caller adds its counts).
 */
struct json_object *checkpoint_observation(const struct profile_robustness *r,
					   const struct checkpoint_place *at, double seconds_total,
					   const char *stopped, bool resumed, uint64_t resumed_at);

#endif
