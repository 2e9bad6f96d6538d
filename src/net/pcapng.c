/* pcapng: a small writer of pcapng files (SHB, IDB, EPB with comments) for evidence */
#include "core/compat.h"

#include "core/error.h"
#include "net/pcapng.h"

#define BLOCK_SHB 0x0A0D0D0Au
#define BLOCK_IDB 0x00000001u
#define BLOCK_EPB 0x00000006u
#define BYTE_ORDER_MAGIC 0x1A2B3C4Du
#define OPT_END 0
#define OPT_COMMENT 1
#define OPT_IF_NAME 2
#define OPT_SHB_USERAPPL 4
#define OPTION_TEXT_MAX 1024 /* our ceiling on one option's value */

/* Blocks are built in one bounded buffer, then written whole. */
struct block {
	uint8_t data[65536 + 2048];
	size_t length;
	bool overflow;
};

static void put(struct block *b, const void *p, size_t n)
{
	if (b->overflow || n > sizeof(b->data) - b->length) {
		b->overflow = true;
		return;
	}
	memcpy(b->data + b->length, p, n);
	b->length += n;
}

static void put_u32(struct block *b, uint32_t v)
{
	put(b, &v, 4);
}

static void put_u16(struct block *b, uint16_t v)
{
	put(b, &v, 2);
}

static void pad32(struct block *b)
{
	static const uint8_t zero[4];
	put(b, zero, (4 - b->length % 4) % 4);
}

static void put_option(struct block *b, uint16_t code, const char *text)
{
	if (!text || !*text)
		return;
	size_t n = strnlen(text, OPTION_TEXT_MAX);
	put_u16(b, code);
	put_u16(b, (uint16_t)n);
	put(b, text, n);
	pad32(b);
}

static void begin(struct block *b, uint32_t type)
{
	b->length = 0;
	b->overflow = false;
	put_u32(b, type);
	put_u32(b, 0); /* total length, set by finish() */
}

static int finish(struct pcapng_writer *w, struct block *b, struct dl_error *err)
{
	pad32(b);
	uint32_t total = (uint32_t)(b->length + 4);
	put_u32(b, total);
	if (b->overflow)
		return dl_error_set(err, DL_ENOMEM, "pcapng '%s': a block is too large", w->path);
	memcpy(b->data + 4, &total, 4);
	if (fwrite(b->data, 1, b->length, w->file) != b->length)
		return dl_error_set(err, DL_EIO, "pcapng '%s': write failed: %s", w->path,
				    strerror(errno));
	w->bytes += b->length;
	return 0;
}

int pcapng_open(struct pcapng_writer *w, const char *path, int linktype, uint32_t snaplen,
		const char *interface, const char *comment, uint64_t max_bytes,
		struct dl_error *err)
{
	memset(w, 0, sizeof(*w));
	w->path = strdup(path);
	if (!w->path)
		return dl_error_set(err, DL_ENOMEM, "pcapng: out of memory");
	w->file = fopen(path, "wbe");
	if (!w->file) {
		int e = errno;
		free(w->path);
		w->path = NULL;
		return dl_error_set(err, DL_EIO, "pcapng: cannot create '%s': %s", path,
				    strerror(e));
	}
	w->snaplen = snaplen ? snaplen : 65535;
	if (w->snaplen > 65535)
		w->snaplen = 65535;
	w->linktype = linktype;
	w->max_bytes = max_bytes;

	struct block *shb = malloc(sizeof(*shb));
	if (!shb) {
		fclose(w->file);
		w->file = NULL;
		free(w->path);
		w->path = NULL;
		return dl_error_set(err, DL_ENOMEM, "pcapng: out of memory");
	}
	w->scratch = shb;
	begin(shb, BLOCK_SHB);
	put_u32(shb, BYTE_ORDER_MAGIC);
	put_u16(shb, 1); /* major */
	put_u16(shb, 0); /* minor */
	put_u32(shb, 0xffffffffu);
	put_u32(shb, 0xffffffffu); /* section length: not given */
	put_option(shb, OPT_COMMENT, comment);
	put_option(shb, OPT_SHB_USERAPPL, "dutlab");
	put_u32(shb, OPT_END);
	int rc = finish(w, shb, err);
	if (rc == 0) {
		begin(shb, BLOCK_IDB);
		put_u16(shb, (uint16_t)linktype);
		put_u16(shb, 0);
		put_u32(shb, w->snaplen);
		put_option(shb, OPT_IF_NAME, interface);
		put_u32(shb, OPT_END);
		rc = finish(w, shb, err);
	}
	if (rc < 0) {
		fclose(w->file);
		w->file = NULL;
		free(w->path);
		w->path = NULL;
		free(w->scratch);
		w->scratch = NULL;
	}
	return rc;
}

int pcapng_write_packet(struct pcapng_writer *w, int64_t seconds, uint32_t microseconds,
			const uint8_t *data, uint32_t captured, uint32_t original,
			const char *comment, struct dl_error *err)
{
	if (!w->file)
		return dl_error_set(err, DL_EINVAL, "pcapng: the writer is not open");
	if (captured > w->snaplen)
		captured = w->snaplen;
	size_t comment_length = comment ? strnlen(comment, OPTION_TEXT_MAX) : 0;
	uint64_t need = 32 + captured + 3 + (comment_length ? comment_length + 12 : 0);
	if (w->max_bytes && (w->dropped || w->bytes + need > w->max_bytes)) {
		w->dropped++;
		return 0;
	}
	struct block *b = w->scratch;
	uint64_t ts = (uint64_t)seconds * 1000000u + microseconds;
	begin(b, BLOCK_EPB);
	put_u32(b, 0); /* interface id */
	put_u32(b, (uint32_t)(ts >> 32));
	put_u32(b, (uint32_t)ts);
	put_u32(b, captured);
	put_u32(b, original);
	put(b, data, captured);
	pad32(b);
	if (comment_length) {
		put_option(b, OPT_COMMENT, comment);
		put_u32(b, OPT_END);
	}
	int rc = finish(w, b, err);
	if (rc == 0) {
		w->packets++;
		w->last_us = ts;
	}
	return rc;
}

bool pcapng_full(const struct pcapng_writer *w)
{
	return w->max_bytes && w->dropped;
}

void pcapng_drop_packet(struct pcapng_writer *w)
{
	w->dropped++;
}

int pcapng_close(struct pcapng_writer *w, struct dl_error *err)
{
	int rc = 0;
	if (w->file) {
		if (w->dropped > 0) {
			/* Say in the file itself that it was cut short. */
			char text[160];
			snprintf(text, sizeof(text),
				 "dutlab: %" PRIu64 " later packets not written: the file reached "
				 "its %" PRIu64 "-byte ceiling",
				 w->dropped, w->max_bytes);
			w->max_bytes = 0;
			uint64_t dropped = w->dropped;
			pcapng_write_packet(w, (int64_t)(w->last_us / 1000000),
					    (uint32_t)(w->last_us % 1000000), (const uint8_t *)"",
					    0, 0, text, NULL);
			w->dropped = dropped;
		}
		if (fclose(w->file) != 0)
			rc = dl_error_set(err, DL_EIO, "pcapng '%s': close failed: %s", w->path,
					  strerror(errno));
		w->file = NULL;
	}
	free(w->path);
	w->path = NULL;
	free(w->scratch);
	w->scratch = NULL;
	return rc;
}
