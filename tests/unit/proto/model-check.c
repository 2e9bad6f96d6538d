/* model-check: shared asserts of the packet model tests (build, parse back, compare schemas) */
#include "core/compat.h"

#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "core/error.h"
#include "model-check.h"
#include "proto/cursor.h"
#include "proto/icmpv4.h"
#include "proto/ipv4.h"
#include "proto/layer.h"
#include "proto/packet.h"
#include "proto/tcp.h"
#include "proto/udp.h"

void model_assert_same(const struct packet *a, const struct packet *b)
{
	assert_int_equal(a->field_count, b->field_count);
	assert_int_equal(a->layer_count, b->layer_count);
	assert_int_equal(a->length, b->length);
	for (int i = 0; i < a->field_count; i++) {
		const struct field *x = &a->fields[i], *y = &b->fields[i];
		assert_string_equal(x->name, y->name);
		assert_int_equal(x->kind, y->kind);
		assert_int_equal(x->offset, y->offset);
		assert_int_equal(x->size, y->size);
		assert_int_equal(x->bit_shift, y->bit_shift);
		assert_int_equal(x->bit_width, y->bit_width);
		assert_int_equal(x->parent, y->parent);
		assert_int_equal(x->layer, y->layer);
		assert_int_equal(x->flags, y->flags);
		assert_ptr_equal(x->values, y->values);
		if (x->kind == FIELD_BYTES || x->kind == FIELD_ADDRESS ||
		    x->kind == FIELD_ELEMENT || x->kind == FIELD_LIST)
			assert_memory_equal(a->bytes + x->offset, b->bytes + y->offset, x->size);
		else
			assert_int_equal(packet_get(a, i), packet_get(b, i));
	}
	for (int l = 0; l < a->layer_count; l++)
		assert_ptr_equal(a->layers[l].model, b->layers[l].model);
}

int model_parse_ip(struct packet *p, const uint8_t *bytes, size_t length, char *message,
		   size_t message_size)
{
	struct cursor c;
	struct layer_parse_result next = {0};
	struct dl_error err = {0};
	packet_init(p);
	cursor_init(&c, bytes, length);
	int rc = ipv4_layer.parse(p, &c, &next);
	if (rc == 0 && next.next == LAYER_NEXT_IP_PROTOCOL) {
		const struct proto_layer *m = next.value == 1    ? &icmpv4_layer
					      : next.value == 6  ? &tcp_layer
					      : next.value == 17 ? &udp_layer
								 : NULL;
		if (m)
			rc = m->parse(p, &c, &next);
	}
	if (rc < 0) {
		cursor_error_report(&c, &err, "ip");
		snprintf(message, message_size, "%s", err.message);
	}
	return rc;
}

uint64_t model_get(const struct packet *p, const char *name, int from)
{
	int f = packet_find(p, name, from);
	if (f == PACKET_NONE)
		fail_msg("no field %s", name);
	return packet_get(p, f);
}

uint16_t model_checksum(const uint8_t *bytes, size_t length, const uint8_t *pseudo,
			size_t pseudo_length)
{
	uint32_t sum = 0;
	for (size_t i = 0; i < pseudo_length; i += 2)
		sum += (uint32_t)(pseudo[i] << 8 | pseudo[i + 1]);
	for (size_t i = 0; i < length; i++)
		sum += i % 2 ? bytes[i] : (uint32_t)bytes[i] << 8;
	while (sum > 0xffff)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

int model_parse_layer(const struct proto_layer *model, struct packet *p, const uint8_t *bytes,
		      size_t length, struct layer_parse_result *next, char *why, size_t why_size)
{
	struct cursor c;
	struct dl_error err = {0};
	packet_init(p);
	cursor_init(&c, bytes, length);
	int rc = model->parse(p, &c, next);
	if (rc < 0 && cursor_failed(&c))
		cursor_error_report(&c, &err, model->name);
	snprintf(why, why_size, "%s", err.message);
	p->open_count = 0;
	return rc;
}

void model_assert_bytes(const struct packet *built, const uint8_t *vector, size_t length)
{
	if (built->length == length && memcmp(built->bytes, vector, length) == 0)
		return;
	for (size_t i = 0; i < built->length && i < length; i++)
		if (built->bytes[i] != vector[i])
			fail_msg("byte %zu: built 0x%02x, vector 0x%02x (lengths %u, %zu)", i,
				 built->bytes[i], vector[i], built->length, length);
	fail_msg("built %u bytes, vector %zu", built->length, length);
}

void model_assert_parsed(const struct packet *built, const struct packet *parsed)
{
	model_assert_same(built, parsed);
	for (int i = 0; i < built->field_count; i++) {
		assert_int_equal(built->fields[i].target, parsed->fields[i].target);
		assert_int_equal(built->fields[i].adjust, parsed->fields[i].adjust);
		assert_int_equal(built->fields[i].unit, parsed->fields[i].unit);
	}
}

void model_check_vector(const struct proto_layer *model, const struct packet *built,
			struct packet *parsed, const uint8_t *vector, size_t length)
{
	model_assert_bytes(built, vector, length);
	struct layer_parse_result next = {0};
	char why[DL_ERROR_MESSAGE_MAX];
	if (model_parse_layer(model, parsed, vector, length, &next, why, sizeof(why)) != 0)
		fail_msg("%s does not parse its own vector: %s", model->name, why);
	assert_int_equal(next.next, LAYER_NEXT_NONE);
	model_assert_parsed(built, parsed);
}

void model_assert_refused(const struct proto_layer *model, const uint8_t *vector, size_t length,
			  size_t at, const uint8_t *with, size_t n, const char *reason)
{
	static struct packet p;
	uint8_t b[600];
	assert_true(length <= sizeof(b) && at + n <= length);
	memcpy(b, vector, length);
	memcpy(b + at, with, n);
	struct layer_parse_result next;
	char why[DL_ERROR_MESSAGE_MAX];
	assert_int_equal(model_parse_layer(model, &p, b, length, &next, why, sizeof(why)),
			 DL_EPROTO);
	if (!strstr(why, reason))
		fail_msg("'%s' does not say '%s'", why, reason);
}
