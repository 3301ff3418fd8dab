/* errno.h for wasm32 without a libc: the codes frame.c names. */
#ifndef ZCW_ERRNO_H
#define ZCW_ERRNO_H
#define ENOMEM 12
#define EINVAL 22
#define ERANGE 34
#endif
