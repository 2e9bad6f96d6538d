/* fuzz-password-scan: libFuzzer target for the artifact scanner (encodings, hash formats, Cisco 7)
 */
#include "core/compat.h"

#include "checks/auth/password-scan.h"
#include "core/error.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct pwscan_secret secrets[] = {
	{"canary", "Canary#2026x"},
	{"admin", "admin"},
	{"long", "Xq7-Km@9vR2pZa_4Lw8!Tn3#Hb6=Yc5Dd"},
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct pwscan *scan;
	static struct pwscan_result result;
	struct dl_error err;
	if (!scan && pwscan_new(secrets, DL_ARRAY_SIZE(secrets), &scan, &err) != 0)
		abort();
	memset(&result, 0, sizeof(result));
	pwscan_run(scan, data, size, 0, &result);
	for (size_t i = 0; i < result.match_count; i++)
		if (result.matches[i].offset >= size || result.matches[i].secret >= 3)
			abort(); /* every match lies inside the input and names a secret */
	for (size_t i = 0; i < result.hash_count; i++) {
		const struct pwscan_hash *h = &result.hashes[i];
		if (h->offset >= size || strlen(h->text) >= PWSCAN_HASH_TEXT_MAX || h->secret >= 3)
			abort();
	}
	/* the single-string identifier and the type 7 decoder on the same bytes */
	char text[PWSCAN_HASH_TEXT_MAX];
	size_t n = size < sizeof(text) - 1 ? size : sizeof(text) - 1;
	memcpy(text, data, n);
	text[n] = '\0';
	struct pwscan_hash h;
	if (pwscan_identify(text, strlen(text), &h) == 0 && strcmp(h.text, text) != 0)
		abort(); /* an identified string is kept whole */
	char plain[PWSCAN_HASH_TEXT_MAX];
	if (pwscan_cisco7_decode(text, plain, sizeof(plain)) == 0 &&
	    strlen(plain) != (strlen(text) - 2) / 2)
		abort();
	return 0;
}
