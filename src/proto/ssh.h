/* ssh: SSH transport identification and KEXINIT build and parse (RFC 4253 4.2, 6, 7.1) */
#ifndef DUTLAB_PROTO_SSH_H
#define DUTLAB_PROTO_SSH_H

/*
 * Groundwork for the SSH audit (issue 4): we send our identification and a
 * KEXINIT, and read what the server offers from its identification line and
 * its first binary packet. Nothing here is encrypted: before NEWKEYS a packet
 * has no MAC and the cipher is "none" (RFC 4253 6). Every parser reads
 * through proto/cursor.h and fails with a reason and an offset.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct dl_error;

#define SSH_PORT 22
#define SSH_CLIENT_IDENT "SSH-2.0-dutlab_0.1"
#define SSH_IDENT_MAX 255           /* RFC 4253 4.2: with the CR LF */
#define SSH_PRE_IDENT_LINE_MAX 1024 /* other lines before it (OpenSSH's client allows 1024) */
#define SSH_PRE_IDENT_LINES_MAX 32
#define SSH_PACKET_MAX 35000 /* RFC 4253 6.1: what every implementation must accept */
#define SSH_PADDING_MIN 4
#define SSH_PADDING_MAX 255
#define SSH_MSG_KEXINIT 20
#define SSH_COOKIE_LEN 16
#define SSH_NAME_MAX 64        /* RFC 4251 6: an algorithm name has at most 64 characters */
#define SSH_NAMES_MAX 64       /* names kept per name-list; more is rejected */
#define SSH_NAME_LIST_MAX 4096 /* bytes of one name-list we build or accept */
/* The most the stream helper looks at: other lines, the identification, one packet. */
#define SSH_STREAM_MAX                                                                             \
	(SSH_PRE_IDENT_LINES_MAX * SSH_PRE_IDENT_LINE_MAX + SSH_IDENT_MAX + 4 + SSH_PACKET_MAX)

/* The ten name-lists of a KEXINIT, in wire order (RFC 4253 7.1). */
enum ssh_name_list_index {
	SSH_KEX_ALGORITHMS,
	SSH_HOST_KEY_ALGORITHMS,
	SSH_CIPHERS_CLIENT_TO_SERVER,
	SSH_CIPHERS_SERVER_TO_CLIENT,
	SSH_MACS_CLIENT_TO_SERVER,
	SSH_MACS_SERVER_TO_CLIENT,
	SSH_COMPRESSION_CLIENT_TO_SERVER,
	SSH_COMPRESSION_SERVER_TO_CLIENT,
	SSH_LANGUAGES_CLIENT_TO_SERVER,
	SSH_LANGUAGES_SERVER_TO_CLIENT,
	SSH_NAME_LIST_COUNT
};

/* The RFC 4253 field name of a list ("kex_algorithms", ...). */
const char *ssh_name_list_field(enum ssh_name_list_index index);

/* "SSH-protoversion-softwareversion SP comments CR LF" (RFC 4253 4.2). */
struct ssh_ident {
	char protoversion[16]; /* "2.0", or "1.99" for a server that also speaks SSH 1 */
	char softwareversion[SSH_IDENT_MAX];
	char comments[SSH_IDENT_MAX]; /* "" without comments; printable, '.' for others */
	size_t lines_before;          /* other lines the server sent first */
	bool crlf;                    /* ended in CR LF as required (OpenSSH also accepts LF) */
	size_t length;                /* bytes of the other lines and the identification line */
};

/*
 * Parse the server's identification from the start of a stream: up to
 * SSH_PRE_IDENT_LINES_MAX other lines (none may begin "SSH-"), then the
 * identification line of at most 255 bytes with its CR LF. Bytes after it
 * (the first binary packet) are not read; out->length says where they start.
 */
int ssh_parse_ident(const uint8_t *buf, size_t len, struct ssh_ident *out, struct dl_error *err);

/* Write SSH_CLIENT_IDENT "\r\n". */
int ssh_build_ident(uint8_t *buf, size_t cap, size_t *len, struct dl_error *err);

/* One name-list split into names (each NUL-terminated). */
struct ssh_name_list {
	size_t count;
	char names[SSH_NAMES_MAX][SSH_NAME_MAX + 1];
};

bool ssh_name_list_has(const struct ssh_name_list *list, const char *name);

struct ssh_kexinit {
	uint8_t cookie[SSH_COOKIE_LEN];
	struct ssh_name_list lists[SSH_NAME_LIST_COUNT];
	bool first_kex_packet_follows;
	uint32_t reserved;      /* 0 on the wire; kept to quote a server that is not */
	uint32_t packet_length; /* as on the wire: payload, padding and its length byte */
	uint8_t padding_length; /* 4..255 */
};

/*
 * Parse one unencrypted binary packet (packet_length, padding_length,
 * payload, padding; no MAC) holding SSH_MSG_KEXINIT. len must be the
 * packet's exact size (ssh_stream_scan() finds it). About 42 KiB: make it
 * static or allocate it.
 */
int ssh_parse_kexinit(const uint8_t *packet, size_t len, struct ssh_kexinit *out,
		      struct dl_error *err);

/* What we offer: each list a comma-separated name-list ("" for an empty one). */
struct ssh_kexinit_offer {
	uint8_t cookie[SSH_COOKIE_LEN]; /* the caller's random bytes */
	const char *lists[SSH_NAME_LIST_COUNT];
	bool first_kex_packet_follows;
};

/*
 * Build a KEXINIT binary packet: padding of 4..255 random bytes brings the
 * packet to a multiple of 8 (RFC 4253 6). Each list is checked: names of 1
 * to 64 printable ASCII characters without commas, at most SSH_NAMES_MAX
 * of them, at most SSH_NAME_LIST_MAX bytes. A NULL list is sent empty.
 */
int ssh_build_kexinit(uint8_t *buf, size_t cap, size_t *len, const struct ssh_kexinit_offer *offer,
		      struct dl_error *err);

/* Where the identification and the first binary packet lie in a stream. */
struct ssh_stream_view {
	bool complete;       /* both are whole in the buffer */
	size_t ident_end;    /* 0 until the identification line has ended */
	size_t packet_start; /* == ident_end */
	size_t packet_len;   /* 4 + packet_length, known once its first 4 bytes arrived */
	size_t need;         /* while incomplete: at least this many more bytes */
};

/*
 * Scan the first len bytes the server sent (len <= SSH_STREAM_MAX). Returns
 * 0 with out->complete once the identification and the whole first packet
 * are in the buffer, 0 without it when more bytes are needed, and
 * DL_EPROTO as soon as what arrived is already wrong (a line too long, a
 * packet_length above SSH_PACKET_MAX).
 */
int ssh_stream_scan(const uint8_t *buf, size_t len, struct ssh_stream_view *out,
		    struct dl_error *err);

#endif
