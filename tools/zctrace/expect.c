/*
 * expect.c: the CI mode's expectations, parsed from the command line and checked against a
 * run once it has exited. A failed one is one line on stderr naming the label (or the run),
 * the bytes and the call site or kernel call that copied them:
 *
 *   zctrace: expectation failed: --expect frame=shared, but frame:producer [pid 7] and
 *            frame:consumer [pid 8] were copied: 8,294,400 bytes, read from a pipe by ...
 *
 * (one line; cut here). main.c turns a failure into zctrace's own exit status.
 */
#include "expect.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "out.h"
#include "pairs.h"

#define FAILED "zctrace: expectation failed: "

/* A byte count: digits only, no sign, no overflow. */
static int parse_bytes(const char *s, unsigned long long *out)
{
	char *end;
	if (!*s || strspn(s, "0123456789") != strlen(s))
		return -1;
	errno = 0;
	*out = strtoull(s, &end, 10);
	return errno ? -1 : 0;
}

/* The label of "LABEL=VALUE" (the part before the last '=') into e; the value's start. */
static const char *parse_label(struct zct_expect *e, const char *value, const char *option,
			       struct zc_error *err)
{
	const char *eq = strrchr(value, '=');
	size_t n = (size_t)(eq - value);
	if (n == 0) {
		zc_error_set(err, ZC_EXIT_USAGE, "%s '%s': no label before '='", option, value);
		return NULL;
	}
	if (memchr(value, ':', n)) {
		zc_error_set(err, ZC_EXIT_USAGE, "%s '%s': a label is a tag's part before its ':' "
				 "('frame' for the tags 'frame:rust' and 'frame:dart')", option, value);
		return NULL;
	}
	if (n >= sizeof(e->label)) {
		zc_error_set(err, ZC_EXIT_USAGE, "%s '%s': a label has at most %zu bytes", option,
			     value, sizeof(e->label) - 1);
		return NULL;
	}
	memcpy(e->label, value, n);
	e->label[n] = '\0';
	return eq + 1;
}

static int parse_expect(struct zct_expect *e, const char *value, struct zc_error *err)
{
	if (!strchr(value, '='))
		return zc_error_set(err, ZC_EXIT_USAGE, "--expect '%s': expected LABEL=shared or "
				    "LABEL=copied", value);
	const char *v = parse_label(e, value, "--expect", err);
	if (!v)
		return -1;
	e->kind = ZCT_EXPECT_VERDICT;
	if (!strcmp(v, zct_verdict_name(ZCT_SHARED)))
		e->verdict = ZCT_SHARED;
	else if (!strcmp(v, zct_verdict_name(ZCT_COPIED)))
		e->verdict = ZCT_COPIED;
	else
		return zc_error_set(err, ZC_EXIT_USAGE, "--expect '%s': expected shared or copied "
				    "after '=', not '%s'", value, v);
	return 0;
}

static int parse_max(struct zct_expect *e, const char *value, struct zc_error *err)
{
	const char *n = value;
	e->kind = ZCT_EXPECT_RUN_BYTES;
	if (strchr(value, '=')) {
		n = parse_label(e, value, "--max-copy-bytes", err);
		if (!n)
			return -1;
		e->kind = ZCT_EXPECT_LABEL_BYTES;
	}
	if (parse_bytes(n, &e->max) != 0)
		return zc_error_set(err, ZC_EXIT_USAGE, "--max-copy-bytes '%s': expected a number "
				    "of bytes (N or LABEL=N), not '%s'", value, n);
	return 0;
}

int zct_expect_parse(struct zct_expectations *es, const char *option, const char *value,
		     struct zc_error *err)
{
	if (es->n == ZCT_MAX_EXPECTATIONS)
		return zc_error_set(err, ZC_EXIT_USAGE, "%s '%s': at most %d expectations", option,
				    value, ZCT_MAX_EXPECTATIONS);
	struct zct_expect *e = &es->e[es->n];
	*e = (struct zct_expect){0};
	int rc = !strcmp(option, "--expect") ? parse_expect(e, value, err)
					      : parse_max(e, value, err);
	if (rc != 0)
		return -1;
	snprintf(e->text, sizeof(e->text), "%s %s", option, value);
	es->n++;
	return 0;
}

/* The pairs labelled label, into a new array (borrowed elements). */
static json_t *labelled(json_t *pairs, const char *label)
{
	json_t *out = json_array(), *p;
	size_t i;
	json_array_foreach(json_object_get(pairs, "pairs"), i, p)
		if (!strcmp(json_string_value(json_object_get(p, "label")), label))
			json_array_append(out, p);
	return out;
}

/* The line of a pair whose verdict is not the one expected; others more pairs like it. */
static void verdict_failed(const struct zct_expect *e, json_t *p, size_t others, char *line,
			   size_t len)
{
	char between[300], by[700], what[800], more[48] = "", b[32];
	json_t *copied = json_object_get(p, "copied_bytes");
	if (json_integer_value(copied) > 0)
		snprintf(what, sizeof(what), "%s bytes, %s",
			 zct_thousands((uint64_t)json_integer_value(copied), b, sizeof(b)),
			 zct_pair_by(p, by, sizeof(by)));
	else
		snprintf(what, sizeof(what), "%s", json_string_value(json_object_get(p, "proof")));
	if (others)
		snprintf(more, sizeof(more), " (and %zu more pair%s)", others, others == 1 ? "" : "s");
	snprintf(line, len, FAILED "%s, but %s were %s: %s%s", e->text,
		 zct_pair_between(p, between, sizeof(between)),
		 json_string_value(json_object_get(p, "verdict")), what, more);
}

/* --expect LABEL=VERDICT: every pair of the label has the verdict. */
static bool check_verdict(const struct zct_expect *e, json_t *pairs, char *line, size_t len)
{
	json_t *mine = labelled(pairs, e->label), *p, *first = NULL;
	size_t i, bad = 0, n = json_array_size(mine);
	json_array_foreach(mine, i, p)
		if (strcmp(json_string_value(json_object_get(p, "verdict")),
			   zct_verdict_name(e->verdict)) != 0 && !bad++)
			first = p;
	if (!n)
		snprintf(line, len, FAILED "%s, but no pair of marks has the label '%s'", e->text,
			 e->label);
	else if (bad)
		verdict_failed(e, first, bad - 1, line, len);
	json_decref(mine);
	return n && !bad;
}

/* --max-copy-bytes LABEL=N: the bytes copied between the label's marks, all pairs summed. */
static bool check_label_bytes(const struct zct_expect *e, json_t *pairs, char *line, size_t len)
{
	json_t *mine = labelled(pairs, e->label), *p, *top = NULL, *unknown = NULL;
	unsigned long long sum = 0;
	char between[300], by[700], b[32];
	size_t i;
	json_array_foreach(mine, i, p) {
		json_t *c = json_object_get(p, "copied_bytes");
		if (!json_is_integer(c) && !unknown)
			unknown = p;
		sum += (unsigned long long)json_integer_value(c);
		if (!top || json_integer_value(c) > json_integer_value(json_object_get(top, "copied_bytes")))
			top = p;
	}
	size_t n = json_array_size(mine);
	bool ok = n && !unknown && sum <= e->max;
	if (!n)
		snprintf(line, len, FAILED "%s, but no pair of marks has the label '%s'", e->text,
			 e->label);
	else if (unknown)
		snprintf(line, len, FAILED "%s, but the bytes copied between %s cannot be told: %s",
			 e->text, zct_pair_between(unknown, between, sizeof(between)),
			 json_string_value(json_object_get(unknown, "proof")));
	else if (!ok)
		snprintf(line, len, FAILED "%s, but %s bytes were copied between the marks of '%s': "
				    "%s", e->text, zct_thousands(sum, b, sizeof(b)), e->label,
			 zct_pair_by(top, by, sizeof(by)));
	json_decref(mine);
	return ok;
}

/* The call site that copied the most, over every record: "memcpy from X [pid N]". */
static void largest_site(const struct zct_tree *t, char *buf, size_t len)
{
	json_t *top = NULL;
	long pid = 0;
	for (size_t i = 0; i < t->n; i++) {
		json_t *s = json_array_get(json_object_get(t->r[i].doc, "call_sites"), 0);
		if (s && (!top || json_integer_value(json_object_get(s, "bytes")) >
					  json_integer_value(json_object_get(top, "bytes")))) {
			top = s;
			pid = t->r[i].pid;
		}
	}
	char b[32];
	snprintf(buf, len, "%s from %s [pid %ld] (%s bytes)",
		 json_string_value(json_object_get(top, "function")),
		 json_string_value(json_object_get(top, "caller")), pid,
		 zct_thousands((uint64_t)json_integer_value(json_object_get(top, "bytes")), b,
			       sizeof(b)));
}

/* --max-copy-bytes N: the bytes of the call sites the headline counts, over the run. */
static bool check_run_bytes(const struct zct_expect *e, const struct zct_tree *t, char *line,
			    size_t len)
{
	unsigned long long sum = (unsigned long long)zct_tree_sum(t, "site_copies", "bytes");
	char b[32], site[600];
	if (sum <= e->max)
		return true;
	largest_site(t, site, sizeof(site));
	snprintf(line, len, FAILED "%s, but the run copied %s bytes; the most: %s", e->text,
		 zct_thousands(sum, b, sizeof(b)), site);
	return false;
}

static bool check_one(const struct zct_expect *e, const struct zct_tree *t, json_t *pairs,
		      char *line, size_t len)
{
	if (!t) {
		snprintf(line, len, FAILED "%s cannot be checked: no record of this run", e->text);
		return false;
	}
	switch (e->kind) {
	case ZCT_EXPECT_VERDICT:
		return check_verdict(e, pairs, line, len);
	case ZCT_EXPECT_LABEL_BYTES:
		return check_label_bytes(e, pairs, line, len);
	case ZCT_EXPECT_RUN_BYTES:
		return check_run_bytes(e, t, line, len);
	}
	return false;
}

size_t zct_expect_check(const struct zct_expectations *es, const struct zct_tree *t,
			json_t *pairs, FILE *f, json_t **results)
{
	size_t failed = 0;
	json_t *all = json_array();
	for (size_t i = 0; i < es->n; i++) {
		char line[1500] = "";
		bool met = check_one(&es->e[i], t, pairs, line, sizeof(line));
		if (!met) {
			fprintf(f, "%s\n", line);
			failed++;
		}
		json_array_append_new(all, json_pack("{s:s, s:b, s:s?}", "expectation",
						     es->e[i].text, "met", met, "line",
						     met ? NULL : line));
	}
	if (es->n && !failed)
		fprintf(f, "zctrace: %zu expectation%s met\n", es->n, es->n == 1 ? "" : "s");
	if (results)
		*results = all;
	else
		json_decref(all);
	return failed;
}
