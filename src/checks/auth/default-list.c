/* default-list: well-known IoT factory user names and passwords tried by auth.defaults */
#include "core/compat.h"

#include "checks/auth/auth-internal.h"

/*
 * Source: the credential table of the Mirai botnet's telnet scanner
 * (mirai/bot/scanner.c, scanner_init(), the add_auth_entry() calls, as
 * published in 2016 and decoded in e.g. github.com/jgamblin/Mirai-Source-Code
 * and Brian Krebs, "Who Makes the IoT Things Under Attack?", 2016-10-03):
 * its 62 entries in their order, less the two it repeats and its one
 * obscene entry (59); then ten vendor defaults the same lists of IoT
 * defaults carry (SecLists Passwords/Default-Credentials). Mirai's order is
 * by weight, so the most common defaults come first: a campaign cut short by
 * the lockout pacing has tried the likeliest ones. Every password here is
 * public, so findings may print it.
 */
const char auth_default_list_source[] =
	"Mirai scanner.c credential table (2016) and SecLists Default-Credentials";

const struct auth_default_pair auth_default_list[] = {
	{"root", "xc3511"},
	{"root", "vizxv"},
	{"root", "admin"},
	{"admin", "admin"},
	{"root", "888888"},
	{"root", "xmhdipc"},
	{"root", "default"},
	{"root", "juantech"},
	{"root", "123456"},
	{"root", "54321"},
	{"support", "support"},
	{"root", ""},
	{"admin", "password"},
	{"root", "root"},
	{"root", "12345"},
	{"user", "user"},
	{"admin", ""},
	{"root", "pass"},
	{"admin", "admin1234"},
	{"root", "1111"},
	{"admin", "smcadmin"},
	{"admin", "1111"},
	{"root", "666666"},
	{"root", "password"},
	{"root", "1234"},
	{"root", "klv123"},
	{"Administrator", "admin"},
	{"service", "service"},
	{"supervisor", "supervisor"},
	{"guest", "guest"},
	{"guest", "12345"},
	{"admin1", "password"},
	{"administrator", "1234"},
	{"666666", "666666"},
	{"888888", "888888"},
	{"ubnt", "ubnt"},
	{"root", "klv1234"},
	{"root", "Zte521"},
	{"root", "hi3518"},
	{"root", "jvbzd"},
	{"root", "anko"},
	{"root", "zlxx."},
	{"root", "7ujMko0vizxv"},
	{"root", "7ujMko0admin"},
	{"root", "system"},
	{"root", "ikwb"},
	{"root", "dreambox"},
	{"root", "user"},
	{"root", "realtek"},
	{"root", "00000000"},
	{"admin", "1111111"},
	{"admin", "1234"},
	{"admin", "12345"},
	{"admin", "54321"},
	{"admin", "123456"},
	{"admin", "7ujMko0admin"},
	{"admin", "pass"},
	{"admin", "meinsm"},
	{"tech", "tech"},
	/* SecLists Default-Credentials: common camera, NVR and router defaults */
	{"admin", "12345678"},
	{"admin", "changeme"},
	{"admin", "admin123"},
	{"admin", "9999"},
	{"root", "toor"},
	{"root", "vertex25ektks123"},
	{"ubnt", "ubnt123"},
	{"operator", "operator"},
	{"cisco", "cisco"},
	{"pi", "raspberry"},
};

const size_t auth_default_list_count = DL_ARRAY_SIZE(auth_default_list);
