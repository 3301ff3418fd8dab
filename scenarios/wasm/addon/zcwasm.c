/*
 * zcwasm.c: the instrument half of the wasm boundary, a native addon over N-API that the
 * JavaScript consumer (driver.js) calls around, never inside, the bridge: the bridge is the
 * raw WebAssembly API, a Uint8Array over the module's memory.buffer or a .slice() of it.
 *
 * What it does: tells the counting interposers (build/lib/libzchooks.so, preloaded into node)
 * where the module made each frame, as src/core/frame.c does for a native producer
 * (zc_provenance_frame), so that what V8 and node copy out of it counts as the frame's;
 * reads their counts (mark, since); checks a typed array's bytes against the frame's stamps
 * and content; gives the address of the bytes behind a typed array; runs the pages-written
 * pass in this process (written.h); and makes reference_memcpy's bare memcpy.
 *
 * It decides nothing about copies, and holds no frame: the module gives and takes them back.
 * Built as build/lib/wasm/zcwasm.node; driven by driver.js, one strategy per process.
 */
#include <dlfcn.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <node_api.h>

#include "frame.h"
#include "instrument.h"
#include "node_watch.h"

/* The interposers' own (provenance.h): weak, as frame.c has it, and resolved in node. */
extern void zc_provenance_frame(const void *p, size_t len) __attribute__((weak));

static struct {
	size_t bytes;
	unsigned char *dst;     /* reference_memcpy's reused block */
	unsigned char *scratch; /* the expected content, for checksums */
} zw;

static napi_value boolean(napi_env env, bool v)
{
	napi_value out;
	napi_get_boolean(env, v, &out);
	return out;
}

/* The bytes behind a typed array or an ArrayBuffer (0 of them once detached); NULL if none. */
static unsigned char *bytes_of(napi_env env, napi_value v, size_t *len)
{
	void *data = NULL;
	bool is;
	napi_typedarray_type type;
	napi_value ab;
	size_t offset;
	*len = 0;
	if (napi_is_typedarray(env, v, &is) == napi_ok && is &&
	    napi_get_typedarray_info(env, v, &type, len, &data, &ab, &offset) == napi_ok)
		return type == napi_uint8_array ? data : NULL;
	if (napi_is_arraybuffer(env, v, &is) == napi_ok && is &&
	    napi_get_arraybuffer_info(env, v, &data, len) == napi_ok)
		return data;
	*len = 0;
	return NULL;
}

/* The frame argument argv[0] holds, with the sequence number argv[1]; NULL when none. */
static const unsigned char *frame_seq(napi_env env, napi_callback_info info, uint64_t *seq)
{
	napi_value argv[2];
	size_t argc, len = 0;
	uint32_t s;
	zc_node_args(env, info, argv, 2, &argc);
	if (argc != 2 || napi_get_value_uint32(env, argv[1], &s) != napi_ok)
		return NULL;
	*seq = s;
	const unsigned char *p = bytes_of(env, argv[0], &len);
	return len == zw.bytes ? p : NULL;
}

/* open(bytes): readies the instruments for frames of bytes. */
static napi_value zw_open(napi_env env, napi_callback_info info)
{
	napi_value argv[1];
	size_t argc;
	double bytes;
	zc_node_args(env, info, argv, 1, &argc);
	if (argc != 1 || napi_get_value_double(env, argv[0], &bytes) != napi_ok || !(bytes > 0))
		return zc_node_fail(env, "open(bytes) expected");
	if (!dlsym(RTLD_DEFAULT, "zc_counts_snapshot") || !zc_provenance_frame)
		return zc_node_fail(env, "the counting interposers are not preloaded "
				 "(LD_PRELOAD=build/lib/libzchooks.so)");
	zw.bytes = (size_t)bytes;
	zc_instrument_set_frame_bytes(zw.bytes);
	zw.scratch = malloc(zw.bytes);
	zw.dst = malloc(zw.bytes);
	if (!zw.scratch || !zw.dst)
		return zc_node_fail(env, "open: out of memory");
	memset(zw.dst, 0, zw.bytes); /* first touch outside the timed loop */
	return NULL;
}

/*
 * madeFrame(buffer, offset, length): the module made a frame at offset of its memory (the
 * import its frame code calls, as frame.c's zc_frame_stamp tells the interposers).
 */
static napi_value zw_made_frame(napi_env env, napi_callback_info info)
{
	napi_value argv[3];
	size_t argc, len = 0;
	uint32_t offset, n;
	zc_node_args(env, info, argv, 3, &argc);
	unsigned char *base = argc == 3 ? bytes_of(env, argv[0], &len) : NULL;
	if (!base || napi_get_value_uint32(env, argv[1], &offset) != napi_ok ||
	    napi_get_value_uint32(env, argv[2], &n) != napi_ok || offset > len || n > len - offset)
		return zc_node_fail(env, "madeFrame(buffer, offset, length): not a frame of the memory");
	zc_provenance_frame(base + offset, n);
	return NULL;
}

/* stampOk(view, seq): both stamps of the bytes the view holds read seq. */
static napi_value zw_stamp_ok(napi_env env, napi_callback_info info)
{
	uint64_t seq;
	const unsigned char *p = frame_seq(env, info, &seq);
	return boolean(env, p && zc_frame_stamp_ok(p, zw.bytes, seq));
}

/* checksumOk(view, seq): every byte the view holds is the content rendered for frame seq. */
static napi_value zw_checksum_ok(napi_env env, napi_callback_info info)
{
	uint64_t seq;
	const unsigned char *p = frame_seq(env, info, &seq);
	bool ok = false;
	if (p) {
		zc_frame_render(zw.scratch, zw.bytes, seq);
		ok = zc_frame_checksum(p, zw.bytes) == zc_frame_checksum(zw.scratch, zw.bytes);
	}
	return boolean(env, ok);
}

/* address(view): the address of the bytes behind a typed array (0n when detached). */
static napi_value zw_address(napi_env env, napi_callback_info info)
{
	napi_value argv[1], out;
	size_t argc, len = 0;
	zc_node_args(env, info, argv, 1, &argc);
	const unsigned char *p = argc == 1 ? bytes_of(env, argv[0], &len) : NULL;
	napi_create_bigint_uint64(env, len ? (uint64_t)(uintptr_t)p : 0, &out);
	return out;
}

/* memcpyFrame(view): reference_memcpy, a bare memcpy of the frame into one reused block. */
static napi_value zw_memcpy_frame(napi_env env, napi_callback_info info)
{
	napi_value argv[1];
	size_t argc, len = 0;
	zc_node_args(env, info, argv, 1, &argc);
	const unsigned char *p = argc == 1 ? bytes_of(env, argv[0], &len) : NULL;
	if (!p || len != zw.bytes || !zw.dst)
		return zc_node_fail(env, "memcpyFrame(view) expected, a frame, after open");
	memcpy(zw.dst, p, zw.bytes);
	return zc_node_number(env, zw.dst[0]);
}

/* referenceAddress(): the block reference_memcpy copies into. */
static napi_value zw_reference_address(napi_env env, napi_callback_info info)
{
	(void)info;
	napi_value out;
	napi_create_bigint_uint64(env, (uint64_t)(uintptr_t)zw.dst, &out);
	return out;
}

/* pagesArm(): the evidence pass (node_watch.h). */
static napi_value zw_pages_arm(napi_env env, napi_callback_info info)
{
	(void)info;
	return zc_node_pages_arm(env);
}

/*
 * pagesCount(frame, seq): after a rendered transfer, with JavaScript still holding what it got:
 * the pages written since pagesArm, the producer's frame (the view frame, over the module's
 * memory) apart, and the bytes of frame seq the others hold (a copy), as evidence.c counts
 * them.
 */
static napi_value zw_pages_count(napi_env env, napi_callback_info info)
{
	uint64_t seq;
	const unsigned char *frame = frame_seq(env, info, &seq);
	if (!frame)
		return zc_node_fail(env, "pagesCount(frame, seq) expected");
	zc_node_pages_count(frame, zw.bytes, seq);
	return NULL;
}

/* pagesResult(): the pass's means per transfer, or {unavailable: why}; ends the pass. */
static napi_value zw_pages_result(napi_env env, napi_callback_info info)
{
	(void)info;
	return zc_node_pages_result(env);
}

/* close(): frees what open made. */
static napi_value zw_close(napi_env env, napi_callback_info info)
{
	(void)env;
	(void)info;
	free(zw.dst);
	free(zw.scratch);
	zw.dst = zw.scratch = NULL;
	return NULL;
}

NAPI_MODULE_INIT()
{
	static const struct zc_node_fn fns[] = {
		{"open", zw_open},
		{"madeFrame", zw_made_frame},
		{"stampOk", zw_stamp_ok},
		{"checksumOk", zw_checksum_ok},
		{"address", zw_address},
		{"memcpyFrame", zw_memcpy_frame},
		{"referenceAddress", zw_reference_address},
		{"mark", zc_node_mark},
		{"since", zc_node_since},
		{"pagesArm", zw_pages_arm},
		{"pagesCount", zw_pages_count},
		{"pagesResult", zw_pages_result},
		{"close", zw_close},
	};
	return zc_node_export(env, exports, fns, sizeof(fns) / sizeof(fns[0]));
}
