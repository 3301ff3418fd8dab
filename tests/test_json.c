/*
 * test_json.c: the zcbench/1 document round-trips through the atomic writer and jansson with
 * every required field, holds exactly the fields of schema.h with their types, and a failed
 * write leaves nothing behind.
 */
#include <stdarg.h>
#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <string.h>

#include "allocator.h"
#include "context.h"
#include "json.h"
#include "results.h"
#include "schema.h"
#include "verdict.h"
#include "support.h"

static void fill(struct zc_results *r)
{
	memset(r, 0, sizeof(*r));
	r->scenario = "inproc";
	assert_int_equal(zc_frame_geom_init(&r->frame, 1920, 1080, NULL), 0);
	struct zc_allocator_info alloc = {.name = "glibc", .frame_blocks_mmapped = -1};
	const struct zc_run run = {.id = "20261207T021155Z-4242", .started = 1796610715, .quick = true};
	r->context = zc_context_json(&run, &alloc, "debug");
	zc_allocator_describe(json_object_get(r->context, "allocator"));
	struct zc_result *a = zc_results_add(r, "reference_memcpy", "memcpy", false);
	struct zc_result *b = zc_results_add(r, "move", "kExternalTypedData", true);
	double sa[] = {500000, 510000, 490000}, sb[] = {25, 26, 24};
	assert_int_equal(zc_result_set_samples(a, sa, 3, r->frame.bytes), 0);
	assert_int_equal(zc_result_set_samples(b, sb, 3, r->frame.bytes), 0);
	b->time.vs_memcpy = 25.0 / 500000.0;
	b->id.producer_addr = b->id.consumer_addr = 0x1000;
	b->id.same_address = b->id.aliasing_visible = b->id.checksum_ok = b->id.zero_copy = true;
	b->alloc.frame_sized_per_transfer = 1;
	b->flags = ZC_FLAG_NOISY | ZC_FLAG_BIMODAL;
	b->extra = json_pack("{s:{s:f, s:f}}", "gc", "collections_per_100_frames", 100.0,
			     "gc_ms_per_100_frames", 200.0);
}

static json_t *get_path(json_t *o, const char *path)
{
	char buf[128];
	snprintf(buf, sizeof(buf), "%s", path);
	for (char *save = NULL, *k = strtok_r(buf, ".", &save); k && o;
	     k = strtok_r(NULL, ".", &save))
		o = json_object_get(o, k);
	return o;
}

/* True when schema.h lists fields under @path: the walk descends into it. */
static bool has_children(enum zc_schema_part part, const char *path)
{
	size_t n, len = strlen(path);
	const struct zc_schema_field *f = zc_schema_fields(part, &n);

	for (size_t i = 0; i < n; i++)
		if (!strncmp(f[i].path, path, len) && f[i].path[len] == '.')
			return true;
	return false;
}

static void check_emitted(json_t *o, enum zc_schema_part part, const char *prefix);

/* @v, at @path, is a field of @part and of its type; so are its members ("results": results). */
static void check_member(const char *path, json_t *v, enum zc_schema_part part)
{
	const struct zc_schema_field *f = zc_schema_find(part, path);
	size_t i;
	json_t *r;

	if (!f)
		fail_msg("the writer emits '%s', which schema.h does not list", path);
	if (!zc_schema_type_matches(f->type, v))
		fail_msg("'%s' is not of its type, %s", path, zc_schema_type_name(f->type));
	if (part == ZC_SCHEMA_DOCUMENT && !strcmp(path, "results"))
		json_array_foreach(v, i, r)
			check_emitted(r, ZC_SCHEMA_RESULT, "");
	else if (json_is_object(v) && has_children(part, path))
		check_emitted(v, part, path);
}

static void check_emitted(json_t *o, enum zc_schema_part part, const char *prefix)
{
	const char *key;
	json_t *v;

	json_object_foreach(o, key, v) {
		char path[128];

		snprintf(path, sizeof(path), "%s%s%s", prefix, *prefix ? "." : "", key);
		check_member(path, v, part);
	}
}

/* Every field of @part that is always written is in @o. */
static void check_present(json_t *o, enum zc_schema_part part)
{
	size_t n;
	const struct zc_schema_field *f = zc_schema_fields(part, &n);

	for (size_t i = 0; i < n; i++)
		if (f[i].presence != ZC_PRESENCE_OPTIONAL && !get_path(o, f[i].path))
			fail_msg("the writer leaves out '%s', which schema.h says is always there",
				 f[i].path);
}

/* A fresh temporary directory into dir, and dir/name into path. */
static void tmp_path(char dir[static 64], char path[static 128], const char *name)
{
	zt_tmpdir(dir, 64);
	snprintf(path, 128, "%s/%s", dir, name);
}

static void round_trip(void **unused)
{
	(void)unused;
	char dir[64], path[128];
	struct zc_error err = {0};
	tmp_path(dir, path, "inproc.json");
	struct zc_results r;
	fill(&r);
	json_t *doc = zc_results_to_json(&r);
	assert_non_null(doc);
	assert_int_equal(zc_json_write_atomic(doc, path, &err), 0);
	json_decref(doc);
	json_t *back = zt_load_json(path);
	assert_string_equal(zt_string(back, "schema"), "zcbench/1");
	check_present(back, ZC_SCHEMA_DOCUMENT);
	assert_int_equal((int)zt_number(back, "frame.bytes"), 8294400);
	assert_int_equal((int)zt_number(back, "frame.bytes_per_pixel"), 4);
	for (size_t k = 0; k < 2; k++) {
		json_t *res = json_array_get(json_object_get(back, "results"), k);
		check_present(res, ZC_SCHEMA_RESULT);
	}
	json_t *move = zt_result(back, "move");
	assert_string_equal(zt_string(move, "identity.verdict"), "zero-copy");
	assert_string_equal(zt_string(move, "identity.producer_addr"), "0x1000");
	assert_int_equal(json_array_size(get_path(move, "time.samples")), 3);
	assert_true(zt_number(move, "time.ns_per_transfer.median") == 25.0);
	assert_true(zt_number(move, "gc.gc_ms_per_100_frames") == 200.0); /* extra members merged */
	json_t *flags = get_path(move, "flags"); /* the words, in the table's order */
	assert_int_equal(json_array_size(flags), 2);
	assert_string_equal(json_string_value(json_array_get(flags, 0)), "noisy");
	assert_string_equal(json_string_value(json_array_get(flags, 1)), "bimodal");
	assert_int_equal(json_array_size(get_path(zt_result(back, "reference_memcpy"), "flags")), 0);
	json_decref(back);
	zc_results_release(&r);
	zt_rmdir(dir);
}

/*
 * The document from the results functions holds the fields of schema.h and no other, each of
 * its type, and every one that is always there (in the document and in each result).
 */
static void writer_follows_schema(void **unused)
{
	(void)unused;
	struct zc_results r;
	fill(&r);
	json_t *doc = zc_results_to_json(&r);
	assert_non_null(doc);
	check_emitted(doc, ZC_SCHEMA_DOCUMENT, "");
	check_present(doc, ZC_SCHEMA_DOCUMENT);
	size_t i;
	json_t *res;
	json_array_foreach(json_object_get(doc, "results"), i, res)
		check_present(res, ZC_SCHEMA_RESULT);
	assert_int_equal(json_array_size(json_object_get(doc, "results")), 2);
	json_decref(doc);
	zc_results_release(&r);
}

static void failed_write_leaves_nothing(void **unused)
{
	(void)unused;
	char dir[64], path[128];
	struct zc_error err = {0};
	tmp_path(dir, path, "missing/inproc.json");
	json_t *doc = json_pack("{s:s}", "schema", "zcbench/1");
	assert_int_equal(zc_json_write_atomic(doc, path, &err), -1);
	assert_int_equal(err.code, ZC_EXIT_USAGE);
	assert_non_null(strstr(err.text, "missing/inproc.json"));
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
		cmocka_unit_test(writer_follows_schema),
		cmocka_unit_test(failed_write_leaves_nothing),
	};
	return cmocka_run_group_tests_name("json", tests, NULL, NULL);
}
