/*
 * stdio.h for wasm32 without a libc: what src/core/frame.c's headers declare from it. Only
 * the functions of frame.c the producer exports are linked (wasm-ld drops the others), and
 * none of them prints: a call to snprintf left in the module would be an undefined symbol.
 */
#ifndef ZCW_STDIO_H
#define ZCW_STDIO_H
#include <stddef.h>
typedef struct zcw_file FILE;
int snprintf(char *buf, size_t len, const char *fmt, ...);
#endif
