/*
 * callsite.h: where a call site of the traced program lies, for its record: the ELF file
 * mapped there (the module) and the call's offset in it, and the name the record shows.
 *
 * Under the wrapper, which names the sites after the program has exited (symbolize.c,
 * names.c), a site's name in the record is "module+0xOFFSET" and costs no symbol lookup. A
 * process that prints its own summary (LD_PRELOAD without the wrapper) names its sites
 * itself, from the dynamic symbols (dladdr): "module:symbol", else "module+0xOFFSET".
 *
 * OFFSET is the address inside the call instruction (the return address minus 1) less the
 * module's load bias: the address that addr2line and readelf use, for a PIE or non-PIE
 * executable and for a shared library alike.
 */
#ifndef ZC_TRACE_CALLSITE_H
#define ZC_TRACE_CALLSITE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct zct_out;

struct zct_callsite {
	const char *module; /* the ELF file's path */
	uintptr_t offset;   /* the call's address in the file (load bias removed) */
};

/* The module and offset of the call that ret returns from; false outside every module. */
bool zct_callsite_locate(const void *ret, struct zct_callsite *site);

/* The site's name in the record (see above) into buf. */
const char *zct_callsite_name(const void *ret, char *buf, size_t len);

/* "module:symbol" from the dynamic symbols, else "module+0xOFFSET" (a backtrace's frames). */
const char *zct_callsite_exported_name(const void *ret, char *buf, size_t len);

/* Writes the members `, "module": ..., "offset": "0x..."` (null, null outside every module). */
void zct_write_callsite(struct zct_out *o, const void *ret);

#endif
