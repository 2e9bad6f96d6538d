/* test-telnet: the telnet stream model against busybox telnetd's opening and RFC 854/1091 cases */
#include "core/compat.h"

#include <setjmp.h>
#include <cmocka.h>

#include "core/error.h"
#include "proto/telnet.h"

#define IAC TELNET_IAC

struct fed {
	uint8_t data[256];
	size_t data_len;
	uint8_t reply[256];
	size_t reply_len;
};

static int feed(struct telnet *t, const uint8_t *in, size_t len, struct fed *f)
{
	struct dl_error err = {0};
	size_t consumed = 0;
	int rc = telnet_feed(t, in, len, &consumed, f->data, sizeof(f->data), &f->data_len,
			     f->reply, sizeof(f->reply), &f->reply_len, &err);
	if (rc == 0)
		assert_int_equal(consumed, len);
	return rc;
}

/* busybox telnetd's first bytes (telnetd.c iacs_to_send), then its banner */
static void test_busybox_opening(void **state)
{
	(void)state;
	struct telnet t;
	assert_int_equal(telnet_init(&t, NULL, NULL), 0);
	const uint8_t in[] = {IAC,  TELNET_DO,   TELNET_OPTION_ECHO,
			      IAC,  TELNET_DO,   TELNET_OPTION_NAWS,
			      IAC,  TELNET_WILL, TELNET_OPTION_ECHO,
			      IAC,  TELNET_WILL, TELNET_OPTION_SGA,
			      '\r', '\n',        'l',
			      'o',  'g',         'i',
			      'n',  ':',         ' '};
	struct fed f = {0};
	assert_int_equal(feed(&t, in, sizeof(in), &f), 0);
	const uint8_t want[] = {
		IAC, TELNET_WONT, TELNET_OPTION_ECHO, IAC, TELNET_WONT, TELNET_OPTION_NAWS,
		IAC, TELNET_DO,   TELNET_OPTION_ECHO, IAC, TELNET_DO,   TELNET_OPTION_SGA};
	assert_int_equal(f.reply_len, sizeof(want));
	assert_memory_equal(f.reply, want, sizeof(want));
	assert_int_equal(f.data_len, 9);
	assert_memory_equal(f.data, "\r\nlogin: ", 9);
	assert_true(telnet_remote_enabled(&t, TELNET_OPTION_ECHO));
	assert_true(telnet_remote_enabled(&t, TELNET_OPTION_SGA));
	assert_false(telnet_local_enabled(&t, TELNET_OPTION_ECHO));
	assert_int_equal(t.commands, 4);
	assert_int_equal(t.log_count, 4);
	assert_int_equal(t.log[1].command, TELNET_DO);
	assert_int_equal(t.log[1].option, TELNET_OPTION_NAWS);
}

/* RFC 854's loop rule: a request that changes nothing is not answered */
static void test_no_loops(void **state)
{
	(void)state;
	struct telnet t;
	telnet_init(&t, NULL, NULL);
	struct fed f = {0};
	const uint8_t will[] = {IAC, TELNET_WILL, TELNET_OPTION_ECHO};
	assert_int_equal(feed(&t, will, sizeof(will), &f), 0);
	assert_int_equal(f.reply_len, 3);
	assert_int_equal(feed(&t, will, sizeof(will), &f), 0);
	assert_int_equal(f.reply_len, 3); /* already on: silent */
	const uint8_t wont[] = {IAC, TELNET_WONT, TELNET_OPTION_ECHO};
	assert_int_equal(feed(&t, wont, sizeof(wont), &f), 0);
	assert_int_equal(f.reply_len, 6);
	assert_int_equal(f.reply[4], TELNET_DONT);
	assert_false(telnet_remote_enabled(&t, TELNET_OPTION_ECHO));
	assert_int_equal(feed(&t, wont, sizeof(wont), &f), 0);
	assert_int_equal(f.reply_len, 6);
	/* DONT for an option we never turned on: silent; an unknown WILL: refused */
	const uint8_t dont[] = {IAC, TELNET_DONT, TELNET_OPTION_SGA, IAC, TELNET_WILL, 200};
	assert_int_equal(feed(&t, dont, sizeof(dont), &f), 0);
	assert_int_equal(f.reply_len, 9);
	const uint8_t refusal[] = {IAC, TELNET_DONT, 200};
	assert_memory_equal(f.reply + 6, refusal, 3);
}

static void test_escapes_and_cr_nul(void **state)
{
	(void)state;
	struct telnet t;
	telnet_init(&t, NULL, NULL);
	struct fed f = {0};
	const uint8_t in[] = {'a', IAC, IAC, 'b', '\r', 0, 'c', IAC, TELNET_NOP, IAC, TELNET_GA, 0};
	assert_int_equal(feed(&t, in, sizeof(in), &f), 0);
	const uint8_t want[] = {'a', 0xff, 'b', '\r', 'c', 0};
	assert_int_equal(f.data_len, sizeof(want));
	assert_memory_equal(f.data, want, sizeof(want));
	assert_int_equal(f.reply_len, 0);
	assert_int_equal(t.commands, 2);
	assert_string_equal(telnet_command_name(t.log[0].command), "NOP");
	assert_string_equal(telnet_command_name(t.log[1].command), "GA");
}

/* a command split over reads: the state carries over byte by byte */
static void test_split_feeds(void **state)
{
	(void)state;
	struct telnet t;
	telnet_init(&t, "vt100", NULL);
	const uint8_t in[] = {
		IAC, TELNET_DO, TELNET_OPTION_TTYPE, IAC, TELNET_SB, TELNET_OPTION_TTYPE,
		1,   IAC,       TELNET_SE,           'x'};
	struct fed f = {0};
	for (size_t i = 0; i < sizeof(in); i++)
		assert_int_equal(feed(&t, in + i, 1, &f), 0);
	const uint8_t want[] = {IAC, TELNET_WILL, TELNET_OPTION_TTYPE,
				IAC, TELNET_SB,   TELNET_OPTION_TTYPE,
				0,   'v',         't',
				'1', '0',         '0',
				IAC, TELNET_SE};
	assert_int_equal(f.reply_len, sizeof(want));
	assert_memory_equal(f.reply, want, sizeof(want));
	assert_int_equal(f.data_len, 1);
	assert_int_equal(f.data[0], 'x');
	assert_true(telnet_local_enabled(&t, TELNET_OPTION_TTYPE));
}

static void test_terminal_type_refused_by_default(void **state)
{
	(void)state;
	struct telnet t;
	telnet_init(&t, "", NULL);
	const uint8_t in[] = {IAC, TELNET_DO, TELNET_OPTION_TTYPE,
			      IAC, TELNET_SB, TELNET_OPTION_TTYPE,
			      1,   IAC,       TELNET_SE};
	struct fed f = {0};
	assert_int_equal(feed(&t, in, sizeof(in), &f), 0);
	const uint8_t want[] = {IAC, TELNET_WONT, TELNET_OPTION_TTYPE};
	assert_int_equal(f.reply_len, sizeof(want));
	assert_memory_equal(f.reply, want, sizeof(want));
	struct dl_error err = {0};
	assert_int_equal(telnet_init(&t, "vt 100", &err), DL_EINVAL);
	assert_non_null(strstr(err.message, "printable"));
	char long_type[60];
	memset(long_type, 'a', sizeof(long_type) - 1);
	long_type[sizeof(long_type) - 1] = '\0';
	assert_int_equal(telnet_init(&t, long_type, &err), DL_EINVAL);
}

/* a long subnegotiation is cut, counted, and does not leak into the data */
static void test_long_subnegotiation(void **state)
{
	(void)state;
	struct telnet t;
	telnet_init(&t, NULL, NULL);
	uint8_t in[200];
	size_t n = 0;
	in[n++] = IAC;
	in[n++] = TELNET_SB;
	in[n++] = TELNET_OPTION_NAWS;
	for (size_t i = 0; i < 100; i++)
		in[n++] = 'z';
	in[n++] = IAC;
	in[n++] = IAC; /* an escaped 0xFF inside */
	in[n++] = IAC;
	in[n++] = TELNET_SE;
	in[n++] = 'k';
	struct fed f = {0};
	assert_int_equal(feed(&t, in, n, &f), 0);
	assert_int_equal(f.data_len, 1);
	assert_int_equal(f.data[0], 'k');
	assert_int_equal(t.sb_len, TELNET_SUBNEGOTIATION_MAX);
	assert_int_equal(t.sb_truncated, 101 - TELNET_SUBNEGOTIATION_MAX);
	assert_int_equal(t.log[0].command, TELNET_SB);
	assert_int_equal(t.log[0].option, TELNET_OPTION_NAWS);
}

/* full buffers: feeding stops at a byte boundary, and resumes where it stopped */
static void test_buffer_full(void **state)
{
	(void)state;
	struct telnet t;
	telnet_init(&t, NULL, NULL);
	const uint8_t in[] = {'a', 'b', 'c', IAC, TELNET_WILL, TELNET_OPTION_ECHO, 'd'};
	uint8_t data[2], reply[8];
	size_t data_len = 0, reply_len = 0, consumed = 0;
	struct dl_error err = {0};
	assert_int_equal(telnet_feed(&t, in, sizeof(in), &consumed, data, sizeof(data), &data_len,
				     reply, sizeof(reply), &reply_len, &err),
			 DL_ENOMEM);
	assert_int_equal(consumed, 2);
	assert_int_equal(data_len, 2);
	assert_non_null(strstr(err.message, "data buffer full"));
	data_len = 0;
	size_t more = 0;
	assert_int_equal(telnet_feed(&t, in + consumed, sizeof(in) - consumed, &more, data,
				     sizeof(data), &data_len, reply, 2, &reply_len, &err),
			 DL_ENOMEM); /* the reply needs 3 bytes */
	assert_int_equal(more, 3);   /* 'c', IAC, WILL: stopped before the option byte */
	assert_non_null(strstr(err.message, "reply buffer full"));
	consumed += more;
	assert_int_equal(telnet_feed(&t, in + consumed, sizeof(in) - consumed, &more, data,
				     sizeof(data), &data_len, reply, sizeof(reply), &reply_len,
				     &err),
			 0);
	assert_int_equal(reply_len, 3);
	assert_int_equal(reply[1], TELNET_DO);
	assert_int_equal(data_len, 2);
	assert_memory_equal(data, "cd", 2);
}

static void test_encode(void **state)
{
	(void)state;
	uint8_t out[16];
	size_t out_len = 0;
	struct dl_error err = {0};
	const uint8_t in[] = {'p', 0xff, 'w', '\r', 'x', '\r', '\n'};
	assert_int_equal(telnet_encode(in, sizeof(in), out, sizeof(out), &out_len, &err), 0);
	const uint8_t want[] = {'p', 0xff, 0xff, 'w', '\r', 0, 'x', '\r', '\n'};
	assert_int_equal(out_len, sizeof(want));
	assert_memory_equal(out, want, sizeof(want));
	/* a trailing lone CR gets its NUL; too little room appends nothing */
	out_len = 0;
	assert_int_equal(telnet_encode((const uint8_t *)"\r", 1, out, sizeof(out), &out_len, &err),
			 0);
	assert_int_equal(out_len, 2);
	size_t full = 15;
	assert_int_equal(telnet_encode(in, sizeof(in), out, sizeof(out), &full, &err), DL_ENOMEM);
	assert_int_equal(full, 15);
}

static void test_names(void **state)
{
	(void)state;
	char buf[16];
	assert_string_equal(telnet_option_name(TELNET_OPTION_SGA, buf, sizeof(buf)),
			    "SUPPRESS-GO-AHEAD");
	assert_string_equal(telnet_option_name(99, buf, sizeof(buf)), "option-99");
	assert_string_equal(telnet_command_name(TELNET_WILL), "WILL");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_busybox_opening),
		cmocka_unit_test(test_no_loops),
		cmocka_unit_test(test_escapes_and_cr_nul),
		cmocka_unit_test(test_split_feeds),
		cmocka_unit_test(test_terminal_type_refused_by_default),
		cmocka_unit_test(test_long_subnegotiation),
		cmocka_unit_test(test_buffer_full),
		cmocka_unit_test(test_encode),
		cmocka_unit_test(test_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
