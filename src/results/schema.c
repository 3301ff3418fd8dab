/*
 * schema.c: the rows of schema.h's two field lists as data, the gate's invariants in its
 * order, the type check and the names docs/schema.md uses for types, presence and rules.
 */
#include "schema.h"

#include <string.h>

#define ZC__ROW(path, type, presence, gate, unit, source, doc) \
	{ path, ZC_TYPE_##type, ZC_PRESENCE_##presence, gate, unit, doc },

static const struct zc_schema_field document_fields[] = {
	ZC_SCHEMA_DOCUMENT_FIELDS(ZC__ROW)
};

static const struct zc_schema_field result_fields[] = {
	ZC_SCHEMA_RESULT_FIELDS(ZC__ROW)
};

#undef ZC__ROW

const struct zc_schema_field *zc_schema_fields(enum zc_schema_part part, size_t *n)
{
	if (part == ZC_SCHEMA_DOCUMENT) {
		*n = sizeof(document_fields) / sizeof(document_fields[0]);
		return document_fields;
	}
	*n = sizeof(result_fields) / sizeof(result_fields[0]);
	return result_fields;
}

const struct zc_schema_field *zc_schema_find(enum zc_schema_part part, const char *path)
{
	size_t n;
	const struct zc_schema_field *f = zc_schema_fields(part, &n);

	for (size_t i = 0; i < n; i++)
		if (!strcmp(f[i].path, path))
			return &f[i];
	return NULL;
}

const struct zc_schema_field *zc_schema_invariant(size_t i)
{
	size_t n;
	const struct zc_schema_field *f = zc_schema_fields(ZC_SCHEMA_RESULT, &n);

	for (size_t k = 0; k < n; k++)
		if (f[k].rule != ZC_RULE_NONE && f[k].gate_order == (int)i + 1)
			return &f[k];
	return NULL;
}

/* True when @v is an array of numbers (@strings false) or of strings (@strings true). */
static bool array_of(const json_t *v, bool strings)
{
	size_t i;
	json_t *e;

	if (!json_is_array(v))
		return false;
	json_array_foreach(v, i, e)
		if (strings ? !json_is_string(e) : !json_is_number(e))
			return false;
	return true;
}

bool zc_schema_type_matches(enum zc_schema_type type, const json_t *v)
{
	switch (type) {
	case ZC_TYPE_STRING: return json_is_string(v);
	case ZC_TYPE_BOOL: return json_is_boolean(v);
	case ZC_TYPE_INTEGER: return json_is_integer(v);
	case ZC_TYPE_NUMBER: return json_is_number(v);
	case ZC_TYPE_OBJECT: return json_is_object(v);
	case ZC_TYPE_ARRAY: return json_is_array(v);
	case ZC_TYPE_NUMBERS: return array_of(v, false);
	case ZC_TYPE_STRINGS: return array_of(v, true);
	case ZC_TYPE_STRING_OR_NULL: return json_is_string(v) || json_is_null(v);
	case ZC_TYPE_STRING_OR_INTEGER: return json_is_string(v) || json_is_integer(v);
	case ZC_TYPE_NUMBER_OR_NULL: return json_is_number(v) || json_is_null(v);
	case ZC_TYPE_ARRAY_OR_NULL: return json_is_array(v) || json_is_null(v);
	}
	return false;
}

/*
 * The three name functions below look alike by design: each maps its own enum to the names
 * docs/schema.md uses; a switch lets the compiler warn when an enum gains a value.
 */
const char *zc_schema_type_name(enum zc_schema_type type)
{
	switch (type) {
	case ZC_TYPE_STRING: return "string";
	case ZC_TYPE_BOOL: return "boolean";
	case ZC_TYPE_INTEGER: return "integer";
	case ZC_TYPE_NUMBER: return "number";
	case ZC_TYPE_OBJECT: return "object";
	case ZC_TYPE_ARRAY: return "array";
	case ZC_TYPE_NUMBERS: return "array of numbers";
	case ZC_TYPE_STRINGS: return "array of strings";
	case ZC_TYPE_STRING_OR_NULL: return "string or null";
	case ZC_TYPE_STRING_OR_INTEGER: return "string or integer";
	case ZC_TYPE_NUMBER_OR_NULL: return "number or null";
	case ZC_TYPE_ARRAY_OR_NULL: return "array or null";
	}
	return "unknown";
}

const char *zc_schema_presence_name(enum zc_schema_presence presence)
{
	switch (presence) {
	case ZC_PRESENCE_KEY: return "key";
	case ZC_PRESENCE_ALWAYS: return "always";
	case ZC_PRESENCE_OPTIONAL: return "optional";
	}
	return "unknown";
}

const char *zc_schema_rule_name(enum zc_schema_rule rule)
{
	switch (rule) {
	case ZC_RULE_NONE: return "";
	case ZC_RULE_VERDICT: return "verdict";
	case ZC_RULE_SHARING: return "sharing";
	case ZC_RULE_FEWER: return "fewer";
	case ZC_RULE_FRAMES: return "frames";
	case ZC_RULE_PAGES: return "pages";
	case ZC_RULE_SHARED: return "shared";
	case ZC_RULE_BLOCKS: return "blocks";
	}
	return "unknown";
}
