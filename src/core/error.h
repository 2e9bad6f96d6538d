/* error: the error codes and the message buffer every fallible function fills */
#ifndef DUTLAB_CORE_ERROR_H
#define DUTLAB_CORE_ERROR_H

/*
 * Functions that can fail return 0 or a negative DL_E* code and, when they
 * fail, fill the caller's struct dl_error with what failed, where, and what
 * to do about it, in the style of git's messages:
 *   "profile 'cam1.yaml': scope.networks[2]: '10.0.0.0/8' is not a CIDR; ..."
 * The message is written where the fact is known; callers may prefix context
 * with dl_error_prefix() but never overwrite it.
 */

enum dl_code {
	DL_OK = 0,
	DL_EINVAL = -1,       /* bad input: a profile, a catalog, an argument */
	DL_ENOMEM = -2,       /* out of memory or a buffer ceiling reached */
	DL_EIO = -3,          /* a system call or library failed */
	DL_ESCOPE = -4,       /* refused by the scope guard */
	DL_ETIMEDOUT = -5,    /* a deadline passed */
	DL_ENOTFOUND = -6,    /* a named thing does not exist */
	DL_EINTERRUPTED = -7, /* the operator stopped the run */
	DL_EUNSUPPORTED = -8, /* not built in, or not possible here */
	DL_EPROTO = -9,       /* a peer sent something malformed */
};

#define DL_ERROR_MESSAGE_MAX 1024

struct dl_error {
	int code;
	char message[DL_ERROR_MESSAGE_MAX];
};

/* Fill err (which may be NULL) and return code, so callers can write
 * `return dl_error_set(err, DL_EINVAL, "...", ...);`. */
int dl_error_set(struct dl_error *err, int code, const char *format, ...)
	__attribute__((format(printf, 3, 4)));

/* Put "prefix: " in front of the existing message; returns err->code. */
int dl_error_prefix(struct dl_error *err, const char *format, ...)
	__attribute__((format(printf, 2, 3)));

void dl_error_clear(struct dl_error *err);

/* A short English name of a code ("invalid input", "out of scope", ...). */
const char *dl_code_name(int code);

#endif
