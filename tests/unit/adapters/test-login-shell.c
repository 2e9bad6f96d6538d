/* test-login-shell: the remote-shell conversation (markers, passwd prompts, PAM's words) on a
 * scripted pty */
#include "core/compat.h"

#include <setjmp.h>
#include <cmocka.h>

#include "adapters/login-shell.h"
#include "core/error.h"
#include "net/sock.h"

/* A scripted DUT: each line typed gets the next reply, with the marker's $? expanded. */
struct fake {
	const char *const *replies; /* "%M" in a reply stands for the marker with its status */
	size_t count;
	size_t next;
	int status; /* what $? expands to */
	char marker[64];
	char pending[1024];
	size_t pending_len;
	bool close_after; /* close when the replies are used up */
	bool closed;
	char typed[2048]; /* everything typed, ^D as "^D" */
};

static int fake_read(void *context, uint8_t *buf, size_t size, int64_t deadline_ns, size_t *got,
		     bool *closed, struct dl_error *err)
{
	(void)deadline_ns;
	(void)err;
	struct fake *f = context;
	*got = 0;
	if (f->pending_len == 0) {
		if (f->close_after && f->next >= f->count)
			f->closed = true; /* said everything: hangs up */
		*closed = f->closed;
		return 0;
	}
	size_t n = f->pending_len < size ? f->pending_len : size;
	memcpy(buf, f->pending, n);
	memmove(f->pending, f->pending + n, f->pending_len - n);
	f->pending_len -= n;
	*got = n;
	return 0;
}

static void fake_queue(struct fake *f, const char *text)
{
	for (const char *p = text; *p && f->pending_len + 40 < sizeof(f->pending); p++) {
		if (p[0] == '%' && p[1] == 'M') {
			f->pending_len += (size_t)snprintf(f->pending + f->pending_len,
							   sizeof(f->pending) - f->pending_len,
							   "%s%d", f->marker, f->status);
			p++;
		} else {
			f->pending[f->pending_len++] = *p;
		}
	}
}

static int fake_write(void *context, const uint8_t *buf, size_t len, int64_t deadline_ns,
		      bool *closed, struct dl_error *err)
{
	(void)deadline_ns;
	(void)err;
	struct fake *f = context;
	size_t used = strlen(f->typed);
	for (size_t i = 0; i < len && used + 3 < sizeof(f->typed); i++) {
		if (buf[i] == 0x04) {
			memcpy(f->typed + used, "^D", 2);
			used += 2;
		} else {
			f->typed[used++] = (char)buf[i];
		}
	}
	f->typed[used] = '\0';
	/* the marker of a command line: "echo __dl_...=$?" */
	const char *echo = memmem(buf, len, "echo __dl_", 10);
	if (echo) {
		const char *end = memmem(echo, len - (size_t)(echo - (const char *)buf), "$?", 2);
		size_t n = end ? (size_t)(end - echo - 5) : 0;
		if (n < sizeof(f->marker)) {
			memcpy(f->marker, echo + 5, n);
			f->marker[n] = '\0';
		}
		/* the pty echoes the command line */
		char line[1100];
		snprintf(line, sizeof(line), "%.*s\r\n", (int)(len - 1), (const char *)buf);
		fake_queue(f, line);
	}
	if (f->next < f->count)
		fake_queue(f, f->replies[f->next++]);
	else if (f->close_after)
		f->closed = true;
	*closed = f->closed;
	return 0;
}

static struct login_shell *shell_on(struct fake *f)
{
	static struct login_shell shell;
	struct login_shell_io io = {f, fake_read, fake_write};
	assert_int_equal(login_shell_init(&shell, &io, NULL, NULL), 0);
	return &shell;
}

static int64_t soon(void)
{
	return sock_now_ns() + 2000000000LL;
}

static void test_prompt_kinds(void **state)
{
	(void)state;
	assert_int_equal(login_prompt_kind("Password: "), LOGIN_PROMPT_PASSWORD);
	assert_int_equal(login_prompt_kind("Current password: "), LOGIN_PROMPT_CURRENT);
	assert_int_equal(login_prompt_kind("(current) UNIX password: "), LOGIN_PROMPT_CURRENT);
	assert_int_equal(login_prompt_kind("New password: "), LOGIN_PROMPT_NEW);
	assert_int_equal(login_prompt_kind("Enter new UNIX password: "), LOGIN_PROMPT_NEW);
	assert_int_equal(login_prompt_kind("Retype new password: "), LOGIN_PROMPT_RETYPE);
	assert_int_equal(login_prompt_kind("Re-enter new password:"), LOGIN_PROMPT_RETYPE);
	assert_int_equal(login_prompt_kind("vm login: "), LOGIN_PROMPT_NONE);
	/* the last line decides */
	assert_int_equal(login_prompt_kind("BAD PASSWORD: too short\nNew password: \n"),
			 LOGIN_PROMPT_NEW);
}

static void test_change_required_text(void **state)
{
	(void)state;
	assert_true(login_text_change_required(
		"You are required to change your password immediately (administrator enforced)."));
	assert_true(login_text_change_required("WARNING: Your password has expired.\n"));
	assert_true(login_text_change_required("Your password must be changed now"));
	assert_false(login_text_change_required("Last login: Wed Nov 25 from 198.18.34.1"));
	assert_false(login_text_change_required("Changing password for dltest."));
}

static void test_password_messages(void **state)
{
	(void)state;
	char out[256] = "";
	login_text_password_messages("Changing password for dltest.\nCurrent password: \n"
				     "New password: \nBAD PASSWORD: The password is shorter than 8 "
				     "characters\nPassword change has been aborted.\n"
				     "passwd: Authentication token manipulation error\n"
				     "passwd: password unchanged\n__dl_ab12=10 error\n",
				     out, sizeof(out));
	assert_string_equal(out, "BAD PASSWORD: The password is shorter than 8 characters | "
				 "passwd: Authentication token manipulation error | passwd: "
				 "password unchanged");
	char small[40] = "";
	login_text_password_messages("BAD PASSWORD: it is WAY too short for anything at all\n"
				     "passwd: password unchanged\n",
				     small, sizeof(small));
	assert_int_equal(strlen(small), sizeof(small) - 1);
}

/* escape sequences and CRs go; an escape split over reads is still removed */
static void test_take(void **state)
{
	(void)state;
	struct fake f = {0};
	struct login_shell *shell = shell_on(&f);
	const char *a = "\x1b[?2004hdltest@vm:~$ \r\n\x1b]0;ti";
	const char *b = "tle\x07ok\x1b[";
	const char *c = "1;32mgreen\x1b[0m\r\n";
	login_shell_take(shell, (const uint8_t *)a, strlen(a));
	login_shell_take(shell, (const uint8_t *)b, strlen(b));
	login_shell_take(shell, (const uint8_t *)c, strlen(c));
	assert_string_equal(shell->screen, "dltest@vm:~$ \nokgreen\n");
	login_shell_unread(shell, "Current password: ");
	assert_string_equal(shell->screen, "Current password: dltest@vm:~$ \nokgreen\n");
	login_shell_clear(shell);
	assert_int_equal(shell->length, 0);
}

static void test_run(void **state)
{
	(void)state;
	static const char *const replies[] = {"dltest\r\n%M\r\n$ "};
	struct fake f = {.replies = replies, .count = 1};
	struct login_shell *shell = shell_on(&f);
	struct login_response r = {0};
	assert_int_equal(login_shell_run(shell, "id -un", soon(), &r, NULL), 0);
	assert_int_equal(r.outcome, LOGIN_ACCEPTED);
	assert_int_equal(r.status, 0);
	assert_string_equal(r.excerpt, "dltest");
	assert_non_null(strstr(f.typed, "id -un; echo __dl_"));
	/* a non-zero status is a refusal, with the status */
	f.next = 0;
	f.status = 3;
	memset(&r, 0, sizeof(r));
	assert_int_equal(login_shell_run(shell, "false", soon(), &r, NULL), 0);
	assert_int_equal(r.outcome, LOGIN_REFUSED);
	assert_int_equal(r.status, 3);
	/* each command has its own marker */
	assert_non_null(strstr(f.typed, "0=$?"));
	assert_non_null(strstr(f.typed, "1=$?"));
	/* the shell is gone: no marker */
	struct fake gone = {.close_after = true};
	shell = shell_on(&gone);
	memset(&r, 0, sizeof(r));
	assert_int_equal(login_shell_run(shell, "id -un", soon(), &r, NULL), 0);
	assert_int_equal(r.outcome, LOGIN_UNREACHABLE);
	assert_true(shell->closed);
}

static void test_passwd_accepted(void **state)
{
	(void)state;
	static const char *const replies[] = {
		"Changing password for dltest.\r\nCurrent password: ",
		"\r\nNew password: ",
		"\r\nRetype new password: ",
		"\r\npasswd: password updated successfully\r\n%M\r\n$ ",
	};
	struct fake f = {.replies = replies, .count = 4};
	struct login_shell *shell = shell_on(&f);
	struct login_response r = {0};
	assert_int_equal(
		login_shell_passwd(shell, "passwd", NULL, "Old-1", "New-Pass-2", soon(), &r, NULL),
		0);
	assert_int_equal(r.outcome, LOGIN_ACCEPTED);
	assert_non_null(strstr(f.typed, "Old-1\rNew-Pass-2\rNew-Pass-2\r"));
	assert_string_equal(r.warning, "");
}

/* pam_pwquality refuses and asks again: end of input, then PAM's words in the excerpt */
static void test_passwd_refused(void **state)
{
	(void)state;
	static const char *const replies[] = {
		"Current password: ",
		"\r\nNew password: ",
		"\r\nBAD PASSWORD: The password is shorter than 8 characters\r\nNew password: ",
		"\r\nPassword change has been aborted.\r\npasswd: Authentication token "
		"manipulation error\r\npasswd: password unchanged\r\n%M\r\n$ ",
	};
	struct fake f = {.replies = replies, .count = 4, .status = 10};
	struct login_shell *shell = shell_on(&f);
	struct login_response r = {0};
	assert_int_equal(
		login_shell_passwd(shell, "passwd", NULL, "Old-1", "abc", soon(), &r, NULL), 0);
	assert_int_equal(r.outcome, LOGIN_REFUSED);
	assert_int_equal(r.status, 10);
	assert_non_null(strstr(r.excerpt, "BAD PASSWORD: The password is shorter than 8"));
	assert_non_null(strstr(f.typed, "abc\r^D"));
}

/* a weak password accepted with a warning: the warning is kept */
static void test_passwd_warning(void **state)
{
	(void)state;
	static const char *const replies[] = {
		"New password: ",
		"\r\nBAD PASSWORD: it is based on a dictionary word\r\nRetype new password: ",
		"\r\npasswd: password updated successfully\r\n%M\r\n# ",
	};
	struct fake f = {.replies = replies, .count = 3};
	struct login_shell *shell = shell_on(&f);
	struct login_response r = {0};
	assert_int_equal(login_shell_passwd(shell, "passwd dltest", NULL, "x", "password1", soon(),
					    &r, NULL),
			 0);
	assert_int_equal(r.outcome, LOGIN_ACCEPTED);
	assert_non_null(strstr(r.warning, "dictionary word"));
}

/* a forced change already running, ended by the stream (passwd_command NULL) */
static void test_passwd_forced(void **state)
{
	(void)state;
	static const char *const replies[] = {
		"\r\nNew password: ",
		"\r\nRetype new password: ",
		"\r\npasswd: password updated successfully\r\n",
	};
	struct fake f = {.replies = replies, .count = 3, .close_after = true};
	struct login_shell *shell = shell_on(&f);
	const char *start = "WARNING: Your password has expired.\r\nCurrent password: ";
	login_shell_take(shell, (const uint8_t *)start, strlen(start));
	struct login_response r = {0};
	assert_int_equal(
		login_shell_passwd(shell, NULL, NULL, "Old-1", "New-Pass-2", soon(), &r, NULL), 0);
	assert_int_equal(r.outcome, LOGIN_ACCEPTED);
	assert_non_null(strstr(f.typed, "Old-1\rNew-Pass-2\rNew-Pass-2\r"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_prompt_kinds),
		cmocka_unit_test(test_change_required_text),
		cmocka_unit_test(test_password_messages),
		cmocka_unit_test(test_take),
		cmocka_unit_test(test_run),
		cmocka_unit_test(test_passwd_accepted),
		cmocka_unit_test(test_passwd_refused),
		cmocka_unit_test(test_passwd_warning),
		cmocka_unit_test(test_passwd_forced),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
