/* banned: functions that invite overflows or silent parse errors (after git's banned.h) */
#ifndef DUTLAB_CORE_BANNED_H
#define DUTLAB_CORE_BANNED_H

/*
 * Use snprintf, memcpy with a checked length, strtoul-family wrappers in
 * core/text.h, and the cursor in proto/cursor.h instead. A banned call fails
 * the build with a message naming the function.
 */
#define BANNED(func) sorry_##func##_is_a_banned_function

#undef strcpy
#define strcpy(x, y) BANNED(strcpy)
#undef strcat
#define strcat(x, y) BANNED(strcat)
#undef strncpy
#define strncpy(x, y, n) BANNED(strncpy)
#undef strncat
#define strncat(x, y, n) BANNED(strncat)
#undef sprintf
#define sprintf(...) BANNED(sprintf)
#undef vsprintf
#define vsprintf(...) BANNED(vsprintf)
#undef gets
#define gets(x) BANNED(gets)
#undef atoi
#define atoi(x) BANNED(atoi)
#undef atol
#define atol(x) BANNED(atol)
#undef atoll
#define atoll(x) BANNED(atoll)
#undef sscanf
#define sscanf(...) BANNED(sscanf)
#undef strtok
#define strtok(x, y) BANNED(strtok)

#endif
