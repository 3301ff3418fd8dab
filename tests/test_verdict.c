/*
 * test_verdict.c: the judgements of src/core/verdict.c as tables: the verdict on what the
 * probe and the instruments observed, the row flags and their words, the exit status the rows
 * give, and the one threshold scripts/report.jq repeats for files written before "flags".
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

/* Checksum first, then --strict; a run takes its worst row. */
static void test_exit(void **state)
{
	(void)state;
	struct zc_result ok = {.id.checksum_ok = true, .id.zero_copy = true,
			       .expect_zero_copy = true};
	struct zc_result copied = ok, undeclared = ok, bad = ok;
	copied.id.zero_copy = false;
	undeclared.id.undeclared_copy = true;
	bad.id.checksum_ok = false;
	assert_int_equal(zc_verdict_exit(&ok, true), ZC_EXIT_OK);
	assert_int_equal(zc_verdict_exit(&copied, false), ZC_EXIT_OK);
	assert_int_equal(zc_verdict_exit(&copied, true), ZC_EXIT_FAILED);
	assert_int_equal(zc_verdict_exit(&undeclared, true), ZC_EXIT_FAILED);
	assert_int_equal(zc_verdict_exit(&bad, false), ZC_EXIT_RUNTIME);
	assert_int_equal(zc_verdict_worse(ZC_EXIT_OK, ZC_EXIT_FAILED), ZC_EXIT_FAILED);
	assert_int_equal(zc_verdict_worse(ZC_EXIT_RUNTIME, ZC_EXIT_FAILED), ZC_EXIT_RUNTIME);
	assert_int_equal(zc_verdict_worse(ZC_EXIT_FAILED, ZC_EXIT_RUNTIME), ZC_EXIT_RUNTIME);
}

/* report.jq's legacy_flags judges cv as verdict.h does (run from the repository root). */
static void test_report_threshold(void **state)
{
	(void)state;
	FILE *f = fopen("scripts/report.jq", "r");
	char line[512];
	const char *key = ".time.ns_per_transfer.cv // 0) > ";
	bool in_legacy = false, found = false;
	if (!f)
		fail_msg("cannot read 'scripts/report.jq' (run from the repository root)");
	while (!found && fgets(line, sizeof(line), f)) {
		char *at = strstr(line, key);
		if (!strncmp(line, "def legacy_flags", 16))
			in_legacy = true;
		if (in_legacy && at) {
			assert_true(strtod(at + strlen(key), NULL) == ZC_NOISY_CV);
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
		cmocka_unit_test(test_exit),
		cmocka_unit_test(test_report_threshold),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
