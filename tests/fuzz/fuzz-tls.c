/* fuzz-tls: libFuzzer target for tls_parse_reply, the ServerHello/record/handshake parser */
#include "core/compat.h"

#include "core/error.h"
#include "proto/tls-suites.h"
#include "proto/tls.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct tls_reply reply; /* large: holds the reassembly buffer */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dl_error err;
	int rc = tls_parse_reply(data, size, &reply, &err);
	if (rc < 0) {
		/* every rejection says what and where */
		if (rc != DL_EPROTO || !strstr(err.message, "tls reply: offset"))
			abort();
		return 0;
	}
	if (rc != 0 || reply.incomplete || reply.bytes_parsed > size ||
	    reply.handshake_len > TLS_HANDSHAKE_MAX ||
	    reply.certificate_count > TLS_CERTIFICATES_MAX)
		abort();
	/* certificates point into the reassembly buffer, inside what was filled */
	for (size_t i = 0; i < reply.certificate_count; i++) {
		const struct tls_certificate *c = &reply.certificates[i];
		if (c->len == 0 || c->der < reply.handshake ||
		    c->der + c->len > reply.handshake + reply.handshake_len)
			abort();
	}
	if (reply.ssl2 && reply.ssl2_hello.certificate_len > 0 &&
	    (reply.ssl2_hello.certificate < data ||
	     reply.ssl2_hello.certificate + reply.ssl2_hello.certificate_len > data + size))
		abort();
	/* names are total */
	if (reply.has_alert && !tls_alert_description_name(reply.alert.description))
		abort();
	if (reply.has_server_hello) {
		if (reply.server_hello.session_id_len > 32)
			abort();
		(void)tls_suite_by_code(reply.server_hello.cipher_suite);
		(void)tls_group_by_code(reply.server_hello.key_share_group);
	}
	return 0;
}
