/* text: bounded number parsing and string helpers that replace atoi/strtol/sscanf */
#ifndef DUTLAB_CORE_TEXT_H
#define DUTLAB_CORE_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Parse all of text as a decimal integer in [min, max]; 0 or DL_EINVAL. */
int text_parse_long(const char *text, long min, long max, long *out);
int text_parse_u64(const char *text, uint64_t max, uint64_t *out);

/* strdup that the caller frees; NULL in gives NULL out. */
char *text_dup(const char *text);

/* Copy src into dst of size dst_size, always terminated; true if it fit. */
bool text_copy(char *dst, size_t dst_size, const char *src);

bool text_starts_with(const char *text, const char *prefix);

/* A relative path that stays below its folder: not empty, not absolute, no
 * backslash, and no empty, "." or ".." component. */
bool text_is_contained_path(const char *path);

#endif
