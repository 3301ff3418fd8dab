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

#include <sys/resource.h>

#include "error.h"
#include "frame.h"
#include "instrument.h"
#include "producer_api.h"
#include "written.h"

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
	struct zc_counts mark;
} zn;

/*
 * The evidence pass in this process (written.h, as src/core/evidence.c runs it in the other
 * scenarios): pages written by a rendered transfer, whatever wrote them (node's own copy
 * loops, V8, a thread of libuv's). Static: the watch outlives a call from JavaScript; what
 * changes here while armed (the sums, after each count) is a page at most.
 */
static struct {
	struct zc_written w;
	bool open;
	long faults0;
	long pages, fresh, frame, transfers;
	long copies; /* bytes of the frame transferred that the other pages hold */
	char why[200];
} zp;

/* Throws a JavaScript Error with text and returns NULL (the addon's one error convention). */
static napi_value fail(napi_env env, const char *text)
{
	napi_throw_error(env, NULL, text);
	return NULL;
}

static napi_value number(napi_env env, double v)
{
	napi_value out;
	napi_create_double(env, v, &out);
	return out;
}

/* Up to n arguments of the call; the count in *got. */
static void args(napi_env env, napi_callback_info info, napi_value *argv, size_t n, size_t *got)
{
	*got = n;
	napi_get_cb_info(env, info, got, argv, NULL, NULL);
}

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
	args(env, info, argv, 3, &argc);
	if (argc != 3 ||
	    napi_get_value_string_utf8(env, argv[0], name, sizeof(name), NULL) != napi_ok ||
	    napi_get_value_double(env, argv[1], &bytes) != napi_ok ||
	    napi_get_value_string_utf8(env, argv[2], path, sizeof(path), NULL) != napi_ok)
		return fail(env, "open(strategy, bytes, producer) expected");
	if (zn.producer)
		return fail(env, "open: already open");
	size_t k = 0;
	while (k < sizeof(kind_names) / sizeof(kind_names[0]) && strcmp(kind_names[k], name))
		k++;
	if (k == sizeof(kind_names) / sizeof(kind_names[0]))
		return fail(env, "open: unknown strategy");
	if (!dlsym(RTLD_DEFAULT, "zc_counts_snapshot"))
		return fail(env, "the counting interposers are not preloaded (LD_PRELOAD="
			    "build/lib/libzchooks.so)");
	zn.lib = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	union {
		void *obj;
		zcp_get_api_fn fn;
	} sym = {.obj = zn.lib ? dlsym(zn.lib, ZCP_GET_API_SYMBOL) : NULL};
	if (!sym.obj || sym.fn(ZC_PRODUCER_ABI, &zn.api) != 0)
		return fail(env, "cannot load the producer library");
	zn.kind = (enum kind)k;
	zn.bytes = (size_t)bytes;
	zc_instrument_set_frame_bytes(zn.bytes);
	zn.producer = zn.api.open(zn.bytes, 0);
	zn.scratch = malloc(zn.bytes);
	zn.dst = zn.kind == REFERENCE_MEMCPY ? malloc(zn.bytes) : NULL;
	if (!zn.producer || !zn.scratch || (zn.kind == REFERENCE_MEMCPY && !zn.dst))
		return fail(env, "open: out of memory");
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
		return fail(env, "napi_create_buffer_copy failed");
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
		return fail(env, "creating an external buffer failed");
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
	args(env, info, argv, 1, &argc);
	if (argc == 1)
		napi_get_value_bool(env, argv[0], &render);
	if (!zn.producer)
		return fail(env, "transfer: not open");
	uint64_t seq = ++zn.seq;
	if (zn.kind == REFERENCE_MEMCPY) {
		zn.last = zn.api.next_frame(zn.producer, seq, render);
		memcpy(zn.dst, zn.last, zn.bytes);
		return number(env, (double)zn.dst[0]);
	}
	struct lent *l = malloc(sizeof(*l));
	if (!l)
		return fail(env, "transfer: out of memory");
	l->data = zn.api.take_frame(zn.producer, seq, render, &l->release, &l->ctx);
	if (!l->data) {
		free(l);
		return fail(env, "transfer: the producer has no frame");
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
	args(env, info, argv, 1, &argc);
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
	args(env, info, argv, 1, &argc);
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
	args(env, info, argv, 2, &argc);
	if (argc != 2 || napi_get_value_uint32(env, argv[0], &offset) != napi_ok ||
	    napi_get_value_uint32(env, argv[1], &value) != napi_ok || offset >= zn.bytes ||
	    !zn.last)
		return fail(env, "probeWrite(offset, value) expected, after a transfer");
	zn.last[offset] = (unsigned char)value;
	return NULL;
}

/* mark(): the interposers' counts now, for since(). */
static napi_value zn_mark(napi_env env, napi_callback_info info)
{
	(void)env;
	(void)info;
	zc_counts_snapshot(&zn.mark);
	return NULL;
}

static void put(napi_env env, napi_value o, const char *key, double v)
{
	napi_set_named_property(env, o, key, number(env, v));
}

/* since(): what the interposers saw since mark(), in every thread of this process. */
static napi_value zn_since(napi_env env, napi_callback_info info)
{
	(void)info;
	struct zc_counts now, d;
	napi_value o;
	zc_counts_snapshot(&now);
	zc_counts_diff(&d, &now, &zn.mark);
	napi_create_object(env, &o);
	put(env, o, "allocs", (double)d.allocs);
	put(env, o, "alloc_bytes", (double)d.alloc_bytes);
	put(env, o, "frees", (double)d.frees);
	put(env, o, "frame_allocs", (double)d.frame_allocs);
	put(env, o, "frame_frees", (double)d.frame_frees);
	put(env, o, "realloc_moves", (double)d.realloc_moves);
	put(env, o, "realloc_remaps", (double)d.realloc_remaps);
	put(env, o, "user_copy_bytes", (double)zc_counts_user_copy_bytes(&d));
	put(env, o, "kernel_copy_bytes", (double)zc_counts_kernel_copy_bytes(&d));
	put(env, o, "user_frame_bytes", (double)zc_counts_user_frame_bytes(&d));
	put(env, o, "kernel_frame_bytes", (double)zc_counts_kernel_frame_bytes(&d));
	put(env, o, "hook_copy_bytes", (double)d.hook_copy_bytes);
	put(env, o, "declared_copies", (double)d.copies);
	put(env, o, "declared_copy_bytes", (double)d.copy_bytes);
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
	put(env, o, "frames_out", (double)out);
	put(env, o, "finalized", (double)zn.finalized);
	put(env, o, "fallbacks", (double)zn.fallbacks);
	return o;
}

static long minor_faults(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_minflt;
}

/* The bytes of frame *seq (the one transferred) a page holds. */
static size_t holds_frame_bytes(const unsigned char *page, size_t len, uintptr_t at,
				void *seq)
{
	(void)at;
	return zc_frame_bytes_held(page, len, *(const uint64_t *)seq, false);
}

/* Ends the pass: the watch released, the reason kept (once: the first one). */
static void pages_stop(const char *why)
{
	if (why && !zp.why[0])
		snprintf(zp.why, sizeof(zp.why), "%.199s", why);
	if (zp.open)
		zc_written_release(&zp.w);
	zp.open = false;
}

/* pagesArm(): watches every writable mapping; false when the instrument cannot. */
static napi_value zn_pages_arm(napi_env env, napi_callback_info info)
{
	(void)info;
	struct zc_error e = {0};
	napi_value out;
	if (!zp.open && !zp.why[0]) {
		if (zc_written_init(&zp.w, &e) != 0)
			pages_stop(e.text);
		else
			zp.open = true;
	}
	if (zp.open && zc_written_arm(&zp.w, &e) != 0)
		pages_stop(e.text);
	zp.faults0 = minor_faults();
	napi_get_boolean(env, zp.open, &out);
	return out;
}

/*
 * pagesCount(): after a rendered transfer, with JavaScript still holding its object: the
 * pages written since pagesArm, the producer's frame apart, and the bytes of the frame
 * transferred the others hold (a copy), as evidence.c counts them.
 */
static napi_value zn_pages_count(napi_env env, napi_callback_info info)
{
	(void)env;
	(void)info;
	struct zc_error e = {0};
	struct zc_written_count c = {0};
	if (!zp.open)
		return NULL;
	if (zc_written_count(&zp.w, zn.last, zn.bytes, holds_frame_bytes, &zn.seq, &c, &e) != 0) {
		pages_stop(e.text);
		return NULL;
	}
	long n = zc_written_take(&zp.w, &e);
	if (n < 0) {
		pages_stop(e.text);
		return NULL;
	}
	long faults = minor_faults() - zp.faults0;
	long fresh = faults - n > c.fresh ? faults - n : c.fresh;
	zp.frame += c.excluded;
	zp.copies += c.matching_bytes;
	zp.pages += n + fresh - c.excluded > 0 ? n + fresh - c.excluded : 0;
	zp.fresh += fresh - c.excluded_fresh > 0 ? fresh - c.excluded_fresh : 0;
	zp.transfers++;
	return NULL;
}

static void put_string(napi_env env, napi_value o, const char *key, const char *v)
{
	napi_value s;
	napi_create_string_utf8(env, v, NAPI_AUTO_LENGTH, &s);
	napi_set_named_property(env, o, key, s);
}

/*
 * What the watch left out, as results.h keeps it (src/core/evidence.c's
 * zc_evidence_unwatched): "unwatched", one object a mapping (resident_pages and
 * populated_per_transfer -1 when unknown), and "io_uring".
 */
static void put_unwatched(napi_env env, napi_value o, double transfers)
{
	napi_value list, flag;
	napi_create_array(env, &list);
	for (size_t i = 0; i < zc_written_unwatched_count(&zp.w); i++) {
		const struct zc_written_unwatched *u = zc_written_unwatched_at(&zp.w, i);
		char why[96];
		napi_value m;
		zc_written_why_text(u, why, sizeof(why));
		napi_create_object(env, &m);
		put_string(env, m, "mapping", u->name[0] ? u->name : "[anonymous]");
		put_string(env, m, "why", why);
		put(env, m, "bytes", (double)(u->end - u->start));
		put(env, m, "resident_pages", (double)u->resident);
		put(env, m, "populated_per_transfer",
		    u->first_resident >= 0 ? (double)u->populated / transfers : -1.0);
		napi_set_element(env, list, (uint32_t)i, m);
	}
	napi_set_named_property(env, o, "unwatched", list);
	napi_get_boolean(env, zc_written_saw_io_uring(&zp.w), &flag);
	napi_set_named_property(env, o, "io_uring", flag);
}

/*
 * pagesResult(): the pass's means per transfer (pages; frame_bytes_per_transfer in bytes), or
 * {unavailable: why}; ends the pass.
 */
static napi_value zn_pages_result(napi_env env, napi_callback_info info)
{
	(void)info;
	napi_value o, why;
	napi_create_object(env, &o);
	if (zp.open && !zp.why[0] && zp.transfers > 0)
		put_unwatched(env, o, (double)zp.transfers);
	pages_stop(NULL);
	if (zp.why[0] || zp.transfers == 0) {
		napi_create_string_utf8(env, zp.why[0] ? zp.why : "no transfer was watched",
					NAPI_AUTO_LENGTH, &why);
		napi_set_named_property(env, o, "unavailable", why);
		return o;
	}
	double n = (double)zp.transfers;
	put(env, o, "transfers", n);
	put(env, o, "producer_per_transfer", (double)zp.pages / n);
	put(env, o, "fresh_per_transfer", (double)zp.fresh / n);
	put(env, o, "frame_per_transfer", (double)zp.frame / n);
	put(env, o, "frame_bytes_per_transfer", (double)zp.copies / n);
	return o;
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
	static const struct {
		const char *name;
		napi_callback fn;
	} fns[] = {
		{"open", zn_open},         {"transfer", zn_transfer},
		{"stampOk", zn_stamp_ok},  {"checksumOk", zn_checksum_ok},
		{"addresses", zn_addresses}, {"probeWrite", zn_probe_write},
		{"mark", zn_mark},         {"since", zn_since},
		{"state", zn_state},       {"close", zn_close},
		{"pagesArm", zn_pages_arm}, {"pagesCount", zn_pages_count},
		{"pagesResult", zn_pages_result},
	};
	for (size_t i = 0; i < sizeof(fns) / sizeof(fns[0]); i++) {
		napi_value f;
		if (napi_create_function(env, fns[i].name, NAPI_AUTO_LENGTH, fns[i].fn, NULL, &f) !=
			    napi_ok ||
		    napi_set_named_property(env, exports, fns[i].name, f) != napi_ok)
			return NULL;
	}
	return exports;
}
