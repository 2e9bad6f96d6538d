/* fuzz-tls-record: libFuzzer target for the TLS record model's parser (a record stream, as a
 * TCP segment to or from port 443 carries it) and the packet core's fixups over its schema */
#include "core/compat.h"

#include "core/error.h"
#include "proto/cursor.h"
#include "proto/layer.h"
#include "proto/packet.h"
#include "proto/tls-record.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Every live field lies inside the records and inside its live parent; relations point back. */
static void check_schema(const struct packet *p)
{
	for (int i = 0; i < p->field_count; i++) {
		const struct field *f = &p->fields[i];
		if (f->flags & FIELD_REMOVED)
			continue;
		if (f->offset > p->length || f->size > p->length - f->offset)
			abort();
		if (f->parent >= i || f->target >= p->field_count)
			abort();
		if (strncmp(f->name, "tls", 3) != 0)
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
	static struct packet parsed, again;
	struct cursor c;
	packet_init(&parsed);
	cursor_init(&c, data, size);
	/* the records one after another, each a layer, as the dissector walks them */
	for (int n = 0; n < PACKET_LAYERS_MAX && !cursor_at_end(&c); n++) {
		struct layer_parse_result next;
		size_t before = cursor_position(&c);
		int rc = tls_record_layer.parse(&parsed, &c, &next);
		if (rc < 0) {
			struct dl_error err;
			if (rc == DL_EPROTO && !cursor_failed(&c))
				abort(); /* every refusal says why */
			if (rc == DL_EPROTO && cursor_error_report(&c, &err, "tls") != DL_EPROTO)
				abort();
			return 0;
		}
		if (cursor_position(&c) <= before)
			abort(); /* a record takes at least its header */
		if ((next.next == LAYER_NEXT_NONE) != cursor_at_end(&c))
			abort();
	}
	parsed.open_count = 0;
	if (parsed.length != cursor_position(&c) || memcmp(parsed.bytes, data, parsed.length) != 0)
		abort();
	check_schema(&parsed);

	/* a fully parsed stream is its own fixed point: finishing changes nothing (every length
	 * the parser accepted is the one its relation computes) */
	struct dl_error err;
	packet_copy(&again, &parsed);
	if (packet_finish(&again, &err) < 0 || again.length != parsed.length)
		abort();
	if (cursor_at_end(&c) && memcmp(again.bytes, parsed.bytes, parsed.length) != 0)
		abort();
	check_schema(&again);
	return 0;
}
