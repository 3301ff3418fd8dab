/*
 * test_json.c: the zcbench/1 document round-trips through the atomic writer and jansson with
 * every required field, and a failed write leaves nothing behind.
 */
#include <stdarg.h>
#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <string.h>

#include "context.h"
#include "json.h"
#include "results.h"
#include "support.h"

static void fill(struct zc_results *r)
{
	char err[128];
	memset(r, 0, sizeof(*r));
	r->scenario = "inproc";
	assert_int_equal(zc_frame_geom_init(&r->frame, 1920, 1080, err, sizeof(err)), 0);
	struct zc_allocator_info alloc = {.name = "glibc", .frame_blocks_mmapped = -1};
	r->context = zc_context_json(true, &alloc);
	struct zc_result *a = zc_results_add(r, "reference_memcpy", "memcpy", false);
	struct zc_result *b = zc_results_add(r, "move", "kExternalTypedData", true);
	double sa[] = {500000, 510000, 490000}, sb[] = {25, 26, 24};
	assert_int_equal(zc_result_set_samples(a, sa, 3, r->frame.bytes), 0);
	assert_int_equal(zc_result_set_samples(b, sb, 3, r->frame.bytes), 0);
	b->time.vs_memcpy = 25.0 / 500000.0;
	b->id.producer_addr = b->id.consumer_addr = 0x1000;
	b->id.same_address = b->id.aliasing_visible = b->id.checksum_ok = b->id.zero_copy = true;
	b->alloc.frame_sized_per_transfer = 1;
	b->extra = json_pack("{s:{s:f, s:f}}", "latency_ns", "median", 100.0, "p99", 200.0);
}

static const char *required[] = {
	"scenario", "strategy", "mirrors", "expect_zero_copy",
	"identity.producer_addr", "identity.consumer_addr", "identity.same_address",
	"identity.aliasing_visible", "identity.checksum_ok", "identity.verdict",
	"time.ns_per_transfer.median", "time.ns_per_transfer.mean", "time.ns_per_transfer.stddev",
	"time.ns_per_transfer.cv", "time.ns_per_transfer.min", "time.ns_per_transfer.max",
	"time.samples", "time.repetitions", "time.gb_per_s", "time.frames_per_s", "time.vs_memcpy",
	"memory.rss_kib", "memory.rss_peak_kib", "memory.pss_kib",
	"memory.minor_faults_per_transfer", "memory.major_faults_per_transfer",
	"allocations.count_per_transfer", "allocations.bytes_per_transfer",
	"allocations.frees_per_transfer", "allocations.frame_sized_per_transfer",
	"allocations.live_at_end", "copies.bytes_per_transfer", "copies.copies_per_transfer",
};

static json_t *get_path(json_t *o, const char *path)
{
	char buf[128];
	snprintf(buf, sizeof(buf), "%s", path);
	for (char *save = NULL, *k = strtok_r(buf, ".", &save); k && o;
	     k = strtok_r(NULL, ".", &save))
		o = json_object_get(o, k);
	return o;
}

static void round_trip(void **unused)
{
	(void)unused;
	char dir[64], path[128], err[256];
	zt_tmpdir(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/inproc.json", dir);
	struct zc_results r;
	fill(&r);
	json_t *doc = zc_results_to_json(&r);
	assert_non_null(doc);
	assert_int_equal(zc_json_write_atomic(doc, path, err, sizeof(err)), 0);
	json_decref(doc);
	json_t *back = zt_load_json(path);
	assert_string_equal(zt_string(back, "schema"), "zcbench/1");
	const char *ctx[] = {"date", "host", "cpu", "num_cpus", "kernel", "compiler", "build",
			     "git_commit"};
	for (size_t i = 0; i < sizeof(ctx) / sizeof(ctx[0]); i++)
		assert_non_null(json_object_get(json_object_get(back, "context"), ctx[i]));
	assert_int_equal((int)zt_number(back, "frame.bytes"), 8294400);
	assert_int_equal((int)zt_number(back, "frame.bytes_per_pixel"), 4);
	for (size_t k = 0; k < 2; k++) {
		json_t *res = json_array_get(json_object_get(back, "results"), k);
		for (size_t i = 0; i < sizeof(required) / sizeof(required[0]); i++)
			if (!get_path(res, required[i]))
				fail_msg("result %zu lacks '%s'", k, required[i]);
	}
	json_t *move = zt_result(back, "move");
	assert_string_equal(zt_string(move, "identity.verdict"), "zero-copy");
	assert_string_equal(zt_string(move, "identity.producer_addr"), "0x1000");
	assert_int_equal(json_array_size(get_path(move, "time.samples")), 3);
	assert_true(zt_number(move, "time.ns_per_transfer.median") == 25.0);
	assert_true(zt_number(move, "latency_ns.p99") == 200.0); /* extra members merged */
	json_decref(back);
	zc_results_release(&r);
	zt_rmdir(dir);
}

static void failed_write_leaves_nothing(void **unused)
{
	(void)unused;
	char dir[64], path[128], err[256] = "";
	zt_tmpdir(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/missing/inproc.json", dir);
	json_t *doc = json_pack("{s:s}", "schema", "zcbench/1");
	assert_int_equal(zc_json_write_atomic(doc, path, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "missing/inproc.json"));
	json_decref(doc);
	DIR *d = opendir(dir);
	struct dirent *e;
	int entries = 0;
	while ((e = readdir(d)))
		entries += e->d_name[0] != '.';
	closedir(d);
	assert_int_equal(entries, 0);
	zt_rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(round_trip),
		cmocka_unit_test(failed_write_leaves_nothing),
	};
	return cmocka_run_group_tests_name("json", tests, NULL, NULL);
}
