/*
 * test_results_load.c: loading zcbench/1 results files and directories, and the reason given
 * for every kind of bad input.  Run from the repository root (fixtures in tools/zcgate/fixtures/).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "results_load.h"

#define FIX "tools/zcgate/fixtures/"

static void test_load_file(void **state)
{
	struct zc_error err = { 0 };
	struct zc_results_set set;

	(void)state;
	assert_int_equal(zc_results_load(&set, FIX "baseline.json", &err), 0);
	assert_int_equal(err.code, ZC_RESULTS_OK);
	assert_int_equal(set.nfiles, 1);
	assert_string_equal(set.files[0].scenario, "inproc");
	assert_int_equal(set.files[0].width, 1920);
	assert_int_equal(set.files[0].height, 1080);
	assert_non_null(zc_results_lookup(&set.files[0], "inproc", "move"));
	assert_null(zc_results_lookup(&set.files[0], "inproc", "nothing"));
	assert_null(zc_results_lookup(&set.files[0], "pipe", "move"));
	zc_results_set_release(&set);
}

static void test_field(void **state)
{
	struct zc_results_set set;
	const json_t *move;

	(void)state;
	assert_int_equal(zc_results_load(&set, FIX "baseline.json", NULL), 0);
	move = zc_results_lookup(&set.files[0], "inproc", "move");
	assert_string_equal(json_string_value(zc_results_field(move, "identity.verdict")), "zero-copy");
	assert_int_equal(json_integer_value(zc_results_field(move, "copies.bytes_per_transfer")), 0);
	assert_int_equal(json_array_size(zc_results_field(move, "time.samples")), 10);
	assert_null(zc_results_field(move, "identity.verdict.more"));
	assert_null(zc_results_field(move, "nothing.here"));
	assert_string_equal(zc_results_scenario(&set.files[0], move), "inproc");
	zc_results_set_release(&set);
}

/* raw/, dot files and files not ending in .json are skipped; files come in name order. */
static void test_load_dir(void **state)
{
	struct zc_error err = { 0 };
	struct zc_results_set set;

	(void)state;
	assert_int_equal(zc_results_load(&set, FIX "dir-cur", &err), 0);
	assert_int_equal(set.nfiles, 2);
	assert_string_equal(set.files[0].path, FIX "dir-cur/inproc.json");
	assert_string_equal(set.files[1].path, FIX "dir-cur/pipe.json");
	assert_string_equal(set.files[1].scenario, "pipe");
	zc_results_set_release(&set);
	assert_int_equal(zc_results_load(&set, FIX "dir-base/", &err), 0);
	assert_string_equal(set.files[0].path, FIX "dir-base/inproc.json");
	zc_results_set_release(&set);
}

static const struct {
	const char *path;
	enum zc_results_errcode code;
	const char *message;
} bad[] = {
	{ FIX "missing.json", ZC_RESULTS_EMISSING,
	  "cannot read '" FIX "missing.json': No such file or directory" },
	{ FIX "empty.json", ZC_RESULTS_EEMPTY, "cannot parse '" FIX "empty.json': empty file" },
	{ FIX "truncated.json", ZC_RESULTS_ETRUNCATED,
	  "cannot parse '" FIX "truncated.json': truncated file at line 182 column 17" },
	{ FIX "not-json.json", ZC_RESULTS_ENOTJSON,
	  "cannot parse '" FIX "not-json.json': not JSON at line 1 column 7: "
	  "invalid token near 'results'" },
	{ FIX "wrong-schema.json", ZC_RESULTS_ESCHEMA,
	  "wrong schema in '" FIX "wrong-schema.json': 'zcbench/0', expected 'zcbench/1'" },
	{ FIX "wrong-type.json", ZC_RESULTS_ETYPE,
	  "wrong type in '" FIX "wrong-type.json': 'results[1].copies.bytes_per_transfer' "
	  "is a string, expected a number" },
	{ FIX "result-not-object.json", ZC_RESULTS_ETYPE,
	  "wrong type in '" FIX "result-not-object.json': 'results[1]' is an integer, "
	  "expected an object" },
	{ FIX "duplicate.json", ZC_RESULTS_EDUPLICATE,
	  "duplicate result 'inproc/copy' in '" FIX "duplicate.json'" },
};

static void test_bad_inputs(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct zc_error err = { 0 };
		struct zc_results_set set;

		assert_int_equal(zc_results_load(&set, bad[i].path, &err), -1);
		assert_int_equal(err.code, bad[i].code);
		assert_string_equal(err.text, bad[i].message);
		assert_int_equal(set.nfiles, 0);
		assert_null(set.files);
	}
}

/* Write @text to @dir/@name. */
static void put(const char *dir, const char *name, const char *text)
{
	char path[512];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs(text, fp);
	assert_int_equal(fclose(fp), 0);
}

static void test_schema_checks(void **state)
{
	static const struct {
		const char *text;
		enum zc_results_errcode code;
		const char *tail;
	} cases[] = {
		{ "[]", ZC_RESULTS_ESCHEMA, "top level is an array, expected an object" },
		{ "{}", ZC_RESULTS_ESCHEMA, "no 'schema', expected 'zcbench/1'" },
		{ "{\"schema\": 1}", ZC_RESULTS_ESCHEMA, "'an integer', expected 'zcbench/1'" },
		{ "{\"schema\": \"zcbench/1\"}", ZC_RESULTS_ESCHEMA, "no 'scenario'" },
		{ "{\"schema\": \"zcbench/1\", \"scenario\": \"x\"}", ZC_RESULTS_ESCHEMA, "no 'frame'" },
		{ "{\"schema\": \"zcbench/1\", \"scenario\": \"x\", \"frame\": {\"width\": \"w\"}}",
		  ZC_RESULTS_ETYPE, "'frame' needs positive integers 'width' and 'height'" },
		{ "{\"schema\": \"zcbench/1\", \"scenario\": \"x\", "
		  "\"frame\": {\"width\": 2, \"height\": 2}, \"results\": {}}",
		  ZC_RESULTS_ETYPE, "'results' is an object, expected an array" },
		{ "{\"schema\": \"zcbench/1\", \"scenario\": \"x\", "
		  "\"frame\": {\"width\": 2, \"height\": 2}, \"results\": [{}]}",
		  ZC_RESULTS_ESCHEMA, "no 'results[0].strategy'" },
		{ "{\"schema\": \"zcbench/1\", \"scenario\": \"x\", "
		  "\"frame\": {\"width\": 2, \"height\": 2}, "
		  "\"results\": [{\"strategy\": \"s\", \"time\": {\"samples\": [1, \"2\"]}}]}",
		  ZC_RESULTS_ETYPE, "'results[0].time.samples' is an array, expected an array of numbers" },
		{ "{\"schema\": \"zcbench/1\", \"scenario\": \"x\", "
		  "\"frame\": {\"width\": 2, \"height\": 2}, "
		  "\"results\": [{\"strategy\": \"s\", \"identity\": []}]}",
		  ZC_RESULTS_ETYPE, "'results[0].identity' is an array, expected an object" },
	};
	char dir[] = "/tmp/test_results_load.XXXXXX", path[600], want[700];

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/r.json", dir);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct zc_error err = { 0 };
		struct zc_results_file f;

		put(dir, "r.json", cases[i].text);
		assert_int_equal(zc_results_load_file(&f, path, &err), -1);
		assert_int_equal(err.code, cases[i].code);
		snprintf(want, sizeof(want), "'%s': %s", path, cases[i].tail);
		if (!strstr(err.text, want))
			fail_msg("case %zu: '%s' lacks '%s'", i, err.text, want);
	}
	unlink(path);
	rmdir(dir);
}

/* A directory with nothing to load, and the same result in two files of one directory. */
static void test_bad_directories(void **state)
{
	char dir[] = "/tmp/test_results_load.XXXXXX", sub[100], want[400], a[100], b[100];
	struct zc_error err = { 0 };
	struct zc_results_set set;
	FILE *src;
	char buf[16384];
	size_t n;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(sub, sizeof(sub), "%s/raw", dir);
	assert_int_equal(mkdir(sub, 0755), 0);
	put(dir, ".hidden.json", "{");
	assert_int_equal(zc_results_load(&set, dir, &err), -1);
	assert_int_equal(err.code, ZC_RESULTS_ENOFILES);
	snprintf(want, sizeof(want), "no results files in '%s'", dir);
	assert_string_equal(err.text, want);

	src = fopen(FIX "baseline.json", "r");
	assert_non_null(src);
	n = fread(buf, 1, sizeof(buf) - 1, src);
	fclose(src);
	buf[n] = '\0';
	put(dir, "a.json", buf);
	put(dir, "b.json", buf);
	err = (struct zc_error){ 0 };
	/* one strategy in two files: two measuring processes of one side, pooled by the gate */
	assert_int_equal(zc_results_load(&set, dir, &err), 0);
	assert_int_equal(set.nfiles, 2);
	zc_results_set_release(&set);
	snprintf(a, sizeof(a), "%s/a.json", dir);
	snprintf(b, sizeof(b), "%s/b.json", dir);
	unlink(a);
	unlink(b);
	snprintf(a, sizeof(a), "%s/.hidden.json", dir);
	unlink(a);
	rmdir(sub);
	rmdir(dir);
}

/* From memory, as a fuzzer calls it: a length, no NUL, any bytes. */
static void test_parse_buffer(void **state)
{
	static const char ok[] = "{\"schema\": \"zcbench/1\", \"scenario\": \"x\", "
				 "\"frame\": {\"width\": 2, \"height\": 2}, \"results\": []}";
	static const char nul[] = "{\"schema\"\0: 1}";
	struct zc_error err = { 0 };
	struct zc_results_file f;

	(void)state;
	assert_int_equal(zc_results_parse(&f, "mem", ok, sizeof(ok) - 1, &err), 0);
	assert_string_equal(f.scenario, "x");
	zc_results_file_release(&f);
	assert_int_equal(zc_results_parse(&f, "mem", ok, 20, &err), -1);
	assert_int_equal(err.code, ZC_RESULTS_ETRUNCATED);
	err = (struct zc_error){ 0 };
	assert_int_equal(zc_results_parse(&f, "mem", nul, sizeof(nul) - 1, &err), -1);
	assert_int_equal(err.code, ZC_RESULTS_ENOTJSON);
	assert_string_equal(err.text, "cannot parse 'mem': not JSON: NUL byte at offset 9");
	assert_null(f.root);
	assert_null(f.path);
}

static void test_first_error_wins(void **state)
{
	struct zc_error err = { 0 };

	(void)state;
	assert_int_equal(zc_error_set(&err, ZC_RESULTS_EEMPTY, "first %d", 1), -1);
	assert_int_equal(zc_error_set(&err, ZC_RESULTS_ETYPE, "second"), -1);
	assert_int_equal(err.code, ZC_RESULTS_EEMPTY);
	assert_string_equal(err.text, "first 1");
	assert_int_equal(zc_error_set(NULL, ZC_RESULTS_ETYPE, "ignored"), -1);
	assert_string_equal(zc_results_strerror(ZC_RESULTS_ETRUNCATED), "truncated file");
	assert_string_equal(zc_results_strerror(ZC_RESULTS_OK), "no error");
}

static void test_same_frame(void **state)
{
	struct zc_error err = { 0 };
	struct zc_results_set a, b;

	(void)state;
	assert_int_equal(zc_results_load(&a, FIX "baseline.json", NULL), 0);
	assert_int_equal(zc_results_load(&b, FIX "other-frame.json", NULL), 0);
	assert_int_equal(zc_results_same_frame(&a.files[0], &a.files[0], &err), 0);
	assert_int_equal(zc_results_same_frame(&a.files[0], &b.files[0], &err), -1);
	assert_int_equal(err.code, ZC_RESULTS_EFRAME);
	assert_string_equal(err.text, "different frame sizes: '" FIX "baseline.json' is 1920x1080, '"
			    FIX "other-frame.json' is 256x256");
	zc_results_set_release(&a);
	zc_results_set_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_load_file),
		cmocka_unit_test(test_field),
		cmocka_unit_test(test_load_dir),
		cmocka_unit_test(test_bad_inputs),
		cmocka_unit_test(test_schema_checks),
		cmocka_unit_test(test_bad_directories),
		cmocka_unit_test(test_parse_buffer),
		cmocka_unit_test(test_first_error_wins),
		cmocka_unit_test(test_same_frame),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
