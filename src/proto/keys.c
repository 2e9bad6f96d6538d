/* keys: the authentication keys the packet models' fixups sign with, by index */
#include "core/compat.h"

#include <pthread.h>

#include "proto/keys.h"
#include "proto/packet.h"

static pthread_mutex_t proto_keys_lock = PTHREAD_MUTEX_INITIALIZER;
static uint8_t proto_keys[PROTO_KEYS_MAX][PROTO_KEY_LENGTH];
static int proto_key_count;

int proto_key_add(const uint8_t key[PROTO_KEY_LENGTH])
{
	int found = PACKET_NONE;
	pthread_mutex_lock(&proto_keys_lock);
	for (int i = 0; i < proto_key_count && found == PACKET_NONE; i++) {
		if (memcmp(proto_keys[i], key, PROTO_KEY_LENGTH) == 0)
			found = i;
	}
	if (found == PACKET_NONE && proto_key_count < PROTO_KEYS_MAX) {
		memcpy(proto_keys[proto_key_count], key, PROTO_KEY_LENGTH);
		found = proto_key_count++;
	}
	pthread_mutex_unlock(&proto_keys_lock);
	return found;
}

bool proto_key_get(int index, uint8_t key[PROTO_KEY_LENGTH])
{
	bool ok = false;
	pthread_mutex_lock(&proto_keys_lock);
	if (index >= 0 && index < proto_key_count) {
		memcpy(key, proto_keys[index], PROTO_KEY_LENGTH);
		ok = true;
	}
	pthread_mutex_unlock(&proto_keys_lock);
	return ok;
}
