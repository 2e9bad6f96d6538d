/* soap: SOAP 1.2 / 1.1 envelope reading (Body, Fault code, subcode, reason) and WS-Security digests
 */
#ifndef DUTLAB_PROTO_SOAP_H
#define DUTLAB_PROTO_SOAP_H

/*
 * Used by adapters/login-onvif.c. Only the subset an ONVIF answer needs is
 * read: whether the document is a SOAP Envelope (W3C SOAP 1.2 part 1
 * section 5, or SOAP 1.1 section 4), the first element of its Body, and a
 * Fault's Code/Value, first Subcode/Value and first Reason/Text (SOAP 1.2
 * section 5.4; SOAP 1.1 faultcode and faultstring). Elements are matched
 * by local name under their parent, prefixes dropped; the Envelope's own
 * namespace is checked. No DTD, no entity other than the five predefined
 * ones and character references; depth, names and texts are bounded.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct dl_error;

#define SOAP_DOCUMENT_MAX (1u << 20) /* larger answers are refused */
#define SOAP_DEPTH_MAX 32
#define SOAP_NAME_MAX 64
#define SOAP_TEXT_MAX 256

enum soap_version {
	SOAP_VERSION_NONE, /* not an Envelope in a namespace we know */
	SOAP_VERSION_11,   /* http://schemas.xmlsoap.org/soap/envelope/ */
	SOAP_VERSION_12,   /* http://www.w3.org/2003/05/soap-envelope */
};

struct soap_message {
	enum soap_version version;
	bool has_header;
	bool has_body;
	/* local name of the Body's first child: "GetDeviceInformationResponse", "Fault" */
	char body_element[SOAP_NAME_MAX];
	bool is_fault;
	/* Fault/Code/Value ("env:Sender"; SOAP 1.1 faultcode), as written, prefix kept */
	char code[SOAP_NAME_MAX];
	/* Fault/Code/Subcode/Value ("ter:NotAuthorized"), the first one */
	char subcode[SOAP_NAME_MAX];
	/* Fault/Reason/Text (SOAP 1.1 faultstring), whitespace runs folded to one space */
	char reason[SOAP_TEXT_MAX];
	size_t elements; /* elements read */
};

/*
 * Parse an XML document of at most SOAP_DOCUMENT_MAX bytes. 0 with out
 * filled (version NONE when it is well-formed enough but not a SOAP
 * envelope), or DL_EPROTO with the reason and the byte offset ("soap: tag
 * not closed at offset 312").
 */
int soap_parse(const uint8_t *xml, size_t len, struct soap_message *out, struct dl_error *err);

/* The local part of a qualified name: "NotAuthorized" for "ter:NotAuthorized". */
const char *soap_local_name(const char *qname);

/*
 * WS-Security UsernameToken Profile 1.0 section 3.1 PasswordDigest:
 * Base64(SHA-1(nonce + created + password)), nonce the raw bytes, created
 * the xsd:dateTime text as sent. digest gets the base64 text (29 bytes with
 * its terminator is enough: SOAP_DIGEST_MAX). 0 or DL_EINVAL / DL_EIO.
 */
#define SOAP_DIGEST_MAX 32
int soap_password_digest(const uint8_t *nonce, size_t nonce_len, const char *created,
			 const char *password, char *digest, size_t size, struct dl_error *err);

#endif
