/* fuzz-ssh: libFuzzer target for the SSH stream scan, identification and KEXINIT parsers */
#include "core/compat.h"

#include "core/error.h"
#include "proto/ssh-algorithms.h"
#include "proto/ssh.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const enum ssh_algorithm_kind list_kinds[SSH_NAME_LIST_COUNT] = {
	SSH_ALGORITHM_KEX,         SSH_ALGORITHM_HOST_KEY,    SSH_ALGORITHM_CIPHER,
	SSH_ALGORITHM_CIPHER,      SSH_ALGORITHM_MAC,         SSH_ALGORITHM_MAC,
	SSH_ALGORITHM_COMPRESSION, SSH_ALGORITHM_COMPRESSION, SSH_ALGORITHM_COMPRESSION,
	SSH_ALGORITHM_COMPRESSION,
};

/* A parsed KEXINIT rebuilt from its names must carry the same payload. */
static void rebuild(const struct ssh_kexinit *k, const uint8_t *packet)
{
	static char joined[SSH_NAME_LIST_COUNT][SSH_NAMES_MAX * (SSH_NAME_MAX + 1) + 1];
	static uint8_t out[SSH_PACKET_MAX];
	struct ssh_kexinit_offer offer = {.first_kex_packet_follows = k->first_kex_packet_follows};
	memcpy(offer.cookie, k->cookie, SSH_COOKIE_LEN);
	for (size_t l = 0; l < SSH_NAME_LIST_COUNT; l++) {
		size_t at = 0;
		for (size_t i = 0; i < k->lists[l].count; i++) {
			size_t n = strlen(k->lists[l].names[i]);
			if (i)
				joined[l][at++] = ',';
			memcpy(joined[l] + at, k->lists[l].names[i], n);
			at += n;
		}
		joined[l][at] = '\0';
		offer.lists[l] = joined[l];
	}
	size_t len;
	struct dl_error err;
	if (ssh_build_kexinit(out, sizeof(out), &len, &offer, &err) < 0)
		abort(); /* what we accept, we can send */
	size_t payload = k->packet_length - k->padding_length - 1;
	size_t built = len - 5 - out[4];
	/* the reserved field and the boolean are normalised to 0 and 0/1 */
	if (built != payload || memcmp(out + 5, packet + 5, payload - 5) != 0)
		abort();
	static struct ssh_kexinit again;
	if (ssh_parse_kexinit(out, len, &again, &err) < 0 ||
	    memcmp(again.lists, k->lists, sizeof(k->lists)) != 0)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ssh_kexinit kexinit;
	struct ssh_stream_view view;
	struct ssh_ident ident;
	struct dl_error err;
	if (size > SSH_STREAM_MAX)
		return 0;
	if (ssh_stream_scan(data, size, &view, &err) < 0 && !strstr(err.message, "ssh stream"))
		abort(); /* every rejection must say what it rejected */
	if (ssh_parse_ident(data, size, &ident, &err) == 0) {
		if (ident.length > size || !memchr(ident.softwareversion, '\0', SSH_IDENT_MAX))
			abort();
	} else if (!strstr(err.message, "ssh identification")) {
		abort();
	}
	const uint8_t *packet = data;
	size_t packet_len = size;
	if (view.complete) {
		if (view.packet_start + view.packet_len > size || view.ident_end != ident.length)
			abort();
		packet = data + view.packet_start;
		packet_len = view.packet_len;
	}
	if (ssh_parse_kexinit(packet, packet_len, &kexinit, &err) < 0) {
		if (!strstr(err.message, "ssh"))
			abort();
		return 0;
	}
	for (size_t l = 0; l < SSH_NAME_LIST_COUNT; l++)
		for (size_t i = 0; i < kexinit.lists[l].count; i++)
			(void)ssh_algorithm_find(list_kinds[l], kexinit.lists[l].names[i]);
	rebuild(&kexinit, packet);
	return 0;
}
