/*
 * test_schema.c: the one schema table (src/results/schema.h) is well formed, docs/schema.md
 * shows exactly its rows, the gate's invariants come from it in their order, the validator
 * checks every field it lists, and every place that names the schema agrees with ZC_SCHEMA.
 */
#include <stdarg.h>
#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "results_load.h"
#include "schema.h"

#define SCHEMA_DOC "docs/schema.md"

/* The sections of docs/schema.md that hold each list's table. */
static const struct {
	const char *heading;
	enum zc_schema_part part;
} doc_sections[] = {
	{ "## Document fields", ZC_SCHEMA_DOCUMENT },
	{ "## Result fields", ZC_SCHEMA_RESULT },
};

/* A file's whole text, NUL-terminated; fails the test when it cannot be read. */
static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *text = NULL;
	size_t len = 0;

	if (!f)
		fail_msg("cannot read '%s' (run from the repository root)", path);
	FILE *mem = open_memstream(&text, &len);
	assert_non_null(mem);
	for (int c; (c = fgetc(f)) != EOF;)
		fputc(c, mem);
	fclose(f);
	fclose(mem);
	return text;
}

/* The row of docs/schema.md that field @f must have. */
static void doc_row(const struct zc_schema_field *f, char *buf, size_t len)
{
	char gate[32] = "";

	if (f->rule != ZC_RULE_NONE)
		snprintf(gate, sizeof(gate), "%s (%d)", zc_schema_rule_name(f->rule), f->gate_order);
	snprintf(buf, len, "| `%s` | %s | %s | %s | %s | %s |", f->path,
		 zc_schema_type_name(f->type), f->unit, zc_schema_presence_name(f->presence), gate,
		 f->doc);
}

/* The field rows ("| `path` ...") of the section under @heading, one per line, in order. */
static size_t section_rows(char *text, const char *heading, char **rows, size_t cap)
{
	size_t n = 0;
	int inside = 0;

	for (char *save = NULL, *line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (!strncmp(line, "## ", 3))
			inside = !strcmp(line, heading);
		else if (inside && !strncmp(line, "| `", 3) && n < cap)
			rows[n++] = line;
	}
	return n;
}

static void doc_lists_every_field(void **state)
{
	(void)state;
	for (size_t s = 0; s < sizeof(doc_sections) / sizeof(doc_sections[0]); s++) {
		char *text = slurp(SCHEMA_DOC), *rows[128], want[512];
		size_t n, nrows = section_rows(text, doc_sections[s].heading, rows, 128);
		const struct zc_schema_field *f = zc_schema_fields(doc_sections[s].part, &n);

		for (size_t i = 0; i < n; i++) {
			doc_row(&f[i], want, sizeof(want));
			if (i >= nrows || strcmp(rows[i], want))
				fail_msg("%s, '%s', row %zu: want\n%s\nhave\n%s", SCHEMA_DOC,
					 doc_sections[s].heading, i + 1, want, i < nrows ? rows[i] : "(none)");
		}
		if (nrows != n)
			fail_msg("%s, '%s': %zu rows, schema.h has %zu fields; extra: %s", SCHEMA_DOC,
				 doc_sections[s].heading, nrows, n, rows[n]);
		free(text);
	}
}

/* The row of @path's parent in @part ("identity" for "identity.verdict"), or NULL. */
static const struct zc_schema_field *parent_of(enum zc_schema_part part, const char *path)
{
	char parent[128];
	const char *dot = strrchr(path, '.');

	if (!dot)
		return NULL;
	snprintf(parent, sizeof(parent), "%.*s", (int)(dot - path), path);
	return zc_schema_find(part, parent);
}

/* Paths unique, a parent an object and before its children, docs one table cell each. */
static void check_part(enum zc_schema_part part)
{
	size_t n;
	const struct zc_schema_field *f = zc_schema_fields(part, &n);

	assert_true(n > 0);
	for (size_t i = 0; i < n; i++) {
		const struct zc_schema_field *p = parent_of(part, f[i].path);

		if (zc_schema_find(part, f[i].path) != &f[i])
			fail_msg("'%s' is listed twice", f[i].path);
		if (strchr(f[i].path, '.') && (!p || p > &f[i] || p->type != ZC_TYPE_OBJECT))
			fail_msg("'%s' needs an object row for its parent before it", f[i].path);
		if (!*f[i].doc || strchr(f[i].doc, '|') || strchr(f[i].doc, '\n'))
			fail_msg("'%s' needs a one-line description without '|'", f[i].path);
		if (part == ZC_SCHEMA_DOCUMENT && f[i].rule != ZC_RULE_NONE)
			fail_msg("'%s': the gate compares fields of a result only", f[i].path);
	}
}

static void table_is_well_formed(void **state)
{
	(void)state;
	check_part(ZC_SCHEMA_DOCUMENT);
	check_part(ZC_SCHEMA_RESULT);
	assert_non_null(zc_schema_find(ZC_SCHEMA_RESULT, "strategy"));
	assert_int_equal(zc_schema_find(ZC_SCHEMA_RESULT, "strategy")->presence, ZC_PRESENCE_KEY);
}

/* The type a rule can judge. */
static int rule_fits(enum zc_schema_rule rule, enum zc_schema_type type)
{
	switch (rule) {
	case ZC_RULE_VERDICT: return type == ZC_TYPE_STRING;
	case ZC_RULE_SHARING: return type == ZC_TYPE_BOOL;
	case ZC_RULE_FEWER:
	case ZC_RULE_BLOCKS:
	case ZC_RULE_FRAMES:
		return type == ZC_TYPE_NUMBER || type == ZC_TYPE_INTEGER ||
		       type == ZC_TYPE_NUMBER_OR_NULL;
	case ZC_RULE_PAGES:
	case ZC_RULE_SHARED: return type == ZC_TYPE_NUMBER_OR_NULL || type == ZC_TYPE_NUMBER;
	case ZC_RULE_NONE: return 0;
	}
	return 0;
}

/* Every gated row is reached once, in order 1..n, with a rule that fits its type. */
static void invariants_follow_gate_order(void **state)
{
	size_t n, gated = 0, reached = 0;
	const struct zc_schema_field *f = zc_schema_fields(ZC_SCHEMA_RESULT, &n);

	(void)state;
	for (size_t i = 0; i < n; i++)
		gated += f[i].rule != ZC_RULE_NONE;
	for (const struct zc_schema_field *inv; (inv = zc_schema_invariant(reached)); reached++) {
		assert_int_equal(inv->gate_order, (int)reached + 1);
		if (!rule_fits(inv->rule, inv->type))
			fail_msg("'%s': rule '%s' cannot judge a %s", inv->path,
				 zc_schema_rule_name(inv->rule), zc_schema_type_name(inv->type));
	}
	assert_int_equal(reached, gated);
}

/* The gate's rows as zcgate has always made them: tools/zcgate/test_gate.c relies on this order. */
static void invariants_are_the_gates(void **state)
{
	static const struct {
		const char *path;
		enum zc_schema_rule rule;
	} want[] = {
		{ "identity.verdict", ZC_RULE_VERDICT },
		{ "identity.same_address", ZC_RULE_SHARING },
		{ "identity.aliasing_visible", ZC_RULE_SHARING },
		{ "copies.bytes_per_transfer", ZC_RULE_FRAMES },
		{ "allocations.frame_sized_per_transfer", ZC_RULE_FEWER },
		{ "allocations.live_at_end", ZC_RULE_BLOCKS },
		{ "copies.user_bytes_per_transfer", ZC_RULE_FRAMES },
		{ "copies.kernel_bytes_per_transfer", ZC_RULE_FRAMES },
		{ "copies.pages_bytes_per_transfer", ZC_RULE_FRAMES },
		{ "pages_written.producer_per_transfer", ZC_RULE_PAGES },
		{ "pages_written.consumer_per_transfer", ZC_RULE_PAGES },
		{ "identity.same_pages", ZC_RULE_SHARED },
		{ "pages_written.frame_bytes_per_transfer", ZC_RULE_PAGES },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		const struct zc_schema_field *inv = zc_schema_invariant(i);

		assert_non_null(inv);
		assert_string_equal(inv->path, want[i].path);
		assert_int_equal(inv->rule, want[i].rule);
	}
	assert_null(zc_schema_invariant(sizeof(want) / sizeof(want[0])));
}

/* A JSON value that is not of @type. */
static json_t *wrong_value(enum zc_schema_type type)
{
	switch (type) {
	case ZC_TYPE_STRING: return json_integer(1);
	case ZC_TYPE_BOOL: return json_string("yes");
	case ZC_TYPE_INTEGER: return json_real(1.5);
	case ZC_TYPE_NUMBER: return json_string("fast");
	case ZC_TYPE_OBJECT: return json_array();
	case ZC_TYPE_ARRAY: return json_object();
	case ZC_TYPE_NUMBERS: return json_pack("[i, s]", 1, "2");
	case ZC_TYPE_STRINGS: return json_pack("[s, i]", "noisy", 2);
	case ZC_TYPE_STRING_OR_NULL: return json_integer(1);
	case ZC_TYPE_STRING_OR_INTEGER: return json_true();
	case ZC_TYPE_NUMBER_OR_NULL: return json_string("none");
	case ZC_TYPE_ARRAY_OR_NULL: return json_string("none");
	}
	return json_null();
}

/* Sets dotted @path in @o to @v (stolen), making the objects on the way. */
static void set_path(json_t *o, const char *path, json_t *v)
{
	const char *dot = strchr(path, '.');
	char key[64];

	if (!dot) {
		json_object_set_new(o, path, v);
		return;
	}
	snprintf(key, sizeof(key), "%.*s", (int)(dot - path), path);
	if (!json_is_object(json_object_get(o, key)))
		json_object_set_new(o, key, json_object());
	set_path(json_object_get(o, key), dot + 1, v);
}

/* The validator refuses each result field of the wrong type, naming it (ETYPE). */
static void validator_checks_every_field(void **state)
{
	size_t n;
	const struct zc_schema_field *f = zc_schema_fields(ZC_SCHEMA_RESULT, &n);

	char name[] = "t.json";

	(void)state;
	for (size_t i = 0; i < n; i++) {
		json_t *result = json_pack("{s:s}", "strategy", "copy");
		struct zc_results_file file = { .path = name };
		struct zc_error err = { 0 };
		char want[256];

		set_path(result, f[i].path, wrong_value(f[i].type));
		file.root = json_pack("{s:s, s:s, s:{s:i, s:i}, s:[o]}", "schema", ZC_SCHEMA,
				      "scenario", "x", "frame", "width", 2, "height", 2, "results",
				      result);
		assert_int_equal(zc_results_validate(&file, &err), -1);
		snprintf(want, sizeof(want), "'results[0].%s' is ", f[i].path);
		if (err.code != ZC_RESULTS_ETYPE || !strstr(err.text, want))
			fail_msg("'%s' of the wrong type: %s", f[i].path, err.text);
		json_decref(file.root);
	}
}

/* The line of @path that starts with @prefix, up to its end, into @buf. */
static void line_after(const char *path, const char *prefix, char *buf, size_t len)
{
	char *text = slurp(path), *at = strstr(text, prefix);

	if (!at || (at != text && at[-1] != '\n'))
		fail_msg("no line starting '%s' in '%s'", prefix, path);
	at += strlen(prefix);
	snprintf(buf, len, "%.*s", (int)strcspn(at, "\n"), at);
	free(text);
}

/* The gate's loader and the shell scripts read the schema name the writer writes. */
static void schema_name_agrees(void **state)
{
	char line[128], want[128];

	(void)state;
	assert_string_equal(ZC_RESULTS_SCHEMA, ZC_SCHEMA);
	line_after("scripts/report-lib.sh", "ZC_SCHEMA=", line, sizeof(line));
	snprintf(want, sizeof(want), "\"%s\"", ZC_SCHEMA);
	assert_string_equal(line, want);
	line_after(SCHEMA_DOC, "# The results schema: ", line, sizeof(line));
	snprintf(want, sizeof(want), "`%s`", ZC_SCHEMA);
	assert_string_equal(line, want);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(doc_lists_every_field),
		cmocka_unit_test(table_is_well_formed),
		cmocka_unit_test(invariants_follow_gate_order),
		cmocka_unit_test(invariants_are_the_gates),
		cmocka_unit_test(validator_checks_every_field),
		cmocka_unit_test(schema_name_agrees),
	};
	return cmocka_run_group_tests_name("schema", tests, NULL, NULL);
}
