/* fuzz-mdns: libFuzzer target for mdns_parse and the mdns reply describer */
#include "core/compat.h"

#include "core/error.h"
#include "fuzz-describe.h"
#include "proto/mdns.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct mdns_message parsed;
	struct dl_error err;
	int rc = mdns_parse(data, size, &parsed, &err);
	if (rc < 0 && !strstr(err.message, "mdns"))
		abort(); /* every rejection must say what it rejected */
	for (size_t i = 0; rc == 0 && i < parsed.question_count; i++) {
		/* a name we decoded (of plain label characters) encodes back to itself */
		const struct mdns_question *q = &parsed.questions[i];
		if (strspn(q->name,
			   "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.") !=
		    strlen(q->name))
			continue;
		uint8_t query[512];
		size_t len;
		static struct mdns_message again;
		if (mdns_build_query(query, sizeof(query), &len, parsed.id, q->name, q->type,
				     q->unicast_response, &err) < 0 ||
		    mdns_parse(query, len, &again, &err) < 0 ||
		    strcmp(again.questions[0].name, q->name) != 0 ||
		    again.questions[0].type != q->type)
			abort();
	}
	fuzz_describe("mdns", data, size);
	return 0;
}
