/*
 * zc_probe.h: mark a buffer on each side of your own bridge, and let zctrace say whether the
 * two sides hold the same bytes at the same address (shared) or a copy (copied), and which
 * memcpy made it. Copy this one header into your project; no library to link.
 *
 *   zc_probe("frame:rust", ptr, len);   // where the producer hands the frame over
 *   zc_probe("frame:dart", ptr2, len2); // where the consumer receives it
 *
 * zc_probe_mark is defined by libzctrace.so. Without zctrace loaded the weak reference is
 * NULL and zc_probe does nothing (one compare). Under zctrace the marked bytes are
 * fingerprinted (64-bit FNV-1a over 8-byte words, as zc_frame_checksum), so a mark costs one
 * pass over the buffer: mark a few frames, not every frame of a long run.
 *
 * Pairing: marks whose tags share the part before the first ':' pair up in the order they
 * are made, 1st with 2nd, 3rd with 4th... ("frame:rust" then "frame:dart", per frame).
 *
 * The weak reference needs a position-independent executable or a shared library (the
 * default with gcc on Debian and for Rust cdylibs). Other languages look the symbol up at run
 * time instead, and skip the call when it is absent (Python, Node.js and Java: the probe
 * modules in tools/zctrace/probes/, docs/zctrace.md "Probe modules"):
 *   Rust:  libc::dlsym(libc::RTLD_DEFAULT, c"zc_probe_mark".as_ptr())
 *          then transmute to extern "C" fn(*const c_char, *const c_void, usize)
 *   Dart:  final lib = DynamicLibrary.process();
 *          if (lib.providesSymbol('zc_probe_mark')) { final mark = lib.lookupFunction<
 *            Void Function(Pointer<Utf8>, Pointer<Void>, Size),
 *            void Function(Pointer<Utf8>, Pointer<Void>, int)>('zc_probe_mark'); ... }
 */
#ifndef ZC_PROBE_H
#define ZC_PROBE_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Defined by libzctrace.so; NULL when zctrace is not loaded. */
extern void zc_probe_mark(const char *tag, const void *p, size_t n) __attribute__((weak));

/* Marks n bytes at p under tag, when zctrace is loaded; otherwise does nothing. */
static inline void zc_probe(const char *tag, const void *p, size_t n)
{
	if (zc_probe_mark)
		zc_probe_mark(tag, p, n);
}

#ifdef __cplusplus
}
#endif

#endif
