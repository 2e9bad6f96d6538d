/* options: the kind-length option lists IPv4 (RFC 791 3.1) and TCP (RFC 9293 3.1) share, parsed
 * into the schema */
#ifndef DUTLAB_PROTO_OPTIONS_H
#define DUTLAB_PROTO_OPTIONS_H

/*
 * Both lists are a run of options, each one kind byte, then (except End of
 * Option List, kind 0, and No-Operation, kind 1) a length byte that counts
 * the kind and length bytes too, then the data; an End ends the list and
 * what follows it is padding. The protocol says how each option is named,
 * checked and described; the walk, the length rules and the schema (a
 * FIELD_LIST of FIELD_ELEMENTs, each with its kind and length-of itself)
 * are here once.
 */

#include <stddef.h>
#include <stdint.h>

struct cursor;
struct field_value;
struct packet;

struct option_list_spec {
	const char *list;                  /* "ipv4.options" */
	const char *kind, *length;         /* "ipv4.option.type", "ipv4.option.length" */
	const char *padding;               /* "ipv4.padding": bytes after an End */
	const struct field_value *kinds;   /* the kind byte's defined values */
	size_t max;                        /* options in one list, at most */
	const char *(*name)(uint8_t kind); /* the option element's name */
	/* Refuse an option whose length its kind does not allow (cursor_fail*); 0 or DL_EPROTO. */
	int (*check)(struct cursor *c, uint8_t kind, uint8_t length);
	/* Declare the fields of an option's data, at offset, length bytes in all. */
	void (*body)(struct packet *p, uint8_t kind, uint32_t offset, uint32_t length);
};

/* Parse exactly the option bytes in c into p. 0, DL_EPROTO (the cursor says
 * why) or DL_ENOMEM. */
int option_list_parse(struct packet *p, struct cursor *c, const struct option_list_spec *s);

#endif
