/* telnet: the RFC 854 byte stream split into data and commands, and the client's option answers */
#include "core/compat.h"

#include "core/error.h"
#include "proto/telnet.h"

#define TELNET_TTYPE_IS 0   /* RFC 1091 */
#define TELNET_TTYPE_SEND 1 /* RFC 1091 */

static bool telnet_bit(const uint8_t *set, uint8_t option)
{
	return (set[option / 8] >> (option % 8)) & 1u;
}

static void telnet_set_bit(uint8_t *set, uint8_t option, bool on)
{
	if (on)
		set[option / 8] |= (uint8_t)(1u << (option % 8));
	else
		set[option / 8] &= (uint8_t) ~(1u << (option % 8));
}

bool telnet_remote_enabled(const struct telnet *t, uint8_t option)
{
	return telnet_bit(t->remote, option);
}

bool telnet_local_enabled(const struct telnet *t, uint8_t option)
{
	return telnet_bit(t->local, option);
}

int telnet_init(struct telnet *t, const char *terminal_type, struct dl_error *err)
{
	memset(t, 0, sizeof(*t));
	if (!terminal_type)
		return 0;
	size_t n = strlen(terminal_type);
	if (n > TELNET_TERMINAL_TYPE_MAX)
		return dl_error_set(err, DL_EINVAL,
				    "telnet: terminal type of %zu characters (RFC 1091 allows 40)",
				    n);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)terminal_type[i];
		if (c <= 0x20 || c >= 0x7f)
			return dl_error_set(
				err, DL_EINVAL,
				"telnet: terminal type '%s' has byte 0x%02x at %zu; use "
				"printable ASCII such as vt100",
				terminal_type, c, i);
	}
	memcpy(t->terminal_type, terminal_type, n + 1);
	return 0;
}

/* What the server may turn on at its side, and what we turn on at ours. */
static bool telnet_accept_remote(uint8_t option)
{
	return option == TELNET_OPTION_ECHO || option == TELNET_OPTION_SGA;
}

static bool telnet_accept_local(const struct telnet *t, uint8_t option)
{
	return option == TELNET_OPTION_TTYPE && t->terminal_type[0] != '\0';
}

static void telnet_log(struct telnet *t, uint8_t command, uint8_t option)
{
	t->commands++;
	if (t->log_count < TELNET_LOG_MAX) {
		t->log[t->log_count].command = command;
		t->log[t->log_count].option = option;
		t->log_count++;
	}
}

static void telnet_put3(uint8_t *reply, size_t *reply_len, uint8_t command, uint8_t option)
{
	reply[(*reply_len)++] = TELNET_IAC;
	reply[(*reply_len)++] = command;
	reply[(*reply_len)++] = option;
}

/* RFC 854's loop rule: answer only a request that changes the option's state. */
static void telnet_negotiate(struct telnet *t, uint8_t command, uint8_t option, uint8_t *reply,
			     size_t *reply_len)
{
	telnet_log(t, command, option);
	switch (command) {
	case TELNET_WILL:
		if (telnet_bit(t->remote, option))
			return;
		if (telnet_accept_remote(option)) {
			telnet_set_bit(t->remote, option, true);
			telnet_put3(reply, reply_len, TELNET_DO, option);
		} else {
			telnet_put3(reply, reply_len, TELNET_DONT, option);
		}
		return;
	case TELNET_WONT:
		if (!telnet_bit(t->remote, option))
			return;
		telnet_set_bit(t->remote, option, false);
		telnet_put3(reply, reply_len, TELNET_DONT, option);
		return;
	case TELNET_DO:
		if (telnet_bit(t->local, option))
			return;
		if (telnet_accept_local(t, option)) {
			telnet_set_bit(t->local, option, true);
			telnet_put3(reply, reply_len, TELNET_WILL, option);
		} else {
			telnet_put3(reply, reply_len, TELNET_WONT, option);
		}
		return;
	default: /* TELNET_DONT */
		if (!telnet_bit(t->local, option))
			return;
		telnet_set_bit(t->local, option, false);
		telnet_put3(reply, reply_len, TELNET_WONT, option);
		return;
	}
}

/* The longest answer one subnegotiation can need: IAC SB TTYPE IS <type> IAC SE. */
#define TELNET_SB_REPLY_MAX (6 + TELNET_TERMINAL_TYPE_MAX)

static void telnet_subnegotiation_end(struct telnet *t, uint8_t *reply, size_t *reply_len)
{
	telnet_log(t, TELNET_SB, t->sb_option);
	if (t->sb_option != TELNET_OPTION_TTYPE || !telnet_bit(t->local, TELNET_OPTION_TTYPE) ||
	    t->sb_len < 1 || t->sb[0] != TELNET_TTYPE_SEND)
		return;
	size_t n = strlen(t->terminal_type);
	reply[(*reply_len)++] = TELNET_IAC;
	reply[(*reply_len)++] = TELNET_SB;
	reply[(*reply_len)++] = TELNET_OPTION_TTYPE;
	reply[(*reply_len)++] = TELNET_TTYPE_IS;
	memcpy(reply + *reply_len, t->terminal_type, n);
	*reply_len += n;
	reply[(*reply_len)++] = TELNET_IAC;
	reply[(*reply_len)++] = TELNET_SE;
}

static void telnet_sb_byte(struct telnet *t, uint8_t b)
{
	if (t->sb_len < sizeof(t->sb))
		t->sb[t->sb_len++] = b;
	else
		t->sb_truncated++;
}

int telnet_feed(struct telnet *t, const uint8_t *in, size_t in_len, size_t *consumed, uint8_t *data,
		size_t data_cap, size_t *data_len, uint8_t *reply, size_t reply_cap,
		size_t *reply_len, struct dl_error *err)
{
	size_t i = 0;
	int rc = 0;
	for (; i < in_len; i++) {
		uint8_t b = in[i];
		/* room for what this byte can produce, checked before it is consumed */
		size_t need_data = 0, need_reply = 0;
		switch (t->state) {
		case TELNET_STATE_DATA: need_data = b == TELNET_IAC ? 0 : 1; break;
		case TELNET_STATE_IAC: need_data = b == TELNET_IAC ? 1 : 0; break;
		case TELNET_STATE_OPTION: need_reply = 3; break;
		case TELNET_STATE_SB_IAC:
			need_reply = b == TELNET_SE ? TELNET_SB_REPLY_MAX : 0;
			break;
		default: break;
		}
		if (need_data > data_cap - *data_len || need_reply > reply_cap - *reply_len) {
			rc = dl_error_set(err, DL_ENOMEM,
					  "telnet: %s buffer full at input byte %zu; drain it and "
					  "feed the rest",
					  need_data ? "data" : "reply", i);
			break;
		}
		switch (t->state) {
		case TELNET_STATE_DATA:
			if (b == TELNET_IAC) {
				t->state = TELNET_STATE_IAC;
			} else if (b == 0 && t->after_cr) {
				t->after_cr = false; /* CR NUL is a bare CR */
			} else {
				data[(*data_len)++] = b;
				t->after_cr = b == '\r';
			}
			break;
		case TELNET_STATE_IAC:
			if (b == TELNET_IAC) {
				data[(*data_len)++] = b;
				t->after_cr = false;
				t->state = TELNET_STATE_DATA;
			} else if (b >= TELNET_WILL && b <= TELNET_DONT) {
				t->pending = b;
				t->state = TELNET_STATE_OPTION;
			} else if (b == TELNET_SB) {
				t->state = TELNET_STATE_SB_OPTION;
			} else {
				telnet_log(t, b, 0); /* NOP, GA, DM, AYT, a stray SE ... */
				t->state = TELNET_STATE_DATA;
			}
			break;
		case TELNET_STATE_OPTION:
			telnet_negotiate(t, t->pending, b, reply, reply_len);
			t->state = TELNET_STATE_DATA;
			break;
		case TELNET_STATE_SB_OPTION:
			t->sb_option = b;
			t->sb_len = 0;
			t->state = TELNET_STATE_SB;
			break;
		case TELNET_STATE_SB:
			if (b == TELNET_IAC)
				t->state = TELNET_STATE_SB_IAC;
			else
				telnet_sb_byte(t, b);
			break;
		case TELNET_STATE_SB_IAC:
			if (b == TELNET_SE) {
				telnet_subnegotiation_end(t, reply, reply_len);
				t->state = TELNET_STATE_DATA;
			} else {
				/* IAC IAC is a 0xFF inside the payload; anything else
				 * is a broken SB, kept as payload (RFC 855 has no
				 * other escape) */
				telnet_sb_byte(t, b);
				t->state = TELNET_STATE_SB;
			}
			break;
		}
	}
	if (consumed)
		*consumed = i;
	return rc;
}

int telnet_encode(const uint8_t *in, size_t in_len, uint8_t *out, size_t out_cap, size_t *out_len,
		  struct dl_error *err)
{
	size_t need = 0;
	for (size_t i = 0; i < in_len; i++) {
		bool lone_cr = in[i] == '\r' && (i + 1 == in_len || in[i + 1] != '\n');
		need += (in[i] == TELNET_IAC || lone_cr) ? 2 : 1;
	}
	if (need > out_cap - *out_len)
		return dl_error_set(err, DL_ENOMEM,
				    "telnet: %zu bytes to send need %zu bytes encoded, %zu free",
				    in_len, need, out_cap - *out_len);
	for (size_t i = 0; i < in_len; i++) {
		out[(*out_len)++] = in[i];
		if (in[i] == TELNET_IAC)
			out[(*out_len)++] = TELNET_IAC;
		else if (in[i] == '\r' && (i + 1 == in_len || in[i + 1] != '\n'))
			out[(*out_len)++] = 0;
	}
	return 0;
}

const char *telnet_command_name(uint8_t command)
{
	switch (command) {
	case TELNET_DONT: return "DONT";
	case TELNET_DO: return "DO";
	case TELNET_WONT: return "WONT";
	case TELNET_WILL: return "WILL";
	case TELNET_SB: return "SB";
	case TELNET_GA: return "GA";
	case 248: return "EL";
	case 247: return "EC";
	case 246: return "AYT";
	case 245: return "AO";
	case 244: return "IP";
	case 243: return "BRK";
	case 242: return "DM";
	case TELNET_NOP: return "NOP";
	case TELNET_SE: return "SE";
	default: return "command";
	}
}

const char *telnet_option_name(uint8_t option, char *buf, size_t size)
{
	switch (option) {
	case 0: return "BINARY";
	case TELNET_OPTION_ECHO: return "ECHO";
	case TELNET_OPTION_SGA: return "SUPPRESS-GO-AHEAD";
	case 5: return "STATUS";
	case 6: return "TIMING-MARK";
	case TELNET_OPTION_TTYPE: return "TERMINAL-TYPE";
	case TELNET_OPTION_NAWS: return "NAWS";
	case 32: return "TERMINAL-SPEED";
	case 33: return "TOGGLE-FLOW-CONTROL";
	case 34: return "LINEMODE";
	case 36: return "ENVIRON";
	case 39: return "NEW-ENVIRON";
	default: snprintf(buf, size, "option-%u", option); return buf;
	}
}
