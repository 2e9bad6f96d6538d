/* test-checkpoint: a campaign's place saved in campaign.db and read back, and only by its own
 * campaign */
#include "core/compat.h"

#include <json-c/json.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>
#include <unistd.h>

#include "core/error.h"
#include "core/json-read.h"
#include "core/profile.h"
#include "core/store.h"
#include "fuzz/checkpoint.h"

static char dir[64];

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/dutlab-test-checkpoint-XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	struct store s;
	struct dl_error err = {0};
	if (store_open(&s, dir, true, &err) != 0)
		return -1;
	store_close(&s);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	char path[128];
	static const char *const files[] = {"campaign.db", "campaign.db-wal", "campaign.db-shm"};
	for (size_t i = 0; i < DL_ARRAY_SIZE(files); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
		unlink(path);
	}
	rmdir(dir);
	return 0;
}

/* Saved, then read back whole: the place, the failures appended, the caller's extra keys. */
static void saved_and_read_back(void **state)
{
	(void)state;
	struct json_object *failures = json_object_new_array();
	json_object_array_add(failures, json_tokener_parse("{\"monitor\": \"icmp\", \"at_s\": 3}"));
	struct checkpoint_place at = {.seed = 1234567, .next_index = 4321, .seconds_run = 12.5};
	struct json_object *o = checkpoint_new(&at, failures);
	assert_non_null(o);
	json_object_object_add(o, "protocols", json_tokener_parse("{\"bgp\": {\"sessions\": 9}}"));
	assert_true(checkpoint_save(dir, "test.checkpoint", o));
	json_object_put(o);

	struct json_object *back = json_object_new_array();
	struct checkpoint_place got;
	o = checkpoint_load(dir, "test.checkpoint", 0, &got, back);
	assert_non_null(o);
	assert_int_equal(got.seed, 1234567);
	assert_int_equal(got.next_index, 4321);
	assert_true(got.seconds_run > 12.4 && got.seconds_run < 12.6);
	assert_int_equal(json_object_array_length(back), 1);
	struct json_object *bgp = NULL, *sessions = NULL;
	assert_true(json_object_object_get_ex(o, "protocols", &bgp));
	assert_true(json_object_object_get_ex(bgp, "bgp", &bgp));
	assert_true(json_object_object_get_ex(bgp, "sessions", &sessions));
	assert_int_equal(json_object_get_int(sessions), 9);
	json_object_put(o);
	/* the same seed asked: found; another: not this campaign's */
	o = checkpoint_load(dir, "test.checkpoint", 1234567, &got, NULL);
	assert_non_null(o);
	json_object_put(o);
	assert_null(checkpoint_load(dir, "test.checkpoint", 99, &got, back));
	assert_int_equal(got.next_index, 0);
	assert_int_equal(json_object_array_length(back), 1);
	/* another key, another folder: nothing */
	assert_null(checkpoint_load(dir, "other.checkpoint", 0, &got, back));
	assert_null(checkpoint_load(NULL, "test.checkpoint", 0, &got, back));
	assert_false(checkpoint_save(NULL, "test.checkpoint", failures));
	json_object_put(back);
	json_object_put(failures);
}

/* What is no checkpoint: not JSON, no seed, a negative index. */
static void broken_checkpoints_ignored(void **state)
{
	(void)state;
	static const char *const broken[] = {"not json", "{\"next_index\": 5}",
					     "{\"seed\": 3, \"next_index\": -1}", "[]"};
	for (size_t i = 0; i < DL_ARRAY_SIZE(broken); i++) {
		struct store s;
		struct dl_error err = {0};
		assert_int_equal(store_open(&s, dir, false, &err), 0);
		assert_int_equal(store_meta_set(&s, "test.broken", broken[i], &err), 0);
		store_close(&s);
		struct checkpoint_place got;
		if (checkpoint_load(dir, "test.broken", 0, &got, NULL))
			fail_msg("'%s' read as a checkpoint", broken[i]);
	}
}

/* The observation's head: the run as asked and as it went, stopped or completed, resumed. */
static void observation_head(void **state)
{
	(void)state;
	struct profile_robustness r = {.interface = "trt-frr", .rate = 50, .duration_seconds = 60};
	struct checkpoint_place at = {.seed = 7, .next_index = 100, .seconds_run = 59.5};
	struct json_object *o = checkpoint_observation(&r, &at, 75.25, "", true, 40);
	assert_int_equal(json_read_int(o, "seed", 0), 7);
	assert_int_equal(json_read_int(o, "rate", 0), 50);
	assert_int_equal(json_read_int(o, "level", 0), 1);
	assert_int_equal(json_read_int(o, "duration_s", 0), 60);
	assert_int_equal(json_read_int(o, "resumed_at_index", 0), 40);
	assert_string_equal(json_read_text(o, "interface", ""), "trt-frr");
	assert_true(json_object_get_boolean(json_read_member(o, "completed")));
	assert_null(json_read_member(o, "stopped"));
	assert_true(json_object_get_double(json_read_member(o, "seconds_total")) > 75.2);
	json_object_put(o);
	o = checkpoint_observation(&r, &at, 75.25, "the DUT did not recover", false, 0);
	assert_false(json_object_get_boolean(json_read_member(o, "completed")));
	assert_string_equal(json_read_text(o, "stopped", ""), "the DUT did not recover");
	assert_null(json_read_member(o, "resumed_at_index"));
	json_object_put(o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(observation_head),
		cmocka_unit_test(saved_and_read_back),
		cmocka_unit_test(broken_checkpoints_ignored),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
