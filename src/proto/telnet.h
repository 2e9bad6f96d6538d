/* telnet: the RFC 854 byte stream split into data and commands, and the client's option answers */
#ifndef DUTLAB_PROTO_TELNET_H
#define DUTLAB_PROTO_TELNET_H

/*
 * Used by adapters/login-telnet.c. The model is a client's: the server may
 * turn on ECHO (RFC 857) and SUPPRESS-GO-AHEAD (RFC 858) on its side; the
 * client turns on nothing on its own side except, when the caller sets a
 * terminal type, TERMINAL-TYPE (RFC 1091). Everything else is refused. The
 * answers follow RFC 854's loop rule (RFC 1143 section 4): a request that
 * would not change an option's state is not answered.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct dl_error;

#define TELNET_IAC 255
#define TELNET_DONT 254
#define TELNET_DO 253
#define TELNET_WONT 252
#define TELNET_WILL 251
#define TELNET_SB 250
#define TELNET_GA 249
#define TELNET_NOP 241
#define TELNET_SE 240

#define TELNET_OPTION_ECHO 1
#define TELNET_OPTION_SGA 3
#define TELNET_OPTION_TTYPE 24
#define TELNET_OPTION_NAWS 31

#define TELNET_SUBNEGOTIATION_MAX 64 /* longer SB payloads are cut, and counted */
#define TELNET_TERMINAL_TYPE_MAX 40  /* RFC 1091: at most 40 characters */
#define TELNET_LOG_MAX 32

/* One command the server sent, in arrival order (for evidence and tests). */
struct telnet_event {
	uint8_t command; /* TELNET_WILL ... TELNET_DONT, TELNET_SB, or another command byte */
	uint8_t option;  /* the option, for WILL/WONT/DO/DONT/SB; 0 otherwise */
};

enum telnet_parse_state {
	TELNET_STATE_DATA,
	TELNET_STATE_IAC,
	TELNET_STATE_OPTION, /* after WILL/WONT/DO/DONT */
	TELNET_STATE_SB_OPTION,
	TELNET_STATE_SB,
	TELNET_STATE_SB_IAC,
};

struct telnet {
	enum telnet_parse_state state;
	uint8_t pending;    /* the WILL/WONT/DO/DONT waiting for its option */
	bool after_cr;      /* the last data byte was CR: a NUL after it is dropped (RFC 854) */
	uint8_t remote[32]; /* bit set: the server has the option on (we said DO) */
	uint8_t local[32];  /* bit set: we have the option on (we said WILL) */
	/* "vt100" to answer TERMINAL-TYPE, or empty to refuse it */
	char terminal_type[TELNET_TERMINAL_TYPE_MAX + 1];
	uint8_t sb_option;
	uint8_t sb[TELNET_SUBNEGOTIATION_MAX];
	size_t sb_len;
	size_t sb_truncated; /* SB payload bytes beyond TELNET_SUBNEGOTIATION_MAX, in all */
	size_t commands;     /* every IAC command seen */
	struct telnet_event log[TELNET_LOG_MAX];
	size_t log_count; /* entries in log (commands beyond TELNET_LOG_MAX are not logged) */
};

/* A fresh stream; terminal_type NULL or "" refuses TERMINAL-TYPE. DL_EINVAL when it is longer
 * than 40 characters or not printable ASCII. */
int telnet_init(struct telnet *t, const char *terminal_type, struct dl_error *err);

/*
 * Feed bytes the server sent. The data (IAC IAC as one 0xFF, CR NUL as CR,
 * commands removed) is appended to data at *data_len (capacity data_cap),
 * and the answers to send back are appended to reply at *reply_len
 * (capacity reply_cap). Returns 0, or DL_ENOMEM when either buffer would
 * overflow: nothing of in is then consumed beyond *consumed, so the caller
 * can drain the buffers and feed the rest. in may end inside a command;
 * the state carries over to the next call.
 */
int telnet_feed(struct telnet *t, const uint8_t *in, size_t in_len, size_t *consumed, uint8_t *data,
		size_t data_cap, size_t *data_len, uint8_t *reply, size_t reply_cap,
		size_t *reply_len, struct dl_error *err);

/* Data to send: 0xFF doubled, a CR not followed by LF sent as CR NUL (RFC 854). Appended to out
 * at *out_len; DL_ENOMEM when out_cap is too small (nothing appended then). */
int telnet_encode(const uint8_t *in, size_t in_len, uint8_t *out, size_t out_cap, size_t *out_len,
		  struct dl_error *err);

/* Is option on at the server's side (it WILL, we said DO) or at ours? */
bool telnet_remote_enabled(const struct telnet *t, uint8_t option);
bool telnet_local_enabled(const struct telnet *t, uint8_t option);

/* "WILL", "SB", "GA", ... for a command byte; "ECHO", "NAWS", ... or "option-N" in buf. */
const char *telnet_command_name(uint8_t command);
const char *telnet_option_name(uint8_t option, char *buf, size_t size);

#endif
