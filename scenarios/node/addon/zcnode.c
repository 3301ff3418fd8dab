/*
 * zcnode.c: the native extension a Node.js bridge would be (napi-rs, node-addon-api), in C
 * over N-API: it loads the producer library (build/lib/libzcproducer.so) and hands its frames
 * to JavaScript as Buffers and ArrayBuffers, the three ways an addon can:
 *
 *   buffer_copy           napi_create_buffer_copy: a Buffer of Node's own, a copy
 *   external_buffer       napi_create_external_buffer over the producer's frame, given back
 *                         by the finalizer; where the runtime answers
 *                         napi_no_external_buffers_allowed (V8's memory cage), a copy as
 *                         real addons fall back to, and counted (fallbacks)
 *   external_arraybuffer  napi_create_external_arraybuffer, the same for an ArrayBuffer
 *   reference_memcpy      a bare memcpy of the producer's frame into one reused block
 *
 * It decides nothing about copies: the counting interposers (build/lib/libzchooks.so,
 * preloaded into node by the scenario program) see what node and V8 copied and allocated;
 * counts() reads them. The addresses it reports are the ones the JavaScript objects' own
 * backing stores give (napi_get_buffer_info, napi_get_arraybuffer_info).
 *
 * Built as build/lib/node/zcnode.node; driven by driver.js, one strategy per process.
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
#include "producer_api.h"

enum kind { BUFFER_COPY, EXTERNAL_BUFFER, EXTERNAL_ARRAYBUFFER, REFERENCE_MEMCPY };

static const char *const kind_names[] = {"buffer_copy", "external_buffer",
					 "external_arraybuffer", "reference_memcpy"};

/* A frame the producer handed over, until the JavaScript object over it is collected. */
struct lent {
	zcp_release_fn release;
	void *ctx;
	unsigned char *data;
};

static struct {
	struct zc_producer_api api;
	struct zcp_producer *producer;
	void *lib;
	enum kind kind;
	size_t bytes;
	uint64_t seq;
	unsigned char *dst;       /* reference_memcpy's reused block */
	unsigned char *scratch;   /* the expected content, for checksums */
	struct lent held;         /* buffer_copy: the last frame, kept for the probe */
	unsigned char *last;      /* the producer's bytes of the last transfer */
	long finalized, fallbacks;
} zn;

static void give_back(struct lent *l)
{
	if (l->data)
		l->release(l->ctx, l->data);
	l->data = NULL;
}

/* The finalizer of an external frame: runs when the object over it was collected. */
static void finalize(napi_env env, void *data, void *hint)
{
	(void)env;
	(void)data;
	struct lent *l = hint;
	give_back(l);
	free(l);
	zn.finalized++;
}

/* open(strategy, bytes, producerPath): loads the producer and readies the strategy. */
static napi_value zn_open(napi_env env, napi_callback_info info)
{
	napi_value argv[3];
	size_t argc;
	char name[64], path[4096];
	double bytes;
	zc_node_args(env, info, argv, 3, &argc);
	if (argc != 3 ||
	    napi_get_value_string_utf8(env, argv[0], name, sizeof(name), NULL) != napi_ok ||
	    napi_get_value_double(env, argv[1], &bytes) != napi_ok ||
	    napi_get_value_string_utf8(env, argv[2], path, sizeof(path), NULL) != napi_ok)
		return zc_node_fail(env, "open(strategy, bytes, producer) expected");
	if (zn.producer)
		return zc_node_fail(env, "open: already open");
	size_t k = 0;
	while (k < sizeof(kind_names) / sizeof(kind_names[0]) && strcmp(kind_names[k], name))
		k++;
	if (k == sizeof(kind_names) / sizeof(kind_names[0]))
		return zc_node_fail(env, "open: unknown strategy");
	if (!dlsym(RTLD_DEFAULT, "zc_counts_snapshot"))
		return zc_node_fail(env, "the counting interposers are not preloaded (LD_PRELOAD="
			    "build/lib/libzchooks.so)");
	zn.lib = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	union {
		void *obj;
		zcp_get_api_fn fn;
	} sym = {.obj = zn.lib ? dlsym(zn.lib, ZCP_GET_API_SYMBOL) : NULL};
	if (!sym.obj || sym.fn(ZC_PRODUCER_ABI, &zn.api) != 0)
		return zc_node_fail(env, "cannot load the producer library");
	zn.kind = (enum kind)k;
	zn.bytes = (size_t)bytes;
	zc_instrument_set_frame_bytes(zn.bytes);
	zn.producer = zn.api.open(zn.bytes, 0);
	zn.scratch = malloc(zn.bytes);
	zn.dst = zn.kind == REFERENCE_MEMCPY ? malloc(zn.bytes) : NULL;
	if (!zn.producer || !zn.scratch || (zn.kind == REFERENCE_MEMCPY && !zn.dst))
		return zc_node_fail(env, "open: out of memory");
	memset(zn.scratch, 0, zn.bytes);
	if (zn.dst)
		memset(zn.dst, 0, zn.bytes); /* first touch outside the timed loop */
	return NULL;
}

/* A Buffer of Node's own with the frame's bytes (napi_create_buffer_copy). */
static napi_value copy_out(napi_env env, const unsigned char *src)
{
	napi_value out;
	void *data;
	if (napi_create_buffer_copy(env, zn.bytes, src, &data, &out) != napi_ok)
		return zc_node_fail(env, "napi_create_buffer_copy failed");
	return out;
}

/* An external Buffer or ArrayBuffer over the frame l holds; the finalizer gives it back. */
static napi_value external(napi_env env, struct lent *l)
{
	napi_value out;
	napi_status st = zn.kind == EXTERNAL_BUFFER
		? napi_create_external_buffer(env, zn.bytes, l->data, finalize, l, &out)
		: napi_create_external_arraybuffer(env, l->data, zn.bytes, finalize, l, &out);
	if (st == napi_ok)
		return out;
	if (st != napi_no_external_buffers_allowed) {
		give_back(l);
		free(l);
		return zc_node_fail(env, "creating an external buffer failed");
	}
	/* What addons do where external buffers are not allowed: copy, then give back. */
	zn.fallbacks++;
	out = copy_out(env, l->data);
	give_back(l);
	free(l);
	return out;
}

/* transfer(render): the next frame, handed to JavaScript the strategy's way. */
static napi_value zn_transfer(napi_env env, napi_callback_info info)
{
	napi_value argv[1];
	size_t argc;
	bool render = false;
	zc_node_args(env, info, argv, 1, &argc);
	if (argc == 1)
		napi_get_value_bool(env, argv[0], &render);
	if (!zn.producer)
		return zc_node_fail(env, "transfer: not open");
	uint64_t seq = ++zn.seq;
	if (zn.kind == REFERENCE_MEMCPY) {
		zn.last = zn.api.next_frame(zn.producer, seq, render);
		memcpy(zn.dst, zn.last, zn.bytes);
		return zc_node_number(env, (double)zn.dst[0]);
	}
	struct lent *l = malloc(sizeof(*l));
	if (!l)
		return zc_node_fail(env, "transfer: out of memory");
	l->data = zn.api.take_frame(zn.producer, seq, render, &l->release, &l->ctx);
	if (!l->data) {
		free(l);
		return zc_node_fail(env, "transfer: the producer has no frame");
	}
	zn.last = l->data;
	if (zn.kind != BUFFER_COPY)
		return external(env, l);
	give_back(&zn.held); /* the previous frame: kept until now for the probe */
	zn.held = *l;
	free(l);
	return copy_out(env, zn.held.data);
}

/* The bytes behind a Buffer, an ArrayBuffer or a typed array; NULL when it is none. */
static const unsigned char *bytes_of(napi_env env, napi_value v, size_t *len)
{
	void *data = NULL;
	bool is;
	if (napi_is_buffer(env, v, &is) == napi_ok && is &&
	    napi_get_buffer_info(env, v, &data, len) == napi_ok)
		return data;
	if (napi_is_arraybuffer(env, v, &is) == napi_ok && is &&
	    napi_get_arraybuffer_info(env, v, &data, len) == napi_ok)
		return data;
	return NULL;
}

/* The frame the call's one argument holds; NULL when it holds none of the frame's size. */
static const unsigned char *frame_arg(napi_env env, napi_callback_info info)
{
	napi_value argv[1];
	size_t argc, len = 0;
	zc_node_args(env, info, argv, 1, &argc);
	const unsigned char *p = argc == 1 ? bytes_of(env, argv[0], &len) : NULL;
	return len == zn.bytes ? p : NULL;
}

/* stampOk(obj): the stamps of the frame the object holds read the last sequence number. */
static napi_value zn_stamp_ok(napi_env env, napi_callback_info info)
{
	napi_value out;
	const unsigned char *p = frame_arg(env, info);
	napi_get_boolean(env, p && zc_frame_stamp_ok(p, zn.bytes, zn.seq), &out);
	return out;
}

/* checksumOk(obj): every byte the object holds is the content rendered for the last frame. */
static napi_value zn_checksum_ok(napi_env env, napi_callback_info info)
{
	napi_value out;
	const unsigned char *p = frame_arg(env, info);
	bool ok = false;
	if (p) {
		zc_frame_render(zn.scratch, zn.bytes, zn.seq);
		ok = zc_frame_checksum(p, zn.bytes) == zc_frame_checksum(zn.scratch, zn.bytes);
	}
	napi_get_boolean(env, ok, &out);
	return out;
}

/* addresses(obj): [the producer's address of the last frame, the object's own bytes]. */
static napi_value zn_addresses(napi_env env, napi_callback_info info)
{
	napi_value argv[1], out, a, b;
	size_t argc, len = 0;
	zc_node_args(env, info, argv, 1, &argc);
	const unsigned char *p = argc == 1 ? bytes_of(env, argv[0], &len) : NULL;
	const unsigned char *producer = zn.last;
	const unsigned char *consumer = zn.kind == REFERENCE_MEMCPY ? zn.dst : p;
	napi_create_array_with_length(env, 2, &out);
	napi_create_bigint_uint64(env, (uint64_t)(uintptr_t)producer, &a);
	napi_create_bigint_uint64(env, (uint64_t)(uintptr_t)consumer, &b);
	napi_set_element(env, out, 0, a);
	napi_set_element(env, out, 1, b);
	return out;
}

/* probeWrite(offset, value): the producer writes a byte of the frame it handed over last. */
static napi_value zn_probe_write(napi_env env, napi_callback_info info)
{
	napi_value argv[2];
	size_t argc;
	uint32_t offset, value;
	zc_node_args(env, info, argv, 2, &argc);
	if (argc != 2 || napi_get_value_uint32(env, argv[0], &offset) != napi_ok ||
	    napi_get_value_uint32(env, argv[1], &value) != napi_ok || offset >= zn.bytes ||
	    !zn.last)
		return zc_node_fail(env, "probeWrite(offset, value) expected, after a transfer");
	zn.last[offset] = (unsigned char)value;
	return NULL;
}

/* since(): what the interposers saw since mark(), in every thread, and the copies declared. */
static napi_value zn_since(napi_env env, napi_callback_info info)
{
	(void)info;
	struct zc_counts d;
	zc_node_counts_since(&d);
	napi_value o = zc_node_counts(env, &d);
	zc_node_put(env, o, "declared_copies", (double)d.copies);
	zc_node_put(env, o, "declared_copy_bytes", (double)d.copy_bytes);
	return o;
}

/*
 * state(): the producer's frames not given back (but the one buffer_copy keeps for the
 * probe), the finalizers run, the external buffers refused and copied instead.
 */
static napi_value zn_state(napi_env env, napi_callback_info info)
{
	(void)info;
	napi_value o;
	napi_create_object(env, &o);
	long out = zn.producer ? zn.api.frames_out(zn.producer) - (zn.held.data != NULL) : 0;
	zc_node_put(env, o, "frames_out", (double)out);
	zc_node_put(env, o, "finalized", (double)zn.finalized);
	zc_node_put(env, o, "fallbacks", (double)zn.fallbacks);
	return o;
}

/* pagesArm(), pagesCount(), pagesResult(): the evidence pass (node_watch.h). */
static napi_value zn_pages_arm(napi_env env, napi_callback_info info)
{
	(void)info;
	return zc_node_pages_arm(env);
}

/* pagesCount(): after a rendered transfer, JavaScript still holding its object. */
static napi_value zn_pages_count(napi_env env, napi_callback_info info)
{
	(void)env;
	(void)info;
	zc_node_pages_count(zn.last, zn.bytes, zn.seq);
	return NULL;
}

static napi_value zn_pages_result(napi_env env, napi_callback_info info)
{
	(void)info;
	return zc_node_pages_result(env);
}

/* close(): gives back the frame buffer_copy holds, closes the producer. */
static napi_value zn_close(napi_env env, napi_callback_info info)
{
	(void)env;
	(void)info;
	give_back(&zn.held);
	if (zn.producer)
		zn.api.close(zn.producer);
	zn.producer = NULL;
	free(zn.dst);
	free(zn.scratch);
	zn.dst = zn.scratch = NULL;
	return NULL;
}

NAPI_MODULE_INIT()
{
	static const struct zc_node_fn fns[] = {
		{"open", zn_open},         {"transfer", zn_transfer},
		{"stampOk", zn_stamp_ok},  {"checksumOk", zn_checksum_ok},
		{"addresses", zn_addresses}, {"probeWrite", zn_probe_write},
		{"mark", zc_node_mark},    {"since", zn_since},
		{"state", zn_state},       {"close", zn_close},
		{"pagesArm", zn_pages_arm}, {"pagesCount", zn_pages_count},
		{"pagesResult", zn_pages_result},
	};
	return zc_node_export(env, exports, fns, sizeof(fns) / sizeof(fns[0]));
}
