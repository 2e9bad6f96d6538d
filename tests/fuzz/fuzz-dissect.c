/* fuzz-dissect: libFuzzer target for proto_dissect() through every model, and the packet core */
#include "core/compat.h"

#include "core/error.h"
#include "proto/layer.h"
#include "proto/packet.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Every live field lies in the frame and inside its live parent. */
static void check_schema(const struct packet *p)
{
	if (p->field_count > PACKET_FIELDS_MAX || p->layer_count > PACKET_LAYERS_MAX ||
	    p->length > PACKET_BYTES_MAX)
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
	}
	for (int l = 0; l < p->layer_count; l++) {
		int e = p->layers[l].element;
		if (e < 0 || e >= p->field_count || !(p->fields[e].flags & FIELD_LAYER))
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct packet parsed, copy;
	struct dl_error err;
	if (proto_dissect(&parsed, data, size, &err) < 0) {
		if (strncmp(err.message, "frame: ", 7) != 0)
			abort(); /* every rejection says where in the frame */
		return 0;
	}
	if (parsed.length != size || memcmp(parsed.bytes, data, size) != 0 || parsed.open_count)
		abort();
	check_schema(&parsed);
	for (int i = 0; i < parsed.field_count; i++) {
		if (packet_get(&parsed, i) > packet_field_max(&parsed, i))
			abort();
	}

	/* what the mutation engine does: copy, cut or repeat a field the input picks, finish */
	packet_copy(&copy, &parsed);
	if (copy.field_count > 0 && size > 0) {
		int pick = data[0] % copy.field_count;
		const struct field *f = &copy.fields[pick];
		uint32_t offset = f->offset, length = f->size;
		if (data[size - 1] & 1) {
			if (packet_splice(&copy, offset, length, NULL, 0, PACKET_NONE, &err) < 0)
				abort();
		} else if (length <= 64) {
			uint8_t again[64];
			memcpy(again, copy.bytes + offset, length);
			int owner = (data[size - 1] & 2) ? f->parent : PACKET_NONE;
			if (packet_splice(&copy, offset + length, 0, again, length, owner, &err) <
				    0 &&
			    err.code != DL_ENOMEM)
				abort();
		}
		packet_freeze(&copy, data[size / 2] % copy.field_count);
	}
	uint32_t before = copy.length;
	bool decimal = false; /* a decimal-text length (RTSP's) may take more or fewer digits */
	for (int i = 0; i < copy.field_count; i++)
		decimal |=
			(copy.fields[i].flags & (FIELD_DECIMAL | FIELD_REMOVED)) == FIELD_DECIMAL;
	if (packet_finish(&copy, &err) < 0 || (!decimal && copy.length != before))
		abort();
	check_schema(&copy);
	if (decimal) {
		/* then the lengths have settled: finishing again changes nothing */
		static struct packet again;
		packet_copy(&again, &copy);
		if (packet_finish(&again, &err) < 0 || again.length != copy.length ||
		    memcmp(again.bytes, copy.bytes, copy.length) != 0)
			abort();
	}
	return 0;
}
