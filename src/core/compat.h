/* compat: the first include of every .c file: system headers and banned functions */
#ifndef DUTLAB_CORE_COMPAT_H
#define DUTLAB_CORE_COMPAT_H

#define _GNU_SOURCE 1

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#define DL_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#include "core/banned.h"

#endif
