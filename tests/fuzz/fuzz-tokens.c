/* fuzz-tokens: libFuzzer target for tokens_analyse, one token per input line */
#include "core/compat.h"

#include "checks/session/tokens.h"
#include "core/error.h"

#define FUZZ_TOKENS_MAX 4096

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *tokens[FUZZ_TOKENS_MAX];
	static struct tokens_analysis analysis;
	char *text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	/* NULs inside the input end a token early, as they would in C strings */
	size_t count = 0;
	char *p = text;
	while (count < FUZZ_TOKENS_MAX) {
		tokens[count++] = p;
		char *nl = memchr(p, '\n', (size_t)(text + size - p));
		if (!nl)
			break;
		*nl = '\0';
		p = nl + 1;
	}
	struct dl_error err;
	if (tokens_analyse(tokens, count, &analysis, &err) < 0) {
		if (!strstr(err.message, "tokens"))
			abort(); /* every rejection must say what it rejected */
	} else {
		char reason[256];
		tokens_enough_entropy(&analysis, 64, reason, sizeof(reason));
		if (analysis.min_entropy_bits < 0 || analysis.unique > analysis.count ||
		    analysis.min_entropy_bits > analysis.min_entropy_bits_position + 1e-9)
			abort(); /* the minimum must not exceed any estimate */
	}
	free(text);
	return 0;
}
