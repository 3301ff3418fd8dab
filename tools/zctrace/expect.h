/*
 * expect.h: zctrace's CI mode (expect.c). What the run must show, given on the command line,
 * is checked once the command has exited, against the run's pairs (pairs.h) and records:
 *   --expect LABEL=shared|copied   every pair of marks labelled LABEL has that verdict
 *   --max-copy-bytes N             the run's call sites copied at most N bytes (the bytes
 *                                  the summary's headline counts)
 *   --max-copy-bytes LABEL=N       at most N bytes were copied between the marks of LABEL
 * A label with no pair, and a pair that cannot be decided, fail: a check passes on proof.
 */
#ifndef ZC_TRACE_EXPECT_H
#define ZC_TRACE_EXPECT_H

#include <stdio.h>

#include <jansson.h>

#include "error.h"
#include "tree.h"
#include "judge.h"

#define ZCT_MAX_EXPECTATIONS 64
#define ZCT_LABEL_MAX 48

struct zct_expect {
	enum { ZCT_EXPECT_VERDICT, ZCT_EXPECT_LABEL_BYTES, ZCT_EXPECT_RUN_BYTES } kind;
	char label[ZCT_LABEL_MAX];  /* VERDICT, LABEL_BYTES */
	enum zct_verdict verdict;   /* VERDICT */
	unsigned long long max;     /* LABEL_BYTES, RUN_BYTES */
	char text[96];              /* as given, with its option: "--expect frame=shared" */
};

struct zct_expectations {
	struct zct_expect e[ZCT_MAX_EXPECTATIONS];
	size_t n;
};

/*
 * Adds the expectation that option ("--expect" or "--max-copy-bytes") with value says to es.
 * 0, or -1 with a one-line reason in err ("--expect 'frame=same': expected shared or copied").
 */
int zct_expect_parse(struct zct_expectations *es, const char *option, const char *value,
		     struct zc_error *err);

/*
 * Checks every expectation of es against the run t (NULL: no record of it was written) and
 * its pairs (zct_pairs_make; may be NULL). Prints one line on f per failed expectation, or one
 * line saying they were all met; results, when not NULL, gets a JSON array, one object per
 * expectation ({"expectation", "met", "line"}). Returns how many failed.
 */
size_t zct_expect_check(const struct zct_expectations *es, const struct zct_tree *t,
			json_t *pairs, FILE *f, json_t **results);

#endif
