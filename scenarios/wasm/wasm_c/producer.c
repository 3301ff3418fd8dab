/*
 * producer.c: the producer of the wasm boundary in C, compiled to WebAssembly (clang
 * --target=wasm32, no libc): frames of the project's pattern (src/core/frame.c, built for
 * wasm32 beside it) in the module's linear memory, handed to JavaScript as an offset into
 * memory.buffer, and given back with zcw_release_frame, once.
 *
 * Its heap is the linear memory past the module's data: frame-sized blocks taken from a free
 * list, else from the top, which memory.grow moves up. zcw_allocate_more is the producer
 * asking for more memory between two frames (a bigger scratch buffer, a new back buffer):
 * memory.grow, which detaches every JavaScript view over memory.buffer.
 *
 * Its one import, env.zcw_made_frame, tells the node process where a frame was made.
 * The exports are the ABI the Rust producer (wasm_rust/src/lib.rs) has too, so that one
 * driver.js uses either; seq is 32 bits (a JavaScript number, no BigInt per call).
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "frame.h"
#include "zcwasm.h"

#define WASM_PAGE 65536u
/* What zcw_allocate_more grows the memory by in all: past it, a grow of 0 pages. */
#define MORE_RESERVE (16u * 1024 * 1024)
/* Frames handed over at once, at most (driver.js keeps 16 in flight). */
#define MAX_OUT 256

extern unsigned char __heap_base;

/* JavaScript's import (driver.js): where the module made a frame, for the interposers. */
__attribute__((import_module("env"), import_name("zcw_made_frame"))) void
zcw_made_frame(const void *p, size_t len);

/*
 * frame.c tells the interposers of every frame it renders or stamps through this weak
 * symbol (provenance.h); in the module it is an import, which the node process answers.
 */
void zc_provenance_frame(const void *p, size_t len);
void zc_provenance_frame(const void *p, size_t len)
{
	zcw_made_frame(p, len);
}

static struct {
	size_t bytes;
	uintptr_t top;            /* the heap's first free byte */
	void *free_blocks;        /* a list of frame-sized blocks, linked through their first word */
	uintptr_t out[MAX_OUT];   /* frames handed over and not given back */
	unsigned nout;
	uint32_t taken, released, double_releases, grown_pages, grows;
} zp;

void *memcpy(void *restrict dst, const void *restrict src, size_t n)
{
	__builtin_memcpy(dst, src, n); /* memory.copy (-mbulk-memory) */
	return dst;
}

void *memset(void *dst, int c, size_t n)
{
	__builtin_memset(dst, c, n); /* memory.fill */
	return dst;
}

/* n bytes from the top of the heap, growing the memory when it is short; NULL when it cannot. */
static void *heap_take(size_t n)
{
	uintptr_t start = (zp.top + 15) & ~(uintptr_t)15;
	uintptr_t end = start + n;
	size_t have = __builtin_wasm_memory_size(0) * (size_t)WASM_PAGE;
	if (end < start)
		return NULL;
	if (end > have) {
		size_t pages = (end - have + WASM_PAGE - 1) / WASM_PAGE;
		if (__builtin_wasm_memory_grow(0, pages) == (size_t)-1)
			return NULL;
	}
	zp.top = end;
	return (void *)start;
}

static void *frame_alloc(void)
{
	void *b = zp.free_blocks;
	if (b) {
		zp.free_blocks = *(void **)b;
		return b;
	}
	return heap_take(zp.bytes);
}

/* Readies the producer for frames of bytes; -1 when the size is not one it can hold. */
int zcw_open(size_t bytes)
{
	if (bytes < ZC_FRAME_MIN_BYTES || bytes > SIZE_MAX / 2)
		return -1;
	zp.bytes = bytes;
	zp.top = (uintptr_t)&__heap_base;
	return 0;
}

/*
 * Frame seq, rendered whole when render is set, else stamped: its offset in memory.buffer,
 * owed one zcw_release_frame; 0 when the memory cannot hold another.
 */
uintptr_t zcw_take_frame(uint32_t seq, int render)
{
	if (zp.nout == MAX_OUT)
		return 0;
	unsigned char *f = frame_alloc();
	if (!f)
		return 0;
	if (render)
		zc_frame_render(f, zp.bytes, seq);
	else
		zc_frame_stamp(f, zp.bytes, seq);
	zp.out[zp.nout++] = (uintptr_t)f;
	zp.taken++;
	return (uintptr_t)f;
}

/* Gives a frame back: 0; -1 (and counted) when it is not one handed over and still out. */
int zcw_release_frame(uintptr_t frame)
{
	for (unsigned i = 0; i < zp.nout; i++) {
		if (zp.out[i] != frame)
			continue;
		zp.out[i] = zp.out[--zp.nout];
		*(void **)frame = zp.free_blocks;
		zp.free_blocks = (void *)frame;
		zp.released++;
		return 0;
	}
	zp.double_releases++;
	return -1;
}

/*
 * The producer asks for more memory: a page at a time up to MORE_RESERVE, then grows by 0
 * pages, which V8 handles as any grow (the old ArrayBuffer is detached). The pages it has.
 */
uint32_t zcw_allocate_more(void)
{
	size_t pages = zp.grown_pages * (size_t)WASM_PAGE < MORE_RESERVE ? 1 : 0;
	size_t old = __builtin_wasm_memory_grow(0, pages);
	if (old == (size_t)-1)
		return 0;
	zp.grown_pages += (uint32_t)pages;
	zp.grows++;
	return (uint32_t)(old + pages);
}

/* The producer writes a byte of its memory (the write-through probe). */
void zcw_probe_write(uintptr_t at, uint32_t value)
{
	*(volatile unsigned char *)at = (unsigned char)value;
}

uint32_t zcw_frames_out(void)
{
	return zp.nout;
}

uint32_t zcw_taken(void)
{
	return zp.taken;
}

uint32_t zcw_released(void)
{
	return zp.released;
}

uint32_t zcw_double_releases(void)
{
	return zp.double_releases;
}

uint32_t zcw_grows(void)
{
	return zp.grows;
}
