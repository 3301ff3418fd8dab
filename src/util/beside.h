/*
 * beside.h: a file installed beside the program, found from /proc/self/exe: the producer
 * library in build/lib/ next to build/bin/NAME, a runtime's classes or script.
 */
#ifndef ZC_BESIDE_H
#define ZC_BESIDE_H

#include <stddef.h>

#include "error.h"

/*
 * Writes into buf the path of rel (say "../lib/libzcproducer.so") taken from the folder of
 * the running program. Returns 0, or -1 with err (ZC_EXIT_RUNTIME).
 */
int zc_beside_program(const char *rel, char *buf, size_t len, struct zc_error *err);

/*
 * Loads the library rel beside the program (dlopen, RTLD_NOW | RTLD_LOCAL) and finds symbol
 * in it: *fn is the symbol, the return value the handle for dlclose. NULL with err
 * (ZC_EXIT_RUNTIME) when either cannot be had.
 */
void *zc_beside_load(const char *rel, const char *symbol, void **fn, struct zc_error *err);

#endif
