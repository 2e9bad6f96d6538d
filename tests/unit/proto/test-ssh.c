/* test-ssh: SSH identification and KEXINIT against real OpenSSH bytes, and the algorithm table */
#include "core/compat.h"

#include <setjmp.h>
#include <cmocka.h>

#include "core/error.h"
#include "proto/ssh-algorithms.h"
#include "proto/ssh.h"
#include "vectors.h"

static struct ssh_kexinit kexinit; /* about 42 KiB: kept off the stack */

/* OpenSSH 9.2's defaults, as the server sent them (vectors/ssh-openssh-kexinit.bin) */
static const char *const openssh_kex =
	"sntrup761x25519-sha512,sntrup761x25519-sha512@openssh.com,curve25519-sha256,"
	"curve25519-sha256@libssh.org,ecdh-sha2-nistp256,ecdh-sha2-nistp384,ecdh-sha2-nistp521,"
	"diffie-hellman-group-exchange-sha256,diffie-hellman-group16-sha512,"
	"diffie-hellman-group18-sha512,diffie-hellman-group14-sha256,kex-strict-s-v00@openssh.com";

/* dropbear 2022.83's defaults (its sysoptions.h and common-algo.c) */
static const struct ssh_kexinit_offer dropbear_offer = {
	.cookie = {0xd7, 0x0b, 0xea, 0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0, 0x01, 0x02,
		   0x03, 0x04, 0x05},
	.lists =
		{
			"curve25519-sha256,curve25519-sha256@libssh.org,diffie-hellman-group14-"
			"sha256,diffie-hellman-group14-sha1,kexguess2@matt.ucc.asn.au,kex-strict-"
			"s-v00@openssh.com",
			"ssh-ed25519,ecdsa-sha2-nistp256,rsa-sha2-256,ssh-rsa",
			"chacha20-poly1305@openssh.com,aes128-ctr,aes256-ctr",
			"chacha20-poly1305@openssh.com,aes128-ctr,aes256-ctr",
			"hmac-sha1,hmac-sha2-256",
			"hmac-sha1,hmac-sha2-256",
			"zlib@openssh.com,none",
			"zlib@openssh.com,none",
			"",
			"",
		},
	.first_kex_packet_follows = false,
};

static int ident_to_message(const uint8_t *msg, size_t len, char *message, size_t cap)
{
	struct ssh_ident ident;
	struct dl_error err = {0};
	int rc = ssh_parse_ident(msg, len, &ident, &err);
	snprintf(message, cap, "%s", err.message);
	return rc;
}

static int kexinit_to_message(const uint8_t *msg, size_t len, char *message, size_t cap)
{
	static struct ssh_kexinit scratch; /* kexinit keeps what the test checks */
	struct dl_error err = {0};
	int rc = ssh_parse_kexinit(msg, len, &scratch, &err);
	snprintf(message, cap, "%s", err.message);
	return rc;
}

static int stream_to_message(const uint8_t *msg, size_t len, char *message, size_t cap)
{
	struct ssh_stream_view view;
	struct dl_error err = {0};
	int rc = ssh_stream_scan(msg, len, &view, &err);
	snprintf(message, cap, "%s", err.message);
	return rc;
}

static void assert_fails(vector_parse_fn parse, const uint8_t *msg, size_t len,
			 const char *expected)
{
	char message[DL_ERROR_MESSAGE_MAX];
	message[0] = '\0';
	if (parse(msg, len, message, sizeof(message)) != DL_EPROTO)
		fail_msg("parsed, but expected '%s'", expected);
	assert_string_equal(message, expected);
}

static size_t build_stream(uint8_t *buf, size_t cap, const char *lines,
			   const struct ssh_kexinit_offer *offer)
{
	size_t n = strlen(lines), len = 0;
	struct dl_error err = {0};
	assert_true(n < cap);
	memcpy(buf, lines, n);
	assert_int_equal(ssh_build_kexinit(buf + n, cap - n, &len, offer, &err), 0);
	return n + len;
}

static void test_build_ident(void **state)
{
	(void)state;
	uint8_t buf[64];
	size_t len;
	struct dl_error err = {0};
	assert_int_equal(ssh_build_ident(buf, sizeof(buf), &len, &err), 0);
	assert_int_equal(len, 20);
	assert_memory_equal(buf, "SSH-2.0-dutlab_0.1\r\n", 20);
	struct ssh_ident ident;
	assert_int_equal(ssh_parse_ident(buf, len, &ident, &err), 0);
	assert_string_equal(ident.protoversion, "2.0");
	assert_string_equal(ident.softwareversion, "dutlab_0.1");
	assert_string_equal(ident.comments, "");
	assert_true(ident.crlf);
	assert_int_equal(ident.length, 20);
	assert_int_equal(ssh_build_ident(buf, 19, &len, &err), DL_ENOMEM);
}

static void test_kexinit_round_trip(void **state)
{
	(void)state;
	static uint8_t buf[SSH_PACKET_MAX];
	size_t len;
	struct dl_error err = {0};
	struct ssh_kexinit_offer offer = dropbear_offer;
	offer.first_kex_packet_follows = true;
	offer.lists[SSH_LANGUAGES_SERVER_TO_CLIENT] = NULL; /* sent empty */
	assert_int_equal(ssh_build_kexinit(buf, sizeof(buf), &len, &offer, &err), 0);
	assert_int_equal(len % 8, 0);
	uint32_t packet_length = (uint32_t)buf[0] << 24 | buf[1] << 16 | buf[2] << 8 | buf[3];
	assert_int_equal(packet_length + 4, len);
	assert_in_range(buf[4], 4, 255);
	assert_int_equal(buf[5], SSH_MSG_KEXINIT);
	assert_int_equal(ssh_parse_kexinit(buf, len, &kexinit, &err), 0);
	assert_memory_equal(kexinit.cookie, offer.cookie, SSH_COOKIE_LEN);
	assert_true(kexinit.first_kex_packet_follows);
	assert_int_equal(kexinit.reserved, 0);
	assert_int_equal(kexinit.packet_length, packet_length);
	assert_int_equal(kexinit.lists[SSH_KEX_ALGORITHMS].count, 6);
	assert_string_equal(kexinit.lists[SSH_KEX_ALGORITHMS].names[4],
			    "kexguess2@matt.ucc.asn.au");
	assert_int_equal(kexinit.lists[SSH_HOST_KEY_ALGORITHMS].count, 4);
	assert_string_equal(kexinit.lists[SSH_HOST_KEY_ALGORITHMS].names[3], "ssh-rsa");
	assert_true(ssh_name_list_has(&kexinit.lists[SSH_MACS_SERVER_TO_CLIENT], "hmac-sha2-256"));
	assert_false(ssh_name_list_has(&kexinit.lists[SSH_MACS_SERVER_TO_CLIENT], "hmac-sha2"));
	assert_int_equal(kexinit.lists[SSH_LANGUAGES_CLIENT_TO_SERVER].count, 0);
	assert_int_equal(kexinit.lists[SSH_LANGUAGES_SERVER_TO_CLIENT].count, 0);
	vector_assert_prefixes_fail(buf, len, kexinit_to_message);
	assert_int_equal(ssh_build_kexinit(buf, len - 1, &len, &offer, &err), DL_ENOMEM);
	assert_string_equal(ssh_name_list_field(SSH_MACS_CLIENT_TO_SERVER),
			    "mac_algorithms_client_to_server");
}

static void test_build_rejects_bad_lists(void **state)
{
	(void)state;
	static uint8_t buf[SSH_PACKET_MAX];
	static char many[SSH_NAME_LIST_MAX + 8];
	size_t len;
	struct dl_error err = {0};
	struct ssh_kexinit_offer offer = dropbear_offer;
	offer.lists[SSH_CIPHERS_CLIENT_TO_SERVER] = "aes128-ctr,,aes256-ctr";
	assert_int_equal(ssh_build_kexinit(buf, sizeof(buf), &len, &offer, &err), DL_EINVAL);
	assert_string_equal(err.message,
			    "ssh: encryption_algorithms_client_to_server: name at byte 11 is empty "
			    "or longer than 64 characters");
	offer.lists[SSH_CIPHERS_CLIENT_TO_SERVER] = "aes128-ctr,";
	assert_int_equal(ssh_build_kexinit(buf, sizeof(buf), &len, &offer, &err), DL_EINVAL);
	offer.lists[SSH_CIPHERS_CLIENT_TO_SERVER] = "aes128 ctr";
	assert_int_equal(ssh_build_kexinit(buf, sizeof(buf), &len, &offer, &err), DL_EINVAL);
	offer.lists[SSH_CIPHERS_CLIENT_TO_SERVER] =
		"a2345678901234567890123456789012345678901234567890123456789012345";
	assert_int_equal(ssh_build_kexinit(buf, sizeof(buf), &len, &offer, &err), DL_EINVAL);
	memset(many, 0, sizeof(many));
	for (size_t i = 0; i < 65; i++)
		memcpy(many + 2 * i, i ? ",a" : "aa", 2);
	offer.lists[SSH_CIPHERS_CLIENT_TO_SERVER] = many + 1; /* "a,a,...,a": 65 names */
	assert_int_equal(ssh_build_kexinit(buf, sizeof(buf), &len, &offer, &err), DL_EINVAL);
	assert_string_equal(err.message,
			    "ssh: encryption_algorithms_client_to_server has more than 64 names");
	memset(many, 'a', SSH_NAME_LIST_MAX + 1);
	offer.lists[SSH_CIPHERS_CLIENT_TO_SERVER] = many;
	assert_int_equal(ssh_build_kexinit(buf, sizeof(buf), &len, &offer, &err), DL_EINVAL);
}

static void check_openssh_stream(const char *vector, struct ssh_ident *ident)
{
	static uint8_t buf[VECTOR_MAX];
	size_t len = vector_load(vector, buf);
	struct ssh_stream_view view;
	struct dl_error err = {0};
	assert_int_equal(ssh_stream_scan(buf, len, &view, &err), 0);
	assert_true(view.complete);
	assert_int_equal(view.ident_end, 41);
	assert_int_equal(view.packet_start + view.packet_len, len);
	assert_int_equal(ssh_parse_ident(buf, view.ident_end, ident, &err), 0);
	assert_string_equal(ident->protoversion, "2.0");
	assert_string_equal(ident->softwareversion, "OpenSSH_9.2p1");
	assert_string_equal(ident->comments, "Debian-2+deb12u10");
	assert_int_equal(ident->lines_before, 0);
	assert_true(ident->crlf);
	vector_assert_prefixes_fail(buf, view.ident_end, ident_to_message);
	assert_int_equal(
		ssh_parse_kexinit(buf + view.packet_start, view.packet_len, &kexinit, &err), 0);
	vector_assert_prefixes_fail(buf + view.packet_start, view.packet_len, kexinit_to_message);
	/* every prefix of the stream is incomplete, never an error */
	for (size_t cut = 0; cut < len; cut++) {
		assert_int_equal(ssh_stream_scan(buf, cut, &view, &err), 0);
		assert_false(view.complete);
		assert_true(view.need > 0 && view.need <= len - cut);
	}
	/* every name OpenSSH offers is in our table, under its list's kind */
	static const enum ssh_algorithm_kind kinds[] = {
		SSH_ALGORITHM_KEX,         SSH_ALGORITHM_HOST_KEY,    SSH_ALGORITHM_CIPHER,
		SSH_ALGORITHM_CIPHER,      SSH_ALGORITHM_MAC,         SSH_ALGORITHM_MAC,
		SSH_ALGORITHM_COMPRESSION, SSH_ALGORITHM_COMPRESSION,
	};
	for (size_t l = 0; l < DL_ARRAY_SIZE(kinds); l++) {
		for (size_t i = 0; i < kexinit.lists[l].count; i++) {
			const char *name = kexinit.lists[l].names[i];
			if (ssh_algorithm_find(kinds[l], name))
				continue;
			if (kinds[l] == SSH_ALGORITHM_KEX &&
			    ssh_algorithm_find(SSH_ALGORITHM_KEX_EXTENSION, name))
				continue;
			fail_msg("%s: '%s' is not in ssh_algorithms[]", vector, name);
		}
	}
}

static void test_openssh_default(void **state)
{
	(void)state;
	struct ssh_ident ident;
	check_openssh_stream("ssh-openssh-kexinit", &ident);
	size_t kex_len = strlen(openssh_kex), at = 0;
	const struct ssh_name_list *kex = &kexinit.lists[SSH_KEX_ALGORITHMS];
	for (size_t i = 0; i < kex->count; i++) {
		size_t n = strlen(kex->names[i]);
		assert_memory_equal(openssh_kex + at, kex->names[i], n);
		at += n + 1;
	}
	assert_int_equal(at, kex_len + 1);
	assert_int_equal(kexinit.lists[SSH_HOST_KEY_ALGORITHMS].count, 2);
	assert_string_equal(kexinit.lists[SSH_HOST_KEY_ALGORITHMS].names[0], "ssh-ed25519");
	assert_string_equal(kexinit.lists[SSH_CIPHERS_SERVER_TO_CLIENT].names[0],
			    "chacha20-poly1305@openssh.com");
	assert_int_equal(kexinit.lists[SSH_CIPHERS_SERVER_TO_CLIENT].count, 6);
	assert_true(ssh_name_list_has(&kexinit.lists[SSH_MACS_CLIENT_TO_SERVER],
				      "hmac-sha2-256-etm@openssh.com"));
	assert_int_equal(kexinit.lists[SSH_LANGUAGES_CLIENT_TO_SERVER].count, 0);
	assert_false(kexinit.first_kex_packet_follows);
	assert_int_equal(kexinit.reserved, 0);
	assert_false(ssh_name_list_has(&kexinit.lists[SSH_CIPHERS_SERVER_TO_CLIENT], "3des-cbc"));
}

static void test_openssh_legacy(void **state)
{
	(void)state;
	struct ssh_ident ident;
	check_openssh_stream("ssh-openssh-legacy-kexinit", &ident);
	static const struct {
		enum ssh_name_list_index list;
		enum ssh_algorithm_kind kind;
		const char *name;
	} weak[] = {
		{SSH_KEX_ALGORITHMS, SSH_ALGORITHM_KEX, "diffie-hellman-group1-sha1"},
		{SSH_KEX_ALGORITHMS, SSH_ALGORITHM_KEX, "diffie-hellman-group14-sha1"},
		{SSH_HOST_KEY_ALGORITHMS, SSH_ALGORITHM_HOST_KEY, "ssh-rsa"},
		{SSH_CIPHERS_SERVER_TO_CLIENT, SSH_ALGORITHM_CIPHER, "3des-cbc"},
		{SSH_MACS_SERVER_TO_CLIENT, SSH_ALGORITHM_MAC, "hmac-md5"},
	};
	for (size_t i = 0; i < DL_ARRAY_SIZE(weak); i++) {
		assert_true(ssh_name_list_has(&kexinit.lists[weak[i].list], weak[i].name));
		const struct ssh_algorithm *a = ssh_algorithm_find(weak[i].kind, weak[i].name);
		assert_non_null(a);
		assert_int_equal(a->strength, SSH_STRENGTH_WEAK);
		assert_false(a->approved);
	}
	assert_true(ssh_name_list_has(&kexinit.lists[SSH_COMPRESSION_CLIENT_TO_SERVER],
				      "zlib@openssh.com"));
}

static void test_dropbear_like_and_other_servers(void **state)
{
	(void)state;
	static uint8_t buf[4096];
	struct ssh_stream_view view;
	struct ssh_ident ident;
	struct dl_error err = {0};
	/* dropbear, after a pre-identification banner line (RFC 4253 4.2) */
	size_t len = build_stream(buf, sizeof(buf),
				  "Welcome to the camera\r\nSSH-2.0-dropbear_2022.83\r\n",
				  &dropbear_offer);
	assert_int_equal(ssh_stream_scan(buf, len, &view, &err), 0);
	assert_true(view.complete);
	assert_int_equal(view.ident_end, 49);
	assert_int_equal(ssh_parse_ident(buf, len, &ident, &err), 0);
	assert_int_equal(ident.lines_before, 1);
	assert_string_equal(ident.softwareversion, "dropbear_2022.83");
	assert_int_equal(ident.length, 49);
	assert_int_equal(
		ssh_parse_kexinit(buf + view.packet_start, view.packet_len, &kexinit, &err), 0);
	assert_true(
		ssh_name_list_has(&kexinit.lists[SSH_KEX_ALGORITHMS], "kexguess2@matt.ucc.asn.au"));
	assert_null(ssh_algorithm_find(SSH_ALGORITHM_KEX, "kexguess2@matt.ucc.asn.au"));
	/* Cisco's "1.99" (SSH 1 and 2) with a '-' in softwareversion, LF only */
	const char *cisco = "SSH-1.99-Cisco-1.25\n";
	assert_int_equal(ssh_parse_ident((const uint8_t *)cisco, strlen(cisco), &ident, &err), 0);
	assert_string_equal(ident.protoversion, "1.99");
	assert_string_equal(ident.softwareversion, "Cisco-1.25");
	assert_false(ident.crlf);
	const char *comments = "SSH-2.0-OpenSSH_8.4p1 Raspbian-5+deb11u3 extra words\r\n";
	assert_int_equal(ssh_parse_ident((const uint8_t *)comments, strlen(comments), &ident, &err),
			 0);
	assert_string_equal(ident.comments, "Raspbian-5+deb11u3 extra words");
	/* an identification line of exactly 255 bytes with its CR LF */
	memset(buf, 'x', 255);
	memcpy(buf, "SSH-2.0-", 8);
	memcpy(buf + 253, "\r\n", 2);
	assert_int_equal(ssh_parse_ident(buf, 255, &ident, &err), 0);
	assert_int_equal(strlen(ident.softwareversion), 245);
}

static void test_malformed(void **state)
{
	(void)state;
	static uint8_t buf[4096];
	static uint8_t packet[SSH_PACKET_MAX];
	size_t len;
	struct dl_error err = {0};
	/* identification line of 256 bytes with its CR LF */
	memset(buf, 'x', 300);
	memcpy(buf, "SSH-2.0-", 8);
	memcpy(buf + 254, "\r\n", 2);
	assert_fails(ident_to_message, buf, 256,
		     "ssh identification: offset 0: identification line longer than 255 bytes "
		     "(value 256)");
	assert_fails(stream_to_message, buf, 256,
		     "ssh stream: offset 0: identification line longer than 255 bytes (value 256)");
	/* a line that never ends is too long as soon as 255 bytes came */
	assert_fails(stream_to_message, buf, 255,
		     "ssh stream: offset 0: identification line longer than 255 bytes (value 255)");
	memcpy(buf, "hello\r\nSSH-2.0-a\0b\r\n", 20);
	assert_fails(ident_to_message, buf, 20,
		     "ssh identification: offset 16: NUL byte in the identification line");
	memcpy(buf, "SSH-2.0\r\n", 9);
	assert_fails(ident_to_message, buf, 9,
		     "ssh identification: offset 7: identification has no protoversion ending in "
		     "'-'");
	memcpy(buf, "SSH-2.0- x\r\n", 12);
	assert_fails(ident_to_message, buf, 12,
		     "ssh identification: offset 8: identification has an empty softwareversion");
	memcpy(buf, "SSH-2.0-a\x01\r\n", 12);
	assert_fails(ident_to_message, buf, 12,
		     "ssh identification: offset 9: identification has a byte outside printable "
		     "ASCII (value 1)");
	for (size_t i = 0; i < 33; i++)
		memcpy(buf + 2 * i, "-\n", 2);
	assert_fails(ident_to_message, buf, 66,
		     "ssh identification: offset 64: more than 32 lines before the "
		     "identification (value 33)");

	len = build_stream(packet, sizeof(packet), "", &dropbear_offer);
	assert_int_equal(ssh_parse_kexinit(packet, len, &kexinit, &err), 0);
	/* packet_length too big */
	memcpy(buf, "\x00\x10\x00\x00\x04\x14", 6);
	assert_fails(kexinit_to_message, buf, 64,
		     "ssh KEXINIT packet: offset 0: packet_length above the 35000-byte packet "
		     "limit (value 1048576)");
	memcpy(buf, "SSH-2.0-x\r\n\x00\x10\x00\x00", 15);
	assert_fails(stream_to_message, buf, 15,
		     "ssh stream: offset 11: packet_length above the 35000-byte packet limit "
		     "(value 1048576)");
	memcpy(buf, "\x00\x00\x00\x0d\x04\x14", 6);
	assert_fails(
		kexinit_to_message, buf, 17,
		"ssh KEXINIT packet: offset 0: packet is not a multiple of 8 bytes (value 13)");
	memcpy(buf, packet, len);
	assert_fails(kexinit_to_message, buf, len - 1,
		     "ssh KEXINIT packet: offset 0: truncated: packet_length exceeds the bytes "
		     "received (value 468)");
	/* padding out of range: 3 bytes, and 255 bytes leaving no payload */
	buf[4] = 3;
	assert_fails(kexinit_to_message, buf, len,
		     "ssh KEXINIT packet: offset 4: padding shorter than 4 bytes (value 3)");
	memcpy(buf, "\x00\x00\x00\x0c\xff\x14", 6);
	assert_fails(kexinit_to_message, buf, 16,
		     "ssh KEXINIT packet: offset 4: padding_length leaves no payload (value 255)");
	/* the first name-list's length points past the packet */
	memcpy(buf, packet, len);
	memcpy(buf + 22, "\x00\x00\xff\xff", 4);
	assert_fails(kexinit_to_message, buf, len,
		     "ssh KEXINIT packet: offset 22: name-list longer than the packet (value "
		     "65535)");
	/* an empty name: the first ',' of kex_algorithms becomes another ',' */
	memcpy(buf, packet, len);
	buf[26 + 18] = ',';
	assert_fails(kexinit_to_message, buf, len,
		     "ssh KEXINIT packet: offset 44: empty name in a name-list");
	memcpy(buf, packet, len);
	buf[5] = 21; /* NEWKEYS */
	assert_fails(kexinit_to_message, buf, len,
		     "ssh KEXINIT packet: offset 5: not a KEXINIT message (code 20) (value 21)");
	/* padding_length 8 too big: the payload ends before its last fields */
	memcpy(buf, packet, len);
	buf[4] = (uint8_t)(buf[4] + 8);
	assert_fails(kexinit_to_message, buf, len,
		     "ssh KEXINIT packet: offset 459: truncated: needs more bytes than remain "
		     "(value 4)");
	memcpy(buf, packet, len);
	assert_fails(kexinit_to_message, buf, len + 8,
		     "ssh KEXINIT packet: offset 472: bytes after the packet (value 8)");
}

static void test_algorithm_table(void **state)
{
	(void)state;
	assert_true(ssh_algorithm_count > 60);
	for (size_t i = 0; i < ssh_algorithm_count; i++) {
		const struct ssh_algorithm *a = &ssh_algorithms[i];
		assert_true(strlen(a->name) > 0 && strlen(a->name) <= SSH_NAME_MAX);
		if (i > 0) {
			const struct ssh_algorithm *b = &ssh_algorithms[i - 1];
			int order = strcmp(b->name, a->name);
			if (order > 0 || (order == 0 && b->kind >= a->kind))
				fail_msg("ssh_algorithms[]: '%s' (%s) must come before '%s' (%s)",
					 a->name, ssh_algorithm_kind_name(a->kind), b->name,
					 ssh_algorithm_kind_name(b->kind));
		}
		assert_ptr_equal(ssh_algorithm_find(a->kind, a->name), a);
		if (a->forward_secrecy)
			assert_int_equal(a->kind, SSH_ALGORITHM_KEX);
		if (a->kind == SSH_ALGORITHM_COMPRESSION || a->kind == SSH_ALGORITHM_KEX_EXTENSION)
			assert_int_equal(a->strength, SSH_STRENGTH_NOT_APPLICABLE);
		else
			assert_int_not_equal(a->strength, SSH_STRENGTH_NOT_APPLICABLE);
		if (a->strength == SSH_STRENGTH_WEAK || a->strength == SSH_STRENGTH_NONE)
			assert_false(a->approved);
	}
	const struct ssh_algorithm *a =
		ssh_algorithm_find(SSH_ALGORITHM_CIPHER, "chacha20-poly1305@openssh.com");
	assert_non_null(a);
	assert_false(a->approved);
	assert_int_equal(a->strength, SSH_STRENGTH_256);
	a = ssh_algorithm_find(SSH_ALGORITHM_KEX, "curve25519-sha256");
	assert_true(a->forward_secrecy);
	assert_false(a->approved);
	assert_int_equal(a->strength, SSH_STRENGTH_128);
	a = ssh_algorithm_find(SSH_ALGORITHM_KEX, "mlkem768x25519-sha256");
	assert_true(a->forward_secrecy && a->approved);
	a = ssh_algorithm_find(SSH_ALGORITHM_KEX, "rsa2048-sha256");
	assert_false(a->forward_secrecy);
	a = ssh_algorithm_find(SSH_ALGORITHM_CIPHER, "aes256-gcm@openssh.com");
	assert_true(a->approved);
	assert_int_equal(a->strength, SSH_STRENGTH_256);
	assert_int_equal(ssh_algorithm_find(SSH_ALGORITHM_CIPHER, "aes128-ctr")->strength,
			 SSH_STRENGTH_128);
	assert_int_equal(ssh_algorithm_find(SSH_ALGORITHM_CIPHER, "none")->strength,
			 SSH_STRENGTH_NONE);
	assert_int_equal(ssh_algorithm_find(SSH_ALGORITHM_MAC, "none")->strength,
			 SSH_STRENGTH_NONE);
	assert_non_null(ssh_algorithm_find(SSH_ALGORITHM_COMPRESSION, "none"));
	assert_null(ssh_algorithm_find(SSH_ALGORITHM_HOST_KEY, "none"));
	assert_null(ssh_algorithm_find(SSH_ALGORITHM_CIPHER, "aes128-CTR"));
	assert_false(ssh_algorithm_find(SSH_ALGORITHM_MAC, "hmac-md5")->approved);
	assert_true(ssh_algorithm_find(SSH_ALGORITHM_MAC, "hmac-sha1")->approved);
	assert_string_equal(ssh_strength_name(SSH_STRENGTH_WEAK), "weak");
	assert_string_equal(ssh_algorithm_kind_name(SSH_ALGORITHM_HOST_KEY), "host key");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_build_ident),
		cmocka_unit_test(test_kexinit_round_trip),
		cmocka_unit_test(test_build_rejects_bad_lists),
		cmocka_unit_test(test_openssh_default),
		cmocka_unit_test(test_openssh_legacy),
		cmocka_unit_test(test_dropbear_like_and_other_servers),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_algorithm_table),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
