/* error: filling and naming struct dl_error */
#include "core/compat.h"

#include "core/error.h"

int dl_error_set(struct dl_error *err, int code, const char *format, ...)
{
	if (!err)
		return code;
	va_list args;
	va_start(args, format);
	vsnprintf(err->message, sizeof(err->message), format, args);
	va_end(args);
	err->code = code;
	return code;
}

int dl_error_prefix(struct dl_error *err, const char *format, ...)
{
	if (!err)
		return DL_EINVAL;
	char prefix[256];
	va_list args;
	va_start(args, format);
	vsnprintf(prefix, sizeof(prefix), format, args);
	va_end(args);
	/* Shift the old message right and put the prefix in front; what no
	 * longer fits is cut at the end, never the prefix. */
	size_t prefix_length = strnlen(prefix, sizeof(prefix));
	size_t room = sizeof(err->message) - 1;
	if (prefix_length + 2 > room)
		prefix_length = room - 2;
	size_t old_length = strnlen(err->message, room);
	if (prefix_length + 2 + old_length > room)
		old_length = room - prefix_length - 2;
	memmove(err->message + prefix_length + 2, err->message, old_length);
	memcpy(err->message, prefix, prefix_length);
	err->message[prefix_length] = ':';
	err->message[prefix_length + 1] = ' ';
	err->message[prefix_length + 2 + old_length] = '\0';
	return err->code;
}

void dl_error_clear(struct dl_error *err)
{
	if (!err)
		return;
	err->code = DL_OK;
	err->message[0] = '\0';
}

const char *dl_code_name(int code)
{
	switch (code) {
	case DL_OK: return "ok";
	case DL_EINVAL: return "invalid input";
	case DL_ENOMEM: return "out of memory";
	case DL_EIO: return "input/output error";
	case DL_ESCOPE: return "out of scope";
	case DL_ETIMEDOUT: return "deadline passed";
	case DL_ENOTFOUND: return "not found";
	case DL_EINTERRUPTED: return "interrupted";
	case DL_EUNSUPPORTED: return "unsupported";
	case DL_EPROTO: return "protocol error";
	}
	return "unknown error";
}
