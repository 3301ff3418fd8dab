/*
 * node_watch.h: the instrument glue the node family's addons share (scenarios/node/addon/
 * zcnode.c, scenarios/node_addon_api/addon/zcnapi.cc, scenarios/wasm/addon/zcwasm.c): the
 * interposers' counts as a JavaScript object, and the pages-written pass run in the node
 * process (written.h, as src/core/evidence.c runs it in the other scenarios), and the C
 * addons' N-API helpers. C over N-API, so that the C++ addon calls it too.
 */
#ifndef ZC_NODE_WATCH_H
#define ZC_NODE_WATCH_H

#include <stddef.h>
#include <stdint.h>

#include <node_api.h>

#include "instrument.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Throws a JavaScript Error with text and returns NULL (the addons' one error convention). */
napi_value zc_node_fail(napi_env env, const char *text);

/* The number v as a JavaScript value. */
napi_value zc_node_number(napi_env env, double v);

/* Up to n arguments of the call into argv; the count in *got. */
void zc_node_args(napi_env env, napi_callback_info info, napi_value *argv, size_t n,
		  size_t *got);

/* A function of the addon's, by the name JavaScript calls it. */
struct zc_node_fn {
	const char *name;
	napi_callback fn;
};

/* Sets each of fns[0..n) on exports; exports, or NULL when one cannot be. */
napi_value zc_node_export(napi_env env, napi_value exports, const struct zc_node_fn *fns,
			  size_t n);

/* Sets o[key] to the number v. */
void zc_node_put(napi_env env, napi_value o, const char *key, double v);

/*
 * since(): the interposers' counts d (a difference of two snapshots) as the object driver.js
 * keeps as "counts": allocs, alloc_bytes, ..., hook_copy_bytes.
 */
napi_value zc_node_counts(napi_env env, const struct zc_counts *d);

/* Keeps the interposers' counts now, for since() (one mark in a process). */
void zc_node_counts_mark(void);

/* mark(): zc_node_counts_mark, from JavaScript. */
napi_value zc_node_mark(napi_env env, napi_callback_info info);

/* What the interposers saw since mark(), in every thread of this process, into *d. */
void zc_node_counts_since(struct zc_counts *d);

/* since(): zc_node_counts of what the interposers saw since mark(). */
napi_value zc_node_since(napi_env env, napi_callback_info info);

/* pagesArm(): watches every writable mapping; false when the instrument cannot. */
napi_value zc_node_pages_arm(napi_env env);

/*
 * pagesCount(): after a rendered transfer, JavaScript still holding its object: the pages
 * written since pagesArm, the producer's frame (bytes at frame) apart, and the bytes of frame
 * seq the others hold (a copy), as evidence.c counts them. Nothing once the pass ended.
 */
void zc_node_pages_count(const unsigned char *frame, size_t bytes, uint64_t seq);

/*
 * pagesResult(): the pass's means per transfer (pages; frame_bytes_per_transfer in bytes)
 * with what the watch left out, or {unavailable: why}; ends the pass.
 */
napi_value zc_node_pages_result(napi_env env);

#ifdef __cplusplus
}
#endif

#endif
