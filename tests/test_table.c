/*
 * test_table.c: the console table (src/core/table.c) on results made here, so that every case
 * is certain whatever the machine's timing: durations and ratios in a person's units and never
 * in scientific notation, references marked as references, the saving line's "cheaper" and
 * "dearer", and shares compared only with copies at the same placement.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "results.h"
#include "table.h"
#include "verdict.h"

#define FRAME_BYTES (1920u * 1080u * 4u)

/* Adds a measured row: median @ns, verdict @zero_copy, at @placement (NULL: unplaced). */
static struct zc_result *add(struct zc_results *r, const char *name, bool zero_copy, double ns,
			     const char *placement)
{
	struct zc_result *res = zc_results_add(r, name, "-", zero_copy);
	assert_non_null(res);
	double samples[] = {ns, ns, ns};
	assert_int_equal(zc_result_set_samples(res, samples, 3, FRAME_BYTES), 0);
	res->measured = true;
	res->id.zero_copy = zero_copy;
	res->copies.bytes_per_transfer = zero_copy ? 0 : FRAME_BYTES;
	if (placement) {
		res->placement.known = true;
		res->placement.name = placement;
	}
	return res;
}

/* Fills in vs_memcpy from reference_memcpy, as the runner does. */
static void ratios(struct zc_results *r)
{
	const struct zc_result *ref = zc_results_find(r, "reference_memcpy");
	for (size_t i = 0; i < r->n; i++)
		r->v[i].time.vs_memcpy = r->v[i].time.ns.median / ref->time.ns.median;
}

/* The table of @r as a string; free it. */
static char *table(struct zc_results *r)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	assert_non_null(f);
	r->scenario = "test";
	assert_int_equal(zc_frame_geom_init(&r->frame, 1920, 1080, NULL), 0);
	zc_table_print(f, r, NULL, false);
	fclose(f);
	return text;
}

/* The line of @text that starts with @start; a static copy. */
static const char *line_of(const char *text, const char *start)
{
	static char line[1024];
	for (const char *p = text; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
		if (!strncmp(p, start, strlen(start))) {
			snprintf(line, sizeof(line), "%.*s", (int)strcspn(p, "\n"), p);
			return line;
		}
	}
	fail_msg("no line starting '%s' in:\n%s", start, text);
	return NULL;
}

static bool matches(const char *text, const char *pattern)
{
	regex_t re;
	assert_int_equal(regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB | REG_NEWLINE), 0);
	bool m = regexec(&re, text, 0, NULL, 0) == 0;
	regfree(&re);
	return m;
}

static void person_units(void **state)
{
	(void)state;
	struct zc_results r = {0};
	add(&r, "reference_memcpy", false, 612131, NULL);
	add(&r, "serialize", false, 16072838, NULL);
	add(&r, "pool", true, 26.9, NULL);
	ratios(&r);
	char *t = table(&r);
	assert_true(matches(t, "^strategy +verdict +median +vs memcpy +cv +frames copied +"
			       "frame allocs +faults +leaks +flags$"));
	assert_true(matches(line_of(t, "reference_memcpy "), "^reference_memcpy +reference +612 us +1x "));
	assert_true(matches(line_of(t, "serialize "), "^serialize +copy +16.1 ms +26.3x "));
	assert_true(matches(line_of(t, "pool "), "^pool +zero-copy +26.9 ns +1/22756x "));
	assert_false(matches(t, "[0-9]e[-+]?[0-9]"));  /* no scientific notation */
	assert_false(matches(line_of(t, "serialize "), "[0-9]{5}")); /* no raw nanoseconds */
	assert_false(matches(t, "fallocs"));
	assert_string_equal(line_of(t, "the cheapest"), "the cheapest share (pool, 26.9 ns) is "
			    "597,503x cheaper than the cheapest copy (serialize, 16.1 ms)");
	free(t);
	zc_results_release(&r);
}

static void dearer(void **state)
{
	(void)state;
	struct zc_results r = {0};
	add(&r, "reference_memcpy", false, 500000, NULL);
	add(&r, "byte_array", false, 325180, NULL);
	add(&r, "direct_buffer", true, 536548, NULL);
	ratios(&r);
	char *t = table(&r);
	assert_string_equal(line_of(t, "the cheapest"), "the cheapest share (direct_buffer, 537 us) "
			    "is 1.65x dearer than the cheapest copy (byte_array, 325 us): sharing "
			    "did not pay here");
	free(t);
	zc_results_release(&r);
}

/* thread and process: a share is compared with copies at its own placement only. */
static void like_placements(void **state)
{
	(void)state;
	struct zc_results r = {0};
	add(&r, "reference_memcpy", false, 400000, NULL);
	add(&r, "reference_handover@same", true, 15705, "same");
	add(&r, "reference_handover@cross", true, 319476, "cross");
	add(&r, "vmsplice@same", false, 145023, "same");
	add(&r, "vmsplice@cross", false, 128539, "cross");
	add(&r, "shm@same", true, 13932, "same");
	add(&r, "shm@cross", true, 521719, "cross");
	ratios(&r);
	char *t = table(&r);
	assert_true(matches(line_of(t, "reference_handover@same "), "^reference_handover@same +reference "));
	assert_string_equal(line_of(t, "at same:"), "at same: the cheapest share (shm@same, 13.9 us) "
			    "is 10.4x cheaper than the cheapest copy (vmsplice@same, 145 us)");
	assert_string_equal(line_of(t, "at cross:"), "at cross: the cheapest share (shm@cross, "
			    "522 us) is 4.06x dearer than the cheapest copy (vmsplice@cross, 129 us): "
			    "sharing did not pay here");
	assert_false(matches(t, "shm@same[^\n]*vmsplice@cross"));
	free(t);
	zc_results_release(&r);
}

static void nothing_to_compare(void **state)
{
	(void)state;
	struct zc_results r = {0};
	add(&r, "reference_memcpy", false, 500000, NULL);
	add(&r, "copy", false, 510000, NULL);
	ratios(&r);
	char *t = table(&r);
	assert_string_equal(line_of(t, "no share"), "no share: every strategy copied the frame; "
			    "the cheapest copy is copy, 510 us");
	free(t);
	zc_results_release(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(person_units),
		cmocka_unit_test(dearer),
		cmocka_unit_test(like_placements),
		cmocka_unit_test(nothing_to_compare),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
