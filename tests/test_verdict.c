/*
 * test_verdict.c: the judgements of src/core/verdict.c as tables: the verdict on what the
 * probe and the instruments observed, what the evidence did not cover (unverified,
 * unexplained work), the row flags and their words, the exit status the rows give, and the
 * one threshold scripts/report.jq repeats for files written before "flags".
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "error.h"
#include "verdict.h"

#define FRAME 1000000 /* bytes: a hundredth is 10,000 */

/* What was observed, and the verdict it must give. */
static const struct {
	const char *what;
	bool meaningful, same_address, aliasing, checksum_ok, expect;
	double same_pages, user, kernel, pages, declared;
	bool zero_copy, undeclared;
	const char *lead;
} verdicts[] = {
	{ "in place", true, true, true, true, true, NAN, 0, 0, NAN, 0, true, false,
	  "consumer reads the producer's bytes in place" },
	{ "a copy, declared", true, false, false, true, false, NAN, FRAME, 0, NAN, FRAME, false,
	  false, "consumer has its own copy" },
	{ "expected to share, copied", true, false, false, true, true, NAN, FRAME, 0, NAN, 0,
	  false, true, "expected zero-copy, but the consumer has a copy" },
	{ "a header is bookkeeping", true, true, true, true, true, NAN, 9999, 0, NAN, 9999, true,
	  false, "consumer reads the producer's bytes in place" },
	{ "a hundredth of a frame is a copy", true, true, true, true, true, NAN, 10000, 0, NAN,
	  10000, false, false, "expected zero-copy, but the consumer has a copy" },
	{ "pages written show a copy the hooks missed", true, true, true, true, true, NAN, 0, 0,
	  FRAME, 0, false, true, "expected zero-copy, but the consumer has a copy" },
	{ "the same pages across processes", false, false, false, true, true, 0.99, 0, 0, NAN, 0,
	  true, false, "consumer reads the producer's bytes in place" },
	{ "too few of the same pages", false, false, false, true, true, 0.98, 0, 0, NAN, 0, false,
	  false, "expected zero-copy, but the consumer has a copy" },
	{ "a bad checksum", true, true, true, false, true, NAN, 0, 0, NAN, 0, false, false,
	  "expected zero-copy, but the consumer has a copy" },
};

static void test_verdicts(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(verdicts) / sizeof(verdicts[0]); i++) {
		struct zc_identity id = {.address_meaningful = verdicts[i].meaningful,
					 .same_address = verdicts[i].same_address,
					 .aliasing_visible = verdicts[i].aliasing,
					 .checksum_ok = verdicts[i].checksum_ok,
					 .same_pages = verdicts[i].same_pages};
		struct zc_copy_result c = {.user_bytes_per_transfer = verdicts[i].user,
					   .kernel_bytes_per_transfer = verdicts[i].kernel,
					   .pages_bytes_per_transfer = verdicts[i].pages,
					   .expected_bytes_per_transfer = verdicts[i].declared};
		zc_verdict_identity(&id, verdicts[i].expect, &c, FRAME);
		if (id.zero_copy != verdicts[i].zero_copy ||
		    id.undeclared_copy != verdicts[i].undeclared ||
		    strncmp(id.evidence, verdicts[i].lead, strlen(verdicts[i].lead)) != 0)
			fail_msg("%s: %s", verdicts[i].what, id.evidence);
		assert_int_equal(!verdicts[i].checksum_ok,
				 strstr(id.evidence, "CHECKSUM MISMATCH") != NULL);
	}
}

/* A row, and the words of its flags column. */
static const struct {
	bool measured, expect, zero_copy, undeclared, checksum_ok, bimodal;
	double cv;
	const char *words;
} rows[] = {
	{ true, false, false, false, true, false, 0.05, "" },
	{ true, false, false, false, true, false, 0.0501, "noisy" },
	{ true, true, true, false, true, true, 0.01, "bimodal" },
	{ true, true, false, true, false, true, 0.2,
	  "expected-zero-copy undeclared-copy CHECKSUM noisy bimodal" },
	{ true, false, false, true, true, false, 0.0, "undeclared-copy" },
	{ false, true, false, true, false, true, 0.2, "not-timed" },
};

/* The two coverage flags come last, in the order verdict.h lists them. */
static void test_coverage_flags(void **state)
{
	(void)state;
	struct zc_result res = {.measured = true, .id = {.checksum_ok = true, .zero_copy = true,
							 .unverified = true,
							 .unexplained_work = true}};
	char words[128];
	zc_verdict_flags_format(zc_verdict_flags(&res), words, sizeof(words));
	assert_string_equal(words, "unverified unexplained-work");
	res.measured = false;
	zc_verdict_flags_format(zc_verdict_flags(&res), words, sizeof(words));
	assert_string_equal(words, "not-timed");
}

static void test_flags(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct zc_result res = {.measured = rows[i].measured,
					.expect_zero_copy = rows[i].expect};
		char words[96];
		res.id.zero_copy = rows[i].zero_copy;
		res.id.undeclared_copy = rows[i].undeclared;
		res.id.checksum_ok = rows[i].checksum_ok;
		res.time.bimodal = rows[i].bimodal;
		res.time.ns.cv = rows[i].cv;
		zc_verdict_flags_format(zc_verdict_flags(&res), words, sizeof(words));
		if (strcmp(words, rows[i].words) != 0)
			fail_msg("row %zu: flags '%s', expected '%s'", i, words, rows[i].words);
	}
	assert_string_equal(zc_verdict_flag_word(ZC_FLAG_INDEX_NOISY), "noisy");
}

/*
 * noisy is judged against the run's background: the median cv of its timed rows. A row is
 * noisy only when above 5% and above twice that median; on a quiet run (background 1%) 6% is
 * noisy, on a busy one (background 8%) 12% is not, 17% is.
 */
static void test_noisy_background(void **state)
{
	(void)state;
	struct zc_result v[5] = {
		{.measured = true, .time.ns.cv = 0.08}, {.measured = true, .time.ns.cv = 0.12},
		{.measured = true, .time.ns.cv = 0.07}, {.measured = false, .time.ns.cv = 0.9},
		{.measured = true, .time.ns.cv = 0.17},
	};
	struct zc_results r = {.v = v, .n = 5};
	assert_true(fabs(zc_verdict_background_cv(&r) - 0.10) < 1e-12); /* 0.08 and 0.12 */
	r.n = 3;
	assert_true(fabs(zc_verdict_background_cv(&r) - 0.08) < 1e-12);
	r.n = 0;
	assert_true(zc_verdict_background_cv(&r) == 0);
	assert_true(zc_verdict_noisy(0.06, 0.01));
	assert_false(zc_verdict_noisy(0.12, 0.08));
	assert_true(zc_verdict_noisy(0.17, 0.08));
	assert_false(zc_verdict_noisy(0.05, 0.0));
	assert_false(zc_verdict_noisy(0.04, 0.01));

	struct zc_result res = {.measured = true, .id.checksum_ok = true,
				.time = {.ns.cv = 0.12, .background_cv = 0.08}};
	char words[64];
	zc_verdict_flags_format(zc_verdict_flags(&res), words, sizeof(words));
	assert_string_equal(words, "");
	res.time.background_cv = 0.05;
	zc_verdict_flags_format(zc_verdict_flags(&res), words, sizeof(words));
	assert_string_equal(words, "noisy");
}

/* One unwatched mapping of a list. */
static void unwatched(struct zc_unwatched_list *l, const char *mapping, const char *why,
		      double bytes, bool stack)
{
	struct zc_unwatched *u = &l->v[l->n++];
	snprintf(u->mapping, sizeof(u->mapping), "%s", mapping);
	snprintf(u->why, sizeof(u->why), "%s", why);
	u->bytes = bytes;
	u->stack = stack;
}

#define EBUSY_WHY "registered elsewhere (EBUSY)"

/* What the pass saw (a row's pages_written) and what the verdict must make of it. */
static const struct {
	const char *what;
	bool zero_copy;
	const char *unavailable;   /* "": counted */
	bool apart;                /* the consumer has a process of its own */
	double consumer;           /* its pages per transfer; NAN: not counted */
	bool consumer_listed;      /* its unwatched list is known */
	const char *mapping;       /* NULL: nothing left unwatched */
	double bytes;
	int ebusy;                 /* that many anonymous EBUSY mappings of 8 MiB */
	int io_uring, consumer_io_uring;
	double producer, copies;   /* pages written per transfer, and of them frame bytes */
	bool unverified, unexplained;
	const char *says;          /* in the evidence line; NULL: nothing added */
} coverage[] = {
	{ "every mapping watched", true, "", false, NAN, false, NULL, 0, 0, 0, -1, 4, 0, false,
	  false, NULL },
	{ "--no-pages", true, "not watched: --no-pages", false, NAN, false, NULL, 0, 0, -1, -1,
	  NAN, NAN, true, false,
	  "; unverified: pages written not counted (not watched: --no-pages)" },
	{ "a stack not watched, however small", true, "", false, NAN, false, "[stack]", 135168,
	  0, 0, -1, 4, 0, true, false, "; unverified: [stack] 132 KiB not watched (stack)" },
	{ "a mapping too small for a hundredth of the frame", true, "", false, NAN, false,
	  "[anon:x]", 8192, 0, 0, -1, 4, 0, false, false, NULL },
	{ "a range another userfaultfd holds", true, "", false, NAN, false, NULL, 0, 1, 0, -1, 4,
	  0, true, false, "; unverified: anonymous mapping 8.0 MiB not watched (" EBUSY_WHY ")" },
	{ "more mappings than the line names", true, "", false, NAN, false, NULL, 0, 5, 0, -1, 4,
	  0, true, false, ", 2 more mappings not watched" },
	{ "io_uring in use", true, "", false, NAN, false, NULL, 0, 0, 1, -1, 4, 0, true, false,
	  "; unverified: io_uring in use in the producer's process" },
	{ "the consumer's pages not counted", true, "", true, NAN, false, NULL, 0, 0, 0, -1, 4,
	  0, true, false, "; unverified: the consumer's pages written not counted (why)" },
	{ "the consumer's list unknown", true, "", true, 3, false, NULL, 0, 0, 0, -1, 4, 0, true,
	  false, "; unverified: what the consumer's watch left out is unknown" },
	{ "io_uring in the consumer", true, "", true, 3, true, NULL, 0, 0, 0, 1, 4, 0, true,
	  false, "; unverified: io_uring in use in the consumer's process" },
	{ "the consumer fully watched", true, "", true, 3, true, NULL, 0, 0, 0, 0, 4, 0, false,
	  false, NULL },
	{ "a copy is a copy, watched or not", false, "", false, NAN, false, NULL, 0, 1, 1, -1,
	  2030, 2024, false, false, NULL },
	{ "pages that hold no frame bytes, half a frame", false, "", false, NAN, false, NULL, 0,
	  0, 0, -1, 200, 0, false, true,
	  "; unexplained work: 200 pages written per transfer hold no frame bytes (0.82 frames)" },
	{ "frame bytes explain them", false, "", false, NAN, false, NULL, 0, 0, 0, -1, 200, 150,
	  false, false, NULL },
	{ "the consumer's pages count too", true, "", true, 150, true, NULL, 0, 0, 0, 0, 10, 0,
	  false, true, "; unexplained work: 160 pages" },
};

/* The row's pages_written as the table says. */
static struct zc_written_result pass_of(size_t i)
{
	struct zc_written_result w = {.producer_per_transfer = coverage[i].producer,
				      .consumer_per_transfer = coverage[i].consumer,
				      /* in bytes, as the pass keeps it (the table says pages) */
				      .frame_bytes_per_transfer =
					      coverage[i].copies * (double)sysconf(_SC_PAGESIZE),
				      .consumer_apart = coverage[i].apart};
	w.unwatched = (struct zc_unwatched_list){.known = !coverage[i].unavailable[0],
						 .io_uring = coverage[i].io_uring};
	w.consumer_unwatched = (struct zc_unwatched_list){.known = coverage[i].consumer_listed,
							  .io_uring = coverage[i].consumer_io_uring};
	snprintf(w.unavailable, sizeof(w.unavailable), "%s", coverage[i].unavailable);
	snprintf(w.consumer_unavailable, sizeof(w.consumer_unavailable), "%s",
		 coverage[i].apart && isnan(coverage[i].consumer) ? "why" : "");
	if (coverage[i].mapping)
		unwatched(&w.unwatched, coverage[i].mapping, "stack", coverage[i].bytes,
			  !strcmp(coverage[i].mapping, "[stack]"));
	for (int k = 0; k < coverage[i].ebusy; k++)
		unwatched(&w.unwatched, "", EBUSY_WHY, 8 << 20, false);
	return w;
}

static void test_coverage(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(coverage) / sizeof(coverage[0]); i++) {
		struct zc_identity id = {.zero_copy = coverage[i].zero_copy,
					 .evidence = "consumer reads the producer's bytes"};
		struct zc_written_result w = pass_of(i);
		zc_verdict_coverage(&id, &w, FRAME);
		const char *said = strchr(id.evidence, ';');
		if (id.unverified != coverage[i].unverified ||
		    id.unexplained_work != coverage[i].unexplained ||
		    (coverage[i].says ? !strstr(id.evidence, coverage[i].says) : said != NULL))
			fail_msg("%s: unverified %d, unexplained %d: %s", coverage[i].what,
				 id.unverified, id.unexplained_work, id.evidence);
	}
}

/* Checksum first, then --strict; a run takes its worst row. */
static void test_exit(void **state)
{
	(void)state;
	struct zc_result ok = {.id.checksum_ok = true, .id.zero_copy = true,
			       .expect_zero_copy = true};
	struct zc_result copied = ok, undeclared = ok, bad = ok, unverified = ok, skipped = ok;
	copied.id.zero_copy = false;
	undeclared.id.undeclared_copy = true;
	bad.id.checksum_ok = false;
	unverified.id.unverified = skipped.id.unverified = true;
	skipped.pages_written.skipped = true; /* --no-pages, a sanitizer build: the flag says it */
	assert_int_equal(zc_verdict_exit(&unverified, false), ZC_EXIT_OK);
	assert_int_equal(zc_verdict_exit(&unverified, true), ZC_EXIT_FAILED);
	assert_int_equal(zc_verdict_exit(&skipped, true), ZC_EXIT_OK);
	assert_int_equal(zc_verdict_exit(&ok, true), ZC_EXIT_OK);
	assert_int_equal(zc_verdict_exit(&copied, false), ZC_EXIT_OK);
	assert_int_equal(zc_verdict_exit(&copied, true), ZC_EXIT_FAILED);
	assert_int_equal(zc_verdict_exit(&undeclared, true), ZC_EXIT_FAILED);
	assert_int_equal(zc_verdict_exit(&bad, false), ZC_EXIT_RUNTIME);
	assert_int_equal(zc_verdict_worse(ZC_EXIT_OK, ZC_EXIT_FAILED), ZC_EXIT_FAILED);
	assert_int_equal(zc_verdict_worse(ZC_EXIT_RUNTIME, ZC_EXIT_FAILED), ZC_EXIT_RUNTIME);
	assert_int_equal(zc_verdict_worse(ZC_EXIT_FAILED, ZC_EXIT_RUNTIME), ZC_EXIT_RUNTIME);
}

/*
 * report.jq's legacy_flags judges cv as verdict.h does, against the same background (run from
 * the repository root).
 */
static void test_report_threshold(void **state)
{
	(void)state;
	FILE *f = fopen("scripts/report.jq", "r");
	char line[512];
	const char *key = ".time.ns_per_transfer.cv // 0) > ", *key2 = "> $bg * ";
	bool in_legacy = false, found = false;
	if (!f)
		fail_msg("cannot read 'scripts/report.jq' (run from the repository root)");
	while (!found && fgets(line, sizeof(line), f)) {
		char *at = strstr(line, key);
		if (!strncmp(line, "def legacy_flags", 16))
			in_legacy = true;
		if (in_legacy && at) {
			char *bg = strstr(line, key2);
			assert_true(strtod(at + strlen(key), NULL) == ZC_NOISY_CV);
			assert_non_null(bg);
			assert_true(strtod(bg + strlen(key2), NULL) == ZC_NOISY_BACKGROUND);
			found = true;
		}
	}
	fclose(f);
	assert_true(found);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_verdicts),
		cmocka_unit_test(test_flags),
		cmocka_unit_test(test_noisy_background),
		cmocka_unit_test(test_coverage),
		cmocka_unit_test(test_coverage_flags),
		cmocka_unit_test(test_exit),
		cmocka_unit_test(test_report_threshold),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
