/* packet: the frame's bytes and field schema, splicing, and the derived fields at finish */
#include "core/compat.h"

#include "core/error.h"
#include "proto/layer.h"
#include "proto/packet.h"

_Static_assert(PACKET_FIELDS_MAX <= INT16_MAX, "field indices are int16_t");
_Static_assert(PACKET_BYTES_MAX < UINT32_MAX / 2, "offsets are uint32_t");

void packet_init(struct packet *p)
{
	/* the bytes are not cleared: packet_append() zeroes what it hands out */
	p->length = 0;
	p->field_count = 0;
	p->layer_count = 0;
	p->open_count = 0;
	p->overflow = false;
	memset(p->frozen, 0, sizeof(p->frozen));
}

void packet_copy(struct packet *dst, const struct packet *src)
{
	if (dst == src)
		return;
	memcpy(dst->bytes, src->bytes, src->length);
	dst->length = src->length;
	dst->field_count = src->field_count;
	dst->layer_count = src->layer_count;
	dst->open_count = src->open_count;
	dst->overflow = src->overflow;
	memcpy(dst->fields, src->fields, src->field_count * sizeof(src->fields[0]));
	memcpy(dst->layers, src->layers, src->layer_count * sizeof(src->layers[0]));
	memcpy(dst->open, src->open, src->open_count * sizeof(src->open[0]));
	memcpy(dst->frozen, src->frozen, sizeof(dst->frozen));
}

static bool packet_valid_field(const struct packet *p, int field)
{
	return field >= 0 && field < p->field_count;
}

static int16_t packet_innermost(const struct packet *p)
{
	return p->open_count > 0 ? p->open[p->open_count - 1] : PACKET_NONE;
}

static int16_t packet_current_layer(const struct packet *p)
{
	return p->layer_count > 0 ? (int16_t)(p->layer_count - 1) : PACKET_NONE;
}

/* A new field with the common parts filled; NULL (and overflow) when the table is full. */
static struct field *packet_new_field(struct packet *p, const char *name, enum field_kind kind,
				      uint32_t offset, uint32_t size, uint8_t flags)
{
	if (p->field_count >= PACKET_FIELDS_MAX) {
		p->overflow = true;
		return NULL;
	}
	struct field *f = &p->fields[p->field_count++];
	f->name = name;
	f->offset = offset;
	f->size = size;
	f->bit_shift = 0;
	f->bit_width = 0;
	f->kind = (uint8_t)kind;
	f->flags = flags;
	f->parent = packet_innermost(p);
	f->target = PACKET_NONE;
	f->layer = packet_current_layer(p);
	f->unit = 1;
	f->adjust = 0;
	f->values = NULL;
	return f;
}

int packet_element_begin(struct packet *p, const char *name, enum field_kind kind, uint8_t flags)
{
	if (p->open_count >= PACKET_OPEN_MAX) {
		p->overflow = true;
		return PACKET_NONE;
	}
	if (kind != FIELD_ELEMENT && kind != FIELD_LIST)
		kind = FIELD_ELEMENT;
	struct field *f = packet_new_field(p, name, kind, p->length, 0, flags);
	if (!f)
		return PACKET_NONE;
	int index = (int)(f - p->fields);
	p->open[p->open_count++] = (int16_t)index;
	return index;
}

void packet_element_end(struct packet *p, int element)
{
	/* close element and whatever was left open inside it */
	for (int i = p->open_count - 1; i >= 0; i--) {
		if (p->open[i] == element) {
			p->open_count = (uint8_t)i;
			return;
		}
	}
}

int packet_layer_begin(struct packet *p, const struct proto_layer *model, const char *name)
{
	if (p->layer_count >= PACKET_LAYERS_MAX) {
		p->overflow = true;
		return PACKET_NONE;
	}
	int layer = p->layer_count++;
	struct packet_layer *l = &p->layers[layer];
	l->model = model;
	for (size_t i = 0; i < DL_ARRAY_SIZE(l->slots); i++)
		l->slots[i] = PACKET_NONE;
	int element = packet_element_begin(p, name, FIELD_ELEMENT, FIELD_LAYER);
	if (element == PACKET_NONE) {
		p->layer_count--;
		return PACKET_NONE;
	}
	l->element = (int16_t)element;
	return layer;
}

uint32_t packet_append(struct packet *p, size_t n)
{
	if (p->overflow || n > PACKET_BYTES_MAX - p->length) {
		p->overflow = true;
		return PACKET_BYTES_MAX;
	}
	uint32_t offset = p->length;
	memset(p->bytes + offset, 0, n);
	p->length += (uint32_t)n;
	for (unsigned i = 0; i < p->open_count; i++)
		p->fields[p->open[i]].size += (uint32_t)n;
	return offset;
}

static uint64_t packet_mask(unsigned width)
{
	return width >= 64 ? UINT64_MAX : (UINT64_C(1) << width) - 1;
}

/* The field's holding bytes are numeric and inside the frame. */
static bool packet_numeric(const struct packet *p, const struct field *f)
{
	uint32_t most = (f->flags & FIELD_DECIMAL) ? PACKET_DECIMAL_DIGITS_MAX : 8;
	return !(f->flags & FIELD_REMOVED) && f->size >= 1 && f->size <= most &&
	       f->offset + f->size <= p->length;
}

/* A decimal field's value: its leading digits, saturating at UINT64_MAX (a mutation may
 * leave anything there; what is not a digit ends the number). */
static uint64_t packet_decimal_read(const uint8_t *b, uint32_t size)
{
	uint64_t v = 0;
	for (uint32_t i = 0; i < size && b[i] >= '0' && b[i] <= '9'; i++) {
		unsigned d = (unsigned)(b[i] - '0');
		if (v > (UINT64_MAX - d) / 10)
			return UINT64_MAX;
		v = v * 10 + d;
	}
	return v;
}

/* value's decimal digits into out (PACKET_DECIMAL_DIGITS_MAX bytes); their count */
static uint32_t packet_decimal_text(uint64_t value, uint8_t *out)
{
	uint8_t rev[PACKET_DECIMAL_DIGITS_MAX];
	uint32_t n = 0;
	do {
		rev[n++] = (uint8_t)('0' + value % 10);
		value /= 10;
	} while (value && n < PACKET_DECIMAL_DIGITS_MAX);
	for (uint32_t i = 0; i < n; i++)
		out[i] = rev[n - 1 - i];
	return n;
}

static uint64_t packet_decimal_max(unsigned digits)
{
	if (digits == 0 || digits >= PACKET_DECIMAL_DIGITS_MAX)
		return UINT64_MAX;
	uint64_t max = 1;
	for (unsigned i = 0; i < digits; i++)
		max *= 10;
	return max - 1;
}

static uint64_t packet_read(const uint8_t *b, uint32_t size, bool little)
{
	/* the common shapes first: the mutation engine reads and writes at line rate */
	if (!little && size == 2)
		return (uint64_t)b[0] << 8 | b[1];
	if (size == 1)
		return b[0];
	uint64_t v = 0;
	if (little) {
		for (uint32_t i = size; i-- > 0;)
			v = (v << 8) | b[i];
	} else {
		for (uint32_t i = 0; i < size; i++)
			v = (v << 8) | b[i];
	}
	return v;
}

static void packet_write(uint8_t *b, uint32_t size, bool little, uint64_t v)
{
	if (size == 1) {
		b[0] = (uint8_t)v;
		return;
	}
	if (!little && size == 2) {
		b[0] = (uint8_t)(v >> 8);
		b[1] = (uint8_t)v;
		return;
	}
	if (little) {
		for (uint32_t i = 0; i < size; i++, v >>= 8)
			b[i] = (uint8_t)v;
	} else {
		for (uint32_t i = size; i-- > 0; v >>= 8)
			b[i] = (uint8_t)v;
	}
}

uint64_t packet_get(const struct packet *p, int field)
{
	if (!packet_valid_field(p, field))
		return 0;
	const struct field *f = &p->fields[field];
	if (!packet_numeric(p, f))
		return 0;
	if (f->flags & FIELD_DECIMAL)
		return packet_decimal_read(p->bytes + f->offset, f->size);
	uint64_t v = packet_read(p->bytes + f->offset, f->size, f->flags & FIELD_LITTLE_ENDIAN);
	if (f->bit_width == 0)
		return v;
	if (f->bit_shift >= 64)
		return 0;
	return (v >> f->bit_shift) & packet_mask(f->bit_width);
}

void packet_put(struct packet *p, int field, uint64_t value)
{
	if (!packet_valid_field(p, field))
		return;
	const struct field *f = &p->fields[field];
	if (!packet_numeric(p, f))
		return;
	if (f->flags & FIELD_DECIMAL) {
		/* the text takes the digits' width: the frame is spliced around it (a frame
		 * past PACKET_BYTES_MAX keeps the old digits) */
		uint8_t text[PACKET_DECIMAL_DIGITS_MAX];
		uint64_t max = packet_decimal_max(f->bit_width);
		uint32_t n = packet_decimal_text(value > max ? max : value, text);
		if (n == f->size) {
			memcpy(p->bytes + f->offset, text, n);
			return;
		}
		(void)packet_splice(p, f->offset, f->size, text, n, field, NULL);
		return;
	}
	bool little = f->flags & FIELD_LITTLE_ENDIAN;
	uint8_t *b = p->bytes + f->offset;
	if (f->bit_width == 0) {
		packet_write(b, f->size, little, value);
		return;
	}
	if (f->bit_shift >= 64)
		return;
	uint64_t mask = packet_mask(f->bit_width) << f->bit_shift;
	uint64_t v = packet_read(b, f->size, little);
	v = (v & ~mask) | ((value << f->bit_shift) & mask);
	packet_write(b, f->size, little, v);
}

uint64_t packet_field_max(const struct packet *p, int field)
{
	if (!packet_valid_field(p, field))
		return 0;
	const struct field *f = &p->fields[field];
	if (f->flags & FIELD_DECIMAL)
		return packet_decimal_max(f->bit_width);
	if (f->bit_width)
		return packet_mask(f->bit_width);
	if (f->size < 1 || f->size > 8)
		return 0;
	return packet_mask(f->size * 8);
}

/* A numeric field's bytes must be appended already; a bad shape is a builder bug, reported
 * through overflow so packet_finish() fails rather than writing outside the field. */
static int packet_numeric_field(struct packet *p, const char *name, enum field_kind kind,
				uint32_t offset, uint32_t size, uint8_t bit_shift,
				uint8_t bit_width, uint64_t value, uint8_t flags)
{
	if (p->overflow)
		return PACKET_NONE;
	bool shape = size >= 1 && size <= 8 && offset <= p->length && size <= p->length - offset;
	if (bit_width)
		shape = shape && (size == 1 || size == 2 || size == 4 || size == 8) &&
			(unsigned)bit_shift + bit_width <= size * 8;
	if (!shape) {
		p->overflow = true;
		return PACKET_NONE;
	}
	struct field *f = packet_new_field(p, name, kind, offset, size, flags);
	if (!f)
		return PACKET_NONE;
	f->bit_shift = bit_width ? bit_shift : 0;
	f->bit_width = bit_width;
	int index = (int)(f - p->fields);
	packet_put(p, index, value);
	return index;
}

int packet_field(struct packet *p, const char *name, enum field_kind kind, uint32_t offset,
		 uint32_t size, uint64_t value, uint8_t flags)
{
	return packet_numeric_field(p, name, kind, offset, size, 0, 0, value, flags);
}

int packet_field_bits(struct packet *p, const char *name, enum field_kind kind, uint32_t offset,
		      uint32_t size, uint8_t bit_shift, uint8_t bit_width, uint64_t value,
		      uint8_t flags)
{
	return packet_numeric_field(p, name, kind, offset, size, bit_shift, bit_width, value,
				    flags);
}

int packet_field_bytes(struct packet *p, const char *name, enum field_kind kind, uint32_t offset,
		       const void *data, uint32_t size, uint8_t flags)
{
	if (p->overflow)
		return PACKET_NONE;
	if (offset > p->length || size > p->length - offset) {
		p->overflow = true;
		return PACKET_NONE;
	}
	struct field *f = packet_new_field(p, name, kind, offset, size, flags);
	if (!f)
		return PACKET_NONE;
	/* data may already be the frame's bytes (a parser declaring what it copied) */
	if (data && size && (const uint8_t *)data != p->bytes + offset)
		memmove(p->bytes + offset, data, size);
	return (int)(f - p->fields);
}

int packet_decimal(struct packet *p, const char *name, enum field_kind kind, uint64_t value,
		   unsigned digits, uint8_t flags)
{
	uint8_t text[PACKET_DECIMAL_DIGITS_MAX];
	uint64_t max = packet_decimal_max(digits);
	uint32_t n = packet_decimal_text(value > max ? max : value, text);
	uint32_t offset = packet_append(p, n);
	if (offset == PACKET_BYTES_MAX)
		return PACKET_NONE;
	memcpy(p->bytes + offset, text, n);
	return packet_decimal_present(p, name, kind, offset, n, digits, flags);
}

int packet_decimal_present(struct packet *p, const char *name, enum field_kind kind,
			   uint32_t offset, uint32_t size, unsigned digits, uint8_t flags)
{
	if (p->overflow)
		return PACKET_NONE;
	if (size < 1 || size > PACKET_DECIMAL_DIGITS_MAX || offset > p->length ||
	    size > p->length - offset)
		return PACKET_NONE;
	for (uint32_t i = 0; i < size; i++)
		if (p->bytes[offset + i] < '0' || p->bytes[offset + i] > '9')
			return PACKET_NONE;
	struct field *f = packet_new_field(p, name, kind, offset, size, flags | FIELD_DECIMAL);
	if (!f)
		return PACKET_NONE;
	f->bit_width =
		(uint8_t)(digits > PACKET_DECIMAL_DIGITS_MAX ? PACKET_DECIMAL_DIGITS_MAX : digits);
	return (int)(f - p->fields);
}

void packet_relate(struct packet *p, int field, int target, uint16_t unit, int32_t adjust)
{
	if (!packet_valid_field(p, field))
		return;
	struct field *f = &p->fields[field];
	f->target = (int16_t)(packet_valid_field(p, target) ? target : PACKET_NONE);
	f->unit = unit ? unit : 1;
	f->adjust = adjust;
}

void packet_values(struct packet *p, int field, const struct field_value *values)
{
	if (packet_valid_field(p, field))
		p->fields[field].values = values;
}

void packet_freeze(struct packet *p, int field)
{
	if (packet_valid_field(p, field))
		p->frozen[field / 64] |= UINT64_C(1) << (field % 64);
}

bool packet_frozen(const struct packet *p, int field)
{
	return packet_valid_field(p, field) && (p->frozen[field / 64] >> (field % 64)) & 1;
}

void packet_put_derived(struct packet *p, int field, uint64_t value)
{
	if (packet_valid_field(p, field) && !packet_frozen(p, field))
		packet_put(p, field, value);
}

uint64_t packet_read_be(const struct packet *p, uint32_t offset, uint32_t size)
{
	uint64_t v = 0;
	for (uint32_t i = 0; i < size && offset + i < p->length; i++)
		v = (v << 8) | p->bytes[offset + i];
	return v;
}

int packet_field_present(struct packet *p, const char *name, enum field_kind kind, uint32_t offset,
			 uint32_t size, uint8_t flags)
{
	return packet_field(p, name, kind, offset, size, packet_read_be(p, offset, size), flags);
}

#define PACKET_CHAIN_WORDS ((PACKET_FIELDS_MAX + 63) / 64)

/* owner and every element holding it, as a bit set: asked once per field in
 * a splice, so it is built once per splice (the walk per field was a third
 * of a mutated LLDP case's time). */
static void packet_owner_chain(const struct packet *p, int owner, uint64_t *chain)
{
	memset(chain, 0, PACKET_CHAIN_WORDS * sizeof(*chain));
	for (int i = 0; owner >= 0 && owner < PACKET_FIELDS_MAX && i < PACKET_FIELDS_MAX; i++) {
		chain[owner / 64] |= 1ull << (owner % 64);
		owner = p->fields[owner].parent;
	}
}

/*
 * Where one field goes when [o, o + r) becomes k new bytes. A boundary inside
 * the cut collapses to the insertion: a field that receives the new bytes
 * spans them, any other sits before (its end) or after (its start) them.
 */
static void packet_splice_field(struct packet *p, int i, uint32_t o, uint32_t r, uint32_t k,
				int owner, const uint64_t *chain)
{
	struct field *f = &p->fields[i];
	uint32_t s = f->offset, e = f->offset + f->size, cut = o + r;
	int64_t delta = (int64_t)k - (int64_t)r;
	bool owns = (chain[i / 64] >> (i % 64)) & 1;
	bool receives =
		owns || (s < o && e > cut) || (owner == PACKET_NONE && r > 0 && s <= o && e >= cut);
	/* parents come before their children: a removed parent took its children with it */
	const struct field *parent = f->parent >= 0 ? &p->fields[f->parent] : NULL;
	if (parent && (parent->flags & FIELD_REMOVED)) {
		f->flags |= FIELD_REMOVED;
		f->offset = o;
		return;
	}
	if (f->size == 0 && !receives) {
		/* a point: stays before the cut, goes inside it, moves after it; kept in its parent
		 */
		if (s > o && s < cut) {
			f->flags |= FIELD_REMOVED;
			return;
		}
		uint32_t at = s < o || (s == o && r > 0) ? s : (uint32_t)(s + delta);
		if (parent && at < parent->offset)
			at = parent->offset;
		if (parent && at > parent->offset + parent->size)
			at = parent->offset + parent->size;
		f->offset = at;
		return;
	}
	uint32_t ns = s < o ? s : s > cut ? (uint32_t)(s + delta) : (receives ? o : o + k);
	uint32_t ne = e < o ? e : e > cut ? (uint32_t)(e + delta) : (receives ? o + k : o);
	if (ne < ns || (ne == ns && !owns)) {
		f->flags |= FIELD_REMOVED;
		f->offset = o;
		return;
	}
	f->offset = ns;
	f->size = ne - ns;
}

/* A splice whose new bytes come from the frame at or after the cut (which the move would
 * shift or overwrite): they are copied aside first. Rare, so the copy is here only. */
static __attribute__((noinline)) int packet_splice_self(struct packet *p, uint32_t offset,
							uint32_t remove, uint32_t from,
							uint32_t insert_length, int owner)
{
	uint8_t aside[PACKET_BYTES_MAX];
	uint32_t n =
		insert_length < PACKET_BYTES_MAX - from ? insert_length : PACKET_BYTES_MAX - from;
	memcpy(aside, p->bytes + from, n);
	memset(aside + n, 0, insert_length - n);
	return packet_splice(p, offset, remove, aside, insert_length, owner, NULL);
}

int packet_splice(struct packet *p, uint32_t offset, uint32_t remove, const void *insert,
		  uint32_t insert_length, int owner, struct dl_error *err)
{
	if (offset > p->length || remove > p->length - offset)
		return dl_error_set(err, DL_EINVAL,
				    "packet: splice of %" PRIu32 " bytes at offset %" PRIu32
				    " passes the frame's end (%" PRIu32 " bytes)",
				    remove, offset, p->length);
	if (insert_length > PACKET_BYTES_MAX ||
	    p->length - remove + insert_length > PACKET_BYTES_MAX)
		return dl_error_set(err, DL_ENOMEM,
				    "packet: splice would make a %" PRIu32
				    "-byte frame, past the %d-byte ceiling",
				    p->length - remove + insert_length, PACKET_BYTES_MAX);
	if (!packet_valid_field(p, owner))
		owner = PACKET_NONE;
	uintptr_t from = (uintptr_t)insert, frame = (uintptr_t)p->bytes;
	if (insert && insert_length && from >= frame && from < frame + PACKET_BYTES_MAX &&
	    from + insert_length > frame + offset)
		return packet_splice_self(p, offset, remove, (uint32_t)(from - frame),
					  insert_length, owner);
	uint32_t tail = p->length - offset - remove;
	if (insert_length != remove)
		memmove(p->bytes + offset + insert_length, p->bytes + offset + remove, tail);
	if (insert)
		memmove(p->bytes + offset, insert, insert_length);
	else
		memset(p->bytes + offset, 0, insert_length);
	p->length = p->length - remove + insert_length;
	uint64_t chain[PACKET_CHAIN_WORDS];
	packet_owner_chain(p, owner, chain);
	for (int i = 0; i < p->field_count; i++) {
		if (!(p->fields[i].flags & FIELD_REMOVED))
			packet_splice_field(p, i, offset, remove, insert_length, owner, chain);
	}
	return 0;
}

static uint32_t packet_target_size(const struct packet *p, int target)
{
	const struct field *t = &p->fields[target];
	return (t->flags & FIELD_REMOVED) ? 0 : t->size;
}

int packet_finish(struct packet *p, struct dl_error *err)
{
	if (p->overflow)
		return dl_error_set(err, DL_ENOMEM,
				    "packet: a builder ran out of room (%d bytes, %d fields, %d "
				    "layers, %d nested elements); build a smaller frame",
				    PACKET_BYTES_MAX, PACKET_FIELDS_MAX, PACKET_LAYERS_MAX,
				    PACKET_OPEN_MAX);
	p->open_count = 0;
	uint16_t children[PACKET_FIELDS_MAX];
	bool counted = false;
	/* a decimal-text length (FIELD_DECIMAL) written with more or fewer digits moves what
	 * follows it and resizes what holds it: the lengths are taken again after such a pass
	 * (each pass measures what the last one wrote; the digits settle within two) */
	for (int pass = 0; pass < 4; pass++) {
		uint32_t before = p->length;
		for (int i = 0; i < p->field_count; i++) {
			const struct field *f = &p->fields[i];
			if ((f->kind != FIELD_LENGTH && f->kind != FIELD_COUNT) || f->target < 0 ||
			    f->target >= p->field_count || (f->flags & FIELD_REMOVED) ||
			    packet_frozen(p, i))
				continue;
			if (f->kind == FIELD_LENGTH) {
				int64_t v = (int64_t)(packet_target_size(p, f->target) / f->unit) +
					    f->adjust;
				packet_put(p, i, v < 0 ? 0 : (uint64_t)v);
				continue;
			}
			if (!counted) {
				/* one pass counts every element's children, for all the counts */
				memset(children, 0, p->field_count * sizeof(children[0]));
				for (int j = 0; j < p->field_count; j++) {
					const struct field *c = &p->fields[j];
					if ((c->kind == FIELD_ELEMENT || c->kind == FIELD_LIST) &&
					    !(c->flags & FIELD_REMOVED) && c->parent >= 0 &&
					    c->parent < p->field_count)
						children[c->parent]++;
				}
				counted = true;
			}
			packet_put(p, i, children[f->target]);
		}
		if (p->length == before)
			break;
	}
	for (int l = p->layer_count - 1; l >= 0; l--) {
		const struct packet_layer *layer = &p->layers[l];
		if (!layer->model || !layer->model->fixup)
			continue;
		if (packet_valid_field(p, layer->element) &&
		    (p->fields[layer->element].flags & FIELD_REMOVED))
			continue;
		layer->model->fixup(p, l);
	}
	return 0;
}

int packet_find(const struct packet *p, const char *name, int from)
{
	for (int i = from < 0 ? 0 : from; i < p->field_count; i++) {
		const char *n = p->fields[i].name;
		if (n == name || (n && strcmp(n, name) == 0))
			return i;
	}
	return PACKET_NONE;
}

/*
 * RFC 1071 2: the sum is independent of byte order and may be taken in
 * wider words (2^16 = 1 mod 2^16 - 1), so it adds native 32-bit halves of
 * 64-bit loads and swaps the folded result to network order once.
 */
uint32_t packet_inet_sum(const uint8_t *data, size_t length, uint32_t sum)
{
	uint64_t acc = 0;
	size_t i = 0;
	for (; i + 8 <= length; i += 8) {
		uint64_t w;
		memcpy(&w, data + i, 8);
		acc += (w & UINT32_MAX) + (w >> 32);
	}
	for (; i + 2 <= length; i += 2) {
		uint16_t h;
		memcpy(&h, data + i, 2);
		acc += h;
	}
	while (acc >> 16)
		acc = (acc & 0xffff) + (acc >> 16);
	uint32_t be = (uint32_t)acc;
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	be = ((be & 0xff) << 8) | (be >> 8);
#endif
	if (i < length)
		be += (uint32_t)data[i] << 8; /* an odd last byte is padded with a zero */
	uint64_t total = (uint64_t)sum + be;
	while (total >> 32)
		total = (total & UINT32_MAX) + (total >> 32);
	return (uint32_t)total;
}

uint16_t packet_inet_checksum(const uint8_t *data, size_t length, uint32_t sum)
{
	uint32_t acc = packet_inet_sum(data, length, sum);
	while (acc >> 16)
		acc = (acc & 0xffff) + (acc >> 16);
	return (uint16_t)~acc;
}
