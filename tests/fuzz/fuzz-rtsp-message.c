/* fuzz-rtsp-message: libFuzzer target for the RTSP text model's parser (a TCP stream of requests
 * and responses, message by message) and its decimal-text fields under packet_put and packet_finish
 */
#include "core/compat.h"

#include "core/error.h"
#include "proto/cursor.h"
#include "proto/layer.h"
#include "proto/packet.h"
#include "proto/rtsp-message.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Every live field lies in the message and inside its live parent; numbers within their max. */
static void check_schema(const struct packet *p)
{
	for (int i = 0; i < p->field_count; i++) {
		const struct field *f = &p->fields[i];
		if (f->flags & FIELD_REMOVED)
			continue;
		if (f->offset > p->length || f->size > p->length - f->offset)
			abort();
		if ((f->flags & FIELD_DECIMAL) && packet_get(p, i) > packet_field_max(p, i))
			abort();
		if (f->parent < 0 || (p->fields[f->parent].flags & FIELD_REMOVED))
			continue;
		const struct field *up = &p->fields[f->parent];
		if (f->offset < up->offset || f->offset + f->size > up->offset + up->size)
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct packet p, again;
	struct dl_error err;
	struct cursor c;
	if (size > PACKET_BYTES_MAX)
		return 0;
	packet_init(&p);
	cursor_init(&c, data, size);
	/* as the dissector walks a TCP payload: one message (one layer) after the other */
	for (int depth = 0; depth < PACKET_LAYERS_MAX && !cursor_at_end(&c); depth++) {
		struct layer_parse_result next;
		size_t at = cursor_position(&c);
		int rc = rtsp_message_layer.parse(&p, &c, &next);
		if (rc == DL_EPROTO && !cursor_failed(&c))
			abort(); /* a refusal records its reason and offset */
		if (rc == DL_ENOMEM || p.overflow)
			return 0; /* more messages (or frames with their RTP) than a packet holds */
		if (rc < 0 || cursor_position(&c) == at)
			break;
	}
	p.open_count = 0;
	if (memcmp(p.bytes, data, p.length) != 0)
		abort(); /* what was parsed is the input's prefix, byte for byte */
	check_schema(&p);
	if (p.field_count == 0)
		return 0;
	/* a decimal field the input picks, rewritten with the input's value: digits only */
	int pick = data[0] % p.field_count;
	if (p.fields[pick].flags & FIELD_DECIMAL) {
		uint64_t v = 0;
		memcpy(&v, data + (size > 8 ? size - 8 : 0), size > 8 ? 8 : 0);
		packet_put(&p, pick, v);
		const struct field *f = &p.fields[pick];
		for (uint32_t k = 0; k < f->size; k++)
			if (p.bytes[f->offset + k] < '0' || p.bytes[f->offset + k] > '9')
				abort();
		uint64_t max = packet_field_max(&p, pick);
		bool room = p.length + PACKET_DECIMAL_DIGITS_MAX <= PACKET_BYTES_MAX;
		if (room && packet_get(&p, pick) != (v > max ? max : v))
			abort();
		packet_freeze(&p, pick);
	}
	if (packet_finish(&p, &err) < 0)
		abort();
	check_schema(&p);
	/* the lengths have settled: finishing again changes nothing */
	packet_copy(&again, &p);
	if (packet_finish(&again, &err) < 0 || again.length != p.length ||
	    memcmp(again.bytes, p.bytes, p.length) != 0)
		abort();
	return 0;
}
