/*
 * symbolize.h: the function and source line of code at an offset of an ELF file, from its
 * symbol table (.symtab, else .dynsym) and its DWARF, read with elfutils' libdwfl, which also
 * finds a separate debug file by build id (/usr/lib/debug/.build-id/). The wrapper's, run once
 * the traced program has exited.
 *
 * Each file is opened once, on its first lookup, and its function symbols sorted then: every
 * later lookup in it is a binary search, so naming many sites of a big program (node's
 * 110,000 symbols) costs one pass over its symbols. Each offset is named once.
 */
#ifndef ZC_TRACE_SYMBOLIZE_H
#define ZC_TRACE_SYMBOLIZE_H

#include <stddef.h>
#include <stdint.h>

/* What is known of the code at one offset; a NULL member is not known. */
struct zct_symbol {
	const char *function;     /* demangled; the inlined function when the code was inlined */
	const char *inlined_into; /* the function it was inlined into, else NULL */
	const char *file;         /* the source file, absolute when DWARF gives the directory */
	int line;                 /* > 0 when file is set */
};

struct zct_symbolizer {
	struct zct_sym_module *modules; /* the files opened so far */
	size_t nmodules, cap;
};

void zct_symbolizer_init(struct zct_symbolizer *s);
void zct_symbolizer_release(struct zct_symbolizer *s);

/*
 * The code at offset (an address of the file's own, load bias removed: callsite.h) in the
 * ELF file at path. The result and its strings belong to s until it is released; every
 * member is NULL (line 0) when the file cannot be read or nothing covers the offset.
 */
const struct zct_symbol *zct_symbolize(struct zct_symbolizer *s, const char *path,
				       uint64_t offset);

#endif
