/* pcapng: a small writer of pcapng files (SHB, IDB, EPB with comments) for evidence */
#ifndef DUTLAB_NET_PCAPNG_H
#define DUTLAB_NET_PCAPNG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct dl_error;

/*
 * Writes the blocks of draft-ietf-opsawg-pcapng (section 4.1 SHB, 4.2 IDB,
 * 4.3 EPB) in host byte order, one interface per file, microsecond
 * timestamps (the IDB's default if_tsresol). Files stop growing at
 * max_bytes: the first packet past it and every one after it are counted,
 * not written, and the count goes into a final comment when the file is
 * closed.
 */
struct pcapng_writer {
	FILE *file;
	char *path; /* owned */
	uint64_t bytes;
	uint64_t max_bytes;
	uint64_t packets;
	uint64_t dropped; /* packets past max_bytes */
	uint32_t snaplen;
	int linktype;
	uint64_t last_us; /* time of the last packet written */
	void *scratch;    /* one block's buffer; owned */
};

/* linktype is a LINKTYPE_* value (1 Ethernet, 113 Linux cooked); comment
 * goes into the SHB (may be NULL); interface names the IDB's if_name. */
int pcapng_open(struct pcapng_writer *w, const char *path, int linktype, uint32_t snaplen,
		const char *interface, const char *comment, uint64_t max_bytes,
		struct dl_error *err);

/* Write one packet: captured bytes (at most snaplen are written), the
 * original length, the time, an optional opt_comment. 0 or DL_EIO. */
int pcapng_write_packet(struct pcapng_writer *w, int64_t seconds, uint32_t microseconds,
			const uint8_t *data, uint32_t captured, uint32_t original,
			const char *comment, struct dl_error *err);

/* The file reached max_bytes: no packet is written any more, so a caller may skip building
 * one and count it with pcapng_drop_packet(). */
bool pcapng_full(const struct pcapng_writer *w);

/* One packet past max_bytes, counted as pcapng_write_packet() would. */
void pcapng_drop_packet(struct pcapng_writer *w);

/* Flush and close; 0 or DL_EIO. The writer may be reopened after. */
int pcapng_close(struct pcapng_writer *w, struct dl_error *err);

#endif
