/*
 * test_symbolize.c: the wrapper's names for call sites (symbolize.c, names.c) on this test
 * program's own code, whose function and line are known here: a call site named from DWARF,
 * a file or an offset nothing covers, and a record's sites, probe copies and summary lines
 * renamed (the budget per list, a site whose name is a prefix of another's). The program's
 * and library's names in real runs are tools/zctrace/e2e_names.sh's.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dlfcn.h>
#include <limits.h>
#include <link.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "names.h"
#include "symbolize.h"

/* The line of the call in a_call_site(), set when it runs. */
static int call_line;

__attribute__((noinline)) static void *return_address(void)
{
	return __builtin_return_address(0);
}

/* A return address into this function, from a call on a line the test knows. */
__attribute__((noinline)) static void *a_call_site(void)
{
	void *ret = return_address(); call_line = __LINE__;
	return ret;
}

/* This program's file and the offset of the call in a_call_site() (load bias removed). */
static uint64_t own_site(char *exe, size_t len)
{
	void *ret = a_call_site();
	struct link_map *map = NULL;
	Dl_info info;
	assert_true(dladdr1((char *)ret - 1, &info, (void **)&map, RTLD_DL_LINKMAP));
	assert_non_null(realpath("/proc/self/exe", exe));
	assert_true(strlen(exe) < len);
	return (uint64_t)((uintptr_t)ret - 1 - map->l_addr);
}

static bool ends_with(const char *s, const char *tail)
{
	size_t n = strlen(s), k = strlen(tail);
	return n >= k && strcmp(s + n - k, tail) == 0;
}

static void test_own_call_site(void **state)
{
	(void)state;
	char exe[PATH_MAX];
	uint64_t offset = own_site(exe, sizeof(exe));
	struct zct_symbolizer s;
	zct_symbolizer_init(&s);
	const struct zct_symbol *sym = zct_symbolize(&s, exe, offset);
	assert_non_null(sym->function);
	assert_string_equal(sym->function, "a_call_site");
	assert_null(sym->inlined_into);
	assert_non_null(sym->file);
	assert_true(sym->file[0] == '/');
	assert_true(ends_with(sym->file, "/tools/zctrace/test_symbolize.c"));
	assert_int_equal(sym->line, call_line);
	assert_ptr_equal(zct_symbolize(&s, exe, offset), sym); /* named once */
	zct_symbolizer_release(&s);
}

static void test_nothing_known(void **state)
{
	(void)state;
	char exe[PATH_MAX];
	own_site(exe, sizeof(exe));
	struct zct_symbolizer s;
	zct_symbolizer_init(&s);
	const struct zct_symbol *sym = zct_symbolize(&s, "/nonexistent/libfoo.so", 0x1234);
	assert_null(sym->function);
	assert_null(sym->file);
	assert_int_equal(sym->line, 0);
	sym = zct_symbolize(&s, exe, 0); /* the ELF header: no function, no line */
	assert_null(sym->function);
	assert_null(sym->file);
	zct_symbolizer_release(&s);
}

/* A record as the tracer writes it, with one site of this program at offset. */
static json_t *record_with_site(const char *exe, uint64_t offset, char *old, size_t len)
{
	snprintf(old, len, "test_symbolize+0x%llx", (unsigned long long)offset);
	char off[32], line[3][256], prefix_of_old[300];
	snprintf(off, sizeof(off), "0x%llx", (unsigned long long)offset);
	snprintf(line[0], sizeof(line[0]), "1 copy of 8 bytes: memcpy from %s", old);
	snprintf(line[1], sizeof(line[1]),
		 "2 copies of 16 bytes in all (largest 8): memcpy from %s, 2 x a block", old);
	snprintf(line[2], sizeof(line[2]), "kernel: 9 bytes read from a file in 1 call: read from %s",
		 old);
	snprintf(prefix_of_old, sizeof(prefix_of_old), "1 copy of 8 bytes: memcpy from %s0", old);
	json_t *doc = json_pack(
		"{s:[{s:s, s:s, s:s}], s:[], s:[{s:s, s:s, s:s}], s:[], s:{s:[{s:[{s:s}]}]},"
		" s:[s, s, s, s]}",
		"call_sites", "caller", old, "module", exe, "offset", off,
		"kernel_copies",
		"copies", "caller", old, "module", exe, "offset", off,
		"allocations",
		"probes", "pairs", "copies", "caller", old,
		"summary_lines", line[0], line[1], line[2], prefix_of_old);
	assert_non_null(doc);
	return doc;
}

static const char *line_at(json_t *doc, size_t i)
{
	return json_string_value(json_array_get(json_object_get(doc, "summary_lines"), i));
}

static void test_record_renamed(void **state)
{
	(void)state;
	char exe[PATH_MAX], old[64], want[512];
	uint64_t offset = own_site(exe, sizeof(exe));
	json_t *doc = record_with_site(exe, offset, old, sizeof(old));
	struct zct_symbolizer s;
	zct_symbolizer_init(&s);
	assert_int_equal(zct_names_apply(doc, &s), 3); /* the site, the copy, the pair's copy */
	json_t *site = json_array_get(json_object_get(doc, "call_sites"), 0);
	assert_string_equal(json_string_value(json_object_get(site, "caller")),
			    "test_symbolize:a_call_site");
	snprintf(want, sizeof(want), "/tools/zctrace/test_symbolize.c:%d", call_line);
	assert_true(ends_with(json_string_value(json_object_get(site, "source")), want));
	assert_true(json_is_null(json_object_get(site, "inlined_into")));
	json_t *pair = json_object_get(json_object_get(doc, "probes"), "pairs");
	assert_string_equal(json_string_value(json_object_get(
				    json_array_get(json_object_get(json_array_get(pair, 0), "copies"), 0),
				    "caller")),
			    "test_symbolize:a_call_site");
	/* the tests run from the repository root: the summary's file is relative to it */
	snprintf(want, sizeof(want),
		 "1 copy of 8 bytes: memcpy from test_symbolize:a_call_site "
		 "(tools/zctrace/test_symbolize.c:%d)", call_line);
	assert_string_equal(line_at(doc, 0), want);
	snprintf(want, sizeof(want),
		 "2 copies of 16 bytes in all (largest 8): memcpy from test_symbolize:a_call_site "
		 "(tools/zctrace/test_symbolize.c:%d), 2 x a block", call_line);
	assert_string_equal(line_at(doc, 1), want);
	snprintf(want, sizeof(want),
		 "kernel: 9 bytes read from a file in 1 call: read from test_symbolize:a_call_site "
		 "(tools/zctrace/test_symbolize.c:%d)", call_line);
	assert_string_equal(line_at(doc, 2), want);
	snprintf(want, sizeof(want), "1 copy of 8 bytes: memcpy from %s0", old);
	assert_string_equal(line_at(doc, 3), want); /* another site: untouched */
	zct_symbolizer_release(&s);
	json_decref(doc);
}

/* Sites beyond the budget of a list keep their names; a named site is named everywhere. */
static void test_budget(void **state)
{
	(void)state;
	json_t *doc = json_object(), *sites = json_array();
	for (unsigned i = 0; i < ZCT_NAMED_PER_LIST + 6; i++) {
		char old[64], off[32];
		snprintf(off, sizeof(off), "0x%x", 0x1000 + i);
		snprintf(old, sizeof(old), "libfoo.so+%s", off);
		json_array_append_new(sites, json_pack("{s:s, s:s, s:s}", "caller", old, "module",
						       "/nonexistent/libfoo.so", "offset", off));
	}
	json_object_set_new(doc, "call_sites", sites);
	json_object_set_new(doc, "copies", json_pack("[{s:s, s:s, s:s}]", "caller",
						     "libfoo.so+0x1000", "module",
						     "/nonexistent/libfoo.so", "offset", "0x1000"));
	struct zct_symbolizer s;
	zct_symbolizer_init(&s);
	assert_int_equal(zct_names_apply(doc, &s), ZCT_NAMED_PER_LIST + 1);
	json_t *first = json_array_get(sites, 0);
	json_t *last = json_array_get(sites, ZCT_NAMED_PER_LIST + 5);
	assert_string_equal(json_string_value(json_object_get(first, "caller")),
			    "libfoo.so+0x1000"); /* nothing covers it: the name stays */
	assert_true(json_is_null(json_object_get(first, "source")));
	assert_null(json_object_get(last, "source")); /* not named */
	zct_symbolizer_release(&s);
	json_decref(doc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_own_call_site),
		cmocka_unit_test(test_nothing_known),
		cmocka_unit_test(test_record_renamed),
		cmocka_unit_test(test_budget),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
