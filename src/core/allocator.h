/*
 * allocator.h: --allocator: which malloc the program runs on. glibc is the one it starts
 * with; mimalloc and jemalloc (Debian's libmimalloc2.0 and libjemalloc2) are preloaded by
 * re-executing the program with LD_PRELOAD set. The counting allocator the program defines
 * forwards to dlsym(RTLD_NEXT, "malloc"), which then is the preloaded one, so counting goes on.
 */
#ifndef ZC_ALLOCATOR_H
#define ZC_ALLOCATOR_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "error.h"

/* The allocators --allocator accepts, "glibc" first. */
const char *const *zc_allocator_names(size_t *n);
bool zc_allocator_known(const char *name);

/*
 * Makes name the allocator this process runs on. When it already is, returns 0. Otherwise
 * re-executes /proc/self/exe with the same arguments and the allocator preloaded, and returns
 * only on failure: -1 with the reason in err: ZC_EXIT_USAGE for an unknown name or a library
 * that is not installed, ZC_EXIT_RUNTIME (ZC_EXIT_NOMEM) when exec failed or a re-executed
 * process still does not run on it.
 */
int zc_allocator_use(const char *name, struct zc_error *err);

/* The allocator this process runs on: "glibc", "mimalloc" or "jemalloc". */
const char *zc_allocator_current(void);

/* Adds "library" (what was preloaded, or null) and "malloc_from" (the file malloc resolves to
 * behind the counting allocator) to a context's "allocator" object. */
void zc_allocator_describe(json_t *allocator);

#endif
