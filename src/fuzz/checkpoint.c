/* checkpoint: where a robustness campaign is, saved in campaign.db's meta table and read back */
#include "core/compat.h"

#include <json-c/json.h>

#include "core/error.h"
#include "core/json-read.h"
#include "core/profile.h"
#include "core/store.h"
#include "fuzz/checkpoint.h"

struct json_object *checkpoint_observation(const struct profile_robustness *r,
					   const struct checkpoint_place *at, double seconds_total,
					   const char *stopped, bool resumed, uint64_t resumed_at)
{
	struct json_object *o = json_object_new_object();
	json_object_object_add(o, "version", json_object_new_int(1));
	json_object_object_add(o, "interface", json_object_new_string(r->interface));
	json_object_object_add(o, "seed", json_object_new_int64((int64_t)at->seed));
	json_object_object_add(o, "rate", json_object_new_int64(r->rate));
	json_object_object_add(o, "level", json_object_new_int((int)(r->level ? r->level : 1)));
	json_object_object_add(o, "duration_s", json_object_new_int64(r->duration_seconds));
	json_object_object_add(o, "seconds_run", json_object_new_double(at->seconds_run));
	json_object_object_add(o, "seconds_total", json_object_new_double(seconds_total));
	json_object_object_add(o, "completed", json_object_new_boolean(!stopped || !stopped[0]));
	if (stopped && stopped[0])
		json_object_object_add(o, "stopped", json_object_new_string(stopped));
	if (resumed)
		json_object_object_add(o, "resumed_at_index",
				       json_object_new_int64((int64_t)resumed_at));
	return o;
}

struct json_object *checkpoint_new(const struct checkpoint_place *at, struct json_object *failures)
{
	struct json_object *o = json_object_new_object();
	if (!o)
		return NULL;
	json_object_object_add(o, "seed", json_object_new_int64((int64_t)at->seed));
	json_object_object_add(o, "next_index", json_object_new_int64((int64_t)at->next_index));
	json_object_object_add(o, "seconds_run", json_object_new_double(at->seconds_run));
	json_object_object_add(o, "failures", json_object_get(failures));
	return o;
}

bool checkpoint_save(const char *campaign_dir, const char *key, struct json_object *o)
{
	if (!campaign_dir || !o)
		return false;
	struct store s;
	struct dl_error ignored;
	if (store_open(&s, campaign_dir, false, &ignored) != 0)
		return false;
	bool saved =
		store_meta_set(&s, key, json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN),
			       &ignored) == 0;
	store_close(&s);
	return saved;
}

struct json_object *checkpoint_load(const char *campaign_dir, const char *key, uint64_t seed,
				    struct checkpoint_place *at, struct json_object *failures)
{
	*at = (struct checkpoint_place){0};
	if (!campaign_dir)
		return NULL;
	struct store s;
	struct dl_error ignored;
	char *text = NULL;
	if (store_open(&s, campaign_dir, false, &ignored) != 0)
		return NULL;
	int rc = store_meta_get(&s, key, &text, &ignored);
	store_close(&s);
	if (rc || !text)
		return NULL;
	struct json_object *o = json_tokener_parse(text);
	free(text);
	if (!o)
		return NULL;
	int64_t saved = json_read_int(o, "seed", 0);
	int64_t next = json_read_int(o, "next_index", -1);
	if (saved <= 0 || next < 0 || (seed && (uint64_t)saved != seed)) {
		json_object_put(o);
		return NULL;
	}
	at->seed = (uint64_t)saved;
	at->next_index = (uint64_t)next;
	struct json_object *sec = json_read_member(o, "seconds_run");
	at->seconds_run = sec ? json_object_get_double(sec) : 0;
	struct json_object *list = json_read_array(o, "failures");
	for (size_t i = 0; failures && list && i < json_object_array_length(list); i++)
		json_object_array_add(failures,
				      json_object_get(json_object_array_get_idx(list, i)));
	return o;
}
