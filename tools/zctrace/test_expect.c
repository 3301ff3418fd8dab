/*
 * test_expect.c: zctrace's CI mode without running a program. The verdict rule (judge.h) as
 * a table of facts and verdicts; the expectations' parser on good and bad values (each bad
 * one a single line, never a crash); the checks against pairs written as JSON, with the line
 * a failure prints; where a child's record goes (out.h).
 */
#include <stdarg.h>
#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "expect.h"
#include "judge.h"
#include "out.h"

/* Every row: the facts of a pair and the verdict they give. */
static const struct {
	struct zct_pair_facts facts;
	enum zct_verdict want;
} judged[] = {
	{{.same_bytes = false, .same_process = true, .same_address = true}, ZCT_CHANGED},
	{{.same_bytes = true, .same_process = true, .same_address = true}, ZCT_SHARED},
	{{.same_bytes = true, .same_process = true, .same_address = true, .movers = 1}, ZCT_COPIED},
	{{.same_bytes = true, .same_process = true, .same_address = true, .released = true},
	 ZCT_REUSED_ADDRESS},
	{{.same_bytes = true, .same_process = true, .same_address = false}, ZCT_COPIED},
	{{.same_bytes = false, .same_process = false, .frames_known = true, .same_frames = true},
	 ZCT_CHANGED},
	{{.same_bytes = true, .frames_known = true, .same_frames = true}, ZCT_SHARED},
	{{.same_bytes = true, .frames_known = true, .same_frames = true, .movers = 1}, ZCT_SHARED},
	{{.same_bytes = true, .frames_known = true, .same_frames = true, .frames_unproven = true},
	 ZCT_UNDECIDED},
	{{.same_bytes = true, .frames_known = true, .same_frames = false}, ZCT_COPIED},
	{{.same_bytes = true, .frames_known = false, .movers = 2}, ZCT_COPIED},
	{{.same_bytes = true, .frames_known = false, .movers = 0}, ZCT_UNDECIDED},
	/* an address in two processes proves nothing */
	{{.same_bytes = true, .same_address = true, .frames_known = false}, ZCT_UNDECIDED},
};

static void the_rule_never_says_shared_without_proof(void **unused)
{
	(void)unused;
	for (size_t i = 0; i < sizeof(judged) / sizeof(judged[0]); i++) {
		enum zct_verdict got = zct_judge(&judged[i].facts);
		if (got != judged[i].want)
			fail_msg("row %zu: %s, not %s", i, zct_verdict_name(got),
				 zct_verdict_name(judged[i].want));
	}
}

static void good_values_parse(void **unused)
{
	(void)unused;
	struct zct_expectations es = {0};
	struct zc_error err = {0};
	assert_int_equal(zct_expect_parse(&es, "--expect", "frame=shared", &err), 0);
	assert_int_equal(zct_expect_parse(&es, "--expect", "leg2=copied", &err), 0);
	assert_int_equal(zct_expect_parse(&es, "--max-copy-bytes", "0", &err), 0);
	assert_int_equal(zct_expect_parse(&es, "--max-copy-bytes", "frame=8294400", &err), 0);
	assert_int_equal(es.n, 4);
	assert_int_equal(es.e[0].kind, ZCT_EXPECT_VERDICT);
	assert_string_equal(es.e[0].label, "frame");
	assert_int_equal(es.e[0].verdict, ZCT_SHARED);
	assert_int_equal(es.e[1].verdict, ZCT_COPIED);
	assert_int_equal(es.e[2].kind, ZCT_EXPECT_RUN_BYTES);
	assert_int_equal(es.e[2].max, 0);
	assert_int_equal(es.e[3].kind, ZCT_EXPECT_LABEL_BYTES);
	assert_int_equal(es.e[3].max, 8294400);
	assert_string_equal(es.e[3].text, "--max-copy-bytes frame=8294400");
}

/* Every bad value: refused with one line that quotes it. */
static const struct {
	const char *option, *value, *says;
} refused[] = {
	{"--expect", "frame", "expected LABEL=shared or LABEL=copied"},
	{"--expect", "frame=same", "not 'same'"},
	{"--expect", "frame=", "not ''"},
	{"--expect", "=shared", "no label before '='"},
	{"--expect", "frame:rust=shared", "a label is a tag's part before its ':'"},
	{"--expect", "a-label-longer-than-forty-seven-bytes-is-refused-here=shared", "at most 47"},
	{"--max-copy-bytes", "-1", "expected a number of bytes"},
	{"--max-copy-bytes", "1e6", "not '1e6'"},
	{"--max-copy-bytes", "frame=", "expected a number of bytes"},
	{"--max-copy-bytes", "=5", "no label before '='"},
	{"--max-copy-bytes", "99999999999999999999999", "expected a number of bytes"},
	{"--max-copy-bytes", "frame=1\n2", "frame=1\\n2"},
};

static void bad_values_are_one_line(void **unused)
{
	(void)unused;
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		struct zct_expectations es = {0};
		struct zc_error err = {0};
		assert_int_equal(zct_expect_parse(&es, refused[i].option, refused[i].value, &err), -1);
		assert_int_equal(es.n, 0);
		if (!strstr(err.text, refused[i].says) || strchr(err.text, '\n'))
			fail_msg("%s '%s': said '%s'", refused[i].option, refused[i].value, err.text);
	}
}

/* A run of two pairs labelled frame (one copied by a pipe, one undecided) and one view. */
static const char pairs_json[] =
	"{\"pairs\": ["
	"{\"label\": \"frame\", \"verdict\": \"copied\", \"copied_bytes\": 8294400,"
	" \"unseen_copy\": false, \"proof\": \"a copy wrote the second mark's bytes\","
	" \"first\": {\"tag\": \"frame:parent\", \"pid\": 7}, \"second\": {\"tag\": \"frame:child\", \"pid\": 8},"
	" \"copies\": [{\"pid\": 8, \"function\": \"read\", \"bytes\": 8294400, \"caller\": \"app:receive\","
	"  \"calls\": 127, \"kernel\": \"pipe\"}]},"
	"{\"label\": \"view\", \"verdict\": \"shared\", \"copied_bytes\": 0, \"unseen_copy\": false,"
	" \"proof\": \"the same address, and no copy wrote it between the marks\","
	" \"first\": {\"tag\": \"view:a\", \"pid\": 7}, \"second\": {\"tag\": \"view:b\", \"pid\": 7}, \"copies\": []},"
	"{\"label\": \"blind\", \"verdict\": \"undecided\", \"copied_bytes\": null, \"unseen_copy\": false,"
	" \"proof\": \"physical pages not read (x): sharing cannot be proved, and no copy was seen\","
	" \"first\": {\"tag\": \"blind:a\", \"pid\": 7}, \"second\": {\"tag\": \"blind:b\", \"pid\": 9}, \"copies\": []}"
	"], \"unpaired\": []}";

/* Checks one expectation against pairs_json; returns whether it failed, its line in line. */
static bool fails(const char *option, const char *value, char *line, size_t len)
{
	struct zct_expectations es = {0};
	struct zct_record r = {.doc = json_pack("{s:{s:{s:i}}, s:[]}", "summary", "site_copies",
						"bytes", 100, "call_sites"), .pid = 7};
	struct zct_tree t = {.r = &r, .n = 1};
	json_t *pairs = json_loads(pairs_json, 0, NULL), *results = NULL;
	assert_non_null(pairs);
	assert_int_equal(zct_expect_parse(&es, option, value, NULL), 0);
	FILE *f = fmemopen(line, len, "w");
	size_t failed = zct_expect_check(&es, &t, pairs, f, &results);
	fclose(f);
	assert_int_equal(json_array_size(results), 1);
	assert_true(json_is_true(json_object_get(json_array_get(results, 0), "met")) == !failed);
	json_decref(results);
	json_decref(pairs);
	json_decref(r.doc);
	return failed;
}

static void expectations_are_checked_on_proof(void **unused)
{
	(void)unused;
	char line[2000];
	assert_true(fails("--expect", "frame=shared", line, sizeof(line)));
	assert_string_equal(line, "zctrace: expectation failed: --expect frame=shared, but "
				  "frame:parent [pid 7] and frame:child [pid 8] were copied: "
				  "8,294,400 bytes, read from a pipe by app:receive [pid 8] (127 calls)\n");
	assert_false(fails("--expect", "frame=copied", line, sizeof(line)));
	assert_string_equal(line, "zctrace: 1 expectation met\n");
	assert_false(fails("--expect", "view=shared", line, sizeof(line)));
	assert_true(fails("--expect", "blind=copied", line, sizeof(line)));
	assert_non_null(strstr(line, "were undecided: physical pages not read"));
	assert_true(fails("--expect", "nobody=shared", line, sizeof(line)));
	assert_non_null(strstr(line, "no pair of marks has the label 'nobody'"));
	assert_true(fails("--max-copy-bytes", "frame=8294399", line, sizeof(line)));
	assert_string_equal(line, "zctrace: expectation failed: --max-copy-bytes frame=8294399, "
				  "but 8,294,400 bytes were copied between the marks of 'frame': "
				  "read from a pipe by app:receive [pid 8] (127 calls)\n");
	assert_false(fails("--max-copy-bytes", "frame=8294400", line, sizeof(line)));
	assert_false(fails("--max-copy-bytes", "view=0", line, sizeof(line)));
	assert_true(fails("--max-copy-bytes", "blind=1000000000", line, sizeof(line)));
	assert_non_null(strstr(line, "cannot be told"));
	assert_false(fails("--max-copy-bytes", "100", line, sizeof(line)));
	assert_true(fails("--max-copy-bytes", "99", line, sizeof(line)));
	assert_non_null(strstr(line, "but the run copied 100 bytes"));
}

static void a_run_without_a_record_fails_every_expectation(void **unused)
{
	(void)unused;
	struct zct_expectations es = {0};
	char line[500];
	assert_int_equal(zct_expect_parse(&es, "--max-copy-bytes", "5", NULL), 0);
	FILE *f = fmemopen(line, sizeof(line), "w");
	assert_int_equal(zct_expect_check(&es, NULL, NULL, f, NULL), 1);
	fclose(f);
	assert_string_equal(line, "zctrace: expectation failed: --max-copy-bytes 5 cannot be "
				  "checked: no record of this run\n");
}

static void child_records_go_beside_or_in_the_folder(void **unused)
{
	(void)unused;
	char buf[200];
	assert_string_equal(zct_child_record(buf, sizeof(buf), "/tmp/a/trace.json", NULL, "42"),
			    "/tmp/a/trace.42.json");
	assert_string_equal(zct_child_record(buf, sizeof(buf), "/tmp/a/trace", NULL, "42"),
			    "/tmp/a/trace.42");
	assert_string_equal(zct_child_record(buf, sizeof(buf), "/tmp/a/trace.json", "/tmp/d",
					     "[0-9]*"), "/tmp/d/trace.[0-9]*.json");
	assert_string_equal(zct_child_record(buf, 10, "/tmp/a/trace.json", NULL, "42"), "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(the_rule_never_says_shared_without_proof),
		cmocka_unit_test(good_values_parse),
		cmocka_unit_test(bad_values_are_one_line),
		cmocka_unit_test(expectations_are_checked_on_proof),
		cmocka_unit_test(a_run_without_a_record_fails_every_expectation),
		cmocka_unit_test(child_records_go_beside_or_in_the_folder),
	};
	return cmocka_run_group_tests_name("zctrace expectations", tests, NULL, NULL);
}
