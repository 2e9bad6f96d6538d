/* fuzz-token-decode: libFuzzer target for token_decode (base64 layers, constant affixes), one token
 * per input line */
#include "core/compat.h"

#include "checks/session/token-decode.h"
#include "core/error.h"

#define FUZZ_TOKENS_MAX 1024

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *tokens[FUZZ_TOKENS_MAX];
	char *text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	size_t count = 0, shortest = SIZE_MAX;
	char *p = text;
	while (count < FUZZ_TOKENS_MAX) {
		tokens[count++] = p;
		char *nl = memchr(p, '\n', (size_t)(text + size - p));
		if (nl)
			*nl = '\0';
		size_t len = strlen(p);
		if (len < shortest)
			shortest = len;
		if (!nl)
			break;
		p = nl + 1;
	}
	struct token_decode d;
	struct dl_error err;
	if (token_decode(tokens, count, &d, &err) < 0) {
		if (shortest > 0 || !strstr(err.message, "tokens"))
			abort(); /* only an empty token may be refused, and it says so */
	} else {
		if (shortest == 0 || d.count != count)
			abort();
		for (size_t i = 0; i < d.count; i++)
			if (!d.tokens[i][0])
				abort(); /* every decoded token keeps a character */
		if (d.base64_layers == 0 && d.prefix_length + d.suffix_length >= shortest)
			abort(); /* the cut never empties the shortest token */
		token_decode_release(&d);
	}
	unsigned char out[64];
	token_decode_base64(tokens[0], out, sizeof(out));
	free(text);
	return 0;
}
