/* test-cursor: the bounds-checked reader fails with a reason, a value and an offset */
#include "core/compat.h"

#include <setjmp.h>
#include <cmocka.h>

#include "core/error.h"
#include "proto/cursor.h"

static void test_getters(void **state)
{
	(void)state;
	const uint8_t b[] = {0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07};
	struct cursor c;
	cursor_init(&c, b, sizeof(b));
	uint8_t u8;
	uint16_t u16;
	uint32_t u32;
	assert_int_equal(cursor_u8(&c, &u8), 0);
	assert_int_equal(u8, 1);
	assert_int_equal(cursor_u16be(&c, &u16), 0);
	assert_int_equal(u16, 0x0203);
	assert_int_equal(cursor_u32be(&c, &u32), 0);
	assert_int_equal(u32, 0x04050607);
	assert_true(cursor_at_end(&c));
	assert_false(cursor_failed(&c));
	assert_int_equal(cursor_u8(&c, &u8), DL_EPROTO);
	assert_true(cursor_failed(&c));
	assert_int_equal(c.error->offset, 7);
}

static void test_truncation_records_offset_and_value(void **state)
{
	(void)state;
	const uint8_t b[] = {0xaa, 0xbb, 0xcc};
	struct cursor c;
	cursor_init(&c, b, sizeof(b));
	assert_int_equal(cursor_skip(&c, 2), 0);
	uint32_t v;
	assert_int_equal(cursor_u32be(&c, &v), DL_EPROTO);
	struct dl_error err = {0};
	assert_int_equal(cursor_error_report(&c, &err, "test message"), DL_EPROTO);
	assert_string_equal(
		err.message,
		"test message: offset 2: truncated: needs more bytes than remain (value 4)");
	/* the first failure is kept */
	cursor_fail_value(&c, "later failure", 9);
	assert_int_equal(c.error->offset, 2);
	assert_string_equal(c.error->reason, "truncated: needs more bytes than remain");
}

static void test_sub_cursor_offsets_are_absolute(void **state)
{
	(void)state;
	const uint8_t b[] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
	struct cursor c, sub, subsub;
	cursor_init(&c, b, sizeof(b));
	assert_int_equal(cursor_skip(&c, 3), 0);
	assert_int_equal(cursor_sub(&c, 4, &sub), 0);
	assert_int_equal(cursor_position(&c), 7);
	assert_int_equal(cursor_remaining(&sub), 4);
	assert_int_equal(cursor_skip(&sub, 1), 0);
	assert_int_equal(cursor_sub(&sub, 2, &subsub), 0);
	const uint8_t *p;
	assert_int_equal(cursor_bytes(&subsub, 2, &p), 0);
	assert_int_equal(p[0], 4);
	assert_int_equal(cursor_bytes(&subsub, 1, &p), DL_EPROTO);
	/* the failure is seen through the root cursor, at the root's offset */
	assert_true(cursor_failed(&c));
	assert_int_equal(c.error->offset, 6);
	assert_int_equal(cursor_sub(&c, 4, &sub), DL_EPROTO);
}

static void test_root_at(void **state)
{
	(void)state;
	const uint8_t b[] = {9, 8, 7, 6};
	struct cursor c, sub, jump;
	cursor_init(&c, b, sizeof(b));
	assert_int_equal(cursor_sub(&c, 4, &sub), 0);
	assert_int_equal(cursor_root_at(&sub, 1, &jump), 0);
	uint8_t v;
	assert_int_equal(cursor_u8(&jump, &v), 0);
	assert_int_equal(v, 8);
	/* jumping again from the jump cursor itself (DNS pointer after pointer) */
	assert_int_equal(cursor_root_at(&jump, 3, &jump), 0);
	assert_int_equal(cursor_u8(&jump, &v), 0);
	assert_int_equal(v, 6);
	assert_int_equal(cursor_root_at(&sub, 5, &jump), DL_EPROTO);
	assert_true(cursor_failed(&c));
}

static void test_lines_and_headers(void **state)
{
	(void)state;
	const char text[] = "HTTP/1.1 200 OK\r\nServer:  nginx/1.22.1 \r\nx\r\n\r\n";
	struct cursor c;
	cursor_init(&c, (const uint8_t *)text, sizeof(text) - 1);
	const uint8_t *line, *name, *value;
	size_t n, nl, vl;
	bool end;
	assert_int_equal(cursor_line(&c, 64, &line, &n), 0);
	assert_int_equal(n, 15);
	assert_int_equal(cursor_header(&c, 64, &name, &nl, &value, &vl, &end), 0);
	assert_false(end);
	assert_true(cursor_span_equals(name, nl, "SERVER"));
	assert_true(cursor_span_equals(value, vl, "nginx/1.22.1"));
	assert_int_equal(cursor_header(&c, 64, &name, &nl, &value, &vl, &end), DL_EPROTO);
	struct dl_error err;
	cursor_error_report(&c, &err, "h");
	assert_string_equal(err.message,
			    "h: offset 41: header line without a name and a colon (value 1)");
}

static void test_line_limits(void **state)
{
	(void)state;
	struct cursor c;
	const char long_line[] = "abcdefghijklmnopqrstuvwxyz\r\n";
	cursor_init(&c, (const uint8_t *)long_line, sizeof(long_line) - 1);
	const uint8_t *line;
	size_t n;
	assert_int_equal(cursor_line(&c, 10, &line, &n), DL_EPROTO);
	assert_string_equal(c.error->reason, "line too long");
	const char no_end[] = "no end";
	cursor_init(&c, (const uint8_t *)no_end, sizeof(no_end) - 1);
	assert_int_equal(cursor_line(&c, 64, &line, &n), DL_EPROTO);
	assert_string_equal(c.error->reason, "truncated: line has no end");
	const uint8_t nul[] = {'a', 0, 'b', '\n'};
	cursor_init(&c, nul, sizeof(nul));
	assert_int_equal(cursor_line(&c, 64, &line, &n), DL_EPROTO);
	assert_int_equal(c.error->offset, 1);
}

static void test_printable(void **state)
{
	(void)state;
	char out[6];
	const uint8_t in[] = {'a', 0x01, 0xff, 'b', 'c', 'd', 'e'};
	assert_false(cursor_text_printable(out, sizeof(out), in, sizeof(in)));
	assert_string_equal(out, "a..bc");
	assert_true(cursor_text_printable(out, sizeof(out), in, 2));
	assert_string_equal(out, "a.");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_getters),
		cmocka_unit_test(test_truncation_records_offset_and_value),
		cmocka_unit_test(test_sub_cursor_offsets_are_absolute),
		cmocka_unit_test(test_root_at),
		cmocka_unit_test(test_lines_and_headers),
		cmocka_unit_test(test_line_limits),
		cmocka_unit_test(test_printable),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
