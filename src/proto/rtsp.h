/* rtsp: RTSP/1.0 OPTIONS and DESCRIBE building and response-header parsing (RFC 2326) */
#ifndef DUTLAB_PROTO_RTSP_H
#define DUTLAB_PROTO_RTSP_H

/* Used by checks/discovery/identify.c and later by
 * adapters/rtsp.c (login) — RTSP is crafted here, not through libcurl. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct dl_error;

#define RTSP_PORT 554
#define RTSP_HEADER_MAX 8192 /* the whole header block */
#define RTSP_LINE_MAX 2048
#define RTSP_HEADERS_MAX 64
#define RTSP_VALUE_MAX 256

struct rtsp_response {
	int status;       /* 200 */
	char reason[128]; /* "OK" */
	char server[RTSP_VALUE_MAX];
	char public_methods[RTSP_VALUE_MAX]; /* the Public header */
	char www_authenticate[RTSP_VALUE_MAX];
	bool has_content_length;
	uint64_t content_length;
	bool has_cseq;
	uint32_t cseq;
	size_t header_count;
	size_t header_length;  /* bytes up to and including the empty line */
	size_t body_available; /* bytes after the header block present in the input */
};

/* OPTIONS url RTSP/1.0 (RFC 2326 10.1); url is "rtsp://198.18.1.2:554/" or "*". */
int rtsp_build_options(uint8_t *buf, size_t cap, size_t *len, const char *url, uint32_t cseq,
		       struct dl_error *err);
/* DESCRIBE url RTSP/1.0 with Accept: application/sdp (RFC 2326 10.2). */
int rtsp_build_describe(uint8_t *buf, size_t cap, size_t *len, const char *url, uint32_t cseq,
			struct dl_error *err);

/*
 * Parse a response's status line and headers (names case-insensitive). The
 * input must hold the complete header block (it ends with an empty line);
 * a body that follows is counted, not read.
 */
int rtsp_parse_response(const uint8_t *msg, size_t len, struct rtsp_response *out,
			struct dl_error *err);

#endif
