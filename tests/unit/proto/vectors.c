/* vectors: load captured replies from tests/unit/proto/vectors for the proto unit tests */
#include "core/compat.h"

#include <setjmp.h>
#include <cmocka.h>

#include "vectors.h"

size_t vector_load(const char *name, uint8_t *buf)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/tests/unit/proto/vectors/%s.bin", TEST_SOURCE_DIR, name);
	FILE *f = fopen(path, "rb");
	if (!f)
		fail_msg("cannot open test vector %s", path);
	size_t n = fread(buf, 1, VECTOR_MAX, f);
	fclose(f);
	assert_true(n > 0);
	return n;
}

void vector_assert_prefixes_fail(const uint8_t *msg, size_t len, vector_parse_fn parse)
{
	char message[1024];
	for (size_t cut = 0; cut < len; cut++) {
		message[0] = '\0';
		int rc = parse(msg, cut, message, sizeof(message));
		if (rc == 0)
			fail_msg("a %zu-byte prefix of a %zu-byte message parsed", cut, len);
		assert_int_equal(rc, -9 /* DL_EPROTO */);
		assert_non_null(strstr(message, "offset") ? message : NULL);
	}
}
