/* media-emit: write one rtp or rtcp session template's frame to stdout, for the tshark test */
#include "core/compat.h"

#include <arpa/inet.h>
#include <unistd.h>

#include "core/error.h"
#include "core/profile.h"
#include "fuzz/session.h"
#include "proto/packet.h"

/*
 * Usage: media-emit TEMPLATE [bare]. The template's valid message as the
 * session sends it: an RTSP interleaved frame ('$', channel, length, then RTP
 * or an RTCP compound); with "bare" the RTP or RTCP alone (a UDP payload).
 * "list" prints the rtp and rtcp templates' names.
 */
int main(int argc, char **argv)
{
	const struct session_protocol *protocols[] = {session_protocol_find("rtp"),
						      session_protocol_find("rtcp")};
	if (argc < 2 || !protocols[0] || !protocols[1]) {
		fprintf(stderr, "usage: media-emit TEMPLATE [bare] | list\n");
		return 2;
	}
	static struct profile_robustness r;
	struct session_peer peer = {.robustness = &r};
	inet_pton(AF_INET, "198.18.250.1", &peer.tester4);
	inet_pton(AF_INET, "198.18.250.2", &peer.dut4);
	static struct packet p;
	for (size_t i = 0; i < 2; i++) {
		for (size_t t = 0; t < protocols[i]->template_count; t++) {
			const struct session_template *st = protocols[i]->templates[t];
			if (strcmp(argv[1], "list") == 0) {
				printf("%s %s\n", st->base.protocol, st->base.name);
				continue;
			}
			if (strcmp(argv[1], st->base.name) != 0)
				continue;
			struct dl_error err = {0};
			packet_init(&p);
			if (st->build(&p, &peer, &err) != 0) {
				fprintf(stderr, "media-emit: %s\n", err.message);
				return 1;
			}
			size_t skip = argc > 2 && strcmp(argv[2], "bare") == 0 ? 4 : 0;
			if (write(1, p.bytes + skip, p.length - skip) != (ssize_t)(p.length - skip))
				return 1;
			return 0;
		}
	}
	if (strcmp(argv[1], "list") == 0)
		return 0;
	fprintf(stderr, "media-emit: no rtp or rtcp template '%s'\n", argv[1]);
	return 2;
}
