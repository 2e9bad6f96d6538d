/* password-generate: random test passwords with exactly the defect a clause names, and the record
 * of those set */
#include "core/compat.h"

#include <ctype.h>
#include <fcntl.h>
#include <openssl/rand.h>
#include <unistd.h>

#include "checks/auth/password-policy.h"
#include "core/error.h"

/* Look-alikes (l, 1, O, 0) are left out so a transcript is readable;
 * the symbols are ones every login form and shell conversation carries. */
static const char *const alphabets[] = {
	"abcdefghijkmnpqrstuvwxyz",
	"ABCDEFGHJKLMNPQRSTUVWXYZ",
	"23456789",
	"@#_!-=",
};

#define GENERATE_TRIES 200

unsigned auth_password_classes(const char *text)
{
	bool lower = false, upper = false, digit = false, other = false;
	for (const char *s = text; s && *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c >= 'a' && c <= 'z')
			lower = true;
		else if (c >= 'A' && c <= 'Z')
			upper = true;
		else if (c >= '0' && c <= '9')
			digit = true;
		else
			other = true;
	}
	return (unsigned)lower + upper + digit + other;
}

bool auth_password_has_user_run(const char *text, const char *username, size_t run)
{
	size_t n = username ? strlen(username) : 0;
	size_t m = text ? strlen(text) : 0;
	if (run == 0 || n < run || m < run)
		return false;
	for (size_t i = 0; i + run <= n; i++)
		for (size_t j = 0; j + run <= m; j++)
			if (strncasecmp(username + i, text + j, run) == 0)
				return true;
	return false;
}

static int random_index(size_t bound, size_t *out)
{
	uint32_t v;
	if (bound == 0 || RAND_bytes((unsigned char *)&v, sizeof(v)) != 1)
		return DL_EIO;
	*out = v % bound; /* bias below 2^-24 for our alphabets */
	return 0;
}

int auth_password_generate(unsigned classes, size_t length, const char *username,
			   const char *const *avoid, size_t avoid_count, char *out, size_t size)
{
	size_t wanted = 0;
	const char *sets[4];
	for (size_t i = 0; i < 4; i++)
		if (classes & (1u << i))
			sets[wanted++] = alphabets[i];
	if (wanted == 0 || length < wanted || length >= AUTH_PASSWORD_MAX || length >= size)
		return DL_EINVAL;
	for (int attempt = 0; attempt < GENERATE_TRIES; attempt++) {
		size_t k;
		for (size_t i = 0; i < length; i++) {
			/* the first `wanted` positions take one of each class; the
			 * shuffle below spreads them */
			const char *set = sets[i < wanted ? i : 0];
			if (i >= wanted) {
				if (random_index(wanted, &k))
					return DL_EIO;
				set = sets[k];
			}
			if (random_index(strlen(set), &k))
				return DL_EIO;
			out[i] = set[k];
		}
		for (size_t i = length - 1; i > 0; i--) {
			if (random_index(i + 1, &k))
				return DL_EIO;
			char c = out[i];
			out[i] = out[k];
			out[k] = c;
		}
		out[length] = '\0';
		bool ok = !auth_password_has_user_run(out, username, 3);
		for (size_t i = 1; ok && i < length; i++)
			ok = out[i] != out[i - 1];
		for (size_t i = 0; ok && i < avoid_count; i++)
			ok = !avoid[i] || strcmp(avoid[i], out) != 0;
		if (ok)
			return 0;
	}
	return DL_EINVAL;
}

void auth_test_passwords_append(const char *campaign_dir, const char *password)
{
	if (!campaign_dir || !password || strchr(password, '\n'))
		return;
	char path[4096];
	int n = snprintf(path, sizeof(path), "%s/%s", campaign_dir, AUTH_TEST_PASSWORDS_FILE);
	if (n < 0 || (size_t)n >= sizeof(path))
		return;
	int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (fd < 0)
		return;
	dprintf(fd, "%s\n", password);
	close(fd);
}
