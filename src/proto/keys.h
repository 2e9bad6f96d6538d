/* keys: the authentication keys the packet models' fixups sign with (RIP's and OSPF's keyed
 * MD5), held for the process and named in a packet by index */
#ifndef DUTLAB_PROTO_KEYS_H
#define DUTLAB_PROTO_KEYS_H

/*
 * A digest is derived like a checksum: packet_finish() signs a mutated
 * message again. A packet holds no pointer (packet_copy() copies bytes), so
 * a model keeps the key's index in a layer slot and its fixup reads the key
 * here. Keys are added once per distinct value and kept until exit; the
 * table is shared by every model and thread (a mutex).
 */

#include <stdbool.h>
#include <stdint.h>

#define PROTO_KEY_LENGTH 16 /* keyed MD5's key, zero-padded (RFC 2328 D.3, RFC 4822 2.2) */
#define PROTO_KEYS_MAX 32   /* distinct keys a process registers */

/* The index of key, added when new; PACKET_NONE (-1) when the table is full. */
int proto_key_add(const uint8_t key[PROTO_KEY_LENGTH]);

/* Copy the key of index into key; false when there is none. */
bool proto_key_get(int index, uint8_t key[PROTO_KEY_LENGTH]);

#endif
