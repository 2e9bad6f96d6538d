/* token-decode: the varying part of session tokens, with base64 layers around text and constant
 * affixes removed */
#ifndef DUTLAB_CHECKS_SESSION_TOKEN_DECODE_H
#define DUTLAB_CHECKS_SESSION_TOKEN_DECODE_H

#include <stddef.h>

struct dl_error;

/*
 * A DUT often wraps its random value in text before encoding it: Cockpit's
 * cookie is base64("v=2;k=" + 64 hex digits). Analysed as issued, the
 * base64 characters carry the ASCII structure of that text, and the bit
 * tests (FIPS 140-2, SP 800-22) fail on the encoding, not on the
 * generator. The analyser must see the value the generator made, so:
 *   1. while every token is base64 (standard or URL-safe, padded or not)
 *      of printable text, replace it by that text (at most two layers);
 *   2. cut the prefix and suffix every token shares (constant characters
 *      carry no entropy; keeping them only hides the alphabet).
 * Both steps are bijective on the sample and add no entropy.
 */

#define TOKEN_DECODE_LAYERS_MAX 2
#define TOKEN_DECODE_AFFIX_SHOWN 48

struct token_decode {
	char **tokens; /* count decoded tokens, each non-empty; owned */
	size_t count;
	unsigned base64_layers; /* base64-of-text layers removed */
	size_t prefix_length, suffix_length;
	/* what was cut, printable, at most TOKEN_DECODE_AFFIX_SHOWN characters */
	char prefix[TOKEN_DECODE_AFFIX_SHOWN + 1], suffix[TOKEN_DECODE_AFFIX_SHOWN + 1];
};

/* Decode count NUL-terminated tokens (count >= 1). Fills out, which the
 * caller releases; DL_ENOMEM or DL_EINVAL (an empty or NULL token). */
int token_decode(const char *const *tokens, size_t count, struct token_decode *out,
		 struct dl_error *err);
void token_decode_release(struct token_decode *d);

/* One token's base64 decoding (either alphabet, padding optional) into out
 * (size bytes); the decoded length, or -1 when text is not base64 or does
 * not fit. Exposed for the tests. */
long token_decode_base64(const char *text, unsigned char *out, size_t size);

#endif
