/* text: bounded number parsing and string helpers */
#include "core/compat.h"

#include "core/error.h"
#include "core/text.h"

int text_parse_long(const char *text, long min, long max, long *out)
{
	if (!text || !*text)
		return DL_EINVAL;
	char *end = NULL;
	errno = 0;
	long value = strtol(text, &end, 10); /* the one sanctioned caller */
	if (errno != 0 || *end != '\0' || value < min || value > max)
		return DL_EINVAL;
	*out = value;
	return 0;
}

int text_parse_u64(const char *text, uint64_t max, uint64_t *out)
{
	if (!text || *text < '0' || *text > '9')
		return DL_EINVAL;
	char *end = NULL;
	errno = 0;
	unsigned long long value = strtoull(text, &end, 10);
	if (errno != 0 || *end != '\0' || value > max)
		return DL_EINVAL;
	*out = value;
	return 0;
}

char *text_dup(const char *text)
{
	return text ? strdup(text) : NULL;
}

bool text_copy(char *dst, size_t dst_size, const char *src)
{
	if (dst_size == 0)
		return false;
	size_t length = strlen(src);
	if (length >= dst_size) {
		memcpy(dst, src, dst_size - 1);
		dst[dst_size - 1] = '\0';
		return false;
	}
	memcpy(dst, src, length + 1);
	return true;
}

bool text_starts_with(const char *text, const char *prefix)
{
	return strncmp(text, prefix, strlen(prefix)) == 0;
}

bool text_is_contained_path(const char *path)
{
	if (!path || !*path || path[0] == '/' || strchr(path, '\\'))
		return false;
	for (const char *p = path;;) {
		const char *end = strchr(p, '/');
		size_t length = end ? (size_t)(end - p) : strlen(p);
		if (length == 0 || (length == 1 && p[0] == '.') ||
		    (length == 2 && p[0] == '.' && p[1] == '.'))
			return false;
		if (!end)
			return true;
		p = end + 1;
	}
}
