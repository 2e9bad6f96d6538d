/* fuzz-media: the body of the rtp, rtcp and rtsp-interleaved libFuzzer targets: one model's
 * parser on the input, the schema checked, then copied, cut and finished as the engine does */
#ifndef DUTLAB_TESTS_FUZZ_MEDIA_H
#define DUTLAB_TESTS_FUZZ_MEDIA_H

#include "core/error.h"
#include "proto/cursor.h"
#include "proto/layer.h"
#include "proto/packet.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Every live field lies in the message and inside its live parent. */
static void media_check_schema(const struct packet *p)
{
	if (p->field_count > PACKET_FIELDS_MAX || p->length > PACKET_BYTES_MAX)
		abort();
	for (int i = 0; i < p->field_count; i++) {
		const struct field *f = &p->fields[i];
		if (!f->name || (f->flags & FIELD_REMOVED))
			continue;
		if (f->offset > p->length || f->size > p->length - f->offset)
			abort();
		if (f->parent >= i || f->target >= p->field_count)
			abort();
		if (f->parent < 0 || (p->fields[f->parent].flags & FIELD_REMOVED))
			continue;
		const struct field *up = &p->fields[f->parent];
		if (f->offset < up->offset || f->offset + f->size > up->offset + up->size)
			abort();
		if (packet_get(p, i) > packet_field_max(p, i))
			abort();
	}
}

static int media_fuzz(const struct proto_layer *model, const uint8_t *data, size_t size)
{
	static struct packet parsed, copy;
	struct cursor c;
	if (size > PACKET_BYTES_MAX)
		return 0;
	packet_init(&parsed);
	cursor_init(&c, data, size);
	struct layer_parse_result next;
	int rc = model->parse(&parsed, &c, &next);
	if (rc < 0) {
		/* a refusal says why, unless the packet's tables were full */
		if (rc != DL_ENOMEM && !parsed.overflow && !cursor_failed(&c))
			abort();
		return 0;
	}
	/* what was taken is the input's prefix, byte for byte */
	if (parsed.length != cursor_position(&c) || memcmp(parsed.bytes, data, parsed.length))
		abort();
	parsed.open_count = 0;
	media_check_schema(&parsed);
	packet_copy(&copy, &parsed);
	if (copy.field_count > 0 && size > 0) {
		int pick = data[0] % copy.field_count;
		const struct field *f = &copy.fields[pick];
		struct dl_error err;
		if (packet_splice(&copy, f->offset, f->size, NULL, 0, PACKET_NONE, &err) < 0)
			abort();
		packet_freeze(&copy, data[size / 2] % copy.field_count);
	}
	struct dl_error err;
	uint32_t before = copy.length;
	if (packet_finish(&copy, &err) < 0 || copy.length != before)
		abort();
	media_check_schema(&copy);
	return 0;
}

#endif
