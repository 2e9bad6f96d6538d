/* test-rtsp-message: the RTSP text model's build, parse, decimal-text numbers, their fixup and
 * the mutation engine's anomalies on them */
#include "core/compat.h"

#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>

#include "core/error.h"
#include "fuzz/mutate.h"
#include "fuzz/template.h"
#include "model-check.h"
#include "proto/cursor.h"
#include "proto/ethernet.h"
#include "proto/ipv4.h"
#include "proto/layer.h"
#include "proto/packet.h"
#include "proto/rtsp-message.h"
#include "proto/tcp.h"

static struct packet built, parsed;

#define URL "rtsp://198.18.27.2:554/stream"

static const char options_text[] = "OPTIONS " URL " RTSP/1.0\r\n"
				   "CSeq: 1\r\n"
				   "\r\n";

static const char setup_text[] = "SETUP " URL "/track0 RTSP/1.0\r\n"
				 "CSeq: 314159\r\n"
				 "Session: 4F1B2C\r\n"
				 "Authorization: Digest username=\"admin\"\r\n"
				 "Transport: RTP/AVP/TCP;unicast;interleaved=0-1\r\n"
				 "User-Agent: dutlab\r\n"
				 "\r\n";

static const char set_parameter_text[] = "SET_PARAMETER " URL " RTSP/1.0\r\n"
					 "CSeq: 7\r\n"
					 "Content-Type: text/parameters\r\n"
					 "Content-Length: 20\r\n"
					 "\r\n"
					 "barparam: barstuff\r\n";

static const char body[] = "barparam: barstuff\r\n";

static void finish(struct packet *p)
{
	struct dl_error err = {0};
	assert_int_equal(packet_finish(p, &err), 0);
}

static void build_options(struct packet *p)
{
	struct rtsp_message_fields f = {.method = "OPTIONS", .uri = URL, .cseq = 1};
	struct dl_error err = {0};
	packet_init(p);
	assert_int_equal(rtsp_message_build(p, &f, &err), 0);
	finish(p);
}

static void build_setup(struct packet *p)
{
	static const struct rtsp_transport t = {.protocol = "RTP/AVP/TCP",
						.cast = "unicast",
						.interleaved = true,
						.rtp_channel = 0,
						.rtcp_channel = 1};
	static const struct rtsp_header h[] = {{"User-Agent", "dutlab"}};
	struct rtsp_message_fields f = {.method = "SETUP",
					.uri = URL "/track0",
					.cseq = 314159,
					.session = "4F1B2C",
					.authorization = "Digest username=\"admin\"",
					.transport = &t,
					.headers = h,
					.header_count = 1};
	struct dl_error err = {0};
	packet_init(p);
	assert_int_equal(rtsp_message_build(p, &f, &err), 0);
	finish(p);
}

static void build_set_parameter(struct packet *p)
{
	struct rtsp_message_fields f = {.method = "SET_PARAMETER",
					.uri = URL,
					.cseq = 7,
					.content_type = "text/parameters",
					.body = (const uint8_t *)body,
					.body_length = strlen(body)};
	struct dl_error err = {0};
	packet_init(p);
	assert_int_equal(rtsp_message_build(p, &f, &err), 0);
	finish(p);
}

/* One message parsed as the dissector would after TCP: 0 or the error (reason in why). */
static int parse_message(struct packet *p, const void *bytes, size_t length, char *why,
			 size_t why_size)
{
	struct layer_parse_result next;
	return model_parse_layer(&rtsp_message_layer, p, bytes, length, &next, why, why_size);
}

static int field(const struct packet *p, const char *name)
{
	int i = packet_find(p, name, 0);
	assert_int_not_equal(i, PACKET_NONE);
	return i;
}

static void assert_text(const struct packet *p, const char *text)
{
	assert_int_equal(p->length, strlen(text));
	assert_memory_equal(p->bytes, text, p->length);
}

static void test_build_exact(void **state)
{
	(void)state;
	build_options(&built);
	assert_text(&built, options_text);
	assert_int_equal(packet_get(&built, field(&built, "rtsp.cseq")), 1);
	assert_true(built.fields[field(&built, "rtsp.cseq")].flags & FIELD_DECIMAL);
	assert_true(built.fields[field(&built, "rtsp.method")].flags & FIELD_KEY);

	build_setup(&built);
	assert_text(&built, setup_text);
	assert_int_equal(packet_get(&built, field(&built, "rtsp.cseq")), 314159);
	assert_int_equal(packet_get(&built, field(&built, "rtsp.transport.interleaved_rtp")), 0);
	assert_int_equal(packet_get(&built, field(&built, "rtsp.transport.interleaved_rtcp")), 1);
	assert_int_equal(packet_field_max(&built, field(&built, "rtsp.transport.interleaved_rtp")),
			 99999);
	assert_int_equal(packet_field_max(&built, field(&built, "rtsp.cseq")),
			 UINT64_C(9999999999));
	int s = field(&built, "rtsp.session");
	assert_memory_equal(built.bytes + built.fields[s].offset, "4F1B2C", 6);

	build_set_parameter(&built);
	assert_text(&built, set_parameter_text);
	int length = field(&built, "rtsp.content_length");
	assert_int_equal(built.fields[length].kind, FIELD_LENGTH);
	assert_int_equal(built.fields[length].target, field(&built, "rtsp.body"));
	assert_int_equal(packet_get(&built, length), 20);
	/* a header element per line; every one in the list */
	int list = field(&built, "rtsp.headers");
	int n = 0;
	for (int i = 0; i < built.field_count; i++)
		n += built.fields[i].parent == list;
	assert_int_equal(n, 3);
}

static void test_build_refuses(void **state)
{
	(void)state;
	struct dl_error err = {0};
	struct rtsp_message_fields f = {.method = "OPTIONS", .uri = URL, .session = "a\r\nX: y"};
	packet_init(&built);
	assert_int_equal(rtsp_message_build(&built, &f, &err), DL_EINVAL);
	assert_non_null(strstr(err.message, "CR or LF"));
	f.session = NULL;
	f.uri = NULL;
	assert_int_equal(rtsp_message_build(&built, &f, &err), DL_EINVAL);
	static const struct rtsp_header bad[] = {{"X:Y", "z"}};
	f.uri = URL;
	f.headers = bad;
	f.header_count = 1;
	assert_int_equal(rtsp_message_build(&built, &f, &err), DL_EINVAL);
}

static void test_parse_back(void **state)
{
	(void)state;
	char why[DL_ERROR_MESSAGE_MAX];
	void (*builders[])(struct packet *) = {build_options, build_setup, build_set_parameter};
	for (size_t i = 0; i < DL_ARRAY_SIZE(builders); i++) {
		builders[i](&built);
		assert_int_equal(
			parse_message(&parsed, built.bytes, built.length, why, sizeof(why)), 0);
		model_assert_same(&built, &parsed);
	}
}

static void test_parse_response(void **state)
{
	(void)state;
	static const char text[] = "RTSP/1.0 401 Unauthorized\r\n"
				   "CSeq: 2\r\n"
				   "WWW-Authenticate: Digest realm=\"Acme\", nonce=\"abc\"\r\n"
				   "Content-Length: 5\r\n"
				   "\r\n"
				   "hello";
	char why[DL_ERROR_MESSAGE_MAX];
	assert_int_equal(parse_message(&parsed, text, strlen(text), why, sizeof(why)), 0);
	assert_int_equal(parsed.length, strlen(text));
	assert_int_equal(packet_get(&parsed, field(&parsed, "rtsp.status")), 401);
	assert_int_equal(packet_get(&parsed, field(&parsed, "rtsp.cseq")), 2);
	int b = field(&parsed, "rtsp.body");
	assert_int_equal(parsed.fields[b].size, 5);
	assert_int_equal(parsed.fields[field(&parsed, "rtsp.content_length")].target, b);
	int r = field(&parsed, "rtsp.reason");
	assert_memory_equal(parsed.bytes + parsed.fields[r].offset, "Unauthorized", 12);
	/* a value that is not digits stays bytes: a CSeq of letters */
	static const char letters[] = "RTSP/1.0 400 Bad Request\r\nCSeq: abc\r\n\r\n";
	assert_int_equal(parse_message(&parsed, letters, strlen(letters), why, sizeof(why)), 0);
	assert_int_equal(packet_find(&parsed, "rtsp.cseq", 0), PACKET_NONE);
	/* more digits than the model's 10: still a number, its max widened (never over it) */
	static const char wide[] = "OPTIONS * RTSP/1.0\r\nCSeq: 123456789012345\r\n\r\n";
	assert_int_equal(parse_message(&parsed, wide, strlen(wide), why, sizeof(why)), 0);
	int c = field(&parsed, "rtsp.cseq");
	assert_int_equal(packet_get(&parsed, c), UINT64_C(123456789012345));
	assert_true(packet_get(&parsed, c) <= packet_field_max(&parsed, c));
}

static void test_parse_refusals(void **state)
{
	(void)state;
	static const struct {
		const char *text, *reason;
	} bad[] = {
		{"OPTIONS * RTSP/1.0\r\nCSeq: 1\r\n", "without CRLF CRLF"},
		{"OPTIONS\r\nCSeq: 1\r\n\r\n", "without a space"},
		{"OPTIONS *\r\nCSeq: 1\r\n\r\n", "METHOD URI VERSION"},
		{"RTSP/1.0 2x0 OK\r\n\r\n", "3-digit status"},
		{"OPTIONS * RTSP/1.0\r\nCSeq 1\r\n\r\n", "without a name and a colon"},
		{"OPTIONS * RTSP/1.0\r\nContent-Length: 10\r\n\r\nabc", "passes the segment"},
	};
	char why[DL_ERROR_MESSAGE_MAX];
	for (size_t i = 0; i < DL_ARRAY_SIZE(bad); i++) {
		assert_int_equal(
			parse_message(&parsed, bad[i].text, strlen(bad[i].text), why, sizeof(why)),
			DL_EPROTO);
		if (!strstr(why, bad[i].reason))
			fail_msg("case %zu: '%s' lacks '%s'", i, why, bad[i].reason);
	}
	/* 33 headers: past what the model declares */
	char many[2048];
	size_t n = (size_t)snprintf(many, sizeof(many), "OPTIONS * RTSP/1.0\r\n");
	for (int i = 0; i < RTSP_MESSAGE_HEADERS_MAX + 1; i++)
		n += (size_t)snprintf(many + n, sizeof(many) - n, "X-%d: y\r\n", i);
	n += (size_t)snprintf(many + n, sizeof(many) - n, "\r\n");
	assert_int_equal(parse_message(&parsed, many, n, why, sizeof(why)), DL_EPROTO);
	assert_non_null(strstr(why, "more headers"));
}

/* A decimal field written with another number of digits: the frame is spliced, what follows
 * moves, the elements holding it grow, the body is intact. */
static void test_decimal_put(void **state)
{
	(void)state;
	build_set_parameter(&built);
	int cseq = field(&built, "rtsp.cseq"), b = field(&built, "rtsp.body");
	uint32_t before = built.length, body_at = built.fields[b].offset;
	int header = built.fields[cseq].parent;
	uint32_t header_size = built.fields[header].size;
	packet_put(&built, cseq, UINT64_C(4294967296));
	assert_int_equal(packet_get(&built, cseq), UINT64_C(4294967296));
	assert_int_equal(built.fields[cseq].size, 10);
	assert_int_equal(built.length, before + 9);
	assert_int_equal(built.fields[header].size, header_size + 9);
	assert_int_equal(built.fields[b].offset, body_at + 9);
	assert_memory_equal(built.bytes + built.fields[b].offset, body, strlen(body));
	assert_memory_equal(built.bytes + built.fields[cseq].offset, "4294967296\r\n", 12);
	/* capped at the field's max; 0 is one digit */
	packet_put(&built, cseq, UINT64_MAX);
	assert_int_equal(packet_get(&built, cseq), UINT64_C(9999999999));
	packet_put(&built, cseq, 0);
	assert_int_equal(built.fields[cseq].size, 1);
	assert_int_equal(built.length, before);
	/* the frame parses back as the same schema */
	char why[DL_ERROR_MESSAGE_MAX];
	assert_int_equal(parse_message(&parsed, built.bytes, built.length, why, sizeof(why)), 0);
	model_assert_same(&built, &parsed);
}

/* packet_finish() writes Content-Length as the body's length in digits, unless frozen. */
static void test_content_length_fixup(void **state)
{
	(void)state;
	build_set_parameter(&built);
	int b = field(&built, "rtsp.body"), length = field(&built, "rtsp.content_length");
	uint8_t more[200];
	memset(more, 'x', sizeof(more));
	struct dl_error err = {0};
	assert_int_equal(packet_splice(&built, built.fields[b].offset + built.fields[b].size, 0,
				       more, sizeof(more), b, &err),
			 0);
	finish(&built);
	assert_int_equal(packet_get(&built, length), 220);
	assert_int_equal(built.fields[length].size, 3);
	assert_non_null(memmem(built.bytes, built.length, "Content-Length: 220\r\n", 21));
	char why[DL_ERROR_MESSAGE_MAX];
	assert_int_equal(parse_message(&parsed, built.bytes, built.length, why, sizeof(why)), 0);
	model_assert_same(&built, &parsed);

	/* the engine's length anomalies: over stays over after finish, in text */
	build_set_parameter(&built);
	length = field(&built, "rtsp.content_length");
	struct mutation m;
	assert_int_equal(mutate_field(&built, length, ANOMALY_LENGTH_OVER, 3, NULL, &m, &err), 0);
	assert_true(m.after > 20);
	assert_int_equal(packet_get(&built, length), m.after);
	assert_int_equal(built.fields[field(&built, "rtsp.body")].size, 20);
	char expect[64];
	int n = snprintf(expect, sizeof(expect), "Content-Length: %" PRIu64 "\r\n", m.after);
	assert_non_null(memmem(built.bytes, built.length, expect, (size_t)n));
	/* zero and max */
	build_set_parameter(&built);
	length = field(&built, "rtsp.content_length");
	assert_int_equal(mutate_field(&built, length, ANOMALY_LENGTH_ZERO, 3, NULL, &m, &err), 0);
	assert_non_null(memmem(built.bytes, built.length, "Content-Length: 0\r\n", 19));
	build_set_parameter(&built);
	length = field(&built, "rtsp.content_length");
	assert_int_equal(mutate_field(&built, length, ANOMALY_LENGTH_MAX, 3, NULL, &m, &err), 0);
	assert_non_null(memmem(built.bytes, built.length, "Content-Length: 9999999999\r\n", 28));
	/* under */
	build_set_parameter(&built);
	length = field(&built, "rtsp.content_length");
	assert_int_equal(mutate_field(&built, length, ANOMALY_LENGTH_UNDER, 5, NULL, &m, &err), 0);
	assert_true(m.after < 20);
}

/* The integer anomalies on text numbers: every value digits only, within the field's max, and
 * the frame still reads back; over many seeds the interleaved channel passes 255. */
static void test_integer_anomalies(void **state)
{
	(void)state;
	bool past_255 = false, within = false;
	for (uint64_t seed = 1; seed <= 200; seed++) {
		build_setup(&built);
		int ch = field(&built, "rtsp.transport.interleaved_rtp");
		struct mutation m;
		struct dl_error err = {0};
		enum anomaly a = seed & 1 ? ANOMALY_INTEGER_BOUNDARY : ANOMALY_INTEGER_RANDOM;
		assert_int_equal(mutate_field(&built, ch, a, seed, NULL, &m, &err), 0);
		assert_true(m.after <= 99999);
		const struct field *f = &built.fields[ch];
		for (uint32_t i = 0; i < f->size; i++)
			assert_true(built.bytes[f->offset + i] >= '0' &&
				    built.bytes[f->offset + i] <= '9');
		assert_int_equal(built.bytes[f->offset + f->size], '-');
		past_255 |= m.after > 255;
		within |= m.after <= 255;
		char why[DL_ERROR_MESSAGE_MAX];
		assert_int_equal(
			parse_message(&parsed, built.bytes, built.length, why, sizeof(why)), 0);
		assert_int_equal(
			packet_get(&parsed, field(&parsed, "rtsp.transport.interleaved_rtp")),
			m.after);
	}
	assert_true(past_255);
	assert_true(within);
	/* CSeq is an identifier: its boundary values reach 10 digits */
	bool ten = false;
	for (uint64_t seed = 1; seed <= 64; seed++) {
		build_setup(&built);
		struct mutation m;
		struct dl_error err = {0};
		assert_int_equal(mutate_field(&built, field(&built, "rtsp.cseq"),
					      ANOMALY_INTEGER_BOUNDARY, seed, NULL, &m, &err),
				 0);
		ten |= m.after == UINT64_C(9999999999);
	}
	assert_true(ten);
}

/* What the engine offers on a request: integer anomalies on the numbers, length ones on
 * Content-Length, bytes ones on the texts, element ones on the header lines. */
static void test_plan(void **state)
{
	(void)state;
	build_set_parameter(&built);
	static const struct fuzz_template t = {.name = "rtsp-set-parameter", .protocol = "rtsp"};
	static struct mutation_plan plan;
	mutate_plan_build(&plan, &built, &t, NULL);
	bool cseq = false, length = false, method = false, header = false;
	for (size_t i = 0; i < plan.pair_count; i++) {
		int f;
		enum anomaly a;
		mutate_plan_pair(&plan, i, &f, &a);
		const char *name = built.fields[f].name;
		cseq |= strcmp(name, "rtsp.cseq") == 0 && a == ANOMALY_INTEGER_BOUNDARY;
		length |= strcmp(name, "rtsp.content_length") == 0 && a == ANOMALY_LENGTH_OVER;
		method |= strcmp(name, "rtsp.method") == 0 && a == ANOMALY_BYTES_OVERSIZE;
		header |= strcmp(name, "rtsp.header") == 0 && a == ANOMALY_ELEMENT_REPEAT;
	}
	assert_true(cseq);
	assert_true(length);
	assert_true(method);
	assert_true(header);
	/* every planned case builds and stays within the frame */
	for (uint64_t i = 0; i < 500; i++) {
		static struct packet out[MUTATION_FRAMES_MAX];
		static struct fuzz_case c;
		struct dl_error err = {0};
		assert_int_equal(mutate_planned(&plan, 9, i, out, &c, &err), 0);
		assert_true(out[0].length >= 1 && out[0].length <= PACKET_BYTES_MAX);
		/* the CSeq line keeps digits only, whatever was done to it */
		int cs = packet_find(&out[0], "rtsp.cseq", 0);
		if (cs != PACKET_NONE && !(out[0].fields[cs].flags & FIELD_REMOVED))
			for (uint32_t k = 0; k < out[0].fields[cs].size; k++)
				assert_true(out[0].bytes[out[0].fields[cs].offset + k] >= '0' &&
					    out[0].bytes[out[0].fields[cs].offset + k] <= '9');
	}
}

/* Two messages in one TCP segment to port 554, dissected: two rtsp layers in the TCP one. */
static void test_frame(void **state)
{
	(void)state;
	struct ethernet_fields e = {.type = ETHERTYPE_IPV4};
	struct ipv4_fields ip = {0};
	assert_int_equal(inet_pton(AF_INET, "198.18.27.1", &ip.source), 1);
	assert_int_equal(inet_pton(AF_INET, "198.18.27.2", &ip.destination), 1);
	struct tcp_fields t = {.source_port = 40554,
			       .destination_port = RTSP_MESSAGE_PORT,
			       .sequence = 1001,
			       .acknowledgment = 5001,
			       .flags = TCP_FLAG_ACK | TCP_FLAG_PSH};
	struct rtsp_message_fields a = {.method = "OPTIONS", .uri = URL, .cseq = 1};
	struct rtsp_message_fields b = {.method = "GET_PARAMETER",
					.uri = URL,
					.cseq = 2,
					.session = "12345678",
					.body = (const uint8_t *)body,
					.body_length = strlen(body)};
	struct dl_error err = {0};
	packet_init(&built);
	assert_int_equal(ethernet_build(&built, &e), 0);
	assert_int_equal(ipv4_build(&built, &ip), 0);
	assert_int_equal(tcp_build(&built, &t), 0);
	assert_int_equal(rtsp_message_build(&built, &a, &err), 0);
	assert_int_equal(rtsp_message_build(&built, &b, &err), 0);
	finish(&built);
	assert_int_equal(built.layer_count, 5);
	assert_int_equal(proto_dissect(&parsed, built.bytes, built.length, &err), 0);
	model_assert_same(&built, &parsed);
	assert_int_equal(packet_find(&parsed, "tcp.payload", 0), PACKET_NONE);
	/* the body grown past 99 bytes inside the frame: finish writes Content-Length with a
	 * third digit, then takes the IPv4 total length again over the longer frame */
	int body_field = packet_find(&built, "rtsp.body", 0);
	uint8_t more[120];
	memset(more, 'y', sizeof(more));
	assert_int_equal(
		packet_splice(&built,
			      built.fields[body_field].offset + built.fields[body_field].size, 0,
			      more, sizeof(more), body_field, &err),
		0);
	finish(&built);
	assert_int_equal(packet_get(&built, packet_find(&built, "rtsp.content_length", 0)), 140);
	assert_int_equal(packet_get(&built, packet_find(&built, "ipv4.total_length", 0)),
			 built.length - 14);
	assert_int_equal(proto_dissect(&parsed, built.bytes, built.length, &err), 0);
	model_assert_same(&built, &parsed);
	/* a mutated Content-Length in a frame: IPv4 total length and the TCP checksum follow */
	int length = packet_find(&built, "rtsp.content_length", 0);
	struct mutation m;
	assert_int_equal(mutate_field(&built, length, ANOMALY_LENGTH_MAX, 1, NULL, &m, &err), 0);
	assert_int_equal(packet_get(&built, packet_find(&built, "ipv4.total_length", 0)),
			 built.length - 14);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_build_exact),
		cmocka_unit_test(test_build_refuses),
		cmocka_unit_test(test_parse_back),
		cmocka_unit_test(test_parse_response),
		cmocka_unit_test(test_parse_refusals),
		cmocka_unit_test(test_decimal_put),
		cmocka_unit_test(test_content_length_fixup),
		cmocka_unit_test(test_integer_anomalies),
		cmocka_unit_test(test_plan),
		cmocka_unit_test(test_frame),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
