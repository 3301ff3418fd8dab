/*
 * node_watch.c: the instrument glue of the node family's addons (node_watch.h). Linked into
 * each addon; the interposers' functions it calls are the preloaded library's.
 */
#include <stdbool.h>
#include <stdio.h>
#include <sys/resource.h>

#include "error.h"
#include "frame.h"
#include "node_watch.h"
#include "written.h"

/*
 * The pages-written pass in this process. Static: the watch outlives a call from JavaScript;
 * what changes here while armed (the sums, after each count) is a page at most.
 */
static struct {
	struct zc_written w;
	bool open;
	long faults0;
	long pages, fresh, frame, transfers;
	long copies; /* bytes of the frame transferred that the other pages hold */
	char why[200];
} zp;

napi_value zc_node_fail(napi_env env, const char *text)
{
	napi_throw_error(env, NULL, text);
	return NULL;
}

napi_value zc_node_number(napi_env env, double v)
{
	napi_value out;
	napi_create_double(env, v, &out);
	return out;
}

void zc_node_args(napi_env env, napi_callback_info info, napi_value *argv, size_t n,
		  size_t *got)
{
	*got = n;
	napi_get_cb_info(env, info, got, argv, NULL, NULL);
}

napi_value zc_node_export(napi_env env, napi_value exports, const struct zc_node_fn *fns,
			  size_t n)
{
	for (size_t i = 0; i < n; i++) {
		napi_value f;
		if (napi_create_function(env, fns[i].name, NAPI_AUTO_LENGTH, fns[i].fn, NULL, &f) !=
			    napi_ok ||
		    napi_set_named_property(env, exports, fns[i].name, f) != napi_ok)
			return NULL;
	}
	return exports;
}

void zc_node_put(napi_env env, napi_value o, const char *key, double v)
{
	napi_set_named_property(env, o, key, zc_node_number(env, v));
}

static void put_string(napi_env env, napi_value o, const char *key, const char *v)
{
	napi_value s;
	napi_create_string_utf8(env, v, NAPI_AUTO_LENGTH, &s);
	napi_set_named_property(env, o, key, s);
}

napi_value zc_node_counts(napi_env env, const struct zc_counts *d)
{
	napi_value o;
	napi_create_object(env, &o);
	zc_node_put(env, o, "allocs", (double)d->allocs);
	zc_node_put(env, o, "alloc_bytes", (double)d->alloc_bytes);
	zc_node_put(env, o, "frees", (double)d->frees);
	zc_node_put(env, o, "frame_allocs", (double)d->frame_allocs);
	zc_node_put(env, o, "frame_frees", (double)d->frame_frees);
	zc_node_put(env, o, "realloc_moves", (double)d->realloc_moves);
	zc_node_put(env, o, "realloc_remaps", (double)d->realloc_remaps);
	zc_node_put(env, o, "user_copy_bytes", (double)zc_counts_user_copy_bytes(d));
	zc_node_put(env, o, "kernel_copy_bytes", (double)zc_counts_kernel_copy_bytes(d));
	zc_node_put(env, o, "user_frame_bytes", (double)zc_counts_user_frame_bytes(d));
	zc_node_put(env, o, "kernel_frame_bytes", (double)zc_counts_kernel_frame_bytes(d));
	zc_node_put(env, o, "hook_copy_bytes", (double)d->hook_copy_bytes);
	return o;
}

/* The interposers' counts at mark(). */
static struct zc_counts mark;

void zc_node_counts_mark(void)
{
	zc_counts_snapshot(&mark);
}

napi_value zc_node_mark(napi_env env, napi_callback_info info)
{
	(void)env;
	(void)info;
	zc_node_counts_mark();
	return NULL;
}

void zc_node_counts_since(struct zc_counts *d)
{
	struct zc_counts now;
	zc_counts_snapshot(&now);
	zc_counts_diff(d, &now, &mark);
}

napi_value zc_node_since(napi_env env, napi_callback_info info)
{
	(void)info;
	struct zc_counts d;
	zc_node_counts_since(&d);
	return zc_node_counts(env, &d);
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

napi_value zc_node_pages_arm(napi_env env)
{
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

void zc_node_pages_count(const unsigned char *frame, size_t bytes, uint64_t seq)
{
	struct zc_error e = {0};
	struct zc_written_count c = {0};
	if (!zp.open)
		return;
	if (zc_written_count(&zp.w, frame, bytes, holds_frame_bytes, &seq, &c, &e) != 0) {
		pages_stop(e.text);
		return;
	}
	long n = zc_written_take(&zp.w, &e);
	if (n < 0) {
		pages_stop(e.text);
		return;
	}
	long faults = minor_faults() - zp.faults0;
	long fresh = faults - n > c.fresh ? faults - n : c.fresh;
	zp.frame += c.excluded;
	zp.copies += c.matching_bytes;
	zp.pages += n + fresh - c.excluded > 0 ? n + fresh - c.excluded : 0;
	zp.fresh += fresh - c.excluded_fresh > 0 ? fresh - c.excluded_fresh : 0;
	zp.transfers++;
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
		zc_node_put(env, m, "bytes", (double)(u->end - u->start));
		zc_node_put(env, m, "resident_pages", (double)u->resident);
		zc_node_put(env, m, "populated_per_transfer",
			    u->first_resident >= 0 ? (double)u->populated / transfers : -1.0);
		napi_set_element(env, list, (uint32_t)i, m);
	}
	napi_set_named_property(env, o, "unwatched", list);
	napi_get_boolean(env, zc_written_saw_io_uring(&zp.w), &flag);
	napi_set_named_property(env, o, "io_uring", flag);
}

napi_value zc_node_pages_result(napi_env env)
{
	napi_value o;
	napi_create_object(env, &o);
	if (zp.open && !zp.why[0] && zp.transfers > 0)
		put_unwatched(env, o, (double)zp.transfers);
	pages_stop(NULL);
	if (zp.why[0] || zp.transfers == 0) {
		put_string(env, o, "unavailable", zp.why[0] ? zp.why : "no transfer was watched");
		return o;
	}
	double n = (double)zp.transfers;
	zc_node_put(env, o, "transfers", n);
	zc_node_put(env, o, "producer_per_transfer", (double)zp.pages / n);
	zc_node_put(env, o, "fresh_per_transfer", (double)zp.fresh / n);
	zc_node_put(env, o, "frame_per_transfer", (double)zp.frame / n);
	zc_node_put(env, o, "frame_bytes_per_transfer", (double)zp.copies / n);
	return o;
}
