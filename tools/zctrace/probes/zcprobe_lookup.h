/*
 * zcprobe_lookup.h: what the probe modules share (python/, node/, java/, each a thin binding
 * of the probe API for its runtime): zc_probe_mark, looked up once in the process.
 * libzctrace.so defines it when zctrace runs the program (LD_PRELOAD); without zctrace the
 * lookup finds nothing and every mark is one compare. A module dlsyms the symbol rather than
 * name it as include/zc_probe.h does, so that it loads whatever the runtime's own linking is.
 */
#ifndef ZCPROBE_LOOKUP_H
#define ZCPROBE_LOOKUP_H

#include <dlfcn.h>
#include <stddef.h>

/* zc_probe_mark's type (include/zc_probe.h). */
typedef void zcprobe_mark_fn(const char *tag, const void *p, size_t n);

/* zc_probe_mark when libzctrace.so is in the process, else NULL. */
static inline zcprobe_mark_fn *zcprobe_lookup(void)
{
	union {
		void *obj;
		zcprobe_mark_fn *fn;
	} sym = {.obj = dlsym(RTLD_DEFAULT, "zc_probe_mark")};
	return sym.fn;
}

#endif
