/*
 * json.c: the zcbench/1 document (see the README's schema) and the atomic writer.
 */
#include "json.h"

#include "atomic_file.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static json_t *addr_json(uintptr_t a)
{
	char buf[32];
	snprintf(buf, sizeof(buf), "0x%" PRIxPTR, a);
	return json_string(buf);
}

static json_t *identity_json(const struct zc_identity *id)
{
	return json_pack("{s:o, s:o, s:b, s:b, s:b, s:b, s:s, s:s}",
			 "producer_addr", addr_json(id->producer_addr),
			 "consumer_addr", addr_json(id->consumer_addr),
			 "same_address", id->same_address,
			 "aliasing_visible", id->aliasing_visible,
			 "checksum_ok", id->checksum_ok,
			 "address_comparable", id->address_meaningful,
			 "verdict", id->zero_copy ? "zero-copy" : "copy",
			 "evidence", id->evidence);
}

static json_t *time_json(const struct zc_timing *t)
{
	json_t *samples = json_array(), *medians = json_array();
	for (size_t i = 0; i < t->nsamples; i++)
		json_array_append_new(samples, json_real(t->samples[i]));
	for (size_t i = 0; i < t->nprocesses; i++)
		json_array_append_new(medians, json_real(t->process_medians[i]));
	return json_pack("{s:{s:f, s:f, s:f, s:f, s:f, s:f}, s:o, s:I, s:f, s:f, s:f, s:o}",
			 "ns_per_transfer", "median", t->ns.median, "mean", t->ns.mean,
			 "stddev", t->ns.stddev, "cv", t->ns.cv, "min", t->ns.min, "max", t->ns.max,
			 "samples", samples, "repetitions", (json_int_t)t->nsamples,
			 "gb_per_s", t->gb_per_s, "frames_per_s", t->frames_per_s,
			 "vs_memcpy", t->vs_memcpy, "process_medians", medians);
}

static json_t *result_json(const struct zc_result *res)
{
	const struct zc_mem_result *m = &res->mem;
	const struct zc_alloc_result *a = &res->alloc;
	const struct zc_copy_result *c = &res->copies;
	json_t *o = json_pack(
		"{s:s, s:s, s:s, s:b, s:o, s:o,"
		" s:{s:I, s:I, s:I, s:I, s:f, s:f, s:f},"
		" s:{s:f, s:f, s:f, s:f, s:f, s:f, s:I},"
		" s:{s:f, s:f, s:f, s:f}}",
		"scenario", res->scenario, "strategy", res->strategy, "mirrors", res->mirrors,
		"expect_zero_copy", res->expect_zero_copy,
		"identity", identity_json(&res->id), "time", time_json(&res->time),
		"memory", "rss_kib", (json_int_t)m->rss_kib, "rss_peak_kib", (json_int_t)m->rss_peak_kib,
		"pss_kib", (json_int_t)m->pss_kib, "resident_kib", (json_int_t)m->resident_kib,
		"resident_frames", m->resident_frames,
		"minor_faults_per_transfer", m->minor_faults_per_transfer,
		"major_faults_per_transfer", m->major_faults_per_transfer,
		"allocations", "count_per_transfer", a->count_per_transfer,
		"bytes_per_transfer", a->bytes_per_transfer, "frees_per_transfer", a->frees_per_transfer,
		"frame_sized_per_transfer", a->frame_sized_per_transfer,
		"frame_sized_frees_per_transfer", a->frame_sized_frees_per_transfer,
		"realloc_moves_per_transfer", a->realloc_moves_per_transfer,
		"live_at_end", (json_int_t)a->live_at_end,
		"copies", "bytes_per_transfer", c->bytes_per_transfer,
		"copies_per_transfer", c->copies_per_transfer,
		"memcpy_bytes_per_transfer", c->memcpy_bytes_per_transfer,
		"hook_bytes_per_transfer", c->hook_bytes_per_transfer);
	if (o && m->frame_blocks_mmapped >= 0)
		json_object_set_new(json_object_get(o, "memory"), "frame_blocks_mmapped",
				    json_boolean(m->frame_blocks_mmapped));
	if (o && res->extra)
		json_object_update(o, res->extra);
	return o;
}

json_t *zc_results_to_json(const struct zc_results *r)
{
	json_t *results = json_array();
	for (size_t i = 0; i < r->n; i++)
		json_array_append_new(results, result_json(&r->v[i]));
	return json_pack("{s:s, s:s, s:O, s:{s:i, s:i, s:i, s:I}, s:o}",
			 "schema", ZC_SCHEMA, "scenario", r->scenario,
			 "context", r->context ? r->context : json_null(),
			 "frame", "width", (int)r->frame.width, "height", (int)r->frame.height,
			 "bytes_per_pixel", (int)r->frame.bytes_per_pixel,
			 "bytes", (json_int_t)r->frame.bytes,
			 "results", results);
}

static void block_signals(sigset_t *old)
{
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigprocmask(SIG_BLOCK, &set, old);
}

/* Flushes a file another writer closed (Google Benchmark's raw JSON) to the disk. */
static int fsync_path(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	int rc = fsync(fd);
	close(fd);
	return rc;
}

int zc_rename_atomic(const char *tmp, const char *path, char *err, size_t errlen)
{
	sigset_t old;
	block_signals(&old);
	int rc = fsync_path(tmp) != 0 ? -1 : rename(tmp, path);
	if (rc != 0) {
		snprintf(err, errlen, "cannot rename '%s' to '%s': %s", tmp, path, strerror(errno));
		unlink(tmp);
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	return rc;
}

int zc_json_write_atomic(const json_t *doc, const char *path, char *err, size_t errlen)
{
	sigset_t old;
	block_signals(&old);
	struct zc_atomic_file af;
	int rc = -1;
	if (zc_atomic_file_open(&af, path) != 0) {
		snprintf(err, errlen, "cannot write '%s': %s", path, strerror(errno));
		goto out_unblock;
	}
	if (json_dumpf(doc, af.fp, JSON_INDENT(2) | JSON_REAL_PRECISION(10)) != 0 ||
	    fputc('\n', af.fp) == EOF) {
		int saved = errno;
		zc_atomic_file_abort(&af);
		snprintf(err, errlen, "cannot write '%s': %s", path, strerror(saved ? saved : EIO));
		goto out_unblock;
	}
	if (zc_atomic_file_commit(&af) != 0) {
		snprintf(err, errlen, "cannot write '%s': %s", path, strerror(errno));
		goto out_unblock;
	}
	rc = 0;
out_unblock:
	sigprocmask(SIG_SETMASK, &old, NULL);
	return rc;
}
