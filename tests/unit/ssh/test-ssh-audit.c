/* test-ssh-audit: the SSH audit's classification, JSON and host-key helpers on real servers' bytes
 */
#include "core/compat.h"

#include <setjmp.h>
#include <cmocka.h>
#include <dirent.h>
#include <json-c/json.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <poll.h>
#include <pthread.h>
#include <sys/socket.h>
#include <unistd.h>

#include "checks/ssh/ssh-audit.h"
#include "checks/ssh/ssh-hostkey.h"
#include "core/error.h"
#include "net/scope.h"
#include "net/sock.h"
#include "proto/ssh.h"

/*
 * What the lab's servers sent to `SSH-2.0-dutlab_0.1`: identification and
 * KEXINIT, recorded from sshlab-servers (lab/lib/ssh-servers.sh) with a
 * socket in dl-tester. dropbear 2022.83 with its defaults on 2222;
 * OpenSSH 9.2p1 (Debian 12) with svc_sshstrict's configuration on 22.
 */
/* 562 bytes */
static const uint8_t dropbear_stream[] = {
	0x53, 0x53, 0x48, 0x2d, 0x32, 0x2e, 0x30, 0x2d, 0x64, 0x72, 0x6f, 0x70, 0x62, 0x65, 0x61,
	0x72, 0x5f, 0x32, 0x30, 0x32, 0x32, 0x2e, 0x38, 0x33, 0x0d, 0x0a, 0x00, 0x00, 0x02, 0x14,
	0x0b, 0x14, 0x17, 0x18, 0x9f, 0xb7, 0xb4, 0xb4, 0xfe, 0x8d, 0x71, 0x6a, 0x63, 0x41, 0x70,
	0x5c, 0x67, 0xf5, 0x00, 0x00, 0x00, 0xd8, 0x63, 0x75, 0x72, 0x76, 0x65, 0x32, 0x35, 0x35,
	0x31, 0x39, 0x2d, 0x73, 0x68, 0x61, 0x32, 0x35, 0x36, 0x2c, 0x63, 0x75, 0x72, 0x76, 0x65,
	0x32, 0x35, 0x35, 0x31, 0x39, 0x2d, 0x73, 0x68, 0x61, 0x32, 0x35, 0x36, 0x40, 0x6c, 0x69,
	0x62, 0x73, 0x73, 0x68, 0x2e, 0x6f, 0x72, 0x67, 0x2c, 0x65, 0x63, 0x64, 0x68, 0x2d, 0x73,
	0x68, 0x61, 0x32, 0x2d, 0x6e, 0x69, 0x73, 0x74, 0x70, 0x35, 0x32, 0x31, 0x2c, 0x65, 0x63,
	0x64, 0x68, 0x2d, 0x73, 0x68, 0x61, 0x32, 0x2d, 0x6e, 0x69, 0x73, 0x74, 0x70, 0x33, 0x38,
	0x34, 0x2c, 0x65, 0x63, 0x64, 0x68, 0x2d, 0x73, 0x68, 0x61, 0x32, 0x2d, 0x6e, 0x69, 0x73,
	0x74, 0x70, 0x32, 0x35, 0x36, 0x2c, 0x64, 0x69, 0x66, 0x66, 0x69, 0x65, 0x2d, 0x68, 0x65,
	0x6c, 0x6c, 0x6d, 0x61, 0x6e, 0x2d, 0x67, 0x72, 0x6f, 0x75, 0x70, 0x31, 0x34, 0x2d, 0x73,
	0x68, 0x61, 0x32, 0x35, 0x36, 0x2c, 0x64, 0x69, 0x66, 0x66, 0x69, 0x65, 0x2d, 0x68, 0x65,
	0x6c, 0x6c, 0x6d, 0x61, 0x6e, 0x2d, 0x67, 0x72, 0x6f, 0x75, 0x70, 0x31, 0x34, 0x2d, 0x73,
	0x68, 0x61, 0x31, 0x2c, 0x6b, 0x65, 0x78, 0x67, 0x75, 0x65, 0x73, 0x73, 0x32, 0x40, 0x6d,
	0x61, 0x74, 0x74, 0x2e, 0x75, 0x63, 0x63, 0x2e, 0x61, 0x73, 0x6e, 0x2e, 0x61, 0x75, 0x2c,
	0x6b, 0x65, 0x78, 0x2d, 0x73, 0x74, 0x72, 0x69, 0x63, 0x74, 0x2d, 0x73, 0x2d, 0x76, 0x30,
	0x30, 0x40, 0x6f, 0x70, 0x65, 0x6e, 0x73, 0x73, 0x68, 0x2e, 0x63, 0x6f, 0x6d, 0x00, 0x00,
	0x00, 0x34, 0x73, 0x73, 0x68, 0x2d, 0x65, 0x64, 0x32, 0x35, 0x35, 0x31, 0x39, 0x2c, 0x65,
	0x63, 0x64, 0x73, 0x61, 0x2d, 0x73, 0x68, 0x61, 0x32, 0x2d, 0x6e, 0x69, 0x73, 0x74, 0x70,
	0x32, 0x35, 0x36, 0x2c, 0x72, 0x73, 0x61, 0x2d, 0x73, 0x68, 0x61, 0x32, 0x2d, 0x32, 0x35,
	0x36, 0x2c, 0x73, 0x73, 0x68, 0x2d, 0x72, 0x73, 0x61, 0x00, 0x00, 0x00, 0x33, 0x63, 0x68,
	0x61, 0x63, 0x68, 0x61, 0x32, 0x30, 0x2d, 0x70, 0x6f, 0x6c, 0x79, 0x31, 0x33, 0x30, 0x35,
	0x40, 0x6f, 0x70, 0x65, 0x6e, 0x73, 0x73, 0x68, 0x2e, 0x63, 0x6f, 0x6d, 0x2c, 0x61, 0x65,
	0x73, 0x31, 0x32, 0x38, 0x2d, 0x63, 0x74, 0x72, 0x2c, 0x61, 0x65, 0x73, 0x32, 0x35, 0x36,
	0x2d, 0x63, 0x74, 0x72, 0x00, 0x00, 0x00, 0x33, 0x63, 0x68, 0x61, 0x63, 0x68, 0x61, 0x32,
	0x30, 0x2d, 0x70, 0x6f, 0x6c, 0x79, 0x31, 0x33, 0x30, 0x35, 0x40, 0x6f, 0x70, 0x65, 0x6e,
	0x73, 0x73, 0x68, 0x2e, 0x63, 0x6f, 0x6d, 0x2c, 0x61, 0x65, 0x73, 0x31, 0x32, 0x38, 0x2d,
	0x63, 0x74, 0x72, 0x2c, 0x61, 0x65, 0x73, 0x32, 0x35, 0x36, 0x2d, 0x63, 0x74, 0x72, 0x00,
	0x00, 0x00, 0x17, 0x68, 0x6d, 0x61, 0x63, 0x2d, 0x73, 0x68, 0x61, 0x31, 0x2c, 0x68, 0x6d,
	0x61, 0x63, 0x2d, 0x73, 0x68, 0x61, 0x32, 0x2d, 0x32, 0x35, 0x36, 0x00, 0x00, 0x00, 0x17,
	0x68, 0x6d, 0x61, 0x63, 0x2d, 0x73, 0x68, 0x61, 0x31, 0x2c, 0x68, 0x6d, 0x61, 0x63, 0x2d,
	0x73, 0x68, 0x61, 0x32, 0x2d, 0x32, 0x35, 0x36, 0x00, 0x00, 0x00, 0x15, 0x7a, 0x6c, 0x69,
	0x62, 0x40, 0x6f, 0x70, 0x65, 0x6e, 0x73, 0x73, 0x68, 0x2e, 0x63, 0x6f, 0x6d, 0x2c, 0x6e,
	0x6f, 0x6e, 0x65, 0x00, 0x00, 0x00, 0x15, 0x7a, 0x6c, 0x69, 0x62, 0x40, 0x6f, 0x70, 0x65,
	0x6e, 0x73, 0x73, 0x68, 0x2e, 0x63, 0x6f, 0x6d, 0x2c, 0x6e, 0x6f, 0x6e, 0x65, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x1d, 0xe0, 0xf6, 0xbd,
	0x36, 0x9c, 0xbb, 0xfe, 0x2b, 0xe7, 0xc7,
};

/* 609 bytes */
static const uint8_t openssh_strict_stream[] = {
	0x53, 0x53, 0x48, 0x2d, 0x32, 0x2e, 0x30, 0x2d, 0x4f, 0x70, 0x65, 0x6e, 0x53, 0x53, 0x48,
	0x5f, 0x39, 0x2e, 0x32, 0x70, 0x31, 0x20, 0x44, 0x65, 0x62, 0x69, 0x61, 0x6e, 0x2d, 0x32,
	0x2b, 0x64, 0x65, 0x62, 0x31, 0x32, 0x75, 0x31, 0x30, 0x0d, 0x0a, 0x00, 0x00, 0x02, 0x34,
	0x06, 0x14, 0x33, 0x7e, 0xac, 0xec, 0x05, 0x80, 0x65, 0x57, 0x56, 0x2a, 0x0c, 0x70, 0xfe,
	0x83, 0x81, 0x2a, 0x00, 0x00, 0x00, 0xc0, 0x63, 0x75, 0x72, 0x76, 0x65, 0x32, 0x35, 0x35,
	0x31, 0x39, 0x2d, 0x73, 0x68, 0x61, 0x32, 0x35, 0x36, 0x2c, 0x63, 0x75, 0x72, 0x76, 0x65,
	0x32, 0x35, 0x35, 0x31, 0x39, 0x2d, 0x73, 0x68, 0x61, 0x32, 0x35, 0x36, 0x40, 0x6c, 0x69,
	0x62, 0x73, 0x73, 0x68, 0x2e, 0x6f, 0x72, 0x67, 0x2c, 0x65, 0x63, 0x64, 0x68, 0x2d, 0x73,
	0x68, 0x61, 0x32, 0x2d, 0x6e, 0x69, 0x73, 0x74, 0x70, 0x32, 0x35, 0x36, 0x2c, 0x65, 0x63,
	0x64, 0x68, 0x2d, 0x73, 0x68, 0x61, 0x32, 0x2d, 0x6e, 0x69, 0x73, 0x74, 0x70, 0x33, 0x38,
	0x34, 0x2c, 0x65, 0x63, 0x64, 0x68, 0x2d, 0x73, 0x68, 0x61, 0x32, 0x2d, 0x6e, 0x69, 0x73,
	0x74, 0x70, 0x35, 0x32, 0x31, 0x2c, 0x64, 0x69, 0x66, 0x66, 0x69, 0x65, 0x2d, 0x68, 0x65,
	0x6c, 0x6c, 0x6d, 0x61, 0x6e, 0x2d, 0x67, 0x72, 0x6f, 0x75, 0x70, 0x31, 0x36, 0x2d, 0x73,
	0x68, 0x61, 0x35, 0x31, 0x32, 0x2c, 0x64, 0x69, 0x66, 0x66, 0x69, 0x65, 0x2d, 0x68, 0x65,
	0x6c, 0x6c, 0x6d, 0x61, 0x6e, 0x2d, 0x67, 0x72, 0x6f, 0x75, 0x70, 0x31, 0x38, 0x2d, 0x73,
	0x68, 0x61, 0x35, 0x31, 0x32, 0x2c, 0x6b, 0x65, 0x78, 0x2d, 0x73, 0x74, 0x72, 0x69, 0x63,
	0x74, 0x2d, 0x73, 0x2d, 0x76, 0x30, 0x30, 0x40, 0x6f, 0x70, 0x65, 0x6e, 0x73, 0x73, 0x68,
	0x2e, 0x63, 0x6f, 0x6d, 0x00, 0x00, 0x00, 0x1f, 0x73, 0x73, 0x68, 0x2d, 0x65, 0x64, 0x32,
	0x35, 0x35, 0x31, 0x39, 0x2c, 0x65, 0x63, 0x64, 0x73, 0x61, 0x2d, 0x73, 0x68, 0x61, 0x32,
	0x2d, 0x6e, 0x69, 0x73, 0x74, 0x70, 0x32, 0x35, 0x36, 0x00, 0x00, 0x00, 0x38, 0x61, 0x65,
	0x73, 0x32, 0x35, 0x36, 0x2d, 0x67, 0x63, 0x6d, 0x40, 0x6f, 0x70, 0x65, 0x6e, 0x73, 0x73,
	0x68, 0x2e, 0x63, 0x6f, 0x6d, 0x2c, 0x61, 0x65, 0x73, 0x31, 0x32, 0x38, 0x2d, 0x67, 0x63,
	0x6d, 0x40, 0x6f, 0x70, 0x65, 0x6e, 0x73, 0x73, 0x68, 0x2e, 0x63, 0x6f, 0x6d, 0x2c, 0x61,
	0x65, 0x73, 0x32, 0x35, 0x36, 0x2d, 0x63, 0x74, 0x72, 0x00, 0x00, 0x00, 0x38, 0x61, 0x65,
	0x73, 0x32, 0x35, 0x36, 0x2d, 0x67, 0x63, 0x6d, 0x40, 0x6f, 0x70, 0x65, 0x6e, 0x73, 0x73,
	0x68, 0x2e, 0x63, 0x6f, 0x6d, 0x2c, 0x61, 0x65, 0x73, 0x31, 0x32, 0x38, 0x2d, 0x67, 0x63,
	0x6d, 0x40, 0x6f, 0x70, 0x65, 0x6e, 0x73, 0x73, 0x68, 0x2e, 0x63, 0x6f, 0x6d, 0x2c, 0x61,
	0x65, 0x73, 0x32, 0x35, 0x36, 0x2d, 0x63, 0x74, 0x72, 0x00, 0x00, 0x00, 0x3b, 0x68, 0x6d,
	0x61, 0x63, 0x2d, 0x73, 0x68, 0x61, 0x32, 0x2d, 0x32, 0x35, 0x36, 0x2d, 0x65, 0x74, 0x6d,
	0x40, 0x6f, 0x70, 0x65, 0x6e, 0x73, 0x73, 0x68, 0x2e, 0x63, 0x6f, 0x6d, 0x2c, 0x68, 0x6d,
	0x61, 0x63, 0x2d, 0x73, 0x68, 0x61, 0x32, 0x2d, 0x35, 0x31, 0x32, 0x2d, 0x65, 0x74, 0x6d,
	0x40, 0x6f, 0x70, 0x65, 0x6e, 0x73, 0x73, 0x68, 0x2e, 0x63, 0x6f, 0x6d, 0x00, 0x00, 0x00,
	0x3b, 0x68, 0x6d, 0x61, 0x63, 0x2d, 0x73, 0x68, 0x61, 0x32, 0x2d, 0x32, 0x35, 0x36, 0x2d,
	0x65, 0x74, 0x6d, 0x40, 0x6f, 0x70, 0x65, 0x6e, 0x73, 0x73, 0x68, 0x2e, 0x63, 0x6f, 0x6d,
	0x2c, 0x68, 0x6d, 0x61, 0x63, 0x2d, 0x73, 0x68, 0x61, 0x32, 0x2d, 0x35, 0x31, 0x32, 0x2d,
	0x65, 0x74, 0x6d, 0x40, 0x6f, 0x70, 0x65, 0x6e, 0x73, 0x73, 0x68, 0x2e, 0x63, 0x6f, 0x6d,
	0x00, 0x00, 0x00, 0x15, 0x6e, 0x6f, 0x6e, 0x65, 0x2c, 0x7a, 0x6c, 0x69, 0x62, 0x40, 0x6f,
	0x70, 0x65, 0x6e, 0x73, 0x73, 0x68, 0x2e, 0x63, 0x6f, 0x6d, 0x00, 0x00, 0x00, 0x15, 0x6e,
	0x6f, 0x6e, 0x65, 0x2c, 0x7a, 0x6c, 0x69, 0x62, 0x40, 0x6f, 0x70, 0x65, 0x6e, 0x73, 0x73,
	0x68, 0x2e, 0x63, 0x6f, 0x6d, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
};

/* The public halves of the dropbear host keys behind dropbear_stream, and what
 * `ssh-keygen -l -f` printed for them. */
static const char *const dropbear_ed25519 =
	"AAAAC3NzaC1lZDI1NTE5AAAAIH1ZftuYphf5x8/8Goj4mx2lRtZHqC05eUwujRPv4ziG";
static const char *const dropbear_ecdsa =
	"AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBFcAJUfdP06Oc4nyj+U2heOlvO7lZK/"
	"Hn+ROLlYMOoKC+jO8IwMbCulKw7KRjuQ/qoi4RKI8+IDi7Dbzs0G5GZc=";
static const char *const dropbear_rsa =
	"AAAAB3NzaC1yc2EAAAADAQABAAABAQCBGCZlxW/WXMC3XZmAmxn/8SAlEU1QBERxmUNyZNw0vaoJSFzgBe5/"
	"KeuxixXQC9LRBaDOY3+GzsgqUZ2sZVX/TKEq7fQbxsoGrkN65xLje6yrdrT+iDhiFteYl++9zQADGP0fpDcK/"
	"UewwVUNMBBYuogcFFWyAQcMlri9hqYPjMbIBxYhoPGS3bwCgguNAIBEXofmghwTp1qIa3BEGeVFBM3opKJc5OsnzvJ"
	"l4+ISW+Vl3SLYvSyy8e/j5jVLZ1jlIWcFch002Euiqhno1//QjvevlmdUQE5ktwdQnWZbKbFMckPY0wJW/"
	"8L9oVv8llDrMgp7LZrYtVzxoDTvPhfX";

static struct ssh_kexinit kexinit; /* about 42 KiB: kept off the stack */

static void parse_stream(const uint8_t *stream, size_t len, struct ssh_ident *ident)
{
	struct ssh_stream_view view;
	struct dl_error err = {0};
	assert_int_equal(ssh_stream_scan(stream, len, &view, &err), 0);
	assert_true(view.complete);
	assert_int_equal(view.packet_start + view.packet_len, len);
	assert_int_equal(ssh_parse_ident(stream, len, ident, &err), 0);
	assert_int_equal(
		ssh_parse_kexinit(stream + view.packet_start, view.packet_len, &kexinit, &err), 0);
}

static struct json_object *get(struct json_object *o, const char *key)
{
	struct json_object *v = NULL;
	if (!json_object_object_get_ex(o, key, &v))
		fail_msg("no member '%s' in %s", key, json_object_to_json_string(o));
	return v;
}

static bool has(struct json_object *o, const char *key)
{
	return json_object_object_get_ex(o, key, NULL);
}

static const char *text(struct json_object *o, const char *key)
{
	struct json_object *v = get(o, key);
	assert_true(json_object_is_type(v, json_type_string));
	return json_object_get_string(v);
}

/* "yes", "no" or "null" */
static const char *flag(struct json_object *o, const char *key)
{
	struct json_object *v = get(o, key);
	if (!v)
		return "null";
	assert_true(json_object_is_type(v, json_type_boolean));
	return json_object_get_boolean(v) ? "yes" : "no";
}

static struct json_object *entry(struct json_object *algorithms, const char *list, const char *name)
{
	struct json_object *a = get(algorithms, list);
	for (size_t i = 0; i < json_object_array_length(a); i++) {
		struct json_object *e = json_object_array_get_idx(a, i);
		if (strcmp(text(e, "name"), name) == 0)
			return e;
	}
	fail_msg("no %s '%s'", list, name);
	return NULL;
}

/* The names of one list, comma-joined, to compare with the wire order. */
static void names_of(struct json_object *algorithms, const char *list, char *buf, size_t cap)
{
	struct json_object *a = get(algorithms, list);
	size_t used = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < json_object_array_length(a); i++) {
		int n = snprintf(buf + used, cap - used, "%s%s", i ? "," : "",
				 text(json_object_array_get_idx(a, i), "name"));
		assert_true(n > 0 && (size_t)n < cap - used);
		used += (size_t)n;
	}
}

static void assert_classified(struct json_object *e, const char *fs, const char *approved,
			      const char *strength)
{
	if (fs)
		assert_string_equal(flag(e, "forward_secrecy"), fs);
	else
		assert_false(has(e, "forward_secrecy"));
	assert_string_equal(flag(e, "approved"), approved);
	assert_string_equal(text(e, "strength"), strength);
}

static void test_dropbear_defaults(void **state)
{
	(void)state;
	struct ssh_ident ident;
	char names[1024];
	parse_stream(dropbear_stream, sizeof(dropbear_stream), &ident);
	struct json_object *a = ssh_audit_algorithms_json(&kexinit);
	assert_non_null(a);
	names_of(a, "kex", names, sizeof(names));
	assert_string_equal(names, "curve25519-sha256,curve25519-sha256@libssh.org,"
				   "ecdh-sha2-nistp521,ecdh-sha2-nistp384,ecdh-sha2-nistp256,"
				   "diffie-hellman-group14-sha256,diffie-hellman-group14-sha1,"
				   "kexguess2@matt.ucc.asn.au,kex-strict-s-v00@openssh.com");
	names_of(a, "host_key", names, sizeof(names));
	assert_string_equal(names, "ssh-ed25519,ecdsa-sha2-nistp256,rsa-sha2-256,ssh-rsa");
	names_of(a, "cipher", names, sizeof(names));
	assert_string_equal(names, "chacha20-poly1305@openssh.com,aes128-ctr,aes256-ctr");
	names_of(a, "mac", names, sizeof(names));
	assert_string_equal(names, "hmac-sha1,hmac-sha2-256");
	names_of(a, "compression", names, sizeof(names));
	assert_string_equal(names, "zlib@openssh.com,none");
	/* both directions are equal: merged, no per-direction lists */
	assert_false(has(a, "cipher_client_to_server"));
	assert_false(has(a, "mac_server_to_client"));
	assert_false(has(a, "compression_client_to_server"));

	assert_classified(entry(a, "kex", "curve25519-sha256"), "yes", "no", "128");
	assert_classified(entry(a, "kex", "ecdh-sha2-nistp521"), "yes", "yes", "256");
	assert_classified(entry(a, "kex", "diffie-hellman-group14-sha256"), "yes", "yes", "128");
	/* dropbear's default still offers the SHA-1 exchange hash */
	assert_classified(entry(a, "kex", "diffie-hellman-group14-sha1"), "yes", "no", "weak");
	/* dropbear's guess marker (a signal, not a key exchange) is never approved, whether
	 * the table knows it or not (test_unknown_names) */
	struct json_object *guess = entry(a, "kex", "kexguess2@matt.ucc.asn.au");
	assert_string_not_equal(flag(guess, "approved"), "yes");
	struct json_object *strict = entry(a, "kex", "kex-strict-s-v00@openssh.com");
	assert_string_equal(flag(strict, "known"), "yes");
	assert_string_equal(flag(strict, "extension"), "yes");
	assert_classified(strict, "null", "null", "n/a");

	assert_classified(entry(a, "host_key", "ssh-ed25519"), NULL, "yes", "128");
	assert_classified(entry(a, "host_key", "rsa-sha2-256"), NULL, "yes", "128");
	assert_classified(entry(a, "host_key", "ssh-rsa"), NULL, "no", "weak");
	/* ChaCha20-Poly1305: 256-bit strength, but not SP 800-140C approved */
	assert_classified(entry(a, "cipher", "chacha20-poly1305@openssh.com"), NULL, "no", "256");
	assert_classified(entry(a, "cipher", "aes128-ctr"), NULL, "yes", "128");
	assert_classified(entry(a, "mac", "hmac-sha1"), NULL, "yes", "128");
	assert_classified(entry(a, "mac", "hmac-sha2-256"), NULL, "yes", "256");
	struct json_object *zlib = entry(a, "compression", "zlib@openssh.com");
	assert_string_equal(flag(zlib, "known"), "yes");
	assert_false(has(zlib, "approved"));

	struct json_object *id = ssh_audit_ident_json(&ident);
	assert_string_equal(text(id, "protoversion"), "2.0");
	assert_string_equal(text(id, "software"), "dropbear_2022.83");
	assert_null(get(id, "comments"));
	json_object_put(id);
	json_object_put(a);
}

/* Names the table lacks: listed, "known": false, never approved or forward-secret. */
static void test_unknown_names(void **state)
{
	(void)state;
	struct ssh_ident ident;
	parse_stream(dropbear_stream, sizeof(dropbear_stream), &ident);
	struct ssh_name_list *kex = &kexinit.lists[SSH_KEX_ALGORITHMS];
	snprintf(kex->names[0], sizeof(kex->names[0]), "x-kex@example.com");
	struct ssh_name_list *up = &kexinit.lists[SSH_CIPHERS_CLIENT_TO_SERVER];
	struct ssh_name_list *down = &kexinit.lists[SSH_CIPHERS_SERVER_TO_CLIENT];
	snprintf(up->names[0], sizeof(up->names[0]), "x-cipher@example.com");
	snprintf(down->names[0], sizeof(down->names[0]), "x-cipher@example.com");
	struct json_object *a = ssh_audit_algorithms_json(&kexinit);
	assert_non_null(a);
	struct json_object *e = entry(a, "kex", "x-kex@example.com");
	assert_string_equal(flag(e, "known"), "no");
	assert_classified(e, "no", "no", "unknown");
	assert_non_null(strstr(text(e, "note"), "not in dutlab's SSH algorithm table"));
	e = entry(a, "cipher", "x-cipher@example.com");
	assert_string_equal(flag(e, "known"), "no");
	assert_classified(e, NULL, "no", "unknown");
	json_object_put(a);
}

static void test_openssh_strict(void **state)
{
	(void)state;
	struct ssh_ident ident;
	parse_stream(openssh_strict_stream, sizeof(openssh_strict_stream), &ident);
	struct json_object *a = ssh_audit_algorithms_json(&kexinit);
	assert_non_null(a);
	/* what svc_sshstrict asks for: every key exchange forward-secret, every cipher
	 * AES-128 or stronger, every algorithm but X25519 approved */
	struct json_object *kex = get(a, "kex");
	assert_int_equal(json_object_array_length(kex), 8);
	for (size_t i = 0; i < json_object_array_length(kex); i++) {
		struct json_object *e = json_object_array_get_idx(kex, i);
		assert_string_equal(flag(e, "known"), "yes");
		if (has(e, "extension")) {
			assert_string_equal(text(e, "name"), "kex-strict-s-v00@openssh.com");
			continue;
		}
		assert_string_equal(flag(e, "forward_secrecy"), "yes");
		bool x25519 = strncmp(text(e, "name"), "curve25519", 10) == 0;
		assert_string_equal(flag(e, "approved"), x25519 ? "no" : "yes");
		assert_string_not_equal(text(e, "strength"), "weak");
	}
	static const char *const lists[] = {"host_key", "cipher", "mac"};
	for (size_t l = 0; l < DL_ARRAY_SIZE(lists); l++) {
		struct json_object *list = get(a, lists[l]);
		assert_true(json_object_array_length(list) >= 2);
		for (size_t i = 0; i < json_object_array_length(list); i++) {
			struct json_object *e = json_object_array_get_idx(list, i);
			assert_string_equal(flag(e, "approved"), "yes");
			const char *strength = text(e, "strength");
			assert_true(strcmp(strength, "128") == 0 || strcmp(strength, "256") == 0);
		}
	}
	assert_classified(entry(a, "cipher", "aes256-gcm@openssh.com"), NULL, "yes", "256");
	assert_classified(entry(a, "cipher", "aes128-gcm@openssh.com"), NULL, "yes", "128");
	struct json_object *id = ssh_audit_ident_json(&ident);
	assert_string_equal(text(id, "software"), "OpenSSH_9.2p1");
	assert_string_equal(text(id, "comments"), "Debian-2+deb12u10");
	json_object_put(id);
	json_object_put(a);
}

static void test_directions_differ(void **state)
{
	(void)state;
	struct ssh_ident ident;
	char names[1024];
	parse_stream(dropbear_stream, sizeof(dropbear_stream), &ident);
	/* a server that also encrypts its replies with 3des-cbc, and has no hmac-sha1 that way */
	struct ssh_name_list *down = &kexinit.lists[SSH_CIPHERS_SERVER_TO_CLIENT];
	snprintf(down->names[down->count++], sizeof(down->names[0]), "3des-cbc");
	struct ssh_name_list *mac = &kexinit.lists[SSH_MACS_SERVER_TO_CLIENT];
	memmove(mac->names[0], mac->names[1], sizeof(mac->names[0]));
	mac->count = 1;
	struct json_object *a = ssh_audit_algorithms_json(&kexinit);
	assert_non_null(a);
	names_of(a, "cipher", names, sizeof(names));
	assert_string_equal(names, "chacha20-poly1305@openssh.com,aes128-ctr,aes256-ctr,3des-cbc");
	names_of(a, "cipher_client_to_server", names, sizeof(names));
	assert_string_equal(names, "chacha20-poly1305@openssh.com,aes128-ctr,aes256-ctr");
	names_of(a, "cipher_server_to_client", names, sizeof(names));
	assert_string_equal(names, "chacha20-poly1305@openssh.com,aes128-ctr,aes256-ctr,3des-cbc");
	assert_classified(entry(a, "cipher", "3des-cbc"), NULL, "no", "weak");
	names_of(a, "mac", names, sizeof(names));
	assert_string_equal(names, "hmac-sha1,hmac-sha2-256");
	names_of(a, "mac_server_to_client", names, sizeof(names));
	assert_string_equal(names, "hmac-sha2-256");
	assert_false(has(a, "compression_client_to_server"));
	json_object_put(a);
}

static void test_key_strength(void **state)
{
	(void)state;
	assert_string_equal(ssh_audit_key_strength("ssh-rsa", 1024), "weak");
	assert_string_equal(ssh_audit_key_strength("ssh-rsa", 2048), "128");
	assert_string_equal(ssh_audit_key_strength("ssh-rsa", 15360), "256");
	assert_string_equal(ssh_audit_key_strength("ssh-dss", 1024), "weak");
	assert_string_equal(ssh_audit_key_strength("ecdsa-sha2-nistp256", 256), "128");
	assert_string_equal(ssh_audit_key_strength("ecdsa-sha2-nistp384", 384), "128");
	assert_string_equal(ssh_audit_key_strength("ecdsa-sha2-nistp521", 521), "256");
	assert_string_equal(ssh_audit_key_strength("ssh-ed25519", 256), "128");
	assert_string_equal(ssh_audit_key_strength("x-unknown", 4096), "unknown");
	assert_string_equal(ssh_host_key_type("rsa-sha2-512"), "ssh-rsa");
	assert_string_equal(ssh_host_key_type("rsa-sha2-256"), "ssh-rsa");
	assert_string_equal(ssh_host_key_type("ssh-rsa"), "ssh-rsa");
	assert_string_equal(ssh_host_key_type("ssh-ed25519"), "ssh-ed25519");
}

static size_t decode(const char *base64, uint8_t *blob, size_t cap)
{
	size_t n = strlen(base64);
	assert_true(n % 4 == 0 && n / 4 * 3 <= cap);
	int decoded = EVP_DecodeBlock(blob, (const unsigned char *)base64, (int)n);
	assert_true(decoded > 0);
	size_t len = (size_t)decoded;
	for (size_t i = n; i > 0 && base64[i - 1] == '='; i--)
		len--;
	return len;
}

static void test_blob_bits(void **state)
{
	(void)state;
	uint8_t blob[1024];
	char type[64];
	unsigned bits;
	struct dl_error err = {0};
	size_t len = decode(dropbear_rsa, blob, sizeof(blob));
	assert_int_equal(ssh_host_key_blob_bits(blob, len, type, sizeof(type), &bits, &err), 0);
	assert_string_equal(type, "ssh-rsa");
	assert_int_equal(bits, 2048);
	/* every cut inside the modulus fails with the offset */
	assert_int_equal(ssh_host_key_blob_bits(blob, len - 1, type, sizeof(type), &bits, &err),
			 DL_EPROTO);
	assert_non_null(strstr(err.message, "ends at offset"));
	len = decode(dropbear_ecdsa, blob, sizeof(blob));
	assert_int_equal(ssh_host_key_blob_bits(blob, len, type, sizeof(type), &bits, &err), 0);
	assert_string_equal(type, "ecdsa-sha2-nistp256");
	assert_int_equal(bits, 256);
	len = decode(dropbear_ed25519, blob, sizeof(blob));
	assert_int_equal(ssh_host_key_blob_bits(blob, len, type, sizeof(type), &bits, &err), 0);
	assert_string_equal(type, "ssh-ed25519");
	assert_int_equal(bits, 256);
	assert_int_equal(ssh_host_key_blob_bits(blob, 3, type, sizeof(type), &bits, &err),
			 DL_EPROTO);
	/* a type longer than the caller's buffer */
	assert_int_equal(ssh_host_key_blob_bits(blob, len, type, 8, &bits, &err), DL_EPROTO);
}

static void test_fingerprints_like_ssh_keygen(void **state)
{
	(void)state;
	struct ssh_host_key key;
	struct dl_error err = {0};
	memset(&key, 0, sizeof(key));
	assert_int_equal(ssh_host_key_describe_base64("ssh-ed25519", dropbear_ed25519, &key, &err),
			 0);
	assert_string_equal(key.fingerprint, "SHA256:Lc/Ev0QimhHDjhfe853TfwJCfK28MuQe+lc4H0vZFQk");
	assert_int_equal(key.bits, 256);
	assert_int_equal(
		ssh_host_key_describe_base64("ecdsa-sha2-nistp256", dropbear_ecdsa, &key, &err), 0);
	assert_string_equal(key.fingerprint, "SHA256:B1Lo1IVGMx9on4i8LSYS5cTx9zdew37F76nG8DJyvWA");
	assert_string_equal(key.key_type, "ecdsa-sha2-nistp256");
	assert_int_equal(ssh_host_key_describe_base64("ssh-rsa", dropbear_rsa, &key, &err), 0);
	assert_string_equal(key.fingerprint, "SHA256:6Mm8THXp+mfyyVW3EYbkLxf1PmzcKsH4NX+ObHZC2CA");
	assert_int_equal(key.bits, 2048);
	assert_int_equal(ssh_host_key_describe_base64("ssh-rsa", "AAAA", &key, &err), DL_EPROTO);
	assert_int_equal(ssh_host_key_describe_base64("x-nothing", dropbear_rsa, &key, &err),
			 DL_EUNSUPPORTED);
}

static void test_host_keys_json(void **state)
{
	(void)state;
	struct ssh_host_keys keys;
	memset(&keys, 0, sizeof(keys));
	keys.count = 2;
	snprintf(keys.keys[0].algorithm, sizeof(keys.keys[0].algorithm), "rsa-sha2-512");
	snprintf(keys.keys[0].key_type, sizeof(keys.keys[0].key_type), "ssh-rsa");
	keys.keys[0].bits = 1024;
	keys.keys[0].fetched = true;
	snprintf(keys.keys[0].fingerprint, sizeof(keys.keys[0].fingerprint), "SHA256:abc");
	snprintf(keys.keys[1].algorithm, sizeof(keys.keys[1].algorithm), "ssh-dss");
	snprintf(keys.keys[1].error, sizeof(keys.keys[1].error), "libssh does not support ssh-dss");
	struct json_object *a = ssh_audit_host_keys_json(&keys);
	assert_non_null(a);
	assert_int_equal(json_object_array_length(a), 2);
	struct json_object *rsa = json_object_array_get_idx(a, 0);
	assert_string_equal(text(rsa, "algorithm"), "rsa-sha2-512");
	assert_string_equal(text(rsa, "key_type"), "ssh-rsa");
	assert_int_equal(json_object_get_int(get(rsa, "bits")), 1024);
	assert_string_equal(text(rsa, "strength"), "weak");
	assert_string_equal(text(rsa, "fingerprint"), "SHA256:abc");
	struct json_object *dss = json_object_array_get_idx(a, 1);
	assert_string_equal(flag(dss, "fetched"), "no");
	assert_string_equal(text(dss, "error"), "libssh does not support ssh-dss");
	assert_false(has(dss, "fingerprint"));
	json_object_put(a);
}

/* A one-thread TCP server on 127.0.0.1: connection i gets replies[i] (NULL: closed at once;
 * "": nothing, held open until the client goes). */
struct fake_server {
	int listen_fd;
	uint16_t port;
	const uint8_t *replies[8];
	size_t lengths[8];
	size_t connections;
	pthread_t thread;
};

static void *fake_server_run(void *opaque)
{
	struct fake_server *s = opaque;
	for (size_t i = 0; i < s->connections; i++) {
		/* a client that makes fewer connections than expected ends the thread */
		struct pollfd pfd = {.fd = s->listen_fd, .events = POLLIN};
		if (poll(&pfd, 1, 3000) != 1)
			return NULL;
		int fd = accept(s->listen_fd, NULL, NULL);
		if (fd < 0)
			return NULL;
		struct timeval tv = {.tv_sec = 5};
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		if (s->replies[i]) {
			/* in three pieces, cutting the identification and the packet */
			size_t len = s->lengths[i], cuts[] = {0, len / 20, len / 2, len};
			for (size_t c = 0; c + 1 < DL_ARRAY_SIZE(cuts); c++) {
				if (send(fd, s->replies[i] + cuts[c], cuts[c + 1] - cuts[c],
					 MSG_NOSIGNAL) < 0)
					break;
				usleep(20000);
			}
			uint8_t sink[4096];
			while (recv(fd, sink, sizeof(sink), 0) > 0)
				;
		}
		close(fd);
	}
	return NULL;
}

static void fake_server_start(struct fake_server *s)
{
	s->listen_fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(s->listen_fd >= 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t alen = sizeof(a);
	assert_int_equal(bind(s->listen_fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(s->listen_fd, 8), 0);
	assert_int_equal(getsockname(s->listen_fd, (struct sockaddr *)&a, &alen), 0);
	s->port = ntohs(a.sin_port);
	assert_int_equal(pthread_create(&s->thread, NULL, fake_server_run, s), 0);
}

static void fake_server_stop(struct fake_server *s)
{
	pthread_join(s->thread, NULL);
	close(s->listen_fd);
}

static size_t open_fds(void)
{
	size_t n = 0;
	DIR *d = opendir("/proc/self/fd");
	assert_non_null(d);
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

static struct json_object *audit_loopback_until(struct fake_server *s, bool host_keys,
						unsigned probe_ms, int64_t deadline_ns)
{
	struct scope scope = {.origin = "test"};
	struct dl_error err = {0};
	assert_int_equal(scope_add_network(&scope, "127.0.0.0/8", &err), 0);
	fake_server_start(s);
	struct ssh_audit_options o = {
		.scope = &scope,
		.probe_timeout_ms = probe_ms,
		.deadline_ns = deadline_ns,
		.skip_host_keys = !host_keys,
	};
	struct json_object *result = NULL;
	assert_int_equal(ssh_audit_endpoint("127.0.0.1", s->port, &o, &result, &err), 0);
	fake_server_stop(s);
	scope_release(&scope);
	assert_non_null(result);
	return result;
}

static struct json_object *audit_loopback(struct fake_server *s, bool host_keys, unsigned probe_ms)
{
	return audit_loopback_until(s, host_keys, probe_ms,
				    sock_now_ns() + 10 * (int64_t)1000000000);
}

static void test_loopback_dropbear(void **state)
{
	(void)state;
	struct fake_server s = {.connections = 1};
	s.replies[0] = dropbear_stream;
	s.lengths[0] = sizeof(dropbear_stream);
	struct json_object *r = audit_loopback(&s, false, 3000);
	assert_string_equal(text(r, "address"), "127.0.0.1");
	assert_int_equal(json_object_get_int(get(r, "port")), s.port);
	assert_string_equal(flag(r, "speaks_ssh"), "yes");
	assert_string_equal(flag(r, "complete"), "yes");
	assert_null(get(r, "incomplete"));
	assert_string_equal(flag(r, "strict_kex"), "yes");
	assert_int_equal(json_object_get_int(get(r, "connections")), 1);
	assert_string_equal(text(get(r, "ident"), "software"), "dropbear_2022.83");
	assert_int_equal(json_object_array_length(get(get(r, "algorithms"), "kex")), 9);
	assert_int_equal(json_object_array_length(get(r, "host_keys")), 0);
	assert_null(get(r, "evidence"));
	json_object_put(r);
}

/* Host-key connections that the server drops: each key reported not fetched, no fd leaked. */
static void test_loopback_host_keys_refused(void **state)
{
	(void)state;
	struct fake_server s = {.connections = 5};
	s.replies[0] = dropbear_stream;
	s.lengths[0] = sizeof(dropbear_stream);
	size_t before = open_fds();
	struct json_object *r = audit_loopback(&s, true, 3000);
	assert_int_equal(open_fds(), before);
	/* one KEXINIT, then ed25519, ecdsa, rsa-sha2-256 and (its key not fetched) ssh-rsa */
	assert_int_equal(json_object_get_int(get(r, "connections")), 5);
	struct json_object *keys = get(r, "host_keys");
	assert_int_equal(json_object_array_length(keys), 3);
	static const char *const algorithms[] = {"ssh-ed25519", "ecdsa-sha2-nistp256", "ssh-rsa"};
	for (size_t i = 0; i < 3; i++) {
		struct json_object *k = json_object_array_get_idx(keys, i);
		assert_string_equal(text(k, "algorithm"), algorithms[i]);
		assert_string_equal(flag(k, "fetched"), "no");
		assert_non_null(strstr(text(k, "error"), "failed"));
	}
	assert_string_equal(flag(r, "complete"), "yes");
	json_object_put(r);
}

static void test_loopback_not_ssh(void **state)
{
	(void)state;
	static const char http[] = "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n";
	struct fake_server s = {.connections = 1};
	s.replies[0] = (const uint8_t *)http;
	s.lengths[0] = sizeof(http) - 1;
	/* lines before the identification are allowed (RFC 4253 4.2): we wait for one */
	struct json_object *r = audit_loopback(&s, true, 500);
	assert_string_equal(flag(r, "speaks_ssh"), "no");
	assert_string_equal(flag(r, "complete"), "no");
	assert_non_null(strstr(text(r, "incomplete"), "before its identification"));
	assert_null(get(r, "ident"));
	assert_null(get(r, "algorithms"));
	assert_int_equal(json_object_get_int(get(r, "connections")), 1);
	json_object_put(r);
}

static void test_loopback_silent(void **state)
{
	(void)state;
	static const uint8_t nothing[1];
	struct fake_server s = {.connections = 1};
	s.replies[0] = nothing;
	s.lengths[0] = 0;
	int64_t t0 = sock_now_ns();
	struct json_object *r = audit_loopback(&s, true, 300);
	int64_t took_ms = (sock_now_ns() - t0) / 1000000;
	assert_in_range(took_ms, 290, 1500);
	assert_string_equal(flag(r, "speaks_ssh"), "no");
	assert_string_equal(flag(r, "complete"), "no");
	assert_non_null(strstr(text(r, "incomplete"), "quiet until the deadline"));
	json_object_put(r);
}

/* A server that answers the KEXINIT but stalls libssh's key exchange: the deadline holds. */
static void test_loopback_host_keys_deadline(void **state)
{
	(void)state;
	static const uint8_t nothing[1];
	struct fake_server s = {.connections = 2};
	s.replies[0] = dropbear_stream;
	s.lengths[0] = sizeof(dropbear_stream);
	s.replies[1] = nothing; /* accepted, never a byte */
	s.lengths[1] = 0;
	int64_t t0 = sock_now_ns();
	size_t before = open_fds();
	struct json_object *r = audit_loopback_until(&s, true, 3000, t0 + 1000 * (int64_t)1000000);
	int64_t took_ms = (sock_now_ns() - t0) / 1000000;
	assert_int_equal(open_fds(), before);
	assert_in_range(took_ms, 900, 1600);
	assert_string_equal(flag(r, "speaks_ssh"), "yes");
	assert_string_equal(flag(r, "complete"), "no");
	assert_non_null(strstr(text(r, "incomplete"), "deadline"));
	struct json_object *keys = get(r, "host_keys");
	assert_int_equal(json_object_array_length(keys), 3);
	assert_non_null(strstr(text(json_object_array_get_idx(keys, 0), "error"), "failed"));
	/* the three key types in parallel, then ssh-rsa (after rsa-sha2-256 failed) too late */
	assert_string_equal(text(json_object_array_get_idx(keys, 2), "algorithm"), "ssh-rsa");
	assert_string_equal(text(json_object_array_get_idx(keys, 2), "error"),
			    "not tried: the deadline passed");
	assert_int_equal(json_object_get_int(get(r, "connections")), 4);
	json_object_put(r);
}

/* Algorithms libssh lacks and certificates cost no connection; a refused one is reported. */
static void test_host_keys_not_fetchable(void **state)
{
	(void)state;
	struct scope scope = {.origin = "test"};
	struct dl_error err = {0};
	assert_int_equal(scope_add_network(&scope, "127.0.0.0/8", &err), 0);
	/* a port nobody listens on: bound, never listening */
	int holder = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t alen = sizeof(a);
	assert_int_equal(bind(holder, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(getsockname(holder, (struct sockaddr *)&a, &alen), 0);
	const char *const algorithms[] = {"ssh-ed448", "ssh-ed25519-cert-v01@openssh.com",
					  "ssh-ed25519"};
	static struct ssh_host_keys keys;
	assert_int_equal(ssh_host_keys_fetch(&scope, NULL, "127.0.0.1", ntohs(a.sin_port),
					     algorithms, 3, sock_now_ns() + 2000000000, &keys,
					     &err),
			 0);
	assert_int_equal(keys.count, 3);
	assert_int_equal(keys.connections, 1); /* ssh-ed25519 only */
	assert_false(keys.keys[0].fetched);
	assert_non_null(strstr(keys.keys[0].error, "does not support ssh-ed448"));
	assert_non_null(strstr(keys.keys[1].error, "a host certificate"));
	assert_non_null(strstr(keys.keys[2].error, "refused"));
	assert_false(keys.deadline_hit);
	close(holder);
	scope_release(&scope);
}

static void test_refusals(void **state)
{
	(void)state;
	struct scope scope = {.origin = "test"};
	struct dl_error err = {0};
	assert_int_equal(scope_add_network(&scope, "198.18.6.0/24", &err), 0);
	struct ssh_audit_options o = {.scope = &scope};
	struct json_object *r = NULL;
	/* outside the scope: refused before anything is sent */
	assert_int_equal(ssh_audit_endpoint("198.18.7.2", 22, &o, &r, &err), DL_ESCOPE);
	assert_null(r);
	struct ssh_host_keys keys;
	const char *const algorithms[] = {"ssh-ed25519"};
	assert_int_equal(ssh_host_keys_fetch(&scope, NULL, "198.18.7.2", 22, algorithms, 1,
					     sock_now_ns() + 1000000000, &keys, &err),
			 DL_ESCOPE);
	assert_int_equal(ssh_audit_endpoint("198.18.6.2", 0, &o, &r, &err), DL_EINVAL);
	assert_int_equal(ssh_audit_endpoint("not-an-address", 22, &o, &r, &err), DL_EINVAL);
	o.scope = NULL;
	assert_int_equal(ssh_audit_endpoint("198.18.6.2", 22, &o, &r, &err), DL_EINVAL);
	scope_release(&scope);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dropbear_defaults),
		cmocka_unit_test(test_unknown_names),
		cmocka_unit_test(test_openssh_strict),
		cmocka_unit_test(test_directions_differ),
		cmocka_unit_test(test_key_strength),
		cmocka_unit_test(test_blob_bits),
		cmocka_unit_test(test_fingerprints_like_ssh_keygen),
		cmocka_unit_test(test_host_keys_json),
		cmocka_unit_test(test_loopback_dropbear),
		cmocka_unit_test(test_loopback_host_keys_refused),
		cmocka_unit_test(test_loopback_not_ssh),
		cmocka_unit_test(test_loopback_silent),
		cmocka_unit_test(test_loopback_host_keys_deadline),
		cmocka_unit_test(test_host_keys_not_fetchable),
		cmocka_unit_test(test_refusals),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
