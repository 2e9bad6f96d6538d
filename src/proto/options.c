/* options: the kind-length option lists IPv4 (RFC 791 3.1) and TCP (RFC 9293 3.1) share, parsed
 * into the schema */
#include "core/compat.h"

#include "core/error.h"
#include "proto/cursor.h"
#include "proto/layer.h"
#include "proto/options.h"
#include "proto/packet.h"

#define OPTION_END 0
#define OPTION_NOP 1

int option_list_parse(struct packet *p, struct cursor *c, const struct option_list_spec *s)
{
	int list = packet_element_begin(p, s->list, FIELD_LIST, 0);
	if (list == PACKET_NONE)
		return DL_ENOMEM;
	for (size_t n = 0; !cursor_at_end(c) && n < s->max; n++) {
		uint8_t kind, length = 1;
		(void)cursor_peek_u8(c, &kind);
		if (kind != OPTION_END && kind != OPTION_NOP) {
			if (cursor_remaining(c) < 2)
				return cursor_fail_value(c, "option has no length byte", kind);
			length = c->p[c->offset + 1];
			if (length < 2)
				return cursor_fail_value(c, "option length is under 2", length);
			if (length > cursor_remaining(c))
				return cursor_fail_value(c, "option length passes the header's end",
							 length);
			int rc = s->check(c, kind, length);
			if (rc < 0)
				return rc;
		}
		int element =
			packet_element_begin(p, s->name(kind), FIELD_ELEMENT, FIELD_REPEATABLE);
		uint32_t o;
		int rc = proto_take(p, c, length, &o);
		if (rc < 0)
			return rc;
		int k = packet_field(p, s->kind, FIELD_ENUM, o, 1, p->bytes[o], 0);
		packet_values(p, k, s->kinds);
		if (length > 1) {
			int l = packet_field(p, s->length, FIELD_LENGTH, o + 1, 1, p->bytes[o + 1],
					     0);
			packet_relate(p, l, element, 1, 0);
			s->body(p, kind, o, length);
		}
		packet_element_end(p, element);
		if (kind == OPTION_END)
			break;
	}
	packet_element_end(p, list);
	size_t rest = cursor_remaining(c);
	if (rest > 0) {
		uint32_t o;
		int rc = proto_take(p, c, rest, &o);
		if (rc < 0)
			return rc;
		packet_field_bytes(p, s->padding, FIELD_BYTES, o, p->bytes + o, (uint32_t)rest, 0);
	}
	return p->overflow ? DL_ENOMEM : 0;
}
