/* fuzz-rtsp-link: libFuzzer target for the RTSP link's walk of what a DUT sends (interleaved
 * frames, responses and their heads: CSeq, Session, Transport, Content-Length, Connection,
 * WWW-Authenticate), rtsp_link_walk_input(), fed in two reads as a connection would be */
#include "core/compat.h"

#include "fuzz/session-rtsp-link.h"
#include "fuzz/session.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct session_link link;
static struct session_peer peer;

/* Append up to n bytes of data to the link's input, as a read would; how many went. */
static size_t feed(const uint8_t *data, size_t n)
{
	size_t room = sizeof(link.input) - link.input_length;
	size_t take = n < room ? n : room;
	memcpy(link.input + link.input_length, data, take);
	link.input_length += take;
	return take;
}

static void check(const struct rtsp_link *s)
{
	if (link.input_length > sizeof(link.input))
		abort(); /* the input past its buffer */
	const struct rtsp_link_answer *a = &s->case_answer;
	if (strnlen(a->session, sizeof(a->session)) == sizeof(a->session))
		abort(); /* a session id without its NUL */
	if (a->has_interleaved && (a->channel_rtp > 255 || a->channel_rtcp > 255))
		abort(); /* a channel past a byte */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	session_link_init(&link, &peer);
	struct rtsp_link *s = link.protocol_state;
	s->rtp_channel = 0;
	s->rtcp_channel = 1;
	/* a case awaited whose CSeq was mutated: any answer is its answer, taken */
	rtsp_link_case_sent(s, 0);
	size_t half = size / 2, at = 0;
	for (int read = 0; read < 2; read++) {
		size_t want = read == 0 ? half : size - at;
		at += feed(data + at, want);
		if (rtsp_link_walk_input(&link, s) != 0)
			break; /* the stream is lost: the link would close */
		check(s);
	}
	check(s);
	return 0;
}
