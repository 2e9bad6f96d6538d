/* password-policy: what the password checks share: the battery's collector, test passwords and
 * the ageing operations */
#ifndef DUTLAB_CHECKS_AUTH_PASSWORD_POLICY_H
#define DUTLAB_CHECKS_AUTH_PASSWORD_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct collector;

extern const struct collector collector_auth_password_policy;

/*
 * Exec operations (adapters: driver exec) the password checks use when the
 * profile declares them, each with {username} (the test account) and
 * {password} (the profile's password of it) available:
 *   restore_password  set the account's password back to {password},
 *                     bypassing the policy (history, minimum age), and
 *                     leave it neither too young to change nor expired
 *   age_password      move the last change back past the minimum age, not
 *                     past the maximum (so the next change is allowed)
 *   warn_password     move the last change back into the expiry warning window
 *   expire_password   move the last change back past the maximum age
 *   export_config     write the DUT's configuration export to standard
 *                     output (auth.storage searches it)
 */
#define AUTH_OP_RESTORE "restore_password"
#define AUTH_OP_AGE "age_password"
#define AUTH_OP_WARN "warn_password"
#define AUTH_OP_EXPIRE "expire_password"
#define AUTH_OP_EXPORT "export_config"

/* Character classes of a generated password, as bits. */
enum auth_class {
	AUTH_CLASS_LOWER = 1u << 0,
	AUTH_CLASS_UPPER = 1u << 1,
	AUTH_CLASS_DIGIT = 1u << 2,
	AUTH_CLASS_SYMBOL = 1u << 3,
};

#define AUTH_PASSWORD_MAX 128

/*
 * A random password of length characters using exactly the classes given
 * (each at least once), with no run of 3 characters of username in either
 * case, no character twice in a row, and none of avoid[] (the passwords
 * already used). 0, or DL_EINVAL (length out of 1..AUTH_PASSWORD_MAX-1,
 * fewer characters than classes) or DL_EIO (no randomness).
 */
int auth_password_generate(unsigned classes, size_t length, const char *username,
			   const char *const *avoid, size_t avoid_count, char *out, size_t size);

/* The number of classes of text (upper, lower, digit, other). */
unsigned auth_password_classes(const char *text);

/* Does text contain a run of `run` consecutive characters of username,
 * case-insensitively? */
bool auth_password_has_user_run(const char *text, const char *username, size_t run);

/* Decision #9: does warning name the weakness of rule ("length", "classes")? */
bool auth_warning_names_weakness(const char *warning, const char *rule);

/*
 * The passwords dutlab set on the DUT during the campaign, so auth.storage
 * can look for them: one per line in CAMPAIGN/auth-test-passwords (mode
 * 0600, outside evidence/, never in a report). Append is best effort.
 */
#define AUTH_TEST_PASSWORDS_FILE "auth-test-passwords"
void auth_test_passwords_append(const char *campaign_dir, const char *password);

#endif
